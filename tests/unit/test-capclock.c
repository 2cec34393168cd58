/* test-capclock: which packet times the engine's clock believes. */
#include "config.h"

#include <stddef.h>

#include "capclock.h"
#include "check.h"

static const uint64_t S = 1000000000u;
static const uint64_t T0 = 1700000000u * 1000000000ull;
static const uint64_t YEARS = 5ull * 365 * 86400 * 1000000000ull;

static uint64_t at(struct capclock *c, uint64_t ts, uint64_t next)
{
	return capclock_date(c, ts, &next);
}

/* Steps forward move the clock; steps back within the leap keep the
 * packet's own time and leave the clock where it was. */
static void test_steps(void)
{
	struct capclock c = { 0 };

	CHECK_U64(at(&c, T0, T0 + S), T0);
	CHECK_U64(at(&c, T0 + S, T0), T0 + S);
	CHECK_U64(at(&c, T0, T0 + 2 * S), T0);
	CHECK_U64(c.now, T0 + S);
	CHECK(!capclock_leaps(&c, T0 + S + CAPCLOCK_LEAP_NS));
	CHECK(capclock_leaps(&c, T0 + S + CAPCLOCK_LEAP_NS + 1));
	CHECK(capclock_leaps(&c, T0 + S - CAPCLOCK_LEAP_NS - 1));
}

/* One packet years ahead (or behind), then the stream as before: it is
 * dated at the clock, which does not move. */
static void test_outlier(void)
{
	struct capclock c = { 0 };

	at(&c, T0, T0 + S);
	CHECK_U64(at(&c, T0 + YEARS, T0 + 2 * S), T0);
	CHECK_U64(c.now, T0);
	CHECK_U64(at(&c, T0 + 2 * S, T0 + 3 * S), T0 + 2 * S);
	CHECK_U64(at(&c, T0 - YEARS, T0 + 3 * S), T0 + 2 * S);
	CHECK_U64(c.now, T0 + 2 * S);
	/* the last packet has none to confirm it */
	CHECK_U64(capclock_date(&c, T0 + YEARS, NULL), T0 + 2 * S);
}

/* A real gap, or the capture's time stepped back for good: the next
 * packet leaps the same way, and the clock follows. */
static void test_real_leaps(void)
{
	struct capclock c = { 0 };

	at(&c, T0, T0 + 2 * CAPCLOCK_LEAP_NS);
	CHECK_U64(at(&c, T0 + 2 * CAPCLOCK_LEAP_NS, T0 + 2 * CAPCLOCK_LEAP_NS + S),
		  T0 + 2 * CAPCLOCK_LEAP_NS);
	CHECK_U64(c.now, T0 + 2 * CAPCLOCK_LEAP_NS);
	CHECK_U64(at(&c, T0 - YEARS, T0 - YEARS + S), T0 - YEARS);
	CHECK_U64(c.now, T0 - YEARS);
	/* a leap ahead and then one back is not confirmed by it */
	CHECK_U64(at(&c, T0, T0 - 2 * YEARS), T0 - YEARS);
}

int main(void)
{
	test_steps();
	test_outlier();
	test_real_leaps();
	return check_done("test-capclock");
}
