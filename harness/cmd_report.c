/* vhost-cts report: render JSON reports of several implementations as one
 * static conformance-matrix page. */
#include "harness/cli.h"
#include "reports/html.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts report --html DIR RESULTS.json...\n"
		"  --html DIR   write DIR/index.html: implementations (one per RESULTS.json, named\n"
		"               after the file) as columns, rules by catalog section as rows, a\n"
		"               scenario matrix, and every finding with the messages around it\n"
		"               (from RESULTS.jsonl, the capture 'drive --record' writes, if present)\n"
		"exit status: 0 written, 2 usage error or unreadable report\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "html", required_argument, 0, 'H' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *dir = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': dir = optarg; break;
		case 'h': report_usage(stdout); return EXIT_CLEAN;
		default: report_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!dir) {
		report_usage(stderr);
		return cli_usage_error("report: --html DIR is required");
	}
	if (optind >= argc)
		return cli_usage_error("report: no RESULTS.json given");
	/* index.html of an existing DIR is checked against the inputs (and
	 * the captures read beside them) before anything is read. */
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		char index[4096];
		snprintf(index, sizeof index, "%s/index.html", dir);
		size_t nin = (size_t)(argc - optind);
		struct cli_path *ins = calloc(2 * nin, sizeof *ins);
		char **caps = calloc(nin, sizeof *caps);
		if (!ins || !caps)
			abort();
		for (size_t i = 0; i < nin; i++) {
			const char *r = argv[optind + (int)i];
			size_t len = strlen(r) + 2;
			caps[i] = malloc(len);
			if (!caps[i])
				abort();
			snprintf(caps[i], len, "%sl", r);
			ins[2 * i] = (struct cli_path){ "input", r };
			ins[2 * i + 1] = (struct cli_path){ "input capture", caps[i] };
		}
		const struct cli_path outs[] = { { "--html", index } };
		int bad = cli_check_paths("report", outs, 1, ins, 2 * nin);
		for (size_t i = 0; i < nin; i++)
			free(caps[i]);
		free(caps);
		free(ins);
		if (bad)
			return EXIT_USAGE;
	}
	char err[1024];
	if (vc_report_html(dir, (const char *const *)(argv + optind), (size_t)(argc - optind), err, sizeof err))
		return cli_usage_error("report: %s", err);
	printf("%s/index.html: %d implementation%s\n", dir, argc - optind, argc - optind == 1 ? "" : "s");
	return EXIT_CLEAN;
}
