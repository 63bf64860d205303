/*
 * Coin selection: misuse first, then Branch-and-Bound, the fallbacks, the
 * waste metric, coin control, send-everything and insufficient funds.
 * Randomness comes through the splitmix64 seam; every test that uses it
 * prints its seed.
 */
#include "tests/support/testsupport.h"

#include "wallet/coinselect.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

#define BTC INT64_C(100000000)
#define W_IN WALLET_COINSELECT_W_P2WPKH

static uint64_t seed_state;

/* Sensible defaults: 10 sat/vB now and later, one P2WPKH recipient, P2WPKH change. */
static struct wallet_coinselect_params defaults(void)
{
	static uint32_t outw[1];
	outw[0] = wallet_coinselect_output_weight(WALLET_COINSELECT_P2WPKH);
	struct wallet_coinselect_params p = {
		.mode = WALLET_COINSELECT_AUTO,
		.target = BTC,
		.fee_rate = 10000,
		.long_term_fee_rate = 10000,
		.base_weight = wallet_coinselect_base_weight(outw, 1, true),
		.change_output_weight = wallet_coinselect_output_weight(WALLET_COINSELECT_P2WPKH),
		.change_spend_weight = W_IN,
		.change_dust = wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2WPKH),
		.recipient_dust = wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2WPKH),
		.rand = wallet_coinselect_rand_splitmix64,
		.rand_arg = &seed_state,
	};
	return p;
}

static void seed(uint64_t s, const char *test)
{
	seed_state = s;
	printf("# %s: seed %llu\n", test, (unsigned long long)s);
}

/* The fixed part's fee as the module charges it (coinselect.h): base + input count + 3 WU. */
static int64_t fixed_fee(const struct wallet_coinselect_params *p, size_t n_usable)
{
	uint64_t vl = n_usable < 253 ? 1 : n_usable <= 0xffff ? 3 : 5;
	return wallet_coinselect_fee(p->fee_rate, p->base_weight + 4 * vl + 3);
}

/* A P2WPKH coin whose effective value at rate is eff. */
static struct wallet_coinselect_coin eff_coin(int64_t eff, int64_t rate)
{
	struct wallet_coinselect_coin c = { eff + wallet_coinselect_fee(rate, W_IN), W_IN, 0 };
	return c;
}

static bool has(const struct wallet_coinselect_result *r, size_t i)
{
	for (size_t k = 0; k < r->n; k++)
		if (r->idx[k] == i)
			return true;
	return false;
}

static bool all_zero(const struct wallet_coinselect_result *r)
{
	return r->idx == NULL && r->n == 0 && r->selected == 0 && r->amount == 0 && r->fee == 0 &&
	       r->change == 0 && r->waste == 0 && r->weight == 0 &&
	       r->algo == WALLET_COINSELECT_ALGO_NONE;
}

/*
 * What must hold for every successful answer, recomputed from the coins:
 * indices ascending and unique, no frozen coin, every required coin, the
 * books balance, the fee meets the rate for the estimated vsize, change is
 * either absent or worth making, and the waste is Core's formula.
 */
static void check_invariants(const struct wallet_coinselect_result *r,
                             const struct wallet_coinselect_coin *coins, size_t n,
                             const struct wallet_coinselect_params *p)
{
	assert_non_null(r->idx);
	assert_true(r->n > 0);
	int64_t sum = 0, waste = 0;
	uint64_t w = 0;
	for (size_t k = 0; k < r->n; k++) {
		assert_true(r->idx[k] < n);
		if (k)
			assert_true(r->idx[k - 1] < r->idx[k]);
		const struct wallet_coinselect_coin *c = &coins[r->idx[k]];
		assert_false(c->flags & WALLET_COINSELECT_FROZEN);
		sum += c->value;
		w += c->weight;
		waste += wallet_coinselect_fee(p->fee_rate, c->weight) -
		         wallet_coinselect_fee(p->long_term_fee_rate, c->weight);
	}
	for (size_t i = 0; i < n; i++)
		if (coins[i].flags & WALLET_COINSELECT_REQUIRED)
			assert_true(has(r, i));
	assert_int_equal(r->selected, sum);
	assert_int_equal(r->selected, r->amount + r->fee + r->change);
	assert_true(r->fee > 0);
	assert_true(r->change >= 0);
	assert_true(r->weight <= WALLET_COINSELECT_MAX_TX_WEIGHT);
	/* the fee covers rate * vsize of the estimated transaction */
	uint64_t vsize = ((uint64_t)r->weight + 3) / 4;
	assert_true(r->fee * 1000 >= p->fee_rate * (int64_t)vsize);
	/* the coins that could have been inputs size the input count */
	size_t usable = 0;
	for (size_t i = 0; i < n; i++) {
		const struct wallet_coinselect_coin *c = &coins[i];
		bool econ = c->value > wallet_coinselect_fee(p->fee_rate, c->weight);
		if (c->flags & WALLET_COINSELECT_FROZEN)
			continue;
		if (c->flags & WALLET_COINSELECT_REQUIRED)
			usable++;
		else if (p->mode == WALLET_COINSELECT_AUTO)
			usable += econ;
		else if (p->mode == WALLET_COINSELECT_MAX && !p->only_required)
			usable += econ || !p->skip_uneconomic;
	}
	int64_t fixed = fixed_fee(p, usable);
	uint64_t vl = usable < 253 ? 1 : 3;
	int64_t in_fees = 0;
	for (size_t k = 0; k < r->n; k++)
		in_fees += wallet_coinselect_fee(p->fee_rate, coins[r->idx[k]].weight);
	int64_t spend_later = wallet_coinselect_fee(p->long_term_fee_rate, p->change_spend_weight);
	int64_t change_fee = wallet_coinselect_fee(p->fee_rate, p->change_output_weight);
	if (r->change) {
		assert_int_not_equal(r->algo, WALLET_COINSELECT_ALGO_MAX);
		assert_int_not_equal(r->algo, WALLET_COINSELECT_ALGO_BNB);
		assert_true(r->change >= p->change_dust);
		assert_true(r->change > spend_later);
		assert_int_equal(r->fee, fixed + in_fees + change_fee);
		assert_int_equal(r->weight, p->base_weight + 4 * vl + w + p->change_output_weight);
		waste += change_fee + spend_later;
	} else {
		assert_int_equal(r->weight, p->base_weight + 4 * vl + w);
		int64_t excess = r->fee - fixed - in_fees;
		assert_true(excess >= 0);
		if (r->algo == WALLET_COINSELECT_ALGO_MAX)
			assert_int_equal(excess, 0);
		else
			assert_int_equal(r->amount, p->target);
		waste += excess;
	}
	assert_int_equal(r->waste, waste);
}

