/* label: scenario */
/*
 * bootmem scenarios (mm/bootmem.c of 2.6.29, with the physical alignment of
 * align_idx): rounding, EXCLUSIVE, the search (alignment, goal, limit, hint,
 * sub-page packing, node order, _low, _node) and the hand-offs to the buddy
 * allocator (free_all_bootmem, memblock_free_all, the highmem step). Every
 * expectation is computed by hand from docs/bootmem.md. Pictures: one
 * character per page, '#' reserved, '.' free, 'B' the bitmap's page.
 * Bootmem-only scenarios run under the x86-32 and PAE profiles.
 */
#include <errno.h>

#include "check.h"
#include "profile.h"
#include "mmsim/mmsim.h"

#define PG 4096ull

static struct mm_machine *mk(enum mm_era era, uint32_t profile, uint64_t lowmem)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, era);
	cfg.profile = profile;
	cfg.lowmem_limit = lowmem;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/* One bootmem node [s, e) with its bitmap at pfn map; every page freed
 * (pages [free_s, free_e)) and the bitmap page reserved again. */
static int bm_node(struct mm_machine *m, int nid, uint64_t s, uint64_t e, uint64_t map)
{
	int ret = mm_init_bootmem_node(m, nid, map, s, e, NULL);
	if (ret)
		return ret;
	ret = mm_free_bootmem(m, s * PG, (e - s) * PG);
	if (ret)
		return ret;
	if (map >= s && map < e)
		ret = mm_reserve_bootmem(m, map * PG, PG, MM_BOOTMEM_DEFAULT);
	return ret;
}

static bool rsv(struct mm_machine *m, uint64_t pfn)
{
	bool r = false;
	if (mm_bootmem_page_reserved(m, pfn, &r))
		return false;
	return r;
}

static uint64_t hint(struct mm_machine *m, int nid)
{
	struct mm_bootmem_node_info bi;
	if (mm_bootmem_node_info(m, nid, &bi))
		return ~0ull;
	return bi.hint_idx;
}

/* ---- rounding and reservation ---------------------------------------- */

/*
 *   0    1    2    3    4    5
 *   |####|##..|....|....|..##|####
 *        free_bootmem(0x1800, 0x3000) = [0x1800, 0x4800)
 * Expect only pages 2 and 3 freed: partial pages 1 and 4 stay reserved.
 */
/*
 *   node 1 [5, 75): frees [10, 40) and [41, 70), reserves 50; bitmap at 1
 * Expect mm_bootmem_reserved_map to give each page's bit as
 * mm_bootmem_page_reserved does (whole node and a prefix), and to refuse an
 * unknown node, a count past the node, and any call after the hand-off.
 */
static void reserved_map_matches(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	uint8_t map[70];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 1, 0, 80), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 1, 5, 75, NULL), 0);
	ASSERT_EQ(mm_free_bootmem(m, 10 * PG, 30 * PG), 0);
	ASSERT_EQ(mm_free_bootmem(m, 41 * PG, 29 * PG), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 50 * PG, PG, MM_BOOTMEM_DEFAULT), 0);
	for (uint64_t nr = 70; nr; nr = nr == 70 ? 33 : 0) {
		ASSERT_EQ(mm_bootmem_reserved_map(m, 1, map, nr), 0);
		for (uint64_t i = 0; i < nr; i++)
			ASSERT_EQ(map[i], rsv(m, 5 + i));
	}
	ASSERT_EQ(mm_bootmem_reserved_map(m, 0, map, 1), -ENOENT);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 1, map, 71), -EINVAL);
	ASSERT_EQ(mm_free_all_bootmem(m, NULL), 0);
	ASSERT_EQ(mm_bootmem_reserved_map(m, 1, map, 1), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static void free_rounds_inward(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 60, 0, 64, NULL), 0);
	ASSERT_EQ(mm_free_bootmem(m, 0x1800, 0x3000), 0);
	ASSERT_TRUE(rsv(m, 1));
	ASSERT_TRUE(!rsv(m, 2));
	ASSERT_TRUE(!rsv(m, 3));
	ASSERT_TRUE(rsv(m, 4));
	/* a sub-page free rounds to nothing */
	ASSERT_EQ(mm_free_bootmem(m, 0x8100, 0x100), 0);
	ASSERT_TRUE(rsv(m, 8));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   0    1    2    3
 *   |....|..##|##..|....     reserve_bootmem(0x1800, 0x1000) = [0x1800, 0x2800)
 * Expect pages 1 and 2 reserved whole (outward), 0 and 3 free.
 */
