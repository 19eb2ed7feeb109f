/*
 * paging_init for x86 (arch/x86/mm/init_32.c, arch/x86/kernel/head_32.S):
 * the kernel page table swapper_pg_dir with the lowmem direct map at
 * PAGE_OFFSET, the pkmap and fixmap PTE tables, and the zero page.
 *
 * kernel_physical_mapping_init maps [0, lowmem_end) at 0xC0000000: with large
 * pages one PSE entry per 4 MiB (x86_32) or 2 MiB (PAE); otherwise a PTE
 * table per span. PAE's swapper_pg_dir is a PDPT whose last entry points to
 * the kernel PMD. Every table page is taken at once as one contiguous run
 * from the allocator of the moment: 2.6.29's find_e820_area(0x7000,
 * lowmem_end, ...) then reserve_early(..., "PGTABLE"), or memblock below
 * lowmem_end (modern alloc_low_pages). swapper_pg_dir and empty_zero_page
 * are pages of the kernel image (.bss), zeroed here.
 *
 * Departures: no early identity map, no boot-time page-table handover from
 * head_32.S (the tables are built once, here), fixmap and pkmap placed at the
 * two top PTE-table spans (fixmap the last, pkmap the one below) instead of
 * the kernel's computed FIXADDR_START; kernel entries carry no global bit.
 *
 * ARM (arch/arm/mm/mmu.c, init.c): see mmsim/pgtable.h for the order.
 * Departures: one bootmem node per memory node holding the lowmem banks' span
 * (holes between banks of a node are reserved, never freed); the bitmap
 * goes right after the kernel on node 0 and at the node's first pfn
 * elsewhere (the kernel's find_bootmap_pfn looks for the first bank with
 * room); section entries carry kernel read-write permission only; the
 * pkmap table is one page whose two 1 KiB halves serve the two MiB of
 * PKMAP_BASE (the hardware tables), without the Linux shadow entries.
 */
#include <string.h>

#include "internal.h"

#define PAGE_OFFSET 0xC0000000ull
#define KPDE 0x63u  /* _KERNPG_TABLE: present, rw, accessed, dirty */
#define KPTE 0x63u  /* PAGE_KERNEL without the global bit */
#define KPSE 0xe3u  /* PAGE_KERNEL_LARGE */

struct pinit {
	const struct mm_pgtable_geometry *g;
	mm_phys_addr_t next, end; /* the run of table pages still to hand out */
	mm_pfn_t swapper, kpmd;   /* kpmd: PAE's kernel PMD, else the pgd */
};

/* The direct map must stay below the pkmap and fixmap spans at the top of the
 * address space: 1 GiB above PAGE_OFFSET less two PTE-table spans. (The
 * kernel's bound, MAXMEM, also leaves room for vmalloc; mmsim has no vmalloc
 * yet, so only the tables' own space is enforced.) */
static uint64_t direct_map_room(const struct mm_pgtable_geometry *g)
{
	return (1ull << 32) - PAGE_OFFSET - 2 * (1ull << g->pte_span_shift);
}

static bool args_ok(struct mm_machine *m, const struct mm_paging_init_args *a)
{
	const uint64_t pm = MM_PAGE_SIZE - 1;
	bool in_image = a->swapper_pg_dir >= a->kernel_start && a->swapper_pg_dir < a->kernel_end &&
			a->empty_zero_page >= a->kernel_start && a->empty_zero_page < a->kernel_end;
	return !((a->kernel_start | a->kernel_end | a->swapper_pg_dir | a->empty_zero_page |
		  a->lowmem_end) & pm) &&
	       a->kernel_start < a->kernel_end && in_image && a->swapper_pg_dir != a->empty_zero_page &&
	       a->lowmem_end && a->lowmem_end <= mm_lowmem_limit(m) &&
	       a->lowmem_end <= direct_map_room(mm_pgt_geom(m)) && a->kernel_end <= a->lowmem_end &&
	       a->source <= MM_PGT_FROM_MEMBLOCK;
}

/* Tables the layout needs: direct-map PTE tables, PAE's kernel PMD, pkmap and
 * fixmap. */
static uint32_t tables_needed(const struct mm_pgtable_geometry *g, const struct mm_paging_init_args *a)
{
	uint64_t span = (uint64_t)1 << g->pte_span_shift;
	uint32_t n = 2 + (g->levels == 3);
	if (!a->large_pages)
		n += (uint32_t)((a->lowmem_end + span - 1) / span);
	return n;
}

