/*
 * What the buddy allocator shows, and the walk that proves it consistent:
 * the read-only views of pages, per-CPU lists and zones (mm_page_info*,
 * mm_pcp_info, mm_zone_info, mm_nr_free_pages...) and mm_page_alloc_verify.
 *
 * A kernel reader finds the views where the kernel reports the same
 * numbers: mm/vmstat.c (/proc/zoneinfo, /proc/buddyinfo), with the
 * per-page flags of fs/proc/page.c (/proc/kpageflags). The kernel has no
 * single verify walk (CONFIG_DEBUG_VM checks pieces of it as pages move);
 * mmsim's sits here, beside the views, because both only read the
 * allocator's state: nothing in this file changes the machine.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* ===================================================================== */
/* Views                                                                 */
/* ===================================================================== */

/* The CPU whose list holds p: a walk of the zone's lists (a view, not a fast
 * path; the lists are at most high pages long). */
static int pcp_cpu_of(struct mm_machine *m, const struct mm_page *p)
{
	const struct mm_zone *z = &m->page_alloc->node[p->nid].zones[p->zone];
	for (unsigned c = 0; c < MM_MAX_CPUS; c++)
		for (const struct mm_page *q = z->pcp[c].list.head; q; q = q->lru_next)
			if (q == p)
				return (int)c;
	return -1;
}

/* Everything mm_page_info says of p except MM_PAGE_FREE (inlined: the
 * range view runs it for every page). */
static inline __attribute__((always_inline)) void
page_info_fill(const struct mm_page_alloc_state *st, const struct mm_page *p,
		  struct mm_page_info *out)
{
	const uint32_t f = p->flags;
	const bool ready = st->zones_ready;

	/* one store of each field: the range view fills this for every page */
	*out = (struct mm_page_info){
		.flags = (f & MM_PG_RESERVED ? MM_PAGE_RESERVED : 0) |
			 (f & MM_PG_BUDDY ? MM_PAGE_BUDDY : 0) |
			 (f & MM_PG_ALLOCATED ? MM_PAGE_ALLOCATED : 0) |
			 (f & MM_PG_HIGHMEM ? MM_PAGE_HIGHMEM : 0) |
			 (f & MM_PG_SLAB ? MM_PAGE_SLAB : 0) | (f & MM_PG_PCP ? MM_PAGE_PCP : 0),
		.refcount = p->refcount,
		.mapcount = p->mapcount,
		.order = (f & (MM_PG_BUDDY | MM_PG_ALLOCATED)) && !(f & MM_PG_TAIL) ? p->private : 0,
		.nid = ready ? p->nid : -1,
		.zone = ready ? p->zone : -1,
		.cpu = -1,
	};
}

/* End of the block a free head h covers for every pfn of it, as
 * mm_free_block_head sees it: the whole block when it is aligned to its order
 * below MAX_ORDER (each of its pfns then finds h), else 0 (those pfns are
 * decided one at a time). */
static inline __attribute__((always_inline)) mm_pfn_t
head_cover_end(const struct mm_page_alloc_state *st, const struct mm_page *h)
{
	if (h->private < st->max_order && !(h->pfn & (((mm_pfn_t)1 << h->private) - 1)))
		return h->pfn + ((mm_pfn_t)1 << h->private);
	return 0;
}

/* The walk behind mm_page_info_range and mm_page_flags_range: each pfn's
 * view into info[i] or only its flags into flags[i] (one of them given). */
