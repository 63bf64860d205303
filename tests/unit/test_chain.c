/*
 * spv/chain: misuse, fork choice by work, reorganisations (shallow, deep,
 * and back), checkpoints, side-branch caps, the difficulty rules
 * (min-difficulty walk-back, BIP94), time rules, the locator, and crash
 * safety of the store (truncated, garbled, uncommitted tails, kill -9).
 *
 * Headers are mined here on "easy" parameters: regtest's pow limit (about
 * two tries a header) with a 16-block retarget interval, so that branches
 * with different work per header exist and a shorter branch can have more
 * work than a longer one.
 */
#include "tests/support/testsupport.h"

#include "spv/chain.h"
#include "spv/header.h"
#include "wallet/mem.h"
#include "wallet/pow.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HL SPV_HEADER_LEN
#define T0 1600000000u
#define EASY_INTERVAL 16

static struct spv_chainparams easy;
static struct spv_checkpoint easy_cp[4];
static struct spv_checkpoint_set easy_set;
static char tmpdir[256];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return spv_header_raw_u32(p, off);
}

/* Mines a header: nonce search until it meets bits (the pow limit allows it). */
static void mine(uint8_t out[HL], const uint8_t *prev_raw, uint32_t time, uint32_t bits,
                 uint32_t salt, const struct u256 *limit)
{
	memset(out, 0, HL);
	put32(out, 0x20000000);
	if (prev_raw) {
		struct hash256 ph;
		spv_header_hash_raw(&ph, prev_raw);
		memcpy(out + SPV_HEADER_OFF_PREV, ph.b, 32);
	}
	put32(out + SPV_HEADER_OFF_MERKLE, salt);
	put32(out + SPV_HEADER_OFF_TIME, time);
	put32(out + SPV_HEADER_OFF_BITS, bits);
	for (uint32_t nonce = 0;; nonce++) {
		struct hash256 h;
		put32(out + SPV_HEADER_OFF_NONCE, nonce);
		spv_header_hash_raw(&h, out);
		if (wallet_pow_check(h.b, bits, limit))
			return;
	}
}

enum kind {
	FLAT,    /* regtest as it is: no retargeting, equal work per header */
	WORK,    /* 1 s spacing, 16-block retargets, limit 2^249: work per header varies */
	MINDIFF, /* WORK with testnet3's min-difficulty rule and a harder genesis */
	BIP94,   /* 600 s spacing, 16-block retargets, min-difficulty and BIP94 */
};

static void easy_init(enum kind k)
{
	easy = *spv_chainparams_get(KB_NET_REGTEST);
	uint32_t gbits = easy.pow_limit_bits;
	if (k != FLAT) {
		easy.interval = EASY_INTERVAL;
		easy.target_spacing = k == BIP94 ? 600 : 1;
		easy.target_timespan = EASY_INTERVAL * easy.target_spacing;
		easy.no_retargeting = false;
		easy.allow_min_difficulty = k != WORK;
		easy.enforce_bip94 = k == BIP94;
		/* small enough that target * 4 * timespan never wraps in 256 bits */
		if (k != BIP94) {
			u256_set_compact(&easy.pow_limit, 0x2001ffff, NULL, NULL);
			easy.pow_limit_bits = u256_get_compact(&easy.pow_limit, false);
		}
		gbits = k == WORK ? easy.pow_limit_bits : k == MINDIFF ? 0x2000ffff : 0x1f0fffff;
		mine(easy.genesis, NULL, T0, gbits, 0, &easy.pow_limit);
		spv_header_hash_raw(&easy.genesis_hash, easy.genesis);
	}
	memset(easy_cp, 0, sizeof easy_cp);
	easy_cp[0].height = 0;
	easy_cp[0].hash = easy.genesis_hash;
	easy_set.cp = easy_cp;
	easy_set.n_cp = 1;
	easy_set.anchors = NULL;
	easy_set.n_anchors = 0;
	easy.checkpoints = &easy_set;
}

/* A branch: h[0] is genesis, h[i] the header at height i. */
struct br {
	uint8_t (*h)[HL];
	size_t n, cap;
};

static void br_init(struct br *b)
{
	b->cap = 64;
	b->h = kb_malloc(b->cap * HL);
	memcpy(b->h[0], easy.genesis, HL);
	b->n = 1;
}

static void br_copy(struct br *dst, const struct br *src, size_t upto)
{
	dst->cap = upto + 64;
	dst->h = kb_malloc(dst->cap * HL);
	memcpy(dst->h, src->h, (upto + 1) * HL);
	dst->n = upto + 1;
}

