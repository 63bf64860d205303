/*
 * Network addresses (BIP155). Routability and grouping follow Bitcoin
 * Core's netaddress.cpp; Tor v3 names follow Tor's rend-spec-v3 ("onion
 * address" section: base32(pubkey || checksum || version), checksum =
 * SHA3-256(".onion checksum" || pubkey || version)[:2]).
 */
#include "spv/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

size_t spv_netaddr_net_len(uint8_t net)
{
	switch (net) {
	case SPV_NET_IPV4: return SPV_NETADDR_IPV4_LEN;
	case SPV_NET_IPV6: return SPV_NETADDR_IPV6_LEN;
	case SPV_NET_TORV2: return SPV_NETADDR_TORV2_LEN;
	case SPV_NET_TORV3: return SPV_NETADDR_TORV3_LEN;
	case SPV_NET_I2P: return SPV_NETADDR_I2P_LEN;
	case SPV_NET_CJDNS: return SPV_NETADDR_CJDNS_LEN;
	default: return 0;
	}
}

const char *spv_netaddr_net_name(uint8_t net)
{
	switch (net) {
	case SPV_NET_IPV4: return "ipv4";
	case SPV_NET_IPV6: return "ipv6";
	case SPV_NET_TORV2: return "onion-v2";
	case SPV_NET_TORV3: return "onion";
	case SPV_NET_I2P: return "i2p";
	case SPV_NET_CJDNS: return "cjdns";
	default: return "unknown";
	}
}

enum kb_rc spv_netaddr_set(struct spv_netaddr *out, uint8_t net,
                           const uint8_t *addr, size_t len, uint16_t port)
{
	memset(out, 0, sizeof *out);
	size_t want = spv_netaddr_net_len(net);
	if (want == 0 || net == SPV_NET_TORV2 || len != want)
		return KB_EINVAL;
	out->net = net;
	out->len = (uint8_t)len;
	memcpy(out->addr, addr, len);
	out->port = port;
	return KB_OK;
}

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void spv_netaddr_from_legacy(struct spv_netaddr *out, const uint8_t in[16], uint16_t port)
{
	memset(out, 0, sizeof *out);
	out->port = port;
	if (memcmp(in, v4_mapped, sizeof v4_mapped) == 0) {
		out->net = SPV_NET_IPV4;
		out->len = 4;
		memcpy(out->addr, in + 12, 4);
	} else {
		out->net = SPV_NET_IPV6;
		out->len = 16;
		memcpy(out->addr, in, 16);
	}
}

bool spv_netaddr_to_legacy(const struct spv_netaddr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	switch (a->net) {
	case SPV_NET_IPV4:
		memcpy(out, v4_mapped, sizeof v4_mapped);
		memcpy(out + 12, a->addr, 4);
		return true;
	case SPV_NET_IPV6:
	case SPV_NET_CJDNS:
		memcpy(out, a->addr, 16);
		return true;
	default:
		return false;
	}
}

bool spv_netaddr_equal(const struct spv_netaddr *a, const struct spv_netaddr *b)
{
	return a->net == b->net && a->len == b->len && a->port == b->port &&
	       memcmp(a->addr, b->addr, a->len) == 0;
}

/* ---- classification -------------------------------------------------- */

static bool v4_in(const uint8_t *a, uint8_t b0, uint8_t b1, uint8_t b2, unsigned bits)
{
	uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	uint32_t net = (uint32_t)b0 << 24 | (uint32_t)b1 << 16 | (uint32_t)b2 << 8;
	uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	return (x & mask) == (net & mask);
}

static bool v4_unroutable(const uint8_t *a)
{
	return v4_in(a, 0, 0, 0, 8) ||          /* "this network", 0.0.0.0 */
	       v4_in(a, 127, 0, 0, 8) ||        /* loopback */
	       v4_in(a, 10, 0, 0, 8) ||         /* RFC1918 */
	       v4_in(a, 172, 16, 0, 12) ||
	       v4_in(a, 192, 168, 0, 16) ||
	       v4_in(a, 100, 64, 0, 10) ||      /* RFC6598 shared */
	       v4_in(a, 169, 254, 0, 16) ||     /* RFC3927 link-local */
	       v4_in(a, 198, 18, 0, 15) ||      /* RFC2544 benchmarking */
	       v4_in(a, 192, 0, 2, 24) ||       /* RFC5737 documentation */
	       v4_in(a, 198, 51, 100, 24) ||
	       v4_in(a, 203, 0, 113, 24) ||
	       v4_in(a, 224, 0, 0, 4) ||        /* multicast */
	       v4_in(a, 240, 0, 0, 4);          /* reserved, broadcast */
}

static bool prefix(const uint8_t *a, const uint8_t *p, size_t n)
{
	return memcmp(a, p, n) == 0;
}

