/*
 * The bootmem oracle (see oracle_bootmem.h): one byte per page, brute force
 * everywhere. Allocation tries every candidate pfn in increasing order and
 * tests its pages with a prefix count of reserved pages, so placement is
 * checked exactly (the lowest fitting aligned pfn from the hint, then from
 * the window start) and a failure is proven to have had no answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/machine.h"
#include "oracle_bootmem.h"

#define PAGE OBOOTMEM_PAGE

#define OBOOTMEM_MAX(a, b) ((a) > (b) ? (a) : (b))
#define OBOOTMEM_MIN(a, b) ((a) < (b) ? (a) : (b))

static uint64_t up(uint64_t bytes) { return bytes / PAGE + (bytes % PAGE != 0); }
static uint64_t roundup(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }
static bool pow2(uint64_t x) { return x && (x & (x - 1)) == 0; }
/* A result: the return value, and the report (kind -1: none) predicted
 * into the current step's expectation. */
static struct obootmem_res res_in(struct obootmem *o, int ret, enum mm_stage stage, int kind)
{
	if (kind >= 0)
		props_expect_report(o->expect, stage, (enum mm_report_kind)kind);
	return (struct obootmem_res){ ret, 0, 0 };
}

static struct obootmem_res res(struct obootmem *o, int ret, int kind)
{
	return res_in(o, ret, MM_STAGE_BOOTMEM, kind);
}

void obootmem_init(struct obootmem *o, uint64_t lowpfn, uint64_t max_order)
{
	memset(o, 0, sizeof(*o));
	o->lowpfn = lowpfn;
	o->max_order = max_order;
}

void obootmem_free(struct obootmem *o)
{
	for (int i = 0; i < o->nr; i++)
		free(o->node[i].rsv);
	free(o->pstate);
	memset(o, 0, sizeof(*o));
}

int obootmem_span(struct obootmem *o, uint64_t s, uint64_t e)
{
	if (e > o->span_end) {
		uint8_t *p = realloc(o->pstate, e);
		if (!p)
			return -1;
		memset(p + o->span_end, OBOOTMEM_ABSENT, e - o->span_end);
		o->pstate = p;
		o->span_end = e;
	}
	memset(o->pstate + s, OBOOTMEM_RESERVED, e - s);
	return 0;
}

int obootmem_add_node(struct obootmem *o, int nid, uint64_t map_pfn, uint64_t min, uint64_t low)
{
	struct obootmem_node n = { .nid = nid, .min = min, .low = low, .map_pfn = map_pfn };
	int pos;

	n.map_bytes = roundup((low - min + 7) / 8, 4);
	n.map_pages = up(n.map_bytes);
	n.rsv = malloc(low - min);
	if (!n.rsv)
		return -1;
	memset(n.rsv, 1, low - min);
	for (pos = o->nr; pos > 0 && o->node[pos - 1].min > min; pos--)
		o->node[pos] = o->node[pos - 1];
	o->node[pos] = n;
	o->nr++;
	return 0;
}

struct obootmem_node *obootmem_node_by_nid(struct obootmem *o, int nid)
{
	for (int i = 0; i < o->nr; i++)
		if (o->node[i].nid == nid)
			return &o->node[i];
	return NULL;
}

static const struct obootmem_node *node_at(const struct obootmem *o, uint64_t pfn)
{
	for (int i = 0; i < o->nr; i++)
		if (pfn >= o->node[i].min && pfn < o->node[i].low)
			return &o->node[i];
	return NULL;
}

int obootmem_reserved(const struct obootmem *o, uint64_t pfn)
{
	const struct obootmem_node *n = node_at(o, pfn);
	return n ? n->rsv[pfn - n->min] : -1;
}

/* Is every pfn of [s, e) inside some node? Walk the nodes by address. */
static bool covered(const struct obootmem *o, const struct obootmem_node *only, uint64_t s,
		    uint64_t e)
{
	uint64_t cur = s;
	if (only)
		return s >= only->min && e <= only->low;
	for (int i = 0; i < o->nr && cur < e; i++)
		if (o->node[i].min <= cur && cur < o->node[i].low)
			cur = o->node[i].low;
	return cur >= e;
}

