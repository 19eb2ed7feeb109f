/*
 * memblock (mm/memblock.c): the modern earliest allocator, with the kernel's
 * data layout (memblock {bottom_up, current_limit, memory, reserved}, types
 * {cnt, max, total_size, regions, name}), its placement, merging and return
 * values, and the growth of the region arrays by memblock_double_array.
 *
 * Where mmsim departs from the kernel:
 *  - the state lives in the machine; the "static" arrays are host arrays of
 *    cfg.memblock_init_regions entries (0 -> 128; mm_config_check takes 4..4096); a
 *    doubled array is host memory too, while the simulated range it would
 *    occupy is found and reserved exactly as the kernel does;
 *  - memblock_double_array's BUG_ON(memblock_reserve(new array)) becomes a
 *    BUG report, the whole doubling is rolled back and the caller gets
 *    -ENOMEM;
 *  - memblock_trim_memory keeps total_size equal to the sum of the sizes
 *    (the kernel leaves it stale), and a start that would round up past
 *    2^64 drops the region instead of wrapping to 0;
 *  - allocation returns a physical address; size 0, an alignment that is
 *    not a power of two, a bad node or a NULL out pointer are refused with
 *    an INVALID_ARG report; align 0 and nid == MAX_NUMNODES warn once per
 *    call (the kernel's dump_stack/WARN_ONCE);
 *  - memblock_end_of_DRAM of an empty memory type is 0 (the kernel reads
 *    regions[-1] when cnt is 0);
 *  - memblock_mark_mirror marks only with cfg.kernelcore_mirror (the
 *    kernel's kernelcore=mirror); each fall back from mirrored to any memory
 *    is one WARN report of the kernel's "Could not allocate ... bytes of
 *    mirrored memory" line, which the kernel rate-limits and mmsim does not.
 * Every attempt to allocate (the alloc APIs once per call, and each array
 * doubling) passes through mm_should_fail() first.
 * No recursion: the kernel's memblock_double_array(memory) -> memblock_reserve
 * -> memblock_double_array(reserved) chain is unrolled into layers that call
 * only downward (array ops, grow reserved, grow memory, public ops).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MB_REGION_BYTES 24u /* sizeof(struct memblock_region) in the kernel */
#define MB_INIT_REGIONS 128u
#define MB_MAX_INIT_REGIONS 65536u
#define MB_MAX_REGIONS ((unsigned long)1 << 28) /* doubling refused beyond */
#define MB_FLAGS_ALL                                                                   \
	(MM_MEMBLOCK_HOTPLUG | MM_MEMBLOCK_MIRROR | MM_MEMBLOCK_NOMAP |               \
	 MM_MEMBLOCK_DRIVER_MANAGED)

_Static_assert(sizeof(struct mm_memblock_region) == MB_REGION_BYTES,
	       "region layout matches the kernel's 24 bytes");

enum { MB_MEMORY = 0, MB_RESERVED = 1 };

struct mm_memblock_state {
	struct mm_memblock mb;
	bool cnt0;          /* MM_FEAT_MEMBLOCK_EMPTY_CNT0: empty type has cnt 0 */
	bool can_resize;    /* memblock_allow_resize() was called */
	bool has_mirror;    /* system_has_some_mirror: only with kernelcore=mirror */
	bool movable_node;  /* movable_node_is_enabled() */
	mm_phys_addr_t array_phys[2]; /* simulated array address, 0 = static */
	/* the host copies of the static arrays, in the state's own block (one
	 * allocation per machine): never freed on their own (mb_free_host) */
	struct mm_memblock_region *init_regions[2];
};

/* ---- array primitives (no allocation, no growth) ------------------------ */

/* The type's empty marker is in place (regions[0].size == 0). */
static bool mb_is_empty(const struct mm_memblock_type *t);
/* Make t the empty marker of the configured convention; nid as the kernel
 * leaves it (0 for the static initializer, MAX_NUMNODES after removal). */
static void mb_set_empty(const struct mm_memblock_state *st, struct mm_memblock_type *t, int nid);
/* Insert at idx; the caller guarantees cnt < max. */
static void mb_insert_region(struct mm_memblock_type *t, unsigned long idx, mm_phys_addr_t base,
			     mm_phys_addr_t size, int nid, enum mm_memblock_flags flags);
/* Delete region r; the last one leaves the empty marker. */
static void mb_remove_region(const struct mm_memblock_state *st, struct mm_memblock_type *t,
			     unsigned long r);
/* Merge touching neighbours with equal nid and flags. */
static void mb_merge_regions(struct mm_memblock_type *t);
/* Count pass of memblock_add_range: regions the range needs; *mismatch when
 * a region met below a gap has other nid/flags (the kernel's WARN_ONs). */
static unsigned long mb_count_new(const struct mm_memblock_type *t, mm_phys_addr_t base,
				  mm_phys_addr_t end, int nid, enum mm_memblock_flags flags,
				  bool *mismatch);
/* Insert pass + merge (or the empty special case); room already ensured. */
static void mb_add_nogrow(struct mm_memblock_type *t, mm_phys_addr_t base, mm_phys_addr_t size,
			  int nid, enum mm_memblock_flags flags);
/* memblock_isolate_range without growth; caller ensured cnt + 2 <= max. */
static void mb_isolate_nogrow(struct mm_memblock_type *t, mm_phys_addr_t base,
			      mm_phys_addr_t size, unsigned long *start_rgn,
			      unsigned long *end_rgn);
/* Isolate and delete [base, base+size); caller ensured cnt + 2 <= max. */
static void mb_remove_nogrow(const struct mm_memblock_state *st, struct mm_memblock_type *t,
			     mm_phys_addr_t base, mm_phys_addr_t size);
/* size capped so base + size <= PHYS_ADDR_MAX. */
static mm_phys_addr_t mb_cap_size(mm_phys_addr_t base, mm_phys_addr_t size);

/* ---- free-range search (read only) -------------------------------------- */

/* Gap g of the reserved type: [end of region g-1, base of region g). */
static void mb_gap(const struct mm_memblock_type *rsv, unsigned long g, mm_phys_addr_t *gs,
		   mm_phys_addr_t *ge);
/* First gap that can hold part of a memory region starting at ms. */
static unsigned long mb_first_gap(const struct mm_memblock_type *rsv, mm_phys_addr_t ms);
/* The free part of [ms, me) in gap g, clamped to [start, end]; false if none. */
static bool mb_piece(const struct mm_memblock_type *rsv, unsigned long g, mm_phys_addr_t ms,
		     mm_phys_addr_t me, mm_phys_addr_t start, mm_phys_addr_t end,
		     mm_phys_addr_t *s, mm_phys_addr_t *e);
/* Gap g exists and starts below me. */
static bool mb_gap_below(const struct mm_memblock_type *rsv, unsigned long g, mm_phys_addr_t me);

/* should_skip_region for a memory region. */
static bool mb_skip_region(const struct mm_memblock_state *st, const struct mm_memblock_region *r,
			   int nid, unsigned int flags);
/* __memblock_find_range_top_down / _bottom_up over memory minus reserved. */
static mm_phys_addr_t mb_find_top_down(const struct mm_memblock_state *st, mm_phys_addr_t start,
				       mm_phys_addr_t end, mm_phys_addr_t size,
				       mm_phys_addr_t align, int nid, unsigned int flags);
