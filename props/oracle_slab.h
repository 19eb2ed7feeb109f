/*
 * Oracle for SLUB and kmalloc, written from the semantics in docs/slab.md:
 * the caches' geometry (calculate_sizes, calculate_order, min_partial),
 * every slab with its objects' states and the order of its freelists, the
 * CPU slabs and their freelists, the node partial list (the harness's
 * machine has one node) and the pages the page allocator gave to slab and
 * large kmalloc, from which the page allocator's free count follows. The
 * fault-injection countdown is modelled: every page allocation counts.
 * Calls no library code. Every prediction (the return value, every report
 * by stage and kind) goes into the struct props_expect given to oslab_init
 * (the runner's r->expect), before the library is called.
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

#include "expect.h"

#define OSLAB_CACHES 64
#define OSLAB_CPUS 8
#define OSLAB_NO (-1)
#define OSLAB_PAGE_OFFSET 0xc0000000ull
#define OSLAB_NR_KMALLOC 13
#define OSLAB_KMEM_CACHE_SIZE 128u
#define OSLAB_TRACK 16u

/* Flags and bytes as slab.h documents them. */
enum {
	OSLAB_RED_ZONE = 0x400u, OSLAB_POISON = 0x800u, OSLAB_HWCACHE_ALIGN = 0x2000u,
	OSLAB_CACHE_DMA = 0x4000u, OSLAB_STORE_USER = 0x10000u,
};
enum { OSLAB_GFP_DMA = 0x1u, OSLAB_GFP_HIGHMEM = 0x2u, OSLAB_GFP_ZERO = 0x8000u };
enum { OSLAB_HARD_FREELIST = 1u, OSLAB_HARD_REDZONE = 2u, OSLAB_HARD_POISON = 4u, OSLAB_HARD_SHUFFLE = 0x80u };

struct oslab_list {
	uint32_t *v;
	uint8_t *unk;
	uint32_t n, cap;
};

struct oslab_slab {
	bool used, partial;
	uint64_t pfn;
	unsigned order;
	uint32_t objects, inuse, cache;
	int cpu;              /* frozen for this CPU, or -1 */
	struct oslab_list fl;   /* slab->freelist */
	uint8_t *live;        /* per object */
	uint64_t *seed;       /* per object: content pattern seed, 0 = none known */
	uint8_t *ctor_fresh;  /* per object: still holds the constructor's bytes */
};

struct oslab_cache {
	bool used, debug, obj_poison;
	uint32_t flags, object_size, size, align, inuse, offset, rlp;
	uint32_t order, objects, min_order, min_objects, min_partial, ctor;
	int32_t cpu_slab[OSLAB_CPUS];
	struct oslab_list cpufl[OSLAB_CPUS];
	int32_t *partial; /* node 0's partial list, head first */
	uint32_t npartial, cappartial;
	uint64_t nslabs, live, ctor_calls;
	uint64_t self; /* its struct kmem_cache object */
};

struct oslab_large {
	uint64_t pfn;
	unsigned order;
};

struct oslab {
	unsigned nr_cpus, max_order, cpu;
	uint32_t hardening;
	bool fault_on;
	uint32_t fault_after, fault_repeat;
	uint64_t free_pages;       /* the page allocator's free count */
	int64_t zfree[2];          /* of it, in DMA [0] and NORMAL [1] */
	uint64_t lowmem_pfn, dma_pfn; /* zone boundaries of the harness's machine */
	struct oslab_cache cache[OSLAB_CACHES + 1];
	uint32_t kmalloc[2][OSLAB_NR_KMALLOC];
	struct oslab_slab *slab;
	uint32_t nslab, capslab;
	struct oslab_large *large;
	uint32_t nlarge, caplarge;
	bool oom; /* host allocation failed */
	struct props_expect *x; /* where predictions go */
};

extern const uint32_t oslab_kmalloc_sizes[OSLAB_NR_KMALLOC];

void oslab_init(struct oslab *o, unsigned nr_cpus, unsigned max_order, uint32_t hardening,
		uint64_t free_pages, uint64_t lowmem_pfn, struct props_expect *x);
void oslab_free_all(struct oslab *o);
/* The fault countdown (SQLite form): true = this page allocation fails. */
void oslab_fault_set(struct oslab *o, bool on, uint32_t after, uint32_t repeat);
bool oslab_fault(struct oslab *o);

