/*
 * Result codes shared by every layer of koban.
 *
 * The enum is append-only: a value, once given, keeps its number forever
 * (logs and tests refer to them). Fallible functions return enum kb_rc and
 * are marked KB_WUR; predicates return bool.
 */
#ifndef KOBAN_WALLET_RC_H
#define KOBAN_WALLET_RC_H

#define KB_WUR __attribute__((warn_unused_result))

enum kb_rc {
	KB_OK = 0,
	KB_EINVAL = 1,    /* an argument or input that is not acceptable */
	KB_ENOMEM = 2,    /* allocation failed (normally we abort instead) */
	KB_EPARSE = 3,    /* malformed bytes or text */
	KB_ELIMIT = 4,    /* a size or count over its cap */
	KB_EIO = 5,       /* file or device I/O */
	KB_EDB = 6,       /* SQLite */
	KB_ECRYPTO = 7,   /* a cryptographic operation failed */
	KB_ENET = 8,      /* network */
	KB_ETIMEOUT = 9,  /* a deadline passed */
	KB_ENOTFOUND = 10,/* no such object */
	KB_EAGAIN = 11,   /* not now; try later */
	KB_EAUTH = 12,    /* wrong password or failed authentication */
	KB_ECHECKSUM = 13,/* a checksum did not match */
	KB_ENETWORK = 14, /* valid, but for another Bitcoin network */
	KB_EEXIST = 15,   /* already exists */
	KB_EFUNDS = 16,   /* insufficient funds */
	KB_ELOCKED = 17,  /* held by another process */
	KB_EVERSION = 18, /* unsupported (newer) version */
	KB_EUNSUPPORTED = 19, /* valid but not supported by koban */
	KB_ECONSENSUS = 20,   /* breaks a consensus rule */
	KB_EWATCHONLY = 21,   /* needs secrets a watch-only wallet lacks */
};

/* A short, stable English description of rc. Never NULL. */
const char *kb_rc_str(enum kb_rc rc);

#endif
