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
#include "mmsim/page_alloc.h"
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
	o->dma_end = lowpfn < 4096 ? lowpfn : 4096; /* 16 MiB, or less below it */
	o->backing_max = 16384;
}

void obootmem_fault_set(struct obootmem *o, bool enable, uint32_t after, uint32_t repeat)
{
	o->fault_enable = enable;
	o->fault_countdown = after;
	o->fault_repeat = repeat;
}

void obootmem_buddy_config(struct obootmem *o, bool poison, bool modern_wmark, uint64_t backing_max)
{
	o->poison = poison;
	o->modern_wmark = modern_wmark;
	if (backing_max)
		o->backing_max = backing_max;
}

/* One allocation passes the injection point: fail after `countdown` more
 * successes, `repeat` times (0: for ever). */
static bool should_fail(struct obootmem *o)
{
	if (!o->fault_enable)
		return false;
	if (o->fault_countdown) {
		o->fault_countdown--;
		return false;
	}
	if (o->fault_repeat && --o->fault_repeat == 0)
		o->fault_enable = false;
	return true;
}

static void set_state(struct obootmem *o, uint64_t pfn, unsigned order, enum obootmem_pstate st);
static void frame_span(struct obootmem *o, uint64_t pfn);

void obootmem_free(struct obootmem *o)
{
	for (int i = 0; i < o->nr; i++)
		free(o->node[i].rsv);
	/* the frames below span_end hold what far does not of the backed
	 * count: stop at the last of them, not at span_end */
	uint64_t left = o->backed;
	for (uint32_t i = 0; i < o->nfar; i++) {
		left -= o->far[i].bytes != NULL;
		free(o->far[i].bytes);
	}
	for (uint64_t p = o->frame_lo; o->frame && left && p < o->frame_hi; p++) {
		left -= o->frame[p] != NULL;
		free(o->frame[p]);
	}
	free(o->frame);
	free(o->far);
	free(o->pstate);
	free(o->head_order);
	/* the context is dropped or zeroed again before reuse: only the
	 * pointers are cleared (a memset of the whole oracle per input showed) */
	o->frame = NULL;
	o->far = NULL;
	o->pstate = o->head_order = NULL;
	o->nfar = 0;
	o->nr = 0;
	o->span_end = 0;
	o->frame_lo = o->frame_hi = 0;
}

static bool grow(struct obootmem *o, uint64_t e)
{
	uint8_t *p, *h;
	uint8_t **f;

	if (e <= o->span_end)
		return true;
	p = realloc(o->pstate, e);
	if (p)
		o->pstate = p;
	h = realloc(o->head_order, e);
	if (h)
		o->head_order = h;
	f = realloc(o->frame, e * sizeof(*f));
	if (f)
		o->frame = f;
	if (!p || !h || !f)
		return false;
	memset(p + o->span_end, OBOOTMEM_ABSENT, e - o->span_end);
	memset(h + o->span_end, 0, e - o->span_end);
	/* a far page now below span_end moves into the array */
	for (uint64_t k = o->span_end; k < e; k++)
		f[k] = NULL;
	for (uint32_t i = 0; i < o->nfar;) {
		if (o->far[i].pfn < e) {
			f[o->far[i].pfn] = o->far[i].bytes;
			frame_span(o, o->far[i].pfn);
			o->far[i] = o->far[--o->nfar];
			continue;
		}
		i++;
	}
	o->span_end = e;
	return true;
}

int obootmem_span_reserve(struct obootmem *o, uint64_t e)
{
	return grow(o, e) ? 0 : -1;
}

