/* eventfd, epoll, select and poll over pipes, eventfds and epoll instances. Prints one line
 * per check; the test runs it natively and under junction-kernel and compares the output,
 * so everything printed must be deterministic (no fd numbers that could differ, no times).
 *
 *   events          the in-process checks
 *   events stdin    waits on stdin, which the test writes to after a delay (a host fd)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The result of a call: the value, or the errno's name. */
#define CHECK(label, expr)                                                                 \
    do {                                                                                   \
        errno = 0;                                                                         \
        long r_ = (long)(expr);                                                            \
        if (r_ < 0)                                                                        \
            printf("%-44s -1 %s\n", label, strerrorname_np(errno));                        \
        else                                                                               \
            printf("%-44s %ld\n", label, r_);                                              \
    } while (0)

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int efd_write(int fd, uint64_t value) { return (int)write(fd, &value, 8); }

static uint64_t efd_read(int fd) {
    uint64_t value = 0;
    if (read(fd, &value, 8) != 8) return (uint64_t)-errno;
    return value;
}

static int by_data(const void *a, const void *b) {
    uint64_t x = ((const struct epoll_event *)a)->data.u64;
    uint64_t y = ((const struct epoll_event *)b)->data.u64;
    return (x > y) - (x < y);
}

/* One epoll_wait with timeout 0; events sorted by data so the order is fixed. */
static void wait_now(int ep, const char *label, int max) {
    struct epoll_event ev[16];
    int n = epoll_wait(ep, ev, max, 0);
    if (n < 0) {
        printf("%-44s -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    qsort(ev, n, sizeof ev[0], by_data);
    printf("%-44s %d:", label, n);
    for (int i = 0; i < n; i++) printf(" [data=%llu events=%#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void drain(int fd) {
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
}

static void eventfd_checks(void) {
    printf("== eventfd\n");
    int e = eventfd(5, EFD_NONBLOCK);
    CHECK("counter: write 3", efd_write(e, 3));
    CHECK("counter: read", (long)efd_read(e));
    CHECK("counter: read when zero", read(e, &(uint64_t){0}, 8));
    CHECK("F_GETFL is O_RDWR|O_NONBLOCK", fcntl(e, F_GETFL) == (O_RDWR | O_NONBLOCK));
    CHECK("no EFD_CLOEXEC: F_GETFD", fcntl(e, F_GETFD));
    close(e);

    int s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK("semaphore: read", (long)efd_read(s));
    CHECK("semaphore: read", (long)efd_read(s));
    CHECK("semaphore: read when zero", read(s, &(uint64_t){0}, 8));
    CHECK("semaphore: write 7", efd_write(s, 7));
    CHECK("semaphore: read", (long)efd_read(s));
    CHECK("EFD_CLOEXEC: F_GETFD", fcntl(s, F_GETFD));
    close(s);

    int b = eventfd(0, 0);
    CHECK("blocking: write 2", efd_write(b, 2));
    CHECK("blocking: read", (long)efd_read(b));
    CHECK("blocking: write 0", efd_write(b, 0));
    struct pollfd p = {.fd = b, .events = POLLIN | POLLOUT};
    CHECK("write 0 leaves it unreadable: poll", poll(&p, 1, 0));
    printf("%-44s %#x\n", "  revents", p.revents);
    close(b);

    int o = eventfd(0, EFD_NONBLOCK);
    char buf[16] = {0};
    CHECK("read of 4 bytes", read(o, buf, 4));
    CHECK("write of 4 bytes", write(o, buf, 4));
    CHECK("write of 16 bytes", write(o, buf, 16));
    CHECK("write of all ones", efd_write(o, UINT64_MAX));
    CHECK("write of 0xfffffffffffffffe", efd_write(o, UINT64_MAX - 1));
    CHECK("write of 1 more (full)", efd_write(o, 1));
    p = (struct pollfd){.fd = o, .events = POLLIN | POLLOUT};
    CHECK("full: poll", poll(&p, 1, 0));
    printf("%-44s %#x\n", "  revents", p.revents);
    CHECK("read of 16 bytes", read(o, buf, 16));
    p.revents = 0;
    CHECK("drained: poll", poll(&p, 1, 0));
    printf("%-44s %#x\n", "  revents", p.revents);

    struct stat st;
    CHECK("fstat", fstat(o, &st));
    printf("%-44s mode=%o nlink=%lu size=%ld\n", "  anon inode", st.st_mode, (unsigned long)st.st_nlink, (long)st.st_size);
    close(o);
    CHECK("eventfd2 with an unknown flag", eventfd(0, 0x100));
    CHECK("eventfd (the old call)", syscall(SYS_eventfd, 1) >= 0);
}

static void epoll_error_checks(void) {
    printf("== epoll errors\n");
    CHECK("epoll_create(0)", syscall(SYS_epoll_create, 0));
    CHECK("epoll_create(1) works", syscall(SYS_epoll_create, 1) >= 0);
    CHECK("epoll_create1(1)", epoll_create1(1));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK("EPOLL_CLOEXEC: F_GETFD", fcntl(ep, F_GETFD));
    CHECK("F_GETFL", fcntl(ep, F_GETFL));
    int pp[2];
    pipe(pp);
    int e = eventfd(0, EFD_NONBLOCK);
    int file = open("/etc/passwd", O_RDONLY);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    int null = open("/dev/null", O_RDWR);
    struct epoll_event ev = {.events = EPOLLIN};
    CHECK("add pipe", add(ep, pp[0], EPOLLIN, 1));
    CHECK("add it again", add(ep, pp[0], EPOLLIN, 1));
    CHECK("add a dup of it", add(ep, dup(pp[0]), EPOLLIN, 1));
    CHECK("add a regular file", add(ep, file, EPOLLIN, 1));
    CHECK("add a directory", add(ep, dir, EPOLLIN, 1));
    CHECK("add /dev/null", add(ep, null, EPOLLIN, 1));
    CHECK("add itself", add(ep, ep, EPOLLIN, 1));
    CHECK("add to an eventfd", add(e, pp[0], EPOLLIN, 1));
    CHECK("add a closed fd", add(ep, 999, EPOLLIN, 1));
    CHECK("add to a closed fd", add(999, pp[0], EPOLLIN, 1));
    CHECK("del not added", epoll_ctl(ep, EPOLL_CTL_DEL, pp[1], NULL));
    CHECK("mod not added", mod(ep, pp[1], EPOLLIN, 1));
    CHECK("unknown op", epoll_ctl(ep, 7, pp[0], &ev));
    CHECK("add with a NULL event", epoll_ctl(ep, EPOLL_CTL_ADD, pp[1], NULL));
    CHECK("mod with EPOLLEXCLUSIVE", mod(ep, pp[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
    CHECK("add EPOLLEXCLUSIVE|EPOLLONESHOT", add(ep, pp[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 2));
    CHECK("add EPOLLEXCLUSIVE", add(ep, pp[1], EPOLLOUT | EPOLLEXCLUSIVE, 2));
    CHECK("mod an EPOLLEXCLUSIVE entry", mod(ep, pp[1], EPOLLOUT, 2));
    CHECK("del", epoll_ctl(ep, EPOLL_CTL_DEL, pp[1], NULL));
    CHECK("del again", epoll_ctl(ep, EPOLL_CTL_DEL, pp[1], NULL));
    CHECK("wait with maxevents 0", epoll_wait(ep, &ev, 0, 0));
    CHECK("wait on an eventfd", epoll_wait(e, &ev, 1, 0));
    CHECK("wait on a closed fd", epoll_wait(999, &ev, 1, 0));
    CHECK("wait into NULL, nothing ready", syscall(SYS_epoll_wait, ep, NULL, 1, 0));
    CHECK("read an epoll fd", read(ep, &ev, sizeof ev));
    CHECK("write an epoll fd", write(ep, &ev, sizeof ev));
    struct stat st;
    fstat(ep, &st);
    printf("%-44s mode=%o nlink=%lu size=%ld\n", "  fstat: anon inode", st.st_mode, (unsigned long)st.st_nlink, (long)st.st_size);
    uint64_t mask = 0;
    CHECK("epoll_pwait with sigsetsize 7", syscall(SYS_epoll_pwait, ep, &ev, 1, 0, &mask, 7));
    CHECK("epoll_pwait with a sigmask", syscall(SYS_epoll_pwait, ep, &ev, 1, 0, &mask, 8));
    struct timespec bad = {.tv_sec = -1};
    CHECK("epoll_pwait2 with a negative timeout", syscall(SYS_epoll_pwait2, ep, &ev, 1, &bad, NULL, 8));
    struct timespec ms = {.tv_nsec = 1000000};
    CHECK("epoll_pwait2 for 1 ms", syscall(SYS_epoll_pwait2, ep, &ev, 1, &ms, NULL, 8));
    close(file);
    close(dir);
    close(null);
    close(e);
    close(pp[0]);
    close(pp[1]);
    close(ep);
}

static void level_triggered(void) {
    printf("== level-triggered\n");
    int ep = epoll_create1(0);
    int pp[2];
    pipe2(pp, O_NONBLOCK);
    int e = eventfd(0, EFD_NONBLOCK);
    add(ep, pp[0], EPOLLIN, 1);
    add(ep, e, EPOLLIN, 2);
    wait_now(ep, "nothing ready", 16);
    write(pp[1], "abc", 3);
    wait_now(ep, "pipe written", 16);
    wait_now(ep, "again: still ready", 16);
    efd_write(e, 1);
    wait_now(ep, "pipe and eventfd", 16);
    wait_now(ep, "maxevents 1", 1);
    wait_now(ep, "maxevents 1 again (the other one)", 1);
    wait_now(ep, "maxevents 1 again", 1);
    drain(pp[0]);
    wait_now(ep, "pipe drained", 16);
    efd_read(e);
    wait_now(ep, "eventfd read", 16);
    CHECK("mod the pipe to data 7", mod(ep, pp[0], EPOLLIN, 7));
    write(pp[1], "x", 1);
    wait_now(ep, "after mod", 16);
    CHECK("del the pipe", epoll_ctl(ep, EPOLL_CTL_DEL, pp[0], NULL));
    wait_now(ep, "after del", 16);
    CHECK("add the write end for EPOLLOUT", add(ep, pp[1], EPOLLOUT, 3));
    wait_now(ep, "write end", 16);
    close(pp[0]);
    wait_now(ep, "write end, reader gone", 16);
    close(pp[1]);
    close(e);
    close(ep);
}

static void edge_triggered(void) {
    printf("== edge-triggered\n");
    int ep = epoll_create1(0);
    int pp[2];
    pipe2(pp, O_NONBLOCK);
    char buf[64];
    add(ep, pp[0], EPOLLIN | EPOLLET, 1);
    wait_now(ep, "empty pipe", 16);
    write(pp[1], "ab", 2);
    wait_now(ep, "written", 16);
    wait_now(ep, "again: no new edge", 16);
    write(pp[1], "c", 1);
    wait_now(ep, "written more: a new wake-up", 16);
    read(pp[0], buf, 1);
    wait_now(ep, "partial read", 16);
    drain(pp[0]);
    wait_now(ep, "drained", 16);
    add(ep, pp[1], EPOLLOUT | EPOLLET, 2);
    wait_now(ep, "write end added (ready)", 16);
    wait_now(ep, "write end again", 16);
    write(pp[1], "x", 1);
    wait_now(ep, "write: wakes the reader only", 16);
    drain(pp[0]);
    wait_now(ep, "read of a pipe that was not full", 16);
    CHECK("mod the write end", mod(ep, pp[1], EPOLLOUT | EPOLLET, 4));
    wait_now(ep, "after mod (ready again)", 16);
    epoll_ctl(ep, EPOLL_CTL_DEL, pp[0], NULL);
    epoll_ctl(ep, EPOLL_CTL_DEL, pp[1], NULL);

    int e = eventfd(0, EFD_NONBLOCK);
    add(ep, e, EPOLLIN | EPOLLOUT | EPOLLET, 3);
    wait_now(ep, "eventfd added (writable)", 16);
    wait_now(ep, "eventfd again", 16);
    efd_write(e, 1);
    wait_now(ep, "eventfd written", 16);
    efd_write(e, 1);
    wait_now(ep, "eventfd written again", 16);
    efd_read(e);
    wait_now(ep, "eventfd read", 16);
    wait_now(ep, "eventfd again", 16);

    close(pp[1]);
    add(ep, pp[0], EPOLLIN | EPOLLET, 5);
    wait_now(ep, "pipe without writers (HUP)", 16);
    wait_now(ep, "HUP again", 16);
    close(pp[0]);
    close(e);
    close(ep);
}

static void one_shot(void) {
    printf("== one-shot\n");
    int ep = epoll_create1(0);
    int pp[2];
    pipe2(pp, O_NONBLOCK);
    add(ep, pp[0], EPOLLIN | EPOLLONESHOT, 1);
    write(pp[1], "z", 1);
    wait_now(ep, "fired", 16);
    wait_now(ep, "disarmed", 16);
    write(pp[1], "z", 1);
    wait_now(ep, "disarmed, written", 16);
    close(pp[1]);
    wait_now(ep, "disarmed, hung up", 16);
    CHECK("mod re-arms", mod(ep, pp[0], EPOLLIN | EPOLLONESHOT, 2));
    wait_now(ep, "re-armed", 16);
    wait_now(ep, "disarmed again", 16);
    CHECK("add it again", add(ep, pp[0], EPOLLIN, 3));
    CHECK("del a disarmed entry", epoll_ctl(ep, EPOLL_CTL_DEL, pp[0], NULL));
    close(pp[0]);
    close(ep);
}

static void lifetimes_and_nesting(void) {
    printf("== lifetimes and nesting\n");
    int ep = epoll_create1(0);
    int e = eventfd(1, EFD_NONBLOCK);
    int d = dup(e);
    add(ep, e, EPOLLIN, 1);
    wait_now(ep, "eventfd ready", 16);
    close(e);
    wait_now(ep, "fd closed, a dup keeps the file", 16);
    CHECK("del by the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL));
    close(d);
    wait_now(ep, "last fd closed: entry gone", 16);

    int inner = epoll_create1(0);
    int pp[2];
    pipe2(pp, O_NONBLOCK);
    add(inner, pp[0], EPOLLIN, 1);
    CHECK("add inner to outer", add(ep, inner, EPOLLIN, 9));
    CHECK("add outer to inner (a cycle)", add(inner, ep, EPOLLIN, 9));
    wait_now(ep, "outer, nothing ready", 16);
    struct pollfd p = {.fd = inner, .events = POLLIN | POLLOUT};
    CHECK("poll the inner epoll fd", poll(&p, 1, 0));
    write(pp[1], "q", 1);
    wait_now(ep, "outer, inner ready", 16);
    CHECK("poll the inner epoll fd", poll(&p, 1, 0));
    printf("%-44s %#x\n", "  revents", p.revents);
    wait_now(inner, "inner", 16);
    drain(pp[0]);
    wait_now(ep, "outer, drained", 16);

    int chain[7];
    chain[0] = epoll_create1(0);
    int loops = 0;
    for (int i = 1; i < 7; i++) {
        chain[i] = epoll_create1(0);
        if (add(chain[i], chain[i - 1], EPOLLIN, i) < 0) {
            printf("%-44s level %d: %s\n", "nesting refused", i, strerrorname_np(errno));
            loops++;
            break;
        }
    }
    if (!loops) printf("%-44s\n", "nesting never refused");
    close(pp[0]);
    close(pp[1]);
    close(inner);
    close(ep);
}

static void timeouts(void) {
    printf("== timeouts\n");
    int ep = epoll_create1(0);
    int pp[2];
    pipe(pp);
    add(ep, pp[0], EPOLLIN, 1);
    struct epoll_event ev;
    long long start = now_ms();
    CHECK("epoll_wait 30 ms, nothing ready", epoll_wait(ep, &ev, 1, 30));
    CHECK("  waited at least 30 ms", now_ms() - start >= 30);
    start = now_ms();
    struct pollfd p = {.fd = pp[0], .events = POLLIN};
    CHECK("poll 20 ms, nothing ready", poll(&p, 1, 20));
    CHECK("  waited at least 20 ms", now_ms() - start >= 20);
    write(pp[1], "r", 1);
    start = now_ms();
    CHECK("epoll_wait 5000 ms, ready", epoll_wait(ep, &ev, 1, 5000));
    CHECK("  returned at once", now_ms() - start < 1000);
    struct timespec ts = {.tv_sec = 3};
    CHECK("ppoll 3 s, ready", syscall(SYS_ppoll, &p, 1, &ts, NULL, 8));
    CHECK("  timeout written back, below 3 s", ts.tv_sec < 3 && ts.tv_sec >= 2);
    ts = (struct timespec){0, 0};
    CHECK("ppoll 0, ready", syscall(SYS_ppoll, &p, 1, &ts, NULL, 8));
    uint64_t mask = 0;
    CHECK("ppoll with sigsetsize 7", syscall(SYS_ppoll, &p, 1, NULL, &mask, 7));
    CHECK("ppoll with a sigmask", syscall(SYS_ppoll, &p, 1, NULL, &mask, 8));
    close(pp[0]);
    close(pp[1]);
    close(ep);
}

static void print_set(const char *label, fd_set *set, int base, int n) {
    printf("%-44s", label);
    for (int fd = 0; fd < n; fd++)
        if (FD_ISSET(fd, set)) printf(" +%d", fd - base);
    printf("\n");
}

static void select_checks(void) {
    printf("== select\n");
    int pp[2];
    pipe2(pp, O_NONBLOCK);
    int e = eventfd(0, EFD_NONBLOCK);
    int file = open("/etc/passwd", O_RDONLY);
    int base = pp[0], n = file + 1;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    FD_SET(pp[0], &r);
    FD_SET(e, &r);
    FD_SET(pp[1], &w);
    FD_SET(pp[0], &x);
    struct timeval tv = {.tv_sec = 5};
    CHECK("raw select: write end ready", syscall(SYS_select, n, &r, &w, &x, &tv));
    print_set("  read", &r, base, n);
    print_set("  write", &w, base, n);
    print_set("  except", &x, base, n);
    CHECK("  timeout written back, below 5 s", tv.tv_sec < 5 && tv.tv_sec >= 4);

    write(pp[1], "s", 1);
    efd_write(e, 1);
    FD_ZERO(&r);
    FD_SET(pp[0], &r);
    FD_SET(e, &r);
    FD_SET(file, &r);
    FD_ZERO(&w);
    FD_SET(file, &w);
    CHECK("select: pipe, eventfd, file", select(n, &r, &w, NULL, NULL));
    print_set("  read", &r, base, n);
    print_set("  write", &w, base, n);

    drain(pp[0]);
    efd_read(e);
    FD_ZERO(&r);
    FD_SET(pp[0], &r);
    FD_SET(e, &r);
    tv = (struct timeval){.tv_usec = 20000};
    long long start = now_ms();
    CHECK("raw select 20 ms, nothing ready", syscall(SYS_select, n, &r, NULL, NULL, &tv));
    CHECK("  waited at least 20 ms", now_ms() - start >= 20);
    printf("%-44s %ld.%06ld\n", "  timeout written back", (long)tv.tv_sec, (long)tv.tv_usec);
    print_set("  read", &r, base, n);

    tv = (struct timeval){.tv_sec = 1, .tv_usec = -1000000};
    CHECK("raw select {1, -1000000}: zero timeout", syscall(SYS_select, 0, NULL, NULL, NULL, &tv));
    printf("%-44s %ld.%ld\n", "  not written back", (long)tv.tv_sec, (long)tv.tv_usec);
    tv = (struct timeval){.tv_usec = -1};
    CHECK("raw select {0, -1}", syscall(SYS_select, 0, NULL, NULL, NULL, &tv));
    CHECK("select nfds -1", select(-1, NULL, NULL, NULL, NULL));
    close(e);
    FD_ZERO(&r);
    FD_SET(e, &r);
    tv = (struct timeval){.tv_sec = 1};
    CHECK("raw select on a closed fd", syscall(SYS_select, n, &r, NULL, NULL, &tv));
    print_set("  set left alone", &r, base, n);

    int ep = epoll_create1(0);
    add(ep, pp[0], EPOLLIN, 1);
    FD_ZERO(&r);
    FD_SET(ep, &r);
    struct timespec ts = {0, 0};
    CHECK("pselect6 on an epoll fd, idle", syscall(SYS_pselect6, ep + 1, &r, NULL, NULL, &ts, NULL));
    write(pp[1], "t", 1);
    FD_SET(ep, &r);
    uint64_t mask = 1ULL << (SIGUSR1 - 1);
    struct {
        uint64_t *set;
        size_t size;
    } pack = {&mask, 8};
    ts = (struct timespec){.tv_sec = 2};
    CHECK("pselect6 with a sigmask, epoll ready", syscall(SYS_pselect6, ep + 1, &r, NULL, NULL, &ts, &pack));
    CHECK("  timeout written back, below 2 s", ts.tv_sec < 2 && ts.tv_sec >= 1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK("  the old mask is back", sigismember(&now, SIGUSR1));
    pack.size = 7;
    CHECK("pselect6 with sigsetsize 7", syscall(SYS_pselect6, ep + 1, &r, NULL, NULL, &ts, &pack));
    close(ep);
    close(file);
    close(pp[0]);
    close(pp[1]);
}

static void poll_checks(void) {
    printf("== poll\n");
    int pp[2];
    pipe(pp);
    int file = open("/etc/passwd", O_RDONLY);
    int null = open("/dev/null", O_RDONLY);
    struct pollfd p[5] = {
        {.fd = pp[0], .events = POLLIN | POLLRDNORM},
        {.fd = pp[1], .events = POLLOUT | POLLWRNORM},
        {.fd = file, .events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI},
        {.fd = null, .events = POLLIN},
        {.fd = 999, .events = POLLIN},
    };
    CHECK("poll pipe, file, /dev/null, closed fd", poll(p, 5, 0));
    for (int i = 0; i < 5; i++) printf("  revents[%d] %#x\n", i, p[i].revents);
    close(pp[1]);
    p[0].revents = 0;
    CHECK("poll pipe without writers", poll(p, 1, 0));
    printf("  revents %#x\n", p[0].revents);
    close(pp[0]);
    close(file);
    close(null);
}

/* Waits on stdin (a host pipe the test writes to after a delay) with each call in turn. */
static void stdin_checks(void) {
    char buf[64];
    struct pollfd p = {.fd = 0, .events = POLLIN};
    CHECK("poll stdin 50 ms, nothing yet", poll(&p, 1, 50));
    int ep = epoll_create1(0);
    CHECK("add stdin", add(ep, 0, EPOLLIN, 42));
    struct epoll_event ev;
    CHECK("epoll_wait on stdin", epoll_wait(ep, &ev, 1, 10000));
    printf("%-44s data=%llu events=%#x\n", "  event", (unsigned long long)ev.data.u64, ev.events);
    int n = (int)read(0, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("%-44s %s", "  read", buf);
    CHECK("mod stdin to EPOLLET", mod(ep, 0, EPOLLIN | EPOLLET, 43));
    CHECK("ET wait on stdin: nothing new", epoll_wait(ep, &ev, 1, 30));
    fd_set r;
    FD_ZERO(&r);
    FD_SET(0, &r);
    CHECK("select on stdin: the second line", select(1, &r, NULL, NULL, NULL));
    n = (int)read(0, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("%-44s %s", "  read", buf);
    CHECK("poll stdin until end of file", poll(&p, 1, 10000));
    printf("%-44s %#x\n", "  revents has POLLHUP", p.revents & POLLHUP);
    close(ep);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "stdin") == 0) {
        stdin_checks();
        return 0;
    }
    eventfd_checks();
    epoll_error_checks();
    level_triggered();
    edge_triggered();
    one_shot();
    lifetimes_and_nesting();
    timeouts();
    select_checks();
    poll_checks();
    return 0;
}