static mm_phys_addr_t mb_find_bottom_up(const struct mm_memblock_state *st, mm_phys_addr_t start,
					mm_phys_addr_t end, mm_phys_addr_t size,
					mm_phys_addr_t align, int nid, unsigned int flags);
/* memblock_find_in_range_node: 0 = nothing found. */
static mm_phys_addr_t mb_find_in_range_node(const struct mm_memblock_state *st,
					    mm_phys_addr_t size, mm_phys_addr_t align,
					    mm_phys_addr_t start, mm_phys_addr_t end, int nid,
					    unsigned int flags);
/* memblock_find_in_range: any node, mirror first when the system has it
 * (warning when it falls back). */
static mm_phys_addr_t mb_find_in_range(struct mm_machine *m, mm_phys_addr_t start,
				       mm_phys_addr_t end, mm_phys_addr_t size,
				       mm_phys_addr_t align);
/* The kernel's pr_warn when mirrored memory could not hold size bytes. */
static void mb_warn_mirror(struct mm_machine *m, mm_phys_addr_t size);

/* ---- growth --------------------------------------------------------------- */

/* PAGE_ALIGN(entries * sizeof(struct memblock_region)); 0 when absurd. */
static mm_phys_addr_t mb_array_bytes(unsigned long entries);

/* Where memblock_double_array would place the doubled array of t, or 0. */
static mm_phys_addr_t mb_double_place(struct mm_machine *m, int which, mm_phys_addr_t area_base,
				      mm_phys_addr_t area_size, mm_phys_addr_t new_alloc);
/* Swap in a host array of twice the entries; returns the old host array. */
static struct mm_memblock_region *mb_double_host(struct mm_memblock_type *t);
/* Release a host array unless it is one of the static ones (the kernel
 * never frees memblock_memory_init_regions either). */
static void mb_free_host(const struct mm_memblock_state *st, struct mm_memblock_region *r);
/* memblock_double_array(reserved): 0 or -1, nothing changed on -1. */
static int mb_double_reserved(struct mm_machine *m, mm_phys_addr_t area_base,
			      mm_phys_addr_t area_size);
/* Double reserved until need more regions fit. */
static int mb_grow_reserved_for(struct mm_machine *m, unsigned long need, mm_phys_addr_t area_base,
				mm_phys_addr_t area_size);
/* memblock_double_array(memory): 0 or -1, nothing changed on -1 (a failed
 * reservation of the new array is the kernel's BUG: reported, rolled back). */
static int mb_double_memory(struct mm_machine *m);
/* Double t until need more regions fit; -ENOMEM when refused. */
static int mb_grow_for(struct mm_machine *m, int which, unsigned long need,
		       mm_phys_addr_t area_base, mm_phys_addr_t area_size);

/* ---- range operations (may grow) ----------------------------------------- */

static int mb_add_range(struct mm_machine *m, int which, mm_phys_addr_t base, mm_phys_addr_t size,
			int nid, enum mm_memblock_flags flags);
static int mb_isolate(struct mm_machine *m, int which, mm_phys_addr_t base, mm_phys_addr_t size,
		      unsigned long *start_rgn, unsigned long *end_rgn);
static int mb_remove_range(struct mm_machine *m, int which, mm_phys_addr_t base,
			   mm_phys_addr_t size);
static int mb_setclr_flag(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size, bool set,
			  enum mm_memblock_flags flag);

/* ---- allocation ----------------------------------------------------------- */

/* Argument checks shared by the alloc APIs: refuse (report) or normalise
 * align 0 and nid MAX_NUMNODES (warn). Returns 0 or -EINVAL. */
static int mb_alloc_check(struct mm_machine *m, const char *fn, mm_phys_addr_t size,
			  mm_phys_addr_t *align, int *nid, mm_phys_addr_t *out);
/* memblock_alloc_range_nid: found address or 0. */
static mm_phys_addr_t mb_alloc_range_nid(struct mm_machine *m, mm_phys_addr_t size,
					 mm_phys_addr_t align, mm_phys_addr_t start,
					 mm_phys_addr_t end, int nid, bool exact_nid);

/* ---- life cycle, checks, lookups ------------------------------------------ */

/* The type a MB_MEMORY/MB_RESERVED index names. */
static struct mm_memblock_type *mb_type(struct mm_memblock_state *st, int which);
/* clamp(x, lo, hi) with lo <= hi. */
static mm_phys_addr_t mb_clamp(mm_phys_addr_t x, mm_phys_addr_t lo, mm_phys_addr_t hi);
/* A "static" array of max entries holding the empty marker. */
static void mb_type_init(const struct mm_memblock_state *st, struct mm_memblock_type *t,
			 struct mm_memblock_region *regions, unsigned long max, const char *name);
/* Every invariant of one type (semantics.md §3.7). */
static int mb_verify_type(struct mm_machine *m, const struct mm_memblock_state *st,
			  const struct mm_memblock_type *t, int which);
/* nid in [NUMA_NO_NODE, MAX_NUMNODES], else an INVALID_ARG report. */
static bool mb_nid_ok(struct mm_machine *m, const char *fn, int nid);
/* memblock_search: addr inside one of t's regions. */
static bool mb_search(const struct mm_memblock_type *t, mm_phys_addr_t addr);

static struct mm_memblock_type *mb_type(struct mm_memblock_state *st, int which)
{
	return which == MB_RESERVED ? &st->mb.reserved : &st->mb.memory;
}

/* ===================================================================== */
/* array primitives                                                       */
/* ===================================================================== */

static mm_phys_addr_t mb_cap_size(mm_phys_addr_t base, mm_phys_addr_t size)
{
	return MM_MIN(size, MM_PHYS_ADDR_MAX - base);
}

static bool mb_is_empty(const struct mm_memblock_type *t)
{
	return t->regions[0].size == 0;
}

static void mb_set_empty(const struct mm_memblock_state *st, struct mm_memblock_type *t, int nid)
{
	t->cnt = st->cnt0 ? 0 : 1;
	t->total_size = 0;
	t->regions[0].base = 0;
	t->regions[0].size = 0;
	t->regions[0].flags = MM_MEMBLOCK_NONE;
	t->regions[0].nid = nid;
}

static void mb_insert_region(struct mm_memblock_type *t, unsigned long idx, mm_phys_addr_t base,
			     mm_phys_addr_t size, int nid, enum mm_memblock_flags flags)
{
	struct mm_memblock_region *r = &t->regions[idx];

	MM_BUG_ON(t->cnt >= t->max || idx > t->cnt);
	memmove(r + 1, r, (t->cnt - idx) * sizeof(*r));
	r->base = base;
	r->size = size;
	r->flags = flags;
	r->nid = nid;
	t->cnt++;
	t->total_size += size;
}

static void mb_remove_region(const struct mm_memblock_state *st, struct mm_memblock_type *t,
			     unsigned long r)
{
	t->total_size -= t->regions[r].size;
	memmove(&t->regions[r], &t->regions[r + 1], (t->cnt - (r + 1)) * sizeof(t->regions[r]));
	t->cnt--;
	if (t->cnt == 0)
		mb_set_empty(st, t, MM_MAX_NUMNODES);
}

