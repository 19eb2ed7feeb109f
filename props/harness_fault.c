/*
 * Harness "fault": processes, anonymous mmap/munmap/mprotect, fork and exit,
 * user reads and writes of ranges crossing pages and VMAs, pins, and the
 * write-after-read patterns of the zero page and copy-on-write, under every
 * profile (x86_32, PAE, ARM), both zero-page settings, both reuse rules and
 * fault injection at every table and page allocation.
 *
 * Set-up is the simple hand-off of the page_alloc harness: one node of 1 MiB
 * at 16 MiB (all ZONE_NORMAL), every page handed over, watermarks, then
 * mm_fault_init (the zero page), process 0 with 16 KiB of read-write
 * anonymous memory at 0x40000000 (MAP_FIXED: four pages, so random
 * operations meet the same pages often). With boot=arm_2629/arm_modern (ARM
 * profile) the memory comes from a real ARM boot instead: meminfo, paging_init
 * in the kernel's order, the era's boot-allocator hand-off; the zero page's
 * pfn is predicted from that order and checked. The oracle (oracle_fault.c) predicts every
 * return value, every report, every byte read and the exact number of
 * simulated pages in use; check() compares, after every operation, every
 * leaf entry of every process (walk_page_range) with the oracle's map, the
 * page identity behind each (one pfn per oracle page and back), each page's
 * mapcount, refcount and whole contents, rss and table counts, the zero
 * page's contents, and runs mm_verify.
 *
 * Operations that could take more simulated pages than the node can give
 * above its watermarks are skipped (decided from the oracle's state alone),
 * so -ENOMEM comes only from fault injection and is predicted exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "blocks.h"
#include "oracle_fault.h"
#include "props.h"

#define NODE_START 0x1000u
#define NODE_PAGES 0x100u
#define NODE_ORDER 8 /* the node is handed over as one block */
#define ARM_PHYS 0x60000000ull /* the ARM boot's one bank: 6 MiB */
#define ARM_PAGES 0x600u
#define MAX_NODE_PAGES 0x600u
#define BUDGET 160u /* pages: below what the node gives above its watermarks */
#define MAX_LIVE 8u
#define MAX_PINS 64u
#define MAX_LEN (2u * 4096u + 0x100u)

struct fault_pin {
	uint32_t page; /* oracle page or OFAULT_ZERO */
	uint64_t pfn;
};

struct fault_ctx {
	struct mm_machine *m;
	struct ofault o;
	bool oracle_live;
	bool zero_wp;
	uint64_t node_start, node_pages; /* the pfns user pages come from */
	uint64_t base_free;
	uint64_t zero_pfn;
	struct fault_pin pin[MAX_PINS];
	uint32_t npins;
	/* check scratch: oracle page -> pfn, pfn -> oracle page + 1 */
	uint64_t *page_pfn;
	uint32_t page_pfn_cap;
	uint32_t *pfn_page; /* MAX_NODE_PAGES */
	/* access buffers, MAX_LEN each; with pfn_page one block allocated at
	 * set-up (not in the context the runner zeroes for every input) */
	uint8_t *buf, *want_buf;
};

static const char *const profile_names[] = { "x86_32", "pae", "arm" };
static const char *const reuse_names[] = { "mapcount", "refcount" };
static const char *const hint_names[] = { "none", "abs", "after_vma", "before_vma" };
static const char *const pattern_names[] = { "war", "raw", "fork_parent", "fork_child", "chain",
					    "pin_fork", "pin_write", "exit_mid" };
static const char *const boot_names[] = { "none", "arm_2629", "arm_modern" };
static const char *const bad_names[] = { "read", "write", "mmap", "munmap", "mprotect", "fork",
					 "exit", "pin", "follow", "counter" };

/* What the zero page and every never-written page read as. */
static const uint8_t zeros[4096];

/* ---- bookkeeping -------------------------------------------------------- */

/* One library call of a step that makes several, or compares more after
 * it: the oracle has predicted r->expect (ret and reports) already; the
 * library's return value is compared now with the reports so far, so that
 * the next call starts from zero reports on both sides. */
static int compare_call(struct props_result *r, int got)
{
	props_note(r, "-> %d; ", r->expect.ret);
	r->actual.ret = got;
	return props_compare(r);
}

static uint32_t nlive(const struct fault_ctx *c)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->o.nproc; i++)
		n += c->o.proc[i].live;
	return n;
}

/* The idx-th live process (modulo), or -1. */
static int pick_proc(const struct fault_ctx *c, uint64_t idx)
{
	uint32_t n = nlive(c), k;
	if (!n)
		return -1;
	k = (uint32_t)(idx % n);
	for (uint32_t i = 0; i < c->o.nproc; i++)
		if (c->o.proc[i].live && !k--)
			return (int)i;
	return -1;
}

static const struct ofault_vma *pick_vma(const struct fault_ctx *c, int pid, uint64_t idx)
{
	const struct ofault_proc *p = &c->o.proc[pid];
	return p->nvma ? &p->vma[idx % p->nvma] : NULL;
}

static bool budget_ok(struct fault_ctx *c, struct props_result *r, uint64_t worst)
{
	if (c->o.used + worst <= BUDGET)
		return true;
	props_note(r, "skipped: %llu pages in use", (unsigned long long)c->o.used);
	return false;
}

/* The bytes a write stores: splitmix64 of seed, eight bytes a step (a
 * write is up to two pages, and a byte-per-step generator was a visible
 * part of an input). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(uint8_t *b, size_t n, uint64_t seed)
{
	size_t i = 0;
	uint64_t z;
	for (; i + 8 <= n; i += 8) {
		z = mix64(seed += 0x9e3779b97f4a7c15ull);
		memcpy(b + i, &z, 8);
	}
	for (z = mix64(seed + 0x9e3779b97f4a7c15ull); i < n; i++, z >>= 8)
		b[i] = (uint8_t)z;
}

/* ---- set-up --------------------------------------------------------------- */

