/*
 * Oracle for the buddy allocator: a per-pfn state array and nothing else.
 * No free lists: with complete merging the buddy state is canonical (every
 * free block is a maximal naturally aligned run of free pages of one zone,
 * at most MAX_ORDER-1), so nr_free per order is derived from the free pfn
 * set, and "the zone has a block of order >= k" is "the zone has a free,
 * aligned, same-zone run of 2^k pages". A block's status is decided from a
 * Fenwick tree of free pages and the static runs of same-zone pages. Written from semantics.md §5 and
 * page_alloc.h; calls no library code.
 */
#ifndef MMSIM_PROPS_ORACLE_PAGE_ALLOC_H
#define MMSIM_PROPS_ORACLE_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPA_NODES 8
#define OPA_ZONES 3
#define OPA_NONE 0xff

enum opa_state { OPA_ABSENT = 0, OPA_RESERVED, OPA_FREE, OPA_HEAD, OPA_TAIL, OPA_PCP };
#define OPA_CPUS 8

/* GFP bits as page_alloc.h documents them. */
enum {
	OPA_GFP_DMA = 0x01u, OPA_GFP_HIGHMEM = 0x02u, OPA_GFP_HIGH = 0x20u, OPA_GFP_COLD = 0x100u,
	OPA_GFP_ZERO = 0x8000u,
	OPA_GFP_THISNODE = 0x40000u, OPA_GFP_HARDER = 0x80000u,
};

/* Report kinds the oracle predicts (values of machine.h's enum). */
enum {
	OPA_R_NONE = -1, OPA_R_BUG = 0, OPA_R_WARN = 1, OPA_R_INVALID = 2, OPA_R_DOUBLE_FREE = 5,
	OPA_R_BAD_FREE = 6, OPA_R_BAD_PAGE = 7, OPA_R_CORRUPTION = 8,
};

struct opa_page {
	uint8_t state;     /* enum opa_state */
	uint8_t zid;       /* node * 3 + zone, OPA_NONE when absent */
	uint8_t order;     /* allocation order of a head */
	uint8_t scribbled; /* a stray write since the page became free */
	int32_t ref;
};

struct opa_zone {
	uint64_t start, end; /* span */
	uint64_t present, managed, free;
	uint64_t wmin, wlow, whigh, reserve[OPA_ZONES];
	int64_t nr_free[32];
};

/* One CPU's list of a zone: pfn[0] is the head (hot end). */
struct opa_pcp {
	uint64_t *pfn;
	uint32_t count, cap, high, batch;
};

struct opa {
	uint32_t max_order;
	uint64_t dma_end, low_pfn;
	bool modern_wmark, poison;
	bool bulk; /* inside opa_handoff_begin/end: states only, counts rebuilt at the end */
	bool online[OPA_NODES];
	uint64_t nstart[OPA_NODES], nend[OPA_NODES];
	uint64_t base, npfn; /* universe [base, npfn) */
	struct opa_page *pg;
	struct opa_zone zone[OPA_NODES][OPA_ZONES];
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
	struct opa_pcp pcp[OPA_NODES][OPA_ZONES][OPA_CPUS];
};

int opa_init(struct opa *o, uint32_t max_order, uint64_t lowmem_pfn, bool modern_wmark, bool poison,
	     uint64_t base, uint64_t npfn);
void opa_free(struct opa *o);
void opa_fault_set(struct opa *o, bool enable, uint32_t after, uint32_t repeat);
/* One fault-injection decision, mirroring "fail after N successes". */
bool opa_should_fail(struct opa *o);

/* Layout: a node span, then the pfns that have a struct page. */
void opa_node(struct opa *o, int nid, uint64_t start, uint64_t end);
void opa_present(struct opa *o, uint64_t start, uint64_t end);
/* free_area_init: zone spans and present counts. */
void opa_zones_init(struct opa *o);
/* The hand-off of one block (every page reserved and in one zone). */
void opa_handoff(struct opa *o, uint64_t pfn, unsigned order);
/* Around a whole boot-time hand-off: the blocks in between only change page
 * states; the end rebuilds the free-page tree and every zone's nr_free from
 * the states (a greedy scan: the largest aligned free run at each free page
 * is the canonical block there). */
