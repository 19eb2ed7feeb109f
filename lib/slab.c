/*
 * The SLUB slab allocator and kmalloc (mm/slub.c, mm/slab_common.c of 6.x).
 *
 * Models: the cache of caches bootstrapped from the page allocator, the
 * kmalloc size classes (normal and DMA), calculate_sizes' object layout
 * (free pointer in the middle of the object or after it, red zones, poison,
 * owner tracks, padding), calculate_order and min_partial, per-node partial
 * lists, one CPU slab with its lockless freelist per logical CPU, remote
 * frees to the slab's own freelist, deactivation, shrink's fullest-first
 * sort, destroy, large kmalloc from the page allocator, freelist pointer
 * hardening (the stored pointer XOR a per-cache secret XOR the (byte-swapped)
 * slot address), freelist randomisation, and the slub_debug checks of red
 * zones, poison and padding on alloc, free and validate.
 *
 * Departs from the kernel: no cache merging (slab_nomerge), no CPU partial
 * lists (CONFIG_SLUB_CPU_PARTIAL off), no memcg, no RCU. A debug cache (red
 * zone, poison or store-user) takes objects one by one from the node
 * partial lists as the kernel's does, without CPU slabs. A detected
 * corruption is reported and repaired (restore_bytes; a stored free pointer
 * is rewritten from the model's own record of each free object's successor,
 * where the kernel cuts the chain and leaks the rest), and the operation
 * goes on. Double frees are always refused (the model keeps a free map per
 * slab: it cannot carry a cyclic freelist), in the kernel's words of the
 * debug check. Fault injection counts the page allocations only (each is
 * one mm_alloc_pages_node call; allocate_slab makes two when the first
 * fails). The pointer width is the simulated kernel's: 32 bits.
 */
#include <stdio.h>
#include <stdlib.h>
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
#define GFP_SLAB_OK                                                                    \
	(MM_GFP_DMA | MM_GFP_HIGHMEM | MM_GFP_HIGH | MM_GFP_COLD | MM_GFP_ZERO |         \
	 MM_GFP_THISNODE | MM_GFP_ATOMIC_HARDER)

static const uint32_t kmalloc_sizes[MM_NR_KMALLOC_CACHES] = { 8,   16,   32,   64,   96,
							      128, 192,  256,  512,  1024,
							      2048, 4096, 8192 };

/* One slab: the kernel's struct slab, kept host-side beside the pages. */
struct slab {
	uint64_t pfn;
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
	int32_t slab;      /* c->slab, NO_SLAB for none */
	uint32_t freelist; /* c->freelist */
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
	uint32_t kmalloc[2][MM_NR_KMALLOC_CACHES];
	struct slab *slabs;
	uint32_t nr_slabs, cap_slabs;
	int32_t free_slab;    /* unused descriptors, linked through nextp */
	uint32_t **slab_of;   /* pfn >> DIR_SHIFT: per pfn, slab index + 1 */
	uint32_t dir_len;
	uint32_t nr_cpus, max_order;
	uint64_t virt_end; /* end of the lowmem direct map */
	mm_pfn_t last_pfn; /* the last look-up's pfn and its slab + 1 (0: none) */
	uint32_t last_v;
};

/* ---- table of contents ---------------------------------------------------- */
/* Geometry: calculate_sizes and calculate_order. */
static bool cache_geometry(struct mm_machine *m, struct cache *s);
/* Slab pages: allocate_slab / discard_slab. */
static int new_slab(struct mm_machine *m, struct cache *s, uint32_t gfp, int32_t *out);
static void discard_slab(struct mm_machine *m, struct cache *s, int32_t si);
/* The two allocation paths, and the free path. */
SLAB_HOT int slab_alloc(struct mm_machine *m, struct cache *s, uint32_t gfp, uint32_t *out);
SLAB_HOT int slab_free(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
		      uint32_t idx);
/* Flush a CPU slab back to the node lists. */
static void deactivate(struct mm_machine *m, struct cache *s, unsigned cpu);
/* The slub_debug object check; returns the reports made. */
static int check_object(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
			uint8_t val);

/* ===================================================================== */
/* Small helpers                                                          */
/* ===================================================================== */

static inline struct slab *SL(struct mm_slab_state *st, int32_t i) { return &st->slabs[i]; }

static unsigned get_order(uint64_t size)
{
	unsigned o = 0;
	while ((MM_PAGE_SIZE << o) < size)
		o++;
	return o;
}

static unsigned ilog2_u32(uint32_t x)
{
	unsigned r = 0;
	while (x >>= 1)
		r++;
	return r;
}

static unsigned fls_u32(uint32_t x)
{
	return x ? ilog2_u32(x) + 1 : 0;
}

