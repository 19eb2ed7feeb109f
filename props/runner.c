/*
 * The runner: decode an input into a configuration and operations, apply
 * each to the library and the oracle through the harness's step, compare
 * what the oracle predicted (return value, reports by stage and kind) with
 * what the library did after every step, and check the whole state (a total
 * check after every op in props and replay; in fuzzing amortised by
 * check_cost or check_every, and always a total check at the end).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmsim/mmsim.h"

#include "props.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROPS_HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PROPS_HAVE_ASAN 1
#endif
#ifdef PROPS_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define PROPS_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define PROPS_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define PROPS_POISON(p, n) ((void)(p), (void)(n))
#define PROPS_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

void props_note(struct props_result *r, const char *fmt, ...)
{
	size_t n;
	va_list ap;
	if (!r->tracing)
		return;
	n = strlen(r->note);
	if (n >= sizeof(r->note) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->note + n, sizeof(r->note) - n, fmt, ap);
	va_end(ap);
}

int props_fail_at(struct props_result *r, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->file = file;
	r->line = line;
	return PROPS_FAIL;
}

/* ---- the expectation mechanism --------------------------------------- */

/* The report sink of a watched machine: count every report by stage and
 * kind. */
static void props_sink(void *arg, const struct mm_report *rep)
{
	props_expect_report(&((struct props_result *)arg)->actual, rep->stage, rep->kind);
}

void props_watch(struct props_result *r, struct mm_machine *m)
{
	r->watched = m;
	if (m) {
		mm_set_report_handler(m, props_sink, r);
		mm_set_op_index(m, r->op_index);
	}
}

/* Forget the reports counted (the return value stays: a step may still
 * read r->actual.ret after props_compare). */
static void expect_clear(struct props_expect *x)
{
	if (x->nr) {
		memset(x->reports, 0, sizeof(x->reports));
		x->nr = 0;
	}
}

/* The reports of the step, in the trace: " [memblock/WARN x2]". */
static void note_reports(struct props_result *r)
{
	for (unsigned s = 0; s < MM_STAGE_NR; s++)
		for (unsigned k = 0; k < MM_REPORT_NR; k++)
			if (r->actual.reports[s][k])
				props_note(r, " [%s/%s x%u]", mm_stage_name((enum mm_stage)s),
					   mm_report_kind_name((enum mm_report_kind)k),
					   r->actual.reports[s][k]);
}

/* "op 7" (also for the check after op 7), or "setup". */
static const char *where(const struct props_result *r, char *buf, size_t len)
{
	if (r->in_setup)
		return "setup";
	snprintf(buf, len, "op %" PRIu64, r->op_index);
	return buf;
}

int props_compare(struct props_result *r)
{
	char w[32];

	if (r->tracing && r->actual.nr)
		note_reports(r);
	if (r->actual.ret != r->expect.ret)
		return props_fail(r, "%s: return: library %d, oracle %d", where(r, w, sizeof(w)),
				  r->actual.ret, r->expect.ret);
	if ((r->actual.nr || r->expect.nr) &&
	    (r->actual.nr != r->expect.nr ||
	     memcmp(r->actual.reports, r->expect.reports, sizeof(r->actual.reports)))) {
		for (unsigned s = 0; s < MM_STAGE_NR; s++)
			for (unsigned k = 0; k < MM_REPORT_NR; k++)
				if (r->actual.reports[s][k] != r->expect.reports[s][k])
					return props_fail(r, "%s: reports %s/%s: library %u, oracle %u",
							  where(r, w, sizeof(w)),
							  mm_stage_name((enum mm_stage)s),
							  mm_report_kind_name((enum mm_report_kind)k),
							  r->actual.reports[s][k],
							  r->expect.reports[s][k]);
	}
	expect_clear(&r->actual);
	expect_clear(&r->expect);
	return PROPS_OK;
}

/* props_compare, without the call when there is nothing to compare (the
 * common case: no report on either side, the same return value). */
static inline int settle(struct props_result *r)
{
	if (!r->actual.nr && !r->expect.nr && r->actual.ret == r->expect.ret)
		return PROPS_OK;
	return props_compare(r);
}

static void fail_record(struct props_failure *f, int32_t op, const struct props_result *r)
{
	if (!f)
		return;
	f->op = op;
	snprintf(f->msg, sizeof(f->msg), "%s", r->msg[0] ? r->msg : "(no message)");
	f->file = r->file ? r->file : "?";
	f->line = r->line;
}

/* The check cadence of one run, read once from the harness and the options
 * (a local copy: the loop then reads no pointer argument per operation). */
