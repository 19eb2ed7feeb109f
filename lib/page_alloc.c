/*
 * Nodes, zones and the binary buddy allocator (mm/page_alloc.c of 2.6.29,
 * include/linux/mmzone.h).
 *
 * Models: per-node zones DMA / NORMAL / HIGHMEM with the x86-32 boundaries,
 * free_area[order] lists with nr_free, split on allocation and merge on free,
 * the zonelist fallback across zones and nodes, the 2.6.29 watermarks with
 * lowmem_reserve and the __GFP_HIGH / ALLOC_HARDER dips, page reference
 * counts, and the misuse checks of free_pages_check ("Bad page state").
 *
 * Per-CPU page lists (struct per_cpu_pages: count, high, batch, one list,
 * hot at the head, cold at the tail) serve order-0 pages once
 * mm_setup_per_cpu_pageset has run; before, the boot pageset passes every
 * order-0 page straight to the buddy lists, as the kernel's does.
 *
 * Departs from the kernel: no migratetypes (one list per order and per CPU),
 * no reclaim (an allocation that fails both watermark passes drains the
 * per-CPU lists, as the kernel does after direct reclaim, retries once, then
 * is -ENOMEM), zonelists in node order only, the hand-off frees straight to
 * the buddy lists (the modern __free_pages_core; 2.6.29 hands off before the
 * lists exist, so the result is the same). Misuse the
 * kernel would crash or corrupt itself on is refused and reported with the
 * machine unchanged. A non-compound high-order block whose last reference
 * goes through put_page is freed whole (the kernel would leak its tails).
 * Page poisoning (0xaa) and free-list shuffling follow the later kernels'
 * CONFIG_PAGE_POISONING and shuffle_pick_tail.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PA_ORDER_LIMIT 20      /* free_area slots: config_check caps max_order at 20 */
#define PA_DMA_END_PFN 4096u   /* 16 MiB */
#define PA_POISON_BYTE 0xaa
#define PA_SWAP_CLUSTER_MAX 32

enum { WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2 };
enum { ALLOC_HIGH = 1u << 0, ALLOC_HARDER = 1u << 1 };

#define PA_GFP_VALID                                                                   \
	(MM_GFP_DMA | MM_GFP_HIGHMEM | MM_GFP_HIGH | MM_GFP_COLD | MM_GFP_ZERO |        \
	 MM_GFP_THISNODE | MM_GFP_ATOMIC_HARDER)

struct mm_free_area {
	struct mm_page *head, *tail; /* doubly linked through lru_next/lru_prev */
	uint64_t nr_free;
};

/* per_cpu_pages: one list linked like the free lists (list.nr_free is the
 * kernel's count), hot pages at the head. */
struct mm_per_cpu_pages {
	struct mm_free_area list;
	uint32_t high, batch;
};

struct mm_zone {
	struct mm_per_cpu_pages pcp[MM_MAX_CPUS];
	mm_pfn_t start_pfn, end_pfn; /* span, clipped to the node */
	uint64_t present;            /* pages of the span with a struct page */
	uint64_t managed;            /* pages handed over by the boot allocator */
	uint64_t free;               /* sum of nr_free << order */
	uint64_t wmark[3];
	uint64_t lowmem_reserve[MM_NR_ZONES];
	struct mm_free_area area[PA_ORDER_LIMIT];
};

/* A zonelist as build_all_zonelists leaves it: node * MM_NR_ZONES + zone. */
struct mm_zonelist {
	uint8_t nr;
	uint8_t ref[MM_MAX_NODES * MM_NR_ZONES];
};

struct mm_pgdat {
	bool online;
	mm_pfn_t start_pfn, end_pfn;
	struct mm_zone zones[MM_NR_ZONES];
	/* [highest zone][__GFP_THISNODE], built once the zones are sized */
	struct mm_zonelist zonelists[MM_NR_ZONES][2];
};

struct mm_page_alloc_state {
	uint32_t max_order;  /* MAX_ORDER, exclusive */
	bool zones_ready;    /* mm_free_area_init done */
	bool pcp_ready;      /* mm_setup_per_cpu_pageset done */
	uint64_t min_free_kbytes;
	mm_pfn_t dma_end, low_pfn;
	/* MM_MAX_NODES pgdats, allocated by the first node registration: a
	 * machine that never reaches the buddy stage (the firmware-map and
	 * memblock harnesses create one per input) does not pay for them.
	 * Until then it points at no_nodes, all offline, read-only. */
	struct mm_pgdat *node;
};

