/* The native capture format's streaming writer: a header, each session
 * once, then every event, one JSON object a line (traces/FORMAT.md). */
#include "lib/trace/native.h"
#include "lib/trace/native_priv.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"
#include "lib/u64map.h"
#include "lib/xalloc.h"

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vc_native_writer {
	FILE *f;
	bool failed;
	struct u64map declared;
};

/* Write one record; 0 or -1 (then the writer stays failed). */
static int put_line(struct vc_native_writer *w, json_object *o)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || fputs(s, w->f) == EOF || fputc('\n', w->f) == EOF) {
		w->failed = true;
		return -1;
	}
	return 0;
}

static void add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

static void add_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void add_bool(json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

struct vc_native_writer *vc_native_open(FILE *f, const char *producer)
{
	if (!f)
		return NULL;
	struct vc_native_writer *w = xcalloc(1, sizeof *w);
	w->f = f;
	json_object *o = json_object_new_object();
	add_str(o, "format", VC_NATIVE_MAGIC);
	add_i64(o, "version", VC_NATIVE_VERSION);
	add_str(o, "producer", producer ? producer : "vhost-cts");
	put_line(w, o);
	json_object_put(o);
	return w;
}

int vc_native_session(struct vc_native_writer *w, const struct vc_session *s)
{
	if (!w || !s || u64map_get(&w->declared, s->id, NULL) || s->traced_side > VC_SIDE_LIVE) {
		if (w)
			w->failed = true;
		return -1;
	}
	json_object *o = json_object_new_object();
	add_str(o, "type", "session");
	add_u64(o, "id", s->id);
	add_str(o, "side", vc_side_name((enum vc_side)s->traced_side));
	/* name is a fixed array: never read past it even if unterminated. */
	json_object_object_add(o, "name",
			       json_object_new_string_len(s->name, (int)strnlen(s->name, sizeof s->name)));
	if (s->source)
		add_str(o, "source", s->source);
	if (s->queues)
		add_u64(o, "queues", s->queues);
	int rc = put_line(w, o);
	json_object_put(o);
	u64map_put(&w->declared, s->id, 1);
	return rc;
}

static json_object *fd_json(const struct vc_fd *fd)
{
	json_object *o = json_object_new_object();
	add_str(o, "kind", vc_fd_kind_name((enum vc_fd_kind)fd->kind));
	add_i64(o, "size", fd->size);
	add_u64(o, "ident", fd->ident);
	json_object_object_add(o, "name",
			       json_object_new_string_len(fd->name, (int)strnlen(fd->name, sizeof fd->name)));
	return o;
}

static json_object *hex_json(const uint8_t *p, uint32_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *h = xmalloc((size_t)n * 2 + 1);
	for (uint32_t i = 0; i < n; i++) {
		h[2 * i] = digits[p[i] >> 4];
		h[2 * i + 1] = digits[p[i] & 15];
	}
	json_object *o = json_object_new_string_len(h, (int)(n * 2));
	free(h);
	return o;
}

int vc_native_event(struct vc_native_writer *w, const struct vc_event *ev)
{
	if (!w || !ev)
		return -1;
	/* Only what a reader can take back: known kinds and enum values. */
	if (!native_kind(ev->kind) || ev->dir > VC_DIR_BE_TO_FE ||
	    !u64map_get(&w->declared, ev->session, NULL) || ev->nfds > VC_NATIVE_MAX_NFDS ||
	    ev->time_ns < -1 ||
	    (ev->kind == VC_EV_VU_MSG &&
	     (ev->u.vu.chan > VU_CHAN_BACKEND || ev->u.vu.payload_len > VU_PARSER_MAX_PAYLOAD ||
	      (ev->u.vu.payload_len && !ev->u.vu.payload))) ||
	    (vdpa_op_kind(ev->kind) &&
	     (ev->u.vdpa.in_len > VDPA_BYTES_MAX || ev->u.vdpa.out_len > VDPA_BYTES_MAX ||
	      (ev->u.vdpa.in_len && !ev->u.vdpa.in) || (ev->u.vdpa.out_len && !ev->u.vdpa.out)))) {
		w->failed = true;
		return -1;
	}
	json_object *o = json_object_new_object();
	add_str(o, "type", "event");
	add_str(o, "kind", vc_event_kind_name((enum vc_event_kind)ev->kind));
	add_u64(o, "session", ev->session);
	add_u64(o, "index", ev->index);
	add_i64(o, "time_ns", ev->time_ns);
	add_str(o, "dir", vc_dir_name((enum vc_dir)ev->dir));
	json_object *src = json_object_new_object();
	if (ev->src.file)
		add_str(src, "file", ev->src.file);
	add_u64(src, "line", ev->src.line);
	add_bool(src, "offset", ev->src.is_offset);
	json_object_object_add(o, "src", src);
	add_bool(o, "has_fds", ev->has_fds);
	add_u64(o, "nfds", ev->nfds);
	/* fds is NULL (nothing described) or holds min(nfds, 32) entries */
	uint32_t kept = ev->nfds < VC_EVENT_MAX_FDS ? ev->nfds : VC_EVENT_MAX_FDS;
	if (kept && ev->fds) {
		json_object *a = json_object_new_array_ext((int)kept);
		for (uint32_t i = 0; i < kept; i++)
			json_object_array_add(a, fd_json(&ev->fds[i]));
		json_object_object_add(o, "fds", a);
	}
	switch (ev->kind) {
	case VC_EV_VU_MSG: {
		const struct vc_vu_msg *m = &ev->u.vu;
		char nb[32];
		add_u64(o, "chan", m->chan);
		add_u64(o, "request", m->request);
		/* For people reading the file; readers ignore it. */
		add_str(o, "request_name",
			vu_request_name((enum vu_channel)m->chan, m->request, nb, sizeof nb));
		add_u64(o, "flags", m->flags);
		add_bool(o, "has_size", m->has_size);
		add_u64(o, "size", m->size);
		add_bool(o, "has_payload", m->has_payload);
		json_object_object_add(o, "payload", hex_json(m->payload, m->payload_len));
		break;
	}
	case VC_EV_VU_EOF:
		add_bool(o, "partial", ev->u.eof.partial);
		add_u64(o, "partial_bytes", ev->u.eof.partial_bytes);
		break;
	case VC_EV_VU_KICK:
		add_u64(o, "ring", ev->u.kick.ring);
		break;
	case VC_EV_VU_STALL:
		add_u64(o, "owed_request", ev->u.stall.owed_request);
		add_i64(o, "quiet_ns", ev->u.stall.quiet_ns);
		break;
	default:
		for (size_t i = 0; i < vcn_n_mem_fields; i++) {
			const struct mem_field *f = &vcn_mem_fields[i];
			const char *p = (const char *)ev + f->off;
			if (f->kind != ev->kind)
				continue;
			switch (f->type) {
			case MF_U8: add_u64(o, f->key, *(const uint8_t *)p); break;
			case MF_U32: { uint32_t v; memcpy(&v, p, 4); add_u64(o, f->key, v); break; }
			case MF_U64: { uint64_t v; memcpy(&v, p, 8); add_u64(o, f->key, v); break; }
			case MF_I32: { int32_t v; memcpy(&v, p, 4); add_i64(o, f->key, v); break; }
			case MF_I64: { int64_t v; memcpy(&v, p, 8); add_i64(o, f->key, v); break; }
			case MF_BOOL: add_bool(o, f->key, *(const bool *)p); break;
			case MF_NAME:
				json_object_object_add(o, f->key, json_object_new_string_len(p, (int)strnlen(p, VC_MEM_NAME_MAX)));
				break;
			}
		}
		if (vdpa_op_kind(ev->kind)) {
			if (ev->u.vdpa.in_len)
				json_object_object_add(o, "in", hex_json(ev->u.vdpa.in, ev->u.vdpa.in_len));
			if (ev->u.vdpa.out_len)
				json_object_object_add(o, "out", hex_json(ev->u.vdpa.out, ev->u.vdpa.out_len));
		}
		break;
	}
	int rc = put_line(w, o);
	json_object_put(o);
	return rc;
}

int vc_native_close(struct vc_native_writer *w)
{
	if (!w)
		return -1;
	int rc = (w->failed || fflush(w->f) != 0 || ferror(w->f)) ? -1 : 0;
	u64map_free(&w->declared);
	free(w);
	return rc;
}

int vc_native_to_buffer(const struct vc_trace *t, const char *producer, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	*out = NULL;
	*len = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return -1;
	struct vc_native_writer *w = vc_native_open(f, producer);
	int rc = 0;
	for (size_t i = 0; i < t->nsessions; i++)
		if (vc_native_session(w, &t->sessions[i]) != 0)
			rc = -1;
	for (size_t i = 0; i < t->nevents && rc == 0; i++)
		if (vc_native_event(w, &t->events[i]) != 0)
			rc = -1;
	if (vc_native_close(w) != 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

int vc_native_write_file(const struct vc_trace *t, const char *path, struct vc_error *err)
{
	char *buf;
	size_t len;
	if (vc_native_to_buffer(t, "vhost-cts", &buf, &len) != 0) {
		vc_error_set(err, path, 0,
			     "cannot serialise the trace (an event has an unknown kind or value)");
		return -1;
	}
	char msg[512];
	int rc = vc_write_file_atomic(path, buf, len, msg, sizeof msg);
	free(buf);
	/* msg starts with the path, which the error names already. */
	size_t pl = strlen(path);
	const char *m = strncmp(msg, path, pl) == 0 && !strncmp(msg + pl, ": ", 2) ? msg + pl + 2 : msg;
	if (rc != 0)
		vc_error_set(err, path, 0, "%s", m);
	return rc;
}
