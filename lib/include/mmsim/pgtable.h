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

#ifdef __cplusplus
}
#endif
#endif
