/* label: scenario */
/*
 * Page tables of every profile, read as bytes from simulated physical
 * memory: the geometry, the entry encodings (x86 _PAGE_* bits, PAE's PDPT
 * and eight-byte entries, ARM's coarse first-level descriptors and Linux
 * view of second-level entries), table allocation per span, freeing of empty
 * tables on munmap, and a corrupted entry found by the walk and by mm_verify.
 */
#include "check.h"
#include "fault_env.h"

#include <errno.h>

static const struct fault_conf *fc;

static uint64_t rd(struct mm_machine *m, uint64_t phys, unsigned size)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;
	if (mm_phys_read(m, phys, b, size))
		return ~0ull;
	for (unsigned i = size; i--;)
		v = (v << 8) | b[i];
	return v;
}

/* The entry pointing to va's PTE table, as the profile lays it out. */
static uint64_t pmd_entry_addr(struct mm_machine *m, mm_pfn_t pgd, uint64_t va)
{
	if (fc->profile == MM_PROFILE_X86_PAE) {
		uint64_t pdpte = rd(m, (pgd << 12) + 8 * (va >> 30), 8);
		return (pdpte & ~0xfffull) + 8 * ((va >> 21) & 511);
	}
	if (fc->profile == MM_PROFILE_ARM)
		return (pgd << 12) + 4 * (va >> 20);
	return (pgd << 12) + 4 * (va >> 22);
}

/* Expect: the geometry of the profile. */
static void geometry(void)
{
	struct mm_pgtable_geometry g;
	struct mm_machine *m = env_make(fc, 0);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_pgtable_geometry(m, &g), 0);
	switch (fc->profile) {
	case MM_PROFILE_X86_32:
		ASSERT_EQ(g.levels, 2); ASSERT_EQ(g.entry_size, 4); ASSERT_EQ(g.pte_span_shift, 22);
		ASSERT_EQ(g.ptrs_per_pte, 1024); ASSERT_EQ(g.pgd_pages, 1); ASSERT_EQ(g.task_size, 0xC0000000ull);
		break;
	case MM_PROFILE_X86_PAE:
		ASSERT_EQ(g.levels, 3); ASSERT_EQ(g.entry_size, 8); ASSERT_EQ(g.pte_span_shift, 21);
		ASSERT_EQ(g.ptrs_per_pte, 512); ASSERT_EQ(g.pgd_pages, 1); ASSERT_EQ(g.task_size, 0xC0000000ull);
		break;
	default:
		ASSERT_EQ(g.levels, 2); ASSERT_EQ(g.entry_size, 4); ASSERT_EQ(g.pte_span_shift, 20);
		ASSERT_EQ(g.ptrs_per_pte, 256); ASSERT_EQ(g.pgd_pages, 4); ASSERT_EQ(g.task_size, 0xBF000000ull);
	}
	ASSERT_EQ(mm_pgtable_geometry(m, NULL), -EINVAL);
	mm_machine_destroy(m);
}

/* Expect: a new mm takes its top-level table: x86_32 one page, PAE the pgd
 * and its three user PMDs (PDPT entries 0-2 present, value pmd | 0x1), ARM
 * one 16 KiB (4-page) table. */
static void pgd_alloc_pages(void)
{
	struct mm_machine *m = env_make(fc, 0);
	uint64_t before;
	uint32_t id;
	mm_pfn_t pgd;
	ASSERT_TRUE(m);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(before - mm_nr_free_pages(m), fc->profile == MM_PROFILE_X86_32 ? 1 : 4);
	ASSERT_EQ(mm_mm_pgd(m, id, &pgd), 0);
	if (fc->profile == MM_PROFILE_X86_PAE) {
		for (unsigned i = 0; i < 3; i++)
			ASSERT_EQ(rd(m, (pgd << 12) + 8 * i, 8) & 0xfff, 0x1);
		ASSERT_EQ(rd(m, (pgd << 12) + 24, 8), 0);
	}
	if (fc->profile == MM_PROFILE_ARM)
		ASSERT_EQ(pgd & 3, 0); /* 16 KiB aligned as an order-2 block */
	ASSERT_EQ(mm_mmput(m, id), 0);
	ASSERT_EQ(before, mm_nr_free_pages(m));
	mm_machine_destroy(m);
}

