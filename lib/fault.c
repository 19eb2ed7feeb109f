/*
 * Processes and the anonymous page-fault path (mm/mmap.c, mm/mprotect.c,
 * mm/memory.c's do_anonymous_page and do_wp_page, kernel/fork.c's dup_mm,
 * mm/gup.c's pin/unpin).
 *
 * A process is an mm: a pgd and a sorted array of VMAs (anonymous private
 * only). A user access checks the VMAs (the SIGSEGV cases: -EFAULT, nothing
 * changed), then per page walks the tables as the MMU would and, where the
 * entry does not allow the access, runs the fault handler: a missing entry
 * gets the zero page (read, MM_FEAT_ZERO_PAGE) or a zeroed private page; a
 * write to a read-only entry gets a new page (zero page), the same page made
 * writable (exclusive: mapcount == 1, or refcount == 1 under
 * MM_FEAT_REUSE_REFCOUNT) or a copy.
 *
 * Departures: no VMA merging, no anon_vma/rmap chains (page->mapping only
 * marks a page anonymous), no swap, no LRU; the mm and its VMAs are host
 * memory. fork copies a PTE table only where the parent has a mapped entry
 * (the kernel also copies empty tables). The zero page is taken from the page
 * allocator by mm_fault_init (the kernel's comes from the image or bootmem
 * in paging_init) and held forever. Pinning the zero page takes no
 * reference, as in kernels since 6.5.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct fvma {
	uint64_t start, end; /* [start, end), page aligned */
	uint32_t prot;       /* MM_PROT_* */
};

struct fmm {
	bool live;
	mm_pfn_t pgd;
	struct fvma *vma;
	uint32_t nr_vma, cap_vma;
	uint64_t rss_anon; /* MM_ANONPAGES */
	uint64_t nr_ptes;  /* PTE table pages */
};

struct fpin {
	mm_pfn_t pfn;
	uint32_t count;
};

struct mm_fault_state {
	bool ready;
	mm_pfn_t zero_pfn;
	bool boot_zero, have_swapper; /* set by paging_init */
	mm_pfn_t boot_zero_pfn, swapper;
	struct fmm *mm;
	uint32_t nr_mm, cap_mm;
	struct fpin *pin;
	uint32_t nr_pin, cap_pin;
};

/* ---- table of contents ----------------------------------------------- */
/* The live process id, or NULL with an INVALID_ARG report. */
static struct fmm *get_mm(struct mm_machine *m, uint32_t id, const char *what);
/* Index of the VMA holding va, or -1. */
static int find_vma(const struct fmm *mm, uint64_t va);
/* Does every page of [s, e) lie in a VMA allowing the access? */
static bool access_ok_vmas(const struct fmm *mm, uint64_t s, uint64_t e, bool write);
/* The leaf entry address of va: -ENOENT without a table (alloc false),
 * -ENOMEM, -EFAULT on a bad upper entry (reported). */
static int pte_lookup(struct mm_machine *m, struct fmm *mm, uint64_t va, bool alloc,
		      mm_phys_addr_t *ptep);
static void report_bad_pmd(struct mm_machine *m, uint64_t va, mm_phys_addr_t pmdp);
/* A fault's leaf entry: its address, and its table page's host frame
 * looked up once (NULL while nothing was written to the table page). */
struct fpte {
	mm_phys_addr_t ptep;
	uint8_t *frame;
	unsigned idx;
};
/* handle_mm_fault for one page; *pfn the page now mapped; *data its host
 * frame when the handler has it at hand (a COW copy), else NULL. */
static int fault_one(struct mm_machine *m, struct fmm *mm, uint64_t va, bool write, mm_pfn_t *pfn,
		     uint8_t **data);
static int do_anonymous_page(struct mm_machine *m, struct fmm *mm, const struct fvma *v,
			     struct fpte *e, bool write, mm_pfn_t *pfn);
static int do_wp_page(struct mm_machine *m, struct fmm *mm, struct fpte *e, mm_pfn_t old,
		      struct mm_page *oldp, uint32_t flags, mm_pfn_t *pfn, uint8_t **data);
/* A zeroed (or, with copy_from, copied: *data its frame) anonymous page. */
static int new_anon_page(struct mm_machine *m, mm_pfn_t copy_from, bool copy, mm_pfn_t *pfn,
			 uint8_t **data);
/* Drop one reference of an anonymous page, freeing it on the last. */
static void anon_put(struct mm_machine *m, mm_pfn_t pfn);
static void anon_put_page(struct mm_machine *m, struct mm_page *p, mm_pfn_t pfn);
/* Unmap every entry of [s, e); free the PTE tables no VMA needs any more. */
static void zap_range(struct mm_machine *m, struct fmm *mm, uint64_t s, uint64_t e);
static void free_pgtables(struct mm_machine *m, struct fmm *mm, uint64_t s, uint64_t e);
/* Replace the VMAs' cover of [s, e) by nothing (prot < 0) or by prot. */
static int vma_rewrite(struct fmm *mm, uint64_t s, uint64_t e, int prot);
static int vma_insert(struct fmm *mm, uint64_t s, uint64_t e, uint32_t prot);
static void mm_teardown(struct mm_machine *m, struct fmm *mm);

#define PROT_ALL (MM_PROT_READ | MM_PROT_WRITE | MM_PROT_EXEC)
#define USER_PTE (MM_PTE_PRESENT | MM_PTE_USER | MM_PTE_ACCESSED)

static uint64_t task_size(const struct mm_machine *m) { return mm_pgt_geom(m)->task_size; }
static uint64_t span_size(const struct mm_machine *m)
{
	return (uint64_t)1 << mm_pgt_geom(m)->pte_span_shift;
}
static bool prot_readable(uint32_t prot) { return (prot & PROT_ALL) != 0; }
static bool prot_writable(uint32_t prot) { return (prot & MM_PROT_WRITE) != 0; }

/* ---- life cycle ------------------------------------------------------- */

int mm_fault_state_init(struct mm_machine *m)
{
	/* the walks' geometry, looked up once (see struct mm_machine) */
	m->pgt_geom = mm_pgt_geom_of_profile(m->cfg.profile);
	m->fault = mm_state_zalloc(m, sizeof(*m->fault));
	return m->fault ? 0 : -ENOMEM;
}

void mm_fault_state_destroy(struct mm_machine *m)
{
	struct mm_fault_state *st = m->fault;
	if (!st)
		return;
	for (uint32_t i = 0; i < st->nr_mm; i++)
		mm_host_free(st->mm[i].vma, st->mm[i].cap_vma * sizeof(*st->mm[i].vma));
	mm_host_free(st->mm, st->cap_mm * sizeof(*st->mm));
	mm_host_free(st->pin, st->cap_pin * sizeof(*st->pin));
	mm_state_free(m, st);
	m->fault = NULL;
}

void mm_fault_set_boot_zero_page(struct mm_machine *m, mm_pfn_t pfn)
{
	m->fault->boot_zero = true;
	m->fault->boot_zero_pfn = pfn;
}

void mm_pgt_set_swapper(struct mm_machine *m, mm_pfn_t swapper)
{
	m->fault->have_swapper = true;
	m->fault->swapper = swapper;
}

bool mm_pgt_swapper(const struct mm_machine *m, mm_pfn_t *swapper)
{
	*swapper = m->fault->swapper;
	return m->fault->have_swapper;
}

