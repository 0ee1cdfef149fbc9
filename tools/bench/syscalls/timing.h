/* Timing shared by calls.c and sud_baseline.c: rounds of N back-to-back calls, each round
 * timed with clock_gettime(CLOCK_MONOTONIC). glibc reads that clock in the vDSO, which is
 * not a syscall, so the timing itself never traps, natively or under junction-kernel.
 *
 * Output, one line per operation, for tools/bench/syscalls/run:
 *   op=NAME ns=MEDIAN min=MIN max=MAX iters=N rounds=R [site=...]
 */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bench_config {
	int rounds;	  /* timed rounds; the median is reported */
	double round_ms;  /* wanted length of one round, used to pick N */
};

static inline double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline double round_ns_per_op(void (*op)(void), long n)
{
	double start = now_ns();
	for (long i = 0; i < n; i++)
		op();
	return (now_ns() - start) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct bench_result {
	double median, min, max;
	long iters;
};

/* Warms the operation up (under junction-kernel the first call is the one that traps and
 * gets its site rewritten), sizes N so a round lasts about round_ms, then times the rounds. */
static struct bench_result bench_run(void (*op)(void), const struct bench_config *cfg)
{
	struct bench_result r;
	double *samples = calloc((size_t)cfg->rounds, sizeof(double));
	long n = 16;
	if (!samples)
		abort();
	for (int i = 0; i < 16; i++)
		op();
	for (;;) {
		double per_op = round_ns_per_op(op, n);
		if (per_op * (double)n >= cfg->round_ms * 1e6 / 8 || n >= (1L << 30)) {
			double want = cfg->round_ms * 1e6 / (per_op > 0.1 ? per_op : 0.1);
			n = want < 1 ? 1 : (long)want;
			break;
		}
		n *= 4;
	}
	for (int i = 0; i < cfg->rounds; i++)
		samples[i] = round_ns_per_op(op, n);
	qsort(samples, (size_t)cfg->rounds, sizeof(double), cmp_double);
	r.median = samples[cfg->rounds / 2];
	r.min = samples[0];
	r.max = samples[cfg->rounds - 1];
	r.iters = n;
	free(samples);
	return r;
}

static void bench_print(const char *name, struct bench_result r, const char *site)
{
	printf("op=%s ns=%.2f min=%.2f max=%.2f iters=%ld", name, r.median, r.min, r.max,
	       r.iters);
	if (site)
		printf(" site=%s", site);
	printf("\n");
	fflush(stdout);
}

/* Command line: [--rounds R] [--round-ms MS], then program-specific arguments. */
static int bench_parse(int argc, char **argv, struct bench_config *cfg)
{
	int i = 1;
	cfg->rounds = 11;
	cfg->round_ms = 20;
	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rounds"))
			cfg->rounds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--round-ms"))
			cfg->round_ms = atof(argv[i + 1]);
		else
			break;
	}
	if (cfg->rounds < 1 || cfg->round_ms <= 0) {
		fprintf(stderr, "bad --rounds or --round-ms\n");
		exit(2);
	}
	return i;
}

#endif
