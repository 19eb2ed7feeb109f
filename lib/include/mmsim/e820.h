/*
 * The firmware memory map (arch/x86/kernel/e820.c).
 *
 * mmsim keeps the kernel's three copies: the firmware table (as imported,
 * never modified), and the working table that add/sanitize/update/remove act
 * on. Ranges are [addr, addr+size).
 */
#ifndef MMSIM_E820_H
#define MMSIM_E820_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mm_e820_type {
	MM_E820_RAM = 1,
	MM_E820_RESERVED = 2,
	MM_E820_ACPI = 3,
	MM_E820_NVS = 4,
	MM_E820_UNUSABLE = 5,
	MM_E820_PMEM = 7,
	MM_E820_PRAM = 12,
	MM_E820_RESERVED_KERN = 128,
	MM_E820_SOFT_RESERVED = 0xefffffffu,
};

struct mm_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* Import a firmware map (setup_memory_map / append_e820_map): fewer than 2
 * entries, or any entry whose end wraps past 2^64 (size != 0), rejects the
 * whole map with -EINVAL and nothing changes. Otherwise the entries become
 * both the firmware copy and the working table (entries beyond the table size
 * are dropped with a TABLE_FULL report), and the working table is sanitized. */
int mm_e820_import(struct mm_machine *m, const struct mm_e820_entry *entries, uint32_t nr);

/* e820__range_add: append one entry. Any 64-bit addr/size and any 32-bit
 * type are accepted (the kernel stores what it is given). A full table drops
 * the entry with a TABLE_FULL report and returns -ENOSPC. */
int mm_e820_add(struct mm_machine *m, uint64_t addr, uint64_t size, uint32_t type);

/* e820__update_table: sort, resolve overlaps by type priority, merge.
 * Returns 0 if the table was rewritten, -EINVAL if the kernel would leave it
 * untouched (fewer than 2 entries, or an entry with addr + size < addr). */
int mm_e820_sanitize(struct mm_machine *m);

/* e820__range_update: retype every part of [start, start+size) of type
 * old_type to new_type; *changed (may be NULL) = bytes changed. old == new is
 * a BUG: refused with -EINVAL. The table is left unsanitized, as in the kernel. */
int mm_e820_range_update(struct mm_machine *m, uint64_t start, uint64_t size,
			 uint32_t old_type, uint32_t new_type, uint64_t *changed);

/* e820__range_remove: remove [start, start+size) (only parts of old_type when
 * check_type). 2.6.29 behaviour unless MM_FEAT_E820_REMOVE_SPLIT. */
int mm_e820_range_remove(struct mm_machine *m, uint64_t start, uint64_t size,
			 uint32_t old_type, bool check_type, uint64_t *removed);

/* mem=limit: remove RAM in [limit, 2^64) and re-sanitize. */
int mm_e820_mem_limit(struct mm_machine *m, uint64_t limit);

/* The working table / the firmware copy: number of entries and entry i. */
uint32_t mm_e820_nr_entries(const struct mm_machine *m);
int mm_e820_get(const struct mm_machine *m, uint32_t i, struct mm_e820_entry *out);
uint32_t mm_e820_firmware_nr_entries(const struct mm_machine *m);
int mm_e820_firmware_get(const struct mm_machine *m, uint32_t i, struct mm_e820_entry *out);
/* Table capacity in force (cfg.e820_max_entries or 128). */
uint32_t mm_e820_max_entries(const struct mm_machine *m);

/* max_pfn: PFN_DOWN(end of the highest RAM entry), clamped to 2^20 (x86-32,
 * ARM) or 2^24 (PAE). */
mm_pfn_t mm_e820_end_of_ram_pfn(const struct mm_machine *m);

/* Print the working table as the boot log does, one line per entry:
 * "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable".
 * Writes at most len bytes (always NUL-terminated when len > 0); returns the
 * length the full text needs, as snprintf does, or -EINVAL (buf NULL with
 * len > 0), -EOVERFLOW (text longer than INT_MAX). prefix NULL = "BIOS-e820". */
int mm_e820_print(const struct mm_machine *m, const char *prefix, char *buf, size_t len);
/* The boot log's type words (e820_print_type): "usable" (RAM and
 * RESERVED_KERN), "reserved", "ACPI data", "ACPI NVS", "unusable",
 * "persistent (type 7)", "persistent (type 12)", "soft reserved"; any other
 * type has no fixed word: "unknown" here, "type N" from mm_e820_type_format. */
const char *mm_e820_type_name(uint32_t type);
/* The type as printed ("usable", ..., "type N"), snprintf-style: returns the
 * length the text needs, or -EINVAL (buf NULL with len > 0). */
int mm_e820_type_format(uint32_t type, char *buf, size_t len);

/* Hand the map to memblock (e820__memblock_setup): RAM and RESERVED_KERN are
 * memblock_add'ed, SOFT_RESERVED is memblock_reserve'd, then
 * memblock_trim_memory(PAGE_SIZE). */
int mm_e820_memblock_setup(struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