static inline __attribute__((always_inline)) void
page_view_range(struct mm_machine *m, mm_pfn_t start_pfn, mm_pfn_t end, struct mm_page_info *info,
		uint32_t *flags)
{
	const struct mm_page_alloc_state *st = m->page_alloc;
	const bool ready = st->zones_ready;
	mm_pfn_t pfn = start_pfn, run_end, cov_end = 0;

	if (ready && pfn < end) {
		/* a free block may begin below start_pfn */
		const struct mm_page *h = mm_free_block_head(m, start_pfn);
		if (h)
			cov_end = head_cover_end(st, h);
	}
	while (pfn < end) {
		const struct mm_page *p = mm_memmap_run(m, pfn, end, &run_end);
		if (!p) {
			for (; pfn < run_end; pfn++)
				if (info)
					info[pfn - start_pfn] = (struct mm_page_info){
						.flags = MM_PAGE_NOPAGE, .nid = -1, .zone = -1
					};
				else
					flags[pfn - start_pfn] = MM_PAGE_NOPAGE;
			continue;
		}
		for (; pfn < run_end; pfn++, p++) {
			const uint32_t f = p->flags;
			uint32_t free = 0;
			if (ready) {
				if ((f & MM_PG_BUDDY) && head_cover_end(st, p) > cov_end)
					cov_end = head_cover_end(st, p);
				if (!(f & (MM_PG_ALLOCATED | MM_PG_RESERVED | MM_PG_PCP)) &&
				    (pfn < cov_end || mm_free_block_head(m, pfn)))
					free = MM_PAGE_FREE;
			}
			if (info) {
				page_info_fill(st, p, &info[pfn - start_pfn]);
				info[pfn - start_pfn].flags |= free;
				if (f & MM_PG_PCP)
					info[pfn - start_pfn].cpu = pcp_cpu_of(m, p);
			} else {
				flags[pfn - start_pfn] = (f & MM_PG_RESERVED ? MM_PAGE_RESERVED : 0) |
							 (f & MM_PG_BUDDY ? MM_PAGE_BUDDY : 0) |
							 (f & MM_PG_ALLOCATED ? MM_PAGE_ALLOCATED : 0) |
							 (f & MM_PG_HIGHMEM ? MM_PAGE_HIGHMEM : 0) |
							 (f & MM_PG_SLAB ? MM_PAGE_SLAB : 0) |
							 (f & MM_PG_PCP ? MM_PAGE_PCP : 0) | free;
			}
		}
	}
}

int mm_page_info_range(struct mm_machine *m, mm_pfn_t start_pfn, uint64_t nr,
		       struct mm_page_info *out)
{
	if (!m || (nr && !out) || start_pfn + nr < start_pfn)
		return -EINVAL;
	page_view_range(m, start_pfn, start_pfn + nr, out, NULL);
	return 0;
}

int mm_page_flags_range(struct mm_machine *m, mm_pfn_t start_pfn, uint64_t nr, uint32_t *flags)
{
	if (!m || (nr && !flags) || start_pfn + nr < start_pfn)
		return -EINVAL;
	page_view_range(m, start_pfn, start_pfn + nr, NULL, flags);
	return 0;
}

int mm_page_info(struct mm_machine *m, mm_pfn_t pfn, struct mm_page_info *out)
{
	struct mm_page *p;
	if (!m || !out)
		return -EINVAL;
	p = mm_pfn_to_page(m, pfn);
	if (!p)
		return -ENOENT;
	page_info_fill(m->page_alloc, p, out);
	if (p->flags & MM_PG_PCP)
		out->cpu = pcp_cpu_of(m, p);
	else if (m->page_alloc->zones_ready && !(p->flags & (MM_PG_ALLOCATED | MM_PG_RESERVED)) &&
		 mm_free_block_head(m, pfn))
		out->flags |= MM_PAGE_FREE;
	return 0;
}

