/*
 * boot-marker: a tiny static program for Linux guests of orbvm that writes
 * the boot-time marker (byte 123 to I/O port 0x3F0, vmm/devices/debug_port.h)
 * so that `orbvm --boot-time` reports when the guest got this far. Put it
 * in the initramfs and run it from /init at the point to be measured.
 * (Debian's cloud kernel has no /dev/port, hence a program.) Needs root
 * (CAP_SYS_RAWIO) and a kernel not in lockdown mode.
 */
#include <stdio.h>
#include <sys/io.h>

#define ORBVM_MARKER_PORT  0x3f0
#define ORBVM_MARKER_VALUE 123

int main(void)
{
	/* Trust boundary: ioperm grants this process access to exactly one port. */
	if (ioperm(ORBVM_MARKER_PORT, 1, 1) != 0) {
		perror("boot-marker: ioperm");
		return 1;
	}
	outb(ORBVM_MARKER_VALUE, ORBVM_MARKER_PORT);
	return 0;
}
