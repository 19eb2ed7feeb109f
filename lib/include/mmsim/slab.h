/*
 * The slab allocator, SLUB (mm/slub.c, mm/slab_common.c), and kmalloc.
 *
 * mm_kmem_cache_init runs after the page allocator has its pages (the
 * hand-off): it creates the cache of caches ("kmem_cache", whose objects
 * stand for the struct kmem_cache of every cache, its own included) and the
 * kmalloc caches, normal and DMA, of sizes 8, 16, 32, 64, 96, 128, 192 and
 * the powers of two up to MM_KMALLOC_MAX_CACHE_SIZE (two pages). Larger
 * kmalloc requests go straight to the page allocator.
 *
 * Objects are named by their kernel virtual address in the lowmem direct
 * map: MM_PAGE_OFFSET + physical address, as kmalloc returns them. Their
 * bytes live in simulated physical memory (read and write them with
 * mm_phys_read/mm_phys_write at MM_VIRT_TO_PHYS(addr)), and so does SLUB's
 * metadata: the free pointer, red zones, poison and the owner tracks, laid
 * out as docs/slab.md describes. A cache is named by its id (1, 2, ... in
 * creation order, the lowest free id reused; "kmem_cache" is 1, then the
 * kmalloc caches by size, then their DMA twins).
 *
 * Each call validates its arguments (-EINVAL + INVALID_ARG report) and
 * refuses misuse with the kernel's words: freeing a free object ("Object
 * already free", DOUBLE_FREE), a pointer that is not the start of an object
 * or belongs to another cache or to no slab (BAD_FREE), destroying a cache
 * with live objects ("Objects remaining", BUG, -EBUSY). Corrupted metadata
 * (red zone, poison, padding, a stored free pointer that decodes out of its
 * slab) is reported as CORRUPTION when the allocator next looks at it (on
 * alloc, free, mm_kmem_cache_validate) and repaired, as slub_debug's
 * restore_bytes does.
 */
#ifndef MMSIM_SLAB_H
#define MMSIM_SLAB_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_PAGE_OFFSET 0xc0000000u /* x86-32 PAGE_OFFSET: lowmem is mapped here */
#define MM_VIRT_TO_PHYS(v) ((uint64_t)(v) - MM_PAGE_OFFSET)
#define MM_PHYS_TO_VIRT(p) ((uint64_t)(p) + MM_PAGE_OFFSET)
#define MM_ZERO_SIZE_PTR 16u               /* kmalloc(0): not NULL, never dereferenceable */
#define MM_KMALLOC_SHIFT_HIGH 13           /* PAGE_SHIFT + 1 */
#define MM_KMALLOC_MAX_CACHE_SIZE 8192u    /* 1 << KMALLOC_SHIFT_HIGH */
#define MM_KMALLOC_MIN_SIZE 8u
#define MM_NR_KMALLOC_CACHES 13            /* 8 .. 8192 with 96 and 192 */
#define MM_SLAB_MAX_CACHES 64              /* every cache, the boot ones included */
#define MM_SLAB_NAME_LEN 32
#define MM_KMEM_CACHE_OBJ_SIZE 128u        /* the simulated struct kmem_cache */
#define MM_SLAB_TRACK_SIZE 16u             /* one struct track: caller, cpu, pid, when */
#define MM_CACHE_LINE 64u                  /* cache_line_size() on x86 */

/* kmem_cache_create flags (the kernel's values). */
enum {
	MM_SLAB_RED_ZONE = 0x400u,       /* red zones around each object */
	MM_SLAB_POISON = 0x800u,         /* poison free objects (not with a constructor) */
	MM_SLAB_HWCACHE_ALIGN = 0x2000u, /* align objects on a cache line */
	MM_SLAB_CACHE_DMA = 0x4000u,     /* slab pages from ZONE_DMA */
	MM_SLAB_STORE_USER = 0x10000u,   /* alloc and free owner tracks after each object */
	MM_SLAB_VALID_FLAGS = 0x16c00u,
};

/* Constructors: the kernel passes a function; mmsim names one. */
enum mm_slab_ctor {
	MM_SLAB_CTOR_NONE = 0,
	/* Fills the object with MM_SLAB_CTOR_BYTE, then writes the object's
	 * own address (32-bit little-endian) into its first 4 bytes when the
	 * object has room for it. */
	MM_SLAB_CTOR_PATTERN = 1,
	MM_SLAB_CTOR_NR,
};
#define MM_SLAB_CTOR_BYTE 0xc7u

/* Slab metadata bytes (include/linux/poison.h). */
#define MM_SLUB_RED_INACTIVE 0xbbu
#define MM_SLUB_RED_ACTIVE 0xccu
#define MM_POISON_INUSE 0x5au
#define MM_POISON_FREE 0x6bu
#define MM_POISON_END 0xa5u

typedef uint32_t mm_kmem_cache_t;

/* kmem_cache_init: needs the zones (mm_free_area_init) and pages to
 * allocate. Allocates the first slab page of "kmem_cache". -EEXIST when
 * already done, -EINVAL before the zones exist or (an INVALID_ARG report)
 * when lowmem (the DMA and NORMAL zones) ends past the 1 GiB an object's
 * address PAGE_OFFSET + phys can reach, -ENOMEM (with an OOM report: the
 * kernel panics) when no page could be had. */
