/*
 * 2.6.29's earliest allocator (arch/x86/kernel/e820.c of 2.6.29):
 * early_res[] reservations and find_e820_area() over the e820 working table.
 * Ranges are [start, end). Where the kernel panics, mmsim refuses with an
 * errno and a report.
 */
#ifndef MMSIM_EARLY_RES_H
#define MMSIM_EARLY_RES_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mm_early_res {
	uint64_t start;
	uint64_t end;
	char name[16];
	bool overlap_ok;
};

/* reserve_early(start, end, name): start >= end is ignored (returns 0).
 * Overlapping an entry that is not overlap_ok: -EBUSY + OVERLAP report
 * ("Overlapping early reservations"). Overlapped overlap_ok entries are
 * dropped or trimmed first. Full table: -ENOSPC + TABLE_FULL report.
 * name may be NULL (stored as ""); it is truncated to 15 characters. */
int mm_reserve_early(struct mm_machine *m, uint64_t start, uint64_t end, const char *name);
/* reserve_early_overlap_ok: the new entry may later be overlapped. */
int mm_reserve_early_overlap_ok(struct mm_machine *m, uint64_t start, uint64_t end,
				const char *name);
/* free_early(start, end): must match an entry exactly, else -EINVAL + BUG
 * report ("free_early on not reserved area"). */
int mm_free_early(struct mm_machine *m, uint64_t start, uint64_t end);
/* find_e820_area(start, end, size, align): first fit over RAM entries of the
 * working table in table order; does not reserve. align must be a power of
 * two (0 is treated as 1). Returns 0 and *out, or -ENOMEM (kernel: -1ULL). */
int mm_find_e820_area(struct mm_machine *m, uint64_t start, uint64_t end, uint64_t size,
		      uint64_t align, uint64_t *out);

/* Entries in table order (slot 0 is the BIOS page [0, PAGE_SIZE), preset). */
uint32_t mm_early_res_count(const struct mm_machine *m);
int mm_early_res_get(const struct mm_machine *m, uint32_t i, struct mm_early_res *out);
uint32_t mm_early_res_max(const struct mm_machine *m);

/* early_res_to_bootmem: carry every early reservation over to the bootmem
 * bitmaps (reserve_bootmem_node, clipped to each node). Refused after the
 * hand-off, as every bootmem call is. */
int mm_early_res_to_bootmem(struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
