/*
 * Wallet commands of the command line: create, restore, watch, info,
 * receive, addresses, balance, history, utxos, label, freeze, unfreeze,
 * export-descriptors, passwd, mnemonic, tx add, and the psbt family.
 * Each parses its own arguments strictly, refuses bad input with one
 * specific line and changes nothing then.
 */
#include "tui/cmds.h"

#include "tui/cmd-util.h"
#include "wallet/address.h"
#include "wallet/amount.h"
#include "wallet/bip21.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/psbt.h"
#include "wallet/wallet.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- create / restore / watch ---- */

static int do_create(struct cli *c, int argc, char **argv, bool restore)
{
	struct wallet_create_opts o;
	memset(&o, 0, sizeof o);
	o.net = c->opt.net;
	o.name = c->opt.wallet;
	o.lang = WALLET_BIP39_EN;
	o.words = 12;
	o.birthday_height = -1;
	o.birthday_time = restore ? -1 : (int64_t)time(NULL);
	const char *passphrase_file = NULL;
	int status = CLI_OK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--words") && v && !restore) {
			if (strcmp(v, "12") && strcmp(v, "24") && strcmp(v, "15") && strcmp(v, "18") && strcmp(v, "21"))
				return tui_cli_error(c, CLI_USER, "--words takes 12 or 24 (or 15, 18, 21)");
			o.words = (unsigned)atoi_safe(v);
			i++;
		} else if (!strcmp(a, "--language") && v && !restore) {
			if (!strcmp(v, "en") || !strcmp(v, "english"))
				o.lang = WALLET_BIP39_EN;
			else if (!strcmp(v, "ja") || !strcmp(v, "japanese"))
				o.lang = WALLET_BIP39_JA;
			else
				return tui_cli_error(c, CLI_USER, "--language takes en or ja");
			i++;
		} else if (!strcmp(a, "--passphrase-file") && v) {
			passphrase_file = v;
			i++;
		} else if (!strcmp(a, "--type") && v) {
			char err[256];
			if (wallet_types_parse(&o.types, v, err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
			i++;
		} else if (!strcmp(a, "--birthday") && v) {
			char err[256];
			if (cli_parse_birthday(v, &o.birthday_height, &o.birthday_time, err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
			i++;
		} else {
			return tui_cli_error(c, CLI_USER, "%s: unexpected '%s' (see koban --help)", argv[0], a);
		}
	}
	if (c->opt.test_kdf)
		wallet_keystore_kdf_cheap(&o.kdf);
	else
		wallet_keystore_kdf_default(&o.kdf);

	char err[512] = "";
	char *mnemonic = NULL, *passphrase = NULL, *password = NULL;
	char *words = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
	struct wallet *w = NULL;
	if (restore) {
		if (isatty(STDIN_FILENO))
			fputs("Type the mnemonic words, then press Enter and Ctrl-D:\n", stderr);
		mnemonic = tui_cli_read_secret_stdin(WALLET_BIP39_INPUT_MAX, err, sizeof err);
		if (!mnemonic) {
			status = tui_cli_error(c, CLI_USER, "%s", err);
			goto out;
		}
		if (!mnemonic[0]) {
			status = tui_cli_error(c, CLI_USER, "no mnemonic on standard input");
			goto out;
		}
		o.mnemonic = mnemonic;
	}
	if (passphrase_file) {
		passphrase = tui_cli_read_secret_file(passphrase_file, WALLET_BIP39_PASSPHRASE_MAX + 1, err, sizeof err);
		if (!passphrase) {
			status = tui_cli_error(c, CLI_USER, "%s", err);
			goto out;
		}
		o.passphrase = passphrase;
	}
	password = tui_cli_password(c, "New wallet password: ", true, &status);
	if (!password)
		goto out;
	o.password = password;
	if (cli_datadir(c, &o.datadir, &status) != KB_OK)
		goto out;
	if (!c->opt.json && isatty(STDERR_FILENO))
		fputs("Sealing the keys (Argon2id)...\n", stderr);
	enum kb_rc rc = wallet_create(&w, &o, restore ? NULL : words, WALLET_BIP39_MNEMONIC_MAX, err, sizeof err);
	if (rc != KB_OK) {
		status = tui_cli_error(c, cli_status(rc), "%s", err);
		goto out;
	}
	struct wallet_address first;
	rc = wallet_receive(w, &first, NULL, NULL, err, sizeof err);
	if (rc != KB_OK)
		first.address[0] = '\0';
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "wallet");
		json_w_str(&c->jw, c->opt.wallet);
		json_w_key(&c->jw, "network");
		json_w_str(&c->jw, kb_net_params(c->opt.net)->display);
		json_w_key(&c->jw, "path");
		json_w_str(&c->jw, wallet_path(w));
		if (!restore) {
			json_w_key(&c->jw, "mnemonic");
			json_w_str(&c->jw, words);
		}
		json_w_key(&c->jw, "first_address");
		json_w_str(&c->jw, first.address);
		json_w_obj_end(&c->jw);
	} else {
		tui_cli_printf(c, "Created wallet '%s' on %s: %s\n", c->opt.wallet,
		               kb_net_params(c->opt.net)->display, wallet_path(w));
		if (!restore) {
			tui_cli_printf(c, "\nWrite these words down, in order, and keep them offline. They are the only\n"
			                  "backup of this wallet; koban will not show them again unless you ask\n"
			                  "(koban mnemonic) with the password.\n\n  %s\n\n", words);
		}
		tui_cli_printf(c, "First receive address: %s\n", first.address);
	}
out:
	/* c->out may hold the mnemonic now: tui_cli_main wipes it after printing. */
	wallet_close(w);
	kb_secret_free(words);
	kb_secret_free(mnemonic);
	kb_secret_free(passphrase);
	kb_secret_free(password);
	cli_free_datadir(&o.datadir);
	return status;
}

static int cmd_create(struct cli *c, int argc, char **argv) { return do_create(c, argc, argv, false); }
static int cmd_restore(struct cli *c, int argc, char **argv) { return do_create(c, argc, argv, true); }

