/*
 * The fault oracle (see oracle_fault.h): plain arrays, linear searches,
 * value semantics. Slow on purpose. Its host blocks come from blocks.h's
 * recycled stacks (a fuzzer builds one oracle per input); every array
 * records the element count it was allocated with, to give it back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "oracle_fault.h"

void ofault_init(struct ofault *o, unsigned profile, bool zero_page, bool reuse_refcount)
{
	memset(o, 0, sizeof(*o));
	o->task_size = profile == 2 ? 0xBF000000ull : 0xC0000000ull;
	o->span_shift = profile == 0 ? 22 : profile == 1 ? 21 : 20;
	o->nspans = (uint32_t)(o->task_size >> o->span_shift);
	o->pgd_allocs = profile == 1 ? 4 : 1;
	o->pgd_pages = profile == 0 ? 1 : 4;
	o->zero_page = zero_page;
	o->reuse_refcount = reuse_refcount;
}

/* A process's arrays (its VMAs, PTEs and table map), given back. */
static void proc_blocks_free(const struct ofault *o, struct ofault_proc *p)
{
	props_blk_free(p->vma, p->cap_vma * sizeof(*p->vma));
	props_blk_free(p->pte, p->cap_pte * sizeof(*p->pte));
	props_blk_free(p->table, p->table ? o->nspans : 0);
	p->vma = NULL;
	p->pte = NULL;
	p->table = NULL;
	p->cap_vma = p->cap_pte = 0;
}

void ofault_free(struct ofault *o)
{
	for (uint32_t i = 0; i < o->nproc; i++)
		proc_blocks_free(o, &o->proc[i]);
	for (uint32_t i = 0; i < o->npages; i++)
		props_blk_free(o->pages[i].data, OFAULT_PAGE);
	props_blk_free(o->proc, o->cap_proc * sizeof(*o->proc));
	props_blk_free(o->pages, o->cap_pages * sizeof(*o->pages));
}

void ofault_fault_set(struct ofault *o, bool on, uint32_t after, uint32_t repeat)
{
	o->f_on = on;
	o->f_after = after;
	o->f_repeat = repeat;
}

/* One allocation attempt: does the countdown let it through? */
static bool attempt(struct ofault *o)
{
	if (!o->f_on)
		return true;
	if (o->f_after) {
		o->f_after--;
		return true;
	}
	if (o->f_repeat) {
		o->f_repeat--;
		if (!o->f_repeat)
			o->f_on = false;
	}
	return false;
}

int ofault_id_check(struct ofault *o, uint32_t id)
{
	if (id < o->nproc && o->proc[id].live)
		return 0;
	props_expect_report(o->expect, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG);
	return -EINVAL;
}

int ofault_unpin_unheld(struct ofault *o, bool zero_page)
{
	if (zero_page)
		return 0;
	props_expect_report(o->expect, MM_STAGE_FAULT, MM_REPORT_BAD_PAGE);
	return -EINVAL;
}

int ofault_zero_write(struct ofault *o)
{
	props_expect_report(o->expect, MM_STAGE_FAULT, MM_REPORT_BUG);
	return -EFAULT;
}

/* ---- pages -------------------------------------------------------------- */

static uint32_t page_new(struct ofault *o, const uint8_t *copy)
{
	struct ofault_page *pg;
	if (o->npages == o->cap_pages) {
		uint32_t cap = o->cap_pages ? o->cap_pages * 2 : 64;
		struct ofault_page *n = props_blk_grow(o->pages, o->cap_pages * sizeof(*n), cap * sizeof(*n));
		if (!n) {
			o->oom = true;
			return 0;
		}
		o->pages = n;
		o->cap_pages = cap;
	}
	pg = &o->pages[o->npages];
	memset(pg, 0, sizeof(*pg));
	pg->live = true;
	pg->maps = 1;
	if (copy) {
		pg->data = props_blk_alloc(OFAULT_PAGE, false);
		if (pg->data)
			memcpy(pg->data, copy, OFAULT_PAGE);
		else
			o->oom = true;
	}
	o->used++;
	return o->npages++;
}

