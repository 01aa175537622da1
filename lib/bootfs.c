/*
 * The boot archive parser (cpio "newc"); see bootfs.h for the format, the
 * checks and the guarantees. Every read of the archive goes through
 * bootfs_next(), which proves the bytes it reads are inside [base, base+size)
 * first: that is the only trust boundary in this file.
 */
#include "lib/bootfs.h"
#include "lib/format.h"
#include "lib/string.h"

#define BOOTFS_FIELDS	 13
#define BOOTFS_F_MODE	 1
#define BOOTFS_F_SIZE	 6
#define BOOTFS_F_NAMESZ	 11
#define BOOTFS_MAGIC_LEN 6

static const char bootfs_trailer[] = "TRAILER!!!";

void bootfs_iter_init(struct bootfs_iter *it, const void *base, size_t size)
{
	it->base = base;
	it->size = base ? size : 0;
	it->pos = 0;
	it->state = 0;
}

const char *bootfs_strip(const char *path)
{
	for (;;) {
		if (path[0] == '.' && path[1] == '/')
			path += 2;
		else if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == 0)
			path++;
		else
			return path;
	}
}

/* Eight hex digits at p (inside the archive, checked by the caller) into *out. */
static bool bootfs_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Rounds an offset up to 4; returns false if that overflows. */
static bool bootfs_pad4(size_t off, size_t *out)
{
	if (off > SIZE_MAX - 3)
		return false;
	*out = (off + 3) & ~(size_t)3;
	return true;
}

static int bootfs_fail(struct bootfs_iter *it, char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		ksnprintf(err, errlen, "bootfs: %s (entry at offset 0x%lx)", what,
			  (unsigned long)it->pos);
	it->state = -ERR_FORMAT; /* every later call fails too */
	return -ERR_FORMAT;
}

/* The header at it->pos: inside the archive, the magic, the fields in hex. */
static int bootfs_header(struct bootfs_iter *it, uint32_t f[BOOTFS_FIELDS], char *err,
			 size_t errlen)
{
	size_t pos = it->pos;
	if (pos > it->size || it->size - pos < BOOTFS_HEADER_SIZE)
		return bootfs_fail(it, err, errlen,
				   pos == it->size ? "no trailer (truncated archive?)"
						   : "header truncated");
	const uint8_t *h = it->base + pos;
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return bootfs_fail(it, err, errlen, "bad magic (not a cpio newc archive)");
	for (int i = 0; i < BOOTFS_FIELDS; i++)
		if (!bootfs_hex8(h + BOOTFS_MAGIC_LEN + 8 * i, &f[i]))
			return bootfs_fail(it, err, errlen, "header field is not 8 hex digits");
	return 0;
}

int bootfs_next(struct bootfs_iter *it, struct bootfs_entry *e, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	if (it->state == 1)
		return 0;
	if (it->state < 0) {
		if (err && errlen)
			ksnprintf(err, errlen, "bootfs: malformed archive");
		return it->state;
	}
	if (it->base == NULL)
		return bootfs_fail(it, err, errlen, "no archive");
	uint32_t f[BOOTFS_FIELDS];
	int rc = bootfs_header(it, f, err, errlen);
	if (rc)
		return rc;

	/* The name: namesize bytes including the NUL, then padding, all inside. */
	uint32_t namesz = f[BOOTFS_F_NAMESZ];
	if (namesz == 0 || namesz > BOOTFS_NAME_MAX)
		return bootfs_fail(it, err, errlen, "bad name size");
	size_t name_off = it->pos + BOOTFS_HEADER_SIZE; /* <= size, checked above */
	if (it->size - name_off < namesz)
		return bootfs_fail(it, err, errlen, "name runs past the end of the archive");
	const char *name = (const char *)(it->base + name_off);
	if (name[namesz - 1] != 0 || memchr(name, 0, namesz - 1) != NULL)
		return bootfs_fail(it, err, errlen, "name is not NUL-terminated at its size");
	/* The trailer ends the archive; its padding may be cut off. */
	if (strcmp(name, bootfs_trailer) == 0) {
		it->state = 1;
		return 0;
	}
	size_t data_off;
	if (!bootfs_pad4(name_off + namesz, &data_off) || data_off > it->size)
		return bootfs_fail(it, err, errlen, "name padding runs past the end");

	/* The data: filesize bytes inside; the next header at the next multiple of 4. */
	uint32_t filesz = f[BOOTFS_F_SIZE];
	if (it->size - data_off < filesz)
		return bootfs_fail(it, err, errlen, "file data runs past the end of the archive");
	size_t next;
	if (!bootfs_pad4(data_off + filesz, &next))
		return bootfs_fail(it, err, errlen, "file size overflows");

	e->name = bootfs_strip(name);
	e->name_len = strlen(e->name); /* the NUL is inside, checked above */
	e->data = it->base + data_off;
	e->size = filesz;
	e->mode = f[BOOTFS_F_MODE];
	/* A next position past the end is caught by the next call ("no trailer"). */
	it->pos = next > it->size ? it->size : next;
	return 1;
}

int bootfs_find(const void *base, size_t size, const char *path, struct bootfs_entry *out,
		char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	path = bootfs_strip(path);
	if (path[0] == 0)
		return -ERR_INVAL;
	struct bootfs_iter it;
	struct bootfs_entry e;
	int rc;
	bootfs_iter_init(&it, base, size);
	while ((rc = bootfs_next(&it, &e, err, errlen)) > 0) {
		if ((e.mode & BOOTFS_TYPE_MASK) == BOOTFS_TYPE_FILE && strcmp(e.name, path) == 0) {
			*out = e;
			return 0;
		}
	}
	return rc < 0 ? rc : -ERR_NOENT;
}

long bootfs_count(const void *base, size_t size, char *err, size_t errlen)
{
	struct bootfs_iter it;
	struct bootfs_entry e;
	long n = 0;
	int rc;
	bootfs_iter_init(&it, base, size);
	while ((rc = bootfs_next(&it, &e, err, errlen)) > 0)
		n++;
	return rc < 0 ? rc : n;
}