static const struct mm_pgdat no_nodes[MM_MAX_NODES];

/* Give st its own pgdats before the first write to one. */
static int pgdat_alloc(struct mm_page_alloc_state *st)
{
	struct mm_pgdat *n;
	if (st->node != no_nodes)
		return 0;
	n = calloc(MM_MAX_NODES, sizeof(*n));
	if (!n)
		return -ENOMEM;
	st->node = n;
	return 0;
}

/* ---- table of contents ----------------------------------------------- */
/* Free lists */
/* Push page on area's list: at the head, or the tail when shuffling says so. */
static void area_add(struct mm_free_area *a, struct mm_page *p, bool tail);
/* Unlink page from area's list in O(1). */
static void area_del(struct mm_free_area *a, struct mm_page *p);

/* Lookups */
/* The zone a memmap page belongs to (only valid once zones exist). */
static struct mm_zone *page_zone(struct mm_page_alloc_state *st, const struct mm_page *p);
/* The head of the free block that covers pfn, or NULL. */
static struct mm_page *free_block_head(struct mm_machine *m, mm_pfn_t pfn);
/* Page i of a block whose pages all exist: pointer arithmetic when the
 * memmap holds the block in one host array (mm_memmap_contig), a look-up
 * otherwise. */
static inline struct mm_page *block_page(struct mm_machine *m, struct mm_page *head, bool contig,
					 uint64_t i);
/* Does the memmap hold the nr pages from head contiguously? */
static bool block_contig(struct mm_machine *m, struct mm_page *head, uint64_t nr);
/* Zone index of pfn by the x86-32 boundaries. */
/* Report an unusable call before set-up; true when the zones are missing. */
static bool zones_missing(struct mm_machine *m, const char *fn);

/* The buddy core */
/* __free_one_page: merge pfn's block of order upward and insert the result. */
static void free_one_page(struct mm_machine *m, struct mm_zone *z, mm_pfn_t pfn,
			  unsigned order);
/* Mark 2^order pages free (poison, ASan) and hand them to free_one_page, or
 * an order-0 page to the current CPU's list when via_pcp and the lists exist. */
static void free_block(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool via_pcp);
/* __rmqueue_smallest + expand: take a 2^order block from z, or NULL. */
static struct mm_page *rmqueue(struct mm_machine *m, struct mm_zone *z, unsigned order);
/* Per-CPU lists */
/* rmqueue_bulk + the list pick of buffered_rmqueue: an order-0 page from the
 * current CPU's list of z (head, or tail for __GFP_COLD), or NULL. */
static struct mm_page *rmqueue_pcp(struct mm_machine *m, struct mm_zone *z, uint32_t gfp);
/* free_hot_page: onto the current CPU's list; a full list gives back batch. */
static void free_hot_page(struct mm_machine *m, struct mm_zone *z, struct mm_page *p);
/* free_pages_bulk: up to count pages from the tail of pcp to the buddy lists. */
static void free_pages_bulk(struct mm_machine *m, struct mm_zone *z, struct mm_per_cpu_pages *pcp,
			    uint32_t count);
/* drain_pages of every zone for one CPU; true if a page moved. */
static bool drain_cpu(struct mm_machine *m, unsigned cpu);
/* prep_new_page: flags, references, poison check, zeroing. */
static void prep_new_block(struct mm_machine *m, struct mm_page *head, unsigned order,
			   uint32_t gfp);

/* Watermarks and zonelists */
/* zone_watermark_ok, 2.6.29 per-order loop or the modern rule. */
static bool watermark_ok(struct mm_machine *m, const struct mm_zone *z, unsigned order,
			 uint64_t mark, int classzone, unsigned alloc_flags);
/* gfp_zone: the highest zone index a mask allows. */
static int gfp_zone(uint32_t gfp);
/* build_all_zonelists: every node's lists, in node order, populated zones
 * only (the zones' present pages are fixed once free_area_init is done). */
