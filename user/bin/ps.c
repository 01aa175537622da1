/*
 * ps: the processes the kernel runs (SYS_PROC_LIST: pid, threads, state,
 * name), then the services init supervises (INIT_LIST: init's pid, the
 * restarts so far, the state). `kill PID` takes a pid from the second table.
 */
#include <orb/proto/ns.h>
#include <orb/thread.h>
#include "cmd.h"

#define PS_MAX 128

static struct orb_proc_info ps_procs[PS_MAX];

static const char *ps_state(unsigned s)
{
	return s == 0 ? "alive" : s == 1 ? "dying" : "dead";
}

static void ps_kernel(void)
{
	long n = orb_syscall2(SYS_PROC_LIST, (long)ps_procs, PS_MAX);
	if (n < 0) {
		printf("ps: SYS_PROC_LIST: %s\n", cmd_strerror(n));
		return;
	}
	printf("  PID  THREADS  STATE  NAME\n");
	for (long i = 0; i < n && i < PS_MAX; i++) {
		const struct orb_proc_info *p = &ps_procs[i];
		printf("%5u  %7u  %-5s  %.*s\n", p->pid, p->nthreads, ps_state(p->state),
		       (int)sizeof(p->name), p->name);
	}
	if (n > PS_MAX)
		printf("(%ld more)\n", n - PS_MAX);
}

/* Init's services; quiet if init does not answer (not running the system). */
static void ps_services(void)
{
	struct ipc_buffer *b = orb_ipc_buf();
	for (uint64_t i = 0;; i++) {
		struct orb_msg m = {0};
		m.w[0] = i;
		long r = cmd_init_call(INIT_LIST, 1, &m);
		if (r < 0 || !b || IPC_TAG_NWORDS(m.tag) < INIT_LIST_WORDS)
			return;
		uint64_t w[4];
		char name[NS_NAME_MAX + 1];
		memcpy(w, &b->words[4], sizeof(w)); /* words 4..7 travel in the IPC buffer */
		ns_name_unpack(w, name);
		if (i == 0)
			printf("\nSERVICE   PID  RESTARTS  STATE\n");
		printf("%-8s %4llu  %8llu  %s\n", name, (unsigned long long)m.w[1],
		       (unsigned long long)m.w[2], init_svc_state_name(m.w[3]));
	}
}

int main(void)
{
	ps_kernel();
	ps_services();
	return 0;
}
