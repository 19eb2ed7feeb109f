/* label: scenario */
/*
 * The anonymous fault path, one function per case, each on a fresh machine
 * and rerun under every configuration of fault_env.h (x86_32, PAE, ARM; zero
 * page on and off; the mapcount and the refcount reuse rule). Expectations
 * follow from the contract in mmsim/fault.h and are worked out in comments.
 *
 *   0x40000000 +------------------------------------+ 0x40040000
 *              | process 0: anonymous, read-write   |
 *              +------------------------------------+
 */
#include "check.h"
#include "fault_env.h"

#include <errno.h>

static const struct fault_conf *fc;

#define P0 0u
#define VA ENV_VMA

#define SETUP(m)                                                                       \
	struct mm_machine *m = env_make(fc, MM_HARDEN_ZERO_PAGE_WP);                   \
	ASSERT_TRUE(m)

static mm_pfn_t zero_pfn(struct mm_machine *m)
{
	mm_pfn_t z = 0;
	mm_zero_page_pfn(m, &z);
	return z;
}

/* Expect: a read of untouched memory returns zeros; with the zero page it
 * takes only the PTE table (1 page) and maps the zero page read-only and
 * special, rss 0; without, a zeroed private page mapped writable, rss 1. */
static void read_untouched(void)
{
	uint8_t b[64];
	uint64_t before, rss, tables;
	SETUP(m);
	before = mm_nr_free_pages(m);
	memset(b, 0xee, sizeof(b));
	ASSERT_EQ(mm_user_read(m, P0, VA + 100, b, sizeof(b)), 0);
	for (size_t i = 0; i < sizeof(b); i++)
		ASSERT_EQ(b[i], 0);
	ASSERT_EQ(mm_get_mm_counter(m, P0, &rss, &tables), 0);
	ASSERT_EQ(tables, 1);
	if (fc->zero_page) {
		ASSERT_EQ(before - mm_nr_free_pages(m), 1);
		ASSERT_EQ(env_pfn(m, P0, VA), zero_pfn(m));
		ASSERT_EQ(env_flags(m, P0, VA) & (MM_PTE_RW | MM_PTE_SPECIAL | MM_PTE_PRESENT),
			  MM_PTE_SPECIAL | MM_PTE_PRESENT);
		ASSERT_EQ(rss, 0);
	} else {
		ASSERT_EQ(before - mm_nr_free_pages(m), 2);
		ASSERT_EQ(env_flags(m, P0, VA) & (MM_PTE_RW | MM_PTE_SPECIAL), MM_PTE_RW);
		ASSERT_EQ(rss, 1);
		ASSERT_EQ(env_mapcount(m, env_pfn(m, P0, VA)), 1);
	}
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a first write takes the table and one zeroed page, mapped
 * writable and dirty; the bytes read back; the rest of the page reads 0. */
static void write_untouched(void)
{
	uint8_t w[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[16];
	uint64_t before;
	SETUP(m);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_write(m, P0, VA + 0xffc, w, 8), 0); /* crosses a page */
	ASSERT_EQ(before - mm_nr_free_pages(m), 3);
	ASSERT_EQ(mm_user_read(m, P0, VA + 0xff8, b, 16), 0);
	ASSERT_EQ(b[0], 0);
	ASSERT_EQ(b[4], 1);
	ASSERT_EQ(b[11], 8);
	ASSERT_EQ(b[12], 0);
	ASSERT_EQ(env_flags(m, P0, VA) & (MM_PTE_RW | MM_PTE_DIRTY), MM_PTE_RW | MM_PTE_DIRTY);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: write after read. Zero page on: the write replaces the zero page
 * by a new zeroed page (one more page). Off: the read's page was mapped
 * writable, so the write takes nothing and the pfn stays. */
static void write_after_read(void)
{
	uint8_t b = 0, w = 0x5a;
	uint64_t before;
	mm_pfn_t first;
	SETUP(m);
	ASSERT_EQ(mm_user_read(m, P0, VA, &b, 1), 0);
	first = env_pfn(m, P0, VA);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_write(m, P0, VA + 5, &w, 1), 0);
	if (fc->zero_page) {
		ASSERT_EQ(before - mm_nr_free_pages(m), 1);
		ASSERT_NE(env_pfn(m, P0, VA), first);
	} else {
		ASSERT_EQ(before, mm_nr_free_pages(m));
		ASSERT_EQ(env_pfn(m, P0, VA), first);
	}
	ASSERT_EQ(mm_user_read(m, P0, VA + 5, &b, 1), 0);
	ASSERT_EQ(b, 0x5a);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: after fork both entries are read-only on one page (mapcount 2,
 * refcount 2); the parent's write copies (one page), the child keeps the
 * old bytes; the child's later write finds its page exclusive and reuses
 * it in place under both rules. */
static void fork_then_write(void)
{
	uint8_t a = 0x11, b2 = 0x22, b3 = 0x33, r = 0;
	uint32_t child;
	uint64_t before;
	mm_pfn_t pfn;
	SETUP(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &a, 1), 0);
	pfn = env_pfn(m, P0, VA);
	ASSERT_EQ(mm_dup_mm(m, P0, &child), 0);
	ASSERT_EQ(child, 1);
	ASSERT_EQ(env_pfn(m, child, VA), pfn);
	ASSERT_EQ(env_flags(m, P0, VA) & MM_PTE_RW, 0);
	ASSERT_EQ(env_flags(m, child, VA) & MM_PTE_RW, 0);
	ASSERT_EQ(env_mapcount(m, pfn), 2);
	ASSERT_EQ(env_refcount(m, pfn), 2);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &b2, 1), 0);
	ASSERT_EQ(before - mm_nr_free_pages(m), 1);
	ASSERT_NE(env_pfn(m, P0, VA), pfn);
	ASSERT_EQ(mm_user_read(m, child, VA, &r, 1), 0);
	ASSERT_EQ(r, 0x11);
	ASSERT_EQ(env_mapcount(m, pfn), 1);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_write(m, child, VA, &b3, 1), 0);
	ASSERT_EQ(before, mm_nr_free_pages(m));
	ASSERT_EQ(env_pfn(m, child, VA), pfn);
	ASSERT_EQ(mm_user_read(m, P0, VA, &r, 1), 0);
	ASSERT_EQ(r, 0x22);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: the reuse rule decides a pinned exclusive page. Write, pin, fork,
 * child exits: the parent's page has mapcount 1 and refcount 2. Mapcount
 * rule: the write reuses it (the pin sees the new byte). Refcount rule: it
 * copies (the pin keeps the old byte, one page more). */
