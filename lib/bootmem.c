/*
 * bootmem: the per-node bitmap boot allocator (mm/bootmem.c, 2.6.27..4.19,
 * semantics of 2.6.29 with the physical-alignment fix of align_idx/align_off)
 * and its own hand-off of every free boot page to the buddy allocator,
 * free_all_bootmem (2.6.29). The other steps between the boot allocators
 * live where the kernel has them: memblock_free_all in memblock.c,
 * early_res_to_bootmem in early_res.c, the arch's highmem step in boot.c;
 * memblock_free_all ends bootmem (mm_bootmem_retire) as free_all_bootmem
 * does.
 *
 * Departures from the kernel, all documented in docs/bootmem.md:
 * - The bitmap lives in host memory; its simulated location
 *   [mapstart, mapstart + bitmap bytes) only matters for the hand-off (its
 *   pages are released last). BITS_PER_LONG is 32 on every profile mmsim has.
 * - Every BUG is a refused call with a report and nothing changed: ranges
 *   are checked (covered by nodes, no double free) before any bit moves.
 * - A range that rounds to nothing (start >= end after rounding) is a no-op
 *   returning 0, wherever it lies (the kernel lowers a hint, or worse).
 * - align 0 is refused like any other non-power-of-two alignment.
 * - A hand-off checks every page it will release first (struct page, zone,
 *   PageReserved, bitmap pages still reserved) and is refused whole, with a
 *   BUG report, if one would fail; a block never spans two zones or nodes.
 * - free_all_bootmem releases every node (in address order), not only node 0.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BM_BITS 32u /* BITS_PER_LONG of the 32-bit profiles */
#define BM_WORD_ORDER 5u /* ilog2(BM_BITS): a whole word goes as one block */
#define BM_LOW_LIMIT 0xffffffffull /* ARCH_LOW_ADDRESS_LIMIT */

enum { HANDOFF_NONE = 0, HANDOFF_BOOTMEM = 1, HANDOFF_MEMBLOCK = 2 };

struct bm_node {
	int nid;
	mm_pfn_t min_pfn, low_pfn; /* [node_min_pfn, node_low_pfn) */
	mm_pfn_t map_pfn;          /* simulated location of the bitmap */
	uint64_t map_bytes;        /* round_up(ceil(pages/8), sizeof(long)) */
	uint32_t *map;             /* 1 = reserved; NULL after the hand-off */
	uint64_t hint_idx;         /* where the next search starts */
	uint64_t last_end_off;     /* node-relative byte end of the last allocation */
};

struct mm_bootmem_state {
	struct bm_node nodes[MM_MAX_NODES]; /* sorted by min_pfn */
	uint32_t nr;
	int handoff;       /* HANDOFF_* */
};

/* ===================================================================== */
/* bits                                                                  */
/* ===================================================================== */

/* Bitmap size in bytes for a node of `pages` pages. */
static uint64_t bm_map_bytes(uint64_t pages)
{
	return mm_round_up((pages + 7) / 8, BM_BITS / 8);
}

/* Pages the bitmap itself occupies. */
static uint64_t bm_map_pages(const struct bm_node *n)
{
	return (n->map_bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
}

static bool bm_test(const struct bm_node *n, uint64_t idx)
{
	return n->map[idx / BM_BITS] >> (idx % BM_BITS) & 1;
}

/* First index in [from, to) whose bit equals `set`, or `to`. */
static uint64_t bm_find(const struct bm_node *n, uint64_t from, uint64_t to, bool set)
{
	uint64_t i = from;

	while (i < to) {
		uint32_t w = n->map[i / BM_BITS];
		if (!set)
			w = ~w;
		w >>= i % BM_BITS;
		if (w) {
			i += (uint64_t)__builtin_ctz(w);
			return i < to ? i : to;
		}
		i = (i / BM_BITS + 1) * BM_BITS;
	}
	return to;
}

/* Clear bits among the first `pages` (popcount per word). */
static uint64_t bm_count_clear(const struct bm_node *n, uint64_t pages)
{
	uint64_t clear = 0;
	for (uint64_t w = 0; w * BM_BITS < pages; w++) {
		uint32_t v = ~n->map[w];
		if (pages - w * BM_BITS < BM_BITS)
			v &= (1u << (pages - w * BM_BITS)) - 1;
		clear += (uint64_t)__builtin_popcount(v);
	}
	return clear;
}

/* Set or clear bits [from, to). */
static void bm_fill(struct bm_node *n, uint64_t from, uint64_t to, bool set)
{
	for (uint64_t i = from; i < to;) {
		uint64_t w = i / BM_BITS, lo = i % BM_BITS;
		uint64_t hi = MM_MIN((uint64_t)BM_BITS, lo + (to - i));
		uint32_t mask = (uint32_t)((hi - lo == BM_BITS) ? 0xffffffffu
								: ((1u << (hi - lo)) - 1) << lo);
		if (set)
			n->map[w] |= mask;
		else
			n->map[w] &= ~mask;
		i += hi - lo;
	}
}

/* ===================================================================== */
/* life cycle                                                            */
/* ===================================================================== */

int mm_bootmem_init(struct mm_machine *m)
{
	m->bootmem = mm_state_zalloc(m, sizeof(*m->bootmem));
	return m->bootmem ? 0 : -ENOMEM;
}

void mm_bootmem_destroy(struct mm_machine *m)
{
	struct mm_bootmem_state *st = m->bootmem;
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nr; i++)
		free(st->nodes[i].map);
	mm_state_free(m, st);
	m->bootmem = NULL;
}

