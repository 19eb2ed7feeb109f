/*
 * The binary buddy allocator (mm/page_alloc.c of 2.6.29): free_area[order]
 * lists with nr_free, split on allocation and merge on free
 * (__free_one_page), the per-CPU page lists, the watermarks with
 * lowmem_reserve and the __GFP_HIGH / ALLOC_HARDER dips, the zonelist
 * fallback across zones and nodes, page reference counts, and the misuse
 * checks of free_pages_check ("Bad page state"). Nodes, zones and the
 * boot hand-off are in mm_init.c, the views and the verify walk in
 * vmstat.c; the structures all three share (include/linux/mmzone.h) are in
 * internal.h.
 *
 * Per-CPU page lists (struct per_cpu_pages: count, high, batch, one list,
 * hot at the head, cold at the tail) serve order-0 pages once
 * mm_setup_per_cpu_pageset has run; before, the boot pageset passes every
 * order-0 page straight to the buddy lists, as the kernel's does.
 *
 * Departs from the kernel: no migratetypes (one list per order and per CPU),
 * no reclaim (an allocation that fails both watermark passes drains the
 * per-CPU lists, as the kernel does after direct reclaim, retries once, then
 * is -ENOMEM), zonelists in node order only. Misuse the kernel would crash
 * or corrupt itself on is refused and reported with the machine unchanged.
 * A non-compound high-order block whose last reference goes through
 * put_page is freed whole (the kernel would leak its tails). Page poisoning
 * (0xaa) and free-list shuffling follow the later kernels'
 * CONFIG_PAGE_POISONING and shuffle_pick_tail.
 */
#include <string.h>

#include "internal.h"

#define PA_POISON_BYTE 0xaa
#define PA_SWAP_CLUSTER_MAX 32

enum { ALLOC_HIGH = 1u << 0, ALLOC_HARDER = 1u << 1 };

#define PA_GFP_VALID                                                                   \
	(MM_GFP_DMA | MM_GFP_HIGHMEM | MM_GFP_HIGH | MM_GFP_COLD | MM_GFP_ZERO |        \
	 MM_GFP_THISNODE | MM_GFP_ATOMIC_HARDER)

/* ===================================================================== */
/* Free lists and lookups                                                */
/* ===================================================================== */

/* Push page on area's list: at the head, or the tail when shuffling says so. */
static void area_add(struct mm_free_area *a, struct mm_page *p, bool tail)
{
	if (tail) {
		p->lru_next = NULL;
		p->lru_prev = a->tail;
		if (a->tail)
			a->tail->lru_next = p;
		else
			a->head = p;
		a->tail = p;
	} else {
		p->lru_prev = NULL;
		p->lru_next = a->head;
		if (a->head)
			a->head->lru_prev = p;
		else
			a->tail = p;
		a->head = p;
	}
	a->nr_free++;
}

/* Unlink page from area's list in O(1). */
static void area_del(struct mm_free_area *a, struct mm_page *p)
{
	if (p->lru_prev)
		p->lru_prev->lru_next = p->lru_next;
	else
		a->head = p->lru_next;
	if (p->lru_next)
		p->lru_next->lru_prev = p->lru_prev;
	else
		a->tail = p->lru_prev;
	p->lru_next = p->lru_prev = NULL;
	a->nr_free--;
}

/* Does the memmap hold the nr pages from head contiguously? */
static bool block_contig(struct mm_machine *m, struct mm_page *head, uint64_t nr)
{
	/* one page is trivially contiguous: the order-0 fast paths skip the look-up */
	return nr == 1 || mm_memmap_contig(m, head->pfn, nr);
}

/* Page i of a block whose pages all exist: pointer arithmetic when the
 * memmap holds the block in one host array (mm_memmap_contig), a look-up
 * otherwise. */
static inline struct mm_page *block_page(struct mm_machine *m, struct mm_page *head, bool contig,
					 uint64_t i)
{
	return contig ? head + i : mm_pfn_to_page(m, head->pfn + i);
}

/* Report an unusable call before set-up; true when the zones are missing. */
bool mm_page_alloc_zones_missing(struct mm_machine *m, const char *fn)
{
	if (m->page_alloc->zones_ready)
		return false;
	mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, 0, "%s called before free_area_init", fn);
	return true;
}

/* ===================================================================== */
/* Watermarks                                                            */
/* ===================================================================== */

/* setup_per_zone_wmarks (with init_per_zone_pages_min and
 * setup_per_zone_lowmem_reserve): min, low, high per zone from the lowmem
 * size, and each zone's reserve against allocations aimed higher. */
