/* label: unit */
/*
 * The checker checked: every invariant mm_verify claims (the buddy walk of
 * mm_page_alloc_verify, mm_memmap_verify) fires when one page breaks it.
 *
 * White-box: the one file outside lib/ that includes lib/internal.h (which
 * says so too; tests/layering.sh allows this file and no other). The
 * machine is built through the public API only, then one field of one
 * struct mm_page (reached through mm_pfn_to_page; the zones and free lists
 * are left alone) is corrupted. Each corruption
 * expects mm_verify != 0 with a distinctive part of the expected message,
 * then the page is put back byte for byte and mm_verify must pass again
 * (the checker neither misses the break nor cries wolf after it).
 * slab_on_foreign_list does the same to a slab descriptor (lib/slab.h,
 * reached through m->slab) on a cache's list of every slab.
 *
 * The machine (max_order 11, lowmem limit pfn 0x1100), one node
 * [0xf00, 0x1200):
 *
 *   DMA     [0xf00, 0x1000)  0xf00 and 0xf80 stay reserved; the rest is
 *                            handed over: free 0xf01 o0, 0xf02 o1, 0xf04 o2,
 *                            0xf08 o3, 0xf10 o4, 0xf20 o5, 0xf40 o6 and the
 *                            same at 0xf81 ... 0xfc0 (two blocks per order)
 *   NORMAL  [0x1000, 0x1100) one o8 block, then order-2 allocations at 0x1000
 *                            and 0x1004 and an order-0 one through the
 *                            per-CPU list (fraction 8: high 32, batch 8):
 *                            0x1008 allocated, 0x1009 ... 0x100f stay on
 *                            CPU 0's list; free 0x1010 o4 ... 0x1080 o7
 *   HIGHMEM [0x1100, 0x1200) one o8 block, then an order-1 allocation at
 *                            0x1100; free 0x1102 o1 ... 0x1180 o7
 *
 * A wanted message may be given in parts separated by '*' (they must appear
 * in that order) where a flags word between them depends on the profile.
 * Run with -v to print the message that caught each corruption.
 */
#include "check.h"
#include "profile.h"

#include "internal.h" /* struct mm_page, mm_pfn_to_page, MM_PG_* */
#include "slab.h"     /* struct slab, struct cache: the slab stage's lists */

static int verbose;

/* Poisoning puts PG_POISONED on every free page, shuffling may put a freed
 * block at either end of its list: neither may change what is caught. */
static const struct profile profiles[] = {
	{ "2.6.29/x86_32", MM_ERA_2_6_29, MM_PROFILE_X86_32, 0 },
	{ "modern/pae/shuffle+poison", MM_ERA_MODERN, MM_PROFILE_X86_PAE,
	  MM_HARDEN_SHUFFLE | MM_HARDEN_POISON },
};
static const struct profile *prof;

#define LOW_PFN 0x1100u
#define NODE_START 0xf00u
#define NODE_END 0x1200u

/* The machine of the banner, or NULL if a step of the public API failed. */
static struct mm_machine *setup(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_pfn_t pfn;

	profile_config(prof, &cfg);
	cfg.max_order = 11;
	cfg.lowmem_limit = (uint64_t)LOW_PFN << 12;
	cfg.seed = 7;
	cfg.nr_cpus = 2;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, NODE_START, NODE_END) || mm_free_area_init(m) ||
	    give(m, 0xf01, 0xf80, LOW_PFN, 11) || give(m, 0xf81, 0x1000, LOW_PFN, 11) ||
	    give(m, 0x1000, NODE_END, LOW_PFN, 11) ||
	    mm_setup_per_cpu_pageset(m) || mm_percpu_pagelist_fraction(m, 8) ||
	    mm_alloc_pages(m, MM_GFP_KERNEL, 2, &pfn) || pfn != 0x1000 ||
	    mm_alloc_pages(m, MM_GFP_KERNEL, 2, &pfn) || pfn != 0x1004 ||
	    mm_alloc_pages(m, MM_GFP_KERNEL, 0, &pfn) || pfn != 0x1008 ||
	    mm_alloc_pages(m, MM_GFP_HIGHUSER, 1, &pfn) || pfn != 0x1100 || mm_verify(m) ||
	    mm_report_count(m)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* Does msg hold the parts of want, split at '*', in that order? */
static bool msg_matches(const char *msg, const char *want)
{
	char part[128];
	while (*want) {
		size_t n = strcspn(want, "*");
		if (n >= sizeof(part))
			return false;
		memcpy(part, want, n);
		part[n] = '\0';
		msg = strstr(msg, part);
		if (!msg)
			return false;
		msg += n;
		want += n + (want[n] == '*');
	}
	return true;
}

/* The message starts "file.c:line: ", the base name of the library file
 * whose check fired (no directory: the build's paths are nobody's concern). */
static bool msg_prefix_ok(const char *msg)
{
	size_t n = strcspn(msg, "/:");
	if (n < 3 || msg[n] != ':' || strncmp(msg + n - 2, ".c", 2) != 0)
		return false;
	msg += n + 1;
	if (*msg < '0' || *msg > '9')
		return false;
	while (*msg >= '0' && *msg <= '9')
		msg++;
	return msg[0] == ':' && msg[1] == ' ';
}

/* mm_verify must fail with want in its message (a failure is recorded, not
 * returned: the caller still restores the page and frees the machine). */
static void expect_caught(struct mm_machine *m, const char *what, const char *want, int line)
{
	int ret = mm_verify(m);
	const char *msg = mm_verify_message(m);
	if (ret == 0) {
		fprintf(stderr, "%s:%d: %s: NOT CAUGHT: %s (mm_verify passed)\n", __FILE__, line,
			check_current, what);
	} else if (!msg_matches(msg, want) || !msg_prefix_ok(msg)) {
		fprintf(stderr, "%s:%d: %s: %s: caught as \"%s\", expected \"%s\"\n", __FILE__, line,
			check_current, what, msg, want);
	} else {
		if (verbose)
			printf("  %-56s -> %s\n", what, msg);
		return;
	}
	check_current_failed = 1;
}

/* After the page is restored, mm_verify must pass again. */
static void expect_clean(struct mm_machine *m, const char *what, int line)
{
	if (mm_verify(m) == 0)
		return;
	fprintf(stderr, "%s:%d: %s: after restoring %s: %s\n", __FILE__, line, check_current, what,
		mm_verify_message(m));
	check_current_failed = 1;
}

/* Corrupt page pfn with `edit` (a statement on `p`), expect the message
 * `want`, restore the page byte for byte, expect a clean verify. */
