/* strace logs of a vhost-vdpa client: open/openat, ioctl, write, mmap,
 * munmap and close on a vhost-vdpa fd become vhost-vdpa events, one
 * session per open file. Lines are parsed by the shared strace parser
 * (strace_parse.c: st_parse_gen for the call, st_parse_call for write's
 * data). Recommended: strace -f -tt -yy -xx -s 65536
 *   -e trace=ioctl,write,mmap,munmap,openat,close
 *
 * strace prints an ioctl's argument as a pointer, so the events carry the
 * request and its result but no argument bytes; rules that need them stay
 * undecided. IOTLB messages are written with write(): their bytes are in
 * the log and every IOTLB and batching rule is decided. A fd is vhost-vdpa
 * when it was opened from a path containing "vhost-vdpa" or its -yy
 * annotation names such a path. */
#include "vcts/trace.h"
#include "vcts/vdpa_uapi.h"
#include "lib/trace/strace_priv.h"
#include "lib/lines.h"
#include "lib/parse_num.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SV_MAX_FD 65536
#define SV_MAX_BELLS 1024

struct sv {
	struct vc_trace *t;
	struct st_parser p;
	uint32_t *sess;        /* fd -> session + 1 (0 = not vhost-vdpa) */
	struct {
		uint64_t addr, len, off;
		uint32_t session;
	} bell[SV_MAX_BELLS];
	unsigned nbells;
	uint64_t opens, events, skipped_unfinished;
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* "[pid N] " or "N " then "HH:MM:SS.frac " or "SEC.frac ": the call's
 * offset, time in ns (-1 if none). */
static size_t prefix(const char *l, size_t n, int64_t *ns)
{
	size_t i = 0;
	*ns = -1;
	if (n > 5 && !memcmp(l, "[pid ", 5)) {
		i = 5;
		while (i < n && l[i] == ' ')
			i++;
		while (i < n && is_digit(l[i]))
			i++;
		if (i < n && l[i] == ']')
			i++;
	} else {
		size_t j = 0;
		while (j < n && is_digit(l[j]))
			j++;
		if (j && j < n && l[j] == ' ')
			i = j;
	}
	while (i < n && l[i] == ' ')
		i++;
	/* time */
	size_t j = i;
	int64_t secs = 0;
	int fields = 0;
	while (j < n && fields < 3) {
		size_t d = j;
		int64_t v = 0;
		while (j < n && is_digit(l[j]) && j - d < 12)
			v = v * 10 + (l[j++] - '0');
		if (j == d)
			break;
		secs = fields && secs <= INT64_MAX / 60 ? secs * 60 + v : v;
		fields++;
		if (j < n && l[j] == ':')
			j++;
		else
			break;
	}
	if (fields && j < n && l[j] == '.') {
		j++;
		int64_t frac = 0;
		int digits = 0;
		while (j < n && is_digit(l[j])) {
			if (digits < 9) {
				frac = frac * 10 + (l[j] - '0');
				digits++;
			}
			j++;
		}
		while (digits < 9) {
			frac *= 10;
			digits++;
		}
		if (j < n && l[j] == ' ' && secs < INT64_MAX / 1000000000 - 1) {
			*ns = secs * 1000000000 + frac;
			i = j;
			while (i < n && l[i] == ' ')
				i++;
		}
	}
	return i;
}

static int errno_by_name(const char *name)
{
	if (!strcmp(name, "ENOTSUPP"))
		return VDPA_ENOTSUPP;
	for (int e = 1; e < 200; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, name))
			return e;
	}
	return EIO;
}

static bool vdpa_path(const char *s)
{
	return strstr(s, "vhost-vdpa") != NULL;
}

static uint32_t sess_of(struct sv *m, const struct st_fdarg *fd)
{
	if (fd->num < 0 || fd->num >= SV_MAX_FD)
		return 0;
	uint32_t s = m->sess[fd->num];
	if (s || !fd->ann)
		return s;
	/* A fd opened before the log started: its annotation says what it is. */
	char txt[VC_FD_NAME_MAX + 16];
	st_decode_text(fd->ann, fd->ann_len, txt, sizeof txt);
	if (!vdpa_path(txt))
		return 0;
	char name[VC_SESSION_NAME_MAX];
	snprintf(name, sizeof name, "fd %lld %.110s (opened before the log)", (long long)fd->num, txt);
	m->sess[fd->num] = vc_trace_add_session(m->t, VC_SIDE_FRONTEND, name) + 1;
	return m->sess[fd->num];
}

