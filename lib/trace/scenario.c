/* Scenario files: a memory-topology history in JSON (specified in
 * traces/scenarios/README.md), replayed through the address-space model
 * and its listeners into a trace, one session per listener.
 *
 * Bad input never half-works: syntax errors name file:line:column, content
 * errors name the JSON path ("$.steps[3].add[0].size") and the step's line.
 * Unknown keys are errors, so a typo cannot silently change a scenario. */
#include "vcts/model.h"
#include "lib/model/emit.h"
#include "lib/xalloc.h"
#include "vcts/wire_decode.h"

#include <json-c/json.h>

#include "lib/json_tok.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_VERSION 1
#define SC_MAX_REGIONS 4096
#define SC_MAX_LISTENERS 16
#define SC_MAX_STEPS 100000
#define SC_MAX_DEPTH 16

struct sc_region {
	const char *name;     /* json-c owned, valid while root lives */
	uint64_t size, host, page, fd;
	uint32_t flags;
	uint8_t dirty;
};

struct sc {
	struct vc_trace *t;
	struct vc_error *err;
	json_object *root;
	struct sc_region *regions;
	size_t nregions;
	struct vm_as as;
	uint64_t *step_line;  /* line of each step in the file (0 unknown) */
	size_t nstep_lines;
	uint64_t cur_line;
	char path[256];
};

static int fail(struct sc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct sc *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vc_error_set(c->err, c->t->source, c->cur_line, "%s: %s", c->path, msg);
	/* Keys and values echoed from the input stay on one line. */
	for (char *p = c->err ? c->err->what : NULL; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

/* Line of each element of the top-level "steps" array, found by a small
 * scanner over text json-c has already accepted. */
static void find_step_lines(struct sc *c, const char *buf, size_t len, size_t nsteps)
{
	c->step_line = xcalloc(nsteps + 1, sizeof *c->step_line);
	c->nstep_lines = nsteps;
	uint64_t line = 1;
	int depth = 0;
	bool in_steps = false, key_is_steps = false, expect = false;
	size_t idx = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];
		if (ch == '\n') {
			line++;
			continue;
		}
		if (isspace((unsigned char)ch))
			continue;
		if (in_steps && depth == 2 && expect && ch != ']') {
			if (idx < nsteps)
				c->step_line[idx++] = line;
			expect = false;
		}
		if (ch == '"') {
			size_t b = ++i;
			while (i < len && buf[i] != '"') {
				if (buf[i] == '\\')
					i++;
				else if (buf[i] == '\n')
					line++;
				i++;
			}
			if (depth == 1 && !in_steps)
				key_is_steps = i - b == 5 && memcmp(buf + b, "steps", 5) == 0;
		} else if (ch == '{' || ch == '[') {
			if (ch == '[' && depth == 1 && key_is_steps) {
				in_steps = true;
				expect = true;
			}
			depth++;
		} else if (ch == '}' || ch == ']') {
			depth--;
			if (depth == 1)
				in_steps = false;
		} else if (ch == ',' && in_steps && depth == 2) {
			expect = true;
		}
	}
}

/* Numbers: JSON integers >= 0, or strings "123", "0x1f", with an optional
 * K/M/G/T suffix (binary). */
static int get_u64(struct sc *c, json_object *o, const char *what, uint64_t *out)
{
	if (json_object_is_type(o, json_type_int)) {
		int64_t v = json_object_get_int64(o);
		if (v < 0)
			return fail(c, "%s must not be negative", what);
		*out = v == INT64_MAX ? json_object_get_uint64(o) : (uint64_t)v;
		return 0;
	}
	if (!json_object_is_type(o, json_type_string))
		return fail(c, "%s must be a number or a string like \"0x1000\" or \"512M\"", what);
	const char *s = json_object_get_string(o);
	size_t n = strlen(s);
	unsigned shift = 0;
	if (n && strchr("KMGT", s[n - 1])) {
		shift = s[n - 1] == 'K' ? 10 : s[n - 1] == 'M' ? 20 : s[n - 1] == 'G' ? 30 : 40;
		n--;
	}
	unsigned base = 10;
	size_t i = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= n)
		return fail(c, "%s '%.40s' is not a number", what, s);
	uint64_t v = 0;
	for (; i < n; i++) {
		int d = isdigit((unsigned char)s[i]) ? s[i] - '0'
			: (base == 16 && isxdigit((unsigned char)s[i])) ? (tolower((unsigned char)s[i]) - 'a' + 10)
			: -1;
		if (d < 0)
			return fail(c, "%s '%.40s' is not a number", what, s);
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return fail(c, "%s '%.40s' does not fit 64 bits", what, s);
		v = v * base + (unsigned)d;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return fail(c, "%s '%.40s' does not fit 64 bits", what, s);
	*out = v << shift;
	return 0;
}

