/*
 * The machine: every piece of mmsim state lives in one struct mm_machine.
 *
 * A harness creates one machine per input from a struct mm_config and destroys
 * it at the end; several machines may live in one process and share nothing.
 * Randomness inside the library comes from cfg.seed only.
 *
 * Conventions of every public function: returns 0 or a negative errno
 * (-EINVAL, -ENOMEM, -EBUSY, -EFAULT, -ENOSPC, -EAGAIN, ...). A call the kernel
 * would BUG()/WARN()/panic() on is refused (or completed, for a WARN, as the
 * kernel would), reported through the report sink below, and leaves the
 * machine consistent. No argument value may cause undefined behaviour.
 */
#ifndef MMSIM_MACHINE_H
#define MMSIM_MACHINE_H

#include "mmsim/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mm_machine;

/* Which kernel is modelled. Each era-dependent behaviour is also a feature bit. */
enum mm_era {
	MM_ERA_2_6_29 = 0, /* x86-32 with early_res + bootmem, no zero page on read faults */
	MM_ERA_MODERN = 1, /* memblock, memblock_free_all, zero page, kmap_atomic stack */
};

enum mm_profile {
	MM_PROFILE_X86_32 = 0,  /* 2-level page tables 10/10/12, 4 GiB physical */
	MM_PROFILE_X86_PAE = 1, /* 3-level 2/9/9/12, 64 GiB physical */
	MM_PROFILE_ARM = 2,     /* 2-level, memory from meminfo banks */
};

/* Era switches (cfg.features). mm_config_default() sets them from the era.
 * mm_machine_create refuses a feature or hardening bit that no stage
 * implements yet (docs/checking.md lists which do). */
enum {
	MM_FEAT_ZERO_PAGE = 1u << 0,          /* read faults map the shared zero page (2.6.32+) */
	MM_FEAT_E820_REMOVE_SPLIT = 1u << 1,  /* e820 remove splits an entry strictly inside (modern) */
	MM_FEAT_MEMBLOCK_EMPTY_CNT0 = 1u << 2, /* empty memblock type has cnt 0 (2024+), else dummy cnt 1 */
	MM_FEAT_KMAP_ATOMIC_STACK = 1u << 3,  /* kmap_atomic as a per-CPU stack (2.6.37+) */
	MM_FEAT_WATERMARK_MODERN = 1u << 4,   /* zone_watermark_ok: modern order>0 rule */
	MM_FEAT_REUSE_REFCOUNT = 1u << 5,     /* do_wp_page reuse on refcount==1 (5.9+) */
	MM_FEAT_FREELIST_SWAB = 1u << 6,      /* hardened freelist uses swab(slot addr) (5.7+) */
	MM_FEAT_HIGHMEM_MEMBLOCK = 1u << 7,   /* the arch's highmem step walks memblock, not e820 (modern) */
};

/* Hardening switches (cfg.hardening). */
enum {
	MM_HARDEN_FREELIST = 1u << 0,      /* slab freelist pointer obfuscation */
	MM_HARDEN_REDZONE = 1u << 1,       /* slab red zones */
	MM_HARDEN_POISON = 1u << 2,        /* slab poison / page poison on free, checked on alloc */
	MM_HARDEN_DOUBLE_FREE = 1u << 3,   /* double-free detection beyond the naive check */
	MM_HARDEN_VMALLOC_GUARD = 1u << 4, /* vmalloc guard pages */
	MM_HARDEN_ZERO_PAGE_WP = 1u << 5,  /* zero page write protection */
	MM_HARDEN_ASAN_POISON = 1u << 6,   /* ASan manual poisoning of free simulated memory */
	MM_HARDEN_SHUFFLE = 1u << 7,       /* buddy free-list shuffle / slab freelist random */
	MM_HARDEN_ALL = 0xffu,
};

struct mm_config {
	uint32_t era;        /* enum mm_era */
	uint32_t profile;    /* enum mm_profile */
	uint64_t seed;       /* every random choice inside the library derives from it */
	uint32_t features;   /* MM_FEAT_* */
	uint32_t hardening;  /* MM_HARDEN_* */

