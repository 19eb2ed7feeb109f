/*
 * Harness "machine": the core API with arbitrary arguments, and the x86 boot
 * up to paging_init. Configurations are drawn raw (invalid ones included)
 * and the oracle says which must be refused; simulated physical memory is
 * written and read anywhere in the 64-bit space and compared byte for byte
 * with a plain page list: each read as it happens, and every written page
 * whole at every total check.
 *
 * The boot part (x86_32 and PAE, both eras): e820 entries, early
 * reservations and memblock memory and reservations in any order, then
 * mm_paging_init with arbitrary arguments (bad kernel ranges, unaligned
 * addresses, either table source, large pages or not, called before the
 * allocator it needs has memory, called twice, NULL pointers) and
 * mm_kernel_follow anywhere. The oracles predict every return value and
 * report: oracle_e820 (find_e820_area, reserve_early) or oracle_memblock
 * (phys_alloc_range) say where the table run lands, oracle_paging what
 * swapper_pg_dir and every table page hold afterwards; those bytes join
 * the page list, so the total check compares the whole kernel page table,
 * the zero page (zeroed) and the backed-page count, and the early_res,
 * e820 and memblock tables are compared with the oracles' entry by entry.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_e820.h"
#include "oracle_memblock.h"
#include "oracle_paging.h"
#include "oracle_phys.h"
#include "props.h"

#define MAXLEN 9000
#define BOOT_SPANS 64

struct mctx {
	struct mm_machine *m; /* NULL when the oracle agreed the config is invalid */
	struct ophys o;
	uint64_t last_addr;
	/* the boot: x86 profiles only (ARM's paging_init is harness_fault's) */
	bool x86, pae, boot;
	uint32_t profile;
	uint64_t lowmem_limit;
	struct oe820 e;
	struct oe820_early er;
	struct omemblock mb;
	struct opaging pg;
	bool pg_done;                  /* paging_init succeeded: later calls -EEXIST */
	uint64_t pg_swapper, pg_run, pg_run_end; /* the kernel page table's pages */
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

	uint64_t v[10];

	/* fold=true folds every field into its documented range, so that
	 * about half the inputs get a machine and reach the boot ops; the
	 * raw draw (fold=false, older traces) mostly makes invalid configs */
	memcpy(v, cfg->v, sizeof(v));
	if (cfg->v[10]) {
		v[0] %= 2;
		v[1] %= 3;
		v[2] = v[2] ? 2 + v[2] % 4095 : 0;
		v[3] = v[3] ? 2 + v[3] % 1023 : 0;
		v[4] = v[4] ? 4 + v[4] % 4093 : 0;
		v[5] %= 21;
		v[6] &= ~0xfffull;
		v[8] %= 65;
		v[9] %= 9;
	}
	mm_config_default(&mc, v[0] == 1 ? MM_ERA_MODERN : MM_ERA_2_6_29);
	mc.era = (uint32_t)v[0];
	mc.profile = (uint32_t)v[1];
	mc.e820_max_entries = (uint32_t)v[2];
	mc.early_res_max = (uint32_t)v[3];
	mc.memblock_init_regions = (uint32_t)v[4];
	mc.max_order = (uint32_t)v[5];
	mc.lowmem_limit = v[6];
	mc.phys_backing_max_pages = (uint32_t)v[7];
	mc.meminfo_nr_banks = (uint32_t)v[8];
	mc.nr_cpus = (uint32_t)v[9];
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
	c->last_addr = 0;
	c->boot = c->pg_done = false;
	c->x86 = valid && mc.profile != MM_PROFILE_ARM;
	c->pae = mc.profile == MM_PROFILE_X86_PAE;
	c->profile = mc.profile;
	c->lowmem_limit = mc.lowmem_limit ? mc.lowmem_limit : (uint64_t)896 << 20;
	if (c->x86) {
		if (oe820_init(&c->e, mc.e820_max_entries ? mc.e820_max_entries : 128,
			       (mc.features & MM_FEAT_E820_REMOVE_SPLIT) != 0,
			       c->pae ? 1ull << 24 : 1ull << 20) ||
		    oe820_early_init(&c->er, mc.early_res_max ? mc.early_res_max : 20))
			return props_fail(r, "oracle: host out of memory");
		omemblock_init(&c->mb, mc.memblock_init_regions ? mc.memblock_init_regions : 128,
			       (mc.features & MM_FEAT_MEMBLOCK_EMPTY_CNT0) != 0);
		c->mb.expect = &r->expect; /* the runner's, for the whole input */
		c->pg = (struct opaging){ .pae = c->pae };
		c->boot = true;
	}
	return PROPS_OK;
}

