/*
 * Oracle for the buddy allocator (see oracle_page_alloc.h). Free-count
 * bookkeeping: when a naturally aligned block changes state as a whole, only
 * its ancestors (up to MAX_ORDER-1) and their siblings can gain or lose
 * canonical status, so those are accounted before and after the change.
 * Everything else is a direct per-pfn array.
 */
#include "oracle_page_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A refused call: -EINVAL, and its report predicted into x. */
static int refuse(struct props_expect *x, enum mm_stage stage, enum mm_report_kind kind)
{
	props_expect_report(x, stage, kind);
	return -EINVAL;
}

/* The arrays cover [base, npfn) only: the pfns below the lowest node cost
 * nothing. */
#define PG(o, pfn) ((o)->pg[(pfn) - (o)->base])
#define RS(o, pfn) ((o)->runstart[(pfn) - (o)->base])

static bool in_range(const struct opage_alloc *o, uint64_t pfn) { return pfn >= o->base && pfn < o->npfn; }

/* Fenwick tree of free pages: free pages in [base, end). */
static void bit_add(struct opage_alloc *o, uint64_t pfn, int d)
{
	for (uint64_t i = pfn - o->base + 1; i <= o->npfn - o->base; i += i & (~i + 1))
		o->bit[i] += d;
}

static int64_t bit_prefix(const struct opage_alloc *o, uint64_t end)
{
	int64_t s = 0;
	for (uint64_t i = end - o->base; i; i -= i & (~i + 1))
		s += o->bit[i];
	return s;
}

/* Is [pfn, pfn + 2^order) aligned, free and inside one zone (no hole)? */
static bool run_free(const struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	uint64_t n = (uint64_t)1 << order;
	if ((pfn & (n - 1)) || pfn < o->base || pfn + n > o->npfn || PG(o, pfn).zid == OPAGE_ALLOC_NONE)
		return false;
	if (RS(o, pfn + n - 1) > pfn)
		return false;
	return bit_prefix(o, pfn + n) - bit_prefix(o, pfn) == (int64_t)n;
}

/* Add sign to nr_free if the block is canonical. */
static void account_block(struct opage_alloc *o, uint64_t pfn, unsigned order, int sign)
{
	if (!in_range(o, pfn) || !opage_alloc_is_canonical(o, pfn, order))
		return;
	o->zone[PG(o, pfn).zid / 3][PG(o, pfn).zid % 3].nr_free[order] += sign;
}

/* Only the ancestors of a block and the siblings of those ancestors can
 * change canonical status when the block changes state as a whole: blocks
 * inside it are never canonical on either side (it is wholly free or wholly
 * not), and blocks inside a sibling keep the same parent state. */
static void chain_account(struct opage_alloc *o, uint64_t pfn, unsigned order, int sign)
{
	for (unsigned j = order; j < o->max_order; j++) {
		uint64_t a = pfn & ~(((uint64_t)1 << j) - 1);
		account_block(o, a, j, sign);
		if (j + 1 < o->max_order)
			account_block(o, a ^ ((uint64_t)1 << j), j, sign);
	}
}

/* Change the free state of a whole block: free=true makes it free. */
static void set_block(struct opage_alloc *o, uint64_t pfn, unsigned order, bool to_free)
{
	const unsigned top = o->max_order - 1;
	uint64_t n = (uint64_t)1 << order, step = (uint64_t)1 << (order > top ? top : order);
	if (o->bulk) {
		for (uint64_t i = pfn; i < pfn + n; i++)
			PG(o, i).state = to_free ? OPAGE_ALLOC_FREE : OPAGE_ALLOC_HEAD;
		return;
	}
	for (uint64_t b = pfn; b < pfn + n; b += step) {
		unsigned k = order > top ? top : order;
		chain_account(o, b, k, -1);
		for (uint64_t i = b; i < b + step; i++) {
			bool was = PG(o, i).state == OPAGE_ALLOC_FREE;
			if (was != to_free)
				bit_add(o, i, to_free ? 1 : -1);
			PG(o, i).state = to_free ? OPAGE_ALLOC_FREE : OPAGE_ALLOC_HEAD;
		}
		chain_account(o, b, k, +1);
	}
}

