/*
 * The way into the kernel from user mode through `syscall`, and every way
 * back out to user mode.
 *
 * On `syscall` the CPU has loaded CS/SS from STAR, saved the user RIP in rcx
 * and RFLAGS in r11, cleared the RFLAGS bits in SFMASK (IF among them, so we
 * run with interrupts off), and left RSP pointing at user memory. The entry
 * answers SYS_NULL at once, and sends every other number through
 * syscall_entry_table (syscall.c): one jump, to one of three ways in. Each
 * swaps GS to the per-CPU block, parks the user RSP there and switches to the
 * running thread's kernel stack (struct cpu.arch_fixed.syscall_rsp, kept
 * equal to the thread's kstack_top by the context switch). The general one
 * and the IPC fast path's (SYS_CALL, SYS_REPLY_RECV) push a struct
 * trap_frame (x86/trap.h) exactly as an interrupt from user mode would, so
 * every user thread that is in the kernel, blocked or preempted, has its user
 * registers in one place: the top of its kernel stack. Then
 * syscall_dispatch(frame) runs, or first the IPC fast path. A leaf call
 * (api/syscall.c: it cannot block, switch or look at the user context) saves
 * only what its C handler may change and calls it through the call table.
 *
 * Leaving: user_return_frame pops a trap frame and goes back with `sysretq`
 * when that is safe, else with `iretq`. sysret loads RIP from rcx and would
 * raise #GP in ring 0 (on Intel) if that address were non-canonical, so a
 * frame whose RIP is not below SYSRET_RIP_LIMIT takes the iret path; the same
 * path restores a frame whose CS/SS are not the standard user selectors.
 * iretq would fault in ring 0 too on a non-canonical RIP (which a `syscall`
 * as the last instruction below the top of user space leaves in the frame),
 * with the user's GS base already loaded: so a frame whose RIP is not below
 * USER_RIP_LIMIT never gets there, user_return_refused() kills the process
 * instead. Should a return instruction fault all the same (a bad frame of
 * another kind), trap_common sees the user's GS base and trap.c kills the
 * process (uctx_return_fault).
 */
#include "trap_asm.h"

#define GS_SYSCALL_RSP %gs:32
#define GS_USER_RSP    %gs:40
#define GS_TSS_RSP0    %gs:48
#define GS_IOBM_LOADED %gs:56
#define SEL_UDATA      0x23
#define SEL_UCODE      0x2b
#define VEC_SYSCALL    256
#define SYS_COUNT      100	/* include/orbital/syscall.h */
#define SYSRET_RIP_LIMIT 0x00007ffffffff000
#define USER_RIP_SHIFT	 47	/* RIP >> 47 != 0: not below ORB_USER_TOP */

/* Fields fastpath_switch_asm reads (context.c checks them at compile time). */
#define T_ON_CPU	  0x70	/* struct thread */
#define T_KSTACK_TOP	  0x78
#define T_SPACE		  0x80
#define T_FPU		  0x88
#define T_PROC		  0xb8
#define VM_ROOT		  0x10	/* struct vm_space */
#define P_IO_BITMAP	  0xf0	/* struct process */
#define UCTX_RESUME_BYTES 64	/* machine/context.h */
#define FPU_XSAVEOPT	  2	/* fpu.h */

	.section .rodata
	.balign 8
sysret_rip_limit:
	.quad SYSRET_RIP_LIMIT

	.text
	.globl syscall_entry
	.balign 16
syscall_entry:
	/* Every number but SYS_NULL below SYS_COUNT goes where
	 * syscall_entry_table says (syscall.c): the general path, a leaf call,
	 * or the IPC fast path. */
	testq %rax, %rax
	jz 1f
	cmpq $SYS_COUNT, %rax
	jae syscall_general
	jmp *syscall_entry_table(,%rax,8)
	/* SYS_NULL, answered before anything is saved: it changes nothing, its
	 * result (0) is already in rax, and rcx/r11 hold the user RIP and
	 * RFLAGS sysret restores. Interrupts are off (SFMASK) and RSP is still
	 * the user's, so nothing can run on it; NMI and #MC have IST stacks and
	 * find the user's GS base as on any entry (trap_entry.S). A RIP that
	 * sysret cannot take (syscall as the last instruction below the top of
	 * user space) goes the long way, to be refused there. */
