/*
 * Coin selection: which of the wallet's unspent outputs pay for a
 * transaction, what it costs and whether it gets a change output.
 *
 * A pure module: no database, no keys, no clock. The caller describes each
 * candidate coin by its value and the weight its input will have once
 * signed, plus flags (frozen: never picked; required: coin control, always
 * included), and the transaction around the inputs; the module answers with
 * the chosen indices, the fee, the change and the waste.
 *
 * The algorithms follow Bitcoin Core's wallet (coinselection.cpp,
 * spend.cpp):
 *   - Branch-and-Bound (Murch, "An Evaluation of Coin Selection
 *     Strategies", 2016): a depth-first search, largest effective value
 *     first, for a change-free input set whose effective value lands in
 *     [target, target + cost_of_change]; at most 100000 steps.
 *   - Knapsack (Core's KnapsackSolver with ApproximateBestSubset): a
 *     stochastic subset sum aimed at the target or target + a randomised
 *     change target.
 *   - Single Random Draw: coins in random order until the target plus a
 *     change fee plus 50000 sat is reached.
 * Every candidate answer is scored by Core's waste metric and the least
 * waste wins (ties: more inputs, which consolidates at no extra cost).
 *
 * Units and rounding (all integers, no floating point):
 *   - amounts in satoshis, int64_t, each and in total at most
 *     WALLET_COINSELECT_MAX_MONEY (21e6 BTC);
 *   - weights in weight units (WU; 4 WU = 1 vbyte), so a P2TR input costs
 *     57.5 vB exactly instead of a rounded 58;
 *   - fee rates in sat per 1000 vB (= milli-sat per vB: 1 sat/vB is 1000).
 *   A part of the transaction of weight w costs
 *   wallet_coinselect_fee(rate, w) = ceil(rate * w / 4000) sat. Each input
 *   and the change output are such parts; the fixed part is the caller's
 *   base weight + the input count (a CompactSize sized for every coin that
 *   could be an input, so it never grows past the estimate) + 3 WU, the 3
 *   so that the sum of the rounded-up parts is never below
 *   rate * ceil(total_weight / 4) / 1000, the fee the network's vsize rule
 *   asks for: the chosen fee rate is always met.
 *
 * Input weights (WALLET_COINSELECT_W_*), derived from BIP141's
 * weight = 4 * non-witness bytes + witness bytes, with a 72-byte ECDSA
 * signature (the largest low-S DER encoding, 71 bytes, plus the sighash
 * byte; a low-R signature is one byte shorter, so the estimate never falls
 * short) and a 33-byte compressed key; every input has a 32-byte txid,
 * 4-byte index, 4-byte sequence and a script length byte: 41 bytes, 164 WU.
 *   P2PKH        scriptSig 107 (1+72 + 1+33): 148 B               = 592 WU
 *                (148 vB; Core's figure). In a transaction that has any
 *                witness it also carries an empty witness (1 byte): 593 WU.
 *   P2SH-P2WPKH  scriptSig 23 (push of the 22-byte 0014{20} redeem
 *                script): 64 B = 256 WU, witness 1+1+72+1+33 = 108: 364 WU
 *                (91 vB).
 *   P2WPKH       164 + 108                                        = 272 WU
 *                (68 vB).
 *   P2TR (key path, SIGHASH_DEFAULT 64-byte signature)
 *                164 + witness 1+1+64                             = 230 WU
 *                (57.5 vB; an explicit sighash byte would make it 231).
 * Output weights: 8-byte value + script length + script:
 *   P2PKH 34 B = 136 WU, P2SH 32 B = 128, P2WPKH 31 B = 124, P2TR 43 B = 172.
 *
 * Waste (Core's GetSelectionWaste, SelectionResult::RecalculateWaste):
 *   sum over inputs of (fee at rate - fee at long-term rate)
 *   + cost_of_change if a change output is made, else the excess
 *   (what the inputs' effective value exceeds the target by, which the
 *   miner gets).
 *   cost_of_change = fee of the change output now + fee of spending it
 *   later at the long-term rate.
 * Change smaller than max(dust threshold, fee of spending it later + 1)
 * is not made: the amount goes to the fee.
 */
