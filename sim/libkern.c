/* libkern.c — small helpers every layer may use (see libkern.h). */
#include "libkern.h"

#include <stdint.h>

int
cmp_int64(gconstpointer a, gconstpointer b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}
