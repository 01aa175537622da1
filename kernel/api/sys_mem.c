/*
 * The memory system calls: making Memory objects and mapping, unmapping and
 * protecting them in a process (SYS_MEM_*). The address-space work is
 * memory.c's: it checks alignment, ranges and overlaps under the process's
 * lock and changes nothing when it refuses.
 *
 * What decoding checks here: the Process capability (MANAGE), the Memory
 * capability with the rights the protection asks for, and that a protection
 * names only ORB_PROT_* bits. A mapping may never allow more than the Memory
 * capability's rights, now or after SYS_MEM_PROTECT: its ceiling is recorded
 * from the rights the capability holds.
 */
#include "api/sys_table.h"
#include "api/sys_decode.h"
#include "api/sys_handout.h"
#include "obj/memory.h"
#include "obj/process.h"
#include "obj/quota.h"

#define PROT_ALL (ORB_PROT_READ | ORB_PROT_WRITE | ORB_PROT_EXEC)

/* (size in bytes, page multiple) -> handle; frames zeroed */
int64_t sys_mem_create(const struct syscall_args *a)
{
	uint64_t size = a->a0;
	struct memory *mo = NULL;
	/* memory_create's own checks, made before anything is charged. */
	if (size == 0 || size % PAGE_SIZE)
		return -ERR_INVAL;
	if (size / PAGE_SIZE > MEMORY_MAX_PAGES)
		return -ERR_RANGE;

	uint64_t bytes = memory_bytes(size / PAGE_SIZE);
	int err = handout_charge(bytes);
	if (err)
		return err;
	err = memory_create(size, &mo);
	return handout_charged(err, mo ? &mo->obj : NULL, bytes,
			       CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC | CAP_RIGHT_MAP);
}

/* Rights a Memory capability needs for a mapping protection. */
static uint32_t map_rights(uint64_t prot)
{
	return CAP_RIGHT_MAP | ((prot & ORB_PROT_READ) ? CAP_RIGHT_READ : 0) |
	       ((prot & ORB_PROT_WRITE) ? CAP_RIGHT_WRITE : 0) |
	       ((prot & ORB_PROT_EXEC) ? CAP_RIGHT_EXEC : 0);
}

/* The protections a Memory capability's rights allow. */
static unsigned prot_of_rights(uint32_t r)
{
	return ((r & CAP_RIGHT_READ) ? ORB_PROT_READ : 0) |
	       ((r & CAP_RIGHT_WRITE) ? ORB_PROT_WRITE : 0) |
	       ((r & CAP_RIGHT_EXEC) ? ORB_PROT_EXEC : 0);
}

/* SYS_MEM_MAP's capabilities: the process and the Memory object, with the
 * rights the Memory capability holds. All or nothing. */
static int decode_map(const struct syscall_args *a, struct process **p, struct memory **mo,
		      uint32_t *have)
{
	uint64_t prot = a->a5;
	struct kobject *o;
	int err = decode_process(a->a0, CAP_RIGHT_MANAGE, p);
	if (err)
		return err;
	err = prot > PROT_ALL
		  ? -ERR_INVAL
		  : decode_cap(a->a1, CAP_TYPE_MEMORY, map_rights(prot), &o, NULL, have);
	if (err) {
		kobject_put(&(*p)->obj);
		return err;
	}
	*mo = container_of(o, struct memory, obj);
	return 0;
}

/* (proc [MANAGE], mem [MAP + what prot asks], vaddr, offset, len, prot) -> 0 */
int64_t sys_mem_map(const struct syscall_args *a)
{
	struct process *p;
	struct memory *mo;
	uint32_t have = 0;
	int err = decode_map(a, &p, &mo, &have);
	if (err)
		return err;

	err = memory_map(p, mo, a->a2, a->a3, a->a4, (unsigned)a->a5, prot_of_rights(have));
	kobject_put(&mo->obj);
	kobject_put(&p->obj);
	return err;
}

/* (proc [MANAGE], vaddr, len) -> 0 */
int64_t sys_mem_unmap(const struct syscall_args *a)
{
	struct process *p;
	int err = decode_process(a->a0, CAP_RIGHT_MANAGE, &p);
	if (err)
		return err;

	err = memory_unmap(p, a->a1, a->a2);
	kobject_put(&p->obj);
	return err;
}

/* (proc [MANAGE], vaddr, len, prot) -> 0 */
int64_t sys_mem_protect(const struct syscall_args *a)
{
	struct process *p;
	int err = decode_process(a->a0, CAP_RIGHT_MANAGE, &p);
	if (err)
		return err;
	if (a->a3 > PROT_ALL) {
		kobject_put(&p->obj);
		return -ERR_INVAL;
	}

	err = memory_protect(p, a->a1, a->a2, (unsigned)a->a3);
	kobject_put(&p->obj);
	return err;
}
