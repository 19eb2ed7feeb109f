/* label: scenario */
/*
 * Buddy allocator scenarios (semantics.md §5), one function per rule, each
 * on a fresh machine and rerun under every profile below (era, PAE,
 * hardening). Expectations are computed by hand in the comments.
 *
 * Zone boundaries used throughout: DMA below pfn 0x1000 (16 MiB); the
 * lowmem limit is given per scenario as a pfn; HIGHMEM above it.
 * Most scenarios skip mm_setup_per_zone_wmarks, so every watermark is 0 and
 * only the buddy rules decide; the watermark scenarios compute theirs.
 */
#include "check.h"
#include "profile.h"

#include <errno.h>

#include "mmsim/mmsim.h"

static const struct profile profiles[] = {
	{ "2.6.29/x86_32", MM_ERA_2_6_29, MM_PROFILE_X86_32, 0 },
	{ "modern/pae/poison+asan", MM_ERA_MODERN, MM_PROFILE_X86_PAE,
	  MM_HARDEN_POISON | MM_HARDEN_ASAN_POISON },
	{ "2.6.29/pae/shuffle+poison", MM_ERA_2_6_29, MM_PROFILE_X86_PAE,
	  MM_HARDEN_SHUFFLE | MM_HARDEN_POISON },
};
static const struct profile *prof;

static struct mm_machine *mk(uint32_t max_order, uint64_t lowmem_pfn)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	profile_config(prof, &cfg);
	cfg.max_order = max_order;
	cfg.lowmem_limit = lowmem_pfn << 12;
	cfg.seed = 42;
	cfg.nr_cpus = 2;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/* One node [start, end), zones, hand-off of everything, no watermarks. */
static struct mm_machine *simple(unsigned max_order, uint64_t lowmem_pfn, uint64_t start, uint64_t end)
{
	struct mm_machine *m = mk(max_order, lowmem_pfn);
	if (!m || mm_node_add(m, 0, start, end) || mm_free_area_init(m) ||
	    give(m, start, end, lowmem_pfn, max_order)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

static uint64_t nr_free(struct mm_machine *m, int nid, int zone, unsigned order)
{
	struct mm_zone_info zi;
	if (mm_zone_info(m, nid, zone, &zi))
		return ~0ull;
	return zi.nr_free[order];
}

static uint64_t zone_free(struct mm_machine *m, int nid, int zone)
{
	struct mm_zone_info zi;
	if (mm_zone_info(m, nid, zone, &zi))
		return ~0ull;
	return zi.free_pages;
}

static int zone_of(struct mm_machine *m, uint64_t pfn)
{
	struct mm_page_info pi;
	return mm_page_info(m, pfn, &pi) ? -1 : pi.zone;
}

static int node_of(struct mm_machine *m, uint64_t pfn)
{
	struct mm_page_info pi;
	return mm_page_info(m, pfn, &pi) ? -1 : pi.nid;
}

/*
 *   NORMAL  [0x1000 ................................ 0x1400)  one order-10 block
 *   alloc order 0 -> 0x1000; the upper halves 0x1001 (o0), 0x1002 (o1),
 *   0x1004 (o2) ... 0x1200 (o9) go to the free lists.
 * Expect one free block of each order 0..9 with those heads, none of order 10,
 * and freeing the page merges everything back into the order-10 block.
 */
static void split_and_merge(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	struct mm_page_info pi;
	mm_pfn_t pfn;
	ASSERT_TRUE(m);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 10), 1);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_EQ(pfn, 0x1000);
	for (unsigned o = 0; o < 10; o++) {
		ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, o), 1);
		ASSERT_EQ(mm_page_info(m, 0x1000 + (1u << o), &pi), 0);
		ASSERT_TRUE(pi.flags & MM_PAGE_BUDDY);
		ASSERT_EQ(pi.order, o);
	}
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 10), 0);
	ASSERT_EQ(mm_page_info(m, 0x1000, &pi), 0);
	ASSERT_EQ(pi.flags & (MM_PAGE_ALLOCATED | MM_PAGE_FREE), MM_PAGE_ALLOCATED);
	ASSERT_EQ(pi.refcount, 1);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_free_pages(m, 0x1000, 0), 0);
	for (unsigned o = 0; o < 10; o++)
		ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, o), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 10), 1);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   [0x1000 ... 0x1007][hole 0x1008][0x1009 ... 0x100f]   pages handed one by one
 * Expect order-3 at 0x1000 (its buddy 0x1008 has no struct page), then
 * 0x1009 o0, 0x100a o1, 0x100c o2: nothing merges across the hole.
 */
static void merge_blocked_by_hole(void)
{
	struct mm_machine *m = mk(11, 0x2000);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0x1000, 0x1010), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1000, 0x1008), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1009, 0x1010), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	for (uint64_t p = 0x1000; p < 0x1010; p++)
		if (p != 0x1008)
			ASSERT_EQ(mm_free_pages_bootmem(m, p, 0), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 3), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 1), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 0), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 4), 0);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 15);
	{
		struct mm_page_info pi;
		ASSERT_EQ(mm_page_info(m, 0x1008, &pi), -ENOENT);
	}
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   [0xff0 ... 0x1007][hole 0x1008][0x1009 ... 0x1020)  lowmem 0x1018: three zones
 *   handed over, then an order-2 and an order-0 allocation
 * Expect mm_page_info_range over [0xfee, 0x1022) to give, pfn for pfn,
 * exactly what mm_page_info gives (MM_PAGE_NOPAGE where it says -ENOENT),
 * including a start inside a free block, and mm_page_flags_range its flags.
 */
