/* label: unit (props) */
/*
 * The runner and the shrinker on a toy harness with a planted bug: the
 * failure is found, located at the right operation, and shrunk to the
 * minimal program that shows it. And props/blocks.c, the host blocks the
 * oracles recycle across inputs.
 */
#include <string.h>

#include "blocks.h"
#include "check.h"
#include "mmsim/mmsim.h"
#include "props.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROPS_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PROPS_TEST_ASAN 1
#endif
#ifdef PROPS_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

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

/* Expect props_ops_total (what --bench and the fuzz entry report as ops/s)
 * to grow by the steps run: none for an empty input, max_ops for a long
 * one, up to and including the failing step for a failing one. */
static void runner_counts_ops_check(void)
{
	const uint8_t bad[] = { 0, 0, 1, 0, 2, 2, 0, 3, 1, 0xc0, 0x42 };
	uint8_t in[400];
	struct props_failure f;
	uint64_t ops0 = props_ops_total;
	ASSERT_EQ(props_run(&toy, NULL, 0, NULL, &f), PROPS_OK);
	ASSERT_EQ(props_ops_total - ops0, 0);
	memset(in, 0, sizeof(in));
	ASSERT_EQ(props_run(&toy, in, sizeof(in), NULL, &f), PROPS_OK);
	ASSERT_EQ(props_ops_total - ops0, 50);
	ASSERT_EQ(props_run(&toy, bad, sizeof(bad), NULL, &f), PROPS_FAIL);
	ASSERT_EQ(f.op, 4);
	ASSERT_EQ(props_ops_total - ops0, 55);
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

/* ---- the expectation mechanism, on a toy harness over a real machine ---- */

/* How the toy oracle lies: not at all, forgets the library's report, invents
 * one, predicts the wrong return value; or the check itself reports. */
enum { HONEST, FORGETS, INVENTS, WRONG_RET, CHECK_REPORTS };

struct watch {
	struct mm_machine *m;
	uint64_t lie;
};

/* What the checks of the last run saw (the context is the runner's). */
static uint32_t watch_checks, watch_total_checks;
static bool watch_last_total;

static int watch_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct watch *w = ctx;
	struct mm_config mc;
	mm_config_default(&mc, MM_ERA_MODERN);
	if (mm_machine_create(&mc, &w->m))
		return props_fail(r, "mm_machine_create");
	w->lie = cfg->v[0];
	props_watch(r, w->m);
	return PROPS_OK;
}
static int watch_check(void *ctx, struct props_result *r)
{
	struct watch *w = ctx;
	watch_checks++;
	watch_total_checks += r->total;
	watch_last_total = r->total;
	if (w->lie == CHECK_REPORTS)
		(void)mm_set_cpu(w->m, 99); /* INVALID_ARG, which no check may raise */
	return PROPS_OK;
}
static void watch_teardown(void *ctx) { mm_machine_destroy(((struct watch *)ctx)->m); }
/* A read that wraps past 2^64 is refused: -EINVAL and one core INVALID_ARG. */
static int watch_read(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct watch *w = ctx;
	uint8_t b[2];
	bool wrap = op->v[0];
	if (wrap && w->lie != FORGETS)
		props_expect_report(&r->expect, MM_STAGE_CORE, MM_REPORT_INVALID_ARG);
	if (!wrap && w->lie == INVENTS)
		props_expect_report(&r->expect, MM_STAGE_MEMBLOCK, MM_REPORT_DOUBLE_FREE);
	r->expect.ret = wrap ? -22 : 0;
	if (w->lie == WRONG_RET)
		r->expect.ret = wrap ? 0 : -12;
	r->actual.ret = mm_phys_read(w->m, wrap ? UINT64_MAX : 0, b, sizeof(b));
	return PROPS_OK;
}

static const struct props_opdef watch_ops[] = {
	{ .name = "read", .nfields = 1, .fields = { PROPS_BOOL("wrap") }, .step = watch_read },
};

static const struct props_harness watch = {
	.name = "watch",
	.ctx_size = sizeof(struct watch),
	.max_ops = 50,
	.check_every = 4,
	.config = { .name = "config", .nfields = 1, .fields = { PROPS_RANGE("lie", 0, 4) } },
	.setup = watch_setup,
	.check = watch_check,
	.teardown = watch_teardown,
	.nr_ops = 1,
	.ops = watch_ops,
};

static uint64_t watch_cost(void *ctx)
{
	(void)ctx;
	return UINT64_MAX / 2;
}

static int watch_run(const char *text, enum props_check_mode mode, struct props_failure *f)
{
	struct props_enc e;
	struct props_run_opts o = { NULL, mode, 0 };
	char err[128];
	int ret;
	enc_init(&e);
	if (props_encode_trace(&watch, text, &e, err, sizeof(err))) {
		enc_free(&e);
		return -1; /* neither PROPS_OK nor PROPS_FAIL: the assertion shows it */
	}
	ret = props_run(&watch, e.buf, e.len, &o, f);
	enc_free(&e);
	return ret;
}

/* Expect an honest oracle to pass, reports and refusals included. */
static void expect_honest_passes_check(void)
{
	struct props_failure f;
	ASSERT_EQ(watch_run("config lie=0\nread wrap=true\nread wrap=false\nread wrap=true\n",
			    PROPS_CHECK_ALL, &f), PROPS_OK);
}

/* Expect a report the oracle did not predict to fail at that op, with the
 * standard message naming stage and kind, from the runner. */