static uint32_t swab32(uint32_t x)
{
	return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

static uint8_t *byte_at(const struct slab *sl, uint32_t va)
{
	uint32_t off = va - sl->base;
	return sl->frames[off >> MM_PAGE_SHIFT] + (off & (MM_PAGE_SIZE - 1));
}

static uint32_t rd32(const struct slab *sl, uint32_t va)
{
	const uint8_t *p = byte_at(sl, va); /* a free pointer word never crosses a page */
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(const struct slab *sl, uint32_t va, uint32_t v)
{
	uint8_t *p = byte_at(sl, va);
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The page-sized pieces of [va, va + len) inside one slab. */
static void fill(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len)
{
	while (len) {
		uint32_t in = (uint32_t)(MM_PAGE_SIZE - ((va - sl->base) & (MM_PAGE_SIZE - 1)));
		uint32_t n = len < in ? len : in;
		memset(byte_at(sl, va), v, n);
		va += n;
		len -= n;
	}
}

/* First byte of [va, va + len) that is not v: true and *at, or false. */
static bool find_other(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len, uint32_t *at)
{
	while (len) {
		uint32_t in = (uint32_t)(MM_PAGE_SIZE - ((va - sl->base) & (MM_PAGE_SIZE - 1)));
		uint32_t n = len < in ? len : in;
		const uint8_t *p = byte_at(sl, va);
		const uint64_t w = 0x0101010101010101ull * v;
		uint32_t i = 0;
		/* eight bytes at a time while they match, then byte by byte */
		for (; i + 8 <= n; i += 8) {
			uint64_t x;
			memcpy(&x, p + i, 8);
			if (x != w)
				break;
		}
		for (; i < n; i++)
			if (p[i] != v) {
				*at = va + i;
				return true;
			}
		va += n;
		len -= n;
	}
	return false;
}

/* The slab holding pfn, with a one-entry cache of the last look-up (a
 * free mostly follows an alloc from the same slab), as the memmap keeps
 * its last chunk. */
SLAB_HOT struct slab *slab_of_pfn(struct mm_slab_state *st, mm_pfn_t pfn, int32_t *idx)
{
	uint64_t d = pfn >> DIR_SHIFT;
	uint32_t v;
	if (pfn == st->last_pfn && st->last_v) {
		v = st->last_v;
	} else {
		if (d >= st->dir_len || !st->slab_of[d])
			return NULL;
		v = st->slab_of[d][pfn & ((1u << DIR_SHIFT) - 1)];
		if (!v)
			return NULL;
		st->last_pfn = pfn;
		st->last_v = v;
	}
	if (idx)
		*idx = (int32_t)(v - 1);
	return &st->slabs[v - 1];
}

static bool slab_of_set(struct mm_slab_state *st, mm_pfn_t pfn, uint32_t v)
{
	uint64_t d = pfn >> DIR_SHIFT;
	if (NEVER(d >= st->dir_len))
		return false;
	if (!st->slab_of[d]) {
		st->slab_of[d] = calloc((size_t)1 << DIR_SHIFT, sizeof(uint32_t));
		if (!st->slab_of[d])
			return false;
	}
	st->slab_of[d][pfn & ((1u << DIR_SHIFT) - 1)] = v;
	st->last_v = 0; /* the cached look-up may be this pfn's */
	return true;
}

static struct cache *cache_get(struct mm_machine *m, mm_kmem_cache_t id)
{
	struct mm_slab_state *st = m->slab;
	if (!st->ready || !id || id > MM_SLAB_MAX_CACHES || !st->cache[id].used)
		return NULL;
	return &st->cache[id];
}

/* off / size by a multiply (obj_to_index's reciprocal_divide): exact for
 * off < 2^22 (a slab of at most 4 MiB) and size < 2^17. */
static inline uint32_t div_size(const struct cache *s, uint32_t off)
{
	return s->recip ? (uint32_t)(((uint64_t)off * s->recip) >> 40) : off / s->size;
}

static inline uint32_t obj_index(const struct cache *s, const struct slab *sl, uint32_t obj)
{
	return div_size(s, obj - sl->base - s->red_left_pad);
}

/* check_valid_pointer: 0, or the start of an object of this slab. */
static inline bool valid_pointer(const struct cache *s, const struct slab *sl, uint32_t p)
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

/* ===================================================================== */
/* Freelist pointers                                                      */
/* ===================================================================== */

static inline uint32_t ptr_key(struct mm_machine *m, const struct cache *s, uint32_t slot)
{
	(void)m;
	if (!s->harden)
		return 0;
	return s->random ^ (s->swab ? swab32(slot) : slot);
}

SLAB_HOT void set_freepointer_idx(struct mm_machine *m, const struct cache *s, struct slab *sl,
				uint32_t obj, uint32_t idx, uint32_t next)
{
	uint32_t slot = obj + s->offset;
	wr32(sl, slot, next ^ ptr_key(m, s, slot));
	sl->next[idx] = next;
}

static void set_freepointer(struct mm_machine *m, const struct cache *s, struct slab *sl,
			    uint32_t obj, uint32_t next)
{
	set_freepointer_idx(m, s, sl, obj, obj_index(s, sl, obj), next);
}

/* get_freepointer with the range check: a stored pointer that decodes
 * outside the slab is "Freepointer corrupt" (reported, rewritten from the
 * record). One that decodes to another object is followed by the model's
 * record (the kernel would follow it), and rewritten. */
static SLAB_COLD uint32_t freepointer_mismatch(struct mm_machine *m, const struct cache *s,
					       struct slab *sl, uint32_t obj, uint32_t want,
					       uint32_t dec, int *reports)
{
	uint32_t slot = obj + s->offset;

	if (!valid_pointer(s, sl, dec)) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_CORRUPTION, obj,
			  "BUG %s (Not tainted): Freepointer corrupt: object %#x next %#x", s->name,
			  obj, dec);
		if (reports)
			(*reports)++;
	}
	wr32(sl, slot, want ^ ptr_key(m, s, slot));
	return want;
}

/* The stored free pointer of obj decodes to the model's record. */
SLAB_HOT bool freepointer_intact(struct mm_machine *m, const struct cache *s, const struct slab *sl,
				 uint32_t obj, uint32_t idx)
{
	uint32_t slot = obj + s->offset;
	return (rd32(sl, slot) ^ ptr_key(m, s, slot)) == sl->next[idx];
}

SLAB_HOT uint32_t get_freepointer_idx(struct mm_machine *m, const struct cache *s, struct slab *sl,
				      uint32_t obj, uint32_t idx, int *reports)
{
	uint32_t slot = obj + s->offset;

	if (freepointer_intact(m, s, sl, obj, idx))
		return sl->next[idx];
	return freepointer_mismatch(m, s, sl, obj, sl->next[idx], rd32(sl, slot) ^ ptr_key(m, s, slot),
				    reports);
}

static uint32_t get_freepointer(struct mm_machine *m, const struct cache *s, struct slab *sl,
				uint32_t obj, int *reports)
{
	return get_freepointer_idx(m, s, sl, obj, obj_index(s, sl, obj), reports);
}

SLAB_HOT void push_idx(struct mm_machine *m, const struct cache *s, struct slab *sl, uint32_t *head,
		     uint32_t obj, uint32_t idx)
{
	set_freepointer_idx(m, s, sl, obj, idx, *head);
	sl->isfree[idx] = 1;
	*head = obj;
}

static void push(struct mm_machine *m, const struct cache *s, struct slab *sl, uint32_t *head,
		 uint32_t obj)
{
	push_idx(m, s, sl, head, obj, obj_index(s, sl, obj));
}

SLAB_HOT uint32_t pop(struct mm_machine *m, const struct cache *s, struct slab *sl, uint32_t *head)
{
	uint32_t obj = *head, idx = obj_index(s, sl, obj);
	*head = get_freepointer_idx(m, s, sl, obj, idx, NULL);
	sl->isfree[idx] = 0;
	return obj;
}

/* ===================================================================== */
/* Geometry                                                               */
/* ===================================================================== */

static uint32_t calculate_alignment(uint32_t flags, uint32_t align, uint32_t size)
{
	if (flags & MM_SLAB_HWCACHE_ALIGN) {
		uint32_t ralign = MM_CACHE_LINE;
		while (size <= ralign / 2)
			ralign /= 2;
		align = MM_MAX(align, ralign);
	}
	align = MM_MAX(align, 8u); /* ARCH_SLAB_MINALIGN: alignof(unsigned long long) */
	return (uint32_t)mm_round_up(align, PTR);
}

static uint32_t order_objects(unsigned order, uint32_t size)
{
	return (uint32_t)((MM_PAGE_SIZE << order) / size);
}

static unsigned calc_slab_order(uint32_t size, unsigned min_order, unsigned max_order,
				unsigned fract)
{
	unsigned order;
	for (order = min_order; order <= max_order; order++) {
		uint32_t slab_size = (uint32_t)(MM_PAGE_SIZE << order);
		if (slab_size % size <= slab_size / fract)
			break;
	}
	return order;
}

static int calculate_order(struct mm_slab_state *st, uint32_t size)
{
	unsigned slub_max = MM_MIN(SLUB_MAX_ORDER, st->max_order - 1);
	uint32_t min_objects = 4 * (fls_u32(st->nr_cpus) + 1);
	uint32_t max_objects = MM_MAX(order_objects(slub_max, size), 1u);
	unsigned min_order, order;

	min_objects = MM_MIN(min_objects, max_objects);
	min_order = get_order((uint64_t)min_objects * size);
	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
		return (int)get_order((uint64_t)size * MAX_OBJS_PER_PAGE) - 1;
	for (unsigned fraction = 16; fraction > 1; fraction /= 2) {
		order = calc_slab_order(size, min_order, slub_max, fraction);
		if (order <= slub_max)
			return (int)order;
	}
	order = get_order(size);
	return order < st->max_order ? (int)order : -1;
}

static bool cache_geometry(struct mm_machine *m, struct cache *s)
{
	struct mm_slab_state *st = m->slab;
	uint32_t flags = s->flags;
	uint32_t size = (uint32_t)mm_round_up(s->object_size, PTR);
	int order;

	s->obj_poison = (flags & MM_SLAB_POISON) && !s->ctor;
	if ((flags & MM_SLAB_RED_ZONE) && size == s->object_size)
		size += PTR;
	s->inuse = size;
	if ((flags & MM_SLAB_POISON) || s->ctor ||
	    ((flags & MM_SLAB_RED_ZONE) && s->object_size < PTR)) {
		s->offset = size;
		size += PTR;
	} else {
		s->offset = (uint32_t)mm_round_down(s->object_size / 2, PTR);
	}
	if (flags & MM_SLAB_STORE_USER)
		size += 2 * MM_SLAB_TRACK_SIZE;
	s->red_left_pad = 0;
	if (flags & MM_SLAB_RED_ZONE) {
		size += PTR;
		s->red_left_pad = (uint32_t)mm_round_up(PTR, s->align);
		size += s->red_left_pad;
	}
	size = (uint32_t)mm_round_up(size, s->align);
	s->size = size;
	order = calculate_order(st, size);
	if (order < 0)
		return false;
	s->order = (uint32_t)order;
	s->objects = order_objects((unsigned)order, size);
	s->min_order = get_order(size);
	s->min_objects = order_objects(s->min_order, size);
	s->min_partial = MM_MAX(MIN_PARTIAL, MM_MIN(MAX_PARTIAL, ilog2_u32(size) / 2));
	s->debug = (flags & SLAB_DEBUG_FLAGS) != 0;
	return s->objects > 0;
}

/* init_cache_random_seq: a Fisher-Yates permutation of the object indices. */
static bool init_random_seq(struct mm_machine *m, struct cache *s)
{
	if (!(m->cfg.hardening & MM_HARDEN_SHUFFLE) || s->objects < 2)
		return true;
	s->random_seq = malloc(s->objects * sizeof(uint32_t));
	if (!s->random_seq)
		return false;
	for (uint32_t i = 0; i < s->objects; i++)
		s->random_seq[i] = i;
	for (uint32_t i = s->objects - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(mm_random(m) % (i + 1));
		uint32_t t = s->random_seq[i];
		s->random_seq[i] = s->random_seq[j];
		s->random_seq[j] = t;
	}
	return true;
}

/* ===================================================================== */
/* Object set-up and the debug checks                                      */
/* ===================================================================== */

static uint32_t info_end(const struct cache *s)
{
	return s->offset >= s->inuse ? s->inuse + PTR : s->inuse;
}

static uint32_t pad_start(const struct cache *s)
{
	return info_end(s) + ((s->flags & MM_SLAB_STORE_USER) ? 2 * MM_SLAB_TRACK_SIZE : 0);
}

static uint32_t size_from_object(const struct cache *s)
{
	return (s->flags & MM_SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

/* init_object: red zones to val, poison the object of a poisoning cache. */
static void init_object(const struct cache *s, const struct slab *sl, uint32_t obj, uint8_t val)
{
	if (s->flags & MM_SLAB_RED_ZONE)
		fill(sl, obj - s->red_left_pad, val, s->red_left_pad);
	if (s->obj_poison) {
		fill(sl, obj, MM_POISON_FREE, s->object_size - 1);
		fill(sl, obj + s->object_size - 1, MM_POISON_END, 1);
	}
	if (s->flags & MM_SLAB_RED_ZONE)
		fill(sl, obj + s->object_size, val, s->inuse - s->object_size);
}

static void set_track(struct mm_machine *m, const struct cache *s, const struct slab *sl,
		      uint32_t obj, unsigned which)
{
	uint32_t t = obj + info_end(s) + which * MM_SLAB_TRACK_SIZE;
	wr32(sl, t, (uint32_t)m->op_index); /* the caller: the harness's op index */
	wr32(sl, t + 4, m->cpu);
	wr32(sl, t + 8, 0);                 /* pid */
	wr32(sl, t + 12, (uint32_t)m->op_index);
}

static void run_ctor(struct mm_machine *m, struct cache *s, const struct slab *sl, uint32_t obj)
{
	fill(sl, obj, MM_SLAB_CTOR_BYTE, s->object_size);
	if (s->object_size >= 4)
		wr32(sl, obj, obj);
	s->ctor_calls++;
	(void)m;
}

/* check_bytes_and_report: one report per region holding a wrong byte,
 * then the region restored. */
static int check_bytes(struct mm_machine *m, const struct cache *s, const struct slab *sl,
		       uint32_t obj, const char *what, uint32_t start, uint8_t v, uint32_t len)
{
	uint32_t at;
	if (!len || !find_other(sl, start, v, len, &at))
		return 0;
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_CORRUPTION, at,
		  "BUG %s (Not tainted): %s overwritten: object %#x, first byte %#x instead of %#x",
		  s->name, what, obj, *byte_at(sl, at), v);
	fill(sl, start, v, len);
	return 1;
}

static int check_object(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
			uint8_t val)
{
	int n = 0;
	if (s->flags & MM_SLAB_RED_ZONE) {
		n += check_bytes(m, s, sl, obj, "Left Redzone", obj - s->red_left_pad, val,
				 s->red_left_pad);
		n += check_bytes(m, s, sl, obj, "Right Redzone", obj + s->object_size, val,
				 s->inuse - s->object_size);
	} else if (s->flags & MM_SLAB_POISON) {
		n += check_bytes(m, s, sl, obj, "Alignment padding", obj + s->object_size,
				 MM_POISON_INUSE, s->inuse - s->object_size);
	}
	if (s->flags & MM_SLAB_POISON) {
		if (val != MM_SLUB_RED_ACTIVE && s->obj_poison) {
			n += check_bytes(m, s, sl, obj, "Poison", obj, MM_POISON_FREE, s->object_size - 1);
			n += check_bytes(m, s, sl, obj, "End Poison", obj + s->object_size - 1,
					 MM_POISON_END, 1);
		}
		n += check_bytes(m, s, sl, obj, "Object padding", obj + pad_start(s), MM_POISON_INUSE,
				 size_from_object(s) - pad_start(s));
	}
	return n;
}

/* slab_pad_check: the bytes after the last object of a poisoning cache. */
static int slab_pad_check(struct mm_machine *m, const struct cache *s, const struct slab *sl)
{
	uint32_t used = sl->objects * s->size;
	uint32_t total = (uint32_t)(MM_PAGE_SIZE << sl->order);
	if (!(s->flags & MM_SLAB_POISON))
		return 0;
	return check_bytes(m, s, sl, sl->base, "Padding", sl->base + used, MM_POISON_INUSE,
			   total - used);
}

/* ===================================================================== */
/* Slab pages                                                             */
/* ===================================================================== */

static int32_t slab_desc_get(struct mm_slab_state *st)
{
	int32_t i;
	if (st->free_slab != NO_SLAB) {
		i = st->free_slab;
		st->free_slab = st->slabs[i].nextp;
		return i;
	}
	if (st->nr_slabs == st->cap_slabs) {
		uint32_t cap = st->cap_slabs ? st->cap_slabs * 2 : 16;
		struct slab *n = realloc(st->slabs, cap * sizeof(*n));
		if (!n)
			return NO_SLAB;
		st->slabs = n;
		st->cap_slabs = cap;
	}
	return (int32_t)st->nr_slabs++;
}

static void slab_desc_put(struct mm_slab_state *st, int32_t i)
{
	free(st->slabs[i].frames);
	memset(&st->slabs[i], 0, sizeof(st->slabs[i]));
	st->slabs[i].nextp = st->free_slab;
	st->free_slab = i;
}

/* Mark (or clear) the pages of a slab: PG_slab, owner, the pfn table. */
static bool slab_pages_mark(struct mm_machine *m, struct slab *sl, int32_t si, bool on)
{
	struct mm_slab_state *st = m->slab;
	for (uint64_t i = 0; i < ((uint64_t)1 << sl->order); i++) {
		struct mm_page *p = mm_pfn_to_page(m, sl->pfn + i);
		if (NEVER(!p))
			return false;
		if (on) {
			p->flags |= MM_PG_SLAB;
			p->mapping = sl->cache;
		} else {
			p->flags &= ~(uint32_t)MM_PG_SLAB;
			p->mapping = 0;
		}
		if (!slab_of_set(st, sl->pfn + i, on ? (uint32_t)si + 1 : 0))
			return false;
	}
	return true;
}

/* alloc_slab_page, twice as allocate_slab does: the cache's order, then
 * its minimum order. */
static int slab_pages(struct mm_machine *m, struct cache *s, uint32_t gfp, unsigned *order,
		      mm_pfn_t *pfn)
{
	uint32_t pgfp = (gfp & (MM_GFP_HIGH | MM_GFP_ATOMIC_HARDER | MM_GFP_THISNODE)) |
			((s->flags & MM_SLAB_CACHE_DMA) ? MM_GFP_DMA : 0);
	*order = s->order;
	if (!mm_alloc_pages(m, pgfp, *order, pfn))
		return 0;
	*order = s->min_order;
	return mm_alloc_pages(m, pgfp, *order, pfn);
}

/* The objects of a new slab in freelist order: index order, or under
 * MM_HARDEN_SHUFFLE the cache's random sequence from a random start,
 * skipping indices a smaller fallback slab does not have
 * (shuffle_freelist / next_freelist_entry). */
static bool build_freelist(struct mm_machine *m, struct cache *s, struct slab *sl)
{
	uint32_t *ord = malloc(sl->objects * sizeof(uint32_t));
	uint32_t pos = 0, n = 0;

	if (!ord)
		return false;
	if (s->random_seq)
		pos = (uint32_t)(mm_random(m) % s->objects);
	for (uint32_t k = 0; n < sl->objects && k < s->objects; k++) {
		uint32_t idx = s->random_seq ? s->random_seq[(pos + k) % s->objects] : k;
		if (idx < sl->objects)
			ord[n++] = idx;
	}
	/* a fallback slab has fewer objects than the sequence: n == objects */
	sl->freelist = 0;
	for (uint32_t k = n; k--;)
		push(m, s, sl, &sl->freelist, sl->base + s->red_left_pad + ord[k] * s->size);
	free(ord);
	return true;
}

static void all_link(struct mm_slab_state *st, struct cache *s, int32_t si)
{
	struct slab *sl = SL(st, si);
	sl->all_prev = NO_SLAB;
	sl->all_next = s->all_head;
	if (s->all_head != NO_SLAB)
		SL(st, s->all_head)->all_prev = si;
	s->all_head = si;
	s->nr_slabs++;
}

static void all_unlink(struct mm_slab_state *st, struct cache *s, int32_t si)
{
	struct slab *sl = SL(st, si);
	if (sl->all_prev != NO_SLAB)
		SL(st, sl->all_prev)->all_next = sl->all_next;
	else
		s->all_head = sl->all_next;
	if (sl->all_next != NO_SLAB)
		SL(st, sl->all_next)->all_prev = sl->all_prev;
	s->nr_slabs--;
}

static void add_partial(struct mm_slab_state *st, struct cache *s, int32_t si, bool tail)
{
	struct slab *sl = SL(st, si);
	unsigned n = sl->node;
	sl->partial = true;
	if (tail) {
		sl->nextp = NO_SLAB;
		sl->prev = s->partial_tail[n];
		if (sl->prev != NO_SLAB)
			SL(st, sl->prev)->nextp = si;
		else
			s->partial_head[n] = si;
		s->partial_tail[n] = si;
	} else {
		sl->prev = NO_SLAB;
		sl->nextp = s->partial_head[n];
		if (sl->nextp != NO_SLAB)
			SL(st, sl->nextp)->prev = si;
		else
			s->partial_tail[n] = si;
		s->partial_head[n] = si;
	}
	s->nr_partial[n]++;
}

static void remove_partial(struct mm_slab_state *st, struct cache *s, int32_t si)
{
	struct slab *sl = SL(st, si);
	unsigned n = sl->node;
	if (sl->prev != NO_SLAB)
		SL(st, sl->prev)->nextp = sl->nextp;
	else
		s->partial_head[n] = sl->nextp;
	if (sl->nextp != NO_SLAB)
		SL(st, sl->nextp)->prev = sl->prev;
	else
		s->partial_tail[n] = sl->prev;
	sl->partial = false;
	sl->prev = sl->nextp = NO_SLAB;
	s->nr_partial[n]--;
}

/* kmalloc_fix_flags: __GFP_HIGHMEM has no place in a slab allocation. */
static uint32_t fix_flags(struct mm_machine *m, uint32_t gfp)
{
	if (!(gfp & MM_GFP_HIGHMEM))
		return gfp;
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_WARN, gfp,
		  "Unexpected gfp: %#x (__GFP_HIGHMEM). Fixing up to gfp: %#x. Fix your code!", gfp,
		  gfp & ~(uint32_t)MM_GFP_HIGHMEM);
	return gfp & ~(uint32_t)MM_GFP_HIGHMEM;
}

static void slab_free_pages(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	int ret = mm_free_pages(m, pfn, order);
	MM_BUG_ON(ret != 0);
}

static int new_slab(struct mm_machine *m, struct cache *s, uint32_t gfp, int32_t *out)
{
	struct mm_slab_state *st = m->slab;
	const uint32_t id = (uint32_t)(s - st->cache);
	unsigned order;
	mm_pfn_t pfn;
	struct slab *sl;
	int32_t si;
	uint64_t npages;
	uint8_t *buf;

	gfp = fix_flags(m, gfp);
	if (slab_pages(m, s, gfp, &order, &pfn))
		return -ENOMEM;
	si = slab_desc_get(st);
	if (si == NO_SLAB)
		goto fail_pages;
	sl = SL(st, si);
	memset(sl, 0, sizeof(*sl));
	npages = (uint64_t)1 << order;
	sl->objects = order_objects(order, s->size);
	buf = calloc(1, npages * sizeof(uint8_t *) + sl->objects * (sizeof(uint32_t) + 1));
	if (!buf)
		goto fail_desc;
	sl->frames = (uint8_t **)(void *)buf;
	sl->next = (uint32_t *)(void *)(buf + npages * sizeof(uint8_t *));
	sl->isfree = buf + npages * sizeof(uint8_t *) + sl->objects * sizeof(uint32_t);
	for (uint64_t i = 0; i < npages; i++)
		if (!(sl->frames[i] = mm_phys_frame(m, pfn + i, true)))
			goto fail_desc;
	sl->pfn = pfn;
	sl->order = (uint8_t)order;
	sl->base = (uint32_t)MM_PHYS_TO_VIRT(MM_PFN_PHYS(pfn));
	sl->cache = id;
	sl->cpu = -1;
	sl->prev = sl->nextp = NO_SLAB;
	sl->node = mm_pfn_to_page(m, pfn)->nid;
	sl->used = true;
	if (!slab_pages_mark(m, sl, si, true))
		goto fail_mark;
	if (s->flags & MM_SLAB_POISON)
		fill(sl, sl->base, MM_POISON_INUSE, (uint32_t)(npages << MM_PAGE_SHIFT));
	for (uint32_t i = 0; i < sl->objects; i++) {
		uint32_t obj = sl->base + s->red_left_pad + i * s->size;
		if (s->debug)
			init_object(s, sl, obj, MM_SLUB_RED_INACTIVE);
		if (s->flags & MM_SLAB_STORE_USER)
			fill(sl, obj + info_end(s), 0, 2 * MM_SLAB_TRACK_SIZE);
		if (s->ctor)
			run_ctor(m, s, sl, obj);
	}
	if (!build_freelist(m, s, sl))
		goto fail_mark;
	all_link(st, s, si);
	*out = si;
	return 0;

fail_mark:
	slab_pages_mark(m, sl, si, false);
fail_desc:
	slab_desc_put(st, si);
fail_pages:
	slab_free_pages(m, pfn, order);
	return -ENOMEM;
}

static void discard_slab(struct mm_machine *m, struct cache *s, int32_t si)
{
	struct mm_slab_state *st = m->slab;
	struct slab *sl = SL(st, si);
	mm_pfn_t pfn = sl->pfn;
	unsigned order = sl->order;

	all_unlink(st, s, si);
	slab_pages_mark(m, sl, si, false);
	slab_desc_put(st, si);
	slab_free_pages(m, pfn, order);
}

/* ===================================================================== */
/* Allocation                                                             */
/* ===================================================================== */

static int32_t first_partial(const struct cache *s)
{
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		if (s->partial_head[n] != NO_SLAB)
			return s->partial_head[n];
	return NO_SLAB;
}

static void freeze(struct mm_slab_state *st, struct cache *s, int32_t si, unsigned cpu)
{
	struct slab *sl = SL(st, si);
	sl->cpu = (int32_t)cpu;
	s->cpu[cpu].slab = si;
	s->cpu[cpu].freelist = sl->freelist;
	sl->freelist = 0;
}

/* ___slab_alloc for a cache without debug flags: the CPU freelist, the CPU
 * slab's remote frees, the first partial slab, a new slab. */
static int alloc_percpu(struct mm_machine *m, struct cache *s, uint32_t gfp, uint32_t *out,
			struct slab **slp)
{
	struct mm_slab_state *st = m->slab;
	const unsigned cpu = m->cpu;
	struct cpu_slab *c = &s->cpu[cpu];
	int32_t si;

	if (!c->freelist && c->slab != NO_SLAB) {
		struct slab *sl = SL(st, c->slab);
		if (sl->freelist) {
			c->freelist = sl->freelist;
			sl->freelist = 0;
		} else {
			sl->cpu = -1; /* full: on no list */
			c->slab = NO_SLAB;
		}
	}
	if (!c->freelist) {
		si = first_partial(s);
		if (si != NO_SLAB) {
			remove_partial(st, s, si);
		} else {
			int ret = new_slab(m, s, gfp, &si);
			if (ret)
				return ret;
		}
		freeze(st, s, si, cpu);
	}
	*slp = SL(st, c->slab);
	*out = pop(m, s, *slp, &c->freelist);
	return 0;
}

/* A debug cache: one object at a time from the node lists
 * (alloc_single_from_partial / alloc_single_from_new_slab). */
static int alloc_debug(struct mm_machine *m, struct cache *s, uint32_t gfp, uint32_t *out,
		       struct slab **slp)
{
	struct mm_slab_state *st = m->slab;
	int32_t si = first_partial(s);
	struct slab *sl;
	bool fresh = si == NO_SLAB;

	if (fresh) {
		int ret = new_slab(m, s, gfp, &si);
		if (ret)
			return ret;
	}
	sl = SL(st, si);
	*out = pop(m, s, sl, &sl->freelist);
	if (fresh && sl->inuse + 1 < sl->objects)
		add_partial(st, s, si, false);
	else if (!fresh && sl->inuse + 1 == sl->objects)
		remove_partial(st, s, si);
	check_object(m, s, sl, *out, MM_SLUB_RED_INACTIVE);
	if (s->flags & MM_SLAB_STORE_USER)
		set_track(m, s, sl, *out, 0);
	init_object(s, sl, *out, MM_SLUB_RED_ACTIVE);
	*slp = sl;
	return 0;
}

/* The lockless fast path with nothing to report: a cache without debug
 * flags, an object on this CPU's freelist whose stored free pointer is
 * intact. Takes it (true), or leaves everything to slab_alloc (false), which
 * makes the same checks and reports. */
SLAB_HOT bool alloc_fast(struct mm_machine *m, struct cache *s, uint32_t *out)
{
	struct cpu_slab *c = &s->cpu[m->cpu];
	uint32_t obj = c->freelist, idx;
	struct slab *sl;

	if (s->debug || !obj)
		return false;
	sl = SL(m->slab, c->slab);
	idx = obj_index(s, sl, obj);
	if (!freepointer_intact(m, s, sl, obj, idx))
		return false;
	c->freelist = sl->next[idx];
	sl->isfree[idx] = 0;
	sl->inuse++;
	s->live++;
	*out = obj;
	return true;
}

SLAB_HOT int slab_alloc(struct mm_machine *m, struct cache *s, uint32_t gfp, uint32_t *out)
{
	struct slab *sl;
	int ret;

	if (!(gfp & MM_GFP_ZERO) && alloc_fast(m, s, out))
		return 0;
	ret = s->debug ? alloc_debug(m, s, gfp, out, &sl) : alloc_percpu(m, s, gfp, out, &sl);
	if (ret)
		return ret;
	sl->inuse++;
	s->live++;
	if (gfp & MM_GFP_ZERO)
		fill(sl, *out, 0, s->object_size);
	return 0;
}

/* ===================================================================== */
/* Freeing                                                                */
/* ===================================================================== */

static int slab_free_slow(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
			  uint32_t idx)
{
	struct mm_slab_state *st = m->slab;
	struct cpu_slab *c = &s->cpu[m->cpu];
	int32_t si;

	if (s->debug) {
		check_object(m, s, sl, obj, MM_SLUB_RED_ACTIVE);
		if (s->flags & MM_SLAB_STORE_USER)
			set_track(m, s, sl, obj, 1);
		init_object(s, sl, obj, MM_SLUB_RED_INACTIVE);
	}
	sl->inuse--;
	s->live--;
	if (sl->cpu >= 0) {
		/* the lockless fast path, or a remote free to a CPU slab */
		bool mine = c->slab != NO_SLAB && SL(st, c->slab) == sl;
		push_idx(m, s, sl, mine ? &c->freelist : &sl->freelist, obj, idx);
		return 0;
	}
	si = (int32_t)(sl - st->slabs);
	push_idx(m, s, sl, &sl->freelist, obj, idx);
	if (!sl->inuse && s->nr_partial[sl->node] >= s->min_partial) {
		if (sl->partial)
			remove_partial(st, s, si);
		discard_slab(m, s, si);
	} else if (!sl->partial) {
		add_partial(st, s, si, true);
	}
	return 0;
}

/* The lockless fast path (a cache without debug flags, an object of a CPU
 * slab) inline; everything else in slab_free_slow. */
SLAB_HOT int slab_free(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
		      uint32_t idx)
{
	if (!s->debug && sl->cpu >= 0) {
		struct cpu_slab *c = &s->cpu[m->cpu];
		bool mine = c->slab != NO_SLAB && SL(m->slab, c->slab) == sl;
		sl->inuse--;
		s->live--;
		push_idx(m, s, sl, mine ? &c->freelist : &sl->freelist, obj, idx);
		return 0;
	}
	return slab_free_slow(m, s, sl, obj, idx);
}

/* deactivate_slab: the CPU freelist goes in front of the slab's own. */
static void deactivate(struct mm_machine *m, struct cache *s, unsigned cpu)
{
	struct mm_slab_state *st = m->slab;
	struct cpu_slab *c = &s->cpu[cpu];
	int32_t si = c->slab;
	struct slab *sl;
	bool tail;

	if (si == NO_SLAB)
		return;
	sl = SL(st, si);
	tail = sl->freelist != 0;
	if (c->freelist) {
		uint32_t last = c->freelist, nx;
		while ((nx = get_freepointer(m, s, sl, last, NULL)))
			last = nx;
		set_freepointer(m, s, sl, last, sl->freelist);
		sl->freelist = c->freelist;
	}
	sl->cpu = -1;
	c->slab = NO_SLAB;
	c->freelist = 0;
	if (!sl->inuse && s->nr_partial[sl->node] >= s->min_partial)
		discard_slab(m, s, si);
	else if (sl->freelist)
		add_partial(st, s, si, tail);
}

static void flush_all(struct mm_machine *m, struct cache *s)
{
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		deactivate(m, s, cpu);
}

/* The object at virtual address obj, for a free: its slab and cache, or a
 * report naming why not. want is the cache named by the caller (NULL for
 * kfree). */
SLAB_HOT struct slab *slab_of_virt(struct mm_machine *m, uint64_t obj)
{
	if (obj >= MM_PAGE_OFFSET && obj < m->slab->virt_end)
		return slab_of_pfn(m->slab, MM_PFN_DOWN(MM_VIRT_TO_PHYS(obj)), NULL);
	return NULL;
}

/* Why a free is refused. */
enum free_refusal { FREE_NOT_SLAB, FREE_WRONG_CACHE, FREE_INVALID_POINTER, FREE_ALREADY_FREE };

static SLAB_COLD int free_refuse(struct mm_machine *m, enum free_refusal why, const struct cache *want,
				 const struct cache *s, uint64_t obj)
{
	const char *fn = want ? "kmem_cache_free" : "kfree";

	switch (why) {
	case FREE_NOT_SLAB:
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_BAD_FREE, obj,
			  "%s: Object %#llx is not a Slab page!", fn, (unsigned long long)obj);
		break;
	case FREE_WRONG_CACHE:
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_BAD_FREE, obj,
			  "%s: Wrong slab cache. %s but object is from %s", fn, want->name, s->name);
		break;
	case FREE_INVALID_POINTER:
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_BAD_FREE, obj,
			  "BUG %s (Not tainted): Invalid object pointer %#llx", s->name,
			  (unsigned long long)obj);
		break;
	default:
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_DOUBLE_FREE, obj,
			  "BUG %s (Not tainted): Object already free: %#llx", s->name,
			  (unsigned long long)obj);
		break;
	}
	return -EINVAL;
}