int obootmem_node_add(struct obootmem *o, int nid, uint64_t s, uint64_t e, uint64_t max_pfn)
{
	if (o->zones_ready)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG).ret;
	if (nid < 0 || nid >= OBOOTMEM_MAX_NODES || s >= e || e > max_pfn)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG).ret;
	if (o->pnode[nid].online)
		return res_in(o, -EEXIST, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG).ret;
	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++)
		if (o->pnode[n].online && s < o->pnode[n].end && o->pnode[n].start < e)
			return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG).ret;
	if (!grow(o, e))
		return -1;
	memset(o->pstate + s, OBOOTMEM_RESERVED, e - s);
	o->pnode[nid] = (struct obootmem_pnode){ .online = true, .start = s, .end = e };
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
		       uint64_t align, uint64_t goal, uint64_t limit)
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
	/* every allocation that passed the checks asks once */
	if (!should_fail(o)) {
		if (n && core(o, n, size, align, goal, 0, &r.addr)) {
			obootmem_phys_zero(o, r.addr, size);
			return r;
		}
		if (all_nodes(o, size, align, goal, limit, &r.addr)) {
			obootmem_phys_zero(o, r.addr, size);
			return r;
		}
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

/* A page becomes buddy-free: poisoned (its bytes, if it has any, 0xaa)
 * when page poisoning is on. */
static void block_freed(struct obootmem *o, uint64_t pfn, unsigned order)
{
	set_state(o, pfn, order, OBOOTMEM_FREE);
	for (uint64_t k = 0; k < (1ull << order); k++) {
		o->nr_free++;
		if (o->poison && o->frame[pfn + k])
			memset(o->frame[pfn + k], 0xaa, PAGE);
	}
}

/* One reserved page of a hand-off's many goes to the buddy allocator:
 * the zones' kept counts (free blocks, managed pages) are recounted at
 * their next look. */
static void release(struct obootmem *o, uint64_t pfn, struct obootmem_res *r)
{
	if (pfn >= o->span_end || o->pstate[pfn] != OBOOTMEM_RESERVED)
		return;
	o->pstate[pfn] = OBOOTMEM_FREE;
	o->zones_stale = true;
	o->nr_free++;
	if (o->poison && o->frame[pfn])
		memset(o->frame[pfn], 0xaa, PAGE);
	r->count++;
}

struct obootmem_res obootmem_free_all_bootmem(struct obootmem *o)
{
	struct obootmem_res r = res(o, 0, -1);

	if (o->handed)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	/* a bitmap page still free in some node would be released twice */
	for (int i = 0; i < o->nr; i++)
		for (uint64_t k = 0; k < o->node[i].map_pages; k++)
			if (obootmem_reserved(o, o->node[i].map_pfn + k) == 0 ||
			    obootmem_pfn_state(o, o->node[i].map_pfn + k) != OBOOTMEM_RESERVED)
				return res(o, -EINVAL, MM_REPORT_BUG);
	/* every page it would release must be a reserved page with a struct
	 * page, or the whole hand-off is refused */
	for (int i = 0; i < o->nr; i++)
		for (uint64_t p = o->node[i].min; p < o->node[i].low; p++)
			if (!o->node[i].rsv[p - o->node[i].min] &&
			    obootmem_pfn_state(o, p) != OBOOTMEM_RESERVED)
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

	const uint64_t lo = o->lowpfn, hi = o->span_end;
	uint8_t *go;

	if (o->high_done)
		return res(o, -EINVAL, MM_REPORT_AFTER_HANDOFF);
	o->high_done = true;
	if (hi <= lo)
		return r;
	/* painted range by range (the pages wholly inside a RAM range, less
	 * every page a reservation touches), then released in pfn order: the
	 * pages plus the ranges, not their product */
	go = calloc(hi - lo, 1);
	if (!go)
		abort(); /* host out of memory: the oracle cannot go on */
	for (int i = 0; i < nram; i++)
		for (uint64_t p = OBOOTMEM_MAX(up(ram[i].start), lo); p < hi && (p + 1) * PAGE <= ram[i].end; p++)
			go[p - lo] = 1;
	for (int k = 0; k < nres; k++)
		for (uint64_t p = OBOOTMEM_MAX(rv[k][0] / PAGE, lo); rv[k][0] < rv[k][1] && p < hi && p < up(rv[k][1]); p++)
			go[p - lo] = 0;
	for (uint64_t p = lo; p < hi; p++)
		if (go[p - lo])
			release(o, p, &r);
	free(go);
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

enum obootmem_pstate obootmem_pfn_state(const struct obootmem *o, uint64_t pfn)
{
	return pfn < o->span_end ? (enum obootmem_pstate)o->pstate[pfn] : OBOOTMEM_ABSENT;
}

/* ---- the page allocator after the hand-off (semantics.md §5) ------------- */

int obootmem_free_area_init(struct obootmem *o)
{
	/* zone boundaries: DMA below 16 MiB (or the lowmem limit), NORMAL
	 * below the lowmem limit, HIGHMEM above; each clipped to the node */
	bool any = false;
	if (o->zones_ready)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG).ret;
	/* zones need a node for the current CPU: with none the call is a BUG
	 * and the machine stays before zones (semantics.md §5) */
	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++)
		any |= o->pnode[n].online;
	if (!any)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG).ret;
	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++) {
		struct obootmem_pnode *pn = &o->pnode[n];
		const uint64_t cut[OBOOTMEM_ZONES + 1] = { pn->start, o->dma_end, o->lowpfn, pn->end };
		uint64_t at = pn->start;
		if (!pn->online)
			continue;
		for (int z = 0; z < OBOOTMEM_ZONES; z++) {
			uint64_t e = OBOOTMEM_MIN(OBOOTMEM_MAX(cut[z + 1], at), pn->end);
			pn->zone[z].start = at;
			pn->zone[z].end = e;
			pn->zone[z].present = e - at;
			at = e;
		}
	}
	o->zones_ready = true;
	return 0;
}

