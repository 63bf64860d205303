#include "tui/cmd-util.h"

#include "spv/chain.h"
#include "wallet/address.h"
#include "wallet/amount.h"
#include "wallet/bip21.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_status(enum kb_rc rc)
{
	switch (rc) {
	case KB_EIO:
	case KB_ENOMEM:
	case KB_ECRYPTO:
		return CLI_FAIL;
	default:
		return CLI_USER;
	}
}

enum kb_rc cli_datadir(struct cli *c, const char **out, int *status)
{
	*out = NULL;
	if (c->opt.datadir) {
		*out = kb_strdup(c->opt.datadir);
		return KB_OK;
	}
	char *d = NULL;
	if (wallet_store_default_datadir(&d) != KB_OK) {
		*status = tui_cli_error(c, CLI_USER, "no data directory: set HOME or XDG_DATA_HOME, or give --datadir DIR");
		return KB_ENOTFOUND;
	}
	*out = d;
	return KB_OK;
}

void cli_free_datadir(const char **d)
{
	kb_free((void *)*d);
	*d = NULL;
}

struct wallet *cli_open_wallet(struct cli *c, int *status)
{
	const char *dir;
	*status = CLI_OK;
	if (cli_datadir(c, &dir, status) != KB_OK)
		return NULL;
	struct wallet *w = NULL;
	char err[512] = "";
	enum kb_rc rc = wallet_open(&w, dir, c->opt.wallet, c->opt.net, err, sizeof err);
	cli_free_datadir(&dir);
	if (rc != KB_OK) {
		*status = tui_cli_error(c, rc == KB_EIO ? CLI_FAIL : CLI_USER, "%s", err[0] ? err : kb_rc_str(rc));
		return NULL;
	}
	return w;
}

char *cli_headers_path(struct cli *c)
{
	const char *dir;
	int status;
	if (cli_datadir(c, &dir, &status) != KB_OK)
		return NULL;
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s/%s/headers.dat", dir, kb_net_params(c->opt.net)->dirname);
	cli_free_datadir(&dir);
	buf_cstr(&b);
	return (char *)buf_take(&b, NULL);
}

struct tipinfo {
	int64_t height; /* -1: no header store */
	char hash[65];
	int64_t time;
};

/* The header store's tip, read without starting the node. */
static void chain_tipinfo(struct cli *c, struct tipinfo *ti)
{
	char *path = cli_headers_path(c);
	ti->height = -1;
	ti->hash[0] = 0;
	ti->time = 0;
	if (path && access(path, F_OK) == 0) {
		struct spv_chain *ch = NULL;
		char err[256];
		if (spv_chain_open(&ch, c->opt.net, path, NULL, err, sizeof err) == KB_OK) {
			struct hash256 h;
			uint32_t height, t;
			spv_chain_tip(ch, &h, &height, &t);
			ti->height = height;
			ti->time = t;
			wallet_hex_encode_rev(ti->hash, sizeof ti->hash, h.b, 32);
			spv_chain_free(ch);
		}
	}
	kb_free(path);
}

static int64_t chain_tip(struct cli *c)
{
	struct tipinfo ti;
	chain_tipinfo(c, &ti);
	return ti.height;
}

/* The sync state in words: the node is not running here, so it is judged
 * by the age of the newest header (blocks come every 10 minutes). */
static const char *sync_state(const struct tipinfo *ti)
{
	if (ti->height < 0)
		return "no headers yet";
	int64_t age = (int64_t)time(NULL) - ti->time;
	return age <= 2 * 60 * 60 ? "current" : "behind";
}

int64_t cli_tip(struct cli *c, struct wallet *w)
{
	int64_t h = -1;
	struct hash256 hash;
	if (wallet_store_sync_get(wallet_store(w), &h, &hash) != KB_OK)
		h = -1;
	int64_t ct = chain_tip(c);
	return ct > h ? ct : h;
}

enum kb_rc cli_set_tip(struct wallet *w, int64_t height)
{
	int64_t h;
	struct hash256 hash;
	if (wallet_store_sync_get(wallet_store(w), &h, &hash) == KB_OK && h >= height)
		return KB_OK;
	memset(&hash, 0, sizeof hash);
	return wallet_store_sync_set(wallet_store(w), height, &hash);
}

