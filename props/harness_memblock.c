/*
 * Harness "memblock": every function of memblock.h with arbitrary arguments,
 * ranges placed relative to existing regions (same, inside, touching,
 * overlapping, spanning, filling a gap), small region arrays so that
 * doubling is reached, fault injection, and the two boot feeds (a sanitized
 * e820 map, ARM banks), with and without the kernelcore=mirror boot
 * parameter. The oracle (oracle_memblock.c) predicts every return value,
 * every placement, every report and the whole state. The feeds' own tables
 * (e820, meminfo) are predicted by their oracles (oracle_e820.c) and what
 * memblock is fed comes from those oracles, never from the library's
 * tables. Contents: the phys oracle (oracle_phys.c) keeps every byte poked
 * through the API and clears what each zeroing allocation covers; a full
 * check reads back every page holding written bytes, whole, and compares
 * the count of backed pages, so every other byte reads as zeros.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_e820.h"
#include "oracle_memblock.h"
#include "oracle_phys.h"
#include "props.h"

#define POKE_MAX 64

struct memblock_ctx {
	struct mm_machine *m;
	struct omemblock o;
	struct oe820 e;     /* the e820 table the feeds read */
	struct oe820_meminfo mi; /* the ARM banks */
	/* e and mi are built on first use (most inputs never touch them) */
	bool tables;
	uint32_t e820_max, nr_banks;
	bool remove_split;
	uint32_t profile;
	uint64_t last_alloc; /* the oracle's address of the last allocation */
	/* what simulated memory holds: every byte written through the API
	 * (pokes) and every zeroing allocation, page by page, sparse */
	struct ophys ph;
	uint8_t page[4096];
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
static const char *const align_names[] = { "0", "1", "8", "0x1000", "0x200000", "3" };
static const uint64_t align_values[] = { 0, 1, 8, 0x1000, 0x200000, 3 };
static const char *const alloc_api_names[] = { "phys_alloc_range", "alloc_try_nid", "alloc" };
static const char *const null_names[] = { "phys_alloc_range_out", "phys_alloc_try_nid_out",
					  "alloc_try_nid_out", "machine" };
static const char *const fill_names[] = { "memory", "reserved", "both" };
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

static uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }
static uint64_t sat_add(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

/* The oracle's own failure: it ran out of host memory. */
static int oracle_ok(struct memblock_ctx *c, struct props_result *r)
{
	return c->o.oom ? props_fail(r, "oracle ran out of host memory") : PROPS_OK;
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

static int compare_type(struct memblock_ctx *c, const struct mm_memblock_type *t, int w,
			struct props_result *r)
{
	unsigned long cnt = omemblock_cnt(&c->o, w);
	const struct omemblock_type *ot = &c->o.t[w];

	PROPS_CHECK_EQ(r, what_cnt[w], t->cnt, cnt);
	PROPS_CHECK_EQ(r, what_max[w], t->max, c->o.t[w].max);
	PROPS_CHECK_EQ(r, what_total[w], t->total_size, omemblock_total(&c->o, w));
	PROPS_CHECK_EQ(r, what_phys[w], mm_memblock_array_phys(c->m, w == OMEMBLOCK_RESERVED),
		       c->o.t[w].array_phys);
	if (cnt == 0) {
		/* cnt 0: regions[0] must still read as empty */
		PROPS_CHECK_EQ(r, "regions[0].size with cnt 0", t->regions[0].size, 0);
		return PROPS_OK;
	}
	/* the oracle's runs in place (omemblock_region copies a struct per call,
	 * an ASan-checked memcpy each), then the empty marker if cnt has it */
	for (unsigned long i = 0; i < cnt && i < ot->n; i++) {
		const struct omemblock_run *want = &ot->r[i];
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

/* Whole contents: every page that holds written bytes reads back whole
 * (written bytes and the zeros around them), and no other page is backed,
 * so every other byte of every allocation reads as zeros. */
static int compare_contents(struct memblock_ctx *c, struct props_result *r)
{
	PROPS_CHECK_EQ(r, "backed pages", mm_phys_backed_pages(c->m), ophys_backed(&c->ph));
	for (size_t i = 0; i < c->ph.nr; i++) {
		const struct ophys_page *p = &c->ph.pages[i];
		/* the top page's last byte cannot be addressed (a range may not
		 * end at 2^64), nor written */
		uint32_t n = p->pfn * 4096 + 4096 == 0 ? 4095 : 4096;
		int ret = mm_phys_read(c->m, p->pfn * 4096, c->page, n);

		if (ret)
			return props_fail(r, "reading page %#llx: %d", (unsigned long long)p->pfn, ret);
		if (memcmp(c->page, p->bytes, n) != 0)
			for (uint32_t b = 0; b < n; b++)
				if (c->page[b] != p->bytes[b])
					return props_fail(r, "byte %#llx reads %#x, expected %#x",
							  (unsigned long long)(p->pfn * 4096 + b),
							  c->page[b], p->bytes[b]);
	}
	return PROPS_OK;
}

static int memblock_check(void *ctx, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	const struct mm_memblock *mb = mm_memblock_get(c->m);

	if (!mb)
		return props_fail(r, "mm_memblock_get returned NULL");
	if (compare_type(c, &mb->memory, OMEMBLOCK_MEMORY, r) || compare_type(c, &mb->reserved, OMEMBLOCK_RESERVED, r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "bottom_up", mb->bottom_up, c->o.bottom_up);
	PROPS_CHECK_EQ(r, "current_limit", mb->current_limit, c->o.current_limit);
	PROPS_CHECK_EQ(r, "fault hits", mm_fault_inject_hits(c->m), c->o.fault_hits);
	if (oracle_ok(c, r))
		return PROPS_FAIL;
	if (compare_contents(c, r))
		return PROPS_FAIL;
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* The e820 and meminfo oracles, on first use. */
static int tables(struct memblock_ctx *c, struct props_result *r)
{
	if (c->tables)
		return PROPS_OK;
	c->tables = true;
	if (oe820_init(&c->e, c->e820_max, c->remove_split,
		       c->profile == MM_PROFILE_X86_PAE ? 1ull << 24 : 1ull << 20) ||
	    oe820_meminfo_init(&c->mi, c->nr_banks))
		return props_fail(r, "oracle: host out of memory");
	return PROPS_OK;
}

/* ---- the boot feeds ----------------------------------------------------- */

/* Sanitize the e820 table and feed it to memblock: the oracle's table says
 * what memblock gets (resource_size_t is 32 bits without PAE). */
static int feed_e820(struct memblock_ctx *c, struct props_result *r)
{
	bool narrow = c->profile != MM_PROFILE_X86_PAE;
	int want = 0;

	if (tables(c, r))
		return PROPS_FAIL;
	r->expect.ret = oe820_sanitize(&c->e);
	r->actual.ret = mm_e820_sanitize(c->m);
	if (props_compare(r))
		return PROPS_FAIL;
	c->o.can_resize = true;
	for (uint32_t i = 0; i < c->e.nr; i++) {
		const struct oe820_entry *e = &c->e.t[i];
		int w = 0;

		if (narrow && e->addr + e->size > UINT32_MAX)
			continue;
		if (e->type == MM_E820_SOFT_RESERVED)
			w = omemblock_add(&c->o, OMEMBLOCK_RESERVED, e->addr, e->size, OMEMBLOCK_MAX_NUMNODES, 0);
		else if (e->type == MM_E820_RAM || e->type == MM_E820_RESERVED_KERN)
			w = omemblock_add(&c->o, OMEMBLOCK_MEMORY, e->addr, e->size, OMEMBLOCK_MAX_NUMNODES, 0);
		if (w && !want)
			want = w;
	}
	omemblock_trim(&c->o, 4096);
	r->expect.ret = want;
	r->actual.ret = mm_e820_memblock_setup(c->m);
	props_note(r, "%u entries -> %d", c->e.nr, r->actual.ret);
	return oracle_ok(c, r);
}

/* Check the ARM banks and feed them to memblock, from the oracle's banks. */
static int feed_meminfo(struct memblock_ctx *c, uint64_t phys_offset, bool highmem,
			struct props_result *r)
{
	int want = 0;

	if (tables(c, r))
		return PROPS_FAIL;
	r->expect.ret = oe820_meminfo_check(&c->mi, phys_offset, 0, highmem, &r->expect);
	r->actual.ret = mm_meminfo_sanity_check(c->m, phys_offset, 0, highmem);
	if (props_compare(r))
		return PROPS_FAIL;
	for (uint32_t i = 0; i < c->mi.nr; i++) {
		const struct oe820_bank *b = &c->mi.b[i];
		int w = omemblock_add_node(&c->o, b->start, b->size, b->node, 0);
		if (w && !want)
			want = w;
	}
	r->expect.ret = want;
	r->actual.ret = mm_meminfo_memblock_setup(c->m);
	props_note(r, "%u banks -> %d", c->mi.nr, r->actual.ret);
	return oracle_ok(c, r);
}

/* ---- setup -------------------------------------------------------------- */

static int memblock_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
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
	mc.meminfo_nr_banks = (uint32_t)cfg->v[9]; /* 0: the default, 8 */
	mc.profile = layout == LAYOUT_ARM || layout == LAYOUT_ARM_CUSTOM ? MM_PROFILE_ARM
		     : layout == LAYOUT_E820_PAE ? MM_PROFILE_X86_PAE : MM_PROFILE_X86_32;
	c->profile = mc.profile;
	ret = mm_machine_create(&mc, &c->m);
	if (ret)
		return props_fail(r, "mm_machine_create: %d", ret);
	props_watch(r, c->m);
	omemblock_init(&c->o, (unsigned long)cfg->v[1], cfg->v[0] != 0);
	ophys_init(&c->ph, mc.phys_backing_max_pages);
	c->o.kernelcore_mirror = cfg->v[8] != 0;
	c->o.expect = &r->expect; /* the runner's, for the whole input */
	c->e820_max = mc.e820_max_entries ? mc.e820_max_entries : 128;
	c->nr_banks = mc.meminfo_nr_banks ? mc.meminfo_nr_banks : 8;
	c->remove_split = (mc.features & MM_FEAT_E820_REMOVE_SPLIT) != 0;

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
		struct oe820_entry opc[sizeof(pc) / sizeof(pc[0])];
		for (size_t i = 0; i < sizeof(pc) / sizeof(pc[0]); i++)
			opc[i] = (struct oe820_entry){ pc[i].addr, pc[i].size, pc[i].type };
		if (tables(c, r))
			return PROPS_FAIL;
		r->expect.ret = oe820_import(&c->e, opc, sizeof(pc) / sizeof(pc[0]), &r->expect);
		r->actual.ret = mm_e820_import(c->m, pc, sizeof(pc) / sizeof(pc[0]));
		if (props_compare(r) || feed_e820(c, r) || props_compare(r))
			return PROPS_FAIL;
	} else if (layout == LAYOUT_ARM) {
		static const struct oe820_bank arm[] = { { 0x80000000ull, 0x10000000ull, 0, false },
						      { 0x90000000ull, 0x30000000ull, 1, false } };
		if (tables(c, r))
			return PROPS_FAIL;
		for (size_t i = 0; i < sizeof(arm) / sizeof(arm[0]); i++) {
			r->expect.ret = oe820_meminfo_add(&c->mi, arm[i].start, arm[i].size, arm[i].node,
						       &r->expect);
			r->actual.ret = mm_meminfo_add(c->m, arm[i].start, arm[i].size, arm[i].node);
			if (props_compare(r))
				return PROPS_FAIL;
		}
		if (feed_meminfo(c, 0x80000000ull, true, r) || props_compare(r))
			return PROPS_FAIL;
	}
	/* armed last, so the fixed layout above is never cut short */
	mm_fault_inject_set(c->m, cfg->v[4], (uint32_t)cfg->v[5], (uint32_t)cfg->v[6]);
	omemblock_fault_set(&c->o, cfg->v[4], (uint32_t)cfg->v[5], (uint32_t)cfg->v[6]);
	r->note[0] = '\0';
	return memblock_check(c, r);
}

static void memblock_teardown(void *ctx)
{
	struct memblock_ctx *c = ctx;
	mm_machine_destroy(c->m);
	omemblock_free(&c->o);
	ophys_free(&c->ph);
	oe820_free(&c->e);
	oe820_meminfo_free(&c->mi);
}

/* ---- range ops ---------------------------------------------------------- */

/* The oracle's answer is in r->expect.ret, the library's in r->actual.ret:
 * the runner compares them and the reports. */
static int finish(struct memblock_ctx *c, struct props_result *r)
{
	props_note(r, "-> %d", r->actual.ret);
	return oracle_ok(c, r);
}

/* Apply one range action to both sides. */
static int do_action(struct memblock_ctx *c, uint32_t action, uint64_t base, uint64_t size, int nid,
		     uint32_t flags, bool reserved_type, struct props_result *r)
{
	static const uint32_t mark_flag[] = { 1, 1, 2, 4, 4 };
	int *want = &r->expect.ret, *got = &r->actual.ret;

	switch (action) {
	case A_ADD:
		*want = omemblock_add(&c->o, OMEMBLOCK_MEMORY, base, size, OMEMBLOCK_MAX_NUMNODES, 0);
		*got = mm_memblock_add(c->m, base, size);
		return finish(c, r);
	case A_ADD_NODE:
		*want = omemblock_add_node(&c->o, base, size, nid, flags);
		*got = mm_memblock_add_node(c->m, base, size, nid, (enum mm_memblock_flags)flags);
		return finish(c, r);
	case A_RESERVE:
		*want = omemblock_add(&c->o, OMEMBLOCK_RESERVED, base, size, OMEMBLOCK_MAX_NUMNODES, 0);
		*got = mm_memblock_reserve(c->m, base, size);
		return finish(c, r);
	case A_REMOVE:
		*want = omemblock_remove(&c->o, OMEMBLOCK_MEMORY, base, size);
		*got = mm_memblock_remove(c->m, base, size);
		return finish(c, r);
	case A_FREE:
		*want = omemblock_remove(&c->o, OMEMBLOCK_RESERVED, base, size);
		*got = flags & 1 ? mm_memblock_phys_free(c->m, base, size)
				: mm_memblock_free(c->m, base, size);
		return finish(c, r);
	case A_SET_NODE:
		*want = omemblock_set_node(&c->o, reserved_type ? OMEMBLOCK_RESERVED : OMEMBLOCK_MEMORY, base, size, nid);
		*got = mm_memblock_set_node(c->m, base, size, reserved_type, nid);
		return finish(c, r);
	default: {
		uint32_t k = action - A_MARK0;
		if (k == 2)
			*want = omemblock_mark_mirror(&c->o, base, size);
		else
			*want = omemblock_setclr(&c->o, base, size, k == 0 || k == 3, mark_flag[k]);
		switch (k) {
		case 0: *got = mm_memblock_mark_hotplug(c->m, base, size); break;
		case 1: *got = mm_memblock_clear_hotplug(c->m, base, size); break;
		case 2: *got = mm_memblock_mark_mirror(c->m, base, size); break;
		case 3: *got = mm_memblock_mark_nomap(c->m, base, size); break;
		default: *got = mm_memblock_clear_nomap(c->m, base, size); break;
		}
		return finish(c, r);
	}
	}
}

/* ---- boundary-relative ranges ------------------------------------------- */

#define MB_SPANS 96 /* run lists past this are sampled by their first runs */

/* Every run of both types, sorted by start (the oracle's, never the
 * library's): the anchors of a relative base. */
static uint32_t region_spans(struct memblock_ctx *c, struct props_span *sp)
{
	uint32_t n = 0;

	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < c->o.t[w].n && n < MB_SPANS; i++) {
			uint64_t a = c->o.t[w].r[i].base, b = a + c->o.t[w].r[i].size;
			uint32_t k = n++;
			while (k > 0 && sp[k - 1].start > a) {
				sp[k] = sp[k - 1];
				k--;
			}
			sp[k] = (struct props_span){ a, b };
		}
	return n;
}

/* The same runs as distances from base (those not wholly below it): a size
 * anchored on a span's start ends exactly where that run begins, on its end
 * where it ends. */
static uint32_t distance_spans(const struct props_span *in, uint32_t n, uint64_t base,
			       struct props_span *out)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		if (in[i].end > base)
			out[k++] = (struct props_span){ in[i].start > base ? in[i].start - base : 0,
							in[i].end - base };
	return k;
}

/* base and size of a range op: the absolute fields v[0], v[1], or relative
 * ones (PROPS_REL_FIELDS "base" at v[k], "size" at v[k + 3]). */
static void rel_range(struct memblock_ctx *c, const struct props_op *op, uint32_t k,
		      uint64_t *base, uint64_t *size)
{
	struct props_span sp[MB_SPANS], ds[MB_SPANS];
	uint32_t n = region_spans(c, sp);

	*base = props_relative(op->v[0], op->v[k], op->v[k + 1], op->v[k + 2], 1, sp, n, 0);
	n = distance_spans(sp, n, *base, ds);
	*size = props_relative(op->v[1], op->v[k + 3], op->v[k + 4], op->v[k + 5], 1, ds, n, 0);
}

static int step_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 2, &base, &size);
	return do_action(c, A_ADD, base, size, 0, 0, false, r);
}