SLAB_HOT int free_target_in(struct mm_machine *m, struct cache *want, uint64_t obj, struct slab *sl,
			    struct cache **sp, struct slab **slp, uint32_t *idxp)
{
	uint32_t off, idx;
	struct cache *s;

	if (!sl)
		return free_refuse(m, FREE_NOT_SLAB, want, NULL, obj);
	s = &m->slab->cache[sl->cache];
	if (want && want != s)
		return free_refuse(m, FREE_WRONG_CACHE, want, s, obj);
	/* check_valid_pointer, its quotient kept as the index */
	off = (uint32_t)obj - sl->base - s->red_left_pad;
	idx = div_size(s, off);
	if ((uint32_t)obj < sl->base + s->red_left_pad || idx >= sl->objects || idx * s->size != off)
		return free_refuse(m, FREE_INVALID_POINTER, want, s, obj);
	if (sl->isfree[idx])
		return free_refuse(m, FREE_ALREADY_FREE, want, s, obj);
	*sp = s;
	*slp = sl;
	*idxp = idx;
	return 0;
}

static int free_target(struct mm_machine *m, struct cache *want, uint64_t obj, struct cache **sp,
		       struct slab **slp, uint32_t *idxp)
{
	return free_target_in(m, want, obj, slab_of_virt(m, obj), sp, slp, idxp);
}

