/* Fee estimates (contract in spv/fees.h). */
#include "spv/fees.h"

#include "wallet/json.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

static const unsigned fees_targets[SPV_FEE_SPEEDS] = {144, 6, 2};
static const char *const fees_names[SPV_FEE_SPEEDS] = {"slow", "normal", "fast"};

unsigned spv_fees_speed_target(enum spv_fee_speed s)
{
	return (unsigned)s < SPV_FEE_SPEEDS ? fees_targets[s] : 0;
}

const char *spv_fees_speed_name(enum spv_fee_speed s)
{
	return (unsigned)s < SPV_FEE_SPEEDS ? fees_names[s] : "?";
}

#define FEES_ERR(...)                                  \
	do {                                           \
		if (err && errlen)                     \
			snprintf(err, errlen, __VA_ARGS__); \
	} while (0)

/* "1".."1008", no sign, no leading zero. */
static bool fees_target_parse(const char *k, unsigned *t)
{
	*t = 0;
	if (!k || !k[0] || k[0] == '0' || strlen(k) > 4)
		return false;
	unsigned v = 0;
	for (const char *p = k; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < 1 || v > SPV_FEES_TARGET_MAX)
		return false;
	*t = v;
	return true;
}

/* A JSON number's text in sat/vB to sat/kvB, rounded up. KB_EPARSE for a
 * sign or exponent, KB_ELIMIT over the cap. */
static enum kb_rc fees_rate_parse(const char *s, int64_t *out)
{
	*out = 0;
	if (!s || !s[0] || s[0] == '-')
		return KB_EPARSE;
	int64_t ip = 0;
	const char *p = s;
	size_t ndig = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++ndig > 12)
			return KB_ELIMIT;
		ip = ip * 10 + (*p - '0');
	}
	if (ndig == 0)
		return KB_EPARSE;
	int64_t frac = 0;
	bool round_up = false;
	if (*p == '.') {
		p++;
		size_t nf = 0;
		for (; *p >= '0' && *p <= '9'; p++, nf++) {
			if (nf < 3)
				frac = frac * 10 + (*p - '0');
			else if (*p != '0')
				round_up = true;
		}
		if (nf == 0)
			return KB_EPARSE;
		for (; nf < 3; nf++)
			frac *= 10;
	}
	if (*p != '\0')
		return KB_EPARSE; /* exponents and anything else */
	int64_t v = ip * 1000 + frac + (round_up ? 1 : 0);
	if (v > SPV_FEES_RATE_MAX)
		return KB_ELIMIT;
	*out = v;
	return KB_OK;
}

