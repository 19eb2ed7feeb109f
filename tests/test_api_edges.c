/* label: unit */
/*
 * The edges of the public API that no harness draws: every function called
 * without a machine, and with a machine but without the pointer it writes
 * its answer through. The contract is the same for all of them: a function
 * that returns int refuses with -EINVAL, a getter answers 0, NULL or false,
 * a void function does nothing; none crashes.
 */
#include <errno.h>

#include "check.h"
#include "mmsim/mmsim.h"

static struct mm_machine *machine_new(enum mm_era era)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, era);
	if (mm_machine_create(&cfg, &m))
		return NULL;
	return m;
}

/*
 *   m = NULL  --->  mm_<every int function>(NULL, ...)
 *
 * Expect -EINVAL from every function that returns int, whatever its other
 * arguments.
 */
static void null_machine_refused(void)
{
	mm_phys_addr_t a = 0;
	uint64_t u = 0;
	mm_pfn_t pfn = 0;
	bool b = false;
	uint8_t map[1];
	char buf[8];
	struct mm_e820_entry e = { 0, 4096, MM_E820_RAM };
	struct mm_early_res r;
	struct mm_membank bank;
	struct mm_bootmem_node_info bi;
	struct mm_page_info pi;
	struct mm_zone_info zi;
	struct mm_pcp_info ci;
	uint32_t flags;

	/* machine */
	ASSERT_EQ(mm_set_cpu(NULL, 0), -EINVAL);
	ASSERT_EQ(mm_phys_read(NULL, 0, buf, 1), -EINVAL);
	ASSERT_EQ(mm_phys_write(NULL, 0, buf, 1), -EINVAL);
	ASSERT_EQ(mm_verify(NULL), -EINVAL);
	/* e820 */
	ASSERT_EQ(mm_e820_import(NULL, &e, 1), -EINVAL);
	ASSERT_EQ(mm_e820_add(NULL, 0, 4096, MM_E820_RAM), -EINVAL);
	ASSERT_EQ(mm_e820_sanitize(NULL), -EINVAL);
	ASSERT_EQ(mm_e820_range_update(NULL, 0, 4096, MM_E820_RAM, MM_E820_RESERVED, &u), -EINVAL);
	ASSERT_EQ(mm_e820_range_remove(NULL, 0, 4096, MM_E820_RAM, true, &u), -EINVAL);
	ASSERT_EQ(mm_e820_mem_limit(NULL, 1 << 20), -EINVAL);
	ASSERT_EQ(mm_e820_get(NULL, 0, &e), -EINVAL);
	ASSERT_EQ(mm_e820_firmware_get(NULL, 0, &e), -EINVAL);
	ASSERT_EQ(mm_e820_print(NULL, "BIOS-e820", buf, sizeof(buf)), -EINVAL);
	ASSERT_EQ(mm_e820_memblock_setup(NULL), -EINVAL);
	/* early_res */
	ASSERT_EQ(mm_reserve_early(NULL, 0, 4096, "x"), -EINVAL);
	ASSERT_EQ(mm_reserve_early_overlap_ok(NULL, 0, 4096, "x"), -EINVAL);
	ASSERT_EQ(mm_free_early(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_find_e820_area(NULL, 0, 1 << 20, 4096, 4096, &u), -EINVAL);
	ASSERT_EQ(mm_early_res_get(NULL, 0, &r), -EINVAL);
	/* meminfo */
	ASSERT_EQ(mm_meminfo_add(NULL, 0, 4096, 0), -EINVAL);
	ASSERT_EQ(mm_meminfo_sanity_check(NULL, 0, 0, false), -EINVAL);
	ASSERT_EQ(mm_meminfo_get(NULL, 0, &bank), -EINVAL);
	ASSERT_EQ(mm_meminfo_memblock_setup(NULL), -EINVAL);
	/* memblock */
	ASSERT_EQ(mm_memblock_add(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_add_node(NULL, 0, 4096, 0, MM_MEMBLOCK_NONE), -EINVAL);
	ASSERT_EQ(mm_memblock_remove(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_reserve(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_free(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_phys_free(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_mark_hotplug(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_clear_hotplug(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_mark_mirror(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_mark_nomap(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_clear_nomap(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_memblock_set_node(NULL, 0, 4096, false, 0), -EINVAL);
	ASSERT_EQ(mm_memblock_phys_alloc_range(NULL, 4096, 4096, 0, 1 << 20, &a), -EINVAL);
	ASSERT_EQ(mm_memblock_phys_alloc_try_nid(NULL, 4096, 4096, 0, &a), -EINVAL);
	ASSERT_EQ(mm_memblock_alloc_try_nid(NULL, 4096, 4096, 0, 1 << 20, 0, false, false, &a), -EINVAL);
	ASSERT_EQ(mm_memblock_alloc(NULL, 4096, 4096, &a), -EINVAL);
	/* bootmem */
	ASSERT_EQ(mm_init_bootmem_node(NULL, 0, 0, 0, 16, &u), -EINVAL);
	ASSERT_EQ(mm_free_bootmem(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_free_bootmem_node(NULL, 0, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_reserve_bootmem(NULL, 0, 4096, 0), -EINVAL);
	ASSERT_EQ(mm_reserve_bootmem_node(NULL, 0, 0, 4096, 0), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem(NULL, 4096, 4096, 0, &a), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem_nopanic(NULL, 4096, 4096, 0, &a), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem_node(NULL, 0, 4096, 4096, 0, &a), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem_low(NULL, 4096, 4096, 0, &a), -EINVAL);
	ASSERT_EQ(mm_alloc_bootmem_limit(NULL, 4096, 4096, 0, 1 << 20, false, &a), -EINVAL);
	ASSERT_EQ(mm_early_res_to_bootmem(NULL), -EINVAL);
	ASSERT_EQ(mm_free_all_bootmem(NULL, &u), -EINVAL);
	ASSERT_EQ(mm_memblock_free_all(NULL, &u), -EINVAL);
	ASSERT_EQ(mm_free_highpages(NULL, &u), -EINVAL);
	ASSERT_EQ(mm_bootmem_page_reserved(NULL, 0, &b), -EINVAL);
	ASSERT_EQ(mm_bootmem_reserved_map(NULL, 0, map, 1), -EINVAL);
	ASSERT_EQ(mm_bootmem_node_info(NULL, 0, &bi), -EINVAL);
	ASSERT_EQ(mm_bootmem_nr_nodes(NULL), -EINVAL);
	/* page_alloc */
	ASSERT_EQ(mm_node_add(NULL, 0, 0, 16), -EINVAL);
	ASSERT_EQ(mm_node_add_sparse(NULL, 0, 0, 16), -EINVAL);
	ASSERT_EQ(mm_memory_present(NULL, 0, 0, 16), -EINVAL);
	ASSERT_EQ(mm_free_area_init(NULL), -EINVAL);
	ASSERT_EQ(mm_free_pages_bootmem(NULL, 0, 0), -EINVAL);
	ASSERT_EQ(mm_setup_per_zone_wmarks(NULL), -EINVAL);
	ASSERT_EQ(mm_setup_per_cpu_pageset(NULL), -EINVAL);
	ASSERT_EQ(mm_percpu_pagelist_fraction(NULL, 8), -EINVAL);
	ASSERT_EQ(mm_drain_local_pages(NULL), -EINVAL);
	ASSERT_EQ(mm_drain_all_pages(NULL), -EINVAL);
	ASSERT_EQ(mm_alloc_pages(NULL, 0, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_alloc_pages_node(NULL, 0, 0, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_free_pages(NULL, 0, 0), -EINVAL);
	ASSERT_EQ(mm_get_zeroed_page(NULL, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_alloc_pages_exact(NULL, 4096, 0, &pfn), -EINVAL);
	ASSERT_EQ(mm_free_pages_exact(NULL, 0, 4096), -EINVAL);
	ASSERT_EQ(mm_split_page(NULL, 0, 1), -EINVAL);
	ASSERT_EQ(mm_get_page(NULL, 0), -EINVAL);
	ASSERT_EQ(mm_put_page(NULL, 0), -EINVAL);
	ASSERT_EQ(mm_page_poison_scribble(NULL, 0, 0, 0), -EINVAL);
	ASSERT_EQ(mm_page_info(NULL, 0, &pi), -EINVAL);
	ASSERT_EQ(mm_page_info_range(NULL, 0, 1, &pi), -EINVAL);
	ASSERT_EQ(mm_page_flags_range(NULL, 0, 1, &flags), -EINVAL);
	ASSERT_EQ(mm_zone_info(NULL, 0, 0, &zi), -EINVAL);
	ASSERT_EQ(mm_pcp_info(NULL, 0, 0, 0, &ci, &pfn, 1), -EINVAL);
	ASSERT_EQ(mm_nr_nodes(NULL), 0);
}

/*
 *   m = NULL  --->  getters and void functions
 *
 * Expect every getter to answer 0, NULL or false and every void function to
 * return without touching anything.
 */
static void null_machine_getters(void)
{
	ASSERT_TRUE(mm_machine_config(NULL) == NULL);
	ASSERT_EQ(mm_this_cpu(NULL), 0);
	ASSERT_EQ(mm_report_count(NULL), 0);
	ASSERT_EQ(mm_report_count_kind(NULL, MM_REPORT_INVALID_ARG), 0);
	ASSERT_TRUE(mm_last_report(NULL) == NULL);
	ASSERT_EQ(mm_fault_inject_hits(NULL), 0);
	ASSERT_EQ(mm_phys_backed_pages(NULL), 0);
	ASSERT_STR_EQ(mm_verify_message(NULL), "");
	ASSERT_EQ(mm_e820_nr_entries(NULL), 0);
	ASSERT_EQ(mm_e820_firmware_nr_entries(NULL), 0);
	ASSERT_EQ(mm_e820_max_entries(NULL), 0);
	ASSERT_EQ(mm_e820_end_of_ram_pfn(NULL), 0);
	ASSERT_EQ(mm_early_res_count(NULL), 0);
	ASSERT_EQ(mm_early_res_max(NULL), 0);
	ASSERT_EQ(mm_meminfo_nr_banks(NULL), 0);
	ASSERT_EQ(mm_meminfo_lowmem_end(NULL), 0);
	ASSERT_EQ(mm_meminfo_vmalloc_min(NULL), 0);
	ASSERT_TRUE(mm_memblock_get(NULL) == NULL);
	ASSERT_EQ(mm_memblock_array_phys(NULL, false), 0);
	ASSERT_EQ(mm_memblock_phys_mem_size(NULL), 0);
	ASSERT_EQ(mm_memblock_reserved_size(NULL), 0);
	ASSERT_EQ(mm_memblock_is_memory(NULL, 0), false);
	ASSERT_EQ(mm_memblock_is_reserved(NULL, 0), false);
	ASSERT_EQ(mm_bootmem_handed_off(NULL), false);
	ASSERT_EQ(mm_nr_free_pages(NULL), 0);
	ASSERT_EQ(mm_min_free_kbytes(NULL), 0);
	/* void: no crash is the whole contract; the getters above stay 0 */
	mm_config_default(NULL, MM_ERA_MODERN);
	mm_machine_destroy(NULL);
	mm_set_report_handler(NULL, NULL, NULL);
	mm_set_op_index(NULL, 1);
	mm_fault_inject_set(NULL, true, 0, 0);
	mm_memblock_set_bottom_up(NULL, true);
	mm_memblock_set_current_limit(NULL, 1 << 20);
	mm_memblock_allow_resize(NULL);
	mm_memblock_set_movable_node(NULL, true);
	mm_memblock_trim_memory(NULL, 4096);
	mm_memblock_enforce_memory_limit(NULL, 1 << 20);
	ASSERT_EQ(mm_report_count(NULL), 0);
}

/*
 *   a machine, but out = NULL  --->  mm_<getter>(m, ..., NULL)
 *
 * Expect -EINVAL from every function that writes an answer through a
 * pointer the caller left NULL, and the machine still verifying.
 */
static void null_out_refused(void)
{
	struct mm_machine *m = machine_new(MM_ERA_MODERN);
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(mm_e820_add(m, 0, 1 << 24, MM_E820_RAM), 0);
	ASSERT_EQ(mm_e820_get(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_e820_firmware_get(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_e820_print(m, "BIOS-e820", NULL, 8), -EINVAL);
	ASSERT_EQ(mm_early_res_get(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_meminfo_get(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_bootmem_page_reserved(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_bootmem_node_info(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_page_info(m, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_page_info_range(m, 0, 1, NULL), -EINVAL);
	ASSERT_EQ(mm_page_flags_range(m, 0, 1, NULL), -EINVAL);
	ASSERT_EQ(mm_zone_info(m, 0, 0, NULL), -EINVAL);
	ASSERT_EQ(mm_pcp_info(m, 0, 0, 0, NULL, NULL, 0), -EINVAL);
	ASSERT_EQ(mm_phys_read(m, 0, NULL, 1), -EINVAL);
	ASSERT_EQ(mm_phys_write(m, 0, NULL, 1), -EINVAL);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/*
 *   a machine made from cfg (max_order 12, 3 CPUs)
 *   mm_machine_config(m); mm_report_count_kind(m, MM_REPORT_NR);
 *   a configuration with 65 meminfo banks
 * Expect the machine's own copy of cfg back (not the caller's), 0 for the
 * out-of-range kind, and the 65-bank configuration refused with -EINVAL.
 */
static void config_and_kind_edges(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	const struct mm_config *got;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.max_order = 12;
	cfg.nr_cpus = 3;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	cfg.max_order = 5;
	got = mm_machine_config(m);
	ASSERT_TRUE(got != NULL && got != &cfg);
	ASSERT_EQ(got->max_order, 12);
	ASSERT_EQ(got->nr_cpus, 3);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_NR), 0);
	mm_machine_destroy(m);
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.meminfo_nr_banks = 65;
	m = (struct mm_machine *)1;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	ASSERT_TRUE(m == NULL);
}

int main(void)
{
	RUN(null_machine_refused);
	RUN(null_machine_getters);
	RUN(null_out_refused);
	RUN(config_and_kind_edges);
	return check_summary("api_edges");
}
