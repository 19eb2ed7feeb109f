/*
 * Host memory for a machine's own state, recycled across machines.
 *
 * Nothing in the kernel corresponds: this is the simulator's allocator for
 * the host blocks behind simulated frames, memmap arrays, pgdats and the
 * machine object. A fuzzer builds and destroys a machine per input, so
 * the same few dozen blocks are freed and allocated again thousands of
 * times a second. Through the host malloc that churn was most of an
 * input's cost: glibc trimmed and regrew its heap (page faults), and
 * ASan's 256 MiB quarantine handed back memory last touched a quarter of
 * a second before (cache misses, and page faults after every libFuzzer
 * purge). Measured on fuzz_fault: about 40% of each input.
 *
 * Blocks of 32 bytes to 256 KiB are kept, per power-of-two class, in a ring
 * (the two classes above 64 KiB, a small machine's memmap arrays, keep 16
 * each: 6 MiB at most; before they were kept an ARM boot's 86 KiB memmap
 * was a fresh ASan block per input, 21 host page faults).
 * Under ASan it hands back the oldest block first, so a block freed is
 * reused only after the others in its ring: a small quarantine of our own.
 * Without ASan the delay would detect nothing and only cost cache misses
 * (a simulated frame recycled cold made bench_fault's COW 1.5x slower), so
 * the newest block goes first. A cached
 * block is ASan-poisoned whole, and a block handed out has the tail past
 * the size asked for poisoned, so a use after free or an overflow into the
 * tail is still an ASan report (KASAN's quarantine works the same way).
 * What this loses against ASan's own quarantine is depth: a use of a
 * block after it was recycled to another owner is not seen.
 *
 * The classes below 1 KiB serve the slab allocator's per-slab and
 * per-cache records (a slab's frame table and free map, a slab_of
 * directory, freelist orders): a fuzz_slab input made some 16 of them,
 * each an ASan malloc from the quarantine's cold end (a cache miss on the
 * chunk header, often a page fault, and for malloc a 0xbe fill).
 *
 * One spinlock guards the rings: machines are per thread, but a program
 * may run machines on several threads, and an uncontended lock costs far
 * less than the allocation it saves.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Under MSan a recycled block must read as uninitialised again, as a fresh
 * malloc would: its old contents are the previous owner's. */
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define host_fresh(p, n) __msan_allocated_memory((p), (n))
#endif
#endif
#ifndef host_fresh
#define host_fresh(p, n) ((void)(p), (void)(n))
#endif

#define HOST_MIN_SHIFT 5
#define HOST_MAX_SHIFT 18
#define HOST_NR_CLASSES (HOST_MAX_SHIFT - HOST_MIN_SHIFT + 1)
#define HOST_RING 128 /* blocks kept per class; the 4 KiB class holds frames */
#define HOST_FRAME_RING 1024
#define HOST_BIG_RING 16 /* blocks of more than 64 KiB */

struct host_ring {
	void *slot[HOST_FRAME_RING];
	unsigned head, count; /* oldest at head */
};

static struct host_ring rings[HOST_NR_CLASSES];
static atomic_flag rings_lock = ATOMIC_FLAG_INIT;

static unsigned ring_cap(int cls)
{
	return cls == 12 - HOST_MIN_SHIFT ? HOST_FRAME_RING
	       : cls > 16 - HOST_MIN_SHIFT ? HOST_BIG_RING
					   : HOST_RING;
}

/* The class of a block of bytes, or -1 when it is not recycled: the
 * smallest power of two that holds it, at least the first class (from a
 * count of leading zeros: this runs at every allocation and free). */
static int host_class(size_t bytes)
{
	int shift;
	if (!bytes || bytes > (size_t)1 << HOST_MAX_SHIFT)
		return -1;
	shift = bytes <= (size_t)1 << HOST_MIN_SHIFT ? HOST_MIN_SHIFT
						      : 64 - __builtin_clzll((unsigned long long)bytes - 1);
	return shift - HOST_MIN_SHIFT;
}

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&rings_lock, memory_order_acquire))
		;
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&rings_lock, memory_order_release);
}

/* A block of the 4 KiB class, the class of simulated frames, cache-line
 * aligned as the page it stands for is: malloc's 16-byte alignment made a
 * COW's 4 KiB copy split a cache line on every vector load and store
 * (measured here: 75 ns a copy against 69 ns aligned). */
static void *frame_block(bool zero)
{
	void *p = aligned_alloc(64, MM_PAGE_SIZE);
	if (p && zero)
		memset(p, 0, MM_PAGE_SIZE);
	return p;
}

void *mm_host_alloc(size_t bytes, bool zero)
{
	const int cls = host_class(bytes);
	void *p = NULL;

	if (cls < 0)
		return zero ? calloc(1, bytes ? bytes : 1) : malloc(bytes ? bytes : 1);
	lock();
	if (rings[cls].count) {
		struct host_ring *r = &rings[cls];
#ifdef MM_HAVE_ASAN
		/* the oldest: the ring's delay is ASan's window on a use after free */
		p = r->slot[r->head];
		r->head = (r->head + 1) % ring_cap(cls);
#else
		/* the newest, still in cache: without ASan a delay detects nothing */
		p = r->slot[(r->head + r->count - 1) % ring_cap(cls)];
#endif
		r->count--;
	}
	unlock();
	if (!p) { /* fresh memory: calloc's zeroing is free on new pages */
		const size_t size = (size_t)1 << (cls + HOST_MIN_SHIFT);
		p = size == MM_PAGE_SIZE ? frame_block(zero) : zero ? calloc(1, size) : malloc(size);
		if (p)
			mm_track_noaccess((char *)p + bytes, size - bytes);
		return p;
	}
	mm_track_access(p, bytes);
	if (zero)
		memset(p, 0, bytes);
	else
		host_fresh(p, bytes);
	return p;
}

void mm_host_free(void *p, size_t bytes)
{
	const int cls = host_class(bytes);
	void *evict = NULL;

	if (!p)
		return;
	if (cls < 0) {
		free(p);
		return;
	}
	/* the caller may have poisoned it (a free frame): whole and clean for
	 * the host allocator, poisoned whole while cached here */
	mm_track_noaccess(p, (size_t)1 << (cls + HOST_MIN_SHIFT));
	lock();
	{
		struct host_ring *r = &rings[cls];
		const unsigned cap = ring_cap(cls);
		if (r->count == cap) { /* full: the oldest goes back to the host */
			evict = r->slot[r->head];
			r->slot[r->head] = p;
			r->head = (r->head + 1) % cap;
		} else {
			r->slot[(r->head + r->count) % cap] = p;
			r->count++;
		}
	}
	unlock();
	if (evict) {
		mm_track_access(evict, (size_t)1 << (cls + HOST_MIN_SHIFT));
		free(evict);
	}
}

void *mm_host_grow(void *p, size_t old_bytes, size_t bytes)
{
	void *n = mm_host_alloc(bytes, false);
	if (!n)
		return NULL;
	if (old_bytes)
		memcpy(n, p, MM_MIN(old_bytes, bytes));
	mm_host_free(p, old_bytes);
	return n;
}
