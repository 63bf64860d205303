/*
 * Node commands of the command line: headers import, sync and peers.
 *
 * Peers and bans are kept in the wallet named by -w when that wallet
 * exists (its peers and bans tables); without a wallet, `koban sync`
 * syncs headers only and remembers peers and bans for that run alone.
 * `koban peers` connects briefly (until every peer finished its
 * handshake, at most --wait seconds) and lists them with the stored bans;
 * with --offline it opens no socket and lists the stored peers and bans.
 */
#include "tui/cmds.h"

#include "spv/chain.h"
#include "spv/loop.h"
#include "spv/node.h"
#include "tui/cmd-send.h"
#include "tui/cmd-util.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/store.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int headers_import(struct cli *c, const char *file)
{
	int status = CLI_OK;
	const char *dir;
	if (cli_datadir(c, &dir, &status) != KB_OK)
		return status;
	char err[512] = "";
	/* the network directory must exist (0700) before the store is made */
	char *netdir = NULL;
	enum kb_rc rc = wallet_store_prepare_dir(&netdir, dir, c->opt.net, err, sizeof err);
	cli_free_datadir(&dir);
	kb_free(netdir);
	if (rc != KB_OK)
		return tui_cli_error(c, CLI_FAIL, "%s", err);
	char *path = cli_headers_path(c);
	struct spv_chain *ch = NULL;
	rc = spv_chain_open(&ch, c->opt.net, path, NULL, err, sizeof err);
	if (rc != KB_OK) {
		kb_free(path);
		return tui_cli_error(c, cli_status(rc), "cannot open the header store: %s", err);
	}
	uint32_t before = spv_chain_height(ch);
	struct spv_chain_result res;
	rc = spv_chain_import_file(ch, &res, file);
	struct hash256 tip;
	uint32_t height;
	spv_chain_tip(ch, &tip, &height, NULL);
	char tiphex[65];
	wallet_hex_encode_rev(tiphex, sizeof tiphex, tip.b, 32);
	const char *why = res.reason == SPV_HDR_OK ? "end of file" : spv_hdr_reason_str(res.reason);
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "accepted");
		json_w_uint(&c->jw, res.accepted);
		json_w_key(&c->jw, "duplicates");
		json_w_uint(&c->jw, res.duplicates);
		json_w_key(&c->jw, "stopped");
		json_w_str(&c->jw, why);
		if (res.reason != SPV_HDR_OK) {
			json_w_key(&c->jw, "stopped_at_index");
			json_w_uint(&c->jw, res.fail_index);
			json_w_key(&c->jw, "stopped_at_height");
			json_w_uint(&c->jw, res.fail_height);
		}
		json_w_key(&c->jw, "tip_height");
		json_w_uint(&c->jw, height);
		json_w_key(&c->jw, "tip_hash");
		json_w_str(&c->jw, tiphex);
		json_w_obj_end(&c->jw);
	} else {
		tui_cli_printf(c, "Accepted %zu headers (%zu already known); tip %" PRIu32 " %s (was %" PRIu32 ").\n",
		               res.accepted, res.duplicates, height, tiphex, before);
		if (res.reason == SPV_HDR_OK)
			tui_cli_printf(c, "Stopped at the end of the file.\n");
		else
			tui_cli_printf(c, "Stopped at header %zu (height %" PRIu32 "): %s\n", res.fail_index,
			               res.fail_height, why);
	}
	spv_chain_free(ch);
	kb_free(path);
	if (rc == KB_EIO && res.reason == SPV_HDR_IO)
		return tui_cli_error(c, CLI_USER, "cannot read %s", file);
	if (res.reason != SPV_HDR_OK) {
		/* the report above is on stdout; the refusal on stderr */
		fprintf(stderr, "koban: header %zu refused: %s\n", res.fail_index, why);
		return CLI_USER;
	}
	return CLI_OK;
}

static int cmd_headers(struct cli *c, int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "import"))
		return headers_import(c, argv[2]);
	return tui_cli_error(c, CLI_USER, "usage: koban headers import FILE");
}

/* ---- the running node (sync, peers) ------------------------------------- */

struct run {
	struct cli *c;
	struct spv_loop *loop;
	struct spv_node *node;
	struct wallet_store *store;
	bool interrupted;
};

