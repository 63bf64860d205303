/* One P2P connection: see spv/peer.h. */
#include "spv/peer.h"

#include "spv/socks5.h"
#include "wallet/log.h"
#include "wallet/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define READS_PER_TURN 8

struct spv_peer {
	struct spv_loop *loop;          /* borrowed */
	const struct spv_peer_ops *ops; /* borrowed */
	void *arg;                      /* borrowed */
	void *owner_data;               /* borrowed (the owner's) */
	uint32_t id;
	enum spv_peer_state state;
	int fd;
	struct spv_loop_fd *watch;      /* owned by the loop; freed through spv_loop_fd_free */
	uint8_t magic[4];
	int32_t our_height;
	bool our_relay;
	bool via_proxy;
	char host[256];                 /* name for the proxy, or "" */
	uint16_t port;
	struct spv_netaddr addr;
	char addr_str[SPV_NETADDR_STRLEN + 8];
	struct buf in;                  /* owned: unread bytes from in_pos */
	size_t in_pos;
	struct buf out;                 /* owned: unsent bytes from out_pos */
	size_t out_pos;
	/* handshake */
	bool got_version, got_verack;
	int32_t version;
	uint64_t services;
	int32_t start_height;
	bool relay;
	char user_agent[SPV_MSG_MAX_USER_AGENT + 1];
	bool wants_headers;
	int64_t feefilter;
	/* deadlines, loop clock ms; 0 = none */
	int64_t connect_deadline;
	int64_t handshake_deadline;
	int64_t ping_next;
	int64_t ping_deadline;
	int64_t handshake_timeout;
	int64_t ping_timeout;
	uint64_t ping_nonce;
	int64_t ping_sent;
	int64_t ping_ms;
	char dead_reason[200];
};

const char *spv_peer_state_str(enum spv_peer_state s)
{
	switch (s) {
	case SPV_PEER_CONNECTING: return "connecting";
	case SPV_PEER_SOCKS_METHOD: return "proxy greeting";
	case SPV_PEER_SOCKS_CONNECT: return "proxy connect";
	case SPV_PEER_VERSION_SENT: return "handshake";
	case SPV_PEER_READY: return "ready";
	case SPV_PEER_DEAD: return "dead";
	}
	return "?";
}

static void want_write(struct spv_peer *p)
{
	if (!p->watch)
		return;
	unsigned ev = SPV_LOOP_READ;
	if (p->state == SPV_PEER_CONNECTING)
		ev = SPV_LOOP_WRITE;
	else if (p->out.len > p->out_pos)
		ev |= SPV_LOOP_WRITE;
	spv_loop_fd_set_events(p->watch, ev);
}

void spv_peer_close(struct spv_peer *p, const char *reason)
{
	if (p->state == SPV_PEER_DEAD)
		return;
	p->state = SPV_PEER_DEAD;
	snprintf(p->dead_reason, sizeof p->dead_reason, "%s", reason ? reason : "closed");
	KB_INFO("peer", "[%" PRIu32 "] %s: disconnected: %s", p->id, p->addr_str, p->dead_reason);
	if (p->watch) {
		spv_loop_fd_free(p->watch);
		p->watch = NULL;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	if (p->ops && p->ops->dead)
		p->ops->dead(p->arg, p);
}

static void misbehave(struct spv_peer *p, int score, const char *reason)
{
	if (p->ops && p->ops->misbehaving)
		p->ops->misbehaving(p->arg, p, score, reason);
}

void spv_peer_send_msg(struct spv_peer *p, const struct spv_msg *m)
{
	if (p->state == SPV_PEER_DEAD)
		return;
	spv_msg_frame(&p->out, p->magic, m);
	want_write(p);
}

enum kb_rc spv_peer_send(struct spv_peer *p, const char *command, const uint8_t *payload,
                         size_t len)
{
	if (p->state == SPV_PEER_DEAD || !command || !*command ||
	    strlen(command) > SPV_MSG_COMMAND_LEN)
		return KB_EINVAL;
	if (len > SPV_MSG_MAX_PAYLOAD)
		return KB_ELIMIT;
	/* the command's own cap: a peer would drop us for more */
	char padded[SPV_MSG_COMMAND_LEN] = { 0 };
	memcpy(padded, command, strlen(command));
	const struct spv_msg_def *def = spv_msg_def_by_command(padded);
	if (def && len > def->max_payload)
		return KB_ELIMIT;
	spv_msg_frame_raw(&p->out, p->magic, command, payload, len);
	want_write(p);
	return KB_OK;
}

static void send_simple(struct spv_peer *p, enum spv_msg_type t)
{
	struct spv_msg m;
	spv_msg_init(&m, t);
	spv_peer_send_msg(p, &m);
}

static void send_version(struct spv_peer *p)
{
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_VERSION);
	struct spv_msg_version *v = &m.u.version;
	v->version = SPV_PEER_PROTOCOL_VERSION;
	v->services = 0; /* a light client serves nothing */
	v->timestamp = (int64_t)time(NULL);
	v->addr_recv.services = 0;
	v->addr_recv.addr = p->addr;
	/* addr_from stays zero: we do not reveal ours */
	randombytes_buf(&v->nonce, sizeof v->nonce);
	size_t ual = strlen(SPV_PEER_USER_AGENT);
	memcpy(v->user_agent, SPV_PEER_USER_AGENT, ual + 1);
	v->user_agent_len = ual;
	v->start_height = p->our_height;
	v->has_relay = true;
	v->relay = p->our_relay;
	spv_peer_send_msg(p, &m);
	/* BIP155: sendaddrv2 goes between version and verack */
	send_simple(p, SPV_MSG_SENDADDRV2);
	p->state = SPV_PEER_VERSION_SENT;
}

