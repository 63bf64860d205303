#include "tests/support/testsupport.h"

#include "spv/msg.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

static const uint8_t MAIN[4] = { 0xf9, 0xbe, 0xb4, 0xd9 };
static const uint8_t REGTEST[4] = { 0xfa, 0xbf, 0xb5, 0xda };

/* Bitcoin's genesis header. */
static const char GENESIS_HDR[] =
	"0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd"
	"7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
/* The version message of the Bitcoin developer reference (/Satoshi:0.9.3/). */
static const char VERSION_HEX[] =
	"721101000100000000000000bc8f5e5400000000010000000000000000000000000000000000ffff"
	"c61b6409208d010000000000000000000000000000000000ffffcb0071c0208d128035cbc97953f8"
	"0f2f5361746f7368693a302e392e332fcf05050001";
/* The addr message of the developer reference (one entry, 192.0.2.51:8333). */
static const char ADDR_HEX[] =
	"01d91f4854010000000000000000000000000000000000ffffc0000233208d";

static uint8_t *unhex(const char *h, size_t *n)
{
	return ts_unhex(h, n);
}

/* Parses p as type, expects rc; on success checks the round trip. */
static void expect_parse(enum spv_msg_type type, const uint8_t *p, size_t n, enum kb_rc want)
{
	struct spv_msg m;
	enum kb_rc rc = spv_msg_parse(&m, type, p, n);
	if (rc != want)
		fail_msg("%s: got %s, want %s", spv_msg_command(type), kb_rc_str(rc), kb_rc_str(want));
	if (rc == KB_OK) {
		struct buf b = BUF_INIT;
		spv_msg_serialize(&b, &m);
		assert_int_equal(b.len, n);
		if (n)
			assert_memory_equal(b.p, p, n);
		buf_clear(&b);
		spv_msg_clear(&m);
	} else {
		/* a failed parse leaves nothing behind */
		struct spv_msg zero;
		memset(&zero, 0, sizeof zero);
		assert_memory_equal(&m, &zero, sizeof m);
	}
}

static void expect_hex(enum spv_msg_type type, const char *hex, enum kb_rc want)
{
	size_t n;
	uint8_t *p = unhex(hex, &n);
	expect_parse(type, p, n, want);
	kb_free(p);
}

static void frame(struct buf *b, const uint8_t magic[4], const char *cmd, const char *payload_hex)
{
	size_t n = 0;
	uint8_t *p = payload_hex[0] ? unhex(payload_hex, &n) : NULL;
	spv_msg_frame_raw(b, magic, cmd, p, n);
	kb_free(p);
}

static enum spv_frame_err decode(const struct buf *b, size_t *consumed, enum spv_msg_type *type)
{
	struct spv_msg m;
	enum spv_frame_err e = spv_frame_decode(&m, NULL, consumed, b->p, b->len, MAIN);
	*type = m.type;
	spv_msg_clear(&m);
	return e;
}

/* ---- misuse first --------------------------------------------------------- */

