/*
 * The AML encoder; see aml.h.
 */
#include <string.h>

#include "aml.h"

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->overflow || n > a->max - a->len) {
		a->overflow = 1;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* A NameSeg or a rooted name: "\\_SB_" or "COM1" (4 characters per segment). */
void aml_name(struct aml *a, const char *name)
{
	aml_bytes(a, name, strlen(name));
}

/* PkgLength covering `body` bytes plus the encoding itself (ACPI 6, 20.2.4). */
void aml_pkglen(struct aml *a, size_t body)
{
	if (body + 1 < 0x40) {
		aml_byte(a, (uint8_t)(body + 1));
	} else if (body + 2 < 0x1000) {
		size_t n = body + 2;
		aml_byte(a, (uint8_t)(0x40 | (n & 0x0f)));
		aml_byte(a, (uint8_t)(n >> 4));
	} else {
		size_t n = body + 3;
		aml_byte(a, (uint8_t)(0x80 | (n & 0x0f)));
		aml_byte(a, (uint8_t)(n >> 4));
		aml_byte(a, (uint8_t)(n >> 12));
	}
}

/* Emits op [ext] PkgLength inner. */
void aml_package_op(struct aml *a, const uint8_t *op, size_t oplen, const struct aml *inner)
{
	if (inner->overflow) {
		a->overflow = 1;
		return;
	}
	aml_bytes(a, op, oplen);
	aml_pkglen(a, inner->len);
	aml_bytes(a, inner->buf, inner->len);
}

/* EISA id "PNP0501" -> 4 bytes as the DWordConst's little-endian payload. */
void aml_eisaid(struct aml *a, const char *id)
{
	uint16_t vendor =
	    (uint16_t)(((id[0] - 0x40) << 10) | ((id[1] - 0x40) << 5) | (id[2] - 0x40));
	unsigned product = 0;
	for (int i = 3; i < 7; i++) {
		char c = id[i];
		product = product * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'A' + 10);
	}
	uint8_t b[5] = {AML_DWORD, (uint8_t)(vendor >> 8), (uint8_t)vendor, (uint8_t)(product >> 8),
			(uint8_t)product};
	aml_bytes(a, b, sizeof(b));
}

void aml_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void aml_put64(uint8_t *p, uint64_t v)
{
	aml_put32(p, (uint32_t)v);
	aml_put32(p + 4, (uint32_t)(v >> 32));
}

void aml_int(struct aml *a, uint64_t v)
{
	uint8_t b[9];
	if (v <= 1) {
		aml_byte(a, v ? AML_ONE : AML_ZERO);
	} else if (v <= 0xff) {
		b[0] = AML_BYTE;
		b[1] = (uint8_t)v;
		aml_bytes(a, b, 2);
	} else if (v <= 0xffffffffu) {
		b[0] = AML_DWORD;
		aml_put32(b + 1, (uint32_t)v);
		aml_bytes(a, b, 5);
	} else {
		b[0] = AML_QWORD;
		aml_put64(b + 1, v);
		aml_bytes(a, b, 9);
	}
}

void aml_name_crs(struct aml *a, const char *name, const uint8_t *res, size_t res_len)
{
	const uint8_t end[] = {0x79, 0x00}; /* End tag, checksum 0 */
	uint8_t bbuf[256];
	struct aml body = {.buf = bbuf, .max = sizeof(bbuf)};
	aml_int(&body, res_len + sizeof(end));
	aml_bytes(&body, res, res_len);
	aml_bytes(&body, end, sizeof(end));
	aml_byte(a, AML_NAME);
	aml_name(a, name);
	const uint8_t op = AML_BUFFER;
	aml_package_op(a, &op, 1, &body);
}