#define CORRUPT(m, pfn, edit, want)                                                    \
	do {                                                                           \
		struct mm_page *p_ = mm_pfn_to_page((m), (pfn));                       \
		struct mm_page saved_;                                                 \
		if (!p_) {                                                             \
			fprintf(stderr, "%s:%d: %s: no page %#llx\n", __FILE__, __LINE__, \
				check_current, (unsigned long long)(pfn));             \
			check_current_failed = 1;                                      \
			break;                                                         \
		}                                                                      \
		saved_ = *p_;                                                          \
		{                                                                      \
			struct mm_page *const p = p_;                                  \
			edit;                                                          \
		}                                                                      \
		expect_caught((m), "pfn " #pfn ": " #edit, (want), __LINE__);          \
		*p_ = saved_;                                                          \
		expect_clean((m), "pfn " #pfn, __LINE__);                              \
	} while (0)

static struct mm_page *page(struct mm_machine *m, mm_pfn_t pfn)
{
	return mm_pfn_to_page(m, pfn);
}

/* The layout the scenarios rely on, checked once per profile. */
static void layout(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	ASSERT_EQ(page(m, 0xf00)->flags & ~MM_PG_POISONED, MM_PG_RESERVED);
	ASSERT_EQ(page(m, 0xf80)->flags & ~MM_PG_POISONED, MM_PG_RESERVED);
	for (unsigned o = 0; o < 7; o++) {
		ASSERT_EQ(page(m, 0xf00 + (1u << o))->flags & ~MM_PG_POISONED, MM_PG_BUDDY);
		ASSERT_EQ(page(m, 0xf00 + (1u << o))->private, o);
		ASSERT_EQ(page(m, 0xf80 + (1u << o))->flags & ~MM_PG_POISONED, MM_PG_BUDDY);
		ASSERT_EQ(page(m, 0xf80 + (1u << o))->private, o);
	}
	for (unsigned o = 4; o < 8; o++) {
		ASSERT_EQ(page(m, 0x1000 + (1u << o))->flags & ~MM_PG_POISONED, MM_PG_BUDDY);
		ASSERT_EQ(page(m, 0x1000 + (1u << o))->private, o);
	}
	for (unsigned o = 1; o < 8; o++) {
		ASSERT_EQ(page(m, 0x1100 + (1u << o))->flags & ~MM_PG_POISONED,
			  MM_PG_BUDDY | MM_PG_HIGHMEM);
		ASSERT_EQ(page(m, 0x1100 + (1u << o))->private, o);
	}
	ASSERT_EQ(page(m, 0x1000)->flags, MM_PG_ALLOCATED | MM_PG_HEAD);
	ASSERT_EQ(page(m, 0x1000)->private, 2);
	ASSERT_EQ(page(m, 0x1001)->flags, MM_PG_ALLOCATED | MM_PG_TAIL);
	ASSERT_EQ(page(m, 0x1004)->flags, MM_PG_ALLOCATED | MM_PG_HEAD);
	ASSERT_EQ(page(m, 0x1008)->flags, MM_PG_ALLOCATED);
	ASSERT_EQ(page(m, 0x1100)->flags, MM_PG_ALLOCATED | MM_PG_HEAD | MM_PG_HIGHMEM);
	ASSERT_EQ(page(m, 0x1101)->flags, MM_PG_ALLOCATED | MM_PG_TAIL | MM_PG_HIGHMEM);
	for (mm_pfn_t pfn = 0x1009; pfn < 0x1010; pfn++)
		ASSERT_EQ(page(m, pfn)->flags & ~MM_PG_POISONED, MM_PG_PCP);
	/* CPU 0's list in the order rmqueue_bulk filled it, head taken */
	ASSERT_TRUE(page(m, 0x1009)->lru_prev == NULL);
	ASSERT_TRUE(page(m, 0x100a)->lru_prev == page(m, 0x1009));
	ASSERT_TRUE(page(m, 0x100f)->lru_next == NULL);
	mm_machine_destroy(m);
}

/* A free head losing PG_BUDDY: its pages belong to nobody (the walk finds
 * a page neither free, reserved, allocated nor per-CPU). */
static void free_head_loses_buddy(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0x1010, p->flags &= ~MM_PG_BUDDY, "pfn 0x1010: free 0 reserved 0 allocated 0");
	CORRUPT(m, 0xf01, p->flags &= ~MM_PG_BUDDY, "pfn 0xf01: free 0 reserved 0 allocated 0");
	CORRUPT(m, 0x1180, p->flags &= ~MM_PG_BUDDY, "pfn 0x1180: free 0 reserved 0 allocated 0");
	/* the head's own state, beside PG_BUDDY */
	CORRUPT(m, 0x1010, p->refcount = 1, "free head pfn 0x1010: flags");
	CORRUPT(m, 0x1010, p->flags |= MM_PG_RESERVED, "free head pfn 0x1010: flags");
	CORRUPT(m, 0x1010, p->flags |= MM_PG_PCP, "free head pfn 0x1010: flags");
	mm_machine_destroy(m);
}

/* A free head's order changed: raised, the block is misaligned; lowered,
 * its upper half is orphaned; past MAX_ORDER, refused outright. */
static void free_head_order_changed(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf08, p->private = 4, "free block pfn 0xf08 not aligned to order 4");
	CORRUPT(m, 0xf08, p->private = 2, "pfn 0xf0c: free 0 reserved 0 allocated 0");
	CORRUPT(m, 0xf08, p->private = 11, "free head pfn 0xf08 has order 11");
	CORRUPT(m, 0x1080, p->private = 6, "pfn 0x10c0: free 0 reserved 0 allocated 0");
	CORRUPT(m, 0x1080, p->private = 8, "free block pfn 0x1080 not aligned to order 8");
	mm_machine_destroy(m);
}

/* A tail page of a free block marked PG_BUDDY, PG_ALLOCATED (or any state
 * of a used page) or given a reference. */
static void free_tail_state(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf09, p->flags |= MM_PG_BUDDY, "free block at 0xf08: pfn 0xf09 has flags");
	CORRUPT(m, 0xf0f, p->flags |= MM_PG_ALLOCATED, "free block at 0xf08: pfn 0xf0f has flags");
	CORRUPT(m, 0xf0c, p->flags |= MM_PG_RESERVED, "free block at 0xf08: pfn 0xf0c has flags");
	CORRUPT(m, 0xf0c, p->flags |= MM_PG_PCP, "free block at 0xf08: pfn 0xf0c has flags");
	CORRUPT(m, 0xf0c, p->flags |= MM_PG_TAIL, "free block at 0xf08: pfn 0xf0c has flags");
	CORRUPT(m, 0xf0c, p->flags |= MM_PG_HEAD, "free block at 0xf08: pfn 0xf0c has flags");
	CORRUPT(m, 0xf09, p->refcount = 1, "free pfn 0xf09 has count 1");
	CORRUPT(m, 0x11ff, p->refcount = -1, "free pfn 0x11ff has count -1");
	mm_machine_destroy(m);
}

/* A free block's tail page linked to another zone or node. */
static void free_tail_elsewhere(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf09, p->zone = MM_ZONE_NORMAL, "free block at 0xf08: pfn 0xf09 in another zone");
	CORRUPT(m, 0xf0f, p->nid = 1, "free block at 0xf08: pfn 0xf0f in another zone");
	CORRUPT(m, 0x10ff, p->zone = MM_ZONE_HIGHMEM, "free block at 0x1080: pfn 0x10ff in another zone");
	CORRUPT(m, 0x1181, p->nid = 2, "free block at 0x1180: pfn 0x1181 in another zone");
	mm_machine_destroy(m);
}

/* A free page that names another pfn, is mapped or owned, or is a slab
 * page: free_pages_check lets none of these onto a free list, and the
 * library works from each block head's pfn field. A wrong pfn field is
 * mm_memmap_verify's to catch (it runs first and checks every page), so
 * page_alloc's own pfn check is a second line that mm_verify never
 * reaches. */
static void free_page_fields(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf09, p->pfn = 0xf0a, "memmap array 0: page of pfn 0xf09 names pfn 0xf0a");
	CORRUPT(m, 0xf08, p->pfn = 0xf00, "memmap array 0: page of pfn 0xf08 names pfn 0xf00");
	CORRUPT(m, 0x1181, p->pfn = 0, "memmap array 0: page of pfn 0x1181 names pfn 0");
	CORRUPT(m, 0xf09, p->mapcount = 0, "free pfn 0xf09: mapcount 0");
	CORRUPT(m, 0xf08, p->mapcount = 0, "free pfn 0xf08: mapcount 0");
	CORRUPT(m, 0xf0f, p->mapping = 0x40, "free pfn 0xf0f: mapcount -1 mapping 0x40");
	CORRUPT(m, 0xf0c, p->flags |= MM_PG_SLAB, "free block at 0xf08: pfn 0xf0c has flags");
	CORRUPT(m, 0xf08, p->flags |= MM_PG_SLAB, "free head pfn 0xf08: flags");
	CORRUPT(m, 0x100c, p->mapcount = 0, "per-CPU page pfn 0x100c: node 0 zone 1 flags");
	/* an interior page of an allocated or reserved stretch, too */
	CORRUPT(m, 0x1002, p->pfn = 0x1003, "memmap array 0: page of pfn 0x1002 names pfn 0x1003");
	CORRUPT(m, 0xf80, p->pfn = 0xf81, "memmap array 0: page of pfn 0xf80 names pfn 0xf81");
	mm_machine_destroy(m);
}

/* Two free buddies of equal order left unmerged: the order-6 block at
 * 0xf40 split into 0xf40 o5 and 0xf60 o5 by editing its pages only. The
 * block check of 0xf40 sees its buddy 0xf60 free with the same order and
 * fires first (the list counts would catch it next: one order-5 head more
 * than the list holds, one order-6 head less). */
static void unmerged_buddies(void)
{
	struct mm_machine *m = setup();
	struct mm_page *lo, *hi, lo_saved, hi_saved;
	ASSERT_TRUE(m);
	for (int k = 0; k < 2; k++) {
		const mm_pfn_t pfn = k ? 0x1140 : 0xf40; /* DMA, then HIGHMEM */
		lo = page(m, pfn);
		hi = page(m, pfn + 0x20);
		ASSERT_TRUE(lo && hi);
		ASSERT_EQ(lo->private, 6);
		lo_saved = *lo;
		hi_saved = *hi;
		lo->private = 5;
		hi->flags |= MM_PG_BUDDY;
		hi->private = 5;
		expect_caught(m, "order-6 block split into two order-5 buddies",
			      k ? "free buddies 0x1140 and 0x1160 of order 5 left unmerged"
				: "free buddies 0xf40 and 0xf60 of order 5 left unmerged",
			      __LINE__);
		*lo = lo_saved;
		*hi = hi_saved;
		expect_clean(m, "the order-6 block", __LINE__);
	}
	mm_machine_destroy(m);
}

/* An allocated block: a tail losing PG_TAIL, a head without references,
 * an order that does not match the head's alignment or the tails. */
