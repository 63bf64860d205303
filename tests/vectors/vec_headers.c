/*
 * Real header chains (tests/data/chain): each file accepted in full through
 * spv_chain_import_file, every historical mainnet retarget recomputed, the
 * chain work matched where the data gives it, and every single-field
 * corruption of real headers refused with the right reason.
 */
#include "tests/support/testsupport.h"

#include "spv/chain.h"
#include "spv/header.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/pow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct file_case {
	enum kb_net net;
	const char *file;
	uint32_t first;     /* height of the file's first header */
	uint32_t last;
	uint32_t base;      /* expected store base after import */
};

static const struct file_case files[] = {
	{KB_NET_MAIN, "chain/mainnet_headers_0_10236.bin", 0, 10236, 0},
	/* 586656 = 291*2016 is an embedded bitcoinj anchor; the file starts right after it */
	{KB_NET_MAIN, "chain/mainnet_headers_586657_589289.bin", 586657, 589289, 586656},
	{KB_NET_TEST3, "chain/testnet3_headers_0_35141.bin", 0, 35141, 0},
	{KB_NET_SIGNET, "chain/signet_headers_0_2015.bin", 0, 2015, 0},
};

static int64_t fixed_clock(void *arg)
{
	return *(const int64_t *)arg;
}

static struct spv_chain *open_mem_at(enum kb_net net, int64_t *clock, int64_t birthday)
{
	struct spv_chain *c = NULL;
	struct spv_chain_opts o = {0};
	o.birthday = birthday;
	if (clock) {
		o.clock = fixed_clock;
		o.clock_arg = clock;
	}
	char err[160];
	assert_int_equal(spv_chain_open(&c, net, NULL, &o, err, sizeof err), KB_OK);
	return c;
}

static struct spv_chain *open_mem(enum kb_net net, int64_t *clock)
{
	return open_mem_at(net, clock, 0);
}

/* A birthday that makes a new store start at the anchor that is the parent of raw. */
static int64_t birthday_for(enum kb_net net, const uint8_t *raw)
{
	struct hash256 prev;
	memcpy(prev.b, raw + SPV_HEADER_OFF_PREV, 32);
	const struct spv_chainparams *p = spv_chainparams_get(net);
	const struct spv_anchor *a = spv_chainparams_anchor_by_hash(p, &prev);
	if (!a || a + 1 >= p->checkpoints->anchors + p->checkpoints->n_anchors)
		return 0;
	/* the store starts one period before the newest anchor old enough: take the next one's time */
	return (int64_t)spv_header_raw_u32(a[1].header, SPV_HEADER_OFF_TIME) + SPV_MAX_FUTURE_BLOCK_TIME;
}

static void test_import_files(void **state)
{
	(void)state;
	struct vec v;
	vec_start(&v, "chain/import");
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const struct file_case *f = &files[i];
		struct spv_chain *c = open_mem(f->net, NULL);
		struct spv_chain_result r;
		enum kb_rc rc = spv_chain_import_file(c, &r, ts_data_path(f->file));
		size_t len;
		uint8_t *raw = ts_read_file(f->file, &len);
		size_t n = len / SPV_HEADER_LEN;
		size_t want_new = f->first == 0 ? n - 1 : n; /* genesis is already there */
		if (rc != KB_OK || r.reason != SPV_HDR_OK)
			vec_fail(&v, i, "%s: stopped at index %zu height %u: %s", f->file, r.fail_index,
			         r.fail_height, spv_hdr_reason_str(r.reason));
		if (r.accepted != want_new)
			vec_fail(&v, i, "%s: accepted %zu of %zu", f->file, r.accepted, want_new);
		if (spv_chain_height(c) != f->last || spv_chain_base_height(c) != f->base)
			vec_fail(&v, i, "%s: tip %u base %u", f->file, spv_chain_height(c),
			         spv_chain_base_height(c));
		struct hash256 tip, want;
		spv_chain_tip(c, &tip, NULL, NULL);
		spv_header_hash_raw(&want, raw + (n - 1) * SPV_HEADER_LEN);
		if (memcmp(tip.b, want.b, 32) != 0)
			vec_fail(&v, i, "%s: tip hash differs from the file's last header", f->file);
		/* every stored header reads back as the file has it */
		for (size_t k = 0; k < n; k += 997) {
			struct spv_header h;
			uint8_t back[SPV_HEADER_LEN];
			if (spv_chain_header_at(c, &h, f->first + (uint32_t)k) != KB_OK) {
				vec_fail(&v, i, "%s: height %zu unreadable", f->file, f->first + k);
				break;
			}
			spv_header_serialize(&h, back);
			if (memcmp(back, raw + k * SPV_HEADER_LEN, SPV_HEADER_LEN) != 0)
				vec_fail(&v, i, "%s: height %zu differs", f->file, f->first + k);
		}
		/* importing again: all known, nothing new */
		rc = spv_chain_import_file(c, &r, ts_data_path(f->file));
		if (rc != KB_OK || r.accepted != 0)
			vec_fail(&v, i, "%s: re-import accepted %zu (%s)", f->file, r.accepted,
			         spv_hdr_reason_str(r.reason));
		kb_free(raw);
		spv_chain_free(c);
		vec_case_end(&v);
	}
	vec_finish(&v);
}

