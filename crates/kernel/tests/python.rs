//! Debian's python3 (a non-PIE executable with dynamic extension modules), natively and under
//! the kernel. `python3` on PATH may be a pyenv shim (a shell script), so the path is fixed.

mod common;

use common::{ready, Fixture, Matrix, Run, FRUIT};

const PYTHON: &str = "/usr/bin/python3";

/// Pure-Python and C-extension modules of the standard library that start no process.
const STDLIB: &str = r#"
import abc, argparse, array, ast, asyncio, base64, binascii, bisect, bz2, calendar, cmath
import codecs, collections, colorsys, configparser, contextlib, copy, csv, ctypes, dataclasses
import datetime, decimal, difflib, email, enum, errno, fnmatch, fractions, functools, gettext
import glob, gzip, hashlib, heapq, hmac, html, http.client, inspect, io, ipaddress, itertools
import json, locale, logging, lzma, math, mmap, numbers, operator, os, pathlib, pickle
import pprint, queue, random, re, secrets, select, selectors, shlex, shutil, signal, socket
import sqlite3, ssl, statistics, string, struct, subprocess, tarfile, tempfile, textwrap
import threading, time, tokenize, traceback, typing, unicodedata, unittest, urllib.parse
import uuid, weakref, xml.etree.ElementTree, zipfile, zlib
import sys
print(len(sys.modules) > 100, sqlite3.sqlite_version, ssl.OPENSSL_VERSION.split()[0])
"#;

const COMPUTE: &str = r#"
import json, re, hashlib, zlib, decimal, fractions, statistics, struct, base64, datetime
import collections, itertools, unicodedata
doc = {'name': 'é-π', 'n': [1, 2.5, None, True], 'nested': {'z': 1, 'a': [{}]}}
text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
print(text, json.loads(text) == doc, json.dumps(doc, indent=2)[:40])
print(re.findall(r'(\w)(\d+)', 'a1b22c333'), re.sub(r'(?i)P(EA)R', r'<\1>', 'pear PEAR'))
print(re.split(r'[,;]\s*', 'a, b;c'), bool(re.fullmatch(r'[\w.]+@\w+\.org', 'x.y@z.org')))
data = b'junction' * 1000
for name in ('md5', 'sha1', 'sha256', 'sha512', 'sha3_256', 'blake2b'):
    print(name, hashlib.new(name, data).hexdigest())