bool obootmem_zone_of(const struct obootmem *o, uint64_t pfn, int *nid, int *zone)
{
	/* runs of pfns ask for one node many times: that node first */
	const struct obootmem_pnode *last = &o->pnode[o->last_nid];
	if (last->online && pfn >= last->start && pfn < last->end) {
		*nid = o->last_nid;
		*zone = pfn < o->dma_end ? 0 : pfn < o->lowpfn ? 1 : 2;
		return true;
	}
	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++) {
		const struct obootmem_pnode *pn = &o->pnode[n];
		if (!pn->online || pfn < pn->start || pfn >= pn->end)
			continue;
		((struct obootmem *)o)->last_nid = n; /* a hint only */
		*nid = n;
		*zone = pfn < o->dma_end ? 0 : pfn < o->lowpfn ? 1 : 2;
		return true;
	}
	return false;
}

/* The square root rounded down, by bisection. */
static uint64_t isqrt(uint64_t x)
{
	uint64_t lo = 0, hi = 1ull << 32;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (mid * mid <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void obootmem_wmarks(struct obootmem *o)
{
	static const uint64_t ratio[OBOOTMEM_ZONES] = { 256, 32, 32 };
	uint64_t lowmem = 0, kb, pages_min;

	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++)
		if (o->pnode[n].online)
			lowmem += o->pnode[n].zone[0].present + o->pnode[n].zone[1].present;
	/* min_free_kbytes = sqrt(16 * lowmem KiB) in [128, 65536] */
	kb = OBOOTMEM_MIN(OBOOTMEM_MAX(isqrt(lowmem * 4 * 16), 128), 65536);
	pages_min = kb / 4;
	for (int n = 0; n < OBOOTMEM_MAX_NODES; n++) {
		struct obootmem_pnode *pn = &o->pnode[n];
		if (!pn->online)
			continue;
		for (int z = 0; z < OBOOTMEM_ZONES; z++) {
			struct obootmem_zone *zn = &pn->zone[z];
			uint64_t tmp = lowmem ? pages_min * zn->present / lowmem : 0;
			zn->wmark[0] = z == 2 ? OBOOTMEM_MIN(OBOOTMEM_MAX(zn->present / 1024, 32), 128) : tmp;
			zn->wmark[1] = zn->wmark[0] + tmp / 4;
			zn->wmark[2] = zn->wmark[0] + tmp / 2;
		}
		for (int j = 0; j < OBOOTMEM_ZONES; j++) {
			uint64_t pages = pn->zone[j].present;
			pn->zone[j].reserve[j] = 0;
			for (int i = j - 1; i >= 0; i--) {
				pn->zone[i].reserve[j] = pages / ratio[i];
				pages += pn->zone[i].present;
			}
		}
	}
	o->wmarks_ready = true;
}

/* Free pages [p, p + 2^k) all in the zone [zs, ze)? */
static bool all_free(const struct obootmem *o, uint64_t p, unsigned k, uint64_t zs, uint64_t ze)
{
	if (p < zs || p + (1ull << k) > ze)
		return false;
	for (uint64_t i = 0; i < (1ull << k); i++)
		if (o->pstate[p + i] != OBOOTMEM_FREE)
			return false;
	return true;
}

/* The block of the fully merged free state that starts at free page p
 * (p is the first free page after a non-free one or after the previous
 * block): the largest aligned order whose pages are free and in the zone. */
static unsigned block_order(const struct obootmem *o, uint64_t p, uint64_t zs, uint64_t ze)
{
	unsigned k = 0;
	while (k + 1 < o->max_order && !(p & ((2ull << k) - 1)) && all_free(o, p, k + 1, zs, ze))
		k++;
	return k;
}

void obootmem_zone_free_scan(const struct obootmem *o, int nid, int zone, uint64_t *free,
			     uint64_t nr_free[OBOOTMEM_ORDERS])
{
	const struct obootmem_zone *z = &o->pnode[nid].zone[zone];
	memset(nr_free, 0, OBOOTMEM_ORDERS * sizeof(*nr_free));
	*free = 0;
	for (uint64_t p = z->start; p < z->end;) {
		unsigned k;
		if (o->pstate[p] != OBOOTMEM_FREE) {
			p++;
			continue;
		}
		k = block_order(o, p, z->start, z->end);
		nr_free[k]++;
		*free += 1ull << k;
		p += 1ull << k;
	}
}

/* A zone's kept counts afresh: the free blocks, and the managed pages (a
 * page is managed once handed over, free or allocated since: no page
 * goes back to reserved). */
static void recount(struct obootmem *o, struct obootmem_zone *z, int nid, int zone,
		    uint64_t nr_free[OBOOTMEM_ORDERS])
{
	uint64_t managed = 0;
	obootmem_zone_free_scan(o, nid, zone, &z->free_pages, nr_free);
	for (int k = 0; k < OBOOTMEM_KEPT_ORDERS; k++)
		z->nr_free[k] = (uint32_t)nr_free[k];
	for (uint64_t p = z->start; p < z->end; p++)
		managed += o->pstate[p] == OBOOTMEM_FREE || o->pstate[p] == OBOOTMEM_ALLOCATED;
	z->managed = managed;
	z->stale = false;
}

void obootmem_zone_free(struct obootmem *o, int nid, int zone, uint64_t *free,
			uint64_t nr_free[OBOOTMEM_ORDERS])
{
	struct obootmem_zone *z = &o->pnode[nid].zone[zone];
	if (o->zones_stale) {
		for (int n = 0; n < OBOOTMEM_MAX_NODES; n++)
			for (int k = 0; k < OBOOTMEM_ZONES; k++)
				o->pnode[n].zone[k].stale = true;
		o->zones_stale = false;
	}
	if (z->stale || o->max_order > OBOOTMEM_KEPT_ORDERS) {
		recount(o, z, nid, zone, nr_free);
		*free = z->free_pages;
		return;
	}
	memset(nr_free, 0, OBOOTMEM_ORDERS * sizeof(*nr_free));
	for (int k = 0; k < OBOOTMEM_KEPT_ORDERS; k++)
		nr_free[k] = z->nr_free[k];
	*free = z->free_pages;
}

/* Add (sign 1) or take away (-1) the blocks of the greedy cut that lie in
 * [s, e), a stretch whose ends are block boundaries of the cut. */
static void tally(struct obootmem *o, struct obootmem_zone *z, uint64_t s, uint64_t e, int sign)
{
	for (uint64_t p = OBOOTMEM_MAX(s, z->start); p < OBOOTMEM_MIN(e, z->end);) {
		unsigned k;
		if (o->pstate[p] != OBOOTMEM_FREE) {
			p++;
			continue;
		}
		k = block_order(o, p, z->start, z->end);
		if (sign > 0) {
			z->nr_free[k]++;
			z->free_pages += 1ull << k;
		} else {
			z->nr_free[k]--;
			z->free_pages -= 1ull << k;
		}
		p += 1ull << k;
	}
}

/* The largest aligned all-free run of at most MAX_ORDER - 1 that holds
 * [pfn, pfn + 2^order) (the run itself if it is not all free): no block of
 * the cut crosses its ends (a block crossing one would be a larger
 * aligned free run holding it), so a state change inside it changes the
 * cut inside it only. */
static void free_run(const struct obootmem *o, const struct obootmem_zone *z, uint64_t pfn,
		     unsigned order, uint64_t *s, uint64_t *e)
{
	unsigned k = order;
	while (k + 1 < o->max_order && all_free(o, pfn & ~((2ull << k) - 1), k + 1, z->start, z->end))
		k++;
	*s = pfn & ~((1ull << k) - 1);
	*e = *s + (1ull << k);
}

/* Pages [pfn, pfn + 2^order) (one zone) become st, the zone's kept counts
 * following: the cut is recounted over the free run that holds the block
 * while free (before an allocation, after a free), before and after (stale
 * counts stay stale: the next look recounts them). */
static void set_state(struct obootmem *o, uint64_t pfn, unsigned order, enum obootmem_pstate st)
{
	const uint64_t n = 1ull << order;
	int nid, zone;
	struct obootmem_zone *z;
	uint64_t s, e;

	if (o->zones_stale || !o->zones_ready || o->max_order > OBOOTMEM_KEPT_ORDERS ||
	    !obootmem_zone_of(o, pfn, &nid, &zone) ||
	    o->pnode[nid].zone[zone].stale) {
		memset(o->pstate + pfn, st, n);
		return;
	}
	z = &o->pnode[nid].zone[zone];
	if (st == OBOOTMEM_FREE) {
		/* the run after the free; before it the block was not free
		 * (any state other than free counts the same) */
		memset(o->pstate + pfn, OBOOTMEM_FREE, n);
		free_run(o, z, pfn, order, &s, &e);
		memset(o->pstate + pfn, OBOOTMEM_ALLOCATED, n);
	} else {
		free_run(o, z, pfn, order, &s, &e);
	}
	tally(o, z, s, e, -1);
	memset(o->pstate + pfn, st, n);
	tally(o, z, s, e, 1);
}

bool obootmem_block_is(const struct obootmem *o, uint64_t pfn, unsigned order, int nid, int zone)
{
	/* the block of the cut holding a free page is the largest aligned
	 * free run of the zone holding it (free_run): pfn heads an order-k
	 * block when its aligned 2^k pages are free and the aligned 2^(k+1)
	 * around them are not (or k is the last order) */
	const struct obootmem_zone *z = &o->pnode[nid].zone[zone];
	if (order >= o->max_order || (pfn & ((1ull << order) - 1)) ||
	    !all_free(o, pfn, order, z->start, z->end))
		return false;
	return order + 1 >= o->max_order ||
	       !all_free(o, pfn & ~((2ull << order) - 1), order + 1, z->start, z->end);
}

/* zone_watermark_ok as semantics.md §5 states it, for both rules. */
static bool wmark_ok(const struct obootmem *o, const struct obootmem_zone *z, uint64_t free,
		     const uint64_t *nr_free, unsigned order, uint64_t mark, int classzone,
		     bool high, bool harder)
{
	int64_t min = (int64_t)mark, left = (int64_t)free - (1ll << order) + 1;

	if (high)
		min -= min / 2;
	if (harder)
		min -= min / 4;
	if (left <= min + (int64_t)z->reserve[classzone])
		return false;
	if (o->modern_wmark) {
		for (unsigned k = order; k < o->max_order; k++)
			if (nr_free[k])
				return true;
		return order == 0;
	}
	for (unsigned k = 0; k < order; k++) {
		left -= (int64_t)(nr_free[k] << k);
		min >>= 1;
		if (left <= min)
			return false;
	}
	return true;
}

int obootmem_buddy_alloc(struct obootmem *o, int nid, uint32_t gfp, unsigned order, int *enid,
			 int *ezone, unsigned *eorder)
{
	const uint32_t valid = MM_GFP_DMA | MM_GFP_HIGHMEM | MM_GFP_HIGH | MM_GFP_COLD | MM_GFP_ZERO |
			       MM_GFP_THISNODE | MM_GFP_ATOMIC_HARDER;
	int list[OBOOTMEM_MAX_NODES * OBOOTMEM_ZONES], cnt = 0, high;

	if (nid == -2) /* mm_alloc_pages: the first online node */
		for (nid = 0; nid < OBOOTMEM_MAX_NODES - 1 && !o->pnode[nid].online; nid++)
			;
	if (nid == -1)
		nid = 0;
	if ((gfp & ~valid) || nid < 0 || nid >= OBOOTMEM_MAX_NODES || !o->pnode[nid].online)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG).ret;
	if (order >= o->max_order)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_WARN).ret;
	if (should_fail(o))
		return -ENOMEM;
	/* the zonelist: this node's zones from the highest allowed down, then
	 * the next nodes by nid (nid+1 ... last, 0 ... nid-1) unless THISNODE */
	high = gfp & MM_GFP_DMA ? 0 : gfp & MM_GFP_HIGHMEM ? 2 : 1;
	for (int k = 0; k < OBOOTMEM_MAX_NODES && !(k && (gfp & MM_GFP_THISNODE)); k++) {
		int n = (nid + k) % OBOOTMEM_MAX_NODES;
		for (int z = high; z >= 0 && o->pnode[n].online; z--)
			if (o->pnode[n].zone[z].present)
				list[cnt++] = n * OBOOTMEM_ZONES + z;
	}
	/* low mark first, then min with the dips; no per-CPU lists to drain */
	for (int pass = 0; pass < 2 && cnt; pass++) {
		for (int i = 0; i < cnt; i++) {
			const int n = list[i] / OBOOTMEM_ZONES, z = list[i] % OBOOTMEM_ZONES;
			const struct obootmem_zone *zn = &o->pnode[n].zone[z];
			uint64_t free, nr_free[OBOOTMEM_ORDERS];
			obootmem_zone_free(o, n, z, &free, nr_free);
			if (!wmark_ok(o, zn, free, nr_free, order, zn->wmark[pass ? 0 : 1],
				      list[0] % OBOOTMEM_ZONES, pass && (gfp & MM_GFP_HIGH),
				      pass && (gfp & MM_GFP_ATOMIC_HARDER)))
				continue;
			for (unsigned k = order; k < o->max_order; k++) {
				if (!nr_free[k])
					continue;
				*enid = n;
				*ezone = z;
				*eorder = k;
				return 0;
			}
		}
	}
	return -ENOMEM;
}