static void machine_teardown(void *ctx)
{
	struct mctx *c = ctx;
	mm_machine_destroy(c->m);
	c->m = NULL;
	ophys_free(&c->o);
	if (c->boot) {
		oe820_free(&c->e);
		oe820_early_free(&c->er);
		omemblock_free(&c->mb);
		opaging_free(&c->pg);
		c->boot = false;
	}
}

/* The boot tables, entry by entry: e820, early_res, memblock's two types. */
static int boot_check(struct mctx *c, struct props_result *r)
{
	const struct mm_memblock *mb = mm_memblock_get(c->m);

	PROPS_CHECK_EQ(r, "e820 entries", mm_e820_nr_entries(c->m), c->e.nr);
	for (uint32_t i = 0; i < c->e.nr; i++) {
		struct mm_e820_entry e;
		PROPS_CHECK_EQ(r, "e820_get", mm_e820_get(c->m, i, &e), 0);
		PROPS_CHECK_EQ(r, "e820 addr", e.addr, c->e.t[i].addr);
		PROPS_CHECK_EQ(r, "e820 size", e.size, c->e.t[i].size);
		PROPS_CHECK_EQ(r, "e820 type", e.type, c->e.t[i].type);
	}
	PROPS_CHECK_EQ(r, "early_res count", mm_early_res_count(c->m), c->er.nr);
	for (uint32_t i = 0; i < c->er.nr; i++) {
		struct mm_early_res x;
		PROPS_CHECK_EQ(r, "early_res_get", mm_early_res_get(c->m, i, &x), 0);
		PROPS_CHECK_EQ(r, "early_res start", x.start, c->er.r[i].start);
		PROPS_CHECK_EQ(r, "early_res end", x.end, c->er.r[i].end);
		PROPS_CHECK_EQ(r, "early_res overlap_ok", x.overlap_ok, c->er.r[i].overlap_ok);
		if (strncmp(x.name, c->er.r[i].name, sizeof(x.name)))
			return props_fail(r, "early_res %u: name \"%.16s\", oracle \"%.16s\"", i, x.name,
					  c->er.r[i].name);
	}
	if (!mb)
		return props_fail(r, "mm_memblock_get: NULL");
	for (int w = 0; w < 2; w++) {
		const struct mm_memblock_type *t = w ? &mb->reserved : &mb->memory;
		PROPS_CHECK_EQ(r, "memblock cnt", t->cnt, omemblock_cnt(&c->mb, w));
		for (unsigned long i = 0; i < t->cnt; i++) {
			struct omemblock_run o = omemblock_region(&c->mb, w, i);
			PROPS_CHECK_EQ(r, "memblock base", t->regions[i].base, o.base);
			PROPS_CHECK_EQ(r, "memblock size", t->regions[i].size, o.size);
		}
	}
	PROPS_CHECK_EQ(r, "fault hits", mm_fault_inject_hits(c->m), c->mb.fault_hits);
	return PROPS_OK;
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
	if (c->boot && boot_check(c, r))
		return PROPS_FAIL;
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

/* Does [addr, addr + len) touch swapper_pg_dir or the table run? */
static bool pt_pages_touched(const struct mctx *c, uint64_t addr, size_t len)
{
	uint64_t last = len ? addr + len - 1 : addr;

	if (!len || last < addr)
		return false; /* refused before it writes anything */
	if (addr / 4096 <= c->pg_swapper / 4096 && c->pg_swapper / 4096 <= last / 4096)
		return true;
	return addr < c->pg_run_end && last >= c->pg_run;
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
	if (write && c->pg_done && pt_pages_touched(c, addr, len)) {
		/* the kernel never writes its page table through the physical
		 * API; corruption of a table is test_verify's and the fault
		 * harness's (scribbles on process tables) */
		props_note(r, "skipped: the kernel page table");
		return PROPS_OK;
	}
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
	/* Arming injection changes nothing visible; the only allocation site
	 * the ops reach is memblock's (paging_init's modern table run), whose
	 * oracle models the countdown and the hits. */
	mm_fault_inject_set(c->m, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	if (c->boot)
		omemblock_fault_set(&c->mb, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	PROPS_CHECK_EQ(r, "fault hits", mm_fault_inject_hits(c->m), c->boot ? c->mb.fault_hits : 0);
	return PROPS_OK;
}

/* ---- the x86 boot up to paging_init ------------------------------------- */

#define PG(v) ((uint64_t)(v) * 4096)

/* The oracle's spans for relative fields: e820 entries, early
 * reservations, memblock memory, sorted by start. */
static uint32_t boot_spans(const struct mctx *c, struct props_span *sp)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->e.nr && n < BOOT_SPANS; i++)
		sp[n++] = (struct props_span){ c->e.t[i].addr, c->e.t[i].addr + c->e.t[i].size };
	for (uint32_t i = 0; i < c->er.nr && n < BOOT_SPANS; i++)
		sp[n++] = (struct props_span){ c->er.r[i].start, c->er.r[i].end };
	for (size_t i = 0; i < c->mb.t[OMEMBLOCK_MEMORY].n && n < BOOT_SPANS; i++) {
		const struct omemblock_run *x = &c->mb.t[OMEMBLOCK_MEMORY].r[i];
		sp[n++] = (struct props_span){ x->base, x->base + x->size };
	}
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && sp[j - 1].start > sp[j].start; j--) {
			struct props_span t = sp[j];
			sp[j] = sp[j - 1];
			sp[j - 1] = t;
		}
	return n;
}

