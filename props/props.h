/*
 * The checking machinery: a harness is data.
 *
 * A harness is a configuration schema, a table of operations (each a schema
 * of fields plus a step function) and a full-state check. Decoding, printing
 * a trace line, and parsing a trace line back into bytes are generic over the
 * schemas, so every input prints as a readable trace and every trace (a seed
 * scenario, an edited repro) encodes back to bytes.
 *
 * step() applies one decoded operation to the library and to the oracle:
 * the oracle predicts first, into r->expect (the return value and every
 * report, by stage and kind), then the step calls the library and stores its
 * return value in r->actual.ret; the runner counts the library's reports
 * itself (props_watch installs its report sink) and compares both after
 * every step, the same way for every harness. A step that compares more
 * (addresses, tables, contents) does so itself and returns PROPS_OK or
 * props_fail(...). check() compares the whole state and runs mm_verify().
 * The oracle is written from the semantics and calls no library code.
 *
 * Trace format, one line per item, '#' starts a comment:
 *   config era=modern e820_max=128 ...
 *   e820_add addr=0x9fc00 size=0x400 type=RESERVED   # 3: -> 0
 */
#ifndef MMSIM_PROPS_H
#define MMSIM_PROPS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cursor.h"
#include "expect.h"

#define PROPS_MAX_FIELDS 16
#define PROPS_FUZZ_CHECK_BUDGET 64
#define PROPS_OK 0
#define PROPS_FAIL 1

enum props_field_kind {
	PF_RANGE = 0, /* cur_range(lo, hi) */
	PF_ENUM,      /* cur_choice(n): value = values ? values[i] : i, printed names[i] */
	PF_BOOL,      /* cur_bool */
};

enum props_field_fmt { PF_DEC = 0, PF_HEX };

struct props_field {
	const char *name;
	uint8_t kind; /* enum props_field_kind */
	uint8_t fmt;  /* enum props_field_fmt, PF_RANGE only */
	uint64_t lo, hi;
	const char *const *names; /* PF_ENUM */
	const uint64_t *values;   /* PF_ENUM, optional */
	uint32_t n;               /* PF_ENUM: number of names */
};

#define PROPS_RANGE(nm, l, h) { .name = (nm), .kind = PF_RANGE, .fmt = PF_DEC, .lo = (l), .hi = (h) }
#define PROPS_HEX(nm, l, h) { .name = (nm), .kind = PF_RANGE, .fmt = PF_HEX, .lo = (l), .hi = (h) }
#define PROPS_BOOL(nm) { .name = (nm), .kind = PF_BOOL }
#define PROPS_ENUM(nm, nms, vals) \
	{ .name = (nm), .kind = PF_ENUM, .names = (nms), .values = (vals), \
	  .n = (uint32_t)(sizeof(nms) / sizeof((nms)[0])) }

/* A decoded operation or configuration: v[i] is field i's value. */
struct props_op {
	uint32_t kind; /* index into the harness's op table */
	uint64_t v[PROPS_MAX_FIELDS];
};

/* What a step or check says: a note for the trace, or a failure. */
struct props_result {
	bool tracing;     /* notes are only formatted when a trace is printed */
	/* This check must be total (every walk, every content compare, mm_verify,
	 * nothing skipped because "nothing changed"): always in props mode
	 * (PROPS_CHECK_ALL) and for the check that ends every input. Only a
	 * fuzz-mode check in the middle of an input may be partial. */
	bool total;
	bool in_setup;     /* set by the runner while setup() runs */
	/* Set by the runner in props mode (PROPS_CHECK_ALL, every check total):
	 * a step may then compare whole what a fuzz-mode step only samples
	 * (the input's final, total check compares it whole in both modes). */
	bool all_checks;
	uint64_t op_index; /* set by the runner (it stamps the watched machine itself) */
	/* The oracle's prediction for the current step: zeroed by the runner
	 * before each step, filled by the oracle before the library is called. */
	struct props_expect expect;
	/* What the library did: the step sets actual.ret to the library call's
	 * return value; the runner's report sink counts actual.reports. */
	struct props_expect actual;
	struct mm_machine *watched; /* set by props_watch() */
	char note[256];   /* "-> 0x1000", appended to the op's trace line */
	char msg[1024];   /* failure message */
	const char *file; /* where props_fail was called */
	int line;
};