int mm_bootmem_verify(struct mm_machine *m)
{
	struct mm_bootmem_state *st = m->bootmem;
	uint64_t low_limit = MM_PFN_DOWN(mm_lowmem_limit(m));

	MM_VERIFY(m, st, "bootmem state missing");
	MM_VERIFY(m, st->nr <= MM_MAX_NODES, "bootmem: %u nodes", st->nr);
	MM_VERIFY(m, st->handoff >= HANDOFF_NONE && st->handoff <= HANDOFF_MEMBLOCK,
		  "bootmem: hand-off state %d", st->handoff);
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct bm_node *n = &st->nodes[i];
		uint64_t pages = n->low_pfn - n->min_pfn;

		MM_VERIFY(m, n->nid >= 0 && n->nid < MM_MAX_NODES, "bootmem: node nid %d", n->nid);
		MM_VERIFY(m, n->min_pfn < n->low_pfn && n->low_pfn <= low_limit,
			  "bootmem: node %d span [%#llx, %#llx) empty or above lowmem", n->nid,
			  (unsigned long long)n->min_pfn, (unsigned long long)n->low_pfn);
		MM_VERIFY(m, n->map_bytes == bm_map_bytes(pages), "bootmem: node %d bitmap %llu bytes",
			  n->nid, (unsigned long long)n->map_bytes);
		if (i) {
			MM_VERIFY(m, st->nodes[i - 1].low_pfn <= n->min_pfn,
				  "bootmem: node list unsorted or overlapping at node %d", n->nid);
			for (uint32_t j = 0; j < i; j++)
				MM_VERIFY(m, st->nodes[j].nid != n->nid, "bootmem: nid %d twice", n->nid);
		}
		if (st->handoff != HANDOFF_NONE) {
			MM_VERIFY(m, n->map == NULL, "bootmem: node %d bitmap alive after hand-off",
				  n->nid);
			continue;
		}
		MM_VERIFY(m, n->map != NULL, "bootmem: node %d without bitmap", n->nid);
		MM_VERIFY(m, n->hint_idx <= pages, "bootmem: node %d hint %llu beyond %llu pages",
			  n->nid, (unsigned long long)n->hint_idx, (unsigned long long)pages);
		MM_VERIFY(m, n->last_end_off <= MM_PFN_PHYS(pages),
			  "bootmem: node %d last_end_off %#llx beyond the node", n->nid,
			  (unsigned long long)n->last_end_off);
		/* the bitmap's tail bits past the node stay set (memset 0xff) */
		for (uint64_t b = pages; b < n->map_bytes * 8; b++)
			MM_VERIFY(m, n->map[b / BM_BITS] >> (b % BM_BITS) & 1,
				  "bootmem: node %d padding bit %llu clear", n->nid,
				  (unsigned long long)b);
	}
	return 0;
}

/* ===================================================================== */
/* nodes and argument checks                                             */
/* ===================================================================== */

/* The bootmem node of nid, or NULL. */
static struct bm_node *bm_node_by_nid(struct mm_bootmem_state *st, int nid)
{
	for (uint32_t i = 0; i < st->nr; i++)
		if (st->nodes[i].nid == nid)
			return &st->nodes[i];
	return NULL;
}

