/* Raw futex operations and the futex-based locks glibc builds on them: wait/wake, EAGAIN,
 * ETIMEDOUT (relative and absolute), requeue, wake-op, bitset wake, futex_waitv, a PI mutex
 * under contention and with a timeout, and robust mutexes (plain and PI) whose owner thread
 * dies (EOWNERDEAD). Output is deterministic. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(uint32_t *addr, int op, uint32_t val, const struct timespec *ts,
                  uint32_t *addr2, uint32_t val3) {
    return syscall(SYS_futex, addr, op, val, ts, addr2, val3);
}

static const char *result(long r) {
    static char buf[64];
    if (r >= 0)
        snprintf(buf, sizeof buf, "%ld", r);
    else
        snprintf(buf, sizeof buf, "%s", strerrorname_np(errno));
    return buf;
}

static uint32_t word, word2;
static const uint32_t read_only_word = 1;
static int woken;

static void *waiter(void *arg) {
    int op = (int)(intptr_t)arg;
    long r;
    if (op == FUTEX_WAIT_BITSET_PRIVATE)
        r = futex(&word, op, 0, NULL, NULL, 0x2);
    else
        r = futex(&word, op, 0, NULL, NULL, 0);
    if (r == 0)
        __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Waits until `n` threads sleep on the word: the wakes below must find them asleep. */
static void settle(void) { usleep(100000); }

static pthread_mutex_t pi_lock;
static long pi_counter;

static void *pi_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pi_lock);
        pi_counter++;
        if (i % 100 == 0)
            usleep(100);
        pthread_mutex_unlock(&pi_lock);
    }
    return NULL;
}

static int pi_held;

static void *holds_pi(void *arg) {
    (void)arg;
    pthread_mutex_lock(&pi_lock);
    __atomic_store_n(&pi_held, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&pi_held, __ATOMIC_SEQ_CST) != 2)
        usleep(1000);
    pthread_mutex_unlock(&pi_lock);
    return NULL;
}

static pthread_mutex_t robust;