/* Core's NET_INTERNAL embedding: fd6b:88c0:8724::/48. */
static const uint8_t v6_internal[6] = { 0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24 };

static bool v6_unroutable(const uint8_t *a)
{
	static const uint8_t zero[16] = { 0 };
	static const uint8_t one[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };       /* RFC3849 */
	if (memcmp(a, zero, 16) == 0 || memcmp(a, one, 16) == 0)
		return true;
	if (prefix(a, doc, 4) || prefix(a, v6_internal, sizeof v6_internal))
		return true;
	if ((a[0] & 0xfe) == 0xfc)                       /* RFC4193 unique local */
		return true;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)       /* RFC4862 link-local */
		return true;
	if (a[0] == 0xff)                                /* multicast */
		return true;
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && (a[3] & 0xf0) == 0x10)
		return true;                             /* RFC4843 ORCHID */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && (a[3] & 0xf0) == 0x20)
		return true;                             /* RFC7343 ORCHIDv2 */
	/* IPv4 smuggled as IPv6 must not be a way to reach private IPv4. */
	if (prefix(a, v4_mapped, sizeof v4_mapped))
		return true;
	return false;
}

bool spv_netaddr_is_loopback(const struct spv_netaddr *a)
{
	static const uint8_t one[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	if (a->net == SPV_NET_IPV4)
		return a->addr[0] == 127;
	if (a->net == SPV_NET_IPV6)
		return memcmp(a->addr, one, 16) == 0;
	return false;
}

bool spv_netaddr_is_routable(const struct spv_netaddr *a)
{
	if (a->port == 0 || a->len != spv_netaddr_net_len(a->net))
		return false;
	switch (a->net) {
	case SPV_NET_IPV4:
		return !v4_unroutable(a->addr);
	case SPV_NET_IPV6:
		return !v6_unroutable(a->addr);
	case SPV_NET_TORV3:
	case SPV_NET_I2P:
		return true;
	case SPV_NET_CJDNS:
		return a->addr[0] == 0xfc;
	default:
		return false;
	}
}

/* ---- groups ------------------------------------------------------------ */

/* The IPv4 address embedded in an IPv6 one (6to4, Teredo, NAT64), if any. */
static bool v6_embedded_v4(const uint8_t *a, uint8_t v4[4])
{
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	if (a[0] == 0x20 && a[1] == 0x02) {              /* 6to4, RFC3964 */
		memcpy(v4, a + 2, 4);
		return true;
	}
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) { /* Teredo, RFC4380 */
		for (int i = 0; i < 4; i++)
			v4[i] = (uint8_t)~a[12 + i];
		return true;
	}
	if (prefix(a, nat64, sizeof nat64)) {            /* RFC6052 */
		memcpy(v4, a + 12, 4);
		return true;
	}
	return false;
}

void spv_netaddr_group(struct spv_netgroup *out, const struct spv_netaddr *a)
{
	memset(out, 0, sizeof *out);
	struct spv_netaddr tmp = *a;
	if (tmp.port == 0)
		tmp.port = 1; /* grouping does not care about the port */
	if (!spv_netaddr_is_routable(&tmp)) {
		out->len = 1; /* b[0] = 0: the unroutable group */
		return;
	}
	uint8_t v4[4];
	switch (a->net) {
	case SPV_NET_IPV4:
		out->b[0] = SPV_NET_IPV4;
		memcpy(out->b + 1, a->addr, 2);
		out->len = 3;
		return;
	case SPV_NET_IPV6:
		if (v6_embedded_v4(a->addr, v4)) {
			out->b[0] = SPV_NET_IPV4;
			memcpy(out->b + 1, v4, 2);
			out->len = 3;
			return;
		}
		out->b[0] = SPV_NET_IPV6;
		memcpy(out->b + 1, a->addr, 4);
		out->len = 5;
		return;
	case SPV_NET_CJDNS:
		/* the first byte is always 0xfc; the key-derived bits follow */
		out->b[0] = SPV_NET_CJDNS;
		out->b[1] = a->addr[0];
		out->b[2] = a->addr[1] & 0xf0;
		out->len = 3;
		return;
	default: /* Tor v3, I2P */
		out->b[0] = a->net;
		out->b[1] = a->addr[0] & 0xf0;
		out->len = 2;
		return;
	}
}

