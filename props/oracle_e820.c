/*
 * Oracles for e820, early_res, ARM meminfo and the memblock byte set, from
 * semantics.md §1 and §2. Slow and plain: sanitize looks at every
 * elementary interval between boundary points and takes the largest
 * covering type; find_e820_area tries every candidate position (the window
 * start and each reservation's aligned end) in order; meminfo builds its
 * output list bank by bank.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_e820.h"

#define OR_PAGE 4096ull

/* True end of [addr, addr + size) exceeds 2^64 - 1 (ends at or past 2^64). */
static bool oe820_wraps(uint64_t addr, uint64_t size)
{
	return size != 0 && size > UINT64_MAX - addr;
}

/* Types that sanitize never coalesces. */
static bool oe820_nomerge(uint32_t type)
{
	return type == 12 || type == 0xefffffffu;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- e820 --------------------------------------------------------------- */

int oe820_init(struct oe820 *o, uint32_t max, bool remove_split, uint64_t max_pfn)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
	o->remove_split = remove_split;
	o->max_pfn = max_pfn;
	/* A fresh oracle per fuzz input: only the table now, the rest on the
	 * first import or sanitize (oe820_work). Nothing is read before it
	 * is written, so nothing is zeroed. */
	o->t = malloc((size_t)max * sizeof(*o->t));
	if (!o->t)
		return -ENOMEM;
	return 0;
}

/* fw, out and pts in one block, once; false when the host is out of memory. */
static bool oe820_work(struct oe820 *o)
{
	size_t max = o->max;

	if (o->fw)
		return true;
	o->fw = malloc((3 * max + 2) * sizeof(*o->fw) + (2 * max + 2) * (8 + 4));
	if (!o->fw)
		return false;
	o->out = o->fw + max;
	o->pts = (uint64_t *)(o->out + 2 * max + 2);
	o->best = (uint32_t *)(o->pts + 2 * max + 2);
	return true;
}

void oe820_free(struct oe820 *o)
{
	free(o->t);
	free(o->fw);
	memset(o, 0, sizeof(*o));
}

/* Append to a table; false if full. */
static bool oe820_push(struct oe820 *o, uint64_t addr, uint64_t size, uint32_t type,
		    struct props_expect *x)
{
	if (o->nr == o->max) {
		props_expect_report(x, MM_STAGE_E820, MM_REPORT_TABLE_FULL);
		return false;
	}
	o->t[o->nr++] = (struct oe820_entry){ addr, size, type };
	return true;
}

int oe820_add(struct oe820 *o, uint64_t addr, uint64_t size, uint32_t type,
		struct props_expect *x)
{
	return oe820_push(o, addr, size, type, x) ? 0 : -ENOSPC;
}

