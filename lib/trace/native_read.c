/* The native capture format: JSON Lines, versioned, lossless for every
 * field of struct vc_session and struct vc_event. traces/FORMAT.md is the
 * specification; this file is the reader (the writer is native_write.c).
 *
 * Reader policy: a bad header (or a version newer than ours) is fatal; a
 * bad session or event line is a warning and the line is skipped; if bad
 * lines leave no usable event at all, the import fails with the first
 * line's error. Unknown record types, unknown event kinds and unknown
 * fields are skipped (kinds with a warning) so later versions can add them
 * without breaking this reader. */
#include "lib/trace/native.h"
#include "lib/trace/native_priv.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"
#include "lib/lines.h"
#include "lib/parse_num.h"
#include "lib/u64map.h"
#include "lib/json_tok.h"
#include "lib/xalloc.h"

#include <json-c/json.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int dir_by_name(const char *s)
{
	for (int d = VC_DIR_FE_TO_BE; d <= VC_DIR_BE_TO_FE; d++)
		if (strcmp(s, vc_dir_name((enum vc_dir)d)) == 0)
			return d;
	return -1;
}

static int side_by_name(const char *s)
{
	for (int i = VC_SIDE_UNKNOWN; i <= VC_SIDE_LIVE; i++)
		if (strcmp(s, vc_side_name((enum vc_side)i)) == 0)
			return i;
	return -1;
}

static int kind_by_name(const char *s)
{
	for (int k = 1; k < VC_EV_KIND_MAX; k++)
		if (native_kind((unsigned)k) && strcmp(s, vc_event_kind_name((enum vc_event_kind)k)) == 0)
			return k;
	return -1;
}
struct rd {
	struct vc_trace *t;
	struct vc_error *err;
	json_tokener *tok;
	struct u64map sessions;   /* file id -> trace index */
	uint8_t *pl;             /* payload scratch, grown on demand */
	size_t plcap;
	const char *src_key;     /* last src.file seen (points into the input JSON) */
	char *src_key_copy;      /* malloc'd copy of it, for comparison */
	const char *src_interned;/* its arena copy */
	uint64_t bad_lines;
	struct vc_error first_bad;
	char msg[512];
};

__attribute__((format(printf, 2, 3))) static int fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* Field getters: 1 = present and valid, 0 = absent (and not required),
 * -1 = invalid (r->msg says why). */
static int get_uint(struct rd *r, json_object *o, const char *key, bool required, uint64_t max,
		    const char *range, uint64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return fail(r, "missing field '%s'", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_uint64(v) > max)
		return fail(r, "field '%s' must be an integer %s", key, range);
	*out = json_object_get_uint64(v);
	return 1;
}