int mm_pcp_info(struct mm_machine *m, int nid, int zone, unsigned cpu, struct mm_pcp_info *out,
		mm_pfn_t *pfns, size_t max)
{
	const struct mm_per_cpu_pages *pcp;
	size_t i = 0;
	if (!m || !out || nid < 0 || nid >= MM_MAX_NODES || zone < 0 || zone >= MM_NR_ZONES ||
	    cpu >= mm_nr_cpu_ids(m) || !m->page_alloc->node[nid].online || !m->page_alloc->zones_ready ||
	    (max && !pfns))
		return -EINVAL;
	pcp = &m->page_alloc->node[nid].zones[zone].pcp[cpu];
	out->count = (uint32_t)pcp->list.nr_free;
	out->high = m->page_alloc->pcp_ready ? pcp->high : 0;
	out->batch = m->page_alloc->pcp_ready ? pcp->batch : 1;
	for (const struct mm_page *q = pcp->list.head; q && i < max; q = q->lru_next)
		pfns[i++] = q->pfn;
	return 0;
}

int mm_zone_info(struct mm_machine *m, int nid, int zone, struct mm_zone_info *out)
{
	const struct mm_zone *z;
	if (!m || !out || nid < 0 || nid >= MM_MAX_NODES || zone < 0 || zone >= MM_NR_ZONES ||
	    !m->page_alloc->node[nid].online || !m->page_alloc->zones_ready)
		return -EINVAL;
	z = &m->page_alloc->node[nid].zones[zone];
	memset(out, 0, sizeof(*out));
	out->start_pfn = z->start_pfn;
	out->end_pfn = z->end_pfn;
	out->present_pages = z->present;
	out->managed_pages = z->managed;
	out->free_pages = z->free;
	out->wmark_min = z->wmark[MM_WMARK_MIN];
	out->wmark_low = z->wmark[MM_WMARK_LOW];
	out->wmark_high = z->wmark[MM_WMARK_HIGH];
	memcpy(out->lowmem_reserve, z->lowmem_reserve, sizeof(out->lowmem_reserve));
	for (unsigned o = 0; o < m->page_alloc->max_order; o++)
		out->nr_free[o] = z->area[o].nr_free;
	for (unsigned c = 0; c < MM_MAX_CPUS; c++)
		out->pcp_pages += z->pcp[c].list.nr_free;
	return 0;
}

int mm_nr_nodes(const struct mm_machine *m)
{
	int n = 0;
	if (!m)
		return 0;
	for (int i = 0; i < MM_MAX_NODES; i++)
		n += m->page_alloc->node[i].online;
	return n;
}

uint64_t mm_nr_free_pages(struct mm_machine *m)
{
	uint64_t total = 0;
	if (!m)
		return 0;
	for (int n = 0; n < MM_MAX_NODES; n++)
		for (int z = 0; z < MM_NR_ZONES && m->page_alloc->node[n].online; z++)
			total += m->page_alloc->node[n].zones[z].free;
	return total;
}

uint64_t mm_min_free_kbytes(const struct mm_machine *m)
{
	return m ? m->page_alloc->min_free_kbytes : 0;
}

/* ===================================================================== */
/* Verify (CONFIG_DEBUG_VM): every invariant of semantics.md §5.8        */
/* ===================================================================== */

/* A memmap cursor for walks in pfn order: one look-up per host array. */
struct memmap_cursor {
	struct mm_page *base; /* page of start, NULL over a hole */
	mm_pfn_t start, end;  /* the run [start, end) base describes */
};

/* The page of pfn (NULL for a hole); limit bounds the run looked up. Named
 * as a verify function: it runs per page of the walks and, like them and
 * mm_pfn_to_page, stays out of the coverage instrumentation
 * (fuzz/sancov-ignorelist.txt). */
static inline __attribute__((always_inline)) MM_ARRAY_WALK struct mm_page *
verify_page(struct mm_machine *m, struct memmap_cursor *c, mm_pfn_t pfn,
			  mm_pfn_t limit)
{
	if (pfn < c->start || pfn >= c->end) {
		c->base = mm_memmap_run(m, pfn, limit, &c->end);
		c->start = pfn;
		if (c->base)
			mm_track_check(c->base, (c->end - pfn) * sizeof(struct mm_page));
	}
	return c->base ? c->base + (pfn - c->start) : NULL;
}

