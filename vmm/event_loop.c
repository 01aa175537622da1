/*
 * The main thread's poll loop; see event_loop.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "err.h"
#include "event_loop.h"

#define EVENT_LOOP_REKICK_MS 100

int event_loop_init(struct event_loop *e)
{
	sigset_t set;
	e->signal_fd = e->done_fd = e->room_fd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return err_set(ERR_NOSYS, "cannot block signals");
	e->signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
	e->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->signal_fd < 0 || e->done_fd < 0 || e->room_fd < 0) {
		int er = errno;
		event_loop_destroy(e);
		return err_set(ERR_NOSYS, "cannot create event descriptors: %s", strerror(er));
	}
	return 0;
}

void event_loop_destroy(struct event_loop *e)
{
	int *fds[] = {&e->signal_fd, &e->done_fd, &e->room_fd};
	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static void event_loop_signal_fd(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));
	(void)n; /* an eventfd write only fails if the counter is full: already signalled */
}

void event_loop_uart_room(void *ctx)
{
	struct event_loop *e = ctx;
	event_loop_signal_fd(e->room_fd);
}

void event_loop_vcpu_done(struct event_loop *e)
{
	event_loop_signal_fd(e->done_fd);
}

static void event_loop_drain(int fd)
{
	uint64_t v;
	ssize_t n = read(fd, &v, sizeof(v));
	(void)n;
}

/* Stops the VM: why (unless a stop was already requested), then kicks every
 * vCPU until all their threads returned; re-kicks each EVENT_LOOP_REKICK_MS
 * in case a kick landed just before its thread entered KVM_RUN. */
static void event_loop_stop_all(struct event_loop *e, struct vcpus *vcpus, struct vmm_stop *stop,
				enum vmm_status why)
{
	vmm_stop_request(stop, why);
	while (vcpus_running(vcpus)) {
		vcpus_kick_all(vcpus);
		struct pollfd p = {.fd = e->done_fd, .events = POLLIN};
		if (poll(&p, 1, EVENT_LOOP_REKICK_MS) > 0)
			event_loop_drain(e->done_fd);
	}
}

int event_loop_run(struct event_loop *e, struct terminal *t, struct serial *uart,
		   struct vcpus *vcpus, struct vmm_stop *stop, bool kick_every_second)
{
	int status = 0;
	for (;;) {
		struct pollfd p[4] = {
		    {.fd = e->done_fd, .events = POLLIN},
		    {.fd = e->signal_fd, .events = POLLIN},
		    {.fd = e->room_fd, .events = POLLIN},
		    {.fd = terminal_wants_input(t) ? t->in_fd : -1, .events = POLLIN},
		};
		int n = poll(p, 4, kick_every_second ? 1000 : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0) {
			vcpus_kick_all(vcpus); /* lets each vCPU check for a halt */
			continue;
		}
		if (p[0].revents) {
			/* A vCPU returned: it stopped the VM, or failed (then: an error). */
			event_loop_drain(e->done_fd);
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(e->signal_fd, &si, sizeof(si)) == sizeof(si) && status == 0) {
				status = 128 + (int)si.ssi_signo;
				vmm_stop_request(stop, VMM_STATUS_QUIT);
				break;
			}
		}
		if (p[2].revents & POLLIN)
			event_loop_drain(e->room_fd);
		bool readable = p[3].revents & (POLLIN | POLLHUP | POLLERR);
		if (terminal_pump(t, uart, readable)) {
			vmm_stop_request(stop, VMM_STATUS_QUIT);
			break;
		}
	}
	event_loop_stop_all(e, vcpus, stop, VMM_STATUS_ERROR);
	return status;
}
