"""Suppressions (issue 14, item 6), end to end on fixtures/diff/suppress.c
(gcc and clang, x86_64 and i386): struct_group() and struct_group_tagged()
unions, members put into reserved bytes (sizeof unchanged) and KABI_USE-style
unions are "suppressed" by default, each suppression listed; the seed's real
union exit stays a change; --ignore-member and a policy's [suppress] table;
--no-default-suppressions turns the defaults off. JSON against the schema."""
import json
import os

import pytest

import fixturelib as fl

SRC = os.path.join(fl.ROOT, "fixtures", "diff", "suppress.c")
HARMLESS = ["kabi", "kabi_use", "sg", "sgt"]
MODES = ("-m64", "-m32")


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for(modes=MODES))


def pair(cc, mode):
    return fl.before_after(SRC, cc, mode, "sup")


def pg(*args):
    return fl.run([fl.padguard(), *args])


def records(r, validator):
    doc = json.loads(r.stdout)
    errors = list(validator.iter_errors(doc))
    assert not errors, errors[0].message
    return doc, {x["name"]: x for x in doc["records"]}


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_default_suppressions(cc, mode, validator):
    old, new = pair(cc, mode)
    r = pg("diff", "--format", "json", old, new)
    assert r.returncode == 1, r.stderr  # seed and ign still changed
    doc, recs = records(r, validator)
    for name in HARMLESS:
        assert recs[name]["status"] == "suppressed", (name, recs[name])
        assert recs[name]["members"] == [] and recs[name]["suppressed"], name
    assert doc["summary"]["suppressed"] == 4
    reasons = {name: {s["reason"] for s in recs[name]["suppressed"]} for name in HARMLESS}
    assert reasons == {"kabi": {"reserved"}, "kabi_use": {"reserved"}, "sg": {"struct_group"}, "sgt": {"struct_group"}}
    kabi = {s["key"]: s for s in recs["kabi"]["suppressed"]}
    assert set(kabi) == {"newf", "newg", "reserved1"}
    assert kabi["reserved1"]["pattern"] == "reserved*" and "removed" in kabi["reserved1"]["changes"]
    sg = {s["key"]: s["changes"] for s in recs["sg"]["suppressed"]}
    assert "entered_union" in sg["a"] and sg["hdr.a"][0] == "added"
    # The seed's union exit is a real change of storage sharing.
    seed = {m["key"]: m["changes"] for m in recs["seed"]["members"]}
    assert "left_union" in seed["rcu_users"] and "left_union" in seed["rcu"]
    assert recs["seed"]["suppressed"] == []
    assert recs["ign"]["status"] == "changed"

    r = pg("diff", "-C", ",".join(HARMLESS), old, new)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == "0 changed, 0 added, 0 removed, 0 unchanged, 4 only suppressed"


def test_text_lists_every_suppression():
    old, new = pair("gcc", "-m64")
    out = pg("diff", old, new).stdout
    assert "struct kabi: only suppressed changes, 24 bytes (reserved reserved*: newf, newg, reserved1)\n" in out
    assert "struct sg: only suppressed changes, 16 bytes (struct_group <anon union #1>: a, hdr.a, b, hdr.b" in out


def test_ignore_member_and_no_defaults(validator):
    old, new = pair("gcc", "-m64")
    _, recs = records(pg("diff", "--format", "json", "--ignore-member", "*debug*", old, new), validator)
    assert recs["ign"]["status"] == "suppressed"
    assert recs["ign"]["suppressed"] == [{"key": "debug_counter", "reason": "ignored", "pattern": "*debug*",
                                          "changes": ["retyped"]}]
    # STRUCT.key patterns too
    _, recs = records(pg("diff", "--format", "json", "--ignore-member", "ign.debug_*", old, new), validator)
    assert recs["ign"]["status"] == "suppressed"
    _, recs = records(pg("diff", "--format", "json", "--no-default-suppressions", old, new), validator)
    for name in HARMLESS:
        assert recs[name]["status"] == "changed" and recs[name]["suppressed"] == [], name


def test_policy_suppress_table(tmp_path):
    old, new = pair("gcc", "-m64")
    pol = tmp_path / "p.toml"
    pol.write_text('no-growth = ["sg", "kabi"]\n[suppress]\nignore-members = ["*debug*"]\n')
    r = pg("check", "--policy", str(pol), "--format", "markdown", old, new)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Suppressed (declared harmless):\n" in r.stdout
    assert "- sg.a: struct\\_group (&lt;anon union #1&gt;)" in r.stdout
    assert "Union changes" not in r.stdout  # struct_group entries are not storage changes
    pol.write_text('no-growth = ["sg"]\n[suppress]\nstruct-group = false\n')
    r = pg("check", "--policy", str(pol), "--format", "markdown", old, new)
    assert "Union changes (storage sharing):\n- sg.a entered union" in r.stdout, r.stdout
    pol.write_text('no-growth = ["sg"]\n[suppress]\nstruct-groups = false\n')
    r = pg("check", "--policy", str(pol), old, new)
    assert r.returncode == 2
    assert "unknown key 'suppress.struct-groups'" in r.stderr and str(pol) in r.stderr
    pol.write_text('[suppress]\nreserved = [1]\n')
    r = pg("check", "--policy", str(pol), old, new)
    assert r.returncode == 2 and "suppress.reserved must be an array of strings" in r.stderr
