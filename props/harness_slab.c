/*
 * Harness "slab": SLUB and kmalloc on a one-node machine, pfns [0xf80,
 * 0x1200) (DMA below 0x1000, NORMAL above), every page handed to the buddy
 * allocator, one page kept by the harness (a page no kmalloc gave), then
 * kmem_cache_init. Operations: caches of random sizes, alignments, flags
 * and constructors created and destroyed; kmem_cache_alloc/free, kmalloc,
 * kfree, krealloc and shrink across CPUs; misuse (double frees, the wrong
 * cache, interior pointers, addresses outside every slab); corruption of
 * red zones, poison, padding and stored free pointers through mm_phys_write
 * followed by validate; page-allocator fault injection.
 *
 * Every answer is predicted by oracle_slab before the library's call: the
 * return value, the reports per stage and kind, the slab an object comes
 * from and (freelist randomisation off) the object itself, the page
 * allocator's free count. A new slab's pfn is learned from the object and
 * checked (aligned, fresh, in the zone asked for). The harness writes a
 * distinct pattern over every live object and compares every live object
 * whole at every full check.
 *
 * The machine is sized so that the page allocator never runs short (at
 * most 8 pages per allocation, none started while a zone has fewer than
 * 64 free pages, no watermarks): -ENOMEM comes from fault injection (modelled) or
 * from an order the page allocator refuses. Fault injection is armed after
 * set-up; tests/test_slab.c sweeps it through kmem_cache_init.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_slab.h"
#include "props.h"

#define PFN_LO 0xf80u
#define PFN_HI 0x1200u
#define BUF_MAX 0x8000u /* the largest object the harness asks for */
#define MAX_LIVE 256
#define RING 8
#define NR_CPUS_MAX 8
#define BOOT_CACHES (1 + 2 * OSLAB_NR_KMALLOC)

struct live {
	uint64_t va, len, seed;
	uint32_t cache; /* 0: a large kmalloc */
	bool km;
};

struct slab_ctx {
	struct mm_machine *m;
	struct oslab o;
	bool oracle_live;
	bool kz; /* this kmalloc step goes through mm_kzalloc (gfp carries __GFP_ZERO) */
	unsigned nr_cpus, max_order;
	uint64_t foreign_pfn;
	struct live live[MAX_LIVE];
	uint32_t nlive;
	struct live ring[RING];
	unsigned ring_next;
	uint64_t next_seed;
	uint32_t last_cache;
	uint32_t flags[PFN_HI - PFN_LO];
	uint8_t slabmap[PFN_HI - PFN_LO];
	const uint8_t *ramp; /* BUF_MAX + 256 bytes: ramp[i] = i mod 256 */
	uint8_t *buf, *exp; /* BUF_MAX bytes each, not zeroed */
};

static const char *const era_names[] = { "2.6.29", "modern" };
static const char *const mo_names[] = { "11", "3", "4", "6" };
static const uint64_t mo_values[] = { 11, 3, 4, 6 };
static const char *const gfp_names[] = { "KERNEL", "ZERO", "DMA", "DMA_ZERO", "HIGHMEM", "ATOMIC", "BAD" };
static const uint64_t gfp_values[] = { 0, 0x8000, 0x1, 0x8001, 0x2, 0x80020, 0x200 };
static const char *const align_names[] = { "0", "8", "16", "64", "256", "4096", "bad24" };
static const uint64_t align_values[] = { 0, 8, 16, 64, 256, 4096, 24 };
static const char *const corrupt_names[] = { "left_rz", "right_rz", "poison", "freeptr", "padding" };
static const char *const bad_names[] = { "size0", "size_huge", "bad_flags", "bad_align", "bad_ctor",
					 "no_cache", "bad_gfp", "kmalloc_bad_gfp" };

/* ---- contents -------------------------------------------------------------- */

/* An object's pattern: its seed (little endian) in the first 8 bytes, then
 * the byte ramp seed + i: distinct per object, and copied (or compared)
 * from the precomputed ramp in one run. */
static void fill_pattern(struct slab_ctx *c, uint8_t *out, uint64_t seed, uint64_t len)
{
	memcpy(out, c->ramp + (seed & 0xff), len);
	for (unsigned b = 0; b < 8 && b < len; b++)
		out[b] = (uint8_t)(seed >> (8 * b));
}

/* buf holds the pattern of seed: its first 8 bytes against the seed, the
 * rest against the ramp in place (no expected copy to build). */
static bool is_pattern(const struct slab_ctx *c, const uint8_t *buf, uint64_t seed, uint64_t len)
{
	for (unsigned b = 0; b < 8 && b < len; b++)
		if (buf[b] != (uint8_t)(seed >> (8 * b)))
			return false;
	return len <= 8 || !memcmp(buf + 8, c->ramp + ((seed + 8) & 0xff), len - 8);
}

static int write_pattern(struct slab_ctx *c, struct props_result *r, struct live *l)
{
	int ret;
	l->seed = ++c->next_seed;
	fill_pattern(c, c->buf, l->seed, l->len);
	ret = mm_phys_write(c->m, l->va - OSLAB_PAGE_OFFSET, c->buf, l->len);
	if (ret)
		return props_fail(r, "mm_phys_write of live object %#llx: %d", (unsigned long long)l->va, ret);
	if (l->cache) {
		int32_t si;
		uint32_t idx;
		if (oslab_lookup(&c->o, l->va, &si, &idx) == OSLAB_W_OBJ) {
			c->o.slab[si].seed[idx] = l->seed;
			c->o.slab[si].ctor_fresh[idx] = 0;
		}
	}
	return PROPS_OK;
}

/* Compare [va, va + len) with exp. */
static int compare(struct slab_ctx *c, struct props_result *r, uint64_t va, uint64_t len, const char *what)
{
	int ret = mm_phys_read(c->m, va - OSLAB_PAGE_OFFSET, c->buf, len);
	if (ret)
		return props_fail(r, "mm_phys_read of %#llx: %d", (unsigned long long)va, ret);
	if (!memcmp(c->buf, c->exp, len))
		return PROPS_OK;
	for (uint64_t i = 0; i < len; i++)
		if (c->buf[i] != c->exp[i])
			return props_fail(r, "%s at %#llx: byte %llu is %#x, want %#x", what,
					  (unsigned long long)va, (unsigned long long)i, c->buf[i], c->exp[i]);
	return PROPS_OK;
}

static int check_live(struct slab_ctx *c, struct props_result *r, const struct live *l)
{
	int ret = mm_phys_read(c->m, l->va - OSLAB_PAGE_OFFSET, c->buf, l->len);
	if (ret)
		return props_fail(r, "mm_phys_read of %#llx: %d", (unsigned long long)l->va, ret);
	if (is_pattern(c, c->buf, l->seed, l->len))
		return PROPS_OK;
	/* wrong somewhere: name the first byte */
	fill_pattern(c, c->exp, l->seed, l->len);
	return compare(c, r, l->va, l->len, "live object contents");
}

/* What a fresh object must hold: zeros, poison, the constructor's bytes or
 * its last contents (constructed objects keep theirs); nothing known
 * otherwise. */
