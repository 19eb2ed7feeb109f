/*
 * Page tables of every profile, with their entries as bytes in simulated
 * physical memory (arch/x86/include/asm/pgtable*.h, arch/arm/include/asm/
 * pgtable-2level*.h, mm/memory.c's __pte_alloc and free_pte_range).
 *
 * x86_32: a one-page pgd of 1,024 four-byte entries, each pointing to a PTE
 * table of 1,024 entries (4 MiB). PAE: a 4-entry PDPT of eight-byte entries
 * at the start of the pgd page, each pointing to a 512-entry PMD; a process's
 * three user PMDs are allocated with its pgd (the kernel's preallocate_pmds);
 * PMD entries point to 512-entry PTE tables (2 MiB). ARM: the 16 KiB first-
 * level table of 4,096 one-MiB entries (an order-2 allocation); a coarse
 * entry points to a 256-entry second-level table.
 *
 * Departures: each ARM second-level table has a page of its own (the kernel
 * packs two hardware tables and their Linux shadows in one page, so a page
 * maps 2 MiB there); ARM leaf entries hold the Linux view of the bits only
 * (valid, young, dirty, rdonly, user, special, none), not the hardware
 * entry. Table pages come from the page allocator (GFP_KERNEL | __GFP_ZERO),
 * lowmem only (no CONFIG_HIGHPTE); a table page's host backing is created
 * by its first entry write and is not held to the backing cap, so writing
 * an entry never fails, and a page of a table nothing was written to (most
 * of a pgd, an ARM pgd's three other pages) costs no host memory and is
 * skipped by scans at once.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

/* ---- table of contents ----------------------------------------------- */
/* Little-endian entry of size sz at physical address a (zeros if unbacked). */
static uint64_t ent_read(struct mm_machine *m, mm_phys_addr_t a, unsigned sz);
static void ent_write(struct mm_machine *m, mm_phys_addr_t a, unsigned sz, uint64_t v);
/* Is pfn an allocated page, as every table page must be? */
static bool table_page_ok(struct mm_machine *m, mm_pfn_t pfn);
/* A pointer entry to a next-level table (pgd/pmd), and back. */
static uint64_t mk_table_entry(const struct mm_machine *m, mm_pfn_t pfn, bool pdpt);
static int table_entry_pfn(struct mm_machine *m, uint64_t raw, bool pdpt, mm_pfn_t *pfn);

static const struct mm_pgtable_geometry geom_x86_32 = {
	.levels = 2, .entry_size = 4, .pte_span_shift = 22, .ptrs_per_pte = 1024,
	.pgd_pages = 1, .task_size = 0xC0000000ull,
};
static const struct mm_pgtable_geometry geom_pae = {
	.levels = 3, .entry_size = 8, .pte_span_shift = 21, .ptrs_per_pte = 512,
	.pgd_pages = 1, .task_size = 0xC0000000ull,
};
static const struct mm_pgtable_geometry geom_arm = {
	.levels = 2, .entry_size = 4, .pte_span_shift = 20, .ptrs_per_pte = 256,
	.pgd_pages = 4, .task_size = 0xBF000000ull,
};

/* x86 bits (both widths) */
#define X86_P 0x1u
#define X86_RW 0x2u
#define X86_U 0x4u
#define X86_A 0x20u
#define X86_D 0x40u
#define X86_PSE 0x80u
#define X86_PROTNONE 0x100u
#define X86_SPECIAL 0x200u
#define X86_TABLE (X86_P | X86_RW | X86_U | X86_A | X86_D) /* _PAGE_TABLE */
/* ARM Linux-view leaf bits */
#define ARM_VALID 0x1u
#define ARM_YOUNG 0x2u
#define ARM_DIRTY 0x40u
#define ARM_RDONLY 0x80u
#define ARM_USER 0x100u
#define ARM_SPECIAL 0x400u
#define ARM_NONE 0x800u
#define ARM_L1_COARSE 0x1u
#define ARM_L1_SECTION 0x2u

