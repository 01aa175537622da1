/*
 * Orbital error codes, shared by the kernel and user space.
 *
 * Kernel functions that can fail return 0 (or a non-negative value) on success
 * and one of these, negated, on failure: `return -ERR_NOMEM;`. System calls
 * return the same values to user space, so this header is part of the ABI and
 * its numbers never change once published.
 */
#ifndef ORBITAL_ERRORS_H
#define ORBITAL_ERRORS_H

#define ERR_OK	    0  /* success */
#define ERR_NOMEM   1  /* out of memory */
#define ERR_INVAL   2  /* invalid argument */
#define ERR_RANGE   3  /* value or address out of range */
#define ERR_EXIST   4  /* already exists / already mapped */
#define ERR_NOENT   5  /* no such object / not mapped */
#define ERR_FAULT   6  /* bad user or guest address */
#define ERR_PERM    7  /* capability lacks the needed right */
#define ERR_BADCAP  8  /* no capability in that slot, or a stale one */
#define ERR_TIMEOUT 9  /* operation timed out */
#define ERR_BUSY    10 /* resource busy */
#define ERR_NOSYS   11 /* no such system call or operation */
#define ERR_FORMAT  12 /* malformed input (ELF, boot info, tables) */
#define ERR_AGAIN   13 /* try again (would block) */
#define ERR_NOSPACE 14 /* no free slot or space */
#define ERR_CLOSED  15 /* the endpoint was ended by its holder: the service is gone for good */
#define ERR_QUOTA   16 /* the quota the caller's allocations are charged to is used up */
#define ERR_DEAD    17 /* the process (or thread) has exited or is exiting */

#define ERR_MAX 17

#endif