static void mb_merge_regions(struct mm_memblock_type *t)
{
	/* Hot loops read the array into locals: under UBSan each access
	 * through a pointer is an alignment check, which the fuzzer traces as
	 * one more comparison. They step a pointer to a pointer bound: the
	 * fuzzer traces integer comparisons only, so an index bound would be
	 * one more traced comparison per region. */
	struct mm_memblock_region *r, *last;

	if (t->cnt < 2)
		return;
	r = t->regions;
	last = r + t->cnt - 1;
	while (r != last) {
		struct mm_memblock_region a = r[0], b = r[1];

		if (a.base + a.size != b.base || a.nid != b.nid || a.flags != b.flags) {
			MM_BUG_ON(a.base + a.size > b.base);
			r++;
			continue;
		}
		r->size = a.size + b.size;
		memmove(r + 1, r + 2, (size_t)(last - (r + 1)) * sizeof(*r));
		last--;
	}
	t->cnt = (unsigned long)(last - t->regions) + 1;
}

static unsigned long mb_count_new(const struct mm_memblock_type *t, mm_phys_addr_t base,
				  mm_phys_addr_t end, int nid, enum mm_memblock_flags flags,
				  bool *mismatch)
{
	/* locals and a pointer bound: see mb_merge_regions */
	const struct mm_memblock_region *p = t->regions, *stop = p + t->cnt;
	unsigned long nr_new = 0;
	bool other = false;

	for (; p != stop; p++) {
		const struct mm_memblock_region r = *p;
		mm_phys_addr_t rend = r.base + r.size;

		if (r.base >= end)
			break;
		if (rend <= base)
			continue;
		if (r.base > base) {
			if (r.nid != nid || r.flags != flags)
				other = true;
			nr_new++;
		}
		base = MM_MIN(rend, end);
	}
	if (other)
		*mismatch = true;
	if (base < end)
		nr_new++;
	return nr_new;
}

static void mb_add_nogrow(struct mm_memblock_type *t, mm_phys_addr_t base, mm_phys_addr_t size,
			  int nid, enum mm_memblock_flags flags)
{
	mm_phys_addr_t end = base + size;
	const struct mm_memblock_region *r, *stop;

	if (mb_is_empty(t)) {
		t->regions[0].base = base;
		t->regions[0].size = size;
		t->regions[0].flags = flags;
		t->regions[0].nid = nid;
		t->total_size = size;
		t->cnt = 1;
		return;
	}
	/* a pointer bound: see mb_merge_regions */
	for (r = t->regions, stop = r + t->cnt; r != stop; r++) {
		mm_phys_addr_t rbase = r->base, rend = r->base + r->size;

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;
		if (rbase > base) {
			/* r moves up one: step past it, the bound with it */
			mb_insert_region(t, (unsigned long)(r - t->regions), base, rbase - base,
					 nid, flags);
			r++;
			stop++;
		}
		base = MM_MIN(rend, end);
	}
	if (base < end)
		mb_insert_region(t, (unsigned long)(r - t->regions), base, end - base, nid, flags);
	mb_merge_regions(t);
}

static void mb_isolate_nogrow(struct mm_memblock_type *t, mm_phys_addr_t base,
			      mm_phys_addr_t size, unsigned long *start_rgn,
			      unsigned long *end_rgn)
{
	mm_phys_addr_t end = base + size;
	struct mm_memblock_region *r, *stop;

	*start_rgn = *end_rgn = 0;
	/* a pointer bound: see mb_merge_regions */
	for (r = t->regions, stop = r + t->cnt; r != stop; r++) {
		mm_phys_addr_t rbase = r->base, rend = r->base + r->size;
		unsigned long idx = (unsigned long)(r - t->regions);

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;
		if (rbase < base) {
			/* split off the part below base; the top half is next */
			r->base = base;
			r->size -= base - rbase;
			t->total_size -= base - rbase;
			mb_insert_region(t, idx, rbase, base - rbase, r->nid, r->flags);
			stop++;
		} else if (rend > end) {
			/* split off the part inside, [rbase, end) at idx: the
			 * kernel revisits it (idx--), finds it inside and the
			 * next region at end, so it is the last one isolated */
			r->base = end;
			r->size -= end - rbase;
			t->total_size -= end - rbase;
			mb_insert_region(t, idx, rbase, end - rbase, r->nid, r->flags);
			if (*end_rgn == 0)
				*start_rgn = idx;
			*end_rgn = idx + 1;
			break;
		} else {
			if (*end_rgn == 0)
				*start_rgn = idx;
			*end_rgn = idx + 1;
		}
	}
}

static void mb_remove_nogrow(const struct mm_memblock_state *st, struct mm_memblock_type *t,
			     mm_phys_addr_t base, mm_phys_addr_t size)
{
	unsigned long s, e;

	size = mb_cap_size(base, size);
	if (size == 0)
		return;
	mb_isolate_nogrow(t, base, size, &s, &e);
	while (e > s)
		mb_remove_region(st, t, --e);
}

/* ===================================================================== */
/* free-range search                                                      */
/* ===================================================================== */

static bool mb_skip_region(const struct mm_memblock_state *st, const struct mm_memblock_region *r,
			   int nid, unsigned int flags)
{
	if (r->size == 0)
		return true;
	if (nid != MM_NUMA_NO_NODE && nid != r->nid)
		return true;
	if (st->movable_node && (r->flags & MM_MEMBLOCK_HOTPLUG) && !(flags & MM_MEMBLOCK_HOTPLUG))
		return true;
	if ((flags & MM_MEMBLOCK_MIRROR) && !(r->flags & MM_MEMBLOCK_MIRROR))
		return true;
	if (!(flags & MM_MEMBLOCK_NOMAP) && (r->flags & MM_MEMBLOCK_NOMAP))
		return true;
	return false;
}

static void mb_gap(const struct mm_memblock_type *rsv, unsigned long g, mm_phys_addr_t *gs,
		   mm_phys_addr_t *ge)
{
	const struct mm_memblock_region *regs = rsv->regions; /* locals: see mb_merge_regions */

	if (g) {
		const struct mm_memblock_region below = regs[g - 1];
		*gs = below.base + below.size;
	} else {
		*gs = 0;
	}
	*ge = g < rsv->cnt ? regs[g].base : MM_PHYS_ADDR_MAX;
}

static mm_phys_addr_t mb_clamp(mm_phys_addr_t x, mm_phys_addr_t lo, mm_phys_addr_t hi)
{
	return x < lo ? lo : (x > hi ? hi : x);
}

