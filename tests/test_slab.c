/* label: scenario */
/*
 * SLUB and kmalloc scenarios, each on a fresh machine: one node [0x800,
 * 0x1800) (DMA below 0x1000, NORMAL above), every page handed over, two
 * CPUs, then kmem_cache_init. Expectations are worked out by hand in the
 * comments (docs/slab.md gives the rules), per size class and flag set.
 * Then one negative test per detector in the style of slub_kunit: inject
 * one corruption or misuse, validate, expect exactly the reports named,
 * validate again and expect none, mm_verify clean. Last, fault-injection
 * sweeps: fail the Nth page allocation for N = 1, 2, ... until the
 * scenario runs without a failure; at each N every step is either done or
 * -ENOMEM, and after the clean-up mm_verify passes and every page is back.
 */
#include "check.h"
#include "profile.h"

#include <errno.h>

#include "mmsim/mmsim.h"

#define LO 0x800u
#define HI 0x1800u

static uint32_t hardening;

static struct mm_machine *boot_fault(bool fault, uint32_t after, uint32_t repeat, int *init_ret)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.nr_cpus = 2;
	cfg.seed = 7;
	cfg.hardening = hardening;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, LO, HI) || mm_free_area_init(m) || give(m, LO, HI, 896 << 8, 11)) {
		mm_machine_destroy(m);
		return NULL;
	}
	mm_fault_inject_set(m, fault, after, repeat);
	*init_ret = mm_kmem_cache_init(m);
	return m;
}

static struct mm_machine *boot(void)
{
	int ret;
	struct mm_machine *m = boot_fault(false, 0, 0, &ret);
	if (m && ret) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

static struct mm_kmem_cache_info info(struct mm_machine *m, mm_kmem_cache_t id)
{
	struct mm_kmem_cache_info ki;
	memset(&ki, 0, sizeof(ki));
	mm_kmem_cache_info(m, id, &ki);
	return ki;
}

static uint8_t rd8(struct mm_machine *m, uint64_t va)
{
	uint8_t b = 0;
	mm_phys_read(m, MM_VIRT_TO_PHYS(va), &b, 1);
	return b;
}

static void wr8(struct mm_machine *m, uint64_t va, uint8_t b)
{
	mm_phys_write(m, MM_VIRT_TO_PHYS(va), &b, 1);
}

/* ---- scenarios --------------------------------------------------------------- */

/* Two CPUs: min_objects = 4 * (fls(2) + 1) = 12; slub_max_order 3.
 * size  min_order  order  objects  (calc_slab_order at fraction 16)
 *  8    0          0      512
 *  96   0          0      42       4096 % 96 = 64 <= 256
 *  192  0          0      21
 *  512  1          1      16       12 * 512 = 6144 -> order 1
 *  1024 2          2      16
 *  2048 3          3      16
 *  4096 3          3      8        max_objects 8 -> min_objects 8
 *  8192 3          3      4 */
static void kmalloc_geometry(void)
{
	static const uint32_t want[][3] = { { 8, 0, 512 },   { 16, 0, 256 },  { 32, 0, 128 },
					    { 64, 0, 64 },   { 96, 0, 42 },   { 128, 0, 32 },
					    { 192, 0, 21 },  { 256, 0, 16 },  { 512, 1, 16 },
					    { 1024, 2, 16 }, { 2048, 3, 16 }, { 4096, 3, 8 },
					    { 8192, 3, 4 } };
	struct mm_machine *m = boot();
	ASSERT_TRUE(m);
	for (unsigned i = 0; i < 13; i++) {
		mm_kmem_cache_t id, dma;
		ASSERT_EQ(mm_kmalloc_cache(m, want[i][0], 0, &id), 0);
		ASSERT_EQ(mm_kmalloc_cache(m, want[i][0], MM_GFP_DMA, &dma), 0);
		ASSERT_EQ(id, 2 + i);
		ASSERT_EQ(dma, 15 + i);
		struct mm_kmem_cache_info ki = info(m, id);
		ASSERT_EQ(ki.object_size, want[i][0]);
		ASSERT_EQ(ki.size, want[i][0]);
		ASSERT_EQ(ki.order, want[i][1]);
		ASSERT_EQ(ki.objects, want[i][2]);
		ASSERT_EQ(ki.offset, want[i][0] / 2);
		ASSERT_EQ(ki.min_partial, want[i][0] >= 4096 ? 6 : 5); /* ilog2(size) / 2, at least 5 */
	}
	mm_machine_destroy(m);
}

/* size 100, RED_ZONE|POISON|STORE_USER: 100 is word aligned, so a red
 * zone word follows (inuse 104); poison puts the free pointer after it
 * (offset 104, 108); two tracks (140); the red zone pad word (144); the
 * left red zone aligned to 8 (rlp 8, 152). */
static void debug_layout(void)
{
	struct mm_machine *m = boot();
	mm_kmem_cache_t id;
	mm_vaddr_t a;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "dbg", 100, 0, MM_SLAB_RED_ZONE | MM_SLAB_POISON | MM_SLAB_STORE_USER,
				       MM_SLAB_CTOR_NONE, &id), 0);
	struct mm_kmem_cache_info ki = info(m, id);
	ASSERT_EQ(ki.inuse, 104);
	ASSERT_EQ(ki.offset, 104);
	ASSERT_EQ(ki.red_left_pad, 8);
	ASSERT_EQ(ki.size, 152);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &a), 0);
	/* the first object of a fresh slab: left red zone, then the object */
	if (!(hardening & MM_HARDEN_SHUFFLE))
		ASSERT_EQ(a & 0xfff, 8);
	ASSERT_EQ(rd8(m, a - 1), MM_SLUB_RED_ACTIVE);
	ASSERT_EQ(rd8(m, a + 100), MM_SLUB_RED_ACTIVE);
	ASSERT_EQ(rd8(m, a), MM_POISON_FREE);
	ASSERT_EQ(rd8(m, a + 99), MM_POISON_END);
	ASSERT_EQ(rd8(m, a + 143), MM_POISON_INUSE); /* padding [140, 144) before the next slot */
	ASSERT_EQ(mm_kmem_cache_free(m, id, a), 0);
	ASSERT_EQ(rd8(m, a - 1), MM_SLUB_RED_INACTIVE);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* The CPU slab: objects in address order from a fresh slab; a free on the
 * owning CPU is reused first (LIFO); a free from the other CPU goes to the
 * slab's own freelist and comes back only when the CPU freelist is empty. */