static int step_add_node(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 4, &base, &size);
	return do_action(c, A_ADD_NODE, base, size, (int)(int64_t)op->v[2], (uint32_t)op->v[3],
			 false, r);
}

static int step_reserve(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 2, &base, &size);
	return do_action(c, A_RESERVE, base, size, 0, 0, false, r);
}

static int step_remove(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 2, &base, &size);
	return do_action(c, A_REMOVE, base, size, 0, 0, false, r);
}

static int step_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 3, &base, &size);
	return do_action(c, A_FREE, base, size, 0, op->v[2] ? 1 : 0, false, r);
}

static int step_mark(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 3, &base, &size);
	return do_action(c, A_MARK0 + (uint32_t)op->v[2], base, size, 0, 0, false, r);
}

static int step_set_node(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base, size;

	rel_range(c, op, 4, &base, &size);
	return do_action(c, A_SET_NODE, base, size, (int)(int64_t)op->v[3], 0, op->v[2], r);
}

/* A range placed against region idx of a type (from the oracle's view, so
 * the program does not depend on the library's answers). */
static int step_rel(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	int w = (int)op->v[0];
	uint32_t action = (uint32_t)op->v[1], shape = (uint32_t)op->v[3], k = (uint32_t)op->v[4];
	uint64_t d = op->v[5], lo, hi;
	unsigned long n = c->o.t[w].n, i = n ? (unsigned long)(op->v[2] % n) : 0;
	struct omemblock_run a = omemblock_region(&c->o, w, i), b;
	uint64_t ae = a.base + a.size;

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
		b = omemblock_region(&c->o, w, n ? (i + k) % n : 0);
		if (b.base < a.base)
			b = a;
		lo = sat_sub(a.base, d);
		hi = sat_add(b.base + b.size, d);
		break;
	default:
		if (i + 1 < n) {
			b = omemblock_region(&c->o, w, i + 1);
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
			 w == OMEMBLOCK_RESERVED, r);
}

