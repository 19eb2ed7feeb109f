/*
 * Oracle for x86 paging_init: the refusal rules and the bytes of the kernel
 * page table, written from the x86 entry formats (Intel SDM vol. 3, sections 4.3 and
 * 4.4) and pgtable.h's contract. Plain on purpose: pages found by linear
 * search, entries stored byte by byte, little-endian.
 */
#include <stdlib.h>
#include <string.h>

#include "oracle_paging.h"

#define P_PRESENT 0x001u
#define P_RW 0x002u
#define P_ACCESSED 0x020u
#define P_DIRTY 0x040u
#define P_PSE 0x080u
#define KERNEL_ENTRY (P_PRESENT | P_RW | P_ACCESSED | P_DIRTY)

bool opaging_args_ok(const struct opaging_args *a, bool pae, uint64_t lowmem_limit)
{
	const uint64_t addrs[] = { a->kernel_start, a->kernel_end, a->swapper, a->zero, a->lowmem_end };

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		if (addrs[i] % 4096)
			return false;
	if (a->kernel_start >= a->kernel_end)
		return false;
	if (a->swapper < a->kernel_start || a->swapper >= a->kernel_end)
		return false;
	if (a->zero < a->kernel_start || a->zero >= a->kernel_end || a->zero == a->swapper)
		return false;
	if (a->lowmem_end == 0 || a->lowmem_end > lowmem_limit || a->kernel_end > a->lowmem_end)
		return false;
	/* the direct map ends below the pkmap and fixmap spans, the top two
	 * PTE-table spans of the 1 GiB above PAGE_OFFSET */
	if (a->lowmem_end > 0x40000000ull - 2 * ((uint64_t)1 << opaging_span_shift(pae)))
		return false;
	return a->source == 0 || a->source == 1;
}

uint32_t opaging_tables(bool pae, bool large, uint64_t lowmem_end)
{
	uint64_t span = (uint64_t)1 << opaging_span_shift(pae);
	uint32_t n = 2; /* pkmap, fixmap */

	if (pae)
		n++; /* the kernel PMD */
	if (!large)
		n += (uint32_t)(lowmem_end / span + (lowmem_end % span != 0));
	return n;
}

static struct opaging_page *page_of(struct opaging *o, uint64_t pfn, bool make)
{
	/* the page taken last first: a PTE table's 512 or 1024 entries are
	 * written one after another, and a scan from the front for each made
	 * a build of a large direct map quadratic */
	if (o->nr && o->pg[o->nr - 1].pfn == pfn)
		return &o->pg[o->nr - 1];
	for (size_t i = 0; i < o->nr; i++)
		if (o->pg[i].pfn == pfn)
			return &o->pg[i];
	if (!make)
		return NULL;
	if (o->nr == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 64;
		struct opaging_page *np = realloc(o->pg, ncap * sizeof(*np));
		if (!np)
			abort(); /* the oracle has no failure path of its own */
		o->pg = np;
		o->cap = ncap;
	}
	o->pg[o->nr].pfn = pfn;
	return &o->pg[o->nr++];
}

static void clear_page(struct opaging *o, uint64_t pfn)
{
	memset(page_of(o, pfn, true)->bytes, 0, 4096);
}

/* An entry of `width` bytes at physical address pa, in a page cleared before. */
static void put(struct opaging *o, uint64_t pa, unsigned width, uint64_t v)
{
	struct opaging_page *p = page_of(o, pa / 4096, true);

	for (unsigned i = 0; i < width; i++)
		p->bytes[pa % 4096 + i] = (uint8_t)(v >> (8 * i));
}

struct layout {
	struct opaging *o;
	bool pae;
	uint64_t swapper, kpmd, next;
};

static uint64_t take(struct layout *l)
{
	uint64_t pa = l->next;

	l->next += 4096;
	clear_page(l->o, pa / 4096);
	return pa;
}

/* The kernel entry that maps va's 4 MiB (x86_32: the page directory) or
 * 2 MiB (PAE: the kernel PMD, which covers the top GiB). */
static uint64_t dir_entry(const struct layout *l, uint64_t va)
{
	if (l->pae)
		return l->kpmd + 8 * ((va >> 21) % 512);
	return l->swapper + 4 * (va >> 22);
}

static uint64_t pte_entry(const struct layout *l, uint64_t table, uint64_t va)
{
	if (l->pae)
		return table + 8 * ((va >> 12) % 512);
	return table + 4 * ((va >> 12) % 1024);
}

void opaging_build(struct opaging *o, const struct opaging_args *a, uint64_t run_start)
{
	struct layout l = { .o = o, .pae = o->pae, .swapper = a->swapper, .next = run_start };
	const unsigned w = o->pae ? 8 : 4;
	const uint64_t span = (uint64_t)1 << opaging_span_shift(o->pae);
	const uint64_t fixaddr = 0x100000000ull - span, pkmap = fixaddr - span;

	o->nr = 0;
	clear_page(o, a->swapper / 4096);
	l.kpmd = a->swapper;
	if (o->pae) {
		l.kpmd = take(&l);
		/* PDPT entry 3 (the top GiB): only the present bit is defined */
		put(o, a->swapper + 8 * 3, 8, l.kpmd | P_PRESENT);
	}
	for (uint64_t pa = 0; pa < a->lowmem_end; pa += span) {
		uint64_t va = OPAGING_PAGE_OFFSET + pa, table;

		if (a->large) {
			put(o, dir_entry(&l, va), w, pa | KERNEL_ENTRY | P_PSE);
			continue;
		}
		table = take(&l);
		put(o, dir_entry(&l, va), w, table | KERNEL_ENTRY);
		for (uint64_t off = 0; off < span && pa + off < a->lowmem_end; off += 4096)
			put(o, pte_entry(&l, table, va + off), w, (pa + off) | KERNEL_ENTRY);
	}
	put(o, dir_entry(&l, pkmap), w, take(&l) | KERNEL_ENTRY);
	put(o, dir_entry(&l, fixaddr), w, take(&l) | KERNEL_ENTRY);
}

void opaging_free(struct opaging *o)
{
	free(o->pg);
	memset(o, 0, sizeof(*o));
}

struct opaging_geometry opaging_geometry(uint32_t profile)
{
	switch (profile) {
	case 1: /* PAE: 2/9/9/12, 8-byte entries; a PTE table maps 2 MiB */
		return (struct opaging_geometry){ 3, 8, 21, 512, 1, 0xC0000000ull };
	case 2: /* ARM short descriptors: 16 KiB first level, 256-entry tables of 1 MiB */
		return (struct opaging_geometry){ 2, 4, 20, 256, 4, 0xBF000000ull };
	default: /* x86_32: 10/10/12, 4-byte entries; a PTE table maps 4 MiB */
		return (struct opaging_geometry){ 2, 4, 22, 1024, 1, 0xC0000000ull };
	}
}
