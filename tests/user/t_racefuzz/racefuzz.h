/*
 * What the two sides of t_racefuzz share: init (main.c: the rounds and their
 * checks) and the workers (worker.c: the threads making calls; args.c: the
 * handle pools and the arguments they draw). The layout of the shared pages,
 * the start capabilities a worker gets, the victims' code and the per-thread
 * fuzzing state. main.c opens with what the program does.
 */
#ifndef T_RACEFUZZ_H
#define T_RACEFUZZ_H

#include "t_check.h"

#define R_MAX_WORKERS 6
#define R_MAX_THREADS 8
#define R_POOL	      16
#define R_ARENA	      0x0000600000000000ull /* a worker's arena: mapped and unmapped at will */
#define R_WIN	      0x10000ull	    /* arena windows of 64 KiB */
#define R_NWIN	      32		    /* the arena's last window is never mapped */
#define R_SHARED_VA   0x0000580000000000ull /* the statistics page, in init and the workers */
#define R_VCODE	      0x10000000ull	    /* victims: the code page */
#define R_VSTACK      0x20000000ull	    /* victims: a stack top (nothing mapped) */
#define R_OUT_MAX     65536		    /* bytes the kernel may write into a scratch buffer */
#define R_HANG_NS     (20ull * 1000 * 1000 * 1000)
#define R_STOP_NS     (15ull * 1000 * 1000 * 1000)
#define R_BURST	      1000 /* threads: more than a round has at once, to fill kernel caches */
#define R_REPORT_MAX  4	   /* FAIL lines printed per worker and kind (all are counted) */

/* Start capabilities of a worker (copies of init's). */
enum {
	RC_EP0,
	RC_EP1,
	RC_EP0_SEND,
	RC_NTFN,
	RC_MEM_SMALL,
	RC_MEM_BIG,
	RC_CODE,
	RC_SHARED,
	RC_COUNT
};

/* The page init shares with the workers of a round. */
struct r_shared {
	uint64_t go;	  /* set by init: the threads start */
	uint64_t stop;	  /* set by init: the threads stop */
	uint64_t nocalls; /* the idle round: threads start, then only wait for stop */
	uint64_t ready[R_MAX_WORKERS];
	uint64_t calls[R_MAX_WORKERS][R_MAX_THREADS];
	uint64_t bad[R_MAX_WORKERS];
	uint64_t padding[R_MAX_WORKERS];
};
_Static_assert(sizeof(struct r_shared) <= 4096, "one page");

/* Victim code: stubs at fixed offsets of the code page (args.c). */
#define R_NENTRIES 5
extern const uint8_t r_code[];
extern const size_t r_code_size;
extern const uint16_t r_entries[R_NENTRIES];

enum { K_PROC, K_THREAD, K_EP, K_NTFN, K_MEM, K_REPLY, K_ANY, K_NKINDS };

/* The worker's own Process handle: never a random argument (set by r_worker). */
extern cap_handle_t r_self;

struct r_thread {
	uint64_t rng;
	unsigned idx;
	uint64_t calls, bad, padding;
	bool buf_private; /* the registered IPC buffer is priv */
	struct ipc_buffer *priv;
	uint8_t *scratch; /* R_OUT_MAX bytes, then slack */
};

/* ---- Arguments. ---- */

enum {
	A_NUM,
	A_PROC,
	A_THREAD,
	A_EP,
	A_NTFN,
	A_MEM,
	A_REPLY,
	A_CAP,
	A_ADDR,
	A_OFF,
	A_SIZE,
	A_PROT,
	A_RIGHTS,
	A_BADGE,
	A_OUT,
	A_IN,
	A_TIMEOUT,
	A_TAG,
	A_WORD,
	A_SLOTS,
	A_NAME,
	A_PRIO,
	A_ENTRY,
	A_STACK,
	A_IPCBUF,
};

/* ---- args.c: random numbers, the handle pools, arguments. ---- */

uint64_t r_next(struct r_thread *t);
uint64_t r_below(struct r_thread *t, uint64_t n);
/* A number derived from a and b (seeds of rounds, workers and threads). */
uint64_t r_mix(uint64_t a, uint64_t b);
/* Fills the pools with the start capabilities and the arena's first windows. */
void r_pools_init(void);
/* Adds a handle; the one it replaces is deleted half the time (while others may use it). */
void r_pool_add(struct r_thread *t, unsigned k, cap_handle_t h);
/* Remembers an arena address that was just mapped. */
void r_addr_add(uint64_t va);
uint64_t r_handle(struct r_thread *t, unsigned k);
uint64_t r_arena_addr(struct r_thread *t);
uint64_t r_timeout(struct r_thread *t);
/* An argument of kind A_*. */
uint64_t r_arg(struct r_thread *t, unsigned kind);
/* The argument kinds of call n (a call this table does not know gets numbers and handles). */
void r_sig(long n, unsigned k[6]);
/* Keeps the kernel's writes into the scratch buffer inside it (and the debug log quiet). */
void r_shape(struct r_thread *t, long n, uint64_t a[6]);

/* ---- worker.c ---- */

/* A worker: "SEED:INDEX:NTHREADS:OPS". Returns when init says stop (its other threads are
 * ended with the process). */
int r_worker(const char *arg);

#endif