/* Every key of o must be in allowed (NULL-terminated). */
static int only_keys(struct sc *c, json_object *o, const char *const *allowed)
{
	json_object_object_foreach(o, key, val) {
		(void)val;
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(key, *a) == 0;
		if (!ok)
			return fail(c, "unknown key '%.60s'", key);
	}
	return 0;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* path helpers: push "key" or "[i]" and pop back */
static size_t push(struct sc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct sc *c, const char *fmt, ...)
{
	size_t n = strlen(c->path);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->path + n, sizeof c->path - n, fmt, ap);
	va_end(ap);
	return n;
}
static void pop(struct sc *c, size_t n) { c->path[n] = '\0'; }

static int field_u64(struct sc *c, json_object *o, const char *key, bool required, uint64_t *out)
{
	json_object *v = member(o, key);
	if (!v) {
		if (required)
			return fail(c, "missing '%s'", key);
		return 0;
	}
	size_t m = push(c, ".%s", key);
	int rc = get_u64(c, v, key, out);
	pop(c, m);
	return rc;
}

static int parse_flags(struct sc *c, json_object *arr, bool dirty, uint32_t *out)
{
	if (!json_object_is_type(arr, json_type_array))
		return fail(c, "must be an array of words");
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		json_object *w = json_object_array_get_idx(arr, i);
		size_t m = push(c, "[%zu]", i);
		if (!json_object_is_type(w, json_type_string))
			return fail(c, "must be a string");
		const char *s = json_object_get_string(w);
		uint32_t f = 0;
		if (dirty)
			f = !strcmp(s, "vga") ? VC_MEM_DIRTY_VGA : !strcmp(s, "code") ? VC_MEM_DIRTY_CODE
				: !strcmp(s, "migration") ? VC_MEM_DIRTY_MIGRATION : 0;
		else
			f = vm_kind_by_name(s);
		if (!f)
			return fail(c, "unknown %s '%.40s' (known: %s)", dirty ? "dirty-log client" : "kind", s,
				    dirty ? "vga, code, migration" : "ram, rom, ram_device, iommu, readonly");
		*out |= f;
		pop(c, m);
	}
	return 0;
}

static int parse_regions(struct sc *c, json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return fail(c, "must be an object of named regions");
	size_t n = (size_t)json_object_object_length(o);
	if (n > SC_MAX_REGIONS)
		return fail(c, "%zu regions, at most %u", n, SC_MAX_REGIONS);
	c->regions = xcalloc(n + 1, sizeof *c->regions);
	static const char *const keys[] = { "kind", "size", "host", "page_size", "fd", "dirty", "comment", NULL };
	json_object_object_foreach(o, name, r) {
		size_t m = push(c, ".%.60s", name);
		if (strlen(name) >= VC_MEM_NAME_MAX)
			return fail(c, "region name longer than %u bytes", VC_MEM_NAME_MAX - 1);
		if (!json_object_is_type(r, json_type_object))
			return fail(c, "must be an object");
		if (only_keys(c, r, keys))
			return -1;
		struct sc_region *g = &c->regions[c->nregions];
		g->name = name;
		g->fd = c->nregions + 1; /* fd-backed unless told otherwise */
		json_object *k = member(r, "kind");
		if (!k)
			return fail(c, "missing 'kind'");
		size_t m2 = push(c, ".kind");
		if (parse_flags(c, k, false, &g->flags))
			return -1;
		pop(c, m2);
		json_object *d = member(r, "dirty");
		if (d) {
			uint32_t dm = 0;
			m2 = push(c, ".dirty");
			if (parse_flags(c, d, true, &dm))
				return -1;
			pop(c, m2);
			g->dirty = (uint8_t)dm;
		}
		if (field_u64(c, r, "size", true, &g->size) || field_u64(c, r, "host", false, &g->host) ||
		    field_u64(c, r, "page_size", false, &g->page) || field_u64(c, r, "fd", false, &g->fd))
			return -1;
		if (!g->size)
			return fail(c, "size must not be 0");
		if ((g->flags & VC_MEMF_RAM) && !g->host)
			return fail(c, "a RAM region needs 'host' (its host address)");
		if (!vm_range_ok(g->host, g->size))
			return fail(c, "host 0x%" PRIx64 " + size 0x%" PRIx64 " wraps", g->host, g->size);
		if (g->page && (g->page < 4096 || (g->page & (g->page - 1)) || g->page > ((uint64_t)1 << 40)))
			return fail(c, "page_size 0x%" PRIx64 " is not a power of two in 4K..1T", g->page);
		c->nregions++;
		pop(c, m);
	}
	return 0;
}

