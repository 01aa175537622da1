/*
 * The kernel's printf engine: kvformat() and the buffer formatters built on
 * it (kvsnprintf, ksnprintf). kprintf/klog live in kprintf.c and only supply
 * a sink.
 *
 * Supported: %d %i %u %o %x %X %b %p %s %c %%, the hh h l ll z t j length
 * modifiers, a field width and a precision (digits or `*`), and the flags
 * `-` `0` `+` ` ` `#`, all with C's meaning. Two deliberate differences from
 * C: %p always prints "0x" and 16 hex digits, and %s of NULL prints
 * "(null)" (cut by the precision like any string). %n is not supported (it
 * writes through a pointer); it and any other unknown conversion are copied
 * to the output literally, from the '%' to the conversion character.
 *
 * Output reaches the sink in pieces: text is staged in a 64-byte buffer on
 * the stack and flushed when it fills or the format ends; a piece of 64 bytes
 * or more (a long literal run, a long %s) is handed over directly. No locks,
 * no allocation, no libc: this runs in panic paths and interrupt handlers.
 */
#include "lib/format.h"

#define FMT_BUF_SIZE 64

/* Output state: the sink, a staging buffer, and the count so far. */
struct fmt_out {
	const struct fmt_sink *sink;
	size_t len;   /* bytes staged in buf */
	size_t total; /* bytes produced in all */
	char buf[FMT_BUF_SIZE];
};

/* One parsed conversion specification. */
struct fmt_spec {
	bool left;   /* '-' */
	bool zero;   /* '0' */
	bool plus;   /* '+' */
	bool space;  /* ' ' */
	bool alt;    /* '#' */
	int width;   /* 0 if none */
	int prec;    /* -1 if none */
	char length; /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 't', 'j' */
};

static void fmt_flush(struct fmt_out *o)
{
	if (o->len) {
		o->sink->write(o->sink->ctx, o->buf, o->len);
		o->len = 0;
	}
}

static void fmt_put(struct fmt_out *o, const char *s, size_t n)
{
	o->total += n;
	if (n >= FMT_BUF_SIZE) {
		/* Too big to stage: keep the order, then hand it over whole. */
		fmt_flush(o);
		o->sink->write(o->sink->ctx, s, n);
		return;
	}
	if (n > FMT_BUF_SIZE - o->len)
		fmt_flush(o);
	for (size_t i = 0; i < n; i++)
		o->buf[o->len + i] = s[i];
	o->len += n;
}

/* Appends n copies of c. */
static void fmt_fill(struct fmt_out *o, char c, size_t n)
{
	o->total += n;
	while (n) {
		if (o->len == FMT_BUF_SIZE)
			fmt_flush(o);
		size_t room = FMT_BUF_SIZE - o->len;
		size_t k = n < room ? n : room;
		for (size_t i = 0; i < k; i++)
			o->buf[o->len + i] = c;
		o->len += k;
		n -= k;
	}
}

/* Reads a decimal number at *pp, saturating instead of overflowing. */
static int fmt_parse_num(const char **pp)
{
	const char *p = *pp;
	int v = 0;
	while (*p >= '0' && *p <= '9') {
		int d = *p++ - '0';
		v = v > (__INT_MAX__ - d) / 10 ? __INT_MAX__ : v * 10 + d;
	}
	*pp = p;
	return v;
}

/* Fetches a signed argument of the spec's length, widened to 64 bits. */
static int64_t fmt_arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z': /* the signed type of size_t's width */
	case 't':
		return va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t fmt_arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned int);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned int);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 't': /* the unsigned type of ptrdiff_t's width */
		return (uint64_t)va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Pads a piece of `len` characters to the field width, left or right. */
static void fmt_pad_left(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if (!sp->left && (size_t)sp->width > len)
		fmt_fill(o, ' ', (size_t)sp->width - len);
}

static void fmt_pad_right(struct fmt_out *o, const struct fmt_spec *sp, size_t len)
{
	if (sp->left && (size_t)sp->width > len)
		fmt_fill(o, ' ', (size_t)sp->width - len);
}

/*
 * Formats v in the given base. `neg` says v is the magnitude of a negative
 * number; `is_signed` enables the '+' and ' ' flags; `conv` picks the digits
 * and the '#' prefix.
 */
static void fmt_integer(struct fmt_out *o, const struct fmt_spec *sp, uint64_t v, bool neg,
			bool is_signed, unsigned base, char conv)
{
	const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[64]; /* 64 binary digits at most */
	size_t nd = 0;
	for (uint64_t x = v; x; x /= base)
		tmp[sizeof(tmp) - ++nd] = digits[x % base];

	size_t prec = sp->prec < 0 ? 1 : (size_t)sp->prec;
	if (conv == 'o' && sp->alt && prec <= nd)
		prec = nd + 1; /* '#' forces a leading 0 (also for the value 0) */
	size_t zeros = prec > nd ? prec - nd : 0;

	char head[3];
	size_t nh = 0;
	if (neg)
		head[nh++] = '-';
	else if (is_signed && sp->plus)
		head[nh++] = '+';
	else if (is_signed && sp->space)
		head[nh++] = ' ';
	if (v && sp->alt && (conv == 'x' || conv == 'X' || conv == 'b')) {
		head[nh++] = '0';
		head[nh++] = conv;
	}

	size_t len = nh + zeros + nd;
	if (sp->zero && !sp->left && sp->prec < 0 && (size_t)sp->width > len) {
		zeros += (size_t)sp->width - len;
		len = (size_t)sp->width;
	}
	fmt_pad_left(o, sp, len);
	fmt_put(o, head, nh);
	fmt_fill(o, '0', zeros);
	fmt_put(o, tmp + sizeof(tmp) - nd, nd);
	fmt_pad_right(o, sp, len);
}

