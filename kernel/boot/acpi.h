/*
 * ACPI discovery: the RSDP, the root table (XSDT or RSDT) and the MADT.
 *
 * This is a small table parser of our own, portable C with no x86 in it, so
 * the host tests and the fuzzer run exactly the code the kernel runs. It
 * finds the RSDP (acpi_find_rsdp, over BIOS areas the caller has mapped),
 * validates it, walks the XSDT (ACPI 2.0+) or else the RSDT, validates every
 * table header it reaches (signature, 36 <= length <= ACPI_TABLE_MAX_LEN,
 * readable, checksum), records which tables exist, and decodes the MADT
 * ("APIC") into struct acpi_info: local APICs, I/O APICs, interrupt source
 * overrides and local APIC NMI inputs. It does not interpret AML, the FADT
 * or any other table; the kernel looks those up by signature if it needs them.
 *
 * Trust: firmware tables are input, never trusted. Physical memory is only
 * reached through the caller's acpi_phys_read_fn, which refuses ranges it
 * cannot map; a pointer it returns is used only until the next call (the
 * callback may reuse one mapping window). Every length is checked before the
 * bytes it covers are read, every loop is bounded by a validated length, and
 * a malformed RSDP, root table or MADT makes acpi_parse() return -ERR_FORMAT
 * with a one-line reason in acpi_info.error (the kernel prints "ACPI: <reason>;
 * falling back to one CPU"). Other tables that fail validation are skipped
 * with a warning. Capacity limits (ACPI_MAX_*) are not errors: the extra
 * entries are dropped with a warning.
 */
#ifndef ORB_BOOT_ACPI_H
#define ORB_BOOT_ACPI_H

#include "lib/types.h"

#define ACPI_MAX_TABLES	      32   /* table signatures recorded from the root table */
#define ACPI_MAX_ROOT_ENTRIES 1024 /* root-table entries looked at; the rest are ignored */
#define ACPI_MAX_CPUS	      256
#define ACPI_MAX_IOAPICS      16
#define ACPI_MAX_OVERRIDES    48
#define ACPI_MAX_NMIS	      16
#define ACPI_TABLE_MAX_LEN    0x100000u /* 1 MiB: any longer table is treated as corrupt */
#define ACPI_ERROR_MAX	      160

#define ACPI_HEADER_LEN	  36  /* the standard System Description Table header */
#define ACPI_RSDP_V1_LEN  20  /* ACPI 1.0 RSDP: checksum covers these bytes */
#define ACPI_RSDP_V2_LEN  36  /* ACPI 2.0+ RSDP: the extended checksum covers `length` */
#define ACPI_RSDP_MAX_LEN 256 /* an RSDP claiming more is treated as corrupt */

/* MADT flags (acpi_madt.flags). */
#define ACPI_MADT_PCAT_COMPAT 0x1u /* a legacy 8259 pair is present (mask it) */

/* Local APIC / x2APIC flags (acpi_cpu.flags). */
#define ACPI_CPU_ENABLED	0x1u /* usable now: start it */
#define ACPI_CPU_ONLINE_CAPABLE 0x2u /* disabled now, may be enabled at run time */

/*
 * MPS INTI flags, as in interrupt source overrides and NMI entries. A field of
 * 0 means "conforms to the bus": for ISA, active high and edge triggered.
 */
#define ACPI_INTI_POLARITY_MASK	   0x3u
#define ACPI_INTI_POLARITY_CONFORM 0x0u
#define ACPI_INTI_POLARITY_HIGH	   0x1u
#define ACPI_INTI_POLARITY_LOW	   0x3u
#define ACPI_INTI_TRIGGER_MASK	   0xcu
#define ACPI_INTI_TRIGGER_CONFORM  0x0u
#define ACPI_INTI_TRIGGER_EDGE	   0x4u
#define ACPI_INTI_TRIGGER_LEVEL	   0xcu

/* acpi_nmi.acpi_id value meaning "every processor" (0xff in type 4, 0xffffffff in type 10). */
#define ACPI_NMI_ALL_CPUS 0xffffffffu