/* ---- free lists --------------------------------------------------------- */

#define FL_NONE UINT32_MAX
#define IDX(o, pfn) ((uint32_t)((pfn) - (o)->base))

static struct opage_alloc_list *fl_of(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	uint8_t zid = PG(o, pfn).zid;
	return &o->fl[zid / 3][zid % 3][order];
}

static void fl_add(struct opage_alloc *o, uint64_t pfn, unsigned order, bool tail)
{
	struct opage_alloc_list *l = fl_of(o, pfn, order);
	uint32_t i = IDX(o, pfn);
	o->border[i] = (uint8_t)order;
	if (tail) {
		o->lnext[i] = FL_NONE;
		o->lprev[i] = l->tail;
		if (l->tail != FL_NONE)
			o->lnext[l->tail] = i;
		else
			l->head = i;
		l->tail = i;
	} else {
		o->lprev[i] = FL_NONE;
		o->lnext[i] = l->head;
		if (l->head != FL_NONE)
			o->lprev[l->head] = i;
		else
			l->tail = i;
		l->head = i;
	}
	l->count++;
}

static void fl_del(struct opage_alloc *o, uint64_t pfn)
{
	uint32_t i = IDX(o, pfn);
	struct opage_alloc_list *l = fl_of(o, pfn, o->border[i]);
	if (o->lprev[i] != FL_NONE)
		o->lnext[o->lprev[i]] = o->lnext[i];
	else
		l->head = o->lnext[i];
	if (o->lnext[i] != FL_NONE)
		o->lprev[o->lnext[i]] = o->lprev[i];
	else
		l->tail = o->lprev[i];
	o->border[i] = OPAGE_ALLOC_NONE;
	l->count--;
}

/* __free_one_page: merge with the buddy while it is a free head of the
 * same order in the same zone, then the result goes on the head of its
 * list (with shuffling either end: the oracle's list is then a set). */
static void buddy_free(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	const uint8_t zid = PG(o, pfn).zid;
	while (order + 1 < o->max_order) {
		uint64_t b = pfn ^ ((uint64_t)1 << order);
		if (!in_range(o, b) || o->border[IDX(o, b)] != order || PG(o, b).zid != zid)
			break;
		fl_del(o, b);
		pfn &= b;
		order++;
	}
	fl_add(o, pfn, order, false);
}

uint64_t opage_alloc_rmqueue(struct opage_alloc *o, int nid, int zone, unsigned order, uint64_t want)
{
	unsigned k = order;
	uint64_t p;
	while (k < o->max_order && o->fl[nid][zone][k].count <= 0)
		k++;
	if (k >= o->max_order)
		return UINT64_MAX;
	if (want == UINT64_MAX)
		p = o->base + o->fl[nid][zone][k].head;
	else if (in_range(o, want) && o->border[IDX(o, want)] == k && PG(o, want).zid == nid * 3 + zone)
		p = want;
	else
		return UINT64_MAX;
	fl_del(o, p);
	/* expand: the upper half of each level goes on the head of its list */
	while (k > order) {
		k--;
		fl_add(o, p + ((uint64_t)1 << k), k, false);
	}
	return p;
}

bool opage_alloc_lists_consistent(const struct opage_alloc *o)
{
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++)
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++)
			for (unsigned k = 0; k < o->max_order; k++)
				if (o->fl[n][z][k].count != o->zone[n][z].nr_free[k])
					return false;
	return true;
}