static void become_ready(struct spv_peer *p, int64_t now)
{
	p->state = SPV_PEER_READY;
	p->handshake_deadline = 0;
	p->ping_next = now; /* a first ping at once measures the round trip */
	KB_INFO("peer", "[%" PRIu32 "] %s: ready: version %" PRId32 " services %" PRIx64
	        " height %" PRId32 " %s", p->id, p->addr_str, p->version, p->services,
	        p->start_height, p->user_agent);
	if (p->version >= 70012)
		send_simple(p, SPV_MSG_SENDHEADERS);
	send_simple(p, SPV_MSG_GETADDR);
	if (p->ops && p->ops->ready)
		p->ops->ready(p->arg, p);
}

static void sanitize(char *dst, size_t cap, const char *src, size_t len)
{
	size_t j = 0;
	for (size_t i = 0; i < len && j + 1 < cap; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[j++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	dst[j] = 0;
}

/* Handles one decoded frame. */
static void handle(struct spv_peer *p, const struct spv_frame_hdr *h, const struct spv_msg *m,
                   const uint8_t *payload, size_t len)
{
	int64_t now = spv_loop_now(p->loop);
	if (m->type == SPV_MSG_VERSION) {
		if (p->got_version) {
			misbehave(p, 1, "duplicate version message");
			return;
		}
		const struct spv_msg_version *v = &m->u.version;
		p->got_version = true;
		p->version = v->version;
		p->services = v->services;
		p->start_height = v->start_height;
		p->relay = v->has_relay ? v->relay : true;
		sanitize(p->user_agent, sizeof p->user_agent, v->user_agent, v->user_agent_len);
		if (v->version < SPV_PEER_MIN_VERSION) {
			char why[80];
			snprintf(why, sizeof why, "protocol version %" PRId32 " is too old", v->version);
			spv_peer_close(p, why);
			return;
		}
		send_simple(p, SPV_MSG_VERACK);
		if (p->got_verack)
			become_ready(p, now);
		return;
	}
	if (!p->got_version) {
		spv_peer_close(p, "sent a message before version");
		return;
	}
	switch (m->type) {
	case SPV_MSG_VERACK:
		if (p->got_verack)
			return;
		p->got_verack = true;
		if (p->state == SPV_PEER_VERSION_SENT)
			become_ready(p, now);
		return;
	case SPV_MSG_PING: {
		struct spv_msg r;
		spv_msg_init(&r, SPV_MSG_PONG);
		r.u.nonce = m->u.nonce;
		spv_peer_send_msg(p, &r);
		return;
	}
	case SPV_MSG_PONG:
		if (p->ping_deadline && m->u.nonce == p->ping_nonce) {
			p->ping_ms = now - p->ping_sent;
			p->ping_deadline = 0;
			return;
		}
		break; /* someone else's ping (wallet sync): pass it on */
	case SPV_MSG_SENDADDRV2:
	case SPV_MSG_WTXIDRELAY:
	case SPV_MSG_SENDCMPCT:
		return;
	case SPV_MSG_SENDHEADERS:
		p->wants_headers = true;
		return;
	case SPV_MSG_FEEFILTER:
		if (m->u.feerate >= 0 && m->u.feerate <= INT64_C(21000000) * 100000000)
			p->feefilter = m->u.feerate;
		return;
	case SPV_MSG_REJECT: {
		char reason[SPV_MSG_MAX_REJECT_REASON + 1];
		sanitize(reason, sizeof reason, m->u.reject.reason, m->u.reject.reason_len);
		KB_INFO("peer", "[%" PRIu32 "] %s: reject %s code %u: %s", p->id, p->addr_str,
		        m->u.reject.message, m->u.reject.code, reason);
		break;
	}
	default:
		break;
	}
	if (p->state != SPV_PEER_READY && m->type != SPV_MSG_UNKNOWN) {
		/* only handshake messages before verack; others are ignored */
		return;
	}
	if (p->ops && p->ops->message)
		p->ops->message(p->arg, p, h->command, m, payload, len);
}

static void process_frames(struct spv_peer *p)
{
	while (p->state != SPV_PEER_DEAD && p->in.len > p->in_pos) {
		struct spv_msg m;
		struct spv_frame_hdr h;
		size_t consumed = 0;
		const uint8_t *start = p->in.p + p->in_pos;
		enum spv_frame_err e = spv_frame_decode(&m, &h, &consumed, start, p->in.len - p->in_pos,
		                                        p->magic);
		if (e == SPV_FRAME_NEED_MORE)
			break;
		if (e != SPV_FRAME_OK) {
			char why[160];
			snprintf(why, sizeof why, "bad frame (%s) for command \"%.12s\"",
			         spv_frame_err_str(e), h.command);
			/* A wrong magic, a malformed command or a checksum error
			 * may be noise on the line: drop. A frame over its cap or
			 * a payload that does not parse was built that way: score. */
			if (e == SPV_FRAME_ERR_OVERSIZE || e == SPV_FRAME_ERR_PAYLOAD)
				misbehave(p, 100, why);
			spv_peer_close(p, why);
			return;
		}
		p->in_pos += consumed;
		handle(p, &h, &m, start + SPV_MSG_HEADER_LEN, h.length);
		spv_msg_clear(&m);
	}
	if (p->in_pos == p->in.len) {
		buf_reset(&p->in);
		p->in_pos = 0;
	} else if (p->in_pos > READ_CHUNK) {
		memmove(p->in.p, p->in.p + p->in_pos, p->in.len - p->in_pos);
		p->in.len -= p->in_pos;
		p->in_pos = 0;
	}
}

/* Answers of the proxy, in p->in. */
static void process_socks(struct spv_peer *p)
{
	size_t avail = p->in.len - p->in_pos;
	const uint8_t *q = p->in.p + p->in_pos;
	if (p->state == SPV_PEER_SOCKS_METHOD) {
		if (avail < SPV_SOCKS5_METHOD_REPLY_LEN)
			return;
		enum kb_rc rc = spv_socks5_method_reply_parse(q, SPV_SOCKS5_METHOD_REPLY_LEN);
		if (rc != KB_OK) {
			spv_peer_close(p, rc == KB_EAUTH ? "the proxy wants authentication"
			                                  : "the proxy does not speak SOCKS5");
			return;
		}
		p->in_pos += SPV_SOCKS5_METHOD_REPLY_LEN;
		struct buf req = BUF_INIT;
		if (p->host[0])
			rc = spv_socks5_connect_request(&req, p->host, p->port);
		else {
			char host[SPV_NETADDR_STRLEN];
			spv_netaddr_format(&p->addr, false, host);
			/* strip IPv6 brackets if the formatter adds them */
			size_t hl = strlen(host);
			if (host[0] == '[' && hl > 2) {
				memmove(host, host + 1, hl - 2);
				host[hl - 2] = 0;
			}
			rc = spv_socks5_connect_request(&req, host, p->addr.port);
		}
		if (rc != KB_OK) {
			buf_clear(&req);
			spv_peer_close(p, "cannot build the proxy request");
			return;
		}
		buf_bytes(&p->out, req.p, req.len);
		buf_clear(&req);
		p->state = SPV_PEER_SOCKS_CONNECT;
		want_write(p);
		avail = p->in.len - p->in_pos;
		q = p->in.p + p->in_pos;
	}
	if (p->state == SPV_PEER_SOCKS_CONNECT && avail > 0) {
		size_t used;
		uint8_t rep;
		enum kb_rc rc = spv_socks5_reply_parse(q, avail, &used, &rep);
		if (rc == KB_EAGAIN)
			return;
		if (rc == KB_ENET) {
			char why[120];
			snprintf(why, sizeof why, "the proxy could not connect: %s", spv_socks5_rep_str(rep));
			spv_peer_close(p, why);
			return;
		}
		if (rc != KB_OK) {
			spv_peer_close(p, "the proxy sent a malformed reply");
			return;
		}
		p->in_pos += used;
		p->connect_deadline = 0;
		p->handshake_deadline = spv_loop_now(p->loop) + p->handshake_timeout;
		send_version(p);
	}
}

static void on_connected(struct spv_peer *p)
{
	int64_t now = spv_loop_now(p->loop);
	if (p->via_proxy) {
		uint8_t g[SPV_SOCKS5_GREETING_LEN];
		spv_socks5_greeting(g);
		buf_bytes(&p->out, g, sizeof g);
		p->state = SPV_PEER_SOCKS_METHOD;
	} else {
		p->connect_deadline = 0;
		p->handshake_deadline = now + p->handshake_timeout;
		send_version(p);
	}
	want_write(p);
}

static void flush_out(struct spv_peer *p)
{
	while (p->out.len > p->out_pos) {
		ssize_t w = send(p->fd, p->out.p + p->out_pos, p->out.len - p->out_pos, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			char why[120];
			snprintf(why, sizeof why, "send: %s", strerror(errno));
			spv_peer_close(p, why);
			return;
		}
		p->out_pos += (size_t)w;
	}
	if (p->out_pos == p->out.len) {
		buf_reset(&p->out);
		p->out_pos = 0;
	}
	want_write(p);
}

static void on_fd(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	(void)w;
	(void)fd;
	struct spv_peer *p = arg;
	if (p->state == SPV_PEER_DEAD)
		return;
	if (p->state == SPV_PEER_CONNECTING) {
		int err = 0;
		if (spv_loop_tcp_connect_result(p->fd, &err) != KB_OK) {
			char why[120];
			snprintf(why, sizeof why, "cannot connect: %s", strerror(err ? err : ECONNREFUSED));
			spv_peer_close(p, why);
			return;
		}
		on_connected(p);
		return;
	}
	if (events & (SPV_LOOP_READ | SPV_LOOP_ERROR)) {
		for (int i = 0; i < READS_PER_TURN && p->state != SPV_PEER_DEAD; i++) {
			buf_reserve(&p->in, READ_CHUNK);
			ssize_t r = recv(p->fd, p->in.p + p->in.len, READ_CHUNK, 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				char why[120];
				snprintf(why, sizeof why, "receive: %s", strerror(errno));
				spv_peer_close(p, why);
				return;
			}
			if (r == 0) {
				/* handle what arrived before the close first */
				if (p->state == SPV_PEER_SOCKS_METHOD || p->state == SPV_PEER_SOCKS_CONNECT)
					process_socks(p);
				else
					process_frames(p);
				spv_peer_close(p, "the peer closed the connection");
				return;
			}
			p->in.len += (size_t)r;
			if (p->state == SPV_PEER_SOCKS_METHOD || p->state == SPV_PEER_SOCKS_CONNECT)
				process_socks(p);
			if (p->state == SPV_PEER_VERSION_SENT || p->state == SPV_PEER_READY)
				process_frames(p);
			if ((size_t)r < READ_CHUNK)
				break;
		}
	}
	/* answers (pong, verack) go out at once rather than a turn later */
	if (p->state != SPV_PEER_DEAD && ((events & SPV_LOOP_WRITE) || p->out.len > p->out_pos))
		flush_out(p);
}

enum kb_rc spv_peer_new(struct spv_peer **out, const struct spv_peer_opts *o)
{
	*out = NULL;
	if (o->host && !o->proxy)
		return KB_EINVAL;
	if (o->host && (strlen(o->host) == 0 || strlen(o->host) > 255 || o->port == 0))
		return KB_EINVAL;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	if (o->proxy) {
		memcpy(&ss, o->proxy, sizeof ss);
		sl = o->proxy_len;
	} else if (spv_netaddr_to_sockaddr(&o->addr, &ss, &sl) != KB_OK) {
		return KB_EINVAL;
	}
	int fd = -1;
	if (spv_loop_tcp_connect(&fd, (const struct sockaddr *)&ss, sl) != KB_OK)
		return KB_ENET;
	struct spv_peer *p = kb_calloc(1, sizeof *p);
	p->loop = o->loop;
	p->ops = o->ops;
	p->arg = o->arg;
	p->id = o->id;
	p->fd = fd;
	memcpy(p->magic, o->magic, 4);
	p->our_height = o->start_height;
	p->our_relay = o->relay;
	p->via_proxy = o->proxy != NULL;
	p->addr = o->addr;
	p->ping_ms = -1;
	if (o->host) {
		snprintf(p->host, sizeof p->host, "%s", o->host);
		p->port = o->port;
		snprintf(p->addr_str, sizeof p->addr_str, "%s:%u", o->host, (unsigned)o->port);
		memset(&p->addr, 0, sizeof p->addr);
	} else {
		spv_netaddr_format(&p->addr, true, p->addr_str);
	}
	buf_init(&p->in);
	buf_init(&p->out);
	int64_t now = spv_loop_now(o->loop);
	int64_t ct = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : (o->proxy ? 30000 : 10000);
	p->connect_deadline = now + ct;
	p->handshake_timeout = o->handshake_timeout_ms > 0 ? o->handshake_timeout_ms : 20000;
	p->ping_timeout = o->ping_timeout_ms > 0 ? o->ping_timeout_ms : 60000;
	p->state = SPV_PEER_CONNECTING;
	p->watch = spv_loop_fd_new(o->loop, fd, SPV_LOOP_WRITE, on_fd, p);
	KB_DEBUG("peer", "[%" PRIu32 "] %s: connecting%s", p->id, p->addr_str,
	         p->via_proxy ? " through the proxy" : "");
	*out = p;
	return KB_OK;
}

void spv_peer_free(struct spv_peer *p)
{
	if (!p)
		return;
	if (p->watch)
		spv_loop_fd_free(p->watch);
	if (p->fd >= 0)
		close(p->fd);
	buf_clear(&p->in);
	buf_clear(&p->out);
	kb_free(p);
}

void spv_peer_tick(struct spv_peer *p, int64_t now)
{
	if (p->state == SPV_PEER_DEAD)
		return;
	if (p->connect_deadline && now >= p->connect_deadline) {
		spv_peer_close(p, p->via_proxy ? "timed out connecting through the proxy"
		                               : "timed out connecting");
		return;
	}
	if (p->handshake_deadline && now >= p->handshake_deadline) {
		spv_peer_close(p, "timed out in the handshake");
		return;
	}
	if (p->state != SPV_PEER_READY)
		return;
	if (p->ping_deadline && now >= p->ping_deadline) {
		spv_peer_close(p, "no pong within the timeout");
		return;
	}
	if (!p->ping_deadline && p->ping_next && now >= p->ping_next) {
		struct spv_msg m;
		spv_msg_init(&m, SPV_MSG_PING);
		randombytes_buf(&p->ping_nonce, sizeof p->ping_nonce);
		m.u.nonce = p->ping_nonce;
		spv_peer_send_msg(p, &m);
		p->ping_sent = now;
		p->ping_deadline = now + p->ping_timeout;
		p->ping_next = now + SPV_PEER_PING_INTERVAL_MS;
	}
}

enum spv_peer_state spv_peer_state(const struct spv_peer *p) { return p->state; }
bool spv_peer_is_dead(const struct spv_peer *p) { return p->state == SPV_PEER_DEAD; }
bool spv_peer_is_ready(const struct spv_peer *p) { return p->state == SPV_PEER_READY; }
const char *spv_peer_dead_reason(const struct spv_peer *p) { return p->dead_reason; }
uint32_t spv_peer_id(const struct spv_peer *p) { return p->id; }
uint64_t spv_peer_services(const struct spv_peer *p) { return p->services; }
int32_t spv_peer_version(const struct spv_peer *p) { return p->version; }
int32_t spv_peer_start_height(const struct spv_peer *p) { return p->start_height; }
const char *spv_peer_user_agent(const struct spv_peer *p) { return p->user_agent; }
bool spv_peer_relay(const struct spv_peer *p) { return p->relay; }
const char *spv_peer_addr_str(const struct spv_peer *p) { return p->addr_str; }
const struct spv_netaddr *spv_peer_addr(const struct spv_peer *p) { return &p->addr; }
int64_t spv_peer_ping_ms(const struct spv_peer *p) { return p->ping_ms; }
int64_t spv_peer_feefilter(const struct spv_peer *p) { return p->feefilter; }
bool spv_peer_wants_headers(const struct spv_peer *p) { return p->wants_headers; }
void spv_peer_set_owner_data(struct spv_peer *p, void *data) { p->owner_data = data; }
void *spv_peer_owner_data(const struct spv_peer *p) { return p->owner_data; }
