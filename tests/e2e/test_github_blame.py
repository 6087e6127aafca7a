"""GitHub annotations: one per struct that failed a rule at one declaration,
however many configs it failed in (issue 10: a matrix of 9 configs must not
stack 9 annotations on one line). The title names the configs (or counts
them past three), the message gives each config's sentence or the one they
share; config labels are escaped like any other name."""
import os

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
OLD = "struct task_struct { int a; long b; };\nstruct task_struct t;\n"
NEW = "struct task_struct { int a; long b; long c; };\nstruct task_struct t;\n"


def build(tmp, name, src, mode="-m64"):
    # One source file per side, as in a kernel tree: every config's object
    # blames the same declaration.
    c = tmp / ("new.c" if src == NEW else "old.c")
    c.write_text(src)
    o = tmp / f"{name}.o"
    r = fl.run([*fl.cc_argv("gcc", mode), "-c", "-g", "-o", str(o), str(c)], cwd=tmp)
    assert r.returncode == 0, r.stderr
    return str(o)


def github(tmp, pairs):
    argv = [PADGUARD, "check", "--no-growth", "task_struct", "--format", "github"]
    for p in pairs:
        argv += ["--pair", p]
    r = fl.run(argv, cwd=tmp)
    assert r.returncode == 1, r.stdout + r.stderr
    return [ln for ln in r.stdout.splitlines() if ln.startswith("::")]


def test_one_annotation_per_struct_across_configs(tmp_path):
    o64, n64 = build(tmp_path, "o64", OLD), build(tmp_path, "n64", NEW)
    one = github(tmp_path, [f"a={o64}:{n64}"])
    assert len(one) == 1 and "title=padguard [a] no-growth task_struct::FAIL: " in one[0], one
    same = github(tmp_path, [f"a={o64}:{n64}", f"b={o64}:{n64}"])
    assert len(same) == 1, same
    # The same sentence for both: said once, with the configs it holds for.
    assert "title=padguard [a%2C b] no-growth task_struct::" in same[0], same
    assert same[0].endswith("%0A(in a, b)") and same[0].count("FAIL") == 1, same
    assert same[0].split("::")[1].startswith("error file=") and ",line=" in same[0], same


def test_different_sentences_and_many_configs(tmp_path):
    o64, n64 = build(tmp_path, "o64", OLD), build(tmp_path, "n64", NEW)
    o32, n32 = build(tmp_path, "o32", OLD, "-m32"), build(tmp_path, "n32", NEW, "-m32")
    pairs = [f"x86_64={o64}:{n64}", f"i386={o32}:{n32}", f"c={o64}:{n64}", f"d={o32}:{n32}"]
    ann = github(tmp_path, pairs)
    assert len(ann) == 1, ann
    assert "title=padguard [4 configs] no-growth task_struct::" in ann[0], ann
    body = ann[0].split("::", 2)[2].split("%0A")
    assert [b.split(":")[0] for b in body] == ["x86_64", "i386", "c", "d"], body
    assert "(+8)" in body[0] and "(+4)" in body[1], body


def test_labels_are_escaped(tmp_path):
    o64, n64 = build(tmp_path, "o64", OLD), build(tmp_path, "n64", NEW)
    ann = github(tmp_path, [f"a,b%={o64}:{n64}", f"x={o64}:{n64}"])
    assert len(ann) == 1 and "[a%2Cb%25%2C x]" in ann[0], ann