int mm_setup_per_zone_wmarks(struct mm_machine *m)
{
	struct mm_page_alloc_state *st;
	uint64_t lowmem = 0, pages_min, kb;
	static const uint64_t ratio[MM_NR_ZONES] = { 256, 32, 32 };

	if (!m)
		return -EINVAL;
	st = m->page_alloc;
	if (mm_page_alloc_zones_missing(m, "setup_per_zone_wmarks"))
		return -EINVAL;
	for (int n = 0; n < MM_MAX_NODES; n++)
		for (int z = 0; z < MM_ZONE_HIGHMEM && st->node[n].online; z++)
			lowmem += st->node[n].zones[z].present;
	/* init_per_zone_pages_min: int_sqrt(lowmem_kbytes * 16). */
	kb = lowmem * 4 * 16;
	{
		uint64_t r = 0;
		for (uint64_t bit = (uint64_t)1 << 62; bit; bit >>= 2) {
			if (kb >= r + bit) {
				kb -= r + bit;
				r = (r >> 1) + bit;
			} else {
				r >>= 1;
			}
		}
		kb = r;
	}
	st->min_free_kbytes = MM_MIN(MM_MAX(kb, (uint64_t)128), (uint64_t)65536);
	pages_min = st->min_free_kbytes >> (MM_PAGE_SHIFT - 10);

	for (int n = 0; n < MM_MAX_NODES; n++) {
		struct mm_pgdat *pg = &st->node[n];
		if (!pg->online)
			continue;
		for (int zi = 0; zi < MM_NR_ZONES; zi++) {
			struct mm_zone *z = &pg->zones[zi];
			uint64_t tmp = lowmem ? pages_min * z->present / lowmem : 0;
			if (zi == MM_ZONE_HIGHMEM)
				z->wmark[MM_WMARK_MIN] = MM_MIN(MM_MAX(z->present / 1024,
								    (uint64_t)PA_SWAP_CLUSTER_MAX),
							     (uint64_t)128);
			else
				z->wmark[MM_WMARK_MIN] = tmp;
			z->wmark[MM_WMARK_LOW] = z->wmark[MM_WMARK_MIN] + (tmp >> 2);
			z->wmark[MM_WMARK_HIGH] = z->wmark[MM_WMARK_MIN] + (tmp >> 1);
		}
		/* setup_per_zone_lowmem_reserve */
		for (int j = 0; j < MM_NR_ZONES; j++) {
			uint64_t pages = pg->zones[j].present;
			pg->zones[j].lowmem_reserve[j] = 0;
			for (int idx = j - 1; idx >= 0; idx--) {
				pg->zones[idx].lowmem_reserve[j] = pages / ratio[idx];
				pages += pg->zones[idx].present;
			}
		}
	}
	return 0;
}

/* ===================================================================== */
/* The buddy core                                                        */
/* ===================================================================== */

/* __free_one_page: merge pfn's block of order upward and insert the result. */
void mm_free_one_page(struct mm_machine *m, struct mm_zone *z, mm_pfn_t pfn,
			  unsigned order)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	struct mm_page *head = mm_pfn_to_page(m, pfn);
	const uint8_t nid = head->nid, zi = head->zone;
	bool tail;

	z->free += (uint64_t)1 << order;
	while (order < st->max_order - 1) {
		mm_pfn_t buddy_pfn = pfn ^ ((mm_pfn_t)1 << order);
		struct mm_page *b = mm_pfn_to_page(m, buddy_pfn);
		/* page_is_buddy: a free head of the same order in the same zone */
		if (!b || !(b->flags & MM_PG_BUDDY) || b->private != order || b->nid != nid ||
		    b->zone != zi)
			break;
		area_del(&z->area[order], b);
		b->flags &= ~MM_PG_BUDDY;
		b->private = 0;
		pfn &= buddy_pfn;
		order++;
	}
	head = mm_pfn_to_page(m, pfn);
	head->flags |= MM_PG_BUDDY;
	head->private = order;
	/* shuffle_pick_tail: a free block goes to either end of its list. */
	tail = (m->cfg.hardening & MM_HARDEN_SHUFFLE) && (mm_random(m) & 1);
	area_add(&z->area[order], head, tail);
}

/* free_hot_page, with the per-CPU lists below */
static void free_hot_page(struct mm_machine *m, struct mm_zone *z, struct mm_page *p);

/* Mark 2^order pages free (poison, ASan) and hand them to mm_free_one_page,
 * or an order-0 page to the current CPU's list when via_pcp and the lists
 * exist. */
void mm_free_block(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool via_pcp)
{
	struct mm_page *head = mm_pfn_to_page(m, pfn);
	const uint64_t nr = (uint64_t)1 << order;
	const bool poison = m->cfg.hardening & MM_HARDEN_POISON;
	const bool contig = block_contig(m, head, nr);

	for (uint64_t i = 0; i < nr; i++) {
		struct mm_page *p = block_page(m, head, contig, i);
		p->flags &= ~(MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_TAIL | MM_PG_RESERVED);
		mm_page_mark_free(p);
		p->refcount = 0;
		p->private = 0;
		if (poison) {
			uint8_t *f = mm_phys_frame(m, pfn + i, false);
			if (f)
				memset(f, PA_POISON_BYTE, MM_PAGE_SIZE);
			p->flags |= MM_PG_POISONED;
		}
	}
	mm_phys_poison_frames(m, pfn, nr);
	if (via_pcp && !order && m->page_alloc->pcp_ready)
		free_hot_page(m, mm_page_zone(m->page_alloc, head), head);
	else
		mm_free_one_page(m, mm_page_zone(m->page_alloc, head), pfn, order);
}