/* addr (pages, +0x800 when skewed), or its relative form at fields k..k+2 */
static uint64_t boot_addr(const struct mctx *c, const struct props_op *op, unsigned k, uint64_t pages,
			  bool skew)
{
	struct props_span sp[BOOT_SPANS];
	uint32_t n = boot_spans(c, sp);

	return props_relative(PG(pages), op->v[k], op->v[k + 1], op->v[k + 2], 4096, sp, n,
			      0x100000000ull) + (skew ? 0x800 : 0);
}

static int op_e820_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	uint64_t addr, size = PG(op->v[1]);
	uint32_t type = op->v[2] ? (uint32_t)op->v[2] : MM_E820_RAM; /* 0: RAM, drawn most */

	if (!c->boot)
		return PROPS_OK;
	addr = boot_addr(c, op, 4, op->v[0], op->v[3]);
	r->expect.ret = oe820_add(&c->e, addr, size, type, &r->expect);
	r->actual.ret = mm_e820_add(c->m, addr, size, type);
	props_note(r, "%#llx+%#llx -> %d", (unsigned long long)addr, (unsigned long long)size,
		   r->actual.ret);
	return props_compare(r);
}

static int op_e820_sanitize(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	(void)op;
	if (!c->boot)
		return PROPS_OK;
	r->expect.ret = oe820_sanitize(&c->e);
	r->actual.ret = mm_e820_sanitize(c->m);
	props_note(r, "-> %d", r->actual.ret);
	return props_compare(r);
}

static int op_reserve_early(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	uint64_t start, end;

	if (!c->boot)
		return PROPS_OK;
	start = boot_addr(c, op, 4, op->v[0], op->v[3]);
	end = start + PG(op->v[1]);
	r->expect.ret = oe820_early_reserve(&c->er, start, end, "harness", op->v[2], &r->expect);
	r->actual.ret = op->v[2] ? mm_reserve_early_overlap_ok(c->m, start, end, "harness")
				 : mm_reserve_early(c->m, start, end, "harness");
	props_note(r, "%#llx-%#llx -> %d", (unsigned long long)start, (unsigned long long)end,
		   r->actual.ret);
	return props_compare(r);
}

static int op_memblock(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	uint64_t base, size = PG(op->v[1]);
	bool reserve = op->v[2];

	if (!c->boot)
		return PROPS_OK;
	base = boot_addr(c, op, 4, op->v[0], op->v[3]);
	r->expect.ret = omemblock_add(&c->mb, reserve ? OMEMBLOCK_RESERVED : OMEMBLOCK_MEMORY, base,
				      size, OMEMBLOCK_MAX_NUMNODES, 0);
	r->actual.ret = reserve ? mm_memblock_reserve(c->m, base, size) : mm_memblock_add(c->m, base, size);
	props_note(r, "%#llx+%#llx -> %d", (unsigned long long)base, (unsigned long long)size,
		   r->actual.ret);
	return props_compare(r);
}

