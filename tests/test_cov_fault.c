/* label: scenario */
/*
 * Fault-path and physical-memory edges no harness draws yet (the open rows
 * of docs/coverage.md): x86_32 PTEs rewritten through physical memory into
 * entries that decode but are wrong (a writable or non-special zero-page
 * entry, a special entry of a normal page, an entry naming a pfn without a
 * struct page, a free page or a page-table page) and into a valid writable
 * entry that is old and clean; the zero page written without
 * MM_HARDEN_ZERO_PAGE_WP; physical writes elsewhere with it; mm_verify over
 * more than 256 mapped pages and failing in a process that is not the
 * last; nine pages pinned at once; the host backing cap met by a write
 * fault and by a copy-on-write copy; munmap/mprotect ranges that wrap;
 * page-directory entries naming pages that are not page tables; bad
 * PDEs, PAE PDPT entries and PTEs met by munmap, mprotect, fork and exit
 * (docs/fault.md "Entries this model never makes"); ARM and PAE junk bits.
 *
 * Expectations: x86 leaf bits P 0x1, RW 0x2, U 0x4, A 0x20, D 0x40,
 * PROTNONE 0x100, SPECIAL 0x200 (docs/fault.md "Page tables"); a present
 * entry is young after an access and dirty after a write
 * (semantics.md §7); an entry that is not one this model makes -- the zero page writable
 * or not special, a pfn with no page, a free page, a page that is not
 * anonymous -- breaks the invariants of semantics.md §6, so the fault path
 * refuses the access (CORRUPTION report, -EFAULT, fault.md) and mm_verify
 * names it; the zero page is never written (semantics.md §6): without the
 * hardening switch a physical write lands and mm_verify finds it
 * (checking.md), with it only a write reaching the zero page is refused; a
 * write past the backing cap is -ENOMEM (semantics.md §0.5); a pin is one
 * reference on the page (fault.h).
 */
#include "check.h"

#include <errno.h>
#include <string.h>

#include "fault_env.h"

#define KINDS(m, k) mm_report_count_kind((m), (k))

#define X86_P 0x1u
#define X86_RW 0x2u
#define X86_U 0x4u
#define X86_A 0x20u
#define X86_D 0x40u
#define X86_SPECIAL 0x200u

static int walk_count(void *arg, uint64_t va, const struct mm_pte_info *pte)
{
	(void)va;
	(void)pte;
	++*(int *)arg;
	return 0;
}

/* x86_32: the PTE of va in process id's tables (4-byte entries). */
static uint64_t pte_addr(struct mm_machine *m, uint32_t id, uint64_t va)
{
	mm_pfn_t pgd;
	uint32_t pde = 0;
	if (mm_mm_pgd(m, id, &pgd) || mm_phys_read(m, pgd * 4096 + 4 * (va >> 22), &pde, 4))
		return 0;
	return (uint64_t)(pde & ~0xfffu) + 4 * ((va >> 12) & 1023);
}

/* Expect: an old, clean, writable entry (A and D cleared through physical
 * memory) is a valid mapping: a read makes it young only, a write young
 * and dirty; the data stays, nothing is reported, verify is clean. */
static void old_clean_writable_entry(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	uint32_t raw = 0, clean;
	uint64_t at;
	uint8_t b = 0x3c, r = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	at = pte_addr(m, 0, ENV_VMA);
	ASSERT_NE(at, 0);
	ASSERT_EQ(mm_phys_read(m, at, &raw, 4), 0);
	ASSERT_EQ(raw & (X86_P | X86_RW | X86_A | X86_D), X86_P | X86_RW | X86_A | X86_D);
	clean = raw & ~(X86_A | X86_D);
	ASSERT_EQ(mm_phys_write(m, at, &clean, 4), 0);
	ASSERT_EQ(env_flags(m, 0, ENV_VMA) & (MM_PTE_ACCESSED | MM_PTE_DIRTY), 0);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &r, 1), 0);
	ASSERT_EQ(r, 0x3c);
	ASSERT_EQ(env_flags(m, 0, ENV_VMA) & (MM_PTE_ACCESSED | MM_PTE_DIRTY | MM_PTE_RW),
		  MM_PTE_ACCESSED | MM_PTE_RW);
	ASSERT_EQ(mm_phys_write(m, at, &clean, 4), 0);
	b = 0x3d;
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(env_flags(m, 0, ENV_VMA) & (MM_PTE_ACCESSED | MM_PTE_DIRTY | MM_PTE_RW),
		  MM_PTE_ACCESSED | MM_PTE_DIRTY | MM_PTE_RW);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &r, 1), 0);
	ASSERT_EQ(r, 0x3d);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Rewrite the PTE at `at` to `bad`, expect a read of va refused as a bad
 * map (-EFAULT, one more CORRUPTION report) and mm_verify failing, then
 * put raw back and expect verify clean again. */
