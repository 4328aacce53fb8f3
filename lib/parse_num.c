#include "lib/parse_num.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool vc_parse_u64(const char *s, size_t n, uint64_t *v)
{
	char buf[40];
	/* strtoull would skip spaces and take a sign ("-1" is UINT64_MAX). */
	if (!n || n >= sizeof buf || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 0);
	if (*end || errno)
		return false;
	*v = x;
	return true;
}

bool vc_parse_u64_str(const char *s, uint64_t *v)
{
	return vc_parse_u64(s, strlen(s), v);
}
