"""Differential test of `layout -P/--packable` and `-R/--reorganize` against
pahole 1.24: for every fixture build (gcc, clang x -m64, -m32, -marm32 x DWARF
4, 5), -P's lines and each struct's -R text must equal pahole's byte for byte
(i386: up to the documented __packed__ defect, docs/pahole-differences.md §1).
fixtures/c/reorg.c exercises the reorganisation; with PADGUARD_VMLINUX set,
a real vmlinux too (scripts/compare-reorg measures all of it)."""
import os
import re

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
BRACE = re.compile(r"^\}( __attribute__\(\((__packed__|__aligned__\(\d+\))\)\))?;", re.M)


pahole = fl.pahole_layout
layout = fl.padguard_layout


BUILDS = fl.build_all()
BY_ID = {b.id: b for b in BUILDS}
REORG = [b for b in BUILDS if b.name == "reorg"]


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require("pahole", *fl.tools_for())


def same_text(b, want, got):
    """Equal, or on i386 equal once closing braces are normalised (pahole's
    __packed__ defect changes nothing else)."""
    return got == want or (b.mode == "-m32" and BRACE.sub("};", got) == BRACE.sub("};", want))


def names_of(obj):
    return sorted(set(re.findall(r"^(?:struct|union) (\w+) \{", pahole(obj).stdout, re.M)))


@pytest.mark.parametrize("build", [b.id for b in BUILDS])
def test_packable(build):
    b = BY_ID[build]
    assert b.obj, b.error
    got = layout("-P", b.obj)
    assert got.returncode == 0, got.stderr
    assert got.stdout == pahole("-P", b.obj).stdout, f"{b.label}: -P differs from pahole"


@pytest.mark.parametrize("build", [b.id for b in BUILDS])
def test_reorganize(build, check):
    """-R -C on every struct and union (unions print nothing): one run with
    the whole list, else each name alone (pahole's list runs carry a
    __packed__ decision from one struct to the next; padguard's -R is
    pahole's one-name run, docs/pahole-notes.md §13)."""
    b = BY_ID[build]
    assert b.obj, b.error
    names = names_of(b.obj)
    check(bool(names), f"{b.label}: pahole found no structs")
    got = layout("-R", "-C", ",".join(names), b.obj)
    check(got.returncode == 0, f"{b.label}: -R: {got.stderr.strip()}")
    if same_text(b, pahole("-R", "-C", ",".join(names), b.obj).stdout, got.stdout):
        return check.done()
    for n in names:
        want, mine = pahole("-R", "-C", n, b.obj).stdout, layout("-R", "-C", n, b.obj).stdout
        check(same_text(b, want, mine), f"{b.label}: -R -C {n} differs from pahole")
    check.done()


def test_fixture_is_exercised(check):
    """reorg.c means something in every build: pahole lists structs from it,
    never its union, its anonymous struct or the hole-free one, and on 64-bit
    rg_cacheline saves a cacheline."""
    for b in REORG:
        if not check(b.obj is not None, f"{b.label}: {b.error}"):
            continue
        listed = [ln.split("\t")[0] for ln in pahole("-P", b.obj).stdout.splitlines()]
        check(len(listed) >= 5, f"{b.label}: pahole -P lists only {listed}")
        check(not {"rg_none", "rg_union", "rg_anon_t", "rg_small"} & set(listed),
              f"{b.label}: pahole -P lists {listed}")
        if b.mode == "-m64":
            r = layout("-R", "-C", "rg_cacheline", b.obj).stdout
            check(r.endswith("};   /* saved 8 bytes and 1 cacheline! */\n"), f"{b.label}: rg_cacheline -R: {r[-60:]!r}")
    check.done()


COMBINATIONS = [
    ["-P", "-C", "rg_basic"],         # pahole ignores -P with -C
    ["-R"],                           # and -R without -C
    ["-P", "-R", "-C", "rg_basic"],   # -R wins
    ["-R", "-C", "rg_union"],         # a union prints nothing
    ["-R", "-C", "rg_none,rg_basic"],  # no savings: no summary
    ["-P", "-c", "32"],
    ["-R", "-c", "32", "-C", "rg_cacheline"],
]


@pytest.mark.parametrize("args", COMBINATIONS, ids=[" ".join(a) for a in COMBINATIONS])
def test_combinations(args, check):
    for b in REORG:
        if b.mode == "-m64" and check(b.obj is not None, f"{b.label}: {b.error}"):
            got = layout(*args, b.obj)
            check(got.returncode == 0, f"{b.label} {args}: {got.stderr.strip()}")
            check(got.stdout == pahole(*args, b.obj).stdout, f"{b.label} {args}: differs from pahole")
    check.done()


@pytest.mark.parametrize("flag", ["-P", "-R"])
def test_text_only(flag):
    """-P and -R are pahole's text: another --format is refused in one line, exit 2."""
    b = next(b for b in REORG if b.obj)
    r = layout(flag, "--format", "json", "-C", "rg_basic", b.obj)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "-P and -R" in lines[0] and "--format json" in lines[0], r.stderr


def test_vmlinux():
    """A real vmlinux (PADGUARD_VMLINUX, e.g. Debian's
    /usr/lib/debug/boot/vmlinux-*): -P identical, -R on 20 of the structs it
    lists, given in definition order (pahole searches a -C list in order)."""
    path = os.environ.get("PADGUARD_VMLINUX")
    if not path:
        pytest.skip("SKIPPED, no vmlinux: set PADGUARD_VMLINUX=/usr/lib/debug/boot/vmlinux-... to compare on one")
    fl.skip_without(path, "vmlinux with DWARF")
    want = pahole("-P", path).stdout
    assert want, "pahole -P listed nothing"
    assert layout("-P", path).stdout == want, "-P differs from pahole on the vmlinux"
    order = {}
    for m in re.finditer(r"^struct (\S+) \{$", pahole(path).stdout, re.M):
        order.setdefault(m.group(1), len(order))
    names = sorted({ln.split("\t")[0] for ln in want.splitlines()}, key=lambda n: order.get(n, len(order)))
    names = ",".join(names[i * len(names) // 20] for i in range(min(20, len(names))))
    assert layout("-R", "-C", names, path).stdout == pahole("-R", "-C", names, path).stdout, \
        f"-R -C {names} differs from pahole"


def test_repeated_name():
    """One name defined differently in two units (and again identically):
    -P lists each distinct packable layout once, as pahole does."""
    d = fl.work_dir("pahole_reorg")
    bodies = ["char a; long b; char c;", "char a; long b; char c; short d;", "char a; long b; char c;"]
    objs = []
    for i, body in enumerate(bodies):
        src = os.path.join(d, f"rp{i}.c")
        with open(src, "w") as f:
            f.write(f"struct rp {{ {body} }};\nstruct rp g{i};\n")
        objs.append(fl.compile_cached(fl.cc_argv("gcc", "-m64"), src, ["-g", "-O0"], label=f"rp{i}"))
    linked = os.path.join(d, "rp.o")
    r = fl.run(["ld", "-r", "-o", linked, *objs])
    assert r.returncode == 0, r.stderr
    want = pahole("-P", linked).stdout
    assert want.count("rp\t") == 2, f"pahole -P no longer lists both layouts: {want!r}"
    assert layout("-P", linked).stdout == want
