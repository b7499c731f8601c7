/* SPDX-License-Identifier: GPL-2.0 */
/* Logging for the ttrec tool: one place decides what is printed. */
#ifndef TTREC_LOG_H
#define TTREC_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern int log_verbosity;	/* messages up to this level are printed */

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(fmt, ...)	log_msg(LOG_ERROR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	log_msg(LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	log_msg(LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	log_msg(LOG_DEBUG, fmt, ##__VA_ARGS__)

/* Route libbpf's own messages through us (shown only with -v). */
void log_setup_libbpf(void);

#endif
