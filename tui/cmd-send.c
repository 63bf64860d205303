/*
 * koban send / broadcast / bump, and the wallet half of koban sync: the
 * commands that need the network (contract of the session in
 * tui/cmd-send.h).
 */
#include "tui/cmd-send.h"

#include "spv/chainparams.h"

#include "spv/chain.h"
#include "spv/fees.h"
#include "spv/http.h"
#include "tui/cmd-util.h"
#include "tui/cmds.h"
#include "wallet/amount.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/psbt.h"
#include "wallet/store.h"
#include "wallet/tx.h"
#include "wallet/wallet_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEND_SYNC_TIMEOUT_MS 300000
#define SEND_ACCEPT_WAIT_MS 15000

static char *session_headers; /* owned by the one open session */

/* The wallet's birthday as a time for the header store's starting point: the
 * time it was given, or for a birthday given as a height the time of the
 * embedded anchor at or below that height; 0 (genesis) when unknown. */
static int64_t birthday_time(const struct wallet_store_meta *m)
{
	if (m->birthday_time > 0)
		return m->birthday_time;
	if (m->birthday_height <= 0)
		return 0;
	const struct spv_checkpoint_set *cs = spv_chainparams_get(m->net)->checkpoints;
	int64_t t = 0;
	for (size_t i = 0; cs && cs->anchors && i < cs->n_anchors; i++) {
		if (cs->anchors[i].height > m->birthday_height)
			break;
		const uint8_t *h = cs->anchors[i].header + 68;
		t = (int64_t)((uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24);
	}
	return t;
}

int tui_wsession_start(struct tui_wsession *s, const struct cli_opts *opt, struct wallet *w,
                       const struct spv_node_hooks *next, void *next_arg, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->w = w;
	if (err && errlen)
		err[0] = '\0';
	char why[256] = "";
	int status = CLI_FAIL;
	if (opt->offline) {
		snprintf(why, sizeof why, "--offline: this needs the network (build and sign offline with `koban psbt`)");
		status = CLI_USER;
		goto fail;
	}
	if (spv_loop_new(&s->loop) != KB_OK) {
		snprintf(why, sizeof why, "cannot start the event loop");
		goto fail;
	}
	struct wallet_store_meta meta;
	if (wallet_store_meta_get(wallet_store(w), &meta) != KB_OK)
		memset(&meta, 0, sizeof meta);
	struct cli c;
	memset(&c, 0, sizeof c);
	c.opt = *opt;
	session_headers = cli_headers_path(&c);
	struct spv_node_opts o;
	memset(&o, 0, sizeof o);
	o.net = wallet_net(w);
	o.loop = s->loop;
	o.headers_path = session_headers;
	o.store = wallet_store(w);
	o.birthday = birthday_time(&meta);
	o.connect = opt->nconnect ? opt->connect : NULL;
	o.nconnect = opt->nconnect;
	o.proxy = opt->proxy;
	o.relay = false; /* BIP37: no transactions until the filter is loaded */
	char e[256] = "";
	if (spv_node_new(&s->node, &o, e, sizeof e) != KB_OK) {
		snprintf(why, sizeof why, "cannot start the node: %s", e);
		goto fail;
	}
	struct spv_wsync_opts wo;
	memset(&wo, 0, sizeof wo);
	wo.node = s->node;
	wo.wallet = w;
	wo.loop = s->loop;
	wo.next = next;
	wo.next_arg = next_arg;
	/* KOBAN_MEMPOOL_WAIT_MS: wait for peers that answer `mempool` late
	 * (bcoin batches its invs every 5 s); tests set it */
	const char *mw = getenv("KOBAN_MEMPOOL_WAIT_MS");
	if (mw) {
		long v = atoi_safe(mw);
		if (v > 0 && v <= 60000)
			wo.mempool_grace_ms = v;
	}
	if (spv_wsync_new(&s->ws, &wo, e, sizeof e) != KB_OK) {
		snprintf(why, sizeof why, "cannot start the wallet sync: %s", e);
		goto fail;
	}
	if (spv_node_start(s->node) != KB_OK) {
		snprintf(why, sizeof why, "cannot start connecting to peers");
		goto fail;
	}
	return CLI_OK;
fail:
	tui_wsession_close(s);
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return status;
}

int tui_wsession_open(struct tui_wsession *s, struct cli *c, struct wallet *w)
{
	char err[320] = "";
	int status = tui_wsession_start(s, &c->opt, w, NULL, NULL, err, sizeof err);
	return status == CLI_OK ? CLI_OK : tui_cli_error(c, status, "%s", err);
}

void tui_wsession_close(struct tui_wsession *s)
{
	spv_wsync_free(s->ws);
	spv_node_free(s->node);
	spv_loop_free(s->loop);
	kb_free(session_headers);
	session_headers = NULL;
	memset(s, 0, sizeof *s);
}

static bool run_for(struct tui_wsession *s, int64_t ms)
{
	int64_t end = spv_loop_now(s->loop) + ms;
	while (spv_loop_now(s->loop) < end)
		if (spv_loop_run_once(s->loop, 200) != KB_OK)
			return false;
	return true;
}

int tui_wsession_sync(struct tui_wsession *s, struct cli *c, int64_t timeout_ms)
{
	int64_t start = spv_loop_now(s->loop);
	int64_t last_print = 0;
	bool tty = isatty(2);
	struct spv_wsync_status st;
	for (;;) {
		spv_wsync_status(s->ws, &st);
		if (st.synced)
			break;
		int64_t now = spv_loop_now(s->loop);
		if (now - start > timeout_ms)
			return tui_cli_error(c, CLI_FAIL, "the wallet is not synced after %" PRId64 " s: %s",
			                     timeout_ms / 1000, st.why[0] ? st.why : "no progress");
		if (tty && now - last_print > 1000) {
			fprintf(stderr, "\rsync: block %" PRId64 " of %u  %s\033[K", st.scanned_height, st.tip_height,
			        st.why);
			last_print = now;
		}
		if (spv_loop_run_once(s->loop, 200) != KB_OK)
			return tui_cli_error(c, CLI_FAIL, "the event loop failed");
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	return CLI_OK;
}

bool tui_cmd_send_have_wallet(struct cli *c)
{
	const char *dir = NULL;
	int status = CLI_OK;
	if (cli_datadir(c, &dir, &status) != KB_OK)
		return false;
	char *wpath = NULL;
	bool have = wallet_store_path(&wpath, dir, c->opt.net, c->opt.wallet) == KB_OK &&
	            access(wpath, F_OK) == 0;
	kb_free(wpath);
	cli_free_datadir(&dir);
	return have;
}

void tui_json_peer_events(struct cli *c, const struct spv_node_event *ev, size_t n)
{
	json_w_key(&c->jw, "events");
	json_w_arr_begin(&c->jw);
	for (size_t i = 0; i < n; i++) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "addr");
		json_w_str(&c->jw, ev[i].addr);
		json_w_key(&c->jw, "event");
		json_w_str(&c->jw, ev[i].banned ? "banned" : "dropped");
		json_w_key(&c->jw, "reason");
		json_w_str(&c->jw, ev[i].reason);
		json_w_obj_end(&c->jw);
	}
	json_w_arr_end(&c->jw);
}

