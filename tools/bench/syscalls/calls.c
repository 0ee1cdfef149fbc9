/* Per-call cost of a few syscalls, timed in-process (see timing.h). Run natively and under
 * junction-kernel by ./run.
 *
 *   calls [--rounds R] [--round-ms MS] [FILE]     FILE: what open+close opens (read-only)
 *
 * Every site is an inline `mov $nr,%eax; syscall`: exactly the bytes (b8 imm32 0f 05) that
 * junction-kernel rewrites into `call *%rax` after the site's first trap, and the shape of
 * glibc's own wrappers for getpid, write, read and close. (glibc's generic syscall() loads
 * rax from a register, so its site would stay on the SIGSYS path.) After timing an
 * operation the program reads its own code back and reports whether its sites were
 * rewritten, so ./run can tell when the "rewritten" column was not.
 *
 * Build with -mno-red-zone: a rewritten site's `call` pushes its return address below rsp,
 * where a leaf function may keep data in the red zone.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "timing.h"

/* `.p2align 3` keeps the 2-byte syscall off the last byte of a 64-byte line, which the
 * rewriter refuses to patch (the store would not be atomic). It costs a nop at most. */
#define SITE ".p2align 3\n\tmov %[num], %%eax\n\tsyscall"

#define SYSCALL1(nr, a)                                                                  \
	({                                                                               \
		long _ret;                                                               \
		__asm__ volatile(SITE                                                    \
				 : "=a"(_ret)                                            \
				 : [num] "i"(nr), "D"((long)(a))                          \
				 : "rcx", "r11", "memory");                              \
		_ret;                                                                    \
	})
#define SYSCALL0(nr) SYSCALL1(nr, 0)
#define SYSCALL3(nr, a, b, c)                                                            \
	({                                                                               \
		long _ret;                                                               \
		__asm__ volatile(SITE                                                    \
				 : "=a"(_ret)                                            \
				 : [num] "i"(nr), "D"((long)(a)), "S"((long)(b)),         \
				   "d"((long)(c))                                        \
				 : "rcx", "r11", "memory");                              \
		_ret;                                                                    \
	})
#define SYSCALL4(nr, a, b, c, d)                                                         \
	({                                                                               \
		long _ret;                                                               \
		register long _r10 __asm__("r10") = (long)(d);                           \
		__asm__ volatile(SITE                                                    \
				 : "=a"(_ret)                                            \
				 : [num] "i"(nr), "D"((long)(a)), "S"((long)(b)),         \
				   "d"((long)(c)), "r"(_r10)                             \
				 : "rcx", "r11", "memory");                              \
		_ret;                                                                    \
	})

enum { NR_READ = 0, NR_WRITE = 1, NR_CLOSE = 3, NR_GETPID = 39, NR_CLOCK_GETTIME = 228,
       NR_OPENAT = 257 };

static int pipe_fds[2];
static const char *open_path = "/etc/passwd";
static struct timespec ts_sink;

static void fail(const char *what, long ret)
{
	fprintf(stderr, "calls: %s failed: %ld (-errno)\n", what, ret);
	exit(1);
}

/* noipa: each operation stays one out-of-line function, so each site exists exactly once
 * (no inlined or cloned copies that would each need their own first trap). */
#define OP static __attribute__((noipa)) void

OP op_noop(void)
{
	__asm__ volatile("" ::: "memory");
}

OP op_getpid(void)
{
	SYSCALL0(NR_GETPID);
}

OP op_clock_gettime_vdso(void)
{
	clock_gettime(CLOCK_MONOTONIC, &ts_sink);
}

OP op_clock_gettime_raw(void)
{
	long r = SYSCALL3(NR_CLOCK_GETTIME, CLOCK_MONOTONIC, &ts_sink, 0);
	if (r != 0)
		fail("clock_gettime", r);
}

OP op_pipe_write_read(void)
{
	char byte = 'x';
	long r = SYSCALL3(NR_WRITE, pipe_fds[1], &byte, 1);
	if (r != 1)
		fail("write to pipe", r);
	r = SYSCALL3(NR_READ, pipe_fds[0], &byte, 1);
	if (r != 1)
		fail("read from pipe", r);
}

OP op_open_close(void)
{
	long fd = SYSCALL4(NR_OPENAT, AT_FDCWD, open_path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		fail("openat", fd);
	long r = SYSCALL1(NR_CLOSE, fd);
	if (r != 0)
		fail("close", r);
}

/* The state of the sites for `nr` in the first bytes of `fn`: "syscall" (0f 05),
 * "rewritten" (ff d0), "mixed", or "missing" when the pattern is not found. */
static const char *site_state(void (*fn)(void), const unsigned *nrs, int count)
{
	const unsigned char *code = (const unsigned char *)(uintptr_t)fn;
	int plain = 0, rewritten = 0;
	for (int k = 0; k < count; k++) {
		for (int i = 0; i < 160; i++) {
			const unsigned char *p = code + i;
			uint32_t imm = (uint32_t)p[1] | (uint32_t)p[2] << 8 |
				       (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
			if (p[0] != 0xb8 || imm != nrs[k])
				continue;
			if (p[5] == 0x0f && p[6] == 0x05)
				plain++;
			else if (p[5] == 0xff && p[6] == 0xd0)
				rewritten++;
			else
				continue;
			break;
		}
	}
	if (plain + rewritten < count)
		return "missing";
	return rewritten == count ? "rewritten" : plain == count ? "syscall" : "mixed";
}

struct op {
	const char *name;
	void (*fn)(void);
	unsigned nrs[2]; /* the sites' syscall numbers; none for noop and the vDSO */
	int sites;
};

int main(int argc, char **argv)
{
	struct bench_config cfg;
	int i = bench_parse(argc, argv, &cfg);
	if (i < argc)
		open_path = argv[i];
	if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
		perror("calls: pipe2");
		return 1;
	}
	const struct op ops[] = {
		{ "loop_overhead", op_noop, { 0 }, 0 },
		{ "getpid", op_getpid, { NR_GETPID }, 1 },
		{ "clock_gettime_vdso", op_clock_gettime_vdso, { 0 }, 0 },
		{ "clock_gettime_raw", op_clock_gettime_raw, { NR_CLOCK_GETTIME }, 1 },
		{ "pipe_write_read", op_pipe_write_read, { NR_WRITE, NR_READ }, 2 },
		{ "open_close", op_open_close, { NR_OPENAT, NR_CLOSE }, 2 },
	};
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		struct bench_result r = bench_run(ops[k].fn, &cfg);
		bench_print(ops[k].name, r,
			    ops[k].sites ? site_state(ops[k].fn, ops[k].nrs, ops[k].sites) : NULL);
	}
	return 0;
}
