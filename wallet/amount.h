/*
 * Amounts at the edge: text a person typed <-> int64 satoshis. Inside koban
 * every amount is int64_t satoshis; BTC strings exist only here.
 *
 * Accepted input: BTC with at most 8 decimals ("0.0015", "1", "21000000",
 * ".5" is refused: a digit must lead) or whole satoshis with a "sat" suffix
 * ("150000sat"). Nothing else: no sign, no exponent, no spaces, no commas.
 * Zero is accepted here (callers decide whether zero makes sense); more than
 * 21,000,000 BTC is refused.
 */
#ifndef KOBAN_WALLET_AMOUNT_H
#define KOBAN_WALLET_AMOUNT_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_COIN 100000000LL
#define WALLET_MAX_MONEY (21000000LL * WALLET_COIN)
/* Longest text wallet_amount_format writes, with NUL: "-21000000.00000000". */
#define WALLET_AMOUNT_STRLEN 24

/*
 * Parses s into *sats. On failure *sats is 0, the result is KB_EPARSE
 * (not an amount), KB_ELIMIT (over 21 million BTC or more than 8
 * decimals) and err says which in a sentence.
 */
enum kb_rc wallet_amount_parse(int64_t *sats, const char *s, char *err, size_t errlen) KB_WUR;
/* Like wallet_amount_parse for BTC only (BIP21's amount=): no "sat". */
enum kb_rc wallet_amount_parse_btc(int64_t *sats, const char *s, char *err, size_t errlen) KB_WUR;

/* "0.00150000" (always 8 decimals; a leading '-' for negative values). */
void wallet_amount_format(char out[WALLET_AMOUNT_STRLEN], int64_t sats);
/* The shortest exact BTC text: "0.0015", "1", "0.00000001" (BIP21 amounts). */
void wallet_amount_format_short(char out[WALLET_AMOUNT_STRLEN], int64_t sats);
/* Satoshis with thousands separators: "150,000" (for "sats on demand"). */
void wallet_amount_format_sats(char out[32], int64_t sats);

#endif