/* __rmqueue_smallest + expand: take a 2^order block from z, or NULL. */
static struct mm_page *rmqueue(struct mm_machine *m, struct mm_zone *z, unsigned order)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	for (unsigned cur = order; cur < st->max_order; cur++) {
		struct mm_page *page = z->area[cur].head;
		if (!page)
			continue;
		area_del(&z->area[cur], page);
		/* MM_PG_BUDDY is cleared by the caller, with the other flags it
		 * sets (a narrow write here then a load there stalled) */
		page->private = 0;
		z->free -= (uint64_t)1 << order;
		/* expand: the upper halves go back, one per order on the way down
		 * (found by pointer arithmetic when the block is one host array:
		 * one memmap look-up per split, not one per order) */
		const bool contig = cur > order + 1 && block_contig(m, page, (uint64_t)1 << cur);
		while (cur > order) {
			struct mm_page *upper;
			cur--;
			upper = block_page(m, page, contig, (uint64_t)1 << cur);
			upper->flags |= MM_PG_BUDDY;
			upper->private = cur;
			area_add(&z->area[cur], upper, false);
		}
		return page;
	}
	return NULL;
}

/* prep_new_page: flags, references, poison check, zeroing. */
/* The offset of the first byte of a frame that is not the poison, or
 * MM_PAGE_SIZE: eight bytes at a time (a freed page of a poisoning machine
 * is scanned whole at every allocation; byte by byte, under libFuzzer's
 * comparison tracing, that was 1.7% of fuzz_slab's time). Not inlined: the
 * fuzzer build leaves it out of coverage (fuzz/sancov-ignorelist.txt). */
static __attribute__((noinline)) uint64_t poison_first_bad(const uint8_t *f)
{
	const uint64_t w = 0x0101010101010101ull * PA_POISON_BYTE;
	for (uint64_t k = 0; k < MM_PAGE_SIZE; k += 8) {
		uint64_t x;
		memcpy(&x, f + k, 8);
		if (x != w)
			for (uint64_t b = k;; b++)
				if (f[b] != PA_POISON_BYTE)
					return b;
	}
	return MM_PAGE_SIZE;
}

/* Inlined into both callers: the order-0 fast path's copy folds the loop
 * and the head/tail choices away. */
static inline __attribute__((always_inline)) void prep_new_block(struct mm_machine *m,
								 struct mm_page *head,
								 unsigned order, uint32_t gfp)
{
	const mm_pfn_t pfn = head->pfn;
	const uint64_t nr = (uint64_t)1 << order;
	const bool contig = block_contig(m, head, nr);

	mm_phys_unpoison_frames(m, pfn, nr);
	for (uint64_t i = 0; i < nr; i++) {
		struct mm_page *p = block_page(m, head, contig, i);
		/* the flags read once and written once, the mark of the list the
		 * page came off (rmqueue's buddy list, a per-CPU list) cleared
		 * here: a one-byte read-modify-write of them followed by a
		 * four-byte load (as clearing MM_PG_PCP before this compiled) is a
		 * store-forwarding stall, measured at about 60% of the order-0
		 * path's time in bench_fault's COW */
		uint32_t fl = p->flags & ~(uint32_t)(MM_PG_PCP | MM_PG_BUDDY);
		if (fl & MM_PG_POISONED) {
			/* An unbacked poisoned frame is all 0xaa by definition. */
			const uint8_t *f = mm_phys_frame(m, pfn + i, false);
			const uint64_t bad = f ? poison_first_bad(f) : MM_PAGE_SIZE;
			if (bad < MM_PAGE_SIZE)
				mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_CORRUPTION,
					  MM_PFN_PHYS(pfn + i) + bad,
					  "pagealloc: memory corruption at pfn %#llx offset %llu",
					  (unsigned long long)(pfn + i), (unsigned long long)bad);
			fl &= ~(uint32_t)MM_PG_POISONED;
		}
		mm_page_mark_used(p);
		p->flags = fl | MM_PG_ALLOCATED | (i ? (order ? MM_PG_TAIL : 0) : (order ? MM_PG_HEAD : 0));
		p->refcount = i ? 0 : 1;
		p->private = i ? 0 : order;
	}
	if (gfp & MM_GFP_ZERO)
		mm_phys_zero(m, MM_PFN_PHYS(pfn), nr << MM_PAGE_SHIFT);
}

