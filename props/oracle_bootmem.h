/*
 * The bootmem oracle: a plain per-pfn model of every bootmem node (reserved
 * or free, one byte per page), the hint and the byte end of the last
 * allocation, allocation by brute force over every candidate pfn following
 * the search rules of semantics.md §4.3, and after the hand-off a per-pfn model
 * of what the buddy allocator must hold (absent, reserved, free, allocated).
 * It calls no library code; its reports are predicted into a struct
 * props_expect with the public stage and kind enums.
 */
#ifndef MMSIM_PROPS_ORACLE_BOOTMEM_H
#define MMSIM_PROPS_ORACLE_BOOTMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "expect.h"

#define OBOOTMEM_MAX_NODES 8
#define OBOOTMEM_PAGE 4096ull

struct obootmem_node {
	int nid;
	uint64_t min, low;       /* [min, low) pfns */
	uint64_t map_pfn, map_pages, map_bytes;
	uint8_t *rsv;            /* per page: 1 = reserved */
	uint64_t hint;           /* node-relative index */
	uint64_t last_end;       /* node-relative byte offset */
};

/* A byte interval with attributes, for memblock and e820 views. */
struct obootmem_ival {
	uint64_t start, end; /* [start, end) bytes */
	int nid;
	bool nomap;
};

enum obootmem_pstate { OBOOTMEM_ABSENT = 0, OBOOTMEM_RESERVED, OBOOTMEM_FREE, OBOOTMEM_ALLOCATED };

#define OBOOTMEM_ZONES 3
#define OBOOTMEM_ORDERS 32
#define OBOOTMEM_KEPT_ORDERS 16 /* a larger MAX_ORDER recounts at every look */

/* A zone of the page allocator's node (semantics.md §5): span, present
 * pages (every pfn of the span has a struct page here), pages handed over,
 * watermarks and lowmem_reserve from the oracle's own formulas. */
struct obootmem_zone {
	uint64_t start, end, present;
	uint64_t managed; /* kept with the free counts: read after obootmem_zone_free */
	/* the free pages and free blocks per order of the greedy cut, kept
	 * as single blocks change state; a hand-off releasing pages one by
	 * one marks them stale instead, and the next look recounts them
	 * (obootmem_zone_free_scan) */
	uint64_t free_pages;
	uint32_t nr_free[OBOOTMEM_KEPT_ORDERS];
	bool stale;
	uint64_t wmark[3]; /* min, low, high */
	uint64_t reserve[OBOOTMEM_ZONES];
};

struct obootmem_pnode {
	bool online;
	uint64_t start, end;
	struct obootmem_zone zone[OBOOTMEM_ZONES];
};

/* A page of simulated memory the oracle knows the bytes of (backed). */
struct obootmem_far {
	uint64_t pfn;
	uint8_t *bytes;
};

struct obootmem {
	struct obootmem_node node[OBOOTMEM_MAX_NODES]; /* sorted by min */
	int nr;
	bool handed;    /* free_all_bootmem / memblock_free_all done */
	bool high_done; /* free_highpages done */
	uint64_t lowpfn;   /* max_low_pfn */
	uint64_t max_order; /* MAX_ORDER (exclusive) */
	/* after the hand-off: the state of every pfn below span_end */
	uint64_t span_end;
	uint8_t *pstate;
	uint64_t nr_free;
	uint8_t *head_order; /* per pfn: order + 1 at the head of a live buddy block */
	/* fault injection as machine.h documents it: after `countdown`
	 * successful decisions fail the next `repeat` (0: for ever) */
	bool fault_enable;
	uint32_t fault_countdown, fault_repeat;
	/* the page allocator: nodes by nid, zone boundaries, hardening */
	struct obootmem_pnode pnode[OBOOTMEM_MAX_NODES];
	uint64_t dma_end;
	bool zones_ready, wmarks_ready, modern_wmark, poison;
	bool zones_stale; /* every zone's kept free counts are stale */
	int last_nid;     /* the node obootmem_zone_of found last */
	/* simulated memory: a page's bytes once written (NULL: reads zero),
	 * frames below span_end by pfn, others in a short list */
	uint8_t **frame;
	uint64_t frame_lo, frame_hi; /* every frame[] entry ever given bytes lies in [lo, hi) */
	struct obootmem_far *far;
	uint32_t nfar, capfar;
	uint64_t backed, backing_max;
	/* Where the predicted reports go: the current step's expectation
	 * (props_result.expect), set by the harness. */
	struct props_expect *expect;
};

/* What a call must do: the return value (its report, if any, goes to the
 * oracle's expect). */
struct obootmem_res {
	int ret;
	uint64_t addr;   /* allocation result */
	uint64_t count;  /* hand-off count */
};

void obootmem_init(struct obootmem *o, uint64_t lowpfn, uint64_t max_order);
/* The machine's fault injection, as the harness configured it. */
void obootmem_fault_set(struct obootmem *o, bool enable, uint32_t after, uint32_t repeat);
/* Hardening the buddy oracle follows (page poisoning), the watermark rule,
 * and the backing cap of simulated memory in pages. */
void obootmem_buddy_config(struct obootmem *o, bool poison, bool modern_wmark, uint64_t backing_max);
void obootmem_free(struct obootmem *o);
/* Size the per-pfn arrays for pfns below e at once (-1: host out of memory). */
int obootmem_span_reserve(struct obootmem *o, uint64_t e);
/* mm_node_add(nid, s, e): the errno it must return (its report in
 * o->expect) and, when 0, pfns [s, e) exist (a node's memmap). -1 (and
 * no prediction) if the host is out of memory. */
