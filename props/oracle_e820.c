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

/* ---- table of contents ----------------------------------------------- */
/* True end of [addr, addr + size) exceeds 2^64 - 1 (ends at or past 2^64). */
static bool or_wraps(uint64_t addr, uint64_t size);
/* Types that sanitize never coalesces. */
static bool or_nomerge(uint32_t type);
/* Append to a table; false if full. */
static bool or_push(struct or_e820 *o, uint64_t addr, uint64_t size, uint32_t type,
		    struct or_reports *rep);
static int cmp_u64(const void *a, const void *b);
static int cmp_bank(const void *a, const void *b);

static bool or_wraps(uint64_t addr, uint64_t size)
{
	return size != 0 && size > UINT64_MAX - addr;
}

static bool or_nomerge(uint32_t type)
{
	return type == 12 || type == 0xefffffffu;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- e820 --------------------------------------------------------------- */

int or_e820_init(struct or_e820 *o, uint32_t max, bool remove_split, uint64_t max_pfn)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
	o->remove_split = remove_split;
	o->max_pfn = max_pfn;
	/* A fresh oracle per fuzz input: only the table now, the rest on the
	 * first import or sanitize (or_e820_work). Nothing is read before it
	 * is written, so nothing is zeroed. */
	o->t = malloc((size_t)max * sizeof(*o->t));
	if (!o->t)
		return -ENOMEM;
	return 0;
}

/* fw, out and pts in one block, once; false when the host is out of memory. */
static bool or_e820_work(struct or_e820 *o)
{
	size_t max = o->max;

	if (o->fw)
		return true;
	o->fw = malloc((3 * max + 2) * sizeof(*o->fw) + (2 * max + 2) * 8);
	if (!o->fw)
		return false;
	o->out = o->fw + max;
	o->pts = (uint64_t *)(o->out + 2 * max + 2);
	return true;
}

void or_e820_free(struct or_e820 *o)
{
	free(o->t);
	free(o->fw);
	memset(o, 0, sizeof(*o));
}

static bool or_push(struct or_e820 *o, uint64_t addr, uint64_t size, uint32_t type,
		    struct or_reports *rep)
{
	if (o->nr == o->max) {
		rep->n[MM_REPORT_TABLE_FULL]++;
		return false;
	}
	o->t[o->nr++] = (struct or_e820_entry){ addr, size, type };
	return true;
}

int or_e820_add(struct or_e820 *o, uint64_t addr, uint64_t size, uint32_t type,
		struct or_reports *rep)
{
	return or_push(o, addr, size, type, rep) ? 0 : -ENOSPC;
}

int or_e820_sanitize(struct or_e820 *o)
{
	uint32_t np = 0, nu = 0, nout = 0;

	if (o->nr < 2)
		return -EINVAL;
	for (uint32_t i = 0; i < o->nr; i++)
		if (or_wraps(o->t[i].addr, o->t[i].size))
			return -EINVAL;
	if (!or_e820_work(o))
		return -ENOMEM; /* the host's, which the library will not share */
	for (uint32_t i = 0; i < o->nr; i++) {
		if (!o->t[i].size)
			continue;
		o->pts[np++] = o->t[i].addr;
		o->pts[np++] = o->t[i].addr + o->t[i].size;
	}
	qsort(o->pts, np, sizeof(*o->pts), cmp_u64);
	for (uint32_t i = 0; i < np; i++)
		if (!nu || o->pts[nu - 1] != o->pts[i])
			o->pts[nu++] = o->pts[i];
	for (uint32_t k = 0; k + 1 < nu; k++) {
		uint64_t a = o->pts[k], b = o->pts[k + 1];
		uint32_t type = 0;
		for (uint32_t i = 0; i < o->nr; i++) {
			const struct or_e820_entry *e = &o->t[i];
			if (e->size && e->addr <= a && e->addr + e->size >= b && e->type > type)
				type = e->type;
		}
		if (!type)
			continue;
		if (nout && o->out[nout - 1].type == type && !or_nomerge(type) &&
		    o->out[nout - 1].addr + o->out[nout - 1].size == a) {
			o->out[nout - 1].size += b - a;
			continue;
		}
		o->out[nout++] = (struct or_e820_entry){ a, b - a, type };
	}
	if (nout > o->max)
		nout = o->max;
	memcpy(o->t, o->out, nout * sizeof(*o->out));
	o->nr = nout;
	return 0;
}

