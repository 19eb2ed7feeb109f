/*
 * mmsim cross-stage internals. Never included by props/, fuzz/ or tests/,
 * with one stated exception: tests/test_verify.c is white-box, it corrupts
 * struct mm_page fields (the memmap section below) to prove that each
 * mm_verify check fires, and says so at its top. tests/layering.sh (ctest
 * unit.layering) enforces both the rule and that it is the only exception,
 * and that the core files (machine.c, phys.c, memmap.c, host.c) call no stage.
 *
 * Three tiers of names, as mimalloc has them: the public API in
 * include/mmsim/ headers; what one stage file offers the others here, under a
 * banner per file; everything else static in its file.
 */
#ifndef MMSIM_INTERNAL_H
#define MMSIM_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmsim/mmsim.h"

#ifndef EUCLEAN
#define EUCLEAN 117
#endif

/* SQLite's ALWAYS/NEVER: conditions believed always true/false, defended all
 * the same; coverage builds make them constants so untakeable branches do not
 * count as gaps. */
#if defined(MMSIM_COVERAGE)
#define ALWAYS(x) (1)
#define NEVER(x) (0)
#else
#define ALWAYS(x) (x)
#define NEVER(x) (x)
#endif

#define MM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MM_MAX(a, b) ((a) > (b) ? (a) : (b))

static inline bool mm_is_pow2(uint64_t x) { return x && !(x & (x - 1)); }
/* Round up/down to a power-of-two alignment; round_up saturates instead of
 * wrapping (the result is then unusable and callers check for it). */
static inline uint64_t mm_round_down(uint64_t x, uint64_t a) { return x & ~(a - 1); }
static inline uint64_t mm_round_up(uint64_t x, uint64_t a)
{
	uint64_t r = (x + a - 1) & ~(a - 1);
	return r < x ? UINT64_MAX & ~(a - 1) : r;
}
/* The pfn of the first page boundary at or above byte x (PFN_UP). */
static inline uint64_t mm_pfn_up(uint64_t x) { return (x >> MM_PAGE_SHIFT) + !!(x & (MM_PAGE_SIZE - 1)); }
/* base + size, saturating at 2^64 - 1 instead of wrapping. */
static inline uint64_t mm_range_end(uint64_t base, uint64_t size)
{
	return base + size < base ? UINT64_MAX : base + size;
}

/* ===================================================================== */
/* "machine.c"                                                            */
/* ===================================================================== */

struct mm_e820_state;
struct mm_early_res_state;
struct mm_meminfo_state;
struct mm_memblock_state;
struct mm_bootmem_state;
struct mm_page_alloc_state;
struct mm_boot_state;
struct mm_fault_state;
struct mm_slab_state;
struct mm_phys_backing;
struct mm_memmap;

/* ASan manual poisoning of host memory (compiled out without ASan): free
 * frames' host pages, the state block's free space and redzones. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MM_HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MM_HAVE_ASAN 1
#endif
#ifdef MM_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define mm_track_noaccess(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define mm_track_access(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define mm_track_noaccess(p, n) ((void)(p), (void)(n))
#define mm_track_access(p, n) ((void)(p), (void)(n))
#endif

/* Loops over a whole memmap array (creation, the hand-off, the verify
 * walks) check the array once and then run without ASan's per-access
 * checks: mm_track_check(p, n) faults, as an instrumented access would,
 * if any byte of [p, p + n) is poisoned (a walk past the array, into a
 * freed one), and MM_ARRAY_WALK on the function drops the shadow check of
 * each field of each page. Inlining needs equal sanitizer attributes, so a
 * helper such a loop inlines carries MM_ARRAY_WALK too. */
#ifdef MM_HAVE_ASAN
#define MM_ARRAY_WALK __attribute__((no_sanitize("address")))
void mm_track_check(const void *p, size_t n);
#else
#define MM_ARRAY_WALK
#define mm_track_check(p, n) ((void)(p), (void)(n))
#endif

/* host.c: host blocks for a machine's state, recycled across machines;
 * mm_host_free takes the size given to mm_host_alloc. mm_host_grow is
 * realloc: the first old_bytes kept, NULL (p kept) when the host has none. */
void *mm_host_alloc(size_t bytes, bool zero);
void mm_host_free(void *p, size_t bytes);
void *mm_host_grow(void *p, size_t old_bytes, size_t bytes);

#define MM_STATE_BLOCK 12288 /* every stage's default state, with redzones */