/* The table run from the boot allocator of the source, as the oracles of
 * those stages predict it (their reports included): 0 and *run, or the
 * errno paging_init returns (-EINVAL from the allocator becomes -ENOMEM). */
static int predict_run(struct mctx *c, const struct opaging_args *a, uint64_t size, uint64_t *run,
		       struct props_expect *x)
{
	int ret;
	bool zeroed;

	if (a->source == 1)
		ret = omemblock_alloc(&c->mb, OMEMBLOCK_PHYS_ALLOC_RANGE, size, 4096, 0, a->lowmem_end,
				      OMEMBLOCK_NO_NODE, false, true, run, &zeroed);
	else if (!(ret = oe820_find_e820_area(&c->er, &c->e, 0x7000, a->lowmem_end, size, 4096, run, x)))
		ret = oe820_early_reserve(&c->er, *run, *run + size, "PGTABLE", false, x);
	return ret == -EINVAL ? -ENOMEM : ret;
}

/* Apply the oracle's layout to the page list: every page written ends as
 * the oracle built it; the image's zero page is zeroed last. */
static void apply_layout(struct mctx *c, const struct opaging_args *a)
{
	for (size_t i = 0; i < c->pg.nr; i++)
		(void)ophys_write(&c->o, PG(c->pg.pg[i].pfn), c->pg.pg[i].bytes, 4096, false, NULL);
	ophys_zero(&c->o, a->zero, 4096);
}