/* ===================================================================== */
/* Per-CPU page lists                                                    */
/* ===================================================================== */

/* buffered_rmqueue's pick from a per-CPU list: the head (hot, the page
 * freed last), or the tail for __GFP_COLD; NULL when the list is empty. */
static inline struct mm_page *pcp_pick(const struct mm_per_cpu_pages *pcp, uint32_t gfp)
{
	return (gfp & MM_GFP_COLD) ? pcp->list.tail : pcp->list.head;
}

/* rmqueue_bulk + the list pick of buffered_rmqueue: an order-0 page from the
 * current CPU's list of z (pcp_pick), or NULL. */
static struct mm_page *rmqueue_pcp(struct mm_machine *m, struct mm_zone *z, uint32_t gfp)
{
	struct mm_per_cpu_pages *pcp = &z->pcp[m->cpu];
	struct mm_page *p;

	/* rmqueue_bulk: pages join the list in the order the buddy gives them */
	for (uint32_t i = 0, want = pcp->list.nr_free ? 0 : pcp->batch; i < want; i++) {
		struct mm_page *q = rmqueue(m, z, 0);
		if (!q)
			break;
		q->flags = (q->flags & ~(uint32_t)MM_PG_BUDDY) | MM_PG_PCP;
		area_add(&pcp->list, q, true);
	}
	p = pcp_pick(pcp, gfp);
	if (!p)
		return NULL;
	area_del(&pcp->list, p);
	return p; /* prep_new_block clears MM_PG_PCP */
}

/* free_pages_bulk: up to count pages from the tail of pcp to the buddy lists. */
static void free_pages_bulk(struct mm_machine *m, struct mm_zone *z, struct mm_per_cpu_pages *pcp,
			    uint32_t count)
{
	while (count-- && pcp->list.tail) {
		struct mm_page *p = pcp->list.tail;
		area_del(&pcp->list, p);
		p->flags &= ~MM_PG_PCP;
		mm_free_one_page(m, z, p->pfn, 0);
	}
}

/* free_hot_page: onto the current CPU's list; a full list gives back batch. */
static void free_hot_page(struct mm_machine *m, struct mm_zone *z, struct mm_page *p)
{
	struct mm_per_cpu_pages *pcp = &z->pcp[m->cpu];
	p->flags |= MM_PG_PCP;
	area_add(&pcp->list, p, false);
	if (pcp->list.nr_free >= pcp->high)
		free_pages_bulk(m, z, pcp, pcp->batch);
}

/* drain_pages of every zone for one CPU; true if a page moved. */
static bool drain_cpu(struct mm_machine *m, unsigned cpu)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	bool moved = false;
	for (int n = 0; n < MM_MAX_NODES && st->pcp_ready; n++) {
		for (int zi = 0; zi < MM_NR_ZONES && st->node[n].online; zi++) {
			struct mm_zone *z = &st->node[n].zones[zi];
			moved |= z->pcp[cpu].list.nr_free != 0;
			free_pages_bulk(m, z, &z->pcp[cpu], UINT32_MAX);
		}
	}
	return moved;
}

/* drain_all_pages; true if a page moved. */
static bool drain_all_cpus(struct mm_machine *m)
{
	bool moved = false;
	for (unsigned c = 0; c < mm_nr_cpu_ids(m); c++)
		moved |= drain_cpu(m, c);
	return moved;
}

/* zone_batchsize (2.6.29): about a thousandth of the zone, at most 512 KiB,
 * divided by 4 and clamped to 2^n - 1 (0 for a zone under 8192 pages). */
static uint32_t zone_batchsize(uint64_t present)
{
	uint64_t batch = present / 1024, p = 1;
	if (batch * MM_PAGE_SIZE > 512 * 1024)
		batch = 512 * 1024 / MM_PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	while (p * 2 <= batch + batch / 2)
		p *= 2;
	return (uint32_t)(p - 1);
}

/* setup_pageset (fraction 0) or setup_pagelist_highmark on every CPU of z. */
static void zone_pcp_set(struct mm_machine *m, struct mm_zone *z, uint32_t fraction)
{
	uint64_t high, batch;
	if (!fraction) {
		batch = zone_batchsize(z->present);
		high = 6 * batch;
		batch = MM_MAX(batch, 1);
	} else {
		high = z->present / fraction;
		batch = MM_MAX(high / 4, 1);
		if (high / 4 > MM_PAGE_SHIFT * 8)
			batch = MM_PAGE_SHIFT * 8;
	}
	for (unsigned c = 0; c < mm_nr_cpu_ids(m); c++) {
		z->pcp[c].high = (uint32_t)MM_MIN(high, UINT32_MAX);
		z->pcp[c].batch = (uint32_t)batch;
	}
}