static void allocated_block_shape(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0x1001, p->flags &= ~MM_PG_TAIL, "allocated block ends early at pfn 0x1001");
	CORRUPT(m, 0x1001, p->private = 1, "tail pfn 0x1001: count 0 order 1");
	CORRUPT(m, 0x1003, p->flags &= ~MM_PG_TAIL, "allocated block ends early at pfn 0x1003");
	CORRUPT(m, 0x1101, p->flags &= ~MM_PG_TAIL, "allocated block ends early at pfn 0x1101");
	CORRUPT(m, 0x1000, p->refcount = 0, "allocated pfn 0x1000 has count 0");
	CORRUPT(m, 0x1008, p->refcount = 0, "allocated pfn 0x1008 has count 0");
	CORRUPT(m, 0x1004, p->private = 3, "allocated head pfn 0x1004: order 3");
	CORRUPT(m, 0x1008, p->private = 1, "allocated head pfn 0x1008: order 1");
	CORRUPT(m, 0x1000, p->private = 11, "allocated head pfn 0x1000: order 11");
	CORRUPT(m, 0x1000, p->private = 1, "tail pfn 0x1002 without a head");
	CORRUPT(m, 0x1000, p->flags &= ~MM_PG_HEAD, "allocated head pfn 0x1000: order 2");
	CORRUPT(m, 0x1008, p->flags |= MM_PG_HEAD, "allocated head pfn 0x1008: order 0");
	CORRUPT(m, 0x1002, p->refcount = 1, "tail pfn 0x1002: count 1");
	CORRUPT(m, 0x1002, p->flags |= MM_PG_HEAD, "tail pfn 0x1002: count 0");
	CORRUPT(m, 0x1002, p->flags |= MM_PG_BUDDY, "free block inside an allocation at pfn 0x1002");
	CORRUPT(m, 0x1008, p->flags |= MM_PG_TAIL, "tail pfn 0x1008 without a head");
	mm_machine_destroy(m);
}

/* PageHighMem set below the lowmem limit or missing above it, on every kind
 * of page: reserved, allocated head and tail, free head and tail, per-CPU. */
static void highmem_flag_wrong(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf00, p->flags |= MM_PG_HIGHMEM, "pfn 0xf00: PageHighMem wrong");
	CORRUPT(m, 0x1000, p->flags |= MM_PG_HIGHMEM, "pfn 0x1000: PageHighMem wrong");
	CORRUPT(m, 0x1003, p->flags |= MM_PG_HIGHMEM, "pfn 0x1003: PageHighMem wrong");
	CORRUPT(m, 0x1009, p->flags |= MM_PG_HIGHMEM, "pfn 0x1009: PageHighMem wrong");
	CORRUPT(m, 0x1010, p->flags |= MM_PG_HIGHMEM, "pfn 0x1010: PageHighMem wrong");
	CORRUPT(m, 0x1100, p->flags &= ~MM_PG_HIGHMEM, "pfn 0x1100: PageHighMem wrong");
	CORRUPT(m, 0x1101, p->flags &= ~MM_PG_HIGHMEM, "pfn 0x1101: PageHighMem wrong");
	CORRUPT(m, 0x1180, p->flags &= ~MM_PG_HIGHMEM, "pfn 0x1180: PageHighMem wrong");
	/* tails of free blocks: the walk skips them, the block check must look
	 * (it did not before this test: see the commit that added it) */
	CORRUPT(m, 0x1011, p->flags |= MM_PG_HIGHMEM,
		"free block at 0x1010: pfn 0x1011 has flags*: PageHighMem wrong");
	CORRUPT(m, 0xf7f, p->flags |= MM_PG_HIGHMEM,
		"free block at 0xf40: pfn 0xf7f has flags*: PageHighMem wrong");
	CORRUPT(m, 0x1181, p->flags &= ~MM_PG_HIGHMEM,
		"free block at 0x1180: pfn 0x1181 has flags*: PageHighMem wrong");
	mm_machine_destroy(m);
}

/* A page's node or zone link wrong (a head, a reserved, an allocated or a
 * per-CPU page: free tails are free_tail_elsewhere's). */
static void page_links_wrong(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf00, p->zone = MM_ZONE_NORMAL, "pfn 0xf00: node 0 zone 1, expected 0/0");
	CORRUPT(m, 0xf80, p->nid = 1, "pfn 0xf80: node 1 zone 0, expected 0/0");
	CORRUPT(m, 0x1000, p->nid = 3, "pfn 0x1000: node 3 zone 1, expected 0/1");
	CORRUPT(m, 0x1001, p->zone = MM_ZONE_DMA, "pfn 0x1001: node 0 zone 0, expected 0/1");
	CORRUPT(m, 0x1009, p->zone = MM_ZONE_DMA, "pfn 0x1009: node 0 zone 0, expected 0/1");
	CORRUPT(m, 0x1010, p->zone = MM_ZONE_HIGHMEM, "pfn 0x1010: node 0 zone 2, expected 0/1");
	CORRUPT(m, 0x1180, p->zone = MM_ZONE_NORMAL, "pfn 0x1180: node 0 zone 1, expected 0/2");
	mm_machine_destroy(m);
}

/* PG_POISONED as a free page of this profile carries it. */
static uint32_t free_poison(void)
{
	return (prof->hardening & MM_HARDEN_POISON) ? MM_PG_POISONED : 0;
}

/* A page in two states at once, or in a state the counters do not know of. */
static void page_state_exclusive(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf00, p->flags |= MM_PG_ALLOCATED, "pfn 0xf00: free 0 reserved 1 allocated 1 per-CPU 0");
	CORRUPT(m, 0x1008, p->flags |= MM_PG_RESERVED, "pfn 0x1008: free 0 reserved 1 allocated 1 per-CPU 0");
	CORRUPT(m, 0x1009, p->flags |= MM_PG_ALLOCATED, "pfn 0x1009: free 0 reserved 0 allocated 1 per-CPU 1");
	CORRUPT(m, 0x1008, p->flags |= MM_PG_POISONED, "pfn 0x1008: PagePoisoned wrong");
	/* a reserved page keeps its reference and is part of no block */
	CORRUPT(m, 0xf80, p->refcount = 0, "reserved pfn 0xf80: count 0");
	CORRUPT(m, 0xf80, p->flags |= MM_PG_TAIL, "reserved pfn 0xf80: count 1 order 0 flags");
	CORRUPT(m, 0xf00, p->private = 3, "reserved pfn 0xf00: count 1 order 3");
	/* a reserved page turned into an order-0 allocation behind the
	 * allocator's back: every page is well formed, only the zone's
	 * managed count gives it away */
	CORRUPT(m, 0xf80, (p->flags = MM_PG_ALLOCATED, p->refcount = 1),
		"node 0 zone 0: managed 254 != free 254 + allocated 1 + per-CPU 0");
	/* ... or into a per-CPU page that is on no list */
	CORRUPT(m, 0xf80, (p->flags = MM_PG_PCP | free_poison(), p->refcount = 0),
		"node 0 zone 0: managed 254 != free 254 + allocated 0 + per-CPU 1");
	/* an allocated page turned per-CPU: managed still adds up, but CPU 0's
	 * list holds 7 pages, not the 8 flagged */
	CORRUPT(m, 0x1008, (p->flags = MM_PG_PCP | free_poison(), p->refcount = 0),
		"node 0 zone 1: 8 pages flagged per-CPU, 7 listed");
	/* a free or per-CPU page is poisoned exactly when poisoning is on */
	CORRUPT(m, 0x100c, p->flags ^= MM_PG_POISONED, "pfn 0x100c: PagePoisoned wrong");
	CORRUPT(m, 0xf08, p->flags ^= MM_PG_POISONED, "free head pfn 0xf08: PagePoisoned wrong");
	CORRUPT(m, 0xf09, p->flags ^= MM_PG_POISONED, "pfn 0xf09 has flags*PagePoisoned wrong");
	/* a per-CPU page turned into a free order-0 head on no free list (its
	 * buddy 0x100e is per-CPU, so nothing to merge): the head count the
	 * walk made and the list disagree */
	CORRUPT(m, 0x100f, (p->flags = (p->flags & ~MM_PG_PCP) | MM_PG_BUDDY),
		"node 0 zone 1 order 0: 1 free blocks, the list holds 0");
	mm_machine_destroy(m);
}

/* A per-CPU page losing PG_PCP (the walk finds an unowned page first), or
 * taking a reference (only the per-CPU list check sees that). */
static void pcp_page_state(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0x1009, p->flags &= ~MM_PG_PCP, "pfn 0x1009: free 0 reserved 0 allocated 0 per-CPU 0");
	CORRUPT(m, 0x100f, p->flags &= ~MM_PG_PCP, "pfn 0x100f: free 0 reserved 0 allocated 0 per-CPU 0");
	CORRUPT(m, 0x100c, p->refcount = 1, "per-CPU page pfn 0x100c: node 0 zone 1 flags");
	CORRUPT(m, 0x100c, p->flags |= MM_PG_BUDDY, "free head pfn 0x100c: flags");
	mm_machine_destroy(m);
}

/* The pair of a free list's order-3 pages (DMA has 0xf08 and 0xf88), as
 * the list links them: *first has no back link, *second's points at it. */
static void order3_pair(struct mm_machine *m, struct mm_page **first, struct mm_page **second)
{
	struct mm_page *a = page(m, 0xf08), *b = page(m, 0xf88);
	*first = a->lru_prev ? b : a;
	*second = a->lru_prev ? a : b;
}

/* Broken lru_prev back links: on a free list (the DMA order-3 list holds
 * two blocks) and on CPU 0's NORMAL list (0x1009 ... 0x100f). Also a free
 * list turned into a cycle through lru_next. */