struct mm_machine {
	struct mm_config cfg;

	/* report sink */
	mm_report_fn report_fn;
	void *report_arg;
	uint64_t report_total;
	uint64_t report_by_kind[MM_REPORT_NR];
	struct mm_report last_report;
	uint64_t op_index;

	/* fault injection: countdown of successes, then failures */
	bool fault_enable;
	uint32_t fault_countdown; /* successes left before failing */
	uint32_t fault_repeat;    /* failures left; 0 = persistent */
	uint64_t fault_hits;

	/* first broken invariant found by mm_verify */
	char verify_msg[256];

	/* the current logical CPU (smp_processor_id()) */
	unsigned cpu;

	/* cfg.profile's page-table geometry, chosen once by the fault stage's
	 * init (the profile never changes; the core calls no stage, so it is
	 * not set here): every table walk asks for it several times */
	const struct mm_pgtable_geometry *pgt_geom;

	/* deterministic random stream (splitmix64) */
	uint64_t rng_state;

	struct mm_phys_backing *phys;
	struct mm_memmap *memmap;

	/* one state per stage, owned by the stage file */
	struct mm_e820_state *e820;
	struct mm_early_res_state *early_res;
	struct mm_meminfo_state *meminfo;
	struct mm_memblock_state *memblock;
	struct mm_bootmem_state *bootmem;
	struct mm_page_alloc_state *page_alloc;
	struct mm_boot_state *boot;
	struct mm_fault_state *fault;
	struct mm_slab_state *slab;

	/* the stages' fixed states, carved by mm_state_zalloc */
	size_t state_used;
	_Alignas(16) unsigned char state_block[MM_STATE_BLOCK];
};

/* A zeroed stage state from the machine's own block: one host allocation
 * per machine instead of one per stage (a fuzzer makes a machine per
 * input). A request the block cannot hold comes from calloc. Under ASan the
 * block's free space and a redzone after each state stay poisoned, so a
 * state overrun is caught as with separate allocations. mm_state_free
 * releases what calloc gave and nothing else. */
void *mm_state_zalloc(struct mm_machine *m, size_t size);
void mm_state_free(struct mm_machine *m, void *p);