const struct mm_pgtable_geometry *mm_pgt_geom_of_profile(uint32_t profile)
{
	switch (profile) {
	case MM_PROFILE_X86_PAE:
		return &geom_pae;
	case MM_PROFILE_ARM:
		return &geom_arm;
	default:
		return &geom_x86_32;
	}
}

int mm_pgtable_geometry(const struct mm_machine *m, struct mm_pgtable_geometry *out)
{
	if (!m || !out)
		return -EINVAL;
	*out = *mm_pgt_geom(m);
	return 0;
}

/* ---- raw entries -------------------------------------------------------- */

/* Entries are little-endian bytes in simulated memory: on a little-endian
 * host one load or store of the entry's width, else byte by byte. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PGT_HOST_LE 1
#else
#define PGT_HOST_LE 0
#endif

static uint64_t ent_read(struct mm_machine *m, mm_phys_addr_t a, unsigned sz)
{
	const uint8_t *f = mm_phys_frame(m, MM_PFN_DOWN(a), false);
	uint64_t v = 0;
	if (!f)
		return 0;
	f += a & (MM_PAGE_SIZE - 1);
	if (PGT_HOST_LE) {
		uint32_t w;
		if (sz == 8) { /* entries are 4 or 8 bytes */
			memcpy(&v, f, 8);
			return v;
		}
		memcpy(&w, f, 4);
		return w;
	}
	for (unsigned i = sz; i--;)
		v = (v << 8) | f[i];
	return v;
}

static void ent_write(struct mm_machine *m, mm_phys_addr_t a, unsigned sz, uint64_t v)
{
	uint8_t *f = mm_phys_frame(m, MM_PFN_DOWN(a), false);
	if (!f) {
		if (!v)
			return; /* unbacked: reads as zeros already */
		f = mm_phys_table_frame(m, MM_PFN_DOWN(a));
		if (NEVER(!f)) /* host out of memory */
			return;
	}
	f += a & (MM_PAGE_SIZE - 1);
	for (unsigned i = 0; i < sz; i++, v >>= 8)
		f[i] = (uint8_t)v;
}

uint64_t mm_pgt_read_raw(struct mm_machine *m, mm_phys_addr_t a)
{
	return ent_read(m, a, mm_pgt_geom(m)->entry_size);
}

void mm_pgt_write_raw(struct mm_machine *m, mm_phys_addr_t a, uint64_t v)
{
	ent_write(m, a, mm_pgt_geom(m)->entry_size, v);
}

static bool table_page_ok(struct mm_machine *m, mm_pfn_t pfn)
{
	const struct mm_page *p = mm_pfn_to_page(m, pfn);
	return p && (p->flags & (MM_PG_ALLOCATED | MM_PG_RESERVED)) && !(p->flags & MM_PG_ANON) &&
	       !(p->flags & MM_PG_ZERO);
}

/* ---- table pages --------------------------------------------------------- */

int mm_pgt_alloc_page(struct mm_machine *m, unsigned order, mm_pfn_t *pfn)
{
	/* zeroed: no backing left behind; entry writes back it as needed */
	int ret = mm_alloc_pages(m, MM_GFP_KERNEL | MM_GFP_ZERO, order, pfn);
	return ret == -EINVAL ? -ENOMEM : ret;
}

void mm_pgt_free_page(struct mm_machine *m, mm_pfn_t pfn, unsigned order)
{
	/* a table's entries are cleared as they are torn down; the backing goes
	 * with the zeroing of the next user of the page */
	mm_free_pages(m, pfn, order);
}

static uint64_t mk_table_entry(const struct mm_machine *m, mm_pfn_t pfn, bool pdpt)
{
	if (m->cfg.profile == MM_PROFILE_ARM)
		return MM_PFN_PHYS(pfn) | ARM_L1_COARSE;
	return MM_PFN_PHYS(pfn) | (pdpt ? X86_P : X86_TABLE);
}

