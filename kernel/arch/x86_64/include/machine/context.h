/*
 * x86-64's half of arch/context.h: the user context of a thread (uctx_*),
 * what portable code (IPC, system calls, process start-up) may read and
 * change of a user thread's registers without naming a register. Only
 * arch/context.h and arch code include this; arch/context.h lists the names.
 *
 * A user thread's user registers live in the struct trap_frame at the very
 * top of its kernel stack whenever it is in the kernel (syscall_entry.S and
 * the interrupt stubs both put it there; context.c reserves the space), so
 * these work for the running thread and for blocked ones alike. Caller holds
 * whatever lock keeps the thread from running meanwhile (for IPC: ipc_lock,
 * and the thread is blocked or is the caller).
 *
 * The message registers follow include/orbital/syscall.h.
 */
#ifndef ORB_MACHINE_CONTEXT_H
#define ORB_MACHINE_CONTEXT_H

#include "lib/types.h"
#include "sched/thread.h"
#include "x86/trap.h"

/*
 * The top of every thread's kernel stack:
 *   kstack_top - 64 .. kstack_top    the resume switch frame (written once, at
 *                                   creation): what switch_stacks() pops to
 *                                   send a blocked thread straight back to
 *                                   user mode (arch_thread_resume_user)
 *   below that, sizeof(trap_frame)   the user registers; the CPU (TSS rsp0)
 *                                   and syscall_entry start pushing at
 *                                   kstack_top - 64
 *   below that                       the thread's kernel frames
 */
#define UCTX_RESUME_BYTES 64

static inline uint64_t uctx_entry_rsp(const struct thread *t)
{
	return t->kstack_top - UCTX_RESUME_BYTES;
}

static inline struct trap_frame *uctx_frame(const struct thread *t)
{
	return (struct trap_frame *)(uctx_entry_rsp(t) - sizeof(struct trap_frame));
}

/* The syscall's return value. */
static inline void uctx_set_ret(struct thread *t, int64_t v)
{
	uctx_frame(t)->rax = (uint64_t)v;
}

static inline int64_t uctx_get_ret(const struct thread *t)
{
	return (int64_t)uctx_frame(t)->rax;
}

/* The message a thread sends (valid while it is in an IPC syscall). */
static inline uint64_t uctx_msg_ep(const struct thread *t)
{
	return uctx_frame(t)->rdi;
}
static inline uint64_t uctx_msg_tag(const struct thread *t)
{
	return uctx_frame(t)->rsi;
}
static inline uint64_t uctx_msg_timeout(const struct thread *t)
{
	return uctx_frame(t)->r12;
}
static inline void uctx_msg_words(const struct thread *t, uint64_t w[4])
{
	const struct trap_frame *f = uctx_frame(t);
	w[0] = f->rdx;
	w[1] = f->r10;
	w[2] = f->r8;
	w[3] = f->r9;
}

/* Delivers a received message: status 0, badge, tag, words 0..3. */
static inline void uctx_deliver(struct thread *t, uint64_t badge, uint64_t tag, const uint64_t w[4])
{
	struct trap_frame *f = uctx_frame(t);
	f->rax = 0;
	f->rdi = badge;
	f->rsi = tag;
	f->rdx = w[0];
	f->r10 = w[1];
	f->r8 = w[2];
	f->r9 = w[3];
}

/* Delivers the register message `from` is sending to `to` (fast path): the
 * words its tag counts (at most 4, which the fast path has checked), and 0
 * in the word registers beyond, as the general path delivers them. */
