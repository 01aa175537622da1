/*
 * Quotas: every kernel allocation a process causes is charged to a quota
 * that a capability holder controls, so no process can use up memory the
 * rest of the system needs (docs/kernel.md, "Quotas").
 *
 * Cases: a hostile quota argument (other types, stale handles, missing
 * rights, huge limits, overflow, bad pointers) is refused cleanly; child
 * quotas cannot exceed their parent; the page-table drain (one 4 KiB Memory
 * object mapped at 2 MiB strides) stops at -ERR_QUOTA long before free memory
 * runs out and others can still create objects; the same for processes,
 * cspace slots, threads, and (in a child bound to a small quota) endpoints,
 * notifications and Memory objects; everything charged is given back when
 * the process dies or the object is deleted (the quota's usage returns to
 * its starting value; the harness checks free frames around the whole run).
 */
#include "t_check.h"

#define KIB	    1024ull
#define MIB	    (1024ull * 1024)
#define STRIDE	    (2 * MIB)
#define DRAIN_MAX   100000 /* attempts before calling a drain unbounded */
#define CHILD_QUOTA (256 * KIB)

static uint64_t used_of(cap_handle_t q)
{
	struct orb_quota_info qi = {0, 0};
	return orb_quota_info(q, &qi) == 0 ? qi.used : UINT64_MAX;
}

static uint64_t limit_of(cap_handle_t q)
{
	struct orb_quota_info qi = {0, 0};
	return orb_quota_info(q, &qi) == 0 ? qi.limit : 0;
}

/*
 * q's usage once a dead process is all gone. A process that ran threads is
 * seen DEAD (SYS_PROC_WAIT returns) just before its last thread drops its own
 * reference to the Process, so the record's charge can come back a moment
 * after our handle is deleted, and a quota's reservation a moment after its
 * last reference goes (like t_settle's counts): wait until the usage is at
 * most want, up to 2 s, and return the last reading (a leak still shows).
 */
static uint64_t settled_used(cap_handle_t q, uint64_t want)
{
	uint64_t u = used_of(q);
	for (int i = 0; i < 200 && u > want; i++) {
		orb_sleep(T_MS(10));
		u = used_of(q);
	}
	return u;
}

/* Deletes handles h[0..n-1]. */
static void drop_all(const long *h, long n)
{
	for (long i = 0; i < n; i++)
		orb_cap_delete((cap_handle_t)h[i]);
}

/* --- Hostile arguments -------------------------------------------------------------------- */

