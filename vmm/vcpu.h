/*
 * A vCPU and its run loop.
 *
 * vcpu_run() is the loop: KVM_RUN, then vcpu_handle_exit(), which is one
 * switch on the exit reason and an ordinary function (tests call it with a
 * fake struct kvm_run and a bus, no KVM). It runs until a stop is requested
 * (stop.h) or an error occurs.
 *
 * Another thread stops a running vCPU with vmm_stop_request() followed by
 * vcpu_kick(), which sends VCPU_KICK_SIGNAL to the vCPU thread; the handler
 * sets kvm_run.immediate_exit so the kick cannot be lost between the stop
 * check and KVM_RUN. For Linux guests each kick (the event loop sends one a
 * second) also checks whether the guest halted with interrupts off: two such
 * observations in a row stop the VM with VMM_STATUS_HALT.
 */
#ifndef ORBVM_VCPU_H
#define ORBVM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "bus.h"
#include "stop.h"

#define VCPU_KICK_SIGNAL SIGUSR1

struct vm;

/* What the exit dispatch needs; no KVM file descriptors. */
struct vcpu_exit_ctx {
	struct bus *bus;
	struct vmm_stop *stop;
	bool hlt_ends_guest; /* --real-mode: hlt is the program's end (status 0) */
};

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct vcpu_exit_ctx ctx;
	bool check_halt;      /* watch for hlt with interrupts off (Linux guests) */
	unsigned halted_seen; /* consecutive kicks that found the guest halted with IF=0 */
	pthread_t thread;     /* the thread running vcpu_run (set by its creator) */
};

/*
 * Handles one exit. Returns 0 to keep running, 1 when a stop is requested
 * (reason in ctx->stop), or a negative error with a message. run_size bounds
 * the I/O data area KVM describes.
 */
int vcpu_handle_exit(struct vcpu_exit_ctx *ctx, struct kvm_run *run, size_t run_size);

/* Creates vCPU 0 and maps its kvm_run. */
int vcpu_create(struct vcpu *v, struct vm *vm, struct bus *bus, struct vmm_stop *stop);
void vcpu_destroy(struct vcpu *v);

/*
 * Installs the kick signal handler (call once, before threads start).
 */
int vcpu_signals_init(void);

/*
 * Runs the vCPU in the calling thread until it stops. Returns the stop reason
 * (enum vmm_status, >= 0) or a negative error with a message.
 */
int vcpu_run(struct vcpu *v);

/* Interrupts KVM_RUN from another thread (see above). */
void vcpu_kick(struct vcpu *v);

#endif
