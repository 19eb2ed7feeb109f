/*
 * The bitmap bootmem allocator of 2.6.27..4.19 (mm/bootmem.c as of 2.6.29)
 * and its hand-off to the buddy system, free_all_bootmem. One bitmap per
 * node, 1 bit per page, 1 = reserved. The other hand-offs are declared
 * where the kernel has them: memblock_free_all in mmsim/memblock.h,
 * early_res_to_bootmem in mmsim/early_res.h, the highmem step in
 * mmsim/boot.h.
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
/* ___alloc_bootmem(_nopanic)(size, align, goal, limit): every node in address
 * order below limit (0 = none), then with the goal dropped. BUG (refused,
 * report) when size is 0, align is not a power of two (0 included) or
 * limit && goal + size > limit. nopanic=false reports OOM on failure. */
int mm_alloc_bootmem_limit(struct mm_machine *m, uint64_t size, uint64_t align, uint64_t goal,
			   uint64_t limit, bool nopanic, mm_phys_addr_t *out);
/* free_all_bootmem: hand every free page to the buddy system; *count = pages
 * released (may be NULL). Bootmem refuses every call afterwards. */
int mm_free_all_bootmem(struct mm_machine *m, uint64_t *count);
/* Is pfn reserved in its node's bitmap? -ENOENT outside every node,
 * -EINVAL after the hand-off (the bitmaps are gone). */
int mm_bootmem_page_reserved(const struct mm_machine *m, mm_pfn_t pfn, bool *reserved);
/* The bits of node nid's first nr pages, one byte per page (1 = reserved):
 * out[i] is pfn min_pfn + i. -ENOENT if nid has no bootmem node, -EINVAL
 * after the hand-off or for nr beyond the node. */
int mm_bootmem_reserved_map(const struct mm_machine *m, int nid, uint8_t *out, uint64_t nr);

/* Read-only view of one node's bootmem data (tests, harnesses). */
struct mm_bootmem_node_info {
	int nid;
	mm_pfn_t min_pfn, low_pfn; /* [node_min_pfn, node_low_pfn) */
	mm_pfn_t map_pfn;          /* where the bitmap lives */
	uint64_t map_bytes;        /* round_up(ceil(pages / 8), sizeof(long) = 4) */
	uint64_t map_pages;        /* pages released for the bitmap at the hand-off */
	uint64_t hint_idx;         /* node-relative index the next search starts at */
	uint64_t last_end_off;     /* node-relative byte end of the last allocation */
	uint64_t nr_reserved;      /* pages of [min_pfn, low_pfn) reserved (0 after the hand-off) */
};
/* -ENOENT if nid has no bootmem node. Still answers after the hand-off. */
int mm_bootmem_node_info(const struct mm_machine *m, int nid, struct mm_bootmem_node_info *out);
int mm_bootmem_nr_nodes(const struct mm_machine *m);
/* Has free_all_bootmem or memblock_free_all run? (memblock_free_all ends
 * bootmem too: every later bootmem call is refused.) */
bool mm_bootmem_handed_off(const struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
