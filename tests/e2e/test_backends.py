#!/usr/bin/env python3
"""The libdw and libdwarf backends agree: every fixture, built at test time
with gcc and clang x -m32/-m64 x -gdwarf-4/-gdwarf-5 (task_model.c in all its
configurations, with and without -DPATCHED), gives the same `padguard layout`
text for every struct with --backend libdw and --backend libdwarf, and
`padguard crosscheck --dies` (records and raw DIE streams) exits 0. Also
covers relocatable objects needing relocations on both word sizes (every
object here is a .o), compressed debug sections (-gz) and the C++ fixture.
A missing compiler is a failure, never a skip."""
import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import fixturelib as fl  # noqa: E402


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


def check_object(t, padguard, label, obj):
    layouts = {}
    for backend in ("libdw", "libdwarf"):
        r = fl.run([padguard, "layout", "--backend", backend, obj])
        ok = r.returncode == 0 and r.stdout.strip() != ""
        t.check(ok, f"{label}: layout --backend {backend} exit {r.returncode}: {r.stderr.strip()}")
        layouts[backend] = split_records(r.stdout) if ok else None
    a, b = layouts["libdw"], layouts["libdwarf"]
    if a is not None and b is not None:
        t.check(len(a) == len(b), f"{label}: {len(a)} records (libdw) vs {len(b)} (libdwarf)")
        for (ha, ta), (hb, tb) in zip(a, b):
            t.check(ta == tb, f"{label}: '{ha}' differs:\n--- libdw\n{ta}--- libdwarf\n{tb}")
    r = fl.run([padguard, "crosscheck", "--dies", obj])
    summary = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    t.check(r.returncode == 0 and re.fullmatch(r"crosscheck: \d+ records, 0 disagree", summary) is not None,
            f"{label}: crosscheck exit {r.returncode}:\n{r.stdout}{r.stderr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--padguard", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--workdir", help="where objects go (default: a fresh temporary directory)")
    args = ap.parse_args()
    fl.require("gcc", "clang", "g++", "clang++")
    workdir = args.workdir or tempfile.mkdtemp(prefix="padguard-backends-")
    t = fl.Tally()
    try:
        for label, obj in fl.build_all(args.fixtures, workdir):
            check_object(t, args.padguard, label, obj)
        # Compressed debug sections (SHF_COMPRESSED, zlib): both backends inflate them.
        for cc in ("gcc", "clang"):
            for m in fl.MODES:
                obj = os.path.join(workdir, f"gz_{cc}{m}_task_model.o")
                r = fl.run([*fl.cc_argv(cc, m), "-c", "-O0", "-g", "-gz", "-o", obj,
                            os.path.join(args.fixtures, "task_model.c")])
                t.check(r.returncode == 0, f"{cc} -gz {m}: {r.stderr}")
                if r.returncode == 0:
                    check_object(t, args.padguard, f"{cc} -gz {m} task_model", obj)
        # C++: classes, inheritance, namespaces, static members.
        cpp = os.path.join(args.fixtures, "cpp_vptr.cpp")
        if os.path.exists(cpp):
            for cxx in ("g++", "clang++"):
                for d in fl.DWARF:
                    obj = os.path.join(workdir, f"cpp_{cxx.replace('+', 'x')}{d[1:]}.o")
                    r = fl.run([cxx, "-c", "-O0", "-g", d, "-o", obj, cpp])
                    t.check(r.returncode == 0, f"{cxx} {d}: {r.stderr}")
                    if r.returncode == 0:
                        check_object(t, args.padguard, f"{cxx} {d} cpp_vptr", obj)
    except RuntimeError as e:
        t.check(False, str(e))
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    t.finish()


if __name__ == "__main__":
    main()
