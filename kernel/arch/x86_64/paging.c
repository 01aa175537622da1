/*
 * x86-64 4-level paging: the implementation of arch/vm.h.
 *
 * Tables are reached through the direct map. Intermediate entries are always
 * present+writable (+user below the kernel half) and leave the real rights to
 * the leaf entry, which carries RW, US, NX, G and the cache bits. Page-table
 * pages are never freed here; whole user spaces are torn down at once
 * elsewhere (later issue).
 *
 * Locking: each vm_space's lock guards its tables. The kernel half is shared
 * by every space, and only the kernel changes it, under kernel_space.lock.
 */
#include "arch/vm.h"
#include "mm/phys.h"
#include "lib/string.h"
#include "x86/x86.h"
#include "smp.h"

#define PTE_P	       (1ull << 0)
#define PTE_RW	       (1ull << 1)
#define PTE_US	       (1ull << 2)
#define PTE_PWT	       (1ull << 3)
#define PTE_PCD	       (1ull << 4)
#define PTE_PS	       (1ull << 7)
#define PTE_G	       (1ull << 8)
#define PTE_NX	       (1ull << 63)
#define PTE_ADDR       0x000ffffffffff000ull
#define PTE_ADDR_LARGE 0x000fffffffe00000ull

struct vm_space kernel_space = {.lock = SPINLOCK_INIT("kernel_space")};

static bool canonical(vaddr_t va)
{
	return va < 0x0000800000000000ull || va >= 0xffff800000000000ull;
}

static unsigned idx(vaddr_t va, int level) /* level 3 = PML4 ... 0 = PT */
{
	return (va >> (12 + 9 * level)) & 511;
}

static uint64_t *table(paddr_t pa)
{
	return phys_to_virt(pa & PTE_ADDR);
}

int vm_space_init(struct vm_space *s)
{
	spin_init(&s->lock, "vm_space");
	s->ntables = 0;
	return frame_alloc_zeroed(&s->root);
}

/*
 * Returns the entry for va at level `target` (1 = PD, for 2 MiB pages; 0 =
 * PT), creating tables on the way if create. NULL with *err set otherwise.
 */
static uint64_t *walk(struct vm_space *s, vaddr_t va, int target, bool create, int *err)
{
	uint64_t *t = table(s->root);
	for (int level = 3; level > target; level--) {
		uint64_t *e = &t[idx(va, level)];
		if (!(*e & PTE_P)) {
			if (!create) {
				*err = -ERR_NOENT;
				return NULL;
			}
			paddr_t fresh;
			if (frame_alloc_zeroed(&fresh)) {
				*err = -ERR_NOMEM;
				return NULL;
			}
			*e = fresh | PTE_P | PTE_RW | (va < USER_TOP ? PTE_US : 0);
			s->ntables++;
		} else if (*e & PTE_PS) {
			/* A large page covers va at this level. */
			*err = create ? -ERR_EXIST : 0;
			return create ? NULL : e;
		}
		t = table(*e);
	}
	return &t[idx(va, target)];
}

static int leaf_bits(unsigned flags, uint64_t *out)
{
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return -ERR_INVAL; /* W^X */
	uint64_t b = PTE_P;
	if (flags & VM_WRITE)
		b |= PTE_RW;
	if (flags & VM_USER)
		b |= PTE_US;
	if ((flags & VM_GLOBAL) && !(flags & VM_USER))
		b |= PTE_G;
	if (flags & VM_NOCACHE)
		b |= PTE_PCD | PTE_PWT;
	if (!(flags & VM_EXEC) && cpu_features.nx)
		b |= PTE_NX;
	*out = b;
	return 0;
}

int vm_map(struct vm_space *s, vaddr_t va, paddr_t pa, unsigned flags)
{
	size_t size = (flags & VM_LARGE) ? LARGE_PAGE_SIZE : PAGE_SIZE;
	uint64_t bits;
	int err = leaf_bits(flags, &bits);
	if (err)
		return err;
	if (!canonical(va) || !IS_ALIGNED(va, size) || !IS_ALIGNED(pa, size) ||
	    (pa & ~PTE_ADDR) != 0 || ((flags & VM_USER) && va >= USER_TOP))
		return -ERR_INVAL;

	irqflags_t f = spin_lock_irqsave(&s->lock);
	uint64_t *e = walk(s, va, (flags & VM_LARGE) ? 1 : 0, true, &err);
	if (e && (*e & PTE_P))
		err = -ERR_EXIST;
	else if (e)
		*e = pa | bits | ((flags & VM_LARGE) ? PTE_PS : 0);
	spin_unlock_irqrestore(&s->lock, f);
	return err;
}

