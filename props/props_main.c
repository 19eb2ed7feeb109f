/*
 * props: the property runner, shrinker, seed encoder and repro view.
 *
 *   props --list
 *   props [--harness NAME]... [--trials N] [--seconds T] [--seed S] [--max-len L] [--out DIR]
 *   props --trace NAME FILE...         print each input's trace and result (the repro view)
 *   props --replay NAME FILE...        run with every check; exit 1 on a failure
 *   props --encode NAME TRACE OUT      turn a readable trace into an input file
 *   props --gen-seeds CORPUS           each corpus/<h>/scenarios/<x>.trace -> corpus/<h>/seed/<x>
 *   props --check-seeds CORPUS         the committed seeds are what their traces encode to
 *   props --bench NAME FILE|DIR [SECONDS]  execs/s and ops/s of inputs with fuzz-mode checks
 *                                      (SECONDS < 0: exactly -SECONDS execs, for
 *                                      instruction counts; CPU seconds printed too)
 *
 * --trials N stops after N inputs, --seconds T after T seconds, both:
 * whichever comes first; --seconds alone runs as many inputs as fit in T
 * seconds, neither runs 1000 inputs.
 *
 * Random inputs are byte strings from a seeded generator; the cursor turns
 * any bytes into a valid program. A failing input is shrunk (delete chunks,
 * zero chunks, lower bytes; restart after each success) while it still fails
 * at the same check, then printed as a trace and written to DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "props.h"

struct opts {
	const char *harness[64];
	int nharness;
	uint64_t trials; /* 0: no limit (only with seconds) */
	double seconds;  /* 0: no limit */
	uint64_t seed;
	size_t max_len;
	const char *out;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: props --list\n"
		"       props [--harness NAME]... [--trials N] [--seconds T] [--seed S] [--max-len L] [--out DIR]\n"
		"       props --trace NAME FILE...\n"
		"       props --replay NAME FILE...\n"
		"       props --encode NAME TRACE OUT\n"
		"       props --gen-seeds CORPUSDIR | --check-seeds CORPUSDIR\n"
		"       props --bench NAME FILE|DIR [SECONDS]   (SECONDS < 0: exactly -SECONDS execs)\n");
	return 2;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (len && fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	uint8_t *b;

	if (!f)
		return -1;
	b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		cap *= 2;
		uint8_t *nb = realloc(b, cap);
		if (!nb) {
			free(b);
			b = NULL;
		} else {
			b = nb;
		}
	}
	fclose(f);
	if (!b)
		return -1;
	*buf = b;
	*len = n;
	return 0;
}

static int run_random(const struct props_harness *h, const struct opts *o)
{
	uint8_t *buf = malloc(o->max_len ? o->max_len : 1);
	uint64_t rng = o->seed * 0x100000001b3ull + (uint64_t)strlen(h->name), t;
	double start = now_seconds();
	struct props_failure f;

	if (!buf)
		return 2;
	for (t = 0; !o->trials || t < o->trials; t++) {
		/* Sizes spread over [0, max_len], smaller ones more often. */
		size_t len = (size_t)(rng_next(&rng) % (o->max_len + 1));
		if (rng_next(&rng) & 1)
			len /= 4;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng_next(&rng);
		if (props_run(h, buf, len, NULL, &f) != PROPS_OK) {
			double found = now_seconds() - start;
			char path[4096];
			struct props_run_opts ro = { stdout, PROPS_CHECK_ALL, 0 };
			printf("props: %s FAILED on trial %llu (seed %llu) after %.2f s: %s:%d: %s\n",
			       h->name, (unsigned long long)t, (unsigned long long)o->seed, found,
			       f.file, f.line, f.msg);
			len = props_shrink(h, buf, len, &f, 60);
			printf("props: shrunk to %zu bytes in %.2f s; trace:\n", len,
			       now_seconds() - start - found);
			props_run(h, buf, len, &ro, &f);
			mkdir(o->out, 0777);
			snprintf(path, sizeof(path), "%s/%s-seed%llu-trial%llu", o->out, h->name,
				 (unsigned long long)o->seed, (unsigned long long)t);
			if (write_file(path, buf, len) == 0)
				printf("props: minimised input written; replay with:\n"
				       "  props --trace %s %s\n  fuzz_%s %s\n",
				       h->name, path, h->name, path);
			free(buf);
			return 1;
		}
		/* the clock every 16 inputs: an input takes microseconds */
		if (o->seconds > 0 && t % 16 == 15 && now_seconds() - start > o->seconds) {
			t++;
			break;
		}
	}
	printf("props: %s: %llu passed, 0 failed (%.2f s)\n", h->name, (unsigned long long)t,
	       now_seconds() - start);
	free(buf);
	return 0;
}