/* The lockless free with nothing to report: an object of a CPU slab of a
 * cache without debug flags (want's, when given), a valid object pointer,
 * not already free. Frees it (true), or leaves everything to the caller's
 * slow path (false), which makes the same checks and reports. */
SLAB_HOT bool free_fast(struct mm_machine *m, const struct cache *want, uint64_t obj)
{
	struct slab *sl = slab_of_virt(m, obj);
	struct cache *s;
	uint32_t off, idx;

	if (!sl)
		return false;
	s = &m->slab->cache[sl->cache];
	off = (uint32_t)obj - sl->base - s->red_left_pad;
	idx = div_size(s, off);
	if ((want && want != s) || s->debug || sl->cpu < 0 || (uint32_t)obj < sl->base + s->red_left_pad ||
	    idx >= sl->objects || idx * s->size != off || sl->isfree[idx])
		return false;
	slab_free(m, s, sl, (uint32_t)obj, idx);
	return true;
}

/* ===================================================================== */
/* Caches                                                                 */
/* ===================================================================== */

static uint32_t hardening_flags(struct mm_machine *m)
{
	return ((m->cfg.hardening & MM_HARDEN_REDZONE) ? MM_SLAB_RED_ZONE : 0) |
	       ((m->cfg.hardening & MM_HARDEN_POISON) ? MM_SLAB_POISON : 0);
}