/* 1: a table at *pfn; 0: no table; -1: a bad entry (pmd_bad). */
static int table_entry_pfn(struct mm_machine *m, uint64_t raw, bool pdpt, mm_pfn_t *pfn)
{
	if (!raw)
		return 0;
	if (m->cfg.profile == MM_PROFILE_ARM) {
		if ((raw & 0x3ffu) != ARM_L1_COARSE || (raw & 0xc00u))
			return -1; /* sections, faults with junk, tables off a page start */
		*pfn = MM_PFN_DOWN(raw);
	} else {
		uint64_t low = raw & 0xfffu, want = pdpt ? X86_P : X86_TABLE;
		uint64_t pfn_bits = m->cfg.profile == MM_PROFILE_X86_PAE ? 24 : 20;
		if (low != want || (raw >> 12) >> pfn_bits)
			return -1;
		*pfn = raw >> 12;
	}
	return table_page_ok(m, *pfn) ? 1 : -1;
}

/* ---- the top level -------------------------------------------------------- */

/* Bytes [from, to) of the (possibly multi-page) table at src copied into
 * the same place of dst, a frame at a time (dst was zeroed when allocated;
 * an unbacked src frame reads as zeros, so nothing to copy). */
static void clone_pgd_bytes(struct mm_machine *m, mm_pfn_t dst, mm_pfn_t src, uint64_t from,
			    uint64_t to)
{
	while (from < to) {
		const uint64_t page = from / MM_PAGE_SIZE, off = from % MM_PAGE_SIZE;
		const uint64_t n = MM_MIN(to - from, MM_PAGE_SIZE - off);
		const uint8_t *sf = mm_phys_frame(m, src + page, false);
		if (sf) {
			uint8_t *df = mm_phys_table_frame(m, dst + page);
			if (NEVER(!df)) /* host out of memory */
				return;
			memcpy(df + off, sf + off, (size_t)n);
		}
		from += n;
	}
}

int mm_pgd_alloc(struct mm_machine *m, mm_pfn_t *pgd)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	unsigned order = g->pgd_pages == 4 ? 2 : 0;
	mm_pfn_t swapper;
	int ret = mm_pgt_alloc_page(m, order, pgd);
	if (ret)
		return ret;
	if (mm_pgt_swapper(m, &swapper)) {
		/* clone_pgd_range: the kernel's part is shared, entry for entry */
		const unsigned first = (unsigned)(g->task_size >> (g->levels == 3 ? 30 : g->pte_span_shift));
		const unsigned last = g->levels == 3 ? 4 : g->pgd_pages * MM_PAGE_SIZE / g->entry_size;
		clone_pgd_bytes(m, *pgd, swapper, (uint64_t)first * g->entry_size,
				(uint64_t)last * g->entry_size);
	}
	if (g->levels == 3) {
		/* preallocate_pmds: the user PMDs come with the pgd, all or none */
		for (unsigned i = 0; i < 3; i++) {
			mm_pfn_t pmd = MM_PFN_NONE;
			ret = mm_pgt_alloc_page(m, 0, &pmd);
			if (ret) {
				mm_pgd_free(m, *pgd);
				return ret;
			}
			ent_write(m, MM_PFN_PHYS(*pgd) + 8u * i, 8, mk_table_entry(m, pmd, true));
		}
	}
	return 0;
}

void mm_pgd_free(struct mm_machine *m, mm_pfn_t pgd)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	if (g->levels == 3) {
		for (unsigned i = 0; i < 3; i++) {
			mm_phys_addr_t a = MM_PFN_PHYS(pgd) + 8u * i;
			mm_pfn_t pmd = MM_PFN_NONE;
			if (table_entry_pfn(m, ent_read(m, a, 8), true, &pmd) == 1)
				mm_pgt_free_page(m, pmd, 0);
			ent_write(m, a, 8, 0);
		}
	}
	mm_pgt_free_page(m, pgd, g->pgd_pages == 4 ? 2 : 0);
}

