/* The header chain: see spv/chain.h for the rules, storage and memory design. */
#include "spv/chain.h"

#include "wallet/mem.h"
#include "wallet/pow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAGIC "KOBANHDR"
#define FILE_FORMAT 1u
#define FIXED_LEN 88                  /* magic 8, format 4, net 4, base 4, pad 4, work 32, sum 32 */
#define SLOT_OFF0 1024
#define SLOT_OFF1 2048
#define SLOT_LEN 112                  /* magic 4, pad 4, seq 8, count 4, pad 4, hash 32, work 32, sum 24 */
#define REC_OFF 4096
#define HLEN SPV_HEADER_LEN
#define RING 4096u                    /* power of two, > interval + 11 */
#define WBUF_RECS 2048u
#define MAX_HEIGHT 0x7fffffffu
#define IMPORT_CHUNK 2000u
#define IMPORT_FLUSH_EVERY (1u << 18)
#define WORK_CACHE 64u
#define NO_SIDE (-1)

struct ringent {
	struct hash256 hash;
	struct u256 work;     /* cumulative */
	uint32_t time, bits, wbits;
};

struct side {
	uint8_t raw[HLEN];
	struct hash256 hash;
	struct u256 work;     /* cumulative */
	uint32_t height, time, bits, wbits;
	int32_t parent;       /* index in side[], or NO_SIDE: the main-chain header at height-1 */
	bool dead;
};

/* What validation needs of a header's parent. */
struct pctx {
	uint32_t height;
	int32_t side;         /* NO_SIDE: main chain */
	struct hash256 hash;
	struct u256 work;
	uint32_t time, bits, wbits;
};

struct workcache {
	uint32_t bits;
	bool used;
	struct u256 work;
};

struct spv_chain {
	const struct spv_chainparams *p;      /* static */
	char *path;                           /* owned; NULL for a memory store */
	int fd;
	uint32_t base;                        /* height of record 0 */
	struct u256 base_work;
	uint32_t n;                           /* main-chain records */
	uint32_t n_committed;                 /* records covered by the newest commit slot */
	uint32_t n_file;                      /* records written to the file; wbuf holds [n_file, n) */
	uint64_t seq;                         /* newest commit slot's sequence number */
	bool replay;                          /* re-validating records already in the file */

	struct ringent *ring;                 /* owned, RING entries, by height & (RING-1) */
	uint32_t ring_lo;                     /* heights [ring_lo, tip] are in the ring */

	uint32_t *prefix;                     /* owned: first 4 hash bytes of each record */
	uint32_t prefix_cap;
	uint32_t *tab;                        /* owned: open addressing, record index + 1 */
	uint32_t tab_mask;
	uint32_t tab_n;                       /* records [0, tab_n) are in tab; the rest are pending */

	uint8_t *wbuf;                        /* owned: WBUF_RECS records */

	struct side *side;                    /* owned */
	size_t nside, side_alloc, max_side;
	uint32_t *stab;                       /* owned: side index + 1 */
	uint32_t stab_mask;

	struct workcache wc[WORK_CACHE];

	spv_chain_clock_cb *clock;
	void *clock_arg;                      /* borrowed */
	spv_chain_change_cb *on_change;
	void *change_arg;                     /* borrowed */
	bool changed;
	uint32_t change_fork, change_old_tip;
};

/* ---- small helpers ---- */

static const char *const reason_str[SPV_HDR_REASON_COUNT] = {
	[SPV_HDR_OK] = "ok",
	[SPV_HDR_ORPHAN] = "orphan: previous header unknown",
	[SPV_HDR_NOT_CONTINUOUS] = "non-continuous: does not follow the previous header of the batch",
	[SPV_HDR_BAD_VERSION] = "bad-version: below the BIP34/66/65 minimum",
	[SPV_HDR_BAD_BITS] = "bad-diffbits: bits differ from the difficulty rules",
	[SPV_HDR_TIME_TOO_OLD] = "time-too-old: at or below median time past",
	[SPV_HDR_TIME_TOO_NEW] = "time-too-new: more than 2 hours in the future",
	[SPV_HDR_TIMEWARP] = "time-timewarp-attack: BIP94 period start too early",
	[SPV_HDR_BAD_POW] = "high-hash: proof of work does not meet its target",
	[SPV_HDR_CHECKPOINT] = "checkpoint-mismatch: hash differs from the checkpoint",
	[SPV_HDR_FORK_BELOW_CHECKPOINT] = "bad-fork-prior-to-checkpoint",
	[SPV_HDR_SIDE_LIMIT] = "side-branch cap reached",
	[SPV_HDR_PARSE] = "malformed: not whole 80-byte headers",
	[SPV_HDR_IO] = "storage error",
	[SPV_HDR_HEIGHT] = "height out of range",
};

const char *spv_hdr_reason_str(enum spv_hdr_reason r)
{
	if ((unsigned)r >= SPV_HDR_REASON_COUNT || !reason_str[r])
		return "unknown reason";
	return reason_str[r];
}