static void lower_hint(struct obootmem_node *n, uint64_t s)
{
	uint64_t idx = s > n->min ? s - n->min : 0;
	if (n->hint > idx)
		n->hint = idx;
}

/* Common prologue of free/reserve: the pfn range, or a refusal. */
static bool prologue(struct obootmem *o, int node, uint64_t addr, uint64_t size,
		     struct obootmem_node **only, struct obootmem_res *r)
{
	*only = NULL;
	if (o->handed) {
		*r = res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
		return false;
	}
	if (node >= 0 && !(*only = obootmem_node_by_nid(o, node))) {
		*r = res(o, -EINVAL, MM_REPORT_INVALID_ARG);
		return false;
	}
	return true;
}

struct obootmem_res obootmem_free_bootmem(struct obootmem *o, int node, uint64_t addr, uint64_t size)
{
	struct obootmem_node *only;
	struct obootmem_res r;
	uint64_t s, e;

	if (!prologue(o, node, addr, size, &only, &r))
		return r;
	if (size && addr + size < addr)
		return res(o, -EINVAL, MM_REPORT_INVALID_ARG);
	s = up(addr);
	e = (addr + size) / PAGE;
	if (s >= e)
		return res(o, 0, -1);
	if (!covered(o, only, s, e))
		return res(o, -EINVAL, MM_REPORT_BUG);
	/* [s, e) is covered: node by node, the part inside each */
	for (int i = 0; i < o->nr; i++) {
		const struct obootmem_node *n = &o->node[i];
		for (uint64_t p = s > n->min ? s : n->min; p < e && p < n->low; p++)
			if (n->rsv[p - n->min] != 1)
				return res(o, -EINVAL, MM_REPORT_DOUBLE_FREE);
	}
	for (int i = 0; i < o->nr; i++) {
		struct obootmem_node *n = &o->node[i];
		if (n->low <= s || n->min >= e)
			continue;
		lower_hint(n, s);
		for (uint64_t p = s > n->min ? s : n->min; p < e && p < n->low; p++)
			n->rsv[p - n->min] = 0;
	}
	return res(o, 0, -1);
}

struct obootmem_res obootmem_reserve_bootmem(struct obootmem *o, int node, uint64_t addr,
				 uint64_t size, int flags)
{
	struct obootmem_node *only;
	struct obootmem_res r;
	uint64_t s, e;

	if (!prologue(o, node, addr, size, &only, &r))
		return r;
	if (flags != 0 && flags != 1)
		return res(o, -EINVAL, MM_REPORT_INVALID_ARG);
	if (size && addr + size < addr)
		return res(o, -EINVAL, MM_REPORT_INVALID_ARG);
	s = addr / PAGE;
	e = up(addr + size);
	if (s >= e)
		return res(o, 0, -1);
	if (!covered(o, only, s, e))
		return res(o, -EINVAL, MM_REPORT_BUG);
	if (flags == 1) {
		for (uint64_t p = s; p < e; p++) {
			if (obootmem_reserved(o, p) != 1)
				continue;
			/* undone: every node the range reached up to here has its
			 * hint lowered to the range's first index in it */
			for (int i = 0; i < o->nr && o->node[i].min <= p; i++)
				if (o->node[i].low > s && o->node[i].min < e)
					lower_hint(&o->node[i], s);
			return res(o, -EBUSY, -1);
		}
	}
	for (int i = 0; i < o->nr; i++) {
		struct obootmem_node *n = &o->node[i];
		for (uint64_t p = s > n->min ? s : n->min; p < e && p < n->low; p++)
			n->rsv[p - n->min] = 1;
	}
	return res(o, 0, -1);
}

/* ---- allocation ------------------------------------------------------- */

/* Lowest pfn >= from, multiple of step, with [p, p + pages) free and
 * p + pages <= max; UINT64_MAX if none. cnt = prefix count of reserved. */
static uint64_t first_fit(const struct obootmem_node *n, const uint64_t *cnt, uint64_t from,
			  uint64_t max, uint64_t step, uint64_t pages)
{
	for (uint64_t p = roundup(from, step); p < max && pages <= max - p; p += step)
		if (cnt[p + pages - n->min] == cnt[p - n->min])
			return p;
	return UINT64_MAX;
}