static void add(struct sv *m, struct vc_event *ev, uint32_t s1, uint64_t line, int64_t ns)
{
	ev->session = s1 - 1;
	ev->src.line = line;
	ev->time_ns = ns;
	ev->dir = VC_DIR_FE_TO_BE;
	vc_trace_add_event(m->t, ev);
	m->events++;
}

/* A call of session s1 that could not be read: a gap (nothing after it
 * is judged), with the warning. */
static void gap(struct sv *m, uint32_t s1, uint64_t line, int64_t ns, const char *what)
{
	vc_trace_warn(m->t, line, "%s; the session is incomplete from here", what);
	struct vc_event ev = { .kind = VC_EV_GAP };
	add(m, &ev, s1, line, ns);
}

static void set_result(struct vc_vdpa_op *o, const struct st_gen_call *g)
{
	o->has_result = g->res_known;
	o->ret = g->res_known ? (g->res < 0 ? -1 : g->res) : 0;
	o->err = g->res_known && g->res < 0 ? errno_by_name(g->err) : 0;
}

/* A number argument; strace prints a null pointer as NULL. */
static bool arg_u64(const char *s, size_t n, uint64_t *v)
{
	if (n == 4 && !memcmp(s, "NULL", 4)) {
		*v = 0;
		return true;
	}
	return vc_parse_u64(s, n, v);
}

static bool has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++)
		if (!memcmp(s + i, w, wl) && (i + wl == n || s[i + wl] == '|' || s[i + wl] == ' ') &&
		    (i == 0 || s[i - 1] == '|' || s[i - 1] == ' '))
			return true;
	return false;
}

/* VHOST_VDPA_SET_STATUS, _IOC(_IOC_READ, 0xaf, 0x7a, 0x4) or a number. */
static bool request_of(const char *s, size_t n, uint32_t *req)
{
	const struct vdpa_ioctl_info *ri = vdpa_ioctl_by_name(s, n);
	if (ri) {
		*req = ri->request;
		return true;
	}
	uint64_t v;
	if (arg_u64(s, n, &v) && v <= UINT32_MAX) {
		*req = (uint32_t)v;
		return true;
	}
	if (n > 5 && !memcmp(s, "_IOC(", 5)) {
		char buf[96];
		snprintf(buf, sizeof buf, "%.*s", (int)(n < 95 ? n : 95), s);
		unsigned dir = 0;
		if (strstr(buf, "_IOC_READ"))
			dir |= VDPA_IOC_R;
		if (strstr(buf, "_IOC_WRITE"))
			dir |= VDPA_IOC_W;
		const char *c1 = strchr(buf, ',');
		unsigned type, nr, size;
		if (c1 && sscanf(c1 + 1, " %x, %x, %x", &type, &nr, &size) == 3 && type <= 0xff && nr <= 0xff &&
		    size < (1u << 14)) {
			*req = (uint32_t)((dir << 30) | (size << 16) | (type << 8) | nr);
			return true;
		}
	}
	return false;
}

static void on_open(struct sv *m, const struct st_gen_call *g, unsigned patharg, uint64_t ln, int64_t ns)
{
	if (g->nargs <= patharg)
		return;
	const char *a = g->arg[patharg].s;
	size_t an = g->arg[patharg].n;
	if (an < 2 || a[0] != '"')
		return;
	char path[256];
	st_decode_text(a + 1, an - 2, path, sizeof path);
	if (!vdpa_path(path) || !g->res_known || g->res < 0 || g->res >= SV_MAX_FD)
		return;
	char name[VC_SESSION_NAME_MAX];
	snprintf(name, sizeof name, "fd %lld %.120s (open #%llu)", (long long)g->res, path,
		 (unsigned long long)++m->opens);
	uint32_t s1 = vc_trace_add_session(m->t, VC_SIDE_FRONTEND, name) + 1;
	m->sess[g->res] = s1;
	struct vc_event ev = { .kind = VC_EV_VDPA_OPEN };
	ev.u.vdpa.fd = (int32_t)g->res;
	set_result(&ev.u.vdpa, g);
	add(m, &ev, s1, ln, ns);
}

