/* label: scenario */
/*
 * early_res scenarios (2.6.29): placement by find_e820_area around
 * reservations, overlap_ok trimming, and one negative test per misuse
 * (overlap, full table, free_early mismatch, bad alignment) with the exact
 * report kind and count and a clean verify afterwards. Each runs in both
 * eras (early_res does not depend on the era).
 */
#include <errno.h>

#include "check.h"
#include "mmsim/mmsim.h"

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)

static struct mm_machine *make(enum mm_era era, uint32_t res_max)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;

	mm_config_default(&cfg, era);
	cfg.early_res_max = res_max;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	/* a small PC: low RAM, the legacy hole, 64 MiB of RAM above 1 MiB */
	mm_e820_add(m, 0, KB(640), MM_E820_RAM);
	mm_e820_add(m, KB(640), KB(384), MM_E820_RESERVED);
	mm_e820_add(m, MB(1), MB(63), MM_E820_RAM);
	return m;
}

static void expect_res(struct mm_machine *m, uint32_t i, uint64_t start, uint64_t end,
		       const char *name, bool ok, int *bad)
{
	struct mm_early_res r;
	*bad = mm_early_res_get(m, i, &r) || r.start != start || r.end != end ||
	       strcmp(r.name, name) != 0 || r.overlap_ok != ok;
}

/*
 *   slot 0: |BIOS 0..4K|        preset
 * Expect one entry, [0, 4K) "BIOS data page", table of 20 slots.
 */
static void preset_bios_page(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_early_res_count(m), 1);
	ASSERT_EQ(mm_early_res_max(m), 20);
	expect_res(m, 0, 0, KB(4), "BIOS data page", false, &bad);
	ASSERT_EQ(bad, 0);
	mm_machine_destroy(m);
}

/*
 *   RAM |BIOS|...free...|           |RAM 1M |KERNEL 1M..5M| free ...
 *   find(0, 64M, 8K, 4K)  -> 4K (right after the BIOS page)
 *   find(1M, 64M, 1M, 2M) -> 6M (5M rounded up to 2M; 4M overlaps KERNEL)
 * Expect first fit in table order, skipping reservations, aligned; nothing
 * reserved by find itself.
 */
static void find_skips_reservations(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t at = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_reserve_early(m, MB(1), MB(5), "TEXT DATA BSS"), 0);
	ASSERT_EQ(mm_find_e820_area(m, 0, MB(64), KB(8), KB(4), &at), 0);
	ASSERT_EQ(at, KB(4));
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(64), MB(1), MB(2), &at), 0);
	ASSERT_EQ(at, MB(6));
	ASSERT_EQ(mm_early_res_count(m), 2);
	/* too big for any RAM entry: -ENOMEM, *out = -1 */
	ASSERT_EQ(mm_find_e820_area(m, 0, UINT64_MAX, MB(64), KB(4), &at), -ENOMEM);
	ASSERT_EQ(at, UINT64_MAX);
	/* the window's end bounds the result */
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(6), MB(1), KB(4), &at), 0);
	ASSERT_EQ(at, MB(5));
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(6) - 1, MB(1), KB(4), &at), -ENOMEM);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

/*
 *   RAM |0 ........ 640K|  size 0 at exactly the entry's end
 * Expect the first candidate at the end of the entry is not taken (the
 * kernel's addr >= ei_last), the search goes on to the next RAM entry.
 */
static void find_zero_size_at_entry_end(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t at = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_find_e820_area(m, KB(640), UINT64_MAX, 0, 1, &at), 0);
	ASSERT_EQ(at, MB(1));
	mm_machine_destroy(m);
}

/*
 *   |EBDA 636K..1M ok|   reserve [640K, 700K)
 * Expect the overlap_ok entry trimmed to its lower part, kept at the end
 * of the list after the entries it did not touch, then the new entry.
 */
