"""Cacheline groups (issue 16), end to end on fixtures/c/cache_groups.c (gcc
and clang; x86_64, i386, arm32): `padguard groups` lists every group with the
kernel macros' own arithmetic, and the offsets agree with pahole's for every
marker; check's group rules pass and fail as CACHELINE_ASSERT_GROUP_SIZE /
_MEMBER would, over flags and a TOML policy; diff reports members entering and
leaving groups; `groups --pair` tabulates sizes per config with the size each
needs and the configs over a --limit; `layout --groups` leaves pahole's text
alone. JSON against the schema; every way to ask about nothing fails closed."""
import json
import os
import re

import pytest

import fixturelib as fl

SRC = os.path.join(fl.FIXTURES, "cache_groups.c")
MODES = fl.MODES


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for(), "pahole")


def build(cc, mode, after=False):
    flags = ["-O0", "-g"] + (["-DAFTER"] if after else [])
    return fl.compile_cached(fl.cc_argv(cc, mode), SRC, flags, label=f"groups_{cc}{mode}{'_after' if after else ''}")


def pg(*args):
    return fl.run([fl.padguard(), *args])


def groups_json(obj, validator, *args):
    r = pg("groups", "--format", "json", *args, obj)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    errors = list(validator.iter_errors(doc))
    assert not errors, errors[0].message
    return {s["struct"]: {g["name"]: g for g in s["groups"]} for s in doc["records"]}, doc


def pahole_markers(obj):
    """struct -> {member name: offset} for every marker line pahole prints."""
    out, cur = {}, None
    for line in fl.pahole_layout(obj).stdout.splitlines():
        m = re.match(r"^struct (\w+) \{", line)
        if m:
            cur = out.setdefault(m.group(1), {})
        m = re.search(r"(__cacheline_group_(?:begin|end|pad)__\w+)(?:\[0?\])?[^/]*/\*\s+(\d+)", line)
        if m and cur is not None:
            cur[m.group(1)] = int(m.group(2))
    return out


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_groups_match_pahole_offsets(cc, mode, validator):
    obj = build(cc, mode)
    got, doc = groups_json(obj, validator)
    assert set(got) == {"netdev_like", "aligned_groups", "nested_groups", "broken_groups"}, "no_groups has none"
    marks = pahole_markers(obj)
    check = fl.Checks()
    for struct in ("netdev_like", "aligned_groups"):  # top-level markers: pahole's offsets are absolute
        for name, g in got[struct].items():
            b = marks[struct][f"__cacheline_group_begin__{name}"]
            e = marks[struct][f"__cacheline_group_end__{name}"]
            check(g["begin"] == b and g["end"] == e and g["size"] == e - b, f"{struct}.{name}: {g} vs pahole {b}..{e}")
            first, last = b // 64, (e - 1) // 64
            check(g["cachelines"] == (last - first + 1 if e > b else 0) and g["first_cacheline"] == first, f"{struct}.{name}")
    nd = got["netdev_like"]
    check(nd["read_tx"]["members"] == ["priv_flags", "ops", "gso_max_segs"], nd["read_tx"])
    check(nd["read_txrx"]["members"] == ["ml_priv", "ml_type", "flags"], nd["read_txrx"])
    check(nd["read_rx"]["members"] == ["ptype", "big"], nd["read_rx"])
    check(nd["empty"]["size"] == 0 and nd["empty"]["cachelines"] == 0 and nd["empty"]["members"] == [], nd["empty"])
    check(nd["read_rx"]["cachelines"] >= 2, "read_rx crosses a cacheline boundary")
    hot = got["aligned_groups"]["hot"]
    check(hot["begin"] == 64 and hot["pad_end"] == 128 and hot["members"] == ["a", "b"], hot)
    check(hot["pad_end"] == marks["aligned_groups"]["__cacheline_group_pad__hot"], "pad offset as pahole prints it")
    ng = got["nested_groups"]
    check(ng["inner"]["members"] == ["sub.p", "sub.q"] and ng["inner"]["size"] == 8, ng["inner"])
    check(ng["anon"]["members"] == ["r"], ng["anon"])
    bad = got["broken_groups"]
    check(set(bad) == {"lonely", "orphan", "backwards"} and all(g.get("problem") for g in bad.values()), bad)
    check.done()


