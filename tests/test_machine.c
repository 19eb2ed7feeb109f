/* label: unit */
/*
 * The machine core: configuration checks, the report sink, simulated
 * physical memory (lazy backing, zero reads, the backing cap, wrap refusal).
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

/* Expect out-of-range configurations refused with -EINVAL and no machine. */
static void config_refused_check(void)
{
	struct mm_config cfg;
	struct mm_machine *m = (struct mm_machine *)1;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.era = 7;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	ASSERT_TRUE(m == NULL);
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.e820_max_entries = 1;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.lowmem_limit = 4095;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	ASSERT_EQ(mm_machine_create(NULL, &m), -EINVAL);
	ASSERT_EQ(mm_machine_create(&cfg, NULL), -EINVAL);
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.nr_cpus = MM_MAX_CPUS + 1;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
}

/* Logical CPUs: a machine starts on CPU 0 and may move to any of its
 * nr_cpus; another number is refused and reported, the CPU unchanged. */
static void cpus_check(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.nr_cpus = MM_MAX_CPUS;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_this_cpu(m), 0);
	ASSERT_EQ(mm_set_cpu(m, MM_MAX_CPUS - 1), 0);
	ASSERT_EQ(mm_this_cpu(m), MM_MAX_CPUS - 1);
	ASSERT_EQ(mm_set_cpu(m, MM_MAX_CPUS), -EINVAL);
	ASSERT_EQ(mm_this_cpu(m), MM_MAX_CPUS - 1);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_set_cpu(NULL, 0), -EINVAL);
	mm_machine_destroy(m);
	mm_config_default(&cfg, MM_ERA_2_6_29); /* nr_cpus 0: one CPU */
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	ASSERT_EQ(mm_set_cpu(m, 1), -EINVAL);
	ASSERT_EQ(mm_set_cpu(m, 0), 0);
	mm_machine_destroy(m);
}

/* Expect the era defaults: no switch for 2.6.29; for modern the era's
 * switches the stages implement (e820 remove split, the modern watermark
 * rule, the highmem step over memblock), and a machine made from them. */
static void config_era_defaults_check(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	ASSERT_EQ(cfg.features, 0);
	ASSERT_EQ(cfg.hardening, 0);
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_NE(cfg.features & MM_FEAT_E820_REMOVE_SPLIT, 0);
	ASSERT_NE(cfg.features & MM_FEAT_WATERMARK_MODERN, 0);
	ASSERT_NE(cfg.features & MM_FEAT_HIGHMEM_MEMBLOCK, 0);
	ASSERT_EQ(cfg.features & MM_FEAT_MEMBLOCK_EMPTY_CNT0, 0); /* 2024+, a choice */
	ASSERT_NE(cfg.features & MM_FEAT_ZERO_PAGE, 0);
	ASSERT_NE(cfg.features & MM_FEAT_REUSE_REFCOUNT, 0);
	ASSERT_NE(cfg.features & MM_FEAT_FREELIST_SWAB, 0);
	ASSERT_EQ(cfg.features & MM_FEAT_KMAP_ATOMIC_STACK, 0);   /* no kmap stage yet */
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	mm_machine_destroy(m);
}

/* A switch no stage implements is refused, not accepted and ignored; each
 * implemented one is accepted. The unimplemented ones named here belong to
 * stages not yet written (kmap, vmalloc) or to none (slab refuses every
 * double free whatever MM_HARDEN_DOUBLE_FREE says, so the bit is refused). */
