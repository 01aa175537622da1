/*
 * t_isolation: address-space isolation between processes and the kernel.
 *
 * Run as init (`test=user init=t_isolation`). The parent starts copies of
 * itself in child roles; each child does one forbidden thing and must be
 * killed by the fault: orb_proc_wait returns ORB_EXIT_FAULT (a child that
 * survives exits with T_SURVIVED instead, which the parent reports). The
 * forbidden things: read, write and jump to kernel memory, read the direct
 * map, write its own read-only text, touch an address that is mapped only in
 * the parent. Two more children check that the same virtual address holds
 * different memory in two processes (a page mapped at the same address, a
 * global variable of the same program) and that their writes do not reach the
 * parent. Then system calls given bad pointers (kernel half, direct map, null
 * page, unmapped, non-canonical, straddling the top of user space or the end
 * of a mapping, read-only memory as output) must return -ERR_FAULT without
 * harming the caller or creating anything, and the system must still start
 * and reap a process normally.
 */
#include "t_check.h"

#define T_KERNEL_VA                                                                                \
	0xffffffff80201000ull /* kernel .text (mapped: linker.ld puts it at +2 MiB + 4 KiB) */
#define T_DMAP_VA     0xffff800000000000ull   /* direct map of RAM */
#define T_PARENT_VA   (T_MAP_BASE + 0x100000) /* mapped in the parent only */
#define T_SURVIVED    99 /* exit status of a child whose forbidden access did not fault */
#define T_PATTERN     0x5041524e54303031ull /* "PARNT001" */
#define T_CHILD_PAT   0x4348494c44303032ull /* "CHILD002" */
#define T_GLOBAL_INIT 0x1111222233334444ull

/* A global at the same address in parent and children (same program); the parent changes it. */
static volatile uint64_t t_iso_global = T_GLOBAL_INIT;

static void t_iso_victim(void)
{
	__asm__ volatile("" ::: "memory");
}

/* ---- Child roles: each returns the exit status. ---- */

static int t_child_forbidden(const char *role, const char *arg)
{
	if (strcmp(role, "rd_kernel") == 0) {
		uint64_t v = *(volatile uint64_t *)T_KERNEL_VA;
		printf("t_isolation child: read kernel memory 0x%llx\n", (unsigned long long)v);
	} else if (strcmp(role, "wr_kernel") == 0) {
		*(volatile uint64_t *)T_KERNEL_VA = 0;
	} else if (strcmp(role, "rd_dmap") == 0) {
		uint64_t v = *(volatile uint64_t *)(T_DMAP_VA + 0x100000);
		printf("t_isolation child: read the direct map 0x%llx\n", (unsigned long long)v);
	} else if (strcmp(role, "jmp_kernel") == 0) {
		void (*fn)(void) = (void (*)(void))(uintptr_t)T_KERNEL_VA;
		fn();
	} else if (strcmp(role, "wr_text") == 0) {
		volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)&t_iso_victim;
		*p = *p; /* same byte back: harmless if the page were (wrongly) writable */
	} else if (strcmp(role, "rd_parent") == 0) {
		uint64_t v = *(volatile uint64_t *)(uintptr_t)t_parse_u64(arg);
		printf("t_isolation child: read the parent's page: 0x%llx\n",
		       (unsigned long long)v);
	} else {
		return 98;
	}
	return T_SURVIVED;
}

/* Maps its own page at the parent's address: it must read zeros (fresh frames), not the
 * parent's pattern. Writes its own pattern, which the parent must not see. */
static int t_child_own_map(const char *arg)
{
	uintptr_t va = (uintptr_t)t_parse_u64(arg);
	long mem = orb_mem_create(4096);
	volatile uint64_t *p = (volatile uint64_t *)va;

	if (va != T_PARENT_VA || mem < 0)
		return 2;
	if (orb_mem_map(orb_self(), (cap_handle_t)mem, va, 0, 4096, ORB_PROT_READ | ORB_PROT_WRITE))
		return 3;
	if (p[0] == T_PATTERN)
		return 4; /* the parent's memory */
	if (p[0] != 0 || p[511] != 0)
		return 5; /* not a zeroed frame */
	p[0] = T_CHILD_PAT;
	return 0;
}