/* The ARM boot: one 6 MiB bank at 0x60000000, swapper_pg_dir at +0x4000, a
 * 1 MiB kernel at +0x8000, paging_init, the era's hand-off. The zero page's
 * place follows from the order: 2.6.29 takes it from bootmem after the
 * one-page bitmap (right after the kernel), the vectors page, its table and
 * the pkmap table; modern memblock gives the same four pages top-down. */
static int arm_boot(struct fault_ctx *c, struct props_result *r, bool modern, uint64_t *want_zero)
{
	struct mm_paging_init_args a = { .kernel_start = ARM_PHYS + 0x8000, .kernel_end = ARM_PHYS + 0x100000,
					 .swapper_pg_dir = ARM_PHYS + 0x4000, .phys_offset = ARM_PHYS,
					 .source = modern ? MM_PGT_FROM_MEMBLOCK : MM_PGT_FROM_BOOTMEM };
	struct mm_paging_info pi;
	uint64_t count = 0;
	int ret;
	c->node_start = ARM_PHYS >> 12;
	c->node_pages = ARM_PAGES;
	*want_zero = modern ? c->node_start + ARM_PAGES - 4 : (a.kernel_end >> 12) + 1 + 3;
	if ((ret = mm_meminfo_add(c->m, ARM_PHYS, (uint64_t)ARM_PAGES << 12, 0)))
		return props_fail(r, "meminfo_add: %d", ret);
	if ((ret = mm_paging_init(c->m, &a, &pi)))
		return props_fail(r, "paging_init: %d", ret);
	if (pi.zero_pfn != *want_zero)
		return props_fail(r, "paging_init: zero page pfn %#llx, oracle %#llx",
				  (unsigned long long)pi.zero_pfn, (unsigned long long)*want_zero);
	ret = modern ? mm_memblock_free_all(c->m, &count) : mm_free_all_bootmem(c->m, &count);
	if (ret)
		return props_fail(r, "boot allocator hand-off: %d", ret);
	return PROPS_OK;
}

/* The check buffers (pfn_page and the two access buffers, 23 KiB) are
 * kept from one input to the next: a fuzzer runs thousands of inputs a
 * second, and a fresh block each time cost ASan's allocator and the host
 * kernel a page fault per 4 KiB. One spare; a second live context (none
 * today) gets its own. Every user writes before it reads. */
static uint32_t *scratch_spare;

static uint32_t *scratch_get(void)
{
	uint32_t *b = scratch_spare;
	scratch_spare = NULL;
	return b ? b : malloc(MAX_NODE_PAGES * sizeof(uint32_t) + 2 * MAX_LEN);
}

static void scratch_put(uint32_t *b)
{
	if (!b)
		return;
	if (scratch_spare)
		free(scratch_spare);
	scratch_spare = b;
}

static int fault_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct fault_ctx *c = ctx;
	struct mm_config mc;
	mm_pfn_t zp;
	uint64_t want_zero = 0;
	int ret;
	const unsigned profile = (unsigned)cfg->v[0];
	const bool zero = cfg->v[1] != 0, refc = cfg->v[2] != 0;
	const bool boot = profile == 2 && cfg->v[7] != 0;

	mm_config_default(&mc, cfg->v[7] == 1 ? MM_ERA_2_6_29 : MM_ERA_MODERN);
	mc.profile = profile == 1 ? MM_PROFILE_X86_PAE : profile == 2 ? MM_PROFILE_ARM : MM_PROFILE_X86_32;
	mc.features &= ~(uint32_t)(MM_FEAT_ZERO_PAGE | MM_FEAT_REUSE_REFCOUNT);
	mc.features |= (zero ? MM_FEAT_ZERO_PAGE : 0) | (refc ? MM_FEAT_REUSE_REFCOUNT : 0);
	c->zero_wp = cfg->v[5] != 0;
	mc.hardening = c->zero_wp ? MM_HARDEN_ZERO_PAGE_WP : 0;
	mc.seed = cfg->v[6];
	if (boot)
		mc.lowmem_limit = ARM_PHYS + ((uint64_t)ARM_PAGES << 12);
	c->pfn_page = scratch_get();
	if (!c->pfn_page)
		return props_fail(r, "host out of memory for the check buffers");
	c->buf = (uint8_t *)(c->pfn_page + MAX_NODE_PAGES);
	c->want_buf = c->buf + MAX_LEN;
	c->buf[0] = 0; /* step_bad_id passes one byte it never fills */
	if ((ret = mm_machine_create(&mc, &c->m)))
		return props_fail(r, "mm_machine_create: %d", ret);
	props_watch(r, c->m);
	c->node_start = NODE_START;
	c->node_pages = NODE_PAGES;
	if (boot) {
		if (arm_boot(c, r, cfg->v[7] == 2, &want_zero))
			return PROPS_FAIL;
	} else {
		if ((ret = mm_node_add(c->m, 0, NODE_START, NODE_START + NODE_PAGES)) ||
		    (ret = mm_free_area_init(c->m)))
			return props_fail(r, "node set-up: %d", ret);
		for (uint64_t pfn = NODE_START; pfn < NODE_START + NODE_PAGES; pfn += 1u << NODE_ORDER)
			if ((ret = mm_free_pages_bootmem(c->m, pfn, NODE_ORDER)))
				return props_fail(r, "mm_free_pages_bootmem(%#llx): %d",
						  (unsigned long long)pfn, ret);
	}
	if ((ret = mm_setup_per_zone_wmarks(c->m)) || (ret = mm_fault_init(c->m)) ||
	    (ret = mm_zero_page_pfn(c->m, &zp)))
		return props_fail(r, "wmarks / fault_init: %d", ret);
	if (boot && zp != want_zero)
		return props_fail(r, "fault_init: zero page pfn %#llx, paging_init's %#llx",
				  (unsigned long long)zp, (unsigned long long)want_zero);
	c->zero_pfn = zp;
	c->base_free = mm_nr_free_pages(c->m);
	ofault_init(&c->o, profile, zero, refc);
	c->o.expect = &r->expect; /* the runner's, for the whole input */
	c->oracle_live = true;
	{
		/* every input starts with process 0 and 16 KiB of read-write
		 * anonymous memory at 1 GiB, so random operations meet a mapping */
		uint32_t lid = 0, oid = 0;
		uint64_t la = 0, oa = 0;
		r->expect.ret = ofault_mm_alloc(&c->o, &oid);
		if (compare_call(r, mm_mm_alloc(c->m, &lid)))
			return PROPS_FAIL;
		PROPS_CHECK_EQ(r, "mm_alloc id at set-up", lid, oid);
		r->expect.ret = ofault_mmap(&c->o, 0, 0x40000000, 0x4000, MM_PROT_READ | MM_PROT_WRITE,
					    true, &oa);
		if (compare_call(r, mm_do_mmap(c->m, 0, 0x40000000, 0x4000, MM_PROT_READ | MM_PROT_WRITE,
					       MM_MAP_FIXED, &la)))
			return PROPS_FAIL;
		PROPS_CHECK_EQ(r, "mmap address at set-up", la, oa);
		r->note[0] = '\0';
	}
	/* armed after set-up, so the countdown starts at the first operation */
	mm_fault_inject_set(c->m, cfg->v[3] != 0, cfg->v[3] ? (uint32_t)cfg->v[3] - 1 : 0,
			    (uint32_t)cfg->v[4]);
	ofault_fault_set(&c->o, cfg->v[3] != 0, cfg->v[3] ? (uint32_t)cfg->v[3] - 1 : 0, (uint32_t)cfg->v[4]);
	return PROPS_OK;
}

