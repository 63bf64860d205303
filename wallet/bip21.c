#include "wallet/bip21.h"

#include "wallet/amount.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char scheme[] = "bitcoin:";

bool wallet_bip21_is_uri(const char *s)
{
	return s && strncasecmp(s, scheme, sizeof scheme - 1) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Percent-decodes [s, s+n) into out (cap bytes with NUL). */
static bool pct_decode(char *out, size_t cap, const char *s, size_t n, bool text)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3)
				return false;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return false;
		if (!text && c == ' ')
			return false;
		if (o + 1 >= cap)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

static enum kb_rc bad(struct wallet_bip21 *out, char *err, size_t errlen, const char *why)
{
	memset(out, 0, sizeof *out);
	out->amount = -1;
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return KB_EPARSE;
}

enum kb_rc wallet_bip21_parse(struct wallet_bip21 *out, const char *uri, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->amount = -1;
	if (!wallet_bip21_is_uri(uri))
		return bad(out, err, errlen, "not a bitcoin: URI");
	size_t len = strlen(uri);
	if (len > WALLET_BIP21_MAX_URI)
		return bad(out, err, errlen, "the bitcoin: URI is too long");
	const char *p = uri + sizeof scheme - 1;
	const char *q = strchr(p, '?');
	size_t alen = q ? (size_t)(q - p) : strlen(p);
	if (alen == 0)
		return bad(out, err, errlen, "the bitcoin: URI has no address");
	if (!pct_decode(out->address, sizeof out->address, p, alen, false))
		return bad(out, err, errlen, "the bitcoin: URI's address is malformed");
	bool seen_amount = false, seen_label = false, seen_message = false;
	while (q) {
		const char *k = q + 1;
		const char *end = strchr(k, '&');
		size_t plen = end ? (size_t)(end - k) : strlen(k);
		const char *eq = memchr(k, '=', plen);
		size_t klen = eq ? (size_t)(eq - k) : plen;
		const char *v = eq ? eq + 1 : k + plen;
		size_t vlen = eq ? plen - klen - 1 : 0;
		char val[WALLET_BIP21_MAX_TEXT + 1];
		if (klen == 6 && strncmp(k, "amount", 6) == 0) {
			if (seen_amount)
				return bad(out, err, errlen, "the bitcoin: URI gives the amount twice");
			seen_amount = true;
			char amt[64], aerr[128];
			if (!pct_decode(amt, sizeof amt, v, vlen, false))
				return bad(out, err, errlen, "the bitcoin: URI's amount is malformed");
			int64_t sats;
			if (wallet_amount_parse_btc(&sats, amt, aerr, sizeof aerr) != KB_OK) {
				char why[200];
				snprintf(why, sizeof why, "the bitcoin: URI's amount: %s", aerr);
				return bad(out, err, errlen, why);
			}
			out->amount = sats;
		} else if ((klen == 5 && strncmp(k, "label", 5) == 0) ||
		           (klen == 7 && strncmp(k, "message", 7) == 0)) {
			bool is_label = klen == 5;
			if (is_label ? seen_label : seen_message)
				return bad(out, err, errlen, "the bitcoin: URI repeats a parameter");
			if (!pct_decode(val, sizeof val, v, vlen, true))
				return bad(out, err, errlen, "the bitcoin: URI's label or message is malformed or too long");
			memcpy(is_label ? out->label : out->message, val, strlen(val) + 1);
			*(is_label ? &seen_label : &seen_message) = true;
		} else if (klen >= 4 && strncmp(k, "req-", 4) == 0) {
			return bad(out, err, errlen,
			           "the bitcoin: URI requires a feature koban does not know (a req- parameter)");
		}
		q = end;
	}
	return KB_OK;
}

static void pct_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_u8(out, c);
		} else {
			buf_u8(out, '%');
			buf_u8(out, (uint8_t)hex[c >> 4]);
			buf_u8(out, (uint8_t)hex[c & 15]);
		}
	}
}

void wallet_bip21_build(struct buf *out, const char *address, int64_t amount,
                        const char *label, const char *message)
{
	char sep = '?';
	buf_str(out, scheme);
	buf_str(out, address);
	if (amount >= 0) {
		char a[WALLET_AMOUNT_STRLEN];
		wallet_amount_format_short(a, amount);
		buf_printf(out, "%camount=%s", sep, a);
		sep = '&';
	}
	if (label && *label) {
		buf_printf(out, "%clabel=", sep);
		pct_encode(out, label);
		sep = '&';
	}
	if (message && *message) {
		buf_printf(out, "%cmessage=", sep);
		pct_encode(out, message);
	}
}
