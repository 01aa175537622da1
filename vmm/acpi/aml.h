/*
 * A tiny AML encoder (ACPI 6 chapter 20) shared by the DSDT's parts
 * (dsdt.c, dsdt_pci.c): bytes, names, PkgLength, package-style opcodes,
 * EISA IDs and the resource-template and object helpers they need.
 *
 * Invariant: every call checks the room left in its buffer and sets
 * `overflow` instead of writing past the end; an op whose inner buffer
 * overflowed overflows its outer one, so the DSDT builder fails cleanly.
 * Nothing here allocates.
 */
#ifndef ORBVM_ACPI_AML_H
#define ORBVM_ACPI_AML_H

#include <stddef.h>
#include <stdint.h>

#define AML_ZERO       0x00
#define AML_NAME       0x08
#define AML_BYTE       0x0a
#define AML_STRING     0x0d
#define AML_DWORD      0x0c
#define AML_SCOPE      0x10
#define AML_BUFFER     0x11
#define AML_PACKAGE    0x12
#define AML_EXT	       0x5b
#define AML_EXT_DEVICE 0x82

struct aml {
	uint8_t *buf;
	size_t len, max;
	int overflow;
};

#define AML_ONE	   0x01
#define AML_METHOD 0x14
#define AML_QWORD  0x0e

/* Appends n bytes / one byte. */
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, uint8_t b);
/* A NameSeg or a rooted name: "\\_SB_" or "COM1" (4 characters per segment). */
void aml_name(struct aml *a, const char *name);
/* PkgLength covering `body` bytes plus the encoding itself (ACPI 6, 20.2.4). */
void aml_pkglen(struct aml *a, size_t body);
/* Emits op [ext] PkgLength inner. */
void aml_package_op(struct aml *a, const uint8_t *op, size_t oplen, const struct aml *inner);
/* EISA id "PNP0501" as a DWordConst. */
void aml_eisaid(struct aml *a, const char *id);
void aml_put32(uint8_t *p, uint32_t v);
void aml_put64(uint8_t *p, uint64_t v);
/* An integer constant in the shortest encoding (Zero, One, Byte, Word-free: DWord, QWord). */
void aml_int(struct aml *a, uint64_t v);
/* Name (NAME, Buffer () { res..., End tag }): a resource template of res_len bytes. */
void aml_name_crs(struct aml *a, const char *name, const uint8_t *res, size_t res_len);

struct acpi_pci;
/* The DSDT's PCI devices (dsdt_pci.c), appended to the \_SB scope. */
void aml_dsdt_pci(struct aml *scope, const struct acpi_pci *pci);

#endif
