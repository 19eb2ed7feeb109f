/*
 * bench_fault: nanoseconds per anonymous page fault, beside a 4 KiB memcpy
 * and memset measured in the same run, and the memory a 1 GiB read of
 * untouched anonymous memory costs with the zero page on and off (the
 * trade-off of the zero page's 2007 removal and 2009 reinstatement).
 * x86_32 profile, modern era, 1.25 GiB of simulated RAM, per-CPU page
 * lists set up as a booted kernel has them. Build with the
 * release preset (-O2, no sanitizers). The host heap is warmed first (see
 * faults()), so the figures are mmsim's work plus host malloc, not the host
 * kernel's first touch of new memory.
 *
 *   read fault     a read of an untouched page: the zero page mapped (one PTE
 *                  table per 4 MiB amortised in)
 *   first write    a write to an untouched page: a zeroed page allocated
 *   COW copy       a write after fork, the child still mapping the page:
 *                  a page allocated and 4 KiB copied. Measured twice: over
 *                  16,384 pages (64 MiB: every copy reads and writes memory
 *                  the caches no longer hold; beside it a memcpy of as many
 *                  distinct host pages), and hot, in rounds of 64 pages
 *                  (map, write, fork, COW-write, exit, unmap; only the COW
 *                  writes timed), the footprint of the 4 KiB memcpy
 *                  reference's 64 buffers. The bound (COW at most 2x
 *                  the 4 KiB memcpy) compares like with like: hot with hot,
 *                  the best of 7 rounds of each, the two alternating.
 *   reuse          a write to a write-protected page the process alone maps
 *                  (the child has exited): the entry made writable in place
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmsim/mmsim.h"

#define RAM_PAGES 0x50000u /* 1.25 GiB */
#define NODE_START 0x1000u
#define N 16384u /* pages per fault kind: 64 MiB */
#define VA 0x10000000ull
#define BEST_OF 7 /* rounds of the hot COW figure and of its memcpy reference */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long host_rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * 4;
}

static struct mm_machine *machine(bool zero_page)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	uint32_t id;
	mm_config_default(&cfg, MM_ERA_MODERN);
	if (!zero_page)
		cfg.features &= ~(uint32_t)MM_FEAT_ZERO_PAGE;
	cfg.phys_backing_max_pages = 4 * N + 1024;
	if (mm_machine_create(&cfg, &m) || mm_node_add(m, 0, NODE_START, NODE_START + RAM_PAGES) ||
	    mm_free_area_init(m)) {
		fprintf(stderr, "bench_fault: machine set-up failed\n");
		exit(1);
	}
	for (uint64_t pfn = NODE_START; pfn < NODE_START + RAM_PAGES; pfn += 1024)
		if (mm_free_pages_bootmem(m, pfn, 10))
			exit(1);
	/* as a booted kernel: per-CPU page lists serve the order-0 faults */
	if (mm_setup_per_zone_wmarks(m) || mm_setup_per_cpu_pageset(m) || mm_fault_init(m) ||
	    mm_mm_alloc(m, &id)) {
		fprintf(stderr, "bench_fault: fault set-up failed\n");
		exit(1);
	}
	return m;
}

static void map(struct mm_machine *m, uint32_t id, uint64_t va, uint64_t len)
{
	uint64_t at;
	if (mm_do_mmap(m, id, va, len, MM_PROT_READ | MM_PROT_WRITE, MM_MAP_FIXED, &at)) {
		fprintf(stderr, "bench_fault: mmap failed\n");
		exit(1);
	}
}

/* ns per page of one access per page over [VA, VA + n pages). */
static double touch(struct mm_machine *m, uint32_t id, uint64_t n, bool write, uint8_t val)
{
	uint8_t b = val;
	double t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		int ret = write ? mm_user_write(m, id, VA + i * 4096, &b, 1)
				: mm_user_read(m, id, VA + i * 4096, &b, 1);
		if (ret) {
			fprintf(stderr, "bench_fault: access failed: %d\n", ret);
			exit(1);
		}
	}
	return (now_ns() - t0) / (double)n;
}

static double host_op(bool copy)
{
	enum { BUFS = 64, REPS = 200000 };
	static uint8_t src[BUFS][4096], dst[BUFS][4096];
	volatile uint8_t sink = 0;
	double t0;
	memset(src, 1, sizeof(src));
	memset(dst, 2, sizeof(dst));
	t0 = now_ns();
	for (unsigned i = 0; i < REPS; i++) {
		if (copy)
			memcpy(dst[i % BUFS], src[(i * 7) % BUFS], 4096);
		else
			memset(dst[i % BUFS], (int)i, 4096);
		sink ^= dst[i % BUFS][i % 4096];
	}
	(void)sink;
	return (now_ns() - t0) / REPS;
}

/* ns per 4 KiB memcpy from n distinct host pages into n others, each
 * touched once before: the cold reference for the 64 MiB COW figure. */
static double host_copy_cold(uint64_t n)
{
	uint8_t *src = malloc(n * 4096), *dst = malloc(n * 4096);
	volatile uint8_t sink = 0;
	double t0, t;
	if (!src || !dst) {
		fprintf(stderr, "bench_fault: host out of memory\n");
		exit(1);
	}
	memset(src, 1, n * 4096);
	memset(dst, 2, n * 4096);
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		memcpy(dst + i * 4096, src + i * 4096, 4096);
		sink ^= dst[i * 4096 + (i & 4095)];
	}
	t = (now_ns() - t0) / (double)n;
	(void)sink;
	free(src);
	free(dst);
	return t;
}

