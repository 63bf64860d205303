/* Partial merkle trees (see merkle.h). */
#include "spv/merkle.h"

#include "spv/header.h"
#include "wallet/mem.h"

#include <string.h>

const char *spv_merkle_err_str(enum spv_merkle_err err)
{
	switch (err) {
	case SPV_MERKLE_OK: return "ok";
	case SPV_MERKLE_ERR_NO_TXS: return "no transactions";
	case SPV_MERKLE_ERR_TOO_MANY_TXS: return "more transactions than a block can hold";
	case SPV_MERKLE_ERR_TOO_MANY_HASHES: return "more hashes than transactions";
	case SPV_MERKLE_ERR_FLAGS_SHORT: return "ran out of flag bits";
	case SPV_MERKLE_ERR_HASHES_SHORT: return "ran out of hashes";
	case SPV_MERKLE_ERR_DUPLICATE_BRANCH: return "duplicate branch (CVE-2012-2459)";
	case SPV_MERKLE_ERR_UNUSED_HASHES: return "unused hashes";
	case SPV_MERKLE_ERR_UNUSED_FLAG_BYTES: return "unused flag bytes";
	case SPV_MERKLE_ERR_STRAY_BITS: return "nonzero padding bits in the last flag byte";
	case SPV_MERKLE_ERR_ROOT_MISMATCH: return "merkle root does not match the header";
	}
	return "?";
}

