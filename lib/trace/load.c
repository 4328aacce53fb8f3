/* Loading a trace: format detection, the importer for each format, and
 * the streamed load that hands events to a sink as they are made. Apart
 * from lib/trace/trace.c so a harness of one importer does not link them all. */
#include "vcts/trace.h"
#include "vcts/fileio.h"
#include "lib/arena.h"
#include "lib/xalloc.h"
#include "vcts/model.h"
#include "lib/trace/strace_priv.h"
#include "lib/trace/qemu_log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* Format detection judges the lines in this much of a file (and looks
 * further only for a QEMU record when they say nothing). */
#define DETECT_BYTES 65536u
#define DETECT_LINES 400u

static bool is_dig(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Does a line have strace's own syntax? "[pid N] " or "N " (pid), a time
 * ("HH:MM:SS[.frac]" or "secs.frac"), then a call "name(args) = result",
 * "name(args <unfinished ...>", "<... name resumed>... = result", a signal
 * "--- SIG..." or an exit "+++ exited with N +++". Whatever the calls are:
 * a log that starts with the dynamic loader's openat/mmap/close is strace
 * as much as one that starts with sendmsg. */
static bool strace_syntax(const char *l, size_t n, bool head_only)
{
	while (n && (l[n - 1] == '\r' || is_blank(l[n - 1])))
		n--;
	size_t i = 0;
	if (n >= 5 && memcmp(l, "[pid", 4) == 0) {
		i = 4;
		while (i < n && l[i] == ' ')
			i++;
		size_t d = i;
		while (i < n && is_dig(l[i]))
			i++;
		if (i == d || i >= n || l[i] != ']')
			return false;
		i++;
	} else {
		size_t d = i;
		while (i < n && is_dig(l[i]))
			i++;
		if (i > d && i < n && is_blank(l[i]) && i - d <= 10)
			; /* a pid */
		else
			i = d;
	}
	while (i < n && is_blank(l[i]))
		i++;
	if (i < n && is_dig(l[i])) {
		/* a time stamp: digits, ':' and '.', then a blank */
		size_t d = i;
		bool dot = false, colon = false;
		while (i < n && (is_dig(l[i]) || l[i] == ':' || l[i] == '.')) {
			dot |= l[i] == '.';
			colon |= l[i] == ':';
			i++;
		}
		if (i >= n || !is_blank(l[i]) || (!dot && !colon) || i - d > 24)
			return false;
		while (i < n && is_blank(l[i]))
			i++;
	}
	const char *s = l + i;
	size_t sn = n - i;
	if ((sn >= 7 && memcmp(s, "--- SIG", 7) == 0) || (sn >= 10 && memcmp(s, "+++ exited", 10) == 0) ||
	    (sn >= 10 && memcmp(s, "+++ killed", 10) == 0))
		return true;
	size_t j = 0;
	if (sn >= 5 && memcmp(s, "<... ", 5) == 0) {
		j = 5;
		size_t b = j;
		while (j < sn && (s[j] == '_' || is_dig(s[j]) || (s[j] >= 'a' && s[j] <= 'z')))
			j++;
		if (j == b || sn - j < 9 || memcmp(s + j, " resumed>", 9) != 0)
			return false;
	} else {
		if (!sn || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
			return false;
		while (j < sn && (s[j] == '_' || is_dig(s[j]) || (s[j] >= 'a' && s[j] <= 'z')))
			j++;
		if (j >= sn || s[j] != '(')
			return false;
	}
	if (head_only)
		return true; /* the start of a line longer than the window */
	if (sn - j >= 16 && memcmp(s + sn - 16, "<unfinished ...>", 16) == 0)
		return true;
	/* " = " then a result: a number, "?" or an address, at the end
	 * (maybe followed by an error name, flags or a duration). */
	for (size_t k = sn; k-- > j + 1;) {
		if (s[k] != '=' || s[k - 1] != ' ' || k + 2 >= sn || s[k + 1] != ' ')
			continue;
		char c = s[k + 2];
		if (c == '?' || is_dig(c) || (c == '-' && k + 3 < sn && is_dig(s[k + 3])))
			return true;
	}
	return false;
}

/* A QEMU log-backend record of a vhost event (lib/trace/qemu_log.h). */
static bool qemu_vhost_record(const char *l, size_t n)
{
	struct vc_qlog_line q;
	return vc_qlog_parse(l, n, &q) && q.name_len > 6 && memcmp(q.name, "vhost_", 6) == 0;
}

/* By the syntax of the lines in the first DETECT_BYTES: JSON objects are
 * native (or a scenario, which names itself); lines in strace's syntax
 * against QEMU vhost_* records, the larger count wins. Words are looked
 * for only when no line has either syntax (a QEMU record glued onto other
 * output); past the window, only for a QEMU record (an strace log shows
 * its syntax from the first line). */
enum vc_format vc_detect_format(const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i >= len)
		return VC_FMT_AUTO;
	if (buf[i] == '{') {
		/* A scenario names itself in its first object's keys. */
		size_t n = len - i < 4096 ? len - i : 4096;
		return memmem(buf + i, n, "\"vhost-cts-scenario\"", 20) ? VC_FMT_SCENARIO : VC_FMT_NATIVE;
	}
	size_t end = len - i > DETECT_BYTES ? i + DETECT_BYTES : len;
	unsigned nstrace = 0, nqemu = 0, lines = 0;
	bool words = false;
	size_t p = i;
	for (; p < end && lines < DETECT_LINES; lines++) {
		const char *nl = memchr(buf + p, '\n', end - p);
		size_t ll = nl ? (size_t)(nl - (buf + p)) : end - p;
		const char *l = buf + p;
		if (!nl && end < len) {
			/* A line longer than the window (a large read): its start
			 * counts when nothing else does. */
			if (!nstrace && !nqemu && strace_syntax(l, ll, true))
				nstrace++;
			break;
		}
		if (strace_syntax(l, ll, false))
			nstrace++;
		else if (qemu_vhost_record(l, ll))
			nqemu++;
		else if (memmem(l, ll, "vhost_user_", 11))
			words = true;
		if (!nl)
			break;
		p += ll + 1;
	}
	if (nstrace > nqemu)
		return VC_FMT_STRACE;
	if (nqemu || words)
		return VC_FMT_QEMU_TRACE;
	/* Nothing in the window: a QEMU log on stderr may start with a long
	 * guest console; its first vhost record decides. */
	for (const char *q = buf + p; q < buf + len;) {
		const char *v = memmem(q, (size_t)(buf + len - q), "vhost_", 6);
		if (!v)
			break;
		const char *b = v;
		while (b > buf && b[-1] != '\n')
			b--;
		const char *e = memchr(v, '\n', (size_t)(buf + len - v));
		size_t ll = e ? (size_t)(e - b) : (size_t)(buf + len - b);
		if (qemu_vhost_record(b, ll) || qemu_vhost_record(v, ll - (size_t)(v - b)))
			return VC_FMT_QEMU_TRACE;
		q = v + 6;
	}
	return VC_FMT_AUTO;
}

int vc_import_buffer(struct vc_trace *t, enum vc_format fmt, const char *buf, size_t len,
		     struct vc_error *err)
{
	if (fmt == VC_FMT_AUTO)
		fmt = vc_detect_format(buf, len);
	t->format = fmt;
	switch (fmt) {
	case VC_FMT_STRACE: {
		/* vhost-user streams and vhost-vdpa calls: an error only when
		 * neither is there. */
		struct vc_error uerr = { 0 };
		int urc = vc_import_strace(t, buf, len, &uerr);
		size_t before = t->nevents;
		vc_import_strace_vdpa(t, buf, len, err);
		if (urc && t->nevents == before) {
			if (err)
				*err = uerr;
			return -1;
		}
		return 0;
	}
	case VC_FMT_QEMU_TRACE: {
		/* vhost-user records, vhost-vdpa records and the memory
		 * listeners' lines (sessions of their own): an error only when
		 * none of them is there, so a log traced with only the
		 * listeners' events is judged too. */
		struct vc_error uerr = { 0 };
		int urc = vc_import_qemu_trace(t, buf, len, &uerr);
		size_t before = t->nevents;
		vc_import_qemu_vdpa(t, buf, len, err);
		int lrc = vm_import_qemu_listener(t, buf, len, err);
		if (lrc)
			return lrc;
		if (urc && t->nevents == before) {
			if (err)
				*err = uerr;
			return -1;
		}
		return 0;
	}
	case VC_FMT_SCENARIO:
		return vc_import_scenario(t, buf, len, err);
	case VC_FMT_NATIVE:
		return vc_import_native(t, buf, len, err);
	default:
		if (len == 0)
			vc_error_set(err, t->source, 0, "empty file");
		else if (memchr(buf, '\0', len < 4096 ? len : 4096))
			vc_error_set(err, t->source, 0,
				     "binary data, not a trace (expected strace, QEMU trace log or native JSON Lines)");
		else
			vc_error_set(err, t->source, 1,
				     "unrecognised format (expected strace, QEMU trace log or native JSON Lines; use --format)");
		return -1;
	}
}

int vc_trace_load_stream(struct vc_trace *t, const char *path, enum vc_format fmt,
			 uint64_t max_bytes, const struct vc_event_sink *sink, struct vc_error *err)
{
	char *buf;
	size_t len;
	char msg[400];
	vc_trace_init(t, path, fmt);
	t->sink = sink;
	uint64_t max = max_bytes ? max_bytes : VC_MAX_INPUT_DEFAULT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= max) {
		if (sink) {
			/* The format from the first bytes; an strace log is read in
			 * blocks, everything else mapped whole. */
			enum vc_format f = fmt;
			if (f == VC_FMT_AUTO) {
				char *head = xmalloc(DETECT_BYTES);
				ssize_t hn = pread(fd, head, DETECT_BYTES, 0);
				if (hn > 0)
					f = vc_detect_format(head, (size_t)hn);
				free(head);
			}
			if (f == VC_FMT_STRACE) {
				int rc = st_load_stream(t, fd, (uint64_t)st.st_size, max, err);
				close(fd);
				return rc;
			}
		}
		/* Regular files are mapped, not copied: importers honour len and
		 * never need a NUL. Pipes and other files are read. */
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		close(fd);
		if (m != MAP_FAILED) {
			int rc = vc_import_buffer(t, fmt, m, (size_t)st.st_size, err);
			munmap(m, (size_t)st.st_size);
			return rc;
		}
	} else if (fd >= 0) {
		close(fd);
	}
	if (vc_read_file(path, max, &buf, &len, msg, sizeof msg) != 0) {
		vc_error_set(err, path, 0, "%s", msg);
		return -1;
	}
	int rc = vc_import_buffer(t, fmt, buf, len, err);
	free(buf);
	return rc;
}

int vc_trace_load(struct vc_trace *t, const char *path, enum vc_format fmt, uint64_t max_bytes,
		  struct vc_error *err)
{
	return vc_trace_load_stream(t, path, fmt, max_bytes, NULL, err);
}
