/*
 * Harness "bootmem": a layout of 1..4 nodes (spans, gaps, a first node at
 * any pfn, RAM holes with byte-granular edges, a lowmem limit that makes
 * highmem appear), then boot-allocator operations and the hand-off.
 *
 * 2.6.29 path (setup): e820 RAM entries, the bitmaps placed with
 * find_e820_area and reserve_early("BOOTMAP") (or, when that finds nothing,
 * at each node's first pfn and reserve_bootmem'ed as ARM does), per lowmem
 * node init_bootmem_node, free_bootmem of its RAM, early_res_to_bootmem.
 * Modern path: memblock_add_node of the RAM, the BIOS page reserved.
 *
 * Ops: free/reserve_bootmem (global and _node, both flags), the alloc
 * family with size/align/goal/limit (misuse included), early reservations
 * (reserve_early or memblock_reserve) and their carry-over, NOMAP marks,
 * scribbles on simulated memory (allocations must read back zeroed), the
 * hand-off, the highmem step, and buddy alloc/free afterwards. Every result,
 * every report (through the runner) and every placement is compared with
 * the oracle; check() compares every bootmem bit, hint and last_end_off,
 * and every pfn of the buddy allocator, and runs mm_verify: all of it in
 * every total check (props mode, and the end of every input), only what an
 * operation changed in a fuzz-mode check in the middle of an input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_bootmem.h"
#include "props.h"

#define PG 4096ull
#define MAX_NODES 8
#define MAX_RAM 32
#define MAX_RES 64
#define MAX_MEM 128
#define MAX_LIVE 256
#define MAX_MB_RESERVE 40
#define MAX_NOMAP 16
#define TOTAL_PAGES 8192

struct bootmem_ctx {
	struct mm_machine *m;
	struct obootmem o;
	bool modern;
	int nodes;
	int nid[MAX_NODES];                    /* node i (by address) has nid[i] */
	uint32_t nr_cpus, hardening;
	uint64_t max_pfn;                      /* the profile's */
	size_t rsv_cap;
	uint64_t ns[MAX_NODES], ne[MAX_NODES]; /* page-allocator node spans */
	uint64_t lowpfn;
	struct obootmem_ival ram[MAX_RAM];           /* RAM segments (e820 / memblock) */
	int nram;
	uint64_t early[MAX_RES][2];            /* early_res mirror (2.6.29) */
	int nearly;
	uint32_t early_max;
	struct obootmem_ival mem[MAX_MEM];           /* memblock memory mirror (modern) */
	int nmem;
	struct obootmem_ival mres[MAX_RES];          /* memblock reserved mirror */
	int nmres, nomaps;
	uint64_t live[MAX_LIVE][2];            /* buddy blocks: pfn, order */
	int nlive;
	/* Fuzz mode only (a check with r->total false): the page-by-page buddy
	 * comparison is a walk, run when an op could have changed the buddy
	 * state; the bootmem bitmaps are walked when an op changed them in the
	 * oracle, and every 8th check; mm_verify runs when an op changed some
	 * state, and every 8th check. A total check runs everything. */
	bool buddy_dirty;
	bool bootmem_dirty;
	uint32_t checks;
	bool verify_due;
	/* the checks' view of the library, filled in one call per node:
	 * node_pages entries (at least every lowmem node's pages) */
	uint32_t *flags;
	uint8_t *rsv;
};

static const char *const era_names[] = { "2.6.29", "modern" };
static const char *const alloc_names[] = { "alloc", "nopanic", "node", "low", "limit",
					   "limit_nopanic" };
static const char *const gfp_names[] = { "KERNEL", "HIGHUSER", "DMA", "ATOMIC", "KERNEL_ZERO",
					 "HIGHUSER_ZERO", "HIGH", "THISNODE", "BOGUS" };
static const uint64_t gfp_values[] = { MM_GFP_KERNEL, MM_GFP_HIGHUSER, MM_GFP_DMA, MM_GFP_ATOMIC,
				       MM_GFP_ZERO, MM_GFP_HIGHUSER | MM_GFP_ZERO, MM_GFP_HIGH,
				       MM_GFP_THISNODE | MM_GFP_HIGHUSER, 0x4 };
static const char *const profile_names[] = { "x86_32", "pae" };
/* only the hardening bits some stage implements (the buddy allocator's
 * poisoning and shuffle, ASan poisoning of free frames) */
static const char *const harden_names[] = { "none", "poison", "shuffle", "poison+shuffle", "asan",
					    "asan+poison", "asan+shuffle", "all" };
static const uint64_t harden_values[] = {
	0, MM_HARDEN_POISON, MM_HARDEN_SHUFFLE, MM_HARDEN_POISON | MM_HARDEN_SHUFFLE,
	MM_HARDEN_ASAN_POISON, MM_HARDEN_ASAN_POISON | MM_HARDEN_POISON,
	MM_HARDEN_ASAN_POISON | MM_HARDEN_SHUFFLE,
	MM_HARDEN_ASAN_POISON | MM_HARDEN_POISON | MM_HARDEN_SHUFFLE,
};

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- layout ----------------------------------------------------------- */

/* RAM of one node: one segment, or (holes seed) up to 3 with byte edges,
 * never touching, so per-entry page trimming is unambiguous. */
static void layout_ram(struct bootmem_ctx *c, int i, uint64_t *seed, bool holes)
{
	uint64_t a = c->ns[i] * PG, b = c->ne[i] * PG, pts[6];
	int k;

	if (!holes) {
		c->ram[c->nram++] = (struct obootmem_ival){ a, b, c->nid[i], false };
		return;
	}
	for (k = 0; k < 6; k++) {
		uint64_t r = mix(seed), p = a + r % (b - a);
		pts[k] = (r >> 40) & 1 ? p & ~(PG - 1) : p;
	}
	for (int x = 1; x < 6; x++)
		for (int y = x; y > 0 && pts[y - 1] > pts[y]; y--) {
			uint64_t t = pts[y];
			pts[y] = pts[y - 1];
			pts[y - 1] = t;
		}
	if (mix(seed) & 1)
		pts[0] = a;
	if (mix(seed) & 1)
		pts[5] = b;
	for (k = 0; k < 6; k += 2) {
		uint64_t s = pts[k], e = pts[k + 1];
		/* keep a gap of at least one byte to the previous segment */
		if (c->nram && s <= c->ram[c->nram - 1].end)
			s = c->ram[c->nram - 1].end + 1;
		if (s < e && c->nram < MAX_RAM)
			c->ram[c->nram++] = (struct obootmem_ival){ s, e, c->nid[i], false };
	}
}

/* A call's result against the oracle's: want was predicted before the
 * library ran (its report is in r->expect already); compared now, so that
 * a step can go on with more calls. */
static int expect(struct bootmem_ctx *c, struct props_result *r, int got, struct obootmem_res want)
{
	props_note(r, "-> %d", got);
	if (want.ret == 0 || want.ret == -EBUSY)
		c->bootmem_dirty = c->verify_due = true;
	r->expect.ret = want.ret;
	r->actual.ret = got;
	return props_compare(r);
}

