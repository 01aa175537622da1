/*
 * ELF64 loader: validation of an untrusted executable and the hand-off of its
 * segments to a mapping callback. The contract (what is accepted, and what a
 * parsed image guarantees) is in elf.h.
 *
 * Trust boundary: the whole file is attacker-controlled. Headers are copied
 * out with memcpy (the buffer may have any alignment) and only after the
 * range they occupy has been checked against the file size; every sum of two
 * file-supplied values is checked for overflow before it is formed (checks
 * are written as "a <= size && b <= size - a"). Loops are bounded by
 * ELF_MAX_PHDRS and ELF_MAX_SEGMENTS. On failure *out is left zeroed, so a
 * caller that ignores the return value still sees no segments.
 */
#include "lib/elf.h"
#include "lib/format.h"
#include "lib/string.h"

/* e_ident indices and values. */
#define EI_CLASS      4
#define EI_DATA	      5
#define EI_VERSION    6
#define EI_OSABI      7
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ELFOSABI_SYSV 0
#define ELFOSABI_GNU  3
#define ET_REL	      1
#define ET_EXEC	      2
#define ET_DYN	      3
#define ET_CORE	      4
#define EM_X86_64     62
#define PT_LOAD	      1
#define PT_DYNAMIC    2
#define PT_INTERP     3
#define PT_GNU_STACK  0x6474e551u
#define PF_X	      1u
#define PF_W	      2u
#define PF_R	      4u

static int __printf(3, 4) elf_fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ERR_FORMAT;
}

static bool elf_is_pow2(uint64_t x)
{
	return x && (x & (x - 1)) == 0;
}

