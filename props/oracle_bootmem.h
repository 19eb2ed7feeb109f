/*
 * The bootmem oracle: a plain per-pfn model of every bootmem node (reserved
 * or free, one byte per page), the hint and the byte end of the last
 * allocation, allocation by brute force over every candidate pfn following
 * the search rules of semantics.md §4.3, and after the hand-off a per-pfn model
 * of what the buddy allocator must hold (absent, reserved, free, allocated).
 * It calls no library code; report kinds are the public enum's values.
 */
#ifndef MMSIM_PROPS_ORACLE_BOOTMEM_H
#define MMSIM_PROPS_ORACLE_BOOTMEM_H

#include <stdbool.h>
#include <stdint.h>

#define OB_MAX_NODES 8
#define OB_PAGE 4096ull

struct ob_node {
	int nid;
	uint64_t min, low;       /* [min, low) pfns */
	uint64_t map_pfn, map_pages, map_bytes;
	uint8_t *rsv;            /* per page: 1 = reserved */
	uint64_t hint;           /* node-relative index */
	uint64_t last_end;       /* node-relative byte offset */
};

/* A byte interval with attributes, for memblock and e820 views. */
struct ob_ival {
	uint64_t start, end; /* [start, end) bytes */
	int nid;
	bool nomap;
};

enum ob_pstate { OB_ABSENT = 0, OB_RESERVED, OB_FREE, OB_ALLOCATED };

struct oracle_bootmem {
	struct ob_node node[OB_MAX_NODES]; /* sorted by min */
	int nr;
	bool handed;    /* free_all_bootmem / memblock_free_all done */
	bool high_done; /* free_highpages done */
	uint64_t lowpfn;   /* max_low_pfn */
	uint64_t max_order; /* MAX_ORDER (exclusive) */
	/* after the hand-off: the state of every pfn below span_end */
	uint64_t span_end;
	uint8_t *pstate;
	uint64_t nr_free;
};

/* What a call must do: return value and at most one report kind (-1 none). */
struct ob_res {
	int ret;
	int report;
	uint64_t addr;   /* allocation result */
	uint64_t count;  /* hand-off count */
};

void ob_init(struct oracle_bootmem *o, uint64_t lowpfn, uint64_t max_order);
void ob_free(struct oracle_bootmem *o);
/* The page-allocator view: pfns [s, e) exist (a node's memmap). */
int ob_span(struct oracle_bootmem *o, uint64_t s, uint64_t e);

/* init_bootmem_node with arguments the harness knows are valid. */
int ob_add_node(struct oracle_bootmem *o, int nid, uint64_t map_pfn, uint64_t min, uint64_t low);
struct ob_node *ob_node_by_nid(struct oracle_bootmem *o, int nid);

/* free_bootmem(_node) / reserve_bootmem(_node): node < 0 for the global call. */
struct ob_res ob_free_bootmem(struct oracle_bootmem *o, int node, uint64_t addr, uint64_t size);
struct ob_res ob_reserve_bootmem(struct oracle_bootmem *o, int node, uint64_t addr,
				 uint64_t size, int flags);

enum ob_alloc_kind { OB_ALLOC = 0, OB_NOPANIC, OB_NODE, OB_LOW, OB_LIMIT, OB_LIMIT_NOPANIC };
/* The __alloc_bootmem family; `injected` = fault injection fired. */
struct ob_res ob_alloc(struct oracle_bootmem *o, enum ob_alloc_kind kind, int nid, uint64_t size,
		       uint64_t align, uint64_t goal, uint64_t limit, bool injected);
/* Would the call reach the fault-injection point (arguments valid)? */
bool ob_alloc_reaches_injection(const struct oracle_bootmem *o, enum ob_alloc_kind kind, int nid,
				uint64_t size, uint64_t align, uint64_t goal, uint64_t limit);

/* early_res_to_bootmem with the reservations [start, end). */
struct ob_res ob_early_res_to_bootmem(struct oracle_bootmem *o, const uint64_t (*res)[2], int nres);

/* free_all_bootmem: every clear page, then the bitmap pages. */
struct ob_res ob_free_all_bootmem(struct oracle_bootmem *o);
/* memblock_free_all over memory (with nid/nomap) minus reserved. */
struct ob_res ob_memblock_free_all(struct oracle_bootmem *o, const struct ob_ival *mem, int nmem,
				   const struct ob_ival *res, int nres);
/* The highmem step: 2.6.29 (RAM entries minus early_res) or modern (memblock). */
struct ob_res ob_highpages_e820(struct oracle_bootmem *o, const struct ob_ival *ram, int nram,
				const uint64_t (*res)[2], int nres);
struct ob_res ob_highpages_memblock(struct oracle_bootmem *o, const struct ob_ival *mem, int nmem,
				    const struct ob_ival *res, int nres);
/* After the hand-off, the arch frees one page itself (__free_pages_bootmem
 * at order 0, as free_reserved_area does with init memory): a pfn with no
 * struct page is INVALID_ARG, a page that is not reserved BAD_PAGE (both
 * refused), a reserved page becomes free. */
struct ob_res ob_free_reserved_page(struct oracle_bootmem *o, uint64_t pfn);

/* Buddy view after the hand-off: is [pfn, pfn + 2^order) a valid answer? */
bool ob_block_free(const struct oracle_bootmem *o, uint64_t pfn, unsigned order);
void ob_mark(struct oracle_bootmem *o, uint64_t pfn, unsigned order, enum ob_pstate st);
enum ob_pstate ob_pfn_state(const struct oracle_bootmem *o, uint64_t pfn);
/* Reserved bit of pfn in its node: 1/0, or -1 outside every node. */
int ob_reserved(const struct oracle_bootmem *o, uint64_t pfn);

#endif
