/* label: scenario */
/*
 * x86 paging_init: swapper_pg_dir's direct map, the table pages' source and
 * its record, pkmap and fixmap tables, the image's zero page adopted by the
 * fault path, and kernel entries shared by every new address space; ARM's
 * paging_init in the kernel's order (sections, bootmem_init, vectors, pkmap,
 * then the zero page from the boot allocator), and its set-up steps refused
 * (a node already online, bootmem initialised by hand, a bitmap or the
 * kernel's or PHYS_OFFSET's reservation outside the node, memblock's arrays
 * full before it).
 *
 *   0        0x7000             0x9f000   1 MiB     [kernel 1..5 MiB]     64 MiB
 *   | BIOS |  PGTABLE run here  |  ...    |  RAM ... swapper, zero page ... |
 */
#include "check.h"

#include <errno.h>
#include <string.h>

#include "mmsim/mmsim.h"

#define MB(x) ((uint64_t)(x) << 20)
#define KSTART MB(1)
#define KEND MB(5)
#define SWAPPER (MB(4) + 0x2000)
#define ZERO (MB(4) + 0x3000)

static uint32_t profile;

static struct mm_machine *mk(enum mm_era era)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, era);
	cfg.profile = profile;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

static struct mm_paging_init_args args(bool large, uint32_t source)
{
	return (struct mm_paging_init_args){ .kernel_start = KSTART, .kernel_end = KEND,
					     .swapper_pg_dir = SWAPPER, .empty_zero_page = ZERO,
					     .lowmem_end = MB(64), .large_pages = large,
					     .source = source };
}

static uint32_t span_mb(void) { return profile == MM_PROFILE_X86_PAE ? 2 : 4; }

/* Expect (2.6.29): the tables come as one run found by find_e820_area from
 * 0x7000 and recorded as the early reservation "PGTABLE"; without large pages
 * one table per span of the 64 MiB direct map, plus pkmap and fixmap (and
 * PAE's kernel PMD); the direct map translates PAGE_OFFSET + x to x. */
static void early_res_tables(bool large)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29);
	struct mm_paging_init_args a = args(large, MM_PGT_FROM_EARLY_RES);
	struct mm_paging_info pi;
	struct mm_early_res er;
	struct mm_pte_info pte;
	uint32_t want = 2 + (profile == MM_PROFILE_X86_PAE) + (large ? 0 : 64 / span_mb());
	bool found = false;
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, 0x9f000, MM_E820_RAM);
	mm_e820_add(m, MB(1), MB(63), MM_E820_RAM);
	ASSERT_EQ(mm_reserve_early(m, KSTART, KEND, "TEXT DATA BSS"), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(pi.tables, want);
	ASSERT_EQ(pi.pgtable_start, 0x7000);
	ASSERT_EQ(pi.pgtable_end, 0x7000 + (uint64_t)want * 4096);
	for (uint32_t i = 0; i < mm_early_res_count(m); i++) {
		ASSERT_EQ(mm_early_res_get(m, i, &er), 0);
		if (!strcmp(er.name, "PGTABLE")) {
			ASSERT_EQ(er.start, pi.pgtable_start);
			ASSERT_EQ(er.end, pi.pgtable_end);
			found = true;
		}
	}
	ASSERT_TRUE(found);
	ASSERT_EQ(pi.swapper_pg_dir, SWAPPER >> 12);
	ASSERT_EQ(pi.zero_pfn, ZERO >> 12);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + 0x123000, &pte), 0);
	ASSERT_EQ(pte.pfn, 0x123);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + MB(64) - 4096, &pte), 0);
	ASSERT_EQ(pte.pfn, (MB(64) >> 12) - 1);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + MB(64), &pte), -ENOENT);
	ASSERT_EQ(mm_kernel_follow(m, pi.pkmap_base, &pte), -ENOENT);   /* table, no entry yet */
	ASSERT_EQ(mm_kernel_follow(m, pi.fixaddr_start, &pte), -ENOENT);
	ASSERT_EQ(pi.fixaddr_start + ((uint64_t)span_mb() << 20), 0x100000000ull);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EEXIST);
	mm_machine_destroy(m);
}

static void early_res_small(void) { early_res_tables(false); }
static void early_res_large(void) { early_res_tables(true); }

/* Expect (modern): the run comes from memblock below lowmem_end, reserved
 * there (top-down: it ends at the top of RAM below 64 MiB). */
static void memblock_tables(void)
{
	struct mm_machine *m = mk(MM_ERA_MODERN);
	struct mm_paging_init_args a = args(false, MM_PGT_FROM_MEMBLOCK);
	struct mm_paging_info pi;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_memblock_add(m, MB(1), MB(127)), 0);
	ASSERT_EQ(mm_memblock_reserve(m, KSTART, KEND - KSTART), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(pi.pgtable_end, MB(64));
	ASSERT_TRUE(mm_memblock_is_reserved(m, pi.pgtable_start));
	ASSERT_TRUE(mm_memblock_is_reserved(m, pi.pgtable_end - 1));
	mm_machine_destroy(m);
}

/* Expect: bad layouts are refused with one INVALID_ARG report: swapper
 * outside the image, unaligned, the zero page equal to swapper, lowmem past
 * the lowmem limit, the zero page at kernel_end (the image is half-open: that
 * page is past it); with no room the call is -ENOMEM. */
static void neg_args(void)
{
	struct mm_machine *m = mk(MM_ERA_2_6_29);
	struct mm_paging_init_args a = args(false, MM_PGT_FROM_EARLY_RES);
	struct mm_paging_info pi;
	ASSERT_TRUE(m);
	a.swapper_pg_dir = MB(6);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	a = args(false, MM_PGT_FROM_EARLY_RES);
	a.kernel_end += 1;
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	a = args(false, MM_PGT_FROM_EARLY_RES);
	a.empty_zero_page = a.swapper_pg_dir;
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	a = args(false, MM_PGT_FROM_EARLY_RES);
	a.lowmem_end = MB(1024);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 4);
	/* the image is [kernel_start, kernel_end): its end is the first page
	 * past it, so a zero page there is not a page of the image */
	a = args(false, MM_PGT_FROM_EARLY_RES);
	a.empty_zero_page = a.kernel_end;
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 5);
	ASSERT_EQ(mm_last_report(m)->stage, MM_STAGE_PGTABLE);
	ASSERT_EQ(mm_last_report(m)->addr, KSTART);
	/* the image's last page passes the argument check: -ENOMEM (no RAM) */
	a.empty_zero_page = a.kernel_end - MM_PAGE_SIZE;
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -ENOMEM);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 5);
	a = args(false, MM_PGT_FROM_EARLY_RES);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -ENOMEM); /* no e820 RAM at all */
	mm_machine_destroy(m);
}

/* Expect: after the hand-off, mm_fault_init adopts the image's zero page (no
 * page allocated), user read faults map it, and every new pgd shares the
 * kernel's entries (the direct map is reachable from a process's table). */
static void zero_page_adopted(void)
{
	struct mm_machine *m = mk(MM_ERA_MODERN);
	struct mm_paging_init_args a = args(true, MM_PGT_FROM_MEMBLOCK);
	struct mm_paging_info pi;
	struct mm_pte_info pte;
	uint64_t before, at;
	uint32_t id;
	uint8_t b = 1;
	mm_pfn_t z, pgd;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_memblock_add(m, MB(1), MB(127)), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x100, MB(128) >> 12), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	/* hand over [16 MiB, 64 MiB): away from the image and the tables */
	for (uint64_t pfn = 0x1000; pfn < 0x4000; pfn += 1024)
		ASSERT_EQ(mm_free_pages_bootmem(m, pfn, 10), 0);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(before, mm_nr_free_pages(m));
	ASSERT_EQ(mm_zero_page_pfn(m, &z), 0);
	ASSERT_EQ(z, ZERO >> 12);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(mm_do_mmap(m, id, 0, 4096, MM_PROT_READ, 0, &at), 0);
	ASSERT_EQ(mm_user_read(m, id, at, &b, 1), 0);
	ASSERT_EQ(b, 0);
	ASSERT_EQ(mm_follow_page(m, id, at, &pte), 0);
	ASSERT_EQ(pte.pfn, z);
	ASSERT_EQ(mm_mm_pgd(m, id, &pgd), 0);
	{
		uint8_t e[8] = { 0 }, k[8] = { 0 };
		const unsigned esz = profile == MM_PROFILE_X86_PAE ? 8 : 4;
		const uint64_t idx = profile == MM_PROFILE_X86_PAE ? 3 : 768;
		ASSERT_EQ(mm_phys_read(m, (pgd << 12) + idx * esz, e, esz), 0);
		ASSERT_EQ(mm_phys_read(m, (pi.swapper_pg_dir << 12) + idx * esz, k, esz), 0);
		ASSERT_TRUE(!memcmp(e, k, esz));
		ASSERT_NE(e[0], 0);
	}
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_mmput(m, id), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* An ARM machine of era with cfg.lowmem_limit at limit, nothing added yet
 * (NULL if the configuration is refused). */
