/*
 * Caches and kmalloc's tables (mm/slab_common.c of 6.x, with calculate_sizes
 * and calculate_order of mm/slub.c): kmem_cache_create and destroy, the
 * cache of caches bootstrapped from the page allocator, the kmalloc size
 * classes (normal and DMA) made by kmem_cache_init, ksize and krealloc,
 * the stage life cycle and the mm_verify walk of every slab.
 *
 * Departs from the kernel: no cache merging (slab_nomerge); a cache id
 * indexes a fixed table of MM_SLAB_MAX_CACHES; the object layout is
 * computed here (the kernel's kmem_cache_open in mm/slub.c). Everything
 * the allocator core does lives in lib/slub.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

static const uint32_t kmalloc_sizes[MM_NR_KMALLOC_CACHES] = { 8,   16,   32,   64,   96,
							      128, 192,  256,  512,  1024,
							      2048, 4096, 8192 };

/* Their names, spelled out: kmem_cache_init runs once per machine, and a
 * fuzzer makes a machine per input. */
#define KMALLOC_NAMES(p)                                                                     \
	{ p "kmalloc-8",   p "kmalloc-16",  p "kmalloc-32",   p "kmalloc-64",   p "kmalloc-96", \
	  p "kmalloc-128", p "kmalloc-192", p "kmalloc-256",  p "kmalloc-512",                  \
	  p "kmalloc-1024", p "kmalloc-2048", p "kmalloc-4096", p "kmalloc-8192" }
static const char *const kmalloc_names[2][MM_NR_KMALLOC_CACHES] = { KMALLOC_NAMES(""),
								      KMALLOC_NAMES("dma-") };

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

/* The layout of a twin (a DMA kmalloc cache's normal one: the same size,
 * alignment and flags but SLAB_CACHE_DMA, which moves no byte). */
static bool geometry_of_twin(struct cache *s, const struct cache *twin)
{
	s->obj_poison = twin->obj_poison;
	s->inuse = twin->inuse;
	s->offset = twin->offset;
	s->red_left_pad = twin->red_left_pad;
	s->size = twin->size;
	s->order = twin->order;
	s->objects = twin->objects;
	s->min_order = twin->min_order;
	s->min_objects = twin->min_objects;
	s->min_partial = twin->min_partial;
	s->debug = twin->debug;
	return true;
}

/* calculate_sizes and calculate_order: the object layout and slab order. */
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

/* ===================================================================== */
/* Caches                                                                 */
/* ===================================================================== */

static uint32_t hardening_flags(struct mm_machine *m)
{
	return ((m->cfg.hardening & MM_HARDEN_REDZONE) ? MM_SLAB_RED_ZONE : 0) |
	       ((m->cfg.hardening & MM_HARDEN_POISON) ? MM_SLAB_POISON : 0);
}

/* The lowest unused id: the first clear bit of the used-id map (bit
 * id - 1), kept beside the records' used flags (mm_slab_verify checks). */
static mm_kmem_cache_t free_id(struct mm_slab_state *st)
{
	_Static_assert(MM_SLAB_MAX_CACHES == 64, "the used-id map is one 64-bit word");
	return ~st->used_ids ? (mm_kmem_cache_t)__builtin_ctzll(~st->used_ids) + 1 : 0;
}

/* A record back to all zeros (unused), its id free again: every record
 * not in use is all zeros (cache_fresh relies on it). */
static void cache_clear(struct mm_slab_state *st, struct cache *s)
{
	st->used_ids &= ~(1ull << (s - st->cache - 1));
	memset(s, 0, sizeof(*s));
}

/* An unused record is all zeros (a fresh table, cache_clear): make it a
 * fresh cache named name, on no list, with no slab on any CPU or node.
 * Plain stores, no memset/memcpy (under ASan each is an interceptor's
 * range check), and out of libFuzzer's coverage (its loops are the same
 * for every cache). */