	/* Fault injection in SQLite's form: after fault_after successful
	 * allocations (any stage that allocates: memblock, bootmem, buddy, slab,
	 * ...), fail the next fault_repeat ones (0 = persistently). Off when
	 * fault_enable is false. */
	bool fault_enable;
	uint32_t fault_after;
	uint32_t fault_repeat;

	/* Table sizes (0 = the kernel's value). Small tables let a fuzzer reach
	 * the full-table paths with few operations. */
	uint32_t e820_max_entries;      /* kernel: E820_MAX_ENTRIES = 128 (+3*MAX_NUMNODES) */
	uint32_t early_res_max;         /* kernel 2.6.29: MAX_EARLY_RES = 20 */
	uint32_t memblock_init_regions; /* kernel: INIT_MEMBLOCK_REGIONS = 128 */
	uint32_t meminfo_nr_banks;      /* kernel ARM: NR_BANKS = 8 */

	/* The kernelcore=mirror boot parameter (the kernel's mirrored_kernelcore),
	 * off by default as in the kernel. Off: memblock_mark_mirror is a no-op
	 * returning 0, so no region is ever marked MIRROR by it and allocation
	 * never prefers mirrored memory. On: marking splits and flags the range,
	 * and from then on every memblock allocation tries mirrored memory first
	 * and warns when it has to fall back to any memory. */
	bool kernelcore_mirror;

	/* Geometry (0 = the profile's default). */
	uint64_t lowmem_limit;    /* max_low_pfn as bytes; x86-32 default 896 MiB */
	uint64_t vmalloc_reserve; /* default 128 MiB (vmalloc= option) */
	uint32_t max_order;       /* MAX_ORDER, 2.6.29 exclusive meaning; default 11 */
	uint32_t nr_cpus;         /* logical CPUs (per-CPU lists), 0 = 1, at most MM_MAX_CPUS */

	/* Cap on host memory backing simulated page contents, in pages
	 * (0 = 16384 pages = 64 MiB). Writes beyond it fail with -ENOMEM. */
	uint32_t phys_backing_max_pages;
};

/* Fill *cfg with the defaults of an era (features set to the era's switches,
 * no hardening, no fault injection, x86-32 profile). */
void mm_config_default(struct mm_config *cfg, enum mm_era era);

/* Create a machine. Returns 0 and *out, or -EINVAL (bad config) / -ENOMEM. */
int mm_machine_create(const struct mm_config *cfg, struct mm_machine **out);
void mm_machine_destroy(struct mm_machine *m);
const struct mm_config *mm_machine_config(const struct mm_machine *m);

/* Logical CPUs: one thread runs them all; the current CPU picks the per-CPU
 * lists (smp_processor_id()). mm_set_cpu: -EINVAL + INVALID_ARG report for
 * cpu >= nr_cpus. A new machine runs on CPU 0. */
#define MM_MAX_CPUS 8
int mm_set_cpu(struct mm_machine *m, unsigned cpu);
unsigned mm_this_cpu(const struct mm_machine *m);

/* ---- misuse reports ---------------------------------------------------- */

enum mm_stage {
	MM_STAGE_CORE = 0,
	MM_STAGE_E820,
	MM_STAGE_MEMINFO,
	MM_STAGE_EARLY_RES,
	MM_STAGE_MEMBLOCK,
	MM_STAGE_BOOTMEM,
	MM_STAGE_PAGE_ALLOC,
	MM_STAGE_SLAB,
	MM_STAGE_PGTABLE,
	MM_STAGE_VMALLOC,
	MM_STAGE_HIGHMEM,
	MM_STAGE_FAULT,
	MM_STAGE_BOOT,
	MM_STAGE_NR,
};

