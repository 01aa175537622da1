/*
 * The i8042 PS/2 controller of a PC (data port 0x60, status/command port
 * 0x64) with a keyboard on its first port and a mouse on its second (ps2.h),
 * neither of which ever produces input: keyboard input stays on the serial
 * console. The controller is here so that a guest finds what every PC and
 * QEMU's `pc` and `q35` have, and so that its reset line reboots the VM.
 *
 * Status register (read 0x64): bit 0 output buffer full, bit 1 input buffer
 * full (always clear: every write is taken at once), bit 2 system flag (the
 * command byte's), bit 3 the last write was a command, bit 4 keyboard not
 * inhibited (always set), bit 5 the waiting byte is the mouse's.
 *
 * Command byte (controller RAM byte 0; read with 0x20, written with 0x60 and
 * a data byte): bit 0 keyboard interrupt, bit 1 mouse interrupt, bit 2
 * system flag, bit 4 keyboard port disabled, bit 5 mouse port disabled, bit
 * 6 translation (the keyboard's set 2 bytes arrive as set 1). At start it is
 * 0x65, as a BIOS leaves it: keyboard interrupt, system flag, mouse port
 * off, translation on. 0x21..0x3F / 0x61..0x7F read and write the other 31
 * bytes of RAM.
 *
 * Commands (write 0x64): 0xAA self test -> 0x55; 0xAB keyboard port test and
 * 0xA9 mouse port test -> 0x00; 0xAD / 0xAE keyboard port off / on; 0xA7 /
 * 0xA8 mouse port off / on; 0xC0 read input port -> 0x00; 0xD0 read output
 * port; 0xD1 write output port (next data byte; bit 0 clear pulses the reset
 * line, bit 1 is A20, which KVM always leaves enabled); 0xD2 / 0xD3 put the
 * next data byte in the output buffer as if the keyboard / the mouse sent it
 * (0xD3 is the mouse loopback Linux uses to test IRQ 12); 0xD4 send the next
 * data byte to the mouse; 0xDD / 0xDF A20 off / on (recorded only); 0xF0..0xFF
 * pulse output lines: an even command (bit 0 clear, e.g. 0xFE) pulses reset,
 * which ends orbvm with VMM_STATUS_REBOOT. Other commands are ignored. A data
 * byte written with no command waiting goes to the keyboard (and, as on the
 * AT's controller, enables the keyboard port).
 *
 * Output: the controller's own answers (and 0xD2/0xD3 bytes) first, then a
 * keyboard byte if the keyboard port is on, then a mouse byte if the mouse
 * port is on, one at a time through the one-byte output buffer; a keyboard
 * byte is translated on its way when bit 6 is set. Every queue is bounded
 * (I8042_REPLY_QUEUE, PS2_QUEUE_SIZE): what does not fit is dropped.
 *
 * Interrupts: IRQ 1 is high while the output buffer holds a keyboard (or
 * controller) byte and the keyboard interrupt is enabled, IRQ 12 while it
 * holds a mouse byte and the mouse interrupt is enabled; reading port 0x60
 * lowers the line before the next byte is loaded, so each byte is a new edge
 * (the ISA lines are edge-triggered). The irq callback is told each change.
 *
 * Locking: any vCPU thread may access the ports at once; `lock` guards
 * everything below it, and the irq callback runs with it held (it must not
 * call back in). The stop request is atomic (stop.h).
 */
#ifndef ORBVM_I8042_H
#define ORBVM_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ps2.h"
#include "stop.h"

#define I8042_DATA_PORT	   0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET	   0xfe
#define I8042_KBD_IRQ	   1
#define I8042_AUX_IRQ	   12

/* Status register bits. */
#define I8042_STR_OBF	   0x01
#define I8042_STR_IBF	   0x02
#define I8042_STR_SYS	   0x04
#define I8042_STR_CMD	   0x08
#define I8042_STR_UNLOCKED 0x10
#define I8042_STR_AUXDATA  0x20

/* Command byte bits. */
#define I8042_CTR_KBDINT 0x01
#define I8042_CTR_AUXINT 0x02
#define I8042_CTR_SYS	 0x04
#define I8042_CTR_KBDDIS 0x10
#define I8042_CTR_AUXDIS 0x20
#define I8042_CTR_XLATE	 0x40
#define I8042_CTR_START	 (I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_AUXDIS | I8042_CTR_XLATE)

#define I8042_RAM_SIZE	  32
#define I8042_REPLY_QUEUE 16

/* Where a byte in the output buffer came from. */
enum i8042_src { I8042_SRC_CTRL, I8042_SRC_KBD, I8042_SRC_AUX };

struct i8042 {
	pthread_mutex_t lock;
	/* Guarded by lock. */
	uint8_t ram[I8042_RAM_SIZE]; /* ram[0]: the command byte */
	uint8_t pending;	     /* command waiting for its data byte, or 0 */
	uint8_t out;		     /* the output buffer (the last byte, once read) */
	bool out_full;
	enum i8042_src out_src;
	bool last_was_cmd;
	uint8_t outport; /* bit 0 reset (1 = running), bit 1 A20 */
	struct {
		uint8_t byte;
		uint8_t src; /* enum i8042_src */
	} reply[I8042_REPLY_QUEUE];
	unsigned reply_head, reply_count;
	struct ps2_kbd kbd;
	struct ps2_mouse mouse;
	bool irq_level[2]; /* IRQ 1, IRQ 12 as last told */
	/* Fixed at init. */
	struct vmm_stop *stop;
	void (*irq)(void *ctx, unsigned irq, bool level); /* NULL: no interrupt controller */
	void *irq_ctx;
};

void i8042_init(struct i8042 *k, struct vmm_stop *stop, void (*irq)(void *, unsigned, bool),
		void *irq_ctx);
void i8042_destroy(struct i8042 *k);
/* Bus handler for one port; register it for 0x60 and for 0x64 (offset 0 each). */
void i8042_data_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
void i8042_command_io(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