static const struct sc_region *region_named(const struct sc *c, const char *name)
{
	for (size_t i = 0; i < c->nregions; i++)
		if (strcmp(c->regions[i].name, name) == 0)
			return &c->regions[i];
	return NULL;
}

static int parse_section(struct sc *c, json_object *o, struct vc_mem_section *s)
{
	static const char *const keys[] = { "region", "gpa", "size", "offset", "readonly", "comment", NULL };
	if (!json_object_is_type(o, json_type_object))
		return fail(c, "a section must be an object");
	if (only_keys(c, o, keys))
		return -1;
	json_object *rn = member(o, "region");
	if (!rn || !json_object_is_type(rn, json_type_string))
		return fail(c, "missing 'region' (a name from \"regions\")");
	const struct sc_region *g = region_named(c, json_object_get_string(rn));
	if (!g)
		return fail(c, "unknown region '%.60s'", json_object_get_string(rn));
	memset(s, 0, sizeof *s);
	if (field_u64(c, o, "gpa", true, &s->gpa) || field_u64(c, o, "size", true, &s->size) ||
	    field_u64(c, o, "offset", false, &s->offset))
		return -1;
	if (!s->size)
		return fail(c, "size must not be 0");
	if (!vm_range_ok(s->gpa, s->size))
		return fail(c, "gpa 0x%" PRIx64 " + size 0x%" PRIx64 " wraps the address space", s->gpa, s->size);
	if (!vm_range_ok(s->offset, s->size) || s->offset + s->size > g->size)
		return fail(c, "offset 0x%" PRIx64 " + size 0x%" PRIx64 " runs past region '%s' (size 0x%" PRIx64 ")",
			    s->offset, s->size, g->name, g->size);
	vm_set_name(s->name, sizeof s->name, g->name, strlen(g->name));
	s->flags = g->flags;
	s->dirty_mask = g->dirty;
	s->page_size = g->page;
	s->fd_ident = g->fd;
	s->hva = (g->flags & VC_MEMF_RAM) ? g->host + s->offset : 0;
	json_object *ro = member(o, "readonly");
	if (ro) {
		if (!json_object_is_type(ro, json_type_boolean))
			return fail(c, "'readonly' must be true or false");
		if (json_object_get_boolean(ro))
			s->flags |= VC_MEMF_READONLY;
	}
	return 0;
}