int tui_cmd_wallet_sync(struct cli *c, struct wallet *w, int64_t timeout_ms)
{
	struct tui_wsession s;
	int status = tui_wsession_open(&s, c, w);
	if (status != CLI_OK)
		return status;
	int64_t start = spv_loop_now(s.loop);
	status = tui_wsession_sync(&s, c, timeout_ms > 0 ? timeout_ms : SEND_SYNC_TIMEOUT_MS);
	struct spv_wsync_status st;
	spv_wsync_status(s.ws, &st);
	struct hash256 tip;
	uint32_t height = 0, tiptime = 0;
	spv_chain_tip(spv_node_chain(s.node), &tip, &height, &tiptime);
	int64_t ms = spv_loop_now(s.loop) - start;
	static struct spv_node_event ev[SPV_NODE_MAX_EVENTS];
	size_t nev = spv_node_events(s.node, ev, SPV_NODE_MAX_EVENTS);
	tui_wsession_close(&s);
	if (status != CLI_OK)
		return status;
	char tiphex[65];
	wallet_hex_encode_rev(tiphex, sizeof tiphex, tip.b, 32);
	struct wallet_balance b;
	if (wallet_get_balance(w, st.scanned_height, &b) != KB_OK)
		return tui_cli_error(c, CLI_FAIL, "cannot read the balance");
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "synced");
		json_w_bool(&c->jw, true);
		json_w_key(&c->jw, "height");
		json_w_uint(&c->jw, height);
		json_w_key(&c->jw, "hash");
		json_w_str(&c->jw, tiphex);
		json_w_key(&c->jw, "seconds");
		json_w_int(&c->jw, ms / 1000);
		json_w_key(&c->jw, "wallet");
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "scanned_height");
		json_w_int(&c->jw, st.scanned_height);
		json_w_key(&c->jw, "blocks_scanned");
		json_w_uint(&c->jw, st.blocks_done);
		json_w_key(&c->jw, "transactions_found");
		json_w_uint(&c->jw, st.txs_found);
		json_w_key(&c->jw, "filter_reloads");
		json_w_uint(&c->jw, st.filter_reloads);
		json_w_key(&c->jw, "confirmed");
		json_w_int(&c->jw, b.confirmed);
		json_w_key(&c->jw, "pending");
		json_w_int(&c->jw, b.pending);
		json_w_key(&c->jw, "immature");
		json_w_int(&c->jw, b.immature);
		json_w_obj_end(&c->jw);
		tui_json_peer_events(c, ev, nev);
		json_w_obj_end(&c->jw);
	} else {
		char a[WALLET_AMOUNT_STRLEN], p[WALLET_AMOUNT_STRLEN];
		wallet_amount_format(a, b.confirmed);
		wallet_amount_format(p, b.pending);
		tui_cli_printf(c, "Synced: height %" PRIu32 " %s; wallet scanned to %" PRId64 " (%" PRIu64 " blocks).\n"
		                  "Confirmed %s BTC, pending %s BTC.\n",
		               height, tiphex, st.scanned_height, st.blocks_done, a, p);
		for (size_t i = 0; i < nev; i++)
			tui_cli_printf(c, "%s %s: %s\n", ev[i].banned ? "Banned" : "Dropped", ev[i].addr, ev[i].reason);
	}
	return CLI_OK;
}

