/* Fuzz target: the fee-estimates document (spv_fees_parse) and the pick. */
#include "spv/fees.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spv_fee_estimates e;
	char err[256];
	if (spv_fees_parse(&e, (const char *)data, size, err, sizeof err) == KB_OK) {
		for (unsigned s = 0; s < SPV_FEE_SPEEDS; s++) {
			int64_t r;
			if (spv_fees_pick(&e, (enum spv_fee_speed)s, 0, &r) == KB_OK &&
			    (r < SPV_FEES_MIN_RELAY || r > SPV_FEES_RATE_MAX))
				__builtin_trap();
		}
	}
	return 0;
}
