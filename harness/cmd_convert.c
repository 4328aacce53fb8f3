/* vhost-cts convert: any recording to the native capture format. */
#include "harness/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, 0, 'f' }, { "output", required_argument, 0, 'o' },
		{ "max-input", required_argument, 0, 'm' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int fmt = VC_FMT_AUTO, c;
	const char *out = NULL;
	int64_t max_input = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = vc_format_by_name(optarg);
			if (fmt < 0)
				return cli_usage_error("convert: unknown --format '%s'", optarg);
			break;
		case 'o': out = optarg; break;
		case 'm':
			max_input = cli_parse_size(optarg);
			if (max_input <= 0)
				return cli_usage_error("convert: bad --max-input '%s'", optarg);
			break;
		case 'h':
			printf("usage: vhost-cts convert [--format F] -o OUT.jsonl INPUT   (-o - : stdout)\n");
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !out)
		return cli_usage_error("convert: need exactly one INPUT and -o OUTPUT");
	const struct cli_path outs[] = { { "-o", out } }, ins[] = { { "input", argv[optind] } };
	if (cli_check_paths("convert", outs, 1, ins, 1))
		return EXIT_USAGE;
	struct vc_trace t;
	if (cli_load(&t, argv[optind], (enum vc_format)fmt, (uint64_t)max_input)) {
		vc_trace_free(&t);
		return EXIT_USAGE;
	}
	struct vc_error err = { 0 };
	char msg[1024];
	int rc = EXIT_CLEAN;
	if (vc_native_write_file(&t, out, &err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", vc_error_str(&err, msg, sizeof msg));
		rc = EXIT_USAGE;
	}
	vc_trace_free(&t);
	return rc;
}
