/*
 * ns: the name server. One process, one thread, a recv/reply_recv loop on
 * one endpoint; the protocol is <orb/proto/ns.h>, the design
 * docs/services.md.
 *
 * Start-up (given by init): start capability 0 = the name-service endpoint
 * [RECV]; 1 = the same endpoint, unbadged, [SEND, GRANT], from which
 * NS_NEW_CLIENT derives badged client capabilities; argv[1] = this
 * instance's number (1 for the first start, one more for each restart),
 * which sets the range of the client ids it hands out, so a restarted name
 * server never repeats an id; argv[2] (optional) = the reserved names,
 * "NAME,NAME,...", whose endpoints are start capabilities 2, 3, ... (each
 * unbadged, [SEND, GRANT]). The reserved names are in the table, owned by
 * NS_ID_INIT, before the first request is received: whenever a name server
 * starts (at boot or after a crash) init's names are there already, and no
 * other client can register them first.
 *
 * Trust boundary: every message is untrusted. The client id is the badge
 * the kernel reports (unforgeable); badge 0 is refused. One client id holds
 * at most NS_NAMES_PER_CLIENT names, so it cannot fill the table, and its
 * names last only as long as the process that registered the first of them
 * (ns_clients.c: watched with SYS_PROC_WATCH), so a dead program's names do
 * not squat for ever. Names are decoded
 * strictly (ns_table_name_decode); a capability sent for registration is
 * identified (an unbadged Endpoint with SEND and GRANT) before it is kept,
 * and every other capability received is deleted unread. A capability is
 * handed out only as a badged child with SEND and GRANT, never RECV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <orb/proto/ns.h>
#include <orb/spawn.h>
#include <orb/sys.h>
#include "ns_clients.h"
#include "ns_table.h"

#define NS_CLIENT_RIGHTS    (CAP_RIGHT_SEND | CAP_RIGHT_GRANT)
#define NS_NAMES_PER_CLIENT 8			   /* names one client id may hold at once */
#define NS_REAP_NS	    (500ull * 1000 * 1000) /* a dead registrant's names go within this */

static struct ns_table ns_names;
static cap_handle_t ns_self_ep; /* unbadged [SEND, GRANT]: the source of client capabilities */
static uint64_t ns_next_id;	/* the next NS_NEW_CLIENT id */
static uint64_t ns_last_id;	/* the last id of this instance's range */

/* Deletes the capabilities a request carried (all of them, from index from on). */
static void ns_drop_caps(const struct orb_msg *m, unsigned from)
{
	struct ipc_buffer *b = orb_ipc_buf();
	unsigned n = IPC_TAG_NCAPS(m->tag);
	for (unsigned i = from; b && i < n && i < IPC_MAX_CAPS; i++)
		orb_cap_delete(b->recv_caps[i]);
}

/* True if h is an unbadged Endpoint capability with SEND and GRANT. */
static bool ns_cap_publishable(cap_handle_t h)
{
	struct cap_info ci;
	if (orb_cap_identify(h, &ci) != 0)
		return false;
	return ci.type == CAP_TYPE_ENDPOINT && ci.badge == 0 &&
	       (ci.rights & NS_CLIENT_RIGHTS) == NS_CLIENT_RIGHTS;
}

/* NS_REGISTER: capability 0 the endpoint, 1 the registrant's own Process [READ]. */
static long ns_do_register(const struct orb_msg *m, uint64_t client, const char *name)
{
	struct ipc_buffer *b = orb_ipc_buf();
	if (IPC_TAG_NCAPS(m->tag) != 2 || !b) {
		ns_drop_caps(m, 0);
		return -ERR_INVAL;
	}
	cap_handle_t cap = b->recv_caps[0];
	if (!ns_cap_publishable(cap)) {
		orb_cap_delete(cap);
		orb_cap_delete(b->recv_caps[1]);
		return -ERR_INVAL;
	}
	long r = ns_clients_hold(client, b->recv_caps[1]); /* consumes the Process */
	uint32_t old = 0;
	if (r == 0)
		r = ns_table_register(&ns_names, name, client, cap, &old);
	if (r != 0) {
		orb_cap_delete(cap);
		ns_clients_release_if_unused(&ns_names, client);
	}
	if (old)
		orb_cap_delete(old);
	return r;
}

/* Puts a fresh child of src (badged for client) into the reply. */
static long ns_reply_cap(struct orb_msg *m, cap_handle_t src, uint64_t badge, cap_handle_t *made)
{
	struct ipc_buffer *b = orb_ipc_buf();
	long h = orb_cap_derive(src, NS_CLIENT_RIGHTS, badge);
	if (h < 0)
		return h;
	*made = (cap_handle_t)h;
	b->send_caps[0] = (cap_handle_t)h;
	m->tag = IPC_TAG(IPC_TAG_LABEL(m->tag), 4, 1);
	return 0;
}

/*
 * Handles one request in m and fills m with the reply. A capability made for
 * the reply is returned in *made: the caller deletes it once the reply has
 * gone (the client's copy is a child of it and stays).
 */
