/*
 * t_console: the console server (user/bin/console/) end to end.
 *
 * Run as init (test=user init=t_console [user.warm]) by
 * tests/qemu/console_test.py, which types on the serial port. t_console
 * makes the console's start capabilities and starts /bin/console twice:
 *  1. with its endpoint [RECV] only, COM1's ports 0x3f8-0x3ff, IRQ 4 and the
 *     screen: the console polls (no interrupt thread); the keyboard path and
 *     the kernel log on the screen are checked, then it is killed;
 *  2. with its endpoint [RECV, SEND, GRANT], the same, the CRT ports
 *     0x3d4-0x3d5 and a stand-in name service t_console answers itself: the
 *     interrupt-thread console, which the rest of the checks use.
 * As its client it checks:
 *  - registration: the console registers "console" with an unbadged
 *    endpoint capability [SEND, GRANT];
 *  - CON_WRITE of a marker line (the harness finds it on the serial output),
 *    of a text longer than one message, and malformed requests;
 *  - the screen: the marker line, and a line printed to the kernel log after
 *    the console took the screen, both appear in the screen's memory;
 *  - input: each "t_console: prompt N: ..." line asks the harness to type
 *    something on the serial port; the lines read must be exactly what the
 *    line discipline makes of it ("hello\b\bp me\r" is "help me"); Ctrl-C
 *    answers a pending read with -ERR_AGAIN and, with no read pending, kills
 *    the foreground process; a second concurrent reader gets -ERR_BUSY while
 *    CON_WRITE is still served; typed-ahead lines wait for the reader;
 *  - the keyboard path: key messages badged CON_BADGE_KBD are typed, the same
 *    messages from a client are refused;
 *  - a reader child killed with its read pending no longer counts: the next
 *    reader is accepted (the console watches readers with SYS_PROC_WATCH);
 *    one process can leave 70 reads pending in turn (watched once);
 *  - the terminal's owner: t_console reads and sets the foreground through a
 *    copy badged CON_BADGE_TTY (as the shell does); an ordinary client's
 *    copy writes, but CON_READLINE and CON_SET_FG get -ERR_PERM.
 * Every wait is bounded. At the end the console is killed and every
 * capability made here is deleted, so the kernel's leak check can pass.
 */
#include <orb/console.h>
#include <orb/proto/kbd.h>
#include <orb/proto/ns.h>
#include "t_check.h"

#define T_CLIENT_BADGE 7			    /* an ordinary client's badge (a client id) */
#define T_INPUT_NS     (30ull * 1000 * 1000 * 1000) /* the harness types within this */
#define T_MARKER       "t_console: WRITE-MARKER-5a17 through the console"

static cap_handle_t t_ep;    /* the terminal's owner's copy: SEND, GRANT, badge CON_BADGE_TTY */
static cap_handle_t t_other; /* an ordinary client's copy: SEND, GRANT, badge T_CLIENT_BADGE */
static cap_handle_t t_done;  /* notification: the reader thread finished */
static volatile long t_read_r;
static char t_read_buf[CON_LINE_MAX];

static void t_reader(void *arg)
{
	(void)arg;
	t_read_r = con_readline(t_ep, t_read_buf, sizeof(t_read_buf));
	orb_ntfn_signal(t_done, 1);
}

/* Starts a reader thread; t_reader_wait collects its result (bounded). */
static void t_reader_start(void)
{
	t_read_r = -ERR_TIMEOUT;
	t_read_buf[0] = 0;
	T_EQ("start a reader thread", orb_thread_spawn(t_reader, NULL, T_PRIO, NULL), 0);
}

static long t_reader_wait(uint64_t ns)
{
	return orb_ntfn_wait(t_done, ns) > 0 ? t_read_r : -ERR_TIMEOUT;
}

