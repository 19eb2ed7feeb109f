/* label: scenario */
/*
 * A last-reference free of a page still in use, on the page allocator's
 * ordinary free path (put_page, __free_pages), with the page in each state
 * free_pages_check refuses: a user page whose one reference is its mapping
 * (mapcount), a pinned user page whose mapping went (page->mapping still
 * set), a live slab's head (PG_slab). Each is "Bad page state"
 * (MM_REPORT_BAD_PAGE, -EINVAL) and mmsim leaves the page as it was
 * (docs/page_alloc.md, Misuse): the tests then show it still mapped, pinned
 * or in its slab with its bytes, freed normally afterwards, mm_verify clean.
 * The fault cases run under every configuration of fault_env.h.
 */
#include "check.h"
#include "fault_env.h"
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct fault_conf *fc;

#define P0 0u
#define VA ENV_VMA

/* The last report is free_pages_check's on pfn, an anonymous page: its
 * page->mapping is PAGE_MAPPING_ANON (0x1; mmsim has no anon_vma to add), its
 * raw _mapcount as given. The flags printed are mmsim's own bits: the text is
 * compared up to them. */
static void expect_anon_bad_page(struct mm_machine *m, mm_pfn_t pfn, int mapcount)
{
	const struct mm_report *r = mm_last_report(m);
	char want[128];
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(r->kind, MM_REPORT_BAD_PAGE);
	ASSERT_EQ(r->stage, MM_STAGE_PAGE_ALLOC);
	ASSERT_EQ(r->addr, pfn);
	snprintf(want, sizeof(want), "Bad page state: pfn %#llx mapcount %d mapping 0x1 flags ",
		 (unsigned long long)pfn, mapcount);
	ASSERT_EQ(strncmp(r->msg, want, strlen(want)), 0);
}

/* Expect: a written page has one mapping and one reference; put_page and
 * __free_pages each drop that last reference, free_pages_check sees
 * mapcount 0 (not -1): BAD_PAGE, -EINVAL, and nothing changes: same pfn
 * mapped, same counts, same bytes, no page freed. munmap then frees it (one
 * page back; the PTE table stays, the VMA's other pages still use it). */
static void mapped_page(void)
{
	uint8_t w[16], b[16];
	uint64_t before;
	mm_pfn_t pfn;
	struct mm_machine *m = env_make(fc, MM_HARDEN_ZERO_PAGE_WP);
	ASSERT_TRUE(m);
	memset(w, 0x5a, sizeof(w));
	ASSERT_EQ(mm_user_write(m, P0, VA + 8, w, sizeof(w)), 0);
	pfn = env_pfn(m, P0, VA);
	ASSERT_EQ(env_refcount(m, pfn), 1);
	ASSERT_EQ(env_mapcount(m, pfn), 1);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_put_page(m, pfn), -EINVAL);
	expect_anon_bad_page(m, pfn, 0); /* one mapping: _mapcount 0 */
	ASSERT_EQ(mm_free_pages(m, pfn, 0), -EINVAL);
	expect_anon_bad_page(m, pfn, 0);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 2);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_nr_free_pages(m), before);
	ASSERT_EQ(env_pfn(m, P0, VA), pfn);
	ASSERT_EQ(env_refcount(m, pfn), 1);
	ASSERT_EQ(env_mapcount(m, pfn), 1);
	memset(b, 0, sizeof(b));
	ASSERT_EQ(mm_user_read(m, P0, VA + 8, b, sizeof(b)), 0);
	ASSERT_EQ(memcmp(b, w, sizeof(w)), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_do_munmap(m, P0, VA, 4096), 0);
	ASSERT_EQ(mm_nr_free_pages(m), before + 1);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a page written, pinned for write (2 references) and unmapped
 * keeps its pin as its one reference, no mapping (mapcount -1) but its
 * anonymous page->mapping (cleared only when the last reference goes
 * through the fault path). put_page and __free_pages: BAD_PAGE, -EINVAL,
 * the pin and the bytes stay; unpin_user_page then frees it (one page). */