static void on_write(struct sv *m, const char *l, size_t n, uint32_t s1, const struct st_fdarg *fd,
		     uint64_t ln, int64_t ns)
{
	struct st_call k;
	if (st_parse_call(&m->p, l, n, &k) != 0 || k.sys != ST_SYS_WRITE) {
		char what[200];
		snprintf(what, sizeof what, "vhost-vdpa write not understood (%s)", m->p.what);
		gap(m, s1, ln, ns, what);
		return;
	}
	struct vc_event ev = { 0 };
	uint32_t type = 0;
	if (!k.data_cut && !k.data_absent && k.data_len >= 4)
		memcpy(&type, k.data, 4);
	bool whole = !k.data_cut && !k.data_absent && k.data_len == VDPA_MSG_V2_SIZE &&
		     (type == VDPA_MSG_TYPE_IOTLB || type == VDPA_MSG_TYPE_IOTLB_V2);
	if (whole) {
		const uint8_t *b = k.data, *io = b + VDPA_MSG_V2_IOTLB_OFF;
		ev.kind = VC_EV_VDPA_IOTLB;
		ev.u.iotlb.msg_type = type;
		if (type == VDPA_MSG_TYPE_IOTLB_V2)
			memcpy(&ev.u.iotlb.asid, b + VDPA_MSG_V2_ASID_OFF, 4);
		memcpy(&ev.u.iotlb.iova, io + VDPA_IOTLB_IOVA_OFF, 8);
		memcpy(&ev.u.iotlb.size, io + VDPA_IOTLB_SIZE_OFF, 8);
		memcpy(&ev.u.iotlb.uaddr, io + VDPA_IOTLB_UADDR_OFF, 8);
		ev.u.iotlb.perm = io[VDPA_IOTLB_PERM_OFF];
		ev.u.iotlb.type = io[VDPA_IOTLB_TYPE_OFF];
		ev.u.iotlb.has_result = k.res_known;
		ev.u.iotlb.err = k.res_known && k.res < 0 ? errno_by_name(k.err) : 0;
	} else if (k.data_cut || k.data_absent) {
		/* Bytes not in the log: nothing can be said about them. */
		gap(m, s1, ln, ns, "vhost-vdpa write with cut data skipped (use -s 65536 -xx)");
		return;
	} else {
		ev.kind = VC_EV_VDPA_WRITE;
		struct vc_vdpa_op *o = &ev.u.vdpa;
		o->fd = (int32_t)fd->num;
		o->has_result = k.res_known;
		o->ret = k.res_known ? (k.res < 0 ? -1 : k.res) : 0;
		o->err = k.res_known && k.res < 0 ? errno_by_name(k.err) : 0;
		o->in_known = true;
		o->in = k.data;
		o->in_len = k.data_len > 4096 ? 4096 : (uint32_t)k.data_len;
		o->len = k.data_len;
	}
	add(m, &ev, s1, ln, ns);
}

/* The calls do_line() imports, by name: the one list it dispatches on. */
enum sv_call {
	SV_NONE, SV_OPENAT, SV_OPEN, SV_MUNMAP, SV_IOCTL, SV_WRITE, SV_CLOSE, SV_MMAP,
	SV_RESUMED, /* "<... NAME resumed>": no name of its own (not in call_names) */
};
static const char *const call_names[] = {
	[SV_OPENAT] = "openat", [SV_OPEN] = "open",   [SV_MUNMAP] = "munmap", [SV_IOCTL] = "ioctl",
	[SV_WRITE] = "write",   [SV_CLOSE] = "close", [SV_MMAP] = "mmap",
};

/* Which of them the line (past its prefix) calls, read from its name
 * alone: most of an strace log is socket I/O, dropped before parsing. */