print(hashlib.pbkdf2_hmac('sha256', b'pw', b'salt', 1000).hex())
packed = zlib.compress(data, 9)
print(len(packed), zlib.crc32(data), zlib.adler32(data), zlib.decompress(packed) == data)
decimal.getcontext().prec = 40
print(decimal.Decimal(1) / decimal.Decimal(7), decimal.Decimal('2').sqrt())
print(decimal.Decimal('1.005').quantize(decimal.Decimal('0.01'), rounding=decimal.ROUND_HALF_UP))
print(fractions.Fraction(3, 9) + fractions.Fraction(1, 6), statistics.median([5, 1, 4, 2]))
print(struct.pack('<iHd', -2, 7, 1.5).hex(), base64.b64encode(data[:20]).decode())
utc = datetime.timezone.utc
print(datetime.datetime.fromtimestamp(1700000000, utc).isoformat(), datetime.date(2024, 2, 29).weekday())
print(collections.Counter('mississippi').most_common(2), list(itertools.permutations('abc', 2))[:3])
print(unicodedata.name('é'), sorted({3: 'c', 1: 'a'}.items()), 2 ** 100, 10 ** 20 // 7)
"#;

const SQLITE: &str = r#"
import sqlite3
c = sqlite3.connect(':memory:')
c.execute('create table t (id integer primary key, name text, score real)')
c.executemany('insert into t (name, score) values (?, ?)', [(f'n{i}', i * 1.5) for i in range(500)])
c.execute('create index t_score on t (score)')
print(c.execute('select count(*), sum(score), max(name) from t').fetchone())
print(c.execute('select name from t where score between 30 and 33 order by score desc').fetchall())
with c:
    c.execute('update t set score = score * 2 where id % 2 = 0')
try:
    with c:
        c.execute('insert into t (name) values (?)', ('x',))
        raise RuntimeError('roll back')
except RuntimeError:
    pass
print(c.execute('select count(*), round(avg(score), 3) from t').fetchone())
print(c.execute("select json_object('a', 1, 'b', json_array(1, 2))").fetchone())
print(c.execute('with recursive f(n, v) as (select 1, 1 union all select n + 1, v * (n + 1) from f where n < 15) select max(v) from f').fetchone())
try:
    c.execute('select * from missing')
except sqlite3.OperationalError as e:
    print('error:', e)
"#;

/// Writes and reads files in a fresh directory below argv[1]; prints only what does not
/// depend on where that is.
const FILES: &str = r#"
import os, sys, json, shutil, tempfile, hashlib, pathlib, glob, sqlite3
base = tempfile.mkdtemp(prefix='junction-py-', dir=sys.argv[1])
path = lambda *p: os.path.join(base, *p)
with open(path('a.txt'), 'w') as f:
    for i in range(2000):
        f.write(f'line {i}\n')
with open(path('a.txt'), 'a') as f:
    f.write('tail\n')
with open(path('a.txt'), 'r+b') as f:
    f.seek(5)
    f.write(b'X')
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(-5, os.SEEK_END)
    print(size, f.read())
text = open(path('a.txt')).read()
print(len(text.splitlines()), hashlib.sha256(text.encode()).hexdigest())
os.makedirs(path('sub', 'deeper'))
shutil.copyfile(path('a.txt'), path('sub', 'b.txt'))
os.rename(path('sub', 'b.txt'), path('sub', 'c.txt'))
os.replace(path('sub', 'c.txt'), path('sub', 'deeper', 'd.txt'))
fd, name = tempfile.mkstemp(dir=base, suffix='.json')
with os.fdopen(fd, 'w') as f:
    json.dump({'k': list(range(5)), 's': 'é'}, f)
print(json.load(open(name)))
os.remove(name)
try:
    open(path('a.txt'), 'x')
except FileExistsError as e:
    print('exists:', e.errno)
with open(path('bin'), 'wb') as f:
    f.write(bytes(range(256)) * 64)
    f.flush()
    os.fsync(f.fileno())
    f.truncate(1000)
print(os.stat(path('bin')).st_size, open(path('bin'), 'rb').read()[250:260])
pathlib.Path(path('p.txt')).write_text('pathlib\n')
print(pathlib.Path(path('p.txt')).read_text().strip(), pathlib.Path(path('sub')).is_dir())
print(sorted(os.path.relpath(p, base) for p in glob.glob(path('**', '*'), recursive=True)))
print(sorted((os.path.relpath(d, base), sorted(fs)) for d, _, fs in os.walk(base)))
# A directory's size is the file system's own (4096 on ext4, 20 per entry on tmpfs).
print(sorted((e.name, e.is_dir(), None if e.is_dir() else e.stat().st_size) for e in os.scandir(base)))
db = sqlite3.connect(path('data.db'))
db.execute('create table kv (k text primary key, v integer)')
with db:
    db.executemany('insert into kv values (?, ?)', [(str(i), i * i) for i in range(100)])
db.close()
print(sqlite3.connect(path('data.db')).execute('select sum(v) from kv').fetchone())
with tempfile.TemporaryDirectory(dir=base) as t:
    open(os.path.join(t, 'x'), 'w').write('x')
    print(os.listdir(t))
print(os.path.exists(t))
shutil.rmtree(path('sub'))
os.unlink(path('p.txt'))
print(sorted(os.listdir(base)))
shutil.rmtree(base)
print(os.path.exists(base))
"#;

/// File metadata calls: links, modes, times, truncate by name.
const METADATA: &str = r#"
import os, sys, shutil, tempfile
base = tempfile.mkdtemp(prefix='junction-py-', dir=sys.argv[1])
p = lambda n: os.path.join(base, n)
open(p('f'), 'w').write('x' * 100)
os.symlink('f', p('s'))
os.link(p('f'), p('h'))
print(os.readlink(p('s')), os.stat(p('h')).st_nlink)
os.chmod(p('f'), 0o640)
os.truncate(p('f'), 10)
os.utime(p('f'), (1700000000, 1700000001))
st = os.stat(p('f'))
print(oct(st.st_mode), st.st_size, st.st_atime, st.st_mtime)
shutil.copy2(p('f'), p('c'))
st = os.stat(p('c'))
print(st.st_size, oct(st.st_mode), st.st_mtime)
shutil.copytree(base, base + '.copy', symlinks=True)
print(sorted(os.listdir(base + '.copy')))
shutil.rmtree(base + '.copy')
shutil.rmtree(base)
"#;

fn fixture(name: &str) -> Fixture {
    let f = Fixture::new(name);
    f.file("fruit.txt", FRUIT);
    f.file("files.py", FILES);
    f.file("metadata.py", METADATA);
    f
}

fn py(code: &str) -> Run {
    Run::new(PYTHON).args(["-c", code])
}

#[test]
fn stdlib_and_computation() {
    if !ready(&[PYTHON]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(py(STDLIB));
    m.check(py("import json, re, hashlib, zlib, decimal\nprint(json.dumps({'h': hashlib.sha256(b'x').hexdigest(), 'z': len(zlib.compress(b'a'*1000)), 'd': str(decimal.Decimal(1)/7), 'r': re.findall(r'\\d+', 'a1b22c333')}))"));
    m.check(py(COMPUTE));
    m.check(py(SQLITE));
    m.check(Run::new(PYTHON).args(["-m", "calendar", "2024", "2"]));
    m.check(
        Run::new(PYTHON)
            .args(["-m", "json.tool", "--sort-keys"])
            .stdin(r#"{"b": [1, {"c": null}], "a": "é"}"#),
    );
    m.finish();
}

#[test]
fn stdio_and_exit() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-stdio");
    let mut m = Matrix::new();
    let count = "import sys, hashlib\nd = sys.stdin.buffer.read()\nprint(len(d), hashlib.md5(d).hexdigest())";
    m.check(py(count).stdin(FRUIT.repeat(20_000)));
    m.check(py(count).stdin_file(f.path("fruit.txt")));
    m.check(py("for line in open('fruit.txt'):\n    print(line.rstrip()[::-1])").cwd(&f.root));
    m.check(py(
        "import sys\nsys.stdout.write('y' * 3_000_000)\nsys.stderr.write('e' * 100_000)",
    ));
    m.check(py("print('partial', end='', flush=True)\nraise SystemExit(7)").status(7));
    m.check(py("def f():\n    1 / 0\nf()").status(1));
    m.check(py("open('/nonexistent/x')").status(1));
    m.check(py("import os\nos._exit(3)").status(3));
    let root = f.root.to_string_lossy().into_owned();
    m.check(
        py("import os\nprint(os.getcwd() == os.environ['ROOT'], sorted(os.listdir('.')))")
            .cwd(&f.root)
            .env(&[("ROOT", &root)]),
    );
    m.finish();
}

#[test]
fn writes_files_in_a_writable_directory() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-files");
    f.dir("rw");
    let mut m = Matrix::new();
    m.check(
        Run::new(PYTHON)
            .args(["files.py", "rw"])
            .cwd(&f.root)
            .kernel_options(["--rw", &f.arg("rw")]),
    );
    m.finish();
}

// The same script under /tmp, as functions use it: the instance's /tmp is a tmpfs of its own.
#[test]
fn writes_files_under_tmp() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-tmp");
    let mut m = Matrix::new();
    m.check(Run::new(PYTHON).args(["files.py", "/tmp"]).cwd(&f.root));
    m.finish();
}

