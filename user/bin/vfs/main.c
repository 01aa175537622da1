/*
 * vfs: the file system server. One process, one thread, a recv/reply_recv
 * loop on one endpoint; the protocol is <orb/proto/vfs.h>, the design
 * docs/vfs.md.
 *
 * Start-up capabilities (orb_start_cap): 0 = the endpoint [RECV], 1 = the
 * boot archive as Memory [READ, MAP] (optional); argv[1] = the archive's size
 * in bytes. The name space: "/" is a ramfs holding the archive's files in
 * place (zero copy) under /bin and /etc, read-only, with the root itself
 * read-only; "/tmp" is a second, writable ramfs mounted there.
 *
 * Clients are told apart by the badge of the endpoint capability they call
 * through (vfs_clients.c keeps one record per badge: its shared buffer and
 * its file-descriptor table), so a client can only ever name its own fds.
 * A client gives a Process [READ] capability of itself when it attaches;
 * the server watches it (SYS_PROC_WATCH) and forgets the client (closes its
 * files, unmaps its buffer) once it has died: before serving each request,
 * and at least every VFS_REAP_NS while idle (one thread cannot wait on the
 * endpoint and the notification at once).
 *
 * Trust boundary: everything a client sends is untrusted: labels, words,
 * capabilities and the contents of its shared buffer, which it may change at
 * any moment. Words are range-checked before use; a path is copied out of
 * the buffer once and only the copy is used; file data is copied straight
 * between the file system and the buffer (a client racing its own request
 * can only garble its own data). Capabilities sent with anything but ATTACH
 * are deleted unread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <orb/proto/vfs.h>
#include <orb/spawn.h>
#include <orb/sys.h>
#include "ramfs.h"
#include "vfs_clients.h"
#include "vfs_mount.h"

#define VFS_TMP_BYTES_MAX (32u * 1024 * 1024)	 /* what /tmp may hold, nodes included */
#define VFS_REAP_NS	  (500ull * 1000 * 1000) /* dead clients are forgotten within this */

static struct watchset vfs_watched; /* the clients' processes (<orb/watchset.h>) */

static struct vfs_mount_table vfs_mounts;
static struct ramfs vfs_rootfs, vfs_tmpfs;

/* ---- Start-up: the root from the boot archive, /tmp. ---- */

static void vfs_add_archive_file(void *ctx, const struct orb_bootfs_file *f)
{
	unsigned *nfiles = ctx;
	char path[VFS_PATH_MAX];

	if (snprintf(path, sizeof(path), "/%s", f->name) >= (int)sizeof(path)) {
		printf("vfs: archive name too long, skipped\n");
		return;
	}
	int err = ramfs_add_extern(&vfs_rootfs, path, f->data, f->size);
	if (err)
		printf("vfs: %s not added: error %d\n", path, err);
	else
		(*nfiles)++;
}

static int vfs_setup(cap_handle_t archive, size_t archive_size)
{
	unsigned nfiles = 0;
	struct ramfs_node *n;
	int err;

	if ((err = ramfs_init(&vfs_rootfs, 0)) || (err = ramfs_init(&vfs_tmpfs, VFS_TMP_BYTES_MAX)))
		return err;
	if (archive && archive_size) {
		err = (int)orb_bootfs_attach(archive, archive_size);
		if (err)
			printf("vfs: boot archive not mapped: error %d\n", err);
		else
			orb_bootfs_each(vfs_add_archive_file, &nfiles);
	}
	if ((err = ramfs_mkdirs(&vfs_rootfs, "/bin")) ||
	    (err = ramfs_mkdirs(&vfs_rootfs, "/etc")) || (err = ramfs_mkdirs(&vfs_rootfs, "/tmp")))
		return err;
	/* Everything from the archive is read-only, and so is the root (only /tmp is writable). */
	if ((err = ramfs_lookup(&vfs_rootfs, "/", &n)))
		return err;
	ramfs_set_rdonly(n, true);
	ramfs_put(&vfs_rootfs, n);
	if ((err = vfs_mount_add(&vfs_mounts, "/", &ramfs_ops, &vfs_rootfs)) ||
	    (err = vfs_mount_add(&vfs_mounts, "/tmp", &ramfs_ops, &vfs_tmpfs)))
		return err;
	printf("vfs: ready: %u files from the boot archive, /tmp writable\n", nfiles);
	return 0;
}

