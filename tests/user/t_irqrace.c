/*
 * t_irqrace: binding, rebinding and releasing an interrupt line while it
 * fires, on several CPUs.
 *
 * Run as init (test=user init=t_irqrace), on 2 and 4 CPUs. The line is IRQ 4,
 * COM1's "transmitter empty" interrupt, which a driver with COM1's ports can
 * raise at will: clearing and setting the enable bit makes a new edge each
 * time. Checks:
 *  - a driver whose storm thread raises and acknowledges the line in a loop
 *    while two other threads rebind it between two notifications gets 0 from
 *    every bind (a rebind never finds its own line "busy") and the kernel
 *    keeps running;
 *  - drivers killed in the middle of such a storm, and started again the way
 *    init restarts a crashed driver, each bind the line anew;
 *  - init releasing the line (deleting its last capability) while its own
 *    thread storms it.
 * The harness also checks that no process, thread or frame is left behind.
 */
#include "t_check.h"
#include <orb/thread.h>
#include <orb/ioport.h>

#define COM1	      0x3f8
#define LINE	      4
#define BINDS	      400
#define KILLED_ROUNDS 4

static bool stop;	   /* atomic: the storm ends */
static long bind_failures; /* atomic */
static cap_handle_t irq_cap, ntfns[2];
static cap_handle_t done; /* a notification: each thread signals its bit when it ends */

#define DONE_STORM   1u
#define DONE_BINDER0 2u
#define DONE_BINDER1 4u

/* Raises IRQ 4 over and over: a new edge each round, then the ack that unmasks it.
 * A short pause every 256 rounds: an emulator that runs all CPUs on one host
 * thread (QEMU's TCG with -icount) may otherwise never switch away from a
 * CPU that does nothing but port I/O, and the other threads would starve. */
static void storm(void *arg)
{
	(void)arg;
	for (unsigned round = 1; !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); round++) {
		if (round % 256 == 0)
			orb_sleep(T_MS(1));
		outb(COM1 + 1, 0x00);
		outb(COM1 + 1, 0x02); /* IER: transmitter empty */
		(void)inb(COM1 + 2);  /* IIR: clears the pending THRE interrupt */
		orb_irq_ack(irq_cap);
	}
	outb(COM1 + 1, 0x00);
	orb_ntfn_signal(done, DONE_STORM);
}

/* Rebinds the line between the two notifications. */
static void binder(void *arg)
{
	uintptr_t first = (uintptr_t)arg;
	for (int i = 0; i < BINDS && !__atomic_load_n(&stop, __ATOMIC_ACQUIRE); i++) {
		long r = orb_irq_bind(irq_cap, ntfns[(first + (uintptr_t)i) & 1]);
		if (r != 0 && __atomic_fetch_add(&bind_failures, 1, __ATOMIC_RELAXED) == 0)
			printf("t_irqrace[driver]: irq_bind returned %ld (%s)\n", r, t_errname(r));
	}
	orb_ntfn_signal(done, first ? DONE_BINDER1 : DONE_BINDER0);
}

/* Sets up COM1 for the storm: OUT2 routes the UART's interrupt to the line. */
static bool com1_open(cap_handle_t ports)
{
	if (orb_ioport_enable(ports) != 0)
		return false;
	outb(COM1 + 1, 0x00);
	outb(COM1 + 4, inb(COM1 + 4) | 0x08);
	return true;
}

/* The driver child: start capabilities 0 = IRQ 4, 1 = COM1's ports. Exit status 0
 * when every bind succeeded; a "killed" child is killed by init before it ends. */