/* ------------------------------------------------------------------ */

static void test_helpers(void **state)
{
	(void)state;
	/* BIP141 weights: 4 * non-witness bytes + witness bytes */
	assert_int_equal(wallet_coinselect_input_weight(WALLET_COINSELECT_P2PKH, false), 4 * 148);
	assert_int_equal(wallet_coinselect_input_weight(WALLET_COINSELECT_P2PKH, true), 4 * 148 + 1);
	assert_int_equal(wallet_coinselect_input_weight(WALLET_COINSELECT_P2SH_P2WPKH, true), 4 * 64 + 108);
	assert_int_equal(wallet_coinselect_input_weight(WALLET_COINSELECT_P2SH_P2WPKH, true), 4 * 91);
	assert_int_equal(wallet_coinselect_input_weight(WALLET_COINSELECT_P2WPKH, false), 4 * 68);
	assert_int_equal(wallet_coinselect_input_weight(WALLET_COINSELECT_P2TR, true), 230); /* 57.5 vB */
	assert_int_equal(wallet_coinselect_output_weight(WALLET_COINSELECT_P2PKH), 4 * 34);
	assert_int_equal(wallet_coinselect_output_weight(WALLET_COINSELECT_P2SH_P2WPKH), 4 * 32);
	assert_int_equal(wallet_coinselect_output_weight(WALLET_COINSELECT_P2WPKH), 4 * 31);
	assert_int_equal(wallet_coinselect_output_weight(WALLET_COINSELECT_P2TR), 4 * 43);
	/* Core's dust thresholds at 3 sat/vB */
	assert_int_equal(wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2PKH), 546);
	assert_int_equal(wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2SH_P2WPKH), 540);
	assert_int_equal(wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2WPKH), 294);
	assert_int_equal(wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2TR), 330);
	/* fees round up; rate is sat per 1000 vB */
	assert_int_equal(wallet_coinselect_fee(1000, 272), 68);
	assert_int_equal(wallet_coinselect_fee(1000, 230), 58);  /* 57.5 rounds up */
	assert_int_equal(wallet_coinselect_fee(2000, 230), 115); /* exact */
	assert_int_equal(wallet_coinselect_fee(1, 272), 1);
	assert_int_equal(wallet_coinselect_fee(0, 272), 0);
	assert_int_equal(wallet_coinselect_fee(WALLET_COINSELECT_MAX_FEE_RATE, WALLET_COINSELECT_MAX_TX_WEIGHT),
	                 WALLET_COINSELECT_MAX_FEE_RATE * 100);
	/* version + locktime + output count (2 outputs with change) + one P2WPKH output + marker/flag */
	uint32_t ow[1] = { 124 };
	assert_int_equal(wallet_coinselect_base_weight(ow, 1, true), 4 * 9 + 124 + 2);
	assert_int_equal(wallet_coinselect_base_weight(ow, 1, false), 4 * 9 + 124);
	assert_int_equal(wallet_coinselect_base_weight(NULL, 0, false), 4 * 9);
	/* 252 outputs + change: the count takes 3 bytes */
	uint32_t *many = kb_calloc(252, sizeof *many);
	assert_int_equal(wallet_coinselect_base_weight(many, 252, false), 4 * 11);
	kb_free(many);
	/* splitmix64 is deterministic for a seed */
	uint64_t s1 = 42, s2 = 42;
	assert_true(wallet_coinselect_rand_splitmix64(&s1) == wallet_coinselect_rand_splitmix64(&s2));
	assert_true(s1 == s2 && s1 != 42);
}

static void expect_einval_param(struct wallet_coinselect_params p)
{
	struct wallet_coinselect_coin c[1] = { { BTC * 2, W_IN, 0 } };
	struct wallet_coinselect_result r;
	memset(&r, 0xa5, sizeof r); /* outputs are set even on failure */
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_EINVAL);
	assert_true(all_zero(&r) && r.shortfall == 0);
}