/* The node containing pfn, or NULL. */
static struct bm_node *bm_node_at(struct mm_bootmem_state *st, mm_pfn_t pfn)
{
	for (uint32_t i = 0; i < st->nr; i++)
		if (pfn >= st->nodes[i].min_pfn && pfn < st->nodes[i].low_pfn)
			return &st->nodes[i];
	return NULL;
}

/* mark_bootmem's walk: true if [start, end) is covered by consecutive nodes. */
static bool bm_range_covered(struct mm_bootmem_state *st, mm_pfn_t start, mm_pfn_t end)
{
	struct bm_node *n = bm_node_at(st, start);

	while (n) {
		if (end <= n->low_pfn)
			return true;
		/* the list is sorted: the next node must start where n ends */
		n = bm_node_at(st, n->low_pfn);
	}
	return false;
}

/* Refuse a bootmem call after a hand-off (free_all_bootmem or
 * memblock_free_all): AFTER_HANDOFF report naming fn, true if refused. */
bool mm_bootmem_refuse_after(struct mm_machine *m, const char *fn)
{
	if (m->bootmem->handoff == HANDOFF_NONE)
		return false;
	mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_AFTER_HANDOFF, 0,
		  "%s: bootmem used after the hand-off to the buddy allocator", fn);
	return true;
}

/* Byte range to pfns; false (INVALID_ARG reported) if it wraps. */
static bool bm_span(struct mm_machine *m, const char *fn, uint64_t addr, uint64_t size)
{
	if (addr + size >= addr || size == 0)
		return true;
	mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, addr,
		  "%s: range %#llx+%#llx wraps", fn, (unsigned long long)addr,
		  (unsigned long long)size);
	return false;
}

/* ===================================================================== */
/* init, free, reserve                                                   */
/* ===================================================================== */

int mm_init_bootmem_node(struct mm_machine *m, int nid, mm_pfn_t mapstart_pfn,
			 mm_pfn_t start_pfn, mm_pfn_t end_pfn, uint64_t *mapsize)
{
	struct mm_bootmem_state *st;
	struct bm_node n = { 0 };
	uint64_t maxpfn, map_pages;
	uint32_t pos;

	if (!m)
		return -EINVAL;
	st = m->bootmem;
	if (mm_bootmem_refuse_after(m, "init_bootmem_node"))
		return -EINVAL;
	maxpfn = MM_MIN(MM_PFN_DOWN(mm_lowmem_limit(m)), mm_profile_max_pfn(m));
	if (nid < 0 || nid >= MM_MAX_NODES || bm_node_by_nid(st, nid)) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, (uint64_t)nid,
			  "init_bootmem_node: nid %d invalid or already initialised", nid);
		return -EINVAL;
	}
	if (start_pfn >= end_pfn || end_pfn > maxpfn) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, start_pfn,
			  "init_bootmem_node: node %d span [%#llx, %#llx) empty or beyond lowmem",
			  nid, (unsigned long long)start_pfn, (unsigned long long)end_pfn);
		return -EINVAL;
	}
	n.nid = nid;
	n.min_pfn = start_pfn;
	n.low_pfn = end_pfn;
	n.map_pfn = mapstart_pfn;
	n.map_bytes = bm_map_bytes(end_pfn - start_pfn);
	map_pages = bm_map_pages(&n);
	if (mapstart_pfn >= mm_profile_max_pfn(m) ||
	    map_pages > mm_profile_max_pfn(m) - mapstart_pfn) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, mapstart_pfn,
			  "init_bootmem_node: bitmap at pfn %#llx beyond physical memory",
			  (unsigned long long)mapstart_pfn);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct bm_node *o = &st->nodes[i];
		bool span_overlap = start_pfn < o->low_pfn && o->min_pfn < end_pfn;
		bool map_overlap = mapstart_pfn < o->map_pfn + bm_map_pages(o) &&
				   o->map_pfn < mapstart_pfn + map_pages;
		if (span_overlap || map_overlap) {
			mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, start_pfn,
				  "init_bootmem_node: node %d %s overlaps node %d", nid,
				  span_overlap ? "span" : "bitmap", o->nid);
			return -EINVAL;
		}
	}
	n.map = malloc(n.map_bytes);
	if (!n.map)
		return -ENOMEM;
	/* initially every page is reserved: the arch frees RAM explicitly */
	memset(n.map, 0xff, n.map_bytes);
	for (pos = 0; pos < st->nr && st->nodes[pos].min_pfn < start_pfn; pos++)
		;
	memmove(&st->nodes[pos + 1], &st->nodes[pos], (st->nr - pos) * sizeof(n));
	st->nodes[pos] = n;
	st->nr++;
	if (mapsize)
		*mapsize = n.map_bytes;
	return 0;
}

