/*
 * Harness "page_alloc": nodes with holes and reserved ranges anywhere below
 * the profile's limit (x86_32, PAE), zones with a small lowmem limit (so
 * DMA, NORMAL and HIGHMEM exist in a few MiB), a simple maximal-block
 * hand-off, then alloc/free/refcount/split/exact sequences with every GFP
 * mask and order, misuse, stray writes into poisoned free pages, fault
 * injection, whole contents through simulated physical memory, and the
 * per-CPU page lists (set-up, the fraction sysctl, 1 to 8 CPUs, drains, hot
 * and cold order-0 pages). The oracle predicts every answer before the
 * library's is seen: the return value and reports (the runner compares
 * them), the very pfn of every allocation and every per-CPU refill (its own
 * free lists in the kernel's order; with shuffling, a member of the list
 * it names). A shadow of every frame checks every byte handed out. check()
 * compares every zone counter and per-CPU list; in every total check (props
 * mode, the end of every input) also every pfn, every live byte, the backed
 * frame count and mm_verify; a fuzz-mode check in the middle of an input
 * does the walks only after a state change.
 *
 * Layout ops ("node") come first; the first other op runs free_area_init,
 * the hand-off and the watermark set-up (an input of node ops only stops
 * at the layout).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/mmsim.h"
#include "oracle_page_alloc.h"
#include "props.h"

#define UNIVERSE 0x2000u /* pfns: 32 MiB of simulated RAM at most */
#define MAX_LAYOUT_NODES 4
#define FREED_RING 8
#define DEFAULT_CPUS 3 /* config cpus=0: the three CPUs every input had before the field */
#define MAX_SPANS 32

struct layout_node {
	uint64_t start, end, hole_s, hole_e, resv_s, resv_e;
};

struct page_alloc_ctx {
	struct mm_machine *m;
	struct opage_alloc o;
	bool oracle_live, inited;
	bool dirty; /* state changed since the last walk (fuzz-mode checks only) */
	unsigned max_order;
	uint32_t hardening;
	uint64_t lowmem_pfn;
	bool modern;
	int nr_nodes;
	struct layout_node node[MAX_LAYOUT_NODES];
	uint32_t nr_cpus;
	uint64_t origin; /* the layout's pfn 0 (config base): node gaps and raw pfn fields count from it */
	uint64_t limit;  /* the profile's first pfn past physical memory */
	/* the boundaries relative pfns are drawn around (node, hole, reserved
	 * range and zone spans, from the layout and the oracle), sorted by start */
	struct props_span spans[MAX_SPANS];
	uint32_t nr_spans;
	bool fault_enable; /* the configuration's fault injection, as drawn */
	uint32_t fault_after, fault_repeat;
	/* live allocation heads: dense array + position per pfn */
	uint64_t *heads;
	uint32_t *pos;
	uint64_t nheads;
	/* The shadow of simulated memory, per pfn (indexed by pfn - base): what
	 * every byte of the frame reads, from every write through the API and
	 * every rule that changes contents (zeroing, poisoning on free, stray
	 * writes), and whether the library holds a host frame for it. */
	struct shadow_page {
		uint8_t *bytes; /* NULL: every byte reads `fill` */
		uint8_t fill;
		bool backed;
	} *shadow;
	uint64_t backed; /* frames the shadow says are backed */
	uint64_t nbytes; /* shadow pages holding explicit bytes (teardown stops at the last) */
	uint64_t base;   /* pos[] and shadow[] are indexed by pfn - base */
	uint64_t npfn;   /* the shadow covers [base, npfn] */
	uint64_t freed[FREED_RING][2];
	unsigned freed_next;
};

static const char *const era_names[] = { "2.6.29", "modern" };
static const char *const profile_names[] = { "x86_32", "pae" };
/* Only the hardening switches the library implements for these stages
 * (mm_machine_create refuses the others): page poisoning, free-list
 * shuffling, ASan poisoning of free frames, each combination once. */
static const char *const hardening_names[] = { "none", "poison", "shuffle", "poison+shuffle",
					       "asan", "poison+asan", "shuffle+asan",
					       "poison+shuffle+asan" };
static const uint64_t hardening_values[] = {
	0, MM_HARDEN_POISON, MM_HARDEN_SHUFFLE, MM_HARDEN_POISON | MM_HARDEN_SHUFFLE,
	MM_HARDEN_ASAN_POISON, MM_HARDEN_POISON | MM_HARDEN_ASAN_POISON,
	MM_HARDEN_SHUFFLE | MM_HARDEN_ASAN_POISON,
	MM_HARDEN_POISON | MM_HARDEN_SHUFFLE | MM_HARDEN_ASAN_POISON,
};
static const char *const gfp_names[] = {
	"KERNEL", "HIGHUSER", "DMA", "ATOMIC", "HIGH", "HARDER", "HIGHUSER_ATOMIC", "DMA_ATOMIC",
	"THISNODE", "HIGHUSER_THISNODE", "DMA_THISNODE", "ZERO", "HIGHUSER_ZERO", "DMA_HIGHMEM",
	"ATOMIC_THISNODE", "BAD_BIT", "COLD", "HIGHUSER_COLD", "ATOMIC_COLD",
};
static const uint64_t gfp_values[] = {
	0x0, 0x2, 0x1, 0x80020, 0x20, 0x80000, 0x80022, 0x80021,
	0x40000, 0x40002, 0x40001, 0x8000, 0x8002, 0x3,
	0xc0020, 0x200, 0x100, 0x102, 0x80120,
};
static const char *const nid_names[] = { "local", "0", "1", "2", "3", "bad7", "bad9", "bad-5" };
static const uint64_t nid_values[] = { (uint64_t)-1, 0, 1, 2, 3, 7, 9, (uint64_t)-5 };

#define OPAGE_ALLOC_GFP_VALID (0x1u | 0x2u | 0x20u | 0x100u | 0x8000u | 0x40000u | 0x80000u)

/* ---- bookkeeping ------------------------------------------------------ */

static void head_add(struct page_alloc_ctx *c, uint64_t pfn)
{
	c->pos[pfn - c->base] = (uint32_t)c->nheads;
	c->heads[c->nheads++] = pfn;
}

static void head_del(struct page_alloc_ctx *c, uint64_t pfn)
{
	uint32_t i = c->pos[pfn - c->base];
	uint64_t last = c->heads[--c->nheads];
	c->heads[i] = last;
	c->pos[last - c->base] = i;
}

static void remember_freed(struct page_alloc_ctx *c, uint64_t pfn, unsigned order)
{
	c->freed[c->freed_next][0] = pfn;
	c->freed[c->freed_next][1] = order;
	c->freed_next = (c->freed_next + 1) % FREED_RING;
}

/* A misuse the harness itself predicts (argument checks of the alloc
 * family): -EINVAL and one report of the page allocator. */
static void expect_misuse(struct props_result *r, enum mm_report_kind kind)
{
	props_expect_report(&r->expect, MM_STAGE_PAGE_ALLOC, kind);
	r->expect.ret = -EINVAL;
	props_note(r, "misuse ");
}

/* ---- set-up ----------------------------------------------------------- */

