/* SOCKS5 client messages (RFC 1928): see spv/socks5.h. */
#include "spv/socks5.h"

#include <arpa/inet.h>
#include <string.h>

void spv_socks5_greeting(uint8_t out[SPV_SOCKS5_GREETING_LEN])
{
	out[0] = 5; /* version */
	out[1] = 1; /* one method */
	out[2] = 0; /* no authentication */
}

enum kb_rc spv_socks5_method_reply_parse(const uint8_t *p, size_t n)
{
	if (n != SPV_SOCKS5_METHOD_REPLY_LEN || p[0] != 5)
		return KB_EPARSE;
	return p[1] == 0 ? KB_OK : KB_EAUTH;
}

enum kb_rc spv_socks5_connect_request(struct buf *b, const char *host, uint16_t port)
{
	size_t len = strlen(host);
	if (len == 0 || len > 255 || port == 0)
		return KB_EINVAL;
	uint8_t a[16];
	buf_u8(b, 5); /* version */
	buf_u8(b, 1); /* CONNECT */
	buf_u8(b, 0); /* reserved */
	if (inet_pton(AF_INET, host, a) == 1) {
		buf_u8(b, 1);
		buf_bytes(b, a, 4);
	} else if (inet_pton(AF_INET6, host, a) == 1) {
		buf_u8(b, 4);
		buf_bytes(b, a, 16);
	} else {
		buf_u8(b, 3);
		buf_u8(b, (uint8_t)len);
		buf_bytes(b, host, len);
	}
	buf_u16be(b, port);
	return KB_OK;
}

enum kb_rc spv_socks5_reply_parse(const uint8_t *p, size_t n, size_t *consumed, uint8_t *rep)
{
	*consumed = 0;
	*rep = 0;
	/* version, reply, reserved, type: enough to know the length */
	if (n >= 1 && p[0] != 5)
		return KB_EPARSE;
	if (n >= 3 && p[2] != 0)
		return KB_EPARSE;
	if (n < 5)
		return KB_EAGAIN;
	size_t addr;
	switch (p[3]) {
	case 1: addr = 4; break;
	case 4: addr = 16; break;
	case 3:
		if (p[4] == 0)
			return KB_EPARSE;
		addr = 1u + p[4];
		break;
	default:
		return KB_EPARSE;
	}
	size_t total = 4 + addr + 2;
	/* a refusal is final even before its address arrives */
	if (p[1] != 0) {
		*rep = p[1];
		return KB_ENET;
	}
	if (n < total)
		return KB_EAGAIN;
	*consumed = total;
	return KB_OK;
}

const char *spv_socks5_rep_str(uint8_t rep)
{
	switch (rep) {
	case 0: return "succeeded";
	case 1: return "general SOCKS server failure";
	case 2: return "connection not allowed by ruleset";
	case 3: return "network unreachable";
	case 4: return "host unreachable";
	case 5: return "connection refused";
	case 6: return "TTL expired";
	case 7: return "command not supported";
	case 8: return "address type not supported";
	default: return "unknown SOCKS5 reply code";
	}
}
