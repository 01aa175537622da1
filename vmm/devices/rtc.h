/*
 * The CMOS real-time clock and its 128 bytes of CMOS RAM (I/O 0x70 index,
 * 0x71 data).
 *
 * The time registers (seconds 0x00, minutes 0x02, hours 0x04, weekday 0x06,
 * day 0x07, month 0x08, year 0x09, century 0x32) read the host's current UTC
 * time at the moment of the read, in BCD or binary and 12- or 24-hour form
 * as register B selects (default: BCD, 24-hour). Register A never shows an
 * update in progress; register D reports valid RAM. Writes to the time
 * registers are ignored (the guest cannot set the host clock); other bytes
 * are plain RAM. No RTC interrupt (IRQ 8) is generated.
 *
 * Locking: vCPU threads reach it concurrently; lock guards index and ram
 * (the index write and the data access of one guest access pair are each
 * atomic, as on a PC where the guest serialises the pair itself).
 */
#ifndef ORBVM_RTC_H
#define ORBVM_RTC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define RTC_PORT 0x70

#define RTC_REG_A    0x0a
#define RTC_REG_B    0x0b
#define RTC_REG_C    0x0c
#define RTC_REG_D    0x0d
#define RTC_CENTURY  0x32
#define RTC_B_24H    0x02
#define RTC_B_BINARY 0x04

struct rtc {
	pthread_mutex_t lock; /* guards index and ram */
	uint8_t index;
	uint8_t ram[128];
	/* Source of the time; tests substitute a fixed clock. */
	time_t (*now)(void);
};

void rtc_init(struct rtc *r);
/* Bus handler for ports 0x70..0x71 (ctx is the struct rtc). */
void rtc_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
