/*
 * Harness "memblock": every function of memblock.h with arbitrary arguments,
 * ranges placed relative to existing regions (same, inside, touching,
 * overlapping, spanning, filling a gap), small region arrays so that
 * doubling is reached, fault injection, and the two boot feeds (a sanitized
 * e820 map, ARM banks), with and without the kernelcore=mirror boot
 * parameter. The oracle (oracle_memblock.c) predicts every return
 * value, every placement, every memblock report and the whole state; the
 * feeds' own tables are read back from the library and checked by their own
 * harnesses.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_memblock.h"
#include "props.h"

#define NPOKE 16
#define POKE_MAX 64

struct poke {
	uint64_t addr;
	uint32_t len;
	uint8_t want[POKE_MAX];
};

struct mbctx {
	struct mm_machine *m;
	struct omb o;
	uint32_t profile;
	uint64_t reports[MM_REPORT_NR]; /* memblock-stage reports seen */
	uint64_t reports_before[MM_REPORT_NR]; /* at the start of the current op */
	uint64_t nrep, nrep_seen;               /* memblock reports: total, last compared */
	uint64_t want_seen;                     /* oracle's total, last compared */
	uint64_t last_alloc;
	struct poke pokes[NPOKE];
	uint32_t npokes;
};

/* ---- enums ------------------------------------------------------------- */

static const char *const empty_names[] = { "dummy", "cnt0" };
/* none: x86-32, empty; e820/e820_pae: a PC map fed to memblock; arm: two
 * banks fed to memblock; arm_custom: the ARM profile, banks left to ops. */
static const char *const layout_names[] = { "none", "e820", "e820_pae", "arm", "arm_custom" };
enum { LAYOUT_NONE, LAYOUT_E820, LAYOUT_E820_PAE, LAYOUT_ARM, LAYOUT_ARM_CUSTOM };
static const char *const type_names[] = { "memory", "reserved" };
static const char *const nid_names[] = { "NUMA_NO_NODE", "0", "1", "2", "3", "63",
					 "MAX_NUMNODES", "65", "-2" };
static const uint64_t nid_values[] = { (uint64_t)-1, 0, 1, 2, 3, 63, 64, 65, (uint64_t)-2 };
static const char *const mark_names[] = { "mark_hotplug", "clear_hotplug", "mark_mirror",
					  "mark_nomap", "clear_nomap" };
static const char *const action_names[] = { "add", "add_node", "reserve", "remove", "free",
					    "mark_hotplug", "clear_hotplug", "mark_mirror",
					    "mark_nomap", "clear_nomap", "set_node" };
enum { A_ADD, A_ADD_NODE, A_RESERVE, A_REMOVE, A_FREE, A_MARK0, A_SET_NODE = 10 };
static const char *const shape_names[] = { "same", "inner", "below", "above", "overlap_low",
					   "overlap_high", "span", "gap" };
static const char *const e820_type_names[] = { "RAM", "RESERVED", "ACPI", "NVS", "UNUSABLE",
					       "PMEM", "PRAM", "RESERVED_KERN", "SOFT_RESERVED" };
static const uint64_t e820_type_values[] = { 1, 2, 3, 4, 5, 7, 12, 128, 0xefffffffu };
static const char *const query_names[] = { "abs", "base", "end" };

/* ---- helpers ------------------------------------------------------------ */

static void on_report(void *arg, const struct mm_report *rep)
{
	struct mbctx *c = arg;
	if (rep->stage == MM_STAGE_MEMBLOCK && (unsigned)rep->kind < MM_REPORT_NR) {
		c->reports[rep->kind]++;
		c->nrep++;
	}
}

static uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }
static uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

static int compare_reports(struct mbctx *c, struct props_result *r)
{
	uint64_t want = c->o.reports[OMB_R_BUG] + c->o.reports[OMB_R_WARN] + c->o.reports[OMB_R_INVALID];

	if (c->o.oom)
		return props_fail(r, "oracle ran out of host memory");
	/* the common case: nothing reported on either side since last time */
	if (c->nrep == c->nrep_seen && want == c->want_seen)
		return PROPS_OK;
	c->nrep_seen = c->nrep;
	c->want_seen = want;
	if (r->tracing) { /* the note only: reports_before serves nothing else */
		for (int k = 0; k < MM_REPORT_NR; k++)
			if (c->reports[k] != c->reports_before[k])
				props_note(r, " [%s x%llu]", mm_report_kind_name((enum mm_report_kind)k),
					   (unsigned long long)(c->reports[k] - c->reports_before[k]));
		memcpy(c->reports_before, c->reports, sizeof(c->reports));
	}
	PROPS_CHECK_EQ(r, "memblock BUG reports", c->reports[MM_REPORT_BUG], c->o.reports[OMB_R_BUG]);
	PROPS_CHECK_EQ(r, "memblock WARN reports", c->reports[MM_REPORT_WARN], c->o.reports[OMB_R_WARN]);
	PROPS_CHECK_EQ(r, "memblock INVALID_ARG reports", c->reports[MM_REPORT_INVALID_ARG],
		       c->o.reports[OMB_R_INVALID]);
	for (int k = 0; k < MM_REPORT_NR; k++)
		if (k != MM_REPORT_BUG && k != MM_REPORT_WARN && k != MM_REPORT_INVALID_ARG &&
		    c->reports[k])
			return props_fail(r, "unexpected memblock report kind %s",
					  mm_report_kind_name((enum mm_report_kind)k));
	return PROPS_OK;
}

static const char *const what_cnt[] = { "memory.cnt", "reserved.cnt" };
static const char *const what_max[] = { "memory.max", "reserved.max" };
static const char *const what_total[] = { "memory.total_size", "reserved.total_size" };
static const char *const what_phys[] = { "memory array address", "reserved array address" };

static int region_fail(int w, unsigned long i, const struct mm_memblock_region *got,
		       uint64_t base, uint64_t size, uint32_t flags, int nid, struct props_result *r)
{
	return props_fail(r, "%s[%lu]: library [%#llx+%#llx flags %#x nid %d], oracle [%#llx+%#llx flags %#x nid %d]",
			  type_names[w], i, (unsigned long long)got->base,
			  (unsigned long long)got->size, (unsigned)got->flags, got->nid,
			  (unsigned long long)base, (unsigned long long)size, flags, nid);
}

static int compare_type(struct mbctx *c, const struct mm_memblock_type *t, int w,
			struct props_result *r)
{
	unsigned long cnt = omb_cnt(&c->o, w);
	const struct omb_type *ot = &c->o.t[w];

	PROPS_CHECK_EQ(r, what_cnt[w], t->cnt, cnt);
	PROPS_CHECK_EQ(r, what_max[w], t->max, c->o.t[w].max);
	PROPS_CHECK_EQ(r, what_total[w], t->total_size, omb_total(&c->o, w));
	PROPS_CHECK_EQ(r, what_phys[w], mm_memblock_array_phys(c->m, w == OMB_RESERVED),
		       c->o.t[w].array_phys);
	if (cnt == 0) {
		/* cnt 0: regions[0] must still read as empty */
		PROPS_CHECK_EQ(r, "regions[0].size with cnt 0", t->regions[0].size, 0);
		return PROPS_OK;
	}
	/* the oracle's runs in place (omb_region copies a struct per call,
	 * an ASan-checked memcpy each), then the empty marker if cnt has it */
	for (unsigned long i = 0; i < cnt && i < ot->n; i++) {
		const struct omb_run *want = &ot->r[i];
		const struct mm_memblock_region *got = &t->regions[i];

		if (got->base != want->base || got->size != want->size ||
		    (uint32_t)got->flags != want->flags || got->nid != want->nid)
			return region_fail(w, i, got, want->base, want->size, want->flags, want->nid, r);
	}
	if (cnt > ot->n) {
		/* the empty marker: cnt 1, nothing in the oracle */
		const struct mm_memblock_region *got = &t->regions[ot->n];

		if (got->base != 0 || got->size != 0 || (uint32_t)got->flags != 0 || got->nid != ot->empty_nid)
			return region_fail(w, ot->n, got, 0, 0, 0, ot->empty_nid, r);
	}
	return PROPS_OK;
}

static int mb_check(void *ctx, struct props_result *r)
{
	struct mbctx *c = ctx;
	const struct mm_memblock *mb = mm_memblock_get(c->m);
	uint8_t buf[POKE_MAX];

	if (!mb)
		return props_fail(r, "mm_memblock_get returned NULL");
	if (compare_type(c, &mb->memory, OMB_MEMORY, r) || compare_type(c, &mb->reserved, OMB_RESERVED, r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "bottom_up", mb->bottom_up, c->o.bottom_up);
	PROPS_CHECK_EQ(r, "current_limit", mb->current_limit, c->o.current_limit);
	PROPS_CHECK_EQ(r, "fault hits", mm_fault_inject_hits(c->m), c->o.fault_hits);
	if (compare_reports(c, r))
		return PROPS_FAIL;
	for (uint32_t i = 0; i < c->npokes; i++) {
		struct poke *p = &c->pokes[i];
		int ret = mm_phys_read(c->m, p->addr, buf, p->len);
		if (ret)
			return props_fail(r, "re-reading poke %#llx+%u: %d", (unsigned long long)p->addr,
					  p->len, ret);
		for (uint32_t b = 0; b < p->len; b++)
			if (buf[b] != p->want[b])
				return props_fail(r, "byte %#llx reads %#x, expected %#x",
						  (unsigned long long)(p->addr + b), buf[b], p->want[b]);
	}
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* Zeroed allocation: forget what the pokes wrote inside it. */
static void pokes_zero(struct mbctx *c, uint64_t a, uint64_t size)
{
	uint64_t e = sat_add(a, size);
	for (uint32_t i = 0; i < c->npokes; i++)
		for (uint32_t b = 0; b < c->pokes[i].len; b++) {
			uint64_t x = c->pokes[i].addr + b;
			if (x >= a && x < e)
				c->pokes[i].want[b] = 0;
		}
}

/* ---- the boot feeds ----------------------------------------------------- */

static int feed_e820(struct mbctx *c, struct props_result *r)
{
	uint32_t n;
	int want = 0, got;
	bool narrow = c->profile != MM_PROFILE_X86_PAE;

	(void)mm_e820_sanitize(c->m);
	n = mm_e820_nr_entries(c->m);
	c->o.can_resize = true;
	for (uint32_t i = 0; i < n; i++) {
		struct mm_e820_entry e;
		int w = 0;

		if (mm_e820_get(c->m, i, &e))
			return props_fail(r, "mm_e820_get(%u) failed with %u entries", i, n);
		if (narrow && e.addr + e.size > UINT32_MAX)
			continue; /* resource_size_t is 32 bits there */
		if (e.type == MM_E820_SOFT_RESERVED)
			w = omb_add(&c->o, OMB_RESERVED, e.addr, e.size, OMB_MAX_NUMNODES, 0);
		else if (e.type == MM_E820_RAM || e.type == MM_E820_RESERVED_KERN)
			w = omb_add(&c->o, OMB_MEMORY, e.addr, e.size, OMB_MAX_NUMNODES, 0);
		if (w && !want)
			want = w;
	}
	omb_trim(&c->o, 4096);
	got = mm_e820_memblock_setup(c->m);
	props_note(r, "%u entries -> %d", n, got);
	PROPS_CHECK_EQ(r, "mm_e820_memblock_setup", got, want);
	return PROPS_OK;
}

static int feed_meminfo(struct mbctx *c, uint64_t phys_offset, bool highmem, struct props_result *r)
{
	uint32_t n;
	int want = 0, got;

	(void)mm_meminfo_sanity_check(c->m, phys_offset, 0, highmem);
	n = mm_meminfo_nr_banks(c->m);
	for (uint32_t i = 0; i < n; i++) {
		struct mm_membank b;
		int w;

		if (mm_meminfo_get(c->m, i, &b))
			return props_fail(r, "mm_meminfo_get(%u) failed with %u banks", i, n);
		w = omb_add_node(&c->o, b.start, b.size, b.node, 0);
		if (w && !want)
			want = w;
	}
	got = mm_meminfo_memblock_setup(c->m);
	props_note(r, "%u banks -> %d", n, got);
	PROPS_CHECK_EQ(r, "mm_meminfo_memblock_setup", got, want);
	return PROPS_OK;
}

/* ---- setup -------------------------------------------------------------- */

static int mb_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct mbctx *c = ctx;
	struct mm_config mc;
	uint32_t layout = (uint32_t)cfg->v[7];
	int ret;

	mm_config_default(&mc, MM_ERA_MODERN);
	if (cfg->v[0])
		mc.features |= MM_FEAT_MEMBLOCK_EMPTY_CNT0;
	else
		mc.features &= ~(uint32_t)MM_FEAT_MEMBLOCK_EMPTY_CNT0;
	mc.memblock_init_regions = (uint32_t)cfg->v[1];
	mc.kernelcore_mirror = cfg->v[8] != 0;
	mc.profile = layout == LAYOUT_ARM || layout == LAYOUT_ARM_CUSTOM ? MM_PROFILE_ARM
		     : layout == LAYOUT_E820_PAE ? MM_PROFILE_X86_PAE : MM_PROFILE_X86_32;
	c->profile = mc.profile;
	ret = mm_machine_create(&mc, &c->m);
	if (ret)
		return props_fail(r, "mm_machine_create: %d", ret);
	mm_set_report_handler(c->m, on_report, c);
	omb_init(&c->o, (unsigned long)cfg->v[1], cfg->v[0] != 0);
	c->o.kernelcore_mirror = cfg->v[8] != 0;

	mm_memblock_set_bottom_up(c->m, cfg->v[2]);
	c->o.bottom_up = cfg->v[2];
	if (cfg->v[3]) {
		mm_memblock_allow_resize(c->m);
		c->o.can_resize = true;
	}
	if (layout == LAYOUT_E820 || layout == LAYOUT_E820_PAE) {
		static const struct mm_e820_entry pc[] = {
			{ 0x0, 0x9fc00, MM_E820_RAM },
			{ 0x9fc00, 0x400, MM_E820_RESERVED },
			{ 0xf0000, 0x10000, MM_E820_RESERVED },
			{ 0x100000, 0x7ee0000, MM_E820_RAM },
			{ 0x7fe0000, 0x20000, MM_E820_ACPI },
			{ 0xfffc0000, 0x40000, MM_E820_RESERVED },
			{ 0x100000000ull, 0x40000000ull, MM_E820_RAM },
		};
		if (mm_e820_import(c->m, pc, sizeof(pc) / sizeof(pc[0])))
			return props_fail(r, "mm_e820_import of the PC map failed");
		if (feed_e820(c, r))
			return PROPS_FAIL;
	} else if (layout == LAYOUT_ARM) {
		(void)mm_meminfo_add(c->m, 0x80000000ull, 0x10000000ull, 0);
		(void)mm_meminfo_add(c->m, 0x90000000ull, 0x30000000ull, 1);
		if (feed_meminfo(c, 0x80000000ull, true, r))
			return PROPS_FAIL;
	}
	/* armed last, so the fixed layout above is never cut short */
	mm_fault_inject_set(c->m, cfg->v[4], (uint32_t)cfg->v[5], (uint32_t)cfg->v[6]);
	omb_fault_set(&c->o, cfg->v[4], (uint32_t)cfg->v[5], (uint32_t)cfg->v[6]);
	r->note[0] = '\0';
	return mb_check(c, r);
}

static void mb_teardown(void *ctx)
{
	struct mbctx *c = ctx;
	mm_machine_destroy(c->m);
	omb_free(&c->o);
}

/* ---- range ops ---------------------------------------------------------- */

static int step_begin(struct mbctx *c, struct props_result *r)
{
	mm_set_op_index(c->m, r->op_index);
	return PROPS_OK;
}

static int finish(struct mbctx *c, const char *what, int got, int want, struct props_result *r)
{
	props_note(r, "-> %d", got);
	PROPS_CHECK_EQ(r, what, got, want);
	return compare_reports(c, r);
}

/* Apply one range action to both sides. */
static int do_action(struct mbctx *c, uint32_t action, uint64_t base, uint64_t size, int nid,
		     uint32_t flags, bool reserved_type, struct props_result *r)
{
	static const uint32_t mark_flag[] = { 1, 1, 2, 4, 4 };
	int got, want;

	switch (action) {
	case A_ADD:
		got = mm_memblock_add(c->m, base, size);
		want = omb_add(&c->o, OMB_MEMORY, base, size, OMB_MAX_NUMNODES, 0);
		return finish(c, "mm_memblock_add", got, want, r);
	case A_ADD_NODE:
		got = mm_memblock_add_node(c->m, base, size, nid, (enum mm_memblock_flags)flags);
		want = omb_add_node(&c->o, base, size, nid, flags);
		return finish(c, "mm_memblock_add_node", got, want, r);
	case A_RESERVE:
		got = mm_memblock_reserve(c->m, base, size);
		want = omb_add(&c->o, OMB_RESERVED, base, size, OMB_MAX_NUMNODES, 0);
		return finish(c, "mm_memblock_reserve", got, want, r);
	case A_REMOVE:
		got = mm_memblock_remove(c->m, base, size);
		want = omb_remove(&c->o, OMB_MEMORY, base, size);
		return finish(c, "mm_memblock_remove", got, want, r);
	case A_FREE:
		got = flags & 1 ? mm_memblock_phys_free(c->m, base, size)
				: mm_memblock_free(c->m, base, size);
		want = omb_remove(&c->o, OMB_RESERVED, base, size);
		return finish(c, "mm_memblock_free", got, want, r);
	case A_SET_NODE:
		got = mm_memblock_set_node(c->m, base, size, reserved_type, nid);
		want = omb_set_node(&c->o, reserved_type ? OMB_RESERVED : OMB_MEMORY, base, size, nid);
		return finish(c, "mm_memblock_set_node", got, want, r);
	default: {
		uint32_t k = action - A_MARK0;
		switch (k) {
		case 0: got = mm_memblock_mark_hotplug(c->m, base, size); break;
		case 1: got = mm_memblock_clear_hotplug(c->m, base, size); break;
		case 2: got = mm_memblock_mark_mirror(c->m, base, size); break;
		case 3: got = mm_memblock_mark_nomap(c->m, base, size); break;
		default: got = mm_memblock_clear_nomap(c->m, base, size); break;
		}
		if (k == 2)
			want = omb_mark_mirror(&c->o, base, size);
		else
			want = omb_setclr(&c->o, base, size, k == 0 || k == 3, mark_flag[k]);
		return finish(c, mark_names[k], got, want, r);
	}
	}
}

static int op_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_ADD, op->v[0], op->v[1], 0, 0, false, r);
}