static void test_hostile(void)
{
	struct orb_quota_info qi = {0, 0};
	T_OK("info of our own quota (0)", orb_quota_info(0, &qi));
	T_CHECK(qi.limit > 0 && qi.used > 0 && qi.used <= qi.limit,
		"own quota: used %llu of %llu bytes", (unsigned long long)qi.used,
		(unsigned long long)qi.limit);
	uint64_t used0 = used_of(0);

	long ep = orb_endpoint_create();
	T_OK("an endpoint to misuse", ep);
	T_ERR("quota_create from an endpoint", orb_quota_create((cap_handle_t)ep, 4096),
	      -ERR_BADCAP);
	T_ERR("quota_info of an endpoint", orb_quota_info((cap_handle_t)ep, &qi), -ERR_BADCAP);
	T_ERR("proc_create bound to an endpoint", orb_proc_create_in(4, "bad", (cap_handle_t)ep),
	      -ERR_BADCAP);
	T_ERR("quota handle above 2^31", orb_syscall2(SYS_QUOTA_CREATE, 0x80000000l, 4096),
	      -ERR_BADCAP);
	T_ERR("proc_create quota above 2^31", orb_syscall3(SYS_PROC_CREATE, 4, 0, -1l),
	      -ERR_BADCAP);
	T_ERR("limit 0", orb_quota_create(0, 0), -ERR_INVAL);
	T_ERR("limit 2^64-1", orb_quota_create(0, UINT64_MAX), -ERR_QUOTA);
	T_ERR("limit that overflows with the record", orb_quota_create(0, UINT64_MAX - 8),
	      -ERR_QUOTA);
	T_ERR("limit one past what is left", orb_quota_create(0, qi.limit - qi.used + 1),
	      -ERR_QUOTA);
	T_ERR("info into a kernel address", orb_quota_info(0, (void *)0xffff800000000000ull),
	      -ERR_FAULT);
	T_ERR("info into an unmapped page", orb_quota_info(0, (void *)0x10000), -ERR_FAULT);

	long q = orb_quota_create(0, 64 * KIB);
	T_OK("a 64 KiB child quota", q);
	T_EQ("its limit", limit_of((cap_handle_t)q), 64 * KIB);
	T_EQ("its usage", used_of((cap_handle_t)q), 0);
	T_CHECK(used_of(0) >= used0 + 64 * KIB, "the parent pays the reservation: %llu -> %llu",
		(unsigned long long)used0, (unsigned long long)used_of(0));
	long ro = orb_cap_derive((cap_handle_t)q, CAP_RIGHT_READ, 0);
	long mo = orb_cap_derive((cap_handle_t)q, CAP_RIGHT_MANAGE, 0);
	T_OK("derived READ-only and MANAGE-only quota caps", ro < 0 ? ro : mo);
	T_ERR("quota_create without MANAGE", orb_quota_create((cap_handle_t)ro, 4096), -ERR_PERM);
	T_ERR("proc_create in a quota without MANAGE", orb_proc_create_in(4, "x", (cap_handle_t)ro),
	      -ERR_PERM);
	T_ERR("quota_info without READ", orb_quota_info((cap_handle_t)mo, &qi), -ERR_PERM);
	T_OK("quota_info with READ", orb_quota_info((cap_handle_t)ro, &qi));
	orb_cap_delete((cap_handle_t)ro);
	orb_cap_delete((cap_handle_t)mo);
	orb_cap_delete((cap_handle_t)q);
	T_ERR("quota_create from a deleted quota", orb_quota_create((cap_handle_t)q, 4096),
	      -ERR_BADCAP);
	T_ERR("proc_create in a deleted quota", orb_proc_create_in(4, "x", (cap_handle_t)q),
	      -ERR_BADCAP);
	orb_cap_delete((cap_handle_t)ep);
	T_EQ("own usage back after the quota and endpoint went", used_of(0), used0);
}

/* --- The tree ----------------------------------------------------------------------------- */

static void test_tree(void)
{
	uint64_t used0 = used_of(0);
	long a = orb_quota_create(0, 1 * MIB);
	T_OK("quota A of 1 MiB", a);
	T_ERR("a child of A as large as A", orb_quota_create((cap_handle_t)a, 1 * MIB), -ERR_QUOTA);
	long b = orb_quota_create((cap_handle_t)a, 512 * KIB);
	T_OK("child B of A, 512 KiB", b);
	uint64_t a_used = used_of((cap_handle_t)a);
	T_CHECK(a_used > 512 * KIB && a_used < 520 * KIB,
		"A's usage holds B's reservation (and record): %llu", (unsigned long long)a_used);
	T_ERR("a second 512 KiB child of A", orb_quota_create((cap_handle_t)a, 512 * KIB),
	      -ERR_QUOTA);
	long c = orb_quota_create((cap_handle_t)b, 256 * KIB);
	T_OK("grandchild C of B, 256 KiB", c);
	T_ERR("a child of C larger than C", orb_quota_create((cap_handle_t)c, 256 * KIB + 1),
	      -ERR_QUOTA);
	/* Deleting B's capability does not free B while C (its child) lives. */
	orb_cap_delete((cap_handle_t)b);
	T_EQ("A's usage while C keeps B alive", used_of((cap_handle_t)a), a_used);
	orb_cap_delete((cap_handle_t)c);
	T_EQ("A's usage once B and C are gone", used_of((cap_handle_t)a), 0);
	orb_cap_delete((cap_handle_t)a);
	T_EQ("own usage back", used_of(0), used0);
}

/* A chain of nested quotas, each kept alive only by its child: deleting the leaf's
 * capability frees them all. The kernel does that in a loop (a recursion this deep
 * would overflow its stack). */
#define DEEP_LEVELS 8000