void cli_tip_json(struct cli *c, struct wallet *w)
{
	int64_t h = -1;
	struct hash256 hash;
	if (wallet_store_sync_get(wallet_store(w), &h, &hash) != KB_OK)
		h = -1;
	json_w_key(&c->jw, "scanned_height");
	json_w_int(&c->jw, h);
	struct tipinfo ti;
	chain_tipinfo(c, &ti);
	json_w_key(&c->jw, "headers_height");
	json_w_int(&c->jw, ti.height);
	json_w_key(&c->jw, "headers_tip_hash");
	json_w_str(&c->jw, ti.hash);
	json_w_key(&c->jw, "headers_tip_time");
	json_w_int(&c->jw, ti.time);
	json_w_key(&c->jw, "sync_state");
	json_w_str(&c->jw, sync_state(&ti));
}

void cli_tip_text(struct cli *c, struct wallet *w)
{
	int64_t h = -1;
	struct hash256 hash;
	if (wallet_store_sync_get(wallet_store(w), &h, &hash) != KB_OK)
		h = -1;
	struct tipinfo ti;
	chain_tipinfo(c, &ti);
	if (ti.height >= 0) {
		char when[32] = "?";
		time_t tt = (time_t)ti.time;
		struct tm tm;
		if (gmtime_r(&tt, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		tui_cli_printf(c, "Headers:    %" PRId64 " %s\n", ti.height, ti.hash);
		tui_cli_printf(c, "Tip time:   %s\n", when);
		tui_cli_printf(c, "Sync:       %s%s\n", sync_state(&ti),
		               strcmp(sync_state(&ti), "current") ? " (koban sync)" : "");
	} else
		tui_cli_printf(c, "Headers:    none yet (koban sync)\n");
	if (h >= 0)
		tui_cli_printf(c, "Scanned:    up to block %" PRId64 "\n", h);
}

int cli_ok(struct cli *c, const char *msg)
{
	if (c->opt.json) {
		json_w_obj_begin(&c->jw);
		json_w_key(&c->jw, "ok");
		json_w_bool(&c->jw, true);
		json_w_key(&c->jw, "message");
		json_w_str(&c->jw, msg);
		json_w_obj_end(&c->jw);
	} else {
		tui_cli_printf(c, "%s\n", msg);
	}
	return CLI_OK;
}

long atoi_safe(const char *s)
{
	long v = 0;
	if (!*s || strlen(s) > 9)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

enum kb_rc cli_parse_birthday(const char *s, int64_t *height, int64_t *t, char *err, size_t errlen)
{
	*height = -1;
	*t = -1;
	int y, m, d;
	char tail;
	if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		time_t v = timegm(&tm);
		if (y < 2009 || m < 1 || m > 12 || d < 1 || d > 31 || v == (time_t)-1) {
			snprintf(err, errlen, "'%s' is not a date koban can use (YYYY-MM-DD, from 2009 on)", s);
			return KB_EINVAL;
		}
		*t = (int64_t)v;
		return KB_OK;
	}
	long h = atoi_safe(s);
	if (h > 0 || !strcmp(s, "0")) {
		*height = h;
		return KB_OK;
	}
	snprintf(err, errlen, "the birthday is a date (YYYY-MM-DD) or a block height, not '%s'", s);
	return KB_EINVAL;
}

enum kb_rc cli_parse_fee_rate(const char *s, int64_t *milli, char *err, size_t errlen)
{
	*milli = 0;
	int64_t whole = 0, frac = 0;
	int digits = 0;
	const char *p = s;
	if (!(*p >= '0' && *p <= '9'))
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 10000)
			goto high;
	}
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++digits > 3)
				goto bad;
			frac = frac * 10 + (*p - '0');
		}
	}
	if (*p)
		goto bad;
	for (; digits < 3; digits++)
		frac *= 10;
	*milli = whole * 1000 + frac;
	if (*milli < 1000) {
		snprintf(err, errlen, "a fee rate below 1 sat/vB is not relayed by peers");
		*milli = 0;
		return KB_EINVAL;
	}
	return KB_OK;
bad:
	snprintf(err, errlen, "the fee rate is a number of sat/vB, like 2 or 12.5, not '%s'", s);
	return KB_EPARSE;