static int check_fresh(struct slab_ctx *c, struct props_result *r, const struct live *l, uint32_t gfp,
		       int32_t si, uint32_t idx)
{
	const struct oslab_cache *k = l->cache ? &c->o.cache[l->cache] : NULL;
	if (gfp & OSLAB_GFP_ZERO) {
		memset(c->exp, 0, l->len);
	} else if (k && k->obj_poison) {
		memset(c->exp, 0x6b, l->len);
		c->exp[l->len - 1] = 0xa5;
	} else if (k && k->ctor && c->o.slab[si].ctor_fresh[idx]) {
		memset(c->exp, 0xc7, l->len);
		for (unsigned b = 0; b < 4 && l->len >= 4; b++)
			c->exp[b] = (uint8_t)(l->va >> (8 * b));
	} else if (k && k->ctor) {
		fill_pattern(c, c->exp, c->o.slab[si].seed[idx], l->len);
	} else {
		return PROPS_OK;
	}
	return compare(c, r, l->va, l->len, "new object contents");
}

/* ---- set-up ----------------------------------------------------------------- */

/* The two scratch buffers and the ramp, made once per process and kept
 * (reachable) for every later input: fresh 32 KiB blocks per input were,
 * under ASan, new pages to fault in and poison each time. Inputs run one
 * at a time. */
static bool harness_buffers(struct slab_ctx *c)
{
	static uint8_t *buf, *exp, *ramp;
	if (!buf)
		buf = malloc(BUF_MAX);
	if (!exp)
		exp = malloc(BUF_MAX);
	if (!ramp && (ramp = malloc(BUF_MAX + 256)))
		for (unsigned i = 0; i < BUF_MAX + 256; i++)
			ramp[i] = (uint8_t)i;
	c->buf = buf;
	c->exp = exp;
	c->ramp = ramp;
	return buf && exp && ramp;
}

static int slab_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct slab_ctx *c = ctx;
	struct mm_config mc;
	uint32_t hard = 0;
	int ret;

	mm_config_default(&mc, cfg->v[0] ? MM_ERA_MODERN : MM_ERA_2_6_29);
	c->nr_cpus = (unsigned)cfg->v[1];
	c->max_order = (unsigned)cfg->v[2];
	if (!harness_buffers(c))
		return props_fail(r, "host out of memory for the harness buffers");
	mc.nr_cpus = c->nr_cpus;
	mc.max_order = c->max_order;
	hard |= (cfg->v[3] & 1) ? MM_HARDEN_FREELIST : 0;
	hard |= (cfg->v[3] & 2) ? MM_HARDEN_REDZONE : 0;
	hard |= (cfg->v[3] & 4) ? MM_HARDEN_POISON : 0;
	hard |= (cfg->v[3] & 8) ? MM_HARDEN_SHUFFLE : 0;
	mc.hardening = hard;
	mc.features = cfg->v[4] ? mc.features | MM_FEAT_FREELIST_SWAB : mc.features & ~(uint32_t)MM_FEAT_FREELIST_SWAB;
	mc.seed = cfg->v[7];
	ret = mm_machine_create(&mc, &c->m);
	if (ret)
		return props_fail(r, "mm_machine_create: %d", ret);
	props_watch(r, c->m);
	if ((ret = mm_node_add(c->m, 0, PFN_LO, PFN_HI)) || (ret = mm_free_area_init(c->m)))
		return props_fail(r, "node set-up: %d", ret);
	for (uint64_t pfn = PFN_LO; pfn < PFN_HI;) {
		unsigned o = c->max_order - 1;
		while ((pfn & ((1ull << o) - 1)) || pfn + (1ull << o) > PFN_HI ||
		       (pfn < 0x1000 && pfn + (1ull << o) > 0x1000))
			o--;
		if ((ret = mm_free_pages_bootmem(c->m, pfn, o)))
			return props_fail(r, "hand-off %#llx/%u: %d", (unsigned long long)pfn, o, ret);
		pfn += 1ull << o;
	}
	oslab_init(&c->o, c->nr_cpus, c->max_order, hard, PFN_HI - PFN_LO, PFN_HI, &r->expect);
	c->oracle_live = true;
	/* the harness's own page: kfree must refuse it */
	if ((ret = mm_alloc_pages(c->m, 0, 0, &c->foreign_pfn)))
		return props_fail(r, "harness page: %d", ret);
	if (c->foreign_pfn < 0x1000 || c->foreign_pfn >= PFN_HI)
		return props_fail(r, "harness page %#llx not NORMAL", (unsigned long long)c->foreign_pfn);
	c->o.free_pages--;
	c->o.zfree[0] = 0x1000 - PFN_LO;
	c->o.zfree[1] = PFN_HI - 0x1000 - 1;
	if ((ret = mm_kmem_cache_init(c->m)))
		return props_fail(r, "mm_kmem_cache_init: %d", ret);
	if (!oslab_kmem_cache_init(&c->o))
		return props_fail(r, "oracle kmem_cache_init: no geometry");
	/* the boot caches' structs, in creation order, from "kmem_cache" */
	for (uint32_t id = 1; id <= BOOT_CACHES; id++) {
		struct mm_kmem_cache_info ki;
		struct oslab_pick p;
		int32_t si;
		uint32_t idx;
		char msg[200];
		if (mm_kmem_cache_info(c->m, id, &ki))
			return props_fail(r, "boot cache %u missing", id);
		oslab_alloc_begin(&c->o, 1, OSLAB_GFP_ZERO, &p);
		if (!oslab_alloc_end(&c->o, &p, ki.self, &si, &idx, msg, sizeof(msg)))
			return props_fail(r, "boot cache %u's struct: %s", id, msg);
		c->o.cache[id].used = true;
		c->o.cache[id].self = ki.self;
	}
	mm_fault_inject_set(c->m, cfg->v[5] != 0, cfg->v[5] ? (uint32_t)cfg->v[5] - 1 : 0,
			    (uint32_t)cfg->v[6]);
	oslab_fault_set(&c->o, cfg->v[5] != 0, cfg->v[5] ? (uint32_t)cfg->v[5] - 1 : 0, (uint32_t)cfg->v[6]);
	/* kmem_cache_init's walk over the boot caches made no library call:
	 * the runner compares setup's reports (none expected) after this */
	r->expect.ret = r->actual.ret = 0;
	return PROPS_OK;
}

static void slab_teardown(void *ctx)
{
	struct slab_ctx *c = ctx;
	mm_machine_destroy(c->m);
	if (c->oracle_live)
		oslab_free_all(&c->o);
}

/* ---- bookkeeping -------------------------------------------------------------- */

static struct live *live_add(struct slab_ctx *c, uint64_t va, uint64_t len, uint32_t cache, bool km)
{
	struct live *l = &c->live[c->nlive++];
	l->va = va;
	l->len = len;
	l->cache = cache;
	l->km = km;
	l->seed = 0;
	return l;
}

static void live_del(struct slab_ctx *c, uint32_t i)
{
	c->ring[c->ring_next] = c->live[i];
	c->ring_next = (c->ring_next + 1) % RING;
	c->live[i] = c->live[--c->nlive];
}

