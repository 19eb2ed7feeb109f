/*
 * Oracles for the firmware-map stages: e820, early_res, ARM meminfo, and the
 * byte set that e820/meminfo hand to memblock. Written from
 * semantics.md §1 and §2, simple and slow on purpose (sanitize is brute
 * force over boundary points). They call no library code and share no
 * helper with lib/; only the public constants (types, report kinds) are
 * common.
 */
#ifndef MMSIM_PROPS_ORACLE_E820_H
#define MMSIM_PROPS_ORACLE_E820_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmsim/mmsim.h"

/* Reports an operation is expected to raise, by kind. */
struct or_reports {
	uint32_t n[MM_REPORT_NR];
};

/* ---- e820 --------------------------------------------------------------- */

struct or_e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

struct or_e820 {
	uint32_t max;
	uint32_t nr, fw_nr;
	struct or_e820_entry *t, *fw;
	bool remove_split; /* MM_FEAT_E820_REMOVE_SPLIT */
	uint64_t max_pfn;  /* profile limit of end_of_ram_pfn */
	/* scratch for sanitize */
	uint64_t *pts;
	struct or_e820_entry *out;
};

int or_e820_init(struct or_e820 *o, uint32_t max, bool remove_split, uint64_t max_pfn);
void or_e820_free(struct or_e820 *o);
int or_e820_add(struct or_e820 *o, uint64_t addr, uint64_t size, uint32_t type,
		struct or_reports *rep);
int or_e820_sanitize(struct or_e820 *o);
int or_e820_update(struct or_e820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   uint32_t new_type, uint64_t *changed, struct or_reports *rep);
int or_e820_remove(struct or_e820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   bool check_type, uint64_t *removed, struct or_reports *rep);
int or_e820_mem_limit(struct or_e820 *o, uint64_t limit, struct or_reports *rep);
int or_e820_import(struct or_e820 *o, const struct or_e820_entry *e, uint32_t nr,
		   struct or_reports *rep);
uint64_t or_e820_end_of_ram_pfn(const struct or_e820 *o);
/* The boot-log text of the table, snprintf-style (returns the full length). */
size_t or_e820_format(const struct or_e820 *o, const char *prefix, char *buf, size_t len);
/* The type word as the boot log prints it; "type N" goes to buf. */
const char *or_e820_type_text(uint32_t type, char *buf, size_t len);

/* ---- early_res ---------------------------------------------------------- */

struct or_res {
	uint64_t start, end;
	char name[16];
	bool overlap_ok;
};

struct or_early {
	uint32_t max, nr;
	struct or_res *r;
	/* scratch for reserve and find_e820_area, in r's block: no
	 * allocation per operation */
	struct or_res *keep, *pieces;
	uint64_t *cand;
};

int or_early_init(struct or_early *o, uint32_t max);
void or_early_free(struct or_early *o);
int or_early_reserve(struct or_early *o, uint64_t start, uint64_t end, const char *name,
		     bool overlap_ok, struct or_reports *rep);
int or_early_free_range(struct or_early *o, uint64_t start, uint64_t end,
			struct or_reports *rep);
/* find_e820_area over the oracle's e820 table. */
int or_find_e820_area(const struct or_early *o, const struct or_e820 *e, uint64_t start,
		      uint64_t end, uint64_t size, uint64_t align, uint64_t *out,
		      struct or_reports *rep);

/* ---- ARM meminfo -------------------------------------------------------- */

struct or_bank {
	uint64_t start, size;
	int node;
	bool highmem;
};

struct or_meminfo {
	uint32_t max, nr;
	struct or_bank *b;
	bool checked, highmem;
	uint64_t vmalloc_min, lowmem_end;
};

int or_meminfo_init(struct or_meminfo *o, uint32_t max);
void or_meminfo_free(struct or_meminfo *o);
int or_meminfo_add(struct or_meminfo *o, uint64_t start, uint64_t size, int node,
		   struct or_reports *rep);
int or_meminfo_check(struct or_meminfo *o, uint64_t phys_offset, uint64_t vmalloc_reserve,
		     bool highmem, struct or_reports *rep);

/* ---- the byte set memblock.memory should cover --------------------------- */

struct or_span {
	uint64_t start, end; /* [start, end) */
};

struct or_set {
	uint32_t nr, cap;
	struct or_span *s;
};

void or_set_free(struct or_set *o);
int or_set_clear(struct or_set *o);
/* Add [start, end) (end > start), merging touching spans. */
int or_set_add(struct or_set *o, uint64_t start, uint64_t end);
/* memblock_trim_memory(PAGE_SIZE) on maximal runs. */
void or_set_trim(struct or_set *o);
/* e820__memblock_setup's effect on the memory set; narrow = 32-bit
 * resource_size_t (entries ending above 4 GiB skipped). */
int or_set_e820_setup(struct or_set *o, const struct or_e820 *e, bool narrow);
int or_set_meminfo_setup(struct or_set *o, const struct or_meminfo *mi);

#endif