int opage_alloc_init(struct opage_alloc *o, uint32_t max_order, uint64_t lowmem_pfn, bool modern_wmark, bool poison,
	     bool shuffle, uint64_t base, uint64_t npfn)
{
	memset(o, 0, sizeof(*o));
	o->max_order = max_order;
	o->low_pfn = lowmem_pfn;
	o->dma_end = lowmem_pfn < 4096 ? lowmem_pfn : 4096;
	o->modern_wmark = modern_wmark;
	o->poison = poison;
	o->shuffle = shuffle;
	o->base = base;
	o->npfn = npfn;
	o->nr_cpus = 1;
	o->pg = malloc((npfn - base + 1) * sizeof(*o->pg));
	o->bit = calloc(npfn - base + 1, sizeof(*o->bit));
	o->runstart = malloc((npfn - base + 1) * sizeof(*o->runstart));
	o->lnext = malloc((npfn - base + 1) * sizeof(*o->lnext));
	o->lprev = malloc((npfn - base + 1) * sizeof(*o->lprev));
	o->border = malloc(npfn - base + 1);
	if (!o->pg || !o->bit || !o->runstart || !o->lnext || !o->lprev || !o->border)
		return -1;
	memset(o->border, OPAGE_ALLOC_NONE, npfn - base + 1);
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++)
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++)
			for (int k = 0; k < 32; k++)
				o->fl[n][z][k] = (struct opage_alloc_list){ FL_NONE, FL_NONE, 0 };
	for (uint64_t p = base; p < npfn; p++) {
		PG(o, p) = (struct opage_alloc_page){ .state = OPAGE_ALLOC_ABSENT, .zid = OPAGE_ALLOC_NONE };
		RS(o, p) = p;
	}
	return 0;
}

void opage_alloc_free(struct opage_alloc *o)
{
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++)
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++)
			for (int k = 0; k < OPAGE_ALLOC_CPUS; k++)
				free(o->pcp[n][z][k].pfn);
	free(o->pg);
	free(o->bit);
	free(o->runstart);
	free(o->lnext);
	free(o->lprev);
	free(o->border);
	o->lnext = o->lprev = NULL;
	o->border = NULL;
	o->pg = NULL;
	o->bit = NULL;
	o->runstart = NULL;
}

void opage_alloc_fault_set(struct opage_alloc *o, bool enable, uint32_t after, uint32_t repeat)
{
	o->fault_enable = enable;
	o->fault_countdown = after;
	o->fault_repeat = repeat;
}

bool opage_alloc_should_fail(struct opage_alloc *o)
{
	if (!o->fault_enable)
		return false;
	if (o->fault_countdown) {
		o->fault_countdown--;
		return false;
	}
	if (o->fault_repeat) {
		o->fault_repeat--;
		if (!o->fault_repeat)
			o->fault_enable = false;
	}
	return true;
}

void opage_alloc_node(struct opage_alloc *o, int nid, uint64_t start, uint64_t end)
{
	o->online[nid] = true;
	o->nstart[nid] = start;
	o->nend[nid] = end;
}

static int zone_idx(const struct opage_alloc *o, uint64_t pfn)
{
	return pfn < o->dma_end ? 0 : pfn < o->low_pfn ? 1 : 2;
}

void opage_alloc_present(struct opage_alloc *o, uint64_t start, uint64_t end)
{
	for (uint64_t p = start; p < end && in_range(o, p); p++) {
		PG(o, p).state = OPAGE_ALLOC_RESERVED;
		PG(o, p).ref = 1;
	}
}

void opage_alloc_zones_init(struct opage_alloc *o)
{
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++) {
		if (!o->online[n])
			continue;
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++) {
			/* zone z is the node span cut to the zone's pfn range */
			uint64_t lo = z == 0 ? 0 : z == 1 ? o->dma_end : o->low_pfn;
			uint64_t hi = z == 0 ? o->dma_end : z == 1 ? o->low_pfn : UINT64_MAX;
			uint64_t s = o->nstart[n] > lo ? o->nstart[n] : lo;
			uint64_t e = o->nend[n] < hi ? o->nend[n] : hi;
			if (s > o->nend[n])
				s = o->nend[n];
			if (e < s)
				e = s;
			if (z == 0)
				s = o->nstart[n];
			o->zone[n][z].start = s;
			o->zone[n][z].end = e;
		}
		for (uint64_t p = o->nstart[n]; p < o->nend[n] && in_range(o, p); p++) {
			if (PG(o, p).state == OPAGE_ALLOC_ABSENT)
				continue;
			PG(o, p).zid = (uint8_t)(n * 3 + zone_idx(o, p));
			o->zone[n][zone_idx(o, p)].present++;
		}
	}
	for (uint64_t p = o->base + 1; p < o->npfn; p++)
		if (PG(o, p).zid != OPAGE_ALLOC_NONE && PG(o, p).zid == PG(o, p - 1).zid)
			RS(o, p) = RS(o, p - 1);
}