static int page_alloc_setup(void *ctx, const struct props_op *cfg, struct props_result *r)
{
	struct page_alloc_ctx *c = ctx;
	struct mm_config mc;
	int ret;

	c->modern = cfg->v[0] == 1;
	mm_config_default(&mc, c->modern ? MM_ERA_MODERN : MM_ERA_2_6_29);
	mc.profile = cfg->v[1] ? MM_PROFILE_X86_PAE : MM_PROFILE_X86_32;
	c->max_order = cfg->v[2] ? (unsigned)cfg->v[2] : 11; /* 0: the kernel default */
	mc.max_order = (uint32_t)cfg->v[2];
	/* nodes may sit anywhere below the profile's limit (near 4 GiB on
	 * x86_32, above it with PAE) while staying small */
	c->limit = cfg->v[1] ? (uint64_t)1 << 24 : (uint64_t)1 << 20;
	c->origin = cfg->v[9] < c->limit - UNIVERSE ? cfg->v[9] : c->limit - UNIVERSE;
	/* lowmem_pfn counts from the origin too, so zone boundaries fall inside high nodes */
	c->lowmem_pfn = cfg->v[3] ? c->origin + cfg->v[3] : (uint64_t)896 << 8;
	mc.lowmem_limit = cfg->v[3] ? c->lowmem_pfn << 12 : 0;
	c->hardening = (uint32_t)cfg->v[4];
	mc.hardening = c->hardening;
	mc.fault_enable = c->fault_enable = cfg->v[5] != 0;
	mc.fault_after = c->fault_after = cfg->v[5] ? (uint32_t)cfg->v[5] - 1 : 0;
	mc.fault_repeat = c->fault_repeat = (uint32_t)cfg->v[6];
	mc.seed = cfg->v[7];
	c->nr_cpus = cfg->v[8] ? (uint32_t)cfg->v[8] : DEFAULT_CPUS;
	mc.nr_cpus = c->nr_cpus;
	ret = mm_machine_create(&mc, &c->m);
	if (ret)
		return props_fail(r, "mm_machine_create: %d", ret);
	props_watch(r, c->m);
	return PROPS_OK;
}

static void page_alloc_teardown(void *ctx)
{
	struct page_alloc_ctx *c = ctx;
	mm_machine_destroy(c->m);
	if (c->oracle_live)
		opage_alloc_free(&c->o);
	free(c->heads);
	free(c->pos);
	/* every shadow page with bytes, and no pfn past the last of them */
	for (uint64_t i = 0, left = c->nbytes; c->shadow && left && i <= c->npfn - c->base; i++) {
		left -= c->shadow[i].bytes != NULL;
		free(c->shadow[i].bytes);
	}
	free(c->shadow);
}

static bool handable(const struct page_alloc_ctx *c, const struct layout_node *n, uint64_t pfn)
{
	return pfn >= n->start && pfn < n->end && !(pfn >= n->hole_s && pfn < n->hole_e) &&
	       !(pfn >= n->resv_s && pfn < n->resv_e);
}

static int zone_of(const struct page_alloc_ctx *c, uint64_t pfn)
{
	uint64_t dma = c->lowmem_pfn < 4096 ? c->lowmem_pfn : 4096;
	return pfn < dma ? 0 : pfn < c->lowmem_pfn ? 1 : 2;
}

/* A hand-off block at pfn: the largest aligned order (up to MAX_ORDER+1,
 * so the library's split of oversized bootmem blocks is exercised) whose
 * pages are all handable and in one zone. */
static unsigned handoff_order(const struct page_alloc_ctx *c, const struct layout_node *n, uint64_t pfn)
{
	unsigned o = c->max_order + 1 > 20 ? 20 : c->max_order + 1;
	for (;; o--) {
		uint64_t sz = (uint64_t)1 << o;
		bool ok = !(pfn & (sz - 1)) && pfn + sz <= n->end &&
			  zone_of(c, pfn) == zone_of(c, pfn + sz - 1);
		for (uint64_t i = 0; ok && i < sz; i++)
			ok = handable(c, n, pfn + i);
		if (ok || !o)
			return o;
	}
}

static void add_span(struct page_alloc_ctx *c, uint64_t start, uint64_t end)
{
	uint32_t i = c->nr_spans;
	if (start >= end || i == MAX_SPANS)
		return;
	/* insertion keeps them sorted by start */
	for (; i && c->spans[i - 1].start > start; i--)
		c->spans[i] = c->spans[i - 1];
	c->spans[i] = (struct props_span){ start, end };
	c->nr_spans++;
}

/* The boundaries a raw pfn is drawn around: every node span, hole and
 * reserved range of the layout, and every populated zone span of the oracle. */
static void build_spans(struct page_alloc_ctx *c)
{
	for (int i = 0; i < c->nr_nodes; i++) {
		const struct layout_node *n = &c->node[i];
		add_span(c, n->start, n->end);
		add_span(c, n->hole_s, n->hole_e);
		add_span(c, n->resv_s, n->resv_e);
		for (int z = 0; z < MM_NR_ZONES; z++)
			if (c->o.zone[i][z].present)
				add_span(c, c->o.zone[i][z].start, c->o.zone[i][z].end);
	}
}

/* A raw pfn field (op->v[0], counted from the origin) with its relative
 * form (PROPS_REL_FIELDS) at v[i..i+2]: a span's start, end, length or gap
 * plus or minus 16 pages. */
static uint64_t raw_pfn(const struct page_alloc_ctx *c, const struct props_op *op, unsigned i)
{
	return props_relative(c->origin + op->v[0], op->v[i], op->v[i + 1], op->v[i + 2], 1, c->spans,
			      c->nr_spans, c->limit);
}

static int ensure_init(struct page_alloc_ctx *c, struct props_result *r)
{
	uint64_t npfn = 0, base = UINT64_MAX;
	int ret;

	if (c->inited)
		return PROPS_OK;
	c->inited = true;
	c->dirty = true;
	if (!c->nr_nodes) {
		const uint64_t s = c->origin + 0xf80, e = c->origin + 0x1080;
		c->node[0] = (struct layout_node){ .start = s, .end = e, .hole_s = e, .hole_e = e,
						   .resv_s = e, .resv_e = e };
		c->nr_nodes = 1;
		if ((ret = mm_node_add(c->m, 0, s, e)))
			return props_fail(r, "default mm_node_add: %d", ret);
	}
	if ((ret = mm_free_area_init(c->m)))
		return props_fail(r, "mm_free_area_init: %d", ret);
	for (int i = 0; i < c->nr_nodes; i++) {
		npfn = c->node[i].end > npfn ? c->node[i].end : npfn;
		base = c->node[i].start < base ? c->node[i].start : base;
	}
	/* one absent pfn on each side, so the walk can test pfns without pages */
	base = base ? base - 1 : 0;
	c->base = base;
	if (opage_alloc_init(&c->o, c->max_order, c->lowmem_pfn, c->modern, c->hardening & MM_HARDEN_POISON,
			     c->hardening & MM_HARDEN_SHUFFLE, base, npfn + 1))
		return props_fail(r, "host out of memory for the oracle");
	c->oracle_live = true;
	opage_alloc_cpus(&c->o, c->nr_cpus);
	/* the fault countdown the configuration drew, before the oracle existed */
	opage_alloc_fault_set(&c->o, c->fault_enable, c->fault_after, c->fault_repeat);
	/* not zeroed: pos[] is read only at live heads, which head_add
	 * initialises, and heads[] only below nheads */
	c->heads = malloc((npfn + 1 - base) * sizeof(*c->heads));
	c->pos = malloc((npfn + 1 - base) * sizeof(*c->pos));
	c->shadow = calloc(npfn + 1 - base, sizeof(*c->shadow)); /* never written: reads 0, unbacked */
	c->npfn = npfn;
	if (!c->heads || !c->pos || !c->shadow)
		return props_fail(r, "host out of memory for the harness");
	for (int i = 0; i < c->nr_nodes; i++) {
		const struct layout_node *n = &c->node[i];
		opage_alloc_node(&c->o, i, n->start, n->end);
		opage_alloc_present(&c->o, n->start, n->hole_s);
		opage_alloc_present(&c->o, n->hole_e, n->end);
	}
	opage_alloc_zones_init(&c->o);
	opage_alloc_handoff_begin(&c->o);
	for (int i = 0; i < c->nr_nodes; i++) {
		const struct layout_node *n = &c->node[i];
		for (uint64_t pfn = n->start; pfn < n->end;) {
			unsigned o;
			if (!handable(c, n, pfn)) {
				pfn++;
				continue;
			}
			o = handoff_order(c, n, pfn);
			if ((ret = mm_free_pages_bootmem(c->m, pfn, o)))
				return props_fail(r, "mm_free_pages_bootmem(%#llx, %u): %d",
						  (unsigned long long)pfn, o, ret);
			opage_alloc_handoff(&c->o, pfn, o);
			pfn += (uint64_t)1 << o;
		}
	}
	opage_alloc_handoff_end(&c->o);
	if ((ret = mm_setup_per_zone_wmarks(c->m)))
		return props_fail(r, "mm_setup_per_zone_wmarks: %d", ret);
	opage_alloc_wmarks(&c->o);
	build_spans(c);
	return PROPS_OK;
}

