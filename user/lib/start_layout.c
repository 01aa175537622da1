/*
 * Laying out and checking the start block (see start_layout.h).
 */
#include "start_layout.h"

#include <string.h>

static size_t start_align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

size_t start_layout_size(const char *const *argv)
{
	size_t argc = 0, strings = 0;
	for (; argv && argv[argc]; argc++) {
		if (argc >= START_ARGS_MAX)
			return 0;
		strings += strlen(argv[argc]) + 1;
	}
	return start_align8(sizeof(struct orb_start)) + (argc + 1) * sizeof(uint64_t) + strings;
}

long start_layout(void *buf, size_t size, uint64_t child_addr, const char *const *argv,
		  const struct orb_start *st)
{
	size_t need = start_layout_size(argv);
	if (need == 0 || need > size)
		return -ERR_INVAL;
	size_t argc = 0;
	while (argv && argv[argc])
		argc++;
	char *b = buf;
	struct orb_start *out = buf;
	size_t vec = start_align8(sizeof(*out));
	size_t str = vec + (argc + 1) * sizeof(uint64_t);
	*out = *st;
	out->magic = ORB_START_MAGIC;
	out->size = sizeof(*out);
	out->argc = (uint32_t)argc;
	out->argv = child_addr + vec;
	for (size_t i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		uint64_t p = child_addr + str;
		memcpy(b + vec + i * sizeof(uint64_t), &p, sizeof(p));
		memcpy(b + str, argv[i], n);
		str += n;
	}
	uint64_t nul = 0;
	memcpy(b + vec + argc * sizeof(uint64_t), &nul, sizeof(nul));
	return (long)str;
}

bool start_valid(const struct orb_start *st, uint64_t lo, uint64_t hi)
{
	if (st->magic != ORB_START_MAGIC || st->size != sizeof(*st) ||
	    st->ncaps > ORB_START_CAPS_MAX || st->argc > START_ARGS_MAX)
		return false;
	if (st->argv < lo || st->argv >= hi || (st->argv & 7) != 0)
		return false;
	return ((uint64_t)st->argc + 1) * sizeof(uint64_t) <= hi - st->argv;
}