static void test_misuse_params(void **state)
{
	(void)state;
	struct wallet_coinselect_params p;
	p = defaults(); p.target = 0; expect_einval_param(p);
	p = defaults(); p.target = -1; expect_einval_param(p);
	p = defaults(); p.target = WALLET_COINSELECT_MAX_MONEY + 1; expect_einval_param(p);
	p = defaults(); p.mode = WALLET_COINSELECT_MAX; p.target = -1; expect_einval_param(p);
	p = defaults(); p.fee_rate = 0; expect_einval_param(p);
	p = defaults(); p.fee_rate = -1000; expect_einval_param(p);
	p = defaults(); p.fee_rate = WALLET_COINSELECT_MAX_FEE_RATE + 1; expect_einval_param(p);
	p = defaults(); p.long_term_fee_rate = -1; expect_einval_param(p);
	p = defaults(); p.long_term_fee_rate = WALLET_COINSELECT_MAX_FEE_RATE + 1; expect_einval_param(p);
	p = defaults(); p.base_weight = 35; expect_einval_param(p);
	p = defaults(); p.base_weight = WALLET_COINSELECT_MAX_TX_WEIGHT + 1; expect_einval_param(p);
	p = defaults(); p.change_output_weight = 35; expect_einval_param(p);
	p = defaults(); p.change_spend_weight = WALLET_COINSELECT_MIN_INPUT_WEIGHT - 1; expect_einval_param(p);
	p = defaults(); p.change_dust = -1; expect_einval_param(p);
	p = defaults(); p.change_dust = WALLET_COINSELECT_MAX_MONEY + 1; expect_einval_param(p);
	p = defaults(); p.recipient_dust = -1; expect_einval_param(p);
	p = defaults(); p.mode = (enum wallet_coinselect_mode)7; expect_einval_param(p);
	/* MAX-only options outside MAX */
	p = defaults(); p.only_required = true; expect_einval_param(p);
	p = defaults(); p.skip_uneconomic = true; expect_einval_param(p);
	/* the boundaries themselves are accepted */
	struct wallet_coinselect_coin c[1] = { { BTC * 2, W_IN, 0 } };
	struct wallet_coinselect_result r;
	p = defaults(); p.fee_rate = 1; p.long_term_fee_rate = 0;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	wallet_coinselect_result_clear(&r);
	p = defaults(); p.fee_rate = WALLET_COINSELECT_MAX_FEE_RATE;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	check_invariants(&r, c, 1, &p);
	wallet_coinselect_result_clear(&r);
	wallet_coinselect_result_clear(&r); /* twice is fine */
}

static void expect_coins(const struct wallet_coinselect_coin *c, size_t n,
                         const struct wallet_coinselect_params *p, enum kb_rc want)
{
	struct wallet_coinselect_result r;
	memset(&r, 0xa5, sizeof r);
	assert_int_equal(wallet_coinselect_run(&r, c, n, p), want);
	assert_true(all_zero(&r) && r.shortfall == 0);
}

static void test_misuse_coins(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	const int64_t M = WALLET_COINSELECT_MAX_MONEY;
	struct wallet_coinselect_coin c[2] = { { BTC * 2, W_IN, 0 }, { BTC, W_IN, 0 } };

	c[1].value = -1; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].value = M + 1; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].value = INT64_MAX; expect_coins(c, 2, &p, KB_EINVAL);
	/* each fine, together over 21e6 BTC */
	c[0].value = M; c[1].value = 1; expect_coins(c, 2, &p, KB_EINVAL);
	c[0].value = M / 2 + 1; c[1].value = M / 2; expect_coins(c, 2, &p, KB_EINVAL);
	/* even when frozen: the wallet's books are wrong */
	c[1].flags = WALLET_COINSELECT_FROZEN; expect_coins(c, 2, &p, KB_EINVAL);
	c[0].value = BTC * 2; c[1].value = BTC; c[1].flags = 0;
	c[1].weight = 0; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].weight = WALLET_COINSELECT_MIN_INPUT_WEIGHT - 1; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].weight = WALLET_COINSELECT_MAX_TX_WEIGHT + 1; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].weight = W_IN;
	c[1].flags = 0x4; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].flags = WALLET_COINSELECT_FROZEN | WALLET_COINSELECT_REQUIRED; expect_coins(c, 2, &p, KB_EINVAL);
	c[1].flags = 0;
	/* "only these" with nothing chosen */
	p.mode = WALLET_COINSELECT_ONLY_REQUIRED; expect_coins(c, 2, &p, KB_EINVAL);
	p = defaults(); p.mode = WALLET_COINSELECT_MAX; p.only_required = true;
	expect_coins(c, 2, &p, KB_EINVAL);
	/* too many candidates: refused before anything is looked at */
	p = defaults();
	size_t big = WALLET_COINSELECT_MAX_COINS + 1;
	struct wallet_coinselect_coin *many = kb_calloc(big, sizeof *many);
	expect_coins(many, big, &p, KB_ELIMIT);
	kb_free(many);
}

static void test_no_coins_all_frozen(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	struct wallet_coinselect_result r;
	assert_int_equal(wallet_coinselect_run(&r, NULL, 0, &p), KB_EFUNDS);
	assert_int_equal(r.shortfall, p.target + fixed_fee(&p, 0));
	assert_null(r.idx);
	struct wallet_coinselect_coin c[3] = {
		{ BTC * 5, W_IN, WALLET_COINSELECT_FROZEN },
		{ BTC * 5, W_IN, WALLET_COINSELECT_FROZEN },
		{ BTC * 5, W_IN, WALLET_COINSELECT_FROZEN },
	};
	assert_int_equal(wallet_coinselect_run(&r, c, 3, &p), KB_EFUNDS);
	assert_int_equal(r.shortfall, p.target + fixed_fee(&p, 0));
	assert_null(r.idx);
	/* sending everything from nothing */
	p.mode = WALLET_COINSELECT_MAX;
	p.target = 0;
	assert_int_equal(wallet_coinselect_run(&r, c, 3, &p), KB_EFUNDS);
	assert_true(r.shortfall > 0);
	assert_null(r.idx);
}

static void test_insufficient_shortfall(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	int64_t r8 = p.fee_rate;
	/* effective 1, 2, 3, 4 BTC and one coin worth less than its fee (not usable) */
	struct wallet_coinselect_coin c[5] = {
		eff_coin(BTC, r8), eff_coin(2 * BTC, r8), eff_coin(3 * BTC, r8), eff_coin(4 * BTC, r8),
		{ 100, W_IN, 0 },
	};
	struct wallet_coinselect_result r;
	p.target = 11 * BTC;
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_EFUNDS);
	/* need target + fixed fee, have 10 BTC of effective value */
	assert_int_equal(r.shortfall, BTC + fixed_fee(&p, 4));
	assert_null(r.idx);
	/* one satoshi short */
	p.target = 10 * BTC - fixed_fee(&p, 4) + 1;
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_EFUNDS);
	assert_int_equal(r.shortfall, 1);
	/* exactly enough: everything, no change, nothing left for the miner beyond the fee */
	p.target = 10 * BTC - fixed_fee(&p, 4);
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
	check_invariants(&r, c, 5, &p);
	assert_int_equal(r.n, 4);
	assert_false(has(&r, 4));
	assert_int_equal(r.change, 0);
	assert_int_equal(r.waste, 0);
	wallet_coinselect_result_clear(&r);
}

