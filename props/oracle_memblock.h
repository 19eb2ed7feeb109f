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

#define OMB_MEMORY 0
#define OMB_RESERVED 1
#define OMB_MAX_NUMNODES 64
#define OMB_NO_NODE (-1)

enum { OMB_R_BUG = 0, OMB_R_WARN = 1, OMB_R_INVALID = 2, OMB_R_NR = 3 };

struct omb_run {
	uint64_t base, size;
	uint32_t flags;
	int nid;
};

struct omb_piece {
	uint64_t p, q;
	long run; /* index of the covering run, -1 if uncovered */
};

#define OMB_INIT_RUNS 32    /* runs per type before the heap */
#define OMB_INIT_SCRATCH 66 /* pieces and runs of a rebuild: 2 * OMB_INIT_RUNS + 2 */

struct omb_type {
	struct omb_run *r;
	size_t n, cap;
	unsigned long max;
	uint64_t array_phys; /* 0 while the static array is in use */
	int empty_nid;       /* nid left in the empty marker */
};

struct omb {
	struct omb_type t[2];
	bool cnt0, bottom_up, can_resize, has_mirror, movable_node;
	/* kernelcore=mirror was given: only then does mark_mirror mark (and
	 * make allocation prefer mirrored memory). Set by the harness. */
	bool kernelcore_mirror;
	uint64_t current_limit;
	bool fault_enable;
	uint32_t fault_countdown, fault_repeat;
	uint64_t fault_hits;
	uint64_t reports[OMB_R_NR]; /* predicted memblock reports: BUG, WARN, INVALID_ARG */
	bool oom;                   /* host allocation failed inside the oracle */
	/* scratch reused by every rebuild (no allocation per operation) */
	struct omb_piece *pc;
	struct omb_run *nr;
	size_t scratch_cap;
	/* First storage of the run lists and the scratch, inside the oracle
	 * (the harness context, which the runner reuses warm): most inputs
	 * never outgrow them, and each host allocation they replace was a
	 * cold block under ASan's quarantine. Heap blocks take over beyond. */
	struct omb_run init_r[2][OMB_INIT_RUNS];
	struct omb_run init_nr[OMB_INIT_SCRATCH];
	struct omb_piece init_pc[OMB_INIT_SCRATCH];
};

enum omb_alloc_api {
	OMB_PHYS_ALLOC_RANGE = 0, /* (size, align, start, end) */
	OMB_PHYS_ALLOC_TRY_NID,   /* (size, align, nid) */
	OMB_ALLOC_TRY_NID,        /* (size, align, min, max, nid, exact, raw) */
	OMB_ALLOC,                /* (size, align) */
};

void omb_init(struct omb *o, unsigned long init_regions, bool cnt0);
void omb_free(struct omb *o);
void omb_fault_set(struct omb *o, bool enable, uint32_t after, uint32_t repeat);

int omb_add(struct omb *o, int which, uint64_t base, uint64_t size, int nid, uint32_t flags);
/* memblock_add_node with argument checks (nid in [-1, MAX_NUMNODES], known flags). */
int omb_add_node(struct omb *o, uint64_t base, uint64_t size, int nid, uint32_t flags);
int omb_remove(struct omb *o, int which, uint64_t base, uint64_t size);
int omb_setclr(struct omb *o, uint64_t base, uint64_t size, bool set, uint32_t flag);
/* memblock_mark_mirror: nothing at all without kernelcore_mirror. */
int omb_mark_mirror(struct omb *o, uint64_t base, uint64_t size);
int omb_set_node(struct omb *o, int which, uint64_t base, uint64_t size, int nid);
void omb_trim(struct omb *o, uint64_t align);
void omb_enforce_limit(struct omb *o, uint64_t limit);

/* An alloc API: returns 0 and *out, -ENOMEM or -EINVAL; *zeroed says whether
 * [*out, *out + size) is zeroed. */
int omb_alloc(struct omb *o, enum omb_alloc_api api, uint64_t size, uint64_t align,
	      uint64_t start, uint64_t end, int nid, bool exact, bool raw, uint64_t *out,
	      bool *zeroed);

/* The visible array: cnt (empty marker included) and region i < cnt. */
unsigned long omb_cnt(const struct omb *o, int which);
struct omb_run omb_region(const struct omb *o, int which, unsigned long i);
uint64_t omb_total(const struct omb *o, int which);
bool omb_contains(const struct omb *o, int which, uint64_t addr);
uint64_t omb_end_of_dram(const struct omb *o);

#endif