static enum sv_call call_of(const char *l, size_t n)
{
	size_t k = 0;
	while (k < n && k < 8 && l[k] >= 'a' && l[k] <= 'z')
		k++;
	if (k == n || l[k] != '(')
		return SV_NONE;
	for (size_t i = 1; i < sizeof call_names / sizeof call_names[0]; i++)
		if (strlen(call_names[i]) == k && !memcmp(l, call_names[i], k))
			return (enum sv_call)i;
	return SV_NONE;
}

static bool ends_with(const char *l, size_t n, const char *tail)
{
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\r' || l[n - 1] == '\t'))
		n--;
	size_t t = strlen(tail);
	return n >= t && !memcmp(l + n - t, tail, t);
}

/* What a line is to this importer, from its prefix and call name alone:
 * SV_NONE (nothing), SV_RESUMED ("<... NAME resumed>") or the call. *l and
 * *n move past the prefix. The one test both do_line() and
 * sv_line_wanted() make. */
static enum sv_call line_head(const char **l, size_t *n, int64_t *ns)
{
	size_t at = prefix(*l, *n, ns);
	*l += at;
	*n -= at;
	if (*n < 5)
		return SV_NONE;
	if (!memcmp(*l, "<...", 4))
		return SV_RESUMED;
	return call_of(*l, *n);
}

static void do_line(struct sv *m, const char *l, size_t n, uint64_t ln)
{
	int64_t ns;
	enum sv_call call = line_head(&l, &n, &ns);
	if (call == SV_NONE)
		return;
	if (call == SV_RESUMED) {
		/* The second half of an interrupted call: counted, not imported. */
		if (memmem(l, n, "vhost-vdpa", 10) || memmem(l, n, "vhost\\x2dvdpa", 13))
			m->skipped_unfinished++;
		return;
	}
	if (ends_with(l, n, "<unfinished ...>")) {
		if (memmem(l, n, "vhost-vdpa", 10) || memmem(l, n, "vhost\\x2dvdpa", 13))
			m->skipped_unfinished++;
		return;
	}
	struct st_gen_call g;
	if (st_parse_gen(&m->p, l, n, &g) != 0) {
		/* Not a syscall line (signals, exits, noise), or a garbled one:
		 * if its first argument is a vhost-vdpa fd, that session lost a
		 * call. */
		const char *p = memchr(l, '(', n);
		int64_t fd = 0;
		size_t i = p ? (size_t)(p - l) + 1 : n, st = i;
		while (i < n && i - st < 6 && l[i] >= '0' && l[i] <= '9')
			fd = fd * 10 + (l[i++] - '0');
		if (call != SV_MMAP && call != SV_MUNMAP && i > st && fd < SV_MAX_FD && m->sess[fd])
			gap(m, m->sess[fd], ln, ns, "vhost-vdpa call line garbled");
		return;
	}
	if (call == SV_OPENAT || call == SV_OPEN) {
		on_open(m, &g, call == SV_OPENAT ? 1 : 0, ln, ns); /* path argument */
		return;
	}
	if (call == SV_MUNMAP) {
		uint64_t addr;
		if (g.nargs < 1 || !arg_u64(g.arg[0].s, g.arg[0].n, &addr))
			return;
		for (unsigned i = 0; i < m->nbells; i++)
			if (m->bell[i].addr == addr) {
				struct vc_event ev = { .kind = VC_EV_VDPA_MMAP };
				ev.u.vdpa.fd = -1;
				ev.u.vdpa.unmap = true;
				ev.u.vdpa.len = m->bell[i].len;
				ev.u.vdpa.off = m->bell[i].off;
				set_result(&ev.u.vdpa, &g);
				add(m, &ev, m->bell[i].session, ln, ns);
				m->bell[i] = m->bell[--m->nbells];
				return;
			}
		return;
	}
	/* ioctl, write, close: the fd first; mmap(addr, len, prot, flags, fd, off) */
	unsigned fdarg = call == SV_MMAP ? 4 : 0;
	if (g.nargs <= fdarg)
		return;
	struct st_fdarg fd;
	if (st_parse_fd_text(&m->p, g.arg[fdarg].s, g.arg[fdarg].n, &fd) != 0)
		return;
	uint32_t s1 = sess_of(m, &fd);
	if (!s1)
		return;
	if (call == SV_WRITE) {
		on_write(m, l, n, s1, &fd, ln, ns);
		return;
	}
	struct vc_event ev = { 0 };
	struct vc_vdpa_op *o = &ev.u.vdpa;
	o->fd = (int32_t)fd.num;
	set_result(o, &g);
	if (call == SV_CLOSE) {
		ev.kind = VC_EV_VDPA_CLOSE;
		add(m, &ev, s1, ln, ns);
		m->sess[fd.num] = 0;
		return;
	}
	if (call == SV_IOCTL) {
		if (g.nargs < 2 || !request_of(g.arg[1].s, g.arg[1].n, &o->request)) {
			gap(m, s1, ln, ns, "vhost-vdpa ioctl with an unreadable request skipped");
			return;
		}
		ev.kind = VC_EV_VDPA_IOCTL;
		add(m, &ev, s1, ln, ns);
		return;
	}
	/* mmap(addr, len, prot, flags, fd, off) */
	uint64_t len, off;
	if (g.nargs < 6 || !arg_u64(g.arg[1].s, g.arg[1].n, &len) || !arg_u64(g.arg[5].s, g.arg[5].n, &off))
		return;
	ev.kind = VC_EV_VDPA_MMAP;
	o->len = len;
	o->off = off;
	o->prot = (has_word(g.arg[2].s, g.arg[2].n, "PROT_READ") ? PROT_READ : 0) |
		  (has_word(g.arg[2].s, g.arg[2].n, "PROT_WRITE") ? PROT_WRITE : 0);
	o->flags = (has_word(g.arg[3].s, g.arg[3].n, "MAP_SHARED") ? MAP_SHARED : 0) |
		   (has_word(g.arg[3].s, g.arg[3].n, "MAP_PRIVATE") ? MAP_PRIVATE : 0);
	if (g.res_known && g.res >= 0) {
		o->ret = 0;
		if (m->nbells < SV_MAX_BELLS) {
			m->bell[m->nbells].addr = (uint64_t)g.res;
			m->bell[m->nbells].len = len;
			m->bell[m->nbells].off = off;
			m->bell[m->nbells].session = s1;
			m->nbells++;
		}
	}
	add(m, &ev, s1, ln, ns);
}