void opa_handoff_begin(struct opa *o);
void opa_handoff_end(struct opa *o);
/* What __free_pages_bootmem(pfn, order) must report for an arbitrary block:
 * INVALID for an order above 31, a misaligned or wrapping block, a first pfn
 * without a struct page, or (first bad page in pfn order) a page without one
 * or in another zone; BAD_PAGE for one not reserved or not at one reference;
 * OPA_R_NONE when the hand-off is legal. */
int opa_handoff_predict(const struct opa *o, uint64_t pfn, unsigned order);
/* setup_per_zone_pages_min + lowmem_reserve from the oracle's own formulas. */
void opa_wmarks(struct opa *o);

int opa_zone_of(const struct opa *o, uint64_t pfn, int *nid, int *zone);
const struct opa_page *opa_page(const struct opa *o, uint64_t pfn); /* NULL: outside universe */

/* Allocation: the zone that must serve (node, zone, order of the canonical
 * block that must be split) or false if the allocation must fail. */
bool opa_alloc_expect(struct opa *o, int nid, uint32_t gfp, unsigned order, int *enid, int *ezone,
		      unsigned *eorder);
/* Is [pfn, pfn + 2^order) a canonical free block? */
bool opa_is_canonical(const struct opa *o, uint64_t pfn, unsigned order);
/* Apply an allocation: returns the number of scribbled pages (poison reports). */
unsigned opa_alloc_apply(struct opa *o, uint64_t pfn, unsigned order);

/* Misuse prediction for freeing pfn as order (__free_pages), OPA_R_NONE if legal. */
int opa_free_predict(const struct opa *o, uint64_t pfn, unsigned order);
/* Apply a legal __free_pages: one reference dropped; true if the block was freed. */
bool opa_free_apply(struct opa *o, uint64_t pfn, unsigned order);
int opa_get_predict(const struct opa *o, uint64_t pfn);
void opa_get_apply(struct opa *o, uint64_t pfn);
int opa_put_predict(const struct opa *o, uint64_t pfn);
void opa_put_apply(struct opa *o, uint64_t pfn);
int opa_split_predict(const struct opa *o, uint64_t pfn, unsigned order);
void opa_split_apply(struct opa *o, uint64_t pfn, unsigned order);
bool opa_is_free(const struct opa *o, uint64_t pfn);
void opa_scribble(struct opa *o, uint64_t pfn);

/* Per-CPU lists (page_alloc.h documents the rules). The setters return the
 * errno the library must give (and, for fraction/cpu, whether a report). */
void opa_cpus(struct opa *o, uint32_t nr_cpus);
int opa_pcp_setup(struct opa *o);
int opa_pcp_fraction(struct opa *o, uint32_t fraction);   /* OPA_R_INVALID or NONE */
int opa_set_cpu(struct opa *o, uint32_t cpu);             /* OPA_R_INVALID or NONE */
void opa_drain(struct opa *o, bool all);
const struct opa_pcp *opa_pcp_list(const struct opa *o, int nid, int zone, uint32_t cpu);
/* An order-0 allocation served by zone (nid, zone) on the current CPU:
 * true if it comes from the list (false: the list must be refilled first). */
bool opa_pcp_has(const struct opa *o, int nid, int zone);
/* Refill step: pfn must be what rmqueue gives next (the first page of a
 * free block of the smallest order the zone has); moves it to the tail of
 * the list. False (nothing changed) if pfn cannot be that page. */
bool opa_pcp_refill_one(struct opa *o, int nid, int zone, uint64_t pfn);
/* The page the allocation takes (head, or tail for cold), UINT64_MAX if none. */
uint64_t opa_pcp_pick(const struct opa *o, int nid, int zone, bool cold);
/* Take it: returns the number of scribbled pages (poison reports). */
unsigned opa_pcp_alloc_apply(struct opa *o, int nid, int zone, bool cold);

#endif
