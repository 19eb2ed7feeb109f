/*
 * The SLUB allocator core (mm/slub.c of 6.x): freelist pointers, object
 * layout helpers, slab pages, the allocation and free paths, the kmalloc
 * and kfree fast paths, shrink, the slub_debug checks and validate.
 *
 * Models: per-node partial lists, one CPU slab with its lockless freelist
 * per logical CPU, remote frees to the slab's own freelist, deactivation,
 * shrink's fullest-first sort, large kmalloc from the page allocator,
 * freelist pointer hardening (the stored pointer XOR a per-cache secret XOR
 * the (byte-swapped) slot address), freelist randomisation, and the
 * slub_debug checks of red zones, poison and padding on alloc, free and
 * validate.
 *
 * Departs from the kernel: no CPU partial lists (CONFIG_SLUB_CPU_PARTIAL
 * off), no memcg, no RCU. A debug cache (red zone, poison or store-user)
 * takes objects one by one from the node partial lists as the kernel's
 * does, without CPU slabs. A detected corruption is reported and repaired
 * (restore_bytes; a stored free pointer is rewritten from the model's own
 * record of each free object's successor, where the kernel cuts the chain
 * and leaks the rest), and the operation goes on. Double frees are always
 * refused (the model keeps a free map per slab: it cannot carry a cyclic
 * freelist), in the kernel's words of the debug check. Fault injection
 * counts the page allocations only (each is one mm_alloc_pages_node call;
 * allocate_slab makes two when the first fails). The pointer width is the
 * simulated kernel's: 32 bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

/* ===================================================================== */
/* Small helpers                                                          */
/* ===================================================================== */

SLAB_HOT void wr32(const struct slab *sl, uint32_t va, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(byte_at(sl, va), &v, sizeof(v));
}

/* The page-sized pieces of [va, va + len) inside one slab. The short
 * ones (red zones, an end-poison byte, owner tracks) by hand: memset's
 * call, and under ASan its range check, cost more than the bytes. */
static SLAB_NOCOV void fill(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len)
{
	while (len) {
		uint32_t in = (uint32_t)(MM_PAGE_SIZE - ((va - sl->base) & (MM_PAGE_SIZE - 1)));
		uint32_t n = len < in ? len : in;
		uint8_t *p = byte_at(sl, va);
		if (n <= 32)
			for (uint32_t i = 0; i < n; i++)
				p[i] = v;
		else
			memset(p, v, n);
		va += n;
		len -= n;
	}
}

/* All n bytes at p are v: eight bytes at a time, the last eight (or four)
 * read overlapping the ones before, so a short red zone costs two loads.
 * A long run (poison over a whole object): its first eight bytes, then the
 * run against itself eight bytes on (p[i] == p[i + 8] for every i), one
 * memcmp. */
static inline SLAB_NOCOV bool span_is(const uint8_t *p, uint8_t v, uint32_t n)
{
	const uint64_t w = 0x0101010101010101ull * v;
	uint64_t x;
	uint32_t a, b;

	if (n >= 64) {
		memcpy(&x, p, 8);
		return x == w && !memcmp(p, p + 8, n - 8);
	}
	if (n >= 8) {
		for (uint32_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, p + i, 8);
			if (x != w)
				return false;
		}
		memcpy(&x, p + n - 8, 8);
		return x == w;
	}
	if (n >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return a == (uint32_t)w && b == (uint32_t)w;
	}
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* First byte of [va, va + len) that is not v: true and *at, or false. */
SLAB_NOCOV bool slub_find_other(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len,
				uint32_t *at)
{
	while (len) {
		uint32_t in = (uint32_t)(MM_PAGE_SIZE - ((va - sl->base) & (MM_PAGE_SIZE - 1)));
		uint32_t n = len < in ? len : in;
		const uint8_t *p = byte_at(sl, va);
		if (!span_is(p, v, n))
			for (uint32_t i = 0; i < n; i++)
				if (p[i] != v) {
					*at = va + i;
					return true;
				}
		va += n;
		len -= n;
	}
	return false;
}