static void pcp_set_all(struct mm_machine *m, uint32_t fraction)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	for (int n = 0; n < MM_MAX_NODES; n++)
		for (int zi = 0; zi < MM_NR_ZONES && st->node[n].online; zi++)
			zone_pcp_set(m, &st->node[n].zones[zi], fraction);
}

int mm_setup_per_cpu_pageset(struct mm_machine *m)
{
	if (!m || !m->page_alloc->zones_ready)
		return -EINVAL;
	if (m->page_alloc->pcp_ready)
		return -EEXIST;
	pcp_set_all(m, 0);
	m->page_alloc->pcp_ready = true;
	return 0;
}

int mm_percpu_pagelist_fraction(struct mm_machine *m, uint32_t fraction)
{
	if (!m)
		return -EINVAL;
	if (!m->page_alloc->pcp_ready || (fraction && fraction < 8)) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, fraction,
			  "percpu_pagelist_fraction: %u refused (minimum 8%s)", fraction,
			  m->page_alloc->pcp_ready ? "" : ", no per-CPU pagesets yet");
		return -EINVAL;
	}
	pcp_set_all(m, fraction);
	return 0;
}

int mm_drain_local_pages(struct mm_machine *m)
{
	if (!m)
		return -EINVAL;
	drain_cpu(m, m->cpu);
	return 0;
}

int mm_drain_all_pages(struct mm_machine *m)
{
	if (!m)
		return -EINVAL;
	drain_all_cpus(m);
	return 0;
}

/* ===================================================================== */
/* Watermarks, zonelists, allocation                                     */
/* ===================================================================== */

/* zone_watermark_ok, 2.6.29 per-order loop or the modern rule. */
static bool watermark_ok(struct mm_machine *m, const struct mm_zone *z, unsigned order,
			 uint64_t mark, int classzone, unsigned alloc_flags)
{
	int64_t min = (int64_t)mark;
	int64_t free_pages = (int64_t)z->free - ((int64_t)1 << order) + 1;

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	if (free_pages <= min + (int64_t)z->lowmem_reserve[classzone])
		return false;
	if (m->cfg.features & MM_FEAT_WATERMARK_MODERN) {
		if (!order)
			return true;
		for (unsigned o = order; o < m->page_alloc->max_order; o++)
			if (z->area[o].nr_free)
				return true;
		return false;
	}
	for (unsigned o = 0; o < order; o++) {
		free_pages -= (int64_t)(z->area[o].nr_free << o);
		min >>= 1;
		if (free_pages <= min)
			return false;
	}
	return true;
}

/* gfp_zone: the highest zone index a mask allows. */
static int gfp_zone(uint32_t gfp)
{
	/* 2.6.29: __GFP_DMA wins over __GFP_HIGHMEM */
	if (gfp & MM_GFP_DMA)
		return MM_ZONE_DMA;
	if (gfp & MM_GFP_HIGHMEM)
		return MM_ZONE_HIGHMEM;
	return MM_ZONE_NORMAL;
}

/* build_all_zonelists: every node's lists, in node order, populated zones
 * only (the zones' present pages are fixed once free_area_init is done). */
void mm_build_all_zonelists(struct mm_page_alloc_state *st)
{
	for (int nid = 0; nid < MM_MAX_NODES; nid++) {
		for (int high = 0; high < MM_NR_ZONES && st->node[nid].online; high++) {
			for (int thisnode = 0; thisnode < 2; thisnode++) {
				struct mm_zonelist *zl = &st->node[nid].zonelists[high][thisnode];
				zl->nr = 0;
				for (int k = 0; k < MM_MAX_NODES && !(k && thisnode); k++) {
					int n = (nid + k) % MM_MAX_NODES;
					for (int z = high; z >= 0 && st->node[n].online; z--)
						if (st->node[n].zones[z].present)
							zl->ref[zl->nr++] = (uint8_t)(n * MM_NR_ZONES + z);
				}
			}
		}
	}
}