static void fault_teardown(void *ctx)
{
	struct fault_ctx *c = ctx;
	mm_machine_destroy(c->m);
	if (c->oracle_live)
		ofault_free(&c->o);
	props_blk_free(c->page_pfn, c->page_pfn_cap * sizeof(*c->page_pfn));
	scratch_put(c->pfn_page);
}

#define STEP_PROLOGUE struct fault_ctx *c = ctx

/* ---- processes --------------------------------------------------------------- */

static int step_create(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint32_t oid = 0, lid = 0;
	STEP_PROLOGUE;
	(void)op;
	if (nlive(c) >= MAX_LIVE || !budget_ok(c, r, 4))
		return PROPS_OK;
	r->expect.ret = ofault_mm_alloc(&c->o, &oid);
	if (compare_call(r, mm_mm_alloc(c->m, &lid)))
		return PROPS_FAIL;
	if (!r->expect.ret)
		PROPS_CHECK_EQ(r, "mm_alloc id", lid, oid);
	return PROPS_OK;
}

/* fork of pid: 1 with *child when done, 0 when skipped or failed as
 * predicted, PROPS_FAIL (as -1) on a divergence. */
static int do_fork(struct fault_ctx *c, struct props_result *r, int pid, uint32_t *child)
{
	uint32_t oid = 0, lid = 0;
	if (nlive(c) >= MAX_LIVE || !budget_ok(c, r, 4 + c->o.proc[pid].ntables))
		return 0;
	props_note(r, "fork %d ", pid);
	r->expect.ret = ofault_fork(&c->o, (uint32_t)pid, &oid);
	if (compare_call(r, mm_dup_mm(c->m, (uint32_t)pid, &lid)))
		return -1;
	if (r->expect.ret)
		return 0;
	if (lid != oid) {
		props_fail(r, "dup_mm child id: library %u, oracle %u", lid, oid);
		return -1;
	}
	*child = oid;
	return 1;
}

static int step_fork(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint32_t child;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	return do_fork(c, r, pid, &child) < 0 ? PROPS_FAIL : PROPS_OK;
}

static int step_exit(void *ctx, const struct props_op *op, struct props_result *r)
{
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	props_note(r, "pid %d ", pid);
	r->expect.ret = ofault_exit(&c->o, (uint32_t)pid);
	r->actual.ret = mm_mmput(c->m, (uint32_t)pid);
	return PROPS_OK;
}

/* ---- mappings ------------------------------------------------------------------ */

static int step_mmap(void *ctx, const struct props_op *op, struct props_result *r)
{
	const struct ofault_vma *v;
	uint64_t hint = op->v[2], len, oaddr = 0, laddr = 0;
	/* relative hints: a VMA's edge plus (addr mod 9) - 4 pages */
	int64_t delta = (int64_t)(op->v[2] % 9) - 4;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	len = op->v[4] * 4096 - (op->v[4] && op->v[7] == 3 ? 0x7ff : 0);
	v = pick_vma(c, pid, op->v[3]);
	if (op->v[1] == 0)
		hint = 0;
	else if (op->v[1] == 2 && v)
		hint = v->end + (uint64_t)(delta * 4096);
	else if (op->v[1] == 3 && v)
		hint = v->start - len + (uint64_t)(delta * 4096);
	props_note(r, "pid %d hint %#llx len %#llx ", pid, (unsigned long long)hint,
		   (unsigned long long)len);
	r->expect.ret = ofault_mmap(&c->o, (uint32_t)pid, hint, len, (uint32_t)op->v[5], op->v[6] != 0,
				    &oaddr);
	if (compare_call(r, mm_do_mmap(c->m, (uint32_t)pid, hint, len, (uint32_t)op->v[5],
				       op->v[6] ? MM_MAP_FIXED : 0, &laddr)))
		return PROPS_FAIL;
	if (!r->expect.ret) {
		props_note(r, "at %#llx", (unsigned long long)oaddr);
		PROPS_CHECK_EQ(r, "do_mmap address", laddr, oaddr);
	}
	return PROPS_OK;
}

/* A range relative to a VMA: start off pages from its start (from one page
 * before it), npages long, plus an unalignment. */
static void vma_range(const struct fault_ctx *c, int pid, const struct props_op *op, uint64_t *addr,
		      uint64_t *len)
{
	const struct ofault_vma *v = pick_vma(c, pid, op->v[1]);
	uint64_t start = v ? v->start : OFAULT_MIN_ADDR, pages = v ? (v->end - v->start) / 4096 : 1;
	*addr = start - 4096 + (op->v[2] % (pages + 2)) * 4096 + (op->v[4] == 3 ? 0x800 : 0);
	*len = op->v[3] * 4096;
}

