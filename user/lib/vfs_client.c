/*
 * The VFS client library (<orb/vfs.h>): one connection per process, its
 * shared buffer, and one IPC call per request.
 *
 * State: the endpoint, the Memory object shared with the server and its
 * mapping here, guarded by vfs_lock (a yielding spin lock) because every
 * request uses the one buffer. Invariant: attached exactly when vfs_shm is
 * not NULL.
 *
 * Trust: the server's replies are believed only as far as they are bounded:
 * a read count larger than asked for or a name longer than the buffer is
 * treated as an error, never copied.
 */
#include <string.h>
#include <orb/spawn.h>
#include <orb/thread.h>
#include <orb/vfs.h>
#include "uvm.h"

static cap_handle_t vfs_ep;
static cap_handle_t vfs_mem;
static uint8_t *vfs_shm;
static size_t vfs_shm_size;
static int vfs_lock_word;

static void vfs_lock(void)
{
	while (__atomic_exchange_n(&vfs_lock_word, 1, __ATOMIC_ACQUIRE))
		orb_yield();
}

static void vfs_unlock(void)
{
	__atomic_store_n(&vfs_lock_word, 0, __ATOMIC_RELEASE);
}

/* One request: m's words are set by the caller; returns the server's word 0 or the IPC error. */
static long vfs_call(uint32_t op, struct orb_msg *m)
{
	if (!vfs_shm)
		return -ERR_PERM;
	m->tag = IPC_TAG(op, VFS_REPLY_WORDS, 0);
	long r = orb_call(vfs_ep, m, IPC_TIMEOUT_NEVER);
	if (r < 0)
		return r;
	return (long)m->w[0];
}

/* Puts path in the shared buffer for a request (caller holds the lock). */
static long vfs_put_path(struct orb_msg *m, const char *path)
{
	size_t len;

	if (!path)
		return -ERR_INVAL;
	len = strnlen(path, VFS_PATH_MAX);
	if (len >= VFS_PATH_MAX)
		return -ERR_RANGE;
	if (!vfs_shm)
		return -ERR_PERM;
	memcpy(vfs_shm, path, len);
	m->w[VFS_W_PATHLEN] = len;
	return 0;
}

long vfs_attach(cap_handle_t ep)
{
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m;
	void *addr;
	cap_handle_t mem;
	long r;

	if (!buf)
		return -ERR_FAULT;
	vfs_lock();
	if (vfs_shm) {
		vfs_unlock();
		return -ERR_EXIST;
	}
	r = uvm_map_new(VFS_SHM_DEFAULT, ORB_PROT_READ | ORB_PROT_WRITE, &addr, &mem);
	if (r < 0)
		goto out;
	/* The server watches this process: it forgets the session when we die. */
	long self = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0);
	if (self < 0) {
		uvm_unmap_delete(addr, VFS_SHM_DEFAULT, mem);
		r = self;
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 2);
	m.w[0] = VFS_SHM_DEFAULT;
	buf->send_caps[0] = mem;
	buf->send_caps[1] = (cap_handle_t)self;
	r = orb_call(ep, &m, IPC_TIMEOUT_NEVER);
	orb_cap_delete((cap_handle_t)self); /* the server has its own copy */
	if (r == 0)
		r = (long)m.w[0];
	if (r < 0) {
		uvm_unmap_delete(addr, VFS_SHM_DEFAULT, mem);
		goto out;
	}
	vfs_ep = ep;
	vfs_mem = mem;
	vfs_shm = addr;
	vfs_shm_size = VFS_SHM_DEFAULT;
	r = 0;
out:
	vfs_unlock();
	return r;
}

long vfs_detach(void)
{
	struct orb_msg m;
	long r;

	memset(&m, 0, sizeof(m));
	vfs_lock();
	r = vfs_call(VFS_OP_DETACH, &m);
	if (vfs_shm) {
		/* The buffer goes even if the server is gone (r = -ERR_NOENT then). */
		uvm_unmap_delete(vfs_shm, vfs_shm_size, vfs_mem);
		vfs_shm = NULL;
		vfs_ep = vfs_mem = 0;
	}
	vfs_unlock();
	return r;
}

/* A request with a path and up to one more word (w0). */
static long vfs_path_call(uint32_t op, const char *path, uint64_t w0, struct orb_msg *m)
{
	long r;

	memset(m, 0, sizeof(*m));
	m->w[0] = w0;
	vfs_lock();
	r = vfs_put_path(m, path);
	if (r == 0)
		r = vfs_call(op, m);
	vfs_unlock();
	return r;
}

