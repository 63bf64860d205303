/*
 * Coin selection timings: random wallets of growing size, a payment of a
 * few percent of the balance, fixed seeds. Prints figures; never fails
 * on a time (STYLE.md §9).
 */
#include "wallet/coinselect.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *algo_name(enum wallet_coinselect_algo a)
{
	switch (a) {
	case WALLET_COINSELECT_ALGO_PRESET: return "preset";
	case WALLET_COINSELECT_ALGO_BNB: return "bnb";
	case WALLET_COINSELECT_ALGO_KNAPSACK: return "knapsack";
	case WALLET_COINSELECT_ALGO_SRD: return "srd";
	case WALLET_COINSELECT_ALGO_MAX: return "max";
	case WALLET_COINSELECT_ALGO_NONE: break;
	}
	return "none";
}

int main(void)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000, 100000 };
	uint32_t outw[1] = { wallet_coinselect_output_weight(WALLET_COINSELECT_P2TR) };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		uint64_t g = 20261124 + n;
		struct wallet_coinselect_coin *c = kb_calloc(n, sizeof *c);
		int64_t total = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t x = wallet_coinselect_rand_splitmix64(&g);
			c[i].value = 5000 + (int64_t)(x % 20000000);
			c[i].weight = (x >> 60) & 1 ? WALLET_COINSELECT_W_P2TR : WALLET_COINSELECT_W_P2WPKH;
			total += c[i].value;
		}
		uint64_t seed = 7;
		struct wallet_coinselect_params p = {
			.mode = WALLET_COINSELECT_AUTO,
			.fee_rate = 12000,
			.long_term_fee_rate = 10000,
			.base_weight = wallet_coinselect_base_weight(outw, 1, true),
			.change_output_weight = wallet_coinselect_output_weight(WALLET_COINSELECT_P2TR),
			.change_spend_weight = WALLET_COINSELECT_W_P2TR,
			.change_dust = wallet_coinselect_dust_threshold(WALLET_COINSELECT_P2TR),
			.recipient_dust = 330,
			.rand = wallet_coinselect_rand_splitmix64,
			.rand_arg = &seed,
		};
		int reps = n >= 10000 ? 3 : 20;
		double worst = 0, sum = 0;
		struct wallet_coinselect_result r = { 0 };
		enum kb_rc rc = KB_OK;
		for (int k = 0; k < reps; k++) {
			p.target = total / 50 + k * 1000;
			if (p.target > 100000000)
				p.target = 100000000 + k * 1000;
			double t0 = now_ms();
			rc = wallet_coinselect_run(&r, c, n, &p);
			double dt = now_ms() - t0;
			sum += dt;
			if (dt > worst)
				worst = dt;
			if (k + 1 < reps)
				wallet_coinselect_result_clear(&r);
		}
		printf("coinselect n=%-6zu avg %8.3f ms  worst %8.3f ms  last: %s, %s, %zu inputs, waste %lld\n",
		       n, sum / reps, worst, kb_rc_str(rc), algo_name(r.algo), r.n, (long long)r.waste);
		wallet_coinselect_result_clear(&r);
		kb_free(c);
	}
	return 0;
}