static void pinned_after_munmap(void)
{
	uint8_t w[16], b[16];
	uint64_t before;
	mm_pfn_t pfn = 0;
	struct mm_machine *m = env_make(fc, MM_HARDEN_ZERO_PAGE_WP);
	ASSERT_TRUE(m);
	memset(w, 0xc3, sizeof(w));
	ASSERT_EQ(mm_user_write(m, P0, VA, w, sizeof(w)), 0);
	ASSERT_EQ(mm_get_user_pages(m, P0, VA, true, &pfn), 0);
	ASSERT_EQ(env_refcount(m, pfn), 2);
	ASSERT_EQ(mm_do_munmap(m, P0, VA, 4096), 0);
	ASSERT_EQ(env_refcount(m, pfn), 1);
	ASSERT_EQ(env_mapcount(m, pfn), 0);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_put_page(m, pfn), -EINVAL);
	expect_anon_bad_page(m, pfn, -1); /* no mapping left, page->mapping kept */
	ASSERT_EQ(mm_free_pages(m, pfn, 0), -EINVAL);
	expect_anon_bad_page(m, pfn, -1);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 2);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_nr_free_pages(m), before);
	ASSERT_EQ(env_refcount(m, pfn), 1);
	ASSERT_EQ(mm_page_pins(m, pfn), 1);
	ASSERT_EQ(mm_phys_read(m, MM_PFN_PHYS(pfn), b, sizeof(b)), 0);
	ASSERT_EQ(memcmp(b, w, sizeof(w)), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_unpin_user_page(m, pfn), 0);
	ASSERT_EQ(mm_nr_free_pages(m), before + 1);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* One node [0x800, 0x1800) handed over, one CPU, kmem_cache_init. */
static struct mm_machine *slab_machine(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.nr_cpus = 1;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, 0x800, 0x1800) || mm_free_area_init(m) ||
	    give(m, 0x800, 0x1800, 896 << 8, 11) || mm_kmem_cache_init(m)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* Expect: a cache of 3000-byte objects has slabs of order 3 (docs/slab.md:
 * calculate_order). Its first object starts its first slab, whose head
 * holds the slab's one reference. __free_pages(head, 3) and put_page(head)
 * reach free_pages_check: PG_slab, BAD_PAGE, -EINVAL. __free_pages one
 * order up and of the slab's last page are refused before it: BAD_FREE;
 * put_page of that tail page (no references of its own): BAD_PAGE. After
 * all five the slab is untouched: every page slab-flagged, the object's
 * bytes intact, validate silent, the object freed and the cache destroyed
 * normally, every page back. */
static void slab_pages(void)
{
	struct mm_kmem_cache_info ki;
	struct mm_page_info pi;
	mm_kmem_cache_t cache;
	mm_vaddr_t obj = 0;
	uint8_t w[32], b[32];
	uint64_t before, start;
	mm_pfn_t head;
	struct mm_machine *m = slab_machine();
	ASSERT_TRUE(m);
	start = mm_nr_free_pages(m);
	ASSERT_EQ(mm_kmem_cache_create(m, "big", 3000, 0, 0, MM_SLAB_CTOR_NONE, &cache), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, cache, &ki), 0);
	ASSERT_EQ(ki.order, 3);
	ASSERT_EQ(mm_kmem_cache_alloc(m, cache, 0, &obj), 0);
	head = MM_VIRT_TO_PHYS(obj) >> 12;
	ASSERT_EQ(head & 7, 0);
	memset(w, 0x77, sizeof(w));
	ASSERT_EQ(mm_phys_write(m, MM_VIRT_TO_PHYS(obj), w, sizeof(w)), 0);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_free_pages(m, head, 3), -EINVAL);
	ASSERT_EQ(mm_put_page(m, head), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 2);
	ASSERT_EQ(mm_free_pages(m, head, 4), -EINVAL);
	ASSERT_EQ(mm_free_pages(m, head + 7, 3), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_FREE), 2);
	ASSERT_EQ(mm_put_page(m, head + 7), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 3);
	ASSERT_EQ(mm_report_count(m), 5);
	ASSERT_EQ(mm_nr_free_pages(m), before);
	for (mm_pfn_t p = head; p < head + 8; p++) {
		ASSERT_EQ(mm_page_info(m, p, &pi), 0);
		ASSERT_TRUE(pi.flags & MM_PAGE_SLAB);
	}
	ASSERT_EQ(mm_phys_read(m, MM_VIRT_TO_PHYS(obj), b, sizeof(b)), 0);
	ASSERT_EQ(memcmp(b, w, sizeof(w)), 0);
	ASSERT_EQ(mm_kmem_cache_validate(m, cache), 0);
	ASSERT_EQ(mm_report_count(m), 5);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_kmem_cache_free(m, cache, obj), 0);
	ASSERT_EQ(mm_kmem_cache_destroy(m, cache), 0);
	ASSERT_EQ(mm_report_count(m), 5);
	ASSERT_EQ(mm_nr_free_pages(m), start);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(fault_confs) / sizeof(fault_confs[0]); i++) {
		fc = &fault_confs[i];
		printf("configuration %s\n", fc->name);
		RUN(mapped_page);
		RUN(pinned_after_munmap);
	}
	RUN(slab_pages);
	return check_summary("test_bad_page_free");
}
