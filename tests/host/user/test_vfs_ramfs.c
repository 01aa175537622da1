/*
 * Tests of the RAM file system (user/bin/vfs/ramfs.c), the VFS server's
 * backend for its root and /tmp: directories and files, reads and writes at
 * offsets, growth, truncation, unlink (also of a file still referenced),
 * readdir order, path resolution ("." ".." and repeated slashes), the errors
 * (missing parent, non-empty directory, name too long, read-only nodes, a
 * full file system), and that a failing call changes nothing. Runs under
 * ASan and LeakSanitizer: every node must be freed by put or destroy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <orbital/errors.h>
#include "ramfs.h"

static struct ramfs fs;

static int setup(void **state)
{
	(void)state;
	return ramfs_init(&fs, 0);
}

static int teardown(void **state)
{
	(void)state;
	ramfs_destroy(&fs);
	assert_null(fs.all);
	return 0;
}

/* The node at path (its reference dropped at once), or NULL with the error in *err. */
static struct ramfs_node *node_at(const char *path, int *err)
{
	struct ramfs_node *n = NULL;
	int e = ramfs_lookup(&fs, path, &n);
	if (err)
		*err = e;
	if (e)
		return NULL;
	ramfs_put(&fs, n);
	return n;
}

static int lookup_err(const char *path)
{
	int e;
	node_at(path, &e);
	return e;
}

static void test_mkdir_create(void **state)
{
	struct ramfs_node *f;
	struct orb_stat st;

	assert_int_equal(ramfs_create(&fs, "/a", VFS_TYPE_DIR, NULL), 0);
	assert_int_equal(ramfs_create(&fs, "/a/b", VFS_TYPE_DIR, NULL), 0);
	assert_int_equal(ramfs_create(&fs, "/a/b/f", VFS_TYPE_FILE, &f), 0);
	assert_int_equal(f->refs, 1);
	ramfs_stat(f, &st);
	assert_int_equal(st.type, VFS_TYPE_FILE);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.flags, 0);
	ramfs_put(&fs, f);
	assert_int_equal(f->refs, 0);
	ramfs_stat(node_at("/a", NULL), &st);
	assert_int_equal(st.type, VFS_TYPE_DIR);
	assert_int_equal(st.size, 1);
	assert_int_equal(ramfs_create(&fs, "/a/b", VFS_TYPE_DIR, NULL), -ERR_EXIST);
	assert_int_equal(ramfs_create(&fs, "/a/b/f", VFS_TYPE_FILE, NULL), -ERR_EXIST);
	assert_int_equal(ramfs_create(&fs, "/", VFS_TYPE_DIR, NULL), -ERR_EXIST);
	assert_int_equal(ramfs_create(&fs, "/a/x", 7, NULL), -ERR_INVAL);
	/* Missing parent, and a file used as a directory. */
	assert_int_equal(ramfs_create(&fs, "/nope/x", VFS_TYPE_FILE, NULL), -ERR_NOENT);
	assert_int_equal(ramfs_create(&fs, "/a/b/f/x", VFS_TYPE_FILE, NULL), -ERR_INVAL);
	assert_int_equal(fs.nnodes, 4);
	assert_int_equal(ramfs_mkdirs(&fs, "/p/q/r"), 0);
	assert_int_equal(lookup_err("/p/q/r"), 0);
	assert_int_equal(ramfs_mkdirs(&fs, "/p/q/r"), 0);
	assert_int_equal(ramfs_mkdirs(&fs, "/a/b/f/z"), -ERR_INVAL);
	assert_int_equal(ramfs_mkdirs(&fs, "/a/b/f"), -ERR_INVAL);
}

static void test_names(void **state)
{
	char name[VFS_NAME_MAX + 8], path[VFS_NAME_MAX + 16];

	memset(name, 'n', VFS_NAME_MAX - 1);
	name[VFS_NAME_MAX - 1] = '\0';
	snprintf(path, sizeof(path), "/%s", name);
	assert_int_equal(ramfs_create(&fs, path, VFS_TYPE_FILE, NULL), 0);
	assert_int_equal(lookup_err(path), 0);
	assert_string_equal(node_at(path, NULL)->name, name);
	strcat(name, "n"); /* VFS_NAME_MAX bytes: one too many */
	snprintf(path, sizeof(path), "/%s", name);
	assert_int_equal(ramfs_create(&fs, path, VFS_TYPE_FILE, NULL), -ERR_RANGE);
	assert_int_equal(lookup_err(path), -ERR_RANGE);
	snprintf(path, sizeof(path), "/%s/x", name);
	assert_int_equal(ramfs_create(&fs, path, VFS_TYPE_FILE, NULL), -ERR_RANGE);
	assert_int_equal(fs.nnodes, 2);
}

