/*
 * bench: nanoseconds per buddy-allocator operation at 64 MiB, 1 GiB and
 * 16 GiB of simulated RAM (PAE profile, default 896 MiB lowmem limit,
 * MAX_ORDER 11), so that the cost per operation is seen not to grow with
 * memory. Build with the release preset (-O2, no sanitizers).
 *
 *   order-0 pair   alloc_pages(0) + __free_pages(0), the page returning at once,
 *                  as a booted kernel runs it: through the per-CPU lists
 *                  (mm_setup_per_cpu_pageset), starting from a pristine zone;
 *                  and, as the baseline in the same process, straight to the
 *                  buddy lists (the boot pageset): warm (a neighbour in use)
 *                  and pristine (split/merge 10 levels)
 *   random orders  (per-CPU lists on) a pool of live blocks; each step allocates one block of a
 *                  random order 0..MAX_ORDER-1 and frees a random live one
 *   fragmenting    order-0 pages allocated then every other one freed, then
 *                  a mix of order 0..3 allocations and random frees
 *   hand-off       node add (memmap) + free_area_init + every page freed in
 *                  maximal aligned blocks + watermarks, per GiB of RAM
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mmsim/mmsim.h"

#define MAX_ORDER 11
#define POOL 256
#define RANDOM_POOL 32 /* live blocks of ~190 pages on average: fits 64 MiB */
#define FRAG_PAGES 65536u

struct sized {
	const char *name;
	uint64_t pages;
};

static double now_ns(void)
{
	struct timespec ts;
	/* CPU time of this thread: the figures do not depend on what else the
	 * host runs */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static struct mm_machine *machine(void)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_2_6_29);
	cfg.profile = MM_PROFILE_X86_PAE;
	cfg.max_order = MAX_ORDER;
	if (mm_machine_create(&cfg, &m)) {
		fprintf(stderr, "bench: mm_machine_create failed\n");
		exit(1);
	}
	return m;
}

/* The hand-off: node, zones, every page in maximal aligned blocks that stay
 * inside one zone (DMA ends at pfn 0x1000, lowmem at 896 MiB). */
static void boot(struct mm_machine *m, uint64_t pages)
{
	const uint64_t bounds[2] = { 0x1000, (uint64_t)896 << 8 };
	if (mm_node_add(m, 0, 0, pages) || mm_free_area_init(m)) {
		fprintf(stderr, "bench: node set-up failed\n");
		exit(1);
	}
	for (uint64_t pfn = 0; pfn < pages;) {
		unsigned o = MAX_ORDER - 1;
		for (;; o--) {
			uint64_t end = pfn + ((uint64_t)1 << o);
			bool cross = false;
			for (int b = 0; b < 2; b++)
				cross |= pfn < bounds[b] && end > bounds[b];
			if (!(pfn & ((1u << o) - 1)) && end <= pages && !cross)
				break;
		}
		if (mm_free_pages_bootmem(m, pfn, o)) {
			fprintf(stderr, "bench: hand-off failed at %#llx\n", (unsigned long long)pfn);
			exit(1);
		}
		pfn += (uint64_t)1 << o;
	}
	mm_setup_per_zone_wmarks(m);
}

static double bench_handoff(uint64_t pages)
{
	int reps = pages >= ((uint64_t)1 << 22) ? 2 : pages >= ((uint64_t)1 << 18) ? 5 : 50;
	double best = 1e30;
	for (int r = 0; r < reps; r++) {
		struct mm_machine *m = machine();
		double t0 = now_ns(), t;
		boot(m, pages);
		t = now_ns() - t0;
		if (t < best)
			best = t;
		mm_machine_destroy(m);
	}
	/* ns per GiB of simulated RAM */
	return best * (double)((uint64_t)1 << 18) / (double)pages;
}

/* pristine: the page comes from a fully merged order-10 block, so every pair
 * splits and merges ten times; warm: a neighbour is in use (the steady state
 * of a running system), so the page comes from and returns to the order-0
 * list. */
static double bench_order0(struct mm_machine *m, bool warm)
{
	const int n = 2000000;
	mm_pfn_t p, keep[2] = { 0, 0 };
	double t0;
	if (warm && (mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &keep[0]) ||
		     mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &keep[1]) || mm_free_pages(m, keep[1], 0))) {
		fprintf(stderr, "bench: warm-up failed\n");
		exit(1);
	}
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		if (mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &p) || mm_free_pages(m, p, 0)) {
			fprintf(stderr, "bench: order-0 pair failed\n");
			exit(1);
		}
	}
	t0 = (now_ns() - t0) / n;
	if (warm)
		mm_free_pages(m, keep[0], 0);
	return t0;
}

