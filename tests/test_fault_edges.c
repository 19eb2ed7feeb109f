/* label: scenario */
/*
 * The edges of the fault and page-table API that the fault harness does not
 * draw: every call without a machine or without its result pointer, every
 * process call before mm_fault_init and with a process that does not exist
 * (or has exited), mmap/munmap/follow_page arguments at the ends of the
 * address space, the process-count limit, a PTE no encoding produces, and
 * the zero page paging_init leaves without a struct page.
 *
 * Refusals follow the project's convention (semantics.md §0.3): a bad
 * argument of a call that has a machine is -EINVAL with one INVALID_ARG
 * report; without a machine, or without the pointer a result goes to, it is
 * -EINVAL with nothing reported (there is nowhere, or nothing, to report).
 */
#include "check.h"

#include <errno.h>

#include "fault_env.h"

#define KINDS(m, k) mm_report_count_kind((m), (k))

static int walk_count(void *arg, uint64_t va, const struct mm_pte_info *pte)
{
	(void)va;
	(void)pte;
	++*(int *)arg;
	return 0;
}

/* Expect: every call with no machine is -EINVAL (mm_page_pins: 0 pins). */
static void no_machine(void)
{
	uint8_t b = 0;
	uint32_t id;
	uint64_t u;
	mm_pfn_t pfn;
	struct mm_pte_info pte;
	struct mm_pgtable_geometry g;
	struct mm_paging_init_args a = { 0 };
	struct mm_paging_info pi;
	int n = 0;
	ASSERT_EQ(mm_fault_init(NULL), -EINVAL);
	ASSERT_EQ(mm_zero_page_pfn(NULL, &pfn), -EINVAL);
	ASSERT_EQ(mm_mm_alloc(NULL, &id), -EINVAL);
	ASSERT_EQ(mm_dup_mm(NULL, 0, &id), -EINVAL);
	ASSERT_EQ(mm_mmput(NULL, 0), -EINVAL);
	ASSERT_EQ(mm_do_mmap(NULL, 0, 0, 4096, MM_PROT_READ, 0, &u), -EINVAL);
	ASSERT_EQ(mm_do_munmap(NULL, 0, 0x10000, 4096), -EINVAL);
	ASSERT_EQ(mm_mprotect(NULL, 0, 0x10000, 4096, MM_PROT_READ), -EINVAL);
	ASSERT_EQ(mm_user_read(NULL, 0, 0x10000, &b, 1), -EINVAL);
	ASSERT_EQ(mm_user_write(NULL, 0, 0x10000, &b, 1), -EINVAL);
	ASSERT_EQ(mm_get_user_pages(NULL, 0, 0x10000, false, &pfn), -EINVAL);
	ASSERT_EQ(mm_unpin_user_page(NULL, 1), -EINVAL);
	ASSERT_EQ(mm_follow_page(NULL, 0, 0x10000, &pte), -EINVAL);
	ASSERT_EQ(mm_walk_page_range(NULL, 0, walk_count, &n), -EINVAL);
	ASSERT_EQ(mm_get_mm_counter(NULL, 0, &u, &u), -EINVAL);
	ASSERT_EQ(mm_mm_pgd(NULL, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_page_pins(NULL, 1), 0);
	ASSERT_EQ(mm_pgtable_geometry(NULL, &g), -EINVAL);
	ASSERT_EQ(mm_paging_init(NULL, &a, &pi), -EINVAL);
	ASSERT_EQ(mm_kernel_follow(NULL, 0xC0000000ull, &pte), -EINVAL);
	ASSERT_EQ(n, 0);
}

/* Expect: before mm_fault_init, each process call is refused with one
 * INVALID_ARG report ("before fault_init"); the zero page's pfn is -EINVAL
 * without a report (a query); mmput of process 0 and unpin of any pfn find
 * nothing (INVALID_ARG, BAD_PAGE). NULL result pointers: -EINVAL, no
 * report. mm_fault_init before the zones exist gets the page allocator's
 * refusal (-EINVAL, its BUG report "called before free_area_init"). */
static void before_fault_init(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	uint8_t b = 0;
	uint32_t id;
	uint64_t u;
	mm_pfn_t pfn;
	struct mm_pte_info pte;
	int n = 0;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &pfn), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_mm_alloc(m, &id), -EINVAL);
	ASSERT_EQ(mm_dup_mm(m, 0, &id), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, 0, 0, 4096, MM_PROT_READ, 0, &u), -EINVAL);
	ASSERT_EQ(mm_do_munmap(m, 0, 0x10000, 4096), -EINVAL);
	ASSERT_EQ(mm_mprotect(m, 0, 0x10000, 4096, MM_PROT_READ), -EINVAL);
	ASSERT_EQ(mm_user_read(m, 0, 0x10000, &b, 1), -EINVAL);
	ASSERT_EQ(mm_user_write(m, 0, 0x10000, &b, 1), -EINVAL);
	ASSERT_EQ(mm_get_user_pages(m, 0, 0x10000, true, &pfn), -EINVAL);
	ASSERT_EQ(mm_follow_page(m, 0, 0x10000, &pte), -EINVAL);
	ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), -EINVAL);
	ASSERT_EQ(mm_get_mm_counter(m, 0, &u, &u), -EINVAL);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pfn), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 12);
	ASSERT_EQ(mm_mmput(m, 0), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 13);
	ASSERT_EQ(mm_unpin_user_page(m, 0x123), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_page_pins(m, 0x123), 0);
	/* no result pointer: nothing reported */
	ASSERT_EQ(mm_zero_page_pfn(m, NULL), -EINVAL);
	ASSERT_EQ(mm_mm_alloc(m, NULL), -EINVAL);
	ASSERT_EQ(mm_dup_mm(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, 0, 0, 4096, MM_PROT_READ, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_follow_page(m, 0, 0x10000, NULL), -EINVAL);
	ASSERT_EQ(mm_walk_page_range(m, 0, NULL, NULL), -EINVAL);
	ASSERT_EQ(mm_mm_pgd(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_report_count(m), 14);
	/* the zero page comes from the page allocator, which has no zones yet */
	ASSERT_EQ(mm_fault_init(m), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_zero_page_pfn(m, &pfn), -EINVAL);
	ASSERT_EQ(n, 0);
	mm_machine_destroy(m);
}

/* Expect: zones with every page reserved (nothing handed over): fault_init
 * finds no page for the zero page, -ENOMEM, and may be retried. */
static void fault_init_no_page(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_pfn_t pfn;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_node_add(m, 0, ENV_START, ENV_START + ENV_PAGES), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_fault_init(m), -ENOMEM);
	ASSERT_EQ(mm_free_pages_bootmem(m, ENV_START, 0), 0);
	ASSERT_EQ(mm_fault_init(m), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &pfn), 0);
	ASSERT_EQ(pfn, ENV_START);
	ASSERT_EQ(mm_fault_init(m), -EEXIST);
	mm_machine_destroy(m);
}

