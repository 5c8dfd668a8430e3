/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Leveled logging. log_printf() is implemented by the hypervisor's console
 * code (serial line plus in-memory ring, filtered by loglvl=); host tests
 * provide their own. Declaration only here so that the libraries below can
 * report problems without depending on the console.
 */
#ifndef LAMINA_HV_LOG_H
#define LAMINA_HV_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_printf(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
