/* vhost-cts rules: the catalog, as a table or JSON. */
#include "harness/cli.h"
#include "vcts/coverage.h"
#include "vcts/engine.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* rules --coverage: the traceability table (conformance/statements.def). */
static int rules_coverage(bool json, bool statements)
{
	if (json) {
		json_object *o = vc_coverage_json();
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else
		vc_coverage_text(stdout, statements);
	return EXIT_CLEAN;
}

int cmd_rules(int argc, char **argv)
{
	bool json = false, coverage = false, statements = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--coverage"))
			coverage = true;
		else if (!strcmp(argv[i], "--statements"))
			statements = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: vhost-cts rules [--json]\n"
			       "       vhost-cts rules --coverage [--statements] [--json]\n"
			       "  --coverage     coverage of vhost-user.rst's statements by the rules, per area and side\n"
			       "  --statements   with --coverage: every statement, its covering rules or the reason none does\n");
			return EXIT_CLEAN;
		} else
			return cli_usage_error("rules: unknown argument '%s'", argv[i]);
	}
	if (statements && !coverage)
		return cli_usage_error("rules: --statements goes with --coverage");
	if (coverage)
		return rules_coverage(json, statements);
	char sides[32];
	if (json) {
		json_object *arr = json_object_new_array();
		for (unsigned r = 0; r < VC_RULE_COUNT; r++) {
			const struct vc_rule *x = vc_rule(r);
			json_object *o = json_object_new_object();
			json_object_object_add(o, "id", json_object_new_string(x->id));
			json_object_object_add(o, "level", json_object_new_string(vc_level_name(x->level)));
			json_object_object_add(o, "sides", json_object_new_string(vc_sides_str(x->sides, sides, sizeof sides)));
			json_object_object_add(o, "needs", json_object_new_string(vc_needs_name(x->needs)));
			json_object_object_add(o, "text", json_object_new_string(x->text));
			json_object_object_add(o, "ref", json_object_new_string(x->ref));
			json_object_object_add(o, "statements", vc_rule_trace_json(x->id));
			json_object_array_add(arr, o);
		}
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
		return EXIT_CLEAN;
	}
	/* The reference goes on its own line under the rule: the catalog a
	 * user reads is this output, and the sentence each rule rests on is
	 * part of it. */
	printf("%-12s %-6s %-5s %-6s %s\n%33s%s\n", "ID", "LEVEL", "SIDE", "NEEDS", "RULE", "", "reference");
	for (unsigned r = 0; r < VC_RULE_COUNT; r++) {
		const struct vc_rule *x = vc_rule(r);
		printf("%-12s %-6s %-5s %-6s %s\n%33sref: %s\n", x->id, vc_level_name(x->level),
		       vc_sides_str(x->sides, sides, sizeof sides), vc_needs_name(x->needs), x->text, "",
		       x->ref);
	}
	printf("%u rules. needs: header = decidable from header-only QEMU trace logs too; "
	       "trace = needs payloads (strace, native); live = needs a live fake.\n",
	       (unsigned)VC_RULE_COUNT);
	return EXIT_CLEAN;
}
