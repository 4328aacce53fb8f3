/* Shared by the native format's suites (test_native.c, test_native_bad.c):
 * record lines to build inputs from, and an import from an exact-size copy. */
#ifndef VCTS_TESTS_NATIVE_UTIL_H
#define VCTS_TESTS_NATIVE_UTIL_H

#include "vcts/trace.h"

#include <stdlib.h>
#include <string.h>

#define HDR "{\"format\":\"vhost-cts-capture\",\"version\":1,\"producer\":\"t\"}\n"
#define SESS "{\"type\":\"session\",\"id\":0,\"side\":\"front-end\",\"name\":\"s\"}\n"
#define GOOD                                                                              \
	"{\"type\":\"event\",\"kind\":\"vu-msg\",\"session\":0,\"dir\":\"FE->BE\",\"chan\":0," \
	"\"request\":1,\"flags\":1}\n"

/* Import text from an exact-size heap copy (no NUL after it). */
static inline int import(struct vc_trace *t, const char *source, const char *text, size_t n,
		  struct vc_error *err)
{
	char *buf = malloc(n ? n : 1);
	memcpy(buf, text, n);
	vc_trace_init(t, source, VC_FMT_NATIVE);
	memset(err, 0, sizeof *err);
	int rc = vc_import_native(t, buf, n, err);
	free(buf);
	return rc;
}

static inline const char *errstr(const struct vc_error *e)
{
	static char buf[1024];
	return vc_error_str(e, buf, sizeof buf);
}

#endif
