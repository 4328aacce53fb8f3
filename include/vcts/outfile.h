/* Output files that never harm what is already at their path. Every
 * writer of the tool (reports, captures, the shim's outputs) goes through
 * here; what happens depends on what the path names:
 *   "-"                        stdout
 *   missing or a regular file  a temp file in the same directory, fsync,
 *                              rename over it (a reader never sees half a
 *                              file); a symlink is followed to its final
 *                              target, which is replaced, so the link stays
 *   character device or FIFO   written through (/dev/null, /dev/stdout, a
 *                              pipe): no temp file, nothing replaced
 *   directory, block device,   refused
 *   socket, symlink loop
 * Errors name the path as given: "r.json: is a directory". */
#ifndef VCTS_OUTFILE_H
#define VCTS_OUTFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum vc_out_kind { VC_OUT_STDOUT, VC_OUT_REPLACE, VC_OUT_THROUGH };

/* What writing path would do, touching nothing: 0 with *kind set (and
 * *final, if asked, the malloc'd path really written: the symlink's final
 * target), or -1 with err. A missing file's directory must exist and be
 * writable. */
int vc_out_check(const char *path, enum vc_out_kind *kind, char **final, char *err, size_t errlen);

/* An output opened now (a file's temp file is created at once, so a bad
 * path fails before any work) and committed later. */
struct vc_out;
struct vc_out *vc_out_open(const char *path, char *err, size_t errlen);
FILE *vc_out_stream(struct vc_out *o);
enum vc_out_kind vc_out_kind(const struct vc_out *o);
/* Flush, fsync and rename into place (or just flush and close): 0, or -1
 * with err and the target untouched. Frees o either way. */
int vc_out_commit(struct vc_out *o, char *err, size_t errlen);
/* Give up: the temp file is removed, the target untouched. Frees o. */
void vc_out_discard(struct vc_out *o);

/* True when a and b name the same file: the same inode for existing
 * files ("-" is whatever stdout is), the same resolved path for files not
 * yet created. */
bool vc_path_same(const char *a, const char *b);
#endif
