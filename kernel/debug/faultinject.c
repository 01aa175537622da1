/*
 * Fault injection into user-space services (see faultinject.h), in the
 * manner of MINIX 3's reliability experiments: the faults a buggy or
 * corrupted server could bring on itself, injected while the system works,
 * to show that a fault in a driver or server never takes the kernel down and
 * that init brings the service back. Only the kernel command line turns it
 * on, so a normal boot has no injector at all:
 *
 *   faultinject=SEED          on; SEED (decimal or 0x hex) seeds the choices
 *   faultinject.count=N       faults to inject (default 1000)
 *   faultinject.period=MS     one every MS ms of guest time (default 50)
 *   faultinject.delay=MS      time after start-up before the baseline (10000)
 *   faultinject.minage=MS     only processes at least this old are hit (3000)
 *   faultinject.settle=MS     after the last fault, before the final count (60000)
 *   faultinject.targets=A,B   process names to hit (kbd,console,vfs,ns)
 *   faultinject.kinds=A,B     kinds of fault (kill,register,data,stack; hang)
 *
 * One kernel thread runs three phases. Baseline: it kills every target once
 * so that the measurement sees fresh instances, waits until the process and
 * thread counts are steady, gives back the cached kernel stacks and prints
 * the memory counts. Injection: every period it picks, at random, a target
 * old enough (so that injections alone never make init give up on a
 * service) and a kind of fault:
 *   kill      the process is killed (as SYS_PROC_KILL would);
 *   register  one bit of a saved user register (general, instruction or
 *             stack pointer) of one of its threads flips, applied by that
 *             thread itself on its next way back to user mode;
 *   data      one bit flips in a random word of its writable memory;
 *   stack     the same within 512 bytes above a thread's user stack pointer;
 *   hang      (only when named) every thread of the process stops at its next
 *             way back to user mode and stays stopped until the process is
 *             killed: a deadlock or lost wake-up, which only a watchdog
 *             turns into a restart.
 * Final: after the settle time, in which the system must recover on its own
 * (init restarts what died, its watchdog what hangs), every target is killed
 * once more, the counts must come back to the baseline's, and the memory
 * counts are printed beside the baseline's: free frames; frames in use
 * outside the kernel heap and page tables (user memory, stacks), which must
 * be equal; the heap's live blocks and bytes, which must be equal too (the
 * heap's own page count is not compared: which slab pages the same live
 * objects occupy depends on the order of the frees); and the page tables of
 * the live processes and the kernel, which must be equal as well (the kernel
 * keeps a table once made until its process ends, but the user library
 * reuses the addresses it unmapped, so init restarting services over and
 * over maps its windows where the same tables serve). The lines all start
 * with "faultinject: "; tests/qemu/faultinject.py reads them.
 *
 * Memory is corrupted through the direct map, with the target's lock held
 * (its mappings, and so their frames, cannot go meanwhile), and only in
 * frames the process maps writable: nothing it could not have written
 * itself. The kernel and init (the recovery mechanism) are never targets.
 *
 * Locking: the configuration is written once before the thread starts; the
 * rest (random state, ages, counts) belongs to the injector thread.
 * thread->fault_reg is set by the injector and taken (atomically) by the
 * thread it names.
 */
#include "debug/faultinject.h"
#include "obj/process.h"
#include "obj/memory.h"
#include "sched/time.h"
#include "console/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/kstack.h"
#include "mm/phys.h"
#include "mm/pmm.h"
#include "arch/context.h"
#include <orbital/syscall.h>

#define FI_NAMES_MAX   8
#define FI_NAME_LEN    24 /* struct process's name */
#define FI_PROCS_MAX   32
#define FI_AGES	       64
#define FI_MS	       1000000ull
#define FI_STACK_WORDS 64

enum fi_kind { FI_KILL, FI_REGISTER, FI_DATA, FI_STACK, FI_HANG, FI_KINDS };
static const char *const fi_kind_name[FI_KINDS] = {"kill", "register", "data", "stack", "hang"};

/* thread->fault_reg: 0 none, 1 + reg * 64 + bit a register bit, FI_PARK a hang. */
#define FI_PARK UINT32_MAX