/* An odd idx names the cache last allocated from or created (when it
 * still exists and fits), so that runs of operations meet in one cache;
 * an even one picks among the used caches in id order. */
static uint32_t pick_cache(const struct slab_ctx *c, uint64_t idx, bool user_only)
{
	uint32_t n = 0, id;
	if ((idx & 1) && c->last_cache && c->o.cache[c->last_cache].used &&
	    (!user_only || c->last_cache > BOOT_CACHES))
		return c->last_cache;
	idx >>= 1;
	for (id = user_only ? BOOT_CACHES + 1 : 1; id <= OSLAB_CACHES; id++)
		n += c->o.cache[id].used;
	if (!n)
		return 0;
	idx %= n;
	for (id = user_only ? BOOT_CACHES + 1 : 1; id <= OSLAB_CACHES; id++)
		if (c->o.cache[id].used && !idx--)
			return id;
	return 0;
}

static uint32_t ksize_of(const struct oslab_cache *k)
{
	if (k->flags & (OSLAB_RED_ZONE | OSLAB_POISON))
		return k->object_size;
	if (k->flags & OSLAB_STORE_USER)
		return k->inuse;
	return k->size;
}

/* The machine's sizing promise: an allocation starts only while both
 * zones keep more pages than one operation can take (8 pages, or a
 * kmem_cache slab), so the page allocator never falls back or runs out. */
static bool room(const struct slab_ctx *c)
{
	return c->o.zfree[0] >= 64 && c->o.zfree[1] >= 64;
}

/* SLAB_STORE_USER: track `which` (0 alloc, 1 free) of the object at va
 * names this operation (the caller), this CPU, pid 0. */
static int check_track(struct slab_ctx *c, struct props_result *r, uint32_t id, uint64_t va, unsigned which)
{
	const struct oslab_cache *k = &c->o.cache[id];
	uint8_t t[OSLAB_TRACK];
	uint32_t w[4], at;
	int ret;
	if (!(k->flags & OSLAB_STORE_USER))
		return PROPS_OK;
	at = (k->offset >= k->inuse ? k->inuse + 4 : k->inuse) + which * OSLAB_TRACK;
	if ((ret = mm_phys_read(c->m, va + at - OSLAB_PAGE_OFFSET, t, sizeof(t))))
		return props_fail(r, "track of %#llx: read %d", (unsigned long long)va, ret);
	for (unsigned i = 0; i < 4; i++)
		w[i] = (uint32_t)t[4 * i] | (uint32_t)t[4 * i + 1] << 8 | (uint32_t)t[4 * i + 2] << 16 |
		       (uint32_t)t[4 * i + 3] << 24;
	if (w[0] != (uint32_t)r->op_index || w[1] != c->o.cpu || w[2] || w[3] != (uint32_t)r->op_index)
		return props_fail(r, "%s track of %#llx: caller %u cpu %u pid %u when %u, want op %u cpu %u",
				  which ? "free" : "alloc", (unsigned long long)va, w[0], w[1], w[2], w[3],
				  (uint32_t)r->op_index, c->o.cpu);
	return PROPS_OK;
}

#define STEP_PROLOGUE struct slab_ctx *c = ctx

/* The library's return value, compared at once with the oracle's
 * prediction (r->expect.ret) and with every report counted so far: a step
 * calls this before it compares more or makes another library call. */
static int lib_ret(struct props_result *r, int ret)
{
	r->actual.ret = ret;
	return props_compare(r);
}

/* One allocation from cache id through both sides. */
static int do_cache_alloc(struct slab_ctx *c, struct props_result *r, uint32_t id, uint32_t gfp, bool km,
			  uint64_t *va_out)
{
	struct oslab_pick p;
	mm_vaddr_t va = 0;
	int32_t si;
	uint32_t idx;
	char msg[256];
	int ret;

	oslab_alloc_begin(&c->o, id, gfp, &p); /* r->expect: ret, WARN */
	ret = km ? mm_kmalloc(c->m, c->o.cache[id].object_size, gfp, &va)
		 : mm_kmem_cache_alloc(c->m, id, gfp, &va);
	if (lib_ret(r, ret))
		return PROPS_FAIL;
	if (ret) {
		props_note(r, "-> -ENOMEM");
		return PROPS_OK;
	}
	if (!oslab_alloc_end(&c->o, &p, va, &si, &idx, msg, sizeof(msg)))
		return props_fail(r, "alloc from cache %u: %s", id, msg);
	props_note(r, "-> %#llx%s", (unsigned long long)va, p.fresh ? " (new slab)" : "");
	*va_out = va;
	c->last_cache = id;
	if (check_track(c, r, id, va, 0))
		return PROPS_FAIL;
	return check_fresh(c, r, &(struct live){ .va = va, .len = c->o.cache[id].object_size, .cache = id },
			   gfp, si, idx);
}

/* ---- steps ------------------------------------------------------------------ */

static const uint32_t flag_bits[] = { OSLAB_RED_ZONE, OSLAB_POISON, OSLAB_HWCACHE_ALIGN, OSLAB_CACHE_DMA,
				      OSLAB_STORE_USER };

static int step_create(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t size = (uint32_t)op->v[0], align = (uint32_t)op->v[1], flags = 0, id = 0;
	uint32_t ctor = (uint32_t)op->v[3];
	mm_kmem_cache_t got = 0;
	struct oslab_pick p;
	int ret, nid;

	for (unsigned b = 0; b < 5; b++)
		if (op->v[2] & (1u << b))
			flags |= flag_bits[b];
	if (align && (align & (align - 1))) {
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = mm_kmem_cache_create(c->m, "h", size, align, flags, (enum mm_slab_ctor)ctor, &got);
		return PROPS_OK;
	}
	if (!room(c)) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	nid = oslab_free_id(&c->o);
	if (!nid) {
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_TABLE_FULL);
		r->expect.ret = -ENOSPC;
		r->actual.ret = mm_kmem_cache_create(c->m, "h", size, align, flags, (enum mm_slab_ctor)ctor, &got);
		return PROPS_OK;
	}
	oslab_alloc_begin(&c->o, 1, OSLAB_GFP_ZERO, &p); /* its struct kmem_cache: r->expect.ret */
	ret = mm_kmem_cache_create(c->m, "h", size, align, flags, (enum mm_slab_ctor)ctor, &got);
	if (lib_ret(r, ret))
		return PROPS_FAIL;
	if (ret) {
		props_note(r, "-> -ENOMEM");
		return PROPS_OK;
	}
	if (oslab_create(&c->o, size, align, flags, ctor, &id) || id != got)
		return props_fail(r, "kmem_cache_create: library id %u, oracle %u (or no geometry)", got, id);
	{
		struct mm_kmem_cache_info ki;
		int32_t si;
		uint32_t idx;
		char msg[256];
		if (mm_kmem_cache_info(c->m, id, &ki))
			return props_fail(r, "no info for new cache %u", id);
		if (!oslab_alloc_end(&c->o, &p, ki.self, &si, &idx, msg, sizeof(msg)))
			return props_fail(r, "cache %u's struct: %s", id, msg);
		c->o.cache[id].self = ki.self;
		c->o.cache[id].used = true;
		c->last_cache = id;
	}
	props_note(r, "-> cache %u size %u order %u", id, c->o.cache[id].size, c->o.cache[id].order);
	return PROPS_OK;
}

