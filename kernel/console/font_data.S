/*
 * The console font (PSF) for framebuffer consoles, embedded at build time
 * from Debian's kbd package (see mk/kernel.mk).
 */
	.section .rodata
	.balign 16
	.globl font_psf_start, font_psf_end
font_psf_start:
	.incbin FONT_PSF_PATH
font_psf_end:
