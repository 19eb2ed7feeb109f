/* label: scenario */
/*
 * Buddy allocator set-up edges no harness draws (semantics.md §5): node and
 * memory_present spans out of range, out of order or overlapping, calls made
 * before or after free_area_init, and the getters' argument checks. Each
 * scenario on a fresh 2.6.29 x86_32 machine, every refusal reported once
 * with its kind, and the machine verifying afterwards.
 */
#include "check.h"

#include <errno.h>

#include "mmsim/mmsim.h"

static struct mm_machine *mk(unsigned nr_cpus)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.lowmem_limit = (uint64_t)0x2000 << 12;
	cfg.nr_cpus = nr_cpus;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/*
 *   pfn 0 ............................................ 1<<20 (x86_32 limit)
 *   node -1, node 8, [0x20, 0x20), [0x10, 0x8), [0xfffff, 0x100001)
 * Expect each span refused with -EINVAL and one INVALID_ARG report, and no
 * node online afterwards.
 */
static void node_span_refused(void)
{
	struct mm_machine *m = mk(1);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, -1, 0x10, 0x20), -EINVAL);
	ASSERT_EQ(mm_node_add(m, MM_MAX_NODES, 0x10, 0x20), -EINVAL);
	ASSERT_EQ(mm_node_add(m, 0, 0x20, 0x20), -EINVAL);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0x10, 0x8), -EINVAL);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0xfffff, 0x100001), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 5);
	ASSERT_EQ(mm_report_count(m), 5);
	ASSERT_EQ(mm_nr_nodes(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 1 [0x100, 0x200)      node 0 [0x180, 0x280)  overlaps node 1
 *                              node 1 again           already online
 *   node 2 [0x80, 0x100) and node 3 [0x200, 0x240), touching node 1
 * Expect the overlap refused with -EINVAL, the second node 1 with -EEXIST,
 * one INVALID_ARG report each, only node 1 online; then nodes 2 and 3
 * accepted without a report.
 */
static void node_overlap_and_twice(void)
{
	struct mm_machine *m = mk(1);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 1, 0x100, 0x200), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x180, 0x280), -EINVAL);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0x80, 0x101), -EINVAL);
	ASSERT_EQ(mm_node_add(m, 1, 0x300, 0x400), -EEXIST);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 3);
	ASSERT_EQ(mm_nr_nodes(m), 1);
	/* touching is not overlapping: the spans are half-open */
	ASSERT_EQ(mm_node_add(m, 2, 0x80, 0x100), 0);
	ASSERT_EQ(mm_node_add(m, 3, 0x200, 0x240), 0);
	ASSERT_EQ(mm_report_count(m), 3);
	ASSERT_EQ(mm_nr_nodes(m), 3);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 (sparse) [0x1000 ............................ 0x1400)
 *   memory_present      [0x1200, 0x1300)  then  [0x1000, 0x1100)
 *                       then [0x10c0, 0x1240) (straddles both, fills the gap)
 *   refused: nid -1, nid 9, nid 3 (offline), [0x1300, 0x1300), [0xf00, 0x1100), [0x1300, 0x1500)
 * Expect the three ranges accepted (the memmap made right to left and the
 * overlap left alone), the six refused with one INVALID_ARG each, and after
 * free_area_init pages 0x1000..0x12ff present, 0x1300 a hole.
 */