static struct {
	uint64_t seed, count, period_ms, delay_ms, minage_ms, settle_ms;
	char names[FI_NAMES_MAX][FI_NAME_LEN];
	unsigned nnames;
	enum fi_kind kinds[FI_KINDS];
	unsigned nkinds;
} fi;

static uint64_t fi_rng;
static uint64_t fi_done[FI_KINDS];
static struct {
	uint32_t pid;
	uint64_t since;
} fi_ages[FI_AGES];
static unsigned fi_ages_next;

/* xorshift64*: enough for choosing faults, and replayable from the seed. */
static uint64_t fi_rand(void)
{
	fi_rng ^= fi_rng >> 12;
	fi_rng ^= fi_rng << 25;
	fi_rng ^= fi_rng >> 27;
	return fi_rng * 0x2545f4914f6cdd1dull;
}

static uint64_t fi_below(uint64_t n)
{
	return n ? fi_rand() % n : 0;
}

/* A decimal or 0x-hex number; false if s is anything else. */
static bool fi_parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static void fi_option(const struct boot_info *bi, const char *key, uint64_t *v, uint64_t def)
{
	char buf[24];
	*v = def;
	if (bootinfo_cmdline_get(bi, key, buf, sizeof(buf)) && !fi_parse_u64(buf, v)) {
		kwarn("faultinject: %s=%s is not a number; using %lu\n", key, buf, def);
		*v = def;
	}
}

static void fi_set_names(const char *list)
{
	fi.nnames = 0;
	while (*list && fi.nnames < FI_NAMES_MAX) {
		size_t n = 0;
		while (list[n] && list[n] != ',')
			n++;
		if (n > 0 && n < FI_NAME_LEN) {
			memcpy(fi.names[fi.nnames], list, n);
			fi.names[fi.nnames][n] = 0;
			/* init is the recovery mechanism: never a target. */
			if (strcmp(fi.names[fi.nnames], "init") != 0)
				fi.nnames++;
		}
		list += n;
		if (*list == ',')
			list++;
	}
}

static void fi_set_kinds(const char *list)
{
	fi.nkinds = 0;
	for (unsigned k = 0; k < FI_KINDS; k++) {
		size_t n = strlen(fi_kind_name[k]);
		for (const char *p = list; *p;) {
			size_t m = 0;
			while (p[m] && p[m] != ',')
				m++;
			if (m == n && strncmp(p, fi_kind_name[k], n) == 0) {
				fi.kinds[fi.nkinds++] = (enum fi_kind)k;
				break;
			}
			p += m;
			if (*p == ',')
				p++;
		}
	}
}

static bool fi_is_target(const struct process *p, void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < fi.nnames; i++)
		if (strcmp(p->name, fi.names[i]) == 0)
			return true;
	return false;
}

/* True if the process with this pid was first seen at least minage ago. */
static bool fi_old_enough(uint32_t pid, uint64_t now)
{
	for (unsigned i = 0; i < FI_AGES; i++)
		if (fi_ages[i].pid == pid)
			return now - fi_ages[i].since >= fi.minage_ms * FI_MS;
	fi_ages[fi_ages_next].pid = pid;
	fi_ages[fi_ages_next].since = now;
	fi_ages_next = (fi_ages_next + 1) % FI_AGES;
	return false;
}

/* Flips a random bit of the word at user address va if p maps it writable
 * with frames of its own (p->lock held). */
static bool fi_flip_user_word(struct process *p, uint64_t va)
{
	for (struct vm_mapping *m = p->maps; m; m = m->next) {
		if (va < m->va || va >= m->va + m->npages * PAGE_SIZE)
			continue;
		if (!(m->prot & ORB_PROT_WRITE) || !m->mo->owned || m->mo->device)
			return false;
		paddr_t pa = m->mo->frames[m->first + (va - m->va) / PAGE_SIZE];
		uint64_t *w =
		    (uint64_t *)((char *)phys_to_virt(pa) + (va & (PAGE_SIZE - 1) & ~7ull));
		*w ^= 1ull << fi_below(64);
		return true;
	}
	return false;
}

/* A random started thread of p (p->lock held), or NULL. */
static struct thread *fi_pick_thread(struct process *p)
{
	uint32_t n = 0;
	for (struct thread *t = p->threads; t; t = t->proc_next)
		n++;
	uint64_t k = fi_below(n);
	for (struct thread *t = p->threads; t; t = t->proc_next)
		if (k-- == 0)
			return t;
	return NULL;
}