/* mm_pmd_offset's body, inlined into the fault path's walk too. */
static inline __attribute__((always_inline)) int pmd_offset_of(struct mm_machine *m, mm_pfn_t pgd,
							       uint64_t va, mm_phys_addr_t *pmdp)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	if (g->levels == 3) {
		mm_phys_addr_t pdpte = MM_PFN_PHYS(pgd) + 8u * (va >> 30);
		mm_pfn_t pmd;
		if (table_entry_pfn(m, ent_read(m, pdpte, 8), true, &pmd) != 1) {
			mm_report(m, MM_STAGE_PGTABLE, MM_REPORT_CORRUPTION, pdpte,
				  "bad pgd %016llx", (unsigned long long)ent_read(m, pdpte, 8));
			return -EFAULT;
		}
		*pmdp = MM_PFN_PHYS(pmd) + 8u * ((va >> 21) & 511u);
		return 0;
	}
	*pmdp = MM_PFN_PHYS(pgd) + 4u * (va >> g->pte_span_shift);
	return 0;
}

int mm_pmd_offset(struct mm_machine *m, mm_pfn_t pgd, uint64_t va, mm_phys_addr_t *pmdp)
{
	return pmd_offset_of(m, pgd, va, pmdp);
}

int mm_pmd_table(struct mm_machine *m, mm_phys_addr_t pmdp, mm_pfn_t *table)
{
	return table_entry_pfn(m, ent_read(m, pmdp, mm_pgt_geom(m)->entry_size), false, table);
}

int mm_pte_offset_map(struct mm_machine *m, mm_pfn_t pgd, uint64_t va, struct mm_pte_loc *loc)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	mm_pfn_t table;
	int ret = pmd_offset_of(m, pgd, va, &loc->pmdp);
	if (ret)
		return ret;
	ret = table_entry_pfn(m, ent_read(m, loc->pmdp, g->entry_size), false, &table);
	if (ret <= 0)
		return ret;
	loc->idx = (unsigned)((va >> MM_PAGE_SHIFT) & (g->ptrs_per_pte - 1));
	loc->ptep = MM_PFN_PHYS(table) + (uint64_t)g->entry_size * loc->idx;
	loc->frame = mm_phys_frame(m, table, false);
	return 1;
}

int mm_pte_alloc(struct mm_machine *m, mm_phys_addr_t pmdp, mm_pfn_t *table)
{
	int ret = mm_pgt_alloc_page(m, 0, table);
	if (ret)
		return ret;
	ent_write(m, pmdp, mm_pgt_geom(m)->entry_size, mk_table_entry(m, *table, false));
	return 0;
}

void mm_pte_free(struct mm_machine *m, mm_phys_addr_t pmdp, mm_pfn_t table)
{
	ent_write(m, pmdp, mm_pgt_geom(m)->entry_size, 0);
	mm_pgt_free_page(m, table, 0);
}

mm_phys_addr_t mm_pte_addr(const struct mm_machine *m, mm_pfn_t table, uint64_t va)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	return MM_PFN_PHYS(table) + (uint64_t)g->entry_size * ((va >> 12) & (g->ptrs_per_pte - 1));
}

/* ---- leaf entries ----------------------------------------------------------- */

/* The x86 leaf bits and MM_PTE_* line up in three groups (P/RW/U at bits
 * 0-2 both ways; A, D and PROTNONE two bits higher in the entry; SPECIAL
 * four bits higher): three shifts and masks each way, no branch per bit.
 * The asserts pin the layout the shifts rely on. */
_Static_assert(MM_PTE_PRESENT == X86_P && MM_PTE_RW == X86_RW && MM_PTE_USER == X86_U,
	       "P/RW/U: the same bits");
_Static_assert(MM_PTE_ACCESSED << 2 == X86_A && MM_PTE_DIRTY << 2 == X86_D &&
		       MM_PTE_PROTNONE << 2 == X86_PROTNONE && MM_PTE_SPECIAL << 4 == X86_SPECIAL,
	       "A/D/PROTNONE two bits up, SPECIAL four");
#define X86_SHIFT2 (MM_PTE_ACCESSED | MM_PTE_DIRTY | MM_PTE_PROTNONE)