static struct opage_alloc_zone *zone_of_pfn(struct opage_alloc *o, uint64_t pfn)
{
	uint8_t zid = PG(o, pfn).zid;
	return &o->zone[zid / 3][zid % 3];
}

void opage_alloc_handoff(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	uint64_t n = (uint64_t)1 << order;
	const unsigned piece = order < o->max_order ? order : o->max_order - 1;
	set_block(o, pfn, order, true);
	/* an order at or above MAX_ORDER goes as MAX_ORDER-1 pieces, in pfn order */
	for (uint64_t off = 0; off < n; off += (uint64_t)1 << piece)
		buddy_free(o, pfn + off, piece);
	for (uint64_t i = 0; i < n; i++) {
		struct opage_alloc_page *p = &PG(o, pfn + i);
		p->ref = 0;
		p->scribbled = 0;
		zone_of_pfn(o, pfn + i)->managed++;
		zone_of_pfn(o, pfn + i)->free++;
	}
}

void opage_alloc_handoff_begin(struct opage_alloc *o)
{
	o->bulk = true;
}

void opage_alloc_handoff_end(struct opage_alloc *o)
{
	const uint64_t n = o->npfn - o->base;

	o->bulk = false;
	/* the tree: each node adds itself to its parent, in index order */
	for (uint64_t i = 1; i <= n; i++)
		o->bit[i] = PG(o, o->base + i - 1).state == OPAGE_ALLOC_FREE;
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t j = i + (i & (~i + 1));
		if (j <= n)
			o->bit[j] += o->bit[i];
	}
	for (int z = 0; z < OPAGE_ALLOC_NODES * OPAGE_ALLOC_ZONES; z++)
		memset(o->zone[z / OPAGE_ALLOC_ZONES][z % OPAGE_ALLOC_ZONES].nr_free, 0,
		       sizeof(o->zone[0][0].nr_free));
	for (uint64_t p = o->base; p < o->npfn;) {
		unsigned k = o->max_order;
		if (PG(o, p).state != OPAGE_ALLOC_FREE) {
			p++;
			continue;
		}
		while (k-- > 0 && !run_free(o, p, k))
			;
		zone_of_pfn(o, p)->nr_free[k]++;
		p += (uint64_t)1 << k;
	}
}

int opage_alloc_handoff_predict(const struct opage_alloc *o, uint64_t pfn, unsigned order, struct props_expect *x)
{
	const struct opage_alloc_page *first = opage_alloc_page(o, pfn);
	uint64_t n;
	if (order >= 32)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	n = (uint64_t)1 << order;
	if ((pfn & (n - 1)) || pfn + n < pfn || !first || first->state == OPAGE_ALLOC_ABSENT)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	for (uint64_t i = 0; i < n; i++) {
		const struct opage_alloc_page *p = opage_alloc_page(o, pfn + i);
		if (!p || p->state == OPAGE_ALLOC_ABSENT || p->zid != first->zid)
			return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
		if (p->state != OPAGE_ALLOC_RESERVED || p->ref != 1)
			return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE);
	}
	return 0;
}

static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

