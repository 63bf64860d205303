/*
 * P2P messages: see spv/msg.h for the contract. Layouts follow Bitcoin
 * Core's protocol.h/net_processing.cpp and the BIPs named there.
 */
#include "spv/msg.h"

#include "wallet/cursor.h"
#include "wallet/mem.h"

#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

/*
 * cursor_count, plus a note of whether the count was over max (so the
 * caller can say KB_ELIMIT rather than KB_EPARSE).
 */
static size_t wire_count(struct cursor *c, uint64_t max, size_t min_each, bool *over)
{
	struct cursor peek = *c;
	uint64_t v = cursor_varint(&peek);
	if (!peek.fail && v > max)
		*over = true;
	return cursor_count(c, max, min_each);
}

static enum kb_rc finish(struct cursor *c, bool over)
{
	if (over)
		return KB_ELIMIT;
	return cursor_done(c) ? KB_OK : KB_EPARSE;
}

static void read_vaddr(struct cursor *c, struct spv_msg_vaddr *a)
{
	uint8_t ip[16];
	a->services = cursor_u64le(c);
	cursor_bytes(c, ip, 16);
	uint16_t port = cursor_u16be(c);
	spv_netaddr_from_legacy(&a->addr, ip, port);
}

static void write_vaddr(struct buf *b, const struct spv_msg_vaddr *a)
{
	uint8_t ip[16];
	buf_u64le(b, a->services);
	(void)spv_netaddr_to_legacy(&a->addr, ip);
	buf_bytes(b, ip, 16);
	buf_u16be(b, a->addr.port);
}

/* ---- version ------------------------------------------------------------ */

enum kb_rc spv_msg_version_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_version *v = &m->u.version;
	struct cursor c;
	bool over = false;
	memset(v, 0, sizeof *v);
	cursor_init(&c, p, n);
	v->version = cursor_i32le(&c);
	v->services = cursor_u64le(&c);
	v->timestamp = cursor_i64le(&c);
	read_vaddr(&c, &v->addr_recv);
	read_vaddr(&c, &v->addr_from);
	v->nonce = cursor_u64le(&c);
	size_t ua = wire_count(&c, SPV_MSG_MAX_USER_AGENT, 1, &over);
	cursor_bytes(&c, v->user_agent, ua);
	v->user_agent[ua] = '\0';
	v->user_agent_len = ua;
	v->start_height = cursor_i32le(&c);
	if (cursor_ok(&c) && c.n > 0) {
		/* BIP37 relay flag; a bool on the wire, so only 0 and 1 */
		uint8_t relay = cursor_u8(&c);
		if (relay > 1)
			cursor_fail(&c);
		v->has_relay = true;
		v->relay = relay == 1;
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK)
		memset(v, 0, sizeof *v);
	return rc;
}

enum kb_rc spv_msg_version_set_user_agent(struct spv_msg_version *v, const char *ua)
{
	size_t n = strlen(ua);
	if (n > SPV_MSG_MAX_USER_AGENT)
		return KB_ELIMIT;
	memcpy(v->user_agent, ua, n + 1);
	v->user_agent_len = n;
	return KB_OK;
}

static void version_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_version *v = &m->u.version;
	KB_ASSERT(v->user_agent_len <= SPV_MSG_MAX_USER_AGENT);
	buf_u32le(b, (uint32_t)v->version);
	buf_u64le(b, v->services);
	buf_u64le(b, (uint64_t)v->timestamp);
	write_vaddr(b, &v->addr_recv);
	write_vaddr(b, &v->addr_from);
	buf_u64le(b, v->nonce);
	buf_varbytes(b, v->user_agent, v->user_agent_len);
	buf_u32le(b, (uint32_t)v->start_height);
	if (v->has_relay)
		buf_u8(b, v->relay ? 1 : 0);
}

/* ---- empty, nonce, feefilter, sendcmpct --------------------------------- */

enum kb_rc spv_msg_empty_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	(void)m;
	(void)p;
	return n == 0 ? KB_OK : KB_EPARSE;
}

static void empty_serialize(struct buf *b, const struct spv_msg *m)
{
	(void)b;
	(void)m;
}

enum kb_rc spv_msg_nonce_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct cursor c;
	cursor_init(&c, p, n);
	m->u.nonce = cursor_u64le(&c);
	if (!cursor_done(&c)) {
		m->u.nonce = 0;
		return KB_EPARSE;
	}
	return KB_OK;
}

