"""Diffs people can read at kernel scale (issue 14, items 3 and 4), end to
end on fixtures/diff/views.c (gcc and clang, x86_64 and i386): `--stat`
(one line per record, largest |delta| first, totals), `--sort delta`,
`--only` (what it hides is counted, the exit status follows what is
shown), `-C` glob patterns (one matching nothing is exit 2), and bounded
lines (no default line past ~200 characters; --verbose and JSON keep every
name). JSON against the schema."""
import json
import os
import re

import pytest

import fixturelib as fl

SRC = os.path.join(fl.ROOT, "fixtures", "diff", "views.c")
MODES = ("-m64", "-m32")
WIDE = "a_rather_long_member_name_for_line_width_tests_number_"


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for(modes=MODES))


def pair(cc, mode):
    return fl.before_after(SRC, cc, mode, "views")


def pg(*args):
    return fl.run([fl.padguard(), *args])


def expected(mode):
    L = 8 if mode == "-m64" else 4  # sizeof(long)
    # name -> (old, new, delta, note)
    return {
        "net_big": (L, 5 * L, 4 * L, "root cause: 1 record"),
        "net_dev": (2 * L if L == 8 else 8, None, 4 * L, "through struct net_big"),
        "fresh": (None, 3 * L, 3 * L, "added"),
        "gone": (2 * L, None, -2 * L, "removed"),
        "shrinker": (2 * L, L, -L, ""),
        "net_small": (4, 8, 4, ""),
        "hidden": (None, None, 0, "hidden growth: tail padding"),
        "wide": (None, None, 0, ""),
    }


def stat_rows(out):
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(struct|union) (\S+)\s+(\S+)\s+(\S+)\s+([+-]\d+)\s*(.*)$", line)
        if m:
            rows.append((m.group(2), m.group(3), m.group(4), int(m.group(5)), m.group(6)))
    return rows


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_stat(cc, mode):
    old, new = pair(cc, mode)
    r = pg("diff", "--stat", old, new)
    assert r.returncode == 1, r.stderr
    rows = stat_rows(r.stdout)
    exp = expected(mode)
    assert [x[0] for x in rows] != sorted(x[0] for x in rows), "sorted by delta, not by name"
    assert {x[0] for x in rows} == set(exp), rows
    deltas = [abs(x[3]) for x in rows]
    assert deltas == sorted(deltas, reverse=True), rows
    for name, o, n, delta, note in rows:
        eo, en, ed, enote = exp[name]
        assert delta == ed, (name, delta, ed)
        assert note.startswith(enote), (name, note)
        if eo is not None:
            assert o == str(eo), (name, o)
        if name == "fresh":
            assert o == "-"
        if name == "gone":
            assert n == "-"
    last = r.stdout.splitlines()[-1]
    assert last.startswith("6 changed (3 grew, 1 shrank, 2 same size; 1 only through embedded records), "
                           "1 added, 1 removed"), last
    # One line per record: a screen holds 50.
    assert len(r.stdout.splitlines()) == len(exp) + 4
    # --sort name overrides --stat's default order.
    names = [x[0] for x in stat_rows(pg("diff", "--stat", "--sort", "name", old, new).stdout)]
    assert names == sorted(names)
    # A text summary only.
    r = pg("diff", "--stat", "--format", "json", old, new)
    assert r.returncode == 2 and "--stat" in r.stderr and len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_sort_and_only(cc, mode, validator):
    old, new = pair(cc, mode)
    doc = json.loads(pg("diff", "--format", "json", "--sort", "delta", old, new).stdout)
    assert not list(validator.iter_errors(doc))
    order = [x["name"] for x in doc["records"]]
    exp = expected(mode)
    keys = [(-abs(exp[n][2]), n) for n in order]
    assert keys == sorted(keys), order  # largest |delta| first, ties by name

    cases = {
        "grown": {"net_big", "net_dev", "net_small"},
        "shrunk": {"shrinker"},
        "added": {"fresh"},
        "removed": {"gone"},
        "changed": {"net_big", "net_dev", "net_small", "shrinker", "hidden", "wide"},
        "added,removed": {"fresh", "gone"},
    }
    total = 8
    for only, names in cases.items():
        r = pg("diff", "--format", "json", "--only", only, old, new)
        assert r.returncode == 1, (only, r.stderr)
        doc = json.loads(r.stdout)
        errors = list(validator.iter_errors(doc))
        assert not errors, errors[0].message
        assert {x["name"] for x in doc["records"]} == names, only
        assert doc["hidden"] == total - len(names) and doc["selection"] == "--only " + only
        text = pg("diff", "--only", only, old, new).stdout
        assert f"({total - len(names)} more changed record" in text and f"not shown: --only {only})" in text
    # Root causes follow the selection: net_big's stays while net_dev is shown.
    doc = json.loads(pg("diff", "--format", "json", "--only", "shrunk", old, new).stdout)
    assert doc["root_causes"] == []
    # Nothing of the kind asked for: exit 0, the rest counted.
    same_old = same_new = old
    r = pg("diff", "--only", "grown", same_old, same_new)
    assert r.returncode == 0 and "not shown" not in r.stdout
    r = pg("diff", "--only", "bigger", old, new)
    assert r.returncode == 2, r.stdout


@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_class_name_patterns(cc):
    old, new = pair(cc, "-m64")
    r = pg("diff", "--format", "json", "-C", "net_*", old, new)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert {x["name"] for x in doc["records"]} == {"net_big", "net_dev", "net_small"}
    assert [c["type"] for c in doc["root_causes"]] == ["net_big"]
    # A plain name among patterns is a pattern matching itself; unchanged matches are counted, not listed.
    doc = json.loads(pg("diff", "--format", "json", "-C", "sh?inker,same,[g]one", old, new).stdout)
    assert {x["name"] for x in doc["records"]} == {"shrinker", "gone"}
    assert doc["summary"]["unchanged"] == 1
    # A pattern matching nothing fails closed, naming it; the others still report.
    r = pg("diff", "-C", "net_*,nosuch*", old, new)
    assert r.returncode == 2, r.stdout
    assert "'nosuch*'" in r.stderr and len(r.stderr.splitlines()) == 1
    assert "struct net_big" in r.stdout
    # Without a glob, -C keeps its exact-name meaning (unchanged ones listed).
    r = pg("diff", "-C", "same", old, new)
    assert r.returncode == 0 and "struct same: unchanged" in r.stdout


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_bounded_lines(cc, mode, validator):
    old, new = pair(cc, mode)
    out = pg("diff", old, new).stdout
    assert max(len(l) for l in out.splitlines()) <= 200, max(out.splitlines(), key=len)
    assert "... and " in out and "shared bytes with 39 -> 40 members (+" + WIDE + "40)" in out
    verbose = pg("diff", "--verbose", old, new).stdout
    # Every name is somewhere in the verbose text, and in the JSON.
    assert all(f"{WIDE}{i}," in verbose or f"{WIDE}{i}]" in verbose for i in range(40))
    assert "... and " not in verbose
    doc = json.loads(pg("diff", "--format", "json", old, new).stdout)
    wide = next(x for x in doc["records"] if x["name"] == "wide")
    shares = [m for m in wide["members"] if m["key"].endswith(WIDE + "0")][0]
    assert len(shares["new_shares"]) == 40 and len(shares["old_shares"]) == 39
