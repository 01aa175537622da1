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
 * sets the kvm_run.immediate_exit of the vCPU that thread runs (a
 * thread-local pointer) so the kick cannot be lost between the stop check
 * and KVM_RUN. An AP still waiting for INIT/SIPI sleeps inside KVM_RUN; the
 * signal ends that wait too (EINTR).
 *
 * Halt detection (Linux and PVH/Multiboot guests): each kick (the event loop
 * sends one a second to every vCPU) also checks whether this vCPU can no
 * longer run: halted with interrupts off on two kicks in a row, or an AP
 * never started (still waiting for INIT/SIPI). A vCPU in that state counts
 * itself in its struct vcpu_idle; when every vCPU of the VM counts, nothing
 * can run any more and the VM stops with VMM_STATUS_HALT. A vCPU that leaves
 * KVM_RUN for any other reason takes itself out of the count.
 */
#ifndef ORBVM_VCPU_H
#define ORBVM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "bus.h"
#include "stop.h"

#define VCPU_KICK_SIGNAL SIGUSR1

struct vm;
struct ioapic;

/* What the exit dispatch needs; no KVM file descriptors. */
struct vcpu_exit_ctx {
	struct bus *bus;
	struct vmm_stop *stop;
	struct ioapic *ioapic; /* split irqchip: told of KVM_EXIT_IOAPIC_EOI; else NULL */
	bool hlt_ends_guest;   /* --real-mode: hlt is the program's end (status 0) */
};

/* Shared by the vCPUs of one VM: how many cannot run (see above). */
struct vcpu_idle {
	atomic_uint count;
	unsigned ncpus;
};

struct vcpu {
	int fd;
	unsigned index; /* KVM vCPU id, also the APIC ID (x86/topology.h) */
	struct kvm_run *run;
	size_t run_size;
	struct vcpu_exit_ctx ctx;
	bool check_halt;	    /* watch for halts (not --real-mode guests) */
	unsigned halted_seen;	    /* consecutive kicks that found it halted with IF=0 */
	bool idle;		    /* counted in idle_set->count; only its thread touches it */
	struct vcpu_idle *idle_set; /* NULL: no halt detection */
	pthread_t thread;	    /* the thread running vcpu_run (set by its creator) */
	bool started;		    /* thread is valid (set by the creator before others read it) */
	atomic_bool done;	    /* vcpu_run returned; set by the vCPU thread */
	int result;		    /* vcpu_run's result, read after done */
	char error[400];	    /* its message when result < 0 */
	void *owner;		    /* the struct vcpus it belongs to (vcpus.c) */
};

/*
 * Handles one exit. Returns 0 to keep running, 1 when a stop is requested
 * (reason in ctx->stop), or a negative error with a message. run_size bounds
 * the I/O data area KVM describes.
 */
int vcpu_handle_exit(struct vcpu_exit_ctx *ctx, struct kvm_run *run, size_t run_size);

/* Creates vCPU `index` (KVM's vCPU id; 0 is the BSP) and maps its kvm_run. */
int vcpu_create(struct vcpu *v, struct vm *vm, unsigned index, struct bus *bus,
		struct vmm_stop *stop);
void vcpu_destroy(struct vcpu *v);

/*
 * Installs the kick signal handler (call once, before threads start).
 */
int vcpu_signals_init(void);

/*
 * Runs the vCPU in the calling thread until it stops. Returns the stop reason
 * (enum vmm_status, >= 0) or a negative error with a message. Several
 * vCPUs run at once, each in its own thread.
 */
int vcpu_run(struct vcpu *v);

/* Interrupts KVM_RUN from another thread (see above). */
void vcpu_kick(struct vcpu *v);

#endif