static struct mm_machine *arm_machine(enum mm_era era, uint64_t limit)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, era);
	cfg.profile = MM_PROFILE_ARM;
	cfg.lowmem_limit = limit;
	return mm_machine_create(&cfg, &m) ? NULL : m;
}

/* ARM, one 64 MiB bank at 0x60000000: swapper_pg_dir at +0x4000, the
 * kernel [+0x8000, +4 MiB).
 *
 *   0x60000000 [reserved: below swapper, swapper][kernel .......][bitmap][vec][l2][pkmap][zero] ...
 */
#define APHYS 0x60000000ull

/* The paging_init arguments of the ARM tests' usual image: swapper_pg_dir at
 * +0x4000 and the kernel [+0x8000, +4 MiB) of a bank at APHYS. */
static struct mm_paging_init_args arm_args(uint32_t source)
{
	return (struct mm_paging_init_args){ .kernel_start = APHYS + 0x8000,
					     .kernel_end = APHYS + MB(4),
					     .swapper_pg_dir = APHYS + 0x4000,
					     .phys_offset = APHYS,
					     .source = source };
}

static struct mm_machine *arm_boot(enum mm_era era, struct mm_paging_info *pi, int *ret)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_paging_init_args a =
		arm_args(era == MM_ERA_MODERN ? MM_PGT_FROM_MEMBLOCK : MM_PGT_FROM_BOOTMEM);
	mm_config_default(&cfg, era);
	cfg.profile = MM_PROFILE_ARM;
	cfg.lowmem_limit = APHYS + MB(64);
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_meminfo_add(m, APHYS, MB(64), 0)) {
		mm_machine_destroy(m);
		return NULL;
	}
	*ret = mm_paging_init(m, &a, pi);
	return m;
}

/* Expect (2.6.29): bootmem_init reserves [PHYS_OFFSET, swapper + 16 KiB) and
 * the kernel, puts the one-page bitmap right after the kernel; then the
 * vectors page, its second-level table, the pkmap table and the zero page
 * are the next low pages, in that order; the lowmem is mapped by sections;
 * after free_all_bootmem the fault path adopts the zero page (which 2.6.29's
 * read faults do not map). */
static void arm_2629(void)
{
	struct mm_paging_info pi;
	struct mm_pte_info pte;
	int ret = -1;
	uint64_t count = 0, at;
	uint32_t id;
	uint8_t b = 1;
	mm_pfn_t z;
	struct mm_machine *m = arm_boot(MM_ERA_2_6_29, &pi, &ret);
	ASSERT_TRUE(m);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(pi.pgtable_start, APHYS + MB(4) + 0x1000);      /* vectors */
	ASSERT_EQ(pi.pgtable_end, APHYS + MB(4) + 0x4000);        /* pkmap's end */
	ASSERT_EQ(pi.zero_pfn, (APHYS + MB(4) + 0x4000) >> 12);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + 0x345000, &pte), 0);
	ASSERT_EQ(pte.pfn, (APHYS + 0x345000) >> 12);
	ASSERT_EQ(mm_kernel_follow(m, 0xffff0000ull, &pte), 0);
	ASSERT_EQ(pte.pfn, (APHYS + MB(4) + 0x1000) >> 12);
	ASSERT_EQ(mm_kernel_follow(m, pi.pkmap_base, &pte), -ENOENT);
	ASSERT_EQ(mm_free_all_bootmem(m, &count), 0);
	/* all but the first 4 MiB and the four pages; the bitmap goes too */
	ASSERT_EQ(count, (MB(64) - MB(4) - 0x4000) >> 12);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &z), 0);
	ASSERT_EQ(z, pi.zero_pfn);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(mm_do_mmap(m, id, 0, 4096, MM_PROT_READ, 0, &at), 0);
	ASSERT_EQ(mm_user_read(m, id, at, &b, 1), 0);
	ASSERT_EQ(b, 0);
	ASSERT_EQ(mm_follow_page(m, id, at, &pte), 0);
	ASSERT_NE(pte.pfn, z); /* 2.6.29 read faults do not use the zero page */
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (modern): memblock hands out the pages top-down below the lowmem
 * end: vectors, its table, pkmap, then the zero page just below them. */