/* Fill a type up to its array's size (as the oracle counts it) and `extra`
 * regions past it, one separate page every two pages from base: the next
 * add doubles the array, and with the other type full too, reserving the
 * new array doubles that one inside the first doubling, so fault injection
 * armed there fails a doubling nested in another one. fail: 0 leaves fault
 * injection alone; k > 0 arms it (on both sides) just before the first add
 * past the array's size, to let k - 1 allocations through and fail the
 * next: 1 fails the doubling itself, 2 the nested one (when the other type
 * is full). Every call is predicted and compared on its own; the first
 * failure ends the fill. */
static int fill(struct memblock_ctx *c, int w, uint64_t extra, uint64_t base, uint64_t fail,
		struct props_result *r)
{
	unsigned long cnt = (unsigned long)c->o.t[w].n, max = c->o.t[w].max; /* regions, not the empty marker */
	unsigned long n = (max > cnt ? max - cnt : 0) + (unsigned long)extra;

	if (n > 64)
		n = 64; /* bounded: init_regions is at most 128 */
	if (base > UINT64_MAX - 0x2000 * 64)
		base = UINT64_MAX - 0x2000 * 64 + 1;
	for (unsigned long i = 0; i < n; i++) {
		uint64_t a = base + i * 0x2000;
		if (fail && i == (max > cnt ? max - cnt : 0)) {
			mm_fault_inject_set(c->m, true, (uint32_t)fail - 1, 0);
			omemblock_fault_set(&c->o, true, (uint32_t)fail - 1, 0);
		}
		if (w == OMEMBLOCK_MEMORY) {
			r->expect.ret = omemblock_add(&c->o, OMEMBLOCK_MEMORY, a, 0x1000, OMEMBLOCK_MAX_NUMNODES, 0);
			r->actual.ret = mm_memblock_add(c->m, a, 0x1000);
		} else {
			r->expect.ret = omemblock_add(&c->o, OMEMBLOCK_RESERVED, a, 0x1000, OMEMBLOCK_MAX_NUMNODES, 0);
			r->actual.ret = mm_memblock_reserve(c->m, a, 0x1000);
		}
		if (props_compare(r) || oracle_ok(c, r))
			return PROPS_FAIL;
		if (r->actual.ret)
			break;
	}
	props_note(r, "%s: %lu from %#llx -> %d ", type_names[w], n, (unsigned long long)base,
		   r->actual.ret);
	return PROPS_OK;
}

/* type both: reserved up to its size first (no extra, no fault), then
 * memory, so that memory's doubling nests a reserved one. */