bool mm_fault_is_zero_pfn(const struct mm_machine *m, mm_pfn_t pfn)
{
	return m->fault && m->fault->ready && m->fault->zero_pfn == pfn;
}

int mm_fault_init(struct mm_machine *m)
{
	struct mm_fault_state *st;
	struct mm_page *p;
	mm_pfn_t pfn;
	int ret;

	if (!m)
		return -EINVAL;
	st = m->fault;
	if (st->ready)
		return -EEXIST;
	if (st->boot_zero) {
		/* paging_init's page of the image: reserved, already zeroed */
		if (!(p = mm_pfn_to_page(m, st->boot_zero_pfn))) {
			mm_report(m, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG, st->boot_zero_pfn,
				  "fault_init: the zero page pfn %#llx has no struct page",
				  (unsigned long long)st->boot_zero_pfn);
			return -EINVAL;
		}
		p->flags |= MM_PG_ZERO;
		st->zero_pfn = st->boot_zero_pfn;
		st->ready = true;
		return 0;
	}
	ret = mm_alloc_pages(m, MM_GFP_KERNEL | MM_GFP_ZERO, 0, &pfn);
	if (ret)
		return ret == -EINVAL ? -EINVAL : -ENOMEM;
	p = mm_pfn_to_page(m, pfn);
	p->flags |= MM_PG_ZERO;
	st->zero_pfn = pfn;
	st->ready = true;
	return 0;
}

int mm_zero_page_pfn(struct mm_machine *m, mm_pfn_t *out)
{
	if (!m || !out || !m->fault->ready)
		return -EINVAL;
	*out = m->fault->zero_pfn;
	return 0;
}

static struct fmm *get_mm(struct mm_machine *m, uint32_t id, const char *what)
{
	struct mm_fault_state *st = m->fault;
	if (id < st->nr_mm && st->mm[id].live)
		return &st->mm[id];
	mm_report(m, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG, id, "%s: no process %u", what, id);
	return NULL;
}

/* ---- VMAs ------------------------------------------------------------- */