static int cmd_watch(struct cli *c, int argc, char **argv)
{
	struct buf keys = BUF_INIT;
	const char *key = NULL;
	int64_t bh = -1, bt = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--birthday") && i + 1 < argc) {
			char err[256];
			if (cli_parse_birthday(argv[++i], &bh, &bt, err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
		} else if (argv[i][0] != '-') {
			buf_printf(&keys, "%s\n", argv[i]);
		} else {
			buf_clear(&keys);
			return tui_cli_error(c, CLI_USER, "watch: unexpected '%s'", argv[i]);
		}
	}
	if (!keys.len)
		return tui_cli_error(c, CLI_USER, "watch needs an output descriptor (or several) or an xpub");
	key = buf_cstr(&keys);
	int status = CLI_OK;
	const char *datadir = NULL;
	if (cli_datadir(c, &datadir, &status) != KB_OK) {
		buf_clear(&keys);
		return status;
	}
	struct wallet *w = NULL;
	char err[512] = "";
	enum kb_rc rc = wallet_create_watch(&w, datadir, c->opt.wallet, c->opt.net, key, bh, bt, err, sizeof err);
	cli_free_datadir(&datadir);
	buf_clear(&keys);
	if (rc != KB_OK)
		return tui_cli_error(c, cli_status(rc), "%s", err);
	struct wallet_address first;
	if (wallet_receive(w, &first, NULL, NULL, err, sizeof err) != KB_OK)
		first.address[0] = '\0';
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "wallet");
		json_w_str(&c->jw, c->opt.wallet);
		json_w_key(&c->jw, "watch_only");
		json_w_bool(&c->jw, true);
		json_w_key(&c->jw, "path");
		json_w_str(&c->jw, wallet_path(w));
		json_w_key(&c->jw, "first_address");
		json_w_str(&c->jw, first.address);
		json_w_obj_end(&c->jw);
	} else {
		tui_cli_printf(c, "Created watch-only wallet '%s' on %s: %s\n"
		                  "It holds no private keys: it can follow payments and write PSBTs for a signer.\n"
		                  "First receive address: %s\n",
		               c->opt.wallet, kb_net_params(c->opt.net)->display, wallet_path(w), first.address);
	}
	wallet_close(w);
	return CLI_OK;
}

/* ---- reading ---- */

static int cmd_info(struct cli *c, int argc, char **argv)
{
	if (argc > 1)
		return tui_cli_error(c, CLI_USER, "info takes no arguments");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct buf d = BUF_INIT;
	char err[256];
	enum kb_rc rc = wallet_export_descriptors(w, NULL, &d, err, sizeof err);
	int64_t tip = cli_tip(c, w);
	struct wallet_balance b;
	if (wallet_get_balance(w, tip, &b) != KB_OK)
		memset(&b, 0, sizeof b);
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "wallet");
		json_w_str(&c->jw, c->opt.wallet);
		json_w_key(&c->jw, "network");
		json_w_str(&c->jw, kb_net_params(wallet_net(w))->display);
		json_w_key(&c->jw, "path");
		json_w_str(&c->jw, wallet_path(w));
		json_w_key(&c->jw, "watch_only");
		json_w_bool(&c->jw, wallet_watch_only(w));
		json_w_key(&c->jw, "birthday_height");
		json_w_int(&c->jw, wallet_birthday_height(w));
		json_w_key(&c->jw, "tip_height");
		json_w_int(&c->jw, tip);
		json_w_key(&c->jw, "confirm_target");
		json_w_int(&c->jw, wallet_confirm_target(w));
		json_w_key(&c->jw, "gap_limit");
		json_w_int(&c->jw, wallet_gap_limit(w));
		json_w_key(&c->jw, "descriptors");
		json_w_arr_begin(&c->jw);
		char *save = NULL;
		for (char *line = strtok_r(rc == KB_OK ? buf_cstr(&d) : NULL, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			json_w_str(&c->jw, line);
		json_w_arr_end(&c->jw);
		cli_tip_json(c, w);
		json_w_obj_end(&c->jw);
	} else {
		tui_cli_printf(c, "Wallet:     %s%s\nNetwork:    %s\nFile:       %s\n", c->opt.wallet,
		               wallet_watch_only(w) ? " (watch-only: no private keys)" : "",
		               kb_net_params(wallet_net(w))->display, wallet_path(w));
		if (wallet_birthday_height(w) >= 0)
			tui_cli_printf(c, "Birthday:   block %" PRId64 "\n", wallet_birthday_height(w));
		tui_cli_printf(c, "Settings:   confirmed at %" PRId64 " blocks, gap limit %" PRId64 "\n",
		               wallet_confirm_target(w), wallet_gap_limit(w));
		cli_tip_text(c, w);
		tui_cli_printf(c, "Descriptors:\n");
		char *save = NULL;
		for (char *line = strtok_r(rc == KB_OK ? buf_cstr(&d) : NULL, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			tui_cli_printf(c, "  %s\n", line);
	}
	buf_clear(&d);
	wallet_close(w);
	return CLI_OK;
}

static int cmd_receive(struct cli *c, int argc, char **argv)
{
	const char *label = NULL, *type = NULL;
	int64_t amount = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--label") && i + 1 < argc) {
			label = argv[++i];
		} else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
			type = argv[++i];
		} else if (!strcmp(argv[i], "--amount") && i + 1 < argc) {
			char err[200];
			if (wallet_amount_parse(&amount, argv[++i], err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
		} else {
			return tui_cli_error(c, CLI_USER, "receive: unexpected '%s'", argv[i]);
		}
	}
	if (label && strlen(label) > 255)
		return tui_cli_error(c, CLI_USER, "a label has at most 255 bytes");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct wallet_address a;
	char err[256];
	enum kb_rc rc = wallet_receive(w, &a, type, label, err, sizeof err);
	if (rc != KB_OK) {
		wallet_close(w);
		return tui_cli_error(c, cli_status(rc), "%s", err);
	}
	struct buf uri = BUF_INIT;
	wallet_bip21_build(&uri, a.address, amount, label, NULL);
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "address");
		json_w_str(&c->jw, a.address);
		json_w_key(&c->jw, "index");
		json_w_uint(&c->jw, a.index);
		json_w_key(&c->jw, "type");
		json_w_str(&c->jw, a.type);
		char *spk = wallet_hex_new(a.spk, a.spk_len);
		json_w_key(&c->jw, "script");
		json_w_str(&c->jw, spk);
		kb_free(spk);
		json_w_key(&c->jw, "uri");
		json_w_str(&c->jw, buf_cstr(&uri));
		json_w_obj_end(&c->jw);
	} else if (amount >= 0 || label) {
		tui_cli_printf(c, "%s\n%s\n", a.address, buf_cstr(&uri));
	} else {
		tui_cli_printf(c, "%s\n", a.address);
	}
	buf_clear(&uri);
	wallet_close(w);
	return CLI_OK;
}