struct cadence {
	bool all;                    /* PROPS_CHECK_ALL */
	uint64_t (*cost)(void *ctx); /* h->check_cost */
	uint32_t every;              /* h->check_every, at least 1 */
};

/* since = operations since the last check, this one included. */
static bool check_due(const struct cadence *cd, void *ctx, uint32_t i, uint32_t since)
{
	if (cd->all)
		return true;
	if (cd->cost)
		return (uint64_t)since * PROPS_FUZZ_CHECK_BUDGET >= cd->cost(ctx);
	return i < 16 || (i + 1) % cd->every == 0;
}

/* The last input's context block, kept (ASan-poisoned) for the next one of
 * the same size: a fuzzer runs one input after another, and a fresh block
 * from ASan's quarantine is cold memory to zero. */
static void *spare_ctx;
static size_t spare_ctx_size;

static void *ctx_alloc(size_t size)
{
	void *p = spare_ctx;

	if (!p || spare_ctx_size != size)
		return calloc(1, size);
	spare_ctx = NULL;
	PROPS_UNPOISON(p, size);
	memset(p, 0, size);
	return p;
}

static void ctx_free(void *p, size_t size)
{
	if (spare_ctx) {
		PROPS_UNPOISON(spare_ctx, spare_ctx_size);
		free(spare_ctx);
	}
	PROPS_POISON(p, size);
	spare_ctx = p;
	spare_ctx_size = size;
}

uint64_t props_ops_total;

static void trace_line(FILE *t, const struct props_opdef *d, const struct props_op *op,
		       const char *prefix, const struct props_result *r)
{
	char line[512];
	props_format(d, op, line, sizeof(line));
	if (r && r->note[0])
		fprintf(t, "%-60s # %s%s\n", line, prefix, r->note);
	else if (prefix[0])
		fprintf(t, "%-60s # %s\n", line, prefix);
	else
		fprintf(t, "%s\n", line);
}

int props_run(const struct props_harness *h, const uint8_t *data, size_t len,
	      const struct props_run_opts *o, struct props_failure *f)
{
	static const struct props_run_opts defaults = { NULL, PROPS_CHECK_ALL, 0 };
	struct mm_cursor c;
	struct props_op cfg, op;
	struct props_result r;
	struct cadence cd;
	const struct props_opdef *ops;
	int (*check)(void *ctx, struct props_result *r);
	uint32_t max = h->max_ops, i, since = 0, nr_ops;
	bool checked = false;
	int ret;
	void *ctx;

	if (!o)
		o = &defaults;
	if (o->stop_after && o->stop_after < max)
		max = o->stop_after;
	cur_init(&c, data, len);
	cfg.kind = 0;
	props_decode(&h->config, &c, &cfg); /* sets every value */
	/* The header only: note and msg are strings, cleared before each use
	 * (zeroing all 1.3 KiB per input was a visible cost under ASan). */
	r.tracing = o->trace != NULL;
	r.total = true;
	r.in_setup = true;
	r.all_checks = o->check == PROPS_CHECK_ALL;
	r.op_index = 0;
	r.note[0] = '\0';
	r.msg[0] = '\0';
	r.file = NULL;
	r.line = 0;
	r.watched = NULL;
	r.expect.ret = r.actual.ret = 0;
	r.expect.nr = r.actual.nr = 1; /* expect_clear zeroes the arrays once */
	expect_clear(&r.expect);
	expect_clear(&r.actual);
	ctx = ctx_alloc(h->ctx_size ? h->ctx_size : 1);
	if (!ctx) {
		props_fail(&r, "host out of memory for the harness context");
		fail_record(f, -1, &r);
		return PROPS_FAIL;
	}
	if (o->trace)
		trace_line(o->trace, &h->config, &cfg, "", NULL);
	ret = h->setup(ctx, &cfg, &r);
	if (ret == PROPS_OK)
		ret = props_compare(&r);
	r.in_setup = false;
	if (ret != PROPS_OK) {
		if (o->trace)
			fprintf(o->trace, "# setup FAILED: %s\n", r.msg);
		fail_record(f, -1, &r);
		goto out;
	}
	cd.all = o->check == PROPS_CHECK_ALL;
	cd.cost = h->check_cost;
	cd.every = h->check_every ? h->check_every : 1;
	ops = h->ops;
	nr_ops = h->nr_ops;
	check = h->check;
	for (i = 0; i < max && !cur_exhausted(&c); i++) {
		const struct props_opdef *d;
		char prefix[32];
		bool last;
		op.kind = cur_u8(&c) % nr_ops; /* props_decode sets every value */
		d = &ops[op.kind];
		props_decode(d, &c, &op);
		last = i + 1 >= max || cur_exhausted(&c);
		r.note[0] = '\0';
		r.msg[0] = '\0';
		r.op_index = i;
		r.expect.ret = r.actual.ret = 0;
		if (r.watched)
			mm_set_op_index(r.watched, i);
		ret = d->step(ctx, &op, &r);
		props_ops_total++;
		if (ret == PROPS_OK)
			ret = settle(&r);
		if (o->trace) {
			snprintf(prefix, sizeof(prefix), "%u: ", i);
			trace_line(o->trace, d, &op, prefix, &r);
		}
		since++;
		/* the last operation's check is the input's final, total check */
		if (ret == PROPS_OK && (checked = last || check_due(&cd, ctx, i, since))) {
			since = 0;
			r.total = cd.all || last;
			ret = check(ctx, &r);
			if (ret == PROPS_OK)
				ret = settle(&r); /* a check reports nothing */
		}
		if (ret != PROPS_OK) {
			if (o->trace)
				fprintf(o->trace, "# op %u FAILED: %s\n", i, r.msg);
			fail_record(f, (int32_t)i, &r);
			goto out;
		}
	}
	if (!checked) {
		r.msg[0] = '\0';
		r.total = true;
		ret = h->check(ctx, &r);
		if (ret == PROPS_OK)
			ret = props_compare(&r);
		if (ret != PROPS_OK) {
			if (o->trace)
				fprintf(o->trace, "# final check FAILED: %s\n", r.msg);
			fail_record(f, (int32_t)i, &r);
		}
	}
out:
	h->teardown(ctx);
	ctx_free(ctx, h->ctx_size ? h->ctx_size : 1);
	return ret == PROPS_OK ? PROPS_OK : PROPS_FAIL;
}

