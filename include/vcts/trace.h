/* Recorded traces: an in-memory event stream (sessions + events in the
 * order they happened) and the importers that build it from files.
 * Importers take a byte buffer, so fuzzers and tests can feed them
 * directly; vc_trace_load() reads a file (bounded) and picks one. */
#ifndef VCTS_TRACE_H
#define VCTS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vcts/event.h"

enum vc_format {
	VC_FMT_AUTO = 0,
	VC_FMT_STRACE,
	VC_FMT_QEMU_TRACE,
	VC_FMT_NATIVE,
	VC_FMT_SCENARIO,   /* memory-topology scenario (JSON), replayed through lib/model */
	VC_FMT_COUNT,
};

const char *vc_format_name(enum vc_format f);
/* Parse a --format word; returns -1 if unknown. */
int vc_format_by_name(const char *name);

/* An input error: file, line (or byte offset) and what was wrong. */
struct vc_error {
	char file[256];
	uint64_t line;      /* 0 = whole file */
	bool is_offset;
	char what[512];
};

/* Format "file:line: what" into buf. */
const char *vc_error_str(const struct vc_error *e, char *buf, size_t len);
void vc_error_set(struct vc_error *e, const char *file, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Non-fatal problems an importer skipped over. Kept (bounded) and counted. */
#define VC_TRACE_MAX_WARNINGS 50

struct vc_arena;
struct vc_trace;

/* Where a streaming import delivers its events (vhost-cts check): each
 * event as the importer makes it, with its payload valid for the call
 * only, instead of stored in the trace. Sessions are still stored (they
 * are few and importers may name them after their first events). */
struct vc_event_sink {
	void (*event)(void *opaque, const struct vc_trace *t, const struct vc_event *ev);
	void *opaque;
};

struct vc_trace {
	char *source;                 /* file name (owned) */
	enum vc_format format;
	struct vc_session *sessions;
	size_t nsessions, cap_sessions;
	struct vc_event *events;      /* all sessions, in recorded order */
	size_t nevents, cap_events;
	struct vc_arena *arena;       /* payload bytes and strings */
	char *warnings[VC_TRACE_MAX_WARNINGS];
	size_t nwarnings;             /* stored */
	uint64_t warnings_total;      /* including those not stored */
	/* Streaming: events go to the sink and only nevents counts them;
	 * events[] stays empty. NULL = stored (decode, convert, tests). */
	const struct vc_event_sink *sink;
	struct vc_event last;         /* the event last handed to the sink */
};

void vc_trace_init(struct vc_trace *t, const char *source, enum vc_format fmt);
void vc_trace_free(struct vc_trace *t);
/* Empty the trace for another import from the same source, keeping its
 * memory (fuzz harnesses: no allocation per input once warm). */
void vc_trace_reset(struct vc_trace *t);
/* Add a session; returns its id (index). name is copied. */
uint32_t vc_trace_add_session(struct vc_trace *t, enum vc_side traced, const char *name);
/* Append an event; payload bytes (ev->u.vu.payload) and src.file are
 * copied into the trace's arena; ev->index is assigned per session.
 * Returns the stored event. */
struct vc_event *vc_trace_add_event(struct vc_trace *t, const struct vc_event *ev);
/* The same, keeping ev->index (a source that numbers its own events). */
struct vc_event *vc_trace_add_event_at(struct vc_trace *t, const struct vc_event *ev);
void vc_trace_warn(struct vc_trace *t, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy a string into the arena. */
const char *vc_trace_strdup(struct vc_trace *t, const char *s);

/* Guess the format from the first bytes. */
enum vc_format vc_detect_format(const char *buf, size_t len);

/* Importers. Return 0 on success (maybe with warnings), -1 on unusable
 * input with err set. On failure the trace holds what was parsed so far
 * and must still be freed. */
int vc_import_strace(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
int vc_import_qemu_trace(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
/* The vhost_vdpa_* records of a QEMU trace log (lib/trace/qemu_vdpa.c):
 * one vhost-vdpa session per log when there are any. Never fails. */
int vc_import_qemu_vdpa(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
/* The vhost-vdpa calls of an strace log (lib/trace/strace_vdpa.c): one
 * session per open of a vhost-vdpa node. Never fails. */
int vc_import_strace_vdpa(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
int vc_import_native(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
/* Scenario files (traces/scenarios/README.md): lib/trace/scenario.c. */
int vc_import_scenario(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
int vc_import_buffer(struct vc_trace *t, enum vc_format fmt, const char *buf, size_t len,
		     struct vc_error *err);

/* Largest input file read by default (bytes). */
#define VC_MAX_INPUT_DEFAULT (512ull << 20)

/* Read a file (at most max_bytes; 0 = default) and import it. */
/* vc_trace_load() streaming every event into sink (see vc_event_sink). */
int vc_trace_load_stream(struct vc_trace *t, const char *path, enum vc_format fmt,
			 uint64_t max_bytes, const struct vc_event_sink *sink, struct vc_error *err);
int vc_trace_load(struct vc_trace *t, const char *path, enum vc_format fmt, uint64_t max_bytes,
		  struct vc_error *err);

/* Native capture format (JSON Lines, see docs in traces/FORMAT.md).
 * The writer is streaming so live sources can record as they go. */
#define VC_NATIVE_VERSION 1
struct vc_native_writer;
struct vc_native_writer *vc_native_open(FILE *f, const char *producer);
/* Sessions must be declared before their events. */
int vc_native_session(struct vc_native_writer *w, const struct vc_session *s);
int vc_native_event(struct vc_native_writer *w, const struct vc_event *ev);
/* Returns 0 if every write succeeded. Does not close f. */
int vc_native_close(struct vc_native_writer *w);
/* Whole trace to a file, atomically (temp file + rename). */
int vc_native_write_file(const struct vc_trace *t, const char *path, struct vc_error *err);

#endif
