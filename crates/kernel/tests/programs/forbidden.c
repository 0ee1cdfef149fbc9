// Issues privileged calls with a raw `syscall` instruction and prints each errno. The
// arguments are chosen so that even a root host would refuse them harmlessly (a reboot
// with a bad magic number, a mount of a file system type that does not exist, ...): run
// natively they show what the host would have done; under the kernel each must be EPERM.
// With the argument `thread`, the calls are made from a second thread, which also calls
// getppid five times (a call the main thread never makes).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

static long raw(long nr, long a, long b, long c, long d, long e) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

static void show(const char *name, long ret) {
    printf("%s %s\n", name, ret < 0 ? strerrorname_np((int)-ret) : "succeeded");
}

static void *forbidden(void *arg) {
    (void)arg;
    show("mount", raw(SYS_mount, (long)"none", (long)"/nonexistent-junction",
                      (long)"junction-no-such-fs", 0, 0));
    show("umount2", raw(SYS_umount2, (long)"/nonexistent-junction", 0, 0, 0, 0));
    show("reboot", raw(SYS_reboot, 0, 0, 0, 0, 0));
    show("kexec_load", raw(SYS_kexec_load, 0, 0, 0, -1, 0));
    show("bpf", raw(SYS_bpf, -1, 0, 0, 0, 0));
    show("init_module", raw(SYS_init_module, 0, 0, (long)"", 0, 0));
    show("ptrace", raw(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, 1, 0, 0, 0));
    return NULL;
}

static void *second_thread(void *arg) {
    for (int i = 0; i < 5; i++)
        raw(SYS_getppid, 0, 0, 0, 0, 0);
    return forbidden(arg);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, second_thread, NULL);
        pthread_join(t, NULL);
    } else {
        forbidden(NULL);
    }
    return 0;
}
