/*
 * early_res: 2.6.29's earliest allocator (arch/x86/kernel/e820.c of 2.6.29).
 *
 * An unsorted table of MAX_EARLY_RES {start, end, name, overlap_ok} slots,
 * slot 0 preset to the BIOS data page [0, PAGE_SIZE), the first slot with
 * end == 0 ending the list; reserve_early drops or trims overlapping
 * overlap_ok entries (their surviving lower/upper parts re-added at the end
 * of the list) and refuses any other overlap; free_early needs an exact
 * match; find_e820_area is a first fit over the RAM entries of the working
 * e820 table in table order, bumping past reservations, and reserves nothing.
 *
 * Departures: the kernel's panics ("Overlapping early reservations", "Too
 * many early reservations", "free_early on not reserved area") are refused
 * calls with an OVERLAP / TABLE_FULL / BUG report and nothing changed (the
 * kernel may have dropped overlap_ok entries before it panics).
 * reserve_early_overlap_ok with start >= end is ignored like reserve_early
 * (the kernel would store the inverted range). free_early with start >= end
 * is a BUG report (the kernel's free_early(0, 0) happens to be a no-op). In
 * find_e820_area an alignment round-up or a candidate end that would wrap
 * past 2^64 ends the search in that e820 entry, where the kernel's u64
 * arithmetic would wrap (and could loop forever).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EARLY_RES_DEFAULT_MAX 20u

struct mm_early_res_state {
	uint32_t max;
	uint32_t nr; /* slots in use: [0, nr); slot nr (if any) has end == 0 */
	struct mm_early_res *res;
};

/* ---- table helpers ---------------------------------------------------- */

/* Index of the first entry overlapping [start, end), or nr if none. */
static uint32_t find_overlapped_early(const struct mm_early_res_state *s, uint64_t start,
				      uint64_t end)
{
	uint32_t i;

	for (i = 0; i < s->nr; i++)
		if (end > s->res[i].start && start < s->res[i].end)
			break;
	return i;
}

/* Remove slot i, moving later slots down (drop_range). */
static void drop_range(struct mm_early_res_state *s, uint32_t i)
{
	memmove(&s->res[i], &s->res[i + 1], (s->nr - 1 - i) * sizeof(*s->res));
	s->nr--;
	memset(&s->res[s->nr], 0, sizeof(*s->res));
}

/* Append an entry in the first free slot; caller has checked for room. */
static void res_append(struct mm_early_res_state *s, uint64_t start, uint64_t end,
		       const char *name, bool overlap_ok)
{
	struct mm_early_res *r = &s->res[s->nr++];

	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->overlap_ok = overlap_ok;
	if (name)
		strncpy(r->name, name, sizeof(r->name) - 1);
}

int mm_early_res_init(struct mm_machine *m)
{
	struct mm_early_res_state *s;
	uint32_t max = m->cfg.early_res_max ? m->cfg.early_res_max : EARLY_RES_DEFAULT_MAX;

	if (max < 1 || max > 65536)
		return -EINVAL;
	s = mm_state_zalloc(m, sizeof(*s) + max * sizeof(*s->res));
	if (!s)
		return -ENOMEM;
	s->res = (struct mm_early_res *)(s + 1);
	s->max = max;
	m->early_res = s;
	res_append(s, 0, MM_PAGE_SIZE, "BIOS data page", false);
	return 0;
}

void mm_early_res_destroy(struct mm_machine *m)
{
	struct mm_early_res_state *s = m ? m->early_res : NULL;

	if (!s)
		return;
	mm_state_free(m, s);
	m->early_res = NULL;
}