int tui_cmd_wallet_sync_main(struct cli *c, int64_t timeout_ms)
{
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	status = tui_cmd_wallet_sync(c, w, timeout_ms);
	wallet_close(w);
	return status;
}

/* ---- fee estimates --------------------------------------------------------------- */

struct fee_wait {
	bool done;
	enum kb_rc rc;
	struct spv_fee_estimates est;
	char err[256];
};

static void fee_cb(enum kb_rc rc, const struct spv_fee_estimates *est, const char *err, void *arg)
{
	struct fee_wait *f = arg;
	f->done = true;
	f->rc = rc;
	if (est)
		f->est = *est;
	snprintf(f->err, sizeof f->err, "%s", err ? err : "");
}

/* The "normal" estimate, floored by the peers' feefilter; a refusal naming
 * --fee-rate when none can be had. */
static int fee_estimate(struct tui_wsession *s, struct cli *c, int64_t *rate)
{
	*rate = 0;
	char *url = NULL;
	if (wallet_store_setting_get(wallet_store(s->w), WALLET_SETTING_FEE_URL, &url) != KB_OK || !url ||
	    !url[0]) {
		kb_free(url);
		return tui_cli_error(c, CLI_USER,
		                     "no fee estimate: no estimate source is set (koban config fee_url URL); give --fee-rate SATVB");
	}
	struct spv_http *h = NULL;
	if (spv_http_new(&h, s->loop, c->opt.proxy, c->opt.offline) != KB_OK) {
		kb_free(url);
		return tui_cli_error(c, CLI_FAIL, "no fee estimate: cannot start HTTP; give --fee-rate SATVB");
	}
	struct fee_wait f;
	memset(&f, 0, sizeof f);
	struct spv_fees_req req;
	enum kb_rc rc = spv_fees_fetch(h, &req, url, 20000, fee_cb, &f);
	kb_free(url);
	if (rc != KB_OK) {
		spv_http_free(h);
		return tui_cli_error(c, CLI_USER, "no fee estimate: the fee_url setting is not an http(s) address (%s); give --fee-rate SATVB",
		                     kb_rc_str(rc));
	}
	while (!f.done)
		if (spv_loop_run_once(s->loop, 200) != KB_OK)
			break;
	spv_http_free(h);
	if (!f.done || f.rc != KB_OK)
		return tui_cli_error(c, CLI_USER, "no fee estimate (%s): give --fee-rate SATVB",
		                     f.err[0] ? f.err : "no answer");
	if (spv_fees_pick(&f.est, SPV_FEE_NORMAL, spv_node_fee_floor(s->node), rate) != KB_OK)
		return tui_cli_error(c, CLI_USER, "no fee estimate for %u blocks in the document: give --fee-rate SATVB",
		                     spv_fees_speed_target(SPV_FEE_NORMAL));
	return CLI_OK;
}

