"""End to end: `padguard diff`, `check` (single pair, --pair matrix,
--manifest, --policy), `extract` facts files and `layout --format json`, on
fixtures compiled once per session with gcc AND clang, for x86_64 (-m64),
i386 (-m32) and arm32 (-marm32, label "armhf"; u64 8-aligned: a second 32-bit ABI):
fixtures/c/task_model.c before/after the seed patch under its simulated
configs, fixtures/diff/{reorder,added_removed}.c.

Asserts exit codes (diff: 0 same / 1 changed / 2 trouble; check: 0 pass /
1 fail / 2 input or usage error, never 0 on bad input), the numbers from the
header of task_model.c (arm32: the table below), every rule passing once and
failing once, facts round trips, every JSON document against
docs/schema/padguard.schema.json, and the github/JUnit outputs against goldens
in fixtures/diff/goldens (regenerate them only with
`pytest --regen-goldens`, then review the diff)."""
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
ROOT = fl.ROOT
TASK = os.path.join(ROOT, "fixtures", "c", "task_model.c")
DIFF_DIR = os.path.join(ROOT, "fixtures", "diff")
POLICIES = os.path.join(ROOT, "fixtures", "policies")
GOLDENS = os.path.join(DIFF_DIR, "goldens")
SCHEMA = os.path.join(ROOT, "docs", "schema", "padguard.schema.json")
COMPILERS = list(fl.COMPILERS)
RT = ["-DCONFIG_PREEMPT_RT", "-DCONFIG_DEBUG_ATOMIC_SLEEP"]

# label -> (mode, flags, task_struct sizes before/after, tail padding), from
# the table at the top of fixtures/c/task_model.c. arm32 (pahole 1.24, gcc 12
# and clang 14 agree): u64 is 8-aligned there, so the i386 +4 growth becomes
# +8 (4 bytes of tail padding), and the -rt variant's +4 hides in padding.
TASK_CASES = {
    "x86_64":          ("-m64", [],                                          (568, 568), (0, 0)),
    "i386":            ("-m32", [],                                          (368, 372), None),
    "x86_64-tiny":     ("-m64", ["-DCONFIG_TINY"],                           (504, 512), None),
    "x86_64-tiny-cl":  ("-m64", ["-DCONFIG_TINY", "-DCONFIG_CACHELINE_TASK"], (512, 512), (8, 0)),
    "i386-cl":         ("-m32", ["-DCONFIG_CACHELINE_TASK"],                 (384, 384), (16, 12)),
    "x86_64-cl":       ("-m64", ["-DCONFIG_CACHELINE_TASK"],                 (576, 576), (8, 8)),
    "x86_64-rt":       ("-m64", RT,                                          (584, 584), None),
    "armhf":           ("-marm32", [],                                       (368, 376), (0, 4)),
    "armhf-cl":        ("-marm32", ["-DCONFIG_CACHELINE_TASK"],              (384, 384), (16, 12)),
    "armhf-rt":        ("-marm32", RT,                                       (392, 392), (4, 0)),
}
SEED_RULES = ["--no-growth", "task_struct", "--disjoint", "task_struct.rcu_users,task_struct.rcu"]
MODES = list(fl.MODES)
MODE_IDS = [fl.MODE_ID[m] for m in MODES]
JSON_CHECKED = [0]


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for())


@pytest.fixture(scope="module")
def validator():
    try:
        import jsonschema
    except ImportError:
        pytest.fail("python3-jsonschema is missing (apt-get install python3-jsonschema)", pytrace=False)
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def work():
    return fl.work_dir("diff_check")


