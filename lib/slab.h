/*
 * Private to the slab allocator (lib/slub.c and lib/slab_common.c): the
 * host-side records of caches and slabs (the kernel's struct kmem_cache,
 * struct slab and kmem_cache_cpu, in mm/slab.h), the constants both files
 * share, the small helpers both inline, and the few functions one file
 * calls in the other. Not a public header and not lib/internal.h: no other
 * stage sees these records.
 */
#ifndef MMSIM_LIB_SLAB_PRIVATE_H
#define MMSIM_LIB_SLAB_PRIVATE_H

#include <string.h>

#include "internal.h"

#define NO_SLAB (-1)
#define PTR 4u /* sizeof(void *) on the simulated kernel */
#define SLUB_MAX_ORDER 3u /* PAGE_ALLOC_COSTLY_ORDER */
#define MIN_PARTIAL 5u
#define MAX_PARTIAL 10u
#define MAX_OBJS_PER_PAGE 32767u
#define SHRINK_PROMOTE_MAX 32u
#define LARGE_MAPPING 0x6b6d616cull /* page->mapping of a large kmalloc head */
#define DIR_SHIFT 10
#define SLAB_DEBUG_FLAGS (MM_SLAB_RED_ZONE | MM_SLAB_POISON | MM_SLAB_STORE_USER)
/* The kmalloc/kfree fast path keeps every report out of line (a function
 * that may call mm_report saves and restores every callee-saved register):
 * the checks stay, their reports move to a cold function. */
#define SLAB_COLD __attribute__((noinline, cold))
#define SLAB_HOT static inline __attribute__((always_inline))
/* Byte walks (fill, find a byte that is not the pattern) and per-object
 * set-up left out of libFuzzer's coverage: their loop edges and comparison
 * hooks ran on every byte of every red zone and poison run, feeding the
 * fuzzer hit counts of no use (the branches that matter, a report or not,
 * are the callers'). A function inlined into an instrumented caller is
 * instrumented there: the per-object ones are noinline as well. clang
 * only: the libFuzzer presets build with clang, and gcc would warn. */
#if defined(__clang__)
#define SLAB_NOCOV __attribute__((no_sanitize("coverage")))
#else
#define SLAB_NOCOV
#endif
#define GFP_SLAB_OK                                                                    \
	(MM_GFP_DMA | MM_GFP_HIGHMEM | MM_GFP_HIGH | MM_GFP_COLD | MM_GFP_ZERO |         \
	 MM_GFP_THISNODE | MM_GFP_ATOMIC_HARDER)

/* One slab: the kernel's struct slab, kept host-side beside the pages. */
struct cache;

struct slab {
	uint64_t pfn;
	struct cache *s;   /* its cache: &st->cache[cache] (that table never moves) */
	uint8_t **frames;  /* host bytes of each page of the slab */
	uint32_t *next;    /* the model's record: each free object's successor */
	uint8_t *isfree;   /* per object: on a freelist */
	uint32_t base;     /* virtual address of the slab's first byte */
	uint32_t freelist; /* slab->freelist (0 = empty) */
	uint32_t inuse;    /* objects handed out */
	uint32_t objects;
	int32_t cpu;       /* frozen as this CPU's slab, or -1 */
	uint32_t cache;
	int32_t prev, nextp;       /* node partial list */
	int32_t all_prev, all_next; /* the cache's list of every slab */
	uint8_t order, node;
	bool partial, used;
};

struct cpu_slab {
	struct slab *sl;   /* &st->slabs[slab], NULL for none: the fast paths'
			    * copy, refreshed when the descriptor table moves */
	uint32_t freelist; /* c->freelist; never set in a debug cache */
	int32_t slab;      /* c->slab, NO_SLAB for none */
};

struct cache {
	bool used, debug, obj_poison;
	char name[MM_SLAB_NAME_LEN];
	uint32_t flags, object_size, size, align, inuse, offset, red_left_pad;
	uint32_t order, objects, min_order, min_objects, min_partial, ctor;
	uint32_t random;    /* s->random: the freelist secret */
	uint64_t recip;     /* ceil(2^40 / size) when size < 2^17 (reciprocal_value), else 0 */
	bool harden, swab;  /* MM_HARDEN_FREELIST, MM_FEAT_FREELIST_SWAB */
	uint32_t self;      /* its struct kmem_cache object in "kmem_cache" */
	uint32_t *random_seq; /* shuffle: a permutation of 0 .. objects-1 */
	struct cpu_slab cpu[MM_MAX_CPUS];
	int32_t partial_head[MM_MAX_NODES], partial_tail[MM_MAX_NODES];
	uint32_t nr_partial[MM_MAX_NODES];
	int32_t all_head;
	uint64_t nr_slabs, live, ctor_calls;
};

