/*
 * Handing out new objects: the last step of every system call that creates
 * one. The caller's quota is charged before the object is made
 * (handout_charge), so a call over its quota fails before anything exists;
 * then the charge follows the object and the caller receives the object's
 * first capability (handout_charged), or, if the object could not be made,
 * the charge goes back.
 *
 * If the caller's cspace has no free slot the new object is destroyed at
 * once (its charge goes back with it): a failed create leaves nothing.
 */
#ifndef ORB_API_SYS_HANDOUT_H
#define ORB_API_SYS_HANDOUT_H

#include "obj/cspace.h"

/* The caller's quota pays `bytes` for an object about to be made: 0 or
 * -ERR_QUOTA. Pair with handout_charged(). */
int handout_charge(uint64_t bytes);

/* Gives a new object's first capability (with `rights`) to the caller; the
 * object is destroyed if that fails. Returns the handle or an error. */
int64_t handout(struct kobject *obj, uint32_t rights);

/* After handout_charge(bytes): if the object could not be made (err), the
 * charge goes back; else it follows the object (given back when the object is
 * destroyed, whoever holds it then) and the caller gets its first capability.
 * Returns the handle or an error. */
int64_t handout_charged(int err, struct kobject *obj, uint64_t bytes, uint32_t rights);

#endif
