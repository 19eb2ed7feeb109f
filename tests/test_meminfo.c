/* label: scenario */
/*
 * ARM meminfo scenarios: arm_add_memory rounding, the sort, the highmem
 * split at vmalloc_min with and without CONFIG_HIGHMEM, NR_BANKS overflow,
 * banks dropped below PAGE_OFFSET or past the 32-bit virtual space, the
 * hand-off to memblock, and the misuse reports.
 *
 * Defaults: PAGE_OFFSET 0xC0000000, VMALLOC_END 0xff000000, 128 MiB vmalloc
 * reserve -> vmalloc_min = 0xf7000000 virtual = phys_offset + 0x37000000.
 */
#include <errno.h>

#include "check.h"
#include "mmsim/mmsim.h"

#define MB(x) ((uint64_t)(x) << 20)
#define PHYS 0x80000000ull        /* a typical board's PHYS_OFFSET */
#define VMIN (PHYS + 0x37000000ull) /* vmalloc_min as a physical address */

static struct mm_machine *make(enum mm_era era, uint32_t banks)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;

	mm_config_default(&cfg, era);
	cfg.profile = MM_PROFILE_ARM;
	cfg.meminfo_nr_banks = banks;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

static void bank_is(struct mm_machine *m, uint32_t i, uint64_t start, uint64_t size, bool high,
		    int *bad)
{
	struct mm_membank b;
	*bad = mm_meminfo_get(m, i, &b) || b.start != start || b.size != size || b.highmem != high;
}

/*
 *   given:  |B 0x90000000 +256M|   |A 0x80000000 +256M|
 * Expect sorted A, B; both lowmem; high_memory = end of B.
 */
static void sort_lowmem(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + MB(256), MB(256), 0), 0);
	ASSERT_EQ(mm_meminfo_add(m, PHYS, MB(256), 0), 0);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, true), 0);
	bank_is(m, 0, PHYS, MB(256), false, &bad);
	ASSERT_EQ(bad, 0);
	bank_is(m, 1, PHYS + MB(256), MB(256), false, &bad);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(mm_meminfo_lowmem_end(m), PHYS + MB(512));
	ASSERT_EQ(mm_meminfo_vmalloc_min(m), VMIN);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, true), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |bank 0x80000000 + 1G ........................|
 *                       ^ vmalloc_min (phys + 880M)
 * Expect with HIGHMEM: [phys, +880M) lowmem, [vmin, +1G) highmem, size
 * conserved; without: truncated to the lowmem part with one WARN.
 */
static void split_straddling(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_add(m, PHYS, MB(1024), 0), 0);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, true), 0);
	ASSERT_EQ(mm_meminfo_nr_banks(m), 2);
	bank_is(m, 0, PHYS, VMIN - PHYS, false, &bad);
	ASSERT_EQ(bad, 0);
	bank_is(m, 1, VMIN, PHYS + MB(1024) - VMIN, true, &bad);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(mm_meminfo_lowmem_end(m), VMIN);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);

	m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_add(m, PHYS, MB(1024), 0), 0);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, false), 0);
	ASSERT_EQ(mm_meminfo_nr_banks(m), 1);
	bank_is(m, 0, PHYS, VMIN - PHYS, false, &bad);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_WARN), 1);
	/* the kernel's words: the bank's first and last byte, the new last byte */
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "Truncating RAM at 80000000-bfffffff to -b6ffffff (vmalloc region overlap).");
	ASSERT_EQ(mm_last_report(m)->addr, PHYS);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |bank 0x80000000 + 880M|
 *                          ^ vmalloc_min: the bank's end, not inside it
 * Expect with and without HIGHMEM: the bank kept whole as lowmem, no split
 * (no empty highmem half), no report.
 */
static void ends_at_vmalloc_min(enum mm_era era)
{
	for (int hm = 0; hm < 2; hm++) {
		struct mm_machine *m = make(era, 0);
		int bad;
		ASSERT_TRUE(m);
		ASSERT_EQ(mm_meminfo_add(m, PHYS, VMIN - PHYS, 0), 0);
		ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, hm), 0);
		ASSERT_EQ(mm_meminfo_nr_banks(m), 1);
		bank_is(m, 0, PHYS, VMIN - PHYS, false, &bad);
		ASSERT_EQ(bad, 0);
		ASSERT_EQ(mm_meminfo_lowmem_end(m), VMIN);
		ASSERT_EQ(mm_report_count(m), 0);
		ASSERT_EQ(mm_verify(m), 0);
		mm_machine_destroy(m);
	}
}

/*
 *   2 banks in a table of 2: |A +512M| |B straddling vmalloc_min|
 * Expect no room for the highmem half: "NR_BANKS too low, ignoring high
 * memory" (one TABLE_FULL), B cut at vmalloc_min.
 */
