/*
 * Oracle for memblock (see oracle_memblock.h). Simple and slow on purpose:
 * every change rebuilds the runs it touches from their boundary points (the
 * others cannot change), every allocation looks at every free piece and
 * takes the best candidate.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_memblock.h"

#define PAGE 4096ull
#define ADDR_MAX UINT64_MAX
#define REGION_BYTES 24ull
#define FLAG_HOTPLUG 1u
#define FLAG_MIRROR 2u
#define FLAG_NOMAP 4u
#define FLAGS_ALL 0xfu

/* ---- small helpers ---------------------------------------------------- */

static bool pow2(uint64_t x) { return x && !(x & (x - 1)); }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t capsz(uint64_t base, uint64_t size) { return min64(size, ADDR_MAX - base); }

static bool same_attr(const struct omb_run *a, int nid, uint32_t flags)
{
	return a->nid == nid && a->flags == flags;
}

/* ---- fault injection and the visible array ---------------------------- */

static bool fault(struct omb *o)
{
	if (!o->fault_enable)
		return false;
	if (o->fault_countdown) {
		o->fault_countdown--;
		return false;
	}
	o->fault_hits++;
	if (o->fault_repeat && --o->fault_repeat == 0)
		o->fault_enable = false;
	return true;
}

void omb_fault_set(struct omb *o, bool enable, uint32_t after, uint32_t repeat)
{
	o->fault_enable = enable;
	o->fault_countdown = after;
	o->fault_repeat = repeat;
}

unsigned long omb_cnt(const struct omb *o, int which)
{
	const struct omb_type *t = &o->t[which];
	return t->n ? t->n : (o->cnt0 ? 0 : 1);
}

struct omb_run omb_region(const struct omb *o, int which, unsigned long i)
{
	const struct omb_type *t = &o->t[which];
	struct omb_run empty = { 0, 0, 0, t->empty_nid };
	return i < t->n ? t->r[i] : empty;
}

uint64_t omb_total(const struct omb *o, int which)
{
	uint64_t s = 0;
	for (size_t i = 0; i < o->t[which].n; i++)
		s += o->t[which].r[i].size;
	return s;
}

bool omb_contains(const struct omb *o, int which, uint64_t addr)
{
	const struct omb_type *t = &o->t[which];
	for (size_t i = 0; i < t->n; i++)
		if (addr >= t->r[i].base && addr - t->r[i].base < t->r[i].size)
			return true;
	return false;
}

uint64_t omb_end_of_dram(const struct omb *o)
{
	const struct omb_type *t = &o->t[OMB_MEMORY];
	return t->n ? t->r[t->n - 1].base + t->r[t->n - 1].size : 0;
}

/* Everything but the inline storage (which need not be zero). */
void omb_init(struct omb *o, unsigned long init_regions, bool cnt0)
{
	memset(o, 0, offsetof(struct omb, init_r));
	o->cnt0 = cnt0;
	o->current_limit = ADDR_MAX;
	for (int w = 0; w < 2; w++) {
		o->t[w].max = init_regions ? init_regions : 128;
		o->t[w].empty_nid = 0;
		o->t[w].r = o->init_r[w];
		o->t[w].cap = OMB_INIT_RUNS;
	}
	o->nr = o->init_nr;
	o->pc = o->init_pc;
	o->scratch_cap = OMB_INIT_SCRATCH;
}

/* Free a run list unless it is o's inline storage. */
static void runs_free(struct omb *o, struct omb_run *r)
{
	if (r != o->init_r[0] && r != o->init_r[1])
		free(r);
}

void omb_free(struct omb *o)
{
	runs_free(o, o->t[0].r);
	runs_free(o, o->t[1].r);
	if (o->nr != o->init_nr)
		free(o->nr); /* o->pc lives in the same block */
	o->t[0].r = o->t[1].r = NULL;
	o->pc = NULL;
	o->nr = NULL;
	o->scratch_cap = 0;
}

/* ---- pieces: the elementary intervals between boundary points ---------- */

static bool scratch(struct omb *o, size_t need)
{
	size_t cap;
	char *p;

	if (need <= o->scratch_cap)
		return true;
	/* at least 64: most inputs then never grow it. Pieces and runs in one
	 * block; nothing in them outlives a call, so nothing is copied. */
	cap = need * 2 < 64 ? 64 : need * 2;
	p = malloc(cap * (sizeof(*o->pc) + sizeof(*o->nr)));
	if (!p) {
		o->oom = true;
		return false;
	}
	if (o->nr != o->init_nr)
		free(o->nr);
	o->nr = (struct omb_run *)p; /* 24-byte runs first: pc stays 8-aligned */
	o->pc = (struct omb_piece *)(p + cap * sizeof(*o->nr));
	o->scratch_cap = cap;
	return true;
}

