/*
 * The page-frame database: one struct mm_page per frame, in sparse sections
 * (as SPARSEMEM has them), so a machine with memory at 0 and at 60 GiB pays
 * only for the sections its nodes span. A pfn whose page was never created
 * is a hole: pfn_to_page gives NULL, as pfn_valid() would say false.
 */
#include <stdlib.h>

#include "internal.h"

#define SECTION_SHIFT 12 /* 4096 pages, 16 MiB per section */
#define PAGES_PER_SECTION ((uint64_t)1 << SECTION_SHIFT)
#define MM_PG_VALID (1u << 31) /* the page was created by add_range */

struct mm_memmap {
	/* nr_sections pointers, NULL = no memmap; the directory itself is
	 * allocated by the first add_range, so a machine that never builds a
	 * memmap (the firmware-map and memblock stages) pays nothing for it */
	struct mm_page **sections;
	uint64_t nr_sections;
	uint64_t used_sections; /* sections[i] is NULL for every i >= used_sections */
	uint64_t nr_pages;
};

int mm_memmap_init(struct mm_machine *m)
{
	struct mm_memmap *mm = calloc(1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	mm->nr_sections = mm_profile_max_pfn(m) >> SECTION_SHIFT;
	m->memmap = mm;
	return 0;
}

void mm_memmap_destroy(struct mm_machine *m)
{
	struct mm_memmap *mm = m->memmap;
	if (!mm)
		return;
	for (uint64_t i = 0; i < mm->used_sections; i++)
		if (mm->sections[i])
			free(mm->sections[i]);
	free(mm->sections);
	free(mm);
	m->memmap = NULL;
}

int mm_memmap_add_range(struct mm_machine *m, mm_pfn_t start_pfn, mm_pfn_t end_pfn)
{
	struct mm_memmap *mm = m->memmap;
	uint64_t max = mm->nr_sections << SECTION_SHIFT;

	if (start_pfn > end_pfn || end_pfn > max)
		return -EINVAL;
	if (!mm->sections) {
		mm->sections = calloc(mm->nr_sections, sizeof(*mm->sections));
		if (!mm->sections)
			return -ENOMEM;
	}
	/* Allocate every section first so a host OOM leaves nothing half done. */
	for (uint64_t s = start_pfn >> SECTION_SHIFT; start_pfn < end_pfn &&
	     s <= (end_pfn - 1) >> SECTION_SHIFT; s++) {
		if (mm->sections[s])
			continue;
		mm->sections[s] = calloc(PAGES_PER_SECTION, sizeof(struct mm_page));
		if (!mm->sections[s])
			return -ENOMEM;
		if (s >= mm->used_sections)
			mm->used_sections = s + 1;
	}
	for (mm_pfn_t pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct mm_page *p = &mm->sections[pfn >> SECTION_SHIFT][pfn & (PAGES_PER_SECTION - 1)];
		if (p->flags & MM_PG_VALID)
			continue;
		*p = (struct mm_page){ .pfn = pfn, .flags = MM_PG_VALID | MM_PG_RESERVED,
				       .refcount = 1, .mapcount = -1 };
		mm->nr_pages++;
	}
	return 0;
}

struct mm_page *mm_pfn_to_page(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_memmap *mm = m->memmap;
	struct mm_page *sec;
	if (pfn >> SECTION_SHIFT >= mm->used_sections)
		return NULL;
	sec = mm->sections[pfn >> SECTION_SHIFT];
	if (!sec || !(sec[pfn & (PAGES_PER_SECTION - 1)].flags & MM_PG_VALID))
		return NULL;
	return &sec[pfn & (PAGES_PER_SECTION - 1)];
}

uint64_t mm_memmap_nr_pages(const struct mm_machine *m)
{
	return m->memmap->nr_pages;
}
