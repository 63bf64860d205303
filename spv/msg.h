/*
 * Bitcoin P2P messages: framing, parsing and serialisation.
 *
 * A frame is a 24-byte header -- 4 magic bytes, a 12-byte command (ASCII,
 * NUL-padded), the payload length (u32le) and a checksum (the first four
 * bytes of SHA256d(payload)) -- followed by the payload. The frame decoder
 * (spv_frame_decode, or spv_frame_reader for a byte stream) checks, in this
 * order: the magic, the command's form, the payload length against the
 * cap of that command (unknown commands get SPV_MSG_UNKNOWN_MAX and are
 * reported as SPV_MSG_UNKNOWN, to be ignored), the checksum, and then the
 * payload parse. Each failure has its own enum spv_frame_err, so the peer
 * layer can score and log it precisely; an oversized length is caught from
 * the header alone, before any of the payload is buffered.
 *
 * Dispatch is a const table (spv_msg_def): command, type, max_payload and
 * the parse, serialise and clear functions. The peer layer keeps its own
 * table of handlers indexed by enum spv_msg_type.
 *
 * Every parser is a pure function of its bytes (no globals, no I/O), reads
 * through wallet/cursor.h, bounds every count from the wire before it
 * allocates, and rejects trailing bytes; serialisers write through
 * wallet/buf.h, and parse-then-serialise returns the input byte for byte
 * (addrv2 entries of unknown or obsolete networks are skipped per BIP155,
 * so such a message serialises without them).
 *
 * Sources: Bitcoin Core's protocol.h, net_processing.cpp and the BIPs:
 * 31 (pong), 37 (filterload, filteradd, filterclear, merkleblock), 61
 * (reject), 130 (sendheaders), 133 (feefilter), 152 (sendcmpct), 155
 * (addrv2, sendaddrv2), 339 (wtxidrelay, MSG_WTX).
 *
 * All functions here may be called from a loop callback.
 */
#ifndef KOBAN_SPV_MSG_H
#define KOBAN_SPV_MSG_H

#include "spv/netaddr.h"
#include "wallet/buf.h"
#include "wallet/hash.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPV_MSG_HEADER_LEN 24
#define SPV_MSG_COMMAND_LEN 12
/* Bitcoin Core's MAX_PROTOCOL_MESSAGE_LENGTH: no payload is larger. */
#define SPV_MSG_MAX_PAYLOAD 4000000u
/* The cap for commands koban does not know (sendtxrcncl, cmpctblock...):
 * they are skipped, but never buffered beyond this. */
#define SPV_MSG_UNKNOWN_MAX 4096u

/* Limits from Bitcoin Core (names in parentheses). */
#define SPV_MSG_MAX_USER_AGENT 256u    /* MAX_SUBVERSION_LENGTH */
#define SPV_MSG_MAX_ADDR 1000u         /* MAX_ADDR_TO_SEND */
#define SPV_MSG_MAX_INV 50000u         /* MAX_INV_SZ */
#define SPV_MSG_MAX_LOCATOR 101u       /* MAX_LOCATOR_SZ */
#define SPV_MSG_MAX_HEADERS 2000u      /* MAX_HEADERS_RESULTS */
#define SPV_MSG_MAX_REJECT_REASON 111u /* MAX_REJECT_MESSAGE_LENGTH */
#define SPV_MSG_MAX_FILTER 36000u      /* MAX_BLOOM_FILTER_SIZE */
#define SPV_MSG_MAX_HASH_FUNCS 50u     /* MAX_HASH_FUNCS */
#define SPV_MSG_MAX_FILTERADD 520u     /* MAX_SCRIPT_ELEMENT_SIZE */
/* MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT: no block holds more. */
#define SPV_MSG_MAX_BLOCK_TXS 16666u
#define SPV_MSG_MAX_TX 4000000u        /* a block's weight in bytes */

/* Inventory types (Bitcoin Core protocol.h). */
#define SPV_INV_ERROR 0u
#define SPV_INV_TX 1u
#define SPV_INV_BLOCK 2u
#define SPV_INV_FILTERED_BLOCK 3u
#define SPV_INV_CMPCT_BLOCK 4u
#define SPV_INV_WTX 5u
#define SPV_INV_WITNESS_FLAG (1u << 30)
#define SPV_INV_WITNESS_TX (SPV_INV_TX | SPV_INV_WITNESS_FLAG)
#define SPV_INV_WITNESS_BLOCK (SPV_INV_BLOCK | SPV_INV_WITNESS_FLAG)

