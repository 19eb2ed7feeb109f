/* label: scenario */
/*
 * memblock scenarios in the style of the kernel's tools/testing/memblock:
 * one function per scenario, a picture of the layout, one "Expect" line, a
 * fresh machine each time. Every scenario runs under both empty-array
 * conventions (dummy region with cnt 1, and cnt 0); allocation scenarios
 * also run top-down and bottom-up. Expected values are worked out by hand
 * from semantics.md §3.
 */
#include <errno.h>
#include <stdbool.h>

#include "check.h"
#include "mmsim/mmsim.h"

#define MAXN MM_MAX_NUMNODES
#define PMAX MM_PHYS_ADDR_MAX
#define SZ_4K 0x1000ull
#define SZ_64K 0x10000ull

static bool g_cnt0, g_bottom_up;

/* kernelcore_mirror: the kernelcore=mirror boot parameter (off in mk). */
static struct mm_machine *mk_kc(uint32_t init_regions, bool kernelcore_mirror)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;

	mm_config_default(&cfg, MM_ERA_MODERN);
	if (g_cnt0)
		cfg.features |= MM_FEAT_MEMBLOCK_EMPTY_CNT0;
	else
		cfg.features &= ~(uint32_t)MM_FEAT_MEMBLOCK_EMPTY_CNT0;
	cfg.memblock_init_regions = init_regions;
	cfg.kernelcore_mirror = kernelcore_mirror;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	mm_memblock_set_bottom_up(m, g_bottom_up);
	return m;
}

static struct mm_machine *mk(uint32_t init_regions) { return mk_kc(init_regions, false); }

static const struct mm_memblock_type *mem(struct mm_machine *m) { return &mm_memblock_get(m)->memory; }
static const struct mm_memblock_type *rsv(struct mm_machine *m) { return &mm_memblock_get(m)->reserved; }
static uint64_t pick(uint64_t top_down, uint64_t bottom_up) { return g_bottom_up ? bottom_up : top_down; }

#define EXPECT_EMPTY(t)                                                                \
	do {                                                                           \
		ASSERT_EQ((t)->cnt, g_cnt0 ? 0u : 1u);                                 \
		ASSERT_EQ((t)->regions[0].size, 0);                                    \
		ASSERT_EQ((t)->total_size, 0);                                         \
	} while (0)
#define EXPECT_REGION(t, i, b, s)                                                      \
	do {                                                                           \
		ASSERT_EQ((t)->regions[i].base, (b));                                  \
		ASSERT_EQ((t)->regions[i].size, (s));                                  \
	} while (0)
#define DONE(m)                                                                        \
	do {                                                                           \
		ASSERT_EQ(mm_verify(m), 0);                                            \
		mm_machine_destroy(m);                                                 \
	} while (0)
#define NO_REPORTS(m) ASSERT_EQ(mm_report_count(m), 0)

/* ===================================================================== */
/* add                                                                    */
/* ===================================================================== */

/* A fresh machine: both types hold only the empty marker, 128 slots.
 * Expect cnt 1 with a dummy {0,0} (or cnt 0), max 128, no array address. */
static void memblock_empty_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_TRUE(m);
	EXPECT_EMPTY(mem(m));
	EXPECT_EMPTY(rsv(m));
	ASSERT_EQ(mem(m)->max, 128);
	ASSERT_EQ(rsv(m)->max, 128);
	ASSERT_EQ(mem(m)->regions[0].nid, 0); /* static initializer */
	ASSERT_EQ(mm_memblock_array_phys(m, false), 0);
	ASSERT_STR_EQ(mem(m)->name, "memory");
	ASSERT_STR_EQ(rsv(m)->name, "reserved");
	ASSERT_EQ(mm_memblock_end_of_DRAM(m), 0);
	ASSERT_EQ(mm_memblock_get(m)->current_limit, MM_MEMBLOCK_ALLOC_ANYWHERE);
	DONE(m);
}

/*
 *  |   [ r1 ]        |
 * Expect one region {0x1000, 0x10000}, total 0x10000, reserved untouched.
 */
static void memblock_add_simple_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x10000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x10000);
	ASSERT_EQ(mem(m)->regions[0].nid, MAXN);
	ASSERT_EQ(mem(m)->total_size, 0x10000);
	EXPECT_EMPTY(rsv(m));
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  |    [ r1 ]       |      r1 = [0x1000, 0x3000)
 *  |        [  r2  ] |      r2 = [0x2000, 0x5000)
 * Expect one merged region [0x1000, 0x5000), total 0x4000.
 */
static void memblock_add_overlap_top_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x2000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x2000, 0x3000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x4000);
	ASSERT_EQ(mem(m)->total_size, 0x4000);
	DONE(m);
}

/*
 *  |        [ r1 ]   |      r1 = [0x3000, 0x6000)
 *  |  [  r2  ]       |      r2 = [0x1000, 0x4000)
 * Expect one merged region [0x1000, 0x6000), total 0x5000.
 */
static void memblock_add_overlap_bottom_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x3000, 0x3000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x3000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x5000);
	ASSERT_EQ(mem(m)->total_size, 0x5000);
	DONE(m);
}

/*
 *  |  [     r1     ] |      r1 = [0x1000, 0x9000)
 *  |     [ r2 ]      |      r2 = [0x2000, 0x3000)
 * Expect r1 unchanged, total 0x8000.
 */
static void memblock_add_within_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x8000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x2000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x8000);
	ASSERT_EQ(mem(m)->total_size, 0x8000);
	DONE(m);
}

/* The same range twice. Expect one region, total counted once. */
static void memblock_add_twice_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x4000, 0x2000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x4000, 0x2000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	ASSERT_EQ(mem(m)->total_size, 0x2000);
	DONE(m);
}

/*
 *  | [r1]    [r2]    |      r1 = [0x1000, 0x2000), r2 = [0x3000, 0x4000)
 *  |     [r3]        |      r3 = [0x2000, 0x3000) fills the gap
 * Expect a single region [0x1000, 0x4000).
 */
static void memblock_add_between_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x3000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 2);
	ASSERT_EQ(mm_memblock_add(m, 0x2000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x3000);
	DONE(m);
}

/*
 *  |                        [ r1 ]|  r1 = [PHYS_ADDR_MAX - 0x1000, +0x2000)
 * Expect the size capped so the region ends at PHYS_ADDR_MAX: 0x1000 bytes.
 */
static void memblock_add_near_max_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, PMAX - 0x1000, 0x2000), 0);
	EXPECT_REGION(mem(m), 0, PMAX - 0x1000, 0x1000);
	ASSERT_EQ(mem(m)->total_size, 0x1000);
	ASSERT_EQ(mm_memblock_end_of_DRAM(m), PMAX);
	DONE(m);
}