/*
 * Reads len bytes of physical memory at paddr: returns a pointer to them, or
 * NULL if the range is not readable. The pointer need only stay valid until
 * the next call (same contract as boot_phys_read_fn).
 */
typedef const void *(*acpi_phys_read_fn)(void *ctx, uint64_t paddr, size_t len);

/* A table found through the root table (header validated, checksum correct). */
struct acpi_table_ref {
	char sig[5];	 /* signature, NUL-terminated ("APIC", "FACP", ...) */
	uint64_t paddr;	 /* physical address of its header */
	uint32_t length; /* its length in bytes, header included */
};

/*
 * A processor from a Processor Local APIC (type 0) or Processor Local x2APIC
 * (type 9) entry. Entries with neither ENABLED nor ONLINE_CAPABLE set must
 * not be used (ACPI 6.3 5.2.12.2) and are not recorded; duplicate APIC ids
 * are dropped with a warning.
 */
struct acpi_cpu {
	uint32_t acpi_id; /* ACPI processor id (type 0) or processor UID (type 9) */
	uint32_t apic_id; /* local APIC id (8 bits from type 0, 32 from type 9) */
	uint32_t flags;	  /* ACPI_CPU_ENABLED, ACPI_CPU_ONLINE_CAPABLE */
	bool x2apic;	  /* came from a type 9 entry */
};

/* An I/O APIC (type 1): its registers are at `address`, its inputs are GSIs gsi_base.. */
struct acpi_ioapic {
	uint8_t id;	   /* I/O APIC id */
	uint32_t address;  /* physical address of its register window */
	uint32_t gsi_base; /* global system interrupt of its input 0 */
};

/* An interrupt source override (type 2): bus IRQ source_irq arrives on GSI gsi. */
struct acpi_override {
	uint8_t bus;	    /* 0 = ISA (the only bus ACPI defines) */
	uint8_t source_irq; /* the bus-relative IRQ (ISA IRQ 0-15) */
	uint32_t gsi;	    /* the global system interrupt it is wired to */
	uint16_t flags;	    /* ACPI_INTI_* polarity and trigger */
};

/* A local APIC NMI input (type 4 or type 10). */
struct acpi_nmi {
	uint32_t acpi_id; /* processor it applies to, or ACPI_NMI_ALL_CPUS */
	uint16_t flags;	  /* ACPI_INTI_* polarity and trigger */
	uint8_t lint;	  /* which LINT pin: 0 or 1 (others are rejected) */
	bool x2apic;	  /* came from a type 10 entry (acpi_id is a processor UID) */
};

/* What the MADT says. Zeroed unless the whole table was valid. */
struct acpi_madt {
	bool found;	     /* a valid MADT was parsed */
	uint64_t paddr;	     /* its physical address */
	uint64_t lapic_addr; /* local APIC registers (the type 5 override if present) */
	uint32_t flags;	     /* ACPI_MADT_PCAT_COMPAT */

	struct acpi_cpu cpus[ACPI_MAX_CPUS]; /* in table order (the BSP is usually first) */
	size_t cpu_count;
	size_t cpus_enabled; /* how many of cpus[] have ACPI_CPU_ENABLED */

	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	size_t ioapic_count;

	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	size_t override_count;

	struct acpi_nmi nmis[ACPI_MAX_NMIS];
	size_t nmi_count;

	size_t dropped; /* entries dropped for capacity, duplicates or bad values (warned) */
};

struct acpi_info {
	uint64_t rsdp_paddr; /* where the RSDP is (0 if only a copy was given) */
	uint8_t revision;    /* RSDP revision: 0 = ACPI 1.0, 2 = ACPI 2.0+ */
	char oem_id[7];	     /* RSDP OEM id, NUL-terminated */
	bool xsdt;	     /* the root table walked was the XSDT (else the RSDT) */
	uint64_t root_paddr; /* physical address of that root table */

	struct acpi_table_ref tables[ACPI_MAX_TABLES]; /* valid tables, in root-table order */
	size_t table_count;

	struct acpi_madt madt;

	char error[ACPI_ERROR_MAX]; /* why acpi_parse failed; empty on success */
};