/* Service bits. */
#define SPV_NODE_NETWORK (UINT64_C(1) << 0)
#define SPV_NODE_BLOOM (UINT64_C(1) << 2)
#define SPV_NODE_WITNESS (UINT64_C(1) << 3)
#define SPV_NODE_COMPACT_FILTERS (UINT64_C(1) << 6)
#define SPV_NODE_NETWORK_LIMITED (UINT64_C(1) << 10)

enum spv_msg_type {
	SPV_MSG_UNKNOWN = 0, /* a well-formed frame of a command not in the table */
	SPV_MSG_VERSION,
	SPV_MSG_VERACK,
	SPV_MSG_PING,
	SPV_MSG_PONG,
	SPV_MSG_SENDHEADERS,
	SPV_MSG_FEEFILTER,
	SPV_MSG_GETADDR,
	SPV_MSG_ADDR,
	SPV_MSG_ADDRV2,
	SPV_MSG_SENDADDRV2,
	SPV_MSG_INV,
	SPV_MSG_GETDATA,
	SPV_MSG_NOTFOUND,
	SPV_MSG_GETHEADERS,
	SPV_MSG_HEADERS,
	SPV_MSG_REJECT,
	SPV_MSG_FILTERLOAD,
	SPV_MSG_FILTERADD,
	SPV_MSG_FILTERCLEAR,
	SPV_MSG_MERKLEBLOCK,
	SPV_MSG_TX,
	SPV_MSG_MEMPOOL,
	SPV_MSG_SENDCMPCT,
	SPV_MSG_WTXIDRELAY,
};
#define SPV_MSG_TYPE_COUNT 25

/* ---- message bodies ---------------------------------------------------- */

/* An address as the version message carries it (no time). */
struct spv_msg_vaddr {
	uint64_t services;
	struct spv_netaddr addr; /* legacy 16-byte form on the wire */
};

struct spv_msg_version {
	int32_t version;
	uint64_t services;
	int64_t timestamp;
	struct spv_msg_vaddr addr_recv;
	struct spv_msg_vaddr addr_from;
	uint64_t nonce;
	/* Raw bytes from the peer, NUL-terminated here; may hold any byte
	 * (sanitise before display). */
	char user_agent[SPV_MSG_MAX_USER_AGENT + 1];
	size_t user_agent_len;
	int32_t start_height;
	bool has_relay; /* the optional relay byte was present */
	bool relay;
};

/* One addr or addrv2 entry. */
struct spv_msg_addr_entry {
	uint32_t time;
	uint64_t services;
	struct spv_netaddr addr;
};

/* addr and addrv2. */
struct spv_msg_addr {
	size_t n;
	struct spv_msg_addr_entry *v; /* owned, n entries */
	/* addrv2 only: entries of unknown or obsolete networks, or IPv6
	 * carrying IPv4/Tor v2 embeddings, skipped per BIP155. */
	size_t skipped;
};

struct spv_inv {
	uint32_t type;
	struct hash256 hash;
};

/* inv, getdata and notfound. */
struct spv_msg_inv {
	size_t n;
	struct spv_inv *v; /* owned, n entries */
};

struct spv_msg_getheaders {
	uint32_t version;
	size_t n; /* locator hashes, at most SPV_MSG_MAX_LOCATOR */
	struct hash256 locator[SPV_MSG_MAX_LOCATOR];
	struct hash256 stop; /* zero: as many as the peer will send */
};

/* headers: raw 80-byte headers (spv/header.h parses them); each was
 * followed on the wire by a transaction count of 0. */
struct spv_msg_headers {
	size_t n;
	uint8_t (*h)[80]; /* owned, n headers */
};

struct spv_msg_reject {
	char message[SPV_MSG_COMMAND_LEN + 1]; /* the rejected command */
	size_t message_len;
	uint8_t code;
	char reason[SPV_MSG_MAX_REJECT_REASON + 1]; /* raw bytes: sanitise */
	size_t reason_len;
	bool has_hash;
	struct hash256 hash; /* the rejected tx or block, when has_hash */
};

struct spv_msg_filterload {
	size_t len;
	uint8_t filter[SPV_MSG_MAX_FILTER];
	uint32_t hash_funcs;
	uint32_t tweak;
	uint8_t flags;
};