/* Injects one fault of this kind into p; false if p offered nothing to hit. */
static bool fi_inject(struct process *p, enum fi_kind kind, char *what, size_t size)
{
	bool ok = false;
	what[0] = 0;
	if (kind == FI_KILL) {
		process_kill(p, ORB_EXIT_KILLED);
		return true;
	}
	irqflags_t f = spin_lock_irqsave(&p->lock);
	if (process_dying(p)) {
		spin_unlock_irqrestore(&p->lock, f);
		return false;
	}
	struct thread *t = fi_pick_thread(p);
	if (kind == FI_HANG) {
		for (struct thread *u = p->threads; u; u = u->proc_next)
			__atomic_store_n(&u->fault_reg, FI_PARK, __ATOMIC_RELAXED);
		ok = t != NULL;
	} else if (kind == FI_REGISTER && t) {
		unsigned reg = (unsigned)fi_below(UCTX_NREGS), bit = (unsigned)fi_below(64);
		__atomic_store_n(&t->fault_reg, 1 + reg * 64 + bit, __ATOMIC_RELAXED);
		ksnprintf(what, size, " thread %u register %u bit %u", t->tid, reg, bit);
		ok = true;
	} else if (kind == FI_STACK && t) {
		uint64_t va = (uctx_user_sp(t) & ~7ull) + 8 * fi_below(FI_STACK_WORDS);
		ok = fi_flip_user_word(p, va);
		ksnprintf(what, size, " thread %u at %#lx", t->tid, va);
	} else if (kind == FI_DATA) {
		size_t pages = 0;
		for (struct vm_mapping *m = p->maps; m; m = m->next)
			if ((m->prot & ORB_PROT_WRITE) && m->mo->owned && !m->mo->device)
				pages += m->npages;
		uint64_t k = fi_below(pages);
		for (struct vm_mapping *m = p->maps; m && pages; m = m->next) {
			if (!(m->prot & ORB_PROT_WRITE) || !m->mo->owned || m->mo->device)
				continue;
			if (k >= m->npages) {
				k -= m->npages;
				continue;
			}
			uint64_t va = m->va + k * PAGE_SIZE + 8 * fi_below(PAGE_SIZE / 8);
			ok = fi_flip_user_word(p, va);
			ksnprintf(what, size, " at %#lx", va);
			break;
		}
	}
	spin_unlock_irqrestore(&p->lock, f);
	return ok;
}

void faultinject_user_return(struct thread *t)
{
	uint32_t v = __atomic_exchange_n(&t->fault_reg, 0, __ATOMIC_RELAXED);
	if (v == FI_PARK) {
		/* Hung until killed; the caller then sees the process dying and ends us. */
		while (!process_dying(t->proc))
			thread_sleep_ns(10 * FI_MS);
	} else if (v) {
		uctx_flip_bit(t, (v - 1) / 64, (v - 1) % 64);
	}
}

/* Kills every running target; returns how many. */
static size_t fi_kill_all(void)
{
	struct process *ps[FI_PROCS_MAX];
	size_t n = process_collect(fi_is_target, NULL, ps, FI_PROCS_MAX);
	for (size_t i = 0; i < n; i++) {
		process_kill(ps[i], ORB_EXIT_KILLED);
		kobject_put(&ps[i]->obj);
	}
	return n;
}

static size_t fi_count_targets(void)
{
	struct process *ps[FI_PROCS_MAX];
	size_t n = process_collect(fi_is_target, NULL, ps, FI_PROCS_MAX);
	for (size_t i = 0; i < n; i++)
		kobject_put(&ps[i]->obj);
	return n;
}

static bool fi_any(const struct process *p, void *arg)
{
	(void)p;
	(void)arg;
	return true;
}

/* Page-table frames: every live process's (root included) and the kernel's.
 * They are counted apart because a long-lived process keeps the tables of
 * regions it mapped once (and the kernel those of its stack area): growth,
 * not a leak. The tables of a process that is gone are in no count. */