static void arm_modern(void)
{
	struct mm_paging_info pi;
	int ret = -1;
	uint64_t count = 0;
	mm_pfn_t z;
	struct mm_machine *m = arm_boot(MM_ERA_MODERN, &pi, &ret);
	ASSERT_TRUE(m);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(pi.pgtable_start, APHYS + MB(64) - 0x1000);
	ASSERT_EQ(pi.zero_pfn, (APHYS + MB(64) - 0x4000) >> 12);
	ASSERT_EQ(mm_memblock_free_all(m, &count), 0);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &z), 0);
	ASSERT_EQ(z, pi.zero_pfn);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a swapper_pg_dir that is not 16 KiB aligned, or overlaps the
 * kernel, is refused with an INVALID_ARG report. */
static void arm_neg(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_paging_init_args a = { .kernel_start = APHYS + 0x8000, .kernel_end = APHYS + MB(4),
					 .swapper_pg_dir = APHYS + 0x5000, .phys_offset = APHYS };
	struct mm_paging_info pi;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_ARM;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	a.swapper_pg_dir = APHYS + 0x8000;
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 2);
	mm_machine_destroy(m);
}

/* Expect: every ARM layout rule refused with one INVALID_ARG report and
 * nothing done (mmu.c's expectations of the boot code): PHYS_OFFSET not
 * page-aligned or not MiB-aligned, swapper_pg_dir not 16 KiB aligned, below
 * PHYS_OFFSET or not ending before the kernel, an empty kernel, an unknown
 * source. A second call after a successful one is -EEXIST, unreported. */
static void arm_layout_rules(void)
{
	const struct mm_paging_init_args good = { .kernel_start = APHYS + 0x8000,
						  .kernel_end = APHYS + MB(4),
						  .swapper_pg_dir = APHYS + 0x4000, .phys_offset = APHYS,
						  .source = MM_PGT_FROM_MEMBLOCK };
	struct mm_paging_init_args bad[8];
	struct mm_machine *m = NULL;
	struct mm_paging_info pi;
	for (int i = 0; i < 8; i++)
		bad[i] = good;
	bad[0].phys_offset = APHYS + 0x800;
	bad[1].phys_offset = APHYS + 0x1000;
	bad[2].swapper_pg_dir = APHYS + 0x5000;
	bad[3].phys_offset = APHYS + MB(1);
	bad[3].kernel_start = APHYS + MB(1) + 0x8000;
	bad[4].swapper_pg_dir = APHYS + 0x8000;
	bad[5].kernel_end = bad[5].kernel_start;
	bad[6].source = 2;
	bad[7].kernel_end = APHYS + MB(4) + 0x10;
	ASSERT_TRUE((m = arm_machine(MM_ERA_MODERN, APHYS + MB(64))));
	ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(mm_paging_init(m, &bad[i], &pi), -EINVAL);
		ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), (uint64_t)i + 1);
		/* refused by the argument check itself, before any stage ran:
		 * the page-table stage's report naming the image's start */
		ASSERT_EQ(mm_report_count(m), (uint64_t)i + 1);
		ASSERT_EQ(mm_last_report(m)->stage, MM_STAGE_PGTABLE);
		ASSERT_EQ(mm_last_report(m)->addr, bad[i].kernel_start);
	}
	ASSERT_EQ(mm_paging_init(m, &good, NULL), -EINVAL);
	ASSERT_EQ(mm_paging_init(m, NULL, &pi), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 8);
	ASSERT_EQ(mm_paging_init(m, &good, &pi), 0);
	ASSERT_EQ(mm_paging_init(m, &good, &pi), -EEXIST);
	ASSERT_EQ(mm_report_count(m), 8);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: the lowmem banks must lie below cfg.lowmem_limit (the zones'
 * NORMAL limit): a bank ending above it is refused with INVALID_ARG from
 * the page-table stage; a second sanity check (paging_init retried) is the
 * meminfo stage's -EINVAL. */
