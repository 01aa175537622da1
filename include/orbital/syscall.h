/*
 * System calls: the numbers and the register convention, shared by the kernel
 * and user space (user/lib wraps them; the kernel's dispatcher decodes them).
 *
 * Convention (x86-64, the `syscall` instruction):
 *   rax          system call number (SYS_*); on return the result: a value
 *                >= 0 on success, -ERR_* (include/orbital/errors.h) on failure
 *   rdi rsi rdx  arguments a0 a1 a2
 *   r10 r8 r9    arguments a3 a4 a5
 *   rcx r11      clobbered (the CPU stores the return RIP and RFLAGS there)
 * Every other register is preserved, except for the IPC calls below, which
 * also return values in rdi, rsi, rdx, r10, r8, r9.
 *
 * IPC calls (SYS_SEND, SYS_RECV, SYS_CALL, SYS_REPLY, SYS_REPLY_RECV,
 * SYS_NB_SEND) carry a message in registers (include/orbital/ipc.h):
 *   in:  rdi = endpoint handle (SYS_REPLY: ignored), rsi = message tag,
 *        rdx r10 r8 r9 = message words 0..3, r12 = timeout in nanoseconds for
 *        the receiving half (IPC_TIMEOUT_NEVER waits forever, 0 polls)
 *   out: rax = 0 or -ERR_*, rdi = the sender's badge, rsi = the tag received,
 *        rdx r10 r8 r9 = words 0..3 received (only when rax is 0 and a
 *        message was received)
 * Words beyond the fourth, and capabilities, travel in the calling thread's
 * IPC buffer (SYS_IPC_BUFFER).
 *
 * Handles are cap_handle_t values (include/orbital/caps.h) passed in 64-bit
 * registers; a value above 0x7fffffff is rejected, never truncated. Each call
 * lists the right it needs on each handle; a handle to the wrong object type
 * is -ERR_BADCAP, one lacking the right -ERR_PERM. Every argument is checked
 * before the call has any effect. User pointers must lie in the lower half;
 * a bad one is -ERR_FAULT.
 *
 * The numbers are ABI: they never change once published.
 */
#ifndef ORBITAL_SYSCALL_H
#define ORBITAL_SYSCALL_H

/* --- Basics -------------------------------------------------------------- */
#define SYS_NULL 0 /* () -> 0. Does nothing: the null system call of the benchmarks. */
#define SYS_DEBUG_WRITE                                                                            \
	1 /* (const char *buf, size_t len) -> len. Writes to the kernel log (len <= 4096). */
#define SYS_YIELD   2 /* () -> 0 */
#define SYS_SLEEP   3 /* (uint64_t ns) -> 0 */
#define SYS_CLOCK   4 /* () -> monotonic time in ns */
#define SYS_SYSINFO 5 /* (struct orb_sysinfo *out) -> 0 */
#define SYS_LOG_READ                                                                               \
	6 /* (log [READ], uint64_t *pos, char *buf, size_t len) -> bytes copied from the kernel    \
	     log, starting at byte *pos (or the oldest kept); *pos advances. -ERR_PERM without a   \
	     Log capability (orb_init_info.log and copies init gives) */
#define SYS_SCREEN_TAKE                                                                            \
	7 /* (screen Memory [WRITE]) -> 0: the kernel stops drawing its log on the screen; the     \
	     holder (the console server) draws it from now on */
#define SYS_NOP                                                                                    \
	8 /* () -> 0. Does nothing, through the real entry, call table and exit: the null call     \
	     of the benchmarks (SYS_NULL is the entry's shortcut) */

/* --- Capabilities (in the caller's cspace unless a Process handle is given) - */
#define SYS_CAP_IDENTIFY 10 /* (h, struct cap_info *out) -> 0 */
#define SYS_CAP_DERIVE                                                                             \
	11 /* (h, rights, badge) -> new handle: a child with fewer rights / a badge */
