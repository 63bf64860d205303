/*
 * Coin selection (see coinselect.h for the model, units and sources).
 *
 * Internally every usable coin becomes an item with its effective value
 * (value - fee of its input at the fee rate), its input fee, its fee at the
 * long-term rate and its weight. Algorithms work on indices into the item
 * array; one evaluator turns an input set into a result (change or not,
 * fee, waste) so that every algorithm's answer is judged the same way.
 */
#include "wallet/coinselect.h"

#include "wallet/buf.h"
#include "wallet/mem.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Core's CHANGE_LOWER / CHANGE_UPPER (coinselection.h). */
#define CHANGE_LOWER INT64_C(50000)
#define CHANGE_UPPER INT64_C(1000000)
/* Rounds of ApproximateBestSubset (Core: 1000). */
#define KNAPSACK_ROUNDS 1000

uint32_t wallet_coinselect_input_weight(enum wallet_coinselect_spk type, bool tx_segwit)
{
	switch (type) {
	case WALLET_COINSELECT_P2PKH:
		return tx_segwit ? WALLET_COINSELECT_W_P2PKH_IN_SEGWIT_TX : WALLET_COINSELECT_W_P2PKH;
	case WALLET_COINSELECT_P2SH_P2WPKH:
		return WALLET_COINSELECT_W_P2SH_P2WPKH;
	case WALLET_COINSELECT_P2WPKH:
		return WALLET_COINSELECT_W_P2WPKH;
	case WALLET_COINSELECT_P2TR:
		return WALLET_COINSELECT_W_P2TR;
	}
	KB_ASSERT(!"unknown script type");
	return 0;
}

/* Bytes of the scriptPubKey. */
static uint32_t spk_len(enum wallet_coinselect_spk type)
{
	switch (type) {
	case WALLET_COINSELECT_P2PKH: return 25;        /* DUP HASH160 <20> EQUALVERIFY CHECKSIG */
	case WALLET_COINSELECT_P2SH_P2WPKH: return 23;  /* HASH160 <20> EQUAL */
	case WALLET_COINSELECT_P2WPKH: return 22;       /* 0 <20> */
	case WALLET_COINSELECT_P2TR: return 34;         /* 1 <32> */
	}
	KB_ASSERT(!"unknown script type");
	return 0;
}

uint32_t wallet_coinselect_output_weight(enum wallet_coinselect_spk type)
{
	return 4 * (8 + 1 + spk_len(type));
}

int64_t wallet_coinselect_dust_threshold(enum wallet_coinselect_spk type)
{
	/*
	 * Core's GetDustThreshold: (serialized output + the input that would
	 * spend it) * dustRelayFee (3000 sat/kvB) / 1000, where the input is
	 * 32+4+1+107+4 = 148 bytes for non-witness outputs and
	 * 32+4+1+(107/4)+4 = 67 for witness programs (any version).
	 */
	int64_t out = 8 + 1 + spk_len(type);
	int64_t in = (type == WALLET_COINSELECT_P2WPKH || type == WALLET_COINSELECT_P2TR) ? 67 : 148;
	return (out + in) * 3000 / 1000;
}

uint32_t wallet_coinselect_base_weight(const uint32_t *output_weights, size_t n_outputs,
                                       bool segwit)
{
	KB_ASSERT(output_weights || n_outputs == 0);
	uint64_t w = 4 * (4 + 4 + (uint64_t)varint_len((uint64_t)n_outputs + 1));
	for (size_t i = 0; i < n_outputs; i++)
		w += output_weights[i];
	if (segwit)
		w += 2; /* marker and flag, witness bytes */
	KB_ASSERT(w <= UINT32_MAX);
	return (uint32_t)w;
}

int64_t wallet_coinselect_fee(int64_t rate, uint64_t weight)
{
	KB_ASSERT(rate >= 0);
	uint64_t prod = (uint64_t)rate * weight;
	KB_ASSERT(weight == 0 || prod / weight == (uint64_t)rate);
	KB_ASSERT(prod / 4000 < (uint64_t)INT64_MAX);
	return (int64_t)((prod + 3999) / 4000);
}