static mm_kmem_cache_t free_id(struct mm_slab_state *st)
{
	for (mm_kmem_cache_t id = 1; id <= MM_SLAB_MAX_CACHES; id++)
		if (!st->cache[id].used)
			return id;
	return 0;
}

/* Fill cache id (host side) and compute its geometry. */
static bool cache_setup(struct mm_machine *m, mm_kmem_cache_t id, const char *name, uint32_t size,
			uint32_t align, uint32_t flags, uint32_t ctor)
{
	struct cache *s = &m->slab->cache[id];
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < MM_SLAB_NAME_LEN - 1 && name[i]; i++)
		s->name[i] = name[i];
	s->flags = flags | hardening_flags(m);
	s->object_size = size;
	s->ctor = ctor;
	s->align = calculate_alignment(flags, align, size);
	s->all_head = NO_SLAB;
	for (unsigned c = 0; c < MM_MAX_CPUS; c++)
		s->cpu[c].slab = NO_SLAB;
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		s->partial_head[n] = s->partial_tail[n] = NO_SLAB;
	if (!cache_geometry(m, s))
		return false;
	s->random = (uint32_t)mm_random(m);
	s->recip = s->size < (1u << 17) ? (((uint64_t)1 << 40) + s->size - 1) / s->size : 0;
	s->harden = (m->cfg.hardening & MM_HARDEN_FREELIST) != 0;
	s->swab = (m->cfg.features & MM_FEAT_FREELIST_SWAB) != 0;
	if (!init_random_seq(m, s))
		return false;
	s->used = true;
	return true;
}

/* Every slab of a cache back to the page allocator, live objects or not
 * (the rollback of a failed kmem_cache_init only). */
static void cache_release(struct mm_machine *m, struct cache *s)
{
	while (s->all_head != NO_SLAB)
		discard_slab(m, s, s->all_head);
	free(s->random_seq);
	memset(s, 0, sizeof(*s));
}

/* kmem_cache_free(kmem_cache, s): a cache's own struct goes back. */
static void kmem_free_self(struct mm_machine *m, uint32_t self)
{
	struct cache *s;
	struct slab *sl;
	uint32_t idx;
	int ret = free_target(m, &m->slab->cache[1], self, &s, &sl, &idx);
	MM_BUG_ON(ret != 0);
	slab_free(m, s, sl, self, idx);
}

static int cache_create(struct mm_machine *m, const char *name, uint32_t size, uint32_t align,
			uint32_t flags, uint32_t ctor, mm_kmem_cache_t *out)
{
	struct mm_slab_state *st = m->slab;
	mm_kmem_cache_t id = free_id(st);
	uint32_t self;
	int ret;

	if (!id) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_TABLE_FULL, 0,
			  "kmem_cache_create(%s): mmsim's table of %u caches is full", name,
			  MM_SLAB_MAX_CACHES);
		return -ENOSPC;
	}
	ret = slab_alloc(m, &st->cache[1], MM_GFP_ZERO, &self);
	if (ret)
		return ret;
	if (!cache_setup(m, id, name, size, align, flags, ctor)) {
		free(st->cache[id].random_seq);
		memset(&st->cache[id], 0, sizeof(st->cache[id]));
		kmem_free_self(m, self);
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_WARN, size,
			  "kmem_cache_create(%s) failed with error -22", name);
		return -EINVAL;
	}
	st->cache[id].self = self;
	*out = id;
	return 0;
}

/* Roll back a kmem_cache_init that ran out of pages. */
static void init_rollback(struct mm_machine *m)
{
	struct mm_slab_state *st = m->slab;
	for (mm_kmem_cache_t id = MM_SLAB_MAX_CACHES; id >= 1; id--)
		if (st->cache[id].used)
			cache_release(m, &st->cache[id]);
	st->ready = false;
}

static bool zones_exist(struct mm_machine *m)
{
	struct mm_zone_info zi;
	for (int n = 0; n < MM_MAX_NODES; n++)
		if (!mm_zone_info(m, n, MM_ZONE_DMA, &zi))
			return true;
	return false;
}

int mm_kmem_cache_init(struct mm_machine *m)
{
	struct mm_slab_state *st;
	char name[MM_SLAB_NAME_LEN];
	uint32_t self;

	if (!m)
		return -EINVAL;
	st = m->slab;
	if (st->ready)
		return -EEXIST;
	if (!zones_exist(m)) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_BUG, 0, "kmem_cache_init called before free_area_init");
		return -EINVAL;
	}
	if (!st->cache) {
		st->cache = calloc(MM_SLAB_MAX_CACHES + 1, sizeof(*st->cache));
		st->dir_len = (uint32_t)((mm_lowmem_limit(m) >> MM_PAGE_SHIFT >> DIR_SHIFT) + 1);
		st->slab_of = calloc(st->dir_len, sizeof(*st->slab_of));
		if (!st->cache || !st->slab_of)
			return -ENOMEM;
	}
	st->ready = true;
	/* the boot cache, then its own struct from itself (bootstrap()) */
	if (!cache_setup(m, 1, "kmem_cache", MM_KMEM_CACHE_OBJ_SIZE, 0, MM_SLAB_HWCACHE_ALIGN, 0))
		goto oom;
	strcpy(name, "kmem_cache");
	if (slab_alloc(m, &st->cache[1], MM_GFP_ZERO, &self))
		goto oom;
	st->cache[1].self = self;
	for (unsigned dma = 0; dma < 2; dma++)
		for (unsigned i = 0; i < MM_NR_KMALLOC_CACHES; i++) {
			snprintf(name, sizeof(name), "%skmalloc-%u", dma ? "dma-" : "", kmalloc_sizes[i]);
			if (cache_create(m, name, kmalloc_sizes[i], 0, dma ? MM_SLAB_CACHE_DMA : 0, 0,
					 &st->kmalloc[dma][i]))
				goto oom;
		}
	return 0;
oom:
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_OOM, 0, "Out of memory when creating slab %s", name);
	init_rollback(m);
	return -ENOMEM;
}

static bool slab_ready(struct mm_machine *m, const char *fn)
{
	if (m->slab->ready)
		return true;
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_BUG, 0, "%s called before kmem_cache_init", fn);
	return false;
}

static struct cache *cache_arg(struct mm_machine *m, mm_kmem_cache_t id, const char *fn)
{
	struct cache *s;
	if (!slab_ready(m, fn))
		return NULL;
	s = cache_get(m, id);
	if (!s)
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, id, "%s: no cache %u", fn, id);
	return s;
}

int mm_kmem_cache_create(struct mm_machine *m, const char *name, uint32_t size, uint32_t align,
			 uint32_t flags, enum mm_slab_ctor ctor, mm_kmem_cache_t *out)
{
	if (!m)
		return -EINVAL;
	if (!slab_ready(m, "kmem_cache_create"))
		return -EINVAL;
	if (!name || !out || !size || size > (MM_PAGE_SIZE << (mm_max_order(m) - 1)) ||
	    (align && (!mm_is_pow2(align) || align > MM_PAGE_SIZE)) ||
	    (flags & ~(uint32_t)MM_SLAB_VALID_FLAGS) || (unsigned)ctor >= MM_SLAB_CTOR_NR) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, size,
			  "kmem_cache_create: bad argument (size %u align %u flags %#x ctor %u)", size,
			  align, flags, (unsigned)ctor);
		return -EINVAL;
	}
	return cache_create(m, name, size, align, flags, (uint32_t)ctor, out);
}

static int gfp_check(struct mm_machine *m, uint32_t gfp, const char *fn)
{
	if (!(gfp & ~(uint32_t)GFP_SLAB_OK))
		return 0;
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, gfp, "%s: bad gfp %#x", fn, gfp);
	return -EINVAL;
}

