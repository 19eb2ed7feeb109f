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

/*
 * The draws are static inline: they run a few times per input byte, and
 * inlined into a caller whose cursor is a local (props_run, props_decode)
 * they need no sanitizer check per field access, each of which the fuzzer
 * would also trace as a comparison. Semantics as described above.
 */
static inline void cur_init(struct mm_cursor *c, const uint8_t *data, size_t len)
{
	c->data = data;
	c->len = data ? len : 0;
	c->pos = 0;
}

static inline bool cur_exhausted(const struct mm_cursor *c)
{
	return c->pos >= c->len;
}

static inline __attribute__((always_inline)) uint8_t cur_u8(struct mm_cursor *c)
{
	return c->pos < c->len ? c->data[c->pos++] : 0;
}

/* n <= 8 */
static inline __attribute__((always_inline)) uint64_t cur_bytes_le(struct mm_cursor *c, unsigned n)
{
	uint64_t v = 0;

	if (n > 8)
		n = 8;
	if (n && c->len - c->pos >= 8) {
		/* The common case, away from the end of the input: one bounds
		 * check per draw instead of three traced comparisons per byte.
		 * Read 8, keep n. */
		const uint8_t *d = c->data + c->pos;
		v = (uint64_t)d[0] | (uint64_t)d[1] << 8 | (uint64_t)d[2] << 16 |
		    (uint64_t)d[3] << 24 | (uint64_t)d[4] << 32 | (uint64_t)d[5] << 40 |
		    (uint64_t)d[6] << 48 | (uint64_t)d[7] << 56;
		c->pos += n;
		return v & (UINT64_MAX >> (64 - 8 * n));
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)cur_u8(c) << (8 * i);
	return v;
}

/* lo + x folded into [lo, hi]; span == UINT64_MAX means the full range. */
static inline __attribute__((always_inline)) uint64_t cur_fold(uint64_t lo, uint64_t hi, uint64_t x)
{
	uint64_t span = hi - lo;
	if (span == UINT64_MAX)
		return lo + x;
	return lo + x % (span + 1);
}

/* Biased value in [lo, hi] (lo <= hi; swapped otherwise). */
static inline __attribute__((always_inline)) uint64_t cur_range(struct mm_cursor *c, uint64_t lo, uint64_t hi)
{
	uint8_t t;
	unsigned p;

	if (lo > hi) {
		uint64_t tmp = lo;
		lo = hi;
		hi = tmp;
	}
	if (lo == hi)
		return lo; /* no choice, no byte: a fixed field costs nothing */
	t = cur_u8(c);
	p = t & 31;
	switch (t >> 5) {
	case 0:
		return cur_fold(lo, hi, p);
	case 1:
		return hi - (p > hi - lo ? (hi - lo) : p);
	case 2:
		return cur_fold(lo, hi, (uint64_t)1 << (cur_u8(c) % 64));
	case 3:
		return cur_fold(lo, hi, ((uint64_t)1 << (cur_u8(c) % 64)) - 1);
	case 4:
		return cur_fold(lo, hi, ((uint64_t)1 << (cur_u8(c) % 64)) + 1);
	case 5:
		return cur_fold(lo, hi, cur_bytes_le(c, 4) << 12);
	default:
		return cur_fold(lo, hi, cur_bytes_le(c, (p % 8) + 1));
	}
}

/* Uniform-ish index in [0, n) (n >= 1): one byte, or two when n > 256. */
static inline uint32_t cur_choice(struct mm_cursor *c, uint32_t n)
{
	if (n <= 1)
		return 0;
	if (n <= 256)
		return cur_u8(c) % n;
	return (uint32_t)(cur_bytes_le(c, 2) % n);
}

static inline bool cur_bool(struct mm_cursor *c)
{
	return cur_u8(c) & 1;
}

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