static void page_clear(struct mm_machine *m, mm_pfn_t pfn)
{
	uint8_t *f;
	mm_phys_zero(m, MM_PFN_PHYS(pfn), MM_PAGE_SIZE);
	f = mm_phys_frame(m, pfn, true);
	MM_BUG_ON(!f); /* the caller checked the backing cap */
	(void)f;
}

static mm_pfn_t take_table(struct mm_machine *m, struct pinit *pi)
{
	mm_pfn_t pfn = MM_PFN_DOWN(pi->next);
	MM_BUG_ON(pi->next >= pi->end);
	pi->next += MM_PAGE_SIZE;
	page_clear(m, pfn);
	return pfn;
}

/* Address of the kernel entry pointing to va's PTE table (or large page). */
static mm_phys_addr_t kpmd_entry(const struct pinit *pi, uint64_t va)
{
	if (pi->g->levels == 3)
		return MM_PFN_PHYS(pi->kpmd) + 8u * ((va >> 21) & 511u);
	return MM_PFN_PHYS(pi->swapper) + 4u * (va >> 22);
}

static void map_lowmem(struct mm_machine *m, struct pinit *pi, const struct mm_paging_init_args *a)
{
	const uint64_t span = (uint64_t)1 << pi->g->pte_span_shift;
	for (uint64_t pa = 0; pa < a->lowmem_end; pa += span) {
		mm_phys_addr_t e = kpmd_entry(pi, PAGE_OFFSET + pa);
		mm_pfn_t table;
		if (a->large_pages) {
			mm_pgt_write_raw(m, e, pa | KPSE);
			continue;
		}
		table = take_table(m, pi);
		mm_pgt_write_raw(m, e, MM_PFN_PHYS(table) | KPDE);
		for (uint64_t off = 0; off < span && pa + off < a->lowmem_end; off += MM_PAGE_SIZE)
			mm_pgt_write_raw(m, mm_pte_addr(m, table, PAGE_OFFSET + pa + off),
					 (pa + off) | KPTE);
	}
}

static int take_run(struct mm_machine *m, const struct mm_paging_init_args *a, uint64_t size,
		    mm_phys_addr_t *start)
{
	int ret;
	if (a->source == MM_PGT_FROM_MEMBLOCK)
		return mm_memblock_phys_alloc_range(m, size, MM_PAGE_SIZE, 0, a->lowmem_end, start);
	ret = mm_find_e820_area(m, 0x7000, a->lowmem_end, size, MM_PAGE_SIZE, start);
	if (ret)
		return ret;
	return mm_reserve_early(m, *start, *start + size, "PGTABLE");
}

/* ---- ARM ----------------------------------------------------------------- */

#define ARM_SECTION 0x402u /* section, AP=01: kernel read-write */
#define ARM_KPTE 0x43u     /* valid, young, dirty: kernel read-write (Linux view) */
#define ARM_VECTORS 0xffff0000ull
#define ARM_PKMAP_BASE (PAGE_OFFSET - 0x200000ull)

static bool arm_args_ok(const struct mm_paging_init_args *a)
{
	const uint64_t pm = MM_PAGE_SIZE - 1;
	return !((a->kernel_start | a->kernel_end | a->phys_offset) & pm) &&
	       !(a->swapper_pg_dir & 0x3fff) && a->kernel_start < a->kernel_end &&
	       a->swapper_pg_dir >= a->phys_offset && a->swapper_pg_dir + 0x4000 <= a->kernel_start &&
	       a->source <= MM_PGT_FROM_MEMBLOCK && !(a->phys_offset & 0xfffff);
}

/* One zeroed page from the boot allocator of the era. */
static int arm_early_page(struct mm_machine *m, const struct mm_paging_init_args *a,
			  mm_phys_addr_t *pa)
{
	int ret;
	if (a->source == MM_PGT_FROM_MEMBLOCK) {
		ret = mm_memblock_phys_alloc_range(m, MM_PAGE_SIZE, MM_PAGE_SIZE, 0,
						   mm_meminfo_lowmem_end(m), pa);
		if (!ret)
			page_clear(m, MM_PFN_DOWN(*pa));
		return ret ? -ENOMEM : 0;
	}
	ret = mm_alloc_bootmem_low(m, MM_PAGE_SIZE, MM_PAGE_SIZE, 0, pa);
	if (!ret)
		page_clear(m, MM_PFN_DOWN(*pa));
	return ret ? -ENOMEM : 0;
}