static int driver(void)
{
	irq_cap = orb_start_cap(0);
	if (!com1_open(orb_start_cap(1)))
		return 10;
	long d = orb_ntfn_create();
	if (d < 0)
		return 11;
	done = (cap_handle_t)d;
	for (int i = 0; i < 2; i++) {
		long n = orb_ntfn_create();
		if (n < 0)
			return 11;
		ntfns[i] = (cap_handle_t)n;
	}
	if (orb_irq_bind(irq_cap, ntfns[0]) != 0)
		return 12;
	if (orb_thread_spawn(storm, NULL, T_PRIO, NULL) != 0 ||
	    orb_thread_spawn(binder, (void *)0, T_PRIO, NULL) != 0 ||
	    orb_thread_spawn(binder, (void *)1, T_PRIO, NULL) != 0)
		return 13;
	uint64_t seen = t_wait_bits(done, DONE_BINDER0 | DONE_BINDER1, T_WAIT_NS);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	seen |= t_wait_bits(done, DONE_STORM, T_WAIT_NS);
	if (seen != (DONE_STORM | DONE_BINDER0 | DONE_BINDER1))
		return 15;
	return bind_failures == 0 ? 0 : 14;
}

static void test_drivers(const struct orb_init_info *ii, cap_handle_t ports)
{
	cap_handle_t caps[2] = {ii->irq[LINE], ports}, proc;
	T_EQ("spawn a driver that rebinds IRQ 4 during a storm",
	     t_spawn_role("t_irqrace", "driver", NULL, caps, 2, &proc), 0);
	long st = t_wait_and_drop(proc);
	T_CHECK(st == 0, "... every bind succeeded and it exited (%s, %ld)", t_status_name(st), st);

	int killed = 0;
	for (int round = 0; round < KILLED_ROUNDS; round++) {
		if (t_spawn_role("t_irqrace", "driver", NULL, caps, 2, &proc) != 0)
			break;
		orb_sleep(T_MS(30 + 20 * round));
		orb_proc_kill(proc);
		st = t_wait_and_drop(proc);
		killed += st == ORB_EXIT_KILLED || st == 0;
	}
	T_EQ("drivers killed during the storm and started again", killed, KILLED_ROUNDS);

	T_EQ("a driver started after the kills",
	     t_spawn_role("t_irqrace", "driver", NULL, caps, 2, &proc), 0);
	st = t_wait_and_drop(proc);
	T_CHECK(st == 0, "... binds the line again (%s, %ld)", t_status_name(st), st);
}

/* Init's own storm, ended by releasing the line under it. */
static void test_release(const struct orb_init_info *ii)
{
	irq_cap = ii->irq[LINE];
	long n = orb_ntfn_create(), d = orb_ntfn_create();
	T_OK("ntfn_create", n);
	T_OK("ntfn_create (done)", d);
	ntfns[0] = ntfns[1] = (cap_handle_t)n;
	done = (cap_handle_t)d;
	T_EQ("init binds IRQ 4", orb_irq_bind(irq_cap, (cap_handle_t)n), 0);
	__atomic_store_n(&stop, false, __ATOMIC_RELEASE);
	T_EQ("a storm thread", orb_thread_spawn(storm, NULL, T_PRIO, NULL), 0);
	long w = orb_ntfn_wait((cap_handle_t)n, T_MS(2000));
	T_CHECK(w > 0, "IRQ 4 arrives during the storm (%ld)", w);
	orb_sleep(T_MS(20));
	T_EQ("release the line (its last capability) during the storm", orb_cap_delete(irq_cap), 0);
	orb_sleep(T_MS(20));
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	T_EQ("the storm thread ends", t_wait_bits(done, DONE_STORM, T_WAIT_NS), DONE_STORM);
	T_EQ("ack on the deleted capability", orb_irq_ack(irq_cap), -ERR_BADCAP);
	orb_cap_delete((cap_handle_t)n);
	orb_cap_delete((cap_handle_t)d);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "driver"))
		return driver();
	const struct orb_init_info *ii = orb_init_info();
	if (!ii) {
		printf("t_irqrace: must run as init\n");
		return 1;
	}
	long ports = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, COM1, 8);
	T_OK("ioport_sub(COM1)", ports);
	T_CHECK(com1_open((cap_handle_t)ports), "enable COM1's ports");
	test_drivers(ii, (cap_handle_t)ports);
	test_release(ii);
	outb(COM1 + 4, inb(COM1 + 4) & (uint8_t)~0x08);
	orb_cap_delete((cap_handle_t)ports);
	return t_finish("t_irqrace");
}