unsigned obootmem_buddy_take(struct obootmem *o, uint64_t pfn, unsigned order, uint32_t gfp)
{
	unsigned bad = 0;
	for (uint64_t k = 0; k < (1ull << order); k++) {
		const uint8_t *f = o->frame[pfn + k];
		for (uint64_t b = 0; o->poison && f && b < PAGE; b++)
			if (f[b] != 0xaa) {
				bad++;
				break;
			}
		o->nr_free--;
	}
	set_state(o, pfn, order, OBOOTMEM_ALLOCATED);
	o->head_order[pfn] = (uint8_t)(order + 1);
	if (gfp & MM_GFP_ZERO)
		obootmem_phys_zero(o, pfn * PAGE, PAGE << order);
	return bad;
}

int obootmem_buddy_free(struct obootmem *o, uint64_t pfn, unsigned order)
{
	const enum obootmem_pstate st = obootmem_pfn_state(o, pfn);

	if (st == OBOOTMEM_ABSENT || order >= o->max_order)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG).ret;
	if (st == OBOOTMEM_RESERVED)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE).ret;
	if (st == OBOOTMEM_FREE)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_DOUBLE_FREE).ret;
	if (o->head_order[pfn] != order + 1)
		return res_in(o, -EINVAL, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_FREE).ret;
	/* the last reference (every block here has one): freed whole */
	o->head_order[pfn] = 0;
	block_freed(o, pfn, order);
	return 0;
}

