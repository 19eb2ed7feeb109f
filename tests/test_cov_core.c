/* label: scenario */
/*
 * Boot hand-off edges no harness draws yet (the open rows of
 * docs/coverage.md): memblock_free_all and free_highpages without a count
 * pointer; a memblock_free_all and a free_all_bootmem whose free range
 * holds a page the buddy allocator already has; mm_page_flags_range of a
 * page on a per-CPU list; mm_phys_frame_backed without a machine; page
 * info before the zones and from a free block's tail; a per-CPU refill
 * cut short by an empty zone; free_highpages with no early reservation
 * left and over two memmap arrays of one node, or a hole between them.
 *
 * Expectations from docs/bootmem.md and semantics.md §4.5/§4.6: free
 * ranges go to the buddy allocator below max_low_pfn, highmem by the
 * highmem step; the count pointer may be NULL (bootmem.h); "a hand-off is
 * refused whole (BUG) when a page it would release is not a reserved page
 * with a struct page": -EINVAL, one BUG report, nothing released, bootmem
 * still alive.
 */
#include "check.h"
#include "profile.h"

#include <errno.h>

#include "mmsim/mmsim.h"

#define PG 4096ull

/* Expect (modern, lowmem 2 MiB = pfn 512, node and memblock [0, 4 MiB),
 * pfn 0 reserved): memblock_free_all(NULL) releases pfns 1..511, then
 * free_highpages(NULL) pfns 512..1023: 1023 free; nothing reported. */
static void handoffs_without_count(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_MODERN, 2ull << 20, 0, 1024);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_memblock_add(m, 0, 4ull << 20), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0, PG), 0);
	ASSERT_EQ(mm_memblock_free_all(m, NULL), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 511);
	ASSERT_EQ(mm_free_highpages(m, NULL), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 1023);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (modern, node and memblock memory [0, 4 MiB), pfn 10 handed to
 * the buddy allocator directly before): memblock_free_all meets pfn 10 in
 * the free range -- free, not reserved -- and is refused whole: one BUG
 * report, only pfn 10 free, bootmem not handed off. */
static void memblock_free_all_page_already_free(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_MODERN, 0, 0, 1024);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_memblock_add(m, 0, 4ull << 20), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 10, 0), 0);
	ASSERT_EQ(mm_memblock_free_all(m, &n), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_nr_free_pages(m), 1);
	ASSERT_TRUE(!mm_bootmem_handed_off(m));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (2.6.29, node [0, 64), bitmap at pfn 63 reserved, pfn 10 handed
 * to the buddy allocator directly before): free_all_bootmem meets pfn 10
 * in the clear run of word 0 -- free, not reserved -- and is refused
 * whole: one BUG report, only pfn 10 free, bootmem alive. */
static void free_all_bootmem_page_already_free(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 0, 0, 64);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_free_pages_bootmem(m, 10, 0), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 1);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 63, 0, 64, NULL), 0);
	ASSERT_EQ(mm_free_bootmem(m, 0, 64 * PG), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 63 * PG, PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_nr_free_pages(m), 1);
	ASSERT_TRUE(!mm_bootmem_handed_off(m));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (NORMAL [0x1000, 0x2000), 4096 pages, percpu_pagelist_fraction 8:
 * high 512, batch 96, semantics.md §5.4): an order-0 allocation refills
 * the CPU's list with 96 pages and takes its head; freed, the page goes
 * back to the head of the list: mm_page_flags_range names it PCP, neither
 * allocated nor buddy-free, and the buddy lists hold 4096 - 96 pages. */