/* ---- broadcasting and waiting ------------------------------------------------------- */

static int broadcast_and_wait(struct tui_wsession *s, struct cli *c, const uint8_t *raw, size_t len)
{
	char err[256] = "";
	struct hash256 txid;
	enum kb_rc rc = spv_wsync_broadcast(s->ws, raw, len, &txid, err, sizeof err);
	if (rc != KB_OK)
		return tui_cli_error(c, cli_status(rc), "cannot broadcast: %s", err);
	char hex[65];
	wallet_hex_encode_rev(hex, sizeof hex, txid.b, 32);
	int64_t end = spv_loop_now(s->loop) + SEND_ACCEPT_WAIT_MS;
	enum spv_wsync_bc_state st = SPV_WSYNC_BC_ANNOUNCED;
	char reason[128] = "";
	while (spv_loop_now(s->loop) < end) {
		if (spv_loop_run_once(s->loop, 200) != KB_OK)
			break;
		if (spv_wsync_broadcast_state(s->ws, &txid, &st, reason, sizeof reason) != KB_OK)
			break;
		if (st == SPV_WSYNC_BC_ACCEPTED || st == SPV_WSYNC_BC_REJECTED || st == SPV_WSYNC_BC_CONFIRMED)
			break;
	}
	/* a last moment for the peers to ask for it with getdata */
	(void)run_for(s, 500);
	if (spv_wsync_broadcast_state(s->ws, &txid, &st, reason, sizeof reason) != KB_OK)
		st = SPV_WSYNC_BC_ANNOUNCED;
	if (st == SPV_WSYNC_BC_REJECTED)
		return tui_cli_error(c, CLI_FAIL, "transaction %s was rejected by a peer: %s", hex,
		                     reason[0] ? reason : "(no reason given)");
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "txid");
		json_w_str(&c->jw, hex);
		json_w_key(&c->jw, "state");
		json_w_str(&c->jw, spv_wsync_bc_state_str(st));
		json_w_obj_end(&c->jw);
	} else if (st == SPV_WSYNC_BC_ACCEPTED || st == SPV_WSYNC_BC_CONFIRMED) {
		tui_cli_printf(c, "Sent %s (%s).\n", hex, spv_wsync_bc_state_str(st));
	} else {
		tui_cli_printf(c, "Sent %s: announced to the peers, no peer has confirmed it yet and none rejected it.\n"
		                  "It is recorded as pending and is announced again on every sync until it confirms.\n",
		               hex);
	}
	return CLI_OK;
}

