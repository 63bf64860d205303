/* The address manager: see spv/addrman.h. */
#include "spv/addrman.h"

#include "wallet/mem.h"
#include "wallet/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct ban {
	char key[SPV_ADDRMAN_KEYLEN];
	char reason[128];
	int64_t until;
};

struct spv_addrman {
	struct wallet_store *store; /* borrowed, may be NULL */
	struct spv_addrman_entry *v; /* owned */
	size_t n, cap;
	struct ban *bans;           /* owned */
	size_t nbans, capbans;
};

struct spv_addrman *spv_addrman_new(struct wallet_store *store)
{
	struct spv_addrman *a = kb_calloc(1, sizeof *a);
	a->store = store;
	return a;
}

void spv_addrman_free(struct spv_addrman *a)
{
	if (!a)
		return;
	kb_free(a->v);
	kb_free(a->bans);
	kb_free(a);
}

static struct spv_addrman_entry *find(const struct spv_addrman *a, const struct spv_netaddr *addr)
{
	for (size_t i = 0; i < a->n; i++)
		if (spv_netaddr_equal(&a->v[i].addr, addr))
			return &a->v[i];
	return NULL;
}

const struct spv_addrman_entry *spv_addrman_find(const struct spv_addrman *a,
                                                 const struct spv_netaddr *addr)
{
	return find(a, addr);
}

static void set_ban(struct spv_addrman *a, const char *key, const char *reason, int64_t until)
{
	struct ban *b = NULL;
	for (size_t i = 0; i < a->nbans; i++)
		if (!strcmp(a->bans[i].key, key))
			b = &a->bans[i];
	if (!b) {
		if (a->nbans == a->capbans) {
			a->capbans = a->capbans ? a->capbans * 2 : 8;
			a->bans = kb_realloc(a->bans, a->capbans * sizeof *a->bans);
		}
		b = &a->bans[a->nbans++];
		memset(b, 0, sizeof *b);
		snprintf(b->key, sizeof b->key, "%s", key);
	}
	snprintf(b->reason, sizeof b->reason, "%s", reason ? reason : "");
	b->until = until;
}

static struct spv_addrman_entry *insert(struct spv_addrman *a)
{
	if (a->n == SPV_ADDRMAN_MAX) {
		/* evict the stalest "new" entry; a full table of tried ones
		 * evicts the stalest of all */
		size_t victim = 0;
		bool found_new = false;
		for (size_t i = 0; i < a->n; i++) {
			bool better = !found_new && !a->v[i].tried;
			if (!better && a->v[i].tried == a->v[victim].tried &&
			    a->v[i].last_seen < a->v[victim].last_seen)
				better = true;
			if (better) {
				victim = i;
				found_new = found_new || !a->v[i].tried;
			}
		}
		if (a->store) {
			char host[SPV_NETADDR_STRLEN];
			spv_netaddr_format(&a->v[victim].addr, false, host);
			enum kb_rc drc = wallet_store_peer_delete(a->store, host, a->v[victim].addr.port);
			(void)drc; /* a stale row only costs a dial later */
		}
		a->v[victim] = a->v[--a->n];
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = kb_realloc(a->v, a->cap * sizeof *a->v);
	}
	struct spv_addrman_entry *e = &a->v[a->n++];
	memset(e, 0, sizeof *e);
	e->last_seen = e->last_try = e->last_success = -1;
	return e;
}

