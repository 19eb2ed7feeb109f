/*
 * Oracle for the buddy allocator: a per-pfn state array and nothing else.
 * No free lists: with complete merging the buddy state is canonical (every
 * free block is a maximal naturally aligned run of free pages of one zone,
 * at most MAX_ORDER-1), so nr_free per order is derived from the free pfn
 * set, and "the zone has a block of order >= k" is "the zone has a free,
 * aligned, same-zone run of 2^k pages". A block's status is decided from a
 * Fenwick tree of free pages and the static runs of same-zone pages. Written from semantics.md §5 and
 * page_alloc.h; calls no library code. A refusal is predicted as -EINVAL with
 * its report (public stage and kind) counted into a struct props_expect.
 */
#ifndef MMSIM_PROPS_ORACLE_PAGE_ALLOC_H
#define MMSIM_PROPS_ORACLE_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"

#define OPAGE_ALLOC_NODES 8
#define OPAGE_ALLOC_ZONES 3
#define OPAGE_ALLOC_NONE 0xff

enum opage_alloc_state { OPAGE_ALLOC_ABSENT = 0, OPAGE_ALLOC_RESERVED, OPAGE_ALLOC_FREE, OPAGE_ALLOC_HEAD, OPAGE_ALLOC_TAIL, OPAGE_ALLOC_PCP };
#define OPAGE_ALLOC_CPUS 8

/* GFP bits as page_alloc.h documents them. */
enum {
	OPAGE_ALLOC_GFP_DMA = 0x01u, OPAGE_ALLOC_GFP_HIGHMEM = 0x02u, OPAGE_ALLOC_GFP_HIGH = 0x20u, OPAGE_ALLOC_GFP_COLD = 0x100u,
	OPAGE_ALLOC_GFP_ZERO = 0x8000u,
	OPAGE_ALLOC_GFP_THISNODE = 0x40000u, OPAGE_ALLOC_GFP_HARDER = 0x80000u,
};


struct opage_alloc_page {
	uint8_t state;     /* enum opage_alloc_state */
	uint8_t zid;       /* node * 3 + zone, OPAGE_ALLOC_NONE when absent */
	uint8_t order;     /* allocation order of a head */
	uint8_t scribbled; /* a stray write since the page became free */
	int32_t ref;
};

struct opage_alloc_zone {
	uint64_t start, end; /* span */
	uint64_t present, managed, free;
	uint64_t wmin, wlow, whigh, reserve[OPAGE_ALLOC_ZONES];
	int64_t nr_free[32];
};

/* One CPU's list of a zone: pfn[0] is the head (hot end). */
struct opage_alloc_pcp {
	uint64_t *pfn;
	uint32_t count, cap, high, batch;
};

struct opage_alloc {
	uint32_t max_order;
	uint64_t dma_end, low_pfn;
	bool modern_wmark, poison;
	bool bulk; /* inside opage_alloc_handoff_begin/end: states only, counts rebuilt at the end */
	bool online[OPAGE_ALLOC_NODES];
	uint64_t nstart[OPAGE_ALLOC_NODES], nend[OPAGE_ALLOC_NODES];
	uint64_t base, npfn; /* universe [base, npfn) */
	struct opage_alloc_page *pg;
	struct opage_alloc_zone zone[OPAGE_ALLOC_NODES][OPAGE_ALLOC_ZONES];
	int32_t *bit;       /* Fenwick tree of free pages */
	uint64_t *runstart; /* start of the run of same-zone present pages holding pfn */
	/* fault injection, as machine.h documents it */
	bool fault_enable;
	uint32_t fault_countdown, fault_repeat;
	uint64_t min_free_kbytes;
	/* per-CPU lists: off (pages pass straight through) until set up */
	bool pcp_ready;
	uint32_t nr_cpus, cpu;
	uint32_t drains; /* allocations that drained the lists before retrying */
	struct opage_alloc_pcp pcp[OPAGE_ALLOC_NODES][OPAGE_ALLOC_ZONES][OPAGE_ALLOC_CPUS];
	/* The buddy free lists in the order the kernel's rules give them
	 * (docs/page_alloc.md "Free-list order"): a freed or merged block goes
	 * on the head of its list, expand() puts each upper half on the head,
	 * rmqueue takes the head. Links by pfn index (pfn - base); border is the
	 * order of a free block's head, OPAGE_ALLOC_NONE elsewhere. With
	 * MM_HARDEN_SHUFFLE (shuffle) a freed block goes to either end at random:
	 * a list is then a set and the library names which member it took. */
	bool shuffle;
	uint32_t *lnext, *lprev;
	uint8_t *border;
	struct opage_alloc_list {
		uint32_t head, tail;
		int64_t count;
	} fl[OPAGE_ALLOC_NODES][OPAGE_ALLOC_ZONES][32];
};

int opage_alloc_init(struct opage_alloc *o, uint32_t max_order, uint64_t lowmem_pfn, bool modern_wmark, bool poison,
	     bool shuffle, uint64_t base, uint64_t npfn);
void opage_alloc_free(struct opage_alloc *o);
void opage_alloc_fault_set(struct opage_alloc *o, bool enable, uint32_t after, uint32_t repeat);
/* One fault-injection decision, mirroring "fail after N successes". */
bool opage_alloc_should_fail(struct opage_alloc *o);

/* Layout: a node span, then the pfns that have a struct page. */
void opage_alloc_node(struct opage_alloc *o, int nid, uint64_t start, uint64_t end);
void opage_alloc_present(struct opage_alloc *o, uint64_t start, uint64_t end);
/* free_area_init: zone spans and present counts. */
void opage_alloc_zones_init(struct opage_alloc *o);
/* The hand-off of one block (every page reserved and in one zone). */
void opage_alloc_handoff(struct opage_alloc *o, uint64_t pfn, unsigned order);
/* Around a whole boot-time hand-off: the blocks in between only change page
 * states; the end rebuilds the free-page tree and every zone's nr_free from
 * the states (a greedy scan: the largest aligned free run at each free page
 * is the canonical block there). */