static unsigned long mb_first_gap(const struct mm_memblock_type *rsv, mm_phys_addr_t ms)
{
	const struct mm_memblock_region *regs = rsv->regions; /* locals: see mb_merge_regions */
	unsigned long lo = 0, hi = rsv->cnt;

	/* smallest g with g == cnt or regions[g].base > ms */
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (regs[mid].base > ms)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool mb_piece(const struct mm_memblock_type *rsv, unsigned long g, mm_phys_addr_t ms,
		     mm_phys_addr_t me, mm_phys_addr_t start, mm_phys_addr_t end,
		     mm_phys_addr_t *s, mm_phys_addr_t *e)
{
	mm_phys_addr_t gs, ge;

	mb_gap(rsv, g, &gs, &ge);
	if (MM_MAX(ms, gs) >= MM_MIN(me, ge))
		return false;
	*s = mb_clamp(MM_MAX(ms, gs), start, end);
	*e = mb_clamp(MM_MIN(me, ge), start, end);
	return true;
}

static bool mb_gap_below(const struct mm_memblock_type *rsv, unsigned long g, mm_phys_addr_t me)
{
	mm_phys_addr_t gs, ge;

	if (g > rsv->cnt)
		return false;
	mb_gap(rsv, g, &gs, &ge);
	return gs < me;
}

static mm_phys_addr_t mb_find_top_down(const struct mm_memblock_state *st, mm_phys_addr_t start,
				       mm_phys_addr_t end, mm_phys_addr_t size,
				       mm_phys_addr_t align, int nid, unsigned int flags)
{
	const struct mm_memblock_type *mem = &st->mb.memory, *rsv = &st->mb.reserved;
	unsigned long ia = mem->cnt;

	while (ia-- > 0) {
		const struct mm_memblock_region *r = &mem->regions[ia];
		mm_phys_addr_t ms = r->base, me = r->base + r->size, s, e, cand;
		unsigned long lo, g;

		if (mb_skip_region(st, r, nid, flags))
			continue;
		lo = mb_first_gap(rsv, ms);
		g = lo;
		while (mb_gap_below(rsv, g + 1, me))
			g++;
		for (;; g--) {
			if (mb_piece(rsv, g, ms, me, start, end, &s, &e) && e >= size) {
				cand = mm_round_down(e - size, align);
				if (cand >= s)
					return cand;
			}
			if (g == lo)
				break;
		}
	}
	return 0;
}

static mm_phys_addr_t mb_find_bottom_up(const struct mm_memblock_state *st, mm_phys_addr_t start,
					mm_phys_addr_t end, mm_phys_addr_t size,
					mm_phys_addr_t align, int nid, unsigned int flags)
{
	const struct mm_memblock_type *mem = &st->mb.memory, *rsv = &st->mb.reserved;
	unsigned long ia;

	for (ia = 0; ia < mem->cnt; ia++) {
		const struct mm_memblock_region *r = &mem->regions[ia];
		mm_phys_addr_t ms = r->base, me = r->base + r->size, s, e, cand;
		unsigned long g;

		if (mb_skip_region(st, r, nid, flags))
			continue;
		for (g = mb_first_gap(rsv, ms); mb_gap_below(rsv, g, me); g++) {
			if (!mb_piece(rsv, g, ms, me, start, end, &s, &e))
				continue;
			cand = mm_round_up(s, align);
			if (cand < s)
				return 0; /* the kernel's round_up wraps to 0: failure */
			if (cand < e && e - cand >= size)
				return cand;
		}
	}
	return 0;
}

static mm_phys_addr_t mb_find_in_range_node(const struct mm_memblock_state *st,
					    mm_phys_addr_t size, mm_phys_addr_t align,
					    mm_phys_addr_t start, mm_phys_addr_t end, int nid,
					    unsigned int flags)
{
	if (end == MM_MEMBLOCK_ALLOC_ACCESSIBLE || end == MM_MEMBLOCK_ALLOC_KASAN)
		end = st->mb.current_limit;
	start = MM_MAX(start, MM_PAGE_SIZE);
	end = MM_MAX(start, end);
	if (st->mb.bottom_up)
		return mb_find_bottom_up(st, start, end, size, align, nid, flags);
	return mb_find_top_down(st, start, end, size, align, nid, flags);
}

static void mb_warn_mirror(struct mm_machine *m, mm_phys_addr_t size)
{
	mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_WARN, 0,
		  "Could not allocate %#llx bytes of mirrored memory", (unsigned long long)size);
}

static mm_phys_addr_t mb_find_in_range(struct mm_machine *m, mm_phys_addr_t start,
				       mm_phys_addr_t end, mm_phys_addr_t size,
				       mm_phys_addr_t align)
{
	const struct mm_memblock_state *st = m->memblock;
	unsigned int flags = st->has_mirror ? MM_MEMBLOCK_MIRROR : MM_MEMBLOCK_NONE;
	mm_phys_addr_t ret = mb_find_in_range_node(st, size, align, start, end, MM_NUMA_NO_NODE, flags);

	if (!ret && (flags & MM_MEMBLOCK_MIRROR)) {
		mb_warn_mirror(m, size);
		ret = mb_find_in_range_node(st, size, align, start, end, MM_NUMA_NO_NODE,
					    MM_MEMBLOCK_NONE);
	}
	return ret;
}

/* ===================================================================== */
/* growth: memblock_double_array                                          */
/* ===================================================================== */

static mm_phys_addr_t mb_double_place(struct mm_machine *m, int which, mm_phys_addr_t area_base,
				      mm_phys_addr_t area_size, mm_phys_addr_t new_alloc)
{
	const struct mm_memblock_state *st = m->memblock;
	mm_phys_addr_t addr, limit = st->mb.current_limit;

	/* only a reserved array must keep clear of the range being reserved */
	if (which != MB_RESERVED)
		area_base = area_size = 0;
	addr = mb_find_in_range(m, area_base + area_size, limit, new_alloc, MM_PAGE_SIZE);
	if (!addr && area_size)
		addr = mb_find_in_range(m, 0, MM_MIN(area_base, limit), new_alloc, MM_PAGE_SIZE);
	return addr;
}

static struct mm_memblock_region *mb_double_host(struct mm_memblock_type *t)
{
	struct mm_memblock_region *n, *old = t->regions;

	n = calloc(t->max * 2, sizeof(*n));
	if (NEVER(!n)) /* host out of memory */
		return NULL;
	memcpy(n, old, t->max * sizeof(*n));
	t->regions = n;
	t->max *= 2;
	return old;
}

static void mb_free_host(const struct mm_memblock_state *st, struct mm_memblock_region *r)
{
	if (r != st->init_regions[MB_MEMORY] && r != st->init_regions[MB_RESERVED])
		free(r);
}

static mm_phys_addr_t mb_array_bytes(unsigned long entries)
{
	if (entries == 0 || entries > MB_MAX_REGIONS)
		return 0;
	return mm_round_up((mm_phys_addr_t)entries * MB_REGION_BYTES, MM_PAGE_SIZE);
}

static int mb_double_reserved(struct mm_machine *m, mm_phys_addr_t area_base,
			      mm_phys_addr_t area_size)
{
	struct mm_memblock_state *st = m->memblock;
	struct mm_memblock_type *t = &st->mb.reserved;
	mm_phys_addr_t old_alloc = mb_array_bytes(t->max), new_alloc = mb_array_bytes(t->max * 2);
	mm_phys_addr_t addr, old_phys = st->array_phys[MB_RESERVED];
	struct mm_memblock_region *old;

	if (!st->can_resize || !new_alloc)
		return -1;
	if (mm_should_fail(m))
		return -1;
	addr = mb_double_place(m, MB_RESERVED, area_base, area_size, new_alloc);
	if (!addr)
		return -1;
	old = mb_double_host(t);
	if (NEVER(!old)) /* host out of memory */
		return -1;
	mb_free_host(st, old);
	st->array_phys[MB_RESERVED] = addr;
	/* With max >= 2 after doubling, neither step below needs more room:
	 * the free splits at most one region and the new array is free space. */
	if (old_phys)
		mb_remove_nogrow(st, t, old_phys, old_alloc);
	MM_BUG_ON(t->cnt + 1 > t->max);
	mb_add_nogrow(t, addr, new_alloc, MM_MAX_NUMNODES, MM_MEMBLOCK_NONE);
	return 0;
}

