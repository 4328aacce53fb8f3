/* Output paths checked before a command does any work: refused targets,
 * one file named twice, an output that would overwrite an input. */
#include "harness/cli.h"
#include "vcts/outfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_check_paths(const char *cmd, const struct cli_path *outs, size_t nouts, const struct cli_path *ins,
		    size_t nins)
{
	char err[1024];
	for (size_t i = 0; i < nouts; i++) {
		if (!outs[i].path)
			continue;
		enum vc_out_kind kind;
		if (vc_out_check(outs[i].path, &kind, NULL, err, sizeof err) != 0)
			return cli_usage_error("%s: %s %s", cmd, outs[i].opt, err);
		for (size_t j = 0; j < i; j++)
			if (outs[j].path && vc_path_same(outs[i].path, outs[j].path))
				return cli_usage_error("%s: %s %s and %s %s name the same file", cmd, outs[j].opt,
						       outs[j].path, outs[i].opt, outs[i].path);
		for (size_t j = 0; j < nins; j++)
			if (ins[j].path && vc_path_same(outs[i].path, ins[j].path))
				return cli_usage_error("%s: %s %s is the %s %s: it would be overwritten", cmd,
						       outs[i].opt, outs[i].path, ins[j].opt, ins[j].path);
	}
	return 0;
}