static void page_drop(struct ofault *o, uint32_t id)
{
	struct ofault_page *pg = &o->pages[id];
	if (pg->maps || pg->pins)
		return;
	pg->live = false;
	props_blk_free(pg->data, OFAULT_PAGE);
	pg->data = NULL;
	o->used--;
}

/* ---- per-process maps ------------------------------------------------------ */

const struct ofault_pte *ofault_find_pte(const struct ofault_proc *p, uint64_t vpn)
{
	for (uint32_t i = 0; i < p->npte; i++)
		if (p->pte[i].vpn == vpn)
			return &p->pte[i];
	return NULL;
}

static struct ofault_pte *pte_get(struct ofault_proc *p, uint64_t vpn)
{
	return (struct ofault_pte *)ofault_find_pte(p, vpn);
}

static void pte_add(struct ofault *o, struct ofault_proc *p, uint64_t vpn, uint32_t page, bool rw)
{
	uint32_t i = p->npte;
	if (p->npte == p->cap_pte) {
		uint32_t cap = p->cap_pte ? p->cap_pte * 2 : 16;
		struct ofault_pte *n = props_blk_grow(p->pte, p->cap_pte * sizeof(*n), cap * sizeof(*n));
		if (!n) {
			o->oom = true;
			return;
		}
		p->pte = n;
		p->cap_pte = cap;
	}
	while (i > 0 && p->pte[i - 1].vpn > vpn) {
		p->pte[i] = p->pte[i - 1];
		i--;
	}
	p->pte[i] = (struct ofault_pte){ vpn, page, rw };
	p->npte++;
}

static void pte_del(struct ofault *o, struct ofault_proc *p, uint64_t vpn)
{
	for (uint32_t i = 0; i < p->npte; i++) {
		if (p->pte[i].vpn != vpn)
			continue;
		if (p->pte[i].page != OFAULT_ZERO) {
			o->pages[p->pte[i].page].maps--;
			page_drop(o, p->pte[i].page);
		}
		memmove(&p->pte[i], &p->pte[i + 1], (p->npte - i - 1) * sizeof(*p->pte));
		p->npte--;
		return;
	}
}

uint64_t ofault_anon_rss(const struct ofault_proc *p)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < p->npte; i++)
		n += p->pte[i].page != OFAULT_ZERO;
	return n;
}

const struct ofault_vma *ofault_find_vma(const struct ofault_proc *p, uint64_t va)
{
	for (uint32_t i = 0; i < p->nvma; i++)
		if (p->vma[i].start <= va && va < p->vma[i].end)
			return &p->vma[i];
	return NULL;
}

static bool any_vma_in(const struct ofault_proc *p, uint64_t s, uint64_t e)
{
	for (uint32_t i = 0; i < p->nvma; i++)
		if (p->vma[i].start < e && p->vma[i].end > s)
			return true;
	return false;
}

/* ---- processes ----------------------------------------------------------------- */

static struct ofault_proc *proc_new(struct ofault *o)
{
	struct ofault_proc *p;
	if (o->nproc == o->cap_proc) {
		uint32_t cap = o->cap_proc ? o->cap_proc * 2 : 8;
		struct ofault_proc *n = props_blk_grow(o->proc, o->cap_proc * sizeof(*n), cap * sizeof(*n));
		if (!n) {
			o->oom = true;
			return NULL;
		}
		o->proc = n;
		o->cap_proc = cap;
	}
	p = &o->proc[o->nproc];
	memset(p, 0, sizeof(*p));
	p->table = props_blk_alloc(o->nspans, true);
	if (!p->table)
		o->oom = true;
	return p;
}

/* The pgd (and PAE's PMDs): all or none. */
static bool pgd_alloc(struct ofault *o)
{
	for (unsigned i = 0; i < o->pgd_allocs; i++) {
		if (!attempt(o)) {
			return false; /* the ones before are given back */
		}
	}
	o->used += o->pgd_pages;
	return true;
}

int ofault_mm_alloc(struct ofault *o, uint32_t *id)
{
	struct ofault_proc *p = proc_new(o);
	if (!p || o->oom)
		return -ENOMEM;
	if (!pgd_alloc(o)) {
		proc_blocks_free(o, p);
		return -ENOMEM;
	}
	p->live = true;
	*id = o->nproc++;
	return 0;
}