static int setup_2629(struct bootmem_ctx *c, struct props_result *r)
{
	struct mm_e820_entry map[MAX_RAM + 2];
	uint64_t lo_end[MAX_NODES], mp[MAX_NODES], total = 0, at = 0;
	bool found;
	int n = 0;

	for (int i = 0; i < c->nram; i++)
		map[n++] = (struct mm_e820_entry){ c->ram[i].start, c->ram[i].end - c->ram[i].start,
						   MM_E820_RAM };
	/* two firmware entries at least, or the kernel ignores the map */
	map[n++] = (struct mm_e820_entry){ 0xfec00000ull, PG, MM_E820_RESERVED };
	map[n++] = (struct mm_e820_entry){ 0xfee00000ull, PG, MM_E820_RESERVED };
	if (mm_e820_import(c->m, map, (uint32_t)n))
		return props_fail(r, "e820 import refused");
	c->early[c->nearly][0] = 0;
	c->early[c->nearly++][1] = PG; /* the preset BIOS page */
	for (int i = 0; i < c->nodes; i++) {
		lo_end[i] = c->ne[i] < c->lowpfn ? c->ne[i] : c->lowpfn;
		mp[i] = 0;
		if (c->ns[i] < lo_end[i])
			total += ((lo_end[i] - c->ns[i] + 7) / 8 + 3) / 4 * 4 / PG +
				 (((lo_end[i] - c->ns[i] + 7) / 8 + 3) / 4 * 4 % PG != 0);
	}
	found = total && !mm_find_e820_area(c->m, 0, c->lowpfn * PG, total * PG, PG, &at);
	if (found) {
		if (mm_reserve_early(c->m, at, at + total * PG, "BOOTMAP"))
			return props_fail(r, "reserve_early(BOOTMAP) refused");
		c->early[c->nearly][0] = at;
		c->early[c->nearly++][1] = at + total * PG;
	}
	for (int i = 0; i < c->nodes; i++) {
		uint64_t size;
		if (c->ns[i] >= lo_end[i])
			continue;
		mp[i] = found ? at / PG : c->ns[i];
		if (mm_init_bootmem_node(c->m, c->nid[i], mp[i], c->ns[i], lo_end[i], &size) ||
		    obootmem_add_node(&c->o, c->nid[i], mp[i], c->ns[i], lo_end[i]))
			return props_fail(r, "init_bootmem_node %d refused", c->nid[i]);
		if (size != obootmem_node_by_nid(&c->o, c->nid[i])->map_bytes)
			return props_fail(r, "bitmap bytes: library %llu, oracle %llu",
					  (unsigned long long)size,
					  (unsigned long long)obootmem_node_by_nid(&c->o, c->nid[i])->map_bytes);
		at += obootmem_node_by_nid(&c->o, c->nid[i])->map_pages * PG;
	}
	/* free_bootmem_with_active_regions: RAM entries trimmed inward */
	for (int k = 0; k < c->nram; k++) {
		for (int i = 0; i < c->nodes; i++) {
			uint64_t s = (c->ram[k].start + PG - 1) / PG, e = c->ram[k].end / PG;
			if (s < c->ns[i])
				s = c->ns[i];
			if (e > lo_end[i])
				e = lo_end[i];
			if (s >= e)
				continue;
			struct obootmem_res want = obootmem_free_bootmem(&c->o, -1, s * PG, (e - s) * PG);
			if (expect(c, r, mm_free_bootmem(c->m, s * PG, (e - s) * PG), want))
				return PROPS_FAIL;
		}
	}
	{
		struct obootmem_res want = obootmem_early_res_to_bootmem(&c->o, (const uint64_t(*)[2])c->early,
							     c->nearly);
		if (expect(c, r, mm_early_res_to_bootmem(c->m), want))
			return PROPS_FAIL;
	}
	for (int i = 0; i < c->nodes && !found; i++) {
		if (c->ns[i] >= lo_end[i])
			continue;
		uint64_t len = obootmem_node_by_nid(&c->o, c->nid[i])->map_pages * PG;
		struct obootmem_res want = obootmem_reserve_bootmem(&c->o, -1, mp[i] * PG, len, 0);
		if (expect(c, r, mm_reserve_bootmem(c->m, mp[i] * PG, len, MM_BOOTMEM_DEFAULT), want))
			return PROPS_FAIL;
	}
	r->note[0] = '\0';
	return PROPS_OK;
}

static int setup_modern(struct bootmem_ctx *c, struct props_result *r)
{
	for (int i = 0; i < c->nram; i++) {
		if (mm_memblock_add_node(c->m, c->ram[i].start, c->ram[i].end - c->ram[i].start,
					 c->ram[i].nid, MM_MEMBLOCK_NONE))
			return props_fail(r, "memblock_add_node refused");
		c->mem[c->nmem++] = c->ram[i];
	}
	if (mm_memblock_reserve(c->m, 0, PG))
		return props_fail(r, "memblock_reserve(BIOS page) refused");
	c->mres[c->nmres++] = (struct obootmem_ival){ 0, PG, 0, false };
	return PROPS_OK;
}

/* Node i's nid and page count from the shape: 0 keeps nids 0, 1, ... in
 * address order and every node node_pages long; otherwise nids are drawn
 * from 0..7 in any order and each node gets 1..node_pages pages. */
static void draw_shape(struct bootmem_ctx *c, uint64_t shape, uint64_t pages[MAX_NODES], uint64_t np)
{
	int pool[OBOOTMEM_MAX_NODES];
	uint64_t s = shape;

	for (int k = 0; k < OBOOTMEM_MAX_NODES; k++)
		pool[k] = k;
	for (int i = 0; i < c->nodes; i++) {
		int k = shape ? i + (int)(mix(&s) % (uint64_t)(OBOOTMEM_MAX_NODES - i)) : i, t = pool[k];
		pool[k] = pool[i];
		pool[i] = t;
		c->nid[i] = t;
		pages[i] = shape ? 1 + mix(&s) % np : np;
		/* at most TOTAL_PAGES in all: the per-input work stays bounded */
		if (pages[i] > TOTAL_PAGES / (uint64_t)c->nodes)
			pages[i] = TOTAL_PAGES / (uint64_t)c->nodes;
	}
}

