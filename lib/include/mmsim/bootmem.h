/*
 * The bitmap bootmem allocator of 2.6.27..4.19 (mm/bootmem.c as of 2.6.29)
 * and the hand-offs to the buddy system: free_all_bootmem (2.6.29) and
 * memblock_free_all (modern). One bitmap per node, 1 bit per page, 1 = reserved.
 */
#ifndef MMSIM_BOOTMEM_H
#define MMSIM_BOOTMEM_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_BOOTMEM_DEFAULT 0
#define MM_BOOTMEM_EXCLUSIVE 1

/* init_bootmem_node: node nid's bitmap covers [start_pfn, end_pfn) (lowmem
 * only) and lives at mapstart_pfn; every bit set (all reserved). Returns the
 * bitmap size in bytes through *mapsize (may be NULL). */
int mm_init_bootmem_node(struct mm_machine *m, int nid, mm_pfn_t mapstart_pfn,
			 mm_pfn_t start_pfn, mm_pfn_t end_pfn, uint64_t *mapsize);
int mm_free_bootmem(struct mm_machine *m, mm_phys_addr_t addr, uint64_t size);
int mm_free_bootmem_node(struct mm_machine *m, int nid, mm_phys_addr_t addr, uint64_t size);
int mm_reserve_bootmem(struct mm_machine *m, mm_phys_addr_t addr, uint64_t size, int flags);
int mm_reserve_bootmem_node(struct mm_machine *m, int nid, mm_phys_addr_t addr, uint64_t size,
			    int flags);
/* __alloc_bootmem family: *out = physical address of zeroed memory.
 * -ENOMEM for the _nopanic variants; the panicking ones report OOM
 * ("Out of memory") and return -ENOMEM. */
int mm_alloc_bootmem(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
		     mm_phys_addr_t *out);
int mm_alloc_bootmem_nopanic(struct mm_machine *m, uint64_t size, uint64_t align,
			     uint64_t goal, mm_phys_addr_t *out);
int mm_alloc_bootmem_node(struct mm_machine *m, int nid, uint64_t size, uint64_t align,
			  uint64_t goal, mm_phys_addr_t *out);
int mm_alloc_bootmem_low(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
			 mm_phys_addr_t *out);
/* early_res_to_bootmem: carry every early reservation over (clipped to nodes). */
int mm_early_res_to_bootmem(struct mm_machine *m);
/* free_all_bootmem: hand every free page to the buddy system; *count = pages
 * released (may be NULL). Bootmem refuses every call afterwards. */
int mm_free_all_bootmem(struct mm_machine *m, uint64_t *count);
/* memblock_free_all (modern): hand memory minus reserved below max_low_pfn. */
int mm_memblock_free_all(struct mm_machine *m, uint64_t *count);
/* The arch's highmem step: free every RAM page of the HIGHMEM zones that the
 * boot allocator does not hold reserved (add_highpages / free_highpages). */
int mm_free_highpages(struct mm_machine *m, uint64_t *count);
/* Is pfn reserved in its node's bitmap? -ENOENT outside every node. */
int mm_bootmem_page_reserved(const struct mm_machine *m, mm_pfn_t pfn, bool *reserved);

#ifdef __cplusplus
}
#endif
#endif