void props_assert_fail(const char *file, int line, const char *msg)
{
	const char *base = strrchr(file, '/');
	fprintf(stderr, "%s:%d: ASSERTION FAILED: %s\n", base ? base + 1 : file, line, msg);
	fflush(stderr);
	abort();
}

/* MMSIM_TRACE, read once before the first input: a branch taken on the
 * first input only would make the first run of a persistent AFL++ process
 * cover an edge the later runs do not (an unstable edge). */
static bool trace_env;

__attribute__((constructor)) static void read_trace_env(void)
{
	trace_env = getenv("MMSIM_TRACE") != NULL;
}

/* The fuzz entry's own figures, printed at exit: inputs run and seconds
 * since the first (a monotonic clock read once per input). */
static uint64_t fuzz_inputs;
static double fuzz_t0, fuzz_t1;

static double mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

__attribute__((destructor)) static void fuzz_stats(void)
{
	const double secs = fuzz_t1 - fuzz_t0;
	if (!fuzz_inputs)
		return;
	fprintf(stderr, "stat::mmsim_inputs:             %" PRIu64 "\n", fuzz_inputs);
	fprintf(stderr, "stat::mmsim_ops:                %" PRIu64 "\n", props_ops_total);
	fprintf(stderr, "stat::mmsim_ops_per_input:      %.1f\n",
		(double)props_ops_total / (double)fuzz_inputs);
	fprintf(stderr, "stat::mmsim_ops_per_sec:        %.0f\n",
		secs > 0 ? (double)props_ops_total / secs : 0.0);
}

int props_fuzz_one(const struct props_harness *h, const uint8_t *data, size_t len)
{
	struct props_run_opts o;
	struct props_failure f;

	if (!fuzz_inputs++)
		fuzz_t0 = mono_seconds();

	/* member by member: an initialised struct is an ASan-checked memcpy */
	o.trace = NULL;
	o.check = PROPS_CHECK_FUZZ;
	o.stop_after = 0;

	if (trace_env) {
		o.trace = stdout;
		o.check = PROPS_CHECK_ALL;
	}
	if (props_run(h, data, len, &o, &f) == PROPS_OK) {
		fuzz_t1 = mono_seconds();
		return 0;
	}
	if (!o.trace) {
		/* Replay with a trace and every check, so the report shows the
		 * program and the first operation at which the state went wrong. */
		fprintf(stderr, "==== mmsim %s: failing input, trace follows ====\n", h->name);
		o.trace = stderr;
		o.check = PROPS_CHECK_ALL;
		props_run(h, data, len, &o, &f);
	}
	fprintf(stderr, "==== replay: fuzz_%s <file>   or   props --trace %s <file> ====\n",
		h->name, h->name);
	props_assert_fail(f.file, f.line, f.msg);
}
