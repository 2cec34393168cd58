/* capclock: dating packets on the engine's clock (see capclock.h). */
#include "config.h"

#include <stddef.h>

#include "capclock.h"

bool capclock_leaps(const struct capclock *c, uint64_t ts)
{
	if (!c->started)
		return false;
	return ts > c->now ? ts - c->now > CAPCLOCK_LEAP_NS : c->now - ts > CAPCLOCK_LEAP_NS;
}

uint64_t capclock_date(struct capclock *c, uint64_t ts, const uint64_t *next)
{
	/* The first packet starts the clock: one packet after it cannot
	 * tell a corrupt first time from a real gap, and a real gap is the
	 * likelier.  If it was corrupt, the packets after it are a leap back
	 * that the next one confirms. */
	if (!c->started) {
		c->started = true;
		c->now = ts;
		return ts;
	}
	if (!capclock_leaps(c, ts)) {
		if (ts > c->now)
			c->now = ts;
		return ts;
	}
	/* A leap: believed when the next packet leaps the same way. */
	if (next != NULL && capclock_leaps(c, *next) && (*next > c->now) == (ts > c->now)) {
		c->now = ts;
		return ts;
	}
	return c->now;
}
