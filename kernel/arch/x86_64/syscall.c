/*
 * System call entry on x86-64: the MSRs that route `syscall` to
 * syscall_entry.S, the CPU protections user mode needs (SMEP, SMAP, UMIP),
 * and syscall_dispatch(), the C side of the entry.
 *
 * syscall_entry_table: where syscall_entry.S sends each number below
 * SYS_COUNT (SYS_NULL aside, which it answers itself): the leaf calls
 * (api/syscall.c) to syscall_leaf_entry, SYS_CALL and SYS_REPLY_RECV to the IPC
 * fast path's entries unless it is off (arch_syscall_fastpath_route), every
 * other number to syscall_general. Written by the boot CPU before any user
 * thread exists; read-only after.
 *
 * syscall_dispatch runs on the calling thread's kernel stack with interrupts
 * off and the user registers in the trap frame f. The null call, the leaf
 * calls and the IPC fast path (ipc/fastpath.c) never get here:
 * syscall_entry.S handles them with interrupts still off. syscall_dispatch
 * turns interrupts on and goes through the portable dispatcher,
 * syscall_invoke (api/syscall.c). On the way out: a pending reschedule, and
 * a process that was killed meanwhile, are dealt with before the thread
 * returns to user mode.
 */
#include "api/syscall.h"
#include "api/sys_table.h"
#include "arch/init.h"
#include "syscall.h"
#include "ipc/fastpath.h"
#include "debug/faultinject.h"
#include "obj/process.h"
#include "sched/sched.h"
#include "console/kprintf.h"
#include "debug/panic.h"
#include "x86/trap.h"
#include "gdt.h"
#include "x86/x86.h"
#include "arch/context.h"
#include <orbital/syscall.h>

#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_SFMASK 0xc0000084
#define EFER_SCE   (1ull << 0)

/* RFLAGS bits cleared on entry: TF, IF, DF, NT, AC (and IOPL: user has none). */
#define SFMASK_BITS                                                                                \
	((1ull << 8) | (1ull << 9) | (1ull << 10) | (1ull << 14) | (1ull << 18) | (3ull << 12))

extern char syscall_entry[], syscall_general[], syscall_leaf_entry[], syscall_fast_call[],
    syscall_fast_reply_recv[];
const void *syscall_entry_table[SYS_COUNT];

static void syscall_entry_table_init(void)
{
	for (unsigned nr = 0; nr < SYS_COUNT; nr++)
		syscall_entry_table[nr] = syscall_leaf[nr] ? syscall_leaf_entry : syscall_general;
}

void arch_syscall_fastpath_route(void)
{
	if (!fastpath_enabled)
		return;
	syscall_entry_table[SYS_CALL] = syscall_fast_call;
	syscall_entry_table[SYS_REPLY_RECV] = syscall_fast_reply_recv;
}
extern uint8_t usercopy_smap;

_Static_assert(offsetof(struct cpu, arch_fixed.syscall_rsp) == 32, "syscall_entry.S offsets");
_Static_assert(offsetof(struct cpu, arch_fixed.user_rsp) == 40, "syscall_entry.S offsets");
_Static_assert(offsetof(struct cpu, arch_fixed.tss_rsp0) == 48, "syscall_entry.S offsets");
_Static_assert(offsetof(struct cpu, arch_fixed.iobm_loaded) == 56, "syscall_entry.S offsets");
_Static_assert(sizeof(struct trap_frame) == 176, "trap_asm.h FRAME_SIZE");
_Static_assert(offsetof(struct trap_frame, rip) == 136, "trap_asm.h FRAME_RIP");
_Static_assert(offsetof(struct trap_frame, ss) == 168, "trap_asm.h FRAME_SS");
_Static_assert(offsetof(struct trap_frame, rbx) == 104 && offsetof(struct trap_frame, rax) == 112 &&
		   offsetof(struct trap_frame, rflags) == 152 &&
		   offsetof(struct trap_frame, rsp) == 160,
	       "trap_asm.h LOAD_GPRS_BUT_RCX_R11, FRAME_RFLAGS, FRAME_RSP");

void syscall_init_cpu(void)
{
	struct cpu *c = this_cpu();
	c->arch_fixed.tss_rsp0 = (char *)&c->arch.tables.tss + offsetof(struct tss, rsp);
	c->arch_fixed.iobm_loaded = &c->arch.iobm_loaded;
	if (c->id == 0)
		syscall_entry_table_init(); /* before any CPU enables syscall */

	/* SYSRET takes CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8 (gdt.h). */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UDATA - 8) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);

	uint64_t cr4 = read_cr4();
	if (cpu_features.smep)
		cr4 |= CR4_SMEP;
	if (cpu_features.smap) {
		cr4 |= CR4_SMAP;
		usercopy_smap = 1;
	}
	if (cpu_features.umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
}

void arch_syscall_report_features(void)
{
	kinfo("syscall: entry through syscall/sysret; SMEP %s, SMAP %s, UMIP %s\n",
	      cpu_features.smep ? "on" : "absent", cpu_features.smap ? "on" : "absent",
	      cpu_features.umip ? "on" : "absent");
}

void syscall_dispatch(struct trap_frame *f)
{
	/* Not a null or leaf call, nor one the IPC fast path took (syscall_entry.S). */
	uint64_t nr = f->rax;
	arch_irq_enable();
	f->rax = (uint64_t)syscall_invoke(nr, f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9);
	syscall_exit_checks();
}

/*
 * user_return_iret found a frame whose RIP is not below the top of user space
 * (a `syscall` that was the last instruction there leaves that address): iretq
 * would fault in ring 0 and sysret would too, so the thread never goes back;
 * its process is killed. Interrupts off, the kernel's GS.
 */
uint64_t user_return_refusals;

noreturn void user_return_refused(struct trap_frame *f);
noreturn void user_return_refused(struct trap_frame *f)
{
	struct thread *t = thread_current();
	__atomic_fetch_add(&user_return_refusals, 1, __ATOMIC_RELAXED);
	arch_irq_enable();
	if (!t->proc)
		panic("syscall: kernel thread returning to user address 0x%lx", f->rip);
	process_fault(t->proc, t, "return to a non-canonical address", f->rip);
}

/* On every way back to user mode: a kill to act on, a switch that is due. */
void syscall_exit_checks(void)
{
	struct thread *t = thread_current();
	for (;;) {
		if (__atomic_load_n(&t->fault_reg, __ATOMIC_RELAXED)) {
			/* Interrupts on (off after an interrupt): it may block until the
			 * process is killed. */
			arch_irq_enable();
			faultinject_user_return(t);
		}
		if (t->proc && process_dying(t->proc))
			process_thread_exit(); /* never returns */
		arch_irq_disable();
		if (!this_cpu()->need_resched)
			return;
		arch_irq_enable();
		schedule();
	}
}

_Static_assert(SYS_COUNT == 100, "syscall_entry.S SYS_COUNT");