/* Every allocation attempt and every free counts as one operation. */
static double bench_random(struct mm_machine *m)
{
	const int n = 400000;
	mm_pfn_t pfn[RANDOM_POOL];
	unsigned ord[RANDOM_POOL];
	int live = 0, ops = 0;
	uint64_t s = 0x9e3779b97f4a7c15ull;
	double t0 = now_ns();
	for (int i = 0; i < n; i++) {
		unsigned o = (unsigned)(rng(&s) % MAX_ORDER);
		if (live < RANDOM_POOL) {
			ops++;
			if (mm_alloc_pages(m, MM_GFP_HIGHUSER, o, &pfn[live]) == 0)
				ord[live++] = o;
		}
		if (live > RANDOM_POOL / 2) {
			int k = (int)(rng(&s) % (uint64_t)live);
			mm_free_pages(m, pfn[k], ord[k]);
			pfn[k] = pfn[--live];
			ord[k] = ord[live];
			ops++;
		}
	}
	t0 = (now_ns() - t0) / ops;
	while (live--)
		mm_free_pages(m, pfn[live], ord[live]);
	return t0;
}

static double bench_fragment(struct mm_machine *m)
{
	const int n = 1000000;
	mm_pfn_t *pin = malloc(FRAG_PAGES * sizeof(*pin));
	mm_pfn_t pool[POOL];
	unsigned ord[POOL];
	int live = 0, ops = 0;
	uint64_t s = 0x2545f4914f6cdd1dull, got = 0;
	double t0, t;

	if (!pin)
		exit(1);
	/* fragment: pin every other page of a large region */
	for (; got < FRAG_PAGES && mm_alloc_pages(m, MM_GFP_HIGHUSER, 0, &pin[got]) == 0; got++)
		;
	for (uint64_t i = 0; i < got; i += 2)
		mm_free_pages(m, pin[i], 0);
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		unsigned o = (unsigned)(rng(&s) % 4);
		if (live < POOL) {
			ops++;
			if (mm_alloc_pages(m, MM_GFP_HIGHUSER, o, &pool[live]) == 0)
				ord[live++] = o;
		}
		if (live > POOL / 2 && (rng(&s) & 1)) {
			int k = (int)(rng(&s) % (uint64_t)live);
			mm_free_pages(m, pool[k], ord[k]);
			pool[k] = pool[--live];
			ord[k] = ord[live];
			ops++;
		}
	}
	t = (now_ns() - t0) / ops;
	while (live--)
		mm_free_pages(m, pool[live], ord[live]);
	for (uint64_t i = 1; i < got; i += 2)
		mm_free_pages(m, pin[i], 0);
	free(pin);
	return t;
}

int main(void)
{
	static const struct sized sizes[] = {
		{ "64 MiB", (uint64_t)64 << 8 },
		{ "1 GiB", (uint64_t)1 << 18 },
		{ "16 GiB", (uint64_t)16 << 18 },
	};
	printf("mmsim buddy allocator, PAE, MAX_ORDER %d, ns per operation\n", MAX_ORDER);
	printf("%-8s %12s %12s %12s %12s %12s %16s\n", "RAM", "o0 pair", "o0 buddy", "o0 buddy",
	       "random", "fragmenting", "hand-off");
	printf("%-8s %12s %12s %12s %12s %12s %16s\n", "", "(per-CPU)", "(warm)", "(pristine)", "order",
	       "mix", "ms per GiB");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double h = bench_handoff(sizes[i].pages), a, a2, p, b, c;
		struct mm_machine *m = machine();
		boot(m, sizes[i].pages);
		a2 = bench_order0(m, false);
		a = bench_order0(m, true);
		if (mm_verify(m)) {
			fprintf(stderr, "bench: mm_verify: %s\n", mm_verify_message(m));
			return 1;
		}
		mm_machine_destroy(m);
		m = machine();
		boot(m, sizes[i].pages);
		if (mm_setup_per_cpu_pageset(m)) {
			fprintf(stderr, "bench: setup_per_cpu_pageset failed\n");
			return 1;
		}
		p = bench_order0(m, false);
		b = bench_random(m);
		c = bench_fragment(m);
		if (mm_verify(m)) {
			fprintf(stderr, "bench: mm_verify: %s\n", mm_verify_message(m));
			return 1;
		}
		mm_machine_destroy(m);
		printf("%-8s %12.1f %12.1f %12.1f %12.1f %12.1f %16.2f\n", sizes[i].name, p, a, a2, b, c,
		       h / 1e6);
		fflush(stdout);
	}
	return 0;
}
