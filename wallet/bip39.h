/*
 * BIP39 mnemonic sentences: English and Japanese.
 *
 * A mnemonic encodes 16, 20, 24, 28 or 32 bytes of entropy plus a checksum
 * of ENT/32 bits (the first bits of SHA256(entropy)) as 12, 15, 18, 21 or 24
 * words of 11 bits each. The 64-byte seed is PBKDF2-HMAC-SHA512 of the NFKD
 * mnemonic, salt "mnemonic" + NFKD passphrase, 2048 rounds.
 *
 * Input text is outside data. It is NFKD-normalised (libunistring), ASCII
 * upper case is folded to lower case, and words are split on runs of
 * whitespace: ASCII blanks, and U+3000 IDEOGRAPHIC SPACE (and the other
 * Unicode spaces) which NFKD turns into U+0020. Each word must then be
 * exactly a word of the list; the seed is computed from the canonical
 * sentence (the list's NFKD words joined by single spaces), so stray
 * whitespace or capitals never change the seed. Output mnemonics use the
 * display form: English words joined by ' '; Japanese words composed (NFC)
 * and joined by U+3000.
 *
 * Secrets: every temporary copy of the mnemonic, entropy, passphrase and
 * seed lives in kb_secret_alloc memory and is wiped; secret outputs are
 * written into caller buffers, which should themselves be kb_secret_alloc
 * memory, and are zeroed on failure. Word lookups and PBKDF2 run in
 * variable time with respect to the words (as every BIP39 implementation).
 *
 * No function keeps state; all may be called from a loop callback (seed
 * derivation takes a few milliseconds).
 */
#ifndef KOBAN_WALLET_BIP39_H
#define KOBAN_WALLET_BIP39_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wallet_bip39_lang {
	WALLET_BIP39_AUTO = -1, /* input only: detect from the words */
	WALLET_BIP39_EN = 0,
	WALLET_BIP39_JA = 1,
};
#define WALLET_BIP39_LANG_COUNT 2

#define WALLET_BIP39_WORDS 2048         /* words in each list */
#define WALLET_BIP39_ENTROPY_MAX 32     /* bytes of entropy of a 24-word mnemonic */
#define WALLET_BIP39_SEED_LEN 64
/* An output buffer of this many bytes holds any mnemonic with its NUL. */
#define WALLET_BIP39_MNEMONIC_MAX 1024
/* Longest mnemonic text accepted as input, in bytes before normalisation. */
#define WALLET_BIP39_INPUT_MAX 4096
/* Longest passphrase accepted, in bytes before normalisation. */
#define WALLET_BIP39_PASSPHRASE_MAX 1024
#define WALLET_BIP39_SUGGEST_MAX 3
#define WALLET_BIP39_TYPED_MAX 64

/* What is wrong with a mnemonic, for people (see wallet_bip39_diag_format). */
enum wallet_bip39_problem {
	WALLET_BIP39_OK = 0,
	WALLET_BIP39_EMPTY,        /* no words at all */
	WALLET_BIP39_ENCODING,     /* not valid UTF-8 */
	WALLET_BIP39_TOO_LONG,     /* text over WALLET_BIP39_INPUT_MAX, or passphrase over its max */
	WALLET_BIP39_UNKNOWN_WORD, /* word number `position` is not in the list */
	WALLET_BIP39_WORD_COUNT,   /* word_count is not 12, 15, 18, 21 or 24 */
	WALLET_BIP39_CHECKSUM,     /* every word is known but the checksum does not match */
};

/*
 * The detail of a check, filled by every function that takes a mnemonic.
 * It holds a word as typed, which is part of a secret: wipe it with
 * wallet_bip39_diag_clear when done.
 */
struct wallet_bip39_diag {
	enum wallet_bip39_problem problem;
	enum wallet_bip39_lang lang; /* the list the words were checked against */
	size_t word_count;           /* words found (counting stops at 25) */
	size_t position;             /* 1-based number of the first unknown word; 0 if none */
	char typed[WALLET_BIP39_TYPED_MAX]; /* that word, NUL-terminated, possibly truncated */
	size_t nsuggest;             /* 0..WALLET_BIP39_SUGGEST_MAX, best first */
	const char *suggest[WALLET_BIP39_SUGGEST_MAX]; /* borrowed static list words (display form) */
};

/* Wipes d (the typed word) and resets it to WALLET_BIP39_OK. */
void wallet_bip39_diag_clear(struct wallet_bip39_diag *d);
/*
 * A one-line English message for people, e.g. "word 5 'abandn' is not in
 * the English list; did you mean abandon?". Always NUL-terminates (outlen
 * > 0); truncates to fit. Contains the typed word: wipe out after use.
 */
void wallet_bip39_diag_format(char *out, size_t outlen, const struct wallet_bip39_diag *d);

