/*
 * Starting the first user process.
 *
 * The kernel itself starts exactly one process: init (or the program named by
 * `init=NAME` on the command line), loaded from /bin in the boot archive (the
 * Multiboot2 module named "bootfs", or the first module; the PVH initrd). It
 * gets, and only gets: its own Process and Thread capabilities, a read-only
 * Memory capability for the archive (also mapped at ORB_BOOTFS_BASE), a stack
 * and the struct orb_init_info page (include/orbital/proc.h). Everything
 * else in user space is started by init through system calls.
 */
#ifndef ORB_BOOT_USERINIT_H
#define ORB_BOOT_USERINIT_H

#include "boot/bootinfo.h"

struct process;

/* Loads and starts program `name` as init. Returns 0 with *out holding a
 * reference to the process (kobject_put it), or -ERR_* with a logged reason. */
int userinit_start(const struct boot_info *bi, const char *name, struct process **out);

/* The screen's Memory object given to init (NULL if none yet). */
struct kobject *userinit_screen(void);

#endif