static int bootmem_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	struct mm_config mc;
	uint64_t seed = cfg->v[6], pfn = cfg->v[3], pages[MAX_NODES];
	uint32_t fault = (uint32_t)cfg->v[7];

	c->modern = cfg->v[0] == 1;
	c->nodes = (int)cfg->v[1];
	mm_config_default(&mc, c->modern ? MM_ERA_MODERN : MM_ERA_2_6_29);
	mc.lowmem_limit = cfg->v[5] * PG;
	mc.profile = cfg->v[8] ? MM_PROFILE_X86_PAE : MM_PROFILE_X86_32;
	mc.max_order = (uint32_t)cfg->v[9];
	mc.hardening = c->hardening = (uint32_t)cfg->v[10];
	mc.nr_cpus = c->nr_cpus = (uint32_t)cfg->v[11];
	c->max_pfn = cfg->v[8] ? 1ull << 24 : 1ull << 20;
	c->lowpfn = cfg->v[5] ? cfg->v[5] : (896ull << 20) / PG;
	if (mm_machine_create(&mc, &c->m))
		return props_fail(r, "machine create refused");
	props_watch(r, c->m);
	c->early_max = mm_early_res_max(c->m);
	obootmem_init(&c->o, c->lowpfn, cfg->v[9] ? cfg->v[9] : 11);
	obootmem_buddy_config(&c->o, c->hardening & MM_HARDEN_POISON, c->modern, 0);
	c->o.expect = &r->expect; /* the runner's, for the whole input */
	c->rsv_cap = cfg->v[2];
	c->flags = malloc(cfg->v[2] * sizeof(*c->flags));
	c->rsv = malloc(cfg->v[2]);
	if (!c->flags || !c->rsv)
		return props_fail(r, "host out of memory for the check buffers");
	draw_shape(c, cfg->v[12], pages, cfg->v[2]);
	{
		uint64_t end = pfn;
		for (int i = 0; i < c->nodes; i++)
			end += pages[i] + (i + 1 < c->nodes ? cfg->v[4] : 0);
		if (obootmem_span_reserve(&c->o, end))
			return props_fail(r, "host out of memory for the oracle");
	}
	for (int i = 0; i < c->nodes; i++) {
		int want;
		c->ns[i] = pfn;
		c->ne[i] = pfn + pages[i];
		pfn = c->ne[i] + cfg->v[4];
		want = obootmem_node_add(&c->o, c->nid[i], c->ns[i], c->ne[i], c->max_pfn);
		if (want == -1)
			return props_fail(r, "host out of memory for the oracle");
		r->expect.ret = want;
		r->actual.ret = mm_node_add(c->m, c->nid[i], c->ns[i], c->ne[i]);
		if (props_compare(r))
			return PROPS_FAIL;
		layout_ram(c, i, &seed, cfg->v[6] != 0);
	}
	r->expect.ret = obootmem_free_area_init(&c->o);
	r->actual.ret = mm_free_area_init(c->m);
	if (props_compare(r))
		return PROPS_FAIL;
	if ((c->modern ? setup_modern : setup_2629)(c, r))
		return PROPS_FAIL;
	c->buddy_dirty = c->bootmem_dirty = c->verify_due = true;
	if (fault) {
		mm_fault_inject_set(c->m, true, (fault - 1) & 31, (fault - 1) >> 5);
		obootmem_fault_set(&c->o, true, (fault - 1) & 31, (fault - 1) >> 5);
	}
	return PROPS_OK;
}

static void bootmem_teardown(void *ctx)
{
	struct bootmem_ctx *c = ctx;
	mm_machine_destroy(c->m);
	obootmem_free(&c->o);
	free(c->flags);
	free(c->rsv);
}

/* ---- checks ----------------------------------------------------------- */

static int check_bytes(struct bootmem_ctx *c, struct props_result *r, uint64_t a, uint64_t size);

static int check_bootmem(struct bootmem_ctx *c, struct props_result *r)
{
	for (int i = 0; i < c->o.nr; i++) {
		const struct obootmem_node *n = &c->o.node[i];
		struct mm_bootmem_node_info bi;
		if (mm_bootmem_node_info(c->m, n->nid, &bi))
			return props_fail(r, "node %d: no bootmem info", n->nid);
		PROPS_CHECK_EQ(r, "min_pfn", bi.min_pfn, n->min);
		PROPS_CHECK_EQ(r, "low_pfn", bi.low_pfn, n->low);
		PROPS_CHECK_EQ(r, "map_bytes", bi.map_bytes, n->map_bytes);
		PROPS_CHECK_EQ(r, "hint_idx", bi.hint_idx, n->hint);
		PROPS_CHECK_EQ(r, "last_end_off", bi.last_end_off, n->last_end);
		uint64_t nres = 0;
		for (uint64_t p = n->min; p < n->low; p++)
			nres += n->rsv[p - n->min];
		PROPS_CHECK_EQ(r, "reserved pages", bi.nr_reserved, nres);
		/* the point view at the node's edges and just outside them */
		{
			const uint64_t edge[4] = { n->min - 1, n->min, n->low - 1, n->low };
			for (int k = 0; k < 4; k++) {
				bool rs = false;
				int want = obootmem_reserved(&c->o, edge[k]);
				int ret = mm_bootmem_page_reserved(c->m, edge[k], &rs);
				if (want < 0 ? ret != -ENOENT : (ret || rs != (want == 1)))
					return props_fail(r, "pfn %#llx: bootmem_page_reserved %d (%d), oracle %d",
							  (unsigned long long)edge[k], ret, rs, want);
			}
		}
		if (!r->total && !c->bootmem_dirty && c->checks % 8)
			continue;
		if (n->low - n->min > c->rsv_cap) {
			uint8_t *b = realloc(c->rsv, n->low - n->min);
			if (!b)
				return props_fail(r, "host out of memory for the check buffers");
			c->rsv = b;
			c->rsv_cap = n->low - n->min;
		}
		/* every bit, compared as bytes; a page-by-page look names the
		 * first difference */
		if (mm_bootmem_reserved_map(c->m, n->nid, c->rsv, n->low - n->min))
			return props_fail(r, "node %d: no bootmem bitmap", n->nid);
		if (!memcmp(c->rsv, n->rsv, n->low - n->min))
			continue;
		for (uint64_t p = n->min; p < n->low; p++) {
			bool rs = false;
			if (mm_bootmem_page_reserved(c->m, p, &rs) || rs != (n->rsv[p - n->min] != 0))
				return props_fail(r, "pfn %#llx: library reserved=%d, oracle %d",
						  (unsigned long long)p, rs, n->rsv[p - n->min]);
		}
		return props_fail(r, "node %d: bitmap differs, but no pfn does", n->nid);
	}
	PROPS_CHECK_EQ(r, "bootmem nodes", mm_bootmem_nr_nodes(c->m), c->o.nr);
	return PROPS_OK;
}

