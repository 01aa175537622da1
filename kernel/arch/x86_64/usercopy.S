/*
 * Copies between kernel and user memory that may fault.
 *
 *   int arch_copy_from_user(void *dst, const void *usrc, size_t n);
 *   int arch_copy_to_user(void *udst, const void *src, size_t n);
 *
 * The caller (mm/usercopy.h) has already checked that the user range lies
 * in the lower half; what it cannot know is whether every page is mapped with
 * the needed rights. So the copy arms the probe recovery point (as probe.S
 * does, interrupts off, per CPU through GS): a #PF or #GP during the copy
 * resumes at label 9 and the function returns -ERR_FAULT. With SMAP on, user
 * pages are reachable only between stac and clac; `usercopy_smap` says
 * whether those instructions exist on this CPU.
 */
#include "probe_asm.h"
#include <orbital/errors.h>

	.text
	.globl arch_copy_from_user
	.globl arch_copy_to_user
arch_copy_from_user:
arch_copy_to_user:
	arm 9f
	cmpb $0, usercopy_smap(%rip)
	je 1f
	stac			/* SMAP: user pages reachable until clac */
1:	movq %rdx, %rcx
	rep movsb
	xorl %eax, %eax
	jmp 8f
9:	movl $-ERR_FAULT, %eax
8:	cmpb $0, usercopy_smap(%rip)
	je 2f
	clac
2:	movq $0, PROBE_ACTIVE
	popfq
	ret

	.data
	.globl usercopy_smap
usercopy_smap:
	.byte 0
