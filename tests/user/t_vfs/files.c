/*
 * t_vfs's single-client checks, init attached with badge 1: ls of /bin
 * against the boot archive's listing, cat against the archive's bytes, files
 * in /tmp, the errors the server must give, and a file larger than the shared
 * buffer; and the file helpers every part of t_vfs uses. main.c opens with the
 * whole program.
 */
#include <stdlib.h>
#include "vfs_test.h"

uint8_t t_pattern(unsigned seed, size_t i)
{
	return (uint8_t)((i * 131 + seed * 7 + (i >> 9)) ^ seed);
}

/* Reads the whole file at path (at most cap bytes) into buf; the byte count or -ERR_*. */
long t_slurp(const char *path, void *buf, size_t cap)
{
	long fd = vfs_open(path, O_RDONLY), n;
	if (fd < 0)
		return fd;
	n = vfs_read((int)fd, buf, cap);
	vfs_close((int)fd);
	return n;
}

/* Creates (or truncates) path with len bytes of data; 0 or -ERR_*. */
long t_put(const char *path, const void *data, size_t len)
{
	long fd = vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC), n;
	if (fd < 0)
		return fd;
	n = vfs_write((int)fd, data, len);
	vfs_close((int)fd);
	return n == (long)len ? 0 : n < 0 ? n : -ERR_RANGE;
}

/* Writes and reads back a file of its own, rounds times; the number of mismatches. */
unsigned t_stress(const char *path, unsigned seed, unsigned rounds)
{
	static uint8_t out[3000], in[3000];
	unsigned bad = 0;

	for (unsigned r = 0; r < rounds; r++) {
		size_t len = 1000 + (r * 97) % 2000;
		for (size_t i = 0; i < len; i++)
			out[i] = t_pattern(seed + r, i);
		if (t_put(path, out, len) != 0 || t_slurp(path, in, sizeof(in)) != (long)len ||
		    memcmp(in, out, len) != 0)
			bad++;
	}
	return bad;
}

/* ---- init: the checks. ---- */

struct t_ls {
	unsigned nfiles;
};

static void t_count_bin(void *ctx, const struct orb_bootfs_file *f)
{
	struct t_ls *ls = ctx;
	if (strncmp(f->name, "bin/", 4) == 0 && !strchr(f->name + 4, '/'))
		ls->nfiles++;
}

void t_check_ls_cat(void)
{
	struct t_ls ls = {0};
	struct orb_dirent d;
	struct orb_stat st;
	unsigned n = 0, found = 0;
	bool seen_vfs = false, seen_self = false, seen_init = false;
	long fd, r;

	orb_bootfs_each(t_count_bin, &ls);
	fd = vfs_open("/bin", O_RDONLY);
	T_OK("open /bin", fd);
	while ((r = vfs_readdir((int)fd, &d)) == 1) {
		char path[96];
		size_t size = 0;
		snprintf(path, sizeof(path), "bin/%s", d.name);
		n++;
		if (orb_bootfs_find(path, &size) && size == d.size && d.type == VFS_TYPE_FILE)
			found++;
		else
			printf("t_vfs: ls /bin: %s (%llu bytes) is not the archive's\n", d.name,
			       (unsigned long long)d.size);
		seen_vfs |= strcmp(d.name, "vfs") == 0;
		seen_self |= strcmp(d.name, "t_vfs") == 0;
		seen_init |= strcmp(d.name, "init") == 0;
	}
	T_ERR("readdir /bin ends with 0", r, 0);
	T_EQ("ls /bin: entries", n, ls.nfiles);
	T_EQ("ls /bin: entries that match the archive (name, size, type)", found, ls.nfiles);
	T_CHECK(seen_vfs && seen_self && seen_init, "ls /bin lists vfs, t_vfs and init (%d %d %d)",
		seen_vfs, seen_self, seen_init);
	T_ERR("readdir past the end again", vfs_readdir((int)fd, &d), 0);
	T_ERR("read of a directory fd", vfs_read((int)fd, &st, 1), -ERR_INVAL);
	T_ERR("close /bin", vfs_close((int)fd), 0);

	/* The root lists bin, etc and tmp. */
	fd = vfs_open("/", O_RDONLY);
	unsigned mask = 0;
	while (vfs_readdir((int)fd, &d) == 1)
		mask |= (strcmp(d.name, "bin") == 0 ? 1u : 0) |
			(strcmp(d.name, "etc") == 0 ? 2u : 0) |
			(strcmp(d.name, "tmp") == 0 && d.type == VFS_TYPE_DIR ? 4u : 0);
	T_EQX("ls /: bin, etc, tmp", mask, 7);
	vfs_close((int)fd);

	/* cat /etc/motd: exactly the archive's bytes. */
	size_t motd_size = 0;
	const char *motd = orb_bootfs_find("etc/motd", &motd_size);
	char buf[512];
	T_CHECK(motd != NULL, "the archive has etc/motd (%zu bytes)", motd_size);
	r = t_slurp("/etc/motd", buf, sizeof(buf));
	T_EQ("cat /etc/motd: bytes", r, (long)motd_size);
	T_CHECK(motd && r == (long)motd_size && memcmp(buf, motd, motd_size) == 0,
		"cat /etc/motd: the archive's exact bytes");
	T_ERR("stat /etc/motd", vfs_stat("/etc/motd", &st), 0);
	T_EQ("stat /etc/motd: size", st.size, motd_size);
	T_EQ("stat /etc/motd: type", st.type, VFS_TYPE_FILE);
	T_EQX("stat /etc/motd: read-only", st.flags, VFS_STAT_RDONLY);
	T_EQ("cat //tmp/../etc/./motd (same file)",
	     t_slurp("//tmp/../etc/./motd", buf, sizeof(buf)), (long)motd_size);
	T_ERR("stat /etc", vfs_stat("/etc", &st), 0);
	T_EQ("stat /etc: type", st.type, VFS_TYPE_DIR);

	/* A program, read in pieces that cross the shared buffer's size. */
	size_t hsize = 0;
	const uint8_t *hello = orb_bootfs_find("bin/hello", &hsize);
	uint8_t *hbuf = malloc(hsize + 1);
	r = hbuf ? t_slurp("/bin/hello", hbuf, hsize + 1) : -ERR_NOMEM;
	T_EQ("cat /bin/hello: bytes", r, (long)hsize);
	T_CHECK(hello && r == (long)hsize && memcmp(hbuf, hello, hsize) == 0 &&
		    memcmp(hbuf, "\177ELF", 4) == 0,
		"cat /bin/hello: the archive's ELF image (%zu bytes)", hsize);
	free(hbuf);
}