// symlink, link, chmod, utimensat and truncate in a --rw directory (forwarded to the host);
// shutil.copy2/copytree copy modes and times with chmod/utimensat, a symlink's without
// following it.
#[test]
fn file_metadata_calls() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-metadata");
    f.dir("rw");
    let mut m = Matrix::new();
    m.check(
        Run::new(PYTHON)
            .args(["metadata.py", "rw"])
            .cwd(&f.root)
            .kernel_options(["--rw", &f.arg("rw")]),
    );
    m.finish();
}

/// CPU-time clocks: the vDSO has no answer for them and makes a real syscall.
#[test]
fn cpu_time_clocks() {
    if !ready(&[PYTHON]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(py("import time\nsum(range(100000))\nprint(time.process_time() > 0, time.thread_time() > 0)\nprint(time.clock_getres(time.CLOCK_PROCESS_CPUTIME_ID), time.clock_getres(time.CLOCK_THREAD_CPUTIME_ID))\nprint(time.clock_getres(time.CLOCK_MONOTONIC), time.clock_gettime(time.CLOCK_MONOTONIC) > 0)"));
    m.check(py("import timeit\nprint(timeit.timeit('1 + 1', number=1000, timer=__import__('time').process_time) >= 0)"));
    m.finish();
}

/// Seeking a file's data and holes (SEEK_DATA/SEEK_HOLE), seeking what cannot seek, and
/// the devices whose lseek succeeds without moving.
#[test]
fn seeking() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-seek");
    let mut m = Matrix::new();
    let code = r#"
import os, errno
def show(name, call):
    try:
        print(name, call())
    except OSError as e:
        print(name, errno.errorcode[e.errno])
fd = os.open('fruit.txt', os.O_RDONLY)
size = os.fstat(fd).st_size
show('data 0', lambda: os.lseek(fd, 0, os.SEEK_DATA))
show('hole 0', lambda: os.lseek(fd, 0, os.SEEK_HOLE) == size)
show('tell after hole', lambda: os.lseek(fd, 0, os.SEEK_CUR) == size)
show('data 5', lambda: os.lseek(fd, 5, os.SEEK_DATA))
show('data at end', lambda: os.lseek(fd, size, os.SEEK_DATA))
show('hole past end', lambda: os.lseek(fd, size + 10, os.SEEK_HOLE))
show('data negative', lambda: os.lseek(fd, -1, os.SEEK_DATA))
show('bad whence', lambda: os.lseek(fd, 0, 9))
show('end', lambda: os.lseek(fd, -3, os.SEEK_END) == size - 3)
show('read', lambda: os.read(fd, 10))
r, w = os.pipe()
show('pipe data', lambda: os.lseek(r, 0, os.SEEK_DATA))
show('pipe set', lambda: os.lseek(r, 0, os.SEEK_SET))
show('pipe pread', lambda: os.pread(r, 1, 0))
d = os.open('.', os.O_RDONLY | os.O_DIRECTORY)
show('dir set', lambda: os.lseek(d, 0, os.SEEK_SET))
for dev in ('/dev/null', '/dev/zero', '/dev/full', '/dev/urandom'):
    fd = os.open(dev, os.O_RDWR)
    show(dev, lambda: [os.lseek(fd, 5, w) for w in range(5)])
    show(dev + ' pread', lambda: len(os.pread(fd, 4, 100)))
with open('/dev/null', 'a') as f:
    print('append tell', f.tell(), f.write('x'), f.seekable())
"#;
    m.check(py(code).cwd(&f.root));
    m.finish();
}