static int bad_entry_case(struct mm_machine *m, uint64_t at, uint32_t raw, uint32_t bad, uint64_t va)
{
	uint8_t r;
	uint64_t before = KINDS(m, MM_REPORT_CORRUPTION);
	if (mm_phys_write(m, at, &bad, 4))
		return 1;
	if (mm_user_read(m, 0, va, &r, 1) != -EFAULT)
		return 2;
	if (KINDS(m, MM_REPORT_CORRUPTION) != before + 1)
		return 3;
	if (mm_verify(m) == 0)
		return 4;
	if (mm_phys_write(m, at, &raw, 4))
		return 5;
	if (mm_verify(m) != 0)
		return 6;
	return 0;
}

/* Expect (x86_32 with the zero page): after a read fault the entry maps
 * the zero page present, user, special, read-only. Made writable, or with
 * the special bit cleared, it is a bad map. */
static void zero_page_entry_rewritten(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	mm_pfn_t zero;
	uint32_t raw = 0;
	uint64_t at;
	uint8_t r = 1;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_zero_page_pfn(m, &zero), 0);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &r, 1), 0);
	ASSERT_EQ(r, 0);
	ASSERT_EQ(env_pfn(m, 0, ENV_VMA), zero);
	at = pte_addr(m, 0, ENV_VMA);
	ASSERT_NE(at, 0);
	ASSERT_EQ(mm_phys_read(m, at, &raw, 4), 0);
	ASSERT_EQ(raw >> 12, zero);
	ASSERT_EQ(raw & (X86_P | X86_RW | X86_U | X86_SPECIAL), X86_P | X86_U | X86_SPECIAL);
	ASSERT_EQ(bad_entry_case(m, at, raw, raw | X86_RW, ENV_VMA), 0);
	ASSERT_EQ(bad_entry_case(m, at, raw, raw & ~X86_SPECIAL, ENV_VMA), 0);
	ASSERT_EQ(mm_report_count(m), 2);
	mm_machine_destroy(m);
}

/* Expect: an entry of an anonymous page rewritten to name a pfn with no
 * struct page, the same page marked special, a free page, or the process's
 * own page directory (allocated, not anonymous): each a bad map. */
static void anon_entry_rewritten(void)
{
	struct mm_machine *m = env_make(&fault_confs[1], 0);
	struct mm_page_info pi;
	mm_pfn_t pgd, page, free_pfn = 0;
	uint32_t raw = 0, low;
	uint64_t at;
	uint8_t b = 7;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	page = env_pfn(m, 0, ENV_VMA);
	at = pte_addr(m, 0, ENV_VMA);
	ASSERT_NE(at, 0);
	ASSERT_EQ(mm_phys_read(m, at, &raw, 4), 0);
	ASSERT_EQ(raw >> 12, page);
	low = raw & 0xfffu;
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	for (mm_pfn_t p = ENV_START + ENV_PAGES - 1; p >= ENV_START && !free_pfn; p--)
		if (!mm_page_info(m, p, &pi) && (pi.flags & MM_PAGE_FREE))
			free_pfn = p;
	ASSERT_NE(free_pfn, 0);
	ASSERT_EQ(mm_page_info(m, 0x10, &pi), -ENOENT);
	ASSERT_EQ(bad_entry_case(m, at, raw, (0x10u << 12) | low, ENV_VMA), 0);
	ASSERT_EQ(bad_entry_case(m, at, raw, raw | X86_SPECIAL, ENV_VMA), 0);
	ASSERT_EQ(bad_entry_case(m, at, raw, (uint32_t)(free_pfn << 12) | low, ENV_VMA), 0);
	ASSERT_EQ(bad_entry_case(m, at, raw, (uint32_t)(pgd << 12) | low, ENV_VMA), 0);
	ASSERT_EQ(mm_report_count(m), 4);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(b, 7);
	mm_machine_destroy(m);
}

/* Expect: without MM_HARDEN_ZERO_PAGE_WP a physical write to the zero page
 * lands; mm_verify then fails naming the byte (offset 100, then offset 0);
 * zeroed again, verify is clean. */