static void on_signal(struct spv_loop *loop, int signo, void *arg)
{
	(void)signo;
	struct run *r = arg;
	r->interrupted = true;
	spv_loop_stop(loop);
}

static void run_close(struct run *r)
{
	spv_node_free(r->node);
	spv_loop_free(r->loop);
	wallet_store_close(r->store);
	memset(r, 0, sizeof *r);
}

/* Opens the wallet's store when the wallet exists (peers and bans). */
static int open_peer_store(struct cli *c, struct wallet_store **st, const char *dir)
{
	*st = NULL;
	char *wpath = NULL;
	if (wallet_store_path(&wpath, dir, c->opt.net, c->opt.wallet) != KB_OK)
		return CLI_OK; /* a name that cannot be a wallet: headers only */
	int status = CLI_OK;
	if (access(wpath, F_OK) == 0) {
		char err[512] = "";
		if (wallet_store_open(st, wpath, NULL, err, sizeof err) != KB_OK)
			status = tui_cli_error(c, CLI_USER, "%s", err[0] ? err : "cannot open the wallet");
	}
	kb_free(wpath);
	return status;
}

static int run_open(struct run *r, struct cli *c, int64_t stall_ms)
{
	memset(r, 0, sizeof *r);
	r->c = c;
	int status = CLI_OK;
	const char *dir;
	if (cli_datadir(c, &dir, &status) != KB_OK)
		return status;
	char err[512] = "";
	char *netdir = NULL;
	enum kb_rc rc = wallet_store_prepare_dir(&netdir, dir, c->opt.net, err, sizeof err);
	kb_free(netdir);
	if (rc != KB_OK) {
		cli_free_datadir(&dir);
		return tui_cli_error(c, CLI_FAIL, "%s", err);
	}
	status = open_peer_store(c, &r->store, dir);
	cli_free_datadir(&dir);
	if (status != CLI_OK)
		return status;
	if (spv_loop_new(&r->loop) != KB_OK) {
		run_close(r);
		return tui_cli_error(c, CLI_FAIL, "cannot make the event loop");
	}
	char *path = cli_headers_path(c);
	struct spv_node_opts o = {
		.net = c->opt.net,
		.loop = r->loop,
		.headers_path = path,
		.store = r->store,
		.connect = c->opt.connect,
		.nconnect = c->opt.nconnect,
		.proxy = c->opt.proxy,
		.stall_timeout_ms = stall_ms,
	};
	rc = spv_node_new(&r->node, &o, err, sizeof err);
	kb_free(path);
	if (rc != KB_OK) {
		run_close(r);
		return tui_cli_error(c, cli_status(rc), "cannot start the node: %s", err);
	}
	spv_loop_set_signal_cb(r->loop, on_signal, r);
	if (spv_loop_watch_signal(r->loop, SIGINT) != KB_OK ||
	    spv_loop_watch_signal(r->loop, SIGTERM) != KB_OK) {
		run_close(r);
		return tui_cli_error(c, CLI_FAIL, "cannot watch signals");
	}
	if (spv_node_start(r->node) != KB_OK) {
		run_close(r);
		return tui_cli_error(c, CLI_FAIL, "cannot start the node's name resolver");
	}
	return CLI_OK;
}

static void json_peers(struct cli *c, const struct spv_node *n)
{
	struct spv_peer_info pi[64];
	size_t np = spv_node_peer_info(n, pi, 64);
	json_w_key(&c->jw, "peers");
	json_w_arr_begin(&c->jw);
	for (size_t i = 0; i < np; i++) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "id");
		json_w_uint(&c->jw, pi[i].id);
		json_w_key(&c->jw, "addr");
		json_w_str(&c->jw, pi[i].addr);
		json_w_key(&c->jw, "services");
		json_w_uint(&c->jw, pi[i].services);
		json_w_key(&c->jw, "user_agent");
		json_w_str(&c->jw, pi[i].user_agent);
		json_w_key(&c->jw, "version");
		json_w_int(&c->jw, pi[i].version);
		json_w_key(&c->jw, "start_height");
		json_w_int(&c->jw, pi[i].start_height);
		json_w_key(&c->jw, "ping_ms");
		json_w_int(&c->jw, pi[i].ping_ms);
		json_w_key(&c->jw, "state");
		json_w_str(&c->jw, pi[i].state);
		json_w_obj_end(&c->jw);
	}
	json_w_arr_end(&c->jw);
}