static void arm_lowmem_limit(void)
{
	struct mm_paging_init_args a = arm_args(MM_PGT_FROM_BOOTMEM);
	struct mm_machine *m = NULL;
	struct mm_paging_info pi;
	ASSERT_TRUE((m = arm_machine(MM_ERA_2_6_29, APHYS + MB(32))));
	ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	mm_machine_destroy(m);
}

/* Expect: two nodes, node 1 with a highmem bank only (CONFIG_HIGHMEM, a
 * vmalloc reserve that leaves 64 MiB of lowmem): node 1 gets its zones but
 * no bootmem; the kernel, swapper_pg_dir and the four early pages stay on
 * node 0; the direct map covers node 0's lowmem bank only. */
static void arm_two_nodes_highmem(enum mm_era era)
{
	/* lowmem ends where vmalloc_min starts: VMALLOC_END 0xff000000 minus
	 * the reserve, as a physical address 0x60000000 + 64 MiB */
	const uint64_t reserve = 0xff000000ull - (0xC0000000ull + MB(64));
	struct mm_paging_init_args a =
		arm_args(era == MM_ERA_MODERN ? MM_PGT_FROM_MEMBLOCK : MM_PGT_FROM_BOOTMEM);
	struct mm_machine *m = NULL;
	struct mm_paging_info pi;
	struct mm_pte_info pte;
	struct mm_membank b;
	a.vmalloc_reserve = reserve;
	a.highmem = true;
	ASSERT_TRUE((m = arm_machine(era, APHYS + MB(64))));
	ASSERT_EQ(mm_meminfo_add(m, APHYS + MB(128), MB(32), 1), 0);
	ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(mm_meminfo_get(m, 1, &b), 0);
	ASSERT_EQ(b.start, APHYS + MB(128));
	ASSERT_TRUE(b.highmem);
	ASSERT_EQ(pi.swapper_pg_dir, (APHYS + 0x4000) >> 12);
	ASSERT_LT(pi.zero_pfn, (APHYS + MB(64)) >> 12);
	ASSERT_LE(APHYS >> 12, pi.zero_pfn);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + MB(64) - 0x1000, &pte), 0);
	ASSERT_EQ(pte.pfn, (APHYS + MB(64) - 0x1000) >> 12);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + MB(128), &pte), -ENOENT);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static void arm_two_nodes_highmem_2629(void) { arm_two_nodes_highmem(MM_ERA_2_6_29); }
static void arm_two_nodes_highmem_modern(void) { arm_two_nodes_highmem(MM_ERA_MODERN); }

/* Expect: a node added by hand before ARM paging_init makes paging_init's
 * own node_add refuse (node 0 already online: -EEXIST, one INVALID_ARG
 * report), in 2.6.29's bootmem_init and in modern's node step after
 * memblock_init (docs/fault.md "paging_init": ARM paging_init adds the
 * nodes itself). */
static void arm_node_already_online(enum mm_era era)
{
	struct mm_paging_init_args a =
		arm_args(era == MM_ERA_MODERN ? MM_PGT_FROM_MEMBLOCK : MM_PGT_FROM_BOOTMEM);
	struct mm_machine *m = NULL;
	struct mm_paging_info pi;
	ASSERT_TRUE((m = arm_machine(era, APHYS + MB(64))));
	ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
	ASSERT_EQ(mm_node_add(m, 0, APHYS >> 12, (APHYS + MB(64)) >> 12), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EEXIST);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	mm_machine_destroy(m);
}

static void arm_node_already_online_2629(void) { arm_node_already_online(MM_ERA_2_6_29); }
static void arm_node_already_online_modern(void) { arm_node_already_online(MM_ERA_MODERN); }

/* Expect (2.6.29): node 0 a 64 MiB lowmem bank with the kernel, node 1 a
 * 32 MiB lowmem bank right after it: node 1's bitmap goes at its own
 * start and only node 0 reserves the kernel and swapper_pg_dir; the early
 * pages come from node 0 as in arm_2629. free_all_bootmem releases all of
 * node 1 (its bitmap too) and node 0 but its first 4 MiB and the four
 * pages. */
