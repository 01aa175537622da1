/*
 * Starting init from the boot archive (see userinit.h).
 *
 * Trust boundary: the archive and the ELF file in it come from the boot
 * loader's module and are parsed by the checked parsers (bootfs.c, elf.c);
 * a malformed one is refused with the parser's reason and nothing is left
 * behind (the half-built process is dropped, which frees all it holds).
 */
#include "boot/userinit.h"
#include "lib/bootfs.h"
#include "lib/elf.h"
#include "obj/process.h"
#include "sched/cpu.h"
#include "obj/memory.h"
#include "obj/irq.h"
#include "obj/ioports.h"
#include "obj/thread_obj.h"
#include "obj/log.h"
#include "obj/quota.h"
#include "arch/screen.h"
#include "mm/phys.h"
#include "console/kprintf.h"
#include "lib/string.h"
#include <orbital/errors.h>
#include <orbital/proc.h>
#include <orbital/syscall.h>

#define INIT_SLOTS    1024
#define INIT_MAX_PRIO 48

static const struct boot_module *find_archive(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->module_count; i++)
		if (strcmp(bi->modules[i].name, "bootfs") == 0)
			return &bi->modules[i];
	return bi->module_count ? &bi->modules[0] : NULL;
}

/* A new object of `size` bytes (rounded up to pages) holding a copy of data. */
static int object_with(const void *data, size_t len, size_t size, struct memory **out)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	int err = memory_create(size, out);
	if (err)
		return err;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		size_t n = len - off < PAGE_SIZE ? len - off : PAGE_SIZE;
		memcpy(phys_to_virt((*out)->frames[off / PAGE_SIZE]), (const uint8_t *)data + off,
		       n);
	}
	return 0;
}

/* Maps a fresh object into p and drops the creation reference. */
static int map_new(struct process *p, struct memory *mo, vaddr_t va, unsigned prot)
{
	kobject_get(&mo->obj);
	int err = memory_map(p, mo, va, 0, mo->npages * PAGE_SIZE, prot, prot);
	kobject_put(&mo->obj);
	return err;
}

struct load_ctx {
	struct process *p;
};

static int load_segment(void *ctx, const struct elf_segment *seg, const uint8_t *data, size_t n)
{
	struct load_ctx *lc = ctx;
	vaddr_t start = ALIGN_DOWN(seg->vaddr, PAGE_SIZE);
	size_t lead = seg->vaddr - start;
	size_t size = ALIGN_UP(lead + seg->memsz, PAGE_SIZE);
	struct memory *mo;
	int err = memory_create(size, &mo);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) { /* byte by byte across frames; runs once at boot */
		size_t off = lead + i;
		((uint8_t *)phys_to_virt(mo->frames[off / PAGE_SIZE]))[off % PAGE_SIZE] = data[i];
	}
	unsigned prot = ((seg->prot & ELF_R) ? ORB_PROT_READ : 0) |
			((seg->prot & ELF_W) ? ORB_PROT_WRITE : 0) |
			((seg->prot & ELF_X) ? ORB_PROT_EXEC : 0);
	return map_new(lc->p, mo, start, prot ? prot : ORB_PROT_READ);
}

static int grant_root(struct process *p, struct kobject *obj, uint32_t rights, cap_handle_t *h)
{
	kobject_get(obj);
	int err = cspace_insert_root(p->cs, obj, rights, 0, h);
	kobject_put(obj);
	return err;
}

static struct memory *screen_obj; /* made once; never freed (init may be restarted) */

struct kobject *userinit_screen(void)
{
	return screen_obj ? &screen_obj->obj : NULL;
}

/* The Memory object of the screen, made on first use. */
static int screen_object(struct orb_screen_info *info)
{
	paddr_t base;
	size_t bytes;
	if (!arch_screen_describe(info, &base, &bytes))
		return -ERR_NOENT;
	if (!screen_obj) {
		int err = memory_create_phys(
		    ALIGN_DOWN(base, PAGE_SIZE),
		    ALIGN_UP(base + bytes, PAGE_SIZE) - ALIGN_DOWN(base, PAGE_SIZE), &screen_obj);
		if (err)
			return err;
		kobject_get(&screen_obj->obj); /* the kernel's own, forever */
	}
	return 0;
}

/*
 * init as it is built: what the steps below fill in, one after another. The
 * handles end up in init's struct orb_init_info page.
 */
struct init_build {
	const struct boot_info *bi;
	const char *name;
	char path[64]; /* "bin/NAME" in the archive */
	const void *archive;
	size_t asize;
	struct bootfs_entry file;
	struct elf_image img;
	struct process *p; /* holds our reference while we build it */
	struct thread_obj *thread;
	struct orb_screen_info sinfo;
	cap_handle_t h_self, h_thread, h_bootfs, h_io, h_log, h_screen;
	cap_handle_t h_irq[IRQ_ISA_LINES];
};

/* Finds bin/NAME in the boot archive and parses its ELF headers (no side effects). */
static int find_program(struct init_build *b)
{
	char err_msg[128] = "";
	const struct boot_module *m = find_archive(b->bi);
	if (!m) {
		kerr("init: no boot archive (give QEMU -initrd build/bootfs.cpio)\n");
		return -ERR_NOENT;
	}
	b->archive = phys_to_virt(m->start);
	b->asize = m->end - m->start;
	ksnprintf(b->path, sizeof(b->path), "bin/%s", b->name);
	int err = bootfs_find(b->archive, b->asize, b->path, &b->file, err_msg, sizeof(err_msg));
	if (err) {
		kerr("init: cannot find /%s in the boot archive: %s\n", b->path,
		     err == -ERR_NOENT ? "no such file" : err_msg);
		return err;
	}
	err = elf_parse(&b->img, b->file.data, b->file.size, err_msg, sizeof(err_msg));
	if (err)
		kerr("init: /%s: %s\n", b->path, err_msg);
	return err;
}

