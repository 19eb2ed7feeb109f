/*
 * bench_slab: nanoseconds per slab operation, hardening off and on
 * (freelist obfuscation + red zones + poison + randomisation), beside
 * glibc's malloc+free of the same sizes in the same run, with the ratio.
 * Build with the release preset (-O2, no sanitizers).
 *
 *   kmalloc(64)+kfree pair            one object out and back, repeatedly
 *   kmem_cache_alloc+free pair        a 64-byte cache of its own
 *   10,000 alloc then 10,000 free     kmalloc(64), then kfree in order
 *
 * The machine: 64 MiB of lowmem, two CPUs, slab set up; figures are the
 * thread's CPU time, the best of three rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mmsim/mmsim.h"

#define PAIRS 2000000u
#define BULK 10000u
#define ROUNDS 3

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct mm_machine *machine(uint32_t hardening)
{
	struct mm_config cfg;
	struct mm_machine *m = NULL;
	mm_config_default(&cfg, MM_ERA_MODERN);
	cfg.nr_cpus = 2;
	cfg.hardening = hardening;
	cfg.seed = 1;
	if (mm_machine_create(&cfg, &m) || mm_node_add(m, 0, 0, 0x4000) || mm_free_area_init(m)) {
		fprintf(stderr, "bench_slab: machine set-up failed\n");
		exit(1);
	}
	for (uint64_t pfn = 0; pfn < 0x4000; pfn += 1024)
		if (mm_free_pages_bootmem(m, pfn, 10)) {
			fprintf(stderr, "bench_slab: hand-off failed\n");
			exit(1);
		}
	if (mm_kmem_cache_init(m)) {
		fprintf(stderr, "bench_slab: kmem_cache_init failed\n");
		exit(1);
	}
	return m;
}

static volatile uintptr_t sink;

static double glibc_pair(size_t size)
{
	double best = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (unsigned i = 0; i < PAIRS; i++) {
			void *p = malloc(size);
			sink += (uintptr_t)p;
			free(p);
		}
		double t = (now_ns() - t0) / PAIRS;
		best = t < best ? t : best;
	}
	return best;
}

static double glibc_bulk(size_t size)
{
	static void *p[BULK];
	double best = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (unsigned i = 0; i < BULK; i++)
			p[i] = malloc(size);
		for (unsigned i = 0; i < BULK; i++)
			free(p[i]);
		double t = (now_ns() - t0) / (2.0 * BULK);
		best = t < best ? t : best;
	}
	return best;
}

static double kmalloc_pair(struct mm_machine *m)
{
	double best = 1e30;
	mm_vaddr_t v;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (unsigned i = 0; i < PAIRS; i++) {
			if (mm_kmalloc(m, 64, 0, &v) || mm_kfree(m, v))
				exit(2);
		}
		double t = (now_ns() - t0) / PAIRS;
		best = t < best ? t : best;
	}
	return best;
}

static double cache_pair(struct mm_machine *m, mm_kmem_cache_t c)
{
	double best = 1e30;
	mm_vaddr_t v;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (unsigned i = 0; i < PAIRS; i++) {
			if (mm_kmem_cache_alloc(m, c, 0, &v) || mm_kmem_cache_free(m, c, v))
				exit(3);
		}
		double t = (now_ns() - t0) / PAIRS;
		best = t < best ? t : best;
	}
	return best;
}

static double kmalloc_bulk(struct mm_machine *m)
{
	static mm_vaddr_t v[BULK];
	double best = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (unsigned i = 0; i < BULK; i++)
			if (mm_kmalloc(m, 64, 0, &v[i]))
				exit(4);
		for (unsigned i = 0; i < BULK; i++)
			if (mm_kfree(m, v[i]))
				exit(5);
		double t = (now_ns() - t0) / (2.0 * BULK);
		best = t < best ? t : best;
	}
	return best;
}

int main(void)
{
	static const struct {
		const char *name;
		uint32_t hardening;
	} modes[] = {
		{ "hardening off", 0 },
		{ "hardening on ", MM_HARDEN_FREELIST | MM_HARDEN_REDZONE | MM_HARDEN_POISON | MM_HARDEN_SHUFFLE },
	};
	double g_pair = glibc_pair(64), g_bulk = glibc_bulk(64);
	printf("glibc malloc(64)+free pair          %7.1f ns/op\n", g_pair);
	printf("glibc 10,000 malloc then free       %7.1f ns/op\n", g_bulk);
	for (unsigned i = 0; i < 2; i++) {
		struct mm_machine *m = machine(modes[i].hardening);
		mm_kmem_cache_t c;
		if (mm_kmem_cache_create(m, "bench", 64, 0, 0, MM_SLAB_CTOR_NONE, &c))
			return 1;
		double kp = kmalloc_pair(m), cp = cache_pair(m, c), kb = kmalloc_bulk(m);
		printf("%s kmalloc(64)+kfree pair     %7.1f ns/op  %5.2fx glibc\n", modes[i].name, kp, kp / g_pair);
		printf("%s kmem_cache_alloc+free pair %7.1f ns/op  %5.2fx glibc\n", modes[i].name, cp, cp / g_pair);
		printf("%s 10,000 kmalloc then kfree  %7.1f ns/op  %5.2fx glibc\n", modes[i].name, kb, kb / g_bulk);
		if (mm_verify(m)) {
			fprintf(stderr, "bench_slab: mm_verify: %s\n", mm_verify_message(m));
			return 1;
		}
		mm_machine_destroy(m);
	}
	return 0;
}