def test_text_and_selection(validator):
    obj = build("gcc", "-m64")
    r = pg("groups", "-C", "netdev_like,no_groups", obj)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "struct netdev_like (168 bytes): 4 cacheline groups"
    assert "  read_tx    [0, 18)  18 bytes, 1 cacheline from 0; members: priv_flags, ops, gso_max_segs" in r.stdout
    assert "struct no_groups: no cacheline groups" in r.stdout
    r = pg("groups", "-C", "netdev_lik", obj)
    assert r.returncode == 2 and "did you mean 'netdev_like'?" in r.stderr
    plain = fl.compile_cached(fl.cc_argv("gcc", "-m64"), os.path.join(fl.FIXTURES, "basic.c"), ["-g"], label="groups_none")
    r = pg("groups", plain)
    assert r.returncode == 0 and "no struct in" in r.stdout and "has cacheline groups" in r.stdout


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_check_group_rules(cc, mode, tmp_path, validator):
    old, new = build(cc, mode), build(cc, mode, after=True)
    _, before = groups_json(old, validator)
    tx_new = {s["struct"]: {g["name"]: g for g in s["groups"]} for s in groups_json(new, validator)[1]["records"]}
    size_after = tx_new["netdev_like"]["read_tx"]["size"]
    # CACHELINE_ASSERT_GROUP_SIZE at the new size passes, one byte less fails.
    r = pg("check", "--max-group-size", f"netdev_like.read_tx={size_after}", old, new)
    assert r.returncode == 0, r.stdout + r.stderr
    r = pg("check", "--format", "json", "--max-group-size", f"netdev_like.read_tx={size_after - 1}", old, new)
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert not list(validator.iter_errors(doc))
    f = doc["configs"][0]["results"][0]["findings"][0]
    assert f["unit"] == "group-bytes" and f["group"] == "read_tx" and f["new"] == size_after and f["verdict"] == "FAIL"
    assert f["where"]["file"].endswith("cache_groups.c")
    # Members: flags leaves read_txrx in the new build.
    r = pg("check", "--group-member", "netdev_like.read_txrx=ml_priv,flags", old, old)
    assert r.returncode == 0, r.stdout
    r = pg("check", "--group-member", "netdev_like.read_txrx=ml_priv,flags", old, new)
    assert r.returncode == 1 and "flags at [" in r.stdout and "is outside" in r.stdout, r.stdout
    # A policy that fails when a member is added to a group (TOML).
    pol = tmp_path / "groups.toml"
    pol.write_text('group-no-growth = ["netdev_like.read_tx"]\n'
                   'max-group-cachelines = { "netdev_like.read_rx" = 3 }\n'
                   'group-member = { "netdev_like.read_tx" = ["priv_flags", "ops"] }\n')
    r = pg("check", "--policy", str(pol), old, new)
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r"FAIL  group-no-growth netdev_like.read_tx: group read_tx \d+ -> \d+ bytes", r.stdout), r.stdout
    assert "PASS  max-group-cachelines netdev_like.read_rx=3" in r.stdout and "PASS  group-member" in r.stdout
    # Over every group of every struct with groups: broken_groups' markers
    # cannot be asserted, so the gate errs (fail closed) rather than pass them.
    r = pg("check", "--group-no-growth", "all", old, old)
    assert r.returncode == 2 and "struct broken_groups" in r.stdout and "incomplete or out of order" in r.stdout
    r = pg("check", "--format", "json", "--group-no-growth", "all", old, new)
    assert r.returncode == 2
    findings = {f["subject"]: f for f in json.loads(r.stdout)["configs"][0]["results"][0]["findings"]}
    assert findings["netdev_like"]["verdict"] == "FAIL" and findings["netdev_like"]["group"] == "read_tx"
    assert findings["broken_groups"]["problem"] == "bad-group"
    assert set(findings) == {"netdev_like", "broken_groups"}, "passing structs with groups are not listed"


