/*
 * The light node: peers, the address manager and header sync on one
 * event loop (the contract wallet sync codes against).
 *
 * Peers. With a --connect list only those peers are dialled (redialled
 * with a growing pause, 1 s to 30 s, after they drop; never while
 * banned); names in it are resolved through the loop's asynchronous
 * resolver, or handed to the SOCKS5 proxy as names when there is one.
 * Otherwise addresses come from the store (spv/addrman.h), DNS seeds
 * (resolved asynchronously; through a proxy the seeds are dialled by name
 * instead, so no name is looked up locally) and addr/addrv2 gossip, and
 * max_outbound peers are kept, at most one per network group, only those
 * offering want_services when their services are known.
 *
 * Header sync. One peer at a time (the sync peer: the ready peer that
 * claims the highest chain and has not yet answered) gets a getheaders
 * with the chain's locator; a full batch (2000) is followed by the next
 * getheaders from the batch's last header; a shorter one means the peer
 * has nothing more ("caught up"). Every batch goes through
 * spv_chain_process_headers: a header that proves invalid data
 * (spv_hdr_reason_is_invalid) bans the peer; a batch that does not
 * connect to our own locator (which ends at our base, so an honest one
 * always connects) bans it; a header too far in
 * the future drops it (it may become valid); a branch with less work than
 * ours is kept as a side branch by the chain and the peer that offered it
 * is dropped (it has nothing we need). Announcements (headers pushed
 * after sendheaders, or block invs) are processed the same way, and an
 * announcement that does not connect is followed by a getheaders.
 * A getheaders unanswered within the stall timeout drops the peer (no
 * ban: slowness is not misbehaviour) and the request goes to another.
 * The chain is synced when every ready peer has answered a getheaders
 * and none is outstanding: it then holds the most-work chain any peer
 * offers (the chain's fork choice, never length or a peer's claim).
 *
 * Misbehaviour: scores add up per connection; at 100 the peer is banned
 * (reason and expiry persisted when there is a store) and dropped.
 *
 * Every function here is for the loop's thread; those marked so may be
 * called from loop callbacks (hooks included).
 */
#ifndef KOBAN_SPV_NODE_H
#define KOBAN_SPV_NODE_H

#include "spv/chain.h"
#include "spv/loop.h"
#include "spv/peer.h"
#include "wallet/network.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wallet_store;
struct spv_node;

struct spv_node_opts {
	enum kb_net net;
	struct spv_loop *loop;            /* borrowed (spv/loop.h) */
	const char *headers_path;         /* the header store file (spv_chain_open); NULL: in memory */
	struct wallet_store *store;       /* borrowed, may be NULL: peers and bans persist there */
	int64_t birthday;                 /* unix time for the chain's starting checkpoint; <= 0 genesis */
	const char *const *connect;       /* --connect HOST[:PORT] list (only these peers), may be NULL; copied */
	size_t nconnect;
	const char *proxy;                /* --proxy HOST:PORT (SOCKS5), may be NULL; copied */
	size_t max_outbound;              /* 0: 8 (with a connect list: its size) */
	uint64_t want_services;           /* services a peer must offer; 0: NODE_NETWORK|NODE_WITNESS */
	bool relay;                       /* version message relay flag */
	/* Timeouts in ms; 0 for the defaults (stall 30 s, handshake 20 s,
	 * connect 10 s or 30 s through a proxy, pong 60 s). */
	int64_t stall_timeout_ms;
	int64_t handshake_timeout_ms;
	int64_t connect_timeout_ms;
	int64_t ping_timeout_ms;
};

/*
 * Opens the header chain and prepares the node; nothing touches the
 * network until spv_node_start. *out is the node (caller frees with
 * spv_node_free) or NULL on failure with err saying why (the chain's
 * errors: KB_EIO, KB_ELOCKED, ...; KB_EINVAL for a bad --connect or
 * --proxy value).
 */