/* Expect: a process id never created, or one that has exited, is refused
 * by every process call with one INVALID_ARG report each. */
static void bad_ids(const struct fault_conf *fc)
{
	struct mm_machine *m = env_make(fc, 0);
	uint8_t b = 0;
	uint32_t id;
	uint64_t u, rss = 7;
	mm_pfn_t pfn;
	struct mm_pte_info pte;
	int n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_mm_alloc(m, &id), 0);
	ASSERT_EQ(id, 1);
	ASSERT_EQ(mm_mmput(m, id), 0);
	for (uint32_t bad = 1; bad <= 99; bad += 98) {
		uint64_t before = KINDS(m, MM_REPORT_INVALID_ARG);
		ASSERT_EQ(mm_dup_mm(m, bad, &id), -EINVAL);
		ASSERT_EQ(mm_mmput(m, bad), -EINVAL);
		ASSERT_EQ(mm_do_mmap(m, bad, 0, 4096, MM_PROT_READ, 0, &u), -EINVAL);
		ASSERT_EQ(mm_do_munmap(m, bad, 0x10000, 4096), -EINVAL);
		ASSERT_EQ(mm_mprotect(m, bad, 0x10000, 4096, MM_PROT_READ), -EINVAL);
		ASSERT_EQ(mm_user_read(m, bad, 0x10000, &b, 1), -EINVAL);
		ASSERT_EQ(mm_user_write(m, bad, 0x10000, &b, 1), -EINVAL);
		ASSERT_EQ(mm_get_user_pages(m, bad, 0x10000, false, &pfn), -EINVAL);
		ASSERT_EQ(mm_follow_page(m, bad, 0x10000, &pte), -EINVAL);
		ASSERT_EQ(mm_walk_page_range(m, bad, walk_count, &n), -EINVAL);
		ASSERT_EQ(mm_get_mm_counter(m, bad, &u, &u), -EINVAL);
		ASSERT_EQ(mm_mm_pgd(m, bad, &pfn), -EINVAL);
		ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), before + 12);
	}
	/* get_user_pages without a result pointer: reported */
	ASSERT_EQ(mm_get_user_pages(m, 0, ENV_VMA, false, NULL), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 25);
	/* a missing result pointer concerns no address: the report says 0 */
	ASSERT_STR_EQ(mm_last_report(m)->msg, "get_user_pages: NULL out");
	ASSERT_EQ(mm_last_report(m)->addr, 0);
	/* a read of nothing through no buffer is a successful no-op */
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, NULL, 0), 0);
	/* unpin of the "no page" pfn: nothing pinned there */
	ASSERT_EQ(mm_unpin_user_page(m, (mm_pfn_t)-1), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_BAD_PAGE), 1);
	/* the counters may be asked one at a time */
	ASSERT_EQ(mm_get_mm_counter(m, 0, &rss, NULL), 0);
	ASSERT_EQ(rss, 0);
	ASSERT_EQ(mm_get_mm_counter(m, 0, NULL, NULL), 0);
	ASSERT_EQ(n, 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (fault.h's mmap contract and the kernel's checks): unknown flags
 * -EINVAL; a length that rounds up past 2^64 or beyond TASK_SIZE -ENOMEM;
 * munmap of a length whose round-up wraps, or that ends past TASK_SIZE,
 * -EINVAL; follow_page at or above TASK_SIZE -EFAULT, of an empty entry in
 * a table that exists -ENOENT. */
static void address_space_ends(const struct fault_conf *fc)
{
	struct mm_machine *m = env_make(fc, 0);
	struct mm_pgtable_geometry g;
	struct mm_pte_info pte;
	uint64_t u;
	uint8_t b = 1;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_pgtable_geometry(m, &g), 0);
	ASSERT_EQ(mm_pgtable_geometry(m, NULL), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, 0, 0, 4096, MM_PROT_READ, 0x1, &u), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, 0, 0, UINT64_MAX, MM_PROT_READ, 0, &u), -ENOMEM);
	ASSERT_EQ(mm_do_mmap(m, 0, 0, g.task_size + 4096, MM_PROT_READ, 0, &u), -ENOMEM);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA, UINT64_MAX), -EINVAL);
	ASSERT_EQ(mm_do_munmap(m, 0, g.task_size - 4096, 0x2000), -EINVAL);
	ASSERT_EQ(mm_follow_page(m, 0, g.task_size, &pte), -EFAULT);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA + 4096, &pte), -ENOENT);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA, &pte), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: ids are never reused and at most MM_MAX_PROCESSES are ever
 * created: once 4096 exist (live or exited), mm_alloc and dup_mm are
 * -EAGAIN, without a report. */
