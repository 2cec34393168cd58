/* test-cursor: reads past the end must fail and leave the cursor alone. */
#include "config.h"

#include "check.h"
#include "cursor.h"

int main(void)
{
	static const uint8_t bytes[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	struct cursor c = cursor_make(bytes, sizeof bytes);
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	CHECK(cursor_be16(&c, &v16));
	CHECK_U64(v16, 0x1234);
	CHECK_U64(c.left, 3);
	/* 4 bytes asked, 3 left: nothing consumed, value untouched */
	CHECK(!cursor_be32(&c, &v32));
	CHECK_U64(v32, 0);
	CHECK_U64(c.left, 3);
	CHECK(cursor_peek(&c, 2, &v8));
	CHECK_U64(v8, 0x9a);
	CHECK(!cursor_peek(&c, 3, &v8));
	CHECK(!cursor_skip(&c, 4));
	CHECK(cursor_skip(&c, 1));
	CHECK(cursor_u8(&c, &v8));
	CHECK_U64(v8, 0x78);
	cursor_limit(&c, 0);
	CHECK(!cursor_u8(&c, &v8));

	c = cursor_make(bytes, 4);
	CHECK(cursor_le32(&c, &v32));
	CHECK_U64(v32, 0x78563412);
	CHECK_U64(c.left, 0);
	c = cursor_make(bytes, 4);
	CHECK(cursor_be32(&c, &v32));
	CHECK_U64(v32, 0x12345678);
	return check_done("test-cursor");
}
