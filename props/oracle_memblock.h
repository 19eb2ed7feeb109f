/*
 * Oracle for memblock, written from semantics.md §3 and the kernel's
 * documented behaviour; calls no library code. Each type is the list of its
 * maximal runs (bytes covered with one nid and flags), rebuilt after every
 * change by brute force over boundary points; cnt, max, the empty marker,
 * where a doubled array lands and the fault-injection countdown are modelled
 * so that the whole visible state can be predicted.
 */
#ifndef MMSIM_PROPS_ORACLE_MEMBLOCK_H
#define MMSIM_PROPS_ORACLE_MEMBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"

#define OMEMBLOCK_MEMORY 0
#define OMEMBLOCK_RESERVED 1
#define OMEMBLOCK_MAX_NUMNODES 64
#define OMEMBLOCK_NO_NODE (-1)


struct omemblock_run {
	uint64_t base, size;
	uint32_t flags;
	int nid;
};

struct omemblock_piece {
	uint64_t p, q;
	long run; /* index of the covering run, -1 if uncovered */
};

#define OMEMBLOCK_INIT_RUNS 32    /* runs per type before the heap */
#define OMEMBLOCK_INIT_SCRATCH 66 /* pieces and runs of a rebuild: 2 * OMEMBLOCK_INIT_RUNS + 2 */

struct omemblock_type {
	struct omemblock_run *r;
	size_t n, cap;
	unsigned long max;
	uint64_t array_phys; /* 0 while the static array is in use */
	int empty_nid;       /* nid left in the empty marker */
};

struct omemblock {
	struct omemblock_type t[2];
	bool cnt0, bottom_up, can_resize, has_mirror, movable_node;
	/* kernelcore=mirror was given: only then does mark_mirror mark (and
	 * make allocation prefer mirrored memory). Set by the harness. */
	bool kernelcore_mirror;
	uint64_t current_limit;
	bool fault_enable;
	uint32_t fault_countdown, fault_repeat;
	uint64_t fault_hits;
	/* Where the predicted reports go: the current step's expectation
	 * (props_result.expect), set by the harness before each call. */
	struct props_expect *expect;
	bool oom;                   /* host allocation failed inside the oracle */
	/* scratch reused by every rebuild (no allocation per operation) */
	struct omemblock_piece *pc;
	struct omemblock_run *nr;
	size_t scratch_cap;
	/* First storage of the run lists and the scratch, inside the oracle
	 * (the harness context, which the runner reuses warm): most inputs
	 * never outgrow them, and each host allocation they replace was a
	 * cold block under ASan's quarantine. Heap blocks take over beyond. */
	struct omemblock_run init_r[2][OMEMBLOCK_INIT_RUNS];
	struct omemblock_run init_nr[OMEMBLOCK_INIT_SCRATCH];
	struct omemblock_piece init_pc[OMEMBLOCK_INIT_SCRATCH];
};

enum omemblock_alloc_api {
	OMEMBLOCK_PHYS_ALLOC_RANGE = 0, /* (size, align, start, end) */
	OMEMBLOCK_PHYS_ALLOC_TRY_NID,   /* (size, align, nid) */
	OMEMBLOCK_ALLOC_TRY_NID,        /* (size, align, min, max, nid, exact, raw) */
	OMEMBLOCK_ALLOC,                /* (size, align) */
};

void omemblock_init(struct omemblock *o, unsigned long init_regions, bool cnt0);
void omemblock_free(struct omemblock *o);
void omemblock_fault_set(struct omemblock *o, bool enable, uint32_t after, uint32_t repeat);

int omemblock_add(struct omemblock *o, int which, uint64_t base, uint64_t size, int nid, uint32_t flags);
/* memblock_add_node with argument checks (nid in [-1, MAX_NUMNODES], known flags). */
int omemblock_add_node(struct omemblock *o, uint64_t base, uint64_t size, int nid, uint32_t flags);
int omemblock_remove(struct omemblock *o, int which, uint64_t base, uint64_t size);
int omemblock_setclr(struct omemblock *o, uint64_t base, uint64_t size, bool set, uint32_t flag);
/* memblock_mark_mirror: nothing at all without kernelcore_mirror. */
int omemblock_mark_mirror(struct omemblock *o, uint64_t base, uint64_t size);
int omemblock_set_node(struct omemblock *o, int which, uint64_t base, uint64_t size, int nid);
void omemblock_trim(struct omemblock *o, uint64_t align);
void omemblock_enforce_limit(struct omemblock *o, uint64_t limit);

/* An alloc API: returns 0 and *out, -ENOMEM or -EINVAL; *zeroed says whether
 * [*out, *out + size) is zeroed. */
int omemblock_alloc(struct omemblock *o, enum omemblock_alloc_api api, uint64_t size, uint64_t align,
	      uint64_t start, uint64_t end, int nid, bool exact, bool raw, uint64_t *out,
	      bool *zeroed);

/* The visible array: cnt (empty marker included) and region i < cnt. */
unsigned long omemblock_cnt(const struct omemblock *o, int which);
struct omemblock_run omemblock_region(const struct omemblock *o, int which, unsigned long i);
uint64_t omemblock_total(const struct omemblock *o, int which);
bool omemblock_contains(const struct omemblock *o, int which, uint64_t addr);
uint64_t omemblock_end_of_dram(const struct omemblock *o);

#endif
