//! perl, lua and the sqlite3 command line, natively and under the kernel.

mod common;

use std::path::{Path, PathBuf};

use common::{ready, scrambled_numbers, tree_summary, Fixture, Matrix, Run, FRUIT};

const PERL: &str = "/usr/bin/perl";
const LUA: &str = "/usr/bin/lua5.4";
const SQLITE: &str = "/usr/bin/sqlite3";

fn fixture(name: &str) -> Fixture {
    let f = Fixture::new(name);
    f.file("fruit.txt", FRUIT);
    f.file("numbers.txt", scrambled_numbers(20_000));
    f
}

/// A writable directory that starts empty before each run, and what it holds afterwards.
fn scratch(run: Run, f: &Fixture, name: &str) -> Run {
    let dir = f.path(name);
    let (reset, seen) = (dir.clone(), dir.clone());
    run.kernel_options(["--rw", &f.arg(name)])
        .reset(move || {
            let _ = std::fs::remove_dir_all(&reset);
            std::fs::create_dir_all(&reset).expect("scratch directory");
        })
        .observe(move || tree_summary(&seen))
}

#[test]
fn perl_one_liners() {
    if !ready(&[PERL]) {
        return;
    }
    let f = fixture("perl-one-liners");
    let mut m = Matrix::new();
    let perl = |code: &str| Run::new(PERL).args(["-e", code]).cwd(&f.root);
    m.check(perl(
        r#"my %h = (b => 2, a => 1, c => 3); printf "%s=%03d\n", $_, $h{$_} for sort keys %h;"#,
    ));
    m.check(perl(r#"my @m = "a1b22c333" =~ /(\d+)/g; print "@m\n"; (my $s = "Hello World") =~ s/(\w+)/\u\L$1/g; print "$s\n";"#));
    m.check(perl(r#"print join(",", map { $_ * $_ } grep { $_ % 3 } 1..20), "\n"; print scalar(reverse "abc"), " ", lc("ÀB"), " ", ucfirst("perl"), "\n";"#));
    m.check(perl(r#"printf "%.3f %e %x %o %b %5s|%-5s| %s\n", 3.14159, 12345.678, 255, 8, 5, "r", "l", join ":", split /,/, "a,b,,c";"#));
    m.check(perl(r#"my @a = sort { $b <=> $a } (10, 2, 33, 4); print "@a\n"; my $s = pack("NnC", 1, 2, 3); print length($s), " ", join(",", unpack("NnC", $s)), "\n";"#));
    m.check(perl(r#"(my $t = "hello") =~ tr/a-y/b-z/; print "$t\n"; my %c; $c{$_}++ for split //, "mississippi"; print join(" ", map {"$_$c{$_}"} sort keys %c), "\n";"#));
    m.check(perl(r#"my $n = 1; $n *= $_ for 1..20; print "$n\n"; use integer; print 7 / 2, " ", -7 % 3, "\n";"#));
    m.check(perl(r#"local $_ = "x=1;y=22;z=333"; my %kv = /(\w)=(\d+)/g; print join(",", map {"$_:$kv{$_}"} sort keys %kv), "\n";"#));
    m.finish();
}

#[test]
fn perl_reads_files_and_uses_modules() {
    if !ready(&[PERL]) {
        return;
    }
    let f = fixture("perl-files");
    let mut m = Matrix::new();
    let perl = || Run::new(PERL).cwd(&f.root);
    m.check(perl().args([
        "-ne",
        r#"chomp; $c{$_}++; END { print "$_ $c{$_}\n" for sort keys %c }"#,
        "fruit.txt",
    ]));
    m.check(perl().args([
        "-F,",
        "-lane",
        r#"$s += $F[1]; END { print "$s $." }"#,
        "fruit.txt",
    ]));
    m.check(
        perl()
            .args(["-0777", "-ne", r#"print length($_), " ", tr/\n//, "\n""#])
            .stdin_file(f.path("numbers.txt")),
    );
    m.check(perl().args(["-pe", "s/(\\d+)/<$1>/"]).stdin(FRUIT));
    m.check(perl().args(["-e", r#"open(my $fh, "<", "numbers.txt") or die; my ($n, $max) = (0, 0); while (<$fh>) { $n++; $max = $_ if $_ > $max } close $fh; print "$n $max"; print -s "numbers.txt", "\n";"#]));
    m.check(perl().args(["-e", r#"opendir(my $d, ".") or die; print join(" ", sort grep { !/^\./ } readdir $d), "\n"; print -d "." ? "dir\n" : "no\n"; print -e "missing" ? "yes\n" : "no\n";"#]));
    m.check(perl().args(["-MPOSIX=floor,strftime", "-MList::Util=sum,max,first", "-e", r#"print floor(3.7), " ", sum(1..100), " ", max(3, 9, 2), " ", first { $_ > 3 } (1..10); print "\n", strftime("%Y-%m-%d %H:%M:%S", gmtime(1700000000)), "\n";"#]));
    m.check(perl().args([
        "-MDigest::MD5=md5_hex",
        "-MDigest::SHA=sha256_hex",
        "-MMIME::Base64",
        "-e",
        r#"print md5_hex("x"), " ", sha256_hex("junction"), " ", encode_base64("junction");"#,
    ]));
    m.check(perl().args(["-MData::Dumper", "-MJSON::PP", "-e", r#"$Data::Dumper::Sortkeys = 1; $Data::Dumper::Indent = 1; my $v = {b => [1, 2], a => {c => undef}}; print Dumper($v); print JSON::PP->new->canonical->encode($v), "\n"; print JSON::PP->new->decode('{"x":[true,null,1.5]}')->{x}[2], "\n";"#]));
    m.check(perl().args(["-MTime::Local=timegm", "-MStorable=freeze,thaw", "-e", r#"print timegm(0, 0, 0, 29, 1, 2024), "\n"; my $t = thaw(freeze({k => [1..3]})); print "@{$t->{k}}\n";"#]));
    m.check(perl().args([
        "-e",
        r#"warn "careful\n"; print STDERR "to stderr\n"; print "to stdout\n";"#,
    ]));
    m.check(perl().args(["-e", r#"die "boom\n""#]).status(255));
    m.check(
        perl()
            .args([
                "-e",
                r#"open(my $f, "<", "/nonexistent") or die "open: $!\n""#,
            ])
            .status(2),
    );
    m.check(perl().args(["-e", "exit 3"]).status(3));
    m.check(perl().args(["-e", "print 1 +"]).status(255));
    m.finish();
}

#[test]
fn perl_writes_files() {
    if !ready(&[PERL]) {
        return;
    }
    let f = fixture("perl-writes");
    let mut m = Matrix::new();
    let code = r#"
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempfile);
use File::Copy qw(copy);
make_path("out/a/b");
open(my $o, ">", "out/data.txt") or die "write: $!";
print $o "line $_\n" for 1..500;
close $o;
open($o, ">>", "out/data.txt") or die; print $o "tail\n"; close $o;
open(my $i, "<", "out/data.txt") or die; my @lines = <$i>; close $i;
print scalar(@lines), " ", $lines[-1];
copy("out/data.txt", "out/a/copy.txt") or die "copy: $!";
rename("out/a/copy.txt", "out/a/b/moved.txt") or die "rename: $!";
my ($fh, $name) = tempfile(DIR => "out", SUFFIX => ".tmp");
print $fh "temp\n"; close $fh; unlink $name or die;
unlink "out/data.txt" or die;
print -s "out/a/b/moved.txt", "\n";
remove_tree("out/a/b/gone");
"#;
    m.check(scratch(
        Run::new(PERL).args(["-e", code]).cwd(&f.root),
        &f,
        "out",
    ));
    m.finish();
}

// perl -i renames the original with renameat(2) (which has no flags argument) and gives the
// new file the original's mode back with fchmod.
#[test]
fn perl_edits_in_place() {
    if !ready(&[PERL]) {
        return;
    }
    let f = fixture("perl-in-place");
    let dir = f.path("edit");
    let (reset, seen) = (dir.clone(), dir.clone());
    let mut m = Matrix::new();
    m.check(
        Run::new(PERL)
            .args(["-i.bak", "-pe", "s/pear/PEAR/", "edit/fruit.txt"])
            .cwd(&f.root)
            .kernel_options(["--rw", &f.arg("edit")])
            .reset(move || {
                let _ = std::fs::remove_dir_all(&reset);
                std::fs::create_dir_all(&reset).expect("edit directory");
                std::fs::write(reset.join("fruit.txt"), FRUIT).expect("input");
            })
            .observe(move || tree_summary(&seen)),
    );
    m.finish();
}

/// Lua 5.4 seeds its string hashes randomly: nothing here prints a `pairs` order.
#[test]
fn lua_scripts() {
    if !ready(&[LUA]) {
        return;
    }
    let f = fixture("lua-scripts");
    f.file(
        "compute.lua",
        r##"
local t = {}
for i = 1, 10 do t[#t + 1] = i * i end
print(table.concat(t, ","), #t, select("#", 1, 2, 3))
table.sort(t, function(a, b) return a > b end)
table.insert(t, 1, 0); table.remove(t)
print(table.concat(t, " "), table.unpack({1, 2, 3}))
print(string.format("%5.2f|%x|%q|%s|%-4d|", math.pi, 255, "a\nb", ("ab"):rep(3, "-"), 7))
print(("hello world"):gsub("o", "0"), ("Lua"):upper(), ("abc"):reverse(), ("abc"):byte(1, -1))
for k, v in ("a=1, b=22, c=333"):gmatch("(%w+)=(%w+)") do io.write(k, ":", v, ";") end
print(("x"):rep(3), ("  trim  "):match("^%s*(.-)%s*$"), ("a,b,,c"):find(",,", 1, true))
print(string.pack("<i4", 7):byte(1, -1))
print(math.type(1), math.type(1.0), math.maxinteger, 7 // 2, 7 / 2, 7 % -3, 2^53, math.tointeger(3.0))
local sieve, primes = {}, 0
for i = 2, 100000 do
  if not sieve[i] then primes = primes + 1; for j = i * i, 100000, i do sieve[j] = true end end
end
print(primes)
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(25))
local keys = {}
for k in pairs({zeta = 1, alpha = 2, mid = 3}) do keys[#keys + 1] = k end
table.sort(keys); print(table.concat(keys, " "))
print(os.date("!%Y-%m-%d %H:%M:%S", 1700000000), os.time({year = 2024, month = 2, day = 29, hour = 12}))
print(os.getenv("LUA_TEST_VAR"), os.getenv("NOT_SET"))
print(pcall(error, {code = 1}), select(2, pcall(error, "msg", 0)))
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
print(co(1), co(10))
print(os.clock() >= 0, type(os.time()))
"##,
    );
    f.file(
        "read.lua",
        r#"
local f = assert(io.open(arg[1]))
local n, len = 0, 0
for line in f:lines() do n = n + 1; len = len + #line end
f:close()
print(n, len)
local g = assert(io.open(arg[1], "rb"))
print(g:seek("end"), g:seek("set", 6), g:read(5), g:read("l"), g:read("n"))
g:close()
print(io.open("missing.txt"))
local count = 0
for line in io.lines(arg[1]) do if line:find("pear") then count = count + 1 end end
print(count)
"#,
    );
    let mut m = Matrix::new();
    let lua = || Run::new(LUA).cwd(&f.root);
    m.check(
        lua()
            .args(["compute.lua"])
            .env(&[("LUA_TEST_VAR", "set"), ("TZ", "UTC")]),
    );
    m.check(lua().args(["read.lua", "fruit.txt"]));
    m.check(lua().args(["read.lua", "numbers.txt"]));
    m.check(
        lua()
            .args([
                "-e",
                r#"local s = io.read("a"); print(#s, select(2, s:gsub("\n", "")))"#,
            ])
            .stdin_file(f.path("numbers.txt")),
    );
    m.check(lua().args(["-e", r#"print(io.read("n", "n", "l")); for l in io.lines() do io.write(l:upper(), "|") end print()"#]).stdin("12 3.5 rest\napple\npear\n"));
    m.check(lua().args(["-e", "error('boom')"]).status(1));
    m.check(lua().args(["-e", "os.exit(4)"]).status(4));
    m.check(lua().args(["-e", "local x = "]).status(1));
    m.check(lua().args(["missing.lua"]).status(1));
    m.finish();
}

#[test]
fn lua_writes_files() {
    if !ready(&[LUA]) {
        return;
    }
    let f = fixture("lua-writes");
    let code = r#"
local f = assert(io.open("out/a.txt", "w"))
for i = 1, 300 do f:write("line ", i, "\n") end
f:close()
f = assert(io.open("out/a.txt", "a")); f:write("tail\n"); f:close()
f = assert(io.open("out/a.txt", "r+")); f:seek("set", 5); f:write("X"); f:close()
local n = 0
for _ in io.lines("out/a.txt") do n = n + 1 end
print(n, io.open("out/a.txt"):read("l"))
assert(os.rename("out/a.txt", "out/b.txt"))
print(os.rename("out/missing", "out/c.txt"))
assert(io.open("out/d.txt", "w")):close()
print(os.remove("out/d.txt"), os.remove("out/d.txt"))
"#;
    let mut m = Matrix::new();
    m.check(scratch(
        Run::new(LUA).args(["-e", code]).cwd(&f.root),
        &f,
        "out",
    ));
    m.finish();
}

/// Makes a database with the native sqlite3, for the runs that only read it.
fn native_db(path: &Path, sql: &str) {
    let out = std::process::Command::new(SQLITE)
        .arg(path)
        .arg(sql)
        .output()
        .expect("native sqlite3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A table of 2000 rows and an index, for the read-only runs.
const SCHEMA: &str = "create table g (x); \
create table t (id integer primary key, name text, score real); create index t_name on t (name); \
insert into t (name, score) with recursive c(v) as (select 1 union all select v + 1 from c where v < 2000) \
select 'n' || v, v * 1.5 from c;";

#[test]
fn sqlite_cli() {
    if !ready(&[SQLITE]) {
        return;
    }
    let f = fixture("sqlite-cli");
    native_db(&f.path("ro.db"), SCHEMA);
    let mut m = Matrix::new();
    let sql = |args: &[&str]| Run::new(SQLITE).args(args).cwd(&f.root);
    let memory = "create table t (a integer primary key, b text); insert into t (b) values ('x'), ('y'), ('z'); \
                  select * from t; select group_concat(b, '-'), count(*) from t; select sqlite_version();";
    m.check(sql(&[":memory:", memory]));
    m.check(sql(&["-json", ":memory:", "with recursive c(x) as (select 1 union all select x + 1 from c where x < 100) select sum(x), avg(x), total(x) from c;"]));
    m.check(sql(&[
        "-csv",
        "-header",
        ":memory:",
        "select 1 as a, 'two, quoted' as b, null as c, 2.5 as d;",
    ]));
    m.check(sql(&[
        "-line",
        ":memory:",
        "select json_object('a', 1, 'b', json_array(1, 2)) as j, printf('%08.3f', 3.14159) as p;",
    ]));
    m.check(sql(&["-box", ":memory:", "select date('2024-02-29', '+1 day') as d, strftime('%s', '2023-11-14 22:13:20') as s, upper('é') as u;"]));
    m.check(sql(&[
        ":memory:",
        "select sqrt(16), pi(), length(zeroblob(1000)), typeof(1e308 * 10);",
    ]));
    m.check(sql(&[":memory:"]).stdin(".headers on\n.mode column\ncreate table k (v);\ninsert into k values (1), (2);\nselect v, v * v as sq from k;\n.tables\n.schema\n"));
    m.check(sql(&[":memory:", "select * from missing;"]).status(1));
    m.check(
        sql(&["-bail", ":memory:"])
            .stdin("select 1;\nselect nope;\nselect 2;\n")
            .status(1),
    );
    m.check(sql(&["ro.db", "select count(*), sum(score), max(name) from t; select name from t where name like 'n199%' order by name;"]));
    m.check(sql(&[
        "-readonly",
        "ro.db",
        "pragma integrity_check; select count(*) from g;",
    ]));
    m.check(sql(&["-readonly", "ro.db", "insert into g values (1);"]).status(8));
    m.check(sql(&["ro.db", ".schema"]));
    m.check(sql(&["ro.db", ".dump g"]));
    m.finish();
}

/// Names and sizes: the files a database leaves (journals must be gone afterwards).
fn db_files(dir: PathBuf) -> impl Fn() -> String {
    move || {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                        format!("{} {len}", e.file_name().to_string_lossy())
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.join("\n")
    }
}

#[test]
fn sqlite_writes_a_database() {
    if !ready(&[SQLITE]) {
        return;
    }
    let f = fixture("sqlite-writes");
    let work = "create table t (id integer primary key, name text, score real); \
                insert into t (name, score) values ('a', 1), ('b', 2); \
                begin; insert into t (name, score) select name || name, score * 10 from t; commit; \
                update t set name = upper(name) where id = 1; delete from t where id = 2; \
                select * from t; pragma integrity_check;";
    let mut m = Matrix::new();
    for mode in ["delete", "truncate", "wal"] {
        let dir = f.path("db");
        let (reset, seen) = (dir.clone(), dir.clone());
        m.check(
            Run::new(SQLITE)
                .args([
                    "db/test.db",
                    &format!("pragma journal_mode = {mode}; {work}"),
                ])
                .cwd(&f.root)
                .kernel_options(["--rw", &f.arg("db")])
                .reset(move || {
                    let _ = std::fs::remove_dir_all(&reset);
                    std::fs::create_dir_all(&reset).expect("db directory");
                })
                .observe(db_files(seen)),
        );
    }
    m.finish();
}

// What scripts do with /tmp by default: sqlite3 databases there, Lua's os.tmpname (mkstemp
// in /tmp), Perl's File::Temp with no DIR.
#[test]
fn scripts_use_tmp() {
    if !ready(&[PERL, LUA, SQLITE]) {
        return;
    }
    let mut m = Matrix::new();
    let db = format!("/tmp/junction-matrix-{}.db", std::process::id());
    let remove = db.clone();
    m.check(
        Run::new(SQLITE)
            .args([
                &db,
                "create table t (x); insert into t values (1), (2); select sum(x) from t;",
            ])
            .reset(move || {
                let _ = std::fs::remove_file(&remove);
            }),
    );
    let _ = std::fs::remove_file(&db);
    m.check(Run::new(LUA).args(["-e", r#"local n = os.tmpname(); local f = assert(io.open(n, "w")); f:write("x"); f:close(); print(n:sub(1, 5), io.open(n):read("a"), os.remove(n))"#]));
    m.check(Run::new(PERL).args(["-MFile::Temp=tempfile", "-e", r#"my ($fh, $n) = tempfile(); print $fh "x\n"; close $fh; open(my $i, "<", $n) or die; print substr($n, 0, 5), " ", scalar(<$i>); unlink $n or die;"#]));
    m.finish();
}