static int cmd_trace(const char *name, int argc, char **argv, bool trace)
{
	const struct props_harness *h = props_find_harness(name);
	int bad = 0;
	if (!h) {
		fprintf(stderr, "props: no harness '%s' (props --list)\n", name ? name : "");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		uint8_t *buf;
		size_t len;
		struct props_failure f;
		struct props_run_opts o = { trace ? stdout : NULL, PROPS_CHECK_ALL, 0 };
		if (read_file(argv[i], &buf, &len)) {
			fprintf(stderr, "props: cannot read %s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		if (trace)
			printf("# %s (%zu bytes), harness %s\n", argv[i], len, h->name);
		if (props_run(h, buf, len, &o, &f) != PROPS_OK) {
			printf("# RESULT: FAILED at %s %d: %s:%d: %s\n",
			       f.op < 0 ? "setup" : "op", f.op, f.file, f.line, f.msg);
			bad = 1;
		} else {
			printf("# RESULT: passed\n");
		}
		free(buf);
	}
	return bad;
}

static int encode_file(const struct props_harness *h, const char *in, struct props_enc *e)
{
	uint8_t *text;
	size_t len;
	char err[512];
	if (read_file(in, &text, &len)) {
		fprintf(stderr, "props: cannot read %s\n", in);
		return -1;
	}
	char *s = realloc(text, len + 1);
	if (!s) {
		free(text);
		return -1;
	}
	s[len] = '\0';
	enc_init(e);
	if (props_encode_trace(h, s, e, err, sizeof(err))) {
		fprintf(stderr, "props: %s: %s\n", in, err);
		free(s);
		enc_free(e);
		return -1;
	}
	free(s);
	return 0;
}

static int cmd_encode(const char *name, const char *in, const char *out)
{
	const struct props_harness *h = props_find_harness(name);
	struct props_enc e;
	int ret;
	if (!h)
		return usage();
	if (encode_file(h, in, &e))
		return 1;
	ret = write_file(out, e.buf, e.len) ? 1 : 0;
	enc_free(&e);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* For every harness, every scenarios/<x>.trace against seed/<x>. */
static int cmd_seeds(const char *corpus, bool write)
{
	int bad = 0, n = 0;
	for (size_t hi = 0; props_harnesses[hi]; hi++) {
		const struct props_harness *h = props_harnesses[hi];
		char dir[4096], seeddir[4096];
		char *names[1024];
		int nn = 0;
		DIR *d;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "%s/%s/scenarios", corpus, h->name);
		snprintf(seeddir, sizeof(seeddir), "%s/%s/seed", corpus, h->name);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d)) && nn < 1024) {
			size_t l = strlen(de->d_name);
			if (l > 6 && !strcmp(de->d_name + l - 6, ".trace"))
				names[nn++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(names, (size_t)nn, sizeof(names[0]), name_cmp);
		if (write)
			mkdir(seeddir, 0777);
		for (int i = 0; i < nn; i++) {
			char in[8192], out[8192];
			struct props_enc e;
			uint8_t *old = NULL;
			size_t oldlen = 0;
			snprintf(in, sizeof(in), "%s/%s", dir, names[i]);
			snprintf(out, sizeof(out), "%s/%.*s", seeddir, (int)(strlen(names[i]) - 6), names[i]);
			free(names[i]);
			if (encode_file(h, in, &e)) {
				bad = 1;
				continue;
			}
			n++;
			if (write) {
				if (write_file(out, e.buf, e.len)) {
					fprintf(stderr, "props: cannot write %s\n", out);
					bad = 1;
				}
			} else if (read_file(out, &old, &oldlen) || oldlen != e.len ||
				   (e.len && memcmp(old, e.buf, e.len))) {
				fprintf(stderr, "props: %s does not match %s (run props --gen-seeds)\n",
					out, in);
				bad = 1;
			}
			free(old);
			enc_free(&e);
		}
	}
	/* encoding only: running the seeds is the corpus replay tests' job */
	printf("props: %s %d seeds (%s)\n", write ? "wrote" : "checked", n,
	       bad ? "some failed, see above" : write ? "all encoded" : "all match their scenarios");
	return bad;
}

/* The inputs of a bench: FILE itself, or every regular file of a
 * directory (a fuzzer's corpus: a fixed mix of inputs, so that two builds
 * can be compared on the same work). */
struct bench_set {
	uint8_t **buf;
	size_t *len;
	size_t n;
};

static int bench_add(struct bench_set *b, const char *path)
{
	uint8_t **nb = realloc(b->buf, (b->n + 1) * sizeof(*nb));
	size_t *nl;
	if (!nb)
		return -1;
	b->buf = nb;
	nl = realloc(b->len, (b->n + 1) * sizeof(*nl));
	if (!nl)
		return -1;
	b->len = nl;
	if (read_file(path, &b->buf[b->n], &b->len[b->n]))
		return -1;
	b->n++;
	return 0;
}

static int bench_load(struct bench_set *b, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return bench_add(b, path);
	while (!ret && (de = readdir(d))) {
		char full[4096];
		struct stat sb;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		if (de->d_name[0] != '.' && !stat(full, &sb) && S_ISREG(sb.st_mode))
			ret = bench_add(b, full);
	}
	closedir(d);
	return ret || !b->n ? -1 : 0;
}

static void bench_free(struct bench_set *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->buf[i]);
	free(b->buf);
	free(b->len);
}

