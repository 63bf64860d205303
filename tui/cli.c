#include "tui/cli.h"

#include "tui/app.h"
#include "tui/cmds.h"
#include "wallet/log.h"
#include "wallet/store.h"
#include "wallet/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void print_command(const struct cli_command *cmd, void *arg)
{
	FILE *fp = arg;
	fprintf(fp, "  %-19s %s\n", cmd->name, cmd->summary);
	if (cmd->args[0])
		fprintf(fp, "  %-19s   %s\n", "", cmd->args);
}

static void usage(FILE *fp)
{
	fprintf(fp,
"usage: koban [OPTIONS] [COMMAND [ARGS]]\n"
"\n"
"A self-custody Bitcoin wallet for the terminal, with its own light node.\n"
"Without a COMMAND, koban opens the terminal user interface.\n"
"\n"
"Options (anywhere on the line):\n"
"  -n, --network NET      main, test, testnet4, signet or regtest (default main)\n"
"  -d, --datadir DIR      data directory (default $XDG_DATA_HOME/koban)\n"
"  -w, --wallet NAME      wallet name (default \"default\")\n"
"      --password-file F  read the wallet password from F's first line\n"
"      --json             print one JSON document for scripts\n"
"      --offline          never start the node: no socket, no name lookup\n"
"      --connect HOST[:PORT]  only these peers (repeatable)\n"
"      --proxy HOST:PORT  connect through a SOCKS5 proxy (Tor)\n"
"      --lock-after SECS  the interface locks after SECS without a key\n"
"                         (%d to %d, default %d)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Commands:\n", CLI_LOCK_AFTER_MIN, CLI_LOCK_AFTER_MAX, TUI_IDLE_LOCK_S);
	tui_cli_command_each(print_command, fp);
	fputs("\nRun `man koban` for the keys, files and settings.\n", fp);
}

void tui_cli_printf(struct cli *c, const char *fmt, ...)
{
	if (c->opt.json)
		return;
	va_list ap;
	va_start(ap, fmt);
	char small[512];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_bytes(&c->out, small, (size_t)n);
		return;
	}
	char *big = kb_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_bytes(&c->out, big, (size_t)n);
	kb_free(big);
}

int tui_cli_error(struct cli *c, enum cli_exit status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* One line, whatever a lower layer put in the message. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (c->opt.json) {
		/* Replace whatever was written with the error document. */
		buf_reset(&c->out);
		json_w_init(&c->jw, &c->out);
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "error");
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "message");
		json_w_str(&c->jw, msg);
		json_w_key(&c->jw, "code");
		json_w_int(&c->jw, status);
		json_w_obj_end(&c->jw);
		json_w_obj_end(&c->jw);
	}
	fprintf(stderr, "koban: %s\n", msg);
	return status;
}

static char *secret_line(const char *s, size_t n)
{
	/* Takes the first line of [s, s+n) into secret memory. */
	size_t len = 0;
	while (len < n && s[len] != '\n' && s[len] != '\r')
		len++;
	char *out = kb_secret_alloc(len + 1);
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

char *tui_cli_read_secret_file(const char *path, size_t max, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	char *tmp = kb_secret_alloc(max + 1);
	size_t n = 0;
	ssize_t r;
	while (n < max && (r = read(fd, tmp + n, max - n)) > 0)
		n += (size_t)r;
	close(fd);
	char *line = secret_line(tmp, n);
	kb_secret_free(tmp);
	return line;
}

char *tui_cli_read_secret_stdin(size_t max, char *err, size_t errlen)
{
	char *tmp = kb_secret_alloc(max + 1);
	size_t n = 0;
	ssize_t r;
	while (n < max && (r = read(STDIN_FILENO, tmp + n, max - n)) > 0)
		n += (size_t)r;
	if (n == max) {
		char extra;
		if (read(STDIN_FILENO, &extra, 1) > 0) {
			kb_secret_free(tmp);
			snprintf(err, errlen, "standard input is longer than %zu bytes", max);
			return NULL;
		}
	}
	tmp[n] = '\0';
	/* Keep all of it (a mnemonic may be spread over lines); trim the end. */
	while (n > 0 && (tmp[n - 1] == '\n' || tmp[n - 1] == '\r' || tmp[n - 1] == ' '))
		tmp[--n] = '\0';
	return tmp;
}

static char *prompt_tty(const char *prompt, char *err, size_t errlen)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "no terminal to ask for the password on: use --password-file");
		return NULL;
	}
	struct termios old, quiet;
	bool restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) < 0) { /* best effort */ }
	const size_t max = 1024;
	char *tmp = kb_secret_alloc(max + 1);
	size_t n = 0;
	char ch;
	while (n < max && read(fd, &ch, 1) == 1 && ch != '\n')
		tmp[n++] = ch;
	tmp[n] = '\0';
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) { /* best effort */ }
	close(fd);
	return tmp;
}