class Env:
    """What every test here uses: run padguard, compile, validate JSON, and
    collect the checks (fl.Checks) of one test."""

    def __init__(self, work, validator, check):
        self.work = work
        self.validator = validator
        self.t = check

    def run(self, *args, cwd=None):
        r = subprocess.run([PADGUARD, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def compile(self, cc, mode, src, flags, out=None, cwd=None):
        """Compiles into the shared cache, or (cwd given) to `out` inside cwd,
        where relative paths in the output must not depend on the cache."""
        if cwd is None:
            return fl.compile_cached(fl.cc_argv(cc, mode), src, ["-O0", "-g", *flags],
                                     label=f"dc_{cc}{mode}_{os.path.basename(src)[:-2]}")
        if not os.path.exists(os.path.join(cwd, out)):
            r = fl.run([*fl.cc_argv(cc, mode), "-c", "-O0", "-g", *flags, "-o", out, src], cwd=cwd)
            if r.returncode != 0:
                raise fl.CompileError(f"{cc} {mode} {' '.join(flags)} {src}: {r.stderr.strip()}")
        return out

    def json_doc(self, text, what):
        """Parses a JSON document and validates it against the schema."""
        try:
            doc = json.loads(text)
        except ValueError as e:
            self.t(False, f"{what}: not JSON: {e}")
            return None
        errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        JSON_CHECKED[0] += 1
        self.t(not errors, f"{what}: schema: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message[:160]}" for e in errors[:3]))
        return doc

    def expect_rc(self, rc, want, what, err=""):
        self.t(rc == want, f"{what}: exit {rc}, want {want} {err.strip()[:300]}")


@pytest.fixture
def env(work, validator, check):
    """Each test ends with env.t.done(), which reports every failed check."""
    return Env(work, validator, check)


def task_pair(env, cc, label):
    mode, flags, _, _ = TASK_CASES[label]
    return (env.compile(cc, mode, TASK, flags), env.compile(cc, mode, TASK, flags + ["-DPATCHED"]))


def check(env, *args):
    return env.run("check", *args)


# ---- diff ----------------------------------------------------------------------


@pytest.mark.parametrize("label", ["x86_64", "i386", "armhf"])
@pytest.mark.parametrize("cc", COMPILERS)
def test_task_diff(env, cc, label):
    b, a = task_pair(env, cc, label)
    what = f"{cc} {label} diff task_struct"
    rc, out, err = env.run("diff", "-C", "task_struct", b, a)
    env.expect_rc(rc, 1, what, err)
    env.t("union <anon union #1> removed" in out, f"{what}: union removal not reported:\n{out}")
    rc, out, err = env.run("diff", "-C", "task_struct", "--format", "json", b, a)
    env.expect_rc(rc, 1, what + " json", err)
    doc = env.json_doc(out, what)
    if doc:
        rec = doc["records"][0]
        sizes = TASK_CASES[label][2]
        env.t((rec["old"]["size"], rec["new"]["size"]) == sizes, f"{what}: sizes {rec['old']['size']}, "
              f"{rec['new']['size']} want {sizes}")
        members = {m["key"]: m for m in rec["members"]}
        for key in ("rcu_users", "rcu"):
            ch = members.get(key, {}).get("changes", [])
            env.t("moved" in ch and "left_union" in ch, f"{what}: {key} changes {ch}")
        env.t(members.get("rcu_users", {}).get("old_shares") == ["rcu"], f"{what}: rcu_users old sharing")
        env.t(members.get("rcu_users", {}).get("new_shares") == [], f"{what}: rcu_users new sharing")
        moved = sorted(k for k, m in members.items() if "moved" in m["changes"])
        env.t(moved == ["rcu", "rcu_users"], f"{what}: moved members {moved}")
        env.t(len(rec["containers_removed"]) == 1 and rec["containers_removed"][0]["kind"] == "union",
              f"{what}: containers_removed {rec['containers_removed']}")
        if label == "x86_64":
            env.t(any(h["size"] == 4 for h in rec["holes_filled"]),
                  f"{what}: the 4-byte hole should be filled: {rec['holes_filled']}")
            env.t(rec["size_delta"] == 0, f"{what}: size_delta {rec['size_delta']}")
        if label == "armhf":
            env.t(rec["size_delta"] == 8, f"{what}: size_delta {rec['size_delta']}, want 8 (u64 8-aligned)")
    # The reverse direction: members enter a union.
    rc, out, err = env.run("diff", "-C", "task_struct", "--format", "json", a, b)
    doc = env.json_doc(out, what + " reversed")
    if doc:
        ch = {m["key"]: m["changes"] for m in doc["records"][0]["members"]}
        env.t("entered_union" in ch.get("rcu_users", []), f"{what} reversed: {ch.get('rcu_users')}")
    rc, out, err = env.run("diff", a, a)
    env.expect_rc(rc, 0, f"{cc} {label} diff of a file with itself", err)
    env.t.done()


def diff_pair(env, cc, mode, name):
    src = os.path.join(DIFF_DIR, name + ".c")
    return env.compile(cc, mode, src, []), env.compile(cc, mode, src, ["-DAFTER"])


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("cc", COMPILERS)
def test_reorder_diff(env, cc, mode):
    tag = f"{cc}{mode}"
    b, a = diff_pair(env, cc, mode, "reorder")
    rc, out, err = env.run("diff", "--format", "json", b, a)
    env.expect_rc(rc, 1, f"{tag} reorder diff", err)
    doc = env.json_doc(out, f"{tag} reorder diff")
    if doc:
        rec = next(r for r in doc["records"] if r["name"] == "reorder")
        moved = [m["key"] for m in rec["members"] if "moved" in m["changes"]]
        env.t(moved == ["flag"], f"{tag} reorder: moved {moved}, want ['flag']")
        want = (32, 24) if mode == "-m64" else (16, 16)   # long is 4 bytes on i386 and arm32
        env.t((rec["old"]["size"], rec["new"]["size"]) == want, f"{tag} reorder sizes")
        if mode != "-m64":
            env.t(rec["slack_loss"] == 3, f"{tag} reorder: slack loss {rec['slack_loss']}")
    env.t.done()


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("cc", COMPILERS)
def test_added_removed_diff(env, cc, mode):
    tag = f"{cc}{mode}"
    b, a = diff_pair(env, cc, mode, "added_removed")
    rc, out, err = env.run("diff", "--format", "json", b, a)
    env.expect_rc(rc, 1, f"{tag} added_removed diff", err)
    doc = env.json_doc(out, f"{tag} added_removed diff")
    if doc:
        status = {r["name"]: r["status"] for r in doc["records"]}
        env.t(status.get("fresh") == "added" and status.get("gone") == "removed",
              f"{tag} added/removed structs: {status}")
        env.t("same" not in status and doc["summary"]["unchanged"] >= 1, f"{tag}: unchanged struct listed")
        rec = next(r for r in doc["records"] if r["name"] == "member_changes")
        ch = {m["key"]: set(m["changes"]) for m in rec["members"]}
        expect = {"old_count": "removed", "new_count": "added", "mode": "retyped", "kind": "bitfield"}
        if mode == "-m64":
            expect.update({"len": "resized", "tag": "straddles"})
        for key, c in expect.items():
            env.t(c in ch.get(key, set()), f"{tag} member_changes.{key}: {ch.get(key)} lacks {c}")
        decl = next(m for m in rec["members"] if m["key"] == "new_count")["new"]["decl"]
        env.t(decl and decl["file"].endswith("added_removed.c") and decl["line"] == 26,
              f"{tag}: new_count declared at {decl}")
    rc, out, err = env.run("diff", "-C", "gone", b, a)
    env.expect_rc(rc, 2, f"{tag} diff -C of a struct missing on one side", err)
    rc, out, err = env.run("diff", "-C", "nosuch", b, a)
    env.expect_rc(rc, 2, f"{tag} diff -C of a struct missing on both sides", err)
    rc, out, err = env.run("diff", "-C", "same", b, a)
    env.expect_rc(rc, 0, f"{tag} diff -C of an unchanged struct", err)
    env.t.done()


# ---- check: one pair ------------------------------------------------------------

TASK_POLICY = os.path.join(POLICIES, "task_struct.toml")
ALL_RULES = os.path.join(POLICIES, "all_rules.toml")
# Every rule once passing, once failing, on the task model: (id, flags, pair label, reversed, exit).
RULE_CASES = [
    ("no-growth-pass", ["--no-growth", "task_struct"], "x86_64", False, 0),
    ("no-growth-fail", ["--no-growth", "task_struct"], "i386", False, 1),
    ("no-growth-all-pass", ["--no-growth", "all"], "x86_64", False, 0),
    ("no-growth-all-fail", ["--no-growth", "all"], "i386", False, 1),
    ("max-growth-pass", ["--max-growth", "task_struct=4"], "i386", False, 0),
    ("max-growth-fail", ["--max-growth", "task_struct=3"], "i386", False, 1),
    ("max-cachelines-pass", ["--max-cachelines", "task_struct=9"], "x86_64", False, 0),
    ("max-cachelines-fail", ["--max-cachelines", "task_struct=8"], "x86_64", False, 1),
    ("disjoint-pass", ["--disjoint", "task_struct.rcu_users,task_struct.rcu"], "x86_64", False, 0),
    ("disjoint-fail", ["--disjoint", "task_struct.rcu_users,task_struct.rcu"], "x86_64", True, 1),
    ("no-new-holes-pass", ["--no-new-holes", "task_struct"], "x86_64", False, 0),
    ("no-new-holes-fail", ["--no-new-holes", "task_struct"], "x86_64-tiny", False, 1),
    ("max-slack-loss-pass", ["--max-slack-loss", "8"], "x86_64-tiny-cl", False, 0),
    ("max-slack-loss-fail", ["--max-slack-loss", "task_struct=0"], "x86_64-tiny-cl", False, 1),
    ("seed-rules-pass", SEED_RULES, "x86_64", False, 0),
    ("policy-pass", ["--policy", TASK_POLICY], "x86_64", False, 0),
    ("policy-fail", ["--policy", TASK_POLICY], "x86_64-tiny-cl", False, 1),
    ("policy-all-rules-pass", ["--policy", ALL_RULES], "x86_64", False, 0),
    # arm32: u64 8-aligned, so the seed patch grows task_struct by 8, not 4.
    ("armhf-no-growth-fail", ["--no-growth", "task_struct"], "armhf", False, 1),
    ("armhf-max-growth-pass", ["--max-growth", "task_struct=8"], "armhf", False, 0),
    ("armhf-max-growth-fail", ["--max-growth", "task_struct=7"], "armhf", False, 1),
    ("armhf-rt-no-growth-pass", ["--no-growth", "task_struct"], "armhf-rt", False, 0),
    ("armhf-rt-slack-loss-fail", ["--max-slack-loss", "task_struct=0"], "armhf-rt", False, 1),
]


@pytest.mark.parametrize("flags,label,rev,want", [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES])
@pytest.mark.parametrize("cc", COMPILERS)
def test_rule(env, cc, flags, label, rev, want):
    b, a = task_pair(env, cc, label)
    if rev:
        b, a = a, b
    what = f"{cc} check {' '.join(flags)} {label}{' reversed' if rev else ''}"
    rc, out, err = check(env, *flags, b, a)
    env.expect_rc(rc, want, what, err + out)
    verdict = "PASS" if want == 0 else "FAIL"
    env.t(f"verdict: {verdict}" in out, f"{what}: no 'verdict: {verdict}' in\n{out}")
    rc, out, err = check(env, *flags, "--format", "json", b, a)
    doc = env.json_doc(out, what + " json")
    if doc:
        env.t(doc["verdict"] == verdict, f"{what}: json verdict {doc['verdict']}")
    env.t.done()


@pytest.mark.parametrize("cc", COMPILERS)
def test_disjoint_failure_detail(env, cc):
    """The disjoint failure names the numbers and the declaration."""
    b, a = task_pair(env, cc, "x86_64")
    rc, out, _ = check(env, "--disjoint", "task_struct.rcu_users,task_struct.rcu", a, b)
    assert "share 4 bytes" in out and "task_model.c:" in out, f"{cc} disjoint failure detail:\n{out}"


@pytest.mark.parametrize("cc", COMPILERS)
def test_slack_loss_detail(env, cc):
    rc, out, _ = check(env, "--max-slack-loss", "0", *task_pair(env, cc, "x86_64-tiny-cl"))
    assert "8 bytes of slack lost" in out, f"{cc} slack loss detail:\n{out}"


def write(path, data):
    with open(path, "w") as f:
        f.write(data)
    return path


def bad_file(env, cc, kind):
    w = env.work
    b, _ = task_pair(env, cc, "x86_64")
    if kind == "missing":
        return os.path.join(w, "does-not-exist.o")
    if kind == "empty":
        return write(os.path.join(w, "empty.o"), "")
    if kind == "truncated":
        out = os.path.join(w, f"{cc}_truncated.o")
        with open(b, "rb") as f, open(out, "wb") as g:
            g.write(f.read()[:300])
        return out
    if kind == "notelf":
        return write(os.path.join(w, "notelf.o"), "hello\n")
    if kind == "corrupt_facts":
        return write(os.path.join(w, "corrupt_facts.json"),
                     '{"schema_version": "1.0", "kind": "facts", "records": [0]')
    if kind == "wrong_kind":
        return write(os.path.join(w, "wrong_kind.json"), '{"schema_version": "1.0", "kind": "layout"}')
    out = os.path.join(w, f"{cc}_nodwarf.o")
    subprocess.run([cc, "-c", "-O0", "-o", out, TASK], check=True)
    return out


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "notelf", "corrupt_facts", "wrong_kind",
                                  "nodwarf"])
