/* label: unit (props) */
/*
 * The trace round trip for every registered harness: random bytes decode to
 * a program; its printed trace encodes back to bytes that decode to the same
 * program. This is what makes seeds regenerable and repro traces editable.
 */
#include <string.h>

#include "check.h"
#include "props.h"

#define MAXP 300

struct program {
	struct props_op cfg;
	struct props_op ops[MAXP];
	uint32_t n;
};

/* Decode as the runner does: config, then tag + fields until exhausted. */
static void decode_program(const struct props_harness *h, const uint8_t *d, size_t len,
			   struct program *p)
{
	struct mm_cursor c;
	memset(p, 0, sizeof(*p));
	cur_init(&c, d, len);
	props_decode(&h->config, &c, &p->cfg);
	while (p->n < h->max_ops && p->n < MAXP && !cur_exhausted(&c)) {
		struct props_op *op = &p->ops[p->n++];
		op->kind = cur_u8(&c) % h->nr_ops;
		props_decode(&h->ops[op->kind], &c, op);
	}
}

static size_t print_program(const struct props_harness *h, const struct program *p, char *buf,
			    size_t cap)
{
	size_t n = (size_t)props_format(&h->config, &p->cfg, buf, cap);
	buf[n++] = '\n';
	for (uint32_t i = 0; i < p->n && n + 600 < cap; i++) {
		n += (size_t)props_format(&h->ops[p->ops[i].kind], &p->ops[i], buf + n, cap - n);
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	return n;
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint8_t next_byte(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(rng >> 56);
}

/* Expect decode(encode(print(decode(bytes)))) == decode(bytes), field by field. */
static void trace_round_trip_check(const struct props_harness *h)
{
	static struct program a, b;
	static char text[MAXP * 600 + 1024];
	uint8_t buf[1024];
	char err[256];

	for (int round = 0; round < 300; round++) {
		size_t len = (size_t)(next_byte()) * 4;
		struct props_enc e;
		for (size_t i = 0; i < len; i++)
			buf[i] = next_byte();
		decode_program(h, buf, len, &a);
		print_program(h, &a, text, sizeof(text));
		enc_init(&e);
		if (props_encode_trace(h, text, &e, err, sizeof(err)))
			CHECK_FAIL_("%s: encode failed: %s", h->name, err);
		decode_program(h, e.buf, e.len, &b);
		enc_free(&e);
		ASSERT_EQ(b.n, a.n);
		ASSERT_EQ(memcmp(&a.cfg, &b.cfg, sizeof(a.cfg)), 0);
		for (uint32_t i = 0; i < a.n; i++) {
			ASSERT_EQ(b.ops[i].kind, a.ops[i].kind);
			for (int k = 0; k < PROPS_MAX_FIELDS; k++)
				ASSERT_EQ(b.ops[i].v[k], a.ops[i].v[k]);
		}
	}
}

/* Expect bad traces to be refused with a message naming the line. */
static void trace_errors_check(const struct props_harness *h)
{
	struct props_enc e;
	char err[256] = "";
	enc_init(&e);
	ASSERT_EQ(props_encode_trace(h, "config\nno_such_op x=1\n", &e, err, sizeof(err)), -1);
	ASSERT_TRUE(strstr(err, "line 2") != NULL);
	enc_free(&e);
	enc_init(&e);
	ASSERT_EQ(props_encode_trace(h, "config no_such_field=1\n", &e, err, sizeof(err)), -1);
	enc_free(&e);
}

/*
 *   spans  [0x1000, 0x3000)   [0x5000, 0x6000)     limit 0x10000
 * Expect each anchor to land on its boundary plus the signed delta, the
 * pick to wrap over the spans, and no spans to mean the absolute value.
 */
static void relative_anchors(void)
{
	const struct props_span sp[2] = { { 0x1000, 0x3000 }, { 0x5000, 0x6000 } };
	const uint64_t z = PROPS_REL_DELTA; /* d == z is delta 0 */

	ASSERT_EQ(props_relative(77, 0, 0, 0, 1, sp, 2, 0x10000), 77);
	ASSERT_EQ(props_relative(77, 1, 0, z, 1, sp, 2, 0x10000), 0x1000);
	ASSERT_EQ(props_relative(77, 1, 3, z - 1, 1, sp, 2, 0x10000), 0x4fff);
	ASSERT_EQ(props_relative(77, 2, 0, z + 2, 0x1000, sp, 2, 0x10000), 0x5000);
	ASSERT_EQ(props_relative(77, 3, 1, z, 1, sp, 2, 0x10000), 0x1000);
	ASSERT_EQ(props_relative(77, 4, 0, z, 1, sp, 2, 0x10000), 0x2000);
	ASSERT_EQ(props_relative(77, 4, 1, z + 1, 1, sp, 2, 0x10000), 0xa001);
	ASSERT_EQ(props_relative(77, 1, 0, 0, 1, sp, 2, 0x10000), 0x1000 - PROPS_REL_DELTA);
	ASSERT_EQ(props_relative(77, 2, 0, z, 1, sp, 0, 0x10000), 77);
	ASSERT_EQ(props_relative(5, 1, 0, 0, 1, (const struct props_span[]){ { 0, 1 } }, 1, 9),
		  (uint64_t)0 - PROPS_REL_DELTA);
}

int main(void)
{
	int n = 0;
	for (size_t i = 0; props_harnesses[i]; i++, n++) {
		RUN(trace_round_trip_check, props_harnesses[i]);
		RUN(trace_errors_check, props_harnesses[i]);
	}
	RUN(relative_anchors);
	if (!n) {
		fprintf(stderr, "codec: no harness registered\n");
		return 1;
	}
	return check_summary("codec");
}
