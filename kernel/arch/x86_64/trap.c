/*
 * Trap dispatch and the crash report.
 *
 * trap_dispatch() decides what a trap is: a fault inside an armed probe
 * (resume at its recovery point), an exception nobody handles (report and
 * panic), or an interrupt (handed to the IRQ layer once it exists; for now
 * logged). The report names the exception, decodes the error code, shows CR2
 * for page faults, all registers and a symbolised backtrace.
 */
#include "x86/trap.h"
#include "obj/process.h"
#include "api/syscall.h"
#include "debug/panic.h"
#include "debug/panic_stop.h"
#include "debug/ksyms.h"
#include "console/kprintf.h"
#include "x86/x86.h"
#include "arch/backtrace.h"
#include "sched/sched.h"
#include "x86/lapic.h"
#include "smp.h"

void irq_dispatch(unsigned vector);

struct fault_info last_recovered_fault;

/* probe.S addresses the recovery point through GS at fixed offsets. */
_Static_assert(offsetof(struct cpu, arch_fixed.probe_rip) == 8, "probe.S offsets");
_Static_assert(offsetof(struct cpu, arch_fixed.probe_rsp) == 16, "probe.S offsets");
_Static_assert(offsetof(struct cpu, arch_fixed.probe_active) == 24, "probe.S offsets");

static const char *const exception_names[32] = {
    [0] = "Divide Error (#DE)",
    [1] = "Debug (#DB)",
    [2] = "Non-Maskable Interrupt (NMI)",
    [3] = "Breakpoint (#BP)",
    [4] = "Overflow (#OF)",
    [5] = "BOUND Range Exceeded (#BR)",
    [6] = "Invalid Opcode (#UD)",
    [7] = "Device Not Available (#NM)",
    [8] = "Double Fault (#DF)",
    [9] = "Coprocessor Segment Overrun",
    [10] = "Invalid TSS (#TS)",
    [11] = "Segment Not Present (#NP)",
    [12] = "Stack-Segment Fault (#SS)",
    [13] = "General Protection Fault (#GP)",
    [14] = "Page Fault (#PF)",
    [16] = "x87 Floating-Point Exception (#MF)",
    [17] = "Alignment Check (#AC)",
    [18] = "Machine Check (#MC)",
    [19] = "SIMD Floating-Point Exception (#XM)",
    [20] = "Virtualization Exception (#VE)",
    [21] = "Control Protection Exception (#CP)",
    [28] = "Hypervisor Injection Exception (#HV)",
    [29] = "VMM Communication Exception (#VC)",
    [30] = "Security Exception (#SX)",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return exception_names[vector] ? exception_names[vector] : "Reserved Exception";
	return NULL;
}

static void print_pf_error(uint64_t e)
{
	kprintf(" (%s, %s, %s mode%s%s)", (e & 1) ? "protection violation" : "page not present",
		(e & 2) ? "write" : ((e & 16) ? "instruction fetch" : "read"),
		(e & 4) ? "user" : "kernel", (e & 8) ? ", reserved bit set" : "",
		(e & 32) ? ", protection key" : "");
}

static void print_sym(uint64_t addr)
{
	uint64_t off;
	const char *name = ksyms_lookup(addr, &off);
	if (name)
		kprintf(" <%s+0x%lx>", name, off);
}