/* The index of point x in the sorted, distinct pts[0..n) (x is one). */
static uint32_t point_index(const uint64_t *pts, uint32_t n, uint64_t x)
{
	uint32_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pts[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int oe820_sanitize(struct oe820 *o)
{
	uint32_t np = 0, nu = 0, nout = 0;

	if (o->nr < 2)
		return -EINVAL;
	for (uint32_t i = 0; i < o->nr; i++)
		if (oe820_wraps(o->t[i].addr, o->t[i].size))
			return -EINVAL;
	if (!oe820_work(o))
		return -ENOMEM; /* the host's, which the library will not share */
	for (uint32_t i = 0; i < o->nr; i++) {
		if (!o->t[i].size)
			continue;
		o->pts[np++] = o->t[i].addr;
		o->pts[np++] = o->t[i].addr + o->t[i].size;
	}
	/* insertion sort: a handful of points, no call per comparison */
	for (uint32_t i = 1; i < np; i++)
		for (uint32_t k = i; k > 0 && o->pts[k - 1] > o->pts[k]; k--) {
			uint64_t t = o->pts[k];
			o->pts[k] = o->pts[k - 1];
			o->pts[k - 1] = t;
		}
	for (uint32_t i = 0; i < np; i++)
		if (!nu || o->pts[nu - 1] != o->pts[i])
			o->pts[nu++] = o->pts[i];
	/* Elementary interval k is [pts[k], pts[k + 1]). Paint each entry's
	 * type over the intervals it covers (from the point where it starts to
	 * the point where it ends), keeping the highest. */
	for (uint32_t k = 0; k < nu; k++)
		o->best[k] = 0;
	for (uint32_t i = 0; i < o->nr; i++) {
		const struct oe820_entry *e = &o->t[i];
		uint32_t k = point_index(o->pts, nu, e->addr);
		if (!e->size)
			continue;
		for (; k + 1 < nu && o->pts[k + 1] <= e->addr + e->size; k++)
			if (e->type > o->best[k])
				o->best[k] = e->type;
	}
	for (uint32_t k = 0; k + 1 < nu; k++) {
		uint64_t a = o->pts[k], b = o->pts[k + 1];
		uint32_t type = o->best[k];
		if (!type)
			continue;
		if (nout && o->out[nout - 1].type == type && !oe820_nomerge(type) &&
		    o->out[nout - 1].addr + o->out[nout - 1].size == a) {
			o->out[nout - 1].size += b - a;
			continue;
		}
		o->out[nout++] = (struct oe820_entry){ a, b - a, type };
	}
	if (nout > o->max)
		nout = o->max;
	memcpy(o->t, o->out, nout * sizeof(*o->out));
	o->nr = nout;
	return 0;
}

int oe820_update(struct oe820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   uint32_t new_type, uint64_t *changed, struct props_expect *x)
{
	uint32_t n0 = o->nr;
	uint64_t end;

	*changed = 0;
	if (old_type == new_type) {
		props_expect_report(x, MM_STAGE_E820, MM_REPORT_BUG);
		return -EINVAL;
	}
	if (size > UINT64_MAX - start)
		size = UINT64_MAX - start;
	end = start + size;
	for (uint32_t i = 0; i < n0; i++) {
		struct oe820_entry e = o->t[i];
		uint64_t e_end = e.addr + e.size, lo, hi;
		if (e.type != old_type)
			continue;
		if (start <= e.addr && e_end <= end) {
			o->t[i].type = new_type;
			*changed += e.size;
		} else if (e.addr < start && end < e_end) {
			/* the middle and the tail become new entries at the end */
			oe820_push(o, start, size, new_type, x);
			oe820_push(o, end, e_end - end, old_type, x);
			o->t[i].size = start - e.addr;
			*changed += size;
		} else {
			lo = e.addr > start ? e.addr : start;
			hi = e_end < end ? e_end : end;
			if (lo >= hi)
				continue;
			oe820_push(o, lo, hi - lo, new_type, x);
			*changed += hi - lo;
			o->t[i].size = e.size - (hi - lo);
			if (e.addr >= lo)
				o->t[i].addr = hi;
		}
	}
	return 0;
}

int oe820_remove(struct oe820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   bool check_type, uint64_t *removed, struct props_expect *x)
{
	uint32_t n0 = o->nr;
	uint64_t end;

	*removed = 0;
	if (size > UINT64_MAX - start)
		size = UINT64_MAX - start;
	end = start + size;
	for (uint32_t i = 0; i < n0; i++) {
		struct oe820_entry e = o->t[i];
		uint64_t e_end = e.addr + e.size, lo, hi;
		if (check_type && e.type != old_type)
			continue;
		if (start <= e.addr && e_end <= end) {
			o->t[i] = (struct oe820_entry){ 0, 0, 0 };
			*removed += e.size;
		} else if (o->remove_split && e.addr < start && end < e_end) {
			oe820_push(o, end, e_end - end, e.type, x);
			o->t[i].size = start - e.addr;
			*removed += size;
		} else {
			lo = e.addr > start ? e.addr : start;
			hi = e_end < end ? e_end : end;
			if (lo >= hi)
				continue;
			*removed += hi - lo;
			o->t[i].size = e.size - (hi - lo);
			if (e.addr >= lo)
				o->t[i].addr = hi;
		}
	}
	return 0;
}

int oe820_mem_limit(struct oe820 *o, uint64_t limit, struct props_expect *x)
{
	uint64_t removed;

	if (!limit)
		return -EINVAL;
	oe820_remove(o, limit, UINT64_MAX - limit, 1, true, &removed, x);
	oe820_sanitize(o);
	return 0;
}

int oe820_import(struct oe820 *o, const struct oe820_entry *e, uint32_t nr,
		   struct props_expect *x)
{
	uint32_t keep;

	if (nr < 2)
		return -EINVAL;
	for (uint32_t i = 0; i < nr; i++)
		if (e[i].size && e[i].size - 1 > UINT64_MAX - e[i].addr)
			return -EINVAL;
	if (!oe820_work(o))
		return -ENOMEM;
	keep = nr < o->max ? nr : o->max;
	props_expect_reports(x, MM_STAGE_E820, MM_REPORT_TABLE_FULL, nr - keep);
	memcpy(o->t, e, keep * sizeof(*e));
	memcpy(o->fw, e, keep * sizeof(*e));
	o->nr = o->fw_nr = keep;
	oe820_sanitize(o);
	return 0;
}

uint64_t oe820_end_of_ram_pfn(const struct oe820 *o)
{
	uint64_t best = 0;

	for (uint32_t i = 0; i < o->nr; i++) {
		const struct oe820_entry *e = &o->t[i];
		uint64_t spfn = e->addr >> 12, epfn = (e->addr + e->size) >> 12;
		if (e->type != 1 || spfn >= o->max_pfn)
			continue;
		if (epfn > o->max_pfn)
			return o->max_pfn; /* any RAM reaching past the limit */
		if (epfn > best)
			best = epfn;
	}
	return best;
}

const char *oe820_type_text(uint32_t type, char *buf, size_t len)
{
	switch (type) {
	case 1:
		return "usable";
	case 2:
		return "reserved";
	case 3:
		return "ACPI data";
	case 4:
		return "ACPI NVS";
	case 5:
		return "unusable";
	case 7:
		return "persistent (type 7)";
	case 12:
		return "persistent (type 12)";
	case 128:
		return "usable";
	case 0xefffffffu:
		return "soft reserved";
	default:
		snprintf(buf, len, "type %u", type);
		return buf;
	}
}

/* Append one character, snprintf-style: kept while it fits before the NUL. */
static void oe820_putc(char *buf, size_t len, size_t *total, char ch)
{
	if (*total + 1 < len)
		buf[*total] = ch;
	(*total)++;
}

static void oe820_puts(char *buf, size_t len, size_t *total, const char *str)
{
	while (*str)
		oe820_putc(buf, len, total, *str++);
}

/* "0x" and 16 hex digits, most significant first (printf's 0x%016llx). */
static void oe820_puthex(char *buf, size_t len, size_t *total, uint64_t v)
{
	char d[16];

	for (int k = 15; k >= 0; k--, v /= 16)
		d[k] = "0123456789abcdef"[v % 16];
	oe820_puts(buf, len, total, "0x");
	for (int k = 0; k < 16; k++)
		oe820_putc(buf, len, total, d[k]);
}

size_t oe820_format(const struct oe820 *o, const char *prefix, char *buf, size_t len)
{
	size_t total = 0;

	for (uint32_t i = 0; i < o->nr; i++) {
		char tb[32];
		const struct oe820_entry *e = &o->t[i];

		oe820_puts(buf, len, &total, prefix);
		oe820_puts(buf, len, &total, ": [mem ");
		oe820_puthex(buf, len, &total, e->addr);
		oe820_putc(buf, len, &total, '-');
		oe820_puthex(buf, len, &total, e->addr + e->size - 1);
		oe820_puts(buf, len, &total, "] ");
		oe820_puts(buf, len, &total, oe820_type_text(e->type, tb, sizeof(tb)));
		oe820_putc(buf, len, &total, '\n');
	}
	if (len)
		buf[total < len ? total : len - 1] = '\0';
	return total;
}

/* ---- early_res ---------------------------------------------------------- */

int oe820_early_init(struct oe820_early *o, uint32_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
	/* r, keep (nr + 1), pieces (2 nr + 1) and cand (nr + 1 words, in
	 * max + 3 entries' room), nr <= max */
	o->r = calloc(5 * ((size_t)max + 3), sizeof(*o->r));
	if (!o->r)
		return -ENOMEM;
	o->keep = o->r + max + 3;
	o->pieces = o->keep + max + 3;
	o->cand = (uint64_t *)(o->pieces + 2 * ((size_t)max + 3));
	o->r[0].start = 0;
	o->r[0].end = OR_PAGE;
	snprintf(o->r[0].name, sizeof(o->r[0].name), "%s", "BIOS data page");
	o->nr = 1;
	return 0;
}

void oe820_early_free(struct oe820_early *o)
{
	free(o->r);
	memset(o, 0, sizeof(*o));
}

int oe820_early_reserve(struct oe820_early *o, uint64_t start, uint64_t end, const char *name,
		     bool overlap_ok, struct props_expect *x)
{
	struct oe820_res *keep, *pieces, add;
	uint32_t nk = 0, np = 0;

	if (start >= end)
		return 0;
	for (uint32_t i = 0; i < o->nr; i++) {
		const struct oe820_res *r = &o->r[i];
		if (start < r->end && r->start < end && !r->overlap_ok) {
			props_expect_report(x, MM_STAGE_EARLY_RES, MM_REPORT_OVERLAP);
			return -EBUSY;
		}
	}
	keep = o->keep;
	pieces = o->pieces;
	for (uint32_t i = 0; i < o->nr; i++) {
		const struct oe820_res *r = &o->r[i];
		if (!(start < r->end && r->start < end)) {
			keep[nk++] = *r;
			continue;
		}
		if (r->start < start) {
			pieces[np] = *r;
			pieces[np].end = start;
			pieces[np++].overlap_ok = true;
		}
		if (end < r->end) {
			pieces[np] = *r;
			pieces[np].start = end;
			pieces[np++].overlap_ok = true;
		}
	}
	if (nk + np + 1 > o->max) {
		props_expect_report(x, MM_STAGE_EARLY_RES, MM_REPORT_TABLE_FULL);
		return -ENOSPC;
	}
	memset(&add, 0, sizeof(add));
	add.start = start;
	add.end = end;
	add.overlap_ok = overlap_ok;
	snprintf(add.name, sizeof(add.name), "%.15s", name ? name : "");
	o->nr = 0;
	for (uint32_t i = 0; i < nk; i++)
		o->r[o->nr++] = keep[i];
	for (uint32_t i = 0; i < np; i++)
		o->r[o->nr++] = pieces[i];
	o->r[o->nr++] = add;
	return 0;
}

int oe820_early_free_range(struct oe820_early *o, uint64_t start, uint64_t end,
			struct props_expect *x)
{
	for (uint32_t i = 0; start < end && i < o->nr; i++) {
		if (o->r[i].start != start || o->r[i].end != end)
			continue;
		for (uint32_t j = i; j + 1 < o->nr; j++)
			o->r[j] = o->r[j + 1];
		o->nr--;
		return 0;
	}
	props_expect_report(x, MM_STAGE_EARLY_RES, MM_REPORT_BUG);
	return -EINVAL;
}

int oe820_find_e820_area(const struct oe820_early *o, const struct oe820 *e, uint64_t start,
		      uint64_t end, uint64_t size, uint64_t align, uint64_t *out,
		      struct props_expect *x)
{
	uint64_t *cand;
	int ret = -ENOMEM;

	*out = UINT64_MAX;
	if (!align)
		align = 1;
	if (align & (align - 1)) {
		props_expect_report(x, MM_STAGE_EARLY_RES, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	cand = o->cand;
	for (uint32_t i = 0; i < e->nr && ret; i++) {
		const struct oe820_entry *ent = &e->t[i];
		uint64_t last = ent->addr + ent->size, base = ent->addr > start ? ent->addr : start;
		uint32_t nc = 0;
		if (ent->type != 1)
			continue;
		/* the first candidate: base rounded up, if that stays below 2^64 */
		if (base > UINT64_MAX - (align - 1))
			continue;
		cand[nc++] = (base + align - 1) / align * align;
		if (cand[0] >= last)
			continue;
		for (uint32_t k = 0; k < o->nr; k++) {
			uint64_t re = o->r[k].end;
			if (re > UINT64_MAX - (align - 1))
				continue;
			re = (re + align - 1) / align * align;
			if (re > cand[0])
				cand[nc++] = re;
		}
		qsort(cand, nc, sizeof(*cand), cmp_u64);
		for (uint32_t c = 0; c < nc; c++) {
			uint64_t p = cand[c];
			bool busy = false;
			if (size > UINT64_MAX - p)
				break; /* this and every later window passes 2^64 */
			for (uint32_t k = 0; k < o->nr && !busy; k++)
				busy = o->r[k].start < p + size && p < o->r[k].end;
			if (busy)
				continue;
			if (p + size <= last && p + size <= end) {
				*out = p;
				ret = 0;
			}
			break; /* the lowest free position decides this entry */
		}
	}
	return ret;
}

/* ---- ARM meminfo -------------------------------------------------------- */

int oe820_meminfo_init(struct oe820_meminfo *o, uint32_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
	o->b = calloc(max + 2, sizeof(*o->b));
	return o->b ? 0 : -ENOMEM;
}

void oe820_meminfo_free(struct oe820_meminfo *o)
{
	free(o->b);
	memset(o, 0, sizeof(*o));
}

int oe820_meminfo_add(struct oe820_meminfo *o, uint64_t start, uint64_t size, int node,
		   struct props_expect *x)
{
	uint64_t off = start % OR_PAGE, astart, asize;

	if (o->checked || node < 0 || node >= 64) {
		props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	if (size <= off)
		return -EINVAL;
	if (off && start > UINT64_MAX - (OR_PAGE - 1)) {
		props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	astart = off ? start + (OR_PAGE - off) : start;
	asize = (size - off) / OR_PAGE * OR_PAGE;
	if (!asize)
		return -EINVAL;
	if (asize > UINT64_MAX - astart) {
		props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	if (o->nr >= o->max) {
		props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_TABLE_FULL);
		return -ENOSPC;
	}
	for (uint32_t i = 0; i < o->nr; i++) {
		if (astart < o->b[i].start + o->b[i].size && o->b[i].start < astart + asize) {
			props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_OVERLAP);
			return -EBUSY;
		}
	}
	o->b[o->nr++] = (struct oe820_bank){ astart, asize, node, false };
	return 0;
}

static int cmp_bank(const void *a, const void *b)
{
	const struct oe820_bank *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int oe820_meminfo_check(struct oe820_meminfo *o, uint64_t phys_offset, uint64_t vmalloc_reserve,
		     bool highmem, struct props_expect *x)
{
	const uint64_t page_offset = 0xC0000000ull, vmalloc_end = 0xff000000ull;
	uint64_t reserve = vmalloc_reserve, vmin_va, vmin;
	struct oe820_bank *in;
	uint32_t n = o->nr, nout = 0;

	if (o->checked)
		return -EINVAL;
	if (phys_offset % OR_PAGE || phys_offset > 0xffffffffull) {
		props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG);
		return -EINVAL;
	}
	if (reserve == 0)
		reserve = 128ull << 20;
	else if (reserve < (16ull << 20))
		reserve = 16ull << 20;
	else if (reserve > vmalloc_end - page_offset - (32ull << 20))
		reserve = vmalloc_end - page_offset - (32ull << 20);
	reserve -= reserve % OR_PAGE;
	vmin_va = vmalloc_end - reserve;
	vmin = phys_offset + (vmin_va - page_offset);

	in = calloc(n + 1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	memcpy(in, o->b, n * sizeof(*in));
	qsort(in, n, sizeof(*in), cmp_bank);
	for (uint32_t i = 0; i < n; i++) {
		struct oe820_bank b = in[i];
		uint64_t b_end = b.start + b.size;
		if (b.start < phys_offset || b.start - phys_offset >= 0x100000000ull - page_offset) {
			props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_WARN); /* direct-map address below PAGE_OFFSET or wrapped */
			continue;
		}
		if (b.start >= vmin) {
			if (!highmem) {
				props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_WARN);
				continue;
			}
			b.highmem = true;
			o->b[nout++] = b;
			continue;
		}
		b.highmem = false;
		if (b_end <= vmin) {
			o->b[nout++] = b;
			continue;
		}
		b.size = vmin - b.start;
		o->b[nout++] = b;
		if (!highmem) {
			props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_WARN);
		} else if (n >= o->max) {
			props_expect_report(x, MM_STAGE_MEMINFO, MM_REPORT_TABLE_FULL);
		} else {
			o->b[nout++] = (struct oe820_bank){ vmin, b_end - vmin, b.node, true };
		}
	}
	free(in);
	o->nr = nout;
	o->checked = true;
	o->highmem = highmem;
	o->vmalloc_min = vmin;
	o->lowmem_end = 0;
	for (uint32_t i = 0; i < nout; i++)
		if (!o->b[i].highmem)
			o->lowmem_end = o->b[i].start + o->b[i].size;
	return 0;
}
