#include "wallet/rc.h"

const char *kb_rc_str(enum kb_rc rc)
{
	switch (rc) {
	case KB_OK: return "success";
	case KB_EINVAL: return "invalid argument";
	case KB_ENOMEM: return "out of memory";
	case KB_EPARSE: return "malformed input";
	case KB_ELIMIT: return "over a limit";
	case KB_EIO: return "input/output error";
	case KB_EDB: return "database error";
	case KB_ECRYPTO: return "cryptographic failure";
	case KB_ENET: return "network error";
	case KB_ETIMEOUT: return "timed out";
	case KB_ENOTFOUND: return "not found";
	case KB_EAGAIN: return "try again later";
	case KB_EAUTH: return "authentication failed";
	case KB_ECHECKSUM: return "bad checksum";
	case KB_ENETWORK: return "wrong network";
	case KB_EEXIST: return "already exists";
	case KB_EFUNDS: return "insufficient funds";
	case KB_ELOCKED: return "in use by another process";
	case KB_EVERSION: return "unsupported version";
	case KB_EUNSUPPORTED: return "not supported";
	case KB_ECONSENSUS: return "consensus rule violated";
	case KB_EWATCHONLY: return "watch-only wallet";
	}
	return "unknown error";
}