bool spv_hdr_reason_is_invalid(enum spv_hdr_reason r)
{
	switch (r) {
	case SPV_HDR_NOT_CONTINUOUS:
	case SPV_HDR_BAD_VERSION:
	case SPV_HDR_BAD_BITS:
	case SPV_HDR_TIME_TOO_OLD:
	case SPV_HDR_TIMEWARP:
	case SPV_HDR_BAD_POW:
	case SPV_HDR_CHECKPOINT:
	case SPV_HDR_FORK_BELOW_CHECKPOINT:
	case SPV_HDR_PARSE:
	case SPV_HDR_HEIGHT:
		return true;
	default:
		return false;
	}
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t le32(const uint8_t *p)
{
	return spv_header_raw_u32(p, 0);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool heq(const struct hash256 *a, const struct hash256 *b)
{
	return memcmp(a->b, b->b, 32) == 0;
}

static bool heq_raw(const struct hash256 *a, const uint8_t *b)
{
	return memcmp(a->b, b, 32) == 0;
}

static uint32_t tip_height(const struct spv_chain *c)
{
	return c->base + c->n - 1;
}

static const struct ringent *ring_at(const struct spv_chain *c, uint32_t h)
{
	return &c->ring[h & (RING - 1)];
}

static void work_of_bits(struct spv_chain *c, struct u256 *out, uint32_t bits)
{
	struct workcache *e = &c->wc[(bits ^ (bits >> 7) ^ (bits >> 17)) & (WORK_CACHE - 1)];
	if (!e->used || e->bits != bits) {
		struct u256 t;
		bool neg, ovf;
		u256_set_compact(&t, bits, &neg, &ovf);
		if (neg || ovf)
			u256_zero(&t);
		u256_work_from_target(&e->work, &t);
		e->bits = bits;
		e->used = true;
	}
	*out = e->work;
}

static int64_t now(const struct spv_chain *c)
{
	if (c->clock)
		return c->clock(c->clock_arg);
	return (int64_t)time(NULL);
}

/* ---- file I/O ---- */

static bool pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t w = pwrite(fd, p, len, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
		off += w;
	}
	return true;
}

static bool pread_all(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t r = pread(fd, p, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return true;
}

static off_t rec_off(uint32_t i)
{
	return (off_t)REC_OFF + (off_t)i * HLEN;
}

/* Record i (0 = base) of the main chain, from the write buffer or the file. */
static bool read_rec(const struct spv_chain *c, uint32_t i, uint8_t out[HLEN])
{
	KB_ASSERT(i < c->n);
	if (i >= c->n_file) {
		memcpy(out, c->wbuf + (size_t)(i - c->n_file) * HLEN, HLEN);
		return true;
	}
	return pread_all(c->fd, out, HLEN, rec_off(i));
}

static bool write_wbuf(struct spv_chain *c)
{
	uint32_t k = c->n - c->n_file;
	if (k == 0)
		return true;
	if (!pwrite_all(c->fd, c->wbuf, (size_t)k * HLEN, rec_off(c->n_file)))
		return false;
	c->n_file = c->n;
	return true;
}

static void fixed_encode(uint8_t out[FIXED_LEN], enum kb_net net, uint32_t base,
                         const struct u256 *base_work)
{
	memset(out, 0, FIXED_LEN);
	memcpy(out, FILE_MAGIC, 8);
	put32(out + 8, FILE_FORMAT);
	put32(out + 12, (uint32_t)net);
	put32(out + 16, base);
	u256_to_le(base_work, out + 24);
	wallet_hash_sha256(out + 56, out, 56);
}

static void slot_encode(uint8_t out[SLOT_LEN], uint64_t seq, uint32_t count,
                        const struct hash256 *tip, const struct u256 *work)
{
	uint8_t sum[32];
	memset(out, 0, SLOT_LEN);
	memcpy(out, "SLOT", 4);
	put64(out + 8, seq);
	put32(out + 16, count);
	memcpy(out + 24, tip->b, 32);
	u256_to_le(work, out + 56);
	wallet_hash_sha256(sum, out, 88);
	memcpy(out + 88, sum, 24);
}

static bool slot_decode(const uint8_t in[SLOT_LEN], uint64_t *seq, uint32_t *count,
                        struct hash256 *tip, struct u256 *work)
{
	uint8_t sum[32];
	if (memcmp(in, "SLOT", 4) != 0)
		return false;
	wallet_hash_sha256(sum, in, 88);
	if (memcmp(sum, in + 88, 24) != 0)
		return false;
	*seq = le64(in + 8);
	*count = le32(in + 16);
	memcpy(tip->b, in + 24, 32);
	u256_from_le(work, in + 56);
	return *count >= 1;
}

/* Commits count records with the given tip: the slot not holding the newest seq. */
static bool commit(struct spv_chain *c, uint32_t count, const struct hash256 *tip,
                   const struct u256 *work)
{
	uint8_t slot[SLOT_LEN];
	if (fdatasync(c->fd) != 0)
		return false;
	uint64_t seq = c->seq + 1;
	slot_encode(slot, seq, count, tip, work);
	if (!pwrite_all(c->fd, slot, SLOT_LEN, (seq & 1) ? SLOT_OFF1 : SLOT_OFF0))
		return false;
	if (fdatasync(c->fd) != 0)
		return false;
	c->seq = seq;
	c->n_committed = count;
	return true;
}

/* ---- main-chain index ---- */

static void tab_insert_raw(uint32_t *tab, uint32_t mask, uint32_t key, uint32_t val)
{
	uint32_t s = key & mask;
	while (tab[s] != 0)
		s = (s + 1) & mask;
	tab[s] = val;
}

#define TAB_PENDING 64u
#define PREFETCH_AHEAD 16u

static void tab_grow(struct spv_chain *c)
{
	uint32_t size = (c->tab_mask + 1) * 2;
	uint32_t *t = kb_calloc(size, sizeof *t);
	/* Re-inserting in record order keeps "delete the newest first" valid. */
	for (uint32_t i = 0; i < c->tab_n; i++) {
		if (i + PREFETCH_AHEAD < c->tab_n)
			__builtin_prefetch(&t[c->prefix[i + PREFETCH_AHEAD] & (size - 1)], 1);
		tab_insert_raw(t, size - 1, c->prefix[i], i + 1);
	}
	kb_free(c->tab);
	c->tab = t;
	c->tab_mask = size - 1;
}

/*
 * Inserts the pending records. Batched so that the random slot accesses
 * overlap (prefetch) instead of each waiting for memory in turn.
 */
static void tab_flush(struct spv_chain *c)
{
	/* load factor at most 3/4 */
	while ((uint64_t)c->n * 4 > (uint64_t)(c->tab_mask + 1) * 3)
		tab_grow(c);
	for (uint32_t i = c->tab_n; i < c->n; i++)
		__builtin_prefetch(&c->tab[c->prefix[i] & c->tab_mask], 1);
	for (uint32_t i = c->tab_n; i < c->n; i++)
		tab_insert_raw(c->tab, c->tab_mask, c->prefix[i], i + 1);
	c->tab_n = c->n;
}

/* Removes record i, which must be the newest one in the table. */
static void tab_remove(struct spv_chain *c, uint32_t i)
{
	if (i >= c->tab_n)
		return; /* still pending */
	KB_ASSERT(i + 1 == c->tab_n);
	uint32_t s = c->prefix[i] & c->tab_mask;
	while (c->tab[s] != i + 1) {
		KB_ASSERT(c->tab[s] != 0);
		s = (s + 1) & c->tab_mask;
	}
	c->tab[s] = 0;
	c->tab_n = i;
}

/* Called with c->n already counting record i. */
static void main_add_index(struct spv_chain *c, uint32_t i, const struct hash256 *hash)
{
	if (i >= c->prefix_cap) {
		uint32_t cap = c->prefix_cap ? c->prefix_cap * 2 : 4096;
		c->prefix = kb_realloc(c->prefix, (size_t)cap * sizeof *c->prefix);
		c->prefix_cap = cap;
	}
	c->prefix[i] = le32(hash->b);
	if (c->n - c->tab_n >= TAB_PENDING)
		tab_flush(c);
}

/* Hash of main-chain height h (base <= h <= tip). */
static bool main_hash(const struct spv_chain *c, uint32_t h, struct hash256 *out)
{
	if (h >= c->ring_lo && h <= tip_height(c)) {
		*out = ring_at(c, h)->hash;
		return true;
	}
	uint8_t raw[HLEN];
	if (h == tip_height(c)) {
		if (!read_rec(c, h - c->base, raw))
			return false;
		spv_header_hash_raw(out, raw);
		return true;
	}
	/* the next header names it */
	if (!read_rec(c, h + 1 - c->base, raw))
		return false;
	memcpy(out->b, raw + SPV_HEADER_OFF_PREV, 32);
	return true;
}

/* Record index of hash in the main chain, or -1. */
static int64_t main_find(const struct spv_chain *c, const struct hash256 *hash)
{
	uint32_t key = le32(hash->b);
	for (uint32_t i = c->tab_n; i < c->n; i++) {
		struct hash256 h;
		if (c->prefix[i] == key && main_hash(c, c->base + i, &h) && heq(&h, hash))
			return i;
	}
	for (uint32_t s = key & c->tab_mask; c->tab[s] != 0; s = (s + 1) & c->tab_mask) {
		uint32_t i = c->tab[s] - 1;
		if (c->prefix[i] != key)
			continue;
		struct hash256 h;
		if (main_hash(c, c->base + i, &h) && heq(&h, hash))
			return i;
	}
	return -1;
}

static uint32_t wbits_of(const struct spv_chain *c, uint32_t h, uint32_t bits,
                         uint32_t parent_wbits);

/* time, bits and walk-back bits of main height h. */
static bool main_tb(const struct spv_chain *c, uint32_t h, uint32_t *time, uint32_t *bits,
                    uint32_t *wbits)
{
	if (h >= c->ring_lo && h <= tip_height(c)) {
		const struct ringent *e = ring_at(c, h);
		*time = e->time;
		*bits = e->bits;
		if (wbits)
			*wbits = e->wbits;
		return true;
	}
	uint8_t raw[HLEN];
	if (!read_rec(c, h - c->base, raw))
		return false;
	*time = spv_header_raw_u32(raw, SPV_HEADER_OFF_TIME);
	*bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
	if (wbits) {
		uint32_t b = *bits, hh = h;
		while (hh > c->base && hh % c->p->interval != 0 && b == c->p->pow_limit_bits) {
			hh--;
			if (hh >= c->ring_lo && hh <= tip_height(c)) {
				b = ring_at(c, hh)->wbits;
				break;
			}
			if (!read_rec(c, hh - c->base, raw))
				return false;
			b = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
		}
		*wbits = b;
	}
	return true;
}

/* Cumulative work at main height h: from the ring, or back from its lowest entry. */
static bool main_work(struct spv_chain *c, uint32_t h, struct u256 *out)
{
	KB_ASSERT(c->ring_lo <= tip_height(c));
	if (h >= c->ring_lo) {
		*out = ring_at(c, h)->work;
		return true;
	}
	struct u256 w = ring_at(c, c->ring_lo)->work;
	uint8_t raw[HLEN];
	for (uint32_t k = c->ring_lo; k > h; k--) {
		struct u256 bw;
		if (!read_rec(c, k - c->base, raw))
			return false;
		work_of_bits(c, &bw, spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS));
		u256_sub(&w, &w, &bw);
	}
	*out = w;
	return true;
}

/*
 * Before the main chain is cut back to f below the ring: refills the ring
 * with the headers up to f (enough for median time and a retarget).
 */
static bool ring_reload(struct spv_chain *c, uint32_t f)
{
	uint32_t span = 2 * c->p->interval + SPV_MEDIAN_TIME_SPAN;
	if (span > RING - 1)
		span = RING - 1;
	uint32_t lo = f - c->base > span ? f - span : c->base;
	uint32_t cnt = f - lo + 1;
	struct u256 w;
	uint32_t t0, b0, wb;
	if (!main_work(c, f, &w) || !main_tb(c, lo, &t0, &b0, &wb))
		return false;
	uint8_t *buf = kb_malloc((size_t)(cnt + 1) * HLEN);
	bool ok = false;
	for (uint32_t j = 0; j <= cnt; j++)
		if (!read_rec(c, lo - c->base + j, buf + (size_t)j * HLEN))
			goto out;
	for (uint32_t j = 0; j < cnt; j++) {
		uint32_t h = lo + j;
		const uint8_t *raw = buf + (size_t)j * HLEN;
		struct ringent *e = &c->ring[h & (RING - 1)];
		memcpy(e->hash.b, raw + HLEN + SPV_HEADER_OFF_PREV, 32);
		e->time = spv_header_raw_u32(raw, SPV_HEADER_OFF_TIME);
		e->bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
		e->wbits = j == 0 ? wb : wbits_of(c, h, e->bits, wb);
		wb = e->wbits;
	}
	for (uint32_t j = cnt; j-- > 0;) {
		uint32_t h = lo + j;
		struct ringent *e = &c->ring[h & (RING - 1)];
		struct u256 bw;
		e->work = w;
		work_of_bits(c, &bw, e->bits);
		u256_sub(&w, &w, &bw);
	}
	c->ring_lo = lo;
	ok = true;
out:
	kb_free(buf);
	return ok;
}

/* ---- ancestors through side branches ---- */

static bool anc_tb(const struct spv_chain *c, int32_t side, uint32_t h, uint32_t *time,
                   uint32_t *bits, uint32_t *wbits)
{
	while (side != NO_SIDE) {
		const struct side *s = &c->side[side];
		if (s->height == h) {
			*time = s->time;
			*bits = s->bits;
			if (wbits)
				*wbits = s->wbits;
			return true;
		}
		KB_ASSERT(s->height > h);
		side = s->parent;
	}
	return main_tb(c, h, time, bits, wbits);
}

static bool anc_hash(const struct spv_chain *c, int32_t side, uint32_t h, struct hash256 *out)
{
	while (side != NO_SIDE) {
		const struct side *s = &c->side[side];
		if (s->height == h) {
			*out = s->hash;
			return true;
		}
		KB_ASSERT(s->height > h);
		side = s->parent;
	}
	return main_hash(c, h, out);
}

/*
 * Median time past of the parent: the median of its time and its 10
 * ancestors' (fewer near genesis, as Core). Above a non-genesis base with
 * fewer than 11 known, a lower bound of the true median (see chain.h).
 */
static bool mtp_of(const struct spv_chain *c, const struct pctx *par, int64_t *out)
{
	uint32_t t[SPV_MEDIAN_TIME_SPAN];
	size_t k = 0;
	uint32_t h = par->height;
	int32_t side = par->side;
	if (side == NO_SIDE && h == tip_height(c) && h >= c->ring_lo + SPV_MEDIAN_TIME_SPAN - 1) {
		for (; k < SPV_MEDIAN_TIME_SPAN; k++)
			t[k] = ring_at(c, h - (uint32_t)k)->time;
	} else {
		for (;;) {
			uint32_t bits;
			if (!anc_tb(c, side, h, &t[k], &bits, NULL))
				return false;
			k++;
			if (k == SPV_MEDIAN_TIME_SPAN || h == c->base)
				break;
			h--;
			while (side != NO_SIDE && c->side[side].height > h)
				side = c->side[side].parent;
		}
	}
	/* insertion sort: at most 11 */
	for (size_t i = 1; i < k; i++) {
		uint32_t v = t[i];
		size_t j = i;
		while (j > 0 && t[j - 1] > v) {
			t[j] = t[j - 1];
			j--;
		}
		t[j] = v;
	}
	if (k == SPV_MEDIAN_TIME_SPAN || c->base == 0) {
		*out = t[k / 2];
		return true;
	}
	size_t unknown = SPV_MEDIAN_TIME_SPAN - k;
	*out = unknown <= SPV_MEDIAN_TIME_SPAN / 2 ? (int64_t)t[SPV_MEDIAN_TIME_SPAN / 2 - unknown]
	                                          : INT64_MIN;
	return true;
}

/* GetNextWorkRequired for a child of par with the given time. */
static bool expected_bits(const struct spv_chain *c, const struct pctx *par, uint32_t time,
                          uint32_t *out)
{
	const struct spv_chainparams *p = c->p;
	uint32_t h = par->height + 1;
	if (h % p->interval != 0) {
		if (p->allow_min_difficulty) {
			if ((int64_t)time > (int64_t)par->time + p->target_spacing * 2)
				*out = p->pow_limit_bits;
			else
				*out = par->wbits;
		} else {
			*out = par->bits;
		}
		return true;
	}
	if (p->no_retargeting) {
		*out = par->bits;
		return true;
	}
	uint32_t first_h = h - p->interval;
	uint32_t ftime, fbits;
	if (first_h < c->base || !anc_tb(c, par->side, first_h, &ftime, &fbits, NULL))
		return false;
	uint32_t base_bits = p->enforce_bip94 ? fbits : par->bits;
	*out = wallet_pow_retarget(base_bits, ftime, par->time, &p->pow_limit, p->target_timespan);
	return true;
}

/* Highest checkpoint height the main chain has reached. */
static uint32_t cp_reached(const struct spv_chain *c)
{
	return spv_chainparams_checkpoint_below(c->p, tip_height(c))->height;
}

static enum spv_hdr_reason check_header(struct spv_chain *c, const uint8_t *raw,
                                        const struct hash256 *hash, const struct pctx *par)
{
	const struct spv_chainparams *p = c->p;
	if (par->height >= MAX_HEIGHT)
		return SPV_HDR_HEIGHT;
	uint32_t h = par->height + 1;
	bool fork = par->side != NO_SIDE || par->height != tip_height(c);
	if (fork && h < cp_reached(c))
		return SPV_HDR_FORK_BELOW_CHECKPOINT;

	int32_t version = (int32_t)spv_header_raw_u32(raw, SPV_HEADER_OFF_VERSION);
	if ((h >= p->bip34_height && version < 2) || (h >= p->bip66_height && version < 3) ||
	    (h >= p->bip65_height && version < 4))
		return SPV_HDR_BAD_VERSION;

	uint32_t time = spv_header_raw_u32(raw, SPV_HEADER_OFF_TIME);
	uint32_t bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
	uint32_t want;
	if (!expected_bits(c, par, time, &want))
		return SPV_HDR_IO;
	if (bits != want)
		return SPV_HDR_BAD_BITS;

	int64_t mtp;
	if (!mtp_of(c, par, &mtp))
		return SPV_HDR_IO;
	if ((int64_t)time <= mtp)
		return SPV_HDR_TIME_TOO_OLD;
	if ((int64_t)time > now(c) + SPV_MAX_FUTURE_BLOCK_TIME)
		return SPV_HDR_TIME_TOO_NEW;
	if (p->enforce_bip94 && h % p->interval == 0 &&
	    (int64_t)time < (int64_t)par->time - SPV_MAX_TIMEWARP)
		return SPV_HDR_TIMEWARP;

	if (!wallet_pow_check(hash->b, bits, &p->pow_limit))
		return SPV_HDR_BAD_POW;

	const struct spv_checkpoint *cp = spv_chainparams_checkpoint_at(p, h);
	if (cp && !heq(&cp->hash, hash))
		return SPV_HDR_CHECKPOINT;
	return SPV_HDR_OK;
}

/* ---- main-chain append / truncate ---- */

static uint32_t wbits_of(const struct spv_chain *c, uint32_t h, uint32_t bits,
                         uint32_t parent_wbits)
{
	if (h % c->p->interval == 0 || bits != c->p->pow_limit_bits || h == c->base)
		return bits;
	return parent_wbits;
}

static bool main_append(struct spv_chain *c, const uint8_t *raw, const struct hash256 *hash,
                        const struct u256 *work, uint32_t wbits)
{
	uint32_t i = c->n;
	uint32_t h = c->base + i;
	if (c->replay) {
		c->n_file = i + 1; /* the record is already in the file */
	} else {
		if (c->n - c->n_file == WBUF_RECS && !write_wbuf(c))
			return false;
		memcpy(c->wbuf + (size_t)(i - c->n_file) * HLEN, raw, HLEN);
	}
	c->n = i + 1;
	main_add_index(c, i, hash);
	struct ringent *e = &c->ring[h & (RING - 1)];
	e->hash = *hash;
	e->work = *work;
	e->time = spv_header_raw_u32(raw, SPV_HEADER_OFF_TIME);
	e->bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
	e->wbits = wbits;
	if (h - c->ring_lo >= RING)
		c->ring_lo = h - RING + 1;
	return true;
}

/* Keeps main heights <= f. The caller has committed a count <= f - base + 1 if needed. */
static bool main_truncate(struct spv_chain *c, uint32_t f)
{
	uint32_t keep = f - c->base + 1;
	KB_ASSERT(keep >= 1 && keep <= c->n);
	if (f < c->ring_lo && !ring_reload(c, f))
		return false;
	for (uint32_t i = c->n; i-- > keep;)
		tab_remove(c, i);
	if (keep < c->n_file) {
		c->n_file = keep;
		if (ftruncate(c->fd, rec_off(keep)) != 0)
			return false;
	}
	c->n = keep;
	return true;
}

static void note_change(struct spv_chain *c, uint32_t fork, uint32_t old_tip)
{
	if (!c->changed) {
		c->changed = true;
		c->change_fork = fork;
		c->change_old_tip = old_tip;
	} else if (fork < c->change_fork) {
		c->change_fork = fork;
	}
}

static void fire_change(struct spv_chain *c)
{
	if (!c->changed)
		return;
	c->changed = false;
	if (!c->on_change)
		return;
	struct spv_chain_change ch = {
		.fork_height = c->change_fork,
		.old_tip_height = c->change_old_tip,
		.new_tip_height = tip_height(c),
	};
	if (ch.fork_height == ch.new_tip_height && ch.fork_height == ch.old_tip_height)
		return;
	c->on_change(c->change_arg, &ch);
}

/* ---- side branches ---- */

static int64_t side_find(const struct spv_chain *c, const struct hash256 *hash)
{
	if (!c->stab)
		return -1;
	for (uint32_t s = le32(hash->b) & c->stab_mask; c->stab[s] != 0; s = (s + 1) & c->stab_mask) {
		uint32_t i = c->stab[s] - 1;
		if (heq(&c->side[i].hash, hash))
			return i;
	}
	return -1;
}

static int cmp_side_height(const void *a, const void *b)
{
	const struct side *x = a, *y = b;
	return x->height < y->height ? -1 : x->height > y->height;
}

/*
 * Drops dead nodes, nodes that can no longer win (below the highest
 * checkpoint reached) and nodes whose parent is gone; re-links the rest.
 */
static void side_rebuild(struct spv_chain *c)
{
	size_t k = 0;
	uint32_t cp = cp_reached(c);
	for (size_t i = 0; i < c->nside; i++)
		if (!c->side[i].dead && c->side[i].height >= cp && c->side[i].height > c->base)
			c->side[k++] = c->side[i];
	c->nside = k;
	qsort(c->side, c->nside, sizeof *c->side, cmp_side_height);
	memset(c->stab, 0, (size_t)(c->stab_mask + 1) * sizeof *c->stab);
	k = 0;
	for (size_t i = 0; i < c->nside; i++) {
		struct side s = c->side[i];
		struct hash256 prev;
		memcpy(prev.b, s.raw + SPV_HEADER_OFF_PREV, 32);
		int64_t pi = side_find(c, &prev);
		if (pi >= 0 && c->side[pi].height + 1 == s.height) {
			s.parent = (int32_t)pi;
		} else {
			int64_t mi = main_find(c, &prev);
			if (mi < 0 || c->base + (uint32_t)mi + 1 != s.height)
				continue;
			/* a child of the tip belongs to the main chain, not here */
			if (c->base + (uint32_t)mi == tip_height(c))
				continue;
			s.parent = NO_SIDE;
		}
		c->side[k] = s;
		tab_insert_raw(c->stab, c->stab_mask, le32(s.hash.b), (uint32_t)k + 1);
		k++;
	}
	c->nside = k;
}

/* Evicts the least-work leaf unless the newcomer (work) would be it. */
static bool side_make_room(struct spv_chain *c, const struct u256 *work, int32_t keep)
{
	bool *has_child = kb_calloc(c->nside ? c->nside : 1, sizeof *has_child);
	for (size_t i = 0; i < c->nside; i++)
		if (c->side[i].parent != NO_SIDE)
			has_child[c->side[i].parent] = true;
	int64_t worst = -1;
	for (size_t i = 0; i < c->nside; i++) {
		if (has_child[i] || (int32_t)i == keep)
			continue;
		if (worst < 0 || u256_cmp(&c->side[i].work, &c->side[worst].work) < 0)
			worst = (int64_t)i;
	}
	kb_free(has_child);
	if (worst < 0 || u256_cmp(work, &c->side[worst].work) <= 0)
		return false;
	c->side[worst].dead = true;
	side_rebuild(c);
	return true;
}

static int32_t side_push(struct spv_chain *c, const uint8_t *raw, const struct hash256 *hash,
                         uint32_t height, const struct u256 *work, uint32_t wbits, int32_t parent)
{
	if (c->nside == c->side_alloc) {
		size_t n = c->side_alloc ? c->side_alloc * 2 : 64;
		if (n > c->max_side)
			n = c->max_side;
		c->side = kb_realloc(c->side, n * sizeof *c->side);
		c->side_alloc = n;
	}
	if (!c->stab) {
		uint32_t size = 64;
		while (size < c->max_side * 2)
			size *= 2;
		c->stab = kb_calloc(size, sizeof *c->stab);
		c->stab_mask = size - 1;
	}
	struct side *s = &c->side[c->nside];
	memcpy(s->raw, raw, HLEN);
	s->hash = *hash;
	s->work = *work;
	s->height = height;
	s->time = spv_header_raw_u32(raw, SPV_HEADER_OFF_TIME);
	s->bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
	s->wbits = wbits;
	s->parent = parent;
	s->dead = false;
	tab_insert_raw(c->stab, c->stab_mask, le32(hash->b), (uint32_t)c->nside + 1);
	return (int32_t)c->nside++;
}

/* Makes the branch ending at side node tip the main chain. */
static enum spv_hdr_reason reorg(struct spv_chain *c, int32_t tip)
{
	/* the branch, top down */
	size_t d = 0;
	for (int32_t i = tip; i != NO_SIDE; i = c->side[i].parent)
		d++;
	int32_t *path = kb_malloc(d * sizeof *path);
	size_t k = d;
	int32_t bottom = tip;
	for (int32_t i = tip; i != NO_SIDE; i = c->side[i].parent) {
		path[--k] = i;
		bottom = i;
	}
	uint32_t f = c->side[bottom].height - 1;
	uint32_t old_tip = tip_height(c);
	enum spv_hdr_reason r = SPV_HDR_IO;

	/* keep the old main headers (lowest first) as a side branch, within the cap */
	size_t room = c->max_side - (c->nside - d);
	size_t nold = old_tip - f;
	if (nold > room)
		nold = room;
	struct side *old = kb_malloc((nold ? nold : 1) * sizeof *old);
	for (size_t j = 0; j < nold; j++) {
		uint32_t h = f + 1 + (uint32_t)j;
		struct side *s = &old[j];
		if (!read_rec(c, h - c->base, s->raw) || !main_hash(c, h, &s->hash) ||
		    !main_tb(c, h, &s->time, &s->bits, &s->wbits) || !main_work(c, h, &s->work))
			goto out;
		s->height = h;
		s->parent = NO_SIDE;
		s->dead = false;
	}

	struct hash256 fhash;
	struct u256 fwork;
	if (!main_hash(c, f, &fhash) || !main_work(c, f, &fwork))
		goto out;
	if (c->n_committed > f - c->base + 1) {
		if (!write_wbuf(c) || !commit(c, f - c->base + 1, &fhash, &fwork))
			goto out;
	}
	if (!main_truncate(c, f))
		goto out;
	note_change(c, f, old_tip);
	for (size_t j = 0; j < d; j++) {
		struct side *s = &c->side[path[j]];
		if (!main_append(c, s->raw, &s->hash, &s->work, s->wbits)) {
			/* storage failed: keep a consistent (shorter) chain and side set */
			side_rebuild(c);
			goto out;
		}
		s->dead = true;
	}
	for (size_t j = 0; j < nold; j++) {
		if (c->nside == c->side_alloc) {
			size_t n = c->side_alloc * 2 > c->max_side ? c->max_side : c->side_alloc * 2;
			if (n < c->nside + 1)
				n = c->nside + 1;
			c->side = kb_realloc(c->side, n * sizeof *c->side);
			c->side_alloc = n;
		}
		c->side[c->nside++] = old[j];
	}
	side_rebuild(c);
	r = SPV_HDR_OK;
out:
	kb_free(old);
	kb_free(path);
	return r;
}

/* ---- connecting one header ---- */

static bool parent_ctx(struct spv_chain *c, const struct hash256 *prev, struct pctx *out)
{
	uint32_t tip = tip_height(c);
	const struct ringent *te = ring_at(c, tip);
	if (heq(&te->hash, prev)) {
		out->height = tip;
		out->side = NO_SIDE;
		out->hash = te->hash;
		out->work = te->work;
		out->time = te->time;
		out->bits = te->bits;
		out->wbits = te->wbits;
		return true;
	}
	int64_t si = side_find(c, prev);
	if (si >= 0) {
		const struct side *s = &c->side[si];
		out->height = s->height;
		out->side = (int32_t)si;
		out->hash = s->hash;
		out->work = s->work;
		out->time = s->time;
		out->bits = s->bits;
		out->wbits = s->wbits;
		return true;
	}
	int64_t mi = main_find(c, prev);
	if (mi < 0)
		return false;
	out->height = c->base + (uint32_t)mi;
	out->side = NO_SIDE;
	out->hash = *prev;
	if (!main_tb(c, out->height, &out->time, &out->bits, &out->wbits) ||
	    !main_work(c, out->height, &out->work))
		return false;
	return true;
}

static bool known(const struct spv_chain *c, const struct hash256 *hash, uint32_t *height)
{
	int64_t si = side_find(c, hash);
	if (si >= 0) {
		*height = c->side[si].height;
		return true;
	}
	int64_t mi = main_find(c, hash);
	if (mi >= 0) {
		*height = c->base + (uint32_t)mi;
		return true;
	}
	return false;
}

/*
 * One header. On SPV_HDR_OK *height is its height; *dup tells whether it
 * was already known.
 */
static enum spv_hdr_reason connect_one(struct spv_chain *c, const uint8_t *raw,
                                       struct hash256 *hash, uint32_t *height, bool *dup)
{
	struct hash256 prev;
	memcpy(prev.b, raw + SPV_HEADER_OFF_PREV, 32);
	spv_header_hash_raw(hash, raw);
	*dup = false;
	*height = 0;
	uint32_t tip = tip_height(c);
	const struct ringent *te = ring_at(c, tip);
	struct pctx par;
	if (heq(&te->hash, &prev)) {
		/* fast path: extends the tip (cannot be known: see side_rebuild) */
		par.height = tip;
		par.side = NO_SIDE;
		par.hash = te->hash;
		par.work = te->work;
		par.time = te->time;
		par.bits = te->bits;
		par.wbits = te->wbits;
	} else {
		if (known(c, hash, height)) {
			*dup = true;
			return SPV_HDR_OK;
		}
		if (!parent_ctx(c, &prev, &par))
			return SPV_HDR_ORPHAN;
	}
	enum spv_hdr_reason r = check_header(c, raw, hash, &par);
	if (r != SPV_HDR_OK) {
		*height = par.height + 1;
		return r;
	}
	uint32_t h = par.height + 1;
	uint32_t bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
	struct u256 work, bw;
	work_of_bits(c, &bw, bits);
	u256_add(&work, &par.work, &bw);
	uint32_t wb = wbits_of(c, h, bits, par.wbits);
	*height = h;
	if (par.side == NO_SIDE && par.height == tip) {
		if (!main_append(c, raw, hash, &work, wb))
			return SPV_HDR_IO;
		note_change(c, tip, tip);
		return SPV_HDR_OK;
	}
	/* a side branch */
	if (c->nside >= c->max_side) {
		if (!side_make_room(c, &work, par.side))
			return SPV_HDR_SIDE_LIMIT;
		if (!parent_ctx(c, &prev, &par))
			return SPV_HDR_SIDE_LIMIT; /* its own branch was pruned */
	}
	int32_t si = side_push(c, raw, hash, h, &work, wb, par.side);
	if (u256_cmp(&work, &ring_at(c, tip)->work) > 0)
		return reorg(c, si);
	return SPV_HDR_OK;
}

static void result_init(struct spv_chain_result *res)
{
	memset(res, 0, sizeof *res);
	res->reason = SPV_HDR_OK;
}

/* Processes n headers; index_base offsets fail_index (imports). */
static enum spv_hdr_reason process(struct spv_chain *c, struct spv_chain_result *res,
                                   const uint8_t *hdrs, size_t n, size_t index_base,
                                   struct hash256 *prev_in_batch, bool *have_prev)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *raw = hdrs + i * HLEN;
		if (*have_prev && !heq_raw(prev_in_batch, raw + SPV_HEADER_OFF_PREV)) {
			res->reason = SPV_HDR_NOT_CONTINUOUS;
			res->fail_index = index_base + i;
			return res->reason;
		}
		struct hash256 hash;
		uint32_t height;
		bool dup;
		enum spv_hdr_reason r = connect_one(c, raw, &hash, &height, &dup);
		if (r != SPV_HDR_OK) {
			res->reason = r;
			res->fail_index = index_base + i;
			res->fail_height = height;
			return r;
		}
		if (dup)
			res->duplicates++;
		else
			res->accepted++;
		res->have_last = true;
		res->last_hash = hash;
		res->last_height = height;
		*prev_in_batch = hash;
		*have_prev = true;
	}
	return SPV_HDR_OK;
}

