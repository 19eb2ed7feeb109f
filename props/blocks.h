/*
 * Host blocks for the oracles and harnesses, recycled across inputs.
 *
 * A fuzzer builds and drops an oracle per input. Every host malloc of an
 * input took memory from the cold end of ASan's quarantine (a cache miss
 * per line, a host page fault per 4 KiB after libFuzzer's purge); these
 * stacks hand back the block freed last instead. They hold memory only:
 * no answer is computed here, so an oracle that uses them shares nothing
 * with the library it checks.
 *
 * The size given back at free must be the size asked for (or one of the
 * same power-of-two class). Inputs run one at a time in a process.
 */
#ifndef PROPS_BLOCKS_H
#define PROPS_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>

/* NULL when the host has no memory. zero: the first bytes read as zeros. */
void *props_blk_alloc(size_t bytes, bool zero);
void props_blk_free(void *p, size_t bytes);
/* realloc: the first old_bytes kept, the rest not initialised; NULL (and
 * p kept) when the host has no memory. */
void *props_blk_grow(void *p, size_t old_bytes, size_t bytes);

#endif
