/* label: scenario */
/*
 * The edges of the slab API the slab harness does not draw: every call
 * without a machine, before mm_kmem_cache_init, with a cache id that does
 * not exist, without its result pointer; kmem_cache_init before the zones
 * and with no page at all; kmalloc_slab's cache choice (mm_kmalloc_cache)
 * per size class, normal and DMA; kzalloc; ksize and krealloc of the
 * special pointers 0 and ZERO_SIZE_PTR; the stored free pointer's encoding
 * with and without MM_HARDEN_FREELIST (and MM_FEAT_FREELIST_SWAB).
 *
 * Expectations come from slab.h and the kernel's kmalloc_index: sizes up
 * to 8 take kmalloc-8, 65..96 kmalloc-96, 129..192 kmalloc-192, any other
 * size the next power of two; cache ids are "kmem_cache" 1, then the 13
 * kmalloc caches by size (2..14), then their DMA twins (15..27).
 * Refusals follow semantics.md §0.3: -EINVAL; one INVALID_ARG report when
 * there is a machine to report to, a BUG report ("called before
 * kmem_cache_init") before the allocator exists.
 */
#include "check.h"
#include "profile.h"

#include <errno.h>

#include "mmsim/mmsim.h"

#define LO 0x800u
#define HI 0x1800u
#define KINDS(m, k) mm_report_count_kind((m), (k))

static struct mm_machine *zones(bool pages)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_MODERN);
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, LO, HI) || mm_free_area_init(m) || (pages && give(m, LO, HI, 896 << 8, 11))) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* Expect: no machine, -EINVAL everywhere. */
static void no_machine(void)
{
	mm_vaddr_t v;
	mm_kmem_cache_t c;
	uint64_t u;
	struct mm_kmem_cache_info ki;
	ASSERT_EQ(mm_kmem_cache_init(NULL), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_create(NULL, "x", 8, 0, 0, MM_SLAB_CTOR_NONE, &c), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_alloc(NULL, 2, 0, &v), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_free(NULL, 2, MM_PAGE_OFFSET), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_shrink(NULL, 2), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_destroy(NULL, 28), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_validate(NULL, 2), -EINVAL);
	ASSERT_EQ(mm_kmalloc(NULL, 8, 0, &v), -EINVAL);
	ASSERT_EQ(mm_kzalloc(NULL, 8, 0, &v), -EINVAL);
	ASSERT_EQ(mm_kfree(NULL, MM_PAGE_OFFSET), -EINVAL);
	ASSERT_EQ(mm_krealloc(NULL, 0, 8, 0, &v), -EINVAL);
	ASSERT_EQ(mm_ksize(NULL, MM_PAGE_OFFSET, &u), -EINVAL);
	ASSERT_EQ(mm_kmalloc_cache(NULL, 8, 0, &c), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_info(NULL, 1, &ki), -EINVAL);
}

/* Expect: before kmem_cache_init each call is -EINVAL with one BUG report
 * ("called before kmem_cache_init"); kmem_cache_info finds no cache
 * (-EINVAL, a query: no report). kmem_cache_init before the zones exist is
 * -EINVAL with a BUG report; with zones but no free page, -ENOMEM with an
 * OOM report ("Out of memory when creating slab"), and it may be retried
 * once pages are handed over. */
static void before_init(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_vaddr_t v;
	mm_kmem_cache_t c;
	uint64_t u;
	struct mm_kmem_cache_info ki;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_kmem_cache_init(m), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_kmem_cache_create(m, "x", 8, 0, 0, MM_SLAB_CTOR_NONE, &c), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_alloc(m, 2, 0, &v), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_free(m, 2, MM_PAGE_OFFSET), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_shrink(m, 2), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_destroy(m, 28), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_validate(m, 2), -EINVAL);
	ASSERT_EQ(mm_kmalloc(m, 8, 0, &v), -EINVAL);
	ASSERT_EQ(mm_kzalloc(m, 8, 0, &v), -EINVAL);
	ASSERT_EQ(mm_kfree(m, MM_PAGE_OFFSET), -EINVAL);
	ASSERT_EQ(mm_krealloc(m, 0, 8, 0, &v), -EINVAL);
	ASSERT_EQ(mm_ksize(m, MM_PAGE_OFFSET, &u), -EINVAL);
	ASSERT_EQ(mm_kmalloc_cache(m, 8, 0, &c), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BUG), 13);
	ASSERT_EQ(mm_kmem_cache_info(m, 1, &ki), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 13);
	mm_machine_destroy(m);

	m = zones(false);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), -ENOMEM);
	ASSERT_EQ(KINDS(m, MM_REPORT_OOM), 1);
	ASSERT_EQ(give(m, LO, HI, 896 << 8, 11), 0);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_init(m), -EEXIST);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: after init, a cache id that names nothing (0, 28 before any
 * create, 65) is refused by every call taking one: -EINVAL, INVALID_ARG;
 * a NULL result pointer is refused with INVALID_ARG; the boot caches cannot
 * be destroyed (-EINVAL, BUG). */
