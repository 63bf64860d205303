/*
 * The network side of the wallet commands (tui/cmd-send.c): a session that
 * runs the node and the wallet sync (spv/wsync.h) on one loop until the
 * wallet is up to date, for `koban sync`, `send`, `broadcast` and `bump`.
 */
#ifndef KOBAN_TUI_CMD_SEND_H
#define KOBAN_TUI_CMD_SEND_H

#include "spv/loop.h"
#include "spv/node.h"
#include "spv/wsync.h"
#include "tui/cli.h"
#include "wallet/wallet.h"

#include <stdbool.h>
#include <stdint.h>

struct tui_wsession {
	struct spv_loop *loop;     /* owned */
	struct spv_node *node;     /* owned */
	struct spv_wsync *ws;      /* owned */
	struct wallet *w;          /* borrowed */
};

/*
 * Starts the loop, the node (the command line's --connect/--proxy, the
 * wallet's store for peers and bans, its birthday) and the wallet sync.
 * Refused under --offline. On failure the error is reported on c and the
 * CLI exit status returned; CLI_OK on success (close with
 * tui_wsession_close).
 */
int tui_wsession_open(struct tui_wsession *s, struct cli *c, struct wallet *w);
/*
 * The same without the command line's reporting, for the terminal UI:
 * opt gives --offline, --connect, --proxy and the data directory; next
 * and next_arg (optional) get the node's events after the wallet sync
 * (spv_wsync_opts.next). Nothing is printed: on failure err (optional)
 * says why, the session is left closed, and the exit status is returned
 * (CLI_USER under --offline, else CLI_FAIL). CLI_OK on success.
 */
int tui_wsession_start(struct tui_wsession *s, const struct cli_opts *opt, struct wallet *w,
                       const struct spv_node_hooks *next, void *next_arg, char *err, size_t errlen);
void tui_wsession_close(struct tui_wsession *s);

/*
 * Runs the loop until the wallet is synced to the best header tip, for at
 * most timeout_ms. CLI_OK when synced; otherwise the reason (the sync's
 * status text) is reported and CLI_FAIL returned. Progress lines go to
 * stderr when it is a terminal.
 */
int tui_wsession_sync(struct tui_wsession *s, struct cli *c, int64_t timeout_ms);

/*
 * Writes "events": [{"addr", "event": "banned"|"dropped", "reason"}] -- the
 * peers a node dropped or banned -- as one key of the open JSON object.
 */
void tui_json_peer_events(struct cli *c, const struct spv_node_event *ev, size_t n);

/*
 * Runs a session on w until synced (timeout_ms, 0 for 300 s) and prints
 * the result: chain tip, the wallet's scan point, balances ({"synced",
 * "height", "hash", "seconds", "wallet": {...}} with --json).
 */
int tui_cmd_wallet_sync(struct cli *c, struct wallet *w, int64_t timeout_ms);
/* `koban sync` when the -w wallet exists (tui/cmd-node.c delegates here):
 * opens it, tui_cmd_wallet_sync, closes. */
int tui_cmd_wallet_sync_main(struct cli *c, int64_t timeout_ms);
/* Whether the wallet named by -w exists in the data directory. */
bool tui_cmd_send_have_wallet(struct cli *c);

#endif