/* Size 0. Expect success and nothing added. */
static void memblock_add_zero_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0), 0);
	EXPECT_EMPTY(mem(m));
	DONE(m);
}

/*
 *  |   [n1][n2]      |   [0x1000,0x2000) nid 1, [0x2000,0x3000) nid 2
 *  | [      add     ]|   [0, 0x4000) with no node
 * Expect only the two holes inserted (nid MAX_NUMNODES), the existing nodes
 * kept, and one WARN for meeting a region of another node below a hole.
 */
static void memblock_add_node_mismatch_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add_node(m, 0x1000, 0x1000, 1, MM_MEMBLOCK_NONE), 0);
	ASSERT_EQ(mm_memblock_add_node(m, 0x2000, 0x1000, 2, MM_MEMBLOCK_NONE), 0);
	ASSERT_EQ(mem(m)->cnt, 2);
	NO_REPORTS(m);
	ASSERT_EQ(mm_memblock_add(m, 0, 0x4000), 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_WARN), 1);
	ASSERT_EQ(mm_last_report(m)->addr, 0);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "WARNING: memblock_add_range: [0-0x3fff] meets a memory "
					      "region of another node or flags");
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mem(m)->cnt, 4);
	EXPECT_REGION(mem(m), 0, 0, 0x1000);
	ASSERT_EQ(mem(m)->regions[0].nid, MAXN);
	ASSERT_EQ(mem(m)->regions[1].nid, 1);
	ASSERT_EQ(mem(m)->regions[2].nid, 2);
	EXPECT_REGION(mem(m), 3, 0x3000, 0x1000);
	ASSERT_EQ(mem(m)->total_size, 0x4000);
	DONE(m);
}

/* ===================================================================== */
/* reserve                                                                */
/* ===================================================================== */

/* Expect a reserved region, memory untouched (reserved need not be memory). */
static void memblock_reserve_simple_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x8000, 0x3000), 0);
	ASSERT_EQ(rsv(m)->cnt, 1);
	EXPECT_REGION(rsv(m), 0, 0x8000, 0x3000);
	ASSERT_EQ(mm_memblock_reserved_size(m), 0x3000);
	ASSERT_TRUE(mm_memblock_is_reserved(m, 0x8000));
	ASSERT_TRUE(!mm_memblock_is_reserved(m, 0xb000));
	EXPECT_EMPTY(mem(m));
	DONE(m);
}

/*
 *  | [r1]  [r2]  [r3]   |   three reservations, then one spanning them
 *  |[     spanning     ]|
 * Expect one reserved region [0x1000, 0x9000) (the holes filled, all merged).
 */
static void memblock_reserve_span_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x2000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x4000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x6000, 0x1000), 0);
	ASSERT_EQ(rsv(m)->cnt, 3);
	ASSERT_EQ(mm_memblock_reserve(m, 0x1000, 0x8000), 0);
	ASSERT_EQ(rsv(m)->cnt, 1);
	EXPECT_REGION(rsv(m), 0, 0x1000, 0x8000);
	ASSERT_EQ(rsv(m)->total_size, 0x8000);
	DONE(m);
}

/*
 *  |    [ r1 ]       |      r1 = [0x1000, 0x3000)
 *  |        [  r2  ] |      r2 = [0x2000, 0x5000), then r2 again
 * Expect one reserved region [0x1000, 0x5000).
 */
static void memblock_reserve_overlap_twice_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x1000, 0x2000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x2000, 0x3000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x2000, 0x3000), 0);
	ASSERT_EQ(rsv(m)->cnt, 1);
	EXPECT_REGION(rsv(m), 0, 0x1000, 0x4000);
	DONE(m);
}

/* ===================================================================== */
/* remove and free                                                        */
/* ===================================================================== */

/*
 *  |  [ r1         ] |    r1 = [0x1000, 0x5000)
 *  |  [rm]           |    remove [0x1000, 0x2000)
 * Expect [0x2000, 0x5000).
 */
static void memblock_remove_head_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x4000), 0);
	ASSERT_EQ(mm_memblock_remove(m, 0x1000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x2000, 0x3000);
	ASSERT_EQ(mem(m)->total_size, 0x3000);
	DONE(m);
}

/*
 *  |  [ r1         ] |    r1 = [0x1000, 0x5000)
 *  |     [rm]        |    remove [0x2000, 0x3000): r1 split in two
 * Expect [0x1000, 0x2000) and [0x3000, 0x5000).
 */
static void memblock_remove_middle_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x4000), 0);
	ASSERT_EQ(mm_memblock_remove(m, 0x2000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 2);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x1000);
	EXPECT_REGION(mem(m), 1, 0x3000, 0x2000);
	ASSERT_EQ(mem(m)->total_size, 0x3000);
	DONE(m);
}

/* Remove everything. Expect the empty marker back, its nid MAX_NUMNODES. */
static void memblock_remove_all_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x3000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_remove(m, 0, 0x10000), 0);
	EXPECT_EMPTY(mem(m));
	if (!g_cnt0)
		ASSERT_EQ(mem(m)->regions[0].nid, MAXN);
	ASSERT_EQ(mm_memblock_start_of_DRAM(m), 0);
	ASSERT_EQ(mm_memblock_end_of_DRAM(m), 0);
	DONE(m);
}

/* Remove a range that holds nothing. Expect success, nothing changed. */
static void memblock_remove_absent_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_remove(m, 0x8000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x1000, 0x1000);
	DONE(m);
}

/*
 *  | [r1][r2 ]  [r3] |   reserved
 *  |    [  free   ]  |   free [0x1800, 0x6000)
 * Expect [0x1000, 0x1800) and [0x7000, 0x8000) left reserved.
 */
static void memblock_free_span_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x1000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x3000, 0x2000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x7000, 0x1000), 0);
	ASSERT_EQ(mm_memblock_free(m, 0x1800, 0x4800), 0);
	ASSERT_EQ(rsv(m)->cnt, 2);
	EXPECT_REGION(rsv(m), 0, 0x1000, 0x800);
	EXPECT_REGION(rsv(m), 1, 0x7000, 0x1000);
	ASSERT_EQ(rsv(m)->total_size, 0x1800);
	ASSERT_EQ(mm_memblock_phys_free(m, 0x7000, 0x1000), 0);
	ASSERT_EQ(rsv(m)->cnt, 1);
	DONE(m);
}

/* ===================================================================== */
/* flags and nodes                                                        */
/* ===================================================================== */

/*
 *  |[      r1      ]|   mark_nomap the middle, then clear it again
 * Expect three regions with NOMAP in the middle, then one region again.
 */