static void zero_page_written(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	mm_pfn_t zero;
	uint8_t b = 0x5a, z = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_zero_page_pfn(m, &zero), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, zero * 4096 + 100, &b, 1), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_TRUE(strstr(mm_verify_message(m), "byte 100") != NULL);
	ASSERT_EQ(mm_phys_write(m, zero * 4096 + 100, &z, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, zero * 4096, &b, 1), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_TRUE(strstr(mm_verify_message(m), "byte 0 ") != NULL);
	ASSERT_EQ(mm_phys_write(m, zero * 4096, &z, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

/* Expect: with MM_HARDEN_ZERO_PAGE_WP a write to an anonymous page and a
 * write to a pfn without a struct page (below the node) land and read
 * back; a write to the zero page is refused (-EFAULT, one BUG report). */
static void zero_page_guard_elsewhere(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], MM_HARDEN_ZERO_PAGE_WP);
	struct mm_page_info pi;
	mm_pfn_t page, zero;
	uint8_t b = 1, buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[8] = { 0 };
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	page = env_pfn(m, 0, ENV_VMA);
	ASSERT_EQ(mm_phys_write(m, page * 4096 + 16, buf, sizeof(buf)), 0);
	ASSERT_EQ(mm_phys_read(m, page * 4096 + 16, back, sizeof(back)), 0);
	ASSERT_EQ(memcmp(buf, back, sizeof(buf)), 0);
	ASSERT_EQ(mm_page_info(m, 0x10, &pi), -ENOENT);
	ASSERT_EQ(mm_phys_write(m, 0x10 * 4096 + 8, buf, sizeof(buf)), 0);
	memset(back, 0, sizeof(back));
	ASSERT_EQ(mm_phys_read(m, 0x10 * 4096 + 8, back, sizeof(back)), 0);
	ASSERT_EQ(memcmp(buf, back, sizeof(buf)), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &zero), 0);
	ASSERT_EQ(mm_phys_write(m, zero * 4096 + 1, &b, 1), -EFAULT);
	ASSERT_EQ(KINDS(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	mm_machine_destroy(m);
}

/* Expect: 512 pages written in a new 2 MiB VMA (plus the one of the first
 * VMA): rss 513, verify clean. */
static void verify_many_pages(void)
{
	struct mm_machine *m = env_make(&fault_confs[2], 0);
	const uint64_t va = 0x50000000ull, len = 0x200000ull;
	uint64_t at = 0, rss = 0, tables = 0;
	uint8_t b = 0x11;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_do_mmap(m, 0, va, len, MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, &at), 0);
	ASSERT_EQ(at, va);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	for (uint64_t off = 0; off < len; off += 4096)
		ASSERT_EQ(mm_user_write(m, 0, va + off, &b, 1), 0);
	ASSERT_EQ(mm_get_mm_counter(m, 0, &rss, &tables), 0);
	ASSERT_EQ(rss, 513);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	mm_machine_destroy(m);
}

/* Expect: nine distinct pages pinned at once: each pin is on the page its
 * entry maps, one pin each (a reference more); unpinned, none left. */
static void nine_pins(void)
{
	struct mm_machine *m = env_make(&fault_confs[3], 0);
	mm_pfn_t pfn[9];
	uint8_t b = 2;
	ASSERT_TRUE(m);
	for (unsigned i = 0; i < 9; i++) {
		ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + i * 4096ull, &b, 1), 0);
		ASSERT_EQ(env_refcount(m, env_pfn(m, 0, ENV_VMA + i * 4096ull)), 1);
	}
	for (unsigned i = 0; i < 9; i++) {
		ASSERT_EQ(mm_get_user_pages(m, 0, ENV_VMA + i * 4096ull, false, &pfn[i]), 0);
		ASSERT_EQ(pfn[i], env_pfn(m, 0, ENV_VMA + i * 4096ull));
	}
	for (unsigned i = 0; i < 9; i++) {
		ASSERT_EQ(mm_page_pins(m, pfn[i]), 1);
		ASSERT_EQ(env_refcount(m, pfn[i]), 2);
	}
	ASSERT_EQ(mm_verify(m), 0);
	for (unsigned i = 0; i < 9; i++) {
		ASSERT_EQ(mm_unpin_user_page(m, pfn[i]), 0);
		ASSERT_EQ(mm_page_pins(m, pfn[i]), 0);
		ASSERT_EQ(env_refcount(m, pfn[i]), 1);
	}
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: with a second process alive, a junk bit (bit 11, which no
 * encoding produces) in the first process's PTE makes mm_verify fail;
 * put back, verify is clean. */
