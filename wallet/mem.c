#include "wallet/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void kb_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void kb_fatal(const char *file, int line, const char *what)
{
	if (fatal_hook)
		fatal_hook();
	fprintf(stderr, "koban: internal error at %s:%d: %s\n", file, line, what);
	abort();
}

void *kb_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		kb_fatal(__FILE__, __LINE__, "out of memory");
	return p;
}

void *kb_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		kb_fatal(__FILE__, __LINE__, "out of memory");
	return p;
}

void *kb_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		kb_fatal(__FILE__, __LINE__, "out of memory");
	return q;
}

char *kb_strdup(const char *s)
{
	return kb_strndup(s, strlen(s));
}

char *kb_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = kb_malloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

void kb_free(void *p)
{
	free(p);
}

void *kb_secret_alloc(size_t n)
{
	if (sodium_init() < 0)
		kb_fatal(__FILE__, __LINE__, "libsodium failed to initialise");
	void *p = sodium_malloc(n ? n : 1);
	if (!p)
		kb_fatal(__FILE__, __LINE__, "secure memory exhausted");
	return p;
}

void kb_secret_free(void *p)
{
	if (p)
		sodium_free(p); /* wipes before unmapping */
}

void kb_wipe(void *p, size_t n)
{
	if (p && n)
		sodium_memzero(p, n);
}
