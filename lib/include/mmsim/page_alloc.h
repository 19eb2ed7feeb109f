/*
 * Nodes, zones and the buddy allocator (mm/page_alloc.c, include/linux/mmzone.h).
 *
 * Set-up follows the kernel's order: the arch registers each node's pfn span
 * (mm_node_add: the memmap for it is created, every page PageReserved), then
 * mm_free_area_init sizes the zones (x86-32: DMA below 16 MiB, NORMAL below the
 * lowmem limit, HIGHMEM above), then the boot allocator hands its free pages
 * over with mm_free_pages_bootmem (__free_pages_bootmem / memblock_free_pages).
 * Pages are named by pfn (the kernel's struct page pointer).
 */
#ifndef MMSIM_PAGE_ALLOC_H
#define MMSIM_PAGE_ALLOC_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_MAX_NODES 8

enum mm_zone_type { MM_ZONE_DMA = 0, MM_ZONE_NORMAL = 1, MM_ZONE_HIGHMEM = 2, MM_NR_ZONES = 3 };

/* GFP: zone modifiers and the action bits mmsim models. */
enum {
	MM_GFP_DMA = 0x01u,
	MM_GFP_HIGHMEM = 0x02u,
	MM_GFP_HIGH = 0x20u,      /* may dip into reserves: mark -= mark/2 */
	MM_GFP_COLD = 0x100u,     /* order 0 from the cold (tail) end of the per-CPU list */
	MM_GFP_ZERO = 0x8000u,
	MM_GFP_THISNODE = 0x40000u,
	MM_GFP_ATOMIC_HARDER = 0x80000u, /* ALLOC_HARDER: mark -= mark/4 */
	MM_GFP_KERNEL = 0x0u,
	MM_GFP_HIGHUSER = MM_GFP_HIGHMEM,
	MM_GFP_ATOMIC = MM_GFP_HIGH | MM_GFP_ATOMIC_HARDER,
};

/* Register node nid spanning [start_pfn, end_pfn): struct pages created,
 * all PageReserved. Nodes may not overlap; -EINVAL/-EEXIST otherwise. */
int mm_node_add(struct mm_machine *m, int nid, mm_pfn_t start_pfn, mm_pfn_t end_pfn);
/* SPARSEMEM-style registration: node nid spans [start_pfn, end_pfn) but has
 * no struct page yet; mm_memory_present then creates the memmap of each
 * sub-range that exists. A pfn of the span left without a struct page is a
 * hole: it blocks buddy merging and is never part of a zone's present pages.
 * Both are refused after mm_free_area_init. */
int mm_node_add_sparse(struct mm_machine *m, int nid, mm_pfn_t start_pfn, mm_pfn_t end_pfn);
int mm_memory_present(struct mm_machine *m, int nid, mm_pfn_t start_pfn, mm_pfn_t end_pfn);
/* free_area_init: zone boundaries for every node, empty free lists,
 * watermarks computed later (after the hand-off) by mm_setup_per_zone_wmarks.
 * Call once, after every node is added; with no node online it is refused
 * (-EINVAL + BUG) and may be called again once a node is added. */
int mm_free_area_init(struct mm_machine *m);
/* The hand-off entry (__free_pages_bootmem): a naturally aligned block of
 * 2^order pages, every one PageReserved in one zone, becomes free. Refused
 * (report) for a page that is not reserved or outside every zone. An order
 * at or above MAX_ORDER (bootmem's word-sized blocks with a small MAX_ORDER)
 * is accepted and freed as MAX_ORDER-1 pieces; order > 31 is refused. */
int mm_free_pages_bootmem(struct mm_machine *m, mm_pfn_t pfn, unsigned order);
/* Recompute watermarks and lowmem_reserve from present pages (2.6.29 formulas). */
int mm_setup_per_zone_wmarks(struct mm_machine *m);