static bool core(struct obootmem *o, struct obootmem_node *n, uint64_t size, uint64_t align,
		 uint64_t goal, uint64_t limit, uint64_t *addr)
{
	uint64_t max = n->low, step = align / PAGE ? align / PAGE : 1, gp = goal / PAGE;
	uint64_t start, pages = up(size), p, *cnt, soff, eoff;

	if (limit / PAGE && max > limit / PAGE)
		max = limit / PAGE;
	if (max <= n->min)
		return false;
	start = (gp && n->min < gp && gp < max) ? roundup(gp, step) : roundup(n->min, step);
	cnt = malloc((n->low - n->min + 1) * sizeof(*cnt));
	if (!cnt)
		abort();
	cnt[0] = 0;
	for (uint64_t i = 0; i < n->low - n->min; i++)
		cnt[i + 1] = cnt[i] + n->rsv[i];
	p = UINT64_MAX;
	if (n->min + n->hint > start)
		p = first_fit(n, cnt, n->min + n->hint, max, step, pages);
	if (p == UINT64_MAX)
		p = first_fit(n, cnt, start, max, step, pages);
	free(cnt);
	if (p == UINT64_MAX)
		return false;
	/* byte model: pack after the previous allocation if it ended inside
	 * the page just before p */
	if (n->last_end % PAGE && n->last_end / PAGE + 1 == p - n->min)
		soff = roundup(n->min * PAGE + n->last_end, align) - n->min * PAGE;
	else
		soff = (p - n->min) * PAGE;
	eoff = soff + size;
	for (uint64_t i = soff / PAGE + (soff / PAGE < p - n->min); i < up(eoff); i++)
		n->rsv[i] = 1;
	n->last_end = eoff;
	n->hint = up(eoff);
	*addr = n->min * PAGE + soff;
	return true;
}

static bool bad_args(uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
	return !size || !pow2(align) || (limit && (goal + size < goal || goal + size > limit));
}

bool obootmem_alloc_reaches_injection(const struct obootmem *o, enum obootmem_alloc_kind kind, int nid,
				uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
	if (kind == OBOOTMEM_LOW)
		limit = 0xffffffffull;
	if (kind != OBOOTMEM_LIMIT && kind != OBOOTMEM_LIMIT_NOPANIC && kind != OBOOTMEM_LOW)
		limit = 0;
	if (o->handed || bad_args(size, align, goal, limit))
		return false;
	if (kind == OBOOTMEM_NODE) {
		for (int i = 0; i < o->nr; i++)
			if (o->node[i].nid == nid)
				return true;
		return false;
	}
	return true;
}

static bool all_nodes(struct obootmem *o, uint64_t size, uint64_t align, uint64_t goal,
		      uint64_t limit, uint64_t *addr)
{
	for (int pass = 0; pass < 2; pass++) {
		if (pass && !goal)
			break;
		if (pass)
			goal = 0;
		for (int i = 0; i < o->nr; i++) {
			if (goal && o->node[i].low <= goal / PAGE)
				continue;
			if (limit && o->node[i].min >= limit / PAGE)
				break;
			if (core(o, &o->node[i], size, align, goal, limit, addr))
				return true;
		}
	}
	return false;
}

struct obootmem_res obootmem_alloc(struct obootmem *o, enum obootmem_alloc_kind kind, int nid, uint64_t size,
		       uint64_t align, uint64_t goal, uint64_t limit, bool injected)
{
	bool panics = kind != OBOOTMEM_NOPANIC && kind != OBOOTMEM_LIMIT_NOPANIC;
	struct obootmem_node *n = NULL;
	struct obootmem_res r = res(o, 0, -1);

	if (kind == OBOOTMEM_LOW)
		limit = 0xffffffffull;
	else if (kind != OBOOTMEM_LIMIT && kind != OBOOTMEM_LIMIT_NOPANIC)
		limit = 0;
	if (o->handed)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	if (bad_args(size, align, goal, limit))
		return res(o, -EINVAL, MM_REPORT_BUG);
	if (kind == OBOOTMEM_NODE && !(n = obootmem_node_by_nid(o, nid)))
		return res(o, -EINVAL, MM_REPORT_INVALID_ARG);
	if (!injected) {
		if (n && core(o, n, size, align, goal, 0, &r.addr))
			return r;
		if (all_nodes(o, size, align, goal, limit, &r.addr))
			return r;
	}
	return res(o, -ENOMEM, panics ? MM_REPORT_OOM : -1);
}