void opage_alloc_wmarks(struct opage_alloc *o)
{
	uint64_t lowmem = 0, pmin;
	const uint64_t ratio[OPAGE_ALLOC_ZONES] = { 256, 32, 32 };
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++)
		if (o->online[n])
			lowmem += o->zone[n][0].present + o->zone[n][1].present;
	o->min_free_kbytes = isqrt(lowmem * 4 * 16);
	if (o->min_free_kbytes < 128)
		o->min_free_kbytes = 128;
	if (o->min_free_kbytes > 65536)
		o->min_free_kbytes = 65536;
	pmin = o->min_free_kbytes / 4;
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++) {
		if (!o->online[n])
			continue;
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++) {
			struct opage_alloc_zone *zn = &o->zone[n][z];
			uint64_t share = lowmem ? pmin * zn->present / lowmem : 0;
			if (z == 2) {
				zn->wmin = zn->present / 1024;
				zn->wmin = zn->wmin < 32 ? 32 : zn->wmin > 128 ? 128 : zn->wmin;
			} else {
				zn->wmin = share;
			}
			zn->wlow = zn->wmin + share / 4;
			zn->whigh = zn->wmin + share / 2;
		}
		/* lower zone idx reserves (pages of zones idx+1..j) / ratio[idx] against class j */
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++) {
			for (int j = 0; j < OPAGE_ALLOC_ZONES; j++) {
				uint64_t above = 0;
				if (j <= z) {
					o->zone[n][z].reserve[j] = 0;
					continue;
				}
				for (int k = z + 1; k <= j; k++)
					above += o->zone[n][k].present;
				o->zone[n][z].reserve[j] = above / ratio[z];
			}
		}
	}
}

int opage_alloc_zone_of(const struct opage_alloc *o, uint64_t pfn, int *nid, int *zone)
{
	if (!in_range(o, pfn) || PG(o, pfn).zid == OPAGE_ALLOC_NONE)
		return -1;
	*nid = PG(o, pfn).zid / 3;
	*zone = PG(o, pfn).zid % 3;
	return 0;
}

const struct opage_alloc_page *opage_alloc_page(const struct opage_alloc *o, uint64_t pfn)
{
	return in_range(o, pfn) ? &PG(o, pfn) : NULL;
}

static bool wmark_ok(const struct opage_alloc *o, const struct opage_alloc_zone *z, unsigned order, uint64_t mark,
		     int classzone, bool high, bool harder)
{
	int64_t min = (int64_t)mark, fp = (int64_t)z->free - ((int64_t)1 << order) + 1;
	if (high)
		min -= min / 2;
	if (harder)
		min -= min / 4;
	if (fp <= min + (int64_t)z->reserve[classzone])
		return false;
	if (o->modern_wmark) {
		if (order == 0)
			return true;
		for (unsigned k = order; k < o->max_order; k++)
			if (z->nr_free[k] > 0)
				return true;
		return false;
	}
	for (unsigned k = 0; k < order; k++) {
		fp -= z->nr_free[k] << k;
		min >>= 1;
		if (fp <= min)
			return false;
	}
	return true;
}

static bool opage_alloc_pcp_any(const struct opage_alloc *o);

bool opage_alloc_alloc_expect(struct opage_alloc *o, int nid, uint32_t gfp, unsigned order, int *enid, int *ezone,
		      unsigned *eorder)
{
	int high = (gfp & OPAGE_ALLOC_GFP_DMA) ? 0 : (gfp & OPAGE_ALLOC_GFP_HIGHMEM) ? 2 : 1;
	int list_n[OPAGE_ALLOC_NODES * OPAGE_ALLOC_ZONES], list_z[OPAGE_ALLOC_NODES * OPAGE_ALLOC_ZONES], cnt = 0;

	/* node order: nid, nid+1, ..., then the lower ones; populated zones only */
	for (int k = 0; k < OPAGE_ALLOC_NODES; k++) {
		int n = (nid + k) % OPAGE_ALLOC_NODES;
		if (k && (gfp & OPAGE_ALLOC_GFP_THISNODE))
			break;
		if (!o->online[n])
			continue;
		for (int z = high; z >= 0; z--) {
			if (!o->zone[n][z].present)
				continue;
			list_n[cnt] = n;
			list_z[cnt++] = z;
		}
	}
	/* an empty zonelist fails at once: no drain */
	for (int pass = 0; pass < 3 && cnt; pass++) {
		/* the third pass: after a drain, for callers that may wait */
		if (pass == 2 && ((gfp & OPAGE_ALLOC_GFP_HARDER) || !opage_alloc_pcp_any(o)))
			break;
		if (pass == 2) {
			opage_alloc_drain(o, true);
			o->drains++;
		}
		for (int i = 0; i < cnt; i++) {
			struct opage_alloc_zone *z = &o->zone[list_n[i]][list_z[i]];
			uint64_t mark = pass ? z->wmin : z->wlow;
			unsigned k;
			if (!wmark_ok(o, z, order, mark, list_z[0], pass && (gfp & OPAGE_ALLOC_GFP_HIGH),
				      pass && (gfp & OPAGE_ALLOC_GFP_HARDER)))
				continue;
			for (k = order; k < o->max_order && z->nr_free[k] <= 0; k++)
				;
			if (k == o->max_order)
				continue;
			*enid = list_n[i];
			*ezone = list_z[i];
			*eorder = k;
			return true;
		}
	}
	return false;
}