static void memblock_mark_clear_nomap_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x10000, 0x30000), 0);
	ASSERT_EQ(mm_memblock_mark_nomap(m, 0x20000, 0x10000), 0);
	ASSERT_EQ(mem(m)->cnt, 3);
	ASSERT_EQ(mem(m)->regions[1].flags, MM_MEMBLOCK_NOMAP);
	EXPECT_REGION(mem(m), 1, 0x20000, 0x10000);
	ASSERT_EQ(mm_memblock_clear_nomap(m, 0x20000, 0x10000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x10000, 0x30000);
	DONE(m);
}

/* set_node on half of a region, then on the other half. Expect a split
 * into nid 1 / MAX_NUMNODES, then one region of nid 1. */
static void memblock_set_node_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x10000, 0x20000), 0);
	ASSERT_EQ(mm_memblock_set_node(m, 0x10000, 0x10000, false, 1), 0);
	ASSERT_EQ(mem(m)->cnt, 2);
	ASSERT_EQ(mem(m)->regions[0].nid, 1);
	ASSERT_EQ(mem(m)->regions[1].nid, MAXN);
	ASSERT_EQ(mm_memblock_set_node(m, 0x20000, 0x10000, false, 1), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	ASSERT_EQ(mem(m)->regions[0].nid, 1);
	DONE(m);
}

/* ===================================================================== */
/* allocation (run top-down and bottom-up)                                */
/* ===================================================================== */

/*
 *  |     [        memory        ]      |   [0x10000, 0x20000)
 * Expect top-down 0x1f000, bottom-up 0x10000, and that range reserved.
 */
static void memblock_alloc_simple_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 1;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, SZ_64K), 0);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, pick(0x1f000, 0x10000));
	ASSERT_EQ(rsv(m)->cnt, 1);
	EXPECT_REGION(rsv(m), 0, a, SZ_4K);
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  |     [rsv][    free    ][ rsv ]    |   memory [0x10000, 0x20000)
 *                                          reserved [0x10000,0x12000), [0x1c000,0x20000)
 * Expect top-down 0x1a000 (just below the top reservation, merging with it),
 * bottom-up 0x12000 (just above the low one, merging with it).
 */
static void memblock_alloc_gaps_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, SZ_64K), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x10000, 0x2000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x1c000, 0x4000), 0);
	ASSERT_EQ(mm_memblock_alloc(m, 0x2000, SZ_4K, &a), 0);
	ASSERT_EQ(a, pick(0x1a000, 0x12000));
	ASSERT_EQ(rsv(m)->cnt, 2);
	if (g_bottom_up)
		EXPECT_REGION(rsv(m), 0, 0x10000, 0x4000);
	else
		EXPECT_REGION(rsv(m), 1, 0x1a000, 0x6000);
	DONE(m);
}

/*
 *  |  [          memory            ]  |    [0x10000, 0x30000), align 64 KiB
 * Expect top-down 0x20000, bottom-up 0x10000.
 */
static void memblock_alloc_align_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, 0x20000), 0);
	ASSERT_EQ(mm_memblock_phys_alloc_range(m, SZ_4K, SZ_64K, 0, PMAX, &a), 0);
	ASSERT_EQ(a, pick(0x20000, 0x10000));
	DONE(m);
}

/*
 *  |  [ memory  :   window   :      ] |   [0x10000, 0x100000), window [0x40000, 0x80000)
 * Expect top-down 0x7f000, bottom-up 0x40000. Then with the window fully
 * reserved, expect the retry with min_addr 0: top-down 0x3f000, bottom-up 0x10000.
 */
static void memblock_alloc_min_max_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, 0xf0000), 0);
	ASSERT_EQ(mm_memblock_alloc_try_nid(m, SZ_4K, SZ_4K, 0x40000, 0x80000, MM_NUMA_NO_NODE,
					    false, false, &a), 0);
	ASSERT_EQ(a, pick(0x7f000, 0x40000));
	ASSERT_EQ(mm_memblock_free(m, a, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x40000, 0xc0000), 0);
	ASSERT_EQ(mm_memblock_alloc_try_nid(m, SZ_4K, SZ_4K, 0x40000, 0x80000, MM_NUMA_NO_NODE,
					    false, true, &a), 0);
	ASSERT_EQ(a, pick(0x3f000, 0x10000));
	DONE(m);
}

/*
 *  | [ node 0 ][ node 1 ] |   [0x10000,0x20000) nid 0, [0x20000,0x30000) nid 1
 * Expect nid 1 served from node 1 (top-down 0x2f000, bottom-up 0x20000);
 * with node 1 full, exact_nid fails and try_nid falls back to node 0.
 */
static void memblock_alloc_exact_nid_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add_node(m, 0x10000, SZ_64K, 0, MM_MEMBLOCK_NONE), 0);
	ASSERT_EQ(mm_memblock_add_node(m, 0x20000, SZ_64K, 1, MM_MEMBLOCK_NONE), 0);
	ASSERT_EQ(mm_memblock_alloc_try_nid(m, SZ_4K, SZ_4K, 0, MM_MEMBLOCK_ALLOC_ACCESSIBLE, 1,
					    true, true, &a), 0);
	ASSERT_EQ(a, pick(0x2f000, 0x20000));
	ASSERT_EQ(mm_memblock_reserve(m, 0x20000, SZ_64K), 0);
	ASSERT_EQ(mm_memblock_alloc_try_nid(m, SZ_4K, SZ_4K, 0, MM_MEMBLOCK_ALLOC_ACCESSIBLE, 1,
					    true, true, &a), -ENOMEM);
	ASSERT_EQ(a, 0);
	ASSERT_EQ(mm_memblock_phys_alloc_try_nid(m, SZ_4K, SZ_4K, 1, &a), 0);
	ASSERT_EQ(a, pick(0x1f000, 0x10000));
	NO_REPORTS(m);
	DONE(m);
}

/* 4 KiB of memory, 8 KiB asked. Expect -ENOMEM, *out 0, nothing reserved. */
static void memblock_alloc_no_space_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 1;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_alloc(m, 0x2000, SZ_4K, &a), -ENOMEM);
	ASSERT_EQ(a, 0);
	EXPECT_EMPTY(rsv(m));
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  |[pg0][ pg1 ]|   memory [0, 0x2000): the first page is never handed out
 * Expect 0x1000 both ways, then -ENOMEM.
 */
static void memblock_alloc_first_page_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, 0, 0x2000), 0);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, 0x1000);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), -ENOMEM);
	DONE(m);
}

/*
 *  |  [ memory ][ NOMAP ]  |   [0x10000,0x20000) normal, [0x20000,0x30000) NOMAP
 * Expect the NOMAP part skipped: top-down 0x1f000, bottom-up 0x10000.
 */