/* Expect: after a write fault the bytes of both levels encode it: x86 the
 * table entry table|0x67 (_PAGE_TABLE) and the leaf pfn|0x67 (P RW U A D);
 * ARM the coarse descriptor table|0x1 and the leaf pfn|0x143 (valid young
 * dirty user); the zero page's leaf is read-only and special (x86 0x225,
 * ARM 0x583). */
static void entry_encoding(void)
{
	struct mm_machine *m = env_make(fc, 0);
	const unsigned esz = fc->profile == MM_PROFILE_X86_PAE ? 8 : 4;
	uint8_t w = 1, r;
	mm_pfn_t pgd, pfn;
	uint64_t pmd, table, pte;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 0x3000, &w, 1), 0);
	pfn = env_pfn(m, 0, ENV_VMA + 0x3000);
	pmd = rd(m, pmd_entry_addr(m, pgd, ENV_VMA), esz);
	table = pmd >> 12;
	pte = rd(m, (table << 12) + esz * 3, esz);
	if (fc->profile == MM_PROFILE_ARM) {
		ASSERT_EQ(pmd & 0x3ff, 0x1);
		ASSERT_EQ(pte, (pfn << 12) | 0x143);
	} else {
		ASSERT_EQ(pmd & 0xfff, 0x67);
		ASSERT_EQ(pte, (pfn << 12) | 0x67);
	}
	if (fc->zero_page) {
		mm_pfn_t z;
		ASSERT_EQ(mm_user_read(m, 0, ENV_VMA + 0x5000, &r, 1), 0);
		mm_zero_page_pfn(m, &z);
		pte = rd(m, (table << 12) + esz * 5, esz);
		ASSERT_EQ(pte, (z << 12) | (fc->profile == MM_PROFILE_ARM ? 0x583 : 0x225));
	}
	mm_machine_destroy(m);
}

/* Expect: one PTE table per span touched (4 MiB, 2 MiB, 1 MiB); munmap frees
 * a table once no VMA intersects its span, and keeps one a VMA still uses. */