static void proc_teardown(struct ofault *o, struct ofault_proc *p)
{
	while (p->npte)
		pte_del(o, p, p->pte[p->npte - 1].vpn);
	o->used -= p->ntables + o->pgd_pages;
	memset(p->table, 0, o->nspans);
	p->ntables = 0;
	p->nvma = 0;
	p->live = false;
}

int ofault_exit(struct ofault *o, uint32_t id)
{
	struct ofault_proc *p;
	if (ofault_id_check(o, id))
		return -EINVAL;
	p = &o->proc[id];
	proc_teardown(o, p);
	props_blk_free(p->vma, p->cap_vma * sizeof(*p->vma));
	p->vma = NULL;
	p->cap_vma = 0;
	return 0;
}

int ofault_fork(struct ofault *o, uint32_t parent, uint32_t *child)
{
	struct ofault_proc *c, *p;
	if (ofault_id_check(o, parent))
		return -EINVAL;
	c = proc_new(o);
	if (!c || o->oom)
		return -ENOMEM;
	p = &o->proc[parent];
	if (!pgd_alloc(o)) {
		proc_blocks_free(o, c);
		return -ENOMEM;
	}
	c->live = true;
	c->cap_vma = p->nvma ? p->nvma : 1;
	c->vma = props_blk_alloc(c->cap_vma * sizeof(*c->vma), false);
	if (!c->vma) {
		c->cap_vma = 0;
		proc_blocks_free(o, c);
		o->oom = true;
		return -ENOMEM;
	}
	if (p->nvma)
		memcpy(c->vma, p->vma, p->nvma * sizeof(*c->vma));
	c->nvma = p->nvma;
	for (uint32_t i = 0; i < p->nvma; i++) {
		const struct ofault_vma v = p->vma[i];
		for (uint64_t a = v.start; a < v.end;) {
			uint64_t span = (uint64_t)1 << o->span_shift;
			uint64_t next = (a & ~(span - 1)) + span;
			uint32_t s = (uint32_t)(a >> o->span_shift);
			bool any = false;
			if (next > v.end)
				next = v.end;
			{
				/* a span without an entry gets no table: on at once to
				 * the span of the VMA's next entry (none: done) */
				uint64_t first = UINT64_MAX;
				for (uint32_t k = 0; k < p->npte; k++) {
					const uint64_t va = p->pte[k].vpn * OFAULT_PAGE;
					if (va >= a && va < v.end && va < first)
						first = va;
				}
				if (first == UINT64_MAX)
					break;
				if (first >= next) {
					a = first & ~(span - 1);
					continue;
				}
			}
			for (uint32_t k = 0; k < p->npte; k++)
				any |= p->pte[k].vpn >= a / OFAULT_PAGE && p->pte[k].vpn < next / OFAULT_PAGE;
			if (any && !c->table[s]) {
				if (!attempt(o)) {
					proc_teardown(o, c);
					proc_blocks_free(o, c);
					return -ENOMEM;
				}
				c->table[s] = 1;
				c->ntables++;
				o->used++;
			}
			for (uint32_t k = 0; any && k < p->npte; k++) {
				struct ofault_pte *e = &p->pte[k];
				if (e->vpn < a / OFAULT_PAGE || e->vpn >= next / OFAULT_PAGE)
					continue;
				e->rw = false;
				if (e->page != OFAULT_ZERO)
					o->pages[e->page].maps++;
				pte_add(o, c, e->vpn, e->page, false);
				e = &p->pte[k]; /* c != p: p's array did not move */
			}
			a = next;
		}
	}
	*child = o->nproc++;
	return 0;
}

/* ---- VMAs -------------------------------------------------------------------- */