/* Reads the global at the address the parent passed: same address, the program's initial
 * value (the parent changed its copy). Writes it, which the parent must not see. */
static int t_child_global(const char *arg)
{
	if ((uintptr_t)t_parse_u64(arg) != (uintptr_t)&t_iso_global)
		return 2;
	if (t_iso_global != T_GLOBAL_INIT)
		return 3;
	t_iso_global = T_CHILD_PAT;
	return 0;
}

/* ---- Parent. ---- */

static long t_run_child(const char *role, const char *arg)
{
	cap_handle_t proc = 0;
	long r = t_spawn_role("t_isolation", role, arg, NULL, 0, &proc);
	if (r < 0) {
		T_CHECK(false, "spawn child %s: %ld (%s)", role, r, t_errname(r));
		return r;
	}
	return t_wait_and_drop(proc);
}

static void t_check_faults(void)
{
	static const char *const roles[] = {"rd_kernel", "wr_kernel", "rd_dmap", "jmp_kernel",
					    "wr_text"};
	char what[96];

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		long st = t_run_child(roles[i], NULL);
		snprintf(what, sizeof(what), "child %s: exit status (%d = killed by a fault)",
			 roles[i], ORB_EXIT_FAULT);
		T_EQ(what, st, ORB_EXIT_FAULT);
	}
}