#define SYS_CAP_DELETE 12 /* (h) -> 0 */
#define SYS_CAP_REVOKE 13 /* (h) -> number of capabilities removed */
#define SYS_CAP_GRANT                                                                              \
	14 /* (proc [MANAGE], h, rights, badge) -> handle in proc's cspace (a child of h) */
#define SYS_CAP_MOVE 15 /* (proc [MANAGE], h) -> handle in proc's cspace; h becomes stale */

/* --- Object creation ------------------------------------------------------ */
#define SYS_ENDPOINT_CREATE 20 /* () -> handle with every endpoint right */
#define SYS_NTFN_CREATE	    21 /* () -> handle with every notification right */
#define SYS_MEM_CREATE	    22 /* (size in bytes, page multiple) -> handle; frames zeroed */
#define SYS_PROC_CREATE                                                                            \
	23 /* (nslots, const char *name, quota [MANAGE] or 0 = the caller's) -> handle [all        \
	      rights] to a new empty process, bound to that quota */
#define SYS_THREAD_CREATE                                                                          \
	24 /* (proc [MANAGE], entry, stack top, arg, prio) -> thread handle; not started.          \
	      prio <= the caller's priority. The thread starts with rdi = arg. */

/* --- Memory ---------------------------------------------------------------- */
#define SYS_MEM_MAP                                                                                \
	30 /* (proc [MANAGE], mem [MAP + READ/WRITE/EXEC as prot asks], vaddr, offset, len, prot)  \
	      -> 0. prot is ORB_PROT_*; never WRITE with EXEC. Page-aligned. */
#define SYS_MEM_UNMAP 31 /* (proc [MANAGE], vaddr, len) -> 0 (unmapped pages are skipped) */
#define SYS_MEM_PROTECT                                                                            \
	32 /* (proc [MANAGE], vaddr, len, prot) -> 0, within the capability's rights */

/* --- Threads and processes -------------------------------------------------- */
#define SYS_THREAD_START 40 /* (thread [MANAGE]) -> 0 */
#define SYS_THREAD_EXIT                                                                            \
	41 /* () -> does not return. The last thread's exit ends the process (status 0). */
#define SYS_PROC_EXIT 42 /* (status) -> does not return */
#define SYS_PROC_KILL                                                                              \
	43 /* (proc [MANAGE]) -> 0. Its threads stop; its cspace and memory are freed. */
#define SYS_PROC_WAIT 44 /* (proc [READ], timeout ns) -> exit status (ORB_EXIT_*) */
#define SYS_PROC_WATCH                                                                             \
	46 /* (proc [READ], ntfn [SEND], bits) -> 0. When the process dies (exit, kill, fault),    \
	      ntfn is signalled once: with the ntfn capability's badge, or bits if it is           \
	      unbadged (then 0 < bits < 2^63, else -ERR_INVAL); at once if it is already dead.     \
	      At most 64 watches per process (-ERR_NOSPACE). */
#define SYS_IPC_BUFFER                                                                             \
	45 /* (vaddr) -> 0. The calling thread's IPC buffer (one page, mapped R/W), or 0 for none  \
	    */

/* --- IPC (see the register convention above) ---------------------------------- */
#define SYS_SEND 50 /* ep [SEND]: blocks until received or timeout (r12) */
#define SYS_NB_SEND                                                                                \
	51 /* ep [SEND]: delivers only to a receiver already waiting, else -ERR_AGAIN              \
	    */
#define SYS_RECV       52 /* ep [RECV]: waits for a message (r12 timeout) */
#define SYS_CALL       53 /* ep [SEND]: send, then wait for the reply (r12 bounds the whole call) */
#define SYS_REPLY      54 /* replies to the last call received by this thread */
#define SYS_REPLY_RECV 55 /* ep [RECV]: reply (if a call is pending), then receive */
#define SYS_REPLY_SAVE 56 /* () -> Reply handle: the pending call's reply, kept for later */
#define SYS_REPLY_TO   57 /* like SYS_REPLY, through the Reply handle in rdi (consumed) */
#define SYS_NTFN_SIGNAL                                                                            \
	58 /* (ntfn [SEND], bits) -> 0. ORs the badge (or bits, if unbadged) into the word */
