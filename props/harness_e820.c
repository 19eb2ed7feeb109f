/*
 * Harness "e820": the firmware-map stages (e820, early_res, ARM meminfo)
 * against their oracles (oracle_e820.c).
 *
 * Every op runs on the oracle, then on the library; the runner compares the
 * return value and the exact reports (per stage and kind); the step
 * compares out values and the touched table; check() compares every table,
 * the firmware copy, end_of_ram_pfn, the meminfo limits, memblock (both
 * types, region by region, against the memblock oracle fed from the e820
 * and meminfo oracles' tables) and runs mm_verify. Relative placement ops (mode same / nested /
 * before / after / overlap_start / overlap_end / contain / to_top, anchored
 * on an existing entry) make identical, nested, adjacent and overlapping
 * layouts of every type pair, zero sizes and ends at or past 2^64 common.
 * boot_layout lays down a PC map and an early boot's reservations in one
 * op; find_e820_area_rel draws find_e820_area's start and size relative to
 * the oracle's entries and reservations (props_relative), so a candidate
 * ending on a reservation's first byte is drawn often, not once in a
 * million inputs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_e820.h"
#include "oracle_memblock.h"
#include "props.h"

#define STAGE_MAX 200u

struct e820_ctx {
	struct mm_machine *m;
	struct oe820 e;
	struct oe820_early er;
	struct oe820_meminfo mi;
	struct omemblock mb; /* what the two feeds give memblock */
	bool narrow; /* 32-bit resource_size_t: e820 setup skips entries above 4 GiB */
	uint32_t nstage;
	struct oe820_entry *stage; /* STAGE_MAX, on the first fw_stage: the
				      * context is allocated and zeroed per input */
	char *pbuf, *obuf;
	size_t pcap;
};

/* ---- schema ------------------------------------------------------------ */

static const char *const era_names[] = { "2.6.29", "modern" };
static const char *const profile_names[] = { "x86_32", "pae", "arm" };
static const char *const split_names[] = { "era", "off", "on" };

static const char *const type_names[] = {
	"RAM", "RESERVED", "ACPI", "NVS", "UNUSABLE", "PMEM", "PRAM", "RESERVED_KERN",
	"SOFT_RESERVED", "HOLE0", "TYPE6", "TYPE13", "TYPE127", "TYPE129", "TYPE_EFFFFFFE",
	"TYPE_MAX",
};
static const uint64_t type_values[] = {
	1, 2, 3, 4, 5, 7, 12, 128, 0xefffffffu, 0, 6, 13, 127, 129, 0xeffffffeu, 0xffffffffu,
};

enum { P_ABS, P_SAME, P_NESTED, P_BEFORE, P_AFTER, P_OVERLAP_START, P_OVERLAP_END, P_CONTAIN,
       P_TO_TOP };
static const char *const mode_names[] = {
	"abs", "same", "nested", "before", "after", "overlap_start", "overlap_end", "contain",
	"to_top",
};

static const char *const import_names[] = { "staged", "working" };
static const char *const prefix_names[] = { "BIOS-e820", "modified", "user", "e820", "default" };
enum { A_ABS, A_START, A_END, A_INSIDE };
static const char *const limit_anchor_names[] = { "abs", "start", "end", "inside" };
enum { R_ABS, R_E820, R_RES };
static const char *const res_anchor_names[] = { "abs", "e820", "res" };
static const char *const res_name_names[] = {
	"TEXT_DATA_BSS", "RAMDISK", "EBDA", "PGTABLE", "BOOTMAP", "empty", "null",
	"A_NAME_LONGER_THAN_FIFTEEN",
};
enum { F_EXACT, F_START_OFF, F_END_OFF, F_ABS };
/* end of a relative find: no limit, exactly the candidate's end, one byte short */
static const char *const find_end_names[] = { "top", "exact", "short" };
static const char *const get_table_names[] = { "e820", "firmware", "early_res", "meminfo" };
/* an index around the table's end (nr - 2 .. nr + 2), or far past it */
static const char *const get_far_names[] = { "near", "0x7fffffff", "0xffffffff" };
static const char *const free_how_names[] = { "exact", "start_off", "end_off", "abs" };

#define F_TYPE(nm) PROPS_ENUM(nm, type_names, type_values)
#define F_MODE PROPS_ENUM("mode", mode_names, NULL)
#define F_ADDR(nm) PROPS_HEX(nm, 0, UINT64_MAX)
/* after an op's own fields: its range relative to the oracle's entries */
#define REL_RANGE PROPS_REL_FIELDS("base"), PROPS_REL_FIELDS("size")

/* ---- placement ----------------------------------------------------------- */

/* Where a relative op puts its range, from an anchor [a, a + sz). */
static void place(bool have, uint64_t a, uint64_t sz, uint32_t mode, uint64_t delta,
		  uint64_t len, uint64_t *addr, uint64_t *size)
{
	uint64_t end = a + sz, off;

	if (!have)
		mode = P_ABS;
	switch (mode) {
	case P_SAME:
		*addr = a, *size = sz;
		break;
	case P_NESTED:
		if (!sz) {
			*addr = a, *size = 0;
			break;
		}
		off = delta % sz;
		*addr = a + off;
		*size = 1 + len % (sz - off);
		break;
	case P_BEFORE:
		*addr = a - len, *size = len;
		break;
	case P_AFTER:
		*addr = end, *size = len;
		break;
	case P_OVERLAP_START:
		*addr = a - delta, *size = delta + len;
		break;
	case P_OVERLAP_END:
		*addr = end - delta, *size = delta + len;
		break;
	case P_CONTAIN:
		*addr = a - delta, *size = delta + sz + len;
		break;
	case P_TO_TOP:
		*addr = a, *size = (0 - a) + delta;
		break;
	default:
		*addr = delta, *size = len;
		break;
	}
}

/* Anchor on working-table entry idx % nr (the oracle's, equal to the library's). */
static void place_e820(struct e820_ctx *c, uint64_t idx, uint32_t mode, uint64_t delta,
		       uint64_t len, uint64_t *addr, uint64_t *size)
{
	const struct oe820_entry *e = c->e.nr ? &c->e.t[idx % c->e.nr] : NULL;
	place(e != NULL, e ? e->addr : 0, e ? e->size : 0, mode, delta, len, addr, size);
}

