/*
 * A thread's contexts: its kernel context (where it stopped when it was
 * switched out) and its user context (a user thread's registers, saved
 * whenever it is in the kernel). The scheduler, IPC, system calls and
 * process start-up use these and never name a register.
 *
 * Out of line (kernel/arch/<arch>/context.c and its assembly):
 *   arch_thread_setup(t, fresh)       the thread's FPU area; with fresh, also
 *                                     the first switch frame on its new stack
 *   arch_thread_switch(prev, next)    this CPU leaves prev for next
 *   arch_user_enter(...)              the architecture's way into user mode,
 *                                     behind uctx_enter()
 * Inline, from the architecture's machine/context.h:
 *   arch_fastpath_switch(prev, next)  the IPC fast path: straight into next's
 *                                     user context (never returns)
 *   arch_thread_resume_user(t)        t, switched out, goes straight back to
 *                                     user mode when it next runs
 *   uctx_init(t, entry, sp, arg)      a fresh user context
 *   uctx_enter(t)                     leaves for user mode (never returns)
 *   uctx_set_ret(t, v), uctx_get_ret(t)            a system call's result
 *   uctx_msg_ep/_tag/_timeout(t), uctx_msg_words(t, w)  the IPC message t sends
 *   uctx_deliver(t, badge, tag, w)    delivers a received message to t
 *   uctx_copy_msg(to, from, badge)    the fast path's message copy
 *   uctx_user_sp(t)                   t's user stack pointer
 *   UCTX_NREGS, uctx_flip_bit(t, reg, bit)  fault injection: a user register
 *                                     by index
 * The message registers follow include/orbital/syscall.h. The inline
 * accessors work for the running thread and for blocked ones alike; the
 * caller holds whatever lock keeps t from running meanwhile (for IPC:
 * ipc_lock, and t is blocked or is the caller).
 */
#ifndef ORB_ARCH_CONTEXT_H
#define ORB_ARCH_CONTEXT_H

#include "lib/types.h"
#include "machine/context.h"

struct thread;

/* Gives t its FPU area (t->fpu stays NULL if memory ran out) and, if fresh_stack,
 * the switch frame that starts it in the scheduler's thread entry the first
 * time it is switched to. Without fresh_stack a CPU is already running on
 * t's stack (an idle thread). */
void arch_thread_setup(struct thread *t, bool fresh_stack);

/* Saves prev's kernel context, switches to next's address space, kernel
 * stack and FPU state, and returns when some CPU switches back to prev.
 * Interrupts off; the scheduler holds the run-queue lock across it. */
void arch_thread_switch(struct thread *prev, struct thread *next);

/* The IPC fast path (ipc/fastpath.c): both are user threads; prev is
 * blocked and set up by arch_thread_resume_user(), next is already current.
 * This CPU goes straight to next's user context. Interrupts off. Inline: it
 * picks the architecture's hand-written switch, or its C version when
 * arch_fastpath_c is set (`fastpath=c`: the same steps, kept and tested). */
static inline noreturn void arch_fastpath_switch(struct thread *prev, struct thread *next);
extern bool arch_fastpath_c;

static inline void arch_thread_resume_user(struct thread *t);
static inline void uctx_init(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg);
static inline noreturn void uctx_enter(struct thread *t);
static inline void uctx_set_ret(struct thread *t, int64_t v);
static inline int64_t uctx_get_ret(const struct thread *t);
static inline uint64_t uctx_msg_ep(const struct thread *t);
static inline uint64_t uctx_msg_tag(const struct thread *t);
static inline uint64_t uctx_msg_timeout(const struct thread *t);
static inline void uctx_msg_words(const struct thread *t, uint64_t w[4]);
static inline void uctx_deliver(struct thread *t, uint64_t badge, uint64_t tag,
				const uint64_t w[4]);
static inline void uctx_copy_msg(struct thread *to, const struct thread *from, uint64_t badge);
static inline uint64_t uctx_user_sp(const struct thread *t);
static inline void uctx_flip_bit(struct thread *t, unsigned reg, unsigned bit);

#endif