static void broken_back_links(void)
{
	struct mm_machine *m = setup();
	struct mm_page *first, *second;
	ASSERT_TRUE(m);
	order3_pair(m, &first, &second);
	ASSERT_TRUE(first->lru_prev == NULL && second->lru_prev == first);
	ASSERT_TRUE(first->lru_next == second && second->lru_next == NULL);
	{
		char want[96];
		snprintf(want, sizeof(want), "free list of order 3: broken back link at pfn %#llx",
			 (unsigned long long)second->pfn);
		CORRUPT(m, second->pfn, p->lru_prev = NULL, want);
		CORRUPT(m, second->pfn, p->lru_prev = p, want);
		snprintf(want, sizeof(want), "free list of order 3: broken back link at pfn %#llx",
			 (unsigned long long)first->pfn);
		CORRUPT(m, first->pfn, p->lru_prev = page(m, 0xf10), want);
	}
	/* the tail's lru_next back to the first: a cycle the walk's head count bounds */
	CORRUPT(m, second->pfn, p->lru_next = first,
		"node 0 zone 0 order 3: free list longer than the 2 free blocks");
	/* the list cut short after its first page: its tail pointer is stale */
	CORRUPT(m, first->pfn, p->lru_next = NULL, "node 0 zone 0 order 3: tail pointer wrong");
	CORRUPT(m, 0x100c, p->lru_next = NULL, "node 0 zone 1 cpu 0: per-CPU count 7, list has 4");
	CORRUPT(m, 0x100a, p->lru_prev = NULL, "per-CPU list: broken back link at pfn 0x100a");
	CORRUPT(m, 0x100f, p->lru_prev = page(m, 0x1009), "per-CPU list: broken back link at pfn 0x100f");
	CORRUPT(m, 0x1009, p->lru_prev = page(m, 0x100f), "per-CPU list: broken back link at pfn 0x1009");
	CORRUPT(m, 0x100f, p->lru_next = page(m, 0x1009), "per-CPU list: broken back link at pfn 0x1009");
	mm_machine_destroy(m);
}

/* mm_memmap_verify: the pages at the edges of a memmap array must name
 * their pfns (a memmap array is one per registered range: here the node),
 * as must every page between (memmap_every_page). */
static void memmap_edge_pfn(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, NODE_START, p->pfn = NODE_START + 1, "memmap array 0: page of pfn 0xf00 names pfn 0xf01");
	CORRUPT(m, NODE_START, p->pfn = 0, "memmap array 0: page of pfn 0xf00 names pfn 0");
	CORRUPT(m, NODE_END - 1, p->pfn = NODE_END, "memmap array 0: page of pfn 0x11ff names pfn 0x1200");
	mm_machine_destroy(m);
}

/* ---- the boot stages: e820, early_res, meminfo, memblock, bootmem ----- */

/* The boot-stage tables are private to their stage files: lib/internal.h's
 * white-box views (mm_*_view) reach them. CORRUPT_TABLE saves the whole
 * table and its counts, runs `edit` (a statement on `e`, the entry array of
 * type T, and `v`, the view), expects the message, restores, expects a
 * clean verify. */
#define CORRUPT_TABLE(m, viewfn, T, edit, want)                                        \
	do {                                                                           \
		struct mm_table_view v;                                                \
		viewfn((m), &v);                                                       \
		T *const e = v.entries;                                                \
		T saved_[MAX_SAVED];                                                   \
		const uint32_t nr_ = *v.nr, max_ = *v.max;                             \
		const uint32_t fw_nr_ = v.fw_nr ? *v.fw_nr : 0;                        \
		const bool flag_ = v.flag ? *v.flag : false;                           \
		ASSERT_TRUE(e && max_ <= MAX_SAVED);                                   \
		memcpy(saved_, e, max_ * sizeof(T));                                   \
		edit;                                                                  \
		expect_caught((m), #edit, (want), __LINE__);                           \
		memcpy(e, saved_, max_ * sizeof(T));                                   \
		*v.nr = nr_;                                                           \
		*v.max = max_;                                                         \
		if (v.fw_nr)                                                           \
			*v.fw_nr = fw_nr_;                                             \
		if (v.flag)                                                            \
			*v.flag = flag_;                                               \
		expect_clean((m), #edit, __LINE__);                                    \
	} while (0)
#define MAX_SAVED 128

/* A 2.6.29 x86_32 machine with a sanitized e820 table
 *   0 [0, 0x9f000) RAM   1 [0xf0000, 0x100000) reserved   2 [1 MiB, 128 MiB) RAM
 * and early reservations [0x1000, 0x2000) "A" and [0x5000, 0x6000) "B". */
static struct mm_machine *boot_setup(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_e820_add(m, 0x100000, 0x7f00000, MM_E820_RAM) ||
	    mm_e820_add(m, 0xf0000, 0x10000, MM_E820_RESERVED) ||
	    mm_e820_add(m, 0, 0x9f000, MM_E820_RAM) || mm_e820_sanitize(m) ||
	    mm_reserve_early(m, 0x1000, 0x2000, "A") || mm_reserve_early(m, 0x5000, 0x6000, "B") ||
	    mm_verify(m) || mm_report_count(m)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* mm_e820_verify: counts within the table; a sanitized table has no empty,
 * wrapping or untyped entry, is sorted and disjoint, and merged except for
 * the no-merge types. */
static void e820_checks(void)
{
	struct mm_machine *m = boot_setup();
	struct mm_table_view tv;
	ASSERT_TRUE(m);
	mm_e820_view(m, &tv);
	ASSERT_EQ(*tv.nr, 3);
	ASSERT_TRUE(*tv.flag);
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, *v.nr = *v.max + 1,
		      "e820: 129 entries in a table of 128");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, *v.fw_nr = *v.max + 1,
		      "e820: firmware copy has 129 of 128");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, e[1].size = 0,
		      "e820: sanitized entry 1 has size 0");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, e[2].size = UINT64_MAX - 0xfffff,
		      "e820: sanitized entry 2 wraps");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, e[0].type = 0,
		      "e820: sanitized entry 0 has type 0");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, e[1].addr = 0x9e000,
		      "e820: sanitized entries 0 and 1 overlap or are unsorted");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, e[2].addr = 0xf0000,
		      "e820: sanitized entries 1 and 2 overlap or are unsorted");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry, e[1].type = MM_E820_RAM,
		      "e820: sanitized entries 1 and 2 should have merged");
	CORRUPT_TABLE(m, mm_e820_view, struct mm_e820_entry,
		      (e[0].size = 0xf0000, e[1].type = MM_E820_RAM),
		      "e820: sanitized entries 0 and 1 should have merged");
	/* adjacent PRAM (or soft-reserved) entries stay apart after a sanitize */
	{
		struct mm_e820_entry saved[3];
		struct mm_e820_entry *e = tv.entries;
		memcpy(saved, e, sizeof(saved));
		e[1].type = e[2].type = MM_E820_PRAM;
		ASSERT_EQ(mm_verify(m), 0);
		e[1].type = e[2].type = MM_E820_SOFT_RESERVED;
		ASSERT_EQ(mm_verify(m), 0);
		memcpy(e, saved, sizeof(saved));
	}
	/* a fresh machine's table has no work block, so no entries */
	{
		struct mm_machine *fresh = NULL;
		struct mm_config cfg;
		struct mm_table_view fv;
		mm_config_default(&cfg, MM_ERA_2_6_29);
		ASSERT_EQ(mm_machine_create(&cfg, &fresh), 0);
		mm_e820_view(fresh, &fv);
		ASSERT_TRUE(fv.entries == NULL);
		*fv.nr = 1;
		expect_caught(fresh, "nr 1 without a work block", "e820: entries without the work block",
			      __LINE__);
		*fv.nr = 0;
		*fv.fw_nr = 1;
		expect_caught(fresh, "fw_nr 1 without a work block",
			      "e820: entries without the work block", __LINE__);
		*fv.fw_nr = 0;
		expect_clean(fresh, "the empty table", __LINE__);
		mm_machine_destroy(fresh);
	}
	/* an unsanitized table may hold anything a firmware or an update left
	 * (the kernel's add and update append raw pieces): no order checks */
	ASSERT_EQ(mm_e820_add(m, 0, 0x1000, MM_E820_RAM), 0);
	ASSERT_TRUE(!*tv.flag);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* mm_early_res_verify: entries within the slots, each non-empty, named
 * with a terminated string, no two overlapping. */
static void early_res_checks(void)
{
	struct mm_machine *m = boot_setup();
	ASSERT_TRUE(m);
	/* entry 0 is the BIOS data page [0, 0x1000) every 2.6.29 machine has */
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res, *v.nr = *v.max + 1,
		      "early_res: 21 entries in 20 slots");
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res, e[1].end = e[1].start,
		      "early_res: entry 1 [0x1000, 0x1000) empty or inverted");
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res, e[2].end = 0x4000,
		      "early_res: entry 2 [0x5000, 0x4000) empty or inverted");
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res,
		      memset(e[2].name, 'x', sizeof(e[2].name)),
		      "early_res: entry 2 name not terminated");
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res, e[2].start = 0x1fff,
		      "early_res: entries 1 and 2 overlap");
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res,
		      (e[1].start = 0x5fff, e[1].end = 0x7000), "early_res: entries 1 and 2 overlap");
	CORRUPT_TABLE(m, mm_early_res_view, struct mm_early_res, e[2].start = 0xfff,
		      "early_res: entries 0 and 2 overlap");
	/* touching entries do not overlap */
	{
		struct mm_table_view v;
		struct mm_early_res *e;
		mm_early_res_view(m, &v);
		e = v.entries;
		e[2].start = 0x2000;
		ASSERT_EQ(mm_verify(m), 0);
		e[2].start = 0x5000;
	}
	mm_machine_destroy(m);
}

