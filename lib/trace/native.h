/* Private helpers of the native capture format (lib/trace/native*.c) for
 * tests and fuzzers: serialise a whole trace into memory, and compare two
 * traces field by field (the round-trip oracle). */
#ifndef VCTS_TRACE_NATIVE_H
#define VCTS_TRACE_NATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "vcts/trace.h"

/* Reader limits (see traces/FORMAT.md). */
#define VC_NATIVE_MAX_LINE (4u << 20)       /* bytes per line, newline excluded */
#define VC_NATIVE_MAX_NFDS 1024u            /* "nfds" */
#define VC_NATIVE_MAGIC "vhost-cts-capture"

/* Serialise t (header, every session, every event) into a malloc'd
 * buffer. 0 on success, -1 when an event cannot be written (its kind has
 * no native form); *out is then NULL. */
int vc_native_to_buffer(const struct vc_trace *t, const char *producer, char **out, size_t *len);

/* Compare two events / traces as the format stores them. On a difference
 * return false and describe the first one in why. Trace comparison covers
 * sessions (id, side, name, source, messages) and every event; it does not
 * compare the traces' own source names or warnings. */
bool vc_native_event_equal(const struct vc_event *a, const struct vc_event *b, char *why,
			   size_t whylen);
bool vc_native_trace_equal(const struct vc_trace *a, const struct vc_trace *b, char *why,
			   size_t whylen);

#endif