def test_group_rules_fail_closed():
    old, new = build("gcc", "-m64"), build("gcc", "-m64", after=True)
    cases = [(["--max-group-size", "netdev_like.read_tz=10"], "no cacheline group 'read_tz'; did you mean 'read_tx'?"),
             (["--max-group-size", "broken_groups.lonely=10"], "incomplete or out of order"),
             (["--group-member", "netdev_like.read_tx=nosuch"], "has no member 'nosuch'"),
             (["--max-group-size", "netdev_like=10"], "expected STRUCT.GROUP"),
             (["--group-member", "netdev_like.read_tx"], "expected STRUCT.GROUP=member")]
    for args, why in cases:
        r = pg("check", *args, old, new)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert why in r.stdout + r.stderr, (args, r.stdout, r.stderr)
    plain = fl.compile_cached(fl.cc_argv("gcc", "-m64"), os.path.join(fl.FIXTURES, "basic.c"), ["-g"], label="groups_none")
    r = pg("check", "--group-no-growth", "all", plain, plain)
    assert r.returncode == 2 and "has a cacheline group" in r.stdout, r.stdout


def test_diff_reports_group_changes(validator):
    old, new = build("gcc", "-m64"), build("gcc", "-m64", after=True)
    r = pg("diff", "-C", "netdev_like", old, new)
    assert r.returncode == 1
    assert "    cacheline group read_tx: [0, 18) -> [0, 32), 18 -> 32 bytes (+14), members entered: tx_added\n" in r.stdout
    assert "cacheline group read_txrx: [18, 36) -> [32, 40), 18 -> 8 bytes (-10), members left: flags" in r.stdout
    doc = json.loads(pg("diff", "--format", "json", "-C", "netdev_like", old, new).stdout)
    assert not list(validator.iter_errors(doc))
    g = {x["name"]: x for x in doc["records"][0]["groups"]}
    assert g["read_tx"]["entered"] == ["tx_added"] and g["read_txrx"]["left"] == ["flags"]
    assert g["read_tx"]["old"]["size"] == 18 and g["read_tx"]["new"]["size"] == 32
    assert "empty" not in g, "unchanged groups are not listed"


def test_groups_across_configs(tmp_path, validator):
    pairs = []
    for cc in fl.COMPILERS:
        for mode in MODES:
            pairs += ["--pair", f"{cc}-{fl.MODE_ID[mode]}={build(cc, mode)}:{build(cc, mode, after=True)}"]
    r = pg("groups", *pairs, "-C", "netdev_like", "--limit", "netdev_like.read_tx=20")
    assert r.returncode == 1, r.stdout + r.stderr
    row = next(l for l in r.stdout.splitlines() if l.startswith("netdev_like.read_tx "))
    assert "18 -> 32" in row and row.split()[-1] == "gcc-m64,clang-m64", row
    doc = json.loads(pg("groups", "--format", "json", *pairs, "-C", "netdev_like", "--limit",
                        "netdev_like.read_tx=20").stdout)
    assert not list(validator.iter_errors(doc))
    tx = next(g for g in doc["groups"] if g["group"] == "read_tx")
    assert tx["needed"] == 32 and tx["over"] == ["gcc-m64", "clang-m64"] and tx["limit"] == 20
    assert all(n is not None for n in tx["new"])
    # Within the limit: exit 0. A config that was not built: exit 2 unless allowed.
    assert pg("groups", *pairs, "--limit", "netdev_like.read_tx=32").returncode == 0
    man = tmp_path / "m.txt"
    man.write_text(f"ok {build('gcc', '-m64')} {build('gcc', '-m64', after=True)}\nriscv !build-failed no compiler\n")
    r = pg("groups", "--manifest", str(man))
    assert r.returncode == 2 and "riscv" in r.stderr, r.stderr
    assert pg("groups", "--manifest", str(man), "--allow-skip", "riscv").returncode == 0
    r = pg("groups", *pairs, "--limit", "netdev_like.nosuch=1")
    assert r.returncode == 2 and "no config has this cacheline group" in r.stderr


def test_layout_groups_keeps_pahole_text():
    obj = build("gcc", "-m64")
    plain = fl.padguard_layout(obj).stdout
    assert plain == fl.pahole_layout(obj).stdout
    r = fl.padguard_layout("--groups", obj)
    assert r.returncode == 0 and r.stdout.startswith(plain)
    assert "/* padguard --groups */" in r.stdout[len(plain):] and "read_tx" in r.stdout[len(plain):]
    r = fl.padguard_layout("--groups", "--format", "json", obj)
    assert r.returncode == 2 and "padguard groups --format json" in r.stderr
