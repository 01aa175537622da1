/*
 * Option parsing for orbvm; see config.h.
 *
 * Trust boundary: argv is user input. Every value is checked here (sizes,
 * ranges, combinations) and every problem becomes a one-line message; nothing
 * beyond this file re-validates option syntax. File contents are checked
 * later, where the files are read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"

const char config_usage[] =
    "usage: orbvm --kernel KERNEL [--initrd FILE] [--cmdline STRING] [OPTIONS]\n"
    "       orbvm --real-mode FLAT.BIN [OPTIONS]\n"
    "\n"
    "Runs a virtual machine on /dev/kvm with a 16550A serial console on this terminal.\n"
    "\n"
    "  --kernel PATH      kernel to boot: a Linux bzImage (64-bit entry), an ELF with a\n"
    "                     PVH note, a Multiboot2 or a Multiboot kernel\n"
    "  --initrd PATH      initial ramdisk (initramfs); the first module for PVH and\n"
    "                     Multiboot kernels\n"
    "  --module PATH[,CMDLINE]\n"
    "                     one more boot module with its command line (PVH and\n"
    "                     Multiboot kernels; repeatable, at most 16)\n"
    "  --cmdline STRING   kernel command line, e.g. 'console=ttyS0'\n"
    "  --real-mode PATH   flat 16-bit binary, loaded at 0x10000 and run from 1000:0000\n"
    "  --mem SIZE         guest RAM: 512M, 2G, ... (no suffix: MiB); default 256M\n"
    "                     (16M for --real-mode); 16M..256G, a multiple of 1M\n"
    "  --cpus N           number of vCPUs, 1..64 (default 1; more than 1 needs\n"
    "                     --kernel): vCPU 0 boots, the others wait for INIT/SIPI\n"
    "  --pin              run vCPU i's thread on host CPU i mod (number of CPUs)\n"
    "  --disk PATH[,ro][,cache=unsafe][,notify=exit][,io=sync]\n"
    "                     a raw disk image as a virtio-blk device (/dev/vda, /dev/vdb,\n"
    "                     ... in order; at most 4); ro: read-only (opened read-only,\n"
    "                     guest writes refused); cache=unsafe: flushes skip fdatasync;\n"
    "                     notify=exit: requests run on the vCPU at each MMIO exit\n"
    "                     instead of an I/O thread woken by an ioeventfd; io=sync:\n"
    "                     preadv/pwritev one request at a time instead of io_uring\n"
    "  --irqchip MODE     kernel (default): KVM's 8259s, I/O APIC and PIT; split: the\n"
    "                     local APICs in KVM, orbvm's own I/O APIC, no 8259 or PIT\n"
    "                     (needs --kernel)\n"
    "  --debug-exit PORT  a guest write of v to ports PORT..PORT+3 ends orbvm with\n"
    "                     status (v << 1) | 1, as QEMU's isa-debug-exit\n"
    "  --boot-time        at exit, print when the guest wrote the boot-time marker\n"
    "                     (byte 123 to I/O port 0x3f0)\n"
    "  --help             this text\n"
    "  --version          the version\n"
    "\n"
    "Console: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.\n"
    "Exit status: 0 guest powered off (or a --real-mode guest ran hlt), 1 error,\n"
    "  2 usage error, 3 guest reboot, 4 guest halted with nothing left to run,\n"
    "  5 quit with Ctrl-A x, 128+N killed by signal N; with --debug-exit, what the\n"
    "  guest wrote.\n";

int config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned shift = 20;
	if (!s || !isdigit((unsigned char)s[0]))
		return -ERR_INVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -ERR_INVAL;
	switch (*end) {
	case 0:
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		return -ERR_INVAL;
	}
	/* Accept an optional "B" or "iB" after the unit letter (512MiB, 2GB). */
	if (end[0] == 'i' && end[1] == 'B')
		end += 2;
	else if (end[0] == 'B')
		end++;
	if (*end)
		return -ERR_INVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERR_INVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int config_parse_disk(const char *s, struct config_disk *d)
{
	memset(d, 0, sizeof(*d));
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s);
	if (n == 0)
		return err_set(ERR_INVAL, "--disk '%s': empty file name", s);
	if (n >= sizeof(d->path))
		return err_set(ERR_INVAL, "--disk: file name longer than %zu bytes",
			       sizeof(d->path) - 1);
	memcpy(d->path, s, n);
	d->path[n] = 0;
	while (comma) {
		const char *opt = comma + 1;
		comma = strchr(opt, ',');
		size_t len = comma ? (size_t)(comma - opt) : strlen(opt);
		if (len == 2 && !strncmp(opt, "ro", 2))
			d->read_only = true;
		else if (len == 12 && !strncmp(opt, "cache=unsafe", 12))
			d->unsafe = true;
		else if (len == 15 && !strncmp(opt, "cache=writeback", 15))
			d->unsafe = false;
		else if (len == 11 && !strncmp(opt, "notify=exit", 11))
			d->notify_exit = true;
		else if (len == 16 && !strncmp(opt, "notify=ioeventfd", 16))
			d->notify_exit = false;
		else if (len == 7 && !strncmp(opt, "io=sync", 7))
			d->io_sync = true;
		else if (len == 8 && !strncmp(opt, "io=uring", 8))
			d->io_sync = false;
		else
			return err_set(ERR_INVAL,
				       "--disk '%s': unknown option '%.*s' (expected ro, "
				       "cache=unsafe, notify=exit or io=sync)",
				       s, (int)len, opt);
	}
	return 0;
}

