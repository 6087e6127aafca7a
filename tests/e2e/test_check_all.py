"""No silent truncation in check (issue 14, item 5): past 50 offending
structs the table says "N more rows (--all)", the rule line "and N more
(--all lists them)", the JSON counts rows_omitted (the offenders list is
whole), and --all prints every row and name. A generated source with 60
structs that each grow under -DAFTER (gcc and clang, x86_64)."""
import json
import os

import pytest

import fixturelib as fl

N = 60
SCHEMA = os.path.join(fl.ROOT, "docs", "schema", "padguard.schema.json")


@pytest.fixture(scope="module")
def pair():
    fl.require(*fl.tools_for(modes=("-m64",)))
    d = fl.work_dir("check_all")
    src = os.path.join(d, "many.c")
    with open(src, "w") as f:
        for i in range(N):
            f.write(f"struct s{i:02d} {{ long a;\n#ifdef AFTER\n long b;\n#endif\n}} v{i:02d};\n")
    argv = fl.cc_argv("gcc", "-m64")
    return (fl.compile_cached(argv, src, ["-g", "-O0"], label="many"),
            fl.compile_cached(argv, src, ["-g", "-O0", "-DAFTER"], label="many_after"))


def check(pair, *args):
    old, new = pair
    return fl.run([fl.padguard(), "check", "--pair", f"cfg={old}:{new}", "--no-growth", "all", *args])


def test_capped_table_says_so(pair):
    r = check(pair)
    assert r.returncode == 1, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.startswith("cfg ")]
    assert len(rows) == 51, r.stdout  # 50 struct rows and the marker
    assert rows[-1].split() == ["cfg", "...", str(N - 50), "more", "rows", "(--all)"], rows[-1]
    rule = [l for l in r.stdout.splitlines() if l.startswith("FAIL")]
    assert len(rule) == 1 and f"{N} of {N} structs" in rule[0] and f"and {N - 10} more (--all lists them)" in rule[0]


def test_all_lists_everything(pair):
    r = check(pair, "--all")
    assert r.returncode == 1, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.startswith("cfg ")]
    assert len(rows) == N and "more" not in r.stdout, r.stdout
    assert sorted(l.split()[1] for l in rows) == [f"s{i:02d}" for i in range(N)]
    rule = [l for l in r.stdout.splitlines() if l.startswith("FAIL")][0]
    assert all(f"s{i:02d} " in rule for i in range(N))


def test_json_and_markdown(pair):
    import jsonschema
    with open(SCHEMA) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    for extra, omitted, nrows in (([], N - 50, 50), (["--all"], None, N)):
        r = check(pair, "--format", "json", *extra)
        doc = json.loads(r.stdout)
        errors = list(validator.iter_errors(doc))
        assert not errors, errors[0].message
        c = doc["configs"][0]
        assert c.get("rows_omitted") == omitted and len(c["structs"]) == nrows
        assert len(c["results"][0]["offenders"]) == N, "JSON offenders are never capped"
    md = check(pair, "--format", "markdown").stdout
    assert f"… {N - 50} more rows (`--all`)" in md, md
    assert "more rows" not in check(pair, "--format", "markdown", "--all").stdout
