/*
 * Simulated physical memory, backed lazily by host pages.
 *
 * A frame that was never written has no backing and reads as zeros, so the
 * cost of a machine is proportional to what it touches, never to the size of
 * its address space. The kernel has real RAM; mmsim has a hash table from pfn
 * to a host page (open addressing, linear probing, backward-shift delete).
 * Free frames' host pages are ASan-poisoned when MM_HARDEN_ASAN_POISON is on,
 * so a library bug that touches free simulated memory is an ASan report, as
 * KASAN would make it.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct phys_slot {
	mm_pfn_t pfn;
	uint8_t *frame; /* NULL = empty slot */
};

#define PHYS_INIT_SLOTS 64

struct mm_phys_backing {
	struct phys_slot *slots; /* init_slots until the first growth */
	size_t cap;   /* power of two */
	size_t count; /* backed frames */
	size_t max;   /* backing cap in frames */
	/* the first table, in the same block (one allocation per machine) */
	struct phys_slot init_slots[PHYS_INIT_SLOTS];
};

static inline size_t pfn_hash(mm_pfn_t pfn)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ull) >> 17);
}

int mm_phys_init(struct mm_machine *m)
{
	struct mm_phys_backing *pb = mm_state_zalloc(m, sizeof(*pb));
	if (NEVER(!pb)) /* host out of memory */
		return -ENOMEM;
	pb->cap = PHYS_INIT_SLOTS;
	pb->slots = pb->init_slots;
	pb->max = m->cfg.phys_backing_max_pages ? m->cfg.phys_backing_max_pages : 16384;
	m->phys = pb;
	return 0;
}

void mm_phys_destroy(struct mm_machine *m)
{
	struct mm_phys_backing *pb = m->phys;
	if (NEVER(!pb)) /* only after a host allocation failure in create */
		return;
	for (size_t i = 0, left = pb->count; left && i < pb->cap; i++) {
		if (pb->slots[i].frame) {
			mm_track_access(pb->slots[i].frame, MM_PAGE_SIZE);
			mm_host_free(pb->slots[i].frame, MM_PAGE_SIZE);
			left--;
		}
	}
	if (pb->slots != pb->init_slots)
		mm_host_free(pb->slots, pb->cap * sizeof(*pb->slots));
	mm_state_free(m, pb);
	m->phys = NULL;
}

/* Slot index for pfn: where it is, or the empty slot where it would go. */
static size_t slot_find(const struct mm_phys_backing *pb, mm_pfn_t pfn)
{
	size_t mask = pb->cap - 1, i = pfn_hash(pfn) & mask;
	while (pb->slots[i].frame && pb->slots[i].pfn != pfn)
		i = (i + 1) & mask;
	return i;
}

/* Double the table; false on host OOM (table unchanged). */
static bool table_grow(struct mm_phys_backing *pb)
{
	size_t ncap = pb->cap * 2;
	struct phys_slot *old = pb->slots, *ns = mm_host_alloc(ncap * sizeof(*ns), true);
	size_t oldcap = pb->cap;
	if (NEVER(!ns)) /* host out of memory */
		return false;
	pb->slots = ns;
	pb->cap = ncap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].frame)
			pb->slots[slot_find(pb, old[i].pfn)] = old[i];
	if (old != pb->init_slots)
		mm_host_free(old, oldcap * sizeof(*old));
	return true;
}

/* Remove slot i and close the probe gap behind it. */
static void slot_delete(struct mm_phys_backing *pb, size_t i)
{
	size_t mask = pb->cap - 1, j = i;
	pb->slots[i].frame = NULL;
	pb->count--;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!pb->slots[j].frame)
			return;
		home = pfn_hash(pb->slots[j].pfn) & mask;
		/* move j back into the hole at i unless its home lies in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			pb->slots[i] = pb->slots[j];
			pb->slots[j].frame = NULL;
			i = j;
		}
	}
}

/* The frame of pfn, backed if needed: a new one gets src's bytes when src
 * is given (no zeroing first: the copy overwrites all of it; only
 * mm_phys_frame_copy passes src, and only for an unbacked frame), else zeros; capped:
 * refuse a new backing at the cap. (Look-ups that create nothing take
 * frame_lookup.) */
static uint8_t *frame_get(struct mm_machine *m, mm_pfn_t pfn, const uint8_t *src, bool capped)
{
	struct mm_phys_backing *pb = m->phys;
	size_t i = slot_find(pb, pfn);
	uint8_t *f;

	if (pb->slots[i].frame) /* src comes only for an unbacked frame */
		return pb->slots[i].frame;
	if (capped && pb->count >= pb->max)
		return NULL;
	if ((pb->count + 1) * 2 > pb->cap) {
		if (!table_grow(pb))
			return NULL;
		i = slot_find(pb, pfn);
	}
	f = mm_host_alloc(MM_PAGE_SIZE, !src);
	if (NEVER(!f)) /* host out of memory */
		return NULL;
	if (src)
		memcpy(f, src, MM_PAGE_SIZE);
	pb->slots[i].pfn = pfn;
	pb->slots[i].frame = f;
	pb->count++;
	return f;
}

