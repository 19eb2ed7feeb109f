/*
 * Page tables (arch/x86/mm, arch/arm/mm, mm/memory.c): the entry format of
 * each profile and a read-only walk for harnesses and tests.
 *
 * Geometry per profile: x86_32 two levels of 1,024 four-byte entries (10/10/12,
 * a PTE table maps 4 MiB); PAE a 4-entry PDPT of eight-byte entries, then 512-
 * entry PMD and PTE tables (2/9/9/12, a PTE table maps 2 MiB); ARM the
 * short-descriptor layout, 4,096 first-level entries of 1 MiB (a 16 KiB
 * table) and 256-entry second-level tables (a PTE table maps 1 MiB). Entries
 * live in simulated physical memory as bytes, so a corrupted entry is what a
 * walk and mm_verify read.
 */
#ifndef MMSIM_PGTABLE_H
#define MMSIM_PGTABLE_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A leaf entry's meaning, profile-independent (each profile encodes these
 * in its own bit positions). A PROT_NONE entry is not present but still
 * maps its page (the kernel's _PAGE_PROTNONE). */
enum {
	MM_PTE_PRESENT = 1u << 0,
	MM_PTE_RW = 1u << 1,
	MM_PTE_USER = 1u << 2,
	MM_PTE_ACCESSED = 1u << 3,
	MM_PTE_DIRTY = 1u << 4,
	MM_PTE_SPECIAL = 1u << 5, /* no struct page behind it counts (the zero page) */
	MM_PTE_PROTNONE = 1u << 6,
};

struct mm_pte_info {
	mm_pfn_t pfn;
	uint32_t flags; /* MM_PTE_* */
};

/* The geometry of the machine's profile. */
struct mm_pgtable_geometry {
	uint32_t levels;        /* 2, or 3 for PAE */
	uint32_t entry_size;    /* bytes per entry: 4, or 8 for PAE */
	uint32_t pte_span_shift; /* log2 of what one PTE table maps: 22, 21, 20 */
	uint32_t ptrs_per_pte;  /* 1024, 512, 256 */
	uint32_t pgd_pages;     /* pages of a top-level table: 1, or 4 (ARM's 16 KiB) */
	uint64_t task_size;     /* user address space: 0xC0000000, ARM 0xBF000000 */
};
int mm_pgtable_geometry(const struct mm_machine *m, struct mm_pgtable_geometry *out);

/* ---- paging_init (x86) --------------------------------------------------- */

/* Where the kernel page table's pages come from: 2.6.29's find_e820_area +
 * reserve_early("PGTABLE"), or modern memblock (alloc_low_pages). */
enum { MM_PGT_FROM_EARLY_RES = 0, MM_PGT_FROM_MEMBLOCK = 1 };
/* ARM: 2.6.29's bootmem path uses MM_PGT_FROM_EARLY_RES's value (the boot
 * allocator of that era is bootmem there), modern memblock the other. */
#define MM_PGT_FROM_BOOTMEM MM_PGT_FROM_EARLY_RES

struct mm_paging_init_args {
	uint64_t kernel_start, kernel_end; /* the image [_text, _end), physical */
	uint64_t swapper_pg_dir;           /* a page of the image (.bss) */
	uint64_t empty_zero_page;          /* a page of the image (.bss) */
	uint64_t lowmem_end;               /* max_low_pfn as bytes: the direct map's end */
	bool large_pages;                  /* PSE: 4 MiB (x86_32) / 2 MiB (PAE) direct map */
	uint32_t source;                   /* MM_PGT_FROM_* */
	/* ARM only: PHYS_OFFSET, the vmalloc= reserve (0: 128 MiB) and
	 * CONFIG_HIGHMEM, for sanity_check_meminfo. The banks come from
	 * mm_meminfo_add; lowmem_end and empty_zero_page are not used. */
	uint64_t phys_offset, vmalloc_reserve;
	bool highmem;
};

struct mm_paging_info {
	mm_phys_addr_t pgtable_start, pgtable_end; /* the table pages taken, contiguous */
	uint32_t tables;                           /* how many */
	mm_pfn_t swapper_pg_dir, zero_pfn;
	uint64_t pkmap_base, fixaddr_start;        /* virtual: pkmap's and fixmap's spans */
};

/* paging_init for x86 (arch/x86/mm/init_32.c): swapper_pg_dir with the
 * lowmem direct map at PAGE_OFFSET (kernel_physical_mapping_init: large
 * pages when asked, else one PTE table per span), PAE's kernel PMD, the pkmap
 * and fixmap PTE tables (the two top spans of the address space: fixmap the
 * last, pkmap the one below), all taken at once as one contiguous run; the
 * image's empty_zero_page zeroed and made the zero page mm_fault_init adopts.
 * New address spaces share the kernel part (clone_pgd_range).
 *
 * ARM (arch/arm/mm/mmu.c), in the kernel's order: sanity_check_meminfo (banks
 * sorted), prepare_page_table (swapper_pg_dir, 16 KiB, cleared), map_lowmem
 * (1 MiB sections), bootmem_init per node (2.6.29: the node's memmap and
 * bootmem bitmap just after the kernel on node 0, every lowmem bank freed,
 * then on node 0 the kernel [kernel_start, kernel_end) and [phys_offset,
 * swapper_pg_dir + 16 KiB) reserved; modern: the banks go to memblock with
 * the same reservations first), free_area_init, the vectors page and its
 * second-level table, kmap_init's pkmap table, then the zero page: each page
 * from alloc_bootmem_low_pages (2.6.29) or memblock below the lowmem end
 * (modern), zeroed. On ARM the memmap and zones exist after the call, and
 * cfg.lowmem_limit must cover the lowmem banks (the zones' NORMAL limit is
 * physical: set it to the banks' lowmem end).
 *
 * -EINVAL for bad arguments (INVALID_ARG), -EEXIST on a second call, -ENOMEM
 * when the allocator has no room. */
int mm_paging_init(struct mm_machine *m, const struct mm_paging_init_args *a,
		   struct mm_paging_info *out);
/* The kernel page table's entry for va (direct map, pkmap, fixmap, ARM's
 * vectors): a large page or section is reported as the 4 KiB page within
 * it. -ENOENT if none; -EINVAL below TASK_SIZE. */
int mm_kernel_follow(struct mm_machine *m, uint64_t va, struct mm_pte_info *out);

#ifdef __cplusplus
}
#endif
#endif