static int parse_listener(struct sc *c, json_object *o)
{
	static const char *const keys[] = { "name", "backend", "slots", "bugs", "iotlb_batch",
					    "target_page", "comment", NULL };
	if (!json_object_is_type(o, json_type_object))
		return fail(c, "a listener must be an object");
	if (only_keys(c, o, keys))
		return -1;
	if (c->as.nls >= SC_MAX_LISTENERS)
		return fail(c, "more than %u listeners", SC_MAX_LISTENERS);
	struct vm_listener_cfg cfg = { 0 };
	json_object *b = member(o, "backend");
	if (!b || !json_object_is_type(b, json_type_string))
		return fail(c, "missing 'backend' (vhost-user, vhost-kernel or vhost-vdpa)");
	int be = vm_backend_by_name(json_object_get_string(b));
	if (be < 0)
		return fail(c, "unknown backend '%.40s' (vhost-user, vhost-kernel or vhost-vdpa)",
			    json_object_get_string(b));
	cfg.backend = (enum vc_mem_backend)be;
	uint64_t v = 0;
	if (field_u64(c, o, "slots", false, &v))
		return -1;
	if (v > UINT32_MAX)
		return fail(c, "slots %" PRIu64 " too large", v);
	cfg.slots = (uint32_t)v;
	v = 0;
	if (field_u64(c, o, "target_page", false, &v))
		return -1;
	if (v && (v < 4096 || (v & (v - 1)) || v > (1u << 30)))
		return fail(c, "target_page must be a power of two in 4K..1G");
	cfg.target_page = (uint32_t)v;
	json_object *ib = member(o, "iotlb_batch");
	cfg.iotlb_batch = be == VC_MEMB_VHOST_VDPA; /* QEMU negotiates it when offered */
	if (ib) {
		if (!json_object_is_type(ib, json_type_boolean))
			return fail(c, "'iotlb_batch' must be true or false");
		cfg.iotlb_batch = json_object_get_boolean(ib);
	}
	json_object *bugs = member(o, "bugs");
	if (bugs) {
		size_t m = push(c, ".bugs");
		if (!json_object_is_type(bugs, json_type_array))
			return fail(c, "must be an array of variant names");
		for (size_t i = 0; i < json_object_array_length(bugs); i++) {
			json_object *w = json_object_array_get_idx(bugs, i);
			unsigned bit = json_object_is_type(w, json_type_string)
					       ? vm_bug_by_name(json_object_get_string(w)) : 0;
			if (!bit) {
				push(c, "[%zu]", i);
				return fail(c, "unknown listener variant '%.40s'",
					    json_object_is_type(w, json_type_string) ? json_object_get_string(w) : "?");
			}
			cfg.bugs |= bit;
		}
		pop(c, m);
	}
	json_object *nm = member(o, "name");
	char name[64];
	snprintf(name, sizeof name, "%s", nm && json_object_is_type(nm, json_type_string)
		 ? json_object_get_string(nm) : "listener");
	char sname[VC_SESSION_NAME_MAX];
	char bugs_s[200] = "";
	for (unsigned bit = 1; bit & VM_BUG_ALL; bit <<= 1)
		if (cfg.bugs & bit)
			snprintf(bugs_s + strlen(bugs_s), sizeof bugs_s - strlen(bugs_s), "%s%s",
				 bugs_s[0] ? "," : " variant ", vm_bug_name(bit));
	/* Long variant lists are cut: the session name is for people. */
	int w = snprintf(sname, sizeof sname, "memory listener %.40s (%s", name, vm_backend_name(cfg.backend));
	if (w > 0 && (size_t)w < sizeof sname)
		snprintf(sname + w, sizeof sname - (size_t)w, "%.100s)", bugs_s);
	uint32_t sid = vc_trace_add_session(c->t, VC_SIDE_FRONTEND, sname);
	struct vm_out out = { .emit = vm_trace_sink, .opaque = c->t, .sid = sid,
			      .file = c->t->source, .line = c->cur_line };
	vm_as_add_listener(&c->as, name, &cfg, &out);
	return 0;
}

static void set_line(struct sc *c, uint64_t line)
{
	c->cur_line = line;
	for (size_t i = 0; i < c->as.nls; i++)
		c->as.ls[i].out.line = line;
}

static int step_txn(struct sc *c, json_object *st)
{
	char why[300];
	vm_as_begin(&c->as);
	static const char *const ops[] = { "del", "add" };
	for (int k = 0; k < 2; k++) {
		json_object *arr = member(st, ops[k]);
		if (!arr)
			continue;
		size_t m = push(c, ".%s", ops[k]);
		if (!json_object_is_type(arr, json_type_array))
			return fail(c, "must be an array of sections");
		size_t n = json_object_array_length(arr);
		if (n > VM_MAX_SECTIONS)
			return fail(c, "%zu sections in one transaction, at most %u", n, VM_MAX_SECTIONS);
		for (size_t i = 0; i < n; i++) {
			struct vc_mem_section s;
			size_t m2 = push(c, "[%zu]", i);
			if (parse_section(c, json_object_array_get_idx(arr, i), &s))
				return -1;
			if ((k ? vm_as_add(&c->as, &s, why, sizeof why) : vm_as_del(&c->as, &s, why, sizeof why)))
				return fail(c, "%s", why);
			pop(c, m2);
		}
		pop(c, m);
	}
	if (vm_as_commit(&c->as, why, sizeof why))
		return fail(c, "%s", why);
	return 0;
}