int or_e820_update(struct or_e820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   uint32_t new_type, uint64_t *changed, struct or_reports *rep)
{
	uint32_t n0 = o->nr;
	uint64_t end;

	*changed = 0;
	if (old_type == new_type) {
		rep->n[MM_REPORT_BUG]++;
		return -EINVAL;
	}
	if (size > UINT64_MAX - start)
		size = UINT64_MAX - start;
	end = start + size;
	for (uint32_t i = 0; i < n0; i++) {
		struct or_e820_entry e = o->t[i];
		uint64_t e_end = e.addr + e.size, lo, hi;
		if (e.type != old_type)
			continue;
		if (start <= e.addr && e_end <= end) {
			o->t[i].type = new_type;
			*changed += e.size;
		} else if (e.addr < start && end < e_end) {
			/* the middle and the tail become new entries at the end */
			or_push(o, start, size, new_type, rep);
			or_push(o, end, e_end - end, old_type, rep);
			o->t[i].size = start - e.addr;
			*changed += size;
		} else {
			lo = e.addr > start ? e.addr : start;
			hi = e_end < end ? e_end : end;
			if (lo >= hi)
				continue;
			or_push(o, lo, hi - lo, new_type, rep);
			*changed += hi - lo;
			o->t[i].size = e.size - (hi - lo);
			if (e.addr >= lo)
				o->t[i].addr = hi;
		}
	}
	return 0;
}

