#include "lib/json_tok.h"

#include <stdlib.h>

/* One spare per thread; a second tokener in use at once is simply freed. */
static __thread json_tokener *spare;

json_tokener *vc_json_tok_get(int depth, int flags)
{
	json_tokener *tok = NULL;
	if (spare && spare->max_depth == depth) {
		tok = spare;
		spare = NULL;
		json_tokener_reset(tok);
	} else {
		tok = json_tokener_new_ex(depth);
		if (!tok)
			abort();
	}
	json_tokener_set_flags(tok, flags);
	return tok;
}

void vc_json_tok_put(json_tokener *tok)
{
	if (!tok)
		return;
	if (spare)
		json_tokener_free(spare);
	spare = tok;
}
