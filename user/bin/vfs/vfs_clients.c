/*
 * The VFS server's client records and fd tables (see vfs_clients.h).
 */
#include <string.h>
#include <orb/sys.h>
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

/*
 * Before refusing an ATTACH for want of a record: detaches the records of
 * clients that have died, whether or not their death has been signalled yet
 * (the kernel marks a process dead before it signals its watchers).
 */
static void vfs_clients_sweep(struct watchset *ws)
{
	for (unsigned i = 0; i < VFS_CLIENTS_MAX; i++)
		if (vfs_clients[i].used && !watchset_alive(ws, vfs_clients[i].watch))
			vfs_client_detach(&vfs_clients[i]);
}

long vfs_client_attach(uint64_t badge, cap_handle_t mem, cap_handle_t proc, uint64_t size,
		       struct watchset *ws)
{
	struct vfs_client *c = NULL;
	long err, watch = -1;

	bool full = true;
	for (unsigned i = 0; i < VFS_CLIENTS_MAX; i++)
		full = full && vfs_clients[i].used;
	if (full || vfs_client_find(badge))
		vfs_clients_sweep(ws);
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
	/* No session without the client's life to watch (-ERR_INVAL without a Process). */
	watch = watchset_add(ws, proc);
	proc = 0; /* consumed */
	if (watch < 0) {
		err = watch;
		goto out;
	}
	err = orb_mem_map(orb_self(), mem, vfs_client_shm_va(c), 0, (size_t)size,
			  ORB_PROT_READ | ORB_PROT_WRITE);
	if (err)
		goto out;
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->badge = badge;
	c->ws = ws;
	c->watch = watch;
	watch = -1; /* kept */
	c->shm = (uint8_t *)vfs_client_shm_va(c);
	c->shm_size = (size_t)size;
out:
	/* The mapping keeps the frames; the handle is not needed (nor kept for a failure). */
	orb_cap_delete(mem);
	if (proc)
		orb_cap_delete(proc);
	if (watch >= 0)
		watchset_put(ws, watch);
	return err;
}

void vfs_clients_reap(struct watchset *ws)
{
	uint64_t dead = watchset_dead(ws);
	for (unsigned i = 0; dead && i < VFS_CLIENTS_MAX; i++) {
		struct vfs_client *c = &vfs_clients[i];
		if (c->used && (dead & (1ull << c->watch)))
			vfs_client_detach(c);
	}
}

void vfs_client_detach(struct vfs_client *c)
{
	for (unsigned i = 0; i < VFS_FD_MAX; i++)
		if (c->fds[i].used)
			vfs_client_fd_close(&c->fds[i]);
	orb_mem_unmap(orb_self(), vfs_client_shm_va(c), c->shm_size);
	watchset_put(c->ws, c->watch);
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