static int check_buddy(struct bootmem_ctx *c, struct props_result *r)
{
	for (int i = 0; i < c->nodes; i++) {
		if (mm_page_flags_range(c->m, c->ns[i], c->ne[i] - c->ns[i], c->flags))
			return props_fail(r, "node %d: no page info", i);
		for (uint64_t p = c->ns[i]; p < c->ne[i]; p++) {
			const struct mm_page_info pi = { .flags = c->flags[p - c->ns[i]] };
			/* the oracle's array read directly: this runs per pfn */
			enum obootmem_pstate st = p < c->o.span_end ? (enum obootmem_pstate)c->o.pstate[p]
							      : OBOOTMEM_ABSENT;
			bool fr, al;
			if (pi.flags & MM_PAGE_NOPAGE)
				return props_fail(r, "pfn %#llx: no page info", (unsigned long long)p);
			fr = (pi.flags & MM_PAGE_FREE) != 0;
			al = (pi.flags & MM_PAGE_ALLOCATED) != 0;
			if (fr != (st == OBOOTMEM_FREE) || (st == OBOOTMEM_RESERVED) != !!(pi.flags & MM_PAGE_RESERVED))
				return props_fail(r, "pfn %#llx: library flags %#x, oracle state %d",
						  (unsigned long long)p, pi.flags, st);
			if (al && st != OBOOTMEM_ALLOCATED)
				return props_fail(r, "pfn %#llx allocated, oracle state %d",
						  (unsigned long long)p, st);
		}
	}
	PROPS_CHECK_EQ(r, "nr_free_pages", mm_nr_free_pages(c->m), c->o.nr_free);
	return PROPS_OK;
}

/* Every zone of every node: span, present, managed, free pages, free
 * blocks per order, and (once computed) watermarks and lowmem_reserve. */
static int check_zones(struct bootmem_ctx *c, struct props_result *r)
{
	int online = 0;
	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++) {
		if (!c->o.pnode[n].online)
			continue;
		online++;
		for (int z = 0; z < OBOOTMEM_ZONES; z++) {
			const struct obootmem_zone *oz = &c->o.pnode[n].zone[z];
			struct mm_zone_info zi;
			uint64_t free, nr_free[OBOOTMEM_ORDERS];
			if (mm_zone_info(c->m, n, z, &zi))
				return props_fail(r, "node %d zone %d: no zone info", n, z);
			obootmem_zone_free(&c->o, n, z, &free, nr_free);
			if (r->all_checks) {
				/* props mode: the oracle's kept counts against its
				 * own recount (a check of the oracle, not of the
				 * library, so fuzz mode leaves it out) */
				uint64_t sfree, snr[OBOOTMEM_ORDERS];
				obootmem_zone_free_scan(&c->o, n, z, &sfree, snr);
				if (sfree != free || memcmp(snr, nr_free, sizeof(snr)))
					return props_fail(r, "oracle: node %d zone %d kept free counts "
							  "differ from a recount", n, z);
			}
			PROPS_CHECK_EQ(r, "zone start", zi.start_pfn, oz->start);
			PROPS_CHECK_EQ(r, "zone end", zi.end_pfn, oz->end);
			PROPS_CHECK_EQ(r, "present pages", zi.present_pages, oz->present);
			PROPS_CHECK_EQ(r, "managed pages", zi.managed_pages, oz->managed);
			PROPS_CHECK_EQ(r, "zone free pages", zi.free_pages, free);
			for (unsigned k = 0; k < c->o.max_order; k++)
				if (zi.nr_free[k] != nr_free[k])
					return props_fail(r, "node %d zone %d nr_free[%u]: library %llu, "
							  "oracle %llu", n, z, k,
							  (unsigned long long)zi.nr_free[k],
							  (unsigned long long)nr_free[k]);
			if (!c->o.wmarks_ready)
				continue;
			PROPS_CHECK_EQ(r, "wmark min", zi.wmark_min, oz->wmark[0]);
			PROPS_CHECK_EQ(r, "wmark low", zi.wmark_low, oz->wmark[1]);
			PROPS_CHECK_EQ(r, "wmark high", zi.wmark_high, oz->wmark[2]);
			for (int j = 0; j < OBOOTMEM_ZONES; j++)
				PROPS_CHECK_EQ(r, "lowmem_reserve", zi.lowmem_reserve[j], oz->reserve[j]);
		}
	}
	PROPS_CHECK_EQ(r, "online nodes", mm_nr_nodes(c->m), online);
	return PROPS_OK;
}

/* Every page the oracle knows the bytes of, whole (free pages excepted:
 * reading one is a use after free), and the number of backed pages: a
 * page of the library's that the oracle has not is an extra backed page. */
static int check_contents(struct bootmem_ctx *c, struct props_result *r)
{
	/* the frames below span_end that hold bytes: what far does not of the
	 * backed count, all inside [frame_lo, frame_hi) (no scan of the span) */
	uint64_t left = c->o.backed;
	PROPS_CHECK_EQ(r, "backed pages", mm_phys_backed_pages(c->m), c->o.backed);
	for (uint32_t i = 0; i < c->o.nfar; i++) {
		if (!c->o.far[i].bytes)
			continue;
		left--;
		if (check_bytes(c, r, c->o.far[i].pfn * PG, PG))
			return PROPS_FAIL;
	}
	for (uint64_t p = c->o.frame_lo; left && p < c->o.frame_hi; p++) {
		if (!c->o.frame[p])
			continue;
		left--;
		if (c->o.pstate[p] != OBOOTMEM_FREE && check_bytes(c, r, p * PG, PG))
			return PROPS_FAIL;
	}
	return PROPS_OK;
}