static void reserve_rounds_outward(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 0x1800, 0x1000, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_TRUE(!rsv(m, 0));
	ASSERT_TRUE(rsv(m, 1));
	ASSERT_TRUE(rsv(m, 2));
	ASSERT_TRUE(!rsv(m, 3));
	/* size 0 at an unaligned address still reserves its page */
	ASSERT_EQ(mm_reserve_bootmem(m, 0x5010, 0, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_TRUE(rsv(m, 5));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   3    4    5    6    7
 *   |....|....|####|....|     reserve [3, 7) EXCLUSIVE over the reserved page 5
 * Expect -EBUSY, pages 3, 4, 6 still free (undone), no report, the hint
 * lowered to index 3 by the undo; DEFAULT over page 5 is silently accepted.
 */
static void reserve_exclusive_busy(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, 10 * PG, PG, 0, &a), 0); /* hint -> 10 */
	ASSERT_EQ(a, 0);
	ASSERT_EQ(mm_free_bootmem(m, 0, 10 * PG), 0);           /* hint -> 0 */
	ASSERT_EQ(mm_alloc_bootmem(m, 10 * PG, PG, 0, &a), 0);  /* hint -> 10 */
	ASSERT_EQ(mm_free_bootmem(m, 3 * PG, 7 * PG), 0);        /* hint -> 3, [3,10) free */
	ASSERT_EQ(mm_alloc_bootmem(m, 1, 1, 60 * PG, &a), 0);    /* goal pfn 60 */
	ASSERT_EQ(a, 60 * PG);
	ASSERT_EQ(hint(m, 0), 61);
	ASSERT_EQ(mm_reserve_bootmem(m, 5 * PG, PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 3 * PG, 4 * PG, MM_BOOTMEM_EXCLUSIVE), -EBUSY);
	ASSERT_TRUE(!rsv(m, 3));
	ASSERT_TRUE(!rsv(m, 4));
	ASSERT_TRUE(rsv(m, 5));
	ASSERT_TRUE(!rsv(m, 6));
	ASSERT_EQ(hint(m, 0), 3);
	ASSERT_EQ(mm_reserve_bootmem(m, 3 * PG, 4 * PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_TRUE(rsv(m, 3) && rsv(m, 6));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* ---- allocation ------------------------------------------------------- */

/*
 *   node [3, 67), bitmap at 66; a = 100 bytes at 0x3000 (align 16)
 *   b = 6 pages + 0x100, align 16: 2.6.29 merges it into a's page, at
 *   ALIGN(last_end_off, 16) = 0x3070, through [0x3070, 0x9170)
 * alloc_bootmem zeroes what it returns, and only that: bytes written
 * beyond a in its page (0x3f00, 0x3ff0) read 0 afterwards, a's own bytes
 * keep their value, every byte of b reads 0. (Zeroing a range that starts
 * inside a backed page and covers more whole pages than are backed takes
 * phys.c's table-walk path, whose partial first page this pins.)
 */
static void alloc_zeroes_only_its_bytes(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a, b;
	static uint8_t buf[6 * PG + 0x100];
	uint8_t pat[100], ff = 0xff;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 3, 67, 66), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, 100, 16, 0, &a), 0);
	ASSERT_EQ(a, 0x3000);
	memset(pat, 0xaa, sizeof(pat));
	ASSERT_EQ(mm_phys_write(m, a, pat, sizeof(pat)), 0);
	ASSERT_EQ(mm_phys_write(m, 0x3f00, &ff, 1), 0);
	ASSERT_EQ(mm_phys_write(m, 0x3ff0, &ff, 1), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, 6 * PG + 0x100, 16, 0, &b), 0);
	ASSERT_EQ(b, 0x3070);
	ASSERT_EQ(mm_phys_read(m, b, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(buf[i], 0);
	ASSERT_EQ(mm_phys_read(m, a, buf, 100), 0);
	ASSERT_EQ(memcmp(buf, pat, 100), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node [3, 67): pfn 3 is index 0
 *   3    4    5    6    7    8
 *   |....|....|....|....|....|
 *        ^ first pfn with pfn % 4 == 0
 * Expect a 16 KiB-aligned page at pfn 4 (0x4000): alignment is physical,
 * not relative to the node start; then pfn 8 (hint at 5, next aligned 8).
 */
static void alloc_alignment_physical(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 3, 67, 66), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, 4 * PG, 0, &a), 0);
	ASSERT_EQ(a, 0x4000);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, 4 * PG, 0, &a), 0);
	ASSERT_EQ(a, 0x8000);
	/* sub-page alignment: step 1, the next free page after the hint */
	ASSERT_EQ(mm_alloc_bootmem(m, PG, 64, 0, &a), 0);
	ASSERT_EQ(a, 0x9000);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   0        128        256
 *   |........|##########|      goal 0x80000 (pfn 128): nothing free there
 * Expect the goal dropped: the retry with goal 0 returns pfn 0. A goal
 * inside free memory is honoured (pfn 100), one beyond every node too is
 * dropped.
 */
