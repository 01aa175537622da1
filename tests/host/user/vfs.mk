# Host tests of the VFS server's portable parts (user/bin/vfs): the RAM file
# system and the name space (canonical paths, the mount table). The protocol
# header comes from user/lib/include (after the C library's own headers).
HOST_TESTS += vfs_ramfs vfs_mount

VFS_HOST_CFLAGS := -Iuser/bin/vfs -idirafter user/lib/include

vfs_ramfs_SRCS   := user/bin/vfs/ramfs.c
vfs_ramfs_CFLAGS := $(VFS_HOST_CFLAGS)

vfs_mount_SRCS   := user/bin/vfs/vfs_mount.c user/bin/vfs/ramfs.c
vfs_mount_CFLAGS := $(VFS_HOST_CFLAGS)

$(BUILD)/host/test_vfs_ramfs: user/bin/vfs/ramfs.h user/bin/vfs/vfs_backend.h \
	user/lib/include/orb/proto/vfs.h
$(BUILD)/host/test_vfs_mount: user/bin/vfs/vfs_mount.h user/bin/vfs/ramfs.h \
	user/bin/vfs/vfs_backend.h user/lib/include/orb/proto/vfs.h
