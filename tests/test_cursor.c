/* label: unit (props) */
/*
 * The choice-sequence cursor and its encoder: draws stay in range, an
 * exhausted input draws the simplest values, and every value encodes to bytes
 * that decode back to exactly that value.
 */
#include "check.h"
#include "cursor.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Expect every draw from random bytes to land inside [lo, hi]. */
static void cursor_range_in_bounds_check(void)
{
	static const uint64_t bounds[][2] = {
		{ 0, 0 }, { 0, 1 }, { 5, 9 }, { 0, 255 }, { 100, 356 }, { 0, UINT64_MAX },
		{ 1, UINT64_MAX }, { UINT64_MAX - 3, UINT64_MAX }, { 4096, 1ull << 36 },
	};
	uint8_t buf[64];
	for (int round = 0; round < 2000; round++) {
		struct mm_cursor c;
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)xorshift();
		cur_init(&c, buf, sizeof(buf));
		for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
			uint64_t v = cur_range(&c, bounds[b][0], bounds[b][1]);
			ASSERT_LE(bounds[b][0], v);
			ASSERT_LE(v, bounds[b][1]);
		}
	}
}

/* Expect an empty input to draw lo, index 0 and false, and to stay exhausted. */
static void cursor_exhausted_draws_zero_check(void)
{
	struct mm_cursor c;
	cur_init(&c, NULL, 0);
	ASSERT_TRUE(cur_exhausted(&c));
	ASSERT_EQ(cur_range(&c, 7, 1000), 7);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), 0);
	ASSERT_EQ(cur_choice(&c, 17), 0);
	ASSERT_EQ(cur_bool(&c), 0);
	ASSERT_EQ(cur_u8(&c), 0);
}

/* Expect the biased modes to produce the bounds, powers of two and their
 * neighbours, and page multiples from single short byte patterns. */
static void cursor_bias_check(void)
{
	const uint8_t hi_tag[] = { 0x20 }, pow_tag[] = { 0x40, 20 }, powm1[] = { 0x60, 32 },
		      powp1[] = { 0x80, 12 }, page[] = { 0xa0, 3, 0, 0, 0 },
		      lit[] = { 0xc1, 0x34, 0x12 };
	struct mm_cursor c;
	cur_init(&c, hi_tag, 1);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), UINT64_MAX);
	cur_init(&c, pow_tag, 2);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), 1ull << 20);
	cur_init(&c, powm1, 2);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), (1ull << 32) - 1);
	cur_init(&c, powp1, 2);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), (1ull << 12) + 1);
	cur_init(&c, page, 5);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), 3 * 4096);
	cur_init(&c, lit, 3);
	ASSERT_EQ(cur_range(&c, 0, UINT64_MAX), 0x1234);
}

/* Expect enc_range to be the exact inverse of cur_range for edge and random
 * values over edge and random bounds, and enc_choice/enc_bool likewise. */
static void encoder_inverse_check(void)
{
	for (int round = 0; round < 20000; round++) {
		uint64_t a = xorshift(), b = xorshift(), lo, hi, v;
		switch (round % 5) {
		case 0: a = 0; b = UINT64_MAX; break;
		case 1: a %= 1000; b = a + xorshift() % 100; break;
		case 2: b = a; break;
		default: break;
		}
		lo = a < b ? a : b;
		hi = a < b ? b : a;
		switch (round % 4) {
		case 0: v = lo; break;
		case 1: v = hi; break;
		default: v = lo + (hi - lo == UINT64_MAX ? xorshift() : xorshift() % (hi - lo + 1)); break;
		}
		struct props_enc e;
		struct mm_cursor c;
		enc_init(&e);
		enc_range(&e, lo, hi, v);
		enc_choice(&e, 300, (uint32_t)(v % 300));
		enc_choice(&e, 7, (uint32_t)(v % 7));
		enc_bool(&e, v & 1);
		cur_init(&c, e.buf, e.len);
		ASSERT_EQ(cur_range(&c, lo, hi), v);
		ASSERT_EQ(cur_choice(&c, 300), v % 300);
		ASSERT_EQ(cur_choice(&c, 7), v % 7);
		ASSERT_EQ(cur_bool(&c), v & 1);
		ASSERT_TRUE(cur_exhausted(&c));
		enc_free(&e);
	}
}

int main(void)
{
	RUN(cursor_range_in_bounds_check);
	RUN(cursor_exhausted_draws_zero_check);
	RUN(cursor_bias_check);
	RUN(encoder_inverse_check);
	return check_summary("cursor");
}