struct sv_import {
	struct sv m;
	uint64_t line;
};

struct sv_import *sv_import_begin(struct vc_trace *t)
{
	struct sv_import *s = xcalloc(1, sizeof *s);
	s->m.t = t;
	s->m.sess = xcalloc(SV_MAX_FD, sizeof *s->m.sess);
	return s;
}

bool sv_line_wanted(const char *l, size_t n)
{
	int64_t ns;
	return line_head(&l, &n, &ns) != SV_NONE;
}

void sv_import_line(struct sv_import *s, const char *l, size_t n, uint64_t ln)
{
	do_line(&s->m, l, n, ln);
}

void sv_import_skip(struct sv_import *s, uint64_t lines)
{
	s->line += lines;
}

void sv_import_lines(struct sv_import *s, const char *buf, size_t len)
{
	struct vc_lines it;
	vc_lines_init(&it, buf, len);
	const char *l;
	size_t n;
	while (vc_lines_next(&it, &l, &n))
		do_line(&s->m, l, n, s->line + it.ln);
	s->line += it.ln;
}

uint64_t sv_import_end(struct sv_import *s)
{
	struct sv *m = &s->m;
	if (m->skipped_unfinished)
		vc_trace_warn(m->t, 0, "%llu interrupted vhost-vdpa calls (<unfinished ...>) not imported",
			      (unsigned long long)m->skipped_unfinished);
	uint64_t events = m->events;
	st_parser_free(&m->p);
	free(m->sess);
	free(s);
	return events;
}

int vc_import_strace_vdpa(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	(void)err;
	struct sv_import *s = sv_import_begin(t);
	sv_import_lines(s, buf, len);
	sv_import_end(s);
	return 0;
}
