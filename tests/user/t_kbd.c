/*
 * t_kbd: the ring-3 PS/2 keyboard driver (user/bin/kbd.c) end to end.
 *
 * Run as init (test=user init=t_kbd) by tests/qemu/kbd_test.py, which types
 * keys through QEMU's monitor (`sendkey`) once this program prints
 * "t_kbd: ready for keys". Checks:
 *  - a driver given only port 0x60 (not 0x64) is killed by the fault of its
 *    first access to 0x64, and the system runs on;
 *  - a driver given 0x60-0x64, IRQ 1 and a badged endpoint announces
 *    KBD_MSG_READY, then delivers exactly the keys typed (h, i, Shift-A, Up,
 *    Ctrl-C, Enter: 'h' 'i' 'A' KEYMAP_UP 3 '\n', with the modifiers held)
 *    through that endpoint, nothing dropped, and keeps running until killed;
 *  - keys typed while this program does not receive (it sleeps T_BUSY_NS
 *    after "ready") are queued by the driver, not lost.
 * Every wait is bounded: with no keys typed the test fails after
 * T_KEYS_NS instead of hanging.
 */
#include "t_check.h"
#include <orb/keymap.h>
#include <orb/proto/kbd.h>

#define T_BADGE	   0x6b6264ull			/* the badge of the driver's endpoint */
#define T_READY_NS (20ull * 1000 * 1000 * 1000) /* driver start-up */
#define T_KEYS_NS  (60ull * 1000 * 1000 * 1000) /* all the keys, from "ready" */
#define T_BUSY_NS  T_MS(1500)			/* not receiving at first */

/* What the harness types, and what must arrive. */
static const struct {
	const char *sendkey; /* QEMU's name, for the log */
	uint32_t key;
	uint32_t mods_set; /* modifiers that must be reported with it */
} t_keys[] = {
    {"h", 'h', 0},
    {"i", 'i', 0},
    {"shift-a", 'A', KEYMAP_MOD_SHIFT},
    {"up", KEYMAP_UP, 0},
    {"ctrl-c", 3, KEYMAP_MOD_CTRL},
    {"ret", '\n', 0},
};
#define T_NKEYS (sizeof(t_keys) / sizeof(t_keys[0]))

static long t_spawn_kbd(cap_handle_t io, cap_handle_t irq, cap_handle_t ep, cap_handle_t *proc)
{
	cap_handle_t caps[KBD_NCAPS];
	caps[KBD_CAP_IOPORTS] = io;
	caps[KBD_CAP_IRQ] = irq;
	caps[KBD_CAP_EP] = ep;
	return t_spawn_role("kbd", "kbd", NULL, caps, KBD_NCAPS, proc);
}

/* A driver whose capability lacks 0x64 dies on its first access to it. */
static void test_port_outside_capability(const struct orb_init_info *ii)
{
	long io = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, KBD_PORT_BASE, 1);
	T_OK("ioport_sub(0x60, 1): the data port alone", io);
	long ep = orb_endpoint_create();
	T_OK("endpoint_create", ep);
	cap_handle_t proc;
	long r = t_spawn_kbd((cap_handle_t)io, ii->irq[1], (cap_handle_t)ep, &proc);
	T_ERR("spawn kbd with ports 0x60 only", r, 0);
	if (r == 0)
		T_EQ("... it is killed by the fault on port 0x64", t_wait_and_drop(proc),
		     ORB_EXIT_FAULT);
	T_EQ("the system runs on: delete the endpoint", orb_cap_delete((cap_handle_t)ep), 0);
	T_EQ("... and the port range", orb_cap_delete((cap_handle_t)io), 0);
}

/* One line per key received, with the time since "ready" (the log shows the queued ones
 * arriving together once the busy phase ends). */
static void print_key(uint64_t key, uint64_t mods, uint64_t ready_ns)
{
	unsigned long long ms = (orb_clock() - ready_ns) / 1000000;
	if (key >= 0x20 && key < 0x7f)
		printf("t_kbd: got key '%c' mods 0x%llx at +%llu ms\n", (int)key,
		       (unsigned long long)mods, ms);
	else
		printf("t_kbd: got key 0x%llx mods 0x%llx at +%llu ms\n", (unsigned long long)key,
		       (unsigned long long)mods, ms);
}

