# Host tests of the kernel's console text (kernel/console/): the PSF font
# parser and the framebuffer console. Both read the real console fonts from
# Debian's kbd package (gunzipped with zlib).
HOST_TESTS += psf fbcon

psf_SRCS    := kernel/console/psf.c
psf_LDLIBS  := -lz

fbcon_SRCS   := kernel/console/fbcon.c kernel/console/psf.c
fbcon_LDLIBS := -lz