static void pinned_reuse_rule(void)
{
	uint8_t a = 0x41, b = 0x42, r = 0;
	uint32_t child;
	uint64_t before;
	mm_pfn_t pfn, pinned;
	SETUP(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &a, 1), 0);
	pfn = env_pfn(m, P0, VA);
	ASSERT_EQ(mm_get_user_pages(m, P0, VA, false, &pinned), 0);
	ASSERT_EQ(pinned, pfn);
	ASSERT_EQ(mm_page_pins(m, pfn), 1);
	ASSERT_EQ(mm_dup_mm(m, P0, &child), 0);
	ASSERT_EQ(mm_mmput(m, child), 0);
	ASSERT_EQ(env_refcount(m, pfn), 2);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &b, 1), 0);
	ASSERT_EQ(mm_phys_read(m, pfn << 12, &r, 1), 0);
	if (fc->refcount) {
		ASSERT_EQ(before - mm_nr_free_pages(m), 1);
		ASSERT_EQ(r, 0x41);
	} else {
		ASSERT_EQ(before, mm_nr_free_pages(m));
		ASSERT_EQ(r, 0x42);
	}
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_unpin_user_page(m, pfn), 0);
	ASSERT_EQ(mm_nr_free_pages(m) - before, fc->refcount ? 1 : 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: a write pin of a shared page breaks COW first: the child pins its
 * own new copy; the parent's page is untouched. */
static void write_pin_breaks_cow(void)
{
	uint8_t a = 7;
	uint32_t child;
	mm_pfn_t pfn, pinned;
	SETUP(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &a, 1), 0);
	pfn = env_pfn(m, P0, VA);
	ASSERT_EQ(mm_dup_mm(m, P0, &child), 0);
	ASSERT_EQ(mm_get_user_pages(m, child, VA, true, &pinned), 0);
	ASSERT_NE(pinned, pfn);
	ASSERT_EQ(env_pfn(m, child, VA), pinned);
	ASSERT_EQ(env_flags(m, child, VA) & MM_PTE_RW, MM_PTE_RW);
	ASSERT_EQ(env_refcount(m, pinned), 2);
	ASSERT_EQ(env_mapcount(m, pfn), 1);
	ASSERT_EQ(mm_unpin_user_page(m, pinned), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: after every process exits and every pin is dropped, every page
 * taken since set-up (pgds, tables, private pages) is free again. */
static void exit_returns_everything(void)
{
	uint8_t w[0x3000];
	uint32_t c1, c2;
	uint64_t base;
	mm_pfn_t pinned;
	SETUP(m);
	ASSERT_EQ(mm_mmput(m, P0), 0);
	base = mm_nr_free_pages(m);
	ASSERT_EQ(mm_mm_alloc(m, &c1), 0);
	memset(w, 3, sizeof(w));
	{
		uint64_t at;
		ASSERT_EQ(mm_do_mmap(m, c1, 0, 0x800000, MM_PROT_READ | MM_PROT_WRITE, 0, &at), 0);
		ASSERT_EQ(mm_user_write(m, c1, at + 0x3ff000, w, sizeof(w)), 0); /* two tables */
		ASSERT_EQ(mm_user_read(m, c1, at, w, 16), 0);
		ASSERT_EQ(mm_dup_mm(m, c1, &c2), 0);
		ASSERT_EQ(mm_get_user_pages(m, c2, at + 0x400000, true, &pinned), 0);
	}
	ASSERT_EQ(mm_mmput(m, c1), 0);
	ASSERT_EQ(mm_mmput(m, c2), 0);
	ASSERT_EQ(mm_nr_free_pages(m) + 1, base);
	ASSERT_EQ(mm_unpin_user_page(m, pinned), 0);
	ASSERT_EQ(mm_nr_free_pages(m), base);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: partial munmap splits the VMA, drops the pages (and references)
 * of the hole; reads there are SIGSEGV; both sides keep their bytes. */
static void munmap_partial(void)
{
	uint8_t w[0x4000], r[4];
	uint64_t before;
	SETUP(m);
	memset(w, 9, sizeof(w));
	ASSERT_EQ(mm_user_write(m, P0, VA, w, sizeof(w)), 0);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_do_munmap(m, P0, VA + 0x1000, 0x2000), 0);
	ASSERT_EQ(mm_nr_free_pages(m) - before, 2);
	ASSERT_EQ(mm_user_read(m, P0, VA + 0x1000, r, 1), -EFAULT);
	ASSERT_EQ(mm_user_read(m, P0, VA + 0x3000, r, 4), 0);
	ASSERT_EQ(r[3], 9);
	ASSERT_EQ(mm_user_read(m, P0, VA + 0xffe, r, 4), -EFAULT); /* crosses into the hole */
	ASSERT_EQ(mm_do_munmap(m, P0, VA + 1, 0x1000), -EINVAL);
	ASSERT_EQ(mm_do_munmap(m, P0, VA, 0), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: mprotect makes entries read-only; back to read-write, the next
 * write faults and reuses the exclusive page; PROT_NONE entries are kept
 * but not present and every access is SIGSEGV. */
static void mprotect_rules(void)
{
	uint8_t a = 1, r;
	mm_pfn_t pfn;
	uint64_t before;
	SETUP(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &a, 1), 0);
	pfn = env_pfn(m, P0, VA);
	ASSERT_EQ(mm_mprotect(m, P0, VA, 0x1000, MM_PROT_READ), 0);
	ASSERT_EQ(env_flags(m, P0, VA) & MM_PTE_RW, 0);
	ASSERT_EQ(mm_user_write(m, P0, VA, &a, 1), -EFAULT);
	ASSERT_EQ(mm_mprotect(m, P0, VA, 0x1000, MM_PROT_READ | MM_PROT_WRITE), 0);
	ASSERT_EQ(env_flags(m, P0, VA) & MM_PTE_RW, 0);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_write(m, P0, VA, &a, 1), 0);
	ASSERT_EQ(before, mm_nr_free_pages(m));
	ASSERT_EQ(env_pfn(m, P0, VA), pfn);
	ASSERT_EQ(mm_mprotect(m, P0, VA, 0x1000, MM_PROT_NONE), 0);
	ASSERT_EQ(env_flags(m, P0, VA) & (MM_PTE_PRESENT | MM_PTE_PROTNONE), MM_PTE_PROTNONE);
	ASSERT_EQ(mm_user_read(m, P0, VA, &r, 1), -EFAULT);
	ASSERT_EQ(mm_mprotect(m, P0, VA + 0x3f000, 0x2000, MM_PROT_READ), -ENOMEM); /* past the VMA */
	ASSERT_EQ(mm_mprotect(m, P0, VA, 0x1000, 8), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: placement. Without a hint, top-down below TASK_SIZE - 128 MiB; a
 * free hint is honoured; an occupied one is not; MAP_FIXED below
 * mmap_min_addr is -EPERM; lengths round up to pages. */
static void mmap_placement(void)
{
	struct mm_pgtable_geometry g;
	uint64_t at;
	SETUP(m);
	ASSERT_EQ(mm_pgtable_geometry(m, &g), 0);
	ASSERT_EQ(mm_do_mmap(m, P0, 0, 0x1001, MM_PROT_READ, 0, &at), 0);
	ASSERT_EQ(at, g.task_size - (128u << 20) - 0x2000);
	ASSERT_EQ(mm_do_mmap(m, P0, 0x20000000, 0x1000, MM_PROT_READ, 0, &at), 0);
	ASSERT_EQ(at, 0x20000000);
	ASSERT_EQ(mm_do_mmap(m, P0, VA, 0x1000, MM_PROT_READ, 0, &at), 0);
	ASSERT_NE(at, VA);
	ASSERT_EQ(mm_do_mmap(m, P0, 0x1000, 0x1000, MM_PROT_READ, MM_MAP_FIXED, &at), -EPERM);
	ASSERT_EQ(mm_do_mmap(m, P0, 0x20000800, 0x1000, MM_PROT_READ, MM_MAP_FIXED, &at), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, P0, 0, 0, MM_PROT_READ, 0, &at), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, P0, 0, 0xC0001000ull, MM_PROT_READ, 0, &at), -ENOMEM);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: every SIGSEGV case is -EFAULT with nothing changed (no page
 * taken, no entry made, no report): no VMA, past user space, wrapping,
 * write to a read-only VMA, any access to PROT_NONE, a range whose last
 * page is unmapped (its first page is not faulted in either). */
static void neg_sigsegv(void)
{
	uint8_t b[16] = { 0 };
	uint64_t before, at_ro, at_none;
	struct mm_pgtable_geometry g;
	mm_pfn_t pfn;
	SETUP(m);
	mm_pgtable_geometry(m, &g);
	ASSERT_EQ(mm_do_mmap(m, P0, 0x20000000, 0x1000, MM_PROT_READ, 0, &at_ro), 0);
	ASSERT_EQ(mm_do_mmap(m, P0, 0x30000000, 0x1000, MM_PROT_NONE, 0, &at_none), 0);
	before = mm_nr_free_pages(m);
	ASSERT_EQ(mm_user_read(m, P0, 0x50000000, b, 1), -EFAULT);
	ASSERT_EQ(mm_user_read(m, P0, g.task_size - 8, b, 16), -EFAULT);
	ASSERT_EQ(mm_user_write(m, P0, UINT64_MAX - 4, b, 16), -EFAULT);
	ASSERT_EQ(mm_user_write(m, P0, at_ro, b, 1), -EFAULT);
	ASSERT_EQ(mm_user_read(m, P0, at_none, b, 1), -EFAULT);
	ASSERT_EQ(mm_user_write(m, P0, at_none, b, 1), -EFAULT);
	ASSERT_EQ(mm_get_user_pages(m, P0, at_ro, true, &pfn), -EFAULT);
	ASSERT_EQ(mm_get_user_pages(m, P0, at_none, false, &pfn), -EFAULT);
	ASSERT_EQ(mm_user_write(m, P0, VA + 0x40000 - 8, b, 16), -EFAULT);
	ASSERT_EQ(env_pfn(m, P0, VA + 0x3f000), (mm_pfn_t)-1);
	ASSERT_EQ(before, mm_nr_free_pages(m));
	ASSERT_EQ(mm_report_count(m), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: no path writes the zero page. A user write to a zero-page entry
 * COWs; mprotect read-write leaves it read-only; a write pin breaks COW; a
 * child's write after fork gets its own page; a kernel write into it is
 * refused (BUG report) under MM_HARDEN_ZERO_PAGE_WP. The zero page stays
 * zero with no mapcount or refcount taken. */
static void neg_zero_page_writes(void)
{
	uint8_t w = 0xff, r = 1;
	uint32_t child;
	mm_pfn_t z, pinned;
	int ref0;
	SETUP(m);
	if (!fc->zero_page) {
		mm_machine_destroy(m);
		return;
	}
	z = zero_pfn(m);
	ref0 = env_refcount(m, z);
	ASSERT_EQ(mm_user_read(m, P0, VA, &r, 1), 0);
	ASSERT_EQ(mm_user_read(m, P0, VA + 0x1000, &r, 1), 0);
	ASSERT_EQ(mm_user_read(m, P0, VA + 0x2000, &r, 1), 0);
	ASSERT_EQ(env_refcount(m, z), ref0);
	ASSERT_EQ(env_mapcount(m, z), 0);
	ASSERT_EQ(mm_dup_mm(m, P0, &child), 0);
	ASSERT_EQ(mm_user_write(m, child, VA, &w, 1), 0);
	ASSERT_NE(env_pfn(m, child, VA), z);
	ASSERT_EQ(mm_mprotect(m, P0, VA, 0x1000, MM_PROT_READ | MM_PROT_WRITE), 0);
	ASSERT_EQ(env_flags(m, P0, VA) & MM_PTE_RW, 0);
	ASSERT_EQ(mm_user_write(m, P0, VA, &w, 1), 0);
	ASSERT_NE(env_pfn(m, P0, VA), z);
	ASSERT_EQ(mm_get_user_pages(m, P0, VA + 0x1000, true, &pinned), 0);
	ASSERT_NE(pinned, z);
	ASSERT_EQ(mm_get_user_pages(m, P0, VA + 0x2000, false, &pinned), 0);
	ASSERT_EQ(pinned, z);
	ASSERT_EQ(mm_unpin_user_page(m, z), 0);
	ASSERT_EQ(mm_phys_write(m, (z << 12) + 17, &w, 1), -EFAULT);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BUG), 1);
	ASSERT_EQ(mm_phys_read(m, (z << 12) + 17, &r, 1), 0);
	ASSERT_EQ(r, 0);
	ASSERT_EQ(env_refcount(m, z), ref0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: without MM_HARDEN_ZERO_PAGE_WP a kernel write lands, and
 * mm_verify reports the zero page no longer zero; zeroing it again repairs. */
static void neg_zero_page_verify(void)
{
	uint8_t w = 0x80, zero = 0;
	struct mm_machine *m = env_make(fc, 0);
	mm_pfn_t z;
	ASSERT_TRUE(m);
	z = zero_pfn(m);
	ASSERT_EQ(mm_phys_write(m, (z << 12) + 100, &w, 1), 0);
	ASSERT_EQ(mm_verify(m), -EUCLEAN);
	ASSERT_TRUE(strstr(mm_verify_message(m), "zero page") != NULL);
	ASSERT_EQ(mm_phys_write(m, (z << 12) + 100, &zero, 1), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: misuse is refused with one report each: a dead or unknown
 * process id (INVALID_ARG), an unpin of an unpinned page (BAD_PAGE), a
 * second mm_fault_init (-EEXIST, no report). */
static void neg_misuse(void)
{
	uint8_t b = 0;
	uint32_t child;
	uint64_t at;
	SETUP(m);
	ASSERT_EQ(mm_dup_mm(m, P0, &child), 0);
	ASSERT_EQ(mm_mmput(m, child), 0);
	ASSERT_EQ(mm_user_read(m, child, VA, &b, 1), -EINVAL);
	ASSERT_EQ(mm_mmput(m, child), -EINVAL);
	ASSERT_EQ(mm_do_mmap(m, 77, 0, 4096, MM_PROT_READ, 0, &at), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 3);
	ASSERT_EQ(mm_unpin_user_page(m, ENV_START + 5), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_BAD_PAGE), 1);
	ASSERT_EQ(mm_fault_init(m), -EEXIST);
	ASSERT_EQ(mm_user_read(m, P0, VA, NULL, 1), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect: fault injection at every allocation of a write fault and a fork,
 * swept upward: each failure is -ENOMEM, the machine verifies, and after the
 * processes exit every page is back. */
static void fault_injection_sweep(void)
{
	for (uint32_t n = 0; n < 12; n++) {
		uint8_t w[0x2000];
		uint32_t child = 0;
		uint64_t base;
		int rw, rf;
		SETUP(m);
		ASSERT_EQ(mm_mmput(m, P0), 0);
		base = mm_nr_free_pages(m);
		memset(w, 1, sizeof(w));
		mm_fault_inject_set(m, true, n, 0);
		if (mm_mm_alloc(m, &child)) {
			ASSERT_EQ(mm_nr_free_pages(m), base);
			mm_machine_destroy(m);
			continue;
		}
		{
			uint64_t at;
			ASSERT_EQ(mm_do_mmap(m, 1, VA, 0x2000, 3, MM_MAP_FIXED, &at), 0);
		}
		rw = mm_user_write(m, 1, VA, w, sizeof(w));
		ASSERT_TRUE(rw == 0 || rw == -ENOMEM);
		rf = mm_dup_mm(m, 1, &child);
		ASSERT_TRUE(rf == 0 || rf == -ENOMEM);
		ASSERT_EQ(mm_verify(m), 0);
		mm_fault_inject_set(m, false, 0, 0);
		ASSERT_EQ(mm_mmput(m, 1), 0);
		if (!rf)
			ASSERT_EQ(mm_mmput(m, child), 0);
		ASSERT_EQ(mm_nr_free_pages(m), base);
		mm_machine_destroy(m);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(fault_confs) / sizeof(fault_confs[0]); i++) {
		fc = &fault_confs[i];
		printf("configuration %s\n", fc->name);
		RUN(read_untouched);
		RUN(write_untouched);
		RUN(write_after_read);
		RUN(fork_then_write);
		RUN(pinned_reuse_rule);
		RUN(write_pin_breaks_cow);
		RUN(exit_returns_everything);
		RUN(munmap_partial);
		RUN(mprotect_rules);
		RUN(mmap_placement);
		RUN(neg_sigsegv);
		RUN(neg_zero_page_writes);
		RUN(neg_zero_page_verify);
		RUN(neg_misuse);
		RUN(fault_injection_sweep);
	}
	return check_summary("test_fault");
}
