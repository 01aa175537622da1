/*
 * System call entry on x86-64 (syscall.c): the part the rest of the arch
 * code calls. The portable dispatcher is api/syscall.h.
 */
#ifndef ORB_X86_64_SYSCALL_H
#define ORB_X86_64_SYSCALL_H

/* Routes `syscall` to syscall_entry.S and turns on the user-mode protections
 * the CPU has (SMEP, SMAP, UMIP); on every CPU as it starts. */
void syscall_init_cpu(void);

#endif