static void test_frame_misuse(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	size_t used;
	enum spv_msg_type type;

	/* short frames: need more, for every prefix of a good frame */
	frame(&b, MAIN, "ping", "0102030405060708");
	for (size_t n = 0; n < b.len; n++) {
		struct buf part = BUF_INIT;
		buf_bytes(&part, b.p, n);
		assert_int_equal(decode(&part, &used, &type), SPV_FRAME_NEED_MORE);
		assert_int_equal(used, 0);
		buf_clear(&part);
	}
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_OK);
	assert_int_equal(used, b.len);
	assert_int_equal(type, SPV_MSG_PING);

	/* wrong magic: another network, caught from the first byte */
	buf_reset(&b);
	frame(&b, REGTEST, "ping", "0102030405060708");
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_MAGIC);
	b.len = 1;
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_MAGIC);
	b.len = 3;
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_MAGIC);

	/* command: garbage after the NUL padding, control characters, empty */
	static const char *bad_cmd[] = { "ping\0x", "pi\x01g", "", "\x7f" };
	static const size_t bad_len[] = { 6, 4, 0, 1 };
	for (size_t i = 0; i < 4; i++) {
		buf_reset(&b);
		frame(&b, MAIN, "ping", "0102030405060708");
		memset(b.p + 4, 0, 12);
		memcpy(b.p + 4, bad_cmd[i], bad_len[i]);
		assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_COMMAND);
	}

	/* size caps: cap + 1 for known commands, the unknown default, the maximum */
	static const struct { const char *cmd; uint32_t len; } over[] = {
		{ "ping", 9 }, { "verack", 1 }, { "version", 345 }, { "headers", 162004 },
		{ "inv", 1800006 }, { "tx", SPV_MSG_MAX_TX + 1 }, { "filterload", 36013 },
		{ "somethingnew", SPV_MSG_UNKNOWN_MAX + 1 }, { "addr", 30004 },
		{ "getheaders", 3270 }, { "reject", 159 }, { "filteradd", 524 },
		{ "feefilter", 9 }, { "sendcmpct", 10 }, { "mempool", 1 },
	};
	for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
		buf_reset(&b);
		frame(&b, MAIN, over[i].cmd, "");
		b.p[16] = (uint8_t)over[i].len;
		b.p[17] = (uint8_t)(over[i].len >> 8);
		b.p[18] = (uint8_t)(over[i].len >> 16);
		b.p[19] = (uint8_t)(over[i].len >> 24);
		/* refused from the header alone, with no payload buffered */
		if (decode(&b, &used, &type) != SPV_FRAME_ERR_OVERSIZE)
			fail_msg("%s of %u bytes not refused", over[i].cmd, over[i].len);
		b.p[16] = (uint8_t)(over[i].len - 1);
		b.p[17] = (uint8_t)((over[i].len - 1) >> 8);
		b.p[18] = (uint8_t)((over[i].len - 1) >> 16);
		b.p[19] = (uint8_t)((over[i].len - 1) >> 24);
		if (decode(&b, &used, &type) != (over[i].len - 1 ? SPV_FRAME_NEED_MORE : SPV_FRAME_OK))
			fail_msg("%s of %u bytes refused", over[i].cmd, over[i].len - 1);
	}

	/* bad checksum */
	buf_reset(&b);
	frame(&b, MAIN, "ping", "0102030405060708");
	b.p[20] ^= 1;
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_CHECKSUM);
	b.p[20] ^= 1;
	b.p[24] ^= 1; /* payload changed under the checksum */
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_CHECKSUM);

	/* malformed payload, correct checksum */
	buf_reset(&b);
	frame(&b, MAIN, "ping", "01020304050607");
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_PAYLOAD);
	buf_reset(&b);
	frame(&b, MAIN, "verack", "");
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_OK);
	buf_reset(&b);
	frame(&b, MAIN, "inv", "fd51c3"); /* 50001 entries claimed */
	assert_int_equal(decode(&b, &used, &type), SPV_FRAME_ERR_PAYLOAD);
	buf_clear(&b);
}