void t_check_tmp(void)
{
	char buf[64];
	struct orb_stat st;
	long fd, fd2;

	fd = vfs_open("/tmp/hello.txt", O_RDWR | O_CREAT);
	T_OK("create /tmp/hello.txt", fd);
	T_EQ("write", vfs_write((int)fd, "hello, vfs\n", 11), 11);
	T_EQ("read at the end gives 0", vfs_read((int)fd, buf, sizeof(buf)), 0);
	T_EQ("seek to 0", vfs_seek((int)fd, 0, VFS_SEEK_SET), 0);
	memset(buf, 0, sizeof(buf));
	T_EQ("read back", vfs_read((int)fd, buf, sizeof(buf)), 11);
	T_CHECK(strcmp(buf, "hello, vfs\n") == 0, "read back the same bytes ('%s')", buf);
	T_EQ("seek 7 from the start", vfs_seek((int)fd, 7, VFS_SEEK_SET), 7);
	T_EQ("overwrite in the middle", vfs_write((int)fd, "VFS", 3), 3);
	T_EQ("seek -4 from the end", vfs_seek((int)fd, -4, VFS_SEEK_END), 7);
	T_EQ("seek +1 from here", vfs_seek((int)fd, 1, VFS_SEEK_CUR), 8);
	T_ERR("seek before the start", vfs_seek((int)fd, -100, VFS_SEEK_CUR), -ERR_INVAL);
	T_ERR("seek with a bad origin", vfs_seek((int)fd, 0, 9), -ERR_INVAL);
	T_ERR("close", vfs_close((int)fd), 0);
	T_ERR("close again", vfs_close((int)fd), -ERR_BADCAP);

	fd = vfs_open("/tmp/hello.txt", O_WRONLY | O_APPEND);
	T_OK("open for appending", fd);
	T_EQ("append", vfs_write((int)fd, "more\n", 5), 5);
	T_ERR("read of a write-only fd", vfs_read((int)fd, buf, 1), -ERR_PERM);
	vfs_close((int)fd);
	memset(buf, 0, sizeof(buf));
	T_EQ("cat after the append", t_slurp("/tmp/hello.txt", buf, sizeof(buf)), 16);
	T_CHECK(strcmp(buf, "hello, VFS\nmore\n") == 0, "content after overwrite + append ('%s')",
		buf);
	fd = vfs_open("/tmp/hello.txt", O_RDONLY);
	T_ERR("write to a read-only fd", vfs_write((int)fd, "x", 1), -ERR_PERM);
	fd2 = vfs_open("/tmp/hello.txt", O_WRONLY | O_TRUNC);
	T_OK("open with O_TRUNC while another fd is open", fd2);
	T_ERR("fstat through the first fd", vfs_fstat((int)fd, &st), 0);
	T_EQ("size after O_TRUNC (seen through the other fd)", st.size, 0);
	vfs_close((int)fd);
	vfs_close((int)fd2);

	/* Unlinked while open: the fd keeps working, the name is gone. */
	fd = vfs_open("/tmp/gone.txt", O_RDWR | O_CREAT);
	T_EQ("write gone.txt", vfs_write((int)fd, "still here", 10), 10);
	T_ERR("unlink it while open", vfs_unlink("/tmp/gone.txt"), 0);
	T_ERR("stat after unlink", vfs_stat("/tmp/gone.txt", &st), -ERR_NOENT);
	vfs_seek((int)fd, 0, VFS_SEEK_SET);
	T_EQ("the open fd still reads it", vfs_read((int)fd, buf, sizeof(buf)), 10);
	vfs_close((int)fd);

	/* mkdir / rm. */
	T_ERR("mkdir /tmp/d", vfs_mkdir("/tmp/d"), 0);
	T_ERR("mkdir /tmp/d again", vfs_mkdir("/tmp/d"), -ERR_EXIST);
	T_ERR("mkdir /tmp/d/e", vfs_mkdir("/tmp/d/e"), 0);
	T_ERR("mkdir with a missing parent", vfs_mkdir("/tmp/nope/x"), -ERR_NOENT);
	T_ERR("create /tmp/d/e/f", t_put("/tmp/d/e/f", "f", 1), 0);
	T_ERR("rm a non-empty directory", vfs_unlink("/tmp/d/e"), -ERR_BUSY);
	T_ERR("stat /tmp/d", vfs_stat("/tmp/d", &st), 0);
	T_EQ("stat /tmp/d: a directory", st.type, VFS_TYPE_DIR);
	T_EQ("stat /tmp/d: 1 entry", st.size, 1);
	T_ERR("rm /tmp/d/e/f", vfs_unlink("/tmp/d/e/f"), 0);
	T_ERR("rm /tmp/d/e", vfs_unlink("/tmp/d/e"), 0);
	T_ERR("rm /tmp/d/", vfs_unlink("/tmp/d/"), 0);
	T_ERR("stat /tmp/d after rm", vfs_stat("/tmp/d", &st), -ERR_NOENT);
	T_ERR("rm it again", vfs_unlink("/tmp/d"), -ERR_NOENT);
}