static int cmd_addresses(struct cli *c, int argc, char **argv)
{
	unsigned chain = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--change"))
			chain = 1;
		else
			return tui_cli_error(c, CLI_USER, "addresses: unexpected '%s'", argv[i]);
	}
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct wallet_address *list;
	size_t n;
	enum kb_rc rc = wallet_addresses(w, chain, &list, &n);
	if (rc != KB_OK) {
		wallet_close(w);
		return tui_cli_error(c, CLI_FAIL, "cannot list addresses: %s", kb_rc_str(rc));
	}
	if (c->opt.json) {
		json_w_arr_begin(&c->jw);
		for (size_t i = 0; i < n; i++) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "address");
			json_w_str(&c->jw, list[i].address);
			json_w_key(&c->jw, "type");
			json_w_str(&c->jw, list[i].type);
			json_w_key(&c->jw, "chain");
			json_w_uint(&c->jw, list[i].chain);
			json_w_key(&c->jw, "index");
			json_w_uint(&c->jw, list[i].index);
			json_w_key(&c->jw, "used");
			json_w_bool(&c->jw, list[i].used);
			char *spk = wallet_hex_new(list[i].spk, list[i].spk_len);
			json_w_key(&c->jw, "script");
			json_w_str(&c->jw, spk);
			kb_free(spk);
			json_w_key(&c->jw, "label");
			json_w_str(&c->jw, list[i].label);
			json_w_obj_end(&c->jw);
		}
		json_w_arr_end(&c->jw);
	} else {
		for (size_t i = 0; i < n; i++)
			tui_cli_printf(c, "%-7s %4u  %s%s%s%s\n", list[i].type, list[i].index, list[i].address,
			               list[i].used ? "  used" : "", list[i].label[0] ? "  " : "", list[i].label);
	}
	kb_free(list);
	wallet_close(w);
	return CLI_OK;
}

static int cmd_balance(struct cli *c, int argc, char **argv)
{
	if (argc > 1)
		return tui_cli_error(c, CLI_USER, "balance takes no arguments");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct wallet_balance b;
	int64_t tip = cli_tip(c, w);
	enum kb_rc rc = wallet_get_balance(w, tip, &b);
	if (rc != KB_OK) {
		wallet_close(w);
		return tui_cli_error(c, CLI_FAIL, "cannot read the balance: %s", kb_rc_str(rc));
	}
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "confirmed");
		json_w_int(&c->jw, b.confirmed);
		json_w_key(&c->jw, "pending");
		json_w_int(&c->jw, b.pending);
		json_w_key(&c->jw, "immature");
		json_w_int(&c->jw, b.immature);
		json_w_key(&c->jw, "frozen");
		json_w_int(&c->jw, b.frozen);
		json_w_key(&c->jw, "unit");
		json_w_str(&c->jw, "sat");
		json_w_key(&c->jw, "tip_height");
		json_w_int(&c->jw, tip);
		json_w_obj_end(&c->jw);
	} else {
		char a[WALLET_AMOUNT_STRLEN];
		wallet_amount_format(a, b.confirmed);
		tui_cli_printf(c, "Confirmed: %s BTC\n", a);
		wallet_amount_format(a, b.pending);
		tui_cli_printf(c, "Pending:   %s BTC (fewer than %" PRId64 " confirmations)\n", a, wallet_confirm_target(w));
		if (b.immature) {
			wallet_amount_format(a, b.immature);
			tui_cli_printf(c, "Immature:  %s BTC (mined, spendable after 100 blocks)\n", a);
		}
		if (b.frozen) {
			wallet_amount_format(a, b.frozen);
			tui_cli_printf(c, "Frozen:    %s BTC (not spent unless unfrozen)\n", a);
		}
	}
	wallet_close(w);
	return CLI_OK;
}

static const char *state_name(enum wallet_tx_state s, int64_t confs, int64_t target)
{
	switch (s) {
	case WALLET_TX_CONFLICTED: return "conflicted";
	case WALLET_TX_REPLACED: return "replaced";
	case WALLET_TX_CONFIRMED: return confs >= target ? "confirmed" : "confirming";
	default: return "pending";
	}
}