static int op_add_node(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_ADD_NODE, op->v[0], op->v[1], (int)(int64_t)op->v[2], (uint32_t)op->v[3],
			 false, r);
}

static int op_reserve(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_RESERVE, op->v[0], op->v[1], 0, 0, false, r);
}

static int op_remove(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_REMOVE, op->v[0], op->v[1], 0, 0, false, r);
}

static int op_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_FREE, op->v[0], op->v[1], 0, op->v[2] ? 1 : 0, false, r);
}

static int op_mark(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_MARK0 + (uint32_t)op->v[2], op->v[0], op->v[1], 0, 0, false, r);
}

static int op_set_node(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return do_action(c, A_SET_NODE, op->v[0], op->v[1], (int)(int64_t)op->v[3], 0, op->v[2], r);
}

/* A range placed against region idx of a type (from the oracle's view, so
 * the program does not depend on the library's answers). */
static int op_rel(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	int w = (int)op->v[0];
	uint32_t action = (uint32_t)op->v[1], shape = (uint32_t)op->v[3], k = (uint32_t)op->v[4];
	uint64_t d = op->v[5], lo, hi;
	unsigned long n = c->o.t[w].n, i = n ? (unsigned long)(op->v[2] % n) : 0;
	struct omb_run a = omb_region(&c->o, w, i), b;
	uint64_t ae = a.base + a.size;

	step_begin(c, r);
	switch (shape) {
	case 0: lo = a.base; hi = ae; break;
	case 1: {
		uint64_t cut = d < a.size / 2 ? d : a.size / 2;
		lo = a.base + cut;
		hi = ae - cut;
		break;
	}
	case 2: lo = sat_sub(a.base, d); hi = a.base; break;
	case 3: lo = ae; hi = sat_add(ae, d); break;
	case 4: lo = sat_sub(a.base, d); hi = a.base + a.size / 2 + 1 > ae ? ae : a.base + a.size / 2 + 1; break;
	case 5: lo = a.base + a.size / 2; hi = sat_add(ae, d); break;
	case 6:
		b = omb_region(&c->o, w, n ? (i + k) % n : 0);
		if (b.base < a.base)
			b = a;
		lo = sat_sub(a.base, d);
		hi = sat_add(b.base + b.size, d);
		break;
	default:
		if (i + 1 < n) {
			b = omb_region(&c->o, w, i + 1);
			lo = ae;
			hi = b.base;
		} else {
			lo = ae;
			hi = sat_add(ae, d);
		}
		break;
	}
	if (hi < lo)
		hi = lo;
	props_note(r, "[%#llx-%#llx) ", (unsigned long long)lo, (unsigned long long)hi);
	return do_action(c, action, lo, hi - lo, (int)(int64_t)op->v[6], (uint32_t)op->v[7],
			 w == OMB_RESERVED, r);
}