static void nonce_serialize(struct buf *b, const struct spv_msg *m)
{
	buf_u64le(b, m->u.nonce);
}

enum kb_rc spv_msg_feefilter_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct cursor c;
	cursor_init(&c, p, n);
	m->u.feerate = cursor_i64le(&c);
	if (!cursor_done(&c)) {
		m->u.feerate = 0;
		return KB_EPARSE;
	}
	return KB_OK;
}

static void feefilter_serialize(struct buf *b, const struct spv_msg *m)
{
	buf_u64le(b, (uint64_t)m->u.feerate);
}

enum kb_rc spv_msg_sendcmpct_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_sendcmpct *s = &m->u.sendcmpct;
	struct cursor c;
	cursor_init(&c, p, n);
	uint8_t announce = cursor_u8(&c);
	s->version = cursor_u64le(&c);
	if (announce > 1)
		cursor_fail(&c);
	s->announce = announce == 1;
	if (!cursor_done(&c)) {
		memset(s, 0, sizeof *s);
		return KB_EPARSE;
	}
	return KB_OK;
}

static void sendcmpct_serialize(struct buf *b, const struct spv_msg *m)
{
	buf_u8(b, m->u.sendcmpct.announce ? 1 : 0);
	buf_u64le(b, m->u.sendcmpct.version);
}

/* ---- addr, addrv2 -------------------------------------------------------- */

#define ADDR_V1_ENTRY 30u /* time 4, services 8, ip 16, port 2 */
/* time 4, services >= 1, network 1, length >= 1, port 2 */
#define ADDR_V2_MIN_ENTRY 9u
/* time 4, services <= 9, network 1, length <= 3, address <= 512, port 2 */
#define ADDR_V2_MAX_ENTRY (4u + 9u + 1u + 3u + SPV_NETADDR_MAX_WIRE_LEN + 2u)

enum kb_rc spv_msg_addr_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_addr *a = &m->u.addr;
	struct cursor c;
	bool over = false;
	memset(a, 0, sizeof *a);
	cursor_init(&c, p, n);
	size_t count = wire_count(&c, SPV_MSG_MAX_ADDR, ADDR_V1_ENTRY, &over);
	if (cursor_ok(&c) && count) {
		a->v = kb_calloc(count, sizeof *a->v);
		a->n = count;
	}
	for (size_t i = 0; i < count && cursor_ok(&c); i++) {
		struct spv_msg_addr_entry *e = &a->v[i];
		uint8_t ip[16];
		e->time = cursor_u32le(&c);
		e->services = cursor_u64le(&c);
		cursor_bytes(&c, ip, 16);
		uint16_t port = cursor_u16be(&c);
		spv_netaddr_from_legacy(&e->addr, ip, port);
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK) {
		kb_free(a->v);
		memset(a, 0, sizeof *a);
	}
	return rc;
}

static void addr_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_addr *a = &m->u.addr;
	KB_ASSERT(a->n <= SPV_MSG_MAX_ADDR);
	buf_varint(b, a->n);
	for (size_t i = 0; i < a->n; i++) {
		uint8_t ip[16];
		buf_u32le(b, a->v[i].time);
		buf_u64le(b, a->v[i].services);
		(void)spv_netaddr_to_legacy(&a->v[i].addr, ip);
		buf_bytes(b, ip, 16);
		buf_u16be(b, a->v[i].addr.port);
	}
}

