/* label: scenario */
/*
 * Slab edges no harness draws yet (docs/coverage.md's open rows): ksize
 * and krealloc of a pointer kmalloc never returned (inside an object, and
 * a page of the direct map that is neither a slab nor a large kmalloc);
 * ksize of an object of a SLAB_STORE_USER cache; a cache name longer than
 * the 31 characters a name keeps; kfree of a pointer past a CPU slab's
 * last object, above 4 GiB and in a hole of the direct map; two machines
 * with slab destroyed in turn; poison bytes overwritten under mm_verify;
 * a stored free pointer rewritten to another object of its slab; the host
 * backing cap met by a new slab and by krealloc; a remote free onto the
 * CPU slab of another CPU, taken back by that CPU's next allocation.
 *
 * Expectations come from docs/slab.md: ksize is "the object size for red
 * zone or poison caches, inuse with store-user, else the slot size"; the
 * geometry rules give, for a 20-byte object with SLAB_STORE_USER only and
 * no alignment asked: align 8, s = ALIGN(20, 4) = 20 = inuse, the free
 * pointer in the middle (offset ALIGN_DOWN(10, 4) = 8), two 16-byte tracks
 * (s = 52), slot ALIGN(52, 8) = 56. A pointer that is not an object's start
 * is refused with -EINVAL and one BAD_FREE report, the machine unchanged
 * ("Misuse and corruption"). Names are truncated to MM_SLAB_NAME_LEN - 1.
 */
#include "check.h"
#include "profile.h"

#include <errno.h>

#include "mmsim/mmsim.h"

#define LO 0x800u
#define HI 0x1800u
#define KINDS(m, k) mm_report_count_kind((m), (k))

/* A machine of cfg with slab set up on the pages [LO, HI), or NULL. */
static struct mm_machine *slab_machine_of(const struct mm_config *cfg)
{
	struct mm_machine *m = NULL;
	if (mm_machine_create(cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, LO, HI) || mm_free_area_init(m) || give(m, LO, HI, 896 << 8, 11) ||
	    mm_kmem_cache_init(m)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

static struct mm_machine *slab_machine(void)
{
	struct mm_config cfg;
	mm_config_default(&cfg, MM_ERA_MODERN);
	return slab_machine_of(&cfg);
}

/* Expect: ksize and krealloc of obj + 1 (inside a live kmalloc-64 object)
 * and of a free page-aligned lowmem address that is no slab page: each
 * -EINVAL with exactly one BAD_FREE report, out untouched; the object
 * stays live and whole (ksize 64 afterwards, kfree succeeds). */
static void ksize_krealloc_bad_pointer(void)
{
	struct mm_machine *m = slab_machine();
	mm_vaddr_t a, out = 0x1234;
	uint64_t ks = 77;
	uint64_t before;
	/* the last page of the range: checked below to be neither slab nor allocated */
	const mm_vaddr_t nowhere = MM_PAGE_OFFSET + ((uint64_t)(HI - 1) << MM_PAGE_SHIFT);
	struct mm_page_info pi;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_page_info(m, HI - 1, &pi), 0);
	ASSERT_TRUE(!(pi.flags & (MM_PAGE_SLAB | MM_PAGE_ALLOCATED)));
	ASSERT_EQ(mm_kmalloc(m, 64, 0, &a), 0);
	before = mm_nr_free_pages(m);

	ASSERT_EQ(mm_ksize(m, a + 1, &ks), -EINVAL);
	ASSERT_EQ(ks, 77);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 1);
	ASSERT_EQ(mm_krealloc(m, a + 1, 200, 0, &out), -EINVAL);
	ASSERT_EQ(out, 0x1234);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 2);
	ASSERT_EQ(mm_ksize(m, nowhere, &ks), -EINVAL);
	ASSERT_EQ(ks, 77);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 3);
	ASSERT_EQ(mm_krealloc(m, nowhere, 8, 0, &out), -EINVAL);
	ASSERT_EQ(out, 0x1234);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 4);
	ASSERT_EQ(mm_report_count(m), 4);

	ASSERT_EQ(mm_nr_free_pages(m), before);
	ASSERT_EQ(mm_ksize(m, a, &ks), 0);
	ASSERT_EQ(ks, 64);
	ASSERT_EQ(mm_kfree(m, a), 0);
	ASSERT_EQ(mm_report_count(m), 4);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: the geometry above (inuse 20, slot 56, offset 8); ksize of an
 * allocated object is inuse, 20, not the slot. */
