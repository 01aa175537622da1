/*
 * The name server's table (ns_table.h): a small fixed array searched
 * linearly; NS_TABLE_MAX names are plenty for a system's services.
 */
#include <string.h>
#include <orbital/errors.h>
#include "ns_table.h"

bool ns_table_name_ok(const char *name)
{
	size_t n = 0;
	if (!name)
		return false;
	for (; name[n]; n++) {
		char c = name[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '_' || c == '-';
		if (!ok || n >= NS_NAME_MAX)
			return false;
	}
	return n > 0;
}

int ns_table_name_decode(const uint64_t w[4], char out[NS_NAME_MAX + 1])
{
	unsigned char bytes[4 * sizeof(uint64_t)];
	memcpy(bytes, w, sizeof(bytes));
	size_t n = 0;
	while (n < sizeof(bytes) && bytes[n])
		n++;
	if (n > NS_NAME_MAX)
		return -ERR_INVAL; /* no terminating 0 within the 32 bytes */
	for (size_t i = n; i < sizeof(bytes); i++)
		if (bytes[i])
			return -ERR_INVAL; /* not the canonical packing */
	memcpy(out, bytes, n);
	out[n] = 0;
	return ns_table_name_ok(out) ? 0 : -ERR_INVAL;
}

void ns_table_init(struct ns_table *t)
{
	memset(t, 0, sizeof(*t));
}

static struct ns_entry *ns_table_find(const struct ns_table *t, const char *name)
{
	for (unsigned i = 0; i < NS_TABLE_MAX; i++) {
		const struct ns_entry *e = &t->e[i];
		if (e->used && strcmp(e->name, name) == 0)
			return (struct ns_entry *)e;
	}
	return NULL;
}

int ns_table_register(struct ns_table *t, const char *name, uint64_t owner, uint32_t cap,
		      uint32_t *old)
{
	*old = 0;
	if (!ns_table_name_ok(name) || cap == 0 || owner == 0)
		return -ERR_INVAL;
	struct ns_entry *e = ns_table_find(t, name);
	if (e) {
		if (e->owner != owner)
			return -ERR_EXIST;
		*old = e->cap;
		e->cap = cap;
		return 0;
	}
	unsigned owned = 0;
	for (unsigned i = 0; i < NS_TABLE_MAX; i++)
		owned += t->e[i].used && t->e[i].owner == owner;
	if (t->per_owner && owned >= t->per_owner)
		return -ERR_NOSPACE; /* one client cannot crowd the others out */
	for (unsigned i = 0; i < NS_TABLE_MAX; i++) {
		e = &t->e[i];
		if (e->used)
			continue;
		memset(e, 0, sizeof(*e));
		memcpy(e->name, name, strlen(name) + 1); /* fits: ns_table_name_ok bounds it */
		e->cap = cap;
		e->owner = owner;
		e->used = true;
		t->count++;
		return 0;
	}
	return -ERR_NOSPACE;
}

int ns_table_lookup(const struct ns_table *t, const char *name, uint32_t *cap)
{
	if (!ns_table_name_ok(name))
		return -ERR_INVAL;
	const struct ns_entry *e = ns_table_find(t, name);
	if (!e)
		return -ERR_NOENT;
	*cap = e->cap;
	return 0;
}

int ns_table_unregister(struct ns_table *t, const char *name, uint64_t owner, uint32_t *old)
{
	*old = 0;
	if (!ns_table_name_ok(name))
		return -ERR_INVAL;
	struct ns_entry *e = ns_table_find(t, name);
	if (!e)
		return -ERR_NOENT;
	if (e->owner != owner)
		return -ERR_EXIST;
	*old = e->cap;
	memset(e, 0, sizeof(*e));
	t->count--;
	return 0;
}
