/*
 * mmsim cross-stage internals. Never included by props/, fuzz/ or tests/.
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

/* ===================================================================== */
/* "machine.c"                                                            */
/* ===================================================================== */

struct mm_e820_state;
struct mm_early_res_state;
struct mm_meminfo_state;
struct mm_memblock_state;
struct mm_bootmem_state;
struct mm_page_alloc_state;
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
	 | MM_FEAT_HIGHMEM_MEMBLOCK       /* bootmem.c: mm_free_highpages */           \
	)
#define MM_HARDEN_IMPLEMENTED                                                          \
	(0u | MM_HARDEN_POISON            /* page_alloc.c: page poisoning */           \
	 | MM_HARDEN_SHUFFLE              /* page_alloc.c: free-list shuffle */        \
	 | MM_HARDEN_ASAN_POISON          /* phys.c: ASan poisoning of free frames */  \
	)

/* Is the machine's profile one `stage` cannot run? Then report
 * INVALID_ARG ("fn: not supported on the ARM profile") and return true:
 * the stage's entry points refuse with -EINVAL. */
bool mm_profile_refused(struct mm_machine *m, enum mm_stage stage, const char *fn);

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
/* Make frames read as zeros again (drops their backing: O(backed frames)). */
void mm_phys_zero(struct mm_machine *m, mm_phys_addr_t addr, uint64_t len);
/* ASan view of free simulated frames (compiled out without ASan, and off
 * unless MM_HARDEN_ASAN_POISON). */
void mm_phys_poison_frames(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr);
void mm_phys_unpoison_frames(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr);
/* Is this frame free in the page allocator (so API access is a UAF)? */
bool mm_phys_frame_is_free(struct mm_machine *m, mm_pfn_t pfn);
/* Provided by page_alloc.c: pfn lies inside a free buddy block. */
bool mm_page_alloc_pfn_is_free(struct mm_machine *m, mm_pfn_t pfn);

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
	uint16_t pad;
	struct mm_page *lru_next, *lru_prev; /* free list or slab list links */
	uint64_t mapping;   /* owner: slab cache id, anon mapping, ... */
	/* 56 bytes: a 16 GiB machine's memmap is 4M of these, and the hand-off
	 * touches each one, so every field must earn its place (the kernel
	 * squeezes struct page into 64 bytes for the same reason). */
};

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

/* ===================================================================== */
/* "e820.c"                                                               */
/* ===================================================================== */

/* ===================================================================== */
/* "early_res.c"                                                          */
/* ===================================================================== */

/* ===================================================================== */
/* "memblock.c"                                                           */
/* ===================================================================== */

/* ===================================================================== */
/* "bootmem.c"                                                            */
/* ===================================================================== */

/* ===================================================================== */
/* "page_alloc.c"                                                         */
/* ===================================================================== */

/* Is pfn inside a free buddy block (so an API access to it is a UAF)?
 * False for holes, reserved and allocated pages, and before the zones exist.
 * O(MAX_ORDER) memmap look-ups. */
bool mm_page_alloc_pfn_is_free(struct mm_machine *m, mm_pfn_t pfn);
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

#endif