static int step_destroy(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t id = pick_cache(c, op->v[0], !op->v[1]);
	if (!id) {
		props_note(r, "no cache");
		return PROPS_OK;
	}
	if (id <= BOOT_CACHES) {
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_BUG);
		r->expect.ret = -EINVAL;
		r->actual.ret = mm_kmem_cache_destroy(c->m, id);
		return PROPS_OK;
	}
	oslab_destroy(&c->o, id); /* r->expect: ret, a BUG per busy slab, WARN */
	props_note(r, "cache %u", id);
	r->actual.ret = mm_kmem_cache_destroy(c->m, id);
	return PROPS_OK;
}

static int step_alloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t id = pick_cache(c, op->v[0], false), gfp = (uint32_t)op->v[1];
	uint64_t va = 0;
	if (gfp & ~0x88023u) {
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = mm_kmem_cache_alloc(c->m, id, gfp, &va);
		return PROPS_OK;
	}
	if (id == 1 || c->nlive >= MAX_LIVE || !room(c)) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	if (do_cache_alloc(c, r, id, gfp, false, &va))
		return PROPS_FAIL;
	if (va)
		return write_pattern(c, r, live_add(c, va, c->o.cache[id].object_size, id, false));
	return PROPS_OK;
}

/* n allocations from one cache, while the machine has room. */
static int step_fill(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t id = pick_cache(c, op->v[0], false), n = 0;
	uint64_t va = 0;
	if (id == 1)
		return PROPS_OK;
	while (n < op->v[1] && c->nlive < MAX_LIVE && room(c)) {
		va = 0;
		if (do_cache_alloc(c, r, id, (uint32_t)op->v[2] & 0x88023u, false, &va))
			return PROPS_FAIL;
		if (!va)
			break;
		if (write_pattern(c, r, live_add(c, va, c->o.cache[id].object_size, id, false)))
			return PROPS_FAIL;
		n++;
	}
	r->note[0] = '\0';
	props_note(r, "%u objects of cache %u", n, id);
	return PROPS_OK;
}

static int do_free(struct slab_ctx *c, struct props_result *r, uint32_t i);

/* Free every step-th live object of one cache (from a drawn start). */
static int step_free_stride(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t id = pick_cache(c, op->v[0], false), step = (uint32_t)op->v[1], k = 0, n = 0;
	for (uint32_t i = 0; i < c->nlive;) {
		if (c->live[i].cache == id && !c->live[i].km && (k++ % step) == op->v[2] % step) {
			r->note[0] = '\0'; /* the failing free's address only */
			if (do_free(c, r, i))
				return PROPS_FAIL;
			n++;
			continue; /* live[i] now holds what was the last */
		}
		i++;
	}
	r->note[0] = '\0';
	props_note(r, "%u objects of cache %u", n, id);
	return PROPS_OK;
}

/* A free of a live object through both sides. */
static int do_free(struct slab_ctx *c, struct props_result *r, uint32_t i)
{
	struct live l = c->live[i];
	int32_t si;
	uint32_t idx;
	enum oslab_where w = oslab_lookup(&c->o, l.va, &si, &idx);
	int ret;

	if (check_live(c, r, &l))
		return PROPS_FAIL;
	if (w == OSLAB_W_LARGE)
		oslab_large_free(&c->o, idx);
	else if (w == OSLAB_W_OBJ)
		oslab_free(&c->o, si, idx);
	else
		return props_fail(r, "live object %#llx unknown to the oracle", (unsigned long long)l.va);
	r->expect.ret = 0;
	ret = l.km ? mm_kfree(c->m, l.va) : mm_kmem_cache_free(c->m, l.cache, l.va);
	live_del(c, i);
	props_note(r, "%#llx", (unsigned long long)l.va);
	if (lib_ret(r, ret))
		return PROPS_FAIL;
	/* the object's slab may have gone back to the page allocator */
	if (w == OSLAB_W_OBJ && oslab_lookup(&c->o, l.va, &si, &idx) == OSLAB_W_OBJ)
		return check_track(c, r, l.cache, l.va, 1);
	return PROPS_OK;
}

static int step_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t want_km = (uint32_t)op->v[1];
	if (!c->nlive) {
		props_note(r, "nothing live");
		return PROPS_OK;
	}
	for (uint32_t k = 0; k < c->nlive; k++) {
		uint32_t i = (uint32_t)((op->v[0] + k) % c->nlive);
		if (c->live[i].km == (want_km != 0))
			return do_free(c, r, i);
	}
	return do_free(c, r, (uint32_t)(op->v[0] % c->nlive));
}

/* kmalloc(size, gfp) through both sides; *va 0 when it failed. */
/* kmalloc, or kzalloc for a kzalloc step: kzalloc(size, gfp) is
 * kmalloc(size, gfp | __GFP_ZERO), so the predictions are kmalloc's with the
 * zero bit set, and the library is called through the entry point drawn. */
static int lib_kmalloc(struct slab_ctx *c, uint64_t size, uint32_t gfp, mm_vaddr_t *out)
{
	return c->kz ? mm_kzalloc(c->m, size, gfp & ~(uint32_t)OSLAB_GFP_ZERO, out)
		     : mm_kmalloc(c->m, size, gfp, out);
}

static int do_kmalloc(struct slab_ctx *c, struct props_result *r, uint64_t size, uint32_t gfp, uint64_t *va)
{
	mm_vaddr_t got = 0;
	int ret;
	*va = 0;
	if (!size) {
		r->expect.ret = 0;
		if (lib_ret(r, lib_kmalloc(c, 0, gfp, &got)))
			return PROPS_FAIL;
		PROPS_CHECK_EQ(r, "kmalloc(0)", got, MM_ZERO_SIZE_PTR);
		return PROPS_OK;
	}
	if (size <= 8192) {
		unsigned i = 0;
		while (oslab_kmalloc_sizes[i] < size)
			i++;
		uint32_t id = c->o.kmalloc[(gfp & OSLAB_GFP_DMA) ? 1 : 0][i];
		struct oslab_pick p;
		int32_t si;
		uint32_t idx;
		char msg[256];
		oslab_alloc_begin(&c->o, id, gfp, &p); /* r->expect: ret, WARN */
		ret = lib_kmalloc(c, size, gfp, &got);
		if (lib_ret(r, ret))
			return PROPS_FAIL;
		if (ret)
			return PROPS_OK;
		if (!oslab_alloc_end(&c->o, &p, got, &si, &idx, msg, sizeof(msg)))
			return props_fail(r, "kmalloc(%llu): %s", (unsigned long long)size, msg);
		*va = got;
		return check_fresh(c, r, &(struct live){ .va = got, .len = c->o.cache[id].object_size, .cache = id },
				   gfp, si, idx);
	}
	{
		char msg[256];
		oslab_large_begin(&c->o, size, gfp); /* r->expect: ret, WARNs */
		ret = lib_kmalloc(c, size, gfp, &got);
		if (lib_ret(r, ret))
			return PROPS_FAIL;
		if (ret)
			return PROPS_OK;
		if (!oslab_large_end(&c->o, size, gfp, got, msg, sizeof(msg)))
			return props_fail(r, "kmalloc(%llu): %s", (unsigned long long)size, msg);
		*va = got;
		if (gfp & OSLAB_GFP_ZERO) {
			memset(c->exp, 0, size);
			return compare(c, r, got, size, "large kzalloc contents");
		}
	}
	return PROPS_OK;
}