static size_t fi_page_tables(void)
{
	struct process *ps[FI_PROCS_MAX];
	size_t n = process_collect(fi_any, NULL, ps, FI_PROCS_MAX), tables = 0;
	for (size_t i = 0; i < n; i++) {
		irqflags_t f = spin_lock_irqsave(&ps[i]->space.lock);
		tables += ps[i]->space.ntables + 1;
		spin_unlock_irqrestore(&ps[i]->space.lock, f);
		kobject_put(&ps[i]->obj);
	}
	irqflags_t f = spin_lock_irqsave(&kernel_space.lock);
	tables += kernel_space.ntables;
	spin_unlock_irqrestore(&kernel_space.lock, f);
	return tables;
}

struct fi_snap {
	size_t targets, threads;
	uint32_t procs;
	size_t free;	   /* free frames */
	size_t outside;	   /* frames in use, but for the kernel heap's and page tables */
	size_t tables;	   /* page tables: of every live process, and the kernel's */
	size_t blocks;	   /* live kernel heap blocks */
	size_t heap_bytes; /* and their bytes */
};

/* Waits (up to 60 s) until `want` targets run and the process and thread
 * counts have been steady for 2 s (and equal base's, if given); then gives
 * back the cached kernel stacks and counts the free frames. False on timeout. */
static bool fi_settle(size_t want, const struct fi_snap *base, struct fi_snap *out)
{
	struct fi_snap last = {0};
	unsigned steady = 0;
	bool ok = false;
	for (unsigned i = 0; i < 600; i++) {
		thread_sleep_ns(100 * FI_MS);
		struct fi_snap s = {.targets = fi_count_targets(),
				    .threads = thread_count(),
				    .procs = process_count()};
		bool same =
		    s.targets == last.targets && s.threads == last.threads && s.procs == last.procs;
		steady = same ? steady + 1 : 0;
		last = s;
		if (s.targets < want || steady < 20)
			continue;
		if (base && (s.threads != base->threads || s.procs != base->procs))
			continue;
		ok = true;
		break;
	}
	kstack_trim();
	struct heap_stats hs;
	kheap_stats(&hs);
	last.tables = fi_page_tables();
	last.free = pmm_free_count(&kernel_pmm);
	last.outside = pmm_usable_count(&kernel_pmm) - last.free - hs.pages_held - last.tables;
	last.blocks = hs.blocks_in_use;
	last.heap_bytes = hs.bytes_in_use;
	*out = last;
	return ok;
}

/* One line per live process: the pages its mappings cover (shared ones
 * counted in each), so a difference from the baseline has an owner. */
static void fi_print_processes(const char *when)
{
	struct process *ps[FI_PROCS_MAX];
	size_t n = process_collect(fi_any, NULL, ps, FI_PROCS_MAX);
	for (size_t i = 0; i < n; i++) {
		size_t pages = 0, maps = 0;
		irqflags_t f = spin_lock_irqsave(&ps[i]->lock);
		for (struct vm_mapping *m = ps[i]->maps; m; m = m->next) {
			pages += m->npages;
			maps++;
		}
		spin_unlock_irqrestore(&ps[i]->lock, f);
		kprintf("faultinject: %s process %s (pid %u): %zu pages in %zu mappings\n", when,
			ps[i]->name, ps[i]->pid, pages, maps);
		kobject_put(&ps[i]->obj);
	}
}