static void memblock_alloc_nomap_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, 0x20000), 0);
	ASSERT_EQ(mm_memblock_mark_nomap(m, 0x20000, SZ_64K), 0);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, pick(0x1f000, 0x10000));
	DONE(m);
}

#define MIRROR_WARN_0x1000 "Could not allocate 0x1000 bytes of mirrored memory"

/* Exactly one report, of this kind, from memblock; the machine verifies. */
static void expect_one(struct mm_machine *m, enum mm_report_kind kind);

/*
 * kernelcore=mirror not given (the kernel's default boot):
 *  |   [            memory 0x100000+0x100000            ]
 *       ^ mark_mirror(0x100000, 0x1000): ignored
 * Expect mark_mirror to return 0 and change nothing (memory.cnt 1, no
 * flags), then memblock_alloc(0x100, 0x100) at the top of memory: 0x1fff00
 * (bottom-up 0x100000); no report.
 */
static void memblock_mark_mirror_off_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t out = 0;
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0x100000), 0);
	ASSERT_EQ(mm_memblock_mark_mirror(m, 0x100000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x100000, 0x100000);
	ASSERT_EQ(mem(m)->regions[0].flags, MM_MEMBLOCK_NONE);
	ASSERT_EQ(mm_memblock_alloc(m, 0x100, 0x100, &out), 0);
	ASSERT_EQ(out, pick(0x1fff00, 0x100000));
	NO_REPORTS(m);
	DONE(m);
}

/*
 * The same calls with kernelcore=mirror:
 *  |   [MIR][                memory                      ]
 * Expect memory.cnt 2: {0x100000, 0x1000, MIRROR} and {0x101000, 0xff000,
 * NONE}; the allocation comes from the mirror: 0x100f00 (bottom-up
 * 0x100000); no report.
 */
static void memblock_mark_mirror_on_check(void)
{
	struct mm_machine *m = mk_kc(0, true);
	mm_phys_addr_t out = 0;
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0x100000), 0);
	ASSERT_EQ(mm_memblock_mark_mirror(m, 0x100000, 0x1000), 0);
	ASSERT_EQ(mem(m)->cnt, 2);
	EXPECT_REGION(mem(m), 0, 0x100000, 0x1000);
	ASSERT_EQ(mem(m)->regions[0].flags, MM_MEMBLOCK_MIRROR);
	EXPECT_REGION(mem(m), 1, 0x101000, 0xff000);
	ASSERT_EQ(mem(m)->regions[1].flags, MM_MEMBLOCK_NONE);
	ASSERT_EQ(mm_memblock_alloc(m, 0x100, 0x100, &out), 0);
	ASSERT_EQ(out, pick(0x100f00, 0x100000));
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  |  [MIRROR][   memory   ]  |   [0x10000,0x18000) marked mirror
 * With kernelcore=mirror: mirrored memory first, top-down 0x17000, bottom-up
 * 0x10000; once the mirror is full (reserved), the next allocation drops
 * MIRROR with the kernel's warning: top-down 0x2f000, bottom-up 0x18000, one
 * WARN. Without it the marking is ignored: 0x2f000 / 0x10000, then 0x2e000 /
 * 0x18000, no report.
 */
static void memblock_alloc_mirror_check(bool kc)
{
	struct mm_machine *m = mk_kc(0, kc);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, 0x20000), 0);
	ASSERT_EQ(mm_memblock_mark_mirror(m, 0x10000, 0x8000), 0);
	ASSERT_EQ(mem(m)->cnt, kc ? 2u : 1u);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, kc ? pick(0x17000, 0x10000) : pick(0x2f000, 0x10000));
	ASSERT_EQ(mm_memblock_reserve(m, 0x10000, 0x8000), 0);
	NO_REPORTS(m);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, kc ? pick(0x2f000, 0x18000) : pick(0x2e000, 0x18000));
	if (kc) {
		expect_one(m, MM_REPORT_WARN);
		ASSERT_STR_EQ(mm_last_report(m)->msg, MIRROR_WARN_0x1000);
	} else {
		NO_REPORTS(m);
	}
	DONE(m);
}

/*
 *  | [r1] [r2] [      r3      ]  |  memory 3 of 4 slots, no resize
 *                 ^ mark_mirror(0x34000, 0x1000)
 * With kernelcore=mirror the isolate needs cnt + 2 = 5 > 4 slots: -ENOMEM and
 * memory unchanged, but the system already counts as having mirror (the
 * kernel sets system_has_some_mirror first), so the next allocation finds no
 * mirrored memory and warns: 0x3f000 (bottom-up 0x10000), one WARN. Without
 * kernelcore=mirror the call returns 0 before any of that; the same
 * allocation, no report.
 */
static void memblock_mark_mirror_noroom_check(bool kc)
{
	struct mm_machine *m = mk_kc(4, kc);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, 0x10000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x20000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x30000, SZ_64K), 0);
	ASSERT_EQ(mm_memblock_mark_mirror(m, 0x34000, SZ_4K), kc ? -ENOMEM : 0);
	ASSERT_EQ(mem(m)->cnt, 3);
	ASSERT_EQ(mem(m)->regions[2].flags, MM_MEMBLOCK_NONE);
	NO_REPORTS(m);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, pick(0x3f000, 0x10000));
	if (kc) {
		expect_one(m, MM_REPORT_WARN);
		ASSERT_STR_EQ(mm_last_report(m)->msg, MIRROR_WARN_0x1000);
	} else {
		NO_REPORTS(m);
	}
	DONE(m);
}

/* current_limit 0x18000 and memblock_alloc (ACCESSIBLE).
 * Expect top-down 0x17000, bottom-up 0x10000. */
static void memblock_alloc_limit_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, 0x20000), 0);
	mm_memblock_set_current_limit(m, 0x18000);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(a, pick(0x17000, 0x10000));
	/* phys_alloc_range with an explicit end ignores the limit */
	ASSERT_EQ(mm_memblock_phys_alloc_range(m, SZ_4K, SZ_4K, 0, PMAX, &a), 0);
	ASSERT_EQ(a, pick(0x2f000, 0x11000));
	DONE(m);
}

/* Bytes written into free memory: memblock_alloc zeroes them, the raw and
 * phys variants leave them. Expect 0 after alloc, 0x5a after phys_alloc. */