static int step_munmap(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t addr, len;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	vma_range(c, pid, op, &addr, &len);
	props_note(r, "pid %d [%#llx +%#llx) ", pid, (unsigned long long)addr, (unsigned long long)len);
	r->expect.ret = ofault_munmap(&c->o, (uint32_t)pid, addr, len);
	r->actual.ret = mm_do_munmap(c->m, (uint32_t)pid, addr, len);
	return PROPS_OK;
}

static int step_mprotect(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t addr, len;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	vma_range(c, pid, op, &addr, &len);
	props_note(r, "pid %d [%#llx +%#llx) ", pid, (unsigned long long)addr, (unsigned long long)len);
	r->expect.ret = ofault_mprotect(&c->o, (uint32_t)pid, addr, len, (uint32_t)op->v[5]);
	r->actual.ret = mm_mprotect(c->m, (uint32_t)pid, addr, len, (uint32_t)op->v[5]);
	return PROPS_OK;
}

/* ---- accesses ---------------------------------------------------------------------- */

static int do_access(struct fault_ctx *c, struct props_result *r, int pid, uint64_t addr, size_t len,
		     bool write, uint64_t seed)
{
	if (!budget_ok(c, r, 2 * (len / 4096 + 2) + 3))
		return PROPS_OK;
	props_note(r, "pid %d [%#llx +%#zx) ", pid, (unsigned long long)addr, len);
	if (write) {
		fill(c->buf, len, seed);
		r->expect.ret = ofault_write(&c->o, (uint32_t)pid, addr, c->buf, len);
		return compare_call(r, mm_user_write(c->m, (uint32_t)pid, addr, c->buf, len));
	}
	r->expect.ret = ofault_read(&c->o, (uint32_t)pid, addr, c->want_buf, len);
	memset(c->buf, 0xa5, len);
	if (compare_call(r, mm_user_read(c->m, (uint32_t)pid, addr, c->buf, len)))
		return PROPS_FAIL;
	if (!r->expect.ret && memcmp(c->buf, c->want_buf, len)) {
		size_t i = 0;
		while (c->buf[i] == c->want_buf[i])
			i++;
		return props_fail(r, "user_read at %#llx: byte %zu library %#x, oracle %#x",
				  (unsigned long long)addr, i, c->buf[i], c->want_buf[i]);
	}
	return PROPS_OK;
}

static int access_op(void *ctx, const struct props_op *op, struct props_result *r, bool write)
{
	const struct ofault_vma *v;
	uint64_t span, addr;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	v = pick_vma(c, pid, op->v[1]);
	span = v ? v->end - v->start + 8192 : 8192;
	addr = (v ? v->start : OFAULT_MIN_ADDR) - 4096 + op->v[2] % span;
	return do_access(c, r, pid, addr, (size_t)op->v[3], write, op->v[4]);
}

static int step_read(void *ctx, const struct props_op *op, struct props_result *r)
{
	return access_op(ctx, op, r, false);
}

static int step_write(void *ctx, const struct props_op *op, struct props_result *r)
{
	return access_op(ctx, op, r, true);
}

/* An access at any address (user-space edges, no VMA, wrap). */
static int step_access_abs(void *ctx, const struct props_op *op, struct props_result *r)
{
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	return do_access(c, r, pid, op->v[1], (size_t)op->v[2], op->v[3] != 0, op->v[1]);
}

/* The sparse array: one byte every 2^stride pages of a VMA, count times. */
static int step_read_stride(void *ctx, const struct props_op *op, struct props_result *r)
{
	const struct ofault_vma *v;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0 || !(v = pick_vma(c, pid, op->v[1])))
		return PROPS_OK;
	for (uint64_t i = 0; i < op->v[3]; i++) {
		uint64_t a = v->start + (i << (12 + op->v[2]));
		if (a >= v->end || do_access(c, r, pid, a, 1, false, 0))
			break;
		r->note[0] = '\0';
	}
	return r->msg[0] ? PROPS_FAIL : PROPS_OK;
}

/* ---- pins ------------------------------------------------------------------------ */

static int do_pin(struct fault_ctx *c, struct props_result *r, int pid, uint64_t addr, bool write)
{
	uint32_t page = 0;
	mm_pfn_t pfn = 0;
	if (c->npins >= MAX_PINS || !budget_ok(c, r, 3))
		return PROPS_OK;
	props_note(r, "pin %d %#llx ", pid, (unsigned long long)addr);
	r->expect.ret = ofault_pin(&c->o, (uint32_t)pid, addr, write, &page);
	if (compare_call(r, mm_get_user_pages(c->m, (uint32_t)pid, addr, write, &pfn)))
		return PROPS_FAIL;
	if (r->expect.ret)
		return PROPS_OK;
	if ((page == OFAULT_ZERO) != (pfn == c->zero_pfn))
		return props_fail(r, "get_user_pages: library pfn %#llx, oracle %s", (unsigned long long)pfn,
				  page == OFAULT_ZERO ? "the zero page" : "a private page");
	c->pin[c->npins++] = (struct fault_pin){ page, pfn };
	return PROPS_OK;
}

static int step_pin(void *ctx, const struct props_op *op, struct props_result *r)
{
	const struct ofault_vma *v;
	uint64_t addr;
	int pid;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0)
		return PROPS_OK;
	v = pick_vma(c, pid, op->v[1]);
	addr = v ? v->start + (op->v[2] % ((v->end - v->start) / 4096)) * 4096 : OFAULT_MIN_ADDR;
	return do_pin(c, r, pid, addr, op->v[3] != 0);
}

/* The design's write-after-read patterns on one page of a VMA, each step
 * checked as it goes (the full check follows the whole op):
 *   war: read, write          raw: write, read
 *   fork_parent: write, fork, write in the parent, read in the child
 *   fork_child: write, fork, write in the child, read in the parent
 *   chain: write, fork, fork the child, write in the grandchild, the child,
 *          the parent, read each
 *   pin_fork: write, pin (read), fork, write in the parent, then the child
 *   pin_write: read, pin (read), write, pin (write), write
 *   exit_mid: write, fork, fork, exit the middle one, write in the others */