static void build_all_zonelists(struct mm_page_alloc_state *st);
/* The allocation proper, after argument checks. */
static int alloc_pages_core(struct mm_machine *m, int nid, uint32_t gfp, unsigned order,
			    mm_pfn_t *pfn_out);

/* Freeing with misuse checks */
/* Report why pfn cannot be freed as an order-`order` block; 0 if it can. */
static int free_check(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool last_ref,
		      const char *fn);
/* free_pages_check on the block that loses its last reference. */
static int free_pages_check(struct mm_machine *m, mm_pfn_t pfn, unsigned order);
/* Drop one reference of a checked block; free it at zero. */
static void put_block(struct mm_machine *m, struct mm_page *head, unsigned order);
/* Hand-off block check in one pass: every page created, reserved, unused,
 * in first's zone. */
static bool handoff_fast_ok(struct mm_machine *m, struct mm_page *first, uint64_t nr);
/* The hand-off block failed the fast check: report the first bad page
 * (-EINVAL), or 0 if a page-by-page look finds none. */
static int handoff_refuse(struct mm_machine *m, struct mm_page *first, uint64_t nr);
/* Hand [s, e) of one zone over as maximal aligned blocks; returns e - s. */
static uint64_t release_run(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e, unsigned max_order);
/* __free_pages_bootmem's per-page part of [s, e) (pages that passed the
 * hand-off check): PageReserved and the references go, in one loop per host
 * array, and the frames get their ASan poisoning, as free_block would do
 * block by block (the hand-offs touch every page of the machine). False,
 * nothing done, when page poisoning is on: free_block then does it all. */
static bool handoff_prep(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e);
/* Free one hand-off block of zone z: the rest of free_block after
 * handoff_prep (prepped: pages and frames done), or free_block itself. */
static void handoff_free(struct mm_machine *m, struct mm_zone *z, bool prepped, mm_pfn_t pfn,
			 unsigned order);

/* The pfns where NORMAL and HIGHMEM begin, into out; returns out. */
static const mm_pfn_t *zone_starts(const struct mm_page_alloc_state *st, mm_pfn_t out[2]);
/* memmap_init_zone for one zone whose span is set. */
static void memmap_init_zone(struct mm_machine *m, int n, int z);

/* Node registration */
/* Validate a node span for registration. */
static int node_span_check(struct mm_machine *m, int nid, mm_pfn_t start, mm_pfn_t end);

/* ===================================================================== */
/* Life cycle                                                            */
/* ===================================================================== */

int mm_page_alloc_init(struct mm_machine *m)
{
	struct mm_page_alloc_state *st = mm_state_zalloc(m, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->max_order = MM_MIN(mm_max_order(m), (uint32_t)PA_ORDER_LIMIT);
	if (st->max_order < 1)
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
	if (!m || !m->page_alloc)
		return;
	if (m->page_alloc->node != no_nodes)
		free(m->page_alloc->node);
	mm_state_free(m, m->page_alloc);
	m->page_alloc = NULL;
}

/* ===================================================================== */
/* Free lists and lookups                                                */
/* ===================================================================== */

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

static bool block_contig(struct mm_machine *m, struct mm_page *head, uint64_t nr)
{
	/* one page is trivially contiguous: the order-0 fast paths skip the look-up */
	return nr == 1 || mm_memmap_contig(m, head->pfn, nr);
}

static inline struct mm_page *block_page(struct mm_machine *m, struct mm_page *head, bool contig,
					 uint64_t i)
{
	return contig ? head + i : mm_pfn_to_page(m, head->pfn + i);
}

static struct mm_zone *page_zone(struct mm_page_alloc_state *st, const struct mm_page *p)
{
	return &st->node[p->nid].zones[p->zone];
}

static struct mm_page *free_block_head(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	for (unsigned o = 0; o < st->max_order; o++) {
		mm_pfn_t head = pfn & ~(((mm_pfn_t)1 << o) - 1);
		struct mm_page *p = mm_pfn_to_page(m, head);
		if (p && (p->flags & MM_PG_BUDDY) && pfn - head < ((mm_pfn_t)1 << p->private))
			return p;
	}
	return NULL;
}

bool mm_page_alloc_pfn_is_free(struct mm_machine *m, mm_pfn_t pfn)
{
	const struct mm_page *p;
	if (!m || !m->page_alloc || !m->page_alloc->zones_ready)
		return false;
	p = mm_pfn_to_page(m, pfn);
	/* reserved and allocated pages are never inside a free block */
	if (!p || (p->flags & (MM_PG_ALLOCATED | MM_PG_RESERVED)))
		return false;
	return (p->flags & MM_PG_PCP) || free_block_head(m, pfn) != NULL;
}

static bool zones_missing(struct mm_machine *m, const char *fn)
{
	if (m->page_alloc->zones_ready)
		return false;
	mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG, 0, "%s called before free_area_init", fn);
	return true;
}