static int step_start(struct sc *c, json_object *arr)
{
	if (!json_object_is_type(arr, json_type_array))
		return fail(c, "'start' must be an array of rings");
	size_t n = json_object_array_length(arr);
	if (n > VM_MAX_RINGS)
		return fail(c, "%zu rings, at most %u", n, VM_MAX_RINGS);
	struct vm_ring rings[VM_MAX_RINGS];
	memset(rings, 0, sizeof rings);
	static const char *const keys[] = { "index", "num", "desc", "avail", "used", "comment", NULL };
	static const char *const parts[3] = { "desc", "avail", "used" };
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(arr, i);
		size_t m = push(c, ".start[%zu]", i);
		if (!json_object_is_type(r, json_type_object))
			return fail(c, "a ring must be an object");
		if (only_keys(c, r, keys))
			return -1;
		uint64_t idx = i, num = 256;
		if (field_u64(c, r, "index", false, &idx) || field_u64(c, r, "num", false, &num))
			return -1;
		if (idx > 255)
			return fail(c, "ring index %" PRIu64 " above 255", idx);
		if (!num || num > 32768 || (num & (num - 1)))
			return fail(c, "num %" PRIu64 " is not a power of two in 1..32768", num);
		for (size_t q = 0; q < i; q++)
			if (rings[q].index == idx)
				return fail(c, "ring %" PRIu64 " listed twice", idx);
		rings[i].index = (uint32_t)idx;
		rings[i].size[0] = vu_desc_bytes((uint32_t)num);
		rings[i].size[1] = vu_avail_bytes((uint32_t)num);
		rings[i].size[2] = vu_used_bytes((uint32_t)num);
		for (int p = 0; p < 3; p++) {
			if (field_u64(c, r, parts[p], true, &rings[i].gpa[p]))
				return -1;
			/* The device maps the ring where the flat view has it now. */
			const struct vc_mem_section *s = vm_as_lookup(&c->as, rings[i].gpa[p]);
			if (!s || !(s->flags & VC_MEMF_RAM) ||
			    rings[i].gpa[p] + rings[i].size[p] - s->gpa > s->size ||
			    !vm_range_ok(rings[i].gpa[p], rings[i].size[p]))
				return fail(c, "%s at 0x%" PRIx64 " (+%" PRIu64 ") is not inside one RAM section",
					    parts[p], rings[i].gpa[p], rings[i].size[p]);
			rings[i].hva[p] = s->hva + (rings[i].gpa[p] - s->gpa);
		}
		pop(c, m);
	}
	for (size_t l = 0; l < c->as.nls; l++)
		if (!c->as.ls[l].is_vdpa)
			vm_vhost_start(&c->as.ls[l].vh, rings, n, &c->as.ls[l].out);
	return 0;
}