enum { PAT_WAR, PAT_RAW, PAT_FORK_PARENT, PAT_FORK_CHILD, PAT_CHAIN, PAT_PIN_FORK, PAT_PIN_WRITE,
       PAT_EXIT_MID, PAT_NR };

static int step_pattern(void *ctx, const struct props_op *op, struct props_result *r)
{
	const struct ofault_vma *v;
	uint64_t a, seed = op->v[4];
	uint32_t k1 = 0, k2 = 0;
	int pid, f;
	STEP_PROLOGUE;
	if ((pid = pick_proc(c, op->v[0])) < 0 || !(v = pick_vma(c, pid, op->v[1])))
		return PROPS_OK;
	a = v->start + (op->v[2] % ((v->end - v->start) / 4096)) * 4096 + (seed & 0xff);
#define ACC(p, w) do { if (do_access(c, r, (int)(p), a, 8, (w), seed++)) return PROPS_FAIL; } while (0)
#define FORK(p, out) ((f = do_fork(c, r, (int)(p), (out))) < 0 ? -1 : f)
	switch (op->v[3] % PAT_NR) {
	case PAT_WAR: ACC(pid, false); ACC(pid, true); break;
	case PAT_RAW: ACC(pid, true); ACC(pid, false); break;
	case PAT_FORK_PARENT:
	case PAT_FORK_CHILD:
		ACC(pid, true);
		if ((f = FORK(pid, &k1)) <= 0)
			return f < 0 ? PROPS_FAIL : PROPS_OK;
		ACC(op->v[3] % PAT_NR == PAT_FORK_PARENT ? (uint32_t)pid : k1, true);
		ACC(op->v[3] % PAT_NR == PAT_FORK_PARENT ? k1 : (uint32_t)pid, false);
		break;
	case PAT_CHAIN:
		ACC(pid, true);
		if ((f = FORK(pid, &k1)) <= 0 || (f = FORK(k1, &k2)) <= 0)
			return f < 0 ? PROPS_FAIL : PROPS_OK;
		ACC(k2, true); ACC(k1, true); ACC(pid, true);
		ACC(k2, false); ACC(k1, false); ACC(pid, false);
		break;
	case PAT_PIN_FORK:
		ACC(pid, true);
		if (do_pin(c, r, pid, a & ~0xfffull, false))
			return PROPS_FAIL;
		if ((f = FORK(pid, &k1)) <= 0)
			return f < 0 ? PROPS_FAIL : PROPS_OK;
		ACC(pid, true); ACC(k1, true);
		break;
	case PAT_PIN_WRITE:
		ACC(pid, false);
		if (do_pin(c, r, pid, a & ~0xfffull, false))
			return PROPS_FAIL;
		ACC(pid, true);
		if (do_pin(c, r, pid, a & ~0xfffull, true))
			return PROPS_FAIL;
		ACC(pid, true);
		break;
	default: /* PAT_EXIT_MID */
		ACC(pid, true);
		if ((f = FORK(pid, &k1)) <= 0 || (f = FORK(pid, &k2)) <= 0)
			return f < 0 ? PROPS_FAIL : PROPS_OK;
		r->expect.ret = ofault_exit(&c->o, k1);
		if (compare_call(r, mm_mmput(c->m, k1)))
			return PROPS_FAIL;
		ACC(pid, true); ACC(k2, true); ACC(pid, false);
		break;
	}
#undef ACC
#undef FORK
	return PROPS_OK;
}

static int step_unpin(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct fault_pin p;
	uint32_t i;
	STEP_PROLOGUE;
	if (!c->npins)
		return PROPS_OK;
	i = (uint32_t)(op->v[0] % c->npins);
	p = c->pin[i];
	c->pin[i] = c->pin[--c->npins];
	ofault_unpin(&c->o, p.page);
	r->expect.ret = 0;
	r->actual.ret = mm_unpin_user_page(c->m, p.pfn);
	return PROPS_OK;
}

static uint64_t c_node_start(void *ctx)
{
	return ((const struct fault_ctx *)ctx)->node_start;
}

/* Misuse: unpin of a pfn the harness holds no pin on. */
static int step_unpin_raw(void *ctx, const struct props_op *op, struct props_result *r)
{
	const uint64_t pfn = c_node_start(ctx) - 8 + op->v[0];
	STEP_PROLOGUE;
	for (uint32_t i = 0; i < c->npins; i++)
		if (c->pin[i].pfn == pfn)
			return PROPS_OK; /* a real pin: step_unpin's business */
	r->expect.ret = ofault_unpin_unheld(&c->o, pfn == c->zero_pfn);
	r->actual.ret = mm_unpin_user_page(c->m, pfn);
	return PROPS_OK;
}

/* Misuse: a kernel write into the zero page (refused with the switch on;
 * without it the write would land and mm_verify would abort, so it is only
 * drawn with the switch). */
static int step_zero_write(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint8_t b = (uint8_t)(op->v[1] | 1);
	STEP_PROLOGUE;
	if (!c->zero_wp)
		return PROPS_OK;
	r->expect.ret = ofault_zero_write(&c->o);
	r->actual.ret = mm_phys_write(c->m, c->zero_pfn * 4096 + op->v[0], &b, 1);
	return PROPS_OK;
}

/* An exited process (sel 0, if any) or an id never given out. */
static uint32_t c_dead_or_new(void *ctx, uint64_t sel)
{
	const struct fault_ctx *c = ctx;
	for (uint32_t i = 0; !sel && i < c->o.nproc; i++)
		if (!c->o.proc[i].live)
			return i;
	return c->o.nproc + (uint32_t)sel;
}

