/*
 * t_badelf: orb_spawn refuses malformed ELF images and creates nothing.
 *
 * Run as init (`test=user init=t_badelf`). Starts from a good program of the
 * boot archive (bin/hello; this program itself when there is none), copies it
 * into a buffer and breaks one thing per case: truncation (in the header, the
 * program headers, a segment's data), header fields (magic, class, byte
 * order, machine, type, phnum, phentsize, phoff), segments (overlapping,
 * duplicated, filesz > memsz, absurd and wrapping sizes and offsets, W+X,
 * kernel-half / null-page / non-canonical / top-crossing addresses, bad
 * alignment), the entry point (outside every segment, in a non-executable
 * one, in the kernel half) and a PT_INTERP. Each must make orb_spawn return
 * -ERR_FORMAT with SYS_SYSINFO's process count, thread count and free memory
 * unchanged around the call. The good image spawns and exits 0 before and
 * after, and so does a copy whose program headers were moved to the end of
 * the file (the technique the cases that add a program header rely on).
 *
 * The ELF structures are declared here from the System V gABI: this program is
 * the loader's adversary and must not share its definitions.
 */
#include <stdlib.h>
#include "t_check.h"

struct t_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct t_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

_Static_assert(sizeof(struct t_ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct t_phdr) == 56, "ELF64 program header");

#define T_PT_LOAD   1u
#define T_PT_INTERP 3u
#define T_PF_X	    1u
#define T_PF_W	    2u
#define T_SLACK	    8192 /* room for a moved program header table */

/* The good image, what the cases need to know of it, and the buffer they break. */
static const uint8_t *t_good;
static size_t t_good_size;
static const char *t_good_name;
static uint8_t *t_buf;
static int t_exec = -1, t_data = -1, t_last = -1; /* PT_LOAD indices */
static uint64_t t_lo = ~0ull, t_hi;		  /* lowest and highest segment address */

static struct t_ehdr *t_eh(void)
{
	return (struct t_ehdr *)(void *)t_buf;
}

static struct t_phdr *t_ph(int i)
{
	return (struct t_phdr *)(void *)(t_buf + t_eh()->phoff + (size_t)i * sizeof(struct t_phdr));
}

/* Moves the program header table to the end of the file with one more (PT_NULL) entry;
 * returns the new size. */
static size_t t_move_phdrs(size_t size)
{
	struct t_ehdr *eh = t_eh();
	size_t off = (size + 7) & ~(size_t)7, len = (size_t)eh->phnum * sizeof(struct t_phdr);

	memcpy(t_buf + off, t_buf + eh->phoff, len);
	memset(t_buf + off + len, 0, sizeof(struct t_phdr));
	eh->phoff = off;
	eh->phnum++;
	return off + len + sizeof(struct t_phdr);
}

/* Learns the good image's layout. False when it is not what the cases need. */
static bool t_study(void)
{
	const struct t_ehdr *eh = (const struct t_ehdr *)(const void *)t_buf;
	uint64_t last_end = 0;

	if (t_good_size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) != 0 ||
	    eh->phentsize != sizeof(struct t_phdr) || eh->phnum > 64 ||
	    eh->phoff + (uint64_t)eh->phnum * sizeof(struct t_phdr) > t_good_size)
		return false;
	for (int i = 0; i < eh->phnum; i++) {
		const struct t_phdr *ph = t_ph(i);
		if (ph->type != T_PT_LOAD || ph->memsz == 0)
			continue;
		if ((ph->flags & T_PF_X) && t_exec < 0)
			t_exec = i;
		if (!(ph->flags & T_PF_X) && (t_data < 0 || (ph->flags & T_PF_W)))
			t_data = i;
		if (ph->filesz && ph->offset + ph->filesz >= last_end) {
			last_end = ph->offset + ph->filesz;
			t_last = i;
		}
		if (ph->vaddr < t_lo)
			t_lo = ph->vaddr;
		if (ph->vaddr + ph->memsz > t_hi)
			t_hi = ph->vaddr + ph->memsz;
	}
	return t_exec >= 0 && t_data >= 0 && t_last >= 0;
}

static long t_spawn_buf(size_t size, cap_handle_t *proc)
{
	const char *argv[3] = {t_good_name, "good", NULL};
	struct orb_spawn_args a;

	memset(&a, 0, sizeof(a));
	a.name = t_good_name;
	a.elf = t_buf;
	a.elf_size = size;
	a.argv = argv;
	a.prio = T_PRIO;
	return orb_spawn(&a, proc);
}

/* A good image (from t_buf) spawns and exits 0. */
static bool t_check_good(const char *what, size_t size)
{
	cap_handle_t proc = 0;
	long r = t_spawn_buf(size, &proc), st = -1;

	if (r == 0)
		st = t_wait_and_drop(proc);
	T_CHECK(r == 0 && st == 0, "%s: orb_spawn = %ld (%s), exit status %ld (want 0, 0)", what, r,
		t_errname(r), st);
	t_settle(); /* the kernel finishes tearing the child down */
	return r == 0 && st == 0;
}