bool opage_alloc_is_canonical(const struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	if (!run_free(o, pfn, order))
		return false;
	if (order + 1 >= o->max_order)
		return true;
	return !run_free(o, pfn & ~(((uint64_t)2 << order) - 1), order + 1);
}

unsigned opage_alloc_alloc_apply(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	uint64_t n = (uint64_t)1 << order;
	unsigned scribbled = 0;
	set_block(o, pfn, order, false);
	for (uint64_t i = 0; i < n; i++) {
		struct opage_alloc_page *p = &PG(o, pfn + i);
		scribbled += p->scribbled;
		p->scribbled = 0;
		p->state = i ? OPAGE_ALLOC_TAIL : OPAGE_ALLOC_HEAD;
		p->ref = i ? 0 : 1;
		p->order = i ? 0 : (uint8_t)order;
		zone_of_pfn(o, pfn + i)->free--;
	}
	return o->poison ? scribbled : 0;
}

bool opage_alloc_is_free(const struct opage_alloc *o, uint64_t pfn)
{
	return in_range(o, pfn) && (PG(o, pfn).state == OPAGE_ALLOC_FREE || PG(o, pfn).state == OPAGE_ALLOC_PCP);
}

int opage_alloc_free_predict(const struct opage_alloc *o, uint64_t pfn, unsigned order, struct props_expect *x)
{
	const struct opage_alloc_page *p = opage_alloc_page(o, pfn);
	if (!p || p->state == OPAGE_ALLOC_ABSENT || order >= o->max_order)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	switch (p->state) {
	case OPAGE_ALLOC_RESERVED:
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE);
	case OPAGE_ALLOC_FREE:
	case OPAGE_ALLOC_PCP:
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_DOUBLE_FREE);
	case OPAGE_ALLOC_TAIL:
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_FREE);
	default:
		return p->order == order ? 0 : refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_FREE);
	}
}

static void pcp_free(struct opage_alloc *o, uint64_t pfn);

static void release(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	uint64_t n = (uint64_t)1 << order;
	if (o->pcp_ready && order == 0) {
		pcp_free(o, pfn);
		return;
	}
	set_block(o, pfn, order, true);
	buddy_free(o, pfn, order);
	for (uint64_t i = 0; i < n; i++) {
		struct opage_alloc_page *p = &PG(o, pfn + i);
		p->ref = 0;
		p->order = 0;
		p->scribbled = 0;
		zone_of_pfn(o, pfn + i)->free++;
	}
}

bool opage_alloc_free_apply(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	if (--PG(o, pfn).ref > 0)
		return false;
	release(o, pfn, order);
	return true;
}

int opage_alloc_get_predict(const struct opage_alloc *o, uint64_t pfn, struct props_expect *x)
{
	const struct opage_alloc_page *p = opage_alloc_page(o, pfn);
	if (!p || p->state == OPAGE_ALLOC_ABSENT)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	return p->ref <= 0 ? refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE) : 0;
}

void opage_alloc_get_apply(struct opage_alloc *o, uint64_t pfn) { PG(o, pfn).ref++; }