/* The oracle's prediction for step_bad_id's call (the same arguments). */
static int predict_bad_id(struct fault_ctx *c, uint64_t call, uint32_t id)
{
	uint64_t out64;
	uint32_t out32, page;
	switch (call) {
	case 0: return ofault_read(&c->o, id, OFAULT_MIN_ADDR, c->want_buf, 1);
	case 1: return ofault_write(&c->o, id, OFAULT_MIN_ADDR, c->buf, 1);
	case 2: return ofault_mmap(&c->o, id, 0, 4096, 3, false, &out64);
	case 3: return ofault_munmap(&c->o, id, OFAULT_MIN_ADDR, 4096);
	case 4: return ofault_mprotect(&c->o, id, OFAULT_MIN_ADDR, 4096, 1);
	case 5: return ofault_fork(&c->o, id, &out32);
	case 6: return ofault_exit(&c->o, id);
	case 7: return ofault_pin(&c->o, id, OFAULT_MIN_ADDR, false, &page);
	default: return ofault_id_check(&c->o, id); /* follow_page, get_mm_counter */
	}
}

/* Misuse: every process call with an id that names no live process (an
 * exited one, or one never created): the oracle predicts -EINVAL and a
 * fault/INVALID_ARG report. */
static int step_bad_id(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint32_t id = c_dead_or_new(ctx, op->v[1]), out32;
	uint64_t out64;
	mm_pfn_t pfn;
	struct mm_pte_info pi;
	int got;
	STEP_PROLOGUE;
	props_note(r, "%s id %u ", bad_names[op->v[0] % 10], id);
	r->expect.ret = predict_bad_id(c, op->v[0], id);
	switch (op->v[0]) {
	case 0: got = mm_user_read(c->m, id, OFAULT_MIN_ADDR, c->buf, 1); break;
	case 1: got = mm_user_write(c->m, id, OFAULT_MIN_ADDR, c->buf, 1); break;
	case 2: got = mm_do_mmap(c->m, id, 0, 4096, 3, 0, &out64); break;
	case 3: got = mm_do_munmap(c->m, id, OFAULT_MIN_ADDR, 4096); break;
	case 4: got = mm_mprotect(c->m, id, OFAULT_MIN_ADDR, 4096, 1); break;
	case 5: got = mm_dup_mm(c->m, id, &out32); break;
	case 6: got = mm_mmput(c->m, id); break;
	case 7: got = mm_get_user_pages(c->m, id, OFAULT_MIN_ADDR, false, &pfn); break;
	case 8: got = mm_follow_page(c->m, id, OFAULT_MIN_ADDR, &pi); break;
	default: got = mm_get_mm_counter(c->m, id, &out64, NULL); break;
	}
	r->actual.ret = got;
	return PROPS_OK;
}

static int step_fault(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	mm_fault_inject_set(c->m, op->v[0] != 0, (uint32_t)op->v[1], (uint32_t)op->v[2]);
	ofault_fault_set(&c->o, op->v[0] != 0, (uint32_t)op->v[1], (uint32_t)op->v[2]);
	return PROPS_OK;
}

/* ---- checks ---------------------------------------------------------------------- */

struct walk_cmp {
	struct fault_ctx *c;
	const struct ofault_proc *p;
	uint32_t k;
	struct props_result *r;
};

/* One library entry against the oracle's k-th entry of the process. */
static int walk_one(void *arg, uint64_t va, const struct mm_pte_info *pi)
{
	struct walk_cmp *w = arg;
	struct fault_ctx *c = w->c;
	const struct ofault_pte *e;
	const struct ofault_vma *v;
	uint32_t want;
	if (w->k >= w->p->npte)
		return props_fail(w->r, "entry at %#llx: the oracle has none", (unsigned long long)va);
	e = &w->p->pte[w->k++];
	if (va / 4096 != e->vpn)
		return props_fail(w->r, "entry at %#llx: the oracle's next is at %#llx",
				  (unsigned long long)va, (unsigned long long)e->vpn * 4096);
	v = ofault_find_vma(w->p, va);
	want = MM_PTE_USER | (v && v->prot ? MM_PTE_PRESENT : MM_PTE_PROTNONE) |
	       (e->rw ? MM_PTE_RW : 0) | (e->page == OFAULT_ZERO ? MM_PTE_SPECIAL : 0);
	if ((pi->flags & ~(uint32_t)(MM_PTE_ACCESSED | MM_PTE_DIRTY)) != want)
		return props_fail(w->r, "entry at %#llx: flags %#x, oracle %#x", (unsigned long long)va,
				  pi->flags, want);
	if (e->page == OFAULT_ZERO) {
		if (pi->pfn != c->zero_pfn)
			return props_fail(w->r, "entry at %#llx: pfn %#llx, oracle the zero page",
					  (unsigned long long)va, (unsigned long long)pi->pfn);
		return 0;
	}
	if (pi->pfn < c->node_start || pi->pfn >= c->node_start + c->node_pages)
		return props_fail(w->r, "entry at %#llx: pfn %#llx outside the node", (unsigned long long)va,
				  (unsigned long long)pi->pfn);
	/* one pfn per oracle page and one oracle page per pfn */
	if (c->page_pfn[e->page] == UINT64_MAX && !c->pfn_page[pi->pfn - c->node_start]) {
		c->page_pfn[e->page] = pi->pfn;
		c->pfn_page[pi->pfn - c->node_start] = e->page + 1;
	}
	if (c->page_pfn[e->page] != pi->pfn || c->pfn_page[pi->pfn - c->node_start] != e->page + 1)
		return props_fail(w->r, "entry at %#llx: pfn %#llx, but the oracle's page %u is pfn %#llx",
				  (unsigned long long)va, (unsigned long long)pi->pfn, e->page,
				  (unsigned long long)c->page_pfn[e->page]);
	return 0;
}