static inline __attribute__((always_inline)) void
uctx_copy_msg(struct thread *to, const struct thread *from, uint64_t badge)
{
	struct trap_frame *d = uctx_frame(to);
	const struct trap_frame *s = uctx_frame(from);
	uint64_t tag = s->rsi;
	d->rax = 0;
	d->rdi = badge;
	d->rsi = tag;
	if (__builtin_expect((tag >> 32) == 1, 1)) { /* the common case first: one test */
		uint64_t zero = 0;
		__asm__("" : "+r"(zero)); /* one register of zeros for the three stores */
		d->rdx = s->rdx;
		d->r10 = zero;
		d->r8 = zero;
		d->r9 = zero;
		return;
	}
	switch (tag >> 32) {
	case 0:
		d->rdx = 0;
		d->r10 = 0;
		d->r8 = 0;
		d->r9 = 0;
		break;
	case 2:
		d->rdx = s->rdx;
		d->r10 = s->r10;
		d->r8 = 0;
		d->r9 = 0;
		break;
	case 3:
		d->rdx = s->rdx;
		d->r10 = s->r10;
		d->r8 = s->r8;
		d->r9 = 0;
		break;
	default:
		d->rdx = s->rdx;
		d->r10 = s->r10;
		d->r8 = s->r8;
		d->r9 = s->r9;
		break;
	}
}

/* Sets up a fresh user context: start at entry with the stack at sp and arg in the first argument
 * register. */
static inline void uctx_init(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg)
{
	struct trap_frame *f = uctx_frame(t);
	*f = (struct trap_frame){0};
	f->rip = entry;
	f->rsp = sp;
	f->rdi = arg;
	f->cs = 0x2b;	   /* SEL_UCODE */
	f->ss = 0x23;	   /* SEL_UDATA */
	f->rflags = 0x202; /* IF */
	f->vector = 256;   /* like a syscall frame */
}

/* Fault injection (debug/faultinject.c): the user registers a corrupted
 * process could have set itself (the general ones, the instruction and stack
 * pointers), by index, without naming them. */
#define UCTX_NREGS 17

/* The user stack pointer saved at t's last entry to the kernel. */
static inline uint64_t uctx_user_sp(const struct thread *t)
{
	return uctx_frame(t)->rsp;
}

/* Flips bit `bit` (0..63) of user register `reg` (0..UCTX_NREGS-1) of t. */
static inline void uctx_flip_bit(struct thread *t, unsigned reg, unsigned bit)
{
	static const uint8_t at[UCTX_NREGS] = {
	    offsetof(struct trap_frame, r15), offsetof(struct trap_frame, r14),
	    offsetof(struct trap_frame, r13), offsetof(struct trap_frame, r12),
	    offsetof(struct trap_frame, r11), offsetof(struct trap_frame, r10),
	    offsetof(struct trap_frame, r9),  offsetof(struct trap_frame, r8),
	    offsetof(struct trap_frame, rbp), offsetof(struct trap_frame, rdi),
	    offsetof(struct trap_frame, rsi), offsetof(struct trap_frame, rdx),
	    offsetof(struct trap_frame, rcx), offsetof(struct trap_frame, rbx),
	    offsetof(struct trap_frame, rax), offsetof(struct trap_frame, rip),
	    offsetof(struct trap_frame, rsp)};
	if (reg >= UCTX_NREGS)
		return;
	uint64_t *r = (uint64_t *)((char *)uctx_frame(t) + at[reg]);
	*r ^= 1ull << (bit & 63);
}

/* Leaves for user mode with the thread's user context (never returns). */
noreturn void arch_user_enter(struct trap_frame *f);
static inline noreturn void uctx_enter(struct thread *t)
{
	arch_user_enter(uctx_frame(t));
}

/* The IPC fast path's switch: the assembly one (syscall_entry.S), or the C
 * one (context.c) with fastpath=c. */
noreturn void fastpath_switch_asm(struct thread *prev, struct thread *next);
noreturn void arch_fastpath_switch_c(struct thread *prev, struct thread *next);
extern bool arch_fastpath_c;
static inline __attribute__((always_inline)) noreturn void arch_fastpath_switch(struct thread *prev,
										struct thread *next)
{
	if (__builtin_expect(arch_fastpath_c, 0))
		arch_fastpath_switch_c(prev, next);
	fastpath_switch_asm(prev, next);
}

/* Arranges for a thread that is switched out (blocked) to go straight back to
 * user mode with its user context when it next runs, dropping whatever kernel
 * frames it had below (the fast path uses this). */
static inline void arch_thread_resume_user(struct thread *t)
{
	t->saved_sp = uctx_entry_rsp(t);
}

#endif
