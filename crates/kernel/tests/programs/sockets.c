/* Sockets: TCP, UDP and unix (stream, dgram, seqpacket), socketpair, SCM_RIGHTS, options,
 * errnos, and epoll over sockets with pipes and eventfds. Client and server live in this one
 * process (no threads or fork): non-blocking sockets and poll/epoll. Prints one line per
 * check; the test compares the output natively and under junction-kernel, so nothing
 * printed depends on ports, pids or fd numbers.
 *
 *   sockets DIR            the checks; DIR is a writable directory for unix sockets and files
 *   sockets isolate NAME   binds /tmp/NAME and the abstract name NAME, says "bound", and
 *                          waits for a line on stdin (the test tries to reach both meanwhile)
 *   sockets pass-pipe      sends a pipe's fd with SCM_RIGHTS (the kernel cannot: a kernel
 *                          pipe has no host object; the test expects EOPNOTSUPP there)
 *   sockets hangup DIR     an edge-triggered wait that the test's hang-up must end
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CHECK(label, expr)                                                                 \
    do {                                                                                   \
        errno = 0;                                                                         \
        long r_ = (long)(expr);                                                            \
        if (r_ < 0)                                                                        \
            printf("%-44s -1 %s\n", label, strerrorname_np(errno));                        \
        else                                                                               \
            printf("%-44s %ld\n", label, r_);                                              \
    } while (0)

static void die(const char *what) {
    printf("FAILED %s: %s\n", what, strerrorname_np(errno));
    exit(1);
}

static int must(int r, const char *what) {
    if (r < 0) die(what);
    return r;
}

/* Waits up to two seconds for `events` on fd; the revents. */
static int wait_for(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, 2000);
    return n <= 0 ? 0 : p.revents;
}

static socklen_t unix_addr(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strncpy(a->sun_path, path, sizeof a->sun_path - 1);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static int int_opt(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) < 0) return -errno;
    return v;
}