/* The kernel's __free(sidx, ...) hint update for the part of a range
 * starting at `start` (its first index in n). */
static void bm_lower_hint(struct bm_node *n, mm_pfn_t start)
{
	uint64_t s = MM_MAX(start, n->min_pfn) - n->min_pfn;
	if (n->hint_idx > s)
		n->hint_idx = s;
}

/* __free on the part of [start, end) inside n: lower the hint, clear bits. */
static void bm_free_part(struct bm_node *n, mm_pfn_t start, mm_pfn_t end)
{
	uint64_t s = MM_MAX(start, n->min_pfn) - n->min_pfn;
	uint64_t e = MM_MIN(end, n->low_pfn) - n->min_pfn;

	if (n->hint_idx > s)
		n->hint_idx = s;
	if (s < e)
		bm_fill(n, s, e, false);
}

/* mark_bootmem(reserve): covered range, applies or reports -EBUSY. */
static int bm_mark(struct mm_machine *m, mm_pfn_t start, mm_pfn_t end, bool reserve, int flags,
		   struct bm_node *only)
{
	struct mm_bootmem_state *st = m->bootmem;
	const char *fn = reserve ? (only ? "reserve_bootmem_node" : "reserve_bootmem")
				 : (only ? "free_bootmem_node" : "free_bootmem");
	bool covered = only ? (start >= only->min_pfn && end <= only->low_pfn)
			    : bm_range_covered(st, start, end);

	if (!covered) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_BUG, MM_PFN_PHYS(start),
			  "kernel BUG at mm/bootmem.c: %s: pfns [%#llx, %#llx) outside %s", fn,
			  (unsigned long long)start, (unsigned long long)end,
			  only ? "the node" : "every node");
		return -EINVAL;
	}
	/* Check the whole range before touching anything (the kernel BUGs
	 * half way through). */
	for (uint32_t i = 0; i < st->nr; i++) {
		struct bm_node *n = &st->nodes[i];
		uint64_t s, e, hit;
		if (n->low_pfn <= start || n->min_pfn >= end)
			continue;
		s = MM_MAX(start, n->min_pfn) - n->min_pfn;
		e = MM_MIN(end, n->low_pfn) - n->min_pfn;
		hit = bm_find(n, s, e, reserve);
		if (hit == e)
			continue;
		if (!reserve) {
			mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_DOUBLE_FREE,
				  MM_PFN_PHYS(n->min_pfn + hit),
				  "kernel BUG at mm/bootmem.c: %s: page %#llx is not reserved", fn,
				  (unsigned long long)(n->min_pfn + hit));
			return -EINVAL;
		}
		if (flags & MM_BOOTMEM_EXCLUSIVE) {
			/* the kernel's undo runs __free over what it set so far:
			 * every node up to this one has its hint lowered */
			for (uint32_t j = 0; j <= i; j++)
				if (st->nodes[j].low_pfn > start && st->nodes[j].min_pfn < end)
					bm_lower_hint(&st->nodes[j], start);
			return -EBUSY;
		}
	}
	for (uint32_t i = 0; i < st->nr; i++) {
		struct bm_node *n = &st->nodes[i];
		if (n->low_pfn <= start || n->min_pfn >= end)
			continue;
		if (reserve)
			bm_fill(n, MM_MAX(start, n->min_pfn) - n->min_pfn,
				MM_MIN(end, n->low_pfn) - n->min_pfn, true);
		else
			bm_free_part(n, start, end);
	}
	return 0;
}

/* The checks free_bootmem and reserve_bootmem share: bootmem still alive,
 * and for the _node variants a node that has bootmem (*n). -EINVAL or 0. */
static int bm_call_check(struct mm_machine *m, const char *fn, bool on_node, int nid,
			 struct bm_node **n)
{
	if (mm_bootmem_refuse_after(m, fn))
		return -EINVAL;
	if (on_node && !(*n = bm_node_by_nid(m->bootmem, nid))) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, (uint64_t)nid,
			  "%s: node %d has no bootmem", fn, nid);
		return -EINVAL;
	}
	return 0;
}