struct spv_msg_filteradd {
	size_t len;
	uint8_t data[SPV_MSG_MAX_FILTERADD];
};

/* merkleblock: parsed only; the partial merkle tree is checked elsewhere. */
struct spv_msg_merkleblock {
	uint8_t header[80];
	uint32_t total_txs;     /* 1..SPV_MSG_MAX_BLOCK_TXS */
	size_t n_hashes;        /* <= total_txs */
	struct hash256 *hashes; /* owned */
	size_t n_flags;         /* flag bytes */
	uint8_t *flags;         /* owned */
};

/* tx: the raw serialisation (wallet/tx.h parses it). */
struct spv_msg_tx {
	size_t len;
	uint8_t *raw; /* owned */
};

struct spv_msg_sendcmpct {
	bool announce;
	uint64_t version;
};

/* A parsed message: the type says which member of u is valid. */
struct spv_msg {
	enum spv_msg_type type;
	union {
		struct spv_msg_version version;
		uint64_t nonce;         /* ping, pong */
		int64_t feerate;        /* feefilter: sat per 1000 vbytes (not range-checked) */
		struct spv_msg_addr addr;       /* addr, addrv2 */
		struct spv_msg_inv inv;         /* inv, getdata, notfound */
		struct spv_msg_getheaders getheaders;
		struct spv_msg_headers headers;
		struct spv_msg_reject reject;
		struct spv_msg_filterload filterload;
		struct spv_msg_filteradd filteradd;
		struct spv_msg_merkleblock merkleblock;
		struct spv_msg_tx tx;
		struct spv_msg_sendcmpct sendcmpct;
	} u;
};

/* ---- the dispatch table ------------------------------------------------- */

/*
 * A parser fills m->u for its type from exactly n bytes. On failure it
 * returns KB_EPARSE (malformed, trailing bytes, non-canonical varint) or
 * KB_ELIMIT (a count or length over its cap) and leaves m->u zeroed with
 * nothing allocated. m->type is set by spv_msg_parse, not by the parser.
 */
typedef enum kb_rc (*spv_msg_parse_fn)(struct spv_msg *m, const uint8_t *p, size_t n);
/* Appends the payload of m to b. m must be valid for its type. */
typedef void (*spv_msg_serialize_fn)(struct buf *b, const struct spv_msg *m);

struct spv_msg_def {
	const char *command;
	enum spv_msg_type type;
	uint32_t max_payload;
	spv_msg_parse_fn parse;
	spv_msg_serialize_fn serialize;
};

/* The entry for a 12-byte command field (NUL-padded), or NULL. */
const struct spv_msg_def *spv_msg_def_by_command(const char command[SPV_MSG_COMMAND_LEN]);
/* The entry for type (NULL for SPV_MSG_UNKNOWN or out of range). */
const struct spv_msg_def *spv_msg_def_by_type(enum spv_msg_type type);
/* The command name of type ("?" when unknown). */
const char *spv_msg_command(enum spv_msg_type type);

/*
 * Parses a payload of the given type into *m (m->type = type). Errors as
 * for spv_msg_parse_fn; KB_ELIMIT also when n is above the type's cap and
 * KB_EINVAL for SPV_MSG_UNKNOWN. Release with spv_msg_clear (on success).
 */
enum kb_rc spv_msg_parse(struct spv_msg *m, enum spv_msg_type type,
                         const uint8_t *p, size_t n) KB_WUR;

/* Frees what m owns and zeroes it (type SPV_MSG_UNKNOWN). Safe on a zeroed
 * or already cleared message. */
void spv_msg_clear(struct spv_msg *m);

/* Appends the payload of m to b (nothing for SPV_MSG_UNKNOWN). */
void spv_msg_serialize(struct buf *b, const struct spv_msg *m);

/* Appends a whole frame -- header and payload -- for m to b. m->type must
 * be a known type (asserted). */
void spv_msg_frame(struct buf *b, const uint8_t magic[4], const struct spv_msg *m);

/* Appends a frame with an arbitrary command and payload (tests, and the
 * peer layer relaying raw bytes). command is at most 12 characters. */
void spv_msg_frame_raw(struct buf *b, const uint8_t magic[4], const char *command,
                       const uint8_t *payload, size_t n);

/* Zeroes m and sets its type: the start of building a message to send. */
void spv_msg_init(struct spv_msg *m, enum spv_msg_type type);