static void br_free(struct br *b)
{
	kb_free(b->h);
	b->h = NULL;
}

/* The bits the easy rules (no min-difficulty) require at height n. */
static uint32_t next_bits(const struct br *b)
{
	size_t h = b->n;
	uint32_t pbits = get32(b->h[h - 1], SPV_HEADER_OFF_BITS);
	if (easy.no_retargeting || h % EASY_INTERVAL != 0)
		return pbits;
	return wallet_pow_retarget(pbits, get32(b->h[h - EASY_INTERVAL], SPV_HEADER_OFF_TIME),
	                           get32(b->h[h - 1], SPV_HEADER_OFF_TIME), &easy.pow_limit,
	                           easy.target_timespan);
}

/* Median time past of the branch tip, as Core computes it. */
static uint32_t br_mtp(const struct br *b)
{
	uint32_t t[11];
	size_t k = 0;
	for (size_t h = b->n; h-- > 0 && k < 11;)
		t[k++] = get32(b->h[h], SPV_HEADER_OFF_TIME);
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && t[j - 1] > t[j]; j--) {
			uint32_t x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return t[k / 2];
}

/* spacing 0: each header at median time past + 1 (as fast as the rules allow). */
static void br_extend(struct br *b, size_t count, uint32_t spacing, uint32_t salt)
{
	for (size_t i = 0; i < count; i++) {
		if (b->n == b->cap) {
			b->cap *= 2;
			b->h = kb_realloc(b->h, b->cap * HL);
		}
		uint32_t t = spacing ? get32(b->h[b->n - 1], SPV_HEADER_OFF_TIME) + spacing : br_mtp(b) + 1;
		mine(b->h[b->n], b->h[b->n - 1], t, next_bits(b), salt + (uint32_t)b->n, &easy.pow_limit);
		b->n++;
	}
}

static void br_hash(const struct br *b, size_t h, struct hash256 *out)
{
	spv_header_hash_raw(out, b->h[h]);
}

struct changes {
	int calls;
	struct spv_chain_change last;
};

static void on_change(void *arg, const struct spv_chain_change *ch)
{
	struct changes *c = arg;
	c->calls++;
	c->last = *ch;
}

static int64_t clock_fn(void *arg)
{
	return *(const int64_t *)arg;
}

static int64_t far_future = 4000000000;