static void bad_args(void)
{
	struct mm_machine *m = zones(true);
	const mm_kmem_cache_t bad[] = { 0, 28, 65 };
	mm_vaddr_t v;
	mm_kmem_cache_t c;
	struct mm_kmem_cache_info ki;
	uint64_t n;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	for (size_t i = 0; i < 3; i++) {
		n = KINDS(m, MM_REPORT_INVALID_ARG);
		ASSERT_EQ(mm_kmem_cache_alloc(m, bad[i], 0, &v), -EINVAL);
		ASSERT_EQ(mm_kmem_cache_free(m, bad[i], MM_PAGE_OFFSET), -EINVAL);
		ASSERT_EQ(mm_kmem_cache_shrink(m, bad[i]), -EINVAL);
		ASSERT_EQ(mm_kmem_cache_destroy(m, bad[i]), -EINVAL);
		ASSERT_EQ(mm_kmem_cache_validate(m, bad[i]), -EINVAL);
		ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), n + 5);
		ASSERT_EQ(mm_kmem_cache_info(m, bad[i], &ki), -EINVAL);
	}
	n = KINDS(m, MM_REPORT_INVALID_ARG);
	ASSERT_EQ(mm_kmem_cache_create(m, "x", 8, 0, 0, MM_SLAB_CTOR_NONE, NULL), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_create(m, NULL, 8, 0, 0, MM_SLAB_CTOR_NONE, &c), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_alloc(m, 2, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_krealloc(m, 0, 8, 0, NULL), -EINVAL);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "krealloc: NULL out");
	ASSERT_EQ(mm_last_report(m)->addr, 0); /* no address concerned */
	ASSERT_EQ(mm_ksize(m, MM_PAGE_OFFSET, NULL), -EINVAL);
	ASSERT_EQ(mm_kmalloc_cache(m, 8, 0, NULL), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), n + 6);
	ASSERT_EQ(mm_kmem_cache_info(m, 1, NULL), -EINVAL);
	n = KINDS(m, MM_REPORT_BUG);
	ASSERT_EQ(mm_kmem_cache_destroy(m, 1), -EINVAL);
	ASSERT_EQ(mm_kmem_cache_destroy(m, 27), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BUG), n + 2);
	/* kmem_cache_free of NULL is a no-op */
	ASSERT_EQ(mm_kmem_cache_free(m, 2, 0), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: kmalloc_slab by size class (kmalloc_index), normal and DMA twin;
 * sizes 0 and above MM_KMALLOC_MAX_CACHE_SIZE, and unknown gfp bits, are
 * refused (-EINVAL, INVALID_ARG). */
static void kmalloc_cache_choice(void)
{
	static const struct {
		uint64_t size;
		mm_kmem_cache_t id; /* 2 = kmalloc-8 ... 14 = kmalloc-8192 */
	} t[] = {
		{ 1, 2 }, { 8, 2 }, { 9, 3 }, { 16, 3 }, { 17, 4 }, { 33, 5 }, { 64, 5 },
		{ 65, 6 }, { 96, 6 }, { 97, 7 }, { 128, 7 }, { 129, 8 }, { 192, 8 },
		{ 193, 9 }, { 256, 9 }, { 257, 10 }, { 1024, 11 }, { 2048, 12 },
		{ 4096, 13 }, { 4097, 14 }, { 8192, 14 },
	};
	struct mm_machine *m = zones(true);
	mm_kmem_cache_t c = 0;
	struct mm_kmem_cache_info ki;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ASSERT_EQ(mm_kmalloc_cache(m, t[i].size, 0, &c), 0);
		ASSERT_EQ(c, t[i].id);
		ASSERT_EQ(mm_kmalloc_cache(m, t[i].size, MM_GFP_DMA, &c), 0);
		ASSERT_EQ(c, t[i].id + MM_NR_KMALLOC_CACHES);
	}
	ASSERT_EQ(mm_kmem_cache_info(m, 6, &ki), 0);
	ASSERT_STR_EQ(ki.name, "kmalloc-96");
	ASSERT_EQ(mm_kmem_cache_info(m, 8 + MM_NR_KMALLOC_CACHES, &ki), 0);
	ASSERT_STR_EQ(ki.name, "dma-kmalloc-192");
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_kmalloc_cache(m, 0, 0, &c), -EINVAL);
	ASSERT_EQ(mm_kmalloc_cache(m, MM_KMALLOC_MAX_CACHE_SIZE + 1, 0, &c), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 2);
	ASSERT_EQ(mm_kmalloc_cache(m, 8, 0x80000000u, &c), -EINVAL);
	/* a bad gfp is one report, not a second "bad size" as well */
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 3);
	mm_machine_destroy(m);
}