static void json_events(struct cli *c, const struct spv_node *n)
{
	struct spv_node_event ev[SPV_NODE_MAX_EVENTS];
	tui_json_peer_events(c, ev, spv_node_events(n, ev, SPV_NODE_MAX_EVENTS));
}

static void text_events(struct cli *c, const struct spv_node *n)
{
	struct spv_node_event ev[SPV_NODE_MAX_EVENTS];
	size_t ne = spv_node_events(n, ev, SPV_NODE_MAX_EVENTS);
	for (size_t i = 0; i < ne; i++)
		tui_cli_printf(c, "%s %s: %s\n", ev[i].banned ? "Banned " : "Dropped", ev[i].addr, ev[i].reason);
}

static bool parse_seconds(const char *s, int64_t *out)
{
	long v = atoi_safe(s);
	if (v <= 0)
		return false;
	*out = v;
	return true;
}

static void progress(const struct spv_node_status *st, bool tty, int64_t elapsed_ms)
{
	if (tty) {
		uint32_t target = st->target_height ? st->target_height : 1;
		double frac = (double)st->headers_height / (double)target;
		if (frac > 1)
			frac = 1;
		char bar[31];
		int fill = (int)(frac * 30);
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '-';
		bar[30] = 0;
		printf("\r[%s] %3d%% %" PRIu32 "/%" PRIu32 "  peers %zu  %.0f headers/s  %-40.40s", bar,
		       (int)(frac * 100), st->headers_height, st->target_height, st->peers_ready,
		       st->headers_per_sec, st->why);
	} else {
		printf("sync: height %" PRIu32 " target %" PRIu32 " peers %zu headers/s %.0f (%.1f s): %s\n",
		       st->headers_height, st->target_height, st->peers_ready, st->headers_per_sec,
		       (double)elapsed_ms / 1000.0, st->why);
	}
	fflush(stdout);
}

static int cmd_sync(struct cli *c, int argc, char **argv)
{
	int64_t timeout = 0, stall = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (!parse_seconds(argv[++i], &timeout))
				return tui_cli_error(c, CLI_USER, "sync: --timeout needs a number of seconds");
		} else if (!strcmp(argv[i], "--stall-timeout") && i + 1 < argc) {
			if (!parse_seconds(argv[++i], &stall))
				return tui_cli_error(c, CLI_USER, "sync: --stall-timeout needs a number of seconds");
		} else {
			return tui_cli_error(c, CLI_USER, "sync: unexpected '%s'", argv[i]);
		}
	}
	if (c->opt.offline)
		return tui_cli_error(c, CLI_USER, "--offline: the node does not start, so there is nothing to sync");
	if (tui_cmd_send_have_wallet(c)) /* headers and the wallet (tui/cmd-send.c) */
		return tui_cmd_wallet_sync_main(c, timeout * 1000);
	struct run r;
	int status = run_open(&r, c, stall * 1000);
	if (status != CLI_OK)
		return status;
	bool tty = !c->opt.json && isatty(STDOUT_FILENO);
	int64_t start = spv_loop_now(r.loop);
	int64_t last_print = start - 1000;
	struct spv_node_status st;
	const char *fail = NULL;
	char failbuf[240];
	for (;;) {
		if (spv_loop_run_once(r.loop, 100) != KB_OK) {
			fail = "the event loop failed";
			break;
		}
		int64_t now = spv_loop_now(r.loop);
		spv_node_status(r.node, &st);
		if (!c->opt.json && now - last_print >= (tty ? 200 : 1000)) {
			progress(&st, tty, now - start);
			last_print = now;
		}
		if (st.headers_synced)
			break;
		if (r.interrupted) {
			fail = "interrupted";
			break;
		}
		if (st.stuck && now - start >= 1000) {
			snprintf(failbuf, sizeof failbuf, "%s", st.why);
			fail = failbuf;
			break;
		}
		if (timeout && now - start >= timeout * 1000) {
			snprintf(failbuf, sizeof failbuf, "timed out after %" PRId64 " s (%s)", timeout, st.why);
			fail = failbuf;
			break;
		}
	}
	if (tty)
		printf("\n");
	struct hash256 tip;
	uint32_t height, tiptime;
	spv_chain_tip(spv_node_chain(r.node), &tip, &height, &tiptime);
	char tiphex[65];
	wallet_hex_encode_rev(tiphex, sizeof tiphex, tip.b, 32);
	double secs = (double)(spv_loop_now(r.loop) - start) / 1000.0;
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "synced");
		json_w_bool(&c->jw, fail == NULL);
		if (fail) {
			json_w_key(&c->jw, "why");
			json_w_str(&c->jw, fail);
		}
		json_w_key(&c->jw, "height");
		json_w_uint(&c->jw, height);
		json_w_key(&c->jw, "hash");
		json_w_str(&c->jw, tiphex);
		json_w_key(&c->jw, "time");
		json_w_uint(&c->jw, tiptime);
		json_w_key(&c->jw, "target_height");
		json_w_uint(&c->jw, st.target_height);
		json_w_key(&c->jw, "seconds");
		json_w_int(&c->jw, (int64_t)(secs * 1000) / 1000);
		json_peers(c, r.node);
		json_events(c, r.node);
		json_w_obj_end(&c->jw);
	} else {
		if (!fail)
			tui_cli_printf(c, "Synced: height %" PRIu32 " %s (%.1f s)\n", height, tiphex, secs);
		else
			tui_cli_printf(c, "Not synced: height %" PRIu32 " %s: %s\n", height, tiphex, fail);
		text_events(c, r.node);
	}
	run_close(&r);
	if (fail) {
		fprintf(stderr, "koban: sync: %s\n", fail);
		return CLI_USER;
	}
	return CLI_OK;
}

