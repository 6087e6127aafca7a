"""`padguard check` never passes on nothing: a rule over every struct of an
input that has none readable (split-DWARF skeletons, an empty facts file) is
an input error naming the file (exit 2), and a struct named by a rule or by
-C that neither side defines is an error naming it."""
import json
import os

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
SRC = "struct s { int a; long b; };\nstruct s x;\n"


def compile_c(tmp, name, flags):
    src = tmp / "s.c"
    src.write_text(SRC)
    obj = tmp / f"{name}.o"
    r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-O0", *flags, "-o", str(obj), str(src)], cwd=tmp)
    assert r.returncode == 0, r.stderr
    return str(obj)


@pytest.fixture
def plain(tmp_path):
    return compile_c(tmp_path, "plain", ["-g"])


@pytest.fixture
def empty_facts(tmp_path, plain):
    out = tmp_path / "full.json"
    r = fl.run([PADGUARD, "extract", plain, "-o", str(out)])
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["records"], "the full facts file should hold struct s"
    doc["records"], doc["types"] = [], []
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(doc))
    return str(empty)


RULES_OVER_ALL = [["--no-growth", "all"], ["--no-new-holes", "all"], ["--max-slack-loss", "0"]]


@pytest.mark.parametrize("rule", RULES_OVER_ALL, ids=lambda r: " ".join(r))
def test_split_dwarf_skeletons_are_no_pass(tmp_path, rule):
    skel = compile_c(tmp_path, "split", ["-g", "-gsplit-dwarf"])
    # libdw reads the .dwo files; the libdwarf backend refuses skeletons, and
    # without its .dwo a skeleton is an error too (test_split_dwarf.py).
    r = fl.run([PADGUARD, "check", "--backend", "libdwarf", *rule, skel, skel])
    assert r.returncode == 2, r.stdout + r.stderr
    # The inputs refuse skeletons up front (the more specific reason); the
    # zero-struct rule is the backstop. Either way: exit 2, file named.
    assert (f"no struct definitions readable in {skel}" in r.stderr
            or f"{skel}: split DWARF" in r.stderr)
    assert "verdict: ERROR" in r.stdout and "PASS" not in r.stdout


@pytest.mark.parametrize("rule", RULES_OVER_ALL, ids=lambda r: " ".join(r))
@pytest.mark.parametrize("side", ["old", "new", "both"])
def test_an_empty_facts_file_is_no_pass(plain, empty_facts, rule, side):
    old = empty_facts if side in ("old", "both") else plain
    new = empty_facts if side in ("new", "both") else plain
    r = fl.run([PADGUARD, "check", *rule, old, new])
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"no struct definitions readable in {empty_facts}" in r.stderr


def test_empty_input_in_a_matrix_is_an_error_row(plain, empty_facts):
    r = fl.run([PADGUARD, "check", "--no-growth", "all", "--pair", f"ok={plain}:{plain}",
                "--pair", f"hollow={plain}:{empty_facts}", "--format", "json"])
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    by = {c["label"]: c for c in doc["configs"]}
    assert by["ok"]["status"] == "checked" and by["ok"]["verdict"] == "PASS"
    assert by["hollow"]["status"] == "error"
    assert "no struct definitions readable" in by["hollow"]["detail"]


def test_class_name_on_neither_side_is_an_error(plain):
    r = fl.run([PADGUARD, "check", "--no-growth", "s", "-C", "nosuch", plain, plain])
    assert r.returncode == 2, r.stdout
    assert "no struct or union named 'nosuch'" in r.stdout


def test_rule_naming_a_struct_on_neither_side_is_an_error(plain):
    r = fl.run([PADGUARD, "check", "--no-growth", "nosuch", plain, plain])
    assert r.returncode == 2, r.stdout
    assert "struct 'nosuch' not found" in r.stdout


@pytest.mark.parametrize("side", ["old", "new", "both"])
def test_diff_over_nothing_is_an_error(tmp_path, plain, empty_facts, side):
    """diff would say "0 changed" (exit 0) about inputs it could not read."""
    nostruct = tmp_path / "nostruct.c"
    nostruct.write_text("int x;\n")
    obj = tmp_path / "nostruct.o"
    assert fl.run([*fl.cc_argv("gcc", "-m64"), "-g", "-c", "-o", str(obj), str(nostruct)]).returncode == 0
    for empty in (empty_facts, str(obj)):
        old = empty if side in ("old", "both") else plain
        new = empty if side in ("new", "both") else plain
        r = fl.run([PADGUARD, "diff", old, new])
        assert r.returncode == 2, r.stdout + r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"padguard: {empty}: no struct definitions readable"), r.stderr