/* Expect: kzalloc returns a zeroed object even where a freed object left
 * bytes behind; ksize of 0 and ZERO_SIZE_PTR is 0; krealloc of 0 or
 * ZERO_SIZE_PTR is a kmalloc of the new size; krealloc with unknown gfp
 * bits is refused (-EINVAL, INVALID_ARG). */
static void zero_and_special_pointers(void)
{
	struct mm_machine *m = zones(true);
	mm_vaddr_t a, b, c;
	uint64_t ks = 1;
	uint8_t buf[64];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmalloc(m, 64, 0, &a), 0);
	memset(buf, 0x77, sizeof(buf));
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(a), buf, sizeof(buf)), 0);
	ASSERT_EQ(mm_kfree(m, a), 0);
	ASSERT_EQ(mm_kzalloc(m, 64, 0, &b), 0);
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(b), buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(buf[i], 0);
	ASSERT_EQ(mm_ksize(m, 0, &ks), 0);
	ASSERT_EQ(ks, 0);
	ks = 1;
	ASSERT_EQ(mm_ksize(m, MM_ZERO_SIZE_PTR, &ks), 0);
	ASSERT_EQ(ks, 0);
	ASSERT_EQ(mm_krealloc(m, 0, 100, 0, &c), 0);
	ASSERT_EQ(mm_ksize(m, c, &ks), 0);
	ASSERT_EQ(ks, 128);
	ASSERT_EQ(mm_krealloc(m, MM_ZERO_SIZE_PTR, 0, 0, &a), 0);
	ASSERT_EQ(a, MM_ZERO_SIZE_PTR);
	ASSERT_EQ(mm_report_count(m), 0);
	/* sizes no order can hold (get_order past 2^63, and just past
	 * PAGE_SIZE << (MAX_ORDER - 1)): -ENOMEM with the page allocator's WARN */
	ASSERT_EQ(mm_kmalloc(m, UINT64_MAX, 0, &a), -ENOMEM);
	ASSERT_EQ(mm_kmalloc(m, (4096ull << 10) + 1, 0, &a), -ENOMEM);
	ASSERT_EQ(KINDS(m, MM_REPORT_WARN), 2);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_krealloc(m, c, 200, 0x80000000u, &a), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_kfree(m, b), 0);
	ASSERT_EQ(mm_kfree(m, c), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: MM_SLAB_MAX_CACHES caches at most, the 27 boot caches
 * included: 37 more are created (ids 28..64), the next is -ENOSPC with a
 * TABLE_FULL report; destroying one frees its id for the next create. */
static void cache_table_full(void)
{
	struct mm_machine *m = zones(true);
	mm_kmem_cache_t c = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	for (mm_kmem_cache_t want = 28; want <= MM_SLAB_MAX_CACHES; want++) {
		ASSERT_EQ(mm_kmem_cache_create(m, "filler", 32, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
		ASSERT_EQ(c, want);
	}
	ASSERT_EQ(mm_kmem_cache_create(m, "one too many", 32, 0, 0, MM_SLAB_CTOR_NONE, &c), -ENOSPC);
	ASSERT_EQ(KINDS(m, MM_REPORT_TABLE_FULL), 1);
	ASSERT_EQ(mm_kmem_cache_destroy(m, 40), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "again", 32, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(c, 40);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: the largest size kmem_cache_create takes, PAGE_SIZE << (MAX_ORDER
 * - 1), fits a slab of the top order; with red zones and owner tracks the
 * slot no longer fits any order below MAX_ORDER, so calculate_sizes fails
 * and the create is refused as the kernel's is ("kmem_cache_create(name)
 * failed with error -22": -EINVAL and a WARN), nothing left behind. */
static void cache_too_big_for_any_order(void)
{
	struct mm_machine *m = zones(true);
	const uint32_t max = 4096u << 10;
	mm_kmem_cache_t c = 0;
	struct mm_kmem_cache_info ki;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "huge", max, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.order, 10);
	ASSERT_EQ(ki.objects, 1);
	ASSERT_EQ(mm_kmem_cache_create(m, "huge-debug", max, 0, MM_SLAB_RED_ZONE | MM_SLAB_STORE_USER,
				       MM_SLAB_CTOR_NONE, &c), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_WARN), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_kmem_cache_info(m, 29, &ki), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (docs/slab.md "Hardening switches", semantics.md §8): a fresh slab
 * of a plain cache (no shuffle, no constructor) links its free objects in
 * address order, obj[k] -> obj[k + 1], the last to 0, the pointer stored at
 * obj + offset. Without MM_HARDEN_FREELIST the 4 stored bytes (little
 * endian) are the next address itself. With it they are next ^ secret ^
 * slot (slot = obj + offset, byte-swapped under MM_FEAT_FREELIST_SWAB):
 * the secret is not exposed, so every free object must decode to one and
 * the same secret, and no stored word may be the plain next address. */
static uint32_t bswap32(uint32_t x)
{
	return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

static void free_pointer_encoding(uint32_t hardening, bool swab)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t obj0 = 0;
	uint32_t secret = 0;

	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.hardening = hardening;
	cfg.features = swab ? cfg.features | MM_FEAT_FREELIST_SWAB : cfg.features & ~(uint32_t)MM_FEAT_FREELIST_SWAB;
	cfg.seed = 11;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_node_add(m, 0, LO, HI), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(give(m, LO, HI, 896 << 8, 11), 0);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "fp", 64, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.red_left_pad, 0);
	ASSERT_LT(2, ki.objects);
	/* the first object of the cache's first slab: its index 0 */
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &obj0), 0);
	ASSERT_EQ(obj0 % ((uint64_t)MM_PAGE_SIZE << ki.order), 0);
	for (uint32_t k = 1; k < ki.objects; k++) {
		uint32_t slot = (uint32_t)(obj0 + (uint64_t)k * ki.size + ki.offset);
		uint32_t next = k + 1 < ki.objects ? (uint32_t)(obj0 + (uint64_t)(k + 1) * ki.size) : 0;
		uint8_t b[4];
		uint32_t stored, key;
		ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(slot), b, 4), 0);
		stored = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
		if (!hardening) {
			ASSERT_EQ(stored, next);
			continue;
		}
		ASSERT_NE(stored, next);
		key = stored ^ next ^ (swab ? bswap32(slot) : slot);
		if (k == 1)
			secret = key;
		ASSERT_EQ(key, secret);
	}
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static void free_pointer_plain(void)
{
	free_pointer_encoding(0, false);
	free_pointer_encoding(0, true);
}

static void free_pointer_hardened(void)
{
	free_pointer_encoding(MM_HARDEN_FREELIST, false);
	free_pointer_encoding(MM_HARDEN_FREELIST, true);
}

/* The bytes of the last object slot of the slab whose first object is at
 * first (objects of ki->size from it) all read zero: a slot never used
 * holds only its free pointer, NULL at the end of the list. */
#define LAST_SLOT_MAX 256u
static bool last_slot_zero(struct mm_machine *m, mm_vaddr_t first, const struct mm_kmem_cache_info *ki)
{
	uint8_t slot[LAST_SLOT_MAX];
	if (ki->size > sizeof(slot) ||
	    mm_phys_read(m, MM_VIRT_TO_PHYS(first) + (uint64_t)(ki->objects - 1) * ki->size, slot, ki->size))
		return false;
	for (uint32_t i = 0; i < ki->size; i++)
		if (slot[i])
			return false;
	return true;
}

/* Expect (docs/slab.md, semantics.md §8): a new slab of a store-user cache
 * (no red zone, no poison, no shuffle, no hardening) starts with both track
 * records of every object zeroed. The slab's last object, never handed
 * out, reads as zeros over its whole slot: its free pointer is NULL (the
 * end of the address-ordered list) and its tracks are zero. */
static void store_user_tracks_zeroed(void)
{
	struct mm_machine *m = zones(true);
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t first;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "su", 64, 0, MM_SLAB_STORE_USER, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &first), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_TRUE(ki.objects > 1);
	ASSERT_TRUE(ki.size <= LAST_SLOT_MAX);
	ASSERT_EQ(ki.red_left_pad, 0);
	ASSERT_TRUE(last_slot_zero(m, first, &ki));
	ASSERT_EQ(mm_kmem_cache_free(m, c, first), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a slab made after kmem_cache_shrink freed the cache's only
 * (empty) slab builds its free list afresh: whatever descriptor and page it
 * gets, its last object's free pointer is NULL (the end of the
 * address-ordered list, hardening off), so the never-used last slot reads
 * zero; nr_slabs goes 1, 0, 1. */
static void slab_rebuilt_after_shrink(void)
{
	struct mm_machine *m = zones(true);
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t a, b;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "rs", 64, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &a), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, a), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.nr_slabs, 1);
	ASSERT_EQ(mm_kmem_cache_shrink(m, c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.nr_slabs, 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &b), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.nr_slabs, 1);
	ASSERT_TRUE(ki.objects > 1 && ki.size <= LAST_SLOT_MAX);
	ASSERT_TRUE(last_slot_zero(m, b, &ki));
	ASSERT_EQ(mm_kmem_cache_free(m, c, b), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   pfn 0 ... node 0 [0, 0x1000) ...; [0x10, 0x1000) handed over, then
 *   kmem_cache_init; then pfn 0 alone handed over (the only order-0 free
 *   block, at the head of its list); a new cache of 8-byte objects
 * Expect the new cache's first slab at pfn 0, so its first object at
 * MM_PAGE_OFFSET itself, the lowest address of the direct map; kfree and
 * kmem_cache_free must take that address as a slab object (freed, no
 * report), and an address below it (MM_PAGE_OFFSET - 8, outside the
 * direct map) is refused as neither slab nor large kmalloc head (BAD_FREE,
 * "was not allocated by kmalloc", docs/slab.md).
 */
static void object_at_page_offset(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_kmem_cache_t c;
	mm_vaddr_t v, w;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0, 0x1000), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(give(m, 0x10, 0x1000, 896 << 8, 11), 0);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0, 0), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "low", 8, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, MM_GFP_KERNEL, &v), 0);
	ASSERT_EQ(v, MM_PAGE_OFFSET);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, MM_GFP_KERNEL, &w), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, v), 0);
	ASSERT_EQ(mm_kfree(m, w), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_kfree(m, MM_PAGE_OFFSET - 8), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 1);
	ASSERT_STR_EQ(mm_last_report(m)->msg,
		      "kfree: object pointer: 0xbffffff8 was not allocated by kmalloc");
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* The top of the direct map: a machine whose lowmem reaches the 1 GiB
 * that PAGE_OFFSET 0xC0000000 leaves, and a slab on its last page. Its
 * last object ends at 4 GiB - 1; an address in that page that is no
 * object start is an invalid pointer of that slab (the slab look-up
 * covers the whole 32-bit direct map), not a stranger to kmalloc. */