static void verify_fails_in_first_process(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	uint32_t id = 0, raw = 0, bad;
	uint64_t at, a2 = 0;
	uint8_t b = 4;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(id, 1);
	ASSERT_EQ(mm_do_mmap(m, 1, ENV_VMA, 0x1000, MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, &a2), 0);
	ASSERT_EQ(mm_user_write(m, 1, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	at = pte_addr(m, 0, ENV_VMA);
	ASSERT_NE(at, 0);
	ASSERT_EQ(mm_phys_read(m, at, &raw, 4), 0);
	bad = raw | 0x800;
	ASSERT_EQ(mm_phys_write(m, at, &bad, 4), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, at, &raw, 4), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: with a backing cap of 64 pages, once the first page of the VMA
 * is written (its PTE table made) and the process forked, each write to a
 * new page backs exactly one more frame until the cap, and the write after
 * that is -ENOMEM; so is the child's copy-on-write fault on the page it
 * shares (the copy needs a frame), which leaves its entry as it was. */
static void backing_cap_on_write_fault(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	uint32_t id, child = 0;
	mm_pfn_t shared;
	uint64_t at, backed, ok = 0;
	uint8_t b = 0x77;
	int ret = 0;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.profile = MM_PROFILE_X86_32;
	cfg.phys_backing_max_pages = 64;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, ENV_START, ENV_START + ENV_PAGES), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, ENV_START, 10), 0);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(mm_do_mmap(m, id, ENV_VMA, 0x100000, MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, &at), 0);
	ASSERT_EQ(mm_user_write(m, id, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_dup_mm(m, id, &child), 0);
	backed = mm_phys_backed_pages(m);
	ASSERT_LT(backed, 64);
	for (uint64_t off = 4096; off < 0x100000 && !ret; off += 4096)
		if (!(ret = mm_user_write(m, id, ENV_VMA + off, &b, 1)))
			ok++;
	ASSERT_EQ(ret, -ENOMEM);
	ASSERT_EQ(ok, 64 - backed);
	ASSERT_EQ(mm_phys_backed_pages(m), 64);
	/* the child's write to the page it shares: a copy, whose frame is
	 * past the cap; the shared entry stays read-only */
	shared = env_pfn(m, child, ENV_VMA);
	ASSERT_EQ(env_pfn(m, id, ENV_VMA), shared);
	ASSERT_EQ(mm_user_write(m, child, ENV_VMA, &b, 1), -ENOMEM);
	ASSERT_EQ(env_pfn(m, child, ENV_VMA), shared);
	ASSERT_EQ(env_flags(m, child, ENV_VMA) & MM_PTE_RW, 0);
	ASSERT_EQ(mm_phys_backed_pages(m), 64);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: munmap and mprotect of a page-aligned range whose end wraps past
 * 2^64 are -EINVAL with nothing reported (as the ends of the address space
 * in test_fault_edges), nothing changed. */
static void range_wraps(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	uint8_t b = 3;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_do_munmap(m, 0, 0xfffffffffffff000ull, 0x2000), -EINVAL);
	ASSERT_EQ(mm_mprotect(m, 0, 0xfffffffffffff000ull, 0x2000, MM_PROT_READ), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(env_flags(m, 0, ENV_VMA) & MM_PTE_RW, MM_PTE_RW);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (x86_32): the page-directory entry of ENV_VMA pointed at a page
 * that is not a page table -- an anonymous page, a free page, a pfn with
 * no struct page -- is a bad pmd: the walk returns -EFAULT at its span
 * having visited nothing, mm_verify finds it; put back, clean. */
static void pde_names_a_non_table(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	struct mm_page_info pi;
	mm_pfn_t pgd, anon, free_pfn = 0;
	mm_pfn_t targets[3];
	uint32_t raw = 0, junk;
	uint8_t b = 9;
	const uint64_t pde = 4 * (ENV_VMA >> 22);
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	anon = env_pfn(m, 0, ENV_VMA);
	for (mm_pfn_t p = ENV_START + ENV_PAGES - 1; p >= ENV_START && !free_pfn; p--)
		if (!mm_page_info(m, p, &pi) && (pi.flags & MM_PAGE_FREE))
			free_pfn = p;
	ASSERT_NE(free_pfn, 0);
	ASSERT_EQ(mm_page_info(m, 0x10, &pi), -ENOENT);
	targets[0] = anon;
	targets[1] = free_pfn;
	targets[2] = 0x10;
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_phys_read(m, pgd * 4096 + pde, &raw, 4), 0);
	for (unsigned t = 0; t < 3; t++) {
		int n = 0;
		junk = (uint32_t)(targets[t] << 12) | (raw & 0xfff);
		ASSERT_EQ(mm_phys_write(m, pgd * 4096 + pde, &junk, 4), 0);
		ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), -EFAULT);
		ASSERT_EQ(n, 0);
		ASSERT_NE(mm_verify(m), 0);
		ASSERT_EQ(mm_phys_write(m, pgd * 4096 + pde, &raw, 4), 0);
		ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), 0);
		ASSERT_EQ(n, 1);
		ASSERT_EQ(mm_verify(m), 0);
	}
	mm_machine_destroy(m);
}