@pytest.mark.parametrize("cc", COMPILERS)
def test_bad_input(env, cc, kind):
    b, a = task_pair(env, cc, "x86_64")
    bad = bad_file(env, cc, kind)
    for args in ((bad, a), (b, bad)):
        rc, out, err = check(env, *SEED_RULES, *args)
        env.expect_rc(rc, 2, f"{cc} check with bad input {os.path.basename(bad)}", err)
        env.t(err.startswith("padguard: ") and os.path.basename(bad) in err,
              f"{cc} bad input {bad}: stderr should name the file: {err!r}")
    rc, out, err = env.run("diff", bad, a)
    env.expect_rc(rc, 2, f"{cc} diff with bad input {os.path.basename(bad)}", err)
    env.t.done()


def usage_cases(work, b, a):
    return [
        ([b, a], "no rules"),
        (["--no-growth", "task_struct", b], "one file"),
        (["--no-growth", "task_struct", "--pair", f"x={b}:{a}", b, a], "pair and files"),
        (["--max-growth", "task_struct", b, a], "max-growth without =N"),
        (["--disjoint", "task_struct.rcu_users", b, a], "disjoint with one member"),
        (["--disjoint", "task_struct.rcu_users,task_struct.nosuch", b, a], "disjoint unknown member"),
        (["--no-growth", "nosuch", b, a], "unknown struct"),
        (["--policy", os.path.join(POLICIES, "typo.toml"), b, a], "policy with a typo"),
        (["--policy", os.path.join(work, "nope.toml"), b, a], "missing policy"),
        (["--pair", "nolabel", "--no-growth", "task_struct"], "malformed --pair"),
        (["--manifest", os.path.join(work, "nope.txt"), "--no-growth", "task_struct"], "missing manifest"),
        (["--no-growth", "task_struct", "--format", "xml", b, a], "unknown format"),
    ]