/* The allocation proper, after argument checks. */
static int alloc_pages_core(struct mm_machine *m, int nid, uint32_t gfp, unsigned order,
			    mm_pfn_t *pfn_out)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_zonelist *list =
		&st->node[nid].zonelists[gfp_zone(gfp)][(gfp & MM_GFP_THISNODE) != 0];
	const int cnt = list->nr;

	if (mm_should_fail(m))
		return -ENOMEM;
	/* pass 0: low watermark; 1: min with the dips; 2: the same again after
	 * draining the per-CPU lists, which only a caller that may "reclaim"
	 * (not ALLOC_HARDER) reaches, and only when a list held a page */
	for (int pass = 0; pass < 3 && cnt; pass++) {
		unsigned flags = 0;
		int mark = pass ? MM_WMARK_MIN : MM_WMARK_LOW;
		if (pass == 2 && ((gfp & MM_GFP_ATOMIC_HARDER) || !drain_all_cpus(m)))
			break;
		if (pass && (gfp & MM_GFP_HIGH))
			flags |= ALLOC_HIGH;
		if (pass && (gfp & MM_GFP_ATOMIC_HARDER))
			flags |= ALLOC_HARDER;
		for (int i = 0; i < cnt; i++) {
			struct mm_zone *z = &st->node[list->ref[i] / MM_NR_ZONES]
						     .zones[list->ref[i] % MM_NR_ZONES];
			struct mm_page *page;
			/* classzone_idx: the preferred (first) zone of the list */
			if (!watermark_ok(m, z, order, z->wmark[mark], list->ref[0] % MM_NR_ZONES, flags))
				continue;
			page = order || !st->pcp_ready ? rmqueue(m, z, order) : rmqueue_pcp(m, z, gfp);
			if (!page)
				continue;
			prep_new_block(m, page, order, gfp);
			*pfn_out = page->pfn;
			return 0;
		}
	}
	return -ENOMEM;
}

int mm_alloc_pages_node(struct mm_machine *m, int nid, uint32_t gfp, unsigned order,
			mm_pfn_t *pfn_out)
{
	struct mm_page_alloc_state *st;
	if (!m)
		return -EINVAL;
	st = m->page_alloc;
	if (mm_page_alloc_zones_missing(m, "alloc_pages"))
		return -EINVAL;
	if (nid == -1)
		nid = 0;
	if (!pfn_out || (gfp & ~(uint32_t)PA_GFP_VALID) || nid < 0 || nid >= MM_MAX_NODES ||
	    !st->node[nid].online) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, 0,
			  "alloc_pages: bad argument (nid %d, gfp %#x)", nid, gfp);
		return -EINVAL;
	}
	if (order >= st->max_order) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_WARN, order,
			  "page allocation of order %u >= MAX_ORDER %u", order, st->max_order);
		return -EINVAL;
	}
	return alloc_pages_core(m, nid, gfp, order, pfn_out);
}

/* The allocation nearly every caller makes once the machine is up (a
 * fault's page, a slab's order-0 refill): order 0 with the per-CPU lists
 * set up and no fault injection armed, and the preferred zone over its low
 * watermark with a page on this CPU's list. That is the first try of
 * alloc_pages_core's pass 0 (get_page_from_freelist's fast path), made
 * without its loop and argument checks. When any of it does not hold,
 * NULL, with nothing changed: the general path makes the same first try. */
static inline __attribute__((always_inline)) struct mm_page *alloc_order0_fast(struct mm_machine *m,
									   uint32_t gfp)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_zonelist *list;
	struct mm_per_cpu_pages *pcp;
	struct mm_zone *z;
	struct mm_page *p;
	unsigned zi;

	if (!st->pcp_ready || m->fault_enable || (gfp & ~(uint32_t)PA_GFP_VALID))
		return NULL;
	list = &st->node[st->cpu_nid].zonelists[gfp_zone(gfp)][(gfp & MM_GFP_THISNODE) != 0];
	if (!list->nr)
		return NULL;
	zi = list->ref[0] % MM_NR_ZONES;
	z = &st->node[list->ref[0] / MM_NR_ZONES].zones[zi];
	pcp = &z->pcp[m->cpu];
	p = pcp_pick(pcp, gfp);
	if (!p || !watermark_ok(m, z, 0, z->wmark[MM_WMARK_LOW], (int)zi, 0))
		return NULL;
	area_del(&pcp->list, p);
	prep_new_block(m, p, 0, gfp);
	return p;
}

/* One page, as mm_alloc_pages(m, gfp, 0, ...), with its struct page (the
 * fault path wants both, and the fast path has both at hand); NULL when
 * mm_alloc_pages would fail. */
struct mm_page *mm_alloc_page(struct mm_machine *m, uint32_t gfp)
{
	struct mm_page *p = alloc_order0_fast(m, gfp);
	mm_pfn_t pfn;
	if (p)
		return p;
	if (mm_alloc_pages_node(m, m->page_alloc->zones_ready ? m->page_alloc->cpu_nid : 0, gfp, 0,
				&pfn))
		return NULL;
	return mm_pfn_to_page(m, pfn);
}

int mm_alloc_pages(struct mm_machine *m, uint32_t gfp, unsigned order, mm_pfn_t *pfn_out)
{
	struct mm_page *p;
	if (m && !order && pfn_out && (p = alloc_order0_fast(m, gfp))) {
		*pfn_out = p->pfn;
		return 0;
	}
	/* the "current CPU" is on the first online node (free_area_init
	 * refuses a machine with none); before zones, node 0 gets the report */
	return mm_alloc_pages_node(m, m && m->page_alloc->zones_ready ? m->page_alloc->cpu_nid : 0,
				   gfp, order, pfn_out);
}