/* Sets v's user agent from a C string (spv_user_agent(), say). KB_ELIMIT,
 * with v unchanged, when it is longer than SPV_MSG_MAX_USER_AGENT. */
enum kb_rc spv_msg_version_set_user_agent(struct spv_msg_version *v, const char *ua) KB_WUR;

/* ---- frames -------------------------------------------------------------- */

enum spv_frame_err {
	SPV_FRAME_OK = 0,
	SPV_FRAME_NEED_MORE,      /* not a whole frame yet (not an error) */
	SPV_FRAME_ERR_MAGIC,      /* the magic is not this network's */
	SPV_FRAME_ERR_COMMAND,    /* empty, non-printable or garbage after the NUL padding */
	SPV_FRAME_ERR_OVERSIZE,   /* length over the command's cap */
	SPV_FRAME_ERR_CHECKSUM,   /* checksum does not match the payload */
	SPV_FRAME_ERR_PAYLOAD,    /* the payload does not parse (or a count over a cap) */
};

const char *spv_frame_err_str(enum spv_frame_err err);

struct spv_frame_hdr {
	uint8_t magic[4];
	char command[SPV_MSG_COMMAND_LEN + 1]; /* NUL-terminated */
	uint32_t length;
	uint32_t checksum; /* as read: first 4 bytes of SHA256d, little-endian */
};

/*
 * Parses and checks a 24-byte header against magic: magic first, then the
 * command's form, then the length against the cap of the command (*def is
 * its table entry or NULL for an unknown command). Returns SPV_FRAME_OK or
 * the error; *h is filled as far as it was read.
 */
enum spv_frame_err spv_frame_hdr_parse(struct spv_frame_hdr *h, const struct spv_msg_def **def,
                                       const uint8_t p[SPV_MSG_HEADER_LEN],
                                       const uint8_t magic[4]);

/*
 * Decodes one frame from the front of p[0..n) (p may be NULL when n is 0).
 * Pure: no state beyond the arguments.
 *  - SPV_FRAME_NEED_MORE: *consumed = 0; call again with more bytes. The
 *    magic (as soon as 4 bytes are there) and the header (at 24 bytes) are
 *    checked before the payload arrives.
 *  - SPV_FRAME_OK: *consumed = header + payload; *m holds the message
 *    (type SPV_MSG_UNKNOWN, nothing else, for a command not in the table,
 *    which the caller ignores); the caller spv_msg_clear()s it. hdr, when
 *    not NULL, gets the header (for logging the command).
 *  - any error: *consumed = 0 and *m zeroed. The stream cannot be
 *    resynchronised: drop the peer.
 */
enum spv_frame_err spv_frame_decode(struct spv_msg *m, struct spv_frame_hdr *hdr,
                                    size_t *consumed, const uint8_t *p, size_t n,
                                    const uint8_t magic[4]);

/*
 * A stream reader for a non-blocking socket: append what read(2) gave with
 * spv_frame_reader_feed, then call spv_frame_reader_next until it returns
 * SPV_FRAME_NEED_MORE. The reader buffers at most one frame plus what was
 * fed in one call, since the header is checked before its payload is kept.
 * After an error the reader stays failed (every next call returns the
 * same error).
 */
struct spv_frame_reader {
	uint8_t magic[4];
	struct buf in;   /* owned: unread bytes from pos */
	size_t pos;
	enum spv_frame_err failed;
	struct spv_frame_hdr last; /* header of the last frame decoded or refused */
};

void spv_frame_reader_init(struct spv_frame_reader *r, const uint8_t magic[4]);
void spv_frame_reader_clear(struct spv_frame_reader *r);
void spv_frame_reader_feed(struct spv_frame_reader *r, const uint8_t *p, size_t n);
/* As spv_frame_decode on the buffered bytes. */
enum spv_frame_err spv_frame_reader_next(struct spv_frame_reader *r, struct spv_msg *m);
/* Bytes buffered and not yet decoded. */
size_t spv_frame_reader_pending(const struct spv_frame_reader *r);

/* ---- the individual parsers (pure; for fuzz targets and tests) ------------ */

enum kb_rc spv_msg_version_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_empty_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_nonce_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_feefilter_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_addr_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_addrv2_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_inv_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_getheaders_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_headers_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_reject_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_filterload_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_filteradd_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_merkleblock_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_tx_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;
enum kb_rc spv_msg_sendcmpct_parse(struct spv_msg *m, const uint8_t *p, size_t n) KB_WUR;

#endif