/* What the memmap walk of one node found, per zone: the free lists must
 * hold exactly the PageBuddy heads counted here. */
struct verify_counts {
	uint64_t present[MM_NR_ZONES], freep[MM_NR_ZONES], alloc[MM_NR_ZONES];
	uint64_t pcp[MM_NR_ZONES]; /* reserved = present - managed then follows */
	/* pages outside free blocks with the core's free mark: exactly the
	 * per-CPU ones (verify_pcp checks each listed page has it) */
	uint64_t marked[MM_NR_ZONES];
	uint64_t heads[MM_NR_ZONES][MM_PA_ORDER_LIMIT];
};

/* PG_POISONED as every free page carries it: set by mm_free_block under
 * page poisoning, never otherwise (the hand-off's fast path is off then). */
static inline __attribute__((always_inline)) MM_ARRAY_WALK uint32_t
free_poison_flag(const struct mm_machine *m)
{
	return (m->cfg.hardening & MM_HARDEN_POISON) ? MM_PG_POISONED : 0;
}

/* The pages of the free block headed by pfn (order o, zone zi), head excluded. */
static MM_ARRAY_WALK int verify_free_block(struct mm_machine *m,
							 struct memmap_cursor *cur, int n, int zi,
							 mm_pfn_t pfn, unsigned o)
{
	const struct mm_zone *z = &m->page_alloc->node[n].zones[zi];
	const uint64_t nr = (uint64_t)1 << o;
	/* A tail is in no state of its own, has PageHighMem as its zone says
	 * and is poisoned exactly when page poisoning is on (mm_free_block marks
	 * every page it frees): one compare per tail for all three (the walk
	 * skips the tails, so only this loop sees them). */
	const uint32_t tail_mask = MM_PG_RESERVED | MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_TAIL |
				   MM_PG_BUDDY | MM_PG_PCP | MM_PG_HIGHMEM | MM_PG_SLAB |
				   MM_PG_POISONED;
	const uint32_t tail_want = (zi == MM_ZONE_HIGHMEM ? MM_PG_HIGHMEM : 0) | free_poison_flag(m);
	const struct mm_page *b;
	/* A tail's zone, node and the core's free mark (phys.c's
	 * USE_AFTER_FREE answer), adjacent bytes of struct mm_page, compared
	 * as one word: pad masked out */
	const unsigned char ids_bytes[4] = { (unsigned char)zi, (unsigned char)n, 1, 0 };
	const unsigned char mask_bytes[4] = { 0xff, 0xff, 0xff, 0 };
	uint32_t ids_want, ids_mask;

	_Static_assert(offsetof(struct mm_page, nid) == offsetof(struct mm_page, zone) + 1 &&
			       offsetof(struct mm_page, free_mark) == offsetof(struct mm_page, zone) + 2 &&
			       offsetof(struct mm_page, pad) == offsetof(struct mm_page, zone) + 3,
		       "zone, nid, free_mark, pad adjacent");
	memcpy(&ids_want, ids_bytes, 4);
	memcpy(&ids_mask, mask_bytes, 4);
	MM_VERIFY(m, !(pfn & (nr - 1)), "free block pfn %#llx not aligned to order %u",
		  (unsigned long long)pfn, o);
	MM_VERIFY(m, pfn >= z->start_pfn && pfn + nr <= z->end_pfn,
		  "free block [%#llx, +%llu) outside its zone", (unsigned long long)pfn,
		  (unsigned long long)nr);
	for (uint64_t i = 1; i < nr; i++) {
		const struct mm_page *q = verify_page(m, cur, pfn + i, pfn + nr);
		MM_VERIFY(m, q, "free block at %#llx covers hole pfn %#llx", (unsigned long long)pfn,
			  (unsigned long long)(pfn + i));
		uint32_t ids;
		memcpy(&ids, (const unsigned char *)q + offsetof(struct mm_page, zone), 4);
		if ((ids & ids_mask) != ids_want) {
			MM_VERIFY(m, q->nid == n && q->zone == zi,
				  "free block at %#llx: pfn %#llx in another zone", (unsigned long long)pfn,
				  (unsigned long long)(pfn + i));
			MM_VERIFY(m, q->free_mark == 1, "free block at %#llx: pfn %#llx free mark %u",
				  (unsigned long long)pfn, (unsigned long long)(pfn + i), q->free_mark);
		}
		MM_VERIFY(m, q->pfn == pfn + i, "pfn %#llx: struct page names pfn %#llx",
			  (unsigned long long)(pfn + i), (unsigned long long)q->pfn);
		MM_VERIFY(m, (q->flags & tail_mask) == tail_want,
			  "free block at %#llx: pfn %#llx has flags %#x%s", (unsigned long long)pfn,
			  (unsigned long long)(pfn + i), q->flags,
			  (q->flags ^ tail_want) & MM_PG_HIGHMEM	 ? ": PageHighMem wrong"
			  : (q->flags ^ tail_want) & MM_PG_POISONED ? ": PagePoisoned wrong"
								    : "");
		MM_VERIFY(m, q->refcount == 0, "free pfn %#llx has count %d", (unsigned long long)(pfn + i),
			  q->refcount);
		/* free_pages_check let no mapped or owned page in */
		MM_VERIFY(m, q->mapcount == -1 && !q->mapping, "free pfn %#llx: mapcount %d mapping %#llx",
			  (unsigned long long)(pfn + i), q->mapcount, (unsigned long long)q->mapping);
	}
	if (o + 1 < m->page_alloc->max_order) {
		b = mm_pfn_to_page(m, pfn ^ nr);
		MM_VERIFY(m, !(b && (b->flags & MM_PG_BUDDY) && b->private == o && b->nid == n && b->zone == zi),
			  "free buddies %#llx and %#llx of order %u left unmerged", (unsigned long long)pfn,
			  (unsigned long long)(pfn ^ nr), o);
	}
	return 0;
}