static void fi_thread(void *arg)
{
	(void)arg;
	char what[64];
	thread_sleep_ns(fi.delay_ms * FI_MS);

	kprintf("faultinject: restarting every target for the baseline (%zu running)\n",
		fi_count_targets());
	size_t want = fi_kill_all();
	struct fi_snap base;
	bool ok = fi_settle(want, NULL, &base);
	kprintf("faultinject: baseline: free frames %zu, processes %u, threads %zu, targets %zu, "
		"frames outside the heap %zu, heap blocks %zu, heap bytes %zu, page tables %zu%s\n",
		base.free, base.procs, base.threads, base.targets, base.outside, base.blocks,
		base.heap_bytes, base.tables, ok ? "" : " (not steady)");
	fi_print_processes("baseline");
	kprintf("faultinject: injecting %lu faults, one every %lu ms, seed %#lx\n", fi.count,
		fi.period_ms, fi.seed);

	uint64_t done = 0;
	while (done < fi.count) {
		thread_sleep_ns(fi.period_ms * FI_MS);
		struct process *ps[FI_PROCS_MAX], *old[FI_PROCS_MAX];
		size_t n = process_collect(fi_is_target, NULL, ps, FI_PROCS_MAX), nold = 0;
		uint64_t now = time_now_ns();
		for (size_t i = 0; i < n; i++)
			if (fi_old_enough(ps[i]->pid, now))
				old[nold++] = ps[i];
		if (nold > 0) {
			struct process *p = old[fi_below(nold)];
			enum fi_kind kind = fi.kinds[fi_below(fi.nkinds)];
			if (fi_inject(p, kind, what, sizeof(what))) {
				done++;
				fi_done[kind]++;
				kprintf("faultinject: %lu: %s %s (pid %u)%s\n", done,
					fi_kind_name[kind], p->name, p->pid, what);
			}
		}
		for (size_t i = 0; i < n; i++)
			kobject_put(&ps[i]->obj);
	}
	kprintf("faultinject: done: %lu injections (kill %lu, register %lu, data %lu, stack %lu, "
		"hang %lu)\n",
		done, fi_done[FI_KILL], fi_done[FI_REGISTER], fi_done[FI_DATA], fi_done[FI_STACK],
		fi_done[FI_HANG]);

	/* The system recovers by itself (or not: the harness checks); then fresh instances. */
	thread_sleep_ns(fi.settle_ms * FI_MS);
	kprintf("faultinject: restarting every target for the final count\n");
	fi_kill_all();
	struct fi_snap end;
	ok = fi_settle(base.targets, &base, &end);
	fi_print_processes("final");
	kprintf(
	    "faultinject: final: free frames %zu (baseline %zu), processes %u (baseline %u), "
	    "threads %zu (baseline %zu), targets %zu (baseline %zu), frames outside the heap %zu "
	    "(baseline %zu), heap blocks %zu (baseline %zu), heap bytes %zu (baseline %zu), "
	    "page tables %zu (baseline %zu)%s\n",
	    end.free, base.free, end.procs, base.procs, end.threads, base.threads, end.targets,
	    base.targets, end.outside, base.outside, end.blocks, base.blocks, end.heap_bytes,
	    base.heap_bytes, end.tables, base.tables, ok ? "" : " (not steady)");
}

void faultinject_start(const struct boot_info *bi)
{
	char names[FI_NAMES_MAX * FI_NAME_LEN];
	if (!bootinfo_cmdline_get(bi, "faultinject", names, sizeof(names)))
		return;
	if (!fi_parse_u64(names, &fi.seed)) {
		kwarn("faultinject: faultinject=%s is not a number; no fault injection\n", names);
		return;
	}
	fi_option(bi, "faultinject.count", &fi.count, 1000);
	fi_option(bi, "faultinject.period", &fi.period_ms, 50);
	fi_option(bi, "faultinject.delay", &fi.delay_ms, 10000);
	fi_option(bi, "faultinject.minage", &fi.minage_ms, 3000);
	fi_option(bi, "faultinject.settle", &fi.settle_ms, 60000);
	if (!bootinfo_cmdline_get(bi, "faultinject.targets", names, sizeof(names)))
		strlcpy(names, "kbd,console,vfs,ns", sizeof(names));
	fi_set_names(names);
	char kinds[64];
	if (!bootinfo_cmdline_get(bi, "faultinject.kinds", kinds, sizeof(kinds)))
		strlcpy(kinds, "kill,register,data,stack", sizeof(kinds));
	fi_set_kinds(kinds);
	if (fi.nkinds == 0) {
		kwarn("faultinject: faultinject.kinds=%s names no kind; no fault injection\n",
		      kinds);
		return;
	}
	fi_rng = fi.seed ? fi.seed : 1;
	if (fi.period_ms == 0)
		fi.period_ms = 1;
	if (!thread_create("faultinject", fi_thread, NULL, THREAD_PRIO_DEFAULT + 1, 0)) {
		kwarn("faultinject: no memory for the injector thread\n");
		return;
	}
	kprintf("faultinject: on: seed %#lx, %lu faults (%s) into %s after %lu ms\n", fi.seed,
		fi.count, kinds, names, fi.delay_ms);
}