static int op_paging_init(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	struct mm_paging_init_args la;
	struct mm_paging_info got, want;
	struct opaging_args a;
	/* null 5: no arguments, 6: no result pointer; any other value: both given */
	uint32_t nulls = op->v[14] == 5 ? 1 : op->v[14] == 6 ? 2 : 0, skew = (uint32_t)op->v[7], n;
	const uint64_t span = (uint64_t)1 << opaging_span_shift(c->pae);
	uint64_t run = 0;

	if (!c->boot)
		return PROPS_OK;
	a.large = op->v[5];
	a.source = (uint32_t)op->v[6];
	if (op->v[15]) {
		/* raw: every field as drawn (mostly refused) */
		a.kernel_start = boot_addr(c, op, 8, op->v[0], skew & 1);
		a.kernel_end = a.kernel_start + PG(op->v[1]) + (skew & 2 ? 0x800 : 0);
		a.swapper = a.kernel_start + PG(op->v[2]) + (skew & 4 ? 0x800 : 0);
		a.zero = a.kernel_start + PG(op->v[3]) + (skew & 8 ? 0x800 : 0);
		a.lowmem_end = boot_addr(c, op, 11, op->v[4], skew & 16);
	} else {
		/* a layout by construction: an image of 2 to 2,049 pages below
		 * 128 MiB holding two distinct pages, the direct map ending up
		 * to 128 MiB past it (the lowmem limit may still refuse it) */
		uint64_t kpages = 2 + op->v[1] % 0x800, sw = op->v[2] % kpages;
		a.kernel_start = boot_addr(c, op, 8, op->v[0] % 0x8000, false) & ~0xfffull;
		a.kernel_end = a.kernel_start + PG(kpages);
		a.swapper = a.kernel_start + PG(sw);
		a.zero = a.kernel_start + PG((sw + 1 + op->v[3] % (kpages - 1)) % kpages);
		a.lowmem_end = a.kernel_end + PG(op->v[4] % 0x8000);
		a.source %= 2;
	}
	la = (struct mm_paging_init_args){ .kernel_start = a.kernel_start, .kernel_end = a.kernel_end,
					   .swapper_pg_dir = a.swapper, .empty_zero_page = a.zero,
					   .lowmem_end = a.lowmem_end, .large_pages = a.large,
					   .source = a.source };
	memset(&want, 0, sizeof(want));
	n = opaging_tables(c->pae, a.large, a.lowmem_end);
	if (nulls)
		r->expect.ret = -EINVAL;
	else if (c->pg_done)
		r->expect.ret = -EEXIST;
	else if (!opaging_args_ok(&a, c->pae, c->lowmem_limit)) {
		props_expect_report(&r->expect, MM_STAGE_PGTABLE, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
	} else if (ophys_backed(&c->o) + n + 2 > c->o.backing_max) {
		r->expect.ret = -ENOMEM; /* the tables, swapper_pg_dir and the zero page must fit */
	} else {
		r->expect.ret = predict_run(c, &a, PG(n), &run, &r->expect);
	}
	r->actual.ret = mm_paging_init(c->m, nulls == 1 ? NULL : &la, nulls == 2 ? NULL : &got);
	props_note(r, "%u tables -> %d", n, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	if (r->expect.ret)
		return PROPS_OK;
	opaging_build(&c->pg, &a, run);
	apply_layout(c, &a);
	c->pg_done = true;
	c->pg_swapper = a.swapper;
	c->pg_run = run;
	c->pg_run_end = run + PG(n);
	want.pgtable_start = run;
	want.pgtable_end = run + PG(n);
	want.tables = n;
	want.swapper_pg_dir = a.swapper / 4096;
	want.zero_pfn = a.zero / 4096;
	want.fixaddr_start = 0x100000000ull - span;
	want.pkmap_base = want.fixaddr_start - span;
	PROPS_CHECK_EQ(r, "pgtable_start", got.pgtable_start, want.pgtable_start);
	PROPS_CHECK_EQ(r, "pgtable_end", got.pgtable_end, want.pgtable_end);
	PROPS_CHECK_EQ(r, "tables", got.tables, want.tables);
	PROPS_CHECK_EQ(r, "swapper_pg_dir", got.swapper_pg_dir, want.swapper_pg_dir);
	PROPS_CHECK_EQ(r, "zero_pfn", got.zero_pfn, want.zero_pfn);
	PROPS_CHECK_EQ(r, "fixaddr_start", got.fixaddr_start, want.fixaddr_start);
	PROPS_CHECK_EQ(r, "pkmap_base", got.pkmap_base, want.pkmap_base);
	return PROPS_OK;
}

static int op_pgtable_geometry(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	struct mm_pgtable_geometry got;
	struct opaging_geometry want;

	if (!c->m)
		return PROPS_OK;
	memset(&got, 0xa5, sizeof(got));
	r->expect.ret = op->v[0] ? -EINVAL : 0;
	r->actual.ret = mm_pgtable_geometry(c->m, op->v[0] ? NULL : &got);
	props_note(r, "-> %d", r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	if (r->actual.ret)
		return PROPS_OK;
	want = opaging_geometry(c->profile);
	PROPS_CHECK_EQ(r, "levels", got.levels, want.levels);
	PROPS_CHECK_EQ(r, "entry_size", got.entry_size, want.entry_size);
	PROPS_CHECK_EQ(r, "pte_span_shift", got.pte_span_shift, want.pte_span_shift);
	PROPS_CHECK_EQ(r, "ptrs_per_pte", got.ptrs_per_pte, want.ptrs_per_pte);
	PROPS_CHECK_EQ(r, "pgd_pages", got.pgd_pages, want.pgd_pages);
	PROPS_CHECK_EQ(r, "task_size", got.task_size, want.task_size);
	return PROPS_OK;
}

/* ---- the fault and slab APIs before their init --------------------------- */

static int early_walk(void *arg, uint64_t va, const struct mm_pte_info *pte)
{
	(void)arg;
	(void)va;
	(void)pte;
	return 0;
}

/* Every call of fault.h and slab.h with drawn arguments on a machine whose
 * page allocator has no zones (this harness never builds them), so neither
 * mm_fault_init nor mm_kmem_cache_init can have succeeded. The rules
 * (fault.h, slab.h, semantics.md §0.3): a process call before fault_init is
 * -EINVAL with an INVALID_ARG report from the fault stage, except that a
 * missing result pointer is checked first and silently (mm_alloc, dup_mm,
 * do_mmap, follow_page, walk_page_range, mm_pgd); mmput finds no process
 * (INVALID_ARG); unpin finds no pin (BAD_PAGE); the zero page's pfn and the
 * pin count are plain queries (-EINVAL, 0). mm_fault_init asks the page
 * allocator, which has no zones (its BUG report), or, once paging_init has
 * named the image's zero page, finds no struct page for it (INVALID_ARG from
 * the fault stage). Every slab call before kmem_cache_init is -EINVAL with
 * a BUG report from the slab stage (kmem_cache_init's own: called before
 * free_area_init); kmem_cache_info finds no cache (-EINVAL, unreported). */
static int op_early_call(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	const uint32_t id = (uint32_t)op->v[1];
	const uint64_t addr = op->v[2], len = op->v[3];
	const bool null = op->v[4];
	struct props_expect *x = &r->expect;
	uint8_t buf[16] = { 0 };
	uint64_t u64 = 0, u64b = 0;
	uint32_t u32 = 0;
	mm_pfn_t pfn = 0;
	mm_vaddr_t va = 0;
	mm_kmem_cache_t kc = 0;
	struct mm_pte_info pte;
	struct mm_kmem_cache_info ki;
	int ret;

	if (!c->m)
		return PROPS_OK;
	x->ret = -EINVAL;
	switch (op->v[0]) {
	case 0:
		props_expect_report(x, c->pg_done ? MM_STAGE_FAULT : MM_STAGE_PAGE_ALLOC,
				    c->pg_done ? MM_REPORT_INVALID_ARG : MM_REPORT_BUG);
		ret = mm_fault_init(c->m);
		break;
	case 1: ret = mm_zero_page_pfn(c->m, null ? NULL : &pfn); break;
	case 2:
		if (!null)
			props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_mm_alloc(c->m, null ? NULL : &u32);
		break;
	case 3:
		if (!null)
			props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_dup_mm(c->m, id, null ? NULL : &u32);
		break;
	case 4:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_mmput(c->m, id);
		break;
	case 5:
		if (!null)
			props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_do_mmap(c->m, id, addr, len, (uint32_t)len >> 8, (uint32_t)addr, null ? NULL : &u64);
		break;
	case 6:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_do_munmap(c->m, id, addr, len);
		break;
	case 7:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_mprotect(c->m, id, addr, len, (uint32_t)len >> 8);
		break;
	case 8:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_user_read(c->m, id, addr, null ? NULL : buf, (size_t)(len % sizeof(buf)));
		break;
	case 9:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_user_write(c->m, id, addr, null ? NULL : buf, (size_t)(len % sizeof(buf)));
		break;
	case 10:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_get_user_pages(c->m, id, addr, len & 1, null ? NULL : &pfn);
		break;
	case 11:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_BAD_PAGE);
		ret = mm_unpin_user_page(c->m, addr);
		break;
	case 12:
		if (!null)
			props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_follow_page(c->m, id, addr, null ? NULL : &pte);
		break;
	case 13:
		if (!null)
			props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_walk_page_range(c->m, id, null ? NULL : early_walk, NULL);
		break;
	case 14:
		props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_get_mm_counter(c->m, id, null ? NULL : &u64, null ? NULL : &u64b);
		break;
	case 15:
		if (!null)
			props_expect_report(x, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
		ret = mm_mm_pgd(c->m, id, null ? NULL : &pfn);
		break;
	case 16:
		x->ret = 0; /* a count, not an errno */
		ret = (int)mm_page_pins(c->m, addr);
		break;
	case 17: ret = mm_kmem_cache_init(c->m); break;
	case 18: ret = mm_kmem_cache_create(c->m, null ? NULL : "early", (uint32_t)len, 0, 0, MM_SLAB_CTOR_NONE, &kc); break;
	case 19: ret = mm_kmem_cache_alloc(c->m, id, (uint32_t)addr, null ? NULL : &va); break;
	case 20: ret = mm_kmem_cache_free(c->m, id, addr); break;
	case 21: ret = mm_kmalloc(c->m, len, (uint32_t)addr, null ? NULL : &va); break;
	case 22: ret = mm_kzalloc(c->m, len, (uint32_t)addr, null ? NULL : &va); break;
	case 23: ret = mm_kfree(c->m, addr); break;
	case 24: ret = mm_krealloc(c->m, addr, len, 0, null ? NULL : &va); break;
	case 25: ret = mm_ksize(c->m, addr, null ? NULL : &u64); break;
	case 26: ret = mm_kmalloc_cache(c->m, len, (uint32_t)addr, null ? NULL : &kc); break;
	case 27: ret = mm_kmem_cache_shrink(c->m, id); break;
	case 28: ret = mm_kmem_cache_destroy(c->m, id); break;
	case 29: ret = mm_kmem_cache_validate(c->m, id); break;
	default: ret = mm_kmem_cache_info(c->m, id, null ? NULL : &ki); break;
	}
	if (op->v[0] >= 17 && op->v[0] <= 29)
		props_expect_report(x, MM_STAGE_SLAB, MM_REPORT_BUG);
	r->actual.ret = ret;
	props_note(r, "-> %d", ret);
	return props_compare(r);
}

/* An entry as the oracle's page list holds it (unwritten memory is zero). */
static uint64_t rd(const struct ophys *o, uint64_t pa, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = width; i-- > 0;) {
		const struct ophys_page *p = NULL;
		for (size_t k = 0; k < o->nr && !p; k++)
			if (o->pages[k].pfn == (pa + i) / 4096)
				p = &o->pages[k];
		v = (v << 8) | (p ? p->bytes[(pa + i) % 4096] : 0);
	}
	return v;
}

/* mm_kernel_follow predicted from the oracle's bytes with the x86 walk:
 * PAE's PDPT entry 3 then the kernel PMD, or the page directory; a PSE
 * entry maps the 4 KiB page of va within it; a PTE of zero is none. The
 * flags of a PTE are predicted for the kernel entries paging_init writes
 * (0x63: present, RW, accessed, dirty); other values arise only where the
 * run overlapped swapper_pg_dir, and there only the return value is
 * predicted. */
static int follow_predict(const struct mctx *c, uint64_t va, struct mm_pte_info *out, bool *exact)
{
	const unsigned w = c->pae ? 8 : 4;
	const uint64_t span_mask = ((uint64_t)1 << opaging_span_shift(c->pae)) - 1;
	uint64_t e, raw;

	*exact = true;
	if (c->pae)
		e = (rd(&c->o, c->pg_swapper + 24, 8) & ~0xfffull) + 8 * ((va >> 21) % 512);
	else
		e = c->pg_swapper + 4 * (va >> 22);
	raw = rd(&c->o, e, w);
	if (!(raw & 1))
		return -ENOENT;
	if (raw & 0x80) {
		out->pfn = ((raw & ~span_mask & ~0xfffull) + (va & span_mask)) / 4096;
		out->flags = MM_PTE_PRESENT | MM_PTE_RW | MM_PTE_ACCESSED | MM_PTE_DIRTY;
		return 0;
	}
	raw = rd(&c->o, (raw >> 12) * 4096 + w * ((va >> 12) % (4096 / w)), w);
	if (!raw)
		return -ENOENT;
	*exact = (raw & 0xfff) == 0x63 && (raw >> 32) == 0;
	out->pfn = raw >> 12;
	out->flags = MM_PTE_PRESENT | MM_PTE_RW | MM_PTE_ACCESSED | MM_PTE_DIRTY;
	return 0;
}

static int op_kernel_follow(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mctx *c = ctx;
	const uint64_t span = (uint64_t)1 << opaging_span_shift(c->pae);
	uint64_t va = op->v[1];
	struct mm_pte_info got = { 0 }, want = { 0 };
	bool exact = true;

	if (!c->boot)
		return PROPS_OK;
	switch (op->v[0]) {
	case 0: va = OPAGING_PAGE_OFFSET + va % 0x40000000ull; break;
	case 1: va = 0x100000000ull - 2 * span + va % (2 * span); break;
	default: break;
	}
	if (op->v[2] || va < OPAGING_PAGE_OFFSET || va > 0xffffffffull)
		r->expect.ret = -EINVAL;
	else if (!c->pg_done)
		r->expect.ret = -ENOENT;
	else
		r->expect.ret = follow_predict(c, va, &want, &exact);
	r->actual.ret = mm_kernel_follow(c->m, va, op->v[2] ? NULL : &got);
	props_note(r, "%#llx -> %d pfn %#llx flags %#x", (unsigned long long)va, r->actual.ret,
		   (unsigned long long)got.pfn, got.flags);
	if (props_compare(r))
		return PROPS_FAIL;
	if (r->expect.ret == 0 && exact) {
		PROPS_CHECK_EQ(r, "follow pfn", got.pfn, want.pfn);
		PROPS_CHECK_EQ(r, "follow flags", got.flags, want.flags);
	}
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
	/* the x86 boot (ARM configs: no-ops); new ops last, older traces keep their meaning */
	{ .name = "e820_add", .nfields = 7,
	  .fields = { PROPS_RANGE("start_pg", 0, 0x100000), PROPS_RANGE("pages", 0, 0x40000),
		      PROPS_RANGE("type", 0, 7), PROPS_BOOL("skew"), PROPS_REL_FIELDS("start") },
	  .step = op_e820_add },
	{ .name = "e820_sanitize", .nfields = 0, .step = op_e820_sanitize },
	{ .name = "reserve_early", .nfields = 7,
	  .fields = { PROPS_RANGE("start_pg", 0, 0x100000), PROPS_RANGE("pages", 0, 0x4000),
		      PROPS_BOOL("overlap_ok"), PROPS_BOOL("skew"), PROPS_REL_FIELDS("start") },
	  .step = op_reserve_early },
	{ .name = "memblock_add", .nfields = 7,
	  .fields = { PROPS_RANGE("base_pg", 0, 0x100000), PROPS_RANGE("pages", 0, 0x40000),
		      PROPS_BOOL("reserve"), PROPS_BOOL("skew"), PROPS_REL_FIELDS("base") },
	  .step = op_memblock },
	{ .name = "paging_init", .nfields = 16,
	  .fields = { PROPS_RANGE("kstart_pg", 0, 0x40000), PROPS_RANGE("kpages", 0, 0x2000),
		      PROPS_RANGE("swapper_pg", 0, 0x2000), PROPS_RANGE("zero_pg", 0, 0x2000),
		      PROPS_RANGE("lowmem_pg", 0, 0x40000), PROPS_BOOL("large"),
		      PROPS_RANGE("source", 0, 2), PROPS_HEX("skew", 0, 31), PROPS_REL_FIELDS("kstart"),
		      PROPS_REL_FIELDS("lowmem"), PROPS_RANGE("null", 0, 15), PROPS_BOOL("raw") },
	  .step = op_paging_init },
	{ .name = "kernel_follow", .nfields = 3,
	  .fields = { PROPS_RANGE("at", 0, 2), PROPS_HEX("va", 0, UINT64_MAX), PROPS_BOOL("null_out") },
	  .step = op_kernel_follow },
	{ .name = "pgtable_geometry", .nfields = 1, .fields = { PROPS_BOOL("null_out") },
	  .step = op_pgtable_geometry },
	{ .name = "early_call", .nfields = 5,
	  .fields = { PROPS_RANGE("fn", 0, 30), PROPS_RANGE("id", 0, 70), PROPS_HEX("addr", 0, UINT64_MAX),
		      PROPS_HEX("len", 0, 0xffffffff), PROPS_BOOL("null") },
	  .misuse = true, .step = op_early_call },
};

const struct props_harness props_harness_machine = {
	.name = "machine",
	.summary = "the machine core (configs, simulated physical memory, reports) and the x86 boot to paging_init",
	.ctx_size = sizeof(struct mctx),
	.max_ops = 200,
	.check_every = 8,
	/* nr_banks, nr_cpus and fold last: older traces keep their meaning */
	.config = { .name = "config", .nfields = 11,
		    .fields = { PROPS_ENUM("era", era_names, NULL),
				PROPS_ENUM("profile", profile_names, NULL),
				PROPS_RANGE("e820_max", 0, 5000),
				PROPS_RANGE("early_res_max", 0, 2000),
				PROPS_RANGE("memblock_init", 0, 5000),
				PROPS_RANGE("max_order", 0, 25),
				PROPS_HEX("lowmem_limit", 0, 0xffffffff),
				PROPS_RANGE("backing_max", 0, 64),
				PROPS_RANGE("nr_banks", 0, 70),
				PROPS_RANGE("nr_cpus", 0, 10),
				PROPS_BOOL("fold") } },
	.setup = machine_setup,
	.check = machine_check,
	.teardown = machine_teardown,
	.nr_ops = sizeof(machine_ops) / sizeof(machine_ops[0]),
	.ops = machine_ops,
};