/* An ARM machine with meminfo banks [0, 1 MiB) and [2 MiB, 3 MiB), checked
 * (sanity_check) when `checked`. */
static struct mm_machine *meminfo_setup(bool checked)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_ARM;
	cfg.meminfo_nr_banks = 8;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_meminfo_add(m, 0, 0x100000, 0) || mm_meminfo_add(m, 0x200000, 0x100000, 0) ||
	    (checked && mm_meminfo_sanity_check(m, 0, 0, true)) || mm_verify(m) ||
	    mm_report_count(m)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* mm_meminfo_verify: banks within the table, page aligned, non-empty, not
 * wrapping, on a valid node, disjoint; no highmem before the check; after
 * it sorted, highmem banks above vmalloc_min and lowmem ones below. */
static void meminfo_checks(void)
{
	struct mm_machine *m = meminfo_setup(false);
	ASSERT_TRUE(m);
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, *v.nr = *v.max + 1,
		      "meminfo: 9 banks of 8");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[0].size = 0,
		      "meminfo: bank 0 empty or not page aligned");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].start = 0x200800,
		      "meminfo: bank 1 empty or not page aligned");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].size = 0x100001,
		      "meminfo: bank 1 empty or not page aligned");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].start = UINT64_MAX - 0xfff,
		      "meminfo: bank 1 wraps");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[0].node = -1, "meminfo: bank 0 node -1");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].node = MM_MAX_NUMNODES,
		      "meminfo: bank 1 node 64");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].start = 0xff000,
		      "meminfo: banks 0 and 1 overlap");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[0].size = 0x201000,
		      "meminfo: banks 0 and 1 overlap");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].highmem = true,
		      "meminfo: bank 1 highmem before the check");
	/* before the check, banks may come in any order */
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, (e[0].start = 0x400000, e[0].size = 0),
		      "meminfo: bank 0 empty or not page aligned");
	{
		struct mm_table_view v;
		struct mm_membank *e;
		mm_meminfo_view(m, &v);
		e = v.entries;
		e[0].start = 0x400000;
		ASSERT_EQ(mm_verify(m), 0);
		e[0].start = 0;
	}
	mm_machine_destroy(m);

	m = meminfo_setup(true);
	ASSERT_TRUE(m);
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[0].start = 0x400000,
		      "meminfo: banks 0, 1 unsorted");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[0].highmem = true,
		      "meminfo: highmem bank 0 below vmalloc_min");
	CORRUPT_TABLE(m, mm_meminfo_view, struct mm_membank, e[1].size = 0x40000000,
		      "meminfo: lowmem bank 1 crosses vmalloc_min");
	mm_machine_destroy(m);
}

/* mm_memblock_verify, through the public struct (const cast away): arrays
 * present, cnt within max, the empty marker, every region non-empty, not
 * wrapping, with known flags and a valid nid, sorted, disjoint, merged, and
 * total_size their sum. memory: [1 MiB, 16 MiB) and [32 MiB, 48 MiB);
 * reserved: [2 MiB, 3 MiB). */