static int mb_grow_reserved_for(struct mm_machine *m, unsigned long need, mm_phys_addr_t area_base,
				mm_phys_addr_t area_size)
{
	struct mm_memblock_type *t = &m->memblock->mb.reserved;

	while (t->cnt + need > t->max)
		if (mb_double_reserved(m, area_base, area_size) < 0)
			return -ENOMEM;
	return 0;
}

static int mb_double_memory(struct mm_machine *m)
{
	struct mm_memblock_state *st = m->memblock;
	struct mm_memblock_type *t = &st->mb.memory, *rsv = &st->mb.reserved;
	struct mm_memblock_type rsv_saved = *rsv, mem_saved = *t;
	mm_phys_addr_t old_alloc = mb_array_bytes(t->max), new_alloc = mb_array_bytes(t->max * 2);
	mm_phys_addr_t addr, old_phys = st->array_phys[MB_MEMORY];
	mm_phys_addr_t rsv_phys = st->array_phys[MB_RESERVED];
	struct mm_memblock_region *old, *rsv_copy;
	unsigned long need;
	bool mismatch = false;

	if (!st->can_resize || !new_alloc)
		return -1;
	if (mm_should_fail(m))
		return -1;
	addr = mb_double_place(m, MB_MEMORY, 0, 0, new_alloc);
	if (!addr)
		return -1;
	/* The reserved type is snapshotted so that the kernel's BUG below can
	 * be undone whole. */
	rsv_copy = malloc(rsv->max * sizeof(*rsv_copy));
	if (NEVER(!rsv_copy)) /* host out of memory */
		return -1;
	memcpy(rsv_copy, rsv->regions, rsv->max * sizeof(*rsv_copy));
	old = mb_double_host(t);
	if (NEVER(!old)) { /* host out of memory */
		free(rsv_copy);
		return -1;
	}
	st->array_phys[MB_MEMORY] = addr;

	/* memblock_free(old array): its failure is ignored, as in the kernel */
	if (old_phys && mb_grow_reserved_for(m, 2, old_phys, old_alloc) == 0)
		mb_remove_nogrow(st, rsv, old_phys, old_alloc);

	/* memblock_reserve(new array) */
	need = mb_is_empty(rsv) ? 0 : mb_count_new(rsv, addr, addr + new_alloc, MM_MAX_NUMNODES,
						    MM_MEMBLOCK_NONE, &mismatch);
	if (mb_grow_reserved_for(m, need, addr, new_alloc) < 0) {
		mb_free_host(st, t->regions);
		*t = mem_saved;
		t->regions = old;
		st->array_phys[MB_MEMORY] = old_phys;
		if (rsv->regions == rsv_saved.regions) {
			memcpy(rsv->regions, rsv_copy, rsv_saved.max * sizeof(*rsv_copy));
			free(rsv_copy);
		} else {
			/* a nested doubling already released the saved host array */
			mb_free_host(st, rsv->regions);
			rsv_saved.regions = rsv_copy;
		}
		*rsv = rsv_saved;
		st->array_phys[MB_RESERVED] = rsv_phys;
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_BUG, addr,
			  "kernel BUG at mm/memblock.c: memblock_double_array: memblock_reserve(%#llx, %#llx) failed",
			  (unsigned long long)addr, (unsigned long long)new_alloc);
		return -1;
	}
	mb_add_nogrow(rsv, addr, new_alloc, MM_MAX_NUMNODES, MM_MEMBLOCK_NONE);
	free(rsv_copy);
	mb_free_host(st, old);
	return 0;
}

static int mb_grow_for(struct mm_machine *m, int which, unsigned long need,
		       mm_phys_addr_t area_base, mm_phys_addr_t area_size)
{
	struct mm_memblock_type *t = mb_type(m->memblock, which);

	while (t->cnt + need > t->max) {
		int ret = which == MB_RESERVED ? mb_double_reserved(m, area_base, area_size)
					       : mb_double_memory(m);
		if (ret < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ===================================================================== */
/* range operations                                                       */
/* ===================================================================== */

static int mb_add_range(struct mm_machine *m, int which, mm_phys_addr_t base, mm_phys_addr_t size,
			int nid, enum mm_memblock_flags flags)
{
	struct mm_memblock_type *t = mb_type(m->memblock, which);
	unsigned long nr_new;
	bool mismatch = false;

	size = mb_cap_size(base, size);
	if (size == 0)
		return 0;
	if (!mb_is_empty(t)) {
		nr_new = mb_count_new(t, base, base + size, nid, flags, &mismatch);
		if (mismatch)
			mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_WARN, base,
				  "WARNING: memblock_add_range: [%#llx-%#llx] meets a %s region of another node or flags",
				  (unsigned long long)base, (unsigned long long)(base + size - 1),
				  t->name);
		if (nr_new == 0)
			return 0;
		if (mb_grow_for(m, which, nr_new, base, size) < 0)
			return -ENOMEM;
		/* Doubling reserved may free an old array inside the range and so
		 * split a region there: the count taken before can fall one short,
		 * where the kernel's memblock_insert_region() hits BUG_ON. */
		if (t->cnt + mb_count_new(t, base, base + size, nid, flags, &mismatch) > t->max) {
			mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_BUG, base,
				  "kernel BUG at mm/memblock.c: memblock_insert_region: %s cnt %lu >= max %lu",
				  t->name, t->cnt, t->max);
			return -ENOMEM;
		}
	}
	mb_add_nogrow(t, base, size, nid, flags);
	return 0;
}

static int mb_isolate(struct mm_machine *m, int which, mm_phys_addr_t base, mm_phys_addr_t size,
		      unsigned long *start_rgn, unsigned long *end_rgn)
{
	struct mm_memblock_type *t = mb_type(m->memblock, which);

	*start_rgn = *end_rgn = 0;
	size = mb_cap_size(base, size);
	if (size == 0)
		return 0;
	if (mb_grow_for(m, which, 2, base, size) < 0)
		return -ENOMEM;
	mb_isolate_nogrow(t, base, size, start_rgn, end_rgn);
	return 0;
}

static int mb_remove_range(struct mm_machine *m, int which, mm_phys_addr_t base,
			   mm_phys_addr_t size)
{
	struct mm_memblock_type *t = mb_type(m->memblock, which);
	unsigned long s, e;
	int ret = mb_isolate(m, which, base, size, &s, &e);

	if (ret)
		return ret;
	while (e > s)
		mb_remove_region(m->memblock, t, --e);
	return 0;
}

static int mb_setclr_flag(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size, bool set,
			  enum mm_memblock_flags flag)
{
	struct mm_memblock_type *t = &m->memblock->mb.memory;
	unsigned long s, e, i;
	int ret = mb_isolate(m, MB_MEMORY, base, size, &s, &e);

	if (ret)
		return ret;
	for (i = s; i < e; i++) {
		if (set)
			t->regions[i].flags |= flag;
		else
			t->regions[i].flags &= ~flag;
	}
	mb_merge_regions(t);
	return 0;
}

/* ===================================================================== */
/* allocation                                                             */
/* ===================================================================== */

static int mb_alloc_check(struct mm_machine *m, const char *fn, mm_phys_addr_t size,
			  mm_phys_addr_t *align, int *nid, mm_phys_addr_t *out)
{
	if (!out) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, 0, "%s: NULL out pointer", fn);
		return -EINVAL;
	}
	*out = 0;
	if (size == 0) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, 0, "%s: zero-size allocation", fn);
		return -EINVAL;
	}
	if (*align && !mm_is_pow2(*align)) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, *align,
			  "%s: alignment %#llx is not a power of 2", fn, (unsigned long long)*align);
		return -EINVAL;
	}
	if (*nid < MM_NUMA_NO_NODE || *nid > MM_MAX_NUMNODES) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, (uint64_t)(int64_t)*nid,
			  "%s: invalid node %d", fn, *nid);
		return -EINVAL;
	}
	if (*nid == MM_MAX_NUMNODES) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_WARN, 0,
			  "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead");
		*nid = MM_NUMA_NO_NODE;
	}
	if (*align == 0) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_WARN, 0,
			  "%s: zero alignment, using SMP_CACHE_BYTES (dump_stack)", fn);
		*align = MM_SMP_CACHE_BYTES;
	}
	return 0;
}