static void test_parse_misuse(void **state)
{
	(void)state;
	/* unknown type, cap + 1 */
	struct spv_msg m;
	uint8_t z[16] = { 0 };
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_UNKNOWN, z, 0), KB_EINVAL);
	assert_int_equal(spv_msg_parse(&m, (enum spv_msg_type)99, z, 0), KB_EINVAL);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_PING, z, 9), KB_ELIMIT);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_VERACK, z, 1), KB_ELIMIT);

	/* empty messages take no bytes; fixed ones exactly theirs */
	expect_hex(SPV_MSG_VERACK, "", KB_OK);
	expect_hex(SPV_MSG_WTXIDRELAY, "", KB_OK);
	expect_hex(SPV_MSG_PING, "", KB_EPARSE);
	expect_hex(SPV_MSG_PONG, "01020304050607", KB_EPARSE);
	expect_hex(SPV_MSG_FEEFILTER, "e803000000000000", KB_OK);
	expect_hex(SPV_MSG_SENDCMPCT, "000200000000000000", KB_OK);
	expect_hex(SPV_MSG_SENDCMPCT, "020200000000000000", KB_EPARSE); /* bool 2 */
	expect_hex(SPV_MSG_SENDCMPCT, "0002000000000000", KB_EPARSE);

	/* version: truncated anywhere, trailing bytes, bad relay byte, UA cap */
	size_t n;
	uint8_t *v = unhex(VERSION_HEX, &n);
	for (size_t k = 0; k < n - 1; k++)
		if (spv_msg_parse(&m, SPV_MSG_VERSION, v, k) == KB_OK)
			fail_msg("version truncated to %zu parsed", k);
	expect_parse(SPV_MSG_VERSION, v, n - 1, KB_OK);   /* relay flag is optional */
	uint8_t *w = kb_malloc(n + 1);
	memcpy(w, v, n);
	w[n] = 0;
	expect_parse(SPV_MSG_VERSION, w, n + 1, KB_EPARSE); /* trailing byte */
	w[n - 1] = 2;
	expect_parse(SPV_MSG_VERSION, w, n, KB_EPARSE);     /* relay is a bool */
	kb_free(w);
	kb_free(v);
	{
		/* a 257-byte user agent is over the cap; 256 is fine */
		struct buf b = BUF_INIT;
		for (int ua = 256; ua <= 257; ua++) {
			buf_reset(&b);
			uint8_t fixed[80] = { 0 };
			buf_bytes(&b, fixed, 80);
			buf_varint(&b, (uint64_t)ua);
			for (int i = 0; i < ua; i++)
				buf_u8(&b, 'a');
			buf_u32le(&b, 1);
			expect_parse(SPV_MSG_VERSION, b.p, b.len, ua == 256 ? KB_OK : KB_ELIMIT);
		}
		/* non-canonical user agent length */
		buf_reset(&b);
		uint8_t fixed[80] = { 0 };
		buf_bytes(&b, fixed, 80);
		buf_u8(&b, 0xfd);
		buf_u16le(&b, 1);
		buf_u8(&b, 'a');
		buf_u32le(&b, 1);
		expect_parse(SPV_MSG_VERSION, b.p, b.len, KB_EPARSE);
		buf_clear(&b);
	}

	/* counts over their limits, before any entries */
	expect_hex(SPV_MSG_ADDR, "fde903", KB_ELIMIT);         /* 1001 */
	expect_hex(SPV_MSG_ADDRV2, "fde903", KB_ELIMIT);
	expect_hex(SPV_MSG_INV, "fd51c3", KB_ELIMIT);      /* 50001 */
	expect_hex(SPV_MSG_GETDATA, "fd51c3", KB_ELIMIT);
	expect_hex(SPV_MSG_NOTFOUND, "fd51c3", KB_ELIMIT);
	expect_hex(SPV_MSG_HEADERS, "fdd107", KB_ELIMIT);      /* 2001 */
	expect_hex(SPV_MSG_GETHEADERS, "7f11010066", KB_ELIMIT); /* 102 hashes */
	/* counts larger than the bytes that follow */
	expect_hex(SPV_MSG_ADDR, "02d91f4854010000000000000000000000000000000000ffffc0000233208d", KB_EPARSE);
	expect_hex(SPV_MSG_INV, "01", KB_EPARSE);
	expect_hex(SPV_MSG_HEADERS, "fdd007", KB_EPARSE);
	/* non-canonical counts */
	expect_hex(SPV_MSG_INV, "fd0000", KB_EPARSE);
	expect_hex(SPV_MSG_HEADERS, "fd0100", KB_EPARSE);
	expect_hex(SPV_MSG_ADDR, "fe00000000", KB_EPARSE);
	/* empty lists are fine */
	expect_hex(SPV_MSG_INV, "00", KB_OK);
	expect_hex(SPV_MSG_HEADERS, "00", KB_OK);
	/* trailing bytes */
	expect_hex(SPV_MSG_INV, "0000", KB_EPARSE);
	expect_hex(SPV_MSG_ADDR, "00ff", KB_EPARSE);
	/* headers: the transaction count must be zero (and canonical) */
	{
		struct buf b = BUF_INIT;
		size_t hn;
		uint8_t *g = unhex(GENESIS_HDR, &hn);
		buf_u8(&b, 1);
		buf_bytes(&b, g, 80);
		buf_u8(&b, 0);
		expect_parse(SPV_MSG_HEADERS, b.p, b.len, KB_OK);
		b.p[81] = 1;
		expect_parse(SPV_MSG_HEADERS, b.p, b.len, KB_EPARSE);
		b.len = 81;
		buf_u8(&b, 0xfd);
		buf_u16le(&b, 0);
		expect_parse(SPV_MSG_HEADERS, b.p, b.len, KB_EPARSE);
		b.len = 81; /* count missing */
		expect_parse(SPV_MSG_HEADERS, b.p, b.len, KB_EPARSE);
		kb_free(g);
		buf_clear(&b);
	}
	/* reject: message over 12, reason over 111, odd trailing bytes */
	expect_hex(SPV_MSG_REJECT, "0d" "61616161616161616161616161" "10" "00", KB_ELIMIT);
	{
		struct buf b = BUF_INIT;
		buf_varbytes(&b, "tx", 2);
		buf_u8(&b, 0x10);
		buf_varint(&b, 112);
		for (int i = 0; i < 112; i++)
			buf_u8(&b, 'r');
		expect_parse(SPV_MSG_REJECT, b.p, b.len, KB_ELIMIT);
		buf_reset(&b);
		buf_varbytes(&b, "tx", 2);
		buf_u8(&b, 0x10);
		buf_varbytes(&b, "bad", 3);
		buf_u8(&b, 0xaa); /* 1 byte: neither nothing nor a hash */
		expect_parse(SPV_MSG_REJECT, b.p, b.len, KB_EPARSE);
		buf_clear(&b);
	}
	/* filterload: 36001-byte filter, 51 hash functions */
	{
		struct buf b = BUF_INIT;
		buf_varint(&b, 36001);
		for (int i = 0; i < 36001; i++)
			buf_u8(&b, 0);
		buf_u32le(&b, 1);
		buf_u32le(&b, 0);
		buf_u8(&b, 0);
		expect_parse(SPV_MSG_FILTERLOAD, b.p, b.len, KB_ELIMIT);
		buf_reset(&b);
		buf_varbytes(&b, "\x01\x02", 2);
		buf_u32le(&b, 51);
		buf_u32le(&b, 0);
		buf_u8(&b, 0);
		expect_parse(SPV_MSG_FILTERLOAD, b.p, b.len, KB_ELIMIT);
		b.p[3] = 50;
		expect_parse(SPV_MSG_FILTERLOAD, b.p, b.len, KB_OK);
		buf_reset(&b);
		buf_varint(&b, 521);
		for (int i = 0; i < 521; i++)
			buf_u8(&b, 7);
		expect_parse(SPV_MSG_FILTERADD, b.p, b.len, KB_ELIMIT);
		b.len = 0;
		buf_varint(&b, 520);
		for (int i = 0; i < 520; i++)
			buf_u8(&b, 7);
		expect_parse(SPV_MSG_FILTERADD, b.p, b.len, KB_OK);
		buf_clear(&b);
	}
	/* merkleblock: zero transactions, too many, more hashes than txs */
	{
		struct buf b = BUF_INIT;
		uint8_t hdr[80] = { 0 };
		buf_bytes(&b, hdr, 80);
		buf_u32le(&b, 0);
		buf_u8(&b, 0);
		buf_u8(&b, 0);
		expect_parse(SPV_MSG_MERKLEBLOCK, b.p, b.len, KB_EPARSE);
		b.p[80] = (uint8_t)(SPV_MSG_MAX_BLOCK_TXS + 1);
		b.p[81] = (uint8_t)((SPV_MSG_MAX_BLOCK_TXS + 1) >> 8);
		expect_parse(SPV_MSG_MERKLEBLOCK, b.p, b.len, KB_ELIMIT);
		buf_reset(&b);
		buf_bytes(&b, hdr, 80);
		buf_u32le(&b, 1);
		buf_u8(&b, 2);
		for (int i = 0; i < 64; i++)
			buf_u8(&b, 1);
		buf_varbytes(&b, "\x01", 1);
		expect_parse(SPV_MSG_MERKLEBLOCK, b.p, b.len, KB_ELIMIT);
		buf_clear(&b);
	}
	/* tx: empty, and over 4,000,000 bytes */
	expect_hex(SPV_MSG_TX, "", KB_EPARSE);
	assert_int_equal(spv_msg_tx_parse(&m, z, SPV_MSG_MAX_TX + 1), KB_ELIMIT);
}