static void test_paths(void **state)
{
	struct ramfs_node *c;

	assert_int_equal(ramfs_mkdirs(&fs, "/a/b"), 0);
	assert_int_equal(ramfs_create(&fs, "/a/b/c", VFS_TYPE_FILE, &c), 0);
	ramfs_put(&fs, c);
	const char *same[] = {"/a/b/c",
			      "a/b/c",
			      "//a///b//c",
			      "/a/./b/./c",
			      "/a/b/../b/c",
			      "/../../a/b/c",
			      "/a/../a/b/../../a/b/c",
			      "./a/b/c/"};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		print_message("path %s\n", same[i]);
		assert_ptr_equal(node_at(same[i], NULL), c);
	}
	assert_ptr_equal(node_at("/", NULL), fs.root);
	assert_ptr_equal(node_at("", NULL), fs.root);
	assert_ptr_equal(node_at("/..", NULL), fs.root);
	assert_ptr_equal(node_at("/a/b/..", NULL), node_at("/a", NULL));
	assert_ptr_equal(node_at("/a/b/.", NULL), c->parent);
	assert_int_equal(lookup_err("/a/x/.."), -ERR_NOENT);
	assert_int_equal(lookup_err("/a/b/c/.."), -ERR_INVAL); /* c is a file */
	assert_int_equal(lookup_err("/a/b/c/d"), -ERR_INVAL);
	assert_int_equal(lookup_err("/a/B"), -ERR_NOENT);
	/* Creating through ".." and repeated slashes lands in the right directory. */
	assert_int_equal(ramfs_create(&fs, "/a/b/..//new", VFS_TYPE_FILE, NULL), 0);
	assert_int_equal(lookup_err("/a/new"), 0);
	assert_int_equal(ramfs_create(&fs, "/a/b/..", VFS_TYPE_DIR, NULL), -ERR_EXIST);
	assert_int_equal(ramfs_unlink(&fs, "/a/b/.."), -ERR_INVAL);
	assert_int_equal(ramfs_unlink(&fs, "/a/."), -ERR_INVAL);
	assert_int_equal(ramfs_unlink(&fs, "//"), -ERR_BUSY);
}