/* Walk node n's memmap in pfn order: the partition into free blocks,
 * reserved, allocated and per-CPU pages, and the shape of each block. */
static MM_ARRAY_WALK int verify_memmap(struct mm_machine *m, int n,
						     struct verify_counts *vc)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_pgdat *pg = &st->node[n];
	const mm_pfn_t dma_end = st->dma_end, low_pfn = st->low_pfn; /* pfn_zone_idx, inline */
	uint64_t tail_left = 0;
	struct memmap_cursor cur = { 0 };

	for (mm_pfn_t pfn = pg->start_pfn; pfn < pg->end_pfn; pfn++) {
		const struct mm_page *p = verify_page(m, &cur, pfn, pg->end_pfn);
		bool is_resv, is_alloc, is_pcp;
		int zi;
		if (!p) {
			MM_VERIFY(m, tail_left == 0, "allocated block covers hole pfn %#llx",
				  (unsigned long long)pfn);
			continue;
		}
		zi = pfn < dma_end ? MM_ZONE_DMA : pfn < low_pfn ? MM_ZONE_NORMAL : MM_ZONE_HIGHMEM;
		/* the library works from head->pfn: every page must name its own */
		MM_VERIFY(m, p->pfn == pfn, "pfn %#llx: struct page names pfn %#llx", (unsigned long long)pfn,
			  (unsigned long long)p->pfn);
		MM_VERIFY(m, p->nid == n && p->zone == zi, "pfn %#llx: node %d zone %d, expected %d/%d",
			  (unsigned long long)pfn, p->nid, p->zone, n, zi);
		MM_VERIFY(m, !!(p->flags & MM_PG_HIGHMEM) == (zi == MM_ZONE_HIGHMEM),
			  "pfn %#llx: PageHighMem wrong", (unsigned long long)pfn);
		if (p->flags & MM_PG_BUDDY) {
			const unsigned o = p->private;
			MM_VERIFY(m, tail_left == 0, "free block inside an allocation at pfn %#llx",
				  (unsigned long long)pfn);
			MM_VERIFY(m, o < st->max_order, "free head pfn %#llx has order %u",
				  (unsigned long long)pfn, o);
			MM_VERIFY(m, !(p->flags & (MM_PG_RESERVED | MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_TAIL |
						  MM_PG_PCP | MM_PG_SLAB)) && p->refcount == 0,
				  "free head pfn %#llx: flags %#x count %d", (unsigned long long)pfn, p->flags,
				  p->refcount);
			MM_VERIFY(m, p->mapcount == -1 && !p->mapping, "free pfn %#llx: mapcount %d mapping %#llx",
				  (unsigned long long)pfn, p->mapcount, (unsigned long long)p->mapping);
			MM_VERIFY(m, (p->flags & MM_PG_POISONED) == free_poison_flag(m),
				  "free head pfn %#llx: PagePoisoned wrong (flags %#x)", (unsigned long long)pfn,
				  p->flags);
			MM_VERIFY(m, p->free_mark == 1, "free head pfn %#llx: free mark %u",
				  (unsigned long long)pfn, p->free_mark);
			int ret = verify_free_block(m, &cur, n, zi, pfn, o);
			if (ret)
				return ret;
			vc->heads[zi][o]++;
			vc->present[zi] += (uint64_t)1 << o;
			vc->freep[zi] += (uint64_t)1 << o;
			pfn += ((uint64_t)1 << o) - 1;
			continue;
		}
		is_resv = (p->flags & MM_PG_RESERVED) != 0;
		is_alloc = (p->flags & MM_PG_ALLOCATED) != 0;
		is_pcp = (p->flags & MM_PG_PCP) != 0;
		MM_VERIFY(m, is_resv + is_alloc + is_pcp == 1,
			  "pfn %#llx: free 0 reserved %d allocated %d per-CPU %d", (unsigned long long)pfn,
			  is_resv, is_alloc, is_pcp);
		MM_VERIFY(m, (p->flags & MM_PG_POISONED) == (is_pcp ? free_poison_flag(m) : 0),
			  "pfn %#llx: PagePoisoned wrong (flags %#x)", (unsigned long long)pfn, p->flags);
		/* a reserved page keeps its boot reference (put_page refuses
		 * to drop the last one) and is no part of a block */
		MM_VERIFY(m, !is_resv || (p->refcount >= 1 && !p->private &&
					  !(p->flags & (MM_PG_HEAD | MM_PG_TAIL | MM_PG_BUDDY))),
			  "reserved pfn %#llx: count %d order %u flags %#x", (unsigned long long)pfn,
			  p->refcount, p->private, p->flags);
		vc->present[zi]++;
		vc->alloc[zi] += is_alloc;
		vc->pcp[zi] += is_pcp;
		vc->marked[zi] += p->free_mark;
		if (!is_alloc) {
			MM_VERIFY(m, tail_left == 0, "allocated block ends early at pfn %#llx",
				  (unsigned long long)pfn);
			continue;
		}
		if (p->flags & MM_PG_TAIL) {
			MM_VERIFY(m, tail_left > 0, "tail pfn %#llx without a head", (unsigned long long)pfn);
			MM_VERIFY(m, p->refcount == 0 && !p->private && !(p->flags & MM_PG_HEAD),
				  "tail pfn %#llx: count %d order %u flags %#x", (unsigned long long)pfn,
				  p->refcount, p->private, p->flags);
			tail_left--;
			continue;
		}
		MM_VERIFY(m, tail_left == 0, "allocated block ends early at pfn %#llx", (unsigned long long)pfn);
		MM_VERIFY(m, p->refcount >= 1, "allocated pfn %#llx has count %d", (unsigned long long)pfn,
			  p->refcount);
		MM_VERIFY(m, p->private < st->max_order && !(pfn & (((mm_pfn_t)1 << p->private) - 1)) &&
			       !!(p->flags & MM_PG_HEAD) == (p->private > 0),
			  "allocated head pfn %#llx: order %u flags %#x", (unsigned long long)pfn, p->private,
			  p->flags);
		tail_left = ((uint64_t)1 << p->private) - 1;
	}
	MM_VERIFY(m, tail_left == 0, "allocated block runs past node %d", n);
	return 0;
}