#define SYS_NTFN_WAIT 59 /* (ntfn [RECV], timeout ns) -> the word (never 0), cleared */
#define SYS_ENDPOINT_CLOSE                                                                         \
	60 /* (ep [MANAGE]) -> 0. Ends the endpoint for good: every thread blocked sending,        \
	      calling or receiving on it, and every later IPC through any capability to it, gets   \
	      -ERR_CLOSED at once. Calls already received are still answered through their         \
	      replies. */

/* --- Devices (services in user space) ------------------------------------------ */
#define SYS_IRQ_BIND                                                                               \
	70 /* (irq [RECV], ntfn [SEND]) -> 0. Each interrupt masks the line and signals ntfn       \
	      (with the ntfn capability's badge, or bit 0); -ERR_BUSY if the kernel owns the line  \
	    */
#define SYS_IRQ_ACK 71 /* (irq [MANAGE]) -> 0. Unmasks the line after a delivery. */
#define SYS_IOPORT_ENABLE                                                                          \
	72 /* (ioports [MANAGE]) -> 0. The caller's process may use those ports. */
#define SYS_IOPORT_SUB                                                                             \
	73 /* (ioports [MANAGE], base, count) -> a new IoPorts handle [all rights] for ports       \
	      [base, base + count), which must lie inside the given range */
#define SYS_POWER                                                                                  \
	74 /* (ioports [MANAGE] covering every port, ORB_POWER_*) -> does not return; -ERR_PERM    \
	      with a narrower range, -ERR_INVAL for an unknown op */
#define SYS_PROC_LIST                                                                              \
	75 /* (struct orb_proc_info *buf, size_t n) -> the number of live processes; the first n   \
	      are described in buf (what `ps` shows) */
#define SYS_PROC_PID                                                                               \
	76 /* (proc [READ]) -> the process's pid (as in fault reports and SYS_PROC_LIST) */

/* --- Quotas: 90..99 (see docs/syscalls.md) ------------------------------------------ */
#define SYS_QUOTA_CREATE                                                                           \
	90 /* (parent quota [MANAGE] or 0 = the caller's, limit bytes) -> handle [all rights] to a \
	      child quota; its limit (and its record) is reserved in the parent at once */
#define SYS_QUOTA_INFO                                                                             \
	91 /* (quota [READ] or 0 = the caller's, struct orb_quota_info *out) -> 0, its limit and   \
	      usage in bytes */

#define SYS_COUNT 100

/* SYS_POWER operations. */
#define ORB_POWER_REBOOT 1
#define ORB_POWER_HALT	 2

/* SYS_PROC_LIST. */
struct orb_proc_info {
	unsigned int pid;
	unsigned int nthreads;
	unsigned int state; /* 0 alive, 1 dying, 2 dead */
	unsigned int pad;
	char name[24];
};

/* Mapping protections (SYS_MEM_MAP, SYS_MEM_PROTECT). */
#define ORB_PROT_READ  1u
#define ORB_PROT_WRITE 2u
#define ORB_PROT_EXEC  4u

/* Exit statuses reported by SYS_PROC_WAIT: the value given to SYS_PROC_EXIT
 * (0..255), or one of these. */
#define ORB_EXIT_FAULT	256 /* killed by a fault (logged with address and RIP) */
#define ORB_EXIT_KILLED 257 /* killed through SYS_PROC_KILL */

/* SYS_SYSINFO. */
struct orb_sysinfo {
	unsigned long long mem_total; /* bytes of RAM the kernel manages */
	unsigned long long mem_free;  /* bytes free */
	unsigned long long uptime_ns;
	unsigned int ncpus;
	unsigned int nthreads;
	unsigned int nprocs;
	/* Frames holding the kernel half's page tables. They grow with the peak number of kernel
	 * stacks alive at once and are never freed (every address space shares them), so leak
	 * checks count them beside mem_free. */
	unsigned int kernel_tables;
};

#endif