static enum kb_rc finish(struct spv_chain *c, struct spv_chain_result *res, uint32_t tip0,
                         const struct hash256 *tiphash0, bool flush)
{
	enum kb_rc rc = KB_OK;
	if (flush && spv_chain_flush(c) != KB_OK) {
		rc = KB_EIO;
		if (res->reason == SPV_HDR_OK)
			res->reason = SPV_HDR_IO;
	}
	res->tip_changed = tip_height(c) != tip0 || !heq(&ring_at(c, tip_height(c))->hash, tiphash0);
	fire_change(c);
	if (rc != KB_OK)
		return rc;
	if (res->reason == SPV_HDR_IO)
		return KB_EIO;
	return res->reason == SPV_HDR_OK ? KB_OK : KB_ECONSENSUS;
}

enum kb_rc spv_chain_process_headers(struct spv_chain *c, struct spv_chain_result *res,
                                     const uint8_t *headers, size_t n)
{
	result_init(res);
	KB_ASSERT(c != NULL);
	if (n > 0 && headers == NULL) {
		res->reason = SPV_HDR_PARSE;
		return KB_EINVAL;
	}
	uint32_t tip0 = tip_height(c);
	struct hash256 th0 = ring_at(c, tip0)->hash, prev;
	bool have_prev = false;
	(void)process(c, res, headers, n, 0, &prev, &have_prev);
	return finish(c, res, tip0, &th0, true);
}

