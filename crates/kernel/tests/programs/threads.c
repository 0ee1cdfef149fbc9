/* Threads under the kernel: pthread_create/join, TLS, distinct tids, CLONE_CHILD_CLEARTID
 * (through pthread_join), a mutex+condvar ping-pong, a barrier, pthread_exit with a value,
 * a detached thread, a pipe read (and a poll that also waits on stdout, a host fd) in one
 * thread woken by a write in another, and the main thread's pthread_exit while another
 * thread finishes. Output is deterministic. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define N 4

static __thread int tls_value = 7;
static pid_t tids[N + 1];

static void *worker(void *arg) {
    int i = (int)(intptr_t)arg;
    tls_value = 100 + i; /* each thread has its own copy */
    tids[i] = (pid_t)syscall(SYS_gettid);
    usleep(1000 * (N - i));
    return (void *)(intptr_t)(tls_value * 2);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int turn, rounds_done;

static void *pong(void *arg) {
    (void)arg;
    for (int r = 0; r < 50; r++) {
        pthread_mutex_lock(&lock);
        while (turn != 1)
            pthread_cond_wait(&cond, &lock);
        turn = 0;
        rounds_done++;
        pthread_cond_signal(&cond);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static pthread_barrier_t barrier;
static int arrived;

static void *at_barrier(void *arg) {
    __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
    int serial = pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD;
    return (void *)(intptr_t)serial + (intptr_t)arg * 0;
}

static void *exits_early(void *arg) {
    (void)arg;
    pthread_exit((void *)42);
    return NULL;
}

static pid_t sleeper_tid;
static int sleeper_go;

static void *sleeper(void *arg) {
    (void)arg;
    __atomic_store_n(&sleeper_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&sleeper_go, __ATOMIC_SEQ_CST))
        usleep(1000);
    /* Pin this thread to the first CPU it may use; the others keep theirs. */
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    int first = 0;
    while (!CPU_ISSET(first, &set))
        first++;
    CPU_ZERO(&set);
    CPU_SET(first, &set);
    int pinned = sched_setaffinity(0, sizeof set, &set);
    unsigned cpu = 99, node = 99;
    long got = syscall(SYS_getcpu, &cpu, &node, NULL);
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    printf("pinned: %d, affinity now %d cpu(s), getcpu %ld on the pinned cpu: %s\n", pinned,
           CPU_COUNT(&set), got, (int)cpu == first ? "yes" : "no");
    return NULL;
}

static void *own_signal_state(void *arg) {
    (void)arg;
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("new thread: inherits SIGUSR2 blocked: %s, altstack %s\n",
           sigismember(&now, SIGUSR2) ? "yes" : "no", (ss.ss_flags & SS_DISABLE) ? "off" : "on");
    sigset_t more;
    sigemptyset(&more);
    sigaddset(&more, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &more, NULL);
    static char stack[65536];
    stack_t mine = {.ss_sp = stack, .ss_size = sizeof stack};
    sigaltstack(&mine, NULL);
    return NULL;
}

static int fds[2];

static void *writer(void *arg) {
    (void)arg;
    usleep(50000);
    if (write(fds[1], "ping", 4) != 4)
        perror("write");
    return NULL;
}

static void *last_one(void *arg) {
    (void)arg;
    usleep(100000);
    printf("last thread: main has gone, tls %d\n", tls_value);
    fflush(stdout);
    return NULL; /* the last thread's exit ends the process with status 0 */
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t[N];
    tids[N] = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < N; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        printf("worker %d returned %ld\n", i, (long)(intptr_t)ret);
    }
    printf("main tls still %d\n", tls_value);
    int distinct = 1;
    for (int i = 0; i <= N; i++)
        for (int j = 0; j < i; j++)
            if (tids[i] == tids[j] || tids[i] <= 0)
                distinct = 0;
    printf("tids distinct: %s, main tid is pid: %s\n", distinct ? "yes" : "no",
           tids[N] == getpid() ? "yes" : "no");

    pthread_t p;
    pthread_create(&p, NULL, pong, NULL);
    for (int r = 0; r < 50; r++) {
        pthread_mutex_lock(&lock);
        turn = 1;
        pthread_cond_signal(&cond);
        while (turn != 0)
            pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
    }
    pthread_join(p, NULL);
    printf("ping-pong rounds: %d\n", rounds_done);

    pthread_barrier_init(&barrier, NULL, N + 1);
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, at_barrier, NULL);
    int serials = pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD;
    for (int i = 0; i < N; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        serials += (int)(intptr_t)ret;
    }
    printf("barrier: %d arrived, %d serial\n", arrived, serials);

    void *ret;
    pthread_create(&p, NULL, exits_early, NULL);
    pthread_join(p, &ret);
    printf("pthread_exit value %ld\n", (long)(intptr_t)ret);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&p, &attr, worker, (void *)(intptr_t)0);
    usleep(20000);

    if (pipe(fds) != 0)
        return 1;
    pthread_create(&p, NULL, writer, NULL);
    char buf[8] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf);
    printf("read %zd bytes from the other thread: %s\n", n, buf);
    pthread_join(p, NULL);

    /* stdout is a pipe to the test: never readable, so only the other thread's write can
     * end this poll before its timeout. */
    pthread_create(&p, NULL, writer, NULL);
    struct pollfd pfd[2] = {{.fd = 1, .events = POLLIN}, {.fd = fds[0], .events = POLLIN}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ready = poll(pfd, 2, 5000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("poll with a host fd: %d ready, pipe %s, %s\n", ready,
           (pfd[1].revents & POLLIN) ? "readable" : "not readable",
           t1.tv_sec - t0.tv_sec < 2 ? "woken at once" : "only at the timeout");
    pthread_join(p, NULL);

    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    static char main_stack[65536];
    stack_t main_ss = {.ss_sp = main_stack, .ss_size = sizeof main_stack};
    sigaltstack(&main_ss, NULL);
    pthread_create(&p, NULL, own_signal_state, NULL);
    pthread_join(p, NULL);
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("main after: SIGHUP blocked: %s, altstack is its own: %s\n",
           sigismember(&now, SIGHUP) ? "yes" : "no", ss.ss_sp == main_stack ? "yes" : "no");
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);

    pthread_create(&p, NULL, sleeper, NULL);
    while (!__atomic_load_n(&sleeper_tid, __ATOMIC_SEQ_CST))
        usleep(1000);
    printf("tgkill 0 to a live thread: %ld\n", syscall(SYS_tgkill, getpid(), sleeper_tid, 0));
    long r = syscall(SYS_tgkill, getpid(), 99999, 0);
    printf("tgkill 0 to no thread: %ld %s\n", r, strerrorname_np(errno));
    printf("tkill 0 to a live thread: %ld\n", syscall(SYS_tkill, sleeper_tid, 0));
    __atomic_store_n(&sleeper_go, 1, __ATOMIC_SEQ_CST);
    pthread_join(p, NULL);
    cpu_set_t mine;
    sched_getaffinity(0, sizeof mine, &mine);
    printf("main's affinity untouched: %s\n", CPU_COUNT(&mine) == sysconf(_SC_NPROCESSORS_ONLN) ? "yes" : "no");
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    printf("membarrier query has private expedited: %s\n",
           cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) ? "yes" : "no");
    printf("membarrier register: %ld\n",
           syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    printf("membarrier private expedited: %ld\n",
           syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));

    pthread_create(&p, NULL, last_one, NULL);
    printf("main exits first\n");
    pthread_exit(NULL);
}
