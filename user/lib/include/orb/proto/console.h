/*
 * The console protocol (user/bin/console/): text in and out for every
 * program, through one server that owns the serial port and the screen.
 *
 * Clients find the console through the name service ("console") and hold an
 * Endpoint capability badged with their client id. Requests are calls; the
 * reply's w0 is the result (>= 0, or -ERR_*). Text travels in the message
 * words from w1 on (little-endian bytes), so one message carries at most
 * CON_MSG_BYTES bytes; <orb/console.h> splits longer writes.
 *
 *   CON_WRITE    w0 = n bytes at w1.. -> n. Shown on the serial port and the
 *                screen. -ERR_INVAL if n is larger than the words sent carry.
 *   CON_READLINE w0 = max bytes, 1 capability: the reader's own Process
 *                [READ] (<orb/console.h> sends it; -ERR_INVAL without) -> the
 *                length of the next line typed (without its newline), the
 *                bytes at w1.. (a longer line is cut to min(max,
 *                CON_MSG_BYTES) bytes); -ERR_AGAIN if Ctrl-C discarded it.
 *                Lines are edited by the console's line discipline (echo,
 *                backspace, Ctrl-U, Ctrl-C) from both the serial port and
 *                the PS/2 keyboard. Lines typed while nobody
 *                reads wait in a queue of CON_LINES_QUEUED (older ones are
 *                dropped when it is full). One reader at a time: a second
 *                concurrent reader gets -ERR_BUSY until the first is
 *                answered or its process dies (the console watches it with
 *                SYS_PROC_WATCH and then drops the saved reply). A reader
 *                whose call gave up while it lives still counts until the
 *                next line, which then waits in the queue.
 *   CON_SET_FG   1 capability: a Process [MANAGE] (or none, to clear): the
 *                program in the foreground; Ctrl-C typed while no read is
 *                pending kills it (and clears it). -> 0; -ERR_BADCAP if the
 *                capability is not a Process with MANAGE.
 * Capabilities sent with any other request are deleted unused.
 *
 * Who may do what. CON_WRITE is open to every client. CON_READLINE and
 * CON_SET_FG belong to the terminal's owner: they are served only through a
 * capability badged CON_BADGE_TTY (init gives one to the shell, nobody else)
 * and refused with -ERR_PERM for any other badge, so no program can read the
 * lines the user types for another, nor keep Ctrl-C from the program in the
 * foreground.
 *
 * The keyboard driver sends its key events (<orb/proto/kbd.h>) to the same
 * endpoint, badged CON_BADGE_KBD; key messages with any other
 * badge are refused (-ERR_PERM if called): a client cannot type for the user.
 *
 * Start-up (what init gives the console, orb_start_cap(i)). The capabilities
 * are told apart by their type (a spawner cannot leave holes, so optional
 * ones are simply absent); init gives them in the order listed:
 *   [0] Endpoint, unbadged, with RECV: the console's own endpoint. With SEND
 *       too, an interrupt thread wakes the server at once for each IRQ 4 (it
 *       calls the main loop through a copy badged CON_BADGE_SELF); with RECV
 *       only, the server polls the notification every CON_POLL_MS instead.
 *       With SEND and GRANT, and given [5], the console registers itself
 *       with the name service as CON_NS_NAME.
 *   [1] IoPorts [MANAGE] for 0x3f8..0x3ff, COM1 (SYS_IOPORT_SUB(io, 0x3f8, 8)):
 *       the first IoPorts capability.
 *   [2] the IRQ capability of ISA line 4 [RECV, MANAGE].
 *   [3] Memory [READ, WRITE, MAP] (optional): the screen
 *       (orb_init_info.screen), described by argv[1], either as
 *       "TYPE,WIDTH,HEIGHT,PITCH,BPP" (numbers; TYPE is ORB_SCREEN_*) or as
 *       "text:WxH", "rgb:WxH:PITCH:BPP" or "none". VGA text is taken over
 *       (SYS_SCREEN_TAKE); a framebuffer stays the kernel's, and client
 *       output reaches it through the kernel log; no argv[1] or type
 *       ORB_SCREEN_NONE: no screen.
 *   [4] IoPorts [MANAGE] for 0x3d4..0x3d5, the CRT controller (optional): the
 *       second IoPorts capability; the hardware cursor (none without it).
 *   [5] Endpoint without RECV, with SEND and GRANT (optional): the name
 *       service, the console's client capability. Init publishes the console
 *       itself and does not give it.
 *   [6] Log [READ] (optional): the authority to read the kernel log, which
 *       the console draws on a VGA text screen (not drawn without it).
 * The console exits with CON_EXIT_BADCAPS if a required capability is
 * missing or of the wrong type.
 *
 * The console server also shows the kernel log (SYS_LOG_READ) on a VGA text
 * screen, since the kernel stops drawing there once the server takes it over
 * (SYS_SCREEN_TAKE).
 */
#ifndef ORB_PROTO_CONSOLE_H
#define ORB_PROTO_CONSOLE_H

#include <orbital/ipc.h>

#define CON_WRITE    0x434f0001u
#define CON_READLINE 0x434f0002u
#define CON_SET_FG   0x434f0003u

#define CON_MSG_BYTES	 ((IPC_MAX_WORDS - 1) * 8) /* 504 */
#define CON_LINE_MAX	 256
#define CON_LINES_QUEUED 8

#define CON_NS_NAME "console"

#define CON_POLL_MS 20 /* the polling period with a RECV-only endpoint */

/* The ports and interrupt line the console's capabilities cover. */
#define CON_COM1_BASE  0x3f8
#define CON_COM1_COUNT 8
#define CON_COM1_IRQ   4
#define CON_CRT_BASE   0x3d4
#define CON_CRT_COUNT  2

/* Badges the console reserves on its endpoint: client ids stay below (NS_ID_LIMIT). */
#define CON_BADGE_RESERVED (1ull << 48)
#define CON_BADGE_KBD	   (CON_BADGE_RESERVED | 1) /* the keyboard driver's copy */
#define CON_BADGE_SELF	   (CON_BADGE_RESERVED | 2) /* the console's own interrupt thread */
#define CON_BADGE_TTY	   (CON_BADGE_RESERVED | 3) /* the terminal's owner: init gives it to sh */

#define CON_EXIT_BADCAPS 2

#endif
