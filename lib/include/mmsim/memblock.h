/*
 * memblock (mm/memblock.c), with the kernel's data layout, placement, merging
 * and return values, so a kernel developer's test cases carry over. The state
 * lives in the machine. Differences: allocation returns the physical address
 * (the kernel's memblock_alloc returns a virtual pointer), and a kernel
 * panic/BUG becomes a refused call with a report.
 */
#ifndef MMSIM_MEMBLOCK_H
#define MMSIM_MEMBLOCK_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mm_memblock_flags {
	MM_MEMBLOCK_NONE = 0x0,
	MM_MEMBLOCK_HOTPLUG = 0x1,
	MM_MEMBLOCK_MIRROR = 0x2,
	MM_MEMBLOCK_NOMAP = 0x4,
	MM_MEMBLOCK_DRIVER_MANAGED = 0x8,
};

#define MM_NUMA_NO_NODE (-1)
#define MM_MAX_NUMNODES 64
#define MM_MEMBLOCK_ALLOC_ANYWHERE (~(mm_phys_addr_t)0)
#define MM_MEMBLOCK_ALLOC_ACCESSIBLE 0
#define MM_MEMBLOCK_ALLOC_KASAN 1
#define MM_SMP_CACHE_BYTES 64

struct mm_memblock_region {
	mm_phys_addr_t base;
	mm_phys_addr_t size;
	enum mm_memblock_flags flags;
	int nid;
};

struct mm_memblock_type {
	unsigned long cnt;
	unsigned long max;
	mm_phys_addr_t total_size;
	struct mm_memblock_region *regions;
	const char *name;
};

struct mm_memblock {
	bool bottom_up;
	mm_phys_addr_t current_limit;
	struct mm_memblock_type memory;
	struct mm_memblock_type reserved;
};

/* Read-only view of the machine's memblock (never NULL for a live machine). */
const struct mm_memblock *mm_memblock_get(const struct mm_machine *m);
/* Simulated physical address of each type's region array (0 while static). */
mm_phys_addr_t mm_memblock_array_phys(const struct mm_machine *m, bool reserved);

int mm_memblock_add(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_add_node(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size,
			 int nid, enum mm_memblock_flags flags);
int mm_memblock_remove(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_reserve(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_free(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_phys_free(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);

int mm_memblock_mark_hotplug(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_clear_hotplug(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
/* A no-op returning 0 unless cfg.kernelcore_mirror (kernelcore=mirror); with
 * it, marks the range MIRROR and makes every later allocation prefer
 * mirrored memory (a WARN report each time it falls back). */
int mm_memblock_mark_mirror(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_mark_nomap(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_clear_nomap(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size);
int mm_memblock_set_node(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size,
			 bool reserved_type, int nid);

void mm_memblock_set_bottom_up(struct mm_machine *m, bool enable);
void mm_memblock_set_current_limit(struct mm_machine *m, mm_phys_addr_t limit);
void mm_memblock_allow_resize(struct mm_machine *m);
/* movable_node_is_enabled(): allocation skips HOTPLUG regions while on. */
void mm_memblock_set_movable_node(struct mm_machine *m, bool enable);

/* memblock_phys_alloc_range: *out = base of a reserved, NOT zeroed range, or
 * -ENOMEM (kernel returns 0). align 0 warns and uses SMP_CACHE_BYTES; align
 * not a power of two is refused (-EINVAL, report). */
int mm_memblock_phys_alloc_range(struct mm_machine *m, mm_phys_addr_t size,
				 mm_phys_addr_t align, mm_phys_addr_t start,
				 mm_phys_addr_t end, mm_phys_addr_t *out);
/* memblock_phys_alloc_try_nid: on node nid if possible, any node otherwise. */
int mm_memblock_phys_alloc_try_nid(struct mm_machine *m, mm_phys_addr_t size,
				   mm_phys_addr_t align, int nid, mm_phys_addr_t *out);
/* memblock_alloc_try_nid(_raw): min_addr/max_addr window, retry with min 0;
 * zeroes the memory unless raw. exact_nid selects memblock_alloc_exact_nid_raw. */
int mm_memblock_alloc_try_nid(struct mm_machine *m, mm_phys_addr_t size, mm_phys_addr_t align,
			      mm_phys_addr_t min_addr, mm_phys_addr_t max_addr, int nid,
			      bool exact_nid, bool raw, mm_phys_addr_t *out);
/* memblock_alloc(size, align): anywhere below current_limit, zeroed. */
int mm_memblock_alloc(struct mm_machine *m, mm_phys_addr_t size, mm_phys_addr_t align,
		      mm_phys_addr_t *out);

void mm_memblock_trim_memory(struct mm_machine *m, mm_phys_addr_t align);
void mm_memblock_enforce_memory_limit(struct mm_machine *m, mm_phys_addr_t limit);

mm_phys_addr_t mm_memblock_phys_mem_size(const struct mm_machine *m);
mm_phys_addr_t mm_memblock_reserved_size(const struct mm_machine *m);
mm_phys_addr_t mm_memblock_start_of_DRAM(const struct mm_machine *m);
mm_phys_addr_t mm_memblock_end_of_DRAM(const struct mm_machine *m);
bool mm_memblock_is_memory(const struct mm_machine *m, mm_phys_addr_t addr);
bool mm_memblock_is_reserved(const struct mm_machine *m, mm_phys_addr_t addr);

/* memblock_free_all (modern): hand memory minus reserved below max_low_pfn
 * to the buddy allocator; *count = pages released (may be NULL). It ends
 * bootmem as free_all_bootmem does (mm_bootmem_handed_off). */
int mm_memblock_free_all(struct mm_machine *m, uint64_t *count);

#ifdef __cplusplus
}
#endif
#endif