static void process_limit(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	uint32_t id = 0;
	ASSERT_TRUE(m);
	for (uint32_t i = 1; i < MM_MAX_PROCESSES; i++) {
		ASSERT_EQ(mm_mm_alloc(m, &id), 0);
		ASSERT_EQ(id, i);
		ASSERT_EQ(mm_mmput(m, id), 0);
	}
	ASSERT_EQ(mm_mm_alloc(m, &id), -EAGAIN);
	ASSERT_EQ(mm_dup_mm(m, 0, &id), -EAGAIN);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* x86_32: the PTE of va in process id's tables (4-byte entries). */
static uint64_t pte_addr_x86_32(struct mm_machine *m, uint32_t id, uint64_t va)
{
	mm_pfn_t pgd;
	uint32_t pde = 0;
	if (mm_mm_pgd(m, id, &pgd) || mm_phys_read(m, pgd * 4096 + 4 * (va >> 22), &pde, 4))
		return 0;
	return (uint64_t)(pde & ~0xfffu) + 4 * ((va >> 12) & 1023);
}

/* Expect: a present PTE with a bit no encoding of this profile produces
 * (bit 11) is not a mapping: follow_page returns its decoded flags with
 * -EFAULT, the walk passes it and returns -EFAULT after it, and mm_verify
 * reports it; writing the entry back makes everything clean again. */
static void junk_pte(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	struct mm_pte_info pte;
	uint32_t raw = 0, bad;
	uint64_t at;
	uint8_t b = 5;
	int n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	at = pte_addr_x86_32(m, 0, ENV_VMA);
	ASSERT_NE(at, 0);
	ASSERT_EQ(mm_phys_read(m, at, &raw, 4), 0);
	ASSERT_EQ(raw & 1, 1);
	bad = raw | 0x800;
	ASSERT_EQ(mm_phys_write(m, at, &bad, 4), 0);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA, &pte), -EFAULT);
	ASSERT_EQ(pte.flags & MM_PTE_PRESENT, MM_PTE_PRESENT);
	ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), -EFAULT);
	ASSERT_EQ(n, 1);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, at, &raw, 4), 0);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA, &pte), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: x86 paging_init names the image's empty_zero_page; if the memmap
 * then built does not cover it, mm_fault_init cannot adopt it: -EINVAL with
 * an INVALID_ARG report from the fault stage. */
