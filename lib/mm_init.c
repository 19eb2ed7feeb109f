/*
 * Nodes, zones and the boot hand-off (mm/mm_init.c of the later kernels;
 * 2.6.29 had it all in mm/page_alloc.c): node registration (the arch's
 * memory_present / node set-up), free_area_init with memmap_init_zone, and
 * __free_pages_bootmem with the walks the boot allocators' hand-offs
 * (free_all_bootmem, memblock_free_all, the highmem step) use to give
 * their free pages to the buddy allocator of page_alloc.c.
 *
 * Per-node zones DMA / NORMAL / HIGHMEM with the x86-32 boundaries. Departs
 * from the kernel: the struct pages learn their node and zone when the
 * memmap creates them (mm_memmap_add_range), so memmap_init_zone only counts
 * present pages and marks HIGHMEM; the hand-off frees straight to the buddy
 * lists (the modern __free_pages_core; 2.6.29 hands off before the per-CPU
 * lists exist, so the result is the same) and checks every page it will
 * release before releasing any.
 */
#include <stdlib.h>

#include "internal.h"

#define PA_DMA_END_PFN 4096u /* 16 MiB */

/* Every pgdat offline: what a machine points at until its first node. */
static const struct mm_pgdat no_nodes[MM_MAX_NODES];

/* Give st its own pgdats before the first write to one. */
static int pgdat_alloc(struct mm_page_alloc_state *st)
{
	struct mm_pgdat *n;
	if (st->node != no_nodes)
		return 0;
	n = mm_host_alloc(MM_MAX_NODES * sizeof(*n), true);
	if (NEVER(!n)) /* host out of memory */
		return -ENOMEM;
	st->node = n;
	return 0;
}

/* ===================================================================== */
/* Life cycle                                                            */
/* ===================================================================== */

int mm_page_alloc_init(struct mm_machine *m)
{
	struct mm_page_alloc_state *st = mm_state_zalloc(m, sizeof(*st));
	if (NEVER(!st)) /* host out of memory */
		return -ENOMEM;
	st->max_order = MM_MIN(mm_max_order(m), (uint32_t)MM_PA_ORDER_LIMIT);
	if (NEVER(st->max_order < 1)) /* config_check: 0 (11) or 1..20 */
		st->max_order = 1;
	st->low_pfn = MM_PFN_DOWN(mm_lowmem_limit(m));
	st->dma_end = MM_MIN((mm_pfn_t)PA_DMA_END_PFN, st->low_pfn);
	/* the cast is safe: no_nodes is only ever read (pgdat_alloc first) */
	st->node = (struct mm_pgdat *)no_nodes;
	m->page_alloc = st;
	return 0;
}

void mm_page_alloc_destroy(struct mm_machine *m)
{
	if (NEVER(!m || !m->page_alloc))
		return;
	if (m->page_alloc->node != no_nodes)
		mm_host_free(m->page_alloc->node, MM_MAX_NODES * sizeof(*m->page_alloc->node));
	mm_state_free(m, m->page_alloc);
	m->page_alloc = NULL;
}

/* ===================================================================== */
/* Nodes and zones                                                       */
/* ===================================================================== */

/* Where NORMAL and HIGHMEM begin: the memmap links each page it creates to
 * its zone with these (the x86-32 boundaries are fixed at machine creation). */
static const mm_pfn_t *zone_starts(const struct mm_page_alloc_state *st, mm_pfn_t out[2])
{
	out[0] = st->dma_end;
	out[1] = st->low_pfn;
	return out;
}

/* Validate a node span for registration. */
static int node_span_check(struct mm_machine *m, int nid, mm_pfn_t start, mm_pfn_t end)
{
	struct mm_page_alloc_state *st = m->page_alloc;

	if (st->zones_ready) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, start,
			  "node %d added after free_area_init", nid);
		return -EINVAL;
	}
	if (nid < 0 || nid >= MM_MAX_NODES || start >= end || end > mm_profile_max_pfn(m)) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, start,
			  "bad node %d span [%#llx, %#llx)", nid, (unsigned long long)start,
			  (unsigned long long)end);
		return -EINVAL;
	}
	if (st->node[nid].online) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, start,
			  "node %d already online", nid);
		return -EEXIST;
	}
	for (int n = 0; n < MM_MAX_NODES; n++) {
		const struct mm_pgdat *pg = &st->node[n];
		if (pg->online && start < pg->end_pfn && pg->start_pfn < end) {
			mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, start,
				  "node %d overlaps node %d", nid, n);
			return -EINVAL;
		}
	}
	return 0;
}