static void test_bnb_exact(void **state)
{
	(void)state;
	seed(1, "bnb_exact");
	struct wallet_coinselect_params p = defaults();
	int64_t r8 = p.fee_rate;
	/* Core's coinselector_tests: 1, 2, 3, 4 BTC for 5 BTC (effective values) */
	struct wallet_coinselect_coin c[4] = {
		eff_coin(BTC, r8), eff_coin(2 * BTC, r8), eff_coin(3 * BTC, r8), eff_coin(4 * BTC, r8),
	};
	struct wallet_coinselect_result r;
	p.target = 5 * BTC - fixed_fee(&p, 4);
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
	/* both pairs are exact and equally wasteful; like Core, the last found ({3,2}) */
	assert_int_equal(r.n, 2);
	assert_true(has(&r, 1) && has(&r, 2));
	assert_int_equal(r.change, 0);
	assert_int_equal(r.fee, fixed_fee(&p, 4) + 2 * wallet_coinselect_fee(r8, W_IN));
	assert_int_equal(r.waste, 0); /* same rate now and later, no excess */
	wallet_coinselect_result_clear(&r);

	/*
	 * Within the cost-of-change window the excess goes to the fee. (Fees
	 * above the long-term rate, so that a three-input answer with change
	 * does not tie with BnB's and win on its input count.)
	 */
	p.long_term_fee_rate = 5000;
	int64_t per_in = wallet_coinselect_fee(r8, W_IN) - wallet_coinselect_fee(5000, W_IN);
	int64_t change_fee = wallet_coinselect_fee(r8, p.change_output_weight);
	int64_t coc = change_fee + wallet_coinselect_fee(p.long_term_fee_rate, p.change_spend_weight);
	p.target = 5 * BTC - fixed_fee(&p, 4) - coc;
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
	assert_int_equal(r.change, 0);
	assert_int_equal(r.waste, 2 * per_in + coc);
	assert_int_equal(r.fee, fixed_fee(&p, 4) + 2 * wallet_coinselect_fee(r8, W_IN) + coc);
	wallet_coinselect_result_clear(&r);
	/* one satoshi beyond: a change output costs no more, so it is not BnB's */
	p.target = 5 * BTC - fixed_fee(&p, 4) - coc - 1;
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_true(r.algo != WALLET_COINSELECT_ALGO_BNB);
	wallet_coinselect_result_clear(&r);
}

/*
 * Core's bnb_search_test cases (effective values in cents, cost of change
 * 0.5 cent). Our cost of change is the change output's fee plus spending
 * it later: a 200000 WU "change output" at 10 sat/vB with a free later
 * spend makes it exactly 500000 sat.
 */
static void test_bnb_core_cases(void **state)
{
	(void)state;
	seed(5, "bnb_core_cases");
	const int64_t CENT = 1000000;
	struct wallet_coinselect_params p = defaults();
	p.long_term_fee_rate = 0;
	p.change_output_weight = 200000;
	assert_int_equal(wallet_coinselect_fee(p.fee_rate, p.change_output_weight) +
	                 wallet_coinselect_fee(0, p.change_spend_weight), CENT / 2);
	struct wallet_coinselect_coin c[4];
	for (int i = 0; i < 4; i++)
		c[i] = eff_coin((i + 1) * CENT, p.fee_rate);
	static const struct {
		int64_t target;  /* effective value to reach, in 1/100 cent */
		unsigned want;   /* bit i: coin of i+1 cents; 0: no BnB answer */
	} v[] = {
		{ 100, 0x1 },   /* 1 cent */
		{ 200, 0x2 },   /* 2 cents */
		{ 500, 0x6 },   /* 5 cents: 3 + 2 */
		{ 1000, 0xf },  /* 10 cents: everything */
		{ 25, 0 },      /* 0.25 cent: the smallest coin overshoots the window */
		{ 90, 0x1 },    /* 0.9 cent: 0.1 excess is within the window */
		{ 450, 0x6 },   /* 4.5 cents: 5 cents, 0.5 over, still within */
		{ 1001, 0 },    /* more than there is */
	};
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		struct wallet_coinselect_result r;
		p.target = v[k].target * CENT / 100 - fixed_fee(&p, 4);
		enum kb_rc rc = wallet_coinselect_run(&r, c, 4, &p);
		if (v[k].target > 1000) {
			assert_int_equal(rc, KB_EFUNDS);
			continue;
		}
		assert_int_equal(rc, KB_OK);
		check_invariants(&r, c, 4, &p);
		if (v[k].want == 0) {
			if (r.algo == WALLET_COINSELECT_ALGO_BNB)
				printf("# bnb_core_cases: case %zu answered by BnB\n", k);
			assert_int_not_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
		} else {
			unsigned got = 0;
			for (size_t i = 0; i < r.n; i++)
				got |= 1u << r.idx[i];
			if (r.algo != WALLET_COINSELECT_ALGO_BNB || got != v[k].want)
				printf("# bnb_core_cases: case %zu: algo %d set %#x\n", k, (int)r.algo, got);
			assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
			assert_int_equal(got, v[k].want);
		}
		wallet_coinselect_result_clear(&r);
	}
}