static int run_steps(struct sc *c, json_object *steps, const char *buf, size_t len)
{
	if (!json_object_is_type(steps, json_type_array))
		return fail(c, "must be an array of steps");
	size_t n = json_object_array_length(steps);
	if (n > SC_MAX_STEPS)
		return fail(c, "%zu steps, at most %u", n, SC_MAX_STEPS);
	find_step_lines(c, buf, len, n);
	static const char *const keys[] = { "add", "del", "start", "stop", "log", "listener", "comment", NULL };
	for (size_t i = 0; i < n; i++) {
		json_object *st = json_object_array_get_idx(steps, i);
		snprintf(c->path, sizeof c->path, "$.steps[%zu]", i);
		set_line(c, c->step_line[i]);
		if (!json_object_is_type(st, json_type_object))
			return fail(c, "a step must be an object");
		if (only_keys(c, st, keys))
			return -1;
		bool txn = member(st, "add") || member(st, "del");
		int kinds = txn + !!member(st, "start") + !!member(st, "stop") + !!member(st, "log") +
			    !!member(st, "listener");
		if (kinds != 1)
			return fail(c, "a step is one of: a transaction (add/del), start, stop, log, listener");
		int rc = 0;
		json_object *v;
		if (txn) {
			rc = step_txn(c, st);
		} else if ((v = member(st, "start"))) {
			rc = step_start(c, v);
		} else if (member(st, "stop")) {
			for (size_t l = 0; l < c->as.nls; l++)
				vm_vhost_stop(&c->as.ls[l].vh, &c->as.ls[l].out);
		} else if ((v = member(st, "log"))) {
			const char *w = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
			if (strcmp(w, "start") && strcmp(w, "stop"))
				return fail(c, "'log' must be \"start\" or \"stop\"");
			vm_as_log(&c->as, !strcmp(w, "start"));
		} else {
			size_t m = push(c, ".listener");
			rc = parse_listener(c, member(st, "listener"));
			pop(c, m);
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* 1-based line and column of byte offset off. */
static void line_col(const char *buf, size_t len, size_t off, uint64_t *line, uint64_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int vm_import_scenario(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	struct sc c = { .t = t, .err = err };
	snprintf(c.path, sizeof c.path, "$");
	vm_as_init(&c.as);
	int rc = -1;
	if (len > INT32_MAX) {
		vc_error_set(err, t->source, 0, "scenario larger than 2 GiB");
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		vc_error_set(err, t->source, 0, "NUL byte in a scenario file (binary data?)");
		goto out;
	}
	json_tokener *tok = vc_json_tok_get(SC_MAX_DEPTH, 0);
	c.root = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	vc_json_tok_put(tok);
	if (!c.root || je != json_tokener_success) {
		uint64_t ln, col;
		line_col(buf, len, end, &ln, &col);
		vc_error_set(err, t->source, ln, "column %" PRIu64 ": invalid JSON: %s", col,
			     je == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(je));
		goto out;
	}
	for (size_t k = end; k < len; k++)
		if (!isspace((unsigned char)buf[k])) {
			uint64_t ln, col;
			line_col(buf, len, k, &ln, &col);
			vc_error_set(err, t->source, ln, "column %" PRIu64 ": text after the scenario object", col);
			goto out;
		}
	if (!json_object_is_type(c.root, json_type_object)) {
		fail(&c, "a scenario is a JSON object");
		goto out;
	}
	static const char *const keys[] = { "vhost-cts-scenario", "description", "regions", "listeners",
					    "steps", "comment", NULL };
	if (only_keys(&c, c.root, keys))
		goto out;
	json_object *ver = member(c.root, "vhost-cts-scenario");
	if (!ver || !json_object_is_type(ver, json_type_int) || json_object_get_int64(ver) != SC_VERSION) {
		fail(&c, "\"vhost-cts-scenario\": %d is required (this is version %d)", SC_VERSION, SC_VERSION);
		goto out;
	}
	json_object *regions = member(c.root, "regions"), *ls = member(c.root, "listeners"),
		    *steps = member(c.root, "steps");
	if (!regions || !ls || !steps) {
		fail(&c, "needs \"regions\", \"listeners\" and \"steps\"");
		goto out;
	}
	snprintf(c.path, sizeof c.path, "$.regions");
	if (parse_regions(&c, regions))
		goto out;
	snprintf(c.path, sizeof c.path, "$.listeners");
	if (!json_object_is_type(ls, json_type_array) || json_object_array_length(ls) == 0) {
		fail(&c, "must be a non-empty array");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(ls); i++) {
		snprintf(c.path, sizeof c.path, "$.listeners[%zu]", i);
		if (parse_listener(&c, json_object_array_get_idx(ls, i)))
			goto out;
	}
	snprintf(c.path, sizeof c.path, "$.steps");
	rc = run_steps(&c, steps, buf, len);
out:
	vm_as_free(&c.as);
	free(c.regions);
	free(c.step_line);
	if (c.root)
		json_object_put(c.root);
	return rc;
}

int vc_import_scenario(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	return vm_import_scenario(t, buf, len, err);
}
