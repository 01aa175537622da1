/*
 * ACPI discovery, part 1: the RSDP scan, RSDP validation and the walk of the
 * root table (XSDT, else RSDT) with every table header validated. The MADT
 * decoding lives in acpi_madt.c; see acpi.h for the whole contract.
 *
 * Invariants: a pointer from the read callback is used only until the next
 * call (so root-table entries are re-read one at a time after the root's
 * checksum has been verified); no byte is read before the length covering it
 * has been checked against what the callback granted; every loop is bounded
 * by a validated length or a constant. On failure out->error holds one line
 * and out->madt is zeroed.
 *
 * Policy for bad tables: a malformed RSDP, root table or MADT is fatal
 * (-ERR_FORMAT); any other table that fails validation is skipped with a
 * warning, since the kernel only needs the MADT to bring up its CPUs.
 */
#include "boot/acpi.h"
#include "console/kprintf.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define ACPI_RSDP_SIG "RSD PTR "

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

/* Writes the reason into out->error; returns -err. */
static int __printf(3, 4) acpi_fail(struct acpi_info *out, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	return -err;
}

/* A table signature as printable text ('?' for anything else), for messages. */
static void acpi_sig_text(char dst[5], const uint8_t *sig)
{
	for (int i = 0; i < 4; i++)
		dst[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? (char)sig[i] : '?';
	dst[4] = 0;
}

int acpi_find_rsdp(const uint8_t *area, size_t len, uint64_t area_paddr, uint64_t *rsdp_paddr)
{
	/* The RSDP sits on a 16-byte physical boundary; start at the first one in the area. */
	size_t off = (size_t)((16 - (area_paddr & 15)) & 15);
	for (; len >= ACPI_RSDP_V1_LEN && off <= len - ACPI_RSDP_V1_LEN; off += 16) {
		const uint8_t *p = area + off;
		if (memcmp(p, ACPI_RSDP_SIG, 8) != 0 || acpi_checksum(p, ACPI_RSDP_V1_LEN) != 0)
			continue;
		if (p[15] >= 2 && len - off >= ACPI_RSDP_V2_LEN) {
			/* Check the extended checksum when the whole RSDP lies in the area. */
			uint32_t l = get_le32(p + 20);
			if (l < ACPI_RSDP_V2_LEN || l > ACPI_RSDP_MAX_LEN)
				continue;
			if (l <= len - off && acpi_checksum(p, l) != 0)
				continue;
		}
		*rsdp_paddr = area_paddr + off;
		return 0;
	}
	return -ERR_NOENT;
}

/* Validated RSDP fields. */
struct acpi_rsdp {
	uint8_t revision;
	uint32_t rsdt;
	uint64_t xsdt; /* 0 for revision < 2 */
};

/* Where the RSDP is validated from, and how much of it is readable so far. */
struct rsdp_src {
	const uint8_t *copy; /* the boot loader's copy, or NULL: read from memory */
	uint64_t paddr;
	acpi_phys_read_fn read;
	void *ctx;
	const uint8_t *p; /* the bytes readable so far */
	size_t avail;	  /* how many */
	char where[40];	  /* how messages name it */
};

/* The first 20 bytes: readable, signature, checksum. */
static int rsdp_check_v1(struct acpi_info *out, struct rsdp_src *s)
{
	if (!s->copy) {
		if (s->paddr == 0 || !s->read)
			return acpi_fail(out, ERR_FORMAT, "no RSDP given");
		s->p = s->read(s->ctx, s->paddr, ACPI_RSDP_V1_LEN);
		if (!s->p)
			return acpi_fail(out, ERR_FORMAT, "RSDP at 0x%lx is not readable",
					 s->paddr);
		s->avail = ACPI_RSDP_V1_LEN;
	} else if (s->avail < ACPI_RSDP_V1_LEN) {
		return acpi_fail(out, ERR_FORMAT, "RSDP copy is only %zu bytes", s->avail);
	}
	if (memcmp(s->p, ACPI_RSDP_SIG, 8) != 0)
		return acpi_fail(out, ERR_FORMAT, "%s: bad signature", s->where);
	if (acpi_checksum(s->p, ACPI_RSDP_V1_LEN) != 0)
		return acpi_fail(out, ERR_FORMAT, "%s: bad checksum", s->where);
	return 0;
}

/* Revision 2+: the length field (offset 20) is past the 20 bytes checked so
 * far; the whole `length` must be readable and sum to zero. */
static int rsdp_check_v2(struct acpi_info *out, struct rsdp_src *s, struct acpi_rsdp *r)
{
	if (!s->copy) {
		s->p = s->read(s->ctx, s->paddr, ACPI_RSDP_V2_LEN);
		if (!s->p)
			return acpi_fail(out, ERR_FORMAT,
					 "RSDP at 0x%lx: its %d bytes are not readable", s->paddr,
					 ACPI_RSDP_V2_LEN);
		s->avail = ACPI_RSDP_V2_LEN;
	} else if (s->avail < ACPI_RSDP_V2_LEN) {
		return acpi_fail(out, ERR_FORMAT,
				 "RSDP copy (%zu bytes) is too short for revision %u", s->avail,
				 r->revision);
	}
	uint32_t len = get_le32(s->p + 20);
	if (len < ACPI_RSDP_V2_LEN || len > ACPI_RSDP_MAX_LEN)
		return acpi_fail(out, ERR_FORMAT, "%s: implausible length %u", s->where, len);
	if (len > s->avail && s->copy)
		return acpi_fail(out, ERR_FORMAT,
				 "RSDP copy (%zu bytes) is shorter than its length %u", s->avail,
				 len);
	if (len > s->avail) {
		s->p = s->read(s->ctx, s->paddr, len);
		if (!s->p)
			return acpi_fail(out, ERR_FORMAT,
					 "RSDP at 0x%lx: its %u bytes are not readable", s->paddr,
					 len);
	}
	if (acpi_checksum(s->p, len) != 0)
		return acpi_fail(out, ERR_FORMAT, "%s: bad extended checksum", s->where);
	r->xsdt = get_le64(s->p + 24);
	return 0;
}

/*
 * Validates the RSDP (from the copy, else from memory) into *r.
 * Trust boundary: the copy is only read within copy_len; memory only within
 * what read granted (20 bytes, then 36 for revision 2+, then the validated
 * `length` when it is longer).
 */
static int acpi_rsdp_load(struct acpi_info *out, struct acpi_rsdp *r, const uint8_t *copy,
			  size_t copy_len, uint64_t paddr, acpi_phys_read_fn read, void *ctx)
{
	struct rsdp_src s = {
	    .copy = copy, .paddr = paddr, .read = read, .ctx = ctx, .p = copy, .avail = copy_len};
	if (copy)
		ksnprintf(s.where, sizeof(s.where), "RSDP copy");
	else
		ksnprintf(s.where, sizeof(s.where), "RSDP at 0x%lx", paddr);
	int err = rsdp_check_v1(out, &s);
	if (err)
		return err;
	r->revision = s.p[15];
	r->rsdt = get_le32(s.p + 16);
	r->xsdt = 0;
	memcpy(out->oem_id, s.p + 9, 6);
	for (int i = 0; i < 6; i++)
		if (out->oem_id[i] < 0x20 || out->oem_id[i] >= 0x7f)
			out->oem_id[i] = out->oem_id[i] ? '?' : ' ';
	out->oem_id[6] = 0;
	return r->revision < 2 ? 0 : rsdp_check_v2(out, &s, r);
}

/*
 * Reads and validates the table at paddr: header readable, signature
 * (expect_sig, unless NULL), 36 <= length <= ACPI_TABLE_MAX_LEN, the whole
 * length readable, checksum. Returns the table (valid until the next read)
 * with *len and sig[] set, or NULL with out->error set. The MADT is called
 * "MADT" in messages, other tables by their signature.
 * Trust boundary: the length field is only used after the bounds check.
 */
static const uint8_t *acpi_table_load(struct acpi_info *out, uint64_t paddr, const char *expect_sig,
				      acpi_phys_read_fn read, void *ctx, uint32_t *len, char sig[5])
{
	const uint8_t *h = read(ctx, paddr, ACPI_HEADER_LEN);
	if (!h) {
		acpi_fail(out, ERR_FORMAT, "%s at 0x%lx is not readable",
			  expect_sig ? expect_sig : "table", paddr);
		return NULL;
	}
	acpi_sig_text(sig, h);
	const char *name = strcmp(sig, "APIC") == 0 ? "MADT" : sig;
	if (expect_sig && memcmp(h, expect_sig, 4) != 0) {
		acpi_fail(out, ERR_FORMAT, "%s at 0x%lx: bad signature \"%s\"", expect_sig, paddr,
			  sig);
		return NULL;
	}
	uint32_t l = get_le32(h + 4);
	if (l < ACPI_HEADER_LEN) {
		acpi_fail(out, ERR_FORMAT, "%s at 0x%lx: length %u is shorter than its header",
			  name, paddr, l);
		return NULL;
	}
	if (l > ACPI_TABLE_MAX_LEN || paddr + l < paddr) {
		acpi_fail(out, ERR_FORMAT, "%s at 0x%lx: implausible length %u", name, paddr, l);
		return NULL;
	}
	const uint8_t *t = read(ctx, paddr, l);
	if (!t) {
		acpi_fail(out, ERR_FORMAT, "%s at 0x%lx: length %u runs past readable memory", name,
			  paddr, l);
		return NULL;
	}
	if (acpi_checksum(t, l) != 0) {
		acpi_fail(out, ERR_FORMAT, "%s at 0x%lx: bad checksum", name, paddr);
		return NULL;
	}
	*len = l;
	return t;
}

/* Looks at one root-table entry: records the table, parses it if it is the MADT. */
static int acpi_visit(struct acpi_info *out, uint64_t paddr, acpi_phys_read_fn read, void *ctx,
		      bool *tables_full)
{
	uint32_t len;
	char sig[5] = "";
	const uint8_t *t = acpi_table_load(out, paddr, NULL, read, ctx, &len, sig);
	bool is_madt = strcmp(sig, "APIC") == 0;
	if (!t) {
		if (is_madt)
			return -ERR_FORMAT; /* the one table we need: fatal */
		kwarn("ACPI: %s; skipped\n", out->error);
		out->error[0] = 0;
		return 0;
	}
	if (out->table_count < ACPI_MAX_TABLES) {
		struct acpi_table_ref *ref = &out->tables[out->table_count++];
		memcpy(ref->sig, sig, sizeof(ref->sig));
		ref->paddr = paddr;
		ref->length = len;
	} else if (!*tables_full) {
		*tables_full = true;
		kwarn("ACPI: more than %d tables; only the first are recorded\n", ACPI_MAX_TABLES);
	}
	if (!is_madt)
		return 0;
	if (out->madt.found) {
		kwarn("ACPI: second MADT at 0x%lx ignored\n", paddr);
		return 0;
	}
	/* t stays valid: acpi_parse_madt reads nothing through the callback. */
	int err = acpi_parse_madt(out, t, len);
	if (err == 0)
		out->madt.paddr = paddr;
	return err;
}

static int acpi_walk(struct acpi_info *out, const uint8_t *rsdp_copy, size_t rsdp_len,
		     uint64_t rsdp_paddr, acpi_phys_read_fn read, void *ctx)
{
	struct acpi_rsdp r = {0};
	int err = acpi_rsdp_load(out, &r, rsdp_copy, rsdp_len, rsdp_paddr, read, ctx);
	if (err)
		return err;
	out->revision = r.revision;
	if (!read)
		return acpi_fail(out, ERR_FORMAT, "no way to read physical memory");

	out->xsdt = r.revision >= 2 && r.xsdt != 0;
	out->root_paddr = out->xsdt ? r.xsdt : r.rsdt;
	const char *root_sig = out->xsdt ? "XSDT" : "RSDT";
	size_t esize = out->xsdt ? 8 : 4;
	if (out->root_paddr == 0)
		return acpi_fail(out, ERR_FORMAT, "RSDP gives no RSDT or XSDT address");

	uint32_t root_len;
	char sig[5];
	if (!acpi_table_load(out, out->root_paddr, root_sig, read, ctx, &root_len, sig))
		return -ERR_FORMAT;
	size_t n = (root_len - ACPI_HEADER_LEN) / esize;
	if ((root_len - ACPI_HEADER_LEN) % esize)
		kwarn("ACPI: %s length %u is not a whole number of entries\n", root_sig, root_len);
	if (n > ACPI_MAX_ROOT_ENTRIES) {
		kwarn("ACPI: %s lists %zu tables; only the first %d are looked at\n", root_sig, n,
		      ACPI_MAX_ROOT_ENTRIES);
		n = ACPI_MAX_ROOT_ENTRIES;
	}

	bool tables_full = false;
	for (size_t i = 0; i < n; i++) {
		/* Inside the validated root table; re-read because the last pointer has expired. */
		uint64_t at = out->root_paddr + ACPI_HEADER_LEN + i * esize;
		const uint8_t *e = read(ctx, at, esize);
		if (!e)
			return acpi_fail(out, ERR_FORMAT, "%s entry %zu at 0x%lx is not readable",
					 root_sig, i, at);
		uint64_t paddr = esize == 8 ? get_le64(e) : get_le32(e);
		if (paddr == 0) {
			kwarn("ACPI: %s entry %zu is a null pointer; skipped\n", root_sig, i);
			continue;
		}
		err = acpi_visit(out, paddr, read, ctx, &tables_full);
		if (err)
			return err;
	}
	if (!out->madt.found)
		return acpi_fail(out, ERR_NOENT, "no MADT (\"APIC\" table) in the %s", root_sig);
	return 0;
}

int acpi_parse(struct acpi_info *out, const uint8_t *rsdp_copy, size_t rsdp_len,
	       uint64_t rsdp_paddr, acpi_phys_read_fn read, void *ctx)
{
	memset(out, 0, sizeof(*out));
	out->rsdp_paddr = rsdp_paddr;
	int err = acpi_walk(out, rsdp_copy, rsdp_len, rsdp_paddr, read, ctx);
	if (err)
		memset(&out->madt, 0, sizeof(out->madt)); /* never half a result */
	return err;
}

const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig)
{
	for (size_t i = 0; i < info->table_count && i < ACPI_MAX_TABLES; i++)
		if (strncmp(info->tables[i].sig, sig, 4) == 0)
			return &info->tables[i];
	return NULL;
}

uint32_t acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq, uint16_t *flags)
{
	const struct acpi_madt *m = &info->madt;
	for (size_t i = 0; i < m->override_count && i < ACPI_MAX_OVERRIDES; i++) {
		const struct acpi_override *o = &m->overrides[i];
		if (o->bus == 0 && o->source_irq == isa_irq) {
			if (flags)
				*flags = o->flags;
			return o->gsi;
		}
	}
	if (flags)
		*flags = 0;
	return isa_irq;
}
