"""`padguard check --policy`: TOML keys are the rule table's names; values of
the wrong type are clear errors naming the key, the expected and the found
type (exit 2, nothing on stdout); limits up to 2^64-1 never wrap; markdown
output is a table with the verdict."""
import os

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]


@pytest.fixture
def objs(tmp_path):
    out = {}
    for name, text in (("before", "struct task { int a; long b; };\nstruct task x;\n"),
                       ("after", "struct task { int a; long b; long c; };\nstruct task x;\n")):
        (tmp_path / f"{name}.c").write_text(text)
        r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(tmp_path / f"{name}.o"),
                    str(tmp_path / f"{name}.c")])
        assert r.returncode == 0, r.stderr
        out[name] = str(tmp_path / f"{name}.o")
    return out


def policy(tmp_path, text):
    p = tmp_path / "policy.toml"
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("text,msg", [
    ("no-growth = true\n", "no-growth must be a string or array of strings, got boolean"),
    ("no-growth = [1]\n", "no-growth must be a string or array of strings, got integer"),
    ("no-growth = { task = 1 }\n", "no-growth must be a string or array of strings, got table"),
    ("max-growth = { task = \"8\" }\n", "max-growth: limits must be non-negative integers, got string"),
    ("max-growth = { task = -1 }\n", "limits must be non-negative integers, got a negative integer"),
    ("max-growth = 3.5\n", "max-growth must be a table of NAME = N"),
    ("max-slack-loss = 1.0\n", "max-slack-loss must be a non-negative integer"),
    ("disjoint = [[\"task.a\", 2]]\n", "disjoint must be a string"),
    ("no-grwoth = [\"task\"]\n", "unknown key 'no-grwoth'; did you mean 'no-growth'?"),
    ("zzzzzzzzzzzz = [\"task\"]\n", "unknown key 'zzzzzzzzzzzz'; known: no-growth, max-growth"),
    ("no-growth = [\n", "not valid TOML"),
])
def test_policy_type_errors_are_clear(tmp_path, objs, text, msg):
    r = fl.run([PADGUARD, "check", "--policy", policy(tmp_path, text), objs["before"], objs["after"]])
    assert r.returncode == 2, r.stdout + r.stderr
    assert msg in r.stderr, r.stderr
    assert "not found" not in r.stderr
    assert r.stdout == ""


def test_every_shape_of_every_key_parses(tmp_path, objs):
    text = ('no-growth = "task"\nmax-growth = { task = 8 }\nmax-cachelines = ["task=1"]\n'
            'disjoint = [["task.a", "task.b"]]\nno-new-holes = ["task"]\nmax-slack-loss = 0\n')
    r = fl.run([PADGUARD, "check", "--policy", policy(tmp_path, text), objs["before"], objs["after"]])
    assert r.returncode == 1, r.stdout + r.stderr  # no-growth fails: 16 -> 24
    lines = [line for line in r.stdout.splitlines() if line[:5].strip() in ("PASS", "FAIL", "ERROR")]
    assert [line.split()[1] for line in lines] == ["no-growth", "max-growth", "max-cachelines", "disjoint",
                                                   "no-new-holes", "max-slack-loss"]


@pytest.mark.parametrize("limit,rc", [("18446744073709551615", 0), ("9223372036854775808", 0), ("7", 1)])
def test_huge_limits_never_wrap(objs, limit, rc):
    r = fl.run([PADGUARD, "check", "--max-growth", f"task={limit}", objs["before"], objs["after"], "--format", "json"])
    assert r.returncode == rc, r.stdout + r.stderr
    assert f'"limit": {limit}' in r.stdout


def test_unknown_rule_flag_lists_the_table():
    r = fl.run([PADGUARD, "check", "--help"])
    for name in ("--no-growth", "--max-growth", "--max-cachelines", "--disjoint", "--no-new-holes",
                 "--max-slack-loss"):
        assert name in r.stdout
    assert "markdown" in r.stdout


def test_markdown_table_and_verdict(objs):
    r = fl.run([PADGUARD, "check", "--no-growth", "task", "--format", "markdown", objs["before"], objs["after"]])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "| config | struct | size |" in r.stdout
    assert "| task | 16 → 24 (+8) |" in r.stdout
    assert "**Verdict: ❌ FAIL**" in r.stdout


def test_diff_markdown(objs):
    r = fl.run([PADGUARD, "diff", "--format", "markdown", objs["before"], objs["after"]])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "| task | changed | 16 → 24 (+8) |" in r.stdout
    assert "c: added" in r.stdout


@pytest.mark.parametrize("flag", ["--policy", "--manifest"])
@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_policy_and_manifest_must_be_regular_files(tmp_path, objs, flag, kind):
    """A FIFO with no writer never blocks; a directory is named as one, not
    read as a file with no rules or no pairs."""
    path = tmp_path / "input"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    args = [flag, str(path)]
    if flag == "--policy":
        args += [objs["before"], objs["after"]]
    else:
        args += ["--no-growth", "task"]
    r = fl.run([PADGUARD, "check", *args], timeout=20)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1
    want = "is a FIFO (named pipe)" if kind == "fifo" else "is a directory; pass a "
    assert f"{path}: {want}" in r.stderr, r.stderr