static bool slab_of_set(struct mm_slab_state *st, mm_pfn_t pfn, uint32_t v)
{
	uint64_t d = pfn >> DIR_SHIFT;
	if (NEVER(d >= st->dir_len))
		return false;
	if (!st->slab_of[d]) {
		st->slab_of[d] = mm_host_alloc(SLAB_OF_PAGE_BYTES, true);
		if (!st->slab_of[d])
			return false;
	}
	st->slab_of[d][pfn & ((1u << DIR_SHIFT) - 1)] = v;
	st->last_sl = NULL; /* the cached look-up may be this pfn's */
	return true;
}

/* ===================================================================== */
/* Freelist pointers                                                      */
/* ===================================================================== */

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

SLAB_HOT uint32_t pop(struct mm_machine *m, const struct cache *s, struct slab *sl, uint32_t *head)
{
	uint32_t obj = *head, idx = obj_index(s, sl, obj);
	*head = get_freepointer_idx(m, s, sl, obj, idx, NULL);
	sl->isfree[idx] = 0;
	return obj;
}

/* ===================================================================== */
/* Object set-up and the debug checks                                      */
/* ===================================================================== */

/* init_object: red zones to val, poison the object of a poisoning cache. */
static SLAB_NOCOV void init_object(const struct cache *s, const struct slab *sl, uint32_t obj, uint8_t val)
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

static SLAB_NOCOV void set_track(struct mm_machine *m, const struct cache *s, const struct slab *sl,
		      uint32_t obj, unsigned which)
{
	uint32_t t = obj + info_end(s) + which * MM_SLAB_TRACK_SIZE;
	wr32(sl, t, (uint32_t)m->op_index); /* the caller: the harness's op index */
	wr32(sl, t + 4, m->cpu);
	wr32(sl, t + 8, 0);                 /* pid */
	wr32(sl, t + 12, (uint32_t)m->op_index);
}

static SLAB_NOCOV __attribute__((noinline)) void run_ctor(struct mm_machine *m, struct cache *s, const struct slab *sl, uint32_t obj)
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
	if (!len || !slub_find_other(sl, start, v, len, &at))
		return 0;
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_CORRUPTION, at,
		  "BUG %s (Not tainted): %s overwritten: object %#x, first byte %#x instead of %#x",
		  s->name, what, obj, *byte_at(sl, at), v);
	fill(sl, start, v, len);
	return 1;
}

/* The slub_debug object check; returns the reports made. */
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

/* The descriptor table moved: the CPU slabs' pointers follow it. */
static void slabs_moved(struct mm_slab_state *st)
{
	for (mm_kmem_cache_t id = 1; id <= MM_SLAB_MAX_CACHES; id++)
		for (unsigned c = 0; st->cache[id].used && c < MM_MAX_CPUS; c++) {
			struct cpu_slab *cs = &st->cache[id].cpu[c];
			cs->sl = cs->slab == NO_SLAB ? NULL : SL(st, cs->slab);
		}
	st->last_sl = NULL;
}

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
		struct slab *n = mm_host_alloc(cap * sizeof(*n), false);
		if (!n)
			return NO_SLAB;
		if (st->nr_slabs)
			memcpy(n, st->slabs, st->nr_slabs * sizeof(*n));
		mm_host_free(st->slabs, st->cap_slabs * sizeof(*n));
		st->slabs = n;
		st->cap_slabs = cap;
		slabs_moved(st);
	}
	return (int32_t)st->nr_slabs++;
}