static void tables_per_span(void)
{
	struct mm_machine *m = env_make(fc, 0);
	struct mm_pgtable_geometry g;
	uint64_t at, tables, span, before;
	uint8_t w = 1;
	ASSERT_TRUE(m);
	mm_pgtable_geometry(m, &g);
	span = 1ull << g.pte_span_shift;
	ASSERT_EQ(mm_do_mmap(m, 0, 0x10000000, 4 * span, 3, MM_MAP_FIXED, &at), 0);
	for (unsigned i = 0; i < 4; i++)
		ASSERT_EQ(mm_user_write(m, 0, at + i * span + 0x1000 * i, &w, 1), 0);
	ASSERT_EQ(mm_get_mm_counter(m, 0, NULL, &tables), 0);
	ASSERT_EQ(tables, 4);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_do_munmap(m, 0, at + span, span + 0x1000), 0);
	/* span 1 freed with its page; span 2 still holds the VMA's rest */
	ASSERT_EQ(mm_get_mm_counter(m, 0, NULL, &tables), 0);
	ASSERT_EQ(tables, 3);
	ASSERT_EQ(mm_nr_free_pages(m) - before, 2);
	ASSERT_EQ(mm_do_munmap(m, 0, at, 4 * span), 0);
	ASSERT_EQ(mm_get_mm_counter(m, 0, NULL, &tables), 0);
	ASSERT_EQ(tables, 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a corrupted leaf entry (a bit no encoding sets) is found by
 * mm_verify ("bad pte") and by the walk: an access there is -EFAULT with a
 * CORRUPTION report; repaired, both pass again. A corrupted table entry is
 * found likewise ("bad pmd"). */
static void corrupted_entries(void)
{
	struct mm_machine *m = env_make(fc, 0);
	const unsigned esz = fc->profile == MM_PROFILE_X86_PAE ? 8 : 4;
	uint8_t w = 1, junk, keep;
	mm_pfn_t pgd;
	uint64_t pmdp, ptep;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &w, 1), 0);
	pmdp = pmd_entry_addr(m, pgd, ENV_VMA);
	ptep = (rd(m, pmdp, esz) >> 12) << 12;
	ASSERT_EQ(mm_phys_read(m, ptep + 1, &keep, 1), 0);
	junk = keep | 0x08; /* bit 11: unused on x86; ARM L_PTE_NONE, never with valid */
	ASSERT_EQ(mm_phys_write(m, ptep + 1, &junk, 1), 0);
	ASSERT_EQ(mm_verify(m), -EUCLEAN);
	ASSERT_TRUE(strstr(mm_verify_message(m), "bad pte") != NULL);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &w, 1), -EFAULT);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_CORRUPTION), 1);
	ASSERT_EQ(mm_phys_write(m, ptep + 1, &keep, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_read(m, pmdp, &keep, 1), 0);
	junk = keep ^ 0x02; /* x86: RW of _PAGE_TABLE; ARM: the section type */
	ASSERT_EQ(mm_phys_write(m, pmdp, &junk, 1), 0);
	ASSERT_EQ(mm_verify(m), -EUCLEAN);
	ASSERT_TRUE(strstr(mm_verify_message(m), "bad pmd") != NULL);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &w, 1), -EFAULT);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_CORRUPTION), 2);
	ASSERT_EQ(mm_phys_write(m, pmdp, &keep, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a leaf entry with its pfn and other bits intact but neither
 * present (x86 _PAGE_PRESENT, ARM L_PTE_VALID) nor PROT_NONE (x86
 * _PAGE_PROTNONE, ARM L_PTE_NONE) maps nothing as no encoding produces it:
 * follow_page returns its flags, not present, with -EFAULT; mm_verify finds
 * it ("bad pte"); written back, both are clean. */
static void neither_present_nor_protnone(void)
{
	struct mm_machine *m = env_make(fc, 0);
	const unsigned esz = fc->profile == MM_PROFILE_X86_PAE ? 8 : 4;
	struct mm_pte_info pte;
	uint8_t w = 1, keep, junk;
	mm_pfn_t pgd, pfn;
	uint64_t ptep;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &w, 1), 0);
	pfn = env_pfn(m, 0, ENV_VMA);
	ptep = (rd(m, pmd_entry_addr(m, pgd, ENV_VMA), esz) >> 12) << 12;
	ASSERT_EQ(mm_phys_read(m, ptep, &keep, 1), 0);
	ASSERT_EQ(keep & 0x1, 0x1); /* present/valid is bit 0 on every profile */
	junk = keep & ~0x1;
	ASSERT_EQ(mm_phys_write(m, ptep, &junk, 1), 0);
	ASSERT_EQ(rd(m, ptep, esz), (pfn << 12) | (fc->profile == MM_PROFILE_ARM ? 0x142 : 0x66));
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA, &pte), -EFAULT);
	ASSERT_EQ(pte.pfn, pfn);
	ASSERT_EQ(pte.flags & (MM_PTE_PRESENT | MM_PTE_PROTNONE), 0);
	ASSERT_EQ(mm_verify(m), -EUCLEAN);
	ASSERT_TRUE(strstr(mm_verify_message(m), "bad pte") != NULL);
	ASSERT_EQ(mm_phys_write(m, ptep, &keep, 1), 0);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA, &pte), 0);
	ASSERT_EQ(pte.flags & MM_PTE_PRESENT, MM_PTE_PRESENT);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: every leaf entry a profile can hold, present or PROT_NONE, with
 * or without user, young and dirty (read-only: x86 no _PAGE_RW, ARM
 * L_PTE_RDONLY), decoded by follow_page to exactly those flags. The bits
 * are the kernel's: x86 _PAGE_PRESENT 0x1, _PAGE_USER 0x4, _PAGE_ACCESSED
 * 0x20, _PAGE_DIRTY 0x40, _PAGE_PROTNONE 0x100; ARM L_PTE_VALID 0x1,
 * L_PTE_YOUNG 0x2, L_PTE_DIRTY 0x40, L_PTE_RDONLY 0x80, L_PTE_USER 0x100,
 * L_PTE_NONE 0x800. A decoder that mixes one flag's absence into another
 * (a PROT_NONE entry without user read as present too) fails here. */