static void ns_handle(struct orb_msg *m, cap_handle_t *made)
{
	uint32_t label = IPC_TAG_LABEL(m->tag);
	uint64_t client = m->badge;
	char name[NS_NAME_MAX + 1];
	long r;
	uint32_t cap = 0;

	*made = 0;
	if (client == 0) {
		r = -ERR_PERM; /* only badged capabilities are clients */
		ns_drop_caps(m, 0);
		goto out;
	}
	if (label != NS_REGISTER)
		ns_drop_caps(m, 0);
	if (label != NS_NEW_CLIENT && ns_table_name_decode(m->w, name) != 0) {
		if (label == NS_REGISTER)
			ns_drop_caps(m, 0);
		r = -ERR_INVAL;
		goto out;
	}
	switch (label) {
	case NS_REGISTER:
		r = ns_do_register(m, client, name);
		break;
	case NS_LOOKUP:
		r = ns_table_lookup(&ns_names, name, &cap);
		if (r == 0)
			r = ns_reply_cap(m, cap, client, made);
		break;
	case NS_UNREGISTER:
		r = ns_table_unregister(&ns_names, name, client, &cap);
		if (cap)
			orb_cap_delete(cap);
		ns_clients_release_if_unused(&ns_names, client);
		break;
	case NS_NEW_CLIENT:
		if (ns_next_id > ns_last_id) {
			r = -ERR_NOSPACE;
			break;
		}
		r = ns_reply_cap(m, ns_self_ep, ns_next_id, made);
		if (r == 0)
			ns_next_id++;
		break;
	default:
		r = -ERR_NOSYS;
		break;
	}
out:
	if (!*made)
		m->tag = IPC_TAG(label, 1, 0);
	memset(m->w, 0, sizeof(m->w));
	m->w[0] = (uint64_t)r;
}

/*
 * Registers the reserved names of list ("NAME,NAME,...", from init) for
 * NS_ID_INIT, the i-th with start capability 2 + i. Returns how many; a name
 * or capability that does not fit is logged and skipped.
 */
static unsigned ns_reserve(const char *list)
{
	unsigned n = 0, i = 0;
	while (list && *list) {
		char name[NS_NAME_MAX + 1];
		size_t len = 0;
		while (list[len] && list[len] != ',')
			len++;
		cap_handle_t cap = orb_start_cap(2 + i++);
		uint32_t old = 0;
		int r = -ERR_INVAL;
		if (len <= NS_NAME_MAX && cap && ns_cap_publishable(cap)) {
			memcpy(name, list, len);
			name[len] = 0;
			r = ns_table_register(&ns_names, name, NS_ID_INIT, cap, &old);
		}
		if (r == 0)
			n++;
		else
			printf("ns: reserved name %u not registered: error %d\n", i - 1, r);
		list += len + (list[len] == ',');
	}
	return n;
}

int main(int argc, char **argv)
{
	cap_handle_t ep = orb_start_cap(0);
	ns_self_ep = orb_start_cap(1);
	unsigned long instance = argc > 1 && argv[1] ? strtoul(argv[1], NULL, 0) : 0;
	if (!ep || !ns_self_ep || !ns_cap_publishable(ns_self_ep) || instance == 0 ||
	    instance >= NS_ID_LIMIT / NS_ID_SERVER_BASE) {
		printf("ns: bad start-up capabilities or arguments; exiting\n");
		return 2;
	}
	ns_next_id = NS_ID_SERVER_BASE * instance;
	ns_last_id = ns_next_id + (NS_ID_SERVER_BASE - 1);
	ns_table_init(&ns_names);
	unsigned reserved = ns_reserve(argc > 2 ? argv[2] : NULL);
	ns_names.per_owner = NS_NAMES_PER_CLIENT;
	long death = orb_ntfn_create();
	if (death < 0) {
		printf("ns: no notification (%ld); exiting\n", death);
		return 2;
	}
	ns_clients_init((cap_handle_t)death);
	printf("ns: ready (instance %lu, %u reserved names)\n", instance, reserved);

	struct orb_msg m;
	cap_handle_t made = 0;
	memset(&m, 0, sizeof(m));
	long r = orb_recv(ep, &m, NS_REAP_NS);
	for (;;) {
		ns_clients_reap(&ns_names); /* before each request, and when idle */
		if (r < 0) {
			/* Nothing received (a timeout, or the reply failed: a caller that died). */
			memset(&m, 0, sizeof(m));
			r = orb_recv(ep, &m, NS_REAP_NS);
			continue;
		}
		ns_handle(&m, &made);
		r = orb_reply_recv(ep, &m, NS_REAP_NS);
		if (made) {
			/* The reply has gone (or failed): our copy of the client capability goes.
			 */
			orb_cap_delete(made);
			made = 0;
		}
		if (r < 0 && r != -ERR_TIMEOUT) {
			/* The reply itself failed (not a caller that died: the kernel receives
			 * then): answer without the capability rather than leave the caller. */
			memset(&m, 0, sizeof(m));
			m.tag = IPC_TAG(0, 1, 0);
			m.w[0] = (uint64_t)(long)r;
			orb_reply(&m);
		}
	}
}
