/*
 * The address manager: which peers koban knows, which it has reached, and
 * which it refuses.
 *
 * Two tables, as Bitcoin Core's addrman: "new" (heard of: DNS seeds,
 * addr/addrv2 gossip) and "tried" (a handshake succeeded once). Outbound
 * peers are chosen across network groups (spv/netaddr.h: at most one per
 * IPv4 /16, IPv6 /32), from the tried table half of the time when both are
 * filled, skipping addresses tried in the last minute, and, when an
 * address's services are known, those that lack the wanted services.
 *
 * Bans: a key (the address without its port; with its port for loopback
 * and other unroutable addresses, where distinct ports are distinct
 * nodes on one machine, or a host name dialled through a proxy), a reason
 * and an expiry. They are checked before dialling.
 *
 * Persistence: with a wallet store (borrowed), entries and bans are loaded
 * by spv_addrman_load and written to its peers and bans tables (wallet/
 * store.h) -- bans at once, entries by spv_addrman_save in one
 * transaction. Without a store everything lives for the process only.
 * The table is capped (SPV_ADDRMAN_MAX entries): gossip beyond it evicts
 * the stalest "new" entry. Not thread-safe; fine from loop callbacks.
 */
#ifndef KOBAN_SPV_ADDRMAN_H
#define KOBAN_SPV_ADDRMAN_H

#include "spv/netaddr.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wallet_store;
struct spv_addrman;

#define SPV_ADDRMAN_MAX 4096
/* A ban key: an address, or a host name and port (through a proxy). */
#define SPV_ADDRMAN_KEYLEN 272
/* Default ban: one day, as Bitcoin Core's -bantime. */
#define SPV_ADDRMAN_BAN_SECONDS (24 * 60 * 60)

struct spv_addrman_entry {
	struct spv_netaddr addr;
	uint64_t services;
	bool services_known;
	int64_t last_seen;    /* unix seconds; -1 never */
	int64_t last_try;     /* -1 never */
	int64_t last_success; /* -1 never */
	uint32_t attempts;    /* failures since the last success */
	bool tried;
	bool dirty;           /* not yet written to the store */
	char source[24];
};

/* A new, empty manager. store is borrowed (may be NULL) and must outlive
 * it. Caller frees with spv_addrman_free. Never fails. */
struct spv_addrman *spv_addrman_new(struct wallet_store *store);
void spv_addrman_free(struct spv_addrman *a);

/* Reads the peers and live bans from the store (KB_OK without a store;
 * KB_EDB from the store). Entries that do not parse are skipped. */
enum kb_rc spv_addrman_load(struct spv_addrman *a, int64_t now) KB_WUR;
/* Writes changed entries to the store in one transaction (KB_OK without
 * a store). */
enum kb_rc spv_addrman_save(struct spv_addrman *a) KB_WUR;

/*
 * Adds an address heard of (or refreshes its last_seen and services).
 * allow_local admits unroutable addresses (tests on loopback); otherwise
 * those are refused. Returns true when the table changed.
 */
bool spv_addrman_add(struct spv_addrman *a, const struct spv_netaddr *addr, uint64_t services,
                     bool services_known, int64_t seen, const char *source, bool allow_local);
/* A dial started (last_try = now). */
void spv_addrman_attempt(struct spv_addrman *a, const struct spv_netaddr *addr, int64_t now);
/* A dial or handshake failed (attempts + 1). */
void spv_addrman_failed(struct spv_addrman *a, const struct spv_netaddr *addr);
/* A handshake succeeded: moves the address to "tried" with its services. */
void spv_addrman_good(struct spv_addrman *a, const struct spv_netaddr *addr, uint64_t services,
                      int64_t now);
/* Number of entries; *tried (optional) how many are tried. */
size_t spv_addrman_count(const struct spv_addrman *a, size_t *tried);
/* The entry of addr, or NULL (borrowed until the next change). */
const struct spv_addrman_entry *spv_addrman_find(const struct spv_addrman *a,
                                                 const struct spv_netaddr *addr);

/*
 * Picks an address to dial: not banned, not in one of the nused groups
 * in use, not tried within the last 60 s, and offering want_services when
 * its services are known. KB_ENOTFOUND when none fits (*out zeroed).
 * rnd (may be NULL: libsodium's randombytes_uniform) picks among
 * candidates; tests pass a deterministic one.
 */
enum kb_rc spv_addrman_select(struct spv_addrman *a, struct spv_netaddr *out,
                              const struct spv_netgroup *used, size_t nused,
                              uint64_t want_services, int64_t now,
                              uint32_t (*rnd)(uint32_t upper)) KB_WUR;

/* The ban key of an address (see above). */
void spv_addrman_ban_key(const struct spv_netaddr *addr, char out[SPV_ADDRMAN_KEYLEN]);
/* Bans key until `until` with reason (persisted when there is a store;
 * KB_EDB if writing it failed: the ban still holds in memory). */
enum kb_rc spv_addrman_ban(struct spv_addrman *a, const char *key, const char *reason,
                           int64_t until, int64_t now) KB_WUR;
/* True when key is banned at now; reason (optional) gets the reason. */
bool spv_addrman_is_banned(const struct spv_addrman *a, const char *key, int64_t now,
                           char *reason, size_t reasonlen);
/* Number of bans live at now. */
size_t spv_addrman_ban_count(const struct spv_addrman *a, int64_t now);

#endif