/* ---- open / create / load ---- */

static void chain_reset_memory(struct spv_chain *c)
{
	c->n = 0;
	c->n_file = 0;
	c->n_committed = 0;
	c->ring_lo = c->base;
	if (c->tab)
		memset(c->tab, 0, (size_t)(c->tab_mask + 1) * sizeof *c->tab);
	c->tab_n = 0;
	c->nside = 0;
	if (c->stab)
		memset(c->stab, 0, (size_t)(c->stab_mask + 1) * sizeof *c->stab);
}

/* Writes a fresh store image (fixed part, base record, slot) into fd. */
static bool write_fresh(int fd, const struct spv_chainparams *p, uint32_t base,
                        const uint8_t base_hdr[HLEN], const struct u256 *base_work)
{
	uint8_t *page = kb_calloc(1, REC_OFF + HLEN);
	uint8_t fixed[FIXED_LEN], slot[SLOT_LEN];
	struct hash256 bh;
	fixed_encode(fixed, p->net, base, base_work);
	memcpy(page, fixed, FIXED_LEN);
	spv_header_hash_raw(&bh, base_hdr);
	slot_encode(slot, 1, 1, &bh, base_work);
	memcpy(page + SLOT_OFF1, slot, SLOT_LEN);
	memcpy(page + REC_OFF, base_hdr, HLEN);
	bool ok = ftruncate(fd, 0) == 0 && pwrite_all(fd, page, REC_OFF + HLEN, 0) && fsync(fd) == 0;
	kb_free(page);
	return ok;
}