static void flags_range_of_pcp_page(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_pfn_t p = 0;
	uint32_t flags = 0;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_X86_32;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x2000), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	for (mm_pfn_t s = 0x1000; s < 0x2000; s += 0x400)
		ASSERT_EQ(mm_free_pages_bootmem(m, s, 10), 0);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
	ASSERT_EQ(mm_page_flags_range(m, p, 1, &flags), 0);
	ASSERT_EQ(flags & (MM_PAGE_PCP | MM_PAGE_ALLOCATED), MM_PAGE_ALLOCATED);
	ASSERT_EQ(mm_free_pages(m, p, 0), 0);
	ASSERT_EQ(mm_page_flags_range(m, p, 1, &flags), 0);
	ASSERT_EQ(flags & (MM_PAGE_PCP | MM_PAGE_ALLOCATED | MM_PAGE_BUDDY), MM_PAGE_PCP);
	/* the 96 pages of the list are not free in the buddy sense */
	ASSERT_EQ(mm_nr_free_pages(m), 4096 - 96);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: mm_phys_frame_backed answers false without a machine (there is
 * no memory to back), false for a frame never written, true once written. */
static void frame_backed(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_MODERN, 0, 0, 64);
	uint8_t b = 1;
	ASSERT_TRUE(m);
	ASSERT_TRUE(!mm_phys_frame_backed(NULL, 5));
	ASSERT_TRUE(!mm_phys_frame_backed(m, 5));
	ASSERT_EQ(mm_phys_write(m, 5 * PG, &b, 1), 0);
	ASSERT_TRUE(mm_phys_frame_backed(m, 5));
	mm_machine_destroy(m);
}

/* Expect (page info, page_alloc.h): before free_area_init a page of an
 * added node exists and is reserved, in no free block (the zones are not
 * ready, so nothing is free); after the hand-off of one order-4 block at
 * 0x1000, a range that starts at a tail of the block (0x1005) names each
 * of its pages free but not a buddy head, and the page after the block
 * (still reserved) not free. */
static void page_info_before_zones_and_mid_block(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_page_info pi, r[12];
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_X86_32;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1100), 0);
	ASSERT_EQ(mm_page_info(m, 0x1005, &pi), 0);
	ASSERT_EQ(pi.flags & (MM_PAGE_RESERVED | MM_PAGE_FREE | MM_PAGE_BUDDY), MM_PAGE_RESERVED);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 4), 0);
	ASSERT_EQ(mm_page_info_range(m, 0x1005, 12, r), 0);
	for (unsigned i = 0; i < 11; i++)
		ASSERT_EQ(r[i].flags & (MM_PAGE_RESERVED | MM_PAGE_FREE | MM_PAGE_BUDDY), MM_PAGE_FREE);
	ASSERT_EQ(r[11].flags & (MM_PAGE_RESERVED | MM_PAGE_FREE | MM_PAGE_BUDDY), MM_PAGE_RESERVED);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (semantics.md §5.4: rmqueue_bulk takes up to batch pages, fewer
 * when the buddy lists run out): NORMAL [0x1000, 0x2000), fraction 8
 * (batch 96); order-10 x3, 9, 8, 7, 6 and 5 allocations leave 32 free
 * pages, so the order-0 allocation's refill takes those 32 and hands out
 * one: no buddy page left, 31 on the CPU's list; 31 more order-0
 * allocations empty the list and the next is -ENOMEM; nothing reported. */
static void pcp_refill_short(void)
{
	static const unsigned orders[] = { 10, 10, 10, 9, 8, 7, 6, 5 };
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_pcp_info pc;
	mm_pfn_t p = 0;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_X86_32;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x2000), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	for (mm_pfn_t s = 0x1000; s < 0x2000; s += 0x400)
		ASSERT_EQ(mm_free_pages_bootmem(m, s, 10), 0);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), 0);
	for (unsigned i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, orders[i], &p), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 32);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
	ASSERT_EQ(mm_nr_free_pages(m), 0);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &pc, NULL, 0), 0);
	ASSERT_EQ(pc.batch, 96);
	ASSERT_EQ(pc.count, 31);
	for (unsigned i = 0; i < 31; i++)
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), -ENOMEM);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &pc, NULL, 0), 0);
	ASSERT_EQ(pc.count, 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (2.6.29's free_highpages: e820 RAM minus the early reservations,
 * docs/bootmem.md): with the BIOS data page's reservation (early_res
 * slot 0) freed, no early reservation is left; the highmem step over
 * e820 RAM [0, 4 MiB) with lowmem 2 MiB then releases pfns 512..1023:
 * count 512, all free, nothing reported. */