enum kb_rc spv_addrman_load(struct spv_addrman *a, int64_t now)
{
	if (!a->store)
		return KB_OK;
	struct wallet_store_peer *p = NULL;
	size_t n = 0;
	enum kb_rc rc = wallet_store_peer_list(a->store, &p, &n, SPV_ADDRMAN_MAX);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct spv_netaddr na;
		if (spv_netaddr_parse(&na, p[i].host, p[i].port, false) != KB_OK)
			continue;
		na.port = p[i].port;
		struct spv_addrman_entry *e = find(a, &na);
		if (!e)
			e = insert(a);
		e->addr = na;
		e->services = p[i].services;
		e->services_known = p[i].services != 0;
		e->last_seen = p[i].last_seen;
		e->last_try = p[i].last_try;
		e->last_success = p[i].last_success;
		e->attempts = p[i].attempts;
		e->tried = p[i].tried;
		snprintf(e->source, sizeof e->source, "%s", p[i].source ? p[i].source : "store");
	}
	wallet_store_peer_list_free(p, n);
	struct wallet_store_ban *b = NULL;
	rc = wallet_store_ban_list(a->store, &b, &n);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (b[i].until > now)
			set_ban(a, b[i].host, b[i].reason, b[i].until);
	wallet_store_ban_list_free(b, n);
	return KB_OK;
}

enum kb_rc spv_addrman_save(struct spv_addrman *a)
{
	if (!a->store)
		return KB_OK;
	bool any = false;
	for (size_t i = 0; i < a->n && !any; i++)
		any = a->v[i].dirty;
	if (!any)
		return KB_OK;
	enum kb_rc rc = wallet_store_begin(a->store);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < a->n; i++) {
		struct spv_addrman_entry *e = &a->v[i];
		if (!e->dirty)
			continue;
		char host[SPV_NETADDR_STRLEN];
		spv_netaddr_format(&e->addr, false, host);
		/* a bracketed IPv6 literal is stored bare */
		char bare[SPV_NETADDR_STRLEN];
		size_t hl = strlen(host);
		if (host[0] == '[' && hl > 2) {
			memcpy(bare, host + 1, hl - 2);
			bare[hl - 2] = 0;
		} else {
			memcpy(bare, host, hl + 1);
		}
		struct wallet_store_peer p = {
			.host = bare,
			.port = e->addr.port,
			.net_type = (enum wallet_peer_net)e->addr.net,
			.services = e->services_known ? e->services : 0,
			.last_seen = e->last_seen,
			.last_try = e->last_try,
			.last_success = e->last_success,
			.attempts = e->attempts,
			.tried = e->tried,
			.source = e->source[0] ? e->source : NULL,
		};
		rc = wallet_store_peer_upsert(a->store, &p);
		if (rc != KB_OK) {
			enum kb_rc rrc = wallet_store_rollback(a->store);
			(void)rrc;
			return rc;
		}
	}
	rc = wallet_store_commit(a->store);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < a->n; i++)
		a->v[i].dirty = false;
	return KB_OK;
}

bool spv_addrman_add(struct spv_addrman *a, const struct spv_netaddr *addr, uint64_t services,
                     bool services_known, int64_t seen, const char *source, bool allow_local)
{
	if (addr->port == 0 || (!allow_local && !spv_netaddr_is_routable(addr)))
		return false;
	struct spv_addrman_entry *e = find(a, addr);
	if (e) {
		bool changed = false;
		if (seen > e->last_seen) {
			e->last_seen = seen;
			changed = true;
		}
		if (services_known && (!e->services_known || e->services != services) && !e->tried) {
			e->services = services;
			e->services_known = true;
			changed = true;
		}
		e->dirty = e->dirty || changed;
		return changed;
	}
	e = insert(a);
	e->addr = *addr;
	e->services = services;
	e->services_known = services_known;
	e->last_seen = seen;
	e->dirty = true;
	snprintf(e->source, sizeof e->source, "%s", source ? source : "");
	return true;
}

void spv_addrman_attempt(struct spv_addrman *a, const struct spv_netaddr *addr, int64_t now)
{
	struct spv_addrman_entry *e = find(a, addr);
	if (e) {
		e->last_try = now;
		e->dirty = true;
	}
}

void spv_addrman_failed(struct spv_addrman *a, const struct spv_netaddr *addr)
{
	struct spv_addrman_entry *e = find(a, addr);
	if (e) {
		e->attempts++;
		e->dirty = true;
	}
}