static void base_for(const struct spv_chainparams *p, const struct spv_anchor *a, uint32_t *base,
                     const uint8_t **hdr, struct u256 *work)
{
	if (a) {
		*base = a->height;
		*hdr = a->header;
		uint8_t le[32];
		for (int i = 0; i < 32; i++)
			le[i] = a->chainwork[31 - i];
		u256_from_le(work, le);
	} else {
		*base = 0;
		*hdr = p->genesis;
		struct u256 t;
		u256_set_compact(&t, spv_header_raw_u32(p->genesis, SPV_HEADER_OFF_BITS), NULL, NULL);
		u256_work_from_target(work, &t);
	}
}

static enum kb_rc create_store(const struct spv_chainparams *p, const char *path,
                               const struct spv_anchor *a, char *err, size_t errlen)
{
	uint32_t base;
	const uint8_t *hdr;
	struct u256 work;
	base_for(p, a, &base, &hdr, &work);
	size_t len = strlen(path);
	char *tmp = kb_malloc(len + 5);
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp", 5);
	enum kb_rc rc = KB_EIO;
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		seterr(err, errlen, "cannot create %s", tmp);
		goto out;
	}
	if (!write_fresh(fd, p, base, hdr, &work)) {
		seterr(err, errlen, "cannot write %s", tmp);
		close(fd);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		seterr(err, errlen, "cannot rename to %s", path);
		goto out;
	}
	/* make the rename durable */
	char *dir = kb_strdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else {
		dir[0] = '.';
		dir[1] = 0;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	kb_free(dir);
	rc = KB_OK;
out:
	kb_free(tmp);
	return rc;
}

