/*
 * Oracle for x86 paging_init (arch/x86/mm/init_32.c; mmsim/pgtable.h,
 * docs/fault.md "paging_init"): which arguments are refused, how many table
 * pages the layout takes, and the bytes every page it writes holds after the
 * call, computed from the hardware entry formats (x86_32 10/10/12 with
 * 4-byte entries, PAE 2/9/9/12 with 8-byte entries and a 4-entry PDPT).
 * Calls no library code; the harness feeds it the run the boot allocator
 * oracles (oracle_e820's find_e820_area, oracle_memblock) predicted.
 *
 * The contract the bytes follow (pgtable.h): swapper_pg_dir and every table
 * page are cleared before use; the run is handed out in the order the
 * tables are built: PAE's kernel PMD first, then the direct map's PTE
 * tables from low to high addresses, then pkmap's and fixmap's (fixmap the
 * last 4 GiB span, pkmap the one below); kernel entries are present, RW,
 * accessed and dirty (0x63), large pages add PSE (0xe3), PAE's PDPT entry is
 * the present bit alone; last of all the image's empty_zero_page is zeroed.
 */
#ifndef MMSIM_PROPS_ORACLE_PAGING_H
#define MMSIM_PROPS_ORACLE_PAGING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPAGING_PAGE_OFFSET 0xC0000000ull

struct opaging_args {
	uint64_t kernel_start, kernel_end, swapper, zero, lowmem_end;
	bool large;
	uint32_t source; /* 0: find_e820_area + reserve_early, 1: memblock */
};

struct opaging_page {
	uint64_t pfn;
	uint8_t bytes[4096];
};

struct opaging {
	bool pae;
	/* the pages the last build wrote, their final bytes (heap, reused) */
	struct opaging_page *pg;
	size_t nr, cap;
};

/* The documented argument rules: every address page-aligned, a non-empty
 * image holding two distinct pages swapper_pg_dir and empty_zero_page, a
 * direct map end that is not 0, covers the image and stays within the
 * machine's lowmem limit, and a known source. */
bool opaging_args_ok(const struct opaging_args *a, bool pae, uint64_t lowmem_limit);
/* Table pages the layout takes: one PTE table per direct-map span unless
 * large pages, PAE's kernel PMD, pkmap and fixmap. */
uint32_t opaging_tables(bool pae, bool large, uint64_t lowmem_end);
/* log2 of what one PTE table (or large page) maps: 22, PAE 21. */
static inline unsigned opaging_span_shift(bool pae) { return pae ? 21 : 22; }
/* Build the layout with the run at run_start: o->pg[0..nr) are the pages
 * written, with their bytes at the end of the call (before the zero page is
 * zeroed, which the caller applies last). */
void opaging_build(struct opaging *o, const struct opaging_args *a, uint64_t run_start);
void opaging_free(struct opaging *o);

/* The geometry pgtable.h documents per profile (0 x86_32, 1 PAE, 2 ARM). */
struct opaging_geometry {
	uint32_t levels, entry_size, pte_span_shift, ptrs_per_pte, pgd_pages;
	uint64_t task_size;
};
struct opaging_geometry opaging_geometry(uint32_t profile);
#endif
