/*
 * Unit tests for orbvm's option parsing (vmm/config.c): good and bad
 * options, sizes, combinations, and that every error is one line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "config.h"
#include "err.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct config cfg;

static void assert_one_line_error(void)
{
	const char *m = err_msg();
	assert_true(strlen(m) > 0);
	assert_null(strchr(m, '\n'));
}

static void test_kernel_defaults(void **state)
{
	(void)state;
	char *argv[] = {"orbvm", "--kernel", "bz"};
	assert_int_equal(config_parse(ARGC(argv), argv, &cfg), CONFIG_RUN);
	assert_string_equal(cfg.kernel_path, "bz");
	assert_null(cfg.initrd_path);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.mem_size, 256ull << 20);
	assert_int_equal(cfg.cpus, 1);
	assert_false(cfg.boot_time);
}

static void test_all_options(void **state)
{
	(void)state;
	char *argv[] = {"orbvm",     "--kernel=k",	    "--initrd", "i",
			"--cmdline", "console=ttyS0 quiet", "--mem",	"3G",
			"--cpus=1",  "--boot-time"};
	assert_int_equal(config_parse(ARGC(argv), argv, &cfg), CONFIG_RUN);
	assert_string_equal(cfg.kernel_path, "k");
	assert_string_equal(cfg.initrd_path, "i");
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet");
	assert_int_equal(cfg.mem_size, 3ull << 30);
	assert_true(cfg.boot_time);
}

static void test_modules_and_debug_exit(void **state)
{
	(void)state;
	char *argv[] = {"orbvm",	"--kernel", "k", "--module", "m0", "--module=m1,a=1,b=2",
			"--debug-exit", "0xf4"};
	assert_int_equal(config_parse(ARGC(argv), argv, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.num_modules, 2);
	assert_string_equal(cfg.modules[0].path, "m0");
	assert_string_equal(cfg.modules[0].cmdline, "");
	assert_string_equal(cfg.modules[1].path, "m1");
	assert_string_equal(cfg.modules[1].cmdline, "a=1,b=2");
	assert_true(cfg.debug_exit);
	assert_int_equal(cfg.debug_exit_port, 0xf4);
	char *dec[] = {"orbvm", "--real-mode", "r", "--debug-exit", "1281"};
	assert_int_equal(config_parse(ARGC(dec), dec, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.debug_exit_port, 0x501);
	char *bad1[] = {"orbvm", "--kernel", "k", "--debug-exit", "0xfffd"};
	assert_int_equal(config_parse(ARGC(bad1), bad1, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "bad --debug-exit"));
	char *bad2[] = {"orbvm", "--kernel", "k", "--debug-exit", "port"};
	assert_int_equal(config_parse(ARGC(bad2), bad2, &cfg), -ERR_INVAL);
	char *bad3[] = {"orbvm", "--real-mode", "r", "--module", "m"};
	assert_int_equal(config_parse(ARGC(bad3), bad3, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "need --kernel"));
	char *bad4[] = {"orbvm", "--kernel", "k", "--module", ",x"};
	assert_int_equal(config_parse(ARGC(bad4), bad4, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "empty file name"));
	char *many[2 + 2 * (CONFIG_MAX_MODULES + 1)];
	many[0] = "orbvm";
	many[1] = "--kernel=k";
	for (int i = 0; i <= CONFIG_MAX_MODULES; i++) {
		many[2 + 2 * i] = "--module";
		many[3 + 2 * i] = "m";
	}
	assert_int_equal(config_parse(ARGC(many), many, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "too many --module"));
	assert_one_line_error();
}

static void test_realmode_default_mem(void **state)
{
	(void)state;
	char *argv[] = {"orbvm", "--real-mode", "hello.bin"};
	assert_int_equal(config_parse(ARGC(argv), argv, &cfg), CONFIG_RUN);
	assert_string_equal(cfg.realmode_path, "hello.bin");
	assert_int_equal(cfg.mem_size, 16ull << 20);
}

static void test_help_version(void **state)
{
	(void)state;
	char *a1[] = {"orbvm", "--help"};
	assert_int_equal(config_parse(ARGC(a1), a1, &cfg), CONFIG_HELP);
	char *a2[] = {"orbvm", "--version"};
	assert_int_equal(config_parse(ARGC(a2), a2, &cfg), CONFIG_VERSION);
	/* --help wins even with other options, but unknown options are errors first. */
	char *a3[] = {"orbvm", "--kernel", "x", "--help"};
	assert_int_equal(config_parse(ARGC(a3), a3, &cfg), CONFIG_HELP);
}