static void overlap_ok_trimmed(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_reserve_early_overlap_ok(m, KB(636), MB(1), "EBDA"), 0);
	ASSERT_EQ(mm_reserve_early(m, MB(2), MB(3), "RAMDISK"), 0);
	ASSERT_EQ(mm_reserve_early(m, KB(640), KB(700), "X"), 0);
	ASSERT_EQ(mm_early_res_count(m), 5);
	expect_res(m, 1, MB(2), MB(3), "RAMDISK", false, &bad);
	ASSERT_EQ(bad, 0);
	expect_res(m, 2, KB(636), KB(640), "EBDA", true, &bad);
	ASSERT_EQ(bad, 0);
	expect_res(m, 3, KB(700), MB(1), "EBDA", true, &bad);
	ASSERT_EQ(bad, 0);
	expect_res(m, 4, KB(640), KB(700), "X", false, &bad);
	ASSERT_EQ(bad, 0);
	/* start >= end is ignored */
	ASSERT_EQ(mm_reserve_early(m, MB(9), MB(9), "E"), 0);
	ASSERT_EQ(mm_early_res_count(m), 5);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |BIOS 0..4K|   reserve [2K, 8K)  (not overlap_ok)
 * Expect -EBUSY, exactly one OVERLAP report, nothing changed.
 */
static void misuse_overlap(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_reserve_early(m, KB(2), KB(8), "BAD"), -EBUSY);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_OVERLAP), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_early_res_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   table of 3: |BIOS| |A| |B|   reserve C
 * Expect -ENOSPC, exactly one TABLE_FULL ("Too many early reservations");
 * also when only the split of an overlap_ok entry needs the extra slot.
 */
static void misuse_full_table(enum mm_era era)
{
	struct mm_machine *m = make(era, 3);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_reserve_early(m, MB(1), MB(2), "A"), 0);
	ASSERT_EQ(mm_reserve_early_overlap_ok(m, MB(4), MB(8), "B"), 0);
	ASSERT_EQ(mm_reserve_early(m, MB(10), MB(11), "C"), -ENOSPC);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_TABLE_FULL), 1);
	/* [5M,6M) inside B: B splits in two, +1 entry, +1 new: no room */
	ASSERT_EQ(mm_reserve_early(m, MB(5), MB(6), "D"), -ENOSPC);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_TABLE_FULL), 2);
	/* [4M,6M) trims B: same count, fits */
	ASSERT_EQ(mm_reserve_early(m, MB(4), MB(8), "E"), 0);
	ASSERT_EQ(mm_early_res_count(m), 3);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   |BIOS| |A 1M..2M|   free [1M, 3M), free [1M+4K, 2M), free [2M, 1M)
 * Expect each: -EINVAL, one BUG ("free_early on not reserved area"); an
 * exact free succeeds and later entries move down.
 */
static void misuse_free_mismatch(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	int bad;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_reserve_early(m, MB(1), MB(2), "A"), 0);
	ASSERT_EQ(mm_reserve_early(m, MB(3), MB(4), "B"), 0);
	ASSERT_EQ(mm_free_early(m, MB(1), MB(3)), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_free_early(m, MB(1) + KB(4), MB(2)), -EINVAL);
	ASSERT_EQ(mm_free_early(m, MB(2), MB(1)), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 3);
	ASSERT_EQ(mm_report_count(m), 3);
	ASSERT_EQ(mm_free_early(m, MB(1), MB(2)), 0);
	ASSERT_EQ(mm_early_res_count(m), 2);
	expect_res(m, 1, MB(3), MB(4), "B", false, &bad);
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect a non-power-of-two alignment refused with one INVALID_ARG; 0 means 1. */
static void misuse_bad_align(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t at = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_find_e820_area(m, 0, MB(64), KB(4), 3, &at), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_find_e820_area(m, 0, MB(64), KB(4), 0, &at), 0);
	ASSERT_EQ(at, KB(4));
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   RAM |0 ........ 640K| and a reservation ending at 2^64 - 1 alignment
 * Expect an alignment round-up that would pass 2^64 to end the search in
 * that entry (no wrap to low memory, no endless loop).
 */