static uint32_t x86_flags_of(uint64_t raw)
{
	return (uint32_t)((raw & 7u) | ((raw >> 2) & X86_SHIFT2) | ((raw >> 4) & MM_PTE_SPECIAL));
}

static uint64_t x86_bits_of(uint32_t f)
{
	return (f & 7u) | ((uint64_t)(f & X86_SHIFT2) << 2) | ((uint64_t)(f & MM_PTE_SPECIAL) << 4);
}

uint32_t mm_pte_decode(const struct mm_machine *m, uint64_t raw, mm_pfn_t *pfn)
{
	uint32_t f = 0;
	*pfn = raw >> 12;
	if (!raw)
		return 0;
	if (m->cfg.profile == MM_PROFILE_ARM) {
		uint64_t known = ARM_VALID | ARM_YOUNG | ARM_DIRTY | ARM_RDONLY | ARM_USER |
				 ARM_SPECIAL | ARM_NONE;
		f |= (raw & ARM_VALID) ? MM_PTE_PRESENT : 0;
		f |= (raw & ARM_RDONLY) ? 0 : MM_PTE_RW;
		f |= (raw & ARM_USER) ? MM_PTE_USER : 0;
		f |= (raw & ARM_YOUNG) ? MM_PTE_ACCESSED : 0;
		f |= (raw & ARM_DIRTY) ? MM_PTE_DIRTY : 0;
		f |= (raw & ARM_SPECIAL) ? MM_PTE_SPECIAL : 0;
		f |= (raw & ARM_NONE) ? MM_PTE_PROTNONE : 0;
		if ((raw & 0xfffu & ~known) || (raw >> 32))
			f |= MM_PTE_BAD;
	} else {
		uint64_t known = X86_P | X86_RW | X86_U | X86_A | X86_D | X86_PROTNONE | X86_SPECIAL;
		unsigned bits = m->cfg.profile == MM_PROFILE_X86_PAE ? 24 : 20;
		f = x86_flags_of(raw);
		if ((raw & 0xfffu & ~known) || ((raw >> 12) >> bits))
			f |= MM_PTE_BAD;
	}
	/* an entry maps a page exactly when present or PROT_NONE, not both */
	if (!(f & MM_PTE_PRESENT) == !(f & MM_PTE_PROTNONE))
		f |= MM_PTE_BAD;
	return f;
}

uint64_t mm_pte_encode(const struct mm_machine *m, mm_pfn_t pfn, uint32_t f)
{
	uint64_t raw = MM_PFN_PHYS(pfn);
	if (!f)
		return 0;
	if (m->cfg.profile == MM_PROFILE_ARM) {
		raw |= (f & MM_PTE_PRESENT) ? ARM_VALID : 0;
		raw |= (f & MM_PTE_RW) ? 0 : ARM_RDONLY;
		raw |= (f & MM_PTE_USER) ? ARM_USER : 0;
		raw |= (f & MM_PTE_ACCESSED) ? ARM_YOUNG : 0;
		raw |= (f & MM_PTE_DIRTY) ? ARM_DIRTY : 0;
		raw |= (f & MM_PTE_SPECIAL) ? ARM_SPECIAL : 0;
		raw |= (f & MM_PTE_PROTNONE) ? ARM_NONE : 0;
		return raw;
	}
	return raw | x86_bits_of(f);
}

uint32_t mm_pte_get(struct mm_machine *m, mm_phys_addr_t ptep, mm_pfn_t *pfn)
{
	return mm_pte_decode(m, mm_pgt_read_raw(m, ptep), pfn);
}

void mm_pte_set(struct mm_machine *m, mm_phys_addr_t ptep, mm_pfn_t pfn, uint32_t flags)
{
	mm_pgt_write_raw(m, ptep, mm_pte_encode(m, pfn, flags));
}

/* ---- whole-table scans ------------------------------------------------------ */