int mm_node_add_sparse(struct mm_machine *m, int nid, mm_pfn_t start_pfn, mm_pfn_t end_pfn)
{
	int ret;
	if (!m)
		return -EINVAL;
	ret = node_span_check(m, nid, start_pfn, end_pfn);
	if (!ret)
		ret = pgdat_alloc(m->page_alloc);
	if (ret)
		return ret;
	m->page_alloc->node[nid] = (struct mm_pgdat){ .online = true, .start_pfn = start_pfn,
						      .end_pfn = end_pfn };
	return 0;
}

int mm_memory_present(struct mm_machine *m, int nid, mm_pfn_t start_pfn, mm_pfn_t end_pfn)
{
	struct mm_page_alloc_state *st;
	mm_pfn_t zs[2];
	if (!m)
		return -EINVAL;
	st = m->page_alloc;
	if (st->zones_ready) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, start_pfn,
			  "memory_present after free_area_init");
		return -EINVAL;
	}
	if (nid < 0 || nid >= MM_MAX_NODES || !st->node[nid].online || start_pfn >= end_pfn ||
	    start_pfn < st->node[nid].start_pfn || end_pfn > st->node[nid].end_pfn) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, start_pfn,
			  "memory_present [%#llx, %#llx) outside node %d",
			  (unsigned long long)start_pfn, (unsigned long long)end_pfn, nid);
		return -EINVAL;
	}
	return mm_memmap_add_range(m, start_pfn, end_pfn, nid, zone_starts(st, zs));
}

int mm_node_add(struct mm_machine *m, int nid, mm_pfn_t start_pfn, mm_pfn_t end_pfn)
{
	mm_pfn_t zs[2];
	int ret;
	if (!m)
		return -EINVAL;
	ret = node_span_check(m, nid, start_pfn, end_pfn);
	if (ret)
		return ret;
	ret = pgdat_alloc(m->page_alloc);
	if (!ret)
		ret = mm_memmap_add_range(m, start_pfn, end_pfn, nid, zone_starts(m->page_alloc, zs));
	if (ret)
		return ret;
	m->page_alloc->node[nid] = (struct mm_pgdat){ .online = true, .start_pfn = start_pfn,
						      .end_pfn = end_pfn };
	return 0;
}

/* memmap_init_zone for node n's zone z (its span is set): the pages learnt
 * their node and zone when the memmap created them (mm_memmap_add_range);
 * here present counts them, one look-up per host array, and a HIGHMEM
 * zone's pages get PageHighMem. */
static void memmap_init_zone(struct mm_machine *m, int n, int z)
{
	struct mm_zone *zone = &m->page_alloc->node[n].zones[z];
	mm_pfn_t pfn = zone->start_pfn, run_end;

	while (pfn < zone->end_pfn) {
		struct mm_page *p = mm_memmap_run(m, pfn, zone->end_pfn, &run_end);
		if (p && z == MM_ZONE_HIGHMEM)
			for (struct mm_page *q = MM_PAGE_ALIGNED(p), *qe = q + (run_end - pfn); q != qe; q++)
				q->flags |= MM_PG_HIGHMEM;
		if (p)
			zone->present += run_end - pfn;
		pfn = run_end;
	}
}