USAGE_IDS = [what.replace(" ", "_") for _, what in usage_cases("", "b", "a")]


@pytest.mark.parametrize("case", range(len(USAGE_IDS)), ids=USAGE_IDS)
@pytest.mark.parametrize("cc", COMPILERS)
def test_usage_error(env, cc, case):
    args, what = usage_cases(env.work, *task_pair(env, cc, "x86_64"))[case]
    rc, out, err = check(env, *args)
    assert rc == 2, f"{cc} check usage error: {what}: exit {rc}, want 2 {err.strip()[:300]}"


# ---- check: matrix ----------------------------------------------------------------

MATRIX_RULES = SEED_RULES + ["--max-slack-loss", "0"]
GROWTH_LABELS = ["x86_64", "i386", "x86_64-tiny-cl", "i386-cl"]


def pair_args(env, cc, labels):
    args = []
    for label in labels:
        b, a = task_pair(env, cc, label)
        args += ["--pair", f"{label}={b}:{a}"]
    return args


def rows_of(out, labels):
    return {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in labels}


@pytest.mark.parametrize("cc", COMPILERS)
def test_matrix_passing(env, cc):
    passing = ["x86_64", "x86_64-cl", "x86_64-rt"]
    rc, out, err = check(env, *MATRIX_RULES, *pair_args(env, cc, passing))
    env.expect_rc(rc, 0, f"{cc} matrix of passing configs", err + out)
    for label in passing:
        env.t(any(line.startswith(label + " ") for line in out.splitlines()), f"{cc} matrix row {label}")
    env.t(out.rstrip().endswith("verdict: PASS (9 rule checks over 3 configs, 0 failed, 0 errors)"),
          f"{cc} matrix verdict line:\n{out}")
    env.t.done()


