"""The libdw and libdwarf backends agree: every fixture, built with gcc and
clang x -m64/-m32/-marm32 x -gdwarf-4/-gdwarf-5 (task_model.c in all its
configurations, with and without -DPATCHED), gives the same `padguard layout`
text for every struct with --backend libdw and --backend libdwarf, and
`padguard crosscheck --dies` (records and raw DIE streams) exits 0. Also
covers relocatable objects needing relocations on both word sizes (every
object here is a .o), compressed debug sections (-gz) and the C++ fixture.
A missing compiler is a failure, never a skip."""
import os
import re

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
BUILDS = fl.build_all()
BY_ID = {b.id: b for b in BUILDS}
CPP = os.path.join(fl.FIXTURES, "cpp_vptr.cpp")


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require("g++", "clang++", *fl.tools_for())


def split_records(text):
    """pahole text of a whole file -> [(header line, record text)]."""
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        cur.append(line)
        if line == "};\n":
            out.append((cur[0].rstrip("\n"), "".join(cur)))
            cur = []
    if cur:
        out.append(("<trailing text>", "".join(cur)))
    return out


def backends_agree(check, label, obj):
    layouts = {}
    for backend in ("libdw", "libdwarf"):
        r = fl.run([PADGUARD, "layout", "--backend", backend, obj])
        ok = r.returncode == 0 and r.stdout.strip() != ""
        check(ok, f"{label}: layout --backend {backend} exit {r.returncode}: {r.stderr.strip()}")
        layouts[backend] = split_records(r.stdout) if ok else None
    a, b = layouts["libdw"], layouts["libdwarf"]
    if a is not None and b is not None:
        check(len(a) == len(b), f"{label}: {len(a)} records (libdw) vs {len(b)} (libdwarf)")
        for (ha, ta), (hb, tb) in zip(a, b):
            check(ta == tb, f"{label}: '{ha}' differs:\n--- libdw\n{ta}--- libdwarf\n{tb}")
    check.done()


def crosscheck(obj):
    r = fl.run([PADGUARD, "crosscheck", "--dies", obj])
    summary = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    assert r.returncode == 0 and re.fullmatch(r"crosscheck: \d+ records, 0 disagree", summary), \
        f"crosscheck exit {r.returncode}:\n{r.stdout}{r.stderr}"


def build_obj(build):
    b = BY_ID[build]
    assert b.obj, b.error
    return b


@pytest.mark.parametrize("build", BY_ID)
def test_layout_backends_agree(build, check):
    b = build_obj(build)
    backends_agree(check, b.label, b.obj)


@pytest.mark.parametrize("build", BY_ID)
def test_crosscheck(build):
    crosscheck(build_obj(build).obj)


def _gz(cc, mode):
    """Compressed debug sections (SHF_COMPRESSED, zlib): both backends inflate them."""
    return fl.compile_cached(fl.cc_argv(cc, mode), os.path.join(fl.FIXTURES, "task_model.c"),
                             ["-O0", "-g", "-gz"], label=f"gz_{cc}{mode}_task_model")


GZ = [(cc, m) for cc in fl.COMPILERS for m in fl.MODES]
GZ_IDS = [f"{cc}-{fl.MODE_ID[m]}-gz-task_model" for cc, m in GZ]


@pytest.mark.parametrize("cc,mode", GZ, ids=GZ_IDS)
def test_gz_backends_agree(cc, mode, check):
    backends_agree(check, f"{cc} -gz {mode} task_model", _gz(cc, mode))


@pytest.mark.parametrize("cc,mode", GZ, ids=GZ_IDS)
def test_gz_crosscheck(cc, mode):
    crosscheck(_gz(cc, mode))


CXX = [(cxx, d) for cxx in ("g++", "clang++") for d in fl.DWARF]
CXX_IDS = [f"{cxx}-{d[2:]}-cpp_vptr" for cxx, d in CXX]


def _cpp(cxx, d):
    """C++: classes, inheritance, namespaces, static members."""
    return fl.compile_cached([cxx], CPP, ["-O0", "-g", d], label=f"cpp_{cxx.replace('+', 'x')}{d[1:]}")


@pytest.mark.parametrize("cxx,d", CXX, ids=CXX_IDS)
def test_cpp_backends_agree(cxx, d, check):
    backends_agree(check, f"{cxx} {d} cpp_vptr", _cpp(cxx, d))


@pytest.mark.parametrize("cxx,d", CXX, ids=CXX_IDS)
def test_cpp_crosscheck(cxx, d):
    crosscheck(_cpp(cxx, d))