static int cmd_history(struct cli *c, int argc, char **argv)
{
	if (argc > 1)
		return tui_cli_error(c, CLI_USER, "history takes no arguments");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct wallet_history_entry *h;
	size_t n;
	int64_t tip = cli_tip(c, w), target = wallet_confirm_target(w);
	enum kb_rc rc = wallet_history(w, tip, &h, &n);
	if (rc != KB_OK) {
		wallet_close(w);
		return tui_cli_error(c, CLI_FAIL, "cannot read the history: %s", kb_rc_str(rc));
	}
	if (c->opt.json)
		json_w_arr_begin(&c->jw);
	for (size_t i = 0; i < n; i++) {
		char id[65], a[WALLET_AMOUNT_STRLEN], when[32] = "";
		wallet_hex_encode_rev(id, sizeof id, h[i].txid.b, 32);
		wallet_amount_format(a, h[i].delta);
		time_t t = (time_t)h[i].time;
		struct tm tm;
		if (h[i].time > 0 && gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		const char *st = state_name(h[i].state, h[i].confirmations, target);
		if (c->opt.json) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "txid");
			json_w_str(&c->jw, id);
			json_w_key(&c->jw, "amount");
			json_w_int(&c->jw, h[i].delta);
			json_w_key(&c->jw, "fee");
			if (h[i].fee >= 0)
				json_w_int(&c->jw, h[i].fee);
			else
				json_w_null(&c->jw);
			json_w_key(&c->jw, "height");
			json_w_int(&c->jw, h[i].height);
			json_w_key(&c->jw, "confirmations");
			json_w_int(&c->jw, h[i].confirmations);
			json_w_key(&c->jw, "state");
			json_w_str(&c->jw, st);
			json_w_key(&c->jw, "time");
			json_w_int(&c->jw, h[i].time);
			json_w_key(&c->jw, "label");
			json_w_str(&c->jw, h[i].label);
			json_w_obj_end(&c->jw);
		} else {
			char confs[48];
			if (h[i].state == WALLET_TX_CONFIRMED && h[i].confirmations < target)
				snprintf(confs, sizeof confs, "%" PRId64 "/%" PRId64, h[i].confirmations, target);
			else if (h[i].state == WALLET_TX_CONFIRMED)
				snprintf(confs, sizeof confs, "%" PRId64, h[i].confirmations);
			else
				snprintf(confs, sizeof confs, "0/%" PRId64, target);
			tui_cli_printf(c, "%-16s %14s BTC  %-10s %6s  %s%s%s\n", when, a, st, confs, id,
			               h[i].label[0] ? "  " : "", h[i].label);
		}
	}
	if (c->opt.json)
		json_w_arr_end(&c->jw);
	else if (n == 0)
		tui_cli_printf(c, "No transactions yet.\n");
	kb_free(h);
	wallet_close(w);
	return CLI_OK;
}

static int cmd_utxos(struct cli *c, int argc, char **argv)
{
	if (argc > 1)
		return tui_cli_error(c, CLI_USER, "utxos takes no arguments");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	struct wallet_store_output *u;
	size_t n;
	int64_t tip = cli_tip(c, w);
	enum kb_rc rc = wallet_utxos(w, &u, &n);
	if (rc != KB_OK) {
		wallet_close(w);
		return tui_cli_error(c, CLI_FAIL, "cannot list coins: %s", kb_rc_str(rc));
	}
	if (c->opt.json)
		json_w_arr_begin(&c->jw);
	for (size_t i = 0; i < n; i++) {
		char id[65], a[WALLET_AMOUNT_STRLEN], addr[WALLET_ADDRESS_MAX + 8];
		wallet_hex_encode_rev(id, sizeof id, u[i].txid.b, 32);
		wallet_amount_format(a, u[i].value);
		if (wallet_address_encode(addr, sizeof addr, wallet_net(w), u[i].spk, u[i].spk_len) != KB_OK)
			addr[0] = '\0';
		int64_t confs = u[i].height >= 0 && tip >= u[i].height ? tip - u[i].height + 1 : 0;
		if (c->opt.json) {
			char op[80];
			snprintf(op, sizeof op, "%s:%u", id, u[i].vout);
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "outpoint");
			json_w_str(&c->jw, op);
			json_w_key(&c->jw, "value");
			json_w_int(&c->jw, u[i].value);
			json_w_key(&c->jw, "address");
			json_w_str(&c->jw, addr);
			json_w_key(&c->jw, "confirmations");
			json_w_int(&c->jw, confs);
			json_w_key(&c->jw, "change");
			json_w_bool(&c->jw, u[i].is_change);
			json_w_key(&c->jw, "frozen");
			json_w_bool(&c->jw, u[i].frozen);
			json_w_key(&c->jw, "label");
			json_w_str(&c->jw, u[i].label ? u[i].label : "");
			json_w_obj_end(&c->jw);
		} else {
			tui_cli_printf(c, "%s:%u  %s BTC  %" PRId64 " conf  %s%s%s%s\n", id, u[i].vout, a, confs, addr,
			               u[i].frozen ? "  frozen" : "", u[i].label ? "  " : "", u[i].label ? u[i].label : "");
		}
	}
	if (c->opt.json)
		json_w_arr_end(&c->jw);
	else if (n == 0)
		tui_cli_printf(c, "No coins.\n");
	wallet_store_output_list_free(u, n);
	wallet_close(w);
	return CLI_OK;
}

/* ---- changing ---- */

static int cmd_label(struct cli *c, int argc, char **argv)
{
	if (argc != 3)
		return tui_cli_error(c, CLI_USER, "usage: koban label ADDRESS|TXID|TXID:VOUT TEXT");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	char err[512];
	enum kb_rc rc = wallet_label(w, argv[1], argv[2], err, sizeof err);
	wallet_close(w);
	if (rc != KB_OK)
		return tui_cli_error(c, cli_status(rc), "%s", err);
	return cli_ok(c, "labelled");
}

static int do_freeze(struct cli *c, int argc, char **argv, bool frozen)
{
	if (argc != 2)
		return tui_cli_error(c, CLI_USER, "usage: koban %s TXID:VOUT", argv[0]);
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	char err[512];
	enum kb_rc rc = wallet_freeze(w, argv[1], frozen, err, sizeof err);
	wallet_close(w);
	if (rc != KB_OK)
		return tui_cli_error(c, cli_status(rc), "%s", err);
	return cli_ok(c, frozen ? "frozen: this coin is never spent until unfrozen" : "unfrozen");
}

static int cmd_freeze(struct cli *c, int argc, char **argv) { return do_freeze(c, argc, argv, true); }
static int cmd_unfreeze(struct cli *c, int argc, char **argv) { return do_freeze(c, argc, argv, false); }