static void alloc_goal_and_retry(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 256, 255), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 128 * PG, 128 * PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 128 * PG, &a), 0);
	ASSERT_EQ(a, 0);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 100 * PG, &a), 0);
	ASSERT_EQ(a, 100 * PG);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 1ull << 30, &a), 0);
	/* goal dropped; the hint (101) is beyond the window start (0) */
	ASSERT_EQ(a, 101 * PG);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   0              15   16
 *   |##############|....|....     limit 0x10000 (pfn 16)
 * Expect the only page below the limit (pfn 15), then -ENOMEM from the
 * nopanic variant (no report) and an OOM report from the panicking one.
 */
static void alloc_limit(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 0, 15 * PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_alloc_bootmem_limit(m, PG, PG, 0, 0x10000, true, &a), 0);
	ASSERT_EQ(a, 15 * PG);
	ASSERT_EQ(mm_alloc_bootmem_limit(m, PG, PG, 0, 0x10000, true, &a), -ENOMEM);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_alloc_bootmem_limit(m, PG, PG, 0, 0x10000, false, &a), -ENOMEM);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_OOM), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   0    5        10   11   12
 *   |....|....|...|####|....|   goal pfn 10 taken first: hint = 11
 * Expect a goal of pfn 5 searched from the hint (pfn 11), not from 5; once
 * everything from the hint up is reserved, the fallback pass from the window
 * start gives pfn 5; a free below the hint lowers it.
 */
static void alloc_hint(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 10 * PG, &a), 0);
	ASSERT_EQ(a, 10 * PG);
	ASSERT_EQ(hint(m, 0), 11);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 5 * PG, &a), 0);
	ASSERT_EQ(a, 11 * PG);
	ASSERT_EQ(mm_reserve_bootmem(m, 12 * PG, 52 * PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 5 * PG, &a), 0);
	ASSERT_EQ(a, 5 * PG);
	ASSERT_EQ(hint(m, 0), 6);
	ASSERT_EQ(mm_free_bootmem(m, 11 * PG, PG), 0);
	ASSERT_EQ(hint(m, 0), 6);
	ASSERT_EQ(mm_free_bootmem(m, 5 * PG, PG), 0);
	ASSERT_EQ(hint(m, 0), 5);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 0, &a), 0);
	ASSERT_EQ(a, 5 * PG);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   page 0: [0, 100) A | [112, 312) B | [312, 4312) C spills into page 1
 * Expect B packed into page 0 at align(100, 16) = 0x70 without reserving a
 * new page, C at 0x138 reserving page 1, and the bytes of A kept while B and
 * C read as zeros.
 */