static void arm_2629_second_lowmem_node(void)
{
	struct mm_paging_init_args a = arm_args(MM_PGT_FROM_BOOTMEM);
	struct mm_machine *m = NULL;
	struct mm_paging_info pi;
	uint64_t count = 0;
	ASSERT_TRUE((m = arm_machine(MM_ERA_2_6_29, APHYS + MB(96))));
	ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
	ASSERT_EQ(mm_meminfo_add(m, APHYS + MB(64), MB(32), 1), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(pi.pgtable_start, APHYS + MB(4) + 0x1000);
	ASSERT_EQ(pi.zero_pfn, (APHYS + MB(4) + 0x4000) >> 12);
	ASSERT_EQ(mm_free_all_bootmem(m, &count), 0);
	ASSERT_EQ(count, ((MB(64) - MB(4) - 0x4000) >> 12) + (MB(32) >> 12));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (2.6.29, CONFIG_HIGHMEM with 64 MiB of lowmem as in
 * arm_two_nodes_highmem): node 0 holds the 64 MiB lowmem bank and a 32 MiB
 * highmem bank; only the lowmem bank is freed to bootmem, so
 * free_all_bootmem releases what arm_2629 does; the highmem bank is
 * mapped by no section. */
static void arm_2629_highmem_bank_on_lowmem_node(void)
{
	const uint64_t reserve = 0xff000000ull - (0xC0000000ull + MB(64));
	struct mm_paging_init_args a = arm_args(MM_PGT_FROM_BOOTMEM);
	struct mm_machine *m = NULL;
	struct mm_paging_info pi;
	struct mm_pte_info pte;
	uint64_t count = 0;
	a.vmalloc_reserve = reserve;
	a.highmem = true;
	ASSERT_TRUE((m = arm_machine(MM_ERA_2_6_29, APHYS + MB(64))));
	ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
	ASSERT_EQ(mm_meminfo_add(m, APHYS + MB(128), MB(32), 0), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull + MB(128), &pte), -ENOENT);
	ASSERT_EQ(mm_free_all_bootmem(m, &count), 0);
	ASSERT_EQ(count, (MB(64) - MB(4) - 0x4000) >> 12);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (modern ARM, memblock.reserved of 128 entries, INIT_MEMBLOCK_
 * REGIONS, and resizing not yet allowed: docs/memblock.md): with 128
 * disjoint reservations made before paging_init, its reservation of the
 * kernel needs a 129th entry and the array cannot double: paging_init is
 * -ENOMEM. With 127, the kernel's fits and the reservation of
 * [PHYS_OFFSET, swapper_pg_dir + 16 KiB), not adjacent to a kernel that
 * starts at +64 KiB, needs the 129th: -ENOMEM too. The four early pages
 * are taken top-down next to each other and end as one region, but each
 * reservation counts its new region before the merge (memblock.md: doubling
 * while cnt + nr_new > max), so each needs one free entry: with 126 or 125
 * an early page's reservation is refused, -ENOMEM (unreported, as in
 * arm_early_page_failures); with 124 everything fits and paging_init
 * succeeds. Likewise 128 memory regions added before paging_init leave no
 * entry for the bank (meminfo_memblock_setup): -ENOMEM. Nothing reported. */
static void arm_modern_reserved_array_full(void)
{
	{
		struct mm_paging_init_args a = arm_args(MM_PGT_FROM_MEMBLOCK);
		struct mm_machine *m = NULL;
		struct mm_paging_info pi;
		a.kernel_start = APHYS + 0x10000; /* not adjacent to swapper_pg_dir's reservation */
		ASSERT_TRUE((m = arm_machine(MM_ERA_MODERN, APHYS + MB(64))));
		ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
		for (unsigned i = 0; i < 128; i++)
			ASSERT_EQ(mm_memblock_add(m, APHYS + MB(128) + i * 0x2000ull, 0x1000), 0);
		ASSERT_EQ(mm_paging_init(m, &a, &pi), -ENOMEM);
		ASSERT_EQ(mm_report_count(m), 0);
		mm_machine_destroy(m);
	}
	for (unsigned pre = 124; pre <= 128; pre++) {
		struct mm_paging_init_args a = arm_args(MM_PGT_FROM_MEMBLOCK);
		struct mm_machine *m = NULL;
		struct mm_paging_info pi;
		a.kernel_start = APHYS + 0x10000; /* not adjacent to swapper_pg_dir's reservation */
		ASSERT_TRUE((m = arm_machine(MM_ERA_MODERN, APHYS + MB(64))));
		ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
		for (unsigned i = 0; i < pre; i++)
			ASSERT_EQ(mm_memblock_reserve(m, APHYS + MB(8) + i * 0x2000ull, 0x1000), 0);
		ASSERT_EQ(mm_paging_init(m, &a, &pi), pre == 124 ? 0 : -ENOMEM);
		ASSERT_EQ(mm_report_count(m), 0);
		mm_machine_destroy(m);
	}
}

/* Expect (2.6.29 ARM bootmem_init, whose set-up calls are refused as
 * they would be by hand): (a) node 0's bootmem already initialised before
 * paging_init: its init_bootmem_node is refused, -EINVAL with one
 * INVALID_ARG report ("already initialised"); (b) one 256 MiB bank with
 * the kernel ending one page before its end: the 8 KiB bitmap placed
 * right after the kernel runs one page past the node, so its reservation
 * is refused, -EINVAL with one BUG report naming pfns [0x6ffff, 0x70001);
 * (c) a 64 MiB bank with the kernel ending exactly at its end: the bitmap
 * goes at the node's start and every lowmem page is then reserved, so the
 * first early page (alloc_bootmem_low_pages) fails: -ENOMEM with its one
 * OOM report; (d) the kernel ending one page past the bank: its
 * reservation is refused, -EINVAL with one BUG report naming pfns
 * [0x60008, 0x64001); (e) the bank starting 1 MiB above PHYS_OFFSET (the
 * image in it): the reservation of [PHYS_OFFSET, swapper_pg_dir + 16 KiB)
 * starts below the node, -EINVAL with one BUG report naming pfns
 * [0x60000, 0x60108); (f) that bank with the image below it, the kernel
 * ending at the bank's start: the bitmap goes at the node's start, and the
 * kernel's reservation, outside the node, is refused: -EINVAL with one BUG
 * report naming pfns [0x60008, 0x60100). */
static void arm_2629_bootmem_refusals(void)
{
	static const char *const want[6] = { "already initialised", "[0x6ffff, 0x70001)", NULL,
					     "[0x60008, 0x64001)", "[0x60000, 0x60108)",
					     "[0x60008, 0x60100)" };
	for (unsigned c = 0; c < 6; c++) {
		const uint64_t sz = c == 1 ? MB(256) : MB(64), bs = c >= 4 ? APHYS + MB(1) : APHYS;
		const uint64_t img = c == 5 ? APHYS : bs; /* where the image starts */
		struct mm_paging_init_args a = { .kernel_start = img + 0x8000,
						 .kernel_end = c == 1 ? bs + sz - 0x1000
							       : c == 2 ? bs + sz
							       : c == 3 ? bs + sz + 0x1000
							       : c == 5 ? bs
									: bs + MB(4),
						 .swapper_pg_dir = img + 0x4000, .phys_offset = APHYS,
						 .source = MM_PGT_FROM_BOOTMEM };
		struct mm_machine *m = NULL;
		struct mm_paging_info pi;
		uint64_t ms = 0;
		ASSERT_TRUE((m = arm_machine(MM_ERA_2_6_29, bs + sz)));
		ASSERT_EQ(mm_meminfo_add(m, bs, sz, 0), 0);
		if (c == 0)
			ASSERT_EQ(mm_init_bootmem_node(m, 0, (APHYS + MB(8)) >> 12, APHYS >> 12,
						       (APHYS + sz) >> 12, &ms), 0);
		ASSERT_EQ(mm_paging_init(m, &a, &pi), c == 2 ? -ENOMEM : -EINVAL);
		ASSERT_EQ(mm_report_count(m), 1);
		ASSERT_EQ(mm_report_count_kind(m, c == 0 ? MM_REPORT_INVALID_ARG
						     : c == 2 ? MM_REPORT_OOM : MM_REPORT_BUG), 1);
		if (want[c])
			ASSERT_TRUE(strstr(mm_last_report(m)->msg, want[c]) != NULL);
		mm_machine_destroy(m);
	}
}

/* Expect: ARM paging_init takes four early pages, in order the vectors
 * page, its second-level table, the pkmap table and the zero page, each a
 * fault-injection point of the era's boot allocator (alloc_bootmem_low,
 * whose failure is also its OOM report; memblock_phys_alloc_range,
 * unreported). Failing allocation k (k = 0..3) makes paging_init -ENOMEM;
 * with the countdown past the fourth it succeeds. */
static void arm_early_page_failures(enum mm_era era)
{
	for (uint32_t k = 0; k <= 4; k++) {
		struct mm_paging_init_args a = { .kernel_start = APHYS + 0x8000,
						 .kernel_end = APHYS + MB(4),
						 .swapper_pg_dir = APHYS + 0x4000, .phys_offset = APHYS,
						 .source = era == MM_ERA_MODERN ? MM_PGT_FROM_MEMBLOCK
										: MM_PGT_FROM_BOOTMEM };
		struct mm_machine *m = NULL;
		struct mm_paging_info pi;
		ASSERT_TRUE((m = arm_machine(era, APHYS + MB(64))));
		ASSERT_EQ(mm_meminfo_add(m, APHYS, MB(64), 0), 0);
		mm_fault_inject_set(m, true, k, 1);
		ASSERT_EQ(mm_paging_init(m, &a, &pi), k < 4 ? -ENOMEM : 0);
		ASSERT_EQ(mm_fault_inject_hits(m), k < 4 ? 1 : 0);
		ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_OOM), k < 4 && era == MM_ERA_2_6_29 ? 1 : 0);
		mm_machine_destroy(m);
	}
}