static void memblock_alloc_zeroing_check(void)
{
	struct mm_machine *m = mk(0);
	mm_phys_addr_t a = 0, b = 0;
	uint8_t v = 0x5a, got = 0;
	ASSERT_EQ(mm_memblock_add(m, SZ_64K, 0x2000), 0);
	ASSERT_EQ(mm_phys_write(m, 0x10000, &v, 1), 0);
	ASSERT_EQ(mm_phys_write(m, 0x11000, &v, 1), 0);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	ASSERT_EQ(mm_memblock_phys_alloc_range(m, SZ_4K, SZ_4K, 0, PMAX, &b), 0);
	ASSERT_EQ(mm_phys_read(m, a, &got, 1), 0);
	ASSERT_EQ(got, 0);
	ASSERT_EQ(mm_phys_read(m, b, &got, 1), 0);
	ASSERT_EQ(got, 0x5a);
	DONE(m);
}

/* ===================================================================== */
/* array doubling                                                         */
/* ===================================================================== */

/*
 *  | [r][r][r][r]     [r5] |   4 slots, resize not allowed
 * Expect the 5th region refused with -ENOMEM and nothing changed.
 */
static void memblock_double_refused_check(void)
{
	struct mm_machine *m = mk(4);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(mm_memblock_add(m, 0x10000 * (uint64_t)(i + 1), SZ_4K), 0);
	ASSERT_EQ(mem(m)->cnt, 4);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, SZ_4K), -ENOMEM);
	ASSERT_EQ(mem(m)->cnt, 4);
	ASSERT_EQ(mem(m)->max, 4);
	ASSERT_EQ(mem(m)->total_size, 4 * SZ_4K);
	/* isolate needs two spare slots: a remove is refused too */
	ASSERT_EQ(mm_memblock_remove(m, 0x10000, SZ_4K), -ENOMEM);
	ASSERT_EQ(mem(m)->cnt, 4);
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  | [r][r][r]      [     big r4      ] |   4 slots, resize allowed
 * A 5th memory region doubles memory to 8 slots; the 4 KiB array comes from
 * memblock itself. Expect it at the top of r4 (top-down: 0x1ff000) or at
 * the bottom of r0 (bottom-up: 0x10000), reserved. A 9th region doubles
 * again: the new array lands below the old one (top-down 0x1fe000), the old
 * one is freed.
 */
static void memblock_double_memory_check(void)
{
	struct mm_machine *m = mk(4);
	mm_memblock_allow_resize(m);
	ASSERT_EQ(mm_memblock_add(m, 0x10000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x20000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x30000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0x100000), 0);
	ASSERT_EQ(mem(m)->max, 4);
	ASSERT_EQ(mm_memblock_add(m, 0x40000, SZ_4K), 0);
	ASSERT_EQ(mem(m)->cnt, 5);
	ASSERT_EQ(mem(m)->max, 8);
	ASSERT_EQ(mm_memblock_array_phys(m, false), pick(0x1ff000, 0x10000));
	ASSERT_EQ(rsv(m)->cnt, 1);
	EXPECT_REGION(rsv(m), 0, pick(0x1ff000, 0x10000), SZ_4K);
	for (uint64_t i = 0; i < 4; i++)
		ASSERT_EQ(mm_memblock_add(m, 0x50000 + i * 0x10000, SZ_4K), 0);
	ASSERT_EQ(mem(m)->cnt, 9);
	ASSERT_EQ(mem(m)->max, 16);
	ASSERT_EQ(mm_memblock_array_phys(m, false), pick(0x1fe000, 0x20000));
	ASSERT_EQ(rsv(m)->cnt, 1);
	EXPECT_REGION(rsv(m), 0, pick(0x1fe000, 0x20000), SZ_4K);
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  | [r][r][r][r] r5        ...    free top ] |  4 reserved slots
 * A 5th reservation doubles reserved; the array avoids the range being
 * reserved. Expect top-down the array at 0x1ff000 (6 regions), bottom-up
 * just above r5 at 0x109000, merged with it (5 regions).
 */
static void memblock_double_reserved_check(void)
{
	struct mm_machine *m = mk(4);
	mm_memblock_allow_resize(m);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0x100000), 0);
	for (uint64_t i = 0; i < 4; i++)
		ASSERT_EQ(mm_memblock_reserve(m, 0x100000 + i * 0x2000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x108000, SZ_4K), 0);
	ASSERT_EQ(rsv(m)->max, 8);
	ASSERT_EQ(mm_memblock_array_phys(m, true), pick(0x1ff000, 0x109000));
	ASSERT_EQ(rsv(m)->cnt, pick(6, 5));
	ASSERT_EQ(rsv(m)->total_size, 6 * SZ_4K);
	ASSERT_TRUE(mm_memblock_is_reserved(m, mm_memblock_array_phys(m, true)));
	DONE(m);
}

/*
 * The doubling above with kernelcore=mirror and the first page mirrored:
 *  | [MIR r][ r ][ r ][ r ]  new r at 0x108000   |  reserved: 4 of 4 slots
 * The mirror page is reserved, so the search for the doubled array
 * (memblock_find_in_range above the range, then below it) finds no mirrored
 * room above 0x109000: one warning, then any memory as before: 0x1ff000
 * (bottom-up 0x109000).
 */
static void memblock_double_mirror_check(void)
{
	struct mm_machine *m = mk_kc(4, true);
	mm_memblock_allow_resize(m);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0x100000), 0);
	ASSERT_EQ(mm_memblock_mark_mirror(m, 0x100000, SZ_4K), 0);
	for (uint64_t i = 0; i < 4; i++)
		ASSERT_EQ(mm_memblock_reserve(m, 0x100000 + i * 0x2000, SZ_4K), 0);
	NO_REPORTS(m);
	ASSERT_EQ(mm_memblock_reserve(m, 0x108000, SZ_4K), 0);
	ASSERT_EQ(rsv(m)->max, 8);
	ASSERT_EQ(mm_memblock_array_phys(m, true), pick(0x1ff000, 0x109000));
	ASSERT_EQ(rsv(m)->cnt, pick(6, 5));
	expect_one(m, MM_REPORT_WARN);
	ASSERT_STR_EQ(mm_last_report(m)->msg, MIRROR_WARN_0x1000);
	DONE(m);
}

/*
 * 256 reserved slots full (4 KiB pieces 8 KiB apart), resize allowed: the
 * 257th reservation doubles reserved to 512 slots, an array of
 * 512 * 24 bytes = 3 pages (the size counts, not only the slots: at 4 or 8
 * slots every array rounds to one page). Expect max 512, the array inside
 * memory and reserved, total_size = 257 pieces + the 3-page array.
 */