static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	/* Reads no further than the precision: the string need not be terminated. */
	size_t n = 0;
	while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
		n++;
	fmt_pad_left(o, sp, n);
	fmt_put(o, s, n);
	fmt_pad_right(o, sp, n);
}

/* Parses flags, width, precision and length after a '%'; advances *pp. */
static void fmt_parse_spec(struct fmt_spec *sp, const char **pp, va_list *ap)
{
	const char *p = *pp;
	*sp = (struct fmt_spec){.prec = -1};
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else if (*p == '+')
			sp->plus = true;
		else if (*p == ' ')
			sp->space = true;
		else if (*p == '#')
			sp->alt = true;
		else
			break;
	}
	if (*p == '*') {
		int w = va_arg(*ap, int);
		p++;
		if (w < 0) { /* a negative width means '-' */
			sp->left = true;
			w = w == -__INT_MAX__ - 1 ? __INT_MAX__ : -w;
		}
		sp->width = w;
	} else {
		sp->width = fmt_parse_num(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			int pr = va_arg(*ap, int);
			p++;
			sp->prec = pr < 0 ? -1 : pr; /* negative: as if omitted */
		} else {
			sp->prec = fmt_parse_num(&p);
		}
	}
	switch (*p) {
	case 'h':
		sp->length = p[1] == 'h' ? 'H' : 'h';
		p += p[1] == 'h' ? 2 : 1;
		break;
	case 'l':
		sp->length = p[1] == 'l' ? 'L' : 'l';
		p += p[1] == 'l' ? 2 : 1;
		break;
	case 'z':
	case 't':
	case 'j':
		sp->length = *p++;
		break;
	default:
		break;
	}
	*pp = p;
}

/* Formats one conversion; *pp points at its conversion character. */
static void fmt_convert(struct fmt_out *o, const struct fmt_spec *sp, const char *start,
			const char **pp, va_list *ap)
{
	const char *p = *pp;
	char conv = *p;
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = fmt_arg_signed(sp, ap);
		uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
		fmt_integer(o, sp, mag, v < 0, true, 10, conv);
		break;
	}
	case 'u':
		fmt_integer(o, sp, fmt_arg_unsigned(sp, ap), false, false, 10, conv);
		break;
	case 'x':
	case 'X':
		fmt_integer(o, sp, fmt_arg_unsigned(sp, ap), false, false, 16, conv);
		break;
	case 'o':
		fmt_integer(o, sp, fmt_arg_unsigned(sp, ap), false, false, 8, conv);
		break;
	case 'b':
		fmt_integer(o, sp, fmt_arg_unsigned(sp, ap), false, false, 2, conv);
		break;
	case 'p': {
		/* Fixed width, whatever the flags say: "0x" and 16 hex digits. */
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		char tmp[18];
		tmp[0] = '0';
		tmp[1] = 'x';
		for (int i = 0; i < 16; i++)
			tmp[17 - i] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
		fmt_pad_left(o, sp, sizeof(tmp));
		fmt_put(o, tmp, sizeof(tmp));
		fmt_pad_right(o, sp, sizeof(tmp));
		break;
	}
	case 's':
		fmt_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		fmt_pad_left(o, sp, 1);
		fmt_put(o, &c, 1);
		fmt_pad_right(o, sp, 1);
		break;
	}
	case '%':
		fmt_put(o, "%", 1);
		break;
	case '\0': /* the format ended inside a specification */
		fmt_put(o, start, (size_t)(p - start));
		return;
	default: /* unknown: copy the whole specification */
		fmt_put(o, start, (size_t)(p + 1 - start));
		break;
	}
	*pp = p + 1;
}

int kvformat(const struct fmt_sink *sink, const char *fmt, va_list ap)
{
	struct fmt_out o; /* buf is left uninitialised: no 64-byte memset per call */
	o.sink = sink;
	o.len = 0;
	o.total = 0;
	va_list aq;
	/* A va_list parameter may be an array type; only a local copy can be
	 * passed on by address. */
	va_copy(aq, ap);
	const char *p = fmt;
	while (*p) {
		const char *run = p;
		while (*p && *p != '%')
			p++;
		if (p > run)
			fmt_put(&o, run, (size_t)(p - run));
		if (!*p)
			break;
		const char *start = p++;
		struct fmt_spec sp;
		fmt_parse_spec(&sp, &p, &aq);
		fmt_convert(&o, &sp, start, &p, &aq);
	}
	va_end(aq);
	fmt_flush(&o);
	return o.total > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)o.total;
}

/* Sink state for kvsnprintf: copies what fits, keeps room for the NUL. */
struct fmt_bufctx {
	char *buf;
	size_t size; /* including the NUL; 0: write nothing */
	size_t pos;  /* bytes stored so far (< size when size > 0) */
};

static void fmt_buf_write(void *ctx, const char *s, size_t n)
{
	struct fmt_bufctx *b = ctx;
	if (b->size == 0)
		return;
	size_t room = b->size - 1 - b->pos;
	size_t k = n < room ? n : room;
	for (size_t i = 0; i < k; i++)
		b->buf[b->pos + i] = s[i];
	b->pos += k;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_bufctx b = {.buf = buf, .size = size, .pos = 0};
	struct fmt_sink sink = {fmt_buf_write, &b};
	int n = kvformat(&sink, fmt, ap);
	if (size)
		buf[b.pos] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
