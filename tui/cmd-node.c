/*
 * Node commands of the command line: headers import (and, as the light
 * node grows, sync and peers).
 */
#include "tui/cmds.h"

#include "spv/chain.h"
#include "tui/cmd-util.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

const struct cli_command tui_cli_node_commands[] = {
	{ "headers", cmd_headers, "import FILE", "validate and store a file of 80-byte headers" },
	{ NULL, NULL, NULL, NULL },
};