/* Every CPU's list of a zone: links, page state, counts. */
/* Every CPU's list of a zone: links, page state, counts. */
static int verify_pcp(struct mm_machine *m, int n, int zi)
{
	const struct mm_zone *z = &m->page_alloc->node[n].zones[zi];
	for (unsigned c = 0; c < MM_MAX_CPUS; c++) {
		const struct mm_page *prev = NULL;
		uint64_t count = 0;
		MM_VERIFY(m, c < mm_nr_cpu_ids(m) || !z->pcp[c].list.head,
			  "node %d zone %d: per-CPU list of impossible cpu %u", n, zi, c);
		for (const struct mm_page *p = z->pcp[c].list.head; p; prev = p, p = p->lru_next) {
			MM_VERIFY(m, count < z->present, "node %d zone %d cpu %u: per-CPU list loops", n,
				  zi, c);
			MM_VERIFY(m, p->lru_prev == prev, "per-CPU list: broken back link at pfn %#llx",
				  (unsigned long long)p->pfn);
			MM_VERIFY(m, p->nid == n && p->zone == zi && (p->flags & MM_PG_PCP) &&
				       !(p->flags & (MM_PG_BUDDY | MM_PG_RESERVED | MM_PG_ALLOCATED |
						     MM_PG_HEAD | MM_PG_TAIL)) &&
				       p->refcount == 0 && p->mapcount == -1 && !p->mapping,
				  "per-CPU page pfn %#llx: node %d zone %d flags %#x count %d mapcount %d",
				  (unsigned long long)p->pfn, p->nid, p->zone, p->flags, p->refcount,
				  p->mapcount);
			MM_VERIFY(m, p->free_mark == 1, "per-CPU page pfn %#llx: free mark %u",
				  (unsigned long long)p->pfn, p->free_mark);
			count++;
		}
		MM_VERIFY(m, prev == z->pcp[c].list.tail && count == z->pcp[c].list.nr_free,
			  "node %d zone %d cpu %u: per-CPU count %llu, list has %llu", n, zi, c,
			  (unsigned long long)z->pcp[c].list.nr_free, (unsigned long long)count);
	}
	return 0;
}