static SLAB_NOCOV __attribute__((noinline)) void cache_fresh(struct cache *s, const char *name)
{
	for (size_t i = 0; i < MM_SLAB_NAME_LEN - 1 && name[i]; i++)
		s->name[i] = name[i];
	for (unsigned c = 0; c < MM_MAX_CPUS; c++)
		s->cpu[c].slab = NO_SLAB;
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		s->partial_head[n] = s->partial_tail[n] = NO_SLAB;
	s->all_head = NO_SLAB;
}

/* Fill cache id (host side) and compute its geometry (copy it from twin
 * when given). */
static bool cache_setup(struct mm_machine *m, mm_kmem_cache_t id, const char *name, uint32_t size,
			uint32_t align, uint32_t flags, uint32_t ctor, const struct cache *twin)
{
	struct cache *s = &m->slab->cache[id];
	cache_fresh(s, name);
	s->flags = flags | hardening_flags(m);
	s->object_size = size;
	s->ctor = ctor;
	s->align = calculate_alignment(flags, align, size);
	if (!(twin ? geometry_of_twin(s, twin) : cache_geometry(m, s)))
		return false;
	s->random = (uint32_t)mm_random(m);
	s->recip = s->size < (1u << 17) ? (((uint64_t)1 << 40) + s->size - 1) / s->size : 0;
	s->harden = (m->cfg.hardening & MM_HARDEN_FREELIST) != 0;
	s->swab = (m->cfg.features & MM_FEAT_FREELIST_SWAB) != 0;
	s->used = true;
	m->slab->used_ids |= 1ull << (id - 1);
	return true;
}

/* Every slab of a cache back to the page allocator, live objects or not
 * (the rollback of a failed kmem_cache_init only). */
static void cache_release(struct mm_machine *m, struct cache *s)
{
	while (s->all_head != NO_SLAB)
		slub_discard_slab(m, s, s->all_head);
	mm_host_free(s->random_seq, s->objects * sizeof(uint32_t));
	cache_clear(m->slab, s);
}

/* kmem_cache_free(kmem_cache, s): a cache's own struct goes back. */
static void kmem_free_self(struct mm_machine *m, uint32_t self)
{
	struct cache *s;
	struct slab *sl;
	uint32_t idx;
	int ret = slub_free_target(m, &m->slab->cache[1], self, &s, &sl, &idx);
	MM_BUG_ON(ret != 0);
	slub_free_obj(m, s, sl, self, idx);
}

static int cache_create(struct mm_machine *m, const char *name, uint32_t size, uint32_t align,
			uint32_t flags, uint32_t ctor, const struct cache *twin, mm_kmem_cache_t *out)
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
	ret = slub_alloc_obj(m, &st->cache[1], MM_GFP_ZERO, &self);
	if (ret)
		return ret;
	if (!cache_setup(m, id, name, size, align, flags, ctor, twin)) {
		mm_host_free(st->cache[id].random_seq, st->cache[id].objects * sizeof(uint32_t));
		cache_clear(st, &st->cache[id]);
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
	memset(st->kmalloc_c, 0, sizeof(st->kmalloc_c));
	st->ready = false;
}

/* The table of caches, 65 records of some 300 bytes: one spare is kept
 * from the last machine destroyed (poisoned for ASan while it waits) for
 * the next kmem_cache_init. A fuzzer builds a machine per input, and a
 * fresh 20 KiB block each time was, under ASan's quarantine, new pages to
 * fault in and zero. Exchanged atomically: machines may live in threads. */
#define CACHE_TABLE_SIZE ((MM_SLAB_MAX_CACHES + 1) * sizeof(struct cache))
static struct cache *spare_table;

static struct cache *cache_table_get(void)
{
	struct cache *t = __atomic_exchange_n(&spare_table, NULL, __ATOMIC_ACQ_REL);
	if (!t)
		return calloc(MM_SLAB_MAX_CACHES + 1, sizeof(struct cache));
	mm_track_access(t, CACHE_TABLE_SIZE);
	memset(t, 0, CACHE_TABLE_SIZE);
	return t;
}

