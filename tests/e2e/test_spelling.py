"""Did you mean (issue 18): a misspelt command, -C name or rule target gets
the nearest names that exist, in layout, extract, diff and check."""
import os

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
SRC = "struct task_struct { int a; };\nstruct mm_struct { long b; };\nstruct task_struct t;\nstruct mm_struct m;\n"


def obj(tmp_path):
    src = tmp_path / "k.c"
    src.write_text(SRC)
    o = tmp_path / "k.o"
    assert fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(o), str(src)]).returncode == 0
    return str(o)


def test_commands():
    r = fl.run([PADGUARD, "layuot", "x.o"])
    assert r.returncode == 2 and "did you mean 'layout'?" in r.stderr, r.stderr
    r = fl.run([PADGUARD, "zzzzzz"])
    assert r.returncode == 2 and "did you mean" not in r.stderr and "commands: layout" in r.stderr, r.stderr


def test_struct_names(tmp_path):
    k = obj(tmp_path)
    for cmd in (["layout", "-C", "task_strcut", k], ["extract", "-C", "task_strcut", k, "-o", "-"],
                ["diff", "-C", "task_strcut", k, k]):
        r = fl.run([PADGUARD, *cmd])
        assert r.returncode == 2 and "did you mean 'task_struct'?" in r.stderr, (cmd, r.stderr)
    r = fl.run([PADGUARD, "check", "--no-growth", "task_strcut", "-C", "mm_strcut", k, k])
    assert r.returncode == 2
    assert "did you mean 'task_struct'?" in r.stdout and "did you mean 'mm_struct'?" in r.stdout, r.stdout
    r = fl.run([PADGUARD, "layout", "-C", "qqqqqqqqqq", k])
    assert r.returncode == 2 and "check the spelling" in r.stderr, r.stderr