static void memory_present_out_of_order(void)
{
	struct mm_machine *m = mk(1);
	struct mm_zone_info zi;
	struct mm_page_info pi;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1200, 0x1300), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1000, 0x1100), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x10c0, 0x1240), 0);
	ASSERT_EQ(mm_memory_present(m, -1, 0x1000, 0x1100), -EINVAL);
	ASSERT_EQ(mm_memory_present(m, 9, 0x1000, 0x1100), -EINVAL);
	ASSERT_EQ(mm_memory_present(m, 3, 0x1000, 0x1100), -EINVAL);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1300, 0x1300), -EINVAL);
	ASSERT_EQ(mm_memory_present(m, 0, 0xf00, 0x1100), -EINVAL);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1300, 0x1500), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 6);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_NORMAL, &zi), 0);
	ASSERT_EQ(zi.present_pages, 0x300);
	ASSERT_EQ(mm_page_info(m, 0x12ff, &pi), 0);
	ASSERT_EQ(pi.nid, 0);
	ASSERT_EQ(mm_page_info(m, 0x1300, &pi), -ENOENT);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   free_area_init not yet called:
 *     setup_per_zone_wmarks, alloc_pages, __free_pages, __free_pages_bootmem,
 *     split_page, alloc_pages_exact, free_pages_exact
 * Expect each refused with -EINVAL and one BUG report naming the call
 * ("... called before free_area_init"); setup_per_cpu_pageset and
 * percpu_pagelist_fraction refused too, the latter with INVALID_ARG.
 */
static void calls_before_free_area_init(void)
{
	struct mm_machine *m = mk(2);
	mm_pfn_t pfn = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "setup_per_zone_wmarks called before free_area_init");
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_free_pages(m, 0x1000, 0), -EINVAL);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 0), -EINVAL);
	ASSERT_EQ(mm_split_page(m, 0x1000, 1), -EINVAL);
	ASSERT_EQ(mm_alloc_pages_exact(m, 4096, MM_GFP_KERNEL, &pfn), -EINVAL);
	ASSERT_EQ(mm_free_pages_exact(m, 0x1000, 4096), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "free_pages_exact called before free_area_init");
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 7);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), -EINVAL);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   no node: free_area_init, then alloc_pages
 *   node 7 (MM_MAX_NODES - 1) [0x1000, 0x1400), free_area_init again,
 *   [0x1000, 0x1400) handed over, alloc_pages order 0
 * Expect the first free_area_init refused with -EINVAL and one BUG ("free_area_init
 * with no node online"), the machine still before zones (the
 * alloc refused as called before free_area_init); once node 7 is online
 * free_area_init accepted and the allocation served from node 7, the only
 * node (the current CPU's node is the lowest online id, whatever it is).
 */
static void free_area_init_no_node(void)
{
	struct mm_machine *m = mk(1);
	mm_pfn_t pfn = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_free_area_init(m), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "free_area_init with no node online");
	ASSERT_EQ(mm_last_report(m)->kind, MM_REPORT_BUG);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 2);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_node_add(m, MM_MAX_NODES - 1, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_TRUE(pfn >= 0x1000 && pfn < 0x1400);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 2 [0x1000, 0x1400)   node 1 [0x1800, 0x1c00)   (ids against address order)
 *   both handed over whole, alloc_pages order 0 with __GFP_THISNODE off
 * Expect the page from node 1, the lowest online id (the current CPU's
 * node), not from node 2 at the lower addresses; then alloc_pages_node
 * on node 2 from node 2.
 */
static void alloc_pages_first_online_node(void)
{
	struct mm_machine *m = mk(1);
	mm_pfn_t pfn = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 2, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_node_add(m, 1, 0x1800, 0x1c00), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1800, 10), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_TRUE(pfn >= 0x1800 && pfn < 0x1c00);
	ASSERT_EQ(mm_alloc_pages_node(m, 2, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_TRUE(pfn >= 0x1000 && pfn < 0x1400);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0x1000, 0x1400), free_area_init done
 *     node_add, memory_present, free_area_init again
 * Expect each refused with -EINVAL and one BUG report, and
 * setup_per_cpu_pageset accepted once then -EEXIST.
 */
static void calls_after_free_area_init(void)
{
	struct mm_machine *m = mk(2);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_node_add(m, 1, 0x2000, 0x2400), -EINVAL);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1000, 0x1100), -EINVAL);
	ASSERT_EQ(mm_free_area_init(m), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "free_area_init called twice");
	ASSERT_EQ(mm_last_report(m)->addr, 0); /* no address concerned */
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 3);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), -EEXIST);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0x1000, 0x1400) zones ready, nr_cpus 2
 *   zone_info / pcp_info with nid -1, 8, 1 (offline), zone -1, 3, cpu 2,
 *   pfns NULL with max 4; page_info_range / page_flags_range that wrap
 * Expect every one refused with -EINVAL and nothing reported (a getter
 * refuses silently).
 */
