"""Baselines in the tree (issue 14, item 7), end to end on
fixtures/diff/root_cause.c (gcc and clang, x86_64 and i386): `extract
--pretty` writes the same bytes every time (sorted keys, one field per line),
`check --baseline FILE NEW` checks NEW against it, `--update-baseline`
rewrites it from NEW so the change shows in `git diff`, and
scripts/kbuild-check wraps both for the kernel build. Every way a baseline
can be wrong fails closed (exit 2, one line naming the file and the fix)."""
import json
import os
import shutil
import subprocess

import pytest

import fixturelib as fl

SRC = os.path.join(fl.ROOT, "fixtures", "diff", "root_cause.c")
KBUILD_CHECK = os.path.join(fl.ROOT, "scripts", "kbuild-check")
MODES = ("-m64", "-m32")
STRUCTS = "device,pci_dev,owner"


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for(modes=MODES))


def builds(cc, mode):
    argv = fl.cc_argv(cc, mode)
    return (fl.compile_cached(argv, SRC, ["-O0", "-g"], label=f"bl_{cc}{mode}"),
            fl.compile_cached(argv, SRC, ["-O0", "-g", "-DAFTER"], label=f"bl_{cc}{mode}_after"))


def pg(*args, **kw):
    return fl.run([fl.padguard(), *args], **kw)


def extract(obj, out):
    r = pg("extract", "--pretty", "-C", STRUCTS, obj, "-o", out)
    assert r.returncode == 0, r.stderr
    with open(out, "rb") as f:
        return f.read()


