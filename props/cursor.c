/*
 * The choice-sequence cursor and its exact inverse, the encoder.
 * See cursor.h for the draw format; the encoder must mirror every branch.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

void cur_init(struct mm_cursor *c, const uint8_t *data, size_t len)
{
	c->data = data;
	c->len = data ? len : 0;
	c->pos = 0;
}

bool cur_exhausted(const struct mm_cursor *c)
{
	return c->pos >= c->len;
}

uint8_t cur_u8(struct mm_cursor *c)
{
	return c->pos < c->len ? c->data[c->pos++] : 0;
}

uint64_t cur_bytes_le(struct mm_cursor *c, unsigned n)
{
	uint64_t v = 0;

	if (n > 8)
		n = 8;
	if (n && c->len - c->pos >= 8) {
		/* The common case, away from the end of the input: one bounds
		 * check per draw instead of three traced comparisons per byte
		 * (the fuzzer traces every comparison). Read 8, keep n. */
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
static uint64_t fold(uint64_t lo, uint64_t hi, uint64_t x)
{
	uint64_t span = hi - lo;
	if (span == UINT64_MAX)
		return lo + x;
	return lo + x % (span + 1);
}

uint64_t cur_range(struct mm_cursor *c, uint64_t lo, uint64_t hi)
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
		return fold(lo, hi, p);
	case 1:
		return hi - (p > hi - lo ? (hi - lo) : p);
	case 2:
		return fold(lo, hi, (uint64_t)1 << (cur_u8(c) % 64));
	case 3:
		return fold(lo, hi, ((uint64_t)1 << (cur_u8(c) % 64)) - 1);
	case 4:
		return fold(lo, hi, ((uint64_t)1 << (cur_u8(c) % 64)) + 1);
	case 5:
		return fold(lo, hi, cur_bytes_le(c, 4) << 12);
	default:
		return fold(lo, hi, cur_bytes_le(c, (p % 8) + 1));
	}
}

uint32_t cur_choice(struct mm_cursor *c, uint32_t n)
{
	if (n <= 1)
		return 0;
	if (n <= 256)
		return cur_u8(c) % n;
	return (uint32_t)(cur_bytes_le(c, 2) % n);
}

bool cur_bool(struct mm_cursor *c)
{
	return cur_u8(c) & 1;
}

/* ---- encoder ------------------------------------------------------------ */

void enc_init(struct props_enc *e)
{
	memset(e, 0, sizeof(*e));
}

void enc_free(struct props_enc *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

void enc_u8(struct props_enc *e, uint8_t v)
{
	if (e->len == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 64;
		uint8_t *nb = realloc(e->buf, ncap);
		if (!nb) {
			e->oom = true;
			return;
		}
		e->buf = nb;
		e->cap = ncap;
	}
	e->buf[e->len++] = v;
}

void enc_range(struct props_enc *e, uint64_t lo, uint64_t hi, uint64_t v)
{
	uint64_t x;
	unsigned n = 1;

	if (lo > hi) {
		uint64_t tmp = lo;
		lo = hi;
		hi = tmp;
	}
	if (lo == hi)
		return;
	x = v - lo;
	if (x < 32 && x <= hi - lo) { /* mode 0: the shortest form */
		enc_u8(e, (uint8_t)x);
		return;
	}
	if (hi - v < 32) { /* mode 1 */
		enc_u8(e, (uint8_t)(0x20 | (hi - v)));
		return;
	}
	while (n < 8 && (x >> (8 * n)))
		n++;
	enc_u8(e, (uint8_t)(0xc0 | (n - 1))); /* mode 6: literal of n bytes */
	for (unsigned i = 0; i < n; i++)
		enc_u8(e, (uint8_t)(x >> (8 * i)));
}

void enc_choice(struct props_enc *e, uint32_t n, uint32_t idx)
{
	if (n <= 1)
		return;
	if (n <= 256) {
		enc_u8(e, (uint8_t)idx);
		return;
	}
	enc_u8(e, (uint8_t)idx);
	enc_u8(e, (uint8_t)(idx >> 8));
}

void enc_bool(struct props_enc *e, bool v)
{
	enc_u8(e, v ? 1 : 0);
}