/* ep: our badged capability; owner: the unbadged one (to derive another badge from). */
void t_check_errors(cap_handle_t ep, cap_handle_t owner)
{
	char name[VFS_NAME_MAX + 16];
	struct ipc_buffer *buf = orb_ipc_buf();
	struct orb_msg m;
	long r;

	T_ERR("open a missing file", vfs_open("/etc/nope", O_RDONLY), -ERR_NOENT);
	T_ERR("open in a missing directory", vfs_open("/nope/x", O_RDWR | O_CREAT), -ERR_NOENT);
	T_ERR("stat a missing file", vfs_stat("/tmp/nope", &(struct orb_stat){0}), -ERR_NOENT);
	T_ERR("open /bin/init for writing", vfs_open("/bin/init", O_WRONLY), -ERR_PERM);
	T_ERR("open /etc/motd read-write", vfs_open("/etc/motd", O_RDWR), -ERR_PERM);
	T_ERR("create a file in /bin", vfs_open("/bin/new", O_WRONLY | O_CREAT), -ERR_PERM);
	T_ERR("mkdir in /etc", vfs_mkdir("/etc/dir"), -ERR_PERM);
	T_ERR("rm /bin/hello", vfs_unlink("/bin/hello"), -ERR_PERM);
	T_ERR("mkdir in the read-only root", vfs_mkdir("/home"), -ERR_PERM);
	T_ERR("rm the mount point /tmp", vfs_unlink("/tmp"), -ERR_BUSY);
	T_ERR("rm /", vfs_unlink("/"), -ERR_BUSY);
	T_ERR("mkdir /tmp (a mount point)", vfs_mkdir("/tmp"), -ERR_EXIST);
	T_ERR("open a directory for writing", vfs_open("/tmp", O_WRONLY), -ERR_INVAL);
	T_ERR("open a file as a directory", vfs_open("/etc/motd/x", O_RDONLY), -ERR_INVAL);
	T_ERR("a relative path", vfs_open("etc/motd", O_RDONLY), -ERR_INVAL);
	T_ERR("an empty path", vfs_open("", O_RDONLY), -ERR_INVAL);
	T_ERR("unknown open flags", vfs_open("/etc/motd", 0x80000), -ERR_INVAL);
	T_ERR("O_TRUNC without write access", vfs_open("/tmp/x", O_RDONLY | O_TRUNC), -ERR_INVAL);
	memset(name, 'n', sizeof(name));
	memcpy(name, "/tmp/", 5);
	name[5 + VFS_NAME_MAX - 1] = '\0'; /* a 63-byte name: the longest */
	r = vfs_open(name, O_WRONLY | O_CREAT);
	T_OK("create a file with a 63-byte name", r);
	vfs_close((int)r);
	T_ERR("rm it", vfs_unlink(name), 0);
	name[5 + VFS_NAME_MAX - 1] = 'n';
	name[5 + VFS_NAME_MAX] = '\0'; /* 64 bytes: too long */
	T_ERR("create a file with a 64-byte name", vfs_open(name, O_WRONLY | O_CREAT), -ERR_RANGE);
	T_ERR("stat it", vfs_stat(name, &(struct orb_stat){0}), -ERR_RANGE);

	/* The fd table is per client and bounded. */
	long fds[VFS_FD_MAX];
	unsigned got = 0;
	for (unsigned i = 0; i < VFS_FD_MAX; i++) {
		fds[i] = vfs_open("/etc/motd", O_RDONLY);
		got += fds[i] == (long)i;
	}
	T_EQ("VFS_FD_MAX opens give fds 0..VFS_FD_MAX-1", got, VFS_FD_MAX);
	T_ERR("one more open: the table is full", vfs_open("/etc/motd", O_RDONLY), -ERR_NOSPACE);
	T_ERR("... and O_CREAT creates nothing then", vfs_open("/tmp/new", O_WRONLY | O_CREAT),
	      -ERR_NOSPACE);
	T_ERR("stat /tmp/new", vfs_stat("/tmp/new", &(struct orb_stat){0}), -ERR_NOENT);
	for (unsigned i = 0; i < VFS_FD_MAX; i++)
		vfs_close((int)fds[i]);

	/* Raw requests the library never makes. */
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(999, 4, 0);
	r = orb_call(ep, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_NOSYS, "an unknown label: %ld / %ld", r,
		(long)m.w[0]);
	long mem = orb_mem_create(VFS_SHM_DEFAULT);
	long self = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0);
	T_OK("a Process [READ] of ourselves, for ATTACH", self);
	buf->send_caps[0] = (cap_handle_t)mem;
	buf->send_caps[1] = (cap_handle_t)self;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 2);
	m.w[0] = VFS_SHM_DEFAULT;
	r = orb_call(ep, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_EXIST, "a second ATTACH on one badge: %ld / %ld", r,
		(long)m.w[0]);
	T_ERR("vfs_attach twice", vfs_attach(ep), -ERR_EXIST);
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_READ, 4, 0);
	m.w[1] = VFS_SHM_DEFAULT + 1; /* more than the buffer */
	r = vfs_open("/etc/motd", O_RDONLY);
	m.w[0] = (uint64_t)r;
	orb_call(ep, &m, T_WAIT_NS);
	T_ERR("a READ longer than the shared buffer", (long)m.w[0], -ERR_RANGE);
	vfs_close((int)r);
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_STAT, 4, 0);
	m.w[1] = VFS_SHM_DEFAULT + 100; /* a path longer than the buffer */
	orb_call(ep, &m, T_WAIT_NS);
	T_ERR("a path length beyond the buffer", (long)m.w[0], -ERR_RANGE);

	/* A badge that never attached, and the unbadged capability, are refused. */
	long other = orb_cap_derive(owner, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, T_BADGE_UNATT);
	T_OK("derive a capability with another badge", other);
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_OPEN, 4, 0);
	r = orb_call((cap_handle_t)other, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_PERM, "a request before ATTACH: %ld / %ld", r,
		(long)m.w[0]);
	/* No session without the client's Process [READ]: none, or another kind, is INVAL. */
	buf->send_caps[0] = (cap_handle_t)mem;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 1);
	m.w[0] = VFS_SHM_DEFAULT;
	r = orb_call((cap_handle_t)other, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_INVAL, "ATTACH without a Process: %ld / %ld", r,
		(long)m.w[0]);
	buf->send_caps[0] = (cap_handle_t)mem;
	buf->send_caps[1] = (cap_handle_t)mem;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 2);
	m.w[0] = VFS_SHM_DEFAULT;
	r = orb_call((cap_handle_t)other, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_INVAL,
		"ATTACH with a Memory in place of the Process: %ld / %ld", r, (long)m.w[0]);
	/* ATTACH with a read-only Memory capability: the server cannot map it writable. */
	long ro = orb_cap_derive((cap_handle_t)mem, CAP_RIGHT_READ | CAP_RIGHT_MAP, 0);
	buf->send_caps[0] = (cap_handle_t)ro;
	buf->send_caps[1] = (cap_handle_t)self;
	memset(&m, 0, sizeof(m));
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 2);
	m.w[0] = VFS_SHM_DEFAULT;
	r = orb_call((cap_handle_t)other, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] == -ERR_PERM, "ATTACH with a read-only buffer: %ld / %ld", r,
		(long)m.w[0]);
	buf->send_caps[0] = (cap_handle_t)mem;
	buf->send_caps[1] = (cap_handle_t)self;
	m.tag = IPC_TAG(VFS_OP_ATTACH, 1, 2);
	m.w[0] = VFS_SHM_DEFAULT * 2; /* larger than the object */
	r = orb_call((cap_handle_t)other, &m, T_WAIT_NS);
	T_CHECK(r == 0 && (long)m.w[0] < 0, "ATTACH claiming more than the object: %ld / %ld", r,
		(long)m.w[0]);
	T_EQ("the server kept no copy of the read-only buffer: revoke finds nothing",
	     orb_cap_revoke((cap_handle_t)ro), 0);
	orb_cap_delete((cap_handle_t)ro);
	T_EQ("nor of the others: revoke finds nothing", orb_cap_revoke((cap_handle_t)mem), 0);
	T_EQ("nor of the Process sent with refused ATTACHes: revoke finds nothing",
	     orb_cap_revoke((cap_handle_t)self), 0);
	orb_cap_delete((cap_handle_t)self);
	orb_cap_delete((cap_handle_t)mem);
	orb_cap_delete((cap_handle_t)other);
}