/* A listening TCP socket on 127.0.0.1 with an ephemeral port, written to *addr. */
static int tcp_listener(struct sockaddr_in *addr) {
    int s = must(socket(AF_INET, SOCK_STREAM, 0), "socket");
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    must(bind(s, (struct sockaddr *)addr, sizeof *addr), "bind");
    socklen_t len = sizeof *addr;
    must(getsockname(s, (struct sockaddr *)addr, &len), "getsockname");
    must(listen(s, 8), "listen");
    return s;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Blocking calls that wait in the kernel: SO_RCVTIMEO ends them. */
static void timeouts(void) {
    struct sockaddr_in addr;
    int l = tcp_listener(&addr);
    struct timeval tv = {0, 100000}, back;
    socklen_t len = sizeof back;
    CHECK("SO_RCVTIMEO set", setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    CHECK("SO_RCVTIMEO get", getsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &back, &len));
    printf("%-44s %ld %ld\n", "SO_RCVTIMEO value", (long)back.tv_sec, (long)back.tv_usec);
    long long t0 = now_ms();
    CHECK("blocking accept, nobody comes", accept(l, NULL, NULL));
    CHECK("  waited the timeout", now_ms() - t0 >= 90);
    int c = must(socket(AF_INET, SOCK_STREAM, 0), "socket");
    must(connect(c, (struct sockaddr *)&addr, sizeof addr), "connect");
    CHECK("SO_RCVTIMEO on the client", setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    char buf[8];
    t0 = now_ms();
    CHECK("blocking recv, nothing comes", recv(c, buf, sizeof buf, 0));
    CHECK("  waited the timeout", now_ms() - t0 >= 90);
    int s = accept(l, NULL, NULL);
    CHECK("accept a queued connection", s >= 0);
    CHECK("send 3", send(s, "abc", 3, 0));
    t0 = now_ms();
    CHECK("recv MSG_WAITALL 8, times out with 3", recv(c, buf, 8, MSG_WAITALL));
    close(s);
    close(c);
    close(l);
}

static void tcp(void) {
    struct sockaddr_in addr, got;
    int l = tcp_listener(&addr);
    CHECK("tcp SO_ACCEPTCONN", int_opt(l, SOL_SOCKET, SO_ACCEPTCONN));
    int c = must(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), "socket");
    int r = connect(c, (struct sockaddr *)&addr, sizeof addr);
    printf("%-44s %s\n", "tcp nonblocking connect", r == 0 ? "0" : strerrorname_np(errno));
    CHECK("tcp poll POLLOUT after connect", wait_for(c, POLLOUT) & POLLOUT);
    CHECK("tcp SO_ERROR", int_opt(c, SOL_SOCKET, SO_ERROR));
    CHECK("tcp listener readable", wait_for(l, POLLIN) & POLLIN);
    socklen_t len = sizeof got;
    int s = accept4(l, (struct sockaddr *)&got, &len, SOCK_CLOEXEC);
    CHECK("tcp accept4", s >= 0);
    CHECK("tcp accept4 SOCK_CLOEXEC", fcntl(s, F_GETFD));
    CHECK("tcp accepted O_NONBLOCK", fcntl(s, F_GETFL) & O_NONBLOCK);
    printf("%-44s %d %d\n", "tcp peer family, loopback", got.sin_family,
           got.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    struct sockaddr_in peer;
    len = sizeof peer;
    must(getpeername(c, (struct sockaddr *)&peer, &len), "getpeername");
    CHECK("tcp getpeername is the listener", peer.sin_port == addr.sin_port);
    CHECK("tcp send", send(c, "ping", 4, 0));
    char buf[64] = {0};
    CHECK("tcp recv (blocking)", recv(s, buf, sizeof buf, 0));
    printf("%-44s %s\n", "tcp server got", buf);
    CHECK("tcp write back", write(s, "pong!", 5));
    CHECK("tcp client readable", wait_for(c, POLLIN) & POLLIN);
    int avail = -1;
    CHECK("tcp FIONREAD", ioctl(c, FIONREAD, &avail));
    CHECK("tcp FIONREAD bytes", avail);
    memset(buf, 0, sizeof buf);
    CHECK("tcp read", read(c, buf, sizeof buf));
    printf("%-44s %s\n", "tcp client got", buf);
    CHECK("tcp recv nothing (nonblocking)", recv(c, buf, sizeof buf, 0));
    CHECK("tcp recv MSG_DONTWAIT", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    /* Options. */
    int one = 1, size = 65536;
    CHECK("tcp TCP_NODELAY set", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    CHECK("tcp TCP_NODELAY", int_opt(c, IPPROTO_TCP, TCP_NODELAY));
    CHECK("tcp SO_RCVBUF set", setsockopt(c, SOL_SOCKET, SO_RCVBUF, &size, sizeof size));
    CHECK("tcp SO_RCVBUF (doubled)", int_opt(c, SOL_SOCKET, SO_RCVBUF));
    CHECK("tcp SO_TYPE", int_opt(c, SOL_SOCKET, SO_TYPE));
    CHECK("tcp SO_DOMAIN", int_opt(c, SOL_SOCKET, SO_DOMAIN));
    CHECK("tcp SO_KEEPALIVE set", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
    CHECK("tcp SO_KEEPALIVE", int_opt(c, SOL_SOCKET, SO_KEEPALIVE));
    struct linger lg = {1, 0};
    socklen_t lglen = sizeof lg;
    CHECK("tcp SO_LINGER get", getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &lglen));
    printf("%-44s %d %d %d\n", "tcp SO_LINGER", lg.l_onoff, lg.l_linger, (int)lglen);
    int small = 0;
    socklen_t short_len = 2;
    CHECK("tcp getsockopt short optlen", getsockopt(c, SOL_SOCKET, SO_TYPE, &small, &short_len));
    CHECK("tcp getsockopt short optlen len", short_len);
    CHECK("tcp setsockopt bad level", setsockopt(c, 9999, 1, &one, sizeof one));
    CHECK("tcp getsockopt EFAULT", getsockopt(c, SOL_SOCKET, SO_TYPE, (void *)8, &short_len));
    /* shutdown: the peer reads end of stream. */
    CHECK("tcp shutdown SHUT_WR", shutdown(c, SHUT_WR));
    CHECK("tcp server reads EOF", recv(s, buf, sizeof buf, 0));
    CHECK("tcp send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    CHECK("tcp shutdown bad how", shutdown(c, 7));
    close(s);
    close(c);
    /* EADDRINUSE: the listener's port, without SO_REUSEADDR. */
    int d = must(socket(AF_INET, SOCK_STREAM, 0), "socket");
    CHECK("tcp bind busy port", bind(d, (struct sockaddr *)&addr, sizeof addr));
    close(d);
    close(l);
    /* ECONNREFUSED: nobody listens on that port any more (blocking connect). */
    d = must(socket(AF_INET, SOCK_STREAM, 0), "socket");
    CHECK("tcp connect refused", connect(d, (struct sockaddr *)&addr, sizeof addr));
    CHECK("tcp SO_REUSEADDR set", setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    CHECK("tcp SO_REUSEADDR", int_opt(d, SOL_SOCKET, SO_REUSEADDR));
    close(d);
    /* A blocking echo: connect, accept and a large send that needs the peer to drain. */
    l = tcp_listener(&addr);
    c = must(socket(AF_INET6, SOCK_STREAM, 0), "socket6");
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = addr.sin_port};
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &a6.sin6_addr);
    CHECK("tcp6 blocking connect to v4-mapped", connect(c, (struct sockaddr *)&a6, sizeof a6));
    s = accept(l, NULL, NULL);
    CHECK("tcp accept (no address)", s >= 0);
    CHECK("tcp6 bad address length", connect(c, (struct sockaddr *)&a6, 3));
    close(s);
    close(c);
    close(l);
}

static void udp(void) {
    struct sockaddr_in a = {.sin_family = AF_INET}, b, from;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    b = a;
    int x = must(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "udp socket");
    int y = must(socket(AF_INET, SOCK_DGRAM, 0), "udp socket");
    socklen_t len = sizeof a;
    must(bind(x, (struct sockaddr *)&a, sizeof a), "udp bind");
    must(getsockname(x, (struct sockaddr *)&a, &len), "udp getsockname");
    must(bind(y, (struct sockaddr *)&b, sizeof b), "udp bind");
    must(getsockname(y, (struct sockaddr *)&b, &len), "udp getsockname");
    CHECK("udp SO_TYPE", int_opt(x, SOL_SOCKET, SO_TYPE));
    CHECK("udp SOCK_CLOEXEC", fcntl(x, F_GETFD));
    CHECK("udp sendto", sendto(y, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a));
    char buf[64] = {0};
    len = sizeof from;
    CHECK("udp recvfrom", recvfrom(x, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
    printf("%-44s %s %d\n", "udp got, from the sender", buf, from.sin_port == b.sin_port);
    CHECK("udp recvfrom nothing", recvfrom(x, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL));
    /* A datagram larger than the buffer: MSG_TRUNC says how long it was. */
    CHECK("udp connect", connect(y, (struct sockaddr *)&a, sizeof a));
    CHECK("udp send", send(y, "0123456789", 10, 0));
    CHECK("udp recv MSG_TRUNC", recv(x, buf, 4, MSG_TRUNC));
    /* recvmsg into two iovecs, with the sender's address. */
    CHECK("udp send again", send(y, "abcdef", 6, 0));
    char p1[3] = {0}, p2[8] = {0};
    struct iovec iov[2] = {{p1, 2}, {p2, 7}};
    struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = iov, .msg_iovlen = 2};
    CHECK("udp recvmsg", recvmsg(x, &m, 0));
    printf("%-44s %s %s %d %d\n", "udp recvmsg parts, namelen, flags", p1, p2, (int)m.msg_namelen,
           m.msg_flags);
    /* sendmmsg / recvmmsg. */
    struct mmsghdr mm[2];
    struct iovec out[2] = {{"one", 3}, {"two!", 4}};
    memset(mm, 0, sizeof mm);
    mm[0].msg_hdr.msg_iov = &out[0];
    mm[0].msg_hdr.msg_iovlen = 1;
    mm[1].msg_hdr.msg_iov = &out[1];
    mm[1].msg_hdr.msg_iovlen = 1;
    CHECK("udp sendmmsg", sendmmsg(y, mm, 2, 0));
    char r1[8] = {0}, r2[8] = {0};
    struct iovec in[2] = {{r1, 8}, {r2, 8}};
    memset(mm, 0, sizeof mm);
    mm[0].msg_hdr.msg_iov = &in[0];
    mm[0].msg_hdr.msg_iovlen = 1;
    mm[1].msg_hdr.msg_iov = &in[1];
    mm[1].msg_hdr.msg_iovlen = 1;
    CHECK("udp recvmmsg", recvmmsg(x, mm, 2, MSG_WAITFORONE, NULL));
    printf("%-44s %s %u %s %u\n", "udp recvmmsg got", r1, mm[0].msg_len, r2, mm[1].msg_len);
    close(x);
    close(y);
}

/* Unix stream sockets at `path`: listen, connect, accept, names, echo. */
static void unix_stream(const char *label, const char *path) {
    struct sockaddr_un a, got;
    char l1[80];
    socklen_t alen = unix_addr(&a, path), len;
    unlink(path);
    int l = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
    snprintf(l1, sizeof l1, "%s bind", label);
    CHECK(l1, bind(l, (struct sockaddr *)&a, alen));
    snprintf(l1, sizeof l1, "%s bind again", label);
    CHECK(l1, bind(l, (struct sockaddr *)&a, alen));
    struct stat st;
    snprintf(l1, sizeof l1, "%s stat is a socket", label);
    CHECK(l1, stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    snprintf(l1, sizeof l1, "%s open the socket file", label);
    CHECK(l1, open(path, O_RDONLY));
    int c = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
    snprintf(l1, sizeof l1, "%s connect before listen", label);
    CHECK(l1, connect(c, (struct sockaddr *)&a, alen));
    must(listen(l, 4), "unix listen");
    snprintf(l1, sizeof l1, "%s connect", label);
    CHECK(l1, connect(c, (struct sockaddr *)&a, alen));
    len = sizeof got;
    int s = accept4(l, (struct sockaddr *)&got, &len, SOCK_NONBLOCK);
    snprintf(l1, sizeof l1, "%s accept4 peer addrlen", label);
    CHECK(l1, s < 0 ? -1 : (long)len);
    snprintf(l1, sizeof l1, "%s accept4 SOCK_NONBLOCK", label);
    CHECK(l1, fcntl(s, F_GETFL) & O_NONBLOCK);
    len = sizeof got;
    must(getsockname(l, (struct sockaddr *)&got, &len), "getsockname");
    printf("%-44s %d %s\n", "  getsockname of the listener", (int)len - (int)alen,
           strcmp(got.sun_path, path) == 0 ? "same path" : got.sun_path);
    len = sizeof got;
    must(getpeername(c, (struct sockaddr *)&got, &len), "getpeername");
    printf("%-44s %s\n", "  getpeername of the client",
           strcmp(got.sun_path, path) == 0 ? "same path" : got.sun_path);
    len = alen; /* Linux wants no more room than the name takes */
    memset(&got, 0, sizeof got);
    must(getsockopt(c, SOL_SOCKET, SO_PEERNAME, &got, &len), "SO_PEERNAME");
    printf("%-44s %s\n", "  SO_PEERNAME of the client",
           strcmp(got.sun_path, path) == 0 ? "same path" : got.sun_path);
    len = sizeof got;
    must(getsockname(s, (struct sockaddr *)&got, &len), "getsockname");
    printf("%-44s %s\n", "  getsockname of the accepted",
           strcmp(got.sun_path, path) == 0 ? "same path" : got.sun_path);
    len = 4;
    must(getsockname(l, (struct sockaddr *)&got, &len), "getsockname short");
    printf("%-44s %d\n", "  getsockname, short buffer, full length", (int)len - (int)alen);
    char buf[32] = {0};
    CHECK("  send", send(c, "over unix", 9, 0));
    CHECK("  recv", recv(s, buf, sizeof buf, 0));
    printf("%-44s %s\n", "  got", buf);
    struct ucred cred;
    socklen_t clen = sizeof cred;
    must(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen), "SO_PEERCRED");
    printf("%-44s %d %d\n", "  SO_PEERCRED is this process, uid", cred.pid == getpid(),
           cred.uid == getuid());
    /* Through a symlink to the socket file. */
    char link[4200];
    snprintf(link, sizeof link, "%s.link", path);
    unlink(link);
    struct sockaddr_un via;
    socklen_t vialen = unix_addr(&via, link);
    int c2 = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
    snprintf(l1, sizeof l1, "%s connect via a symlink", label);
    CHECK(l1, symlink(path, link) == 0 ? connect(c2, (struct sockaddr *)&via, vialen) : -1);
    snprintf(l1, sizeof l1, "%s bind over the symlink", label);
    int b2 = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
    CHECK(l1, bind(b2, (struct sockaddr *)&via, vialen));
    close(b2);
    unlink(link);
    int s2 = accept(l, NULL, NULL);
    close(s2);
    close(c2);
    close(l);
    len = sizeof got;
    must(getsockname(s, (struct sockaddr *)&got, &len), "getsockname");
    printf("%-44s %s\n", "  listener closed: accepted's name",
           strcmp(got.sun_path, path) == 0 ? "same path" : got.sun_path);
    len = sizeof got;
    must(getpeername(c, (struct sockaddr *)&got, &len), "getpeername");
    printf("%-44s %s\n", "  listener closed: client's peer",
           strcmp(got.sun_path, path) == 0 ? "same path" : got.sun_path);
    close(s);
    close(c);
    snprintf(l1, sizeof l1, "%s stat after close", label);
    CHECK(l1, stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    c = must(socket(AF_UNIX, SOCK_STREAM, 0), "unix socket");
    snprintf(l1, sizeof l1, "%s connect after close", label);
    CHECK(l1, connect(c, (struct sockaddr *)&a, alen));
    snprintf(l1, sizeof l1, "%s unlink", label);
    CHECK(l1, unlink(path));
    snprintf(l1, sizeof l1, "%s connect after unlink", label);
    CHECK(l1, connect(c, (struct sockaddr *)&a, alen));
    close(c);
}

/* Unix datagrams at `path`, from a sender bound at `from_path`. */
static void unix_dgram(const char *label, const char *path, const char *from_path) {
    struct sockaddr_un a, b, got;
    char l1[80];
    socklen_t alen = unix_addr(&a, path), blen = unix_addr(&b, from_path), len;
    unlink(path);
    unlink(from_path);
    int r = must(socket(AF_UNIX, SOCK_DGRAM, 0), "dgram socket");
    int w = must(socket(AF_UNIX, SOCK_DGRAM, 0), "dgram socket");
    snprintf(l1, sizeof l1, "%s bind", label);
    CHECK(l1, bind(r, (struct sockaddr *)&a, alen));
    snprintf(l1, sizeof l1, "%s sendto (unbound sender)", label);
    CHECK(l1, sendto(w, "first", 5, 0, (struct sockaddr *)&a, alen));
    char buf[32] = {0};
    len = sizeof got;
    snprintf(l1, sizeof l1, "%s recvfrom", label);
    CHECK(l1, recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&got, &len));
    printf("%-44s %s %d\n", "  got, sender addrlen", buf, (int)len);
    snprintf(l1, sizeof l1, "%s bind the sender", label);
    CHECK(l1, bind(w, (struct sockaddr *)&b, blen));
    snprintf(l1, sizeof l1, "%s sendto (bound sender)", label);
    CHECK(l1, sendto(w, "second", 6, 0, (struct sockaddr *)&a, alen));
    len = sizeof got;
    memset(buf, 0, sizeof buf);
    CHECK("  recvfrom", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&got, &len));
    printf("%-44s %s %s\n", "  got, from", buf,
           strcmp(got.sun_path, from_path) == 0 ? "the sender's path" : got.sun_path);
    snprintf(l1, sizeof l1, "%s bind a taken path", label);
    int t = must(socket(AF_UNIX, SOCK_DGRAM, 0), "dgram socket");
    CHECK(l1, bind(t, (struct sockaddr *)&a, alen));
    snprintf(l1, sizeof l1, "%s sendto an unnamed address", label);
    CHECK(l1, sendto(t, "x", 1, 0, (struct sockaddr *)&got, 2));
    close(t);
    close(r);
    close(w);
    unlink(path);
    unlink(from_path);
}

static void abstract(void) {
    struct sockaddr_un a, got;
    char name[64];
    snprintf(name, sizeof name, "junction-test-%d", getpid());
    socklen_t alen = abstract_addr(&a, name), len = sizeof got;
    int l = must(socket(AF_UNIX, SOCK_SEQPACKET, 0), "seqpacket");
    CHECK("abstract bind", bind(l, (struct sockaddr *)&a, alen));
    must(listen(l, 2), "listen");
    must(getsockname(l, (struct sockaddr *)&got, &len), "getsockname");
    printf("%-44s %d %d\n", "abstract getsockname length, name", len == alen,
           memcmp(got.sun_path, a.sun_path, alen - 2) == 0);
    int c = must(socket(AF_UNIX, SOCK_SEQPACKET, 0), "seqpacket");
    CHECK("abstract connect", connect(c, (struct sockaddr *)&a, alen));
    int s = accept(l, NULL, NULL);
    CHECK("seqpacket send 1", send(c, "abc", 3, 0));
    CHECK("seqpacket send 2", send(c, "de", 2, 0));
    char buf[16];
    CHECK("seqpacket recv keeps boundaries", recv(s, buf, sizeof buf, 0));
    CHECK("seqpacket recv 2", recv(s, buf, sizeof buf, 0));
    close(s);
    close(c);
    close(l);
    int u = must(socket(AF_UNIX, SOCK_DGRAM, 0), "dgram");
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    CHECK("autobind (unnamed address)", bind(u, (struct sockaddr *)&un, sizeof(sa_family_t)));
    len = sizeof got;
    must(getsockname(u, (struct sockaddr *)&got, &len), "getsockname");
    printf("%-44s %d %d\n", "autobind: abstract, 5 hex digits", got.sun_path[0] == 0,
           (int)len - 3);
    close(u);
}

static void pairs(const char *dir) {
    int sv[2];
    CHECK("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK("socketpair write", write(sv[0], "to one", 6));
    char buf[64] = {0};
    CHECK("socketpair read", read(sv[1], buf, sizeof buf));
    printf("%-44s %s\n", "socketpair got", buf);
    struct iovec iov[2] = {{"vec", 3}, {"tored", 5}};
    CHECK("socketpair writev", writev(sv[1], iov, 2));
    memset(buf, 0, sizeof buf);
    CHECK("socketpair readv", readv(sv[0], (struct iovec[]){{buf, 4}, {buf + 4, 10}}, 2));
    printf("%-44s %s\n", "socketpair readv got", buf);
    int dg[2];
    CHECK("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, dg));
    CHECK("dgram writev is one datagram", writev(dg[0], iov, 2));
    CHECK("dgram send another", send(dg[0], "next", 4, 0));
    memset(buf, 0, sizeof buf);
    CHECK("dgram readv across iovecs", readv(dg[1], (struct iovec[]){{buf, 4}, {buf + 4, 10}}, 2));
    printf("%-44s %s\n", "dgram readv got", buf);
    memset(buf, 0, sizeof buf);
    CHECK("dgram the next datagram", read(dg[1], buf, sizeof buf));
    printf("%-44s %s\n", "dgram next got", buf);
    static struct iovec many[1025];
    CHECK("dgram readv too many iovecs", readv(dg[1], many, 1025));
    close(dg[0]);
    close(dg[1]);
    struct stat st;
    CHECK("socketpair fstat S_ISSOCK", fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode));
    CHECK("socketpair F_SETFL O_NONBLOCK", fcntl(sv[0], F_SETFL, O_NONBLOCK));
    CHECK("socketpair read empty", read(sv[0], buf, sizeof buf));
    int off = 0;
    CHECK("socketpair FIONBIO off", ioctl(sv[0], FIONBIO, &off));
    CHECK("socketpair F_GETFL O_NONBLOCK", fcntl(sv[0], F_GETFL) & O_NONBLOCK);

    /* SCM_RIGHTS: pass a file, read through the received fd. */
    char path[4200];
    snprintf(path, sizeof path, "%s/passed.txt", dir);
    int f = must(open(path, O_CREAT | O_TRUNC | O_RDWR, 0644), "open");
    must(write(f, "through a passed fd\n", 20), "write");
    lseek(f, 0, SEEK_SET);
    char cbuf[CMSG_SPACE(sizeof(int) * 2)];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec one = {"F", 1};
    struct msghdr m = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = CMSG_SPACE(sizeof(int) * 2)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * 2);
    int fds[2] = {f, sv[0]};
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    CHECK("SCM_RIGHTS sendmsg (file, socket)", sendmsg(sv[0], &m, 0));
    close(f);
    char rbuf[CMSG_SPACE(sizeof(int) * 2)];
    char byte = 0;
    struct iovec rio = {&byte, 1};
    struct msghdr r = {.msg_iov = &rio, .msg_iovlen = 1, .msg_control = rbuf,
                       .msg_controllen = sizeof rbuf};
    CHECK("SCM_RIGHTS recvmsg", recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC));
    c = CMSG_FIRSTHDR(&r);
    printf("%-44s %c %d %d %d %d\n", "SCM_RIGHTS data, level, type, count, flags", byte,
           c ? c->cmsg_level : -1, c ? c->cmsg_type : -1,
           c ? (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)) : -1, r.msg_flags);
    int got[2] = {-1, -1};
    if (c) memcpy(got, CMSG_DATA(c), sizeof got);
    CHECK("received fd MSG_CMSG_CLOEXEC", fcntl(got[0], F_GETFD));
    memset(buf, 0, sizeof buf);
    CHECK("read through the received fd", read(got[0], buf, sizeof buf));
    printf("%-44s %s", "received file says", buf);
    CHECK("received socket is a socket", fstat(got[1], &st) == 0 && S_ISSOCK(st.st_mode));
    CHECK("received socket SO_TYPE", int_opt(got[1], SOL_SOCKET, SO_TYPE));
    CHECK("write to the received socket", write(got[1], "via copy", 8));
    memset(buf, 0, sizeof buf);
    CHECK("read its peer", read(sv[1], buf, sizeof buf));
    close(got[0]);
    close(got[1]);
    /* A control buffer too small for the fds: MSG_CTRUNC. */
    f = must(open(path, O_RDONLY), "open");
    m.msg_controllen = CMSG_SPACE(sizeof(int) * 2);
    fds[0] = f;
    fds[1] = f;
    c = CMSG_FIRSTHDR(&m);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    CHECK("SCM_RIGHTS sendmsg two", sendmsg(sv[0], &m, 0));
    r.msg_controllen = CMSG_LEN(sizeof(int));
    CHECK("recvmsg, room for one fd", recvmsg(sv[1], &r, 0));
    printf("%-44s %d\n", "MSG_CTRUNC", (r.msg_flags & MSG_CTRUNC) != 0);
    c = CMSG_FIRSTHDR(&r);
    if (c) {
        memcpy(got, CMSG_DATA(c), sizeof(int));
        CHECK("the one fd received is open", fcntl(got[0], F_GETFD));
        close(got[0]);
    }
    CHECK("sendmsg SCM_RIGHTS bad fd", ({
              fds[0] = 999;
              c = CMSG_FIRSTHDR(&m);
              c->cmsg_len = CMSG_LEN(sizeof(int));
              m.msg_controllen = CMSG_SPACE(sizeof(int));
              memcpy(CMSG_DATA(c), fds, sizeof(int));
              sendmsg(sv[0], &m, 0);
          }));
    CHECK("sendmsg bad msghdr", sendmsg(sv[0], (struct msghdr *)8, 0));
    CHECK("sendmsg bad iovec", sendmsg(sv[0], &(struct msghdr){.msg_iov = (void *)8, .msg_iovlen = 1}, 0));

    /* sendfile from a file into the socket. */
    off_t at = 8;
    CHECK("sendfile with an offset", sendfile(sv[0], f, &at, 100));
    CHECK("sendfile offset after", at);
    memset(buf, 0, sizeof buf);
    CHECK("sendfile arrived", read(sv[1], buf, sizeof buf));
    printf("%-44s %s", "sendfile data", buf);
    CHECK("sendfile from the file offset", sendfile(sv[0], f, NULL, 7));
    CHECK("file offset after", lseek(f, 0, SEEK_CUR));
    CHECK("sendfile into a pipe", ({
              int p[2];
              pipe(p);
              long n = sendfile(p[1], f, NULL, 100);
              close(p[0]);
              close(p[1]);
              n;
          }));
    close(f);

    /* sendfile from a tmpfs file (a kernel-owned source). */
    char tpath[64];
    snprintf(tpath, sizeof tpath, "/tmp/junction-sendfile-%d", getpid());
    int t = must(open(tpath, O_CREAT | O_TRUNC | O_RDWR, 0600), "open /tmp");
    must(write(t, "from the tmpfs\n", 15), "write");
    at = 5;
    CHECK("sendfile from /tmp", sendfile(sv[0], t, &at, 64));
    memset(buf, 0, sizeof buf);
    CHECK("sendfile from /tmp arrived", read(sv[1], buf, sizeof buf));
    printf("%-44s %s", "sendfile from /tmp data", buf);
    close(t);
    unlink(tpath);

    /* SCM_CREDENTIALS: this process's pid, uid and gid, as the receiver sees them. */
    int on = 1;
    CHECK("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    struct ucred cred = {getpid(), getuid(), getgid()};
    char credbuf[CMSG_SPACE(sizeof cred)];
    memset(credbuf, 0, sizeof credbuf);
    struct msghdr cm = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = credbuf,
                        .msg_controllen = sizeof credbuf};
    c = CMSG_FIRSTHDR(&cm);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof cred);
    memcpy(CMSG_DATA(c), &cred, sizeof cred);
    CHECK("sendmsg SCM_CREDENTIALS", sendmsg(sv[0], &cm, 0));
    memset(credbuf, 0, sizeof credbuf);
    r.msg_control = credbuf;
    r.msg_controllen = sizeof credbuf;
    CHECK("recvmsg SCM_CREDENTIALS", recvmsg(sv[1], &r, 0));
    c = CMSG_FIRSTHDR(&r);
    struct ucred seen = {0, 0, 0};
    if (c && c->cmsg_type == SCM_CREDENTIALS) memcpy(&seen, CMSG_DATA(c), sizeof seen);
    printf("%-44s %d %d %d\n", "credentials: our pid, uid, gid", seen.pid == getpid(),
           seen.uid == getuid(), seen.gid == getgid());
    cred.pid = 0x3fffffff; /* above any pid_max: no such process */
    c = CMSG_FIRSTHDR(&cm);
    memcpy(CMSG_DATA(c), &cred, sizeof cred);
    CHECK("sendmsg SCM_CREDENTIALS, another pid", sendmsg(sv[0], &cm, 0));

    /* EPIPE: the peer is gone. */
    close(sv[1]);
    CHECK("send to a closed peer MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
    signal(SIGPIPE, SIG_IGN);
    CHECK("write to a closed peer (SIGPIPE ignored)", write(sv[0], "x", 1));
    close(sv[0]);
    CHECK("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    CHECK("socket of an unknown family", socket(200, SOCK_STREAM, 0));
    CHECK("socket bad type flags", socket(AF_INET, SOCK_STREAM | 0x100000, 0));
    int p[2];
    pipe(p);
    struct sockaddr_un un;
    socklen_t len = sizeof un;
    CHECK("getsockname of a pipe", getsockname(p[0], (struct sockaddr *)&un, &len));
    CHECK("getsockname bad fd", getsockname(999, (struct sockaddr *)&un, &len));
    close(p[0]);
    close(p[1]);
}

/* splice and tee between pipes, files and sockets. */
static void splices(const char *dir) {
    char path[4200], buf[64];
    snprintf(path, sizeof path, "%s/splice.txt", dir);
    int f = must(open(path, O_CREAT | O_TRUNC | O_RDWR, 0644), "open");
    must(write(f, "0123456789abcdef", 16), "write");
    int p[2], q[2], sv[2];
    must(pipe(p), "pipe");
    must(pipe(q), "pipe");
    must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
    loff_t off = 4;
    CHECK("splice file -> pipe at an offset", splice(f, &off, p[1], NULL, 6, 0));
    CHECK("  offset after", off);
    CHECK("  file offset unchanged", lseek(f, 0, SEEK_CUR));
    CHECK("tee pipe -> pipe", tee(p[0], q[1], 100, 0));
    CHECK("splice pipe -> socket", splice(p[0], NULL, sv[0], NULL, 100, 0));
    memset(buf, 0, sizeof buf);
    CHECK("  socket got", read(sv[1], buf, sizeof buf));
    printf("%-44s %s\n", "  data", buf);
    memset(buf, 0, sizeof buf);
    CHECK("the tee copy is still there", read(q[0], buf, sizeof buf));
    printf("%-44s %s\n", "  data", buf);
    CHECK("socket write", write(sv[1], "from a socket", 13));
    CHECK("splice socket -> pipe", splice(sv[0], NULL, p[1], NULL, 64, 0));
    off = 100;
    CHECK("splice pipe -> file at an offset", splice(p[0], NULL, f, &off, 5, 0));
    CHECK("  offset after", off);
    CHECK("  the rest stays in the pipe", splice(p[0], NULL, f, NULL, 64, 0));
    CHECK("  file offset after", lseek(f, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    CHECK("pread what went to the file", pread(f, buf, 5, 100));
    printf("%-44s %s\n", "  data", buf);
    CHECK("splice empty pipe, SPLICE_F_NONBLOCK", splice(p[0], NULL, sv[0], NULL, 8, SPLICE_F_NONBLOCK));
    CHECK("splice file -> file", splice(f, NULL, f, NULL, 8, 0));
    off = 0;
    CHECK("splice pipe with an offset", splice(p[0], &off, sv[0], NULL, 8, 0));
    CHECK("splice a pipe into itself", splice(p[0], NULL, p[1], NULL, 8, 0));
    CHECK("splice bad flags", splice(p[0], NULL, sv[0], NULL, 8, 0x100));
    CHECK("splice length 0", splice(p[0], NULL, sv[0], NULL, 0, 0));
    CHECK("tee from a file", tee(f, q[1], 8, 0));
    CHECK("splice from a write end", splice(p[1], NULL, sv[0], NULL, 8, 0));
    close(p[1]);
    CHECK("splice from a pipe at EOF", splice(p[0], NULL, sv[0], NULL, 8, 0));
    close(p[0]);
    close(q[0]);
    CHECK("splice into a pipe nobody reads", splice(f, &off, q[1], NULL, 8, 0));
    close(q[1]);
    close(sv[0]);
    close(sv[1]);
    close(f);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = ((const struct epoll_event *)a)->data.u64;
    uint64_t y = ((const struct epoll_event *)b)->data.u64;
    return (x > y) - (x < y);
}

/* epoll over a listening socket, a connected socket, a pipe and an eventfd. */
static void mixed_epoll(void) {
    struct sockaddr_in addr;
    int l = tcp_listener(&addr);
    int p[2];
    pipe(p);
    int e = eventfd(0, EFD_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
    CHECK("epoll add listener", epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
    ev.data.u64 = 2;
    CHECK("epoll add pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.data.u64 = 3;
    ev.events = EPOLLIN | EPOLLET;
    CHECK("epoll add eventfd (ET)", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
    struct epoll_event out[8];
    CHECK("epoll idle", epoll_wait(ep, out, 8, 0));
    CHECK("epoll idle 50 ms", epoll_wait(ep, out, 8, 50));
    int c = must(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), "socket");
    connect(c, (struct sockaddr *)&addr, sizeof addr);
    CHECK("epoll wakes for the connection", epoll_wait(ep, out, 8, 2000));
    printf("%-44s %lu %u\n", "  which", (unsigned long)out[0].data.u64, out[0].events);
    write(p[1], "x", 1);
    uint64_t one = 1;
    write(e, &one, 8);
    int n = epoll_wait(ep, out, 8, 0);
    qsort(out, n > 0 ? n : 0, sizeof out[0], cmp_u64);
    printf("%-44s %d:", "epoll all three", n);
    for (int i = 0; i < n; i++) printf(" %lu/%u", (unsigned long)out[i].data.u64, out[i].events);
    printf("\n");
    n = epoll_wait(ep, out, 8, 0);
    qsort(out, n > 0 ? n : 0, sizeof out[0], cmp_u64);
    printf("%-44s %d:", "epoll again (eventfd is edge-triggered)", n);
    for (int i = 0; i < n; i++) printf(" %lu", (unsigned long)out[i].data.u64);
    printf("\n");
    int s = accept(l, NULL, NULL);
    char b;
    read(p[0], &b, 1);
    CHECK("epoll after accept and read", epoll_wait(ep, out, 8, 0));
    /* A connected socket, edge-triggered: one report per arrival. */
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 4;
    CHECK("epoll add accepted (ET)", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    CHECK("epoll accepted idle", epoll_wait(ep, out, 8, 0));
    send(c, "hi", 2, 0);
    CHECK("epoll accepted readable", epoll_wait(ep, out, 8, 1000));
    printf("%-44s %lu %u\n", "  which", (unsigned long)out[0].data.u64, out[0].events);
    CHECK("epoll accepted, edge consumed", epoll_wait(ep, out, 8, 0));
    char data[64];
    CHECK("recv what came (drains it)", recv(s, data, sizeof data, 0));
    send(c, "more", 4, 0);
    CHECK("epoll new data after the drain", epoll_wait(ep, out, 8, 1000));
    CHECK("recv it", recv(s, data, sizeof data, 0));
    CHECK("epoll drained again", epoll_wait(ep, out, 8, 0));
    send(c, "again", 5, 0);
    CHECK("recv part of the next", recv(s, data, 2, 0));
    CHECK("recv the rest", recv(s, data, 3, 0));
    send(c, "last", 4, 0);
    /* The kernel does not see the host's wake-ups: data that comes while the socket is
     * still readable, with no drain seen, is no new edge (docs/design/sockets.md). A read
     * that ends on EAGAIN is a drain. */
    CHECK("recv until EAGAIN", recv(s, data, 4, 0) + recv(s, data, 4, MSG_DONTWAIT));
    send(c, "after EAGAIN", 12, 0);
    CHECK("epoll after EAGAIN and new data", epoll_wait(ep, out, 8, 1000));
    CHECK("recv it", recv(s, data, sizeof data, 0));
    close(c);
    CHECK("epoll peer closed", epoll_wait(ep, out, 8, 1000));
    printf("%-44s %lu %u\n", "  which", (unsigned long)out[0].data.u64, out[0].events);
    /* select over a socket and a pipe. */
    fd_set r;
    FD_ZERO(&r);
    FD_SET(s, &r);
    FD_SET(p[0], &r);
    struct timeval tv = {1, 0};
    CHECK("select socket + pipe", select((s > p[0] ? s : p[0]) + 1, &r, NULL, NULL, &tv));
    printf("%-44s %d %d\n", "  socket, pipe", FD_ISSET(s, &r) != 0, FD_ISSET(p[0], &r) != 0);
    close(s);
    close(l);
    close(p[0]);
    close(p[1]);
    close(e);
    close(ep);
}

static int isolate(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "/tmp/%s", name);
    struct sockaddr_un a;
    socklen_t alen = unix_addr(&a, path);
    int s = must(socket(AF_UNIX, SOCK_STREAM, 0), "socket");
    must(bind(s, (struct sockaddr *)&a, alen), "bind path");
    must(listen(s, 4), "listen");
    alen = abstract_addr(&a, name);
    int t = must(socket(AF_UNIX, SOCK_STREAM, 0), "socket");
    must(bind(t, (struct sockaddr *)&a, alen), "bind abstract");
    must(listen(t, 4), "listen");
    printf("bound\n");
    fflush(stdout);
    char line[16];
    if (read(0, line, sizeof line) < 0) die("read");
    /* Anyone who reached us is waiting in the backlog. */
    int reached = 0;
    fcntl(s, F_SETFL, O_NONBLOCK);
    fcntl(t, F_SETFL, O_NONBLOCK);
    while (accept(s, NULL, NULL) >= 0) reached++;
    while (accept(t, NULL, NULL) >= 0) reached++;
    printf("reached %d\n", reached);
    unlink(path);
    return 0;
}

/* Accepts one connection on DIR/hangup.sock, watches it edge-triggered for input and
 * output, and after the first edge (left unread, still writable) waits for the peer's
 * hang-up, which the test makes later: a wait with both bits on must still end on it. */
static int hangup(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/hangup.sock", dir);
    unlink(path);
    struct sockaddr_un a;
    socklen_t alen = unix_addr(&a, path);
    int l = must(socket(AF_UNIX, SOCK_STREAM, 0), "socket");
    must(bind(l, (struct sockaddr *)&a, alen), "bind");
    must(listen(l, 1), "listen");
    printf("ready\n");
    int s = must(accept(l, NULL, NULL), "accept");
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET}, out[4];
    must(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), "epoll_ctl");
    CHECK("first edge", epoll_wait(ep, out, 4, 3000));
    long long t0 = now_ms();
    CHECK("the hang-up", epoll_wait(ep, out, 4, 5000));
    printf("%-44s %d %d\n", "HUP, long before the timeout", (out[0].events & EPOLLHUP) != 0,
           now_ms() - t0 < 3000);
    unlink(path);
    return 0;
}

/* Sends the read end of a pipe over a socketpair; prints what sendmsg and recv said. */
static int pass_pipe(void) {
    int sv[2], p[2];
    must(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), "socketpair");
    must(pipe(p), "pipe");
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec one = {"P", 1};
    struct msghdr m = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[0], sizeof(int));
    CHECK("sendmsg SCM_RIGHTS of a pipe", sendmsg(sv[0], &m, 0));
    char b;
    CHECK("the peer got", recv(sv[1], &b, 1, 0));
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 2 && strcmp(argv[1], "pass-pipe") == 0) return pass_pipe();
    if (argc == 3 && strcmp(argv[1], "hangup") == 0) return hangup(argv[2]);
    if (argc == 3 && strcmp(argv[1], "isolate") == 0) return isolate(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: sockets DIR | sockets isolate NAME\n");
        return 2;
    }
    char path[4200], from[4200];
    tcp();
    timeouts();
    udp();
    snprintf(path, sizeof path, "%s/stream.sock", argv[1]);
    unix_stream("unix stream (root dir)", path);
    snprintf(path, sizeof path, "/tmp/junction-sockets-%d.sock", getpid());
    unix_stream("unix stream (/tmp)", path);
    snprintf(path, sizeof path, "%s/dgram.sock", argv[1]);
    snprintf(from, sizeof from, "%s/from.sock", argv[1]);
    unix_dgram("unix dgram (root dir)", path, from);
    snprintf(path, sizeof path, "/tmp/junction-sockets-%d.dgram", getpid());
    snprintf(from, sizeof from, "/tmp/junction-sockets-%d.from", getpid());
    unix_dgram("unix dgram (/tmp)", path, from);
    abstract();
    pairs(argv[1]);
    splices(argv[1]);
    mixed_epoll();
    return 0;
}