static int cmd_export(struct cli *c, int argc, char **argv)
{
	bool priv = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--private"))
			priv = true;
		else
			return tui_cli_error(c, CLI_USER, "export-descriptors: unexpected '%s'", argv[i]);
	}
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	char *password = NULL;
	if (priv && !(password = tui_cli_password(c, "Wallet password: ", false, &status))) {
		wallet_close(w);
		return status;
	}
	struct buf d = BUF_INIT;
	char err[512] = "";
	enum kb_rc rc = wallet_export_descriptors(w, password, &d, err, sizeof err);
	kb_secret_free(password);
	wallet_close(w);
	if (rc != KB_OK) {
		buf_clear_wipe(&d);
		return tui_cli_error(c, cli_status(rc), "%s", err);
	}
	if (c->opt.json) {
		json_w_arr_begin(&c->jw);
		char *save = NULL;
		for (char *line = strtok_r(buf_cstr(&d), "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			json_w_str(&c->jw, line);
		json_w_arr_end(&c->jw);
	} else {
		tui_cli_printf(c, "%s", buf_cstr(&d));
	}
	buf_clear_wipe(&d);
	return CLI_OK;
}

static int cmd_passwd(struct cli *c, int argc, char **argv)
{
	const char *new_file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--new-password-file") && i + 1 < argc)
			new_file = argv[++i];
		else
			return tui_cli_error(c, CLI_USER, "passwd: unexpected '%s'", argv[i]);
	}
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	char *old = tui_cli_password(c, "Current password: ", false, &status), *new_pw = NULL;
	char err[512] = "";
	if (!old)
		goto out;
	if (new_file) {
		new_pw = tui_cli_read_secret_file(new_file, 4096, err, sizeof err);
		if (!new_pw) {
			status = tui_cli_error(c, CLI_USER, "%s", err);
			goto out;
		}
	} else {
		struct cli tmp = *c;
		tmp.opt.password_file = NULL;
		new_pw = tui_cli_password(&tmp, "New password: ", true, &status);
		if (!new_pw)
			goto out;
	}
	struct wallet_kdf_params kdf;
	if (c->opt.test_kdf)
		wallet_keystore_kdf_cheap(&kdf);
	else
		wallet_keystore_kdf_default(&kdf);
	enum kb_rc rc = wallet_change_password(w, old, new_pw, &kdf, err, sizeof err);
	if (rc != KB_OK)
		status = tui_cli_error(c, cli_status(rc), "%s", err);
	else
		status = cli_ok(c, "password changed");
out:
	kb_secret_free(old);
	kb_secret_free(new_pw);
	wallet_close(w);
	return status;
}

static int cmd_mnemonic(struct cli *c, int argc, char **argv)
{
	if (argc > 1)
		return tui_cli_error(c, CLI_USER, "mnemonic takes no arguments");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	char *password = tui_cli_password(c, "Wallet password: ", false, &status);
	char *words = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
	char err[512] = "";
	bool has_pass = false;
	if (password) {
		enum kb_rc rc = wallet_show_mnemonic(w, password, words, WALLET_BIP39_MNEMONIC_MAX, &has_pass, err, sizeof err);
		if (rc != KB_OK) {
			status = tui_cli_error(c, cli_status(rc), "%s", err);
		} else if (c->opt.json) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "mnemonic");
			json_w_str(&c->jw, words);
			json_w_key(&c->jw, "has_passphrase");
			json_w_bool(&c->jw, has_pass);
			json_w_obj_end(&c->jw);
		} else {
			tui_cli_printf(c, "%s\n%s", words, has_pass ? "(with a BIP39 passphrase, not shown)\n" : "");
		}
	}
	kb_secret_free(words);
	kb_secret_free(password);
	wallet_close(w);
	return status;
}

/* koban tx add HEX|FILE [--height N --block-hash H --block-time T] [--tip N] */
static int cmd_tx(struct cli *c, int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "add") != 0)
		return tui_cli_error(c, CLI_USER, "usage: koban tx add HEX|FILE [--height N --block-hash HASH] [--block-time T] [--tip N]");
	int64_t height = -1, block_time = 0, tip = -1;
	struct hash256 bh;
	bool have_hash = false;
	memset(&bh, 0, sizeof bh);
	for (int i = 3; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return tui_cli_error(c, CLI_USER, "%s needs a value", argv[i]);
		char *end;
		if (!strcmp(argv[i], "--height") || !strcmp(argv[i], "--tip") || !strcmp(argv[i], "--block-time")) {
			errno = 0;
			long long x = strtoll(v, &end, 10);
			if (errno || *end || x < 0 || x > 100000000000LL)
				return tui_cli_error(c, CLI_USER, "%s takes a number", argv[i]);
			*(!strcmp(argv[i], "--height") ? &height : !strcmp(argv[i], "--tip") ? &tip : &block_time) = x;
		} else if (!strcmp(argv[i], "--block-hash")) {
			uint8_t be[32];
			if (!wallet_hex_decode_exact(be, 32, v))
				return tui_cli_error(c, CLI_USER, "--block-hash takes 64 hex digits");
			for (int k = 0; k < 32; k++)
				bh.b[k] = be[31 - k];
			have_hash = true;
		} else {
			return tui_cli_error(c, CLI_USER, "tx add: unexpected '%s'", argv[i]);
		}
		i++;
	}
	if (height >= 0 && !have_hash)
		memset(bh.b, 0, 32); /* a known height whose block hash is not known offline */
	size_t len;
	char err[512];
	uint8_t *raw = cli_read_hex_or_file(argv[2], &len, err, sizeof err);
	if (!raw)
		return tui_cli_error(c, CLI_USER, "%s", err);
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status))) {
		kb_free(raw);
		return status;
	}
	bool relevant;
	enum kb_rc rc = wallet_add_tx(w, raw, len, height, height >= 0 ? &bh : NULL, block_time, &relevant,
	                              err, sizeof err);
	kb_free(raw);
	if (rc == KB_OK && tip >= 0)
		rc = cli_set_tip(w, tip);
	wallet_close(w);
	if (rc != KB_OK)
		return tui_cli_error(c, cli_status(rc), "%s", err);
	if (!relevant)
		return tui_cli_error(c, CLI_USER, "this transaction neither pays nor spends anything of this wallet: not recorded");
	return cli_ok(c, "recorded");
}


/* ---- settings ---- */

