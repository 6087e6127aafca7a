"""Manifest rows, fragments and their merge (no builds)."""
import json
import os

import pytest

from kmatrix import failures, report
from kmatrix.util import UsageError

GROUPS = [{"objects": ["kernel/fork.o"], "structs": ["task_struct"]}]
SPECS = ["x86_64:defconfig", "riscv:defconfig", "arm:multi_v7_defconfig"]


def fragment(out, shard, rows):
    f = report.Fragment(str(out), shard, SPECS, GROUPS, ["--max-slack-loss", "0"])
    for index, label, failure in rows:
        if failure:
            f.add_failure(0, index, label, failure)
        else:
            src = out / ("%s.json" % label)
            out.mkdir(parents=True, exist_ok=True)
            src.write_text("{}")
            f.add_ok(0, index, label, str(src), str(src))
    f.write()
    return f


def test_status_row_format():
    f = failures.Failure("build-failed", "after: include/linux/sched.h:3: error: x", log="/c/l.log")
    assert report.status_line("x86_64-defconfig", f) == \
        "x86_64-defconfig !build-failed after: include/linux/sched.h:3: error: x (log: /c/l.log)"
    f.file, f.line = "include/linux/sched.h", 3
    assert report.status_line("x86_64-defconfig", f) == \
        "x86_64-defconfig !build-failed@include/linux/sched.h:3 after: include/linux/sched.h:3: error: x (log: /c/l.log)"
    f.line = None
    assert report.status_line("a", f).startswith("a !build-failed@include/linux/sched.h after:")


@pytest.mark.parametrize("name,token", [
    ("include/a b.h", "!build-failed@include/a%20b.h:7"),
    ("inc\n::error x.h", "!build-failed@inc%0A%3A%3Aerror%20x.h:7"),
    ("a%2C,b:c.h", "!build-failed@a%252C%2Cb%3Ac.h:7"),
    ("\u00e9t\u00e9.h", "!build-failed@%C3%A9t%C3%A9.h:7"),
])
def test_status_token_is_one_word_whatever_the_file_name(name, token):
    """A blank, newline, '%', ',' or ':' in the first error's file must not
    split the manifest row or move the line number: percent-encoded."""
    assert report.status_token("build-failed", name, 7) == token
    assert len(token.split()) == 1 and token.count(":") == 1
    import urllib.parse
    assert urllib.parse.unquote(token.split("@", 1)[1].rsplit(":", 1)[0]) == name


def test_fragment_rows_carry_the_first_errors_place(tmp_path):
    f = failures.Failure("build-failed", "after: include/x.h:9: error: y", "include/x.h", 9, "/c/l.log")
    fragment(tmp_path / "s1", (1, 1), [(0, "x86_64-defconfig", f)])
    doc = json.load(open(tmp_path / "s1" / "fragment-1-of-1.json"))
    row, = doc["groups"][0]["rows"]
    assert (row["file"], row["line"]) == ("include/x.h", 9)
    text = (tmp_path / "s1" / "manifest-1-of-1.g0.txt").read_text().splitlines()
    assert text[1] == "x86_64-defconfig !build-failed@include/x.h:9 after: include/x.h:9: error: y (log: /c/l.log)"


def test_fragments_record_no_source_root_and_old_ones_still_merge(tmp_path):
    """The fragment's source_root (the after tree, often the cache's patched
    copy) was written and never read; declaration and error paths are
    relative to the tree already.  New fragments leave it out; a fragment
    that has it merges to the same manifest."""
    fragment(tmp_path / "new", (1, 1), [(0, "x86_64-defconfig", None),
                                        (1, "riscv-defconfig", failures.Failure("error", "boom"))])
    path = tmp_path / "new" / "fragment-1-of-1.json"
    doc = json.load(open(path))
    assert "source_root" not in doc
    (_, name, _), = report.merged_groups(report.load_fragments([str(tmp_path / "new")]), str(tmp_path / "m1"))
    want = (tmp_path / "m1" / name).read_text()
    doc["source_root"] = "/cache/trees/patched-0123"
    json.dump(doc, open(path, "w"))
    (_, name, _), = report.merged_groups(report.load_fragments([str(tmp_path / "new")]), str(tmp_path / "m2"))
    assert (tmp_path / "m2" / name).read_text() == want
    assert report.check_command("pg", name, GROUPS[0], [], None) == \
        ["pg", "check", "--manifest", name, "--no-growth", "task_struct"]