static void alloc_subpage_packing(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	uint8_t buf[64], junk[64];
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	memset(junk, 0x5a, sizeof(junk));
	ASSERT_EQ(mm_phys_write(m, 0x60, junk, sizeof(junk)), 0); /* 0x60..0x9f */
	ASSERT_EQ(mm_alloc_bootmem(m, 100, 8, 0, &a), 0);
	ASSERT_EQ(a, 0);
	ASSERT_EQ(mm_phys_write(m, 0x60, junk, 4), 0);            /* A's bytes 0x60.. */
	ASSERT_EQ(mm_alloc_bootmem(m, 200, 16, 0, &a), 0);
	ASSERT_EQ(a, 0x70);
	ASSERT_TRUE(!rsv(m, 1));
	ASSERT_EQ(mm_alloc_bootmem(m, 4000, 4, 0, &a), 0);
	ASSERT_EQ(a, 0x138);
	ASSERT_TRUE(rsv(m, 1));
	ASSERT_EQ(mm_phys_read(m, 0x60, buf, 4), 0);
	ASSERT_EQ(buf[0], 0x5a);
	ASSERT_EQ(mm_phys_read(m, 0x70, buf, 48), 0);
	for (int i = 0; i < 48; i++)
		ASSERT_EQ(buf[i], 0);
	/* page-aligned request: no packing, the next free page (2) */
	ASSERT_EQ(mm_alloc_bootmem(m, 10, PG, 0, &a), 0);
	ASSERT_EQ(a, 2 * PG);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node 0 [0, 64) full     node 1 [64, 128)
 *   |################|      |.......B|
 * Expect the nodes tried in address order (node 1 serves when node 0 is
 * full), _node serving from its node first, and falling back to any node.
 */
static void alloc_nodes_in_order(uint32_t profile)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, profile, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	/* nid 1 is the lower node: order is by address, not by nid */
	ASSERT_EQ(bm_node(m, 1, 0, 64, 63), 0);
	ASSERT_EQ(bm_node(m, 0, 64, 128, 127), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 0, &a), 0);
	ASSERT_EQ(a, 0);
	ASSERT_EQ(mm_alloc_bootmem_node(m, 0, PG, PG, 0, &a), 0);
	ASSERT_EQ(a, 64 * PG);
	ASSERT_EQ(mm_reserve_bootmem(m, 0, 64 * PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, 2 * PG, PG, 0, &a), 0);
	ASSERT_EQ(a, 65 * PG);
	ASSERT_EQ(mm_alloc_bootmem_node(m, 1, PG, PG, 0, &a), 0);
	ASSERT_EQ(a, 67 * PG);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   PAE, lowmem 8 GiB, node [0xffff0, 0x100010) around 4 GiB
 *   0xffff0 .. 0xffffe reserved | 0xfffff free | 0x100000.. free
 * Expect _low (limit 0xffffffff, so pfn limit 0xfffff exclusive) to find
 * nothing and report OOM, while the plain allocation takes pfn 0xfffff.
 */
static void alloc_low(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_PAE, 8ull << 30);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0xffff0, 0x100010, 0xffff0), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 0xffff0 * PG, 15 * PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_alloc_bootmem_low(m, PG, PG, 0, &a), -ENOMEM);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_OOM), 1);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 0, &a), 0);
	ASSERT_EQ(a, 0xfffffull * PG);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* ---- hand-offs -------------------------------------------------------- */

static uint64_t nr_free_in(struct mm_machine *m, uint64_t s, uint64_t e)
{
	uint64_t n = 0;
	for (uint64_t p = s; p < e; p++) {
		struct mm_page_info pi;
		if (!mm_page_info(m, p, &pi) && (pi.flags & MM_PAGE_FREE))
			n++;
	}
	return n;
}

static bool page_free(struct mm_machine *m, uint64_t pfn)
{
	struct mm_page_info pi;
	return !mm_page_info(m, pfn, &pi) && (pi.flags & MM_PAGE_FREE);
}

/*
 *   word 0 [0,32)    word 1 [32,64)  word 2 [64,96)  word 3 [96,100)
 *   #...............  ..............  ..............  B...
 * Expect the clear run [1, 99) as maximal aligned blocks (where 2.6.29
 * frees bits one by one and whole words as order-5 blocks, to the same free
 * lists), then the bitmap page: 99 released, only pfn 0 left reserved.
 */
static void free_all_bootmem_aligned(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 0, 0, 100);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 100, 96), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 0, PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(n, 99);
	ASSERT_EQ(mm_nr_free_pages(m), 99);
	ASSERT_EQ(nr_free_in(m, 0, 100), 99);
	ASSERT_TRUE(!page_free(m, 0));
	ASSERT_TRUE(page_free(m, 96));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   MAX_ORDER 3: blocks of order 2 at most
 *   |#...............|................|B...
 * Expect the same 67 pages released (31 + 32 + 3 + bitmap), none merged
 * beyond order 2 in the zone.
 */
