/*
 * The start-up table: which services init starts, in this order, from which
 * program, with which capabilities (start capability i is caps[i]) and
 * arguments. docs/services.md explains each row; keep the two in step.
 *
 * Every service gets exactly what its row lists, and the same again when it
 * is restarted. Endpoints are init's: it creates one per service that has
 * `endpoint`, keeps the original (so clients queued on it are served by the
 * next instance after a crash) and registers it with the name server on the
 * service's behalf when `publish` is set.
 */
#include <orb/proto/console.h>
#include <orb/proto/kbd.h>
#include "init.h"

#define INIT_KBD_IRQ 1

/* One start capability of each kind. */
/* clang-format off */
#define CAP(k)              {.kind = (k)}
#define CAP_IO(base, count) {.kind = INIT_CAP_IOPORTS, .a = (base), .b = (count)}
#define CAP_IRQ(line)       {.kind = INIT_CAP_IRQ, .a = (line)}
#define CAP_EP_OF(svc, bdg) {.kind = INIT_CAP_EP_OF, .of = (svc), .badge = (bdg)}
#define CAP_EP_OF_R(svc, bdg, rights) \
	{.kind = INIT_CAP_EP_OF, .a = (rights), .of = (svc), .badge = (bdg)}
/* clang-format on */

const struct init_svc_def init_table[] = {
    /* The name server: its endpoint to receive on, and unbadged to make client capabilities
     * from; argv[1] = its instance number (client-id range); the names init publishes
     * (argv[2]) and their endpoints, reserved from its first request on. */
    {.name = "ns",
     .program = "ns",
     .endpoint = true,
     .caps = {CAP(INIT_CAP_OWN_RECV), CAP(INIT_CAP_OWN_SEND), CAP(INIT_CAP_PUBLISHED)},
     .args = {INIT_ARG_INSTANCE, INIT_ARG_PUBLISHED}},
    /* The file system: its endpoint and the boot archive (argv[1] = its size). */
    {.name = "vfs",
     .program = "vfs",
     .endpoint = true,
     .publish = true,
     .caps = {CAP(INIT_CAP_OWN_RECV), CAP(INIT_CAP_BOOTFS)},
     .args = {INIT_ARG_BOOTFS_SIZE}},
    /* The console (<orb/proto/console.h>): its endpoint unbadged with every right (its
     * interrupt thread calls the main loop), COM1 and its interrupt line, the screen (left
     * out if there is none; argv[1] describes it), the CRT controller's ports (the
     * hardware cursor) and the kernel log it draws. No name-service capability: init
     * registers it. */
    {.name = "console",
     .program = "console",
     .endpoint = true,
     .publish = true,
     .caps = {CAP(INIT_CAP_OWN_ALL), CAP_IO(CON_COM1_BASE, CON_COM1_COUNT), CAP_IRQ(CON_COM1_IRQ),
	      CAP(INIT_CAP_SCREEN), CAP_IO(CON_CRT_BASE, CON_CRT_COUNT), CAP(INIT_CAP_LOG)},
     .args = {INIT_ARG_SCREEN}},
    /* The PS/2 keyboard driver (<orb/proto/kbd.h>): ports 0x60-0x64, IRQ 1, and the
     * console's endpoint to send key events to, badged CON_BADGE_KBD. On a machine
     * without an i8042 it exits with KBD_EXIT_NODEV and is left "absent". */
    {.name = "kbd",
     .program = "kbd",
     .absent_status = KBD_EXIT_NODEV,
     .caps = {CAP_IO(KBD_PORT_BASE, KBD_PORT_COUNT), CAP_IRQ(INIT_KBD_IRQ),
	      CAP_EP_OF("console", CON_BADGE_KBD)}},
    /* The shell (the user's authority): the name service (it looks up "vfs"), init's
     * administrator capability (for ps, kill, halt, reboot), the terminal (the console
     * badged CON_BADGE_TTY: reading lines, the foreground) and the kernel log (dmesg). */
    {.name = "sh",
     .program = "sh",
     .interactive = true,
     .caps = {CAP(INIT_CAP_NS), CAP(INIT_CAP_ADMIN),
	      CAP_EP_OF_R("console", CON_BADGE_TTY, CAP_RIGHT_GRANT), CAP(INIT_CAP_LOG)}},
};

const unsigned init_table_len = sizeof(init_table) / sizeof(init_table[0]);
