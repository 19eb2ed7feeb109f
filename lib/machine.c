/*
 * The machine: configuration, the report sink, fault injection, the seeded
 * random stream and the stage life cycle. Where the kernel has globals
 * (memblock, contig_page_data, early_res[]), mmsim has one machine object so
 * that a harness can build and destroy a whole world per input.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct stage_ops {
	const char *name;
	int (*init)(struct mm_machine *m);
	void (*destroy)(struct mm_machine *m);
	int (*verify)(struct mm_machine *m);
};

/* Boot order: what a later stage builds on comes first. */
static const struct stage_ops stage_table[] = {
	{ "e820", mm_e820_init, mm_e820_destroy, mm_e820_verify },
	{ "early_res", mm_early_res_init, mm_early_res_destroy, mm_early_res_verify },
	{ "meminfo", mm_meminfo_init, mm_meminfo_destroy, mm_meminfo_verify },
	{ "memblock", mm_memblock_init, mm_memblock_destroy, mm_memblock_verify },
	{ "bootmem", mm_bootmem_init, mm_bootmem_destroy, mm_bootmem_verify },
	{ "page_alloc", mm_page_alloc_init, mm_page_alloc_destroy, mm_page_alloc_verify },
	{ "boot", mm_boot_init, mm_boot_destroy, mm_boot_verify },
	{ "slab", mm_slab_init, mm_slab_destroy, mm_slab_verify },
	{ "fault", mm_fault_state_init, mm_fault_state_destroy, mm_fault_state_verify },
};

void mm_config_default(struct mm_config *cfg, enum mm_era era)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->era = era == MM_ERA_MODERN ? MM_ERA_MODERN : MM_ERA_2_6_29;
	cfg->profile = MM_PROFILE_X86_32;
	/* the era's switches that some stage implements: the rest would be
	 * refused by mm_machine_create */
	if (cfg->era == MM_ERA_MODERN)
		cfg->features = (MM_FEAT_ZERO_PAGE | MM_FEAT_E820_REMOVE_SPLIT |
				 MM_FEAT_KMAP_ATOMIC_STACK | MM_FEAT_WATERMARK_MODERN |
				 MM_FEAT_REUSE_REFCOUNT | MM_FEAT_FREELIST_SWAB |
				 MM_FEAT_HIGHMEM_MEMBLOCK) &
				MM_FEAT_IMPLEMENTED;
}

/* Check a configuration: every field within what the model supports. */
static int config_check(const struct mm_config *cfg)
{
	if (cfg->era > MM_ERA_MODERN || cfg->profile > MM_PROFILE_ARM)
		return -EINVAL;
	/* a switch no stage implements would be accepted and ignored */
	if ((cfg->features & ~(uint32_t)MM_FEAT_IMPLEMENTED) ||
	    (cfg->hardening & ~(uint32_t)MM_HARDEN_IMPLEMENTED))
		return -EINVAL;
	/* Table sizes: at least what the kernel code itself needs to work
	 * (sanitize needs 2 entries, memblock isolate needs 2 spare slots),
	 * at most what a harness can fill in bounded time. */
	if (cfg->e820_max_entries && (cfg->e820_max_entries < 2 || cfg->e820_max_entries > 4096))
		return -EINVAL;
	if (cfg->early_res_max && (cfg->early_res_max < 2 || cfg->early_res_max > 1024))
		return -EINVAL;
	if (cfg->memblock_init_regions &&
	    (cfg->memblock_init_regions < 4 || cfg->memblock_init_regions > 4096))
		return -EINVAL;
	if (cfg->meminfo_nr_banks && cfg->meminfo_nr_banks > 64)
		return -EINVAL;
	if (cfg->max_order && cfg->max_order > 20)
		return -EINVAL;
	if (cfg->nr_cpus > MM_MAX_CPUS)
		return -EINVAL;
	if (cfg->lowmem_limit & (MM_PAGE_SIZE - 1))
		return -EINVAL;
	return 0;
}

/* Run every stage's init in boot order; undo on failure. */
static int stages_init(struct mm_machine *m)
{
	for (size_t i = 0; i < MM_ARRAY_SIZE(stage_table); i++) {
		int ret = stage_table[i].init(m);
		if (ret) {
			while (i--)
				stage_table[i].destroy(m);
			return ret;
		}
	}
	return 0;
}

/* Destroy every stage in reverse order (NULL-safe). */
static void stages_destroy(struct mm_machine *m)
{
	for (size_t i = MM_ARRAY_SIZE(stage_table); i--;)
		stage_table[i].destroy(m);
}