static void info_range_matches(void)
{
	struct mm_machine *m = mk(11, 0x1018);
	struct mm_page_info r[0x1022 - 0xfee], one;
	uint32_t fl[0x1022 - 0xfee];
	mm_pfn_t a, b;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0xff0, 0x1020), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0xff0, 0x1008), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1009, 0x1020), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(give(m, 0xff0, 0x1008, 0x1018, 11), 0);
	ASSERT_EQ(give(m, 0x1009, 0x1020, 0x1018, 11), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 2, &a), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_DMA, 0, &b), 0);
	for (mm_pfn_t start = 0xfee; start < 0xff6; start += 5) {
		uint64_t nr = 0x1022 - start;
		ASSERT_EQ(mm_page_info_range(m, start, nr, r), 0);
		ASSERT_EQ(mm_page_flags_range(m, start, nr, fl), 0);
		for (uint64_t i = 0; i < nr; i++) {
			int ret = mm_page_info(m, start + i, &one);
			ASSERT_EQ(fl[i], r[i].flags);
			if (ret) {
				ASSERT_EQ(ret, -ENOENT);
				ASSERT_EQ(r[i].flags, MM_PAGE_NOPAGE);
				continue;
			}
			ASSERT_EQ(r[i].flags, one.flags);
			ASSERT_EQ(r[i].order, one.order);
			ASSERT_EQ(r[i].refcount, one.refcount);
			ASSERT_EQ(r[i].mapcount, one.mapcount);
			ASSERT_EQ(r[i].nid, one.nid);
			ASSERT_EQ(r[i].zone, one.zone);
		}
	}
	ASSERT_EQ(mm_page_info_range(m, 0xff0, 0, NULL), 0);
	ASSERT_EQ(mm_page_info_range(m, ~0ull, 2, r), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   DMA [0xffc 0x1000) | NORMAL [0x1000 0x1004) | HIGHMEM [0x1004 0x1008)   (lowmem 0x1004)
 * Pages handed one by one. Expect three order-2 blocks, one per zone: the
 * DMA/NORMAL and NORMAL/HIGHMEM buddies never merge across the boundary.
 */
static void merge_blocked_by_zone(void)
{
	struct mm_machine *m = mk(11, 0x1004);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0xffc, 0x1008), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	for (uint64_t p = 0xffc; p < 0x1008; p++)
		ASSERT_EQ(mm_free_pages_bootmem(m, p, 0), 0);
	for (int z = 0; z < MM_NR_ZONES; z++) {
		ASSERT_EQ(nr_free(m, 0, z, 2), 1);
		ASSERT_EQ(nr_free(m, 0, z, 3), 0);
		ASSERT_EQ(zone_free(m, 0, z), 4);
	}
	ASSERT_EQ(zone_of(m, 0xfff), MM_ZONE_DMA);
	ASSERT_EQ(zone_of(m, 0x1000), MM_ZONE_NORMAL);
	ASSERT_EQ(zone_of(m, 0x1004), MM_ZONE_HIGHMEM);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   [0x1000 0x1001 | 0x1002 | 0x1003]   o1 allocated, 0x1002 free o0, 0x1003 allocated
 * Free the order-1 block at 0x1000: its buddy 0x1002 is PageBuddy but of
 * order 0. Expect no merge: nr_free[1] = 1 (0x1000), nr_free[0] = 1 (0x1002).
 */
static void merge_blocked_by_order(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1004);
	mm_pfn_t a, b, c;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 1, &a), 0);
	ASSERT_EQ(a, 0x1000);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &b), 0);
	ASSERT_EQ(b, 0x1002);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &c), 0);
	ASSERT_EQ(c, 0x1003);
	ASSERT_EQ(mm_free_pages(m, 0x1002, 0), 0);
	ASSERT_EQ(mm_free_pages(m, 0x1000, 1), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 1), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 0), 1);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_free_pages(m, 0x1003, 0), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   DMA [0xffc 0x1000) | NORMAL [0x1000 0x1004) | HIGHMEM [0x1004 0x1008)
 * Expect HIGHUSER to take HIGHMEM, then NORMAL, then DMA, then fail; KERNEL
 * never to touch HIGHMEM; DMA to use DMA only.
 */
static void zonelist_fallback(void)
{
	struct mm_machine *m = simple(11, 0x1004, 0xffc, 0x1008);
	mm_pfn_t p;
	ASSERT_TRUE(m);
	for (int i = 0; i < 12; i++) {
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &p), 0);
		ASSERT_EQ(zone_of(m, p), i < 4 ? MM_ZONE_HIGHMEM : i < 8 ? MM_ZONE_NORMAL : MM_ZONE_DMA);
	}
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &p), -ENOMEM);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);

	m = simple(11, 0x1004, 0xffc, 0x1008);
	ASSERT_TRUE(m);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
		ASSERT_EQ(zone_of(m, p), i < 4 ? MM_ZONE_NORMAL : MM_ZONE_DMA);
	}
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), -ENOMEM);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_HIGHMEM), 4);
	mm_machine_destroy(m);

	m = simple(11, 0x1004, 0xffc, 0x1008);
	ASSERT_TRUE(m);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_DMA, 0, &p), 0);
		ASSERT_EQ(zone_of(m, p), MM_ZONE_DMA);
	}
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_DMA, 0, &p), -ENOMEM);
	/* 2.6.29's gfp_zone: __GFP_DMA wins over __GFP_HIGHMEM */
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_DMA | MM_GFP_HIGHMEM, 0, &p), -ENOMEM);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 NORMAL [0x1000 0x1004)   node 1 NORMAL [0x1004 0x1008)   node 2 [0x2000 0x2004)
 * Expect an allocation for node 1 to use node 1, then node 2 (the next
 * node), then node 0; with __GFP_THISNODE to fail once node 1 is empty.
 */
