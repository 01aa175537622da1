/*
 * The Log object: the authority to read the kernel log (SYS_LOG_READ).
 *
 * There is one, built into the kernel image and never freed. The kernel
 * gives init the first capability to it (orb_init_info.log) and init hands
 * derived copies only to the programs that should read the log (the
 * console, which draws it on a VGA text screen; the shell, for `dmesg`). A
 * process without a Log capability with READ gets -ERR_PERM from
 * SYS_LOG_READ: the log tells what every process did (fault reports with
 * names and addresses), which one process should not learn of another.
 */
#ifndef ORB_OBJ_LOG_H
#define ORB_OBJ_LOG_H

#include "obj/kobject.h"

/* The Log object (static; never freed). */
struct kobject *log_get(void);

#endif
