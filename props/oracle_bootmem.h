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
void obootmem_free(struct obootmem *o);
/* The page-allocator view: pfns [s, e) exist (a node's memmap). */
int obootmem_span(struct obootmem *o, uint64_t s, uint64_t e);

/* init_bootmem_node with arguments the harness knows are valid. */
int obootmem_add_node(struct obootmem *o, int nid, uint64_t map_pfn, uint64_t min, uint64_t low);
struct obootmem_node *obootmem_node_by_nid(struct obootmem *o, int nid);

/* free_bootmem(_node) / reserve_bootmem(_node): node < 0 for the global call. */
struct obootmem_res obootmem_free_bootmem(struct obootmem *o, int node, uint64_t addr, uint64_t size);
struct obootmem_res obootmem_reserve_bootmem(struct obootmem *o, int node, uint64_t addr,
				 uint64_t size, int flags);

enum obootmem_alloc_kind { OBOOTMEM_ALLOC = 0, OBOOTMEM_NOPANIC, OBOOTMEM_NODE, OBOOTMEM_LOW, OBOOTMEM_LIMIT, OBOOTMEM_LIMIT_NOPANIC };
/* The __alloc_bootmem family; `injected` = fault injection fired. */
struct obootmem_res obootmem_alloc(struct obootmem *o, enum obootmem_alloc_kind kind, int nid, uint64_t size,
		       uint64_t align, uint64_t goal, uint64_t limit, bool injected);
/* Would the call reach the fault-injection point (arguments valid)? */
bool obootmem_alloc_reaches_injection(const struct obootmem *o, enum obootmem_alloc_kind kind, int nid,
				uint64_t size, uint64_t align, uint64_t goal, uint64_t limit);

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

/* Buddy view after the hand-off: is [pfn, pfn + 2^order) a valid answer? */
bool obootmem_block_free(const struct obootmem *o, uint64_t pfn, unsigned order);
void obootmem_mark(struct obootmem *o, uint64_t pfn, unsigned order, enum obootmem_pstate st);
enum obootmem_pstate obootmem_pfn_state(const struct obootmem *o, uint64_t pfn);
/* Reserved bit of pfn in its node: 1/0, or -1 outside every node. */
int obootmem_reserved(const struct obootmem *o, uint64_t pfn);

#endif