/* ---- switches ----------------------------------------------------------- */

static int op_bottom_up(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	mm_memblock_set_bottom_up(c->m, op->v[0]);
	c->o.bottom_up = op->v[0];
	return compare_reports(c, r);
}

static int op_limit(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	mm_memblock_set_current_limit(c->m, op->v[0]);
	c->o.current_limit = op->v[0];
	return compare_reports(c, r);
}

static int op_allow_resize(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	(void)op;
	step_begin(c, r);
	mm_memblock_allow_resize(c->m);
	c->o.can_resize = true;
	return compare_reports(c, r);
}

static int op_movable(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	mm_memblock_set_movable_node(c->m, op->v[0]);
	c->o.movable_node = op->v[0];
	return compare_reports(c, r);
}

static int op_fault(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	mm_fault_inject_set(c->m, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	omb_fault_set(&c->o, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	return compare_reports(c, r);
}

/* ---- allocation --------------------------------------------------------- */

static int alloc_common(struct mbctx *c, enum omb_alloc_api api, const char *what, uint64_t size,
			uint64_t align, uint64_t start, uint64_t end, int nid, bool exact, bool raw,
			bool null_out, struct props_result *r)
{
	uint64_t got_addr = 0xdeadbeef, want_addr;
	bool zeroed;
	int got, want;

	switch (api) {
	case OMB_PHYS_ALLOC_RANGE:
		got = mm_memblock_phys_alloc_range(c->m, size, align, start, end, &got_addr);
		break;
	case OMB_PHYS_ALLOC_TRY_NID:
		got = mm_memblock_phys_alloc_try_nid(c->m, size, align, nid, &got_addr);
		break;
	case OMB_ALLOC_TRY_NID:
		got = mm_memblock_alloc_try_nid(c->m, size, align, start, end, nid, exact, raw, &got_addr);
		break;
	default:
		got = mm_memblock_alloc(c->m, size, align, null_out ? NULL : &got_addr);
		break;
	}
	if (null_out && api == OMB_ALLOC) {
		c->o.reports[OMB_R_INVALID]++;
		want = -EINVAL;
		want_addr = 0xdeadbeef;
	} else {
		want = omb_alloc(&c->o, api, size, align, start, end, nid, exact, raw, &want_addr, &zeroed);
		if (want == 0 && zeroed)
			pokes_zero(c, want_addr, size);
	}
	props_note(r, "-> %d %#llx", got, (unsigned long long)got_addr);
	PROPS_CHECK_EQ(r, what, got, want);
	if (!null_out || api != OMB_ALLOC)
		PROPS_CHECK_EQ(r, "allocated address", got_addr, want_addr);
	if (got == 0)
		c->last_alloc = got_addr;
	return compare_reports(c, r);
}

static int op_phys_alloc_range(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return alloc_common(c, OMB_PHYS_ALLOC_RANGE, "mm_memblock_phys_alloc_range", op->v[0],
			    op->v[1], op->v[2], op->v[3], OMB_NO_NODE, false, true, false, r);
}

static int op_phys_alloc_try_nid(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return alloc_common(c, OMB_PHYS_ALLOC_TRY_NID, "mm_memblock_phys_alloc_try_nid", op->v[0],
			    op->v[1], 0, 0, (int)(int64_t)op->v[2], false, true, false, r);
}

static int op_alloc_try_nid(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return alloc_common(c, OMB_ALLOC_TRY_NID, "mm_memblock_alloc_try_nid", op->v[0], op->v[1],
			    op->v[2], op->v[3], (int)(int64_t)op->v[4], op->v[5], op->v[6], false, r);
}

static int op_alloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	return alloc_common(c, OMB_ALLOC, "mm_memblock_alloc", op->v[0], op->v[1], 0, 0,
			    OMB_NO_NODE, false, false, op->v[2], r);
}

/* ---- whole-map operations and queries ------------------------------------ */

static int op_trim(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	mm_memblock_trim_memory(c->m, op->v[0]);
	omb_trim(&c->o, op->v[0]);
	return compare_reports(c, r);
}

static int op_enforce(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	mm_memblock_enforce_memory_limit(c->m, op->v[0]);
	omb_enforce_limit(&c->o, op->v[0]);
	return compare_reports(c, r);
}

static int op_query(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	int w = (int)op->v[1];
	unsigned long n = c->o.t[w].n, i = n ? (unsigned long)(op->v[3] % n) : 0;
	struct omb_run a = omb_region(&c->o, w, i);
	uint64_t addr = op->v[0];

	step_begin(c, r);
	if (op->v[2] == 1)
		addr = a.base + (addr & 3) - 1;
	else if (op->v[2] == 2)
		addr = a.base + a.size + (addr & 3) - 2;
	props_note(r, "addr %#llx", (unsigned long long)addr);
	PROPS_CHECK_EQ(r, "memblock_is_memory", mm_memblock_is_memory(c->m, addr),
		       omb_contains(&c->o, OMB_MEMORY, addr));
	PROPS_CHECK_EQ(r, "memblock_is_reserved", mm_memblock_is_reserved(c->m, addr),
		       omb_contains(&c->o, OMB_RESERVED, addr));
	PROPS_CHECK_EQ(r, "memblock_phys_mem_size", mm_memblock_phys_mem_size(c->m),
		       omb_total(&c->o, OMB_MEMORY));
	PROPS_CHECK_EQ(r, "memblock_reserved_size", mm_memblock_reserved_size(c->m),
		       omb_total(&c->o, OMB_RESERVED));
	PROPS_CHECK_EQ(r, "memblock_start_of_DRAM", mm_memblock_start_of_DRAM(c->m),
		       omb_region(&c->o, OMB_MEMORY, 0).base);
	PROPS_CHECK_EQ(r, "memblock_end_of_DRAM", mm_memblock_end_of_DRAM(c->m), omb_end_of_dram(&c->o));
	return compare_reports(c, r);
}

static int op_poke(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	uint32_t len = (uint32_t)op->v[1];
	uint64_t addr = c->last_alloc - 4096 + op->v[0];
	uint8_t buf[POKE_MAX];
	struct poke *p;
	int ret;

	step_begin(c, r);
	if (c->npokes == NPOKE || addr + len < addr)
		return PROPS_OK;
	memset(buf, 0xa5, len);
	ret = mm_phys_write(c->m, addr, buf, len);
	props_note(r, "%#llx -> %d", (unsigned long long)addr, ret);
	if (ret)
		return PROPS_OK; /* the backing cap: not memblock's business */
	for (uint32_t i = 0; i < c->npokes; i++) /* earlier pokes see the new bytes */
		for (uint32_t b = 0; b < c->pokes[i].len; b++)
			if (c->pokes[i].addr + b >= addr && c->pokes[i].addr + b - addr < len)
				c->pokes[i].want[b] = 0xa5;
	p = &c->pokes[c->npokes++];
	p->addr = addr;
	p->len = len;
	memset(p->want, 0xa5, len);
	return PROPS_OK;
}

static int op_e820_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	props_note(r, "-> %d", mm_e820_add(c->m, op->v[0], op->v[1], (uint32_t)op->v[2]));
	return compare_reports(c, r);
}