struct mm_slab_state {
	bool ready;
	struct cache *cache;  /* [MM_SLAB_MAX_CACHES + 1], id 0 unused */
	uint64_t used_ids;    /* bit id - 1: cache[id].used */
	uint32_t kmalloc[2][MM_NR_KMALLOC_CACHES];
	struct cache *kmalloc_c[2][MM_NR_KMALLOC_CACHES]; /* the same, NULL until init is done */
	struct slab *slabs;
	uint32_t nr_slabs, cap_slabs;
	int32_t free_slab;    /* unused descriptors, linked through nextp */
	uint32_t **slab_of;   /* pfn >> DIR_SHIFT: per pfn, slab index + 1 */
	uint32_t dir_len;
	uint32_t nr_cpus, max_order;
	uint64_t virt_end; /* end of the lowmem direct map */
	mm_pfn_t last_pfn; /* the last look-up's pfn and its slab (NULL: none) */
	struct slab *last_sl;
};

/* Small helpers both files inline. */

/* The host blocks of the slab records come from mm_host_alloc, which takes
 * the size back at free: a slab_of page, and a slab's one block of frame
 * pointers, successor records and free map (sized by its order and object
 * count, both fixed for the slab's life). */
#define SLAB_OF_PAGE_BYTES (((size_t)1 << DIR_SHIFT) * sizeof(uint32_t))

static inline size_t slab_buf_bytes(const struct slab *sl)
{
	return ((size_t)1 << sl->order) * sizeof(uint8_t *) +
	       (size_t)sl->objects * (sizeof(uint32_t) + 1);
}

static inline void slub_slab_buf_free(struct slab *sl)
{
	mm_host_free(sl->frames, slab_buf_bytes(sl));
	sl->frames = NULL;
}

static inline struct slab *SL(struct mm_slab_state *st, int32_t i) { return &st->slabs[i]; }

/* The smallest order whose block holds size bytes (0 for size 0). */
static inline unsigned get_order(uint64_t size)
{
	return size <= MM_PAGE_SIZE ? 0 : (unsigned)(64 - __builtin_clzll((size - 1) >> MM_PAGE_SHIFT));
}

/* floor(log2(x)), 0 for x 0 and 1. */
static inline unsigned ilog2_u32(uint32_t x)
{
	return x ? 31u - (unsigned)__builtin_clz(x) : 0;
}

static inline unsigned fls_u32(uint32_t x)
{
	return x ? ilog2_u32(x) + 1 : 0;
}