static void config_unimplemented_check(void)
{
	static const uint32_t feats_ok[] = { MM_FEAT_E820_REMOVE_SPLIT, MM_FEAT_MEMBLOCK_EMPTY_CNT0,
					     MM_FEAT_WATERMARK_MODERN, MM_FEAT_HIGHMEM_MEMBLOCK,
					     MM_FEAT_ZERO_PAGE, MM_FEAT_REUSE_REFCOUNT,
					     MM_FEAT_FREELIST_SWAB };
	static const uint32_t harden_ok[] = { MM_HARDEN_POISON, MM_HARDEN_SHUFFLE,
					      MM_HARDEN_ASAN_POISON, MM_HARDEN_FREELIST,
					      MM_HARDEN_REDZONE, MM_HARDEN_ZERO_PAGE_WP };
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	for (size_t i = 0; i < sizeof(feats_ok) / sizeof(feats_ok[0]); i++) {
		mm_config_default(&cfg, MM_ERA_2_6_29);
		cfg.features = feats_ok[i];
		ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
		mm_machine_destroy(m);
	}
	for (size_t i = 0; i < sizeof(harden_ok) / sizeof(harden_ok[0]); i++) {
		mm_config_default(&cfg, MM_ERA_MODERN);
		cfg.hardening = harden_ok[i];
		ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
		mm_machine_destroy(m);
	}
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.features |= MM_FEAT_KMAP_ATOMIC_STACK;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	ASSERT_TRUE(m == NULL);
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.features |= 1u << 31;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.hardening = MM_HARDEN_POISON | MM_HARDEN_VMALLOC_GUARD;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	cfg.hardening = MM_HARDEN_DOUBLE_FREE;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	cfg.hardening = MM_HARDEN_ALL;
	ASSERT_EQ(mm_machine_create(&cfg, &m), -EINVAL);
	ASSERT_TRUE(m == NULL);
}

/*
 *   frame 0x10           frame 0x11
 *   |.....[ABCDEFGH|IJ]...........|
 *              0x10ffc .. 0x11005
 * Expect a write across a frame boundary to read back; untouched bytes zero;
 * exactly two frames backed; zeroing the range drops the whole frame only.
 */
static void phys_lazy_backing_check(void)
{
	struct mm_machine *m = machine_new(MM_ERA_MODERN);
	const char msg[] = "ABCDEFGHIJ";
	char back[16] = { 0 }, zeros[16] = { 0 };
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(mm_phys_backed_pages(m), 0);
	ASSERT_EQ(mm_phys_read(m, 0x10ff0, back, sizeof(back)), 0);
	ASSERT_EQ(memcmp(back, zeros, sizeof(back)), 0);
	ASSERT_EQ(mm_phys_write(m, 0x10ffc, msg, 10), 0);
	ASSERT_EQ(mm_phys_backed_pages(m), 2);
	ASSERT_EQ(mm_phys_read(m, 0x10ffc, back, 10), 0);
	ASSERT_EQ(memcmp(back, msg, 10), 0);
	ASSERT_EQ(mm_phys_read(m, 0x10ff8, back, 4), 0);
	ASSERT_EQ(memcmp(back, zeros, 4), 0);
	ASSERT_EQ(mm_verify(m), 0);
	mm_machine_destroy(m);
}

/* Expect a wrapping access refused with -EINVAL and one INVALID_ARG report;
 * a NULL buffer with a length refused without a report; len 0 is a no-op. */
static void phys_bad_access_check(void)
{
	struct mm_machine *m = machine_new(MM_ERA_2_6_29);
	char b[8];
	ASSERT_TRUE(m != NULL);
	ASSERT_EQ(mm_phys_read(m, UINT64_MAX - 3, b, 8), -EINVAL);
	ASSERT_EQ(mm_report_count_kind(m, MM_REPORT_INVALID_ARG), 1);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_last_report(m)->stage, MM_STAGE_CORE);
	ASSERT_EQ(mm_phys_write(m, 0, NULL, 8), -EINVAL);
	ASSERT_EQ(mm_phys_write(m, 0, NULL, 0), 0);
	ASSERT_EQ(mm_report_count(m), 1);
	ASSERT_EQ(mm_phys_backed_pages(m), 0);
	mm_machine_destroy(m);
}

