/*
 * Oracle for the machine core: which configurations are valid, and what
 * simulated physical memory holds (a plain list of written pages, searched
 * linearly). Written from semantics.md §0.2 and §0.5 and machine.h; calls
 * no library code.
 */
#ifndef MMSIM_PROPS_ORACLE_PHYS_H
#define MMSIM_PROPS_ORACLE_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"

struct ophys_page {
	uint64_t pfn;
	uint8_t bytes[4096];
};

struct ophys {
	struct ophys_page *pages;
	size_t nr, cap;
	size_t backing_max;
};

/* The documented config ranges (machine.h): is this configuration valid? */
bool ophys_config_valid(uint64_t era, uint64_t profile, uint64_t e820_max, uint64_t early_res_max,
			uint64_t memblock_init, uint64_t nr_banks, uint64_t max_order,
			uint64_t lowmem_limit);
/* nr_cpus: 0 means one CPU; at most 8 (machine.h's MM_MAX_CPUS). */
bool ophys_cpus_valid(uint64_t nr_cpus);
void ophys_init(struct ophys *o, size_t backing_max);
void ophys_free(struct ophys *o);
/* Predicted errno of a write (0, -EINVAL, -ENOMEM) and, when 0, the write;
 * its reports go to x. */
int ophys_write(struct ophys *o, uint64_t addr, const uint8_t *buf, size_t len, bool null_buf,
		struct props_expect *x);
/* Predicted errno of a read and, when 0, the expected bytes in out. */
int ophys_read(struct ophys *o, uint64_t addr, uint8_t *out, size_t len, bool null_buf,
	       struct props_expect *x);

/* Zeroing [addr, addr + len) as an allocation does: a page wholly inside
 * the range is no longer backed (it reads as zeros again), the bytes of a
 * page the range only partly covers are cleared. */
void ophys_zero(struct ophys *o, uint64_t addr, uint64_t len);
/* Pages that hold written bytes: the library's mm_phys_backed_pages. */
static inline size_t ophys_backed(const struct ophys *o) { return o->nr; }

#endif