void trap_report(const struct trap_frame *f)
{
	kprintf("\n*** CPU exception: %s, vector %lu ***\n", trap_name((unsigned)f->vector),
		f->vector);
	kprintf("error code: 0x%lx", f->error);
	if (f->vector == VEC_PF)
		print_pf_error(f->error);
	kprintf("\n");
	if (f->vector == VEC_PF)
		kprintf("CR2 (fault address): 0x%016lx\n", read_cr2());
	kprintf("RIP: 0x%016lx", f->rip);
	print_sym(f->rip);
	kprintf("\nCS: 0x%04lx  SS: 0x%04lx  RFLAGS: 0x%016lx  (%s mode)\n", f->cs, f->ss,
		f->rflags, (f->cs & 3) ? "user" : "kernel");
	kprintf("RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("RSI=%016lx RDI=%016lx RBP=%016lx RSP=%016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
	kprintf("R12=%016lx R13=%016lx R14=%016lx R15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
	kprintf("CR0=%016lx CR3=%016lx CR4=%016lx\n", read_cr0(), read_cr3(), read_cr4());
	/* A fault on a function's first instruction happens before it pushed its
	 * frame pointer: its caller is then found through the return address on
	 * top of the stack, not through RBP. */
	uint64_t off, ret;
	if (!(f->cs & 3) && ksyms_lookup(f->rip, &off) && off == 0 &&
	    probe_read64((void *)f->rsp, &ret) == 0 && ksyms_lookup(ret, &off)) {
		kprintf("(fault at function entry; caller from the stack: 0x%016lx", ret);
		print_sym(ret - 1);
		kprintf(")\n");
	}
	backtrace_print(f->rip, f->rbp);
}

/* A fault inside an armed probe: record it and resume at the recovery point. */
static bool probe_recover(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	if ((f->cs & 3) || !c || !c->arch_fixed.probe_active)
		return false;
	if (f->vector != VEC_PF && f->vector != VEC_GP && f->vector != VEC_INVALID_OPCODE)
		return false;
	last_recovered_fault = (struct fault_info){
	    .vector = f->vector,
	    .error = f->error,
	    .addr = f->vector == VEC_PF ? read_cr2() : 0,
	    .rip = f->rip,
	};
	c->arch_fixed.probe_active = 0;
	f->rip = c->arch_fixed.probe_rip;
	f->rsp = c->arch_fixed.probe_rsp;
	return true;
}

static void interrupt(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	struct cpu *c = this_cpu();
	if (v == VEC_TIMER) {
		lapic_eoi();
		lapic_timer_rearm();
		sched_tick();
	} else if (v == VEC_IPI_RESCHED) {
		lapic_eoi();
		c->need_resched = true;
	} else if (v == VEC_IPI_TLB) {
		tlb_shootdown_ack();
		lapic_eoi();
	} else if (v >= VEC_IRQ_FIRST && v <= VEC_IRQ_LAST) {
		irq_dispatch(v);
	} else if (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16) {
		/* A spurious IRQ 7/15 from the masked 8259s: no EOI is owed. */
	} else if (v == VEC_SPURIOUS) {
		/* Spurious local APIC interrupt: no EOI. */
	} else if (v == VEC_APIC_ERROR) {
		kwarn("lapic: error interrupt on CPU %u\n", c->id);
		lapic_eoi();
	} else {
		kwarn("trap: unexpected interrupt, vector %u on CPU %u\n", v, c->id);
		lapic_eoi();
	}
	/* Preempt if the tick or an IPI asked for it and the interrupted code allows it. */
	if (c->need_resched && c->preempt_off == 0 && (f->rflags & (1u << 9)) && c->current)
		schedule();
}

/*
 * An exception in user mode is the process's fault, never the kernel's: log
 * it with the address and RIP, kill the process, end this thread.
 */
static noreturn void user_fault(struct trap_frame *f)
{
	struct thread *t = thread_current();
	char what[96];
	if (f->vector == VEC_PF)
		ksnprintf(what, sizeof(what), "%s at address 0x%lx (%s%s)", trap_name(14),
			  read_cr2(), (f->error & 1) ? "protection, " : "not present, ",
			  (f->error & 16)  ? "instruction fetch"
			  : (f->error & 2) ? "write"
					   : "read");
	else
		ksnprintf(what, sizeof(what), "%s, error code 0x%lx",
			  trap_name((unsigned)f->vector) ? trap_name((unsigned)f->vector)
							 : "exception",
			  f->error);
	arch_irq_enable();
	if (!t->proc)
		panic("trap: user-mode exception in a kernel thread");
	process_fault(t->proc, t, what, f->rip);
}

/*
 * A return to user mode refused its frame: a #GP (or #SS, #NP) at the sysretq
 * or iretq of syscall_entry.S, in kernel mode but with the user's GS base,
 * which trap_common has swapped out. The frame is the thread's, so the process
 * dies, with a report that says so, and the kernel goes on. (A non-canonical
 * RIP never gets that far: user_return_refused.)
 */
extern const char user_return_iretq[], user_return_sysretq[], syscall_null_sysretq[];
uint64_t user_return_faults;

static void return_fault(struct trap_frame *f)
{
	bool iret = f->rip == (uint64_t)user_return_iretq;
	if (!iret && f->rip != (uint64_t)user_return_sysretq &&
	    f->rip != (uint64_t)syscall_null_sysretq)
		return;
	struct thread *t = thread_current();
	if (!t->proc)
		return;
	/* SAFETY: the faulting instruction's stack is this thread's kernel stack;
	 * for iretq it points at the frame being returned through (RIP first). */
	uint64_t rip = iret ? *(const uint64_t *)f->rsp : f->rcx;
	char what[96];
	ksnprintf(what, sizeof(what), "%s returning to user mode, error code 0x%lx",
		  trap_name((unsigned)f->vector) ? trap_name((unsigned)f->vector) : "exception",
		  f->error);
	__atomic_fetch_add(&user_return_faults, 1, __ATOMIC_RELAXED);
	arch_irq_enable();
	process_fault(t->proc, t, what, rip);
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector >= 32) {
		interrupt(f);
		if ((f->cs & 3) && thread_current()->proc)
			syscall_exit_checks(); /* killed meanwhile? */
		return;
	}
	if (f->vector == VEC_NMI && panic_in_progress())
		arch_halt_forever(); /* another CPU panicked and stopped us */
	if (probe_recover(f))
		return;
	if (f->cs & 3) {
		user_fault(f); /* the process dies; the kernel goes on */
		return;
	}
	if (f->vector == VEC_GP || f->vector == VEC_SS || f->vector == VEC_NP)
		return_fault(f); /* returns only if it was not that */
	if (!panic_enter())
		arch_halt_forever();
	trap_report(f);
	kprintf("KERNEL PANIC: unhandled %s in %s mode on CPU %u\n", trap_name((unsigned)f->vector),
		(f->cs & 3) ? "user" : "kernel", this_cpu()->id);
	panic_halt();
}
