/*
 * The shrinker: make a failing input smaller while it still fails at the
 * same check (the same props_fail site). Passes, big to small: delete chunks,
 * zero chunks, lower single bytes (to 0, to half, by one); start again after
 * any pass that made progress. Zero bytes draw the simplest values, so each
 * step makes the program shorter or simpler.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "props.h"

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool still_fails(const struct props_harness *h, const uint8_t *d, size_t n,
			const struct props_failure *want)
{
	struct props_failure f;
	if (props_run(h, d, n, NULL, &f) == PROPS_OK)
		return false;
	return f.line == want->line && !strcmp(f.file, want->file);
}

size_t props_shrink(const struct props_harness *h, uint8_t *buf, size_t len,
		    const struct props_failure *want, double seconds)
{
	uint8_t *tmp = malloc(len ? len : 1);
	double deadline = now_seconds() + seconds;
	bool progress = true;

	if (!tmp)
		return len;
	while (progress && now_seconds() < deadline) {
		progress = false;
		/* 1. delete chunks, big to small */
		for (size_t k = len / 2 ? len / 2 : 1; k >= 1 && len; k /= 2) {
			for (size_t i = 0; i + k <= len;) {
				memcpy(tmp, buf, i);
				memcpy(tmp + i, buf + i + k, len - i - k);
				if (still_fails(h, tmp, len - k, want)) {
					memcpy(buf, tmp, len - k);
					len -= k;
					progress = true;
				} else {
					i += k;
				}
			}
			if (k == 1)
				break;
		}
		/* 2. zero chunks */
		for (size_t k = len / 2 ? len / 2 : 1; k >= 1 && len; k /= 2) {
			for (size_t i = 0; i + k <= len; i += k) {
				bool zero = true;
				for (size_t j = i; j < i + k; j++)
					zero &= buf[j] == 0;
				if (zero)
					continue;
				memcpy(tmp, buf, len);
				memset(tmp + i, 0, k);
				if (still_fails(h, tmp, len, want)) {
					memcpy(buf, tmp, len);
					progress = true;
				}
			}
			if (k == 1)
				break;
		}
		/* 3. lower single bytes */
		for (size_t i = 0; i < len; i++) {
			static const int tries = 3;
			for (int t = 0; t < tries && buf[i]; t++) {
				uint8_t v = t == 0 ? 0 : t == 1 ? (uint8_t)(buf[i] / 2) : (uint8_t)(buf[i] - 1);
				memcpy(tmp, buf, len);
				tmp[i] = v;
				if (still_fails(h, tmp, len, want)) {
					buf[i] = v;
					progress = true;
					break;
				}
			}
		}
	}
	free(tmp);
	return len;
}

