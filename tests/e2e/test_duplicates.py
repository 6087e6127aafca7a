"""Two different definitions of one struct name in one input (an `ld -r`
object, a header built under two configurations, a facts file) are never
resolved by taking the first (issue 12): check and diff pair them by source
file or unit, a subject that names several layouts is an error listing them,
and NAME@FILE picks one. Both DWARF readers."""
import json
import os

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
BACKENDS = ["libdw", "libdwarf"]


def build(tmp, name, sources, defines=()):
    """Compiles each (file, text) of `sources` and links them with ld -r."""
    objs = []
    for fname, text in sources:
        src = tmp / fname
        src.write_text(text)
        obj = tmp / (fname + ".o")
        r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-O0", *defines, "-o", str(obj), str(src)], cwd=tmp)
        assert r.returncode == 0, r.stderr
        objs.append(str(obj))
    out = tmp / name
    r = fl.run(["ld", "-r", "-o", str(out), *objs])
    assert r.returncode == 0, r.stderr
    return str(out)


A = ("a.c", "struct s { int a; };\nstruct s x;\n")
B = ("b.c", "struct s { long a; char b; };\nstruct s y;\n")
B_GROWN = ("b.c", "struct s { long a; char b; long c; };\nstruct s y;\n")


@pytest.fixture
def objs(tmp_path):
    fl.require("ld")
    (tmp_path / "new").mkdir()
    old = build(tmp_path, "old.o", [B, A])  # b.c's 16-byte s comes first
    new = build(tmp_path / "new", "new.o", [B_GROWN, A])
    return old, new


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_name_with_two_layouts_is_not_judged_by_the_first(objs, backend):
    old, new = objs
    r = fl.run([PADGUARD, "check", "--backend", backend, "--no-growth", "s", old, new])
    assert r.returncode == 2, r.stdout + r.stderr
    assert "s@" in r.stdout and "b.c" in r.stdout and "a.c" in r.stdout, r.stdout
    assert "PASS" not in r.stdout.replace("verdict: ERROR", "")


@pytest.mark.parametrize("backend", BACKENDS)
def test_name_at_file_picks_one(objs, backend):
    old, new = objs
    r = fl.run([PADGUARD, "check", "--backend", backend, "--no-growth", "s@a.c", old, new])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "4 -> 4 bytes" in r.stdout
    r = fl.run([PADGUARD, "check", "--backend", backend, "--no-growth", "s@b.c", old, new])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "16 -> 24 bytes (+8)" in r.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_all_pairs_by_file_and_fails_the_grown_one(objs, backend):
    old, new = objs
    r = fl.run([PADGUARD, "check", "--backend", backend, "--no-growth", "all", "--format", "json", old, new])
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    (result,) = doc["configs"][0]["results"]
    assert result["checked"] == 2
    assert [f["subject"] for f in result["findings"] if f["verdict"] == "FAIL"] == [
        next(f["subject"] for f in result["findings"])]
    assert result["findings"][0]["subject"].startswith("s@") and result["findings"][0]["subject"].endswith("b.c")


@pytest.mark.parametrize("backend", BACKENDS)
def test_diff_shows_both_under_their_subjects(objs, backend):
    old, new = objs
    r = fl.run([PADGUARD, "diff", "--backend", backend, old, new])
    assert r.returncode == 1, r.stdout + r.stderr
    (line,) = [l for l in r.stdout.splitlines() if l.startswith("struct s@")]
    assert line.startswith("struct s@") and "b.c: 16 -> 24 bytes (+8)" in line, r.stdout
    assert "1 changed, 0 added, 0 removed, 1 unchanged" in r.stdout


def test_one_header_built_twice_pairs_by_unit(tmp_path):
    fl.require("ld")
    (tmp_path / "h.h").write_text("struct cfg { int a;\n#ifdef BIG\n long extra;\n#endif\n};\n")
    objs = []
    for unit, flags in (("u1.c", []), ("u2.c", ["-DBIG"])):
        (tmp_path / unit).write_text('#include "h.h"\nstruct cfg v_%s;\n' % unit[:2])
        obj = tmp_path / (unit + ".o")
        r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", *flags, "-o", str(obj), unit], cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        objs.append(str(obj))
    merged = tmp_path / "u.o"
    assert fl.run(["ld", "-r", "-o", str(merged), *objs]).returncode == 0
    r = fl.run([PADGUARD, "check", "--max-growth", "cfg=0", str(merged), str(merged)])
    assert r.returncode == 2 and "cfg@u1.c" in r.stdout and "cfg@u2.c" in r.stdout, r.stdout
    r = fl.run([PADGUARD, "check", "--max-growth", "cfg@u2.c=0", str(merged), str(merged)])
    assert r.returncode == 0 and "16 -> 16 bytes" in r.stdout, r.stdout
    r = fl.run([PADGUARD, "layout", "-C", "cfg@u1.c", str(merged)])
    assert r.returncode == 0 and "size: 4," in r.stdout, r.stdout + r.stderr
    r = fl.run([PADGUARD, "layout", "-C", "cfg@h.h", str(merged)])
    assert r.returncode == 2 and "cfg@u1.c, cfg@u2.c" in r.stderr, r.stderr
    # pahole's -C: the first definition, as pahole prints it.
    r = fl.run([PADGUARD, "layout", "-C", "cfg", str(merged)])
    assert r.returncode == 0 and "size: 4," in r.stdout