static void getters_refused(void)
{
	struct mm_machine *m = mk(2);
	struct mm_zone_info zi;
	struct mm_pcp_info ci;
	struct mm_page_info pi;
	uint32_t fl;
	mm_pfn_t pfns[4];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_zone_info(m, 0, 0, &zi), -EINVAL); /* zones not ready */
	ASSERT_EQ(mm_pcp_info(m, 0, 0, 0, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_zone_info(m, -1, 0, &zi), -EINVAL);
	ASSERT_EQ(mm_zone_info(m, MM_MAX_NODES, 0, &zi), -EINVAL);
	ASSERT_EQ(mm_zone_info(m, 1, 0, &zi), -EINVAL);
	ASSERT_EQ(mm_zone_info(m, 0, -1, &zi), -EINVAL);
	ASSERT_EQ(mm_zone_info(m, 0, MM_NR_ZONES, &zi), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, -1, 0, 0, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, MM_MAX_NODES, 0, 0, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, 1, 0, 0, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, 0, -1, 0, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_NR_ZONES, 0, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, 0, 0, 2, &ci, pfns, 4), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, 0, 0, 0, &ci, NULL, 4), -EINVAL);
	ASSERT_EQ(mm_page_info_range(m, ~(mm_pfn_t)0, 2, &pi), -EINVAL);
	ASSERT_EQ(mm_page_flags_range(m, ~(mm_pfn_t)0, 2, &fl), -EINVAL);
	ASSERT_EQ(mm_page_flags_range(m, 0x1000, 1, NULL), -EINVAL);
	ASSERT_EQ(mm_page_flags_range(m, 0x1000, 0, NULL), 0);
	ASSERT_EQ(mm_pcp_info(m, 0, 0, 1, &ci, NULL, 0), 0);
	ASSERT_EQ(ci.count, 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   DMA [0xf00, 0x1000) | NORMAL [0x1000, 0x1100), hole at 0x1100, zones ready
 *   __free_pages_bootmem: order 32; pfn 0x1001 order 1 (misaligned); pfn
 *   0x1100 (no struct page); 0x1000 order 9 (runs into the hole);
 *   0x1000 order 0 twice (the second page is no longer reserved); 0x1003
 *   order 0, then 0x1002 order 1 (its second page no longer reserved)
 * Expect each bad call refused with -EINVAL: INVALID_ARG for the first four
 * ("outside the block's zone" for the block over the hole), BAD_PAGE naming
 * pfn 0x1000 for the second give and 0x1003 (not the head) for the order-1
 * block, and the single pages accepted.
 */
static void free_pages_bootmem_refused(void)
{
	struct mm_machine *m = mk(1);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0xf00, 0x1100), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 32), -EINVAL);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1001, 1), -EINVAL);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1100, 0), -EINVAL);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 9), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "__free_pages_bootmem: pfn 0x1100 outside the block's zone");
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 4);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 0), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 0), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "Bad page state: pfn 0x1000 handed over but not reserved");
	ASSERT_EQ(mm_last_report(m)->addr, 0x1000);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_nr_free_pages(m), 1);
	/* the bad page is the block's second: the report names it, not the head */
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1003, 0), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1002, 1), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "Bad page state: pfn 0x1003 handed over but not reserved");
	ASSERT_EQ(mm_last_report(m)->addr, 0x1003);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 2);
	ASSERT_EQ(mm_nr_free_pages(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000, 0x1400) one order-10 block (max_order 11), hole above
 *   order-2 block A at 0x1000 allocated; everything else free
 *   split_page: pfn 0x1400 (hole), order 11, a free page, A as order 1,
 *   A's tail page 0x1001
 *   alloc_pages_exact: size 0, no result pointer; free_pages_exact wrapping
 *   get_page: a free page, the hole; scribble: offset 4096, A (allocated)
 * Expect every call refused with -EINVAL, each reported once with the kind
 * the kernel would use, A still an allocated order-2 block, and no report
 * for the scribbles (a test hook refuses silently).
 */
static void misuse_refused(void)
{
	struct mm_machine *m = mk(1);
	struct mm_page_info pi;
	mm_pfn_t a = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 2, &a), 0);
	ASSERT_EQ(a, 0x1000);
	ASSERT_EQ(mm_split_page(m, 0x1400, 0), -EINVAL);
	ASSERT_EQ(mm_split_page(m, 0x1000, 11), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 2);
	ASSERT_EQ(mm_split_page(m, 0x1200, 0), -EINVAL);
	ASSERT_EQ(mm_split_page(m, 0x1000, 1), -EINVAL);
	ASSERT_EQ(mm_split_page(m, 0x1001, 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 3);
	ASSERT_EQ(mm_alloc_pages_exact(m, 0, MM_GFP_KERNEL, &a), -EINVAL);
	ASSERT_EQ(mm_alloc_pages_exact(m, 4096, MM_GFP_KERNEL, NULL), -EINVAL);
	ASSERT_EQ(mm_free_pages_exact(m, ~(mm_pfn_t)0 - 2, 8 * 4096), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "free_pages_exact: range wraps");
	ASSERT_EQ(mm_free_pages_exact(m, 0x1000, 0), 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 5);
	ASSERT_EQ(mm_get_page(m, 0x1200), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_get_page(m, 0x1400), -EINVAL);
	ASSERT_EQ(mm_put_page(m, 0x1400), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 7);
	ASSERT_EQ(mm_report_count(m), 11);
	ASSERT_EQ(mm_page_poison_scribble(m, 0x1200, 4096, 0xaa), -EINVAL);
	ASSERT_EQ(mm_page_poison_scribble(m, 0x1000, 0, 0xaa), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 11);
	ASSERT_EQ(mm_page_info(m, 0x1000, &pi), 0);
	ASSERT_EQ(pi.order, 2);
	ASSERT_EQ(pi.refcount, 1);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_free_pages(m, 0x1000, 2), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 0x400);
	mm_machine_destroy(m);
}

