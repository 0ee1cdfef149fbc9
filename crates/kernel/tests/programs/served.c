// Makes each call of acceptance point 2 through a raw `syscall` instruction, so it traps
// to the kernel (glibc's clock_gettime would use the vDSO and never trap). The test builds
// it static and reads --stats-json: none of these calls may make a host call. It prints
// nothing (a write to stdout would be a host call); the exit status says what failed.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

static long raw(long nr, long a, long b, long c, long d) {
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

int main(void) {
    struct timespec ts;
    unsigned long set = 1UL << (SIGUSR1 - 1), old = 0;
    int fds[2];
    char byte = 'x', got = 0;
    for (int round = 0; round < 3; round++) {
        if (raw(SYS_getpid, 0, 0, 0, 0) <= 0) return 10;
        if (raw(SYS_gettid, 0, 0, 0, 0) <= 0) return 11;
        if (raw(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0) != 0) return 12;
        if (raw(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, (long)&old, 8) != 0) return 13;
        if (raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&old, 0, 8) != 0) return 14;
        if (raw(SYS_pipe2, (long)fds, 0, 0, 0) != 0) return 15;
        long copy = raw(SYS_dup, fds[0], 0, 0, 0);
        if (copy < 0) return 16;
        if (raw(SYS_fcntl, copy, F_SETFD, FD_CLOEXEC, 0) != 0) return 17;
        if (raw(SYS_fcntl, copy, F_GETFD, 0, 0) != FD_CLOEXEC) return 18;
        if (raw(SYS_write, fds[1], (long)&byte, 1, 0) != 1) return 19;
        if (raw(SYS_read, copy, (long)&got, 1, 0) != 1 || got != 'x') return 20;
        raw(SYS_close, copy, 0, 0, 0);
        raw(SYS_close, fds[0], 0, 0, 0);
        raw(SYS_close, fds[1], 0, 0, 0);
    }
    return 0;
}