/* "English" or "Japanese"; "auto" for WALLET_BIP39_AUTO; never NULL. */
const char *wallet_bip39_lang_name(enum wallet_bip39_lang lang);
/* True for 12, 15, 18, 21 and 24. */
bool wallet_bip39_valid_word_count(size_t words);

/* Word index of lang's list in display form (Japanese NFC); NULL when out of range. */
const char *wallet_bip39_word(enum wallet_bip39_lang lang, unsigned index);
/*
 * The index of word in lang's list (NFKD-normalised and ASCII-lower-cased
 * before matching, so NFC and NFKD spellings both match), or -1 when it is
 * not a word of the list (or lang is not a list).
 */
int wallet_bip39_word_index(enum wallet_bip39_lang lang, const char *word);
/*
 * Completion: the words of lang's list that start with prefix (compared in
 * display form: lower case, Japanese NFC). Stores up to outcap borrowed
 * static strings in out (out may be NULL when outcap is 0) and returns how
 * many words match in all (which may exceed outcap). An empty prefix
 * matches every word; invalid UTF-8 or a prefix over 64 bytes matches none.
 */
size_t wallet_bip39_complete(enum wallet_bip39_lang lang, const char *prefix,
                             const char **out, size_t outcap);
/*
 * Detects the language of a mnemonic: the list that holds most of its
 * words. KB_ENOTFOUND when no word is in any list; KB_EPARSE (invalid
 * UTF-8, no words) or KB_ELIMIT (too long) for unusable text. *out is
 * WALLET_BIP39_EN on failure.
 */
enum kb_rc wallet_bip39_detect(enum wallet_bip39_lang *out, const char *mnemonic) KB_WUR;

/*
 * A new mnemonic of `words` words (12, 15, 18, 21 or 24) from libsodium's
 * CSPRNG, in display form, NUL-terminated in out. KB_EINVAL for a bad word
 * count or language; KB_ELIMIT when outlen is too small
 * (WALLET_BIP39_MNEMONIC_MAX always suffices). out is zeroed on failure.
 */
enum kb_rc wallet_bip39_generate(char *out, size_t outlen, enum wallet_bip39_lang lang,
                                 size_t words) KB_WUR;
/*
 * The mnemonic of len bytes of entropy (16, 20, 24, 28 or 32), in display
 * form. KB_EINVAL for a bad length or language, KB_ELIMIT when outlen is
 * too small. out is zeroed on failure.
 */
enum kb_rc wallet_bip39_from_entropy(char *out, size_t outlen, enum wallet_bip39_lang lang,
                                     const uint8_t *entropy, size_t len) KB_WUR;

/*
 * Checks a mnemonic in lang (or WALLET_BIP39_AUTO). Returns KB_OK when it
 * is valid; otherwise KB_ELIMIT (too long), KB_EPARSE (encoding, no words,
 * unknown word, word count) or KB_ECHECKSUM, with the detail in diag
 * (optional; on success it holds the language and word count).
 */
enum kb_rc wallet_bip39_check(enum wallet_bip39_lang lang, const char *mnemonic,
                              struct wallet_bip39_diag *diag) KB_WUR;
/*
 * The entropy of a valid mnemonic into out (outcap >= the entropy length;
 * WALLET_BIP39_ENTROPY_MAX always suffices), its length in *written.
 * Failures as wallet_bip39_check, plus KB_ELIMIT when outcap is too small;
 * out is then zeroed and *written is 0.
 */
enum kb_rc wallet_bip39_to_entropy(uint8_t *out, size_t outcap, size_t *written,
                                   enum wallet_bip39_lang lang, const char *mnemonic,
                                   struct wallet_bip39_diag *diag) KB_WUR;
/*
 * The display form of a valid mnemonic (single separators, lower case,
 * Japanese NFC joined by U+3000), for storing or showing back. Failures as
 * wallet_bip39_check plus KB_ELIMIT for a short out; out is zeroed then.
 */
enum kb_rc wallet_bip39_canonical(char *out, size_t outlen, enum wallet_bip39_lang lang,
                                  const char *mnemonic, struct wallet_bip39_diag *diag) KB_WUR;
/*
 * The BIP39 seed of a valid mnemonic and a passphrase (NULL means ""),
 * both NFKD-normalised. The checksum must be right: failures as
 * wallet_bip39_check, plus KB_EPARSE for a passphrase that is not UTF-8 and
 * KB_ELIMIT for one over WALLET_BIP39_PASSPHRASE_MAX bytes (diag->problem
 * is then WALLET_BIP39_ENCODING / WALLET_BIP39_TOO_LONG). seed is zeroed
 * on failure.
 */
enum kb_rc wallet_bip39_to_seed(uint8_t seed[WALLET_BIP39_SEED_LEN], enum wallet_bip39_lang lang,
                                const char *mnemonic, const char *passphrase,
                                struct wallet_bip39_diag *diag) KB_WUR;

#endif
