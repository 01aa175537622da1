/*
 * Threads of the calling process, and the per-thread IPC buffer.
 *
 * Every thread the library knows has an IPC buffer (one page, installed with
 * SYS_IPC_BUFFER before the thread runs any user code). There is no thread
 * pointer (%fs is not set up), so orb_ipc_buf() finds the calling thread by
 * its stack pointer: the library keeps a table of the threads it created,
 * each with its stack's range; a stack pointer in none of them is the main
 * thread's. A thread made with orb_thread_spawn() therefore must not switch
 * to a stack of its own making.
 *
 * Limits: ORB_THREADS_MAX threads created per process (a thread's stack and
 * table slot are not reused after it exits, since it cannot free the stack it
 * runs on); each has ORB_THREAD_STACK_SIZE bytes of stack below an unmapped
 * guard page.
 */
#ifndef ORB_THREAD_H
#define ORB_THREAD_H

#include <orb/sys.h>

#define ORB_THREADS_MAX	      64
#define ORB_THREAD_STACK_SIZE (64u * 1024)
#define ORB_PRIO_DEFAULT      32 /* what prio 0 means (the kernel's default priority) */

/* The calling thread's IPC buffer; NULL only if start-up could not install one. */
struct ipc_buffer *orb_ipc_buf(void);

/*
 * Starts fn(arg) in a new thread of this process with priority prio (0: the
 * default; at most the caller's). When fn returns the thread exits
 * (SYS_THREAD_EXIT). Returns 0 and, if thread_out is not NULL, the Thread
 * handle (else the handle is deleted), or -ERR_*: nothing is left behind then.
 */
long orb_thread_spawn(void (*fn)(void *), void *arg, int prio, cap_handle_t *thread_out);

#endif
