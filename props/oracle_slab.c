/*
 * The SLUB oracle (see oracle_slab.h and docs/slab.md). Written from the
 * semantics; calls no library code and shares no helper with it.
 */
#include "oracle_slab.h"

#include "blocks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint32_t oslab_kmalloc_sizes[OSLAB_NR_KMALLOC] = { 8,   16,   32,   64,   96,   128, 192,
						      256, 512, 1024, 2048, 4096, 8192 };

/* ---- host blocks ----------------------------------------------------------- */

/* The oracle's own blocks (per-slab maps, freelists, partial lists, the
 * slab and large tables) come from blocks.h's recycled stacks: some 20
 * host mallocs an input, each from the cold end of ASan's quarantine,
 * were a visible part of fuzz_slab's time. */
static void *ob_alloc(struct oslab *o, size_t bytes, bool zero)
{
	void *p = props_blk_alloc(bytes, zero);
	if (!p)
		o->oom = true;
	return p;
}

static void ob_free(void *p, size_t bytes)
{
	props_blk_free(p, bytes);
}

static void *ob_grow(struct oslab *o, void *p, size_t old_bytes, size_t bytes)
{
	void *n = props_blk_grow(p, old_bytes, bytes);
	if (!n)
		o->oom = true;
	return n;
}

/* ---- small arithmetic ------------------------------------------------------ */