static void other_nodes_and_thisnode(void)
{
	struct mm_machine *m = mk(11, 0x8000);
	mm_pfn_t p;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1004), 0);
	ASSERT_EQ(mm_node_add(m, 1, 0x1004, 0x1008), 0);
	ASSERT_EQ(mm_node_add(m, 2, 0x2000, 0x2004), 0);
	ASSERT_EQ(mm_nr_nodes(m), 3);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(give(m, 0x1000, 0x1004, 0x8000, 11), 0);
	ASSERT_EQ(give(m, 0x1004, 0x1008, 0x8000, 11), 0);
	ASSERT_EQ(give(m, 0x2000, 0x2004, 0x8000, 11), 0);
	/* node boundaries block merging: 0x1000 o2 and 0x1004 o2 stay apart */
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 1);
	ASSERT_EQ(nr_free(m, 1, MM_ZONE_NORMAL, 2), 1);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(mm_alloc_pages_node(m, 1, MM_GFP_KERNEL | MM_GFP_THISNODE, 0, &p), 0);
		ASSERT_EQ(node_of(m, p), 1);
	}
	ASSERT_EQ(mm_alloc_pages_node(m, 1, MM_GFP_KERNEL | MM_GFP_THISNODE, 0, &p), -ENOMEM);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(mm_alloc_pages_node(m, 1, MM_GFP_KERNEL, 0, &p), 0);
		ASSERT_EQ(node_of(m, p), i < 4 ? 2 : 0);
	}
	ASSERT_EQ(mm_alloc_pages_node(m, 1, MM_GFP_KERNEL, 0, &p), -ENOMEM);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1400): 1024 pages, the only lowmem.
 * min_free_kbytes = isqrt(1024 * 4 * 16) = 256 -> pages_min 64, all to NORMAL:
 * min 64, low 64 + 64/4 = 80, high 64 + 64/2 = 96.
 * Expect order-0 GFP_KERNEL to succeed while free > 64 (low pass until 80,
 * then the min pass) and fail at 64; __GFP_HIGH to go on to 32 (64 - 64/2);
 * GFP_ATOMIC (HIGH + HARDER: 32 - 32/4 = 24) to go on to 24.
 */
static void watermarks_and_dips(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	struct mm_zone_info zi;
	mm_pfn_t p;
	int n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	ASSERT_EQ(mm_min_free_kbytes(m), 256);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_NORMAL, &zi), 0);
	ASSERT_EQ(zi.wmark_min, 64);
	ASSERT_EQ(zi.wmark_low, 80);
	ASSERT_EQ(zi.wmark_high, 96);
	while (mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p) == 0)
		n++;
	ASSERT_EQ(n, 1024 - 64);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 64);
	n = 0;
	while (mm_alloc_pages(m, MM_GFP_HIGH, 0, &p) == 0)
		n++;
	ASSERT_EQ(n, 32);
	n = 0;
	while (mm_alloc_pages(m, MM_GFP_ATOMIC, 0, &p) == 0)
		n++;
	ASSERT_EQ(n, 8);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 24);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   DMA [0xf00 0x1000) | NORMAL [0x1000 0x1100) | HIGHMEM [0x1100 0x1200)   256 pages each
 * lowmem 512 pages: min_free_kbytes = isqrt(512*64) = 181 -> pages_min 45;
 * DMA and NORMAL: share 45*256/512 = 22: min 22, low 27, high 33; HIGHMEM:
 * min clamp(256/1024, 32, 128) = 32, low 32 + 5 = 37, high 32 + 11 = 43.
 * lowmem_reserve: DMA[NORMAL] = 256/256 = 1, DMA[HIGHMEM] = 512/256 = 2,
 * NORMAL[HIGHMEM] = 256/32 = 8.
 * Expect GFP_KERNEL to stop with NORMAL at 22 and DMA at 23 (22 + its
 * reserve of 1 against NORMAL-class requests), and one more GFP_DMA page
 * (class DMA, no reserve) to bring DMA to 22.
 */
static void lowmem_reserve(void)
{
	struct mm_machine *m = simple(11, 0x1100, 0xf00, 0x1200);
	struct mm_zone_info zi;
	mm_pfn_t p;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	ASSERT_EQ(mm_min_free_kbytes(m), 181);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_DMA, &zi), 0);
	ASSERT_EQ(zi.wmark_min, 22);
	ASSERT_EQ(zi.wmark_low, 27);
	ASSERT_EQ(zi.wmark_high, 33);
	ASSERT_EQ(zi.lowmem_reserve[MM_ZONE_DMA], 0);
	ASSERT_EQ(zi.lowmem_reserve[MM_ZONE_NORMAL], 1);
	ASSERT_EQ(zi.lowmem_reserve[MM_ZONE_HIGHMEM], 2);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_NORMAL, &zi), 0);
	ASSERT_EQ(zi.lowmem_reserve[MM_ZONE_HIGHMEM], 8);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_HIGHMEM, &zi), 0);
	ASSERT_EQ(zi.wmark_min, 32);
	ASSERT_EQ(zi.wmark_low, 37);
	ASSERT_EQ(zi.wmark_high, 43);
	while (mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p) == 0)
		;
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 22);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_DMA), 23);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_HIGHMEM), 256);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_DMA, 0, &p), 0);
	ASSERT_EQ(zone_of(m, p), MM_ZONE_DMA);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_DMA, 0, &p), -ENOMEM);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_DMA), 22);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   DMA [0xf00 0x1000) | NORMAL [0x1000 0x1100) | HIGHMEM [0x1100 0xa100)
 * A HIGHMEM zone of 0x9000 = 36864 pages: its min is present / 1024 = 36,
 * between the clamps 32 and 128 (the other HIGHMEM tests sit on the lower
 * clamp). Expect min 36.
 */
static void highmem_wmark_scaled(void)
{
	struct mm_machine *m = simple(11, 0x1100, 0xf00, 0xa100);
	struct mm_zone_info zi;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_HIGHMEM, &zi), 0);
	ASSERT_EQ(zi.wmark_min, 36);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1003): the node ends inside the order-1 block at 0x1002.
 * Expect its hand-off refused with INVALID_ARG naming the missing page
 * 0x1003 (the second of the block), nothing changed.
 */
static void handoff_block_past_node(void)
{
	struct mm_machine *m = mk(11, 0x2000);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1003), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1002, 1), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_last_report(m)->addr, 0x1003);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "__free_pages_bootmem: pfn 0x1003 outside the block's zone");
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1002, 0), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1400): every page allocated and written (1024 backed
 * frames, the frame table grown and full of collisions), the odd pages
 * freed and taken again zeroed, which drops their frames from the table.
 * Expect every even page to read back its value (a deletion must keep the
 * entries after it reachable) and every odd page zeros.
 */