static uint64_t live_len(const struct slab_ctx *c, uint64_t size)
{
	unsigned i = 0;
	if (size > 8192)
		return size;
	while (oslab_kmalloc_sizes[i] < size)
		i++;
	(void)c;
	return oslab_kmalloc_sizes[i];
}

static int step_kmalloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint64_t size = op->v[0], va;
	uint32_t gfp = (uint32_t)op->v[1];
	if (gfp & ~0x88023u) {
		mm_vaddr_t got;
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = lib_kmalloc(c, size, gfp, &got);
		return PROPS_OK;
	}
	if (c->nlive >= MAX_LIVE || !room(c)) {
		props_note(r, "skipped");
		return PROPS_OK;
	}
	if (do_kmalloc(c, r, size, gfp, &va))
		return PROPS_FAIL;
	if (!va)
		return PROPS_OK;
	props_note(r, "-> %#llx", (unsigned long long)va);
	{
		struct live *l = live_add(c, va, live_len(c, size), size > 8192 ? 0 : 1, true);
		uint64_t ks;
		int32_t si;
		uint32_t idx;
		enum oslab_where w = oslab_lookup(&c->o, va, &si, &idx);
		if (w == OSLAB_W_OBJ)
			l->cache = c->o.slab[si].cache;
		if (mm_ksize(c->m, va, &ks))
			return props_fail(r, "ksize(%#llx) failed", (unsigned long long)va);
		PROPS_CHECK_EQ(r, "ksize", ks,
			       w == OSLAB_W_OBJ ? ksize_of(&c->o.cache[l->cache]) : (4096ull << c->o.large[idx].order));
		return write_pattern(c, r, l);
	}
}

static int step_kzalloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct slab_ctx *c = ctx;
	struct props_op k = *op;
	int ret;
	k.v[1] |= OSLAB_GFP_ZERO;
	c->kz = true;
	ret = step_kmalloc(ctx, &k, r);
	c->kz = false;
	return ret;
}

/* kmalloc_slab: the cache a size and gfp map to, or one INVALID_ARG report
 * for a bad gfp, a NULL result pointer, 0 or more than the largest class. */
static int step_kmalloc_cache(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint64_t size = op->v[0];
	uint32_t gfp = (uint32_t)op->v[1];
	bool null_out = op->v[2] != 0;
	mm_kmem_cache_t got = 0;
	unsigned i = 0;

	/* the gfp bits slab takes: DMA, HIGHMEM, HIGH, COLD, ZERO, THISNODE,
	 * ATOMIC_HARDER (`semantics.md §8`) */
	if ((gfp & ~0xc8123u) || null_out || !size || size > 8192) {
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = mm_kmalloc_cache(c->m, size, gfp, null_out ? NULL : &got);
		return PROPS_OK;
	}
	while (oslab_kmalloc_sizes[i] < size)
		i++;
	r->expect.ret = 0;
	r->actual.ret = mm_kmalloc_cache(c->m, size, gfp, &got);
	if (props_compare(r))
		return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "kmalloc_cache", got, c->o.kmalloc[(gfp & OSLAB_GFP_DMA) ? 1 : 0][i]);
	return PROPS_OK;
}

static int step_krealloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint64_t ns = op->v[1], ks, va = 0;
	uint32_t gfp = (uint32_t)op->v[2] & ~0x200u, i;
	struct live old;
	int32_t si;
	uint32_t idx;
	enum oslab_where w;
	mm_vaddr_t got = 0;
	int ret;

	for (i = 0; i < c->nlive && !c->live[(op->v[0] + i) % c->nlive].km; i++)
		;
	if (i == c->nlive || !room(c)) {
		props_note(r, "no kmalloc object");
		return PROPS_OK;
	}
	i = (uint32_t)((op->v[0] + i) % c->nlive);
	old = c->live[i];
	if (check_live(c, r, &old))
		return PROPS_FAIL;
	w = oslab_lookup(&c->o, old.va, &si, &idx);
	ks = w == OSLAB_W_OBJ ? ksize_of(&c->o.cache[c->o.slab[si].cache]) : (4096ull << c->o.large[idx].order);
	if (!ns) {
		if (do_free(c, r, i))
			return PROPS_FAIL;
		props_note(r, " -> ZERO_SIZE_PTR (library's answer checked through kfree)");
		return PROPS_OK;
	}
	if (ks >= ns) {
		r->expect.ret = 0;
		if (lib_ret(r, mm_krealloc(c->m, old.va, ns, gfp, &got)))
			return PROPS_FAIL;
		PROPS_CHECK_EQ(r, "krealloc in place", got, old.va);
		fill_pattern(c, c->exp, old.seed, old.len);
		if ((gfp & OSLAB_GFP_ZERO) && ns < old.len)
			memset(c->exp + ns, 0, old.len - ns);
		if (compare(c, r, old.va, old.len, "krealloc in place"))
			return PROPS_FAIL;
		props_note(r, "-> same %#llx", (unsigned long long)got);
		return write_pattern(c, r, &c->live[i]);
	}
	/* a new object, ks bytes copied, the old one freed: predict the
	 * allocation through the kmalloc model, then the free */
	{
		/* the kmalloc half, predicted as step_kmalloc does, run by krealloc */
		struct oslab_pick p;
		bool large = ns > 8192;
		uint32_t id = 0;
		char msg[256];
		if (!large) {
			unsigned k = 0;
			while (oslab_kmalloc_sizes[k] < ns)
				k++;
			id = c->o.kmalloc[(gfp & OSLAB_GFP_DMA) ? 1 : 0][k];
			oslab_alloc_begin(&c->o, id, gfp, &p); /* r->expect: ret, WARN */
		} else {
			oslab_large_begin(&c->o, ns, gfp); /* r->expect: ret, WARNs */
		}
		ret = mm_krealloc(c->m, old.va, ns, gfp, &got);
		if (lib_ret(r, ret))
			return PROPS_FAIL;
		if (ret) {
			props_note(r, "-> -ENOMEM, old kept");
			return PROPS_OK;
		}
		if (large ? !oslab_large_end(&c->o, ns, gfp, got, msg, sizeof(msg))
			  : !oslab_alloc_end(&c->o, &p, got, &si, &idx, msg, sizeof(msg)))
			return props_fail(r, "krealloc(%llu): %s", (unsigned long long)ns, msg);
		va = got;
		fill_pattern(c, c->exp, old.seed, old.len);
		if (compare(c, r, va, old.len, "krealloc copy"))
			return PROPS_FAIL;
		w = oslab_lookup(&c->o, old.va, &si, &idx);
		if (w == OSLAB_W_LARGE)
			oslab_large_free(&c->o, idx);
		else
			oslab_free(&c->o, si, idx);
		live_del(c, i);
		{
			struct live *l = live_add(c, va, live_len(c, ns), id, true);
			props_note(r, "-> %#llx", (unsigned long long)va);
			return write_pattern(c, r, l);
		}
	}
}

