#!/usr/bin/env python3
"""Bad input gets one line on stderr naming the file, exit code 2, no crash:
missing file, directory, not ELF, truncated ELF, no debug info, struct not
found. Also: compressed debug sections (-gz) are read, not refused."""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import fixturelib as fl  # noqa: E402


def expect_error(t, padguard, args, path, must_contain, what):
    r = fl.run([padguard, *args])
    lines = r.stderr.strip().splitlines()
    ok = (r.returncode == 2 and len(lines) == 1 and lines[0].startswith("padguard: ")
          and path in lines[0] and must_contain in lines[0] and r.stdout == "")
    t.check(ok, f"{what}: rc={r.returncode} stderr={r.stderr!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--padguard", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    fl.require("gcc", "objcopy", "pahole")
    os.makedirs(a.workdir, exist_ok=True)
    w = a.workdir
    t = fl.Tally()
    pg = a.padguard
    src = os.path.join(a.fixtures, "basic.c")
    good = os.path.join(w, "good.o")
    r = fl.run(["gcc", "-c", "-g", "-O0", "-o", good, src])
    t.check(r.returncode == 0, f"compile basic.c: {r.stderr}")

    missing = os.path.join(w, "does-not-exist.o")
    expect_error(t, pg, ["layout", missing], missing, "cannot open", "missing file")
    expect_error(t, pg, ["layout", w], w, "directory", "directory")

    text = os.path.join(w, "notelf.txt")
    with open(text, "w") as f:
        f.write("this is not an ELF file\n")
    expect_error(t, pg, ["layout", text], text, "not an ELF file", "text file")
    empty = os.path.join(w, "empty.o")
    open(empty, "wb").close()
    expect_error(t, pg, ["layout", empty], empty, "not an ELF file", "empty file")

    data = open(good, "rb").read()
    for n in sorted({4, 16, 40, 63, 64, 100, 512, len(data) // 3, len(data) // 2, len(data) - 1}):
        cut = os.path.join(w, f"trunc{n}.o")
        with open(cut, "wb") as f:
            f.write(data[:n])
        expect_error(t, pg, ["layout", cut], cut, "truncated", f"truncated at {n} bytes")

    nodebug = os.path.join(w, "nodebug.o")
    r = fl.run(["gcc", "-c", "-O0", "-o", nodebug, src])
    expect_error(t, pg, ["layout", nodebug], nodebug, "no DWARF debug info", "object without -g")
    stripped = os.path.join(w, "stripped.o")
    shutil.copy(good, stripped)
    fl.run(["objcopy", "--strip-debug", stripped])
    expect_error(t, pg, ["layout", stripped], stripped, "CONFIG_DEBUG_INFO_DWARF5", "stripped object")

    expect_error(t, pg, ["layout", "-C", "no_such_struct", good], good, "no_such_struct", "struct not found")
    expect_error(t, pg, ["layout", "-C", "basic,no_such_struct", good], good, "no_such_struct",
                 "one of several structs not found")

    # Compressed debug sections are read and give pahole's output.
    for flag in ("-gz", "-gz=zlib"):
        gz = os.path.join(w, f"gz{flag[3:] or 'default'}.o")
        r = fl.run(["gcc", "-c", "-g", "-O0", flag, "-o", gz, src])
        t.check(r.returncode == 0, f"compile {flag}")
        exp = fl.run(["pahole", "-F", "dwarf", "-c", "64", gz]).stdout
        got = fl.run([pg, "layout", gz])
        t.check(got.returncode == 0 and got.stdout == exp and exp, f"{flag}: output differs from pahole")
    t.finish()


if __name__ == "__main__":
    main()
