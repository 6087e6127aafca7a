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
