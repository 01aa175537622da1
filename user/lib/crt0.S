/*
 * crt0: the first instructions of every process and of every thread the
 * library starts. The kernel enters both with rdi = the start argument (see
 * user/README.md) and rsp = the top of the stack it was given; nothing else
 * is set up (no thread pointer). Each entry clears the frame pointer (so
 * backtraces end here), aligns the stack to 16 bytes as the System V ABI
 * wants before a call, and calls C, which never returns.
 */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	ulib_start		/* rdi: ORB_INIT_INFO or a struct orb_start */
	ud2
	.size	_start, . - _start

	.globl	ulib_thread_entry
	.type	ulib_thread_entry, @function
ulib_thread_entry:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	ulib_thread_main	/* rdi: the thread's struct ulib_thread */
	ud2
	.size	ulib_thread_entry, . - ulib_thread_entry

	.section .note.GNU-stack, "", @progbits