int mm_kmem_cache_init(struct mm_machine *m);

/* kmem_cache_create: size 1 .. KMALLOC_MAX_SIZE (PAGE_SIZE << (MAX_ORDER-1)),
 * align 0 or a power of two up to PAGE_SIZE, flags within
 * MM_SLAB_VALID_FLAGS, a NUL-terminated name (copied, at most 31 chars
 * kept). Allocates the cache's struct kmem_cache from "kmem_cache" (may
 * need a page: -ENOMEM). -ENOSPC + TABLE_FULL past MM_SLAB_MAX_CACHES. */
int mm_kmem_cache_create(struct mm_machine *m, const char *name, uint32_t size, uint32_t align,
			 uint32_t flags, enum mm_slab_ctor ctor, mm_kmem_cache_t *out);
/* kmem_cache_alloc: gfp may hold MM_GFP_ZERO, MM_GFP_HIGH,
 * MM_GFP_ATOMIC_HARDER, MM_GFP_COLD, MM_GFP_THISNODE and MM_GFP_DMA/HIGHMEM;
 * __GFP_HIGHMEM (and __GFP_DMA on a cache without SLAB_CACHE_DMA, which
 * the kernel silently ignores) is dropped with a WARN ("Unexpected gfp").
 * Other bits: -EINVAL. -ENOMEM when a new slab is needed and both of
 * allocate_slab's page allocations fail. */
int mm_kmem_cache_alloc(struct mm_machine *m, mm_kmem_cache_t cache, uint32_t gfp,
			mm_vaddr_t *out);
int mm_kmem_cache_free(struct mm_machine *m, mm_kmem_cache_t cache, mm_vaddr_t obj);
/* kmem_cache_shrink: flush every CPU slab, free every empty slab, sort
 * the partial lists fullest first. */
int mm_kmem_cache_shrink(struct mm_machine *m, mm_kmem_cache_t cache);
/* kmem_cache_destroy: refused for the boot caches (-EINVAL + BUG) and,
 * with "Objects remaining" (BUG, -EBUSY), while objects live (its CPU
 * slabs flushed and empty slabs freed all the same). */
int mm_kmem_cache_destroy(struct mm_machine *m, mm_kmem_cache_t cache);
/* validate_slab_cache: check every object of every slab (red zones,
 * poison, padding, the free pointers), reporting and repairing each
 * corruption. Returns the number of reports (>= 0). */
int mm_kmem_cache_validate(struct mm_machine *m, mm_kmem_cache_t cache);

/* kmalloc family. Size 0: *out = MM_ZERO_SIZE_PTR. A size above
 * MM_KMALLOC_MAX_CACHE_SIZE takes 2^get_order(size) pages (-ENOMEM when
 * the order is MAX_ORDER or more: the page allocator's WARN). */
int mm_kmalloc(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_vaddr_t *out);
int mm_kzalloc(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_vaddr_t *out);
/* kfree: 0 and MM_ZERO_SIZE_PTR are no-ops. */
int mm_kfree(struct mm_machine *m, mm_vaddr_t obj);
/* krealloc: the same object while ksize holds new_size; else a new one
 * with ksize(old) bytes copied and the old one freed; new_size 0 frees
 * and gives MM_ZERO_SIZE_PTR. On -ENOMEM the old object is untouched. */
int mm_krealloc(struct mm_machine *m, mm_vaddr_t obj, uint64_t new_size, uint32_t gfp,
		mm_vaddr_t *out);
/* ksize: the cache's object size, or the pages of a large kmalloc. */
int mm_ksize(struct mm_machine *m, mm_vaddr_t obj, uint64_t *out);
/* kmalloc_slab: the cache kmalloc(size, gfp) uses (-EINVAL for 0 or a
 * size above MM_KMALLOC_MAX_CACHE_SIZE). */
int mm_kmalloc_cache(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_kmem_cache_t *out);

/* Read-only view of a cache (the geometry is calculate_sizes'). */
struct mm_kmem_cache_info {
	char name[MM_SLAB_NAME_LEN];
	uint32_t flags;        /* as created, plus the slub_debug bits the hardening adds */
	uint32_t object_size;  /* the size asked for */
	uint32_t size;         /* the slot: object plus metadata, aligned */
	uint32_t align;
	uint32_t inuse;        /* object plus right red zone */
	uint32_t offset;       /* of the free pointer from the object's start */
	uint32_t red_left_pad;
	uint32_t order, objects;         /* s->oo */
	uint32_t min_order, min_objects; /* s->min (the fallback order) */
	uint32_t min_partial;
	uint32_t ctor;         /* enum mm_slab_ctor */
	uint64_t nr_slabs;     /* every slab of the cache */
	uint64_t nr_partial;   /* on the node partial lists */
	uint64_t live;         /* objects handed out and not freed */
	uint64_t ctor_calls;   /* constructor runs since creation */
	uint64_t self;         /* its struct kmem_cache: an object of "kmem_cache" */
};
int mm_kmem_cache_info(struct mm_machine *m, mm_kmem_cache_t cache, struct mm_kmem_cache_info *out);

#ifdef __cplusplus
}
#endif
#endif