/* The process, charged to the root quota: all that user space may have, the
 * kernel's reserve aside. init hands out parts of it (child quotas). */
static int create_process(struct init_build *b)
{
	struct quota *root;
	int err = quota_create_root(mem_user_budget(), &root);
	if (err)
		return err;
	kobject_get(&root->obj);
	err = process_create(b->name, INIT_SLOTS, INIT_MAX_PRIO, root, &b->p);
	kobject_put(&root->obj); /* p holds it now (or it is gone) */
	if (err)
		return err;
	kobject_get(&b->p->obj); /* ours while we build it */
	return 0;
}

/* The program's segments, then its stack below ORB_STACK_TOP. */
static int create_image(struct init_build *b)
{
	struct load_ctx lc = {b->p};
	struct memory *stack;
	int err = elf_load(&b->img, b->file.data, b->file.size, load_segment, &lc);
	if (!err)
		err = memory_create(ORB_STACK_SIZE, &stack);
	if (!err)
		err = map_new(b->p, stack, ORB_STACK_TOP - ORB_STACK_SIZE,
			      ORB_PROT_READ | ORB_PROT_WRITE);
	return err;
}

/* A copy of the archive, mapped read-only at ORB_BOOTFS_BASE and granted. */
static int create_bootfs(struct init_build *b)
{
	struct memory *bootfs;
	int err = object_with(b->archive, b->asize, b->asize, &bootfs);
	if (!err)
		err = map_new(b->p, bootfs, ORB_BOOTFS_BASE, ORB_PROT_READ);
	if (!err)
		err = grant_root(b->p, &bootfs->obj, CAP_RIGHT_READ | CAP_RIGHT_MAP, &b->h_bootfs);
	return err;
}

/* The devices init's drivers start from: the ISA IRQ lines, the screen (if
 * there is one), the kernel log and every I/O port. */
static int grant_devices(struct init_build *b)
{
	int err = 0;
	for (unsigned line = 0; line < IRQ_ISA_LINES && !err; line++)
		if (line != 2) /* the cascade of the 8259s: no device */
			err = grant_root(b->p, &irq_of(line)->obj, CAP_RIGHTS_ALL, &b->h_irq[line]);
	if (!err && screen_object(&b->sinfo) == 0)
		err = grant_root(b->p, &screen_obj->obj,
				 CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP, &b->h_screen);
	if (!err)
		err = grant_root(b->p, log_get(), CAP_RIGHT_READ, &b->h_log);
	struct ioports *io;
	if (!err)
		err = ioports_create(0, 0x10000, &io);
	if (!err)
		err = grant_root(b->p, &io->obj, CAP_RIGHTS_ALL, &b->h_io);
	return err;
}

/* The first thread (not yet started), at the ELF entry point. */
static int create_thread(struct init_build *b)
{
	int err = thread_obj_create(b->p, b->img.entry, ORB_STACK_TOP, ORB_INIT_INFO,
				    THREAD_PRIO_DEFAULT, &b->thread);
	if (!err)
		err = grant_root(b->p, &b->thread->obj, CAP_RIGHTS_ALL, &b->h_thread);
	return err;
}

/* The struct orb_init_info page, read-only at ORB_INIT_INFO: the handles. */
static int create_info_page(struct init_build *b)
{
	struct orb_init_info ii = {
	    .magic = ORB_INIT_MAGIC,
	    .self = b->h_self,
	    .self_thread = b->h_thread,
	    .bootfs = b->h_bootfs,
	    .ioports = b->h_io,
	    .log = b->h_log,
	    .bootfs_vaddr = ORB_BOOTFS_BASE,
	    .bootfs_size = b->asize,
	    .ncpus = ncpus_online,
	    .screen = b->h_screen,
	    .screen_info = b->sinfo,
	};
	for (unsigned line = 0; line < IRQ_ISA_LINES; line++)
		ii.irq[line] = b->h_irq[line];
	strlcpy(ii.cmdline, b->bi->cmdline, sizeof(ii.cmdline));
	struct memory *info;
	int err = object_with(&ii, sizeof(ii), sizeof(ii), &info);
	if (!err)
		err = map_new(b->p, info, ORB_INIT_INFO, ORB_PROT_READ);
	return err;
}

int userinit_start(const struct boot_info *bi, const char *name, struct process **out)
{
	struct init_build b = {.bi = bi, .name = name};
	int err = find_program(&b);
	if (!err)
		err = create_process(&b);
	if (err)
		return err; /* nothing built yet */

	/* Built in this order: the info page needs every handle before it. */
	err = create_image(&b);
	if (err)
		goto fail;
	err = create_bootfs(&b);
	if (err)
		goto fail;
	err = grant_root(b.p, &b.p->obj, CAP_RIGHTS_ALL, &b.h_self);
	if (err)
		goto fail;
	err = grant_devices(&b);
	if (err)
		goto fail;
	err = create_thread(&b);
	if (err)
		goto fail;
	err = create_info_page(&b);
	if (err)
		goto fail;
	err = thread_obj_start(b.thread);
	if (err)
		goto fail;
	kinfo("init: started /%s as process %u\n", b.path, b.p->pid);
	*out = b.p;
	return 0;

fail:
	kerr("init: cannot start /%s: error %d\n", b.path, err);
	/* Without a thread, the kill tears it down itself (its cspace with its
	 * own capability), so our reference is the last. */
	process_kill(b.p, ORB_EXIT_KILLED);
	kobject_put(&b.p->obj);
	return err;
}
