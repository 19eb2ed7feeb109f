/*
 * Harness "machine": the core API with arbitrary arguments. Configurations
 * are drawn raw (invalid ones included) and the oracle says which must be
 * refused; simulated physical memory is written and read anywhere in the
 * 64-bit space and compared byte for byte with a plain page list: each read
 * as it happens, and every written page whole at every total check.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_phys.h"
#include "props.h"

#define MAXLEN 9000

struct mctx {
	struct mm_machine *m; /* NULL when the oracle agreed the config is invalid */
	struct ophys o;
	uint64_t last_addr;
	uint8_t buf[MAXLEN], want[MAXLEN];
};

static const char *const era_names[] = { "2.6.29", "modern", "bad2", "bad3" };
static const char *const profile_names[] = { "x86_32", "pae", "arm", "bad3" };

static int machine_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct mctx *c = ctx;
	struct mm_config mc;
	bool valid;
	int ret;

	mm_config_default(&mc, cfg->v[0] == 1 ? MM_ERA_MODERN : MM_ERA_2_6_29);
	mc.era = (uint32_t)cfg->v[0];
	mc.profile = (uint32_t)cfg->v[1];
	mc.e820_max_entries = (uint32_t)cfg->v[2];
	mc.early_res_max = (uint32_t)cfg->v[3];
	mc.memblock_init_regions = (uint32_t)cfg->v[4];
	mc.max_order = (uint32_t)cfg->v[5];
	mc.lowmem_limit = cfg->v[6];
	mc.phys_backing_max_pages = (uint32_t)cfg->v[7];
	mc.meminfo_nr_banks = (uint32_t)cfg->v[8];
	mc.nr_cpus = (uint32_t)cfg->v[9];
	valid = ophys_config_valid(mc.era, mc.profile, mc.e820_max_entries, mc.early_res_max,
				   mc.memblock_init_regions, mc.meminfo_nr_banks, mc.max_order,
				   mc.lowmem_limit) &&
		ophys_cpus_valid(mc.nr_cpus);
	ret = mm_machine_create(&mc, &c->m);
	ophys_init(&c->o, mc.phys_backing_max_pages);
	if (ret != (valid ? 0 : -EINVAL))
		return props_fail(r, "mm_machine_create: library %d, oracle %d", ret, valid ? 0 : -EINVAL);
	if ((c->m != NULL) != valid)
		return props_fail(r, "mm_machine_create: machine %p with ret %d", (void *)c->m, ret);
	props_watch(r, c->m);
	return PROPS_OK;
}

static void machine_teardown(void *ctx)
{
	struct mctx *c = ctx;
	mm_machine_destroy(c->m);
	ophys_free(&c->o);
}