static void memblock_double_reserved_large_check(void)
{
	struct mm_machine *m = mk(256);
	mm_memblock_allow_resize(m);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0x1000000), 0);
	for (uint64_t i = 0; i < 256; i++)
		ASSERT_EQ(mm_memblock_reserve(m, 0x100000 + i * 0x2000, SZ_4K), 0);
	ASSERT_EQ(rsv(m)->max, 256);
	ASSERT_EQ(mm_memblock_reserve(m, 0x400000, SZ_4K), 0);
	ASSERT_EQ(rsv(m)->max, 512);
	ASSERT_EQ(rsv(m)->total_size, 257 * SZ_4K + 3 * SZ_4K);
	ASSERT_TRUE(mm_memblock_is_reserved(m, mm_memblock_array_phys(m, true)));
	ASSERT_TRUE(mm_memblock_is_reserved(m, mm_memblock_array_phys(m, true) + 3 * SZ_4K - 1));
	NO_REPORTS(m);
	DONE(m);
}

/*
 *  | r r r r r r r        [      big r8    |mem arr] |  memory: 8 of 8 slots
 *  | R R                                    ^ R       |  reserved: 3 of 4 slots
 * Top-down. A 9th memory region doubles memory again: the new array is found
 * at 0x1ffe000, then freeing the old array (0x1fff000) must isolate in
 * reserved, which needs reserved doubled; that search keeps clear of the old
 * array only, and the new memory array is not reserved yet, so the reserved
 * array lands on the same page. Expect both arrays at 0x1ffe000 (in the
 * kernel the second memcpy overwrites the first; mmsim's host arrays are
 * separate) and one reserved region for the page.
 */
static void memblock_double_nested_check(void)
{
	struct mm_machine *m = mk(4);
	mm_memblock_allow_resize(m);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x200000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x300000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000000, 0x1000000), 0);
	for (uint64_t i = 4; i < 8; i++)
		ASSERT_EQ(mm_memblock_add(m, i * 0x100000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_array_phys(m, false), 0x1fff000);
	ASSERT_EQ(mm_memblock_reserve(m, 0x100000, SZ_4K), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x200000, SZ_4K), 0);
	ASSERT_EQ(rsv(m)->cnt, 3);
	ASSERT_EQ(mm_memblock_add(m, 0x800000, SZ_4K), 0);
	ASSERT_EQ(mem(m)->max, 16);
	ASSERT_EQ(rsv(m)->max, 8);
	ASSERT_EQ(mm_memblock_array_phys(m, false), 0x1ffe000);
	ASSERT_EQ(mm_memblock_array_phys(m, true), 0x1ffe000);
	ASSERT_EQ(rsv(m)->cnt, 3);
	EXPECT_REGION(rsv(m), 2, 0x1ffe000, SZ_4K);
	NO_REPORTS(m);
	DONE(m);
}

/* ===================================================================== */
/* trim and memory limit                                                  */
/* ===================================================================== */

/*
 *  | [~r1~~~~~~~~]  [~r2] |   [0x1800, 0x5800) and [0x6000, 0x6800)
 * Expect trim to pages: [0x2000, 0x5000) kept, r2 dropped, total 0x3000.
 */
static void memblock_trim_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1800, 0x4000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x6000, 0x800), 0);
	mm_memblock_trim_memory(m, SZ_4K);
	ASSERT_EQ(mem(m)->cnt, 1);
	EXPECT_REGION(mem(m), 0, 0x2000, 0x3000);
	ASSERT_EQ(mem(m)->total_size, 0x3000);
	mm_memblock_trim_memory(m, SZ_64K);
	EXPECT_EMPTY(mem(m));
	DONE(m);
}

/*
 *  | [r1 ]  [   r2    ] |  memory [0x1000,0x3000) [0x4000,0x8000)
 *  |            [res]   |  reserved [0x5000,0x7000)
 * enforce_memory_limit(0x3000): the first 0x3000 bytes end at 0x5000.
 * Expect memory [0x1000,0x3000) [0x4000,0x5000) and no reservation left.
 */
static void memblock_enforce_limit_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1000, 0x2000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x4000, 0x4000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x5000, 0x2000), 0);
	mm_memblock_enforce_memory_limit(m, 0x3000);
	ASSERT_EQ(mem(m)->cnt, 2);
	EXPECT_REGION(mem(m), 1, 0x4000, 0x1000);
	ASSERT_EQ(mem(m)->total_size, 0x3000);
	EXPECT_EMPTY(rsv(m));
	/* a limit beyond the memory changes nothing */
	mm_memblock_enforce_memory_limit(m, 0x100000);
	ASSERT_EQ(mem(m)->cnt, 2);
	DONE(m);
}

/* ===================================================================== */
/* misuse: exactly one report of the expected kind each                   */
/* ===================================================================== */

static void expect_one(struct mm_machine *m, enum mm_report_kind kind)
{
	ASSERT_EQ(mm_report_count_kind(m, kind), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_last_report(m)->stage, MM_STAGE_MEMBLOCK);
	ASSERT_EQ(mm_verify(m), 0);
}

static struct mm_machine *mk_mem(void)
{
	struct mm_machine *m = mk(0);
	if (m)
		(void)mm_memblock_add(m, SZ_64K, SZ_64K);
	return m;
}

/* Alignment 3. Expect -EINVAL, one INVALID_ARG, nothing reserved. */
static void memblock_bad_align_check(void)
{
	struct mm_machine *m = mk_mem();
	mm_phys_addr_t a = 7;
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, 3, &a), -EINVAL);
	ASSERT_EQ(a, 0);
	expect_one(m, MM_REPORT_INVALID_ARG);
	EXPECT_EMPTY(rsv(m));
	mm_machine_destroy(m);
}

/* Alignment 0. Expect one WARN and SMP_CACHE_BYTES used: top-down 0x1f000. */
static void memblock_zero_align_check(void)
{
	struct mm_machine *m = mk_mem();
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, 0, &a), 0);
	ASSERT_EQ(a, pick(0x1f000, 0x10000));
	expect_one(m, MM_REPORT_WARN);
	mm_machine_destroy(m);
}

/* Zero size. Expect -EINVAL, one INVALID_ARG. */
static void memblock_zero_size_check(void)
{
	struct mm_machine *m = mk_mem();
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_phys_alloc_range(m, 0, SZ_4K, 0, PMAX, &a), -EINVAL);
	expect_one(m, MM_REPORT_INVALID_ARG);
	mm_machine_destroy(m);
}

/* nid MAX_NUMNODES to an alloc. Expect one WARN, served as NUMA_NO_NODE. */
static void memblock_max_numnodes_check(void)
{
	struct mm_machine *m = mk_mem();
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_phys_alloc_try_nid(m, SZ_4K, SZ_4K, MAXN, &a), 0);
	ASSERT_EQ(a, pick(0x1f000, 0x10000));
	expect_one(m, MM_REPORT_WARN);
	mm_machine_destroy(m);
}