@pytest.mark.parametrize("cc", COMPILERS)
def test_matrix_growth(env, cc):
    """Growth on one config only (i386), hidden growth on two."""
    labels = GROWTH_LABELS
    rc, out, err = check(env, *MATRIX_RULES, *pair_args(env, cc, labels))
    env.expect_rc(rc, 1, f"{cc} matrix with growth on i386 only", err)
    rows = rows_of(out, labels)
    env.t("368 -> 372 (+4)" in rows.get("i386", ""), f"{cc} i386 row: {rows.get('i386')}")
    env.t("hidden +8, 0 left" in rows.get("x86_64-tiny-cl", ""), f"{cc} tiny-cl row: {rows.get('x86_64-tiny-cl')}")
    env.t("hidden +4, 12 left" in rows.get("i386-cl", ""), f"{cc} i386-cl row: {rows.get('i386-cl')}")
    env.t("FAIL  [i386] no-growth task_struct: 368 -> 372 bytes (+4)" in out, f"{cc} i386 failure line")
    rc, out, err = check(env, *MATRIX_RULES, "--format", "json", *pair_args(env, cc, labels))
    doc = env.json_doc(out, f"{cc} matrix json")
    if doc:
        verdicts = {c["label"]: c["verdict"] for c in doc["configs"]}
        env.t(verdicts == {"x86_64": "PASS", "i386": "FAIL", "x86_64-tiny-cl": "FAIL", "i386-cl": "FAIL"},
              f"{cc} per-config verdicts {verdicts}")
        row = doc["configs"][2]["structs"][0]
        env.t(row["hidden_growth"] and row["slack_loss"] == 8, f"{cc} tiny-cl json row {row}")
    env.t.done()