static int op_e820_setup(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	(void)op;
	step_begin(c, r);
	if (feed_e820(c, r))
		return PROPS_FAIL;
	return compare_reports(c, r);
}

static int op_meminfo_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	props_note(r, "-> %d", mm_meminfo_add(c->m, op->v[0], op->v[1], (int)op->v[2]));
	return compare_reports(c, r);
}

static int op_meminfo_setup(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct mbctx *c = ctx;
	step_begin(c, r);
	if (feed_meminfo(c, op->v[0], op->v[1], r))
		return PROPS_FAIL;
	return compare_reports(c, r);
}

/* ---- schema ------------------------------------------------------------- */

#define BASE_SIZE PROPS_HEX("base", 0, UINT64_MAX), PROPS_HEX("size", 0, UINT64_MAX)
#define NID PROPS_ENUM("nid", nid_names, nid_values)

static const struct props_opdef mb_ops[] = {
	{ .name = "add", .nfields = 2, .fields = { BASE_SIZE }, .step = op_add },
	{ .name = "add_node", .nfields = 4,
	  .fields = { BASE_SIZE, NID, PROPS_HEX("flags", 0, 31) }, .step = op_add_node, .misuse = true },
	{ .name = "reserve", .nfields = 2, .fields = { BASE_SIZE }, .step = op_reserve },
	{ .name = "remove", .nfields = 2, .fields = { BASE_SIZE }, .step = op_remove },
	{ .name = "free", .nfields = 3, .fields = { BASE_SIZE, PROPS_BOOL("phys") }, .step = op_free },
	{ .name = "mark", .nfields = 3,
	  .fields = { BASE_SIZE, PROPS_ENUM("which", mark_names, NULL) }, .step = op_mark },
	{ .name = "set_node", .nfields = 4,
	  .fields = { BASE_SIZE, PROPS_BOOL("reserved"), NID }, .step = op_set_node, .misuse = true },
	{ .name = "rel", .nfields = 8,
	  .fields = { PROPS_ENUM("type", type_names, NULL), PROPS_ENUM("action", action_names, NULL),
		      PROPS_RANGE("idx", 0, 255), PROPS_ENUM("shape", shape_names, NULL),
		      PROPS_RANGE("k", 0, 7), PROPS_HEX("d", 0, UINT64_MAX), NID,
		      PROPS_HEX("flags", 0, 31) },
	  .step = op_rel, .misuse = true },
	{ .name = "set_bottom_up", .nfields = 1, .fields = { PROPS_BOOL("enable") }, .step = op_bottom_up },
	{ .name = "set_current_limit", .nfields = 1, .fields = { PROPS_HEX("limit", 0, UINT64_MAX) },
	  .step = op_limit },
	{ .name = "allow_resize", .nfields = 0, .step = op_allow_resize },
	{ .name = "set_movable_node", .nfields = 1, .fields = { PROPS_BOOL("enable") }, .step = op_movable },
	{ .name = "phys_alloc_range", .nfields = 4,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX),
		      PROPS_HEX("start", 0, UINT64_MAX), PROPS_HEX("end", 0, UINT64_MAX) },
	  .step = op_phys_alloc_range, .misuse = true },
	{ .name = "phys_alloc_try_nid", .nfields = 3,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX), NID },
	  .step = op_phys_alloc_try_nid, .misuse = true },
	{ .name = "alloc_try_nid", .nfields = 7,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX),
		      PROPS_HEX("min", 0, UINT64_MAX), PROPS_HEX("max", 0, UINT64_MAX), NID,
		      PROPS_BOOL("exact_nid"), PROPS_BOOL("raw") },
	  .step = op_alloc_try_nid, .misuse = true },
	{ .name = "alloc", .nfields = 3,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX),
		      PROPS_BOOL("null_out") },
	  .step = op_alloc, .misuse = true },
	{ .name = "trim_memory", .nfields = 1, .fields = { PROPS_HEX("align", 0, UINT64_MAX) },
	  .step = op_trim, .misuse = true },
	{ .name = "enforce_memory_limit", .nfields = 1, .fields = { PROPS_HEX("limit", 0, UINT64_MAX) },
	  .step = op_enforce },
	{ .name = "query", .nfields = 4,
	  .fields = { PROPS_HEX("addr", 0, UINT64_MAX), PROPS_ENUM("type", type_names, NULL),
		      PROPS_ENUM("at", query_names, NULL), PROPS_RANGE("idx", 0, 255) },
	  .step = op_query },
	{ .name = "fault_inject", .nfields = 3,
	  .fields = { PROPS_BOOL("enable"), PROPS_RANGE("after", 0, 64), PROPS_RANGE("repeat", 0, 4) },
	  .step = op_fault },
	{ .name = "poke", .nfields = 2,
	  .fields = { PROPS_HEX("off", 0, 8192), PROPS_RANGE("len", 1, POKE_MAX) }, .step = op_poke },
	{ .name = "e820_add", .nfields = 3,
	  .fields = { PROPS_HEX("addr", 0, UINT64_MAX), PROPS_HEX("size", 0, UINT64_MAX),
		      PROPS_ENUM("type", e820_type_names, e820_type_values) },
	  .step = op_e820_add },
	{ .name = "e820_setup", .nfields = 0, .step = op_e820_setup },
	{ .name = "meminfo_add", .nfields = 3,
	  .fields = { PROPS_HEX("start", 0, UINT64_MAX), PROPS_HEX("size", 0, UINT64_MAX),
		      PROPS_RANGE("node", 0, 3) },
	  .step = op_meminfo_add },
	{ .name = "meminfo_setup", .nfields = 2,
	  .fields = { PROPS_HEX("phys_offset", 0, 0xffffffffu), PROPS_BOOL("highmem") },
	  .step = op_meminfo_setup },
};

