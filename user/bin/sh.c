/*
 * sh: the shell. Prints the prompt "orbital$ ", reads a line from the
 * console (line editing is the console's line discipline), splits it into
 * words ('...' and "..." quote, `> FILE` and `>> FILE` redirect standard
 * output) and runs the first word as a new process: the program /bin/WORD
 * (or the path itself if it starts with '/') is read through the VFS into
 * memory and started with orb_spawn, made the console's foreground process
 * (Ctrl-C kills it) and waited for. How it died is reported: "killed by a
 * fault", "killed"; an unknown command is "sh: NAME: command not found".
 *
 * What a command gets (user/README.md, "Process start-up"): start
 * capability 0 is a fresh name-service client capability (NS_NEW_CLIENT,
 * so the child has its own identity at every service), and argv[0] is the
 * stdio argument ("@stdio", "@stdio>PATH" or "@stdio>>PATH") that the
 * library's start-up takes off before main() runs. The few commands of the
 * boot archive that need more of the user's authority get it as start
 * capability 1 (sh_grants): init's administrator capability for ps, kill,
 * halt and reboot, the kernel log for dmesg. Only /bin/NAME (the read-only
 * boot archive) gets them, never a program run by its path. Each command
 * runs bound to a quota of its own (sh_command_quota): a runaway command
 * gets -ERR_QUOTA, never the memory the shell and the services need.
 *
 * Start capabilities (from init): 0 the name service; 1 init's
 * administrator capability (INIT_BADGE_ADMIN); 2 the terminal, the console
 * badged CON_BADGE_TTY (reading lines and setting the foreground need it);
 * 3 the kernel log [READ].
 *
 * Services that restart: init keeps each service's endpoint across
 * restarts, so the capabilities the shell looked up stay valid. A console
 * that dies under a read makes the read fail (-ERR_NOENT): the shell
 * prompts again. A restarted VFS has forgotten our connection (-ERR_PERM):
 * the shell attaches again and retries once.
 *
 * Trust: the shell runs what the user types, with the user's authority (its
 * own name-service capability); a command gets nothing more than a fresh
 * client identity. The program's bytes are checked by orb_spawn's ELF parser.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <orb/console.h>
#include <orb/ns.h>
#include <orb/spawn.h>
#include <orb/vfs.h>

#define SH_PROMPT     "orbital$ "
#define SH_WORDS_MAX  32
#define SH_PROG_MAX   (16u * 1024 * 1024) /* bytes of a program */
#define SH_RETRY_NS   (100ull * 1000 * 1000)
#define SH_LOOKUP_TRY 50       /* 5 s for the services to appear at start */
#define SH_STDIO_ARG  "@stdio" /* ULIB_STDIO_ARG of user/lib/stream.h */

static cap_handle_t sh_con; /* the terminal (console badged CON_BADGE_TTY), or 0 */
static cap_handle_t sh_vfs; /* the VFS endpoint, 0 if it could not be found */

/* Start capabilities (given by init). */
#define SH_CAP_ADMIN 1 /* init's endpoint, badged INIT_BADGE_ADMIN */
#define SH_CAP_TTY   2 /* the console, badged CON_BADGE_TTY */
#define SH_CAP_LOG   3 /* the kernel log [READ] */

/* The commands of /bin that get one more start capability (their start capability 1). */
static const struct {
	const char *name;
	unsigned cap; /* SH_CAP_* */
} sh_grants[] = {
    {"ps", SH_CAP_ADMIN},     {"kill", SH_CAP_ADMIN}, {"halt", SH_CAP_ADMIN},
    {"reboot", SH_CAP_ADMIN}, {"dmesg", SH_CAP_LOG},
};

/*
 * Each command runs bounded: bound to a quota of its own, three quarters of
 * what the shell has left, so a runaway command gets -ERR_QUOTA while the
 * shell and the services go on. 0 if none could be made.
 */
static cap_handle_t sh_command_quota(void)
{
	struct orb_quota_info qi = {0, 0};
	if (orb_quota_info(0, &qi) < 0 || qi.used >= qi.limit)
		return 0;
	long q = orb_quota_create(0, (qi.limit - qi.used) / 4 * 3);
	return q < 0 ? 0 : (cap_handle_t)q;
}

/* The extra start capability of command word cmd, or 0. */
static cap_handle_t sh_grant_for(const char *cmd)
{
	if (strchr(cmd, '/'))
		return 0; /* a program named by its path is not the boot archive's */
	for (size_t i = 0; i < sizeof(sh_grants) / sizeof(sh_grants[0]); i++)
		if (strcmp(sh_grants[i].name, cmd) == 0)
			return orb_start_cap(sh_grants[i].cap);
	return 0;
}

