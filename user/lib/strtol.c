/*
 * strtoul(), strtol(), atoi(): C's number parsing, without locales or errno
 * (out-of-range values saturate to the type's limits, as C specifies).
 */
#include <stdlib.h>
#include <stdbool.h>

#define STRTOL_LONG_MAX	 __LONG_MAX__
#define STRTOL_ULONG_MAX (__LONG_MAX__ * 2ul + 1ul)

static int strtol_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Parses the magnitude; *neg gets the sign, *over whether it exceeded unsigned long. */
static unsigned long strtol_parse(const char *s, char **end, int base, bool *neg, bool *over)
{
	const char *p = s;
	*neg = false;
	*over = false;
	if (end)
		*end = (char *)s;
	if (base < 0 || base == 1 || base > 36)
		return 0;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    strtol_digit(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	unsigned long v = 0;
	bool any = false;
	for (; strtol_digit(*p) < base; p++) {
		unsigned d = (unsigned)strtol_digit(*p);
		if (v > (STRTOL_ULONG_MAX - d) / (unsigned)base)
			*over = true;
		else
			v = v * (unsigned)base + d;
		any = true;
	}
	if (!any)
		return 0;
	if (end)
		*end = (char *)p;
	return *over ? STRTOL_ULONG_MAX : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	bool neg, over;
	unsigned long v = strtol_parse(s, end, base, &neg, &over);
	if (over)
		return v;
	return neg ? -v : v;
}

long strtol(const char *s, char **end, int base)
{
	bool neg, over;
	unsigned long v = strtol_parse(s, end, base, &neg, &over);
	if (neg)
		return v > (unsigned long)STRTOL_LONG_MAX ? -STRTOL_LONG_MAX - 1 : -(long)v;
	return v > (unsigned long)STRTOL_LONG_MAX ? STRTOL_LONG_MAX : (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}