static uint32_t up(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
static unsigned pages_order(uint64_t bytes)
{
	unsigned o = 0;
	while ((4096ull << o) < bytes)
		o++;
	return o;
}
static unsigned log2u(uint32_t x)
{
	unsigned r = 0;
	while (x > 1) {
		x >>= 1;
		r++;
	}
	return r;
}

/* ---- freelists ------------------------------------------------------------- */

/* Room for cap entries: v and unk share one block (unk after v[cap]), one
 * host allocation per list. */
static bool l_reserve(struct oslab *o, struct oslab_list *l, uint32_t cap)
{
	uint32_t *nv;
	if (cap <= l->cap)
		return true;
	nv = ob_alloc(o, cap * (sizeof(*nv) + 1), false);
	if (!nv)
		return false;
	if (l->n) {
		memcpy(nv, l->v, l->n * sizeof(*nv));
		memcpy((uint8_t *)(nv + cap), l->unk, l->n);
	}
	ob_free(l->v, l->cap * (sizeof(*nv) + 1));
	l->v = nv;
	l->unk = (uint8_t *)(nv + cap);
	l->cap = cap;
	return true;
}

static void l_push(struct oslab *o, struct oslab_list *l, uint32_t v, bool unk)
{
	if (l->n == l->cap && !l_reserve(o, l, l->cap ? l->cap * 2 : 8))
		return;
	l->v[l->n] = v;
	l->unk[l->n++] = unk;
}

static void l_free(struct oslab_list *l)
{
	ob_free(l->v, l->cap * (sizeof(*l->v) + 1));
	memset(l, 0, sizeof(*l));
}

/* Take idx from the head: the head itself, or any entry of the run of
 * unknown-order entries at the head. */
static bool l_take(struct oslab_list *l, uint32_t idx)
{
	uint32_t i = l->n;
	if (!l->n)
		return false;
	if (!l->unk[l->n - 1]) {
		if (l->v[l->n - 1] != idx)
			return false;
		l->n--;
		return true;
	}
	while (i > 0 && l->unk[i - 1]) {
		if (l->v[i - 1] == idx) {
			memmove(l->v + i - 1, l->v + i, (l->n - i) * sizeof(*l->v));
			memmove(l->unk + i - 1, l->unk + i, l->n - i);
			l->n--;
			return true;
		}
		i--;
	}
	return false;
}

/* dst = dst (bottom) + src (top); src emptied. */
static void l_splice(struct oslab *o, struct oslab_list *dst, struct oslab_list *src)
{
	for (uint32_t i = 0; i < src->n; i++)
		l_push(o, dst, src->v[i], src->unk[i]);
	src->n = 0;
}

static void l_swap(struct oslab_list *a, struct oslab_list *b)
{
	struct oslab_list t = *a;
	*a = *b;
	*b = t;
}

/* ---- set-up ---------------------------------------------------------------- */

void oslab_init(struct oslab *o, unsigned nr_cpus, unsigned max_order, uint32_t hardening,
		uint64_t free_pages, uint64_t lowmem_pfn, struct props_expect *x)
{
	memset(o, 0, sizeof(*o));
	o->x = x;
	o->nr_cpus = nr_cpus ? nr_cpus : 1;
	o->max_order = max_order ? max_order : 11;
	o->hardening = hardening;
	o->free_pages = free_pages;
	o->lowmem_pfn = lowmem_pfn;
	o->dma_pfn = lowmem_pfn < 0x1000 ? lowmem_pfn : 0x1000;
}

static void slab_release(struct oslab_slab *s)
{
	l_free(&s->fl);
	ob_free(s->seed, s->objects * (sizeof(*s->seed) + 2)); /* seed, live and ctor_fresh: one block */
	memset(s, 0, sizeof(*s));
}

void oslab_free_all(struct oslab *o)
{
	for (uint32_t i = 0; i < o->nslab; i++)
		slab_release(&o->slab[i]);
	ob_free(o->slab, o->capslab * sizeof(*o->slab));
	for (int id = 0; id <= OSLAB_CACHES; id++) {
		for (int c = 0; c < OSLAB_CPUS; c++)
			if (o->cache[id].cpufl[c].v)
				l_free(&o->cache[id].cpufl[c]);
		ob_free(o->cache[id].partial, o->cache[id].cappartial * sizeof(*o->cache[id].partial));
		o->cache[id].partial = NULL;
		o->cache[id].npartial = o->cache[id].cappartial = 0;
	}
	ob_free(o->large, o->caplarge * sizeof(*o->large));
	/* the pointers only: the rest is dead (a memset of the whole oracle
	 * was 2% of fuzz_slab's instructions) */
	o->slab = NULL;
	o->large = NULL;
	o->nslab = o->capslab = o->nlarge = o->caplarge = 0;
}

void oslab_fault_set(struct oslab *o, bool on, uint32_t after, uint32_t repeat)
{
	o->fault_on = on;
	o->fault_after = after;
	o->fault_repeat = repeat;
}

bool oslab_fault(struct oslab *o)
{
	if (!o->fault_on)
		return false;
	if (o->fault_after) {
		o->fault_after--;
		return false;
	}
	if (o->fault_repeat && --o->fault_repeat == 0)
		o->fault_on = false;
	return true;
}

/* ---- geometry -------------------------------------------------------------- */

static int order_for_size(const struct oslab *o, uint32_t size)
{
	unsigned slub_max = o->max_order - 1 < 3 ? o->max_order - 1 : 3;
	unsigned fls = 0;
	uint32_t min_objects, max_objects;
	unsigned min_order;

	for (unsigned x = o->nr_cpus; x; x >>= 1)
		fls++;
	min_objects = 4 * (fls + 1);
	max_objects = (uint32_t)((4096ull << slub_max) / size);
	if (max_objects < 1)
		max_objects = 1;
	if (min_objects > max_objects)
		min_objects = max_objects;
	min_order = pages_order((uint64_t)min_objects * size);
	if ((4096ull << min_order) / size > 32767)
		return (int)pages_order((uint64_t)size * 32767) - 1;
	for (unsigned f = 16; f > 1; f /= 2)
		for (unsigned ord = min_order; ord <= slub_max; ord++)
			if ((4096u << ord) % size <= (4096u << ord) / f)
				return (int)ord;
	return pages_order(size) < o->max_order ? (int)pages_order(size) : -1;
}

bool oslab_geometry(const struct oslab *o, struct oslab_cache *c, uint32_t size, uint32_t align,
		  uint32_t flags, uint32_t ctor)
{
	uint32_t s;
	int ord;

	flags |= ((o->hardening & OSLAB_HARD_REDZONE) ? OSLAB_RED_ZONE : 0) |
		 ((o->hardening & OSLAB_HARD_POISON) ? OSLAB_POISON : 0);
	c->flags = flags;
	c->object_size = size;
	c->ctor = ctor;
	if (flags & OSLAB_HWCACHE_ALIGN) {
		uint32_t ra = 64;
		while (size <= ra / 2)
			ra /= 2;
		if (ra > align)
			align = ra;
	}
	if (align < 8)
		align = 8;
	c->align = align;
	c->obj_poison = (flags & OSLAB_POISON) && !ctor;
	c->debug = (flags & (OSLAB_RED_ZONE | OSLAB_POISON | OSLAB_STORE_USER)) != 0;
	s = up(size, 4);
	if ((flags & OSLAB_RED_ZONE) && s == size)
		s += 4;
	c->inuse = s;
	if ((flags & OSLAB_POISON) || ctor || ((flags & OSLAB_RED_ZONE) && size < 4)) {
		c->offset = s;
		s += 4;
	} else {
		c->offset = size / 2 / 4 * 4;
	}
	if (flags & OSLAB_STORE_USER)
		s += 2 * OSLAB_TRACK;
	c->rlp = 0;
	if (flags & OSLAB_RED_ZONE) {
		s += 4;
		c->rlp = up(4, align);
		s += c->rlp;
	}
	s = up(s, align);
	c->size = s;
	ord = order_for_size(o, s);
	if (ord < 0)
		return false;
	c->order = (uint32_t)ord;
	c->objects = (uint32_t)((4096ull << ord) / s);
	c->min_order = pages_order(s);
	c->min_objects = (uint32_t)((4096ull << c->min_order) / s);
	c->min_partial = log2u(s) / 2;
	if (c->min_partial > 10)
		c->min_partial = 10;
	if (c->min_partial < 5)
		c->min_partial = 5;
	return c->objects > 0;
}

static void cache_fresh(struct oslab_cache *c)
{
	for (int i = 0; i < OSLAB_CPUS; i++) {
		c->cpu_slab[i] = OSLAB_NO;
		c->cpufl[i].n = 0;
	}
	c->npartial = 0;
	c->nslabs = c->live = c->ctor_calls = 0;
	c->self = 0;
}

int oslab_free_id(const struct oslab *o)
{
	for (int id = 1; id <= OSLAB_CACHES; id++)
		if (!o->cache[id].used)
			return id;
	return 0;
}

/* ---- partial list (node 0) ------------------------------------------------- */

static void part_add(struct oslab *o, uint32_t id, int32_t si, bool tail)
{
	struct oslab_cache *c = &o->cache[id];
	if (c->npartial == c->cappartial) {
		uint32_t cap = c->cappartial ? c->cappartial * 2 : 8;
		int32_t *n = ob_grow(o, c->partial, c->cappartial * sizeof(*n), cap * sizeof(*n));
		if (!n)
			return;
		c->partial = n;
		c->cappartial = cap;
	}
	if (tail) {
		c->partial[c->npartial++] = si;
	} else {
		memmove(c->partial + 1, c->partial, c->npartial * sizeof(*c->partial));
		c->partial[0] = si;
		c->npartial++;
	}
	o->slab[si].partial = true;
}

static void part_del(struct oslab *o, uint32_t id, int32_t si)
{
	struct oslab_cache *c = &o->cache[id];
	for (uint32_t i = 0; i < c->npartial; i++)
		if (c->partial[i] == si) {
			memmove(c->partial + i, c->partial + i + 1, (c->npartial - i - 1) * sizeof(*c->partial));
			c->npartial--;
			break;
		}
	o->slab[si].partial = false;
}

static void discard(struct oslab *o, int32_t si)
{
	struct oslab_slab *s = &o->slab[si];
	o->cache[s->cache].nslabs--;
	o->free_pages += 1ull << s->order;
	o->zfree[s->pfn >= o->dma_pfn] += 1ll << s->order;
	slab_release(s);
}

/* ---- allocation ------------------------------------------------------------ */

static void freeze(struct oslab *o, struct oslab_cache *c, int32_t si)
{
	o->slab[si].cpu = (int)o->cpu;
	c->cpu_slab[o->cpu] = si;
	l_swap(&c->cpufl[o->cpu], &o->slab[si].fl);
	o->slab[si].fl.n = 0;
}

static void new_slab_faults(struct oslab *o, struct oslab_cache *c, uint32_t gfp, struct oslab_pick *p)
{
	p->fresh = true;
	p->warn_gfp = (gfp & OSLAB_GFP_HIGHMEM) != 0;
	p->new_order = c->order;
	if (!oslab_fault(o))
		return;
	p->new_order = c->min_order;
	if (oslab_fault(o))
		p->ret = -ENOMEM;
}

static void alloc_pick(struct oslab *o, uint32_t id, uint32_t gfp, struct oslab_pick *p)
{
	struct oslab_cache *c = &o->cache[id];
	memset(p, 0, sizeof(*p));
	p->cache = id;
	p->slab = OSLAB_NO;
	p->percpu = !c->debug;
	if (c->debug) {
		if (c->npartial)
			p->slab = c->partial[0];
		else
			new_slab_faults(o, c, gfp, p);
		return;
	}
	struct oslab_list *cl = &c->cpufl[o->cpu];
	if (!cl->n && c->cpu_slab[o->cpu] != OSLAB_NO) {
		struct oslab_slab *s = &o->slab[c->cpu_slab[o->cpu]];
		if (s->fl.n) {
			l_swap(cl, &s->fl);
			s->fl.n = 0;
		} else {
			s->cpu = -1;
			c->cpu_slab[o->cpu] = OSLAB_NO;
		}
	}
	if (!cl->n) {
		if (c->npartial) {
			int32_t si = c->partial[0];
			part_del(o, id, si);
			freeze(o, c, si);
		} else {
			new_slab_faults(o, c, gfp, p);
			return;
		}
	}
	p->slab = c->cpu_slab[o->cpu];
}

void oslab_alloc_begin(struct oslab *o, uint32_t id, uint32_t gfp, struct oslab_pick *p)
{
	alloc_pick(o, id, gfp, p);
	if (p->warn_gfp)
		props_expect_report(o->x, MM_STAGE_SLAB, MM_REPORT_WARN);
	o->x->ret = p->ret;
}

static bool overlaps(const struct oslab *o, uint64_t pfn, uint64_t n)
{
	for (uint32_t i = 0; i < o->nslab; i++) {
		const struct oslab_slab *s = &o->slab[i];
		if (s->used && pfn < s->pfn + (1ull << s->order) && s->pfn < pfn + n)
			return true;
	}
	for (uint32_t i = 0; i < o->nlarge; i++)
		if (pfn < o->large[i].pfn + (1ull << o->large[i].order) && o->large[i].pfn < pfn + n)
			return true;
	return false;
}

/* The pages of a new block at pfn: fresh, in the zone the request names
 * (the harness's machine never runs short of NORMAL pages). */
static bool block_ok(const struct oslab *o, uint64_t pfn, unsigned order, bool dma, char *msg,
		     size_t len)
{
	uint64_t n = 1ull << order;
	if (pfn & (n - 1)) {
		snprintf(msg, len, "block pfn %#llx not aligned to order %u", (unsigned long long)pfn, order);
		return false;
	}
	if (dma ? pfn + n > o->dma_pfn : (pfn < o->dma_pfn || pfn + n > o->lowmem_pfn)) {
		snprintf(msg, len, "block pfn %#llx order %u outside zone %s", (unsigned long long)pfn,
			 order, dma ? "DMA" : "NORMAL");
		return false;
	}
	if (overlaps(o, pfn, n)) {
		snprintf(msg, len, "block pfn %#llx order %u overlaps a live slab or large block",
			 (unsigned long long)pfn, order);
		return false;
	}
	return true;
}

static int32_t slab_new(struct oslab *o, uint32_t id, uint64_t pfn, unsigned order)
{
	struct oslab_cache *c = &o->cache[id];
	struct oslab_slab *s;
	int32_t si = OSLAB_NO;
	for (uint32_t i = 0; i < o->nslab; i++)
		if (!o->slab[i].used) {
			si = (int32_t)i;
			break;
		}
	if (si == OSLAB_NO) {
		if (o->nslab == o->capslab) {
			uint32_t cap = o->capslab ? o->capslab * 2 : 16;
			struct oslab_slab *n = ob_grow(o, o->slab, o->capslab * sizeof(*n), cap * sizeof(*n));
			if (!n)
				return OSLAB_NO;
			o->slab = n;
			o->capslab = cap;
		}
		si = (int32_t)o->nslab++;
	}
	s = &o->slab[si];
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->pfn = pfn;
	s->order = order;
	s->cache = id;
	s->cpu = -1;
	s->objects = (uint32_t)((4096ull << order) / c->size);
	s->seed = ob_alloc(o, s->objects * (sizeof(*s->seed) + 2), true);
	if (!s->seed) {
		s->used = false;
		return OSLAB_NO;
	}
	s->live = (uint8_t *)(s->seed + s->objects);
	s->ctor_fresh = s->live + s->objects;
	l_reserve(o, &s->fl, s->objects);
	for (uint32_t k = s->objects; k--;)
		l_push(o, &s->fl, k, (o->hardening & OSLAB_HARD_SHUFFLE) != 0 && s->objects > 1);
	if (c->ctor) {
		c->ctor_calls += s->objects;
		if (s->ctor_fresh)
			memset(s->ctor_fresh, 1, s->objects);
	}
	c->nslabs++;
	o->free_pages -= 1ull << order;
	o->zfree[pfn >= o->dma_pfn] -= 1ll << order;
	return si;
}

uint64_t oslab_obj_addr(const struct oslab *o, int32_t si, uint32_t idx)
{
	const struct oslab_slab *s = &o->slab[si];
	const struct oslab_cache *c = &o->cache[s->cache];
	return OSLAB_PAGE_OFFSET + (s->pfn << 12) + c->rlp + (uint64_t)idx * c->size;
}

bool oslab_alloc_end(struct oslab *o, const struct oslab_pick *p, uint64_t vaddr, int32_t *slab_out,
		   uint32_t *idx_out, char *msg, size_t len)
{
	struct oslab_cache *c = &o->cache[p->cache];
	int32_t si = p->slab;
	struct oslab_list *l;
	struct oslab_slab *s;
	uint64_t off;
	uint32_t idx;

	if (p->fresh) {
		uint64_t bytes = 4096ull << p->new_order, base;
		if (vaddr < OSLAB_PAGE_OFFSET || vaddr >= OSLAB_PAGE_OFFSET + (o->lowmem_pfn << 12)) {
			snprintf(msg, len, "object %#llx outside lowmem", (unsigned long long)vaddr);
			return false;
		}
		base = vaddr & ~(bytes - 1);
		if (!block_ok(o, (base - OSLAB_PAGE_OFFSET) >> 12, p->new_order,
			      (c->flags & OSLAB_CACHE_DMA) != 0, msg, len))
			return false;
		si = slab_new(o, p->cache, (base - OSLAB_PAGE_OFFSET) >> 12, p->new_order);
		if (si == OSLAB_NO)
			return false;
		if (p->percpu)
			freeze(o, c, si);
	}
	s = &o->slab[si];
	off = vaddr - (OSLAB_PAGE_OFFSET + (s->pfn << 12)) - c->rlp;
	if (vaddr < OSLAB_PAGE_OFFSET + (s->pfn << 12) + c->rlp || off % c->size ||
	    off / c->size >= s->objects) {
		snprintf(msg, len, "object %#llx is not an object of the slab at pfn %#llx",
			 (unsigned long long)vaddr, (unsigned long long)s->pfn);
		return false;
	}
	idx = (uint32_t)(off / c->size);
	l = p->percpu ? &c->cpufl[o->cpu] : &s->fl;
	if (!l_take(l, idx)) {
		snprintf(msg, len, "object %#llx (index %u) is not the freelist's head (head index %u)",
			 (unsigned long long)vaddr, idx, l->n ? l->v[l->n - 1] : 0u);
		return false;
	}
	s->inuse++;
	s->live[idx] = 1;
	c->live++;
	if (!p->percpu) {
		if (p->fresh && s->inuse < s->objects)
			part_add(o, p->cache, si, false);
		else if (!p->fresh && s->inuse == s->objects)
			part_del(o, p->cache, si);
	}
	*slab_out = si;
	*idx_out = idx;
	return true;
}

/* ---- freeing --------------------------------------------------------------- */

enum oslab_where oslab_lookup(const struct oslab *o, uint64_t vaddr, int32_t *slab, uint32_t *idx)
{
	uint64_t pfn;
	if (vaddr < OSLAB_PAGE_OFFSET)
		return OSLAB_W_NONE;
	pfn = (vaddr - OSLAB_PAGE_OFFSET) >> 12;
	for (uint32_t i = 0; i < o->nslab; i++) {
		const struct oslab_slab *s = &o->slab[i];
		const struct oslab_cache *c;
		uint64_t start;
		if (!s->used || pfn < s->pfn || pfn >= s->pfn + (1ull << s->order))
			continue;
		c = &o->cache[s->cache];
		start = OSLAB_PAGE_OFFSET + (s->pfn << 12) + c->rlp;
		*slab = (int32_t)i;
		if (vaddr < start || (vaddr - start) % c->size || (vaddr - start) / c->size >= s->objects)
			return OSLAB_W_INTERIOR;
		*idx = (uint32_t)((vaddr - start) / c->size);
		return OSLAB_W_OBJ;
	}
	for (uint32_t i = 0; i < o->nlarge; i++)
		if (vaddr == OSLAB_PAGE_OFFSET + (o->large[i].pfn << 12)) {
			*idx = i;
			return OSLAB_W_LARGE;
		}
	return OSLAB_W_NONE;
}

static void deactivate(struct oslab *o, uint32_t id, unsigned cpu)
{
	struct oslab_cache *c = &o->cache[id];
	int32_t si = c->cpu_slab[cpu];
	struct oslab_slab *s;
	bool tail;

	if (si == OSLAB_NO)
		return;
	s = &o->slab[si];
	tail = s->fl.n != 0;
	l_splice(o, &s->fl, &c->cpufl[cpu]);
	s->cpu = -1;
	c->cpu_slab[cpu] = OSLAB_NO;
	if (!s->inuse && c->npartial >= c->min_partial)
		discard(o, si);
	else if (s->fl.n)
		part_add(o, id, si, tail);
}

void oslab_free(struct oslab *o, int32_t si, uint32_t idx)
{
	struct oslab_slab *s = &o->slab[si];
	const uint32_t id = s->cache;
	struct oslab_cache *c = &o->cache[id];

	s->inuse--;
	s->live[idx] = 0;
	c->live--;
	if (!c->ctor)
		s->seed[idx] = 0;
	s->ctor_fresh[idx] = s->ctor_fresh[idx] && c->ctor;
	if (s->cpu >= 0) {
		l_push(o, s->cpu == (int)o->cpu ? &c->cpufl[o->cpu] : &s->fl, idx, false);
		return;
	}
	l_push(o, &s->fl, idx, false);
	if (!s->inuse && c->npartial >= c->min_partial) {
		if (s->partial)
			part_del(o, id, si);
		discard(o, si);
	} else if (!s->partial) {
		part_add(o, id, si, true);
	}
}

int oslab_large_begin(struct oslab *o, uint64_t size, uint32_t gfp)
{
	unsigned order = size > (4096ull << 40) ? 64 : pages_order(size);
	if (gfp & OSLAB_GFP_HIGHMEM)
		props_expect_report(o->x, MM_STAGE_SLAB, MM_REPORT_WARN);
	if (order >= o->max_order) {
		props_expect_report(o->x, MM_STAGE_PAGE_ALLOC, MM_REPORT_WARN);
		o->x->ret = -ENOMEM;
	} else {
		o->x->ret = oslab_fault(o) ? -ENOMEM : 0;
	}
	return o->x->ret;
}

bool oslab_large_end(struct oslab *o, uint64_t size, uint32_t gfp, uint64_t vaddr, char *msg, size_t len)
{
	unsigned order = pages_order(size);
	uint64_t pfn;
	if (vaddr < OSLAB_PAGE_OFFSET || (vaddr & 4095)) {
		snprintf(msg, len, "large kmalloc at %#llx: not a page of lowmem", (unsigned long long)vaddr);
		return false;
	}
	pfn = (vaddr - OSLAB_PAGE_OFFSET) >> 12;
	if (!block_ok(o, pfn, order, (gfp & OSLAB_GFP_DMA) != 0, msg, len))
		return false;
	if (o->nlarge == o->caplarge) {
		uint32_t cap = o->caplarge ? o->caplarge * 2 : 8;
		struct oslab_large *n = ob_grow(o, o->large, o->caplarge * sizeof(*n), cap * sizeof(*n));
		if (!n)
			return false;
		o->large = n;
		o->caplarge = cap;
	}
	o->large[o->nlarge].pfn = pfn;
	o->large[o->nlarge++].order = order;
	o->free_pages -= 1ull << order;
	o->zfree[pfn >= o->dma_pfn] -= 1ll << order;
	return true;
}

void oslab_large_free(struct oslab *o, uint32_t i)
{
	o->free_pages += 1ull << o->large[i].order;
	o->zfree[o->large[i].pfn >= o->dma_pfn] += 1ll << o->large[i].order;
	o->large[i] = o->large[--o->nlarge];
}

/* ---- shrink, destroy, create ----------------------------------------------- */

void oslab_shrink(struct oslab *o, uint32_t id)
{
	struct oslab_cache *c = &o->cache[id];
	int32_t *keep, *promo[32];
	uint32_t nkeep = 0, npromo[32] = { 0 };
	uint32_t n;

	for (unsigned cpu = 0; cpu < OSLAB_CPUS; cpu++)
		deactivate(o, id, cpu);
	n = c->npartial;
	/* keep and the 32 promote lists: one block of 33 rows */
	keep = ob_alloc(o, 33 * (n + 1) * sizeof(*keep), false);
	if (!keep)
		return;
	for (int i = 0; i < 32; i++)
		promo[i] = keep + (size_t)(i + 1) * (n + 1);
	for (uint32_t i = 0; i < n; i++) {
		int32_t si = c->partial[i];
		struct oslab_slab *s = &o->slab[si];
		uint32_t fr = s->objects - s->inuse;
		if (!s->inuse) {
			s->partial = false;
			discard(o, si);
		} else if (fr <= 32) {
			promo[fr - 1][npromo[fr - 1]++] = si;
		} else {
			keep[nkeep++] = si;
		}
	}
	/* each promote list is in reverse scan order, fewest free first */
	c->npartial = 0;
	for (int i = 0; i < 32; i++) {
		for (uint32_t k = npromo[i]; k--;)
			c->partial[c->npartial++] = promo[i][k];
	}
	for (uint32_t k = 0; k < nkeep; k++)
		c->partial[c->npartial++] = keep[k];
	ob_free(keep, 33 * (n + 1) * sizeof(*keep));
}

int oslab_destroy(struct oslab *o, uint32_t id)
{
	struct oslab_cache *c = &o->cache[id];
	int32_t si;
	uint32_t idx;

	for (unsigned cpu = 0; cpu < OSLAB_CPUS; cpu++)
		deactivate(o, id, cpu);
	for (uint32_t i = 0; i < c->npartial;) {
		struct oslab_slab *s = &o->slab[c->partial[i]];
		if (!s->inuse) {
			int32_t d = c->partial[i];
			part_del(o, id, d);
			discard(o, d);
		} else {
			props_expect_report(o->x, MM_STAGE_SLAB, MM_REPORT_BUG);
			i++;
		}
	}
	if (c->nslabs) {
		props_expect_report(o->x, MM_STAGE_SLAB, MM_REPORT_WARN);
		return o->x->ret = -EBUSY;
	}
	c->used = false;
	if (oslab_lookup(o, c->self, &si, &idx) == OSLAB_W_OBJ)
		oslab_free(o, si, idx);
	else
		o->oom = true; /* cannot happen: flagged as an oracle failure */
	return o->x->ret = 0;
}

int oslab_create(struct oslab *o, uint32_t size, uint32_t align, uint32_t flags, uint32_t ctor,
	       uint32_t *id)
{
	int nid = oslab_free_id(o);
	struct oslab_cache *c;
	if (!nid)
		return -ENOSPC;
	c = &o->cache[nid];
	cache_fresh(c);
	if (!oslab_geometry(o, c, size, align, flags, ctor))
		return -EINVAL;
	*id = (uint32_t)nid;
	return 0;
}

bool oslab_kmem_cache_init(struct oslab *o)
{
	cache_fresh(&o->cache[1]);
	if (!oslab_geometry(o, &o->cache[1], OSLAB_KMEM_CACHE_SIZE, 0, OSLAB_HWCACHE_ALIGN, 0))
		return false;
	o->cache[1].used = true;
	for (unsigned i = 0; i < OSLAB_NR_KMALLOC; i++) {
		uint32_t id = 2 + i, dma_id = 2 + OSLAB_NR_KMALLOC + i;
		cache_fresh(&o->cache[id]);
		if (!oslab_geometry(o, &o->cache[id], oslab_kmalloc_sizes[i], 0, 0, 0))
			return false;
		o->kmalloc[0][i] = id;
		/* the DMA twin: SLAB_CACHE_DMA changes where pages come from,
		 * not the layout (both fresh: no list to share) */
		o->cache[dma_id] = o->cache[id];
		o->cache[dma_id].flags |= OSLAB_CACHE_DMA;
		o->kmalloc[1][i] = dma_id;
	}
	return true;
}

bool oslab_pfn_slab(const struct oslab *o, uint64_t pfn)
{
	for (uint32_t i = 0; i < o->nslab; i++)
		if (o->slab[i].used && pfn >= o->slab[i].pfn && pfn < o->slab[i].pfn + (1ull << o->slab[i].order))
			return true;
	return false;
}

int32_t oslab_nth_slab(const struct oslab *o, uint64_t k)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < o->nslab; i++)
		n += o->slab[i].used;
	if (!n)
		return OSLAB_NO;
	k %= n;
	for (uint32_t i = 0; i < o->nslab; i++)
		if (o->slab[i].used && !k--)
			return (int32_t)i;
	return OSLAB_NO;
}

int oslab_free_slab_pages(struct oslab *o, uint64_t pfn, unsigned order, bool put)
{
	const struct oslab_slab *sl = NULL;
	enum mm_report_kind kind = MM_REPORT_BAD_PAGE;
	for (uint32_t i = 0; i < o->nslab && !sl; i++)
		if (o->slab[i].used && pfn >= o->slab[i].pfn &&
		    pfn < o->slab[i].pfn + (1ull << o->slab[i].order))
			sl = &o->slab[i];
	if (!sl)
		return 1;
	if (!put && order >= o->max_order)
		kind = MM_REPORT_INVALID_ARG;
	else if (!put && (pfn != sl->pfn || order != sl->order))
		kind = MM_REPORT_BAD_FREE;
	props_expect_report(o->x, MM_STAGE_PAGE_ALLOC, kind);
	return -EINVAL;
}