struct obootmem_res obootmem_early_res_to_bootmem(struct obootmem *o, const uint64_t (*rv)[2], int nres)
{
	if (o->handed)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	for (int i = 0; i < o->nr; i++) {
		struct obootmem_node *n = &o->node[i];
		for (int k = 0; k < nres; k++) {
			uint64_t s = rv[k][0] > n->min * PAGE ? rv[k][0] : n->min * PAGE;
			uint64_t e = rv[k][1] < n->low * PAGE ? rv[k][1] : n->low * PAGE;
			for (uint64_t p = s / PAGE; s < e && p < up(e); p++)
				n->rsv[p - n->min] = 1;
		}
	}
	return res(o, 0, -1);
}

/* ---- hand-offs -------------------------------------------------------- */

static void release(struct obootmem *o, uint64_t pfn, struct obootmem_res *r)
{
	if (pfn < o->span_end && o->pstate[pfn] == OBOOTMEM_RESERVED) {
		o->pstate[pfn] = OBOOTMEM_FREE;
		o->nr_free++;
		r->count++;
	}
}

struct obootmem_res obootmem_free_all_bootmem(struct obootmem *o)
{
	struct obootmem_res r = res(o, 0, -1);

	if (o->handed)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	/* a bitmap page still free in some node would be released twice */
	for (int i = 0; i < o->nr; i++)
		for (uint64_t k = 0; k < o->node[i].map_pages; k++)
			if (obootmem_reserved(o, o->node[i].map_pfn + k) == 0)
				return res(o, -EINVAL, MM_REPORT_BUG);
	for (int i = 0; i < o->nr; i++) {
		const struct obootmem_node *n = &o->node[i];
		for (uint64_t p = n->min; p < n->low; p++)
			if (!n->rsv[p - n->min])
				release(o, p, &r);
		for (uint64_t k = 0; k < n->map_pages; k++)
			release(o, n->map_pfn + k, &r);
	}
	o->handed = true;
	return r;
}

/* Which pages of [lo, hi) are wholly free memblock memory: every byte in
 * a non-NOMAP memory interval of one nid, no byte reserved. Painted
 * interval by interval over the pages each touches (covered bytes per page
 * summed, one nid per page, any reservation or NOMAP spoils the page), so
 * the cost is the pages plus the intervals, not their product. free[k]
 * answers for page lo + k. */
static int memblock_pages_free(uint64_t lo, uint64_t hi, const struct obootmem_ival *mem, int nmem,
			       const struct obootmem_ival *rs, int nres, bool **out)
{
	const uint64_t n = hi > lo ? hi - lo : 0;
	uint32_t *got = calloc(n ? n : 1, sizeof(*got));
	int *nid = malloc((n ? n : 1) * sizeof(*nid));
	bool *spoilt = calloc(n ? n : 1, sizeof(*spoilt));

	*out = spoilt;
	if (!got || !nid || !spoilt) {
		free(got);
		free(nid);
		return -1;
	}
	for (uint64_t k = 0; k < n; k++)
		nid[k] = -2;
	for (int i = 0; i < nres; i++)
		for (uint64_t p = OBOOTMEM_MAX(rs[i].start / PAGE, lo); p < hi && p * PAGE < rs[i].end; p++)
			spoilt[p - lo] = true;
	for (int i = 0; i < nmem; i++)
		for (uint64_t p = OBOOTMEM_MAX(mem[i].start / PAGE, lo); p < hi && p * PAGE < mem[i].end; p++) {
			uint64_t a = OBOOTMEM_MAX(mem[i].start, p * PAGE), b = OBOOTMEM_MIN(mem[i].end, (p + 1) * PAGE);
			if (mem[i].nomap || (nid[p - lo] != -2 && nid[p - lo] != mem[i].nid))
				spoilt[p - lo] = true;
			nid[p - lo] = mem[i].nid;
			got[p - lo] += (uint32_t)(b - a);
		}
	/* spoilt becomes the answer: free = not spoilt and fully covered */
	for (uint64_t k = 0; k < n; k++)
		spoilt[k] = !spoilt[k] && got[k] == PAGE;
	free(got);
	free(nid);
	return 0;
}