/* The frame of pfn or NULL, nothing created: the look-up every table walk
 * and fault makes several times, kept apart from frame_get so that it pays
 * none of the creating path's set-up (measured: about a third of a lookup). */
static inline uint8_t *frame_lookup(const struct mm_phys_backing *pb, mm_pfn_t pfn)
{
	return pb->slots[slot_find(pb, pfn)].frame;
}

uint8_t *mm_phys_frame(struct mm_machine *m, mm_pfn_t pfn, bool create)
{
	if (!create)
		return frame_lookup(m->phys, pfn);
	return frame_get(m, pfn, NULL, true);
}

uint8_t *mm_phys_frame_copy(struct mm_machine *m, mm_pfn_t pfn, const uint8_t *src)
{
	/* a COW's new page was usually backed before (a freed page keeps its
	 * frame): copy over it without frame_get's creating path */
	uint8_t *f = frame_lookup(m->phys, pfn);
	if (f) {
		memcpy(f, src, MM_PAGE_SIZE);
		return f;
	}
	return frame_get(m, pfn, src, true);
}

uint8_t *mm_phys_table_frame(struct mm_machine *m, mm_pfn_t pfn)
{
	return frame_get(m, pfn, NULL, false);
}

/* Zero [a, b) of one frame: drop the backing when the whole frame goes. */
static void frame_zero(struct mm_phys_backing *pb, mm_pfn_t pfn, uint64_t off, uint64_t n)
{
	size_t i = slot_find(pb, pfn);
	if (!pb->slots[i].frame)
		return;
	if (n == MM_PAGE_SIZE) {
		mm_track_access(pb->slots[i].frame, MM_PAGE_SIZE);
		mm_host_free(pb->slots[i].frame, MM_PAGE_SIZE);
		slot_delete(pb, i);
	} else {
		memset(pb->slots[i].frame + off, 0, n);
	}
}

void mm_phys_zero(struct mm_machine *m, mm_phys_addr_t addr, uint64_t len)
{
	struct mm_phys_backing *pb = m->phys;
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
	uint64_t first_full = mm_round_up(addr, MM_PAGE_SIZE), last_full = end & MM_PAGE_MASK;

	/* Nothing backed: every frame already reads as zeros (the common case
	 * of an allocation zeroed before anything was written anywhere). */
	if (!len || !pb->count)
		return;
	if (first_full >= last_full || MM_PFN_DOWN(last_full - first_full) <= pb->count) {
		/* small range: frame by frame */
		for (uint64_t a = addr; a < end;) {
			uint64_t off = a & (MM_PAGE_SIZE - 1);
			uint64_t n = MM_MIN(MM_PAGE_SIZE - off, end - a);
			frame_zero(pb, MM_PFN_DOWN(a), off, n);
			if (a + n < a)
				break;
			a += n;
		}
		return;
	}
	/* large range: walk the table for the whole frames, then the edges */
	for (size_t i = 0; i < pb->cap;) {
		struct phys_slot *s = &pb->slots[i];
		uint64_t fa = MM_PFN_PHYS(s->pfn);
		if (s->frame && fa >= first_full && fa < last_full) {
			mm_track_access(s->frame, MM_PAGE_SIZE);
			mm_host_free(s->frame, MM_PAGE_SIZE);
			slot_delete(pb, i);
			continue; /* slot i may now hold a moved entry */
		}
		i++;
	}
	if (addr < first_full)
		frame_zero(pb, MM_PFN_DOWN(addr), addr & (MM_PAGE_SIZE - 1), first_full - addr);
	if (last_full < end)
		frame_zero(pb, MM_PFN_DOWN(last_full), 0, end - last_full);
}

static void frames_track(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr, bool poison)
{
	struct mm_phys_backing *pb = m->phys;
	if (!(m->cfg.hardening & MM_HARDEN_ASAN_POISON))
		return;
	if (nr > pb->count) {
		for (size_t i = 0; i < pb->cap; i++) {
			struct phys_slot *s = &pb->slots[i];
			if (s->frame && s->pfn >= pfn && s->pfn - pfn < nr) {
				if (poison)
					mm_track_noaccess(s->frame, MM_PAGE_SIZE);
				else
					mm_track_access(s->frame, MM_PAGE_SIZE);
			}
		}
		return;
	}
	for (uint64_t k = 0; k < nr; k++) {
		uint8_t *f = mm_phys_frame(m, pfn + k, false);
		if (!f)
			continue;
		if (poison)
			mm_track_noaccess(f, MM_PAGE_SIZE);
		else
			mm_track_access(f, MM_PAGE_SIZE);
	}
}