static void test_deep_chain(void)
{
	uint64_t used0 = used_of(0);
	long q = orb_quota_create(0, (uint64_t)DEEP_LEVELS * 4096), r = q;
	int levels = 0;
	for (uint64_t limit = (uint64_t)(DEEP_LEVELS - 1) * 4096; q >= 0 && limit; limit -= 4096) {
		r = orb_quota_create((cap_handle_t)q, limit);
		if (r < 0)
			break;
		orb_cap_delete((cap_handle_t)q); /* its child holds it now */
		q = r;
		levels++;
	}
	T_OK("a chain of nested quotas", r);
	T_EQ("levels", levels, DEEP_LEVELS - 1);
	orb_cap_delete((cap_handle_t)q);
	T_EQ("deleting the leaf frees the chain: own usage back", used_of(0), used0);
}

/* --- Drains by the parent into a process bound to a small quota --------------------------- */

/* The page-table drain: one page mapped at 2 MiB strides, each mapping a new page table. */
static void test_pt_drain(void)
{
	uint64_t used0 = used_of(0);
	long q = orb_quota_create(0, 1 * MIB);
	long p = q < 0 ? q : orb_proc_create_in(4, "pt-victim", (cap_handle_t)q);
	long m = orb_mem_create(4096);
	T_OK("quota, process bound to it and a page", q < 0 ? q : p < 0 ? p : m);
	if (q < 0 || p < 0 || m < 0)
		return;
	uint64_t free0 = t_sysinfo().mem_free;
	long i, r = 0;
	for (i = 0; i < DRAIN_MAX; i++) {
		r = orb_mem_map((cap_handle_t)p, (cap_handle_t)m, T_MAP_BASE + (uint64_t)i * STRIDE,
				0, 4096, ORB_PROT_READ);
		if (r < 0)
			break;
	}
	T_ERR("mapping at 2 MiB strides ends with", r, -ERR_QUOTA);
	T_CHECK(i > 100 && i <= 256, "mappings made before the quota ran out: %ld", i);
	uint64_t free1 = t_sysinfo().mem_free;
	T_CHECK(free0 - free1 <= 1 * MIB + 64 * KIB,
		"free memory used by the drain: %llu KiB (quota 1024 KiB)",
		(unsigned long long)(free0 - free1) / KIB);
	T_CHECK(used_of((cap_handle_t)q) <= 1 * MIB, "quota usage %llu within its limit",
		(unsigned long long)used_of((cap_handle_t)q));
	/* Everyone else goes on. */
	long ep = orb_endpoint_create(), n = orb_ntfn_create(), big = orb_mem_create(256 * KIB);
	T_OK("others still create endpoints, notifications, memory", ep < 0 ? ep : n < 0 ? n : big);
	orb_cap_delete((cap_handle_t)ep);
	orb_cap_delete((cap_handle_t)n);
	orb_cap_delete((cap_handle_t)big);
	/* Fill the victim's quota to the byte (a child quota takes what is left): unmapping
	 * what needs no split must still work, and gives the record back. */
	uint64_t left = limit_of((cap_handle_t)q) - used_of((cap_handle_t)q);
	long fill = -1;
	for (uint64_t k = 16; k <= 4096 && k < left && fill < 0; k += 16)
		fill = orb_quota_create((cap_handle_t)q, left - k);
	T_OK("fill the victim's quota with a child", fill);
	T_EQ("the victim's quota is full", used_of((cap_handle_t)q), limit_of((cap_handle_t)q));
	T_OK("unmap a mapping with the quota full",
	     orb_mem_unmap((cap_handle_t)p, T_MAP_BASE, 4096));
	T_CHECK(used_of((cap_handle_t)q) < limit_of((cap_handle_t)q),
		"the record was given back: %llu of %llu",
		(unsigned long long)used_of((cap_handle_t)q),
		(unsigned long long)limit_of((cap_handle_t)q));
	orb_cap_delete((cap_handle_t)fill);
	orb_cap_delete((cap_handle_t)p); /* its last reference: torn down */
	T_EQ("the victim's quota usage once it is gone", used_of((cap_handle_t)q), 0);
	orb_cap_delete((cap_handle_t)m);
	orb_cap_delete((cap_handle_t)q);
	T_EQ("own usage back", used_of(0), used0);
}