/* The OnionCat prefix Tor v2 used inside IPv6 (fd87:d87e:eb43::/48). */
static const uint8_t torv2_in_v6[6] = { 0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43 };
static const uint8_t v4_in_v6[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

enum kb_rc spv_msg_addrv2_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_addr *a = &m->u.addr;
	struct cursor c;
	bool over = false;
	memset(a, 0, sizeof *a);
	cursor_init(&c, p, n);
	size_t count = wire_count(&c, SPV_MSG_MAX_ADDR, ADDR_V2_MIN_ENTRY, &over);
	if (cursor_ok(&c) && count)
		a->v = kb_calloc(count, sizeof *a->v);
	for (size_t i = 0; i < count && cursor_ok(&c); i++) {
		struct spv_msg_addr_entry *e = &a->v[a->n];
		uint32_t time = cursor_u32le(&c);
		uint64_t services = cursor_varint(&c);
		uint8_t net = cursor_u8(&c);
		size_t len = wire_count(&c, SPV_NETADDR_MAX_WIRE_LEN, 1, &over);
		const uint8_t *addr = cursor_ptr(&c, len);
		uint16_t port = cursor_u16be(&c);
		if (!cursor_ok(&c))
			break;
		size_t want = spv_netaddr_net_len(net);
		if (want == 0) {
			a->skipped++; /* a network from the future: skip it (BIP155) */
			continue;
		}
		if (len != want) {
			cursor_fail(&c); /* BIP155: a known network's length is fixed */
			break;
		}
		if (net == SPV_NET_TORV2 ||
		    (net == SPV_NET_IPV6 && (memcmp(addr, v4_in_v6, sizeof v4_in_v6) == 0 ||
		                             memcmp(addr, torv2_in_v6, sizeof torv2_in_v6) == 0))) {
			/* obsolete Tor v2, or an embedding that must travel natively */
			a->skipped++;
			continue;
		}
		e->time = time;
		e->services = services;
		if (spv_netaddr_set(&e->addr, net, addr, len, port) != KB_OK) {
			cursor_fail(&c);
			break;
		}
		a->n++;
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK) {
		kb_free(a->v);
		memset(a, 0, sizeof *a);
	} else if (a->n == 0) {
		kb_free(a->v);
		a->v = NULL;
	}
	return rc;
}

static void addrv2_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_addr *a = &m->u.addr;
	KB_ASSERT(a->n <= SPV_MSG_MAX_ADDR);
	buf_varint(b, a->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct spv_msg_addr_entry *e = &a->v[i];
		KB_ASSERT(e->addr.len == spv_netaddr_net_len(e->addr.net));
		buf_u32le(b, e->time);
		buf_varint(b, e->services);
		buf_u8(b, e->addr.net);
		buf_varbytes(b, e->addr.addr, e->addr.len);
		buf_u16be(b, e->addr.port);
	}
}

/* ---- inv, getdata, notfound --------------------------------------------- */

enum kb_rc spv_msg_inv_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_inv *inv = &m->u.inv;
	struct cursor c;
	bool over = false;
	memset(inv, 0, sizeof *inv);
	cursor_init(&c, p, n);
	size_t count = wire_count(&c, SPV_MSG_MAX_INV, 36, &over);
	if (cursor_ok(&c) && count) {
		inv->v = kb_calloc(count, sizeof *inv->v);
		inv->n = count;
	}
	for (size_t i = 0; i < count && cursor_ok(&c); i++) {
		inv->v[i].type = cursor_u32le(&c);
		cursor_bytes(&c, inv->v[i].hash.b, 32);
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK) {
		kb_free(inv->v);
		memset(inv, 0, sizeof *inv);
	}
	return rc;
}

static void inv_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_inv *inv = &m->u.inv;
	KB_ASSERT(inv->n <= SPV_MSG_MAX_INV);
	buf_varint(b, inv->n);
	for (size_t i = 0; i < inv->n; i++) {
		buf_u32le(b, inv->v[i].type);
		buf_bytes(b, inv->v[i].hash.b, 32);
	}
}

/* ---- getheaders, headers ------------------------------------------------- */

enum kb_rc spv_msg_getheaders_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_getheaders *g = &m->u.getheaders;
	struct cursor c;
	bool over = false;
	memset(g, 0, sizeof *g);
	cursor_init(&c, p, n);
	g->version = cursor_u32le(&c);
	g->n = wire_count(&c, SPV_MSG_MAX_LOCATOR, 32, &over);
	for (size_t i = 0; i < g->n; i++)
		cursor_bytes(&c, g->locator[i].b, 32);
	cursor_bytes(&c, g->stop.b, 32);
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK)
		memset(g, 0, sizeof *g);
	return rc;
}

static void getheaders_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_getheaders *g = &m->u.getheaders;
	KB_ASSERT(g->n <= SPV_MSG_MAX_LOCATOR);
	buf_u32le(b, g->version);
	buf_varint(b, g->n);
	for (size_t i = 0; i < g->n; i++)
		buf_bytes(b, g->locator[i].b, 32);
	buf_bytes(b, g->stop.b, 32);
}