static const struct {
	const char *key;
	const char *what;
} settings[] = {
	{ WALLET_SETTING_CONFIRM_TARGET, "confirmations before a payment counts as confirmed (1-100)" },
	{ WALLET_SETTING_GAP_LIMIT, "unused addresses kept derived beyond the last used one (1-1000)" },
	{ WALLET_SETTING_BLOOM_FP_RATE, "Bloom filter false-positive rate (0.00001-0.05): privacy against bandwidth" },
	{ WALLET_SETTING_FEE_URL, "Esplora-compatible fee estimate URL (http:// or https://; empty: none)" },
	{ "proxy", "SOCKS5 proxy HOST:PORT for peers and fee estimates (empty: none)" },
};

static bool setting_valid(const char *key, const char *v, char *err, size_t errlen)
{
	if (!strcmp(key, WALLET_SETTING_CONFIRM_TARGET) || !strcmp(key, WALLET_SETTING_GAP_LIMIT)) {
		long n = atoi_safe(v), max = !strcmp(key, WALLET_SETTING_GAP_LIMIT) ? 1000 : 100;
		if (n < 1 || n > max) {
			snprintf(err, errlen, "%s takes a whole number from 1 to %ld", key, max);
			return false;
		}
		return true;
	}
	if (!strcmp(key, WALLET_SETTING_BLOOM_FP_RATE)) {
		char *end;
		double d = strtod(v, &end);
		if (*end || !(d >= 0.00001 && d <= 0.05)) {
			snprintf(err, errlen, "%s takes a rate from 0.00001 to 0.05, like 0.0005", key);
			return false;
		}
		return true;
	}
	if (!strcmp(key, WALLET_SETTING_FEE_URL)) {
		if (*v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
			snprintf(err, errlen, "%s must start with http:// or https://", key);
			return false;
		}
		return strlen(v) < 1024;
	}
	if (!strcmp(key, "proxy")) {
		if (*v && (!strchr(v, ':') || strlen(v) > 255)) {
			snprintf(err, errlen, "proxy is HOST:PORT");
			return false;
		}
		return true;
	}
	return false;
}

static int cmd_config(struct cli *c, int argc, char **argv)
{
	if (argc > 3)
		return tui_cli_error(c, CLI_USER, "usage: koban config [KEY [VALUE]]");
	size_t which = SIZE_MAX;
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
			if (!strcmp(argv[1], settings[i].key))
				which = i;
		if (which == SIZE_MAX)
			return tui_cli_error(c, CLI_USER, "unknown setting '%s' (koban config lists them)", argv[1]);
	}
	char err[256] = "";
	if (argc == 3 && !setting_valid(argv[1], argv[2], err, sizeof err))
		return tui_cli_error(c, CLI_USER, "%s", err[0] ? err : "that value is not allowed");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	if (argc == 3) {
		enum kb_rc rc = wallet_store_setting_set(wallet_store(w), argv[1], argv[2]);
		wallet_close(w);
		if (rc != KB_OK)
			return tui_cli_error(c, CLI_FAIL, "cannot save the setting: %s", kb_rc_str(rc));
		return cli_ok(c, "saved");
	}
	if (c->opt.json)
		json_w_obj_begin(&c->jw);
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		if (which != SIZE_MAX && i != which)
			continue;
		char *v = NULL;
		if (wallet_store_setting_get(wallet_store(w), settings[i].key, &v) != KB_OK)
			v = NULL;
		if (c->opt.json) {
			json_w_key(&c->jw, settings[i].key);
			json_w_str(&c->jw, v ? v : "");
		} else {
			tui_cli_printf(c, "%-15s %-12s %s\n", settings[i].key, v && *v ? v : "-", settings[i].what);
		}
		kb_free(v);
	}
	if (c->opt.json)
		json_w_obj_end(&c->jw);
	wallet_close(w);
	return CLI_OK;
}

/* ---- PSBT ---- */

static int write_psbt(struct cli *c, const struct wallet_psbt *p, const char *outfile)
{
	struct buf b = BUF_INIT;
	wallet_psbt_to_base64(p, &b);
	int status = CLI_OK;
	if (outfile) {
		char err[256];
		if (cli_write_file(outfile, b.p, b.len, err, sizeof err) != KB_OK)
			status = tui_cli_error(c, CLI_FAIL, "%s", err);
		else if (c->opt.json) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "file");
			json_w_str(&c->jw, outfile);
			json_w_key(&c->jw, "psbt");
			json_w_str(&c->jw, buf_cstr(&b));
			json_w_obj_end(&c->jw);
		}
	} else if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "psbt");
		json_w_str(&c->jw, buf_cstr(&b));
		json_w_obj_end(&c->jw);
	} else {
		tui_cli_printf(c, "%s\n", buf_cstr(&b));
	}
	buf_clear(&b);
	return status;
}