bool spv_netgroup_equal(const struct spv_netgroup *a, const struct spv_netgroup *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

/* ---- SHA3-256 (Tor v3 checksums only; libsodium has no SHA-3) --------- */

static uint64_t rotl64(uint64_t x, unsigned n)
{
	return x << n | x >> (64 - n);
}

static void keccak_f1600(uint64_t s[25])
{
	static const uint64_t rc[24] = {
		0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
		0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
		0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
		0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
		0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
		0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
		0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
		0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
	};
	static const unsigned rot[24] = { 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
	                                  27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44 };
	static const unsigned pi[24] = { 10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
	                                 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1 };
	for (int r = 0; r < 24; r++) {
		uint64_t c[5], t;
		for (int i = 0; i < 5; i++)
			c[i] = s[i] ^ s[i + 5] ^ s[i + 10] ^ s[i + 15] ^ s[i + 20];
		for (int i = 0; i < 5; i++) {
			t = c[(i + 4) % 5] ^ rotl64(c[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5)
				s[j + i] ^= t;
		}
		t = s[1];
		for (int i = 0; i < 24; i++) {
			unsigned j = pi[i];
			uint64_t u = s[j];
			s[j] = rotl64(t, rot[i]);
			t = u;
		}
		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++)
				c[i] = s[j + i];
			for (int i = 0; i < 5; i++)
				s[j + i] ^= ~c[(i + 1) % 5] & c[(i + 2) % 5];
		}
		s[0] ^= rc[r];
	}
}

/* SHA3-256 of a message shorter than one block (136 bytes). */
static void sha3_256_short(uint8_t out[32], const uint8_t *in, size_t n)
{
	uint8_t block[136] = { 0 };
	uint64_t s[25] = { 0 };
	memcpy(block, in, n);
	block[n] ^= 0x06;
	block[135] ^= 0x80;
	for (int i = 0; i < 17; i++) {
		uint64_t lane = 0;
		for (int k = 7; k >= 0; k--)
			lane = lane << 8 | block[8 * i + k];
		s[i] ^= lane;
	}
	keccak_f1600(s);
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(s[i / 8] >> (8 * (i % 8)));
}

static void onion_checksum(uint8_t out[2], const uint8_t pubkey[32])
{
	uint8_t msg[15 + 32 + 1];
	uint8_t h[32];
	memcpy(msg, ".onion checksum", 15);
	memcpy(msg + 15, pubkey, 32);
	msg[47] = 3;
	sha3_256_short(h, msg, sizeof msg);
	out[0] = h[0];
	out[1] = h[1];
}

/* ---- base32 (RFC 4648, lower case, no padding) -------------------------- */

static const char b32_alpha[] = "abcdefghijklmnopqrstuvwxyz234567";