static void test_addrv2_rules(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct spv_msg m;
	/* an address longer than 512 bytes */
	buf_u8(&b, 1);
	buf_u32le(&b, 0);
	buf_u8(&b, 1);
	buf_u8(&b, 0x42);
	buf_varint(&b, 513);
	for (int i = 0; i < 513; i++)
		buf_u8(&b, 0);
	buf_u16be(&b, 8333);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_ADDRV2, b.p, b.len), KB_ELIMIT);
	/* a known network with the wrong length */
	buf_reset(&b);
	buf_u8(&b, 1);
	buf_u32le(&b, 0);
	buf_u8(&b, 1);
	buf_u8(&b, SPV_NET_IPV4);
	buf_varbytes(&b, "\x01\x02\x03\x04\x05", 5);
	buf_u16be(&b, 8333);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_ADDRV2, b.p, b.len), KB_EPARSE);
	/* non-canonical services */
	buf_reset(&b);
	buf_u8(&b, 1);
	buf_u32le(&b, 0);
	buf_u8(&b, 0xfd);
	buf_u16le(&b, 9);
	buf_u8(&b, SPV_NET_IPV4);
	buf_varbytes(&b, "\x01\x02\x03\x04", 4);
	buf_u16be(&b, 8333);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_ADDRV2, b.p, b.len), KB_EPARSE);

	/* skipped per BIP155: an unknown network, Tor v2, IPv4-in-IPv6; kept: the rest */
	static const uint8_t v6[16] = { 0x2a, 0x01, 0x04, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t v4in6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 };
	uint8_t key[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i + 1);
	struct { uint8_t net; const uint8_t *a; size_t len; bool kept; } e[] = {
		{ SPV_NET_IPV4, (const uint8_t *)"\x08\x08\x04\x04", 4, true },
		{ SPV_NET_IPV6, v6, 16, true },
		{ SPV_NET_TORV2, key, 10, false },
		{ SPV_NET_TORV3, key, 32, true },
		{ SPV_NET_I2P, key, 32, true },
		{ SPV_NET_CJDNS, (const uint8_t *)"\xfc\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16, true },
		{ 0x42, key, 7, false },
		{ SPV_NET_IPV6, v4in6, 16, false },
	};
	size_t ne = sizeof e / sizeof e[0];
	buf_reset(&b);
	buf_u8(&b, (uint8_t)ne);
	for (size_t i = 0; i < ne; i++) {
		buf_u32le(&b, 1700000000u + (uint32_t)i);
		buf_varint(&b, SPV_NODE_NETWORK | SPV_NODE_WITNESS | (i == 1 ? (UINT64_C(1) << 40) : 0));
		buf_u8(&b, e[i].net);
		buf_varbytes(&b, e[i].a, e[i].len);
		buf_u16be(&b, (uint16_t)(8333 + i));
	}
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_ADDRV2, b.p, b.len), KB_OK);
	assert_int_equal(m.u.addr.n, 5);
	assert_int_equal(m.u.addr.skipped, 3);
	size_t k = 0;
	for (size_t i = 0; i < ne; i++) {
		if (!e[i].kept)
			continue;
		assert_int_equal(m.u.addr.v[k].addr.net, e[i].net);
		assert_int_equal(m.u.addr.v[k].addr.port, 8333 + i);
		assert_int_equal(m.u.addr.v[k].time, 1700000000u + i);
		assert_memory_equal(m.u.addr.v[k].addr.addr, e[i].a, e[i].len);
		k++;
	}
	assert_int_equal(m.u.addr.v[1].services, SPV_NODE_NETWORK | SPV_NODE_WITNESS | (UINT64_C(1) << 40));
	char s[SPV_NETADDR_STRLEN];
	spv_netaddr_format(&m.u.addr.v[0].addr, true, s);
	assert_string_equal(s, "8.8.4.4:8333");
	/* what was kept round-trips through a message of only those entries */
	struct buf again = BUF_INIT;
	spv_msg_serialize(&again, &m);
	struct spv_msg m2;
	assert_int_equal(spv_msg_parse(&m2, SPV_MSG_ADDRV2, again.p, again.len), KB_OK);
	assert_int_equal(m2.u.addr.n, 5);
	assert_int_equal(m2.u.addr.skipped, 0);
	expect_parse(SPV_MSG_ADDRV2, again.p, again.len, KB_OK);
	spv_msg_clear(&m2);
	spv_msg_clear(&m);
	buf_clear(&again);
	buf_clear(&b);
}