enum kb_rc spv_node_new(struct spv_node **out, const struct spv_node_opts *o, char *err,
                        size_t errlen) KB_WUR;
/* Closes every peer (peer_gone is called for each), saves the address
 * manager, flushes and closes the chain, frees. Not from a loop callback.
 * NULL is a no-op. */
void spv_node_free(struct spv_node *n);
/* Starts resolving and connecting; returns at once. KB_EIO when the
 * resolver cannot be made. Call once. */
enum kb_rc spv_node_start(struct spv_node *n) KB_WUR;
/* The validated header chain (borrowed; valid until spv_node_free). */
struct spv_chain *spv_node_chain(struct spv_node *n);

struct spv_node_hooks {                                  /* all optional; called from loop callbacks */
	void (*peer_ready)(void *arg, struct spv_peer *p);   /* handshake done (version/verack) */
	void (*peer_gone)(void *arg, struct spv_peer *p);    /* about to be freed: forget it */
	/* Every message the node does not consume itself (merkleblock, tx,
	 * inv, notfound, pong of another's ping, reject, ...); the payload
	 * passed framing checks. Return false to have the node score the
	 * peer (10) for an unexpected message. inv is also read by the node
	 * (block announcements) before it is passed on. */
	bool (*message)(void *arg, struct spv_peer *p, const char *command, const uint8_t *payload,
	                size_t len);
	void (*chain_changed)(void *arg, const struct spv_chain_change *change);  /* reorg or extension */
	void (*headers_synced)(void *arg);                  /* the chain matches the best any peer offers */
};
/* Sets the hooks (copied) and their argument. Loop-callback safe. */
void spv_node_set_hooks(struct spv_node *n, const struct spv_node_hooks *h, void *arg);

/* Scores misbehaviour; at 100 the peer is banned (persisted with reason
 * and expiry) and dropped. Loop-callback safe. */
void spv_node_misbehaving(struct spv_node *n, struct spv_peer *p, int score, const char *reason);
/* Disconnects p without a ban (freed later). Loop-callback safe. */
void spv_node_drop(struct spv_node *n, struct spv_peer *p, const char *reason);
/* Writes up to max ready peers to out; returns how many. */
size_t spv_node_ready_peers(struct spv_node *n, struct spv_peer **out, size_t max);
/* From now on dial only peers offering services too (e.g. NODE_BLOOM);
 * connected peers that lack them are kept until enough others are found. */
void spv_node_want_services(struct spv_node *n, uint64_t services);

struct spv_peer_info {
	uint32_t id;
	char addr[64];
	uint64_t services;
	char user_agent[128];
	int32_t version;
	int32_t start_height;
	int64_t ping_ms;
	char state[24];
	bool inbound;
};

struct spv_node_status {
	uint32_t headers_height;      /* our tip */
	uint32_t target_height;       /* best start height/announcement any ready peer offers */
	size_t peers_ready, peers_connecting;
	bool headers_synced;
	double headers_per_sec;
	/* true when the node cannot make progress by itself: no address
	 * left to try, every peer banned, or every --connect peer failing
	 * repeatedly; why says which. */
	bool stuck;
	char why[200];
};
void spv_node_status(const struct spv_node *n, struct spv_node_status *s);
size_t spv_node_peer_info(const struct spv_node *n, struct spv_peer_info *out, size_t max);

/* Peers dropped or banned during this run, oldest first (a ring of the
 * last SPV_NODE_MAX_EVENTS). */
#define SPV_NODE_MAX_EVENTS 64
struct spv_node_event {
	char addr[64];
	bool banned;
	char reason[200];
};
size_t spv_node_events(const struct spv_node *n, struct spv_node_event *out, size_t max);

/* The lowest fee rate (sat per 1000 vB) the ready peers accept (their
 * feefilter, BIP133): the highest of them; 0 when none sent one. */
int64_t spv_node_fee_floor(const struct spv_node *n);

#endif