static __attribute__((noinline)) int cache_alloc_slow(struct mm_machine *m, mm_kmem_cache_t cache,
							uint32_t gfp, mm_vaddr_t *out)
{
	struct cache *s;
	uint32_t obj;
	int ret;

	if (!m)
		return -EINVAL;
	if (!(s = cache_arg(m, cache, "kmem_cache_alloc")))
		return -EINVAL;
	if (!out || gfp_check(m, gfp, "kmem_cache_alloc")) {
		if (!out)
			mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, 0, "kmem_cache_alloc: NULL out");
		return -EINVAL;
	}
	ret = slab_alloc(m, s, gfp, &obj);
	if (!ret)
		*out = obj;
	return ret;
}

/* The fast paths (alloc_fast, free_fast) when they apply; the slow ones
 * make every check and report. */
int mm_kmem_cache_alloc(struct mm_machine *m, mm_kmem_cache_t cache, uint32_t gfp,
			mm_vaddr_t *out)
{
	struct cache *s;
	uint32_t obj;

	if (m && out && !(gfp & ~(uint32_t)(GFP_SLAB_OK & ~MM_GFP_ZERO)) && (s = cache_get(m, cache)) &&
	    alloc_fast(m, s, &obj)) {
		*out = obj;
		return 0;
	}
	return cache_alloc_slow(m, cache, gfp, out);
}

static __attribute__((noinline)) int cache_free_slow(struct mm_machine *m, mm_kmem_cache_t cache,
						       mm_vaddr_t obj);

int mm_kmem_cache_free(struct mm_machine *m, mm_kmem_cache_t cache, mm_vaddr_t obj)
{
	struct cache *s;

	if (m && obj && (s = cache_get(m, cache)) && free_fast(m, s, obj))
		return 0;
	return cache_free_slow(m, cache, obj);
}

static __attribute__((noinline)) int cache_free_slow(struct mm_machine *m, mm_kmem_cache_t cache,
						       mm_vaddr_t obj)
{
	struct cache *want, *s;
	struct slab *sl;
	uint32_t idx;
	int ret;

	if (!m)
		return -EINVAL;
	if (!(want = cache_arg(m, cache, "kmem_cache_free")))
		return -EINVAL;
	if (!obj)
		return 0; /* kmem_cache_free(s, NULL) is a no-op */
	ret = free_target(m, want, obj, &s, &sl, &idx);
	return ret ? ret : slab_free(m, s, sl, (uint32_t)obj, idx);
}

/* __kmem_cache_do_shrink on one node: empty slabs freed, the rest sorted
 * fullest first (promote lists by free objects, each in reverse scan
 * order, spliced at the head), slabs with more free objects than
 * SHRINK_PROMOTE_MAX left after them in their order. */
static void shrink_node(struct mm_machine *m, struct cache *s, unsigned n)
{
	struct mm_slab_state *st = m->slab;
	int32_t promote[SHRINK_PROMOTE_MAX];
	int32_t si = s->partial_head[n];

	for (unsigned i = 0; i < SHRINK_PROMOTE_MAX; i++)
		promote[i] = NO_SLAB;
	while (si != NO_SLAB) {
		struct slab *sl = SL(st, si);
		int32_t next = sl->nextp;
		uint32_t nfree = sl->objects - sl->inuse;
		if (!sl->inuse) {
			remove_partial(st, s, si);
			discard_slab(m, s, si);
		} else if (nfree <= SHRINK_PROMOTE_MAX) {
			remove_partial(st, s, si);
			sl->nextp = promote[nfree - 1];
			promote[nfree - 1] = si;
		}
		si = next;
	}
	/* the kept slabs stay in order behind the promoted ones: append the
	 * promote lists, then move the kept ones from the head to the tail */
	uint32_t kept = s->nr_partial[n];
	for (unsigned i = 0; i < SHRINK_PROMOTE_MAX; i++)
		for (int32_t p = promote[i]; p != NO_SLAB;) {
			int32_t nx = SL(st, p)->nextp;
			add_partial(st, s, p, true);
			p = nx;
		}
	while (kept--) {
		int32_t h = s->partial_head[n];
		remove_partial(st, s, h);
		add_partial(st, s, h, true);
	}
}

int mm_kmem_cache_shrink(struct mm_machine *m, mm_kmem_cache_t cache)
{
	struct cache *s;
	if (!m)
		return -EINVAL;
	if (!(s = cache_arg(m, cache, "kmem_cache_shrink")))
		return -EINVAL;
	flush_all(m, s);
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		shrink_node(m, s, n);
	return 0;
}

int mm_kmem_cache_destroy(struct mm_machine *m, mm_kmem_cache_t cache)
{
	struct mm_slab_state *st;
	struct cache *s;
	uint32_t self;

	if (!m)
		return -EINVAL;
	if (!(s = cache_arg(m, cache, "kmem_cache_destroy")))
		return -EINVAL;
	st = m->slab;
	if (cache <= 1 + 2 * MM_NR_KMALLOC_CACHES) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_BUG, cache,
			  "kmem_cache_destroy(%s): a boot cache cannot be destroyed", s->name);
		return -EINVAL;
	}
	/* __kmem_cache_shutdown: flush, free the empty partial slabs, name
	 * each partial slab still holding objects */
	flush_all(m, s);
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		for (int32_t si = s->partial_head[n]; si != NO_SLAB;) {
			struct slab *sl = SL(st, si);
			int32_t next = sl->nextp;
			if (!sl->inuse) {
				remove_partial(st, s, si);
				discard_slab(m, s, si);
			} else {
				mm_report(m, MM_STAGE_SLAB, MM_REPORT_BUG, MM_PHYS_TO_VIRT(MM_PFN_PHYS(sl->pfn)),
					  "BUG %s (Not tainted): Objects remaining on __kmem_cache_shutdown()",
					  s->name);
			}
			si = next;
		}
	if (s->nr_slabs) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_WARN, cache,
			  "kmem_cache_destroy %s: Slab cache still has objects", s->name);
		return -EBUSY;
	}
	self = s->self;
	free(s->random_seq);
	memset(s, 0, sizeof(*s));
	kmem_free_self(m, self);
	return 0;
}

static int validate_slab(struct mm_machine *m, struct cache *s, struct slab *sl)
{
	struct mm_slab_state *st = m->slab;
	int n = 0;
	/* the free pointers first: each freelist of the slab walked */
	uint32_t heads[2] = { sl->freelist, 0 };
	if (sl->cpu >= 0 && s->cpu[sl->cpu].slab == (int32_t)(sl - st->slabs))
		heads[1] = s->cpu[sl->cpu].freelist;
	for (unsigned h = 0; h < 2; h++)
		for (uint32_t p = heads[h]; p;)
			p = get_freepointer(m, s, sl, p, &n);
	if (!s->debug)
		return n;
	n += slab_pad_check(m, s, sl);
	for (uint32_t i = 0; i < sl->objects; i++) {
		uint32_t obj = sl->base + s->red_left_pad + i * s->size;
		n += check_object(m, s, sl, obj, sl->isfree[i] ? MM_SLUB_RED_INACTIVE : MM_SLUB_RED_ACTIVE);
	}
	return n;
}

int mm_kmem_cache_validate(struct mm_machine *m, mm_kmem_cache_t cache)
{
	struct mm_slab_state *st;
	struct cache *s;
	int n = 0;

	if (!m)
		return -EINVAL;
	if (!(s = cache_arg(m, cache, "validate_slab_cache")))
		return -EINVAL;
	st = m->slab;
	for (int32_t si = s->all_head; si != NO_SLAB; si = SL(st, si)->all_next)
		n += validate_slab(m, s, SL(st, si));
	return n;
}

/* ===================================================================== */
/* kmalloc                                                                */
/* ===================================================================== */

/* size 1 .. 8192: the index of the first class holding it (size_index
 * for the small sizes, the power of two above). */
static unsigned kmalloc_index(uint64_t size)
{
	static const uint8_t small[25] = { 0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
					   5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6 };
	if (size <= 192)
		return small[(size + 7) / 8];
	return 7 + (unsigned)(fls_u32((uint32_t)size - 1) - 8);
}

static unsigned order_for(uint64_t size)
{
	unsigned o = 0;
	while (o < 63 - MM_PAGE_SHIFT && (MM_PAGE_SIZE << o) < size)
		o++;
	return (MM_PAGE_SIZE << o) < size ? 64 : o;
}

static int kmalloc_large(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_vaddr_t *out)
{
	unsigned order = order_for(size);
	mm_pfn_t pfn;
	struct mm_page *p;
	int ret;

	gfp = fix_flags(m, gfp);
	ret = mm_alloc_pages(m, gfp & ~(uint32_t)MM_GFP_COLD, MM_MIN(order, 40u), &pfn);
	if (ret)
		return -ENOMEM;
	p = mm_pfn_to_page(m, pfn);
	p->mapping = LARGE_MAPPING;
	*out = MM_PHYS_TO_VIRT(MM_PFN_PHYS(pfn));
	return 0;
}

static __attribute__((noinline)) int kmalloc_slow(struct mm_machine *m, uint64_t size, uint32_t gfp,
						 mm_vaddr_t *out)
{
	struct mm_slab_state *st;
	uint32_t obj;
	int ret;

	if (!m)
		return -EINVAL;
	if (!slab_ready(m, "kmalloc"))
		return -EINVAL;
	if (!out) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, 0, "kmalloc: NULL out");
		return -EINVAL;
	}
	if (gfp_check(m, gfp, "kmalloc"))
		return -EINVAL;
	if (!size) {
		*out = MM_ZERO_SIZE_PTR;
		return 0;
	}
	if (size > MM_KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(m, size, gfp, out);
	st = m->slab;
	ret = slab_alloc(m, &st->cache[st->kmalloc[(gfp & MM_GFP_DMA) ? 1 : 0][kmalloc_index(size)]],
			 gfp, &obj);
	if (!ret)
		*out = obj;
	return ret;
}

/* The arguments every caller passes (a small size, no flag but the zone's)
 * and an object on this CPU's freelist: the lockless fast path, with no
 * call that saves registers; everything else, every refusal included, in
 * kmalloc_slow. */