// Errors Linux gives where the lexical path folding could hide them: "file/" is ENOTDIR,
// opening a directory for writing is EISDIR before EROFS, readlink of a non-symlink is
// EINVAL (the host's readlinkat(fd, "") says ENOENT). F_GETFL shows O_LARGEFILE on every
// file open() made: Linux forces it on 64-bit. In the read-only root, the errors an open
// that might write meets before EROFS.
#[test]
fn path_errors() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-path-errors");
    let code = r#"
import os, errno, fcntl
def show(name, call):
    try:
        print(name, call())
    except OSError as e:
        print(name, errno.errorcode[e.errno])
show('stat file/', lambda: os.stat('fruit.txt/').st_size)
show('open file/', lambda: os.open('fruit.txt/', os.O_RDONLY))
show('open dir for writing', lambda: os.open('.', os.O_WRONLY))
show('readlink file', lambda: os.readlink('fruit.txt'))
show('readlink dir', lambda: os.readlink('.'))
show('F_GETFL', lambda: oct(fcntl.fcntl(os.open('fruit.txt', os.O_RDONLY), fcntl.F_GETFL)))
show('F_GETFL O_PATH', lambda: oct(fcntl.fcntl(os.open('.', os.O_PATH | os.O_RDWR), fcntl.F_GETFL)))
for name, flags in (('create existing', os.O_CREAT), ('exclusive', os.O_CREAT | os.O_EXCL),
                    ('nofollow', os.O_WRONLY | os.O_NOFOLLOW), ('truncate dir', os.O_TRUNC)):
    path = {'nofollow': 'link', 'truncate dir': '.'}.get(name, 'fruit.txt')
    show(name, lambda: os.close(os.open(path, flags)))