static void memblock_checks(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_memblock *mb;
	struct mm_memblock_region *r, saved_r[2];
	struct mm_memblock_type saved_t;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x100000, 0xf00000), 0);
	ASSERT_EQ(mm_memblock_add(m, 0x2000000, 0x1000000), 0);
	ASSERT_EQ(mm_memblock_reserve(m, 0x200000, 0x100000), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mb = (struct mm_memblock *)mm_memblock_get(m);
	r = mb->memory.regions;
	ASSERT_EQ(mb->memory.cnt, 2);
	memcpy(saved_r, r, sizeof(saved_r));
	saved_t = mb->memory;
#define MB_CORRUPT(edit, want)                                                         \
	do {                                                                           \
		edit;                                                                  \
		expect_caught(m, #edit, (want), __LINE__);                             \
		memcpy(r, saved_r, sizeof(saved_r));                                   \
		mb->memory = saved_t;                                                  \
		expect_clean(m, #edit, __LINE__);                                      \
	} while (0)
	MB_CORRUPT(mb->memory.regions = NULL, "memblock.memory: no region array");
	MB_CORRUPT(mb->memory.max = 0, "memblock.memory: no region array");
	MB_CORRUPT(mb->memory.cnt = mb->memory.max + 1, "memblock.memory: cnt 129 > max 128");
	MB_CORRUPT(mb->memory.cnt = 0, "memblock.memory: regions[0] in use with cnt 0");
	MB_CORRUPT(r[1].size = 0, "memblock.memory[1]: size 0");
	MB_CORRUPT(r[1].size = ~(mm_phys_addr_t)0, "memblock.memory[1]: [0x2000000+0xffffffffffffffff] wraps");
	MB_CORRUPT(r[0].flags = (enum mm_memblock_flags)0x100, "memblock.memory[0]: flags 0x100");
	MB_CORRUPT(r[1].nid = MM_MAX_NUMNODES + 1, "memblock.memory[1]: nid 65");
	MB_CORRUPT(r[0].nid = -2, "memblock.memory[0]: nid -2");
	MB_CORRUPT(r[1].base = 0xfff000, "memblock.memory[1]: not sorted/disjoint");
	MB_CORRUPT((r[0].size = 0x1f00000, mb->memory.total_size += 0x1000000),
		   "memblock.memory[1]: mergeable neighbours left apart");
	MB_CORRUPT(mb->memory.total_size += 0x1000, "memblock.memory: total_size 0x1f01000 != sum 0x1f00000");
	/* neighbours that touch but differ in nid or flags stay apart */
	r[0].size = 0x1f00000;
	mb->memory.total_size += 0x1000000;
	r[1].flags = MM_MEMBLOCK_HOTPLUG;
	ASSERT_EQ(mm_verify(m), 0);
	r[1].flags = MM_MEMBLOCK_NONE;
	r[1].nid = 1;
	ASSERT_EQ(mm_verify(m), 0);
	memcpy(r, saved_r, sizeof(saved_r));
	mb->memory = saved_t;
	ASSERT_EQ(mm_verify(m), 0);
	/* the empty marker: regions[0] of size 0 with cnt, base, flags and
	 * total_size as the convention leaves them */
	r = mb->reserved.regions;
	memcpy(saved_r, r, sizeof(saved_r[0]));
	saved_t = mb->reserved;
#undef MB_CORRUPT
#define MB_CORRUPT(edit, want)                                                         \
	do {                                                                           \
		edit;                                                                  \
		expect_caught(m, #edit, (want), __LINE__);                             \
		memcpy(r, saved_r, sizeof(saved_r[0]));                                \
		mb->reserved = saved_t;                                                \
		expect_clean(m, #edit, __LINE__);                                      \
	} while (0)
	MB_CORRUPT((r[0].size = 0, r[0].base = 0, mb->reserved.total_size = 0, mb->reserved.cnt = 2),
		   "memblock.reserved: bad empty marker (cnt 2, total 0)");
	MB_CORRUPT((r[0].size = 0, mb->reserved.total_size = 0),
		   "memblock.reserved: bad empty marker (cnt 1, total 0)");
	MB_CORRUPT((r[0].size = 0, r[0].base = 0, r[0].flags = MM_MEMBLOCK_MIRROR, mb->reserved.total_size = 0),
		   "memblock.reserved: bad empty marker (cnt 1, total 0)");
	MB_CORRUPT((r[0].size = 0, r[0].base = 0),
		   "memblock.reserved: bad empty marker (cnt 1, total 0x100000)");
#undef MB_CORRUPT
	mm_machine_destroy(m);
}

/* mm_bootmem_verify: the node count and hand-off state in range; each node
 * with a valid nid, a non-empty span below lowmem, the bitmap size its span
 * needs, sorted, disjoint, its nid once; before the hand-off a bitmap whose
 * padding bits past the node stay set, the search hint and last_end_off
 * inside the node; after it no bitmap. Node 0 spans [0, 0xff0): 4080
 * pages, a bitmap of 512 bytes (128 words), bits 4080 ... 4095 padding;
 * node 1 spans [0x1000, 0x2000). */
static void bootmem_checks(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_bootmem_view v0, v1;
	uint32_t *map;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_init_bootmem_node(m, 1, 0x1100, 0x1000, 0x2000, NULL), 0);
	ASSERT_EQ(mm_init_bootmem_node(m, 0, 0x100, 0, 0xff0, NULL), 0);
	ASSERT_EQ(mm_free_bootmem(m, 0x200000, 0x400000), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_TRUE(mm_bootmem_view(m, 0, &v0));
	ASSERT_TRUE(mm_bootmem_view(m, 1, &v1));
	ASSERT_TRUE(!mm_bootmem_view(m, 2, &v1) && mm_bootmem_view(m, 1, &v1));
	ASSERT_EQ(*v0.nid, 0);
	ASSERT_EQ(*v1.nid, 1);
	ASSERT_EQ(*v0.map_bytes, 512);
	map = *v0.map;
#define BM_CORRUPT(lval, val, want)                                                    \
	do {                                                                           \
		const __typeof__(lval) saved_ = (lval);                                \
		(lval) = (val);                                                        \
		expect_caught(m, #lval " = " #val, (want), __LINE__);                  \
		(lval) = saved_;                                                       \
		expect_clean(m, #lval, __LINE__);                                      \
	} while (0)
	BM_CORRUPT(*v0.nr, MM_MAX_NODES + 1, "bootmem: 9 nodes");
	BM_CORRUPT(*v0.handoff, -1, "bootmem: hand-off state -1");
	BM_CORRUPT(*v0.handoff, 3, "bootmem: hand-off state 3");
	BM_CORRUPT(*v0.nid, -1, "bootmem: node nid -1");
	BM_CORRUPT(*v1.nid, MM_MAX_NODES, "bootmem: node nid 8");
	BM_CORRUPT(*v1.low_pfn, 0x1000, "bootmem: node 1 span [0x1000, 0x1000) empty or above lowmem");
	BM_CORRUPT(*v0.min_pfn, 0xff0, "bootmem: node 0 span [0xff0, 0xff0) empty or above lowmem");
	BM_CORRUPT(*v1.low_pfn, 0x40000000,
		   "bootmem: node 1 span [0x1000, 0x40000000) empty or above lowmem");
	BM_CORRUPT(*v0.map_bytes, 516, "bootmem: node 0 bitmap 516 bytes");
	BM_CORRUPT(*v0.map_bytes, 508, "bootmem: node 0 bitmap 508 bytes");
	/* node 1 moved down over node 0's end, same size */
	*v1.min_pfn = 0xfe0;
	*v1.low_pfn = 0x1fe0;
	expect_caught(m, "node 1 moved to [0xfe0, 0x1fe0)",
		      "bootmem: node list unsorted or overlapping at node 1", __LINE__);
	*v1.min_pfn = 0x1000;
	*v1.low_pfn = 0x2000;
	expect_clean(m, "node 1", __LINE__);
	BM_CORRUPT(*v1.nid, 0, "bootmem: nid 0 twice");
	BM_CORRUPT(*v0.handoff, 1, "bootmem: node 0 bitmap alive after hand-off");
	BM_CORRUPT(*v0.map, NULL, "bootmem: node 0 without bitmap");
	BM_CORRUPT(map[127], map[127] & ~(1u << 31), "bootmem: node 0 padding bit 4095 clear");
	BM_CORRUPT(map[127], map[127] & ~(1u << 16), "bootmem: node 0 padding bit 4080 clear");
	BM_CORRUPT(*v0.hint_idx, 4081, "bootmem: node 0 hint 4081 beyond 4080 pages");
	BM_CORRUPT(*v0.last_end_off, 0xff0001, "bootmem: node 0 last_end_off 0xff0001 beyond the node");
#undef BM_CORRUPT
	/* at the edges: a hint of every page, last_end_off at the node's end,
	 * the node's last page (bit 4079) free, nodes touching */
	*v0.hint_idx = 4080;
	*v0.last_end_off = 0xff0000;
	map[127] &= ~(1u << 15);
	ASSERT_EQ(mm_verify(m), 0);
	*v1.min_pfn = 0xff0;
	*v1.low_pfn = 0x1ff0;
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Every stage's verify starts by checking that its state exists. */
static void state_missing(void)
{
	struct mm_machine *m = boot_setup();
	ASSERT_TRUE(m);
#define MISSING(field, want)                                                           \
	do {                                                                           \
		void *saved_ = m->field;                                               \
		m->field = NULL;                                                       \
		expect_caught(m, #field " = NULL", (want), __LINE__);                  \
		m->field = saved_;                                                     \
		expect_clean(m, #field, __LINE__);                                     \
	} while (0)
	MISSING(e820, "e820: state missing");
	MISSING(early_res, "early_res: state missing");
	MISSING(meminfo, "meminfo: state missing");
	MISSING(memblock, "memblock: no state");
	MISSING(bootmem, "bootmem state missing");
#undef MISSING
	mm_machine_destroy(m);
}

/* Not a verify check, but only white-box reaches it: the hand-off takes a
 * block only if each page is reserved with exactly its boot reference and
 * no mapping (handoff_pages_ok, one folded word per page). A reserved page
 * whose count is 0 (or whose mapcount is -2) is refused with "Bad page
 * state ... handed over but not reserved" and stays reserved; put back,
 * the same block is taken. pfn 0xf00 is the one page setup() never gives. */
static void handoff_count_refused(void)
{
	struct mm_machine *m = setup();
	struct mm_page *p;
	ASSERT_TRUE(m);
	p = page(m, 0xf00);
	ASSERT_TRUE(p && (p->flags & MM_PG_RESERVED) && p->refcount == 1);
	p->refcount = 0;
	ASSERT_EQ(mm_free_pages_bootmem(m, 0xf00, 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_TRUE(mm_last_report(m) && msg_matches(mm_last_report(m)->msg, "Bad page state: pfn 0xf00 handed over but not reserved"));
	p->refcount = 1;
	p->mapcount = -2;
	ASSERT_EQ(mm_free_pages_bootmem(m, 0xf00, 0), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 2);
	ASSERT_TRUE(p->flags & MM_PG_RESERVED);
	p->mapcount = -1;
	ASSERT_EQ(mm_free_pages_bootmem(m, 0xf00, 0), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Not a verify check: MM_HARDEN_ASAN_POISON, white-box. A backed frame
 * given back to the buddy allocator is ASan-poisoned whole (a library
 * access to free simulated memory is then an ASan report, as KASAN makes
 * it) and accessible again once the page is handed out; without the switch
 * it is never poisoned. Meaningful only under ASan. */
static void asan_poison_free_frames(void)
{
#ifdef MM_HAVE_ASAN
	for (int on = 0; on < 2; on++) {
		struct mm_config cfg;
		struct mm_machine *m = NULL;
		mm_pfn_t p, p2;
		const uint8_t b = 0x5a;
		const uint8_t *f;
		mm_config_default(&cfg, MM_ERA_MODERN);
		cfg.hardening = on ? MM_HARDEN_ASAN_POISON : 0;
		ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
		ASSERT_EQ(mm_node_add(m, 0, 0x1000, 0x1400), 0);
		ASSERT_EQ(mm_free_area_init(m), 0);
		ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p), 0);
		ASSERT_EQ(mm_phys_write(m, MM_PFN_PHYS(p) + 7, &b, 1), 0);
		f = mm_phys_frame(m, p, false);
		ASSERT_TRUE(f && !__asan_address_is_poisoned(f));
		ASSERT_EQ(mm_free_pages(m, p, 0), 0);
		ASSERT_EQ(!!__asan_address_is_poisoned(f), on);
		ASSERT_EQ(!!__asan_address_is_poisoned(f + MM_PAGE_SIZE - 1), on);
		ASSERT_EQ(mm_alloc_pages(m, MM_GFP_KERNEL, 0, &p2), 0);
		ASSERT_EQ(p2, p);
		ASSERT_TRUE(!__asan_address_is_poisoned(f) && !__asan_address_is_poisoned(f + MM_PAGE_SIZE - 1));
		ASSERT_EQ(mm_report_count(m), 0);
		mm_machine_destroy(m);
	}
#endif
}

/* Not a verify check: the machine's random stream (mm_random, behind the
 * shuffled free lists and slab freelists), white-box. Its exact values are
 * no semantic, but a seeded stream must be reproducible and must look
 * random: 1,024 draws with no repeat and every bit seen both 0 and 1 (a
 * mixer reduced to a few values, or a stuck bit, fails), and another seed
 * gives another stream. */
static void random_stream(void)
{
	enum { N = 1024 };
	static uint64_t a[N];
	struct mm_config cfg;
	struct mm_machine *m = NULL, *m2 = NULL, *m3 = NULL;
	uint64_t ones = 0, zeros = 0;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.seed = 42;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_machine_create(&cfg, &m2), 0);
	cfg.seed = 43;
	ASSERT_EQ(mm_machine_create(&cfg, &m3), 0);
	for (int i = 0; i < N; i++) {
		a[i] = mm_random(m);
		ones |= a[i];
		zeros |= ~a[i];
	}
	ASSERT_EQ(ones, UINT64_MAX);
	ASSERT_EQ(zeros, UINT64_MAX);
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			ASSERT_NE(a[i], a[j]);
	for (int i = 0; i < N; i++)
		ASSERT_EQ(mm_random(m2), a[i]); /* the same seed, the same stream */
	ASSERT_NE(mm_random(m3), a[0]);
	mm_machine_destroy(m);
	mm_machine_destroy(m2);
	mm_machine_destroy(m3);
}

/* Not a verify check: host.c's recycling, white-box. A block handed back
 * reads as zeros when asked so, and under ASan a cached
 * block and the tail past the size asked for are poisoned, so a use after
 * free or a small overflow is still a report. */
static void host_recycling(void)
{
	enum { SMALL = 1000, BIG = 2048 };
	unsigned char *a = mm_host_alloc(SMALL, false), *b, *c;
	ASSERT_TRUE(a);
	memset(a, 0x5a, SMALL);
#ifdef MM_HAVE_ASAN
	ASSERT_TRUE(!__asan_address_is_poisoned(a + SMALL - 1));
	ASSERT_TRUE(__asan_address_is_poisoned(a + SMALL + 8)); /* the class is 1 KiB */
#endif
	mm_host_free(a, SMALL);
#ifdef MM_HAVE_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(a));
	ASSERT_TRUE(__asan_address_is_poisoned(a + SMALL - 1));
#endif
	b = mm_host_alloc(BIG, false); /* another class: a stays cached */
	ASSERT_TRUE(b && b != a);
	mm_host_free(b, BIG);
	/* from the 1 KiB ring (a, or an older block), zeroed when asked */
	c = mm_host_alloc(SMALL - 10, true);
	ASSERT_TRUE(c);
	for (int i = 0; i < SMALL - 10; i++)
		ASSERT_EQ(c[i], 0);
#ifdef MM_HAVE_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(c + SMALL - 10 + 8));
#endif
	mm_host_free(c, SMALL - 10);
	/* the order a ring hands blocks back in: without ASan the newest (still
	 * in cache), under ASan the oldest (its delay is ASan's window) */
	a = mm_host_alloc(600, false);
	b = mm_host_alloc(600, false);
	ASSERT_TRUE(a && b && a != b);
	mm_host_free(a, 600);
	mm_host_free(b, 600);
	c = mm_host_alloc(600, false);
#ifndef MM_HAVE_ASAN
	ASSERT_TRUE(c == b);
#else
	ASSERT_TRUE(c != b);
#endif
	mm_host_free(c, 600);
	/* a small machine's memmap (86 KiB): the 128 KiB class, recycled too */
	a = mm_host_alloc(86 * 1024, true);
	ASSERT_TRUE(a);
	ASSERT_EQ(a[86 * 1024 - 1], 0);
#ifdef MM_HAVE_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(a + 86 * 1024 + 8));
#endif
	mm_host_free(a, 86 * 1024);
#ifdef MM_HAVE_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(a));
#endif
	/* grow: the first bytes kept, the old block given back */
	a = mm_host_alloc(40, false);
	ASSERT_TRUE(a);
	memset(a, 0x3c, 40);
	b = mm_host_grow(a, 40, 3000);
	ASSERT_TRUE(b);
	for (int i = 0; i < 40; i++)
		ASSERT_EQ(b[i], 0x3c);
#ifdef MM_HAVE_ASAN
	ASSERT_TRUE(__asan_address_is_poisoned(a));
	ASSERT_TRUE(__asan_address_is_poisoned(b + 3000 + 8));
#endif
	mm_host_free(b, 3000);
	/* sizes outside the classes go straight to the host */
	a = mm_host_alloc((size_t)1 << 20, true);
	ASSERT_TRUE(a);
	ASSERT_EQ(a[(1 << 20) - 1], 0);
	mm_host_free(a, (size_t)1 << 20);
	mm_host_free(NULL, 4096); /* a no-op, as free(NULL) */
}

/* Not a verify check, but reachable only white-box until a stage maps
 * pages: free_pages_check refuses the last-reference free of a block with
 * a tail page that is mapped, owned or a slab page, naming that page; the
 * block stays allocated. The order-2 block at 0x1004 of the banner. */
static void free_pages_check_tail(void)
{
	struct mm_machine *m = setup();
	struct mm_page *tail;
	ASSERT_TRUE(m);
	tail = page(m, 0x1006);
	ASSERT_TRUE(tail);
	tail->mapcount = 0;
	ASSERT_EQ(mm_free_pages(m, 0x1004, 2), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_last_report(m)->addr, 0x1006);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "Bad page state: pfn 0x1006 mapcount 0 mapping 0") ==
		    mm_last_report(m)->msg);
	tail->mapcount = -1;
	tail->mapping = 0x40;
	ASSERT_EQ(mm_free_pages(m, 0x1004, 2), -EINVAL);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "Bad page state: pfn 0x1006 mapcount -1 mapping 0x40") ==
		    mm_last_report(m)->msg);
	tail->mapping = 0;
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_free_pages(m, 0x1004, 2), 0);
	ASSERT_EQ(mm_report_count(m), 2);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* get_page's overflow guard (page_ref_inc's VM_BUG_ON in spirit: a count
 * that would wrap): the allocated order-0 page 0x1008 given refcount
 * INT32_MAX (2^31 - 1 get_page calls would take minutes) is refused,
 * -EINVAL with one page_alloc BAD_PAGE report naming the count, and the
 * count is unchanged; put back to 1, get_page and put_page work again. */
static void get_page_saturated(void)
{
	struct mm_machine *m = setup();
	struct mm_page *p;
	ASSERT_TRUE(m);
	p = page(m, 0x1008);
	ASSERT_TRUE(p);
	ASSERT_EQ(p->refcount, 1);
	p->refcount = INT32_MAX;
	ASSERT_EQ(mm_get_page(m, 0x1008), -EINVAL);
	ASSERT_EQ(p->refcount, INT32_MAX);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_last_report(m)->addr, 0x1008);
	ASSERT_TRUE(strstr(mm_last_report(m)->msg, "pfn 0x1008 count 2147483647") != NULL);
	p->refcount = 1;
	ASSERT_EQ(mm_get_page(m, 0x1008), 0);
	ASSERT_EQ(p->refcount, 2);
	ASSERT_EQ(mm_put_page(m, 0x1008), 0);
	ASSERT_EQ(p->refcount, 1);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	mm_machine_destroy(m);
}

/* mm_memmap_verify's own counts: arrays within their room, the look-up
 * cache naming an array, each array non-empty, the page count their sum.
 * The machine of the banner has one array, [0xf00, 0x1200). */
static void memmap_counts(void)
{
	struct mm_machine *m = setup();
	struct mm_memmap_view v;
	char want[96];
	ASSERT_TRUE(m);
	mm_memmap_view(m, &v);
	ASSERT_EQ(*v.nr_chunks, 1);
	ASSERT_TRUE(v.start0 && *v.start0 == NODE_START && *v.end0 == NODE_END);
	ASSERT_EQ(*v.nr_pages, NODE_END - NODE_START);
#define MM_CORRUPT(lval, val, want)                                                    \
	do {                                                                           \
		const __typeof__(lval) saved_ = (lval);                                \
		(lval) = (val);                                                        \
		expect_caught(m, #lval " = " #val, (want), __LINE__);                  \
		(lval) = saved_;                                                       \
		expect_clean(m, #lval, __LINE__);                                      \
	} while (0)
	snprintf(want, sizeof(want), "memmap: %u arrays, room for %u", *v.cap + 1, *v.cap);
	MM_CORRUPT(*v.nr_chunks, *v.cap + 1, want);
	MM_CORRUPT(*v.last, 1, "memmap: cached array 1 of 1");
	MM_CORRUPT(*v.end0, NODE_START, "memmap array 0: [0xf00, 0xf00)");
	MM_CORRUPT(*v.nr_pages, 0x301, "memmap: 769 pages counted, arrays hold 768");
	MM_CORRUPT(*v.nr_pages, 0x2ff, "memmap: 767 pages counted, arrays hold 768");
#undef MM_CORRUPT
	mm_machine_destroy(m);
}

/* mm_memmap_verify checks every page, not only the edges of an array: a
 * page in the middle that names another pfn is caught before page_alloc's
 * walk reaches it. */
static void memmap_every_page(void)
{
	struct mm_machine *m = setup();
	ASSERT_TRUE(m);
	CORRUPT(m, 0x1080, p->pfn = 0x1081, "memmap array 0: page of pfn 0x1080 names pfn 0x1081");
	CORRUPT(m, 0xf01, p->pfn = 0xf00, "memmap array 0: page of pfn 0xf01 names pfn 0xf00");
	CORRUPT(m, 0x11fe, p->pfn = 0, "memmap array 0: page of pfn 0x11fe names pfn 0");
	mm_machine_destroy(m);
}

/* The core's free mark (what mm_phys_read/write answer USE_AFTER_FREE
 * from) on every page the buddy allocator holds free and on no other: a
 * free head or tail losing it, a per-CPU page losing it, a reserved or
 * allocated page gaining it. */
static void free_mark_wrong(void)
{
	struct mm_machine *m = setup();
	uint8_t byte;
	ASSERT_TRUE(m);
	CORRUPT(m, 0xf08, p->free_mark = 0, "free head pfn 0xf08: free mark 0");
	CORRUPT(m, 0xf0c, p->free_mark = 0, "free block at 0xf08: pfn 0xf0c free mark 0");
	CORRUPT(m, 0x100c, p->free_mark = 0, "per-CPU page pfn 0x100c: free mark 0");
	CORRUPT(m, 0xf80, p->free_mark = 1,
		"node 0 zone 0: 1 pages outside free blocks carry the free mark, 0 are per-CPU");
	CORRUPT(m, 0x1001, p->free_mark = 1,
		"node 0 zone 1: 8 pages outside free blocks carry the free mark, 7 are per-CPU");
	/* and the mark is what phys.c reads */
	ASSERT_EQ(mm_phys_read(m, (uint64_t)0xf0c << 12, &byte, 1), -EFAULT);
	ASSERT_EQ(mm_phys_read(m, (uint64_t)0x100c << 12, &byte, 1), -EFAULT);
	ASSERT_EQ(mm_phys_read(m, (uint64_t)0x1001 << 12, &byte, 1), 0);
	mm_machine_destroy(m);
}

/* A slab page whose page->mapping names another cache (semantics.md §8:
 * every slab page is allocated, PG_slab and its cache's): caught with the
 * exact message, clean again once repaired. */
static void slab_page_wrong_cache(void)
{
	struct mm_machine *m = setup();
	mm_kmem_cache_t va = 0;
	mm_vaddr_t obj;
	struct mm_page *p, saved;
	mm_pfn_t pfn;
	char want[96];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "va", 64, 0, 0, MM_SLAB_CTOR_NONE, &va), 0);
	ASSERT_EQ(mm_kmem_cache_alloc(m, va, 0, &obj), 0);
	ASSERT_EQ(mm_verify(m), 0);
	pfn = MM_PFN_DOWN(MM_VIRT_TO_PHYS(obj));
	p = mm_pfn_to_page(m, pfn);
	ASSERT_TRUE(p);
	saved = *p;
	snprintf(want, sizeof(want), "slab va: pfn %#llx not an allocated slab page of the cache",
		 (unsigned long long)pfn);
	p->mapping = va + 1;
	expect_caught(m, "slab page's mapping another cache's", want, __LINE__);
	*p = saved;
	expect_clean(m, "slab page's mapping", __LINE__);
	mm_machine_destroy(m);
}

/* The zero page's own state (semantics.md §6): reserved or allocated,
 * PG_zero, never anonymous, at least one reference and no mapcount. A
 * mapcount as if it were mapped normally is caught with the exact message;
 * repaired, clean again. (A refcount of 0 on the allocated zero page is
 * caught first by the memmap check, "allocated pfn ... has count 0".) */
static void zero_page_state(void)
{
	struct mm_machine *m = setup();
	mm_pfn_t zero = 0;
	struct mm_page *p, saved;
	char want[96];
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &zero), 0);
	ASSERT_EQ(mm_verify(m), 0);
	p = mm_pfn_to_page(m, zero);
	ASSERT_TRUE(p);
	saved = *p;
	snprintf(want, sizeof(want), "zero page pfn %#llx: freed or mapped as a normal page",
		 (unsigned long long)zero);
	p->mapcount = 0;
	expect_caught(m, "zero page mapcount 0", want, __LINE__);
	*p = saved;
	expect_clean(m, "zero page mapcount", __LINE__);
	mm_machine_destroy(m);
}

/* A slab on a cache's list of every slab must be a descriptor in use that
 * names that cache, by id and by pointer. The banner's machine plus the
 * slab allocator and a cache "va" of 64-byte objects; 2n + 1 allocations
 * (n objects per slab) and a free of the first make three slabs: one
 * partial (the first), one full, one holding a single object (the CPU
 * slab, or on the partial list when the poison profile makes every cache
 * a debug one). In each slab in turn the cache id, the cache pointer and
 * the used flag are corrupted, one at a time: mm_verify must name that
 * slab and the cache whose list holds it, then pass once it is restored. */
static void slab_on_foreign_list(void)
{
	struct mm_machine *m = setup();
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t va = 0, other = 0;
	mm_vaddr_t obj, first = 0;
	struct mm_slab_state *st;
	unsigned walked = 0;

	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "va", 64, 0, 0, MM_SLAB_CTOR_NONE, &va), 0);
	ASSERT_EQ(mm_kmalloc_cache(m, 64, 0, &other), 0);
	ASSERT_NE(other, va);
	ASSERT_EQ(mm_kmem_cache_info(m, va, &ki), 0);
	for (uint32_t i = 0; i < 2 * ki.objects + 1; i++) {
		ASSERT_EQ(mm_kmem_cache_alloc(m, va, 0, &obj), 0);
		if (!i)
			first = obj;
	}
	ASSERT_EQ(mm_kmem_cache_free(m, va, first), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, va, &ki), 0);
	ASSERT_EQ(ki.nr_slabs, 3);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	st = m->slab;
	for (int32_t si = st->cache[va].all_head; si != NO_SLAB; si = st->slabs[si].all_next) {
		struct slab *sl = &st->slabs[si], saved = *sl;
		char want[96];
		snprintf(want, sizeof(want), "slab %d on va's list is not the cache's", si);
		sl->cache = other;
		expect_caught(m, "slab's cache id another cache's", want, __LINE__);
		*sl = saved;
		expect_clean(m, "slab's cache id", __LINE__);
		sl->s = &st->cache[other];
		expect_caught(m, "slab's cache pointer another cache's", want, __LINE__);
		*sl = saved;
		expect_clean(m, "slab's cache pointer", __LINE__);
		sl->used = false;
		expect_caught(m, "slab descriptor not in use", want, __LINE__);
		*sl = saved;
		expect_clean(m, "slab's used flag", __LINE__);
		walked++;
	}
	ASSERT_EQ(walked, 3);
	mm_machine_destroy(m);
}