1:	cmpq sysret_rip_limit(%rip), %rcx
	jae syscall_general
	.globl syscall_null_sysretq
syscall_null_sysretq:
	sysretq

/* The way in of every call but the leaf ones: the user context as a trap
 * frame at the top of the kernel stack. */
	.macro SYSCALL_FRAME
	swapgs
	movq %rsp, GS_USER_RSP
	movq GS_SYSCALL_RSP, %rsp
	pushq $SEL_UDATA	/* ss */
	pushq GS_USER_RSP	/* rsp */
	pushq %r11		/* rflags */
	pushq $SEL_UCODE	/* cs */
	pushq %rcx		/* rip */
	pushq $0		/* error */
	pushq $VEC_SYSCALL	/* vector */
	SAVE_GPRS
	xorl %ebp, %ebp		/* user RBP means nothing here: end backtraces */
	.endm

	.globl syscall_general
syscall_general:
	SYSCALL_FRAME
2:	movq %rsp, %rdi
	call syscall_dispatch
	jmp user_return

/* The IPC fast path's two calls skip the C dispatcher; each returns only if
 * it did not take the call (ipc/fastpath.c). With fastpath=off the table
 * sends them to syscall_general instead. */
	.globl syscall_fast_call
syscall_fast_call:
	SYSCALL_FRAME
	call fastpath_call
	jmp 2b

	.globl syscall_fast_reply_recv
syscall_fast_reply_recv:
	SYSCALL_FRAME
	call fastpath_reply_recv
	jmp 2b

/*
 * A leaf call (api/syscall.c): no trap frame. The handler runs with
 * interrupts off on the kernel stack, is handed the six argument registers
 * as a struct syscall_args pushed there, and the registers C may change are
 * put back from the stack, so the user sees only rax (and rcx, r11) change.
 * The user RSP stays in the per-CPU block meanwhile: nothing can switch
 * threads or enter from user mode on this CPU before the sysretq. A RIP
 * sysret cannot take goes the general way instead (refused there). 64 bytes
 * pushed: the call is on a 16-byte boundary.
 */
	.globl syscall_leaf_entry
syscall_leaf_entry:
	cmpq sysret_rip_limit(%rip), %rcx
	jae syscall_general
	swapgs
	movq %rsp, GS_USER_RSP
	movq GS_SYSCALL_RSP, %rsp
	pushq %rcx
	pushq %r11
	pushq %r9		/* struct syscall_args, a5 down to a0 */
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	movq %rsp, %rdi
	call *syscall_table(,%rax,8)
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %r11
	popq %rcx
	movq GS_USER_RSP, %rsp
	swapgs
	sysretq

/* Returns to user mode from the trap frame at %rsp. Interrupts may be on. */
	.globl user_return
user_return:
	cli
	cmpq $SEL_UCODE, FRAME_CS(%rsp)
	jne user_return_iret
	cmpq $SEL_UDATA, FRAME_SS(%rsp)
	jne user_return_iret
/* A frame made by syscall_entry (standard selectors), interrupts off. */
user_return_sysret:
	movq FRAME_RIP(%rsp), %rcx
	cmpq sysret_rip_limit(%rip), %rcx
	jae user_return_iret
	LOAD_GPRS_BUT_RCX_R11	/* rcx = rip already */
	movq FRAME_RFLAGS(%rsp), %r11
	movq FRAME_RSP(%rsp), %rsp	/* user RSP: from here on only registers */
	swapgs
	.globl user_return_sysretq
user_return_sysretq:
	sysretq

/* Also trap_common's way back to user mode. Interrupts off. */
	.globl user_return_iret
user_return_iret:
	movq FRAME_RIP(%rsp), %r11
	shrq $USER_RIP_SHIFT, %r11
	jnz user_return_bad_rip
	RESTORE_GPRS
	addq $16, %rsp
	swapgs
	.globl user_return_iretq