/* x86_32: the page-directory entry of va in process id. */
static uint64_t pde_addr(struct mm_machine *m, uint32_t id, uint64_t va)
{
	mm_pfn_t pgd;
	if (mm_mm_pgd(m, id, &pgd))
		return 0;
	return pgd * 4096 + 4 * (va >> 22);
}

/* Expect (x86_32, docs/fault.md "Entries this model never makes"): the
 * page-directory entry over three written pages made junk (bit 8 set,
 * which a table pointer never has) is a bad pmd for every walk: mprotect
 * and fork report it once each (pgtable CORRUPTION) and skip its span, so
 * fork allocates only the child's pgd and the parent's entries stay
 * writable; munmap reports it and frees nothing; mm_verify names it. Put
 * back, the skipped work shows: writable entries in a read-only VMA, then
 * (after munmap) entries outside any VMA, both failing verify; a second
 * mprotect repairs the first. exit over the junk entry reports it and
 * frees the pgd only: the table and its three pages behind the entry are
 * lost, as with the kernel's pmd_clear_bad. */
static void bad_pde_met_by_walks(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	uint32_t raw = 0, junk, child = 0;
	uint64_t pdea, free0, rss = 9, tables = 9;
	uint8_t b = 5;
	ASSERT_TRUE(m);
	for (unsigned i = 0; i < 3; i++)
		ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + i * 4096ull, &b, 1), 0);
	pdea = pde_addr(m, 0, ENV_VMA);
	ASSERT_NE(pdea, 0);
	ASSERT_EQ(mm_phys_read(m, pdea, &raw, 4), 0);
	ASSERT_EQ(raw & 0xfffu, 0x67);
	junk = raw | 0x100;
	ASSERT_EQ(mm_phys_write(m, pdea, &junk, 4), 0);
	ASSERT_EQ(mm_mprotect(m, 0, ENV_VMA, 0x40000, MM_PROT_READ), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 1);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_dup_mm(m, 0, &child), 0);
	ASSERT_EQ(child, 1);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 2);
	ASSERT_EQ(free0 - mm_nr_free_pages(m), 1);
	ASSERT_EQ(mm_get_mm_counter(m, child, &rss, &tables), 0);
	ASSERT_EQ(rss, 0);
	ASSERT_EQ(tables, 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, pdea, &raw, 4), 0);
	for (unsigned i = 0; i < 3; i++)
		ASSERT_EQ(env_flags(m, 0, ENV_VMA + i * 4096ull) & MM_PTE_RW, MM_PTE_RW);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_mprotect(m, 0, ENV_VMA, 0x40000, MM_PROT_READ), 0);
	ASSERT_EQ(env_flags(m, 0, ENV_VMA) & MM_PTE_RW, 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_report_count(m), 2);
	/* munmap over the junk entry */
	ASSERT_EQ(mm_phys_write(m, pdea, &junk, 4), 0);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA, 0x40000), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 3);
	ASSERT_EQ(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_phys_write(m, pdea, &raw, 4), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_get_mm_counter(m, 0, &rss, &tables), 0);
	ASSERT_EQ(rss, 3);
	ASSERT_EQ(tables, 1);
	/* exit over the junk entry */
	ASSERT_EQ(mm_phys_write(m, pdea, &junk, 4), 0);
	ASSERT_EQ(mm_mmput(m, 0), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 4);
	ASSERT_EQ(mm_nr_free_pages(m) - free0, 1);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_mmput(m, child), 0);
	ASSERT_EQ(mm_nr_free_pages(m) - free0, 2);
	ASSERT_EQ(mm_report_count(m), 4);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (PAE): the PDPT entry of the GiB holding the VMA made junk (RW
 * set; a PDPT entry is P only) is met as a bad entry by mprotect, munmap
 * and fork (one pgtable CORRUPTION report each, the GiB skipped: munmap
 * frees nothing, fork allocates only the child's pgd and its three PMDs)
 * and by the page walk (-EFAULT); mm_verify fails. exit over it reports it
 * and frees the pgd and the two good PMDs: the PMD behind the junk entry,
 * its PTE table and the two pages are lost. The child's exit frees its
 * four pages. */
static void bad_pdpte_met_by_walks(void)
{
	struct mm_machine *m = env_make(&fault_confs[2], 0);
	mm_pfn_t pgd;
	uint64_t raw = 0, junk, free0;
	uint32_t child = 0;
	uint8_t b = 6;
	int n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 0x1000, &b, 1), 0);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_phys_read(m, pgd * 4096 + 8, &raw, 8), 0);
	ASSERT_EQ(raw & 0xfffu, 0x1);
	junk = raw | 0x2;
	ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 8, &junk, 8), 0);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_mprotect(m, 0, ENV_VMA, 0x40000, MM_PROT_READ), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 1);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA + 0x1000, 0x1000), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 2);
	ASSERT_EQ(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_dup_mm(m, 0, &child), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 4); /* one per VMA: the munmap split it in two */
	ASSERT_EQ(free0 - mm_nr_free_pages(m), 4);
	ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), -EFAULT);
	ASSERT_EQ(n, 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_mmput(m, 0), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 5);
	ASSERT_EQ(mm_nr_free_pages(m) - (free0 - 4), 3);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_mmput(m, child), 0);
	ASSERT_EQ(mm_nr_free_pages(m) - (free0 - 4), 7);
	ASSERT_EQ(mm_report_count(m), 5);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (x86_32 without the zero page), docs/fault.md "Entries this model
 * never makes": of three written pages p0, p1, p2, p1's entry rewritten to
 * name a free page and p2's made junk (present bit cleared: neither present
 * nor PROT_NONE). mprotect leaves the junk entry and rewrites the other
 * (nothing reported: change_pte_range checks no page); fork copies p0 only
 * and reports the other two (fault CORRUPTION "Bad page map"), allocating
 * the child's pgd and table; munmap of the three reports p1's entry and
 * clears it dropping nothing (p1 keeps its one mapping and reference, the
 * mm's rss keeps it, so verify fails), drops p0 (still the child's) and p2
 * (its pfn is still an anonymous page of ours: freed) and keeps the table
 * for the rest of the VMA; exit then frees the table and the pgd. p1 is
 * lost, as with the kernel's rss-counter mismatch. */