/* True if text appears in the screen (VGA text cells mapped at T_MAP_BASE), within 2 s. */
static bool t_screen_has(const char *text, unsigned cells)
{
	volatile const uint16_t *vram = (volatile const uint16_t *)T_MAP_BASE;
	size_t n = strlen(text);
	for (int tries = 0; tries < 40; tries++) {
		for (unsigned i = 0; i + n <= cells; i++) {
			size_t k = 0;
			while (k < n && (char)(vram[i + k] & 0xff) == text[k])
				k++;
			if (k == n)
				return true;
		}
		orb_sleep(T_MS(50));
	}
	return false;
}

/* A raw call with a timeout; returns the reply's w0, or the IPC error. */
static long t_raw_call(cap_handle_t ep, uint32_t label, unsigned nwords, uint64_t w0)
{
	struct orb_msg m = {0};
	m.tag = IPC_TAG(label, nwords, 0);
	m.w[0] = w0;
	long r = orb_call(ep, &m, T_MS(5000));
	return r < 0 ? r : (long)m.w[0];
}

/* The stand-in name service: answers one NS_REGISTER and checks it. */
static void t_name_service(cap_handle_t ns)
{
	struct orb_msg m = {0};
	struct cap_info info = {0};
	char name[NS_NAME_MAX + 1] = "";
	long r = orb_recv(ns, &m, T_MS(10000));
	T_EQ("the console calls the name service", r, 0);
	if (r != 0)
		return;
	ns_name_unpack(m.w, name);
	T_CHECK(IPC_TAG_LABEL(m.tag) == NS_REGISTER && strcmp(name, "console") == 0,
		"it registers \"%s\" (label 0x%x)", name, IPC_TAG_LABEL(m.tag));
	unsigned ncaps = IPC_TAG_NCAPS(m.tag);
	cap_handle_t c = ncaps == 2 ? orb_ipc_buf()->recv_caps[0] : 0;
	cap_handle_t p = ncaps == 2 ? orb_ipc_buf()->recv_caps[1] : 0;
	struct cap_info pinfo = {0};
	T_CHECK(p && orb_cap_identify(p, &pinfo) == 0 && pinfo.type == CAP_TYPE_PROCESS &&
		    pinfo.rights == CAP_RIGHT_READ,
		"... and its own Process [READ] (type %u, rights 0x%x)", pinfo.type, pinfo.rights);
	if (p)
		orb_cap_delete(p);
	long id = c ? orb_cap_identify(c, &info) : -ERR_BADCAP;
	T_CHECK(id == 0 && info.type == CAP_TYPE_ENDPOINT && info.badge == 0 &&
		    (info.rights & (CAP_RIGHT_SEND | CAP_RIGHT_GRANT)) ==
			(CAP_RIGHT_SEND | CAP_RIGHT_GRANT) &&
		    !(info.rights & CAP_RIGHT_RECV),
		"... with an unbadged endpoint [SEND, GRANT] (type %u, rights 0x%x, badge %lu)",
		info.type, info.rights, (unsigned long)info.badge);
	if (c)
		orb_cap_delete(c);
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(0, 1, 0);
	orb_reply(&m);
}

