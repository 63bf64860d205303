#include "wallet/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static FILE *log_fp;
static enum kb_log_level log_level = KB_LOG_INFO;
static int stderr_quiet;

enum kb_rc kb_log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return KB_EIO;
	FILE *fp = fdopen(fd, "a");
	if (!fp) {
		close(fd);
		return KB_EIO;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	kb_log_close();
	log_fp = fp;
	return KB_OK;
}

void kb_log_close(void)
{
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
}

void kb_log_set_level(enum kb_log_level level)
{
	log_level = level;
}

void kb_log_quiet_stderr(int quiet)
{
	stderr_quiet = quiet;
}

void kb_log(enum kb_log_level level, const char *subsys, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	if (level < log_level)
		return;
	FILE *fp = log_fp;
	if (!fp) {
		if (stderr_quiet || level < KB_LOG_WARN)
			return;
		fp = stderr;
	}
	char when[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(fp, "%s %s [%s] ", when, names[level], subsys);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
}