/* ---- content ------------------------------------------------------------ */

static struct shadow_page *shadow_of(struct page_alloc_ctx *c, uint64_t pfn)
{
	return &c->shadow[pfn - c->base];
}

/* The frame's bytes in the shadow, made explicit (for a partial write). */
static uint8_t *shadow_bytes(struct page_alloc_ctx *c, uint64_t pfn)
{
	struct shadow_page *s = shadow_of(c, pfn);
	if (!s->bytes) {
		if (!(s->bytes = malloc(4096)))
			abort(); /* host out of memory: the harness cannot go on */
		c->nbytes++;
		memset(s->bytes, s->fill, 4096);
	}
	return s->bytes;
}

static void shadow_back(struct page_alloc_ctx *c, struct shadow_page *s)
{
	c->backed += !s->backed;
	s->backed = true;
}

static void shadow_uniform(struct page_alloc_ctx *c, struct shadow_page *s, uint8_t fill)
{
	c->nbytes -= s->bytes != NULL;
	free(s->bytes);
	s->bytes = NULL;
	s->fill = fill;
}

/* A successful mm_phys_write of len bytes at addr: every frame it touches
 * is backed and holds the bytes written. */
static void shadow_write(struct page_alloc_ctx *c, uint64_t addr, const uint8_t *buf, uint64_t len)
{
	while (len) {
		uint64_t off = addr & 4095, n = 4096 - off < len ? 4096 - off : len;
		memcpy(shadow_bytes(c, addr >> 12) + off, buf, n);
		shadow_back(c, shadow_of(c, addr >> 12));
		addr += n;
		buf += n;
		len -= n;
	}
}

/* __GFP_ZERO: every page of the block reads zero, and a whole zeroed frame
 * needs no host page (mm_phys_zero drops it). */
static void shadow_zero(struct page_alloc_ctx *c, uint64_t pfn, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct shadow_page *s = shadow_of(c, pfn + i);
		c->backed -= s->backed;
		s->backed = false;
		shadow_uniform(c, s, 0);
	}
}

/* Pages freed by their last reference: with page poisoning every backed
 * frame is filled with 0xaa (an unbacked one stays unbacked, reading 0). */
static void shadow_freed(struct page_alloc_ctx *c, uint64_t pfn, uint64_t n)
{
	if (!(c->hardening & MM_HARDEN_POISON))
		return;
	for (uint64_t i = 0; i < n; i++)
		if (shadow_of(c, pfn + i)->backed)
			shadow_uniform(c, shadow_of(c, pfn + i), 0xaa);
}

/* A stray write into a free page: a frame without backing gets one, filled
 * as the page reads while poisoned (0xaa) or zero, then the byte. */
static void shadow_scribble(struct page_alloc_ctx *c, uint64_t pfn, uint32_t off, uint8_t byte)
{
	struct shadow_page *s = shadow_of(c, pfn);
	if (!s->backed)
		shadow_uniform(c, s, (c->hardening & MM_HARDEN_POISON) ? 0xaa : 0);
	shadow_bytes(c, pfn)[off] = byte;
	shadow_back(c, s);
}

/* Every byte of n pages from pfn, read through the API, against the shadow. */
static int shadow_compare(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn, uint64_t n)
{
	for (uint64_t p = pfn; p < pfn + n; p++) {
		const struct shadow_page *s = shadow_of(c, p);
		uint8_t buf[4096];
		int ret;
		/* the frame's backing is predicted too; an unbacked frame the
		 * shadow says reads zero needs no 4 KiB read (unbacked frames
		 * read as zeros by construction; mm_phys_backed_pages and the
		 * machine harness's read-backs pin that rule) */
		if (mm_phys_frame_backed(c->m, p) != s->backed)
			return props_fail(r, "pfn %#llx backed: library %d, shadow %d", (unsigned long long)p,
					  !s->backed, s->backed);
		if (!s->backed && !s->bytes && s->fill == 0)
			continue;
		ret = mm_phys_read(c->m, p << 12, buf, sizeof(buf));
		if (ret)
			return props_fail(r, "read of live pfn %#llx: %d", (unsigned long long)p, ret);
		if (s->bytes ? !memcmp(buf, s->bytes, 4096) : (buf[0] == s->fill && !memcmp(buf, buf + 1, 4095)))
			continue;
		for (unsigned k = 0; k < 4096; k++)
			if (buf[k] != (s->bytes ? s->bytes[k] : s->fill))
				return props_fail(r, "pfn %#llx byte %u reads %#x, shadow %#x", (unsigned long long)p, k,
						  buf[k], s->bytes ? s->bytes[k] : s->fill);
	}
	return PROPS_OK;
}

/* A live block against the shadow: every page in props mode (every step
 * and check) and in every total check; a fuzz-mode step or partial check
 * compares the first, middle and last page (every live byte is still
 * compared by the input's final, total check). */
static int handed_out(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn, uint64_t n, bool check)
{
	if (r->all_checks || (check && r->total) || n <= 3)
		return shadow_compare(c, r, pfn, n);
	return shadow_compare(c, r, pfn, 1) || shadow_compare(c, r, pfn + n / 2, 1) ||
	       shadow_compare(c, r, pfn + n - 1, 1);
}

/* ---- allocation ----------------------------------------------------------- */

/* An order-0 allocation the oracle says (enid, ezone) serves through the
 * current CPU's list: from the list as it is, or after a refill whose pages
 * the library's list now shows (in the order taken, the allocated one first
 * for a hot page, last for a cold one). */