def test_facts_keep_every_layout_and_its_unit(objs, tmp_path):
    old, new = objs
    facts = tmp_path / "old.json"
    assert fl.run([PADGUARD, "extract", old, "-o", str(facts)]).returncode == 0
    doc = json.loads(facts.read_text())
    named = [doc["record_table"][i] for i in doc["records"]]
    assert sorted(r["byte_size"] for r in named if r.get("name") == "s") == [4, 16]
    assert all(r.get("unit") for r in named if r.get("name") == "s")
    # The facts file judges as the object does.
    for a in (str(facts), old):
        r = fl.run([PADGUARD, "check", "--no-growth", "all", a, new])
        assert r.returncode == 1, r.stdout + r.stderr
        r = fl.run([PADGUARD, "check", "--no-growth", "s@a.c", a, new])
        assert r.returncode == 0, r.stdout + r.stderr


def test_a_facts_file_with_two_definitions_is_not_read_first_wins(objs, tmp_path):
    """Issue 12: a facts file from another job defines `s` twice; the later
    one must not hide behind the first."""
    old, _ = objs
    facts = tmp_path / "old.json"
    assert fl.run([PADGUARD, "extract", "-C", "s", old, "-o", str(facts)]).returncode == 0
    r = fl.run([PADGUARD, "check", "--no-growth", "s", str(facts), str(facts)])
    assert r.returncode == 2 and "defined 2 ways" in r.stdout, r.stdout


def test_unpairable_layouts_make_diff_exit_2(tmp_path):
    """Same file, same unit, different layouts: nothing tells them apart."""
    facts = []
    for side, sizes in (("old", (4, 8)), ("new", (12, 16))):
        (tmp_path / side).mkdir()
        srcs = [(f"u{i}.c", "struct s { char c[%d]; };\nstruct s v%d;\n" % (n, i)) for i, n in enumerate(sizes)]
        obj = build(tmp_path / side, "x.o", srcs)
        out = tmp_path / f"{side}.json"
        assert fl.run([PADGUARD, "extract", obj, "-o", str(out)]).returncode == 0
        doc = json.loads(out.read_text())
        for r in doc["record_table"]:  # erase what tells them apart
            r.pop("unit", None)
            r.pop("decl", None)
        out.write_text(json.dumps(doc))
        facts.append(str(out))
    r = fl.run([PADGUARD, "diff", *facts])
    assert r.returncode == 2, r.stdout + r.stderr
    assert "ambiguous" in r.stdout and "s#1, s#2" in r.stdout
    assert "cannot pair" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = fl.run([PADGUARD, "check", "--no-growth", "all", *facts])
    assert r.returncode == 2 and "PASS" not in r.stdout.split("verdict")[0], r.stdout
    r = fl.run([PADGUARD, "diff", "--format", "json", *facts])
    d = json.loads(r.stdout)
    (amb,) = [x for x in d["records"] if x["status"] == "ambiguous"]
    assert amb["old_choices"] == ["s#1", "s#2"] and d["summary"]["ambiguous"] == 1


def test_forty_thousand_members_of_one_name_diff_in_bounded_time(tmp_path):
    """Issue 12: renaming duplicate member keys and ordering matched members
    were quadratic (a diff of this file ran for minutes)."""
    src = tmp_path / "one.c"
    src.write_text("struct s { int a; };\nstruct s x;\n")
    obj = tmp_path / "one.o"
    assert fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(obj), str(src)]).returncode == 0
    facts = tmp_path / "one.json"
    assert fl.run([PADGUARD, "extract", str(obj), "-o", str(facts)]).returncode == 0
    doc = json.loads(facts.read_text())
    rec = doc["record_table"][doc["records"][0]]
    n = 40000
    member = rec["members"][0]
    rec["members"] = [dict(member, bit_offset=32 * i) for i in range(n)]
    rec["byte_size"] = 4 * n
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    rec["members"][n // 2]["bit_offset"] = 32 * n  # one moves to the end
    rec["byte_size"] = 4 * n + 4
    new = tmp_path / "new.json"
    new.write_text(json.dumps(doc))
    r = fl.run([PADGUARD, "diff", str(old), str(new)], timeout=120)
    assert r.returncode == 1, r.stderr
    assert "moved 80000 -> 160000" in r.stdout and "1 changed" in r.stdout, r.stdout[-2000:]
    r = fl.run([PADGUARD, "check", "--no-growth", "all", str(old), str(new)], timeout=120)
    assert r.returncode == 1 and "+4" in r.stdout, r.stdout