static void highpages_without_early_res(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 2ull << 20, 0, 1024);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_add(m, 0, 4ull << 20, MM_E820_RAM), 0);
	ASSERT_EQ(mm_early_res_count(m), 1);
	ASSERT_EQ(mm_free_early(m, 0, PG), 0);
	ASSERT_EQ(mm_early_res_count(m), 0);
	ASSERT_EQ(mm_free_highpages(m, &n), 0);
	ASSERT_EQ(n, 512);
	ASSERT_EQ(mm_nr_free_pages(m), 512);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (modern, lowmem 2 MiB = pfn 512; node 0 sparse [0, 1024) with
 * two memmap arrays [0, 768) and [768, 1024); memblock [0, 4 MiB)): the
 * highmem step releases pfns 512..1023, one run across both arrays: 512
 * pages. With pfn 600 handed to the buddy allocator first (no longer
 * reserved: skipped without a report, as bm_block_ok skips it), it
 * releases the other 511; 512 free either way. With the second array
 * [800, 1024) instead, memblock's range has a hole [768, 800) with no
 * struct page, skipped without a report (pfn_valid): 480 released. */
static void highpages_across_arrays(void)
{
	for (unsigned c = 0; c < 3; c++) {
		struct mm_config cfg;
		struct mm_machine *m = NULL;
		uint64_t n = 0;
		mm_config_default(&cfg, MM_ERA_MODERN);
		cfg.profile = MM_PROFILE_X86_32;
		cfg.lowmem_limit = 2ull << 20;
		ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
		ASSERT_EQ(mm_node_add_sparse(m, 0, 0, 1024), 0);
		ASSERT_EQ(mm_memory_present(m, 0, 0, 768), 0);
		ASSERT_EQ(mm_memory_present(m, 0, c == 2 ? 800 : 768, 1024), 0);
		ASSERT_EQ(mm_free_area_init(m), 0);
		ASSERT_EQ(mm_memblock_add(m, 0, 4ull << 20), 0);
		if (c == 1)
			ASSERT_EQ(mm_free_pages_bootmem(m, 600, 0), 0);
		ASSERT_EQ(mm_free_highpages(m, &n), 0);
		ASSERT_EQ(n, c == 0 ? 512 : c == 1 ? 511 : 480);
		ASSERT_EQ(mm_nr_free_pages(m), c == 2 ? 480 : 512);
		ASSERT_EQ(mm_report_count(m), 0);
		ASSERT_EQ(mm_verify(m), 0);
		mm_machine_destroy(m);
	}
}

/* Expect (modern, lowmem 4 MiB: all NORMAL; node 0 sparse [0, 1024) with
 * memory_present [0, 768) and [800, 1024); memblock [0, 4 MiB), pfn 0
 * reserved): memblock_free_all's range [1, 1024) holds the hole [768,
 * 800), pfns with no struct page, which it steps over (semantics.md §4.5):
 * the 991 pages around the hole are released, nothing reported. */
static void memblock_free_all_over_a_hole(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	uint64_t n = 77;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.profile = MM_PROFILE_X86_32;
	cfg.lowmem_limit = 4ull << 20;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0, 1024), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0, 768), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 800, 1024), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_memblock_add(m, 0, 4ull << 20), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0, PG), 0);
	ASSERT_EQ(mm_memblock_free_all(m, &n), 0);
	ASSERT_EQ(n, 991);
	ASSERT_EQ(mm_nr_free_pages(m), 991);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(handoffs_without_count);
	RUN(memblock_free_all_page_already_free);
	RUN(free_all_bootmem_page_already_free);
	RUN(flags_range_of_pcp_page);
	RUN(frame_backed);
	RUN(page_info_before_zones_and_mid_block);
	RUN(pcp_refill_short);
	RUN(highpages_without_early_res);
	RUN(highpages_across_arrays);
	RUN(memblock_free_all_over_a_hole);
	return check_summary("test_cov_core");
}
