/*
 * The keyboard protocol: the messages the PS/2 keyboard driver
 * (user/bin/kbd.c) sends to its consumer (the console server, or a test).
 *
 * Start-up. The driver's spawner gives it three start capabilities, in order:
 *   [KBD_CAP_IOPORTS]  IoPorts [MANAGE] for ports 0x60..0x64 (made with
 *                      SYS_IOPORT_SUB(ioports, 0x60, 5)); any other port it
 *                      touched would fault and kill it
 *   [KBD_CAP_IRQ]      the IRQ capability of ISA line 1 [RECV, MANAGE]
 *   [KBD_CAP_EP]       an Endpoint [SEND] to the consumer; give it a badge so
 *                      the consumer can tell the keyboard from its clients
 * Anything else is refused at start-up: the driver logs why and exits with
 * status KBD_EXIT_BADCAPS. No controller at all (its status port reads
 * 0xff, as a port with nothing behind it does), or one that does not answer
 * its commands, is KBD_EXIT_NODEV: the device is absent, and a spawner
 * should not start the driver again (init records the service as "absent").
 *
 * Messages (one direction: driver -> consumer, never a reply expected):
 *   KBD_MSG_READY  1 word: w0 = KBD_PROTO_VERSION. Sent once, when the
 *                  controller is set up and IRQ 1 is bound: keys pressed from
 *                  then on are delivered.
 *   KBD_MSG_KEY    3 words: w0 = the key, as <orb/keymap.h> returns it (a
 *                  character 1..255, Ctrl-C = 3, Enter = '\n', or a KEYMAP_*
 *                  key code >= 0x100 such as KEYMAP_UP); w1 = the KEYMAP_MOD_*
 *                  modifiers in effect when it was pressed; w2 = how many key
 *                  events the driver had to drop just before this one (0
 *                  normally).
 * Key releases and modifier keys alone produce no message. Trust: a consumer
 * should accept these labels only with the badge it gave the driver's
 * endpoint capability, and treat w0 as data (any value may come from a
 * faulty driver; <orb/ldisc.h> ignores what it does not know).
 *
 * Delivery: the driver sends with SYS_NB_SEND only, so it never blocks on its
 * consumer. A message is delivered when the consumer is waiting in SYS_RECV
 * (or SYS_REPLY_RECV) on the endpoint; until then the driver keeps events in
 * a queue of KBD_QUEUE_LEN and tries again every KBD_RETRY_MS milliseconds
 * (every KBD_RETRY_SLOW_MS after a second without success), in order. After
 * each delivery it yields the CPU once before the next, so a consumer that
 * goes straight back to receiving takes a burst without waiting. When
 * the queue is full, new events are dropped and counted (w2 of the next
 * message that gets through). A consumer therefore loses nothing as long as
 * it comes back to receive within the queue's worth of key presses, and a
 * stuck consumer cannot stall the driver or the interrupt line.
 */
#ifndef ORB_PROTO_KBD_H
#define ORB_PROTO_KBD_H

#define KBD_PROTO_VERSION 1u

/* Message labels (IPC_TAG_LABEL): 'kb' in the top half, apart from other protocols' small
 * numbers, so a server can receive keys and client calls on one endpoint. */
#define KBD_MSG_READY 0x6b620001u
#define KBD_MSG_KEY   0x6b620002u

#define KBD_READY_WORDS 1
#define KBD_KEY_WORDS	3

/* Start capabilities (orb_start_cap(i) in the driver). */
#define KBD_CAP_IOPORTS 0
#define KBD_CAP_IRQ	1
#define KBD_CAP_EP	2
#define KBD_NCAPS	3

/* The ports the driver needs: data 0x60, status/command 0x64. */
#define KBD_PORT_BASE  0x60
#define KBD_PORT_COUNT 5

/* Delivery (see above). */
#define KBD_QUEUE_LEN	  128
#define KBD_RETRY_MS	  10
#define KBD_RETRY_SLOW_MS 200

/* Exit statuses of the driver. */
#define KBD_EXIT_BADCAPS 2
#define KBD_EXIT_NODEV	 3 /* no i8042 controller: do not restart */
#define KBD_EXIT_KERNEL	 4 /* a system call on its own capabilities failed */

#endif