static void zeroing_keeps_other_frames(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	mm_pfn_t p;
	ASSERT_TRUE(m);
	for (int i = 0; i < 0x400; i++)
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
	for (uint64_t pfn = 0x1000; pfn < 0x1400; pfn++)
		ASSERT_EQ(mm_phys_write(m, pfn << 12, &pfn, sizeof(pfn)), 0);
	for (uint64_t pfn = 0x1001; pfn < 0x1400; pfn += 2)
		ASSERT_EQ(mm_free_pages(m, pfn, 0), 0);
	for (int i = 0; i < 0x200; i++)
		ASSERT_EQ(mm_get_zeroed_page(m, MM_GFP_KERNEL, &p), 0);
	for (uint64_t pfn = 0x1000; pfn < 0x1400; pfn++) {
		uint64_t v = 1;
		ASSERT_EQ(mm_phys_read(m, pfn << 12, &v, sizeof(v)), 0);
		ASSERT_EQ(v, pfn & 1 ? 0 : pfn);
	}
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1400): 1024 pages, min 64, low 80 (watermarks_and_dips).
 * Drained to GFP_ATOMIC's floor (24 free pages, in blocks of order >= 3),
 * then every allocated odd page whose even buddy is allocated is freed:
 * about 500 free order-0 pages that cannot merge. An order-1 GFP_KERNEL
 * request: 2.6.29's zone_watermark_ok takes the order-0 pages out of the
 * count for order 1 (free 500 + 24 - 1 - 500 = 23 <= low/2 40 and <= min/2
 * 32): both passes fail, -ENOMEM. The modern rule only asks for a free
 * block of order >= 1 (there is one): success.
 */
static void watermark_order_fragmented(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	static uint8_t used[0x400];
	mm_pfn_t p;
	uint64_t freed = 0;
	static const uint32_t gfps[] = { MM_GFP_KERNEL, MM_GFP_HIGH, MM_GFP_ATOMIC };
	ASSERT_TRUE(m);
	memset(used, 0, sizeof(used));
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	for (int g = 0; g < 3; g++)
		while (mm_alloc_pages(m, gfps[g], 0, &p) == 0)
			used[p - 0x1000] = 1;
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 24);
	for (mm_pfn_t i = 1; i < 0x400; i += 2) {
		if (used[i] && used[i - 1]) {
			ASSERT_EQ(mm_free_pages(m, 0x1000 + i, 0), 0);
			freed++;
		}
	}
	ASSERT_LT(400, freed);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 0), freed);
	if (prof->era == MM_ERA_MODERN) {
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 1, &p), 0);
	} else {
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 1, &p), -ENOMEM);
		ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 24 + freed);
	}
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x2000): 4096 pages, percpu_pagelist_fraction 8 (the
 * least allowed): high 512, high / 4 = 128 above the cap of PAGE_SHIFT * 8
 * = 96. Expect batch 96; at fraction 16, high 256 and batch 64 (no cap).
 */
static void pcp_batch_cap(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x2000);
	struct mm_pcp_info info;
	ASSERT_TRUE(m);
	/* the boot pageset before set-up: high 0, batch 1 */
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &info, NULL, 0), 0);
	ASSERT_EQ(info.high, 0);
	ASSERT_EQ(info.batch, 1);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), 0);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &info, NULL, 0), 0);
	ASSERT_EQ(info.high, 512);
	ASSERT_EQ(info.batch, 96);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 16), 0);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &info, NULL, 0), 0);
	ASSERT_EQ(info.high, 256);
	ASSERT_EQ(info.batch, 64);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1010) with MAX_ORDER 3 (orders 0..2), handed over as one
 *   order-4 block (bootmem-sized, above MAX_ORDER).
 * Expect four order-2 blocks (the largest order), an order-2 allocation to
 * succeed, and order 3 to be refused with a WARN and -EINVAL.
 */
static void max_order_blocks(void)
{
	struct mm_machine *m = mk(3, 0x2000);
	mm_pfn_t p;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1010), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 4), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 4);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 2, &p), 0);
	ASSERT_EQ(p & 3, 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 3, &p), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_WARN), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 3);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);

	/* MAX_ORDER 11: the 4 MiB block is the largest */
	m = simple(11, 0x2000, 0x1000, 0x1400);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 10, &p), 0);
	ASSERT_EQ(p, 0x1000);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 0);
	ASSERT_EQ(mm_free_pages(m, p, 10), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 10), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1004) one order-2 block.
 * Expect split_page to leave four order-0 pages with one reference each,
 * freeable one at a time, merging back into the order-2 block.
 */
static void split_page_rule(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1004);
	struct mm_page_info pi;
	mm_pfn_t p;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 2, &p), 0);
	ASSERT_EQ(mm_split_page(m, p, 2), 0);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(mm_page_info(m, p + i, &pi), 0);
		ASSERT_EQ(pi.refcount, 1);
		ASSERT_EQ(pi.order, 0);
		ASSERT_TRUE(pi.flags & MM_PAGE_ALLOCATED);
	}
	ASSERT_EQ(mm_verify(m), 0);
	for (int i = 3; i >= 0; i--)
		ASSERT_EQ(mm_free_pages(m, p + i, 0), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 1);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1400) one order-10 block; alloc_pages_exact(3 pages).
 * Expect an order-2 block at 0x1000 split, its 4th page 0x1003 given back
 * (a lone order-0: its buddy 0x1002 is in use), and free_pages_exact to
 * merge everything back into one order-10 block.
 */
static void exact_alloc(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	mm_pfn_t p;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_alloc_pages_exact(m, 0x2001, MM_GFP_KERNEL, &p), 0);
	ASSERT_EQ(p, 0x1000);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 0), 1);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 1024 - 3);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_free_pages_exact(m, p, 0x2001), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 10), 1);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 * Expect get_page to add a reference so that __free_pages only drops it,
 * the final put_page to free the block, and a zeroed page to read as zeros.
 */