enum kb_rc spv_msg_headers_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_headers *h = &m->u.headers;
	struct cursor c;
	bool over = false;
	memset(h, 0, sizeof *h);
	cursor_init(&c, p, n);
	size_t count = wire_count(&c, SPV_MSG_MAX_HEADERS, 81, &over);
	if (cursor_ok(&c) && count) {
		h->h = kb_calloc(count, sizeof *h->h);
		h->n = count;
	}
	for (size_t i = 0; i < count && cursor_ok(&c); i++) {
		cursor_bytes(&c, h->h[i], 80);
		/* the transaction count of a headers entry: always zero */
		if (cursor_varint(&c) != 0)
			cursor_fail(&c);
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK) {
		kb_free(h->h);
		memset(h, 0, sizeof *h);
	}
	return rc;
}

static void headers_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_headers *h = &m->u.headers;
	KB_ASSERT(h->n <= SPV_MSG_MAX_HEADERS);
	buf_varint(b, h->n);
	for (size_t i = 0; i < h->n; i++) {
		buf_bytes(b, h->h[i], 80);
		buf_u8(b, 0);
	}
}

/* ---- reject (BIP61, read only in practice) -------------------------------- */

enum kb_rc spv_msg_reject_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_reject *r = &m->u.reject;
	struct cursor c;
	bool over = false;
	memset(r, 0, sizeof *r);
	cursor_init(&c, p, n);
	r->message_len = wire_count(&c, SPV_MSG_COMMAND_LEN, 1, &over);
	cursor_bytes(&c, r->message, r->message_len);
	r->code = cursor_u8(&c);
	r->reason_len = wire_count(&c, SPV_MSG_MAX_REJECT_REASON, 1, &over);
	cursor_bytes(&c, r->reason, r->reason_len);
	if (cursor_ok(&c) && c.n == 32) {
		r->has_hash = true;
		cursor_bytes(&c, r->hash.b, 32);
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK)
		memset(r, 0, sizeof *r);
	return rc;
}

static void reject_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_reject *r = &m->u.reject;
	KB_ASSERT(r->message_len <= SPV_MSG_COMMAND_LEN &&
	          r->reason_len <= SPV_MSG_MAX_REJECT_REASON);
	buf_varbytes(b, r->message, r->message_len);
	buf_u8(b, r->code);
	buf_varbytes(b, r->reason, r->reason_len);
	if (r->has_hash)
		buf_bytes(b, r->hash.b, 32);
}

/* ---- BIP37 --------------------------------------------------------------- */

enum kb_rc spv_msg_filterload_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_filterload *f = &m->u.filterload;
	struct cursor c;
	bool over = false;
	memset(f, 0, sizeof *f);
	cursor_init(&c, p, n);
	f->len = wire_count(&c, SPV_MSG_MAX_FILTER, 1, &over);
	cursor_bytes(&c, f->filter, f->len);
	f->hash_funcs = cursor_u32le(&c);
	f->tweak = cursor_u32le(&c);
	f->flags = cursor_u8(&c);
	if (cursor_ok(&c) && f->hash_funcs > SPV_MSG_MAX_HASH_FUNCS) {
		over = true;
		cursor_fail(&c);
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK)
		memset(f, 0, sizeof *f);
	return rc;
}

static void filterload_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_filterload *f = &m->u.filterload;
	KB_ASSERT(f->len <= SPV_MSG_MAX_FILTER && f->hash_funcs <= SPV_MSG_MAX_HASH_FUNCS);
	buf_varbytes(b, f->filter, f->len);
	buf_u32le(b, f->hash_funcs);
	buf_u32le(b, f->tweak);
	buf_u8(b, f->flags);
}

enum kb_rc spv_msg_filteradd_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_filteradd *f = &m->u.filteradd;
	struct cursor c;
	bool over = false;
	memset(f, 0, sizeof *f);
	cursor_init(&c, p, n);
	f->len = wire_count(&c, SPV_MSG_MAX_FILTERADD, 1, &over);
	cursor_bytes(&c, f->data, f->len);
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK)
		memset(f, 0, sizeof *f);
	return rc;
}

static void filteradd_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_filteradd *f = &m->u.filteradd;
	KB_ASSERT(f->len <= SPV_MSG_MAX_FILTERADD);
	buf_varbytes(b, f->data, f->len);
}

/*
 * Flag bytes a partial merkle tree over total transactions can need: one
 * bit per node visited, and a tree of t leaves has fewer than 2t + 32
 * nodes (each level ceil-halves; at most 15 levels for SPV_MSG_MAX_BLOCK_TXS).
 */
static size_t merkle_max_flag_bytes(uint32_t total)
{
	return (2 * (size_t)total + 32 + 7) / 8;
}