/* ---- Requests. ---- */

/*
 * The request's path, canonical, in out (VFS_PATH_MAX bytes); the mount that
 * serves it and the path below it in *mnt and *rest (pointing into out).
 */
static int vfs_req_path(const struct vfs_client *c, const struct orb_msg *m, char *out,
			const struct vfs_mount **mnt, const char **rest)
{
	char raw[VFS_PATH_MAX];
	uint64_t len = m->w[VFS_W_PATHLEN];

	if (len == 0)
		return -ERR_INVAL;
	if (len >= VFS_PATH_MAX || len > c->shm_size)
		return -ERR_RANGE;
	/* TRUST: the buffer is shared with the client: copy once, use only the copy. */
	memcpy(raw, c->shm, (size_t)len);
	raw[len] = '\0';
	if (strlen(raw) != len)
		return -ERR_INVAL; /* a NUL inside */
	int err = vfs_path_canon(raw, out, VFS_PATH_MAX);
	if (err)
		return err;
	*mnt = vfs_mount_find(&vfs_mounts, out, rest);
	return *mnt ? 0 : -ERR_NOENT;
}

static long vfs_do_open(struct vfs_client *c, struct orb_msg *m)
{
	char path[VFS_PATH_MAX];
	const struct vfs_mount *mnt;
	const char *rest;
	uint64_t flags = m->w[0];
	unsigned acc = (unsigned)flags & O_ACCMODE;
	struct orb_stat st;
	void *node;
	int err;

	if ((flags & ~(uint64_t)VFS_O_ALL) || acc == O_ACCMODE)
		return -ERR_INVAL;
	if ((flags & O_TRUNC) && acc == O_RDONLY)
		return -ERR_INVAL;
	if ((err = vfs_req_path(c, m, path, &mnt, &rest)))
		return err;
	int fd = vfs_client_fd_free(c);
	if (fd < 0)
		return fd; /* checked first: a failed open never creates a file */
	err = mnt->ops->lookup(mnt->fs, rest, &node);
	if (err == -ERR_NOENT && (flags & O_CREAT))
		err = mnt->ops->create(mnt->fs, rest, VFS_TYPE_FILE, &node);
	if (err)
		return err;
	mnt->ops->stat(mnt->fs, node, &st);
	if (st.type == VFS_TYPE_DIR && acc != O_RDONLY)
		err = -ERR_INVAL;
	else if (acc != O_RDONLY && (st.flags & VFS_STAT_RDONLY))
		err = -ERR_PERM;
	else if (flags & O_TRUNC)
		err = mnt->ops->truncate(mnt->fs, node, 0);
	if (err) {
		mnt->ops->put(mnt->fs, node);
		return err;
	}
	vfs_client_fd_set(c, fd, mnt, node, st.type, (uint32_t)flags);
	return fd;
}

static long vfs_do_close(struct vfs_client *c, struct orb_msg *m)
{
	struct vfs_file *f = vfs_client_fd(c, m->w[0]);
	if (!f)
		return -ERR_BADCAP;
	vfs_client_fd_close(f);
	return 0;
}

