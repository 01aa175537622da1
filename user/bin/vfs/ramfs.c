/*
 * ramfs: the RAM file system (the design and invariants are in ramfs.h).
 *
 * Paths are walked one component at a time (ramfs_walk); every operation
 * first resolves and checks everything, then changes the tree, so a failing
 * call leaves the file system as it was. Memory comes from malloc (the user
 * library's, or libc's in the host tests).
 */
#include <stdlib.h>
#include <string.h>
#include <orbital/errors.h>
#include "ramfs.h"

#define RAMFS_MIN_CAP 64u

/* What a limited file system has left for data after its nodes' own records. */
static size_t ramfs_room(const struct ramfs *fs)
{
	size_t meta = fs->nnodes * RAMFS_NODE_COST;
	return meta < fs->bytes_max ? fs->bytes_max - meta : 0;
}

/* A new node (linked into fs->all); -ERR_NOSPACE when its record does not fit the limit. */
static int ramfs_node_new(struct ramfs *fs, const char *name, size_t len, uint32_t type,
			  struct ramfs_node **out)
{
	if (fs->bytes_max && fs->bytes_used + (fs->nnodes + 1) * RAMFS_NODE_COST > fs->bytes_max)
		return -ERR_NOSPACE; /* metadata counts: empty files cannot fill memory */
	struct ramfs_node *n = calloc(1, sizeof(*n));
	if (!n)
		return -ERR_NOMEM;
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->type = type;
	n->all_next = fs->all;
	if (fs->all)
		fs->all->all_pprev = &n->all_next;
	n->all_pprev = &fs->all;
	fs->all = n;
	fs->nnodes++;
	*out = n;
	return 0;
}

static void ramfs_node_free(struct ramfs *fs, struct ramfs_node *n)
{
	*n->all_pprev = n->all_next;
	if (n->all_next)
		n->all_next->all_pprev = n->all_pprev;
	if (n->data && !(n->flags & RAMFS_EXTERN)) {
		fs->bytes_used -= n->cap;
		free(n->data);
	}
	fs->nnodes--;
	free(n);
}

int ramfs_init(struct ramfs *fs, size_t bytes_max)
{
	memset(fs, 0, sizeof(*fs));
	fs->bytes_max = bytes_max;
	int err = ramfs_node_new(fs, "", 0, VFS_TYPE_DIR, &fs->root);
	if (err)
		return err;
	fs->root->linked = true;
	return 0;
}

void ramfs_destroy(struct ramfs *fs)
{
	while (fs->all)
		ramfs_node_free(fs, fs->all);
	fs->root = NULL;
}

static struct ramfs_node *ramfs_child(const struct ramfs_node *dir, const char *name, size_t len)
{
	for (struct ramfs_node *c = dir->children; c; c = c->next)
		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
			return c;
	return NULL;
}

/* The result of walking a path: the directory holding the last component and what it names. */
struct ramfs_walk {
	struct ramfs_node *parent; /* directory of the last component (NULL: path names root) */
	struct ramfs_node *node;   /* the node named, NULL if the last component is missing */
	const char *last;	   /* the last component (not NUL-terminated), "" if none */
	size_t last_len;
	bool plain; /* the last component is a name (not ".", ".." or absent) */
};

/*
 * Walks path from the root. Every component but the last must resolve to a
 * directory; the last may be missing (w->node NULL, w->parent its directory).
 */
static int ramfs_walk(struct ramfs *fs, const char *path, struct ramfs_walk *w)
{
	struct ramfs_node *cur = fs->root;
	const char *p = path;

	memset(w, 0, sizeof(*w));
	w->node = fs->root;
	w->last = "";
	for (;;) {
		const char *c;
		size_t len = vfs_path_next(&p, &c);
		if (!len)
			return 0;
		if (len >= VFS_NAME_MAX)
			return -ERR_RANGE;
		/* cur is the directory in which this component is looked up. */
		if (!w->node)
			return -ERR_NOENT; /* an earlier component was missing */
		if (w->node->type != VFS_TYPE_DIR)
			return -ERR_INVAL;
		cur = w->node;
		w->last = c;
		w->last_len = len;
		if (len == 1 && c[0] == '.') {
			w->plain = false;
			w->parent = cur->parent;
		} else if (len == 2 && c[0] == '.' && c[1] == '.') {
			w->plain = false;
			w->node = cur->parent ? cur->parent : cur;
			w->parent = w->node->parent;
		} else {
			w->plain = true;
			w->parent = cur;
			w->node = ramfs_child(cur, c, len);
		}
	}
}

int ramfs_lookup(struct ramfs *fs, const char *path, struct ramfs_node **out)
{
	struct ramfs_walk w;
	int err = ramfs_walk(fs, path, &w);
	if (err)
		return err;
	if (!w.node)
		return -ERR_NOENT;
	w.node->refs++;
	*out = w.node;
	return 0;
}