static void test_bnb_waste_direction(void **state)
{
	(void)state;
	seed(2, "bnb_waste_direction");
	struct wallet_coinselect_result r;
	/* effective 1..5 BTC; target 6 BTC: {5,1}, {4,2} or {3,2,1} */
	struct wallet_coinselect_params p = defaults();
	/* fees high now: fewer inputs are less waste */
	p.fee_rate = 20000;
	p.long_term_fee_rate = 10000;
	struct wallet_coinselect_coin c[5];
	for (int i = 0; i < 5; i++)
		c[i] = eff_coin((i + 1) * BTC, p.fee_rate);
	p.target = 6 * BTC - fixed_fee(&p, 5);
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
	check_invariants(&r, c, 5, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.waste, 2 * (wallet_coinselect_fee(20000, W_IN) - wallet_coinselect_fee(10000, W_IN)));
	wallet_coinselect_result_clear(&r);
	/* fees low now: consolidate, more inputs are less waste */
	p.fee_rate = 1000;
	for (int i = 0; i < 5; i++)
		c[i] = eff_coin((i + 1) * BTC, p.fee_rate);
	p.target = 6 * BTC - fixed_fee(&p, 5);
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
	check_invariants(&r, c, 5, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
	assert_int_equal(r.n, 3);
	assert_true(has(&r, 0) && has(&r, 1) && has(&r, 2));
	assert_true(r.waste < 0);
	wallet_coinselect_result_clear(&r);
}

/* Core's make_hard_case: BnB must walk far before it finds the answer. */
static size_t hard_case(int n, struct wallet_coinselect_coin *c, int64_t *target)
{
	size_t k = 0;
	*target = 0;
	for (int i = 0; i < n; i++) {
		int64_t big = INT64_C(1) << (n + i);
		*target += big;
		c[k++] = eff_coin(big, 1);
		c[k++] = eff_coin(big + (INT64_C(1) << (n - 1 - i)), 1);
	}
	return k;
}

static void test_bnb_exhaustion(void **state)
{
	(void)state;
	seed(3, "bnb_exhaustion");
	struct wallet_coinselect_params p = defaults();
	/* 1 sat/kvB: every input costs 1 sat; cost of change 1 sat (Core's test) */
	p.fee_rate = 1;
	p.long_term_fee_rate = 0;
	struct wallet_coinselect_coin c[34];
	struct wallet_coinselect_result r;
	int64_t t;
	size_t n = hard_case(14, c, &t);
	p.target = t - fixed_fee(&p, n);
	assert_int_equal(wallet_coinselect_run(&r, c, n, &p), KB_OK);
	check_invariants(&r, c, n, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
	assert_int_equal(r.n, 14);
	for (size_t i = 0; i < n; i += 2)
		assert_true(has(&r, i)); /* the powers of two */
	wallet_coinselect_result_clear(&r);
	/* 17 pairs: more than 100000 steps; a fallback answers instead */
	n = hard_case(17, c, &t);
	p.target = t - fixed_fee(&p, n);
	assert_int_equal(wallet_coinselect_run(&r, c, n, &p), KB_OK);
	check_invariants(&r, c, n, &p);
	assert_true(r.algo != WALLET_COINSELECT_ALGO_BNB);
	wallet_coinselect_result_clear(&r);
}

static void test_frozen_never_chosen(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	int64_t r8 = p.fee_rate;
	/* the frozen coin would be a perfect match */
	struct wallet_coinselect_coin c[6] = {
		eff_coin(BTC, r8), eff_coin(3 * BTC, r8), eff_coin(7 * BTC / 10, r8),
		eff_coin(2 * BTC, r8), eff_coin(BTC / 2, r8), eff_coin(5 * BTC, r8),
	};
	c[1].flags = WALLET_COINSELECT_FROZEN;
	for (uint64_t s = 100; s < 140; s++) {
		seed(s, "frozen_never_chosen");
		struct wallet_coinselect_result r;
		p.mode = WALLET_COINSELECT_AUTO;
		p.target = 3 * BTC - fixed_fee(&p, 5);
		assert_int_equal(wallet_coinselect_run(&r, c, 6, &p), KB_OK);
		check_invariants(&r, c, 6, &p);
		assert_false(has(&r, 1));
		wallet_coinselect_result_clear(&r);
		/* asking for more than the unfrozen coins hold */
		p.target = 10 * BTC;
		assert_int_equal(wallet_coinselect_run(&r, c, 6, &p), KB_EFUNDS);
		assert_int_equal(r.shortfall, 10 * BTC + fixed_fee(&p, 5) - (BTC + 7 * BTC / 10 + 2 * BTC + BTC / 2 + 5 * BTC));
		/* sending everything leaves it alone too */
		p.mode = WALLET_COINSELECT_MAX;
		p.target = 0;
		assert_int_equal(wallet_coinselect_run(&r, c, 6, &p), KB_OK);
		check_invariants(&r, c, 6, &p);
		assert_int_equal(r.n, 5);
		assert_false(has(&r, 1));
		wallet_coinselect_result_clear(&r);
	}
}

static void test_required_coins(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	int64_t r8 = p.fee_rate;
	struct wallet_coinselect_coin c[5] = {
		eff_coin(BTC, r8), eff_coin(2 * BTC, r8), eff_coin(3 * BTC, r8),
		eff_coin(4 * BTC, r8), eff_coin(BTC / 100, r8),
	};
	c[4].flags = WALLET_COINSELECT_REQUIRED;
	struct wallet_coinselect_result r;
	for (uint64_t s = 200; s < 230; s++) {
		seed(s, "required_coins");
		/* these plus whatever else is needed: 5 BTC would be {1,4} or {2,3} without it */
		p.mode = WALLET_COINSELECT_AUTO;
		p.target = 5 * BTC - fixed_fee(&p, 5);
		assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
		check_invariants(&r, c, 5, &p);
		assert_true(has(&r, 4));
		wallet_coinselect_result_clear(&r);
	}
	/* a required coin is used even when it is worth less than its fee */
	c[4].value = 100;
	p.target = 5 * BTC;
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
	check_invariants(&r, c, 5, &p);
	assert_true(has(&r, 4));
	wallet_coinselect_result_clear(&r);
	/* the required coins alone pay: nothing else is added */
	c[4] = eff_coin(BTC, r8);
	c[4].flags = WALLET_COINSELECT_REQUIRED;
	p.target = BTC / 2;
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
	check_invariants(&r, c, 5, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_PRESET);
	assert_int_equal(r.n, 1);
	assert_true(r.change > 0);
	wallet_coinselect_result_clear(&r);
	/* only these: two required coins, change back */
	c[0].flags = WALLET_COINSELECT_REQUIRED;
	p.mode = WALLET_COINSELECT_ONLY_REQUIRED;
	p.target = 3 * BTC / 2;
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_OK);
	check_invariants(&r, c, 5, &p);
	assert_int_equal(r.n, 2);
	assert_true(has(&r, 0) && has(&r, 4));
	assert_int_equal(r.change, 2 * BTC - p.target - fixed_fee(&p, 2) -
	                 wallet_coinselect_fee(r8, p.change_output_weight));
	wallet_coinselect_result_clear(&r);
	/* only these, and they are not enough: others are not touched */
	p.target = 3 * BTC;
	assert_int_equal(wallet_coinselect_run(&r, c, 5, &p), KB_EFUNDS);
	assert_int_equal(r.shortfall, BTC + fixed_fee(&p, 2));
	assert_null(r.idx);
}

static void test_change_and_dust(void **state)
{
	(void)state;
	seed(300, "change_and_dust");
	struct wallet_coinselect_params p = defaults();
	int64_t r8 = p.fee_rate;
	int64_t in_fee = wallet_coinselect_fee(r8, W_IN);
	int64_t change_fee = wallet_coinselect_fee(r8, p.change_output_weight);
	int64_t spend_later = wallet_coinselect_fee(p.long_term_fee_rate, p.change_spend_weight);
	struct wallet_coinselect_coin c[1] = { eff_coin(BTC, r8) };
	struct wallet_coinselect_result r;
	/* plenty left: change, paying its own output's fee */
	p.target = BTC / 2;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	check_invariants(&r, c, 1, &p);
	assert_int_equal(r.fee, fixed_fee(&p, 1) + in_fee + change_fee);
	assert_int_equal(r.change, BTC / 2 - fixed_fee(&p, 1) - change_fee);
	assert_int_equal(r.waste, change_fee + spend_later);
	assert_int_equal(r.weight, p.base_weight + 4 + W_IN + p.change_output_weight);
	wallet_coinselect_result_clear(&r);
	/* a high dust floor: 2000 sat of excess would be 1690 of change, below it: dropped */
	p.change_dust = 5000;
	p.target = BTC - fixed_fee(&p, 1) - 2000;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	check_invariants(&r, c, 1, &p);
	assert_int_equal(r.change, 0);
	assert_int_equal(r.fee, fixed_fee(&p, 1) + in_fee + 2000);
	assert_int_equal(r.waste, 2000);
	assert_int_equal(r.weight, p.base_weight + 4 + W_IN);
	wallet_coinselect_result_clear(&r);
	/* change exactly at the floor is made */
	p.target = BTC - fixed_fee(&p, 1) - change_fee - 5000;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	check_invariants(&r, c, 1, &p);
	assert_int_equal(r.change, 5000);
	wallet_coinselect_result_clear(&r);
	/* one below: dropped */
	p.target++;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	check_invariants(&r, c, 1, &p);
	assert_int_equal(r.change, 0);
	assert_int_equal(r.fee, fixed_fee(&p, 1) + in_fee + change_fee + 4999);
	wallet_coinselect_result_clear(&r);
	/* change that would cost more to spend later than it is worth is not made */
	p = defaults();
	p.change_dust = 0;
	p.long_term_fee_rate = 50000; /* spending it later: 3400 sat */
	spend_later = wallet_coinselect_fee(p.long_term_fee_rate, p.change_spend_weight);
	p.target = BTC - fixed_fee(&p, 1) - change_fee - spend_later;
	assert_int_equal(wallet_coinselect_run(&r, c, 1, &p), KB_OK);
	check_invariants(&r, c, 1, &p);
	assert_int_equal(r.change, 0);
	wallet_coinselect_result_clear(&r);
}

static void test_send_max(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	int64_t r8 = p.fee_rate;
	int64_t in_fee = wallet_coinselect_fee(r8, W_IN);
	struct wallet_coinselect_coin c[4] = {
		{ BTC, W_IN, 0 },
		{ 2 * BTC, W_IN, WALLET_COINSELECT_FROZEN },
		{ 3 * BTC, WALLET_COINSELECT_W_P2TR, 0 },
		{ 100, W_IN, 0 }, /* worth less than its input fee */
	};
	int64_t fees = fixed_fee(&p, 3) + 2 * in_fee + wallet_coinselect_fee(r8, WALLET_COINSELECT_W_P2TR);
	struct wallet_coinselect_result r;
	p.mode = WALLET_COINSELECT_MAX;
	p.target = 0;
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_MAX);
	assert_int_equal(r.n, 3);
	assert_true(has(&r, 0) && has(&r, 2) && has(&r, 3));
	assert_int_equal(r.change, 0);
	assert_int_equal(r.fee, fees);
	assert_int_equal(r.amount, 4 * BTC + 100 - fees);
	wallet_coinselect_result_clear(&r);
	/* leaving out the uneconomic coin: one input fewer */
	p.skip_uneconomic = true;
	fees = fixed_fee(&p, 2) + in_fee + wallet_coinselect_fee(r8, WALLET_COINSELECT_W_P2TR);
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.amount, 4 * BTC - fees);
	wallet_coinselect_result_clear(&r);
	/* with a fixed recipient beside the sweep */
	p.skip_uneconomic = false;
	p.target = BTC / 2;
	fees = fixed_fee(&p, 3) + 2 * in_fee + wallet_coinselect_fee(r8, WALLET_COINSELECT_W_P2TR);
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_int_equal(r.amount, 4 * BTC + 100 - fees);
	wallet_coinselect_result_clear(&r);
	/* --max --from: only the required coin */
	c[2].flags = WALLET_COINSELECT_REQUIRED;
	p.only_required = true;
	p.target = 0;
	fees = fixed_fee(&p, 1) + wallet_coinselect_fee(r8, WALLET_COINSELECT_W_P2TR);
	assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
	check_invariants(&r, c, 4, &p);
	assert_int_equal(r.n, 1);
	assert_true(has(&r, 2));
	assert_int_equal(r.amount, 3 * BTC - fees);
	wallet_coinselect_result_clear(&r);
	/* a sweep that would be dust is refused, with what is missing */
	struct wallet_coinselect_coin d[1] = { { 1300, W_IN, 0 } };
	p = defaults();
	p.mode = WALLET_COINSELECT_MAX;
	p.target = 0;
	int64_t swept = 1300 - fixed_fee(&p, 1) - in_fee;
	assert_true(swept > 0 && swept < p.recipient_dust);
	assert_int_equal(wallet_coinselect_run(&r, d, 1, &p), KB_EFUNDS);
	assert_int_equal(r.shortfall, p.recipient_dust - swept);
	assert_null(r.idx);
	/* exactly the dust threshold is allowed */
	d[0].value += p.recipient_dust - swept;
	assert_int_equal(wallet_coinselect_run(&r, d, 1, &p), KB_OK);
	check_invariants(&r, d, 1, &p);
	assert_int_equal(r.amount, p.recipient_dust);
	wallet_coinselect_result_clear(&r);
	/* less than the fee */
	d[0].value = 100;
	assert_int_equal(wallet_coinselect_run(&r, d, 1, &p), KB_EFUNDS);
	assert_true(r.shortfall > p.recipient_dust);
}