/* setup_per_cpu_pageset: give every populated zone its per-CPU page lists
 * for each of the machine's CPUs (2.6.29 zone_batchsize from the zone's
 * present pages; high = 6 * batch). Until then every CPU uses the boot
 * pageset (high 0, batch 1): order-0 pages pass straight to and from the
 * buddy lists. -EINVAL before mm_free_area_init, -EEXIST on a second call
 * (no report either way).
 *
 * With the lists, an order-0 allocation that passed the watermark check
 * takes the head (MM_GFP_COLD: the tail) of the current CPU's list of the
 * zone, first refilling an empty list with up to batch pages taken one by
 * one from the buddy lists (rmqueue_bulk, list in the order taken); an
 * order-0 free goes to the head of the list, and a list reaching high gives
 * batch pages from its tail back to the buddy lists (free_pages_bulk).
 * Pages on a list are neither PageBuddy nor counted in the zone's free
 * pages (NR_FREE_PAGES). An allocation without MM_GFP_ATOMIC_HARDER that
 * fails both watermark passes drains every CPU's lists and tries once more
 * (the kernel's drain after direct reclaim; mmsim has no reclaim). */
int mm_setup_per_cpu_pageset(struct mm_machine *m);
/* vm.percpu_pagelist_fraction: 0 restores zone_batchsize; otherwise
 * high = present / fraction, batch = max(1, high / 4) capped at 96
 * (PAGE_SHIFT * 8), for every zone and CPU. Pages already on a list stay.
 * fraction 1..7 or before mm_setup_per_cpu_pageset: -EINVAL + INVALID_ARG. */
int mm_percpu_pagelist_fraction(struct mm_machine *m, uint32_t fraction);
/* drain_local_pages (the current CPU) / drain_all_pages: every page on the
 * lists goes back to the buddy lists. 0 (nothing to do before set-up). */
int mm_drain_local_pages(struct mm_machine *m);
int mm_drain_all_pages(struct mm_machine *m);

/* alloc_pages_node / alloc_pages: *pfn_out = first pfn of 2^order pages.
 * mm_alloc_pages allocates on the first online node (the "current CPU");
 * mm_alloc_pages_node with nid -1 means node 0. Zonelist: the node's zones from gfp_zone() down to DMA, then the
 * other nodes (nid+1 ... last, then 0 ... nid-1) unless MM_GFP_THISNODE.
 * Two passes as 2.6.29's __alloc_pages_internal: every zone against its low
 * watermark, then against min with the __GFP_HIGH / ALLOC_HARDER dips; no
 * reclaim, so failing both is -ENOMEM (no report), after one more try at
 * min once the per-CPU lists are drained (see mm_setup_per_cpu_pageset). Unknown gfp bits, a bad
 * nid or a NULL out-pointer: -EINVAL + INVALID_ARG. order >= MAX_ORDER:
 * -EINVAL + WARN (the kernel warns and returns NULL). Argument checks come
 * before the fault-injection point; an injected failure is -ENOMEM. */
int mm_alloc_pages(struct mm_machine *m, uint32_t gfp, unsigned order, mm_pfn_t *pfn_out);
int mm_alloc_pages_node(struct mm_machine *m, int nid, uint32_t gfp, unsigned order,
			mm_pfn_t *pfn_out);
/* __free_pages: drops one reference; the block returns to the buddy lists
 * when it reaches 0. Refused with -EINVAL and one report: no struct page or
 * order >= MAX_ORDER (INVALID_ARG), PageReserved (BAD_PAGE "Bad page
 * state"), a page inside a free block (DOUBLE_FREE), a tail page or an
 * order other than the allocation's (BAD_FREE), a page still mapped / owned
 * by a slab / with a mapping when its last reference goes (BAD_PAGE). */
int mm_free_pages(struct mm_machine *m, mm_pfn_t pfn, unsigned order);  /* __free_pages */
int mm_get_zeroed_page(struct mm_machine *m, uint32_t gfp, mm_pfn_t *pfn_out);
int mm_alloc_pages_exact(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_pfn_t *pfn_out);
int mm_free_pages_exact(struct mm_machine *m, mm_pfn_t pfn, uint64_t size);
/* get_zeroed_page / alloc_pages_exact with __GFP_HIGHMEM: BUG report, -EINVAL
 * (the kernel's VM_BUG_ON: no virtual address for a highmem page).
 * alloc_pages_exact: size 0 is -EINVAL + INVALID_ARG; get_order(size) >=
 * MAX_ORDER is -EINVAL + WARN. free_pages_exact frees PAGE_ALIGN(size)/4096
 * order-0 pages; all are checked first and a misuse on any refuses the whole
 * call (one report, for the first bad page); size 0 frees nothing. */
/* split_page: an allocated block of this order becomes 2^order order-0
 * allocations, each with one reference. Anything else: BUG report, -EINVAL. */