static void arm_l1_set(struct mm_machine *m, const struct mm_paging_init_args *a, uint64_t va,
		       uint64_t v)
{
	mm_pgt_write_raw(m, a->swapper_pg_dir + 4u * (va >> 20), v);
}

/* map_lowmem: a section per MiB of every lowmem bank. */
static void arm_map_lowmem(struct mm_machine *m, const struct mm_paging_init_args *a)
{
	struct mm_membank b;
	for (uint32_t i = 0; !mm_meminfo_get(m, i, &b); i++) {
		if (b.highmem)
			continue;
		for (uint64_t pa = b.start & ~0xfffffull; pa < b.start + b.size; pa += 0x100000)
			arm_l1_set(m, a, pa - a->phys_offset + PAGE_OFFSET, pa | ARM_SECTION);
	}
}

/* The pfn span of node nid: [*lo, *lowend) lowmem, *end with highmem. */
static bool arm_node_span(struct mm_machine *m, int nid, mm_pfn_t *lo, mm_pfn_t *lowend, mm_pfn_t *end)
{
	struct mm_membank b;
	bool any = false;
	*lo = UINT64_MAX;
	*lowend = *end = 0;
	for (uint32_t i = 0; !mm_meminfo_get(m, i, &b); i++) {
		if (b.node != nid)
			continue;
		any = true;
		*lo = MM_MIN(*lo, MM_PFN_DOWN(b.start));
		*end = MM_MAX(*end, MM_PFN_DOWN(b.start + b.size));
		if (!b.highmem)
			*lowend = MM_MAX(*lowend, MM_PFN_DOWN(b.start + b.size));
	}
	return any;
}

/* bootmem_init (2.6.29): memmap and bitmap per node, banks freed, the
 * kernel, the initial page table and what lies below it reserved. */
static int arm_bootmem_init(struct mm_machine *m, const struct mm_paging_init_args *a)
{
	struct mm_membank b;
	int ret;
	for (int nid = 0; nid < MM_MAX_NODES; nid++) {
		mm_pfn_t lo, lowend, end, map;
		uint64_t mapsize = 0;
		if (!arm_node_span(m, nid, &lo, &lowend, &end))
			continue;
		if ((ret = mm_node_add(m, nid, lo, end)))
			return ret;
		if (!lowend)
			continue; /* a highmem-only node has no bootmem */
		map = nid == 0 && MM_PFN_DOWN(a->kernel_end) > lo && MM_PFN_DOWN(a->kernel_end) < lowend
			      ? MM_PFN_DOWN(a->kernel_end) : lo;
		if ((ret = mm_init_bootmem_node(m, nid, map, lo, lowend, &mapsize)))
			return ret;
		for (uint32_t i = 0; !mm_meminfo_get(m, i, &b); i++)
			if (b.node == nid && !b.highmem &&
			    (ret = mm_free_bootmem_node(m, nid, b.start, b.size)))
				return ret;
		if ((ret = mm_reserve_bootmem_node(m, nid, MM_PFN_PHYS(map), mm_round_up(mapsize, MM_PAGE_SIZE),
						   MM_BOOTMEM_DEFAULT)))
			return ret;
		if (nid == 0 &&
		    ((ret = mm_reserve_bootmem_node(m, 0, a->kernel_start, a->kernel_end - a->kernel_start,
						    MM_BOOTMEM_DEFAULT)) ||
		     (ret = mm_reserve_bootmem_node(m, 0, a->phys_offset,
						    a->swapper_pg_dir + 0x4000 - a->phys_offset,
						    MM_BOOTMEM_DEFAULT))))
			return ret;
	}
	return mm_free_area_init(m);
}

/* Modern: the banks to memblock with the same reservations, then the nodes. */
static int arm_memblock_init(struct mm_machine *m, const struct mm_paging_init_args *a)
{
	int ret;
	if ((ret = mm_meminfo_memblock_setup(m)) ||
	    (ret = mm_memblock_reserve(m, a->kernel_start, a->kernel_end - a->kernel_start)) ||
	    (ret = mm_memblock_reserve(m, a->phys_offset, a->swapper_pg_dir + 0x4000 - a->phys_offset)))
		return ret;
	return 0;
}

static int arm_nodes(struct mm_machine *m)
{
	int ret;
	for (int nid = 0; nid < MM_MAX_NODES; nid++) {
		mm_pfn_t lo, lowend, end;
		if (arm_node_span(m, nid, &lo, &lowend, &end) && (ret = mm_node_add(m, nid, lo, end)))
			return ret;
	}
	return mm_free_area_init(m);
}