static void cache_table_put(struct cache *t)
{
	if (!t)
		return;
	mm_track_noaccess(t, CACHE_TABLE_SIZE);
	t = __atomic_exchange_n(&spare_table, t, __ATOMIC_ACQ_REL);
	if (t) {
		mm_track_access(t, CACHE_TABLE_SIZE);
		free(t);
	}
}

static bool zones_exist(struct mm_machine *m)
{
	struct mm_zone_info zi;
	for (int n = 0; n < MM_MAX_NODES; n++)
		if (!mm_zone_info(m, n, MM_ZONE_DMA, &zi))
			return true;
	return false;
}

/* The end of lowmem as the zones have it: the highest end of a DMA or
 * NORMAL zone with pages, over every node (slab pages come from no other). */
static mm_pfn_t lowmem_end_pfn(struct mm_machine *m)
{
	struct mm_zone_info zi;
	mm_pfn_t end = 0;
	for (int n = 0; n < MM_MAX_NODES; n++)
		for (int z = MM_ZONE_DMA; z <= MM_ZONE_NORMAL; z++)
			if (!mm_zone_info(m, n, z, &zi) && zi.present_pages && zi.end_pfn > end)
				end = zi.end_pfn;
	return end;
}

int mm_kmem_cache_init(struct mm_machine *m)
{
	struct mm_slab_state *st;
	const char *name;
	mm_pfn_t lowmem_end;
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
	/* An object's address is PAGE_OFFSET + its physical address (slab.h):
	 * lowmem past the 1 GiB that leaves below 4 GiB has no address a
	 * kmalloc could return (the kernel caps lowmem at MAXMEM; an ARM
	 * machine's __va would subtract PHYS_OFFSET, which this model does not,
	 * so its RAM must start low too). Before this check such a slab page
	 * got a truncated base and mm_verify found the slab state corrupt. */
	lowmem_end = lowmem_end_pfn(m);
	if (MM_PFN_PHYS(lowmem_end) > (uint64_t)UINT32_MAX + 1 - MM_PAGE_OFFSET) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, MM_PFN_PHYS(lowmem_end),
			  "kmem_cache_init: lowmem ends at %#llx, past the direct map's 1 GiB",
			  (unsigned long long)MM_PFN_PHYS(lowmem_end));
		return -EINVAL;
	}
	if (!st->cache) {
		st->cache = cache_table_get();
		st->dir_len = (uint32_t)((lowmem_end >> DIR_SHIFT) + 1);
		st->slab_of = mm_host_alloc(st->dir_len * sizeof(*st->slab_of), true);
		if (!st->cache || !st->slab_of)
			return -ENOMEM;
	}
	st->ready = true;
	/* the boot cache, then its own struct from itself (bootstrap()) */
	name = "kmem_cache";
	if (!cache_setup(m, 1, name, MM_KMEM_CACHE_OBJ_SIZE, 0, MM_SLAB_HWCACHE_ALIGN, 0, NULL)) {
		cache_clear(st, &st->cache[1]); /* an unused record is all zeros */
		goto oom;
	}
	if (slub_alloc_obj(m, &st->cache[1], MM_GFP_ZERO, &self))
		goto oom;
	st->cache[1].self = self;
	for (unsigned dma = 0; dma < 2; dma++)
		for (unsigned i = 0; i < MM_NR_KMALLOC_CACHES; i++) {
			name = kmalloc_names[dma][i];
			if (cache_create(m, name, kmalloc_sizes[i], 0, dma ? MM_SLAB_CACHE_DMA : 0, 0,
					 dma ? &st->cache[st->kmalloc[0][i]] : NULL, &st->kmalloc[dma][i]))
				goto oom;
		}
	for (unsigned dma = 0; dma < 2; dma++)
		for (unsigned i = 0; i < MM_NR_KMALLOC_CACHES; i++)
			st->kmalloc_c[dma][i] = &st->cache[st->kmalloc[dma][i]];
	return 0;
