/*
 * orbvm's command line: the options a user gives and the checks that can be
 * made on them without touching any file or /dev/kvm.
 *
 * config_parse() fills a struct config from argv. It has no side effects
 * besides err_set() (no printing, no exit), so tests drive it directly.
 * Invariant after a successful CONFIG_RUN: exactly one of kernel_path and
 * realmode_path is set, mem_size is a multiple of 1 MiB within
 * [CONFIG_MEM_MIN, CONFIG_MEM_MAX], 1 <= cpus <= CONFIG_MAX_CPUS (1 for
 * --real-mode), num_disks <= CONFIG_MAX_DISKS
 * and each disk has a non-empty path, num_modules <= CONFIG_MAX_MODULES
 * with non-empty paths and only with --kernel, debug_exit_port + 3 fits
 * in the 16-bit port space, and irqchip is CONFIG_IRQCHIP_KERNEL unless
 * --irqchip split was given with --kernel.
 */
#ifndef ORBVM_CONFIG_H
#define ORBVM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_MEM_MIN		(16ull << 20)
#define CONFIG_MEM_MAX		(256ull << 30)
#define CONFIG_MEM_DEFAULT	(256ull << 20) /* Linux guests */
#define CONFIG_MEM_DEFAULT_REAL (16ull << 20)  /* --real-mode guests */

#define CONFIG_MAX_DISKS   4
#define CONFIG_MAX_MODULES 16
#define CONFIG_PATH_MAX	   1024
#define CONFIG_MAX_CPUS	   64 /* x86/topology.h CPU_TOPO_MAX_CPUS */

/* One --module PATH[,CMDLINE]: a boot module for a PVH or Multiboot kernel. */
struct config_module {
	char path[CONFIG_PATH_MAX];
	const char *cmdline; /* the text after the first comma (inside argv), or "" */
};

/* One --disk PATH[,ro][,cache=unsafe][,notify=exit][,io=sync]. */
struct config_disk {
	char path[CONFIG_PATH_MAX];
	bool read_only;	  /* ,ro: opened O_RDONLY, VIRTIO_BLK_F_RO */
	bool unsafe;	  /* ,cache=unsafe: FLUSH does not fdatasync */
	bool notify_exit; /* ,notify=exit: no ioeventfd/I/O thread; MMIO exits */
	bool io_sync;	  /* ,io=sync: preadv/pwritev one request at a time, no io_uring */
};

/* --irqchip: where the I/O APIC and the legacy PIC/PIT live (vm.h). */
enum config_irqchip {
	CONFIG_IRQCHIP_KERNEL = 0, /* KVM's irqchip and PIT (the default) */
	CONFIG_IRQCHIP_SPLIT = 1,  /* LAPICs in KVM, orbvm's I/O APIC, no PIC/PIT */
};

struct config {
	const char *kernel_path;   /* --kernel: a bzImage */
	const char *initrd_path;   /* --initrd: optional */
	const char *cmdline;	   /* --cmdline: "" when absent */
	const char *realmode_path; /* --real-mode: a flat 16-bit binary */
	uint64_t mem_size;	   /* --mem, bytes */
	unsigned cpus;		   /* --cpus, 1..CONFIG_MAX_CPUS */
	bool pin;		   /* --pin: vCPU i on host CPU i mod ncpus */
	bool boot_time;		   /* --boot-time: print boot-time markers at exit */
	unsigned num_disks;	   /* --disk, in order: /dev/vda, /dev/vdb, ... */
	struct config_disk disks[CONFIG_MAX_DISKS];
	unsigned num_modules; /* --module, in order, after the --initrd module */
	struct config_module modules[CONFIG_MAX_MODULES];
	bool debug_exit;	     /* --debug-exit PORT given */
	uint16_t debug_exit_port;    /* its first port (PORT..PORT+3) */
	enum config_irqchip irqchip; /* --irqchip split|kernel */
};

enum config_action {
	CONFIG_RUN = 0,	    /* start a VM */
	CONFIG_HELP = 1,    /* print the usage text, exit 0 */
	CONFIG_VERSION = 2, /* print the version, exit 0 */
};

/*
 * Parses argv[1..argc-1]. Returns a config_action, or -ERR_INVAL with a
 * one-line message in err_msg() for any usage error.
 */
int config_parse(int argc, char *const argv[], struct config *cfg);

/*
 * Parses a size such as "512M", "2G", "65536K" or "300" (no suffix: MiB, as
 * in QEMU's -m) into bytes. Returns 0 or -ERR_INVAL (also on overflow).
 */
int config_parse_size(const char *s, uint64_t *out);

/*
 * Parses one --disk value "PATH[,ro][,cache=unsafe][,notify=exit][,io=sync]"
 * (options in any order; the defaults cache=writeback, notify=ioeventfd and
 * io=uring are also accepted). Returns 0 or
 * -ERR_INVAL with a one-line message.
 */
int config_parse_disk(const char *s, struct config_disk *d);

/* Parses one --module value "PATH[,CMDLINE]" (the command line may hold
 * commas). Returns 0 or -ERR_INVAL with a one-line message. */
int config_parse_module(const char *s, struct config_module *m);

/* The usage text printed by --help. */
extern const char config_usage[];

#endif