struct obootmem_res obootmem_memblock_free_all(struct obootmem *o, const struct obootmem_ival *mem, int nmem,
				   const struct obootmem_ival *rs, int nres)
{
	struct obootmem_res r = res(o, 0, -1);

	const uint64_t hi = OBOOTMEM_MIN(o->span_end, o->lowpfn);
	bool *is_free;

	if (o->handed)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	if (memblock_pages_free(0, hi, mem, nmem, rs, nres, &is_free))
		return res(o, -ENOMEM, -1);
	for (uint64_t p = 0; p < hi; p++)
		if (o->pstate[p] == OBOOTMEM_RESERVED && is_free[p])
			release(o, p, &r);
	free(is_free);
	o->handed = true;
	return r;
}

struct obootmem_res obootmem_highpages_e820(struct obootmem *o, const struct obootmem_ival *ram, int nram,
				const uint64_t (*rv)[2], int nres)
{
	struct obootmem_res r = res(o, 0, -1);

	if (o->high_done)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	o->high_done = true;
	for (uint64_t p = o->lowpfn; p < o->span_end; p++) {
		bool in_ram = false, in_res = false;
		for (int i = 0; i < nram && !in_ram; i++)
			in_ram = ram[i].start <= p * PAGE && (p + 1) * PAGE <= ram[i].end;
		for (int k = 0; k < nres && !in_res; k++)
			in_res = rv[k][0] < rv[k][1] && p >= rv[k][0] / PAGE && p < up(rv[k][1]);
		if (in_ram && !in_res)
			release(o, p, &r);
	}
	return r;
}

struct obootmem_res obootmem_highpages_memblock(struct obootmem *o, const struct obootmem_ival *mem, int nmem,
				    const struct obootmem_ival *rs, int nres)
{
	struct obootmem_res r = res(o, 0, -1);

	bool *is_free;

	if (o->high_done)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	if (memblock_pages_free(o->lowpfn, o->span_end, mem, nmem, rs, nres, &is_free))
		return res(o, -ENOMEM, -1);
	o->high_done = true;
	for (uint64_t p = o->lowpfn; p < o->span_end; p++)
		if (is_free[p - o->lowpfn])
			release(o, p, &r);
	free(is_free);
	return r;
}

struct obootmem_res obootmem_free_reserved_page(struct obootmem *o, uint64_t pfn)
{
	struct obootmem_res r = res(o, 0, -1);

	if (pfn >= o->span_end || o->pstate[pfn] == OBOOTMEM_ABSENT)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	if (o->pstate[pfn] != OBOOTMEM_RESERVED)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE);
	release(o, pfn, &r);
	return r;
}

/* ---- the buddy view ----------------------------------------------------- */

bool obootmem_block_free(const struct obootmem *o, uint64_t pfn, unsigned order)
{
	uint64_t nr = 1ull << order;
	if (pfn % nr || pfn + nr > o->span_end)
		return false;
	for (uint64_t k = 0; k < nr; k++)
		if (o->pstate[pfn + k] != OBOOTMEM_FREE)
			return false;
	return true;
}

void obootmem_mark(struct obootmem *o, uint64_t pfn, unsigned order, enum obootmem_pstate st)
{
	for (uint64_t k = 0; k < (1ull << order) && pfn + k < o->span_end; k++) {
		if (o->pstate[pfn + k] == OBOOTMEM_FREE)
			o->nr_free--;
		o->pstate[pfn + k] = (uint8_t)st;
		if (st == OBOOTMEM_FREE)
			o->nr_free++;
	}
}

enum obootmem_pstate obootmem_pfn_state(const struct obootmem *o, uint64_t pfn)
{
	return pfn < o->span_end ? (enum obootmem_pstate)o->pstate[pfn] : OBOOTMEM_ABSENT;
}
