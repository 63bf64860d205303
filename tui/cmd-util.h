/*
 * Helpers the command-line commands share: the data directory, opening
 * the wallet with a precise message, the chain tip, strict parsers of
 * typed values, and file reading/writing with bounds.
 */
#ifndef KOBAN_TUI_CMD_UTIL_H
#define KOBAN_TUI_CMD_UTIL_H

#include "tui/cli.h"
#include "wallet/rc.h"
#include "wallet/wallet.h"

#include <stddef.h>
#include <stdint.h>

/* Status for a failed wallet/engine call: the user's error or not. */
int cli_status(enum kb_rc rc);
/* The data directory (--datadir or the default), kb_malloc'd into *out. */
enum kb_rc cli_datadir(struct cli *c, const char **out, int *status) KB_WUR;
void cli_free_datadir(const char **d);
/* Opens the wallet named by -w; NULL (with the error reported) on failure. */
struct wallet *cli_open_wallet(struct cli *c, int *status);
/* Path of the network's header store (kb_malloc'd). */
char *cli_headers_path(struct cli *c);
/* The best chain tip height koban knows: the header store's, or the
 * wallet's last scanned block (or one set with `tx add --tip`); -1 none. */
int64_t cli_tip(struct cli *c, struct wallet *w);
enum kb_rc cli_set_tip(struct wallet *w, int64_t height) KB_WUR;
void cli_tip_json(struct cli *c, struct wallet *w);
void cli_tip_text(struct cli *c, struct wallet *w);
/* Prints a one-line confirmation ({"ok": true, "message": ...} in JSON). */
int cli_ok(struct cli *c, const char *msg);

/* A birthday: YYYY-MM-DD (a time) or a block height. */
enum kb_rc cli_parse_birthday(const char *s, int64_t *height, int64_t *time,
                              char *err, size_t errlen) KB_WUR;
/* A fee rate in sat/vB with up to 3 decimals, into sat per 1000 vB. */
enum kb_rc cli_parse_fee_rate(const char *s, int64_t *milli, char *err, size_t errlen) KB_WUR;
/* An address or BIP21 URI of net; *uri_amount the URI's amount or -1. */
enum kb_rc cli_parse_recipient(enum kb_net net, const char *s, struct wallet_recipient *r,
                               int64_t *uri_amount, char *err, size_t errlen) KB_WUR;
/*
 * The recipients of `psbt create` / `send`: ADDR AMOUNT pairs (a BIP21 URI
 * with an amount stands alone); with max, the last address may stand
 * without an amount (or with "max") and gets everything left. Reports the
 * error itself and returns its status.
 */
int cli_parse_recipients(struct cli *c, enum kb_net net, const char *const *pos, int npos, bool max,
                         struct wallet_recipient *to, size_t cap, size_t *nto);
/* A small positive decimal (0 on anything else). */
long atoi_safe(const char *s);

/* Reads a whole file, at most max bytes ("-" is standard input). */
uint8_t *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);
/* Hex given on the line, or a file holding hex or raw bytes. */
uint8_t *cli_read_hex_or_file(const char *arg, size_t *len, char *err, size_t errlen);
/* Writes a file atomically (temporary + rename), mode 0600. */
enum kb_rc cli_write_file(const char *path, const void *data, size_t len,
                          char *err, size_t errlen) KB_WUR;

#endif