/* Node 65 to an alloc. Expect -EINVAL, one INVALID_ARG. */
static void memblock_bad_nid_alloc_check(void)
{
	struct mm_machine *m = mk_mem();
	mm_phys_addr_t a = 0;
	ASSERT_EQ(mm_memblock_phys_alloc_try_nid(m, SZ_4K, SZ_4K, 65, &a), -EINVAL);
	expect_one(m, MM_REPORT_INVALID_ARG);
	mm_machine_destroy(m);
}

/* NULL out pointer. Expect -EINVAL, one INVALID_ARG. */
static void memblock_null_out_check(void)
{
	struct mm_machine *m = mk_mem();
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, NULL), -EINVAL);
	expect_one(m, MM_REPORT_INVALID_ARG);
	EXPECT_EMPTY(rsv(m));
	mm_machine_destroy(m);
}

/* Unknown flag bit to add_node. Expect -EINVAL, one INVALID_ARG, no change. */
static void memblock_bad_flags_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add_node(m, SZ_64K, SZ_4K, 0, (enum mm_memblock_flags)0x10), -EINVAL);
	expect_one(m, MM_REPORT_INVALID_ARG);
	EXPECT_EMPTY(mem(m));
	mm_machine_destroy(m);
}

/* Node -2 to add_node, then 65 to set_node. Expect one INVALID_ARG each. */
static void memblock_bad_nid_check(void)
{
	struct mm_machine *m = mk_mem();
	ASSERT_EQ(mm_memblock_add_node(m, 0x40000, SZ_4K, -2, MM_MEMBLOCK_NONE), -EINVAL);
	expect_one(m, MM_REPORT_INVALID_ARG);
	ASSERT_EQ(mm_memblock_set_node(m, SZ_64K, SZ_4K, false, 65), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 2);
	ASSERT_EQ(mem(m)->cnt, 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* trim_memory(3). Expect one INVALID_ARG and memory unchanged. */
static void memblock_bad_trim_check(void)
{
	struct mm_machine *m = mk(0);
	ASSERT_EQ(mm_memblock_add(m, 0x1800, 0x4000), 0);
	mm_memblock_trim_memory(m, 3);
	expect_one(m, MM_REPORT_INVALID_ARG);
	EXPECT_REGION(mem(m), 0, 0x1800, 0x4000);
	mm_machine_destroy(m);
}

/*
 * Both arrays full (4 slots each), resize allowed, the 2nd allocation
 * attempt injected to fail: doubling memory succeeds, then reserving its
 * new array needs reserved doubled, which fails. The kernel would hit
 * BUG_ON(memblock_reserve(...)). Expect -ENOMEM, one BUG report, both
 * types exactly as before, one injected failure.
 */
static void memblock_double_bug_check(void)
{
	struct mm_machine *m = mk(4);
	mm_memblock_allow_resize(m);
	for (uint64_t i = 0; i < 4; i++) {
		ASSERT_EQ(mm_memblock_add(m, 0x100000 * (i + 1), 0x10000), 0);
		ASSERT_EQ(mm_memblock_reserve(m, 0x100000 * (i + 1), SZ_4K), 0);
	}
	mm_fault_inject_set(m, true, 1, 1);
	ASSERT_EQ(mm_memblock_add(m, 0x800000, SZ_4K), -ENOMEM);
	expect_one(m, MM_REPORT_BUG);
	ASSERT_EQ(mm_fault_inject_hits(m), 1);
	ASSERT_EQ(mem(m)->cnt, 4);
	ASSERT_EQ(mem(m)->max, 4);
	ASSERT_EQ(rsv(m)->cnt, 4);
	ASSERT_EQ(rsv(m)->max, 4);
	ASSERT_EQ(mm_memblock_array_phys(m, false), 0);
	ASSERT_EQ(mm_memblock_array_phys(m, true), 0);
	/* injection is over: the same add now doubles both arrays */
	ASSERT_EQ(mm_memblock_add(m, 0x800000, SZ_4K), 0);
	ASSERT_EQ(mem(m)->max, 8);
	ASSERT_EQ(rsv(m)->max, 8);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Fault injection on an allocation. Expect -ENOMEM, no report, one hit. */
static void memblock_alloc_fault_check(void)
{
	struct mm_machine *m = mk_mem();
	mm_phys_addr_t a = 0;
	mm_fault_inject_set(m, true, 0, 1);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), -ENOMEM);
	ASSERT_EQ(mm_fault_inject_hits(m), 1);
	NO_REPORTS(m);
	ASSERT_EQ(mm_memblock_alloc(m, SZ_4K, SZ_4K, &a), 0);
	DONE(m);
}

/* Every entry point with a NULL machine. Expect -EINVAL / 0 / NULL, no crash. */
static void memblock_null_machine_check(void)
{
	mm_phys_addr_t a = 5;
	ASSERT_TRUE(mm_memblock_get(NULL) == NULL);
	ASSERT_EQ(mm_memblock_array_phys(NULL, true), 0);
	ASSERT_EQ(mm_memblock_add(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_add_node(NULL, 0, 1, 0, MM_MEMBLOCK_NONE), -EINVAL);
	ASSERT_EQ(mm_memblock_remove(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_reserve(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_free(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_phys_free(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_mark_hotplug(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_clear_hotplug(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_mark_mirror(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_mark_nomap(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_clear_nomap(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_memblock_set_node(NULL, 0, 1, false, 0), -EINVAL);
	mm_memblock_set_bottom_up(NULL, true);
	mm_memblock_set_current_limit(NULL, 0);
	mm_memblock_allow_resize(NULL);
	mm_memblock_set_movable_node(NULL, true);
	ASSERT_EQ(mm_memblock_phys_alloc_range(NULL, 1, 1, 0, 0, &a), -EINVAL);
	ASSERT_EQ(mm_memblock_phys_alloc_try_nid(NULL, 1, 1, 0, &a), -EINVAL);
	ASSERT_EQ(mm_memblock_alloc_try_nid(NULL, 1, 1, 0, 0, 0, false, false, &a), -EINVAL);
	ASSERT_EQ(mm_memblock_alloc(NULL, 1, 1, &a), -EINVAL);
	mm_memblock_trim_memory(NULL, 4096);
	mm_memblock_enforce_memory_limit(NULL, 1);
	ASSERT_EQ(mm_memblock_phys_mem_size(NULL), 0);
	ASSERT_EQ(mm_memblock_reserved_size(NULL), 0);
	ASSERT_EQ(mm_memblock_start_of_DRAM(NULL), 0);
	ASSERT_EQ(mm_memblock_end_of_DRAM(NULL), 0);
	ASSERT_TRUE(!mm_memblock_is_memory(NULL, 0));
	ASSERT_TRUE(!mm_memblock_is_reserved(NULL, 0));
}

/* ===================================================================== */
/* fault injection sweep                                                  */
/* ===================================================================== */

struct snap {
	struct mm_memblock_type t[2];
	struct mm_memblock_region r[2][64];
	mm_phys_addr_t phys[2];
};

static void take(struct mm_machine *m, struct snap *s)
{
	const struct mm_memblock_type *ts[2] = { mem(m), rsv(m) };
	memset(s, 0, sizeof(*s));
	for (int w = 0; w < 2; w++) {
		s->t[w] = *ts[w];
		for (unsigned long i = 0; i < ts[w]->cnt && i < 64; i++)
			s->r[w][i] = ts[w]->regions[i];
		s->phys[w] = mm_memblock_array_phys(m, w);
	}
}

static bool same(const struct snap *a, const struct snap *b)
{
	for (int w = 0; w < 2; w++) {
		if (a->t[w].cnt != b->t[w].cnt || a->t[w].max != b->t[w].max ||
		    a->t[w].total_size != b->t[w].total_size || a->phys[w] != b->phys[w])
			return false;
		if (memcmp(a->r[w], b->r[w], sizeof(a->r[w])))
			return false;
	}
	return true;
}

/* One step of the sweep program: 0 or -ENOMEM. */
static int sweep_step(struct mm_machine *m, int i)
{
	mm_phys_addr_t a;

	if (i < 6)
		return mm_memblock_add(m, 0x100000 * (uint64_t)(i + 1) + (i == 5 ? 0x1000000 : 0),
				       i == 5 ? 0x1000000 : SZ_4K);
	if (i < 12)
		return mm_memblock_reserve(m, 0x100000 * (uint64_t)(i - 5), 0x800);
	if (i < 16)
		return mm_memblock_alloc(m, SZ_4K << (i - 12), SZ_4K, &a);
	if (i < 22)
		return mm_memblock_add(m, 0x800000 + 0x10000 * (uint64_t)i, SZ_4K);
	return mm_memblock_remove(m, 0x700000, 0x800000);
}

/*
 * The same program (adds, reserves, allocations, two doublings of each array)
 * with persistent fault injection after N successes, N = 0, 1, 2, ... until
 * no injection hits. Expect every step to return 0 or -ENOMEM, a failed step
 * to leave both types exactly as before, only BUG reports (a doubling rolled
 * back), mm_verify() == 0 throughout, and no leak.
 */
static void memblock_fault_sweep_check(void)
{
	for (uint32_t n = 0; n < 200; n++) {
		struct mm_machine *m = mk(4);
		struct snap before, after;
		int failed = 0;

		mm_memblock_allow_resize(m);
		mm_fault_inject_set(m, true, n, 0);
		for (int i = 0; i < 23; i++) {
			int ret;

			take(m, &before);
			ret = sweep_step(m, i);
			take(m, &after);
			ASSERT_TRUE(ret == 0 || ret == -ENOMEM);
			if (ret) {
				failed++;
				ASSERT_TRUE(same(&before, &after));
			}
			ASSERT_EQ(mm_verify(m), 0);
		}
		ASSERT_EQ(mm_report_count(m), mm_report_count_kind(m, MM_REPORT_BUG));
		if (mm_fault_inject_hits(m) == 0) {
			ASSERT_EQ(failed, 0);
			/* the fault-free run doubled both arrays at least once */
			ASSERT_TRUE(mem(m)->max > 4 && rsv(m)->max > 4);
			ASSERT_TRUE(n > 4);
			mm_machine_destroy(m);
			return;
		}
		mm_machine_destroy(m);
	}
	ASSERT_TRUE(!"sweep did not converge");
}

/* ===================================================================== */

static void run_all(void)
{
	RUN(memblock_empty_check);
	RUN(memblock_add_simple_check);
	RUN(memblock_add_overlap_top_check);
	RUN(memblock_add_overlap_bottom_check);
	RUN(memblock_add_within_check);
	RUN(memblock_add_twice_check);
	RUN(memblock_add_between_check);
	RUN(memblock_add_near_max_check);
	RUN(memblock_add_zero_check);
	RUN(memblock_add_node_mismatch_check);
	RUN(memblock_reserve_simple_check);
	RUN(memblock_reserve_span_check);
	RUN(memblock_reserve_overlap_twice_check);
	RUN(memblock_remove_head_check);
	RUN(memblock_remove_middle_check);
	RUN(memblock_remove_all_check);
	RUN(memblock_remove_absent_check);
	RUN(memblock_free_span_check);
	RUN(memblock_mark_clear_nomap_check);
	RUN(memblock_set_node_check);
	RUN(memblock_trim_check);
	RUN(memblock_enforce_limit_check);
	RUN(memblock_bad_flags_check);
	RUN(memblock_bad_nid_check);
	RUN(memblock_bad_trim_check);
	RUN(memblock_bad_nid_alloc_check);
	RUN(memblock_null_out_check);
	RUN(memblock_zero_size_check);
	RUN(memblock_bad_align_check);
	RUN(memblock_double_refused_check);
	RUN(memblock_double_bug_check);
	RUN(memblock_double_nested_check);
	RUN(memblock_fault_sweep_check);
	RUN(memblock_null_machine_check);
}

static void run_alloc(void)
{
	RUN(memblock_alloc_simple_check);
	RUN(memblock_alloc_gaps_check);
	RUN(memblock_alloc_align_check);
	RUN(memblock_alloc_min_max_check);
	RUN(memblock_alloc_exact_nid_check);
	RUN(memblock_alloc_no_space_check);
	RUN(memblock_alloc_first_page_check);
	RUN(memblock_alloc_nomap_check);
	RUN(memblock_mark_mirror_off_check);
	RUN(memblock_mark_mirror_on_check);
	RUN(memblock_alloc_mirror_check, false);
	RUN(memblock_alloc_mirror_check, true);
	RUN(memblock_mark_mirror_noroom_check, false);
	RUN(memblock_mark_mirror_noroom_check, true);
	RUN(memblock_alloc_limit_check);
	RUN(memblock_alloc_zeroing_check);
	RUN(memblock_alloc_fault_check);
	RUN(memblock_zero_align_check);
	RUN(memblock_max_numnodes_check);
	RUN(memblock_double_memory_check);
	RUN(memblock_double_reserved_check);
	RUN(memblock_double_mirror_check);
	RUN(memblock_double_reserved_large_check);
}

int main(void)
{
	for (int cnt0 = 0; cnt0 < 2; cnt0++) {
		g_cnt0 = cnt0;
		g_bottom_up = false;
		run_all();
		for (int bu = 0; bu < 2; bu++) {
			g_bottom_up = bu;
			run_alloc();
		}
	}
	return check_summary("memblock");
}
