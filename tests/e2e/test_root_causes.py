"""Root causes in `padguard diff` (issue 14, items 1 and 2), end to end on
fixtures/diff/root_cause.c compiled with gcc and clang for x86_64, i386 and
arm32: struct device grows by sizeof(long); the records embedding it by value
(directly, through a typedef, as an array, transitively) are derived from it,
the one pointing to it is unchanged, the one with a change of its own is not
derived; the report opens with the root cause; an anonymous union that gains
a member is one changed container. JSON validated against the schema."""
import json
import os

import pytest

import fixturelib as fl

SRC = os.path.join(fl.ROOT, "fixtures", "diff", "root_cause.c")
LONG = {"-m64": 8, "-m32": 4, "-marm32": 4}
DERIVED = ["bridge", "bus", "group", "pci_dev"]


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for())


def pair(cc, mode):
    return fl.before_after(SRC, cc, mode, "rc")


def diff(*args):
    return fl.run([fl.padguard(), "diff", *args])


@pytest.mark.parametrize("mode", fl.MODES, ids=[fl.MODE_ID[m] for m in fl.MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_json_root_causes(cc, mode, validator):
    old, new = pair(cc, mode)
    r = diff("--format", "json", old, new)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    errors = list(validator.iter_errors(doc))
    assert not errors, errors[0].message
    delta = LONG[mode]
    assert doc["root_causes"] == [{"type": "device", "kind": "struct", "delta": delta,
                                   "affected": sorted(DERIVED + ["netdev"])}]
    recs = {x["name"]: x for x in doc["records"]}
    assert "owner" not in recs  # a pointer to it: unchanged
    for name in DERIVED:
        assert recs[name]["derived"], name
        assert recs[name]["root_causes"] == ["device"], name
    assert recs["bridge"]["because"] == [{"member": "self", "type": "pci_dev", "kind": "struct", "delta": delta}]
    assert recs["bus"]["because"][0]["member"] == "d"
    assert recs["group"]["because"] == [{"member": "devs", "type": "device", "kind": "struct", "delta": delta}]
    netdev = recs["netdev"]
    assert not netdev["derived"] and netdev["root_causes"] == ["device"]
    assert not recs["device"]["derived"] and recs["device"]["root_causes"] == []
    sock = recs["sock"]
    assert sock["containers_removed"] == [] and sock["containers_added"] == []
    assert len(sock["containers_changed"]) == 1
    c = sock["containers_changed"][0]
    assert c["members_entered"] == ["z"] and c["members_left"] == []
    assert (c["old"]["size"], c["new"]["size"]) == (LONG[mode], 16)


@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_text_opens_with_root_causes(cc):
    old, new = pair(cc, "-m64")
    r = diff(old, new)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[2] == "root causes (changed on their own, and in the records that embed them):"
    assert lines[3] == "  struct device grew +8: 5 records (bridge, bus, group, netdev, pci_dev)"
    assert "struct pci_dev: grew +8 (24 -> 32 bytes) because struct device grew +8 (member dev)" in lines
    assert ("struct bridge: grew +8 (32 -> 40 bytes) because struct pci_dev grew +8 (member self); "
            "root cause: struct device") in lines
    assert "struct group: grew +16 (32 -> 48 bytes) because struct device grew +8 (member devs)" in lines
    assert any(line.startswith("    anonymous union at 8 (x, y, z): resized 8 -> 16 bytes, members entered: z")
               for line in lines), r.stdout
    assert any("(struct device grew +8)" in line and line.startswith("    dev ") for line in lines), r.stdout
    assert lines[-1] == "7 changed (4 only through embedded records), 0 added, 0 removed, 1 unchanged"

    leaf = diff("--leaf-changes-only", old, new)
    assert leaf.returncode == 1
    assert "struct pci_dev:" not in leaf.stdout and "struct bridge:" not in leaf.stdout
    assert "struct netdev:" in leaf.stdout and "struct device:" in leaf.stdout
    assert leaf.stdout.splitlines()[-1] == ("7 changed (4 only through embedded records, not shown), 0 added, "
                                            "0 removed, 1 unchanged")


def test_no_root_causes_when_nothing_embeds():
    old, _ = pair("gcc", "-m64")
    r = diff("--format", "json", old, old)
    assert r.returncode == 0
    assert json.loads(r.stdout)["root_causes"] == []
    assert "root causes" not in diff(old, old).stdout