int vm_map_range(struct vm_space *s, vaddr_t va, paddr_t pa, uint64_t len, unsigned flags)
{
	uint64_t done = 0;
	while (done < len) {
		bool large = IS_ALIGNED(va + done, LARGE_PAGE_SIZE) &&
			     IS_ALIGNED(pa + done, LARGE_PAGE_SIZE) &&
			     len - done >= LARGE_PAGE_SIZE;
		int err = vm_map(s, va + done, pa + done, flags | (large ? VM_LARGE : 0));
		if (err)
			return err;
		done += large ? LARGE_PAGE_SIZE : PAGE_SIZE;
	}
	return 0;
}

/* The present leaf entry for va (4 KiB or 2 MiB), or NULL. */
static uint64_t *find_leaf(struct vm_space *s, vaddr_t va, size_t *size)
{
	int err = 0;
	uint64_t *pd = walk(s, va, 1, false, &err);
	if (!pd || !(*pd & PTE_P))
		return NULL;
	if (*pd & PTE_PS) {
		*size = LARGE_PAGE_SIZE;
		return pd;
	}
	uint64_t *pt = &table(*pd)[idx(va, 0)];
	if (!(*pt & PTE_P))
		return NULL;
	*size = PAGE_SIZE;
	return pt;
}

/*
 * Rewrites the leaf entry that maps va on this CPU: cleared (unmap) or, with
 * its frame kept, given the permission bits (protect). -ERR_INVAL for a
 * non-canonical va, -ERR_NOENT if nothing maps it; else 0 and the page's size.
 */
static int leaf_update(struct vm_space *s, vaddr_t va, bool clear, uint64_t bits, size_t *size)
{
	size_t sz = 0;
	if (!canonical(va))
		return -ERR_INVAL;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	uint64_t *e = find_leaf(s, va, &sz);
	if (e) {
		uint64_t keep = *e & (sz == LARGE_PAGE_SIZE ? (PTE_ADDR_LARGE | PTE_PS) : PTE_ADDR);
		*e = clear ? 0 : keep | bits;
		invlpg(ALIGN_DOWN(va, sz));
	}
	spin_unlock_irqrestore(&s->lock, f);
	if (!e)
		return -ERR_NOENT;
	if (size)
		*size = sz;
	return 0;
}

int vm_unmap_local(struct vm_space *s, vaddr_t va, size_t *size)
{
	return leaf_update(s, va, true, 0, size);
}

void vm_flush_tlb(vaddr_t va, size_t len)
{
	tlb_shootdown(ALIGN_DOWN(va, PAGE_SIZE),
		      (ALIGN_UP(va + len, PAGE_SIZE) - ALIGN_DOWN(va, PAGE_SIZE)) / PAGE_SIZE);
}

int vm_unmap(struct vm_space *s, vaddr_t va, size_t *size)
{
	size_t sz = 0;
	int err = vm_unmap_local(s, va, &sz);
	if (err)
		return err;
	/* Other CPUs may hold the old translation (kernel mappings are global).
	 * One invlpg anywhere in a 2 MiB page drops all of it. */
	tlb_shootdown(ALIGN_DOWN(va, sz), 1);
	if (size)
		*size = sz;
	return 0;
}

int vm_protect_local(struct vm_space *s, vaddr_t va, unsigned flags, size_t *size)
{
	uint64_t bits;
	int err = leaf_bits(flags, &bits);
	if (err)
		return err;
	return leaf_update(s, va, false, bits, size);
}

int vm_protect(struct vm_space *s, vaddr_t va, unsigned flags)
{
	size_t sz = 0;
	int err = vm_protect_local(s, va, flags, &sz);
	if (err)
		return err;
	tlb_shootdown(ALIGN_DOWN(va, sz), 1);
	return 0;
}

int vm_query(struct vm_space *s, vaddr_t va, paddr_t *pa, unsigned *flags, size_t *size)
{
	size_t sz = 0;
	if (!canonical(va))
		return -ERR_INVAL;
	irqflags_t f = spin_lock_irqsave(&s->lock);
	uint64_t *ep = find_leaf(s, va, &sz);
	uint64_t e = ep ? *ep : 0;
	spin_unlock_irqrestore(&s->lock, f);
	if (!ep)
		return -ERR_NOENT;
	uint64_t mask = sz == LARGE_PAGE_SIZE ? PTE_ADDR_LARGE : PTE_ADDR;
	if (pa)
		*pa = (e & mask) + (va & (sz - 1));
	if (flags) {
		unsigned fl = VM_READ;
		fl |= (e & PTE_RW) ? VM_WRITE : 0;
		fl |= (e & PTE_US) ? VM_USER : 0;
		fl |= (e & PTE_G) ? VM_GLOBAL : 0;
		fl |= (e & PTE_PCD) ? VM_NOCACHE : 0;
		fl |= (e & PTE_NX) ? 0 : VM_EXEC;
		fl |= sz == LARGE_PAGE_SIZE ? VM_LARGE : 0;
		*flags = fl;
	}
	if (size)
		*size = sz;
	return 0;
}

void vm_activate(struct vm_space *s)
{
	write_cr3(s->root);
}
