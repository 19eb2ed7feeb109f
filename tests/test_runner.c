/* label: unit (props) */
/*
 * The runner and the shrinker on a toy harness with a planted bug: the
 * failure is found, located at the right operation, and shrunk to the
 * minimal program that shows it.
 */
#include <string.h>

#include "check.h"
#include "props.h"

struct toy {
	uint64_t adds, checks, limit;
};

static int toy_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	(void)r;
	struct toy *t = ctx;
	t->limit = cfg->v[0];
	return PROPS_OK;
}
static int toy_check(void *ctx, struct props_result *r)
{
	(void)r;
	((struct toy *)ctx)->checks++;
	return PROPS_OK;
}
static void toy_teardown(void *ctx) { (void)ctx; }
static int toy_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	((struct toy *)ctx)->adds++;
	props_note(r, "-> %llu", (unsigned long long)op->v[0]);
	return PROPS_OK;
}
/* The planted bug: poking 0x42 after three adds. */
static int toy_poke(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct toy *t = ctx;
	if (t->adds >= 3 && op->v[0] == 0x42)
		return props_fail(r, "planted bug after %llu adds", (unsigned long long)t->adds);
	return PROPS_OK;
}

static const struct props_opdef toy_ops[] = {
	{ .name = "add", .nfields = 1, .fields = { PROPS_RANGE("v", 0, 1000) }, .step = toy_add },
	{ .name = "poke", .nfields = 1, .fields = { PROPS_HEX("v", 0, 255) }, .step = toy_poke },
	{ .name = "nop", .nfields = 0, .step = toy_add },
};

static const struct props_harness toy = {
	.name = "toy",
	.ctx_size = sizeof(struct toy),
	.max_ops = 50,
	.check_every = 10,
	.config = { .name = "config", .nfields = 1, .fields = { PROPS_RANGE("limit", 0, 9) } },
	.setup = toy_setup,
	.check = toy_check,
	.teardown = toy_teardown,
	.nr_ops = 3,
	.ops = toy_ops,
};

/* Expect an empty input to run the config and no operation, and pass. */
static void runner_empty_input_check(void)
{
	struct props_failure f;
	ASSERT_EQ(props_run(&toy, NULL, 0, NULL, &f), PROPS_OK);
}

/* Expect the planted bug found at op 3 with its message and site. */
static void runner_finds_planted_bug_check(void)
{
	/* config limit=0; add 1; add 2; nop; add 3 ... poke 0x42 */
	const uint8_t in[] = { 0, 0, 1, 0, 2, 2, 0, 3, 1, 0xc0, 0x42 };
	struct props_failure f;
	ASSERT_EQ(props_run(&toy, in, sizeof(in), NULL, &f), PROPS_FAIL);
	ASSERT_EQ(f.op, 4);
	ASSERT_TRUE(strstr(f.msg, "planted bug after 4 adds") != NULL);
	ASSERT_TRUE(strstr(f.file, "test_runner.c") != NULL);
}

/* Expect max_ops to bound a long input: 50 ops of 2 bytes, never more. */
static void runner_max_ops_check(void)
{
	uint8_t in[400];
	struct props_failure f;
	memset(in, 0, sizeof(in)); /* add 0, over and over */
	ASSERT_EQ(props_run(&toy, in, sizeof(in), NULL, &f), PROPS_OK);
}

/* Expect a trace line per op with the note, and the config line first. */
static void runner_trace_check(void)
{
	const uint8_t in[] = { 3, 0, 7, 1, 0xc0, 0x10 };
	char buf[2048] = "";
	FILE *fp = fmemopen(buf, sizeof(buf), "w");
	struct props_run_opts o = { fp, PROPS_CHECK_ALL, 0 };
	struct props_failure f;
	ASSERT_TRUE(fp != NULL);
	ASSERT_EQ(props_run(&toy, in, sizeof(in), &o, &f), PROPS_OK);
	fclose(fp);
	ASSERT_TRUE(strncmp(buf, "config limit=3\n", 15) == 0);
	ASSERT_TRUE(strstr(buf, "add v=7") != NULL);
	ASSERT_TRUE(strstr(buf, "# 0: -> 7") != NULL);
	ASSERT_TRUE(strstr(buf, "poke v=0x10") != NULL);
}

/* Expect the shrinker to turn a long random failing input into the minimal
 * program: config, three adds of 0, poke 0x42 — 1 + 3*2 + 3 = 10 bytes or less. */
static void shrinker_minimises_check(void)
{
	char text[4096] = "config limit=5\n";
	struct props_enc e;
	struct props_failure f;
	char err[128];
	size_t len;
	uint8_t in[1024];
	for (int i = 0; i < 40; i++) {
		if (i % 3 == 2)
			strcat(text, "nop\n");
		else
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s v=%d\n",
				 i % 5 == 1 ? "poke" : "add", 1 + i * 17 % 200);
	}
	strcat(text, "poke v=0x42\n");
	enc_init(&e);
	ASSERT_EQ(props_encode_trace(&toy, text, &e, err, sizeof(err)), 0);
	ASSERT_LE(e.len, sizeof(in));
	memcpy(in, e.buf, e.len);
	len = e.len;
	enc_free(&e);
	ASSERT_EQ(props_run(&toy, in, len, NULL, &f), PROPS_FAIL);
	len = props_shrink(&toy, in, len, &f, 20);
	ASSERT_LE(len, 10);
	ASSERT_EQ(props_run(&toy, in, len, NULL, &f), PROPS_FAIL);
	ASSERT_TRUE(strstr(f.msg, "planted bug after 3 adds") != NULL);
}

int main(void)
{
	RUN(runner_empty_input_check);
	RUN(runner_finds_planted_bug_check);
	RUN(runner_max_ops_check);
	RUN(runner_trace_check);
	RUN(shrinker_minimises_check);
	return check_summary("runner");
}
