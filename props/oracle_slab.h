/*
 * Oracle for SLUB and kmalloc, written from the semantics in docs/slab.md:
 * the caches' geometry (calculate_sizes, calculate_order, min_partial),
 * every slab with its objects' states and the order of its freelists, the
 * CPU slabs and their freelists, the node partial list (the harness's
 * machine has one node) and the pages the page allocator gave to slab and
 * large kmalloc, from which the page allocator's free count follows. The
 * fault-injection countdown is modelled: every page allocation counts.
 * Calls no library code.
 *
 * Freelists are stacks (v[n-1] is the head). A new slab's freelist under
 * freelist randomisation is an unknown permutation: its entries carry the
 * unk flag, and a pop from a run of unk entries at the head accepts any
 * entry of the run (the library's answer says which).
 */
#ifndef MMSIM_PROPS_ORACLE_SLAB_H
#define MMSIM_PROPS_ORACLE_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OSL_CACHES 64
#define OSL_CPUS 8
#define OSL_NO (-1)
#define OSL_PAGE_OFFSET 0xc0000000ull
#define OSL_NR_KMALLOC 13
#define OSL_KMEM_CACHE_SIZE 128u
#define OSL_TRACK 16u

/* Flags and bytes as slab.h documents them. */
enum {
	OSL_RED_ZONE = 0x400u, OSL_POISON = 0x800u, OSL_HWCACHE_ALIGN = 0x2000u,
	OSL_CACHE_DMA = 0x4000u, OSL_STORE_USER = 0x10000u,
};
enum { OSL_GFP_DMA = 0x1u, OSL_GFP_HIGHMEM = 0x2u, OSL_GFP_ZERO = 0x8000u };
enum { OSL_HARD_FREELIST = 1u, OSL_HARD_REDZONE = 2u, OSL_HARD_POISON = 4u, OSL_HARD_SHUFFLE = 0x80u };

struct osl_list {
	uint32_t *v;
	uint8_t *unk;
	uint32_t n, cap;
};

struct osl_slab {
	bool used, partial;
	uint64_t pfn;
	unsigned order;
	uint32_t objects, inuse, cache;
	int cpu;              /* frozen for this CPU, or -1 */
	struct osl_list fl;   /* slab->freelist */
	uint8_t *live;        /* per object */
	uint64_t *seed;       /* per object: content pattern seed, 0 = none known */
	uint8_t *ctor_fresh;  /* per object: still holds the constructor's bytes */
};

struct osl_cache {
	bool used, debug, obj_poison;
	uint32_t flags, object_size, size, align, inuse, offset, rlp;
	uint32_t order, objects, min_order, min_objects, min_partial, ctor;
	int32_t cpu_slab[OSL_CPUS];
	struct osl_list cpufl[OSL_CPUS];
	int32_t *partial; /* node 0's partial list, head first */
	uint32_t npartial, cappartial;
	uint64_t nslabs, live, ctor_calls;
	uint64_t self; /* its struct kmem_cache object */
};

struct osl_large {
	uint64_t pfn;
	unsigned order;
};

struct osl {
	unsigned nr_cpus, max_order, cpu;
	uint32_t hardening;
	bool fault_on;
	uint32_t fault_after, fault_repeat;
	uint64_t free_pages;       /* the page allocator's free count */
	int64_t zfree[2];          /* of it, in DMA [0] and NORMAL [1] */
	uint64_t lowmem_pfn, dma_pfn; /* zone boundaries of the harness's machine */
	struct osl_cache cache[OSL_CACHES + 1];
	uint32_t kmalloc[2][OSL_NR_KMALLOC];
	struct osl_slab *slab;
	uint32_t nslab, capslab;
	struct osl_large *large;
	uint32_t nlarge, caplarge;
	bool oom; /* host allocation failed */
};

extern const uint32_t osl_kmalloc_sizes[OSL_NR_KMALLOC];

void osl_init(struct osl *o, unsigned nr_cpus, unsigned max_order, uint32_t hardening,
	      uint64_t free_pages, uint64_t lowmem_pfn);
void osl_free_all(struct osl *o);
/* The fault countdown (SQLite form): true = this page allocation fails. */
void osl_fault_set(struct osl *o, bool on, uint32_t after, uint32_t repeat);
bool osl_fault(struct osl *o);

/* kmem_cache_init: the boot caches geometry. Returns
 * false when init runs out (the oracle then holds no cache). */
bool osl_kmem_cache_init(struct osl *o);

/* calculate_sizes + calculate_order into c; false if no order fits. */
bool osl_geometry(const struct osl *o, struct osl_cache *c, uint32_t size, uint32_t align,
		  uint32_t flags, uint32_t ctor);
int osl_free_id(const struct osl *o);

/* One allocation, in two halves around the library's call. */
struct osl_pick {
	int ret;          /* 0 or -ENOMEM */
	uint32_t cache;
	bool warn_gfp;    /* kmalloc_fix_flags reported (a new slab with __GFP_HIGHMEM) */
	bool fresh;       /* from a new slab of order new_order */
	unsigned new_order;
	int32_t slab;     /* an existing slab */
	bool percpu;
};
void osl_alloc_begin(struct osl *o, uint32_t cache, uint32_t gfp, struct osl_pick *p);
/* The library gave vaddr: check it against the pick (msg on failure),
 * take the object, named by *slab_out and *idx_out. */
bool osl_alloc_end(struct osl *o, const struct osl_pick *p, uint64_t vaddr, int32_t *slab_out,
		   uint32_t *idx_out, char *msg, size_t msglen);

/* Where vaddr lies: a slab (idx in range, exact object start or not), a
 * large kmalloc head, or nothing. */
enum osl_where { OSL_W_NONE = 0, OSL_W_OBJ, OSL_W_INTERIOR, OSL_W_LARGE };
enum osl_where osl_lookup(const struct osl *o, uint64_t vaddr, int32_t *slab, uint32_t *idx);
uint64_t osl_obj_addr(const struct osl *o, int32_t slab, uint32_t idx);
/* A valid free of a live object. */
void osl_free(struct osl *o, int32_t slab, uint32_t idx);
/* The free of a large kmalloc head (index into large[]). */
void osl_large_free(struct osl *o, uint32_t i);
/* A large kmalloc: ret predicted; commit learns the pfn. */
int osl_large_begin(struct osl *o, uint64_t size, bool *page_warn);
bool osl_large_end(struct osl *o, uint64_t size, uint32_t gfp, uint64_t vaddr, char *msg, size_t msglen);

void osl_shrink(struct osl *o, uint32_t cache);
/* destroy: the BUG reports (partial slabs with objects) in *bugs; returns
 * 0 or -EBUSY (one WARN). On 0 the cache is gone and its struct freed. */
int osl_destroy(struct osl *o, uint32_t cache, uint32_t *bugs);
/* kmem_cache_create after the argument checks: 0, -ENOMEM, -EINVAL (WARN),
 * -ENOSPC. */
int osl_create(struct osl *o, uint32_t size, uint32_t align, uint32_t flags, uint32_t ctor,
	       uint32_t *id);

/* Does pfn belong to a slab? */
bool osl_pfn_slab(const struct osl *o, uint64_t pfn);

#endif