"#;
    f.symlink("fruit.txt", "link");
    let mut m = Matrix::new();
    m.check(py(code).cwd(&f.root));
    m.finish();
}

/// Names ending in `/`, `.` or `..` in a writable directory (argv[1], or a fresh one under
/// /tmp). Linux looks them up as directories and refuses the ones that cannot be. (`file/..`
/// is left out: `..` is folded lexically, see docs/compat.md.)
const ENDINGS: &str = r#"
import errno, os, stat, sys, tempfile
d = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
os.chdir(d)
def show(name, call):
    try:
        print(name, call())
    except OSError as e:
        print(name, errno.errorcode[e.errno])
isdir = lambda p, follow=True: stat.S_ISDIR((os.stat if follow else os.lstat)(p).st_mode)
show('mkdir sub/', lambda: os.mkdir('sub/'))
with open('file', 'w') as f:
    f.write('kept')
for p in ('sub/', 'sub/.', 'file/', 'file/.', 'missing/'):
    show('stat ' + p, lambda: isdir(p))
for p in ('file/', 'sub/.', 'missing/.'):
    show('mkdir ' + p, lambda: os.mkdir(p))
for p, flags in (('new/', os.O_CREAT | os.O_WRONLY), ('sub/', os.O_CREAT), ('.', os.O_CREAT),
                 ('file/', os.O_WRONLY | os.O_TRUNC), ('sub/', os.O_WRONLY), ('sub/', 0)):
    show('open %s %o' % (p, flags), lambda: os.close(os.open(p, flags)))
for p in ('file/', 'sub/', 'missing/', 'sub/.', 'sub/..'):
    show('unlink ' + p, lambda: os.unlink(p))
for p in ('file/', 'sub/.', 'sub/..', 'missing/'):
    show('rmdir ' + p, lambda: os.rmdir(p))
for a, b in (('sub/.', 'x'), ('sub', 'x/.'), ('file/', 'x'), ('file', 'x/'), ('sub/', 'x/')):
    show('rename %s %s' % (a, b), lambda: os.rename(a, b))
show('rename back', lambda: os.rename('x', 'sub'))
for p in ('file/', 'sub/'):
    show('chdir ' + p, lambda: os.chdir(p) or os.chdir('..'))
    show('readlink ' + p, lambda: os.readlink(p))
if os.path.lexists('link'):
    show('lstat link/', lambda: isdir('link/', follow=False))
    for call in (os.readlink, os.unlink, os.rmdir):
        show(call.__name__ + ' link/', lambda: call('link/'))
print(open('file').read(), sorted(os.listdir('.')))
show('rmdir sub/', lambda: os.rmdir('sub/'))
if len(sys.argv) == 1:
    for name in os.listdir('.'):
        os.unlink(name)
    os.rmdir(d)
"#;

#[test]
fn names_ending_in_slash_or_dot() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = Fixture::new("python-endings");
    f.dir("rw/sub-target");
    f.symlink("sub-target", "rw/link");
    let mut m = Matrix::new();
    m.check(
        py(ENDINGS)
            .args(["rw"])
            .cwd(&f.root)
            .kernel_options(["--rw", &f.arg("rw")]),
    );
    // The same in the tmpfs, without the symlink.
    m.check(py(ENDINGS).cwd(&f.root));
    m.finish();
}

// statx through libc (Python has no os.statx): host files report the host's birth time and
// mask; flags and masks Linux refuses are EINVAL; a trailing slash follows the link.
const STATX: &str = r#"
import ctypes, errno, os, stat
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(256)
field = lambda at, size: int.from_bytes(buf.raw[at:at + size], 'little')
def show(name, dirfd, path, flags, mask=0x7ff | 0x800):
    if libc.statx(dirfd, path, flags, mask, buf) < 0:
        print(name, errno.errorcode[ctypes.get_errno()])
    else:
        mode = field(28, 2)
        host = not stat.S_ISFIFO(mode)
        print(name, stat.filemode(mode), host and hex(field(0, 4)), host and field(80, 8) > 0)
