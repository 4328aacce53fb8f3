/* Helpers for the libcheck suites. */
#ifndef VCTS_TESTUTIL_H
#define VCTS_TESTUTIL_H
#include <check.h>
#include <stddef.h>

/* Each test file defines this. */
Suite *vc_test_suite(void);

/* Path of a file in the source tree (tests run from the repository root;
 * VCTS_SRCDIR overrides). Returns a static buffer. */
const char *vc_test_path(const char *rel);
/* The vhost-cts binary under test (VCTS_BIN, default build/rel/vhost-cts). */
const char *vc_test_bin(void);
/* Run argv (argv[0] ignored: the binary under test is used), capture
 * stdout+stderr into a malloc'd string, return the exit status (or -1). */
int vc_test_run(char *const argv[], char **output);
/* Count open fds of this process (for leak checks). */
int vc_test_count_fds(void);
/* Write len bytes to a fresh temp file; returns its path (static buffer
 * per call index 0..7). */
const char *vc_test_tmpfile(const void *data, size_t len, const char *suffix);
/* A path NAME inside this process's own temporary folder (made on first
 * use, removed at exit), so suites running at once never share a file.
 * Static buffer per call index 0..7. */
const char *vc_test_tmppath(const char *name);
#endif