int mm_early_res_verify(struct mm_machine *m)
{
	const struct mm_early_res_state *s = m->early_res;

	MM_VERIFY(m, s && s->res, "early_res: state missing");
	MM_VERIFY(m, s->nr <= s->max, "early_res: %u entries in %u slots", s->nr, s->max);
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct mm_early_res *r = &s->res[i];
		MM_VERIFY(m, r->start < r->end, "early_res: entry %u [%#llx, %#llx) empty or inverted",
			  i, (unsigned long long)r->start, (unsigned long long)r->end);
		MM_VERIFY(m, memchr(r->name, '\0', sizeof(r->name)) != NULL,
			  "early_res: entry %u name not terminated", i);
		for (uint32_t j = 0; j < i; j++)
			MM_VERIFY(m, s->res[j].end <= r->start || r->end <= s->res[j].start,
				  "early_res: entries %u and %u overlap", j, i);
	}
	return 0;
}

/* Round x up to align (power of two); false if that would pass 2^64. */
static bool round_up_ok(uint64_t x, uint64_t align, uint64_t *out)
{
	uint64_t r = (x + (align - 1)) & ~(align - 1);

	if (r < x)
		return false;
	*out = r;
	return true;
}

/* ---- reserve / free ---------------------------------------------------- */

/* The common body of reserve_early and reserve_early_overlap_ok. */
static int reserve(struct mm_machine *m, uint64_t start, uint64_t end, const char *name,
		   bool overlap_ok)
{
	struct mm_early_res_state *s = m->early_res;
	uint32_t dropped = 0, pieces = 0;

	if (start >= end)
		return 0;
	/* Work out the kernel's outcome first, so a panic leaves no trace:
	 * any overlapped entry that is not overlap_ok panics; otherwise the
	 * overlapped ones are replaced by their parts outside [start, end),
	 * and the new entry needs one more slot. */
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct mm_early_res *r = &s->res[i];
		if (end <= r->start || start >= r->end)
			continue;
		if (!r->overlap_ok) {
			mm_report(m, MM_STAGE_EARLY_RES, MM_REPORT_OVERLAP, start,
				  "Overlapping early reservations %llx-%llx %s to %llx-%llx %s",
				  (unsigned long long)start, (unsigned long long)(end - 1),
				  name ? name : "", (unsigned long long)r->start,
				  (unsigned long long)(r->end - 1), r->name);
			return -EBUSY;
		}
		dropped++;
		pieces += (r->start < start) + (r->end > end);
	}
	if ((uint64_t)s->nr - dropped + pieces + 1 > s->max) {
		mm_report(m, MM_STAGE_EARLY_RES, MM_REPORT_TABLE_FULL, start,
			  "Too many early reservations");
		return -ENOSPC;
	}
	for (uint32_t i = 0; i < s->nr;) {
		struct mm_early_res r = s->res[i];
		if (end <= r.start || start >= r.end) {
			i++;
			continue;
		}
		drop_range(s, i);
		if (r.start < start)
			res_append(s, r.start, start, r.name, true);
		if (r.end > end)
			res_append(s, end, r.end, r.name, true);
	}
	res_append(s, start, end, name, overlap_ok);
	return 0;
}

int mm_reserve_early(struct mm_machine *m, uint64_t start, uint64_t end, const char *name)
{
	if (!m || !m->early_res)
		return -EINVAL;
	return reserve(m, start, end, name, false);
}

int mm_reserve_early_overlap_ok(struct mm_machine *m, uint64_t start, uint64_t end,
				const char *name)
{
	if (!m || !m->early_res)
		return -EINVAL;
	return reserve(m, start, end, name, true);
}

int mm_free_early(struct mm_machine *m, uint64_t start, uint64_t end)
{
	struct mm_early_res_state *s;
	uint32_t i;

	if (!m || !m->early_res)
		return -EINVAL;
	s = m->early_res;
	i = find_overlapped_early(s, start, end);
	if (start >= end || i >= s->nr || s->res[i].start != start || s->res[i].end != end) {
		mm_report(m, MM_STAGE_EARLY_RES, MM_REPORT_BUG, start,
			  "free_early on not reserved area: %llx-%llx!",
			  (unsigned long long)start, (unsigned long long)(end - 1));
		return -EINVAL;
	}
	drop_range(s, i);
	return 0;
}

/* ---- find_e820_area ---------------------------------------------------- */

