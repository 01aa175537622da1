/*
 * ELF program-header parser for direct kernel boot; see elf.h.
 *
 * Trust boundary: the kernel file is untrusted (also fuzzed by
 * tests/fuzz/fuzz_kimage.c). Every offset and size read from it is compared
 * with the file length, in 64-bit arithmetic written so that no sum can
 * wrap, before any byte at that offset is read.
 */
#include <string.h>

#include "../err.h"
#include "elf.h"
#include "le.h"

#define PT_LOAD 1
#define PT_NOTE 4

/* The layout of one class's header and program headers. */
struct elf_class {
	unsigned ehdr_size, phdr_min, word;		 /* word: 4 or 8 */
	unsigned e_entry, e_phoff, e_phentsize, e_phnum; /* header field offsets */
	unsigned p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
};

static const struct elf_class elf32 = {52, 32, 4, 24, 28, 42, 44, 4, 8, 12, 16, 20};
static const struct elf_class elf64 = {64, 56, 8, 24, 32, 54, 56, 8, 16, 24, 32, 40};

/* True if [off, off + size) lies inside a file of len bytes. */
static bool elf_inside(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

bool elf_is_elf(const uint8_t *img, size_t len)
{
	return len >= 4 && memcmp(img,
				  "\x7f"
				  "ELF",
				  4) == 0;
}

/* Identification, machine and type; picks the class layout. */
static int elf_identify(const uint8_t *img, size_t len, const struct elf_class **cls)
{
	if (len < 16)
		return err_set(ERR_FORMAT, "truncated ELF file (%zu bytes)", len);
	if (img[4] != 1 && img[4] != 2)
		return err_set(ERR_FORMAT, "ELF file has an unknown class %u", img[4]);
	*cls = img[4] == 2 ? &elf64 : &elf32;
	if (len < (*cls)->ehdr_size)
		return err_set(ERR_FORMAT,
			       "truncated ELF file: the header needs %u bytes, the "
			       "file has %zu",
			       (*cls)->ehdr_size, len);
	if (img[5] != 1 || img[6] != 1)
		return err_set(ERR_FORMAT, "ELF file is not little-endian version 1");
	unsigned machine = (unsigned)le_get(img, 18, 2), type = (unsigned)le_get(img, 16, 2);
	if (machine != 3 && machine != 62)
		return err_set(ERR_FORMAT, "ELF file is for machine %u, not x86", machine);
	if (type != 2)
		return err_set(ERR_FORMAT, "ELF file is not an executable (type %u)", type);
	return 0;
}

/* Walks the notes of one PT_NOTE (file range already checked) for the PVH entry. */
static int elf_notes(const uint8_t *img, uint64_t off, uint64_t size, struct elf_info *out)
{
	uint64_t pos = 0;
	while (size - pos >= 12) {
		uint64_t namesz = le32(img, off + pos), descsz = le32(img, off + pos + 4);
		uint32_t type = le32(img, off + pos + 8);
		uint64_t name_room = (namesz + 3) & ~3ull, desc_room = (descsz + 3) & ~3ull;
		pos += 12;
		if (name_room > size - pos || desc_room > size - pos - name_room)
			return err_set(ERR_FORMAT,
				       "ELF note at file offset 0x%llx runs past its "
				       "segment",
				       (unsigned long long)(off + pos - 12));
		const uint8_t *name = img + off + pos, *desc = name + name_room;
		if (type == ELF_NOTE_PHYS32_ENTRY && namesz == 4 && memcmp(name, "Xen", 4) == 0) {
			if (descsz != 4 && descsz != 8)
				return err_set(ERR_FORMAT,
					       "PVH note has a %llu-byte entry (need 4 or "
					       "8)",
					       (unsigned long long)descsz);
			out->has_pvh = true;
			out->pvh_entry = le_get(desc, 0, (unsigned)descsz);
		}
		pos += name_room + desc_room;
	}
	return 0;
}

/* One program header: a PT_LOAD is recorded, a PT_NOTE searched. */
static int elf_phdr(const uint8_t *img, size_t len, const struct elf_class *c, const uint8_t *ph,
		    struct elf_info *out)
{
	uint32_t type = le32(ph, 0);
	uint64_t off = le_get(ph, c->p_offset, c->word), filesz = le_get(ph, c->p_filesz, c->word);
	if (type != PT_LOAD && type != PT_NOTE)
		return 0;
	if (!elf_inside(off, filesz, len))
		return err_set(ERR_FORMAT,
			       "truncated ELF file: a %s segment needs bytes 0x%llx+0x%llx, "
			       "the file has 0x%zx",
			       type == PT_LOAD ? "PT_LOAD" : "PT_NOTE", (unsigned long long)off,
			       (unsigned long long)filesz, len);
	if (type == PT_NOTE)
		return elf_notes(img, off, filesz, out);
	struct elf_load l = {.paddr = le_get(ph, c->p_paddr, c->word),
			     .vaddr = le_get(ph, c->p_vaddr, c->word),
			     .file_off = off,
			     .filesz = filesz,
			     .memsz = le_get(ph, c->p_memsz, c->word)};
	if (l.memsz == 0)
		return 0;
	if (l.filesz > l.memsz)
		return err_set(ERR_FORMAT,
			       "ELF segment at 0x%llx has more file bytes than memory "
			       "bytes",
			       (unsigned long long)l.paddr);
	if (l.paddr >= (1ull << 32) || l.memsz > (1ull << 32) - l.paddr)
		return err_set(ERR_FORMAT,
			       "ELF segment at physical 0x%llx (0x%llx bytes) reaches "
			       "past 4 GiB",
			       (unsigned long long)l.paddr, (unsigned long long)l.memsz);
	if (out->nloads == ELF_MAX_LOADS)
		return err_set(ERR_FORMAT, "ELF file has more than %d loadable segments",
			       ELF_MAX_LOADS);
	out->loads[out->nloads++] = l;
	return 0;
}

int elf_parse(const uint8_t *img, size_t len, struct elf_info *out)
{
	const struct elf_class *c = &elf32;
	memset(out, 0, sizeof(*out));
	if (!elf_is_elf(img, len))
		return err_set(ERR_FORMAT, "not an ELF file");
	int r = elf_identify(img, len, &c);
	if (r < 0)
		return r;
	out->is64 = c == &elf64;
	out->entry = le_get(img, c->e_entry, c->word);
	uint64_t phoff = le_get(img, c->e_phoff, c->word);
	unsigned phentsize = (unsigned)le_get(img, c->e_phentsize, 2);
	unsigned phnum = (unsigned)le_get(img, c->e_phnum, 2);
	if (phnum == 0 || phnum > ELF_MAX_PHDRS || phentsize < c->phdr_min)
		return err_set(ERR_FORMAT, "ELF file has %u program headers of %u bytes", phnum,
			       phentsize);
	if (!elf_inside(phoff, (uint64_t)phnum * phentsize, len))
		return err_set(ERR_FORMAT,
			       "truncated ELF file: the program headers lie outside it");
	for (unsigned i = 0; i < phnum; i++)
		if ((r = elf_phdr(img, len, c, img + phoff + (uint64_t)i * phentsize, out)) < 0)
			return r;
	if (out->nloads == 0)
		return err_set(ERR_FORMAT, "ELF file has no loadable segment");
	return 0;
}