static void test_waste_picks_winner(void **state)
{
	(void)state;
	/*
	 * 50 sat/vB now, 5 later. Three small coins match the target exactly
	 * (BnB, 3 inputs); one big coin pays it with change (1 input). Per
	 * input waste 3060, cost of change 1890: the big coin alone (4950)
	 * beats the exact match (9180); big + one small (8010) still does.
	 */
	struct wallet_coinselect_params p = defaults();
	p.fee_rate = 50000;
	p.long_term_fee_rate = 5000;
	int64_t per_in = wallet_coinselect_fee(50000, W_IN) - wallet_coinselect_fee(5000, W_IN);
	int64_t coc = wallet_coinselect_fee(50000, p.change_output_weight) +
	              wallet_coinselect_fee(5000, p.change_spend_weight);
	assert_int_equal(per_in, 3060);
	assert_int_equal(coc, 1890);
	struct wallet_coinselect_coin c[4] = {
		eff_coin(1000000, p.fee_rate), eff_coin(2000000, p.fee_rate),
		eff_coin(3000000, p.fee_rate), eff_coin(10 * BTC, p.fee_rate),
	};
	p.target = 6000000 - fixed_fee(&p, 4);
	int seen_single = 0, seen_bnb = 0;
	for (uint64_t s = 400; s < 464; s++) {
		seed(s, "waste_picks_winner");
		struct wallet_coinselect_result r;
		assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
		check_invariants(&r, c, 4, &p);
		assert_true(r.waste <= 3 * per_in);
		if (r.algo == WALLET_COINSELECT_ALGO_BNB) {
			seen_bnb++;
			assert_int_equal(r.waste, 3 * per_in);
			assert_int_equal(r.n, 3);
		} else {
			assert_true(has(&r, 3));
			assert_true(r.change > 0);
			assert_int_equal(r.waste, (int64_t)r.n * per_in + coc);
			if (r.n == 1)
				seen_single++;
		}
		wallet_coinselect_result_clear(&r);
	}
	/* the random draw sometimes starts with the big coin, sometimes not */
	assert_true(seen_single > 0);
	assert_true(seen_bnb > 0);
	/* at equal rates the exact match wins every time */
	p.fee_rate = p.long_term_fee_rate = 10000;
	for (int i = 0; i < 4; i++)
		c[i] = eff_coin(i < 3 ? (i + 1) * 1000000 : 10 * BTC, p.fee_rate);
	p.target = 6000000 - fixed_fee(&p, 4);
	for (uint64_t s = 500; s < 520; s++) {
		seed(s, "waste_picks_winner/equal");
		struct wallet_coinselect_result r;
		assert_int_equal(wallet_coinselect_run(&r, c, 4, &p), KB_OK);
		check_invariants(&r, c, 4, &p);
		assert_int_equal(r.algo, WALLET_COINSELECT_ALGO_BNB);
		assert_int_equal(r.waste, 0);
		wallet_coinselect_result_clear(&r);
	}
}

