/* capclock: the engine's clock, made of packet times, and which packet
 * times it believes.
 *
 * A capture's time may go backwards (merged files, a host clock stepped
 * back, reordering between interfaces) and one corrupt record may be
 * dated years off.  The engine's timers (the idle timeout, TIME_WAIT)
 * must neither fire on such a record nor wrap on it.  The rule: a packet
 * within CAPCLOCK_LEAP_NS of the clock is believed; one further off, ahead
 * or behind, is believed only when the packet after it is as far off the
 * same way (the capture's time really moved); otherwise it is one corrupt
 * timestamp and the engine dates it at the clock's time instead.  A
 * believed packet ahead of the clock moves it on, one behind does not,
 * unless it is a believed leap back. */
#ifndef FINLINT_CAPCLOCK_H
#define FINLINT_CAPCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* The idle timeout: nothing shorter can end a connection, so no leap
 * shorter than it needs a second packet to be believed. */
enum { CAPCLOCK_LEAP_S = 3600 };
#define CAPCLOCK_LEAP_NS ((uint64_t)CAPCLOCK_LEAP_S * 1000000000u)

struct capclock {
	uint64_t now;  /* the latest believed time, nanoseconds since the epoch */
	bool started;  /* a packet has been dated */
};

/* Report whether a packet dated ts needs the next packet's time to be
 * dated: it is more than CAPCLOCK_LEAP_NS off the clock. */
bool capclock_leaps(const struct capclock *c, uint64_t ts);

/* Date a packet whose capture time is ts; next is the next packet's
 * time, or NULL when there is none (the leap is then not believed).
 * Returns the time the engine uses for the packet: ts, or the clock's
 * time when ts is not believed. */
uint64_t capclock_date(struct capclock *c, uint64_t ts, const uint64_t *next);

#endif