/* Signs, finalizes and extracts p into raw. */
static int sign_extract(struct cli *c, struct wallet *w, struct wallet_psbt *p, struct buf *raw)
{
	int status = CLI_OK;
	char err[512] = "";
	char *password = tui_cli_password(c, "Wallet password: ", false, &status);
	if (!password)
		return status;
	size_t n = 0;
	enum kb_rc rc = wallet_psbt_sign(w, p, password, &n, err, sizeof err);
	kb_secret_free(password);
	if (rc != KB_OK)
		return tui_cli_error(c, cli_status(rc), "%s", err);
	if (wallet_psbt_finalize(p) != KB_OK)
		return tui_cli_error(c, CLI_FAIL, "the transaction could not be completed: an input is not signed");
	struct wallet_tx tx;
	if (wallet_psbt_extract(p, &tx, err, sizeof err) != KB_OK)
		return tui_cli_error(c, CLI_FAIL, "%s", err);
	wallet_tx_serialize(&tx, raw, true);
	wallet_tx_clear(&tx);
	return CLI_OK;
}

/* ---- koban send ------------------------------------------------------------------------ */

static int cmd_send(struct cli *c, int argc, char **argv)
{
	struct wallet_recipient to[64];
	struct wallet_spend_opts o;
	memset(&o, 0, sizeof o);
	memset(to, 0, sizeof to);
	bool have_rate = false, dry = false;
	char err[512];
	const char *pos[160];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--fee-rate") && v) {
			if (cli_parse_fee_rate(v, &o.fee_rate, err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
			have_rate = true;
			i++;
		} else if (!strcmp(argv[i], "--max")) {
			o.max = true;
		} else if (!strcmp(argv[i], "--dry-run")) {
			dry = true;
		} else if (!strcmp(argv[i], "--include-unconfirmed")) {
			o.include_unconfirmed = true;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return tui_cli_error(c, CLI_USER, "send: unknown option '%s'", argv[i]);
		} else {
			if (npos == 160)
				return tui_cli_error(c, CLI_USER, "too many recipients");
			pos[npos++] = argv[i];
		}
	}
	if (npos == 0)
		return tui_cli_error(c, CLI_USER, "usage: koban send ADDR AMOUNT [ADDR AMOUNT ...] [--fee-rate SATVB] [--max] [--dry-run]");
	if (c->opt.offline && !have_rate)
		return tui_cli_error(c, CLI_USER, "--offline: no fee estimate can be had; give --fee-rate SATVB");
	if (c->opt.offline && !dry)
		return tui_cli_error(c, CLI_USER, "--offline: sending needs the network (try --dry-run, or `koban psbt create`)");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	status = cli_parse_recipients(c, wallet_net(w), pos, npos, o.max, to, 64, &o.nto);
	if (status != CLI_OK) {
		wallet_close(w);
		return status;
	}
	o.to = to;
	struct tui_wsession s;
	memset(&s, 0, sizeof s);
	bool online = !c->opt.offline;
	if (online) {
		status = tui_wsession_open(&s, c, w);
		if (status == CLI_OK)
			status = tui_wsession_sync(&s, c, SEND_SYNC_TIMEOUT_MS);
		if (status == CLI_OK && !have_rate)
			status = fee_estimate(&s, c, &o.fee_rate);
		if (status != CLI_OK) {
			if (s.loop)
				tui_wsession_close(&s);
			wallet_close(w);
			return status;
		}
	}
	o.tip_height = cli_tip(c, w);
	struct wallet_psbt p;
	enum kb_rc rc = wallet_psbt_create(w, &o, &p, err, sizeof err);
	if (rc != KB_OK) {
		status = tui_cli_error(c, cli_status(rc), "%s", err);
		goto out_close;
	}
	if (!c->opt.json && !dry) {
		struct buf t = BUF_INIT;
		wallet_psbt_describe(w, &p, &t, NULL);
		fprintf(stderr, "%s", buf_cstr(&t));
		buf_clear(&t);
	}
	struct buf raw = BUF_INIT;
	status = sign_extract(c, w, &p, &raw);
	if (status == CLI_OK && dry) {
		char *hex = kb_malloc(raw.len * 2 + 1);
		wallet_hex_encode(hex, raw.len * 2 + 1, raw.p, raw.len);
		struct wallet_tx tx;
		char id[65] = "";
		if (wallet_tx_parse(&tx, raw.p, raw.len) == KB_OK) {
			struct hash256 txid;
			wallet_tx_txid(&tx, &txid);
			wallet_hex_encode_rev(id, sizeof id, txid.b, 32);
			wallet_tx_clear(&tx);
		}
		if (c->opt.json) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "txid");
			json_w_str(&c->jw, id);
			json_w_key(&c->jw, "hex");
			json_w_str(&c->jw, hex);
			json_w_key(&c->jw, "fee_rate");
			json_w_int(&c->jw, o.fee_rate); /* sat per 1000 vB */
			int64_t fee = -1;
			if (wallet_psbt_fee(&p, &fee) == KB_OK) {
				json_w_key(&c->jw, "fee");
				json_w_int(&c->jw, fee);
			}
			json_w_key(&c->jw, "broadcast");
			json_w_bool(&c->jw, false);
			json_w_obj_end(&c->jw);
		} else {
			struct buf t = BUF_INIT;
			wallet_psbt_describe(w, &p, &t, NULL);
			tui_cli_printf(c, "%sDry run: not broadcast, nothing recorded.\ntxid %s\n%s\n", buf_cstr(&t), id, hex);
			buf_clear(&t);
		}
		kb_free(hex);
	} else if (status == CLI_OK) {
		status = broadcast_and_wait(&s, c, raw.p, raw.len);
	}
	buf_clear(&raw);
	wallet_psbt_clear(&p);