static void bad_ptes_met_by_walks(void)
{
	struct mm_machine *m = env_make(&fault_confs[1], 0);
	struct mm_page_info pi;
	mm_pfn_t p[3], free_pfn = 0;
	uint32_t raw[3], bad1, bad2, child = 0;
	uint64_t at[3], free0, rss = 9, tables = 9;
	uint8_t b = 8;
	ASSERT_TRUE(m);
	for (unsigned i = 0; i < 3; i++) {
		ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + i * 4096ull, &b, 1), 0);
		p[i] = env_pfn(m, 0, ENV_VMA + i * 4096ull);
		at[i] = pte_addr(m, 0, ENV_VMA + i * 4096ull);
		ASSERT_NE(at[i], 0);
		ASSERT_EQ(mm_phys_read(m, at[i], &raw[i], 4), 0);
	}
	for (mm_pfn_t q = ENV_START + ENV_PAGES - 1; q >= ENV_START && !free_pfn; q--)
		if (!mm_page_info(m, q, &pi) && (pi.flags & MM_PAGE_FREE))
			free_pfn = q;
	ASSERT_NE(free_pfn, 0);
	bad1 = (uint32_t)(free_pfn << 12) | (raw[1] & 0xfffu);
	bad2 = raw[2] & ~X86_P;
	ASSERT_EQ(mm_phys_write(m, at[1], &bad1, 4), 0);
	ASSERT_EQ(mm_phys_write(m, at[2], &bad2, 4), 0);
	ASSERT_EQ(mm_mprotect(m, 0, ENV_VMA, 0x40000, MM_PROT_READ), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_phys_read(m, at[2], &raw[2], 4), 0);
	ASSERT_EQ(raw[2], bad2);
	ASSERT_EQ(mm_phys_read(m, at[1], &raw[1], 4), 0);
	ASSERT_EQ(raw[1], bad1 & ~X86_RW);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_dup_mm(m, 0, &child), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 2);
	ASSERT_EQ(free0 - mm_nr_free_pages(m), 2);
	ASSERT_EQ(mm_get_mm_counter(m, child, &rss, &tables), 0);
	ASSERT_EQ(rss, 1);
	ASSERT_EQ(env_pfn(m, child, ENV_VMA), p[0]);
	ASSERT_EQ(env_mapcount(m, p[0]), 2);
	ASSERT_NE(mm_verify(m), 0);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA, 0x3000), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 3);
	ASSERT_EQ(mm_nr_free_pages(m) - free0, 1);
	ASSERT_EQ(mm_page_info(m, p[2], &pi), 0);
	ASSERT_TRUE(pi.flags & MM_PAGE_FREE);
	ASSERT_EQ(env_mapcount(m, p[0]), 1);
	ASSERT_EQ(env_refcount(m, p[1]), 1);
	ASSERT_EQ(env_mapcount(m, p[1]), 1);
	ASSERT_EQ(mm_get_mm_counter(m, 0, &rss, &tables), 0);
	ASSERT_EQ(rss, 1);
	ASSERT_EQ(tables, 1);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_mmput(m, 0), 0);
	ASSERT_EQ(mm_nr_free_pages(m) - free0, 3);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_report_count(m), 3);
	mm_machine_destroy(m);
}