def test_fragment_manifest_is_a_padguard_manifest(tmp_path):
    fragment(tmp_path / "s1", (1, 1), [(0, "x86_64-defconfig", None),
                                       (1, "riscv-defconfig", failures.Failure("skipped", "no riscv64-linux-gnu-gcc"))])
    text = (tmp_path / "s1" / "manifest-1-of-1.g0.txt").read_text().splitlines()
    assert text[1] == "x86_64-defconfig facts/x86_64-defconfig.before.json facts/x86_64-defconfig.after.json"
    assert text[2] == "riscv-defconfig !skipped no riscv64-linux-gnu-gcc"
    assert os.path.exists(tmp_path / "s1" / "facts" / "x86_64-defconfig.after.json")


def test_merge_orders_rows_as_the_matrix(tmp_path):
    fragment(tmp_path / "a", (1, 2), [(0, "x86_64-defconfig", None), (2, "arm-multi_v7_defconfig", None)])
    fragment(tmp_path / "b", (2, 2), [(1, "riscv-defconfig", failures.Failure("error", "boom"))])
    docs = report.load_fragments([str(tmp_path / "b"), str(tmp_path / "a")])
    (_, name, rows), = report.merged_groups(docs, str(tmp_path / "m"))
    path = str(tmp_path / "m" / name)
    assert [r["label"] for r in rows] == ["x86_64-defconfig", "riscv-defconfig", "arm-multi_v7_defconfig"]
    lines = open(path).read().splitlines()
    assert lines[2] == "riscv-defconfig !error boom"
    assert lines[1].split()[1] == "facts/x86_64-defconfig.before.json"
    assert os.path.exists(tmp_path / "m" / "facts" / "x86_64-defconfig.before.json")


def test_a_missing_shard_fails_the_merge(tmp_path):
    fragment(tmp_path / "a", (1, 2), [(0, "x86_64-defconfig", None)])
    with pytest.raises(UsageError, match=r"need shards 1..2 of 2 exactly once, got \[1\]"):
        report.load_fragments([str(tmp_path / "a")])


def test_shards_of_different_runs_do_not_merge(tmp_path):
    fragment(tmp_path / "a", (1, 2), [])
    f = fragment(tmp_path / "b", (2, 2), [])
    doc = json.load(open(f.path()))
    doc["check_args"] = ["--no-new-holes", "all"]
    json.dump(doc, open(f.path(), "w"))
    with pytest.raises(UsageError, match="shards of different runs"):
        report.load_fragments([str(tmp_path / "a"), str(tmp_path / "b")])


def test_empty_dir_is_an_error(tmp_path):
    with pytest.raises(UsageError, match="no fragment"):
        report.load_fragments([str(tmp_path)])


def test_allow_skip_must_name_known_labels():
    from kmatrix.cli import expand_allow_skip
    labels = {"x86_64-defconfig@kernel/fork.o", "x86_64-defconfig@net/core/dev.o", "arm64-defconfig"}
    assert expand_allow_skip("x86_64-defconfig", labels) == "x86_64-defconfig@kernel/fork.o,x86_64-defconfig@net/core/dev.o"
    assert expand_allow_skip("all", labels) == "all"
    with pytest.raises(UsageError, match="no config labelled riscv-defconfig"):
        expand_allow_skip("riscv-defconfig", labels)


def test_a_relative_padguard_is_made_absolute(tmp_path, monkeypatch):
    """padguard check runs in the merge directory: PADGUARD=build/padguard
    (relative to where kernel-matrix was started) must still be found there."""
    (tmp_path / "build").mkdir()
    pg = tmp_path / "build" / "padguard"
    pg.write_text("#!/bin/sh\n")
    pg.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PADGUARD", "build/padguard")
    assert report.find_padguard("/nowhere") == str(pg)
