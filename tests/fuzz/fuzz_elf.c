/*
 * libFuzzer target for the ELF64 loader (lib/elf.c).
 *
 * Two input modes, by the first byte:
 *   0x7f   the input is the file itself (the seeds in tests/fuzz/corpus/elf/
 *          are small executables linked by gcc, see elf.mk);
 *   other  the input describes a file that synth_build() lays out: a valid
 *          ELF header and program headers whose fields are picked from
 *          boundary values (user-space limits, page edges, the previous
 *          segment's end, the file's size) plus a small signed delta, so
 *          off-by-one cases are a byte flip away from a valid file (seeds
 *          syn_*.bin).
 * Either way the file is a heap block of exactly its size (ASan catches any
 * over-read). When it is accepted, elf_load() runs with a map callback that
 * aborts unless the segment it is given keeps the promises of elf.h: its
 * bytes lie inside the file (and are all read), its memory inside
 * [ELF_USER_MIN, ELF_USER_TOP) without overflow, never W+X, filesz <= memsz.
 * The image is checked as a whole too (segment count, disjoint pages, entry
 * in an executable segment); a refusal must leave the image empty and an
 * "ELF: " message. The last input byte picks a map call to fail (or none), to
 * check that the error comes back and nothing further is mapped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "lib/elf.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

struct fuzz_ctx {
	const uint8_t *file;
	size_t size;
	unsigned calls;
	unsigned fail_at; /* 1-based; 0: never */
	unsigned sum;
};

static void check_segment(const struct elf_segment *s, size_t size)
{
	CHECK(s->memsz > 0);
	CHECK(s->filesz <= s->memsz);
	CHECK(s->offset <= size && s->filesz <= size - s->offset);
	CHECK(s->vaddr >= ELF_USER_MIN && s->vaddr < ELF_USER_TOP);
	CHECK(s->memsz <= ELF_USER_TOP - s->vaddr);
	CHECK(!((s->prot & ELF_W) && (s->prot & ELF_X)));
	CHECK((s->prot & ~(ELF_R | ELF_W | ELF_X)) == 0);
}

static int fuzz_map(void *ctx, const struct elf_segment *seg, const uint8_t *data, size_t filesz)
{
	struct fuzz_ctx *c = ctx;
	check_segment(seg, c->size);
	CHECK(filesz == seg->filesz);
	CHECK(data == c->file + seg->offset);
	/* Every byte handed over must be readable file data. */
	for (size_t i = 0; i < filesz; i++)
		c->sum += data[i];
	c->calls++;
	return c->calls == c->fail_at ? -ERR_NOSPACE : 0;
}