uint64_t mm_pgt_entry_at(const struct mm_machine *m, const uint8_t *frame, unsigned idx)
{
	const unsigned sz = mm_pgt_geom(m)->entry_size;
	uint64_t v = 0;
	if (!frame)
		return 0;
	frame += (size_t)idx * sz;
	if (PGT_HOST_LE) {
		uint32_t w;
		if (sz == 8) {
			memcpy(&v, frame, 8);
			return v;
		}
		memcpy(&w, frame, 4);
		return w;
	}
	for (unsigned i = sz; i--;)
		v = (v << 8) | frame[i];
	return v;
}

void mm_pgt_entry_set(const struct mm_machine *m, uint8_t *frame, unsigned idx, uint64_t v)
{
	const unsigned sz = mm_pgt_geom(m)->entry_size;
	frame += (size_t)idx * sz;
	if (PGT_HOST_LE) {
		const uint32_t w = (uint32_t)v;
		if (sz == 8)
			memcpy(frame, &v, 8);
		else
			memcpy(frame, &w, 4);
		return;
	}
	for (unsigned i = 0; i < sz; i++, v >>= 8)
		frame[i] = (uint8_t)v;
}

/* Whether 256 bytes (eight-aligned) are all zero: sixteen-byte loads OR-ed
 * together. Not a memcmp with a zero block: under ASan every memcmp is an
 * interceptor call that checks both ranges' shadow and, in a fuzzing
 * build, records its arguments for libFuzzer; that was a tenth of a
 * fuzz_fault input. Unchecked, as mm_pgt_next_used. With SSE2 (every
 * x86-64) the sixteen loads are vector ORs written out: the sanitizer and
 * fuzzing builds compile at -O1, which leaves the portable loop as two
 * scalar ORs and a counter per sixteen bytes (mm_pgt_next_used was 9.6% of
 * a fuzz_fault profile under ASan). */
#if defined(__SSE2__)
static MM_ARRAY_WALK bool block_empty(const uint8_t *p)
{
	const __m128i *q = (const __m128i *)(const void *)p;
#define OR4(k)                                                                          \
	_mm_or_si128(_mm_or_si128(_mm_loadu_si128(q + (k)), _mm_loadu_si128(q + (k) + 1)), \
		     _mm_or_si128(_mm_loadu_si128(q + (k) + 2), _mm_loadu_si128(q + (k) + 3)))
	const __m128i a = _mm_or_si128(_mm_or_si128(OR4(0), OR4(4)), _mm_or_si128(OR4(8), OR4(12)));
#undef OR4
	return _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0xffff;
}
#else
#ifdef __SIZEOF_INT128__
typedef unsigned __int128 scan_word;
#else
typedef uint64_t scan_word;
#endif
static MM_ARRAY_WALK bool block_empty(const uint8_t *p)
{
	const uint8_t *q = __builtin_assume_aligned(p, 8);
	scan_word a = 0, w;
	for (unsigned k = 0; k < 256; k += sizeof(w)) {
		memcpy(&w, q + k, sizeof(w));
		a |= w;
	}
	return !a;
}
#endif

uint8_t *mm_pgt_scan_frame(struct mm_machine *m, mm_pfn_t pfn)
{
	uint8_t *f = mm_phys_frame(m, pfn, false);
	if (f)
		mm_track_check(f, MM_PAGE_SIZE);
	return f;
}

MM_ARRAY_WALK unsigned mm_pgt_next_used(const uint8_t *frame, unsigned esz, unsigned i, unsigned end)
{
	uint32_t half;
	uint64_t w;
	/* an odd four-byte index first, so the words below are eight-aligned */
	if (esz == 4 && (i & 1) && i < end) {
		memcpy(&half, frame + (size_t)i * 4, 4);
		if (half)
			return i;
		i++;
	}
	/* 256 empty bytes at a time (a user pgd is 3 to 12 KiB of mostly
	 * empty entries, scanned by every check) */
	for (const unsigned step = 256 / esz; i + step <= end; i += step)
		if (!block_empty(frame + (size_t)i * esz))
			break;
	/* 32 empty bytes at a time while a whole block fits before end */
	for (const unsigned step = 32 / esz; i + step <= end; i += step) {
		uint64_t b[4];
		memcpy(b, frame + (size_t)i * esz, 32);
		if (b[0] | b[1] | b[2] | b[3])
			break;
	}
	for (; i < end; i += 8 / esz) {
		memcpy(&w, frame + (size_t)i * esz, 8);
		if (!w)
			continue;
		if (esz == 8)
			return i;
		memcpy(&half, frame + (size_t)i * 4, 4);
		if (half)
			return i;
		return i + 1 < end ? i + 1 : end;
	}
	return end;
}