static int step_shrink(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t id = pick_cache(c, op->v[0], false);
	oslab_shrink(&c->o, id);
	props_note(r, "cache %u", id);
	r->expect.ret = 0;
	r->actual.ret = mm_kmem_cache_shrink(c->m, id);
	return PROPS_OK;
}

static int step_cpu(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	unsigned cpu = (unsigned)op->v[0];
	if (cpu >= c->nr_cpus) {
		props_expect_report(&r->expect, MM_STAGE_CORE, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = mm_set_cpu(c->m, cpu);
		return PROPS_OK;
	}
	c->o.cpu = cpu;
	r->expect.ret = 0;
	r->actual.ret = mm_set_cpu(c->m, cpu);
	return PROPS_OK;
}

static int step_write(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	if (!c->nlive)
		return PROPS_OK;
	return write_pattern(c, r, &c->live[op->v[0] % c->nlive]);
}

/* A free of an address that is no live object: predicted from where the
 * oracle says it lies. via: 0 kfree, else kmem_cache_free(cache). */
static int misfree(struct slab_ctx *c, struct props_result *r, uint64_t va, uint32_t cache)
{
	int32_t si = OSLAB_NO;
	uint32_t idx = 0;
	enum oslab_where w = oslab_lookup(&c->o, va, &si, &idx);
	enum mm_report_kind k = MM_REPORT_BAD_FREE;

	if (w == OSLAB_W_LARGE || (w == OSLAB_W_OBJ && c->o.slab[si].live[idx])) {
		props_note(r, "%#llx is live: skipped", (unsigned long long)va);
		return PROPS_OK;
	}
	if (cache && !c->o.cache[cache].used) {
		props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG);
		r->expect.ret = -EINVAL;
		r->actual.ret = mm_kmem_cache_free(c->m, cache, va);
		return PROPS_OK;
	}
	if (va == 0 || (!cache && va == MM_ZERO_SIZE_PTR)) {
		r->expect.ret = 0;
		r->actual.ret = cache ? mm_kmem_cache_free(c->m, cache, va) : mm_kfree(c->m, va);
		return PROPS_OK;
	}
	if (w == OSLAB_W_OBJ && !(cache && c->o.slab[si].cache != cache))
		k = MM_REPORT_DOUBLE_FREE;
	props_expect_report(&r->expect, MM_STAGE_SLAB, k);
	r->expect.ret = -EINVAL;
	props_note(r, "%#llx: %s", (unsigned long long)va, mm_report_kind_name(k));
	r->actual.ret = cache ? mm_kmem_cache_free(c->m, cache, va) : mm_kfree(c->m, va);
	return PROPS_OK;
}

static int step_double_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const struct live *l = &c->ring[op->v[0] % RING];
	if (!l->va)
		return PROPS_OK;
	return misfree(c, r, l->va, l->km ? 0 : l->cache);
}

static int step_wrong_cache(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const struct live *l;
	uint32_t other;
	if (!c->nlive)
		return PROPS_OK;
	l = &c->live[op->v[0] % c->nlive];
	other = pick_cache(c, op->v[1], false);
	if (!l->cache || other == l->cache) {
		props_note(r, "same cache: skipped");
		return PROPS_OK;
	}
	props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_BAD_FREE);
	r->expect.ret = -EINVAL;
	r->actual.ret = mm_kmem_cache_free(c->m, other, l->va);
	return PROPS_OK;
}

static int step_interior(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const struct live *l;
	uint64_t delta;
	if (!c->nlive)
		return PROPS_OK;
	l = &c->live[op->v[0] % c->nlive];
	if (l->len < 2)
		return PROPS_OK;
	delta = 1 + op->v[1] % (l->len - 1);
	return misfree(c, r, l->va + delta, op->v[2] && l->cache && !l->km ? l->cache : 0);
}

static int step_free_addr(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint64_t va;
	switch (op->v[0]) {
	case 0: va = OSLAB_PAGE_OFFSET + (c->foreign_pfn << 12); break;
	case 1: va = op->v[1] << 12; break; /* below PAGE_OFFSET */
	case 2: va = 0xf8000000ull + (op->v[1] << 12); break; /* past lowmem */
	default: va = OSLAB_PAGE_OFFSET + ((PFN_LO + op->v[1] % (PFN_HI - PFN_LO)) << 12) + op->v[2]; break;
	}
	return misfree(c, r, va, op->v[3] ? pick_cache(c, op->v[3], false) : 0);
}

/* A corruption the allocator's checks are defined to see, then validate. */
static int step_corrupt(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	unsigned kind = (unsigned)op->v[0];
	uint64_t at = 0, pick = op->v[1], param = op->v[2];
	uint32_t cache = 0;
	uint8_t want_byte = 0, bytev;
	bool found = false;
	int ret;

	/* walk the oracle's objects from a drawn start for one that fits */
	uint64_t total = 0;
	for (uint32_t s = 0; s < c->o.nslab; s++)
		total += c->o.slab[s].used ? c->o.slab[s].objects : 0;
	for (uint64_t k = 0; k < total && !found; k++) {
		uint64_t n = (pick + k) % total;
		for (uint32_t s = 0; s < c->o.nslab; s++) {
			const struct oslab_slab *sl = &c->o.slab[s];
			const struct oslab_cache *ca;
			uint64_t obj;
			bool live;
			if (!sl->used)
				continue;
			if (n >= sl->objects) {
				n -= sl->objects;
				continue;
			}
			ca = &c->o.cache[sl->cache];
			obj = oslab_obj_addr(&c->o, (int32_t)s, (uint32_t)n);
			live = sl->live[n];
			switch (kind) {
			case 0:
				found = (ca->flags & OSLAB_RED_ZONE) != 0;
				at = found ? obj - ca->rlp + param % ca->rlp : 0;
				want_byte = live ? 0xcc : 0xbb;
				break;
			case 1:
				found = (ca->flags & OSLAB_RED_ZONE) != 0;
				at = found ? obj + ca->object_size + param % (ca->inuse - ca->object_size) : 0;
				want_byte = live ? 0xcc : 0xbb;
				break;
			case 2:
				found = ca->obj_poison && !live;
				at = obj + param % ca->object_size;
				want_byte = at == obj + ca->object_size - 1 ? 0xa5 : 0x6b;
				break;
			case 3:
				found = !live && sl->inuse < sl->objects;
				at = obj + ca->offset + ((param & 1) ? 3 : 0);
				want_byte = 0; /* flipped below, whatever it holds */
				break;
			default: {
				uint32_t ps = ca->offset >= ca->inuse ? ca->inuse + 4 : ca->inuse;
				uint32_t end = (ca->flags & OSLAB_RED_ZONE) ? ca->size - ca->rlp : ca->size;
				ps += (ca->flags & OSLAB_STORE_USER) ? 2 * OSLAB_TRACK : 0;
				found = (ca->flags & OSLAB_POISON) && end > ps;
				if (found)
					at = obj + ps + param % (end - ps);
				want_byte = 0x5a;
				break;
			}
			}
			if (found)
				cache = sl->cache;
			break;
		}
	}
	if (!found) {
		uint32_t id = pick_cache(c, pick, false);
		props_note(r, "no target: validate cache %u", id);
		r->expect.ret = 0;
		r->actual.ret = mm_kmem_cache_validate(c->m, id);
		return PROPS_OK;
	}
	if ((ret = mm_phys_read(c->m, at - OSLAB_PAGE_OFFSET, &bytev, 1)))
		return props_fail(r, "read %#llx: %d", (unsigned long long)at, ret);
	if (kind == 3)
		bytev ^= (param & 1) ? 0x80 : 0x01;
	else if (bytev != want_byte)
		return props_fail(r, "metadata byte at %#llx is %#x, want %#x", (unsigned long long)at, bytev,
				  want_byte);
	else
		bytev ^= 0xff;
	if ((ret = mm_phys_write(c->m, at - OSLAB_PAGE_OFFSET, &bytev, 1)))
		return props_fail(r, "write %#llx: %d", (unsigned long long)at, ret);
	/* validate finds the one corrupted object: one report, returns 1 */
	props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_CORRUPTION);
	r->expect.ret = 1;
	props_note(r, "%s at %#llx (cache %u)", corrupt_names[kind], (unsigned long long)at, cache);
	r->actual.ret = mm_kmem_cache_validate(c->m, cache);
	return PROPS_OK;
}