/* Run the inputs over and over as a fuzz engine would; print execs/s, per
 * wall and per CPU second (the latter is steadier on a loaded machine), and
 * ops/s and ops per input (a faster run that does less is not faster).
 * seconds < 0 runs exactly -seconds execs (input i % n each time), the same
 * work in every build: what an instruction count under callgrind needs. */
static int cmd_bench(const char *name, const char *file, double seconds)
{
	const struct props_harness *h = props_find_harness(name);
	struct props_run_opts o = { NULL, PROPS_CHECK_FUZZ, 0 };
	struct props_failure f;
	struct bench_set b = { 0 };
	const uint64_t fixed = seconds < 0 ? (uint64_t)-seconds : 0;
	uint64_t n = 0, ops0 = props_ops_total, ops;
	double start, el, cpu;
	clock_t cstart;
	int ret = 0;

	if (!h || bench_load(&b, file)) {
		bench_free(&b);
		return usage();
	}
	start = now_seconds();
	cstart = clock();
	do {
		for (int k = 0; k < 64 && !ret && (!fixed || n < fixed); k++, n++) {
			const size_t i = n % b.n;
			if (props_run(h, b.buf[i], b.len[i], &o, &f) != PROPS_OK) {
				printf("props: input %zu of %s fails: %s:%d: %s\n", i, file, f.file, f.line,
				       f.msg);
				ret = 1;
			}
		}
		el = now_seconds() - start;
	} while (!ret && (fixed ? n < fixed : el < seconds));
	cpu = (double)(clock() - cstart) / CLOCKS_PER_SEC;
	ops = props_ops_total - ops0;
	if (!ret)
		printf("props: bench %s %s (%zu inputs): %llu execs in %.2f s = %.0f execs/s "
		       "(%.2f CPU s = %.0f execs/CPU s), %llu ops = %.0f ops/s (%.1f ops per input)\n",
		       name, file, b.n, (unsigned long long)n, el, (double)n / el, cpu,
		       cpu > 0 ? (double)n / cpu : 0.0, (unsigned long long)ops, (double)ops / el,
		       n ? (double)ops / (double)n : 0.0);
	bench_free(&b);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = { .seed = 1, .max_len = 512, .out = "props-failures" };
	bool trials_given = false;
	int bad = 0;

	if (argc >= 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; props_harnesses[i]; i++)
			printf("%-12s %s\n", props_harnesses[i]->name, props_harnesses[i]->summary);
		return 0;
	}
	if (argc >= 3 && (!strcmp(argv[1], "--trace") || !strcmp(argv[1], "--replay")))
		return cmd_trace(argv[2], argc - 3, argv + 3, !strcmp(argv[1], "--trace"));
	if (argc == 5 && !strcmp(argv[1], "--encode"))
		return cmd_encode(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "--gen-seeds"))
		return cmd_seeds(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "--check-seeds"))
		return cmd_seeds(argv[2], false);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--bench"))
		return cmd_bench(argv[2], argv[3], argc == 5 ? strtod(argv[4], NULL) : 3.0);
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage();
		if (!strcmp(a, "--harness") && o.nharness < 64)
			o.harness[o.nharness++] = v;
		else if (!strcmp(a, "--trials"))
			o.trials = strtoull(v, NULL, 0), trials_given = true;
		else if (!strcmp(a, "--seconds"))
			o.seconds = strtod(v, NULL);
		else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--max-len"))
			o.max_len = (size_t)strtoull(v, NULL, 0);
		else if (!strcmp(a, "--out"))
			o.out = v;
		else
			return usage();
	}
	if (o.max_len > (1u << 20))
		o.max_len = 1u << 20;
	if (!trials_given && !(o.seconds > 0))
		o.trials = 1000;
	if (trials_given && !o.trials && !(o.seconds > 0))
		return usage(); /* --trials 0 alone would never stop */
	for (size_t i = 0; props_harnesses[i]; i++) {
		bool want = o.nharness == 0;
		for (int k = 0; k < o.nharness; k++)
			want |= !strcmp(o.harness[k], props_harnesses[i]->name);
		if (want)
			bad |= run_random(props_harnesses[i], &o);
	}
	for (int k = 0; k < o.nharness; k++) {
		if (!props_find_harness(o.harness[k])) {
			fprintf(stderr, "props: no harness '%s'\n", o.harness[k]);
			bad = 2;
		}
	}
	return bad;
}
