/* A small open-addressing map from u64 keys to u32 values (ids, indexes):
 * the importers' lookups (session ids, thread ids) use it instead of
 * scanning. */
#ifndef VCTS_U64MAP_H
#define VCTS_U64MAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys;
	uint32_t *vals;
	uint8_t *used;
	size_t cap, n; /* cap is 0 or a power of two */
};

/* val may be NULL to test membership. */
bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val);
void u64map_put(struct u64map *m, uint64_t key, uint32_t val);
void u64map_free(struct u64map *m);
#endif
