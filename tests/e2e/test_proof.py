"""The proof for humans (issue 14, item 8): `check --format markdown` explains
union exits (the seed's rcu/rcu_users leave their union: where each was and
is, what it shared bytes with before and after), the same rows are in the
JSON (`union_changes`), and `--format github` also appends the markdown to
$GITHUB_STEP_SUMMARY when it is set (an unwritable one is exit 2)."""
import json
import os

import pytest

import fixturelib as fl

TASK = os.path.join(fl.ROOT, "fixtures", "c", "task_model.c")
RULES = ["--no-growth", "task_struct", "--disjoint", "task_struct.rcu_users,task_struct.rcu"]


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for(modes=("-m64",)))


def seed(cc):
    argv = fl.cc_argv(cc, "-m64")
    return (fl.compile_cached(argv, TASK, ["-O0", "-g"], label=f"proof_{cc}"),
            fl.compile_cached(argv, TASK, ["-O0", "-g", "-DPATCHED"], label=f"proof_{cc}_patched"))


def check(*args, env=None):
    e = dict(os.environ)
    e.pop("GITHUB_STEP_SUMMARY", None)
    e.update(env or {})
    return fl.run([fl.padguard(), "check", *RULES, *args], env=e)


@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_markdown_explains_the_union_exit(cc):
    old, new = seed(cc)
    r = check("--format", "markdown", "--pair", f"x86_64={old}:{new}")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    i = lines.index("Union changes (storage sharing):")
    exits = lines[i + 1:i + 3]
    assert exits[0].startswith("- [x86\\_64] task\\_struct.rcu left union &lt;anon union #1&gt;: offset 336 → ")
    assert exits[0].endswith(", shared bytes with rcu\\_users → nothing")
    assert exits[1].startswith("- [x86\\_64] task\\_struct.rcu\\_users left union &lt;anon union #1&gt;: offset 336 → ")
    assert exits[1].endswith(", shared bytes with rcu → nothing")
    assert lines[-1].startswith("**Verdict: ✅ PASS**")

    doc = json.loads(check("--format", "json", "--pair", f"x86_64={old}:{new}").stdout)
    row = doc["configs"][0]["structs"][0]
    assert sorted(m["key"] for m in row["union_changes"]) == ["rcu", "rcu_users"]
    assert all("left_union" in m["changes"] for m in row["union_changes"])
    assert {m["key"]: m["old_shares"] for m in row["union_changes"]} == {"rcu": ["rcu_users"], "rcu_users": ["rcu"]}


def test_unpatched_pair_has_no_union_section():
    old, _ = seed("gcc")
    r = fl.run([fl.padguard(), "check", "--no-growth", "task_struct", "--format", "markdown", old, old])
    assert r.returncode == 0, r.stdout
    assert "| task\\_struct | 568 → 568 (+0) |" in r.stdout
    assert "Union changes" not in r.stdout


def test_github_format_appends_the_job_summary(tmp_path):
    old, new = seed("gcc")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    r = check("--format", "github", old, new, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert r.returncode == 0, r.stderr
    md = check("--format", "markdown", old, new).stdout
    assert summary.read_text() == "earlier step\n" + md
    assert "Union changes (storage sharing):" in md
    # Text and markdown formats never touch it.
    check("--format", "markdown", old, new, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == "earlier step\n" + md


def test_unwritable_job_summary_is_an_error(tmp_path):
    old, new = seed("gcc")
    bad = tmp_path / "no" / "such" / "dir" / "summary.md"
    r = check("--format", "github", old, new, env={"GITHUB_STEP_SUMMARY": str(bad)})
    assert r.returncode == 2
    assert str(bad) in r.stderr and "GITHUB_STEP_SUMMARY" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