/* Expect a write beyond the backing cap refused whole (-ENOMEM, nothing written). */
static void phys_backing_cap_check(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	static char big[5 * 4096];
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.phys_backing_max_pages = 4;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	memset(big, 0x5a, sizeof(big));
	ASSERT_EQ(mm_phys_write(m, 0x100000, big, sizeof(big)), -ENOMEM);
	ASSERT_EQ(mm_phys_backed_pages(m), 0);
	ASSERT_EQ(mm_phys_write(m, 0x100000, big, 4 * 4096), 0);
	ASSERT_EQ(mm_phys_backed_pages(m), 4);
	mm_machine_destroy(m);
}

/* The default cap (phys_backing_max_pages 0): 16384 backed frames (64 MiB
 * of host memory), then -ENOMEM with nothing backed for the next page. */
static void phys_default_cap_check(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	const uint8_t b = 0x5a;
	mm_config_default(&cfg, MM_ERA_MODERN);
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	for (uint64_t i = 0; i < 16384; i++)
		ASSERT_EQ(mm_phys_write(m, i << 12, &b, 1), 0);
	ASSERT_EQ(mm_phys_backed_pages(m), 16384);
	ASSERT_EQ(mm_phys_write(m, (uint64_t)16384 << 12, &b, 1), -ENOMEM);
	ASSERT_EQ(mm_phys_backed_pages(m), 16384);
	mm_machine_destroy(m);
}

/* Expect many frames written and read back through table growth. */
static void phys_many_frames_check(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.phys_backing_max_pages = 5000;
	ASSERT_EQ(mm_machine_create(&cfg, &m), 0);
	for (uint64_t i = 0; i < 5000; i++) {
		uint64_t v = i * 2654435761u;
		ASSERT_EQ(mm_phys_write(m, (i * 7919) << 12, &v, sizeof(v)), 0);
	}
	for (uint64_t i = 0; i < 5000; i++) {
		uint64_t v = 0;
		ASSERT_EQ(mm_phys_read(m, (i * 7919) << 12, &v, sizeof(v)), 0);
		ASSERT_EQ(v, i * 2654435761u);
	}
	ASSERT_EQ(mm_phys_backed_pages(m), 5000);
	mm_machine_destroy(m);
}

struct sink {
	int calls;
	enum mm_report_kind kind;
	uint64_t op;
};
static void sink_fn(void *arg, const struct mm_report *r)
{
	struct sink *s = arg;
	s->calls++;
	s->kind = r->kind;
	s->op = r->op_index;
}

/* Expect the report callback called once per report, stamped with the op index. */
static void report_sink_check(void)
{
	struct mm_machine *m = machine_new(MM_ERA_MODERN);
	struct sink s = { 0 };
	char b[2];
	ASSERT_TRUE(m != NULL);
	mm_set_report_handler(m, sink_fn, &s);
	mm_set_op_index(m, 42);
	ASSERT_EQ(mm_phys_read(m, UINT64_MAX, b, 2), -EINVAL);
	ASSERT_EQ(s.calls, 1);
	ASSERT_EQ(s.kind, MM_REPORT_INVALID_ARG);
	ASSERT_EQ(s.op, 42);
	ASSERT_STR_EQ(mm_report_kind_name(MM_REPORT_INVALID_ARG), "INVALID_ARG");
	ASSERT_STR_EQ(mm_stage_name(MM_STAGE_MEMBLOCK), "memblock");
	ASSERT_STR_EQ(mm_report_kind_name((enum mm_report_kind)999), "?");
	ASSERT_EQ(mm_report_count_kind(m, (enum mm_report_kind)999), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	RUN(config_refused_check);
	RUN(config_era_defaults_check);
	RUN(config_unimplemented_check);
	RUN(cpus_check);
	RUN(phys_lazy_backing_check);
	RUN(phys_bad_access_check);
	RUN(phys_backing_cap_check);
	RUN(phys_many_frames_check);
	RUN(phys_default_cap_check);
	RUN(report_sink_check);
	return check_summary("machine");
}
