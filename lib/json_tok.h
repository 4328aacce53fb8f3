/* A json-c tokener kept per thread between parses: json-c allocates a
 * tokener (its parse stack and buffers) on every json_tokener_new, which
 * dominates parsing a small input (fuzz harnesses parse millions). */
#ifndef VCTS_JSON_TOK_H
#define VCTS_JSON_TOK_H
#include <json-c/json.h>

/* A reset tokener of this depth and flags; give it back with
 * vc_json_tok_put() (or json_tokener_free()). Never NULL. */
json_tokener *vc_json_tok_get(int depth, int flags);
void vc_json_tok_put(json_tokener *tok);
#endif