int opage_alloc_put_predict(const struct opage_alloc *o, uint64_t pfn, struct props_expect *x)
{
	const struct opage_alloc_page *p = opage_alloc_page(o, pfn);
	if (!p || p->state == OPAGE_ALLOC_ABSENT)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	if (p->ref <= 0)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE);
	if (p->ref == 1 && p->state == OPAGE_ALLOC_RESERVED)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE);
	return 0;
}

void opage_alloc_put_apply(struct opage_alloc *o, uint64_t pfn)
{
	if (--PG(o, pfn).ref == 0)
		release(o, pfn, PG(o, pfn).order);
}

int opage_alloc_split_predict(const struct opage_alloc *o, uint64_t pfn, unsigned order, struct props_expect *x)
{
	const struct opage_alloc_page *p = opage_alloc_page(o, pfn);
	if (!p || p->state == OPAGE_ALLOC_ABSENT || order >= o->max_order)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	if (p->state != OPAGE_ALLOC_HEAD || p->order != order)
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_BUG);
	return 0;
}

void opage_alloc_split_apply(struct opage_alloc *o, uint64_t pfn, unsigned order)
{
	for (uint64_t i = 0; i < ((uint64_t)1 << order); i++) {
		PG(o, pfn + i).state = OPAGE_ALLOC_HEAD;
		PG(o, pfn + i).order = 0;
		if (i)
			PG(o, pfn + i).ref = 1;
	}
}

void opage_alloc_scribble(struct opage_alloc *o, uint64_t pfn) { PG(o, pfn).scribbled = 1; }

/* ---- per-CPU lists ------------------------------------------------------ */

void opage_alloc_cpus(struct opage_alloc *o, uint32_t nr_cpus)
{
	o->nr_cpus = nr_cpus ? nr_cpus : 1;
}

/* 2.6.29 zone_batchsize: present/1024 pages, capped at 512 KiB worth (128),
 * quartered, at least 1, then the largest 2^n - 1 not above 1.5 times it. */
static uint32_t batchsize(uint64_t present)
{
	uint64_t b = present / 1024, pow = 1;
	if (b > 128)
		b = 128;
	b /= 4;
	if (b == 0)
		b = 1;
	while (pow * 2 <= b + b / 2)
		pow *= 2;
	return (uint32_t)(pow - 1);
}

static void pcp_limits(struct opage_alloc *o, uint32_t fraction)
{
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++) {
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++) {
			uint64_t present = o->zone[n][z].present, high, batch;
			if (fraction) {
				high = present / fraction;
				batch = high / 4 > 96 ? 96 : high / 4 ? high / 4 : 1;
			} else {
				batch = batchsize(present);
				high = 6 * batch;
				if (batch == 0)
					batch = 1;
			}
			for (uint32_t k = 0; k < o->nr_cpus; k++) {
				o->pcp[n][z][k].high = (uint32_t)high;
				o->pcp[n][z][k].batch = (uint32_t)batch;
			}
		}
	}
}

int opage_alloc_pcp_setup(struct opage_alloc *o)
{
	if (o->pcp_ready)
		return -EEXIST;
	pcp_limits(o, 0);
	o->pcp_ready = true;
	return 0;
}

int opage_alloc_pcp_fraction(struct opage_alloc *o, uint32_t fraction, struct props_expect *x)
{
	if (!o->pcp_ready || (fraction > 0 && fraction < 8))
		return refuse(x, MM_STAGE_PAGE_ALLOC, MM_REPORT_INVALID_ARG);
	pcp_limits(o, fraction);
	return 0;
}

int opage_alloc_set_cpu(struct opage_alloc *o, uint32_t cpu, struct props_expect *x)
{
	if (cpu >= o->nr_cpus)
		return refuse(x, MM_STAGE_CORE, MM_REPORT_INVALID_ARG);
	o->cpu = cpu;
	return 0;
}

const struct opage_alloc_pcp *opage_alloc_pcp_list(const struct opage_alloc *o, int nid, int zone, uint32_t cpu)
{
	return &o->pcp[nid][zone][cpu];
}

