# Host tests of the line discipline (user/lib/ldisc.c): echo, erase, kill,
# interrupt, end of input, the line-length limit and Enter as "\r", "\n" or "\r\n".
HOST_TESTS += ldisc

ldisc_SRCS   := user/lib/ldisc.c
ldisc_CFLAGS := -idirafter user/lib/include

$(BUILD)/host/test_ldisc: user/lib/include/orb/ldisc.h
