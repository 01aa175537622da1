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
 * Locking: p->lock guards every write of p->io_bitmap and of the bitmap;
 * cpu_tables.iobm and the loaded id are touched only by their own CPU with
 * interrupts off. A context switch (also one the timer interrupt forces)
 * reads p->io_bitmap and the bitmap without the lock: a bitmap is published
 * (release) only once its id is set, and each change writes the bits first
 * and the new id last (release), so a CPU that reads an id (acquire) copies
 * bits at least that new; one that copies bits in the middle of a change
 * records the older id and loads again at its next switch. A bitmap is
 * freed only in tear-down, when no thread of p can be switched to.
 */
#include "obj/ioports.h"
#include "obj/process.h"
#include "sched/cpu.h"
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
	fresh->id = 0; /* "nothing opened yet", never a CPU's loaded id but the empty one */
	irqflags_t f = spin_lock_irqsave(&p->lock);
	struct io_bitmap *b = p->io_bitmap;
	if (!b) {
		b = fresh;
		__atomic_store_n(&p->io_bitmap, b, __ATOMIC_RELEASE);
		fresh = NULL;
	}
	for (uint32_t port = base; port < base + count; port++)
		__atomic_and_fetch(&b->bits[port / 8], (uint8_t) ~(1u << (port % 8)),
				   __ATOMIC_RELAXED);
	if ((base + count + 7) / 8 > b->len)
		__atomic_store_n(&b->len, (base + count + 7) / 8, __ATOMIC_RELAXED);
	__atomic_store_n(&b->id, __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED),
			 __ATOMIC_RELEASE);
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

void ioperm_load(struct cpu *c, const struct io_bitmap *b, uint64_t id)
{
	uint8_t *m = c->arch.tables.iobm;
	uint32_t len = b ? __atomic_load_n(&b->len, __ATOMIC_RELAXED) : 0;
	if (c->arch.iobm_dirty)
		memset(m, 0xff, c->arch.iobm_dirty);
	if (b)
		memcpy(m, b->bits, len);
	c->arch.iobm_dirty = len;
	c->arch.iobm_loaded = id;
}
