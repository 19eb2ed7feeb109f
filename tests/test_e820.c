/* label: scenario */
/*
 * e820 scenarios: sanitize (overlaps, type priority, merging, the no-op
 * rules, truncation), range update/remove in both eras, mem=, end_of_ram_pfn,
 * the boot-log print format, import. Each scenario builds a fresh machine;
 * each runs in both eras (the era only changes remove's strictly-inside
 * case, which has its own scenarios).
 */
#include <errno.h>

#include "check.h"
#include "mmsim/mmsim.h"

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)

static struct mm_machine *make(enum mm_era era, uint32_t max)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;

	mm_config_default(&cfg, era);
	cfg.e820_max_entries = max;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/* The working table must be exactly these (addr, size, type) triples. */
#define EXPECT_TABLE(m, ...)                                                           \
	do {                                                                           \
		const struct mm_e820_entry want_[] = { __VA_ARGS__ };                  \
		uint32_t n_ = (uint32_t)(sizeof(want_) / sizeof(want_[0]));            \
		ASSERT_EQ(mm_e820_nr_entries(m), n_);                                  \
		for (uint32_t i_ = 0; i_ < n_; i_++) {                                 \
			struct mm_e820_entry e_;                                       \
			ASSERT_EQ(mm_e820_get(m, i_, &e_), 0);                         \
			ASSERT_EQ(e_.addr, want_[i_].addr);                            \
			ASSERT_EQ(e_.size, want_[i_].size);                            \
			ASSERT_EQ(e_.type, want_[i_].type);                            \
		}                                                                      \
	} while (0)

#define E(a, s, t) { (a), (s), (t) }
#define RAM MM_E820_RAM
#define RES MM_E820_RESERVED

/*
 *   A  |RAM 0..1M|
 *   B  |RAM 0..1M|
 * Expect one RAM entry [0, 1M).
 */
static void sanitize_identical(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_add(m, 0, MB(1), RAM), 0);
	ASSERT_EQ(mm_e820_add(m, 0, MB(1), RAM), 0);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(1), RAM));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RAM 0 ................... 16M|
 *          |RES 1M..2M|
 * Expect RAM [0,1M), RESERVED [1M,2M), RAM [2M,16M).
 */
static void sanitize_nested_reserved(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(16), RAM);
	mm_e820_add(m, MB(1), MB(1), RES);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(1), RAM), E(MB(1), MB(1), RES), E(MB(2), MB(14), RAM));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RAM 1M..2M|RAM 2M..3M|     (given in reverse order)
 * Expect one RAM entry [1M, 3M): starts sort before ends at 2M.
 */
static void sanitize_adjacent_merge(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, MB(2), MB(1), RAM);
	mm_e820_add(m, MB(1), MB(1), RAM);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(MB(1), MB(2), RAM));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..640K|RES 640K..1M|
 * Expect both kept as they are, sorted.
 */
static void sanitize_adjacent_different(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, KB(640), KB(384), RES);
	mm_e820_add(m, 0, KB(640), RAM);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, KB(640), RAM), E(KB(640), KB(384), RES));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0 ..... 8M|
 *           |ACPI 6M ..... 10M|
 * Expect RAM [0,6M), ACPI [6M,10M): ACPI (3) beats RAM (1).
 */
static void sanitize_overlap_ram_acpi(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(8), RAM);
	mm_e820_add(m, MB(6), MB(4), MM_E820_ACPI);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(6), RAM), E(MB(6), MB(4), MM_E820_ACPI));
	mm_machine_destroy(m);
}

/*
 *   |PRAM 0..1M|PRAM 1M..2M|
 *   |PRAM 4M ............ 8M|
 *         |RAM 5M..6M|          (a change point inside PRAM)
 * Expect PRAM never merged: [0,1M) [1M,2M), and [4M,8M) split at 5M and 6M.
 */
