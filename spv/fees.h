/*
 * Fee estimates: an Esplora-compatible `GET /fee-estimates` document
 * ({"1": 87.882, "2": 70.1, ..., "144": 1.027, "1008": 1.0}: confirmation
 * target in blocks -> sat/vB) parsed strictly and bounded, and the three
 * speeds koban offers: slow (144 blocks), normal (6), fast (2).
 *
 * Rates inside koban are sat per 1000 vB (int64_t), like
 * wallet_spend_opts.fee_rate. The document's decimal numbers are read
 * from their text, never through a double, and rounded up.
 *
 * For a speed with target T the estimate used is the one for the largest
 * target <= T in the document (a shorter target never pays less); when the
 * document has none, there is no estimate for that speed. The floor (the
 * highest feefilter the peers announced, and the 1 sat/vB minimum relay
 * fee) is applied on top. When no estimate can be had, the functions say
 * so; they never invent a number.
 */
#ifndef KOBAN_SPV_FEES_H
#define KOBAN_SPV_FEES_H

#include "spv/http.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPV_FEES_DOC_MAX (64u * 1024)     /* a bigger document is refused */
#define SPV_FEES_ENTRIES_MAX 1024         /* at most this many targets */
#define SPV_FEES_TARGET_MAX 1008          /* targets 1..1008 blocks */
#define SPV_FEES_RATE_MAX 10000000        /* sat/kvB: 10000 sat/vB, above is refused */
#define SPV_FEES_MIN_RELAY 1000           /* sat/kvB */

enum spv_fee_speed { SPV_FEE_SLOW = 0, SPV_FEE_NORMAL = 1, SPV_FEE_FAST = 2 };
#define SPV_FEE_SPEEDS 3

/* The target in blocks of a speed: 144, 6, 2. */
unsigned spv_fees_speed_target(enum spv_fee_speed s);
/* "slow", "normal", "fast". */
const char *spv_fees_speed_name(enum spv_fee_speed s);

struct spv_fee_estimates {
	bool have[SPV_FEE_SPEEDS];
	int64_t rate[SPV_FEE_SPEEDS];   /* sat/kvB, before the floor; valid when have[] */
	unsigned target[SPV_FEE_SPEEDS];/* the document's target actually used */
	size_t entries;                 /* targets in the document */
};

/*
 * Parses a fee-estimates document (text, len bytes; need not be
 * NUL-terminated). Every member must be a decimal target 1..1008 (no sign,
 * no leading zero) with a non-negative number of sat/vB (at most 3
 * fractional digits kept, the rest rounds up; no exponent) below
 * SPV_FEES_RATE_MAX; duplicate targets are refused; an empty object is
 * valid and yields no estimate. On failure *out has no estimate and err
 * says why: KB_ELIMIT (too big or too many entries or a rate over the cap),
 * KB_EPARSE (anything else).
 */
enum kb_rc spv_fees_parse(struct spv_fee_estimates *out, const char *text, size_t len,
                          char *err, size_t errlen) KB_WUR;

/*
 * The rate for speed: the estimate raised to floor_kvb (the peers'
 * feefilter; 0 none) and SPV_FEES_MIN_RELAY. KB_ENOTFOUND when est has
 * no estimate for that speed (*rate 0): the caller asks for a rate.
 */
enum kb_rc spv_fees_pick(const struct spv_fee_estimates *est, enum spv_fee_speed speed,
                         int64_t floor_kvb, int64_t *rate) KB_WUR;

/*
 * Fetches and parses url (the WALLET_SETTING_FEE_URL setting: the full
 * address of the document, e.g. https://mempool.space/api/fee-estimates).
 * cb gets KB_OK and the estimates, or a result code and a reason in words
 * (HTTP status not 200, network, timeout, parse). Same calling rules as
 * spv_http_get; est is valid only during the call. req is caller storage
 * (borrowed) that must live until cb runs or spv_fees_cancel; nothing is
 * allocated that outlives the request.
 */
typedef void (*spv_fees_cb)(enum kb_rc rc, const struct spv_fee_estimates *est, const char *err,
                            void *arg);
struct spv_fees_req {
	spv_fees_cb cb;
	void *arg;
	uint64_t http_id;   /* 0 when idle */
};
enum kb_rc spv_fees_fetch(struct spv_http *h, struct spv_fees_req *req, const char *url,
                          int64_t timeout_ms, spv_fees_cb cb, void *arg) KB_WUR;
/* Cancels a fetch in flight (no callback). Idle req: no-op. */
void spv_fees_cancel(struct spv_http *h, struct spv_fees_req *req);

#endif