int mm_kmalloc(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_vaddr_t *out)
{
	struct mm_slab_state *st;
	uint32_t obj;

	if (m && out && size && size <= MM_KMALLOC_MAX_CACHE_SIZE && !(gfp & ~(uint32_t)MM_GFP_DMA) &&
	    (st = m->slab)->ready &&
	    alloc_fast(m, &st->cache[st->kmalloc[gfp ? 1 : 0][kmalloc_index(size)]], &obj)) {
		*out = obj;
		return 0;
	}
	return kmalloc_slow(m, size, gfp, out);
}

int mm_kzalloc(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_vaddr_t *out)
{
	return mm_kmalloc(m, size, gfp | MM_GFP_ZERO, out);
}

int mm_kmalloc_cache(struct mm_machine *m, uint64_t size, uint32_t gfp, mm_kmem_cache_t *out)
{
	if (!m)
		return -EINVAL;
	if (!slab_ready(m, "kmalloc_slab"))
		return -EINVAL;
	if (!out || !size || size > MM_KMALLOC_MAX_CACHE_SIZE || gfp_check(m, gfp, "kmalloc_slab")) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, size, "kmalloc_slab: bad size %llu",
			  (unsigned long long)size);
		return -EINVAL;
	}
	*out = m->slab->kmalloc[(gfp & MM_GFP_DMA) ? 1 : 0][kmalloc_index(size)];
	return 0;
}

/* A large kmalloc's head page at obj, or NULL. */
static struct mm_page *large_head(struct mm_machine *m, uint64_t obj)
{
	struct mm_page *p;
	if (obj < MM_PAGE_OFFSET || obj > UINT32_MAX || (obj & (MM_PAGE_SIZE - 1)) ||
	    MM_VIRT_TO_PHYS(obj) >= mm_lowmem_limit(m))
		return NULL;
	p = mm_pfn_to_page(m, MM_PFN_DOWN(MM_VIRT_TO_PHYS(obj)));
	if (!p || !(p->flags & MM_PG_ALLOCATED) || (p->flags & MM_PG_TAIL) ||
	    p->mapping != LARGE_MAPPING)
		return NULL;
	return p;
}

/* What kfree/ksize/krealloc find at obj: a slab object (s, sl) or a
 * large kmalloc (*large). */
static SLAB_COLD int not_kmalloced(struct mm_machine *m, uint64_t obj, const char *fn)
{
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_BAD_FREE, obj,
		  "%s: object pointer: %#llx was not allocated by kmalloc", fn, (unsigned long long)obj);
	return -EINVAL;
}

SLAB_HOT int kmalloc_target(struct mm_machine *m, uint64_t obj, const char *fn, struct cache **s,
			    struct slab **sl, uint32_t *idx, struct mm_page **large)
{
	struct slab *in = slab_of_virt(m, obj);
	*large = NULL;
	if (in)
		return free_target_in(m, NULL, obj, in, s, sl, idx);
	*large = large_head(m, obj);
	if (*large)
		return 0;
	return not_kmalloced(m, obj, fn);
}

static void large_free(struct mm_machine *m, struct mm_page *p)
{
	p->mapping = 0;
	slab_free_pages(m, p->pfn, p->private);
}

static __attribute__((noinline)) int kfree_slow(struct mm_machine *m, mm_vaddr_t obj)
{
	struct cache *s;
	struct slab *sl;
	struct mm_page *large;
	uint32_t idx;
	int ret;

	if (!m)
		return -EINVAL;
	if (!slab_ready(m, "kfree"))
		return -EINVAL;
	if (obj == 0 || obj == MM_ZERO_SIZE_PTR)
		return 0;
	ret = kmalloc_target(m, obj, "kfree", &s, &sl, &idx, &large);
	if (ret)
		return ret;
	if (large) {
		large_free(m, large);
		return 0;
	}
	return slab_free(m, s, sl, (uint32_t)obj, idx);
}

/* The lockless fast path with nothing to report: an object of a CPU slab of
 * a cache without debug flags, a valid object pointer, not already free.
 * Everything else, every refusal included, in kfree_slow, which makes the
 * same checks and reports. */
int mm_kfree(struct mm_machine *m, mm_vaddr_t obj)
{
	if (m && m->slab->ready && free_fast(m, NULL, obj))
		return 0;
	return kfree_slow(m, obj);
}

static uint32_t slab_ksize(const struct cache *s)
{
	if (s->flags & (MM_SLAB_RED_ZONE | MM_SLAB_POISON))
		return s->object_size;
	if (s->flags & MM_SLAB_STORE_USER)
		return s->inuse;
	return s->size;
}

int mm_ksize(struct mm_machine *m, mm_vaddr_t obj, uint64_t *out)
{
	struct cache *s;
	struct slab *sl;
	struct mm_page *large;
	uint32_t idx;
	int ret;

	if (!m)
		return -EINVAL;
	if (!slab_ready(m, "ksize"))
		return -EINVAL;
	if (!out) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, 0, "ksize: NULL out");
		return -EINVAL;
	}
	if (obj == 0 || obj == MM_ZERO_SIZE_PTR) {
		*out = 0;
		return 0;
	}
	ret = kmalloc_target(m, obj, "ksize", &s, &sl, &idx, &large);
	if (ret)
		return ret;
	*out = large ? MM_PAGE_SIZE << large->private : slab_ksize(s);
	return 0;
}

/* Copy len bytes of simulated memory (both ranges allocated lowmem). */
static int copy_phys(struct mm_machine *m, uint64_t dst, uint64_t src, uint64_t len)
{
	uint8_t buf[512];
	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int ret = mm_phys_read(m, src, buf, n);
		if (!ret)
			ret = mm_phys_write(m, dst, buf, n);
		if (ret)
			return ret;
		src += n;
		dst += n;
		len -= n;
	}
	return 0;
}

static int zero_phys(struct mm_machine *m, uint64_t dst, uint64_t len)
{
	static const uint8_t zeros[512];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		int ret = mm_phys_write(m, dst, zeros, n);
		if (ret)
			return ret;
		dst += n;
		len -= n;
	}
	return 0;
}

int mm_krealloc(struct mm_machine *m, mm_vaddr_t obj, uint64_t new_size, uint32_t gfp,
		mm_vaddr_t *out)
{
	struct cache *s;
	struct slab *sl;
	struct mm_page *large;
	uint32_t idx;
	uint64_t ks;
	mm_vaddr_t n;
	int ret;

	if (!m)
		return -EINVAL;
	if (!slab_ready(m, "krealloc"))
		return -EINVAL;
	if (!out || gfp_check(m, gfp, "krealloc")) {
		if (!out)
			mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, 0, "krealloc: NULL out");
		return -EINVAL;
	}
	if (obj == 0 || obj == MM_ZERO_SIZE_PTR)
		return mm_kmalloc(m, new_size, gfp, out);
	ret = kmalloc_target(m, obj, "krealloc", &s, &sl, &idx, &large);
	if (ret)
		return ret;
	if (!new_size) {
		ret = mm_kfree(m, obj);
		if (!ret)
			*out = MM_ZERO_SIZE_PTR;
		return ret;
	}
	ks = large ? MM_PAGE_SIZE << large->private : slab_ksize(s);
	if (ks >= new_size) {
		if ((gfp & MM_GFP_ZERO) && (ret = zero_phys(m, MM_VIRT_TO_PHYS(obj) + new_size, ks - new_size)))
			return ret;
		*out = obj;
		return 0;
	}
	ret = mm_kmalloc(m, new_size, gfp, &n);
	if (ret)
		return ret;
	ret = copy_phys(m, MM_VIRT_TO_PHYS(n), MM_VIRT_TO_PHYS(obj), ks);
	MM_BUG_ON(ret != 0);
	ret = mm_kfree(m, obj);
	MM_BUG_ON(ret != 0);
	*out = n;
	return 0;
}

int mm_kmem_cache_info(struct mm_machine *m, mm_kmem_cache_t cache, struct mm_kmem_cache_info *out)
{
	const struct cache *s;
	if (!m || !out || !(s = cache_get(m, cache)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->name, s->name, sizeof(out->name));
	out->flags = s->flags;
	out->object_size = s->object_size;
	out->size = s->size;
	out->align = s->align;
	out->inuse = s->inuse;
	out->offset = s->offset;
	out->red_left_pad = s->red_left_pad;
	out->order = s->order;
	out->objects = s->objects;
	out->min_order = s->min_order;
	out->min_objects = s->min_objects;
	out->min_partial = s->min_partial;
	out->ctor = s->ctor;
	out->nr_slabs = s->nr_slabs;
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		out->nr_partial += s->nr_partial[n];
	out->live = s->live;
	out->ctor_calls = s->ctor_calls;
	out->self = s->self;
	return 0;
}

/* ===================================================================== */
/* Stage life cycle                                                       */
/* ===================================================================== */

int mm_slab_init(struct mm_machine *m)
{
	m->slab = mm_state_zalloc(m, sizeof(*m->slab));
	if (!m->slab)
		return -ENOMEM;
	m->slab->free_slab = NO_SLAB;
	m->slab->nr_cpus = m->cfg.nr_cpus ? m->cfg.nr_cpus : 1;
	m->slab->max_order = mm_max_order(m);
	m->slab->virt_end = MM_MIN(MM_PHYS_TO_VIRT(mm_lowmem_limit(m)), (uint64_t)UINT32_MAX + 1);
	return 0;
}

void mm_slab_destroy(struct mm_machine *m)
{
	struct mm_slab_state *st = m->slab;
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nr_slabs; i++)
		if (st->slabs[i].used)
			free(st->slabs[i].frames);
	free(st->slabs);
	if (st->cache)
		for (uint32_t id = 0; id <= MM_SLAB_MAX_CACHES; id++)
			free(st->cache[id].random_seq);
	free(st->cache);
	for (uint32_t d = 0; st->slab_of && d < st->dir_len; d++)
		free(st->slab_of[d]);
	free(st->slab_of);
	mm_state_free(m, st);
	m->slab = NULL;
}

/* ===================================================================== */
/* mm_verify                                                              */
/* ===================================================================== */

static bool region_ok(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len)
{
	uint32_t at;
	return !len || !find_other(sl, va, v, len, &at);
}

