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
 * page-directory entries naming pages that are not page tables.
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
	return check_summary("test_cov_fault");
}