/* Processes (4 slots, then 4096 slots: the cspace) until the quota runs out. */
static void test_proc_drain(uint32_t nslots, const char *what)
{
	static long h[1024];
	uint64_t used0 = used_of(0);
	long q = orb_quota_create(0, 1 * MIB);
	T_OK("a 1 MiB quota", q);
	if (q < 0)
		return;
	long n, r = 0;
	for (n = 0; n < 1024 - 64; n++) {
		r = orb_proc_create_in(nslots, "victim", (cap_handle_t)q);
		if (r < 0)
			break;
		h[n] = r;
	}
	char msg[80];
	snprintf(msg, sizeof(msg), "creating %s in the quota ends with", what);
	T_ERR(msg, r, -ERR_QUOTA);
	T_CHECK(n > 0 && n < 1024 - 64, "%s created: %ld", what, n);
	long ep = orb_endpoint_create();
	T_OK("others still create", ep);
	orb_cap_delete((cap_handle_t)ep);
	drop_all(h, n);
	T_EQ("quota usage once they are gone", used_of((cap_handle_t)q), 0);
	orb_cap_delete((cap_handle_t)q);
	T_EQ("own usage back", used_of(0), used0);
}

static void idle_entry(void)
{
	for (;;)
		orb_thread_exit();
}

/* Threads of a process bound to the quota (its kernel stacks) until it runs out. */
static void test_thread_drain(void)
{
	static long h[512];
	uint64_t used0 = used_of(0);
	long q = orb_quota_create(0, 1 * MIB);
	long p = q < 0 ? q : orb_proc_create_in(4, "threads", (cap_handle_t)q);
	T_OK("quota and a process bound to it", q < 0 ? q : p);
	if (q < 0 || p < 0)
		return;
	long n, r = 0;
	for (n = 0; n < 512; n++) {
		r = orb_thread_create((cap_handle_t)p, (uintptr_t)idle_entry, 0x200000, 0, T_PRIO);
		if (r < 0)
			break;
		h[n] = r;
	}
	T_ERR("creating threads ends with", r, -ERR_QUOTA);
	T_CHECK(n > 10 && n < 512, "threads created: %ld (each a kernel stack)", n);
	long ep = orb_endpoint_create();
	T_OK("others still create", ep);
	orb_cap_delete((cap_handle_t)ep);
	/* The threads never ran: killing the process ends them. */
	T_OK("kill the process", orb_proc_kill((cap_handle_t)p));
	long st = orb_proc_wait((cap_handle_t)p, T_WAIT_NS);
	T_CHECK(st >= 0, "it ended: %s", t_status_name(st));
	drop_all(h, n);
	orb_cap_delete((cap_handle_t)p);
	T_EQ("quota usage once it is gone", settled_used((cap_handle_t)q, 0), 0);
	orb_cap_delete((cap_handle_t)q);
	T_EQ("own usage back", settled_used(0, used0), used0);
}

/* --- A child bound to a small quota: what it creates itself -------------------------------- */

/* Creates objects with make() into h[] until one fails or max are made; *n is how many were
 * made. Returns the last result (the failure, if one ended it). */
static long drain(long (*make)(void), long *h, long max, long *n)
{
	long r = 0;
	for (*n = 0; *n < max; (*n)++) {
		r = make();
		if (r < 0)
			break;
		h[*n] = r;
	}
	return r;
}

/* Creates objects with make() until it fails; checks it was -ERR_QUOTA, not a full cspace. */
static bool child_drain(const char *what, long (*make)(void), uint64_t before)
{
	static long h[256];
	long n, r = drain(make, h, 200, &n);
	char msg[96];
	snprintf(msg, sizeof(msg), "child: creating %s ends with", what);
	T_ERR(msg, r, -ERR_QUOTA);
	T_CHECK(n > 0, "child: %s created first: %ld", what, n);
	drop_all(h, n);
	snprintf(msg, sizeof(msg), "child: usage after deleting the %s", what);
	T_EQ(msg, used_of(0), before);
	return r == -ERR_QUOTA && used_of(0) == before;
}

static long make_ep(void)
{
	return orb_endpoint_create();
}
static long make_ntfn(void)
{
	return orb_ntfn_create();
}
static long make_mem(void)
{
	return orb_mem_create(16 * KIB);
}
static long make_proc(void)
{
	return orb_proc_create(4, "grandchild"); /* bound to the child's quota */
}