static void refcounts_and_zeroing(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1004);
	struct mm_page_info pi;
	uint8_t buf[64] = { 1 }, zero[64] = { 0 };
	mm_pfn_t p;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 1, &p), 0);
	ASSERT_EQ(mm_get_page(m, p), 0);
	ASSERT_EQ(mm_free_pages(m, p, 1), 0);
	ASSERT_EQ(mm_page_info(m, p, &pi), 0);
	ASSERT_EQ(pi.refcount, 1);
	ASSERT_TRUE(pi.flags & MM_PAGE_ALLOCATED);
	ASSERT_EQ(mm_phys_write(m, p << 12, "data", 4), 0);
	ASSERT_EQ(mm_put_page(m, p), 0);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 4);
	/* two extra references: put_page drops them one by one, the block
	 * goes only with the last */
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 1, &p), 0);
	ASSERT_EQ(mm_get_page(m, p), 0);
	ASSERT_EQ(mm_get_page(m, p), 0);
	ASSERT_EQ(mm_put_page(m, p), 0);
	ASSERT_EQ(mm_put_page(m, p), 0);
	ASSERT_EQ(mm_page_info(m, p, &pi), 0);
	ASSERT_EQ(pi.refcount, 1);
	ASSERT_TRUE(pi.flags & MM_PAGE_ALLOCATED);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 2);
	ASSERT_EQ(mm_put_page(m, p), 0);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 4);
	ASSERT_EQ(mm_get_zeroed_page(m, MM_GFP_KERNEL, &p), 0);
	ASSERT_EQ(mm_phys_read(m, p << 12, buf, sizeof(buf)), 0);
	ASSERT_EQ(memcmp(buf, zero, sizeof(buf)), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 * Fault injection swept upward: with the N-th allocation failing, the
 * allocation is -ENOMEM and nothing changes; once N exceeds the calls made,
 * the whole sequence completes. Expect the free count back at 4 every time.
 */
static void fault_injection_sweep(void)
{
	for (uint32_t n = 0; n < 4; n++) {
		struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1004);
		mm_pfn_t p[3];
		int ok = 0;
		ASSERT_TRUE(m);
		mm_fault_inject_set(m, true, n, 1);
		for (int i = 0; i < 3; i++) {
			int ret = mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p[ok]);
			ASSERT_EQ(ret, (uint32_t)i == n ? -ENOMEM : 0);
			ok += ret == 0;
			ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 4 - (uint64_t)ok);
			ASSERT_EQ(mm_verify(m), 0);
		}
		ASSERT_EQ(mm_fault_inject_hits(m), n < 3 ? 1 : 0);
		while (ok--)
			ASSERT_EQ(mm_free_pages(m, p[ok], 0), 0);
		ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 2), 1);
		ASSERT_EQ(mm_report_count(m), 0);
		mm_machine_destroy(m);
	}
}

/* ---- negative tests: one misuse each, exact report kind and count ------- */

static struct mm_machine *neg_m;
static mm_pfn_t neg_p; /* an order-1 allocation at 0x1000 */

static bool neg_setup(void)
{
	mm_machine_destroy(neg_m);
	neg_m = mk(11, 0x2000);
	if (!neg_m || mm_node_add(neg_m, 0, 0x1000, 0x1008) || mm_free_area_init(neg_m) ||
	    mm_free_pages_bootmem(neg_m, 0x1000, 2) || mm_alloc_pages(neg_m, MM_GFP_KERNEL, 1, &neg_p) ||
	    mm_free_pages_bootmem(neg_m, 0x1004, 1))
		return false;
	return neg_p == 0x1000;
}

/* Run one misuse: expect ret, exactly one report of kind, and verify == 0. */
#define NEGATIVE(name, call, want_ret, kind)                                           \
	static void name(void)                                                         \
	{                                                                              \
		ASSERT_TRUE(neg_setup());                                              \
		uint64_t before = mm_report_count_kind(neg_m, kind);                   \
		ASSERT_EQ(call, want_ret);                                             \
		ASSERT_EQ(mm_report_count_kind(neg_m, kind), before + 1);              \
		ASSERT_EQ(mm_report_count(neg_m), 1);                                  \
		ASSERT_EQ(mm_verify(neg_m), 0);                                        \
		mm_machine_destroy(neg_m);                                             \
		neg_m = NULL;                                                          \
	}

/*
 *   [0x1000 0x1001 | 0x1002 0x1003 | 0x1004 0x1005 | 0x1006 0x1007]
 *    allocated o1    free o1         free o1         reserved
 */
NEGATIVE(neg_double_free, mm_free_pages(neg_m, 0x1004, 2), -EINVAL, MM_REPORT_DOUBLE_FREE)
NEGATIVE(neg_free_inside_free_block, mm_free_pages(neg_m, 0x1005, 0), -EINVAL, MM_REPORT_DOUBLE_FREE)
NEGATIVE(neg_wrong_order, mm_free_pages(neg_m, 0x1000, 0), -EINVAL, MM_REPORT_BAD_FREE)
NEGATIVE(neg_tail_page, mm_free_pages(neg_m, 0x1001, 1), -EINVAL, MM_REPORT_BAD_FREE)
NEGATIVE(neg_reserved_page, mm_free_pages(neg_m, 0x1006, 0), -EINVAL, MM_REPORT_BAD_PAGE)
NEGATIVE(neg_free_order_range, mm_free_pages(neg_m, 0x1000, 11), -EINVAL, MM_REPORT_INVALID_ARG)
NEGATIVE(neg_free_hole, mm_free_pages(neg_m, 0x5000, 0), -EINVAL, MM_REPORT_INVALID_ARG)
NEGATIVE(neg_alloc_order_range, mm_alloc_pages(neg_m, MM_GFP_KERNEL, 11, &neg_p), -EINVAL, MM_REPORT_WARN)
NEGATIVE(neg_alloc_bad_gfp, mm_alloc_pages(neg_m, 0x200, 0, &neg_p), -EINVAL, MM_REPORT_INVALID_ARG)
NEGATIVE(neg_alloc_bad_nid, mm_alloc_pages_node(neg_m, 5, MM_GFP_KERNEL, 0, &neg_p), -EINVAL,
	 MM_REPORT_INVALID_ARG)
NEGATIVE(neg_alloc_null_out, mm_alloc_pages(neg_m, MM_GFP_KERNEL, 0, NULL), -EINVAL, MM_REPORT_INVALID_ARG)
NEGATIVE(neg_put_underflow, mm_put_page(neg_m, 0x1004), -EINVAL, MM_REPORT_BAD_PAGE)
NEGATIVE(neg_put_tail, mm_put_page(neg_m, 0x1001), -EINVAL, MM_REPORT_BAD_PAGE)
NEGATIVE(neg_get_free, mm_get_page(neg_m, 0x1002), -EINVAL, MM_REPORT_BAD_PAGE)
NEGATIVE(neg_put_reserved_last, mm_put_page(neg_m, 0x1007), -EINVAL, MM_REPORT_BAD_PAGE)
NEGATIVE(neg_split_wrong, mm_split_page(neg_m, 0x1000, 2), -EINVAL, MM_REPORT_BUG)
NEGATIVE(neg_zeroed_highmem, mm_get_zeroed_page(neg_m, MM_GFP_HIGHUSER, &neg_p), -EINVAL, MM_REPORT_BUG)
NEGATIVE(neg_exact_highmem, mm_alloc_pages_exact(neg_m, 4096, MM_GFP_HIGHUSER, &neg_p), -EINVAL,
	 MM_REPORT_BUG)