int or_e820_remove(struct or_e820 *o, uint64_t start, uint64_t size, uint32_t old_type,
		   bool check_type, uint64_t *removed, struct or_reports *rep)
{
	uint32_t n0 = o->nr;
	uint64_t end;

	*removed = 0;
	if (size > UINT64_MAX - start)
		size = UINT64_MAX - start;
	end = start + size;
	for (uint32_t i = 0; i < n0; i++) {
		struct or_e820_entry e = o->t[i];
		uint64_t e_end = e.addr + e.size, lo, hi;
		if (check_type && e.type != old_type)
			continue;
		if (start <= e.addr && e_end <= end) {
			o->t[i] = (struct or_e820_entry){ 0, 0, 0 };
			*removed += e.size;
		} else if (o->remove_split && e.addr < start && end < e_end) {
			or_push(o, end, e_end - end, e.type, rep);
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

int or_e820_mem_limit(struct or_e820 *o, uint64_t limit, struct or_reports *rep)
{
	uint64_t removed;

	if (!limit)
		return -EINVAL;
	or_e820_remove(o, limit, UINT64_MAX - limit, 1, true, &removed, rep);
	or_e820_sanitize(o);
	return 0;
}

int or_e820_import(struct or_e820 *o, const struct or_e820_entry *e, uint32_t nr,
		   struct or_reports *rep)
{
	uint32_t keep;

	if (nr < 2)
		return -EINVAL;
	for (uint32_t i = 0; i < nr; i++)
		if (e[i].size && e[i].size - 1 > UINT64_MAX - e[i].addr)
			return -EINVAL;
	if (!or_e820_work(o))
		return -ENOMEM;
	keep = nr < o->max ? nr : o->max;
	rep->n[MM_REPORT_TABLE_FULL] += nr - keep;
	memcpy(o->t, e, keep * sizeof(*e));
	memcpy(o->fw, e, keep * sizeof(*e));
	o->nr = o->fw_nr = keep;
	or_e820_sanitize(o);
	return 0;
}

uint64_t or_e820_end_of_ram_pfn(const struct or_e820 *o)
{
	uint64_t best = 0;

	for (uint32_t i = 0; i < o->nr; i++) {
		const struct or_e820_entry *e = &o->t[i];
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

const char *or_e820_type_text(uint32_t type, char *buf, size_t len)
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
static void or_putc(char *buf, size_t len, size_t *total, char ch)
{
	if (*total + 1 < len)
		buf[*total] = ch;
	(*total)++;
}

static void or_puts(char *buf, size_t len, size_t *total, const char *str)
{
	while (*str)
		or_putc(buf, len, total, *str++);
}

/* "0x" and 16 hex digits, most significant first (printf's 0x%016llx). */
static void or_puthex(char *buf, size_t len, size_t *total, uint64_t v)
{
	char d[16];

	for (int k = 15; k >= 0; k--, v /= 16)
		d[k] = "0123456789abcdef"[v % 16];
	or_puts(buf, len, total, "0x");
	for (int k = 0; k < 16; k++)
		or_putc(buf, len, total, d[k]);
}

size_t or_e820_format(const struct or_e820 *o, const char *prefix, char *buf, size_t len)
{
	size_t total = 0;

	for (uint32_t i = 0; i < o->nr; i++) {
		char tb[32];
		const struct or_e820_entry *e = &o->t[i];

		or_puts(buf, len, &total, prefix);
		or_puts(buf, len, &total, ": [mem ");
		or_puthex(buf, len, &total, e->addr);
		or_putc(buf, len, &total, '-');
		or_puthex(buf, len, &total, e->addr + e->size - 1);
		or_puts(buf, len, &total, "] ");
		or_puts(buf, len, &total, or_e820_type_text(e->type, tb, sizeof(tb)));
		or_putc(buf, len, &total, '\n');
	}
	if (len)
		buf[total < len ? total : len - 1] = '\0';
	return total;
}

/* ---- early_res ---------------------------------------------------------- */

int or_early_init(struct or_early *o, uint32_t max)
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

void or_early_free(struct or_early *o)
{
	free(o->r);
	memset(o, 0, sizeof(*o));
}

int or_early_reserve(struct or_early *o, uint64_t start, uint64_t end, const char *name,
		     bool overlap_ok, struct or_reports *rep)
{
	struct or_res *keep, *pieces, add;
	uint32_t nk = 0, np = 0;

	if (start >= end)
		return 0;
	for (uint32_t i = 0; i < o->nr; i++) {
		const struct or_res *r = &o->r[i];
		if (start < r->end && r->start < end && !r->overlap_ok) {
			rep->n[MM_REPORT_OVERLAP]++;
			return -EBUSY;
		}
	}
	keep = o->keep;
	pieces = o->pieces;
	for (uint32_t i = 0; i < o->nr; i++) {
		const struct or_res *r = &o->r[i];
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
		rep->n[MM_REPORT_TABLE_FULL]++;
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

int or_early_free_range(struct or_early *o, uint64_t start, uint64_t end,
			struct or_reports *rep)
{
	for (uint32_t i = 0; start < end && i < o->nr; i++) {
		if (o->r[i].start != start || o->r[i].end != end)
			continue;
		for (uint32_t j = i; j + 1 < o->nr; j++)
			o->r[j] = o->r[j + 1];
		o->nr--;
		return 0;
	}
	rep->n[MM_REPORT_BUG]++;
	return -EINVAL;
}

int or_find_e820_area(const struct or_early *o, const struct or_e820 *e, uint64_t start,
		      uint64_t end, uint64_t size, uint64_t align, uint64_t *out,
		      struct or_reports *rep)
{
	uint64_t *cand;
	int ret = -ENOMEM;

	*out = UINT64_MAX;
	if (!align)
		align = 1;
	if (align & (align - 1)) {
		rep->n[MM_REPORT_INVALID_ARG]++;
		return -EINVAL;
	}
	cand = o->cand;
	for (uint32_t i = 0; i < e->nr && ret; i++) {
		const struct or_e820_entry *x = &e->t[i];
		uint64_t last = x->addr + x->size, base = x->addr > start ? x->addr : start;
		uint32_t nc = 0;
		if (x->type != 1)
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

int or_meminfo_init(struct or_meminfo *o, uint32_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
	o->b = calloc(max + 2, sizeof(*o->b));
	return o->b ? 0 : -ENOMEM;
}

void or_meminfo_free(struct or_meminfo *o)
{
	free(o->b);
	memset(o, 0, sizeof(*o));
}

int or_meminfo_add(struct or_meminfo *o, uint64_t start, uint64_t size, int node,
		   struct or_reports *rep)
{
	uint64_t off = start % OR_PAGE, astart, asize;

	if (o->checked || node < 0 || node >= 64) {
		rep->n[MM_REPORT_INVALID_ARG]++;
		return -EINVAL;
	}
	if (size <= off)
		return -EINVAL;
	if (off && start > UINT64_MAX - (OR_PAGE - 1)) {
		rep->n[MM_REPORT_INVALID_ARG]++;
		return -EINVAL;
	}
	astart = off ? start + (OR_PAGE - off) : start;
	asize = (size - off) / OR_PAGE * OR_PAGE;
	if (!asize)
		return -EINVAL;
	if (asize > UINT64_MAX - astart) {
		rep->n[MM_REPORT_INVALID_ARG]++;
		return -EINVAL;
	}
	if (o->nr >= o->max) {
		rep->n[MM_REPORT_TABLE_FULL]++;
		return -ENOSPC;
	}
	for (uint32_t i = 0; i < o->nr; i++) {
		if (astart < o->b[i].start + o->b[i].size && o->b[i].start < astart + asize) {
			rep->n[MM_REPORT_OVERLAP]++;
			return -EBUSY;
		}
	}
	o->b[o->nr++] = (struct or_bank){ astart, asize, node, false };
	return 0;
}

static int cmp_bank(const void *a, const void *b)
{
	const struct or_bank *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int or_meminfo_check(struct or_meminfo *o, uint64_t phys_offset, uint64_t vmalloc_reserve,
		     bool highmem, struct or_reports *rep)
{
	const uint64_t page_offset = 0xC0000000ull, vmalloc_end = 0xff000000ull;
	uint64_t reserve = vmalloc_reserve, vmin_va, vmin;
	struct or_bank *in;
	uint32_t n = o->nr, nout = 0;

	if (o->checked)
		return -EINVAL;
	if (phys_offset % OR_PAGE || phys_offset > 0xffffffffull) {
		rep->n[MM_REPORT_INVALID_ARG]++;
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
		struct or_bank b = in[i];
		uint64_t b_end = b.start + b.size;
		if (b.start < phys_offset || b.start - phys_offset >= 0x100000000ull - page_offset) {
			rep->n[MM_REPORT_WARN]++; /* direct-map address below PAGE_OFFSET or wrapped */
			continue;
		}
		if (b.start >= vmin) {
			if (!highmem) {
				rep->n[MM_REPORT_WARN]++;
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
			rep->n[MM_REPORT_WARN]++;
		} else if (n >= o->max) {
			rep->n[MM_REPORT_TABLE_FULL]++;
		} else {
			o->b[nout++] = (struct or_bank){ vmin, b_end - vmin, b.node, true };
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

/* ---- the memblock byte set ---------------------------------------------- */

void or_set_free(struct or_set *o)
{
	free(o->s);
	memset(o, 0, sizeof(*o));
}

int or_set_clear(struct or_set *o)
{
	o->nr = 0;
	return 0;
}

int or_set_add(struct or_set *o, uint64_t start, uint64_t end)
{
	uint32_t i, j;

	if (start >= end)
		return 0;
	if (o->nr + 1 > o->cap) {
		uint32_t cap = o->cap ? 2 * o->cap : 16;
		struct or_span *s = realloc(o->s, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		o->s = s;
		o->cap = cap;
	}
	/* absorb every span that overlaps or touches [start, end) */
	for (i = 0, j = 0; i < o->nr; i++) {
		struct or_span x = o->s[i];
		if (x.end < start || end < x.start) {
			o->s[j++] = x;
			continue;
		}
		start = x.start < start ? x.start : start;
		end = x.end > end ? x.end : end;
	}
	o->nr = j;
	for (i = o->nr; i > 0 && o->s[i - 1].start > start; i--)
		o->s[i] = o->s[i - 1];
	o->s[i] = (struct or_span){ start, end };
	o->nr++;
	return 0;
}

void or_set_trim(struct or_set *o)
{
	uint32_t j = 0;

	for (uint32_t i = 0; i < o->nr; i++) {
		uint64_t s = o->s[i].start, e = o->s[i].end - o->s[i].end % OR_PAGE;
		if (s % OR_PAGE) {
			if (s > UINT64_MAX - OR_PAGE)
				continue;
			s += OR_PAGE - s % OR_PAGE;
		}
		if (s < e)
			o->s[j++] = (struct or_span){ s, e };
	}
	o->nr = j;
}

int or_set_e820_setup(struct or_set *o, const struct or_e820 *e, bool narrow)
{
	for (uint32_t i = 0; i < e->nr; i++) {
		const struct or_e820_entry *x = &e->t[i];
		uint64_t end;
		if (narrow && x->addr + x->size > 0xffffffffull)
			continue;
		if (x->type != 1 && x->type != 128)
			continue;
		end = x->size > UINT64_MAX - x->addr ? UINT64_MAX : x->addr + x->size;
		if (or_set_add(o, x->addr, end))
			return -ENOMEM;
	}
	or_set_trim(o);
	return 0;
}

int or_set_meminfo_setup(struct or_set *o, const struct or_meminfo *mi)
{
	for (uint32_t i = 0; i < mi->nr; i++)
		if (or_set_add(o, mi->b[i].start, mi->b[i].start + mi->b[i].size))
			return -ENOMEM;
	return 0;
}
