/* The vhost-cts command line: one file per subcommand. */
#ifndef VCTS_CLI_H
#define VCTS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/trace.h"

#define VCTS_VERSION "0.1.0"

/* Exit statuses, the same for every subcommand. */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

int cmd_check(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_drive(int argc, char **argv);
int cmd_fuzz_backend(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_certify(int argc, char **argv);
int cmd_fuzz_device(int argc, char **argv);
int cmd_vdpa_fake(int argc, char **argv);

/* "vhost-cts: <msg>" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Load one input; prints the one-line error and returns -1 on failure,
 * prints warnings (bounded) to stderr. */
int cli_load(struct vc_trace *t, const char *path, enum vc_format fmt, uint64_t max_input);
/* The same, streaming events into sink instead of storing them. */
int cli_load_stream(struct vc_trace *t, const char *path, enum vc_format fmt, uint64_t max_input,
		    const struct vc_event_sink *sink);
/* The --json and --junit reports a command was asked for (NULL = not
 * asked), each written atomically; -1 after printing why one failed. */
struct vc_results;
struct vc_report_meta;
int cli_write_reports(const char *json, const char *junit, const struct vc_results *res,
		      const struct vc_report_meta *meta);
/* A path named on the command line, and the option that named it
 * ("--json", "-o", "input"); NULL paths are skipped. */
struct cli_path {
	const char *opt;
	const char *path;
};
/* Before any work: every output is writable the safe way (vcts/outfile.h),
 * no file is named by two outputs, and no output is an input. Prints one
 * line ("vhost-cts: CMD: ...") and returns EXIT_USAGE on the first
 * problem; 0 when all is well. */
int cli_check_paths(const char *cmd, const struct cli_path *outs, size_t nouts, const struct cli_path *ins,
		    size_t nins);
/* Parse a byte count with optional K/M/G suffix; -1 on error. */
int64_t cli_parse_size(const char *s);
#endif
