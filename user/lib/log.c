// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "lib/log.h"

int log_verbosity = LOG_INFO;

static const char *const prefix[] = {
	[LOG_ERROR] = "ttrec: error: ",
	[LOG_WARN] = "ttrec: warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "ttrec: debug: ",
};

void log_msg(enum log_level level, const char *fmt, ...)
{
	FILE *out = level == LOG_INFO ? stdout : stderr;
	va_list ap;

	if ((int)level > log_verbosity)
		return;
	if (level == LOG_INFO)
		fflush(stderr);
	else
		fflush(stdout);
	fputs(prefix[level], out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* Even libbpf's warnings: we report failures ourselves, in words. */
	if (log_verbosity < LOG_DEBUG)
		return 0;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