void spv_addrman_good(struct spv_addrman *a, const struct spv_netaddr *addr, uint64_t services,
                      int64_t now)
{
	struct spv_addrman_entry *e = find(a, addr);
	if (!e) {
		e = insert(a);
		e->addr = *addr;
		snprintf(e->source, sizeof e->source, "connected");
	}
	e->services = services;
	e->services_known = true;
	e->last_success = now;
	e->last_seen = now;
	e->attempts = 0;
	e->tried = true;
	e->dirty = true;
}

size_t spv_addrman_count(const struct spv_addrman *a, size_t *tried)
{
	if (tried) {
		*tried = 0;
		for (size_t i = 0; i < a->n; i++)
			*tried += a->v[i].tried;
	}
	return a->n;
}

static uint32_t sodium_rnd(uint32_t upper)
{
	return randombytes_uniform(upper);
}

enum kb_rc spv_addrman_select(struct spv_addrman *a, struct spv_netaddr *out,
                              const struct spv_netgroup *used, size_t nused,
                              uint64_t want_services, int64_t now,
                              uint32_t (*rnd)(uint32_t upper))
{
	memset(out, 0, sizeof *out);
	if (!rnd)
		rnd = sodium_rnd;
	size_t ncand[2] = { 0, 0 };
	/* two passes: count candidates per table, then pick the k-th */
	for (int pass = 0; pass < 2; pass++) {
		int table = -1;
		uint32_t k = 0;
		if (pass == 1) {
			if (ncand[0] + ncand[1] == 0)
				return KB_ENOTFOUND;
			if (ncand[0] && ncand[1])
				table = (int)rnd(2);
			else
				table = ncand[1] ? 1 : 0;
			k = rnd((uint32_t)ncand[table]);
		}
		for (size_t i = 0; i < a->n; i++) {
			const struct spv_addrman_entry *e = &a->v[i];
			if (e->last_try >= 0 && now - e->last_try < 60)
				continue;
			if (e->services_known && (e->services & want_services) != want_services)
				continue;
			char key[SPV_ADDRMAN_KEYLEN];
			spv_addrman_ban_key(&e->addr, key);
			if (spv_addrman_is_banned(a, key, now, NULL, 0))
				continue;
			struct spv_netgroup g;
			spv_netaddr_group(&g, &e->addr);
			bool clash = false;
			for (size_t j = 0; j < nused && !clash; j++)
				clash = spv_netgroup_equal(&g, &used[j]);
			if (clash)
				continue;
			int t = e->tried ? 1 : 0;
			if (pass == 0) {
				ncand[t]++;
			} else if (t == table) {
				if (k == 0) {
					*out = e->addr;
					return KB_OK;
				}
				k--;
			}
		}
	}
	return KB_ENOTFOUND;
}

void spv_addrman_ban_key(const struct spv_netaddr *addr, char out[SPV_ADDRMAN_KEYLEN])
{
	/* loopback and private addresses: one machine may run many nodes */
	spv_netaddr_format(addr, !spv_netaddr_is_routable(addr), out);
}

enum kb_rc spv_addrman_ban(struct spv_addrman *a, const char *key, const char *reason,
                           int64_t until, int64_t now)
{
	set_ban(a, key, reason, until);
	if (!a->store)
		return KB_OK;
	return wallet_store_ban_add(a->store, key, reason ? reason : "", until, now);
}

bool spv_addrman_is_banned(const struct spv_addrman *a, const char *key, int64_t now,
                           char *reason, size_t reasonlen)
{
	for (size_t i = 0; i < a->nbans; i++) {
		if (!strcmp(a->bans[i].key, key) && a->bans[i].until > now) {
			if (reason && reasonlen)
				snprintf(reason, reasonlen, "%s", a->bans[i].reason);
			return true;
		}
	}
	return false;
}

size_t spv_addrman_ban_count(const struct spv_addrman *a, int64_t now)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nbans; i++)
		n += a->bans[i].until > now;
	return n;
}