static void vma_set(struct ofault *o, struct ofault_proc *p, uint64_t s, uint64_t e, int prot)
{
	/* rebuild: pieces outside [s, e) keep their prot; inside get prot or go */
	const uint32_t cap = p->nvma * 2 + 2;
	struct ofault_vma *n = props_blk_alloc(cap * sizeof(*n), false);
	uint32_t k = 0;
	if (!n) {
		o->oom = true;
		return;
	}
	for (uint32_t i = 0; i < p->nvma; i++) {
		struct ofault_vma v = p->vma[i];
		if (v.end <= s || v.start >= e) {
			n[k++] = v;
			continue;
		}
		if (v.start < s)
			n[k++] = (struct ofault_vma){ v.start, s, v.prot };
		if (prot >= 0)
			n[k++] = (struct ofault_vma){ v.start > s ? v.start : s, v.end < e ? v.end : e,
						  (uint32_t)prot };
		if (v.end > e)
			n[k++] = (struct ofault_vma){ e, v.end, v.prot };
	}
	props_blk_free(p->vma, p->cap_vma * sizeof(*p->vma));
	p->vma = n;
	p->nvma = k;
	p->cap_vma = cap;
}

static void vma_add(struct ofault *o, struct ofault_proc *p, uint64_t s, uint64_t e, uint32_t prot)
{
	const uint32_t cap = p->nvma + 1;
	struct ofault_vma *n = props_blk_alloc(cap * sizeof(*n), false);
	uint32_t k = 0, i = 0;
	if (!n) {
		o->oom = true;
		return;
	}
	for (; i < p->nvma && p->vma[i].start < s; i++)
		n[k++] = p->vma[i];
	n[k++] = (struct ofault_vma){ s, e, prot };
	for (; i < p->nvma; i++)
		n[k++] = p->vma[i];
	props_blk_free(p->vma, p->cap_vma * sizeof(*p->vma));
	p->vma = n;
	p->nvma = k;
	p->cap_vma = cap;
}

static void unmap(struct ofault *o, struct ofault_proc *p, uint64_t s, uint64_t e)
{
	uint64_t span = (uint64_t)1 << o->span_shift;
	vma_set(o, p, s, e, -1);
	for (uint32_t i = p->npte; i-- > 0;)
		if (i < p->npte && p->pte[i].vpn >= s / OFAULT_PAGE && p->pte[i].vpn < e / OFAULT_PAGE)
			pte_del(o, p, p->pte[i].vpn);
	for (uint64_t a = s & ~(span - 1); a < e; a += span) {
		uint32_t idx = (uint32_t)(a >> o->span_shift);
		if (p->table[idx] && !any_vma_in(p, a, a + span)) {
			p->table[idx] = 0;
			p->ntables--;
			o->used--;
		}
	}
}

static bool range_free(const struct ofault_proc *p, uint64_t s, uint64_t len)
{
	return !any_vma_in(p, s, s + len);
}

/* The contract of get_unmapped_area, tried candidate by candidate. */
static uint64_t find_area(const struct ofault *o, const struct ofault_proc *p, uint64_t hint, uint64_t len)
{
	const uint64_t top = o->task_size, base = top - (128ull << 20);
	uint64_t best = 0;
	bool found = false;
	if (hint >= OFAULT_MIN_ADDR && hint + len <= top && range_free(p, hint, len))
		return hint;
	/* top-down: the highest gap end at or below base that fits */
	for (uint32_t i = 0; i <= p->nvma; i++) {
		uint64_t hi = i < p->nvma ? p->vma[i].start : base;
		if (hi > base)
			hi = base;
		if (hi < len || hi - len < OFAULT_MIN_ADDR || !range_free(p, hi - len, len))
			continue;
		if (!found || hi - len > best)
			best = hi - len;
		found = true;
	}
	if (found)
		return best;
	/* bottom-up above base: the lowest gap start that fits */
	for (uint32_t i = 0; i <= p->nvma; i++) {
		uint64_t lo = i < p->nvma ? p->vma[i].end : base;
		if (lo < base)
			lo = base;
		if (lo + len > top || !range_free(p, lo, len))
			continue;
		if (!found || lo < best)
			best = lo;
		found = true;
	}
	return found ? best : 0;
}