/* Formatted output to the console (or the kernel log if there is none). */
static void sh_printf(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
static void sh_printf(const char *fmt, ...)
{
	char buf[CON_LINE_MAX * 2];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	if (!sh_con || con_write(sh_con, buf, len) < 0) {
		printf("%s", buf);
		fflush_stdout();
	}
}

static const char *sh_strerror(long err)
{
	switch (-err) {
	case ERR_NOENT:
		return "no such file or directory";
	case ERR_PERM:
		return "permission denied";
	case ERR_EXIST:
		return "already exists";
	case ERR_INVAL:
		return "invalid (a directory, or a relative path?)";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_NOSPACE:
		return "no space left";
	case ERR_FORMAT:
		return "not a program";
	case ERR_RANGE:
		return "too long";
	default:
		return "error";
	}
}

/* Looks a service up, waiting for it to be registered (services start beside us). */
static cap_handle_t sh_lookup(const char *name)
{
	cap_handle_t ep = 0;
	for (int i = 0; i < SH_LOOKUP_TRY; i++) {
		long r = ns_lookup(name, &ep);
		if (r == 0)
			return ep;
		if (r != -ERR_NOENT)
			break;
		orb_sleep(SH_RETRY_NS);
	}
	printf("sh: cannot find the service \"%s\"\n", name);
	return 0;
}

/* (Re)connects to the VFS. */
static long sh_vfs_connect(void)
{
	vfs_detach(); /* forgets a connection a restarted server no longer knows */
	return sh_vfs ? vfs_attach(sh_vfs) : -ERR_NOENT;
}

/*
 * After a failed request: whether the VFS had forgotten us (a restarted
 * server answers -ERR_PERM) and we attached again, so the request is worth
 * retrying.
 */
static bool sh_vfs_reconnected(void)
{
	struct orb_stat st;
	if (vfs_stat("/", &st) == 0)
		return false; /* the connection is fine: the failure was real */
	return sh_vfs_connect() == 0;
}

/* Reads the whole file at path into a malloc'ed buffer. */
static long sh_read_file(const char *path, void **out, size_t *size)
{
	long fd = vfs_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	struct orb_stat st;
	long r = vfs_fstat((int)fd, &st);
	if (r == 0 && st.type != VFS_TYPE_FILE)
		r = -ERR_NOENT; /* a directory is not a command */
	if (r == 0 && (st.size == 0 || st.size > SH_PROG_MAX))
		r = -ERR_FORMAT;
	char *buf = NULL;
	if (r == 0 && !(buf = malloc(st.size)))
		r = -ERR_NOMEM;
	for (size_t done = 0; r == 0 && done < st.size;) {
		long n = vfs_read((int)fd, buf + done, st.size - done);
		if (n <= 0)
			r = n < 0 ? n : -ERR_FORMAT; /* shorter than it said */
		else
			done += (size_t)n;
	}
	vfs_close((int)fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*size = st.size;
	return 0;
}

/*
 * Loads the program for the command word cmd: /bin/CMD, or the path itself
 * if it is absolute (a relative path with a '/' is not looked up: there is
 * no current directory). Retries once over a VFS reconnect.
 */
static long sh_load(const char *cmd, void **elf, size_t *size)
{
	char path[VFS_PATH_MAX];
	int n;
	if (cmd[0] == '/')
		n = snprintf(path, sizeof(path), "%s", cmd);
	else if (!strchr(cmd, '/'))
		n = snprintf(path, sizeof(path), "/bin/%s", cmd);
	else
		return -ERR_NOENT;
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ERR_NOENT;
	long r = sh_read_file(path, elf, size);
	if (r < 0 && r != -ERR_FORMAT && sh_vfs_reconnected())
		r = sh_read_file(path, elf, size);
	return r;
}

/* A parsed command line. */
struct sh_cmd {
	char *argv[SH_WORDS_MAX + 2]; /* [0] the stdio argument, then the words, NULL */
	int argc;		      /* words, without the stdio argument */
	char *redirect;		      /* the file after > or >>, or NULL */
	bool append;
};

/*
 * Splits line (changed in place) into words; quotes group, `>`/`>>` take
 * the next word (or the rest of the same word) as the output file. Returns
 * 0, or -1 with the message printed.
 */
static int sh_parse(char *line, struct sh_cmd *c)
{
	char *in = line, *out = line;
	bool want_file = false;
	memset(c, 0, sizeof(*c));
	for (;;) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in)
			break;
		if (*in == '>') {
			if (want_file || c->redirect) {
				sh_printf("sh: one > per command\n");
				return -1;
			}
			c->append = in[1] == '>';
			in += c->append ? 2 : 1;
			want_file = true;
			continue;
		}
		char *word = out;
		char quote = 0;
		while (*in && (quote || (*in != ' ' && *in != '\t' && *in != '>'))) {
			if (quote && *in == quote)
				quote = 0;
			else if (!quote && (*in == '\'' || *in == '"'))
				quote = *in;
			else
				*out++ = *in;
			in++;
		}
		if (quote) {
			sh_printf("sh: unmatched %c\n", quote);
			return -1;
		}
		char next = *in;
		if (*in)
			in++;
		*out++ = '\0';
		if (want_file) {
			c->redirect = word;
			want_file = false;
		} else if (c->argc < SH_WORDS_MAX) {
			c->argv[1 + c->argc++] = word;
		} else {
			sh_printf("sh: more than %d words\n", SH_WORDS_MAX);
			return -1;
		}
		if (next == '>') { /* the redirection starts right after the word */
			if (c->redirect) {
				sh_printf("sh: one > per command\n");
				return -1;
			}
			c->append = *in == '>';
			in += c->append ? 1 : 0;
			want_file = true;
		}
	}
	if (want_file) {
		sh_printf("sh: > needs a file name\n");
		return -1;
	}
	return 0;
}

