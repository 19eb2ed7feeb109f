/*
 * Oracles for the firmware-map stages: e820, early_res, ARM meminfo (what
 * e820/meminfo hand to memblock is predicted by oracle_memblock from these
 * tables). Written from semantics.md §1 and §2, simple and slow on purpose
 * (sanitize paints every entry over the elementary intervals between
 * boundary points). They call no library code and share no
 * helper with lib/; only the public constants (types, stages, report kinds)
 * are common. Reports are predicted into a struct props_expect.
 */
#ifndef MMSIM_PROPS_ORACLE_E820_H
#define MMSIM_PROPS_ORACLE_E820_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "mmsim/mmsim.h"

/* ---- e820 --------------------------------------------------------------- */

struct oe820_entry {
	uint64_t addr, size;
	uint32_t type;
};

struct oe820 {
	uint32_t max;
	uint32_t nr, fw_nr;
	struct oe820_entry *t, *fw;
	bool remove_split; /* MM_FEAT_E820_REMOVE_SPLIT */
	uint64_t max_pfn;  /* profile limit of end_of_ram_pfn */
	/* scratch for sanitize */
	uint64_t *pts;
	uint32_t *best; /* per elementary interval: the highest type covering it */
	struct oe820_entry *out;
};

int oe820_init(struct oe820 *o, uint32_t max, bool remove_split, uint64_t max_pfn);
void oe820_free(struct oe820 *o);
int oe820_add(struct oe820 *o, uint64_t addr, uint64_t size, uint32_t type,
		struct props_expect *x);
int oe820_sanitize(struct oe820 *o);
int oe820_update(struct oe820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   uint32_t new_type, uint64_t *changed, struct props_expect *x);
int oe820_remove(struct oe820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   bool check_type, uint64_t *removed, struct props_expect *x);
int oe820_mem_limit(struct oe820 *o, uint64_t limit, struct props_expect *x);
int oe820_import(struct oe820 *o, const struct oe820_entry *e, uint32_t nr,
		   struct props_expect *x);
uint64_t oe820_end_of_ram_pfn(const struct oe820 *o);
/* The boot-log text of the table, snprintf-style (returns the full length). */
size_t oe820_format(const struct oe820 *o, const char *prefix, char *buf, size_t len);
/* The type word as the boot log prints it; "type N" goes to buf. */
const char *oe820_type_text(uint32_t type, char *buf, size_t len);

/* ---- early_res ---------------------------------------------------------- */

struct oe820_res {
	uint64_t start, end;
	char name[16];
	bool overlap_ok;
};

struct oe820_early {
	uint32_t max, nr;
	struct oe820_res *r;
	/* scratch for reserve and find_e820_area, in r's block: no
	 * allocation per operation */
	struct oe820_res *keep, *pieces;
	uint64_t *cand;
};

int oe820_early_init(struct oe820_early *o, uint32_t max);
void oe820_early_free(struct oe820_early *o);
int oe820_early_reserve(struct oe820_early *o, uint64_t start, uint64_t end, const char *name,
		     bool overlap_ok, struct props_expect *x);
int oe820_early_free_range(struct oe820_early *o, uint64_t start, uint64_t end,
			struct props_expect *x);
/* find_e820_area over the oracle's e820 table. */
int oe820_find_e820_area(const struct oe820_early *o, const struct oe820 *e, uint64_t start,
		      uint64_t end, uint64_t size, uint64_t align, uint64_t *out,
		      struct props_expect *x);

/* ---- ARM meminfo -------------------------------------------------------- */

struct oe820_bank {
	uint64_t start, size;
	int node;
	bool highmem;
};

struct oe820_meminfo {
	uint32_t max, nr;
	struct oe820_bank *b;
	bool checked, highmem;
	uint64_t vmalloc_min, lowmem_end;
};

int oe820_meminfo_init(struct oe820_meminfo *o, uint32_t max);
void oe820_meminfo_free(struct oe820_meminfo *o);
int oe820_meminfo_add(struct oe820_meminfo *o, uint64_t start, uint64_t size, int node,
		   struct props_expect *x);
int oe820_meminfo_check(struct oe820_meminfo *o, uint64_t phys_offset, uint64_t vmalloc_reserve,
		     bool highmem, struct props_expect *x);

#endif
