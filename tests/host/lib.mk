# Host tests of the kernel's text output library: the printf engine, the PSF
# font parser and the framebuffer console. test_psf and test_fbcon read the
# real console fonts from Debian's kbd package (gunzipped with zlib).
HOST_TESTS += format psf fbcon

format_SRCS :=  kernel/lib/format.c

psf_SRCS    := kernel/lib/psf.c
psf_LDLIBS  := -lz

fbcon_SRCS   := kernel/lib/fbcon.c kernel/lib/psf.c
fbcon_LDLIBS := -lz
