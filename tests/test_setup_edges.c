/* label: scenario */
/*
 * Edges of the firmware-facing set-up calls no harness draws: e820 type
 * names and the boot-log print at their buffer limits (semantics.md §1),
 * find_e820_area without a result pointer (semantics.md §1), ARM meminfo
 * banks and PHYS_OFFSET out of range (semantics.md §2). 2.6.29 x86_32
 * unless said.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mmsim/mmsim.h"

static struct mm_machine *mk(uint32_t e820_max)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.e820_max_entries = e820_max;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/*
 *   type 1 ("usable", 6 bytes), type 4294967295 ("type 4294967295")
 *   into: no buffer (len 0), a buffer of 0, 1 and 4 bytes, NULL with len 3
 * Expect the full length back every time (snprintf's contract), the text
 * cut at len - 1 and NUL-terminated, a 0-byte buffer untouched, and NULL
 * with a length refused with -EINVAL.
 */
static void type_format_limits(void)
{
	char b[8] = "zzzzzzz";
	ASSERT_EQ(mm_e820_type_format(MM_E820_RAM, NULL, 0), 6);
	ASSERT_EQ(mm_e820_type_format(MM_E820_RAM, b, 0), 6);
	ASSERT_EQ(b[0], 'z');
	ASSERT_EQ(mm_e820_type_format(MM_E820_RAM, b, 1), 6);
	ASSERT_STR_EQ(b, "");
	ASSERT_EQ(mm_e820_type_format(MM_E820_RAM, b, 4), 6);
	ASSERT_STR_EQ(b, "usa");
	ASSERT_EQ(mm_e820_type_format(0xffffffffu, b, sizeof(b)), 15);
	ASSERT_STR_EQ(b, "type 42");
	ASSERT_EQ(mm_e820_type_format(MM_E820_RAM, NULL, 3), -EINVAL);
}

/*
 *   one entry [0, 0x1000) RAM, printed with a 70-byte prefix
 *     "<70 x 'p'>: [mem 0x0000000000000000-0x0000000000000fff] usable\n"
 * Expect the whole line (70 + 53 bytes) back and in the buffer: a prefix
 * over 64 bytes is written on its own, not copied into the line.
 */
static void print_long_prefix(void)
{
	struct mm_machine *m = mk(0);
	char prefix[71], want[256], buf[256];
	ASSERT_TRUE(m);
	memset(prefix, 'p', 70);
	prefix[70] = '\0';
	strcpy(want, prefix);
	strcat(want, ": [mem 0x0000000000000000-0x0000000000000fff] usable\n");
	ASSERT_EQ(mm_e820_add(m, 0, 0x1000, MM_E820_RAM), 0);
	ASSERT_EQ(mm_e820_print(m, prefix, buf, sizeof(buf)), (int)strlen(want));
	ASSERT_STR_EQ(buf, want);
	ASSERT_EQ(mm_e820_print(m, prefix, NULL, 0), 123);
	mm_machine_destroy(m);
}

/*
 *   4096 entries, printed with a prefix of 600,000 bytes and no buffer
 *   (length only): 4096 x (600,000 + 53) bytes > INT32_MAX
 * Expect -EOVERFLOW: the length cannot be returned as an int.
 */
static void print_overflow(void)
{
	struct mm_machine *m = mk(4096);
	char *prefix = malloc(600001);
	ASSERT_TRUE(m && prefix);
	memset(prefix, 'q', 600000);
	prefix[600000] = '\0';
	for (uint64_t i = 0; i < 4096; i++)
		ASSERT_EQ(mm_e820_add(m, i * 0x2000, 0x1000, MM_E820_RAM), 0);
	ASSERT_EQ(mm_e820_nr_entries(m), 4096);
	ASSERT_EQ(mm_e820_print(m, prefix, NULL, 0), -EOVERFLOW);
	ASSERT_EQ(mm_e820_print(m, "BIOS-e820", NULL, 0), 4096 * (9 + 53));
	free(prefix);
	mm_machine_destroy(m);
}

/*
 *   e820: [0, 16 MiB) RAM
 *   find_e820_area(0, 16 MiB, 4 KiB, align 4 KiB, out NULL)
 *   early_res_get(index past the end), early_res_get(out NULL)
 * Expect -EINVAL each; only the first reported (INVALID_ARG, "NULL result
 * pointer"): a getter refuses silently.
 */