static void percpu_order(void)
{
	struct mm_machine *m = boot();
	mm_kmem_cache_t id;
	mm_vaddr_t a, b, c, d;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "pc", 1000, 0, 0, MM_SLAB_CTOR_NONE, &id), 0);
	/* 1000 -> size 1000; 12 * 1000 = 12000 -> min order 2; 16384 % 1000 =
	 * 384 <= 1024: order 2, 16 objects */
	ASSERT_EQ(info(m, id).objects, 16);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &a), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &b), 0);
	ASSERT_EQ(b, a + 1000);
	ASSERT_EQ(mm_kmem_cache_free(m, id, a), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &c), 0);
	ASSERT_EQ(c, a);
	ASSERT_EQ(mm_set_cpu(m, 1), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, id, b), 0); /* remote: slab->freelist */
	ASSERT_EQ(mm_set_cpu(m, 0), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &d), 0);
	ASSERT_EQ(d, a + 2000); /* the CPU freelist first */
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static void kmalloc_classes(void)
{
	static const uint64_t req[][2] = { { 1, 8 },     { 8, 8 },     { 9, 16 },      { 33, 64 },
					   { 65, 96 },   { 97, 128 },  { 129, 192 },   { 193, 256 },
					   { 4097, 8192 }, { 8192, 8192 }, { 8193, 16384 }, { 40000, 65536 } };
	struct mm_machine *m = boot();
	mm_vaddr_t a, z;
	uint64_t ks, free0;
	ASSERT_TRUE(m);
	free0 = mm_nr_free_pages(m);
	for (unsigned i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		ASSERT_EQ(mm_kmalloc(m, req[i][0], 0, &a), 0);
		ASSERT_EQ(mm_ksize(m, a, &ks), 0);
		ASSERT_EQ(ks, req[i][1]);
		ASSERT_EQ(mm_kfree(m, a), 0);
	}
	ASSERT_EQ(mm_kmalloc(m, 0, 0, &a), 0);
	ASSERT_EQ(a, MM_ZERO_SIZE_PTR);
	ASSERT_EQ(mm_kfree(m, a), 0);
	/* kzalloc reads zeros even over an object that held data */
	ASSERT_EQ(mm_kmalloc(m, 64, 0, &a), 0);
	for (int i = 0; i < 64; i++)
		wr8(m, a + i, 0xee);
	ASSERT_EQ(mm_kfree(m, a), 0);
	ASSERT_EQ(mm_kzalloc(m, 64, 0, &z), 0);
	ASSERT_EQ(z, a);
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(rd8(m, z + i), 0);
	/* GFP_DMA: the dma caches, pages below 16 MiB */
	ASSERT_EQ(mm_kmalloc(m, 100, MM_GFP_DMA, &a), 0);
	ASSERT_LT(MM_VIRT_TO_PHYS(a), 16u << 20);
	/* __GFP_HIGHMEM is fixed up with a WARN when a slab page is taken */
	ASSERT_EQ(mm_kmalloc(m, 3000, MM_GFP_HIGHMEM, &a), 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_WARN), 1);
	ASSERT_EQ(mm_kfree(m, a), 0);
	/* krealloc: in place while ksize holds, else moved with the bytes */
	ASSERT_EQ(mm_kmalloc(m, 20, 0, &a), 0);
	wr8(m, a, 0x42);
	ASSERT_EQ(mm_krealloc(m, a, 32, 0, &z), 0);
	ASSERT_EQ(z, a);
	ASSERT_EQ(mm_krealloc(m, a, 300, 0, &z), 0);
	ASSERT_NE(z, a);
	ASSERT_EQ(rd8(m, z), 0x42);
	ASSERT_EQ(mm_krealloc(m, z, 0, 0, &a), 0);
	ASSERT_EQ(a, MM_ZERO_SIZE_PTR);
	/* the large kmalloc above returned its pages; slabs keep theirs */
	ASSERT_LT(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* destroy refuses while objects live; shrink and destroy give every page back. */
static void destroy_and_shrink(void)
{
	struct mm_machine *m = boot();
	mm_kmem_cache_t id;
	mm_vaddr_t o[40];
	uint64_t free0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "ds", 500, 0, 0, MM_SLAB_CTOR_NONE, &id), 0);
	free0 = mm_nr_free_pages(m);
	for (int i = 0; i < 40; i++)
		ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &o[i]), 0);
	/* 500 -> 6000 -> order 1, 16 objects: 3 slabs of 2 pages */
	ASSERT_EQ(info(m, id).nr_slabs, 3);
	ASSERT_EQ(mm_nr_free_pages(m), free0 - 6);
	ASSERT_EQ(mm_kmem_cache_destroy(m, id), -EBUSY);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_WARN), 1);
	/* the CPU slab (8 objects out) went to the partial list: one BUG */
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	for (int i = 0; i < 40; i++)
		ASSERT_EQ(mm_kmem_cache_free(m, id, o[i]), 0);
	/* empty slabs stay on the partial list below min_partial (5) */
	ASSERT_EQ(info(m, id).nr_slabs, 3);
	ASSERT_EQ(mm_kmem_cache_shrink(m, id), 0);
	ASSERT_EQ(info(m, id).nr_slabs, 0);
	ASSERT_EQ(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_kmem_cache_destroy(m, id), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, id, &(struct mm_kmem_cache_info){ 0 }), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* The constructor runs once per object when its slab is made, and a
 * constructed object keeps its bytes across free and alloc. */