static uint32_t hex_u32(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 16);
}

/* Every mainnet retarget in the boundary file, and chain work where our imports reach. */
static void test_retargets_and_work(void **state)
{
	(void)state;
	struct json *j = ts_load_json("chain/mainnet_retarget_boundary_headers.json");
	const struct json *hs = json_get(j, "headers");
	assert_non_null(hs);
	const struct spv_chainparams *p = spv_chainparams_get(KB_NET_MAIN);

	struct spv_chain *lo = open_mem(KB_NET_MAIN, NULL), *hi = open_mem(KB_NET_MAIN, NULL);
	struct spv_chain_result r;
	assert_int_equal(spv_chain_import_file(lo, &r, ts_data_path(files[0].file)), KB_OK);
	assert_int_equal(spv_chain_import_file(hi, &r, ts_data_path(files[1].file)), KB_OK);

	struct vec v;
	vec_start(&v, "chain/retarget-boundaries");
	size_t retargets = 0, works = 0, anchors = 0;
	for (size_t i = 0; i < hs->count; i++) {
		const struct json *e = json_at(hs, i);
		int64_t height, time;
		const char *hx = json_get_str(e, "header");
		if (!json_get_int64(e, "height", &height) || !json_get_int64(e, "time", &time) || !hx) {
			vec_fail(&v, i, "malformed entry");
			vec_case_end(&v);
			continue;
		}
		size_t n;
		uint8_t *raw = ts_unhex(hx, &n);
		struct spv_header h;
		if (spv_header_parse(&h, raw, n) != KB_OK) {
			vec_fail(&v, i, "header does not parse");
		} else {
			struct hash256 hash;
			spv_header_hash(&hash, &h);
			if (!wallet_pow_check(hash.b, h.bits, &p->pow_limit))
				vec_fail(&v, i, "height %lld: proof of work", (long long)height);
			if (h.bits != hex_u32(json_get_str(e, "bits")) || h.time != time)
				vec_fail(&v, i, "height %lld: fields differ from the JSON", (long long)height);
		}
		/* a retarget: entries (k-1)*2016, k*2016-1, k*2016 */
		if (height > 0 && height % 2016 == 0 && i >= 2) {
			const struct json *first = json_at(hs, i - 2), *last = json_at(hs, i - 1);
			int64_t fh, lh, ft, lt;
			if (!json_get_int64(first, "height", &fh) || !json_get_int64(last, "height", &lh) ||
			    fh != height - 2016 || lh != height - 1 || !json_get_int64(first, "time", &ft) ||
			    !json_get_int64(last, "time", &lt)) {
				vec_fail(&v, i, "height %lld: period entries missing", (long long)height);
			} else {
				uint32_t got = wallet_pow_retarget(hex_u32(json_get_str(last, "bits")), ft, lt,
				                                   &p->pow_limit, p->target_timespan);
				if (got != h.bits)
					vec_fail(&v, i, "height %lld: retarget 0x%08x, chain has 0x%08x",
					         (long long)height, got, h.bits);
				retargets++;
			}
		}
		/* chain work where one of the imported chains holds the height */
		const char *cw = json_get_str(e, "chainwork");
		struct spv_chain *c = NULL;
		if (height >= 0 && (uint32_t)height <= spv_chain_height(lo))
			c = lo;
		else if ((uint32_t)height >= spv_chain_base_height(hi) && (uint32_t)height <= spv_chain_height(hi))
			c = hi;
		if (c && cw) {
			struct u256 want, got;
			char gh[65];
			if (!u256_from_hex(&want, cw) || spv_chain_work_at(c, &got, (uint32_t)height) != KB_OK) {
				vec_fail(&v, i, "height %lld: work unavailable", (long long)height);
			} else if (u256_cmp(&want, &got) != 0) {
				u256_to_hex(&got, gh);
				vec_fail(&v, i, "height %lld: work %s, want %s", (long long)height, gh, cw);
			}
			struct hash256 hash, want_hash;
			spv_header_hash_raw(&want_hash, raw);
			if (spv_chain_hash_at(c, &hash, (uint32_t)height) != KB_OK ||
			    memcmp(hash.b, want_hash.b, 32) != 0)
				vec_fail(&v, i, "height %lld: stored hash differs", (long long)height);
			works++;
		}
		/* the embedded anchor at a period start: same header, same chain work */
		const struct spv_checkpoint_set *cs = p->checkpoints;
		for (size_t a = 0; cw && height > 0 && a < cs->n_anchors; a++) {
			if (cs->anchors[a].height != (uint32_t)height)
				continue;
			struct u256 want, got;
			uint8_t le[32];
			for (int b = 0; b < 32; b++)
				le[b] = cs->anchors[a].chainwork[31 - b];
			u256_from_le(&got, le);
			if (n != SPV_HEADER_LEN || memcmp(cs->anchors[a].header, raw, SPV_HEADER_LEN) != 0)
				vec_fail(&v, i, "height %lld: embedded anchor header differs", (long long)height);
			if (!u256_from_hex(&want, cw) || u256_cmp(&want, &got) != 0)
				vec_fail(&v, i, "height %lld: embedded anchor chain work differs", (long long)height);
			anchors++;
		}
		kb_free(raw);
		vec_case_end(&v);
	}
	vec_finish(&v);
	printf("# %zu retargets recomputed, %zu chain-work values matched, %zu embedded anchors "
	       "matched\n", retargets, works, anchors);
	assert_true(anchors >= 400);
	assert_int_equal(retargets, 413);
	assert_true(works >= 10);
	spv_chain_free(lo);
	spv_chain_free(hi);
	json_free(j);
}

