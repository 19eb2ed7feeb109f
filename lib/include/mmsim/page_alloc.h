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
/* free_area_init: zone boundaries for every node, empty free lists,
 * watermarks computed later (after the hand-off) by mm_setup_per_zone_wmarks.
 * Call once, after every node is added. */
int mm_free_area_init(struct mm_machine *m);
/* The hand-off entry (__free_pages_bootmem): a naturally aligned block of
 * 2^order pages, every one PageReserved in one zone, becomes free. Refused
 * (report) for a page that is not reserved or outside every zone. */
int mm_free_pages_bootmem(struct mm_machine *m, mm_pfn_t pfn, unsigned order);
/* Recompute watermarks and lowmem_reserve from present pages (2.6.29 formulas). */
int mm_setup_per_zone_wmarks(struct mm_machine *m);

/* alloc_pages_node / alloc_pages: *pfn_out = first pfn of 2^order pages. */
int mm_alloc_pages(struct mm_machine *m, uint32_t gfp, unsigned order, mm_pfn_t *pfn_out);
int mm_alloc_pages_node(struct mm_machine *m, int nid, uint32_t gfp, unsigned order,
			mm_pfn_t *pfn_out);
int mm_free_pages(struct mm_machine *m, mm_pfn_t pfn, unsigned order);  /* __free_pages */
int mm_get_zeroed_page(struct mm_machine *m, uint32_t gfp, mm_pfn_t *pfn_out);
int mm_alloc_pages_exact(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_pfn_t *pfn_out);
int mm_free_pages_exact(struct mm_machine *m, mm_pfn_t pfn, uint64_t size);
int mm_split_page(struct mm_machine *m, mm_pfn_t pfn, unsigned order);
int mm_get_page(struct mm_machine *m, mm_pfn_t pfn);
int mm_put_page(struct mm_machine *m, mm_pfn_t pfn);

/* Read-only views for harnesses and tests. */
struct mm_page_info {
	uint32_t flags;    /* MM_PAGE_* below */
	int32_t refcount;
	int32_t mapcount;
	uint32_t order;    /* buddy order of a free head, allocation order of an allocated head */
	int nid;
	int zone;          /* enum mm_zone_type, -1 outside zones */
};
enum {
	MM_PAGE_RESERVED = 1u << 0,
	MM_PAGE_BUDDY = 1u << 1,    /* head of a free block */
	MM_PAGE_FREE = 1u << 2,     /* inside some free block */
	MM_PAGE_ALLOCATED = 1u << 3,
	MM_PAGE_HIGHMEM = 1u << 4,
	MM_PAGE_SLAB = 1u << 5,
};
/* -ENOENT for a pfn without a struct page (a hole or outside every node). */
int mm_page_info(struct mm_machine *m, mm_pfn_t pfn, struct mm_page_info *out);

struct mm_zone_info {
	mm_pfn_t start_pfn, end_pfn;     /* span */
	uint64_t present_pages, managed_pages, free_pages;
	uint64_t wmark_min, wmark_low, wmark_high;
	uint64_t lowmem_reserve[MM_NR_ZONES];
	uint64_t nr_free[32];            /* per order, up to max_order */
};
int mm_zone_info(struct mm_machine *m, int nid, int zone, struct mm_zone_info *out);
int mm_nr_nodes(const struct mm_machine *m);
uint64_t mm_nr_free_pages(struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
