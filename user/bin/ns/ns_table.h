/*
 * The name server's table: names, the endpoint capability behind each, and
 * the client id that owns it. Pure logic (no system calls), so the host
 * tests run it as is (tests/host/user/test_ns.c).
 *
 * Invariants: every used entry has a valid name (ns_table_name_ok), a
 * non-zero capability handle and a non-zero owner, and no two used entries
 * have the same name. The table never deletes capabilities itself: an
 * operation that drops one hands it back (*old) for the caller to delete.
 */
#ifndef NS_TABLE_H
#define NS_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <orb/proto/ns.h>

#define NS_TABLE_MAX 64 /* names at once */

struct ns_entry {
	char name[NS_NAME_MAX + 1];
	uint32_t cap;	/* the service's unbadged endpoint [SEND, GRANT] */
	uint64_t owner; /* the client id that registered it */
	bool used;
};

struct ns_table {
	struct ns_entry e[NS_TABLE_MAX];
	unsigned count;
	unsigned per_owner; /* names one owner may hold at once; 0 = no limit */
};

/* True if name is 1..NS_NAME_MAX bytes of [a-z0-9._-]. */
bool ns_table_name_ok(const char *name);

/*
 * Decodes a name packed in four message words (untrusted): the bytes up to
 * the first 0, with every byte after it 0 too, and a valid name. Returns 0
 * and out, or -ERR_INVAL.
 */
int ns_table_name_decode(const uint64_t w[4], char out[NS_NAME_MAX + 1]);

void ns_table_init(struct ns_table *t);

/*
 * Binds name to cap for owner. If owner already holds the name, the entry is
 * replaced and *old is the capability it held (else *old = 0). Errors:
 * -ERR_INVAL (bad name, cap or owner 0), -ERR_EXIST (another owner holds
 * it), -ERR_NOSPACE (table full, or owner holds per_owner names already).
 */
int ns_table_register(struct ns_table *t, const char *name, uint64_t owner, uint32_t cap,
		      uint32_t *old);

/* The capability bound to name: 0 and *cap, or -ERR_NOENT (-ERR_INVAL for a bad name). */
int ns_table_lookup(const struct ns_table *t, const char *name, uint32_t *cap);

/* Removes name if owner holds it: 0 and *old, -ERR_NOENT, -ERR_EXIST (another owner). */
int ns_table_unregister(struct ns_table *t, const char *name, uint64_t owner, uint32_t *old);

#endif