static int alloc_pcp_done(struct page_alloc_ctx *c, struct props_result *r, uint32_t gfp, mm_pfn_t pfn,
			  int enid, int ezone)
{
	const bool cold = gfp & OPAGE_ALLOC_GFP_COLD;
	uint64_t want;

	if (!opage_alloc_pcp_has(&c->o, enid, ezone)) {
		uint32_t n = 0, batch = opage_alloc_pcp_list(&c->o, enid, ezone, c->o.cpu)->batch;
		if (!c->o.shuffle) {
			/* rmqueue_bulk: the oracle's own heads, onto the tail in turn;
			 * every check then compares the library's list pfn by pfn */
			while (n < batch && opage_alloc_pcp_refill_one(&c->o, enid, ezone, UINT64_MAX) != UINT64_MAX)
				n++;
		} else {
			/* shuffled lists: which free block is at a head is the
			 * library's random pick; its size and each page's order are not */
			mm_pfn_t list[1024];
			struct mm_pcp_info info;
			uint64_t avail = c->o.zone[enid][ezone].free;
			if (mm_pcp_info(c->m, enid, ezone, c->o.cpu, &info, list, 1024))
				return props_fail(r, "mm_pcp_info(%d, %d, %u) failed", enid, ezone, c->o.cpu);
			n = info.count + 1;
			if (n != (avail < batch ? avail : batch) || n > 1024)
				return props_fail(r, "refill of node %d zone %d: %u pages, oracle min(batch %u, free %llu)",
						  enid, ezone, n, batch, (unsigned long long)avail);
			for (uint32_t i = 0; i < n; i++) {
				uint64_t p = cold ? (i + 1 < n ? list[i] : pfn) : (i ? list[i - 1] : pfn);
				if (opage_alloc_pcp_refill_one(&c->o, enid, ezone, p) != p)
					return props_fail(r, "refill page %u: pfn %#llx is not a block rmqueue may give",
							  i, (unsigned long long)p);
			}
		}
		props_note(r, " refill %u,", n);
	}
	want = opage_alloc_pcp_pick(&c->o, enid, ezone, cold);
	if (pfn != want)
		return props_fail(r, "alloc: pfn %#llx, oracle: the %s of the per-CPU list, %#llx",
				  (unsigned long long)pfn, cold ? "tail" : "head", (unsigned long long)want);
	props_note(r, " %#llx (node %d zone %d cpu %u list)", (unsigned long long)pfn, enid, ezone,
		   c->o.cpu);
	c->dirty = true;
	props_expect_reports(&r->expect, MM_STAGE_PAGE_ALLOC, MM_REPORT_CORRUPTION,
			     opage_alloc_pcp_alloc_apply(&c->o, enid, ezone, cold));
	head_add(c, pfn);
	if (gfp & OPAGE_ALLOC_GFP_ZERO)
		shadow_zero(c, pfn, 1);
	/* the page as the shadow says: zero, or what it held (0xaa if poisoned) */
	return shadow_compare(c, r, pfn, 1);
}

/* Run one allocation through oracle and library. via: 0 alloc_pages_node,
 * 1 alloc_pages, 2 get_zeroed_page, 3 alloc_pages_exact (size). The oracle
 * predicts the return value first (misuse, injected failure, a zone that
 * can serve or -ENOMEM); the runner compares it. */
static int do_alloc(struct page_alloc_ctx *c, struct props_result *r, int via, int nid, uint32_t gfp,
		    unsigned order, uint64_t size)
{
	mm_pfn_t pfn = 0;
	enum mm_report_kind kind = MM_REPORT_NR; /* none */
	int enid = 0, ezone = 0, onid;
	unsigned eorder = 0, scribbled;
	uint32_t drains;
	uint64_t pages = 1;

	if (via == 3) {
		if (!size)
			kind = MM_REPORT_INVALID_ARG;
		else if (gfp & OPAGE_ALLOC_GFP_HIGHMEM)
			kind = MM_REPORT_BUG;
		pages = size ? ((size - 1) >> 12) + 1 : 0;
		for (order = 0; order < 63 && ((uint64_t)1 << order) < pages; order++)
			;
	}
	if (via == 2) {
		if (gfp & OPAGE_ALLOC_GFP_HIGHMEM)
			kind = MM_REPORT_BUG;
		gfp |= OPAGE_ALLOC_GFP_ZERO;
		order = 0;
	}
	onid = nid == -1 || via ? 0 : nid;
	if (kind == MM_REPORT_NR && ((gfp & ~OPAGE_ALLOC_GFP_VALID) || onid < 0 || onid >= c->nr_nodes))
		kind = MM_REPORT_INVALID_ARG;
	if (kind == MM_REPORT_NR && order >= c->max_order)
		kind = MM_REPORT_WARN;
	if (kind != MM_REPORT_NR) {
		expect_misuse(r, kind);
	} else if (opage_alloc_should_fail(&c->o)) {
		r->expect.ret = -ENOMEM;
		props_note(r, "injected ");
	} else {
		drains = c->o.drains;
		if (!opage_alloc_alloc_expect(&c->o, onid, gfp, order, &enid, &ezone, &eorder))
			r->expect.ret = -ENOMEM;
		if (c->o.drains != drains) {
			props_note(r, "drained, ");
			c->dirty = true;
		}
	}

	switch (via) {
	case 0: r->actual.ret = mm_alloc_pages_node(c->m, nid, gfp, order, &pfn); break;
	case 1: r->actual.ret = mm_alloc_pages(c->m, gfp, order, &pfn); break;
	case 2: r->actual.ret = mm_get_zeroed_page(c->m, gfp & ~OPAGE_ALLOC_GFP_ZERO, &pfn); break;
	default: r->actual.ret = mm_alloc_pages_exact(c->m, size, gfp, &pfn); break;
	}
	props_note(r, "-> %d", r->actual.ret);
	if (r->expect.ret || r->actual.ret)
		return PROPS_OK; /* refused or failed, as the runner checks */
	if (order == 0 && c->o.pcp_ready)
		return alloc_pcp_done(c, r, gfp, pfn, enid, ezone);
	{
		/* without shuffling the very block is predicted (the head of the
		 * list rmqueue takes); with it, any member of that list */
		uint64_t got = opage_alloc_rmqueue(&c->o, enid, ezone, order, c->o.shuffle ? pfn : UINT64_MAX);
		if (got != pfn)
			return props_fail(r, "alloc: pfn %#llx, oracle %#llx (node %d zone %d, the %s order-%u list)",
					  (unsigned long long)pfn, (unsigned long long)got, enid, ezone,
					  c->o.shuffle ? "a block of the" : "head of the", eorder);
	}
	props_note(r, " %#llx (node %d zone %d from order %u)", (unsigned long long)pfn, enid, ezone,
		   eorder);
	c->dirty = true;
	scribbled = opage_alloc_alloc_apply(&c->o, pfn, order);
	props_expect_reports(&r->expect, MM_STAGE_PAGE_ALLOC, MM_REPORT_CORRUPTION, scribbled);
	if (gfp & OPAGE_ALLOC_GFP_ZERO)
		shadow_zero(c, pfn, (uint64_t)1 << order); /* the whole block, before any page goes back */
	if (via == 3) {
		opage_alloc_split_apply(&c->o, pfn, order);
		for (uint64_t i = pages; i < ((uint64_t)1 << order); i++)
			opage_alloc_free_apply(&c->o, pfn + i, 0);
		shadow_freed(c, pfn + pages, ((uint64_t)1 << order) - pages);
		for (uint64_t i = 0; i < pages; i++)
			head_add(c, pfn + i);
	} else {
		head_add(c, pfn);
		pages = (uint64_t)1 << order;
	}
	/* every page handed out, whole: zeroing, poison read back, old contents */
	return handed_out(c, r, pfn, pages, false);
}

/* ---- steps -------------------------------------------------------------- */

/* The spans a node's edges are drawn around before the zones exist: the
 * zone ranges the configuration fixes and the nodes laid out so far. */
static void layout_spans(const struct page_alloc_ctx *c, struct props_span *sp, uint32_t *n)
{
	const uint64_t dma = c->lowmem_pfn < 4096 ? c->lowmem_pfn : 4096;
	const struct props_span zones[3] = { { 0, dma }, { dma, c->lowmem_pfn }, { c->lowmem_pfn, c->limit } };
	for (int z = 0; z < 3; z++)
		if (zones[z].start < zones[z].end)
			sp[(*n)++] = zones[z];
	for (int i = 0; i < c->nr_nodes; i++) {
		uint32_t k = (*n)++;
		for (; k && sp[k - 1].start > c->node[i].start; k--) /* sorted by start */
			sp[k] = sp[k - 1];
		sp[k] = (struct props_span){ c->node[i].start, c->node[i].end };
	}
}

