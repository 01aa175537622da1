/*
 * Virtual address ranges (see vaspace.h): a small unsorted table of free
 * ranges beside a bump pointer. The table is short (VASPACE_FREE_MAX), so
 * linear scans are cheaper than any tree here.
 */
#include "vaspace.h"

void vaspace_init(struct vaspace *s, uint64_t base, uint64_t top)
{
	s->base = base;
	s->top = top;
	s->next = base;
	s->nfree = 0;
}

static void free_remove(struct vaspace *s, unsigned i)
{
	s->free[i] = s->free[--s->nfree];
}

uint64_t vaspace_take(struct vaspace *s, uint64_t len)
{
	if (len == 0 || len % VASPACE_PAGE != 0)
		return 0;
	for (unsigned i = 0; i < s->nfree; i++) {
		struct vaspace_range *r = &s->free[i];
		if (r->len < len)
			continue;
		uint64_t at = r->at;
		r->at += len;
		r->len -= len;
		if (r->len == 0)
			free_remove(s, i);
		return at;
	}
	if (len > s->top - s->next)
		return 0;
	uint64_t at = s->next;
	s->next += len;
	return at;
}

/* Adds [at, at + len) to the table, merged with the ranges it touches. */
static void free_insert(struct vaspace *s, uint64_t at, uint64_t len)
{
	for (unsigned i = 0; i < s->nfree;) {
		struct vaspace_range *r = &s->free[i];
		if (r->at + r->len == at || at + len == r->at) {
			at = r->at < at ? r->at : at;
			len += r->len;
			free_remove(s, i);
			continue; /* the merged range may touch another */
		}
		i++;
	}
	if (at + len == s->next) { /* the top of what was ever handed out: give it back */
		s->next = at;
		return;
	}
	if (s->nfree == VASPACE_FREE_MAX) {
		unsigned small = 0;
		for (unsigned i = 1; i < s->nfree; i++)
			if (s->free[i].len < s->free[small].len)
				small = i;
		if (s->free[small].len >= len)
			return; /* forget the new range: it is the smallest */
		free_remove(s, small);
	}
	s->free[s->nfree++] = (struct vaspace_range){at, len};
}

int vaspace_give(struct vaspace *s, uint64_t at, uint64_t len)
{
	if (len == 0 || at % VASPACE_PAGE != 0 || len % VASPACE_PAGE != 0 || at < s->base ||
	    at >= s->next || len > s->next - at)
		return -1;
	for (unsigned i = 0; i < s->nfree; i++) {
		const struct vaspace_range *r = &s->free[i];
		if (at < r->at + r->len && r->at < at + len)
			return -1; /* overlaps a free range: given back twice */
	}
	free_insert(s, at, len);
	return 0;
}