int config_parse_module(const char *s, struct config_module *m)
{
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s);
	if (n == 0)
		return err_set(ERR_INVAL, "--module '%s': empty file name", s);
	if (n >= sizeof(m->path))
		return err_set(ERR_INVAL, "--module: file name longer than %zu bytes",
			       sizeof(m->path) - 1);
	memcpy(m->path, s, n);
	m->path[n] = 0;
	m->cmdline = comma ? comma + 1 : "";
	return 0;
}

/*
 * Matches argv[*i] against "--name": accepts "--name VALUE" and
 * "--name=VALUE". Returns 1 and sets *val on a match, 0 if the option is
 * another one, -ERR_INVAL if the value is missing.
 */
static int config_match(int argc, char *const argv[], int *i, const char *name, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != 0)
		return 0;
	if (*i + 1 >= argc)
		return err_set(ERR_INVAL, "option %s needs a value", name);
	*i += 1;
	*val = argv[*i];
	return 1;
}

static int config_flag(const char *arg, const char *name, bool *flag)
{
	if (strcmp(arg, name) != 0)
		return 0;
	*flag = true;
	return 1;
}

/* The options config_parse() checks after the scan, as given. */
struct config_args {
	const char *mem, *cpus, *debug_exit, *irqchip;
	bool help, version;
};

/* One --disk value: parsed into the next free disk slot. */
static int config_add_disk(struct config *cfg, const char *disk)
{
	if (cfg->num_disks == CONFIG_MAX_DISKS)
		return err_set(ERR_INVAL, "too many --disk options (at most %d)", CONFIG_MAX_DISKS);
	int r = config_parse_disk(disk, &cfg->disks[cfg->num_disks]);
	if (r < 0)
		return r;
	cfg->num_disks++;
	return 0;
}

/* One --module value: parsed into the next free module slot. */
static int config_add_module(struct config *cfg, const char *mod)
{
	if (cfg->num_modules == CONFIG_MAX_MODULES)
		return err_set(ERR_INVAL, "too many --module options (at most %d)",
			       CONFIG_MAX_MODULES);
	int r = config_parse_module(mod, &cfg->modules[cfg->num_modules]);
	if (r < 0)
		return r;
	cfg->num_modules++;
	return 0;
}

/* Walks argv once: flags, options with values, and nothing else. */
static int config_scan(int argc, char *const argv[], struct config *cfg, struct config_args *args)
{
	const char *disk = NULL, *mod = NULL;
	int r;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (config_flag(a, "--help", &args->help) || config_flag(a, "-h", &args->help) ||
		    config_flag(a, "--version", &args->version) ||
		    config_flag(a, "--boot-time", &cfg->boot_time) ||
		    config_flag(a, "--pin", &cfg->pin))
			continue;
		if ((r = config_match(argc, argv, &i, "--kernel", &cfg->kernel_path)) ||
		    (r = config_match(argc, argv, &i, "--initrd", &cfg->initrd_path)) ||
		    (r = config_match(argc, argv, &i, "--cmdline", &cfg->cmdline)) ||
		    (r = config_match(argc, argv, &i, "--real-mode", &cfg->realmode_path)) ||
		    (r = config_match(argc, argv, &i, "--mem", &args->mem)) ||
		    (r = config_match(argc, argv, &i, "--cpus", &args->cpus)) ||
		    (r = config_match(argc, argv, &i, "--debug-exit", &args->debug_exit)) ||
		    (r = config_match(argc, argv, &i, "--irqchip", &args->irqchip))) {
			if (r < 0)
				return r;
			continue;
		}
		if ((r = config_match(argc, argv, &i, "--disk", &disk))) {
			if (r < 0 || (r = config_add_disk(cfg, disk)) < 0)
				return r;
			continue;
		}
		if ((r = config_match(argc, argv, &i, "--module", &mod))) {
			if (r < 0 || (r = config_add_module(cfg, mod)) < 0)
				return r;
			continue;
		}
		if (a[0] == '-')
			return err_set(ERR_INVAL, "unknown option '%s' (try --help)", a);
		return err_set(ERR_INVAL, "unexpected argument '%s' (try --help)", a);
	}
	return 0;
}

