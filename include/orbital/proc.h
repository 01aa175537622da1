/*
 * Process start-up: the user address-space layout and what the kernel hands
 * to init. Shared by the kernel and user space.
 *
 * Every process runs in the lower half, [ORB_USER_MIN, ORB_USER_TOP). Programs
 * are linked at ORB_USER_LINK. The kernel starts init itself: it loads
 * /bin/init (or the program named by `init=` on the kernel command line) from
 * the boot archive, maps a stack below ORB_STACK_TOP, maps the archive
 * read-only at ORB_BOOTFS_BASE and a read-only page holding struct
 * orb_init_info at ORB_INIT_INFO, and starts the first thread at the ELF entry
 * with rdi = ORB_INIT_INFO. Every other process is created by a user process
 * (SYS_PROC_CREATE ...), which chooses its layout, arguments and capabilities.
 */
#ifndef ORBITAL_PROC_H
#define ORBITAL_PROC_H

#include <stdint.h>
#include <orbital/caps.h>

#define ORB_USER_MIN	0x10000ull
#define ORB_USER_TOP	0x0000800000000000ull
#define ORB_USER_LINK	0x400000ull	      /* where user programs are linked */
#define ORB_STACK_TOP	0x00007ffffff00000ull /* init's stack grows down from here */
#define ORB_STACK_SIZE	(256ull * 1024)	      /* init's stack */
#define ORB_BOOTFS_BASE 0x0000100000000000ull /* the boot archive in init */
#define ORB_INIT_INFO	0x00000ffffff00000ull /* struct orb_init_info in init */

#define ORB_INIT_MAGIC 0x4f52424954494e49ull /* "ORBITINI" */

/* The screen (struct orb_init_info.screen_info). */
#define ORB_SCREEN_NONE 0
#define ORB_SCREEN_TEXT 1 /* VGA text: width x height cells of 2 bytes (char, attribute) */
#define ORB_SCREEN_RGB	2 /* linear framebuffer: pitch bytes per line, bpp bits per pixel */

struct orb_screen_info {
	uint32_t type; /* ORB_SCREEN_* */
	uint32_t width, height, pitch, bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size, pad[2];
};

/* Given to init (read-only). Handles are in init's cspace. */
struct orb_init_info {
	uint64_t magic;		  /* ORB_INIT_MAGIC */
	cap_handle_t self;	  /* init's own Process [all rights] */
	cap_handle_t self_thread; /* init's first Thread [all rights] */
	cap_handle_t bootfs;	  /* Memory [READ, MAP]: the boot archive (cpio, newc format) */
	cap_handle_t irq[16];	  /* IRQ capabilities for ISA lines 0..15 (0 if absent) */
	cap_handle_t ioports;	  /* IoPorts [all rights] for ports 0..0xffff */
	cap_handle_t log;	  /* the Log [READ]: the authority to read the kernel log */
	uint64_t bootfs_vaddr;	  /* where the archive is mapped in init */
	uint64_t bootfs_size;	  /* its size in bytes */
	uint32_t ncpus;
	cap_handle_t screen;		    /* Memory [READ, WRITE, MAP] of the screen (0: none);
					       mapped uncached; SYS_SCREEN_TAKE hands it over */
	struct orb_screen_info screen_info; /* what it is */
	char cmdline[256];		    /* the kernel command line, NUL-terminated */
};

#endif