static struct spv_chain *open_easy(const char *path, size_t max_side, struct changes *ch)
{
	struct spv_chain_opts o = {0};
	o.max_side = max_side;
	o.clock = clock_fn;
	o.clock_arg = &far_future;
	if (ch) {
		o.on_change = on_change;
		o.change_arg = ch;
	}
	struct spv_chain *c = NULL;
	char err[200];
	enum kb_rc rc = spv_chain_open_params(&c, &easy, path, &o, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("open: %s (%s)", kb_rc_str(rc), err);
	return c;
}

static enum kb_rc feed(struct spv_chain *c, struct spv_chain_result *r, const struct br *b,
                       size_t from, size_t to)
{
	return spv_chain_process_headers(c, r, b->h[from], to - from + 1);
}

static void assert_tip(struct spv_chain *c, const struct br *b, size_t height)
{
	struct hash256 tip, want;
	uint32_t th;
	spv_chain_tip(c, &tip, &th, NULL);
	assert_int_equal(th, height);
	br_hash(b, height, &want);
	assert_memory_equal(tip.b, want.b, 32);
}

/* Every main-chain height reads back as the branch has it. */
static void assert_matches(struct spv_chain *c, const struct br *b, size_t height)
{
	for (size_t h = 0; h <= height; h++) {
		struct hash256 got, want;
		assert_int_equal(spv_chain_hash_at(c, &got, (uint32_t)h), KB_OK);
		br_hash(b, h, &want);
		if (memcmp(got.b, want.b, 32) != 0)
			fail_msg("height %zu differs", h);
	}
}

static const char *tpath(const char *name)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

/* ---- misuse ---- */

static void test_misuse(void **state)
{
	(void)state;
	struct spv_chain *c = (struct spv_chain *)1;
	char err[200];
	assert_int_equal(spv_chain_open(&c, (enum kb_net)KB_NET_COUNT, NULL, NULL, err, sizeof err), KB_EINVAL);
	assert_null(c);
	easy_init(FLAT);
	struct spv_chainparams bad = easy;
	bad.interval = 0;
	assert_int_equal(spv_chain_open_params(&c, &bad, NULL, NULL, err, sizeof err), KB_EINVAL);

	assert_int_equal(spv_chain_open(&c, KB_NET_REGTEST, NULL, NULL, err, sizeof err), KB_OK);
	struct spv_chain_result r;
	assert_int_equal(spv_chain_process_headers(c, &r, NULL, 1), KB_EINVAL);
	assert_int_equal(spv_chain_process_headers(c, &r, NULL, 0), KB_OK);
	assert_int_equal(r.accepted, 0);
	struct spv_header h;
	struct hash256 x;
	struct u256 w;
	assert_int_equal(spv_chain_header_at(c, &h, 1), KB_ENOTFOUND);
	assert_int_equal(spv_chain_hash_at(c, &x, 1), KB_ENOTFOUND);
	assert_int_equal(spv_chain_work_at(c, &w, 2), KB_ENOTFOUND);
	memset(x.b, 0x5a, 32);
	assert_int_equal(spv_chain_find(c, &h, NULL, NULL, &x), KB_ENOTFOUND);
	assert_int_equal(spv_chain_locator_from(c, &x, 1, &x), 0);
	/* the genesis header itself is known */
	assert_int_equal(spv_chain_process_headers(c, &r, spv_chain_params(c)->genesis, 1), KB_OK);
	assert_int_equal(r.duplicates, 1);
	/* import: a missing file, and a trailing partial header */
	assert_int_equal(spv_chain_import_file(c, &r, tpath("does-not-exist")), KB_EIO);
	assert_int_equal(r.reason, SPV_HDR_IO);
	FILE *fp = fopen(tpath("partial.bin"), "wb");
	assert_non_null(fp);
	fwrite(spv_chain_params(c)->genesis, 1, HL, fp);
	fputc(0, fp);
	fclose(fp);
	assert_int_equal(spv_chain_import_file(c, &r, tpath("partial.bin")), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_PARSE);
	assert_int_equal(r.fail_index, 1);
	assert_int_equal(r.duplicates, 1);
	spv_chain_free(c);
	spv_chain_free(NULL);

	/* a store of another network, a locked store, a file that is not a store */
	assert_int_equal(spv_chain_open(&c, KB_NET_REGTEST, tpath("net.dat"), NULL, err, sizeof err), KB_OK);
	struct spv_chain *c2 = NULL;
	assert_int_equal(spv_chain_open(&c2, KB_NET_REGTEST, tpath("net.dat"), NULL, err, sizeof err), KB_ELOCKED);
	assert_null(c2);
	spv_chain_free(c);
	assert_int_equal(spv_chain_open(&c, KB_NET_MAIN, tpath("net.dat"), NULL, err, sizeof err), KB_ENETWORK);
	fp = fopen(tpath("junk.dat"), "wb");
	for (int i = 0; i < 5000; i++)
		fputc(i * 7, fp);
	fclose(fp);
	assert_int_equal(spv_chain_open(&c, KB_NET_REGTEST, tpath("junk.dat"), NULL, err, sizeof err), KB_ECHECKSUM);
	assert_true(strlen(err) > 0);

	/* every reason has a name */
	for (int i = 0; i < SPV_HDR_REASON_COUNT; i++)
		assert_string_not_equal(spv_hdr_reason_str((enum spv_hdr_reason)i), "unknown reason");
	assert_string_equal(spv_hdr_reason_str((enum spv_hdr_reason)99), "unknown reason");
	assert_true(spv_hdr_reason_is_invalid(SPV_HDR_BAD_POW));
	assert_false(spv_hdr_reason_is_invalid(SPV_HDR_TIME_TOO_NEW));
	assert_false(spv_hdr_reason_is_invalid(SPV_HDR_ORPHAN));
}

/* ---- fork choice ---- */

static void test_most_work_not_longest(void **state)
{
	(void)state;
	easy_init(WORK);
	struct br lng, shrt;
	br_init(&lng);
	br_init(&shrt);
	br_extend(&lng, 40, 4, 1000);      /* slow: stays at the limit, 40 low-work headers */
	br_extend(&shrt, 24, 0, 2000);     /* fast: 4x harder from height 16 */
	assert_true(get32(shrt.h[16], SPV_HEADER_OFF_BITS) != get32(lng.h[16], SPV_HEADER_OFF_BITS));

	/* longer first, then the shorter with more work: reorganise to it */
	struct changes ch = {0};
	struct spv_chain *c = open_easy(NULL, 0, &ch);
	struct spv_chain_result r;
	assert_int_equal(feed(c, &r, &lng, 1, 40), KB_OK);
	assert_tip(c, &lng, 40);
	assert_int_equal(ch.calls, 1);
	assert_int_equal(ch.last.fork_height, 0);
	assert_int_equal(ch.last.new_tip_height, 40);
	assert_int_equal(feed(c, &r, &shrt, 1, 24), KB_OK);
	assert_int_equal(r.accepted, 24);
	assert_true(r.tip_changed);
	assert_tip(c, &shrt, 24);
	assert_matches(c, &shrt, 24);
	assert_int_equal(ch.calls, 2);
	assert_int_equal(ch.last.fork_height, 0);
	assert_int_equal(ch.last.old_tip_height, 40);
	assert_int_equal(ch.last.new_tip_height, 24);
	/* the old branch is kept aside */
	assert_int_equal(spv_chain_side_count(c), 40);
	bool in_main = true;
	uint32_t height;
	struct hash256 hh;
	br_hash(&lng, 40, &hh);
	assert_int_equal(spv_chain_find(c, NULL, &height, &in_main, &hh), KB_OK);
	assert_false(in_main);
	assert_int_equal(height, 40);
	spv_chain_free(c);

	/* shorter-with-more-work first: the longer one never wins */
	ch.calls = 0;
	c = open_easy(NULL, 0, &ch);
	assert_int_equal(feed(c, &r, &shrt, 1, 24), KB_OK);
	assert_int_equal(feed(c, &r, &lng, 1, 40), KB_OK);
	assert_int_equal(r.accepted, 40);
	assert_false(r.tip_changed);
	assert_tip(c, &shrt, 24);
	assert_int_equal(ch.calls, 1);
	struct u256 w_short, w_long;
	spv_chain_tip_work(c, &w_short);
	assert_int_equal(spv_chain_find(c, NULL, &height, &in_main, &hh), KB_OK);
	assert_false(in_main);
	(void)w_long;
	spv_chain_free(c);

	/* equal work: the first seen stays */
	struct br t1, t2;
	br_init(&t1);
	br_init(&t2);
	br_extend(&t1, 5, 1, 3000);
	br_extend(&t2, 5, 1, 4000);
	c = open_easy(NULL, 0, NULL);
	assert_int_equal(feed(c, &r, &t1, 1, 5), KB_OK);
	assert_int_equal(feed(c, &r, &t2, 1, 5), KB_OK);
	assert_tip(c, &t1, 5);
	/* one more on t2: now it has more work */
	br_extend(&t2, 1, 1, 4000);
	assert_int_equal(feed(c, &r, &t2, 6, 6), KB_OK);
	assert_tip(c, &t2, 6);
	spv_chain_free(c);
	br_free(&t1);
	br_free(&t2);
	br_free(&lng);
	br_free(&shrt);
}

/* A reorganisation there and back again, persisted across a restart. */
static void test_reorg_and_back(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a, b;
	br_init(&a);
	br_extend(&a, 100, 600, 100);
	br_copy(&b, &a, 50);
	br_extend(&b, 60, 600, 200000);
	unlink(tpath("reorg.dat"));
	struct changes ch = {0};
	struct spv_chain *c = open_easy(tpath("reorg.dat"), 0, &ch);
	struct spv_chain_result r;
	assert_int_equal(feed(c, &r, &a, 1, 100), KB_OK);
	/* b in batches as a peer would send it */
	assert_int_equal(feed(c, &r, &b, 51, 80), KB_OK);
	assert_tip(c, &a, 100);
	assert_int_equal(feed(c, &r, &b, 81, 110), KB_OK);
	assert_tip(c, &b, 110);
	assert_int_equal(ch.last.fork_height, 50);
	assert_int_equal(ch.last.old_tip_height, 100);
	assert_int_equal(ch.last.new_tip_height, 110);
	/* a comes back */
	br_extend(&a, 20, 600, 100);
	assert_int_equal(feed(c, &r, &a, 101, 120), KB_OK);
	assert_tip(c, &a, 120);
	assert_int_equal(ch.last.fork_height, 50);
	assert_int_equal(ch.last.old_tip_height, 110);
	assert_matches(c, &a, 120);
	spv_chain_free(c);
	c = open_easy(tpath("reorg.dat"), 0, NULL);
	assert_tip(c, &a, 120);
	assert_matches(c, &a, 120);
	spv_chain_free(c);
	br_free(&a);
	br_free(&b);
}

/* Deeper than the in-memory window: the store is cut back and rewritten. */
static void test_deep_reorg(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a, b;
	br_init(&a);
	br_extend(&a, 5000, 600, 7);
	br_copy(&b, &a, 100);
	br_extend(&b, 5000, 600, 900000);
	unlink(tpath("deep.dat"));
	struct changes ch = {0};
	struct spv_chain *c = open_easy(tpath("deep.dat"), 0, &ch);
	struct spv_chain_result r;
	for (size_t h = 1; h <= 5000; h += 2000)
		assert_int_equal(feed(c, &r, &a, h, h + 1999 > 5000 ? 5000 : h + 1999), KB_OK);
	for (size_t h = 101; h <= 5100; h += 2000)
		assert_int_equal(feed(c, &r, &b, h, h + 1999 > 5100 ? 5100 : h + 1999), KB_OK);
	assert_tip(c, &b, 5100);
	assert_int_equal(ch.last.fork_height, 100);
	assert_int_equal(ch.last.old_tip_height, 5000);
	assert_matches(c, &b, 5100);
	struct u256 w1, w2;
	assert_int_equal(spv_chain_work_at(c, &w1, 100), KB_OK);
	spv_chain_free(c);
	c = open_easy(tpath("deep.dat"), 0, NULL);
	assert_tip(c, &b, 5100);
	assert_int_equal(spv_chain_work_at(c, &w2, 100), KB_OK);
	assert_int_equal(u256_cmp(&w1, &w2), 0);
	spv_chain_free(c);
	br_free(&a);
	br_free(&b);
}

static void test_checkpoints(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a, fork_low, fork_cp, fork_ok;
	br_init(&a);
	br_extend(&a, 30, 600, 10);
	easy_cp[1].height = 20;
	br_hash(&a, 20, &easy_cp[1].hash);
	easy_set.n_cp = 2;
	br_copy(&fork_low, &a, 10);
	br_extend(&fork_low, 15, 600, 5000);
	br_copy(&fork_ok, &a, 25);
	br_extend(&fork_ok, 8, 600, 6000);
	br_copy(&fork_cp, &a, 12);
	br_extend(&fork_cp, 10, 600, 7000);

	struct spv_chain *c = open_easy(NULL, 0, NULL);
	struct spv_chain_result r;
	assert_int_equal(feed(c, &r, &a, 1, 30), KB_OK);
	/* a fork below the checkpoint the chain has passed is refused */
	assert_int_equal(feed(c, &r, &fork_low, 11, 25), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_FORK_BELOW_CHECKPOINT);
	assert_int_equal(r.fail_height, 11);
	/* above it, forks are fine */
	assert_int_equal(feed(c, &r, &fork_ok, 26, 33), KB_OK);
	assert_tip(c, &fork_ok, 33);
	spv_chain_free(c);

	/* before the chain reaches it, a branch must still match it */
	c = open_easy(NULL, 0, NULL);
	assert_int_equal(feed(c, &r, &a, 1, 15), KB_OK);
	assert_int_equal(feed(c, &r, &fork_cp, 13, 22), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_CHECKPOINT);
	assert_int_equal(r.fail_height, 20);
	assert_int_equal(r.accepted, 7);
	assert_tip(c, &fork_cp, 19);
	spv_chain_free(c);
	easy_set.n_cp = 1;
	br_free(&a);
	br_free(&fork_low);
	br_free(&fork_cp);
	br_free(&fork_ok);
}

static void test_side_cap(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a;
	br_init(&a);
	br_extend(&a, 40, 600, 10);
	struct spv_chain *c = open_easy(NULL, 8, NULL);
	struct spv_chain_result r;
	assert_int_equal(feed(c, &r, &a, 1, 40), KB_OK);
	/* one-header forks at heights 11..30: each new one has more work than the oldest */
	for (size_t h = 10; h < 30; h++) {
		struct br f;
		br_copy(&f, &a, h);
		br_extend(&f, 1, 600, 50000 + (uint32_t)h);
		assert_int_equal(feed(c, &r, &f, h + 1, h + 1), KB_OK);
		assert_true(spv_chain_side_count(c) <= 8);
		br_free(&f);
	}
	assert_int_equal(spv_chain_side_count(c), 8);
	/* a newcomer with less work than every held leaf is refused */
	struct br low;
	br_copy(&low, &a, 5);
	br_extend(&low, 1, 600, 70000);
	assert_int_equal(feed(c, &r, &low, 6, 6), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_SIDE_LIMIT);
	assert_false(spv_hdr_reason_is_invalid(r.reason));
	assert_int_equal(spv_chain_side_count(c), 8);
	assert_tip(c, &a, 40);
	/* a growing branch that outgrows the main chain still wins through the cap */
	struct br big;
	br_copy(&big, &a, 35);
	br_extend(&big, 7, 600, 80000);
	assert_int_equal(feed(c, &r, &big, 36, 42), KB_OK);
	assert_tip(c, &big, 42);
	assert_true(spv_chain_side_count(c) <= 8);
	spv_chain_free(c);
	br_free(&low);
	br_free(&big);
	br_free(&a);
}

/* testnet3's rule: after 20 minutes min difficulty, then back to the walked-back bits. */
static void test_min_difficulty(void **state)
{
	(void)state;
	const uint32_t G = 0x2000ffff;
	easy_init(MINDIFF);
	const uint32_t L = easy.pow_limit_bits;
	struct spv_chain *c = open_easy(NULL, 0, NULL);
	struct spv_chain_result r;
	uint8_t h[8][HL], bad[HL];
	uint32_t t = T0;
	/* spacing is 1 s here, so "20 minutes" (two spacings) is 2 s */
	mine(h[1], easy.genesis, t += 1, G, 1, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, h[1], 1), KB_OK);
	/* two spacings and a second later: min difficulty is required, not just allowed */
	mine(bad, h[1], t + 3, G, 2, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, bad, 1), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_BAD_BITS);
	mine(h[2], h[1], t += 3, L, 2, &easy.pow_limit);
	mine(h[3], h[2], t += 3, L, 3, &easy.pow_limit);
	mine(h[4], h[3], t += 3, L, 4, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, h[2], 3), KB_OK);
	/* a quick block after min-difficulty ones: the walk-back bits, not the limit */
	mine(bad, h[4], t + 1, L, 5, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, bad, 1), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_BAD_BITS);
	mine(h[5], h[4], t += 1, G, 5, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, h[5], 1), KB_OK);
	assert_int_equal(spv_chain_height(c), 5);
	spv_chain_free(c);
}

