/*
 * stats.c — numbers for people (see stats.h): Student's t for 95 %
 * intervals, and times and sizes written the way a person reads them.
 */
#include "stats.h"

#include <math.h>

/* t(0.975, df) for df = 1..30, then 40, 60, 120, infinity. */
static const double t95_table[] = {
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

double
stats_t95(double df)
{
	int d = (int)floor(df);

	if (d < 1)
		return INFINITY;
	if (d <= 30)
		return t95_table[d - 1];
	if (d < 40)
		return 2.042;
	if (d < 60)
		return 2.021;
	if (d < 120)
		return 2.000;
	return d < 1000 ? 1.980 : 1.960;
}

void
human_bytes(char *buf, size_t n, double b)
{
	if (b >= 1024.0 * 1024 * 1024)
		g_snprintf(buf, n, "%.2f GB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		g_snprintf(buf, n, "%.1f MB", b / (1024.0 * 1024));
	else if (b >= 1024.0)
		g_snprintf(buf, n, "%.1f KB", b / 1024.0);
	else
		g_snprintf(buf, n, "%.0f B", b);
}

void
human_time(char *buf, size_t n, double ns)
{
	if (ns >= 1e9)
		g_snprintf(buf, n, "%.3f s", ns / 1e9);
	else if (ns >= 1e6)
		g_snprintf(buf, n, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		g_snprintf(buf, n, "%.1f us", ns / 1e3);
	else
		g_snprintf(buf, n, "%.0f ns", ns);
}