static int machine_check(void *ctx, struct props_result *r)
{
	struct mctx *c = ctx;
	if (!c->m)
		return PROPS_OK;
	PROPS_CHECK_EQ(r, "backed pages", mm_phys_backed_pages(c->m), c->o.nr);
	/* whole contents: every written page reads back whole (its written
	 * bytes and the zeros around them); no other page is backed. Total
	 * checks only (props mode, the end of every input): a fuzz-mode check
	 * in the middle of an input leaves it to the reads, which compare
	 * what they read as they go. */
	for (size_t i = 0; r->total && i < c->o.nr; i++) {
		const struct ophys_page *p = &c->o.pages[i];
		size_t n = p->pfn * 4096 + 4096 == 0 ? 4095 : 4096; /* a range may not end at 2^64 */
		int ret = mm_phys_read(c->m, p->pfn * 4096, c->buf, n);

		if (ret)
			return props_fail(r, "reading page %#llx: %d", (unsigned long long)p->pfn, ret);
		if (memcmp(c->buf, p->bytes, n) != 0)
			return props_fail(r, "page %#llx differs from the oracle's",
					  (unsigned long long)p->pfn);
	}
	{
		/* the reports were compared op by op (the runner); the last
		 * one, if any, must say something in a named stage */
		const struct mm_report *last = mm_last_report(c->m);
		PROPS_CHECK_EQ(r, "last report present", last != NULL, mm_report_count(c->m) > 0);
		if (last && (last->stage >= MM_STAGE_NR || !strcmp(mm_stage_name(last->stage), "?") ||
			     !last->msg[0]))
			return props_fail(r, "last report: kind %d stage %d (%s) \"%s\"", last->kind,
					  last->stage, mm_stage_name(last->stage), last->msg);
		if (strcmp(mm_stage_name(MM_STAGE_NR), "?"))
			return props_fail(r, "mm_stage_name(MM_STAGE_NR) names a stage");
	}
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* addr is absolute, or relative to the last address used (near=true), so
 * that reads find what writes left. */
static uint64_t pick_addr(struct mctx *c, const struct props_op *op)
{
	uint64_t a = op->v[3] ? c->last_addr + op->v[0] - 4096 : op->v[0];
	c->last_addr = a;
	return a;
}

/* One access, write or read, with the same fields: the library's answer and
 * the oracle's must agree, and a read must return the oracle's bytes. */
static int phys_access(struct mctx *c, const struct props_op *op, struct props_result *r, bool write)
{
	uint64_t addr;
	size_t len = (size_t)op->v[1];
	bool null_buf = op->v[4];

	if (!c->m)
		return PROPS_OK;
	addr = pick_addr(c, op);
	if (write) {
		for (size_t i = 0; i < len; i++)
			c->buf[i] = (uint8_t)(op->v[2] + i * 7);
		r->expect.ret = ophys_write(&c->o, addr, c->buf, len, null_buf, &r->expect);
		r->actual.ret = mm_phys_write(c->m, addr, null_buf ? NULL : c->buf, len);
	} else {
		memset(c->buf, 0xee, len);
		r->expect.ret = ophys_read(&c->o, addr, c->want, len, null_buf, &r->expect);
		r->actual.ret = mm_phys_read(c->m, addr, null_buf ? NULL : c->buf, len);
	}
	props_note(r, "-> %d", r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	if (r->actual.ret == 0 && !write) {
		for (size_t i = 0; i < len; i++)
			if (c->buf[i] != c->want[i])
				return props_fail(r, "read %#llx+%zu: byte %zu is %#x, oracle %#x",
						  (unsigned long long)addr, len, i, c->buf[i],
						  c->want[i]);
	}
	return PROPS_OK;
}

static int op_write(void *ctx, const struct props_op *op, struct props_result *r)
{
	return phys_access(ctx, op, r, true);
}

static int op_read(void *ctx, const struct props_op *op, struct props_result *r)
{
	return phys_access(ctx, op, r, false);
}

static int op_inject(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	if (!c->m)
		return PROPS_OK;
	/* No allocation site in the core: arming injection must change nothing
	 * visible here, and the hit count stays 0. */
	mm_fault_inject_set(c->m, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	PROPS_CHECK_EQ(r, "fault hits", mm_fault_inject_hits(c->m), 0);
	return PROPS_OK;
}

#define ACCESS_FIELDS                                                                  \
	.nfields = 5, .fields = {                                                      \
		PROPS_HEX("addr", 0, UINT64_MAX), PROPS_RANGE("len", 0, MAXLEN),       \
		PROPS_HEX("fill", 0, 255), PROPS_BOOL("near"), PROPS_BOOL("null_buf")  \
	}

static const struct props_opdef machine_ops[] = {
	{ .name = "phys_write", ACCESS_FIELDS, .step = op_write },
	{ .name = "phys_read", ACCESS_FIELDS, .step = op_read },
	{ .name = "fault_inject", .nfields = 3,
	  .fields = { PROPS_BOOL("enable"), PROPS_RANGE("after", 0, UINT32_MAX),
		      PROPS_RANGE("repeat", 0, UINT32_MAX) },
	  .step = op_inject },
};

const struct props_harness props_harness_machine = {
	.name = "machine",
	.summary = "the machine core: configs, simulated physical memory, reports",
	.ctx_size = sizeof(struct mctx),
	.max_ops = 200,
	.check_every = 8,
	/* nr_banks and nr_cpus last: older traces keep their meaning */
	.config = { .name = "config", .nfields = 10,
		    .fields = { PROPS_ENUM("era", era_names, NULL),
				PROPS_ENUM("profile", profile_names, NULL),
				PROPS_RANGE("e820_max", 0, 5000),
				PROPS_RANGE("early_res_max", 0, 2000),
				PROPS_RANGE("memblock_init", 0, 5000),
				PROPS_RANGE("max_order", 0, 25),
				PROPS_HEX("lowmem_limit", 0, 0xffffffff),
				PROPS_RANGE("backing_max", 0, 64),
				PROPS_RANGE("nr_banks", 0, 70),
				PROPS_RANGE("nr_cpus", 0, 10) } },
	.setup = machine_setup,
	.check = machine_check,
	.teardown = machine_teardown,
	.nr_ops = sizeof(machine_ops) / sizeof(machine_ops[0]),
	.ops = machine_ops,
};