enum kb_rc spv_msg_merkleblock_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_merkleblock *mb = &m->u.merkleblock;
	struct cursor c;
	bool over = false;
	memset(mb, 0, sizeof *mb);
	cursor_init(&c, p, n);
	cursor_bytes(&c, mb->header, 80);
	mb->total_txs = cursor_u32le(&c);
	if (cursor_ok(&c) && mb->total_txs == 0)
		cursor_fail(&c);
	if (cursor_ok(&c) && mb->total_txs > SPV_MSG_MAX_BLOCK_TXS) {
		over = true;
		cursor_fail(&c);
	}
	mb->n_hashes = wire_count(&c, mb->total_txs, 32, &over);
	if (cursor_ok(&c) && mb->n_hashes) {
		mb->hashes = kb_calloc(mb->n_hashes, sizeof *mb->hashes);
		for (size_t i = 0; i < mb->n_hashes; i++)
			cursor_bytes(&c, mb->hashes[i].b, 32);
	}
	mb->n_flags = wire_count(&c, merkle_max_flag_bytes(mb->total_txs), 1, &over);
	if (cursor_ok(&c) && mb->n_flags) {
		mb->flags = kb_malloc(mb->n_flags);
		cursor_bytes(&c, mb->flags, mb->n_flags);
	}
	enum kb_rc rc = finish(&c, over);
	if (rc != KB_OK) {
		kb_free(mb->hashes);
		kb_free(mb->flags);
		memset(mb, 0, sizeof *mb);
	}
	return rc;
}

static void merkleblock_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_merkleblock *mb = &m->u.merkleblock;
	buf_bytes(b, mb->header, 80);
	buf_u32le(b, mb->total_txs);
	buf_varint(b, mb->n_hashes);
	for (size_t i = 0; i < mb->n_hashes; i++)
		buf_bytes(b, mb->hashes[i].b, 32);
	buf_varbytes(b, mb->flags, mb->n_flags);
}

/* ---- tx ----------------------------------------------------------------- */

enum kb_rc spv_msg_tx_parse(struct spv_msg *m, const uint8_t *p, size_t n)
{
	struct spv_msg_tx *t = &m->u.tx;
	memset(t, 0, sizeof *t);
	if (n > SPV_MSG_MAX_TX)
		return KB_ELIMIT;
	if (n == 0)
		return KB_EPARSE;
	t->raw = kb_malloc(n);
	memcpy(t->raw, p, n);
	t->len = n;
	return KB_OK;
}

static void tx_serialize(struct buf *b, const struct spv_msg *m)
{
	buf_bytes(b, m->u.tx.raw, m->u.tx.len);
}

/* ---- the table ------------------------------------------------------------ */

/* Caps: the largest payload each message can have within its limits. */
#define CAP_VERSION (4 + 8 + 8 + 26 + 26 + 8 + 3 + SPV_MSG_MAX_USER_AGENT + 4 + 1)
#define CAP_ADDR (3 + SPV_MSG_MAX_ADDR * ADDR_V1_ENTRY)
#define CAP_ADDRV2 (3 + SPV_MSG_MAX_ADDR * ADDR_V2_MAX_ENTRY)
#define CAP_INV (5 + SPV_MSG_MAX_INV * 36)
#define CAP_GETHEADERS (4 + 1 + SPV_MSG_MAX_LOCATOR * 32 + 32)
#define CAP_HEADERS (3 + SPV_MSG_MAX_HEADERS * 81)
#define CAP_REJECT (1 + SPV_MSG_COMMAND_LEN + 1 + 1 + SPV_MSG_MAX_REJECT_REASON + 32)
#define CAP_FILTERLOAD (3 + SPV_MSG_MAX_FILTER + 4 + 4 + 1)
#define CAP_FILTERADD (3 + SPV_MSG_MAX_FILTERADD)
#define CAP_MERKLEBLOCK (80 + 4 + 3 + SPV_MSG_MAX_BLOCK_TXS * 32 + 3 + \
                         (2 * SPV_MSG_MAX_BLOCK_TXS + 32 + 7) / 8)

