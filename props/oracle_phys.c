/*
 * Oracle for the machine core. Slow and plain on purpose: pages in an array,
 * found by linear search; a write first decides whether it fits, then copies
 * byte by byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_phys.h"

bool ophys_config_valid(uint64_t era, uint64_t profile, uint64_t e820_max, uint64_t early_res_max,
			uint64_t memblock_init, uint64_t nr_banks, uint64_t max_order,
			uint64_t lowmem_limit)
{
	if (era > 1 || profile > 2)
		return false;
	if (e820_max != 0 && (e820_max < 2 || e820_max > 4096))
		return false;
	if (early_res_max != 0 && (early_res_max < 2 || early_res_max > 1024))
		return false;
	if (memblock_init != 0 && (memblock_init < 4 || memblock_init > 4096))
		return false;
	if (nr_banks > 64 || max_order > 20)
		return false;
	return lowmem_limit % 4096 == 0;
}

bool ophys_cpus_valid(uint64_t nr_cpus)
{
	return nr_cpus <= 8;
}

void ophys_init(struct ophys *o, size_t backing_max)
{
	memset(o, 0, sizeof(*o));
	o->backing_max = backing_max ? backing_max : 16384;
}

void ophys_free(struct ophys *o)
{
	free(o->pages);
	memset(o, 0, sizeof(*o));
}

static struct ophys_page *find(struct ophys *o, uint64_t pfn)
{
	for (size_t i = 0; i < o->nr; i++)
		if (o->pages[i].pfn == pfn)
			return &o->pages[i];
	return NULL;
}

/* The end address addr + len must be representable: a range ending at
 * exactly 2^64 counts as wrapping, as it does for e820 entries. */
static bool wraps(uint64_t addr, size_t len)
{
	return len > 0 && UINT64_MAX - addr < len;
}

int ophys_write(struct ophys *o, uint64_t addr, const uint8_t *buf, size_t len, bool null_buf,
		struct props_expect *x)
{
	size_t need = 0;
	if (null_buf && len)
		return -EINVAL;
	if (wraps(addr, len)) {
		props_expect_report(x, MM_STAGE_CORE, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	/* pages touched by [addr, addr+len) that hold nothing yet */
	for (uint64_t pfn = addr / 4096; len && pfn <= (addr + len - 1) / 4096; pfn++)
		if (!find(o, pfn))
			need++;
	if (o->nr + need > o->backing_max)
		return -ENOMEM;
	/* page by page: find (or add) the page, then copy its bytes */
	for (size_t i = 0; i < len;) {
		uint64_t pfn = (addr + i) / 4096, off = (addr + i) % 4096;
		struct ophys_page *p = find(o, pfn);
		if (!p) {
			if (o->nr == o->cap) {
				size_t ncap = o->cap ? o->cap * 2 : 16;
				struct ophys_page *np = realloc(o->pages, ncap * sizeof(*np));
				if (!np)
					abort(); /* the oracle has no failure path of its own */
				o->pages = np;
				o->cap = ncap;
			}
			p = &o->pages[o->nr++];
			p->pfn = pfn;
			memset(p->bytes, 0, sizeof(p->bytes));
		}
		for (; off < 4096 && i < len; off++, i++)
			p->bytes[off] = buf[i];
	}
	return 0;
}

int ophys_read(struct ophys *o, uint64_t addr, uint8_t *out, size_t len, bool null_buf,
	       struct props_expect *x)
{
	if (null_buf && len)
		return -EINVAL;
	if (wraps(addr, len)) {
		props_expect_report(x, MM_STAGE_CORE, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	for (size_t i = 0; i < len;) {
		uint64_t off = (addr + i) % 4096;
		struct ophys_page *p = find(o, (addr + i) / 4096);
		for (; off < 4096 && i < len; off++, i++)
			out[i] = p ? p->bytes[off] : 0;
	}
	return 0;
}

void ophys_zero(struct ophys *o, uint64_t addr, uint64_t len)
{
	uint64_t end = UINT64_MAX - addr < len ? UINT64_MAX : addr + len;

	/* written pages only: a page never written already reads as zeros */
	for (size_t i = 0; i < o->nr;) {
		struct ophys_page *p = &o->pages[i];
		uint64_t pa = p->pfn * 4096, lo = addr > pa ? addr : pa;
		uint64_t hi = end - pa < 4096 ? end : pa + 4096;

		if (lo >= hi || end <= pa) {
			i++;
			continue;
		}
		if (lo == pa && hi - pa == 4096) {
			*p = o->pages[--o->nr]; /* order does not matter */
			continue;
		}
		memset(p->bytes + (lo - pa), 0, hi - lo);
		i++;
	}
}