static int step_node(void *ctx, const struct props_op *op, struct props_result *r)
{
	struct page_alloc_ctx *c = ctx;
	struct layout_node n;
	const uint64_t top = c->origin + UNIVERSE;
	uint64_t prev = c->nr_nodes ? c->node[c->nr_nodes - 1].end : c->origin;
	int ret, nid = c->nr_nodes;
	struct props_span sp[MAX_LAYOUT_NODES + 3];
	uint32_t nsp = 0;

	if (c->inited || c->nr_nodes >= MAX_LAYOUT_NODES) {
		props_note(r, "ignored");
		return PROPS_OK;
	}
	/* start and end may also be drawn relative to the zone boundaries
	 * (16 MiB, the lowmem limit) and the nodes so far */
	layout_spans(c, sp, &nsp);
	n.start = props_relative(prev + op->v[0], op->v[6], op->v[7], op->v[8], 1, sp, nsp, c->limit);
	if (n.start < prev || n.start >= top) {
		props_note(r, "ignored");
		return PROPS_OK;
	}
	n.end = props_relative(n.start + op->v[1], op->v[9], op->v[10], op->v[11], 1, sp, nsp, c->limit);
	n.end = n.end > top ? top : n.end;
	if (n.end <= n.start) {
		props_note(r, "ignored");
		return PROPS_OK;
	}
	n.hole_s = n.start + op->v[2] % (n.end - n.start);
	n.hole_e = n.hole_s + op->v[3] > n.end ? n.end : n.hole_s + op->v[3];
	n.resv_s = n.start + op->v[4] % (n.end - n.start);
	n.resv_e = n.resv_s + op->v[5] > n.end ? n.end : n.resv_s + op->v[5];
	if (n.hole_s == n.hole_e) {
		n.hole_s = n.hole_e = n.end;
		ret = mm_node_add(c->m, nid, n.start, n.end);
	} else {
		ret = mm_node_add_sparse(c->m, nid, n.start, n.end);
		if (!ret && n.start < n.hole_s)
			ret = mm_memory_present(c->m, nid, n.start, n.hole_s);
		if (!ret && n.hole_e < n.end)
			ret = mm_memory_present(c->m, nid, n.hole_e, n.end);
	}
	if (ret)
		return props_fail(r, "node %d [%#llx, %#llx): %d", nid, (unsigned long long)n.start,
				  (unsigned long long)n.end, ret);
	c->node[c->nr_nodes++] = n;
	props_note(r, "node %d [%#llx, %#llx) hole [%#llx, %#llx) reserved [%#llx, %#llx)", nid,
		   (unsigned long long)n.start, (unsigned long long)n.end, (unsigned long long)n.hole_s,
		   (unsigned long long)n.hole_e, (unsigned long long)n.resv_s, (unsigned long long)n.resv_e);
	return PROPS_OK;
}

#define STEP_PROLOGUE                                                                  \
	struct page_alloc_ctx *c = ctx;                                                \
	if (ensure_init(c, r))                                                         \
		return PROPS_FAIL

static int step_alloc(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	return do_alloc(c, r, 0, (int)(int64_t)op->v[0], (uint32_t)op->v[1], (unsigned)op->v[2], 0);
}

static int step_alloc_local(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	return do_alloc(c, r, 1, 0, (uint32_t)op->v[0], (unsigned)op->v[1], 0);
}

static int step_alloc_gfp(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	return do_alloc(c, r, 0, (int)(int64_t)op->v[0], (uint32_t)op->v[1], (unsigned)op->v[2], 0);
}

static int step_zeroed(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	return do_alloc(c, r, 2, 0, (uint32_t)op->v[0], 0, 0);
}

static int step_alloc_exact(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	struct props_span sp[32];
	uint64_t size;
	/* sizes relative to every order's block size (the byte either side of
	 * a power-of-two page count changes the order) */
	for (unsigned k = 0; k < 32; k++)
		sp[k] = (struct props_span){ 0, (uint64_t)4096 << k };
	size = props_relative(op->v[0], op->v[2], op->v[3], op->v[4], 1, sp, c->max_order + 1, UINT64_MAX);
	props_note(r, "size %#llx: ", (unsigned long long)size);
	return do_alloc(c, r, 3, 0, (uint32_t)op->v[1], 0, size);
}

/* __free_pages(pfn, order) through both sides, whatever it is. */
static int do_free(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn, unsigned order)
{
	r->expect.ret = opage_alloc_free_predict(&c->o, pfn, order, &r->expect);
	r->actual.ret = mm_free_pages(c->m, pfn, order);
	if (!r->expect.ret) {
		c->dirty = true;
		if (opage_alloc_free_apply(&c->o, pfn, order)) {
			head_del(c, pfn);
			shadow_freed(c, pfn, (uint64_t)1 << order);
			remember_freed(c, pfn, order);
			props_note(r, "freed");
		} else {
			props_note(r, "reference dropped");
		}
	} else {
		props_note(r, "misuse");
	}
	return PROPS_OK;
}

static bool pick_head(struct page_alloc_ctx *c, uint64_t idx, uint64_t *pfn, unsigned *order)
{
	if (!c->nheads)
		return false;
	*pfn = c->heads[idx % c->nheads];
	*order = opage_alloc_page(&c->o, *pfn)->order;
	return true;
}

static int step_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	return do_free(c, r, pfn, order);
}

static int step_free_raw(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const uint64_t pfn = raw_pfn(c, op, 2);
	props_note(r, "pfn %#llx: ", (unsigned long long)pfn);
	return do_free(c, r, pfn, (unsigned)op->v[1]);
}

static int step_free_wrong(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	return do_free(c, r, pfn, (order + (unsigned)op->v[1]) % 41);
}

static int step_free_tail(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order) || !order)
		return PROPS_OK;
	return do_free(c, r, pfn + 1 + op->v[1] % (((uint64_t)1 << order) - 1), order);
}

static int step_double_free(void *ctx, const struct props_op *op, struct props_result *r)
{
	const uint64_t *f;
	STEP_PROLOGUE;
	f = c->freed[op->v[0] % FREED_RING];
	if (!f[0] && !f[1])
		return PROPS_OK;
	return do_free(c, r, f[0], (unsigned)f[1]);
}

static int do_get(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn)
{
	r->expect.ret = opage_alloc_get_predict(&c->o, pfn, &r->expect);
	r->actual.ret = mm_get_page(c->m, pfn);
	if (!r->expect.ret) {
		c->dirty = true;
		opage_alloc_get_apply(&c->o, pfn);
	}
	return PROPS_OK;
}

static int do_put(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn)
{
	r->expect.ret = opage_alloc_put_predict(&c->o, pfn, &r->expect);
	r->actual.ret = mm_put_page(c->m, pfn);
	if (!r->expect.ret) {
		c->dirty = true;
		const struct opage_alloc_page *p = opage_alloc_page(&c->o, pfn);
		unsigned order = p->order;
		opage_alloc_put_apply(&c->o, pfn);
		if (opage_alloc_is_free(&c->o, pfn)) {
			head_del(c, pfn);
			shadow_freed(c, pfn, (uint64_t)1 << order);
			remember_freed(c, pfn, order);
		}
	}
	return PROPS_OK;
}

static int step_get(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	return do_get(c, r, pfn);
}

static int step_put(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	return do_put(c, r, pfn);
}

static int step_get_raw(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const uint64_t pfn = raw_pfn(c, op, 1);
	props_note(r, "pfn %#llx: ", (unsigned long long)pfn);
	return do_get(c, r, pfn);
}