/*
 * Scans area (len bytes mapped from physical area_paddr) at 16-byte physical
 * boundaries for "RSD PTR " with a valid ACPI 1.0 checksum (and, for revision
 * >= 2 when the whole structure lies in the area, a valid extended checksum).
 * Candidates that fail are skipped. The BIOS areas to scan are the first KiB
 * of the EBDA and 0xE0000-0xFFFFF. Returns 0 with *rsdp_paddr set, or
 * -ERR_NOENT.
 */
int acpi_find_rsdp(const uint8_t *area, size_t len, uint64_t area_paddr, uint64_t *rsdp_paddr);

/*
 * Parses the ACPI tables into *out (cleared first). The RSDP is taken from
 * rsdp_copy (rsdp_len bytes, e.g. the copy a Multiboot2 loader gave) when it
 * is non-NULL, else read at rsdp_paddr through read. Returns 0; -ERR_FORMAT
 * when the RSDP, the root table or the MADT is malformed; -ERR_NOENT when the
 * tables are valid but there is no MADT. On failure out->error holds the
 * reason and out->madt is zeroed.
 */
int acpi_parse(struct acpi_info *out, const uint8_t *rsdp_copy, size_t rsdp_len,
	       uint64_t rsdp_paddr, acpi_phys_read_fn read, void *ctx);

/*
 * Decodes one MADT already read and checksum-validated (table: len bytes,
 * header included) into out->madt. Called by acpi_parse; exposed for tests
 * and the fuzzer. Returns 0, or -ERR_FORMAT with out->error set and out->madt
 * zeroed.
 */
int acpi_parse_madt(struct acpi_info *out, const uint8_t *table, size_t len);

/* The table with signature sig ("HPET"), or NULL if absent. */
const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig);

/*
 * The GSI that ISA IRQ isa_irq arrives on, applying the MADT's interrupt
 * source overrides for bus 0 (identity when none applies). When flags is not
 * NULL it receives the override's ACPI_INTI_* flags (0, i.e. ISA's edge /
 * active high, when none applies).
 */
uint32_t acpi_irq_to_gsi(const struct acpi_info *info, uint8_t isa_irq, uint16_t *flags);

/* Sum of len bytes modulo 256: a valid ACPI structure sums to 0. */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

/* --- Soft-off (acpi_sleep.c) -------------------------------------------- */

/*
 * How to enter S5: write (SLP_TYPx << 10) | (1 << 13) to the PM1x control
 * ports; on a hardware-reduced ACPI machine (ACPI 5+, FADT flag
 * HW_REDUCED_ACPI, no PM1 blocks: orbvm, Firecracker) write the byte
 * (SLP_TYPa << 2) | (1 << 5) to the sleep control register instead.
 */
struct acpi_s5 {
	bool found;
	uint32_t pm1a_cnt, pm1b_cnt; /* I/O ports (pm1b 0: none); 0 when hardware-reduced */
	uint32_t sleep_ctl;	     /* the sleep control register's I/O port, or 0 */
	uint8_t slp_typa, slp_typb;
};

/* The FADT's IAPC_BOOT_ARCH flags (ACPI 2.0+; a revision-1 FADT has none). */
#define ACPI_BOOT_8042	 (1u << 1) /* an i8042 keyboard controller is present */
#define ACPI_BOOT_NO_VGA (1u << 2) /* there is no VGA: do not touch its memory or ports */

/* Reads them from a FADT image: 0 with *flags set, -ERR_NOENT for a revision-1
 * FADT (the field did not exist), -ERR_FORMAT if it is too short. */
int acpi_fadt_boot_flags(const uint8_t *fadt, size_t fadt_len, uint16_t *flags);

/* Finds the \_S5 package in a DSDT image: 0, or -ERR_NOENT if it is absent
 * or not a plain package of small integers. */
int acpi_s5_from_dsdt(const uint8_t *dsdt, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

/* From the FADT (and the DSDT it names, read through `read`): 0 with *out
 * filled, or -ERR_FORMAT / -ERR_NOENT. */
int acpi_parse_s5(const uint8_t *fadt, size_t fadt_len, acpi_phys_read_fn read, void *ctx,
		  struct acpi_s5 *out);

#endif
