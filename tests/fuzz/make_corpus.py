#!/usr/bin/env python3
"""Writes the fuzz seed corpus: every fixtures/c source compiled by gcc and
clang, -m64/-m32 (i386)/-marm32 (arm EABI hf), DWARF 4/5, with the cross
compilers of fixturelib.cc_argv (never gcc-multilib), as relocatable objects (the libdwfl path) and,
for a few, as shared objects (the dwarf_begin_elf path). Inputs larger than
--max-len are skipped, since libFuzzer would only see their prefix.
--target facts: facts files written by `padguard extract` (--padguard BIN)
over the same objects, whole and one record at a time; --target policy:
the TOML policies of fixtures/policies and of the tests.
   make_corpus.py OUTDIR [--max-len N] [--target layout|facts|policy] [--padguard BIN]"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "fixtures", "c")
POLICIES = os.path.join(HERE, "..", "..", "fixtures", "policies")
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import dwarfasm as tm  # noqa: E402
import fixturelib as fl  # noqa: E402
SHARED = ("basic.c", "bitfields.c", "nested.c", "typenames.c")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--max-len", type=int, default=65536)
    ap.add_argument("--target", choices=("layout", "facts", "policy"), default="layout")
    ap.add_argument("--padguard", help="the padguard CLI, for --target facts")
    a = ap.parse_args()
    if a.target == "policy":
        os.makedirs(a.outdir, exist_ok=True)
        print(f"make_corpus: {policy_seeds(a.outdir)} policy seeds in {a.outdir}")
        return
    if a.target == "facts":
        if not a.padguard:
            sys.exit("make_corpus: --target facts needs --padguard BIN")
        os.makedirs(a.outdir, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            print(f"make_corpus: {facts_seeds(a.outdir, tmp, a.max_len, a.padguard)} facts seeds in {a.outdir}")
        return
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


def save(outdir, prefix, data):
    with open(os.path.join(outdir, f"{prefix}-" + hashlib.sha1(data).hexdigest()[:8]), "wb") as f:
        f.write(data)


def facts_seeds(outdir, tmp, max_len, padguard):
    """Facts files by `padguard extract`: every C fixture by gcc and clang in
    every mode (DWARF), the BTF of the 64-bit gcc ones (states_alignment
    false), whole and, to give the mutator small inputs, one record at a time
    (at most 8 per object); plus a few hand-made edge cases."""
    n = 0
    for src in sorted(os.listdir(FIXTURES)):
        if not src.endswith((".c", ".cpp")):
            continue
        for cc in ("gcc", "clang"):
            if src.endswith(".cpp"):
                cc = "g++" if cc == "gcc" else "clang++"
            for m in fl.MODES:
                o = os.path.join(tmp, "f.o")
                if subprocess.run([*fl.cc_argv(cc, m), "-c", "-O0", "-g", "-o", o, os.path.join(FIXTURES, src)],
                                  capture_output=True).returncode != 0:
                    continue
                inputs = [([], "dwarf")]
                if cc == "gcc" and m == "-m64" and shutil.which("pahole") and \
                        subprocess.run(["pahole", "-J", o], capture_output=True).returncode == 0:
                    inputs.append((["-F", "btf"], "btf"))
                for flags, kind in inputs:
                    r = subprocess.run([padguard, "extract", *flags, o], capture_output=True)
                    if r.returncode != 0:
                        print(f"make_corpus: skip extract {src} {cc}{m} {kind}: {r.stderr.decode()[:200]}",
                              file=sys.stderr)
                        continue
                    doc = json.loads(r.stdout)
                    names = [doc["record_table"][i].get("name") for i in doc["records"]]
                    if len(r.stdout) <= max_len:
                        save(outdir, f"facts-{src.split('.')[0]}-{cc}{m}-{kind}", r.stdout)
                        n += 1
                    if m != "-m64" and kind == "dwarf":
                        continue
                    for name in [x for x in names if x][:8]:
                        r = subprocess.run([padguard, "extract", *flags, "-C", name, o], capture_output=True)
                        if r.returncode == 0 and len(r.stdout) <= max_len:
                            save(outdir, f"facts-{src.split('.')[0]}-{cc}{m}-{kind}-{name}", r.stdout)
                            n += 1
    hand = {
        "empty": '{"kind":"facts","schema_version":"2.0","records":[],"record_table":[],"types":[]}',
        "bom": '\ufeff {"kind":"facts","schema_version":"2.0","address_size":4,"states_alignment":false,'
               '"records":[0],"record_table":[{"kind":"union","name":"u","byte_size":4,"alignment":0,'
               '"address_size":4,"members":[{"name":"a","type":0,"byte_size":4,"natural_alignment":4}]}],'
               '"types":[{"kind":"base","name":"int","byte_size":4,"alignment":4}]}',
        "v1": '{"kind":"facts","schema_version":"1.0","records":[]}',
    }
    for name, text in hand.items():
        save(outdir, f"facts-hand-{name}", text.encode())
        n += 1
    return n


# The policies test_check_policy.py writes (well and badly typed) and the
# example of src/cli/policy.hpp; fixtures/policies/*.toml are read as they are.
POLICY_TEXTS = [
    'no-growth = true\n', 'no-growth = [1]\n', 'no-growth = { task = 1 }\n', 'max-growth = { task = "8" }\n',
    'max-growth = { task = -1 }\n', 'max-growth = 3.5\n', 'max-slack-loss = 1.0\n', 'disjoint = [["task.a", 2]]\n',
    'no-grwoth = ["task"]\n', 'no-growth = [\n',
    'no-growth = "task"\nmax-growth = { task = 8 }\nmax-cachelines = ["task=1"]\n'
    'disjoint = [["task.a", "task.b"]]\nno-new-holes = ["task"]\nmax-slack-loss = 0\n',
    'no-growth = ["task_struct"]\nmax-growth = { task_struct = 0 }\n'
    'disjoint = ["task_struct.rcu_users,task_struct.rcu"]\nmax-slack-loss = 0\n',
    'max-growth = ["task_struct=18446744073709551615"]\nmax-cachelines = { task_struct = 9223372036854775807 }\n',
    'no-growth = "all"\nno-new-holes = "all"\ndisjoint = [["task_struct.u.u_a", "task_struct.u.u_b"], '
    '"task_struct.flags,task_struct.ptrace"]\nmax-slack-loss = { task_struct = 0, list = 1 }\n',
]


def policy_seeds(outdir):
    n = 0
    for name in sorted(os.listdir(POLICIES)):
        if name.endswith(".toml"):
            save(outdir, f"policy-{name[:-5]}", open(os.path.join(POLICIES, name), "rb").read())
            n += 1
    for text in POLICY_TEXTS:
        save(outdir, "policy-test", text.encode())
        n += 1
    return n


if __name__ == "__main__":
    main()