static void check_bytes(struct ramfs_node *f, uint64_t off, const void *want, size_t len)
{
	uint8_t *got = malloc(len + 1);
	assert_non_null(got);
	assert_int_equal(ramfs_read(f, off, got, len), (long)len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_read_write(void **state)
{
	struct ramfs_node *f;
	uint8_t buf[64], zero[32] = {0};

	assert_int_equal(ramfs_create(&fs, "/f", VFS_TYPE_FILE, &f), 0);
	assert_int_equal(ramfs_read(f, 0, buf, sizeof(buf)), 0);
	assert_int_equal(ramfs_write(&fs, f, 0, "hello", 5), 5);
	assert_int_equal(f->size, 5);
	check_bytes(f, 0, "hello", 5);
	/* A short read at the end, nothing past it. */
	assert_int_equal(ramfs_read(f, 3, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "lo", 2);
	assert_int_equal(ramfs_read(f, 5, buf, sizeof(buf)), 0);
	assert_int_equal(ramfs_read(f, 1000, buf, sizeof(buf)), 0);
	/* Overwrite in the middle, extend across the end. */
	assert_int_equal(ramfs_write(&fs, f, 1, "EL", 2), 2);
	assert_int_equal(ramfs_write(&fs, f, 4, "O world", 7), 7);
	check_bytes(f, 0, "hELlO world", 11);
	/* A write past the end leaves a gap of zeros. */
	assert_int_equal(ramfs_write(&fs, f, 40, "end", 3), 3);
	assert_int_equal(f->size, 43);
	check_bytes(f, 11, zero, 29);
	check_bytes(f, 40, "end", 3);
	assert_int_equal(ramfs_write(&fs, f, 0, "", 0), 0);
	assert_int_equal(f->size, 43);
	/* Growing by many small writes (the buffer doubles; contents survive each move). */
	for (unsigned i = 0; i < 5000; i++) {
		uint8_t b = (uint8_t)(i * 7);
		assert_int_equal(ramfs_write(&fs, f, 43 + i, &b, 1), 1);
	}
	assert_int_equal(f->size, 5043);
	check_bytes(f, 0, "hELlO world", 11);
	for (unsigned i = 0; i < 5000; i += 997) {
		uint8_t b;
		assert_int_equal(ramfs_read(f, 43 + i, &b, 1), 1);
		assert_int_equal(b, (uint8_t)(i * 7));
	}
	assert_true(fs.bytes_used >= 5043);
	/* Truncate down, then grow again: the regrown part is zeros, not old data. */
	assert_int_equal(ramfs_truncate(&fs, f, 4), 0);
	assert_int_equal(f->size, 4);
	assert_int_equal(ramfs_truncate(&fs, f, 20), 0);
	check_bytes(f, 0, "hELl", 4);
	check_bytes(f, 4, zero, 16);
	assert_int_equal(ramfs_write(&fs, f, 30, "x", 1), 1);
	check_bytes(f, 20, zero, 10);
	/* Offsets past the largest file. */
	assert_int_equal(ramfs_write(&fs, f, RAMFS_FILE_MAX, "x", 1), -ERR_RANGE);
	assert_int_equal(ramfs_write(&fs, f, UINT64_MAX - 1, "xy", 2), -ERR_RANGE);
	assert_int_equal(ramfs_truncate(&fs, f, RAMFS_FILE_MAX + 1), -ERR_RANGE);
	assert_int_equal(f->size, 31);
	/* Directories are neither read nor written. */
	assert_int_equal(ramfs_read(fs.root, 0, buf, 1), -ERR_INVAL);
	assert_int_equal(ramfs_write(&fs, fs.root, 0, "x", 1), -ERR_INVAL);
	assert_int_equal(ramfs_truncate(&fs, fs.root, 0), -ERR_INVAL);
	ramfs_put(&fs, f);
}

static void test_unlink(void **state)
{
	struct ramfs_node *f;
	char buf[8];

	assert_int_equal(ramfs_mkdirs(&fs, "/d/e"), 0);
	assert_int_equal(ramfs_create(&fs, "/d/e/f", VFS_TYPE_FILE, NULL), 0);
	assert_int_equal(ramfs_unlink(&fs, "/d/e"), -ERR_BUSY);
	assert_int_equal(ramfs_unlink(&fs, "/d"), -ERR_BUSY);
	assert_int_equal(ramfs_unlink(&fs, "/d/nope"), -ERR_NOENT);
	assert_int_equal(ramfs_unlink(&fs, "/nope/x"), -ERR_NOENT);
	assert_int_equal(ramfs_unlink(&fs, "/d/e/f"), 0);
	assert_int_equal(lookup_err("/d/e/f"), -ERR_NOENT);
	assert_int_equal(ramfs_unlink(&fs, "/d/e/f"), -ERR_NOENT);
	assert_int_equal(ramfs_unlink(&fs, "/d/e"), 0);
	assert_int_equal(ramfs_unlink(&fs, "/d"), 0);
	assert_int_equal(fs.nnodes, 1);
	assert_null(fs.root->children);

	/* A referenced file outlives its unlink, and a new file may take its name. */
	assert_int_equal(ramfs_create(&fs, "/g", VFS_TYPE_FILE, &f), 0);
	assert_int_equal(ramfs_write(&fs, f, 0, "kept", 4), 4);
	assert_int_equal(ramfs_unlink(&fs, "/g"), 0);
	assert_int_equal(lookup_err("/g"), -ERR_NOENT);
	assert_int_equal(fs.nnodes, 2);
	assert_int_equal(ramfs_read(f, 0, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "kept", 4);
	assert_int_equal(ramfs_write(&fs, f, 4, "!", 1), 1);
	assert_int_equal(ramfs_create(&fs, "/g", VFS_TYPE_FILE, NULL), 0);
	assert_int_equal(fs.nnodes, 3);
	size_t used = fs.bytes_used;
	ramfs_put(&fs, f); /* the last reference: freed now (LeakSanitizer checks) */
	assert_int_equal(fs.nnodes, 2);
	assert_true(fs.bytes_used < used);
	assert_int_equal(fs.bytes_used, 0);
}

static void test_readdir(void **state)
{
	struct orb_dirent d;
	const char *names[] = {"zeta", "alpha", "mid", "beta"};
	const char *sorted[] = {"alpha", "beta", "mid", "zeta"};
	struct ramfs_node *dir, *f;

	assert_int_equal(ramfs_create(&fs, "/dir", VFS_TYPE_DIR, &dir), 0);
	assert_int_equal(ramfs_readdir(dir, 0, &d), 0);
	for (unsigned i = 0; i < 4; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/dir/%s", names[i]);
		assert_int_equal(ramfs_create(&fs, p, i == 2 ? VFS_TYPE_DIR : VFS_TYPE_FILE, &f),
				 0);
		if (i != 2)
			assert_int_equal(ramfs_write(&fs, f, 0, "123456789", i + 1), (long)i + 1);
		ramfs_put(&fs, f);
	}
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(ramfs_readdir(dir, i, &d), 1);
		assert_string_equal(d.name, sorted[i]);
	}
	assert_int_equal(ramfs_readdir(dir, 4, &d), 0);
	assert_int_equal(ramfs_readdir(dir, 1000, &d), 0);
	assert_int_equal(ramfs_readdir(dir, 2, &d), 1);
	assert_int_equal(d.type, VFS_TYPE_DIR);
	assert_int_equal(ramfs_readdir(dir, 3, &d), 1);
	assert_int_equal(d.type, VFS_TYPE_FILE);
	assert_int_equal(d.size, 1); /* zeta was written first, with 1 byte */
	assert_int_equal(ramfs_unlink(&fs, "/dir/beta"), 0);
	assert_int_equal(ramfs_readdir(dir, 1, &d), 1);
	assert_string_equal(d.name, "mid");
	f = node_at("/dir/alpha", NULL);
	assert_int_equal(ramfs_readdir(f, 0, &d), -ERR_INVAL);
	ramfs_put(&fs, dir);
}

static void test_rdonly(void **state)
{
	static const char blob[] = "archive bytes";
	struct ramfs_node *f;
	struct orb_stat st;
	char buf[32];

	assert_int_equal(ramfs_add_extern(&fs, "/bin/prog", blob, sizeof(blob) - 1), 0);
	assert_int_equal(ramfs_add_extern(&fs, "/etc/motd", "hi\n", 3), 0);
	assert_int_equal(ramfs_add_extern(&fs, "/etc/motd", "x", 1), -ERR_EXIST);
	assert_int_equal(ramfs_create(&fs, "/bin/w", VFS_TYPE_FILE, NULL), 0);
	ramfs_set_rdonly(node_at("/bin", NULL), true);
	ramfs_set_rdonly(node_at("/etc", NULL), true);

	assert_int_equal(ramfs_lookup(&fs, "/bin/prog", &f), 0);
	assert_ptr_equal(f->data, blob); /* no copy */
	ramfs_stat(f, &st);
	assert_int_equal(st.flags, VFS_STAT_RDONLY);
	assert_int_equal(st.size, sizeof(blob) - 1);
	assert_int_equal(ramfs_read(f, 8, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "bytes", 5);
	assert_int_equal(ramfs_write(&fs, f, 0, "X", 1), -ERR_PERM);
	assert_int_equal(ramfs_truncate(&fs, f, 0), -ERR_PERM);
	ramfs_put(&fs, f);
	assert_string_equal(blob, "archive bytes");

	/* A file that was writable became read-only with its directory (recursive). */
	f = node_at("/bin/w", NULL);
	assert_int_equal(ramfs_write(&fs, f, 0, "X", 1), -ERR_PERM);
	/* Read-only directories: no new entries, no removals. */
	assert_int_equal(ramfs_create(&fs, "/bin/new", VFS_TYPE_FILE, NULL), -ERR_PERM);
	assert_int_equal(ramfs_create(&fs, "/etc/d", VFS_TYPE_DIR, NULL), -ERR_PERM);
	assert_int_equal(ramfs_unlink(&fs, "/bin/prog"), -ERR_PERM);
	assert_int_equal(ramfs_unlink(&fs, "/etc/motd"), -ERR_PERM);
	assert_int_equal(ramfs_unlink(&fs, "/nope/../bin/prog"), -ERR_NOENT);
	/* The root itself stays writable here: only what was marked is read-only. */
	assert_int_equal(ramfs_create(&fs, "/tmp", VFS_TYPE_DIR, NULL), 0);
	assert_int_equal(ramfs_unlink(&fs, "/bin"), -ERR_BUSY);
	ramfs_set_rdonly(fs.root, false);
	assert_int_equal(ramfs_create(&fs, "/x", VFS_TYPE_DIR, NULL), -ERR_PERM);
	assert_int_equal(ramfs_create(&fs, "/tmp/ok", VFS_TYPE_FILE, NULL), 0);
}

static void test_full(void **state)
{
	struct ramfs small;
	struct ramfs_node *a, *b;
	uint8_t big[3000];

	memset(big, 0xab, sizeof(big));
	/* 4096 bytes for data once the three nodes (root, a, b) are counted. */
	assert_int_equal(ramfs_init(&small, 4096 + 3 * RAMFS_NODE_COST), 0);
	assert_int_equal(ramfs_create(&small, "/a", VFS_TYPE_FILE, &a), 0);
	assert_int_equal(ramfs_create(&small, "/b", VFS_TYPE_FILE, &b), 0);
	assert_int_equal(ramfs_write(&small, a, 0, big, 3000), 3000);
	assert_int_equal(ramfs_write(&small, b, 0, big, 1000), 1000);
	assert_int_equal(ramfs_write(&small, b, 1000, big, 1000), -ERR_NOSPACE);
	assert_int_equal(b->size, 1000); /* unchanged */
	assert_true(small.bytes_used <= 4096);
	assert_int_equal(ramfs_truncate(&small, b, 5000), -ERR_NOSPACE);
	assert_int_equal(b->size, 1000);
	assert_int_equal(ramfs_write(&small, b, 1000, big, 96), 96);
	assert_int_equal(small.bytes_used, 4096);
	ramfs_put(&small, a);
	assert_int_equal(ramfs_unlink(&small, "/a"), 0);
	assert_int_equal(small.bytes_used, 1096);
	assert_int_equal(ramfs_write(&small, b, 1096, big, 2000), 2000);
	ramfs_put(&small, b);
	ramfs_destroy(&small);
}

/* Nodes count against the limit: empty files and directories cannot fill memory. */
static void test_full_of_nodes(void **state)
{
	struct ramfs small;
	struct ramfs_node *f;
	char name[32];
	unsigned made = 0;
	(void)state;

	assert_int_equal(ramfs_init(&small, 64 * RAMFS_NODE_COST), 0);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "/%s%u", i % 2 ? "d" : "f", i);
		int r = ramfs_create(&small, name, i % 2 ? VFS_TYPE_DIR : VFS_TYPE_FILE, NULL);
		if (r == -ERR_NOSPACE)
			break;
		assert_int_equal(r, 0);
		made++;
	}
	assert_int_equal(made, 63); /* the root is the 64th */
	assert_int_equal(small.nnodes, 64);
	assert_int_equal(ramfs_lookup(&small, "/d63", &f), -ERR_NOENT);
	/* No room for data either, and a node given up makes room for one more. */
	assert_int_equal(ramfs_lookup(&small, "/f0", &f), 0);
	assert_int_equal(ramfs_write(&small, f, 0, "x", 1), -ERR_NOSPACE);
	ramfs_put(&small, f);
	assert_int_equal(ramfs_unlink(&small, "/f2"), 0);
	assert_int_equal(ramfs_create(&small, "/again", VFS_TYPE_FILE, NULL), 0);
	assert_int_equal(ramfs_create(&small, "/more", VFS_TYPE_FILE, NULL), -ERR_NOSPACE);
	ramfs_destroy(&small);
}

static void test_ops_table(void **state)
{
	const struct vfs_backend_ops *o = &ramfs_ops;
	void *n;
	char buf[8];
	struct orb_stat st;
	struct orb_dirent d;

	assert_string_equal(o->name, "ramfs");
	assert_int_equal(o->create(&fs, "d", VFS_TYPE_DIR, NULL), 0);
	assert_int_equal(o->create(&fs, "d/f", VFS_TYPE_FILE, &n), 0);
	assert_int_equal(o->write(&fs, n, 2, "ab", 2), 2);
	assert_int_equal(o->read(&fs, n, 0, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "\0\0ab", 4);
	assert_int_equal(o->truncate(&fs, n, 3), 0);
	o->stat(&fs, n, &st);
	assert_int_equal(st.size, 3);
	o->get(&fs, n);
	assert_int_equal(o->unlink(&fs, "d/f"), 0);
	o->put(&fs, n);
	assert_int_equal(o->read(&fs, n, 0, buf, sizeof(buf)), 3); /* one reference left */
	o->put(&fs, n);
	assert_int_equal(o->lookup(&fs, "d/f", &n), -ERR_NOENT);
	assert_int_equal(o->lookup(&fs, "d", &n), 0);
	assert_int_equal(o->readdir(&fs, n, 0, &d), 0);
	o->put(&fs, n);
	assert_int_equal(fs.nnodes, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mkdir_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readdir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rdonly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_of_nodes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ops_table, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