/* ---- simulated memory (semantics.md §0.5) -------------------------------- */

/* frame[pfn] may hold bytes from now on: widen [frame_lo, frame_hi). */
static void frame_span(struct obootmem *o, uint64_t pfn)
{
	if (o->frame_hi == 0) {
		o->frame_lo = pfn;
		o->frame_hi = pfn + 1;
		return;
	}
	o->frame_lo = OBOOTMEM_MIN(o->frame_lo, pfn);
	o->frame_hi = OBOOTMEM_MAX(o->frame_hi, pfn + 1);
}

static uint8_t **frame_slot(struct obootmem *o, uint64_t pfn, bool create)
{
	if (pfn < o->span_end)
		return &o->frame[pfn];
	for (uint32_t i = 0; i < o->nfar; i++)
		if (o->far[i].pfn == pfn)
			return &o->far[i].bytes;
	if (!create)
		return NULL;
	if (o->nfar == o->capfar) {
		uint32_t cap = o->capfar ? 2 * o->capfar : 16;
		struct obootmem_far *f = realloc(o->far, cap * sizeof(*f));
		if (!f)
			abort();
		o->far = f;
		o->capfar = cap;
	}
	o->far[o->nfar] = (struct obootmem_far){ pfn, NULL };
	return &o->far[o->nfar++].bytes;
}

