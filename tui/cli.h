/*
 * The scriptable command line: `koban [options] COMMAND [ARGS]`, the same
 * engine the terminal UI drives.
 *
 * Exit status: 0 success, 1 the user's error (one clear line on stderr),
 * 2 anything else. With --json, a command prints exactly one JSON document
 * on stdout (errors too: {"error": {"message": ..., "code": ...}}).
 */
#ifndef KOBAN_TUI_CLI_H
#define KOBAN_TUI_CLI_H

#include "wallet/buf.h"
#include "wallet/json.h"
#include "wallet/network.h"

#include <stdbool.h>
#include <stddef.h>

enum cli_exit { CLI_OK = 0, CLI_USER = 1, CLI_FAIL = 2 };

#define CLI_MAX_CONNECT 16
#define CLI_LOCK_AFTER_MIN 10     /* --lock-after bounds, seconds */
#define CLI_LOCK_AFTER_MAX 86400

struct cli_opts {
	enum kb_net net;
	const char *datadir;        /* borrowed from argv; NULL = default */
	const char *wallet;         /* borrowed; default "default" */
	const char *password_file;  /* borrowed; NULL = prompt on a terminal */
	bool json;
	bool offline;
	bool test_kdf;              /* tests only: cheap Argon2id parameters */
	const char *connect[CLI_MAX_CONNECT];
	size_t nconnect;
	const char *proxy;
	int lock_after_s;           /* the UI's idle lock; 0: TUI_IDLE_LOCK_S */
};

struct cli {
	struct cli_opts opt;
	struct buf out;             /* owned: what goes to stdout at the end */
	struct json_writer jw;      /* writes into out when opt.json */
};

int tui_cli_main(int argc, char **argv);

/* Output helpers for commands. Text goes to c->out when not --json. */
void tui_cli_printf(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Reports an error and returns the exit status to use: CLI_USER for the
 * user's errors (bad input, wrong password, insufficient funds...),
 * CLI_FAIL otherwise. The message is one line, already specific.
 */
int tui_cli_error(struct cli *c, enum cli_exit status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Reads the wallet password: from --password-file (first line), or by
 * prompting on the terminal without echo (twice when confirm). The result
 * is in sodium_malloc memory; free with kb_secret_free. NULL on failure
 * (and the error is reported on c).
 */
char *tui_cli_password(struct cli *c, const char *prompt, bool confirm, int *status);
/* Reads a secret from a file's first line into sodium_malloc memory. */
char *tui_cli_read_secret_file(const char *path, size_t max, char *err, size_t errlen);
/* Reads all of stdin (bounded by max bytes) into sodium_malloc memory. */
char *tui_cli_read_secret_stdin(size_t max, char *err, size_t errlen);

#endif