void t_check_big(void)
{
	uint8_t *out = malloc(T_BIG), *in = malloc(T_BIG + 16);
	struct orb_stat st;
	long fd;
	size_t bad = 0;

	T_CHECK(out && in, "malloc 2 x 100 KiB");
	if (!out || !in)
		return;
	for (size_t i = 0; i < T_BIG; i++)
		out[i] = t_pattern(0x42, i);
	fd = vfs_open("/tmp/big.bin", O_RDWR | O_CREAT | O_TRUNC);
	T_OK("create /tmp/big.bin", fd);
	T_EQ("write 100 KiB in one call (2 trips through the 64 KiB buffer)",
	     vfs_write((int)fd, out, T_BIG), T_BIG);
	T_ERR("fstat", vfs_fstat((int)fd, &st), 0);
	T_EQ("size", st.size, T_BIG);
	T_EQ("seek 0", vfs_seek((int)fd, 0, VFS_SEEK_SET), 0);
	memset(in, 0, T_BIG + 16);
	T_EQ("read it back asking for more than there is", vfs_read((int)fd, in, T_BIG + 16),
	     T_BIG);
	for (size_t i = 0; i < T_BIG; i++)
		bad += in[i] != out[i];
	T_EQ("100 KiB: bytes that differ", bad, 0);
	/* 20 KiB from an offset straddling the 64 KiB boundary of the first trip. */
	T_EQ("seek 60000", vfs_seek((int)fd, 60000, VFS_SEEK_SET), 60000);
	T_EQ("read 20 KiB", vfs_read((int)fd, in, 20480), 20480);
	T_CHECK(memcmp(in, out + 60000, 20480) == 0, "the 20 KiB match");
	vfs_close((int)fd);
	free(out);
	free(in);
}