#ifndef KOBAN_WALLET_COINSELECT_H
#define KOBAN_WALLET_COINSELECT_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_COINSELECT_MAX_MONEY INT64_C(2100000000000000)
/* Fee rates, sat per 1000 vB: at least 1 (0.001 sat/vB), at most 10000 sat/vB (Core's -maxfeerate default). */
#define WALLET_COINSELECT_MAX_FEE_RATE INT64_C(10000000)
/* Largest standard transaction (Core's MAX_STANDARD_TX_WEIGHT). */
#define WALLET_COINSELECT_MAX_TX_WEIGHT 400000u
/* Smallest possible input: outpoint, empty script length, sequence. */
#define WALLET_COINSELECT_MIN_INPUT_WEIGHT 164u
/* Most candidates one call accepts (more is KB_ELIMIT). */
#define WALLET_COINSELECT_MAX_COINS 100000u
/* Branch-and-Bound gives up after this many steps (Core's TOTAL_TRIES). */
#define WALLET_COINSELECT_BNB_TRIES 100000u

/* Input weights once signed; see the derivation above. */
#define WALLET_COINSELECT_W_P2PKH 592u
#define WALLET_COINSELECT_W_P2PKH_IN_SEGWIT_TX 593u
#define WALLET_COINSELECT_W_P2SH_P2WPKH 364u
#define WALLET_COINSELECT_W_P2WPKH 272u
#define WALLET_COINSELECT_W_P2TR 230u

enum wallet_coinselect_spk {
	WALLET_COINSELECT_P2PKH,
	WALLET_COINSELECT_P2SH_P2WPKH, /* as an output: any P2SH */
	WALLET_COINSELECT_P2WPKH,
	WALLET_COINSELECT_P2TR,
};

/*
 * Weight of spending an output of this type (the table above). tx_segwit:
 * the transaction has at least one witness input, so a P2PKH input carries
 * an empty witness byte. When unsure pass true: it only over-estimates.
 */
uint32_t wallet_coinselect_input_weight(enum wallet_coinselect_spk type, bool tx_segwit);
/* Weight of an output of this type (value, script length, script). */
uint32_t wallet_coinselect_output_weight(enum wallet_coinselect_spk type);
/*
 * Core's GetDustThreshold at the default dust relay fee (3 sat/vB): an
 * output below it is non-standard. P2PKH 546, P2SH 540, P2WPKH 294,
 * P2TR 330.
 */
int64_t wallet_coinselect_dust_threshold(enum wallet_coinselect_spk type);
/*
 * The weight of everything in a transaction except its inputs, the input
 * count and a change output: version, locktime, output count, the given
 * outputs and (segwit) the marker and flag. The output count is sized for
 * n_outputs + 1, as if a change output were added (at most 8 WU too many).
 */
uint32_t wallet_coinselect_base_weight(const uint32_t *output_weights, size_t n_outputs,
                                       bool segwit);
/*
 * ceil(rate * weight / 4000): the fee in sat of weight WU at rate sat per
 * 1000 vB. rate and weight within this module's limits (no overflow below
 * rate * weight < 2^63).
 */
int64_t wallet_coinselect_fee(int64_t rate, uint64_t weight);

/* Coin flags. */
#define WALLET_COINSELECT_FROZEN 0x1u   /* never picked */
#define WALLET_COINSELECT_REQUIRED 0x2u /* coin control: always picked */

struct wallet_coinselect_coin {
	int64_t value;   /* sat, 0..MAX_MONEY */
	uint32_t weight; /* WU of its signed input, MIN_INPUT_WEIGHT..MAX_TX_WEIGHT */
	uint32_t flags;  /* WALLET_COINSELECT_*; FROZEN and REQUIRED together is an error */
};

/*
 * The randomness seam: returns 64 uniformly random bits. With no callback
 * the module draws from libsodium's randombytes. Tests pass
 * wallet_coinselect_rand_splitmix64 with a pointer to a uint64_t seed,
 * which it advances, and print the seed.
 */
typedef uint64_t (*wallet_coinselect_rand_cb)(void *arg);
uint64_t wallet_coinselect_rand_splitmix64(void *state);