static void free_all_bootmem_small_max_order(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_zone_info zi;
	uint64_t n = 0;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.max_order = 3;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0, 68), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(bm_node(m, 0, 0, 68, 64), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 0, PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(n, 67);
	ASSERT_EQ(mm_nr_free_pages(m), 67);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_DMA, &zi), 0);
	ASSERT_EQ(zi.nr_free[3], 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node [3, 67): words start at 3, 35; 35 + 32 = 67 is not < 67
 *   ...B (pfn 66 bitmap, reserved), pfn 10 reserved
 * Expect every clear page released (62 pages), then the bitmap page: 63,
 * pfn 10 still reserved.
 */
static void free_all_bootmem_unaligned(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 0, 0, 67);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 3, 67, 66), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 10 * PG, PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(n, 63);
	ASSERT_EQ(mm_nr_free_pages(m), 63);
	ASSERT_TRUE(!page_free(m, 10));
	ASSERT_TRUE(!page_free(m, 2));
	ASSERT_TRUE(page_free(m, 66));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   node [0, 64), bitmap at pfn 63 left FREE by the arch
 * Expect the hand-off refused whole (the bitmap page would be released
 * twice): -EINVAL, one BUG report, nothing free in the buddy allocator, and
 * bootmem still alive; after reserving it, 64 pages released (63 + bitmap).
 */
static void free_all_bootmem_bitmap_free_refused(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 0, 0, 64);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 63, 0, 64, NULL), 0);
	ASSERT_EQ(mm_free_bootmem(m, 0, 64 * PG), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_nr_free_pages(m), 0);
	ASSERT_TRUE(!mm_bootmem_handed_off(m));
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 63 * PG, PG, MM_BOOTMEM_DEFAULT), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(n, 64);
	ASSERT_EQ(mm_nr_free_pages(m), 64);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   memblock memory [0, 4 MiB), reserved [0, 0x1000) and [0x5000, 0x6000)
 *   pfn: 1 | 2 3 | 4 | 6 7 | 8..15 | 16..31 | ... | 512..1023
 * Expect 1022 pages released as maximal aligned blocks: in the zone, 2
 * order-0 blocks, 2 order-1, and one each of orders 3..9.
 */
static void memblock_free_all_blocks(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_MODERN, 0, 0, 1024);
	struct mm_zone_info zi;
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_memblock_add(m, 0, 4ull << 20), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0, PG), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 5 * PG, PG), 0);
	ASSERT_EQ(mm_memblock_free_all(m, &n), 0);
	ASSERT_EQ(n, 1022);
	ASSERT_EQ(mm_nr_free_pages(m), 1022);
	ASSERT_EQ(mm_zone_info(m, 0, MM_ZONE_DMA, &zi), 0);
	ASSERT_EQ(zi.nr_free[0], 2);
	ASSERT_EQ(zi.nr_free[1], 2);
	ASSERT_EQ(zi.nr_free[2], 0);
	for (int o = 3; o <= 9; o++)
		ASSERT_EQ(zi.nr_free[o], 1);
	ASSERT_EQ(zi.nr_free[10], 0);
	ASSERT_TRUE(!page_free(m, 0) && !page_free(m, 5));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   memblock memory [0x800, 0x3800) (partial pages at both ends), lowmem 8 KiB
 *   pfn 0 partial | pfn 1 whole, lowmem | pfn 2 highmem | pfn 3 partial
 * Expect only pfn 1 released by memblock_free_all (trimmed to whole pages,
 * clipped to max_low_pfn), pfn 2 by the highmem step.
 */