static int step_put_raw(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const uint64_t pfn = raw_pfn(c, op, 1);
	props_note(r, "pfn %#llx: ", (unsigned long long)pfn);
	return do_put(c, r, pfn);
}

static int step_split(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	if (op->v[1])
		order = (order + (unsigned)op->v[1]) % 41;
	r->expect.ret = opage_alloc_split_predict(&c->o, pfn, order, &r->expect);
	r->actual.ret = mm_split_page(c->m, pfn, order);
	if (!r->expect.ret) {
		c->dirty = true;
		opage_alloc_split_apply(&c->o, pfn, order);
		for (uint64_t i = 1; i < ((uint64_t)1 << order); i++)
			head_add(c, pfn + i);
	}
	return PROPS_OK;
}

static int step_free_exact(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn, size = op->v[1], pages;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	pages = size ? ((size - 1) >> 12) + 1 : 0;
	/* the first refused page decides (its report only) */
	if (pfn + pages < pfn)
		expect_misuse(r, MM_REPORT_INVALID_ARG);
	for (uint64_t i = 0; !r->expect.ret && i < pages; i++)
		r->expect.ret = opage_alloc_free_predict(&c->o, pfn + i, 0, &r->expect);
	r->actual.ret = mm_free_pages_exact(c->m, pfn, size);
	if (!r->expect.ret) {
		c->dirty = true;
		for (uint64_t i = 0; i < pages; i++)
			if (opage_alloc_free_apply(&c->o, pfn + i, 0)) {
				head_del(c, pfn + i);
				shadow_freed(c, pfn + i, 1);
			}
	}
	return PROPS_OK;
}

/* The first and the last word of a live block (val and ~val). */
static int step_write(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn, v, nv, last;
	unsigned order;
	int ret;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	v = op->v[1] ? op->v[1] : 1;
	nv = ~v;
	last = ((pfn + ((uint64_t)1 << order)) << 12) - 8;
	ret = mm_phys_write(c->m, pfn << 12, &v, 8);
	if (!ret)
		ret = mm_phys_write(c->m, last, &nv, 8);
	if (ret)
		return props_fail(r, "write into live block %#llx: %d", (unsigned long long)pfn, ret);
	shadow_write(c, pfn << 12, (const uint8_t *)&v, 8);
	shadow_write(c, last, (const uint8_t *)&nv, 8);
	c->dirty = true;
	return PROPS_OK;
}

/* A live block read whole against the shadow. */
static int step_read(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint64_t pfn;
	unsigned order;
	STEP_PROLOGUE;
	if (!pick_head(c, op->v[0], &pfn, &order))
		return PROPS_OK;
	return shadow_compare(c, r, pfn, (uint64_t)1 << order);
}

static int step_touch(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint8_t b;
	uint64_t pfn;
	STEP_PROLOGUE;
	pfn = raw_pfn(c, op, 1);
	props_note(r, "pfn %#llx: ", (unsigned long long)pfn);
	if (opage_alloc_is_free(&c->o, pfn)) {
		/* simulated memory says so itself (the machine core's report) */
		props_expect_report(&r->expect, MM_STAGE_CORE, MM_REPORT_USE_AFTER_FREE);
		r->expect.ret = -EFAULT;
		props_note(r, "use after free");
	}
	r->actual.ret = mm_phys_read(c->m, pfn << 12, &b, 1);
	return PROPS_OK;
}

static int step_scribble(void *ctx, const struct props_op *op, struct props_result *r)
{
	uint8_t byte = (uint8_t)op->v[2];
	bool is_free;
	uint64_t pfn;
	STEP_PROLOGUE;
	pfn = raw_pfn(c, op, 3);
	props_note(r, "pfn %#llx: ", (unsigned long long)pfn);
	if (byte == 0xaa)
		byte = 0xab;
	is_free = opage_alloc_is_free(&c->o, pfn);
	r->expect.ret = is_free ? 0 : -EINVAL;
	r->actual.ret = mm_page_poison_scribble(c->m, pfn, (uint32_t)op->v[1], byte);
	if (is_free && (c->hardening & MM_HARDEN_POISON))
		opage_alloc_scribble(&c->o, pfn);
	if (is_free && op->v[1] < 4096)
		shadow_scribble(c, pfn, (uint32_t)op->v[1], byte);
	return PROPS_OK;
}

/* __free_pages_bootmem on any block after the hand-off: the layout's
 * reserved ranges may legally go, anything else is refused. */
static int step_handoff_raw(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	const uint64_t pfn = raw_pfn(c, op, 2);
	props_note(r, "pfn %#llx: ", (unsigned long long)pfn);
	r->expect.ret = opage_alloc_handoff_predict(&c->o, pfn, (unsigned)op->v[1], &r->expect);
	r->actual.ret = mm_free_pages_bootmem(c->m, pfn, (unsigned)op->v[1]);
	if (!r->expect.ret) {
		c->dirty = true;
		opage_alloc_handoff(&c->o, pfn, (unsigned)op->v[1]);
		props_note(r, "handed over");
	}
	return PROPS_OK;
}

static int step_pcp_setup(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	(void)op;
	r->expect.ret = opage_alloc_pcp_setup(&c->o);
	r->actual.ret = mm_setup_per_cpu_pageset(c->m);
	return PROPS_OK;
}

static int step_pcp_fraction(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	r->expect.ret = opage_alloc_pcp_fraction(&c->o, (uint32_t)op->v[0], &r->expect);
	r->actual.ret = mm_percpu_pagelist_fraction(c->m, (uint32_t)op->v[0]);
	return PROPS_OK;
}

static int step_cpu(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	r->expect.ret = opage_alloc_set_cpu(&c->o, (uint32_t)op->v[0], &r->expect);
	r->actual.ret = mm_set_cpu(c->m, (unsigned)op->v[0]);
	return PROPS_OK;
}

static int step_drain(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	c->dirty = true;
	opage_alloc_drain(&c->o, op->v[0]);
	r->actual.ret = op->v[0] ? mm_drain_all_pages(c->m) : mm_drain_local_pages(c->m);
	return PROPS_OK;
}

