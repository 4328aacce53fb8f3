/* Loading a trace: format detection, the importer for each format, and
 * the streamed load that hands events to a sink as they are made. Apart
 * from lib/trace/trace.c so a harness of one importer does not link them all. */
#include "vcts/trace.h"
#include "vcts/fileio.h"
#include "lib/arena.h"
#include "lib/xalloc.h"
#include "fakes/memory/memory.h"
#include "lib/trace/strace_priv.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* Decide by the first non-empty line. strace lines start with an optional
 * pid and a time "HH:MM:SS.uuuuuu"; QEMU log lines with "vhost_" or a
 * "pid@sec.usec:" prefix; native lines are JSON objects. */
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
	/* Scan a handful of lines for tell-tale words. */
	size_t end = len < i + 65536 ? len : i + 65536;
	int lines = 0;
	for (size_t p = i; p < end && lines < 200; lines++) {
		const char *nl = memchr(buf + p, '\n', end - p);
		size_t ll = nl ? (size_t)(nl - (buf + p)) : end - p;
		const char *l = buf + p;
		if ((ll > 7 && memmem(l, ll, "sendmsg(", 8)) || memmem(l, ll, "recvmsg(", 8) ||
		    memmem(l, ll, "read(", 5) || memmem(l, ll, "write(", 6) ||
		    memmem(l, ll, "ioctl(", 6) || memmem(l, ll, "+++ exited", 10) ||
		    memmem(l, ll, "execve(", 7))
			return VC_FMT_STRACE;
		if (memmem(l, ll, "vhost_", 6))
			return VC_FMT_QEMU_TRACE;
		if (!nl)
			break;
		p += ll + 1;
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
			char head[4096];
			ssize_t hn = pread(fd, head, sizeof head, 0);
			enum vc_format f = fmt;
			if (f == VC_FMT_AUTO && hn > 0)
				f = vc_detect_format(head, (size_t)hn);
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