static void test_sizes(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(config_parse_size("512M", &v), 0);
	assert_int_equal(v, 512ull << 20);
	assert_int_equal(config_parse_size("2G", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(config_parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(config_parse_size("65536k", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(config_parse_size("300", &v), 0);
	assert_int_equal(v, 300ull << 20);
	assert_int_equal(config_parse_size("1T", &v), 0);
	assert_int_equal(v, 1ull << 40);
	const char *bad[] = {"",
			     "M",
			     "-1G",
			     "12X",
			     "1.5G",
			     "12MM",
			     "99999999999999999999",
			     "18446744073709551615G",
			     " 1G",
			     "1G "};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(config_parse_size(bad[i], &v), -ERR_INVAL);
}

static void expect_usage_error(int argc, char **argv, const char *needle)
{
	err_clear();
	assert_int_equal(config_parse(argc, argv, &cfg), -ERR_INVAL);
	assert_one_line_error();
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

static void test_bad_options(void **state)
{
	(void)state;
	char *a1[] = {"orbvm", "--kernel", "k", "--frobnicate"};
	expect_usage_error(ARGC(a1), a1, "--frobnicate");
	char *a2[] = {"orbvm", "--kernel"};
	expect_usage_error(ARGC(a2), a2, "--kernel");
	char *a3[] = {"orbvm", "--kernel", "k", "--cpus", "65"};
	expect_usage_error(ARGC(a3), a3, "at most 64");
	char *a4[] = {"orbvm", "--kernel", "k", "--cpus", "two"};
	expect_usage_error(ARGC(a4), a4, "--cpus");
	char *a5[] = {"orbvm", "--kernel", "k", "--mem", "lots"};
	expect_usage_error(ARGC(a5), a5, "--mem");
	char *a6[] = {"orbvm", "--kernel", "k", "--mem", "8M"};
	expect_usage_error(ARGC(a6), a6, "range");
	char *a7[] = {"orbvm", "--kernel", "k", "--mem", "1000T"};
	expect_usage_error(ARGC(a7), a7, "range");
	char *a8[] = {"orbvm", "--kernel", "k", "--mem", "65537K"};
	expect_usage_error(ARGC(a8), a8, "multiple");
	char *a9[] = {"orbvm"};
	expect_usage_error(ARGC(a9), a9, "nothing to run");
	char *a10[] = {"orbvm", "--kernel", "k", "--real-mode", "r"};
	expect_usage_error(ARGC(a10), a10, "exclude");
	char *a11[] = {"orbvm", "--real-mode", "r", "--initrd", "i"};
	expect_usage_error(ARGC(a11), a11, "--kernel");
	char *a12[] = {"orbvm", "--kernel", "k", "stray"};
	expect_usage_error(ARGC(a12), a12, "stray");
	char *a13[] = {"orbvm", "--kernel="};
	expect_usage_error(ARGC(a13), a13, "empty");
	char *a14[] = {"orbvm", "--kernel", "k", "--cpus", "0"};
	expect_usage_error(ARGC(a14), a14, "--cpus");
	char *a15[] = {"orbvm", "--kernelx", "k"};
	expect_usage_error(ARGC(a15), a15, "--kernelx");
}

static void test_disks(void **state)
{
	(void)state;
	char *argv[] = {"orbvm",  "--kernel",
			"k",	  "--disk",
			"a.img",  "--disk=b.img,ro",
			"--disk", "c,cache=unsafe,ro",
			"--disk", "d,cache=writeback,notify=exit"};
	assert_int_equal(config_parse(ARGC(argv), argv, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.num_disks, 4);
	assert_string_equal(cfg.disks[0].path, "a.img");
	assert_false(cfg.disks[0].read_only);
	assert_false(cfg.disks[0].unsafe);
	assert_string_equal(cfg.disks[1].path, "b.img");
	assert_true(cfg.disks[1].read_only);
	assert_false(cfg.disks[1].unsafe);
	assert_string_equal(cfg.disks[2].path, "c");
	assert_true(cfg.disks[2].read_only);
	assert_true(cfg.disks[2].unsafe);
	assert_string_equal(cfg.disks[3].path, "d");
	assert_false(cfg.disks[3].read_only);
	assert_false(cfg.disks[3].unsafe);
	assert_true(cfg.disks[3].notify_exit);
	assert_false(cfg.disks[0].notify_exit);
	struct config_disk cd;
	assert_int_equal(config_parse_disk("e,notify=exit,notify=ioeventfd", &cd), 0);
	assert_false(cd.notify_exit);
	assert_int_equal(config_parse_disk("e,notify=poll", &cd), -ERR_INVAL);
	assert_false(cd.io_sync);
	assert_int_equal(config_parse_disk("e,io=sync", &cd), 0);
	assert_true(cd.io_sync);
	assert_int_equal(config_parse_disk("e,io=sync,io=uring", &cd), 0);
	assert_false(cd.io_sync);
	assert_int_equal(config_parse_disk("e,io=aio", &cd), -ERR_INVAL);

	char *none[] = {"orbvm", "--kernel", "k"};
	assert_int_equal(config_parse(ARGC(none), none, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.num_disks, 0);
}

static void test_bad_disks(void **state)
{
	(void)state;
	char *a1[] = {"orbvm", "--kernel", "k", "--disk", "x,rw"};
	expect_usage_error(ARGC(a1), a1, "rw");
	char *a2[] = {"orbvm", "--kernel", "k", "--disk", ",ro"};
	expect_usage_error(ARGC(a2), a2, "empty");
	char *a3[] = {"orbvm", "--kernel", "k", "--disk", ""};
	expect_usage_error(ARGC(a3), a3, "empty");
	char *a4[] = {"orbvm", "--kernel", "k", "--disk"};
	expect_usage_error(ARGC(a4), a4, "--disk");
	char *a5[] = {"orbvm",	"--kernel", "k",      "--disk", "a",	  "--disk", "b",
		      "--disk", "c",	    "--disk", "d",	"--disk", "e"};
	expect_usage_error(ARGC(a5), a5, "at most 4");
	char *a6[] = {"orbvm", "--real-mode", "r", "--disk", "a"};
	expect_usage_error(ARGC(a6), a6, "--disk");
	char *a7[] = {"orbvm", "--kernel", "k", "--disk", "a,cache=none"};
	expect_usage_error(ARGC(a7), a7, "cache=none");
	char *a8[] = {"orbvm", "--kernel", "k", "--disk", "a,ro,"};
	expect_usage_error(ARGC(a8), a8, "unknown option");
	static char longname[CONFIG_PATH_MAX + 8];
	memset(longname, 'x', sizeof(longname) - 1);
	char *a9[] = {"orbvm", "--kernel", "k", "--disk", longname};
	expect_usage_error(ARGC(a9), a9, "longer");
}

static void test_usage_text(void **state)
{
	(void)state;
	const char *opts[] = {"--kernel",  "--initrd",	  "--cmdline",	  "--mem",
			      "--cpus",	   "--real-mode", "--boot-time",  "--help",
			      "--version", "--disk",	  "cache=unsafe", "Exit status"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		assert_non_null(strstr(config_usage, opts[i]));
}

/* --irqchip: kernel by default, split on request, only with --kernel. */
static void test_irqchip(void **state)
{
	(void)state;
	char *def[] = {"orbvm", "--kernel", "k"};
	assert_int_equal(config_parse(ARGC(def), def, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.irqchip, CONFIG_IRQCHIP_KERNEL);
	char *split[] = {"orbvm", "--kernel", "k", "--irqchip=split"};
	assert_int_equal(config_parse(ARGC(split), split, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.irqchip, CONFIG_IRQCHIP_SPLIT);
	char *kernel[] = {"orbvm", "--irqchip", "kernel", "--kernel", "k"};
	assert_int_equal(config_parse(ARGC(kernel), kernel, &cfg), CONFIG_RUN);
	assert_int_equal(cfg.irqchip, CONFIG_IRQCHIP_KERNEL);
	char *bad[] = {"orbvm", "--kernel", "k", "--irqchip", "Split"};
	assert_int_equal(config_parse(ARGC(bad), bad, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "bad --irqchip value"));
	assert_one_line_error();
	char *real[] = {"orbvm", "--real-mode", "r", "--irqchip", "split"};
	assert_int_equal(config_parse(ARGC(real), real, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "needs --kernel"));
	char *none[] = {"orbvm", "--kernel", "k", "--irqchip"};
	assert_int_equal(config_parse(ARGC(none), none, &cfg), -ERR_INVAL);
	assert_non_null(strstr(config_usage, "--irqchip"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kernel_defaults),
	    cmocka_unit_test(test_all_options),
	    cmocka_unit_test(test_modules_and_debug_exit),
	    cmocka_unit_test(test_realmode_default_mem),
	    cmocka_unit_test(test_help_version),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_disks),
	    cmocka_unit_test(test_bad_disks),
	    cmocka_unit_test(test_usage_text),
	    cmocka_unit_test(test_irqchip),
	};
	return cmocka_run_group_tests_name("vmm_config", tests, NULL, NULL);
}
