/* The catalog, built from rules.def: the only list of rules. */
#include "vcts/engine.h"

#include <stdio.h>
#include <string.h>

static const struct vc_rule catalog[VC_RULE_COUNT] = {
#define RULE(e, id, lvl, side, needs, text, ref) [e] = { e, id, lvl, side, needs, text, ref },
#include "vcts/rules.def"
#undef RULE
};

const struct vc_rule *vc_rule(enum vc_rule_id r)
{
	return (unsigned)r < VC_RULE_COUNT ? &catalog[r] : NULL;
}

const struct vc_rule *vc_rule_by_id(const char *id)
{
	for (unsigned i = 0; i < VC_RULE_COUNT; i++)
		if (strcmp(catalog[i].id, id) == 0)
			return &catalog[i];
	return NULL;
}

const char *vc_level_name(enum vc_level l)
{
	switch (l) {
	case VC_MUST: return "MUST";
	case VC_SHOULD: return "SHOULD";
	case VC_INFO: return "INFO";
	default: return "?";
	}
}

const char *vc_needs_name(enum vc_needs n)
{
	switch (n) {
	case VC_NEEDS_HDR: return "header";
	case VC_NEEDS_TRACE: return "trace";
	case VC_NEEDS_LIVE: return "live";
	default: return "?";
	}
}

const char *vc_sides_str(unsigned sides, char *buf, size_t len)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ VC_SIDES_FE, "FE" }, { VC_SIDES_BE, "BE" }, { VC_SIDES_CL, "CL" },
		{ VC_SIDES_DEV, "DEV" }, { VC_SIDES_LST, "LST" },
	};
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(sides & names[i].bit))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? "/" : "", names[i].name);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return buf;
}
