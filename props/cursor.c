/*
 * The choice-sequence cursor's exact inverse, the encoder (the draws
 * themselves are inline in cursor.h). See cursor.h for the draw format; the
 * encoder must mirror every branch.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

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