static int step_fault(void *ctx, const struct props_op *op, struct props_result *r)
{
	STEP_PROLOGUE;
	mm_fault_inject_set(c->m, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	opage_alloc_fault_set(&c->o, op->v[0], (uint32_t)op->v[1], (uint32_t)op->v[2]);
	return PROPS_OK;
}

/* ---- full check ----------------------------------------------------------- */

/* Every CPU's list of a zone, pfn by pfn in list order, and its limits. */
static int check_pcp(struct page_alloc_ctx *c, struct props_result *r, int n, int z, uint64_t lib_total)
{
	uint64_t total = 0;
	/* before set-up every list is empty: the zone's count says so */
	if (!c->o.pcp_ready || !c->o.zone[n][z].present) {
		PROPS_CHECK_EQ(r, "pcp pages", lib_total, 0);
		return PROPS_OK;
	}
	for (uint32_t k = 0; k < c->nr_cpus; k++) {
		const struct opage_alloc_pcp *l = opage_alloc_pcp_list(&c->o, n, z, k);
		mm_pfn_t small[256], *list = small;
		struct mm_pcp_info info;
		int fail = PROPS_OK;
		/* every entry is compared: a list longer than the stack buffer
		 * (a low percpu_pagelist_fraction on a big zone) gets a heap one */
		if (l->count > 256 && !(list = malloc(l->count * sizeof(*list))))
			return props_fail(r, "host out of memory for a %u-page list", l->count);
		total += l->count;
		if (mm_pcp_info(c->m, n, z, k, &info, list, l->count > 256 ? l->count : 256))
			fail = props_fail(r, "mm_pcp_info(%d, %d, %u) failed", n, z, k);
		else if (info.count != l->count ||
			 (c->o.pcp_ready && (info.high != l->high || info.batch != l->batch)))
			fail = props_fail(r, "node %d zone %d cpu %u list: count %u high %u batch %u, "
					  "oracle %u %u %u", n, z, k, info.count, info.high, info.batch,
					  l->count, l->high, l->batch);
		for (uint32_t i = 0; fail == PROPS_OK && i < l->count; i++)
			if (list[i] != l->pfn[i])
				fail = props_fail(r, "node %d zone %d cpu %u list[%u]: %#llx, oracle %#llx",
						  n, z, k, i, (unsigned long long)list[i],
						  (unsigned long long)l->pfn[i]);
		if (list != small)
			free(list);
		if (fail != PROPS_OK)
			return fail;
	}
	PROPS_CHECK_EQ(r, "pcp pages", lib_total, total);
	return PROPS_OK;
}

static int check_zones(struct page_alloc_ctx *c, struct props_result *r)
{
	uint64_t total = 0;
	for (int n = 0; n < c->nr_nodes; n++) {
		for (int z = 0; z < MM_NR_ZONES; z++) {
			const struct opage_alloc_zone *oz = &c->o.zone[n][z];
			struct mm_zone_info zi;
			if (mm_zone_info(c->m, n, z, &zi))
				return props_fail(r, "mm_zone_info(%d, %d) failed", n, z);
			PROPS_CHECK_EQ(r, "zone start", zi.start_pfn, oz->start);
			PROPS_CHECK_EQ(r, "zone end", zi.end_pfn, oz->end);
			PROPS_CHECK_EQ(r, "present", zi.present_pages, oz->present);
			PROPS_CHECK_EQ(r, "managed", zi.managed_pages, oz->managed);
			PROPS_CHECK_EQ(r, "free", zi.free_pages, oz->free);
			PROPS_CHECK_EQ(r, "wmark min", zi.wmark_min, oz->wmin);
			PROPS_CHECK_EQ(r, "wmark low", zi.wmark_low, oz->wlow);
			PROPS_CHECK_EQ(r, "wmark high", zi.wmark_high, oz->whigh);
			for (int j = 0; j < MM_NR_ZONES; j++)
				PROPS_CHECK_EQ(r, "lowmem_reserve", zi.lowmem_reserve[j], oz->reserve[j]);
			for (unsigned o = 0; o < c->max_order; o++)
				if (zi.nr_free[o] != (uint64_t)oz->nr_free[o])
					return props_fail(r, "node %d zone %d nr_free[%u]: library %llu, "
							  "oracle %lld", n, z, o,
							  (unsigned long long)zi.nr_free[o],
							  (long long)oz->nr_free[o]);
			total += oz->free;
			if (check_pcp(c, r, n, z, zi.pcp_pages))
				return PROPS_FAIL;
		}
	}
	if (!opage_alloc_lists_consistent(&c->o))
		return props_fail(r, "oracle: free-list lengths disagree with the canonical nr_free");
	PROPS_CHECK_EQ(r, "nr_free_pages", mm_nr_free_pages(c->m), total);
	PROPS_CHECK_EQ(r, "min_free_kbytes", mm_min_free_kbytes(c->m), c->o.min_free_kbytes);
	return PROPS_OK;
}

/* One pfn's view (ret and *pi as mm_page_info gives them) against the oracle. */
static int check_info(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn, int ret,
		      const struct mm_page_info *pi)
{
	const struct opage_alloc_page *p = opage_alloc_page(&c->o, pfn);
	int n = -1, z = -1;
	const uint32_t kinds = MM_PAGE_RESERVED | MM_PAGE_FREE | MM_PAGE_ALLOCATED | MM_PAGE_PCP;
	uint32_t want;

	if (!p || p->state == OPAGE_ALLOC_ABSENT) {
		if (ret != -ENOENT)
			return props_fail(r, "pfn %#llx: page_info %d, oracle: no struct page",
					  (unsigned long long)pfn, ret);
		return PROPS_OK;
	}
	if (ret)
		return props_fail(r, "pfn %#llx: page_info %d", (unsigned long long)pfn, ret);
	opage_alloc_zone_of(&c->o, pfn, &n, &z);
	if (pi->nid != n || pi->zone != z)
		return props_fail(r, "pfn %#llx: node/zone %d/%d, oracle %d/%d", (unsigned long long)pfn,
				  pi->nid, pi->zone, n, z);
	if (pi->refcount != p->ref)
		return props_fail(r, "pfn %#llx: refcount %d, oracle %d", (unsigned long long)pfn,
				  pi->refcount, p->ref);
	want = p->state == OPAGE_ALLOC_RESERVED ? MM_PAGE_RESERVED
	       : p->state == OPAGE_ALLOC_FREE   ? MM_PAGE_FREE
	       : p->state == OPAGE_ALLOC_PCP    ? MM_PAGE_PCP
					: MM_PAGE_ALLOCATED;
	if ((pi->flags & kinds) != want)
		return props_fail(r, "pfn %#llx: flags %#x, oracle state %d", (unsigned long long)pfn,
				  pi->flags, p->state);
	if ((pi->flags & MM_PAGE_BUDDY) && !opage_alloc_is_canonical(&c->o, pfn, pi->order))
		return props_fail(r, "pfn %#llx: buddy head of order %u, not canonical",
				  (unsigned long long)pfn, pi->order);
	if (p->state == OPAGE_ALLOC_HEAD && pi->order != p->order)
		return props_fail(r, "pfn %#llx: order %u, oracle %u", (unsigned long long)pfn, pi->order,
				  p->order);
	return PROPS_OK;
}

static int check_one(struct page_alloc_ctx *c, struct props_result *r, uint64_t pfn, struct mm_page_info *pi)
{
	return check_info(c, r, pfn, mm_page_info(c->m, pfn, pi), pi);
}

/* The range view over the first pages of each node and the pfn below it
 * (a hole), every entry against the oracle as mm_page_info's would be (a
 * window: the per-pfn walk above covers every page already). */
static int check_range_view(struct page_alloc_ctx *c, struct props_result *r)
{
	struct mm_page_info v[16];
	for (int n = 0; n < c->nr_nodes; n++) {
		uint64_t s = c->node[n].start ? c->node[n].start - 1 : 0;
		if (mm_page_info_range(c->m, s, 16, v))
			return props_fail(r, "mm_page_info_range(%#llx, 16) failed", (unsigned long long)s);
		for (uint64_t i = 0; i < 16; i++)
			if (check_info(c, r, s + i, (v[i].flags & MM_PAGE_NOPAGE) ? -ENOENT : 0, &v[i]))
				return PROPS_FAIL;
	}
	return PROPS_OK;
}

/* Walk every node block by block: a free head or an allocation head is
 * compared and its tails are skipped (the oracle vouches for them being
 * free or tails; mm_verify checks the library's side of every tail). */
static int check_pages(struct page_alloc_ctx *c, struct props_result *r)
{
	struct mm_page_info pi;
	for (int n = 0; n < c->nr_nodes; n++) {
		for (uint64_t pfn = c->node[n].start; pfn < c->node[n].end;) {
			const struct opage_alloc_page *p = opage_alloc_page(&c->o, pfn);
			if (check_one(c, r, pfn, &pi))
				return PROPS_FAIL;
			if (p->state == OPAGE_ALLOC_FREE && (pi.flags & MM_PAGE_BUDDY))
				pfn += (uint64_t)1 << pi.order;
			else if (p->state == OPAGE_ALLOC_HEAD)
				pfn += (uint64_t)1 << p->order;
			else
				pfn++;
		}
	}
	/* a few pfns without struct page: below, between and above the nodes */
	for (int n = 0; n < c->nr_nodes; n++)
		if (check_one(c, r, c->node[n].end, &pi) ||
		    (c->node[n].start && check_one(c, r, c->node[n].start - 1, &pi)))
			return PROPS_FAIL;
	return PROPS_OK;
}

/* Counters and per-order free counts at every check; the per-pfn walk, the
 * content patterns and mm_verify at every total check (props mode, the end
 * of every input), and in a fuzz-mode check in the middle of an input only
 * after an op that changed the state (an op the oracle says changed nothing
 * is covered by the counters, and by the next walk). */
static int page_alloc_check(void *ctx, struct props_result *r)
{
	struct page_alloc_ctx *c = ctx;
	if (!c->inited) {
		/* still laying out nodes: nothing but the layout exists */
		if (mm_verify(c->m))
			return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
		return PROPS_OK;
	}
	PROPS_CHECK_EQ(r, "mm_nr_nodes", mm_nr_nodes(c->m), c->nr_nodes);
	PROPS_CHECK_EQ(r, "mm_this_cpu", mm_this_cpu(c->m), c->o.cpu);
	if (check_zones(c, r))
		return PROPS_FAIL;
	if (!r->total && !c->dirty)
		return PROPS_OK;
	c->dirty = false;
	if (check_pages(c, r) || check_range_view(c, r))
		return PROPS_FAIL;
	/* every byte of every live allocation, and the host frames behind them */
	for (uint64_t i = 0; i < c->nheads; i++)
		if (handed_out(c, r, c->heads[i], (uint64_t)1 << opage_alloc_page(&c->o, c->heads[i])->order, true))
			return PROPS_FAIL;
	PROPS_CHECK_EQ(r, "mm_phys_backed_pages", mm_phys_backed_pages(c->m), c->backed);
	if (mm_verify(c->m))
		return props_fail(r, "mm_verify: %s", mm_verify_message(c->m));
	return PROPS_OK;
}

/* ---- schema ----------------------------------------------------------------- */

#define IDX PROPS_RANGE("idx", 0, 0xffff)
#define PFN PROPS_HEX("pfn", 0, UNIVERSE + 0x100)
#define GFP PROPS_ENUM("gfp", gfp_names, gfp_values)
#define ORDER PROPS_RANGE("order", 0, 40)

static const struct props_opdef page_alloc_ops[] = {
	{ "alloc", 3, { PROPS_ENUM("nid", nid_names, nid_values), GFP, ORDER }, step_alloc, false },
	{ "alloc_local", 2, { GFP, ORDER }, step_alloc_local, false },
	{ "alloc_gfp", 3, { PROPS_ENUM("nid", nid_names, nid_values), PROPS_HEX("gfp", 0, 0xffffffff), ORDER },
	  step_alloc_gfp, false },
	{ "free", 1, { IDX }, step_free, false },
	{ "free_raw", 5, { PFN, ORDER, PROPS_REL_FIELDS("pfn") }, step_free_raw, true },
	{ "free_wrong_order", 2, { IDX, PROPS_RANGE("delta", 1, 40) }, step_free_wrong, true },
	{ "free_tail", 2, { IDX, PROPS_RANGE("off", 0, 0xfffff) }, step_free_tail, true },
	{ "double_free", 1, { PROPS_RANGE("ring", 0, FREED_RING - 1) }, step_double_free, true },
	{ "get", 1, { IDX }, step_get, false },
	{ "put", 1, { IDX }, step_put, false },
	{ "get_raw", 4, { PFN, PROPS_REL_FIELDS("pfn") }, step_get_raw, true },
	{ "put_raw", 4, { PFN, PROPS_REL_FIELDS("pfn") }, step_put_raw, true },
	{ "split", 2, { IDX, PROPS_RANGE("wrong", 0, 40) }, step_split, false },
	{ "alloc_exact", 5, { PROPS_HEX("size", 0, UINT64_MAX), GFP, PROPS_REL_FIELDS("size") }, step_alloc_exact,
	  false },
	{ "free_exact", 2, { IDX, PROPS_HEX("size", 0, UINT64_MAX) }, step_free_exact, false },
	{ "zeroed", 1, { GFP }, step_zeroed, false },
	{ "write", 2, { IDX, PROPS_HEX("val", 0, UINT64_MAX) }, step_write, false },
	{ "read", 1, { IDX }, step_read, false },
	{ "touch", 4, { PFN, PROPS_REL_FIELDS("pfn") }, step_touch, true },
	{ "scribble", 6, { PFN, PROPS_RANGE("off", 0, 4095), PROPS_HEX("byte", 0, 0xff), PROPS_REL_FIELDS("pfn") },
	  step_scribble, true },
	{ "fault", 3, { PROPS_BOOL("on"), PROPS_RANGE("after", 0, 64), PROPS_RANGE("repeat", 0, 4) },
	  step_fault, false },
	{ "node", 12,
	  { PROPS_HEX("gap", 0, UNIVERSE), PROPS_HEX("pages", 1, 0x800), PROPS_HEX("hole_off", 0, 0x800),
	    PROPS_HEX("hole_pages", 0, 0x100), PROPS_HEX("resv_off", 0, 0x800),
	    PROPS_HEX("resv_pages", 0, 0x400), PROPS_REL_FIELDS("start"), PROPS_REL_FIELDS("end") },
	  step_node, false },
	{ "pcp_setup", 0, { { 0 } }, step_pcp_setup, false },
	{ "pcp_fraction", 1, { PROPS_RANGE("fraction", 0, 64) }, step_pcp_fraction, false },
	{ "cpu", 1, { PROPS_RANGE("cpu", 0, MM_MAX_CPUS) }, step_cpu, false },
	{ "drain", 1, { PROPS_BOOL("all") }, step_drain, false },
	{ "handoff_raw", 5, { PFN, PROPS_RANGE("order", 0, 40), PROPS_REL_FIELDS("pfn") }, step_handoff_raw, true },
};

/* A full check compares every pfn of every node with the oracle. */
static uint64_t page_alloc_check_cost(void *ctx)
{
	const struct page_alloc_ctx *c = ctx;
	uint64_t pages = 0;
	for (int i = 0; i < c->nr_nodes && i < MAX_LAYOUT_NODES; i++)
		pages += c->node[i].end - c->node[i].start;
	return pages;
}

const struct props_harness props_harness_page_alloc = {
	.name = "page_alloc",
	.summary = "nodes, zones, the buddy allocator, watermarks, refcounts and misuse",
	.ctx_size = sizeof(struct page_alloc_ctx),
	.max_ops = 300,
	.check_every = 16,
	.config = { .name = "config", .nfields = 10,
		    .fields = { PROPS_ENUM("era", era_names, NULL), PROPS_ENUM("profile", profile_names, NULL),
				PROPS_RANGE("max_order", 0, 13), PROPS_HEX("lowmem_pfn", 0, UNIVERSE),
				PROPS_ENUM("hardening", hardening_names, hardening_values), PROPS_RANGE("fault", 0, 200),
				PROPS_RANGE("fault_repeat", 0, 8), PROPS_HEX("seed", 0, UINT64_MAX),
				PROPS_RANGE("cpus", 0, MM_MAX_CPUS), PROPS_HEX("base", 0, (uint64_t)1 << 24) } },
	.setup = page_alloc_setup,
	.check = page_alloc_check,
	.check_cost = page_alloc_check_cost,
	.teardown = page_alloc_teardown,
	.nr_ops = sizeof(page_alloc_ops) / sizeof(page_alloc_ops[0]),
	.ops = page_alloc_ops,
};
