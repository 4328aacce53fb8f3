/* Private: QEMU "log" trace backend lines, tokenized. Shared by the
 * vhost-user importer (lib/trace/qemu_trace.c) and later importers of
 * other vhost_* events (memory-listener transactions, vhost-vdpa).
 *
 * What QEMU 7.2 prints (one record per line):
 *     vhost_user_write req:1 flags:0x1                          (default)
 *     5086@1795358770.322819:vhost_user_write req:15 flags:0x1   (-msg timestamp=on)
 * The number before '@' is qemu_get_thread_id() of the tracing thread
 * (the pid for the main loop, another id for vCPU threads). Also
 * accepted: an ISO 8601 prefix as QEMU's error_report() writes it with
 * -msg timestamp=on, "2024-01-01T10:00:00.123456Z vhost_user_write ...". */
#ifndef VCTS_TRACE_QEMU_LOG_H
#define VCTS_TRACE_QEMU_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/trace.h"

#define VC_QLOG_MAX_ARGS 24

/* One argument: "key:value", "key: value", "key=value" give key and
 * value; a lone token gives an empty key (klen 0) and the token as value. */
struct vc_qlog_arg {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
};

struct vc_qlog_line {
	bool has_tid;
	uint64_t tid;          /* the "pid@" prefix: QEMU's thread id */
	int64_t time_ns;       /* ns since the epoch (UTC); -1 when the line has none */
	const char *name;      /* event name, e.g. "vhost_user_write" */
	size_t name_len;
	const char *rest;      /* everything after the name, leading blanks skipped */
	size_t rest_len;
	struct vc_qlog_arg arg[VC_QLOG_MAX_ARGS];
	unsigned nargs;
	bool args_truncated;   /* more than VC_QLOG_MAX_ARGS tokens */
};

/* Tokenize one line (no newline; not NUL-terminated). Returns true when it
 * has the shape of a trace record: [ISO-time blank] [tid@sec.frac:] name
 * [args], name being [a-z][a-z0-9_]* with at least one '_'. */
bool vc_qlog_parse(const char *line, size_t len, struct vc_qlog_line *out);

/* The first argument with this key, or NULL. */
const struct vc_qlog_arg *vc_qlog_find(const struct vc_qlog_line *l, const char *key);

/* Whole-token integers: decimal, or hex with 0x, optional leading '-'.
 * 0 on success, -1 if the token is not such a number or overflows. */
int vc_qlog_int(const char *s, size_t n, bool *neg, uint64_t *mag);

bool vc_qlog_name_is(const struct vc_qlog_line *l, const char *name);

/* ISO 8601 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM|+HHMM)" at s; on
 * success returns the length consumed and sets *ns (since the epoch). */
size_t vc_qlog_iso_time(const char *s, size_t n, int64_t *ns);

/* "TID@SEC[.FRAC]:" at s (the -msg timestamp=on prefix): the length
 * consumed and *tid, *ns set, or 0. */
size_t vc_qlog_tid_prefix(const char *s, size_t n, uint64_t *tid, int64_t *ns);

/* What the vhost-user importer saw (for tests and diagnostics). */
struct vc_qemu_trace_stats {
	uint64_t lines;
	uint64_t messages;      /* vhost_user_read/write events imported */
	uint64_t other_vhost;   /* other vhost_* records, skipped for now */
	uint64_t malformed;     /* broken vhost_user_read/write lines (warned) */
	uint64_t embedded;      /* records found mid-line (interleaved output) */
	uint64_t processes;     /* sessions created */
};

int vc_import_qemu_trace_ex(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err,
			    struct vc_qemu_trace_stats *st);

#endif