char *tui_cli_password(struct cli *c, const char *prompt, bool confirm, int *status)
{
	char err[256];
	char *pw;
	*status = CLI_OK;
	if (c->opt.password_file) {
		pw = tui_cli_read_secret_file(c->opt.password_file, 1024, err, sizeof err);
	} else if (isatty(STDIN_FILENO)) {
		pw = prompt_tty(prompt, err, sizeof err);
		if (pw && confirm) {
			char *again = prompt_tty("Repeat the password: ", err, sizeof err);
			if (!again || strcmp(pw, again) != 0) {
				kb_secret_free(pw);
				kb_secret_free(again);
				*status = tui_cli_error(c, CLI_USER, "the passwords do not match");
				return NULL;
			}
			kb_secret_free(again);
		}
	} else {
		snprintf(err, sizeof err, "a password is needed: give --password-file FILE (standard input is not a terminal)");
		pw = NULL;
	}
	if (!pw)
		*status = tui_cli_error(c, CLI_USER, "%s", err);
	return pw;
}

static bool takes_value(const char *opt)
{
	static const char *with[] = { "-n", "--network", "-d", "--datadir", "-w", "--wallet",
	                              "--password-file", "--connect", "--proxy", "--lock-after" };
	for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
		if (strcmp(opt, with[i]) == 0)
			return true;
	return false;
}

static int parse_global(struct cli *c, const char *opt, const char *val)
{
	if (!strcmp(opt, "-n") || !strcmp(opt, "--network")) {
		if (kb_net_parse(&c->opt.net, val) != KB_OK)
			return tui_cli_error(c, CLI_USER, "unknown network '%s': use main, test, testnet4, signet or regtest", val);
	} else if (!strcmp(opt, "-d") || !strcmp(opt, "--datadir")) {
		c->opt.datadir = val;
	} else if (!strcmp(opt, "-w") || !strcmp(opt, "--wallet")) {
		if (!wallet_store_name_valid(val))
			return tui_cli_error(c, CLI_USER, "'%s' is not a wallet name: 1-64 letters, digits, '.', '_' or '-', not starting with '.'", val);
		c->opt.wallet = val;
	} else if (!strcmp(opt, "--password-file")) {
		c->opt.password_file = val;
	} else if (!strcmp(opt, "--connect")) {
		if (c->opt.nconnect == CLI_MAX_CONNECT)
			return tui_cli_error(c, CLI_USER, "at most %d --connect peers", CLI_MAX_CONNECT);
		c->opt.connect[c->opt.nconnect++] = val;
	} else if (!strcmp(opt, "--proxy")) {
		c->opt.proxy = val;
	} else if (!strcmp(opt, "--lock-after")) {
		char *end = NULL;
		errno = 0;
		long v = strtol(val, &end, 10);
		if (errno || end == val || *end || v < CLI_LOCK_AFTER_MIN || v > CLI_LOCK_AFTER_MAX)
			return tui_cli_error(c, CLI_USER, "--lock-after takes whole seconds from %d to %d, not '%s'",
			                     CLI_LOCK_AFTER_MIN, CLI_LOCK_AFTER_MAX, val);
		c->opt.lock_after_s = (int)v;
	}
	return CLI_OK;
}

static int run(struct cli *c, int argc, char **argv)
{
	/* Global options may stand anywhere; the rest, in order, is the
	 * command and its own arguments. */
	char **rest = kb_calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0, status = CLI_OK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (++i < argc)
				rest[nrest++] = argv[i];
			break;
		}
		if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("koban %s\n", KOBAN_VERSION);
			goto out;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			if (nrest == 0) {
				usage(stdout);
				goto out;
			}
			rest[nrest++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--json")) {
			c->opt.json = true;
		} else if (!strcmp(a, "--offline")) {
			c->opt.offline = true;
		} else if (!strcmp(a, "--test-kdf")) {
			c->opt.test_kdf = true;
		} else if (takes_value(a)) {
			if (i + 1 >= argc) {
				status = tui_cli_error(c, CLI_USER, "%s needs a value", a);
				goto out;
			}
			status = parse_global(c, a, argv[++i]);
			if (status != CLI_OK)
				goto out;
		} else if (nrest == 0 && a[0] == '-') {
			status = tui_cli_error(c, CLI_USER, "unknown option '%s' (see koban --help)", a);
			goto out;
		} else {
			rest[nrest++] = argv[i];
		}
	}
	if (nrest == 0) {
		status = tui_app_run(&c->opt);
		goto out;
	}
	const struct cli_command *cmd = tui_cli_command_find(rest[0]);
	if (cmd) {
		if (c->opt.json)
			json_w_init(&c->jw, &c->out);
		status = cmd->run(c, nrest, rest);
		goto out;
	}
	status = tui_cli_error(c, CLI_USER, "unknown command '%s' (see koban --help)", rest[0]);
out:
	kb_free(rest);
	return status;
}

int tui_cli_main(int argc, char **argv)
{
	struct cli c;
	memset(&c, 0, sizeof c);
	c.opt.net = KB_NET_MAIN;
	c.opt.wallet = "default";
	buf_init(&c.out);
	int status = run(&c, argc, argv);
	if (c.out.len) {
		fwrite(c.out.p, 1, c.out.len, stdout);
		if (c.opt.json)
			fputc('\n', stdout);
	}
	buf_clear_wipe(&c.out);
	fflush(stdout);
	return status;
}