/* BIP94: retarget from the first block's bits; the timewarp rule. */
static void test_bip94(void **state)
{
	(void)state;
	const uint32_t G = 0x1f0fffff;
	easy_init(BIP94);
	const uint32_t L = easy.pow_limit_bits;
	struct spv_chain *c = open_easy(NULL, 0, NULL);
	struct spv_chain_result r;
	uint8_t h[EASY_INTERVAL + 1][HL], bad[HL];
	memcpy(h[0], easy.genesis, HL);
	uint32_t t = T0;
	for (int i = 1; i < EASY_INTERVAL; i++) {
		/* the period's last block is a min-difficulty one */
		bool last = i == EASY_INTERVAL - 1;
		t += last ? 1500 : 100;
		mine(h[i], h[i - 1], t, last ? L : G, (uint32_t)i, &easy.pow_limit);
	}
	assert_int_equal(spv_chain_process_headers(c, &r, h[1], EASY_INTERVAL - 1), KB_OK);
	uint32_t want = wallet_pow_retarget(G, T0, t, &easy.pow_limit, easy.target_timespan);
	uint32_t legacy = wallet_pow_retarget(L, T0, t, &easy.pow_limit, easy.target_timespan);
	assert_true(want != legacy);
	mine(bad, h[EASY_INTERVAL - 1], t + 600, legacy, 99, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, bad, 1), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_BAD_BITS);
	/* more than 600 s before its parent (but above median time): timewarp */
	mine(bad, h[EASY_INTERVAL - 1], t - SPV_MAX_TIMEWARP - 1, want, 98, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, bad, 1), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_TIMEWARP);
	mine(h[EASY_INTERVAL], h[EASY_INTERVAL - 1], t - SPV_MAX_TIMEWARP, want, 97, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, h[EASY_INTERVAL], 1), KB_OK);
	assert_int_equal(spv_chain_height(c), EASY_INTERVAL);
	spv_chain_free(c);
}