/* Death watches are charged too: with the quota all but full, watching this process ends
 * with -ERR_QUOTA long before the per-process bound of 64 records (-ERR_NOSPACE). The records
 * are given back when this process dies (the parent checks the quota's usage then). */
static bool child_watch_drain(void)
{
	static long h[256];
	long ntfn = orb_ntfn_create(), n, r, w;
	T_OK("child: a notification to watch with", ntfn);
	r = drain(make_ep, h, 200, &n); /* fill the quota to the byte with endpoints */
	T_ERR("child: endpoints fill the quota", r, -ERR_QUOTA);
	for (long i = 0; i < 2 && n > 0; i++) /* room for a few watch records */
		orb_cap_delete((cap_handle_t)h[--n]);
	for (w = 0; w < 64; w++) {
		r = orb_proc_watch(orb_self(), (cap_handle_t)ntfn, 1);
		if (r < 0)
			break;
	}
	T_ERR("child: watching this process ends with", r, -ERR_QUOTA);
	T_CHECK(w > 0 && w < 64, "child: watches made before the quota ran out: %ld", w);
	drop_all(h, n);
	return r == -ERR_QUOTA && w > 0 && w < 64;
}

static int child_main(void)
{
	struct orb_quota_info qi = {0, 0};
	if (orb_quota_info(0, &qi) != 0 || qi.limit != CHILD_QUOTA) {
		printf("FAIL: child: own quota limit %llu (want %llu)\n",
		       (unsigned long long)qi.limit, (unsigned long long)CHILD_QUOTA);
		return 1;
	}
	printf("child: bound to a %llu KiB quota\n", (unsigned long long)qi.limit / KIB);
	uint64_t used0 = used_of(0);
	/* Memory objects and processes straight away (each costs pages). */
	bool ok = child_drain("16 KiB Memory objects", make_mem, used0);
	ok &= child_drain("processes", make_proc, used0);
	/* Fill all but a little with one object, so that small objects run out before the
	 * cspace (256 slots) does. */
	uint64_t room = (qi.limit - used0) / 4096 * 4096 - 8 * KIB;
	long filler = orb_mem_create(room);
	T_OK("child: a filler object", filler);
	uint64_t filled = used_of(0);
	ok &= child_drain("endpoints", make_ep, filled);
	ok &= child_drain("notifications", make_ntfn, filled);
	ok &= child_watch_drain();
	return ok ? 0 : 1; /* the watch records live until this process dies */
}

/* A thread that waits forever (until its process dies). */
static void block_forever(void *arg)
{
	(void)arg;
	for (;;)
		orb_sleep(T_MS(1000));
}

/*
 * `t_quota leaver`: makes one of everything it can be charged for and exits
 * without cleaning up: endpoint, notification, Memory objects (one mapped
 * into itself), a second thread (blocked), a grandchild process with a
 * mapping and an unstarted thread, a child quota. Its tear-down must give
 * all of it back.
 */
static int leaver_main(void)
{
	long r[10];
	r[0] = orb_endpoint_create();
	r[1] = orb_ntfn_create();
	r[2] = orb_mem_create(64 * KIB);
	r[3] = r[2] < 0 ? r[2]
			: orb_mem_map(orb_self(), (cap_handle_t)r[2], T_MAP_BASE, 0, 64 * KIB,
				      ORB_PROT_READ | ORB_PROT_WRITE);
	r[4] = orb_thread_spawn(block_forever, NULL, T_PRIO, NULL);
	r[5] = orb_proc_create(8, "grandchild");
	r[6] = orb_mem_create(4096);
	r[7] = r[5] < 0 || r[6] < 0 ? -ERR_INVAL
				    : orb_mem_map((cap_handle_t)r[5], (cap_handle_t)r[6],
						  T_MAP_BASE, 0, 4096, ORB_PROT_READ);
	r[8] = r[5] < 0 ? r[5]
			: orb_thread_create((cap_handle_t)r[5], (uintptr_t)idle_entry, 0x200000, 0,
					    T_PRIO);
	r[9] = orb_quota_create(0, 4 * KIB);
	for (int i = 0; i < 10; i++) {
		if (r[i] < 0) {
			printf("FAIL: leaver: step %d = %ld (%s)\n", i, r[i], t_errname(r[i]));
			return 1;
		}
	}
	orb_proc_exit(0); /* everything left behind */
}

