/*
 * Processes and anonymous memory (mm/mmap.c, mm/mprotect.c, mm/memory.c,
 * kernel/fork.c): address spaces with VMAs, anonymous private mmap, munmap,
 * mprotect, fork, exit, and user accesses that behave as the MMU plus the
 * page-fault handler (the zero page on read faults, private pages on write
 * faults, copy-on-write after fork).
 *
 * Processes are named by a small id (creation order, never reused). Only
 * page-table pages and user pages come from the simulated page allocator
 * (each allocation is a fault-injection point); the mm and its VMAs are host
 * memory. VMAs are never merged (the kernel's vma_merge is not modelled), so
 * their number follows from the calls alone.
 *
 * Contracts the harnesses check exactly:
 *  - mmap without MAP_FIXED: the hint (rounded up to a page) if the whole range
 *    is free and inside [MM_MMAP_MIN_ADDR, TASK_SIZE); else the highest free
 *    gap below mmap_base = TASK_SIZE - 128 MiB (top-down); else the lowest
 *    free gap above it; else -ENOMEM. MAP_FIXED unmaps what was there first.
 *  - A user access checks every page of the range against the VMAs first
 *    (no VMA, a write to a VMA without PROT_WRITE, any access to PROT_NONE:
 *    -EFAULT, nothing changed); then, page by page from the lowest, faults
 *    the page in and copies its bytes (an allocation failure: -ENOMEM, the
 *    pages before it faulted in and copied, as a partial copy_to_user).
 *  - Page tables: a PTE table is allocated on the first fault in its span
 *    and freed when munmap leaves no VMA intersecting its span (or at exit).
 *    fork gives the child its top-level table (PAE: and its three user PMDs),
 *    then walks the parent's VMAs in address order and, per PTE-table span
 *    holding a mapped entry of that VMA, a table (if it has none there yet)
 *    before copying that VMA's entries of the span.
 *  - Reuse on a write fault to a read-only entry of an anonymous page:
 *    mapcount == 1 (2.6.29-5.8), or refcount == 1 with MM_FEAT_REUSE_REFCOUNT.
 *  - mprotect makes every entry of the range read-only (private mappings
 *    never get write permission from their protection), PROT_NONE entries
 *    not present.
 */
#ifndef MMSIM_FAULT_H
#define MMSIM_FAULT_H

#include "mmsim/machine.h"
#include "mmsim/pgtable.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { MM_PROT_NONE = 0, MM_PROT_READ = 1, MM_PROT_WRITE = 2, MM_PROT_EXEC = 4 };
enum { MM_MAP_FIXED = 0x10 };
#define MM_MMAP_MIN_ADDR 0x10000u
#define MM_MAX_MAP_COUNT 65530u /* the kernel's default vm.max_map_count */
#define MM_MAX_PROCESSES 4096u

/* Set up the fault subsystem after the page allocator has its pages: the
 * zero page. mmsim takes it here, from the page allocator, as an allocated
 * page held forever (flagged as the zero page) when paging_init has not
 * provided one. -EEXIST on a second call; -ENOMEM if no page. */
int mm_fault_init(struct mm_machine *m);
int mm_zero_page_pfn(struct mm_machine *m, mm_pfn_t *out);

/* mm_alloc: a new empty address space (its top-level table allocated). */
int mm_mm_alloc(struct mm_machine *m, uint32_t *id_out);
/* dup_mm: fork of process parent. -ENOMEM (the child torn down, nothing
 * leaked; parent entries already write-protected stay so). */
int mm_dup_mm(struct mm_machine *m, uint32_t parent, uint32_t *child_out);
/* mmput of the last user: exit_mmap, every page and table dropped. */
int mm_mmput(struct mm_machine *m, uint32_t id);

int mm_do_mmap(struct mm_machine *m, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot,
	       uint32_t flags, uint64_t *addr_out);
int mm_do_munmap(struct mm_machine *m, uint32_t id, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm_machine *m, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot);

/* User accesses of [addr, addr + len) in process id (see the contract above). */
int mm_user_read(struct mm_machine *m, uint32_t id, uint64_t addr, void *buf, size_t len);
int mm_user_write(struct mm_machine *m, uint32_t id, uint64_t addr, const void *buf, size_t len);

/* get_user_pages of one page with an extra reference (a pin). write: FOLL_WRITE
 * (the VMA must allow writing; a shared or zero-page entry is COW-broken
 * first). A read pin of the zero page takes no reference (as pinning the zero
 * page is a no-op in modern kernels) and needs no unpin. */
int mm_get_user_pages(struct mm_machine *m, uint32_t id, uint64_t addr, bool write,
		      mm_pfn_t *pfn_out);
/* unpin_user_page: drop a pin taken by mm_get_user_pages; the last reference
 * frees the page. A pfn with no pin: BAD_PAGE report, -EINVAL. The zero
 * page: 0, nothing done. */
int mm_unpin_user_page(struct mm_machine *m, mm_pfn_t pfn);

/* follow_page without side effects: the leaf entry mapping addr, -ENOENT if
 * none (no table or an empty entry). */
int mm_follow_page(struct mm_machine *m, uint32_t id, uint64_t addr, struct mm_pte_info *out);
/* walk_page_range over the whole user space: fn(arg, va, entry) for every
 * non-empty leaf entry in address order (an entry no encoding produces is
 * passed with its decoded flags and the walk returns -EFAULT after it); a
 * non-zero return from fn stops the walk and is returned. Cost: one look-up
 * per PTE-table span, one read per entry of each table present. */
typedef int (*mm_pte_walk_fn)(void *arg, uint64_t va, const struct mm_pte_info *pte);
int mm_walk_page_range(struct mm_machine *m, uint32_t id, mm_pte_walk_fn fn, void *arg);
/* MM_ANONPAGES (the zero page counts for none) and page-table pages (PTE
 * tables only) of a live process. */
int mm_get_mm_counter(struct mm_machine *m, uint32_t id, uint64_t *anon_rss,
		      uint64_t *pte_tables);
/* The pfn of process id's top-level table (mm->pgd), for tests that read
 * or corrupt entries through simulated physical memory. */
int mm_mm_pgd(struct mm_machine *m, uint32_t id, mm_pfn_t *pgd);
/* Pins held on pfn (0 for any page without one). */
uint32_t mm_page_pins(struct mm_machine *m, mm_pfn_t pfn);

#ifdef __cplusplus
}
#endif
#endif