static void find_area_no_result(void)
{
	struct mm_machine *m = mk(0);
	struct mm_early_res r;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_add(m, 0, 16 << 20, MM_E820_RAM), 0);
	ASSERT_EQ(mm_find_e820_area(m, 0, 16 << 20, 4096, 4096, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "find_e820_area: NULL result pointer");
	ASSERT_EQ(mm_early_res_get(m, mm_early_res_count(m), &r), -EINVAL);
	ASSERT_EQ(mm_early_res_get(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 1);
	mm_machine_destroy(m);
}

/*
 *   ARM banks: node -1, node 64 (MM_MAX_NUMNODES), a bank ending exactly at
 *   2^64 [0xffff_ffff_ffff_f000, +4 KiB); PHYS_OFFSET 0x8000_0800 (not page
 *   aligned) and 0x1_0000_0000 (not 32-bit)
 * Expect each refused with -EINVAL and one INVALID_ARG report, no bank
 * recorded, and a later sanity_check with PHYS_OFFSET 0x8000_0000 accepted.
 */
static void meminfo_refused(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_ARM;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_meminfo_add(m, 0x80000000, 1 << 20, -1), -EINVAL);
	ASSERT_EQ(mm_meminfo_add(m, 0x80000000, 1 << 20, MM_MAX_NUMNODES), -EINVAL);
	ASSERT_EQ(mm_meminfo_add(m, 0xfffffffffffff000ull, 0x1000, 0), -EINVAL);
	ASSERT_EQ(mm_meminfo_sanity_check(m, 0x80000800, 0, false), -EINVAL);
	ASSERT_EQ(mm_meminfo_sanity_check(m, 0x100000000ull, 0, false), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 5);
	ASSERT_EQ(mm_meminfo_nr_banks(m), 0);
	ASSERT_EQ(mm_meminfo_add(m, 0x80000000, 1 << 20, 0), 0);
	ASSERT_EQ(mm_meminfo_sanity_check(m, 0x80000000, 0, false), 0);
	ASSERT_EQ(mm_meminfo_nr_banks(m), 1);
	mm_machine_destroy(m);
}

/*
 *   e820: [0, 1 MiB) RAM, [1 MiB, 2 MiB) RAM
 *   range_update [0, 4 KiB) RAM -> reserved and range_remove [1 MiB, +4 KiB)
 *   without a count pointer; import of nothing (NULL, 0); get past the end;
 *   meminfo_get past the end (no bank)
 * Expect the two edits accepted (the table shows them), the empty import
 * refused with -EINVAL unreported (the kernel ignores a map of fewer than
 * two entries) and the table unchanged, the getters -EINVAL.
 */
static void e820_optional_pointers(void)
{
	struct mm_machine *m = mk(0);
	struct mm_e820_entry e;
	struct mm_membank bank;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_e820_add(m, 0, 1 << 20, MM_E820_RAM), 0);
	ASSERT_EQ(mm_e820_add(m, 1 << 20, 1 << 20, MM_E820_RAM), 0);
	ASSERT_EQ(mm_e820_range_update(m, 0, 4096, MM_E820_RAM, MM_E820_RESERVED, NULL), 0);
	ASSERT_EQ(mm_e820_range_remove(m, 1 << 20, 4096, MM_E820_RAM, true, NULL), 0);
	ASSERT_EQ(mm_e820_nr_entries(m), 3);
	ASSERT_EQ(mm_e820_get(m, 2, &e), 0);
	ASSERT_EQ(e.type, MM_E820_RESERVED);
	ASSERT_EQ(e.size, 4096);
	ASSERT_EQ(mm_e820_get(m, 3, &e), -EINVAL);
	ASSERT_EQ(mm_e820_import(m, NULL, 0), -EINVAL);
	ASSERT_EQ(mm_e820_nr_entries(m), 3);
	ASSERT_EQ(mm_meminfo_get(m, 0, &bank), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(type_format_limits);
	RUN(print_long_prefix);
	RUN(print_overflow);
	RUN(find_area_no_result);
	RUN(meminfo_refused);
	RUN(e820_optional_pointers);
	return check_summary("setup_edges");
}