/* Expect: a page pinned and then unmapped is still allocated and
 * anonymous but mapped by nobody (mapcount -1 in the kernel's terms); an
 * entry rewritten to name it is a bad map (-EFAULT, CORRUPTION) and
 * mm_verify names it; put back and unpinned, the page is freed. */
static void entry_names_unmapped_pinned_page(void)
{
	struct mm_machine *m = env_make(&fault_confs[1], 0);
	mm_pfn_t a = 0;
	uint32_t raw = 0, bad;
	uint64_t at, free0;
	uint8_t b = 1;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 0x1000, &b, 1), 0);
	ASSERT_EQ(mm_get_user_pages(m, 0, ENV_VMA, false, &a), 0);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA, 0x1000), 0);
	ASSERT_EQ(env_refcount(m, a), 1);
	ASSERT_EQ(env_mapcount(m, a), 0);
	at = pte_addr(m, 0, ENV_VMA + 0x1000);
	ASSERT_NE(at, 0);
	ASSERT_EQ(mm_phys_read(m, at, &raw, 4), 0);
	bad = (uint32_t)(a << 12) | (raw & 0xfffu);
	ASSERT_EQ(bad_entry_case(m, at, raw, bad, ENV_VMA + 0x1000), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_unpin_user_page(m, a), 0);
	ASSERT_EQ(mm_nr_free_pages(m) - free0, 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (docs/fault.md "Page tables": a table entry is x86's 0x67 or
 * ARM's coarse descriptor, anything else is a bad entry; a leaf entry has
 * only the known bits): ARM's first-level entry of ENV_VMA with the
 * coarse type but bit 10 set, and PAE's page-middle entry with a pfn past
 * the profile's 24 bits (bit 40), are bad pmds: a read is -EFAULT with one
 * pgtable CORRUPTION report and mm_verify fails; a leaf entry with ARM's
 * unused bit 2 set, or PAE's with bit 40 set (a pfn no PAE machine has),
 * is a bad map (bad_entry_case). Each put back, verify is clean. */
static void junk_bits_arm_and_pae(void)
{
	for (unsigned c = 0; c < 2; c++) {
		struct mm_machine *m = env_make(&fault_confs[c ? 2 : 4], 0);
		mm_pfn_t pgd, page;
		uint64_t upper, raw = 0, bad, leaf;
		uint8_t b = 0x21, r = 0;
		ASSERT_TRUE(m);
		ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
		page = env_pfn(m, 0, ENV_VMA);
		ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
		if (!c) {
			/* ARM: 1 MiB per first-level entry, 256 4-byte leaves per table */
			uint32_t e = 0;
			upper = pgd * 4096 + 4 * (ENV_VMA >> 20);
			ASSERT_EQ(mm_phys_read(m, upper, &e, 4), 0);
			ASSERT_EQ(e & 0x3ffu, 0x1);
			raw = e;
			bad = raw | 0x400;
			leaf = (raw & ~0xfffull) + 4 * ((ENV_VMA >> 12) & 255);
		} else {
			/* PAE: the PMD of the second GiB, 8-byte entries */
			uint64_t pdpte = 0;
			ASSERT_EQ(mm_phys_read(m, pgd * 4096 + 8, &pdpte, 8), 0);
			upper = (pdpte & ~0xfffull) + 8 * ((ENV_VMA >> 21) & 511);
			ASSERT_EQ(mm_phys_read(m, upper, &raw, 8), 0);
			ASSERT_EQ(raw & 0xfffu, 0x67);
			bad = raw | (1ull << 40);
			leaf = (raw & 0xfffff000ull) + 8 * ((ENV_VMA >> 12) & 511);
		}
		ASSERT_EQ(mm_phys_write(m, upper, &bad, c ? 8 : 4), 0);
		ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &r, 1), -EFAULT);
		ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 1);
		ASSERT_NE(mm_verify(m), 0);
		ASSERT_EQ(mm_phys_write(m, upper, &raw, c ? 8 : 4), 0);
		ASSERT_EQ(mm_verify(m), 0);
		if (!c) {
			uint32_t lraw = 0, lbad;
			ASSERT_EQ(mm_phys_read(m, leaf, &lraw, 4), 0);
			ASSERT_EQ(lraw >> 12, page);
			lbad = lraw | 0x4;
			ASSERT_EQ(bad_entry_case(m, leaf, lraw, lbad, ENV_VMA), 0);
		} else {
			uint64_t lraw = 0, lbad;
			ASSERT_EQ(mm_phys_read(m, leaf, &lraw, 8), 0);
			ASSERT_EQ(lraw >> 12, page);
			lbad = lraw | (1ull << 40);
			ASSERT_EQ(mm_phys_write(m, leaf, &lbad, 8), 0);
			ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &r, 1), -EFAULT);
			ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 2);
			ASSERT_NE(mm_verify(m), 0);
			ASSERT_EQ(mm_phys_write(m, leaf, &lraw, 8), 0);
		}
		ASSERT_EQ(mm_verify(m), 0);
		ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &r, 1), 0);
		ASSERT_EQ(r, 0x21);
		ASSERT_EQ(mm_report_count(m), 2);
		mm_machine_destroy(m);
	}
}