/* ---- single-field corruptions ---- */

enum corrupt {
	C_BITS, C_TIME_MTP, C_TIME_FUTURE, C_PREV, C_NONCE, C_MERKLE, C_VERSION, C_COUNT
};
static const char *const corrupt_name[C_COUNT] = {
	"bits", "time<=mtp", "time-future", "prev", "nonce", "merkle", "version",
};

struct corrupt_case {
	size_t file;        /* index in files[] */
	uint32_t height;    /* header to corrupt */
	unsigned mask;      /* corruptions that apply here */
};

#define ALL_BUT_VERSION ((1u << C_BITS) | (1u << C_TIME_MTP) | (1u << C_TIME_FUTURE) | \
                         (1u << C_PREV) | (1u << C_NONCE) | (1u << C_MERKLE))
/* testnet3 times move the expected bits (20-minute rule), so time cases are mainnet/signet */
#define NO_TIME ((1u << C_BITS) | (1u << C_PREV) | (1u << C_NONCE) | (1u << C_MERKLE))

static const struct corrupt_case corrupt_cases[] = {
	{0, 1, ALL_BUT_VERSION},
	{0, 2016, ALL_BUT_VERSION},         /* a retarget boundary */
	{0, 4032, ALL_BUT_VERSION},
	{0, 10236, ALL_BUT_VERSION},
	{1, 586657, ALL_BUT_VERSION | (1u << C_VERSION)}, /* first after the anchor */
	{1, 586700, ALL_BUT_VERSION | (1u << C_VERSION)},
	{1, 588672, ALL_BUT_VERSION | (1u << C_VERSION)}, /* retarget after the anchor's period */
	{1, 589289, ALL_BUT_VERSION | (1u << C_VERSION)},
	{2, 546, NO_TIME},                  /* a Core checkpoint */
	{2, 30000, NO_TIME | (1u << C_VERSION)},
	{2, 35141, NO_TIME | (1u << C_VERSION)},
	{3, 100, ALL_BUT_VERSION | (1u << C_VERSION)},
	{3, 2015, ALL_BUT_VERSION | (1u << C_VERSION)},
};