static const struct spv_msg_def msg_defs[] = {
	{ "version", SPV_MSG_VERSION, CAP_VERSION, spv_msg_version_parse, version_serialize },
	{ "verack", SPV_MSG_VERACK, 0, spv_msg_empty_parse, empty_serialize },
	{ "ping", SPV_MSG_PING, 8, spv_msg_nonce_parse, nonce_serialize },
	{ "pong", SPV_MSG_PONG, 8, spv_msg_nonce_parse, nonce_serialize },
	{ "sendheaders", SPV_MSG_SENDHEADERS, 0, spv_msg_empty_parse, empty_serialize },
	{ "feefilter", SPV_MSG_FEEFILTER, 8, spv_msg_feefilter_parse, feefilter_serialize },
	{ "getaddr", SPV_MSG_GETADDR, 0, spv_msg_empty_parse, empty_serialize },
	{ "addr", SPV_MSG_ADDR, CAP_ADDR, spv_msg_addr_parse, addr_serialize },
	{ "addrv2", SPV_MSG_ADDRV2, CAP_ADDRV2, spv_msg_addrv2_parse, addrv2_serialize },
	{ "sendaddrv2", SPV_MSG_SENDADDRV2, 0, spv_msg_empty_parse, empty_serialize },
	{ "inv", SPV_MSG_INV, CAP_INV, spv_msg_inv_parse, inv_serialize },
	{ "getdata", SPV_MSG_GETDATA, CAP_INV, spv_msg_inv_parse, inv_serialize },
	{ "notfound", SPV_MSG_NOTFOUND, CAP_INV, spv_msg_inv_parse, inv_serialize },
	{ "getheaders", SPV_MSG_GETHEADERS, CAP_GETHEADERS, spv_msg_getheaders_parse, getheaders_serialize },
	{ "headers", SPV_MSG_HEADERS, CAP_HEADERS, spv_msg_headers_parse, headers_serialize },
	{ "reject", SPV_MSG_REJECT, CAP_REJECT, spv_msg_reject_parse, reject_serialize },
	{ "filterload", SPV_MSG_FILTERLOAD, CAP_FILTERLOAD, spv_msg_filterload_parse, filterload_serialize },
	{ "filteradd", SPV_MSG_FILTERADD, CAP_FILTERADD, spv_msg_filteradd_parse, filteradd_serialize },
	{ "filterclear", SPV_MSG_FILTERCLEAR, 0, spv_msg_empty_parse, empty_serialize },
	{ "merkleblock", SPV_MSG_MERKLEBLOCK, CAP_MERKLEBLOCK, spv_msg_merkleblock_parse, merkleblock_serialize },
	{ "tx", SPV_MSG_TX, SPV_MSG_MAX_TX, spv_msg_tx_parse, tx_serialize },
	{ "mempool", SPV_MSG_MEMPOOL, 0, spv_msg_empty_parse, empty_serialize },
	{ "sendcmpct", SPV_MSG_SENDCMPCT, 9, spv_msg_sendcmpct_parse, sendcmpct_serialize },
	{ "wtxidrelay", SPV_MSG_WTXIDRELAY, 0, spv_msg_empty_parse, empty_serialize },
};

_Static_assert(sizeof msg_defs / sizeof msg_defs[0] == SPV_MSG_TYPE_COUNT - 1,
               "one table entry per known message type");
_Static_assert(CAP_MERKLEBLOCK <= SPV_MSG_MAX_PAYLOAD && CAP_INV <= SPV_MSG_MAX_PAYLOAD,
               "caps within the protocol's maximum");

const struct spv_msg_def *spv_msg_def_by_command(const char command[SPV_MSG_COMMAND_LEN])
{
	for (size_t i = 0; i < sizeof msg_defs / sizeof msg_defs[0]; i++) {
		size_t len = strlen(msg_defs[i].command);
		if (memcmp(command, msg_defs[i].command, len) == 0 &&
		    (len == SPV_MSG_COMMAND_LEN || command[len] == '\0'))
			return &msg_defs[i];
	}
	return NULL;
}

const struct spv_msg_def *spv_msg_def_by_type(enum spv_msg_type type)
{
	if (type <= SPV_MSG_UNKNOWN || (int)type >= SPV_MSG_TYPE_COUNT)
		return NULL;
	/* the table is in enum order (checked in the unit tests) */
	const struct spv_msg_def *d = &msg_defs[type - 1];
	KB_ASSERT(d->type == type);
	return d;
}

const char *spv_msg_command(enum spv_msg_type type)
{
	const struct spv_msg_def *d = spv_msg_def_by_type(type);
	return d ? d->command : "?";
}