static int step_validate(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	uint32_t id = pick_cache(c, op->v[0], false);
	r->expect.ret = 0;
	r->actual.ret = mm_kmem_cache_validate(c->m, id);
	return PROPS_OK;
}

static int step_fault(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	mm_fault_inject_set(c->m, op->v[0] != 0, (uint32_t)op->v[1], (uint32_t)op->v[2]);
	oslab_fault_set(&c->o, op->v[0] != 0, (uint32_t)op->v[1], (uint32_t)op->v[2]);
	return PROPS_OK;
}

static int step_bad_args(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	mm_kmem_cache_t id;
	mm_vaddr_t va;
	int ret = 0;
	/* every one is refused with one report */
	props_expect_report(&r->expect, MM_STAGE_SLAB, MM_REPORT_INVALID_ARG);
	r->expect.ret = -EINVAL;
	switch (op->v[0]) {
	case 0: ret = mm_kmem_cache_create(c->m, "bad", 0, 0, 0, MM_SLAB_CTOR_NONE, &id); break;
	case 1: ret = mm_kmem_cache_create(c->m, "bad", (4096u << (c->max_order - 1)) + 1 + (uint32_t)op->v[1], 0, 0, MM_SLAB_CTOR_NONE, &id); break;
	case 2: ret = mm_kmem_cache_create(c->m, "bad", 64, 0, 0x1u << (op->v[1] % 10), MM_SLAB_CTOR_NONE, &id); break;
	case 3: ret = mm_kmem_cache_create(c->m, "bad", 64, 8192, 0, MM_SLAB_CTOR_NONE, &id); break;
	case 4: ret = mm_kmem_cache_create(c->m, "bad", 64, 0, 0, (enum mm_slab_ctor)(2 + op->v[1] % 5), &id); break;
	case 5: ret = mm_kmem_cache_alloc(c->m, 0, 0, &va); break;
	case 6: ret = mm_kmem_cache_alloc(c->m, 2, 0x200u << (op->v[1] % 4), &va); break;
	default: ret = mm_kmalloc(c->m, 64, 0x4u, &va); break;
	}
	props_note(r, "%s", bad_names[op->v[0] % 8]);
	r->actual.ret = ret;
	return PROPS_OK;
}

/* ---- the full check ----------------------------------------------------------- */

static int check_caches(struct slab_ctx *c, struct props_result *r)
{
	for (uint32_t id = 1; id <= OSLAB_CACHES; id++) {
		const struct oslab_cache *k = &c->o.cache[id];
		struct mm_kmem_cache_info ki;
		int ret = mm_kmem_cache_info(c->m, id, &ki);
		if (!k->used) {
			if (ret != -EINVAL)
				return props_fail(r, "cache %u exists in the library only", id);
			continue;
		}
		if (ret)
			return props_fail(r, "cache %u missing in the library", id);
#define CQ(f, w) PROPS_CHECK_EQ(r, "cache " #f, ki.f, w)
		CQ(flags, k->flags);
		CQ(object_size, k->object_size);
		CQ(size, k->size);
		CQ(align, k->align);
		CQ(inuse, k->inuse);
		CQ(offset, k->offset);
		CQ(red_left_pad, k->rlp);
		CQ(order, k->order);
		CQ(objects, k->objects);
		CQ(min_order, k->min_order);
		CQ(min_partial, k->min_partial);
		CQ(nr_slabs, k->nslabs);
		CQ(nr_partial, k->npartial);
		CQ(live, k->live);
		CQ(ctor_calls, k->ctor_calls);
		CQ(self, k->self);
#undef CQ
	}
	return PROPS_OK;
}

static int check_pages(struct slab_ctx *c, struct props_result *r)
{
	uint32_t *flags = c->flags;
	int ret = mm_page_flags_range(c->m, PFN_LO, PFN_HI - PFN_LO, flags);
	if (ret)
		return props_fail(r, "mm_page_flags_range: %d", ret);
	memset(c->slabmap, 0, sizeof(c->slabmap));
	for (uint32_t s = 0; s < c->o.nslab; s++)
		for (uint64_t k = 0; c->o.slab[s].used && k < (1ull << c->o.slab[s].order); k++)
			c->slabmap[c->o.slab[s].pfn + k - PFN_LO] = 1;
	for (uint64_t pfn = PFN_LO; pfn < PFN_HI; pfn++) {
		bool slab = c->slabmap[pfn - PFN_LO];
		if (((flags[pfn - PFN_LO] & MM_PAGE_SLAB) != 0) != slab)
			return props_fail(r, "pfn %#llx: library slab flag %d, oracle %d", (unsigned long long)pfn,
					  (flags[pfn - PFN_LO] & MM_PAGE_SLAB) != 0, slab);
	}
	return PROPS_OK;
}

static int slab_check(void *ctx, struct props_result *r)
{
	struct slab_ctx *c = ctx;
	if (c->o.oom)
		return props_fail(r, "oracle: host out of memory or an impossible state");
	PROPS_CHECK_EQ(r, "mm_this_cpu", mm_this_cpu(c->m), c->o.cpu);
	PROPS_CHECK_EQ(r, "mm_nr_free_pages", mm_nr_free_pages(c->m), c->o.free_pages);
	if (check_caches(c, r) || check_pages(c, r))
		return PROPS_FAIL;
	for (uint32_t i = 0; i < c->nlive; i++)
		if (check_live(c, r, &c->live[i]))
			return PROPS_FAIL;
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* What a total check costs, in the runner's units (about one page or table
 * entry compared): it walks every page of the machine several times
 * (mm_page_alloc_verify, the flags of every pfn, the slab page map), every
 * object of every slab (mm_slab_verify, byte checks in debug caches), every
 * cache and every live object's bytes. Counted at one unit per page (as the
 * page allocator's harness does), a quarter per slab object, one per cache
 * and per 256 live bytes. (Counted at an eighth of a unit per page, a check
 * ran after every other operation and took 40% of fuzz_slab's
 * instructions.) */