int mm_free_area_init(struct mm_machine *m)
{
	struct mm_page_alloc_state *st;
	if (!m)
		return -EINVAL;
	st = m->page_alloc;
	if (st->zones_ready) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, 0, "free_area_init called twice");
		return -EINVAL;
	}
	/* The kernel always has node 0 online (a non-NUMA build has only it):
	 * zones with no node would leave the allocator no node for the current
	 * CPU, so the call is refused and the machine stays before zones. */
	st->cpu_nid = -1;
	for (int n = MM_MAX_NODES - 1; n >= 0; n--)
		if (st->node[n].online)
			st->cpu_nid = n;
	if (st->cpu_nid < 0) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, 0, "free_area_init with no node online");
		return -EINVAL;
	}
	for (int n = 0; n < MM_MAX_NODES; n++) {
		struct mm_pgdat *pg = &st->node[n];
		mm_pfn_t bound[MM_NR_ZONES + 1] = { pg->start_pfn, st->dma_end, st->low_pfn,
						    pg->end_pfn };
		if (!pg->online)
			continue;
		for (int z = 0; z < MM_NR_ZONES; z++) {
			mm_pfn_t s = MM_MIN(MM_MAX(bound[z], pg->start_pfn), pg->end_pfn);
			mm_pfn_t e = MM_MIN(MM_MAX(bound[z + 1], s), pg->end_pfn);
			if (z == 0)
				s = pg->start_pfn;
			pg->zones[z].start_pfn = s;
			pg->zones[z].end_pfn = e;
		}
		/* memmap_init_zone: present pages per zone, PageHighMem (node
		 * and zone links were set as the memmap was made) */
		for (int z = 0; z < MM_NR_ZONES; z++)
			memmap_init_zone(m, n, z);
	}
	mm_build_all_zonelists(st);
	st->zones_ready = true;
	return 0;
}

/* ===================================================================== */
/* The hand-off: boot memory to the buddy allocator                      */
/* ===================================================================== */

/* The hand-off block failed the fast check: report the first bad page
 * (-EINVAL), or 0 if a page-by-page look finds none. */
static int handoff_refuse(struct mm_machine *m, struct mm_page *first, uint64_t nr)
{
	const mm_pfn_t pfn = first->pfn;
	for (uint64_t i = 0; i < nr; i++) {
		const struct mm_page *p = mm_pfn_to_page(m, pfn + i);
		if (!p || p->nid != first->nid || p->zone != first->zone) {
			mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, pfn + i,
				  "__free_pages_bootmem: pfn %#llx outside the block's zone",
				  (unsigned long long)(pfn + i));
			return -EINVAL;
		}
		if (!(p->flags & MM_PG_RESERVED) || p->refcount != 1 || p->mapcount != -1) {
			mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn + i,
				  "Bad page state: pfn %#llx handed over but not reserved",
				  (unsigned long long)(pfn + i));
			return -EINVAL;
		}
	}
	return 0;
}

/* The pages [pfn, end) all exist and are reserved pages (neither free nor
 * allocated) of first's node and zone; with unused, each also names its pfn
 * and has one reference and no mapping. Every page handed over passes here:
 * the fields are folded into one word and tested once per range, not once
 * per field, and read from an aligned base (see MM_PAGE_ALIGNED). */
static inline __attribute__((always_inline)) bool
handoff_pages_ok(struct mm_machine *m, const struct mm_page *first, mm_pfn_t pfn, mm_pfn_t end,
		 bool unused)
{
	mm_pfn_t at = pfn, run_end;
	uint64_t bad = 0;

	while (at < end) {
		const struct mm_page *p = mm_memmap_run(m, at, end, &run_end);
		if (!p)
			return false;
		const struct mm_page *q = MM_PAGE_ALIGNED(p), *const qe = q + (run_end - at);
		const uint64_t use = unused ? ~(uint64_t)0 : 0;
		for (mm_pfn_t want = at; q != qe; q++, want++)
			bad |= ((q->flags & (MM_PG_RESERVED | MM_PG_BUDDY | MM_PG_ALLOCATED)) ^
				MM_PG_RESERVED) |
			       (uint64_t)(q->nid ^ first->nid) | (uint64_t)(q->zone ^ first->zone) |
			       (use & ((q->pfn ^ want) | (uint32_t)(q->refcount ^ 1) |
				       (uint32_t)~q->mapcount));
		at = run_end;
	}
	return !bad;
}

/* Hand-off block check in one pass: every page created, reserved, unused,
 * in first's zone. */
static bool handoff_fast_ok(struct mm_machine *m, struct mm_page *first, uint64_t nr)
{
	return handoff_pages_ok(m, first, first->pfn, first->pfn + nr, true);
}