static void check_image(const struct elf_image *img, size_t size)
{
	CHECK(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGMENTS);
	bool entry_ok = false;
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		check_segment(s, size);
		uint64_t lo = s->vaddr & ~(ELF_PAGE_SIZE - 1);
		uint64_t hi = (s->vaddr + s->memsz + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
		for (size_t j = 0; j < i; j++) {
			const struct elf_segment *o = &img->segs[j];
			uint64_t olo = o->vaddr & ~(ELF_PAGE_SIZE - 1);
			uint64_t ohi =
			    (o->vaddr + o->memsz + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
			CHECK(hi <= olo || ohi <= lo);
		}
		if ((s->prot & ELF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	CHECK(entry_ok);
}

/* ---- synthetic mode ---- */

/*
 * Input layout: [0] mode (not 0x7f), [1] number of program headers - 1
 * (mod SYN_MAX_PH), [2] which header's vaddr the entry point is at, [3] a
 * signed delta to it, then SYN_PH_BYTES per header, then the file's tail
 * (padded with zeros to at least SYN_MIN_TAIL bytes). Every selector's zero
 * is the valid choice, so an all-zero input (after the mode byte) describes
 * an accepted file and each byte flipped from there is one boundary case.
 */
#define SYN_PH_BYTES 10
#define SYN_MAX_PH   20
#define SYN_MIN_TAIL 0x2000

struct syn_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t syn_u8(struct syn_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static int64_t syn_delta(struct syn_in *in)
{
	return (int8_t)syn_u8(in);
}

static uint8_t *synth_build(const uint8_t *data, size_t size, size_t *out_size)
{
	struct syn_in in = {data + 1, size - 1};
	unsigned nph = 1 + syn_u8(&in) % SYN_MAX_PH;
	uint8_t entry_sel = syn_u8(&in);
	int64_t entry_delta = syn_delta(&in);
	size_t tail = in.n > nph * SYN_PH_BYTES ? in.n - nph * SYN_PH_BYTES : 0;
	size_t headers = sizeof(struct elf64_ehdr) + nph * sizeof(struct elf64_phdr);
	size_t fsize = headers + MAX(tail, SYN_MIN_TAIL);
	uint8_t *f = calloc(1, fsize);
	if (!f)
		abort();
	struct elf64_ehdr eh = {
	    .e_ident = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0},
	    .e_type = 2,
	    .e_machine = 62,
	    .e_version = 1,
	    .e_phoff = sizeof(struct elf64_ehdr),
	    .e_ehsize = sizeof(struct elf64_ehdr),
	    .e_phentsize = sizeof(struct elf64_phdr),
	    .e_phnum = (uint16_t)nph,
	};
	/* PT_LOAD, PT_GNU_STACK, PT_INTERP, PT_DYNAMIC, PT_NOTE, PT_TLS, PT_NULL. */
	static const uint32_t types[] = {1, 1, 1, 0x6474e551u, 3, 2, 4, 7, 0};
	static const uint64_t aligns[] = {0x1000, 0, 1, 0x10, 0x1800, 0x200000, 3};
	uint64_t prev_end = 0x400000, vaddrs[SYN_MAX_PH];
	for (unsigned i = 0; i < nph; i++) {
		struct elf64_phdr ph = {0};
		uint8_t t = syn_u8(&in), fl = syn_u8(&in), vsel = syn_u8(&in);
		int64_t vd = syn_delta(&in);
		uint8_t msel = syn_u8(&in);
		int64_t md = syn_delta(&in);
		uint8_t fsel = syn_u8(&in), osel = syn_u8(&in);
		int64_t od = syn_delta(&in);
		uint8_t asel = syn_u8(&in);

		ph.p_type = types[t % ARRAY_SIZE(types)];
		ph.p_flags = (fl ^ 5) & 7; /* 0: R+X */
		const uint64_t vbase[] = {ALIGN_UP(prev_end, ELF_PAGE_SIZE),
					  prev_end,
					  0x400000,
					  ELF_USER_MIN,
					  ELF_USER_TOP - ELF_PAGE_SIZE,
					  ELF_USER_TOP,
					  0xffffffff80000000ull,
					  0};
		/* Flag bit 7 scales the address delta by 256 (to reach other pages). */
		ph.p_vaddr =
		    vbase[vsel % ARRAY_SIZE(vbase)] + (uint64_t)(vd * ((fl & 0x80) ? 256 : 1));
		const uint64_t mbase[] = {0x1000, 0, 0x3000, ELF_USER_TOP - ph.p_vaddr, UINT64_MAX};
		ph.p_memsz = mbase[msel % ARRAY_SIZE(mbase)] + (uint64_t)md;
		const uint64_t obase[] = {ph.p_vaddr & (ELF_PAGE_SIZE - 1), 0, fsize, UINT64_MAX};
		ph.p_offset = obase[osel % ARRAY_SIZE(obase)] + (uint64_t)od * ELF_PAGE_SIZE;
		/* fsel low bits: the base; high bits: a delta of -8..+7; bit 2: capped at memsz. */
		const uint64_t fbase[] = {ph.p_memsz, 0, fsize - MIN(ph.p_offset, fsize), 0x100};
		ph.p_filesz =
		    fbase[fsel % ARRAY_SIZE(fbase)] + (uint64_t)((int64_t)(fsel >> 4) - 8);
		if (!(fsel & 4))
			ph.p_filesz = MIN(ph.p_filesz, ph.p_memsz);
		ph.p_align = aligns[asel % ARRAY_SIZE(aligns)];
		vaddrs[i] = ph.p_vaddr;
		prev_end = ph.p_vaddr + ph.p_memsz;
		memcpy(f + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
	}
	eh.e_entry = vaddrs[entry_sel % nph] + (uint64_t)entry_delta;
	memcpy(f, &eh, sizeof(eh));
	memcpy(f + headers, in.p, MIN(tail, in.n));
	*out_size = fsize;
	return f;
}

static void fuzz_one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] != 0x7f) {
		size_t fsize;
		uint8_t *f = synth_build(data, size, &fsize);
		fuzz_one(f, fsize);
		free(f);
	} else {
		fuzz_one(data, size);
	}
	return 0;
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	struct elf_image img;
	char err[128];

	memset(err, 0x55, sizeof(err));
	int rc = elf_parse(&img, data, size, err, sizeof(err));
	CHECK(memchr(err, 0, sizeof(err)) != NULL);

	/* A small message buffer: truncated, terminated, nothing written past it. */
	char small[16];
	size_t smallen = size ? data[0] % 12 : 0;
	struct elf_image img2;
	memset(small, 0x55, sizeof(small));
	CHECK(elf_parse(&img2, data, size, small, smallen) == rc);
	for (size_t i = smallen; i < sizeof(small); i++)
		CHECK(small[i] == 0x55);
	if (smallen)
		CHECK(memchr(small, 0, smallen) != NULL);

	if (rc != 0) {
		static const struct elf_image empty;
		CHECK(rc == -ERR_FORMAT);
		CHECK(strncmp(err, "ELF: ", 5) == 0);
		CHECK(memcmp(&img, &empty, sizeof(img)) == 0);
		return;
	}
	CHECK(err[0] == 0);
	CHECK(memcmp(&img, &img2, sizeof(img)) == 0);
	check_image(&img, size);

	struct fuzz_ctx c = {.file = data, .size = size, .fail_at = data[size - 1] % 4};
	rc = elf_load(&img, data, size, fuzz_map, &c);
	if (c.fail_at && c.fail_at <= img.nsegs) {
		CHECK(rc == -ERR_NOSPACE);
		CHECK(c.calls == c.fail_at);
	} else {
		CHECK(rc == 0);
		CHECK(c.calls == img.nsegs);
	}
}
