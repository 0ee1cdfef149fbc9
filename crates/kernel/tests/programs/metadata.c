/* File metadata calls: symlinks, hard links, chmod, chown, utimensat/utimes/utime and
 * truncate, with their errors. Prints one line per check; the test runs it natively and
 * under junction-kernel and compares the output, so nothing printed may depend on where
 * it runs (no inode numbers, no times but the ones it sets, no directory sizes).
 *
 *   metadata DIR    works in a fresh directory made below DIR (removed at the end)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

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

static const char *kind(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return "file";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "link";
    case S_IFCHR: return "chr";
    default: return "other";
    }
}

/* Type, permission bits, and for non-directories size and link count. */
static void show(const char *label, const char *path, int follow) {
    struct stat st;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0) {
        printf("%-44s -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    if (S_ISDIR(st.st_mode))
        printf("%-44s %s %04o\n", label, kind(st.st_mode), st.st_mode & 07777);
    else
        printf("%-44s %s %04o size=%lld nlink=%lu\n", label, kind(st.st_mode),
               st.st_mode & 07777, (long long)st.st_size, (unsigned long)st.st_nlink);
}

static void show_times(const char *label, const char *path, int follow) {
    struct stat st;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0) {
        printf("%-44s -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    printf("%-44s atime=%lld.%09ld mtime=%lld.%09ld\n", label, (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void show_link(const char *label, const char *path, size_t size) {
    char buf[256];
    ssize_t n = readlink(path, buf, size);
    if (n < 0)
        printf("%-44s -1 %s\n", label, strerrorname_np(errno));
    else
        printf("%-44s %.*s\n", label, (int)n, buf);
}

static void show_text(const char *label, const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%-44s -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%-44s %zd %s\n", label, n, buf);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        perror(path);
        exit(2);
    }
    close(fd);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory with their d_type, sorted. */
static void listing(const char *label, const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("%-44s -1 %s\n", label, strerrorname_np(errno));
        return;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        const char *t = e->d_type == DT_LNK ? "l" : e->d_type == DT_DIR ? "d" : e->d_type == DT_REG ? "f" : "?";
        if (asprintf(&names[n], "%s:%s", e->d_name, t) < 0) exit(2);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    printf("%-44s", label);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

/* Whether a call moves the file's ctime (after a pause longer than any clock tick). */
static void ctime_moves(const char *label, const char *path, int (*call)(const char *)) {
    struct stat before, after;
    lstat(path, &before);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    int r = call(path);
    lstat(path, &after);
    int moved = after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
                (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
                 after.st_ctim.tv_nsec > before.st_ctim.tv_nsec);
    printf("%-44s %d moved=%d\n", label, r, moved);
}

static int do_chmod(const char *p) { return chmod(p, 0640); }
static int do_chown(const char *p) { return chown(p, -1, -1); }
static int do_touch(const char *p) { return utimensat(AT_FDCWD, p, NULL, 0); }
static int do_truncate(const char *p) { return truncate(p, 4); }
static int do_link(const char *p) { return link(p, "ctime-link"); }

static void symlinks(void) {
    write_file("f", "hello world");
    CHECK("symlink f s", symlink("f", "s"));
    show("lstat s", "s", 0);
    show("stat s", "s", 1);
    show_link("readlink s", "s", 255);
    show_link("readlink f", "f", 255);
    show_link("readlink missing", "missing-name", 255);
    CHECK("symlink again: exists", symlink("f", "s"));
    CHECK("symlink empty target", symlink("", "e"));
    CHECK("symlink over a file", symlink("x", "f"));
    CHECK("symlink in a missing dir", symlink("x", "nodir/x"));
    CHECK("open s O_NOFOLLOW", open("s", O_RDONLY | O_NOFOLLOW));
    int fd;
    struct stat st;
    CHECK("open s O_PATH|O_NOFOLLOW", (fd = open("s", O_PATH | O_NOFOLLOW)) >= 0 ? 0 : -1);
    CHECK("fstat of it is a link", fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK("fchownat it AT_EMPTY_PATH", fchownat(fd, "", -1, -1, AT_EMPTY_PATH));
    close(fd);
    CHECK("open s O_DIRECTORY|O_NOFOLLOW", open("s", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    show_text("read through s", "s");
    CHECK("stat s/x: not a directory", stat("s/x", &st));

    /* A dangling link: O_CREAT makes its target; O_EXCL does not follow it. */
    CHECK("symlink dangling d", symlink("made", "d"));
    show("stat d", "d", 1);
    show("lstat d", "d", 0);
    CHECK("open d O_CREAT|O_EXCL", open("d", O_WRONLY | O_CREAT | O_EXCL, 0600));
    CHECK("open d O_CREAT", (fd = open("d", O_WRONLY | O_CREAT, 0600)) >= 0 ? 0 : -1);
    CHECK("write through d", write(fd, "made", 4));
    close(fd);
    show("stat made", "made", 1);

    /* Directories through links: intermediate components, dirfds, cwd. */
    CHECK("mkdir dir", mkdir("dir", 0755));
    CHECK("symlink dir ds", symlink("dir", "ds"));
    show_link("readlink ds (2 bytes)", "ds", 2);
    CHECK("symlink ds ds2", symlink("ds", "ds2"));
    write_file("ds2/inner", "inner");
    show("stat dir/inner", "dir/inner", 1);
    CHECK("mkdir ds/sub", mkdir("ds/sub", 0700));
    CHECK("rename ds/sub ds2/sub2", rename("ds/sub", "ds2/sub2"));
    CHECK("rmdir ds/sub2", rmdir("ds/sub2"));
    CHECK("symlink ../f dir/up", symlink("../f", "dir/up"));
    show("stat dir/up", "dir/up", 1);
    CHECK("symlink /usr abs", symlink("/usr", "abs"));
    show("stat abs/bin (a root directory)", "abs/bin", 1);
    CHECK("symlink /proc/self pself", symlink("/proc/self", "pself"));
    show("stat pself/fd", "pself/fd", 1);
    listing("listing ds", "ds");
    int dfd;
    CHECK("open ds O_DIRECTORY", (dfd = open("ds", O_RDONLY | O_DIRECTORY)) >= 0 ? 0 : -1);
    CHECK("symlinkat dfd lnk", symlinkat("inner", dfd, "lnk"));
    char buf[64] = {0};
    CHECK("readlinkat dfd lnk", readlinkat(dfd, "lnk", buf, sizeof buf));
    printf("%-44s %s\n", "  text", buf);
    CHECK("linkat dfd inner inner2", linkat(dfd, "inner", dfd, "inner2", 0));
    CHECK("fstatat dfd lnk NOFOLLOW is a link", fstatat(dfd, "lnk", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
    CHECK("fstatat dfd lnk follows", fstatat(dfd, "lnk", &st, 0) == 0 && S_ISREG(st.st_mode));
    close(dfd);
    char cwd[4096];
    CHECK("chdir ds2", chdir("ds2"));
    const char *name = getcwd(cwd, sizeof cwd) ? strrchr(cwd, '/') + 1 : "?";
    printf("%-44s %s\n", "getcwd ends in", name);
    CHECK("chdir ..", chdir(".."));
    show("stat f (back in the base)", "f", 1);
    CHECK("rmdir ds: a link", rmdir("ds"));
    CHECK("unlink ds2", unlink("ds2"));
    show("stat dir after unlinking a link", "dir", 1);

    /* Loops and Linux's limit of 40 links per lookup. */
    CHECK("symlink loop1 loop2", symlink("loop1", "loop2"));
    CHECK("symlink loop2 loop1", symlink("loop2", "loop1"));
    show("stat loop1", "loop1", 1);
    show("lstat loop1", "loop1", 0);
    CHECK("open loop1 O_CREAT", open("loop1", O_WRONLY | O_CREAT, 0600));
    CHECK("symlink self self", symlink("self", "self"));
    show("stat self/x", "self/x", 1);
    CHECK("mkdir chain", mkdir("chain", 0755));
    char from[32], to[32];
    for (int i = 0; i <= 40; i++) {
        snprintf(from, sizeof from, i == 0 ? "../f" : "c%d", i - 1);
        snprintf(to, sizeof to, "chain/c%d", i);
        if (symlink(from, to) < 0) perror(to);
    }
    show("stat chain/c39 (40 links)", "chain/c39", 1);
    show("stat chain/c40 (41 links)", "chain/c40", 1);

    CHECK("rename s s-renamed", rename("s", "s-renamed"));
    show_link("readlink s-renamed", "s-renamed", 255);
    CHECK("unlink s-renamed", unlink("s-renamed"));
    show("stat f after unlinking its link", "f", 1);
}

static void hard_links(void) {
    write_file("h", "shared");
    CHECK("link h h2", link("h", "h2"));
    show("stat h", "h", 1);
    struct stat a, b;
    stat("h", &a);
    stat("h2", &b);
    CHECK("same inode", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    int fd = open("h2", O_WRONLY | O_APPEND);
    CHECK("append through h2", write(fd, "+more", 5));
    close(fd);
    show_text("read h", "h");
    CHECK("rename h h2: same inode, no-op", rename("h", "h2"));
    show("stat h after the no-op rename", "h", 1);
    CHECK("unlink h", unlink("h"));
    show("stat h2", "h2", 1);
    show_text("read h2", "h2");
    CHECK("link h2 h2: exists", link("h2", "h2"));
    CHECK("link missing x", link("missing", "x"));
    CHECK("link h2 into a missing dir", link("h2", "nodir/x"));
    CHECK("link dir: a directory", link("dir", "dir-link"));
    CHECK("symlink h2 hs", symlink("h2", "hs"));
    CHECK("link hs hl (the link itself)", link("hs", "hl"));
    show("lstat hl", "hl", 0);
    show("lstat hs", "hs", 0);
    CHECK("linkat hs hf FOLLOW", linkat(AT_FDCWD, "hs", AT_FDCWD, "hf", AT_SYMLINK_FOLLOW));
    show("lstat hf", "hf", 0);
    CHECK("linkat bad flags", linkat(AT_FDCWD, "h2", AT_FDCWD, "hb", 0x8));
    CHECK("link /dev/null: another mount", link("/dev/null", "nul"));
    CHECK("link /proc/self/status", link("/proc/self/status", "ps"));
    CHECK("link h2 /proc/x", link("h2", "/proc/x"));
    CHECK("symlink x /proc/x", symlink("x", "/proc/x"));
    CHECK("symlink x /proc/self/x", symlink("x", "/proc/self/x"));

    /* An O_TMPFILE file gets its name through /proc/self/fd (no capability needed). */
    CHECK("open O_TMPFILE", (fd = open(".", O_TMPFILE | O_RDWR, 0600)) >= 0 ? 0 : -1);
    CHECK("write it", write(fd, "anonymous", 9));
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    CHECK("linkat /proc/self/fd/N FOLLOW", linkat(AT_FDCWD, proc, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
    show("stat named", "named", 1);
    show_text("read named", "named");
    close(fd);
    fd = open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    CHECK("linkat O_TMPFILE|O_EXCL", linkat(AT_FDCWD, proc, AT_FDCWD, "named2", AT_SYMLINK_FOLLOW));
    close(fd);
    ctime_moves("link moves ctime", "h2", do_link);
    show("stat h2 after another link", "h2", 1);
}

static void modes(void) {
    write_file("m", "mode");
    umask(077);
    CHECK("chmod m 0666 (no umask)", chmod("m", 0666));
    show("stat m", "m", 1);
    CHECK("chmod m 0751", chmod("m", 0751));
    show("stat m", "m", 1);
    CHECK("chmod m 0104755 (type bits ignored)", chmod("m", 0104755));
    show("stat m", "m", 1);
    umask(022);
    CHECK("symlink m ml", symlink("m", "ml"));
    CHECK("chmod ml 0600 (follows)", chmod("ml", 0600));
    show("stat m", "m", 1);
    show("lstat ml", "ml", 0);
    CHECK("fchmodat2 ml NOFOLLOW", syscall(SYS_fchmodat2, AT_FDCWD, "ml", 0600, AT_SYMLINK_NOFOLLOW));
    CHECK("fchmodat2 m NOFOLLOW", syscall(SYS_fchmodat2, AT_FDCWD, "m", 0640, AT_SYMLINK_NOFOLLOW));
    CHECK("fchmodat2 bad flags", syscall(SYS_fchmodat2, AT_FDCWD, "m", 0640, 0x4));
    CHECK("fchmodat (4th argument ignored)", syscall(SYS_fchmodat, AT_FDCWD, "m", 0644, 0x4));
    show("stat m", "m", 1);
    int fd = open("m", O_RDONLY);
    CHECK("fchmod fd 0600", fchmod(fd, 0600));
    close(fd);
    show("stat m", "m", 1);
    fd = open("m", O_PATH);
    CHECK("fchmod O_PATH fd", fchmod(fd, 0644));
    CHECK("fchmodat2 O_PATH fd AT_EMPTY_PATH", syscall(SYS_fchmodat2, fd, "", 0644, AT_EMPTY_PATH));
    close(fd);
    show("stat m", "m", 1);
    CHECK("chmod dir 0700", chmod("dir", 0700));
    show("stat dir", "dir", 1);
    CHECK("chmod dir 0755", chmod("dir", 0755));
    CHECK("chmod missing", chmod("missing", 0644));
    CHECK("chmod through a file", chmod("m/x", 0644));
    CHECK("chmod bad pointer", chmod((const char *)8, 0644));
    CHECK("chmod /proc/self/status", chmod("/proc/self/status", 0644));
    CHECK("fchmod bad fd", fchmod(999, 0644));
    ctime_moves("chmod moves ctime", "m", do_chmod);
}

static void owners(void) {
    write_file("o", "owner");
    uid_t uid = getuid();
    gid_t gid = getgid();
    struct stat st;
    CHECK("chown o -1 -1", chown("o", -1, -1));
    CHECK("chown o to itself", chown("o", uid, gid));
    stat("o", &st);
    CHECK("owner is the caller", st.st_uid == uid && st.st_gid == gid);
    CHECK("symlink o ol", symlink("o", "ol"));
    CHECK("lchown ol", lchown("ol", uid, gid));
    CHECK("fchownat ol NOFOLLOW", fchownat(AT_FDCWD, "ol", -1, gid, AT_SYMLINK_NOFOLLOW));
    CHECK("fchownat bad flags", fchownat(AT_FDCWD, "o", -1, -1, 0x2));
    int fd = open("o", O_RDONLY);
    CHECK("fchown fd", fchown(fd, -1, gid));
    close(fd);
    fd = open("o", O_PATH);
    CHECK("fchown O_PATH fd", fchown(fd, -1, -1));
    CHECK("fchownat O_PATH fd AT_EMPTY_PATH", fchownat(fd, "", uid, -1, AT_EMPTY_PATH));
    close(fd);
    CHECK("chown missing", chown("missing", -1, -1));
    /* Root may give a file away; anyone else gets EPERM, natively and in the instance. */
    CHECK("chown o 1234 5678", chown("o", 1234, 5678));
    stat("o", &st);
    printf("%-44s %d\n", "owner given away", st.st_uid == 1234 && st.st_gid == 5678);
    CHECK("chown o back", chown("o", uid, gid));
    CHECK("chmod o 06755", chmod("o", 06755));
    CHECK("chown o -1 -1 again", chown("o", -1, -1));
    show("stat o: set-id bits dropped", "o", 1);
    CHECK("chown /proc/self/status -1 -1", chown("/proc/self/status", -1, -1));
    ctime_moves("chown moves ctime", "o", do_chown);
}

static void times(void) {
    write_file("t", "times");
    struct timespec ts[2] = {{1000, 5}, {2000, 6}};
    CHECK("utimensat t", utimensat(AT_FDCWD, "t", ts, 0));
    show_times("times of t", "t", 1);
    struct timespec omit_a[2] = {{0, UTIME_OMIT}, {3000, 7}};
    CHECK("utimensat t atime omitted", utimensat(AT_FDCWD, "t", omit_a, 0));
    show_times("times of t", "t", 1);
    struct timespec both_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    CHECK("utimensat missing, both omitted", utimensat(AT_FDCWD, "missing", both_omit, 0));
    struct timespec bad[2] = {{1, 1000000000}, {1, 0}};
    CHECK("utimensat bad nsec", utimensat(AT_FDCWD, "t", bad, 0));
    CHECK("utimensat bad flags", utimensat(AT_FDCWD, "t", ts, 0x4));
    CHECK("utimensat missing", utimensat(AT_FDCWD, "missing", ts, 0));
    CHECK("utimensat bad times pointer", utimensat(AT_FDCWD, "t", (struct timespec *)8, 0));
    CHECK("utimensat AT_FDCWD NULL path", syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0));
    time_t before = time(NULL);
    struct timespec now_m[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    CHECK("utimensat t mtime now", utimensat(AT_FDCWD, "t", now_m, 0));
    struct stat st;
    stat("t", &st);
    printf("%-44s atime=%lld mtime_is_now=%d\n", "times of t", (long long)st.st_atim.tv_sec,
           st.st_mtim.tv_sec >= before - 1 && st.st_mtim.tv_sec <= before + 5);
    CHECK("symlink t tl", symlink("t", "tl"));
    struct timespec link_ts[2] = {{4000, 0}, {5000, 0}};
    CHECK("utimensat tl NOFOLLOW", utimensat(AT_FDCWD, "tl", link_ts, AT_SYMLINK_NOFOLLOW));
    show_times("times of tl (the link)", "tl", 0);
    CHECK("utimensat tl (follows)", utimensat(AT_FDCWD, "tl", ts, 0));
    show_times("times of t", "t", 1);
    int fd = open("t", O_RDONLY);
    struct timespec fd_ts[2] = {{6000, 1}, {7000, 2}};
    CHECK("futimens fd", futimens(fd, fd_ts));
    CHECK("utimensat fd NULL path with flags", syscall(SYS_utimensat, fd, NULL, fd_ts, AT_SYMLINK_NOFOLLOW));
    close(fd);
    show_times("times of t", "t", 1);
    fd = open("t", O_PATH);
    CHECK("futimens O_PATH fd", futimens(fd, fd_ts));
    struct timespec path_ts[2] = {{8000, 3}, {9000, 4}};
    CHECK("utimensat O_PATH fd AT_EMPTY_PATH", utimensat(fd, "", path_ts, AT_EMPTY_PATH));
    close(fd);
    show_times("times of t", "t", 1);
    struct timeval tv[2] = {{100, 5}, {200, 6}};
    CHECK("utimes t", utimes("t", tv));
    show_times("times of t", "t", 1);
    struct timeval bad_tv[2] = {{100, 1000000}, {200, 6}};
    CHECK("utimes bad usec", utimes("t", bad_tv));
    struct timeval at_tv[2] = {{300, 7}, {400, 8}};
    CHECK("futimesat", syscall(SYS_futimesat, AT_FDCWD, "t", at_tv));
    show_times("times of t", "t", 1);
    struct utimbuf ub = {500, 600};
    CHECK("utime t", utime("t", &ub));
    show_times("times of t", "t", 1);
    CHECK("utime t NULL", utime("t", NULL));
    stat("t", &st);
    printf("%-44s %d\n", "utime NULL sets now", st.st_mtim.tv_sec >= before - 1);
    ctime_moves("utimensat moves ctime", "t", do_touch);
}

static void truncation(void) {
    write_file("r", "0123456789");
    CHECK("truncate r 4", truncate("r", 4));
    show("stat r", "r", 1);
    show_text("read r", "r");
    CHECK("truncate r 8 (grows with zeros)", truncate("r", 8));
    show("stat r", "r", 1);
    CHECK("symlink r rl", symlink("r", "rl"));
    CHECK("truncate rl 2 (follows)", truncate("rl", 2));
    show("stat r", "r", 1);
    chmod("r", 0444);
    CHECK("truncate read-only r (root may)", truncate("r", 1) == 0 ? (long)(getuid() == 0) : -1);
    chmod("r", 0644);
    CHECK("truncate dir", truncate("dir", 0));
    CHECK("truncate negative", truncate("r", -1));
    CHECK("truncate missing", truncate("missing", 0));
    CHECK("truncate /dev/null", truncate("/dev/null", 0));
    CHECK("truncate /proc", truncate("/proc", 0));
    ctime_moves("truncate moves ctime", "r", do_truncate);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: metadata DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    char base[4096];
    snprintf(base, sizeof base, "%s/junction-meta-XXXXXX", argv[1]);
    if (!mkdtemp(base) || chdir(base) < 0) {
        perror(base);
        return 2;
    }
    symlinks();
    hard_links();
    modes();
    owners();
    times();
    truncation();
    listing("listing of the base", ".");
    if (chdir("/") < 0) return 2;
    /* Removed with the calls under test: unlink and rmdir, children first. */
    DIR *d = opendir(base);
    struct dirent *e;
    int dirfd_ = open(base, O_RDONLY | O_DIRECTORY);
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(dirfd_, e->d_name, 0) < 0 && errno == EISDIR) {
            int sub = openat(dirfd_, e->d_name, O_RDONLY | O_DIRECTORY);
            DIR *sd = fdopendir(sub);
            struct dirent *se;
            while ((se = readdir(sd)))
                if (se->d_name[0] != '.') unlinkat(sub, se->d_name, 0);
            closedir(sd);
            unlinkat(dirfd_, e->d_name, AT_REMOVEDIR);
        }
    }
    closedir(d);
    close(dirfd_);
    CHECK("rmdir base", rmdir(base));
    return 0;
}
