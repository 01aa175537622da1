/*
 * The name server's registrants: which process stands behind each client
 * id that holds names, so that its names go when it dies.
 *
 * NS_REGISTER carries the registrant's own Process [READ] capability after
 * the endpoint. The first registration of a client id adds that process to
 * the server's watch set (<orb/watchset.h>, SYS_PROC_WATCH; later ones of
 * the same id give theirs back); the record goes with the id's last name.
 * When the process has died, ns_clients_reap() removes every name of that
 * client id and the record. The names init reserves at start-up have no
 * record: they never go.
 *
 * Invariants: a record in use has a non-zero client id, distinct from every
 * other record's, and is one user of its process's watch-set entry.
 *
 * Single-threaded, like the whole server.
 */
#ifndef NS_CLIENTS_H
#define NS_CLIENTS_H

#include <stdint.h>
#include <orb/sys.h>
#include <orb/watchset.h>
#include "ns_table.h"

#define NS_CLIENTS_MAX NS_TABLE_MAX /* each holds a name at least */

/* Sets the death notification [SEND, RECV] the watches signal. */
void ns_clients_init(cap_handle_t death);

/*
 * Before registering a name for client: checks proc (consumed: kept or
 * deleted) is a Process [READ] and makes sure client has a record watching
 * its process. 0, -ERR_INVAL (not a Process with READ), -ERR_NOSPACE (no
 * free record) or the kernel's error watching it.
 */
long ns_clients_hold(uint64_t client, cap_handle_t proc);

/* After an unregistration: drops client's record if it holds no name any more. */
void ns_clients_release_if_unused(const struct ns_table *t, uint64_t client);

/* Polls the death notification; removes the names and records of dead registrants. */
void ns_clients_reap(struct ns_table *t);

#endif