enum kb_rc spv_fees_parse(struct spv_fee_estimates *out, const char *text, size_t len,
                          char *err, size_t errlen)
{
	KB_ASSERT(out);
	memset(out, 0, sizeof *out);
	if (err && errlen)
		err[0] = '\0';
	if (!text)
		return KB_EINVAL;
	if (len > SPV_FEES_DOC_MAX) {
		FEES_ERR("fee estimates: document larger than %s bytes", "65536");
		return KB_ELIMIT;
	}
	struct json *j = NULL;
	char jerr[128];
	if (json_parse(&j, text, len, jerr, sizeof jerr) != KB_OK) {
		FEES_ERR("fee estimates: not JSON (%s)", jerr);
		return KB_EPARSE;
	}
	enum kb_rc rc = KB_OK;
	/* best[speed]: the largest target <= the speed's target seen so far */
	unsigned best_t[SPV_FEE_SPEEDS] = {0};
	int64_t best_r[SPV_FEE_SPEEDS] = {0};
	bool seen[SPV_FEES_TARGET_MAX + 1];
	memset(seen, 0, sizeof seen);
	if (!json_is(j, JSON_OBJECT)) {
		FEES_ERR("fee estimates: %s", "not a JSON object");
		rc = KB_EPARSE;
		goto out;
	}
	if (j->count > SPV_FEES_ENTRIES_MAX) {
		FEES_ERR("fee estimates: %s", "too many entries");
		rc = KB_ELIMIT;
		goto out;
	}
	for (size_t i = 0; i < j->count; i++) {
		const struct json *m = j->items[i];
		unsigned t;
		if (!fees_target_parse(m->key, &t)) {
			FEES_ERR("fee estimates: \"%s\" is not a target of 1..1008 blocks",
			         m->key ? m->key : "");
			rc = KB_EPARSE;
			goto out;
		}
		if (seen[t]) {
			FEES_ERR("fee estimates: target %s appears twice", m->key);
			rc = KB_EPARSE;
			goto out;
		}
		seen[t] = true;
		int64_t r;
		if (!json_is(m, JSON_NUMBER)) {
			FEES_ERR("fee estimates: the rate for %s is not a number", m->key);
			rc = KB_EPARSE;
			goto out;
		}
		rc = fees_rate_parse(m->str, &r);
		if (rc == KB_ELIMIT) {
			FEES_ERR("fee estimates: the rate for %s is implausibly high", m->key);
			goto out;
		}
		if (rc != KB_OK) {
			FEES_ERR("fee estimates: the rate for %s is not a plain decimal", m->key);
			goto out;
		}
		for (unsigned s = 0; s < SPV_FEE_SPEEDS; s++) {
			if (t <= fees_targets[s] && t > best_t[s]) {
				best_t[s] = t;
				best_r[s] = r;
			}
		}
	}
	out->entries = j->count;
	for (unsigned s = 0; s < SPV_FEE_SPEEDS; s++) {
		if (best_t[s]) {
			out->have[s] = true;
			out->rate[s] = best_r[s];
			out->target[s] = best_t[s];
		}
	}
out:
	json_free(j);
	if (rc != KB_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

enum kb_rc spv_fees_pick(const struct spv_fee_estimates *est, enum spv_fee_speed speed,
                         int64_t floor_kvb, int64_t *rate)
{
	KB_ASSERT(rate);
	*rate = 0;
	if (!est || (unsigned)speed >= SPV_FEE_SPEEDS)
		return KB_EINVAL;
	if (!est->have[speed])
		return KB_ENOTFOUND;
	int64_t r = est->rate[speed];
	if (floor_kvb > SPV_FEES_RATE_MAX)
		floor_kvb = SPV_FEES_RATE_MAX;
	if (r < floor_kvb)
		r = floor_kvb;
	if (r < SPV_FEES_MIN_RELAY)
		r = SPV_FEES_MIN_RELAY;
	*rate = r;
	return KB_OK;
}

static void fees_http_cb(enum kb_rc rc, long status, const uint8_t *body, size_t len,
                         const char *why, void *arg)
{
	struct spv_fees_req *req = arg;
	req->http_id = 0;
	char err[256];
	struct spv_fee_estimates est;
	memset(&est, 0, sizeof est);
	if (rc != KB_OK) {
		snprintf(err, sizeof err, "fee estimates: %s", why && why[0] ? why : kb_rc_str(rc));
		req->cb(rc, NULL, err, req->arg);
		return;
	}
	if (status != 200) {
		snprintf(err, sizeof err, "fee estimates: the server answered HTTP %ld", status);
		req->cb(KB_ENET, NULL, err, req->arg);
		return;
	}
	rc = spv_fees_parse(&est, (const char *)body, len, err, sizeof err);
	req->cb(rc, rc == KB_OK ? &est : NULL, rc == KB_OK ? "" : err, req->arg);
}

enum kb_rc spv_fees_fetch(struct spv_http *h, struct spv_fees_req *req, const char *url,
                          int64_t timeout_ms, spv_fees_cb cb, void *arg)
{
	KB_ASSERT(h && req && cb);
	req->cb = cb;
	req->arg = arg;
	req->http_id = 0;
	return spv_http_get(h, &req->http_id, url, SPV_FEES_DOC_MAX, timeout_ms, fees_http_cb, req);
}

void spv_fees_cancel(struct spv_http *h, struct spv_fees_req *req)
{
	if (!h || !req || !req->http_id)
		return;
	spv_http_cancel(h, req->http_id);
	req->http_id = 0;
}