/* ---- real messages and round trips ----------------------------------------- */

static void test_version_reference(void **state)
{
	(void)state;
	size_t n;
	uint8_t *p = unhex(VERSION_HEX, &n);
	struct spv_msg m;
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_VERSION, p, n), KB_OK);
	assert_int_equal(m.type, SPV_MSG_VERSION);
	assert_int_equal(m.u.version.version, 70002);
	assert_int_equal(m.u.version.services, SPV_NODE_NETWORK);
	assert_int_equal(m.u.version.timestamp, 1415483324);
	assert_int_equal(m.u.version.start_height, 329167);
	assert_true(m.u.version.has_relay);
	assert_true(m.u.version.relay);
	assert_string_equal(m.u.version.user_agent, "/Satoshi:0.9.3/");
	char s[SPV_NETADDR_STRLEN];
	spv_netaddr_format(&m.u.version.addr_recv.addr, true, s);
	assert_string_equal(s, "198.27.100.9:8333");
	spv_netaddr_format(&m.u.version.addr_from.addr, true, s);
	assert_string_equal(s, "203.0.113.192:8333");
	assert_int_equal(m.u.version.nonce, UINT64_C(0xf85379c9cb358012));
	spv_msg_clear(&m);
	expect_parse(SPV_MSG_VERSION, p, n, KB_OK);
	kb_free(p);

	size_t an;
	uint8_t *a = unhex(ADDR_HEX, &an);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_ADDR, a, an), KB_OK);
	assert_int_equal(m.u.addr.n, 1);
	assert_int_equal(m.u.addr.v[0].time, 1414012889);
	spv_netaddr_format(&m.u.addr.v[0].addr, true, s);
	assert_string_equal(s, "192.0.2.51:8333");
	spv_msg_clear(&m);
	expect_parse(SPV_MSG_ADDR, a, an, KB_OK);
	kb_free(a);
}

