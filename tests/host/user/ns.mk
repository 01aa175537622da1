# Host tests of the name server's table (user/bin/ns/ns_table.c): names,
# ownership, replacement, a full table. The protocol header comes from
# user/lib/include (after the C library's own headers).
HOST_TESTS += ns

ns_SRCS   := user/bin/ns/ns_table.c
ns_CFLAGS := -Iuser/bin/ns -idirafter user/lib/include

$(BUILD)/host/test_ns: user/bin/ns/ns_table.h user/lib/include/orb/proto/ns.h