/* Receives up to `max` key messages (or until Enter, or the deadline); returns how many. */
static unsigned receive_keys(cap_handle_t ep, struct orb_msg *got, unsigned max, uint64_t ready_ns)
{
	uint64_t deadline = orb_clock() + T_KEYS_NS;
	unsigned n = 0;
	while (n < max) {
		uint64_t now = orb_clock();
		if (now >= deadline) {
			printf("t_kbd: timed out waiting for keys (%u received)\n", n);
			break;
		}
		struct orb_msg m = {0};
		long r = orb_recv(ep, &m, deadline - now);
		if (r == -ERR_TIMEOUT)
			continue;
		if (r != 0) {
			T_ERR("recv a key", r, 0);
			break;
		}
		got[n++] = m;
		if (IPC_TAG_LABEL(m.tag) == KBD_MSG_KEY) {
			print_key(m.w[0], m.w[1], ready_ns);
			if (m.w[0] == '\n')
				break;
		} else {
			printf("t_kbd: got label 0x%x\n", IPC_TAG_LABEL(m.tag));
		}
	}
	return n;
}

static void test_keys(const struct orb_init_info *ii)
{
	long io = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, KBD_PORT_BASE, KBD_PORT_COUNT);
	T_OK("ioport_sub(0x60, 5)", io);
	long ep = orb_endpoint_create();
	T_OK("endpoint_create", ep);
	long eps = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND, T_BADGE);
	T_OK("a badged SEND capability for the driver", eps);
	cap_handle_t proc;
	long r = t_spawn_kbd((cap_handle_t)io, ii->irq[1], (cap_handle_t)eps, &proc);
	T_ERR("spawn kbd with 0x60-0x64, IRQ 1, the endpoint", r, 0);
	if (r != 0)
		return;

	struct orb_msg m = {0};
	r = orb_recv((cap_handle_t)ep, &m, T_READY_NS);
	T_ERR("recv the driver's first message", r, 0);
	T_EQX("... its label is KBD_MSG_READY", IPC_TAG_LABEL(m.tag), KBD_MSG_READY);
	T_EQ("... its words", IPC_TAG_NWORDS(m.tag), KBD_READY_WORDS);
	T_EQ("... the protocol version", m.w[0], KBD_PROTO_VERSION);
	T_EQX("... the badge of the driver's endpoint", m.badge, T_BADGE);
	if (r == 0) {
		printf("t_kbd: ready for keys:");
		for (unsigned i = 0; i < T_NKEYS; i++)
			printf(" %s", t_keys[i].sendkey);
		printf("\n");
	}

	/* A busy consumer: the first keys come while nobody receives. The driver must keep
	 * them (its SYS_NB_SEND fails) and deliver them, in order, once we receive. */
	uint64_t ready_ns = orb_clock();
	orb_sleep(T_BUSY_NS);
	struct orb_msg got[T_NKEYS + 4];
	unsigned n = r == 0 ? receive_keys((cap_handle_t)ep, got, T_NKEYS + 4, ready_ns) : 0;
	T_EQ("keys received", n, T_NKEYS);
	for (unsigned i = 0; i < n && i < T_NKEYS; i++) {
		T_EQX("key message label", IPC_TAG_LABEL(got[i].tag), KBD_MSG_KEY);
		T_EQ("... words", IPC_TAG_NWORDS(got[i].tag), KBD_KEY_WORDS);
		T_EQX("... badge", got[i].badge, T_BADGE);
		char what[64];
		snprintf(what, sizeof(what), "key %u (sendkey %s)", i, t_keys[i].sendkey);
		T_EQX(what, got[i].w[0], t_keys[i].key);
		T_EQX("... its modifiers include", got[i].w[1] & t_keys[i].mods_set,
		      t_keys[i].mods_set);
		T_EQ("... events dropped before it", got[i].w[2], 0);
	}

	T_ERR("the driver still runs", orb_proc_wait(proc, 0), -ERR_TIMEOUT);
	T_EQ("kill the driver", orb_proc_kill(proc), 0);
	T_EQ("... it ends as killed", t_wait_and_drop(proc), ORB_EXIT_KILLED);
	T_EQ("delete the driver's endpoint capability", orb_cap_delete((cap_handle_t)eps), 0);
	T_EQ("... the endpoint", orb_cap_delete((cap_handle_t)ep), 0);
	T_EQ("... the port range", orb_cap_delete((cap_handle_t)io), 0);
}

int main(void)
{
	const struct orb_init_info *ii = orb_init_info();
	if (!ii) {
		printf("t_kbd: must run as init\n");
		return 2;
	}
	test_port_outside_capability(ii);
	test_keys(ii);
	return t_finish("t_kbd");
}