static int find_vma(const struct fmm *mm, uint64_t va)
{
	uint32_t lo = 0, hi = mm->nr_vma;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mm->vma[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mm->nr_vma && mm->vma[lo].start <= va ? (int)lo : -1;
}

/* Does any VMA intersect [s, e)? */
static bool vma_intersects(const struct fmm *mm, uint64_t s, uint64_t e)
{
	uint32_t lo = 0, hi = mm->nr_vma;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (mm->vma[mid].end <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mm->nr_vma && mm->vma[lo].start < e;
}

static bool access_ok_vmas(const struct fmm *mm, uint64_t s, uint64_t e, bool write)
{
	for (uint64_t a = s; a < e;) {
		int i = find_vma(mm, a);
		if (i < 0 || !prot_readable(mm->vma[i].prot) ||
		    (write && !prot_writable(mm->vma[i].prot)))
			return false;
		a = mm->vma[i].end;
	}
	return true;
}

static bool vma_reserve(struct fmm *mm, uint32_t n)
{
	struct fvma *v;
	uint32_t cap;
	if (n <= mm->cap_vma)
		return true;
	cap = mm->cap_vma ? mm->cap_vma : 4;
	while (cap < n)
		cap *= 2;
	v = mm_host_grow(mm->vma, mm->cap_vma * sizeof(*v), cap * sizeof(*v));
	if (!v)
		return false;
	mm->vma = v;
	mm->cap_vma = cap;
	return true;
}

static int vma_insert(struct fmm *mm, uint64_t s, uint64_t e, uint32_t prot)
{
	uint32_t i = 0;
	if (mm->nr_vma >= MM_MAX_MAP_COUNT || !vma_reserve(mm, mm->nr_vma + 1))
		return -ENOMEM;
	while (i < mm->nr_vma && mm->vma[i].start < s)
		i++;
	memmove(&mm->vma[i + 1], &mm->vma[i], (mm->nr_vma - i) * sizeof(*mm->vma));
	mm->vma[i] = (struct fvma){ .start = s, .end = e, .prot = prot };
	mm->nr_vma++;
	return 0;
}

static int vma_rewrite(struct fmm *mm, uint64_t s, uint64_t e, int prot)
{
	uint32_t n = 0, out = 0;
	struct fvma *nv;
	for (uint32_t i = 0; i < mm->nr_vma; i++) {
		const struct fvma *v = &mm->vma[i];
		bool hit = v->start < e && v->end > s;
		n += 1 + (hit && v->start < s) + (hit && v->end > e) - (hit && prot < 0);
	}
	if (n > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	nv = mm_host_alloc((n ? n : 1) * sizeof(*nv), false);
	if (!nv)
		return -ENOMEM;
	for (uint32_t i = 0; i < mm->nr_vma; i++) {
		const struct fvma v = mm->vma[i];
		if (v.end <= s || v.start >= e) {
			nv[out++] = v;
			continue;
		}
		if (v.start < s)
			nv[out++] = (struct fvma){ v.start, s, v.prot };
		if (prot >= 0)
			nv[out++] = (struct fvma){ MM_MAX(v.start, s), MM_MIN(v.end, e), (uint32_t)prot };
		if (v.end > e)
			nv[out++] = (struct fvma){ e, v.end, v.prot };
	}
	mm_host_free(mm->vma, mm->cap_vma * sizeof(*mm->vma));
	mm->vma = nv;
	mm->nr_vma = out;
	mm->cap_vma = n ? n : 1;
	return 0;
}

/* ---- tables and pages -------------------------------------------------- */

static int pte_lookup(struct mm_machine *m, struct fmm *mm, uint64_t va, bool alloc,
		      mm_phys_addr_t *ptep)
{
	mm_phys_addr_t pmdp;
	mm_pfn_t table;
	int ret = mm_pmd_offset(m, mm->pgd, va, &pmdp);
	if (ret)
		return ret;
	ret = mm_pmd_table(m, pmdp, &table);
	if (ret < 0) {
		report_bad_pmd(m, va, pmdp);
		return -EFAULT;
	}
	if (ret == 0) {
		if (!alloc)
			return -ENOENT;
		if ((ret = mm_pte_alloc(m, pmdp, &table)))
			return ret;
		mm->nr_ptes++;
	}
	*ptep = mm_pte_addr(m, table, va);
	return 0;
}

/* pte_lookup for the fault handler, with the PTE table's frame and the
 * entry's index: one walk call (mm_pte_offset_map) where the table exists. */
static int pte_map(struct mm_machine *m, struct fmm *mm, uint64_t va, struct fpte *e)
{
	struct mm_pte_loc loc;
	int ret = mm_pte_offset_map(m, mm->pgd, va, &loc);
	if (ret == 1) {
		e->ptep = loc.ptep;
		e->frame = loc.frame;
		e->idx = loc.idx;
		return 0;
	}
	if (ret == -1) {
		report_bad_pmd(m, va, loc.pmdp);
		return -EFAULT;
	}
	if (ret)
		return ret; /* a bad PDPT entry, reported */
	if ((ret = pte_lookup(m, mm, va, true, &e->ptep)))
		return ret;
	e->frame = mm_phys_frame(m, MM_PFN_DOWN(e->ptep), false);
	/* the entry's index in its table, as mm_pte_addr placed it (no divide) */
	e->idx = (unsigned)((va >> MM_PAGE_SHIFT) & (mm_pgt_geom(m)->ptrs_per_pte - 1));
	return 0;
}

static int new_anon_page(struct mm_machine *m, mm_pfn_t copy_from, bool copy, mm_pfn_t *pfn,
			 uint8_t **data)
{
	struct mm_page *p = mm_alloc_page(m, MM_GFP_HIGHUSER | (copy ? 0 : MM_GFP_ZERO));
	if (!p)
		return -ENOMEM;
	*pfn = p->pfn;
	if (copy) {
		const uint8_t *src = mm_phys_frame(m, copy_from, false);
		if (!src) {
			mm_phys_zero(m, MM_PFN_PHYS(*pfn), MM_PAGE_SIZE);
		} else {
			/* straight from the source frame: one memcpy, no zeroing */
			if (!(*data = mm_phys_frame_copy(m, *pfn, src))) {
				mm_free_pages(m, *pfn, 0);
				return -ENOMEM;
			}
		}
	}
	/* page_add_new_anon_rmap: one mapping, anonymous */
	p->flags |= MM_PG_ANON;
	p->mapping = 1;
	p->mapcount = 0;
	return 0;
}

static void anon_put(struct mm_machine *m, mm_pfn_t pfn)
{
	anon_put_page(m, mm_pfn_to_page(m, pfn), pfn);
}

/* anon_put with pfn's struct page at hand (the COW path has it). */
static void anon_put_page(struct mm_machine *m, struct mm_page *p, mm_pfn_t pfn)
{
	if (p->refcount == 1) {
		/* free_pages_prepare: an anonymous page leaves its mapping */
		p->mapping = 0;
		p->flags &= ~MM_PG_ANON;
	}
	mm_put_page_of(m, p, pfn);
}

/* ---- the fault handler ------------------------------------------------- */

static void fpte_set(struct mm_machine *m, struct fpte *e, mm_pfn_t pfn, uint32_t flags)
{
	/* the call stays outside NEVER(): a coverage build compiles NEVER(x) to 0
	 * without evaluating x */
	if (!e->frame)
		e->frame = mm_phys_table_frame(m, MM_PFN_DOWN(e->ptep));
	if (NEVER(!e->frame))
		return; /* host out of memory */
	mm_pgt_entry_set(m, e->frame, e->idx, mm_pte_encode(m, pfn, flags));
}

static int do_anonymous_page(struct mm_machine *m, struct fmm *mm, const struct fvma *v,
			     struct fpte *e, bool write, mm_pfn_t *pfn)
{
	uint32_t f = USER_PTE;
	int ret;
	if (!write && (m->cfg.features & MM_FEAT_ZERO_PAGE)) {
		*pfn = m->fault->zero_pfn;
		fpte_set(m, e, *pfn, USER_PTE | MM_PTE_SPECIAL);
		return 0;
	}
	if ((ret = new_anon_page(m, 0, false, pfn, NULL)))
		return ret;
	if (prot_writable(v->prot))
		f |= MM_PTE_RW | MM_PTE_DIRTY;
	fpte_set(m, e, *pfn, f);
	mm->rss_anon++;
	return 0;
}

/* The reuse rule of do_wp_page for an anonymous page. */
static bool wp_can_reuse(const struct mm_machine *m, const struct mm_page *p)
{
	if (m->cfg.features & MM_FEAT_REUSE_REFCOUNT)
		return p->refcount == 1;
	return p->mapcount == 0;
}

static int do_wp_page(struct mm_machine *m, struct fmm *mm, struct fpte *e, mm_pfn_t old,
		      struct mm_page *oldp, uint32_t flags, mm_pfn_t *pfn, uint8_t **data)
{
	const uint32_t wflags = USER_PTE | MM_PTE_RW | MM_PTE_DIRTY;
	int ret;

	if (old == m->fault->zero_pfn) {
		if ((ret = new_anon_page(m, 0, false, pfn, NULL)))
			return ret;
		fpte_set(m, e, *pfn, wflags);
		mm->rss_anon++;
		return 0;
	}
	if (wp_can_reuse(m, oldp)) {
		*pfn = old;
		fpte_set(m, e, old, flags | wflags);
		return 0;
	}
	if ((ret = new_anon_page(m, old, true, pfn, data)))
		return ret;
	fpte_set(m, e, *pfn, wflags);
	oldp->mapcount--;
	anon_put_page(m, oldp, old);
	return 0;
}

/* A mapped entry's target must be the zero page or an anonymous page
 * (*page: its struct page, or NULL for the zero page). */
static bool pte_target_page(struct mm_machine *m, mm_pfn_t pfn, uint32_t f, struct mm_page **page)
{
	struct mm_page *p;
	*page = NULL;
	if (pfn == m->fault->zero_pfn)
		return (f & MM_PTE_SPECIAL) && !(f & MM_PTE_RW);
	p = mm_pfn_to_page(m, pfn);
	*page = p;
	return p && !(f & MM_PTE_SPECIAL) && (p->flags & MM_PG_ALLOCATED) &&
	       (p->flags & MM_PG_ANON) && p->mapcount >= 0;
}

static bool pte_target_ok(struct mm_machine *m, mm_pfn_t pfn, uint32_t f)
{
	struct mm_page *p;
	return pte_target_page(m, pfn, f, &p);
}

static int fault_one(struct mm_machine *m, struct fmm *mm, uint64_t va, bool write, mm_pfn_t *pfn,
		     uint8_t **data)
{
	struct fpte e;
	struct mm_page *p;
	uint32_t f;
	int ret = pte_map(m, mm, va, &e);
	if (ret)
		return ret;
	*data = NULL;
	f = mm_pte_decode(m, e.frame ? mm_pgt_entry_at(m, e.frame, e.idx) : 0, pfn);
	if (!f)
		return do_anonymous_page(m, mm, &mm->vma[find_vma(mm, va)], &e, write, pfn);
	if ((f & (MM_PTE_BAD | MM_PTE_PROTNONE)) || !pte_target_page(m, *pfn, f, &p)) {
		/* print_bad_pte: the VMA allows the access, the entry is junk */
		mm_report(m, MM_STAGE_FAULT, MM_REPORT_CORRUPTION, va, "Bad page map at %#llx: %016llx",
			  (unsigned long long)va, (unsigned long long)mm_pgt_read_raw(m, e.ptep));
		return -EFAULT;
	}
	if (write && !(f & MM_PTE_RW))
		return do_wp_page(m, mm, &e, *pfn, p, f, pfn, data);
	if ((f & (MM_PTE_ACCESSED | MM_PTE_DIRTY)) != (MM_PTE_ACCESSED | (write ? MM_PTE_DIRTY : 0)))
		fpte_set(m, &e, *pfn, f | MM_PTE_ACCESSED | (write ? MM_PTE_DIRTY : 0));
	return 0;
}

/* ---- user access ------------------------------------------------------- */

/* The checks every user access shares: -EINVAL (reported) for a bad id or
 * buffer, -EFAULT for a range outside user space or the VMAs. */
static int access_begin(struct mm_machine *m, uint32_t id, uint64_t addr, const void *buf,
			size_t len, bool write, struct fmm **out)
{
	const char *what = write ? "user_write" : "user_read";
	if (!m)
		return -EINVAL;
	if (!m->fault->ready) {
		mm_report(m, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG, 0, "%s: before fault_init", what);
		return -EINVAL;
	}
	if (!(*out = get_mm(m, id, what)))
		return -EINVAL;
	if (!buf && len) {
		mm_report(m, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG, 0, "%s: NULL buffer", what);
		return -EINVAL;
	}
	if (!len)
		return 0;
	if (addr + len < addr || addr + len > task_size(m))
		return -EFAULT; /* access_ok */
	if (!access_ok_vmas(*out, addr & MM_PAGE_MASK, mm_round_up(addr + len, MM_PAGE_SIZE), write))
		return -EFAULT; /* SIGSEGV */
	return 0;
}

int mm_user_read(struct mm_machine *m, uint32_t id, uint64_t addr, void *buf, size_t len)
{
	struct fmm *mm;
	uint8_t *out = buf;
	int ret = access_begin(m, id, addr, buf, len, false, &mm);
	while (!ret && len) {
		uint64_t off = addr & (MM_PAGE_SIZE - 1);
		size_t n = (size_t)MM_MIN((uint64_t)len, MM_PAGE_SIZE - off);
		mm_pfn_t pfn;
		uint8_t *f;
		if ((ret = fault_one(m, mm, addr - off, false, &pfn, &f)))
			break;
		if (!f)
			f = mm_phys_frame(m, pfn, false);
		if (f)
			memcpy(out, f + off, n);
		else
			memset(out, 0, n);
		out += n;
		addr += n;
		len -= n;
	}
	return ret;
}

int mm_user_write(struct mm_machine *m, uint32_t id, uint64_t addr, const void *buf, size_t len)
{
	struct fmm *mm;
	const uint8_t *in = buf;
	int ret = access_begin(m, id, addr, buf, len, true, &mm);
	while (!ret && len) {
		uint64_t off = addr & (MM_PAGE_SIZE - 1);
		size_t n = (size_t)MM_MIN((uint64_t)len, MM_PAGE_SIZE - off);
		mm_pfn_t pfn;
		uint8_t *f;
		if ((ret = fault_one(m, mm, addr - off, true, &pfn, &f)))
			break;
		if (!f && !(f = mm_phys_frame(m, pfn, true)))
			return -ENOMEM; /* the host backing cap */
		memcpy(f + off, in, n);
		in += n;
		addr += n;
		len -= n;
	}
	return ret;
}

/* ---- pins -------------------------------------------------------------- */

static struct fpin *pin_find(struct mm_fault_state *st, mm_pfn_t pfn)
{
	for (uint32_t i = 0; i < st->nr_pin; i++)
		if (st->pin[i].pfn == pfn)
			return &st->pin[i];
	return NULL;
}

int mm_get_user_pages(struct mm_machine *m, uint32_t id, uint64_t addr, bool write,
		      mm_pfn_t *pfn_out)
{
	struct mm_fault_state *st;
	struct fmm *mm;
	struct fpin *pin;
	mm_pfn_t pfn;
	uint8_t dummy = 0, *data;
	int ret = access_begin(m, id, addr, &dummy, 1, write, &mm);
	if (ret)
		return ret;
	if (!pfn_out) {
		mm_report(m, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG, 0, "get_user_pages: NULL out");
		return -EINVAL;
	}
	st = m->fault;
	if (!(pin = pin_find(st, MM_PFN_NONE)) && st->nr_pin == st->cap_pin) {
		uint32_t cap = st->cap_pin ? st->cap_pin * 2 : 8;
		struct fpin *np = mm_host_grow(st->pin, st->cap_pin * sizeof(*np), cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		st->pin = np;
		st->cap_pin = cap;
	}
	if ((ret = fault_one(m, mm, addr & MM_PAGE_MASK, write, &pfn, &data)))
		return ret;
	*pfn_out = pfn;
	if (pfn == st->zero_pfn)
		return 0;
	mm_pfn_to_page(m, pfn)->refcount++;
	if ((pin = pin_find(st, pfn)))
		pin->count++;
	else if ((pin = pin_find(st, MM_PFN_NONE)))
		*pin = (struct fpin){ pfn, 1 };
	else
		st->pin[st->nr_pin++] = (struct fpin){ pfn, 1 }; /* room made above */
	return 0;
}

int mm_unpin_user_page(struct mm_machine *m, mm_pfn_t pfn)
{
	struct fpin *pin;
	if (!m)
		return -EINVAL;
	if (mm_fault_is_zero_pfn(m, pfn))
		return 0;
	if (pfn == MM_PFN_NONE || !(pin = pin_find(m->fault, pfn))) {
		mm_report(m, MM_STAGE_FAULT, MM_REPORT_BAD_PAGE, pfn,
			  "unpin_user_page: pfn %#llx is not pinned", (unsigned long long)pfn);
		return -EINVAL;
	}
	if (--pin->count == 0)
		pin->pfn = MM_PFN_NONE;
	anon_put(m, pfn);
	return 0;
}

uint32_t mm_page_pins(struct mm_machine *m, mm_pfn_t pfn)
{
	const struct fpin *pin;
	if (!m || pfn == MM_PFN_NONE || !(pin = pin_find(m->fault, pfn)))
		return 0;
	return pin->count;
}

/* ---- unmapping ------------------------------------------------------------ */

/* print_bad_pte for the walks that clear or copy an entry (zap, fork):
 * an entry naming neither the zero page read-only nor an anonymous page
 * is reported where it is met (the kernel's vm_normal_page does the same),
 * since the entry is cleared (zap) or not copied (fork) and nothing of it
 * may be used. */
static void report_bad_pte(struct mm_machine *m, uint64_t va, uint64_t raw)
{
	mm_report(m, MM_STAGE_FAULT, MM_REPORT_CORRUPTION, va, "Bad page map at %#llx: %016llx",
		  (unsigned long long)va, (unsigned long long)raw);
}

/* zap_pte_range's work for one entry (idx of the table page at frame,
 * mapping va): cleared, and the page's mapping, rss and reference dropped.
 * An entry whose target is wrong is reported and cleared with nothing
 * dropped: its page, if any, is not known to be ours (the kernel's
 * zap_present_pte with no normal page), so the mm's rss keeps the page the
 * entry named before it was rewritten, for mm_verify to report. */
static void zap_pte(struct mm_machine *m, struct fmm *mm, uint8_t *frame, unsigned idx, uint64_t va)
{
	mm_pfn_t pfn;
	const uint64_t raw = mm_pgt_entry_at(m, frame, idx);
	uint32_t f = mm_pte_decode(m, raw, &pfn);
	if (!f)
		return;
	mm_pgt_entry_set(m, frame, idx, 0);
	if (!pte_target_ok(m, pfn, f)) {
		report_bad_pte(m, va, raw);
		return;
	}
	if (pfn == m->fault->zero_pfn)
		return; /* the zero page holds nothing */
	mm_pfn_to_page(m, pfn)->mapcount--;
	mm->rss_anon--;
	anon_put(m, pfn);
}

/* A visit of one non-empty leaf entry: entry idx of the table page at
 * frame (looked up once per table), mapping va. */
typedef void (*pte_visit_fn)(struct mm_machine *m, struct fmm *mm, uint8_t *frame, unsigned idx,
			     uint64_t va, void *arg);

struct pte_walk {
	struct fmm *mm;
	uint64_t s, e;
	pte_visit_fn fn;
	void *arg;
};

/* A walk meets a bad upper entry: reported, nothing behind it used. */
static void report_bad_pmd(struct mm_machine *m, uint64_t va, mm_phys_addr_t pmdp)
{
	mm_report(m, MM_STAGE_PGTABLE, MM_REPORT_CORRUPTION, va, "bad pmd %016llx",
		  (unsigned long long)mm_pgt_read_raw(m, pmdp));
}

/* The entries of [w->s, w->e) in one PTE table, empty runs skipped. */
static int pte_walk_table(struct mm_machine *m, void *arg, uint64_t va, mm_phys_addr_t pmdp,
			  int state, mm_pfn_t table)
{
	const struct pte_walk *w = arg;
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const uint64_t span = (uint64_t)1 << g->pte_span_shift;
	uint8_t *frame;
	unsigned i, end;
	if (state < 0) {
		report_bad_pmd(m, MM_MAX(va, w->s), pmdp);
		return 0;
	}
	if (!(frame = mm_pgt_scan_frame(m, table)))
		return 0; /* never written: every entry empty */
	i = va < w->s ? (unsigned)((w->s - va) >> MM_PAGE_SHIFT) : 0;
	end = va + span > w->e ? (unsigned)((w->e - va) >> MM_PAGE_SHIFT) : g->ptrs_per_pte;
	for (i = mm_pgt_next_used(frame, g->entry_size, i, end); i < end;
	     i = mm_pgt_next_used(frame, g->entry_size, i + 1, end))
		w->fn(m, w->mm, frame, i, va + ((uint64_t)i << MM_PAGE_SHIFT), w->arg);
	return 0;
}

/* Visit the non-empty entries of [s, e) (page aligned), table by table:
 * empty upper entries and empty runs of a table are skipped at once, and
 * a table page's frame is looked up once, not once per entry. */
static void for_each_pte(struct mm_machine *m, struct fmm *mm, uint64_t s, uint64_t e,
			 pte_visit_fn fn, void *arg)
{
	struct pte_walk w = { mm, s, e, fn, arg };
	mm_pgt_for_each_table_in(m, mm->pgd, s, e, pte_walk_table, &w);
}

static void zap_one(struct mm_machine *m, struct fmm *mm, uint8_t *frame, unsigned idx, uint64_t va,
		    void *arg)
{
	(void)arg;
	zap_pte(m, mm, frame, idx, va);
}

static void zap_range(struct mm_machine *m, struct fmm *mm, uint64_t s, uint64_t e)
{
	for_each_pte(m, mm, s, e, zap_one, NULL);
}

/* free_pgtables for one table of the range: freed unless a VMA still
 * needs its span. */
static int free_table(struct mm_machine *m, void *arg, uint64_t va, mm_phys_addr_t pmdp, int state,
		      mm_pfn_t table)
{
	struct fmm *mm = arg;
	if (state < 0 || vma_intersects(mm, va, va + span_size(m)))
		return 0;
	mm_pte_free(m, pmdp, table);
	mm->nr_ptes--;
	return 0;
}

static void free_pgtables(struct mm_machine *m, struct fmm *mm, uint64_t s, uint64_t e)
{
	mm_pgt_for_each_table_in(m, mm->pgd, s, e, free_table, mm);
}

/* do_munmap after the argument checks. */
static int unmap_region(struct mm_machine *m, struct fmm *mm, uint64_t s, uint64_t e)
{
	int ret = vma_rewrite(mm, s, e, -1);
	if (ret)
		return ret;
	/* the VMAs are gone first so free_pgtables sees the new gaps; the
	 * entries were all inside the old VMAs, so zapping the range is exact */
	zap_range(m, mm, s, e);
	free_pgtables(m, mm, s, e);
	return 0;
}

/* exit_mmap's per-table work: every entry dropped, the table freed. */
static int teardown_table(struct mm_machine *m, void *arg, uint64_t va, mm_phys_addr_t pmdp,
			  int state, mm_pfn_t table)
{
	struct fmm *mm = arg;
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const unsigned esz = g->entry_size, n = g->ptrs_per_pte;
	uint8_t *frame;
	if (state < 0) {
		/* as munmap's walk: reported, the span skipped; what the entry
		 * pointed to before it was rewritten is lost (pmd_clear_bad) */
		report_bad_pmd(m, va, pmdp);
		return 0;
	}
	if ((frame = mm_pgt_scan_frame(m, table))) {
		for (unsigned i = mm_pgt_next_used(frame, esz, 0, n); i < n;
		     i = mm_pgt_next_used(frame, esz, i + 1, n))
			zap_pte(m, mm, frame, i, va + ((uint64_t)i << MM_PAGE_SHIFT));
	}
	mm_pte_free(m, pmdp, table);
	mm->nr_ptes--;
	return 0;
}

static void mm_teardown(struct mm_machine *m, struct fmm *mm)
{
	mm->nr_vma = 0;
	mm_pgt_for_each_table(m, mm->pgd, teardown_table, mm);
	mm_pgd_free(m, mm->pgd);
	mm_host_free(mm->vma, mm->cap_vma * sizeof(*mm->vma));
	mm->vma = NULL;
	mm->cap_vma = 0;
	mm->live = false;
}

/* ---- process calls --------------------------------------------------------- */

static struct fmm *mm_slot(struct mm_machine *m)
{
	struct mm_fault_state *st = m->fault;
	if (st->nr_mm >= MM_MAX_PROCESSES)
		return NULL;
	if (st->nr_mm == st->cap_mm) {
		uint32_t cap = st->cap_mm ? st->cap_mm * 2 : 8;
		struct fmm *n = mm_host_grow(st->mm, st->cap_mm * sizeof(*n), cap * sizeof(*n));
		if (!n)
			return NULL;
		st->mm = n;
		st->cap_mm = cap;
	}
	memset(&st->mm[st->nr_mm], 0, sizeof(st->mm[0]));
	return &st->mm[st->nr_mm];
}

static bool fault_ready(struct mm_machine *m, const char *what)
{
	if (m->fault->ready)
		return true;
	mm_report(m, MM_STAGE_FAULT, MM_REPORT_INVALID_ARG, 0, "%s: before fault_init", what);
	return false;
}

int mm_mm_alloc(struct mm_machine *m, uint32_t *id_out)
{
	struct fmm *mm;
	int ret;
	if (!m || !id_out)
		return -EINVAL;
	if (!fault_ready(m, "mm_alloc"))
		return -EINVAL;
	if (!(mm = mm_slot(m)))
		return -EAGAIN;
	if ((ret = mm_pgd_alloc(m, &mm->pgd)))
		return ret;
	mm->live = true;
	*id_out = m->fault->nr_mm++;
	return 0;
}

struct copy_arg {
	struct fmm *child;
	uint64_t s, e; /* the VMA */
};

/* copy_one_pte: write-protect a writable private entry in the parent and
 * give the child the same entry (the same index of its table page at
 * cframe), with a reference and a mapping more. */
static void copy_one(struct mm_machine *m, struct fmm *child, uint8_t *frame, uint8_t *cframe,
		     unsigned idx, uint64_t va)
{
	mm_pfn_t pfn;
	const uint64_t raw = mm_pgt_entry_at(m, frame, idx);
	uint32_t f = mm_pte_decode(m, raw, &pfn);
	if (!f)
		return;
	if ((f & MM_PTE_BAD) || !pte_target_ok(m, pfn, f)) {
		/* copy_present_pte's vm_normal_page: reported, not copied; the
		 * parent's entry stays as it is, for mm_verify */
		report_bad_pte(m, va, raw);
		return;
	}
	if (f & MM_PTE_RW) {
		f &= ~MM_PTE_RW;
		mm_pgt_entry_set(m, frame, idx, mm_pte_encode(m, pfn, f));
	}
	mm_pgt_entry_set(m, cframe, idx, mm_pte_encode(m, pfn, f & ~MM_PTE_ACCESSED));
	if (pfn != m->fault->zero_pfn) {
		struct mm_page *p = mm_pfn_to_page(m, pfn);
		p->refcount++;
		p->mapcount++;
		child->rss_anon++;
	}
}

/* copy_pte_range for one parent table's part of the VMA: where any entry
 * is there, the child's table (allocated here, or there already from a VMA
 * before in the same span), then the entries. */
static int copy_table(struct mm_machine *m, void *arg, uint64_t va, mm_phys_addr_t pmdp, int state,
		      mm_pfn_t table)
{
	const struct copy_arg *ca = arg;
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const uint64_t span = (uint64_t)1 << g->pte_span_shift, a = MM_MAX(va, ca->s);
	const unsigned esz = g->entry_size;
	const unsigned end = va + span > ca->e ? (unsigned)((ca->e - va) >> MM_PAGE_SHIFT)
					       : g->ptrs_per_pte;
	mm_phys_addr_t cptep;
	uint8_t *frame, *cframe;
	unsigned i;
	int ret;
	if (state < 0) {
		report_bad_pmd(m, a, pmdp);
		return 0;
	}
	if (!(frame = mm_pgt_scan_frame(m, table)) ||
	    (i = mm_pgt_next_used(frame, esz, (unsigned)((a - va) >> MM_PAGE_SHIFT), end)) >= end)
		return 0; /* nothing mapped here: the child gets no table */
	if ((ret = pte_lookup(m, ca->child, a, true, &cptep)))
		return ret;
	cframe = mm_phys_table_frame(m, MM_PFN_DOWN(cptep));
	if (NEVER(!cframe)) /* host out of memory */
		return -ENOMEM;
	for (; i < end; i = mm_pgt_next_used(frame, esz, i + 1, end))
		copy_one(m, ca->child, frame, cframe, i, va + ((uint64_t)i << MM_PAGE_SHIFT));
	return 0;
}

/* copy_page_range for one VMA, table by table. */
static int copy_range(struct mm_machine *m, struct fmm *parent, struct fmm *child,
		      const struct fvma *v)
{
	struct copy_arg ca = { child, v->start, v->end };
	return mm_pgt_for_each_table_in(m, parent->pgd, v->start, v->end, copy_table, &ca);
}

int mm_dup_mm(struct mm_machine *m, uint32_t parent_id, uint32_t *child_out)
{
	struct fmm *parent, *child;
	int ret;
	if (!m || !child_out)
		return -EINVAL;
	if (!fault_ready(m, "dup_mm") || !(parent = get_mm(m, parent_id, "dup_mm")))
		return -EINVAL;
	if (!(child = mm_slot(m)))
		return -EAGAIN;
	parent = &m->fault->mm[parent_id]; /* mm_slot may have moved the array */
	if ((ret = mm_pgd_alloc(m, &child->pgd)))
		return ret;
	child->live = true;
	if (!vma_reserve(child, parent->nr_vma ? parent->nr_vma : 1)) {
		mm_teardown(m, child);
		return -ENOMEM;
	}
	if (parent->nr_vma)
		memcpy(child->vma, parent->vma, parent->nr_vma * sizeof(*child->vma));
	child->nr_vma = parent->nr_vma;
	for (uint32_t i = 0; i < parent->nr_vma; i++) {
		if ((ret = copy_range(m, parent, child, &parent->vma[i]))) {
			mm_teardown(m, child);
			return ret;
		}
	}
	*child_out = m->fault->nr_mm++;
	return 0;
}

int mm_mmput(struct mm_machine *m, uint32_t id)
{
	struct fmm *mm;
	if (!m)
		return -EINVAL;
	if (!(mm = get_mm(m, id, "mmput")))
		return -EINVAL;
	mm_teardown(m, mm);
	return 0;
}

/* get_unmapped_area, top-down below mmap_base, then bottom-up above it. */
static uint64_t unmapped_area(const struct mm_machine *m, const struct fmm *mm, uint64_t hint,
			      uint64_t len)
{
	const uint64_t top = task_size(m), base = top - ((uint64_t)128 << 20);
	if (hint >= MM_MMAP_MIN_ADDR && hint <= top - len && !vma_intersects(mm, hint, hint + len))
		return hint;
	for (uint32_t i = mm->nr_vma + 1; i-- > 0;) {
		uint64_t lo = i ? mm->vma[i - 1].end : 0, hi = i < mm->nr_vma ? mm->vma[i].start : top;
		lo = MM_MAX(lo, (uint64_t)MM_MMAP_MIN_ADDR);
		hi = MM_MIN(hi, base);
		if (hi > lo && hi - lo >= len)
			return hi - len;
	}
	for (uint32_t i = 0; i <= mm->nr_vma; i++) {
		uint64_t lo = i ? mm->vma[i - 1].end : 0, hi = i < mm->nr_vma ? mm->vma[i].start : top;
		lo = MM_MAX(lo, base);
		if (hi > lo && hi - lo >= len)
			return lo;
	}
	return 0;
}

int mm_do_mmap(struct mm_machine *m, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot,
	       uint32_t flags, uint64_t *addr_out)
{
	struct fmm *mm;
	int ret;
	if (!m || !addr_out)
		return -EINVAL;
	if (!fault_ready(m, "do_mmap") || !(mm = get_mm(m, id, "do_mmap")))
		return -EINVAL;
	if (!len || (prot & ~(uint32_t)PROT_ALL) || (flags & ~(uint32_t)MM_MAP_FIXED))
		return -EINVAL;
	len = mm_round_up(len, MM_PAGE_SIZE);
	if (!len || len > task_size(m))
		return -ENOMEM;
	if (mm->nr_vma >= MM_MAX_MAP_COUNT)
		return -ENOMEM;
	if (flags & MM_MAP_FIXED) {
		if (addr & (MM_PAGE_SIZE - 1))
			return -EINVAL;
		if (addr > task_size(m) - len)
			return -ENOMEM;
		if (addr < MM_MMAP_MIN_ADDR)
			return -EPERM;
		if ((ret = unmap_region(m, mm, addr, addr + len)))
			return ret;
	} else {
		addr = mm_round_up(addr, MM_PAGE_SIZE);
		if (!(addr = unmapped_area(m, mm, addr, len)))
			return -ENOMEM;
	}
	if ((ret = vma_insert(mm, addr, addr + len, prot)))
		return ret;
	*addr_out = addr;
	return 0;
}

/* munmap/mprotect's range: 0, or the errno for a bad one. */
static int range_check(const struct mm_machine *m, uint64_t addr, uint64_t len, uint64_t *end)
{
	if (addr & (MM_PAGE_SIZE - 1))
		return -EINVAL;
	*end = addr + mm_round_up(len, MM_PAGE_SIZE);
	if (mm_round_up(len, MM_PAGE_SIZE) < len || *end < addr || *end > task_size(m))
		return -EINVAL;
	return 0;
}

int mm_do_munmap(struct mm_machine *m, uint32_t id, uint64_t addr, uint64_t len)
{
	struct fmm *mm;
	uint64_t end;
	int ret;
	if (!m)
		return -EINVAL;
	if (!fault_ready(m, "do_munmap") || !(mm = get_mm(m, id, "do_munmap")))
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if ((ret = range_check(m, addr, len, &end)))
		return ret;
	return unmap_region(m, mm, addr, end);
}

static void protect_one(struct mm_machine *m, struct fmm *mm, uint8_t *frame, unsigned idx,
			uint64_t va, void *arg)
{
	const uint32_t prot = *(const uint32_t *)arg;
	mm_pfn_t pfn;
	uint32_t f = mm_pte_decode(m, mm_pgt_entry_at(m, frame, idx), &pfn);
	(void)mm;
	(void)va;
	if (!f || (f & MM_PTE_BAD))
		return;
	/* pte_modify: private mappings never gain write permission here */
	f &= ~(MM_PTE_RW | MM_PTE_PRESENT | MM_PTE_PROTNONE);
	f |= prot_readable(prot) ? MM_PTE_PRESENT : MM_PTE_PROTNONE;
	mm_pgt_entry_set(m, frame, idx, mm_pte_encode(m, pfn, f));
}

int mm_mprotect(struct mm_machine *m, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot)
{
	struct fmm *mm;
	uint64_t end;
	int ret;
	if (!m)
		return -EINVAL;
	if (!fault_ready(m, "mprotect") || !(mm = get_mm(m, id, "mprotect")))
		return -EINVAL;
	if ((prot & ~(uint32_t)PROT_ALL) || (ret = range_check(m, addr, len, &end)))
		return -EINVAL;
	if (!len)
		return 0;
	for (uint64_t a = addr; a < end;) {
		int i = find_vma(mm, a);
		if (i < 0)
			return -ENOMEM;
		a = mm->vma[i].end;
	}
	if ((ret = vma_rewrite(mm, addr, end, (int)prot)))
		return ret;
	for_each_pte(m, mm, addr, end, protect_one, &prot);
	return 0;
}

int mm_follow_page(struct mm_machine *m, uint32_t id, uint64_t addr, struct mm_pte_info *out)
{
	struct fmm *mm;
	mm_phys_addr_t ptep;
	uint32_t f;
	int ret;
	if (!m || !out)
		return -EINVAL;
	if (!fault_ready(m, "follow_page") || !(mm = get_mm(m, id, "follow_page")))
		return -EINVAL;
	if (addr >= task_size(m))
		return -EFAULT;
	if ((ret = pte_lookup(m, mm, addr, false, &ptep)))
		return ret;
	f = mm_pte_get(m, ptep, &out->pfn);
	if (!f)
		return -ENOENT;
	out->flags = f & ~MM_PTE_BAD;
	return (f & MM_PTE_BAD) ? -EFAULT : 0;
}

int mm_get_mm_counter(struct mm_machine *m, uint32_t id, uint64_t *anon_rss, uint64_t *pte_tables)
{
	struct fmm *mm;
	if (!m)
		return -EINVAL;
	if (!fault_ready(m, "get_mm_counter") || !(mm = get_mm(m, id, "get_mm_counter")))
		return -EINVAL;
	if (anon_rss)
		*anon_rss = mm->rss_anon;
	if (pte_tables)
		*pte_tables = mm->nr_ptes;
	return 0;
}

/* ---- verify ------------------------------------------------------------------ */

struct vwalk {
	mm_pfn_t *pfns;
	size_t n, cap;
	bool oom;
};

static int cmp_pfn(const void *a, const void *b)
{
	mm_pfn_t x = *(const mm_pfn_t *)a, y = *(const mm_pfn_t *)b;
	return x < y ? -1 : x > y;
}

struct vmm {
	uint32_t id;
	struct fmm *mm;
	struct vwalk *w;
	uint64_t rss, tables;
};

static int vw_push(struct vwalk *w, mm_pfn_t pfn)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		mm_pfn_t *np = mm_host_grow(w->pfns, w->cap * sizeof(*np), cap * sizeof(*np));
		if (!np) {
			w->oom = true;
			return 0;
		}
		w->pfns = np;
		w->cap = cap;
	}
	w->pfns[w->n++] = pfn;
	return 0;
}

/* One PTE table of a process: every entry. */
static int verify_table(struct mm_machine *m, void *arg, uint64_t a, mm_phys_addr_t pmdp, int state,
			mm_pfn_t table)
{
	struct vmm *v = arg;
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const uint64_t span = span_size(m);
	const uint8_t *frame;
	struct fmm *mm = v->mm;
	const uint32_t id = v->id;

	MM_VERIFY(m, state > 0, "mm %u: bad pmd %016llx for %#llx", id,
		  (unsigned long long)mm_pgt_read_raw(m, pmdp), (unsigned long long)a);
	v->tables++;
	MM_VERIFY(m, vma_intersects(mm, a, a + span),
		  "mm %u: PTE table at %#llx maps no VMA (not freed)", id, (unsigned long long)a);
	frame = mm_pgt_scan_frame(m, table);
	for (unsigned i = frame ? mm_pgt_next_used(frame, g->entry_size, 0, g->ptrs_per_pte)
				: g->ptrs_per_pte;
	     i < g->ptrs_per_pte; i = mm_pgt_next_used(frame, g->entry_size, i + 1, g->ptrs_per_pte)) {
		const uint64_t va = a + ((uint64_t)i << MM_PAGE_SHIFT);
		uint64_t raw;
		mm_pfn_t pfn;
		uint32_t f;
		int vi;
		raw = mm_pgt_entry_at(m, frame, i);
		f = mm_pte_decode(m, raw, &pfn);
		MM_VERIFY(m, !(f & MM_PTE_BAD), "mm %u: bad pte %016llx at %#llx", id,
			  (unsigned long long)raw, (unsigned long long)va);
		vi = find_vma(mm, va);
		MM_VERIFY(m, vi >= 0, "mm %u: pte at %#llx outside every VMA", id, (unsigned long long)va);
		MM_VERIFY(m, !(f & MM_PTE_PROTNONE) == prot_readable(mm->vma[vi].prot) &&
			     (!(f & MM_PTE_RW) || prot_writable(mm->vma[vi].prot)),
			  "mm %u: pte at %#llx flags %#x in a VMA of prot %u", id, (unsigned long long)va, f,
			  mm->vma[vi].prot);
		MM_VERIFY(m, pte_target_ok(m, pfn, f),
			  "mm %u: pte at %#llx maps pfn %#llx (flags %#x): neither the zero page "
			  "read-only nor an anonymous page", id, (unsigned long long)va,
			  (unsigned long long)pfn, f);
		if (pfn == m->fault->zero_pfn)
			continue;
		MM_VERIFY(m, !(f & MM_PTE_RW) || mm_pfn_to_page(m, pfn)->mapcount == 0,
			  "mm %u: writable pte at %#llx maps shared pfn %#llx", id, (unsigned long long)va,
			  (unsigned long long)pfn);
		v->rss++;
		vw_push(v->w, pfn);
	}
	return 0;
}

/* One process: its VMAs, every table and entry, its counters. */
static int verify_mm(struct mm_machine *m, uint32_t id, struct fmm *mm, struct vwalk *w)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const struct mm_page *pg = mm_pfn_to_page(m, mm->pgd);
	struct vmm v = { .id = id, .mm = mm, .w = w };
	int ret;

	MM_VERIFY(m, pg && (pg->flags & MM_PG_ALLOCATED), "mm %u: pgd pfn %#llx not allocated", id,
		  (unsigned long long)mm->pgd);
	for (uint32_t i = 0; i < mm->nr_vma; i++) {
		const struct fvma *vm = &mm->vma[i];
		MM_VERIFY(m, vm->start < vm->end && !(vm->start & 0xfff) && !(vm->end & 0xfff) &&
			     vm->end <= g->task_size && (!i || mm->vma[i - 1].end <= vm->start),
			  "mm %u: VMA %u [%#llx, %#llx) out of order", id, i,
			  (unsigned long long)vm->start, (unsigned long long)vm->end);
	}
	if ((ret = mm_pgt_for_each_table(m, mm->pgd, verify_table, &v)))
		return ret;
	MM_VERIFY(m, v.rss == mm->rss_anon, "mm %u: MM_ANONPAGES %llu, entries map %llu", id,
		  (unsigned long long)mm->rss_anon, (unsigned long long)v.rss);
	MM_VERIFY(m, v.tables == mm->nr_ptes, "mm %u: nr_ptes %llu, tables %llu", id,
		  (unsigned long long)mm->nr_ptes, (unsigned long long)v.tables);
	return 0;
}

/* mapcount == entries mapping the page, refcount >= that + pins. */
static int verify_counts(struct mm_machine *m, struct vwalk *w)
{
	struct mm_fault_state *st = m->fault;
	if (w->n)
		qsort(w->pfns, w->n, sizeof(*w->pfns), cmp_pfn);
	for (size_t i = 0, j; i < w->n; i = j) {
		const struct mm_page *p = mm_pfn_to_page(m, w->pfns[i]);
		uint64_t pins = mm_page_pins(m, w->pfns[i]);
		for (j = i; j < w->n && w->pfns[j] == w->pfns[i]; j++)
			;
		MM_VERIFY(m, (uint64_t)p->mapcount + 1 == j - i,
			  "pfn %#llx: mapcount %d, mapped by %zu entries", (unsigned long long)w->pfns[i],
			  p->mapcount + 1, j - i);
		MM_VERIFY(m, (uint64_t)p->refcount >= (j - i) + pins,
			  "pfn %#llx: refcount %d < %zu mappings + %llu pins",
			  (unsigned long long)w->pfns[i], p->refcount, j - i, (unsigned long long)pins);
	}
	for (uint32_t i = 0; i < st->nr_pin; i++) {
		const struct mm_page *p;
		if (st->pin[i].pfn == MM_PFN_NONE)
			continue;
		p = mm_pfn_to_page(m, st->pin[i].pfn);
		MM_VERIFY(m, p && (p->flags & MM_PG_ALLOCATED) && (p->flags & MM_PG_ANON) &&
			     p->refcount >= (int64_t)st->pin[i].count + p->mapcount + 1,
			  "pinned pfn %#llx: not an anonymous page with its pins' references",
			  (unsigned long long)st->pin[i].pfn);
	}
	return 0;
}

static int verify_zero_page(struct mm_machine *m)
{
	struct mm_fault_state *st = m->fault;
	const struct mm_page *p = mm_pfn_to_page(m, st->zero_pfn);
	const uint8_t *f = mm_phys_frame(m, st->zero_pfn, false);
	MM_VERIFY(m, p && (p->flags & (MM_PG_ALLOCATED | MM_PG_RESERVED)) && (p->flags & MM_PG_ZERO) &&
		     !(p->flags & MM_PG_ANON) && p->refcount >= 1 && p->mapcount == -1,
		  "zero page pfn %#llx: freed or mapped as a normal page",
		  (unsigned long long)st->zero_pfn);
	/* the whole frame at once; the byte loop only names the first bad byte */
	if (f && (f[0] || memcmp(f, f + 1, MM_PAGE_SIZE - 1))) {
		for (unsigned i = 0; i < MM_PAGE_SIZE; i++)
			MM_VERIFY(m, !f[i], "zero page pfn %#llx: byte %u is %#x",
				  (unsigned long long)st->zero_pfn, i, f[i]);
	}
	return 0;
}

int mm_fault_state_verify(struct mm_machine *m)
{
	struct mm_fault_state *st = m->fault;
	struct vwalk w = { 0 };
	int ret = 0;
	if (!st->ready)
		return 0;
	if ((ret = verify_zero_page(m)))
		return ret;
	for (uint32_t i = 0; i < st->nr_mm && !ret; i++)
		if (st->mm[i].live)
			ret = verify_mm(m, i, &st->mm[i], &w);
	if (!ret && !w.oom)
		ret = verify_counts(m, &w);
	mm_host_free(w.pfns, w.cap * sizeof(*w.pfns));
	return ret;
}

struct walk_arg {
	mm_pte_walk_fn fn;
	void *arg;
};

static int walk_table(struct mm_machine *m, void *arg, uint64_t a, mm_phys_addr_t pmdp, int state,
		      mm_pfn_t table)
{
	const struct walk_arg *wa = arg;
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const unsigned esz = g->entry_size, n = g->ptrs_per_pte;
	const uint8_t *frame;
	(void)pmdp;
	if (state < 0)
		return -EFAULT;
	frame = mm_pgt_scan_frame(m, table);
	for (unsigned i = frame ? mm_pgt_next_used(frame, esz, 0, n) : n; i < n;
	     i = mm_pgt_next_used(frame, esz, i + 1, n)) {
		uint64_t raw;
		struct mm_pte_info pi;
		uint32_t f;
		int ret;
		raw = mm_pgt_entry_at(m, frame, i);
		f = mm_pte_decode(m, raw, &pi.pfn);
		pi.flags = f & ~MM_PTE_BAD;
		if ((ret = wa->fn(wa->arg, a + ((uint64_t)i << MM_PAGE_SHIFT), &pi)))
			return ret;
		if (f & MM_PTE_BAD)
			return -EFAULT;
	}
	return 0;
}

int mm_walk_page_range(struct mm_machine *m, uint32_t id, mm_pte_walk_fn fn, void *arg)
{
	struct walk_arg wa = { fn, arg };
	struct fmm *mm;
	if (!m || !fn)
		return -EINVAL;
	if (!fault_ready(m, "walk_page_range") || !(mm = get_mm(m, id, "walk_page_range")))
		return -EINVAL;
	return mm_pgt_for_each_table(m, mm->pgd, walk_table, &wa);
}

int mm_mm_pgd(struct mm_machine *m, uint32_t id, mm_pfn_t *pgd)
{
	struct fmm *mm;
	if (!m || !pgd)
		return -EINVAL;
	if (!fault_ready(m, "mm_pgd") || !(mm = get_mm(m, id, "mm_pgd")))
		return -EINVAL;
	*pgd = mm->pgd;
	return 0;
}
