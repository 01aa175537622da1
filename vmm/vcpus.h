/*
 * All the vCPUs of one VM and their threads: creation, the per-vCPU CPU
 * set-up every vCPU shares (CPUID with its own topology, MSRs, FPU, LAPIC),
 * one thread per vCPU, and the one way they all stop.
 *
 * vCPU 0 is the bootstrap processor; its registers are the boot protocol's
 * (main.c). The others are application processors: with KVM's in-kernel
 * local APICs, KVM creates them waiting for INIT/SIPI (mp_state
 * UNINITIALIZED) and they sleep inside KVM_RUN until the guest starts them
 * through its local APIC, exactly as on a PC.
 *
 * Stopping (the same whichever vCPU or thread causes it): a stop is
 * requested once in struct vmm_stop (the first reason wins); then
 * vcpus_kick_all() kicks every vCPU thread still running out of KVM_RUN
 * (vcpu.h); each sees the request and returns; vcpus_join() joins them all.
 * A vCPU thread that returns tells the event loop (event_loop_vcpu_done),
 * which requests a stop (VMM_STATUS_ERROR if none was requested, i.e. the
 * vCPU failed) and kicks the others until all are done. Every thread
 * returns the same stop reason, so the VM has one exit status.
 *
 * Locking: created and set up by the main thread before any vCPU thread
 * starts; afterwards each struct vcpu belongs to its thread except `done`
 * (atomic) and `result`/`error`, read by the main thread once done is set.
 */
#ifndef ORBVM_VCPUS_H
#define ORBVM_VCPUS_H

#include <stdbool.h>

#include "config.h"
#include "vcpu.h"

struct event_loop;

struct vcpus {
	struct vcpu v[CONFIG_MAX_CPUS];
	unsigned n;
	struct vcpu_idle idle;
	struct event_loop *loop; /* told when a vCPU thread ends */
};

/* Marks every vCPU as not created (for teardown after an early failure). */
void vcpus_init(struct vcpus *s);

/*
 * Creates n vCPUs (ids 0..n-1). With check_halt, they take part in halt
 * detection (vcpu.h). Returns 0 or a negative error with a message.
 */
int vcpus_create(struct vcpus *s, struct vm *vm, unsigned n, struct bus *bus, struct vmm_stop *stop,
		 bool check_halt);

/* CPUID (topology of vCPU i of n), MSRs, FPU and LAPIC for a kernel guest. */
int vcpus_setup_cpu(struct vcpus *s, int kvm_fd, unsigned i);

/*
 * Starts a thread per vCPU (named orbvm-vcpuN); with pin, vCPU i's thread
 * runs on the i-th (mod their number) host CPU this process may use. On
 * failure the threads already started are stopped and joined and a negative
 * error is returned.
 */
int vcpus_start(struct vcpus *s, struct event_loop *loop, bool pin);

/* Kicks every started vCPU whose thread has not returned. */
void vcpus_kick_all(struct vcpus *s);

/* How many started vCPU threads have not returned yet. */
unsigned vcpus_running(struct vcpus *s);

/*
 * Joins every started thread. Returns the stop reason (>= 0) or, if a vCPU
 * failed, the lowest-numbered failure as a negative error with its message.
 */
int vcpus_join(struct vcpus *s);

void vcpus_destroy(struct vcpus *s);

#endif