@pytest.mark.parametrize("cc", COMPILERS)
def test_matrix_two_32bit_abis(env, cc):
    """i386 and arm32 differ: +4 against +8 (u64 is 8-aligned on arm), and the
    -rt growth that shows on i386 hides in arm32's tail padding."""
    labels = ["i386", "armhf", "armhf-cl", "armhf-rt"]
    rc, out, err = check(env, *MATRIX_RULES, *pair_args(env, cc, labels))
    env.expect_rc(rc, 1, f"{cc} matrix i386/armhf", err)
    rows = rows_of(out, labels)
    env.t("368 -> 372 (+4)" in rows.get("i386", ""), f"{cc} i386 row: {rows.get('i386')}")
    env.t("368 -> 376 (+8)" in rows.get("armhf", ""), f"{cc} armhf row: {rows.get('armhf')}")
    env.t("hidden +4, 12 left" in rows.get("armhf-cl", ""), f"{cc} armhf-cl row: {rows.get('armhf-cl')}")
    env.t("hidden +4, 0 left" in rows.get("armhf-rt", ""), f"{cc} armhf-rt row: {rows.get('armhf-rt')}")
    env.t("FAIL  [armhf] no-growth task_struct: 368 -> 376 bytes (+8)" in out, f"{cc} armhf failure line:\n{out}")
    rc, out, err = check(env, *MATRIX_RULES, "--format", "json", *pair_args(env, cc, labels))
    doc = env.json_doc(out, f"{cc} i386/armhf matrix json")
    if doc:
        verdicts = {c["label"]: c["verdict"] for c in doc["configs"]}
        env.t(verdicts == {"i386": "FAIL", "armhf": "FAIL", "armhf-cl": "FAIL", "armhf-rt": "FAIL"},
              f"{cc} per-config verdicts {verdicts}")
    env.t.done()


