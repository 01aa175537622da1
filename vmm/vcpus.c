/*
 * The vCPU set and its threads; see vcpus.h.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "event_loop.h"
#include "vcpus.h"
#include "vm.h"
#include "x86/cpu_setup.h"

void vcpus_init(struct vcpus *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		s->v[i].fd = -1;
}

int vcpus_create(struct vcpus *s, struct vm *vm, unsigned n, struct bus *bus, struct vmm_stop *stop,
		 bool check_halt)
{
	s->idle.ncpus = n;
	for (unsigned i = 0; i < n; i++) {
		int r = vcpu_create(&s->v[i], vm, i, bus, stop);
		if (r < 0)
			return r;
		s->n = i + 1; /* created so far: destroyed by vcpus_destroy */
		s->v[i].owner = s;
		s->v[i].check_halt = check_halt;
		s->v[i].idle_set = check_halt ? &s->idle : NULL;
	}
	return 0;
}

int vcpus_setup_cpu(struct vcpus *s, int kvm_fd, unsigned i)
{
	int fd = s->v[i].fd, r;
	if ((r = cpu_setup_cpuid(kvm_fd, fd, i, s->n)) < 0 || (r = cpu_setup_msrs(fd)) < 0 ||
	    (r = cpu_setup_fpu(fd)) < 0 || (r = cpu_setup_lapic(fd)) < 0)
		return r;
	return 0;
}

static void *vcpus_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vcpus *s = v->owner;
	v->result = vcpu_run(v);
	if (v->result < 0 && s->n > 1)
		snprintf(v->error, sizeof(v->error), "vCPU %u: %s", v->index, err_msg());
	else if (v->result < 0)
		snprintf(v->error, sizeof(v->error), "%s", err_msg());
	atomic_store(&v->done, true);
	event_loop_vcpu_done(s->loop);
	return NULL;
}

/* Pins thread t to the (i mod count)-th CPU of this process's affinity mask. */
static void vcpus_pin(pthread_t t, unsigned i)
{
	cpu_set_t allowed, one;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0 || CPU_COUNT(&allowed) == 0)
		return;
	unsigned want = i % (unsigned)CPU_COUNT(&allowed), seen = 0;
	for (unsigned c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &allowed) || seen++ != want)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		pthread_setaffinity_np(t, sizeof(one), &one); /* best effort */
		return;
	}
}

int vcpus_start(struct vcpus *s, struct event_loop *loop, bool pin)
{
	s->loop = loop;
	for (unsigned i = 0; i < s->n; i++) {
		struct vcpu *v = &s->v[i];
		int e = pthread_create(&v->thread, NULL, vcpus_thread, v);
		if (e != 0) {
			vmm_stop_request(v->ctx.stop, VMM_STATUS_ERROR);
			vcpus_kick_all(s);
			vcpus_join(s);
			return err_set(ERR_NOSYS, "cannot start the thread of vCPU %u: %s", i,
				       strerror(e));
		}
		v->started = true;
		char name[16];
		snprintf(name, sizeof(name), "orbvm-vcpu%u", i);
		pthread_setname_np(v->thread, name);
		if (pin)
			vcpus_pin(v->thread, i);
	}
	return 0;
}

void vcpus_kick_all(struct vcpus *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (s->v[i].started && !atomic_load(&s->v[i].done))
			vcpu_kick(&s->v[i]);
	}
}

unsigned vcpus_running(struct vcpus *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < s->n; i++)
		n += s->v[i].started && !atomic_load(&s->v[i].done);
	return n;
}

int vcpus_join(struct vcpus *s)
{
	int status = VMM_STATUS_ERROR, failed = -1;
	for (unsigned i = 0; i < s->n; i++) {
		struct vcpu *v = &s->v[i];
		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		v->started = false;
		if (v->result < 0 && failed < 0)
			failed = (int)i;
		else if (v->result >= 0)
			status = v->result;
	}
	if (failed >= 0)
		return err_set(-s->v[failed].result, "%s", s->v[failed].error);
	return status;
}

void vcpus_destroy(struct vcpus *s)
{
	for (unsigned i = 0; i < s->n; i++)
		vcpu_destroy(&s->v[i]);
	s->n = 0;
}