@pytest.mark.parametrize("mode", MODES, ids=[fl.MODE_ID[m] for m in MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_baseline_flow(cc, mode, tmp_path):
    old, new = builds(cc, mode)
    base = str(tmp_path / "layout-baseline.json")
    first = extract(old, base)
    # Deterministic: the same bytes again, from another thread count too.
    r = pg("extract", "--pretty", "-j", "1", "-C", STRUCTS, old)
    assert r.returncode == 0 and r.stdout.encode() == first
    text = first.decode()
    assert text.count("\n") > 20, "pretty: one field per line"
    doc = json.loads(text)
    assert sorted(doc["record_table"][i]["name"] for i in doc["records"]) == sorted(STRUCTS.split(","))
    # Sorted keys at every level, so a changed value is a one-line git diff.
    def sorted_keys(v):
        if isinstance(v, dict):
            assert list(v) == sorted(v), list(v)
            for x in v.values():
                sorted_keys(x)
        elif isinstance(v, list):
            for x in v:
                sorted_keys(x)
    sorted_keys(doc)

    # Unchanged build: pass.
    r = pg("check", "--baseline", base, "--no-growth", "all", old)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS  no-growth all: 3 structs checked" in r.stdout, r.stdout
    # The grown build: device and pci_dev fail, owner (a pointer) passes.
    r = pg("check", "--baseline", base, "--no-growth", "all", "--format", "json", new)
    assert r.returncode == 1, r.stdout + r.stderr
    rep = json.loads(r.stdout)
    grow = 8 if mode == "-m64" else 4
    rows = {x["name"]: x for x in rep["configs"][0]["structs"]}
    assert {n for n, x in rows.items() if x["rules"] == ["FAIL"]} == {"device", "pci_dev"}, rows
    assert rows["device"]["size_delta"] == grow and rows["pci_dev"]["size_delta"] == grow
    assert rep["verdict"] == "FAIL"

    # Accept the change: the rewritten baseline differs exactly where the layout did.
    r = pg("check", "--baseline", base, "--update-baseline", new)
    assert r.returncode == 0, r.stderr
    assert "rewritten from" in r.stderr and "git diff" in r.stderr
    updated = open(base, "rb").read()
    assert updated == extract(new, str(tmp_path / "fresh.json")), "update == a fresh extract of NEW"
    assert updated != first
    assert not os.path.exists(base + ".tmp")
    r = pg("check", "--baseline", base, "--no-growth", "all", new)
    assert r.returncode == 0, r.stdout + r.stderr


def test_update_diffs_cleanly_in_git(tmp_path):
    """The point of --pretty: accepting a struct's growth changes a few lines."""
    if not shutil.which("git"):
        pytest.fail("git is required for this test (apt-get install git)")
    old, new = builds("gcc", "-m64")
    repo = tmp_path / "repo"
    repo.mkdir()
    base = str(repo / "layout-baseline.json")
    extract(old, base)
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    assert pg("check", "--baseline", base, "--update-baseline", new).returncode == 0
    d = subprocess.run([*git, "diff", "--numstat"], check=True, capture_output=True, text=True).stdout.split()
    added, removed = int(d[0]), int(d[1])
    total = open(base).read().count("\n")
    assert 0 < added + removed < total / 3, (added, removed, total)


def test_baseline_errors(tmp_path):
    old, new = builds("gcc", "-m64")
    base = str(tmp_path / "b.json")
    extract(old, base)
    missing = str(tmp_path / "nope.json")
    cases = [
        (["--baseline", missing, "--no-growth", "all", new], missing, "padguard extract --pretty"),
        (["--baseline", old, "--no-growth", "all", new], old, "not a facts file"),
        (["--baseline", base, "--no-growth", "all", old, new], "--baseline", "one input"),
        (["--update-baseline", new], "--update-baseline", "needs --baseline"),
        (["--baseline", base, "--pair", f"x={old}:{new}", "--no-growth", "all"], "--baseline", "not both"),
    ]
    for args, name, why in cases:
        r = pg("check", *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and why in lines[0], (args, r.stderr)
    # A corrupt baseline is an input error, not a pass.
    bad = tmp_path / "bad.json"
    bad.write_text("{\"records\": [")
    r = pg("check", "--baseline", str(bad), "--no-growth", "all", new)
    assert r.returncode == 2 and str(bad) in r.stderr, r.stderr
    # A baseline struct gone from NEW: update refuses, check fails closed.
    other = str(tmp_path / "other.o")
    with open(other + ".c", "w") as f:
        f.write("struct unrelated { int a; } u;\n")
    subprocess.run(["gcc", "-c", "-g", "-o", other, other + ".c"], check=True)
    r = pg("check", "--baseline", base, "--update-baseline", other)
    assert r.returncode == 2 and "device" in r.stderr and other in r.stderr, r.stderr
    assert open(base, "rb").read() == extract(old, str(tmp_path / "again.json")), "refused update left it alone"
    r = pg("check", "--baseline", base, "--no-growth", "all", other)
    assert r.returncode != 0, r.stdout


def test_kbuild_check_script(tmp_path):
    old, new = builds("gcc", "-m64")
    base = str(tmp_path / "b.json")
    extract(old, base)
    env = dict(os.environ, PADGUARD=fl.padguard())
    # An O= build directory holds vmlinux: the script finds it there.
    odir = tmp_path / "out"
    odir.mkdir()
    shutil.copy(old, odir / "vmlinux")
    r = fl.run([KBUILD_CHECK, base, f"O={odir}"], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no-growth" in r.stdout and "max-slack-loss" in r.stdout, "default rules"
    shutil.copy(new, odir / "vmlinux")
    r = fl.run([KBUILD_CHECK, base, str(odir)], env=env)
    assert r.returncode == 1 and "--update" in r.stderr, r.stdout + r.stderr
    # Rules given: only those.
    r = fl.run([KBUILD_CHECK, base, str(odir / "vmlinux"), "--max-growth", "device=4"], env=env)
    assert r.returncode == 1 and "max-growth" in r.stdout and "no-growth" not in r.stdout, r.stdout
    r = fl.run([KBUILD_CHECK, "--update", base, str(odir)], env=env)
    assert r.returncode == 0, r.stderr
    assert fl.run([KBUILD_CHECK, base, str(odir)], env=env).returncode == 0
    # Nothing built: exit 2 naming the file.
    r = fl.run([KBUILD_CHECK, base, str(tmp_path / "empty")], env=env)
    assert r.returncode == 2 and "vmlinux" in r.stderr, r.stderr
    r = fl.run([KBUILD_CHECK, str(tmp_path / "none.json"), str(odir)], env=env)
    assert r.returncode == 2 and "extract --pretty" in r.stderr, r.stderr
