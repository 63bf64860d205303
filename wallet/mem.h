/*
 * Allocation wrappers. Ordinary allocations abort on out-of-memory (sizes
 * that come from outside are capped by the caller before they get here).
 * Secret allocations live in libsodium's guarded, locked (mlock) pages and
 * are wiped when freed.
 */
#ifndef KOBAN_WALLET_MEM_H
#define KOBAN_WALLET_MEM_H

#include <stddef.h>

void *kb_malloc(size_t n);               /* never NULL; n may be 0 */
void *kb_calloc(size_t count, size_t size);
void *kb_realloc(void *p, size_t n);
char *kb_strdup(const char *s);          /* s must not be NULL */
char *kb_strndup(const char *s, size_t n);
void kb_free(void *p);                   /* free(); NULL is a no-op */

/*
 * Secret memory: sodium_malloc (guard pages, mlock, canary). Aborts if it
 * cannot be had. kb_secret_free wipes and frees; NULL is a no-op.
 */
void *kb_secret_alloc(size_t n);
void kb_secret_free(void *p);
/* Wipes n bytes in a way the compiler cannot drop. */
void kb_wipe(void *p, size_t n);

/* Aborts with file:line after restoring the terminal (see kb_set_fatal_hook). */
#define KB_ASSERT(cond) \
	do { if (!(cond)) kb_fatal(__FILE__, __LINE__, #cond); } while (0)
_Noreturn void kb_fatal(const char *file, int line, const char *what);
/* A hook the UI sets so a fatal error restores the terminal first. */
void kb_set_fatal_hook(void (*hook)(void));

#endif