/* The relative form of a range (PROPS_REL_FIELDS "base" at v[k], "size"
 * at v[k + 3]): the base against the oracle's entries (sorted by address),
 * the size against the distances from the base to each entry's start and
 * end; anchor abs keeps *addr and *size as drawn. */
#define E820_SPANS 136 /* the working table holds at most 130 entries */
static void rel_range(struct e820_ctx *c, const struct props_op *op, uint32_t k, uint64_t *addr,
		      uint64_t *size)
{
	struct props_span sp[E820_SPANS], ds[E820_SPANS];
	uint32_t n = 0, nd = 0;

	if (!op->v[k] && !op->v[k + 3])
		return; /* both absolute: no spans needed */
	for (uint32_t i = 0; i < c->e.nr && n < E820_SPANS; i++) {
		uint64_t a = c->e.t[i].addr;
		uint32_t j = n++;
		while (j > 0 && sp[j - 1].start > a) {
			sp[j] = sp[j - 1];
			j--;
		}
		sp[j] = (struct props_span){ a, a + c->e.t[i].size };
	}
	*addr = props_relative(*addr, op->v[k], op->v[k + 1], op->v[k + 2], 1, sp, n, 0);
	for (uint32_t i = 0; i < n; i++)
		if (sp[i].end > *addr)
			ds[nd++] = (struct props_span){ sp[i].start > *addr ? sp[i].start - *addr : 0,
							sp[i].end - *addr };
	*size = props_relative(*size, op->v[k + 3], op->v[k + 4], op->v[k + 5], 1, ds, nd, 0);
}

/* ---- comparisons ----------------------------------------------------------- */

static int cmp_e820(struct e820_ctx *c, struct props_result *r)
{
	PROPS_CHECK_EQ(r, "e820 nr_entries", mm_e820_nr_entries(c->m), c->e.nr);
	for (uint32_t i = 0; i < c->e.nr; i++) {
		struct mm_e820_entry x;
		if (mm_e820_get(c->m, i, &x))
			return props_fail(r, "mm_e820_get(%u) failed", i);
		if (x.addr != c->e.t[i].addr || x.size != c->e.t[i].size || x.type != c->e.t[i].type)
			return props_fail(r, "e820 entry %u: library [%#" PRIx64 "+%#" PRIx64 " type %u], "
					  "oracle [%#" PRIx64 "+%#" PRIx64 " type %u]", i, x.addr,
					  x.size, x.type, c->e.t[i].addr, c->e.t[i].size,
					  c->e.t[i].type);
	}
	return PROPS_OK;
}

static int cmp_firmware(struct e820_ctx *c, struct props_result *r)
{
	PROPS_CHECK_EQ(r, "e820 firmware nr", mm_e820_firmware_nr_entries(c->m), c->e.fw_nr);
	for (uint32_t i = 0; i < c->e.fw_nr; i++) {
		struct mm_e820_entry x;
		if (mm_e820_firmware_get(c->m, i, &x))
			return props_fail(r, "mm_e820_firmware_get(%u) failed", i);
		if (x.addr != c->e.fw[i].addr || x.size != c->e.fw[i].size ||
		    x.type != c->e.fw[i].type)
			return props_fail(r, "firmware entry %u differs", i);
	}
	return PROPS_OK;
}

static int cmp_early(struct e820_ctx *c, struct props_result *r)
{
	PROPS_CHECK_EQ(r, "early_res count", mm_early_res_count(c->m), c->er.nr);
	for (uint32_t i = 0; i < c->er.nr; i++) {
		struct mm_early_res x;
		const struct oe820_res *w = &c->er.r[i];
		if (mm_early_res_get(c->m, i, &x))
			return props_fail(r, "mm_early_res_get(%u) failed", i);
		if (x.start != w->start || x.end != w->end || x.overlap_ok != w->overlap_ok ||
		    strncmp(x.name, w->name, sizeof(x.name)) != 0)
			return props_fail(r, "early_res %u: library [%#" PRIx64 ", %#" PRIx64 ") %s ok=%d, "
					  "oracle [%#" PRIx64 ", %#" PRIx64 ") %s ok=%d", i, x.start,
					  x.end, x.name, x.overlap_ok, w->start, w->end, w->name,
					  w->overlap_ok);
	}
	return PROPS_OK;
}

static int cmp_meminfo(struct e820_ctx *c, struct props_result *r)
{
	PROPS_CHECK_EQ(r, "meminfo nr_banks", mm_meminfo_nr_banks(c->m), c->mi.nr);
	for (uint32_t i = 0; i < c->mi.nr; i++) {
		struct mm_membank x;
		const struct oe820_bank *w = &c->mi.b[i];
		if (mm_meminfo_get(c->m, i, &x))
			return props_fail(r, "mm_meminfo_get(%u) failed", i);
		if (x.start != w->start || x.size != w->size || x.node != w->node ||
		    x.highmem != w->highmem)
			return props_fail(r, "bank %u: library [%#" PRIx64 "+%#" PRIx64 " n%d h%d], oracle "
					  "[%#" PRIx64 "+%#" PRIx64 " n%d h%d]", i, x.start, x.size,
					  x.node, x.highmem, w->start, w->size, w->node, w->highmem);
	}
	PROPS_CHECK_EQ(r, "meminfo lowmem_end", mm_meminfo_lowmem_end(c->m),
		       c->mi.checked ? c->mi.lowmem_end : 0);
	PROPS_CHECK_EQ(r, "meminfo vmalloc_min", mm_meminfo_vmalloc_min(c->m),
		       c->mi.checked ? c->mi.vmalloc_min : 0);
	return PROPS_OK;
}

/* One memblock type against the memblock oracle, region by region. */
static int cmp_memblock_type(struct e820_ctx *c, const struct mm_memblock_type *t, int w,
			     struct props_result *r)
{
	static const char *const name[] = { "memory", "reserved" };
	unsigned long cnt = omemblock_cnt(&c->mb, w);