static void boot_zero_page_without_struct_page(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	struct mm_paging_init_args a = { .kernel_start = 0x100000, .kernel_end = 0x500000,
					 .swapper_pg_dir = 0x400000, .empty_zero_page = 0x401000,
					 .lowmem_end = 0x4000000, .large_pages = true,
					 .source = MM_PGT_FROM_EARLY_RES };
	struct mm_paging_info pi;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_e820_add(m, 0x100000, 0x3f00000, MM_E820_RAM), 0);
	ASSERT_EQ(mm_reserve_early(m, a.kernel_start, a.kernel_end, "TEXT DATA BSS"), 0);
	ASSERT_EQ(mm_paging_init(m, &a, &pi), 0);
	ASSERT_EQ(pi.zero_pfn, 0x401);
	/* memory from 16 MiB only: pfn 0x401 has no struct page */
	ASSERT_EQ(mm_node_add(m, 0, ENV_START, ENV_START + ENV_PAGES), 0);
	ASSERT_EQ(mm_free_area_init(m), 0);
	ASSERT_EQ(mm_free_pages_bootmem(m, ENV_START, 4), 0);
	ASSERT_EQ(mm_fault_init(m), -EINVAL);
	ASSERT_EQ(KINDS(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

static int walk_stop(void *arg, uint64_t va, const struct mm_pte_info *pte)
{
	(void)pte;
	*(uint64_t *)arg = va;
	return 42;
}

/* Expect: mmap without a hint takes the highest gap below mmap_base
 * (TASK_SIZE - 128 MiB); with everything below mmap_base mapped it takes
 * the lowest gap above it, mmap_base itself. A walk stops at the first
 * entry its function refuses and returns that function's value. */
static void mmap_above_base_and_walk_stop(const struct fault_conf *fc)
{
	struct mm_machine *m = env_make(fc, 0);
	struct mm_pgtable_geometry g;
	uint64_t base, at = 0, va = 0;
	uint8_t b = 3;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_pgtable_geometry(m, &g), 0);
	base = g.task_size - ((uint64_t)128 << 20);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA, 0x40000), 0);
	ASSERT_EQ(mm_do_mmap(m, 0, MM_MMAP_MIN_ADDR, base - MM_MMAP_MIN_ADDR, MM_PROT_READ | MM_PROT_WRITE,
			     MM_MAP_FIXED, &at), 0);
	ASSERT_EQ(at, MM_MMAP_MIN_ADDR);
	ASSERT_EQ(mm_do_mmap(m, 0, 0, 4096, MM_PROT_READ | MM_PROT_WRITE, 0, &at), 0);
	ASSERT_EQ(at, base);
	ASSERT_EQ(mm_user_write(m, 0, 0x20000, &b, 1), 0);
	ASSERT_EQ(mm_user_write(m, 0, base, &b, 1), 0);
	ASSERT_EQ(mm_walk_page_range(m, 0, walk_stop, &va), 42);
	ASSERT_EQ(va, 0x20000);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (PAE): a user PDPT entry that is not a present table pointer is a
 * bad pgd, whichever bit is junk (PS, reserved in a PDPT entry; or the top
 * bit alone, an NX a PDPT entry may not have: the whole 8-byte entry is
 * read): a user access in its GiB is -EFAULT with a CORRUPTION report
 * from the page-table stage, the walk returns -EFAULT there, mm_verify
 * finds it; put back, all is clean. */