static void memblock_free_all_trim_and_highmem(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_MODERN, 2 * PG, 0, 8);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_memblock_add(m, 0x800, 0x3000), 0);
	ASSERT_EQ(mm_memblock_free_all(m, &n), 0);
	ASSERT_EQ(n, 1);
	ASSERT_TRUE(page_free(m, 1));
	ASSERT_EQ(mm_free_highpages(m, &n), 0);
	ASSERT_EQ(n, 1);
	ASSERT_TRUE(page_free(m, 2));
	ASSERT_TRUE(!page_free(m, 0) && !page_free(m, 3));
	ASSERT_EQ(mm_nr_free_pages(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* The 2.6.29 boot of highmem_2629 up to the hand-off: e820 RAM [0, 4 MiB),
 * early_res INITRD [0x300000, 0x301800) and BOOTMAP (pfn 256), bootmem node
 * [0, 512) with its bitmap at 256, all freed, early_res carried over. */
static int boot_2629_highmem(struct mm_machine *m)
{
	const struct mm_e820_entry map[2] = { { 0, 4ull << 20, MM_E820_RAM },
					      { 0xfec00000, 0x1000, MM_E820_RESERVED } };
	int ret = mm_e820_import(m, map, 2);
	ret = ret ? ret : mm_reserve_early(m, 0x300000, 0x301800, "INITRD");
	ret = ret ? ret : mm_reserve_early(m, 0x100000, 0x101000, "BOOTMAP");
	ret = ret ? ret : mm_init_bootmem_node(m, 0, 256, 0, 512, NULL);
	ret = ret ? ret : mm_free_bootmem(m, 0, 512 * PG);
	return ret ? ret : mm_early_res_to_bootmem(m);
}

/*
 *   2.6.29, lowmem 2 MiB (pfn 512), node [0, 1024), e820 RAM [0, 4 MiB)
 *   early_res [0x300000, 0x301800) -> pfns 768, 769 reserved
 * Expect free_all_bootmem to hand over lowmem only and the highmem step to
 * release pfns 512..1023 except 768 and 769: 510 pages.
 */
static void highmem_2629(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 2ull << 20, 0, 1024);
	uint64_t n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(boot_2629_highmem(m), 0);
	ASSERT_TRUE(rsv(m, 0) && rsv(m, 256) && !rsv(m, 1));
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(n, 511); /* 510 clear pages + the bitmap page 256 */
	ASSERT_EQ(mm_free_highpages(m, &n), 0);
	ASSERT_EQ(n, 510);
	ASSERT_TRUE(!page_free(m, 768) && !page_free(m, 769) && page_free(m, 770));
	ASSERT_EQ(mm_nr_free_pages(m), 1021);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   as highmem_2629, but before the highmem step the arch has handed pfn 900
 *   to the buddy allocator itself, and pfn 800 too, which is then allocated
 * Expect the step to skip both (neither is a reserved page any more: one is
 * free, one allocated) without a report and release the other 508 pages,
 * page by page around them, as maximal blocks between.
 */
static void highmem_skips_handed_pages(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 2ull << 20, 0, 1024);
	uint64_t n = 0;
	mm_pfn_t got = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(boot_2629_highmem(m), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 900, 0), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 800, 0), 0);
	ASSERT_EQ(mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &got), 0);
	ASSERT_EQ(got, 800); /* the order-0 list's head: the last page freed */
	ASSERT_EQ(mm_free_highpages(m, &n), 0);
	ASSERT_EQ(n, 508);
	ASSERT_TRUE(page_free(m, 799) && page_free(m, 801) && page_free(m, 900));
	ASSERT_TRUE(!page_free(m, 800) && !page_free(m, 768) && !page_free(m, 769));
	ASSERT_EQ(mm_nr_free_pages(m), 511 + 1 + 508);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   early_res [0x1800, 0x2800) and [0x3f000, 0x41000) across the node end
 * Expect early_res_to_bootmem to reserve pfns 1, 2 and 63 (outward,
 * clipped to the node [0, 64)), nothing else.
 */
static void early_res_carry_over(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 64), 0);
	ASSERT_EQ(mm_reserve_early(m, 0x1800, 0x2800, "A"), 0);
	ASSERT_EQ(mm_reserve_early(m, 0x3f000, 0x41000, "B"), 0);
	ASSERT_TRUE(!rsv(m, 0));
	ASSERT_EQ(mm_early_res_to_bootmem(m), 0);
	ASSERT_TRUE(rsv(m, 0)); /* the preset BIOS page */
	ASSERT_TRUE(rsv(m, 1) && rsv(m, 2) && !rsv(m, 3));
	ASSERT_TRUE(!rsv(m, 62) && rsv(m, 63));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* ---- misuse: exactly one report each, machine still consistent -------- */