static void find_no_wrap(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t at = 0;
	ASSERT_TRUE(m);
	mm_e820_add(m, UINT64_MAX - MB(1), MB(1), MM_E820_RAM);
	ASSERT_EQ(mm_find_e820_area(m, UINT64_MAX - MB(1), UINT64_MAX, KB(4), 1ull << 63, &at),
		  -ENOMEM);
	ASSERT_EQ(mm_find_e820_area(m, UINT64_MAX - MB(1), UINT64_MAX, KB(4), KB(4), &at), 0);
	ASSERT_EQ(at, UINT64_MAX - MB(1) + 1);
	mm_machine_destroy(m);
}

/*
 *   RAM 1M ..........................
 *        |cand 1M..1M+8K|
 *                     |R 1M+8K-1 ..|   starts on the candidate's last byte
 *   then |cand 1M..1M+8K| |R 1M+8K ..|  starts exactly at the candidate's end
 * Expect the straddling reservation pushes the candidate past its end
 * (half-open ranges overlap by one byte), and the touching one does not.
 */
static void find_straddle_last_byte(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t at = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_reserve_early(m, MB(1) + KB(8) - 1, MB(1) + KB(12), "STRADDLE"), 0);
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(64), KB(8), 1, &at), 0);
	ASSERT_EQ(at, MB(1) + KB(12));
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(64), KB(8) - 1, 1, &at), 0);
	ASSERT_EQ(at, MB(1));
	ASSERT_EQ(mm_free_early(m, MB(1) + KB(8) - 1, MB(1) + KB(12)), 0);
	ASSERT_EQ(mm_reserve_early(m, MB(1) + KB(8), MB(1) + KB(12), "TOUCHING"), 0);
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(64), KB(8), KB(4), &at), 0);
	ASSERT_EQ(at, MB(1));
	/* a reservation ending on the candidate's first byte pushes it by one */
	ASSERT_EQ(mm_reserve_early(m, MB(1) - KB(4), MB(1) + 1, "HEAD"), 0);
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(64), KB(8), 1, &at), 0);
	ASSERT_EQ(at, MB(1) + KB(12));
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(64), KB(8) - 2, 1, &at), 0);
	ASSERT_EQ(at, MB(1) + 1);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

/* Expect align 0 to mean "any byte" (as 1): an odd start is returned as is,
 * where any other alignment would round it up. */
static void find_align_zero(enum mm_era era)
{
	struct mm_machine *m = make(era, 0);
	uint64_t a = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_sanitize(m), 0);
	ASSERT_EQ(mm_find_e820_area(m, MB(1) + 1, MB(2), 0x10, 0, &a), 0);
	ASSERT_EQ(a, MB(1) + 1);
	ASSERT_EQ(mm_find_e820_area(m, MB(1) + 1, MB(2), 0x10, 2, &a), 0);
	ASSERT_EQ(a, MB(1) + 2);
	ASSERT_EQ(mm_report_count(m), 0);
	/* no result pointer: refused with a report */
	ASSERT_EQ(mm_find_e820_area(m, MB(1), MB(2), 0x10, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "find_e820_area: NULL result pointer");
	mm_machine_destroy(m);
}

int main(void)
{
	for (int era = MM_ERA_2_6_29; era <= MM_ERA_MODERN; era++) {
		RUN(preset_bios_page, era);
		RUN(find_skips_reservations, era);
		RUN(find_zero_size_at_entry_end, era);
		RUN(overlap_ok_trimmed, era);
		RUN(misuse_overlap, era);
		RUN(misuse_full_table, era);
		RUN(misuse_free_mismatch, era);
		RUN(misuse_bad_align, era);
		RUN(find_no_wrap, era);
		RUN(find_straddle_last_byte, era);
		RUN(find_align_zero, era);
	}
	return check_summary("early_res");
}