static void pae_bad_pdpt_entry(void)
{
	static const uint64_t junk_bits[] = { 0x80, 1ull << 63 };
	struct mm_machine *m = env_make(&fault_confs[2], 0);
	mm_pfn_t pgd;
	uint64_t raw = 0, junk;
	uint8_t b = 9;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	/* ENV_VMA (1 GiB) is in the second GiB: PDPT entry 1 */
	ASSERT_EQ(mm_phys_read(m, pgd * 4096 + 8, &raw, 8), 0);
	ASSERT_EQ(raw & 1, 1);
	for (unsigned k = 0; k < 2; k++) {
		int n = 0;
		junk = raw | junk_bits[k];
		ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 8, &junk, 8), 0);
		ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &b, 1), -EFAULT);
		ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), k + 1);
		ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), -EFAULT);
		ASSERT_EQ(n, 0);
		ASSERT_NE(mm_verify(m), 0);
		ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 8, &raw, 8), 0);
		ASSERT_EQ(mm_user_read(m, 0, ENV_VMA, &b, 1), 0);
		ASSERT_EQ(b, 9);
		ASSERT_EQ(mm_verify(m), 0);
	}
	mm_machine_destroy(m);
}

/* Expect (PAE): a PDPT entry naming a user page (present bit only, as a
 * good entry) is bad: the page is no table. munmap of a page in its GiB
 * reports it once (pgtable CORRUPTION) and skips the GiB: the user page's
 * bytes, all non-zero, are never read as PMD entries (which would be junk
 * and reported again). Put back, exit frees everything, verify is clean. */