static void sanitize_pram_not_merged(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(1), MM_E820_PRAM);
	mm_e820_add(m, MB(1), MB(1), MM_E820_PRAM);
	mm_e820_add(m, MB(4), MB(4), MM_E820_PRAM);
	mm_e820_add(m, MB(5), MB(1), RAM);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(1), MM_E820_PRAM), E(MB(1), MB(1), MM_E820_PRAM),
		     E(MB(4), MB(1), MM_E820_PRAM), E(MB(5), MB(1), MM_E820_PRAM),
		     E(MB(6), MB(2), MM_E820_PRAM));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RESERVED_KERN 0 ........ 4M|
 *        |SOFT_RESERVED 1M..2M|
 *   |type 0x80000000 3M..5M|
 * Expect SOFT_RESERVED (0xefffffff) beats everything, RESERVED_KERN (128)
 * loses to the larger unknown type.
 */
static void sanitize_soft_reserved_wins(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(4), MM_E820_RESERVED_KERN);
	mm_e820_add(m, MB(1), MB(1), MM_E820_SOFT_RESERVED);
	mm_e820_add(m, MB(3), MB(2), 0x80000000u);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(1), MM_E820_RESERVED_KERN), E(MB(1), MB(1), MM_E820_SOFT_RESERVED),
		     E(MB(2), MB(1), MM_E820_RESERVED_KERN), E(MB(3), MB(2), 0x80000000u));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..1M|  (RES 512K+0)  |RAM 1M..2M|
 * Expect the zero-size entry ignored: one RAM entry [0, 2M).
 */
static void sanitize_zero_size_ignored(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(1), RAM);
	mm_e820_add(m, KB(512), 0, RES);
	mm_e820_add(m, MB(1), MB(1), RAM);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(2), RAM));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..1M|   |RES 2^64-4K ... wraps to 4K|
 * Expect -EINVAL and the table untouched (still 2 entries, unsorted).
 */
static void sanitize_wrap_does_nothing(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, MB(1), MB(1), RAM);
	mm_e820_add(m, UINT64_MAX - KB(4) + 1, KB(8), RES);
	mm_e820_add(m, 0, MB(1), RAM);
	ASSERT_EQ(mm_e820_sanitize(m), -EINVAL);
	EXPECT_TABLE(m, E(MB(1), MB(1), RAM), E(UINT64_MAX - KB(4) + 1, KB(8), RES),
		     E(0, MB(1), RAM));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..1M|   ... |RES 2^64-4K .. 2^64|
 * Expect the entry ending exactly at 2^64 to count as wrapping: -EINVAL.
 */
static void sanitize_end_at_2_64(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(1), RAM);
	mm_e820_add(m, UINT64_MAX - KB(4) + 1, KB(4), RES);
	ASSERT_EQ(mm_e820_sanitize(m), -EINVAL);
	ASSERT_EQ(mm_e820_nr_entries(m), 2);
	/* one byte short of 2^64 is fine */
	mm_machine_destroy(m);
	m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(1), RAM);
	mm_e820_add(m, UINT64_MAX - KB(4) + 1, KB(4) - 1, RES);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(1), RAM), E(UINT64_MAX - KB(4) + 1, KB(4) - 1, RES));
	mm_machine_destroy(m);
}

/*
 * Table of 4:  |RAM 0..1M| |RES 1M..2M| |RAM 2M..3M|   plus
 *              |RES 3M..4M| can only be added if there is room; sanitize of
 *              RAM/RES alternating 6 pieces into 4 slots.
 * Expect add on a full table: -ENOSPC + one TABLE_FULL; sanitize output
 * silently cut to the first 4 entries.
 */
static void sanitize_truncates(enum mm_era era)
{
	struct mm_machine *m = make(era, 4);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(6), RAM);
	mm_e820_add(m, MB(1), MB(1), RES);
	mm_e820_add(m, MB(3), MB(1), RES);
	mm_e820_add(m, MB(5), MB(1), RES);
	ASSERT_EQ(mm_e820_add(m, MB(7), MB(1), RES), -ENOSPC);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_TABLE_FULL), 1);
	ASSERT_EQ(mm_last_report(m)->addr, MB(7));
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "e820: too many entries; ignoring [mem 0x00700000-0x007fffff]");
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(1), RAM), E(MB(1), MB(1), RES), E(MB(2), MB(1), RAM),
		     E(MB(3), MB(1), RES));
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RES 1M..2M|   (one entry; then none)
 * Expect count < 2 -> -EINVAL, table untouched (even a zero-size entry stays).
 */