static mm_phys_addr_t mb_alloc_range_nid(struct mm_machine *m, mm_phys_addr_t size,
					 mm_phys_addr_t align, mm_phys_addr_t start,
					 mm_phys_addr_t end, int nid, bool exact_nid)
{
	const struct mm_memblock_state *st = m->memblock;
	unsigned int flags = st->has_mirror ? MM_MEMBLOCK_MIRROR : MM_MEMBLOCK_NONE;
	mm_phys_addr_t found;

	for (;;) {
		found = mb_find_in_range_node(st, size, align, start, end, nid, flags);
		if (found && !mb_add_range(m, MB_RESERVED, found, size, MM_MAX_NUMNODES,
					   MM_MEMBLOCK_NONE))
			return found;
		if (nid != MM_NUMA_NO_NODE && !exact_nid) {
			found = mb_find_in_range_node(st, size, align, start, end, MM_NUMA_NO_NODE,
						      flags);
			if (found && !mb_add_range(m, MB_RESERVED, found, size, MM_MAX_NUMNODES,
						   MM_MEMBLOCK_NONE))
				return found;
		}
		if (!(flags & MM_MEMBLOCK_MIRROR))
			return 0;
		flags &= ~(unsigned int)MM_MEMBLOCK_MIRROR;
		mb_warn_mirror(m, size);
	}
}

/* ===================================================================== */
/* life cycle                                                             */
/* ===================================================================== */

static void mb_type_init(const struct mm_memblock_state *st, struct mm_memblock_type *t,
			 struct mm_memblock_region *regions, unsigned long max, const char *name)
{
	t->regions = regions;
	t->max = max;
	t->name = name;
	mb_set_empty(st, t, 0); /* the static initializer leaves nid 0 */
}

int mm_memblock_init(struct mm_machine *m)
{
	struct mm_memblock_state *st;
	unsigned long n = m->cfg.memblock_init_regions ? m->cfg.memblock_init_regions : MB_INIT_REGIONS;
	struct mm_memblock_region *mr, *rr;

	n = MM_MIN(n, MB_MAX_INIT_REGIONS);
	/* one block: fuzzing creates a machine per input */
	st = mm_state_zalloc(m, sizeof(*st) + 2 * n * sizeof(*mr));
	if (NEVER(!st)) /* host out of memory */
		return -ENOMEM;
	mr = (struct mm_memblock_region *)(st + 1);
	rr = mr + n;
	st->init_regions[MB_MEMORY] = mr;
	st->init_regions[MB_RESERVED] = rr;
	st->cnt0 = (m->cfg.features & MM_FEAT_MEMBLOCK_EMPTY_CNT0) != 0;
	st->mb.bottom_up = false;
	st->mb.current_limit = MM_MEMBLOCK_ALLOC_ANYWHERE;
	mb_type_init(st, &st->mb.memory, mr, n, "memory");
	mb_type_init(st, &st->mb.reserved, rr, n, "reserved");
	m->memblock = st;
	return 0;
}

void mm_memblock_destroy(struct mm_machine *m)
{
	if (NEVER(!m || !m->memblock))
		return;
	mb_free_host(m->memblock, m->memblock->mb.memory.regions);
	mb_free_host(m->memblock, m->memblock->mb.reserved.regions);
	mm_state_free(m, m->memblock);
	m->memblock = NULL;
}

static int mb_verify_type(struct mm_machine *m, const struct mm_memblock_state *st,
			  const struct mm_memblock_type *t, int which)
{
	mm_phys_addr_t sum = 0;
	unsigned long i;

	MM_VERIFY(m, t->regions != NULL && t->max >= 1, "memblock.%s: no region array", t->name);
	MM_VERIFY(m, t->cnt <= t->max, "memblock.%s: cnt %lu > max %lu", t->name, t->cnt, t->max);
	if (mb_is_empty(t)) {
		MM_VERIFY(m, t->cnt == (st->cnt0 ? 0u : 1u) && t->regions[0].base == 0 &&
			  t->regions[0].flags == 0 && t->total_size == 0,
			  "memblock.%s: bad empty marker (cnt %lu, total %#llx)", t->name, t->cnt,
			  (unsigned long long)t->total_size);
	} else {
		MM_VERIFY(m, t->cnt >= 1, "memblock.%s: regions[0] in use with cnt 0", t->name);
	}
	for (i = 0; i < t->cnt && !mb_is_empty(t); i++) {
		const struct mm_memblock_region *r = &t->regions[i];

		MM_VERIFY(m, r->size > 0, "memblock.%s[%lu]: size 0", t->name, i);
		MM_VERIFY(m, r->size <= MM_PHYS_ADDR_MAX - r->base,
			  "memblock.%s[%lu]: [%#llx+%#llx] wraps", t->name, i,
			  (unsigned long long)r->base, (unsigned long long)r->size);
		MM_VERIFY(m, (r->flags & ~MB_FLAGS_ALL) == 0, "memblock.%s[%lu]: flags %#x", t->name,
			  i, (unsigned)r->flags);
		MM_VERIFY(m, r->nid >= MM_NUMA_NO_NODE && r->nid <= MM_MAX_NUMNODES,
			  "memblock.%s[%lu]: nid %d", t->name, i, r->nid);
		if (i > 0) {
			const struct mm_memblock_region *p = &t->regions[i - 1];

			MM_VERIFY(m, p->base + p->size <= r->base,
				  "memblock.%s[%lu]: not sorted/disjoint", t->name, i);
			MM_VERIFY(m, p->base + p->size != r->base || p->nid != r->nid ||
					     p->flags != r->flags,
				  "memblock.%s[%lu]: mergeable neighbours left apart", t->name, i);
		}
		sum += r->size;
	}
	MM_VERIFY(m, sum == t->total_size, "memblock.%s: total_size %#llx != sum %#llx", t->name,
		  (unsigned long long)t->total_size, (unsigned long long)sum);
	MM_VERIFY(m, st->array_phys[which] % MM_PAGE_SIZE == 0,
		  "memblock.%s: array at %#llx not page aligned", t->name,
		  (unsigned long long)st->array_phys[which]);
	return 0;
}

