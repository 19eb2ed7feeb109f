/*
 * The recycled host blocks of blocks.h: power-of-two classes of 16 bytes
 * to 64 KiB, a stack of up to 256 blocks each, the last freed handed out
 * first (still in cache). A waiting block is ASan-poisoned whole; a block
 * in use has the tail past its size poisoned, so an overrun of what was
 * asked for is still a report. Larger blocks go to malloc.
 */
#include "blocks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLK_HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define BLK_HAVE_ASAN 1
#endif
#ifdef BLK_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define BLK_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define BLK_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define BLK_POISON(p, n) ((void)(p), (void)(n))
#define BLK_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define BLK_MIN_SHIFT 4
#define BLK_MAX_SHIFT 16
#define BLK_KEEP 256

static struct {
	void *slot[BLK_KEEP];
	unsigned n;
} blk_stack[BLK_MAX_SHIFT - BLK_MIN_SHIFT + 1];

/* The class of a block of bytes, or -1 when it goes straight to malloc. */
static int blk_class(size_t bytes)
{
	int shift = BLK_MIN_SHIFT;
	if (bytes > (size_t)1 << BLK_MAX_SHIFT)
		return -1;
	while (((size_t)1 << shift) < bytes)
		shift++;
	return shift - BLK_MIN_SHIFT;
}

void *props_blk_alloc(size_t bytes, bool zero)
{
	const int cls = blk_class(bytes);
	void *p;
	if (cls < 0 || !blk_stack[cls].n) {
		const size_t size = cls < 0 ? bytes : (size_t)1 << (cls + BLK_MIN_SHIFT);
		p = zero ? calloc(1, size) : malloc(size);
		if (p && cls >= 0)
			BLK_POISON((char *)p + bytes, size - bytes);
		return p;
	}
	p = blk_stack[cls].slot[--blk_stack[cls].n];
	BLK_UNPOISON(p, bytes);
	if (zero)
		memset(p, 0, bytes);
	return p;
}

void props_blk_free(void *p, size_t bytes)
{
	const int cls = blk_class(bytes);
	if (!p)
		return;
	if (cls >= 0) {
		const size_t size = (size_t)1 << (cls + BLK_MIN_SHIFT);
		BLK_POISON(p, size);
		if (blk_stack[cls].n < BLK_KEEP) {
			blk_stack[cls].slot[blk_stack[cls].n++] = p;
			return;
		}
		BLK_UNPOISON(p, size);
	}
	free(p);
}

void *props_blk_grow(void *p, size_t old_bytes, size_t bytes)
{
	void *n = props_blk_alloc(bytes, false);
	if (!n)
		return NULL;
	if (old_bytes)
		memcpy(n, p, old_bytes < bytes ? old_bytes : bytes);
	props_blk_free(p, old_bytes);
	return n;
}
