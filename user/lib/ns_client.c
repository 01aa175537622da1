/*
 * The name-service client (<orb/ns.h>): one call per request, the
 * capabilities through the calling thread's IPC buffer.
 *
 * State: the name-service capability (set once, normally before any thread
 * is started; read atomically). Trust: a reply is believed only as far as it
 * can be checked: a lookup must bring back exactly one capability, or it is
 * an error (and anything that came is deleted).
 */
#include <string.h>
#include <orb/ns.h>
#include <orb/proto/ns.h>
#include <orb/spawn.h>
#include <orb/thread.h>

static cap_handle_t ns_capability;

void ns_use(cap_handle_t ns)
{
	__atomic_store_n(&ns_capability, ns, __ATOMIC_RELEASE);
}

cap_handle_t ns_cap(void)
{
	cap_handle_t c = __atomic_load_n(&ns_capability, __ATOMIC_ACQUIRE);
	return c ? c : orb_start_cap(0);
}

/* Deletes the capabilities a reply brought. */
static void ns_drop_caps(const struct orb_msg *m, const struct ipc_buffer *b)
{
	unsigned n = IPC_TAG_NCAPS(m->tag);
	for (unsigned i = 0; b && i < n && i < IPC_MAX_CAPS; i++)
		orb_cap_delete(b->recv_caps[i]);
}

/*
 * One call: label, the name (or none) and up to one capability to send; a
 * capability in the reply goes to *out (if out is given, else it is deleted).
 */
static long ns_call(uint32_t label, const char *name, cap_handle_t send, cap_handle_t *out)
{
	struct ipc_buffer *b = orb_ipc_buf();
	struct orb_msg m;
	cap_handle_t ns = ns_cap();

	if (!ns)
		return -ERR_BADCAP;
	if (!b && (send || out))
		return -ERR_INVAL;
	memset(&m, 0, sizeof(m));
	if (name && ns_name_pack(name, m.w) != 0)
		return -ERR_INVAL;
	/* A registration names its registrant too: the name goes when this process dies. */
	long self = 0;
	if (send && (self = orb_cap_derive(orb_self(), CAP_RIGHT_READ, 0)) < 0)
		return self;
	if (send) {
		b->send_caps[0] = send;
		b->send_caps[1] = (cap_handle_t)self;
	}
	m.tag = IPC_TAG(label, 4, send ? 2 : 0);
	long r = orb_call(ns, &m, IPC_TIMEOUT_NEVER);
	if (self > 0)
		orb_cap_delete((cap_handle_t)self); /* the name server has its own copy */
	if (r < 0)
		return r;
	r = (long)m.w[0];
	if (r == 0 && out) {
		if (IPC_TAG_NCAPS(m.tag) != 1)
			r = -ERR_BADCAP; /* the server promised one capability */
		else {
			*out = b->recv_caps[0];
			return 0;
		}
	}
	ns_drop_caps(&m, b);
	return r > 0 ? -ERR_INVAL : r;
}

long ns_lookup(const char *name, cap_handle_t *out)
{
	if (!name || !out)
		return -ERR_INVAL;
	return ns_call(NS_LOOKUP, name, 0, out);
}

long ns_register(const char *name, cap_handle_t ep)
{
	if (!name || !ep)
		return -ERR_INVAL;
	return ns_call(NS_REGISTER, name, ep, NULL);
}

long ns_unregister(const char *name)
{
	if (!name)
		return -ERR_INVAL;
	return ns_call(NS_UNREGISTER, name, 0, NULL);
}

long ns_new_client(cap_handle_t *out)
{
	if (!out)
		return -ERR_INVAL;
	return ns_call(NS_NEW_CLIENT, NULL, 0, out);
}
