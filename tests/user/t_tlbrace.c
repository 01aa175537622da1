/*
 * t_tlbrace: changing the rights of a mapping (SYS_MEM_PROTECT) while
 * another thread of the same process takes the process's lock.
 *
 * Run as init on two or more CPUs (`test=user init=t_tlbrace`). One thread
 * flips a page of its own between read-write and read-only; the others, on
 * the other CPUs, register and drop an IPC buffer and unmap an empty range
 * in the same process, calls that take the process's lock with interrupts
 * off. SYS_MEM_PROTECT must not ask the other CPUs to flush their TLBs
 * (and wait for them) while it holds that lock: a CPU spinning on the lock
 * with its interrupts off would never answer, and both CPUs would hang.
 * The check is that every thread finishes its T_ROUNDS calls; a kernel that
 * deadlocks never prints the closing line (the QEMU case times out).
 */
#include "t_check.h"
#include <orb/thread.h>

#define T_ROUNDS  20000
#define T_PAGE	  (T_MAP_BASE + 0x100000)
#define T_BUF	  (T_MAP_BASE + 0x200000)
#define T_HOLE	  (T_MAP_BASE + 0x400000)
#define T_THREADS 3

static long t_done, t_errors;

static void t_protect_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < T_ROUNDS; i++) {
		unsigned prot = i % 2 ? ORB_PROT_READ : ORB_PROT_READ | ORB_PROT_WRITE;
		if (orb_mem_protect(orb_self(), T_PAGE, 4096, prot) != 0)
			__atomic_fetch_add(&t_errors, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&t_done, 1, __ATOMIC_RELEASE);
}

static void t_lock_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < T_ROUNDS; i++) {
		long r = i % 2 ? orb_mem_unmap(orb_self(), T_HOLE, 4096)
			       : orb_ipc_buffer((struct ipc_buffer *)T_BUF);
		if (r != 0)
			__atomic_fetch_add(&t_errors, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&t_done, 1, __ATOMIC_RELEASE);
}

int main(void)
{
	long mem = orb_mem_create(4096), buf = orb_mem_create(4096);
	uint64_t start;

	printf("t_tlbrace: %u CPUs\n", t_sysinfo().ncpus);
	T_OK("a page to protect", mem);
	T_OK("a page for IPC buffers", buf);
	T_ERR("map it",
	      orb_mem_map(orb_self(), (cap_handle_t)mem, T_PAGE, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	T_ERR("map the buffer page",
	      orb_mem_map(orb_self(), (cap_handle_t)buf, T_BUF, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	T_ERR("start the protecting thread", orb_thread_spawn(t_protect_loop, NULL, 0, NULL), 0);
	for (int i = 1; i < T_THREADS; i++)
		T_ERR("start a thread taking the lock",
		      orb_thread_spawn(t_lock_loop, NULL, 0, NULL), 0);
	start = orb_clock();
	while (__atomic_load_n(&t_done, __ATOMIC_ACQUIRE) < T_THREADS &&
	       orb_clock() - start < T_WAIT_NS)
		orb_sleep(T_MS(10));
	T_EQ("threads that made all their calls", t_done, T_THREADS);
	T_EQ("calls that failed", t_errors, 0);
	/* The main thread's IPC buffer is not T_BUF: drop what the threads registered. */
	orb_mem_unmap(orb_self(), T_PAGE, 4096);
	orb_mem_unmap(orb_self(), T_BUF, 4096);
	orb_cap_delete((cap_handle_t)mem);
	orb_cap_delete((cap_handle_t)buf);
	return t_finish("t_tlbrace");
}