static void test_round_trips(void **state)
{
	(void)state;
	struct spv_msg m;
	struct buf b = BUF_INIT;

	/* each message built in code, serialised, parsed, serialised again */
	spv_msg_init(&m, SPV_MSG_VERSION);
	m.u.version.version = 70016;
	m.u.version.services = SPV_NODE_WITNESS;
	m.u.version.timestamp = 1700000000;
	assert_int_equal(spv_netaddr_parse(&m.u.version.addr_recv.addr, "[2a01:4f8::7]:8333", 1, false), KB_OK);
	m.u.version.nonce = 42;
	char longua[SPV_MSG_MAX_USER_AGENT + 2];
	memset(longua, 'u', sizeof longua - 1);
	longua[sizeof longua - 1] = '\0';
	assert_int_equal(spv_msg_version_set_user_agent(&m.u.version, longua), KB_ELIMIT);
	assert_int_equal(m.u.version.user_agent_len, 0);
	assert_int_equal(spv_msg_version_set_user_agent(&m.u.version, "/koban:0.1.0/"), KB_OK);
	assert_int_equal(m.u.version.user_agent_len, 13);
	m.u.version.start_height = -1;
	m.u.version.has_relay = true;
	m.u.version.relay = false;
	spv_msg_serialize(&b, &m);
	assert_int_equal(b.len, 4 + 8 + 8 + 26 + 26 + 8 + 1 + 13 + 4 + 1);
	expect_parse(SPV_MSG_VERSION, b.p, b.len, KB_OK);
	struct spv_msg back;
	assert_int_equal(spv_msg_parse(&back, SPV_MSG_VERSION, b.p, b.len), KB_OK);
	assert_true(spv_netaddr_equal(&back.u.version.addr_recv.addr, &m.u.version.addr_recv.addr));
	assert_int_equal(back.u.version.start_height, -1);
	spv_msg_clear(&back);

	/* inv of each type */
	static const uint32_t types[] = { SPV_INV_TX, SPV_INV_BLOCK, SPV_INV_FILTERED_BLOCK,
	                                  SPV_INV_WITNESS_TX, SPV_INV_WTX, SPV_INV_WITNESS_BLOCK,
	                                  SPV_INV_CMPCT_BLOCK, 0x12345 };
	for (int t = SPV_MSG_INV; t <= SPV_MSG_NOTFOUND; t++) {
		spv_msg_init(&m, (enum spv_msg_type)t);
		m.u.inv.n = sizeof types / sizeof types[0];
		m.u.inv.v = kb_calloc(m.u.inv.n, sizeof *m.u.inv.v);
		for (size_t i = 0; i < m.u.inv.n; i++) {
			m.u.inv.v[i].type = types[i];
			memset(m.u.inv.v[i].hash.b, (int)i + 1, 32);
		}
		buf_reset(&b);
		spv_msg_serialize(&b, &m);
		assert_int_equal(b.len, 1 + 36 * m.u.inv.n);
		expect_parse((enum spv_msg_type)t, b.p, b.len, KB_OK);
		spv_msg_clear(&m);
	}
	/* the maximum inv: 50000 entries */
	spv_msg_init(&m, SPV_MSG_INV);
	m.u.inv.n = SPV_MSG_MAX_INV;
	m.u.inv.v = kb_calloc(m.u.inv.n, sizeof *m.u.inv.v);
	buf_reset(&b);
	spv_msg_serialize(&b, &m);
	assert_true(b.len <= spv_msg_def_by_type(SPV_MSG_INV)->max_payload);
	expect_parse(SPV_MSG_INV, b.p, b.len, KB_OK);
	spv_msg_clear(&m);

	/* getheaders with a full locator */
	spv_msg_init(&m, SPV_MSG_GETHEADERS);
	m.u.getheaders.version = 70016;
	m.u.getheaders.n = SPV_MSG_MAX_LOCATOR;
	for (size_t i = 0; i < SPV_MSG_MAX_LOCATOR; i++)
		memset(m.u.getheaders.locator[i].b, (int)i, 32);
	buf_reset(&b);
	spv_msg_serialize(&b, &m);
	assert_int_equal(b.len, spv_msg_def_by_type(SPV_MSG_GETHEADERS)->max_payload);
	expect_parse(SPV_MSG_GETHEADERS, b.p, b.len, KB_OK);

	/* headers: 2000 genesis headers */
	size_t hn;
	uint8_t *g = unhex(GENESIS_HDR, &hn);
	spv_msg_init(&m, SPV_MSG_HEADERS);
	m.u.headers.n = SPV_MSG_MAX_HEADERS;
	m.u.headers.h = kb_calloc(m.u.headers.n, 80);
	for (size_t i = 0; i < m.u.headers.n; i++)
		memcpy(m.u.headers.h[i], g, 80);
	buf_reset(&b);
	spv_msg_serialize(&b, &m);
	assert_int_equal(b.len, spv_msg_def_by_type(SPV_MSG_HEADERS)->max_payload);
	expect_parse(SPV_MSG_HEADERS, b.p, b.len, KB_OK);
	spv_msg_clear(&m);
	kb_free(g);

	/* reject with and without hash */
	static const char *rejects[] = {
		"02747810" "23" "6d616e6461746f72792d7363726970742d7665726966792d666c61672d6661696c6564"
		"0101010101010101010101010101010101010101010101010101010101010101",
		"0776657273696f6e" "11" "086f62736f6c657465",
	};
	for (size_t i = 0; i < 2; i++)
		expect_hex(SPV_MSG_REJECT, rejects[i], KB_OK);
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_REJECT, (const uint8_t *)"\x02tx\x10\x03" "bad", 8), KB_OK);
	assert_string_equal(m.u.reject.message, "tx");
	assert_string_equal(m.u.reject.reason, "bad");
	assert_int_equal(m.u.reject.code, 0x10);
	assert_false(m.u.reject.has_hash);
	spv_msg_clear(&m);

	/* ping, pong, feefilter, sendcmpct, and the empty ones */
	expect_hex(SPV_MSG_PING, "0102030405060708", KB_OK);
	expect_hex(SPV_MSG_PONG, "ffffffffffffffff", KB_OK);
	expect_hex(SPV_MSG_FEEFILTER, "ffffffffffffffff", KB_OK);
	expect_hex(SPV_MSG_SENDCMPCT, "010100000000000000", KB_OK);
	static const enum spv_msg_type empties[] = { SPV_MSG_VERACK, SPV_MSG_SENDHEADERS, SPV_MSG_GETADDR,
	                                             SPV_MSG_SENDADDRV2, SPV_MSG_FILTERCLEAR, SPV_MSG_MEMPOOL,
	                                             SPV_MSG_WTXIDRELAY };
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		expect_parse(empties[i], NULL, 0, KB_OK);
		expect_hex(empties[i], "00", KB_ELIMIT); /* over the cap of 0 */
		struct spv_msg e;
		assert_int_equal(spv_msg_empty_parse(&e, (const uint8_t *)"", 1), KB_EPARSE);
	}

	/* filterload: Core's bloom_tests serialisation (3 elements, 0.01, tweak 0) */
	expect_hex(SPV_MSG_FILTERLOAD, "03614e9b050000000000000001", KB_OK);
	expect_hex(SPV_MSG_FILTERADD, "00", KB_OK);
	expect_hex(SPV_MSG_FILTERADD, "14" "0101010101010101010101010101010101010101", KB_OK);

	/* tx: the genesis coinbase, kept as raw bytes */
	expect_hex(SPV_MSG_TX,
		"01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d01"
		"04455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f6620"
		"7365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548"
		"271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b"
		"8d578a4c702b6bf11d5fac00000000", KB_OK);
	buf_clear(&b);
}