CWD, EMPTY, NOFOLLOW, FORCE, DONT = -100, 0x1000, 0x100, 0x2000, 0x4000
fd = os.open('fruit.txt', os.O_RDONLY)
r, w = os.pipe()
show('file', CWD, b'fruit.txt', 0)
show('force sync', CWD, b'fruit.txt', FORCE)
show('fd', fd, b'', EMPTY)
show('fd NULL', fd, None, EMPTY)
show('cwd', CWD, b'', EMPTY)
show('pipe', r, b'', EMPTY)
show('link', CWD, b'link', NOFOLLOW)
show('link/', CWD, b'link/', NOFOLLOW)
show('file/', CWD, b'fruit.txt/', 0)
show('both syncs', CWD, b'fruit.txt', FORCE | DONT)
show('unknown flag', CWD, b'fruit.txt', 0x80000)
show('reserved mask', CWD, b'fruit.txt', 0, 0x80000000)
show('empty, no flag', fd, b'', 0)
"#;

#[test]
fn statx_from_the_host() {
    if !ready(&[PYTHON]) {
        return;
    }
    let f = fixture("python-statx");
    f.dir("dir");
    f.symlink("dir", "link");
    let mut m = Matrix::new();
    m.check(py(STATX).cwd(&f.root));
    m.finish();
}

// Process queries: resource.getrusage, os.getpriority/nice, os.getresuid/getresgid,
// os.getgroups, os.times, and signal.alarm(0) (cancelling: no timer is pending).
#[test]
fn process_queries() {
    if !ready(&[PYTHON]) {
        return;
    }
    let code = r#"
import os, resource, signal
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0)
print(os.getpriority(os.PRIO_PROCESS, 0), os.nice(0))
print(os.getresuid() == (os.getuid(),) * 3, os.getresgid() == (os.getgid(),) * 3)
print(os.getgroups() == os.getgroups())
print(signal.alarm(0))
t = os.times()
print(t.children_user, t.children_system, t.user >= 0, t.elapsed > 0)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
os.setpriority(os.PRIO_PROCESS, 0, 5)
print(os.getpriority(os.PRIO_PROCESS, os.getpid()), os.nice(2))
for which, who in ((os.PRIO_PROCESS, 1 << 30), (7, 0)):
    try:
        os.getpriority(which, who)
    except OSError as e:
        print(e.errno)
"#;
    let mut m = Matrix::new();
    m.check(py(code));
    m.finish();
}

/// threading: workers feeding a queue, a shared counter under a lock, an Event and a
/// thread pool.
const THREADING: &str = r#"
import threading, queue, concurrent.futures
q = queue.Queue()
lock = threading.Lock()
total = [0]
def work(n):
    for i in range(1000):
        with lock:
            total[0] += 1
    q.put((n, threading.get_ident() != main_ident))
main_ident = threading.get_ident()
ts = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(q.get() for _ in range(4)), total[0])
ev = threading.Event()
waiter = threading.Thread(target=lambda: print('event seen', ev.wait(5)))
waiter.start(); ev.set(); waiter.join()
with concurrent.futures.ThreadPoolExecutor(max_workers=3) as ex:
    print(list(ex.map(lambda x: x * x, range(10))))
print('native ids distinct', len({t.native_id for t in ts}) == 4)
print('active', threading.active_count())
"#;

/// /proc/self/task while three threads wait: one directory per thread, and each thread's
/// status and stat name it.
const PROC_TASK: &str = r#"
import os, threading
ev = threading.Event()
ts = [threading.Thread(target=ev.wait) for _ in range(3)]
for t in ts: t.start()
tids = sorted(int(x) for x in os.listdir('/proc/self/task'))
print(len(tids), tids[0] == os.getpid(), sorted(t.native_id for t in ts) == tids[1:])
for tid in tids:
    st = open(f'/proc/self/task/{tid}/status').read()
    print([l for l in st.splitlines() if l.startswith(('Pid:', 'Tgid:', 'Threads:'))] == [f'Tgid:\t{os.getpid()}', f'Pid:\t{tid}', 'Threads:\t4'])
    print(open(f'/proc/self/task/{tid}/stat').read().split()[0] == str(tid), open(f'/proc/self/task/{tid}/comm').read().strip())
ev.set()
for t in ts: t.join()
print(len(os.listdir('/proc/self/task')))
"#;

#[test]
fn threading() {
    if !ready(&[PYTHON]) {
        return;
    }
    let mut m = Matrix::new();
    m.check(py(THREADING));
    m.check(py(PROC_TASK));
    m.finish();
}
