/*
 * Guest memory allocation and bounds-checked translation; see mem.h.
 */
#include <string.h>
#include <sys/mman.h>

#include "err.h"
#include "mem.h"

void mem_layout(uint64_t ram, uint64_t *lo_size, uint64_t *hi_size)
{
	*lo_size = ram < MEM_HOLE_START ? ram : MEM_HOLE_START;
	*hi_size = ram - *lo_size;
}

int mem_alloc(struct guest_mem *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	/* MAP_NORESERVE: a guest only costs the pages it touches. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return err_set(ERR_NOMEM, "cannot map %llu MiB of guest memory",
			       (unsigned long long)(size >> 20));
	m->host = p;
	m->size = size;
	mem_layout(size, &m->lo_size, &m->hi_size);
	return 0;
}

void mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	memset(m, 0, sizeof(*m));
}

void *mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	/* Written so that no sum can overflow: compare against remaining space. */
	if (gpa < m->lo_size) {
		if (len > m->lo_size - gpa)
			return NULL;
		return m->host + gpa;
	}
	if (gpa >= MEM_HIGH_START && gpa - MEM_HIGH_START < m->hi_size) {
		uint64_t off = gpa - MEM_HIGH_START;
		if (len > m->hi_size - off)
			return NULL;
		return m->host + m->lo_size + off;
	}
	return NULL;
}

int mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *dst = mem_ptr(m, gpa, len);
	if (!dst)
		return err_set(ERR_FAULT, "guest range 0x%llx+0x%llx is outside RAM",
			       (unsigned long long)gpa, (unsigned long long)len);
	memcpy(dst, src, len);
	return 0;
}
