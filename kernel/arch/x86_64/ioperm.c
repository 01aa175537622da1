/*
 * I/O port permissions for user processes: the x86 I/O permission bitmap.
 *
 * A process that was given ports (SYS_IOPORT_ENABLE) has its own bitmap
 * (struct io_bitmap, one bit per port, clear = allowed). Each CPU's TSS is
 * followed by the bitmap the CPU checks (cpu_tables.iobm); on a switch to a
 * thread of another process, ioperm_switch() copies the new process's bitmap
 * in, only as many bytes as it uses, and resets what the previous one had
 * opened. Processes without ports leave all ones: any in/out in ring 3
 * raises #GP and the process dies with a logged fault.
 *
 * Each version of a bitmap has a unique id (a global counter, never reused),
 * so a CPU can tell whether what it holds is current without comparing
 * pointers that may have been freed and reused. A change made by one thread
 * takes effect at once on its own CPU, and on other CPUs at their next
 * switch to a thread of that process.
 *
 * Locking: p->lock guards p->io_bitmap; cpu_tables.iobm and the loaded id
 * are touched only by their own CPU with interrupts off.
 */
#include "core/devobj.h"
#include "core/process.h"
#include "core/cpu.h"
#include "mm/heap.h"
#include "lib/string.h"
#include <orbital/errors.h>

struct io_bitmap {
	uint64_t id;  /* unique per version; must stay first (ioperm.h) */
	uint32_t len; /* bytes that can hold a clear bit */
	uint8_t bits[IOBM_BYTES];
};

static uint64_t next_id = 1;

#include "ioperm.h"

int arch_ioports_enable(struct process *p, uint32_t base, uint32_t count)
{
	struct io_bitmap *fresh = kmalloc(sizeof(*fresh));
	if (!fresh)
		return -ERR_NOMEM;
	memset(fresh->bits, 0xff, sizeof(fresh->bits));
	fresh->len = 0;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct io_bitmap *b = p->io_bitmap;
	if (!b) {
		b = fresh;
		p->io_bitmap = b;
		fresh = NULL;
	}
	for (uint32_t port = base; port < base + count; port++)
		b->bits[port / 8] &= (uint8_t) ~(1u << (port % 8));
	if ((base + count + 7) / 8 > b->len)
		b->len = (base + count + 7) / 8;
	b->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&p->lock, f);
	kfree(fresh);
	/* Now, on this CPU. */
	f = arch_irq_save();
	ioperm_switch(this_cpu(), p);
	arch_irq_restore(f);
	return 0;
}

void arch_ioports_release(struct process *p)
{
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct io_bitmap *b = p->io_bitmap;
	p->io_bitmap = NULL;
	spin_unlock_irqrestore(&p->lock, f);
	kfree(b);
}

void ioperm_load(struct cpu *c, struct process *p)
{
	const struct io_bitmap *b = p ? p->io_bitmap : NULL;
	uint64_t id = b ? __atomic_load_n(&b->id, __ATOMIC_RELAXED) : 0;
	uint8_t *m = c->arch.tables.iobm;
	if (c->arch.iobm_dirty)
		memset(m, 0xff, c->arch.iobm_dirty);
	if (b)
		memcpy(m, b->bits, b->len);
	c->arch.iobm_dirty = b ? b->len : 0;
	c->arch.iobm_loaded = id;
}