static void test_time_rules(void **state)
{
	(void)state;
	easy_init(FLAT);
	int64_t now = T0 + 100000;
	struct spv_chain_opts o = {0};
	o.clock = clock_fn;
	o.clock_arg = &now;
	struct spv_chain *c = NULL;
	assert_int_equal(spv_chain_open_params(&c, &easy, NULL, &o, NULL, 0), KB_OK);
	struct spv_chain_result r;
	uint8_t h[HL];
	mine(h, easy.genesis, (uint32_t)(now + SPV_MAX_FUTURE_BLOCK_TIME + 1), 0x207fffff, 1, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, h, 1), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_TIME_TOO_NEW);
	assert_false(spv_hdr_reason_is_invalid(r.reason));
	/* time moves on: the same header becomes acceptable */
	now += 2;
	assert_int_equal(spv_chain_process_headers(c, &r, h, 1), KB_OK);
	/* at the median time past (of genesis and this one): too old */
	uint8_t old[HL];
	int64_t mtp = spv_chain_tip_mtp(c);
	mine(old, h, (uint32_t)mtp, 0x207fffff, 2, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, old, 1), KB_ECONSENSUS);
	assert_int_equal(r.reason, SPV_HDR_TIME_TOO_OLD);
	mine(old, h, (uint32_t)mtp + 1, 0x207fffff, 2, &easy.pow_limit);
	assert_int_equal(spv_chain_process_headers(c, &r, old, 1), KB_OK);
	spv_chain_free(c);
}