static void ksize_store_user(void)
{
	struct mm_machine *m = slab_machine();
	mm_kmem_cache_t c = 0;
	struct mm_kmem_cache_info ki;
	mm_vaddr_t o;
	uint64_t ks = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "tracked", 20, 0, MM_SLAB_STORE_USER, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.inuse, 20);
	ASSERT_EQ(ki.size, 56);
	ASSERT_EQ(ki.offset, 8);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &o), 0);
	ASSERT_EQ(mm_ksize(m, o, &ks), 0);
	ASSERT_EQ(ks, 20);
	ASSERT_EQ(mm_kmem_cache_free(m, c, o), 0);
	ASSERT_EQ(mm_kmem_cache_destroy(m, c), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a 40-character name keeps its first 31 characters (the name
 * field holds MM_SLAB_NAME_LEN bytes with the terminating NUL); a name of
 * exactly 31 is kept whole. */
static void long_cache_name(void)
{
	struct mm_machine *m = slab_machine();
	mm_kmem_cache_t c = 0, d = 0;
	struct mm_kmem_cache_info ki;
	const char *name40 = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
	const char *name31 = "0123456789012345678901234567890";
	ASSERT_TRUE(m);
	ASSERT_EQ(strlen(name40), 40);
	ASSERT_EQ(strlen(name31), MM_SLAB_NAME_LEN - 1);
	ASSERT_EQ(mm_kmem_cache_create(m, name40, 32, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_STR_EQ(ki.name, "abcdefghijklmnopqrstuvwxyz01234");
	ASSERT_EQ(mm_kmem_cache_create(m, name31, 32, 0, 0, MM_SLAB_CTOR_NONE, &d), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, d, &ki), 0);
	ASSERT_STR_EQ(ki.name, name31);
	ASSERT_EQ(mm_kmem_cache_destroy(m, d), 0);
	ASSERT_EQ(mm_kmem_cache_destroy(m, c), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: kfree of the first byte after the last object of a kmalloc-96
 * CPU slab (the slab's leftover, naturally aligned slab: base + objects *
 * size) is a pointer inside a slab that is not an object's start:
 * -EINVAL, one BAD_FREE; kfree of an address above 4 GiB and of
 * MM_PAGE_OFFSET itself (pfn 0, no struct page: the node starts at
 * pfn 0x800) is neither a slab object nor a large kmalloc: -EINVAL, one
 * BAD_FREE each. mm_page_flags_range names the slab's page slab and
 * allocated. */
static void kfree_odd_pointers(void)
{
	struct mm_machine *m = slab_machine();
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t a;
	uint64_t base, slab_bytes;
	uint32_t flags = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmalloc_cache(m, 96, 0, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.size, 96);
	slab_bytes = (uint64_t)MM_PAGE_SIZE << ki.order;
	ASSERT_EQ(ki.objects, slab_bytes / 96);
	ASSERT_LT((uint64_t)ki.objects * 96, slab_bytes);
	ASSERT_EQ(mm_kmalloc(m, 96, 0, &a), 0);
	base = a & ~(slab_bytes - 1);
	ASSERT_EQ(mm_kfree(m, base + (uint64_t)ki.objects * 96), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 1);
	ASSERT_EQ(mm_kfree(m, 0x100000000ull), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 2);
	ASSERT_EQ(mm_kfree(m, MM_PAGE_OFFSET), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_FREE), 3);
	ASSERT_EQ(mm_report_count(m), 3);
	ASSERT_EQ(mm_page_flags_range(m, MM_PFN_DOWN(MM_VIRT_TO_PHYS(a)), 1, &flags), 0);
	ASSERT_EQ(flags & (MM_PAGE_SLAB | MM_PAGE_ALLOCATED | MM_PAGE_FREE), MM_PAGE_SLAB | MM_PAGE_ALLOCATED);
	ASSERT_EQ(mm_kfree(m, a), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: two machines with slab up at once, both destroyed, then a third:
 * its kmalloc caches are the fresh ones (ids by size, kmalloc-8 is 2 with
 * nothing live), whatever table the library reuses. */
static void machines_in_turn(void)
{
	struct mm_machine *a = slab_machine(), *b = slab_machine(), *c;
	struct mm_kmem_cache_info ki;
	mm_vaddr_t o;
	ASSERT_TRUE(a);
	ASSERT_TRUE(b);
	ASSERT_EQ(mm_kmalloc(a, 8, 0, &o), 0);
	ASSERT_EQ(mm_kmalloc(b, 8, 0, &o), 0);
	mm_machine_destroy(a);
	mm_machine_destroy(b);
	c = slab_machine();
	ASSERT_TRUE(c);
	ASSERT_EQ(mm_kmem_cache_info(c, 2, &ki), 0);
	ASSERT_STR_EQ(ki.name, "kmalloc-8");
	ASSERT_EQ(ki.live, 0);
	ASSERT_EQ(mm_kmem_cache_info(c, 28, &ki), -EINVAL);
	ASSERT_EQ(mm_verify(c), 0);
	mm_machine_destroy(c);
}

/* Expect (a 13-byte SLAB_POISON cache: align 8, s = 16 = inuse, the free
 * pointer after it at 16, slot 24): a live object's alignment padding
 * [13, 16) holds 0x5a; a byte of it overwritten is found by mm_verify, put
 * back it is clean. A free object's last byte holds the end poison 0xa5;
 * overwritten, mm_verify finds it; put back, clean. */
static void poison_bytes_under_verify(void)
{
	struct mm_machine *m = slab_machine();
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t x, y;
	uint8_t v = 0, pad = MM_POISON_INUSE, end = MM_POISON_END, bad = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "poisoned", 13, 0, MM_SLAB_POISON, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.inuse, 16);
	ASSERT_EQ(ki.offset, 16);
	ASSERT_EQ(ki.size, 24);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &x), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &y), 0);
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(x) + 13, &v, 1), 0);
	ASSERT_EQ(v, MM_POISON_INUSE);
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(x) + 13, &bad, 1), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(x) + 13, &pad, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, y), 0);
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(y) + 12, &v, 1), 0);
	ASSERT_EQ(v, MM_POISON_END);
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(y) + 12, &bad, 1), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(y) + 12, &end, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, x), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: krealloc that must move an object while the host backing cap
 * (cfg.phys_backing_max_pages, an mmsim limit) has no frame left for the
 * copy returns -ENOMEM and changes nothing: the old object keeps its bytes
 * and stays live (kfree succeeds), the new one is given back (the free page
 * count is what it was before the call), no report, mm_verify clean.
 * (Before the fix the failed copy hit MM_BUG_ON and aborted the process.) */