static int check_page(struct fault_ctx *c, struct props_result *r, uint32_t id, uint64_t pfn)
{
	const struct ofault_page *pg = &c->o.pages[id];
	struct mm_page_info pi;
	int ret = mm_page_info(c->m, pfn, &pi);
	if (ret)
		return props_fail(r, "mm_page_info(%#llx): %d", (unsigned long long)pfn, ret);
	PROPS_CHECK_EQ(r, "mapcount", (int64_t)pi.mapcount + 1, pg->maps);
	PROPS_CHECK_EQ(r, "refcount", pi.refcount, pg->maps + pg->pins);
	PROPS_CHECK_EQ(r, "mm_page_pins", mm_page_pins(c->m, pfn), pg->pins);
	if ((ret = mm_phys_read(c->m, pfn * 4096, c->buf, 4096)))
		return props_fail(r, "phys_read of page %#llx: %d", (unsigned long long)pfn, ret);
	if (memcmp(c->buf, pg->data ? pg->data : zeros, 4096))
		return props_fail(r, "contents of pfn %#llx differ from the oracle's page %u",
				  (unsigned long long)pfn, id);
	return PROPS_OK;
}

static int check_pages(struct fault_ctx *c, struct props_result *r)
{
	for (uint32_t i = 0; i < c->npins; i++) {
		const struct fault_pin *p = &c->pin[i];
		if (p->page == OFAULT_ZERO)
			continue;
		if (c->page_pfn[p->page] != UINT64_MAX && c->page_pfn[p->page] != p->pfn)
			return props_fail(r, "pinned page %u: pfn %#llx, mapped as %#llx", p->page,
					  (unsigned long long)p->pfn,
					  (unsigned long long)c->page_pfn[p->page]);
		c->page_pfn[p->page] = p->pfn;
	}
	for (uint32_t i = 0; i < c->o.npages; i++) {
		const struct ofault_page *pg = &c->o.pages[i];
		if (!pg->live)
			continue;
		if (c->page_pfn[i] == UINT64_MAX)
			return props_fail(r, "oracle page %u (maps %u pins %u) has no pfn", i, pg->maps,
					  pg->pins);
		if (check_page(c, r, i, c->page_pfn[i]))
			return PROPS_FAIL;
	}
	return PROPS_OK;
}