out_close:
	if (online)
		tui_wsession_close(&s);
	wallet_close(w);
	return status;
}

/* ---- koban broadcast HEX|FILE|PSBT ------------------------------------------------------ */

static int cmd_broadcast(struct cli *c, int argc, char **argv)
{
	if (argc != 2)
		return tui_cli_error(c, CLI_USER, "usage: koban broadcast HEX|FILE|PSBT");
	char err[512] = "";
	size_t len = 0;
	uint8_t *data = cli_read_hex_or_file(argv[1], &len, err, sizeof err);
	if (!data)
		return tui_cli_error(c, CLI_USER, "%s", err);
	struct buf raw = BUF_INIT;
	struct wallet_psbt p;
	wallet_psbt_init(&p);
	bool is_psbt = (len >= 5 && memcmp(data, "psbt\xff", 5) == 0) || (len >= 6 && memcmp(data, "cHNidP", 6) == 0);
	if (is_psbt) {
		if (wallet_psbt_parse_any(&p, data, len, err, sizeof err) != KB_OK) {
			kb_free(data);
			return tui_cli_error(c, CLI_USER, "not a PSBT: %s", err);
		}
		struct wallet_tx tx;
		if (wallet_psbt_finalize(&p) != KB_OK || wallet_psbt_extract(&p, &tx, err, sizeof err) != KB_OK) {
			kb_free(data);
			wallet_psbt_clear(&p);
			return tui_cli_error(c, CLI_USER, "the PSBT is not fully signed: sign it first (koban psbt sign)");
		}
		wallet_tx_serialize(&tx, &raw, true);
		wallet_tx_clear(&tx);
		wallet_psbt_clear(&p);
	} else {
		buf_bytes(&raw, data, len);
	}
	kb_free(data);
	struct wallet_tx tx;
	if (wallet_tx_parse_err(&tx, raw.p, raw.len, err, sizeof err) != KB_OK) {
		buf_clear(&raw);
		return tui_cli_error(c, CLI_USER, "not a transaction: %s", err);
	}
	enum kb_rc crc = wallet_tx_check(&tx, err, sizeof err);
	wallet_tx_clear(&tx);
	if (crc != KB_OK) { /* before any connection */
		buf_clear(&raw);
		return tui_cli_error(c, CLI_USER, "not a valid transaction: %s", err);
	}
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status))) {
		buf_clear(&raw);
		return status;
	}
	struct tui_wsession s;
	status = tui_wsession_open(&s, c, w);
	if (status == CLI_OK) {
		status = tui_wsession_sync(&s, c, SEND_SYNC_TIMEOUT_MS);
		if (status == CLI_OK)
			status = broadcast_and_wait(&s, c, raw.p, raw.len);
		tui_wsession_close(&s);
	}
	buf_clear(&raw);
	wallet_close(w);
	return status;
}

