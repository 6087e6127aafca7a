"""diff and check refuse to compare inputs of different architectures (ELF
machine, address size, byte order) unless --allow-cross-arch (issue 18): an
x86_64 object against an i386 one differs by ABI, not by a patch. Facts
files carry the architecture, so the refusal survives extract."""
import json
import os

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
SRC = "struct s { int a; long b; };\nstruct s x;\n"
OTHERS = [("i686-linux-gnu-gcc", "i386 (32-bit, little-endian)"),
          ("aarch64-linux-gnu-gcc", "aarch64 (64-bit, little-endian)"),
          ("mips-linux-gnu-gcc", "mips (32-bit, big-endian)")]


def build(tmp, cc, name):
    fl.require(cc)
    src = tmp / "s.c"
    src.write_text(SRC)
    obj = tmp / f"{name}.o"
    r = fl.run([cc, "-c", "-g", "-o", str(obj), str(src)], cwd=tmp)
    assert r.returncode == 0, r.stderr
    return str(obj)


@pytest.mark.parametrize("cc,arch", OTHERS, ids=[c for c, _ in OTHERS])
def test_cross_arch_is_refused_unless_asked_for(tmp_path, cc, arch):
    host = build(tmp_path, "x86_64-linux-gnu-gcc" if fl.run(["which", "x86_64-linux-gnu-gcc"]).returncode == 0
                 else "gcc", "host")
    other = build(tmp_path, cc, "other")
    backend = ["--backend", "libdwarf"] if cc.startswith("mips") else []
    for cmd in (["diff"], ["check", "--no-growth", "all"]):
        r = fl.run([PADGUARD, *cmd, *backend, host, other])
        assert r.returncode == 2, (cmd, r.stdout + r.stderr)
        said = r.stderr + r.stdout
        assert "x86_64 (64-bit, little-endian)" in said and arch in said and "--allow-cross-arch" in said, said
        assert "PASS" not in r.stdout.split("verdict")[0]
    r = fl.run([PADGUARD, "check", "--no-growth", "all", "--allow-cross-arch", *backend, host, other])
    assert r.returncode in (0, 1) and "verdict:" in r.stdout, r.stdout + r.stderr
    # Through a facts file too.
    facts = tmp_path / "other.json"
    assert fl.run([PADGUARD, "extract", *backend, other, "-o", str(facts)]).returncode == 0
    doc = json.loads(facts.read_text())
    assert doc["machine"] and doc["byte_order"] in ("little", "big")
    r = fl.run([PADGUARD, "diff", host, str(facts)])
    assert r.returncode == 2 and arch in r.stderr, r.stderr


def test_same_arch_is_compared(tmp_path):
    a = build(tmp_path, "gcc", "a")
    facts = tmp_path / "a.json"
    assert fl.run([PADGUARD, "extract", a, "-o", str(facts)]).returncode == 0
    assert fl.run([PADGUARD, "diff", a, str(facts)]).returncode == 0
    assert fl.run([PADGUARD, "check", "--no-growth", "all", a, str(facts)]).returncode == 0


UNRELOCATABLE = [("sh4-linux-gnu-", "SuperH"), ("arc-linux-gnu-", "ARC")]


@pytest.mark.parametrize("backend", [[], ["--backend", "libdw"], ["--backend", "libdwarf"]],
                         ids=["default", "libdw", "libdwarf"])
@pytest.mark.parametrize("prefix,name", UNRELOCATABLE, ids=[n for _, n in UNRELOCATABLE])
def test_unrelocatable_objects_are_refused_and_their_linked_copy_read(tmp_path, prefix, name, backend):
    """Neither reader applies SuperH's or ARC's relocations in a .o's debug
    sections, and libdw skips SuperH's without a word (wrong names, exit 0):
    such a .o is an input error naming the remedy; linked alone it is read."""
    obj = build(tmp_path, prefix + "gcc", "o")
    for cmd in (["layout", "-C", "s"], ["extract", "-o", str(tmp_path / "f.json")]):
        r = fl.run([PADGUARD, *cmd, *backend, obj])
        assert r.returncode == 2 and r.stdout == "", r.stdout + r.stderr
        assert "a %s relocatable object" % name in r.stderr and prefix + "ld --noinhibit-exec" in r.stderr, r.stderr
    elf = str(tmp_path / "o.elf")
    fl.require(prefix + "ld")
    r = fl.run([prefix + "ld", "--noinhibit-exec", "--unresolved-symbols=ignore-all", "-e", "0", "-o", elf, obj])
    assert os.path.getsize(elf) > 0, r.stderr
    r = fl.run([PADGUARD, "layout", "-C", "s", *backend, elf])
    assert r.returncode == 0, r.stderr
    assert "int                        a;" in r.stdout and "long int                   b;" in r.stdout, r.stdout
    assert "/* size: 8, cachelines: 1, members: 2 */" in r.stdout, r.stdout
