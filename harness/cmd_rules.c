/* vhost-cts rules: the catalog, as a table or JSON. */
#include "harness/cli.h"
#include "vcts/engine.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

int cmd_rules(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: vhost-cts rules [--json]\n");
			return EXIT_CLEAN;
		} else
			return cli_usage_error("rules: unknown argument '%s'", argv[i]);
	}
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
