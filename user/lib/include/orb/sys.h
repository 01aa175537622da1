/*
 * Raw system calls: one inline function per call in include/orbital/syscall.h,
 * with the register convention described there. Nothing here allocates or
 * keeps state; the higher-level helpers (IPC, processes, printf) build on it.
 *
 * SAFETY (every asm block below): `syscall` clobbers rcx and r11 and the
 * kernel preserves every other register except those listed as outputs; the
 * kernel may read and write user memory named by pointer arguments, hence the
 * "memory" clobber.
 */
#ifndef ORB_SYS_H
#define ORB_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <orbital/caps.h>
#include <orbital/errors.h>
#include <orbital/ipc.h>
#include <orbital/proc.h>
#include <orbital/quota.h>
#include <orbital/syscall.h>

static inline long orb_syscall0(long n)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n) : "rcx", "r11", "memory");
	return r;
}

static inline long orb_syscall1(long n, long a0)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a0) : "rcx", "r11", "memory");
	return r;
}

static inline long orb_syscall2(long n, long a0, long a1)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
	return r;
}

static inline long orb_syscall3(long n, long a0, long a1, long a2)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long orb_syscall4(long n, long a0, long a1, long a2, long a3)
{
	long r;
	register long r10 __asm__("r10") = a3;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long orb_syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long r;
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/*
 * A message in registers: what the IPC calls send and receive. badge is
 * output only (the sender's badge); ep is input only.
 */
struct orb_msg {
	uint64_t badge;
	ipc_tag_t tag;
	uint64_t w[IPC_REG_WORDS];
};

/* One IPC system call: sends m (if the call sends) and receives into m (if it receives). */
static inline long orb_ipc(long n, cap_handle_t ep, struct orb_msg *m, uint64_t timeout_ns)
{
	long r;
	register uint64_t rdi __asm__("rdi") = ep;
	register uint64_t rsi __asm__("rsi") = m->tag;
	register uint64_t rdx __asm__("rdx") = m->w[0];
	register uint64_t r10 __asm__("r10") = m->w[1];
	register uint64_t r8 __asm__("r8") = m->w[2];
	register uint64_t r9 __asm__("r9") = m->w[3];
	register uint64_t r12 __asm__("r12") = timeout_ns;
	__asm__ volatile("syscall"
			 : "=a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "a"(n), "r"(r12)
			 : "rcx", "r11", "memory");
	if (r == 0 && n != SYS_SEND && n != SYS_NB_SEND && n != SYS_REPLY && n != SYS_REPLY_TO) {
		m->badge = rdi;
		m->tag = rsi;
		m->w[0] = rdx;
		m->w[1] = r10;
		m->w[2] = r8;
		m->w[3] = r9;
	}
	return r;
}

static inline long orb_null(void)
{
	return orb_syscall0(SYS_NULL);
}
static inline long orb_nop(void)
{
	return orb_syscall0(SYS_NOP);
}
static inline long orb_debug_write(const char *s, size_t n)
{
	return orb_syscall2(SYS_DEBUG_WRITE, (long)s, (long)n);
}
static inline long orb_yield(void)
{
	return orb_syscall0(SYS_YIELD);
}
static inline long orb_sleep(uint64_t ns)
{
	return orb_syscall1(SYS_SLEEP, (long)ns);
}
static inline uint64_t orb_clock(void)
{
	return (uint64_t)orb_syscall0(SYS_CLOCK);
}
static inline long orb_sysinfo(struct orb_sysinfo *out)
{
	return orb_syscall1(SYS_SYSINFO, (long)out);
}

static inline long orb_cap_identify(cap_handle_t h, struct cap_info *out)
{
	return orb_syscall2(SYS_CAP_IDENTIFY, h, (long)out);
}
static inline long orb_cap_derive(cap_handle_t h, uint32_t rights, uint64_t badge)
{
	return orb_syscall3(SYS_CAP_DERIVE, h, rights, (long)badge);
}
static inline long orb_cap_delete(cap_handle_t h)
{
	return orb_syscall1(SYS_CAP_DELETE, h);
}
static inline long orb_cap_revoke(cap_handle_t h)
{
	return orb_syscall1(SYS_CAP_REVOKE, h);
}
static inline long orb_cap_grant(cap_handle_t proc, cap_handle_t h, uint32_t rights, uint64_t badge)
{
	return orb_syscall4(SYS_CAP_GRANT, proc, h, rights, (long)badge);
}
static inline long orb_cap_move(cap_handle_t proc, cap_handle_t h)
{
	return orb_syscall2(SYS_CAP_MOVE, proc, h);
}

static inline long orb_endpoint_create(void)
{
	return orb_syscall0(SYS_ENDPOINT_CREATE);
}
static inline long orb_ntfn_create(void)
{
	return orb_syscall0(SYS_NTFN_CREATE);
}
static inline long orb_mem_create(size_t size)
{
	return orb_syscall1(SYS_MEM_CREATE, (long)size);
}
static inline long orb_proc_create(uint32_t nslots, const char *name)
{
	return orb_syscall3(SYS_PROC_CREATE, nslots, (long)name, 0); /* bound to our own quota */
}
/* A process bound to quota (0: ours): what it causes is charged there. */
static inline long orb_proc_create_in(uint32_t nslots, const char *name, cap_handle_t quota)
{
	return orb_syscall3(SYS_PROC_CREATE, nslots, (long)name, quota);
}
/* A child of quota parent (0: ours) with limit bytes, reserved in the parent. */
static inline long orb_quota_create(cap_handle_t parent, uint64_t limit)
{
	return orb_syscall2(SYS_QUOTA_CREATE, parent, (long)limit);
}
static inline long orb_quota_info(cap_handle_t quota, struct orb_quota_info *out)
{
	return orb_syscall2(SYS_QUOTA_INFO, quota, (long)out);
}
static inline long orb_thread_create(cap_handle_t proc, uintptr_t entry, uintptr_t stack,
				     uintptr_t arg, int prio)
{
	return orb_syscall6(SYS_THREAD_CREATE, proc, (long)entry, (long)stack, (long)arg, prio, 0);
}

static inline long orb_mem_map(cap_handle_t proc, cap_handle_t mem, uintptr_t vaddr, size_t offset,
			       size_t len, unsigned prot)
{
	return orb_syscall6(SYS_MEM_MAP, proc, mem, (long)vaddr, (long)offset, (long)len, prot);
}
static inline long orb_mem_unmap(cap_handle_t proc, uintptr_t vaddr, size_t len)
{
	return orb_syscall3(SYS_MEM_UNMAP, proc, (long)vaddr, (long)len);
}
static inline long orb_mem_protect(cap_handle_t proc, uintptr_t vaddr, size_t len, unsigned prot)
{
	return orb_syscall4(SYS_MEM_PROTECT, proc, (long)vaddr, (long)len, prot);
}

static inline long orb_thread_start(cap_handle_t th)
{
	return orb_syscall1(SYS_THREAD_START, th);
}
static inline __attribute__((__noreturn__)) void orb_thread_exit(void)
{
	orb_syscall0(SYS_THREAD_EXIT);
	__builtin_unreachable();
}
static inline __attribute__((__noreturn__)) void orb_proc_exit(int status)
{
	orb_syscall1(SYS_PROC_EXIT, status);
	__builtin_unreachable();
}
static inline long orb_proc_kill(cap_handle_t proc)
{
	return orb_syscall1(SYS_PROC_KILL, proc);
}
static inline long orb_proc_wait(cap_handle_t proc, uint64_t timeout_ns)
{
	return orb_syscall2(SYS_PROC_WAIT, proc, (long)timeout_ns);
}
/* ntfn is signalled when proc dies (with ntfn's badge, or bits if unbadged). */
static inline long orb_proc_watch(cap_handle_t proc, cap_handle_t ntfn, uint64_t bits)
{
	return orb_syscall3(SYS_PROC_WATCH, proc, ntfn, (long)bits);
}
static inline long orb_ipc_buffer(struct ipc_buffer *buf)
{
	return orb_syscall1(SYS_IPC_BUFFER, (long)buf);
}

static inline long orb_send(cap_handle_t ep, struct orb_msg *m, uint64_t t)
{
	return orb_ipc(SYS_SEND, ep, m, t);
}
static inline long orb_nb_send(cap_handle_t ep, struct orb_msg *m)
{
	return orb_ipc(SYS_NB_SEND, ep, m, 0);
}
static inline long orb_recv(cap_handle_t ep, struct orb_msg *m, uint64_t t)
{
	return orb_ipc(SYS_RECV, ep, m, t);
}
static inline long orb_call(cap_handle_t ep, struct orb_msg *m, uint64_t t)
{
	return orb_ipc(SYS_CALL, ep, m, t);
}
static inline long orb_reply(struct orb_msg *m)
{
	return orb_ipc(SYS_REPLY, 0, m, 0);
}
static inline long orb_reply_recv(cap_handle_t ep, struct orb_msg *m, uint64_t t)
{
	return orb_ipc(SYS_REPLY_RECV, ep, m, t);
}
static inline long orb_reply_save(void)
{
	return orb_syscall0(SYS_REPLY_SAVE);
}
static inline long orb_reply_to(cap_handle_t reply, struct orb_msg *m)
{
	return orb_ipc(SYS_REPLY_TO, reply, m, 0);
}
static inline long orb_ntfn_signal(cap_handle_t n, uint64_t bits)
{
	return orb_syscall2(SYS_NTFN_SIGNAL, n, (long)bits);
}
static inline long orb_ntfn_wait(cap_handle_t n, uint64_t timeout_ns)
{
	return orb_syscall2(SYS_NTFN_WAIT, n, (long)timeout_ns);
}

/* Ends the endpoint for good: its IPC fails with -ERR_CLOSED from now on. */
static inline long orb_endpoint_close(cap_handle_t ep)
{
	return orb_syscall1(SYS_ENDPOINT_CLOSE, ep);
}

static inline long orb_irq_bind(cap_handle_t irq, cap_handle_t ntfn)
{
	return orb_syscall2(SYS_IRQ_BIND, irq, ntfn);
}
static inline long orb_irq_ack(cap_handle_t irq)
{
	return orb_syscall1(SYS_IRQ_ACK, irq);
}
static inline long orb_ioport_enable(cap_handle_t io)
{
	return orb_syscall1(SYS_IOPORT_ENABLE, io);
}

#endif