void spv_merkle_matches_clear(struct spv_merkle_matches *m)
{
	kb_free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* Nodes at height h of a tree over total leaves: ceil(total / 2^h). */
static uint32_t tree_width(uint32_t total, unsigned h)
{
	return (uint32_t)(((uint64_t)total + ((uint64_t)1 << h) - 1) >> h);
}

static unsigned tree_height(uint32_t total)
{
	unsigned h = 0;
	while (tree_width(total, h) > 1)
		h++;
	return h;
}

static void hash_pair(struct hash256 *out, const struct hash256 *l, const struct hash256 *r)
{
	uint8_t b[64];
	memcpy(b, l->b, 32);
	memcpy(b + 32, r->b, 32);
	wallet_hash_sha256d(out->b, b, sizeof b);
}

/* ---- verification ------------------------------------------------------------- */

struct walk {
	uint32_t total;
	const struct hash256 *hashes;
	size_t n_hashes, hashes_used;
	const uint8_t *flags;
	size_t n_flags, bits_used;
	struct spv_merkle_matches *out;
	enum spv_merkle_err err;
};

/* Core's TraverseAndExtract; stops at the first error (w->err). The depth
 * is the tree height, at most 15 for SPV_MERKLE_MAX_TXS. */
static void extract(struct walk *w, unsigned h, uint32_t pos, struct hash256 *node)
{
	memset(node, 0, sizeof *node);
	if (w->err != SPV_MERKLE_OK)
		return;
	if (w->bits_used / 8 >= w->n_flags) {
		w->err = SPV_MERKLE_ERR_FLAGS_SHORT;
		return;
	}
	bool parent = (w->flags[w->bits_used / 8] >> (w->bits_used % 8)) & 1;
	w->bits_used++;
	if (h == 0 || !parent) {
		if (w->hashes_used >= w->n_hashes) {
			w->err = SPV_MERKLE_ERR_HASHES_SHORT;
			return;
		}
		*node = w->hashes[w->hashes_used++];
		if (h == 0 && parent) {
			struct spv_merkle_match *m = &w->out->v[w->out->n++];
			m->pos = pos;
			m->txid = *node;
		}
		return;
	}
	struct hash256 left, right;
	extract(w, h - 1, pos * 2, &left);
	if (pos * 2 + 1 < tree_width(w->total, h - 1)) {
		extract(w, h - 1, pos * 2 + 1, &right);
		if (w->err == SPV_MERKLE_OK && memcmp(left.b, right.b, 32) == 0)
			w->err = SPV_MERKLE_ERR_DUPLICATE_BRANCH;
	} else {
		right = left;
	}
	if (w->err == SPV_MERKLE_OK)
		hash_pair(node, &left, &right);
}

enum spv_merkle_err spv_merkle_verify(struct spv_merkle_matches *out, const struct hash256 *root,
                                      uint32_t total, const struct hash256 *hashes,
                                      size_t n_hashes, const uint8_t *flags, size_t n_flags)
{
	out->n = 0;
	out->v = NULL;
	if (total == 0)
		return SPV_MERKLE_ERR_NO_TXS;
	if (total > SPV_MERKLE_MAX_TXS)
		return SPV_MERKLE_ERR_TOO_MANY_TXS;
	if (n_hashes > total)
		return SPV_MERKLE_ERR_TOO_MANY_HASHES;
	if (n_hashes == 0)
		return SPV_MERKLE_ERR_HASHES_SHORT; /* every tree needs at least one */
	struct walk w = {
		.total = total, .hashes = hashes, .n_hashes = n_hashes,
		.flags = flags, .n_flags = n_flags, .out = out, .err = SPV_MERKLE_OK,
	};
	/* a match takes a hash, so n_hashes entries always suffice */
	out->v = kb_calloc(n_hashes, sizeof *out->v);
	struct hash256 got;
	extract(&w, tree_height(total), 0, &got);
	enum spv_merkle_err err = w.err;
	if (err == SPV_MERKLE_OK && w.hashes_used != n_hashes)
		err = SPV_MERKLE_ERR_UNUSED_HASHES;
	if (err == SPV_MERKLE_OK && (w.bits_used + 7) / 8 != n_flags)
		err = SPV_MERKLE_ERR_UNUSED_FLAG_BYTES;
	if (err == SPV_MERKLE_OK && w.bits_used % 8 != 0 &&
	    (flags[n_flags - 1] >> (w.bits_used % 8)) != 0)
		err = SPV_MERKLE_ERR_STRAY_BITS;
	if (err == SPV_MERKLE_OK && memcmp(got.b, root->b, 32) != 0)
		err = SPV_MERKLE_ERR_ROOT_MISMATCH;
	if (err != SPV_MERKLE_OK || out->n == 0)
		spv_merkle_matches_clear(out);
	return err;
}

enum spv_merkle_err spv_merkle_verify_block(struct spv_merkle_matches *out,
                                            const struct spv_msg_merkleblock *mb)
{
	struct hash256 root;
	memcpy(root.b, mb->header + SPV_HEADER_OFF_MERKLE, 32);
	return spv_merkle_verify(out, &root, mb->total_txs, mb->hashes, mb->n_hashes,
	                         mb->flags, mb->n_flags);
}

bool spv_merkle_tx_ambiguous(const struct wallet_tx *tx)
{
	return wallet_tx_serialized_len(tx, false) == SPV_MERKLE_AMBIGUOUS_TX_SIZE;
}

/* ---- the full root --------------------------------------------------------------- */

void spv_merkle_root(struct hash256 *out, bool *mutated, const struct hash256 *txids, size_t n)
{
	KB_ASSERT(n >= 1);
	bool mut = false;
	struct hash256 *level = kb_malloc(n * sizeof *level);
	memcpy(level, txids, n * sizeof *level);
	while (n > 1) {
		for (size_t i = 0; i + 1 < n; i += 2)
			if (memcmp(level[i].b, level[i + 1].b, 32) == 0)
				mut = true;
		size_t m = (n + 1) / 2;
		for (size_t i = 0; i < m; i++) {
			const struct hash256 *l = &level[2 * i];
			const struct hash256 *r = 2 * i + 1 < n ? &level[2 * i + 1] : l;
			struct hash256 t;
			hash_pair(&t, l, r);
			level[i] = t;
		}
		n = m;
	}
	*out = level[0];
	kb_free(level);
	if (mutated)
		*mutated = mut;
}

/* ---- building ------------------------------------------------------------------------ */

struct build {
	uint32_t total;
	const struct hash256 *txids;
	const bool *match;
	struct hash256 *hashes; /* room for total */
	size_t n_hashes;
	uint8_t *flags;         /* room for every node's bit */
	size_t bits;
};

/* Core's CalcHash: the hash of node pos at height h. */
static void calc_hash(const struct build *b, unsigned h, uint32_t pos, struct hash256 *out)
{
	if (h == 0) {
		*out = b->txids[pos];
		return;
	}
	struct hash256 left, right;
	calc_hash(b, h - 1, pos * 2, &left);
	if (pos * 2 + 1 < tree_width(b->total, h - 1))
		calc_hash(b, h - 1, pos * 2 + 1, &right);
	else
		right = left;
	hash_pair(out, &left, &right);
}

/* Core's TraverseAndBuild. */
static void build_node(struct build *b, unsigned h, uint32_t pos)
{
	bool parent = false;
	uint64_t lo = (uint64_t)pos << h, hi = (uint64_t)(pos + 1) << h;
	for (uint64_t p = lo; p < hi && p < b->total && !parent; p++)
		parent = b->match[p];
	if (parent)
		b->flags[b->bits / 8] |= (uint8_t)(1u << (b->bits % 8));
	b->bits++;
	if (h == 0 || !parent) {
		calc_hash(b, h, pos, &b->hashes[b->n_hashes++]);
		return;
	}
	build_node(b, h - 1, pos * 2);
	if (pos * 2 + 1 < tree_width(b->total, h - 1))
		build_node(b, h - 1, pos * 2 + 1);
}

enum kb_rc spv_merkle_build(struct spv_msg *m, const uint8_t header[80],
                            const struct hash256 *txids, const bool *match, size_t n)
{
	spv_msg_init(m, SPV_MSG_MERKLEBLOCK);
	if (n == 0) {
		m->type = SPV_MSG_UNKNOWN;
		return KB_EINVAL;
	}
	if (n > SPV_MERKLE_MAX_TXS) {
		m->type = SPV_MSG_UNKNOWN;
		return KB_ELIMIT;
	}
	/* a tree of n leaves has fewer than 2n + height + 1 nodes */
	size_t max_bits = 2 * n + 32;
	struct build b = {
		.total = (uint32_t)n, .txids = txids, .match = match,
		.hashes = kb_calloc(n, sizeof *b.hashes),
		.flags = kb_calloc((max_bits + 7) / 8, 1),
	};
	build_node(&b, tree_height((uint32_t)n), 0);
	KB_ASSERT(b.bits <= max_bits && b.n_hashes <= n);
	struct spv_msg_merkleblock *mb = &m->u.merkleblock;
	memcpy(mb->header, header, 80);
	mb->total_txs = (uint32_t)n;
	mb->n_hashes = b.n_hashes;
	mb->hashes = kb_realloc(b.hashes, b.n_hashes * sizeof *b.hashes);
	mb->n_flags = (b.bits + 7) / 8;
	mb->flags = kb_realloc(b.flags, mb->n_flags);
	return KB_OK;
}