static void krealloc_copy_backing_full(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_vaddr_t a, b = 0, c;
	uint8_t x = 0x5a, got[8192];
	uint64_t free_before;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.phys_backing_max_pages = 40;
	ASSERT_TRUE((m = slab_machine_of(&cfg)) != NULL);
	ASSERT_EQ(mm_kmalloc(m, 8000, 0, &a), 0);
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(a), &x, 1), 0);
	/* fill the backing cap with written large kmallocs */
	while (mm_phys_backed_pages(m) < 40 && mm_kmalloc(m, 4 * 4096, 0, &c) == 0)
		for (int k = 0; k < 4 && mm_phys_backed_pages(m) < 40; k++)
			ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(c) + (uint64_t)k * 4096, &x, 1), 0);
	ASSERT_EQ(mm_phys_backed_pages(m), 40);
	free_before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_krealloc(m, a, 20000, 0, &b), -ENOMEM);
	ASSERT_EQ(b, 0);
	ASSERT_EQ(mm_nr_free_pages(m), free_before);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(a), got, sizeof(got)), 0);
	ASSERT_EQ(got[0], 0x5a);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_kfree(m, a), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (slab.h: a stored free pointer is checked against the model's
 * record when the allocator next looks at it; only one that decodes out of
 * its slab is "Freepointer corrupt"): without hardening a 64-byte cache
 * keeps the free pointer raw in the middle of a free object (offset 32,
 * docs/slab.md's geometry). Of four objects of the CPU slab, a1 then a2
 * freed: a2's stored pointer is a1. Rewritten to a3 (a live object of the
 * same slab: decodes inside it), validate reports nothing and returns 0,
 * and the stored pointer is a1 again (rewritten from the record); the next
 * two allocations return a2 then a1. */
static void freepointer_to_another_object(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t a[4], x = 0;
	uint32_t fp = 0, other;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.hardening = 0;
	ASSERT_TRUE((m = slab_machine_of(&cfg)) != NULL);
	ASSERT_EQ(mm_kmem_cache_create(m, "fp", 64, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	for (unsigned i = 0; i < 4; i++)
		ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &a[i]), 0);
	ASSERT_EQ(a[1] - a[0], 64);
	ASSERT_EQ(a[3] - a[2], 64);
	ASSERT_EQ(mm_kmem_cache_free(m, c, a[1]), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, a[2]), 0);
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(a[2]) + 32, &fp, 4), 0);
	ASSERT_EQ(fp, (uint32_t)a[1]);
	other = (uint32_t)a[3];
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(a[2]) + 32, &other, 4), 0);
	ASSERT_EQ(mm_kmem_cache_validate(m, c), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(a[2]) + 32, &fp, 4), 0);
	ASSERT_EQ(fp, (uint32_t)a[1]);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &x), 0);
	ASSERT_EQ(x, a[2]);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &x), 0);
	ASSERT_EQ(x, a[1]);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (semantics.md §0.5: a write past the host backing cap is
 * -ENOMEM; slab.md: on -ENOMEM the old object is untouched): with a cap of
 * 256 frames, filled exactly by writing one byte into each of enough
 * allocated pages, a first allocation from a new 64-byte cache needs a new
 * slab whose frame cannot be made: -ENOMEM, the slab's page given back.
 * A 12 KiB kmalloc (order 2 straight from the page allocator, nothing
 * written) succeeds with no frame; krealloc of it to 100 bytes with
 * __GFP_ZERO (in place: the zeroing needs frames) and to 20,000 bytes (a
 * new order-3 kmalloc: the copy needs frames) are -ENOMEM, the new block
 * freed; the old object stays (ksize 16384, kfree succeeds). Nothing is
 * reported; verify is clean. */
