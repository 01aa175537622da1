/*
 * KVM's GSI routing table; see gsi_routes.h.
 *
 * Trust boundary: GSIs and messages come from orbvm's own models (the I/O
 * APIC's entries, a device's MSI-X table), which the guest programs; they
 * are range-checked here before they index the table, and KVM checks the
 * messages again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "err.h"
#include "irq/gsi_routes.h"

void gsi_routes_init(struct gsi_routes *r, int vm_fd, unsigned reserved)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->vm_fd = vm_fd;
	r->reserved = reserved < GSI_ROUTES_MAX ? reserved : GSI_ROUTES_MAX;
}

void gsi_routes_destroy(struct gsi_routes *r)
{
	pthread_mutex_destroy(&r->lock);
}

/* KVM_SET_GSI_ROUTING with the whole table. Caller holds r->lock. */
static int commit_locked(struct gsi_routes *r)
{
	r->commits++;
	if (r->vm_fd < 0)
		return 0;
	size_t size = sizeof(struct kvm_irq_routing) + r->n * sizeof(r->e[0]);
	struct kvm_irq_routing *t = calloc(1, size);
	if (!t)
		return err_set(ERR_NOMEM, "out of memory for the GSI routing table");
	t->nr = r->n;
	memcpy(t->entries, r->e, r->n * sizeof(r->e[0]));
	int rc = ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t);
	int e = errno;
	free(t);
	if (rc < 0)
		return err_set(ERR_NOSYS, "KVM_SET_GSI_ROUTING (%u routes): %s", r->n, strerror(e));
	return 0;
}

int gsi_routes_commit(struct gsi_routes *r)
{
	pthread_mutex_lock(&r->lock);
	int rc = commit_locked(r);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int gsi_routes_add_irqchip(struct gsi_routes *r, unsigned gsi, unsigned chip, unsigned pin)
{
	if (gsi >= GSI_ROUTES_MAX)
		return err_set(ERR_INVAL, "GSI %u: at most %u", gsi, GSI_ROUTES_MAX - 1);
	pthread_mutex_lock(&r->lock);
	int rc = 0;
	if (r->n == GSI_ROUTES_MAX) {
		rc = err_set(ERR_NOSPACE, "GSI routing table full (%u routes)", GSI_ROUTES_MAX);
	} else {
		struct kvm_irq_routing_entry *e = &r->e[r->n++];
		memset(e, 0, sizeof(*e));
		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = chip;
		e->u.irqchip.pin = pin;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* Drops gsi's entries; returns how many. Caller holds r->lock. */
static unsigned remove_locked(struct gsi_routes *r, unsigned gsi)
{
	unsigned gone = 0;
	for (unsigned i = 0; i < r->n;) {
		if (r->e[i].gsi == gsi) {
			r->e[i] = r->e[--r->n];
			gone++;
		} else {
			i++;
		}
	}
	return gone;
}

/* The MSI entry of gsi, or NULL. Caller holds r->lock. */
static struct kvm_irq_routing_entry *find_msi(struct gsi_routes *r, unsigned gsi)
{
	for (unsigned i = 0; i < r->n; i++) {
		if (r->e[i].gsi == gsi && r->e[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->e[i];
	}
	return NULL;
}

int gsi_routes_set_msi(struct gsi_routes *r, unsigned gsi, uint64_t address, uint32_t data)
{
	if (gsi >= GSI_ROUTES_MAX)
		return err_set(ERR_INVAL, "GSI %u: at most %u", gsi, GSI_ROUTES_MAX - 1);
	pthread_mutex_lock(&r->lock);
	struct kvm_irq_routing_entry *m = find_msi(r, gsi);
	int rc = 0;
	if (m && m->u.msi.address_lo == (uint32_t)address &&
	    m->u.msi.address_hi == (uint32_t)(address >> 32) && m->u.msi.data == data)
		goto out; /* nothing changed: KVM's table is already right */
	remove_locked(r, gsi);
	if (r->n == GSI_ROUTES_MAX) {
		rc = err_set(ERR_NOSPACE, "GSI routing table full (%u routes)", GSI_ROUTES_MAX);
		goto out;
	}
	struct kvm_irq_routing_entry *e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (uint32_t)address;
	e->u.msi.address_hi = (uint32_t)(address >> 32);
	e->u.msi.data = data;
	rc = commit_locked(r);
	if (rc == 0)
		rc = 1;
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int gsi_routes_clear(struct gsi_routes *r, unsigned gsi)
{
	pthread_mutex_lock(&r->lock);
	int rc = remove_locked(r, gsi) ? commit_locked(r) : 0;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int gsi_routes_alloc(struct gsi_routes *r)
{
	int gsi = -1;
	pthread_mutex_lock(&r->lock);
	for (unsigned g = r->reserved; g < GSI_ROUTES_MAX && gsi < 0; g++) {
		if (!(r->allocated[g / 64] & (1ull << (g % 64)))) {
			r->allocated[g / 64] |= 1ull << (g % 64);
			gsi = (int)g;
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (gsi < 0)
		return err_set(ERR_NOSPACE, "no free GSI for an MSI (%u in use)",
			       GSI_ROUTES_MAX - r->reserved);
	return gsi;
}

int gsi_routes_free(struct gsi_routes *r, unsigned gsi)
{
	if (gsi < r->reserved || gsi >= GSI_ROUTES_MAX)
		return 0;
	pthread_mutex_lock(&r->lock);
	int rc = 0;
	if (r->allocated[gsi / 64] & (1ull << (gsi % 64))) {
		r->allocated[gsi / 64] &= ~(1ull << (gsi % 64));
		if (remove_locked(r, gsi))
			rc = commit_locked(r);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

bool gsi_routes_get_msi(struct gsi_routes *r, unsigned gsi, uint64_t *address, uint32_t *data)
{
	pthread_mutex_lock(&r->lock);
	struct kvm_irq_routing_entry *m = find_msi(r, gsi);
	if (m) {
		*address = (uint64_t)m->u.msi.address_hi << 32 | m->u.msi.address_lo;
		*data = m->u.msi.data;
	}
	pthread_mutex_unlock(&r->lock);
	return m != NULL;
}
