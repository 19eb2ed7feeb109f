/*
 * What the fault and page-table scenario files share: a machine under one
 * of the test configurations (profile x zero page x reuse rule), with one
 * node of 8 MiB at 16 MiB handed over, watermarks, mm_fault_init, and
 * process 0 with 256 KiB of read-write anonymous memory at 0x40000000.
 */
#ifndef MMSIM_TESTS_FAULT_ENV_H
#define MMSIM_TESTS_FAULT_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mmsim.h"

#define ENV_START 0x1000u
#define ENV_PAGES 0x800u
#define ENV_VMA 0x40000000ull

struct fault_conf {
	const char *name;
	uint32_t profile;
	bool zero_page, refcount;
};

static const struct fault_conf fault_confs[] = {
	{ "x86_32/zero/refcount", MM_PROFILE_X86_32, true, true },
	{ "x86_32/nozero/mapcount", MM_PROFILE_X86_32, false, false },
	{ "pae/zero/mapcount", MM_PROFILE_X86_PAE, true, false },
	{ "pae/nozero/refcount", MM_PROFILE_X86_PAE, false, true },
	{ "arm/zero/refcount", MM_PROFILE_ARM, true, true },
	{ "arm/nozero/mapcount", MM_PROFILE_ARM, false, false },
	{ "arm/zero/mapcount", MM_PROFILE_ARM, true, false },
	{ "x86_32/nozero/refcount", MM_PROFILE_X86_32, false, true },
};

static inline struct mm_machine *env_make(const struct fault_conf *fc, uint32_t hardening)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	uint32_t id;
	uint64_t at;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.profile = fc->profile;
	cfg.features &= ~(uint32_t)(MM_FEAT_ZERO_PAGE | MM_FEAT_REUSE_REFCOUNT);
	cfg.features |= (fc->zero_page ? MM_FEAT_ZERO_PAGE : 0) | (fc->refcount ? MM_FEAT_REUSE_REFCOUNT : 0);
	cfg.hardening = hardening;
	if (mm_machine_create(&cfg, &m))
		return NULL;
	if (mm_node_add(m, 0, ENV_START, ENV_START + ENV_PAGES) || mm_free_area_init(m) ||
	    mm_free_pages_bootmem(m, ENV_START, 10) || mm_free_pages_bootmem(m, ENV_START + 0x400, 10) ||
	    mm_setup_per_zone_wmarks(m) || mm_fault_init(m) || mm_mm_alloc(m, &id) ||
	    mm_do_mmap(m, id, ENV_VMA, 0x40000, MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, &at)) {
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

static inline mm_pfn_t env_pfn(struct mm_machine *m, uint32_t id, uint64_t va)
{
	struct mm_pte_info pi;
	return mm_follow_page(m, id, va, &pi) ? (mm_pfn_t)-1 : pi.pfn;
}

static inline uint32_t env_flags(struct mm_machine *m, uint32_t id, uint64_t va)
{
	struct mm_pte_info pi;
	return mm_follow_page(m, id, va, &pi) ? 0 : pi.flags;
}

static inline int env_mapcount(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_page_info pi;
	return mm_page_info(m, pfn, &pi) ? -100 : pi.mapcount + 1;
}

static inline int env_refcount(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_page_info pi;
	return mm_page_info(m, pfn, &pi) ? -100 : pi.refcount;
}

#endif
