"""BTF input (issue 13): fixtures encoded with `pahole -J` at test time and
read back by `padguard layout -F btf`, compared with `pahole -F btf` struct by
struct; the running kernel's BTF; DWARF vs BTF diff; malformed BTF."""
import os
import re
import shutil
import struct

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "c")
SOURCES = sorted(f for f in os.listdir(FIXTURES) if f.endswith(".c"))
KERNEL_BTF = "/sys/kernel/btf/vmlinux"
PACKED = "} __attribute__((__packed__));"

needs_pahole = pytest.mark.skipif(shutil.which("pahole") is None, reason="pahole (dwarves) not installed")


def blocks(text):
    """Top-level struct/union blocks by name (a name may repeat)."""
    out = {}
    for m in re.finditer(r"^((?:struct|union) \w+) \{\n.*?^\}[^\n]*\n", text, re.M | re.S):
        out.setdefault(m.group(1), []).append(m.group(0))
    return out


def m32_packed_defect(expected, got):
    """pahole takes i386's 8-byte scalars as 8-aligned and prints __packed__
    (docs/pahole-differences.md); padguard knows the ELF is EM_386."""
    if not expected.rstrip("\n").endswith(PACKED):
        return False
    return got == expected[: expected.rindex(PACKED)] + "};\n"


def encode(tmp_path, cc, mode, src, base=None):
    obj = tmp_path / (src[:-2] + ".o")
    r = fl.run([*fl.cc_argv(cc, mode), "-c", "-O0", "-g", "-o", str(obj), os.path.join(FIXTURES, src)])
    assert r.returncode == 0, r.stderr
    btf = tmp_path / (src[:-2] + ".btf.o")
    shutil.copy(obj, btf)
    cmd = ["pahole", "-J", *(["--btf_base", str(base)] if base else []), str(btf)]
    r = fl.run(cmd)
    assert r.returncode == 0, r.stderr
    return obj, btf


def compare(expected, got, mode):
    want, have = blocks(expected), blocks(got)
    assert want, "pahole printed no struct: nothing compared"
    assert sorted(want) == sorted(have)
    bad = [n for n in want if want[n] != have[n] and not (
        mode == "-m32" and len(want[n]) == len(have[n]) and all(
            w == h or m32_packed_defect(w, h) for w, h in zip(want[n], have[n])))]
    assert not bad, f"differs from pahole -F btf: {bad}"
    return len(want)


@needs_pahole
@pytest.mark.parametrize("mode", fl.MODES)
@pytest.mark.parametrize("cc", fl.COMPILERS)
@pytest.mark.parametrize("src", SOURCES)
def test_fixture_matches_pahole(tmp_path, src, cc, mode):
    _, btf = encode(tmp_path, cc, mode, src)
    expected = fl.run(["pahole", "-F", "btf", str(btf)])
    got = fl.run([PADGUARD, "layout", "-F", "btf", str(btf)])
    assert got.returncode == 0, got.stderr
    compare(expected.stdout, got.stdout, mode)
    # auto picks BTF for an object whose DWARF is gone
    stripped = tmp_path / "stripped.o"
    assert fl.run([*fl.objcopy_argv(mode), "--strip-debug", "--keep-section=.BTF", str(btf),
                   str(stripped)]).returncode == 0
    auto = fl.run([PADGUARD, "layout", str(stripped)])
    assert auto.returncode == 0 and auto.stdout == got.stdout, auto.stderr


# What BTF cannot carry (docs/BTF.md, "DWARF vs BTF"): diff does not count
# it as a change when a side is BTF, and says so under the summary.
BTF_LOSES = {
    "aligned.c": "alignment: pahole's inference rounds al_member's 32 up to the cacheline, 64",
    "deepnest.c": "alignment: __aligned__(16) on a naturally placed struct is not inferable",
    "paddings.c": "alignment: pahole's inference gives pd_union 16 for its natural 8",
    "arrays.c": "pahole -J 1.24 encodes int[2][3][4] as one flat int[24]",
    "typenames.c": "pahole -J 1.24 encodes int[3][5] as one flat int[15]",
    "ordering.c": "BTF is flat: a function-local struct is a top-level type",
}


def _btf_only(tmp_path, btf, name="only_btf.o"):
    """The BTF side as a stripped copy: auto-detection reads it as BTF."""
    stripped = tmp_path / name
    assert fl.run(["objcopy", "--strip-debug", "--keep-section=.BTF", str(btf), str(stripped)]).returncode == 0
    return stripped


@needs_pahole
@pytest.mark.parametrize("src", SOURCES)
def test_dwarf_and_btf_diff_as_no_change(tmp_path, src):
    obj, btf = encode(tmp_path, "gcc", "-m64", src)
    stripped = _btf_only(tmp_path, btf)
    for old, new in ((obj, stripped), (stripped, obj)):
        r = fl.run([PADGUARD, "diff", str(old), str(new)])
        assert r.returncode == 0, r.stdout + r.stderr
        assert "0 changed" in r.stdout
    if src == "ordering.c":  # the function-local struct: listed, not counted
        assert "only on the BTF side" in fl.run([PADGUARD, "diff", str(obj), str(stripped)]).stdout