enum mm_report_kind {
	MM_REPORT_BUG = 0,        /* the kernel would BUG()/panic(): call refused */
	MM_REPORT_WARN,           /* the kernel would WARN(): call completed as the kernel does */
	MM_REPORT_INVALID_ARG,    /* out of any range a kernel caller could pass */
	MM_REPORT_OVERLAP,        /* "Overlapping early reservations" and the like */
	MM_REPORT_TABLE_FULL,     /* a fixed table is full: entry dropped */
	MM_REPORT_DOUBLE_FREE,    /* freeing what is already free */
	MM_REPORT_BAD_FREE,       /* freeing what was never allocated, wrong size/order */
	MM_REPORT_BAD_PAGE,       /* "Bad page state" */
	MM_REPORT_CORRUPTION,     /* poison/red zone overwritten, bad freelist pointer */
	MM_REPORT_OOM,            /* a panicking allocator ran out: "Out of memory" */
	MM_REPORT_USE_AFTER_FREE, /* access to freed simulated memory through the API */
	MM_REPORT_AFTER_HANDOFF,  /* boot allocator used after its hand-off */
	MM_REPORT_NR,
};

struct mm_report {
	enum mm_stage stage;
	enum mm_report_kind kind;
	uint64_t addr;     /* the address or pfn concerned, 0 if none */
	uint64_t op_index; /* the harness's operation counter (mm_set_op_index) */
	char msg[160];     /* in the kernel's words */
};

typedef void (*mm_report_fn)(void *arg, const struct mm_report *r);

/* Install a callback called for every report (NULL to remove). */
void mm_set_report_handler(struct mm_machine *m, mm_report_fn fn, void *arg);
/* Total reports so far, and per kind (kind out of range: 0). */
uint64_t mm_report_count(const struct mm_machine *m);
uint64_t mm_report_count_kind(const struct mm_machine *m, enum mm_report_kind kind);
/* The last report, or NULL if none. */
const struct mm_report *mm_last_report(const struct mm_machine *m);
/* The operation index stamped on later reports. */
void mm_set_op_index(struct mm_machine *m, uint64_t op_index);

const char *mm_stage_name(enum mm_stage stage);
const char *mm_report_kind_name(enum mm_report_kind kind);

/* ---- fault injection --------------------------------------------------- */

/* Re-arm fault injection: fail after `after` more successes, `repeat` times
 * (0 = persistent). enable=false turns it off. */
void mm_fault_inject_set(struct mm_machine *m, bool enable, uint32_t after, uint32_t repeat);
/* How many allocations were failed by injection so far. */
uint64_t mm_fault_inject_hits(const struct mm_machine *m);

/* ---- simulated physical memory ----------------------------------------- */

/* Read/write simulated physical memory. Never-written memory reads as zeros.
 * The range must not wrap (one ending at exactly 2^64 counts as wrapping):
 * -EINVAL with an INVALID_ARG report; a NULL buffer with len > 0: -EINVAL. A frame that the page allocator knows as free is
 * refused with -EFAULT and a USE_AFTER_FREE report. Write may fail with -ENOMEM
 * when the host backing cap is reached. */
int mm_phys_read(struct mm_machine *m, mm_phys_addr_t addr, void *buf, size_t len);
int mm_phys_write(struct mm_machine *m, mm_phys_addr_t addr, const void *buf, size_t len);
/* Host pages currently backing simulated memory. */
uint64_t mm_phys_backed_pages(const struct mm_machine *m);
/* Does host memory back frame pfn (written since it was last zeroed whole)?
 * An unbacked frame reads as zeros by construction, so a checker that
 * knows a frame was never written can ask this instead of reading 4 KiB. */
bool mm_phys_frame_backed(struct mm_machine *m, mm_pfn_t pfn);

/* ---- consistency ------------------------------------------------------- */

/* The full consistency walk of every stage (CONFIG_DEBUG_VM). Returns 0, or
 * -EUCLEAN with the first broken invariant in mm_verify_message(). A failure
 * is a library bug: harnesses abort on it. */
int mm_verify(struct mm_machine *m);
const char *mm_verify_message(const struct mm_machine *m);

#ifdef __cplusplus
}
#endif
#endif