static int fault_check(void *ctx, struct props_result *r)
{
	struct fault_ctx *c = ctx;
	uint64_t rss, tables;
	if (c->o.oom)
		return props_fail(r, "host out of memory in the oracle");
	PROPS_CHECK_EQ(r, "simulated pages in use", c->base_free - mm_nr_free_pages(c->m), c->o.used);
	if (mm_phys_read(c->m, c->zero_pfn * 4096, c->buf, 4096))
		return props_fail(r, "phys_read of the zero page failed");
	if (memcmp(c->buf, zeros, 4096))
		for (unsigned i = 0; i < 4096; i++)
			if (c->buf[i])
				return props_fail(r, "zero page byte %u is %#x", i, c->buf[i]);
	if (c->page_pfn_cap < c->o.npages) {
		uint32_t cap = c->o.npages * 2;
		uint64_t *n = props_blk_grow(c->page_pfn, c->page_pfn_cap * sizeof(*n), cap * sizeof(*n));
		if (!n)
			return props_fail(r, "host out of memory");
		c->page_pfn = n;
		c->page_pfn_cap = cap;
	}
	if (c->o.npages)
		memset(c->page_pfn, 0xff, c->o.npages * sizeof(*c->page_pfn));
	memset(c->pfn_page, 0, c->node_pages * sizeof(*c->pfn_page));
	for (uint32_t id = 0; id < c->o.nproc; id++) {
		const struct ofault_proc *p = &c->o.proc[id];
		struct walk_cmp w = { c, p, 0, r };
		int ret;
		if (!p->live)
			continue;
		if (mm_get_mm_counter(c->m, id, &rss, &tables))
			return props_fail(r, "get_mm_counter(%u) failed", id);
		PROPS_CHECK_EQ(r, "MM_ANONPAGES", rss, ofault_anon_rss(p));
		PROPS_CHECK_EQ(r, "PTE tables", tables, p->ntables);
		if ((ret = mm_walk_page_range(c->m, id, walk_one, &w)))
			return ret == PROPS_FAIL ? PROPS_FAIL
						 : props_fail(r, "walk_page_range(%u): %d", id, ret);
		if (w.k != p->npte)
			return props_fail(r, "process %u: library %u entries, oracle %u", id, w.k, p->npte);
	}
	if (check_pages(c, r))
		return PROPS_FAIL;
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* What fault_check reads, in props.h's units (a page's struct or a table
 * entry is one, 64 bytes compared are one): every page in use compared
 * whole, the zero page, the node's memmap walked twice by mm_verify (the
 * buddy and the memmap checks), and per live process its page table
 * walked twice (walk_page_range here, mm_verify's own walk). */
static uint64_t fault_check_cost(void *ctx)
{
	const struct fault_ctx *c = ctx;
	uint64_t cost = (c->o.used + 1) * 64 + 2 * c->node_pages;
	for (uint32_t i = 0; i < c->o.nproc; i++)
		cost += c->o.proc[i].live ? 2 * (c->o.nspans / 8 + c->o.proc[i].npte) : 0;
	return cost;
}

/* ---- a last-reference free of a page in use ------------------------------------- */

static const char *const put_names[] = { "put_page", "free_pages" };

/* The ordinary free path reached with a user page still in use: a caller
 * holding no reference (a driver's extra put) drops the last one of a page
 * whose one reference is its one mapping (pin=0: the page mapped at the
 * address) or, once its mappings are gone, its one pin (pin=k: the
 * harness's pin k-1, which stays held). put_page and __free_pages both end
 * in free_pages_check, which finds the page mapped (mapcount) or still owned
 * (page->mapping): "Bad page state", page_alloc/BAD_PAGE, -EINVAL, and the
 * page stays as it was (docs/page_alloc.md, Misuse): mapped or pinned, its
 * counts and bytes intact, as every later check compares. A page with more
 * references than that one is left alone. */
static int step_put_last(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint32_t page;
	uint64_t pfn;
	int want;
	STEP_PROLOGUE;
	if (op->v[4]) {
		const struct fault_pin *p;
		if (!c->npins)
			return PROPS_OK;
		p = &c->pin[(op->v[4] - 1) % c->npins];
		page = p->page;
		pfn = p->pfn;
	} else {
		const struct ofault_vma *v;
		const struct ofault_pte *e;
		struct mm_pte_info pi;
		uint64_t addr;
		int pid;
		if ((pid = pick_proc(c, op->v[1])) < 0 || !(v = pick_vma(c, pid, op->v[2])))
			return PROPS_OK;
		addr = v->start + (op->v[3] % ((v->end - v->start) / 4096)) * 4096;
		if (!(e = ofault_find_pte(&c->o.proc[pid], addr / 4096)) || e->page == OFAULT_ZERO)
			return PROPS_OK;
		/* the pfn behind the address: the checks pin each pfn to its
		 * oracle page (walk_page_range), so a wrong one fails there */
		props_note(r, "pid %d %#llx ", pid, (unsigned long long)addr);
		r->expect.ret = 0;
		if (compare_call(r, mm_follow_page(c->m, (uint32_t)pid, addr, &pi)))
			return PROPS_FAIL;
		page = e->page;
		pfn = pi.pfn;
	}
	if ((want = ofault_put_last(&c->o, page)) > 0) {
		props_note(r, "page %u holds more references", page);
		r->expect.ret = r->actual.ret = 0;
		return PROPS_OK;
	}
	props_note(r, "pfn %#llx ", (unsigned long long)pfn);
	r->expect.ret = want;
	r->actual.ret = op->v[0] ? mm_free_pages(c->m, pfn, 0) : mm_put_page(c->m, pfn);
	return PROPS_OK;
}

/* ---- schema ------------------------------------------------------------------------ */

#define PID PROPS_RANGE("pid", 0, 7)
#define VMA PROPS_RANGE("vma", 0, 15)

static const struct props_opdef fault_ops[] = {
	{ "create", 0, { { 0 } }, step_create, false },
	{ "fork", 1, { PID }, step_fork, false },
	{ "exit", 1, { PID }, step_exit, false },
	{ "mmap", 8,
	  { PID, PROPS_ENUM("hint", hint_names, NULL), PROPS_HEX("addr", 0, 0xffffffff), VMA,
	    PROPS_HEX("pages", 0, 0x40000), PROPS_RANGE("prot", 0, 8), PROPS_BOOL("fixed"),
	    PROPS_RANGE("short", 0, 3) },
	  step_mmap, false },
	{ "munmap", 5,
	  { PID, VMA, PROPS_HEX("off", 0, 0x40000), PROPS_HEX("pages", 0, 0x40000),
	    PROPS_RANGE("unalign", 0, 3) },
	  step_munmap, false },
	{ "mprotect", 6,
	  { PID, VMA, PROPS_HEX("off", 0, 0x40000), PROPS_HEX("pages", 0, 0x40000),
	    PROPS_RANGE("unalign", 0, 3), PROPS_RANGE("prot", 0, 8) },
	  step_mprotect, false },
	{ "read", 5,
	  { PID, VMA, PROPS_HEX("off", 0, 0xffffffff), PROPS_HEX("len", 0, MAX_LEN),
	    PROPS_HEX("seed", 0, 0xff) },
	  step_read, false },
	{ "write", 5,
	  { PID, VMA, PROPS_HEX("off", 0, 0xffffffff), PROPS_HEX("len", 0, MAX_LEN),
	    PROPS_HEX("seed", 0, UINT64_MAX) },
	  step_write, false },
	{ "access_abs", 4,
	  { PID, PROPS_HEX("addr", 0, UINT64_MAX), PROPS_HEX("len", 0, MAX_LEN), PROPS_BOOL("write") },
	  step_access_abs, false },
	{ "read_stride", 4,
	  { PID, VMA, PROPS_RANGE("stride_log", 0, 18), PROPS_RANGE("count", 0, 64) },
	  step_read_stride, false },
	{ "pin", 4, { PID, VMA, PROPS_HEX("off", 0, 0x40000), PROPS_BOOL("write") }, step_pin, false },
	{ "unpin", 1, { PROPS_RANGE("idx", 0, MAX_PINS - 1) }, step_unpin, false },
	{ "pattern", 5,
	  { PID, VMA, PROPS_HEX("page", 0, 0x40000), PROPS_ENUM("kind", pattern_names, NULL),
	    PROPS_HEX("seed", 0, UINT64_MAX) },
	  step_pattern, false },
	{ "fault", 3, { PROPS_BOOL("on"), PROPS_RANGE("after", 0, 64), PROPS_RANGE("repeat", 0, 4) },
	  step_fault, false },
	{ "unpin_raw", 1, { PROPS_HEX("pfn_off", 0, MAX_NODE_PAGES + 16) }, step_unpin_raw, true },
	{ "zero_write", 2, { PROPS_HEX("off", 0, 4095), PROPS_HEX("byte", 0, 0xff) }, step_zero_write,
	  true },
	{ "bad_id", 2, { PROPS_ENUM("call", bad_names, NULL), PROPS_RANGE("id", 0, 16) }, step_bad_id,
	  true },
	{ "put_last", 5,
	  { PROPS_ENUM("how", put_names, NULL), PID, VMA, PROPS_HEX("off", 0, 0x40000),
	    PROPS_RANGE("pin", 0, MAX_PINS) },
	  step_put_last, true },
};

const struct props_harness props_harness_fault = {
	.name = "fault",
	.summary = "processes, anonymous memory, the zero page, copy-on-write, fork, pins",
	.ctx_size = sizeof(struct fault_ctx),
	.max_ops = 200,
	.check_every = 16,
	.config = { .name = "config", .nfields = 8,
		    .fields = { PROPS_ENUM("profile", profile_names, NULL), PROPS_BOOL("zero_page"),
				PROPS_ENUM("reuse", reuse_names, NULL), PROPS_RANGE("fault", 0, 300),
				PROPS_RANGE("fault_repeat", 0, 8), PROPS_BOOL("zero_wp"),
				PROPS_HEX("seed", 0, UINT64_MAX), PROPS_ENUM("boot", boot_names, NULL) } },
	.setup = fault_setup,
	.check = fault_check,
	.check_cost = fault_check_cost,
	.teardown = fault_teardown,
	.nr_ops = sizeof(fault_ops) / sizeof(fault_ops[0]),
	.ops = fault_ops,
};