static void t_output(const struct orb_init_info *ii)
{
	static char big[1300];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\n';

	unsigned cells = ii->screen_info.width * ii->screen_info.height;
	bool text = ii->screen_info.type == ORB_SCREEN_TEXT && cells > 0 && cells <= 2048;
	T_EQ("con_write of the marker line", con_puts(t_ep, T_MARKER "\n"),
	     (long)strlen(T_MARKER "\n"));
	/* Checked at once: more output would scroll it off the screen. */
	T_CHECK(text && t_screen_has("WRITE-MARKER-5a17", cells),
		"the written line is on the screen (type %u, %ux%u)", ii->screen_info.type,
		ii->screen_info.width, ii->screen_info.height);
	T_EQ("con_write of 1300 bytes (three messages)", con_write(t_ep, big, sizeof(big)),
	     (long)sizeof(big));
	T_ERR("CON_WRITE claiming more bytes than it carries", t_raw_call(t_ep, CON_WRITE, 2, 9),
	      -ERR_INVAL);
	T_ERR("CON_WRITE claiming more than a message holds",
	      t_raw_call(t_ep, CON_WRITE, 64, CON_MSG_BYTES + 1), -ERR_INVAL);
	T_ERR("an unknown request", t_raw_call(t_ep, 0x12345, 1, 0), -ERR_NOSYS);
	T_ERR("a key message from a client", t_raw_call(t_ep, KBD_MSG_KEY, 3, 'x'), -ERR_PERM);
	T_ERR("set_fg with a notification", con_set_fg(t_ep, t_done), -ERR_BADCAP);
	/* An ordinary client writes, but reads no line and moves no foreground. */
	T_EQ("con_write from an ordinary client", con_puts(t_other, "t_console: (other)\n"),
	     (long)strlen("t_console: (other)\n"));
	T_ERR("CON_SET_FG from an ordinary client", con_set_fg(t_other, 0), -ERR_PERM);
	T_ERR("CON_SET_FG with a process from an ordinary client", con_set_fg(t_other, orb_self()),
	      -ERR_PERM);
}

/* A line printed to the kernel log (which the console now draws) appears on the screen. */
static void t_log_on_screen(const struct orb_init_info *ii, const char *mode)
{
	char marker[64];
	unsigned cells = ii->screen_info.width * ii->screen_info.height;
	snprintf(marker, sizeof(marker), "LOG-MARKER-%s-%lx", mode, (unsigned long)orb_clock());
	printf("t_console: %s in the kernel log\n", marker);
	T_CHECK(ii->screen_info.type == ORB_SCREEN_TEXT && cells <= 2048 &&
		    t_screen_has(marker, cells),
		"the kernel log reaches the screen after SCREEN_TAKE (%s)", mode);
}

/* Keys from a keyboard driver (a copy of the endpoint badged CON_BADGE_KBD). */
static void t_keyboard(cap_handle_t ep)
{
	long kbd = orb_cap_derive(ep, CAP_RIGHT_SEND, CON_BADGE_KBD);
	T_OK("a keyboard-badged endpoint", kbd);
	const char *keys = "kbx\bd\n";
	unsigned sent = 0;
	for (const char *k = keys; *k; k++) {
		struct orb_msg m = {0};
		m.tag = IPC_TAG(KBD_MSG_KEY, KBD_KEY_WORDS, 0);
		m.w[0] = (uint8_t)*k;
		for (int tries = 0; tries < 500;
		     tries++) { /* as the driver does: retry when busy */
			if (orb_nb_send((cap_handle_t)kbd, &m) == 0) {
				sent++;
				break;
			}
			orb_sleep(T_MS(2));
		}
	}
	T_EQ("key messages delivered", sent, strlen(keys));
	char line[32] = "";
	long n = con_readline(t_ep, line, sizeof(line));
	T_CHECK(n == 3 && strcmp(line, "kbd") == 0, "the keys typed the line \"%s\" (%ld)", line,
		n);
	orb_cap_delete((cap_handle_t)kbd);
}

/* A reader that dies with its read pending: the console drops its saved reply. */
static void t_dead_reader(void)
{
	cap_handle_t child = 0;
	T_ERR("a read without the reader's Process", t_raw_call(t_ep, CON_READLINE, 1, 16),
	      -ERR_INVAL);
	T_EQ("spawn a reader child", t_spawn_role("t_console", "reader", NULL, &t_ep, 1, &child),
	     0);
	/* Its read is pending once a read of ours is refused as a second reader (bounded
	 * wait). Ours carries no Process, so it is never kept: BUSY, else INVAL. */
	long r = -ERR_TIMEOUT;
	for (int i = 0; i < 100 && r != -ERR_BUSY; i++) {
		r = t_raw_call(t_ep, CON_READLINE, 1, 16);
		if (r != -ERR_BUSY)
			orb_sleep(T_MS(50));
	}
	T_ERR("the child's read is pending: ours is refused", r, -ERR_BUSY);
	orb_proc_kill(child);
	T_EQ("the reader child is killed", t_wait_and_drop(child), ORB_EXIT_KILLED);
	/* t_input's first reader must now be accepted, not refused as a second one. */
}

