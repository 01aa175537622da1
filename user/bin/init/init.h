/*
 * init's parts and what they share: the start-up table (table.c), the
 * services at run time and their restart (svc.c), the init protocol server
 * (serve.c), the self-test (selftest.c) and the start (main.c). The design
 * is docs/services.md.
 *
 * Locking: init_lock guards every struct init_svc field marked (L) below;
 * the rest are set once, before any other thread runs. Nothing blocks on
 * IPC while holding it (starting a process does not block on IPC).
 */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stdbool.h>
#include <stdint.h>
#include <orb/proto/init.h>
#include <orb/proto/ns.h>
#include <orb/spawn.h>

/* The kinds of capability a service may be given, in the table's order. */
enum init_cap_kind {
	INIT_CAP_NONE = 0,
	INIT_CAP_OWN_RECV,  /* its own service endpoint [RECV] */
	INIT_CAP_OWN_SEND,  /* its own endpoint, unbadged [SEND, GRANT] (the name server) */
	INIT_CAP_OWN_ALL,   /* its own endpoint, unbadged [RECV, SEND, GRANT] (the console) */
	INIT_CAP_NS,	    /* a name-service client capability [SEND, GRANT], its own id */
	INIT_CAP_BOOTFS,    /* the boot archive, Memory [READ, MAP] */
	INIT_CAP_IOPORTS,   /* IoPorts [MANAGE] for ports [a, a + b) */
	INIT_CAP_IRQ,	    /* the IRQ capability of ISA line a [RECV, MANAGE] */
	INIT_CAP_SCREEN,    /* the screen, Memory [READ, WRITE, MAP]; left out if none */
	INIT_CAP_EP_OF,	    /* service `of`'s endpoint [SEND, and the rights a], badged `badge` */
	INIT_CAP_ADMIN,	    /* init's own endpoint [SEND], badged INIT_BADGE_ADMIN */
	INIT_CAP_LOG,	    /* the kernel log, Log [READ] */
	INIT_CAP_PUBLISHED, /* every published endpoint, then init's, unbadged [SEND, GRANT] */
};

/* The kinds of argument (argv[1], argv[2], ...). */
enum init_arg_kind {
	INIT_ARG_NONE = 0,
	INIT_ARG_BOOTFS_SIZE, /* the boot archive's size in bytes */
	INIT_ARG_INSTANCE,    /* 1 for the first start, +1 for each restart */
	INIT_ARG_SCREEN,      /* the screen: "TYPE,WIDTH,HEIGHT,PITCH,BPP" (0,0,0,0,0: none) */
	INIT_ARG_PUBLISHED,   /* the names of INIT_CAP_PUBLISHED's endpoints: "NAME,NAME,..." */
};

#define INIT_CAPS_MAX	    8
#define INIT_ARGS_MAX	    3
#define INIT_ARG_LEN	    48
#define INIT_RESTART_MAX    5			 /* restarts allowed within INIT_RESTART_WINDOW */
#define INIT_RESTART_WINDOW (10ull * 1000000000) /* ns */

struct init_cap_spec {
	enum init_cap_kind kind;
	uint32_t a, b;
	const char *of;
	uint64_t badge;
};

/* One row of the start-up table. */
struct init_svc_def {
	const char *name;    /* the service's name, and the name it is registered under */
	const char *program; /* its program, /bin/PROGRAM in the boot archive */
	bool endpoint;	     /* init creates its endpoint */
	bool publish;	     /* init registers the endpoint with the name server as `name` */
	bool interactive;    /* not started by the self-test (the shell) */
	long absent_status;  /* the exit status that says its device is absent, or 0 */
	struct init_cap_spec caps[INIT_CAPS_MAX];
	enum init_arg_kind args[INIT_ARGS_MAX];
};

/* A service at run time. */
struct init_svc {
	const struct init_svc_def *def;
	unsigned index;
	uint64_t client_id;		  /* its name-service id (badge) */
	cap_handle_t ep;		  /* init's endpoint capability [all rights], or 0 */
	cap_handle_t caps[INIT_CAPS_MAX]; /* init's copies of what it is given */
	unsigned ncaps;
	cap_handle_t quota;		   /* (L) its quota [all rights], 0 until first start */
	cap_handle_t proc;		   /* (L) the running instance, or 0 */
	uint32_t pid;			   /* (L) init's number for it, 0 if none */
	uint32_t restarts;		   /* (L) */
	uint32_t instance;		   /* (L) starts so far */
	int state;			   /* (L) INIT_SVC_* */
	bool stopping;			   /* (L) being stopped: do not restart */
	bool waiter_done;		   /* (L) its waiter thread has finished */
	uint64_t recent[INIT_RESTART_MAX]; /* (L) times of the last restarts, a ring */
	unsigned nrecent;		   /* (L) */
};

/* table.c */
extern const struct init_svc_def init_table[];
extern const unsigned init_table_len;

/* svc.c */
extern struct init_svc init_svcs[];
extern unsigned init_nsvcs;
extern cap_handle_t init_ns_client; /* init's own name-service capability (NS_ID_INIT) */
extern cap_handle_t init_ep;	    /* init's own endpoint [all rights] */
void init_lock(void);
void init_unlock(void);
long init_svcs_setup(bool include_interactive);
void init_svcs_start_all(void);
long init_svc_kill_pid(uint32_t pid);
void init_svcs_stop_all(void);
struct init_svc *init_svc_by_name(const char *name);
const char *init_state_name(int state);

/* serve.c */
void init_serve(void *arg);
void init_serve_stop(void); /* ends the server thread (self-test) */

/* watchdog.c */
void init_watchdog_start(void); /* pings the services; kills one that hangs */

/* selftest.c */
int init_selftest(const char *which);

/* main.c */
const char *init_status_text(long status, char *buf, size_t size);

#endif