static inline uint32_t swab32(uint32_t x)
{
	return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

SLAB_HOT uint8_t *byte_at(const struct slab *sl, uint32_t va)
{
	uint32_t off = va - sl->base;
	return sl->frames[off >> MM_PAGE_SHIFT] + (off & (MM_PAGE_SIZE - 1));
}

/* The simulated kernel is little-endian: one host load (a free pointer
 * word never crosses a page), byte-swapped on a big-endian host. */
SLAB_HOT uint32_t rd32(const struct slab *sl, uint32_t va)
{
	uint32_t v;
	memcpy(&v, byte_at(sl, va), sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/* The slab holding pfn, with a one-entry cache of the last look-up (a
 * free mostly follows an alloc from the same slab), as the memmap keeps
 * its last chunk. */
SLAB_HOT struct slab *slab_of_pfn(struct mm_slab_state *st, mm_pfn_t pfn, int32_t *idx)
{
	uint64_t d = pfn >> DIR_SHIFT;
	uint32_t v;
	if (pfn == st->last_pfn && st->last_sl) {
		if (idx)
			*idx = (int32_t)(st->last_sl - st->slabs);
		return st->last_sl;
	}
	if (d >= st->dir_len || !st->slab_of[d])
		return NULL;
	v = st->slab_of[d][pfn & ((1u << DIR_SHIFT) - 1)];
	if (!v)
		return NULL;
	st->last_pfn = pfn;
	st->last_sl = &st->slabs[v - 1];
	if (idx)
		*idx = (int32_t)(v - 1);
	return st->last_sl;
}

/* off / size by a multiply (obj_to_index's reciprocal_divide): exact for
 * off < 2^22 (a slab of at most 4 MiB) and size < 2^17. */
SLAB_HOT uint32_t div_size(const struct cache *s, uint32_t off)
{
	return s->recip ? (uint32_t)(((uint64_t)off * s->recip) >> 40) : off / s->size;
}

SLAB_HOT uint32_t obj_index(const struct cache *s, const struct slab *sl, uint32_t obj)
{
	return div_size(s, obj - sl->base - s->red_left_pad);
}

/* check_valid_pointer: 0, or the start of an object of this slab. */
SLAB_HOT bool valid_pointer(const struct cache *s, const struct slab *sl, uint32_t p)
{
	uint32_t off, q;
	if (!p)
		return true;
	if (p < sl->base + s->red_left_pad)
		return false;
	off = p - sl->base - s->red_left_pad;
	q = div_size(s, off);
	return q < sl->objects && q * s->size == off;
}

SLAB_HOT uint32_t ptr_key(struct mm_machine *m, const struct cache *s, uint32_t slot)
{
	(void)m;
	if (!s->harden)
		return 0;
	return s->random ^ (s->swab ? swab32(slot) : slot);
}

static inline uint32_t info_end(const struct cache *s)
{
	return s->offset >= s->inuse ? s->inuse + PTR : s->inuse;
}

static inline uint32_t pad_start(const struct cache *s)
{
	return info_end(s) + ((s->flags & MM_SLAB_STORE_USER) ? 2 * MM_SLAB_TRACK_SIZE : 0);
}

static inline uint32_t size_from_object(const struct cache *s)
{
	return (s->flags & MM_SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

/* Always inline: in the fast paths, and so that mm_kmem_cache_info (out of
 * coverage) carries no trace-cmp hooks of its own copy. */
SLAB_HOT struct cache *cache_get(struct mm_machine *m, mm_kmem_cache_t id)
{
	struct mm_slab_state *st = m->slab;
	if (!st->ready || !id || id > MM_SLAB_MAX_CACHES || !st->cache[id].used)
		return NULL;
	return &st->cache[id];
}

static inline uint32_t order_objects(unsigned order, uint32_t size)
{
	return (uint32_t)((MM_PAGE_SIZE << order) / size);
}

/* The checks every entry point makes first (both files). */
static inline bool slab_ready(struct mm_machine *m, const char *fn)
{
	if (m->slab->ready)
		return true;
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_BUG, 0, "%s called before kmem_cache_init", fn);
	return false;
}

/* The argument checks every entry with a result pointer starts with: a
 * machine, kmem_cache_init done, and somewhere to put the answer. */
static inline bool slab_entry(struct mm_machine *m, bool have_out, const char *fn)
{
	if (!m || !slab_ready(m, fn))
		return false;
	if (!have_out)
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, 0, "%s: NULL out", fn);
	return have_out;
}

static inline struct cache *slab_cache_arg(struct mm_machine *m, mm_kmem_cache_t id, const char *fn)
{
	struct cache *s;
	if (!slab_ready(m, fn))
		return NULL;
	s = cache_get(m, id);
	if (!s)
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, id, "%s: no cache %u", fn, id);
	return s;
}

/* Defined in lib/slub.c, used by lib/slab_common.c. */
bool slub_find_other(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len, uint32_t *at);
void slub_remove_partial(struct mm_slab_state *st, struct cache *s, int32_t si);
void slub_discard_slab(struct mm_machine *m, struct cache *s, int32_t si);
void slub_flush_all(struct mm_machine *m, struct cache *s);
int slub_free_target(struct mm_machine *m, struct cache *want, uint64_t obj, struct cache **sp,
		       struct slab **slp, uint32_t *idxp);
int slab_gfp_check(struct mm_machine *m, uint32_t gfp, const char *fn);
int slub_alloc_obj(struct mm_machine *m, struct cache *s, uint32_t gfp, uint32_t *out);
int slub_free_obj(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj, uint32_t idx);
int slub_kmalloc_target(struct mm_machine *m, uint64_t obj, const char *fn, struct cache **s,
			struct slab **sl, uint32_t *idx, struct mm_page **large);

#endif /* MMSIM_LIB_SLAB_PRIVATE_H */