/* Loads base from record 0 and sets up an empty chain at it. */
static bool setup_base(struct spv_chain *c, const uint8_t raw[HLEN], const struct u256 *base_work)
{
	struct hash256 h;
	spv_header_hash_raw(&h, raw);
	const struct spv_checkpoint *cp = spv_chainparams_checkpoint_at(c->p, c->base);
	if (!cp || !heq(&cp->hash, &h))
		return false; /* the base must be genesis or an anchor */
	chain_reset_memory(c);
	c->base_work = *base_work;
	uint32_t bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
	c->replay = true;
	bool ok = main_append(c, raw, &h, base_work, bits);
	c->replay = false;
	return ok;
}

/* Re-validates records [from, nrec) of the file as if from a peer; cuts at the first bad one. */
static bool replay_tail(struct spv_chain *c, uint32_t nrec)
{
	enum { CHUNK = 1024 };
	uint8_t *buf = kb_malloc((size_t)CHUNK * HLEN);
	bool ok = true;
	c->replay = true;
	while (c->n < nrec) {
		uint32_t k = nrec - c->n < CHUNK ? nrec - c->n : CHUNK;
		uint32_t start = c->n;
		if (!pread_all(c->fd, buf, (size_t)k * HLEN, rec_off(start))) {
			nrec = c->n;
			break;
		}
		uint32_t j;
		for (j = 0; j < k; j++) {
			const uint8_t *raw = buf + (size_t)j * HLEN;
			struct hash256 hash;
			uint32_t tip = tip_height(c);
			const struct ringent *te = ring_at(c, tip);
			if (!heq_raw(&te->hash, raw + SPV_HEADER_OFF_PREV))
				break;
			spv_header_hash_raw(&hash, raw);
			struct pctx par = {
				.height = tip, .side = NO_SIDE, .hash = te->hash, .work = te->work,
				.time = te->time, .bits = te->bits, .wbits = te->wbits,
			};
			if (check_header(c, raw, &hash, &par) != SPV_HDR_OK)
				break;
			uint32_t bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
			struct u256 work, bw;
			work_of_bits(c, &bw, bits);
			u256_add(&work, &par.work, &bw);
			(void)main_append(c, raw, &hash, &work, wbits_of(c, tip + 1, bits, par.wbits));
		}
		if (j < k) {
			nrec = c->n;
			break;
		}
	}
	c->replay = false;
	kb_free(buf);
	if (ftruncate(c->fd, rec_off(c->n)) != 0)
		ok = false;
	c->n_file = c->n;
	return ok;
}

/* Trusts records [0, count): rebuilds the index and ring, checks the work sum. */
static bool trust_scan(struct spv_chain *c, uint32_t count, const struct hash256 *tip_hash,
                       const struct u256 *tip_work)
{
	enum { CHUNK = 4096 };
	uint8_t *buf = kb_malloc((size_t)(CHUNK + 1) * HLEN);
	bool ok = false;
	struct u256 work = c->base_work;
	uint32_t wb = 0;
	/* record i's hash is record i+1's prev; read one ahead */
	for (uint32_t start = 0; start < count; start += CHUNK) {
		uint32_t k = count - start < CHUNK ? count - start : CHUNK;
		uint32_t want = start + k < count ? k + 1 : k;
		if (!pread_all(c->fd, buf, (size_t)want * HLEN, rec_off(start)))
			goto out;
		for (uint32_t j = 0; j < k; j++) {
			uint32_t i = start + j, h = c->base + i;
			const uint8_t *raw = buf + (size_t)j * HLEN;
			struct hash256 hash;
			if (i + 1 < count)
				memcpy(hash.b, raw + HLEN + SPV_HEADER_OFF_PREV, 32);
			else
				hash = *tip_hash;
			if (i + RING >= count) {
				/* the recent headers feed validation: check they link (cheap) */
				struct hash256 real;
				spv_header_hash_raw(&real, raw);
				if (!heq(&real, &hash))
					goto out;
			}
			uint32_t bits = spv_header_raw_u32(raw, SPV_HEADER_OFF_BITS);
			if (i > 0) {
				struct u256 bw;
				work_of_bits(c, &bw, bits);
				u256_add(&work, &work, &bw);
			}
			wb = i == 0 ? bits : wbits_of(c, h, bits, wb);
			if (i == 0)
				continue; /* set up by setup_base */
			c->replay = true;
			(void)main_append(c, raw, &hash, &work, wb);
			c->replay = false;
		}
	}
	ok = u256_cmp(&work, tip_work) == 0;
out:
	kb_free(buf);
	return ok;
}

