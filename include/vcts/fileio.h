/* File helpers shared by every writer and reader. */
#ifndef VCTS_FILEIO_H
#define VCTS_FILEIO_H
#include <stddef.h>
#include <stdint.h>

/* Write buf to path the safe way (vcts/outfile.h: "-" is stdout, a file
 * is replaced atomically, a device or FIFO written through, anything else
 * refused). 0 on success; -1 with err ("path: what went wrong"). */
int vc_write_file_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/* Read a whole file of at most max bytes. *out is malloc'd and NUL
 * terminated (not counted in *len). 0 on success; -1 with err set
 * ("too large", "cannot open: ..."). */
int vc_read_file(const char *path, uint64_t max, char **out, size_t *len, char *err, size_t errlen);
#endif