static void test_merkleblocks_real(void **state)
{
	(void)state;
	size_t n;
	uint8_t *p = ts_read_file("p2p/mainnet_merkleblock_300025.raw", &n);
	struct spv_msg m;
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_MERKLEBLOCK, p, n), KB_OK);
	assert_int_equal(m.u.merkleblock.total_txs, 461);
	assert_true(m.u.merkleblock.n_hashes > 0);
	spv_msg_clear(&m);
	expect_parse(SPV_MSG_MERKLEBLOCK, p, n, KB_OK);
	/* every truncation fails */
	for (size_t k = 0; k < n; k++)
		if (spv_msg_parse(&m, SPV_MSG_MERKLEBLOCK, p, k) == KB_OK)
			fail_msg("merkleblock truncated to %zu parsed", k);
	kb_free(p);

	/* Core's gettxoutproof output for blocks 830000 and 831332 */
	struct json *j = ts_load_json("p2p/mainnet_txoutproofs_830000_831332.json");
	const struct json *proofs = json_get(j, "proofs");
	struct vec v;
	vec_start(&v, "txoutproofs");
	for (size_t i = 0; proofs && i < proofs->count; i++) {
		const char *hex = json_get_str(json_at(proofs, i), "merkleblock_hex");
		if (!hex) {
			vec_fail(&v, i, "no merkleblock_hex");
			vec_case_end(&v);
			continue;
		}
		uint8_t *q = unhex(hex, &n);
		enum kb_rc rc = spv_msg_parse(&m, SPV_MSG_MERKLEBLOCK, q, n);
		if (rc != KB_OK) {
			vec_fail(&v, i, "parse: %s", kb_rc_str(rc));
		} else {
			struct buf b = BUF_INIT;
			spv_msg_serialize(&b, &m);
			if (b.len != n || memcmp(b.p, q, n) != 0)
				vec_fail(&v, i, "round trip differs");
			buf_clear(&b);
			spv_msg_clear(&m);
		}
		kb_free(q);
		vec_case_end(&v);
	}
	assert_int_equal(v.run, 11);
	vec_finish(&v);
	json_free(j);
}

static void test_table(void **state)
{
	(void)state;
	for (int t = 1; t < SPV_MSG_TYPE_COUNT; t++) {
		const struct spv_msg_def *d = spv_msg_def_by_type((enum spv_msg_type)t);
		assert_non_null(d);
		assert_int_equal(d->type, t);
		assert_true(d->max_payload <= SPV_MSG_MAX_PAYLOAD);
		char cmd[SPV_MSG_COMMAND_LEN] = { 0 };
		assert_true(strlen(d->command) <= SPV_MSG_COMMAND_LEN);
		memcpy(cmd, d->command, strlen(d->command));
		assert_ptr_equal(spv_msg_def_by_command(cmd), d);
	}
	assert_null(spv_msg_def_by_type(SPV_MSG_UNKNOWN));
	char cmd[SPV_MSG_COMMAND_LEN] = "addrv3";
	assert_null(spv_msg_def_by_command(cmd));
	char cmd2[SPV_MSG_COMMAND_LEN] = "add";
	assert_null(spv_msg_def_by_command(cmd2));
	assert_string_equal(spv_msg_command(SPV_MSG_ADDRV2), "addrv2");
	assert_string_equal(spv_msg_command(SPV_MSG_UNKNOWN), "?");
}