static size_t b32_encode(char *out, const uint8_t *in, size_t n)
{
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alpha[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[o++] = b32_alpha[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

/* Decodes exactly nchars characters into exactly outlen bytes; leftover
 * bits must be zero. Upper and lower case are accepted. */
static bool b32_decode(uint8_t *out, size_t outlen, const char *in, size_t nchars)
{
	if (nchars * 5 / 8 != outlen || (outlen * 8 + 4) / 5 != nchars)
		return false;
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < nchars; i++) {
		char ch = in[i];
		int v;
		if (ch >= 'a' && ch <= 'z')
			v = ch - 'a';
		else if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= '2' && ch <= '7')
			v = ch - '2' + 26;
		else
			return false;
		acc = (acc << 5 | (uint32_t)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return o == outlen && (acc & ((1u << bits) - 1)) == 0;
}

/* ---- text --------------------------------------------------------------- */

static void format_host(const struct spv_netaddr *a, char *out, size_t outlen, bool *v6)
{
	*v6 = false;
	switch (a->net) {
	case SPV_NET_IPV4:
		snprintf(out, outlen, "%u.%u.%u.%u", a->addr[0], a->addr[1], a->addr[2], a->addr[3]);
		return;
	case SPV_NET_IPV6:
	case SPV_NET_CJDNS:
		*v6 = true;
		if (!inet_ntop(AF_INET6, a->addr, out, (socklen_t)outlen))
			snprintf(out, outlen, "?");
		return;
	case SPV_NET_TORV3: {
		uint8_t raw[35];
		memcpy(raw, a->addr, 32);
		onion_checksum(raw + 32, a->addr);
		raw[34] = 3;
		char name[57]; /* 35 bytes -> 56 characters */
		b32_encode(name, raw, sizeof raw);
		snprintf(out, outlen, "%s.onion", name);
		return;
	}
	case SPV_NET_I2P: {
		char name[53]; /* 32 bytes -> 52 characters */
		b32_encode(name, a->addr, 32);
		snprintf(out, outlen, "%s.b32.i2p", name);
		return;
	}
	default:
		snprintf(out, outlen, "?");
		return;
	}
}

void spv_netaddr_format(const struct spv_netaddr *a, bool with_port, char out[SPV_NETADDR_STRLEN])
{
	char host[64];
	bool v6;
	if (a->len != spv_netaddr_net_len(a->net) || a->net == SPV_NET_TORV2) {
		snprintf(out, SPV_NETADDR_STRLEN, "?");
		return;
	}
	format_host(a, host, sizeof host, &v6);
	if (!with_port)
		snprintf(out, SPV_NETADDR_STRLEN, "%s", host);
	else if (v6)
		snprintf(out, SPV_NETADDR_STRLEN, "[%s]:%u", host, a->port);
	else
		snprintf(out, SPV_NETADDR_STRLEN, "%s:%u", host, a->port);
}

static bool parse_port(const char *s, uint16_t *port)
{
	if (!*s || strlen(s) > 5)
		return false;
	unsigned v = 0;
	for (const char *q = s; *q; q++) {
		if (*q < '0' || *q > '9')
			return false;
		v = v * 10 + (unsigned)(*q - '0');
	}
	if (v == 0 || v > 65535 || s[0] == '0')
		return false;
	*port = (uint16_t)v;
	return true;
}

enum kb_rc spv_netaddr_split_hostport(char *host, size_t hostlen, uint16_t *port,
                                      const char *s, uint16_t default_port)
{
	if (hostlen)
		host[0] = '\0';
	*port = 0;
	const char *h = s, *colon = NULL;
	size_t hlen;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return KB_EINVAL;
		h = s + 1;
		hlen = (size_t)(close - h);
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1] != '\0')
			return KB_EINVAL;
	} else {
		const char *first = strchr(s, ':');
		if (first && !strchr(first + 1, ':'))
			colon = first; /* exactly one colon: host:port */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (hlen == 0 || hlen + 1 > hostlen || memchr(h, '\0', hlen))
		return KB_EINVAL;
	uint16_t p = default_port;
	if (colon && !parse_port(colon + 1, &p))
		return KB_EINVAL;
	if (p == 0)
		return KB_EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = p;
	return KB_OK;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *stem)
{
	size_t k = strlen(suffix);
	if (n <= k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = s[n - k + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return false;
	}
	*stem = n - k;
	return true;
}

enum kb_rc spv_netaddr_parse(struct spv_netaddr *out, const char *s,
                             uint16_t default_port, bool cjdns)
{
	memset(out, 0, sizeof *out);
	char host[128];
	uint16_t port;
	if (spv_netaddr_split_hostport(host, sizeof host, &port, s, default_port) != KB_OK)
		return KB_EINVAL;
	size_t n = strlen(host), stem;
	uint8_t raw[35];
	if (ends_with(host, n, ".onion", &stem)) {
		uint8_t ck[2];
		if (!b32_decode(raw, 35, host, stem) || raw[34] != 3)
			return KB_EINVAL;
		onion_checksum(ck, raw);
		if (ck[0] != raw[32] || ck[1] != raw[33])
			return KB_EINVAL;
		return spv_netaddr_set(out, SPV_NET_TORV3, raw, 32, port);
	}
	if (ends_with(host, n, ".b32.i2p", &stem)) {
		if (!b32_decode(raw, 32, host, stem))
			return KB_EINVAL;
		return spv_netaddr_set(out, SPV_NET_I2P, raw, 32, port);
	}
	if (inet_pton(AF_INET, host, raw) == 1)
		return spv_netaddr_set(out, SPV_NET_IPV4, raw, 4, port);
	if (inet_pton(AF_INET6, host, raw) == 1) {
		if (cjdns && raw[0] == 0xfc)
			return spv_netaddr_set(out, SPV_NET_CJDNS, raw, 16, port);
		spv_netaddr_from_legacy(out, raw, port);
		return KB_OK;
	}
	return KB_EINVAL;
}

/* ---- sockets ------------------------------------------------------------ */

enum kb_rc spv_netaddr_to_sockaddr(const struct spv_netaddr *a,
                                   struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	*len = 0;
	if (a->net == SPV_NET_IPV4 && a->len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->addr, 4);
		*len = sizeof *sin;
		return KB_OK;
	}
	if ((a->net == SPV_NET_IPV6 || a->net == SPV_NET_CJDNS) && a->len == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		*len = sizeof *sin6;
		return KB_OK;
	}
	return KB_EINVAL;
}

enum kb_rc spv_netaddr_from_sockaddr(struct spv_netaddr *out,
                                     const struct sockaddr *sa, socklen_t len)
{
	memset(out, 0, sizeof *out);
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, sa, sizeof sin);
		return spv_netaddr_set(out, SPV_NET_IPV4, (const uint8_t *)&sin.sin_addr, 4,
		                       ntohs(sin.sin_port));
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa, sizeof sin6);
		spv_netaddr_from_legacy(out, (const uint8_t *)&sin6.sin6_addr, ntohs(sin6.sin6_port));
		return KB_OK;
	}
	return KB_EINVAL;
}