/* devicemaps_init's vectors page and kmap_init's pkmap table. */
static int arm_devicemaps_kmap(struct mm_machine *m, const struct mm_paging_init_args *a,
			       struct mm_paging_info *out)
{
	mm_phys_addr_t vectors, l2, pkmap;
	int ret;
	if ((ret = arm_early_page(m, a, &vectors)) || (ret = arm_early_page(m, a, &l2)))
		return ret;
	arm_l1_set(m, a, ARM_VECTORS, l2 | 0x1);
	mm_pgt_write_raw(m, l2 + 4u * ((ARM_VECTORS >> 12) & 255u), vectors | ARM_KPTE);
	if ((ret = arm_early_page(m, a, &pkmap)))
		return ret;
	arm_l1_set(m, a, ARM_PKMAP_BASE, pkmap | 0x1);
	arm_l1_set(m, a, ARM_PKMAP_BASE + 0x100000, (pkmap + 0x400) | 0x1);
	out->pkmap_base = ARM_PKMAP_BASE;
	out->fixaddr_start = ARM_VECTORS;
	out->pgtable_start = vectors;
	out->pgtable_end = pkmap + MM_PAGE_SIZE;
	out->tables = 2;
	return 0;
}

static int arm_paging_init(struct mm_machine *m, const struct mm_paging_init_args *a,
			   struct mm_paging_info *out)
{
	mm_phys_addr_t zero;
	int ret;
	if ((ret = mm_meminfo_sanity_check(m, a->phys_offset, a->vmalloc_reserve, a->highmem)))
		return ret;
	if (mm_meminfo_lowmem_end(m) > mm_lowmem_limit(m)) {
		/* the zones' NORMAL limit is a physical address: it must cover
		 * the lowmem banks (cfg.lowmem_limit = their end) */
		mm_report(m, MM_STAGE_PGTABLE, MM_REPORT_INVALID_ARG, mm_meminfo_lowmem_end(m),
			  "paging_init: lowmem ends at %#llx, above cfg.lowmem_limit",
			  (unsigned long long)mm_meminfo_lowmem_end(m));
		return -EINVAL;
	}
	/* prepare_page_table: the 16 KiB first level, all entries clear */
	for (unsigned i = 0; i < 4; i++)
		page_clear(m, MM_PFN_DOWN(a->swapper_pg_dir) + i);
	arm_map_lowmem(m, a);
	if (a->source == MM_PGT_FROM_MEMBLOCK)
		ret = arm_memblock_init(m, a);
	else
		ret = arm_bootmem_init(m, a);
	if (ret || (ret = arm_devicemaps_kmap(m, a, out)))
		return ret;
	if ((ret = arm_early_page(m, a, &zero)))
		return ret;
	if (a->source == MM_PGT_FROM_MEMBLOCK && (ret = arm_nodes(m)))
		return ret;
	out->swapper_pg_dir = MM_PFN_DOWN(a->swapper_pg_dir);
	out->zero_pfn = MM_PFN_DOWN(zero);
	mm_pgt_set_swapper(m, out->swapper_pg_dir);
	mm_fault_set_boot_zero_page(m, out->zero_pfn);
	return 0;
}

int mm_paging_init(struct mm_machine *m, const struct mm_paging_init_args *a,
		   struct mm_paging_info *out)
{
	const struct mm_pgtable_geometry *g;
	struct pinit pi;
	mm_pfn_t dummy;
	uint32_t n;
	uint64_t span;
	int ret;

