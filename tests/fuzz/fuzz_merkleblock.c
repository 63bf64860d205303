/* Fuzz target: the merkleblock payload parser and the partial merkle tree
 * check behind it (BIP37, issue 5). A payload that parses must serialise
 * back to the same bytes; its proof must be checked without fault, and a
 * proof that passes must give matches in block order, inside the block,
 * no more than its hashes. */
#include "spv/merkle.h"
#include "spv/msg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spv_msg m;
	memset(&m, 0, sizeof m);
	if (spv_msg_merkleblock_parse(&m, data, size) != KB_OK)
		return 0;
	m.type = SPV_MSG_MERKLEBLOCK;
	struct buf b = BUF_INIT;
	spv_msg_serialize(&b, &m);
	if (b.len != size || memcmp(b.p, data, size) != 0)
		abort();
	buf_clear(&b);

	const struct spv_msg_merkleblock *mb = &m.u.merkleblock;
	struct spv_merkle_matches out;
	enum spv_merkle_err e = spv_merkle_verify_block(&out, mb);
	if (e == SPV_MERKLE_OK) {
		if (out.n > mb->n_hashes)
			abort();
		for (size_t i = 0; i < out.n; i++)
			if (out.v[i].pos >= mb->total_txs || (i > 0 && out.v[i].pos <= out.v[i - 1].pos))
				abort();
	} else if (out.n != 0 || out.v != NULL) {
		abort();
	}
	spv_merkle_matches_clear(&out);
	spv_msg_clear(&m);
	return 0;
}
