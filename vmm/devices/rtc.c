/*
 * CMOS RTC; see rtc.h.
 *
 * Trust boundary: the guest picks the index (masked to 7 bits; bit 7 is the
 * NMI-disable bit and is ignored) and any data byte; both stay inside ram[].
 */
#include <string.h>

#include "rtc.h"

static time_t rtc_host_now(void)
{
	return time(NULL);
}

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->now = rtc_host_now;
	r->ram[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->ram[RTC_REG_B] = RTC_B_24H;
	r->ram[RTC_REG_D] = 0x80; /* valid RAM and time */
}

static uint8_t rtc_encode(const struct rtc *r, unsigned v)
{
	if (r->ram[RTC_REG_B] & RTC_B_BINARY)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t rtc_hour(const struct rtc *r, unsigned h)
{
	if (r->ram[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(r, h);
	unsigned h12 = h % 12 ? h % 12 : 12;
	return rtc_encode(r, h12) | (h >= 12 ? 0x80 : 0);
}

static uint8_t rtc_read(struct rtc *r, uint8_t idx)
{
	time_t t = r->now();
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	switch (idx) {
	case 0x00:
		return rtc_encode(r, (unsigned)tm.tm_sec % 60);
	case 0x02:
		return rtc_encode(r, (unsigned)tm.tm_min);
	case 0x04:
		return rtc_hour(r, (unsigned)tm.tm_hour);
	case 0x06:
		return rtc_encode(r, (unsigned)tm.tm_wday + 1);
	case 0x07:
		return rtc_encode(r, (unsigned)tm.tm_mday);
	case 0x08:
		return rtc_encode(r, (unsigned)tm.tm_mon + 1);
	case 0x09:
		return rtc_encode(r, (unsigned)(tm.tm_year + 1900) % 100);
	case RTC_CENTURY:
		return rtc_encode(r, (unsigned)(tm.tm_year + 1900) / 100);
	case RTC_REG_A:
		return r->ram[RTC_REG_A] & 0x7f; /* never "update in progress" */
	case RTC_REG_C:
		return 0; /* no interrupt flags */
	default:
		return r->ram[idx];
	}
}

static void rtc_write(struct rtc *r, uint8_t idx, uint8_t v)
{
	switch (idx) {
	case 0x00:
	case 0x02:
	case 0x04:
	case 0x06:
	case 0x07:
	case 0x08:
	case 0x09:
	case RTC_CENTURY:
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* the clock follows the host; C and D are read-only */
	case RTC_REG_B:
		r->ram[RTC_REG_B] = v & 0x7f; /* SET (bit 7) would freeze updates: ignored */
		return;
	default:
		r->ram[idx] = v;
	}
}

void rtc_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct rtc *r = ctx;
	if (offset == 0 && !is_write) {
		memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&r->lock);
	if (offset == 0) {
		r->index = data[0] & 0x7f;
	} else if (is_write) {
		rtc_write(r, r->index, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = rtc_read(r, r->index);
	}
	pthread_mutex_unlock(&r->lock);
}