/* A request on an fd with two more words. */
static long vfs_fd_call(uint32_t op, int fd, uint64_t w1, uint64_t w2, struct orb_msg *m)
{
	long r;

	memset(m, 0, sizeof(*m));
	m->w[0] = (uint64_t)(int64_t)fd;
	m->w[1] = w1;
	m->w[2] = w2;
	vfs_lock();
	r = vfs_call(op, m);
	vfs_unlock();
	return r;
}

long vfs_open(const char *path, unsigned flags)
{
	struct orb_msg m;
	return vfs_path_call(VFS_OP_OPEN, path, flags, &m);
}

long vfs_close(int fd)
{
	struct orb_msg m;
	return vfs_fd_call(VFS_OP_CLOSE, fd, 0, 0, &m);
}

/*
 * vfs_read and vfs_write: len bytes in pieces of at most the shared buffer,
 * one request each (op), until a short count (the end of the file, or no
 * room for more) or an error. Exactly one of into (read) and from (write) is
 * set. Returns the bytes moved, or the error when none were.
 */
static long vfs_transfer(uint32_t op, int fd, uint8_t *into, const uint8_t *from, size_t len)
{
	struct orb_msg m;
	size_t done = 0;
	long r = 0;

	vfs_lock();
	while (done < len) {
		size_t chunk = len - done < vfs_shm_size ? len - done : vfs_shm_size;
		if (!vfs_shm) {
			r = -ERR_PERM;
			break;
		}
		if (from)
			memcpy(vfs_shm, from + done, chunk);
		memset(&m, 0, sizeof(m));
		m.w[0] = (uint64_t)(int64_t)fd;
		m.w[1] = chunk;
		r = vfs_call(op, &m);
		if (r < 0)
			break;
		if ((size_t)r > chunk) {
			r = -ERR_FORMAT; /* the server claims more than was asked for */
			break;
		}
		if (into)
			memcpy(into + done, vfs_shm, (size_t)r);
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	}
	vfs_unlock();
	return r < 0 && done == 0 ? r : (long)done;
}

long vfs_read(int fd, void *buf, size_t len)
{
	return vfs_transfer(VFS_OP_READ, fd, buf, NULL, len);
}

long vfs_write(int fd, const void *buf, size_t len)
{
	return vfs_transfer(VFS_OP_WRITE, fd, NULL, buf, len);
}

long vfs_seek(int fd, int64_t off, unsigned whence)
{
	struct orb_msg m;
	return vfs_fd_call(VFS_OP_SEEK, fd, (uint64_t)off, whence, &m);
}

static void vfs_get_stat(const struct orb_msg *m, struct orb_stat *st)
{
	st->size = m->w[1];
	st->type = (uint32_t)m->w[2];
	st->flags = (uint32_t)m->w[3];
}

long vfs_stat(const char *path, struct orb_stat *st)
{
	struct orb_msg m;
	long r = vfs_path_call(VFS_OP_STAT, path, 0, &m);
	if (r == 0)
		vfs_get_stat(&m, st);
	return r;
}

long vfs_fstat(int fd, struct orb_stat *st)
{
	struct orb_msg m;
	long r = vfs_fd_call(VFS_OP_FSTAT, fd, 0, 0, &m);
	if (r == 0)
		vfs_get_stat(&m, st);
	return r;
}

long vfs_readdir(int fd, struct orb_dirent *ent)
{
	struct orb_msg m;
	long r;

	memset(&m, 0, sizeof(m));
	m.w[0] = (uint64_t)(int64_t)fd;
	vfs_lock();
	r = vfs_call(VFS_OP_READDIR, &m);
	if (r == 1) {
		if (m.w[3] >= sizeof(ent->name)) {
			r = -ERR_FORMAT;
		} else {
			memset(ent, 0, sizeof(*ent));
			memcpy(ent->name, vfs_shm, (size_t)m.w[3]);
			ent->type = (uint32_t)m.w[1];
			ent->size = m.w[2];
		}
	}
	vfs_unlock();
	return r;
}

long vfs_mkdir(const char *path)
{
	struct orb_msg m;
	return vfs_path_call(VFS_OP_MKDIR, path, 0, &m);
}

long vfs_unlink(const char *path)
{
	struct orb_msg m;
	return vfs_path_call(VFS_OP_UNLINK, path, 0, &m);
}