static void ramfs_link(struct ramfs_node *dir, struct ramfs_node *n)
{
	struct ramfs_node **pp = &dir->children;
	while (*pp && strcmp((*pp)->name, n->name) < 0)
		pp = &(*pp)->next;
	n->next = *pp;
	if (*pp)
		(*pp)->pprev = &n->next;
	n->pprev = pp;
	*pp = n;
	n->parent = dir;
	n->linked = true;
	dir->nchildren++;
}

static void ramfs_unlink_node(struct ramfs_node *n)
{
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->parent->nchildren--;
	n->parent = NULL;
	n->next = NULL;
	n->pprev = NULL;
	n->linked = false;
}

int ramfs_create(struct ramfs *fs, const char *path, uint32_t type, struct ramfs_node **out)
{
	struct ramfs_walk w;
	int err;

	if (type != VFS_TYPE_FILE && type != VFS_TYPE_DIR)
		return -ERR_INVAL;
	err = ramfs_walk(fs, path, &w);
	if (err)
		return err;
	if (w.node)
		return -ERR_EXIST;
	if (w.parent->flags & RAMFS_RDONLY)
		return -ERR_PERM;
	struct ramfs_node *n;
	err = ramfs_node_new(fs, w.last, w.last_len, type, &n);
	if (err)
		return err;
	ramfs_link(w.parent, n);
	if (out) {
		n->refs++;
		*out = n;
	}
	return 0;
}