void spv_msg_init(struct spv_msg *m, enum spv_msg_type type)
{
	memset(m, 0, sizeof *m);
	m->type = type;
}

enum kb_rc spv_msg_parse(struct spv_msg *m, enum spv_msg_type type, const uint8_t *p, size_t n)
{
	memset(m, 0, sizeof *m);
	const struct spv_msg_def *d = spv_msg_def_by_type(type);
	if (!d)
		return KB_EINVAL;
	if (n > d->max_payload)
		return KB_ELIMIT;
	enum kb_rc rc = d->parse(m, p, n);
	if (rc == KB_OK)
		m->type = type;
	else
		memset(m, 0, sizeof *m);
	return rc;
}

void spv_msg_clear(struct spv_msg *m)
{
	switch (m->type) {
	case SPV_MSG_ADDR:
	case SPV_MSG_ADDRV2:
		kb_free(m->u.addr.v);
		break;
	case SPV_MSG_INV:
	case SPV_MSG_GETDATA:
	case SPV_MSG_NOTFOUND:
		kb_free(m->u.inv.v);
		break;
	case SPV_MSG_HEADERS:
		kb_free(m->u.headers.h);
		break;
	case SPV_MSG_MERKLEBLOCK:
		kb_free(m->u.merkleblock.hashes);
		kb_free(m->u.merkleblock.flags);
		break;
	case SPV_MSG_TX:
		kb_free(m->u.tx.raw);
		break;
	default:
		break;
	}
	memset(m, 0, sizeof *m);
}

void spv_msg_serialize(struct buf *b, const struct spv_msg *m)
{
	const struct spv_msg_def *d = spv_msg_def_by_type(m->type);
	if (d)
		d->serialize(b, m);
}

static void write_header(struct buf *b, const uint8_t magic[4], const char *command,
                         const uint8_t *payload, size_t n)
{
	char cmd[SPV_MSG_COMMAND_LEN] = { 0 };
	size_t len = strlen(command);
	KB_ASSERT(len <= SPV_MSG_COMMAND_LEN && n <= UINT32_MAX);
	memcpy(cmd, command, len);
	buf_bytes(b, magic, 4);
	buf_bytes(b, cmd, sizeof cmd);
	buf_u32le(b, (uint32_t)n);
	buf_u32le(b, wallet_hash_checksum4(payload, n));
}

void spv_msg_frame_raw(struct buf *b, const uint8_t magic[4], const char *command,
                       const uint8_t *payload, size_t n)
{
	write_header(b, magic, command, payload, n);
	buf_bytes(b, payload, n);
}

void spv_msg_frame(struct buf *b, const uint8_t magic[4], const struct spv_msg *m)
{
	KB_ASSERT(spv_msg_def_by_type(m->type) != NULL); /* framing "unknown" is our bug */
	struct buf payload = BUF_INIT;
	spv_msg_serialize(&payload, m);
	spv_msg_frame_raw(b, magic, spv_msg_command(m->type), payload.p, payload.len);
	buf_clear(&payload);
}

/* ---- frames ---------------------------------------------------------------- */

const char *spv_frame_err_str(enum spv_frame_err err)
{
	switch (err) {
	case SPV_FRAME_OK: return "ok";
	case SPV_FRAME_NEED_MORE: return "incomplete frame";
	case SPV_FRAME_ERR_MAGIC: return "wrong network magic";
	case SPV_FRAME_ERR_COMMAND: return "malformed command";
	case SPV_FRAME_ERR_OVERSIZE: return "message over its size limit";
	case SPV_FRAME_ERR_CHECKSUM: return "bad checksum";
	case SPV_FRAME_ERR_PAYLOAD: return "malformed payload";
	}
	return "unknown frame error";
}

/* Printable ASCII, then NUL padding only; never empty. */
static bool command_ok(const uint8_t *cmd)
{
	size_t i = 0;
	while (i < SPV_MSG_COMMAND_LEN && cmd[i] != 0) {
		if (cmd[i] < 0x20 || cmd[i] > 0x7e)
			return false;
		i++;
	}
	if (i == 0)
		return false;
	for (; i < SPV_MSG_COMMAND_LEN; i++)
		if (cmd[i] != 0)
			return false;
	return true;
}

