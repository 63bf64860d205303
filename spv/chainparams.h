/*
 * Chain parameters of the five networks koban follows: P2P magic and port,
 * the genesis header, the proof-of-work rules, the soft-fork heights that
 * raise the minimum block version, DNS seeds, checkpoints and sync anchors.
 *
 * Values are Bitcoin Core's (src/kernel/chainparams.cpp, transcribed in
 * ../shared/chain/params/chainparams.json); tests/unit/test_chain_params.c
 * checks every scalar here against a copy of that file. Checkpoints and
 * anchors are generated into spv/checkpoints_data.c by
 * share/gen-checkpoints.py from Bitcoin Core's historical list and the
 * Electrum and bitcoinj lists; the program never reads ../shared.
 *
 * Checkpoints: a header at a checkpoint height must have that hash, and no
 * fork is accepted below the highest checkpoint the chain has reached.
 * Anchors: the full header of the first block of a retarget period (height
 * k*2016) with the cumulative chain work up to it; a new chain store starts
 * at one (spv/chain.h explains why a period start).
 */
#ifndef KOBAN_SPV_CHAINPARAMS_H
#define KOBAN_SPV_CHAINPARAMS_H

#include "wallet/hash.h"
#include "wallet/network.h"
#include "wallet/u256.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Headers may be at most this far ahead of network-adjusted time. */
#define SPV_MAX_FUTURE_BLOCK_TIME (2 * 60 * 60)
/* Median-time-past spans this many blocks. */
#define SPV_MEDIAN_TIME_SPAN 11
/* BIP94: the first block of a period may be at most this much earlier than its parent. */
#define SPV_MAX_TIMEWARP 600

struct spv_checkpoint {
	uint32_t height;
	struct hash256 hash;      /* internal byte order */
};

struct spv_anchor {
	uint32_t height;          /* a multiple of the retarget interval */
	uint8_t header[80];       /* the block header at that height, wire format */
	uint8_t chainwork[32];    /* cumulative work up to and including it, big-endian */
};

struct spv_checkpoint_set {
	const struct spv_checkpoint *cp; /* sorted by height, includes genesis */
	size_t n_cp;
	const struct spv_anchor *anchors; /* sorted by height; may be NULL */
	size_t n_anchors;
};

struct spv_chainparams {
	enum kb_net net;
	const char *name;                 /* chainparams.json key: mainnet, testnet3, ... */
	uint8_t magic[4];                 /* P2P message start, wire order */
	uint16_t port;
	uint8_t genesis[80];              /* the genesis header, wire format */
	struct hash256 genesis_hash;
	struct u256 pow_limit;
	uint32_t pow_limit_bits;          /* GetCompact(pow_limit) */
	int64_t target_timespan;          /* seconds: two weeks (one day on regtest) */
	int64_t target_spacing;           /* seconds: 600 */
	uint32_t interval;                /* timespan / spacing: 2016 (144 on regtest) */
	bool allow_min_difficulty;        /* testnet3/4, regtest: the 20-minute rule */
	bool no_retargeting;              /* regtest */
	bool enforce_bip94;               /* testnet4 */
	uint32_t bip34_height;            /* version >= 2 from here */
	uint32_t bip66_height;            /* version >= 3 from here */
	uint32_t bip65_height;            /* version >= 4 from here */
	const char *const *dns_seeds;     /* NULL-terminated */
	const char *minimum_chain_work;   /* hex, display order (anti-DoS hint for sync) */
	const struct spv_checkpoint_set *checkpoints;
};

/* Parameters of net (asserts that net is valid). Static storage. */
const struct spv_chainparams *spv_chainparams_get(enum kb_net net);

/* The checkpoint at exactly height, or NULL. */
const struct spv_checkpoint *spv_chainparams_checkpoint_at(const struct spv_chainparams *p,
                                                           uint32_t height);
/* The highest checkpoint at or below height (genesis at least). Never NULL. */
const struct spv_checkpoint *spv_chainparams_checkpoint_below(const struct spv_chainparams *p,
                                                              uint32_t height);
/* The last (highest) checkpoint. Never NULL. */
const struct spv_checkpoint *spv_chainparams_last_checkpoint(const struct spv_chainparams *p);

/*
 * The anchor a new wallet's chain starts from. Take the anchors whose
 * header times (and those of every anchor before them) are at least
 * SPV_MAX_FUTURE_BLOCK_TIME before birthday; return the one before the
 * newest of them. The extra period (two weeks, about 160 KB of headers) is
 * a margin: header times are not the times blocks were mined, so a bare
 * time comparison could start just above a block mined after the
 * birthday; and the anchor's successor, a checkpoint, pins the first
 * headers after it. NULL means start at genesis (birthday <= 0 or too
 * early, or a network without anchors).
 */
const struct spv_anchor *spv_chainparams_anchor_for_time(const struct spv_chainparams *p,
                                                         int64_t birthday);
/* The anchor whose header hashes to hash, or NULL. */
const struct spv_anchor *spv_chainparams_anchor_by_hash(const struct spv_chainparams *p,
                                                        const struct hash256 *hash);

/* Generated in spv/checkpoints_data.c. */
extern const struct spv_checkpoint_set spv_checkpoints_main;
extern const struct spv_checkpoint_set spv_checkpoints_test3;
extern const struct spv_checkpoint_set spv_checkpoints_test4;
extern const struct spv_checkpoint_set spv_checkpoints_signet;
extern const struct spv_checkpoint_set spv_checkpoints_regtest;

#endif
