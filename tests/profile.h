/*
 * What the buddy scenario files share: a test profile (the era, address
 * profile and hardening switches a file runs all its scenarios under, one
 * profile after another; the scenarios read the current one through
 * `prof`), the hand-off of a pfn range in maximal blocks, and a one-node
 * machine with its zones (mk_buddy).
 */
#ifndef MMSIM_TESTS_PROFILE_H
#define MMSIM_TESTS_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mmsim.h"

struct profile {
	const char *name;
	uint32_t era, profile, hardening;
};

/* cfg as mm_config_default gives it for p's era, with p's profile and
 * hardening switches. */
static inline void profile_config(const struct profile *p, struct mm_config *cfg)
{
	mm_config_default(cfg, (enum mm_era)p->era);
	cfg->profile = p->profile;
	cfg->hardening = p->hardening;
}

/* Hand [start, end) over in maximal aligned blocks of at most max_order - 1,
 * each inside one zone (DMA below pfn 0x1000, NORMAL below lowmem_pfn). */
static inline int give(struct mm_machine *m, uint64_t start, uint64_t end, uint64_t lowmem_pfn,
		       unsigned max_order)
{
	uint64_t dma = lowmem_pfn < 0x1000 ? lowmem_pfn : 0x1000;
	for (uint64_t pfn = start; pfn < end;) {
		unsigned o = max_order - 1;
		for (;; o--) {
			uint64_t n = (uint64_t)1 << o, last = pfn + n - 1;
			bool same = (pfn < dma) == (last < dma) && (pfn < lowmem_pfn) == (last < lowmem_pfn);
			if ((!(pfn & (n - 1)) && pfn + n <= end && same) || !o)
				break;
		}
		if (mm_free_pages_bootmem(m, pfn, o))
			return -1;
		pfn += (uint64_t)1 << o;
	}
	return 0;
}

/* An x86_32 machine of era, cfg.lowmem_limit lowmem (0: the default), one
 * node [s, e) with its zones set up (free_area_init) and nothing handed over
 * yet; NULL if any step fails. */
static inline struct mm_machine *mk_buddy(enum mm_era era, uint64_t lowmem, uint64_t s, uint64_t e)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, era);
	cfg.profile = MM_PROFILE_X86_32;
	cfg.lowmem_limit = lowmem;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, s, e) || mm_free_area_init(m)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

#endif
