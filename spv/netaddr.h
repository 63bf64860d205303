/*
 * Network addresses of peers, in every kind BIP155 (addrv2) knows: IPv4,
 * IPv6, Tor v3 onion services, I2P and CJDNS.
 *
 * A struct spv_netaddr is a fixed-size value: the BIP155 network id, the
 * address bytes in wire order (4, 16, 32, 32 or 16 of them) and the port.
 * Legacy 16-byte addresses (version, addr) map IPv4 through ::ffff:0:0/96,
 * as Bitcoin Core's CNetAddr::SetLegacyIPv6 does; any other 16 bytes are
 * IPv6 (Tor v2's OnionCat prefix is no longer special: Tor v2 is gone).
 *
 * Network groups (spv_netaddr_group) decide outbound diversity: at most one
 * outbound peer per group. IPv4 groups by /16, IPv6 by /32, Tor, I2P and
 * CJDNS by their network and the first 4 bits of the address (the key
 * space is the attacker's to choose there, so finer grouping buys nothing);
 * addresses that are not routable all fall into one "unroutable" group.
 *
 * All functions are pure and may be called from a loop callback.
 */
#ifndef KOBAN_SPV_NETADDR_H
#define KOBAN_SPV_NETADDR_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* BIP155 network ids. Never renumber: they are on the wire. */
enum spv_net {
	SPV_NET_IPV4 = 1,
	SPV_NET_IPV6 = 2,
	SPV_NET_TORV2 = 3, /* obsolete: parsed only to be skipped */
	SPV_NET_TORV3 = 4,
	SPV_NET_I2P = 5,
	SPV_NET_CJDNS = 6,
};

/* Address length of each known network (BIP155). */
#define SPV_NETADDR_IPV4_LEN 4
#define SPV_NETADDR_IPV6_LEN 16
#define SPV_NETADDR_TORV2_LEN 10
#define SPV_NETADDR_TORV3_LEN 32
#define SPV_NETADDR_I2P_LEN 32
#define SPV_NETADDR_CJDNS_LEN 16
/* The largest address BIP155 allows on the wire (any network). */
#define SPV_NETADDR_MAX_WIRE_LEN 512

struct spv_netaddr {
	uint8_t net;      /* enum spv_net */
	uint8_t len;      /* bytes used in addr: the network's length */
	uint8_t addr[32]; /* wire order; unused bytes are zero */
	uint16_t port;    /* host order */
};

/* Longest text spv_netaddr_format writes, with its NUL: an I2P name
 * (52 + ".b32.i2p") or "[" IPv6 "]" plus ":65535". */
#define SPV_NETADDR_STRLEN 72

/*
 * The length BIP155 requires for net, or 0 for an unknown network id.
 */
size_t spv_netaddr_net_len(uint8_t net);

/* A short name of the network: "ipv4", "ipv6", "onion", "i2p", "cjdns". */
const char *spv_netaddr_net_name(uint8_t net);

/*
 * Builds an address of network net from len bytes. KB_EINVAL when net is
 * unknown or obsolete (Tor v2) or len is not its length; *out is zeroed.
 */
enum kb_rc spv_netaddr_set(struct spv_netaddr *out, uint8_t net,
                           const uint8_t *addr, size_t len, uint16_t port) KB_WUR;

/* Reads a legacy 16-byte address (addr, version): IPv4-mapped becomes IPv4,
 * anything else is IPv6. Never fails. */
void spv_netaddr_from_legacy(struct spv_netaddr *out, const uint8_t in[16], uint16_t port);

/*
 * Writes the legacy 16-byte form: IPv4 as ::ffff:a.b.c.d, IPv6 (and CJDNS,
 * which lives in fc00::/8) as is. Returns false and writes 16 zero bytes
 * (the "unspecified" address Bitcoin Core sends for unknown addresses) for
 * Tor, I2P and anything else a legacy message cannot carry.
 */