/*
 *   backing cap 1 frame; NORMAL [0x1000, 0x1400) free
 *   scribble a byte into free page 0x1000 (backs its frame), then into free
 *   page 0x1001 (a second frame: over the cap)
 * Expect the first accepted, the second -ENOMEM, one frame backed.
 */
static void scribble_over_backing_cap(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.lowmem_limit = (uint64_t)0x2000 << 12;
	cfg.phys_backing_max_pages = 1;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
	ASSERT_EQ(mm_page_poison_scribble(m, 0x1000, 5, 0x11), 0);
	ASSERT_EQ(mm_page_poison_scribble(m, 0x1001, 5, 0x11), -ENOMEM);
	ASSERT_EQ(mm_phys_backed_pages(m), 1);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0xf00, 0xf08) | node 1 [0xf08, 0xf10)          (DMA, unaligned)
 *   lowmem at pfn 0x1008: node 2 NORMAL [0x1000, 0x1008) | HIGHMEM [0x1008, 0x1010)
 *   __free_pages_bootmem of 0xf00 order 4 and of 0x1000 order 4; pfn ~0 order 0
 * Expect all three refused with -EINVAL and INVALID_ARG: the first two at
 * the first page of the other node (0xf08) or zone (0x1008), the last
 * because the block wraps; order-3 halves accepted.
 */