NEGATIVE(neg_exact_zero, mm_alloc_pages_exact(neg_m, 0, MM_GFP_KERNEL, &neg_p), -EINVAL,
	 MM_REPORT_INVALID_ARG)
NEGATIVE(neg_free_exact_free, mm_free_pages_exact(neg_m, 0x1002, 4096), -EINVAL, MM_REPORT_DOUBLE_FREE)
NEGATIVE(neg_handoff_not_reserved, mm_free_pages_bootmem(neg_m, 0x1004, 0), -EINVAL, MM_REPORT_BAD_PAGE)
NEGATIVE(neg_handoff_misaligned, mm_free_pages_bootmem(neg_m, 0x1007, 1), -EINVAL, MM_REPORT_INVALID_ARG)
NEGATIVE(neg_node_after_init, mm_node_add(neg_m, 1, 0x3000, 0x3010), -EINVAL, MM_REPORT_BUG)
NEGATIVE(neg_read_free_page, mm_phys_read(neg_m, 0x1003000, &neg_p, 8), -EFAULT,
	 MM_REPORT_USE_AFTER_FREE)

/*
 * A stray write into a poisoned free page: expect exactly one CORRUPTION
 * report when the allocation that hands the page out checks its poison,
 * and the allocation still to succeed (the kernel reports and goes on).
 */
static void neg_poison_corruption(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_pfn_t p;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.hardening = MM_HARDEN_POISON | (prof->hardening & MM_HARDEN_ASAN_POISON);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1001), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 0), 0);
	ASSERT_EQ(mm_page_poison_scribble(m, 0x1000, 100, 0x55), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
	ASSERT_EQ(p, 0x1000);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_CORRUPTION), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_last_report(m)->addr, 0x1000000 + 100);
	ASSERT_EQ(mm_verify(m), 0);
	/* an intact poisoned page is silent */
	ASSERT_EQ(mm_free_pages(m, p, 0), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	mm_machine_destroy(m);
}

static uint32_t pcp_count(struct mm_machine *m, int zone, unsigned cpu, mm_pfn_t *pfns, size_t max)
{
	struct mm_pcp_info pi;
	if (mm_pcp_info(m, 0, zone, cpu, &pi, pfns, max))
		return UINT32_MAX;
	return pi.count;
}

/*
 *   NORMAL [0x1000 .......... 0x1400)  one order-10 block, 1024 present pages
 * zone_batchsize(1024) = 0: high 0, batch 1, every order-0 page passes
 * straight through. percpu_pagelist_fraction 8: high 1024/8 = 128, batch 32.
 * Expect the first order-0 allocation to move 0x1000..0x101f (the order the
 * buddy splits them off) to CPU 0's list and return its head 0x1000; a cold
 * one takes the tail 0x101f; a free goes back to the head; CPU 1 refills
 * its own list from 0x1020 (the smallest free block, order 5).
 */
static void per_cpu_lists(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	struct mm_pcp_info info;
	struct mm_page_info pi;
	mm_pfn_t pfn, list[40];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), -EINVAL); /* before set-up */
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), -EEXIST);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &info, NULL, 0), 0);
	ASSERT_EQ(info.high, 0);
	ASSERT_EQ(info.batch, 1);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_EQ(pfn, 0x1000);
	ASSERT_EQ(mm_free_pages(m, pfn, 0), 0);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), 0);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_NORMAL, 10), 1);

	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), 0);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 1, &info, NULL, 0), 0);
	ASSERT_EQ(info.high, 128);
	ASSERT_EQ(info.batch, 32);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_EQ(pfn, 0x1000);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, list, 40), 31);
	ASSERT_EQ(list[0], 0x1001);
	ASSERT_EQ(list[30], 0x101f);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 1024 - 32);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL | MM_GFP_COLD, 0, &pfn), 0);
	ASSERT_EQ(pfn, 0x101f);
	ASSERT_EQ(mm_free_pages(m, 0x1000, 0), 0);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, list, 1), 31);
	ASSERT_EQ(list[0], 0x1000);
	ASSERT_EQ(mm_page_info(m, 0x1000, &pi), 0);
	ASSERT_EQ(pi.flags & (MM_PAGE_PCP | MM_PAGE_FREE | MM_PAGE_BUDDY), MM_PAGE_PCP);
	ASSERT_EQ(pi.cpu, 0);
	ASSERT_EQ(mm_verify(m), 0);

	ASSERT_EQ(mm_set_cpu(m, 1), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_EQ(pfn, 0x1020);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 1, list, 1), 31);
	ASSERT_EQ(list[0], 0x1021);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 1024 - 64);
	ASSERT_EQ(mm_drain_local_pages(m), 0);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 1, NULL, 0), 0);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), 31);
	ASSERT_EQ(mm_drain_all_pages(m), 0);
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 1024 - 2);
	ASSERT_EQ(mm_report_count(m), 1); /* the refused fraction */
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* The 1024-page NORMAL zone with per-CPU lists at fraction 8 (high 128,
 * batch 32) after one order-0 allocation and its free: *pfn (0x1000) heads
 * CPU 0's list of 32 pages. NULL on any failure. */
static struct mm_machine *listed_page(mm_pfn_t *pfn)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	if (m && !mm_setup_per_cpu_pageset(m) && !mm_percpu_pagelist_fraction(m, 8) &&
	    !mm_alloc_pages(m, MM_GFP_KERNEL, 0, pfn) && !mm_free_pages(m, *pfn, 0))
		return m;
	mm_machine_destroy(m);
	return NULL;
}