uint64_t wallet_coinselect_rand_splitmix64(void *state)
{
	uint64_t *s = state;
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void wallet_coinselect_result_clear(struct wallet_coinselect_result *out)
{
	kb_free(out->idx);
	memset(out, 0, sizeof *out);
}

/* ------------------------------------------------------------------ */

struct item {
	size_t coin;      /* index into the caller's coins */
	int64_t value;
	int64_t eff;      /* value - fee */
	int64_t fee;      /* input fee at the fee rate */
	int64_t ltfee;    /* input fee at the long-term rate */
	uint32_t weight;
};

struct ctx {
	const struct wallet_coinselect_params *p;
	struct item *req;   /* owned: required coins */
	size_t nreq;
	struct item *pool;  /* owned: optional coins with positive effective value */
	size_t npool;
	uint64_t base_weight;   /* caller's base + input count + rounding slack */
	int64_t fixed_fee;      /* fee of base_weight */
	int64_t change_fee;
	int64_t cost_of_change;
	int64_t min_change;     /* smallest change worth making */
	/* the required coins' totals */
	int64_t req_eff, req_value, req_waste;
	uint64_t req_weight;
};

static uint64_t rnd(const struct ctx *c)
{
	if (c->p->rand)
		return c->p->rand(c->p->rand_arg);
	uint64_t v;
	randombytes_buf(&v, sizeof v);
	return v;
}

/* Uniform in [0, n), n > 0, by rejection. */
static uint64_t rnd_below(const struct ctx *c, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	for (;;) {
		uint64_t v = rnd(c);
		if (v < lim)
			return v % n;
	}
}

static void shuffle(const struct ctx *c, size_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rnd_below(c, i);
		size_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/*
 * A candidate answer: indices into ctx->pool (the required coins are
 * always part of it and not listed).
 */
struct pick {
	size_t *sel; /* owned */
	size_t n;
};

/*
 * Turns required + pool[sel] into a result. allow_change false (BnB):
 * the excess always goes to the fee. Returns false when the set does not
 * pay for the target or is too heavy.
 */
static bool evaluate(const struct ctx *c, const size_t *sel, size_t nsel, bool allow_change,
                     enum wallet_coinselect_algo algo, struct wallet_coinselect_result *r)
{
	const struct wallet_coinselect_params *p = c->p;
	int64_t eff = c->req_eff, value = c->req_value, waste = c->req_waste;
	/* the estimate, without the 3 WU of rounding slack in base_weight */
	uint64_t weight = c->base_weight - 3 + c->req_weight;
	for (size_t i = 0; i < nsel; i++) {
		const struct item *it = &c->pool[sel[i]];
		eff += it->eff;
		value += it->value;
		waste += it->fee - it->ltfee;
		weight += it->weight;
	}
	int64_t need = p->target + c->fixed_fee;
	if (eff < need)
		return false;
	int64_t excess = eff - need;
	int64_t change = 0;
	if (allow_change && excess - c->change_fee >= c->min_change &&
	    weight + p->change_output_weight <= WALLET_COINSELECT_MAX_TX_WEIGHT) {
		change = excess - c->change_fee;
		waste += c->cost_of_change;
		weight += p->change_output_weight;
	} else {
		waste += excess;
	}
	if (weight > WALLET_COINSELECT_MAX_TX_WEIGHT)
		return false;
	memset(r, 0, sizeof *r);
	r->n = c->nreq + nsel;
	r->idx = kb_calloc(r->n ? r->n : 1, sizeof *r->idx);
	for (size_t i = 0; i < c->nreq; i++)
		r->idx[i] = c->req[i].coin;
	for (size_t i = 0; i < nsel; i++)
		r->idx[c->nreq + i] = c->pool[sel[i]].coin;
	r->selected = value;
	r->amount = p->target;
	r->change = change;
	r->fee = value - p->target - change;
	r->waste = waste;
	r->weight = (uint32_t)weight;
	r->algo = algo;
	return true;
}

/* ---------------------------- Branch and Bound --------------------- */

/* Descending effective value; ties by fee then coin index, for determinism. */
static int cmp_eff_desc(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->eff != y->eff)
		return x->eff > y->eff ? -1 : 1;
	if (x->fee != y->fee)
		return x->fee < y->fee ? -1 : 1;
	return x->coin < y->coin ? -1 : x->coin > y->coin;
}

/*
 * Core's SelectCoinsBnB over the pool (sorted by cmp_eff_desc), for
 * selection_target = what the optional coins must add. Fills best; false
 * when no change-free solution was found within the tries.
 */
static bool bnb(const struct ctx *c, int64_t selection_target, uint64_t max_weight,
                struct pick *best)
{
	const struct item *pool = c->pool;
	size_t n = c->npool;
	best->n = 0;
	if (n == 0)
		return false;
	int64_t avail = 0;
	for (size_t i = 0; i < n; i++)
		avail += pool[i].eff;
	if (avail < selection_target)
		return false;

	size_t *cur = kb_calloc(n, sizeof *cur);
	size_t ncur = 0;
	int64_t cur_value = 0, cur_waste = 0, best_waste = INT64_MAX;
	uint64_t cur_weight = 0;
	/* paying more now than later: a heavier input set only adds waste */
	bool feerate_high = pool[0].fee > pool[0].ltfee;
	bool found = false;
	size_t i = 0;
	for (uint32_t tries = 0; tries < WALLET_COINSELECT_BNB_TRIES; tries++, i++) {
		bool back = false;
		if (cur_value + avail < selection_target ||
		    cur_value > selection_target + c->cost_of_change ||
		    (cur_waste > best_waste && feerate_high)) {
			back = true;
		} else if (cur_weight > max_weight) {
			back = true;
		} else if (cur_value >= selection_target) {
			int64_t w = cur_waste + (cur_value - selection_target);
			if (w <= best_waste) {
				memcpy(best->sel, cur, ncur * sizeof *cur);
				best->n = ncur;
				best_waste = w;
				found = true;
			}
			back = true;
		}
		if (back) {
			if (ncur == 0)
				break; /* every branch walked */
			/* give back the coins skipped after the last included one */
			for (--i; i > cur[ncur - 1]; --i)
				avail += pool[i].eff;
			KB_ASSERT(i == cur[ncur - 1]);
			/* and now try the branch without it */
			cur_value -= pool[i].eff;
			cur_waste -= pool[i].fee - pool[i].ltfee;
			cur_weight -= pool[i].weight;
			ncur--;
		} else {
			KB_ASSERT(i < n); /* avail is 0 past the end, so we backtrack first */
			avail -= pool[i].eff;
			/*
			 * Skip a coin equal (value and fee) to the previous one
			 * when that one was excluded: the branch would repeat.
			 */
			if (ncur == 0 || i - 1 == cur[ncur - 1] || pool[i].eff != pool[i - 1].eff ||
			    pool[i].fee != pool[i - 1].fee) {
				cur[ncur++] = i;
				cur_value += pool[i].eff;
				cur_waste += pool[i].fee - pool[i].ltfee;
				cur_weight += pool[i].weight;
			}
		}
	}
	kb_free(cur);
	return found;
}

/* ---------------------------- Knapsack ----------------------------- */

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}