int mm_get_zeroed_page(struct mm_machine *m, uint32_t gfp, mm_pfn_t *pfn_out)
{
	if (!m)
		return -EINVAL;
	if (gfp & MM_GFP_HIGHMEM) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, 0,
			  "VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0)");
		return -EINVAL;
	}
	return mm_alloc_pages(m, gfp | MM_GFP_ZERO, 0, pfn_out);
}

/* ===================================================================== */
/* Freeing                                                               */
/* ===================================================================== */

/* free_pages_check on the block that loses its last reference. */
static int free_pages_check(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	struct mm_page *head = mm_pfn_to_page(m, pfn);
	const bool contig = block_contig(m, head, (uint64_t)1 << order);
	for (uint64_t i = 0; i < ((uint64_t)1 << order); i++) {
		const struct mm_page *p = block_page(m, head, contig, i);
		if (p->mapcount != -1 || p->mapping || (p->flags & MM_PG_SLAB) ||
		    (i && p->refcount)) {
			mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn + i,
				  "Bad page state: pfn %#llx mapcount %d mapping %#llx flags %#x",
				  (unsigned long long)(pfn + i), p->mapcount,
				  (unsigned long long)p->mapping, p->flags);
			return -EINVAL;
		}
	}
	return 0;
}

/* Report why pfn cannot be freed as an order-`order` block; 0 if it can. */
static int free_check(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool last_ref,
		      const char *fn)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	struct mm_page *p = mm_pfn_to_page(m, pfn);

	if (!p || order >= st->max_order) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, pfn,
			  "%s: pfn %#llx order %u out of range", fn, (unsigned long long)pfn, order);
		return -EINVAL;
	}
	if (p->flags & MM_PG_RESERVED) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn,
			  "Bad page state in process %s: pfn %#llx reserved", fn,
			  (unsigned long long)pfn);
		return -EINVAL;
	}
	/* an allocated page is never inside a free block: skip the search */
	if (!(p->flags & MM_PG_ALLOCATED) && ((p->flags & MM_PG_PCP) || mm_free_block_head(m, pfn))) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_DOUBLE_FREE, pfn,
			  "%s: pfn %#llx is already free", fn, (unsigned long long)pfn);
		return -EINVAL;
	}
	if (!(p->flags & MM_PG_ALLOCATED) || (p->flags & MM_PG_TAIL) || p->private != order) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_FREE, pfn,
			  "%s: pfn %#llx is not the head of an order-%u allocation", fn,
			  (unsigned long long)pfn, order);
		return -EINVAL;
	}
	if (NEVER(p->refcount <= 0)) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn,
			  "Bad page state: pfn %#llx count %d", (unsigned long long)pfn,
			  p->refcount);
		return -EINVAL;
	}
	if (last_ref && p->refcount == 1)
		return free_pages_check(m, pfn, order);
	return 0;
}

/* Drop one reference of a checked block; free it at zero. */
static void put_block(struct mm_machine *m, struct mm_page *head, unsigned order)
{
	if (--head->refcount == 0)
		mm_free_block(m, head->pfn, order, true);
}

int mm_free_pages(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	int ret;
	if (!m)
		return -EINVAL;
	if (mm_page_alloc_zones_missing(m, "__free_pages"))
		return -EINVAL;
	ret = free_check(m, pfn, order, true, "__free_pages");
	if (ret)
		return ret;
	put_block(m, mm_pfn_to_page(m, pfn), order);
	return 0;
}

/* ===================================================================== */
/* Exact allocations, split, references                                  */
/* ===================================================================== */

int mm_split_page(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	struct mm_page *p;
	bool contig;
	if (!m)
		return -EINVAL;
	if (mm_page_alloc_zones_missing(m, "split_page"))
		return -EINVAL;
	p = mm_pfn_to_page(m, pfn);
	if (!p || order >= m->page_alloc->max_order) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, pfn,
			  "split_page: pfn %#llx order %u out of range", (unsigned long long)pfn,
			  order);
		return -EINVAL;
	}
	if (!(p->flags & MM_PG_ALLOCATED) || (p->flags & MM_PG_TAIL) || p->private != order ||
	    p->refcount <= 0) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, pfn,
			  "VM_BUG_ON(!page_count(page)): split_page of pfn %#llx",
			  (unsigned long long)pfn);
		return -EINVAL;
	}
	contig = block_contig(m, p, (uint64_t)1 << order);
	for (uint64_t i = 0; i < ((uint64_t)1 << order); i++) {
		struct mm_page *q = block_page(m, p, contig, i);
		q->flags &= ~(MM_PG_HEAD | MM_PG_TAIL);
		q->private = 0;
		if (i)
			q->refcount = 1;
	}
	return 0;
}