/* On a listed_page machine whose CPU 0 list holds its 32 pages: an
 * allocation of order with GFP_ATOMIC (no reclaim, so no drain) fails and
 * leaves the list alone; with GFP_KERNEL it drains the list (pass 2) and
 * gets 0x1000, left pages staying on the list. Destroys m. */
static void atomic_fails_kernel_drains(struct mm_machine *m, unsigned order, uint32_t left)
{
	mm_pfn_t pfn;
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_ATOMIC, order, &pfn), -ENOMEM);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), 32);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, order, &pfn), 0);
	ASSERT_EQ(pfn, 0x1000);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), left);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 * The same zone, fraction 8. One order-0 allocation and its free leave
 * 0x1000..0x101f on CPU 0's list; the buddy holds 992 pages in blocks of
 * order 5..9. Expect order 10 with GFP_KERNEL to fail both watermark passes,
 * drain the list and succeed at 0x1000; with GFP_ATOMIC (no reclaim, so no
 * drain) to fail and leave the list alone.
 */
static void drain_on_failure(void)
{
	mm_pfn_t pfn;
	struct mm_machine *m = listed_page(&pfn);
	ASSERT_TRUE(m);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), 32);
	atomic_fails_kernel_drains(m, 10, 0);
}

/*
 * The listed page: CPU 0's list holds 0x1000..0x101f, the buddy the other
 * 992 pages. Order-0 allocations that must not take a page off that list
 * although it is not empty (each one a way out of the allocator's order-0
 * fast path, which must leave it to the general path):
 *   fault injection armed               -ENOMEM, one hit
 *   a gfp bit the allocator refuses     -EINVAL, reported
 *   a NULL out                          -EINVAL, reported
 *   GFP_ATOMIC once the buddy is empty  -ENOMEM: the zone fails both
 *                                       watermark passes, and an atomic
 *                                       caller does not drain the lists
 * Expect the list to keep its 32 pages through all four, then GFP_KERNEL to
 * drain it (pass 2) and refill it from the merged block: 0x1000 again,
 * 31 left on the list.
 */
static void order0_fast_path_declines(void)
{
	mm_pfn_t pfn, got;
	struct mm_machine *m = listed_page(&pfn);
	ASSERT_TRUE(m);
	mm_fault_inject_set(m, true, 0, 1);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &got), -ENOMEM);
	ASSERT_EQ(mm_fault_inject_hits(m), 1);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), 32);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL | 0x80000000u, 0, &got), -EINVAL);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 0, NULL, 0), 32);
	for (unsigned o = 9; o >= 1; o--)
		while (mm_alloc_pages(m, MM_GFP_ATOMIC, o, &got) == 0)
			;
	ASSERT_EQ(zone_free(m, 0, MM_ZONE_NORMAL), 0);
	atomic_fails_kernel_drains(m, 0, 31);
}

/*
 *   DMA [0xc00, 0x1000)  NORMAL [0x1000, 0x1400)  HIGHMEM [0x1400, 0x1800)
 *   each one order-10 block; fraction 8 (high 128); 2 CPUs
 *   in each zone: an order-1 block split, its first page freed on CPU 0,
 *   its second on CPU 1
 * Every per-CPU list of the node (3 zones x 2 CPUs) then holds exactly one
 * page, and no zone has an order-10 block. Expect order 10 with GFP_KERNEL
 * to fail both watermark passes, drain all lists (a page moved, though no
 * list was empty: the retry must not depend on an empty list elsewhere)
 * and succeed at 0x1000, every list empty after.
 */
static void drain_every_list_full(void)
{
	static const uint32_t zgfp[MM_NR_ZONES] = { MM_GFP_DMA, MM_GFP_KERNEL, MM_GFP_HIGHMEM };
	struct mm_machine *m = simple(11, 0x1400, 0xc00, 0x1800);
	mm_pfn_t pfn;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 8), 0);
	for (int z = 0; z < MM_NR_ZONES; z++) {
		ASSERT_EQ(mm_set_cpu(m, 0), 0);
		ASSERT_EQ(mm_alloc_pages(m, zgfp[z], 1, &pfn), 0);
		ASSERT_EQ(zone_of(m, pfn), z);
		ASSERT_EQ(mm_split_page(m, pfn, 1), 0);
		ASSERT_EQ(mm_free_pages(m, pfn, 0), 0);
		ASSERT_EQ(mm_set_cpu(m, 1), 0);
		ASSERT_EQ(mm_free_pages(m, pfn + 1, 0), 0);
	}
	ASSERT_EQ(mm_set_cpu(m, 0), 0);
	for (int z = 0; z < MM_NR_ZONES; z++) {
		ASSERT_EQ(pcp_count(m, z, 0, NULL, 0), 1);
		ASSERT_EQ(pcp_count(m, z, 1, NULL, 0), 1);
		ASSERT_EQ(nr_free(m, 0, z, 10), 0);
	}
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 10, &pfn), 0);
	ASSERT_EQ(pfn, 0x1000);
	for (int z = 0; z < MM_NR_ZONES; z++) {
		ASSERT_EQ(pcp_count(m, z, 0, NULL, 0), 0);
		ASSERT_EQ(pcp_count(m, z, 1, NULL, 0), 0);
	}
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_DMA, 10), 1);
	ASSERT_EQ(nr_free(m, 0, MM_ZONE_HIGHMEM, 10), 1);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 * The same listed page: CPU 0's list holds 0x1000..0x101f. A second
 * order-0 allocation and free on CPU 1 put 0x1020..0x103f (the next batch
 * from the buddy, pages taken in order) on CPU 1's list, less the one
 * page allocated and freed again: all 32 there.
 * Expect mm_page_info_range over [0x1000, 0x1041) to name CPU 0 for the
 * first 32 pages, CPU 1 for the next 32 (both MM_PAGE_PCP), and -1 for
 * 0x1040, a free buddy page on no list, each entry equal to mm_page_info
 * of its pfn.
 */
