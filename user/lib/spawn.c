/*
 * Starting a program in a new process (orb_spawn); see <orb/spawn.h> and the
 * start-up convention in user/README.md.
 *
 * Decode, then act: the arguments, the capabilities to give (identified, to
 * copy their rights) and the whole ELF file (lib/elf.c, the kernel's
 * own parser) are checked before the process exists. Then, in order: the
 * process; each segment (a Memory object mapped into this process as a
 * window, filled, unmapped, mapped into the child with the segment's
 * protection); the stack; the capabilities; the main thread (not started);
 * the start area (IPC buffer page + struct orb_start + argv); the thread is
 * started last. Every Memory object is moved into the child's cspace once it
 * is mapped there, so the child's memory belongs to the child and is freed
 * with it. Any failure after the process exists kills it and deletes its
 * handle; the parent keeps nothing.
 *
 * Trust: the ELF file is untrusted (elf_parse validates it; elf_load hands
 * over only ranges inside it). The argv strings and capability handles come
 * from the caller, in this process.
 */
#include <stdio.h>
#include <string.h>
#include <orb/spawn.h>

#include "lib/elf.h"
#include "start_layout.h"
#include "uvm.h"

struct spawn_ctx {
	cap_handle_t child;
};

static unsigned spawn_prot(unsigned elf_prot)
{
	return ((elf_prot & ELF_R) ? ORB_PROT_READ : 0) |
	       ((elf_prot & ELF_W) ? ORB_PROT_WRITE : 0) | ((elf_prot & ELF_X) ? ORB_PROT_EXEC : 0);
}

/* Maps Memory object mem (this process's handle) into the child, then moves it there. */
static long spawn_place(cap_handle_t child, cap_handle_t mem, uint64_t vaddr, size_t size,
			unsigned prot)
{
	long rc = orb_mem_map(child, mem, vaddr, 0, size, prot);
	if (rc >= 0)
		rc = orb_cap_move(child, mem);
	if (rc < 0) {
		orb_cap_delete(mem);
		return rc;
	}
	return 0;
}

/*
 * A fresh Memory object of size bytes, shown to fill(ctx, window) through a
 * temporary R/W window in this process, then placed in the child.
 */
static long spawn_fill_place(cap_handle_t child, uint64_t vaddr, size_t size, unsigned prot,
			     void (*fill)(const void *ctx, void *win), const void *ctx)
{
	void *win;
	cap_handle_t mem;
	long rc = uvm_map_new(size, ORB_PROT_READ | ORB_PROT_WRITE, &win, &mem);
	if (rc < 0)
		return rc;
	if (fill)
		fill(ctx, win);
	rc = uvm_unmap(win, size);
	if (rc < 0) {
		orb_cap_delete(mem);
		return rc;
	}
	return spawn_place(child, mem, vaddr, size, prot);
}

struct spawn_seg {
	const struct elf_segment *seg;
	const uint8_t *data;
	size_t filesz;
};

static void spawn_fill_seg(const void *ctx, void *win)
{
	const struct spawn_seg *s = ctx;
	/* The window covers the segment's pages; the frames come zeroed (bss). */
	memcpy((char *)win + (s->seg->vaddr & (ELF_PAGE_SIZE - 1)), s->data, s->filesz);
}

