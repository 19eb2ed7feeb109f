/*
 * The page-frame database: one struct mm_page per frame.
 *
 * The kernel keeps it flat per node (node_mem_map) or in fixed sections
 * (SPARSEMEM). mmsim keeps one array per range the arch registers, sized to
 * the range exactly, sorted by pfn: a machine pays for the frames it has, in
 * one host allocation per range, whatever the size of its address space.
 * A pfn outside every range is a hole: pfn_to_page gives NULL, as pfn_valid()
 * would say false. Look-up is a binary search, with the last range hit tried
 * first (walks and buddy merges stay inside one range).
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

#define MEMMAP_MAX_CHUNKS 256

struct memmap_chunk {
	mm_pfn_t start, end; /* [start, end) */
	struct mm_page *pages;
	size_t bytes; /* of pages, as allocated (host.c recycles by size) */
};

struct mm_memmap {
	struct memmap_chunk *chunk; /* sorted, disjoint; grown by doubling */
	uint32_t nr_chunks, cap;
	uint32_t last; /* index of the last chunk a look-up hit */
	uint64_t nr_pages;
};

int mm_memmap_init(struct mm_machine *m)
{
	m->memmap = mm_state_zalloc(m, sizeof(*m->memmap));
	return ALWAYS(m->memmap) ? 0 : -ENOMEM; /* else host out of memory */
}

void mm_memmap_destroy(struct mm_machine *m)
{
	struct mm_memmap *mm = m->memmap;
	if (NEVER(!mm)) /* only after a host allocation failure in create */
		return;
	for (uint32_t i = 0; i < mm->nr_chunks; i++)
		mm_host_free(mm->chunk[i].pages, mm->chunk[i].bytes);
	mm_host_free(mm->chunk, mm->cap * sizeof(*mm->chunk));
	mm_state_free(m, mm);
	m->memmap = NULL;
}

/* A memmap array. One of many megabytes (a 16 GiB machine's is 224 MiB)
 * is asked to be backed by huge pages where the host has them (Linux THP
 * in madvise mode): the hand-off streams through every page of it, and
 * with 4 KiB host pages its first touch costs a host page fault per 73
 * struct pages, which came to most of the hand-off's time at 16 GiB. */
#define MEMMAP_HUGE (2u << 20)

static void *memmap_array_alloc(size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	if (bytes >= 4 * (size_t)MEMMAP_HUGE) {
		void *p = NULL;
		int err = posix_memalign(&p, MEMMAP_HUGE, bytes);
		(void)err; /* unused where NEVER() is 0 (the coverage build) */
		if (NEVER(err)) /* host out of memory */
			return NULL;
		(void)madvise(p, bytes & ~((size_t)MEMMAP_HUGE - 1), MADV_HUGEPAGE);
		return p;
	}
#endif
	return mm_host_alloc(bytes, false);
}

