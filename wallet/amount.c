#include "wallet/amount.h"

#include <stdio.h>
#include <string.h>

static enum kb_rc fail(int64_t *sats, enum kb_rc rc, char *err, size_t errlen, const char *why)
{
	*sats = 0;
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return rc;
}

static enum kb_rc parse(int64_t *sats, const char *s, bool allow_sat, char *err, size_t errlen)
{
	*sats = 0;
	if (!s || !*s)
		return fail(sats, KB_EPARSE, err, errlen, "the amount is empty");
	size_t n = strlen(s);
	if (n > 40)
		return fail(sats, KB_EPARSE, err, errlen, "the amount is not a number");
	if (s[0] == '-')
		return fail(sats, KB_EPARSE, err, errlen, "the amount may not be negative");
	if (allow_sat && n > 3 && strcmp(s + n - 3, "sat") == 0) {
		int64_t v = 0;
		for (size_t i = 0; i < n - 3; i++) {
			if (s[i] < '0' || s[i] > '9')
				return fail(sats, KB_EPARSE, err, errlen,
				            "a satoshi amount is a whole number followed by 'sat', like 150000sat");
			if (v > WALLET_MAX_MONEY)
				break;
			v = v * 10 + (s[i] - '0');
		}
		if (v > WALLET_MAX_MONEY)
			return fail(sats, KB_ELIMIT, err, errlen, "the amount is more than 21 million BTC");
		*sats = v;
		return KB_OK;
	}
	int64_t whole = 0, frac = 0;
	int frac_digits = 0;
	size_t i = 0;
	if (!(s[0] >= '0' && s[0] <= '9'))
		goto notnum;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > 21000000)
			return fail(sats, KB_ELIMIT, err, errlen, "the amount is more than 21 million BTC");
	}
	if (s[i] == '.') {
		i++;
		if (!(s[i] >= '0' && s[i] <= '9'))
			goto notnum;
		for (; s[i] >= '0' && s[i] <= '9'; i++) {
			if (++frac_digits > 8)
				return fail(sats, KB_ELIMIT, err, errlen,
				            "an amount in BTC has at most 8 decimals (1 satoshi = 0.00000001 BTC)");
			frac = frac * 10 + (s[i] - '0');
		}
	}
	if (s[i] != '\0')
		goto notnum;
	for (int k = frac_digits; k < 8; k++)
		frac *= 10;
	int64_t v = whole * WALLET_COIN + frac;
	if (v > WALLET_MAX_MONEY)
		return fail(sats, KB_ELIMIT, err, errlen, "the amount is more than 21 million BTC");
	*sats = v;
	return KB_OK;
notnum:
	return fail(sats, KB_EPARSE, err, errlen,
	            allow_sat ? "not an amount: write BTC like 0.0015 or satoshis like 150000sat"
	                      : "not an amount in BTC (like 0.0015)");
}

enum kb_rc wallet_amount_parse(int64_t *sats, const char *s, char *err, size_t errlen)
{
	return parse(sats, s, true, err, errlen);
}

enum kb_rc wallet_amount_parse_btc(int64_t *sats, const char *s, char *err, size_t errlen)
{
	return parse(sats, s, false, err, errlen);
}

void wallet_amount_format(char out[WALLET_AMOUNT_STRLEN], int64_t sats)
{
	/* Work on the magnitude as unsigned so INT64_MIN cannot overflow. */
	uint64_t m = sats < 0 ? (uint64_t)0 - (uint64_t)sats : (uint64_t)sats;
	snprintf(out, WALLET_AMOUNT_STRLEN, "%s%llu.%08llu", sats < 0 ? "-" : "",
	         (unsigned long long)(m / WALLET_COIN), (unsigned long long)(m % WALLET_COIN));
}

void wallet_amount_format_short(char out[WALLET_AMOUNT_STRLEN], int64_t sats)
{
	wallet_amount_format(out, sats);
	char *dot = strchr(out, '.');
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (dot && out + n - 1 == dot)
		*dot = '\0';
}

void wallet_amount_format_sats(char out[32], int64_t sats)
{
	char digits[24];
	uint64_t m = sats < 0 ? (uint64_t)0 - (uint64_t)sats : (uint64_t)sats;
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)m);
	size_t n = strlen(digits), o = 0;
	if (sats < 0)
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}