static long vfs_do_read(struct vfs_client *c, struct orb_msg *m)
{
	struct vfs_file *f = vfs_client_fd(c, m->w[0]);
	uint64_t len = m->w[1];

	if (!f)
		return -ERR_BADCAP;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -ERR_PERM;
	if (f->type != VFS_TYPE_FILE)
		return -ERR_INVAL;
	if (len > c->shm_size)
		return -ERR_RANGE;
	/* Straight into the shared buffer (bounded by len <= shm_size). */
	long n = f->mnt->ops->read(f->mnt->fs, f->node, f->pos, c->shm, (size_t)len);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static long vfs_do_write(struct vfs_client *c, struct orb_msg *m)
{
	struct vfs_file *f = vfs_client_fd(c, m->w[0]);
	uint64_t len = m->w[1];
	struct orb_stat st;

	if (!f)
		return -ERR_BADCAP;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -ERR_PERM;
	if (len > c->shm_size)
		return -ERR_RANGE;
	if (f->flags & O_APPEND) {
		f->mnt->ops->stat(f->mnt->fs, f->node, &st);
		f->pos = st.size;
	}
	/* From the shared buffer: the client may change it meanwhile, garbling only its data. */
	long n = f->mnt->ops->write(f->mnt->fs, f->node, f->pos, c->shm, (size_t)len);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static long vfs_do_seek(struct vfs_client *c, struct orb_msg *m)
{
	struct vfs_file *f = vfs_client_fd(c, m->w[0]);
	int64_t off = (int64_t)m->w[1], base;
	struct orb_stat st;

	if (!f)
		return -ERR_BADCAP;
	switch (m->w[2]) {
	case VFS_SEEK_SET:
		base = 0;
		break;
	case VFS_SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case VFS_SEEK_END:
		f->mnt->ops->stat(f->mnt->fs, f->node, &st);
		base = (int64_t)st.size;
		break;
	default:
		return -ERR_INVAL;
	}
	int64_t pos;
	if (__builtin_add_overflow(base, off, &pos) || pos < 0)
		return -ERR_INVAL;
	f->pos = (uint64_t)pos;
	return pos;
}

static void vfs_put_stat(struct orb_msg *m, const struct orb_stat *st)
{
	m->w[1] = st->size;
	m->w[2] = st->type;
	m->w[3] = st->flags;
}

static long vfs_do_stat(struct vfs_client *c, struct orb_msg *m)
{
	char path[VFS_PATH_MAX];
	const struct vfs_mount *mnt;
	const char *rest;
	struct orb_stat st;
	void *node;
	int err;

	if ((err = vfs_req_path(c, m, path, &mnt, &rest)) ||
	    (err = mnt->ops->lookup(mnt->fs, rest, &node)))
		return err;
	mnt->ops->stat(mnt->fs, node, &st);
	mnt->ops->put(mnt->fs, node);
	vfs_put_stat(m, &st);
	return 0;
}

static long vfs_do_fstat(struct vfs_client *c, struct orb_msg *m)
{
	struct vfs_file *f = vfs_client_fd(c, m->w[0]);
	struct orb_stat st;

	if (!f)
		return -ERR_BADCAP;
	f->mnt->ops->stat(f->mnt->fs, f->node, &st);
	vfs_put_stat(m, &st);
	return 0;
}

static long vfs_do_readdir(struct vfs_client *c, struct orb_msg *m)
{
	struct vfs_file *f = vfs_client_fd(c, m->w[0]);
	struct orb_dirent d;

	if (!f)
		return -ERR_BADCAP;
	if (f->type != VFS_TYPE_DIR)
		return -ERR_INVAL;
	int r = f->mnt->ops->readdir(f->mnt->fs, f->node, f->pos, &d);
	if (r != 1)
		return r;
	f->pos++;
	size_t len = strnlen(d.name, sizeof(d.name) - 1);
	memcpy(c->shm, d.name, len); /* len < VFS_NAME_MAX <= VFS_SHM_MIN */
	c->shm[len] = '\0';
	m->w[1] = d.type;
	m->w[2] = d.size;
	m->w[3] = len;
	return 1;
}

static long vfs_do_mkdir_unlink(struct vfs_client *c, struct orb_msg *m, bool mkdir)
{
	char path[VFS_PATH_MAX];
	const struct vfs_mount *mnt;
	const char *rest;
	int err;

	if ((err = vfs_req_path(c, m, path, &mnt, &rest)))
		return err;
	if (vfs_mount_is_point(&vfs_mounts, path))
		return mkdir ? -ERR_EXIST : -ERR_BUSY;
	if (mkdir)
		return mnt->ops->create(mnt->fs, rest, VFS_TYPE_DIR, NULL);
	return mnt->ops->unlink(mnt->fs, rest);
}

/* Deletes the capabilities a message brought (all but those the handler kept). */
static void vfs_drop_caps(const struct orb_msg *m, struct ipc_buffer *buf)
{
	unsigned n = IPC_TAG_NCAPS(m->tag);
	for (unsigned i = 0; i < n && i < IPC_MAX_CAPS; i++)
		if (buf->recv_caps[i])
			orb_cap_delete(buf->recv_caps[i]);
}

static long vfs_handle(struct orb_msg *m, struct ipc_buffer *buf)
{
	uint32_t op = IPC_TAG_LABEL(m->tag);
	struct vfs_client *c;

	if (m->badge == 0)
		return -ERR_PERM; /* the unbadged capability is the owner's, not a client's */
	if (op == VFS_OP_ATTACH) {
		if (IPC_TAG_NCAPS(m->tag) != 2 || (m->tag & IPC_TAG_CAPS_LOST))
			return -ERR_INVAL;
		cap_handle_t mem = buf->recv_caps[0], proc = buf->recv_caps[1];
		buf->recv_caps[0] = buf->recv_caps[1] = 0; /* consumed here, kept or not */
		return vfs_client_attach(m->badge, mem, proc, m->w[0], &vfs_watched);
	}
	c = vfs_client_find(m->badge);
	if (!c)
		return -ERR_PERM;
	switch (op) {
	case VFS_OP_DETACH:
		vfs_client_detach(c);
		return 0;
	case VFS_OP_OPEN:
		return vfs_do_open(c, m);
	case VFS_OP_CLOSE:
		return vfs_do_close(c, m);
	case VFS_OP_READ:
		return vfs_do_read(c, m);
	case VFS_OP_WRITE:
		return vfs_do_write(c, m);
	case VFS_OP_SEEK:
		return vfs_do_seek(c, m);
	case VFS_OP_STAT:
		return vfs_do_stat(c, m);
	case VFS_OP_FSTAT:
		return vfs_do_fstat(c, m);
	case VFS_OP_READDIR:
		return vfs_do_readdir(c, m);
	case VFS_OP_MKDIR:
		return vfs_do_mkdir_unlink(c, m, true);
	case VFS_OP_UNLINK:
		return vfs_do_mkdir_unlink(c, m, false);
	}
	return -ERR_NOSYS;
}

int main(int argc, char **argv)
{
	cap_handle_t ep = orb_start_cap(0);
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m;
	long r;

	if (!ep || !buf) {
		printf("vfs: no endpoint or IPC buffer\n");
		return 2;
	}
	r = vfs_setup(orb_start_cap(1), argc > 1 ? strtoul(argv[1], NULL, 0) : 0);
	if (r == 0)
		r = orb_ntfn_create();
	if (r < 0) {
		printf("vfs: start-up failed: error %ld\n", r);
		return 3;
	}
	watchset_init(&vfs_watched, (cap_handle_t)r);
	memset(&m, 0, sizeof(m));
	r = orb_recv(ep, &m, VFS_REAP_NS);
	for (;;) {
		vfs_clients_reap(&vfs_watched);
		if (r == -ERR_TIMEOUT) { /* idle: nothing to answer */
			memset(&m, 0, sizeof(m));
			r = orb_recv(ep, &m, VFS_REAP_NS);
			continue;
		}
		if (r != 0)
			break;
		uint32_t op = IPC_TAG_LABEL(m.tag);
		long res = vfs_handle(&m, buf);
		vfs_drop_caps(&m, buf);
		if (op != VFS_OP_STAT && op != VFS_OP_FSTAT && op != VFS_OP_READDIR)
			m.w[1] = m.w[2] = m.w[3] = 0;
		else if (res < 0)
			m.w[1] = m.w[2] = m.w[3] = 0;
		m.w[0] = (uint64_t)res;
		m.tag = IPC_TAG(op, VFS_REPLY_WORDS, 0);
		/* A caller that died meanwhile is skipped by the kernel (reply -ERR_NOENT). */
		r = orb_reply_recv(ep, &m, VFS_REAP_NS);
	}
	printf("vfs: receive failed: error %ld\n", r);
	return 1;
}