static void expect_one(struct mm_machine *m, enum mm_report_kind kind)
{
	ASSERT_EQ(mm_report_count_kind(m, kind), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
}

/* Expect freeing a free page refused: -EINVAL, DOUBLE_FREE, nothing cleared. */
static void neg_double_free(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 63, 0, 64, NULL), 0);
	ASSERT_EQ(mm_free_bootmem(m, 4 * PG, PG), 0);
	ASSERT_EQ(mm_free_bootmem(m, 0, 8 * PG), -EINVAL);
	ASSERT_TRUE(rsv(m, 0) && rsv(m, 7));
	expect_one(m, MM_REPORT_DOUBLE_FREE);
	ASSERT_EQ(mm_last_report(m)->addr, 4 * PG);
	mm_machine_destroy(m);
}

/* Expect a range outside every node (or across a gap) refused with BUG. */
static void neg_outside_nodes(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(bm_node(m, 1, 65, 128, 127), 0);
	ASSERT_EQ(mm_reserve_bootmem(m, 60 * PG, 8 * PG, MM_BOOTMEM_DEFAULT), -EINVAL);
	ASSERT_TRUE(!rsv(m, 60));
	expect_one(m, MM_REPORT_BUG);
	ASSERT_EQ(mm_reserve_bootmem(m, 1ull << 32, PG, MM_BOOTMEM_DEFAULT), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 2);
	mm_machine_destroy(m);
}

/* Expect size 0, align 3, align 0 and goal + size > limit each one BUG. */
static void neg_alloc_args(void)
{
	static const uint64_t args[][4] = {
		{ 0, PG, 0, 0 }, { PG, 3, 0, 0 }, { PG, 0, 0, 0 }, { 2 * PG, PG, 0x10000, 0x11000 },
	};
	for (unsigned i = 0; i < 4; i++) {
		struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
		mm_phys_addr_t a = 0;
		ASSERT_TRUE(m);
		ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
		ASSERT_EQ(mm_alloc_bootmem_limit(m, args[i][0], args[i][1], args[i][2], args[i][3],
						 true, &a),
			  -EINVAL);
		expect_one(m, MM_REPORT_BUG);
		mm_machine_destroy(m);
	}
}

/* Expect __alloc_bootmem failing to report OOM once; _nopanic silently. */
static void neg_oom(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_alloc_bootmem_nopanic(m, 64 * PG, PG, 0, &a), -ENOMEM);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_alloc_bootmem(m, 64 * PG, PG, 0, &a), -ENOMEM);
	expect_one(m, MM_REPORT_OOM);
	mm_machine_destroy(m);
}

/* Expect every bootmem call after the hand-off refused with AFTER_HANDOFF. */
static void neg_after_handoff(void)
{
	struct mm_machine *m = mk_buddy(MM_ERA_2_6_29, 0, 0, 64);
	mm_phys_addr_t a;
	uint64_t n;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), 0);
	ASSERT_EQ(n, 64);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 0, &a), -EINVAL);
	expect_one(m, MM_REPORT_AFTER_HANDOFF);
	ASSERT_EQ(mm_free_bootmem(m, 0, PG), -EINVAL);
	ASSERT_EQ(mm_reserve_bootmem(m, 0, PG, 0), -EINVAL);
	ASSERT_EQ(mm_early_res_to_bootmem(m), -EINVAL);
	ASSERT_EQ(mm_free_all_bootmem(m, &n), -EINVAL);
	ASSERT_EQ(mm_memblock_free_all(m, &n), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 100, 100, 200, NULL), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_AFTER_HANDOFF), 7);
	ASSERT_EQ(mm_report_count(m), 7);
	ASSERT_EQ(mm_nr_free_pages(m), 64);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect a wrapping range, bad flags and an unknown nid: INVALID_ARG each. */