static void test_locator(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a, f;
	br_init(&a);
	br_extend(&a, 100, 600, 1);
	br_copy(&f, &a, 90);
	br_extend(&f, 3, 600, 99999);
	struct spv_chain *c = open_easy(NULL, 0, NULL);
	struct spv_chain_result r;
	assert_int_equal(feed(c, &r, &a, 1, 100), KB_OK);
	assert_int_equal(feed(c, &r, &f, 91, 93), KB_OK);
	struct hash256 loc[SPV_CHAIN_MAX_LOCATOR], want;
	size_t n = spv_chain_locator(c, loc, SPV_CHAIN_MAX_LOCATOR);
	/* 100..90, then steps 2, 4, 8, 16, 32, then genesis (Core's GetLocator) */
	static const size_t heights[] = {100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 87, 83, 75, 59, 27, 0};
	assert_int_equal(n, sizeof heights / sizeof heights[0]);
	for (size_t i = 0; i < n; i++) {
		br_hash(&a, heights[i], &want);
		assert_memory_equal(loc[i].b, want.b, 32);
	}
	/* capped: still ends at genesis */
	n = spv_chain_locator(c, loc, 5);
	assert_int_equal(n, 5);
	br_hash(&a, 0, &want);
	assert_memory_equal(loc[4].b, want.b, 32);
	/* from a side-branch header */
	struct hash256 from;
	br_hash(&f, 93, &from);
	n = spv_chain_locator_from(c, loc, SPV_CHAIN_MAX_LOCATOR, &from);
	assert_true(n > 11);
	assert_memory_equal(loc[0].b, from.b, 32);
	br_hash(&a, 90, &want);
	assert_memory_equal(loc[3].b, want.b, 32);
	spv_chain_free(c);
	br_free(&a);
	br_free(&f);
}