#ifdef MM_HAVE_ASAN
void mm_track_check(const void *p, size_t n)
{
	const volatile char *bad = __asan_region_is_poisoned((void *)(uintptr_t)p, n);
	if (bad)
		(void)*bad; /* instrumented: ASan reports this access and aborts */
}
#endif

#define MM_STATE_REDZONE 32

void *mm_state_zalloc(struct mm_machine *m, size_t size)
{
	const size_t at = m->state_used;
	const size_t span = ((size + 15) & ~(size_t)15) + MM_STATE_REDZONE;

	if (size > MM_STATE_BLOCK || span > MM_STATE_BLOCK - at)
		return calloc(1, size ? size : 1);
	m->state_used = at + span;
	mm_track_access(m->state_block + at, size);
	/* zeroed here, not with the machine: most of the block is never
	 * carved, and zeroing it all was most of the cost of a machine */
	memset(m->state_block + at, 0, size);
	return m->state_block + at;
}

void mm_state_free(struct mm_machine *m, void *p)
{
	const unsigned char *b = p;
	if (b >= m->state_block && b < m->state_block + MM_STATE_BLOCK)
		return;
	free(p);
}

int mm_machine_create(const struct mm_config *cfg, struct mm_machine **out)
{
	struct mm_machine *m;
	int ret;

	if (!cfg || !out)
		return -EINVAL;
	*out = NULL;
	ret = config_check(cfg);
	if (ret)
		return ret;
	/* Zero up to the state block only: mm_state_zalloc zeroes what it
	 * carves (a fuzzer builds a machine per input; the block is fresh,
	 * cold memory under ASan's quarantine every time). */
	m = mm_host_alloc(sizeof(*m), false);
	if (!m)
		return -ENOMEM;
	memset(m, 0, offsetof(struct mm_machine, state_block));
	mm_track_noaccess(m->state_block, sizeof(m->state_block));
	m->cfg = *cfg;
	m->rng_state = cfg->seed ^ 0x6d6d73696d2d6d6dull;
	mm_fault_inject_set(m, cfg->fault_enable, cfg->fault_after, cfg->fault_repeat);

	ret = mm_phys_init(m);
	if (!ret)
		ret = mm_memmap_init(m);
	if (!ret)
		ret = stages_init(m);
	if (ret) {
		mm_memmap_destroy(m);
		mm_phys_destroy(m);
		mm_track_access(m->state_block, sizeof(m->state_block));
		mm_host_free(m, sizeof(*m));
		return ret;
	}
	*out = m;
	return 0;
}

void mm_machine_destroy(struct mm_machine *m)
{
	if (!m)
		return;
	stages_destroy(m);
	mm_memmap_destroy(m);
	mm_phys_destroy(m);
	mm_track_access(m->state_block, sizeof(m->state_block));
	mm_host_free(m, sizeof(*m));
}

const struct mm_config *mm_machine_config(const struct mm_machine *m)
{
	return m ? &m->cfg : NULL;
}

int mm_set_cpu(struct mm_machine *m, unsigned cpu)
{
	if (!m)
		return -EINVAL;
	if (cpu >= (m->cfg.nr_cpus ? m->cfg.nr_cpus : 1)) {
		mm_report(m, MM_STAGE_CORE, MM_REPORT_INVALID_ARG, cpu,
			  "set_cpu: cpu %u is not possible (nr_cpu_ids %u)", cpu,
			  m->cfg.nr_cpus ? m->cfg.nr_cpus : 1);
		return -EINVAL;
	}
	m->cpu = cpu;
	return 0;
}

unsigned mm_this_cpu(const struct mm_machine *m)
{
	return m ? m->cpu : 0;
}

/* ---- reports ----------------------------------------------------------- */

static const char *const stage_names[MM_STAGE_NR] = {
	"core", "e820", "meminfo", "early_res", "memblock", "bootmem", "page_alloc",
	"slab", "pgtable", "vmalloc", "highmem", "fault", "boot",
};

static const char *const kind_names[MM_REPORT_NR] = {
	"BUG", "WARN", "INVALID_ARG", "OVERLAP", "TABLE_FULL", "DOUBLE_FREE", "BAD_FREE",
	"BAD_PAGE", "CORRUPTION", "OOM", "USE_AFTER_FREE", "AFTER_HANDOFF",
};

const char *mm_stage_name(enum mm_stage stage)
{
	return (unsigned)stage < MM_STAGE_NR ? stage_names[stage] : "?";
}