static int bootmem_check(void *ctx, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	bool verify = r->total || c->verify_due || c->buddy_dirty || c->checks % 8 == 0;

	if (!c->o.handed && check_bootmem(c, r))
		return PROPS_FAIL;
	c->checks++;
	c->bootmem_dirty = false;
	PROPS_CHECK_EQ(r, "bootmem handed off", mm_bootmem_handed_off(c->m), c->o.handed);
	PROPS_CHECK_EQ(r, "nr_free_pages", mm_nr_free_pages(c->m), c->o.nr_free);
	if ((r->total || c->buddy_dirty) && (check_buddy(c, r) || check_zones(c, r)))
		return PROPS_FAIL;
	c->buddy_dirty = false;
	if ((r->total || verify) && check_contents(c, r))
		return PROPS_FAIL;
	if (verify && mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	c->verify_due = false;
	return PROPS_OK;
}

/* A fresh allocation [a, a + size), read back whole in both modes: a page
 * the oracle holds bytes for (poison, or what the page held) byte by byte,
 * any other page by its backing (unbacked: reads zero), so every page of a
 * zeroing allocation is shown zero at no 4 KiB read per untouched page. */
static int check_fresh(struct bootmem_ctx *c, struct props_result *r, uint64_t a, uint64_t size)
{
	return check_bytes(c, r, a, size);
}

/* ---- ops -------------------------------------------------------------- */

/* where: 0 = absolute, k = relative to node (k - 1) % nodes. */
static uint64_t at(const struct bootmem_ctx *c, uint64_t where, uint64_t addr)
{
	return where ? c->ns[(where - 1) % (uint64_t)c->nodes] * PG + addr : addr;
}

static int node_arg(uint64_t v) { return v ? (int)v - 1 : -1; }

/* ---- boundary-relative values ----------------------------------------- */

#define MAX_SPANS 160

static void span_add(struct props_span *sp, uint32_t *n, uint64_t a, uint64_t b)
{
	uint32_t j;
	if (*n >= MAX_SPANS || a >= b)
		return;
	for (j = (*n)++; j && sp[j - 1].start > a; j--)
		sp[j] = sp[j - 1];
	sp[j] = (struct props_span){ a, b };
}

/* The oracle's boundaries, in bytes, sorted by start: every node (the
 * page allocator's and bootmem's), every run of reserved pages in a bootmem
 * bitmap, every early reservation (early_res or memblock.reserved), every
 * live buddy block. */
static uint32_t spans_of(const struct bootmem_ctx *c, struct props_span *sp)
{
	uint32_t n = 0;
	for (int i = 0; i < c->nodes; i++)
		span_add(sp, &n, c->ns[i] * PG, c->ne[i] * PG);
	for (int i = 0; i < c->o.nr && !c->o.handed; i++) {
		const struct obootmem_node *nd = &c->o.node[i];
		span_add(sp, &n, nd->min * PG, nd->low * PG);
		for (uint64_t p = nd->min; p < nd->low;) {
			uint64_t e = p;
			while (e < nd->low && nd->rsv[e - nd->min])
				e++;
			span_add(sp, &n, p * PG, e * PG);
			p = e + 1;
		}
	}
	for (int i = 0; i < c->nearly; i++)
		span_add(sp, &n, c->early[i][0], c->early[i][1]);
	for (int i = 0; i < c->nmres; i++)
		span_add(sp, &n, c->mres[i].start, c->mres[i].end);
	for (int i = 0; i < c->nlive; i++)
		span_add(sp, &n, c->live[i][0] * PG, (c->live[i][0] + (1ull << c->live[i][1])) * PG);
	return n;
}

/* Field k's value, or its relative form (fields rel, rel+1, rel+2). */
static uint64_t rel(const struct bootmem_ctx *c, const struct props_op *op, uint64_t absolute,
		    int k, uint64_t unit)
{
	struct props_span sp[MAX_SPANS];
	uint32_t n;
	if (!op->v[k])
		return absolute;
	n = spans_of(c, sp);
	return props_relative(absolute, op->v[k], op->v[k + 1], op->v[k + 2], unit, sp, n,
			      c->ne[c->nodes - 1] * PG);
}

/* An address field: `where` + addr, or relative (then `where` is not added). */
static uint64_t rel_at(const struct bootmem_ctx *c, const struct props_op *op, int k)
{
	return op->v[k] ? rel(c, op, 0, k, 1) : at(c, op->v[0], op->v[1]);
}

static int step_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t a = rel_at(c, op, 4), size = rel(c, op, op->v[2], 7, 1);
	int node = node_arg(op->v[3]);
	struct obootmem_res want = obootmem_free_bootmem(&c->o, node, a, size);
	int got = node < 0 ? mm_free_bootmem(c->m, a, size) : mm_free_bootmem_node(c->m, node, a, size);
	return expect(c, r, got, want);
}

static int step_reserve(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t a = rel_at(c, op, 5), size = rel(c, op, op->v[2], 8, 1);
	int node = node_arg(op->v[3]), flags = (int)op->v[4];
	struct obootmem_res want = obootmem_reserve_bootmem(&c->o, node, a, size, flags);
	int got = node < 0 ? mm_reserve_bootmem(c->m, a, size, flags)
			   : mm_reserve_bootmem_node(c->m, node, a, size, flags);
	return expect(c, r, got, want);
}

/* [a, a + size) reads as the oracle's bytes, every byte of it (a fresh
 * allocation: zeros, or poison). A frame's backing is predicted too (the
 * oracle holds bytes for exactly the frames the library backs), and an
 * unbacked frame reads zeros by construction (mm_phys_read; the machine
 * harness's read-backs pin that rule): such a frame is compared by its
 * backing alone, with no 4 KiB read. */
static int check_bytes(struct bootmem_ctx *c, struct props_result *r, uint64_t a, uint64_t size)
{
	uint8_t buf[PG];

	for (uint64_t at = a; at < a + size;) {
		uint64_t off = at % PG, n = (a + size - at) < PG - off ? a + size - at : PG - off;
		const uint8_t *want = obootmem_frame(&c->o, at / PG);
		const bool backed = mm_phys_frame_backed(c->m, at / PG);
		if (backed != (want != NULL))
			return props_fail(r, "pfn %#llx backed: library %d, oracle %d",
					  (unsigned long long)(at / PG), backed, want != NULL);
		if (!want) {
			at += n;
			continue;
		}
		if (mm_phys_read(c->m, at, buf, (size_t)n))
			return props_fail(r, "phys_read %#llx refused", (unsigned long long)at);
		if (memcmp(buf, want + off, (size_t)n))
			for (uint64_t i = 0; i < n; i++)
				if (buf[i] != want[off + i])
					return props_fail(r, "byte %#llx: library %#x, oracle %#x",
							  (unsigned long long)(at + i), buf[i], want[off + i]);
		at += n;
	}
	return PROPS_OK;
}

static int step_alloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	enum obootmem_alloc_kind kind = (enum obootmem_alloc_kind)op->v[0];
	uint64_t size = rel(c, op, op->v[1], 6, 1), align = op->v[2];
	uint64_t goal = rel(c, op, op->v[3], 9, PG), limit = rel(c, op, op->v[4], 12, PG);
	int nid = (int)op->v[5], got;
	uint64_t a = 0;
	/* predicted first, fault injection included */
	struct obootmem_res want = obootmem_alloc(&c->o, kind, nid, size, align, goal, limit);

	switch (kind) {
	case OBOOTMEM_ALLOC: got = mm_alloc_bootmem(c->m, size, align, goal, &a); break;
	case OBOOTMEM_NOPANIC: got = mm_alloc_bootmem_nopanic(c->m, size, align, goal, &a); break;
	case OBOOTMEM_NODE: got = mm_alloc_bootmem_node(c->m, nid, size, align, goal, &a); break;
	case OBOOTMEM_LOW: got = mm_alloc_bootmem_low(c->m, size, align, goal, &a); break;
	default:
		got = mm_alloc_bootmem_limit(c->m, size, align, goal, limit, kind == OBOOTMEM_LIMIT_NOPANIC,
					     &a);
		break;
	}
	if (expect(c, r, got, want))
		return PROPS_FAIL;
	if (got)
		return PROPS_OK;
	props_note(r, " at %#llx", (unsigned long long)a);
	PROPS_CHECK_EQ(r, "allocation address", a, want.addr);
	return check_fresh(c, r, a, size);
}

static bool early_overlaps(const struct bootmem_ctx *c, uint64_t s, uint64_t e)
{
	for (int i = 0; i < c->nearly; i++)
		if (s < c->early[i][1] && c->early[i][0] < e)
			return true;
	return false;
}