bool mm_page_alloc_handoff_ok(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr)
{
	const struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_page *first = mm_pfn_to_page(m, pfn);
	const struct mm_zone *z;

	if (!first || !st->zones_ready || first->nid >= MM_MAX_NODES ||
	    !st->node[first->nid].online || first->zone >= MM_NR_ZONES)
		return false;
	z = &st->node[first->nid].zones[first->zone];
	if (pfn < z->start_pfn || pfn + nr > z->end_pfn)
		return false;
	return handoff_pages_ok(m, first, pfn, pfn + nr, false);
}

/* __free_pages_bootmem's per-page part of [s, e) (pages that passed the
 * hand-off check): PageReserved and the references go, in one loop per host
 * array, and the frames get their ASan poisoning, as mm_free_block would do
 * block by block (the hand-offs touch every page of the machine). False,
 * nothing done, when page poisoning is on: mm_free_block then does it all. */
static bool handoff_prep(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e)
{
	const mm_pfn_t s0 = s;
	mm_pfn_t run_end;

	if (m->cfg.hardening & MM_HARDEN_POISON)
		return false;
	while (s < e) {
		struct mm_page *const p = mm_memmap_run(m, s, e, &run_end);
		for (struct mm_page *q = MM_PAGE_ALIGNED(p), *qe = p ? q + (run_end - s) : q; q != qe;
		     q++) {
			q->flags &= ~(uint32_t)(MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_TAIL | MM_PG_RESERVED);
			mm_page_mark_free(q);
			q->refcount = 0;
			q->private = 0;
		}
		s = run_end;
	}
	/* the ASan poisoning of the frames mm_free_block would do per block, for
	 * the whole range at once (one pass over the backed frames) */
	mm_phys_poison_frames(m, s0, e - s0);
	return true;
}

/* Free one hand-off block of zone z: the rest of mm_free_block after
 * handoff_prep (prepped: pages and frames done), or mm_free_block itself. */
static void handoff_free(struct mm_machine *m, struct mm_zone *z, bool prepped, mm_pfn_t pfn,
			 unsigned order)
{
	if (!prepped) {
		mm_free_block(m, pfn, order, false);
		return;
	}
	/* mm_free_block's last step (handoff_prep poisoned the frames) */
	mm_free_one_page(m, z, pfn, order);
}

int mm_free_pages_bootmem(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	struct mm_page_alloc_state *st;
	struct mm_page *first;
	struct mm_zone *zone;
	uint64_t nr;
	unsigned piece;
	bool prepped;

	if (!m)
		return -EINVAL;
	st = m->page_alloc;
	if (mm_page_alloc_zones_missing(m, "__free_pages_bootmem"))
		return -EINVAL;
	nr = (uint64_t)1 << (order < 32 ? order : 0);
	first = mm_pfn_to_page(m, pfn);
	if (order >= 32 || (pfn & (nr - 1)) || pfn + nr < pfn || !first) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, pfn,
			  "__free_pages_bootmem: bad block pfn %#llx order %u",
			  (unsigned long long)pfn, order);
		return -EINVAL;
	}
	if (!handoff_fast_ok(m, first, nr)) {
		int ret = handoff_refuse(m, first, nr);
		if (ALWAYS(ret))
			return ret;
	}
	piece = MM_MIN(order, st->max_order - 1);
	zone = mm_page_zone(st, first);
	zone->managed += nr;
	prepped = handoff_prep(m, pfn, pfn + nr);
	for (uint64_t off = 0; off < nr; off += (uint64_t)1 << piece)
		handoff_free(m, zone, prepped, pfn + off, piece);
	return 0;
}

/* Hand [s, e) of one zone (pages each accepted by handoff_fast_ok) over as
 * maximal naturally aligned blocks of at most order max_order, lowest
 * first; returns e - s. */
static uint64_t release_run(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e, unsigned max_order)
{
	const unsigned top = MM_MIN(m->page_alloc->max_order - 1, max_order);
	struct mm_zone *z;
	bool prepped;

	if (s >= e)
		return 0;
	z = mm_page_zone(m->page_alloc, mm_pfn_to_page(m, s));
	z->managed += e - s;
	prepped = handoff_prep(m, s, e);
	for (mm_pfn_t pfn = s; pfn < e;) {
		unsigned order = pfn ? MM_MIN(top, (unsigned)__builtin_ctzll(pfn)) : top;
		while (pfn + ((mm_pfn_t)1 << order) > e)
			order--;
		handoff_free(m, z, prepped, pfn, order);
		pfn += (mm_pfn_t)1 << order;
	}
	return e - s;
}

