/*
 * Boundary-relative values (props.h): a field that can meet an existing
 * boundary is drawn relative to a span of the oracle's state, so the first
 * and last byte of every region, and every gap's exact length, come up in
 * ordinary inputs instead of once in a million.
 */
#include "props.h"

const char *const props_anchor_names[5] = { "abs", "start", "end", "len", "gap" };

uint64_t props_relative(uint64_t absolute, uint64_t at, uint64_t pick, uint64_t d,
			uint64_t unit, const struct props_span *spans, uint32_t n, uint64_t limit)
{
	uint64_t delta = (d - PROPS_REL_DELTA) * unit; /* wraps: d < 16 is negative */
	const struct props_span *s;
	uint64_t next;

	if (at == 0 || n == 0 || at > 4)
		return absolute;
	s = &spans[pick % n];
	switch (at) {
	case 1:
		return s->start + delta;
	case 2:
		return s->end + delta;
	case 3:
		return s->end - s->start + delta;
	default:
		next = (uint32_t)(s - spans) + 1 < n ? s[1].start : limit;
		return next - s->end + delta;
	}
}