static void pae_pdpt_entry_at_user_page(void)
{
	struct mm_machine *m = env_make(&fault_confs[2], 0);
	static uint8_t fill[4096];
	mm_pfn_t pgd, user;
	uint64_t raw = 0, junk, free0;
	ASSERT_TRUE(m);
	memset(fill, 0x5b, sizeof(fill));
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, fill, sizeof(fill)), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 0x1000, fill, 1), 0);
	user = env_pfn(m, 0, ENV_VMA);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_phys_read(m, pgd * 4096 + 8, &raw, 8), 0);
	junk = (user << 12) | 0x1;
	ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 8, &junk, 8), 0);
	free0 = mm_nr_free_pages(m);
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA + 0x1000, 0x1000), 0);
	ASSERT_EQ(KINDS(m, MM_REPORT_CORRUPTION), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_nr_free_pages(m), free0);
	ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 8, &raw, 8), 0);
	ASSERT_EQ(mm_mmput(m, 0), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (x86_32): a page-directory entry pointing at a page that is not a
 * table (the zero page) is a bad pmd: the walk returns -EFAULT at its span
 * and mm_verify finds it; put back, clean. */
static void x86_bad_pde(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	mm_pfn_t pgd, zero;
	uint32_t raw = 0, junk;
	uint8_t b = 9;
	int n = 0;
	ASSERT_TRUE(m);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA, &b, 1), 0);
	ASSERT_EQ(mm_mm_pgd(m, 0, &pgd), 0);
	ASSERT_EQ(mm_zero_page_pfn(m, &zero), 0);
	ASSERT_EQ(mm_phys_read(m, pgd * 4096 + 4 * (ENV_VMA >> 22), &raw, 4), 0);
	junk = (uint32_t)(zero << 12) | (raw & 0xfff);
	ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 4 * (ENV_VMA >> 22), &junk, 4), 0);
	ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), -EFAULT);
	ASSERT_EQ(n, 0);
	ASSERT_NE(mm_verify(m), 0);
	ASSERT_EQ(mm_phys_write(m, pgd * 4096 + 4 * (ENV_VMA >> 22), &raw, 4), 0);
	ASSERT_EQ(mm_walk_page_range(m, 0, walk_count, &n), 0);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect (vm.max_map_count, MM_MAX_MAP_COUNT = 65,530 VMAs): a split that
 * brings a process to exactly the limit is allowed, one past it is -ENOMEM
 * with nothing changed. VMAs are half-open: a VMA ending exactly where the
 * mprotect range starts is not touched and takes no split. Process 0 holds
 * its 256 KiB VMA, then 65,527 one-page VMAs side by side from 0x10000000
 * and one two-page VMA right after them: 65,529. mprotect of the two-page
 * VMA's first page splits it (65,530: allowed, though the one-page VMA
 * before ends at its start); of the whole former two-page range, no split
 * (allowed); of a page inside the 256 KiB VMA, two splits (-ENOMEM); mmap at
 * the limit -ENOMEM; after one munmap an mmap fits again; back at 65,529,
 * a MAP_FIXED mmap inside the 256 KiB VMA is -ENOMEM after its unmap,
 * and at 65,530 a munmap that would split a VMA is -ENOMEM. */