/* The lists' pages are distinct (one lru_next each, and the back links
 * agree), each a PageBuddy head of this zone and order; with as many on
 * each list as the walk counted heads, the lists hold every free block. */
static int verify_free_lists(struct mm_machine *m, int n, int zi,
					   const struct verify_counts *vc)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_zone *z = &st->node[n].zones[zi];
	uint64_t sum = 0;

	for (unsigned o = 0; o < st->max_order; o++) {
		const struct mm_page *prev = NULL;
		uint64_t count = 0;
		for (const struct mm_page *p = z->area[o].head; p; prev = p, p = p->lru_next) {
			MM_VERIFY(m, count < vc->heads[zi][o],
				  "node %d zone %d order %u: free list longer than the %llu free blocks", n,
				  zi, o, (unsigned long long)vc->heads[zi][o]);
			MM_VERIFY(m, p->lru_prev == prev, "free list of order %u: broken back link at pfn %#llx",
				  o, (unsigned long long)p->pfn);
			MM_VERIFY(m, (p->flags & MM_PG_BUDDY) && p->private == o && p->nid == n && p->zone == zi,
				  "pfn %#llx on node %d zone %d order-%u list: node %d zone %d buddy %d order %u",
				  (unsigned long long)p->pfn, n, zi, o, p->nid, p->zone,
				  !!(p->flags & MM_PG_BUDDY), p->private);
			count++;
		}
		MM_VERIFY(m, prev == z->area[o].tail, "node %d zone %d order %u: tail pointer wrong", n, zi, o);
		MM_VERIFY(m, count == vc->heads[zi][o],
			  "node %d zone %d order %u: %llu free blocks, the list holds %llu", n, zi, o,
			  (unsigned long long)vc->heads[zi][o], (unsigned long long)count);
		MM_VERIFY(m, count == z->area[o].nr_free, "node %d zone %d order %u: nr_free %llu, list has %llu",
			  n, zi, o, (unsigned long long)z->area[o].nr_free, (unsigned long long)count);
		sum += count << o;
	}
	MM_VERIFY(m, sum == z->free, "node %d zone %d: free %llu, lists hold %llu", n, zi,
		  (unsigned long long)z->free, (unsigned long long)sum);
	return verify_pcp(m, n, zi);
}