static int get_int(struct rd *r, json_object *o, const char *key, bool required, int64_t min,
		   const char *range, int64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return fail(r, "missing field '%s'", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < min)
		return fail(r, "field '%s' must be an integer %s", key, range);
	/* Values above 2^63-1 are stored unsigned by json-c. */
	if (json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return fail(r, "field '%s' must be an integer %s", key, range);
	*out = json_object_get_int64(v);
	return 1;
}

static int get_bool(struct rd *r, json_object *o, const char *key, bool *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(r, "field '%s' must be true or false", key);
	*out = json_object_get_boolean(v);
	return 1;
}

/* A string without NUL bytes and shorter than max bytes (0 = no limit
 * beyond the line's). */
static int get_str(struct rd *r, json_object *o, const char *key, bool required, size_t max,
		   const char **out, size_t *outlen)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return fail(r, "missing field '%s'", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(r, "field '%s' must be a string", key);
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', n))
		return fail(r, "field '%s' must not contain a NUL character", key);
	if (max && n >= max)
		return fail(r, "field '%s' is longer than %zu bytes", key, max - 1);
	*out = s;
	if (outlen)
		*outlen = n;
	return 1;
}

static int get_payload(struct rd *r, json_object *o, uint32_t *len)
{
	const char *s;
	size_t n;
	int rc = get_str(r, o, "payload", false, 0, &s, &n);
	if (rc <= 0)
		return rc;
	if (n > 2 * (size_t)VU_PARSER_MAX_PAYLOAD)
		return fail(r, "field 'payload' is longer than %u bytes (%u hex digits)",
			    VU_PARSER_MAX_PAYLOAD, 2 * VU_PARSER_MAX_PAYLOAD);
	if (n % 2)
		return fail(r, "field 'payload' must have an even number of hex digits");
	if (n / 2 > r->plcap)
		r->pl = xgrow(r->pl, &r->plcap, n / 2, 1);
	for (size_t i = 0; i < n; i += 2) {
		int hi = vc_hex_digit(s[i]), lo = vc_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return fail(r, "field 'payload' has a non-hex character at position %zu",
				    hi < 0 ? i : i + 1);
		r->pl[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint32_t)(n / 2);
	return 1;
}

static int parse_fd(struct rd *r, json_object *o, size_t i, struct vc_fd *fd)
{
	if (!json_object_is_type(o, json_type_object))
		return fail(r, "fds[%zu] must be an object", i);
	const char *s;
	size_t n;
	int64_t size = -1;
	uint64_t ident = 0;
	memset(fd, 0, sizeof *fd);
	int rc = get_str(r, o, "kind", false, 0, &s, NULL);
	if (rc < 0)
		goto bad;
	/* Kinds added later read as "unknown" (forward compatible). */
	fd->kind = rc ? (uint8_t)vc_fd_kind_by_name(s) : VC_FD_UNKNOWN;
	if (get_int(r, o, "size", false, -1, "-1..2^63-1", &size) < 0 ||
	    get_uint(r, o, "ident", false, UINT64_MAX, "0..2^64-1", &ident) < 0)
		goto bad;
	fd->size = size;
	fd->ident = ident;
	rc = get_str(r, o, "name", false, VC_FD_NAME_MAX, &s, &n);
	if (rc < 0)
		goto bad;
	if (rc)
		memcpy(fd->name, s, n);
	return 0;
bad: {
	char inner[sizeof r->msg];
	memcpy(inner, r->msg, sizeof inner);
	return fail(r, "fds[%zu]: %s", i, inner);
}
}

static const char *intern_src(struct rd *r, const char *s)
{
	if (r->src_key_copy && strcmp(r->src_key_copy, s) == 0)
		return r->src_interned;
	free(r->src_key_copy);
	r->src_key_copy = xstrdup(s);
	r->src_interned = vc_trace_strdup(r->t, s);
	return r->src_interned;
}

static int parse_session(struct rd *r, json_object *o)
{
	uint64_t id;
	const char *side = NULL, *name = "", *source = NULL;
	if (get_uint(r, o, "id", true, UINT32_MAX, "0..2^32-1", &id) < 0)
		return -1;
	int rc = get_str(r, o, "side", false, 0, &side, NULL);
	if (rc < 0)
		return -1;
	int sv = rc ? side_by_name(side) : VC_SIDE_UNKNOWN;
	if (sv < 0)
		return fail(r, "field 'side' must be \"front-end\", \"back-end\", \"live\" or \"unknown\"");
	if (get_str(r, o, "name", false, VC_SESSION_NAME_MAX, &name, NULL) < 0 ||
	    get_str(r, o, "source", false, 0, &source, NULL) < 0)
		return -1;
	uint64_t queues = 0;
	if (get_uint(r, o, "queues", false, 65536, "0..65536", &queues) < 0)
		return -1;
	if (u64map_get(&r->sessions, (uint32_t)id, NULL))
		return fail(r, "session %" PRIu64 " declared twice", id);
	uint32_t idx = vc_trace_add_session(r->t, (enum vc_side)sv, name);
	r->t->sessions[idx].queues = (uint32_t)queues;
	if (source)
		r->t->sessions[idx].source = vc_trace_strdup(r->t, source);
	u64map_put(&r->sessions, (uint32_t)id, idx);
	return 0;
}

/* 1 = event added, 0 = skipped with a warning (unknown kind), -1 = bad. */
static int parse_event(struct rd *r, json_object *o, uint64_t ln)
{
	struct vc_event ev;
	struct vc_fd fdbuf[VC_EVENT_MAX_FDS];
	memset(&ev, 0, sizeof ev);
	const char *s;
	uint64_t u;
	int64_t i64;
	int rc;

	if (get_str(r, o, "kind", true, 0, &s, NULL) < 0)
		return -1;
	int kind = kind_by_name(s);
	if (kind < 0) {
		vc_trace_warn(r->t, ln, "unknown event kind '%.64s' skipped (written by a newer vhost-cts?)", s);
		return 0;
	}
	ev.kind = (uint8_t)kind;
	if (get_uint(r, o, "session", true, UINT32_MAX, "0..2^32-1", &u) < 0)
		return -1;
	uint32_t idx;
	if (!u64map_get(&r->sessions, (uint32_t)u, &idx))
		return fail(r, "event names undeclared session %" PRIu64, u);
	ev.session = idx;
	if (get_str(r, o, "dir", true, 0, &s, NULL) < 0)
		return -1;
	int dir = dir_by_name(s);
	if (dir < 0)
		return fail(r, "field 'dir' must be \"FE->BE\" or \"BE->FE\"");
	ev.dir = (uint8_t)dir;
	uint64_t index = 0;
	int has_index = get_uint(r, o, "index", false, UINT64_MAX, "0..2^64-1", &index);
	if (has_index < 0)
		return -1;
	ev.time_ns = -1;
	if (get_int(r, o, "time_ns", false, -1, "-1..2^63-1", &ev.time_ns) < 0)
		return -1;

	json_object *src;
	if (json_object_object_get_ex(o, "src", &src)) {
		if (!json_object_is_type(src, json_type_object))
			return fail(r, "field 'src' must be an object");
		rc = get_str(r, src, "file", false, 0, &s, NULL);
		if (rc < 0)
			return -1;
		if (rc)
			ev.src.file = intern_src(r, s);
		u = 0;
		if (get_uint(r, src, "line", false, UINT64_MAX, "0..2^64-1", &u) < 0 ||
		    get_bool(r, src, "offset", &ev.src.is_offset) < 0)
			return -1;
		ev.src.line = u;
	}

	/* fds */
	u = 0;
	int has_nfds = get_uint(r, o, "nfds", false, VC_NATIVE_MAX_NFDS, "0..1024", &u);
	if (has_nfds < 0)
		return -1;
	ev.nfds = (uint32_t)u;
	json_object *fds = NULL;
	bool has_fds_arr = json_object_object_get_ex(o, "fds", &fds);
	if (has_fds_arr) {
		if (!json_object_is_type(fds, json_type_array))
			return fail(r, "field 'fds' must be an array");
		size_t n = json_object_array_length(fds);
		if (n > VC_EVENT_MAX_FDS)
			return fail(r, "field 'fds' has more than %u entries", VC_EVENT_MAX_FDS);
		if (!has_nfds)
			ev.nfds = (uint32_t)n;
		else if (n > ev.nfds)
			return fail(r, "field 'fds' has %zu entries but 'nfds' is %u", n, ev.nfds);
		ev.fds = n ? fdbuf : NULL; /* copied by vc_trace_add_event */
		for (size_t i = 0; i < n; i++)
			if (parse_fd(r, json_object_array_get_idx(fds, i), i, &ev.fds[i]) < 0)
				return -1;
		/* fewer descriptions than fds: the rest are unknown */
		for (size_t i = n; n && i < VC_EVENT_MAX_FDS; i++) {
			memset(&fdbuf[i], 0, sizeof fdbuf[i]);
			fdbuf[i].size = -1;
		}
	}
	ev.has_fds = has_nfds || has_fds_arr;
	if (get_bool(r, o, "has_fds", &ev.has_fds) < 0)
		return -1;

	switch (ev.kind) {
	case VC_EV_VU_MSG: {
		struct vc_vu_msg *m = &ev.u.vu;
		if (get_uint(r, o, "chan", true, VU_CHAN_BACKEND, "0..1", &u) < 0)
			return -1;
		m->chan = (uint8_t)u;
		if (get_uint(r, o, "request", true, UINT32_MAX, "0..2^32-1", &u) < 0)
			return -1;
		m->request = (uint32_t)u;
		if (get_uint(r, o, "flags", true, UINT32_MAX, "0..2^32-1", &u) < 0)
			return -1;
		m->flags = (uint32_t)u;
		u = 0;
		rc = get_uint(r, o, "size", false, UINT32_MAX, "0..2^32-1", &u);
		if (rc < 0)
			return -1;
		m->size = (uint32_t)u;
		m->has_size = rc;
		if (get_bool(r, o, "has_size", &m->has_size) < 0)
			return -1;
		rc = get_payload(r, o, &m->payload_len);
		if (rc < 0)
			return -1;
		m->payload = m->payload_len ? r->pl : NULL;
		m->has_payload = rc;
		if (get_bool(r, o, "has_payload", &m->has_payload) < 0)
			return -1;
		break;
	}
	case VC_EV_VU_EOF:
		u = 0;
		if (get_bool(r, o, "partial", &ev.u.eof.partial) < 0 ||
		    get_uint(r, o, "partial_bytes", false, UINT32_MAX, "0..2^32-1", &u) < 0)
			return -1;
		ev.u.eof.partial_bytes = (uint32_t)u;
		break;
	case VC_EV_VU_KICK:
		if (get_uint(r, o, "ring", true, UINT32_MAX, "0..2^32-1", &u) < 0)
			return -1;
		ev.u.kick.ring = (uint32_t)u;
		break;
	case VC_EV_VU_STALL:
		if (get_uint(r, o, "owed_request", true, UINT32_MAX, "0..2^32-1", &u) < 0 ||
		    get_int(r, o, "quiet_ns", true, INT64_MIN, "-2^63..2^63-1", &i64) < 0)
			return -1;
		ev.u.stall.owed_request = (uint32_t)u;
		ev.u.stall.quiet_ns = i64;
		break;
	default:
		for (size_t i = 0; i < vcn_n_mem_fields; i++) {
			const struct mem_field *f = &vcn_mem_fields[i];
			char *p = (char *)&ev + f->off;
			if (f->kind != ev.kind)
				continue;
			u = 0;
			switch (f->type) {
			case MF_U8:
				if (get_uint(r, o, f->key, false, UINT8_MAX, "0..255", &u) < 0)
					return -1;
				*(uint8_t *)p = (uint8_t)u;
				break;
			case MF_U32: {
				if (get_uint(r, o, f->key, false, UINT32_MAX, "0..2^32-1", &u) < 0)
					return -1;
				uint32_t v = (uint32_t)u;
				memcpy(p, &v, 4);
				break;
			}
			case MF_U64:
				if (get_uint(r, o, f->key, false, UINT64_MAX, "0..2^64-1", &u) < 0)
					return -1;
				memcpy(p, &u, 8);
				break;
			case MF_BOOL:
				if (get_bool(r, o, f->key, (bool *)p) < 0)
					return -1;
				break;
			case MF_I32: {
				int64_t v = 0;
				if (get_int(r, o, f->key, false, INT32_MIN, "-2^31..2^31-1", &v) < 0)
					return -1;
				if (v > INT32_MAX)
					return fail(r, "field '%s' must be an integer -2^31..2^31-1", f->key);
				int32_t v32 = (int32_t)v;
				memcpy(p, &v32, 4);
				break;
			}
			case MF_I64: {
				int64_t v = 0;
				if (get_int(r, o, f->key, false, INT64_MIN, "-2^63..2^63-1", &v) < 0)
					return -1;
				memcpy(p, &v, 8);
				break;
			}
			case MF_NAME:
				rc = get_str(r, o, f->key, false, 0, &s, NULL);
				if (rc < 0)
					return -1;
				if (rc)
					snprintf(p, VC_MEM_NAME_MAX, "%s", s);
				break;
			}
		}
		break;
	}
	/* The page is an alignment mask to the model and the MEM rules. */
	const uint32_t pg = ev.u.mem_begin.target_page;
	if (ev.kind == VC_EV_MEM_BEGIN && pg && (pg < 4096 || (pg & (pg - 1)) || pg > (1u << 30)))
		return fail(r, "field 'target_page' must be 0 or a power of two in 4K..1G");
	uint8_t *bytes[2] = { NULL, NULL };
	if (vdpa_op_kind(ev.kind)) {
		static const char *const key[2] = { "in", "out" };
		for (int k = 0; k < 2; k++) {
			const char *hs;
			size_t hn = 0;
			int hr = get_str(r, o, key[k], false, 0, &hs, &hn);
			uint32_t n = 0;
			if (hr > 0) {
				if (hn % 2 || hn > 2 * (size_t)VDPA_BYTES_MAX) {
					free(bytes[0]);
					return fail(r, "field '%s' must be an even number of hex digits, at most %u bytes",
						    key[k], VDPA_BYTES_MAX);
				}
				n = (uint32_t)(hn / 2);
				bytes[k] = xmalloc(n ? n : 1);
				for (size_t i = 0; i < hn; i += 2) {
					int hi = vc_hex_digit(hs[i]), lo = vc_hex_digit(hs[i + 1]);
					if (hi < 0 || lo < 0) {
						free(bytes[0]);
						free(bytes[1]);
						return fail(r, "field '%s' has a non-hex character at position %zu",
							    key[k], hi < 0 ? i : i + 1);
					}
					bytes[k][i / 2] = (uint8_t)(hi << 4 | lo);
				}
			} else if (hr < 0) {
				free(bytes[0]);
				return -1;
			}
			if (k == 0) {
				ev.u.vdpa.in = bytes[0];
				ev.u.vdpa.in_len = n;
			} else {
				ev.u.vdpa.out = bytes[1];
				ev.u.vdpa.out_len = n;
			}
		}
	}
	if (has_index) {
		ev.index = index;
		vc_trace_add_event_at(r->t, &ev);
	} else {
		vc_trace_add_event(r->t, &ev);
	}
	free(bytes[0]);
	free(bytes[1]);
	return 1;
}

static void bad_line(struct rd *r, uint64_t ln)
{
	if (r->bad_lines++ == 0)
		vc_error_set(&r->first_bad, r->t->source, ln, "%s", r->msg);
	vc_trace_warn(r->t, ln, "%s; line skipped", r->msg);
}

/* Parse one line into a JSON object, or NULL with r->msg set. */
static json_object *parse_json(struct rd *r, const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == n || l[i] != '{') {
		fail(r, "expected JSON object");
		return NULL;
	}
	json_tokener_reset(r->tok);
	json_object *o = json_tokener_parse_ex(r->tok, l, (int)n);
	enum json_tokener_error je = json_tokener_get_error(r->tok);
	if (je == json_tokener_continue) {
		fail(r, "truncated JSON object (the line ends inside it)");
		return NULL;
	}
	if (!o || je != json_tokener_success) {
		fail(r, "invalid JSON at column %zu: %s", json_tokener_get_parse_end(r->tok) + 1,
		     json_tokener_error_desc(je));
		json_object_put(o);
		return NULL;
	}
	for (size_t k = json_tokener_get_parse_end(r->tok); k < n; k++)
		if (l[k] != ' ' && l[k] != '\t') {
			fail(r, "trailing data after the JSON object at column %zu", k + 1);
			json_object_put(o);
			return NULL;
		}
	if (!json_object_is_type(o, json_type_object)) {
		fail(r, "expected JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int check_header(struct rd *r, json_object *o)
{
	const char *fmt;
	json_object *v;
	if (!json_object_object_get_ex(o, "format", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp((fmt = json_object_get_string(v)), VC_NATIVE_MAGIC) != 0)
		return fail(r, "not a vhost-cts capture: the first line must be the header "
			       "{\"format\":\"" VC_NATIVE_MAGIC "\",\"version\":%d,...}",
			    VC_NATIVE_VERSION);
	if (!json_object_object_get_ex(o, "version", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 1)
		return fail(r, "header field 'version' must be a positive integer");
	int64_t ver = json_object_get_int64(v);
	if (ver > VC_NATIVE_VERSION)
		return fail(r, "capture format version %" PRId64 " is newer than this reader (%d); "
			       "upgrade vhost-cts",
			    ver, VC_NATIVE_VERSION);
	return 0;
}

int vc_import_native(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	struct rd r;
	memset(&r, 0, sizeof r);
	r.t = t;
	r.err = err;
	r.tok = vc_json_tok_get(JSON_TOKENER_DEFAULT_DEPTH, JSON_TOKENER_STRICT);
	int rc = -1;
	bool header = false;
	uint64_t ln = 0, nev = 0;

	if (len == 0 || !buf) {
		vc_error_set(err, t->source, 0, "empty file");
		goto out;
	}
	struct vc_lines it;
	vc_lines_init(&it, buf, len);
	const char *l;
	size_t n;
	while (vc_lines_next(&it, &l, &n)) {
		ln = it.ln;
		size_t k = 0;
		while (k < n && (l[k] == ' ' || l[k] == '\t'))
			k++;
		if (k == n)
			continue; /* blank line */
		json_object *o = NULL;
		if (n > VC_NATIVE_MAX_LINE)
			fail(&r, "line is longer than %u bytes", VC_NATIVE_MAX_LINE);
		else if (memchr(l, '\0', n))
			fail(&r, "NUL byte in line (binary data?)");
		else
			o = parse_json(&r, l, n);
		if (!header) {
			if (o && check_header(&r, o) == 0) {
				header = true;
				json_object_put(o);
				continue;
			}
			json_object_put(o);
			vc_error_set(err, t->source, ln, "%s", r.msg);
			goto out;
		}
		if (!o) {
			bad_line(&r, ln);
			continue;
		}
		const char *type = NULL;
		json_object *tv;
		if (json_object_object_get_ex(o, "type", &tv) && json_object_is_type(tv, json_type_string))
			type = json_object_get_string(tv);
		if (!type && json_object_object_get_ex(o, "format", NULL)) {
			vc_trace_warn(t, ln, "second header (concatenated captures?) ignored");
		} else if (!type) {
			fail(&r, "missing field 'type' (must be \"session\" or \"event\")");
			bad_line(&r, ln);
		} else if (strcmp(type, "session") == 0) {
			if (parse_session(&r, o) < 0)
				bad_line(&r, ln);
		} else if (strcmp(type, "event") == 0) {
			int er = parse_event(&r, o, ln);
			if (er < 0)
				bad_line(&r, ln);
			else
				nev += (uint64_t)er;
		} else {
			vc_trace_warn(t, ln, "unknown record type '%.64s' skipped", type);
		}
		json_object_put(o);
	}
	if (!header) {
		vc_error_set(err, t->source, 0, "empty file");
		goto out;
	}
	if (r.bad_lines && nev == 0) {
		vc_error_set(err, r.first_bad.file, r.first_bad.line,
			     "%s (no usable events: %" PRIu64 " bad line%s)", r.first_bad.what,
			     r.bad_lines, r.bad_lines == 1 ? "" : "s");
		goto out;
	}
	rc = 0;
out:
	vc_json_tok_put(r.tok);
	u64map_free(&r.sessions);
	free(r.pl);
	free(r.src_key_copy);
	return rc;
}