/* Runs `t_quota ROLE` as process `name`, bound to quota q, and checks that it exited with
 * status 0 (its own checks passed): `spawned` names the spawn's check, `exited` the exit's. */
static void run_role_in(cap_handle_t q, const char *role, const char *name, const char *spawned,
			const char *exited)
{
	const char *argv[] = {"t_quota", role, NULL};
	size_t size = 0;
	const void *elf = t_find_prog("t_quota", &size);
	struct orb_spawn_args a;
	memset(&a, 0, sizeof(a));
	a.name = name;
	a.elf = elf;
	a.elf_size = size;
	a.argv = argv;
	a.prio = T_PRIO;
	a.quota = q;
	cap_handle_t proc = 0;
	long r = elf ? orb_spawn(&a, &proc) : -ERR_NOENT;
	T_OK(spawned, r);
	if (r >= 0) {
		long st = t_wait_and_drop(proc);
		T_CHECK(st == 0, "%s: %s", exited, t_status_name(st));
	}
}

static void test_leaver(void)
{
	uint64_t used0 = used_of(0);
	long q = orb_quota_create(0, 1 * MIB);
	T_OK("a quota for the leaver", q);
	if (q < 0)
		return;
	run_role_in((cap_handle_t)q, "leaver", "quota-leaver",
		    "spawn a child that leaves everything behind",
		    "it made one of each and exited");
	T_EQ("its quota's usage once it is gone (all given back)", settled_used((cap_handle_t)q, 0),
	     0);
	orb_cap_delete((cap_handle_t)q);
	T_CHECK(
	    settled_used(0, used0 + 256 * KIB) <= used0 + 256 * KIB,
	    "its 1 MiB reservation came back to us: %llu -> %llu (spawning may grow our tables)",
	    (unsigned long long)used0, (unsigned long long)used_of(0));
}

static void test_child(void)
{
	long q = orb_quota_create(0, CHILD_QUOTA);
	T_OK("a quota for the child", q);
	if (q < 0)
		return;
	run_role_in((cap_handle_t)q, "child", "quota-child", "spawn the child bound to it",
		    "the child's own checks");
	T_EQ("the child's quota usage once it is gone", settled_used((cap_handle_t)q, 0), 0);
	/* (Spawning mapped windows here: our own page tables may have grown, so compare
	 * around the deletion only.) */
	uint64_t before = used_of(0);
	orb_cap_delete((cap_handle_t)q);
	uint64_t after = settled_used(0, before - CHILD_QUOTA);
	T_CHECK(before - after > CHILD_QUOTA && before - after < CHILD_QUOTA + 4 * KIB,
		"deleting the child's quota gives its reservation back: %llu bytes",
		(unsigned long long)(before - after));
}

/*
 * `t_quota hog`, typed at the shell: a runaway command. It takes 1 MiB Memory
 * objects until the kernel refuses one, and says why and how much memory the
 * system still has; its status is 0 if its quota (the shell's share for it)
 * stopped it. The objects go back when it exits.
 */
static int hog_main(void)
{
	long r = 0, n;
	for (n = 0; n < 100000; n++) {
		r = orb_mem_create(1 * MIB);
		if (r < 0)
			break;
	}
	struct orb_quota_info qi = {0, 0};
	orb_quota_info(0, &qi);
	printf("hog: stopped by %s after %ld MiB; its quota %llu KiB; %llu KiB still free\n",
	       t_errname(r), n, (unsigned long long)qi.limit / KIB,
	       (unsigned long long)t_sysinfo().mem_free / KIB);
	return r == -ERR_QUOTA ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "child"))
		return child_main();
	if (t_role_is(argc, argv, "hog"))
		return hog_main();
	if (t_role_is(argc, argv, "leaver"))
		return leaver_main();
	test_hostile();
	test_tree();
	test_deep_chain();
	test_pt_drain();
	test_proc_drain(4, "processes");
	test_proc_drain(4096, "processes with 4096-slot cspaces");
	test_thread_drain();
	test_child();
	test_leaver();
	return t_finish("t_quota");
}