int mm_memblock_verify(struct mm_machine *m)
{
	const struct mm_memblock_state *st = m->memblock;
	int ret;

	MM_VERIFY(m, st != NULL, "memblock: no state");
	MM_VERIFY(m, !st->has_mirror || m->cfg.kernelcore_mirror,
		  "memblock: mirror wanted without kernelcore=mirror");
	ret = mb_verify_type(m, st, &st->mb.memory, MB_MEMORY);
	if (ret)
		return ret;
	return mb_verify_type(m, st, &st->mb.reserved, MB_RESERVED);
}

/* ===================================================================== */
/* public API                                                             */
/* ===================================================================== */

const struct mm_memblock *mm_memblock_get(const struct mm_machine *m)
{
	return m && ALWAYS(m->memblock) ? &m->memblock->mb : NULL;
}

mm_phys_addr_t mm_memblock_array_phys(const struct mm_machine *m, bool reserved)
{
	if (!m || NEVER(!m->memblock))
		return 0;
	return m->memblock->array_phys[reserved ? MB_RESERVED : MB_MEMORY];
}

static bool mb_nid_ok(struct mm_machine *m, const char *fn, int nid)
{
	if (nid >= MM_NUMA_NO_NODE && nid <= MM_MAX_NUMNODES)
		return true;
	mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, (uint64_t)(int64_t)nid,
		  "%s: invalid node %d", fn, nid);
	return false;
}

int mm_memblock_add(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_add_range(m, MB_MEMORY, base, size, MM_MAX_NUMNODES, MM_MEMBLOCK_NONE);
}

int mm_memblock_add_node(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size,
			 int nid, enum mm_memblock_flags flags)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	if (!mb_nid_ok(m, "memblock_add_node", nid))
		return -EINVAL;
	if ((unsigned int)flags & ~(unsigned int)MB_FLAGS_ALL) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, (uint64_t)flags,
			  "memblock_add_node: unknown flags %#x", (unsigned int)flags);
		return -EINVAL;
	}
	return mb_add_range(m, MB_MEMORY, base, size, nid, flags);
}

int mm_memblock_remove(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_remove_range(m, MB_MEMORY, base, size);
}

int mm_memblock_reserve(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_add_range(m, MB_RESERVED, base, size, MM_MAX_NUMNODES, MM_MEMBLOCK_NONE);
}

int mm_memblock_free(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_remove_range(m, MB_RESERVED, base, size);
}

int mm_memblock_phys_free(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	return mm_memblock_free(m, base, size);
}

int mm_memblock_mark_hotplug(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_setclr_flag(m, base, size, true, MM_MEMBLOCK_HOTPLUG);
}

int mm_memblock_clear_hotplug(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_setclr_flag(m, base, size, false, MM_MEMBLOCK_HOTPLUG);
}

int mm_memblock_mark_mirror(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	/* without kernelcore=mirror the firmware's mirror map is ignored */
	if (!m->cfg.kernelcore_mirror)
		return 0;
	m->memblock->has_mirror = true; /* set before the isolate, even if it fails */
	return mb_setclr_flag(m, base, size, true, MM_MEMBLOCK_MIRROR);
}

int mm_memblock_mark_nomap(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_setclr_flag(m, base, size, true, MM_MEMBLOCK_NOMAP);
}

int mm_memblock_clear_nomap(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size)
{
	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	return mb_setclr_flag(m, base, size, false, MM_MEMBLOCK_NOMAP);
}

int mm_memblock_set_node(struct mm_machine *m, mm_phys_addr_t base, mm_phys_addr_t size,
			 bool reserved_type, int nid)
{
	int which = reserved_type ? MB_RESERVED : MB_MEMORY;
	struct mm_memblock_type *t;
	unsigned long s, e, i;
	int ret;

	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	if (!mb_nid_ok(m, "memblock_set_node", nid))
		return -EINVAL;
	ret = mb_isolate(m, which, base, size, &s, &e);
	if (ret)
		return ret;
	t = mb_type(m->memblock, which);
	for (i = s; i < e; i++)
		t->regions[i].nid = nid;
	mb_merge_regions(t);
	return 0;
}

void mm_memblock_set_bottom_up(struct mm_machine *m, bool enable)
{
	if (m && ALWAYS(m->memblock))
		m->memblock->mb.bottom_up = enable;
}

void mm_memblock_set_current_limit(struct mm_machine *m, mm_phys_addr_t limit)
{
	if (m && ALWAYS(m->memblock))
		m->memblock->mb.current_limit = limit;
}

void mm_memblock_allow_resize(struct mm_machine *m)
{
	if (m && ALWAYS(m->memblock))
		m->memblock->can_resize = true;
}

void mm_memblock_set_movable_node(struct mm_machine *m, bool enable)
{
	if (m && ALWAYS(m->memblock))
		m->memblock->movable_node = enable;
}

int mm_memblock_phys_alloc_range(struct mm_machine *m, mm_phys_addr_t size,
				 mm_phys_addr_t align, mm_phys_addr_t start,
				 mm_phys_addr_t end, mm_phys_addr_t *out)
{
	int nid = MM_NUMA_NO_NODE;
	mm_phys_addr_t found;

	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	if (mb_alloc_check(m, "memblock_phys_alloc_range", size, &align, &nid, out))
		return -EINVAL;
	if (mm_should_fail(m))
		return -ENOMEM;
	found = mb_alloc_range_nid(m, size, align, start, end, nid, false);
	if (!found)
		return -ENOMEM;
	*out = found;
	return 0;
}

