#include "wallet/secure.h"

#include "wallet/log.h"

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define SUB "secure"

static bool try_mlock(void)
{
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		page = 4096;
	void *p = NULL;
	if (posix_memalign(&p, (size_t)page, (size_t)page) != 0)
		return false;
	bool ok = sodium_mlock(p, (size_t)page) == 0;
	if (ok)
		(void)sodium_munlock(p, (size_t)page); /* wipes, then unlocks */
	free(p);
	return ok;
}

enum kb_rc wallet_secure_harden(struct wallet_secure_report *out, char *msg, size_t msglen)
{
	struct wallet_secure_report r = { 0 };
	enum kb_rc rc = KB_OK;
	if (msg && msglen)
		msg[0] = '\0';
	if (sodium_init() < 0) {
		if (msg && msglen)
			snprintf(msg, msglen, "libsodium failed to initialise");
		rc = KB_ECRYPTO;
		goto out;
	}
	struct rlimit zero = { 0, 0 };
	r.no_core = setrlimit(RLIMIT_CORE, &zero) == 0;
	r.not_dumpable = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
	if (!r.no_core || !r.not_dumpable) {
		if (msg && msglen)
			snprintf(msg, msglen, "cannot disable core dumps: %s", strerror(errno));
		KB_ERROR(SUB, "cannot disable core dumps: %s", strerror(errno));
		rc = KB_EIO;
		goto out;
	}
	struct rlimit ml;
	r.memlock_limit = 0;
	if (getrlimit(RLIMIT_MEMLOCK, &ml) == 0)
		r.memlock_limit = ml.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)ml.rlim_cur;
	r.mlock_ok = try_mlock();
	if (!r.mlock_ok) {
		if (msg && msglen)
			snprintf(msg, msglen, "warning: secret memory cannot be locked (RLIMIT_MEMLOCK %llu "
			         "bytes); secrets could reach swap. Raise the limit (ulimit -l) or use "
			         "encrypted swap", (unsigned long long)r.memlock_limit);
		KB_WARN(SUB, "mlock unavailable (RLIMIT_MEMLOCK %llu)", (unsigned long long)r.memlock_limit);
	}
out:
	if (out)
		*out = r;
	return rc;
}