int mm_find_e820_area(struct mm_machine *m, uint64_t start, uint64_t end, uint64_t size,
		      uint64_t align, uint64_t *out)
{
	const struct mm_early_res_state *s;
	uint32_t nr;

	if (!m || !m->early_res || !out) {
		if (m && !out)
			mm_report(m, MM_STAGE_EARLY_RES, MM_REPORT_INVALID_ARG, 0,
				  "find_e820_area: NULL result pointer");
		return -EINVAL;
	}
	*out = UINT64_MAX;
	if (!align)
		align = 1;
	if (!mm_is_pow2(align)) {
		mm_report(m, MM_STAGE_EARLY_RES, MM_REPORT_INVALID_ARG, align,
			  "find_e820_area: alignment %#llx is not a power of two",
			  (unsigned long long)align);
		return -EINVAL;
	}
	s = m->early_res;
	nr = mm_e820_nr_entries(m);
	for (uint32_t i = 0; i < nr; i++) {
		struct mm_e820_entry e;
		uint64_t addr, last, e_last;

		if (mm_e820_get(m, i, &e) || e.type != MM_E820_RAM)
			continue;
		e_last = e.addr + e.size;
		if (!round_up_ok(e.addr, align, &addr))
			continue;
		if (addr < start && !round_up_ok(start, align, &addr))
			continue;
		if (addr >= e_last)
			continue;
		for (;;) {
			uint32_t k;
			last = addr + size;
			if (last < addr || last > e_last)
				break;
			k = find_overlapped_early(s, addr, last);
			if (k >= s->nr)
				break;
			if (!round_up_ok(s->res[k].end, align, &addr))
				break;
		}
		last = addr + size;
		if (last < addr || last > e_last || last > end)
			continue;
		/* the loop only stops inside the entry with no overlap left */
		if (find_overlapped_early(s, addr, last) < s->nr)
			continue;
		*out = addr;
		return 0;
	}
	return -ENOMEM;
}

/* ---- queries ----------------------------------------------------------- */

uint32_t mm_early_res_count(const struct mm_machine *m)
{
	return m && m->early_res ? m->early_res->nr : 0;
}

int mm_early_res_get(const struct mm_machine *m, uint32_t i, struct mm_early_res *out)
{
	if (!m || !m->early_res || !out || i >= m->early_res->nr)
		return -EINVAL;
	*out = m->early_res->res[i];
	return 0;
}

uint32_t mm_early_res_max(const struct mm_machine *m)
{
	return m && m->early_res ? m->early_res->max : 0;
}

/* early_res_to_bootmem (arch/x86/kernel/e820.c of 2.6.29): every early
 * reservation, clipped to each bootmem node, becomes a reserve_bootmem of
 * the node (BOOTMEM_DEFAULT: outward to whole pages, which stay inside the
 * page-aligned node, and overlaps with what is already reserved are fine). */
int mm_early_res_to_bootmem(struct mm_machine *m)
{
	mm_pfn_t min_pfn, low_pfn;
	uint32_t count;
	int nid;

	if (!m)
		return -EINVAL;
	if (mm_bootmem_refuse_after(m, "early_res_to_bootmem"))
		return -EINVAL;
	count = mm_early_res_count(m);
	for (uint32_t i = 0; mm_bootmem_node_span(m, i, &nid, &min_pfn, &low_pfn); i++) {
		const uint64_t ns = MM_PFN_PHYS(min_pfn), ne = MM_PFN_PHYS(low_pfn);
		for (uint32_t k = 0; k < count; k++) {
			struct mm_early_res r;
			uint64_t s, e;
			int ret;
			if (mm_early_res_get(m, k, &r))
				continue;
			s = MM_MAX(ns, r.start);
			e = MM_MIN(ne, r.end);
			if (s >= e)
				continue;
			ret = mm_reserve_bootmem_node(m, nid, s, e - s, MM_BOOTMEM_DEFAULT);
			if (NEVER(ret))
				return ret;
		}
	}
	return 0;
}
