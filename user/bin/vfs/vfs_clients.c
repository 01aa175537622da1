/*
 * The VFS server's client records and fd tables (see vfs_clients.h).
 */
#include <string.h>
#include <orb/spawn.h>
#include "vfs_clients.h"

static struct vfs_client vfs_clients[VFS_CLIENTS_MAX];

static uintptr_t vfs_client_shm_va(const struct vfs_client *c)
{
	return VFS_SHM_VA_BASE + (uintptr_t)(c - vfs_clients) * VFS_SHM_VA_SLOT;
}

struct vfs_client *vfs_client_find(uint64_t badge)
{
	for (unsigned i = 0; i < VFS_CLIENTS_MAX; i++)
		if (vfs_clients[i].used && vfs_clients[i].badge == badge)
			return &vfs_clients[i];
	return NULL;
}

long vfs_client_attach(uint64_t badge, cap_handle_t mem, uint64_t size)
{
	struct vfs_client *c = NULL;
	long err;

	if (vfs_client_find(badge)) {
		err = -ERR_EXIST;
		goto out;
	}
	if (size < VFS_SHM_MIN || size > VFS_SHM_MAX || size % 4096) {
		err = -ERR_INVAL;
		goto out;
	}
	for (unsigned i = 0; i < VFS_CLIENTS_MAX && !c; i++)
		if (!vfs_clients[i].used)
			c = &vfs_clients[i];
	if (!c) {
		err = -ERR_NOSPACE;
		goto out;
	}
	/* The kernel checks that mem is Memory with MAP, READ and WRITE and at least size bytes. */
	err = orb_mem_map(orb_self(), mem, vfs_client_shm_va(c), 0, (size_t)size,
			  ORB_PROT_READ | ORB_PROT_WRITE);
	if (err)
		goto out;
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->badge = badge;
	c->shm = (uint8_t *)vfs_client_shm_va(c);
	c->shm_size = (size_t)size;
out:
	/* The mapping keeps the frames; the handle is not needed (nor kept for a failure). */
	orb_cap_delete(mem);
	return err;
}

void vfs_client_detach(struct vfs_client *c)
{
	for (unsigned i = 0; i < VFS_FD_MAX; i++)
		if (c->fds[i].used)
			vfs_client_fd_close(&c->fds[i]);
	orb_mem_unmap(orb_self(), vfs_client_shm_va(c), c->shm_size);
	memset(c, 0, sizeof(*c));
}

struct vfs_file *vfs_client_fd(struct vfs_client *c, uint64_t fd)
{
	if (fd >= VFS_FD_MAX || !c->fds[fd].used)
		return NULL;
	return &c->fds[fd];
}

int vfs_client_fd_free(const struct vfs_client *c)
{
	for (unsigned i = 0; i < VFS_FD_MAX; i++)
		if (!c->fds[i].used)
			return (int)i;
	return -ERR_NOSPACE;
}

void vfs_client_fd_set(struct vfs_client *c, int fd, const struct vfs_mount *mnt, void *node,
		       uint32_t type, uint32_t flags)
{
	struct vfs_file *f = &c->fds[fd];
	f->used = true;
	f->mnt = mnt;
	f->node = node;
	f->type = type;
	f->flags = flags;
	f->pos = 0;
}

void vfs_client_fd_close(struct vfs_file *f)
{
	f->mnt->ops->put(f->mnt->fs, f->node);
	memset(f, 0, sizeof(*f));
}
