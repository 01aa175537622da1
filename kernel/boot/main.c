/*
 * kmain: the kernel's start-up, one step after another.
 *
 * boot.S calls kmain(magic, info) on the boot stack, in the higher half, with
 * the boot page tables (first 4 GiB identity and direct-mapped). Each step
 * below depends only on the ones before it; nothing runs from constructors.
 */
#include "debug/faultinject.h"
#include "boot/bootinfo.h"
#include "boot/kmain.h"
#include "console/kprintf.h"
#include "debug/panic.h"
#include "lib/string.h"
#include "mm/mem_init.h"
#include "arch/vm.h"
#include "boot/userinit.h"
#include "obj/irq.h"
#include "obj/process.h"
#include "api/syscall.h"
#include "ipc/fastpath.h"
#include "arch/context.h"
#include <orbital/ipc.h>
#include "mm/phys.h"
#include "tests/kernel/ktest.h"
#include "sched/sched.h"
#include "arch/cpu.h"
#include "arch/init.h"
#include "arch/smp.h"

#define ORBITAL_VERSION "0.1"

struct boot_info boot_info;
uint32_t boot_magic;
paddr_t boot_info_addr;

/* Boot page tables map the first 4 GiB at the direct-map base; nothing else
 * can be read before kmap_setup(). */
const void *boot_phys_read(void *ctx, paddr_t addr, size_t len)
{
	(void)ctx;
	if (addr + len < addr || addr + len > GiB(4))
		return NULL;
	return phys_to_virt(addr);
}

noreturn void boot_fail(const struct boot_info *bi)
{
	panic("boot: %s", bi->error[0] ? bi->error : "invalid boot information");
}

static const char *protocol_name(uint32_t p)
{
	return p == BOOT_PROTO_MULTIBOOT2 ? "Multiboot2" : p == BOOT_PROTO_PVH ? "PVH" : "unknown";
}

static void print_memory_map(const struct boot_info *bi)
{
	static const char *const types[] = {"?",	"usable",   "ACPI reclaimable",
					    "ACPI NVS", "reserved", "bad"};
	kinfo("Memory map (%zu regions):\n", bi->mmap_count);
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_region *m = &bi->mmap[i];
		kinfo("  [0x%012lx - 0x%012lx) %s\n", m->base, m->base + m->length,
		      types[m->type <= BOOT_MEM_BAD ? m->type : 0]);
	}
	for (size_t i = 0; i < bi->module_count; i++)
		kinfo("Module %zu: [0x%lx - 0x%lx) %s\n", i, bi->modules[i].start,
		      bi->modules[i].end, bi->modules[i].name);
}

/* The first thread: runs the tests in test mode; later, starts user space. */
static void kmain_thread(void *arg)
{
	(void)arg;
	/* Test mode: run the named in-kernel test and leave QEMU with its result. */
	char test[BOOT_CMDLINE_MAX];
	if (bootinfo_cmdline_get(&boot_info, "test", test, sizeof(test)))
		ktest_main(test);
	/* Fault injection into services, only if the command line asks for it. */
	faultinject_start(&boot_info);
	/* User space: init, from the boot archive. */
	char name[32] = "init";
	bootinfo_cmdline_get(&boot_info, "init", name, sizeof(name));
	struct process *p;
	if (userinit_start(&boot_info, name, &p) != 0) {
		kprintf("Orbital is up, without user space (no init); the CPUs idle.\n");
		return;
	}
	int64_t st = process_wait(p, IPC_TIMEOUT_NEVER);
	kobject_put(&p->obj);
	kprintf("init exited with status %ld; the CPUs idle.\n", st);
}

/* Step 2: the boot information, and the options wanted before anything else. */
static void kmain_boot_info(uint32_t magic, paddr_t info)
{
	if (bootinfo_parse(&boot_info, magic, info, boot_phys_read, NULL))
		boot_fail(&boot_info);
	if (bootinfo_cmdline_has(&boot_info, "test"))
		ktest_exit_on_panic();
	char level[8];
	if (bootinfo_cmdline_get(&boot_info, "loglevel", level, sizeof(level)) && level[0] >= '0' &&
	    level[0] <= '3')
		klog_set_level(level[0] - '0');
}