/* ---- koban bump TXID --fee-rate SATVB ----------------------------------------------------- */

static int cmd_bump(struct cli *c, int argc, char **argv)
{
	const char *id = NULL;
	int64_t rate = 0;
	char err[512] = "";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fee-rate") && i + 1 < argc) {
			if (cli_parse_fee_rate(argv[++i], &rate, err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return tui_cli_error(c, CLI_USER, "bump: unknown option '%s'", argv[i]);
		} else if (!id) {
			id = argv[i];
		} else {
			return tui_cli_error(c, CLI_USER, "usage: koban bump TXID --fee-rate SATVB");
		}
	}
	if (!id || rate == 0)
		return tui_cli_error(c, CLI_USER, "usage: koban bump TXID --fee-rate SATVB");
	struct hash256 txid;
	if (strlen(id) != 64 || !wallet_hex_decode_exact(txid.b, 32, id))
		return tui_cli_error(c, CLI_USER, "'%s' is not a transaction id (64 hex digits)", id);
	for (size_t i = 0; i < 16; i++) { /* displayed order -> internal */
		uint8_t t = txid.b[i];
		txid.b[i] = txid.b[31 - i];
		txid.b[31 - i] = t;
	}
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct tui_wsession s;
	memset(&s, 0, sizeof s);
	status = tui_wsession_open(&s, c, w);
	if (status == CLI_OK)
		status = tui_wsession_sync(&s, c, SEND_SYNC_TIMEOUT_MS);
	struct wallet_psbt p;
	wallet_psbt_init(&p);
	struct buf raw = BUF_INIT;
	if (status == CLI_OK) {
		enum kb_rc rc = wallet_sync_bump(w, &txid, rate, cli_tip(c, w), &p, err, sizeof err);
		if (rc != KB_OK)
			status = tui_cli_error(c, cli_status(rc), "%s", err);
	}
	if (status == CLI_OK)
		status = sign_extract(c, w, &p, &raw);
	if (status == CLI_OK)
		status = broadcast_and_wait(&s, c, raw.p, raw.len);
	buf_clear(&raw);
	wallet_psbt_clear(&p);
	if (s.loop)
		tui_wsession_close(&s);
	wallet_close(w);
	return status;
}

const struct cli_command tui_cli_send_commands[] = {
	{ "send", cmd_send, "ADDR AMOUNT [ADDR AMOUNT ...] [--fee-rate SATVB] [--max] [--dry-run]",
	  "build, sign and broadcast a payment" },
	{ "broadcast", cmd_broadcast, "HEX|FILE|PSBT", "announce a signed transaction to the peers" },
	{ "bump", cmd_bump, "TXID --fee-rate SATVB", "replace an own pending transaction by fee (BIP125)" },
	{ NULL, NULL, NULL, NULL },
};
