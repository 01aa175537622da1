/*
 * Process start-up (called from crt0's _start) and what a process knows about
 * itself afterwards: its Process handle, the capabilities its spawner gave
 * it, init's info page, the boot archive (<orb/bootfs.h>). exit() and abort() live here too.
 *
 * _start's argument (rdi) is trusted to be what the kernel or the spawner put
 * there (user/README.md): ORB_INIT_INFO for init, else a struct orb_start in
 * the start area. It is still checked (address range, magic, sizes, via
 * start_valid) before anything in it is used, so a process started some other
 * way runs main(0, {NULL}) without a self handle instead of wandering off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <orb/spawn.h>

#include "lib/bootfs.h"
#include "start_layout.h"
#include "stream.h"
#include "ulib.h"
#include "uvm.h"

extern int main(int argc, char **argv);
_Noreturn void ulib_start(uint64_t arg);

struct ipc_buffer *ulib_main_ipc;

static const struct orb_init_info *start_init;
static const struct orb_start *start_block;
static cap_handle_t start_self;
static const void *start_bootfs;
static size_t start_bootfs_size;

cap_handle_t orb_self(void)
{
	return start_self;
}

const struct orb_init_info *orb_init_info(void)
{
	return start_init;
}

unsigned orb_start_ncaps(void)
{
	return start_block ? start_block->ncaps : 0;
}

cap_handle_t orb_start_cap(unsigned i)
{
	return i < orb_start_ncaps() ? start_block->caps[i] : CAP_HANDLE_NULL;
}

const void *orb_bootfs_find(const char *path, size_t *size)
{
	struct bootfs_entry e;
	if (!start_bootfs || bootfs_find(start_bootfs, start_bootfs_size, path, &e, NULL, 0) < 0)
		return NULL;
	if (size)
		*size = e.size;
	return e.data;
}

long orb_bootfs_each(void (*fn)(void *ctx, const struct orb_bootfs_file *f), void *ctx)
{
	if (!start_bootfs)
		return -ERR_NOENT;
	struct bootfs_iter it;
	struct bootfs_entry e;
	long n = 0;
	int rc;
	bootfs_iter_init(&it, start_bootfs, start_bootfs_size);
	while ((rc = bootfs_next(&it, &e, NULL, 0)) > 0) {
		if ((e.mode & BOOTFS_TYPE_MASK) != BOOTFS_TYPE_FILE)
			continue;
		struct orb_bootfs_file f = {e.name, e.data, e.size};
		if (fn)
			fn(ctx, &f);
		n++;
	}
	return rc < 0 ? rc : n;
}

long orb_bootfs_attach(cap_handle_t mem, size_t size)
{
	if (start_bootfs)
		return -ERR_EXIST;
	if (size == 0 || size > UVM_BASE - ORB_BOOTFS_BASE)
		return -ERR_INVAL;
	long rc = orb_mem_map(orb_self(), mem, ORB_BOOTFS_BASE, 0, uvm_round(size), ORB_PROT_READ);
	if (rc < 0)
		return rc;
	char err[96];
	if (bootfs_count((const void *)ORB_BOOTFS_BASE, size, err, sizeof(err)) < 0) {
		printf("%s\n", err);
		orb_mem_unmap(orb_self(), ORB_BOOTFS_BASE, uvm_round(size));
		return -ERR_FORMAT;
	}
	start_bootfs = (const void *)ORB_BOOTFS_BASE;
	start_bootfs_size = size;
	return 0;
}

/* init: the kernel's info page; an IPC buffer of our own making. */
static void start_as_init(const struct orb_init_info *info)
{
	start_init = info;
	start_self = info->self;
	if (info->bootfs_vaddr && info->bootfs_size) {
		start_bootfs = (const void *)info->bootfs_vaddr;
		start_bootfs_size = info->bootfs_size;
	}
	void *buf;
	cap_handle_t mem;
	if (uvm_map_new(UVM_PAGE, ORB_PROT_READ | ORB_PROT_WRITE, &buf, &mem) == 0) {
		if (orb_ipc_buffer(buf) == 0)
			ulib_main_ipc = buf;
		else
			uvm_unmap_delete(buf, UVM_PAGE, mem);
	}
}

/* A spawned process: the start block its parent wrote; the IPC buffer it mapped. */
static void start_as_child(const struct orb_start *st)
{
	start_block = st;
	start_self = st->self;
	if (st->ipc_buffer && orb_ipc_buffer((struct ipc_buffer *)st->ipc_buffer) == 0)
		ulib_main_ipc = (struct ipc_buffer *)st->ipc_buffer;
}

_Noreturn void ulib_start(uint64_t arg)
{
	static char *no_args[] = {NULL};
	static char init_name[] = "init";
	static char *init_args[] = {init_name, NULL};
	int argc = 0;
	char **argv = no_args;

	if (arg == ORB_INIT_INFO && ((const struct orb_init_info *)arg)->magic == ORB_INIT_MAGIC) {
		start_as_init((const struct orb_init_info *)arg);
		argc = 1;
		argv = init_args;
	} else if (arg >= ORB_START_AREA && arg < ORB_START_AREA + ORB_START_AREA_MAX &&
		   (arg & 7) == 0 &&
		   ORB_START_AREA + ORB_START_AREA_MAX - arg >= sizeof(struct orb_start) &&
		   start_valid((const struct orb_start *)arg, arg,
			       ORB_START_AREA + ORB_START_AREA_MAX)) {
		const struct orb_start *st = (const struct orb_start *)arg;
		start_as_child(st);
		argc = (int)st->argc;
		argv = (char **)st->argv;
		ulib_stdio_start(&argc, &argv); /* the stdio argument (stdio.c) */
	}
	exit(main(argc, argv));
}

_Noreturn void exit(int status)
{
	ulib_stdio_exit();
	orb_proc_exit(status & 0xff);
}

_Noreturn void abort(void)
{
	fflush_stdout();
	static const char msg[] = "abort\n";
	orb_debug_write(msg, sizeof(msg) - 1);
	orb_proc_exit(134);
}