const uint8_t *obootmem_frame(const struct obootmem *o, uint64_t pfn)
{
	uint8_t **f = frame_slot((struct obootmem *)o, pfn, false);
	return f ? *f : NULL;
}

int obootmem_phys_write(struct obootmem *o, uint64_t addr, const uint8_t *buf, uint64_t len)
{
	uint64_t need = 0;

	if (addr + len < addr)
		return res_in(o, -EINVAL, MM_STAGE_CORE, MM_REPORT_INVALID_ARG).ret;
	for (uint64_t p = addr / PAGE; len && p <= (addr + len - 1) / PAGE; p++)
		if (obootmem_pfn_state(o, p) == OBOOTMEM_FREE)
			return res_in(o, -EFAULT, MM_STAGE_CORE, MM_REPORT_USE_AFTER_FREE).ret;
	for (uint64_t p = addr / PAGE; len && p <= (addr + len - 1) / PAGE; p++)
		need += obootmem_frame(o, p) == NULL;
	if (o->backed + need > o->backing_max)
		return -ENOMEM;
	for (uint64_t a = addr; a < addr + len;) {
		uint64_t off = a % PAGE, n = OBOOTMEM_MIN(PAGE - off, addr + len - a);
		uint8_t **f = frame_slot(o, a / PAGE, true);
		if (!*f) {
			*f = calloc(1, PAGE);
			if (!*f)
				abort();
			o->backed++;
			if (a / PAGE < o->span_end)
				frame_span(o, a / PAGE);
		}
		memcpy(*f + off, buf + (a - addr), n);
		a += n;
	}
	return 0;
}

void obootmem_phys_zero(struct obootmem *o, uint64_t addr, uint64_t len)
{
	const uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
	/* frame by frame: a whole frame zeroed loses its bytes (reads zero
	 * again), a part is cleared */
	for (uint64_t a = addr; a < end;) {
		uint64_t off = a % PAGE, n = OBOOTMEM_MIN(PAGE - off, end - a);
		uint8_t **f = frame_slot(o, a / PAGE, false);
		if (f && *f) {
			if (n == PAGE) {
				free(*f);
				*f = NULL;
				o->backed--;
			} else {
				memset(*f + off, 0, n);
			}
		}
		if (a + n < a)
			break;
		a += n;
	}
}
