/*
 * PVH and Multiboot kernels in a VM; see kload.h.
 *
 * Trust boundary: the kernel and module files are untrusted. Their contents
 * were checked by kimage_parse() and their sizes by kimage_plan() before any
 * guest memory exists; every copy into guest memory goes through
 * mem_ptr()/mem_write(), which check the range again. A module file that
 * changes size between plan and load is an error, not a short copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../err.h"
#include "../x86/cpu_setup.h"
#include "kinfo.h"
#include "kload.h"
#include "multiboot.h"

void kload_init(struct kload *k)
{
	memset(k, 0, sizeof(*k));
	for (unsigned i = 0; i < KIMAGE_MAX_MODULES; i++)
		k->mods[i].fd = -1;
}

void kload_close(struct kload *k)
{
	for (unsigned i = 0; i < KIMAGE_MAX_MODULES; i++) {
		if (k->mods[i].fd >= 0)
			close(k->mods[i].fd);
		k->mods[i].fd = -1;
	}
}

/* Opens one module file and learns its size. */
static int kload_open(struct kload_module *m)
{
	struct stat st;
	m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0)
		return err_set(ERR_NOENT, "cannot open module '%s': %s", m->path, strerror(errno));
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return err_set(ERR_INVAL, "module '%s' is not a regular file", m->path);
	m->size = (uint64_t)st.st_size;
	return 0;
}

int kload_plan(struct kload *k, const uint8_t *image, size_t len, const struct config *c)
{
	uint64_t sizes[KIMAGE_MAX_MODULES];
	int r = kimage_parse(image, len, &k->img);
	if (r < 0) {
		char why[400];
		snprintf(why, sizeof(why), "%s", err_msg());
		return err_set(-r, "%s: %s", c->kernel_path, why);
	}
	if (r != 0)
		return r;
	if (c->initrd_path)
		k->mods[k->nmods++] = (struct kload_module){c->initrd_path, "", -1, 0};
	for (unsigned i = 0; i < c->num_modules; i++)
		k->mods[k->nmods++] =
		    (struct kload_module){c->modules[i].path, c->modules[i].cmdline, -1, 0};
	for (unsigned i = 0; i < k->nmods; i++) {
		if ((r = kload_open(&k->mods[i])) < 0)
			return r;
		sizes[i] = k->mods[i].size;
	}
	return kimage_plan(&k->img, c->mem_size, strlen(c->cmdline), sizes, k->nmods, &k->layout);
}

/* Reads a module file into guest memory at its planned address. */
static int kload_module(const struct kload_module *m, const struct guest_mem *mem, uint64_t gpa)
{
	uint8_t *dst = mem_ptr(mem, gpa, m->size);
	if (!dst)
		return err_set(ERR_FAULT, "module '%s' does not fit in guest memory", m->path);
	for (uint64_t done = 0; done < m->size;) {
		ssize_t n = pread(m->fd, dst + done, m->size - done, (off_t)done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return err_set(ERR_INVAL, "cannot read module '%s': %s", m->path,
				       n ? strerror(errno) : "file shrank while reading");
		}
		done += (uint64_t)n;
	}
	return 0;
}

/* The kernel's regions: file bytes, then zeroes up to memsz. */
static int kload_regions(const struct kimage *img, const struct guest_mem *mem,
			 const uint8_t *image)
{
	for (unsigned i = 0; i < img->nregions; i++) {
		const struct kimage_region *g = &img->regions[i];
		uint8_t *dst = mem_ptr(mem, g->paddr, g->memsz);
		if (!dst)
			return err_set(ERR_FAULT, "kernel segment at 0x%llx is outside RAM",
				       (unsigned long long)g->paddr);
		memcpy(dst, image + g->file_off, g->filesz);
		memset(dst + g->filesz, 0, g->memsz - g->filesz);
	}
	return 0;
}

/* Builds the protocol's boot information and copies it to its area. */
static int kload_info(const struct kload *k, const struct guest_mem *mem, const struct config *c,
		      uint64_t rsdp_addr, const uint8_t *rsdp)
{
	struct kinfo_module mods[KIMAGE_MAX_MODULES];
	for (unsigned i = 0; i < k->nmods; i++)
		mods[i] = (struct kinfo_module){k->layout.mod_addr[i], k->mods[i].size,
						k->mods[i].cmdline};
	struct kinfo_in in = {.ram = c->mem_size,
			      .cmdline_addr = k->layout.cmdline_addr,
			      .cmdline = c->cmdline,
			      .nmods = k->nmods,
			      .mods = mods,
			      .rsdp_addr = rsdp_addr,
			      .rsdp = rsdp};
	uint8_t *buf = malloc(KIMAGE_INFO_MAX);
	if (!buf)
		return err_set(ERR_NOMEM, "out of memory for the boot information");
	int r = kinfo_build(k->img.proto, &in, k->layout.info_addr, buf, KIMAGE_INFO_MAX);
	if (r >= 0)
		r = mem_write(mem, k->layout.info_addr, buf, (uint64_t)r);
	free(buf);
	return r;
}

int kload_load(struct kload *k, const struct guest_mem *mem, const uint8_t *image,
	       const struct config *c, uint64_t rsdp_addr, const uint8_t *rsdp)
{
	int r;
	if ((r = kload_regions(&k->img, mem, image)) < 0 ||
	    (r = mem_write(mem, k->layout.cmdline_addr, c->cmdline, strlen(c->cmdline) + 1)) < 0)
		return r;
	for (unsigned i = 0; i < k->nmods; i++)
		if ((r = kload_module(&k->mods[i], mem, k->layout.mod_addr[i])) < 0)
			return r;
	if ((r = kload_info(k, mem, c, rsdp_addr, rsdp)) < 0)
		return r;
	return cpu_setup_gdt32(mem);
}

void kload_cpu_state(const struct kload *k, struct kvm_sregs *sregs, struct kvm_regs *regs)
{
	cpu_setup_protected_mode_sregs(sregs);
	memset(regs, 0, sizeof(*regs));
	regs->rip = k->img.entry;
	regs->rbx = k->layout.info_addr;
	regs->rax = k->img.proto == KIMAGE_MB2	 ? MB2_BOOT_MAGIC
		    : k->img.proto == KIMAGE_MB1 ? MB1_BOOT_MAGIC
						 : 0;
	regs->rflags = 0x2;
}