/* Expect: a junk x86_32 entry whose only non-zero byte is its top one
 * (0x80000000: not present, one pfn bit), at an odd index after an empty
 * one, is found by mm_verify: the table scans read two entries as one
 * eight-byte word, whose last byte is this entry's top byte. Written back
 * to zero, verify is clean. */
static void junk_top_byte_only(void)
{
	struct mm_machine *m = env_make(&fault_confs[1], 0);
	const uint32_t junk = 0x80000000u, zero = 0;
	const unsigned k = (unsigned)((ENV_VMA >> 12) & 1023);
	const unsigned j = k < 1000 ? ((k + 16) & ~7u) + 1 : ((k - 16) & ~7u) + 1;
	uint64_t at;
	uint8_t b = 1;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	at = pte_addr(m, 0, ENV_VMA);
	ASSERT_NE(at, 0);
	at = at - 4ull * k + 4ull * j; /* the same table, index j */
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, at, &junk, 4), 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, at, &zero, 4), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a user page at or above 2 GiB physical on x86_32 (pfn bit 19,
 * the highest of the profile's 20) is mapped and read like any other: an
 * entry is junk only for a pfn past the profile's physical bits. Node 0 is
 * highmem only, at 2 GiB (the current CPU's node, so __GFP_HIGHUSER pages
 * come from there); node 1 holds the lowmem the zero page and tables need. */
static void user_page_at_2gib(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	uint32_t id;
	uint64_t at;
	uint8_t b = 0x3c, r = 0;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, 0x80000, 0x80400), 0);
	ASSERT_EQ(mm_node_add(m, 1, 0x1000, 0x1400), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x80000, 10), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, 0x1000, 10), 0);
	ASSERT_EQ(mm_setup_per_zone_wmarks(m), 0);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(mm_do_mmap(m, id, ENV_VMA, 0x4000, MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, &at), 0);
	ASSERT_EQ(mm_user_write(m, id, ENV_VMA, &b, 1), 0);
	ASSERT_TRUE(env_pfn(m, id, ENV_VMA) >= 0x80000 && env_pfn(m, id, ENV_VMA) < 0x80400);
	ASSERT_EQ(mm_user_read(m, id, ENV_VMA, &r, 1), 0);
	ASSERT_EQ(r, 0x3c);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	ASSERT_EQ(mm_mmput(m, id), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(old_clean_writable_entry);
	RUN(zero_page_entry_rewritten);
	RUN(anon_entry_rewritten);
	RUN(zero_page_written);
	RUN(zero_page_guard_elsewhere);
	RUN(verify_many_pages);
	RUN(nine_pins);
	RUN(verify_fails_in_first_process);
	RUN(backing_cap_on_write_fault);
	RUN(range_wraps);
	RUN(pde_names_a_non_table);
	RUN(bad_pde_met_by_walks);
	RUN(bad_pdpte_met_by_walks);
	RUN(bad_ptes_met_by_walks);
	RUN(entry_names_unmapped_pinned_page);
	RUN(junk_bits_arm_and_pae);
	RUN(junk_top_byte_only);
	RUN(user_page_at_2gib);
	return check_summary("test_cov_fault");
}