bool spv_netaddr_to_legacy(const struct spv_netaddr *a, uint8_t out[16]);

/* Equality of network, bytes and port. */
bool spv_netaddr_equal(const struct spv_netaddr *a, const struct spv_netaddr *b);

/*
 * True for an address worth dialling or gossiping: not unspecified, not
 * loopback, private (RFC1918, fc00::/7 as IPv6), link-local, shared (RFC6598),
 * documentation, benchmarking, ORCHID, multicast, broadcast, reserved,
 * Bitcoin Core's internal fd6b:88c0:8724::/48, or IPv4-mapped IPv6 (an
 * IPv4 address must travel as IPv4). Tor v3, I2P and CJDNS (fc00::/8) are
 * routable. Port 0 never is.
 */
bool spv_netaddr_is_routable(const struct spv_netaddr *a);

/* True for 127.0.0.0/8 and ::1. */
bool spv_netaddr_is_loopback(const struct spv_netaddr *a);

/*
 * The network group of a, for "at most one outbound peer per group": equal
 * groups compare equal with memcmp over len bytes. The first byte is the
 * network id (0 for the unroutable group); then the /16 of IPv4 or the /32
 * of IPv6, or the first four bits of Tor, I2P and CJDNS addresses. IPv6
 * that embeds IPv4 (6to4 2002::/16, Teredo 2001::/32, NAT64 64:ff9b::/96)
 * groups by the embedded IPv4 /16, so one host cannot pose as many groups.
 */
struct spv_netgroup {
	uint8_t b[5];
	uint8_t len;
};
void spv_netaddr_group(struct spv_netgroup *out, const struct spv_netaddr *a);
bool spv_netgroup_equal(const struct spv_netgroup *a, const struct spv_netgroup *b);

/*
 * Formats a as "1.2.3.4:8333", "[2001:db8::1]:8333", "<56 chars>.onion:8333"
 * or "<52 chars>.b32.i2p:0" (with_port false leaves the port out). out must
 * hold SPV_NETADDR_STRLEN bytes. An address of an unknown network formats
 * as "?".
 */
void spv_netaddr_format(const struct spv_netaddr *a, bool with_port, char out[SPV_NETADDR_STRLEN]);

/*
 * Parses an address literal with an optional port: "1.2.3.4", "1.2.3.4:8333",
 * "::1", "[::1]:8333", "<name>.onion[:port]" (Tor v3, its checksum and
 * version checked), "<name>.b32.i2p[:port]". default_port is used when no
 * port is given. fc00::/8 parses as CJDNS only when cjdns is true (the
 * caller knows whether it uses a CJDNS network), otherwise as IPv6.
 * KB_EINVAL for anything else, host names included (resolve those with
 * spv_resolver in spv/loop.h); *out is zeroed on failure.
 */
enum kb_rc spv_netaddr_parse(struct spv_netaddr *out, const char *s,
                             uint16_t default_port, bool cjdns) KB_WUR;

/*
 * Splits "host[:port]" or "[v6]:port" into a host and a port, for names
 * that still need resolving. host gets at most hostlen - 1 bytes plus NUL.
 * KB_EINVAL for an empty host, a bad or zero port, or a host too long.
 */
enum kb_rc spv_netaddr_split_hostport(char *host, size_t hostlen, uint16_t *port,
                                      const char *s, uint16_t default_port) KB_WUR;

/* Conversions to and from socket addresses (IPv4 and IPv6 only; CJDNS is
 * IPv6 to the kernel). KB_EINVAL for another network or family. */
enum kb_rc spv_netaddr_to_sockaddr(const struct spv_netaddr *a,
                                   struct sockaddr_storage *ss, socklen_t *len) KB_WUR;
enum kb_rc spv_netaddr_from_sockaddr(struct spv_netaddr *out,
                                     const struct sockaddr *sa, socklen_t len) KB_WUR;

#endif