	PROPS_CHECK_EQ(r, w ? "memblock.reserved.cnt" : "memblock.memory.cnt", t->cnt, cnt);
	PROPS_CHECK_EQ(r, w ? "memblock.reserved.total_size" : "memblock.memory.total_size",
		       t->total_size, omemblock_total(&c->mb, w));
	for (unsigned long i = 0; i < cnt; i++) {
		const struct mm_memblock_region *g = &t->regions[i];
		struct omemblock_run x = omemblock_region(&c->mb, w, i);
		if (g->base != x.base || g->size != x.size || (uint32_t)g->flags != x.flags ||
		    g->nid != x.nid)
			return props_fail(r, "memblock.%s[%lu]: library [%#" PRIx64 "+%#" PRIx64
					  " flags %#x nid %d], oracle [%#" PRIx64 "+%#" PRIx64
					  " flags %#x nid %d]", name[w], i, g->base, g->size,
					  (unsigned)g->flags, g->nid, x.base, x.size, x.flags, x.nid);
	}
	return PROPS_OK;
}

static int cmp_memblock(struct e820_ctx *c, struct props_result *r)
{
	const struct mm_memblock *mb = mm_memblock_get(c->m);

	if (!mb)
		return props_fail(r, "mm_memblock_get returned NULL");
	if (c->mb.oom)
		return props_fail(r, "memblock oracle: host out of memory");
	return cmp_memblock_type(c, &mb->memory, OMEMBLOCK_MEMORY, r) ||
	       cmp_memblock_type(c, &mb->reserved, OMEMBLOCK_RESERVED, r);
}

/* ---- setup / teardown / check ---------------------------------------------- */

static int e820_setup(void *vctx, const struct props_op *cfgop, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	struct mm_config cfg;
	uint32_t e820_max, res_max, banks;
	int ret;

	mm_config_default(&cfg, cfgop->v[0] ? MM_ERA_MODERN : MM_ERA_2_6_29);
	cfg.profile = (uint32_t)cfgop->v[1];
	e820_max = (uint32_t)cfgop->v[2];
	res_max = (uint32_t)cfgop->v[3];
	banks = (uint32_t)cfgop->v[4];
	cfg.e820_max_entries = e820_max == 1 ? 2 : e820_max;
	cfg.early_res_max = res_max == 1 ? 2 : res_max;
	cfg.meminfo_nr_banks = banks;
	if (cfgop->v[5] == 1)
		cfg.features &= ~(uint32_t)MM_FEAT_E820_REMOVE_SPLIT;
	else if (cfgop->v[5] == 2)
		cfg.features |= MM_FEAT_E820_REMOVE_SPLIT;
	ret = mm_machine_create(&cfg, &c->m);
	if (ret)
		return props_fail(r, "mm_machine_create: %d", ret);
	props_watch(r, c->m);
	c->narrow = cfg.profile != MM_PROFILE_X86_PAE;
	if (oe820_init(&c->e, cfg.e820_max_entries ? cfg.e820_max_entries : 128,
			 (cfg.features & MM_FEAT_E820_REMOVE_SPLIT) != 0,
			 cfg.profile == MM_PROFILE_X86_PAE ? 1ull << 24 : 1ull << 20) ||
	    oe820_early_init(&c->er, cfg.early_res_max ? cfg.early_res_max : 20) ||
	    oe820_meminfo_init(&c->mi, banks ? banks : 8))
		return props_fail(r, "oracle: host out of memory");
	omemblock_init(&c->mb, cfg.memblock_init_regions ? cfg.memblock_init_regions : 128,
		 (cfg.features & MM_FEAT_MEMBLOCK_EMPTY_CNT0) != 0);
	c->mb.expect = &r->expect; /* the runner's, for the whole input */
	PROPS_CHECK_EQ(r, "e820 max entries", mm_e820_max_entries(c->m), c->e.max);
	PROPS_CHECK_EQ(r, "early_res max", mm_early_res_max(c->m), c->er.max);
	return PROPS_OK;
}

static void e820_teardown(void *vctx)
{
	struct e820_ctx *c = vctx;

	mm_machine_destroy(c->m);
	oe820_free(&c->e);
	oe820_early_free(&c->er);
	oe820_meminfo_free(&c->mi);
	omemblock_free(&c->mb);
	free(c->stage);
	free(c->pbuf);
	free(c->obuf);
}