/* Index of the first chunk whose end is above pfn (nr_chunks if none). */
static uint32_t chunk_search(const struct mm_memmap *mm, mm_pfn_t pfn)
{
	uint32_t lo = 0, hi = mm->nr_chunks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mm->chunk[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Initialise pages[from - start, to - start) as new pages of nid/zone. */
static MM_ARRAY_WALK void pages_init(struct mm_page *pages, mm_pfn_t start, mm_pfn_t from,
				      mm_pfn_t to, uint8_t nid, uint8_t zone)
{
	/* Field by field (a struct copy per page is a library call in the
	 * sanitizer builds), through an aligned pointer (no per-field
	 * alignment check), to a pointer bound (no trace-cmp hook), with one
	 * ASan check for the stretch: every page of every input is built here. */
	struct mm_page *q = MM_PAGE_ALIGNED(pages) + (from - start), *const qe = q + (to - from);
	mm_track_check(q, (to - from) * sizeof(*q));
	for (mm_pfn_t pfn = from; q != qe; q++, pfn++) {
		q->pfn = pfn;
		q->flags = MM_PG_RESERVED;
		q->refcount = 1;
		q->mapcount = -1;
		q->private = 0;
		q->zone = zone;
		q->nid = nid;
		q->free_mark = 0;
		q->pad = 0;
		q->lru_next = q->lru_prev = NULL;
		q->mapping = 0;
	}
}

/* Insert a new chunk for [start, end) (uncovered) at index i, its pages
 * linked to node nid and the zones that begin at zone_start[0], [1]. */
static int chunk_insert(struct mm_memmap *mm, uint32_t i, mm_pfn_t start, mm_pfn_t end,
			uint8_t nid, const mm_pfn_t zone_start[2])
{
	struct mm_page *pages;
	mm_pfn_t cut[2];
	if (mm->nr_chunks == MEMMAP_MAX_CHUNKS)
		return -ENOSPC;
	if (mm->nr_chunks == mm->cap) {
		uint32_t ncap = mm->cap ? mm->cap * 2 : 4;
		/* from host.c's rings: a machine per fuzz input made this its
		 * one host malloc left, from ASan's cold quarantine */
		struct memmap_chunk *nc = mm_host_alloc(ncap * sizeof(*nc), false);
		if (NEVER(!nc)) /* host out of memory */
			return -ENOMEM;
		if (mm->nr_chunks)
			memcpy(nc, mm->chunk, mm->nr_chunks * sizeof(*nc));
		mm_host_free(mm->chunk, mm->cap * sizeof(*nc));
		mm->chunk = nc;
		mm->cap = ncap;
	}
	pages = memmap_array_alloc((size_t)(end - start) * sizeof(*pages));
	if (NEVER(!pages)) /* host out of memory */
		return -ENOMEM;
	/* set_page_links as the pages are made: one stretch per zone */
	for (int z = 0; z < 2; z++)
		cut[z] = MM_MIN(MM_MAX(zone_start[z], z ? cut[0] : start), end);
	pages_init(pages, start, start, cut[0], nid, 0);
	pages_init(pages, start, cut[0], cut[1], nid, 1);
	pages_init(pages, start, cut[1], end, nid, 2);
	memmove(&mm->chunk[i + 1], &mm->chunk[i], (mm->nr_chunks - i) * sizeof(mm->chunk[0]));
	mm->chunk[i] = (struct memmap_chunk){ start, end, pages, (size_t)(end - start) * sizeof(*pages) };
	mm->nr_chunks++;
	mm->nr_pages += end - start;
	mm->last = 0;
	return 0;
}

MM_ARRAY_WALK int mm_memmap_verify(struct mm_machine *m)
{
	const struct mm_memmap *mm = m->memmap;
	uint64_t pages = 0;

	MM_VERIFY(m, mm->nr_chunks <= mm->cap, "memmap: %u arrays, room for %u", mm->nr_chunks,
		  mm->cap);
	MM_VERIFY(m, mm->last < mm->nr_chunks || !mm->nr_chunks, "memmap: cached array %u of %u",
		  mm->last, mm->nr_chunks);
	for (uint32_t i = 0; i < mm->nr_chunks; i++) {
		const struct memmap_chunk *c = &mm->chunk[i];
		MM_VERIFY(m, c->pages && c->start < c->end, "memmap array %u: [%#llx, %#llx)", i,
			  (unsigned long long)c->start, (unsigned long long)c->end);
		MM_VERIFY(m, !i || mm->chunk[i - 1].end <= c->start,
			  "memmap arrays %u and %u overlap or are out of order", i - 1, i);
		/* every page, not only the edges: page_alloc finds a block's
		 * pages by index and trusts each page's pfn field */
		mm_track_check(c->pages, (size_t)(c->end - c->start) * sizeof(*c->pages));
		for (mm_pfn_t k = 0; k < c->end - c->start; k++)
			MM_VERIFY(m, c->pages[k].pfn == c->start + k,
				  "memmap array %u: page of pfn %#llx names pfn %#llx", i,
				  (unsigned long long)(c->start + k),
				  (unsigned long long)c->pages[k].pfn);
		pages += c->end - c->start;
	}
	MM_VERIFY(m, pages == mm->nr_pages, "memmap: %llu pages counted, arrays hold %llu",
		  (unsigned long long)mm->nr_pages, (unsigned long long)pages);
	return 0;
}

void mm_memmap_view(struct mm_machine *m, struct mm_memmap_view *v)
{
	struct mm_memmap *mm = m->memmap;
	*v = (struct mm_memmap_view){ &mm->nr_chunks, &mm->cap, &mm->last, &mm->nr_pages,
				      mm->nr_chunks ? &mm->chunk[0].start : NULL,
				      mm->nr_chunks ? &mm->chunk[0].end : NULL };
}

int mm_memmap_add_range(struct mm_machine *m, mm_pfn_t start_pfn, mm_pfn_t end_pfn, int nid,
			const mm_pfn_t zone_start[2])
{
	struct mm_memmap *mm = m->memmap;
	mm_pfn_t pfn = start_pfn;

	/* node_span_check and mm_memory_present checked the span */
	if (NEVER(start_pfn > end_pfn || end_pfn > mm_profile_max_pfn(m)))
		return -EINVAL;
	/* Fill the gaps between existing chunks, left to right. Each insert
	 * is whole or nothing; a failure part way leaves the earlier gaps
	 * filled, which is harmless (pages that exist are left alone). */
	while (pfn < end_pfn) {
		uint32_t i = chunk_search(mm, pfn);
		mm_pfn_t gap_end = end_pfn;
		int ret;
		if (i < mm->nr_chunks && mm->chunk[i].start <= pfn) {
			pfn = mm->chunk[i].end; /* already covered */
			continue;
		}
		if (i < mm->nr_chunks && mm->chunk[i].start < gap_end)
			gap_end = mm->chunk[i].start;
		ret = chunk_insert(mm, i, pfn, gap_end, (uint8_t)nid, zone_start);
		if (ret)
			return ret;
		pfn = gap_end;
	}
	return 0;
}

struct mm_page *mm_pfn_to_page(struct mm_machine *m, mm_pfn_t pfn)
{
	struct mm_memmap *mm = m->memmap;
	const struct memmap_chunk *c;
	uint32_t i = mm->last;

	if (i < mm->nr_chunks && mm->chunk[i].start <= pfn && pfn < mm->chunk[i].end)
		return &mm->chunk[i].pages[pfn - mm->chunk[i].start];
	i = chunk_search(mm, pfn);
	if (i >= mm->nr_chunks)
		return NULL;
	c = &mm->chunk[i];
	if (pfn < c->start)
		return NULL;
	mm->last = i;
	return &c->pages[pfn - c->start];
}

bool mm_memmap_contig(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr)
{
	struct mm_memmap *mm = m->memmap;
	uint32_t i = mm->last;

	/* the block being freed or checked is almost always in the range the
	 * last look-up hit (its head was just looked up) */
	if (!(i < mm->nr_chunks && mm->chunk[i].start <= pfn && pfn < mm->chunk[i].end))
		i = chunk_search(mm, pfn);
	return nr && i < mm->nr_chunks && mm->chunk[i].start <= pfn &&
	       nr <= mm->chunk[i].end - pfn;
}

struct mm_page *mm_memmap_run(struct mm_machine *m, mm_pfn_t pfn, mm_pfn_t end,
			      mm_pfn_t *run_end)
{
	struct mm_memmap *mm = m->memmap;
	const struct memmap_chunk *c;
	uint32_t i = mm->last;

	if (!(i < mm->nr_chunks && mm->chunk[i].start <= pfn && pfn < mm->chunk[i].end))
		i = chunk_search(mm, pfn);
	if (i >= mm->nr_chunks) {
		*run_end = end;
		return NULL;
	}
	c = &mm->chunk[i];
	if (pfn < c->start) {
		/* a hole up to the next range */
		*run_end = MM_MIN(c->start, end);
		return NULL;
	}
	mm->last = i;
	*run_end = MM_MIN(c->end, end);
	return &c->pages[pfn - c->start];
}
