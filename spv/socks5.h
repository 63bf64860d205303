/*
 * SOCKS5 client messages (RFC 1928), no authentication: what koban sends
 * to a proxy such as Tor and how it reads the answers. Host names go to
 * the proxy as domain names (ATYP 3), so the proxy resolves them and no
 * name is looked up locally; onion addresses are host names to SOCKS.
 *
 * The exchange: greeting {5, 1, 0} -> method reply {5, 0}; connect request
 * {5, 1, 0, ATYP, address, port} -> reply {5, REP, 0, ATYP, address, port}.
 * Every function is pure (a fuzz target calls the reply parsers) and may
 * be called from a loop callback.
 */
#ifndef KOBAN_SPV_SOCKS5_H
#define KOBAN_SPV_SOCKS5_H

#include "wallet/buf.h"
#include "wallet/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SPV_SOCKS5_GREETING_LEN 3
#define SPV_SOCKS5_METHOD_REPLY_LEN 2
/* The longest reply: 4 + 1 + 255 (domain) + 2. */
#define SPV_SOCKS5_REPLY_MAX 262

/* Writes the greeting: version 5, one method, "no authentication". */
void spv_socks5_greeting(uint8_t out[SPV_SOCKS5_GREETING_LEN]);

/*
 * Checks the method reply (exactly 2 bytes). KB_OK for {5, 0}; KB_EAUTH
 * when the proxy wants authentication (or refuses every method, 0xff);
 * KB_EPARSE for another version byte or a wrong length.
 */
enum kb_rc spv_socks5_method_reply_parse(const uint8_t *p, size_t n) KB_WUR;

/*
 * Appends a CONNECT request for host:port to b. host is an IPv4 or IPv6
 * literal (sent as ATYP 1 or 4) or a name (ATYP 3, at most 255 bytes,
 * resolved by the proxy). KB_EINVAL for an empty or too long name or port
 * 0; nothing is appended then.
 */
enum kb_rc spv_socks5_connect_request(struct buf *b, const char *host, uint16_t port) KB_WUR;

/*
 * Reads a CONNECT reply from the front of p[0..n):
 *  - KB_EAGAIN: not all of it yet (*consumed 0);
 *  - KB_OK: succeeded, *consumed = the reply's length (what follows is
 *    the peer's data);
 *  - KB_ENET: the proxy refused; *rep is the reply code (1..8, or other);
 *  - KB_EPARSE: not a SOCKS5 reply (version, reserved byte, address type).
 * *consumed and *rep are set to 0 first.
 */
enum kb_rc spv_socks5_reply_parse(const uint8_t *p, size_t n, size_t *consumed,
                                  uint8_t *rep) KB_WUR;

/* RFC 1928's words for a reply code ("connection refused", ...). */
const char *spv_socks5_rep_str(uint8_t rep);

#endif