enum wallet_coinselect_mode {
	/* The required coins plus whatever else is needed (none required: a free choice). */
	WALLET_COINSELECT_AUTO,
	/* Exactly the required coins, nothing else ("only these"); at least one must be required. */
	WALLET_COINSELECT_ONLY_REQUIRED,
	/*
	 * Send everything: every coin not frozen (with only_required, every
	 * required coin), no change. The amount for the sweeping recipient is
	 * total - target - fee, where target is what other, fixed recipients
	 * get (usually 0).
	 */
	WALLET_COINSELECT_MAX,
};

struct wallet_coinselect_params {
	enum wallet_coinselect_mode mode;
	/* MAX only: sweep only the required coins (--max --from ...). */
	bool only_required;
	/* MAX only: leave out coins (not required) worth less than their input fee. */
	bool skip_uneconomic;
	/* Sum of the recipients' amounts: 1..MAX_MONEY (MAX: 0..MAX_MONEY, the fixed recipients). */
	int64_t target;
	/* sat per 1000 vB, 1..MAX_FEE_RATE. */
	int64_t fee_rate;
	/* The rate expected for spending coins later (Core's -consolidatefeerate), 0..MAX_FEE_RATE. */
	int64_t long_term_fee_rate;
	/* wallet_coinselect_base_weight(): everything but inputs, input count, change. */
	uint32_t base_weight;
	/* The change output's weight, and the weight of the input that will spend it. */
	uint32_t change_output_weight;
	uint32_t change_spend_weight;
	/* Change below this is not made (its value goes to the fee): 0..MAX_MONEY. */
	int64_t change_dust;
	/* MAX only: the swept amount must reach this (the recipient's dust threshold). */
	int64_t recipient_dust;
	/* Randomness; NULL means libsodium. rand_arg is passed through, borrowed. */
	wallet_coinselect_rand_cb rand;
	void *rand_arg;
};

enum wallet_coinselect_algo {
	WALLET_COINSELECT_ALGO_NONE,
	WALLET_COINSELECT_ALGO_PRESET,   /* the required coins alone */
	WALLET_COINSELECT_ALGO_BNB,
	WALLET_COINSELECT_ALGO_KNAPSACK,
	WALLET_COINSELECT_ALGO_SRD,
	WALLET_COINSELECT_ALGO_MAX,
};

struct wallet_coinselect_result {
	size_t *idx;            /* owned: chosen indices into coins, ascending */
	size_t n;
	int64_t selected;       /* sum of the chosen coins' values */
	int64_t amount;         /* paid to recipients: target, or (MAX) target + swept amount */
	int64_t fee;            /* selected - amount - change */
	int64_t change;         /* 0 when there is no change output */
	int64_t waste;
	uint32_t weight;        /* estimated weight of the signed transaction */
	enum wallet_coinselect_algo algo;
	int64_t shortfall;      /* set on KB_EFUNDS only: how much more would be needed */
};

/*
 * Chooses coins from coins[0..n) for params p.
 *
 * Returns KB_OK with *out filled (the caller clears it with
 * wallet_coinselect_result_clear). On failure *out holds no selection
 * (idx NULL, n 0, all amounts 0) except:
 *   KB_EFUNDS    not enough value; out->shortfall > 0 says how much more
 *                (at the given fee rate, for spending every usable coin).
 *                Also: no coins, all frozen, or (MAX) a dust-sized sweep
 *                (shortfall: up to the recipient's dust threshold).
 *   KB_EINVAL    a value, weight, flag, target, rate or threshold out of
 *                range; sum of values over MAX_MONEY; ONLY_REQUIRED with no
 *                required coin; FROZEN with REQUIRED.
 *   KB_ELIMIT    n over MAX_COINS, or funds suffice but not within the
 *                standard transaction weight.
 * coins may be NULL only when n is 0. Pure apart from the randomness
 * seam. The work is bounded (100000 BnB steps, 1000 knapsack rounds over
 * the coins) but grows with n: about a millisecond for 100 coins, a few
 * hundred for 10000 (tests/bench/bench_coinselect.c); the event loop
 * should not call it for large wallets on every keystroke.
 */
KB_WUR enum kb_rc wallet_coinselect_run(struct wallet_coinselect_result *out,
                                        const struct wallet_coinselect_coin *coins, size_t n,
                                        const struct wallet_coinselect_params *p);

/* Frees out->idx and zeroes *out; a zeroed or cleared result is fine. */
void wallet_coinselect_result_clear(struct wallet_coinselect_result *out);

#endif