static int step_fill(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t base = op->v[2] & ~0xfffull;

	if (op->v[0] == 2) {
		if (fill(c, OMEMBLOCK_RESERVED, 0, base ^ 0x1000, 0, r))
			return PROPS_FAIL;
		if (r->actual.ret)
			return PROPS_OK;
		return fill(c, OMEMBLOCK_MEMORY, op->v[1], base, op->v[3], r);
	}
	return fill(c, (int)op->v[0], op->v[1], base, op->v[3], r);
}

/* ---- switches ----------------------------------------------------------- */

static int step_bottom_up(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	mm_memblock_set_bottom_up(c->m, op->v[0]);
	c->o.bottom_up = op->v[0];
	return oracle_ok(c, r);
}

static int step_limit(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	mm_memblock_set_current_limit(c->m, op->v[0]);
	c->o.current_limit = op->v[0];
	return oracle_ok(c, r);
}

static int step_allow_resize(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	(void)op;
	mm_memblock_allow_resize(c->m);
	c->o.can_resize = true;
	return oracle_ok(c, r);
}

static int step_movable(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	mm_memblock_set_movable_node(c->m, op->v[0]);
	c->o.movable_node = op->v[0];
	return oracle_ok(c, r);
}

static int step_fault(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	mm_fault_inject_set(c->m, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	omemblock_fault_set(&c->o, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	return oracle_ok(c, r);
}

/* ---- allocation --------------------------------------------------------- */

static int alloc_common(struct memblock_ctx *c, enum omemblock_alloc_api api, uint64_t size,
			uint64_t align, uint64_t start, uint64_t end, int nid, bool exact, bool raw,
			bool null_out, struct props_result *r)
{
	uint64_t got_addr = 0xdeadbeef, want_addr = 0xdeadbeef;
	bool zeroed;

	if (null_out && api == OMEMBLOCK_ALLOC) {
		props_expect_report(&r->expect, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
	} else {
		r->expect.ret = omemblock_alloc(&c->o, api, size, align, start, end, nid, exact, raw,
					  &want_addr, &zeroed);
		if (r->expect.ret == 0 && zeroed)
			ophys_zero(&c->ph, want_addr, size);
	}
	switch (api) {
	case OMEMBLOCK_PHYS_ALLOC_RANGE:
		r->actual.ret = mm_memblock_phys_alloc_range(c->m, size, align, start, end, &got_addr);
		break;
	case OMEMBLOCK_PHYS_ALLOC_TRY_NID:
		r->actual.ret = mm_memblock_phys_alloc_try_nid(c->m, size, align, nid, &got_addr);
		break;
	case OMEMBLOCK_ALLOC_TRY_NID:
		r->actual.ret = mm_memblock_alloc_try_nid(c->m, size, align, start, end, nid, exact,
							  raw, &got_addr);
		break;
	default:
		r->actual.ret = mm_memblock_alloc(c->m, size, align, null_out ? NULL : &got_addr);
		break;
	}
	props_note(r, "-> %d %#llx", r->actual.ret, (unsigned long long)got_addr);
	if (props_compare(r) || oracle_ok(c, r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "allocated address", got_addr, want_addr);
	if (r->expect.ret == 0)
		c->last_alloc = want_addr;
	return PROPS_OK;
}

static int step_phys_alloc_range(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	return alloc_common(c, OMEMBLOCK_PHYS_ALLOC_RANGE, op->v[0],
			    op->v[1], op->v[2], op->v[3], OMEMBLOCK_NO_NODE, false, true, false, r);
}

static int step_phys_alloc_try_nid(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	return alloc_common(c, OMEMBLOCK_PHYS_ALLOC_TRY_NID, op->v[0],
			    op->v[1], 0, 0, (int)(int64_t)op->v[2], false, true, false, r);
}

static int step_alloc_try_nid(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	return alloc_common(c, OMEMBLOCK_ALLOC_TRY_NID, op->v[0], op->v[1],
			    op->v[2], op->v[3], (int)(int64_t)op->v[4], op->v[5], op->v[6], false, r);
}

static int step_alloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	return alloc_common(c, OMEMBLOCK_ALLOC, op->v[0], op->v[1], 0, 0,
			    OMEMBLOCK_NO_NODE, false, false, op->v[2], r);
}

/* The free ranges as the oracle sees them: memory runs minus reserved runs
 * (both lists are sorted and disjoint), sorted. */
static uint32_t free_spans(struct memblock_ctx *c, struct props_span *sp)
{
	const struct omemblock_type *mt = &c->o.t[OMEMBLOCK_MEMORY], *rt = &c->o.t[OMEMBLOCK_RESERVED];
	uint32_t n = 0;
	size_t k = 0;

	for (size_t i = 0; i < mt->n && n < MB_SPANS; i++) {
		uint64_t cur = mt->r[i].base, end = cur + mt->r[i].size;
		while (k < rt->n && rt->r[k].base + rt->r[k].size <= cur)
			k++;
		for (size_t j = k; j < rt->n && rt->r[j].base < end && n < MB_SPANS; j++) {
			if (rt->r[j].base > cur)
				sp[n++] = (struct props_span){ cur, rt->r[j].base };
			if (rt->r[j].base + rt->r[j].size > cur)
				cur = rt->r[j].base + rt->r[j].size;
		}
		if (cur < end && n < MB_SPANS)
			sp[n++] = (struct props_span){ cur, end };
	}
	return n;
}

/* An allocation whose size is drawn against the free ranges (len: exactly
 * a free range, gap: a reserved hole's size, each +- a few bytes) and whose
 * limits are drawn against the runs' boundaries, so that "fits exactly",
 * "one byte too big" and "the limit cuts the last free range" come up. */
static int step_alloc_rel(void *ctx, const struct props_op *op, struct props_result *r)
{
	static const enum omemblock_alloc_api apis[] = { OMEMBLOCK_PHYS_ALLOC_RANGE,
							 OMEMBLOCK_ALLOC_TRY_NID, OMEMBLOCK_ALLOC };
	struct memblock_ctx *c = ctx;
	struct props_span fs[MB_SPANS], rs[MB_SPANS];
	uint32_t nf = free_spans(c, fs), nr = region_spans(c, rs);
	uint64_t size, min, max, align = op->v[9];
	uint64_t max_abs = op->v[7] ? op->v[7] << 24 : UINT64_MAX;

	size = props_relative(0x1000ull << (op->v[1] % 24), op->v[0], op->v[1], op->v[2], 1, fs, nf, 0);
	min = props_relative(op->v[4] << 20, op->v[3], op->v[4], op->v[5], 1, rs, nr, 0);
	max = props_relative(max_abs, op->v[6], op->v[7], op->v[8], 1, rs, nr, 0);
	props_note(r, "size %#llx [%#llx, %#llx) ", (unsigned long long)size, (unsigned long long)min,
		   (unsigned long long)max);
	return alloc_common(c, apis[op->v[10]], size, align, min, max, OMEMBLOCK_NO_NODE, false,
			    op->v[11] != 0, false, r);
}

/* NULL-ish arguments: each allocator with a NULL out pointer (refused with
 * an INVALID_ARG report, before anything else), and every function of
 * memblock.h with a NULL machine (refused or 0/NULL/false, no report: there
 * is no machine to report to). */
static int step_null_args(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint64_t size = op->v[1];

	if (op->v[0] < 3) {
		props_expect_report(&r->expect, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = op->v[0] == 0 ? mm_memblock_phys_alloc_range(c->m, size, 0x1000, 0, UINT64_MAX, NULL)
			      : op->v[0] == 1 ? mm_memblock_phys_alloc_try_nid(c->m, size, 0x1000, 0, NULL)
					      : mm_memblock_alloc_try_nid(c->m, size, 0x1000, 0, UINT64_MAX, -1,
									   false, false, NULL);
		return PROPS_OK;
	}
	r->expect.ret = -EINVAL;
	r->actual.ret = mm_memblock_add(NULL, 0, size);
	if (props_compare(r))
		return PROPS_FAIL;
	r->actual.ret = mm_memblock_reserve(NULL, 0, size);
	if (props_compare(r))
		return PROPS_FAIL;
	r->actual.ret = mm_memblock_set_node(NULL, 0, size, false, 0);
	if (props_compare(r))
		return PROPS_FAIL;
	r->actual.ret = mm_memblock_alloc(NULL, size, 0x1000, &size);
	if (props_compare(r))
		return PROPS_FAIL;
	mm_memblock_set_bottom_up(NULL, true);
	mm_memblock_set_current_limit(NULL, 0);
	mm_memblock_allow_resize(NULL);
	mm_memblock_set_movable_node(NULL, true);
	mm_memblock_trim_memory(NULL, 0x1000);
	mm_memblock_enforce_memory_limit(NULL, 0x1000);
	PROPS_CHECK_EQ(r, "mm_memblock_get(NULL)", (uintptr_t)mm_memblock_get(NULL), 0);
	PROPS_CHECK_EQ(r, "mm_memblock_array_phys(NULL)", mm_memblock_array_phys(NULL, true), 0);
	PROPS_CHECK_EQ(r, "mm_memblock_phys_mem_size(NULL)", mm_memblock_phys_mem_size(NULL), 0);
	PROPS_CHECK_EQ(r, "mm_memblock_reserved_size(NULL)", mm_memblock_reserved_size(NULL), 0);
	PROPS_CHECK_EQ(r, "mm_memblock_end_of_DRAM(NULL)", mm_memblock_end_of_DRAM(NULL), 0);
	PROPS_CHECK_EQ(r, "mm_memblock_is_memory(NULL)", mm_memblock_is_memory(NULL, 0), 0);
	PROPS_CHECK_EQ(r, "mm_memblock_is_reserved(NULL)", mm_memblock_is_reserved(NULL, 0), 0);
	return PROPS_OK;
}

/* ---- whole-map operations and queries ------------------------------------ */

static int step_trim(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	mm_memblock_trim_memory(c->m, op->v[0]);
	omemblock_trim(&c->o, op->v[0]);
	return oracle_ok(c, r);
}

static int step_enforce(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	mm_memblock_enforce_memory_limit(c->m, op->v[0]);
	omemblock_enforce_limit(&c->o, op->v[0]);
	return oracle_ok(c, r);
}

static int step_query(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	int w = (int)op->v[1];
	unsigned long n = c->o.t[w].n, i = n ? (unsigned long)(op->v[3] % n) : 0;
	struct omemblock_run a = omemblock_region(&c->o, w, i);
	uint64_t addr = op->v[0];

	if (op->v[2] == 1)
		addr = a.base + (addr & 3) - 1;
	else if (op->v[2] == 2)
		addr = a.base + a.size + (addr & 3) - 2;
	props_note(r, "addr %#llx", (unsigned long long)addr);
	PROPS_CHECK_EQ(r, "memblock_is_memory", mm_memblock_is_memory(c->m, addr),
		       omemblock_contains(&c->o, OMEMBLOCK_MEMORY, addr));
	PROPS_CHECK_EQ(r, "memblock_is_reserved", mm_memblock_is_reserved(c->m, addr),
		       omemblock_contains(&c->o, OMEMBLOCK_RESERVED, addr));
	PROPS_CHECK_EQ(r, "memblock_phys_mem_size", mm_memblock_phys_mem_size(c->m),
		       omemblock_total(&c->o, OMEMBLOCK_MEMORY));
	PROPS_CHECK_EQ(r, "memblock_reserved_size", mm_memblock_reserved_size(c->m),
		       omemblock_total(&c->o, OMEMBLOCK_RESERVED));
	PROPS_CHECK_EQ(r, "memblock_start_of_DRAM", mm_memblock_start_of_DRAM(c->m),
		       omemblock_region(&c->o, OMEMBLOCK_MEMORY, 0).base);
	PROPS_CHECK_EQ(r, "memblock_end_of_DRAM", mm_memblock_end_of_DRAM(c->m), omemblock_end_of_dram(&c->o));
	return oracle_ok(c, r);
}

/* Write a pattern near the last allocation: the phys oracle predicts the
 * answer (the backing cap, a range that wraps) and keeps the bytes. */
static int step_poke(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	uint32_t len = (uint32_t)op->v[1];
	uint64_t addr = c->last_alloc - 4096 + op->v[0];
	uint8_t buf[POKE_MAX];

	memset(buf, 0xa5 ^ (uint8_t)r->op_index, len);
	r->expect.ret = ophys_write(&c->ph, addr, buf, len, false, &r->expect);
	r->actual.ret = mm_phys_write(c->m, addr, buf, len);
	props_note(r, "%#llx -> %d", (unsigned long long)addr, r->actual.ret);
	return PROPS_OK;
}

static int step_e820_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	if (tables(c, r))
		return PROPS_FAIL;
	r->expect.ret = oe820_add(&c->e, op->v[0], op->v[1], (uint32_t)op->v[2], &r->expect);
	r->actual.ret = mm_e820_add(c->m, op->v[0], op->v[1], (uint32_t)op->v[2]);
	props_note(r, "-> %d", r->actual.ret);
	return PROPS_OK;
}

static int step_e820_setup(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	(void)op;
	return feed_e820(c, r);
}

static int step_meminfo_add(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	if (tables(c, r))
		return PROPS_FAIL;
	r->expect.ret = oe820_meminfo_add(&c->mi, op->v[0], op->v[1], (int)op->v[2], &r->expect);
	r->actual.ret = mm_meminfo_add(c->m, op->v[0], op->v[1], (int)op->v[2]);
	props_note(r, "-> %d", r->actual.ret);
	return PROPS_OK;
}

static int step_meminfo_setup(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct memblock_ctx *c = ctx;
	/* above_4g: an out-of-range PHYS_OFFSET, refused with a report */
	return feed_meminfo(c, op->v[0] + (op->v[2] ? 1ull << 32 : 0), op->v[1], r);
}

/* ---- schema ------------------------------------------------------------- */

#define BASE_SIZE PROPS_HEX("base", 0, UINT64_MAX), PROPS_HEX("size", 0, UINT64_MAX)
#define NID PROPS_ENUM("nid", nid_names, nid_values)
/* after an op's own fields: base and size relative to the oracle's runs */
#define REL_RANGE PROPS_REL_FIELDS("base"), PROPS_REL_FIELDS("size")

static const struct props_opdef memblock_ops[] = {
	{ .name = "add", .nfields = 8, .fields = { BASE_SIZE, REL_RANGE }, .step = step_add },
	{ .name = "add_node", .nfields = 10,
	  .fields = { BASE_SIZE, NID, PROPS_HEX("flags", 0, 31), REL_RANGE }, .step = step_add_node,
	  .misuse = true },
	{ .name = "reserve", .nfields = 8, .fields = { BASE_SIZE, REL_RANGE }, .step = step_reserve },
	{ .name = "remove", .nfields = 8, .fields = { BASE_SIZE, REL_RANGE }, .step = step_remove },
	{ .name = "free", .nfields = 9, .fields = { BASE_SIZE, PROPS_BOOL("phys"), REL_RANGE },
	  .step = step_free },
	{ .name = "mark", .nfields = 9,
	  .fields = { BASE_SIZE, PROPS_ENUM("which", mark_names, NULL), REL_RANGE }, .step = step_mark },
	{ .name = "set_node", .nfields = 10,
	  .fields = { BASE_SIZE, PROPS_BOOL("reserved"), NID, REL_RANGE }, .step = step_set_node,
	  .misuse = true },
	{ .name = "rel", .nfields = 8,
	  .fields = { PROPS_ENUM("type", type_names, NULL), PROPS_ENUM("action", action_names, NULL),
		      PROPS_RANGE("idx", 0, 255), PROPS_ENUM("shape", shape_names, NULL),
		      PROPS_RANGE("k", 0, 7), PROPS_HEX("d", 0, UINT64_MAX), NID,
		      PROPS_HEX("flags", 0, 31) },
	  .step = step_rel, .misuse = true },
	{ .name = "set_bottom_up", .nfields = 1, .fields = { PROPS_BOOL("enable") }, .step = step_bottom_up },
	{ .name = "set_current_limit", .nfields = 1, .fields = { PROPS_HEX("limit", 0, UINT64_MAX) },
	  .step = step_limit },
	{ .name = "allow_resize", .nfields = 0, .step = step_allow_resize },
	{ .name = "set_movable_node", .nfields = 1, .fields = { PROPS_BOOL("enable") }, .step = step_movable },
	{ .name = "phys_alloc_range", .nfields = 4,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX),
		      PROPS_HEX("start", 0, UINT64_MAX), PROPS_HEX("end", 0, UINT64_MAX) },
	  .step = step_phys_alloc_range, .misuse = true },
	{ .name = "phys_alloc_try_nid", .nfields = 3,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX), NID },
	  .step = step_phys_alloc_try_nid, .misuse = true },
	{ .name = "alloc_try_nid", .nfields = 7,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX),
		      PROPS_HEX("min", 0, UINT64_MAX), PROPS_HEX("max", 0, UINT64_MAX), NID,
		      PROPS_BOOL("exact_nid"), PROPS_BOOL("raw") },
	  .step = step_alloc_try_nid, .misuse = true },
	{ .name = "alloc", .nfields = 3,
	  .fields = { PROPS_HEX("size", 0, UINT64_MAX), PROPS_HEX("align", 0, UINT64_MAX),
		      PROPS_BOOL("null_out") },
	  .step = step_alloc, .misuse = true },
	{ .name = "trim_memory", .nfields = 1, .fields = { PROPS_HEX("align", 0, UINT64_MAX) },
	  .step = step_trim, .misuse = true },
	{ .name = "enforce_memory_limit", .nfields = 1, .fields = { PROPS_HEX("limit", 0, UINT64_MAX) },
	  .step = step_enforce },
	{ .name = "query", .nfields = 4,
	  .fields = { PROPS_HEX("addr", 0, UINT64_MAX), PROPS_ENUM("type", type_names, NULL),
		      PROPS_ENUM("at", query_names, NULL), PROPS_RANGE("idx", 0, 255) },
	  .step = step_query },
	{ .name = "fault_inject", .nfields = 3,
	  .fields = { PROPS_BOOL("enable"), PROPS_RANGE("after", 0, 64), PROPS_RANGE("repeat", 0, 4) },
	  .step = step_fault },
	{ .name = "poke", .nfields = 2,
	  .fields = { PROPS_HEX("off", 0, 8192), PROPS_RANGE("len", 1, POKE_MAX) }, .step = step_poke },
	{ .name = "e820_add", .nfields = 3,
	  .fields = { PROPS_HEX("addr", 0, UINT64_MAX), PROPS_HEX("size", 0, UINT64_MAX),
		      PROPS_ENUM("type", e820_type_names, e820_type_values) },
	  .step = step_e820_add },
	{ .name = "e820_setup", .nfields = 0, .step = step_e820_setup },
	{ .name = "meminfo_add", .nfields = 3,
	  .fields = { PROPS_HEX("start", 0, UINT64_MAX), PROPS_HEX("size", 0, UINT64_MAX),
		      PROPS_RANGE("node", 0, 3) },
	  .step = step_meminfo_add },
	{ .name = "meminfo_setup", .nfields = 3,
	  .fields = { PROPS_HEX("phys_offset", 0, 0xffffffffu), PROPS_BOOL("highmem"),
		      PROPS_BOOL("above_4g") },
	  .step = step_meminfo_setup },
	{ .name = "fill", .nfields = 4,
	  .fields = { PROPS_ENUM("type", fill_names, NULL), PROPS_RANGE("extra", 0, 3),
		      PROPS_HEX("base", 0, UINT64_MAX), PROPS_RANGE("fail", 0, 3) },
	  .step = step_fill },
	{ .name = "alloc_rel", .nfields = 12,
	  .fields = { PROPS_REL_FIELDS("size"), PROPS_REL_FIELDS("min"), PROPS_REL_FIELDS("max"),
		      PROPS_ENUM("align", align_names, align_values),
		      PROPS_ENUM("api", alloc_api_names, NULL), PROPS_BOOL("raw") },
	  .step = step_alloc_rel, .misuse = true },
	{ .name = "null_args", .nfields = 2,
	  .fields = { PROPS_ENUM("which", null_names, NULL), PROPS_HEX("size", 0, UINT64_MAX) },
	  .step = step_null_args, .misuse = true },
};