static int e820_check(void *vctx, struct props_result *r)
{
	struct e820_ctx *c = vctx;

	if (cmp_e820(c, r) || cmp_firmware(c, r) || cmp_early(c, r) || cmp_meminfo(c, r) ||
	    cmp_memblock(c, r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "end_of_ram_pfn", mm_e820_end_of_ram_pfn(c->m),
		       oe820_end_of_ram_pfn(&c->e));
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* ---- e820 ops ---------------------------------------------------------------- */

static int do_add(struct e820_ctx *c, struct props_result *r, uint64_t addr, uint64_t size,
		  uint32_t type)
{
	r->expect.ret = oe820_add(&c->e, addr, size, type, &r->expect);
	r->actual.ret = mm_e820_add(c->m, addr, size, type);
	props_note(r, "[%#" PRIx64 "+%#" PRIx64 "] -> %d", addr, size, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	/* add only appends: the count and the last entry say it all (check()
	 * compares the whole table) */
	PROPS_CHECK_EQ(r, "e820 nr_entries", mm_e820_nr_entries(c->m), c->e.nr);
	if (!r->actual.ret) {
		struct mm_e820_entry x;
		const struct oe820_entry *w = &c->e.t[c->e.nr - 1];
		if (mm_e820_get(c->m, c->e.nr - 1, &x) || x.addr != w->addr || x.size != w->size ||
		    x.type != w->type)
			return props_fail(r, "e820_add: last entry differs");
	}
	return PROPS_OK;
}

static int step_add(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t addr = op->v[0], size = op->v[1];

	rel_range(c, op, 3, &addr, &size);
	return do_add(c, r, addr, size, (uint32_t)op->v[2]);
}

static int step_add_rel(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t addr, size;

	place_e820(c, op->v[0], (uint32_t)op->v[1], op->v[2], op->v[3], &addr, &size);
	return do_add(c, r, addr, size, (uint32_t)op->v[4]);
}

static int step_sanitize(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;

	(void)op;
	r->expect.ret = oe820_sanitize(&c->e);
	r->actual.ret = mm_e820_sanitize(c->m);
	props_note(r, "-> %d, %u entries", r->actual.ret, c->e.nr);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_e820(c, r);
}

static int step_update(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t start, size, got_n = 0, want_n = 0;

	place_e820(c, op->v[0], (uint32_t)op->v[1], op->v[2], op->v[3], &start, &size);
	rel_range(c, op, 6, &start, &size);
	r->expect.ret = oe820_update(&c->e, start, size, (uint32_t)op->v[4], (uint32_t)op->v[5], &want_n,
			      &r->expect);
	r->actual.ret = mm_e820_range_update(c->m, start, size, (uint32_t)op->v[4], (uint32_t)op->v[5],
				   &got_n);
	props_note(r, "[%#" PRIx64 "+%#" PRIx64 "] -> %d, %#" PRIx64 " bytes", start, size, r->actual.ret,
		   got_n);
	if (props_compare(r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "e820_range_update bytes", got_n, want_n);

	return cmp_e820(c, r);
}

static int step_remove(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t start, size, got_n = 0, want_n = 0;

	place_e820(c, op->v[0], (uint32_t)op->v[1], op->v[2], op->v[3], &start, &size);
	rel_range(c, op, 6, &start, &size);
	r->expect.ret = oe820_remove(&c->e, start, size, (uint32_t)op->v[4], op->v[5] != 0, &want_n, &r->expect);
	r->actual.ret = mm_e820_range_remove(c->m, start, size, (uint32_t)op->v[4], op->v[5] != 0, &got_n);
	props_note(r, "[%#" PRIx64 "+%#" PRIx64 "] -> %d, %#" PRIx64 " bytes", start, size, r->actual.ret,
		   got_n);
	if (props_compare(r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "e820_range_remove bytes", got_n, want_n);

	return cmp_e820(c, r);
}

static int step_mem_limit(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	const struct oe820_entry *e = c->e.nr ? &c->e.t[op->v[0] % c->e.nr] : NULL;
	uint64_t d = op->v[2], limit = d;

	if (e && op->v[1] == A_START)
		limit = e->addr + d;
	else if (e && op->v[1] == A_END)
		limit = e->addr + e->size - d;
	else if (e && op->v[1] == A_INSIDE)
		limit = e->addr + (e->size ? d % e->size : 0);
	r->expect.ret = oe820_mem_limit(&c->e, limit, &r->expect);
	r->actual.ret = mm_e820_mem_limit(c->m, limit);
	props_note(r, "mem=%#" PRIx64 " -> %d", limit, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_e820(c, r);
}

static int step_fw_stage(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;

	if (!c->stage && !(c->stage = malloc(STAGE_MAX * sizeof(*c->stage))))
		return props_fail(r, "host out of memory");
	if (c->nstage < STAGE_MAX)
		c->stage[c->nstage++] = (struct oe820_entry){ op->v[0], op->v[1], (uint32_t)op->v[2] };
	props_note(r, "%u staged", c->nstage);
	return PROPS_OK;
}

static int step_import(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	/* both tables are at most STAGE_MAX long (the working one <= 130) */
	struct mm_e820_entry lib[STAGE_MAX + 1];
	struct oe820_entry orc[STAGE_MAX + 1];
	uint32_t nr;

	nr = op->v[0] ? c->e.nr : c->nstage;
	if (nr > STAGE_MAX)
		return props_fail(r, "import of %u entries: over the harness's %u", nr, STAGE_MAX);
	for (uint32_t i = 0; i < nr; i++) {
		orc[i] = op->v[0] ? c->e.t[i] : c->stage[i];
		lib[i] = (struct mm_e820_entry){ orc[i].addr, orc[i].size, orc[i].type };
	}
	r->expect.ret = oe820_import(&c->e, orc, nr, &r->expect);
	r->actual.ret = mm_e820_import(c->m, lib, nr);
	if (!op->v[0])
		c->nstage = 0;
	props_note(r, "%u entries -> %d", nr, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_e820(c, r) || cmp_firmware(c, r);
}

static int step_print(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	const char *prefix = op->v[0] < 4 ? prefix_names[op->v[0]] : NULL;
	const char *p = prefix ? prefix : "BIOS-e820";
	/* a line is the prefix and at most 67 more bytes */
	size_t need = c->e.nr * (strlen(p) + 96) + 2, full, len, k;

	if (need > c->pcap) {
		free(c->pbuf);
		free(c->obuf);
		c->pcap = need + 64;
		c->pbuf = malloc(c->pcap);
		c->obuf = malloc(c->pcap);
		if (!c->pbuf || !c->obuf) {
			c->pcap = 0;
			return props_fail(r, "host out of memory");
		}
	}
	/* the oracle's whole text once; a cut one is its first len - 1 bytes */
	full = oe820_format(&c->e, p, c->obuf, c->pcap);
	if (full + 2 > c->pcap)
		return props_fail(r, "oracle's boot log (%zu bytes) over its bound", full);
	len = op->v[1] ? (size_t)(op->v[2] % (full + 2)) : full + 1;
	memset(c->pbuf, 0x5a, len + 1 < c->pcap ? len + 1 : c->pcap);
	r->expect.ret = (int)full;
	r->actual.ret = mm_e820_print(c->m, prefix, len ? c->pbuf : NULL, len);
	props_note(r, "len %zu -> %d", len, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	k = len && full > len - 1 ? len - 1 : full;
	if (len && (memcmp(c->pbuf, c->obuf, k) != 0 || c->pbuf[k] != '\0'))
		return props_fail(r, "e820_print text differs (cut at %zu):\nlibrary:\n%.400s\noracle:\n%.400s",
				  len, c->pbuf, c->obuf);
	if (len && len < c->pcap && (unsigned char)c->pbuf[len] != 0x5a)
		return props_fail(r, "e820_print wrote past len %zu", len);
	return PROPS_OK;
}

static int step_type_name(void *vctx, const struct props_op *op, struct props_result *r)
{
	uint32_t type = (uint32_t)op->v[0];
	char want[32], got[32];
	const char *w = oe820_type_text(type, want, sizeof(want));
	const char *name = mm_e820_type_name(type);
	int n;

	(void)vctx;
	n = mm_e820_type_format(type, got, sizeof(got));
	props_note(r, "%s", got);
	if (n != (int)strlen(w) || strcmp(got, w) != 0)
		return props_fail(r, "type %u formats as '%s', oracle '%s'", type, got, w);
	if (!name || strcmp(name, w == want ? "unknown" : w) != 0)
		return props_fail(r, "type %u named '%s'", type, name ? name : "(null)");
	return PROPS_OK;
}

/* ---- early_res ops -------------------------------------------------------------- */

static int step_reserve_early(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t start = op->v[3], end = op->v[4], a = 0, sz = 0;
	bool have = false, ok = op->v[5] != 0;
	const char *name = res_name_names[op->v[6] % 8];

	if (!strcmp(name, "null"))
		name = NULL;
	else if (!strcmp(name, "empty"))
		name = "";
	if (op->v[0] == R_E820 && c->e.nr) {
		const struct oe820_entry *e = &c->e.t[op->v[1] % c->e.nr];
		a = e->addr, sz = e->size, have = true;
	} else if (op->v[0] == R_RES && c->er.nr) {
		const struct oe820_res *x = &c->er.r[op->v[1] % c->er.nr];
		a = x->start, sz = x->end - x->start, have = true;
	}
	if (have && op->v[2] != P_ABS) {
		place(true, a, sz, (uint32_t)op->v[2], op->v[3], op->v[4], &start, &end);
		end += start;
	}
	r->expect.ret = oe820_early_reserve(&c->er, start, end, name, ok, &r->expect);
	r->actual.ret = ok ? mm_reserve_early_overlap_ok(c->m, start, end, name)
		 : mm_reserve_early(c->m, start, end, name);
	props_note(r, "[%#" PRIx64 ", %#" PRIx64 ") -> %d", start, end, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_early(c, r);
}

static int step_free_early(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t start = op->v[2], end = op->v[3];

	if (op->v[1] != F_ABS && c->er.nr) {
		const struct oe820_res *x = &c->er.r[op->v[0] % c->er.nr];
		start = x->start, end = x->end;
		if (op->v[1] == F_START_OFF)
			start += op->v[2];
		else if (op->v[1] == F_END_OFF)
			end += op->v[2];
	}
	r->expect.ret = oe820_early_free_range(&c->er, start, end, &r->expect);
	r->actual.ret = mm_free_early(c->m, start, end);
	props_note(r, "[%#" PRIx64 ", %#" PRIx64 ") -> %d", start, end, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_early(c, r);
}

/* find_e820_area on both sides; with reserve, the usual caller's next step:
 * reserve what was found. */
static int find_area(struct e820_ctx *c, uint64_t start, uint64_t end, uint64_t size,
		     uint64_t align, bool reserve, struct props_result *r)
{
	uint64_t got_a = 0, want_a = 0;

	r->expect.ret = oe820_find_e820_area(&c->er, &c->e, start, end, size, align, &want_a, &r->expect);
	r->actual.ret = mm_find_e820_area(c->m, start, end, size, align, &got_a);
	props_note(r, "align %#" PRIx64 " -> %d %#" PRIx64, align, r->actual.ret, got_a);
	if (props_compare(r))
		return PROPS_FAIL;
	if (!r->actual.ret)
		PROPS_CHECK_EQ(r, "find_e820_area address", got_a, want_a);
	if (!r->actual.ret && reserve) {
		r->expect.ret = oe820_early_reserve(&c->er, want_a, want_a + size, "find", false,
						 &r->expect);
		r->actual.ret = mm_reserve_early(c->m, got_a, got_a + size, "find");
		if (props_compare(r))
			return PROPS_FAIL;
		return cmp_early(c, r);
	}
	return PROPS_OK;
}

static int step_find_area(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	uint64_t start = op->v[0], shift = op->v[3], align;

	if (op->v[5] != A_ABS && c->e.nr) {
		const struct oe820_entry *e = &c->e.t[op->v[6] % c->e.nr];
		start += op->v[5] == A_START ? e->addr : op->v[5] == A_END ? e->addr + e->size
									 : e->addr + e->size / 2;
	}
	align = shift < 64 ? 1ull << shift : shift == 64 ? 0 : shift == 65 ? 3 : 0x1001;
	return find_area(c, start, op->v[1], op->v[2], align, op->v[4] != 0, r);
}

/* The info getters with indexes around the end of each table (and far
 * past it), a NULL out pointer, or a NULL machine: -EINVAL and no report
 * (a getter takes a const machine) wherever the index is not an entry. */
static int step_get(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	static const uint32_t far[] = { 0x7fffffffu, 0xffffffffu };
	struct mm_machine *m = op->v[4] ? NULL : c->m;
	uint32_t which = (uint32_t)op->v[0], nr;
	bool null_out = op->v[3] != 0;
	uint32_t i;

	nr = which == 0 ? c->e.nr : which == 1 ? c->e.fw_nr : which == 2 ? c->er.nr : c->mi.nr;
	i = op->v[2] ? far[op->v[2] - 1] : nr + (uint32_t)op->v[1] - 2;
	r->expect.ret = m && !null_out && i < nr ? 0 : -EINVAL;
	props_note(r, "[%u] of %u ", i, nr);
	if (which <= 1) {
		struct mm_e820_entry x = { 0 };
		const struct oe820_entry *w = which ? c->e.fw : c->e.t;
		r->actual.ret = which ? mm_e820_firmware_get(m, i, null_out ? NULL : &x)
				      : mm_e820_get(m, i, null_out ? NULL : &x);
		if (props_compare(r))
			return PROPS_FAIL;
		if (!r->actual.ret && (x.addr != w[i].addr || x.size != w[i].size || x.type != w[i].type))
			return props_fail(r, "entry %u differs", i);
	} else if (which == 2) {
		struct mm_early_res x;
		memset(&x, 0, sizeof(x));
		r->actual.ret = mm_early_res_get(m, i, null_out ? NULL : &x);
		if (props_compare(r))
			return PROPS_FAIL;
		if (!r->actual.ret && (x.start != c->er.r[i].start || x.end != c->er.r[i].end))
			return props_fail(r, "reservation %u differs", i);
	} else {
		struct mm_membank x = { 0 };
		r->actual.ret = mm_meminfo_get(m, i, null_out ? NULL : &x);
		if (props_compare(r))
			return PROPS_FAIL;
		if (!r->actual.ret && (x.start != c->mi.b[i].start || x.size != c->mi.b[i].size ||
				       x.node != c->mi.b[i].node))
			return props_fail(r, "bank %u differs", i);
	}
	if (!m) {
		/* every counter of a missing machine reads 0 */
		PROPS_CHECK_EQ(r, "mm_e820_nr_entries(NULL)", mm_e820_nr_entries(NULL), 0);
		PROPS_CHECK_EQ(r, "mm_e820_max_entries(NULL)", mm_e820_max_entries(NULL), 0);
		PROPS_CHECK_EQ(r, "mm_early_res_count(NULL)", mm_early_res_count(NULL), 0);
		PROPS_CHECK_EQ(r, "mm_early_res_max(NULL)", mm_early_res_max(NULL), 0);
		PROPS_CHECK_EQ(r, "mm_meminfo_nr_banks(NULL)", mm_meminfo_nr_banks(NULL), 0);
		PROPS_CHECK_EQ(r, "mm_meminfo_lowmem_end(NULL)", mm_meminfo_lowmem_end(NULL), 0);
	}
	return PROPS_OK;
}

/* A PC firmware map and the reservations an early x86 boot makes in it
 * (kernel image, page tables, initrd, EBDA), through the ordinary API: an
 * input then finds areas among real reservations instead of waiting for
 * random ranges to land inside RAM. */
static int step_boot_layout(void *vctx, const struct props_op *op, struct props_result *r)
{
	static const struct oe820_entry pc[] = {
		{ 0x0, 0x9fc00, MM_E820_RAM },
		{ 0x9fc00, 0x400, MM_E820_RESERVED },
		{ 0xf0000, 0x10000, MM_E820_RESERVED },
		{ 0x100000, 0x7ee0000, MM_E820_RAM },
		{ 0x7fe0000, 0x20000, MM_E820_ACPI },
		{ 0xfffc0000, 0x40000, MM_E820_RESERVED },
		{ 0x100000000ull, 0x40000000ull, MM_E820_RAM },
	};
	static const struct oe820_res res[] = {
		{ 0x1000000, 0x1800000, "TEXT_DATA_BSS", false },
		{ 0x1800000, 0x1804000, "PGTABLE", false },
		{ 0x7000000, 0x7800000, "RAMDISK", false },
		{ 0x9f000, 0xa0000, "EBDA", true },
		{ 0x100200000ull, 0x100201000ull, "BOOTMAP", false },
	};
	struct e820_ctx *c = vctx;
	struct mm_e820_entry lib[sizeof(pc) / sizeof(pc[0])];
	uint32_t nr = sizeof(pc) / sizeof(pc[0]), nres = 1 + (uint32_t)op->v[0];

	for (uint32_t i = 0; i < nr; i++)
		lib[i] = (struct mm_e820_entry){ pc[i].addr, pc[i].size, pc[i].type };
	r->expect.ret = oe820_import(&c->e, pc, nr, &r->expect);
	r->actual.ret = mm_e820_import(c->m, lib, nr);
	if (props_compare(r) || cmp_e820(c, r))
		return PROPS_FAIL;
	for (uint32_t i = 0; i < nres && i < sizeof(res) / sizeof(res[0]); i++) {
		const struct oe820_res *x = &res[i];
		r->expect.ret = oe820_early_reserve(&c->er, x->start, x->end, x->name, x->overlap_ok,
						 &r->expect);
		r->actual.ret = x->overlap_ok ? mm_reserve_early_overlap_ok(c->m, x->start, x->end, x->name)
					      : mm_reserve_early(c->m, x->start, x->end, x->name);
		if (props_compare(r))
			return PROPS_FAIL;
	}
	props_note(r, "%u entries, %u reservations -> %d", nr, nres, r->actual.ret);
	return cmp_early(c, r);
}

/* Spans of the oracle's state, sorted by start: insertion into a small
 * caller array (at most n). */
static uint32_t span_add(struct props_span *sp, uint32_t n, uint32_t max, uint64_t a, uint64_t b)
{
	uint32_t i = n;

	if (n == max)
		return n;
	while (i > 0 && sp[i - 1].start > a) {
		sp[i] = sp[i - 1];
		i--;
	}
	sp[i] = (struct props_span){ a, b };
	return n + 1;
}

#define FIND_SPANS 160 /* e820 entries (<= 130) and early reservations (<= 24) */

/* find_e820_area with boundary-relative start and size. The start is drawn
 * against the oracle's e820 entries and early reservations; the size against
 * the distances from the first free address at or above start (the oracle's
 * own answer for one byte) to every later reservation and entry end, so that
 * a candidate ending on the first byte of a reservation, or one byte short
 * of it, comes up often. */
static int step_find_area_rel(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	struct props_span sp[FIND_SPANS];
	struct props_expect scratch;
	uint64_t start, size, end, cand = 0, align, shift = op->v[6];
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->e.nr; i++)
		n = span_add(sp, n, FIND_SPANS, c->e.t[i].addr, c->e.t[i].addr + c->e.t[i].size);
	for (uint32_t i = 0; i < c->er.nr; i++)
		n = span_add(sp, n, FIND_SPANS, c->er.r[i].start, c->er.r[i].end);
	start = props_relative(op->v[2] * 0x1000, op->v[0], op->v[1], op->v[2], 1, sp, n, 0);
	align = shift <= 16 ? 1ull << shift : shift == 17 ? 0 : 3;
	/* the first free byte at or above start, as the oracle sees it */
	memset(&scratch, 0, sizeof(scratch));
	if (oe820_find_e820_area(&c->er, &c->e, start, UINT64_MAX, 1, align ? align : 1, &cand, &scratch))
		cand = start;
	/* size spans: every later reservation as distances from cand (its
	 * start anchor is the size whose last byte is the reservation's first),
	 * and the end of every e820 entry */
	n = 0;
	for (uint32_t i = 0; i < c->er.nr; i++)
		if (c->er.r[i].start > cand)
			n = span_add(sp, n, FIND_SPANS, c->er.r[i].start - cand, c->er.r[i].end - cand);
	for (uint32_t i = 0; i < c->e.nr; i++)
		if (c->e.t[i].addr + c->e.t[i].size > cand) {
			uint64_t d = c->e.t[i].addr + c->e.t[i].size - cand;
			n = span_add(sp, n, FIND_SPANS, d, d);
		}
	size = props_relative((op->v[5] + 1) * 0x1000, op->v[3], op->v[4], op->v[5], 1, sp, n, 0);
	end = op->v[8] == 0 ? UINT64_MAX : op->v[8] == 1 ? cand + size : cand + size - 1;
	props_note(r, "[%#" PRIx64 ", %#" PRIx64 ") size %#" PRIx64 " ", start, end, size);
	return find_area(c, start, end, size, align, op->v[7] != 0, r);
}

/* ---- meminfo ops ------------------------------------------------------------------ */

static int step_meminfo_add(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	const struct oe820_bank *b = c->mi.nr ? &c->mi.b[op->v[0] % c->mi.nr] : NULL;
	uint64_t start, size;
	int node = (int)op->v[4];

	place(b != NULL, b ? b->start : 0, b ? b->size : 0, (uint32_t)op->v[1], op->v[2], op->v[3],
	      &start, &size);
	r->expect.ret = oe820_meminfo_add(&c->mi, start, size, node, &r->expect);
	r->actual.ret = mm_meminfo_add(c->m, start, size, node);
	props_note(r, "[%#" PRIx64 "+%#" PRIx64 "] -> %d", start, size, r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_meminfo(c, r);
}

static int step_meminfo_check(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;
	/* phys_bad: anything added to the page-aligned value below 4 GiB, an
	 * unaligned or out-of-range PHYS_OFFSET refused with a report */
	uint64_t phys = (op->v[0] << 12) + (op->v[3] ? op->v[4] : 0);

	r->expect.ret = oe820_meminfo_check(&c->mi, phys, op->v[1], op->v[2] != 0, &r->expect);
	r->actual.ret = mm_meminfo_sanity_check(c->m, phys, op->v[1], op->v[2] != 0);
	props_note(r, "-> %d, %u banks, vmalloc_min %#" PRIx64, r->actual.ret, c->mi.nr, c->mi.vmalloc_min);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_meminfo(c, r);
}

/* ---- hand-off to memblock ------------------------------------------------------------ */

/* Every SOFT_RESERVED range e820 setup passed on lies in memblock.reserved. */
static int check_soft_reserved(struct e820_ctx *c, struct props_result *r)
{
	const struct mm_memblock *mb = mm_memblock_get(c->m);

	for (uint32_t i = 0; mb && i < c->e.nr; i++) {
		const struct oe820_entry *x = &c->e.t[i];
		uint64_t at, end;
		if (x->type != 0xefffffffu || !x->size)
			continue;
		if (c->narrow && x->addr + x->size > 0xffffffffull)
			continue;
		end = x->size > UINT64_MAX - x->addr ? UINT64_MAX : x->addr + x->size;
		for (at = x->addr; at < end;) {
			bool moved = false;
			for (unsigned long k = 0; k < mb->reserved.cnt; k++) {
				const struct mm_memblock_region *g = &mb->reserved.regions[k];
				if (g->size && g->base <= at && at - g->base < g->size) {
					at = g->base + g->size;
					moved = true;
					break;
				}
			}
			if (!moved)
				return props_fail(r, "soft reserved %#" PRIx64 " not in memblock.reserved",
						  at);
		}
	}
	return PROPS_OK;
}

/* Feed the oracle's e820 table to the memblock oracle as e820 setup does:
 * resizing allowed, SOFT_RESERVED reserved, RAM and RESERVED_KERN added
 * (entries ending above 4 GiB skipped with a 32-bit resource_size_t), the
 * first error returned, then memory trimmed to whole pages. */
static int predict_e820_memblock(struct e820_ctx *c)
{
	int ret = 0;

	c->mb.can_resize = true;
	for (uint32_t i = 0; i < c->e.nr; i++) {
		const struct oe820_entry *e = &c->e.t[i];
		int w = 0;

		if (c->narrow && e->addr + e->size > 0xffffffffull)
			continue;
		if (e->type == MM_E820_SOFT_RESERVED)
			w = omemblock_add(&c->mb, OMEMBLOCK_RESERVED, e->addr, e->size, OMEMBLOCK_MAX_NUMNODES, 0);
		else if (e->type == MM_E820_RAM || e->type == MM_E820_RESERVED_KERN)
			w = omemblock_add(&c->mb, OMEMBLOCK_MEMORY, e->addr, e->size, OMEMBLOCK_MAX_NUMNODES, 0);
		if (w && !ret)
			ret = w;
	}
	omemblock_trim(&c->mb, 4096);
	return ret;
}

static int step_e820_memblock(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;

	(void)op;
	r->expect.ret = predict_e820_memblock(c);
	r->actual.ret = mm_e820_memblock_setup(c->m);
	props_note(r, "-> %d", r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_memblock(c, r) || check_soft_reserved(c, r);
}

/* Each bank of the oracle's meminfo, in order, to memblock_add_node: the
 * first error is returned. */
static int step_meminfo_memblock(void *vctx, const struct props_op *op, struct props_result *r)
{
	struct e820_ctx *c = vctx;

	(void)op;
	r->expect.ret = 0;
	for (uint32_t i = 0; i < c->mi.nr; i++) {
		const struct oe820_bank *b = &c->mi.b[i];
		int w = omemblock_add_node(&c->mb, b->start, b->size, b->node, 0);
		if (w && !r->expect.ret)
			r->expect.ret = w;
	}
	r->actual.ret = mm_meminfo_memblock_setup(c->m);
	props_note(r, "-> %d", r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	return cmp_memblock(c, r);
}

/* ---- the harness ------------------------------------------------------------------ */

static const struct props_opdef e820_ops[] = {
	{ "e820_add", 9, { F_ADDR("addr"), F_ADDR("size"), F_TYPE("type"), REL_RANGE }, step_add, false },
	{ "e820_add_rel", 5,
	  { PROPS_RANGE("idx", 0, 255), F_MODE, F_ADDR("delta"), F_ADDR("len"), F_TYPE("type") },
	  step_add_rel, false },
	{ "e820_sanitize", 0, { { 0 } }, step_sanitize, false },
	{ "e820_update", 12,
	  { PROPS_RANGE("idx", 0, 255), F_MODE, F_ADDR("delta"), F_ADDR("len"), F_TYPE("old"),
	    F_TYPE("new"), REL_RANGE },
	  step_update, true },
	{ "e820_remove", 12,
	  { PROPS_RANGE("idx", 0, 255), F_MODE, F_ADDR("delta"), F_ADDR("len"), F_TYPE("old"),
	    PROPS_BOOL("check_type"), REL_RANGE },
	  step_remove, false },
	{ "e820_mem_limit", 3,
	  { PROPS_RANGE("idx", 0, 255), PROPS_ENUM("anchor", limit_anchor_names, NULL),
	    F_ADDR("delta") },
	  step_mem_limit, false },
	{ "fw_stage", 3, { F_ADDR("addr"), F_ADDR("size"), F_TYPE("type") }, step_fw_stage, false },
	{ "e820_import", 1, { PROPS_ENUM("from", import_names, NULL) }, step_import, false },
	{ "e820_print", 3,
	  { PROPS_ENUM("prefix", prefix_names, NULL), PROPS_BOOL("cut"),
	    PROPS_RANGE("len", 0, 65535) },
	  step_print, false },
	{ "e820_type_name", 1, { PROPS_HEX("type", 0, 0xffffffffu) }, step_type_name, false },
	{ "reserve_early", 7,
	  { PROPS_ENUM("anchor", res_anchor_names, NULL), PROPS_RANGE("idx", 0, 255), F_MODE,
	    F_ADDR("start"), F_ADDR("end"), PROPS_BOOL("overlap_ok"),
	    PROPS_ENUM("name", res_name_names, NULL) },
	  step_reserve_early, true },
	{ "free_early", 4,
	  { PROPS_RANGE("idx", 0, 255), PROPS_ENUM("how", free_how_names, NULL), F_ADDR("start"),
	    F_ADDR("end") },
	  step_free_early, true },
	{ "find_e820_area", 7,
	  { F_ADDR("start"), F_ADDR("end"), F_ADDR("size"), PROPS_RANGE("align_shift", 0, 66),
	    PROPS_BOOL("reserve"), PROPS_ENUM("anchor", limit_anchor_names, NULL),
	    PROPS_RANGE("idx", 0, 255) },
	  step_find_area, true },
	{ "meminfo_add", 5,
	  { PROPS_RANGE("idx", 0, 255), F_MODE, F_ADDR("delta"), F_ADDR("len"),
	    PROPS_RANGE("node", 0, 65) },
	  step_meminfo_add, true },
	{ "meminfo_sanity_check", 5,
	  { PROPS_HEX("phys_pfn", 0, 0xfffff), PROPS_HEX("vmalloc_reserve", 0, 0xffffffffu),
	    PROPS_BOOL("highmem"), PROPS_BOOL("phys_bad"), F_ADDR("phys_add") },
	  step_meminfo_check, false },
	{ "e820_memblock_setup", 0, { { 0 } }, step_e820_memblock, false },
	{ "meminfo_memblock_setup", 0, { { 0 } }, step_meminfo_memblock, false },
	{ "find_e820_area_rel", 9,
	  { PROPS_REL_FIELDS("start"), PROPS_REL_FIELDS("size"), PROPS_RANGE("align_shift", 0, 18),
	    PROPS_BOOL("reserve"), PROPS_ENUM("end", find_end_names, NULL) },
	  step_find_area_rel, true },
	{ "boot_layout", 1, { PROPS_RANGE("reservations", 0, 4) }, step_boot_layout, false },
	{ "get", 5,
	  { PROPS_ENUM("table", get_table_names, NULL), PROPS_RANGE("around_end", 0, 4),
	    PROPS_ENUM("far", get_far_names, NULL), PROPS_BOOL("null_out"),
	    PROPS_BOOL("null_machine") },
	  step_get, true },
};

/* A full check compares every table with its oracle and walks every stage
 * (mm_verify): about four operations' worth of work whatever the tables
 * hold, so in fuzzing it runs every fourth operation (and at the end). */
static uint64_t e820_check_cost(void *ctx)
{
	(void)ctx;
	return 4 * PROPS_FUZZ_CHECK_BUDGET;
}

const struct props_harness props_harness_e820 = {
	.name = "e820",
	.summary = "firmware map: e820, early_res, ARM meminfo",
	.ctx_size = sizeof(struct e820_ctx),
	.max_ops = 300,
	.check_every = 16,
	.config = { "config", 6,
		    { PROPS_ENUM("era", era_names, NULL), PROPS_ENUM("profile", profile_names, NULL),
		      PROPS_RANGE("e820_max", 0, 130), PROPS_RANGE("early_res_max", 0, 24),
		      PROPS_RANGE("nr_banks", 0, 12), PROPS_ENUM("remove_split", split_names, NULL) },
		    NULL, false },
	.setup = e820_setup,
	.check = e820_check,
	.check_cost = e820_check_cost,
	.teardown = e820_teardown,
	.nr_ops = sizeof(e820_ops) / sizeof(e820_ops[0]),
	.ops = e820_ops,
};