/* Sends one key as the keyboard driver would (kbd: the endpoint badged CON_BADGE_KBD). */
static bool t_key(cap_handle_t kbd, char key)
{
	struct orb_msg m = {0};
	m.tag = IPC_TAG(KBD_MSG_KEY, KBD_KEY_WORDS, 0);
	m.w[0] = (uint8_t)key;
	for (int tries = 0; tries < 500; tries++) { /* as the driver does: retry when busy */
		if (orb_nb_send(kbd, &m) == 0)
			return true;
		orb_sleep(T_MS(2));
	}
	return false;
}

#define T_MANY_READS 70 /* more than the kernel's watches on one process */

static volatile int t_many_ok;

/* Reads T_MANY_READS lines of "r", telling the main thread after each. */
static void t_many_reader(void *arg)
{
	(void)arg;
	for (int i = 0; i < T_MANY_READS; i++) {
		char line[16];
		long n = con_readline(t_ep, line, sizeof(line));
		if (n == 1 && line[0] == 'r')
			t_many_ok++;
		orb_ntfn_signal(t_done, 1);
		if (n != 1)
			return;
	}
}

/*
 * One process reads many lines, each read kept pending until the line comes:
 * the console watches the reader once, not once per read (the kernel allows
 * PROC_WATCH_MAX watches on one process; a shell reads every command line).
 */
static void t_many_reads(cap_handle_t ep)
{
	long kbd = orb_cap_derive(ep, CAP_RIGHT_SEND, CON_BADGE_KBD);
	T_OK("a keyboard-badged endpoint", kbd);
	t_many_ok = 0;
	T_EQ("start a thread reading many lines",
	     orb_thread_spawn(t_many_reader, NULL, T_PRIO, NULL), 0);
	int rounds = 0;
	for (; rounds < T_MANY_READS; rounds++) {
		long busy = 0; /* the read is pending once a second one is refused */
		for (int k = 0; k < 500 && busy != -ERR_BUSY; k++) {
			busy = t_raw_call(t_ep, CON_READLINE, 1, 16);
			if (busy != -ERR_BUSY)
				orb_sleep(T_MS(1));
		}
		bool sent = t_key((cap_handle_t)kbd, 'r') && t_key((cap_handle_t)kbd, '\n');
		if (busy != -ERR_BUSY || !sent || orb_ntfn_wait(t_done, T_MS(5000)) <= 0)
			break;
	}
	T_CHECK(rounds == T_MANY_READS && t_many_ok == T_MANY_READS,
		"%d reads left pending in turn by one process, each answered (%d, %d)",
		T_MANY_READS, rounds, t_many_ok);
	orb_cap_delete((cap_handle_t)kbd);
}