/* The run of pages from pfn (below end) that share pfn's zone: whether
 * every page of it may be handed over as mm_free_pages_bootmem would take
 * it (struct page, PageReserved, neither free nor allocated, one reference,
 * unmapped, inside its zone's span, zones set up), and if so its end in
 * *run_to. A hole ends the run; a run that starts at a hole or a bad page
 * fails, and then the whole hand-off is refused, so no end is needed. */
static bool handoff_zone_run(struct mm_machine *m, mm_pfn_t pfn, mm_pfn_t end, mm_pfn_t *run_to)
{
	const struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_page *first = mm_pfn_to_page(m, pfn);
	const struct mm_zone *z;
	mm_pfn_t at = pfn, stop_pfn, run_end;
	uint64_t bad = 0;

	if (!first || !st->zones_ready || first->nid >= MM_MAX_NODES ||
	    !st->node[first->nid].online || first->zone >= MM_NR_ZONES)
		return false;
	z = &st->node[first->nid].zones[first->zone];
	if (pfn < z->start_pfn || pfn >= z->end_pfn)
		return false;
	stop_pfn = MM_MIN(end, z->end_pfn);
	while (at < stop_pfn) {
		const struct mm_page *p = mm_memmap_run(m, at, stop_pfn, &run_end);
		if (!p)
			break;
		const struct mm_page *q = MM_PAGE_ALIGNED(p), *const qe = q + (run_end - at);
		/* Every page inside the zone's span is linked to this node and
		 * zone (nodes are disjoint, zones cut at fixed pfns): a page
		 * that says otherwise is a broken memmap, refused like a bad
		 * page. Folded into one word: one test per run, not per page. */
		for (; q != qe; q++)
			bad |= ((q->flags & (MM_PG_RESERVED | MM_PG_BUDDY | MM_PG_ALLOCATED)) ^
				MM_PG_RESERVED) |
			       (uint32_t)(q->nid ^ first->nid) | (uint32_t)(q->zone ^ first->zone) |
			       (uint32_t)(q->refcount ^ 1) | (uint32_t)~q->mapcount;
		at = run_end;
	}
	*run_to = at;
	return !bad;
}

/* The zone run of a checked range from pfn (a page): it ends where the
 * zone's span or the memmap (a hole) ends, with no look at each page. */
static mm_pfn_t checked_zone_run(struct mm_machine *m, mm_pfn_t pfn, mm_pfn_t end)
{
	const struct mm_page *first = mm_pfn_to_page(m, pfn);
	const struct mm_zone *z = &m->page_alloc->node[first->nid].zones[first->zone];
	mm_pfn_t at = pfn, stop = MM_MIN(end, z->end_pfn), run_end;

	while (at < stop && mm_memmap_run(m, at, stop, &run_end))
		at = run_end;
	return at;
}

bool mm_page_alloc_handoff_range(struct mm_machine *m, mm_pfn_t start, mm_pfn_t end,
				 unsigned max_order, bool skip_holes, bool apply, uint64_t *count)
{
	while (start < end) {
		mm_pfn_t t;
		if (skip_holes && !mm_pfn_to_page(m, start)) {
			mm_memmap_run(m, start, end, &t);
			start = t;
			continue;
		}
		/* a range to apply passed the check (apply=false) already, so
		 * its zone runs are known without a second look at each page */
		if (!apply) {
			if (!handoff_zone_run(m, start, end, &t))
				return false;
		} else {
			t = checked_zone_run(m, start, end);
			*count += release_run(m, start, t, max_order);
		}
		start = t;
	}
	return true;
}

/* One page of the highmem step: 1 = release it, 0 = not a reserved page of
 * a HIGHMEM zone (skipped, as bm_block_ok would), -1 = one that
 * mm_free_pages_bootmem(pfn, 0) would refuse (reported, skipped). */