static void slab_desc_put(struct mm_slab_state *st, int32_t i)
{
	slub_slab_buf_free(&st->slabs[i]);
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

/* init_cache_random_seq: a Fisher-Yates permutation of the object indices.
 * The kernel makes it when the cache is created; here the cache's first
 * slab does (most kmalloc caches of a machine never get one, and a
 * permutation of kmalloc-8 is 512 draws). */
static bool init_random_seq(struct mm_machine *m, struct cache *s)
{
	s->random_seq = mm_host_alloc(s->objects * sizeof(uint32_t), false);
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

/* The objects of a new slab in freelist order: index order, or under
 * MM_HARDEN_SHUFFLE the cache's random sequence from a random start,
 * skipping indices a smaller fallback slab does not have
 * (shuffle_freelist / next_freelist_entry). */
static SLAB_NOCOV __attribute__((noinline)) bool build_freelist(struct mm_machine *m, struct cache *s, struct slab *sl)
{
	uint32_t *ord, pos = 0, n = 0;

	sl->freelist = 0;
	if (!s->random_seq && (m->cfg.hardening & MM_HARDEN_SHUFFLE) && s->objects >= 2 &&
	    !init_random_seq(m, s))
		return false;
	if (!s->random_seq) {
		/* index order: pushed last to first, no order array needed */
		for (uint32_t k = sl->objects; k--;)
			push_idx(m, s, sl, &sl->freelist, sl->base + s->red_left_pad + k * s->size, k);
		return true;
	}
	ord = mm_host_alloc(sl->objects * sizeof(uint32_t), false);
	if (!ord)
		return false;
	pos = (uint32_t)(mm_random(m) % s->objects);
	for (uint32_t k = 0; n < sl->objects && k < s->objects; k++) {
		uint32_t idx = s->random_seq[(pos + k) % s->objects];
		if (idx < sl->objects)
			ord[n++] = idx;
	}
	/* a fallback slab has fewer objects than the sequence: n == objects */
	for (uint32_t k = n; k--;)
		push_idx(m, s, sl, &sl->freelist, sl->base + s->red_left_pad + ord[k] * s->size, ord[k]);
	mm_host_free(ord, sl->objects * sizeof(uint32_t));
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

void slub_remove_partial(struct mm_slab_state *st, struct cache *s, int32_t si)
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

/* allocate_slab: a slab's pages, descriptor and freelist (discard_slab undoes it). */
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
	sl->order = (uint8_t)order; /* with objects, the size of buf */
	sl->objects = order_objects(order, s->size);
	buf = mm_host_alloc(slab_buf_bytes(sl), true);
	if (!buf)
		goto fail_desc;
	sl->frames = (uint8_t **)(void *)buf;
	sl->next = (uint32_t *)(void *)(buf + npages * sizeof(uint8_t *));
	sl->isfree = buf + npages * sizeof(uint8_t *) + sl->objects * sizeof(uint32_t);
	for (uint64_t i = 0; i < npages; i++)
		if (!(sl->frames[i] = mm_phys_frame(m, pfn + i, true)))
			goto fail_desc;
	sl->pfn = pfn;
	sl->base = (uint32_t)MM_PHYS_TO_VIRT(MM_PFN_PHYS(pfn));
	sl->cache = id;
	sl->s = s;
	sl->cpu = -1;
	sl->prev = sl->nextp = NO_SLAB;
	sl->node = mm_pfn_to_page(m, pfn)->nid;
	sl->used = true;
	if (!slab_pages_mark(m, sl, si, true))
		goto fail_mark;
	if (s->flags & MM_SLAB_POISON)
		fill(sl, sl->base, MM_POISON_INUSE, (uint32_t)(npages << MM_PAGE_SHIFT));
	/* each object: inactive red zones and poison, zeroed tracks, the
	 * constructor (disjoint bytes: a constructed object is not poisoned),
	 * one loop per kind so that a plain cache walks none */
	if (s->debug)
		for (uint32_t i = 0; i < sl->objects; i++)
			init_object(s, sl, sl->base + s->red_left_pad + i * s->size, MM_SLUB_RED_INACTIVE);
	if (s->flags & MM_SLAB_STORE_USER)
		for (uint32_t i = 0; i < sl->objects; i++)
			fill(sl, sl->base + s->red_left_pad + i * s->size + info_end(s), 0,
			     2 * MM_SLAB_TRACK_SIZE);
	if (s->ctor)
		for (uint32_t i = 0; i < sl->objects; i++)
			run_ctor(m, s, sl, sl->base + s->red_left_pad + i * s->size);
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

void slub_discard_slab(struct mm_machine *m, struct cache *s, int32_t si)
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
	s->cpu[cpu].sl = sl;
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
			c->sl = NULL;
		}
	}
	if (!c->freelist) {
		si = first_partial(s);
		if (si != NO_SLAB) {
			slub_remove_partial(st, s, si);
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
		slub_remove_partial(st, s, si);
	check_object(m, s, sl, *out, MM_SLUB_RED_INACTIVE);
	if (s->flags & MM_SLAB_STORE_USER)
		set_track(m, s, sl, *out, 0);
	init_object(s, sl, *out, MM_SLUB_RED_ACTIVE);
	*slp = sl;
	return 0;
}

/* The lockless fast path with nothing to report: an object on this CPU's
 * freelist (a debug cache has no CPU slab, so no CPU freelist either:
 * mm_slab_verify holds it to that) whose stored free pointer is intact.
 * Takes it (true), or leaves everything to slab_alloc (false), which makes
 * the same checks and reports. */
SLAB_HOT bool alloc_fast(struct mm_machine *m, struct cache *s, uint32_t *out)
{
	struct cpu_slab *c = &s->cpu[m->cpu];
	uint32_t obj = c->freelist, idx;
	struct slab *sl = c->sl;

	if (!obj)
		return false;
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

/* slab_alloc_node: the lockless fast path inline, else a CPU slab, or for a
 * debug cache an object at a time from the node partial lists. */
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
		push_idx(m, s, sl, c->sl == sl ? &c->freelist : &sl->freelist, obj, idx);
		return 0;
	}
	si = (int32_t)(sl - st->slabs);
	push_idx(m, s, sl, &sl->freelist, obj, idx);
	if (!sl->inuse && s->nr_partial[sl->node] >= s->min_partial) {
		if (sl->partial)
			slub_remove_partial(st, s, si);
		slub_discard_slab(m, s, si);
	} else if (!sl->partial) {
		add_partial(st, s, si, true);
	}
	return 0;
}

/* The lockless free of an object of a CPU slab (of a cache without debug
 * flags: a debug cache has no CPU slab): onto this CPU's freelist when the
 * slab is this CPU's, else a remote free onto the slab's own. */
SLAB_HOT void free_to_cpu_slab(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
			       uint32_t idx)
{
	struct cpu_slab *c = &s->cpu[m->cpu];
	sl->inuse--;
	s->live--;
	push_idx(m, s, sl, c->sl == sl ? &c->freelist : &sl->freelist, obj, idx);
}

/* The lockless fast path inline; everything else in slab_free_slow. */
SLAB_HOT int slab_free(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj,
		      uint32_t idx)
{
	if (sl->cpu >= 0) {
		free_to_cpu_slab(m, s, sl, obj, idx);
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
	c->sl = NULL;
	c->freelist = 0;
	if (!sl->inuse && s->nr_partial[sl->node] >= s->min_partial)
		slub_discard_slab(m, s, si);
	else if (sl->freelist)
		add_partial(st, s, si, tail);
}

void slub_flush_all(struct mm_machine *m, struct cache *s)
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
	s = sl->s;
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

int slub_free_target(struct mm_machine *m, struct cache *want, uint64_t obj, struct cache **sp,
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
	s = sl->s;
	off = (uint32_t)obj - sl->base - s->red_left_pad;
	idx = div_size(s, off);
	/* a slab of a debug cache is never a CPU slab */
	if ((want && want != s) || sl->cpu < 0 || (uint32_t)obj < sl->base + s->red_left_pad ||
	    idx >= sl->objects || idx * s->size != off || sl->isfree[idx])
		return false;
	free_to_cpu_slab(m, s, sl, (uint32_t)obj, idx);
	return true;
}

/* ===================================================================== */
/* kmem_cache_alloc and free, shrink, validate                            */
/* ===================================================================== */

int slab_gfp_check(struct mm_machine *m, uint32_t gfp, const char *fn)
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
	if (!(s = slab_cache_arg(m, cache, "kmem_cache_alloc")))
		return -EINVAL;
	if (!out || slab_gfp_check(m, gfp, "kmem_cache_alloc")) {
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
	if (!(want = slab_cache_arg(m, cache, "kmem_cache_free")))
		return -EINVAL;
	if (!obj)
		return 0; /* kmem_cache_free(s, NULL) is a no-op */
	ret = slub_free_target(m, want, obj, &s, &sl, &idx);
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
			slub_remove_partial(st, s, si);
			slub_discard_slab(m, s, si);
		} else if (nfree <= SHRINK_PROMOTE_MAX) {
			slub_remove_partial(st, s, si);
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
		slub_remove_partial(st, s, h);
		add_partial(st, s, h, true);
	}
}

int mm_kmem_cache_shrink(struct mm_machine *m, mm_kmem_cache_t cache)
{
	struct cache *s;
	if (!m)
		return -EINVAL;
	if (!(s = slab_cache_arg(m, cache, "kmem_cache_shrink")))
		return -EINVAL;
	slub_flush_all(m, s);
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		shrink_node(m, s, n);
	return 0;
}

static int validate_slab(struct mm_machine *m, struct cache *s, struct slab *sl)
{
	struct mm_slab_state *st = m->slab;
	int n = 0;
	/* the free pointers first: each freelist of the slab walked */
	uint32_t heads[2] = { sl->freelist, 0 };
	/* a slab names a CPU exactly while that CPU's slab is it: freeze sets
	 * both, and the full-slab drop and unfreeze clear both */
	if (sl->cpu >= 0 && ALWAYS(s->cpu[sl->cpu].slab == (int32_t)(sl - st->slabs)))
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
	if (!(s = slab_cache_arg(m, cache, "validate_slab_cache")))
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

	if (!slab_entry(m, out != NULL, "kmalloc"))
		return -EINVAL;
	if (slab_gfp_check(m, gfp, "kmalloc"))
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
	struct cache *s;
	uint32_t obj;

	/* kmalloc_c is all NULL until kmem_cache_init is done */
	if (m && out && size && size <= MM_KMALLOC_MAX_CACHE_SIZE && !(gfp & ~(uint32_t)MM_GFP_DMA) &&
	    (s = m->slab->kmalloc_c[gfp][kmalloc_index(size)]) && alloc_fast(m, s, &obj)) {
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
	/* one report per refusal: slab_gfp_check makes its own */
	if (slab_gfp_check(m, gfp, "kmalloc_slab"))
		return -EINVAL;
	if (!out || !size || size > MM_KMALLOC_MAX_CACHE_SIZE) {
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
 * a cache without debug flags, a valid object pointer, not already free
 * (before kmem_cache_init no address is in a slab: kfree_slow reports).
 * Everything else, every refusal included, in kfree_slow, which makes the
 * same checks and reports. */
int mm_kfree(struct mm_machine *m, mm_vaddr_t obj)
{
	if (m && free_fast(m, NULL, obj))
		return 0;
	return kfree_slow(m, obj);
}

/* slab_alloc and slab_free out of line, for the cache set-up and tear-down
 * of lib/slab_common.c (the fast paths keep the inline ones). */
int slub_alloc_obj(struct mm_machine *m, struct cache *s, uint32_t gfp, uint32_t *out)
{
	return slab_alloc(m, s, gfp, out);
}

int slub_free_obj(struct mm_machine *m, struct cache *s, struct slab *sl, uint32_t obj, uint32_t idx)
{
	return slab_free(m, s, sl, obj, idx);
}

/* kmalloc_target out of line, for ksize and krealloc. */
int slub_kmalloc_target(struct mm_machine *m, uint64_t obj, const char *fn, struct cache **s,
			struct slab **sl, uint32_t *idx, struct mm_page **large)
{
	return kmalloc_target(m, obj, fn, s, sl, idx, large);
}