static int peers_offline(struct cli *c)
{
	int status = CLI_OK;
	const char *dir;
	if (cli_datadir(c, &dir, &status) != KB_OK)
		return status;
	struct wallet_store *st = NULL;
	status = open_peer_store(c, &st, dir);
	cli_free_datadir(&dir);
	if (status != CLI_OK)
		return status;
	struct wallet_store_peer *p = NULL;
	size_t np = 0;
	struct wallet_store_ban *b = NULL;
	size_t nb = 0;
	if (st && (wallet_store_peer_list(st, &p, &np, 0) != KB_OK ||
	           wallet_store_ban_list(st, &b, &nb) != KB_OK)) {
		wallet_store_peer_list_free(p, np);
		wallet_store_close(st);
		return tui_cli_error(c, CLI_FAIL, "cannot read the stored peers");
	}
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "stored");
		json_w_arr_begin(&c->jw);
		for (size_t i = 0; i < np; i++) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "host");
			json_w_str(&c->jw, p[i].host);
			json_w_key(&c->jw, "port");
			json_w_uint(&c->jw, p[i].port);
			json_w_key(&c->jw, "services");
			json_w_uint(&c->jw, p[i].services);
			json_w_key(&c->jw, "tried");
			json_w_bool(&c->jw, p[i].tried);
			json_w_key(&c->jw, "last_success");
			json_w_int(&c->jw, p[i].last_success);
			json_w_obj_end(&c->jw);
		}
		json_w_arr_end(&c->jw);
	} else {
		if (!st)
			tui_cli_printf(c, "No wallet '%s': peers are not stored without one.\n", c->opt.wallet);
		for (size_t i = 0; i < np; i++)
			tui_cli_printf(c, "%s port %u services %" PRIx64 " %s\n", p[i].host, (unsigned)p[i].port,
			               p[i].services, p[i].tried ? "tried" : "new");
	}
	(void)b;
	wallet_store_peer_list_free(p, np);
	wallet_store_ban_list_free(b, nb);
	return st ? (wallet_store_close(st), CLI_OK) : CLI_OK;
}