/* Record a report (kind, address, kernel-worded message) and call the sink. */
void mm_report(struct mm_machine *m, enum mm_stage stage, enum mm_report_kind kind,
	       uint64_t addr, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The configuration switches some stage implements: mm_machine_create
 * refuses any other (a switch accepted and ignored would promise a model
 * or a check that does not run). A stage that implements a bit adds it
 * here, one line each, naming where. */
#define MM_FEAT_IMPLEMENTED                                                            \
	(0u | MM_FEAT_E820_REMOVE_SPLIT   /* e820.c: mm_e820_range_remove */           \
	 | MM_FEAT_MEMBLOCK_EMPTY_CNT0    /* memblock.c: mb_set_empty */               \
	 | MM_FEAT_WATERMARK_MODERN       /* page_alloc.c: the watermark check */      \
	 | MM_FEAT_HIGHMEM_MEMBLOCK       /* boot.c: mm_free_highpages */              \
	 | MM_FEAT_ZERO_PAGE              /* fault.c: do_anonymous_page */             \
	 | MM_FEAT_REUSE_REFCOUNT         /* fault.c: do_wp_page's reuse rule */       \
	 | MM_FEAT_FREELIST_SWAB          /* slab.c: the freelist pointer encoding */  \
	)
#define MM_HARDEN_IMPLEMENTED                                                          \
	(0u | MM_HARDEN_POISON            /* page_alloc.c, slab.c: poisoning */        \
	 | MM_HARDEN_SHUFFLE              /* page_alloc.c, slab.c: free-list shuffle */ \
	 | MM_HARDEN_ASAN_POISON          /* phys.c: ASan poisoning of free frames */  \
	 | MM_HARDEN_FREELIST             /* slab.c: freelist pointer obfuscation */   \
	 | MM_HARDEN_REDZONE              /* slab.c: red zones on every cache */       \
	 | MM_HARDEN_ZERO_PAGE_WP         /* phys.c: writes to the zero page refused */ \
	)


/* Fault injection point: every allocation site calls this once per attempt;
 * true means "fail this one". */
bool mm_should_fail(struct mm_machine *m);

/* Deterministic 64-bit random from the machine seed. */
uint64_t mm_random(struct mm_machine *m);

/* mm_verify's reporting: record the first failure and return -EUCLEAN. */
int mm_verify_fail(struct mm_machine *m, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define MM_VERIFY(m, cond, ...)                                                        \
	do {                                                                           \
		if (!(cond))                                                           \
			return mm_verify_fail((m), __FILE__, __LINE__, __VA_ARGS__);   \
	} while (0)

/* Library-internal impossible state: print "file.c:LINE: ASSERTION FAILED: x"
 * and abort. Used only where continuing would be undefined behaviour. */
_Noreturn void mm_assert_fail(const char *file, int line, const char *expr);
#define MM_BUG_ON(cond)                                                                \
	do {                                                                           \
		if (cond)                                                              \
			mm_assert_fail(__FILE__, __LINE__, #cond);                     \
	} while (0)

/* Profile geometry. */
uint64_t mm_profile_max_pfn(const struct mm_machine *m); /* 2^20 or 2^24 */
uint64_t mm_lowmem_limit(const struct mm_machine *m);    /* bytes, cfg or 896 MiB */
uint32_t mm_max_order(const struct mm_machine *m);       /* cfg or 11 */

/* ===================================================================== */
/* "phys.c": lazily backed simulated physical memory                      */
/* ===================================================================== */

int mm_phys_init(struct mm_machine *m);
void mm_phys_destroy(struct mm_machine *m);
/* Host bytes backing one frame; NULL if never written (reads as zeros).
 * create=true allocates it (NULL on the backing cap or host OOM). */
uint8_t *mm_phys_frame(struct mm_machine *m, mm_pfn_t pfn, bool create);
/* The frame of pfn, backed if needed, holding a copy of the 4 KiB at src
 * (a new backing is not zeroed first); NULL as mm_phys_frame's create. */
uint8_t *mm_phys_frame_copy(struct mm_machine *m, mm_pfn_t pfn, const uint8_t *src);
/* The frame of a page-table page, backed (zeroed) if needed for an entry
 * write: not held to the backing cap (an entry write must not fail; table
 * pages are bounded by the simulated RAM), NULL only on host OOM. */
uint8_t *mm_phys_table_frame(struct mm_machine *m, mm_pfn_t pfn);
/* Make frames read as zeros again (drops their backing: O(backed frames)). */
void mm_phys_zero(struct mm_machine *m, mm_phys_addr_t addr, uint64_t len);
/* ASan view of free simulated frames (compiled out without ASan, and off
 * unless MM_HARDEN_ASAN_POISON). */
void mm_phys_poison_frames(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr);
void mm_phys_unpoison_frames(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr);
/* Is this frame free in the page allocator (so API access is a UAF)? Its
 * struct page's free_mark; false for a frame without one. */
bool mm_phys_frame_is_free(struct mm_machine *m, mm_pfn_t pfn);

/* ===================================================================== */
/* "memmap.c": the page-frame database (struct page per frame)            */
/* ===================================================================== */

/* Page flags, as the kernel names them. */
enum {
	MM_PG_RESERVED = 1u << 0,
	MM_PG_BUDDY = 1u << 1,
	MM_PG_SLAB = 1u << 2,
	MM_PG_HEAD = 1u << 3,   /* head of a compound/high-order allocation */
	MM_PG_TAIL = 1u << 4,
	MM_PG_HIGHMEM = 1u << 5,
	MM_PG_ANON = 1u << 6,
	MM_PG_ZERO = 1u << 7,   /* the shared zero page */
	MM_PG_POISONED = 1u << 8, /* contents poisoned on free (page poisoning) */
	MM_PG_ALLOCATED = 1u << 9, /* handed out by the buddy allocator */
	MM_PG_PCP = 1u << 10,      /* free on a per-CPU list (not PageBuddy) */
};

#define MM_PFN_NONE UINT64_MAX

struct mm_page {
	mm_pfn_t pfn;
	uint32_t flags;
	int32_t refcount;
	int32_t mapcount;   /* -1 when not mapped, as page->_mapcount */
	uint32_t private;   /* buddy order while PageBuddy; alloc order while allocated */
	uint8_t zone;       /* zone index in its node */
	uint8_t nid;
	uint8_t free_mark;  /* 1 while the buddy allocator holds the frame free */
	uint8_t pad;
	struct mm_page *lru_next, *lru_prev; /* free list or slab list links */
	uint64_t mapping;   /* owner: slab cache id, anon mapping, ... */
	/* 56 bytes: a 16 GiB machine's memmap is 4M of these, and the hand-off
	 * touches each one, so every field must earn its place (the kernel
	 * squeezes struct page into 64 bytes for the same reason). */
};

/* free_mark: the frame is free in the buddy allocator (any page of a free
 * block, or a page on a per-CPU list). The core keeps the mark so that
 * phys.c refuses API access to a free frame (USE_AFTER_FREE) from its own
 * state, without asking a stage: the buddy allocator marks every page it
 * frees and unmarks every page it hands out, through these two, in the
 * loops that already touch each page (mm_page_alloc_verify checks the mark
 * against the free lists). */
static inline void mm_page_mark_free(struct mm_page *p) { p->free_mark = 1; }
static inline void mm_page_mark_used(struct mm_page *p) { p->free_mark = 0; }

/* p, known to the compiler as aligned for struct mm_page (as every page
 * of a memmap array is): the sanitizer builds then fold away the per-access
 * alignment checks (each a compare the fuzzers' coverage instrumentation
 * would hook) in the loops that touch every page. */
#define MM_PAGE_ALIGNED(p)                                                             \
	((struct mm_page *)__builtin_assume_aligned((p), _Alignof(struct mm_page)))
/* The loops that touch every page step a pointer to a pointer bound, not
 * an index to a count: -fsanitize-coverage=trace-cmp hooks integer
 * compares only, so a pointer bound costs the fuzzers no hook call per
 * page, while the loop's edges stay instrumented. */

int mm_memmap_init(struct mm_machine *m);
void mm_memmap_destroy(struct mm_machine *m);
/* Create struct pages for [start_pfn, end_pfn) (one host array per range
 * registered): each new page is zeroed, pfn set, PG_RESERVED, refcount 1,
 * mapcount -1, and linked to node nid and its zone (set_page_links): zone 0
 * below zone_start[0], 1 below zone_start[1], 2 above (zone_start[0] <=
 * zone_start[1]). Pages that already exist are left alone. -ENOSPC past
 * 256 separate ranges. */
int mm_memmap_add_range(struct mm_machine *m, mm_pfn_t start_pfn, mm_pfn_t end_pfn, int nid,
			const mm_pfn_t zone_start[2]);
/* The page-frame database's own invariants: host arrays sorted, disjoint,
 * non-empty, their page counts summing to nr_pages, every page naming its
 * pfn, the look-up cache in range. */
int mm_memmap_verify(struct mm_machine *m);
/* White-box views of the stages' private tables, for tests/test_verify.c
 * only: it corrupts one field through them to prove that each mm_verify
 * check fires. Every pointer aims into the live state; entries is NULL
 * before the stage has a table. No library code calls these. */
struct mm_table_view {
	uint32_t *nr, *max;
	void *entries;      /* struct mm_e820_entry, mm_early_res or mm_membank */
	uint32_t *fw_nr;    /* e820: the firmware copy's count */
	bool *flag;         /* e820: sanitized; meminfo: checked */
};
void mm_e820_view(struct mm_machine *m, struct mm_table_view *v);
void mm_early_res_view(struct mm_machine *m, struct mm_table_view *v);
void mm_meminfo_view(struct mm_machine *m, struct mm_table_view *v);
/* bootmem: the node count, the hand-off state and node i's (address
 * order) fields; false if there is no node i. */
struct mm_bootmem_view {
	uint32_t *nr;
	int *handoff;
	int *nid;
	mm_pfn_t *min_pfn, *low_pfn;
	uint64_t *map_bytes;
	uint32_t **map; /* NULL after the hand-off */
	uint64_t *hint_idx, *last_end_off;
};
bool mm_bootmem_view(struct mm_machine *m, uint32_t i, struct mm_bootmem_view *v);
/* memmap: its counts and array 0's span (NULL spans without an array). */
struct mm_memmap_view {
	uint32_t *nr_chunks, *cap, *last;
	uint64_t *nr_pages;
	mm_pfn_t *start0, *end0;
};
void mm_memmap_view(struct mm_machine *m, struct mm_memmap_view *v);
/* pfn_to_page / pfn_valid: NULL for a pfn without a struct page (a hole). */
struct mm_page *mm_pfn_to_page(struct mm_machine *m, mm_pfn_t pfn);
static inline bool mm_pfn_valid(struct mm_machine *m, mm_pfn_t pfn) { return mm_pfn_to_page(m, pfn) != NULL; }
/* Do the nr struct pages from pfn exist and lie in one host array (so
 * page + i is the page of pfn + i)? */
bool mm_memmap_contig(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr);
/* Walk helper for [pfn, end) (pfn < end): the page of pfn, with *run_end the
 * end of the host array holding it (clipped to end), so the pages of
 * [pfn, *run_end) are page + 0, 1, ...; or NULL for a hole, with *run_end
 * where the hole ends (clipped to end). Walks cost a look-up per range,
 * not per pfn. */
struct mm_page *mm_memmap_run(struct mm_machine *m, mm_pfn_t pfn, mm_pfn_t end,
			      mm_pfn_t *run_end);

/* ===================================================================== */
/* Stage life cycle: each stage file provides init (allocate its state),  */
/* destroy (free it, NULL-safe) and verify (its invariants).              */
/* ===================================================================== */

#define MM_STAGE_DECLARE(stage)                                                        \
	int mm_##stage##_init(struct mm_machine *m);                                   \
	void mm_##stage##_destroy(struct mm_machine *m);                               \
	int mm_##stage##_verify(struct mm_machine *m);

MM_STAGE_DECLARE(e820)
MM_STAGE_DECLARE(early_res)
MM_STAGE_DECLARE(meminfo)
MM_STAGE_DECLARE(memblock)
MM_STAGE_DECLARE(bootmem)
MM_STAGE_DECLARE(page_alloc)
MM_STAGE_DECLARE(boot)
MM_STAGE_DECLARE(slab)
/* fault.c's life cycle is mm_fault_state_*: mm_fault_init is its public
 * set-up call (the zero page and the fault subsystem, after the hand-off). */
MM_STAGE_DECLARE(fault_state)

/* ===================================================================== */
/* "e820.c"                                                               */
/* ===================================================================== */

/* ===================================================================== */
/* "early_res.c"                                                          */
/* ===================================================================== */

/* ===================================================================== */
/* "memblock.c"                                                           */
/* ===================================================================== */

/* A step over one free range [s, e) of pfns; false stops the walk. */
typedef bool (*mm_memblock_range_fn)(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e, void *arg);
/* for_each_free_mem_range as the hand-offs use it: memory (NOMAP regions
 * left out) minus reserved, each free range trimmed inward to whole pages
 * and clipped to [lo, hi), in address order, to fn. False when fn stopped
 * the walk; true (no call) while memblock has no state. */
bool mm_memblock_free_ranges(struct mm_machine *m, mm_pfn_t lo, mm_pfn_t hi,
			     mm_memblock_range_fn fn, void *arg);

/* ===================================================================== */
/* "bootmem.c"                                                            */
/* ===================================================================== */

/* Refuse a bootmem call after a hand-off (free_all_bootmem or
 * memblock_free_all): an AFTER_HANDOFF report naming fn; true if refused. */
bool mm_bootmem_refuse_after(struct mm_machine *m, const char *fn);
/* memblock_free_all happened: the bitmaps go and bootmem refuses every
 * later call, as after free_all_bootmem. */
void mm_bootmem_retire(struct mm_machine *m);
/* Bootmem node i (0 <= i < mm_bootmem_nr_nodes, address order): its nid and
 * span [*min_pfn, *low_pfn); false past the last node. */
bool mm_bootmem_node_span(const struct mm_machine *m, uint32_t i, int *nid, mm_pfn_t *min_pfn,
			  mm_pfn_t *low_pfn);

/* ===================================================================== */
/* "page_alloc.c", "mm_init.c", "vmstat.c": the buddy allocator           */
/* ===================================================================== */

/* Zones, free areas and per-CPU lists, as include/linux/mmzone.h has them:
 * page_alloc.c runs the allocator on them, mm_init.c sets them up and hands
 * boot memory over, vmstat.c reads them (views and mm_page_alloc_verify). */

#define MM_PA_ORDER_LIMIT 20 /* free_area slots: config_check caps max_order at 20 */

enum { MM_WMARK_MIN = 0, MM_WMARK_LOW = 1, MM_WMARK_HIGH = 2 };

struct mm_free_area {
	struct mm_page *head, *tail; /* doubly linked through lru_next/lru_prev */
	uint64_t nr_free;
};

/* per_cpu_pages: one list linked like the free lists (list.nr_free is the
 * kernel's count), hot pages at the head. */
struct mm_per_cpu_pages {
	struct mm_free_area list;
	uint32_t high, batch;
};

struct mm_zone {
	struct mm_per_cpu_pages pcp[MM_MAX_CPUS];
	mm_pfn_t start_pfn, end_pfn; /* span, clipped to the node */
	uint64_t present;            /* pages of the span with a struct page */
	uint64_t managed;            /* pages handed over by the boot allocator */
	uint64_t free;               /* sum of nr_free << order */
	uint64_t wmark[3];
	uint64_t lowmem_reserve[MM_NR_ZONES];
	struct mm_free_area area[MM_PA_ORDER_LIMIT];
};

/* A zonelist as build_all_zonelists leaves it: node * MM_NR_ZONES + zone. */
struct mm_zonelist {
	uint8_t nr;
	uint8_t ref[MM_MAX_NODES * MM_NR_ZONES];
};

struct mm_pgdat {
	bool online;
	mm_pfn_t start_pfn, end_pfn;
	struct mm_zone zones[MM_NR_ZONES];
	/* [highest zone][__GFP_THISNODE], built once the zones are sized */
	struct mm_zonelist zonelists[MM_NR_ZONES][2];
};

struct mm_page_alloc_state {
	uint32_t max_order;  /* MAX_ORDER, exclusive */
	bool zones_ready;    /* mm_free_area_init done */
	int cpu_nid;         /* once zones_ready: the first online node, the "current CPU"'s */
	bool pcp_ready;      /* mm_setup_per_cpu_pageset done */
	uint64_t min_free_kbytes;
	mm_pfn_t dma_end, low_pfn;
	/* MM_MAX_NODES pgdats, allocated by the first node registration: a
	 * machine that never reaches the buddy stage (the firmware-map and
	 * memblock harnesses create one per input) does not pay for them.
	 * Until then it points at mm_init.c's no_nodes, all offline, read-only. */
	struct mm_pgdat *node;
};

/* page_zone: the zone a memmap page belongs to (only valid once zones exist). */
static inline struct mm_zone *mm_page_zone(struct mm_page_alloc_state *st, const struct mm_page *p)
{
	return &st->node[p->nid].zones[p->zone];
}

/* nr_cpu_ids: the CPUs the machine has (cfg.nr_cpus, 0 meaning 1). */
static inline unsigned mm_nr_cpu_ids(const struct mm_machine *m)
{
	return m->cfg.nr_cpus ? m->cfg.nr_cpus : 1;
}

/* The head of the free buddy block that covers pfn, or NULL: O(MAX_ORDER)
 * memmap look-ups (inline: the range views call it per page). */
static inline struct mm_page *mm_free_block_head(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_page_alloc_state *st = m->page_alloc;
	for (unsigned o = 0; o < st->max_order; o++) {
		mm_pfn_t head = pfn & ~(((mm_pfn_t)1 << o) - 1);
		struct mm_page *p = mm_pfn_to_page(m, head);
		if (p && (p->flags & MM_PG_BUDDY) && pfn - head < ((mm_pfn_t)1 << p->private))
			return p;
	}
	return NULL;
}

/* ---- page_alloc.c ---- */

/* Report (BUG) a call made before free_area_init; true when the zones are
 * missing. fn is the kernel's name of the caller. */
bool mm_page_alloc_zones_missing(struct mm_machine *m, const char *fn);
/* __free_one_page: merge pfn's block of order upward and insert the result
 * on z's free list (z->free counts it). */
void mm_free_one_page(struct mm_machine *m, struct mm_zone *z, mm_pfn_t pfn, unsigned order);
/* Mark the 2^order pages from pfn free (flags, references, poisoning, ASan)
 * and give them to mm_free_one_page, or an order-0 page to the current
 * CPU's list when via_pcp and the per-CPU lists exist. */
void mm_free_block(struct mm_machine *m, mm_pfn_t pfn, unsigned order, bool via_pcp);
/* build_all_zonelists: every node's lists, in node order, populated zones
 * only (the zones' present pages are fixed once free_area_init is done). */
void mm_build_all_zonelists(struct mm_page_alloc_state *st);

/* ---- mm_init.c: the hand-off, for the boot allocators ---- */

/* May [pfn, pfn + nr) go to the buddy allocator in one piece: every page
 * exists, is PageReserved and neither free nor allocated, and lies in one
 * zone (the first page's) of one node, after free_area_init. Read-only;
 * one memmap look-up per host array. */
bool mm_page_alloc_handoff_ok(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr);
/* The hand-off of every page of [start, end) (free_all_bootmem's clear
 * bits, memblock_free_all's free ranges): apply=false checks that each page
 * may go (mm_page_alloc_handoff_ok's conditions per page, plus one
 * reference and unmapped, as mm_free_pages_bootmem wants) and returns false
 * if one cannot; apply=true releases a range that passed that check (the
 * callers check every range before releasing any) as maximal naturally
 * aligned blocks of at most order max_order (MAX_ORDER-1 at most), each
 * inside one zone, lowest first, adding the count to *count (max_order 0:
 * page by page in pfn order, as 2.6.29 frees the pages of a partial bitmap
 * word). skip_holes: pfns without a struct page are passed over instead of
 * failing. */
bool mm_page_alloc_handoff_range(struct mm_machine *m, mm_pfn_t start, mm_pfn_t end,
				 unsigned max_order, bool skip_holes, bool apply, uint64_t *count);
/* The highmem hand-off of [start, end), page by page in pfn order as
 * add_one_highpage_init does: each page of a HIGHMEM zone that
 * mm_page_alloc_handoff_ok accepts goes through mm_free_pages_bootmem(pfn,
 * 0) (a refusal there is reported and the page skipped). Returns the pages
 * released. */
uint64_t mm_page_alloc_free_highmem(struct mm_machine *m, mm_pfn_t start, mm_pfn_t end);
/* put_page on a page already looked up (p is pfn's struct page): for a
 * caller that holds it, so the fault path looks each page up once. */
int mm_put_page_of(struct mm_machine *m, struct mm_page *p, mm_pfn_t pfn);
/* One page as mm_alloc_pages(m, gfp, 0, ...) allocates it, returned with
 * its struct page; NULL where mm_alloc_pages fails (m non-NULL). */
struct mm_page *mm_alloc_page(struct mm_machine *m, uint32_t gfp);

/* ===================================================================== */
/* "pgtable.c": page tables as bytes in simulated physical memory         */
/* ===================================================================== */

/* Internal-only leaf flag: an entry no profile encoding produces. */
#define MM_PTE_BAD (1u << 31)

/* The geometry of a profile (an unknown one gets x86_32's). */
const struct mm_pgtable_geometry *mm_pgt_geom_of_profile(uint32_t profile);
static inline const struct mm_pgtable_geometry *mm_pgt_geom(const struct mm_machine *m)
{
	/* set by the fault stage's init: every caller runs after
	 * mm_machine_create has run all stage inits, and none of those asks */
	return m->pgt_geom;
}
/* A zeroed table page of 2^order pages from the allocator of the moment
 * (one fault-injection point). -ENOMEM on failure. Its frames are backed on
 * the first entry written (mm_phys_table_frame): an unbacked frame is a
 * page of empty entries that scans skip at once. */
int mm_pgt_alloc_page(struct mm_machine *m, unsigned order, mm_pfn_t *pfn);
void mm_pgt_free_page(struct mm_machine *m, mm_pfn_t pfn, unsigned order);
/* pgd_alloc (PAE: with its three user PMDs, all or none) / pgd_free (with
 * them; the PTE tables must be gone already). */
int mm_pgd_alloc(struct mm_machine *m, mm_pfn_t *pgd);
void mm_pgd_free(struct mm_machine *m, mm_pfn_t pgd);
/* Physical address of the entry pointing to va's PTE table. -EFAULT with a
 * CORRUPTION report if an upper-level (PAE PDPT) entry is bad. */
int mm_pmd_offset(struct mm_machine *m, mm_pfn_t pgd, uint64_t va, mm_phys_addr_t *pmdp);
/* 1: *table is the PTE table; 0: none; -1: a bad entry (pmd_bad). */
int mm_pmd_table(struct mm_machine *m, mm_phys_addr_t pmdp, mm_pfn_t *table);
/* pte_offset_map, for the walk every user access makes: mm_pmd_offset,
 * mm_pmd_table and mm_pte_addr in one call, with the PTE table's host
 * frame. 1: found (ptep, the frame, NULL while the table was never
 * written, and va's index in it); 0: no PTE table; -1: a bad PMD entry;
 * -EFAULT: a bad PDPT entry (reported). pmdp is set unless -EFAULT. */
struct mm_pte_loc {
	mm_phys_addr_t pmdp, ptep;
	uint8_t *frame;
	unsigned idx;
};
int mm_pte_offset_map(struct mm_machine *m, mm_pfn_t pgd, uint64_t va, struct mm_pte_loc *loc);
/* __pte_alloc: a new zeroed PTE table installed at pmdp. */
int mm_pte_alloc(struct mm_machine *m, mm_phys_addr_t pmdp, mm_pfn_t *table);
/* free_pte_range: clear pmdp and free its (empty) table. */
void mm_pte_free(struct mm_machine *m, mm_phys_addr_t pmdp, mm_pfn_t table);
mm_phys_addr_t mm_pte_addr(const struct mm_machine *m, mm_pfn_t table, uint64_t va);
/* Leaf entries: flags MM_PTE_* (0 = empty entry, MM_PTE_BAD for bits no
 * encoding produces) and the pfn. */
uint32_t mm_pte_decode(const struct mm_machine *m, uint64_t raw, mm_pfn_t *pfn);
uint64_t mm_pte_encode(const struct mm_machine *m, mm_pfn_t pfn, uint32_t flags);
uint32_t mm_pte_get(struct mm_machine *m, mm_phys_addr_t ptep, mm_pfn_t *pfn);
void mm_pte_set(struct mm_machine *m, mm_phys_addr_t ptep, mm_pfn_t pfn, uint32_t flags);
uint64_t mm_pgt_read_raw(struct mm_machine *m, mm_phys_addr_t a);
/* Entry idx of a table page already looked up (NULL frame: all zeros). */
uint64_t mm_pgt_entry_at(const struct mm_machine *m, const uint8_t *frame, unsigned idx);
/* The first index in [i, end) of a table page whose entry (esz = 4 or 8
 * bytes) is not all zeros, or end: up to 256 bytes compared at a time,
 * since most entries of a sparse table are empty. end <= entries per page.
 * It reads without ASan's per-load checks (a user pgd is 3 to 12 KiB,
 * scanned by every check): frame must come from mm_pgt_scan_frame, which
 * checks the whole page once, and stay the scanned table's frame. */
uint8_t *mm_pgt_scan_frame(struct mm_machine *m, mm_pfn_t pfn);
unsigned mm_pgt_next_used(const uint8_t *frame, unsigned esz, unsigned i, unsigned end);
/* Every non-empty entry pointing to a PTE table in user space, in address
 * order, with one frame look-up per table page: fn(m, arg, va of the span,
 * the entry's address, 1 and the table's pfn, or -1 for a bad entry (PAE: a
 * bad PDPT entry, reported once for its 1 GiB)). A non-zero fn return stops
 * the scan and is returned. fn may clear the entry it is given. */
typedef int (*mm_pgt_table_fn)(struct mm_machine *m, void *arg, uint64_t va, mm_phys_addr_t pmdp,
			       int state, mm_pfn_t table);
int mm_pgt_for_each_table(struct mm_machine *m, mm_pfn_t pgd, mm_pgt_table_fn fn, void *arg);
/* The same for the spans meeting user addresses [s, e) only (PAE: a bad
 * PDPT entry is passed with the start of its GiB). */
int mm_pgt_for_each_table_in(struct mm_machine *m, mm_pfn_t pgd, uint64_t s, uint64_t e,
			      mm_pgt_table_fn fn, void *arg);
/* Write entry idx of a table page already looked up (backed). */
void mm_pgt_entry_set(const struct mm_machine *m, uint8_t *frame, unsigned idx, uint64_t v);
void mm_pgt_write_raw(struct mm_machine *m, mm_phys_addr_t a, uint64_t v);

/* ===================================================================== */
/* "fault.c": processes, VMAs, the anonymous fault path                   */
/* ===================================================================== */

/* paging_init's zero page (the image's empty_zero_page) for mm_fault_init
 * to adopt, and the kernel page table new pgds share. */
void mm_fault_set_boot_zero_page(struct mm_machine *m, mm_pfn_t pfn);
void mm_pgt_set_swapper(struct mm_machine *m, mm_pfn_t swapper);
bool mm_pgt_swapper(const struct mm_machine *m, mm_pfn_t *swapper);
/* Is pfn the zero page (false before mm_fault_init)? */
bool mm_fault_is_zero_pfn(const struct mm_machine *m, mm_pfn_t pfn);

/* "slab.c": SLUB and kmalloc. Slab pages carry MM_PG_SLAB and their     */
/* cache id in page->mapping (every page of the slab); a large kmalloc's */
/* head page carries a private mapping mark. No cross-stage entry yet.   */
/* ===================================================================== */

#endif