static enum spv_hdr_reason expect_of(enum corrupt k)
{
	switch (k) {
	case C_BITS: return SPV_HDR_BAD_BITS;
	case C_TIME_MTP: return SPV_HDR_TIME_TOO_OLD;
	case C_TIME_FUTURE: return SPV_HDR_TIME_TOO_NEW;
	case C_PREV: return SPV_HDR_ORPHAN;
	case C_VERSION: return SPV_HDR_BAD_VERSION;
	default: return SPV_HDR_BAD_POW;
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void test_corruptions(void **state)
{
	(void)state;
	struct vec v;
	vec_start(&v, "chain/corruptions");
	size_t checked = 0;
	for (size_t i = 0; i < sizeof corrupt_cases / sizeof corrupt_cases[0]; i++) {
		const struct corrupt_case *cc = &corrupt_cases[i];
		const struct file_case *f = &files[cc->file];
		size_t len;
		uint8_t *raw = ts_read_file(f->file, &len);
		size_t idx = cc->height - f->first;
		uint8_t *target = raw + idx * SPV_HEADER_LEN;
		int64_t clock = (int64_t)spv_header_raw_u32(target, SPV_HEADER_OFF_TIME) + 3600;
		struct spv_chain *c = open_mem_at(f->net, &clock, f->first ? birthday_for(f->net, raw) : 0);
		if (spv_chain_base_height(c) + 1 != f->first && f->first != 0) {
			vec_fail(&v, i, "birthday did not select the anchor below %u", f->first);
			goto next;
		}
		/* the chain up to the header's parent, via a truncated copy of the file */
		char path[256];
		snprintf(path, sizeof path, "/tmp/koban-vec-headers-%d-%zu.bin", (int)getpid(), i);
		FILE *fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(raw, SPV_HEADER_LEN, idx, fp), idx);
		fclose(fp);
		struct spv_chain_result r;
		enum kb_rc rc = spv_chain_import_file(c, &r, path);
		remove(path);
		if (rc != KB_OK) {
			vec_fail(&v, i, "prefix import stopped: %s", spv_hdr_reason_str(r.reason));
			goto next;
		}
		if (spv_chain_height(c) + 1 != cc->height) {
			vec_fail(&v, i, "prefix tip %u", spv_chain_height(c));
			goto next;
		}
		int64_t mtp = spv_chain_tip_mtp(c);
		for (int k = 0; k < C_COUNT; k++) {
			if (!(cc->mask & (1u << k)))
				continue;
			uint8_t bad[SPV_HEADER_LEN];
			memcpy(bad, target, SPV_HEADER_LEN);
			uint32_t bits = spv_header_raw_u32(bad, SPV_HEADER_OFF_BITS);
			switch ((enum corrupt)k) {
			case C_BITS: put32(bad + SPV_HEADER_OFF_BITS, bits - 1); break;
			case C_TIME_MTP: put32(bad + SPV_HEADER_OFF_TIME, (uint32_t)mtp); break;
			case C_TIME_FUTURE:
				put32(bad + SPV_HEADER_OFF_TIME, (uint32_t)(clock + SPV_MAX_FUTURE_BLOCK_TIME + 1));
				break;
			case C_PREV: bad[SPV_HEADER_OFF_PREV + 5] ^= 0x01; break;
			case C_NONCE:
				put32(bad + SPV_HEADER_OFF_NONCE, spv_header_raw_u32(bad, SPV_HEADER_OFF_NONCE) + 1);
				break;
			case C_MERKLE: bad[SPV_HEADER_OFF_MERKLE] ^= 0x80; break;
			case C_VERSION: {
				const struct spv_chainparams *p = spv_chain_params(c);
				uint32_t vmin = cc->height >= p->bip65_height ? 4 : cc->height >= p->bip66_height ? 3 : 2;
				put32(bad + SPV_HEADER_OFF_VERSION, vmin - 1);
				break;
			}
			default: break;
			}
			if (idx == 0 && k == C_TIME_MTP) {
				/* just after an anchor there is no exact median: covered in test_chain */
				continue;
			}
			rc = spv_chain_process_headers(c, &r, bad, 1);
			if (rc != KB_ECONSENSUS || r.reason != expect_of((enum corrupt)k))
				vec_fail(&v, i, "height %u %s: got %s, want %s", cc->height, corrupt_name[k],
				         spv_hdr_reason_str(r.reason), spv_hdr_reason_str(expect_of((enum corrupt)k)));
			checked++;
		}
		/* the real header still connects: nothing was half-applied */
		rc = spv_chain_process_headers(c, &r, target, 1);
		if (rc != KB_OK || r.accepted != 1 || spv_chain_height(c) != cc->height)
			vec_fail(&v, i, "height %u: the real header was then refused: %s", cc->height,
			         spv_hdr_reason_str(r.reason));
		/* ... and in a batch after it, a corrupted prev is "not continuous" */
		if (idx + 1 < len / SPV_HEADER_LEN) {
			uint8_t two[2 * SPV_HEADER_LEN];
			memcpy(two, target, SPV_HEADER_LEN);
			memcpy(two + SPV_HEADER_LEN, target + SPV_HEADER_LEN, SPV_HEADER_LEN);
			two[SPV_HEADER_LEN + SPV_HEADER_OFF_PREV] ^= 0x40;
			rc = spv_chain_process_headers(c, &r, two, 2);
			if (rc != KB_ECONSENSUS || r.reason != SPV_HDR_NOT_CONTINUOUS || r.fail_index != 1 ||
			    r.duplicates != 1)
				vec_fail(&v, i, "height %u: batch prev: got %s at %zu", cc->height,
				         spv_hdr_reason_str(r.reason), r.fail_index);
		}
next:
		spv_chain_free(c);
		kb_free(raw);
		vec_case_end(&v);
	}
	vec_finish(&v);
	printf("# %zu corrupted headers refused with their reason\n", checked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_files),
		cmocka_unit_test(test_retargets_and_work),
		cmocka_unit_test(test_corruptions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
