/*
 * What the files of t_vfs share: the badges init gives out, the sizes, the
 * file helpers and init's checks as a single client (files.c), called from
 * main.c. main.c opens with the whole program.
 */
#ifndef T_VFS_TEST_H
#define T_VFS_TEST_H

#include <orb/vfs.h>
#include "t_check.h"

#define T_BADGE_INIT	1
#define T_BADGE_A	2
#define T_BADGE_B	3
#define T_BADGE_CRASH	4
#define T_BADGE_UNATT	9
#define T_BIG		(100u * 1024)
#define T_STRESS_ROUNDS 40
#define T_REATTACH	70 /* sessions of one process: more than watches on one process */

/* Byte i of a test pattern (seed picks the pattern). */
uint8_t t_pattern(unsigned seed, size_t i);
/* Reads the whole file at path (at most cap bytes) into buf; the byte count or -ERR_*. */
long t_slurp(const char *path, void *buf, size_t cap);
/* Creates (or truncates) path with len bytes of data; 0 or -ERR_*. */
long t_put(const char *path, const void *data, size_t len);
/* Writes and reads back a file of its own, rounds times; the number of mismatches. */
unsigned t_stress(const char *path, unsigned seed, unsigned rounds);

/* init as a client (badge 1): ls of /bin against the archive, cat of /etc/motd and
 * /bin/hello. */
void t_check_ls_cat(void);
/* Create, write, read back, append, truncate in /tmp; mkdir and unlink. */
void t_check_tmp(void);
/* The errors: through ep (init's badged capability) and owner (the unbadged one). */
void t_check_errors(cap_handle_t ep, cap_handle_t owner);
/* A 100 KiB file through the 64 KiB shared buffer. */
void t_check_big(void);

#endif