/* What a pair of clock reads adds to a timed interval: the least of many
 * back-to-back pairs. The thread CPU-time clock is a system call (no vDSO
 * path), about a microsecond on this VM: in a 64-fault round that is some
 * 20 ns per fault of clock, not of mmsim, so cow_hot takes it off each
 * round (the least pair: what it takes off is never more than the clock's
 * real share). */
static double clock_pair_ns(void)
{
	double best = 1e30;
	for (int i = 0; i < 1000; i++) {
		double t0 = now_ns(), t1 = now_ns();
		best = t1 - t0 < best ? t1 - t0 : best;
	}
	return best;
}

/* ns per COW fault in rounds of 64 pages (see the file comment), the clock
 * reads' own cost (pair ns) taken off each round. */
static double cow_hot(struct mm_machine *m, double pair)
{
	enum { B = 64, ROUNDS = 256 };
	double total = 0;
	uint32_t child;
	for (unsigned r = 0; r < ROUNDS; r++) {
		map(m, 0, VA, (uint64_t)B * 4096);
		touch(m, 0, B, true, 0x11);
		if (mm_dup_mm(m, 0, &child))
			exit(1);
		total += touch(m, 0, B, true, 0x22) * B - pair;
		if (mm_mmput(m, child) || mm_do_munmap(m, 0, VA, (uint64_t)B * 4096))
			exit(1);
	}
	return total / (B * ROUNDS);
}

static void faults(void)
{
	struct mm_machine *m = machine(true);
	uint32_t child;
	double rd, wr, cow, cow_h, reuse, cpy, cpy_cold, set, pair;

	/* Warm the host heap: simulated page contents are 4 KiB host blocks
	 * made on first write; without a warm heap every fault below would
	 * also pay the host kernel's first touch of a fresh page (a few
	 * microseconds under this VM), which is the host's cost, not mmsim's. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	map(m, 0, VA, (uint64_t)3 * N * 4096);
	touch(m, 0, 3 * N, true, 1);
	mm_do_munmap(m, 0, VA, (uint64_t)3 * N * 4096);
	map(m, 0, VA, (uint64_t)N * 4096);
	rd = touch(m, 0, N, false, 0);          /* zero page read faults */
	mm_do_munmap(m, 0, VA, (uint64_t)N * 4096);
	map(m, 0, VA, (uint64_t)N * 4096);
	wr = touch(m, 0, N, true, 0x5a);        /* first-write faults */
	if (mm_dup_mm(m, 0, &child))
		exit(1);
	cow = touch(m, 0, N, true, 0x6b);       /* the child still maps every page */
	if (mm_mmput(m, child) || mm_dup_mm(m, 0, &child) || mm_mmput(m, child))
		exit(1);
	reuse = touch(m, 0, N, true, 0x7c);     /* write-protected by fork, now exclusive */
	mm_do_munmap(m, 0, VA, (uint64_t)N * 4096);
	/* the hot COW and its memcpy reference: the best of BEST_OF rounds
	 * each, the two alternating (as bench_slab), so that a neighbour's
	 * burst on this VM slows rounds of both, not the whole of one */
	cow_h = cpy = 1e30;
	pair = clock_pair_ns();
	for (int r = 0; r < BEST_OF; r++) {
		double t = host_op(true);
		cpy = t < cpy ? t : cpy;
		t = cow_hot(m, pair);
		cow_h = t < cow_h ? t : cow_h;
	}
	set = host_op(false);
	cpy_cold = host_copy_cold(N);
	printf("fault kind          ns/fault   (4 KiB memcpy %.1f ns, memset %.1f ns, same run)\n", cpy,
	       set);
	printf("read (zero page)    %8.1f\n", rd);
	printf("first write         %8.1f\n", wr);
	printf("COW copy, hot       %8.1f   (%.2fx memcpy; 64-page rounds, best of 7, a clock read pair of "
	       "%.0f ns off each round)\n",
	       cow_h, cow_h / cpy, pair);
	printf("COW copy, 64 MiB    %8.1f   (%.2fx a memcpy of as many distinct pages, %.1f ns)\n", cow,
	       cow / cpy_cold, cpy_cold);
	printf("reuse               %8.1f\n", reuse);
	if (mm_verify(m))
		fprintf(stderr, "bench_fault: verify: %s\n", mm_verify_message(m));
	mm_machine_destroy(m);
}

static void gib_read(bool zero_page)
{
	const uint64_t pages = 262144; /* 1 GiB */
	struct mm_machine *m = machine(zero_page);
	uint64_t free0 = mm_nr_free_pages(m), backed0 = mm_phys_backed_pages(m);
	long rss0 = host_rss_kib();
	double ns;
	map(m, 0, VA, pages * 4096);
	ns = touch(m, 0, pages, false, 0);
	printf("1 GiB read, zero page %-3s: simulated %7llu pages (%6.1f MiB), host backing %5llu pages, "
	       "host RSS +%ld KiB, %.1f ns/page\n",
	       zero_page ? "on" : "off", (unsigned long long)(free0 - mm_nr_free_pages(m)),
	       (double)(free0 - mm_nr_free_pages(m)) / 256.0,
	       (unsigned long long)(mm_phys_backed_pages(m) - backed0), host_rss_kib() - rss0, ns);
	mm_machine_destroy(m);
}

int main(void)
{
	faults();
	gib_read(true);
	gib_read(false);
	return 0;
}