int obootmem_node_add(struct obootmem *o, int nid, uint64_t s, uint64_t e, uint64_t max_pfn);
/* mm_free_area_init: zone spans and present pages; a second call, or one
 * with no node online, is BUG. */
int obootmem_free_area_init(struct obootmem *o);
/* setup_per_zone_wmarks (after the hand-off). */
void obootmem_wmarks(struct obootmem *o);
/* Node and zone of a pfn with a struct page: false if it has none. */
bool obootmem_zone_of(const struct obootmem *o, uint64_t pfn, int *nid, int *zone);
/* Free pages and free blocks per order of a zone, the buddy allocator
 * fully merged (semantics.md §5): the greedy cut of each free run. */
void obootmem_zone_free(struct obootmem *o, int nid, int zone, uint64_t *free,
			uint64_t nr_free[OBOOTMEM_ORDERS]);
/* The same counted afresh from every pfn of the zone: what the kept
 * counts must equal (a total check compares the two). */
void obootmem_zone_free_scan(const struct obootmem *o, int nid, int zone, uint64_t *free,
			     uint64_t nr_free[OBOOTMEM_ORDERS]);

/* Buddy allocation (mm_alloc_pages when nid == -2, else
 * mm_alloc_pages_node(nid)): the errno (reports in o->expect), and when 0
 * the node, zone and order of the free block that must be split. */
int obootmem_buddy_alloc(struct obootmem *o, int nid, uint32_t gfp, unsigned order, int *enid,
			 int *ezone, unsigned *eorder);
/* Is pfn the head of a free block of exactly `order` in (nid, zone)? */
bool obootmem_block_is(const struct obootmem *o, uint64_t pfn, unsigned order, int nid, int zone);
/* Take [pfn, pfn + 2^order) (the library's pick, checked above): the
 * pages whose poison was found changed (CORRUPTION reports; none can be,
 * as a free frame is never writable through the API). */
unsigned obootmem_buddy_take(struct obootmem *o, uint64_t pfn, unsigned order, uint32_t gfp);
/* __free_pages(pfn, order): the errno and report (o->expect); when 0 the
 * block is freed. */
int obootmem_buddy_free(struct obootmem *o, uint64_t pfn, unsigned order);

/* Simulated memory (semantics.md §0.5): a write's errno (reports in
 * o->expect) and, when 0, the bytes; zeroing as the allocators do it. */
int obootmem_phys_write(struct obootmem *o, uint64_t addr, const uint8_t *buf, uint64_t len);
void obootmem_phys_zero(struct obootmem *o, uint64_t addr, uint64_t len);
/* The bytes of a page (NULL: never written or zeroed whole, reads zero). */
const uint8_t *obootmem_frame(const struct obootmem *o, uint64_t pfn);

/* init_bootmem_node with arguments the harness knows are valid. */
int obootmem_add_node(struct obootmem *o, int nid, uint64_t map_pfn, uint64_t min, uint64_t low);
struct obootmem_node *obootmem_node_by_nid(struct obootmem *o, int nid);

/* free_bootmem(_node) / reserve_bootmem(_node): node < 0 for the global call. */
struct obootmem_res obootmem_free_bootmem(struct obootmem *o, int node, uint64_t addr, uint64_t size);
struct obootmem_res obootmem_reserve_bootmem(struct obootmem *o, int node, uint64_t addr,
				 uint64_t size, int flags);

enum obootmem_alloc_kind { OBOOTMEM_ALLOC = 0, OBOOTMEM_NOPANIC, OBOOTMEM_NODE, OBOOTMEM_LOW, OBOOTMEM_LIMIT, OBOOTMEM_LIMIT_NOPANIC };
/* The __alloc_bootmem family; the fault-injection decision is the oracle's own. */
struct obootmem_res obootmem_alloc(struct obootmem *o, enum obootmem_alloc_kind kind, int nid, uint64_t size,
		       uint64_t align, uint64_t goal, uint64_t limit);

/* early_res_to_bootmem with the reservations [start, end). */
struct obootmem_res obootmem_early_res_to_bootmem(struct obootmem *o, const uint64_t (*res)[2], int nres);

/* free_all_bootmem: every clear page, then the bitmap pages. */
struct obootmem_res obootmem_free_all_bootmem(struct obootmem *o);
/* memblock_free_all over memory (with nid/nomap) minus reserved. */
struct obootmem_res obootmem_memblock_free_all(struct obootmem *o, const struct obootmem_ival *mem, int nmem,
				   const struct obootmem_ival *res, int nres);
/* The highmem step: 2.6.29 (RAM entries minus early_res) or modern (memblock). */
struct obootmem_res obootmem_highpages_e820(struct obootmem *o, const struct obootmem_ival *ram, int nram,
				const uint64_t (*res)[2], int nres);
struct obootmem_res obootmem_highpages_memblock(struct obootmem *o, const struct obootmem_ival *mem, int nmem,
				    const struct obootmem_ival *res, int nres);
/* After the hand-off, the arch frees one page itself (__free_pages_bootmem
 * at order 0, as free_reserved_area does with init memory): a pfn with no
 * struct page is INVALID_ARG, a page that is not reserved BAD_PAGE (both
 * refused), a reserved page becomes free. */
struct obootmem_res obootmem_free_reserved_page(struct obootmem *o, uint64_t pfn);

enum obootmem_pstate obootmem_pfn_state(const struct obootmem *o, uint64_t pfn);
/* Reserved bit of pfn in its node: 1/0, or -1 outside every node. */
int obootmem_reserved(const struct obootmem *o, uint64_t pfn);

#endif