def seed_patch_objects(tmp_path):
    """task_model.c before and after the seed patch (-DPATCHED), gcc -m64;
    the after object also carries BTF (pahole -J)."""
    src = os.path.join(FIXTURES, "task_model.c")
    objs = []
    for name, extra in (("before", []), ("after", ["-DPATCHED"])):
        (tmp_path / name).mkdir()
        obj = tmp_path / name / f"{name}.o"
        r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-O0", "-g", *extra, "-o", str(obj), src])
        assert r.returncode == 0, r.stderr
        objs.append(obj)
    assert fl.run(["pahole", "-J", str(objs[1])]).returncode == 0
    return objs


@needs_pahole
def test_check_gates_dwarf_against_btf(tmp_path):
    """check with DWARF before and BTF after: the seed patch's rules decide as
    they do on DWARF (no-growth passes, the moved members are disjoint now)."""
    before, after = seed_patch_objects(tmp_path)
    rules = ["--no-growth", "task_struct", "--disjoint", "task_struct.rcu_users,task_struct.rcu"]
    on_dwarf = fl.run([PADGUARD, "check", *rules, str(before), str(after)])
    on_btf = fl.run([PADGUARD, "check", *rules, str(before), str(_btf_only(tmp_path, after))])
    assert on_btf.returncode == on_dwarf.returncode == 0, on_btf.stdout + on_btf.stderr
    assert "verdict: PASS" in on_btf.stdout and "share no byte" in on_btf.stdout


@needs_pahole
@pytest.mark.parametrize("src", SOURCES)
def test_btf_facts_read_back_identically(tmp_path, src):
    """extract from BTF keeps "states no alignment": layout of the facts file
    prints what layout of the BTF prints (no DWARF-only "Force padding")."""
    _, btf = encode(tmp_path, "gcc", "-m64", src)
    direct = fl.run([PADGUARD, "layout", "-F", "btf", str(btf)])
    facts = tmp_path / "btf.json"
    r = fl.run([PADGUARD, "extract", "-F", "btf", str(btf), "-o", str(facts)])
    assert r.returncode == 0, r.stderr
    back = fl.run([PADGUARD, "layout", str(facts)])
    assert back.returncode == 0 and back.stdout == direct.stdout, back.stderr


@needs_pahole
def test_dwarf_vs_btf_still_sees_a_real_change(tmp_path):
    """The seed patch, DWARF before and BTF after: still changed (exit 1), the
    moved members named, the BTF allowances not hiding it."""
    before, after = seed_patch_objects(tmp_path)
    r = fl.run([PADGUARD, "diff", "-C", "task_struct", str(before), str(_btf_only(tmp_path, after))])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "rcu_users" in r.stdout and "1 changed" in r.stdout


@needs_pahole
def test_split_btf_on_base(tmp_path):
    base_obj, base = encode(tmp_path, "gcc", "-m64", "basic.c")
    (tmp_path / "split").mkdir()
    _, split = encode(tmp_path / "split", "gcc", "-m64", "nested.c", base=base)
    expected = fl.run(["pahole", "-F", "btf", "--btf_base", str(base), str(split)])
    assert expected.returncode == 0, expected.stderr
    got = fl.run([PADGUARD, "layout", "-F", "btf", "--btf_base", str(base), str(split)])
    assert got.returncode == 0, got.stderr
    compare(expected.stdout, got.stdout, "-m64")
    alias = fl.run([PADGUARD, "layout", "-F", "btf", "--btf-base", str(base), str(split)])
    assert alias.stdout == got.stdout
    # without its base, or on the wrong one: exit 2, one line naming the file and the fix
    for extra in ([], ["--btf_base", str(tmp_path / "split" / "nested.btf.o")]):
        bad = fl.run([PADGUARD, "layout", "-F", "btf", *extra, str(split)])
        assert bad.returncode == 2, bad.stdout + bad.stderr
        assert bad.stderr.count("\n") == 1 and "--btf_base" in bad.stderr, bad.stderr


SHARED_PACKED_C = """
struct pm_first {
	union {
		struct { unsigned int id; } __attribute__((packed)) one;
		char pad[5];
	} __attribute__((packed)) u;
};
struct pm_second {
	unsigned int op;
	struct { unsigned int id; } two;
};
struct pm_first f;
struct pm_second s;
"""


