/*
 * Starting init from the boot archive (see userinit.h).
 *
 * Trust boundary: the archive and the ELF file in it come from the boot
 * loader's module and are parsed by the checked parsers (bootfs.c, elf.c);
 * a malformed one is refused with the parser's reason and nothing is left
 * behind (the half-built process is dropped, which frees all it holds).
 */
#include "core/userinit.h"
#include "core/bootfs.h"
#include "core/elf.h"
#include "core/process.h"
#include "core/cpu.h"
#include "core/memobj.h"
#include "core/devobj.h"
#include "core/logobj.h"
#include "core/quota.h"
#include <arch/init.h>
#include "mm/phys.h"
#include "lib/kprintf.h"
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
static int object_with(const void *data, size_t len, size_t size, struct memobj **out)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	int err = memobj_create(size, out);
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
static int map_new(struct process *p, struct memobj *mo, vaddr_t va, unsigned prot)
{
	kobject_get(&mo->obj);
	int err = memobj_map(p, mo, va, 0, mo->npages * PAGE_SIZE, prot, prot);
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
	struct memobj *mo;
	int err = memobj_create(size, &mo);
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

static struct memobj *screen_obj; /* made once; never freed (init may be restarted) */

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
		int err = memobj_create_phys(
		    ALIGN_DOWN(base, PAGE_SIZE),
		    ALIGN_UP(base + bytes, PAGE_SIZE) - ALIGN_DOWN(base, PAGE_SIZE), &screen_obj);
		if (err)
			return err;
		kobject_get(&screen_obj->obj); /* the kernel's own, forever */
	}
	return 0;
}

int userinit_start(const struct boot_info *bi, const char *name, struct process **out)
{
	char path[64], err_msg[128] = "";
	const struct boot_module *m = find_archive(bi);
	if (!m) {
		kerr("init: no boot archive (give QEMU -initrd build/bootfs.cpio)\n");
		return -ERR_NOENT;
	}
	const void *archive = phys_to_virt(m->start);
	size_t asize = m->end - m->start;
	ksnprintf(path, sizeof(path), "bin/%s", name);
	struct bootfs_entry e;
	int err = bootfs_find(archive, asize, path, &e, err_msg, sizeof(err_msg));
	if (err) {
		kerr("init: cannot find /%s in the boot archive: %s\n", path,
		     err == -ERR_NOENT ? "no such file" : err_msg);
		return err;
	}
	struct elf_image img;
	err = elf_parse(&img, e.data, e.size, err_msg, sizeof(err_msg));
	if (err) {
		kerr("init: /%s: %s\n", path, err_msg);
		return err;
	}

	/* The root quota: all that user space may have, the kernel's reserve
	 * aside. init hands out parts of it (child quotas). */
	struct quota *root;
	err = quota_create_root(mem_user_budget(), &root);
	if (err)
		return err;
	kobject_get(&root->obj);
	struct process *p;
	err = process_create(name, INIT_SLOTS, INIT_MAX_PRIO, root, &p);
	kobject_put(&root->obj); /* p holds it now (or it is gone) */
	if (err)
		return err;
	kobject_get(&p->obj); /* ours while we build it */
	struct load_ctx lc = {p};
	struct memobj *stack, *bootfs, *info;
	cap_handle_t h_self, h_bootfs, h_thread, h_io;
	struct ioports_obj *io;
	struct thread_obj *to;
	err = elf_load(&img, e.data, e.size, load_segment, &lc);
	if (!err)
		err = memobj_create(ORB_STACK_SIZE, &stack);
	if (!err)
		err = map_new(p, stack, ORB_STACK_TOP - ORB_STACK_SIZE,
			      ORB_PROT_READ | ORB_PROT_WRITE);
	if (!err)
		err = object_with(archive, asize, asize, &bootfs);
	if (!err)
		err = map_new(p, bootfs, ORB_BOOTFS_BASE, ORB_PROT_READ);
	if (!err)
		err = grant_root(p, &bootfs->obj, CAP_RIGHT_READ | CAP_RIGHT_MAP, &h_bootfs);
	if (!err)
		err = grant_root(p, &p->obj, CAP_RIGHTS_ALL, &h_self);
	cap_handle_t h_irq[DEVOBJ_ISA_IRQS] = {0};
	for (unsigned line = 0; line < DEVOBJ_ISA_IRQS && !err; line++)
		if (line != 2) /* the cascade of the 8259s: no device */
			err = grant_root(p, &irq_obj_of(line)->obj, CAP_RIGHTS_ALL, &h_irq[line]);
	struct orb_screen_info sinfo = {0};
	cap_handle_t h_screen = 0;
	if (!err && screen_object(&sinfo) == 0)
		err = grant_root(p, &screen_obj->obj,
				 CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_MAP, &h_screen);
	cap_handle_t h_log = 0;
	if (!err)
		err = grant_root(p, logobj_get(), CAP_RIGHT_READ, &h_log);
	if (!err)
		err = ioports_create(0, 0x10000, &io);
	if (!err)
		err = grant_root(p, &io->obj, CAP_RIGHTS_ALL, &h_io);
	if (!err)
		err = process_thread_create(p, img.entry, ORB_STACK_TOP, ORB_INIT_INFO,
					    THREAD_PRIO_DEFAULT, &to);
	if (!err)
		err = grant_root(p, &to->obj, CAP_RIGHTS_ALL, &h_thread);
	if (!err) {
		struct orb_init_info ii = {
		    .magic = ORB_INIT_MAGIC,
		    .self = h_self,
		    .self_thread = h_thread,
		    .bootfs = h_bootfs,
		    .ioports = h_io,
		    .log = h_log,
		    .bootfs_vaddr = ORB_BOOTFS_BASE,
		    .bootfs_size = asize,
		    .ncpus = ncpus_online,
		    .screen = h_screen,
		    .screen_info = sinfo,
		};
		for (unsigned line = 0; line < DEVOBJ_ISA_IRQS; line++)
			ii.irq[line] = h_irq[line];
		strlcpy(ii.cmdline, bi->cmdline, sizeof(ii.cmdline));
		err = object_with(&ii, sizeof(ii), sizeof(ii), &info);
		if (!err)
			err = map_new(p, info, ORB_INIT_INFO, ORB_PROT_READ);
	}
	if (!err)
		err = thread_obj_start(to);
	if (err) {
		kerr("init: cannot start /%s: error %d\n", path, err);
		/* Without a thread, the kill tears it down itself (its cspace with
		 * its own capability), so our reference is the last. */
		process_kill(p, ORB_EXIT_KILLED);
		kobject_put(&p->obj);
		return err;
	}
	kinfo("init: started /%s as process %u\n", path, p->pid);
	*out = p;
	return 0;
}