static uint64_t slab_check_cost(void *ctx)
{
	const struct slab_ctx *c = ctx;
	uint64_t bytes = 0, objects = 0;
	for (uint32_t i = 0; i < c->nlive; i++)
		bytes += c->live[i].len;
	for (uint32_t s = 0; s < c->o.nslab; s++)
		objects += c->o.slab[s].used ? c->o.slab[s].objects : 0;
	return (PFN_HI - PFN_LO) + objects / 4 + OSLAB_CACHES + bytes / 256;
}

/* ---- a last-reference free of a live slab's pages ------------------------------ */

static const char *const slab_put_names[] = { "free_pages", "put_page" };

/* The ordinary free path reached with a slab's pages: a caller that holds
 * no reference frees a page of a live slab with the page allocator
 * (__free_pages or put_page; at=0 the head at the slab's order, 1 the head
 * one order up, 2 the slab's last page at its order). At the head at the
 * right order the slab's own reference is the last, so free_pages_check
 * runs and finds PG_slab (and the cache in page->mapping): "Bad page
 * state", page_alloc/BAD_PAGE, -EINVAL; the other forms are refused
 * earlier (BAD_FREE, INVALID_ARG, a tail's put BAD_PAGE). The oracle names
 * each, and the slab stays as it was (docs/page_alloc.md, Misuse): every
 * later check compares its pages' slab flags, its objects' bytes, the free
 * page count, and mm_verify walks it. */
static int step_free_slab_pages(void *ctx, const struct props_op *op, struct props_result *r)
{
	const bool put = op->v[0] != 0;
	uint64_t pfn;
	unsigned order;
	int32_t s;
	STEP_PROLOGUE;
	if ((s = oslab_nth_slab(&c->o, op->v[1])) == OSLAB_NO)
		return PROPS_OK;
	pfn = c->o.slab[s].pfn + (op->v[2] == 2 ? (1ull << c->o.slab[s].order) - 1 : 0);
	order = c->o.slab[s].order + (op->v[2] == 1);
	props_note(r, "slab %d: pfn %#llx order %u ", s, (unsigned long long)pfn, order);
	r->expect.ret = oslab_free_slab_pages(&c->o, pfn, order, put);
	r->actual.ret = put ? mm_put_page(c->m, pfn) : mm_free_pages(c->m, pfn, order);
	return PROPS_OK;
}

/* ---- schema ------------------------------------------------------------------- */

#define IDX PROPS_RANGE("idx", 0, 0xffff)
#define GFP PROPS_ENUM("gfp", gfp_names, gfp_values)

static const struct props_opdef slab_ops[] = {
	{ "create", 4, { PROPS_RANGE("size", 1, 9000), PROPS_ENUM("align", align_names, align_values),
			 PROPS_HEX("flags", 0, 0x1f), PROPS_BOOL("ctor") }, step_create, false },
	{ "destroy", 2, { IDX, PROPS_BOOL("boot") }, step_destroy, false },
	{ "alloc", 2, { IDX, GFP }, step_alloc, false },
	{ "free", 2, { IDX, PROPS_BOOL("kmalloced") }, step_free, false },
	{ "kmalloc", 2, { PROPS_RANGE("size", 0, 0x8000), GFP }, step_kmalloc, false },
	{ "kmalloc_small", 2, { PROPS_RANGE("size", 0, 300), GFP }, step_kmalloc, false },
	{ "krealloc", 3, { IDX, PROPS_RANGE("size", 0, 0x8000), GFP }, step_krealloc, false },
	{ "shrink", 1, { IDX }, step_shrink, false },
	{ "cpu", 1, { PROPS_RANGE("cpu", 0, NR_CPUS_MAX + 1) }, step_cpu, false },
	{ "write", 1, { IDX }, step_write, false },
	{ "double_free", 1, { PROPS_RANGE("ring", 0, RING - 1) }, step_double_free, true },
	{ "wrong_cache", 2, { IDX, PROPS_RANGE("other", 0, 0xffff) }, step_wrong_cache, true },
	{ "interior", 3, { IDX, PROPS_RANGE("delta", 0, 0xffff), PROPS_BOOL("via_cache") }, step_interior, true },
	{ "free_addr", 4, { PROPS_RANGE("where", 0, 3), PROPS_HEX("pfn", 0, 0x1fff), PROPS_HEX("off", 0, 0xfff),
			    PROPS_RANGE("cache", 0, 70) }, step_free_addr, true },
	{ "corrupt", 3, { PROPS_ENUM("kind", corrupt_names, NULL), PROPS_RANGE("pick", 0, 0xffff),
			  PROPS_RANGE("at", 0, 0xffff) }, step_corrupt, true },
	{ "validate", 1, { IDX }, step_validate, false },
	{ "fill", 3, { IDX, PROPS_RANGE("n", 1, 64), GFP }, step_fill, false },
	{ "free_stride", 3, { IDX, PROPS_RANGE("step", 1, 4), PROPS_RANGE("start", 0, 3) }, step_free_stride, false },
	{ "fault", 3, { PROPS_BOOL("on"), PROPS_RANGE("after", 0, 32), PROPS_RANGE("repeat", 0, 4) },
	  step_fault, false },
	{ "bad_args", 2, { PROPS_ENUM("which", bad_names, NULL), PROPS_RANGE("v", 0, 0xff) }, step_bad_args, true },
	{ "free_slab_pages", 3, { PROPS_ENUM("how", slab_put_names, NULL), IDX, PROPS_RANGE("at", 0, 2) },
	  step_free_slab_pages, true },
	{ "kzalloc", 2, { PROPS_RANGE("size", 0, 0x8000), GFP }, step_kzalloc, false },
	{ "kmalloc_cache", 3, { PROPS_RANGE("size", 0, 0x4000), PROPS_HEX("gfp", 0, 0xfffff), PROPS_BOOL("null_out") },
	  step_kmalloc_cache, false },
};

const struct props_harness props_harness_slab = {
	.name = "slab",
	.summary = "SLUB caches and kmalloc: per-CPU slabs, partial lists, hardening, misuse, corruption",
	.ctx_size = sizeof(struct slab_ctx),
	.max_ops = 256,
	.check_every = 16,
	.config = { .name = "config", .nfields = 8,
		    .fields = { PROPS_ENUM("era", era_names, NULL), PROPS_RANGE("nr_cpus", 1, NR_CPUS_MAX),
				PROPS_ENUM("max_order", mo_names, mo_values), PROPS_HEX("hardening", 0, 0xf),
				PROPS_BOOL("swab"), PROPS_RANGE("fault", 0, 64), PROPS_RANGE("fault_repeat", 0, 4),
				PROPS_HEX("seed", 0, UINT64_MAX) } },
	.setup = slab_setup,
	.check = slab_check,
	.check_cost = slab_check_cost,
	.teardown = slab_teardown,
	.nr_ops = sizeof(slab_ops) / sizeof(slab_ops[0]),
	.ops = slab_ops,
};
