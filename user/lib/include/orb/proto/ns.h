/*
 * The name service protocol (user/bin/ns): how services publish an endpoint
 * under a name and how clients find it. docs/services.md has the design.
 *
 * Every process init starts that needs the name service gets an Endpoint
 * capability [SEND, GRANT] to the name server with a badge unique to that
 * process: its client id, never 0. All requests are calls; the reply's w0 is
 * 0 or -ERR_*. Requests through an unbadged capability (client id 0) are
 * refused with -ERR_PERM, and capabilities sent with anything but
 * NS_REGISTER are deleted unread.
 *
 *   NS_REGISTER  w0..w3 = the name (ns_name_pack), 2 capabilities: an
 *                UNBADGED Endpoint capability of the service with SEND and
 *                GRANT (the name server keeps a copy), then the caller's
 *                own Process [READ] (<orb/ns.h> sends it). The name belongs
 *                to the client id that registered it: registering it again
 *                from the same client id replaces the entry, from another
 *                one is -ERR_EXIST. A client id's names last as long as the
 *                process that registered its first one: the name server
 *                watches it and drops them all when it dies. One client id
 *                holds at most 8 names. -> 0, -ERR_EXIST, -ERR_INVAL (bad
 *                name, a capability missing, a badged endpoint, one without
 *                SEND and GRANT, no Process [READ]), -ERR_NOSPACE (table
 *                full, or 8 names already).
 *   NS_LOOKUP    w0..w3 = the name -> 0 and 1 capability: the service's
 *                endpoint [SEND, GRANT], badged with the CALLER's client id,
 *                so the service tells its clients apart by badge and a client
 *                always has the same badge at every service;
 *                -ERR_NOENT if no such name. (The reply carries a capability,
 *                so the caller's own capability must have GRANT.)
 *   NS_UNREGISTER w0..w3 = the name -> 0, -ERR_NOENT, or -ERR_EXIST if
 *                another client id registered it.
 *   NS_NEW_CLIENT -> 0 and 1 capability: an Endpoint [SEND, GRANT] to the
 *                name server with a fresh client id. A program that starts
 *                another one (the shell) gives it such a capability, so the
 *                child has its own identity at every service (its own VFS
 *                file descriptors, for instance).
 *
 * Reserved names. The names init publishes ("vfs", "console", "init") are
 * given to the name server at its start (argv[2] and start capabilities 2..,
 * see user/bin/ns/main.c), owned by NS_ID_INIT: they are in the table before
 * the first request of any instance, so no client can register them first,
 * even across a restart of the name server.
 *
 * Client ids (badges). Init hands out the ids below NS_ID_SERVER_BASE, one
 * per service, the same across restarts; the name server gives
 * NS_NEW_CLIENT ids from NS_ID_SERVER_BASE * its instance number (init
 * passes the instance, 1, 2, ... for each restart, as argv[1]), so ids are
 * never handed out twice, even by a restarted name server. Fixed ids:
 * NS_ID_INIT is init's own; NS_ID_KBD is the badge of the keyboard driver's
 * capability to the console endpoint (so the console can tell key events
 * from client calls; the driver itself holds no name-service capability).
 * Every client id is below NS_ID_LIMIT: a service may give the badges above
 * it a meaning of its own (the console's CON_BADGE_SELF).
 *
 * Names: 1..NS_NAME_MAX bytes of [a-z0-9._-], packed into four words.
 */
#ifndef ORB_PROTO_NS_H
#define ORB_PROTO_NS_H

#include <stdint.h>
#include <string.h>

#define NS_REGISTER   0x4e530001u
#define NS_LOOKUP     0x4e530002u
#define NS_UNREGISTER 0x4e530003u
#define NS_NEW_CLIENT 0x4e530004u

#define NS_NAME_MAX 31 /* bytes; the 32nd is always 0 */

/* Client ids (see above). */
#define NS_ID_INIT	  1ull
#define NS_ID_KBD	  2ull
#define NS_ID_SVC_FIRST	  16ull /* init's services: NS_ID_SVC_FIRST + table index */
#define NS_ID_SERVER_BASE (1ull << 32)
#define NS_ID_LIMIT	  (1ull << 48)

/* Packs a name into w[0..3] (zero padded); -1 if it is empty or too long. */
static inline int ns_name_pack(const char *name, uint64_t w[4])
{
	size_t n = strlen(name);
	if (n == 0 || n > NS_NAME_MAX)
		return -1;
	memset(w, 0, 4 * sizeof(uint64_t));
	memcpy(w, name, n);
	return 0;
}

/* Unpacks w[0..3] into out[NS_NAME_MAX + 1]. */
static inline void ns_name_unpack(const uint64_t w[4], char out[NS_NAME_MAX + 1])
{
	memcpy(out, w, NS_NAME_MAX);
	out[NS_NAME_MAX] = 0;
}

#endif