static int bm_free_common(struct mm_machine *m, int nid, bool on_node, mm_phys_addr_t addr,
			  uint64_t size)
{
	const char *fn = on_node ? "free_bootmem_node" : "free_bootmem";
	struct bm_node *n = NULL;
	mm_pfn_t start, end;

	if (!m || bm_call_check(m, fn, on_node, nid, &n))
		return -EINVAL;
	if (!bm_span(m, fn, addr, size))
		return -EINVAL;
	/* inward: partial pages stay reserved */
	start = mm_pfn_up(addr);
	end = MM_PFN_DOWN(addr + size);
	if (start >= end)
		return 0;
	return bm_mark(m, start, end, false, 0, n);
}

int mm_free_bootmem(struct mm_machine *m, mm_phys_addr_t addr, uint64_t size)
{
	return bm_free_common(m, 0, false, addr, size);
}

int mm_free_bootmem_node(struct mm_machine *m, int nid, mm_phys_addr_t addr, uint64_t size)
{
	return bm_free_common(m, nid, true, addr, size);
}

static int bm_reserve_common(struct mm_machine *m, int nid, bool on_node, mm_phys_addr_t addr,
			     uint64_t size, int flags)
{
	const char *fn = on_node ? "reserve_bootmem_node" : "reserve_bootmem";
	struct bm_node *n = NULL;
	mm_pfn_t start, end;

	if (!m || bm_call_check(m, fn, on_node, nid, &n))
		return -EINVAL;
	if (flags != MM_BOOTMEM_DEFAULT && flags != MM_BOOTMEM_EXCLUSIVE) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, addr, "%s: flags %#x", fn,
			  (unsigned)flags);
		return -EINVAL;
	}
	if (!bm_span(m, fn, addr, size))
		return -EINVAL;
	/* outward: partial pages are reserved whole */
	start = MM_PFN_DOWN(addr);
	end = mm_pfn_up(addr + size);
	if (start >= end)
		return 0;
	return bm_mark(m, start, end, true, flags, n);
}

int mm_reserve_bootmem(struct mm_machine *m, mm_phys_addr_t addr, uint64_t size, int flags)
{
	return bm_reserve_common(m, 0, false, addr, size, flags);
}

int mm_reserve_bootmem_node(struct mm_machine *m, int nid, mm_phys_addr_t addr, uint64_t size,
			    int flags)
{
	return bm_reserve_common(m, nid, true, addr, size, flags);
}

/* The bootmem state while its bitmaps exist (before any hand-off), or NULL. */
static const struct mm_bootmem_state *bm_bitmaps(const struct mm_machine *m)
{
	return m && m->bootmem->handoff == HANDOFF_NONE ? m->bootmem : NULL;
}

int mm_bootmem_page_reserved(const struct mm_machine *m, mm_pfn_t pfn, bool *reserved)
{
	const struct mm_bootmem_state *st = bm_bitmaps(m);

	if (!st || !reserved)
		return -EINVAL;
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct bm_node *n = &st->nodes[i];
		if (pfn >= n->min_pfn && pfn < n->low_pfn) {
			*reserved = bm_test(n, pfn - n->min_pfn);
			return 0;
		}
	}
	return -ENOENT;
}

int mm_bootmem_reserved_map(const struct mm_machine *m, int nid, uint8_t *out, uint64_t nr)
{
	const struct mm_bootmem_state *st = bm_bitmaps(m);

	if (!st || (nr && !out))
		return -EINVAL;
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct bm_node *n = &st->nodes[i];
		if (n->nid != nid)
			continue;
		if (nr > n->low_pfn - n->min_pfn)
			return -EINVAL;
		/* a word at a time: the harnesses compare every bit after
		 * most operations */
		for (uint64_t w = 0; w * BM_BITS < nr; w++) {
			uint32_t v = n->map[w];
			uint64_t lim = MM_MIN((uint64_t)BM_BITS, nr - w * BM_BITS);
			uint8_t *o = out + w * BM_BITS;
			for (uint64_t b = 0; b < lim; b++)
				o[b] = (uint8_t)(v >> b & 1);
		}
		return 0;
	}
	return -ENOENT;
}

int mm_bootmem_node_info(const struct mm_machine *m, int nid, struct mm_bootmem_node_info *out)
{
	const struct mm_bootmem_state *st;

	if (!m || !out)
		return -EINVAL;
	st = m->bootmem;
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct bm_node *n = &st->nodes[i];
		if (n->nid != nid)
			continue;
		*out = (struct mm_bootmem_node_info){
			.nid = n->nid, .min_pfn = n->min_pfn, .low_pfn = n->low_pfn,
			.map_pfn = n->map_pfn, .map_bytes = n->map_bytes,
			.map_pages = bm_map_pages(n), .hint_idx = n->hint_idx,
			.last_end_off = n->last_end_off,
		};
		if (n->map)
			out->nr_reserved = (n->low_pfn - n->min_pfn) -
					   bm_count_clear(n, n->low_pfn - n->min_pfn);
		return 0;
	}
	return -ENOENT;
}