static int step_early_reserve(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t a = rel_at(c, op, 3), size = rel(c, op, op->v[2], 6, 1), e;
	int got;

	if (!c->modern) {
		/* only what reserve_early accepts: the early_res stage's own
		 * refusals are its harness's business */
		e = a + size < a ? UINT64_MAX : a + size;
		if (a >= e || early_overlaps(c, a, e) || (uint32_t)c->nearly + 1 >= c->early_max ||
		    c->nearly >= MAX_RES) {
			props_note(r, "skipped");
			return PROPS_OK;
		}
		r->expect.ret = 0;
		got = r->actual.ret = mm_reserve_early(c->m, a, e, "OP");
		props_note(r, "-> %d", got);
		if (props_compare(r))
			return PROPS_FAIL;
		c->early[c->nearly][0] = a;
		c->early[c->nearly++][1] = e;
		c->verify_due = true;
		return PROPS_OK;
	}
	if (c->nmres >= MAX_MB_RESERVE || !size) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	r->expect.ret = 0;
	got = r->actual.ret = mm_memblock_reserve(c->m, a, size);
	props_note(r, "-> %d", got);
	if (props_compare(r))
		return PROPS_FAIL;
	e = a + size < a || a + size == 0 ? UINT64_MAX : a + size;
	c->mres[c->nmres++] = (struct obootmem_ival){ a, e, 0, false };
	c->verify_due = true;
	return PROPS_OK;
}

static int step_carry(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	struct obootmem_res want = obootmem_early_res_to_bootmem(&c->o, (const uint64_t(*)[2])c->early,
						     c->nearly);
	(void)op;
	return expect(c, r, mm_early_res_to_bootmem(c->m), want);
}

static int step_nomap(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t a = rel_at(c, op, 3), size = rel(c, op, op->v[2], 6, 1), e;
	int got, n = c->nmem;

	if (!c->modern || c->o.handed || c->nomaps >= MAX_NOMAP || !size || c->nmem + 2 > MAX_MEM) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	e = a + size < a ? UINT64_MAX : a + size;
	r->expect.ret = 0;
	got = r->actual.ret = mm_memblock_mark_nomap(c->m, a, size);
	props_note(r, "-> %d", got);
	if (props_compare(r))
		return PROPS_FAIL;
	c->nomaps++;
	c->verify_due = true;
	/* split every memory interval at a and e, the middle becomes NOMAP */
	for (int i = 0; i < n; i++) {
		struct obootmem_ival v = c->mem[i];
		if (v.end <= a || v.start >= e)
			continue;
		if (v.start < a) {
			c->mem[c->nmem++] = (struct obootmem_ival){ v.start, a, v.nid, v.nomap };
			v.start = a;
		}
		if (v.end > e) {
			c->mem[c->nmem++] = (struct obootmem_ival){ e, v.end, v.nid, v.nomap };
			v.end = e;
		}
		v.nomap = true;
		c->mem[i] = v;
	}
	return PROPS_OK;
}

static int step_scribble(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t a = rel_at(c, op, 3);
	uint8_t buf[256];
	size_t len = (size_t)op->v[2];

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0xa5 ^ (r->op_index * 7) ^ i);
	r->expect.ret = obootmem_phys_write(&c->o, a, buf, len);
	r->actual.ret = mm_phys_write(c->m, a, buf, len);
	props_note(r, "-> %d", r->actual.ret);
	c->verify_due = true;
	return PROPS_OK;
}

static int step_handoff(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t n = 0;
	struct obootmem_res want;
	int got;
	(void)op;

	if (c->modern) {
		want = obootmem_memblock_free_all(&c->o, c->mem, c->nmem, c->mres, c->nmres);
		got = mm_memblock_free_all(c->m, &n);
	} else {
		want = obootmem_free_all_bootmem(&c->o);
		got = mm_free_all_bootmem(c->m, &n);
	}
	if (expect(c, r, got, want))
		return PROPS_FAIL;
	if (got)
		return PROPS_OK;
	c->buddy_dirty = true;
	props_note(r, " count %llu", (unsigned long long)n);
	PROPS_CHECK_EQ(r, "pages released", n, want.count);
	if (mm_setup_per_zone_wmarks(c->m))
		return props_fail(r, "setup_per_zone_wmarks refused");
	obootmem_wmarks(&c->o);
	return PROPS_OK;
}

static int step_highpages(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t n = 0;
	struct obootmem_res want;
	int got;
	(void)op;

	if (c->modern)
		want = obootmem_highpages_memblock(&c->o, c->mem, c->nmem, c->mres, c->nmres);
	else
		want = obootmem_highpages_e820(&c->o, c->ram, c->nram, (const uint64_t(*)[2])c->early,
					 c->nearly);
	got = mm_free_highpages(c->m, &n);
	if (expect(c, r, got, want))
		return PROPS_FAIL;
	if (got)
		return PROPS_OK;
	c->buddy_dirty = true;
	props_note(r, " count %llu", (unsigned long long)n);
	PROPS_CHECK_EQ(r, "highmem pages released", n, want.count);
	if (c->o.handed && mm_setup_per_zone_wmarks(c->m))
		return props_fail(r, "setup_per_zone_wmarks refused");
	if (c->o.handed)
		obootmem_wmarks(&c->o);
	return PROPS_OK;
}

/* The arch frees one reserved page itself once the boot allocator has
 * handed over (free_reserved_area, or an early highmem page before the
 * highmem step, which must then skip it). Before the hand-off it is not
 * done: the page would still be in the bootmem bitmap, which the hand-off
 * would refuse as a whole (not what this op is about). */
static int step_free_reserved(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t pfn = at(c, op->v[0], op->v[1] * PG) / PG;
	struct obootmem_res want;
	int got;

	if (!c->o.handed) {
		props_note(r, "skipped: before the hand-off");
		return PROPS_OK;
	}
	want = obootmem_free_reserved_page(&c->o, pfn);
	got = mm_free_pages_bootmem(c->m, pfn, 0);
	props_note(r, "pfn %#llx ", (unsigned long long)pfn);
	if (expect(c, r, got, want))
		return PROPS_FAIL;
	if (!got)
		c->buddy_dirty = true;
	return PROPS_OK;
}

/* One buddy allocation, predicted: the errno, and the zone and order of
 * the block to split. *ok: it succeeded. */
static int alloc_one(struct bootmem_ctx *c, struct props_result *r, int nid, uint32_t gfp,
		     unsigned order, bool *ok)
{
	unsigned eorder = 0;
	int enid = 0, ezone = 0;
	uint64_t pfn = 0;

	*ok = false;
	r->expect.ret = obootmem_buddy_alloc(&c->o, nid, gfp, order, &enid, &ezone, &eorder);
	r->actual.ret = nid == -2 ? mm_alloc_pages(c->m, gfp, order, &pfn)
				  : mm_alloc_pages_node(c->m, nid, gfp, order, &pfn);
	c->buddy_dirty |= r->actual.ret == 0;
	props_note(r, " %d", r->actual.ret);
	if (props_compare(r))
		return PROPS_FAIL;
	if (r->actual.ret)
		return PROPS_OK;
	props_note(r, " %#llx", (unsigned long long)pfn);
	/* which free block of that order in that zone is open (docs/bootmem.md):
	 * the pick must be one, and the whole free set is compared by check() */
	if (!obootmem_block_is(&c->o, pfn, eorder, enid, ezone))
		return props_fail(r, "alloc_pages: pfn %#llx is not a free order-%u block of node %d "
				  "zone %d", (unsigned long long)pfn, eorder, enid, ezone);
	if (obootmem_buddy_take(&c->o, pfn, order, gfp))
		return props_fail(r, "oracle: a free frame's poison changed");
	c->live[c->nlive][0] = pfn;
	c->live[c->nlive++][1] = order;
	*ok = true;
	return check_fresh(c, r, pfn * PG, PG << order);
}

