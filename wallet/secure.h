/*
 * Process hardening, called once at start-up before any secret is read:
 * no core dumps (setrlimit RLIMIT_CORE 0), not dumpable and not ptrace-able
 * by other processes of the same user (prctl PR_SET_DUMPABLE 0), and a
 * check that secret memory can be locked (sodium_mlock), so that secrets
 * in sodium_malloc memory stay out of swap. A limited RLIMIT_MEMLOCK is
 * reported, not fatal: the caller shows the message and goes on.
 */
#ifndef KOBAN_WALLET_SECURE_H
#define KOBAN_WALLET_SECURE_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wallet_secure_report {
	bool not_dumpable;      /* PR_SET_DUMPABLE 0 took effect */
	bool no_core;           /* RLIMIT_CORE is 0 */
	bool mlock_ok;          /* a page of memory could be locked */
	uint64_t memlock_limit; /* RLIMIT_MEMLOCK soft limit in bytes; UINT64_MAX: unlimited */
};

/*
 * Applies the hardening and fills *out. KB_OK when core dumps are off and
 * the process is not dumpable; KB_EIO otherwise (msg says what failed).
 * When mlock does not work the result is still KB_OK, mlock_ok is false
 * and msg (optional) holds a warning for the user. msg is "" when all is
 * well. Safe to call more than once.
 */
enum kb_rc wallet_secure_harden(struct wallet_secure_report *out, char *msg, size_t msglen) KB_WUR;

#endif
