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


def test_options(tmp_path):
    k = obj(tmp_path)
    for cmd, want in ((["check", "--no-grwoth", "task_struct", k, k], "did you mean '--no-growth'?"),
                      (["check", "--no-grwoth=task_struct", k, k], "did you mean '--no-growth'?"),
                      (["diff", "--formt", "json", k, k], "did you mean '--format'?"),
                      (["layout", "--zzzzzzzzzzzz", k], "see padguard layout --help")):
        r = fl.run([PADGUARD, *cmd])
        assert r.returncode == 2 and f"unknown option '{cmd[1].split('=')[0]}'" in r.stderr and want in r.stderr, \
            (cmd, r.stderr)
        assert r.stdout == "" and len(r.stderr.splitlines()) == 1, r.stderr
    # Known options, attached short values and values after "--" are not flagged.
    assert fl.run([PADGUARD, "layout", "-Ctask_struct", k]).returncode == 0
    assert fl.run([PADGUARD, "check", "--no-growth=all", k, k]).returncode == 0


def test_policy_keys_and_members(tmp_path):
    k = obj(tmp_path)
    pol = tmp_path / "p.toml"
    pol.write_text('no-grwoth = ["task_struct"]\n')
    r = fl.run([PADGUARD, "check", "--policy", str(pol), k, k])
    assert r.returncode == 2 and "unknown key 'no-grwoth'; did you mean 'no-growth'?" in r.stderr, r.stderr
    pol.write_text('qqqqqqqqqqqqqq = ["task_struct"]\n')
    r = fl.run([PADGUARD, "check", "--policy", str(pol), k, k])
    assert r.returncode == 2 and "known: no-growth" in r.stderr, r.stderr
    src = tmp_path / "m.c"
    src.write_text("struct task_struct { int rcu_users; long usage; };\nstruct task_struct t;\n")
    m = tmp_path / "m.o"
    assert fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(m), str(src)]).returncode == 0
    pol.write_text('disjoint = "task_struct.rcu_user,task_struct.usage"\n')
    r = fl.run([PADGUARD, "check", "--policy", str(pol), str(m), str(m)])
    assert r.returncode == 2 and "has no member 'rcu_user'; did you mean 'rcu_users'?" in r.stdout, r.stdout
    import json
    import jsonschema
    r = fl.run([PADGUARD, "check", "--format", "json", "--policy", str(pol), str(m), str(m)])
    doc = json.loads(r.stdout)
    schema = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "schema", "padguard.schema.json")
    jsonschema.Draft202012Validator(json.load(open(schema))).validate(doc)
    f = doc["configs"][0]["results"][0]["findings"][0]
    assert f["missing_member"] == "rcu_user" and f["member_suggestions"] == ["rcu_users"], f