static void leaf_flags_decoded(void)
{
	struct mm_machine *m = env_make(fc, 0);
	const bool arm = fc->profile == MM_PROFILE_ARM;
	const unsigned esz = fc->profile == MM_PROFILE_X86_PAE ? 8 : 4;
	const uint64_t present = 0x1, protnone = arm ? 0x800 : 0x100, user = arm ? 0x100 : 0x4,
		       young = arm ? 0x2 : 0x20, dirty = 0x40, rdonly = arm ? 0x80 : 0;
	struct mm_pte_info pte;
	uint8_t w = 1, keep[8];
	mm_pfn_t pgd, pfn;
	uint64_t ptep;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &w, 1), 0);
	pfn = env_pfn(m, 0, ENV_VMA);
	ptep = (rd(m, pmd_entry_addr(m, pgd, ENV_VMA), esz) >> 12) << 12;
	ASSERT_EQ(mm_phys_read(m, ptep, keep, esz), 0);
	for (unsigned mask = 0; mask < 16; mask++) {
		const uint64_t raw = (pfn << 12) | rdonly | (mask & 1 ? present : protnone) |
				     (mask & 2 ? user : 0) | (mask & 4 ? young : 0) | (mask & 8 ? dirty : 0);
		const uint32_t want = (mask & 1 ? MM_PTE_PRESENT : MM_PTE_PROTNONE) |
				      (mask & 2 ? MM_PTE_USER : 0) | (mask & 4 ? MM_PTE_ACCESSED : 0) |
				      (mask & 8 ? MM_PTE_DIRTY : 0);
		uint8_t b[8];
		for (unsigned i = 0; i < esz; i++)
			b[i] = (uint8_t)(raw >> (8 * i));
		ASSERT_EQ(mm_phys_write(m, ptep, b, esz), 0);
		mm_follow_page(m, 0, ENV_VMA, &pte); /* PROT_NONE may be refused: the flags are the point */
		ASSERT_EQ(pte.pfn, pfn);
		ASSERT_EQ(pte.flags, want);
	}
	/* a present entry with one low bit no encoding produces (x86 _PAGE_PCD
	 * 0x10, ARM bit 2, between L_PTE_YOUNG and L_PTE_DIRTY): a bad pte */
	{
		const uint64_t raw = (pfn << 12) | present | user | young | (arm ? 0x4 : 0x10);
		uint8_t b[8];
		for (unsigned i = 0; i < esz; i++)
			b[i] = (uint8_t)(raw >> (8 * i));
		ASSERT_EQ(mm_phys_write(m, ptep, b, esz), 0);
		ASSERT_EQ(mm_verify(m), -EUCLEAN);
		ASSERT_TRUE(strstr(mm_verify_message(m), "bad pte") != NULL);
	}
	ASSERT_EQ(mm_phys_write(m, ptep, keep, esz), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(fault_confs) / sizeof(fault_confs[0]); i++) {
		fc = &fault_confs[i];
		printf("configuration %s\n", fc->name);
		RUN(geometry);
		RUN(pgd_alloc_pages);
		RUN(entry_encoding);
		RUN(tables_per_span);
		RUN(corrupted_entries);
		RUN(neither_present_nor_protnone);
		RUN(leaf_flags_decoded);
	}
	return check_summary("test_pgtable");
}