/* The slab verify's descriptor, partial-list and kmalloc-table checks, one
 * corruption each (exact message, clean after repair): a slab whose base
 * is not its pfn's address, a partial slab that names another node, the
 * first kmalloc size class's cache pointer lost. */
static void slab_descriptor_checks(void)
{
	struct mm_machine *m = setup();
	struct mm_kmem_cache_info ki;
	mm_kmem_cache_t va = 0;
	mm_vaddr_t obj, first = 0;
	struct mm_slab_state *st;
	struct slab *sl, saved;
	struct cache *k0;
	int32_t si;
	char want[112];

	ASSERT_TRUE(m);
	ASSERT_EQ(mm_kmem_cache_init(m), 0);
	ASSERT_EQ(mm_kmem_cache_create(m, "va", 64, 0, 0, MM_SLAB_CTOR_NONE, &va), 0);
	ASSERT_EQ(mm_kmem_cache_info(m, va, &ki), 0);
	for (uint32_t i = 0; i < 2 * ki.objects + 1; i++) {
		ASSERT_EQ(mm_kmem_cache_alloc(m, va, 0, &obj), 0);
		if (!i)
			first = obj;
	}
	ASSERT_EQ(mm_kmem_cache_free(m, va, first), 0); /* its slab goes partial */
	ASSERT_EQ(mm_verify(m), 0);
	st = m->slab;
	si = st->cache[va].partial_head[0];
	ASSERT_TRUE(si != NO_SLAB);
	sl = &st->slabs[si];
	saved = *sl;
	snprintf(want, sizeof(want), "slab va at pfn %#llx: base/objects/order wrong",
		 (unsigned long long)sl->pfn);
	sl->base += 4096;
	expect_caught(m, "slab base not its pfn's address", want, __LINE__);
	*sl = saved;
	expect_clean(m, "slab base", __LINE__);
	snprintf(want, sizeof(want), "cache va: node 0 partial list broken at slab %d", si);
	sl->node = 1;
	expect_caught(m, "partial slab naming another node", want, __LINE__);
	*sl = saved;
	expect_clean(m, "partial slab's node", __LINE__);
	k0 = st->kmalloc_c[0][0];
	st->kmalloc_c[0][0] = NULL;
	expect_caught(m, "kmalloc cache 0 pointer lost", "kmalloc cache 0/0 missing", __LINE__);
	st->kmalloc_c[0][0] = k0;
	expect_clean(m, "kmalloc cache 0 pointer", __LINE__);
	mm_machine_destroy(m);
}