int mm_split_page(struct mm_machine *m, mm_pfn_t pfn, unsigned order);
/* get_page on a page without references (free, tail): BAD_PAGE, -EINVAL.
 * put_page: below one reference is an underflow (BAD_PAGE); reaching 0
 * frees an allocated block with its allocation order; a reserved page's
 * last reference is "Bad page state" (BAD_PAGE, refused). */
int mm_get_page(struct mm_machine *m, mm_pfn_t pfn);
int mm_put_page(struct mm_machine *m, mm_pfn_t pfn);

/* A stray write into a free page (DMA gone wrong, a bit flip), bypassing the
 * use-after-free check of mm_phys_write, so that page poisoning can be seen
 * to catch it on the next allocation. Not a kernel API: -EINVAL (no report)
 * unless pfn lies inside a free block and offset < 4096; -ENOMEM when the
 * host backing cap is reached. */
int mm_page_poison_scribble(struct mm_machine *m, mm_pfn_t pfn, uint32_t offset, uint8_t byte);

/* Read-only views for harnesses and tests. */
struct mm_page_info {
	uint32_t flags;    /* MM_PAGE_* below */
	int32_t refcount;
	int32_t mapcount;
	uint32_t order;    /* buddy order of a free head, allocation order of an allocated head */
	int nid;
	int zone;          /* enum mm_zone_type, -1 outside zones */
	int cpu;           /* the per-CPU list holding an MM_PAGE_PCP page, else -1 */
};
enum {
	MM_PAGE_RESERVED = 1u << 0,
	MM_PAGE_BUDDY = 1u << 1,    /* head of a free block */
	MM_PAGE_FREE = 1u << 2,     /* inside some free block */
	MM_PAGE_ALLOCATED = 1u << 3,
	MM_PAGE_HIGHMEM = 1u << 4,
	MM_PAGE_SLAB = 1u << 5,
	MM_PAGE_PCP = 1u << 6,      /* free on a per-CPU list (cpu in mm_page_info.cpu) */
	MM_PAGE_NOPAGE = 1u << 7,   /* mm_page_info_range only: no struct page */
};
/* -ENOENT for a pfn without a struct page (a hole or outside every node). */
int mm_page_info(struct mm_machine *m, mm_pfn_t pfn, struct mm_page_info *out);
/* mm_page_info of every pfn of [start_pfn, start_pfn + nr) into out[0..nr),
 * in one pass over the memmap (a free block is found once, not once per
 * pfn); a pfn without a struct page gets flags MM_PAGE_NOPAGE, nid and zone
 * -1, the rest 0. -EINVAL for a NULL machine or out, or a wrapping range. */
int mm_page_info_range(struct mm_machine *m, mm_pfn_t start_pfn, uint64_t nr,
		       struct mm_page_info *out);
/* The same pass, keeping only each pfn's flags (flags[i] is what
 * mm_page_info_range would put in out[i].flags): for checks that compare
 * page states only. */
int mm_page_flags_range(struct mm_machine *m, mm_pfn_t start_pfn, uint64_t nr, uint32_t *flags);

struct mm_zone_info {
	mm_pfn_t start_pfn, end_pfn;     /* span */
	uint64_t present_pages, managed_pages, free_pages;
	uint64_t wmark_min, wmark_low, wmark_high;
	uint64_t lowmem_reserve[MM_NR_ZONES];
	uint64_t nr_free[32];            /* per order, up to max_order */
	uint64_t pcp_pages;              /* on the per-CPU lists, every CPU */
};
int mm_zone_info(struct mm_machine *m, int nid, int zone, struct mm_zone_info *out);

/* One CPU's list of a zone: count, high, batch, and up to max pfns from the
 * head. -EINVAL for a bad nid/zone/cpu or before mm_free_area_init. */
struct mm_pcp_info {
	uint32_t count, high, batch;
};
int mm_pcp_info(struct mm_machine *m, int nid, int zone, unsigned cpu, struct mm_pcp_info *out,
		mm_pfn_t *pfns, size_t max);
int mm_nr_nodes(const struct mm_machine *m);
uint64_t mm_nr_free_pages(struct mm_machine *m);
/* min_free_kbytes as last computed by mm_setup_per_zone_wmarks (0 before). */
uint64_t mm_min_free_kbytes(const struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