bool mm_bootmem_node_span(const struct mm_machine *m, uint32_t i, int *nid, mm_pfn_t *min_pfn,
			  mm_pfn_t *low_pfn)
{
	const struct bm_node *n;
	if (i >= m->bootmem->nr)
		return false;
	n = &m->bootmem->nodes[i];
	*nid = n->nid;
	*min_pfn = n->min_pfn;
	*low_pfn = n->low_pfn;
	return true;
}

int mm_bootmem_nr_nodes(const struct mm_machine *m)
{
	return m ? (int)m->bootmem->nr : -EINVAL;
}

bool mm_bootmem_handed_off(const struct mm_machine *m)
{
	return m && m->bootmem->handoff != HANDOFF_NONE;
}

/* ===================================================================== */
/* allocation                                                            */
/* ===================================================================== */

/* The first index at or above idx whose pfn is a multiple of step. */
static uint64_t bm_align_idx(const struct bm_node *n, uint64_t idx, uint64_t step)
{
	/* align the physical pfn, not the node-relative index */
	return mm_round_up(n->min_pfn + idx, step) - n->min_pfn;
}

/* alloc_bootmem_core on one node; true and *out on success. */
static bool bm_alloc_core(struct mm_machine *m, struct bm_node *n, uint64_t size,
			  uint64_t align, uint64_t goal, uint64_t limit, mm_phys_addr_t *out)
{
	uint64_t min = n->min_pfn, max = n->low_pfn, step, start, sidx, midx, fallback = 0;
	uint64_t goal_pfn = goal >> MM_PAGE_SHIFT, limit_pfn = limit >> MM_PAGE_SHIFT;
	uint64_t pages = mm_pfn_up(size);

	if (limit_pfn && max > limit_pfn)
		max = limit_pfn;
	if (max <= min)
		return false;
	step = MM_MAX(align >> MM_PAGE_SHIFT, (uint64_t)1);
	if (goal_pfn && min < goal_pfn && goal_pfn < max)
		start = mm_round_up(goal_pfn, step);
	else
		start = mm_round_up(min, step);
	sidx = start - min;
	midx = max - min;
	if (n->hint_idx > sidx) {
		/* one more pass from the window start if the hint finds nothing */
		fallback = sidx + 1;
		sidx = bm_align_idx(n, n->hint_idx, step);
	}
	for (;;) {
		uint64_t eidx, hit, start_off, end_off;
		bool merge;

		sidx = bm_find(n, MM_MIN(sidx, midx), midx, false);
		sidx = bm_align_idx(n, sidx, step);
		eidx = sidx + pages;
		if (sidx >= midx || eidx > midx) {
			if (!fallback)
				return false;
			sidx = bm_align_idx(n, fallback - 1, step);
			fallback = 0;
			continue;
		}
		hit = bm_find(n, sidx, eidx, true);
		if (hit < eidx) {
			sidx = bm_align_idx(n, hit, step);
			if (sidx == hit)
				sidx += step;
			continue;
		}
		/* pack into the tail of the previous allocation's last page */
		if ((n->last_end_off & (MM_PAGE_SIZE - 1)) &&
		    MM_PFN_DOWN(n->last_end_off) + 1 == sidx)
			start_off = mm_round_up(MM_PFN_PHYS(min) + n->last_end_off, align) -
				    MM_PFN_PHYS(min);
		else
			start_off = MM_PFN_PHYS(sidx);
		merge = MM_PFN_DOWN(start_off) < sidx;
		end_off = start_off + size;
		n->last_end_off = end_off;
		n->hint_idx = mm_pfn_up(end_off);
		MM_BUG_ON(bm_find(n, MM_PFN_DOWN(start_off) + merge, mm_pfn_up(end_off), true) <
			  mm_pfn_up(end_off));
		bm_fill(n, MM_PFN_DOWN(start_off) + merge, mm_pfn_up(end_off), true);
		*out = MM_PFN_PHYS(min) + start_off;
		mm_phys_zero(m, *out, size);
		return true;
	}
}

