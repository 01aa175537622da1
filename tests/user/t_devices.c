/*
 * t_devices: I/O-port and IRQ capabilities for user-space drivers.
 *
 * Run as init (test=user init=t_devices). Checks:
 *  - init holds an IoPorts capability for all ports and IRQ capabilities for
 *    the ISA lines; SYS_IOPORT_SUB makes narrower ranges and refuses ranges
 *    outside the source;
 *  - a child given ports 0x60-0x64 (the PS/2 controller) that enables them
 *    can read 0x64; touching 0x3f8 (outside its capability) kills it with a
 *    logged fault (#GP from the I/O permission bitmap) while the system runs
 *    on; a child that never enabled its ports dies on its first in;
 *  - the kernel log can be read (SYS_LOG_READ) and the screen handed over
 *    (SYS_SCREEN_TAKE) only with the screen's own Memory capability, which
 *    maps and reads back;
 *  - an IRQ delivered to user space: COM1's "transmitter empty" interrupt
 *    (IRQ 4), bound to a notification, arrives as the notification's badge;
 *    after SYS_IRQ_ACK it can arrive again.
 */
#include "t_check.h"
#include <orb/ioport.h>

#define COM1 0x3f8

/* Child roles: argv[1] says which; start capability 0 is the IoPorts range. */
static int child(int argc, char **argv)
{
	cap_handle_t io = orb_start_cap(0);
	if (t_role_is(argc, argv, "no_enable")) {
		inb(0x64); /* never enabled: must fault */
		return 10;
	}
	if (orb_ioport_enable(io) != 0)
		return 11;
	uint8_t st = inb(0x64); /* the i8042 status port: allowed */
	printf("t_devices[kbd child]: port 0x64 reads 0x%02x\n", st);
	if (t_role_is(argc, argv, "outside"))
		inb(COM1 + 5); /* outside the capability: must fault */
	return 0;
}

static void test_ports(const struct orb_init_info *ii)
{
	struct cap_info info;
	T_EQ("identify(init's IoPorts)", orb_cap_identify(ii->ioports, &info), 0);
	T_EQ("... its type", info.type, CAP_TYPE_IOPORTS);

	long kbd = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, 0x60, 5);
	T_OK("ioport_sub(0x60, 5)", kbd);
	T_EQ("ioport_sub of a range outside its source",
	     orb_syscall3(SYS_IOPORT_SUB, kbd, 0x3f8, 8), -ERR_RANGE);
	T_EQ("ioport_sub straddling its source's end", orb_syscall3(SYS_IOPORT_SUB, kbd, 0x62, 4),
	     -ERR_RANGE);
	T_EQ("ioport_sub with count 0", orb_syscall3(SYS_IOPORT_SUB, ii->ioports, 0x60, 0),
	     -ERR_RANGE);
	T_EQ("ioport_enable with an endpoint handle", orb_ioport_enable(ii->self), -ERR_BADCAP);

	cap_handle_t caps[1] = {(cap_handle_t)kbd}, proc;
	T_EQ("spawn a driver allowed 0x60-0x64",
	     t_spawn_role("t_devices", "inside", NULL, caps, 1, &proc), 0);
	T_EQ("... it reads its port and exits", t_wait_and_drop(proc), 0);
	T_EQ("spawn a driver that touches 0x3fd",
	     t_spawn_role("t_devices", "outside", NULL, caps, 1, &proc), 0);
	T_EQ("... it is killed by the fault", t_wait_and_drop(proc), ORB_EXIT_FAULT);
	T_EQ("spawn a driver that never enabled its ports",
	     t_spawn_role("t_devices", "no_enable", NULL, caps, 1, &proc), 0);
	T_EQ("... it is killed by the fault", t_wait_and_drop(proc), ORB_EXIT_FAULT);
	T_EQ("the system runs on: delete the range", orb_cap_delete((cap_handle_t)kbd), 0);
}

static void test_irq(const struct orb_init_info *ii)
{
	long com = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, COM1, 8);
	T_OK("ioport_sub(COM1)", com);
	T_EQ("enable COM1's ports", orb_ioport_enable((cap_handle_t)com), 0);
	long n = orb_ntfn_create();
	T_OK("ntfn_create", n);
	long nb = orb_cap_derive((cap_handle_t)n, CAP_RIGHT_SEND, 0x40);
	T_OK("a badged notification capability", nb);
	T_EQ("irq_bind(IRQ 4, badged ntfn)", orb_irq_bind(ii->irq[4], (cap_handle_t)nb), 0);
	T_EQ("irq_bind(IRQ 4, an endpoint)", orb_irq_bind(ii->irq[4], ii->self), -ERR_BADCAP);
	T_EQ("irq_ack(a notification handle)", orb_irq_ack((cap_handle_t)n), -ERR_BADCAP);

	uint8_t mcr = inb(COM1 + 4);
	for (int round = 0; round < 2; round++) {
		outb(COM1 + 4, mcr | 0x08); /* OUT2: the UART's interrupt line to the PIC */
		outb(COM1 + 1, 0x02);	    /* IER: transmitter empty */
		long w = orb_ntfn_wait((cap_handle_t)n, T_MS(2000));
		outb(COM1 + 1, 0x00);
		(void)inb(COM1 + 2); /* IIR: reading it clears the THRE interrupt */
		T_EQ(round ? "IRQ 4 arrives again after the ack" : "IRQ 4 arrives as the badge", w,
		     0x40);
		T_EQ("irq_ack(IRQ 4)", orb_irq_ack(ii->irq[4]), 0);
	}
	outb(COM1 + 4, mcr);
	T_EQ("delete the notification capabilities", orb_cap_delete((cap_handle_t)nb), 0);
	T_EQ("... and the other", orb_cap_delete((cap_handle_t)n), 0);
	T_EQ("delete the COM1 range", orb_cap_delete((cap_handle_t)com), 0);
}

