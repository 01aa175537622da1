/*
 * The basic system calls that act on no object of the caller's: the two
 * null calls, writing to and reading from the kernel log, the clock, and the
 * system summary (SYS_NULL, SYS_NOP, SYS_DEBUG_WRITE, SYS_LOG_READ, SYS_CLOCK,
 * SYS_SYSINFO). Reading the log needs a Log capability; the rest need none.
 *
 * Trust boundary: the buffers are user memory, reached only through
 * copy_from_user/copy_to_user in chunks on the kernel stack; lengths are
 * bounded before the first copy. The two log calls copy in chunks, so a
 * buffer that turns out to be unmapped part-way gives -ERR_FAULT after the
 * chunks before it were written (to the log, or to the user's buffer): the
 * kernel's own state is left consistent either way.
 *
 * Every struct copied out to user space is zeroed whole first (memset, not an
 * initializer: padding and fields nobody sets must not carry kernel stack
 * bytes out).
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "console/console.h"
#include "obj/process.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "mm/usercopy.h"
#include "mm/phys.h"
#include "arch/vm.h"
#include "lib/string.h"
#include "arch/init.h"

#define DEBUG_WRITE_MAX 4096

int64_t sys_null(const struct syscall_args *a)
{
	return 0;
}

/* () -> 0. A leaf call (api/syscall.c): no lock, no block, no user context. */
int64_t sys_nop(const struct syscall_args *a)
{
	return 0;
}

/* (buf, len) -> len */
int64_t sys_debug_write(const struct syscall_args *a)
{
	uint64_t buf = a->a0, len = a->a1;
	char chunk[256];
	if (len > DEBUG_WRITE_MAX)
		return -ERR_RANGE;
	if (!user_range_ok(buf, len))
		return -ERR_FAULT;

	for (uint64_t done = 0; done < len;) {
		size_t n = MIN(sizeof(chunk), len - done);
		if (copy_from_user(chunk, buf + done, n))
			return -ERR_FAULT;
		console_write_user(chunk, n); /* bounded time with interrupts off */
		done += n;
	}
	return (int64_t)len;
}

/* () -> monotonic time in ns */
int64_t sys_clock(const struct syscall_args *a)
{
	return (int64_t)time_now_ns();
}

/* (struct orb_sysinfo *out) -> 0 */
int64_t sys_sysinfo(const struct syscall_args *a)
{
	struct orb_sysinfo si;
	memset(&si, 0, sizeof(si));
	si.mem_total = (uint64_t)pmm_usable_count(&kernel_pmm) * PAGE_SIZE;
	si.mem_free = (uint64_t)pmm_free_count(&kernel_pmm) * PAGE_SIZE;
	si.uptime_ns = time_now_ns();
	si.ncpus = ncpus_online;
	si.nthreads = (unsigned)thread_count();
	si.nprocs = process_count();
	/* A report, not a decision: an unlocked read of a count that only grows. */
	si.kernel_tables = (unsigned)__atomic_load_n(&kernel_space.ntables, __ATOMIC_RELAXED);
	return copy_to_user(a->a0, &si, sizeof(si));
}

/*
 * (log [READ], uint64_t *pos, buf, len) -> bytes copied. Without a Log
 * capability with READ (log.h) the call is -ERR_PERM whatever the handle.
 */
int64_t sys_log_read(const struct syscall_args *a)
{
	uint64_t upos = a->a1, buf = a->a2, len = a->a3;
	uint64_t pos;
	char chunk[256];
	struct kobject *o;
	if (decode_cap(a->a0, CAP_TYPE_LOG, CAP_RIGHT_READ, &o, NULL, NULL))
		return -ERR_PERM;
	kobject_put(o); /* the Log object is never freed: only the authority matters */
	if (copy_from_user(&pos, upos, sizeof(pos)))
		return -ERR_FAULT;
	if (!user_range_ok(buf, len))
		return -ERR_FAULT;

	uint64_t done = 0;
	while (done < len) {
		uint64_t at = pos;
		size_t n = console_log_read(&at, chunk, MIN(sizeof(chunk), len - done));
		if (n == 0)
			break;
		if (copy_to_user(buf + done, chunk, n))
			return -ERR_FAULT;
		pos = at;
		done += n;
	}
	if (copy_to_user(upos, &pos, sizeof(pos)))
		return -ERR_FAULT;
	return (int64_t)done;
}
