/* Live judging of the fake vDPA device (see live.h). */
#include "fakes/vdpa/live.h"
#include "vcts/report.h"
#include "vcts/trace.h"
#include "lib/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct vdpa_live {
	pthread_mutex_t lock;
	struct vc_engine *eng;
	char name[128];
	FILE *findings;
	uint32_t *sid;          /* engine session per model open number */
	uint64_t *count;        /* events so far, per model open number */
	size_t nsid, cap_sid;
	bool finished;
	struct vc_native_writer *cap;
};

static void on_finding(const struct vc_finding *f, void *opaque)
{
	struct vdpa_live *l = opaque;
	if (l->findings)
		vc_report_finding_line(l->findings, f, l->name);
}

struct vdpa_live *vdpa_live_new(const char *name, const struct vc_engine_opts *opts, FILE *findings)
{
	struct vdpa_live *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->lock, NULL);
	struct vc_engine_opts o = { 0 };
	if (opts)
		o = *opts;
	o.on_finding = on_finding;
	o.opaque = l;
	l->eng = vc_engine_new(&o);
	l->findings = findings;
	snprintf(l->name, sizeof l->name, "%s", name ? name : "vdpa");
	return l;
}

static void observe(const struct vc_event *ev, void *opaque)
{
	struct vdpa_live *l = opaque;
	pthread_mutex_lock(&l->lock);
	if (l->finished)
		goto out;
	if (ev->kind == VC_EV_VDPA_OPEN && ev->u.vdpa.ret >= 0 && ev->session >= l->nsid) {
		struct vc_session s = { .traced_side = VC_SIDE_LIVE, .source = "live" };
		if (ev->u.vdpa.fd >= 0)
			snprintf(s.name, sizeof s.name, "%s open #%u (fd %d)", l->name, ev->session + 1,
				 ev->u.vdpa.fd);
		else /* a source that sees no opens (VDUSE): one session */
			snprintf(s.name, sizeof s.name, "%s", l->name);
		while (l->nsid <= ev->session) {
			size_t cap = l->cap_sid;
			l->sid = xgrow(l->sid, &l->cap_sid, l->nsid + 1, sizeof *l->sid);
			l->count = xgrow(l->count, &cap, l->nsid + 1, sizeof *l->count);
			l->count[l->nsid] = 0;
			s.id = (uint32_t)l->nsid;
			l->sid[l->nsid++] = vc_engine_add_session(l->eng, &s);
			if (l->cap)
				vc_native_session(l->cap, &s);
		}
	}
	if (ev->session < l->nsid) {
		struct vc_event e = *ev;
		e.session = l->sid[ev->session];
		e.index = l->count[ev->session]++;
		e.src.line = e.index + 1;
		vc_engine_feed(l->eng, &e);
		if (l->cap) {
			struct vc_event c = e;
			c.session = ev->session; /* the capture's own session ids */
			vc_native_event(l->cap, &c);
		}
		if (ev->kind == VC_EV_VDPA_CLOSE)
			vc_engine_end_session(l->eng, e.session);
	}
out:
	pthread_mutex_unlock(&l->lock);
}

void vdpa_live_feed(const struct vc_event *ev, void *live)
{
	observe(ev, live);
}

void vdpa_live_attach(struct vdpa_live *l, struct vdpa_dev *d)
{
	vdpa_dev_set_observer(d, observe, l);
}

int vdpa_live_capture(struct vdpa_live *l, FILE *f)
{
	pthread_mutex_lock(&l->lock);
	l->cap = f ? vc_native_open(f, "vhost-cts fake vDPA device") : NULL;
	pthread_mutex_unlock(&l->lock);
	return l->cap ? 0 : -1;
}

const struct vc_results *vdpa_live_finish(struct vdpa_live *l)
{
	pthread_mutex_lock(&l->lock);
	l->finished = true;
	if (l->cap) {
		vc_native_close(l->cap);
		l->cap = NULL;
	}
	const struct vc_results *r = vc_engine_finish(l->eng);
	pthread_mutex_unlock(&l->lock);
	return r;
}

void vdpa_live_free(struct vdpa_live *l)
{
	if (!l)
		return;
	vc_engine_free(l->eng);
	free(l->sid);
	free(l->count);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