static void map_count_limit(void)
{
	struct mm_machine *m = env_make(&fault_confs[0], 0);
	const uint64_t base = 0x10000000, pg = MM_PAGE_SIZE;
	const uint32_t singles = MM_MAX_MAP_COUNT - 3;
	const uint64_t x = base + singles * pg; /* the two-page VMA */
	struct mm_pte_info pte;
	uint64_t at = 0;
	uint8_t b = 1;
	int ok = 1;
	ASSERT_TRUE(m);
	/* ascending hints, each range free: placed at the hint, appended last */
	for (uint32_t i = 0; i < singles && ok; i++)
		ok = !mm_do_mmap(m, 0, base + i * pg, pg, MM_PROT_READ | MM_PROT_WRITE, 0, &at) &&
		     at == base + i * pg;
	ASSERT_TRUE(ok);
	ASSERT_EQ(mm_do_mmap(m, 0, x, 2 * pg, MM_PROT_READ | MM_PROT_WRITE, 0, &at), 0);
	ASSERT_EQ(at, x);
	/* 65,529 VMAs: a split of the two-page VMA makes 65,530 */
	ASSERT_EQ(mm_mprotect(m, 0, x, pg, MM_PROT_READ), 0);
	ASSERT_EQ(mm_user_write(m, 0, x, &b, 1), -EFAULT);
	ASSERT_EQ(mm_user_write(m, 0, x + pg, &b, 1), 0);
	ASSERT_EQ(mm_user_write(m, 0, x - pg, &b, 1), 0);
	/* at the limit: a range covering whole VMAs splits nothing */
	ASSERT_EQ(mm_mprotect(m, 0, x, 2 * pg, MM_PROT_READ), 0);
	ASSERT_EQ(mm_user_write(m, 0, x + pg, &b, 1), -EFAULT);
	ASSERT_EQ(mm_user_write(m, 0, x - pg, &b, 1), 0);
	/* two splits past the limit: refused, the VMA still writable */
	ASSERT_EQ(mm_mprotect(m, 0, ENV_VMA + pg, pg, MM_PROT_READ), -ENOMEM);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + pg, &b, 1), 0);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA + pg, &pte), 0);
	ASSERT_EQ(pte.flags & MM_PTE_RW, MM_PTE_RW);
	ASSERT_EQ(mm_do_mmap(m, 0, 0x30000000, pg, MM_PROT_READ, 0, &at), -ENOMEM);
	ASSERT_EQ(mm_do_munmap(m, 0, base, pg), 0);
	ASSERT_EQ(mm_do_mmap(m, 0, 0x30000000, pg, MM_PROT_READ, 0, &at), 0);
	ASSERT_EQ(at, 0x30000000);
	/* 65,529 again; a MAP_FIXED mmap of one page inside the 256 KiB VMA:
	 * its unmap splits that VMA (65,530), so the new VMA does not fit:
	 * -ENOMEM, the page left unmapped (docs/fault.md), its neighbours kept */
	ASSERT_EQ(mm_do_munmap(m, 0, base + pg, pg), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 2 * pg, &b, 1), 0);
	ASSERT_EQ(mm_do_mmap(m, 0, ENV_VMA + 2 * pg, pg, MM_PROT_READ, MM_MAP_FIXED, &at), -ENOMEM);
	ASSERT_EQ(mm_user_read(m, 0, ENV_VMA + 2 * pg, &b, 1), -EFAULT);
	ASSERT_EQ(mm_follow_page(m, 0, ENV_VMA + 2 * pg, &pte), -ENOENT);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + pg, &b, 1), 0);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 3 * pg, &b, 1), 0);
	ASSERT_EQ(mm_do_mmap(m, 0, 0x30001000, pg, MM_PROT_READ, 0, &at), -ENOMEM);
	/* at the limit, a munmap inside a VMA would split it: -ENOMEM (the
	 * kernel's split_vma at max_map_count), the page still mapped */
	ASSERT_EQ(mm_do_munmap(m, 0, ENV_VMA + 5 * pg, pg), -ENOMEM);
	ASSERT_EQ(mm_user_write(m, 0, ENV_VMA + 5 * pg, &b, 1), 0);
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(no_machine);
	RUN(before_fault_init);
	RUN(fault_init_no_page);
	for (size_t i = 0; i < sizeof(fault_confs) / sizeof(fault_confs[0]); i++) {
		printf("config %s\n", fault_confs[i].name);
		RUN(bad_ids, &fault_confs[i]);
		RUN(address_space_ends, &fault_confs[i]);
		RUN(mmap_above_base_and_walk_stop, &fault_confs[i]);
	}
	RUN(process_limit);
	RUN(map_count_limit);
	RUN(junk_pte);
	RUN(pae_bad_pdpt_entry);
	RUN(pae_pdpt_entry_at_user_page);
	RUN(x86_bad_pde);
	RUN(boot_zero_page_without_struct_page);
	return check_summary("test_fault_edges");
}