enum spv_frame_err spv_frame_hdr_parse(struct spv_frame_hdr *h, const struct spv_msg_def **def,
                                       const uint8_t p[SPV_MSG_HEADER_LEN],
                                       const uint8_t magic[4])
{
	struct cursor c;
	memset(h, 0, sizeof *h);
	*def = NULL;
	cursor_init(&c, p, SPV_MSG_HEADER_LEN);
	cursor_bytes(&c, h->magic, 4);
	if (memcmp(h->magic, magic, 4) != 0)
		return SPV_FRAME_ERR_MAGIC;
	const uint8_t *cmd = cursor_ptr(&c, SPV_MSG_COMMAND_LEN);
	h->length = cursor_u32le(&c);
	h->checksum = cursor_u32le(&c);
	if (!command_ok(cmd))
		return SPV_FRAME_ERR_COMMAND;
	memcpy(h->command, cmd, SPV_MSG_COMMAND_LEN);
	*def = spv_msg_def_by_command(h->command);
	uint32_t cap = *def ? (*def)->max_payload : SPV_MSG_UNKNOWN_MAX;
	if (h->length > cap || h->length > SPV_MSG_MAX_PAYLOAD)
		return SPV_FRAME_ERR_OVERSIZE;
	return SPV_FRAME_OK;
}

enum spv_frame_err spv_frame_decode(struct spv_msg *m, struct spv_frame_hdr *hdr,
                                    size_t *consumed, const uint8_t *p, size_t n,
                                    const uint8_t magic[4])
{
	struct spv_frame_hdr local;
	struct spv_frame_hdr *h = hdr ? hdr : &local;
	const struct spv_msg_def *def;
	memset(m, 0, sizeof *m);
	*consumed = 0;
	if (n < SPV_MSG_HEADER_LEN) {
		memset(h, 0, sizeof *h);
		/* refuse a foreign stream as early as its first bytes */
		if (n > 0 && memcmp(p, magic, n < 4 ? n : 4) != 0)
			return SPV_FRAME_ERR_MAGIC;
		return SPV_FRAME_NEED_MORE;
	}
	enum spv_frame_err err = spv_frame_hdr_parse(h, &def, p, magic);
	if (err != SPV_FRAME_OK)
		return err;
	if (n - SPV_MSG_HEADER_LEN < h->length)
		return SPV_FRAME_NEED_MORE;
	const uint8_t *payload = p + SPV_MSG_HEADER_LEN;
	if (wallet_hash_checksum4(payload, h->length) != h->checksum)
		return SPV_FRAME_ERR_CHECKSUM;
	if (def && spv_msg_parse(m, def->type, payload, h->length) != KB_OK)
		return SPV_FRAME_ERR_PAYLOAD;
	*consumed = SPV_MSG_HEADER_LEN + h->length;
	return SPV_FRAME_OK;
}

void spv_frame_reader_init(struct spv_frame_reader *r, const uint8_t magic[4])
{
	memset(r, 0, sizeof *r);
	memcpy(r->magic, magic, 4);
	buf_init(&r->in);
}

void spv_frame_reader_clear(struct spv_frame_reader *r)
{
	buf_clear(&r->in);
	memset(r, 0, sizeof *r);
}

void spv_frame_reader_feed(struct spv_frame_reader *r, const uint8_t *p, size_t n)
{
	if (r->failed != SPV_FRAME_OK || n == 0)
		return;
	/* drop what was decoded before growing */
	if (r->pos > 0) {
		memmove(r->in.p, r->in.p + r->pos, r->in.len - r->pos);
		r->in.len -= r->pos;
		r->pos = 0;
	}
	buf_bytes(&r->in, p, n);
}

size_t spv_frame_reader_pending(const struct spv_frame_reader *r)
{
	return r->in.len - r->pos;
}

enum spv_frame_err spv_frame_reader_next(struct spv_frame_reader *r, struct spv_msg *m)
{
	memset(m, 0, sizeof *m);
	if (r->failed != SPV_FRAME_OK)
		return r->failed;
	size_t consumed;
	const uint8_t *p = r->in.p ? r->in.p + r->pos : NULL;
	enum spv_frame_err err = spv_frame_decode(m, &r->last, &consumed, p,
	                                          r->in.len - r->pos, r->magic);
	if (err == SPV_FRAME_OK) {
		r->pos += consumed;
		if (r->pos == r->in.len) {
			buf_reset(&r->in);
			r->pos = 0;
		}
	} else if (err != SPV_FRAME_NEED_MORE) {
		r->failed = err;
		buf_clear(&r->in);
		r->pos = 0;
	}
	return err;
}