static void test_weight_limit(void **state)
{
	(void)state;
	seed(600, "weight_limit");
	struct wallet_coinselect_params p = defaults();
	size_t n = 700; /* 700 P2PKH inputs: 415100 WU */
	struct wallet_coinselect_coin *c = kb_calloc(n, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = (struct wallet_coinselect_coin){ 100000, WALLET_COINSELECT_W_P2PKH_IN_SEGWIT_TX,
		                                         WALLET_COINSELECT_REQUIRED };
	struct wallet_coinselect_result r;
	p.mode = WALLET_COINSELECT_ONLY_REQUIRED;
	p.target = 60000000;
	assert_int_equal(wallet_coinselect_run(&r, c, n, &p), KB_ELIMIT);
	assert_null(r.idx);
	p.mode = WALLET_COINSELECT_MAX;
	p.target = 0;
	assert_int_equal(wallet_coinselect_run(&r, c, n, &p), KB_ELIMIT);
	/* free choice: the funds are there, but only in too many small coins */
	for (size_t i = 0; i < n; i++)
		c[i].flags = 0;
	p.mode = WALLET_COINSELECT_AUTO;
	p.target = 68000000;
	assert_int_equal(wallet_coinselect_run(&r, c, n, &p), KB_ELIMIT);
	assert_null(r.idx);
	/* the limit itself: exactly 400000 WU is standard, no room for change; one more is not */
	for (size_t i = 0; i < 100; i++)
		c[i] = (struct wallet_coinselect_coin){ BTC, W_IN, WALLET_COINSELECT_REQUIRED };
	p = defaults();
	p.mode = WALLET_COINSELECT_ONLY_REQUIRED;
	p.base_weight = WALLET_COINSELECT_MAX_TX_WEIGHT - 100 * W_IN - 4;
	assert_int_equal(wallet_coinselect_run(&r, c, 100, &p), KB_OK);
	check_invariants(&r, c, 100, &p);
	assert_int_equal(r.weight, WALLET_COINSELECT_MAX_TX_WEIGHT);
	assert_int_equal(r.change, 0);
	wallet_coinselect_result_clear(&r);
	p.base_weight++;
	assert_int_equal(wallet_coinselect_run(&r, c, 100, &p), KB_ELIMIT);
	assert_null(r.idx);
	for (size_t i = 0; i < n; i++)
		c[i] = (struct wallet_coinselect_coin){ 100000, WALLET_COINSELECT_W_P2PKH_IN_SEGWIT_TX, 0 };
	p = defaults();
	/* fewer needed: fine, and under the limit */
	p.target = 30000000;
	assert_int_equal(wallet_coinselect_run(&r, c, n, &p), KB_OK);
	check_invariants(&r, c, n, &p);
	wallet_coinselect_result_clear(&r);
	kb_free(c);
}

/* Random wallets: every answer keeps the invariants; the same seed gives the same answer. */
static void test_random_determinism(void **state)
{
	(void)state;
	uint64_t master = 0x6b6f62616eULL;
	printf("# random_determinism: master seed %llu\n", (unsigned long long)master);
	uint64_t g = master;
	static const uint32_t weights[] = {
		WALLET_COINSELECT_W_P2PKH_IN_SEGWIT_TX, WALLET_COINSELECT_W_P2SH_P2WPKH,
		WALLET_COINSELECT_W_P2WPKH, WALLET_COINSELECT_W_P2TR,
	};
	struct wallet_coinselect_coin c[60];
	int ok = 0, funds = 0;
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + wallet_coinselect_rand_splitmix64(&g) % 60;
		for (size_t i = 0; i < n; i++) {
			uint64_t x = wallet_coinselect_rand_splitmix64(&g);
			c[i].value = (int64_t)(1000 + x % (uint64_t)(2 * BTC)) >> (x >> 60);
			c[i].weight = weights[(x >> 40) & 3];
			uint64_t f = (x >> 44) & 15;
			c[i].flags = f == 0 ? WALLET_COINSELECT_FROZEN : f == 1 ? WALLET_COINSELECT_REQUIRED : 0;
		}
		struct wallet_coinselect_params p = defaults();
		uint64_t y = wallet_coinselect_rand_splitmix64(&g);
		p.fee_rate = 1000 + (int64_t)(y % 100000);
		p.long_term_fee_rate = (int64_t)((y >> 20) % 30000);
		p.target = 1 + (int64_t)((y >> 32) % (uint64_t)(3 * BTC));
		uint64_t s = wallet_coinselect_rand_splitmix64(&g);
		struct wallet_coinselect_result a, b;
		seed_state = s;
		enum kb_rc ra = wallet_coinselect_run(&a, c, n, &p);
		seed_state = s;
		enum kb_rc rb = wallet_coinselect_run(&b, c, n, &p);
		if (ra != rb)
			printf("# round %d: seed %llu differs\n", round, (unsigned long long)s);
		assert_int_equal(ra, rb);
		if (ra == KB_OK) {
			ok++;
			check_invariants(&a, c, n, &p);
			assert_int_equal(a.n, b.n);
			assert_memory_equal(a.idx, b.idx, a.n * sizeof *a.idx);
			assert_int_equal(a.fee, b.fee);
			assert_int_equal(a.change, b.change);
			assert_int_equal(a.waste, b.waste);
			assert_int_equal(a.amount, p.target);
		} else {
			assert_int_equal(ra, KB_EFUNDS);
			assert_true(a.shortfall > 0);
			assert_int_equal(a.shortfall, b.shortfall);
			funds++;
		}
		wallet_coinselect_result_clear(&a);
		wallet_coinselect_result_clear(&b);
	}
	printf("# random_determinism: %d selections, %d insufficient\n", ok, funds);
	assert_true(ok > 50 && funds > 10);
}