enum t_case {
	C_EMPTY,
	C_TRUNC_EHDR,
	C_TRUNC_PHDRS,
	C_TRUNC_DATA,
	C_MAGIC,
	C_CLASS32,
	C_BIGENDIAN,
	C_MACHINE,
	C_TYPE_REL,
	C_TYPE_CORE,
	C_PHNUM0,
	C_PHNUM_MAX,
	C_PHENTSIZE,
	C_PHOFF_PAST,
	C_PHOFF_WRAP,
	C_OVERLAP,
	C_DUPLICATE,
	C_ENTRY_BELOW,
	C_ENTRY_ABOVE,
	C_ENTRY_DATA,
	C_ENTRY_KERNEL,
	C_FILESZ_GT_MEMSZ,
	C_MEMSZ_HUGE,
	C_MEMSZ_WRAP,
	C_OFFSET_PAST,
	C_OFFSET_WRAP,
	C_FILESZ_PAST,
	C_WX,
	C_VADDR_KERNEL,
	C_VADDR_NULL,
	C_VADDR_TOP,
	C_VADDR_NONCANON,
	C_ALIGN_NOT_POW2,
	C_ALIGN_INCONGRUENT,
	C_INTERP,
	C_COUNT
};

static const char *const t_case_names[C_COUNT] = {
    "empty file",
    "truncated inside the ELF header (32 bytes)",
    "truncated inside the program headers",
    "truncated inside a segment's data",
    "bad magic",
    "ELFCLASS32",
    "big endian",
    "machine 3 (i386)",
    "type ET_REL",
    "type ET_CORE",
    "e_phnum 0",
    "e_phnum 0xffff",
    "e_phentsize 32",
    "e_phoff past the end of the file",
    "e_phoff + table wrapping around 2^64",
    "two PT_LOADs sharing a page",
    "the executable PT_LOAD twice",
    "entry below every segment",
    "entry past every segment",
    "entry in a non-executable segment",
    "entry in the kernel half",
    "p_filesz > p_memsz",
    "p_memsz 2^62",
    "p_vaddr + p_memsz wrapping around 2^64",
    "p_offset past the end",
    "p_offset + p_filesz wrapping around 2^64",
    "p_filesz running past the end of the file",
    "a writable and executable segment",
    "p_vaddr in the kernel half",
    "p_vaddr in the null page",
    "segment crossing the top of user space",
    "non-canonical p_vaddr",
    "p_align 0x3000 (not a power of two)",
    "p_vaddr and p_offset incongruent modulo p_align",
    "a PT_INTERP (dynamic linking)",
};

/* Breaks t_buf (a fresh copy of the good image) the way case c says; the new size. */
static size_t t_break(enum t_case c, size_t size)
{
	struct t_ehdr *eh = t_eh();
	struct t_phdr *x = t_ph(t_exec), *d = t_ph(t_data), *l = t_ph(t_last), *n;
	uint64_t dpage = d->offset & 0xfff; /* keeps p_vaddr == p_offset modulo the page */

	switch (c) {
	case C_EMPTY:
		return 0;
	case C_TRUNC_EHDR:
		return 32;
	case C_TRUNC_PHDRS:
		return eh->phoff + (size_t)eh->phnum * sizeof(struct t_phdr) - 1;
	case C_TRUNC_DATA:
		return l->offset + l->filesz - 1;
	case C_MAGIC:
		t_buf[1] = 'X';
		break;
	case C_CLASS32:
		t_buf[4] = 1;
		break;
	case C_BIGENDIAN:
		t_buf[5] = 2;
		break;
	case C_MACHINE:
		eh->machine = 3;
		break;
	case C_TYPE_REL:
		eh->type = 1;
		break;
	case C_TYPE_CORE:
		eh->type = 4;
		break;
	case C_PHNUM0:
		eh->phnum = 0;
		break;
	case C_PHNUM_MAX:
		eh->phnum = 0xffff;
		break;
	case C_PHENTSIZE:
		eh->phentsize = 32;
		break;
	case C_PHOFF_PAST:
		eh->phoff = size + 64;
		break;
	case C_PHOFF_WRAP:
		eh->phoff = ~0ull - 15;
		break;
	case C_OVERLAP:
		/* The data segment moved onto the executable one's first page (same offset
		 * modulo the page, so only the overlap is wrong). */
		d->vaddr = (x->vaddr & ~0xfffull) | dpage;
		d->align = 0x1000;
		break;
	case C_DUPLICATE:
		size = t_move_phdrs(size);
		n = t_ph(t_eh()->phnum - 1);
		*n = *t_ph(t_exec);
		break;
	case C_ENTRY_BELOW:
		eh->entry = t_lo - 0x1000;
		break;
	case C_ENTRY_ABOVE:
		eh->entry = ((t_hi + 0xfff) & ~0xfffull) + 0x10000;
		break;
	case C_ENTRY_DATA:
		eh->entry = d->vaddr;
		break;
	case C_ENTRY_KERNEL:
		eh->entry = 0xffffffff80001000ull;
		break;
	case C_FILESZ_GT_MEMSZ:
		d->filesz = d->memsz + 1;
		break;
	case C_MEMSZ_HUGE:
		d->memsz = 1ull << 62;
		break;
	case C_MEMSZ_WRAP:
		d->memsz = 0 - d->vaddr + 0x1000;
		break;
	case C_OFFSET_PAST:
		d->offset = ((size + 0x10000) & ~0xfffull) | dpage;
		break;
	case C_OFFSET_WRAP:
		d->offset = 0xfffffffffffff000ull | dpage;
		d->filesz = 0x2000;
		d->memsz = d->memsz > 0x2000 ? d->memsz : 0x2000;
		break;
	case C_FILESZ_PAST:
		d->filesz = size;
		d->memsz = d->memsz > size ? d->memsz : size;
		break;
	case C_WX:
		x->flags |= T_PF_W;
		break;
	case C_VADDR_KERNEL:
		d->vaddr = 0xffffffff80000000ull | dpage;
		break;
	case C_VADDR_NULL:
		d->vaddr = dpage;
		break;
	case C_VADDR_TOP:
		d->vaddr = (ORB_USER_TOP - 0x1000) | dpage;
		d->memsz = d->memsz > 0x2000 ? d->memsz : 0x2000;
		break;
	case C_VADDR_NONCANON:
		d->vaddr = 0x0000800000000000ull | dpage;
		break;
	case C_ALIGN_NOT_POW2:
		d->align = 0x3000;
		break;
	case C_ALIGN_INCONGRUENT:
		d->align = 0x1000;
		d->vaddr += 0x10;
		break;
	case C_INTERP:
		size = t_move_phdrs(size);
		n = t_ph(t_eh()->phnum - 1);
		n->type = T_PT_INTERP;
		n->flags = 4;
		n->offset = 0;
		n->filesz = n->memsz = 8;
		n->align = 1;
		break;
	case C_COUNT:
		break;
	}
	return size;
}