/* The entries of one page of a table level: fn per non-empty entry. */
static int scan_level_page(struct mm_machine *m, mm_pfn_t pfn, unsigned first, unsigned n,
			   uint64_t va0, unsigned shift, mm_pgt_table_fn fn, void *arg)
{
	const uint8_t *f = mm_pgt_scan_frame(m, pfn);
	if (!f)
		return 0; /* never written: every entry empty */
	const unsigned esz = mm_pgt_geom(m)->entry_size, end = first + n;
	for (unsigned i = mm_pgt_next_used(f, esz, first, end); i < end;
	     i = mm_pgt_next_used(f, esz, i + 1, end)) {
		mm_pfn_t table = MM_PFN_NONE;
		const uint64_t raw = mm_pgt_entry_at(m, f, i);
		const int st = table_entry_pfn(m, raw, false, &table);
		int ret;
		if ((ret = fn(m, arg, va0 + ((uint64_t)(i - first) << shift),
			      MM_PFN_PHYS(pfn) + (uint64_t)i * esz, st, table)))
			return ret;
	}
	return 0;
}

int mm_pgt_for_each_table_in(struct mm_machine *m, mm_pfn_t pgd, uint64_t s, uint64_t e,
			      mm_pgt_table_fn fn, void *arg)
{
	const struct mm_pgtable_geometry *g = mm_pgt_geom(m);
	const unsigned shift = g->pte_span_shift;
	uint64_t first, last;
	int ret;
	e = MM_MIN(e, g->task_size);
	if (s >= e)
		return 0;
	if (g->levels == 3) {
		/* per GiB: its PDPT entry, then the PMD entries of [s, e) in it */
		for (uint64_t i = s >> 30; i < 3 && (i << 30) < e; i++) {
			mm_phys_addr_t pdpte = MM_PFN_PHYS(pgd) + 8u * i;
			const uint64_t gs = MM_MAX(s, i << 30), ge = MM_MIN(e, (i + 1) << 30);
			const unsigned lo = (unsigned)((gs >> 21) & 511u);
			const unsigned hi = (unsigned)(((ge - 1) >> 21) & 511u) + 1;
			mm_pfn_t pmd = MM_PFN_NONE; /* a bad entry may leave it unset */
			if (table_entry_pfn(m, ent_read(m, pdpte, 8), true, &pmd) != 1) {
				if ((ret = fn(m, arg, i << 30, pdpte, -1, MM_PFN_NONE)))
					return ret;
				continue;
			}
			if ((ret = scan_level_page(m, pmd, lo, hi - lo, (i << 30) + ((uint64_t)lo << 21), 21,
						   fn, arg)))
				return ret;
		}
		return 0;
	}
	/* two levels: the pgd's entries of [s, e), page by page (ARM: four pages) */
	first = s >> shift;
	last = ((e - 1) >> shift) + 1;
	for (uint64_t i = first; i < last;) {
		const unsigned per_page = MM_PAGE_SIZE / g->entry_size;
		unsigned page = (unsigned)(i / per_page), idx = (unsigned)(i % per_page);
		unsigned n = (unsigned)MM_MIN((uint64_t)(per_page - idx), last - i);
		if ((ret = scan_level_page(m, pgd + page, idx, n, i << shift, shift, fn, arg)))
			return ret;
		i += n;
	}
	return 0;
}

int mm_pgt_for_each_table(struct mm_machine *m, mm_pfn_t pgd, mm_pgt_table_fn fn, void *arg)
{
	return mm_pgt_for_each_table_in(m, pgd, 0, mm_pgt_geom(m)->task_size, fn, arg);
}
