/*
 * A minimal test harness in the style of the kernel's memblock simulator:
 * one function per scenario, assertion macros that print both values and the
 * scenario's name, a summary line ctest can read.
 */
#ifndef MMSIM_TESTS_CHECK_H
#define MMSIM_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failed_total, check_passed_total;
static const char *check_current;
static int check_current_failed;

#define CHECK_FAIL_(fmt, ...)                                                          \
	do {                                                                           \
		fprintf(stderr, "%s:%d: %s: " fmt "\n", __FILE__, __LINE__,           \
			check_current ? check_current : "?", __VA_ARGS__);            \
		check_current_failed = 1;                                             \
		return;                                                                \
	} while (0)

#define ASSERT_EQ(a, b)                                                                \
	do {                                                                           \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ != b_)                                                          \
			CHECK_FAIL_("ASSERT_EQ(%s, %s): %#llx != %#llx", #a, #b, a_, b_); \
	} while (0)
#define ASSERT_NE(a, b)                                                                \
	do {                                                                           \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (a_ == b_)                                                          \
			CHECK_FAIL_("ASSERT_NE(%s, %s): both %#llx", #a, #b, a_);      \
	} while (0)
#define ASSERT_LT(a, b)                                                                \
	do {                                                                           \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (!(a_ < b_))                                                        \
			CHECK_FAIL_("ASSERT_LT(%s, %s): %#llx >= %#llx", #a, #b, a_, b_); \
	} while (0)
#define ASSERT_LE(a, b)                                                                \
	do {                                                                           \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
		if (!(a_ <= b_))                                                       \
			CHECK_FAIL_("ASSERT_LE(%s, %s): %#llx > %#llx", #a, #b, a_, b_); \
	} while (0)
#define ASSERT_TRUE(x)                                                                 \
	do {                                                                           \
		if (!(x))                                                              \
			CHECK_FAIL_("ASSERT_TRUE(%s)", #x);                            \
	} while (0)
#define ASSERT_STR_EQ(a, b)                                                            \
	do {                                                                           \
		const char *a_ = (a), *b_ = (b);                                       \
		if (strcmp(a_, b_) != 0)                                               \
			CHECK_FAIL_("ASSERT_STR_EQ(%s, %s):\n  got:  \"%s\"\n  want: \"%s\"", #a, #b, a_, b_); \
	} while (0)

/* Run one scenario function; a name with its profile when rerun per profile. */
#define RUN(fn, ...)                                                                   \
	do {                                                                           \
		check_current = #fn;                                                   \
		check_current_failed = 0;                                              \
		fn(__VA_ARGS__);                                                       \
		if (check_current_failed)                                              \
			check_failed_total++;                                          \
		else                                                                   \
			check_passed_total++;                                          \
	} while (0)

/* The closing line: "N passed, N failed", read by CI; exit status follows. */
static inline int check_summary(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_passed_total, check_failed_total);
	return check_failed_total ? 1 : 0;
}

#endif
