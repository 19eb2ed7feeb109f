/*
 * ARM memory banks (arch/arm/mm/mmu.c, 2.6.29-3.x): the boot loader's banks,
 * sorted, then sanity_check_meminfo splits them at vmalloc_min into lowmem
 * and highmem.
 */
#ifndef MMSIM_MEMINFO_H
#define MMSIM_MEMINFO_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mm_membank {
	uint64_t start;
	uint64_t size;
	int node;
	bool highmem;
};

/* arm_add_memory: a bank from ATAGs or mem=size@start. start is rounded up
 * and size down to pages (as the kernel does); size 0 after that: -EINVAL.
 * Full table (cfg.meminfo_nr_banks or 8): -ENOSPC + TABLE_FULL report. */
int mm_meminfo_add(struct mm_machine *m, uint64_t start, uint64_t size, int node);
/* Sort by start, then sanity_check_meminfo. The direct map is
 * __va(p) = p - phys_offset + PAGE_OFFSET (0xC0000000); VMALLOC_END is
 * 0xff000000; vmalloc_min = VMALLOC_END - vmalloc_reserve (0 = 128 MiB).
 * highmem selects CONFIG_HIGHMEM. Returns 0, or -EINVAL if called twice. */
int mm_meminfo_sanity_check(struct mm_machine *m, uint64_t phys_offset,
			    uint64_t vmalloc_reserve, bool highmem);
uint32_t mm_meminfo_nr_banks(const struct mm_machine *m);
int mm_meminfo_get(const struct mm_machine *m, uint32_t i, struct mm_membank *out);
/* high_memory's physical address after the sanity check, vmalloc_min as
 * a physical limit. */
uint64_t mm_meminfo_lowmem_end(const struct mm_machine *m);
uint64_t mm_meminfo_vmalloc_min(const struct mm_machine *m);
/* Feed the banks to memblock: lowmem and highmem banks memblock_add'ed with
 * their node ids (the later arm_memblock_init). */
int mm_meminfo_memblock_setup(struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