user_return_iretq:
	iretq

user_return_bad_rip:
	movq %rsp, %rdi
	call user_return_refused	/* never returns: the process is killed */
	ud2

/*
 * void arch_user_enter(struct trap_frame *f): starts a user thread from a
 * frame built at the top of its kernel stack (no kernel frames above it).
 */
	.globl arch_user_enter
arch_user_enter:
	movq %rdi, %rsp
	jmp user_return

/*
 * The first code of a thread whose user context was set up, or resumed, by
 * someone else (IPC): the switch frame built by arch_thread_resume_user()
 * returns here with the trap frame at the top of this thread's stack.
 */
	.globl user_resume_trampoline
user_resume_trampoline:
	movq %r15, %rsp		/* r15 = the trap frame, from the resume frame; the
				   C code below runs beneath it */
	call user_resumed	/* finishes the switch, and a wait someone else ended */
	jmp user_return

/*
 * void fastpath_leave(uint32_t *prev_on_cpu, struct trap_frame *next):
 * the end of the IPC fast path's C switch (fastpath=c). Moves onto the next
 * thread's stack, and only then lets another CPU run the previous thread
 * (its on_cpu goes to 0).
 */
	.globl fastpath_leave
fastpath_leave:
	movq %rsi, %rsp
	movl $0, (%rdi)
	jmp user_return_sysret	/* a syscall frame; interrupts are off */

/*
 * noreturn void fastpath_switch_asm(struct thread *prev, struct thread *next):
 * the IPC fast path's switch (ipc/fastpath.c has made next current and
 * blocked prev; interrupts off, ipc_lock released). The same steps as
 * arch_fastpath_switch_c in context.c, which fastpath=c runs instead:
 * CR3 unless the address space is the same; FPU state out of prev and into
 * next; next's ring-3 entry stacks (the syscall entry's and TSS rsp0); the
 * I/O bitmap only if next's process or this CPU has one (ioperm.h decides
 * the rest: nothing when next's is the one loaded; the two processes are not
 * compared first, which would cost every switch between two processes
 * without ports); then next's user registers, through sysret.
 */
	.globl fastpath_switch_asm
fastpath_switch_asm:
	movq T_SPACE(%rsi), %rax
	cmpq T_SPACE(%rdi), %rax
	je 1f
	movq VM_ROOT(%rax), %rax
	movq %rax, %cr3
1:	movq T_FPU(%rdi), %r8
	movq T_FPU(%rsi), %r9
	cmpb $0, fpu_mode(%rip)
	jne 5f
	fxsave64 (%r8)
	fxrstor64 (%r9)
2:	movq T_KSTACK_TOP(%rsi), %rax
	subq $UCTX_RESUME_BYTES, %rax
	movq %rax, GS_SYSCALL_RSP
	movq GS_TSS_RSP0, %rcx
	movq %rax, (%rcx)
	movq T_PROC(%rsi), %rcx		/* a bitmap here or in next's process? */
	movq GS_IOBM_LOADED, %rdx
	movq (%rdx), %rdx
	orq P_IO_BITMAP(%rcx), %rdx
	jnz 6f
3:	leaq -FRAME_SIZE(%rax), %rsp	/* next's user registers */
	movl $0, T_ON_CPU(%rdi)		/* off prev's stack: another CPU may run it */
	jmp user_return_sysret		/* a syscall frame; interrupts are off */
5:	movl $-1, %eax			/* XSAVE: every component XCR0 enables */
	movl $-1, %edx
	cmpb $FPU_XSAVEOPT, fpu_mode(%rip)
	jne 7f
	xsaveopt64 (%r8)
	jmp 8f
7:	xsave64 (%r8)
8:	xrstor64 (%r9)
	jmp 2b
6:	pushq %rdi			/* ioperm.h: nothing if it is loaded already */
	pushq %rax
	pushq %rcx			/* (keeps the stack aligned for the call) */
	movq %rcx, %rdi
	call fastpath_ioperm_switch	/* context.c */
	popq %rcx
	popq %rax
	popq %rdi
	jmp 3b