/* ___alloc_bootmem_nopanic: nodes in order, then goal dropped. */
static bool bm_alloc_nodes(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
			   uint64_t limit, mm_phys_addr_t *out)
{
	struct mm_bootmem_state *st = m->bootmem;

	for (;;) {
		for (uint32_t i = 0; i < st->nr; i++) {
			struct bm_node *n = &st->nodes[i];
			if (goal && n->low_pfn <= MM_PFN_DOWN(goal))
				continue;
			if (limit && n->min_pfn >= MM_PFN_DOWN(limit))
				break;
			if (bm_alloc_core(m, n, size, align, goal, limit, out))
				return true;
		}
		if (!goal)
			return false;
		goal = 0;
	}
}

/* Argument checks shared by every allocation entry (reports, -EINVAL). */
static int bm_alloc_check(struct mm_machine *m, const char *fn, uint64_t size, uint64_t align,
			  uint64_t goal, uint64_t limit, mm_phys_addr_t *out)
{
	if (mm_bootmem_refuse_after(m, fn))
		return -EINVAL;
	if (!out) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, 0, "%s: NULL result pointer",
			  fn);
		return -EINVAL;
	}
	if (!size || !mm_is_pow2(align) ||
	    (limit && (goal + size < goal || goal + size > limit))) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_BUG, goal,
			  "kernel BUG at mm/bootmem.c: alloc_bootmem_core: size %#llx align %#llx "
			  "goal %#llx limit %#llx",
			  (unsigned long long)size, (unsigned long long)align,
			  (unsigned long long)goal, (unsigned long long)limit);
		return -EINVAL;
	}
	return 0;
}

static int bm_oom(struct mm_machine *m, uint64_t size)
{
	mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_OOM, size,
		  "bootmem alloc of %llu bytes failed! Out of memory", (unsigned long long)size);
	return -ENOMEM;
}

int mm_alloc_bootmem_limit(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
			   uint64_t limit, bool nopanic, mm_phys_addr_t *out)
{
	int ret;

	if (!m)
		return -EINVAL;
	ret = bm_alloc_check(m, nopanic ? "__alloc_bootmem_nopanic" : "__alloc_bootmem", size,
			     align, goal, limit, out);
	if (ret)
		return ret;
	if (!mm_should_fail(m) && bm_alloc_nodes(m, size, align, goal, limit, out))
		return 0;
	return nopanic ? -ENOMEM : bm_oom(m, size);
}

int mm_alloc_bootmem(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
		     mm_phys_addr_t *out)
{
	return mm_alloc_bootmem_limit(m, size, align, goal, 0, false, out);
}

int mm_alloc_bootmem_nopanic(struct mm_machine *m, uint64_t size, uint64_t align,
			     uint64_t goal, mm_phys_addr_t *out)
{
	return mm_alloc_bootmem_limit(m, size, align, goal, 0, true, out);
}

int mm_alloc_bootmem_low(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
			 mm_phys_addr_t *out)
{
	return mm_alloc_bootmem_limit(m, size, align, goal, BM_LOW_LIMIT, false, out);
}

int mm_alloc_bootmem_node(struct mm_machine *m, int nid, uint64_t size, uint64_t align,
			  uint64_t goal, mm_phys_addr_t *out)
{
	struct bm_node *n;
	int ret;

	if (!m)
		return -EINVAL;
	ret = bm_alloc_check(m, "__alloc_bootmem_node", size, align, goal, 0, out);
	if (ret)
		return ret;
	n = bm_node_by_nid(m->bootmem, nid);
	if (!n) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_INVALID_ARG, (uint64_t)nid,
			  "__alloc_bootmem_node: node %d has no bootmem", nid);
		return -EINVAL;
	}
	if (mm_should_fail(m))
		return bm_oom(m, size);
	if (bm_alloc_core(m, n, size, align, goal, 0, out) ||
	    bm_alloc_nodes(m, size, align, goal, 0, out))
		return 0;
	return bm_oom(m, size);
}

/* ===================================================================== */
/* hand-off                                                              */
/* ===================================================================== */

/* May [pfn, pfn + 2^order) go to the buddy: pages exist in one zone of one
 * node, all PageReserved and not free. */
static bool bm_block_ok(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	/* the memmap is walked by the page allocator, one look-up per host
	 * array: a look-up per page would cost more than the hand-off itself */
	return mm_page_alloc_handoff_ok(m, pfn, (uint64_t)1 << order);
}