/* --cpus N: 1..CONFIG_MAX_CPUS, and more than one only for --kernel guests
 * (a --real-mode VM has no in-kernel local APICs to start the others). */
static int config_set_cpus(struct config *cfg, const char *cpus)
{
	if (!cpus)
		return 0;
	char *end;
	errno = 0;
	long n = strtol(cpus, &end, 10);
	if (!isdigit((unsigned char)cpus[0]) || *end || errno || n < 1)
		return err_set(ERR_INVAL, "bad --cpus value '%s': expected a number", cpus);
	if (n > CONFIG_MAX_CPUS)
		return err_set(ERR_INVAL, "--cpus %ld: at most %d vCPUs", n, CONFIG_MAX_CPUS);
	if (n > 1 && cfg->realmode_path)
		return err_set(ERR_INVAL, "--cpus %ld needs --kernel (--real-mode runs one vCPU)",
			       n);
	cfg->cpus = (unsigned)n;
	return 0;
}

/* Exactly one thing to run, and only the options that go with it. */
static int config_check_guest(struct config *cfg)
{
	if (cfg->kernel_path && cfg->realmode_path)
		return err_set(ERR_INVAL, "--kernel and --real-mode exclude each other");
	if (!cfg->kernel_path && !cfg->realmode_path)
		return err_set(ERR_INVAL,
			       "nothing to run: give --kernel or --real-mode (try --help)");
	if (cfg->realmode_path &&
	    (cfg->initrd_path || cfg->cmdline || cfg->num_disks || cfg->num_modules))
		return err_set(ERR_INVAL, "--initrd, --cmdline, --disk and --module need --kernel");
	const char *files[] = {cfg->kernel_path, cfg->initrd_path, cfg->realmode_path};
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		if (files[k] && !files[k][0])
			return err_set(ERR_INVAL, "empty file name");
	}
	if (!cfg->cmdline)
		cfg->cmdline = "";
	return 0;
}

/* Guest RAM: --mem if given, else the default for the kind of guest. */
static int config_set_mem(struct config *cfg, const char *mem)
{
	cfg->mem_size = cfg->realmode_path ? CONFIG_MEM_DEFAULT_REAL : CONFIG_MEM_DEFAULT;
	if (!mem)
		return 0;
	uint64_t sz;
	if (config_parse_size(mem, &sz) < 0)
		return err_set(ERR_INVAL, "bad --mem value '%s': expected a size like 512M or 2G",
			       mem);
	if (sz < CONFIG_MEM_MIN || sz > CONFIG_MEM_MAX)
		return err_set(ERR_INVAL, "--mem %s out of range (16M..256G)", mem);
	if (sz & ((1u << 20) - 1))
		return err_set(ERR_INVAL, "--mem %s is not a multiple of 1M", mem);
	cfg->mem_size = sz;
	return 0;
}

/* --debug-exit PORT: decimal or 0x hex, with room for its four ports. */
static int config_set_debug_exit(struct config *cfg, const char *port)
{
	if (!port)
		return 0;
	char *end;
	errno = 0;
	unsigned long v = strtoul(port, &end, 0);
	if (!isdigit((unsigned char)port[0]) || *end || errno || v > 0xffff - 3)
		return err_set(ERR_INVAL,
			       "bad --debug-exit value '%s': expected a port such as 0xf4", port);
	cfg->debug_exit = true;
	cfg->debug_exit_port = (uint16_t)v;
	return 0;
}

/* --irqchip split|kernel; a --real-mode guest has no interrupt controller. */
static int config_set_irqchip(struct config *cfg, const char *mode)
{
	if (!mode)
		return 0;
	if (strcmp(mode, "split") == 0)
		cfg->irqchip = CONFIG_IRQCHIP_SPLIT;
	else if (strcmp(mode, "kernel") != 0)
		return err_set(ERR_INVAL, "bad --irqchip value '%s': expected split or kernel",
			       mode);
	if (cfg->realmode_path)
		return err_set(ERR_INVAL, "--irqchip needs --kernel (--real-mode has no irqchip)");
	return 0;
}

int config_parse(int argc, char *const argv[], struct config *cfg)
{
	struct config_args args = {0};
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cmdline = NULL;
	cfg->cpus = 1;
	if ((r = config_scan(argc, argv, cfg, &args)) < 0)
		return r;
	if (args.help)
		return CONFIG_HELP;
	if (args.version)
		return CONFIG_VERSION;
	if ((r = config_check_guest(cfg)) < 0 || (r = config_set_cpus(cfg, args.cpus)) < 0 ||
	    (r = config_set_mem(cfg, args.mem)) < 0 ||
	    (r = config_set_debug_exit(cfg, args.debug_exit)) < 0 ||
	    (r = config_set_irqchip(cfg, args.irqchip)) < 0)
		return r;
	return CONFIG_RUN;
}
