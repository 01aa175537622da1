/*
 * The name server's registrants and their deaths (see ns_clients.h).
 */
#include <string.h>
#include "ns_clients.h"

struct ns_client {
	uint64_t id; /* the client id (badge); 0 = record free */
	long watch;  /* its registrant's entry in ns_watched */
};

static struct ns_client ns_clients[NS_CLIENTS_MAX];
static struct watchset ns_watched;

void ns_clients_init(cap_handle_t death)
{
	watchset_init(&ns_watched, death);
}

static struct ns_client *ns_client_find(uint64_t id)
{
	for (unsigned i = 0; i < NS_CLIENTS_MAX; i++)
		if (ns_clients[i].id == id)
			return &ns_clients[i];
	return NULL;
}

long ns_clients_hold(uint64_t client, cap_handle_t proc)
{
	struct cap_info ci;
	if (!proc || orb_cap_identify(proc, &ci) != 0 || ci.type != CAP_TYPE_PROCESS ||
	    !(ci.rights & CAP_RIGHT_READ)) {
		if (proc)
			orb_cap_delete(proc);
		return -ERR_INVAL; /* no name without its registrant's life to watch */
	}
	if (ns_client_find(client)) {
		orb_cap_delete(proc); /* watched already */
		return 0;
	}
	struct ns_client *c = ns_client_find(0);
	if (!c) {
		orb_cap_delete(proc);
		return -ERR_NOSPACE;
	}
	long w = watchset_add(&ns_watched, proc); /* consumes proc */
	if (w < 0)
		return w;
	c->id = client;
	c->watch = w;
	return 0;
}

static void ns_client_drop(struct ns_client *c)
{
	watchset_put(&ns_watched, c->watch);
	memset(c, 0, sizeof(*c));
}

void ns_clients_release_if_unused(const struct ns_table *t, uint64_t client)
{
	struct ns_client *c = ns_client_find(client);
	if (!c)
		return;
	for (unsigned i = 0; i < NS_TABLE_MAX; i++)
		if (t->e[i].used && t->e[i].owner == client)
			return;
	ns_client_drop(c);
}

void ns_clients_reap(struct ns_table *t)
{
	uint64_t dead = watchset_dead(&ns_watched);
	for (unsigned i = 0; dead && i < NS_CLIENTS_MAX; i++) {
		struct ns_client *c = &ns_clients[i];
		if (!c->id || !(dead & (1ull << c->watch)))
			continue;
		/* Its registrant died: its names go, and the endpoints the table held. */
		for (unsigned k = 0; k < NS_TABLE_MAX; k++) {
			uint32_t old = 0;
			if (t->e[k].used && t->e[k].owner == c->id &&
			    ns_table_unregister(t, t->e[k].name, c->id, &old) == 0 && old)
				orb_cap_delete(old);
		}
		ns_client_drop(c);
	}
}
