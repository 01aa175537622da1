/*
 * Tests of the VFS server's name space (user/bin/vfs/vfs_mount.c):
 * canonical paths (".", "..", repeated and trailing slashes, limits) and the
 * mount table (longest prefix on a component boundary, the rest of the path
 * handed to the backend, duplicates, a full table), with two ramfs instances
 * mounted the way the server mounts its root and /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <orbital/errors.h>
#include "ramfs.h"
#include "vfs_mount.h"

static void canon_is(const char *in, const char *want)
{
	char out[VFS_PATH_MAX];
	print_message("canon %s\n", in);
	assert_int_equal(vfs_path_canon(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_canon(void **state)
{
	char out[VFS_PATH_MAX], small[8], name[VFS_NAME_MAX + 2];

	(void)state;
	canon_is("/", "/");
	canon_is("//", "/");
	canon_is("/.", "/");
	canon_is("/..", "/");
	canon_is("/../..", "/");
	canon_is("/etc/motd", "/etc/motd");
	canon_is("/etc/motd/", "/etc/motd");
	canon_is("//etc///motd", "/etc/motd");
	canon_is("/etc/./motd", "/etc/motd");
	canon_is("/tmp/../etc/motd", "/etc/motd");
	canon_is("/a/b/c/../../d", "/a/d");
	canon_is("/a/b/c/../../..", "/");
	canon_is("/a/..b/.c", "/a/..b/.c");
	canon_is("/...", "/...");
	assert_int_equal(vfs_path_canon("etc/motd", out, sizeof(out)), -ERR_INVAL);
	assert_int_equal(vfs_path_canon("", out, sizeof(out)), -ERR_INVAL);
	assert_int_equal(vfs_path_canon("/abcdefgh", small, sizeof(small)), -ERR_RANGE);
	assert_int_equal(vfs_path_canon("/abcdef", small, sizeof(small)), 0);
	assert_string_equal(small, "/abcdef");
	name[0] = '/';
	memset(name + 1, 'x', VFS_NAME_MAX - 1);
	name[VFS_NAME_MAX] = '\0';
	assert_int_equal(vfs_path_canon(name, out, sizeof(out)), 0);
	name[VFS_NAME_MAX] = 'x';
	name[VFS_NAME_MAX + 1] = '\0';
	assert_int_equal(vfs_path_canon(name, out, sizeof(out)), -ERR_RANGE);
}

static void test_mount_find(void **state)
{
	static struct vfs_mount_table t;
	struct ramfs root, tmp;
	const struct vfs_mount *m;
	const char *rest;
	void *n;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_null(vfs_mount_find(&t, "/x", &rest));
	assert_int_equal(ramfs_init(&root, 0), 0);
	assert_int_equal(ramfs_init(&tmp, 0), 0);
	assert_int_equal(vfs_mount_add(&t, "/", &ramfs_ops, &root), 0);
	assert_int_equal(vfs_mount_add(&t, "/tmp", &ramfs_ops, &tmp), 0);
	assert_int_equal(vfs_mount_add(&t, "/tmp", &ramfs_ops, &tmp), -ERR_EXIST);
	assert_int_equal(vfs_mount_add(&t, "tmp", &ramfs_ops, &tmp), -ERR_INVAL);

	m = vfs_mount_find(&t, "/", &rest);
	assert_ptr_equal(m->fs, &root);
	assert_string_equal(rest, "");
	m = vfs_mount_find(&t, "/etc/motd", &rest);
	assert_ptr_equal(m->fs, &root);
	assert_string_equal(rest, "etc/motd");
	m = vfs_mount_find(&t, "/tmp", &rest);
	assert_ptr_equal(m->fs, &tmp);
	assert_string_equal(rest, "");
	m = vfs_mount_find(&t, "/tmp/a/b", &rest);
	assert_ptr_equal(m->fs, &tmp);
	assert_string_equal(rest, "a/b");
	m = vfs_mount_find(&t, "/tmpx/a", &rest); /* not a component boundary */
	assert_ptr_equal(m->fs, &root);
	assert_string_equal(rest, "tmpx/a");
	assert_true(vfs_mount_is_point(&t, "/tmp"));
	assert_true(vfs_mount_is_point(&t, "/"));
	assert_false(vfs_mount_is_point(&t, "/tmp/a"));

	/* The two file systems are apart: a file made through /tmp is not in the root's. */
	m = vfs_mount_find(&t, "/tmp/f", &rest);
	assert_int_equal(m->ops->create(m->fs, rest, VFS_TYPE_FILE, NULL), 0);
	assert_int_equal(ramfs_ops.lookup(&tmp, "f", &n), 0);
	ramfs_ops.put(&tmp, n);
	assert_int_equal(ramfs_ops.lookup(&root, "f", &n), -ERR_NOENT);
	assert_int_equal(ramfs_ops.lookup(&root, "tmp/f", &n), -ERR_NOENT);

	for (unsigned i = t.n; i < VFS_MOUNTS_MAX; i++) {
		char p[16];
		snprintf(p, sizeof(p), "/m%u", i);
		assert_int_equal(vfs_mount_add(&t, p, &ramfs_ops, &tmp), 0);
	}
	assert_int_equal(vfs_mount_add(&t, "/full", &ramfs_ops, &tmp), -ERR_NOSPACE);
	ramfs_destroy(&root);
	ramfs_destroy(&tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canon),
	    cmocka_unit_test(test_mount_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