static void object_at_4gib(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_kmem_cache_t c;
	mm_vaddr_t v = 0;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.lowmem_limit = (uint64_t)1 << 30;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x3f000, 0x40000), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(give(m, 0x3f000, 0x3ffff, 0x40000, 11), 0);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x3ffff, 0), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "high", 8, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	for (unsigned i = 0; i < 512; i++)
		ASSERT_EQ(mm_kmem_cache_alloc(m, c, MM_GFP_KERNEL, &v), 0);
	ASSERT_EQ(v, 0xfffffff8u); /* the page's last object, in address order */
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, v), 0);
	ASSERT_EQ(mm_kfree(m, 0xffffffffu), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 1);
	ASSERT_STR_EQ(mm_last_report(m)->msg, "BUG high (Not tainted): Invalid object pointer 0xffffffff");
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* A machine of profile with cfg.lowmem_limit at 2 GiB and one node of RAM
 * [lo, hi) (pfns) handed to the page allocator; NULL on failure. */
static struct mm_machine *lowmem_machine(uint32_t profile, uint64_t lo, uint64_t hi)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.profile = profile;
	cfg.lowmem_limit = 2ull << 30;
	if (mm_machine_create(&cfg, &m) || mm_node_add(m, 0, lo, hi) || mm_free_area_init(m) ||
	    give(m, lo, hi, (2ull << 30) >> 12, 11)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/*
 * A kmalloc address is PAGE_OFFSET + the physical address, so lowmem past
 * 1 GiB has none. cfg.lowmem_limit at 2 GiB in every case:
 *   x86_32, RAM [1 GiB - 4 MiB, 1 GiB + 4 MiB)   -EINVAL, one INVALID_ARG
 *   ARM, RAM at 1.5 GiB (a common PHYS_OFFSET)    -EINVAL, one INVALID_ARG
 *   x86_32, RAM [1 GiB - 4 MiB, 1 GiB)            0: lowmem ends at 1 GiB
 * Expect the refused machines consistent (mm_verify 0) with no slab (a
 * kmalloc is refused as before kmem_cache_init), the other to allocate.
 * (Before the check the first two handed out truncated addresses: kfree
 * refused them and mm_verify found the slab state corrupt.)
 */
static void lowmem_past_direct_map(void)
{
	static const struct {
		uint32_t profile;
		uint64_t lo, hi;
		int ret;
	} cases[] = {
		{ MM_PROFILE_X86_32, 0x3fc00, 0x40400, -EINVAL },
		{ MM_PROFILE_ARM, 0x60000, 0x61000, -EINVAL },
		{ MM_PROFILE_X86_32, 0x3fc00, 0x40000, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm_machine *m = lowmem_machine(cases[i].profile, cases[i].lo, cases[i].hi);
		mm_vaddr_t v = 0;
		char want[96];
		ASSERT_TRUE(m);
		ASSERT_EQ(mm_kmem_cache_init(m), cases[i].ret);
		if (cases[i].ret) {
			snprintf(want, sizeof(want),
				 "kmem_cache_init: lowmem ends at %#llx, past the direct map's 1 GiB",
				 (unsigned long long)(cases[i].hi << 12));
			ASSERT_EQ(mm_report_count(m), 1);
			ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 1);
			ASSERT_STR_EQ(mm_last_report(m)->msg, want);
			ASSERT_EQ(mm_kmalloc(m, 64, MM_GFP_KERNEL, &v), -EINVAL);
		} else {
			ASSERT_EQ(mm_kmalloc(m, 64, MM_GFP_KERNEL, &v), 0);
			ASSERT_LT(v - 0xc0000000ull, 1ull << 30);
			ASSERT_EQ(mm_kfree(m, v), 0);
			ASSERT_EQ(mm_report_count(m), 0);
		}
		ASSERT_EQ(mm_verify(m), 0);
		mm_machine_destroy(m);
	}
}

int main(void)
{
	RUN(no_machine);
	RUN(before_init);
	RUN(bad_args);
	RUN(kmalloc_cache_choice);
	RUN(zero_and_special_pointers);
	RUN(cache_table_full);
	RUN(cache_too_big_for_any_order);
	RUN(free_pointer_plain);
	RUN(free_pointer_hardened);
	RUN(store_user_tracks_zeroed);
	RUN(slab_rebuilt_after_shrink);
	RUN(object_at_page_offset);
	RUN(object_at_4gib);
	RUN(lowmem_past_direct_map);
	return check_summary("test_slab_edges");
}