static void range_view_pcp_cpu(void)
{
	mm_pfn_t pfn;
	struct mm_page_info info[0x41], one;
	struct mm_machine *m = listed_page(&pfn);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_set_cpu(m, 1), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
	ASSERT_TRUE(pfn >= 0x1020 && pfn < 0x1040);
	ASSERT_EQ(mm_free_pages(m, pfn, 0), 0);
	ASSERT_EQ(pcp_count(m, MM_ZONE_NORMAL, 1, NULL, 0), 32);
	ASSERT_EQ(mm_page_info_range(m, 0x1000, 0x41, info), 0);
	for (unsigned i = 0; i < 0x41; i++) {
		const int cpu = i < 0x20 ? 0 : i < 0x40 ? 1 : -1;
		ASSERT_EQ(info[i].cpu, cpu);
		ASSERT_EQ((info[i].flags & MM_PAGE_PCP) != 0, cpu >= 0);
		ASSERT_EQ(mm_page_info(m, 0x1000 + i, &one), 0);
		ASSERT_EQ(one.cpu, cpu);
	}
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* zone_batchsize of a 16384-page zone: 16384/1024 = 16, /4 = 4, 2^n - 1
 * below 4 + 2 = 3: batch 3, high 18. */
static void zone_batchsize_rule(void)
{
	struct mm_machine *m = simple(11, 0x8000, 0x1000, 0x5000);
	struct mm_pcp_info info;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 0, &info, NULL, 0), 0);
	ASSERT_EQ(info.batch, 3);
	ASSERT_EQ(info.high, 18);
	ASSERT_EQ(mm_pcp_info(m, 0, MM_ZONE_NORMAL, 2, &info, NULL, 0), -EINVAL);
	mm_machine_destroy(m);
}

static void neg_set_cpu(void)
{
	struct mm_machine *m = simple(11, 0x2000, 0x1000, 0x1400);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_set_cpu(m, 2), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_this_cpu(m), 0);
	ASSERT_EQ(mm_setup_per_cpu_pageset(m), 0);
	ASSERT_EQ(mm_percpu_pagelist_fraction(m, 7), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 2);
	ASSERT_EQ(mm_report_count(m), 2);
	mm_machine_destroy(m);
}

/* A page on a per-CPU list is free: freeing it again is a double free. */
static void neg_double_free_pcp(void)
{
	mm_pfn_t pfn;
	struct mm_machine *m = listed_page(&pfn);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_free_pages(m, pfn, 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_DOUBLE_FREE), 1);
	ASSERT_EQ(mm_put_page(m, pfn), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node [0x1000 0x1100), memory present out of address order and over an
 *   existing range: [0x1080 0x1100), then [0x1000 0x1040), then
 *   [0x1020 0x10c0), which only fills the gap [0x1040 0x1080).
 * Expect three memmap arrays in address order, every pfn of the node with a
 * struct page naming it, and a clean verify.
 */
static void memory_present_out_of_order(void)
{
	struct mm_machine *m = mk(11, 0x2000);
	struct mm_page_info pi;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add_sparse(m, 0, 0x1000, 0x1100), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1080, 0x1100), 0);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1000, 0x1040), 0);
	ASSERT_EQ(mm_page_info(m, 0x1050, &pi), -ENOENT);
	ASSERT_EQ(mm_memory_present(m, 0, 0x1020, 0x10c0), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	for (mm_pfn_t pfn = 0x1000; pfn < 0x1100; pfn++)
		ASSERT_EQ(mm_page_info(m, pfn, &pi), 0);
	ASSERT_EQ(mm_page_info(m, 0x1100, &pi), -ENOENT);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   NORMAL [0x1000 0x1004), 0x1002 and 0x1003 never handed over (reserved).
 * Expect an extra reference on a reserved page to be dropped quietly by
 * put_page, and only the last one refused (BAD_PAGE).
 */
static void reserved_page_extra_ref(void)
{
	struct mm_machine *m = mk(11, 0x2000);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1004), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(give(m, 0x1000, 0x1002, 0x2000, 11), 0);
	ASSERT_EQ(mm_get_page(m, 0x1002), 0);
	ASSERT_EQ(mm_put_page(m, 0x1002), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_put_page(m, 0x1002), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		prof = &profiles[i];
		printf("profile %s\n", prof->name);
		RUN(split_and_merge);
		RUN(merge_blocked_by_hole);
		RUN(info_range_matches);
		RUN(merge_blocked_by_zone);
		RUN(merge_blocked_by_order);
		RUN(zonelist_fallback);
		RUN(other_nodes_and_thisnode);
		RUN(watermarks_and_dips);
		RUN(lowmem_reserve);
		RUN(highmem_wmark_scaled);
		RUN(watermark_order_fragmented);
		RUN(pcp_batch_cap);
		RUN(handoff_block_past_node);
		RUN(zeroing_keeps_other_frames);
		RUN(memory_present_out_of_order);
		RUN(reserved_page_extra_ref);
		RUN(max_order_blocks);
		RUN(split_page_rule);
		RUN(exact_alloc);
		RUN(refcounts_and_zeroing);
		RUN(fault_injection_sweep);
		RUN(per_cpu_lists);
		RUN(drain_on_failure);
		RUN(order0_fast_path_declines);
		RUN(drain_every_list_full);
		RUN(range_view_pcp_cpu);
		RUN(zone_batchsize_rule);
		RUN(neg_set_cpu);
		RUN(neg_double_free_pcp);
		RUN(neg_double_free);
		RUN(neg_free_inside_free_block);
		RUN(neg_wrong_order);
		RUN(neg_tail_page);
		RUN(neg_reserved_page);
		RUN(neg_free_order_range);
		RUN(neg_free_hole);
		RUN(neg_alloc_order_range);
		RUN(neg_alloc_bad_gfp);
		RUN(neg_alloc_bad_nid);
		RUN(neg_alloc_null_out);
		RUN(neg_put_underflow);
		RUN(neg_put_tail);
		RUN(neg_get_free);
		RUN(neg_put_reserved_last);
		RUN(neg_split_wrong);
		RUN(neg_zeroed_highmem);
		RUN(neg_exact_highmem);
		RUN(neg_exact_zero);
		RUN(neg_free_exact_free);
		RUN(neg_handoff_not_reserved);
		RUN(neg_handoff_misaligned);
		RUN(neg_node_after_init);
		RUN(neg_read_free_page);
		RUN(neg_poison_corruption);
		if (neg_m) {
			mm_machine_destroy(neg_m);
			neg_m = NULL;
		}
	}
	return check_summary("page_alloc");
}