static void constructor(void)
{
	struct mm_machine *m = boot();
	mm_kmem_cache_t id;
	mm_vaddr_t a, b;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "ct", 64, 0, 0, MM_SLAB_CTOR_PATTERN, &id), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &a), 0);
	struct mm_kmem_cache_info ki = info(m, id);
	ASSERT_EQ(ki.ctor_calls, ki.objects);
	ASSERT_EQ(ki.offset, 64); /* a constructor puts the free pointer after the object */
	ASSERT_EQ(rd8(m, a + 10), MM_SLAB_CTOR_BYTE);
	ASSERT_EQ(rd8(m, a), (uint8_t)a);
	wr8(m, a + 10, 0x11);
	ASSERT_EQ(mm_kmem_cache_free(m, id, a), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &b), 0);
	ASSERT_EQ(b, a);
	ASSERT_EQ(rd8(m, b + 10), 0x11);
	ASSERT_EQ(info(m, id).ctor_calls, ki.objects);
	mm_machine_destroy(m);
}

/* ---- negative tests (slub_kunit style) -------------------------------------------- */

static struct mm_machine *neg_setup(uint32_t flags, mm_kmem_cache_t *id, mm_vaddr_t *live, mm_vaddr_t *freed)
{
	struct mm_machine *m = boot();
	if (!m || mm_kmem_cache_create(m, "neg", 64, 0, flags, MM_SLAB_CTOR_NONE, id) ||
	    mm_kmem_cache_alloc(m, *id, 0, live) || mm_kmem_cache_alloc(m, *id, 0, freed) ||
	    mm_kmem_cache_free(m, *id, *freed)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* One corruption at byte va, then validate: exactly one CORRUPTION, the
 * bytes restored, a second validate silent, mm_verify clean. */
static void one_corruption(uint32_t flags, int which)
{
	mm_kmem_cache_t id;
	mm_vaddr_t live, freed, at;
	struct mm_machine *m = neg_setup(flags, &id, &live, &freed);
	struct mm_kmem_cache_info ki;
	uint8_t v;
	ASSERT_TRUE(m);
	ki = info(m, id);
	switch (which) {
	case 0: at = live + 64; break;                  /* right red zone, live */
	case 1: at = freed - 1; break;                  /* left red zone, free */
	case 2: at = freed + 5; break;                  /* poison: a write after free */
	case 3: at = freed + ki.offset; break;          /* the stored free pointer */
	default: at = live + ki.size - ki.red_left_pad - 1; break; /* object padding */
	}
	v = rd8(m, at);
	wr8(m, at, which == 3 ? v ^ 0x01 : (uint8_t)~v);
	ASSERT_NE(mm_verify(m), 0); /* the checker sees it too */
	ASSERT_EQ(mm_kmem_cache_validate(m, id), 1);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_CORRUPTION), 1);
	ASSERT_EQ(rd8(m, at), v);
	ASSERT_EQ(mm_kmem_cache_validate(m, id), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static void neg_redzone_right(void) { one_corruption(MM_SLAB_RED_ZONE, 0); }
static void neg_redzone_left(void) { one_corruption(MM_SLAB_RED_ZONE, 1); }
static void neg_poison_after_free(void) { one_corruption(MM_SLAB_POISON, 2); }
static void neg_freepointer(void) { one_corruption(0, 3); }
static void neg_padding(void) { one_corruption(MM_SLAB_POISON | MM_SLAB_RED_ZONE | MM_SLAB_STORE_USER, 4); }

/* A corruption found by an allocation, not by validate: reported, repaired,
 * and the allocation goes on. */
static void neg_freepointer_on_alloc(void)
{
	mm_kmem_cache_t id;
	mm_vaddr_t live, freed, again, next;
	struct mm_machine *m = neg_setup(0, &id, &live, &freed);
	ASSERT_TRUE(m);
	uint64_t slot = freed + info(m, id).offset;
	wr8(m, slot + 3, rd8(m, slot + 3) ^ 0x80);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &again), 0);
	ASSERT_EQ(again, freed);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_CORRUPTION), 1);
	ASSERT_EQ(mm_kmem_cache_alloc(m, id, 0, &next), 0);
	ASSERT_EQ(next, freed + 64); /* the chain was followed from the record */
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static void neg_misuse(void)
{
	mm_kmem_cache_t id, other;
	mm_vaddr_t live, freed, big;
	mm_pfn_t pfn;
	struct mm_machine *m = neg_setup(0, &id, &live, &freed);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "other", 64, 0, 0, MM_SLAB_CTOR_NONE, &other), 0);
	/* double free */
	ASSERT_EQ(mm_kmem_cache_free(m, id, freed), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_DOUBLE_FREE), 1);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "Object already free") != NULL);
	/* the wrong cache, an interior pointer, a pointer to no slab */
	ASSERT_EQ(mm_kmem_cache_free(m, other, live), -EINVAL);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "Wrong slab cache") != NULL);
	ASSERT_EQ(mm_kfree(m, live + 3), -EINVAL);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "Invalid object pointer") != NULL);
	ASSERT_EQ(mm_kmem_cache_free(m, id, 0xc0000000u + 0x100000u), -EINVAL);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "not a Slab page") != NULL);
	/* kfree of a page kmalloc never gave, and of a large kmalloc's inside */
	ASSERT_EQ(mm_alloc_pages(m, 0, 0, &pfn), 0);
	ASSERT_EQ(mm_kfree(m, MM_PHYS_TO_VIRT(pfn << 12)), -EINVAL);
	ASSERT_EQ(mm_kmalloc(m, 20000, 0, &big), 0);
	ASSERT_EQ(mm_kfree(m, big + 4096), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_FREE), 5);
	ASSERT_EQ(mm_report_count(m), 6);
	/* every refusal left the machine as it was */
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_kfree(m, big), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, id, live), 0);
	ASSERT_EQ(info(m, id).live, 0);
	ASSERT_EQ(mm_kmem_cache_destroy(m, 3), -EINVAL); /* a boot cache */
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* ---- fault injection ----------------------------------------------------------- */

