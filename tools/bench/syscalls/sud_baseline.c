/* The bare cost of one syscall user dispatch round trip, with no Junction involved: the
 * program turns SUD on for itself, and each timed call traps to a SIGSYS handler that only
 * writes a return value into the saved registers and returns. That is the floor under
 * junction-kernel's SIGSYS path (which additionally decodes and serves the call).
 *
 *   sud_baseline [--rounds R] [--round-ms MS]
 *
 * Selector protocol (Documentation/admin-guide/syscall-user-dispatch.rst): with the selector
 * at BLOCK every syscall outside the allowed region traps, including the rt_sigreturn in
 * glibc's signal restorer. So the handler flips the selector to ALLOW before it returns,
 * and the timed operation re-arms it (one byte store) right before its syscall.
 * junction-kernel instead keeps BLOCK and puts its restorer inside the allowed region; the
 * kernel does the same work either way: deliver SIGSYS, run the handler, rt_sigreturn.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <ucontext.h>

#include "timing.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#define SYS_USER_DISPATCH_CODE 2 /* si_code of a SUD SIGSYS */

static volatile char selector = SYSCALL_DISPATCH_FILTER_ALLOW;
static volatile long traps;

static void on_sigsys(int sig, siginfo_t *info, void *ucontext)
{
	ucontext_t *uc = ucontext;
	(void)sig;
	if (info->si_code != SYS_USER_DISPATCH_CODE)
		abort();
	uc->uc_mcontext.gregs[REG_RAX] = 4242; /* "the call's result" */
	traps++;
	selector = SYSCALL_DISPATCH_FILTER_ALLOW;
}

/* getpid's number, so the trapped call looks like the one calls.c times first. */
static __attribute__((noipa)) void op_trapped_call(void)
{
	long ret;
	selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	__asm__ volatile("mov $39, %%eax\n\tsyscall" : "=a"(ret) : : "rcx", "r11", "memory");
	if (ret != 4242)
		abort(); /* the call reached the host: dispatch is not on */
}

int main(int argc, char **argv)
{
	struct bench_config cfg;
	bench_parse(argc, argv, &cfg);

	/* Same shape as junction-kernel's handler: SA_SIGINFO, on an alternate stack, every
	 * signal blocked while it runs. */
	static char altstack[256 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	if (sigaltstack(&ss, NULL) != 0) {
		perror("sud_baseline: sigaltstack");
		return 1;
	}
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0) {
		perror("sud_baseline: sigaction");
		return 1;
	}
	/* No allowed region (offset 0, length 0): the selector alone decides. */
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, &selector) != 0) {
		perror("sud_baseline: prctl(PR_SET_SYSCALL_USER_DISPATCH)");
		return 1;
	}
	struct bench_result r = bench_run(op_trapped_call, &cfg);
	if (traps == 0)
		abort();
	bench_print("sud_round_trip", r, NULL);
	return 0;
}