/* The metadata bytes of one object, as check_object would find them. */
static bool object_clean(const struct cache *s, const struct slab *sl, uint32_t obj, uint8_t val)
{
	if (s->flags & MM_SLAB_RED_ZONE) {
		if (!region_ok(sl, obj - s->red_left_pad, val, s->red_left_pad) ||
		    !region_ok(sl, obj + s->object_size, val, s->inuse - s->object_size))
			return false;
	} else if ((s->flags & MM_SLAB_POISON) &&
		   !region_ok(sl, obj + s->object_size, MM_POISON_INUSE, s->inuse - s->object_size)) {
		return false;
	}
	if (!(s->flags & MM_SLAB_POISON))
		return true;
	if (val != MM_SLUB_RED_ACTIVE && s->obj_poison &&
	    (!region_ok(sl, obj, MM_POISON_FREE, s->object_size - 1) ||
	     !region_ok(sl, obj + s->object_size - 1, MM_POISON_END, 1)))
		return false;
	return region_ok(sl, obj + pad_start(s), MM_POISON_INUSE, size_from_object(s) - pad_start(s));
}

static int verify_pages(struct mm_machine *m, const struct cache *s, mm_kmem_cache_t id,
			const struct slab *sl, int32_t si)
{
	for (uint64_t i = 0; i < ((uint64_t)1 << sl->order); i++) {
		const struct mm_page *p = mm_pfn_to_page(m, sl->pfn + i);
		int32_t at = NO_SLAB;
		MM_VERIFY(m, p && (p->flags & MM_PG_SLAB) && (p->flags & MM_PG_ALLOCATED) &&
				     p->mapping == id,
			  "slab %s: pfn %#llx not an allocated slab page of the cache", s->name,
			  (unsigned long long)(sl->pfn + i));
		MM_VERIFY(m, slab_of_pfn(m->slab, sl->pfn + i, &at) && at == si,
			  "slab %s: pfn %#llx not mapped to its slab", s->name,
			  (unsigned long long)(sl->pfn + i));
		MM_VERIFY(m, i || (!(p->flags & MM_PG_TAIL) && p->private == sl->order),
			  "slab %s: head pfn %#llx order %u, slab order %u", s->name,
			  (unsigned long long)sl->pfn, p->private, sl->order);
		MM_VERIFY(m, sl->frames[i] == mm_phys_frame(m, sl->pfn + i, false),
			  "slab %s: pfn %#llx backing moved", s->name, (unsigned long long)(sl->pfn + i));
	}
	return 0;
}

/* One freelist: every pointer in range, stored as recorded, on the free
 * map, no object twice. Adds the length to *nfree. */
static int verify_freelist(struct mm_machine *m, const struct cache *s, const struct slab *sl,
			   uint32_t head, uint32_t *nfree)
{
	uint32_t steps = 0;
	for (uint32_t p = head; p; steps++) {
		uint32_t i, slot;
		MM_VERIFY(m, p && valid_pointer(s, sl, p) && steps < sl->objects,
			  "slab %s at %#x: freelist entry %#x out of range or cyclic", s->name, sl->base, p);
		i = obj_index(s, sl, p);
		MM_VERIFY(m, sl->isfree[i], "slab %s: object %#x on a freelist but not free", s->name, p);
		slot = p + s->offset;
		MM_VERIFY(m, (rd32(sl, slot) ^ ptr_key(m, s, slot)) == sl->next[i],
			  "slab %s: stored free pointer of %#x decodes to %#x, not %#x", s->name, p,
			  rd32(sl, slot) ^ ptr_key(m, s, slot), sl->next[i]);
		p = sl->next[i];
	}
	*nfree += steps;
	return 0;
}

static int verify_slab(struct mm_machine *m, const struct cache *s, mm_kmem_cache_t id, int32_t si)
{
	const struct mm_slab_state *st = m->slab;
	const struct slab *sl = &st->slabs[si];
	uint32_t nfree = 0, marked = 0;
	bool cpu_slab = sl->cpu >= 0;

	MM_VERIFY(m, sl->used && sl->cache == id, "slab %d on %s's list is not the cache's", si, s->name);
	MM_VERIFY(m, sl->base == MM_PHYS_TO_VIRT(MM_PFN_PHYS(sl->pfn)) &&
			     sl->objects == order_objects(sl->order, s->size) &&
			     (sl->order == s->order || sl->order == s->min_order),
		  "slab %s at pfn %#llx: base/objects/order wrong", s->name, (unsigned long long)sl->pfn);
	if (verify_pages(m, s, id, sl, si))
		return -EUCLEAN;
	MM_VERIFY(m, !cpu_slab || (sl->cpu < MM_MAX_CPUS && s->cpu[sl->cpu].slab == si && !sl->partial),
		  "slab %s at %#x: frozen for cpu %d, which does not hold it", s->name, sl->base, sl->cpu);
	if (verify_freelist(m, s, sl, sl->freelist, &nfree) ||
	    (cpu_slab && verify_freelist(m, s, sl, s->cpu[sl->cpu].freelist, &nfree)))
		return -EUCLEAN;
	for (uint32_t i = 0; i < sl->objects; i++)
		marked += sl->isfree[i];
	MM_VERIFY(m, nfree == marked && sl->inuse + nfree == sl->objects,
		  "slab %s at %#x: %u on freelists, %u marked free, inuse %u of %u", s->name, sl->base,
		  nfree, marked, sl->inuse, sl->objects);
	MM_VERIFY(m, cpu_slab || sl->partial == (nfree != 0),
		  "slab %s at %#x: on the partial list %d with %u free", s->name, sl->base, sl->partial,
		  nfree);
	for (uint32_t i = 0; s->debug && i < sl->objects; i++) {
		uint32_t obj = sl->base + s->red_left_pad + i * s->size;
		MM_VERIFY(m, object_clean(s, sl, obj, sl->isfree[i] ? MM_SLUB_RED_INACTIVE : MM_SLUB_RED_ACTIVE),
			  "slab %s: object %#x has a corrupted red zone, poison or padding", s->name, obj);
	}
	MM_VERIFY(m, !(s->flags & MM_SLAB_POISON) ||
			     region_ok(sl, sl->base + sl->objects * s->size, MM_POISON_INUSE,
				       (uint32_t)(MM_PAGE_SIZE << sl->order) - sl->objects * s->size),
		  "slab %s at %#x: end padding corrupted", s->name, sl->base);
	return 0;
}

static int verify_cache(struct mm_machine *m, mm_kmem_cache_t id, uint64_t *slabs)
{
	const struct mm_slab_state *st = m->slab;
	const struct cache *s = &st->cache[id];
	uint64_t n = 0, live = 0;

	MM_VERIFY(m, s->size >= s->inuse && s->inuse >= s->object_size && s->offset + PTR <= s->size &&
			     s->size % s->align == 0,
		  "cache %s: geometry size %u inuse %u offset %u", s->name, s->size, s->inuse, s->offset);
	for (int32_t si = s->all_head; si != NO_SLAB; si = st->slabs[si].all_next) {
		MM_VERIFY(m, n < st->nr_slabs, "cache %s: slab list cyclic", s->name);
		if (verify_slab(m, s, id, si))
			return -EUCLEAN;
		live += st->slabs[si].inuse;
		n++;
	}
	MM_VERIFY(m, n == s->nr_slabs && live == s->live, "cache %s: %llu slabs (counted %llu), %llu live (counted %llu)",
		  s->name, (unsigned long long)s->nr_slabs, (unsigned long long)n,
		  (unsigned long long)s->live, (unsigned long long)live);
	for (unsigned c = 0; c < MM_MAX_CPUS; c++) {
		int32_t si = s->cpu[c].slab;
		MM_VERIFY(m, si == NO_SLAB ? !s->cpu[c].freelist : (!s->debug && st->slabs[si].used && st->slabs[si].cache == id && st->slabs[si].cpu == (int32_t)c),
			  "cache %s: cpu %u slab %d not frozen for it", s->name, c, si);
	}
	for (unsigned nd = 0; nd < MM_MAX_NODES; nd++) {
		uint32_t cnt = 0;
		int32_t prev = NO_SLAB;
		for (int32_t si = s->partial_head[nd]; si != NO_SLAB; si = st->slabs[si].nextp) {
			const struct slab *sl = &st->slabs[si];
			MM_VERIFY(m, cnt < st->nr_slabs && sl->used && sl->cache == id && sl->partial &&
					     sl->node == nd && sl->prev == prev && sl->inuse < sl->objects,
				  "cache %s: node %u partial list broken at slab %d", s->name, nd, si);
			prev = si;
			cnt++;
		}
		MM_VERIFY(m, cnt == s->nr_partial[nd] && s->partial_tail[nd] == prev,
			  "cache %s: node %u has %u partial slabs, counter %u", s->name, nd, cnt,
			  s->nr_partial[nd]);
	}
	*slabs += n;
	return 0;
}

int mm_slab_verify(struct mm_machine *m)
{
	const struct mm_slab_state *st = m->slab;
	uint64_t slabs = 0, used = 0;

	if (!st->ready)
		return 0;
	for (unsigned dma = 0; dma < 2; dma++)
		for (unsigned i = 0; i < MM_NR_KMALLOC_CACHES; i++)
			MM_VERIFY(m, st->cache[st->kmalloc[dma][i]].used &&
					     st->cache[st->kmalloc[dma][i]].object_size == kmalloc_sizes[i],
				  "kmalloc cache %u/%u missing", dma, i);
	for (mm_kmem_cache_t id = 1; id <= MM_SLAB_MAX_CACHES; id++) {
		if (!st->cache[id].used)
			continue;
		if (verify_cache(m, id, &slabs))
			return -EUCLEAN;
		MM_VERIFY(m, id == 1 || st->cache[id].self, "cache %u has no struct kmem_cache", id);
	}
	for (uint32_t i = 0; i < st->nr_slabs; i++)
		used += st->slabs[i].used;
	MM_VERIFY(m, used == slabs, "%llu slab descriptors in use, %llu slabs on cache lists",
		  (unsigned long long)used, (unsigned long long)slabs);
	return 0;
}