static void t_input(const struct orb_init_info *ii)
{
	char line[CON_LINE_MAX];

	/* 1: a line with backspaces, while a second reader is refused and writes go on. */
	t_reader_start();
	orb_sleep(T_MS(300)); /* let the reader's call reach the console */
	T_ERR("a second concurrent reader", con_readline(t_ep, line, sizeof(line)), -ERR_BUSY);
	T_ERR("CON_READLINE from an ordinary client", t_raw_call(t_other, CON_READLINE, 1, 16),
	      -ERR_PERM);
	T_EQ("con_write while a read is pending", con_puts(t_ep, "t_console: (write ok)\n"),
	     (long)strlen("t_console: (write ok)\n"));
	printf("t_console: prompt 1: type a line\n");
	long n = t_reader_wait(T_INPUT_NS);
	T_CHECK(n == 7 && strcmp(t_read_buf, "help me") == 0, "read \"%s\" (%ld)", t_read_buf, n);
	printf("t_console: got line \"%s\"\n", t_read_buf);
	unsigned cells = ii->screen_info.width * ii->screen_info.height;
	if (ii->screen_info.type == ORB_SCREEN_TEXT && cells <= 2048)
		T_CHECK(t_screen_has("help me", cells), "the echo on the screen shows \"help me\"");

	/* 2: Ctrl-C with a read pending. */
	t_reader_start();
	orb_sleep(T_MS(300));
	printf("t_console: prompt 2: type Ctrl-C\n");
	T_ERR("Ctrl-C answers the pending read", t_reader_wait(T_INPUT_NS), -ERR_AGAIN);

	/* 3: Ctrl-C with no read pending kills the foreground process. */
	cap_handle_t child = 0;
	T_EQ("spawn a foreground child",
	     t_spawn_role("t_console", "sleeper", NULL, NULL, 0, &child), 0);
	T_EQ("con_set_fg(child)", con_set_fg(t_ep, child), 0);
	printf("t_console: prompt 3: type Ctrl-C\n");
	long st = orb_proc_wait(child, T_INPUT_NS);
	T_CHECK(st == ORB_EXIT_KILLED, "Ctrl-C killed the foreground child (%ld: %s)", st,
		t_status_name(st));
	if (st == -ERR_TIMEOUT)
		orb_proc_kill(child);
	orb_cap_delete(child);

	/* 4: type-ahead and Ctrl-U: lines typed before anyone reads wait in order. */
	printf("t_console: prompt 4: type two lines\n");
	n = con_readline(t_ep, line, sizeof(line));
	T_CHECK(n == 3 && strcmp(line, "one") == 0, "first line \"%s\" (%ld)", line, n);
	orb_sleep(T_MS(500)); /* the second line arrives meanwhile and is queued */
	n = con_readline(t_ep, line, 3);
	T_CHECK(n == 2 && strcmp(line, "tw") == 0, "second line, cut to 2 bytes: \"%s\" (%ld)",
		line, n);
}

/* Starts /bin/console as init would: argv {"console", geometry}, the given capabilities. */
static long t_spawn_console(const char *geometry, const cap_handle_t *caps, unsigned ncaps,
			    cap_handle_t *proc)
{
	const char *argv[] = {"console", geometry, NULL};
	struct orb_spawn_args a;
	size_t size = 0;
	const void *elf = t_find_prog("console", &size);

	if (!elf)
		return -ERR_NOENT;
	memset(&a, 0, sizeof(a));
	a.name = "console";
	a.elf = elf;
	a.elf_size = size;
	a.argv = argv;
	a.caps = caps;
	a.ncaps = ncaps;
	a.prio = T_PRIO;
	return orb_spawn(&a, proc);
}

/* Phase 1: a console given its endpoint with RECV only polls; no cursor, no name service. */
static void t_polling_console(const struct orb_init_info *ii, const char *geometry,
			      cap_handle_t com1)
{
	long ep = orb_endpoint_create();
	T_OK("endpoint_create (polling console)", ep);
	long recv = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_RECV, 0);
	long cl = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, CON_BADGE_TTY);
	T_OK("... its RECV-only copy", recv);
	T_OK("... a client's copy", cl);
	cap_handle_t caps[5] = {(cap_handle_t)recv, com1, ii->irq[4], ii->log, ii->screen};
	cap_handle_t console = 0;
	long r = t_spawn_console(geometry, caps, ii->screen ? 5 : 4, &console);
	T_EQ("spawn /bin/console with a RECV-only endpoint", r, 0);
	if (r == 0) {
		t_ep = (cap_handle_t)cl;
		T_EQ("con_write to the polling console", con_puts(t_ep, "t_console: (polling)\n"),
		     (long)strlen("t_console: (polling)\n"));
		t_keyboard((cap_handle_t)ep);
		t_log_on_screen(ii, "polling");
		T_EQ("kill the polling console", orb_proc_kill(console), 0);
		T_EQ("... it ends killed", t_wait_and_drop(console), ORB_EXIT_KILLED);
	}
	t_ep = 0;
	long made[] = {cl, recv, ep};
	for (unsigned i = 0; i < 3; i++)
		if (made[i] > 0)
			orb_cap_delete((cap_handle_t)made[i]);
}

