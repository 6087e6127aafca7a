#!/usr/bin/env python3
"""Writes the fuzz seed corpus: every fixtures/c source compiled by gcc and
clang, -m64/-m32 (i386)/-marm32 (arm EABI hf), DWARF 4/5, with the cross
compilers of fixturelib.cc_argv (never gcc-multilib), as relocatable objects (the libdwfl path) and,
for a few, as shared objects (the dwarf_begin_elf path). Inputs larger than
--max-len are skipped, since libFuzzer would only see their prefix.
   make_corpus.py OUTDIR [--max-len N]"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "fixtures", "c")
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import dwarfasm as tm  # noqa: E402
import fixturelib as fl  # noqa: E402
SHARED = ("basic.c", "bitfields.c", "nested.c", "typenames.c")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--max-len", type=int, default=65536)
    a = ap.parse_args()
    for tool in fl.tools_for() + ["g++", "clang++"]:
        if shutil.which(tool) is None:
            sys.exit(f"make_corpus: {tool} missing; run scripts/setup")
    os.makedirs(a.outdir, exist_ok=True)
    kept = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        for src in sorted(os.listdir(FIXTURES)):
            if not src.endswith((".c", ".cpp")):
                continue
            for cc in ("gcc", "clang"):
                if src.endswith(".cpp"):
                    cc = "g++" if cc == "gcc" else "clang++"
                for m in fl.MODES:
                    for d in ("-gdwarf-4", "-gdwarf-5"):
                        kinds = [("-c", ".o")]
                        if src in SHARED and m == "-m64":
                            kinds.append(("-shared", ".so"))
                        for kind, ext in kinds:
                            out = os.path.join(tmp, "x" + ext)
                            cmd = [*fl.cc_argv(cc, m), kind, "-O0", d, "-o", out, os.path.join(FIXTURES, src)]
                            if kind == "-shared":
                                cmd[-4:-4] = ["-fPIC", "-nostdlib"]
                            r = subprocess.run(cmd, capture_output=True, text=True)
                            if r.returncode != 0:
                                print(f"make_corpus: skip {' '.join(cmd)}: {r.stderr.strip()[:200]}",
                                      file=sys.stderr)
                                continue
                            data = open(out, "rb").read()
                            if len(data) > a.max_len:
                                skipped += 1
                                continue
                            name = f"{src.split('.')[0]}-{cc}{m}{d[1:]}{ext.replace('.', '-')}-" + \
                                hashlib.sha1(data).hexdigest()[:8]
                            with open(os.path.join(a.outdir, name), "wb") as f:
                                f.write(data)
                            kept += 1
        kept += hand_seeds(a.outdir, tmp)
        kept += btf_seeds(a.outdir, tmp, a.max_len)
    print(f"make_corpus: {kept} seeds in {a.outdir}, {skipped} over {a.max_len} bytes skipped")


def hand_seeds(outdir, tmp):
    """Small hand-written DWARF objects (tests/e2e/dwarfasm.py, test_malformed's assembler): DWARF
    2-5 units, bitfields, arrays, typedef chains, unions, function pointers.
    A few hundred bytes each, so mutations land on DWARF more often."""
    i32, chr_ = tm.base("int", 4), tm.base("char", 1, 6)
    td = tm.Die("typedef", [("name", "string", "i32_t"), ("type", "ref4", i32)])
    cst = tm.Die("const_type", [("type", "ref4", td)])
    arr = tm.Die("array_type", [("type", "ref4", chr_)],
                 [tm.Die("subrange_type", [("upper_bound", "data1", 6)])])
    ptr = tm.Die("pointer_type", [("byte_size", "data1", 8), ("type", "ref4", chr_)])
    fn = tm.Die("subroutine_type", [("prototyped", "flag_present", 0), ("type", "ref4", i32)],
                [tm.Die("formal_parameter", [("type", "ref4", ptr)])])
    fp = tm.Die("pointer_type", [("byte_size", "data1", 8), ("type", "ref4", fn)])
    bf = tm.Die("member", [("name", "string", "bf"), ("type", "ref4", i32), ("bit_size", "udata", 3),
                           ("data_bit_offset", "udata", 40)])
    anon = tm.Die("union_type", [("byte_size", "udata", 4)], [tm.member("u1", i32, 0), tm.member("u2", chr_, 0)])
    s = tm.struct_die("seed", 40, [tm.member("a", cst, 0), bf, tm.member("c", arr, 8), tm.member("p", ptr, 16),
                                   tm.member("f", fp, 24), tm.member("u", anon, 32)])
    top = [i32, chr_, td, cst, arr, ptr, fn, fp, anon, s]
    n = 0
    for v in (2, 3, 4, 5):
        w = tm.Workdir(tmp)
        o = w.assemble(f"hand{v}", tm.dwarf_asm(top, v))
        data = open(o, "rb").read()
        with open(os.path.join(outdir, f"hand-dwarf{v}-" + hashlib.sha1(data).hexdigest()[:8]), "wb") as f:
            f.write(data)
        n += 1
    return n


def btf_seeds(outdir, tmp, max_len):
    """BTF seeds: each fixture's DWARF encoded by pahole -J (an ELF with
    .BTF and no DWARF left, and the raw .BTF blob alone), gcc and clang,
    64- and 32-bit. Without pahole: none, said on stderr."""
    if shutil.which("pahole") is None:
        print("make_corpus: pahole missing: no BTF seeds", file=sys.stderr)
        return 0
    n = 0
    for src in sorted(os.listdir(FIXTURES)):
        if not src.endswith(".c"):
            continue
        for cc in ("gcc", "clang"):
            for m in ("-m64", "-m32"):
                o = os.path.join(tmp, "b.o")
                if subprocess.run([*fl.cc_argv(cc, m), "-c", "-O0", "-g", "-o", o, os.path.join(FIXTURES, src)],
                                  capture_output=True).returncode != 0:
                    continue
                if subprocess.run(["pahole", "-J", o], capture_output=True).returncode != 0:
                    continue
                raw = os.path.join(tmp, "b.btf")
                objcopy = fl.objcopy_argv(m)
                subprocess.run([*objcopy, "-O", "binary", "--only-section=.BTF", o, raw], capture_output=True)
                stripped = os.path.join(tmp, "b-btf.o")
                subprocess.run([*objcopy, "--strip-debug", o, stripped], capture_output=True)
                for kind, path in (("raw", raw), ("elf", stripped)):
                    if not os.path.exists(path):
                        continue
                    data = open(path, "rb").read()
                    if not data or len(data) > max_len:
                        continue
                    name = f"btf-{kind}-{src.split('.')[0]}-{cc}{m}-" + hashlib.sha1(data).hexdigest()[:8]
                    with open(os.path.join(outdir, name), "wb") as f:
                        f.write(data)
                    n += 1
                for path in (raw, stripped):
                    if os.path.exists(path):
                        os.remove(path)
    return n


if __name__ == "__main__":
    main()