static inline int highmem_take(const struct mm_page_alloc_state *st, const struct mm_page *p,
			       mm_pfn_t pfn)
{
	const struct mm_zone *z;

	if (((uint32_t)(p->zone ^ MM_ZONE_HIGHMEM) |
	     ((p->flags & (MM_PG_RESERVED | MM_PG_BUDDY | MM_PG_ALLOCATED)) ^ MM_PG_RESERVED)) ||
	    p->nid >= MM_MAX_NODES || !st->node[p->nid].online)
		return 0;
	z = &st->node[p->nid].zones[MM_ZONE_HIGHMEM];
	if (pfn < z->start_pfn || pfn >= z->end_pfn)
		return 0;
	/* handoff_fast_ok on the page alone */
	return ((p->pfn ^ pfn) | (uint32_t)(p->refcount ^ 1) | (uint32_t)~p->mapcount) ? -1 : 1;
}

/* Whether every page of q[0, n) (pfns from pfn) would be taken, all of
 * one node: highmem_take folded over the run into one word, so that a
 * clean memmap array costs one test, not one per page. */
static bool highmem_take_all(const struct mm_page_alloc_state *st, const struct mm_page *q,
			     uint64_t n, mm_pfn_t pfn)
{
	const struct mm_page *const qe = q + n;
	const uint8_t nid = q->nid;
	const struct mm_zone *z;
	uint64_t bad = 0;

	if (nid >= MM_MAX_NODES || !st->node[nid].online)
		return false;
	z = &st->node[nid].zones[MM_ZONE_HIGHMEM];
	if (pfn < z->start_pfn || pfn + n > z->end_pfn)
		return false;
	for (; q != qe; q++, pfn++)
		bad |= (uint32_t)(q->zone ^ MM_ZONE_HIGHMEM) | (uint32_t)(q->nid ^ nid) |
		       ((q->flags & (MM_PG_RESERVED | MM_PG_BUDDY | MM_PG_ALLOCATED)) ^ MM_PG_RESERVED) |
		       (q->pfn ^ pfn) | (uint32_t)(q->refcount ^ 1) | (uint32_t)~q->mapcount;
	return !bad;
}

uint64_t mm_page_alloc_free_highmem(struct mm_machine *m, mm_pfn_t start, mm_pfn_t end)
{
	const struct mm_page_alloc_state *st = m->page_alloc;
	mm_pfn_t pfn = start, run = start, run_end;
	uint64_t count = 0;
	int run_nid = -1;

	if (!st->zones_ready)
		return 0; /* no page is in a HIGHMEM zone yet */
	/* Page by page, as add_one_highpage_init looks at them, each page
	 * either joins the pending run or ends it; a run goes out as maximal
	 * aligned blocks. With the free lists fully merged that leaves the same
	 * lists in the same order as freeing each page (every final block is
	 * added at its list's head when its last page arrives, in pfn order
	 * either way); only the shuffle's random draws are fewer. */
	while (pfn < end) {
		struct mm_page *p = mm_memmap_run(m, pfn, end, &run_end);
		struct mm_page *const q = p ? MM_PAGE_ALIGNED(p) : NULL;
		if (q && highmem_take_all(st, q, run_end - pfn, pfn)) {
			/* the whole array joins the pending run, or starts one */
			if (q->nid != run_nid) {
				count += release_run(m, run, pfn, UINT32_MAX);
				run = pfn;
				run_nid = q->nid;
			}
			pfn = run_end;
			continue;
		}
		for (uint64_t k = 0; q && pfn < run_end; k++, pfn++) {
			const int take = highmem_take(st, &q[k], pfn);
			if (take > 0 && q[k].nid == run_nid)
				continue;
			count += release_run(m, run, pfn, UINT32_MAX);
			run = pfn + 1;
			run_nid = -1;
			if (take < 0)
				handoff_refuse(m, &q[k], 1);
			if (take <= 0)
				continue;
			run = pfn;
			run_nid = q[k].nid;
		}
		if (!p) {
			count += release_run(m, run, pfn, UINT32_MAX);
			run = run_end;
			run_nid = -1;
		}
		pfn = run_end;
	}
	return count + release_run(m, run, end, UINT32_MAX);
}