static void sanitize_count_below_two(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_sanitize(m), -EINVAL);
	mm_e820_add(m, MB(1), 0, RES);
	ASSERT_EQ(mm_e820_sanitize(m), -EINVAL);
	EXPECT_TABLE(m, E(MB(1), 0, RES));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0 .............. 16M|
 *   update [4M,8M) RAM -> RESERVED (strictly inside)
 * Expect head kept, middle and tail appended unsorted:
 *   RAM [0,4M), RES [4M,8M), RAM [8M,16M); 4M changed; sanitize sorts.
 */
static void update_strictly_inside(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t changed = 0;
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(16), RAM);
	ASSERT_EQ(mm_e820_range_update(m, MB(4), MB(4), RAM, RES, &changed), 0);
	ASSERT_EQ(changed, MB(4));
	EXPECT_TABLE(m, E(0, MB(4), RAM), E(MB(4), MB(4), RES), E(MB(8), MB(8), RAM));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..4M|RAM 4M..8M|   update [2M, 6M): partial on both
 * Expect entries trimmed (head keeps [0,2M), second starts at 6M) and the
 * overlaps appended as RESERVED; 4M changed.
 */
static void update_partial(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t changed = 0;
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(4), RAM);
	mm_e820_add(m, MB(4), MB(4), RAM);
	ASSERT_EQ(mm_e820_range_update(m, MB(2), MB(4), RAM, RES, &changed), 0);
	ASSERT_EQ(changed, MB(4));
	EXPECT_TABLE(m, E(0, MB(2), RAM), E(MB(6), MB(2), RAM), E(MB(2), MB(2), RES),
		     E(MB(4), MB(2), RES));
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(0, MB(2), RAM), E(MB(2), MB(4), RES), E(MB(6), MB(2), RAM));
	mm_machine_destroy(m);
}

/*
 * update with old == new: the kernel BUG()s.
 * Expect -EINVAL, exactly one BUG report, table unchanged, verify clean.
 */