	if (!m || !a || !out)
		return -EINVAL;
	g = mm_pgt_geom(m);
	if (mm_pgt_swapper(m, &dummy))
		return -EEXIST;
	if (m->cfg.profile == MM_PROFILE_ARM) {
		if (!arm_args_ok(a)) {
			mm_report(m, MM_STAGE_PGTABLE, MM_REPORT_INVALID_ARG, a->kernel_start,
				  "paging_init: bad ARM layout");
			return -EINVAL;
		}
		return arm_paging_init(m, a, out);
	}
	if (!args_ok(m, a)) {
		mm_report(m, MM_STAGE_PGTABLE, MM_REPORT_INVALID_ARG, a->kernel_start,
			  "paging_init: bad layout");
		return -EINVAL;
	}
	n = tables_needed(g, a);
	if (mm_phys_backed_pages(m) + n + 2 > (m->cfg.phys_backing_max_pages ?
						   m->cfg.phys_backing_max_pages : 16384))
		return -ENOMEM;
	if ((ret = take_run(m, a, (uint64_t)n * MM_PAGE_SIZE, &out->pgtable_start)))
		return ret == -EINVAL ? -ENOMEM : ret;
	span = (uint64_t)1 << g->pte_span_shift;
	pi = (struct pinit){ .g = g, .next = out->pgtable_start,
			     .end = out->pgtable_start + (uint64_t)n * MM_PAGE_SIZE,
			     .swapper = MM_PFN_DOWN(a->swapper_pg_dir) };
	page_clear(m, pi.swapper);
	pi.kpmd = pi.swapper;
	if (g->levels == 3) {
		pi.kpmd = take_table(m, &pi);
		mm_pgt_write_raw(m, MM_PFN_PHYS(pi.swapper) + 24, MM_PFN_PHYS(pi.kpmd) | 0x1);
	}
	map_lowmem(m, &pi, a);
	out->fixaddr_start = 0x100000000ull - span;
	out->pkmap_base = out->fixaddr_start - span;
	mm_pgt_write_raw(m, kpmd_entry(&pi, out->pkmap_base), MM_PFN_PHYS(take_table(m, &pi)) | KPDE);
	mm_pgt_write_raw(m, kpmd_entry(&pi, out->fixaddr_start), MM_PFN_PHYS(take_table(m, &pi)) | KPDE);
	mm_phys_zero(m, a->empty_zero_page, MM_PAGE_SIZE);
	out->pgtable_end = pi.end;
	out->tables = n;
	out->swapper_pg_dir = pi.swapper;
	out->zero_pfn = MM_PFN_DOWN(a->empty_zero_page);
	mm_pgt_set_swapper(m, pi.swapper);
	mm_fault_set_boot_zero_page(m, out->zero_pfn);
	return 0;
}

int mm_kernel_follow(struct mm_machine *m, uint64_t va, struct mm_pte_info *out)
{
	mm_pfn_t swapper, table;
	mm_phys_addr_t e;
	uint64_t raw;
	if (!m || !out || va < mm_pgt_geom(m)->task_size || va > 0xffffffffull)
		return -EINVAL;
	if (!mm_pgt_swapper(m, &swapper))
		return -ENOENT;
	if (m->cfg.profile == MM_PROFILE_ARM) {
		raw = mm_pgt_read_raw(m, MM_PFN_PHYS(swapper) + 4u * (va >> 20));
		if ((raw & 3) == 2) {
			out->pfn = MM_PFN_DOWN((raw & ~0xfffffull) + (va & 0xfffff));
			out->flags = MM_PTE_PRESENT | MM_PTE_RW | MM_PTE_ACCESSED | MM_PTE_DIRTY;
			return 0;
		}
		if ((raw & 3) != 1)
			return -ENOENT;
		raw = mm_pgt_read_raw(m, (raw & ~0x3ffull) + 4u * ((va >> 12) & 255u));
		if (!raw)
			return -ENOENT;
		out->flags = mm_pte_decode(m, raw, &out->pfn) & ~MM_PTE_BAD;
		return 0;
	}
	if (mm_pgt_geom(m)->levels == 3) {
		raw = mm_pgt_read_raw(m, MM_PFN_PHYS(swapper) + 24);
		e = (raw & ~0xfffull) + 8u * ((va >> 21) & 511u);
	} else {
		e = MM_PFN_PHYS(swapper) + 4u * (va >> 22);
	}
	raw = mm_pgt_read_raw(m, e);
	if (!(raw & 0x1))
		return -ENOENT;
	if (raw & 0x80) {
		/* a large page: the 4 KiB page of va within it */
		uint64_t mask = ((uint64_t)1 << mm_pgt_geom(m)->pte_span_shift) - 1;
		out->pfn = MM_PFN_DOWN((raw & ~mask & ~0xfffull) + (va & mask));
		out->flags = MM_PTE_PRESENT | MM_PTE_RW | MM_PTE_ACCESSED | MM_PTE_DIRTY;
		return 0;
	}
	table = raw >> 12;
	raw = mm_pgt_read_raw(m, mm_pte_addr(m, table, va));
	if (!raw)
		return -ENOENT;
	out->flags = mm_pte_decode(m, raw, &out->pfn) & ~MM_PTE_BAD;
	return 0;
}