/* Is pfn clear in some node's bitmap? */
static bool bm_pfn_free(struct mm_bootmem_state *st, mm_pfn_t pfn)
{
	struct bm_node *n = bm_node_at(st, pfn);
	return n && !bm_test(n, pfn - n->min_pfn);
}

/* Release (or check) one block. */
static bool bm_give(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool apply,
		    uint64_t *count)
{
	if (!apply)
		return bm_block_ok(m, pfn, order);
	if (mm_free_pages_bootmem(m, pfn, order))
		return false;
	*count += (uint64_t)1 << order;
	return true;
}

/* One run [s, e) of clear bits as 2.6.29's free_all_bootmem_core gives it
 * away, word by word: a word of BITS free pages goes as one block of order
 * log2(BITS) when the node starts word-aligned and the word is not the last
 * one (the kernel's start + BITS_PER_LONG < end), every other free page
 * alone, at order 0. */
static bool bm_handoff_run(struct mm_machine *m, const struct bm_node *n, uint64_t s, uint64_t e,
			   bool apply, uint64_t *count)
{
	const bool aligned = !(n->min_pfn & (BM_BITS - 1));
	const uint64_t pages = n->low_pfn - n->min_pfn;

	while (s < e) {
		const uint64_t wend = (s & ~(uint64_t)(BM_BITS - 1)) + BM_BITS;
		const uint64_t stop = wend < e ? wend : e;
		const bool whole = aligned && !(s & (BM_BITS - 1)) && wend <= e && wend < pages;
		/* a whole word as one block, or the free pages of a partial
		 * word (up to the run's end) one by one at order 0 */
		if (!mm_page_alloc_handoff_range(m, n->min_pfn + s, n->min_pfn + (whole ? wend : stop),
						 whole ? BM_WORD_ORDER : 0, false, apply, count))
			return false;
		s = whole ? wend : stop;
	}
	return true;
}

/* free_all_bootmem's walk over one node; apply=false only checks. */
static bool bm_node_handoff(struct mm_machine *m, struct bm_node *n, bool apply, uint64_t *count)
{
	struct mm_bootmem_state *st = m->bootmem;
	const uint64_t pages = n->low_pfn - n->min_pfn;
	uint64_t s = bm_find(n, 0, pages, false);

	/* every run of clear bits, in pfn order, found a word at a time */
	while (s < pages) {
		uint64_t e = bm_find(n, s, pages, true);
		if (!bm_handoff_run(m, n, s, e, apply, count))
			return false;
		s = bm_find(n, e, pages, false);
	}
	/* then the bitmap's own pages; a page still free in some bitmap
	 * would reach the buddy allocator twice */
	for (uint64_t k = 0; k < bm_map_pages(n); k++) {
		if (!apply && bm_pfn_free(st, n->map_pfn + k))
			return false;
		if (!bm_give(m, n->map_pfn + k, 0, apply, count))
			return false;
	}
	return true;
}

static int bm_handoff_refused(struct mm_machine *m, const char *fn)
{
	mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_BUG, 0,
		  "%s: a page to release is not a reserved page of a zone (Bad page state)", fn);
	return -EINVAL;
}

/* The end of bootmem: the hand-off `how` happened, the bitmaps go. */
static void bm_retire(struct mm_bootmem_state *st, int how)
{
	st->handoff = how;
	for (uint32_t i = 0; i < st->nr; i++) {
		free(st->nodes[i].map);
		st->nodes[i].map = NULL;
	}
}

void mm_bootmem_retire(struct mm_machine *m)
{
	bm_retire(m->bootmem, HANDOFF_MEMBLOCK);
}

int mm_free_all_bootmem(struct mm_machine *m, uint64_t *count)
{
	struct mm_bootmem_state *st;
	uint64_t total = 0;
	bool ok = true;

	if (!m)
		return -EINVAL;
	st = m->bootmem;
	if (mm_bootmem_refuse_after(m, "free_all_bootmem"))
		return -EINVAL;
	for (uint32_t i = 0; i < st->nr; i++)
		if (!bm_node_handoff(m, &st->nodes[i], false, &total))
			return bm_handoff_refused(m, "free_all_bootmem");
	for (uint32_t i = 0; i < st->nr; i++)
		ok &= bm_node_handoff(m, &st->nodes[i], true, &total);
	bm_retire(st, HANDOFF_BOOTMEM);
	if (count)
		*count = total;
	return ok ? 0 : -EUCLEAN;
}