/* ---- crash safety ---- */

static off_t fsize(const char *p)
{
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	return st.st_size;
}

static void test_crash_tails(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a;
	br_init(&a);
	br_extend(&a, 5300, 60, 3);
	const char *p = tpath("crash.dat");
	char path[512];
	snprintf(path, sizeof path, "%s", p);
	unlink(path);
	struct spv_chain *c = open_easy(path, 0, NULL);
	struct spv_chain_result r;
	for (size_t h = 1; h <= 5000; h += 500)
		assert_int_equal(feed(c, &r, &a, h, h + 499), KB_OK);
	spv_chain_free(c);
	off_t size = fsize(path);
	assert_int_equal(size, 4096 + 5001 * HL);

	/* a crash mid-record: the partial record is cut, the rest loads */
	assert_int_equal(truncate(path, size - 37), 0);
	c = open_easy(path, 0, NULL);
	assert_tip(c, &a, 4999);
	spv_chain_free(c);
	assert_int_equal(fsize(path), 4096 + 5000 * HL);

	/* a garbled last record */
	int fd = open(path, O_RDWR);
	uint8_t junk[50];
	memset(junk, 0xaa, sizeof junk);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 4096 + 5000 * HL - 50), 50);
	close(fd);
	c = open_easy(path, 0, NULL);
	assert_tip(c, &a, 4998);
	spv_chain_free(c);

	/* both commit slots garbled: everything is re-validated from the base */
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 1024 + 20), 50);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 2048 + 20), 50);
	close(fd);
	c = open_easy(path, 0, NULL);
	assert_tip(c, &a, 4998);
	assert_matches(c, &a, 4998);
	spv_chain_free(c);

	/* written but never committed (the process died before the commit): re-validated and kept */
	fd = open(path, O_RDWR | O_APPEND);
	assert_int_equal(write(fd, a.h[4999], 102 * HL), 102 * HL);
	close(fd);
	c = open_easy(path, 0, NULL);
	assert_tip(c, &a, 5100);
	/* restart resumes: the next batch connects */
	assert_int_equal(feed(c, &r, &a, 5101, 5200), KB_OK);
	spv_chain_free(c);
	c = open_easy(path, 0, NULL);
	assert_tip(c, &a, 5200);
	spv_chain_free(c);

	/* an uncommitted tail that is invalid is cut off at the first bad header */
	fd = open(path, O_RDWR | O_APPEND);
	uint8_t bad[HL];
	memcpy(bad, a.h[5201], HL);
	bad[SPV_HEADER_OFF_TIME] ^= 0x10;
	assert_int_equal(write(fd, bad, HL), HL);
	assert_int_equal(write(fd, a.h[5202], HL), HL);
	close(fd);
	c = open_easy(path, 0, NULL);
	struct hash256 bh, th;
	spv_header_hash_raw(&bh, bad);
	spv_chain_tip(c, &th, NULL, NULL);
	if (memcmp(th.b, bh.b, 32) == 0) {
		/* the flipped time bit may still leave valid proof of work on easy params */
		assert_int_equal(spv_chain_height(c), 5201);
	} else {
		assert_tip(c, &a, 5200);
	}
	spv_chain_free(c);

	/* a committed record garbled among the recent ones (disk damage, not a crash): detected */
	fd = open(path, O_RDWR);
	uint8_t t4[4] = {0x01, 0x02, 0x03, 0x04};
	assert_int_equal(pwrite(fd, t4, 4, 4096 + 5150 * HL + SPV_HEADER_OFF_TIME), 4);
	close(fd);
	c = open_easy(path, 0, NULL);
	assert_true(spv_chain_height(c) == 5149 || spv_chain_height(c) == 5150);
	assert_matches(c, &a, 5149);
	spv_chain_free(c);
	br_free(&a);
}