@needs_pahole
def test_shared_anonymous_type_packed_mark(tmp_path):
    """docs/pahole-differences.md B3: BTF dedup makes pm_first's packed
    anonymous struct and pm_second's unpacked one a single type; pahole 1.24
    marks it packed while printing pm_first (union of size 5) and keeps the
    mark for pm_second. The DWARF says pm_second.two is not packed: padguard's
    BTF output equals pahole -F dwarf there, and differs from pahole -F btf by
    exactly that attribute."""
    src = tmp_path / "shared_packed.c"
    src.write_text(SHARED_PACKED_C)
    obj = tmp_path / "shared_packed.o"
    assert fl.run(["gcc", "-g", "-c", "-o", str(obj), str(src)]).returncode == 0
    dwarf = blocks(fl.run(["pahole", "-F", "dwarf", str(obj)]).stdout)
    assert fl.run(["pahole", "-J", str(obj)]).returncode == 0
    btf = blocks(fl.run(["pahole", "-F", "btf", str(obj)]).stdout)
    got = fl.run([PADGUARD, "layout", "-F", "btf", str(obj)])
    assert got.returncode == 0, got.stderr
    mine = blocks(got.stdout)
    assert mine["struct pm_first"] == btf["struct pm_first"] == dwarf["struct pm_first"]
    assert mine["struct pm_second"] == dwarf["struct pm_second"], "padguard's BTF output is not the compiler's layout"
    assert "} two;" in mine["struct pm_second"][0]
    assert btf["struct pm_second"][0] == mine["struct pm_second"][0].replace(
        "} two;" + " " * 28, "} __attribute__((__packed__)) two;"), "pahole's defect changed: update B3"


@needs_pahole
def test_kernel_btf_share_identical():
    if not os.path.exists(KERNEL_BTF):
        pytest.skip(f"SKIPPED LOUDLY: {KERNEL_BTF} absent on this machine")
    expected = fl.run(["pahole", "-F", "btf", KERNEL_BTF]).stdout
    got = fl.run([PADGUARD, "layout"])
    assert got.returncode == 0, got.stderr
    want, have = blocks(expected), blocks(got.stdout)
    assert sorted(want) == sorted(have)
    diffs = [n for n in want if want[n] != have[n]]
    print(f"kernel BTF: {len(want) - len(diffs)}/{len(want)} structs identical to pahole -F btf")
    assert not diffs, diffs[:10]
    one = fl.run([PADGUARD, "layout", "-C", "task_struct"])
    assert one.returncode == 0 and one.stdout == want["struct task_struct"][0]


def test_kernel_btf_facts_read_back_identically(tmp_path):
    """kmem_cache_cpu's padding would print DWARF-only "Force padding" lines if
    the facts file forgot that BTF states no alignment."""
    if not os.path.exists(KERNEL_BTF):
        pytest.skip(f"SKIPPED LOUDLY: {KERNEL_BTF} absent on this machine")
    names = "task_struct,kmem_cache_cpu,page"
    direct = fl.run([PADGUARD, "layout", "-C", names])
    facts = tmp_path / "kernel.json"
    assert fl.run([PADGUARD, "extract", "-C", names, "-o", str(facts), KERNEL_BTF]).returncode == 0
    back = fl.run([PADGUARD, "layout", "-C", names, str(facts)])
    assert direct.returncode == 0 and back.stdout == direct.stdout, back.stderr


# ---- malformed BTF ---------------------------------------------------------

def raw_btf(types=b"", strings=b"\0", magic=0xEB9F, hdr_len=24, type_len=None, str_len=None):
    tl = len(types) if type_len is None else type_len
    sl = len(strings) if str_len is None else str_len
    return struct.pack("<HBBIIIII", magic, 1, 0, hdr_len, 0, tl, tl, sl) + types + strings


def btf_type(name_off, kind, vlen, size_or_type, kflag=0):
    return struct.pack("<III", name_off, (kflag << 31) | (kind << 24) | vlen, size_or_type)


INT = btf_type(1, 1, 0, 4) + struct.pack("<I", 32)  # "int", 32 bits
STRS = b"\0int\0s\0"


def struct_with(member_type, name_off=5):
    return btf_type(5, 4, 1, 4) + struct.pack("<III", 1, member_type, 0)


BAD = {
    "bad_magic": raw_btf(INT, STRS, magic=0x1234),
    "truncated_header": raw_btf(INT, STRS)[:10],
    "truncated_sections": raw_btf(INT, STRS)[:30],
    "type_id_out_of_range": raw_btf(INT + struct_with(99), STRS),
    "string_past_end": raw_btf(btf_type(500, 1, 0, 4) + struct.pack("<I", 32) + struct_with(1), STRS),
    "pointer_loop": raw_btf(INT + btf_type(0, 2, 0, 3) + btf_type(0, 2, 0, 2) + struct_with(2), STRS),
    "struct_contains_itself": raw_btf(INT + struct_with(2), STRS),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_btf_exit_2(tmp_path, case):
    f = tmp_path / case
    f.write_bytes(BAD[case])
    r = fl.run([PADGUARD, "layout", "-F", "btf", str(f)])
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.count("\n") == 1 and str(f) in r.stderr, r.stderr
    assert "Sanitizer" not in r.stderr


def test_good_raw_btf_reads(tmp_path):
    f = tmp_path / "good"
    f.write_bytes(raw_btf(INT + struct_with(1), STRS))
    r = fl.run([PADGUARD, "layout", str(f)])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("struct s {\n\tint") and "/* size: 4, cachelines: 1, members: 1 */" in r.stdout
