/*
 * The main thread's event loop while the vCPU threads run: terminal input
 * to the UART, signals, the once-a-second kick of every vCPU (halt check),
 * and the vCPU threads' "I stopped" notifications. Whatever ends the VM
 * (a signal, Ctrl-A x, or any vCPU thread returning), the loop requests the
 * stop and kicks every vCPU until all their threads returned (vcpus.h).
 *
 * SIGINT, SIGTERM and SIGHUP are blocked in every thread (event_loop_init,
 * before any thread starts) and received here through a signalfd: the loop
 * stops the VM and returns 128 + the signal number, so the terminal is
 * restored by the normal exit path.
 */
#ifndef ORBVM_EVENT_LOOP_H
#define ORBVM_EVENT_LOOP_H

#include <stdbool.h>

#include "devices/serial.h"
#include "devices/terminal.h"
#include "stop.h"
#include "vcpus.h"

struct event_loop {
	int signal_fd; /* SIGINT/SIGTERM/SIGHUP */
	int done_fd;   /* eventfd: a vCPU thread finished */
	int room_fd;   /* eventfd: the UART receive FIFO has room again */
};

/* Blocks the stop signals and creates the file descriptors. */
int event_loop_init(struct event_loop *e);
void event_loop_destroy(struct event_loop *e);

/* UART rx_room callback (ctx is the struct event_loop). */
void event_loop_uart_room(void *ctx);
/* Called by a vCPU thread when its vcpu_run returned. */
void event_loop_vcpu_done(struct event_loop *e);

/*
 * Runs until every vCPU thread returned. Returns 0, or 128 + N when signal
 * N asked orbvm to stop (the VM was stopped).
 */
int event_loop_run(struct event_loop *e, struct terminal *t, struct serial *uart,
		   struct vcpus *vcpus, struct vmm_stop *stop, bool kick_every_second);

#endif