/* Core's GenerateChangeTarget: a change amount that does not stand out. */
static int64_t change_target(const struct ctx *c, int64_t payment)
{
	if (payment <= CHANGE_LOWER / 2)
		return c->change_fee + CHANGE_LOWER;
	int64_t hi = payment * 2 < CHANGE_UPPER ? payment * 2 : CHANGE_UPPER;
	return c->change_fee + CHANGE_LOWER + (int64_t)rnd_below(c, (uint64_t)(hi - CHANGE_LOWER) + 1);
}

/*
 * Core's ApproximateBestSubset over the effective values vals[0..napp)
 * (descending):
 * random inclusion, then a pass adding what is left, remembering the
 * smallest total reaching target. best[] holds the inclusion flags.
 */
static void approx_best_subset(const struct ctx *c, const int64_t *vals, size_t napp,
                               int64_t total_lower, int64_t target, bool *best, int64_t *nbest)
{
	bool *inc = kb_calloc(napp ? napp : 1, sizeof *inc);
	for (size_t i = 0; i < napp; i++)
		best[i] = true;
	*nbest = total_lower;
	for (int rep = 0; rep < KNAPSACK_ROUNDS && *nbest != target; rep++) {
		memset(inc, 0, napp * sizeof *inc);
		int64_t total = 0;
		bool reached = false;
		uint64_t bits = 0;
		for (int pass = 0; pass < 2 && !reached; pass++) {
			for (size_t i = 0; i < napp; i++) {
				uint64_t take;
				if (pass == 0) {
					if ((i & 63) == 0)
						bits = rnd(c);
					take = (bits >> (i & 63)) & 1; /* a coin flip */
				} else {
					take = !inc[i];
				}
				/*
				 * Branch-free on the flip (a mispredicted branch per coin
				 * was most of the time). total < target on entry, so only
				 * a coin just taken can reach it.
				 */
				total += vals[i] & -(int64_t)take;
				inc[i] = inc[i] | (bool)take;
				if (total >= target) {
					reached = true;
					if (total < *nbest) {
						*nbest = total;
						memcpy(best, inc, napp * sizeof *inc);
					}
					total -= vals[i];
					inc[i] = false;
				}
			}
		}
	}
	kb_free(inc);
}