static void t_check_case(enum t_case c, bool moved_ok)
{
	struct orb_sysinfo before, after;
	cap_handle_t proc = 0;
	size_t size;
	long r;

	if ((c == C_DUPLICATE || c == C_INTERP) && !moved_ok) {
		printf("skip: %s (needs moved program headers, which did not load)\n",
		       t_case_names[c]);
		return;
	}
	memcpy(t_buf, t_good, t_good_size);
	size = t_break(c, t_good_size);

	before = t_settle();
	r = t_spawn_buf(size, &proc);
	after = t_sysinfo();

	T_CHECK(r == -ERR_FORMAT && after.nprocs == before.nprocs &&
		    after.nthreads == before.nthreads && after.mem_free == before.mem_free,
		"%s (%llu bytes): orb_spawn = %ld (%s) (want %d (FORMAT)); processes %u -> %u, "
		"threads %u -> %u, free memory %llu -> %llu",
		t_case_names[c], (unsigned long long)size, r, t_errname(r), -ERR_FORMAT,
		before.nprocs, after.nprocs, before.nthreads, after.nthreads, before.mem_free,
		after.mem_free);
	if (r >= 0) {
		orb_proc_kill(proc);
		t_wait_and_drop(proc);
	}
}

int main(int argc, char **argv)
{
	bool moved_ok;

	if (t_role_is(argc, argv, "good"))
		return 0; /* the fallback good image: this program, run as a child */

	t_good_name = "hello";
	t_good = t_find_prog("hello", &t_good_size);
	if (!t_good) {
		t_good_name = "t_badelf";
		t_good = t_find_prog("t_badelf", &t_good_size);
	}
	T_CHECK(t_good != NULL, "good image: bin/%s, %llu bytes", t_good_name,
		(unsigned long long)t_good_size);
	if (!t_good)
		return t_finish("t_badelf");
	t_buf = malloc(t_good_size + T_SLACK);
	T_CHECK(t_buf != NULL, "buffer of %llu bytes", (unsigned long long)(t_good_size + T_SLACK));
	if (!t_buf)
		return t_finish("t_badelf");
	memcpy(t_buf, t_good, t_good_size);
	T_CHECK(t_study(),
		"the good image has an executable and a data PT_LOAD (exec %d, data %d, "
		"last %d)",
		t_exec, t_data, t_last);
	if (t_exec < 0 || t_data < 0 || t_last < 0)
		return t_finish("t_badelf");

	/* Controls: the good image, and the same with its program headers moved. */
	t_check_good("the good image spawns", t_good_size);
	memset(t_buf + t_good_size, 0, T_SLACK);
	moved_ok = t_check_good("the good image with program headers moved to the end",
				t_move_phdrs(t_good_size));

	for (int c = 0; c < C_COUNT; c++)
		t_check_case((enum t_case)c, moved_ok);

	memcpy(t_buf, t_good, t_good_size);
	t_check_good("the good image still spawns afterwards", t_good_size);
	free(t_buf);
	return t_finish("t_badelf");
}