static void kmain_banner(void)
{
	kprintf("Orbital %s (x86_64) booted via %s%s%s on %s\n", ORBITAL_VERSION,
		protocol_name(boot_info.protocol), boot_info.loader[0] ? " from " : "",
		boot_info.loader, arch_cpu_name());
	kinfo("Command line: %s\n", boot_info.cmdline);
	print_memory_map(&boot_info);
}

/* Step 9: the thread running now, on the boot stack, becomes CPU 0's idle thread. */
static void kmain_sched(void)
{
	struct thread *idle = thread_create_idle(cpu_by_id(0), (vaddr_t)boot_stack_top);
	if (!idle)
		panic("sched: no memory for the idle thread");
	sched_init_cpu(cpu_by_id(0), idle);
}

/* Step 11: the features found, and the IPC fast path unless fastpath=off
 * (fastpath=c: with the C version of its switch). */
static void kmain_syscalls(void)
{
	arch_syscall_report_features();
	char fp[8];
	bool given = bootinfo_cmdline_get(&boot_info, "fastpath", fp, sizeof(fp));
	if (given && strcmp(fp, "off") == 0)
		fastpath_enabled = false;
	if (given && strcmp(fp, "c") == 0)
		arch_fastpath_c = true; /* its switch in C, not the architecture's assembly */
	arch_syscall_fastpath_route();
	kinfo("ipc: fast path %s\n", !fastpath_enabled ? "off"
				     : arch_fastpath_c ? "on (C switch)"
						       : "on");
}

void kmain(uint32_t magic, paddr_t info)
{
	boot_magic = magic;
	boot_info_addr = info;

	/* 1. Serial console: from here on, everything can be reported. */
	arch_console_init();

	/* 2. Boot information, from whichever protocol started us. */
	kmain_boot_info(magic, info);

	/* 3. CPU tables: GDT, TSS with IST stacks, IDT. Exceptions are reported from now on. */
	arch_cpu_init();
	kmain_banner();

	/* 4. Physical memory: the frame allocator. */
	pmm_setup(&boot_info);

	/* 5. Virtual memory: the kernel's own page tables. */
	kmap_setup(&boot_info);

	/* 5b. The kernel half that every user address space will share. */
	vm_kernel_half_prepare();

	/* 5c. This CPU's exception stacks (#DF, NMI, #MC), guarded, from the
	 * kernel-stack allocator: until now those ran on the boot stack, whose
	 * guard page kmap_setup has just unmapped. */
	arch_cpu_init_stacks();

	/* 6. Kernel heap. */
	kheap_setup(bootinfo_cmdline_has(&boot_info, "heapdebug") ||
		    bootinfo_cmdline_has(&boot_info, "test"));

	/* 7. The screen console (VGA text or framebuffer); it gets the banner too. */
	arch_screen_init(&boot_info);
	mem_print_summary();

	/* 8. Platform: ACPI tables, interrupt controllers, timer calibration, the clock. */
	arch_platform_init(&boot_info);

	/* 9. Scheduler: what runs now becomes CPU 0's idle thread. */
	kmain_sched();

	/* 10. The other CPUs: a block each (sched/cpu.h) for those the firmware
	 * lists, allocated now that their number is known, then started. */
	kprintf("CPUs: %u online\n", arch_start_cpus());

	/* 10b. The IRQ objects that user-space drivers will receive (through init). */
	irq_init();

	/* 11. System calls (entry set up per CPU in arch_cpu_init and AP start). */
	kmain_syscalls();

	/* 12. Start-up goes on in a real thread; this one idles. */
	if (!thread_create("main", kmain_thread, NULL, THREAD_PRIO_DEFAULT, 0))
		panic("sched: cannot create the main thread");
	arch_irq_enable();
	sched_idle_loop();
}