/* A child writes headers while the parent kills it with SIGKILL at random moments. */
static void test_kill9(void **state)
{
	(void)state;
	easy_init(FLAT);
	struct br a;
	br_init(&a);
	br_extend(&a, 60000, 30, 11);
	char path[512];
	snprintf(path, sizeof path, "%s", tpath("kill9.dat"));
	unlink(path);
	unsigned seed = (unsigned)time(NULL);
	printf("# kill -9 test seed %u\n", seed);
	srandom(seed);
	uint32_t last = 0;
	int rounds = 0;
	for (; rounds < 12 && last < 60000; rounds++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct spv_chain *c = NULL;
			struct spv_chain_opts o = {0};
			o.clock = clock_fn;
			o.clock_arg = &far_future;
			if (spv_chain_open_params(&c, &easy, path, &o, NULL, 0) != KB_OK)
				_exit(3);
			for (;;) {
				uint32_t h = spv_chain_height(c);
				if (h >= 60000)
					break;
				size_t n = 60000 - h < 700 ? 60000 - h : 700;
				struct spv_chain_result r;
				if (spv_chain_process_headers(c, &r, a.h[h + 1], n) != KB_OK)
					_exit(4);
			}
			spv_chain_free(c);
			_exit(0);
		}
		struct timespec ts = {0, (long)(random() % 40000) * 1000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		assert_false(WIFEXITED(st) && WEXITSTATUS(st) != 0);
		struct spv_chain *c = open_easy(path, 0, NULL);
		uint32_t h = spv_chain_height(c);
		assert_true(h >= last);
		assert_tip(c, &a, h);
		last = h;
		spv_chain_free(c);
	}
	printf("# %d kills, chain loaded each time, reached %u\n", rounds, last);
	br_free(&a);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/koban-test-chain-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "%s", tmpdir);
	/* remove our files: a few known names */
	static const char *const names[] = {"net.dat", "junk.dat", "partial.bin", "reorg.dat",
	                                    "deep.dat", "crash.dat", "kill9.dat", "kill9.dat.tmp"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(tpath(names[i]));
	rmdir(cmd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_most_work_not_longest),
		cmocka_unit_test(test_reorg_and_back),
		cmocka_unit_test(test_deep_reorg),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_side_cap),
		cmocka_unit_test(test_min_difficulty),
		cmocka_unit_test(test_bip94),
		cmocka_unit_test(test_time_rules),
		cmocka_unit_test(test_locator),
		cmocka_unit_test(test_crash_tails),
		cmocka_unit_test(test_kill9),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
