/*
 * Fuzz target: address text (--connect, --proxy, addresses a person types)
 * and the group/format functions on what parses. Formatting a parsed
 * address and parsing it again must give the same address.
 */
#include "spv/netaddr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];
	if (size >= sizeof s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct spv_netaddr a, b;
	bool cjdns = size > 0 && (data[0] & 1);
	char host[128];
	uint16_t port;
	if (spv_netaddr_split_hostport(host, sizeof host, &port, s, 8333) == KB_OK && port == 0)
		abort();
	if (spv_netaddr_parse(&a, s, 8333, cjdns) != KB_OK)
		return 0;
	struct spv_netgroup g;
	spv_netaddr_group(&g, &a);
	(void)spv_netaddr_is_routable(&a);
	char out[SPV_NETADDR_STRLEN];
	spv_netaddr_format(&a, true, out);
	if (spv_netaddr_parse(&b, out, 1, a.net == SPV_NET_CJDNS) != KB_OK || !spv_netaddr_equal(&a, &b))
		abort();
	return 0;
}