void mm_phys_poison_frames(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr)
{
	frames_track(m, pfn, nr, true);
}

void mm_phys_unpoison_frames(struct mm_machine *m, mm_pfn_t pfn, uint64_t nr)
{
	frames_track(m, pfn, nr, false);
}

bool mm_phys_frame_is_free(struct mm_machine *m, mm_pfn_t pfn)
{
	const struct mm_page *p = mm_pfn_to_page(m, pfn);
	return p && p->free_mark;
}

bool mm_phys_frame_backed(struct mm_machine *m, mm_pfn_t pfn)
{
	return m && ALWAYS(m->phys) && mm_phys_frame(m, pfn, false) != NULL;
}

uint64_t mm_phys_backed_pages(const struct mm_machine *m)
{
	return m && ALWAYS(m->phys) ? m->phys->count : 0;
}

/* Check a public access range and the frames it covers. */
static int access_check(struct mm_machine *m, mm_phys_addr_t addr, size_t len, const void *buf)
{
	if (!m || (!buf && len))
		return -EINVAL;
	if (addr + len < addr) {
		mm_report(m, MM_STAGE_CORE, MM_REPORT_INVALID_ARG, addr,
			  "physical access wraps: %#llx + %zu", (unsigned long long)addr, len);
		return -EINVAL;
	}
	for (uint64_t a = addr & MM_PAGE_MASK; len && a < addr + len; a += MM_PAGE_SIZE) {
		if (mm_phys_frame_is_free(m, MM_PFN_DOWN(a))) {
			mm_report(m, MM_STAGE_CORE, MM_REPORT_USE_AFTER_FREE, a,
				  "access to free page frame %#llx",
				  (unsigned long long)MM_PFN_DOWN(a));
			return -EFAULT;
		}
		if (a + MM_PAGE_SIZE < a)
			break;
	}
	return 0;
}

int mm_phys_read(struct mm_machine *m, mm_phys_addr_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	int ret = access_check(m, addr, len, buf);
	if (ret || !len)
		return ret;
	while (len) {
		uint64_t off = addr & (MM_PAGE_SIZE - 1);
		size_t n = (size_t)MM_MIN((uint64_t)len, MM_PAGE_SIZE - off);
		const uint8_t *f = mm_phys_frame(m, MM_PFN_DOWN(addr), false);
		if (f)
			memcpy(out, f + off, n);
		else
			memset(out, 0, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/* MM_HARDEN_ZERO_PAGE_WP: a write that would reach the zero page is refused
 * (the kernel maps it read-only everywhere; a stray kernel write to it is the
 * bug this catches). Without the switch the write lands and mm_verify finds
 * the zero page no longer zero. */
static int zero_page_guard(struct mm_machine *m, mm_phys_addr_t addr, size_t len)
{
	if (!(m->cfg.hardening & MM_HARDEN_ZERO_PAGE_WP))
		return 0;
	for (uint64_t a = addr & MM_PAGE_MASK; a < addr + len; a += MM_PAGE_SIZE) {
		const struct mm_page *p = mm_pfn_to_page(m, MM_PFN_DOWN(a));

		/* the page flag, not fault.c's state: the core asks no stage */
		if (p && (p->flags & MM_PG_ZERO)) {
			mm_report(m, MM_STAGE_FAULT, MM_REPORT_BUG, a, "write to the zero page at %#llx",
				  (unsigned long long)a);
			return -EFAULT;
		}
		if (a + MM_PAGE_SIZE < a)
			break;
	}
	return 0;
}

int mm_phys_write(struct mm_machine *m, mm_phys_addr_t addr, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	uint64_t need = 0;
	int ret = access_check(m, addr, len, buf);
	if (ret || !len)
		return ret;
	if ((ret = zero_page_guard(m, addr, len)))
		return ret;
	/* All or nothing: count the new frames first. */
	for (uint64_t a = addr & MM_PAGE_MASK; a < addr + len; a += MM_PAGE_SIZE) {
		if (!mm_phys_frame(m, MM_PFN_DOWN(a), false))
			need++;
		if (m->phys->count + need > m->phys->max)
			return -ENOMEM;
		if (a + MM_PAGE_SIZE < a)
			break;
	}
	while (len) {
		uint64_t off = addr & (MM_PAGE_SIZE - 1);
		size_t n = (size_t)MM_MIN((uint64_t)len, MM_PAGE_SIZE - off);
		uint8_t *f = mm_phys_frame(m, MM_PFN_DOWN(addr), true);
		if (NEVER(!f))
			return -ENOMEM; /* host OOM only: the cap was checked above */
		memcpy(f + off, in, n);
		in += n;
		addr += n;
		len -= n;
	}
	return 0;
}