/* A full check compares every table with its oracle and walks every stage
 * (mm_verify): about four operations' worth of work whatever the tables
 * hold, so in fuzzing it runs every fourth operation (and at the end). */
static uint64_t memblock_check_cost(void *ctx)
{
	struct memblock_ctx *c = ctx;
	return 4 * PROPS_FUZZ_CHECK_BUDGET + c->ph.nr;
}

const struct props_harness props_harness_memblock = {
	.name = "memblock",
	.summary = "memblock: add/reserve/remove/free, flags and nodes, array doubling, "
		   "allocation placement, trim, mem limit, e820 and ARM feeds",
	.ctx_size = sizeof(struct memblock_ctx),
	.max_ops = 200,
	.check_every = 16,
	/* kernelcore_mirror last: a field added at the end leaves the others'
	 * trace names and meanings as they were */
	.config = { .name = "config", .nfields = 10,
		    .fields = { PROPS_ENUM("empty", empty_names, NULL),
				PROPS_RANGE("init_regions", 4, 128), PROPS_BOOL("bottom_up"),
				PROPS_BOOL("allow_resize"), PROPS_BOOL("fault"),
				PROPS_RANGE("fault_after", 0, 64), PROPS_RANGE("fault_repeat", 0, 4),
				PROPS_ENUM("layout", layout_names, NULL),
				PROPS_BOOL("kernelcore_mirror"), PROPS_RANGE("nr_banks", 0, 12) } },
	.setup = memblock_setup,
	.check = memblock_check,
	.check_cost = memblock_check_cost,
	.teardown = memblock_teardown,
	.nr_ops = sizeof(memblock_ops) / sizeof(memblock_ops[0]),
	.ops = memblock_ops,
};