static void update_same_type_is_bug(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t changed = 1;
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(16), RAM);
	ASSERT_EQ(mm_e820_range_update(m, 0, MB(1), RAM, RAM, &changed), -EINVAL);
	ASSERT_EQ(changed, 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	EXPECT_TABLE(m, E(0, MB(16), RAM));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RAM 4G-4K .... 4G|   update [4G-2K, 2^64 - 1 more than fits)
 * Expect size clamped to ULLONG_MAX - start: the tail half becomes RESERVED.
 */
static void update_size_clamped(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t changed = 0;
	ASSERT_TRUE(m);
	mm_e820_add(m, GB(4) - KB(4), KB(4), RAM);
	ASSERT_EQ(mm_e820_range_update(m, GB(4) - KB(2), UINT64_MAX, RAM, RES, &changed), 0);
	ASSERT_EQ(changed, KB(2));
	EXPECT_TABLE(m, E(GB(4) - KB(4), KB(2), RAM), E(GB(4) - KB(2), KB(2), RES));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0 .............. 16M|   remove [4M, 8M)
 * Modern (split): RAM [0,4M) + appended RAM [8M,16M); 4M removed.
 * 2.6.29 (no split): the entry loses 4M from its end: RAM [0,12M).
 */
static void remove_strictly_inside(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t removed = 0;
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(16), RAM);
	ASSERT_EQ(mm_e820_range_remove(m, MB(4), MB(4), RAM, true, &removed), 0);
	ASSERT_EQ(removed, MB(4));
	if (era == MM_ERA_MODERN)
		EXPECT_TABLE(m, E(0, MB(4), RAM), E(MB(8), MB(8), RAM));
	else
		EXPECT_TABLE(m, E(0, MB(12), RAM));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..1M| |RES 1M..2M|   remove [0, 2M) of any type
 * Expect both zeroed in place (size 0) and dropped by the next sanitize.
 */
static void remove_covered_zeroes(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t removed = 0;
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, MB(1), RAM);
	mm_e820_add(m, MB(1), MB(1), RES);
	mm_e820_add(m, MB(4), MB(1), RAM);
	ASSERT_EQ(mm_e820_range_remove(m, 0, MB(2), 0, false, &removed), 0);
	ASSERT_EQ(removed, MB(2));
	EXPECT_TABLE(m, E(0, 0, 0), E(0, 0, 0), E(MB(4), MB(1), RAM));
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	EXPECT_TABLE(m, E(MB(4), MB(1), RAM));
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..640K|RES 640K..1M|RAM 1M ...... 512M|RES 4G-256K..4G|
 *   mem=256M
 * Expect RAM cut at 256M, reserved entries untouched, table sanitized;
 * mem=0 refused.
 */
static void mem_limit(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	mm_e820_add(m, 0, KB(640), RAM);
	mm_e820_add(m, KB(640), KB(384), RES);
	mm_e820_add(m, MB(1), MB(511), RAM);
	mm_e820_add(m, GB(4) - KB(256), KB(256), RES);
	ASSERT_EQ(mm_e820_mem_limit(m, MB(256)), 0);
	EXPECT_TABLE(m, E(0, KB(640), RAM), E(KB(640), KB(384), RES), E(MB(1), MB(255), RAM),
		     E(GB(4) - KB(256), KB(256), RES));
	ASSERT_EQ(mm_e820_end_of_ram_pfn(m), MB(256) >> 12);
	ASSERT_EQ(mm_e820_mem_limit(m, 0), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RAM 0..1M| |RAM 1M .. 8G|  on x86-32 (max pfn 2^20)
 * Expect end_of_ram_pfn clamped to 2^20; RESERVED_KERN does not count.
 */
static void end_of_ram_pfn(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_end_of_ram_pfn(m), 0);
	mm_e820_add(m, 0, MB(1), RAM);
	mm_e820_add(m, MB(1), MB(100), MM_E820_RESERVED_KERN);
	ASSERT_EQ(mm_e820_end_of_ram_pfn(m), MB(1) >> 12);
	mm_e820_add(m, MB(1), GB(8), RAM);
	ASSERT_EQ(mm_e820_end_of_ram_pfn(m), 1u << 20);
	mm_machine_destroy(m);
}

/* Expect the boot log's exact words and the inclusive end. */
static void print_format(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	char buf[1024], small[16];
	const char *want =
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
		"BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] ACPI data\n"
		"BIOS-e820: [mem 0x0000000000100000-0x00000000001fffff] ACPI NVS\n"
		"BIOS-e820: [mem 0x0000000000200000-0x00000000002fffff] unusable\n"
		"BIOS-e820: [mem 0x0000000000300000-0x00000000003fffff] persistent (type 7)\n"
		"BIOS-e820: [mem 0x0000000000400000-0x00000000004fffff] persistent (type 12)\n"
		"BIOS-e820: [mem 0x0000000000500000-0x00000000005fffff] usable\n"
		"BIOS-e820: [mem 0x0000000000600000-0x00000000006fffff] soft reserved\n"
		"BIOS-e820: [mem 0x0000000000700000-0x00000000007fffff] type 6\n";
	int n;

	ASSERT_TRUE(m);
	mm_e820_add(m, 0, 0x9fc00, RAM);
	mm_e820_add(m, 0x9fc00, 0x400, RES);
	mm_e820_add(m, 0xe0000, 0x20000, MM_E820_ACPI);
	mm_e820_add(m, MB(1), MB(1), MM_E820_NVS);
	mm_e820_add(m, MB(2), MB(1), MM_E820_UNUSABLE);
	mm_e820_add(m, MB(3), MB(1), MM_E820_PMEM);
	mm_e820_add(m, MB(4), MB(1), MM_E820_PRAM);
	mm_e820_add(m, MB(5), MB(1), MM_E820_RESERVED_KERN);
	mm_e820_add(m, MB(6), MB(1), MM_E820_SOFT_RESERVED);
	mm_e820_add(m, MB(7), MB(1), 6);
	n = mm_e820_print(m, "BIOS-e820", buf, sizeof(buf));
	ASSERT_EQ(n, strlen(want));
	ASSERT_STR_EQ(buf, want);
	/* snprintf semantics: cut and terminated, full length returned */
	ASSERT_EQ(mm_e820_print(m, NULL, small, sizeof(small)), strlen(want));
	ASSERT_STR_EQ(small, "BIOS-e820: [mem");
	ASSERT_EQ(mm_e820_print(m, "x", NULL, 0), (int)strlen(want) - 80);
	ASSERT_EQ(mm_e820_print(m, "x", NULL, 5), -EINVAL);
	ASSERT_STR_EQ(mm_e820_type_name(MM_E820_RESERVED_KERN), "usable");
	ASSERT_STR_EQ(mm_e820_type_name(99), "unknown");
	ASSERT_EQ(mm_e820_type_format(99, small, sizeof(small)), 7);
	ASSERT_STR_EQ(small, "type 99");
	mm_machine_destroy(m);
}

/*
 * Import: fewer than 2 entries, or an end wrapping past 2^64, rejects the
 * map with nothing changed; an entry ending exactly at 2^64 is accepted by
 * import (its sanitize then does nothing); entries beyond the table are
 * dropped with one TABLE_FULL each. Expect the firmware copy = raw input.
 */
static void import_rules(enum mm_era era)
{
	struct mm_machine *m = make(era, 3);
	const struct mm_e820_entry wraps[] = { { 0, MB(1), RAM }, { UINT64_MAX, 2, RES } };
	const struct mm_e820_entry top[] = { { MB(1), MB(1), RAM }, { 0, MB(1), RAM },
					     { UINT64_MAX - KB(4) + 1, KB(4), RES } };
	const struct mm_e820_entry many[] = { { MB(1), MB(1), RAM }, { 0, MB(1), RAM },
					      { MB(2), MB(1), RES }, { MB(3), MB(1), RES },
					      { MB(4), MB(1), RES } };
	struct mm_e820_entry e;

	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_import(m, many, 1), -EINVAL);
	ASSERT_EQ(mm_e820_import(m, wraps, 2), -EINVAL);
	ASSERT_EQ(mm_e820_nr_entries(m), 0);
	ASSERT_EQ(mm_e820_firmware_nr_entries(m), 0);
	ASSERT_EQ(mm_e820_import(m, top, 3), 0);
	EXPECT_TABLE(m, E(MB(1), MB(1), RAM), E(0, MB(1), RAM), E(UINT64_MAX - KB(4) + 1, KB(4), RES));
	ASSERT_EQ(mm_e820_import(m, many, 5), 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_TABLE_FULL), 2);
	EXPECT_TABLE(m, E(0, MB(2), RAM), E(MB(2), MB(1), RES));
	ASSERT_EQ(mm_e820_firmware_nr_entries(m), 3);
	ASSERT_EQ(mm_e820_firmware_get(m, 0, &e), 0);
	ASSERT_EQ(e.addr, MB(1));
	ASSERT_EQ(mm_e820_firmware_get(m, 3, &e), -EINVAL);
	ASSERT_EQ(mm_e820_import(m, NULL, 2), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_last_report(m)->addr, 0);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "e820: import of 2 entries from NULL");
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |RAM 0x800..0x3800| |SOFT_RESERVED 1M..2M| |RAM 5G..6G|  to memblock
 * Expect memory = [0x1000, 0x3000) after the trim (5G skipped on x86-32
 * non-PAE: 32-bit resource_size_t), and the soft-reserved range reserved.
 */
static void memblock_setup(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	const struct mm_memblock *mb;

	ASSERT_TRUE(m);
	mm_e820_add(m, 0x800, 0x3000, RAM);
	mm_e820_add(m, MB(1), MB(1), MM_E820_SOFT_RESERVED);
	mm_e820_add(m, GB(5), GB(1), RAM);
	ASSERT_EQ(mm_e820_memblock_setup(m), 0);
	mb = mm_memblock_get(m);
	ASSERT_TRUE(mb);
	ASSERT_EQ(mm_memblock_phys_mem_size(m), 0x2000);
	ASSERT_EQ(mm_memblock_start_of_DRAM(m), 0x1000);
	ASSERT_TRUE(mm_memblock_is_reserved(m, MB(1)));
	ASSERT_TRUE(mm_memblock_is_reserved(m, MB(2) - 1));
	ASSERT_TRUE(!mm_memblock_is_memory(m, GB(5)));
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect every entry point to refuse a NULL machine with -EINVAL (and the
 * getters to answer as for an empty table), touching nothing. */
static void null_machine(void)
{
	struct mm_e820_entry e = { 0 }, two[2] = { { 0, 0x1000, RAM }, { 0x1000, 0x1000, RAM } };
	uint64_t changed = 1;
	char buf[64];
	ASSERT_EQ(mm_e820_add(NULL, 0, 0x1000, RAM), -EINVAL);
	ASSERT_EQ(mm_e820_import(NULL, two, 2), -EINVAL);
	ASSERT_EQ(mm_e820_sanitize(NULL), -EINVAL);
	ASSERT_EQ(mm_e820_range_update(NULL, 0, 0x1000, RAM, RES, &changed), -EINVAL);
	ASSERT_EQ(changed, 0);
	changed = 1;
	ASSERT_EQ(mm_e820_range_remove(NULL, 0, 0x1000, RAM, true, &changed), -EINVAL);
	ASSERT_EQ(changed, 0);
	ASSERT_EQ(mm_e820_mem_limit(NULL, MB(1)), -EINVAL);
	ASSERT_EQ(mm_e820_nr_entries(NULL), 0);
	ASSERT_EQ(mm_e820_get(NULL, 0, &e), -EINVAL);
	ASSERT_EQ(mm_e820_firmware_nr_entries(NULL), 0);
	ASSERT_EQ(mm_e820_firmware_get(NULL, 0, &e), -EINVAL);
	ASSERT_EQ(mm_e820_print(NULL, "x", buf, sizeof(buf)), -EINVAL);
	ASSERT_EQ(mm_e820_memblock_setup(NULL), -EINVAL);
}

int main(void)
{
	for (int era = MM_ERA_2_6_29; era <= MM_ERA_MODERN; era++) {
		RUN(sanitize_identical, era);
		RUN(sanitize_nested_reserved, era);
		RUN(sanitize_adjacent_merge, era);
		RUN(sanitize_adjacent_different, era);
		RUN(sanitize_overlap_ram_acpi, era);
		RUN(sanitize_pram_not_merged, era);
		RUN(sanitize_soft_reserved_wins, era);
		RUN(sanitize_zero_size_ignored, era);
		RUN(sanitize_wrap_does_nothing, era);
		RUN(sanitize_end_at_2_64, era);
		RUN(sanitize_truncates, era);
		RUN(sanitize_count_below_two, era);
		RUN(update_strictly_inside, era);
		RUN(update_partial, era);
		RUN(update_same_type_is_bug, era);
		RUN(update_size_clamped, era);
		RUN(remove_strictly_inside, era);
		RUN(remove_covered_zeroes, era);
		RUN(mem_limit, era);
		RUN(end_of_ram_pfn, era);
		RUN(print_format, era);
		RUN(import_rules, era);
		RUN(memblock_setup, era);
	}
	RUN(null_machine);
	return check_summary("e820");
}