static void backing_cap_in_slab(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_kmem_cache_t c = 0;
	mm_vaddr_t obj = 0, big = 0, out = 0x77;
	mm_pfn_t pfn;
	uint64_t free0, ks = 0;
	uint8_t b = 1;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.hardening = 0;
	cfg.phys_backing_max_pages = 256;
	ASSERT_TRUE((m = slab_machine_of(&cfg)) != NULL);
	ASSERT_EQ(mm_kmem_cache_create(m, "capped", 64, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_LT(mm_phys_backed_pages(m), 256);
	while (mm_phys_backed_pages(m) < 256) {
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn), 0);
		ASSERT_EQ(mm_phys_write(m, MM_PFN_PHYS(pfn), &b, 1), 0);
	}
	ASSERT_EQ(mm_phys_backed_pages(m), 256);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, 0, &obj), -ENOMEM);
	ASSERT_EQ(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_kmalloc(m, 12288, 0, &big), 0);
	ASSERT_EQ(free0 - mm_nr_free_pages(m), 4);
	ASSERT_EQ(mm_krealloc(m, big, 100, MM_GFP_ZERO, &out), -ENOMEM);
	ASSERT_EQ(out, 0x77);
	ASSERT_EQ(mm_krealloc(m, big, 20000, 0, &out), -ENOMEM);
	ASSERT_EQ(out, 0x77);
	ASSERT_EQ(free0 - mm_nr_free_pages(m), 4);
	ASSERT_EQ(mm_phys_backed_pages(m), 256);
	ASSERT_EQ(mm_ksize(m, big, &ks), 0);
	ASSERT_EQ(ks, 16384);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_kfree(m, big), 0);
	ASSERT_EQ(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a free on CPU 1 of an object of CPU 0's CPU slab goes to that
 * slab's own freelist (__slab_free: the slab stays CPU 0's). Once CPU 0 has
 * taken every other object, its next allocation finds its CPU freelist
 * empty and takes the slab's freelist (___slab_alloc's get_freelist): the
 * object CPU 1 freed, from the same slab, no new slab, no report. */
static void remote_free_refills_cpu_slab(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t c;
	mm_vaddr_t v[64], w = 0;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.nr_cpus = 2;
	ASSERT_TRUE((m = slab_machine_of(&cfg)) != NULL);
	ASSERT_EQ(mm_kmem_cache_create(m, "remote", 512, 0, 0, MM_SLAB_CTOR_NONE, &c), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_TRUE(ki.objects >= 2 && ki.objects <= 64);
	for (uint32_t i = 0; i < ki.objects; i++) /* CPU 0 empties its slab */
		ASSERT_EQ(mm_kmem_cache_alloc(m, c, MM_GFP_KERNEL, &v[i]), 0);
	ASSERT_EQ(mm_set_cpu(m, 1), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, c, v[1]), 0); /* a remote free */
	ASSERT_EQ(mm_set_cpu(m, 0), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, c, MM_GFP_KERNEL, &w), 0);
	ASSERT_EQ(w, v[1]);
	ASSERT_EQ(mm_kmem_cache_info(m, c, &ki), 0);
	ASSERT_EQ(ki.nr_slabs, 1);
	ASSERT_EQ(ki.live, ki.objects);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(ksize_krealloc_bad_pointer);
	RUN(ksize_store_user);
	RUN(long_cache_name);
	RUN(kfree_odd_pointers);
	RUN(machines_in_turn);
	RUN(poison_bytes_under_verify);
	RUN(krealloc_copy_backing_full);
	RUN(freepointer_to_another_object);
	RUN(backing_cap_in_slab);
	RUN(remote_free_refills_cpu_slab);
	return check_summary("test_cov_slab");
}