static bool opage_alloc_pcp_any(const struct opage_alloc *o)
{
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++)
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++)
			for (int k = 0; k < OPAGE_ALLOC_CPUS; k++)
				if (o->pcp[n][z][k].count)
					return true;
	return false;
}

static void list_insert(struct opage_alloc_pcp *l, uint32_t at, uint64_t pfn)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->pfn = realloc(l->pfn, l->cap * sizeof(*l->pfn));
		if (!l->pfn)
			abort(); /* host out of memory: the oracle cannot go on */
	}
	memmove(l->pfn + at + 1, l->pfn + at, (l->count - at) * sizeof(*l->pfn));
	l->pfn[at] = pfn;
	l->count++;
}

static uint64_t list_remove(struct opage_alloc_pcp *l, uint32_t at)
{
	uint64_t pfn = l->pfn[at];
	memmove(l->pfn + at, l->pfn + at + 1, (l->count - at - 1) * sizeof(*l->pfn));
	l->count--;
	return pfn;
}

/* A page leaves a list for the buddy lists. */
static void to_buddy(struct opage_alloc *o, uint64_t pfn)
{
	set_block(o, pfn, 0, true);
	buddy_free(o, pfn, 0);
	zone_of_pfn(o, pfn)->free++;
}

/* free_hot_page: push on the head; a list at high gives batch from the tail. */
static void pcp_free(struct opage_alloc *o, uint64_t pfn)
{
	struct opage_alloc_page *p = &PG(o, pfn);
	struct opage_alloc_pcp *l = &o->pcp[p->zid / 3][p->zid % 3][o->cpu];
	p->state = OPAGE_ALLOC_PCP;
	p->ref = 0;
	p->order = 0;
	p->scribbled = 0;
	list_insert(l, 0, pfn);
	if (l->count >= l->high)
		for (uint32_t i = 0; i < l->batch && l->count; i++)
			to_buddy(o, list_remove(l, l->count - 1));
}

void opage_alloc_drain(struct opage_alloc *o, bool all)
{
	for (int n = 0; n < OPAGE_ALLOC_NODES; n++)
		for (int z = 0; z < OPAGE_ALLOC_ZONES; z++)
			for (uint32_t k = 0; k < OPAGE_ALLOC_CPUS; k++) {
				struct opage_alloc_pcp *l = &o->pcp[n][z][k];
				if (!all && k != o->cpu)
					continue;
				while (l->count)
					to_buddy(o, list_remove(l, l->count - 1));
			}
}

bool opage_alloc_pcp_has(const struct opage_alloc *o, int nid, int zone)
{
	return o->pcp[nid][zone][o->cpu].count > 0;
}

uint64_t opage_alloc_pcp_refill_one(struct opage_alloc *o, int nid, int zone, uint64_t want)
{
	uint64_t pfn = opage_alloc_rmqueue(o, nid, zone, 0, want);
	struct opage_alloc_pcp *l = &o->pcp[nid][zone][o->cpu];
	if (pfn == UINT64_MAX)
		return pfn;
	set_block(o, pfn, 0, false);
	PG(o, pfn).state = OPAGE_ALLOC_PCP;
	o->zone[nid][zone].free--;
	list_insert(l, l->count, pfn);
	return pfn;
}

uint64_t opage_alloc_pcp_pick(const struct opage_alloc *o, int nid, int zone, bool cold)
{
	const struct opage_alloc_pcp *l = &o->pcp[nid][zone][o->cpu];
	if (!l->count)
		return UINT64_MAX;
	return cold ? l->pfn[l->count - 1] : l->pfn[0];
}

unsigned opage_alloc_pcp_alloc_apply(struct opage_alloc *o, int nid, int zone, bool cold)
{
	struct opage_alloc_pcp *l = &o->pcp[nid][zone][o->cpu];
	uint64_t pfn = list_remove(l, cold ? l->count - 1 : 0);
	struct opage_alloc_page *p = &PG(o, pfn);
	unsigned scribbled = p->scribbled;
	p->scribbled = 0;
	p->state = OPAGE_ALLOC_HEAD;
	p->ref = 1;
	p->order = 0;
	return o->poison ? scribbled : 0;
}