/* The runs an operation on [base, end) can touch: [*lo, *hi) are the runs
 * that overlap or touch it. The runs before *lo end below base and the runs
 * from *hi start above end; they are maximal already and stay as they are. */
static void window(const struct omb_type *t, uint64_t base, uint64_t end, size_t *lo, size_t *hi)
{
	size_t a = 0, b = t->n;

	while (a < b) { /* first run with an end at or above base */
		size_t mid = a + (b - a) / 2;
		if (t->r[mid].base + t->r[mid].size < base)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	b = t->n;
	while (a < b) { /* first run starting above end */
		size_t mid = a + (b - a) / 2;
		if (t->r[mid].base <= end)
			a = mid + 1;
		else
			b = mid;
	}
	*hi = a;
}

/* Cut the span of the runs r[lo, hi) and [base, end) at every boundary
 * point; the pieces land in o->pc, each with the index in t->r of the run
 * that covers it (the runs' own points are already sorted, so the two extra
 * points are merged in). */
static struct omb_piece *pieces(struct omb *o, const struct omb_type *t, size_t lo, size_t hi,
				uint64_t base, uint64_t end, size_t *np)
{
	const struct omb_run *r = t->r ? t->r + lo : NULL; /* no array before the first run */
	size_t nruns = hi - lo, n = 0, j = 0, i = 0, k = 0;
	uint64_t prev = 0, x[2] = { base, end };
	bool have = false;

	*np = 0;
	/* o->nr takes the runs outside the window too: at most t->n + nruns + 1 */
	if (!scratch(o, 2 * t->n + 2))
		return NULL;
	while (i < 2 * nruns || k < 2) {
		uint64_t v;

		if (k < 2 && (i == 2 * nruns ||
			      x[k] <= (i & 1 ? r[i / 2].base + r[i / 2].size : r[i / 2].base)))
			v = x[k++];
		else {
			v = i & 1 ? r[i / 2].base + r[i / 2].size : r[i / 2].base;
			i++;
		}
		if (have && v != prev) {
			while (j < nruns && r[j].base + r[j].size <= prev)
				j++;
			o->pc[n].p = prev;
			o->pc[n].q = v;
			o->pc[n].run = (j < nruns && r[j].base <= prev) ? (long)(lo + j) : -1;
			n++;
		}
		if (!have || v > prev)
			prev = v;
		have = true;
	}
	*np = n;
	return o->pc;
}

enum { RB_ADD, RB_REMOVE, RB_SETF, RB_CLRF, RB_NID };

struct cut;
static void rebuild_cut(struct omb *o, struct omb_type *t, uint64_t base, uint64_t end, int op,
			int nid, uint32_t flags, const struct cut *k);

/* Append run v to nr[0, *n), merging it into the last one when they touch
 * with the same attributes. Field by field: a struct copy is an ASan-checked
 * memcpy call. */
static void push_run(struct omb_run *nr, size_t *n, const struct omb_run *v)
{
	struct omb_run *d;

	if (*n && nr[*n - 1].base + nr[*n - 1].size == v->base && same_attr(&nr[*n - 1], v->nid, v->flags)) {
		nr[*n - 1].size += v->size;
		return;
	}
	d = &nr[(*n)++];
	d->base = v->base;
	d->size = v->size;
	d->flags = v->flags;
	d->nid = v->nid;
}

/* The window and pieces of [base, end) in t, as a rebuild needs them. */
struct cut {
	size_t lo, hi, np;
};

static bool cut(struct omb *o, const struct omb_type *t, uint64_t base, uint64_t end, struct cut *k)
{
	window(t, base, end, &k->lo, &k->hi);
	return pieces(o, t, k->lo, k->hi, base, end, &k->np) != NULL;
}

/* Apply op to [base, end) of t and rebuild the maximal runs. */
static void rebuild(struct omb *o, struct omb_type *t, uint64_t base, uint64_t end, int op, int nid,
		    uint32_t flags)
{
	struct cut k;

	if (cut(o, t, base, end, &k))
		rebuild_cut(o, t, base, end, op, nid, flags, &k);
}

/* rebuild with the cut of [base, end) in o->pc already made (by cut()). */
static void rebuild_cut(struct omb *o, struct omb_type *t, uint64_t base, uint64_t end, int op,
			int nid, uint32_t flags, const struct cut *k)
{
	size_t np = k->np, n = 0, lo = k->lo, hi = k->hi;
	const struct omb_piece *pc = o->pc;
	struct omb_run *nr;
	bool was = t->n > 0;

	nr = o->nr;
	for (size_t i = 0; i < lo; i++)
		push_run(nr, &n, &t->r[i]);
	for (size_t i = 0; i < np; i++) {
		bool inside = pc[i].p >= base && pc[i].q <= end;
		bool cov = pc[i].run >= 0;
		struct omb_run v = { pc[i].p, pc[i].q - pc[i].p, 0, 0 };

		if (cov) {
			v.nid = t->r[pc[i].run].nid;
			v.flags = t->r[pc[i].run].flags;
		}
		if (inside) {
			switch (op) {
			case RB_ADD:
				if (!cov) {
					cov = true;
					v.nid = nid;
					v.flags = flags;
				}
				break;
			case RB_REMOVE: cov = false; break;
			case RB_SETF: v.flags |= flags; break;
			case RB_CLRF: v.flags &= ~flags; break;
			case RB_NID: v.nid = nid; break;
			}
		}
		if (cov)
			push_run(nr, &n, &v);
	}
	for (size_t i = hi; i < t->n; i++)
		push_run(nr, &n, &t->r[i]);
	if (n > t->cap) {
		size_t cap = n * 2 < 32 ? 32 : n * 2; /* most inputs never grow it */
		bool inline_r = t->r == o->init_r[0] || t->r == o->init_r[1];
		struct omb_run *p = realloc(inline_r ? NULL : t->r, cap * sizeof(*p));
		if (!p) {
			o->oom = true;
			return;
		}
		if (inline_r)
			memcpy(p, t->r, t->n * sizeof(*p));
		t->r = p;
		t->cap = cap;
	}
	if (n)
		memcpy(t->r, nr, n * sizeof(*nr));
	t->n = n;
	if (was && n == 0)
		t->empty_nid = OMB_MAX_NUMNODES;
}

/* Uncovered stretches of [base, end) and whether one sits right below a run
 * of other attributes (the kernel's WARN in memblock_add_range). */
static unsigned long count_gaps(struct omb *o, const struct omb_type *t, uint64_t base,
				uint64_t end, int nid, uint32_t flags, bool *mismatch, struct cut *k)
{
	size_t np;
	unsigned long gaps = 0;
	const struct omb_piece *pc;

	if (!cut(o, t, base, end, k))
		return 0;
	pc = o->pc; /* after the cut: it may have moved the scratch */
	np = k->np;
	for (size_t i = 0; i < np; i++) {
		if (pc[i].p < base || pc[i].q > end || pc[i].run >= 0)
			continue;
		gaps++;
		if (pc[i].q < end && i + 1 < np && pc[i + 1].run >= 0 &&
		    !same_attr(&t->r[pc[i + 1].run], nid, flags))
			*mismatch = true;
	}
	return gaps;
}

/* ---- free ranges and search ------------------------------------------- */

static bool skip_run(const struct omb *o, const struct omb_run *m, int nid, uint32_t flags)
{
	if (nid != OMB_NO_NODE && nid != m->nid)
		return true;
	if (o->movable_node && (m->flags & FLAG_HOTPLUG))
		return true;
	if ((flags & FLAG_MIRROR) && !(m->flags & FLAG_MIRROR))
		return true;
	if (m->flags & FLAG_NOMAP)
		return true;
	return false;
}

static uint64_t clampv(uint64_t x, uint64_t lo, uint64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

/* memblock_find_in_range_node by exhaustion: the best candidate over every
 * free piece (a memory run minus all reserved bytes). 0 = none. */
static uint64_t find_node(const struct omb *o, uint64_t size, uint64_t align, uint64_t start,
			  uint64_t end, int nid, uint32_t flags)
{
	const struct omb_type *mem = &o->t[OMB_MEMORY], *rsv = &o->t[OMB_RESERVED];
	bool found = false;
	uint64_t best = 0;

	if (end == 0 || end == 1)
		end = o->current_limit;
	start = max64(start, PAGE);
	end = max64(start, end);
	for (size_t i = 0; i < mem->n; i++) {
		const struct omb_run *m = &mem->r[i];
		uint64_t cur = m->base, me = m->base + m->size;

		if (skip_run(o, m, nid, flags))
			continue;
		/* walk the free pieces of this run */
		for (size_t j = 0; j <= rsv->n && cur < me; j++) {
			uint64_t ps = cur, pe = me, s, e, cand;

			if (j < rsv->n) {
				uint64_t rb = rsv->r[j].base, re = rb + rsv->r[j].size;
				if (re <= cur)
					continue;
				pe = min64(me, rb);
				cur = max64(cur, re);
			} else {
				cur = me;
			}
			if (ps >= pe)
				continue;
			s = clampv(ps, start, end);
			e = clampv(pe, start, end);
			if (o->bottom_up) {
				uint64_t r = (s + align - 1) & ~(align - 1);
				if (s + align - 1 < s || r < s)
					continue; /* rounds past 2^64 */
				cand = r;
				if (cand < e && e - cand >= size && (!found || cand < best)) {
					best = cand;
					found = true;
				}
			} else {
				if (e < size)
					continue;
				cand = (e - size) & ~(align - 1);
				if (cand >= s && (!found || cand > best)) {
					best = cand;
					found = true;
				}
			}
		}
	}
	return found ? best : 0;
}

/* Mirror first once something was marked; giving up on the mirror is the
 * kernel's "Could not allocate ... mirrored memory" warning. */
static uint64_t find_in_range(struct omb *o, uint64_t start, uint64_t end, uint64_t size,
			      uint64_t align)
{
	uint32_t flags = o->has_mirror ? FLAG_MIRROR : 0;
	uint64_t r = find_node(o, size, align, start, end, OMB_NO_NODE, flags);

	if (!r && flags) {
		o->reports[OMB_R_WARN]++;
		r = find_node(o, size, align, start, end, OMB_NO_NODE, 0);
	}
	return r;
}

/* ---- growth ------------------------------------------------------------ */

static bool snapshot(struct omb *o, const struct omb *src, struct omb *dst)
{
	memcpy(dst, src, offsetof(struct omb, init_r)); /* the inline storage stays src's */
	for (int w = 0; w < 2; w++) {
		dst->t[w].r = malloc((src->t[w].n + 1) * sizeof(struct omb_run));
		if (!dst->t[w].r) {
			free(dst->t[0].r);
			o->oom = true;
			return false;
		}
		if (src->t[w].n)
			memcpy(dst->t[w].r, src->t[w].r, src->t[w].n * sizeof(struct omb_run));
		dst->t[w].cap = src->t[w].n + 1;
	}
	dst->pc = NULL;
	dst->nr = NULL;
	dst->scratch_cap = 0;
	return true;
}

static uint64_t array_bytes(unsigned long entries)
{
	return (entries * REGION_BYTES + PAGE - 1) & ~(PAGE - 1);
}

static int remove_range(struct omb *o, int which, uint64_t base, uint64_t size);

/* memblock_double_array: 0 or -1. */
static int double_array(struct omb *o, int which, uint64_t abase, uint64_t asize)
{
	struct omb_type *t = &o->t[which];
	uint64_t old_alloc = array_bytes(t->max), new_alloc = array_bytes(t->max * 2);
	uint64_t addr, old_phys = t->array_phys;
	struct omb saved;
	int r;

	if (!o->can_resize)
		return -1;
	if (fault(o))
		return -1;
	if (which != OMB_RESERVED)
		abase = asize = 0;
	addr = find_in_range(o, abase + asize, o->current_limit, new_alloc, PAGE);
	if (!addr && asize)
		addr = find_in_range(o, 0, min64(abase, o->current_limit), new_alloc, PAGE);
	if (!addr)
		return -1;
	if (which == OMB_MEMORY && !snapshot(o, o, &saved))
		return -1;
	t->max *= 2;
	t->array_phys = addr;
	if (old_phys)
		(void)remove_range(o, OMB_RESERVED, old_phys, old_alloc);
	r = omb_add(o, OMB_RESERVED, addr, new_alloc, OMB_MAX_NUMNODES, 0);
	if (which == OMB_MEMORY) {
		if (r) {
			/* the kernel's BUG_ON: everything but the fault countdown
			 * and the reports goes back */
			saved.fault_enable = o->fault_enable;
			saved.fault_countdown = o->fault_countdown;
			saved.fault_repeat = o->fault_repeat;
			saved.fault_hits = o->fault_hits;
			memcpy(saved.reports, o->reports, sizeof(saved.reports));
			saved.reports[OMB_R_BUG]++;
			saved.oom = o->oom;
			saved.pc = o->pc;
			saved.nr = o->nr;
			saved.scratch_cap = o->scratch_cap;
			runs_free(o, o->t[0].r);
			runs_free(o, o->t[1].r);
			memcpy(o, &saved, offsetof(struct omb, init_r));
			return -1;
		}
		omb_free(&saved);
	}
	return r ? -1 : 0;
}

/* ---- operations --------------------------------------------------------- */

int omb_add(struct omb *o, int which, uint64_t base, uint64_t size, int nid, uint32_t flags)
{
	struct omb_type *t = &o->t[which];
	unsigned long nr_new;
	bool mismatch = false, grew = false;
	struct cut k;

	size = capsz(base, size);
	if (!size)
		return 0;
	if (t->n) {
		nr_new = count_gaps(o, t, base, base + size, nid, flags, &mismatch, &k);
		if (mismatch)
			o->reports[OMB_R_WARN]++;
		if (!nr_new)
			return 0;
		bool dummy = false;
		while (omb_cnt(o, which) + nr_new > t->max) {
			if (double_array(o, which, base, size) < 0)
				return -ENOMEM;
			grew = true;
		}
		/* a doubling reserved its new array: count again (without one,
		 * nothing changed and the loop's test holds) */
		if (grew && omb_cnt(o, which) + count_gaps(o, t, base, base + size, nid, flags, &dummy, &k) > t->max) {
			o->reports[OMB_R_BUG]++;
			return -ENOMEM;
		}
	}
	/* the last count's cut is still in o->pc (a doubling makes its own
	 * and the recount redoes it); an oom there left pc unusable */
	if (t->n && !o->oom)
		rebuild_cut(o, t, base, base + size, RB_ADD, nid, flags, &k);
	else
		rebuild(o, t, base, base + size, RB_ADD, nid, flags);
	return 0;
}

int omb_add_node(struct omb *o, uint64_t base, uint64_t size, int nid, uint32_t flags)
{
	if (nid < OMB_NO_NODE || nid > OMB_MAX_NUMNODES || (flags & ~FLAGS_ALL)) {
		o->reports[OMB_R_INVALID]++;
		return -EINVAL;
	}
	return omb_add(o, OMB_MEMORY, base, size, nid, flags);
}

/* memblock_isolate_range's room check: cnt + 2 <= max, doubling otherwise. */
static int isolate_room(struct omb *o, int which, uint64_t base, uint64_t size)
{
	while (omb_cnt(o, which) + 2 > o->t[which].max)
		if (double_array(o, which, base, size) < 0)
			return -ENOMEM;
	return 0;
}

static int remove_range(struct omb *o, int which, uint64_t base, uint64_t size)
{
	size = capsz(base, size);
	if (!size)
		return 0;
	if (isolate_room(o, which, base, size))
		return -ENOMEM;
	rebuild(o, &o->t[which], base, base + size, RB_REMOVE, 0, 0);
	return 0;
}

int omb_remove(struct omb *o, int which, uint64_t base, uint64_t size)
{
	return remove_range(o, which, base, size);
}

int omb_setclr(struct omb *o, uint64_t base, uint64_t size, bool set, uint32_t flag)
{
	size = capsz(base, size);
	if (!size)
		return 0;
	if (isolate_room(o, OMB_MEMORY, base, size))
		return -ENOMEM;
	rebuild(o, &o->t[OMB_MEMORY], base, base + size, set ? RB_SETF : RB_CLRF, 0, flag);
	return 0;
}

int omb_mark_mirror(struct omb *o, uint64_t base, uint64_t size)
{
	if (!o->kernelcore_mirror)
		return 0; /* not even the isolate: no doubling, no fault draw */
	o->has_mirror = true;
	return omb_setclr(o, base, size, true, FLAG_MIRROR);
}

int omb_set_node(struct omb *o, int which, uint64_t base, uint64_t size, int nid)
{
	if (nid < OMB_NO_NODE || nid > OMB_MAX_NUMNODES) {
		o->reports[OMB_R_INVALID]++;
		return -EINVAL;
	}
	size = capsz(base, size);
	if (!size)
		return 0;
	if (isolate_room(o, which, base, size))
		return -ENOMEM;
	rebuild(o, &o->t[which], base, base + size, RB_NID, nid, 0);
	return 0;
}

void omb_trim(struct omb *o, uint64_t align)
{
	struct omb_type *t = &o->t[OMB_MEMORY];
	size_t k = 0;
	bool was = t->n > 0;

	if (!pow2(align)) {
		o->reports[OMB_R_INVALID]++;
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		uint64_t s = t->r[i].base, e = s + t->r[i].size;
		uint64_t rs = (s + align - 1) & ~(align - 1), re = e & ~(align - 1);

		if (s + align - 1 < s)
			continue; /* start rounds past 2^64: dropped */
		if (rs >= re)
			continue;
		t->r[k].base = rs; /* field by field: see push_run */
		t->r[k].size = re - rs;
		t->r[k].flags = t->r[i].flags;
		t->r[k].nid = t->r[i].nid;
		k++;
	}
	t->n = k;
	if (was && k == 0)
		t->empty_nid = OMB_MAX_NUMNODES;
}

void omb_enforce_limit(struct omb *o, uint64_t limit)
{
	const struct omb_type *t = &o->t[OMB_MEMORY];
	uint64_t max_addr = ADDR_MAX;

	if (!limit)
		return;
	/* the first `limit` bytes of memory, counted run by run */
	for (size_t i = 0; i < t->n; i++) {
		if (limit <= t->r[i].size) {
			max_addr = t->r[i].base + limit;
			break;
		}
		limit -= t->r[i].size;
	}
	if (max_addr == ADDR_MAX)
		return;
	(void)remove_range(o, OMB_MEMORY, max_addr, ADDR_MAX);
	(void)remove_range(o, OMB_RESERVED, max_addr, ADDR_MAX);
}

/* memblock_alloc_range_nid: found address or 0. */
static uint64_t alloc_range_nid(struct omb *o, uint64_t size, uint64_t align, uint64_t start,
				uint64_t end, int nid, bool exact)
{
	uint32_t flags = o->has_mirror ? FLAG_MIRROR : 0;

	for (;;) {
		uint64_t f = find_node(o, size, align, start, end, nid, flags);
		if (f && !omb_add(o, OMB_RESERVED, f, size, OMB_MAX_NUMNODES, 0))
			return f;
		if (nid != OMB_NO_NODE && !exact) {
			f = find_node(o, size, align, start, end, OMB_NO_NODE, flags);
			if (f && !omb_add(o, OMB_RESERVED, f, size, OMB_MAX_NUMNODES, 0))
				return f;
		}
		if (!flags)
			return 0;
		flags = 0;
		o->reports[OMB_R_WARN]++; /* mirrored memory could not hold it */
	}
}

int omb_alloc(struct omb *o, enum omb_alloc_api api, uint64_t size, uint64_t align,
	      uint64_t start, uint64_t end, int nid, bool exact, bool raw, uint64_t *out,
	      bool *zeroed)
{
	uint64_t f;

	*out = 0;
	*zeroed = false;
	if (api == OMB_PHYS_ALLOC_RANGE || api == OMB_ALLOC)
		nid = OMB_NO_NODE;
	if (size == 0 || (align && !pow2(align)) || nid < OMB_NO_NODE || nid > OMB_MAX_NUMNODES) {
		o->reports[OMB_R_INVALID]++;
		return -EINVAL;
	}
	if (nid == OMB_MAX_NUMNODES) {
		o->reports[OMB_R_WARN]++;
		nid = OMB_NO_NODE;
	}
	if (align == 0) {
		o->reports[OMB_R_WARN]++;
		align = 64;
	}
	if (fault(o))
		return -ENOMEM;
	switch (api) {
	case OMB_PHYS_ALLOC_RANGE:
		f = alloc_range_nid(o, size, align, start, end, nid, false);
		break;
	case OMB_PHYS_ALLOC_TRY_NID:
		f = alloc_range_nid(o, size, align, 0, 0, nid, false);
		break;
	default:
		if (api == OMB_ALLOC) {
			start = 0;
			end = 0;
			exact = false;
			raw = false;
		}
		end = min64(end, o->current_limit);
		f = alloc_range_nid(o, size, align, start, end, nid, exact);
		if (!f && start)
			f = alloc_range_nid(o, size, align, 0, end, nid, exact);
		*zeroed = !raw;
		break;
	}
	if (!f) {
		*zeroed = false;
		return -ENOMEM;
	}
	*out = f;
	return 0;
}
