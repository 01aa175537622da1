# Host tests of the PS/2 scan-code set 1 to US keymap decoder (user/lib/keymap.c),
# the translation the ring-3 keyboard driver (user/bin/kbd.c) runs on every byte.
HOST_TESTS += keymap

keymap_SRCS   := user/lib/keymap.c
keymap_CFLAGS := -idirafter user/lib/include

$(BUILD)/host/test_keymap: user/lib/include/orb/keymap.h
