/*
 * Processes: what a process learns about itself at start-up, and starting
 * others (user/README.md describes the start-up convention in full).
 *
 * The kernel starts init with rdi = ORB_INIT_INFO (struct orb_init_info,
 * include/orbital/proc.h). Every other process is started by orb_spawn()
 * with rdi pointing to a struct orb_start in the child's own memory, inside
 * the start area [ORB_START_AREA, ORB_START_AREA + ORB_START_AREA_MAX): its
 * first page is the main thread's IPC buffer, then come the struct, the argv
 * array and the argument strings. The main thread's stack is
 * ORB_SPAWN_STACK_SIZE bytes below ORB_STACK_TOP. crt0 tells the two cases
 * apart by the magic numbers.
 */
#ifndef ORB_SPAWN_H
#define ORB_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <orb/sys.h>
#include <orb/bootfs.h>
#include <orb/thread.h>

#define ORB_START_MAGIC	     0x4f52425354415254ull /* "ORBSTART" */
#define ORB_START_CAPS_MAX   16			   /* capabilities a spawner can give */
#define ORB_START_AREA	     (ORB_STACK_TOP + 0x10000ull)
#define ORB_START_AREA_MAX   (64u * 1024) /* IPC buffer page + struct + argv */
#define ORB_SPAWN_STACK_SIZE (64u * 1024)
#define ORB_SPAWN_NSLOTS     256 /* cspace slots of a spawned process */

/* Written by the spawner into the child's start area; read by crt0. */
struct orb_start {
	uint64_t magic;		  /* ORB_START_MAGIC */
	uint32_t size;		  /* sizeof(struct orb_start) */
	cap_handle_t self;	  /* the child's own Process [all rights] */
	cap_handle_t self_thread; /* its main Thread [all rights] */
	uint32_t argc;
	uint64_t argv;	     /* char *[argc + 1] in the child, NULL-terminated */
	uint64_t ipc_buffer; /* the main thread's IPC buffer (one page) */
	uint64_t stack_lo;   /* the main thread's stack, [stack_lo, stack_hi) */
	uint64_t stack_hi;
	uint32_t ncaps;			       /* caps[0..ncaps-1] are valid */
	cap_handle_t caps[ORB_START_CAPS_MAX]; /* handles in the child's cspace */
	uint32_t pad;
};

/* --- About this process (valid once main() runs) --- */
cap_handle_t orb_self(void);			 /* own Process handle (0 if unknown) */
const struct orb_init_info *orb_init_info(void); /* NULL unless this process is init */
cap_handle_t orb_start_cap(unsigned i);		 /* i-th capability from the spawner, 0 if none */
unsigned orb_start_ncaps(void);

/* --- Starting processes --- */
struct orb_spawn_args {
	const char *name; /* the process's name (for the kernel log) */
	const void *elf;  /* the program: a static ELF64 executable */
	size_t elf_size;
	const char *const *argv;  /* NULL-terminated; NULL: just { name } */
	const cap_handle_t *caps; /* capabilities to give (copies, same rights and badge) */
	unsigned ncaps;		  /* <= ORB_START_CAPS_MAX */
	int prio;		  /* 0 = default */
	cap_handle_t quota;	  /* the child's quota [MANAGE]; 0 = the spawner's own */
};

/*
 * Loads and starts a program in a new process, bound to a->quota (what the
 * child then causes is charged there; its program image and stack are Memory
 * objects the spawner makes, so they are the spawner's). The child gets copies of
 * caps[] (in that order: orb_start_cap(i) in the child) and its own Process
 * and Thread handles, nothing else. Returns 0 and the parent's Process handle
 * in *proc_out (if proc_out is NULL the parent's handle is deleted), or
 * -ERR_*: -ERR_FORMAT for a malformed ELF (the parser's message is printed),
 * -ERR_INVAL for bad arguments (too many caps, argv too long), or the kernel's
 * error. On failure nothing is left: a half-made process is killed and its
 * handle deleted.
 */
long orb_spawn(const struct orb_spawn_args *a, cap_handle_t *proc_out);

/* orb_spawn() of a program in the boot archive; -ERR_NOENT if it is not there. */
long orb_spawn_path(const char *path, const char *const *argv, const cap_handle_t *caps,
		    unsigned ncaps, cap_handle_t *proc_out);

/* orb_spawn_path() of a process bound to quota (0: the spawner's own). */
long orb_spawn_path_in(const char *path, const char *const *argv, const cap_handle_t *caps,
		       unsigned ncaps, cap_handle_t quota, cap_handle_t *proc_out);

#endif