static void free_pages_bootmem_straddles(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.lowmem_limit = (uint64_t)0x1008 << 12;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0xf00, 0xf08), 0);
	ASSERT_EQ(mm_node_add(m, 1, 0xf08, 0xf10), 0);
	ASSERT_EQ(mm_node_add(m, 2, 0x1000, 0x1010), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0xf00, 4), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "__free_pages_bootmem: pfn 0xf08 outside the block's zone");
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 4), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "__free_pages_bootmem: pfn 0x1008 outside the block's zone");
	ASSERT_EQ(mm_free_pages_bootmem(m, ~(mm_pfn_t)0, 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 3);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0xf00, 3), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1008, 3), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 16);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 * 2.6.29's zone_batchsize at the 8192-page step (semantics.md §5): a NORMAL
 * zone of 8184 pages gives b = 8184 / 1024 = 7, 7 / 4 = 1, 2^n - 1 below
 * 1 + 1/2 is 0: batch 0, so high 6 * 0 = 0 and batch max(1, 0) = 1; so does
 * 8191. At 8192 pages b = 8, 8 / 4 = 2, 2^n - 1 below 3 is 1: high 6, batch 1.
 * Expect (node 0 from pfn 0x1000, above the 16 MiB DMA zone): batch 1 and
 * high 0, 0, 6 for the three sizes.
 */
static void zone_batch_step(void)
{
	const uint64_t sizes[] = { 8184, 8191, 8192 };
	const uint32_t highs[] = { 0, 0, 6 };
	for (unsigned i = 0; i < 3; i++) {
		struct mm_config cfg;
		struct mm_machine *m = NULL;
		struct mm_pcp_info ci;
		mm_config_default(&cfg, MM_ERA_2_6_29);
		ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
		ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1000 + sizes[i]), 0);
		ASSERT_EQ(mm_free_area_init(m), 0);
		ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
		ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &ci, NULL, 0), 0);
		ASSERT_EQ(ci.batch, 1);
		ASSERT_EQ(ci.high, highs[i]);
		ASSERT_EQ(mm_report_count(m), 0);
		mm_machine_destroy(m);
	}
}

/*
 *   node 2 [0x40000, 0x80000): one array of 256 Ki pages (the huge-page path)
 *   node 0 (sparse) [0, 0x10000); memory_present [32k, 32k + 16) for
 *   k = 0 .. 254 (with node 2's, 256 host arrays: the most the memmap keeps),
 *   then k = 255; node 1 [0x20000, 0x20010): a 257th array too
 * Expect node 2 and the 255 accepted, the 256th and node 1 refused with
 * -ENOSPC (node 1 left offline), and the pages found where they were made.
 * Node 2's HIGHMEM zone (256 Ki pages) gets a per-CPU batch of 31 and high
 * 186 (the 512 KiB cap: 128 pages / 4 = 32, to 2^n - 1), and with
 * percpu_pagelist_fraction 8 high 32768 and batch 96 (capped at 8 x PAGE_SHIFT).
 */
static void memmap_array_limits(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_page_info pi;
	struct mm_pcp_info ci;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.lowmem_limit = (uint64_t)0x38000 << 12;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 2, 0x40000, 0x80000), 0);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0, 0x10000), 0);
	for (mm_pfn_t k = 0; k < 255; k++)
		ASSERT_EQ(mm_memory_present(m, 0, 32 * k, 32 * k + 16), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 32 * 255, 32 * 255 + 16), -ENOSPC);
	ASSERT_EQ(mm_node_add(m, 1, 0x20000, 0x20010), -ENOSPC);
	ASSERT_EQ(mm_nr_nodes(m), 2);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_page_info(m, 32 * 254 + 15, &pi), 0);
	ASSERT_EQ(pi.nid, 0);
	ASSERT_EQ(mm_page_info(m, 32 * 254 + 16, &pi), -ENOENT);
	ASSERT_EQ(mm_page_info(m, 32 * 255, &pi), -ENOENT);
	ASSERT_EQ(mm_page_info(m, 0x7ffff, &pi), 0);
	ASSERT_EQ(pi.nid, 2);
	ASSERT_EQ(pi.zone, MM_ZONE_HIGHMEM);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_pcp_info(m, 2, MM_ZONE_HIGHMEM, 0, &ci, NULL, 0), 0);
	ASSERT_EQ(ci.batch, 31);
	ASSERT_EQ(ci.high, 186);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), 0);
	ASSERT_EQ(mm_pcp_info(m, 2, MM_ZONE_HIGHMEM, 0, &ci, NULL, 0), 0);
	ASSERT_EQ(ci.high, 32768);
	ASSERT_EQ(ci.batch, 96);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0x1000, 0x1010) added, free_area_init not yet called
 *   page_info(0x1004), page_info_range(0x1000, 16), page_flags_range
 * Expect every page reported reserved, refcount 1, mapcount -1, on no node
 * and in no zone yet (nid and zone -1: the zones are not set up), on no
 * CPU's list; afterwards (zones ready) the same page on node 0, zone NORMAL.
 */