static void t_check_address_spaces(void)
{
	char arg[32];
	long mem = orb_mem_create(4096);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)T_PARENT_VA;
	long st;

	T_OK("parent: mem_create(4096)", mem);
	T_ERR("parent: map a page at T_PARENT_VA",
	      orb_mem_map(orb_self(), (cap_handle_t)mem, T_PARENT_VA, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	p[0] = T_PATTERN;
	snprintf(arg, sizeof(arg), "0x%llx", (unsigned long long)T_PARENT_VA);

	st = t_run_child("rd_parent", arg);
	T_EQ("child reading an address mapped only in the parent: exit status", st, ORB_EXIT_FAULT);

	st = t_run_child("own_map", arg);
	T_EQ("child mapping its own page at the parent's address reads zeros (0), not the "
	     "parent's data (4)",
	     st, 0);
	T_EQX("parent's page after the child wrote its own", p[0], T_PATTERN);

	t_iso_global = T_PATTERN;
	snprintf(arg, sizeof(arg), "0x%llx", (unsigned long long)(uintptr_t)&t_iso_global);
	st = t_run_child("global", arg);
	T_EQ("child sees its own copy of a global at the same address (status)", st, 0);
	T_EQX("parent's global after the child wrote its copy", t_iso_global, T_PATTERN);

	orb_mem_unmap(orb_self(), T_PARENT_VA, 4096);
	orb_cap_delete((cap_handle_t)mem);
}

/* System calls with bad pointers: -ERR_FAULT, the caller lives on. */
static void t_check_bad_pointers(void)
{
	static const struct {
		const char *what;
		uint64_t addr;
	} bad[] = {
	    {"kernel image", T_KERNEL_VA},
	    {"direct map", T_DMAP_VA + 0x1000},
	    {"null page", 0},
	    {"below ORB_USER_MIN", 0x8000},
	    {"unmapped user address", 0x0000600000000000ull},
	    {"first non-canonical address", ORB_USER_TOP},
	    {"non-canonical 0x00ff000000000000", 0x00ff000000000000ull},
	    {"non-canonical 0x8000000000000000", 0x8000000000000000ull},
	    {"straddling the top of user space", ORB_USER_TOP - 4},
	    {"last byte of user space", ORB_USER_TOP - 1},
	    {"all ones", ~0ull},
	};
	char what[128];
	struct orb_sysinfo before = t_settle(), after;
	long mem, r;
	struct cap_info ci;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(what, sizeof(what), "sysinfo(out = %s 0x%llx)", bad[i].what,
			 (unsigned long long)bad[i].addr);
		T_ERR(what, orb_syscall1(SYS_SYSINFO, (long)bad[i].addr), -ERR_FAULT);
		snprintf(what, sizeof(what), "debug_write(buf = %s 0x%llx, 8)", bad[i].what,
			 (unsigned long long)bad[i].addr);
		T_ERR(what, orb_syscall2(SYS_DEBUG_WRITE, (long)bad[i].addr, 8), -ERR_FAULT);
		snprintf(what, sizeof(what), "cap_identify(self, out = %s 0x%llx)", bad[i].what,
			 (unsigned long long)bad[i].addr);
		T_ERR(what, orb_syscall2(SYS_CAP_IDENTIFY, orb_self(), (long)bad[i].addr),
		      -ERR_FAULT);
		snprintf(what, sizeof(what), "proc_create(4, name = %s 0x%llx)", bad[i].what,
			 (unsigned long long)bad[i].addr);
		if (bad[i].addr == 0)
			continue; /* a null name may legitimately mean "unnamed" */
		r = orb_syscall2(SYS_PROC_CREATE, 4, (long)bad[i].addr);
		T_ERR(what, r, -ERR_FAULT);
		if (r >= 0)
			orb_cap_delete((cap_handle_t)r);
	}

	/* Output into read-only memory: the program's own text. */
	T_ERR("sysinfo(out = own read-only text)",
	      orb_syscall1(SYS_SYSINFO, (long)(uintptr_t)&t_iso_victim), -ERR_FAULT);
	T_ERR("cap_identify(self, out = own read-only text)",
	      orb_syscall2(SYS_CAP_IDENTIFY, orb_self(), (long)(uintptr_t)&t_iso_victim),
	      -ERR_FAULT);

	/* A buffer running off the end of a mapping into an unmapped page. */
	mem = orb_mem_create(4096);
	T_OK("mem_create(4096) for the edge page", mem);
	T_ERR("map the edge page",
	      orb_mem_map(orb_self(), (cap_handle_t)mem, T_PARENT_VA, 0, 4096,
			  ORB_PROT_READ | ORB_PROT_WRITE),
	      0);
	T_ERR("sysinfo(out = last 16 bytes of a mapping, rest unmapped)",
	      orb_syscall1(SYS_SYSINFO, (long)(T_PARENT_VA + 4096 - 16)), -ERR_FAULT);
	T_ERR("debug_write(buf = last 4 bytes of a mapping, 8)",
	      orb_syscall2(SYS_DEBUG_WRITE, (long)(T_PARENT_VA + 4096 - 4), 8), -ERR_FAULT);
	T_ERR("sysinfo(out = inside the mapping) works",
	      orb_syscall1(SYS_SYSINFO, (long)(T_PARENT_VA + 4096 - sizeof(struct orb_sysinfo))),
	      0);
	orb_mem_unmap(orb_self(), T_PARENT_VA, 4096);
	T_ERR("sysinfo(out = the same page after unmap)",
	      orb_syscall1(SYS_SYSINFO, (long)(T_PARENT_VA + 64)), -ERR_FAULT);
	orb_cap_delete((cap_handle_t)mem);

	/* The caller is intact and nothing was created. */
	T_ERR("cap_identify(self) after the bad calls", orb_cap_identify(orb_self(), &ci), 0);
	T_EQ("... its type", ci.type, CAP_TYPE_PROCESS);
	after = t_settle();
	T_EQ("processes after the bad calls", after.nprocs, before.nprocs);
	T_EQ("threads after the bad calls", after.nthreads, before.nthreads);
}

static int t_parent(void)
{
	long st;

	t_check_faults();
	t_check_address_spaces();
	t_check_bad_pointers();

	/* The system still runs processes normally after all those faults. */
	st = t_run_child("exit42", NULL);
	T_EQ("a normal child after the faults: exit status", st, 42);
	return t_finish("t_isolation");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && argv[1]) {
		const char *arg = argc >= 3 ? argv[2] : NULL;
		if (strcmp(argv[1], "own_map") == 0)
			return t_child_own_map(arg);
		if (strcmp(argv[1], "global") == 0)
			return t_child_global(arg);
		if (strcmp(argv[1], "exit42") == 0)
			return 42;
		if (strncmp(argv[1], "rd_", 3) == 0 || strncmp(argv[1], "wr_", 3) == 0 ||
		    strcmp(argv[1], "jmp_kernel") == 0)
			return t_child_forbidden(argv[1], arg);
	}
	return t_parent();
}