int main(int argc, char **argv)
{
	verbose = argc > 1 && !strcmp(argv[1], "-v");
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		prof = &profiles[i];
		printf("profile %s\n", prof->name);
		RUN(layout);
		RUN(free_head_loses_buddy);
		RUN(free_head_order_changed);
		RUN(free_tail_state);
		RUN(free_tail_elsewhere);
		RUN(free_page_fields);
		RUN(unmerged_buddies);
		RUN(allocated_block_shape);
		RUN(highmem_flag_wrong);
		RUN(page_links_wrong);
		RUN(page_state_exclusive);
		RUN(pcp_page_state);
		RUN(broken_back_links);
		RUN(memmap_edge_pfn);
		RUN(free_mark_wrong);
		RUN(memmap_every_page);
		RUN(memmap_counts);
		RUN(free_pages_check_tail);
		RUN(get_page_saturated);
		RUN(slab_on_foreign_list);
		RUN(zero_page_state);
		RUN(slab_page_wrong_cache);
		RUN(handoff_count_refused);
		RUN(slab_descriptor_checks);
	}
	RUN(e820_checks);
	RUN(early_res_checks);
	RUN(meminfo_checks);
	RUN(memblock_checks);
	RUN(bootmem_checks);
	RUN(state_missing);
	RUN(host_recycling);
	RUN(random_stream);
	RUN(asan_poison_free_frames);
	return check_summary("test_verify");
}