/* A stream of frames fed in every chunk size decodes to the same messages. */
static void test_reader_stream(void **state)
{
	(void)state;
	struct buf s = BUF_INIT;
	frame(&s, MAIN, "version", VERSION_HEX);
	frame(&s, MAIN, "verack", "");
	frame(&s, MAIN, "sendtxrcncl", "010000000102030405060708"); /* unknown: skipped */
	frame(&s, MAIN, "ping", "0102030405060708");
	frame(&s, MAIN, "addr", ADDR_HEX);
	static const enum spv_msg_type want[] = { SPV_MSG_VERSION, SPV_MSG_VERACK, SPV_MSG_UNKNOWN,
	                                          SPV_MSG_PING, SPV_MSG_ADDR };
	for (size_t chunk = 1; chunk <= s.len; chunk = chunk < 40 ? chunk + 1 : chunk * 2) {
		struct spv_frame_reader r;
		spv_frame_reader_init(&r, MAIN);
		size_t got = 0;
		for (size_t off = 0; off < s.len; off += chunk) {
			size_t k = s.len - off < chunk ? s.len - off : chunk;
			spv_frame_reader_feed(&r, s.p + off, k);
			struct spv_msg m;
			enum spv_frame_err e;
			while ((e = spv_frame_reader_next(&r, &m)) == SPV_FRAME_OK) {
				assert_true(got < 5);
				assert_int_equal(m.type, want[got]);
				if (want[got] == SPV_MSG_UNKNOWN)
					assert_string_equal(r.last.command, "sendtxrcncl");
				got++;
				spv_msg_clear(&m);
			}
			assert_int_equal(e, SPV_FRAME_NEED_MORE);
		}
		assert_int_equal(got, 5);
		assert_int_equal(spv_frame_reader_pending(&r), 0);
		spv_frame_reader_clear(&r);
	}
	/* an error sticks: garbage after a good frame */
	struct spv_frame_reader r;
	struct spv_msg m;
	spv_frame_reader_init(&r, MAIN);
	spv_frame_reader_feed(&r, s.p, s.len);
	spv_frame_reader_feed(&r, (const uint8_t *)"GET / HTTP/1.1\r\n", 16);
	int ok = 0;
	enum spv_frame_err e;
	while ((e = spv_frame_reader_next(&r, &m)) == SPV_FRAME_OK) {
		ok++;
		spv_msg_clear(&m);
	}
	assert_int_equal(ok, 5);
	assert_int_equal(e, SPV_FRAME_ERR_MAGIC);
	assert_int_equal(spv_frame_reader_next(&r, &m), SPV_FRAME_ERR_MAGIC);
	spv_frame_reader_feed(&r, s.p, s.len); /* ignored once failed */
	assert_int_equal(spv_frame_reader_next(&r, &m), SPV_FRAME_ERR_MAGIC);
	assert_string_equal(spv_frame_err_str(e), "wrong network magic");
	spv_frame_reader_clear(&r);
	buf_clear(&s);
}

static void test_frame_build(void **state)
{
	(void)state;
	/* verack on mainnet: the well-known 24 bytes */
	struct spv_msg m;
	struct buf b = BUF_INIT;
	spv_msg_init(&m, SPV_MSG_VERACK);
	spv_msg_frame(&b, MAIN, &m);
	char *h = wallet_hex_new(b.p, b.len);
	assert_string_equal(h, "f9beb4d976657261636b000000000000000000005df6e0e2");
	kb_free(h);
	/* a frame decodes to what was framed */
	buf_reset(&b);
	spv_msg_init(&m, SPV_MSG_PONG);
	m.u.nonce = 0x1122334455667788ULL;
	spv_msg_frame(&b, MAIN, &m);
	struct spv_msg out;
	struct spv_frame_hdr hdr;
	size_t used;
	assert_int_equal(spv_frame_decode(&out, &hdr, &used, b.p, b.len, MAIN), SPV_FRAME_OK);
	assert_int_equal(used, 32);
	assert_string_equal(hdr.command, "pong");
	assert_int_equal(out.type, SPV_MSG_PONG);
	assert_int_equal(out.u.nonce, 0x1122334455667788ULL);
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_misuse),
		cmocka_unit_test(test_parse_misuse),
		cmocka_unit_test(test_addrv2_rules),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_version_reference),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_merkleblocks_real),
		cmocka_unit_test(test_reader_stream),
		cmocka_unit_test(test_frame_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
