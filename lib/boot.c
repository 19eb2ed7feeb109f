/*
 * The arch's boot steps between stages (arch/x86/mm/init_32.c): what
 * mem_init does once the boot allocator has handed its lowmem over. Only the
 * highmem step so far: every RAM page of the HIGHMEM zones that the boot
 * allocator does not hold reserved goes to the buddy allocator, from the
 * e820 map minus the early reservations in 2.6.29
 * (add_highpages_with_active_regions), from memblock's free ranges in the
 * modern kernels (free_highpages).
 *
 * Departures from the kernel: each run of free highmem pages goes out as
 * maximal aligned blocks, not one page at a time (with fully merged free
 * lists and no shuffle the free lists come out the same); a second call is
 * refused with an AFTER_HANDOFF report in bootmem's name (the kernel runs
 * the step once). A page that cannot go is reported and skipped.
 */
#include <stdlib.h>

#include "internal.h"

struct mm_boot_state {
	bool highmem_done; /* mm_free_highpages ran */
};

int mm_boot_init(struct mm_machine *m)
{
	m->boot = mm_state_zalloc(m, sizeof(*m->boot));
	return m->boot ? 0 : -ENOMEM;
}

void mm_boot_destroy(struct mm_machine *m)
{
	if (!m || !m->boot)
		return;
	mm_state_free(m, m->boot);
	m->boot = NULL;
}

/* One flag, any value of which is consistent: nothing to verify. */
int mm_boot_verify(struct mm_machine *m)
{
	(void)m;
	return 0;
}

/* 2.6.29: e820 RAM (page-trimmed per entry) minus early_res (outward). */
static int highpages_e820(struct mm_machine *m, mm_pfn_t lo, mm_pfn_t hi, uint64_t *count)
{
	uint32_t nr = mm_e820_nr_entries(m), nres = mm_early_res_count(m), nint = 0;
	mm_pfn_t (*res)[2] = calloc(nres ? nres : 1, sizeof(*res));

	if (!res)
		return -ENOMEM;
	/* the reservations as pfn intervals, sorted by start (insertion sort) */
	for (uint32_t k = 0; k < nres; k++) {
		struct mm_early_res r;
		uint32_t j;
		if (mm_early_res_get(m, k, &r) || r.start >= r.end)
			continue;
		for (j = nint; j && res[j - 1][0] > MM_PFN_DOWN(r.start); j--) {
			res[j][0] = res[j - 1][0];
			res[j][1] = res[j - 1][1];
		}
		res[j][0] = MM_PFN_DOWN(r.start);
		res[j][1] = mm_pfn_up(r.end);
		nint++;
	}
	for (uint32_t i = 0; i < nr; i++) {
		struct mm_e820_entry e;
		mm_pfn_t pfn, t;
		uint32_t k = 0;
		if (mm_e820_get(m, i, &e) || e.type != MM_E820_RAM || !e.size)
			continue;
		pfn = MM_MAX(mm_pfn_up(e.addr), lo);
		t = MM_MIN(MM_PFN_DOWN(mm_range_end(e.addr, e.size)), hi);
		while (pfn < t) {
			mm_pfn_t stop;
			while (k < nint && res[k][1] <= pfn)
				k++;
			/* reservations are sorted by start but may nest: take
			 * the furthest end among those covering pfn */
			if (k < nint && res[k][0] <= pfn) {
				mm_pfn_t skip = pfn;
				for (uint32_t j = k; j < nint && res[j][0] <= pfn; j++)
					skip = MM_MAX(skip, res[j][1]);
				pfn = skip;
				continue;
			}
			/* every earlier reservation ends at or below pfn, so the
			 * free run lasts until the next one starts */
			stop = k < nint ? MM_MIN(res[k][0], t) : t;
			*count += mm_page_alloc_free_highmem(m, pfn, stop);
			pfn = stop;
		}
	}
	free(res);
	return 0;
}

/* Modern: one free memblock range of highmem, page by page to the buddy
 * allocator (the pages it cannot take are reported and skipped). */
static bool highpages_range(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e, void *arg)
{
	uint64_t *count = arg;
	*count += mm_page_alloc_free_highmem(m, s, e);
	return true;
}

int mm_free_highpages(struct mm_machine *m, uint64_t *count)
{
	struct mm_boot_state *st;
	uint64_t total = 0;
	mm_pfn_t lo, hi;

	if (!m)
		return -EINVAL;
	st = m->boot;
	if (st->highmem_done) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_AFTER_HANDOFF, 0,
			  "free_highpages: highmem already handed to the buddy allocator");
		return -EINVAL;
	}
	lo = MM_MIN(MM_PFN_DOWN(mm_lowmem_limit(m)), mm_profile_max_pfn(m));
	hi = mm_profile_max_pfn(m);
	if (m->cfg.era == MM_ERA_MODERN)
		mm_memblock_free_ranges(m, lo, hi, highpages_range, &total);
	else if (highpages_e820(m, lo, hi, &total))
		return -ENOMEM;
	st->highmem_done = true;
	if (count)
		*count = total;
	return 0;
}