void opage_alloc_handoff_begin(struct opage_alloc *o);
void opage_alloc_handoff_end(struct opage_alloc *o);
/* What __free_pages_bootmem(pfn, order) must return and report for an
 * arbitrary block: INVALID_ARG for an order above 31, a misaligned or wrapping block, a first pfn
 * without a struct page, or (first bad page in pfn order) a page without one
 * or in another zone; BAD_PAGE for one not reserved or not at one reference;
 * 0 (no report) when the hand-off is legal. */
int opage_alloc_handoff_predict(const struct opage_alloc *o, uint64_t pfn, unsigned order, struct props_expect *x);
/* setup_per_zone_pages_min + lowmem_reserve from the oracle's own formulas. */
void opage_alloc_wmarks(struct opage_alloc *o);

int opage_alloc_zone_of(const struct opage_alloc *o, uint64_t pfn, int *nid, int *zone);
const struct opage_alloc_page *opage_alloc_page(const struct opage_alloc *o, uint64_t pfn); /* NULL: outside universe */

/* Allocation: the zone that must serve (node, zone, order of the canonical
 * block that must be split) or false if the allocation must fail. */
bool opage_alloc_alloc_expect(struct opage_alloc *o, int nid, uint32_t gfp, unsigned order, int *enid, int *ezone,
		      unsigned *eorder);
/* rmqueue of zone (nid, zone): the head of the smallest non-empty list of
 * order >= order is taken and expand() puts the upper halves back. With
 * shuffling the caller names the block taken (want: the library's pfn);
 * without it want must be UINT64_MAX and the head is taken. Returns the
 * pfn, or UINT64_MAX (nothing changed) when the zone has no block of that
 * order or want is not a member of that list. Lists only: the page states
 * are changed by the caller (opage_alloc_alloc_apply). */
uint64_t opage_alloc_rmqueue(struct opage_alloc *o, int nid, int zone, unsigned order, uint64_t want);
/* Oracle self-check: every list's length equals the zone's nr_free of
 * that order (the two are kept by independent rules). */
bool opage_alloc_lists_consistent(const struct opage_alloc *o);
/* Is [pfn, pfn + 2^order) a canonical free block? */
bool opage_alloc_is_canonical(const struct opage_alloc *o, uint64_t pfn, unsigned order);
/* Apply an allocation: returns the number of scribbled pages (poison reports). */
unsigned opage_alloc_alloc_apply(struct opage_alloc *o, uint64_t pfn, unsigned order);

/* Misuse prediction for freeing pfn as order (__free_pages): 0 if legal,
 * else -EINVAL and the report in x (the get/put/split predictions alike). */
int opage_alloc_free_predict(const struct opage_alloc *o, uint64_t pfn, unsigned order, struct props_expect *x);
/* Apply a legal __free_pages: one reference dropped; true if the block was freed. */
bool opage_alloc_free_apply(struct opage_alloc *o, uint64_t pfn, unsigned order);
int opage_alloc_get_predict(const struct opage_alloc *o, uint64_t pfn, struct props_expect *x);
void opage_alloc_get_apply(struct opage_alloc *o, uint64_t pfn);
int opage_alloc_put_predict(const struct opage_alloc *o, uint64_t pfn, struct props_expect *x);
void opage_alloc_put_apply(struct opage_alloc *o, uint64_t pfn);
int opage_alloc_split_predict(const struct opage_alloc *o, uint64_t pfn, unsigned order, struct props_expect *x);
void opage_alloc_split_apply(struct opage_alloc *o, uint64_t pfn, unsigned order);
bool opage_alloc_is_free(const struct opage_alloc *o, uint64_t pfn);
void opage_alloc_scribble(struct opage_alloc *o, uint64_t pfn);

/* Per-CPU lists (page_alloc.h documents the rules). The setters return the
 * errno the library must give (for fraction/cpu, with the report in x). */
void opage_alloc_cpus(struct opage_alloc *o, uint32_t nr_cpus);
int opage_alloc_pcp_setup(struct opage_alloc *o);
int opage_alloc_pcp_fraction(struct opage_alloc *o, uint32_t fraction, struct props_expect *x);
int opage_alloc_set_cpu(struct opage_alloc *o, uint32_t cpu, struct props_expect *x);
void opage_alloc_drain(struct opage_alloc *o, bool all);
const struct opage_alloc_pcp *opage_alloc_pcp_list(const struct opage_alloc *o, int nid, int zone, uint32_t cpu);
/* An order-0 allocation served by zone (nid, zone) on the current CPU:
 * true if it comes from the list (false: the list must be refilled first). */
bool opage_alloc_pcp_has(const struct opage_alloc *o, int nid, int zone);
/* Refill step (rmqueue_bulk, one page): rmqueue(nid, zone, 0, want) onto
 * the tail of the current CPU's list. Returns the pfn, UINT64_MAX if the
 * zone has no page (or want is not one rmqueue may give). */
uint64_t opage_alloc_pcp_refill_one(struct opage_alloc *o, int nid, int zone, uint64_t want);
/* The page the allocation takes (head, or tail for cold), UINT64_MAX if none. */
uint64_t opage_alloc_pcp_pick(const struct opage_alloc *o, int nid, int zone, bool cold);
/* Take it: returns the number of scribbled pages (poison reports). */
unsigned opage_alloc_pcp_alloc_apply(struct opage_alloc *o, int nid, int zone, bool cold);

#endif