int mm_memblock_phys_alloc_try_nid(struct mm_machine *m, mm_phys_addr_t size,
				   mm_phys_addr_t align, int nid, mm_phys_addr_t *out)
{
	mm_phys_addr_t found;

	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	if (mb_alloc_check(m, "memblock_phys_alloc_try_nid", size, &align, &nid, out))
		return -EINVAL;
	if (mm_should_fail(m))
		return -ENOMEM;
	found = mb_alloc_range_nid(m, size, align, 0, MM_MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
	if (!found)
		return -ENOMEM;
	*out = found;
	return 0;
}

int mm_memblock_alloc_try_nid(struct mm_machine *m, mm_phys_addr_t size, mm_phys_addr_t align,
			      mm_phys_addr_t min_addr, mm_phys_addr_t max_addr, int nid,
			      bool exact_nid, bool raw, mm_phys_addr_t *out)
{
	mm_phys_addr_t found;

	if (!m || NEVER(!m->memblock))
		return -EINVAL;
	if (mb_alloc_check(m, "memblock_alloc_try_nid", size, &align, &nid, out))
		return -EINVAL;
	if (mm_should_fail(m))
		return -ENOMEM;
	if (max_addr > m->memblock->mb.current_limit)
		max_addr = m->memblock->mb.current_limit;
	found = mb_alloc_range_nid(m, size, align, min_addr, max_addr, nid, exact_nid);
	if (!found && min_addr)
		found = mb_alloc_range_nid(m, size, align, 0, max_addr, nid, exact_nid);
	if (!found)
		return -ENOMEM;
	if (!raw)
		mm_phys_zero(m, found, size);
	*out = found;
	return 0;
}

int mm_memblock_alloc(struct mm_machine *m, mm_phys_addr_t size, mm_phys_addr_t align,
		      mm_phys_addr_t *out)
{
	return mm_memblock_alloc_try_nid(m, size, align, 0, MM_MEMBLOCK_ALLOC_ACCESSIBLE,
					 MM_NUMA_NO_NODE, false, false, out);
}

void mm_memblock_trim_memory(struct mm_machine *m, mm_phys_addr_t align)
{
	struct mm_memblock_type *t;
	unsigned long i;

	if (!m || NEVER(!m->memblock))
		return;
	if (!mm_is_pow2(align)) {
		mm_report(m, MM_STAGE_MEMBLOCK, MM_REPORT_INVALID_ARG, align,
			  "memblock_trim_memory: alignment %#llx is not a power of 2",
			  (unsigned long long)align);
		return;
	}
	t = &m->memblock->mb.memory;
	for (i = 0; i < t->cnt; i++) {
		struct mm_memblock_region *r = &t->regions[i];
		mm_phys_addr_t os = r->base, oe = r->base + r->size;
		mm_phys_addr_t s = mm_round_up(os, align), e = mm_round_down(oe, align);

		if (s == os && e == oe)
			continue;
		if (s >= os && s < e) {
			t->total_size -= r->size - (e - s);
			r->base = s;
			r->size = e - s;
		} else {
			mb_remove_region(m->memblock, t, i);
			if (mb_is_empty(t))
				break;
			i--;
		}
	}
}

void mm_memblock_enforce_memory_limit(struct mm_machine *m, mm_phys_addr_t limit)
{
	const struct mm_memblock_type *t;
	mm_phys_addr_t max_addr = MM_PHYS_ADDR_MAX;
	unsigned long i;

	if (!m || NEVER(!m->memblock) || !limit)
		return;
	t = &m->memblock->mb.memory;
	for (i = 0; i < t->cnt; i++) {
		if (limit <= t->regions[i].size) {
			max_addr = t->regions[i].base + limit;
			break;
		}
		limit -= t->regions[i].size;
	}
	if (max_addr == MM_PHYS_ADDR_MAX)
		return;
	(void)mb_remove_range(m, MB_MEMORY, max_addr, MM_PHYS_ADDR_MAX);
	(void)mb_remove_range(m, MB_RESERVED, max_addr, MM_PHYS_ADDR_MAX);
}

mm_phys_addr_t mm_memblock_phys_mem_size(const struct mm_machine *m)
{
	return m && ALWAYS(m->memblock) ? m->memblock->mb.memory.total_size : 0;
}

mm_phys_addr_t mm_memblock_reserved_size(const struct mm_machine *m)
{
	return m && ALWAYS(m->memblock) ? m->memblock->mb.reserved.total_size : 0;
}

mm_phys_addr_t mm_memblock_start_of_DRAM(const struct mm_machine *m)
{
	return m && ALWAYS(m->memblock) ? m->memblock->mb.memory.regions[0].base : 0;
}

mm_phys_addr_t mm_memblock_end_of_DRAM(const struct mm_machine *m)
{
	const struct mm_memblock_type *t;

	if (!m || NEVER(!m->memblock))
		return 0;
	t = &m->memblock->mb.memory;
	if (t->cnt == 0)
		return 0;
	return t->regions[t->cnt - 1].base + t->regions[t->cnt - 1].size;
}

static bool mb_search(const struct mm_memblock_type *t, mm_phys_addr_t addr)
{
	unsigned long lo = 0, hi = t->cnt;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct mm_memblock_region *r = &t->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->size)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool mm_memblock_is_memory(const struct mm_machine *m, mm_phys_addr_t addr)
{
	return m && ALWAYS(m->memblock) && mb_search(&m->memblock->mb.memory, addr);
}

bool mm_memblock_is_reserved(const struct mm_machine *m, mm_phys_addr_t addr)
{
	return m && ALWAYS(m->memblock) && mb_search(&m->memblock->mb.reserved, addr);
}

/* ===================================================================== */
/* memblock_free_all: the free memory to the buddy allocator              */
/* ===================================================================== */

/* The modern hand-off lives here, as in the kernel's mm/memblock.c: every
 * free range below max_low_pfn goes to the buddy allocator as maximal
 * aligned blocks (mm_init.c's walk). Departure: every page is checked
 * before any is released, and a page that cannot go (no zone yet, not
 * reserved: it would be freed twice) refuses the whole call with a BUG
 * report in bootmem's name, which the hand-off also ends. */

bool mm_memblock_free_ranges(struct mm_machine *m, mm_pfn_t lo, mm_pfn_t hi,
			     mm_memblock_range_fn fn, void *arg)
{
	const struct mm_memblock *mb = mm_memblock_get(m);

	if (!mb)
		return true;
	for (unsigned long i = 0; i < mb->memory.cnt; i++) {
		const struct mm_memblock_region *r = &mb->memory.regions[i];
		uint64_t cur = r->base, end = mm_range_end(r->base, r->size);

		if (!r->size || (r->flags & MM_MEMBLOCK_NOMAP))
			continue;
		/* memory minus reserved, one free range at a time */
		while (cur < end) {
			uint64_t skip = cur, fend = end;
			mm_pfn_t s, e;
			for (unsigned long k = 0; k < mb->reserved.cnt; k++) {
				const struct mm_memblock_region *q = &mb->reserved.regions[k];
				uint64_t qe = mm_range_end(q->base, q->size);
				if (!q->size)
					continue;
				if (q->base <= cur && cur < qe)
					skip = MM_MAX(skip, qe);
				else if (q->base > cur && q->base < fend)
					fend = q->base;
			}
			if (skip > cur) {
				cur = skip;
				continue;
			}
			s = MM_MAX(mm_pfn_up(cur), lo);
			e = MM_MIN(MM_PFN_DOWN(fend), hi);
			cur = fend;
			if (s < e && !fn(m, s, e, arg))
				return false;
		}
	}
	return true;
}

/* What memblock_free_all does with one free range. */
struct mb_handoff {
	bool apply;      /* false: only check that every page may go */
	uint64_t count;  /* pages released */
};

static bool mb_handoff_range(struct mm_machine *m, mm_pfn_t s, mm_pfn_t e, void *arg)
{
	struct mb_handoff *h = arg;
	/* maximal aligned blocks up to MAX_ORDER-1, each in one zone; memory
	 * without a struct page is skipped */
	return mm_page_alloc_handoff_range(m, s, e, UINT32_MAX, true, h->apply, &h->count);
}

int mm_memblock_free_all(struct mm_machine *m, uint64_t *count)
{
	struct mb_handoff h = { .apply = false };
	mm_pfn_t lowpfn;
	bool ok;

	if (!m)
		return -EINVAL;
	if (mm_bootmem_refuse_after(m, "memblock_free_all"))
		return -EINVAL;
	lowpfn = MM_MIN(MM_PFN_DOWN(mm_lowmem_limit(m)), mm_profile_max_pfn(m));
	if (!mm_memblock_free_ranges(m, 0, lowpfn, mb_handoff_range, &h)) {
		mm_report(m, MM_STAGE_BOOTMEM, MM_REPORT_BUG, 0,
			  "memblock_free_all: a page to release is not a reserved page of a zone "
			  "(Bad page state)");
		return -EINVAL;
	}
	h.apply = true;
	ok = mm_memblock_free_ranges(m, 0, lowpfn, mb_handoff_range, &h);
	mm_bootmem_retire(m);
	if (count)
		*count = h.count;
	return ok ? 0 : -EUCLEAN;
}
