/*
 * The choice-sequence cursor: every harness reads its input through it.
 *
 * An exhausted input draws zeros, so every byte string is a valid program and
 * zeroing or deleting bytes makes a simpler one. Draws are biased toward what
 * finds bugs (bounds, 0, 1, powers of two and their neighbours, page
 * multiples). Every draw has an exact inverse in the encoder (props_enc_*), so
 * a readable trace can be turned back into the bytes that produce it.
 *
 * Range draw, one tag byte t, mode = t >> 5, p = t & 31, span = hi - lo:
 *   0: lo + p                  1: hi - p
 *   2: lo + 2^e                3: lo + 2^e - 1          (e = next byte % 64)
 *   4: lo + 2^e + 1            5: lo + k * 4096         (k = next 4 bytes)
 *   6,7: lo + literal          (literal = next (p % 8) + 1 bytes, little endian)
 * Any value beyond hi is folded back: lo + (v - lo) % (span + 1).
 */
#ifndef MMSIM_PROPS_CURSOR_H
#define MMSIM_PROPS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_cursor {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

void cur_init(struct mm_cursor *c, const uint8_t *data, size_t len);
bool cur_exhausted(const struct mm_cursor *c);
uint8_t cur_u8(struct mm_cursor *c);
uint64_t cur_bytes_le(struct mm_cursor *c, unsigned n); /* n <= 8 */
/* Biased value in [lo, hi] (lo <= hi; swapped otherwise). */
uint64_t cur_range(struct mm_cursor *c, uint64_t lo, uint64_t hi);
/* Uniform-ish index in [0, n) (n >= 1): one byte, or two when n > 256. */
uint32_t cur_choice(struct mm_cursor *c, uint32_t n);
bool cur_bool(struct mm_cursor *c);

/* The encoder: append bytes that the cursor decodes to exactly the value. */
struct props_enc {
	uint8_t *buf;
	size_t len, cap;
	bool oom;
};
void enc_init(struct props_enc *e);
void enc_free(struct props_enc *e);
void enc_u8(struct props_enc *e, uint8_t v);
/* v must lie in [lo, hi]. */
void enc_range(struct props_enc *e, uint64_t lo, uint64_t hi, uint64_t v);
void enc_choice(struct props_enc *e, uint32_t n, uint32_t idx);
void enc_bool(struct props_enc *e, bool v);

#endif