int main(int argc, char **argv)
{
	if (t_role_is(argc, argv, "reader")) { /* reads until it is killed */
		char line[16];
		con_readline(orb_start_cap(0), line, sizeof(line));
		return 3;
	}
	if (t_role_is(argc, argv, "sleeper")) {
		orb_sleep(T_WAIT_NS);
		return 3; /* not killed: the parent's check fails */
	}
	const struct orb_init_info *ii = orb_init_info();
	if (!ii) {
		printf("t_console: must run as init\n");
		return 2;
	}
	long ep = orb_endpoint_create(), ns = orb_endpoint_create(), done = orb_ntfn_create();
	long com1 = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, CON_COM1_BASE, CON_COM1_COUNT);
	long crt = orb_syscall3(SYS_IOPORT_SUB, ii->ioports, CON_CRT_BASE, CON_CRT_COUNT);
	T_OK("endpoint_create", ep);
	T_OK("the name service's endpoint", ns);
	T_OK("ntfn_create", done);
	T_OK("ioport_sub(COM1)", com1);
	T_OK("ioport_sub(CRT)", crt);
	long nsc = orb_cap_derive((cap_handle_t)ns, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0x99);
	long cl = orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, CON_BADGE_TTY);
	long other =
	    orb_cap_derive((cap_handle_t)ep, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_CLIENT_BADGE);
	T_OK("the console's name-service capability", nsc);
	T_OK("the terminal's capability", cl);
	T_OK("an ordinary client's capability", other);
	t_other = (cap_handle_t)other;
	long rs = orb_mem_map(orb_self(), ii->screen, T_MAP_BASE, 0, 4096, ORB_PROT_READ);
	T_EQ("map the screen to read it back", rs, 0);
	t_done = (cap_handle_t)done;

	char geometry[48] = "none";
	if (ii->screen && ii->screen_info.type == ORB_SCREEN_TEXT)
		snprintf(geometry, sizeof(geometry), "text:%ux%u", ii->screen_info.width,
			 ii->screen_info.height);
	t_polling_console(ii, geometry, (cap_handle_t)com1);
	t_ep = (cap_handle_t)cl;
	cap_handle_t caps[7] = {(cap_handle_t)ep,  (cap_handle_t)com1, ii->irq[4], ii->screen,
				(cap_handle_t)crt, (cap_handle_t)nsc,  ii->log};
	cap_handle_t console = 0;
	long r = t_spawn_console(geometry, caps, 7, &console);
	T_EQ("spawn /bin/console", r, 0);
	if (r == 0) {
		t_name_service((cap_handle_t)ns);
		t_output(ii);
		t_log_on_screen(ii, "thread");
		t_dead_reader();
		t_many_reads((cap_handle_t)ep);
		t_input(ii);
		T_EQ("kill the console", orb_proc_kill(console), 0);
		T_EQ("... it ends killed", t_wait_and_drop(console), ORB_EXIT_KILLED);
	}
	if (rs == 0)
		orb_mem_unmap(orb_self(), T_MAP_BASE, 4096);
	long caps_made[] = {other, cl, nsc, crt, com1, done, ns, ep};
	for (unsigned i = 0; i < sizeof(caps_made) / sizeof(caps_made[0]); i++)
		if (caps_made[i] > 0)
			orb_cap_delete((cap_handle_t)caps_made[i]);
	return t_finish("t_console");
}