static int psbt_create(struct cli *c, int argc, char **argv)
{
	struct wallet_recipient to[64];
	struct wallet_outpoint from[64];
	struct wallet_spend_opts o;
	memset(&o, 0, sizeof o);
	memset(to, 0, sizeof to);
	const char *outfile = NULL;
	bool have_rate = false;
	char err[512];
	/* options first */
	const char *pos[160];
	int npos = 0;
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--fee-rate") && v) {
			if (cli_parse_fee_rate(v, &o.fee_rate, err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "%s", err);
			have_rate = true;
			i++;
		} else if (!strcmp(argv[i], "--max")) {
			o.max = true;
		} else if (!strcmp(argv[i], "--force")) {
			o.force = true;
		} else if (!strcmp(argv[i], "--include-unconfirmed")) {
			o.include_unconfirmed = true;
		} else if (!strcmp(argv[i], "--no-rbf")) {
			o.no_rbf = true;
		} else if (!strcmp(argv[i], "--from") && v) {
			if (o.nfrom == 64)
				return tui_cli_error(c, CLI_USER, "at most 64 --from coins");
			if (wallet_outpoint_parse(&from[o.nfrom], v) != KB_OK)
				return tui_cli_error(c, CLI_USER, "--from takes TXID:VOUT, not '%s'", v);
			o.nfrom++;
			i++;
		} else if (!strcmp(argv[i], "-o") && v) {
			outfile = v;
			i++;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return tui_cli_error(c, CLI_USER, "psbt create: unknown option '%s'", argv[i]);
		} else {
			if (npos == 160)
				return tui_cli_error(c, CLI_USER, "too many recipients");
			pos[npos++] = argv[i];
		}
	}
	if (!have_rate)
		return tui_cli_error(c, CLI_USER, "give the fee rate with --fee-rate SATVB (offline, koban has no fee estimate and never guesses one)");
	struct wallet *w;
	int status;
	if (!(w = cli_open_wallet(c, &status)))
		return status;
	status = cli_parse_recipients(c, wallet_net(w), pos, npos, o.max, to, 64, &o.nto);
	if (status != CLI_OK) {
		wallet_close(w);
		return status;
	}
	if (o.nto == 0) {
		wallet_close(w);
		return tui_cli_error(c, CLI_USER, "usage: koban psbt create ADDR AMOUNT [ADDR AMOUNT ...] --fee-rate SATVB");
	}
	o.to = to;
	o.from = from;
	o.tip_height = cli_tip(c, w);
	struct wallet_psbt p;
	enum kb_rc rc = wallet_psbt_create(w, &o, &p, err, sizeof err);
	if (rc != KB_OK) {
		wallet_close(w);
		return tui_cli_error(c, cli_status(rc), "%s", err);
	}
	status = write_psbt(c, &p, outfile);
	if (status == CLI_OK && outfile && !c->opt.json) {
		struct buf t = BUF_INIT;
		wallet_psbt_describe(w, &p, &t, NULL);
		tui_cli_printf(c, "%sWrote %s: sign it with `koban psbt sign %s` on the signing wallet.\n",
		               buf_cstr(&t), outfile, outfile);
		buf_clear(&t);
	}
	wallet_psbt_clear(&p);
	wallet_close(w);
	return status;
}

static int load_psbt(struct cli *c, const char *path, struct wallet_psbt *p)
{
	size_t len;
	char err[512];
	uint8_t *data = cli_read_file(path, WALLET_PSBT_MAX_SIZE * 2, &len, err, sizeof err);
	if (!data)
		return tui_cli_error(c, CLI_USER, "%s", err);
	enum kb_rc rc = wallet_psbt_parse_any(p, data, len, err, sizeof err);
	kb_free(data);
	if (rc != KB_OK)
		return tui_cli_error(c, CLI_USER, "%s is not a valid PSBT: %s", path, err);
	return CLI_OK;
}

/* `psbt sign|finalize FILE [-o FILE]`: the file and the optional output. */
static int file_and_out(struct cli *c, int argc, char **argv, const char **file, const char **outfile)
{
	*file = *outfile = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			*outfile = argv[++i];
		else if (!*file && argv[i][0] != '-')
			*file = argv[i];
		else
			return tui_cli_error(c, CLI_USER, "psbt %s: unexpected '%s'", argv[1], argv[i]);
	}
	if (!*file)
		return tui_cli_error(c, CLI_USER, "usage: koban psbt %s FILE [-o FILE]", argv[1]);
	return CLI_OK;
}

static int psbt_sign(struct cli *c, int argc, char **argv)
{
	const char *file, *outfile;
	int status = file_and_out(c, argc, argv, &file, &outfile);
	if (status != CLI_OK)
		return status;
	struct wallet_psbt p;
	status = load_psbt(c, file, &p);
	if (status != CLI_OK)
		return status;
	struct wallet *w;
	if (!(w = cli_open_wallet(c, &status))) {
		wallet_psbt_clear(&p);
		return status;
	}
	if (wallet_watch_only(w)) {
		wallet_close(w);
		wallet_psbt_clear(&p);
		return tui_cli_error(c, CLI_USER, "this is a watch-only wallet: it holds no keys to sign with");
	}
	if (isatty(STDIN_FILENO) && !c->opt.json) {
		struct buf t = BUF_INIT;
		wallet_psbt_describe(w, &p, &t, NULL);
		fprintf(stderr, "You are signing:\n%s\n", buf_cstr(&t));
		buf_clear(&t);
	}
	char *password = tui_cli_password(c, "Wallet password: ", false, &status);
	if (password) {
		size_t n;
		char err[512];
		enum kb_rc rc = wallet_psbt_sign(w, &p, password, &n, err, sizeof err);
		if (rc != KB_OK)
			status = tui_cli_error(c, cli_status(rc), "%s", err);
		else
			status = write_psbt(c, &p, outfile);
		if (status == CLI_OK && outfile && !c->opt.json)
			tui_cli_printf(c, "Signed %zu input%s; wrote %s.\n", n, n == 1 ? "" : "s", outfile);
	}
	kb_secret_free(password);
	wallet_psbt_clear(&p);
	wallet_close(w);
	return status;
}

static int psbt_finalize(struct cli *c, int argc, char **argv)
{
	const char *file, *outfile;
	int status = file_and_out(c, argc, argv, &file, &outfile);
	if (status != CLI_OK)
		return status;
	struct wallet_psbt p;
	status = load_psbt(c, file, &p);
	if (status != CLI_OK)
		return status;
	enum kb_rc rc = wallet_psbt_finalize(&p);
	if (rc != KB_OK) {
		for (size_t i = 0; i < p.in_count; i++)
			if (!wallet_psbt_input_final(&p, i)) {
				status = tui_cli_error(c, CLI_USER, "input %zu is not signed yet (or is not a script koban finalizes)", i);
				break;
			}
		wallet_psbt_clear(&p);
		return status;
	}
	struct wallet_tx tx;
	char err[256];
	rc = wallet_psbt_extract(&p, &tx, err, sizeof err);
	if (rc != KB_OK) {
		wallet_psbt_clear(&p);
		return tui_cli_error(c, CLI_USER, "%s", err);
	}
	struct buf raw = BUF_INIT;
	wallet_tx_serialize(&tx, &raw, true);
	char *hex = wallet_hex_new(raw.p, raw.len);
	struct hash256 id;
	char txid[65];
	wallet_tx_txid(&tx, &id);
	wallet_hex_encode_rev(txid, sizeof txid, id.b, 32);
	if (outfile) {
		struct buf b = BUF_INIT;
		wallet_psbt_to_base64(&p, &b);
		if (cli_write_file(outfile, b.p, b.len, err, sizeof err) != KB_OK)
			status = tui_cli_error(c, CLI_FAIL, "%s", err);
		buf_clear(&b);
	}
	if (status == CLI_OK) {
		if (c->opt.json) {
			json_w_obj_begin(&c->jw);
			json_w_key(&c->jw, "complete");
			json_w_bool(&c->jw, true);
			json_w_key(&c->jw, "txid");
			json_w_str(&c->jw, txid);
			json_w_key(&c->jw, "hex");
			json_w_str(&c->jw, hex);
			json_w_obj_end(&c->jw);
		} else {
			tui_cli_printf(c, "%s\n", hex);
		}
	}
	kb_free(hex);
	buf_clear(&raw);
	wallet_tx_clear(&tx);
	wallet_psbt_clear(&p);
	return status;
}