/* Append a note (no-op unless tracing). */
void props_note(struct props_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a failure; returns PROPS_FAIL so steps can `return props_fail(...)`. */
int props_fail_at(struct props_result *r, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define props_fail(r, ...) props_fail_at((r), __FILE__, __LINE__, __VA_ARGS__)
/* Watch machine m (call right after creating it, in setup or in a step that
 * makes a new machine): the runner installs its report sink and stamps the
 * operation index on m before every step. */
void props_watch(struct props_result *r, struct mm_machine *m);
/* Compare r->actual with r->expect now (the return value, then every report
 * count by stage and kind) and forget the reports counted so far on both
 * sides (ret stays). The runner calls it after every step, after setup and
 * after every check (which must report nothing); a step calls it itself
 * between two library calls, or before comparing more, so that a wrong
 * return value or report is what the failure says.
 * Failure message, the same for every harness:
 *   "op 7: return: library -12, oracle 0"
 *   "op 7: reports memblock/DOUBLE_FREE: library 1, oracle 0" */
int props_compare(struct props_result *r);
/* Compare helper: fails with both values printed. */
#define PROPS_CHECK_EQ(r, what, got, want)                                             \
	do {                                                                           \
		unsigned long long g_ = (unsigned long long)(got);                     \
		unsigned long long w_ = (unsigned long long)(want);                    \
		if (g_ != w_)                                                          \
			return props_fail((r), "%s: library %#llx, oracle %#llx", (what), g_, w_); \
	} while (0)

/* ---- boundary-relative values ----------------------------------------
 *
 * A size or address drawn as an absolute value meets an existing boundary
 * (a region's first or last byte, a gap's exact length) about once in a
 * million inputs. So every such field also has a relative form: three more
 * fields, PROPS_REL_FIELDS("x"), give an anchor kind, which of the harness's
 * spans it names, and a small signed delta in `unit`s. The spans come from
 * the ORACLE's state (never the library's), sorted by start; the harness
 * passes them with the absolute value and gets the value to use:
 *   anchor abs   : the absolute field, unchanged
 *   anchor start : span.start + delta      anchor end : span.end + delta
 *   anchor len   : (span.end - span.start) + delta
 *   anchor gap   : (next span's start - span.end) + delta (next of the
 *                  last span: the harness's limit, spans[n].start if given)
 * Arithmetic wraps as uint64_t (a wrapped value is an input like any other). */
#define PROPS_REL_DELTA 16 /* delta in [-16, +16] units */
extern const char *const props_anchor_names[5]; /* abs start end len gap */
#define PROPS_REL_FIELDS(nm)                                                           	{ .name = nm "_at", .kind = PF_ENUM, .names = props_anchor_names, .n = 5 },    	PROPS_RANGE(nm "_pick", 0, 255), PROPS_RANGE(nm "_d", 0, 2 * PROPS_REL_DELTA)

struct props_span {
	uint64_t start, end;
};

/* at, pick, d: the three PROPS_REL_FIELDS values. spans[0..n) sorted; with
 * n == 0 every anchor falls back to the absolute value. limit is the end
 * of the space (the gap after the last span ends there). */
uint64_t props_relative(uint64_t absolute, uint64_t at, uint64_t pick, uint64_t d,
			uint64_t unit, const struct props_span *spans, uint32_t n, uint64_t limit);

struct props_opdef {
	const char *name;
	uint32_t nfields;
	struct props_field fields[PROPS_MAX_FIELDS];
	int (*step)(void *ctx, const struct props_op *op, struct props_result *r);
	/* Misuse ops: the harness expects reports from them. Informational. */
	bool misuse;
};

struct props_harness {
	const char *name;      /* "e820": binary fuzz_e820, corpus/e820/ */
	const char *summary;
	size_t ctx_size;       /* the runner allocates and zeroes ctx */
	uint32_t max_ops;      /* at most this many operations per input */
	uint32_t check_every;  /* fuzz mode without check_cost: every K ops after the first 16 */
	/* Fuzz mode: what a full check would cost now, in units of about one
	 * page or table entry compared (optional). The runner then checks as
	 * soon as the operations since the last check have paid for it at
	 * PROPS_FUZZ_CHECK_BUDGET units each: a small state is checked after
	 * every operation, a large one every cost/budget operations. */
	uint64_t (*check_cost)(void *ctx);
	/* The configuration schema and what to do with it: create the machine
	 * and the oracle in ctx. A PROPS_FAIL from setup is a harness failure;
	 * an input whose configuration cannot be built must still set up
	 * something valid (clamp, never reject). */
	struct props_opdef config;
	int (*setup)(void *ctx, const struct props_op *cfg, struct props_result *r);
	int (*check)(void *ctx, struct props_result *r);
	void (*teardown)(void *ctx);
	uint32_t nr_ops;
	const struct props_opdef *ops;
};

/* ---- registry ---------------------------------------------------------- */

extern const struct props_harness *const props_harnesses[]; /* NULL-terminated */
const struct props_harness *props_find_harness(const char *name);

/* ---- the runner -------------------------------------------------------- */

enum props_check_mode {
	PROPS_CHECK_ALL = 0, /* full check after every op (props, replay) */
	PROPS_CHECK_FUZZ,    /* amortised (check_cost) or every op for the first 16 then every
			      * check_every; always a total check after the last op */
};

struct props_run_opts {
	FILE *trace;          /* print the trace here (NULL: no trace) */
	enum props_check_mode check;
	uint32_t stop_after;  /* run at most this many ops (0 = harness max) */
};

struct props_failure {
	int32_t op;           /* failing op index, -1 = setup, nr_ops = final check */
	char msg[1024];
	const char *file;
	int line;
};

/* Operations executed (step calls) by every props_run of this process:
 * execs/s alone would reward inputs that do less, so the bench and the fuzz
 * entry report operations/s beside it. */
extern uint64_t props_ops_total;

/* Decode and run one input. Returns PROPS_OK, or PROPS_FAIL with *f filled. */
int props_run(const struct props_harness *h, const uint8_t *data, size_t len,
	      const struct props_run_opts *o, struct props_failure *f);

/* The engine entry: run with fuzz-mode checks; on failure print the trace
 * and the failure to stderr and abort via props_assert_fail. Returns 0.
 * At exit (after libFuzzer's own final stats) it prints, for ci/fuzz.sh:
 *   stat::mmsim_inputs: N   stat::mmsim_ops: N   stat::mmsim_ops_per_input: X
 *   stat::mmsim_ops_per_sec: X   (operations over the seconds since the first input) */
int props_fuzz_one(const struct props_harness *h, const uint8_t *data, size_t len);

_Noreturn void props_assert_fail(const char *file, int line, const char *msg);

/* Shrink a failing input in place while it fails at the same check as want
 * (same file:line), for at most `seconds`. Returns the new length. */
size_t props_shrink(const struct props_harness *h, uint8_t *buf, size_t len,
		    const struct props_failure *want, double seconds);

/* ---- the schema codec -------------------------------------------------- */

/* Decode d's fields into op->v (every value: zeros past d's fields); op->kind untouched. */
void props_decode(const struct props_opdef *d, struct mm_cursor *c, struct props_op *op);
/* "name f1=v1 f2=v2" (no newline) into buf; returns chars written. */
int props_format(const struct props_opdef *d, const struct props_op *op, char *buf, size_t len);
/* Encode a trace (text) to the input bytes that decode to it. Returns 0, or
 * -1 with a message naming the line in err. */
int props_encode_trace(const struct props_harness *h, const char *text, struct props_enc *e,
		       char *err, size_t errlen);

#endif