/* node: 0 = mm_alloc_pages (the first online node), 1 = nid -1, k = nid k - 2. */
static int step_buddy_alloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	bool ok;

	if (c->nlive >= MAX_LIVE) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	props_note(r, "->");
	return alloc_one(c, r, op->v[2] ? (int)op->v[2] - 2 : -2, (uint32_t)op->v[1],
			 (unsigned)op->v[0], &ok);
}

/* The same allocation `count` times (failures included: an injected
 * failure does not end it): zones run below their watermarks and the
 * zonelist falls back to the next zone and the next node. */
static int step_buddy_fill(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	bool ok = true;

	props_note(r, "->");
	for (uint64_t i = 0; i < op->v[3] && c->nlive < MAX_LIVE; i++)
		if (alloc_one(c, r, op->v[2] ? (int)op->v[2] - 2 : -2, (uint32_t)op->v[1],
			      (unsigned)op->v[0], &ok))
			return PROPS_FAIL;
	return PROPS_OK;
}

static void live_drop(struct bootmem_ctx *c, uint64_t pfn)
{
	for (int i = 0; i < c->nlive; i++)
		if (c->live[i][0] == pfn) {
			c->live[i][0] = c->live[c->nlive - 1][0];
			c->live[i][1] = c->live[--c->nlive][1];
			return;
		}
}

static int step_buddy_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t pfn;
	unsigned order;

	if (!c->nlive) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	pfn = c->live[op->v[0] % (uint64_t)c->nlive][0];
	order = (unsigned)c->live[op->v[0] % (uint64_t)c->nlive][1];
	c->buddy_dirty = true;
	r->expect.ret = obootmem_buddy_free(&c->o, pfn, order);
	r->actual.ret = mm_free_pages(c->m, pfn, order);
	props_note(r, "%#llx -> %d", (unsigned long long)pfn, r->actual.ret);
	if (!r->expect.ret)
		live_drop(c, pfn);
	return PROPS_OK;
}

/* __free_pages of any pfn and order: a reserved page (a boot allocation,
 * the bitmap, a hole's neighbour), a free one, a tail, a wrong order. */
static int step_free_raw(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint64_t pfn = (op->v[3] ? rel(c, op, 0, 3, PG) : at(c, op->v[0], op->v[1] * PG)) / PG;
	unsigned order = (unsigned)op->v[2];

	c->buddy_dirty = true;
	r->expect.ret = obootmem_buddy_free(&c->o, pfn, order);
	r->actual.ret = mm_free_pages(c->m, pfn, order);
	props_note(r, "pfn %#llx -> %d", (unsigned long long)pfn, r->actual.ret);
	if (!r->expect.ret)
		live_drop(c, pfn);
	return PROPS_OK;
}

static int step_set_cpu(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	uint32_t cpu = (uint32_t)op->v[0];

	r->expect.ret = 0;
	if (cpu >= c->nr_cpus) {
		r->expect.ret = -EINVAL;
		props_expect_report(&r->expect, MM_STAGE_CORE, MM_REPORT_INVALID_ARG);
	}
	r->actual.ret = mm_set_cpu(c->m, cpu);
	props_note(r, "-> %d", r->actual.ret);
	return PROPS_OK;
}

static const char *const setup_fn_names[] = { "node_add", "memory_present", "free_area_init",
					     "init_bootmem_node", "zone_info", "bootmem_info" };