static void split_overflow(enum mm_era era)
{
	struct mm_machine *m = make(era, 2);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_add(m, PHYS, MB(512), 0), 0);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + MB(512), MB(512), 1), 0);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + MB(2048), MB(1), 0), -ENOSPC);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_TABLE_FULL), 1);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, true), 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_TABLE_FULL), 2);
	ASSERT_EQ(mm_meminfo_nr_banks(m), 2);
	bank_is(m, 1, PHYS + MB(512), VMIN - PHYS - MB(512), false, &bad);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |below PHYS_OFFSET| |lowmem| |above vmalloc_min| |past 4G virtual|
 * Expect with HIGHMEM: the first and last dropped (2 WARN), the third
 * highmem; without HIGHMEM the third is dropped too (3 WARN).
 */
static void dropped_banks(enum mm_era era)
{
	for (int hm = 0; hm < 2; hm++) {
		struct mm_machine *m = make(era, 0);
		int bad;
		ASSERT_TRUE(m);
		ASSERT_EQ(mm_meminfo_add(m, PHYS - MB(16), MB(16), 0), 0);
		ASSERT_EQ(mm_meminfo_add(m, PHYS, MB(64), 0), 0);
		ASSERT_EQ(mm_meminfo_add(m, VMIN + MB(16), MB(16), 0), 0);
		ASSERT_EQ(mm_meminfo_add(m, PHYS + MB(1024), MB(16), 0), 0);
		ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, hm != 0), 0);
		ASSERT_EQ(mm_meminfo_nr_banks(m), hm ? 2 : 1);
		ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_WARN), hm ? 2 : 3);
		bank_is(m, 0, PHYS, MB(64), false, &bad);
		ASSERT_EQ(bad, 0);
		if (hm) {
			bank_is(m, 1, VMIN + MB(16), MB(16), true, &bad);
			ASSERT_EQ(bad, 0);
		}
		ASSERT_EQ(mm_verify(m), 0);
		mm_machine_destroy(m);
	}
}

/*
 *   add(0x80000800, 8K+0x800) -> [0x80001000, +8K): start up, size down
 * Expect rounding as arm_add_memory; misuse refused with its report:
 * overlap (OVERLAP), bad node (INVALID_ARG), add after the check
 * (INVALID_ARG); a size that rounds to 0 is a plain -EINVAL.
 */
static void add_rules(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + 0x800, 0x2800, 0), 0);
	bank_is(m, 0, PHYS + 0x1000, 0x2000, false, &bad);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + 0x5800, 0xfff, 0), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + 0x2000, 0x4000, 0), -EBUSY);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_OVERLAP), 1);
	ASSERT_EQ(mm_last_report(m)->addr, PHYS + 0x2000);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "memory bank 0x80002000-0x80005fff overlaps bank 0");
	ASSERT_EQ(mm_meminfo_add(m, PHYS + MB(1), MB(1), 64), -EINVAL);
	ASSERT_EQ(mm_meminfo_add(m, UINT64_MAX - 0xfff, 0x2000, 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 2);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS + 1, 0, true), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 3);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, true), 0);
	ASSERT_EQ(mm_meminfo_add(m, PHYS + MB(1), MB(1), 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 4);
	{
		struct mm_membank b;
		ASSERT_EQ(mm_meminfo_get(m, mm_meminfo_nr_banks(m) - 1, &b), 0);
		ASSERT_EQ(mm_meminfo_get(m, mm_meminfo_nr_banks(m), &b), -EINVAL);
	}
	ASSERT_EQ(mm_report_count(m), 5);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 * vmalloc=8M is raised to 16M: vmalloc_min = 0xfe000000 virtual.
 * Expect vmalloc_min = PHYS + 0x3e000000.
 */
static void vmalloc_clamp(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, MB(8), true), 0);
	ASSERT_EQ(mm_meminfo_vmalloc_min(m), PHYS + 0x3e000000ull);
	ASSERT_EQ(mm_meminfo_lowmem_end(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |node0 0x80000000 +1G| (split)  -> memblock
 * Expect memblock.memory = both halves, total 1G.
 */
static void to_memblock(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_meminfo_add(m, PHYS, MB(1024), 0), 0);
	ASSERT_EQ(mm_meminfo_sanity_check(m, PHYS, 0, true), 0);
	ASSERT_EQ(mm_meminfo_memblock_setup(m), 0);
	ASSERT_EQ(mm_memblock_phys_mem_size(m), MB(1024));
	ASSERT_EQ(mm_memblock_start_of_DRAM(m), PHYS);
	ASSERT_EQ(mm_memblock_end_of_DRAM(m), PHYS + MB(1024));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	for (int era = MM_ERA_2_6_29; era <= MM_ERA_MODERN; era++) {
		RUN(sort_lowmem, era);
		RUN(split_straddling, era);
		RUN(ends_at_vmalloc_min, era);
		RUN(split_overflow, era);
		RUN(dropped_banks, era);
		RUN(add_rules, era);
		RUN(vmalloc_clamp, era);
		RUN(to_memblock, era);
	}
	return check_summary("meminfo");
}
