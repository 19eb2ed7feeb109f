/*
 * mmsim basic types and constants.
 *
 * Addresses are plain integers: a physical address is 64-bit whatever the
 * simulated profile, as phys_addr_t is on a PAE kernel. PAGE_SIZE is 4 KiB on
 * every profile mmsim models.
 */
#ifndef MMSIM_TYPES_H
#define MMSIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t mm_phys_addr_t;
typedef uint64_t mm_pfn_t;
typedef uint64_t mm_vaddr_t;

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE ((uint64_t)1 << MM_PAGE_SHIFT)
#define MM_PAGE_MASK (~(MM_PAGE_SIZE - 1))
#define MM_PHYS_ADDR_MAX UINT64_MAX

#define MM_PFN_DOWN(x) ((uint64_t)(x) >> MM_PAGE_SHIFT)
#define MM_PFN_PHYS(x) ((uint64_t)(x) << MM_PAGE_SHIFT)

#endif