int ramfs_mkdirs(struct ramfs *fs, const char *path)
{
	char buf[VFS_PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ERR_RANGE;
	memcpy(buf, path, len + 1);
	/* Create each prefix ending before a '/', then the whole path. */
	for (size_t i = 1; i <= len; i++) {
		if (i < len && buf[i] != '/')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		int err = ramfs_create(fs, buf, VFS_TYPE_DIR, NULL);
		buf[i] = saved;
		if (err && err != -ERR_EXIST)
			return err;
	}
	struct ramfs_node *n;
	int err = ramfs_lookup(fs, path, &n);
	if (err)
		return err;
	err = n->type == VFS_TYPE_DIR ? 0 : -ERR_INVAL;
	ramfs_put(fs, n);
	return err;
}

int ramfs_add_extern(struct ramfs *fs, const char *path, const void *data, size_t size)
{
	const char *slash = strrchr(path, '/');
	struct ramfs_node *n;
	int err;

	if (slash && slash != path) {
		char dir[VFS_PATH_MAX];
		size_t dlen = (size_t)(slash - path);
		if (dlen >= sizeof(dir))
			return -ERR_RANGE;
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
		err = ramfs_mkdirs(fs, dir);
		if (err)
			return err;
	}
	err = ramfs_create(fs, path, VFS_TYPE_FILE, &n);
	if (err)
		return err;
	n->data = (uint8_t *)(uintptr_t)data; /* never written: RAMFS_RDONLY */
	n->size = n->cap = size;
	n->flags = RAMFS_RDONLY | RAMFS_EXTERN;
	ramfs_put(fs, n);
	return 0;
}

int ramfs_unlink(struct ramfs *fs, const char *path)
{
	struct ramfs_walk w;
	int err = ramfs_walk(fs, path, &w);

	if (err)
		return err;
	if (!w.node)
		return -ERR_NOENT;
	if (w.node == fs->root)
		return -ERR_BUSY;
	if (!w.plain)
		return -ERR_INVAL;
	if (w.parent->flags & RAMFS_RDONLY)
		return -ERR_PERM;
	if (w.node->type == VFS_TYPE_DIR && w.node->nchildren)
		return -ERR_BUSY;
	ramfs_unlink_node(w.node);
	if (!w.node->refs)
		ramfs_node_free(fs, w.node);
	return 0;
}

long ramfs_read(struct ramfs_node *n, uint64_t off, void *buf, size_t len)
{
	if (n->type != VFS_TYPE_FILE)
		return -ERR_INVAL;
	if (off >= n->size)
		return 0;
	size_t avail = n->size - (size_t)off;
	if (len > avail)
		len = avail;
	memcpy(buf, n->data + off, len);
	return (long)len;
}

/* Makes room for end bytes in a writable file: its buffer grows, the new bytes are zeros. */
static int ramfs_reserve(struct ramfs *fs, struct ramfs_node *n, size_t end)
{
	if (end <= n->cap)
		return 0;
	size_t want = n->cap * 2 > end ? n->cap * 2 : end;
	if (want < RAMFS_MIN_CAP)
		want = RAMFS_MIN_CAP;
	size_t others = fs->bytes_used - n->cap;
	if (fs->bytes_max && others + want > ramfs_room(fs))
		want = end; /* no room to double: take only what is needed */
	if (fs->bytes_max && others + want > ramfs_room(fs))
		return -ERR_NOSPACE;
	uint8_t *d = realloc(n->data, want);
	if (!d)
		return -ERR_NOMEM;
	memset(d + n->cap, 0, want - n->cap);
	fs->bytes_used = others + want;
	n->data = d;
	n->cap = want;
	return 0;
}

long ramfs_write(struct ramfs *fs, struct ramfs_node *n, uint64_t off, const void *buf, size_t len)
{
	if (n->type != VFS_TYPE_FILE)
		return -ERR_INVAL;
	if (n->flags & RAMFS_RDONLY)
		return -ERR_PERM;
	if (off > RAMFS_FILE_MAX || len > RAMFS_FILE_MAX - off)
		return -ERR_RANGE;
	if (len == 0)
		return 0;
	size_t end = (size_t)off + len;
	int err = ramfs_reserve(fs, n, end);
	if (err)
		return err;
	/* Bytes between the old end and off are zero: ramfs_reserve and truncate keep the
	 * buffer beyond size zeroed. */
	memcpy(n->data + off, buf, len);
	if (end > n->size)
		n->size = end;
	return (long)len;
}

int ramfs_truncate(struct ramfs *fs, struct ramfs_node *n, uint64_t size)
{
	if (n->type != VFS_TYPE_FILE)
		return -ERR_INVAL;
	if (n->flags & RAMFS_RDONLY)
		return -ERR_PERM;
	if (size > RAMFS_FILE_MAX)
		return -ERR_RANGE;
	if (size > n->size) {
		int err = ramfs_reserve(fs, n, (size_t)size);
		if (err)
			return err;
	} else if (n->data) {
		memset(n->data + size, 0, n->size - (size_t)size); /* keep the tail zeroed */
	}
	n->size = (size_t)size;
	return 0;
}

void ramfs_stat(const struct ramfs_node *n, struct orb_stat *st)
{
	st->type = n->type;
	st->size = n->type == VFS_TYPE_DIR ? n->nchildren : n->size;
	st->flags = (n->flags & RAMFS_RDONLY) ? VFS_STAT_RDONLY : 0;
}

int ramfs_readdir(const struct ramfs_node *dir, uint64_t index, struct orb_dirent *out)
{
	if (dir->type != VFS_TYPE_DIR)
		return -ERR_INVAL;
	const struct ramfs_node *c = dir->children;
	for (uint64_t i = 0; c && i < index; i++)
		c = c->next;
	if (!c)
		return 0;
	struct orb_stat st;
	memset(out, 0, sizeof(*out));
	memcpy(out->name, c->name, sizeof(out->name));
	ramfs_stat(c, &st);
	out->type = st.type;
	out->size = st.size;
	return 1;
}

void ramfs_set_rdonly(struct ramfs_node *n, bool recursive)
{
	n->flags |= RAMFS_RDONLY;
	if (recursive)
		for (struct ramfs_node *c = n->children; c; c = c->next)
			ramfs_set_rdonly(c, true);
}

void ramfs_get(struct ramfs_node *n)
{
	n->refs++;
}

void ramfs_put(struct ramfs *fs, struct ramfs_node *n)
{
	if (n->refs)
		n->refs--;
	if (!n->refs && !n->linked && n != fs->root)
		ramfs_node_free(fs, n);
}

/* ---- The backend ops table. ---- */

static int ramfs_op_lookup(void *fs, const char *path, void **node)
{
	return ramfs_lookup(fs, path, (struct ramfs_node **)node);
}
static int ramfs_op_create(void *fs, const char *path, uint32_t type, void **node)
{
	return ramfs_create(fs, path, type, (struct ramfs_node **)node);
}
static int ramfs_op_unlink(void *fs, const char *path)
{
	return ramfs_unlink(fs, path);
}
static long ramfs_op_read(void *fs, void *node, uint64_t off, void *buf, size_t len)
{
	(void)fs;
	return ramfs_read(node, off, buf, len);
}
static long ramfs_op_write(void *fs, void *node, uint64_t off, const void *buf, size_t len)
{
	return ramfs_write(fs, node, off, buf, len);
}
static int ramfs_op_truncate(void *fs, void *node, uint64_t size)
{
	return ramfs_truncate(fs, node, size);
}
static void ramfs_op_stat(void *fs, void *node, struct orb_stat *st)
{
	(void)fs;
	ramfs_stat(node, st);
}
static int ramfs_op_readdir(void *fs, void *node, uint64_t index, struct orb_dirent *out)
{
	(void)fs;
	return ramfs_readdir(node, index, out);
}
static void ramfs_op_get(void *fs, void *node)
{
	(void)fs;
	ramfs_get(node);
}
static void ramfs_op_put(void *fs, void *node)
{
	ramfs_put(fs, node);
}

const struct vfs_backend_ops ramfs_ops = {
    .name = "ramfs",
    .lookup = ramfs_op_lookup,
    .create = ramfs_op_create,
    .unlink = ramfs_op_unlink,
    .read = ramfs_op_read,
    .write = ramfs_op_write,
    .truncate = ramfs_op_truncate,
    .stat = ramfs_op_stat,
    .readdir = ramfs_op_readdir,
    .get = ramfs_op_get,
    .put = ramfs_op_put,
};