/* With no callback the module draws from libsodium: it still works. */
static void test_default_randomness(void **state)
{
	(void)state;
	struct wallet_coinselect_params p = defaults();
	p.rand = NULL;
	p.rand_arg = NULL;
	struct wallet_coinselect_coin c[8];
	for (int i = 0; i < 8; i++)
		c[i] = eff_coin((i + 1) * 1234567, p.fee_rate);
	struct wallet_coinselect_result r;
	p.target = 5000000;
	assert_int_equal(wallet_coinselect_run(&r, c, 8, &p), KB_OK);
	check_invariants(&r, c, 8, &p);
	wallet_coinselect_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_misuse_params),
		cmocka_unit_test(test_misuse_coins),
		cmocka_unit_test(test_no_coins_all_frozen),
		cmocka_unit_test(test_insufficient_shortfall),
		cmocka_unit_test(test_bnb_exact),
		cmocka_unit_test(test_bnb_core_cases),
		cmocka_unit_test(test_bnb_waste_direction),
		cmocka_unit_test(test_bnb_exhaustion),
		cmocka_unit_test(test_frozen_never_chosen),
		cmocka_unit_test(test_required_coins),
		cmocka_unit_test(test_change_and_dust),
		cmocka_unit_test(test_send_max),
		cmocka_unit_test(test_waste_picks_winner),
		cmocka_unit_test(test_weight_limit),
		cmocka_unit_test(test_random_determinism),
		cmocka_unit_test(test_default_randomness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
