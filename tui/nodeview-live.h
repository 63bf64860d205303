/*
 * The live light node behind the terminal UI (tui/nodeview.h): the node
 * and the wallet sync of the command line's session (tui_wsession_start,
 * tui/cmd-send.h: --connect, --proxy or else the wallet's proxy setting,
 * the wallet's store, birthday and filter rate), driven from the UI's
 * event loop, plus fee estimates from the wallet's fee_url setting.
 *
 * Why the node has a loop of its own. The wallet sync writes to the wallet
 * from the node's callbacks (a filtered block, a mempool transaction, a
 * reorganisation; the node itself saves peers and bans in the wallet's
 * store), and the UI's worker thread holds the wallet while it unlocks or
 * signs (nv->wallet_busy). Nothing in spv/ can be told to hold its
 * callbacks, so the node and the wallet sync run on their own spv_loop
 * whose turns are taken, without sleeping, from a timer of the UI's loop
 * (every TUI_LIVE_PUMP_MS, a bounded number of turns): while
 * wallet_busy is set no turn is taken, so no node code runs at all and
 * the sockets' bytes wait in the kernel until the job is done. Everything
 * still runs on the UI's one thread, and no turn blocks (poll with a zero
 * timeout), so keys stay responsive during sync.
 *
 * The node starts on the first pump at which the wallet exists (after the
 * wizard when there was none) and the worker is idle; a start that fails
 * (the header store held by another koban, say) is retried every
 * TUI_LIVE_RETRY_MS, the reason shown as the why-line meanwhile.
 *
 * Status: headers height and the best height peers announce, the wallet's
 * scan point, the peers (address, services, start height, ping, state),
 * the why-line (the wallet sync's reason, "no connected peer offers Bloom
 * filters ..."; the node's "waiting for headers from ..." while headers
 * are behind; "" when synced), and fee estimates: slow/normal/fast from
 * the fee_url document (fetched at start, every TUI_LIVE_FEES_EVERY_MS and
 * on request; through the same proxy), raised to the peers' feefilter
 * floor; no estimate without a document. The UI is told (changed) when
 * any of it moved, at most every TUI_LIVE_CHANGED_MIN_MS: a new block
 * scanned, a transaction found, peers coming and going.
 *
 * Broadcast: spv_wsync_broadcast (the wallet records the transaction as
 * pending at once; it is announced to every peer now and with every new
 * peer and block until it confirms). The callback says ok when a peer
 * announced it back or a block has it, or when a peer fetched it and then
 * answered a ping sent after it with no reject before the pong (a peer
 * that sends BIP61 rejects, bcoin say, would have objected by then;
 * Bitcoin Core sends none, so this is the same "announced, fetched, no
 * objection" the command line reports as sent). It says not ok with the
 * peer's reason on a reject, and when no peer asked for it within
 * TUI_LIVE_BCAST_WAIT_MS (it stays pending and announced). A broadcast
 * asked for while wallet_busy is held until the job is done.
 */
#ifndef KOBAN_TUI_NODEVIEW_LIVE_H
#define KOBAN_TUI_NODEVIEW_LIVE_H

#include "tui/cli.h"
#include "tui/nodeview.h"
#include "wallet/wallet.h"

#define TUI_LIVE_PUMP_MS 20            /* the UI loop's timer driving the node's loop */
#define TUI_LIVE_PUMP_TURNS 16         /* at most this many node turns per pump */
#define TUI_LIVE_PUMP_BUDGET_MS 8      /* ... or this long */
#define TUI_LIVE_CHANGED_MIN_MS 250
#define TUI_LIVE_BCAST_WAIT_MS 15000   /* as long as `koban send` waits */
#define TUI_LIVE_FEES_EVERY_MS (10 * 60 * 1000)
#define TUI_LIVE_FEES_RETRY_MS 60000
#define TUI_LIVE_FEES_STALE_MS (30 * 60 * 1000)
#define TUI_LIVE_RETRY_MS 30000

/*
 * The live nodeview on loop (the UI's, borrowed). opt is copied (its
 * --connect strings and wallet name are borrowed: argv); datadir (the
 * resolved data directory) is copied. *wallet is read at every pump: the
 * node starts once it is non-NULL (the UI's app->w; borrowed, must stay
 * valid until tui_nodeview_free, which must come before the wallet is
 * closed). opt->offline must be false (use tui_nodeview_offline). Never
 * fails: a node that cannot start shows why in the status. Free with
 * tui_nodeview_free (not from a loop callback); callbacks of broadcasts
 * still in flight are not called then.
 */
struct tui_nodeview *tui_nodeview_live(struct spv_loop *loop, const struct cli_opts *opt,
                                       const char *datadir, struct wallet *const *wallet);

#endif