/* Creates (or truncates) the redirection target, so errors show before the command runs. */
static long sh_redirect_check(const struct sh_cmd *c)
{
	unsigned flags = O_WRONLY | O_CREAT | (c->append ? 0 : O_TRUNC);
	long fd = vfs_open(c->redirect, flags);
	if (fd < 0 && sh_vfs_reconnected())
		fd = vfs_open(c->redirect, flags);
	if (fd < 0)
		return fd;
	vfs_close((int)fd);
	return 0;
}

/* Runs a parsed command and waits for it. */
static void sh_run(struct sh_cmd *c)
{
	const char *name = c->argv[1];
	char stdio_arg[VFS_PATH_MAX + 16];
	void *elf;
	size_t size;

	if (c->redirect) {
		long r = sh_redirect_check(c);
		if (r < 0) {
			sh_printf("sh: %s: %s\n", c->redirect, sh_strerror(r));
			return;
		}
		snprintf(stdio_arg, sizeof(stdio_arg), "%s%s%s", SH_STDIO_ARG,
			 c->append ? ">>" : ">", c->redirect);
	} else {
		snprintf(stdio_arg, sizeof(stdio_arg), "%s", SH_STDIO_ARG);
	}
	c->argv[0] = stdio_arg;

	long r = sh_load(name, &elf, &size);
	if (r == -ERR_NOENT) {
		sh_printf("sh: %s: command not found\n", name);
		return;
	}
	if (r < 0) {
		sh_printf("sh: %s: %s\n", name, sh_strerror(r));
		return;
	}
	cap_handle_t ns_child;
	r = ns_new_client(&ns_child);
	if (r < 0) {
		free(elf);
		sh_printf("sh: %s: no name-service identity for it: %s\n", name, sh_strerror(r));
		return;
	}
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	cap_handle_t caps[2] = {ns_child, sh_grant_for(name)};
	struct orb_spawn_args a = {
	    .name = base,
	    .elf = elf,
	    .elf_size = size,
	    .argv = (const char *const *)c->argv,
	    .caps = caps,
	    .ncaps = caps[1] ? 2 : 1,
	    .quota = sh_command_quota(),
	};
	cap_handle_t proc;
	r = a.quota ? orb_spawn(&a, &proc) : -ERR_QUOTA;
	free(elf);
	orb_cap_delete(ns_child);
	orb_cap_delete(a.quota); /* (the command holds it while it lives) */
	if (r < 0) {
		sh_printf("sh: %s: cannot start: %s\n", name, sh_strerror(r));
		return;
	}
	if (sh_con)
		con_set_fg(sh_con, proc);
	long status = orb_proc_wait(proc, IPC_TIMEOUT_NEVER);
	if (sh_con)
		con_set_fg(sh_con, 0);
	orb_cap_delete(proc);
	if (status == ORB_EXIT_FAULT)
		sh_printf("sh: %s: killed by a fault\n", name);
	else if (status == ORB_EXIT_KILLED)
		sh_printf("sh: %s: killed\n", name);
	else if (status < 0)
		sh_printf("sh: %s: cannot wait for it: %s\n", name, sh_strerror(status));
}

int main(void)
{
	static char line[CON_LINE_MAX + 1];
	int failures = 0;

	sh_con = orb_start_cap(SH_CAP_TTY);
	sh_vfs = sh_lookup("vfs");
	if (sh_vfs && sh_vfs_connect() < 0)
		printf("sh: cannot attach to the file system\n");
	if (!sh_con)
		return 1; /* nowhere to read commands from */
	sh_printf("Orbital shell: type help for the commands.\n");
	for (;;) {
		if (failures <= 3 || failures % 10 == 0)
			sh_printf(SH_PROMPT);
		long n = con_readline(sh_con, line, sizeof(line));
		if (n == -ERR_AGAIN) { /* Ctrl-C discarded the line */
			failures = 0;
			continue;
		}
		if (n < 0) {
			/*
			 * The console died under the read: init restarts it on the same
			 * endpoint, where the next call waits. Prompt again (less often if
			 * it keeps failing).
			 */
			failures++;
			orb_sleep(failures > 3 ? 10 * SH_RETRY_NS : SH_RETRY_NS);
			continue;
		}
		failures = 0;
		struct sh_cmd c;
		if (sh_parse(line, &c) < 0)
			continue;
		if (c.argc > 0)
			sh_run(&c);
		else if (c.redirect)
			sh_printf("sh: nothing to run\n");
	}
}
