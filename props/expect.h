/*
 * What an operation is expected to do: the return value and the reports it
 * raises, counted by stage and kind with the library's public enums. The
 * oracle of a step fills one (props_result.expect) before the library call;
 * the runner fills another from the library's report sink and compares the
 * two after every step (props.h). Oracles include this header and no other
 * props header: it holds data and one counting helper, nothing that
 * computes an answer.
 */
#ifndef MMSIM_PROPS_EXPECT_H
#define MMSIM_PROPS_EXPECT_H

#include <stdint.h>

#include "mmsim/machine.h"

struct props_expect {
	int ret;     /* the call's return value: 0 or -errno */
	uint32_t nr; /* reports counted below (always through props_expect_report) */
	uint32_t reports[MM_STAGE_NR][MM_REPORT_NR];
};

/* One report of `kind` from `stage`. Out-of-range values are counted as
 * stage CORE kind BUG so that a wrong prediction still shows as a mismatch. */
static inline void props_expect_report(struct props_expect *x, enum mm_stage stage,
				       enum mm_report_kind kind)
{
	if ((unsigned)stage >= MM_STAGE_NR || (unsigned)kind >= MM_REPORT_NR) {
		stage = MM_STAGE_CORE;
		kind = MM_REPORT_BUG;
	}
	x->reports[stage][kind]++;
	x->nr++;
}

/* n reports of `kind` from `stage`. */
static inline void props_expect_reports(struct props_expect *x, enum mm_stage stage,
					enum mm_report_kind kind, uint32_t n)
{
	for (; n; n--)
		props_expect_report(x, stage, kind);
}

#endif