/* elf_load's callback: one segment into the child. */
static int spawn_map_segment(void *ctx, const struct elf_segment *seg, const uint8_t *data,
			     size_t filesz)
{
	const struct spawn_ctx *c = ctx;
	uint64_t lo = seg->vaddr & ~(ELF_PAGE_SIZE - 1);
	uint64_t hi = (seg->vaddr + seg->memsz + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
	struct spawn_seg s = {seg, data, filesz};
	return (int)spawn_fill_place(c->child, lo, hi - lo, spawn_prot(seg->prot), spawn_fill_seg,
				     &s);
}

struct spawn_start {
	const struct orb_start *st;
	const char *const *argv;
	size_t size; /* of the area */
};

static void spawn_fill_start(const void *ctx, void *win)
{
	const struct spawn_start *s = ctx;
	/* Page 0 is the IPC buffer (left zeroed); the block follows. Sized by the caller. */
	start_layout((char *)win + UVM_PAGE, s->size - UVM_PAGE, ORB_START_AREA + UVM_PAGE, s->argv,
		     s->st);
}

/* Checks everything orb_spawn() is given, before anything is created. */
static long spawn_decode(const struct orb_spawn_args *a, struct cap_info *info,
			 struct elf_image *img, size_t *area)
{
	if (!a->elf || (a->ncaps && !a->caps) || a->ncaps > ORB_START_CAPS_MAX || a->prio < 0)
		return -ERR_INVAL;
	size_t blk = start_layout_size(a->argv);
	if (!blk || blk > ORB_START_AREA_MAX - UVM_PAGE)
		return -ERR_INVAL;
	*area = UVM_PAGE + uvm_round(blk);
	for (unsigned i = 0; i < a->ncaps; i++) {
		long rc = orb_cap_identify(a->caps[i], &info[i]);
		if (rc < 0)
			return rc;
	}
	char err[128];
	int rc = elf_parse(img, a->elf, a->elf_size, err, sizeof(err));
	if (rc < 0) {
		printf("spawn %s: %s\n", a->name, err);
		return rc;
	}
	return 0;
}

long orb_spawn(const struct orb_spawn_args *args, cap_handle_t *proc_out)
{
	if (!args)
		return -ERR_INVAL;
	struct orb_spawn_args a = *args;
	if (!a.name)
		a.name = "?";
	const char *default_argv[] = {a.name, NULL};
	if (!a.argv)
		a.argv = default_argv;

	struct cap_info info[ORB_START_CAPS_MAX];
	struct elf_image img;
	size_t area;
	long rc = spawn_decode(&a, info, &img, &area);
	if (rc < 0)
		return rc;

	rc = orb_proc_create_in(ORB_SPAWN_NSLOTS, a.name, a.quota);
	if (rc < 0)
		return rc;
	cap_handle_t child = (cap_handle_t)rc, th = CAP_HANDLE_NULL;
	struct orb_start st = {
	    .ipc_buffer = ORB_START_AREA,
	    .stack_lo = ORB_STACK_TOP - ORB_SPAWN_STACK_SIZE,
	    .stack_hi = ORB_STACK_TOP,
	    .ncaps = a.ncaps,
	};

	struct spawn_ctx c = {child};
	rc = elf_load(&img, a.elf, a.elf_size, spawn_map_segment, &c);
	if (rc < 0)
		goto fail;
	rc = spawn_fill_place(child, st.stack_lo, ORB_SPAWN_STACK_SIZE,
			      ORB_PROT_READ | ORB_PROT_WRITE, NULL, NULL);
	if (rc < 0)
		goto fail;
	rc = orb_cap_grant(child, child, CAP_RIGHTS_ALL, 0);
	if (rc < 0)
		goto fail;
	st.self = (cap_handle_t)rc;
	for (unsigned i = 0; i < a.ncaps; i++) {
		/* Same rights; badge 0 keeps the source's badge. */
		rc = orb_cap_grant(child, a.caps[i], info[i].rights, 0);
		if (rc < 0)
			goto fail;
		st.caps[i] = (cap_handle_t)rc;
	}
	rc = orb_thread_create(child, img.entry, ORB_STACK_TOP, ORB_START_AREA + UVM_PAGE,
			       a.prio ? a.prio : ORB_PRIO_DEFAULT);
	if (rc < 0)
		goto fail;
	th = (cap_handle_t)rc;
	rc = orb_cap_grant(child, th, CAP_RIGHTS_ALL, 0);
	if (rc < 0)
		goto fail;
	st.self_thread = (cap_handle_t)rc;

	struct spawn_start ss = {&st, a.argv, area};
	rc = spawn_fill_place(child, ORB_START_AREA, area, ORB_PROT_READ | ORB_PROT_WRITE,
			      spawn_fill_start, &ss);
	if (rc < 0)
		goto fail;
	rc = orb_thread_start(th);
	if (rc < 0)
		goto fail;
	orb_cap_delete(th);
	if (proc_out)
		*proc_out = child;
	else
		orb_cap_delete(child);
	return 0;

fail:
	if (th)
		orb_cap_delete(th);
	orb_proc_kill(child);
	orb_cap_delete(child);
	return rc;
}

long orb_spawn_path(const char *path, const char *const *argv, const cap_handle_t *caps,
		    unsigned ncaps, cap_handle_t *proc_out)
{
	return orb_spawn_path_in(path, argv, caps, ncaps, 0, proc_out);
}

long orb_spawn_path_in(const char *path, const char *const *argv, const cap_handle_t *caps,
		       unsigned ncaps, cap_handle_t quota, cap_handle_t *proc_out)
{
	size_t size;
	const void *elf = orb_bootfs_find(path, &size);
	if (!elf)
		return -ERR_NOENT;
	const char *name = strrchr(path, '/');
	struct orb_spawn_args a = {
	    .name = name ? name + 1 : path,
	    .elf = elf,
	    .elf_size = size,
	    .argv = argv,
	    .caps = caps,
	    .ncaps = ncaps,
	    .quota = quota,
	};
	return orb_spawn(&a, proc_out);
}