static void test_proc_list_power(const struct orb_init_info *ii)
{
	struct orb_proc_info list[8];
	long n = orb_syscall2(SYS_PROC_LIST, (long)list, 8);
	T_CHECK(n >= 1 && n <= 8, "proc_list counts %ld process(es)", n);
	bool me = false;
	for (long i = 0; i < n && i < 8; i++)
		me |= strcmp(list[i].name, "t_devices") == 0 && list[i].nthreads >= 1;
	T_CHECK(me, "proc_list shows this process with its threads");
	T_EQ("proc_list into kernel memory",
	     orb_syscall2(SYS_PROC_LIST, (long)0xffff800000000000ull, 8), -ERR_FAULT);
	long kbd = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, 0x60, 5);
	T_EQ("power with a narrower IoPorts range", orb_syscall2(SYS_POWER, kbd, ORB_POWER_HALT),
	     -ERR_PERM);
	T_EQ("power with an unknown operation", orb_syscall2(SYS_POWER, ii->ioports, 99),
	     -ERR_INVAL);
	T_EQ("power with a non-IoPorts handle", orb_syscall2(SYS_POWER, ii->self, ORB_POWER_HALT),
	     -ERR_BADCAP);
	orb_cap_delete((cap_handle_t)kbd);
}

static void test_log_screen(const struct orb_init_info *ii)
{
	static char buf[16384];
	uint64_t pos = 0;
	long n = orb_syscall4(SYS_LOG_READ, ii->log, (long)&pos, (long)buf, sizeof(buf) - 1);
	T_OK("log_read from 0", n);
	buf[n > 0 ? n : 0] = 0;
	T_CHECK(n > 0 && strstr(buf, "Orbital ") != NULL, "the log has the banner (%ld bytes)", n);
	T_CHECK(pos >= (uint64_t)n, "the position advanced to %lu", (unsigned long)pos);
	T_EQ("log_read into kernel memory",
	     orb_syscall4(SYS_LOG_READ, ii->log, (long)&pos, (long)0xffffffff80200000ull, 16),
	     -ERR_FAULT);
	T_EQ("log_read with a bad position pointer",
	     orb_syscall4(SYS_LOG_READ, ii->log, 0x10, (long)buf, 16), -ERR_FAULT);
	/* The authority is the Log capability: none, another type, or no READ is -ERR_PERM. */
	T_EQ("log_read without a capability",
	     orb_syscall4(SYS_LOG_READ, 0, (long)&pos, (long)buf, 16), -ERR_PERM);
	T_EQ("log_read with a Process capability",
	     orb_syscall4(SYS_LOG_READ, ii->self, (long)&pos, (long)buf, 16), -ERR_PERM);
	long norights = orb_cap_derive(ii->log, 0, 0);
	T_OK("a Log capability without READ", norights);
	T_EQ("log_read with it", orb_syscall4(SYS_LOG_READ, norights, (long)&pos, (long)buf, 16),
	     -ERR_PERM);
	orb_cap_delete((cap_handle_t)norights);

	T_CHECK(ii->screen != 0 && ii->screen_info.type == ORB_SCREEN_TEXT,
		"init has the screen (type %u, %ux%u)", ii->screen_info.type, ii->screen_info.width,
		ii->screen_info.height);
	long mem = orb_mem_create(4096);
	T_EQ("screen_take with another Memory capability", orb_syscall1(SYS_SCREEN_TAKE, mem),
	     -ERR_BADCAP);
	orb_cap_delete((cap_handle_t)mem);
	long ro = orb_cap_derive(ii->screen, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	T_EQ("screen_take without WRITE", orb_syscall1(SYS_SCREEN_TAKE, ro), -ERR_PERM);
	orb_cap_delete((cap_handle_t)ro);
	T_EQ("map the screen",
	     orb_mem_map(orb_self(), ii->screen, T_MAP_BASE, 0, 4096,
			 ORB_PROT_READ | ORB_PROT_WRITE),
	     0);
	T_EQ("screen_take", orb_syscall1(SYS_SCREEN_TAKE, ii->screen), 0);
	volatile uint16_t *cell = (volatile uint16_t *)T_MAP_BASE;
	cell[0] = 0x1f00 | 'O';
	T_EQX("a cell written reads back", cell[0], 0x1f00 | 'O');
	T_EQ("unmap the screen", orb_mem_unmap(orb_self(), T_MAP_BASE, 4096), 0);
}

int main(int argc, char **argv)
{
	if (argc >= 2)
		return child(argc, argv);
	const struct orb_init_info *ii = orb_init_info();
	if (!ii) {
		printf("t_devices: must run as init\n");
		return 2;
	}
	test_ports(ii);
	test_irq(ii);
	test_log_screen(ii);
	test_proc_list_power(ii);
	return t_finish("t_devices");
}