static void bans_out(struct cli *c)
{
	/* the bans of the wallet store, as a separate listing */
	int status = CLI_OK;
	const char *dir;
	if (cli_datadir(c, &dir, &status) != KB_OK)
		return;
	struct wallet_store *st = NULL;
	status = open_peer_store(c, &st, dir);
	cli_free_datadir(&dir);
	struct wallet_store_ban *b = NULL;
	size_t nb = 0;
	if (st && wallet_store_ban_list(st, &b, &nb) != KB_OK)
		nb = 0;
	int64_t now = (int64_t)time(NULL);
	if (c->opt.json) {
		json_w_key(&c->jw, "banned");
		json_w_arr_begin(&c->jw);
	}
	for (size_t i = 0; i < nb; i++) {
		if (b[i].until <= now)
			continue;
		if (c->opt.json) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "host");
			json_w_str(&c->jw, b[i].host);
			json_w_key(&c->jw, "reason");
			json_w_str(&c->jw, b[i].reason);
			json_w_key(&c->jw, "until");
			json_w_int(&c->jw, b[i].until);
			json_w_obj_end(&c->jw);
		} else {
			tui_cli_printf(c, "banned %s until %" PRId64 ": %s\n", b[i].host, b[i].until, b[i].reason);
		}
	}
	if (c->opt.json)
		json_w_arr_end(&c->jw);
	wallet_store_ban_list_free(b, nb);
	wallet_store_close(st);
}

static int cmd_peers(struct cli *c, int argc, char **argv)
{
	int64_t wait = 5;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
			if (!parse_seconds(argv[++i], &wait))
				return tui_cli_error(c, CLI_USER, "peers: --wait needs a number of seconds");
		} else {
			return tui_cli_error(c, CLI_USER, "peers: unexpected '%s'", argv[i]);
		}
	}
	if (c->opt.offline) {
		int status = peers_offline(c);
		if (status != CLI_OK)
			return status;
		if (c->opt.json) {
			bans_out(c);
			json_w_obj_end(&c->jw);
		} else {
			bans_out(c);
		}
		return CLI_OK;
	}
	struct run r;
	int status = run_open(&r, c, 0);
	if (status != CLI_OK)
		return status;
	int64_t start = spv_loop_now(r.loop);
	struct spv_node_status st;
	for (;;) {
		if (spv_loop_run_once(r.loop, 100) != KB_OK || r.interrupted)
			break;
		spv_node_status(r.node, &st);
		int64_t now = spv_loop_now(r.loop);
		struct spv_peer_info pw[64];
		size_t npw = spv_node_peer_info(r.node, pw, 64);
		bool pinged = true;
		for (size_t i = 0; i < npw; i++)
			pinged = pinged && pw[i].ping_ms >= 0;
		if (st.peers_ready > 0 && st.peers_connecting == 0 && pinged)
			break;
		if (st.stuck && now - start >= 1000)
			break;
		if (now - start >= wait * 1000)
			break;
	}
	struct spv_peer_info pi[64];
	size_t np = spv_node_peer_info(r.node, pi, 64);
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_peers(c, r.node);
		json_events(c, r.node);
	} else {
		if (np == 0)
			tui_cli_printf(c, "No connected peer (%s).\n", st.why);
		for (size_t i = 0; i < np; i++)
			tui_cli_printf(c, "%-24s %-10s services %-5" PRIx64 " version %" PRId32 " height %" PRId32
			               " ping %s%" PRId64 "%s  %s\n", pi[i].addr, pi[i].state, pi[i].services,
			               pi[i].version, pi[i].start_height, pi[i].ping_ms < 0 ? "-" : "",
			               pi[i].ping_ms < 0 ? (int64_t)0 : pi[i].ping_ms,
			               pi[i].ping_ms < 0 ? "" : " ms", pi[i].user_agent);
		text_events(c, r.node);
	}
	/* the node holds the wallet store open: close it before listing bans */
	run_close(&r);
	bans_out(c);
	if (c->opt.json)
		json_w_obj_end(&c->jw);
	return CLI_OK;
}

const struct cli_command tui_cli_node_commands[] = {
	{ "headers", cmd_headers, "import FILE", "validate and store a file of 80-byte headers" },
	{ "sync", cmd_sync, "[--timeout S] [--stall-timeout S]", "sync the header chain from peers until it matches the best they offer" },
	{ "peers", cmd_peers, "[--wait S]", "connect briefly and list peers (with --offline: stored peers and bans)" },
	{ NULL, NULL, NULL, NULL },
};