/* A full check compares every table with its oracle and walks every stage
 * (mm_verify): about four operations' worth of work whatever the tables
 * hold, so in fuzzing it runs every fourth operation (and at the end). */
static uint64_t memblock_check_cost(void *ctx)
{
	(void)ctx;
	return 4 * PROPS_FUZZ_CHECK_BUDGET;
}

const struct props_harness props_harness_memblock = {
	.name = "memblock",
	.summary = "memblock: add/reserve/remove/free, flags and nodes, array doubling, "
		   "allocation placement, trim, mem limit, e820 and ARM feeds",
	.ctx_size = sizeof(struct mbctx),
	.max_ops = 200,
	.check_every = 16,
	/* kernelcore_mirror last: a field added at the end leaves the others'
	 * trace names and meanings as they were */
	.config = { .name = "config", .nfields = 9,
		    .fields = { PROPS_ENUM("empty", empty_names, NULL),
				PROPS_RANGE("init_regions", 4, 128), PROPS_BOOL("bottom_up"),
				PROPS_BOOL("allow_resize"), PROPS_BOOL("fault"),
				PROPS_RANGE("fault_after", 0, 64), PROPS_RANGE("fault_repeat", 0, 4),
				PROPS_ENUM("layout", layout_names, NULL),
				PROPS_BOOL("kernelcore_mirror") } },
	.setup = mb_setup,
	.check = mb_check,
	.check_cost = memblock_check_cost,
	.teardown = mb_teardown,
	.nr_ops = sizeof(mb_ops) / sizeof(mb_ops[0]),
	.ops = mb_ops,
};