/* The walk's per-zone counts against the zone's counters. */
/* The walk's per-zone counts against the zone's counters. */
static int verify_counts(struct mm_machine *m, int n, const struct verify_counts *vc)
{
	const struct mm_pgdat *pg = &m->page_alloc->node[n];
	for (int zi = 0; zi < MM_NR_ZONES; zi++) {
		const struct mm_zone *z = &pg->zones[zi];
		uint64_t listed = 0;
		for (unsigned c = 0; c < MM_MAX_CPUS; c++)
			listed += z->pcp[c].list.nr_free;
		MM_VERIFY(m, vc->present[zi] == z->present, "node %d zone %d: present %llu, memmap has %llu",
			  n, zi, (unsigned long long)z->present, (unsigned long long)vc->present[zi]);
		MM_VERIFY(m, vc->freep[zi] + vc->alloc[zi] + vc->pcp[zi] == z->managed,
			  "node %d zone %d: managed %llu != free %llu + allocated %llu + per-CPU %llu", n,
			  zi, (unsigned long long)z->managed, (unsigned long long)vc->freep[zi],
			  (unsigned long long)vc->alloc[zi], (unsigned long long)vc->pcp[zi]);
		MM_VERIFY(m, vc->pcp[zi] == listed, "node %d zone %d: %llu pages flagged per-CPU, %llu listed",
			  n, zi, (unsigned long long)vc->pcp[zi], (unsigned long long)listed);
		/* the core's free mark (phys.c's USE_AFTER_FREE answer): every
		 * per-CPU page has it (verify_pcp), so as many marked pages as
		 * per-CPU ones means no reserved or allocated page has it.
		 * Checked last, as a count, so that a page in a wrong state is
		 * named by the checks above first. */
		MM_VERIFY(m, vc->marked[zi] == vc->pcp[zi],
			  "node %d zone %d: %llu pages outside free blocks carry the free mark, %llu are per-CPU",
			  n, zi, (unsigned long long)vc->marked[zi], (unsigned long long)vc->pcp[zi]);
	}
	return 0;
}

/* One sequential walk of each node's memmap, then the lists against what
 * the walk counted: no per-page bitmap, no random access per free page. */
int mm_page_alloc_verify(struct mm_machine *m)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	if (!st || !st->zones_ready)
		return 0;
	for (int n = 0; n < MM_MAX_NODES; n++) {
		struct verify_counts vc;
		int ret;
		if (!st->node[n].online)
			continue;
		memset(&vc, 0, sizeof(vc));
		ret = verify_memmap(m, n, &vc);
		for (int zi = 0; zi < MM_NR_ZONES && !ret; zi++)
			ret = verify_free_lists(m, n, zi, &vc);
		if (!ret)
			ret = verify_counts(m, n, &vc);
		if (ret)
			return ret;
	}
	return 0;
}