/* kmem_cache_init: the boot caches geometry. Returns
 * false when init runs out (the oracle then holds no cache). */
bool oslab_kmem_cache_init(struct oslab *o);

/* calculate_sizes + calculate_order into c; false if no order fits. */
bool oslab_geometry(const struct oslab *o, struct oslab_cache *c, uint32_t size, uint32_t align,
		  uint32_t flags, uint32_t ctor);
int oslab_free_id(const struct oslab *o);

/* One allocation, in two halves around the library's call. */
struct oslab_pick {
	int ret;          /* 0 or -ENOMEM */
	uint32_t cache;
	bool warn_gfp;    /* kmalloc_fix_flags reported (a new slab with __GFP_HIGHMEM) */
	bool fresh;       /* from a new slab of order new_order */
	unsigned new_order;
	int32_t slab;     /* an existing slab */
	bool percpu;
};
/* Predicts the return value (p->ret) and the WARN of a new slab asked with
 * __GFP_HIGHMEM into o->x. */
void oslab_alloc_begin(struct oslab *o, uint32_t cache, uint32_t gfp, struct oslab_pick *p);
/* The library gave vaddr: check it against the pick (msg on failure),
 * take the object, named by *slab_out and *idx_out. */
bool oslab_alloc_end(struct oslab *o, const struct oslab_pick *p, uint64_t vaddr, int32_t *slab_out,
		   uint32_t *idx_out, char *msg, size_t msglen);

/* Where vaddr lies: a slab (idx in range, exact object start or not), a
 * large kmalloc head, or nothing. */
enum oslab_where { OSLAB_W_NONE = 0, OSLAB_W_OBJ, OSLAB_W_INTERIOR, OSLAB_W_LARGE };
enum oslab_where oslab_lookup(const struct oslab *o, uint64_t vaddr, int32_t *slab, uint32_t *idx);
uint64_t oslab_obj_addr(const struct oslab *o, int32_t slab, uint32_t idx);
/* A valid free of a live object. */
void oslab_free(struct oslab *o, int32_t slab, uint32_t idx);
/* The free of a large kmalloc head (index into large[]). */
void oslab_large_free(struct oslab *o, uint32_t i);
/* A large kmalloc: the return value and the reports (slab WARN for
 * __GFP_HIGHMEM, page allocator WARN for an order past MAX_ORDER) predicted
 * into o->x; returns the return value. oslab_large_end learns the pfn. */
int oslab_large_begin(struct oslab *o, uint64_t size, uint32_t gfp);
bool oslab_large_end(struct oslab *o, uint64_t size, uint32_t gfp, uint64_t vaddr, char *msg, size_t msglen);

void oslab_shrink(struct oslab *o, uint32_t cache);
/* destroy: one BUG report per slab with objects, 0 or -EBUSY (one WARN),
 * predicted into o->x; returns the return value. On 0 the cache is gone and
 * its struct freed. */
int oslab_destroy(struct oslab *o, uint32_t cache);
/* kmem_cache_create after the argument checks: 0, -ENOMEM, -EINVAL (WARN),
 * -ENOSPC. */
int oslab_create(struct oslab *o, uint32_t size, uint32_t align, uint32_t flags, uint32_t ctor,
	       uint32_t *id);

/* Does pfn belong to a slab? */
bool oslab_pfn_slab(const struct oslab *o, uint64_t pfn);

/* The k-th (modulo) slab in use, or OSLAB_NO when there is none. */
int32_t oslab_nth_slab(const struct oslab *o, uint64_t k);
/* __free_pages(pfn, order) (put false) or put_page(pfn) (put true) by a
 * caller holding no reference, pfn a page of a live slab: the errno, its
 * one report predicted into o->x (docs/page_alloc.md, Misuse), nothing
 * changing. __free_pages: an order at or past MAX_ORDER INVALID_ARG, a
 * tail page or an order other than the slab's BAD_FREE; put_page of a
 * tail page (no references of its own) BAD_PAGE; otherwise the slab's own
 * reference is the last one, and free_pages_check finds PG_slab (and the
 * cache in page->mapping): BAD_PAGE. 1 (nothing predicted) when pfn is in
 * no live slab. */
int oslab_free_slab_pages(struct oslab *o, uint64_t pfn, unsigned order, bool put);
#endif