/* init_bootmem_node's refusals (docs/bootmem.md), in the library's order. */
static int predict_init_node(struct bootmem_ctx *c, struct props_result *r, int nid, uint64_t map,
			     uint64_t s, uint64_t e)
{
	const uint64_t maxpfn = c->lowpfn < c->max_pfn ? c->lowpfn : c->max_pfn;
	uint64_t bytes, pages;

	if (c->o.handed) {
		props_expect_report(&r->expect, MM_STAGE_BOOTMEM, MM_REPORT_AFTER_HANDOFF);
		return -EINVAL;
	}
	if (nid < 0 || nid >= OBOOTMEM_MAX_NODES || obootmem_node_by_nid(&c->o, nid) || s >= e ||
	    e > maxpfn) {
		props_expect_report(&r->expect, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	bytes = ((e - s + 7) / 8 + 3) / 4 * 4;
	pages = (bytes + PG - 1) / PG;
	if (map >= c->max_pfn || pages > c->max_pfn - map) {
		props_expect_report(&r->expect, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	for (int i = 0; i < c->o.nr; i++) {
		const struct obootmem_node *n = &c->o.node[i];
		if ((s < n->low && n->min < e) ||
		    (map < n->map_pfn + n->map_pages && n->map_pfn < map + pages)) {
			props_expect_report(&r->expect, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG);
			return -EINVAL;
		}
	}
	return 0;
}

/* The set-up functions again, with any arguments: after mm_free_area_init
 * node_add, memory_present and free_area_init are BUG; init_bootmem_node
 * may still add a node (or is refused); the info getters answer or refuse. */
static int step_setup_fn(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct bootmem_ctx *c = ctx;
	int nid = (int)op->v[1] - 1;
	uint64_t s = op->v[2], e = op->v[3], map = op->v[4], size = 0;
	struct mm_zone_info zi;
	struct mm_bootmem_node_info bi;

	switch (op->v[0]) {
	case 0:
	case 1:
	case 2:
		r->expect.ret = -EINVAL;
		props_expect_report(&r->expect, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG);
		r->actual.ret = op->v[0] == 0 ? mm_node_add(c->m, nid, s, e)
				: op->v[0] == 1 ? mm_memory_present(c->m, nid, s, e)
						: mm_free_area_init(c->m);
		break;
	case 3:
		r->expect.ret = predict_init_node(c, r, nid, map, s, e);
		r->actual.ret = mm_init_bootmem_node(c->m, nid, map, s, e, &size);
		if (props_compare(r))
			return PROPS_FAIL;
		if (r->actual.ret)
			break;
		if (obootmem_add_node(&c->o, nid, map, s, e))
			return props_fail(r, "host out of memory for the oracle");
		c->bootmem_dirty = true;
		PROPS_CHECK_EQ(r, "bitmap bytes", size, obootmem_node_by_nid(&c->o, nid)->map_bytes);
		break;
	case 4: {
		int zone = (int)(s % 4);
		r->expect.ret = nid < 0 || nid >= OBOOTMEM_MAX_NODES || zone >= 3 ||
					!c->o.pnode[nid].online ? -EINVAL : 0;
		r->actual.ret = mm_zone_info(c->m, nid, zone, &zi);
		break;
	}
	default:
		r->expect.ret = obootmem_node_by_nid(&c->o, nid) ? 0 : -ENOENT;
		r->actual.ret = mm_bootmem_node_info(c->m, nid, &bi);
		if (props_compare(r))
			return PROPS_FAIL;
		if (!r->actual.ret) {
			PROPS_CHECK_EQ(r, "min_pfn", bi.min_pfn, obootmem_node_by_nid(&c->o, nid)->min);
			PROPS_CHECK_EQ(r, "low_pfn", bi.low_pfn, obootmem_node_by_nid(&c->o, nid)->low);
		}
		break;
	}
	props_note(r, "-> %d", r->actual.ret);
	return PROPS_OK;
}

#define RANGE_FIELDS                                                                   \
	PROPS_RANGE("where", 0, MAX_NODES), PROPS_HEX("addr", 0, UINT64_MAX),          \
		PROPS_HEX("size", 0, UINT64_MAX)
#define REL_FIELDS PROPS_REL_FIELDS("addr"), PROPS_REL_FIELDS("size")

static const struct props_opdef bootmem_ops[] = {
	{ .name = "free_bootmem", .nfields = 10,
	  .fields = { RANGE_FIELDS, PROPS_RANGE("node", 0, 5), REL_FIELDS },
	  .step = step_free, .misuse = true },
	{ .name = "reserve_bootmem", .nfields = 11,
	  .fields = { RANGE_FIELDS, PROPS_RANGE("node", 0, 5), PROPS_RANGE("flags", 0, 2),
		      REL_FIELDS },
	  .step = step_reserve, .misuse = true },
	{ .name = "alloc_bootmem", .nfields = 15,
	  .fields = { PROPS_ENUM("variant", alloc_names, NULL), PROPS_HEX("size", 0, UINT64_MAX),
		      PROPS_HEX("align", 0, UINT64_MAX), PROPS_HEX("goal", 0, UINT64_MAX),
		      PROPS_HEX("limit", 0, UINT64_MAX), PROPS_RANGE("nid", 0, 4),
		      PROPS_REL_FIELDS("size"), PROPS_REL_FIELDS("goal"), PROPS_REL_FIELDS("limit") },
	  .step = step_alloc, .misuse = true },
	{ .name = "early_reserve", .nfields = 9, .fields = { RANGE_FIELDS, REL_FIELDS },
	  .step = step_early_reserve },
	{ .name = "early_res_to_bootmem", .nfields = 0, .step = step_carry, .misuse = true },
	{ .name = "mark_nomap", .nfields = 9, .fields = { RANGE_FIELDS, REL_FIELDS },
	  .step = step_nomap },
	{ .name = "scribble", .nfields = 6,
	  .fields = { PROPS_RANGE("where", 0, MAX_NODES), PROPS_HEX("addr", 0, UINT64_MAX),
		      PROPS_RANGE("len", 1, 256), PROPS_REL_FIELDS("addr") },
	  .step = step_scribble },
	{ .name = "handoff", .nfields = 0, .step = step_handoff, .misuse = true },
	{ .name = "free_highpages", .nfields = 0, .step = step_highpages, .misuse = true },
	{ .name = "buddy_alloc", .nfields = 3,
	  .fields = { PROPS_RANGE("order", 0, 10), PROPS_ENUM("gfp", gfp_names, gfp_values),
		      PROPS_RANGE("node", 0, OBOOTMEM_MAX_NODES + 1) },
	  .step = step_buddy_alloc },
	{ .name = "buddy_free", .nfields = 1, .fields = { PROPS_RANGE("idx", 0, 255) },
	  .step = step_buddy_free },
	{ .name = "free_reserved", .nfields = 2,
	  .fields = { PROPS_RANGE("where", 0, MAX_NODES), PROPS_HEX("pfn", 0, 0x4000) },
	  .step = step_free_reserved, .misuse = true },
	{ .name = "free_raw", .nfields = 6,
	  .fields = { PROPS_RANGE("where", 0, MAX_NODES), PROPS_HEX("pfn", 0, 0x4000),
		      PROPS_RANGE("order", 0, 20), PROPS_REL_FIELDS("pfn") },
	  .step = step_free_raw, .misuse = true },
	{ .name = "set_cpu", .nfields = 1, .fields = { PROPS_RANGE("cpu", 0, MM_MAX_CPUS) },
	  .step = step_set_cpu, .misuse = true },
	{ .name = "setup_fn", .nfields = 5,
	  .fields = { PROPS_ENUM("fn", setup_fn_names, NULL),
		      PROPS_RANGE("nid", 0, OBOOTMEM_MAX_NODES + 1), PROPS_HEX("start", 0, UINT64_MAX),
		      PROPS_HEX("end", 0, UINT64_MAX), PROPS_HEX("mapstart", 0, UINT64_MAX) },
	  .step = step_setup_fn, .misuse = true },
	{ .name = "buddy_fill", .nfields = 4,
	  .fields = { PROPS_RANGE("order", 0, 10), PROPS_ENUM("gfp", gfp_names, gfp_values),
		      PROPS_RANGE("node", 0, OBOOTMEM_MAX_NODES + 1), PROPS_RANGE("count", 1, 64) },
	  .step = step_buddy_fill },
};

/* A full check walks every page of every node (bitmaps, then the buddy). */
static uint64_t bootmem_check_cost(void *ctx)
{
	const struct bootmem_ctx *c = ctx;
	uint64_t pages = 0;
	for (int i = 0; i < c->nodes && i < MAX_NODES; i++)
		pages += c->ne[i] - c->ns[i];
	return pages;
}

const struct props_harness props_harness_bootmem = {
	.name = "bootmem",
	.summary = "bootmem bitmaps, allocation placement, early_res carry-over and the hand-offs",
	.ctx_size = sizeof(struct bootmem_ctx),
	.max_ops = 200,
	.check_every = 16,
	.config = { .name = "config", .nfields = 13,
		    .fields = { PROPS_ENUM("era", era_names, NULL), PROPS_RANGE("nodes", 1, MAX_NODES),
				PROPS_RANGE("node_pages", 1, 2048), PROPS_RANGE("start", 0, 4096),
				PROPS_RANGE("gap", 0, 512), PROPS_RANGE("lowmem", 0, 16384),
				PROPS_HEX("holes", 0, UINT32_MAX), PROPS_RANGE("fault", 0, 255),
				PROPS_ENUM("profile", profile_names, NULL), PROPS_RANGE("max_order", 0, 12),
				PROPS_ENUM("hardening", harden_names, harden_values),
				PROPS_RANGE("nr_cpus", 1, MM_MAX_CPUS), PROPS_HEX("shape", 0, UINT32_MAX) } },
	.setup = bootmem_setup,
	.check = bootmem_check,
	.check_cost = bootmem_check_cost,
	.teardown = bootmem_teardown,
	.nr_ops = sizeof(bootmem_ops) / sizeof(bootmem_ops[0]),
	.ops = bootmem_ops,
};