static int psbt_combine(struct cli *c, int argc, char **argv)
{
	const char *outfile = NULL;
	const char *files[64];
	size_t nf = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outfile = argv[++i];
		else if (argv[i][0] != '-' && nf < 64)
			files[nf++] = argv[i];
		else
			return tui_cli_error(c, CLI_USER, "psbt combine: unexpected '%s'", argv[i]);
	}
	if (nf < 2)
		return tui_cli_error(c, CLI_USER, "usage: koban psbt combine FILE FILE ... [-o FILE]");
	struct wallet_psbt acc;
	int status = load_psbt(c, files[0], &acc);
	if (status != CLI_OK)
		return status;
	for (size_t i = 1; i < nf && status == CLI_OK; i++) {
		struct wallet_psbt next;
		status = load_psbt(c, files[i], &next);
		if (status != CLI_OK)
			break;
		char err[256];
		if (wallet_psbt_combine(&acc, &next, err, sizeof err) != KB_OK)
			status = tui_cli_error(c, CLI_USER, "%s and %s: %s", files[0], files[i], err);
		wallet_psbt_clear(&next);
	}
	if (status == CLI_OK)
		status = write_psbt(c, &acc, outfile);
	wallet_psbt_clear(&acc);
	return status;
}

static int psbt_show(struct cli *c, int argc, char **argv)
{
	if (argc != 3)
		return tui_cli_error(c, CLI_USER, "usage: koban psbt show FILE");
	struct wallet_psbt p;
	int status = load_psbt(c, argv[2], &p);
	if (status != CLI_OK)
		return status;
	struct wallet *w;
	if (!(w = cli_open_wallet(c, &status))) {
		wallet_psbt_clear(&p);
		return status;
	}
	struct buf t = BUF_INIT;
	wallet_psbt_describe(w, &p, &t, c->opt.json ? &c->jw : NULL);
	if (!c->opt.json)
		tui_cli_printf(c, "%s", buf_cstr(&t));
	buf_clear(&t);
	wallet_psbt_clear(&p);
	wallet_close(w);
	return CLI_OK;
}

static int cmd_psbt(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return tui_cli_error(c, CLI_USER, "usage: koban psbt create|sign|finalize|combine|show ...");
	if (!strcmp(argv[1], "create"))
		return psbt_create(c, argc, argv);
	if (!strcmp(argv[1], "sign"))
		return psbt_sign(c, argc, argv);
	if (!strcmp(argv[1], "finalize"))
		return psbt_finalize(c, argc, argv);
	if (!strcmp(argv[1], "combine"))
		return psbt_combine(c, argc, argv);
	if (!strcmp(argv[1], "show"))
		return psbt_show(c, argc, argv);
	return tui_cli_error(c, CLI_USER, "unknown psbt command '%s': create, sign, finalize, combine or show", argv[1]);
}

const struct cli_command tui_cli_wallet_commands[] = {
	{ "create", cmd_create, "[--words 12|24] [--language en|ja] [--passphrase-file F] [--type wpkh,tr,sh-wpkh,pkh] [--birthday DATE|HEIGHT]", "make a new wallet with a new mnemonic" },
	{ "restore", cmd_restore, "[--type ...] [--birthday DATE|HEIGHT] [--passphrase-file F]", "restore a wallet from a mnemonic on standard input" },
	{ "watch", cmd_watch, "DESCRIPTOR... | XPUB [--birthday DATE|HEIGHT]", "make a watch-only wallet (no secrets)" },
	{ "info", cmd_info, "", "the wallet, its network, descriptors and the chain tip" },
	{ "receive", cmd_receive, "[--label L] [--amount X] [--type T]", "the next unused receive address (and a BIP21 URI)" },
	{ "addresses", cmd_addresses, "[--change]", "every derived address" },
	{ "balance", cmd_balance, "", "confirmed, pending and immature balance" },
	{ "history", cmd_history, "", "transactions with confirmations" },
	{ "utxos", cmd_utxos, "", "unspent coins" },
	{ "label", cmd_label, "ADDRESS|TXID|TXID:VOUT TEXT", "label an address, transaction or coin" },
	{ "freeze", cmd_freeze, "TXID:VOUT", "never spend this coin" },
	{ "unfreeze", cmd_unfreeze, "TXID:VOUT", "allow spending this coin again" },
	{ "export-descriptors", cmd_export, "[--private]", "descriptors for a watch-only twin (private ones with the password)" },
	{ "passwd", cmd_passwd, "[--new-password-file F]", "change the wallet password" },
	{ "mnemonic", cmd_mnemonic, "", "show the mnemonic (asks for the password)" },
	{ "config", cmd_config, "[KEY [VALUE]]", "show or change a wallet setting (gap_limit, confirm_target, ...)" },
	{ "tx", cmd_tx, "add HEX|FILE [--height N --block-hash H] [--tip N]", "record a transaction received out of band" },
	{ "psbt", cmd_psbt, "create|sign|finalize|combine|show ...", "partially signed transactions (BIP174)" },
	{ NULL, NULL, NULL, NULL },
};