@pytest.mark.parametrize("cc", COMPILERS)
def test_matrix_error_rows(env, cc):
    """Error rows: no DWARF / not ELF, and a config lacking the struct."""
    notelf = write(os.path.join(env.work, "notelf.o"), "hello\n")
    other = env.compile(cc, "-m64", os.path.join(DIFF_DIR, "reorder.c"), [])
    b, a = task_pair(env, cc, "x86_64")
    err_pairs = pair_args(env, cc, ["x86_64"]) + ["--pair", f"broken={notelf}:{a}", "--pair",
                                                  f"nostruct={other}:{other}"]
    rc, out, err = check(env, *MATRIX_RULES, *err_pairs)
    env.expect_rc(rc, 2, f"{cc} matrix with error rows", err)
    env.t("verdict: ERROR" in out, f"{cc} error rows verdict:\n{out}")
    env.t(any(line.startswith("broken ") and "ERROR" in line for line in out.splitlines()),
          f"{cc} broken row:\n{out}")
    env.t(any(line.startswith("nostruct ") and "not found" in line for line in out.splitlines()),
          f"{cc} nostruct row:\n{out}")
    rc, out, err = check(env, *MATRIX_RULES, "--format", "json", *err_pairs)
    doc = env.json_doc(out, f"{cc} error rows json")
    if doc:
        env.t(doc["verdict"] == "ERROR" and doc["configs"][1].get("error"), f"{cc} json error row")
    env.t.done()


@pytest.mark.parametrize("cc", COMPILERS)
def test_manifest(env, cc):
    """A manifest (paths relative to itself) gives the same result as --pair flags."""
    labels = GROWTH_LABELS
    manifest = os.path.join(env.work, f"{cc}_manifest.txt")
    with open(manifest, "w") as f:
        f.write("# label old new\n")
        for label in labels:
            b, a = task_pair(env, cc, label)
            f.write(f"{label} {os.path.relpath(b, env.work)} {os.path.relpath(a, env.work)}\n")
    rc1, out1, _ = check(env, *MATRIX_RULES, "--format", "json", *pair_args(env, cc, labels))
    rc2, out2, err2 = check(env, *MATRIX_RULES, "--format", "json", "--manifest", manifest)
    env.expect_rc(rc2, rc1, f"{cc} manifest exit", err2)
    strip = lambda t: [(c["label"], c["verdict"], c["structs"]) for c in json.loads(t)["configs"]] if t else None
    env.t(strip(out1) == strip(out2), f"{cc} manifest and --pair results differ")
    env.t.done()


# ---- facts --------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["x86_64", "i386", "x86_64-tiny-cl", "armhf"])
@pytest.mark.parametrize("cc", COMPILERS)
def test_facts(env, cc, label):
    b, a = task_pair(env, cc, label)
    fb = os.path.join(env.work, f"{cc}_{label}_before.facts.json")
    fa = os.path.join(env.work, f"{cc}_{label}_after.facts.json")
    for obj, facts in ((b, fb), (a, fa)):
        rc, out, err = env.run("extract", "-C", "task_struct,callback_head", obj, "-o", facts)
        env.expect_rc(rc, 0, f"{cc} {label} extract", err)
        with open(facts) as f:
            env.json_doc(f.read(), f"{cc} {label} facts")
        rc1, t1, _ = env.run("layout", "-C", "task_struct", obj)
        rc2, t2, _ = env.run("layout", "-C", "task_struct", facts)
        env.t(rc1 == rc2 == 0 and t1 == t2, f"{cc} {label}: layout of facts differs from the ELF's")
    rc, d1, _ = env.run("diff", "-C", "task_struct", "--format", "json", b, a)
    for old, new in ((fb, fa), (b, fa), (fb, a)):
        rc2, d2, err = env.run("diff", "-C", "task_struct", "--format", "json", old, new)
        same = rc2 == rc and json.loads(d2)["records"] == json.loads(d1)["records"] if d2 else False
        env.t(same, f"{cc} {label}: diff {os.path.basename(old)} {os.path.basename(new)} differs from ELF's")
    rc1, c1, _ = check(env, *SEED_RULES, "--max-slack-loss", "0", b, a)
    rc2, c2, _ = check(env, *SEED_RULES, "--max-slack-loss", "0", fb, fa)
    env.t(rc1 == rc2 and c1.splitlines()[1:] == c2.splitlines()[1:],
          f"{cc} {label}: check on facts differs:\n{c1}\n{c2}")
    env.t.done()


