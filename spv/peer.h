/*
 * One P2P connection, as an explicit state machine on the event loop:
 *
 *   CONNECTING --(TCP up)--> [SOCKS_METHOD -> SOCKS_CONNECT] --> VERSION_SENT
 *   VERSION_SENT --(their version + verack)--> READY
 *   any state --(error, timeout, misbehaviour, spv_peer_close)--> DEAD
 *
 * Through a SOCKS5 proxy (spv/socks5.h) the peer's host goes to the proxy
 * as a name (onion addresses included), so nothing is resolved locally.
 * On connect koban sends version (services 0, start height = our tip,
 * relay flag per opts), and before verack sendaddrv2 (BIP155); after the
 * handshake sendheaders (BIP130) and getaddr. Incoming bytes feed the
 * frame decoder of spv/msg.h, which checks magic, size cap, checksum and
 * payload in that order; a framing failure kills the connection with its
 * reason and reports a misbehaviour score (the stream cannot be
 * resynchronised). The peer answers ping itself, sends a ping with a
 * random nonce every 2 minutes and expects the pong within the pong
 * timeout. Deadlines (connect, handshake, pong, an outstanding request)
 * are checked by spv_peer_tick, which the node calls from its timer.
 *
 * Ownership: the node owns every peer. A peer whose fd callback finds it
 * must die only marks itself DEAD (spv_peer_is_dead) and reports through
 * ops.dead; the owner frees it later with spv_peer_free from outside the
 * peer's callbacks (the loop's before-sleep hook), never from inside one.
 */
#ifndef KOBAN_SPV_PEER_H
#define KOBAN_SPV_PEER_H

#include "spv/loop.h"
#include "spv/msg.h"
#include "spv/netaddr.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spv_peer;

enum spv_peer_state {
	SPV_PEER_CONNECTING = 0,
	SPV_PEER_SOCKS_METHOD,  /* greeting sent to the proxy */
	SPV_PEER_SOCKS_CONNECT, /* CONNECT sent to the proxy */
	SPV_PEER_VERSION_SENT,
	SPV_PEER_READY,
	SPV_PEER_DEAD,
};
const char *spv_peer_state_str(enum spv_peer_state s);

#define SPV_PEER_PROTOCOL_VERSION 70016
#define SPV_PEER_MIN_VERSION 70002    /* sendheaders needs 70012; older is still usable */
#define SPV_PEER_USER_AGENT "/koban:0.1/"
#define SPV_PEER_PING_INTERVAL_MS (2 * 60 * 1000)

/* What a peer reports upward (all called from loop callbacks). */
struct spv_peer_ops {
	/* The handshake is done. */
	void (*ready)(void *arg, struct spv_peer *p);
	/*
	 * A message the peer did not consume itself (everything but version,
	 * verack, ping, pong, sendaddrv2, wtxidrelay, sendcmpct). m is the
	 * parsed message (type SPV_MSG_UNKNOWN for a command not in msg.h's
	 * table); payload is its raw bytes. Both borrowed for the call.
	 */
	void (*message)(void *arg, struct spv_peer *p, const char *command, const struct spv_msg *m,
	                const uint8_t *payload, size_t len);
	/* The peer broke a rule: add score (its reason in words). The peer
	 * may already be dead (framing errors kill it at once). */
	void (*misbehaving)(void *arg, struct spv_peer *p, int score, const char *reason);
	/* The peer just became DEAD (reason: spv_peer_dead_reason). */
	void (*dead)(void *arg, struct spv_peer *p);
};

struct spv_peer_opts {
	struct spv_loop *loop;        /* borrowed */
	uint8_t magic[4];
	int32_t start_height;         /* our tip, for version */
	bool relay;                   /* version's relay flag */
	/* Where to connect: addr (when host is NULL) directly, or through the
	 * proxy; host (a name or onion, with port) only through the proxy. */
	struct spv_netaddr addr;
	const char *host;             /* borrowed for the call; may be NULL */
	uint16_t port;                /* with host */
	const struct sockaddr_storage *proxy; /* borrowed for the call; NULL: direct */
	socklen_t proxy_len;
	int64_t connect_timeout_ms;   /* 0: 10 s (30 s through a proxy) */
	int64_t handshake_timeout_ms; /* 0: 20 s */
	int64_t ping_timeout_ms;      /* 0: 60 s */
	uint32_t id;
	const struct spv_peer_ops *ops; /* borrowed, static */
	void *arg;                    /* borrowed */
};

/*
 * Starts a connection. *out is the peer (state CONNECTING) or, on KB_ENET
 * (the connect failed at once), NULL. KB_EINVAL for a host without a
 * proxy or an address that cannot be dialled. Caller frees with
 * spv_peer_free.
 */
enum kb_rc spv_peer_new(struct spv_peer **out, const struct spv_peer_opts *o) KB_WUR;
/* Closes the socket and frees. Not from inside this peer's callbacks
 * (mark it dead with spv_peer_close instead). NULL is a no-op. */
void spv_peer_free(struct spv_peer *p);
/* Marks the peer DEAD with reason (first reason wins), closes its socket
 * watch and calls ops.dead once. Safe from any callback. */
void spv_peer_close(struct spv_peer *p, const char *reason);

/* Checks the deadlines (connect, handshake, pong) and sends a ping when
 * one is due; may mark the peer dead. now is the loop clock. */
void spv_peer_tick(struct spv_peer *p, int64_t now);

/* Queues a framed message (koban adds the 24-byte header). KB_ELIMIT over
 * the command's cap in spv/msg.h's table (SPV_MSG_MAX_PAYLOAD for others);
 * KB_EINVAL for a dead peer or a command that is empty or over 12 bytes. */
enum kb_rc spv_peer_send(struct spv_peer *p, const char *command, const uint8_t *payload,
                         size_t len) KB_WUR;
/* Serialises and queues m (no error for a live peer). */
void spv_peer_send_msg(struct spv_peer *p, const struct spv_msg *m);

/* Queries. */
enum spv_peer_state spv_peer_state(const struct spv_peer *p);
bool spv_peer_is_dead(const struct spv_peer *p);
bool spv_peer_is_ready(const struct spv_peer *p);
const char *spv_peer_dead_reason(const struct spv_peer *p);
uint32_t spv_peer_id(const struct spv_peer *p);
uint64_t spv_peer_services(const struct spv_peer *p);
int32_t spv_peer_version(const struct spv_peer *p);
int32_t spv_peer_start_height(const struct spv_peer *p);
/* The user agent with non-printable bytes replaced by '?'. */
const char *spv_peer_user_agent(const struct spv_peer *p);
bool spv_peer_relay(const struct spv_peer *p);
/* "1.2.3.4:8333" or "name.onion:8333". */
const char *spv_peer_addr_str(const struct spv_peer *p);
/* The address (zeroed for a peer dialled by name). */
const struct spv_netaddr *spv_peer_addr(const struct spv_peer *p);
/* Last round trip in ms, -1 before the first pong. */
int64_t spv_peer_ping_ms(const struct spv_peer *p);
/* The peer's feefilter (sat per 1000 vB), 0 when none was sent. */
int64_t spv_peer_feefilter(const struct spv_peer *p);
/* The peer announced sendheaders (it will push new headers). */
bool spv_peer_wants_headers(const struct spv_peer *p);

/* Free-form slot for the owner (the node's per-peer sync state). */
void spv_peer_set_owner_data(struct spv_peer *p, void *data);
void *spv_peer_owner_data(const struct spv_peer *p);

#endif