const char *mm_report_kind_name(enum mm_report_kind kind)
{
	return (unsigned)kind < MM_REPORT_NR ? kind_names[kind] : "?";
}

void mm_report(struct mm_machine *m, enum mm_stage stage, enum mm_report_kind kind,
	       uint64_t addr, const char *fmt, ...)
{
	struct mm_report *r = &m->last_report;
	va_list ap;

	if (NEVER((unsigned)kind >= MM_REPORT_NR))
		kind = MM_REPORT_BUG;
	r->stage = stage;
	r->kind = kind;
	r->addr = addr;
	r->op_index = m->op_index;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	m->report_total++;
	m->report_by_kind[kind]++;
	if (m->report_fn)
		m->report_fn(m->report_arg, r);
}

void mm_set_report_handler(struct mm_machine *m, mm_report_fn fn, void *arg)
{
	if (!m)
		return;
	m->report_fn = fn;
	m->report_arg = arg;
}

uint64_t mm_report_count(const struct mm_machine *m)
{
	return m ? m->report_total : 0;
}

uint64_t mm_report_count_kind(const struct mm_machine *m, enum mm_report_kind kind)
{
	if (!m || (unsigned)kind >= MM_REPORT_NR)
		return 0;
	return m->report_by_kind[kind];
}

const struct mm_report *mm_last_report(const struct mm_machine *m)
{
	return m && m->report_total ? &m->last_report : NULL;
}

void mm_set_op_index(struct mm_machine *m, uint64_t op_index)
{
	if (m)
		m->op_index = op_index;
}

/* ---- fault injection ---------------------------------------------------- */

void mm_fault_inject_set(struct mm_machine *m, bool enable, uint32_t after, uint32_t repeat)
{
	if (!m)
		return;
	m->fault_enable = enable;
	m->fault_countdown = after;
	m->fault_repeat = repeat;
}

bool mm_should_fail(struct mm_machine *m)
{
	if (!m->fault_enable)
		return false;
	if (m->fault_countdown) {
		m->fault_countdown--;
		return false;
	}
	m->fault_hits++;
	/* repeat 0 = persistent; otherwise stop injecting after `repeat` failures */
	if (m->fault_repeat && --m->fault_repeat == 0)
		m->fault_enable = false;
	return true;
}

uint64_t mm_fault_inject_hits(const struct mm_machine *m)
{
	return m ? m->fault_hits : 0;
}

/* ---- randomness --------------------------------------------------------- */

uint64_t mm_random(struct mm_machine *m)
{
	/* splitmix64: tiny, seedable, good enough for layout randomisation */
	uint64_t z = (m->rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- geometry ----------------------------------------------------------- */

uint64_t mm_profile_max_pfn(const struct mm_machine *m)
{
	return m->cfg.profile == MM_PROFILE_X86_PAE ? (uint64_t)1 << 24 : (uint64_t)1 << 20;
}

uint64_t mm_lowmem_limit(const struct mm_machine *m)
{
	return m->cfg.lowmem_limit ? m->cfg.lowmem_limit : (uint64_t)896 << 20;
}

uint32_t mm_max_order(const struct mm_machine *m)
{
	return m->cfg.max_order ? m->cfg.max_order : 11;
}

/* ---- profiles ------------------------------------------------------------ */

/* ---- verify and assertions ---------------------------------------------- */

int mm_verify_fail(struct mm_machine *m, const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	int n;
	va_list ap;

	n = snprintf(m->verify_msg, sizeof(m->verify_msg), "%s:%d: ", base ? base + 1 : file, line);
	if (n < 0 || (size_t)n >= sizeof(m->verify_msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(m->verify_msg + n, sizeof(m->verify_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EUCLEAN;
}

int mm_verify(struct mm_machine *m)
{
	if (!m)
		return -EINVAL;
	m->verify_msg[0] = '\0';
	if (mm_memmap_verify(m))
		return -EUCLEAN;
	for (size_t i = 0; i < MM_ARRAY_SIZE(stage_table); i++) {
		int ret = stage_table[i].verify(m);
		if (ret)
			return ret;
	}
	return 0;
}

const char *mm_verify_message(const struct mm_machine *m)
{
	return m ? m->verify_msg : "";
}

void mm_assert_fail(const char *file, int line, const char *expr)
{
	const char *base = strrchr(file, '/');
	fprintf(stderr, "%s:%d: ASSERTION FAILED: %s\n", base ? base + 1 : file, line, expr);
	fflush(stderr);
	abort();
}
