#include "tui/nodeview.h"

#include "spv/loop.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

/* ---- the offline implementation ---- */

struct offline_bc {
	tui_nodeview_broadcast_cb cb;
	void *arg;
	struct spv_loop_timer *t;
};

static void offline_status(struct tui_nodeview *nv, struct tui_nodeview_status *st)
{
	memset(st, 0, sizeof *st);
	st->net = nv->net;
	st->offline = true;
	st->headers_height = -1;
	st->target_height = -1;
	st->scan_height = -1;
	snprintf(st->why, sizeof st->why, "%s", nv->impl ? (const char *)nv->impl : "offline");
}

static void offline_bc_fire(struct spv_loop_timer *t, void *arg)
{
	struct offline_bc *b = arg;
	b->cb(false, "the node is offline: nothing was broadcast", b->arg);
	spv_loop_timer_free(t);
	kb_free(b);
}

static void offline_broadcast(struct tui_nodeview *nv, const uint8_t *raw, size_t len,
                              tui_nodeview_broadcast_cb cb, void *arg)
{
	(void)raw;
	(void)len;
	/* Report from the loop, never from inside the call. */
	struct offline_bc *b = kb_calloc(1, sizeof *b);
	b->cb = cb;
	b->arg = arg;
	b->t = spv_loop_timer_new(nv->loop, offline_bc_fire, b);
	spv_loop_timer_start(b->t, 0, 0);
}

static void offline_request_fees(struct tui_nodeview *nv)
{
	(void)nv; /* no estimates offline: the user types a rate */
}

static void offline_free(struct tui_nodeview *nv)
{
	kb_free(nv->impl);
	nv->impl = NULL;
}

static const struct tui_nodeview_ops offline_ops = {
	.status = offline_status,
	.broadcast = offline_broadcast,
	.request_fees = offline_request_fees,
	.free = offline_free,
};

struct tui_nodeview *tui_nodeview_offline(struct spv_loop *loop, enum kb_net net, const char *why)
{
	struct tui_nodeview *nv = kb_calloc(1, sizeof *nv);
	nv->impl = kb_strdup(why ? why : "offline");
	nv->ops = &offline_ops;
	nv->loop = loop;
	nv->net = net;
	return nv;
}

/* ---- wrappers ---- */

void tui_nodeview_status(struct tui_nodeview *nv, struct tui_nodeview_status *st)
{
	if (!nv) {
		memset(st, 0, sizeof *st);
		st->offline = true;
		st->headers_height = st->target_height = st->scan_height = -1;
		snprintf(st->why, sizeof st->why, "offline");
		return;
	}
	nv->ops->status(nv, st);
}

void tui_nodeview_broadcast(struct tui_nodeview *nv, const uint8_t *raw, size_t len,
                            tui_nodeview_broadcast_cb cb, void *arg)
{
	KB_ASSERT(nv && cb);
	nv->ops->broadcast(nv, raw, len, cb, arg);
}

void tui_nodeview_request_fees(struct tui_nodeview *nv)
{
	if (nv)
		nv->ops->request_fees(nv);
}

void tui_nodeview_set_changed(struct tui_nodeview *nv, tui_nodeview_changed_cb cb, void *arg)
{
	if (!nv)
		return;
	nv->changed = cb;
	nv->changed_arg = arg;
}

void tui_nodeview_changed(struct tui_nodeview *nv)
{
	if (nv && nv->changed)
		nv->changed(nv->changed_arg);
}

void tui_nodeview_free(struct tui_nodeview *nv)
{
	if (!nv)
		return;
	nv->ops->free(nv);
	kb_free(nv);
}

void tui_nodeview_services_text(char *out, size_t cap, uint64_t services)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ 1u << 0, "network" }, { 1u << 2, "bloom" }, { 1u << 3, "witness" },
		{ 1u << 6, "filters" }, { 1u << 10, "limited" },
	};
	if (cap == 0)
		return;
	out[0] = '\0';
	size_t len = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(services & names[i].bit))
			continue;
		int n = snprintf(out + len, cap - len, "%s%s", len ? "," : "", names[i].name);
		if (n < 0 || (size_t)n >= cap - len) {
			out[len] = '\0'; /* whole names only */
			break;
		}
		len += (size_t)n;
	}
	if (!len)
		snprintf(out, cap, "none");
}