static enum kb_rc load(struct spv_chain *c, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(c->fd, &st) != 0)
		return KB_EIO;
	uint8_t page[REC_OFF];
	if (st.st_size < REC_OFF + HLEN || !pread_all(c->fd, page, REC_OFF, 0)) {
		seterr(err, errlen, "header store is truncated");
		return KB_ECHECKSUM;
	}
	uint8_t sum[32];
	wallet_hash_sha256(sum, page, 56);
	if (memcmp(page, FILE_MAGIC, 8) != 0 || memcmp(sum, page + 56, 32) != 0) {
		seterr(err, errlen, "not a koban header store, or its fixed part is damaged");
		return KB_ECHECKSUM;
	}
	if (le32(page + 8) != FILE_FORMAT) {
		seterr(err, errlen, "header store format is newer than this koban");
		return KB_EVERSION;
	}
	if (le32(page + 12) != (uint32_t)c->p->net) {
		seterr(err, errlen, "header store belongs to another network");
		return KB_ENETWORK;
	}
	c->base = le32(page + 16);
	struct u256 base_work;
	u256_from_le(&base_work, page + 24);
	uint64_t nrec64 = ((uint64_t)st.st_size - REC_OFF) / HLEN;
	if (nrec64 > MAX_HEIGHT)
		nrec64 = MAX_HEIGHT;
	uint32_t nrec = (uint32_t)nrec64;
	uint8_t raw[HLEN];
	if (!pread_all(c->fd, raw, HLEN, rec_off(0)) || !setup_base(c, raw, &base_work)) {
		seterr(err, errlen, "header store base record is damaged");
		return KB_ECHECKSUM;
	}
	/* the newest valid slot */
	uint64_t seq[2] = {0, 0};
	uint32_t cnt[2] = {0, 0};
	struct hash256 th[2];
	struct u256 tw[2];
	bool valid[2];
	valid[0] = slot_decode(page + SLOT_OFF0, &seq[0], &cnt[0], &th[0], &tw[0]);
	valid[1] = slot_decode(page + SLOT_OFF1, &seq[1], &cnt[1], &th[1], &tw[1]);
	int best = -1;
	for (int i = 0; i < 2; i++)
		if (valid[i] && (best < 0 || seq[i] > seq[best]))
			best = i;
	c->seq = best >= 0 ? seq[best] : 0;
	bool trusted = false;
	if (best >= 0 && cnt[best] <= nrec) {
		uint32_t count = cnt[best];
		struct hash256 h;
		if (pread_all(c->fd, raw, HLEN, rec_off(count - 1))) {
			spv_header_hash_raw(&h, raw);
			if (heq(&h, &th[best]) && trust_scan(c, count, &th[best], &tw[best]))
				trusted = true;
		}
	}
	if (!trusted) {
		/* damage: re-validate everything from the base */
		if (!pread_all(c->fd, raw, HLEN, rec_off(0)) || !setup_base(c, raw, &base_work))
			return KB_ECHECKSUM;
	}
	c->n_committed = trusted ? c->n : 0;
	if (!replay_tail(c, nrec))
		return KB_EIO;
	if (c->n_committed != c->n) {
		const struct ringent *te = ring_at(c, tip_height(c));
		if (!commit(c, c->n, &te->hash, &te->work))
			return KB_EIO;
	}
	return KB_OK;
}

static int open_locked(const char *path, enum kb_rc *rc)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*rc = KB_EIO;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		*rc = KB_ELOCKED;
		return -1;
	}
	return fd;
}

static struct spv_chain *chain_alloc(const struct spv_chainparams *p,
                                     const struct spv_chain_opts *opts)
{
	struct spv_chain *c = kb_calloc(1, sizeof *c);
	c->p = p;
	c->fd = -1;
	c->ring = kb_calloc(RING, sizeof *c->ring);
	c->wbuf = kb_malloc((size_t)WBUF_RECS * HLEN);
	c->tab_mask = 4095;
	c->tab = kb_calloc(c->tab_mask + 1, sizeof *c->tab);
	c->max_side = SPV_CHAIN_DEFAULT_MAX_SIDE;
	if (opts) {
		if (opts->max_side)
			c->max_side = opts->max_side;
		c->clock = opts->clock;
		c->clock_arg = opts->clock_arg;
		c->on_change = opts->on_change;
		c->change_arg = opts->change_arg;
	}
	return c;
}

enum kb_rc spv_chain_open(struct spv_chain **out, enum kb_net net, const char *path,
                          const struct spv_chain_opts *opts, char *err, size_t errlen)
{
	*out = NULL;
	if ((unsigned)net >= KB_NET_COUNT)
		return KB_EINVAL;
	return spv_chain_open_params(out, spv_chainparams_get(net), path, opts, err, errlen);
}

enum kb_rc spv_chain_open_params(struct spv_chain **out, const struct spv_chainparams *p,
                                 const char *path, const struct spv_chain_opts *opts,
                                 char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	if ((unsigned)p->net >= KB_NET_COUNT || p->interval == 0 || p->checkpoints == NULL ||
	    p->checkpoints->n_cp == 0 || p->checkpoints->cp[0].height != 0)
		return KB_EINVAL;
	const struct spv_anchor *a = spv_chainparams_anchor_for_time(p, opts ? opts->birthday : 0);
	struct spv_chain *c = chain_alloc(p, opts);
	enum kb_rc rc = KB_EIO;
	if (path == NULL) {
		c->fd = memfd_create("koban-headers", MFD_CLOEXEC);
		if (c->fd < 0) {
			seterr(err, errlen, "cannot create a memory file");
			goto fail;
		}
		uint32_t base;
		const uint8_t *hdr;
		struct u256 work;
		base_for(p, a, &base, &hdr, &work);
		if (!write_fresh(c->fd, p, base, hdr, &work))
			goto fail;
	} else {
		struct stat st;
		if (stat(path, &st) != 0) {
			if (errno != ENOENT) {
				seterr(err, errlen, "cannot stat %s", path);
				goto fail;
			}
			rc = create_store(p, path, a, err, errlen);
			if (rc != KB_OK)
				goto fail;
		}
		c->fd = open_locked(path, &rc);
		if (c->fd < 0) {
			if (rc == KB_ELOCKED)
				seterr(err, errlen, "%s is in use by another koban", path);
			else
				seterr(err, errlen, "cannot open %s", path);
			goto fail;
		}
	}
	rc = load(c, err, errlen);
	if (rc != KB_OK)
		goto fail;
	if (path)
		c->path = kb_strdup(path);
	*out = c;
	return KB_OK;
fail:
	c->n = 0; /* never commit a half-loaded chain */
	spv_chain_free(c);
	return rc;
}

void spv_chain_free(struct spv_chain *c)
{
	if (!c)
		return;
	if (c->fd >= 0) {
		if (c->n > 0 && spv_chain_flush(c) != KB_OK) {
			/* the store stays loadable: the next open replays or cuts the tail */
		}
		close(c->fd);
	}
	kb_free(c->ring);
	kb_free(c->wbuf);
	kb_free(c->prefix);
	kb_free(c->tab);
	kb_free(c->side);
	kb_free(c->stab);
	kb_free(c->path);
	kb_free(c);
}

enum kb_rc spv_chain_flush(struct spv_chain *c)
{
	if (!write_wbuf(c))
		return KB_EIO;
	if (c->n_committed == c->n)
		return KB_OK;
	const struct ringent *te = ring_at(c, tip_height(c));
	return commit(c, c->n, &te->hash, &te->work) ? KB_OK : KB_EIO;
}

/* ---- import ---- */