high:
	snprintf(err, errlen, "a fee rate over 10000 sat/vB is surely a mistake");
	return KB_EINVAL;
}

enum kb_rc cli_parse_recipient(enum kb_net net, const char *s, struct wallet_recipient *r,
                               int64_t *uri_amount, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	*uri_amount = -1;
	const char *addr = s;
	struct wallet_bip21 u;
	if (wallet_bip21_is_uri(s)) {
		enum kb_rc rc = wallet_bip21_parse(&u, s, err, errlen);
		if (rc != KB_OK)
			return rc;
		addr = u.address;
		*uri_amount = u.amount;
	}
	char aerr[256];
	enum kb_rc rc = wallet_address_decode(r->spk, sizeof r->spk, &r->spk_len, net, addr, aerr, sizeof aerr);
	if (rc != KB_OK) {
		snprintf(err, errlen, "address %s: %s", addr, aerr);
		return rc;
	}
	snprintf(r->address, sizeof r->address, "%s", addr);
	return KB_OK;
}

int cli_parse_recipients(struct cli *c, enum kb_net net, const char *const *pos, int npos, bool max,
                         struct wallet_recipient *to, size_t cap, size_t *nto)
{
	char err[512];
	*nto = 0;
	for (int i = 0; i < npos;) {
		if (*nto == cap)
			return tui_cli_error(c, CLI_USER, "at most %zu recipients", cap);
		struct wallet_recipient *r = &to[*nto];
		int64_t uri_amount = -1;
		if (cli_parse_recipient(net, pos[i], r, &uri_amount, err, sizeof err) != KB_OK)
			return tui_cli_error(c, CLI_USER, "%s", err);
		i++;
		bool last = i >= npos;
		if (uri_amount >= 0) {
			r->amount = uri_amount;
		} else if (max && (last || !strcmp(pos[i], "max"))) {
			if (!last)
				i++;
			if (i < npos)
				return tui_cli_error(c, CLI_USER, "with --max, the address that gets everything comes last");
		} else if (last) {
			return tui_cli_error(c, CLI_USER, "no amount for %s", r->address);
		} else {
			if (wallet_amount_parse(&r->amount, pos[i], err, sizeof err) != KB_OK)
				return tui_cli_error(c, CLI_USER, "amount '%s': %s", pos[i], err);
			if (r->amount == 0)
				return tui_cli_error(c, CLI_USER, "the amount for %s is zero", r->address);
			i++;
		}
		(*nto)++;
	}
	return CLI_OK;
}

uint8_t *cli_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	*len = 0;
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b = BUF_INIT;
	uint8_t chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf_bytes(&b, chunk, (size_t)n);
		if (b.len > max) {
			if (fd != STDIN_FILENO)
				close(fd);
			buf_clear(&b);
			snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
			return NULL;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0) {
		buf_clear(&b);
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	return buf_take(&b, len);
}

static bool all_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') || (p[i] >= 'A' && p[i] <= 'F')))
			return false;
	return n > 0;
}

uint8_t *cli_read_hex_or_file(const char *arg, size_t *len, char *err, size_t errlen)
{
	*len = 0;
	size_t n = strlen(arg);
	if (n > 1 && n % 2 == 0 && all_hex((const uint8_t *)arg, n) && access(arg, F_OK) != 0) {
		uint8_t *out = wallet_hex_decode_new(arg, len);
		if (out)
			return out;
	}
	uint8_t *data = cli_read_file(arg, 8u << 20, len, err, errlen);
	if (!data)
		return NULL;
	size_t m = *len;
	while (m && (data[m - 1] == '\n' || data[m - 1] == '\r' || data[m - 1] == ' '))
		m--;
	if (m % 2 == 0 && all_hex(data, m)) {
		char *s = kb_strndup((const char *)data, m);
		kb_free(data);
		uint8_t *out = wallet_hex_decode_new(s, len);
		kb_free(s);
		return out;
	}
	return data;
}

enum kb_rc cli_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return KB_EIO;
	}
	const uint8_t *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			return KB_EIO;
		}
		p += n;
		left -= (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return KB_EIO;
	}
	return KB_OK;
}