static void arm_early_page_failures_2629(void) { arm_early_page_failures(MM_ERA_2_6_29); }
static void arm_early_page_failures_modern(void) { arm_early_page_failures(MM_ERA_MODERN); }

/* A direct map that does not fit below the pkmap and fixmap spans of the
 * kernel's top GiB is refused (the kernel caps lowmem at MAXMEM,
 * arch/x86/mm/init_32.c): with cfg.lowmem_limit at 2 GiB and lowmem_end at
 * 2 GiB, -EINVAL with one INVALID_ARG report and nothing mapped. (Before the
 * fix, x86_32 wrote directory entries past swapper_pg_dir's page and PAE's
 * kernel PMD index wrapped.) */
static void direct_map_past_kernel_space(void)
{
	struct mm_machine *m;
	struct mm_config cfg;
	struct mm_paging_init_args a = args(true, MM_PGT_FROM_EARLY_RES);
	struct mm_paging_info pi;
	struct mm_pte_info pte;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = profile;
	cfg.lowmem_limit = 0x80000000ull;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	mm_e820_add(m, MB(1), 0x80000000ull - MB(1), MM_E820_RAM);
	ASSERT_EQ(mm_reserve_early(m, KSTART, KEND, "TEXT DATA BSS"), 0);
	a.lowmem_end = 0x80000000ull;
	ASSERT_EQ(mm_paging_init(m, &a, &pi), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_kernel_follow(m, 0xC0000000ull, &pte), -ENOENT);
	mm_machine_destroy(m);
}

int main(void)
{
	const uint32_t profiles[] = { MM_PROFILE_X86_32, MM_PROFILE_X86_PAE };
	for (size_t i = 0; i < 2; i++) {
		profile = profiles[i];
		printf("profile %s\n", i ? "pae" : "x86_32");
		RUN(early_res_small);
		RUN(early_res_large);
		RUN(memblock_tables);
		RUN(neg_args);
		RUN(zero_page_adopted);
		RUN(direct_map_past_kernel_space);
	}
	RUN(arm_2629);
	RUN(arm_modern);
	RUN(arm_neg);
	RUN(arm_layout_rules);
	RUN(arm_lowmem_limit);
	RUN(arm_two_nodes_highmem_2629);
	RUN(arm_two_nodes_highmem_modern);
	RUN(arm_early_page_failures_2629);
	RUN(arm_early_page_failures_modern);
	RUN(arm_node_already_online_2629);
	RUN(arm_node_already_online_modern);
	RUN(arm_2629_second_lowmem_node);
	RUN(arm_2629_highmem_bank_on_lowmem_node);
	RUN(arm_modern_reserved_array_full);
	RUN(arm_2629_bootmem_refusals);
	return check_summary("test_paging_init");
}