/* Checks the file header; *eh holds a copy of it. */
static int elf_check_ehdr(const struct elf64_ehdr *eh, size_t size, char *err, size_t errlen)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};

	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
		return elf_fail(err, errlen, "ELF: bad magic %02x %02x %02x %02x (not an ELF file)",
				eh->e_ident[0], eh->e_ident[1], eh->e_ident[2], eh->e_ident[3]);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(err, errlen,
				"ELF: class %u is not ELFCLASS64 (only 64-bit files load)",
				eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(err, errlen, "ELF: data encoding %u is not little endian",
				eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return elf_fail(err, errlen, "ELF: version %u/%u is not 1 (EV_CURRENT)",
				eh->e_ident[EI_VERSION], eh->e_version);
	if (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV && eh->e_ident[EI_OSABI] != ELFOSABI_GNU)
		return elf_fail(err, errlen, "ELF: OS ABI %u is neither System V (0) nor GNU (3)",
				eh->e_ident[EI_OSABI]);
	if (eh->e_machine != EM_X86_64)
		return elf_fail(err, errlen, "ELF: machine %u is not x86-64 (%u)", eh->e_machine,
				EM_X86_64);
	switch (eh->e_type) {
	case ET_EXEC:
		break;
	case ET_DYN:
		return elf_fail(err, errlen,
				"ELF: type ET_DYN (shared object or position-independent "
				"executable) is not supported; link with -static -no-pie");
	case ET_REL:
		return elf_fail(err, errlen,
				"ELF: type ET_REL (relocatable object) is not an "
				"executable");
	case ET_CORE:
		return elf_fail(err, errlen, "ELF: type ET_CORE (core dump) is not an executable");
	default:
		return elf_fail(err, errlen, "ELF: unknown type %u", eh->e_type);
	}
	if (eh->e_ehsize < sizeof(struct elf64_ehdr))
		return elf_fail(err, errlen, "ELF: header size %u is smaller than %zu",
				eh->e_ehsize, sizeof(struct elf64_ehdr));
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return elf_fail(err, errlen, "ELF: program header entry size %u is not %zu",
				eh->e_phentsize, sizeof(struct elf64_phdr));
	if (eh->e_phnum == 0)
		return elf_fail(err, errlen, "ELF: no program headers");
	if (eh->e_phnum > ELF_MAX_PHDRS)
		return elf_fail(err, errlen, "ELF: %u program headers (at most %d accepted)",
				eh->e_phnum, ELF_MAX_PHDRS);
	/* phnum <= 64, so the table size cannot overflow. */
	uint64_t table = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (eh->e_phoff > size || table > size - eh->e_phoff)
		return elf_fail(err, errlen,
				"ELF: program header table [0x%lx,+0x%lx) lies beyond the end of "
				"the file (size 0x%zx)",
				(unsigned long)eh->e_phoff, (unsigned long)table, size);
	return 0;
}

/* Checks one PT_LOAD entry (program header index i) on its own. */
static int elf_check_load(const struct elf64_phdr *ph, unsigned i, size_t size, char *err,
			  size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(err, errlen,
				"ELF: segment %u file size 0x%lx exceeds its memory size 0x%lx", i,
				(unsigned long)ph->p_filesz, (unsigned long)ph->p_memsz);
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return elf_fail(err, errlen,
				"ELF: segment %u file range [0x%lx,+0x%lx) lies beyond the end of "
				"the file (size 0x%zx)",
				i, (unsigned long)ph->p_offset, (unsigned long)ph->p_filesz, size);
	if (ph->p_vaddr < ELF_USER_MIN || ph->p_vaddr >= ELF_USER_TOP ||
	    ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return elf_fail(err, errlen,
				"ELF: segment %u memory range [0x%lx,+0x%lx) is outside user space "
				"[0x%llx,0x%llx)",
				i, (unsigned long)ph->p_vaddr, (unsigned long)ph->p_memsz,
				ELF_USER_MIN, ELF_USER_TOP);
	if (ph->p_align > 1) {
		if (!elf_is_pow2(ph->p_align))
			return elf_fail(err, errlen,
					"ELF: segment %u alignment 0x%lx is not a power of two", i,
					(unsigned long)ph->p_align);
		if ((ph->p_vaddr & (ph->p_align - 1)) != (ph->p_offset & (ph->p_align - 1)))
			return elf_fail(
			    err, errlen,
			    "ELF: segment %u address 0x%lx and file offset 0x%lx differ "
			    "modulo its alignment 0x%lx",
			    i, (unsigned long)ph->p_vaddr, (unsigned long)ph->p_offset,
			    (unsigned long)ph->p_align);
	}
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return elf_fail(err, errlen,
				"ELF: segment %u is both writable and executable (W^X)", i);
	return 0;
}

/* Page range of a segment; vaddr + memsz <= ELF_USER_TOP, so nothing overflows. */
static uint64_t elf_first_page(const struct elf_segment *s)
{
	return ALIGN_DOWN(s->vaddr, ELF_PAGE_SIZE);
}

static uint64_t elf_end_page(const struct elf_segment *s)
{
	return ALIGN_UP(s->vaddr + s->memsz, ELF_PAGE_SIZE);
}

static unsigned elf_prot(uint32_t flags)
{
	return ((flags & PF_R) ? ELF_R : 0) | ((flags & PF_W) ? ELF_W : 0) |
	       ((flags & PF_X) ? ELF_X : 0);
}

/* Adds a validated PT_LOAD to img unless its pages meet an earlier segment's. */
static int elf_add_segment(struct elf_image *img, const struct elf64_phdr *ph, unsigned i,
			   char *err, size_t errlen)
{
	struct elf_segment s = {
	    .vaddr = ph->p_vaddr,
	    .memsz = ph->p_memsz,
	    .offset = ph->p_offset,
	    .filesz = ph->p_filesz,
	    .prot = elf_prot(ph->p_flags),
	};
	if (s.memsz == 0)
		return 0;
	if (img->nsegs == ELF_MAX_SEGMENTS)
		return elf_fail(err, errlen, "ELF: more than %d loadable segments",
				ELF_MAX_SEGMENTS);
	for (size_t j = 0; j < img->nsegs; j++) {
		const struct elf_segment *o = &img->segs[j];
		if (elf_first_page(&s) < elf_end_page(o) && elf_first_page(o) < elf_end_page(&s))
			return elf_fail(err, errlen,
					"ELF: segment %u [0x%lx,0x%lx) shares a page with the "
					"loadable segment at [0x%lx,0x%lx)",
					i, (unsigned long)s.vaddr,
					(unsigned long)(s.vaddr + s.memsz), (unsigned long)o->vaddr,
					(unsigned long)(o->vaddr + o->memsz));
	}
	img->segs[img->nsegs++] = s;
	return 0;
}

static int elf_parse_phdrs(struct elf_image *img, const struct elf64_ehdr *eh, const uint8_t *file,
			   size_t size, char *err, size_t errlen)
{
	unsigned nload = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;
		/* In bounds: elf_check_ehdr checked the whole table against size. */
		memcpy(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		int rc;
		switch (ph.p_type) {
		case PT_LOAD:
			nload++;
			rc = elf_check_load(&ph, i, size, err, errlen);
			if (rc == 0)
				rc = elf_add_segment(img, &ph, i, err, errlen);
			if (rc)
				return rc;
			break;
		case PT_INTERP:
		case PT_DYNAMIC:
			return elf_fail(
			    err, errlen,
			    "ELF: dynamic executables are not supported (program header "
			    "%u is %s)",
			    i, ph.p_type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
		case PT_GNU_STACK:
			if (ph.p_flags & PF_X)
				return elf_fail(err, errlen,
						"ELF: executable stack requested (PT_GNU_STACK has "
						"PF_X); link with -z noexecstack");
			break;
		default:
			break; /* notes, TLS template, RELRO, ...: nothing to load */
		}
	}
	if (nload == 0 || img->nsegs == 0)
		return elf_fail(err, errlen, "ELF: no loadable segment with a non-zero size");
	return 0;
}

/* True if entry lies in the memory range of an executable segment of img. */
static bool elf_entry_ok(const struct elf_image *img, uint64_t entry)
{
	for (size_t j = 0; j < img->nsegs; j++) {
		const struct elf_segment *s = &img->segs[j];
		if ((s->prot & ELF_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

int elf_parse(struct elf_image *out, const uint8_t *file, size_t size, char *err, size_t errlen)
{
	struct elf64_ehdr eh;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = 0;
	if (size < sizeof(eh))
		return elf_fail(err, errlen,
				"ELF: file of %zu bytes is shorter than the %zu-byte "
				"header",
				size, sizeof(eh));
	memcpy(&eh, file, sizeof(eh));
	rc = elf_check_ehdr(&eh, size, err, errlen);
	if (rc == 0)
		rc = elf_parse_phdrs(out, &eh, file, size, err, errlen);
	if (rc == 0 && !elf_entry_ok(out, eh.e_entry))
		rc = elf_fail(err, errlen,
			      "ELF: entry point 0x%lx is not inside an executable loadable segment",
			      (unsigned long)eh.e_entry);
	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->entry = eh.e_entry;
	return 0;
}

int elf_load(const struct elf_image *img, const uint8_t *file, size_t size, elf_map_fn map,
	     void *ctx)
{
	if (img->nsegs > ELF_MAX_SEGMENTS)
		return -ERR_INVAL;
	/* Re-check every file range first, so a mismatched file maps nothing at all. */
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz)
			return -ERR_INVAL;
	}
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		int rc = map(ctx, s, file + s->offset, (size_t)s->filesz);
		if (rc)
			return rc;
	}
	return 0;
}