/* ===================================================================== */
/* Nodes and zones                                                       */
/* ===================================================================== */

static int node_span_check(struct mm_machine *m, int nid, mm_pfn_t start, mm_pfn_t end)
{
	struct mm_page_alloc_state *st = m->page_alloc;

	/* every way into the buddy allocator starts with a node */
	if (mm_profile_refused(m, MM_STAGE_PAGE_ALLOC, "node_add"))
		return -EINVAL;
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

/* Where NORMAL and HIGHMEM begin: the memmap links each page it creates to
 * its zone with these (the x86-32 boundaries are fixed at machine creation). */
static const mm_pfn_t *zone_starts(const struct mm_page_alloc_state *st, mm_pfn_t out[2])
{
	out[0] = st->dma_end;
	out[1] = st->low_pfn;
	return out;
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
	build_all_zonelists(st);
	st->zones_ready = true;
	return 0;
}

int mm_setup_per_zone_wmarks(struct mm_machine *m)
{
	struct mm_page_alloc_state *st;
	uint64_t lowmem = 0, pages_min, kb;
	static const uint64_t ratio[MM_NR_ZONES] = { 256, 32, 32 };

	if (!m)
		return -EINVAL;
	st = m->page_alloc;
	if (zones_missing(m, "setup_per_zone_wmarks"))
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
				z->wmark[WMARK_MIN] = MM_MIN(MM_MAX(z->present / 1024,
								    (uint64_t)PA_SWAP_CLUSTER_MAX),
							     (uint64_t)128);
			else
				z->wmark[WMARK_MIN] = tmp;
			z->wmark[WMARK_LOW] = z->wmark[WMARK_MIN] + (tmp >> 2);
			z->wmark[WMARK_HIGH] = z->wmark[WMARK_MIN] + (tmp >> 1);
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

static void free_one_page(struct mm_machine *m, struct mm_zone *z, mm_pfn_t pfn,
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

static void free_block(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool via_pcp)
{
	struct mm_page *head = mm_pfn_to_page(m, pfn);
	const uint64_t nr = (uint64_t)1 << order;
	const bool poison = m->cfg.hardening & MM_HARDEN_POISON;
	const bool contig = block_contig(m, head, nr);

	for (uint64_t i = 0; i < nr; i++) {
		struct mm_page *p = block_page(m, head, contig, i);
		p->flags &= ~(MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_TAIL | MM_PG_RESERVED);
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
		free_hot_page(m, page_zone(m->page_alloc, head), head);
	else
		free_one_page(m, page_zone(m->page_alloc, head), pfn, order);
}

static struct mm_page *rmqueue(struct mm_machine *m, struct mm_zone *z, unsigned order)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	for (unsigned cur = order; cur < st->max_order; cur++) {
		struct mm_page *page = z->area[cur].head;
		if (!page)
			continue;
		area_del(&z->area[cur], page);
		page->flags &= ~MM_PG_BUDDY;
		page->private = 0;
		z->free -= (uint64_t)1 << order;
		/* expand: the upper halves go back, one per order on the way down */
		while (cur > order) {
			struct mm_page *upper;
			cur--;
			upper = mm_pfn_to_page(m, page->pfn + ((mm_pfn_t)1 << cur));
			upper->flags |= MM_PG_BUDDY;
			upper->private = cur;
			area_add(&z->area[cur], upper, false);
		}
		return page;
	}
	return NULL;
}

static void prep_new_block(struct mm_machine *m, struct mm_page *head, unsigned order,
			   uint32_t gfp)
{
	const mm_pfn_t pfn = head->pfn;
	const uint64_t nr = (uint64_t)1 << order;
	const bool contig = block_contig(m, head, nr);

	mm_phys_unpoison_frames(m, pfn, nr);
	for (uint64_t i = 0; i < nr; i++) {
		struct mm_page *p = block_page(m, head, contig, i);
		if (p->flags & MM_PG_POISONED) {
			/* An unbacked poisoned frame is all 0xaa by definition. */
			const uint8_t *f = mm_phys_frame(m, pfn + i, false);
			uint64_t bad = MM_PAGE_SIZE;
			for (uint64_t k = 0; f && k < MM_PAGE_SIZE; k++) {
				if (f[k] != PA_POISON_BYTE) {
					bad = k;
					break;
				}
			}
			if (bad < MM_PAGE_SIZE)
				mm_report(m, MM_STAGE_PAGE_ALLOC, MM_REPORT_CORRUPTION,
					  MM_PFN_PHYS(pfn + i) + bad,
					  "pagealloc: memory corruption at pfn %#llx offset %llu",
					  (unsigned long long)(pfn + i), (unsigned long long)bad);
			p->flags &= ~MM_PG_POISONED;
		}
		p->flags |= MM_PG_ALLOCATED | (i ? (order ? MM_PG_TAIL : 0) : (order ? MM_PG_HEAD : 0));
		p->refcount = i ? 0 : 1;
		p->private = i ? 0 : order;
	}
	if (gfp & MM_GFP_ZERO)
		mm_phys_zero(m, MM_PFN_PHYS(pfn), nr << MM_PAGE_SHIFT);
}

/* ===================================================================== */
/* Per-CPU page lists                                                    */
/* ===================================================================== */

static struct mm_page *rmqueue_pcp(struct mm_machine *m, struct mm_zone *z, uint32_t gfp)
{
	struct mm_per_cpu_pages *pcp = &z->pcp[m->cpu];
	struct mm_page *p;

	/* rmqueue_bulk: pages join the list in the order the buddy gives them */
	for (uint32_t i = 0, want = pcp->list.nr_free ? 0 : pcp->batch; i < want; i++) {
		struct mm_page *q = rmqueue(m, z, 0);
		if (!q)
			break;
		q->flags |= MM_PG_PCP;
		area_add(&pcp->list, q, true);
	}
	p = (gfp & MM_GFP_COLD) ? pcp->list.tail : pcp->list.head;
	if (!p)
		return NULL;
	area_del(&pcp->list, p);
	p->flags &= ~MM_PG_PCP;
	return p;
}

static void free_pages_bulk(struct mm_machine *m, struct mm_zone *z, struct mm_per_cpu_pages *pcp,
			    uint32_t count)
{
	while (count-- && pcp->list.tail) {
		struct mm_page *p = pcp->list.tail;
		area_del(&pcp->list, p);
		p->flags &= ~MM_PG_PCP;
		free_one_page(m, z, p->pfn, 0);
	}
}

static void free_hot_page(struct mm_machine *m, struct mm_zone *z, struct mm_page *p)
{
	struct mm_per_cpu_pages *pcp = &z->pcp[m->cpu];
	p->flags |= MM_PG_PCP;
	area_add(&pcp->list, p, false);
	if (pcp->list.nr_free >= pcp->high)
		free_pages_bulk(m, z, pcp, pcp->batch);
}

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

static unsigned nr_cpus(const struct mm_machine *m)
{
	return m->cfg.nr_cpus ? m->cfg.nr_cpus : 1;
}

/* drain_all_pages; true if a page moved. */
static bool drain_all_cpus(struct mm_machine *m)
{
	bool moved = false;
	for (unsigned c = 0; c < nr_cpus(m); c++)
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
	for (unsigned c = 0; c < nr_cpus(m); c++) {
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

static int gfp_zone(uint32_t gfp)
{
	/* 2.6.29: __GFP_DMA wins over __GFP_HIGHMEM */
	if (gfp & MM_GFP_DMA)
		return MM_ZONE_DMA;
	if (gfp & MM_GFP_HIGHMEM)
		return MM_ZONE_HIGHMEM;
	return MM_ZONE_NORMAL;
}

static void build_all_zonelists(struct mm_page_alloc_state *st)
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
		int mark = pass ? WMARK_MIN : WMARK_LOW;
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
	if (zones_missing(m, "alloc_pages"))
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

int mm_alloc_pages(struct mm_machine *m, uint32_t gfp, unsigned order, mm_pfn_t *pfn_out)
{
	if (m && m->page_alloc->zones_ready) {
		/* the "current CPU" is on the first online node */
		for (int n = 0; n < MM_MAX_NODES; n++)
			if (m->page_alloc->node[n].online)
				return mm_alloc_pages_node(m, n, gfp, order, pfn_out);
	}
	return mm_alloc_pages_node(m, 0, gfp, order, pfn_out);
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
	if (!(p->flags & MM_PG_ALLOCATED) && ((p->flags & MM_PG_PCP) || free_block_head(m, pfn))) {
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

static void put_block(struct mm_machine *m, struct mm_page *head, unsigned order)
{
	if (--head->refcount == 0)
		free_block(m, head->pfn, order, true);
}

int mm_free_pages(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	int ret;
	if (!m)
		return -EINVAL;
	if (zones_missing(m, "__free_pages"))
		return -EINVAL;
	ret = free_check(m, pfn, order, true, "__free_pages");
	if (ret)
		return ret;
	put_block(m, mm_pfn_to_page(m, pfn), order);
	return 0;
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
	if (zones_missing(m, "__free_pages_bootmem"))
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
	zone = page_zone(st, first);
	zone->managed += nr;
	prepped = handoff_prep(m, pfn, pfn + nr);
	for (uint64_t off = 0; off < nr; off += (uint64_t)1 << piece)
		handoff_free(m, zone, prepped, pfn + off, piece);
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

/* Release [s, e) (pages of one zone, each accepted by handoff_fast_ok) as
 * maximal naturally aligned blocks, lowest first. */
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
			q->refcount = 0;
			q->private = 0;
		}
		s = run_end;
	}
	/* the ASan poisoning of the frames free_block would do per block, for
	 * the whole range at once (one pass over the backed frames) */
	mm_phys_poison_frames(m, s0, e - s0);
	return true;
}

static void handoff_free(struct mm_machine *m, struct mm_zone *z, bool prepped, mm_pfn_t pfn,
			 unsigned order)
{
	if (!prepped) {
		free_block(m, pfn, order, false);
		return;
	}
	/* free_block's last step (handoff_prep poisoned the frames) */
	free_one_page(m, z, pfn, order);
}

static uint64_t release_run(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e, unsigned max_order)
{
	const unsigned top = MM_MIN(m->page_alloc->max_order - 1, max_order);
	struct mm_zone *z;
	bool prepped;

	if (s >= e)
		return 0;
	z = page_zone(m->page_alloc, mm_pfn_to_page(m, s));
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

/* The run of pages from pfn (below end) that share pfn's zone: its end, and
 * in *ok whether every page of it may be handed over as mm_free_pages_bootmem
 * would take it (struct page, PageReserved, neither free nor allocated, one
 * reference, unmapped, inside its zone's span, zones set up). A hole ends
 * the run; *ok is false for a run that starts at a hole or a bad page. */
static mm_pfn_t handoff_zone_run(struct mm_machine *m, mm_pfn_t pfn, mm_pfn_t end, bool *ok)
{
	const struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_page *first = mm_pfn_to_page(m, pfn);
	const struct mm_zone *z;
	mm_pfn_t at = pfn, stop_pfn, run_end;
	uint64_t bad = 0;

	*ok = false;
	if (!first || !st->zones_ready || first->nid >= MM_MAX_NODES ||
	    !st->node[first->nid].online || first->zone >= MM_NR_ZONES)
		return pfn + 1;
	z = &st->node[first->nid].zones[first->zone];
	if (pfn < z->start_pfn || pfn >= z->end_pfn)
		return pfn + 1;
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
	*ok = !bad;
	return at;
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
		bool ok = true;
		mm_pfn_t t;
		if (skip_holes && !mm_pfn_to_page(m, start)) {
			mm_memmap_run(m, start, end, &t);
			start = t;
			continue;
		}
		/* a range to apply passed the check (apply=false) already, so
		 * its zone runs are known without a second look at each page */
		t = apply ? checked_zone_run(m, start, end) : handoff_zone_run(m, start, end, &ok);
		if (!ok)
			return false;
		if (apply)
			*count += release_run(m, start, t, max_order);
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

/* ===================================================================== */
/* Exact allocations, split, references                                  */
/* ===================================================================== */

int mm_split_page(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	struct mm_page *p;
	bool contig;
	if (!m)
		return -EINVAL;
	if (zones_missing(m, "split_page"))
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
	if (zones_missing(m, "alloc_pages_exact"))
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
	if (zones_missing(m, "free_pages_exact"))
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

	if (!m || offset >= MM_PAGE_SIZE || !mm_page_alloc_pfn_is_free(m, pfn))
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

/* ===================================================================== */
/* Views                                                                 */
/* ===================================================================== */

static int pcp_cpu_of(struct mm_machine *m, const struct mm_page *p);

/* Everything mm_page_info says of p except MM_PAGE_FREE (inlined: the
 * range view runs it for every page). */
static inline __attribute__((always_inline)) void
mm_page_info_fill(const struct mm_page_alloc_state *st, const struct mm_page *p,
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
 * free_block_head sees it: the whole block when it is aligned to its order
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
		const struct mm_page *h = free_block_head(m, start_pfn);
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
				    (pfn < cov_end || free_block_head(m, pfn)))
					free = MM_PAGE_FREE;
			}
			if (info) {
				mm_page_info_fill(st, p, &info[pfn - start_pfn]);
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
	mm_page_info_fill(m->page_alloc, p, out);
	if (p->flags & MM_PG_PCP)
		out->cpu = pcp_cpu_of(m, p);
	else if (m->page_alloc->zones_ready && !(p->flags & (MM_PG_ALLOCATED | MM_PG_RESERVED)) &&
		 free_block_head(m, pfn))
		out->flags |= MM_PAGE_FREE;
	return 0;
}

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

int mm_pcp_info(struct mm_machine *m, int nid, int zone, unsigned cpu, struct mm_pcp_info *out,
		mm_pfn_t *pfns, size_t max)
{
	const struct mm_per_cpu_pages *pcp;
	size_t i = 0;
	if (!m || !out || nid < 0 || nid >= MM_MAX_NODES || zone < 0 || zone >= MM_NR_ZONES ||
	    cpu >= nr_cpus(m) || !m->page_alloc->node[nid].online || !m->page_alloc->zones_ready ||
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
	out->wmark_min = z->wmark[WMARK_MIN];
	out->wmark_low = z->wmark[WMARK_LOW];
	out->wmark_high = z->wmark[WMARK_HIGH];
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
/* Verify (CONFIG_DEBUG_VM): every invariant of mm-semantics.md §4         */
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
mm_page_alloc_verify_page(struct mm_machine *m, struct memmap_cursor *c, mm_pfn_t pfn,
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
	uint64_t heads[MM_NR_ZONES][PA_ORDER_LIMIT];
};

/* Walk node n's memmap in pfn order: the partition into free blocks,
 * reserved, allocated and per-CPU pages, and the shape of each block. */
static int mm_page_alloc_verify_memmap(struct mm_machine *m, int n, struct verify_counts *vc);
/* The pages of the free block headed by pfn (order o, zone zi), head excluded. */
static int mm_page_alloc_verify_free_block(struct mm_machine *m, struct memmap_cursor *cur, int n,
					   int zi, mm_pfn_t pfn, unsigned o);
/* Zone zi's free lists: links, heads, and counts against the walk's. */
static int mm_page_alloc_verify_free_lists(struct mm_machine *m, int n, int zi,
					   const struct verify_counts *vc);
/* Every CPU's list of a zone: links, page state, counts. */
static int mm_page_alloc_verify_pcp(struct mm_machine *m, int n, int zi);
/* The walk's per-zone counts against the zone's counters. */
static int mm_page_alloc_verify_counts(struct mm_machine *m, int n, const struct verify_counts *vc);

/* PG_POISONED as every free page carries it: set by free_block under
 * page poisoning, never otherwise (the hand-off's fast path is off then). */
static inline __attribute__((always_inline)) MM_ARRAY_WALK uint32_t
free_poison_flag(const struct mm_machine *m)
{
	return (m->cfg.hardening & MM_HARDEN_POISON) ? MM_PG_POISONED : 0;
}

static MM_ARRAY_WALK int mm_page_alloc_verify_free_block(struct mm_machine *m,
							 struct memmap_cursor *cur, int n, int zi,
							 mm_pfn_t pfn, unsigned o)
{
	const struct mm_zone *z = &m->page_alloc->node[n].zones[zi];
	const uint64_t nr = (uint64_t)1 << o;
	/* A tail is in no state of its own, has PageHighMem as its zone says
	 * and is poisoned exactly when page poisoning is on (free_block marks
	 * every page it frees): one compare per tail for all three (the walk
	 * skips the tails, so only this loop sees them). */
	const uint32_t tail_mask = MM_PG_RESERVED | MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_TAIL |
				   MM_PG_BUDDY | MM_PG_PCP | MM_PG_HIGHMEM | MM_PG_SLAB |
				   MM_PG_POISONED;
	const uint32_t tail_want = (zi == MM_ZONE_HIGHMEM ? MM_PG_HIGHMEM : 0) | free_poison_flag(m);
	const struct mm_page *b;

	MM_VERIFY(m, !(pfn & (nr - 1)), "free block pfn %#llx not aligned to order %u",
		  (unsigned long long)pfn, o);
	MM_VERIFY(m, pfn >= z->start_pfn && pfn + nr <= z->end_pfn,
		  "free block [%#llx, +%llu) outside its zone", (unsigned long long)pfn,
		  (unsigned long long)nr);
	for (uint64_t i = 1; i < nr; i++) {
		const struct mm_page *q = mm_page_alloc_verify_page(m, cur, pfn + i, pfn + nr);
		MM_VERIFY(m, q, "free block at %#llx covers hole pfn %#llx", (unsigned long long)pfn,
			  (unsigned long long)(pfn + i));
		MM_VERIFY(m, q->nid == n && q->zone == zi, "free block at %#llx: pfn %#llx in another zone",
			  (unsigned long long)pfn, (unsigned long long)(pfn + i));
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

static MM_ARRAY_WALK int mm_page_alloc_verify_memmap(struct mm_machine *m, int n,
						     struct verify_counts *vc)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	const struct mm_pgdat *pg = &st->node[n];
	const mm_pfn_t dma_end = st->dma_end, low_pfn = st->low_pfn; /* pfn_zone_idx, inline */
	uint64_t tail_left = 0;
	struct memmap_cursor cur = { 0 };

	for (mm_pfn_t pfn = pg->start_pfn; pfn < pg->end_pfn; pfn++) {
		const struct mm_page *p = mm_page_alloc_verify_page(m, &cur, pfn, pg->end_pfn);
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
			int ret = mm_page_alloc_verify_free_block(m, &cur, n, zi, pfn, o);
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

/* The lists' pages are distinct (one lru_next each, and the back links
 * agree), each a PageBuddy head of this zone and order; with as many on
 * each list as the walk counted heads, the lists hold every free block. */
static int mm_page_alloc_verify_free_lists(struct mm_machine *m, int n, int zi,
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
	return mm_page_alloc_verify_pcp(m, n, zi);
}

static int mm_page_alloc_verify_pcp(struct mm_machine *m, int n, int zi)
{
	const struct mm_zone *z = &m->page_alloc->node[n].zones[zi];
	for (unsigned c = 0; c < MM_MAX_CPUS; c++) {
		const struct mm_page *prev = NULL;
		uint64_t count = 0;
		MM_VERIFY(m, c < nr_cpus(m) || !z->pcp[c].list.head,
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
			count++;
		}
		MM_VERIFY(m, prev == z->pcp[c].list.tail && count == z->pcp[c].list.nr_free,
			  "node %d zone %d cpu %u: per-CPU count %llu, list has %llu", n, zi, c,
			  (unsigned long long)z->pcp[c].list.nr_free, (unsigned long long)count);
	}
	return 0;
}

static int mm_page_alloc_verify_counts(struct mm_machine *m, int n, const struct verify_counts *vc)
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
		ret = mm_page_alloc_verify_memmap(m, n, &vc);
		for (int zi = 0; zi < MM_NR_ZONES && !ret; zi++)
			ret = mm_page_alloc_verify_free_lists(m, n, zi, &vc);
		if (!ret)
			ret = mm_page_alloc_verify_counts(m, n, &vc);
		if (ret)
			return ret;
	}
	return 0;
}