int ofault_mmap(struct ofault *o, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
	    uint64_t *out)
{
	struct ofault_proc *p;
	if (ofault_id_check(o, id))
		return -EINVAL;
	p = &o->proc[id];
	if (!len || prot > 7)
		return -EINVAL;
	if (len > UINT64_MAX - (OFAULT_PAGE - 1))
		return -ENOMEM;
	len = (len + OFAULT_PAGE - 1) / OFAULT_PAGE * OFAULT_PAGE;
	if (len > o->task_size)
		return -ENOMEM;
	if (fixed) {
		if (addr % OFAULT_PAGE)
			return -EINVAL;
		if (addr > o->task_size - len)
			return -ENOMEM;
		if (addr < OFAULT_MIN_ADDR)
			return -EPERM;
		unmap(o, p, addr, addr + len);
	} else {
		addr = addr > UINT64_MAX - (OFAULT_PAGE - 1) ? UINT64_MAX
							 : (addr + OFAULT_PAGE - 1) / OFAULT_PAGE * OFAULT_PAGE;
		if (!(addr = find_area(o, p, addr > o->task_size ? 0 : addr, len)))
			return -ENOMEM;
	}
	vma_add(o, p, addr, addr + len, prot);
	*out = addr;
	return 0;
}

/* munmap/mprotect's range checks. */
static int range_ok(const struct ofault *o, uint64_t addr, uint64_t len, uint64_t *end)
{
	uint64_t rl;
	if (addr % OFAULT_PAGE || len > UINT64_MAX - (OFAULT_PAGE - 1))
		return -EINVAL;
	rl = (len + OFAULT_PAGE - 1) / OFAULT_PAGE * OFAULT_PAGE;
	if (addr > o->task_size || rl > o->task_size - addr)
		return -EINVAL;
	*end = addr + rl;
	return 0;
}

int ofault_munmap(struct ofault *o, uint32_t id, uint64_t addr, uint64_t len)
{
	uint64_t end;
	int ret;
	if (ofault_id_check(o, id) || !len)
		return -EINVAL;
	if ((ret = range_ok(o, addr, len, &end)))
		return ret;
	unmap(o, &o->proc[id], addr, end);
	return 0;
}