static void expect_unpredicted_report_fails_check(void)
{
	struct props_failure f;
	ASSERT_EQ(watch_run("config lie=1\nread wrap=false\nread wrap=true\n", PROPS_CHECK_ALL, &f),
		  PROPS_FAIL);
	ASSERT_EQ(f.op, 1);
	ASSERT_STR_EQ(f.msg, "op 1: reports core/INVALID_ARG: library 1, oracle 0");
	ASSERT_TRUE(strstr(f.file, "runner.c") != NULL);
}

/* Expect a predicted report the library did not raise to fail the same way. */
static void expect_missing_report_fails_check(void)
{
	struct props_failure f;
	ASSERT_EQ(watch_run("config lie=2\nread wrap=true\nread wrap=false\n", PROPS_CHECK_FUZZ, &f),
		  PROPS_FAIL);
	ASSERT_EQ(f.op, 1);
	ASSERT_STR_EQ(f.msg, "op 1: reports memblock/DOUBLE_FREE: library 0, oracle 1");
}

/* Expect a wrong return value to fail before the reports are looked at. */
static void expect_wrong_return_fails_check(void)
{
	struct props_failure f;
	ASSERT_EQ(watch_run("config lie=3\nread wrap=true\n", PROPS_CHECK_ALL, &f), PROPS_FAIL);
	ASSERT_EQ(f.op, 0);
	ASSERT_STR_EQ(f.msg, "op 0: return: library -22, oracle 0");
}

/* Expect a report raised by a check to fail the input: checks report nothing. */
static void expect_check_may_not_report_check(void)
{
	struct props_failure f;
	ASSERT_EQ(watch_run("config lie=4\nread wrap=false\n", PROPS_CHECK_ALL, &f), PROPS_FAIL);
	ASSERT_EQ(f.op, 0);
	ASSERT_STR_EQ(f.msg, "op 0: reports core/INVALID_ARG: library 1, oracle 0");
}

/* Expect every check total in props mode, and in fuzz mode at least the
 * check after the last op (the input's final check) total. */
static void checks_total_check(void)
{
	struct props_failure f;
	const char *prog = "config lie=0\nread wrap=false\nread wrap=false\nread wrap=false\n"
			   "read wrap=false\nread wrap=false\nread wrap=false\n";
	struct props_enc e;
	char err[128];
	struct props_run_opts all = { NULL, PROPS_CHECK_ALL, 0 }, fuzz = { NULL, PROPS_CHECK_FUZZ, 0 };
	struct props_harness sparse = watch;
	sparse.check_cost = watch_cost; /* fuzz mode: no check is due before the end */
	enc_init(&e);
	ASSERT_EQ(props_encode_trace(&watch, prog, &e, err, sizeof(err)), 0);
	watch_checks = watch_total_checks = 0;
	ASSERT_EQ(props_run(&watch, e.buf, e.len, &all, &f), PROPS_OK);
	ASSERT_EQ(watch_checks, 6);
	ASSERT_EQ(watch_total_checks, 6);
	watch_checks = watch_total_checks = 0;
	watch_last_total = false;
	ASSERT_EQ(props_run(&sparse, e.buf, e.len, &fuzz, &f), PROPS_OK);
	ASSERT_EQ(watch_checks, 1);
	ASSERT_EQ(watch_total_checks, 1);
	ASSERT_TRUE(watch_last_total);
	enc_free(&e);
}

/* props/blocks.c: a block given back is handed out again (the last freed
 * first), zeroed when asked, poisoned while it waits and past its size
 * while in use under ASan; grow keeps the first bytes; sizes above the
 * largest class go straight to malloc. */
static void blocks_recycled_check(void)
{
	unsigned char *a = props_blk_alloc(100, false), *b, *c;
	ASSERT_TRUE(a != NULL);
	memset(a, 0x77, 100);
#ifdef PROPS_TEST_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(a + 100 + 8)); /* the class is 128 bytes */
#endif
	props_blk_free(a, 100);
#ifdef PROPS_TEST_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(a));
#endif
	b = props_blk_alloc(120, true); /* the same class: a again, zeroed */
	ASSERT_TRUE(b == a);
	for (int i = 0; i < 120; i++)
		ASSERT_EQ(b[i], 0);
	memset(b, 0x31, 120);
	c = props_blk_grow(b, 120, 5000);
	ASSERT_TRUE(c != NULL && c != b);
	for (int i = 0; i < 120; i++)
		ASSERT_EQ(c[i], 0x31);
#ifdef PROPS_TEST_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(b));
#endif
	props_blk_free(c, 5000);
	a = props_blk_alloc((size_t)1 << 17, true); /* above 64 KiB: malloc's */
	ASSERT_TRUE(a != NULL);
	ASSERT_EQ(a[(1 << 17) - 1], 0);
	props_blk_free(a, (size_t)1 << 17);
	props_blk_free(NULL, 64);
}

int main(void)
{
	RUN(runner_empty_input_check);
	RUN(blocks_recycled_check);
	RUN(runner_finds_planted_bug_check);
	RUN(runner_max_ops_check);
	RUN(runner_counts_ops_check);
	RUN(runner_trace_check);
	RUN(shrinker_minimises_check);
	RUN(expect_honest_passes_check);
	RUN(expect_unpredicted_report_fails_check);
	RUN(expect_missing_report_fails_check);
	RUN(expect_wrong_return_fails_check);
	RUN(expect_check_may_not_report_check);
	RUN(checks_total_check);
	return check_summary("runner");
}
