/*
 * Logging to a file in the data directory, with a subsystem prefix. Never
 * log a secret. Until kb_log_open is called, messages at WARN and above go
 * to stderr (when the terminal UI is active, the UI closes that path with
 * kb_log_quiet_stderr so nothing is printed over curses).
 */
#ifndef KOBAN_WALLET_LOG_H
#define KOBAN_WALLET_LOG_H

#include "wallet/rc.h"

enum kb_log_level { KB_LOG_DEBUG, KB_LOG_INFO, KB_LOG_WARN, KB_LOG_ERROR };

/* Opens (appends to) path, mode 0600. */
enum kb_rc kb_log_open(const char *path) KB_WUR;
void kb_log_close(void);
void kb_log_set_level(enum kb_log_level level);
void kb_log_quiet_stderr(int quiet);
void kb_log(enum kb_log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define KB_DEBUG(sub, ...) kb_log(KB_LOG_DEBUG, sub, __VA_ARGS__)
#define KB_INFO(sub, ...) kb_log(KB_LOG_INFO, sub, __VA_ARGS__)
#define KB_WARN(sub, ...) kb_log(KB_LOG_WARN, sub, __VA_ARGS__)
#define KB_ERROR(sub, ...) kb_log(KB_LOG_ERROR, sub, __VA_ARGS__)

#endif
