/* label: scenario */
/*
 * Bootmem set-up edges no harness draws (semantics.md §4): init_bootmem_node
 * with a bad nid, an empty or too high span, a bitmap beyond physical memory,
 * and a span or bitmap overlapping another node's; the bitmap getters' own
 * argument checks; an allocation whose goal skips the sub-page packing.
 * 2.6.29 x86_32, lowmem 896 MiB (pfn 0x38000).
 */
#include <errno.h>

#include "check.h"
#include "mmsim/mmsim.h"

static struct mm_machine *mk(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/*
 *   nid -1, nid 8 (MM_MAX_NODES), [0x40, 0x40), [0x80, 0x40), [0x100, 0x38001),
 *   bitmap at pfn 0x100000 (the x86_32 limit), bitmap at 0xfffff with 2 pages
 *   (a 64 Ki-page span needs 2 bitmap pages)
 * Expect each refused with -EINVAL and one INVALID_ARG report, and no node.
 */
static void init_node_refused(void)
{
	struct mm_machine *m = mk();
	uint64_t sz = 7;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, -1, 0x10, 0x40, 0x80, &sz), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, MM_MAX_NODES, 0x10, 0x40, 0x80, &sz), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x10, 0x40, 0x40, &sz), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x10, 0x80, 0x40, &sz), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x10, 0x100, 0x38001, &sz), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x100000, 0x40, 0x80, &sz), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0xfffff, 0x0, 0x10000, &sz), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "init_bootmem_node: bitmap at pfn 0xfffff beyond physical memory");
	ASSERT_EQ(sz, 7);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 7);
	ASSERT_EQ(mm_bootmem_nr_nodes(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 1  span [0x1000, 0x2000)  bitmap pfn 0x10 (1 page)
 *   node 0  span [0x1800, 0x3000)                      overlaps node 1's span
 *   node 0  span [0x3000, 0x4000)  bitmap pfn 0x10     overlaps node 1's bitmap
 *   node 1  again                                      already initialised
 *   node 0  span [0x0800, 0x0c00)  bitmap pfn 0x11     accepted, sorted first
 *   node 2  span [0x4000, 0x4400)  bitmap pfn 0x08     accepted (bitmaps below)
 * Expect the three refused with -EINVAL, naming "span" then "bitmap" then
 * the nid, and nodes 0, 1 and 2 in address order after the last two.
 */
static void init_node_overlaps(void)
{
	struct mm_machine *m = mk();
	struct mm_bootmem_node_info bi;
	uint64_t sz = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x10, 0x1000, 0x2000, &sz), 0);
	ASSERT_EQ(sz, 0x200);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x20, 0x1800, 0x3000, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "init_bootmem_node: node 0 span overlaps node 1");
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x10, 0x3000, 0x4000, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "init_bootmem_node: node 0 bitmap overlaps node 1");
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x30, 0x5000, 0x6000, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "init_bootmem_node: nid 1 invalid or already initialised");
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x11, 0x800, 0xc00, NULL), 0);
	ASSERT_EQ(mm_init_bootmem_node(m, 2, 0x8, 0x4000, 0x4400, NULL), 0);
	ASSERT_EQ(mm_bootmem_nr_nodes(m), 3);
	ASSERT_EQ(mm_bootmem_node_info(m, 0, &bi), 0);
	ASSERT_EQ(bi.min_pfn, 0x800);
	ASSERT_EQ(mm_bootmem_node_info(m, 1, &bi), 0);
	ASSERT_EQ(bi.min_pfn, 0x1000);
	ASSERT_EQ(mm_bootmem_node_info(m, 3, &bi), -ENOENT);
	ASSERT_EQ(mm_report_count(m), 3);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0x0, 0x40), every page reserved (init_bootmem_node's start)
 *   reserved_map(nid 0, out NULL, nr 4), reserved_map(nid 0, nr 0x41),
 *   reserved_map(nid 5), page_reserved(pfn 0x40)
 * Expect -EINVAL, -EINVAL, -ENOENT, -ENOENT, nothing asked (nr 0, no out)
 * accepted, and the first 4 bits read back as reserved with out given.
 */
static void reserved_map_args(void)
{
	struct mm_machine *m = mk();
	uint8_t out[0x41];
	bool r = false;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x40, 0x0, 0x40, NULL), 0);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 0, NULL, 4), -EINVAL);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 0, out, 0x41), -EINVAL);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 5, out, 4), -ENOENT);
	ASSERT_EQ(mm_bootmem_page_reserved(m, 0x40, &r), -ENOENT);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 0, NULL, 0), 0);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 0, out, 4), 0);
	ASSERT_EQ(out[0] && out[1] && out[2] && out[3], 1);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0, 0x400), bitmap at pfn 0x10, [0x20000, 0x400000) freed
 * Expect (docs/bootmem.md, search steps 2-6): alloc_bootmem(100, 4, goal 0)
 * at 0x20000, ending inside pfn 0x20; with goal 0x80000 the answer is pfn
 * 0x80, not the page after that partial one, so no packing: 0x80000;
 * then with goal 0 the search starts at the hint (pfn 0x81), the page
 * after the last allocation's partial page, so it packs: 0x80064. Nothing
 * reported.
 */
static void packing_skipped_for_a_goal(void)
{
	struct mm_machine *m = mk();
	mm_phys_addr_t a = 0;
	uint64_t sz = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x10, 0, 0x400, &sz), 0);
	ASSERT_EQ(mm_free_bootmem(m, 0x20000, 0x400000 - 0x20000), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, 100, 4, 0, &a), 0);
	ASSERT_EQ(a, 0x20000);
	ASSERT_EQ(mm_alloc_bootmem(m, 100, 4, 0x80000, &a), 0);
	ASSERT_EQ(a, 0x80000);
	ASSERT_EQ(mm_alloc_bootmem(m, 100, 4, 0, &a), 0);
	ASSERT_EQ(a, 0x80064);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(init_node_refused);
	RUN(init_node_overlaps);
	RUN(reserved_map_args);
	RUN(packing_skipped_for_a_goal);
	return check_summary("bootmem_edges");
}