static void *dies_holding(void *arg) {
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* exits with the lock held */
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    word = 1;
    printf("wait on changed value: %s\n", result(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)));
    struct timespec rel = {0, 20 * 1000 * 1000};
    printf("wait with timeout: %s\n", result(futex(&word, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0)));
    struct timespec now, abs;
    clock_gettime(CLOCK_MONOTONIC, &now);
    abs = now;
    abs.tv_nsec += 20 * 1000 * 1000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    printf("bitset wait until monotonic deadline: %s\n",
           result(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY)));
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_nsec = 0;
    abs.tv_sec += 0;
    printf("bitset wait until a past realtime deadline: %s\n",
           result(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &abs, NULL,
                        FUTEX_BITSET_MATCH_ANY)));
    printf("wake with nobody waiting: %s\n", result(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    printf("unaligned word: %s\n",
           result(futex((uint32_t *)((char *)&word + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    printf("unknown op: %s\n", result(futex(&word, 99, 0, NULL, NULL, 0)));

    /* Three waiters; wake one, requeue the rest to word2, then wake them there. */
    word = 0;
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)FUTEX_WAIT_PRIVATE);
    settle();
    printf("wake one: %s\n", result(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    settle();
    printf("cmp_requeue with a stale value: %s\n",
           result(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(uintptr_t)10, &word2, 5)));
    printf("cmp_requeue the other two: %s\n",
           result(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(uintptr_t)10, &word2, 0)));
    printf("wake on the first word now: %s\n", result(futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0)));
    printf("wake on the second word: %s\n", result(futex(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0)));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("woken: %d\n", woken);

    /* Wake-op: a waiter sleeps on word; wake-op on word2 (wake none there) sets word to 7
     * and, since its old value was 0, wakes one waiter on word. */
    woken = 0;
    word = 0;
    pthread_create(&t[0], NULL, waiter, (void *)(intptr_t)FUTEX_WAIT_PRIVATE);
    settle();
    printf("wake_op: %s\n",
           result(futex(&word2, FUTEX_WAKE_OP_PRIVATE, 0, (void *)(uintptr_t)1, &word,
                        FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0))));
    pthread_join(t[0], NULL);
    printf("word now %u, woken %d\n", word, woken);
    printf("wake_op on an unwritable word: %s\n",
           result(futex(&word2, FUTEX_WAKE_OP_PRIVATE, 0, (void *)(uintptr_t)1, (uint32_t *)&read_only_word,
                        FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0))));
    word = 0;

    /* Bitset: a waiter on bit 1 is not woken by a wake for bit 0. */
    woken = 0;
    pthread_create(&t[0], NULL, waiter, (void *)(intptr_t)FUTEX_WAIT_BITSET_PRIVATE);
    settle();
    printf("wake bitset 0x1: %s\n", result(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x1)));
    printf("wake bitset 0x2: %s\n", result(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x2)));
    pthread_join(t[0], NULL);
    printf("woken: %d\n", woken);

    /* A PI mutex under contention: the kernel sees FUTEX_LOCK_PI/UNLOCK_PI. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi_lock, &attr);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, pi_worker, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("PI counter: %ld\n", pi_counter);
    pthread_mutex_lock(&pi_lock);
    printf("PI trylock by the owner: %s\n", strerrorname_np(pthread_mutex_trylock(&pi_lock)));
    pthread_mutex_unlock(&pi_lock);

    /* A PI mutex held by another thread: a timed lock gives up with ETIMEDOUT. */
    pthread_create(&t[0], NULL, holds_pi, NULL);
    while (!__atomic_load_n(&pi_held, __ATOMIC_SEQ_CST))
        usleep(1000);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 30 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    printf("PI timedlock while held: %s\n", strerrorname_np(pthread_mutex_timedlock(&pi_lock, &until)));
    __atomic_store_n(&pi_held, 2, __ATOMIC_SEQ_CST);
    pthread_join(t[0], NULL);
    printf("PI lock after release: %d\n", pthread_mutex_lock(&pi_lock));
    pthread_mutex_unlock(&pi_lock);

    /* futex_waitv: a stale value is EAGAIN; matching values sleep until the deadline. */
    struct futex_waitv wv[2] = {
        {.val = 0, .uaddr = (uintptr_t)&word, .flags = FUTEX_32 | FUTEX_PRIVATE_FLAG},
        {.val = 5, .uaddr = (uintptr_t)&word2, .flags = FUTEX_32 | FUTEX_PRIVATE_FLAG},
    };
    word = 0;
    word2 = 4;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 1;
    printf("waitv with a stale value: %s\n",
           result(syscall(SYS_futex_waitv, wv, 2, 0, &until, CLOCK_MONOTONIC)));
    word2 = 5;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 20 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    printf("waitv until a deadline: %s\n",
           result(syscall(SYS_futex_waitv, wv, 2, 0, &until, CLOCK_MONOTONIC)));

    /* A robust mutex whose owner exits holding it. */
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attr);
    pthread_create(&t[0], NULL, dies_holding, NULL);
    pthread_join(t[0], NULL);
    int r = pthread_mutex_lock(&robust);
    printf("robust lock after the owner died: %s\n", strerrorname_np(r));
    printf("consistent: %d\n", pthread_mutex_consistent(&robust));
    pthread_mutex_unlock(&robust);
    printf("relock: %d\n", pthread_mutex_lock(&robust));
    pthread_mutex_unlock(&robust);

    /* A robust PI mutex, its owner dies while another thread waits on it. */
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&robust, &attr);
    pthread_create(&t[0], NULL, dies_holding, NULL);
    pthread_join(t[0], NULL);
    r = pthread_mutex_lock(&robust);
    printf("robust PI lock after the owner died: %s\n", strerrorname_np(r));
    pthread_mutex_consistent(&robust);
    pthread_mutex_unlock(&robust);
    return 0;
}