/* The scenario: init, two caches, 60 objects each, two large kmallocs,
 * then everything freed and destroyed and the kmalloc caches shrunk. A
 * failed step is -ENOMEM and only then. Returns whether any step failed. */
static void sweep(uint32_t repeat)
{
	for (uint32_t n = 0;; n++) {
		int ret, failed = 0;
		struct mm_machine *m = boot_fault(true, n, repeat, &ret);
		mm_kmem_cache_t c[2] = { 0, 0 };
		mm_vaddr_t o[2][60], big[2];
		uint64_t free_boot;
		ASSERT_TRUE(m);
		if (ret) {
			ASSERT_EQ(ret, -ENOMEM);
			ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_OOM), 1);
			ASSERT_EQ(mm_verify(m), 0);
			ASSERT_EQ(mm_nr_free_pages(m), HI - LO); /* the rollback returned every page */
			ASSERT_EQ(mm_kmalloc(m, 8, 0, &big[0]), -EINVAL); /* still not up */
			mm_machine_destroy(m);
			continue;
		}
		free_boot = mm_nr_free_pages(m);
		for (int k = 0; k < 2; k++) {
			ret = mm_kmem_cache_create(m, k ? "b" : "a", k ? 700 : 40, 0, k ? MM_SLAB_RED_ZONE : 0,
						   MM_SLAB_CTOR_NONE, &c[k]);
			ASSERT_TRUE(ret == 0 || ret == -ENOMEM);
			failed |= ret != 0;
			for (int i = 0; i < 60; i++) {
				o[k][i] = 0;
				if (c[k]) {
					ret = mm_kmem_cache_alloc(m, c[k], 0, &o[k][i]);
					ASSERT_TRUE(ret == 0 || ret == -ENOMEM);
					failed |= ret != 0;
				}
			}
			big[k] = 0;
			ret = mm_kmalloc(m, 9000 + 5000 * (uint64_t)k, 0, &big[k]);
			ASSERT_TRUE(ret == 0 || ret == -ENOMEM);
			failed |= ret != 0;
		}
		ASSERT_EQ(mm_verify(m), 0);
		for (int k = 0; k < 2; k++) {
			for (int i = 0; i < 60; i++)
				if (o[k][i])
					ASSERT_EQ(mm_kmem_cache_free(m, c[k], o[k][i]), 0);
			if (c[k])
				ASSERT_EQ(mm_kmem_cache_destroy(m, c[k]), 0);
			ASSERT_EQ(mm_kfree(m, big[k]), 0);
		}
		for (mm_kmem_cache_t id = 1; id <= 27; id++)
			ASSERT_EQ(mm_kmem_cache_shrink(m, id), 0);
		/* leak check: everything but the boot caches' structs is back */
		ASSERT_EQ(mm_nr_free_pages(m), free_boot);
		ASSERT_EQ(mm_report_count(m), 0);
		ASSERT_EQ(mm_verify(m), 0);
		/* a failure is always an injected one; one injection with
		 * repeat 1 may be absorbed by allocate_slab's second try */
		ASSERT_TRUE(!failed || mm_fault_inject_hits(m) != 0);
		ret = mm_fault_inject_hits(m) == 0;
		mm_machine_destroy(m);
		if (ret)
			break;
		ASSERT_LT(n, 200);
	}
}

static void fault_sweep_once(void) { sweep(1); }
static void fault_sweep_persistent(void) { sweep(0); }

int main(void)
{
	static const uint32_t hard[] = { 0, MM_HARDEN_FREELIST | MM_HARDEN_SHUFFLE,
					 MM_HARDEN_REDZONE | MM_HARDEN_POISON | MM_HARDEN_FREELIST };
	for (unsigned h = 0; h < 3; h++) {
		hardening = hard[h];
		printf("hardening %#x\n", hardening);
		if (!h) {
			/* exact object addresses: no randomisation, no debug caches */
			RUN(kmalloc_geometry);
			RUN(percpu_order);
			RUN(destroy_and_shrink);
			RUN(constructor);
			RUN(neg_freepointer_on_alloc);
		}
		RUN(debug_layout);
		RUN(kmalloc_classes);
		RUN(neg_redzone_right);
		RUN(neg_redzone_left);
		RUN(neg_poison_after_free);
		RUN(neg_freepointer);
		RUN(neg_padding);
		RUN(neg_misuse);
		RUN(fault_sweep_once);
		RUN(fault_sweep_persistent);
	}
	return check_summary("test_slab");
}