oom:
	mm_report(m, MM_STAGE_SLAB, MM_REPORT_OOM, 0, "Out of memory when creating slab %s", name);
	init_rollback(m);
	return -ENOMEM;
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
	return cache_create(m, name, size, align, flags, (uint32_t)ctor, NULL, out);
}

int mm_kmem_cache_destroy(struct mm_machine *m, mm_kmem_cache_t cache)
{
	struct mm_slab_state *st;
	struct cache *s;
	uint32_t self;

	if (!m)
		return -EINVAL;
	if (!(s = slab_cache_arg(m, cache, "kmem_cache_destroy")))
		return -EINVAL;
	st = m->slab;
	if (cache <= 1 + 2 * MM_NR_KMALLOC_CACHES) {
		mm_report(m, MM_STAGE_SLAB, MM_REPORT_BUG, cache,
			  "kmem_cache_destroy(%s): a boot cache cannot be destroyed", s->name);
		return -EINVAL;
	}
	/* __kmem_cache_shutdown: flush, free the empty partial slabs, name
	 * each partial slab still holding objects */
	slub_flush_all(m, s);
	for (unsigned n = 0; n < MM_MAX_NODES; n++)
		for (int32_t si = s->partial_head[n]; si != NO_SLAB;) {
			struct slab *sl = SL(st, si);
			int32_t next = sl->nextp;
			if (!sl->inuse) {
				slub_remove_partial(st, s, si);
				slub_discard_slab(m, s, si);
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
	mm_host_free(s->random_seq, s->objects * sizeof(uint32_t));
	cache_clear(st, s);
	kmem_free_self(m, self);
	return 0;
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

	if (!slab_entry(m, out != NULL, "ksize"))
		return -EINVAL;
	if (obj == 0 || obj == MM_ZERO_SIZE_PTR) {
		*out = 0;
		return 0;
	}
	ret = slub_kmalloc_target(m, obj, "ksize", &s, &sl, &idx, &large);
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
	if (!out || slab_gfp_check(m, gfp, "krealloc")) {
		if (!out)
			mm_report(m, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG, 0, "krealloc: NULL out");
		return -EINVAL;
	}
	if (obj == 0 || obj == MM_ZERO_SIZE_PTR)
		return mm_kmalloc(m, new_size, gfp, out);
	ret = slub_kmalloc_target(m, obj, "krealloc", &s, &sl, &idx, &large);
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
	if (ret) {
		/* the host backing cap (cfg.phys_backing_max_pages) is full: an
		 * mmsim limit, not the kernel's. Undo: the old object stays. */
		MM_BUG_ON(mm_kfree(m, n) != 0);
		return ret;
	}
	ret = mm_kfree(m, obj);
	MM_BUG_ON(ret != 0);
	*out = n;
	return 0;
}

/* A read-only accessor the harness's checks call for every id: out of
 * libFuzzer's coverage, as mm_zone_info is. */
SLAB_NOCOV int mm_kmem_cache_info(struct mm_machine *m, mm_kmem_cache_t cache,
				  struct mm_kmem_cache_info *out)
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

/* Teardown, once per machine: out of libFuzzer's coverage (its loops over
 * every descriptor and cache are no state worth an input). */
SLAB_NOCOV void mm_slab_destroy(struct mm_machine *m)
{
	struct mm_slab_state *st = m->slab;
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nr_slabs; i++)
		if (st->slabs[i].used)
			slub_slab_buf_free(&st->slabs[i]);
	mm_host_free(st->slabs, st->cap_slabs * sizeof(*st->slabs));
	if (st->cache)
		for (uint32_t id = 0; id <= MM_SLAB_MAX_CACHES; id++)
			if (st->cache[id].random_seq)
				mm_host_free(st->cache[id].random_seq,
					     st->cache[id].objects * sizeof(uint32_t));
	cache_table_put(st->cache);
	for (uint32_t d = 0; st->slab_of && d < st->dir_len; d++)
		mm_host_free(st->slab_of[d], SLAB_OF_PAGE_BYTES);
	mm_host_free(st->slab_of, st->dir_len * sizeof(*st->slab_of));
	mm_state_free(m, st);
	m->slab = NULL;
}

/* ===================================================================== */
/* mm_verify                                                              */
/* ===================================================================== */

static bool verify_region_ok(const struct slab *sl, uint32_t va, uint8_t v, uint32_t len)
{
	uint32_t at;
	return !len || !slub_find_other(sl, va, v, len, &at);
}

/* The metadata bytes of one object, as check_object would find them. */
static bool verify_object_clean(const struct cache *s, const struct slab *sl, uint32_t obj, uint8_t val)
{
	if (s->flags & MM_SLAB_RED_ZONE) {
		if (!verify_region_ok(sl, obj - s->red_left_pad, val, s->red_left_pad) ||
		    !verify_region_ok(sl, obj + s->object_size, val, s->inuse - s->object_size))
			return false;
	} else if ((s->flags & MM_SLAB_POISON) &&
		   !verify_region_ok(sl, obj + s->object_size, MM_POISON_INUSE, s->inuse - s->object_size)) {
		return false;
	}
	if (!(s->flags & MM_SLAB_POISON))
		return true;
	if (val != MM_SLUB_RED_ACTIVE && s->obj_poison &&
	    (!verify_region_ok(sl, obj, MM_POISON_FREE, s->object_size - 1) ||
	     !verify_region_ok(sl, obj + s->object_size - 1, MM_POISON_END, 1)))
		return false;
	return verify_region_ok(sl, obj + pad_start(s), MM_POISON_INUSE, size_from_object(s) - pad_start(s));
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
		/* valid_pointer with its quotient kept as the index */
		uint32_t off = p - sl->base - s->red_left_pad, i = div_size(s, off), slot;
		MM_VERIFY(m, p >= sl->base + s->red_left_pad && i < sl->objects && i * s->size == off &&
				     steps < sl->objects,
			  "slab %s at %#x: freelist entry %#x out of range or cyclic", s->name, sl->base, p);
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

	MM_VERIFY(m, sl->used && sl->cache == id && sl->s == s, "slab %d on %s's list is not the cache's", si, s->name);
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
		MM_VERIFY(m, verify_object_clean(s, sl, obj, sl->isfree[i] ? MM_SLUB_RED_INACTIVE : MM_SLUB_RED_ACTIVE),
			  "slab %s: object %#x has a corrupted red zone, poison or padding", s->name, obj);
	}
	MM_VERIFY(m, !(s->flags & MM_SLAB_POISON) ||
			     verify_region_ok(sl, sl->base + sl->objects * s->size, MM_POISON_INUSE,
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
		MM_VERIFY(m, si == NO_SLAB ? !s->cpu[c].freelist && !s->cpu[c].sl : (!s->debug && s->cpu[c].sl == &st->slabs[si] && st->slabs[si].used && st->slabs[si].cache == id && st->slabs[si].cpu == (int32_t)c),
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
					     st->cache[st->kmalloc[dma][i]].object_size == kmalloc_sizes[i] &&
					     st->kmalloc_c[dma][i] == &st->cache[st->kmalloc[dma][i]],
				  "kmalloc cache %u/%u missing", dma, i);
	for (mm_kmem_cache_t id = 1; id <= MM_SLAB_MAX_CACHES; id++) {
		MM_VERIFY(m, st->cache[id].used == ((st->used_ids >> (id - 1)) & 1),
			  "cache %u: used %d, used-id map %d", id, st->cache[id].used,
			  (int)((st->used_ids >> (id - 1)) & 1));
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