int mm_alloc_pages_exact(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_pfn_t *pfn_out)
{
	uint64_t pages;
	unsigned order = 0;
	mm_pfn_t pfn;
	int ret;

	if (!m)
		return -EINVAL;
	if (mm_page_alloc_zones_missing(m, "alloc_pages_exact"))
		return -EINVAL;
	if (!size || !pfn_out) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, size,
			  "alloc_pages_exact: bad argument");
		return -EINVAL;
	}
	if (gfp & MM_GFP_HIGHMEM) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, 0,
			  "VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0)");
		return -EINVAL;
	}
	pages = MM_PFN_DOWN(size - 1) + 1;
	while (order < 63 && ((uint64_t)1 << order) < pages)
		order++;
	ret = mm_alloc_pages(m, gfp, order, &pfn);
	if (ret)
		return ret;
	mm_split_page(m, pfn, order);
	for (uint64_t i = pages; i < ((uint64_t)1 << order); i++)
		put_block(m, mm_pfn_to_page(m, pfn + i), 0);
	*pfn_out = pfn;
	return 0;
}

int mm_free_pages_exact(struct mm_machine *m, mm_pfn_t pfn, uint64_t size)
{
	uint64_t pages;
	if (!m)
		return -EINVAL;
	if (mm_page_alloc_zones_missing(m, "free_pages_exact"))
		return -EINVAL;
	if (!size)
		return 0;
	pages = MM_PFN_DOWN(size - 1) + 1;
	if (pfn + pages < pfn) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, pfn,
			  "free_pages_exact: range wraps");
		return -EINVAL;
	}
	/* All or nothing; a page may be listed once only, so checking each
	 * against the unchanged state is exact. The walk stops at the first
	 * page without a struct page, so a huge size costs no more than the
	 * memmap it covers. */
	for (uint64_t i = 0; i < pages; i++) {
		int ret = free_check(m, pfn + i, 0, true, "free_pages_exact");
		if (ret)
			return ret;
	}
	for (uint64_t i = 0; i < pages; i++)
		put_block(m, mm_pfn_to_page(m, pfn + i), 0);
	return 0;
}

/* The page get_page/put_page act on, or NULL (reported) without a struct page. */
static struct mm_page *ref_page(struct mm_machine *m, mm_pfn_t pfn, const char *fn)
{
	struct mm_page *p;
	if (!m)
		return NULL;
	p = mm_pfn_to_page(m, pfn);
	if (!p)
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG, pfn,
			  "%s: no struct page for pfn %#llx", fn, (unsigned long long)pfn);
	return p;
}

int mm_get_page(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_page *p = ref_page(m, pfn, "get_page");
	if (!p)
		return -EINVAL;
	if (p->refcount <= 0 || p->refcount == INT32_MAX) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn,
			  "VM_BUG_ON(atomic_read(&page->_count) == 0): pfn %#llx count %d",
			  (unsigned long long)pfn, p->refcount);
		return -EINVAL;
	}
	p->refcount++;
	return 0;
}

int mm_put_page(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_page *p = ref_page(m, pfn, "put_page");
	if (!p)
		return -EINVAL;
	return mm_put_page_of(m, p, pfn);
}

int mm_put_page_of(struct mm_machine *m, struct mm_page *p, mm_pfn_t pfn)
{
	if (p->refcount <= 0) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn,
			  "Bad page state: put_page of pfn %#llx with count %d",
			  (unsigned long long)pfn, p->refcount);
		return -EINVAL;
	}
	if (p->refcount > 1) {
		p->refcount--;
		return 0;
	}
	if (p->flags & MM_PG_RESERVED) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn,
			  "Bad page state: last reference of reserved pfn %#llx",
			  (unsigned long long)pfn);
		return -EINVAL;
	}
	if (NEVER(!(p->flags & MM_PG_ALLOCATED) || (p->flags & MM_PG_TAIL))) {
		mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE, pfn,
			  "Bad page state: pfn %#llx", (unsigned long long)pfn);
		return -EINVAL;
	}
	if (free_pages_check(m, pfn, p->private))
		return -EINVAL;
	put_block(m, p, p->private);
	return 0;
}

int mm_page_poison_scribble(struct mm_machine *m, mm_pfn_t pfn, uint32_t offset, uint8_t byte)
{
	struct mm_page *p;
	uint8_t *f;
	bool fresh;

	if (!m || offset >= MM_PAGE_SIZE || !mm_phys_frame_is_free(m, pfn))
		return -EINVAL;
	p = mm_pfn_to_page(m, pfn);
	fresh = !mm_phys_frame(m, pfn, false);
	f = mm_phys_frame(m, pfn, true);
	if (!f)
		return -ENOMEM;
	mm_phys_unpoison_frames(m, pfn, 1);
	if (fresh && (p->flags & MM_PG_POISONED))
		memset(f, PA_POISON_BYTE, MM_PAGE_SIZE);
	f[offset] = byte;
	mm_phys_poison_frames(m, pfn, 1);
	return 0;
}

