/*
 * What the terminal UI sees of the light node, and the two things it asks
 * of it. The UI reads nothing else of spv/: this small interface is where
 * the node plugs in (issues 4 and 5).
 *
 * Two implementations: tui_nodeview_offline (--offline: status "offline",
 * no peers, broadcast refused with a clear message, no fee estimates, the
 * user types a rate) and tui_nodeview_live (tui/nodeview-live.h: the node
 * and the wallet sync of the command line's session, see there). Each
 * fills a struct tui_nodeview_ops and calls tui_nodeview_changed whenever
 * the status moved, so the UI recalculates and redraws on its next frame.
 * tui_app_run (tui/app.c) picks one. The Send screen reaches the network
 * only through tui_nodeview_broadcast (scr-send.c: send_broadcast).
 *
 * Threading: everything runs on the event loop's thread. Callbacks are
 * called from the loop, never from inside the call that started them.
 */
#ifndef KOBAN_TUI_NODEVIEW_H
#define KOBAN_TUI_NODEVIEW_H

#include "wallet/network.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spv_loop;

#define TUI_NODEVIEW_MAX_PEERS 32

struct tui_nodeview_peer {
	char address[64];        /* "203.0.113.5:8333", "[2001:db8::1]:8333", an onion */
	uint64_t services;       /* the version message's service bits */
	int64_t height;          /* its start height or best known */
	int64_t ping_ms;         /* -1 unknown */
	char state[24];          /* "connecting", "handshake", "syncing", "ready" */
};

/* A fee estimate: rate in sat per 1000 vB, for confirmation within blocks. */
struct tui_nodeview_fee {
	bool have;               /* false: "no estimate" */
	int64_t rate;            /* sat per 1000 vB */
	int blocks;              /* expected blocks */
};

struct tui_nodeview_status {
	enum kb_net net;
	bool offline;                 /* --offline, or the node is not running */
	int64_t headers_height;       /* -1 unknown */
	int64_t target_height;        /* best height peers announce; -1 unknown */
	int64_t scan_height;          /* wallet blocks scanned up to; -1 unknown */
	int64_t headers_per_s;        /* recent rate, for an estimate of time left; 0 none */
	size_t npeers;
	struct tui_nodeview_peer peers[TUI_NODEVIEW_MAX_PEERS];
	char why[160];                /* why sync is not moving; "" when it is */
	struct tui_nodeview_fee slow, normal, fast;
};

/* The result of a broadcast: ok, or why not (one line for people). */
typedef void (*tui_nodeview_broadcast_cb)(bool ok, const char *message, void *arg);
/* Called when the status changed (the UI recalcs on its next frame). */
typedef void (*tui_nodeview_changed_cb)(void *arg);

struct tui_nodeview;

struct tui_nodeview_ops {
	/* Fills *st. Cheap: called at every recalc. */
	void (*status)(struct tui_nodeview *nv, struct tui_nodeview_status *st);
	/*
	 * Sends raw (a signed transaction) to the network. cb is called once,
	 * later, from the loop: ok when peers accepted it, or the reason. The
	 * wallet records its own transaction (wallet_add_tx) on ok.
	 */
	void (*broadcast)(struct tui_nodeview *nv, const uint8_t *raw, size_t len,
	                  tui_nodeview_broadcast_cb cb, void *arg);
	/* Asks for fresh fee estimates; status() shows them when they come. */
	void (*request_fees)(struct tui_nodeview *nv);
	void (*free)(struct tui_nodeview *nv);
};

struct tui_nodeview {
	const struct tui_nodeview_ops *ops;
	struct spv_loop *loop;
	enum kb_net net;
	/*
	 * Set by the UI while its worker thread holds the wallet (Argon2id
	 * unlock, signing, creating): the node must not call into the wallet
	 * then (no wallet_add_tx, no store writes); it queues and catches up
	 * when the flag clears. The UI calls tui_nodeview_changed after.
	 */
	bool wallet_busy;
	tui_nodeview_changed_cb changed;
	void *changed_arg;
	void *impl;                   /* the implementation's own state */
};

/* The offline node: nothing on the network, ever. why is the text the
 * status shows ("offline (--offline)"); it is copied. */
struct tui_nodeview *tui_nodeview_offline(struct spv_loop *loop, enum kb_net net, const char *why);

/* Wrappers (NULL-safe for nv). */
void tui_nodeview_status(struct tui_nodeview *nv, struct tui_nodeview_status *st);
void tui_nodeview_broadcast(struct tui_nodeview *nv, const uint8_t *raw, size_t len,
                            tui_nodeview_broadcast_cb cb, void *arg);
void tui_nodeview_request_fees(struct tui_nodeview *nv);
void tui_nodeview_set_changed(struct tui_nodeview *nv, tui_nodeview_changed_cb cb, void *arg);
/* For implementations: tells the UI the status moved. */
void tui_nodeview_changed(struct tui_nodeview *nv);
void tui_nodeview_free(struct tui_nodeview *nv);

/* "network, witness, bloom" style text for service bits. */
void tui_nodeview_services_text(char *out, size_t cap, uint64_t services);

#endif
