/*
 * The name-service client (<orb/proto/ns.h> over IPC): finding services by
 * name, publishing one, and making client capabilities for children.
 *
 * The functions call the name server through one capability per process:
 * the one given to ns_use(), or else start capability 0 (the shell and the
 * programs it starts get their name-service capability there; a service's
 * own layout is in docs/services.md and it calls ns_use() itself). Each
 * function returns 0 or -ERR_*: the server's error, or the kernel's
 * (-ERR_NOENT when the name server died with the request).
 */
#ifndef ORB_NS_H
#define ORB_NS_H

#include <orb/sys.h>

/* Uses ns (an Endpoint [SEND, GRANT] to the name server) from now on. */
void ns_use(cap_handle_t ns);
/* The capability the functions below use (0 if none). */
cap_handle_t ns_cap(void);

/* Looks name up: *out = an Endpoint [SEND, GRANT] badged with this process's client id. */
long ns_lookup(const char *name, cap_handle_t *out);
/* Publishes ep (an unbadged Endpoint [SEND, GRANT]; the server keeps a copy) as name. */
long ns_register(const char *name, cap_handle_t ep);
long ns_unregister(const char *name);
/* *out = a new name-service capability with a fresh client id, to give a child. */
long ns_new_client(cap_handle_t *out);

#endif