static void neg_invalid_args(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
	mm_phys_addr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
	ASSERT_EQ(mm_free_bootmem(m, ~0ull - 10, 20), -EINVAL);
	expect_one(m, MM_REPORT_INVALID_ARG);
	ASSERT_EQ(mm_reserve_bootmem(m, 0, PG, 2), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem_node(m, 3, PG, PG, 0, &a), -EINVAL);
	ASSERT_EQ(mm_free_bootmem_node(m, -1, 0, PG), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 200, 100, 200, NULL), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem(m, PG, PG, 0, NULL), -EINVAL);
	/* a new node: empty, inverted, past lowmem (896 MiB: pfn 0x38000), or
	 * a bitmap (2 pages for 0x8001 pages) that runs off physical memory */
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x100, 0x200, 0x200, NULL), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x100, 0x300, 0x200, NULL), -EINVAL);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x100, 0x200, 0x38001, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "init_bootmem_node: node 1 span [0x200, 0x38001) empty or beyond lowmem");
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0xfffff, 0x1000, 0x9001, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "init_bootmem_node: bitmap at pfn 0xfffff beyond physical memory");
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 10);
	ASSERT_EQ(mm_report_count(m), 10);
	/* the limits themselves are fine: a node ending at lowmem, a bitmap
	 * ending at the last pfn */
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0xffffe, 0x30000, 0x38000, NULL), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect injected failures to look like no memory, and nothing to change. */
static void fault_injection_sweep(void)
{
	for (uint32_t after = 0; after < 4; after++) {
		struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
		mm_phys_addr_t a;
		int fails = 0;
		ASSERT_TRUE(m);
		ASSERT_EQ(bm_node(m, 0, 0, 64, 63), 0);
		mm_fault_inject_set(m, true, after, 1);
		for (int i = 0; i < 4; i++)
			if (mm_alloc_bootmem_nopanic(m, PG, PG, 0, &a) == -ENOMEM)
				fails++;
			else
				ASSERT_EQ(a, (uint64_t)(i - fails) * PG);
		ASSERT_EQ(fails, 1);
		ASSERT_EQ(mm_report_count(m), 0);
		ASSERT_EQ(mm_verify(m), 0);
		mm_machine_destroy(m);
	}
}

/* A bitmap of exactly one page (32768 pages: 4096 bytes) occupies one page:
 * the next node's bitmap may start right after it. */
static void bitmap_one_page(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29, MM_PROFILE_X86_32, 0);
	uint64_t size = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x9000, 0, 0x8000, &size), 0);
	ASSERT_EQ(size, 4096);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x9001, 0x8000, 0x9000, NULL), 0);
	ASSERT_EQ(mm_init_bootmem_node(m, 2, 0x9001, 0xa000, 0xb000, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "init_bootmem_node: node 2 bitmap overlaps node 1");
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	static const uint32_t profiles[] = { MM_PROFILE_X86_32, MM_PROFILE_X86_PAE };
	for (unsigned p = 0; p < 2; p++) {
		RUN(free_rounds_inward, profiles[p]);
		RUN(reserved_map_matches, profiles[p]);
		RUN(reserve_rounds_outward, profiles[p]);
		RUN(reserve_exclusive_busy, profiles[p]);
		RUN(alloc_alignment_physical, profiles[p]);
		RUN(alloc_zeroes_only_its_bytes, profiles[p]);
		RUN(alloc_goal_and_retry, profiles[p]);
		RUN(alloc_limit, profiles[p]);
		RUN(alloc_hint, profiles[p]);
		RUN(alloc_subpage_packing, profiles[p]);
		RUN(alloc_nodes_in_order, profiles[p]);
	}
	RUN(alloc_low);
	RUN(early_res_carry_over);
	RUN(free_all_bootmem_aligned);
	RUN(free_all_bootmem_unaligned);
	RUN(free_all_bootmem_small_max_order);
	RUN(free_all_bootmem_bitmap_free_refused);
	RUN(memblock_free_all_blocks);
	RUN(memblock_free_all_trim_and_highmem);
	RUN(highmem_2629);
	RUN(highmem_skips_handed_pages);
	RUN(neg_double_free);
	RUN(bitmap_one_page);
	RUN(neg_outside_nodes);
	RUN(neg_alloc_args);
	RUN(neg_oom);
	RUN(neg_after_handoff);
	RUN(neg_invalid_args);
	RUN(fault_injection_sweep);
	return check_summary("bootmem");
}