int ofault_mprotect(struct ofault *o, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot)
{
	struct ofault_proc *p;
	uint64_t end;
	if (ofault_id_check(o, id))
		return -EINVAL;
	p = &o->proc[id];
	if (prot > 7 || range_ok(o, addr, len, &end))
		return -EINVAL;
	if (!len)
		return 0;
	/* every page of the range in some VMA: from each VMA found, on at its
	 * end (VMAs never overlap), not page by page over up to 1 GiB */
	for (uint64_t a = addr; a < end;) {
		const struct ofault_vma *v = ofault_find_vma(p, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	vma_set(o, p, addr, end, (int)prot);
	for (uint32_t i = 0; i < p->npte; i++)
		if (p->pte[i].vpn >= addr / OFAULT_PAGE && p->pte[i].vpn < end / OFAULT_PAGE)
			p->pte[i].rw = false;
	return 0;
}

/* ---- faults -------------------------------------------------------------------- */

/* The VMA checks of a user access of [addr, addr + len). */
static int access_ok(const struct ofault *o, const struct ofault_proc *p, uint64_t addr, uint64_t len,
		     bool write)
{
	if (addr + len < addr || addr + len > o->task_size)
		return -EFAULT;
	for (uint64_t a = addr / OFAULT_PAGE * OFAULT_PAGE; a < addr + len;) {
		const struct ofault_vma *v = ofault_find_vma(p, a);
		if (!v || !v->prot || (write && !(v->prot & 2)))
			return -EFAULT;
		a = v->end; /* the VMA's other pages pass the same test */
	}
	return 0;
}

/* The fault handler for the page holding va: 0 or -ENOMEM; *page mapped. */
static int fault(struct ofault *o, struct ofault_proc *p, uint64_t va, bool write, uint32_t *page)
{
	uint32_t s = (uint32_t)(va >> o->span_shift);
	struct ofault_pte *e;
	if (!p->table[s]) {
		if (!attempt(o))
			return -ENOMEM;
		p->table[s] = 1;
		p->ntables++;
		o->used++;
	}
	e = pte_get(p, va / OFAULT_PAGE);
	if (!e) {
		if (!write && o->zero_page) {
			pte_add(o, p, va / OFAULT_PAGE, OFAULT_ZERO, false);
			*page = OFAULT_ZERO;
			return 0;
		}
		if (!attempt(o))
			return -ENOMEM;
		*page = page_new(o, NULL);
		pte_add(o, p, va / OFAULT_PAGE, *page, (ofault_find_vma(p, va)->prot & 2) != 0);
		return 0;
	}
	*page = e->page;
	if (!write || e->rw)
		return 0;
	if (e->page == OFAULT_ZERO) {
		if (!attempt(o))
			return -ENOMEM;
		e->page = *page = page_new(o, NULL);
		e->rw = true;
		return 0;
	}
	{
		struct ofault_page *pg = &o->pages[e->page];
		bool reuse = o->reuse_refcount ? pg->maps + pg->pins == 1 : pg->maps == 1;
		uint32_t old = e->page, n;
		if (reuse) {
			e->rw = true;
			return 0;
		}
		if (!attempt(o))
			return -ENOMEM;
		n = page_new(o, pg->data); /* may move o->pages */
		e->page = *page = n;
		e->rw = true;
		o->pages[old].maps--;
		page_drop(o, old);
	}
	return 0;
}

int ofault_read(struct ofault *o, uint32_t id, uint64_t addr, uint8_t *buf, size_t len)
{
	struct ofault_proc *p;
	int ret;
	if (ofault_id_check(o, id))
		return -EINVAL;
	p = &o->proc[id];
	if (!len)
		return 0;
	if ((ret = access_ok(o, p, addr, len, false)))
		return ret;
	while (len) {
		uint64_t off = addr % OFAULT_PAGE;
		size_t n = len < OFAULT_PAGE - off ? len : (size_t)(OFAULT_PAGE - off);
		uint32_t page;
		if ((ret = fault(o, p, addr - off, false, &page)))
			return ret;
		if (page == OFAULT_ZERO || !o->pages[page].data)
			memset(buf, 0, n);
		else
			memcpy(buf, o->pages[page].data + off, n);
		buf += n;
		addr += n;
		len -= n;
	}
	return 0;
}

int ofault_write(struct ofault *o, uint32_t id, uint64_t addr, const uint8_t *buf, size_t len)
{
	struct ofault_proc *p;
	int ret;
	if (ofault_id_check(o, id))
		return -EINVAL;
	p = &o->proc[id];
	if (!len)
		return 0;
	if ((ret = access_ok(o, p, addr, len, true)))
		return ret;
	while (len) {
		uint64_t off = addr % OFAULT_PAGE;
		size_t n = len < OFAULT_PAGE - off ? len : (size_t)(OFAULT_PAGE - off);
		uint32_t page;
		struct ofault_page *pg;
		if ((ret = fault(o, p, addr - off, true, &page)))
			return ret;
		pg = &o->pages[page];
		if (!pg->data && !(pg->data = props_blk_alloc(OFAULT_PAGE, true))) {
			o->oom = true;
			return -ENOMEM;
		}
		memcpy(pg->data + off, buf, n);
		buf += n;
		addr += n;
		len -= n;
	}
	return 0;
}

int ofault_pin(struct ofault *o, uint32_t id, uint64_t addr, bool write, uint32_t *page)
{
	struct ofault_proc *p;
	int ret;
	if (ofault_id_check(o, id))
		return -EINVAL;
	p = &o->proc[id];
	if ((ret = access_ok(o, p, addr, 1, write)))
		return ret;
	if ((ret = fault(o, p, addr / OFAULT_PAGE * OFAULT_PAGE, write, page)))
		return ret;
	if (*page != OFAULT_ZERO)
		o->pages[*page].pins++;
	return 0;
}

void ofault_unpin(struct ofault *o, uint32_t page)
{
	if (page == OFAULT_ZERO)
		return;
	o->pages[page].pins--;
	page_drop(o, page);
}

int ofault_put_last(struct ofault *o, uint32_t page)
{
	const struct ofault_page *pg;
	if (page == OFAULT_ZERO || page >= o->npages)
		return 1;
	pg = &o->pages[page];
	if (!pg->live || pg->maps + pg->pins != 1)
		return 1;
	props_expect_report(o->expect, MM_STAGE_PAGE_ALLOC, MM_REPORT_BAD_PAGE);
	return -EINVAL;
}