/* Re-creates an empty chain at another base (genesis when a is NULL). */
static bool rebase(struct spv_chain *c, const struct spv_anchor *a)
{
	uint32_t base;
	const uint8_t *hdr;
	struct u256 work;
	base_for(c->p, a, &base, &hdr, &work);
	if (c->path) {
		/* atomically: a new file under a temporary name, renamed over */
		enum kb_rc rc;
		if (create_store(c->p, c->path, a, NULL, 0) != KB_OK)
			return false;
		int fd = open_locked(c->path, &rc);
		if (fd < 0)
			return false;
		close(c->fd);
		c->fd = fd;
	} else if (!write_fresh(c->fd, c->p, base, hdr, &work)) {
		return false;
	}
	c->base = base;
	c->seq = 1;
	if (!setup_base(c, hdr, &work))
		return false;
	c->n_committed = 1;
	return true;
}

/* When the store is empty, moves its base to where the file starts. */
static bool maybe_rebase(struct spv_chain *c, const uint8_t *first)
{
	if (c->n != 1 || c->nside != 0)
		return true;
	struct hash256 h, prev;
	spv_header_hash_raw(&h, first);
	memcpy(prev.b, first + SPV_HEADER_OFF_PREV, 32);
	const struct ringent *be = ring_at(c, c->base);
	if (heq(&be->hash, &h) || heq(&be->hash, &prev))
		return true;
	if (heq(&c->p->genesis_hash, &h) || heq(&c->p->genesis_hash, &prev))
		return rebase(c, NULL);
	const struct spv_anchor *a = spv_chainparams_anchor_by_hash(c->p, &h);
	if (!a)
		a = spv_chainparams_anchor_by_hash(c->p, &prev);
	if (a)
		return rebase(c, a);
	return true;
}

enum kb_rc spv_chain_import_file(struct spv_chain *c, struct spv_chain_result *res,
                                 const char *path)
{
	result_init(res);
	uint32_t tip0 = tip_height(c);
	struct hash256 th0 = ring_at(c, tip0)->hash, prev;
	bool have_prev = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		res->reason = SPV_HDR_IO;
		return KB_EIO;
	}
	uint8_t *buf = kb_malloc((size_t)IMPORT_CHUNK * HLEN);
	size_t done = 0, since_flush = 0;
	bool first = true;
	enum kb_rc rc = KB_OK;
	for (;;) {
		size_t got = 0;
		while (got < (size_t)IMPORT_CHUNK * HLEN) {
			ssize_t r = read(fd, buf + got, (size_t)IMPORT_CHUNK * HLEN - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				res->reason = SPV_HDR_IO;
				rc = KB_EIO;
				goto out;
			}
			if (r == 0)
				break;
			got += (size_t)r;
		}
		size_t n = got / HLEN;
		if (first && n > 0) {
			first = false;
			if (!maybe_rebase(c, buf)) {
				res->reason = SPV_HDR_IO;
				rc = KB_EIO;
				goto out;
			}
			tip0 = tip_height(c);
			th0 = ring_at(c, tip0)->hash;
		}
		if (process(c, res, buf, n, done, &prev, &have_prev) != SPV_HDR_OK)
			goto out;
		done += n;
		since_flush += n;
		if (since_flush >= IMPORT_FLUSH_EVERY) {
			since_flush = 0;
			if (spv_chain_flush(c) != KB_OK) {
				res->reason = SPV_HDR_IO;
				goto out;
			}
		}
		if (got % HLEN != 0) {
			res->reason = SPV_HDR_PARSE;
			res->fail_index = done;
			goto out;
		}
		if (got < (size_t)IMPORT_CHUNK * HLEN)
			break;
	}
out:
	close(fd);
	kb_free(buf);
	enum kb_rc frc = finish(c, res, tip0, &th0, true);
	return rc != KB_OK ? rc : frc;
}

/* ---- queries ---- */

const struct spv_chainparams *spv_chain_params(const struct spv_chain *c)
{
	return c->p;
}

uint32_t spv_chain_height(const struct spv_chain *c)
{
	return tip_height(c);
}

uint32_t spv_chain_base_height(const struct spv_chain *c)
{
	return c->base;
}

void spv_chain_tip(const struct spv_chain *c, struct hash256 *hash, uint32_t *height,
                   uint32_t *time)
{
	const struct ringent *e = ring_at(c, tip_height(c));
	if (hash)
		*hash = e->hash;
	if (height)
		*height = tip_height(c);
	if (time)
		*time = e->time;
}

void spv_chain_tip_work(const struct spv_chain *c, struct u256 *work)
{
	*work = ring_at(c, tip_height(c))->work;
}

int64_t spv_chain_tip_mtp(const struct spv_chain *c)
{
	const struct ringent *e = ring_at(c, tip_height(c));
	struct pctx par = {.height = tip_height(c), .side = NO_SIDE, .time = e->time};
	int64_t m;
	if (!mtp_of(c, &par, &m))
		return 0;
	return m == INT64_MIN ? 0 : m;
}

enum kb_rc spv_chain_hash_at(const struct spv_chain *c, struct hash256 *out, uint32_t height)
{
	memset(out, 0, sizeof *out);
	if (height < c->base || height > tip_height(c))
		return KB_ENOTFOUND;
	return main_hash(c, height, out) ? KB_OK : KB_EIO;
}

enum kb_rc spv_chain_header_at(const struct spv_chain *c, struct spv_header *out, uint32_t height)
{
	memset(out, 0, sizeof *out);
	if (height < c->base || height > tip_height(c))
		return KB_ENOTFOUND;
	uint8_t raw[HLEN];
	if (!read_rec(c, height - c->base, raw))
		return KB_EIO;
	return spv_header_parse(out, raw, HLEN);
}

enum kb_rc spv_chain_work_at(const struct spv_chain *c, struct u256 *out, uint32_t height)
{
	u256_zero(out);
	if (height < c->base || height > tip_height(c))
		return KB_ENOTFOUND;
	/* main_work only fills the work cache, which is not observable state */
	return main_work((struct spv_chain *)c, height, out) ? KB_OK : KB_EIO;
}

enum kb_rc spv_chain_find(const struct spv_chain *c, struct spv_header *out, uint32_t *height,
                          bool *in_main, const struct hash256 *hash)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (height)
		*height = 0;
	if (in_main)
		*in_main = false;
	int64_t si = side_find(c, hash);
	if (si >= 0) {
		if (height)
			*height = c->side[si].height;
		return out ? spv_header_parse(out, c->side[si].raw, HLEN) : KB_OK;
	}
	int64_t mi = main_find(c, hash);
	if (mi < 0)
		return KB_ENOTFOUND;
	if (height)
		*height = c->base + (uint32_t)mi;
	if (in_main)
		*in_main = true;
	if (out) {
		uint8_t raw[HLEN];
		if (!read_rec(c, (uint32_t)mi, raw))
			return KB_EIO;
		return spv_header_parse(out, raw, HLEN);
	}
	return KB_OK;
}

static size_t locator(const struct spv_chain *c, struct hash256 *out, size_t max, int32_t side,
                      uint32_t h)
{
	/* Core's CChain::GetLocator: 11 single steps, then doubling, then the base */
	size_t k = 0;
	uint32_t step = 1;
	while (k < max) {
		if (k == max - 1 && h != c->base) {
			h = c->base; /* always end with the base */
			side = NO_SIDE;
		}
		if (!anc_hash(c, side, h, &out[k]))
			break;
		k++;
		if (h == c->base)
			break;
		h = h - c->base > step ? h - step : c->base;
		if (k > 10)
			step *= 2;
		while (side != NO_SIDE && c->side[side].height > h)
			side = c->side[side].parent;
	}
	return k;
}

size_t spv_chain_locator(const struct spv_chain *c, struct hash256 *out, size_t max)
{
	if (max == 0)
		return 0;
	return locator(c, out, max, NO_SIDE, tip_height(c));
}

size_t spv_chain_locator_from(const struct spv_chain *c, struct hash256 *out, size_t max,
                              const struct hash256 *from)
{
	if (max == 0)
		return 0;
	int64_t si = side_find(c, from);
	if (si >= 0)
		return locator(c, out, max, (int32_t)si, c->side[si].height);
	int64_t mi = main_find(c, from);
	if (mi < 0)
		return 0;
	return locator(c, out, max, NO_SIDE, c->base + (uint32_t)mi);
}

size_t spv_chain_side_count(const struct spv_chain *c)
{
	return c->nside;
}