static void page_info_before_zones(void)
{
	struct mm_machine *m = mk(1);
	struct mm_page_info pi, range[16];
	uint32_t flags[16];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1010), 0);
	ASSERT_EQ(mm_page_info(m, 0x1004, &pi), 0);
	ASSERT_EQ(pi.flags, MM_PAGE_RESERVED);
	ASSERT_EQ(pi.refcount, 1);
	ASSERT_EQ(pi.mapcount, -1);
	ASSERT_EQ(pi.nid, -1);
	ASSERT_EQ(pi.zone, -1);
	ASSERT_EQ(pi.cpu, -1);
	ASSERT_EQ(mm_page_info_range(m, 0x1000, 16, range), 0);
	ASSERT_EQ(mm_page_flags_range(m, 0x1000, 16, flags), 0);
	for (int i = 0; i < 16; i++) {
		ASSERT_EQ(range[i].flags, MM_PAGE_RESERVED);
		ASSERT_EQ(range[i].zone, -1);
		ASSERT_EQ(flags[i], MM_PAGE_RESERVED);
	}
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_page_info(m, 0x1004, &pi), 0);
	ASSERT_EQ(pi.nid, 0);
	ASSERT_EQ(pi.zone, MM_ZONE_NORMAL);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 (sparse) [0x1000, 0x1400), memory_present [0x1000, 0x1200) and
 *   [0x1200, 0x1400): two memmap arrays meeting at 0x1200
 * Expect the whole node handed over as one order-10 block (a buddy block
 * may span arrays that meet without a hole); an order-0 allocation splits
 * it page by page across the arrays: it returns 0x1000, the upper halves
 * are free heads at 0x1200 (order 9), 0x1100 (8), ... 0x1001 (0); 1023
 * pages free, verify clean, nothing reported.
 */
static void split_across_memmap_arrays(void)
{
	struct mm_machine *m = mk(1);
	struct mm_page_info pi;
	mm_pfn_t pfn = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1000, 0x1200), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1200, 0x1400), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 1024);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_EQ(pfn, 0x1000);
	for (unsigned o = 0; o < 10; o++) {
		ASSERT_EQ(mm_page_info(m, 0x1000 + ((mm_pfn_t)1 << o), &pi), 0);
		ASSERT_EQ(pi.flags & (MM_PAGE_BUDDY | MM_PAGE_ALLOCATED), MM_PAGE_BUDDY);
		ASSERT_EQ(pi.order, o);
	}
	ASSERT_EQ(mm_nr_free_pages(m), 1023);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_free_pages(m, pfn, 0), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 1024);
	ASSERT_EQ(mm_page_info(m, 0x1000, &pi), 0);
	ASSERT_EQ(pi.flags & MM_PAGE_BUDDY, MM_PAGE_BUDDY);
	ASSERT_EQ(pi.order, 10);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(node_span_refused);
	RUN(node_overlap_and_twice);
	RUN(memory_present_out_of_order);
	RUN(calls_before_free_area_init);
	RUN(calls_after_free_area_init);
	RUN(free_area_init_no_node);
	RUN(alloc_pages_first_online_node);
	RUN(getters_refused);
	RUN(free_pages_bootmem_refused);
	RUN(misuse_refused);
	RUN(scribble_over_backing_cap);
	RUN(free_pages_bootmem_straddles);
	RUN(memmap_array_limits);
	RUN(zone_batch_step);
	RUN(page_info_before_zones);
	RUN(split_across_memmap_arrays);
	return check_summary("page_alloc_edges");
}