static bool knapsack(const struct ctx *c, int64_t target, int64_t payment, uint64_t max_weight,
                     struct pick *out)
{
	size_t n = c->npool;
	out->n = 0;
	if (n == 0)
		return false;
	int64_t ctarget = change_target(c, payment);
	size_t *order = kb_calloc(n, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	shuffle(c, order, n);
	size_t *app = kb_calloc(n, sizeof *app);
	size_t napp = 0;
	int64_t total_lower = 0;
	bool have_larger = false;
	size_t larger = 0;
	bool ok = false;
	for (size_t k = 0; k < n; k++) {
		const struct item *it = &c->pool[order[k]];
		if (it->eff == target) {
			out->sel[0] = order[k];
			out->n = 1;
			ok = true;
			goto out;
		} else if (it->eff < target + ctarget) {
			app[napp++] = order[k];
			total_lower += it->eff;
		} else if (!have_larger || it->eff < c->pool[larger].eff) {
			have_larger = true;
			larger = order[k];
		}
	}
	if (total_lower == target) {
		memcpy(out->sel, app, napp * sizeof *app);
		out->n = napp;
		ok = true;
		goto out;
	}
	if (total_lower < target) {
		if (have_larger) {
			out->sel[0] = larger;
			out->n = 1;
			ok = true;
		}
		goto out;
	}
	/* the pool is sorted by descending value: ascending index is descending value */
	qsort(app, napp, sizeof *app, cmp_size);
	bool *best = kb_calloc(napp, sizeof *best);
	int64_t *vals = kb_calloc(napp, sizeof *vals); /* contiguous: the hot loop reads only these */
	for (size_t i = 0; i < napp; i++)
		vals[i] = c->pool[app[i]].eff;
	int64_t nbest;
	approx_best_subset(c, vals, napp, total_lower, target, best, &nbest);
	if (nbest != target && total_lower >= target + ctarget)
		approx_best_subset(c, vals, napp, total_lower, target + ctarget, best, &nbest);
	kb_free(vals);
	if (have_larger &&
	    ((nbest != target && nbest < target + ctarget) || c->pool[larger].eff <= nbest)) {
		out->sel[0] = larger;
		out->n = 1;
	} else {
		for (size_t i = 0; i < napp; i++)
			if (best[i])
				out->sel[out->n++] = app[i];
	}
	kb_free(best);
	ok = true;
out:
	if (ok) {
		uint64_t w = 0;
		for (size_t i = 0; i < out->n; i++)
			w += c->pool[out->sel[i]].weight;
		if (w > max_weight) {
			out->n = 0;
			ok = false;
		}
	}
	kb_free(app);
	kb_free(order);
	return ok;
}

/* ---------------------------- Single Random Draw -------------------- */

/*
 * Core's SelectCoinsSRD: coins in random order until the target plus the
 * change fee plus CHANGE_LOWER is reached; over the weight limit, the
 * smallest coins picked so far are dropped.
 */
static bool srd(const struct ctx *c, int64_t target, uint64_t max_weight, struct pick *out)
{
	size_t n = c->npool;
	out->n = 0;
	if (n == 0)
		return false;
	target += c->change_fee + CHANGE_LOWER;
	size_t *order = kb_calloc(n, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	shuffle(c, order, n);
	int64_t eff = 0;
	uint64_t weight = 0;
	bool ok = false;
	for (size_t k = 0; k < n; k++) {
		size_t it = order[k];
		out->sel[out->n++] = it;
		eff += c->pool[it].eff;
		weight += c->pool[it].weight;
		while (weight > max_weight && out->n > 0) {
			/* drop the picked coin with the smallest effective value */
			size_t m = 0;
			for (size_t j = 1; j < out->n; j++)
				if (c->pool[out->sel[j]].eff < c->pool[out->sel[m]].eff)
					m = j;
			eff -= c->pool[out->sel[m]].eff;
			weight -= c->pool[out->sel[m]].weight;
			out->sel[m] = out->sel[--out->n];
		}
		if (eff >= target) {
			ok = true;
			break;
		}
	}
	if (!ok)
		out->n = 0;
	kb_free(order);
	return ok;
}

/* ---------------------------- Driver -------------------------------- */

static bool rate_ok(int64_t r, int64_t lo)
{
	return r >= lo && r <= WALLET_COINSELECT_MAX_FEE_RATE;
}

static enum kb_rc check_params(const struct wallet_coinselect_params *p)
{
	if (p->mode != WALLET_COINSELECT_AUTO && p->mode != WALLET_COINSELECT_ONLY_REQUIRED &&
	    p->mode != WALLET_COINSELECT_MAX)
		return KB_EINVAL;
	int64_t tmin = p->mode == WALLET_COINSELECT_MAX ? 0 : 1;
	if (p->target < tmin || p->target > WALLET_COINSELECT_MAX_MONEY)
		return KB_EINVAL;
	if (!rate_ok(p->fee_rate, 1) || !rate_ok(p->long_term_fee_rate, 0))
		return KB_EINVAL;
	/* version, locktime, a 1-byte output count: the least a transaction has */
	if (p->base_weight < 4 * 9 || p->base_weight > WALLET_COINSELECT_MAX_TX_WEIGHT)
		return KB_EINVAL;
	/* an output is at least its value and script length */
	if (p->change_output_weight < 4 * 9 || p->change_output_weight > WALLET_COINSELECT_MAX_TX_WEIGHT)
		return KB_EINVAL;
	if (p->change_spend_weight < WALLET_COINSELECT_MIN_INPUT_WEIGHT ||
	    p->change_spend_weight > WALLET_COINSELECT_MAX_TX_WEIGHT)
		return KB_EINVAL;
	if (p->change_dust < 0 || p->change_dust > WALLET_COINSELECT_MAX_MONEY)
		return KB_EINVAL;
	if (p->recipient_dust < 0 || p->recipient_dust > WALLET_COINSELECT_MAX_MONEY)
		return KB_EINVAL;
	if ((p->only_required || p->skip_uneconomic) && p->mode != WALLET_COINSELECT_MAX)
		return KB_EINVAL;
	return KB_OK;
}

static void make_item(const struct wallet_coinselect_params *p, const struct wallet_coinselect_coin *co,
                      size_t i, struct item *it)
{
	it->coin = i;
	it->value = co->value;
	it->weight = co->weight;
	it->fee = wallet_coinselect_fee(p->fee_rate, co->weight);
	it->ltfee = wallet_coinselect_fee(p->long_term_fee_rate, co->weight);
	it->eff = co->value - it->fee;
}

/*
 * Send everything in the chosen set: no change, the sweep pays the fee.
 */
static enum kb_rc run_max(struct ctx *c, struct wallet_coinselect_result *out)
{
	const struct wallet_coinselect_params *p = c->p;
	int64_t value = c->req_value, fees = 0, waste = c->req_waste;
	uint64_t weight = c->base_weight - 3 + c->req_weight; /* without the slack */
	for (size_t i = 0; i < c->nreq; i++)
		fees += c->req[i].fee;
	for (size_t i = 0; i < c->npool; i++) {
		value += c->pool[i].value;
		fees += c->pool[i].fee;
		waste += c->pool[i].fee - c->pool[i].ltfee;
		weight += c->pool[i].weight;
	}
	int64_t fee = c->fixed_fee + fees;
	int64_t floor = p->recipient_dust > 0 ? p->recipient_dust : 1;
	if (c->nreq + c->npool == 0) {
		out->shortfall = p->target + fee + floor;
		return KB_EFUNDS;
	}
	int64_t swept = value - p->target - fee;
	if (swept < floor) {
		out->shortfall = floor - swept;
		return KB_EFUNDS;
	}
	if (weight > WALLET_COINSELECT_MAX_TX_WEIGHT)
		return KB_ELIMIT;
	out->n = c->nreq + c->npool;
	out->idx = kb_calloc(out->n, sizeof *out->idx);
	for (size_t i = 0; i < c->nreq; i++)
		out->idx[i] = c->req[i].coin;
	for (size_t i = 0; i < c->npool; i++)
		out->idx[c->nreq + i] = c->pool[i].coin;
	qsort(out->idx, out->n, sizeof *out->idx, cmp_size);
	out->selected = value;
	out->amount = p->target + swept;
	out->fee = fee;
	out->change = 0;
	out->waste = waste;
	out->weight = (uint32_t)weight;
	out->algo = WALLET_COINSELECT_ALGO_MAX;
	return KB_OK;
}

/* Least waste wins; on a tie the answer with more inputs (Core's operator<). */
static bool better(const struct wallet_coinselect_result *a, const struct wallet_coinselect_result *b)
{
	if (b->idx == NULL)
		return true;
	if (a->waste != b->waste)
		return a->waste < b->waste;
	return a->n > b->n;
}

static void consider(struct wallet_coinselect_result *best, struct wallet_coinselect_result *cand)
{
	if (better(cand, best)) {
		wallet_coinselect_result_clear(best);
		*best = *cand;
		memset(cand, 0, sizeof *cand);
	} else {
		wallet_coinselect_result_clear(cand);
	}
}

/*
 * Runs every algorithm for the optional coins (which must add
 * sel_target of effective value) and keeps the least wasteful answer.
 */
static void search(struct ctx *c, int64_t sel_target, struct wallet_coinselect_result *best)
{
	const struct wallet_coinselect_params *p = c->p;
	struct wallet_coinselect_result cand = { 0 };
	qsort(c->pool, c->npool, sizeof *c->pool, cmp_eff_desc);
	/* room for optional inputs: the standard limit minus base, required coins and change */
	uint64_t fixed_w = c->base_weight - 3 + c->req_weight + p->change_output_weight;
	uint64_t max_w = fixed_w < WALLET_COINSELECT_MAX_TX_WEIGHT ?
	                 WALLET_COINSELECT_MAX_TX_WEIGHT - fixed_w : 0;
	struct pick pk = { kb_calloc(c->npool ? c->npool : 1, sizeof(size_t)), 0 };
	/* no change output: its weight is room for inputs */
	if (bnb(c, sel_target, max_w + p->change_output_weight, &pk) &&
	    evaluate(c, pk.sel, pk.n, false, WALLET_COINSELECT_ALGO_BNB, &cand))
		consider(best, &cand);
	if (knapsack(c, sel_target, p->target, max_w, &pk) &&
	    evaluate(c, pk.sel, pk.n, true, WALLET_COINSELECT_ALGO_KNAPSACK, &cand))
		consider(best, &cand);
	if (srd(c, sel_target, max_w, &pk) &&
	    evaluate(c, pk.sel, pk.n, true, WALLET_COINSELECT_ALGO_SRD, &cand))
		consider(best, &cand);
	kb_free(pk.sel);
}

enum kb_rc wallet_coinselect_run(struct wallet_coinselect_result *out,
                                 const struct wallet_coinselect_coin *coins, size_t n,
                                 const struct wallet_coinselect_params *p)
{
	KB_ASSERT(out && p && (coins || n == 0));
	memset(out, 0, sizeof *out);
	enum kb_rc rc = check_params(p);
	if (rc != KB_OK)
		return rc;
	if (n > WALLET_COINSELECT_MAX_COINS)
		return KB_ELIMIT;

	size_t nreq_in = 0;
	int64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		const struct wallet_coinselect_coin *co = &coins[i];
		if (co->value < 0 || co->value > WALLET_COINSELECT_MAX_MONEY)
			return KB_EINVAL;
		total += co->value; /* both at most MAX_MONEY: no overflow */
		if (total > WALLET_COINSELECT_MAX_MONEY)
			return KB_EINVAL;
		if (co->weight < WALLET_COINSELECT_MIN_INPUT_WEIGHT ||
		    co->weight > WALLET_COINSELECT_MAX_TX_WEIGHT)
			return KB_EINVAL;
		if (co->flags & ~(WALLET_COINSELECT_FROZEN | WALLET_COINSELECT_REQUIRED))
			return KB_EINVAL;
		if ((co->flags & WALLET_COINSELECT_FROZEN) && (co->flags & WALLET_COINSELECT_REQUIRED))
			return KB_EINVAL;
		if (co->flags & WALLET_COINSELECT_REQUIRED)
			nreq_in++;
	}
	bool only = p->mode == WALLET_COINSELECT_ONLY_REQUIRED ||
	            (p->mode == WALLET_COINSELECT_MAX && p->only_required);
	if (only && nreq_in == 0)
		return KB_EINVAL;

	struct ctx c = { .p = p };
	c.req = kb_calloc(n ? n : 1, sizeof *c.req);
	c.pool = kb_calloc(n ? n : 1, sizeof *c.pool);
	size_t neligible = 0; /* an upper bound on the input count */
	for (size_t i = 0; i < n; i++) {
		const struct wallet_coinselect_coin *co = &coins[i];
		if (co->flags & WALLET_COINSELECT_FROZEN)
			continue;
		struct item it;
		make_item(p, co, i, &it);
		if (co->flags & WALLET_COINSELECT_REQUIRED) {
			c.req[c.nreq++] = it;
			c.req_eff += it.eff;
			c.req_value += it.value;
			c.req_waste += it.fee - it.ltfee;
			c.req_weight += it.weight;
			neligible++;
			continue;
		}
		if (only)
			continue;
		if (p->mode == WALLET_COINSELECT_MAX) {
			if (p->skip_uneconomic && it.eff <= 0)
				continue;
		} else if (it.eff <= 0) {
			continue; /* costs more to spend than it is worth */
		}
		c.pool[c.npool++] = it;
		neligible++;
	}
	/*
	 * Fixed part: the caller's base, the input count (sized for every
	 * usable coin, so it never grows past the estimate) and 3 WU so the
	 * rounded-up parts cover the vsize rounding of the whole.
	 */
	c.base_weight = (uint64_t)p->base_weight + 4 * varint_len(neligible) + 3;
	c.fixed_fee = wallet_coinselect_fee(p->fee_rate, c.base_weight);
	c.change_fee = wallet_coinselect_fee(p->fee_rate, p->change_output_weight);
	int64_t spend_later = wallet_coinselect_fee(p->long_term_fee_rate, p->change_spend_weight);
	c.cost_of_change = c.change_fee + spend_later;
	c.min_change = p->change_dust > spend_later + 1 ? p->change_dust : spend_later + 1;

	if (p->mode == WALLET_COINSELECT_MAX) {
		rc = run_max(&c, out);
		goto out;
	}

	int64_t need = p->target + c.fixed_fee;
	int64_t avail = c.req_eff;
	for (size_t i = 0; i < c.npool; i++)
		avail += c.pool[i].eff;
	if (avail < need) {
		out->shortfall = need - avail;
		rc = KB_EFUNDS;
		goto out;
	}

	struct wallet_coinselect_result best = { 0 };
	/* the required coins alone pay: Core returns them without adding more */
	if (only || c.req_eff >= need) {
		struct wallet_coinselect_result cand = { 0 };
		if (evaluate(&c, NULL, 0, true, WALLET_COINSELECT_ALGO_PRESET, &cand))
			consider(&best, &cand);
	} else {
		search(&c, need - c.req_eff, &best);
	}
	if (best.idx == NULL) {
		/* funds suffice, so what failed was the weight limit */
		rc = KB_ELIMIT;
		goto out;
	}
	qsort(best.idx, best.n, sizeof *best.idx, cmp_size);
	*out = best;
	rc = KB_OK;
out:
	kb_free(c.req);
	kb_free(c.pool);
	return rc;
}