@pytest.mark.parametrize("cc", COMPILERS)
def test_extract_missing_struct(env, cc):
    rc, out, err = env.run("extract", "-C", "nosuch", task_pair(env, cc, "x86_64-tiny-cl")[1])
    assert rc == 2, f"{cc} extract of a missing struct: exit {rc} {err}"


@pytest.mark.parametrize("label", ["x86_64", "i386", "armhf"])
@pytest.mark.parametrize("cc", COMPILERS)
def test_layout_json(env, cc, label):
    b, _ = task_pair(env, cc, label)
    rc, out, err = env.run("layout", "--format", "json", "-C", "task_struct", b)
    env.expect_rc(rc, 0, f"{cc} {label} layout json", err)
    doc = env.json_doc(out, f"{cc} {label} layout json")
    if doc:
        rec = doc["records"][0]
        env.t(rec["size"] == TASK_CASES[label][2][0], f"{cc} {label} layout json size {rec['size']}")
        keys = [m["key"] for m in rec["members"]]
        env.t("rcu_users" in keys and len(keys) == len(set(keys)), f"{cc} {label} layout json keys")
    rc, out, err = env.run("layout", "--format", "json", b)
    env.expect_rc(rc, 0, f"{cc} {label} layout json, all records", err)
    env.json_doc(out, f"{cc} {label} layout json all")
    env.t.done()


# ---- goldens: github annotations and JUnit ------------------------------------------


def golden_outputs(env, cc):
    """Runs the golden matrix from a work dir with relative paths, so the
    output does not depend on where the tree lives."""
    gdir = os.path.join(env.work, f"golden_{cc}")
    os.makedirs(gdir, exist_ok=True)
    shutil.copy(TASK, os.path.join(gdir, "task_model.c"))
    pairs = []
    for label in ("x86_64", "i386", "x86_64-tiny-cl"):
        mode, flags, _, _ = TASK_CASES[label]
        for suffix, extra in (("before", []), ("after", ["-DPATCHED"])):
            obj = f"{label}-{suffix}.o"
            if os.path.exists(os.path.join(gdir, obj)):
                os.unlink(os.path.join(gdir, obj))   # never a stale object from an older fixture
            env.compile(cc, mode, "task_model.c", flags + extra, obj, cwd=gdir)
        pairs += ["--pair", f"{label}={label}-before.o:{label}-after.o"]
    pairs += ["--pair", "broken=missing.o:x86_64-after.o"]
    rules = SEED_RULES + ["--max-slack-loss", "0", "--no-new-holes", "task_struct"]
    rc, gh, err = env.run("check", *rules, *pairs, "--format", "github", "--junit", "junit.xml",
                          "--source-root", gdir, cwd=gdir)
    env.expect_rc(rc, 2, f"{cc} golden matrix (has an error row)", err)
    with open(os.path.join(gdir, "junit.xml")) as f:
        junit = f.read()
    return {"check_github.txt": gh, "check_junit.xml": junit}


@pytest.mark.parametrize("cc", COMPILERS)
def test_goldens(env, cc, request):
    outs = golden_outputs(env, cc)
    for name, text in outs.items():
        path = os.path.join(GOLDENS, name)
        if request.config.getoption("--regen-goldens") and cc == COMPILERS[0]:
            os.makedirs(GOLDENS, exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {path}")
        with open(path) as f:
            want = f.read()
        env.t(text == want, f"{cc}: {name} differs from the golden:\n--- want\n{want}\n--- got\n{text}")
    try:
        ET.fromstring(outs["check_junit.xml"])
        env.t(True, "junit parses")
    except ET.ParseError as e:
        env.t(False, f"{cc}: JUnit is not XML: {e}")
    env.t.done()


@pytest.mark.whole_module
def test_json_documents_validated():
    """Runs last, only when the whole file ran: the suite did validate JSON."""
    assert JSON_CHECKED[0] > 50, f"only {JSON_CHECKED[0]} JSON documents validated"
