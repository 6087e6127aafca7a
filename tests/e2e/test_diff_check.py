#!/usr/bin/env python3
"""End to end: `padguard diff`, `check` (single pair, --pair matrix,
--manifest, --policy), `extract` facts files and `layout --format json`, on
fixtures compiled at test time with gcc AND clang, -m64 AND -m32:
fixtures/c/task_model.c before/after the seed patch under its simulated
configs, fixtures/diff/{reorder,added_removed}.c.

Asserts exit codes (diff: 0 same / 1 changed / 2 trouble; check: 0 pass /
1 fail / 2 input or usage error, never 0 on bad input), the numbers from the
header of task_model.c, every rule passing once and failing once, facts
round trips, every JSON document against docs/schema/padguard.schema.json,
and the github/JUnit outputs against goldens in fixtures/diff/goldens
(regenerate them only with --regen-goldens, then review the diff).

Prints `N passed, M failed` last; exits non-zero on any failure or when a
compiler, -m32 support or python3-jsonschema is missing."""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import fixturelib as fl  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TASK = os.path.join(ROOT, "fixtures", "c", "task_model.c")
DIFF_DIR = os.path.join(ROOT, "fixtures", "diff")
POLICIES = os.path.join(ROOT, "fixtures", "policies")
GOLDENS = os.path.join(DIFF_DIR, "goldens")
SCHEMA = os.path.join(ROOT, "docs", "schema", "padguard.schema.json")

# (label, mode, flags) -> task_struct sizes before/after and tail padding,
# from the table at the top of fixtures/c/task_model.c.
TASK_CASES = {
    "x86_64":          ("-m64", [],                                          (568, 568), (0, 0)),
    "i386":            ("-m32", [],                                          (368, 372), None),
    "x86_64-tiny":     ("-m64", ["-DCONFIG_TINY"],                           (504, 512), None),
    "x86_64-tiny-cl":  ("-m64", ["-DCONFIG_TINY", "-DCONFIG_CACHELINE_TASK"], (512, 512), (8, 0)),
    "i386-cl":         ("-m32", ["-DCONFIG_CACHELINE_TASK"],                 (384, 384), (16, 12)),
    "x86_64-cl":       ("-m64", ["-DCONFIG_CACHELINE_TASK"],                 (576, 576), (8, 8)),
    "x86_64-rt":       ("-m64", ["-DCONFIG_PREEMPT_RT", "-DCONFIG_DEBUG_ATOMIC_SLEEP"], (584, 584), None),
}
SEED_RULES = ["--no-growth", "task_struct", "--disjoint", "task_struct.rcu_users,task_struct.rcu"]


class Env:
    def __init__(self, padguard, work, tally):
        self.padguard = padguard
        self.work = work
        self.t = tally
        self.validator = None
        self.json_checked = 0

    def run(self, *args, cwd=None):
        r = subprocess.run([self.padguard, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def compile(self, cc, mode, src, flags, out, cwd=None):
        if not os.path.exists(out):
            r = subprocess.run([*fl.cc_argv(cc, mode), "-c", "-O0", "-g", *flags, "-o", out, src],
                               capture_output=True, text=True, cwd=cwd)
            if r.returncode != 0:
                raise RuntimeError(f"{cc} {mode} {' '.join(flags)} {src}: {r.stderr.strip()}")
        return out

    def json_doc(self, text, what):
        """Parses a JSON document and validates it against the schema."""
        try:
            doc = json.loads(text)
        except ValueError as e:
            self.t.check(False, f"{what}: not JSON: {e}")
            return None
        errors = sorted(self.validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        self.json_checked += 1
        self.t.check(not errors, f"{what}: schema: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message[:160]}" for e in errors[:3]))
        return doc

    def expect_rc(self, rc, want, what, err=""):
        self.t.check(rc == want, f"{what}: exit {rc}, want {want} {err.strip()[:300]}")


def task_pair(env, cc, label):
    mode, flags, _, _ = TASK_CASES[label]
    tag = f"{cc}_{label}"
    before = env.compile(cc, mode, TASK, flags, os.path.join(env.work, f"{tag}_before.o"))
    after = env.compile(cc, mode, TASK, flags + ["-DPATCHED"], os.path.join(env.work, f"{tag}_after.o"))
    return before, after


# ---- diff ----------------------------------------------------------------------


def test_task_diff(env, cc):
    for label in ("x86_64", "i386"):
        b, a = task_pair(env, cc, label)
        what = f"{cc} {label} diff task_struct"
        rc, out, err = env.run("diff", "-C", "task_struct", b, a)
        env.expect_rc(rc, 1, what, err)
        env.t.check("union <anon union #1> removed" in out, f"{what}: union removal not reported:\n{out}")
        rc, out, err = env.run("diff", "-C", "task_struct", "--format", "json", b, a)
        env.expect_rc(rc, 1, what + " json", err)
        doc = env.json_doc(out, what)
        if not doc:
            continue
        rec = doc["records"][0]
        sizes = TASK_CASES[label][2]
        env.t.check((rec["old"]["size"], rec["new"]["size"]) == sizes, f"{what}: sizes {rec['old']['size']}, "
                    f"{rec['new']['size']} want {sizes}")
        members = {m["key"]: m for m in rec["members"]}
        for key in ("rcu_users", "rcu"):
            ch = members.get(key, {}).get("changes", [])
            env.t.check("moved" in ch and "left_union" in ch, f"{what}: {key} changes {ch}")
        env.t.check(members.get("rcu_users", {}).get("old_shares") == ["rcu"], f"{what}: rcu_users old sharing")
        env.t.check(members.get("rcu_users", {}).get("new_shares") == [], f"{what}: rcu_users new sharing")
        moved = sorted(k for k, m in members.items() if "moved" in m["changes"])
        env.t.check(moved == ["rcu", "rcu_users"], f"{what}: moved members {moved}")
        env.t.check(len(rec["containers_removed"]) == 1 and rec["containers_removed"][0]["kind"] == "union",
                    f"{what}: containers_removed {rec['containers_removed']}")
        if label == "x86_64":
            env.t.check(any(h["size"] == 4 for h in rec["holes_filled"]),
                        f"{what}: the 4-byte hole should be filled: {rec['holes_filled']}")
            env.t.check(rec["size_delta"] == 0, f"{what}: size_delta {rec['size_delta']}")
        # The reverse direction: members enter a union.
        rc, out, err = env.run("diff", "-C", "task_struct", "--format", "json", a, b)
        doc = env.json_doc(out, what + " reversed")
        if doc:
            ch = {m["key"]: m["changes"] for m in doc["records"][0]["members"]}
            env.t.check("entered_union" in ch.get("rcu_users", []), f"{what} reversed: {ch.get('rcu_users')}")
        rc, out, err = env.run("diff", a, a)
        env.expect_rc(rc, 0, f"{cc} {label} diff of a file with itself", err)


def test_fixture_diffs(env, cc, mode):
    tag = f"{cc}{mode}"
    objs = {}
    for name in ("reorder", "added_removed"):
        src = os.path.join(DIFF_DIR, name + ".c")
        objs[name] = (env.compile(cc, mode, src, [], os.path.join(env.work, f"{tag}_{name}_b.o")),
                      env.compile(cc, mode, src, ["-DAFTER"], os.path.join(env.work, f"{tag}_{name}_a.o")))
    b, a = objs["reorder"]
    rc, out, err = env.run("diff", "--format", "json", b, a)
    env.expect_rc(rc, 1, f"{tag} reorder diff", err)
    doc = env.json_doc(out, f"{tag} reorder diff")
    if doc:
        rec = next(r for r in doc["records"] if r["name"] == "reorder")
        moved = [m["key"] for m in rec["members"] if "moved" in m["changes"]]
        env.t.check(moved == ["flag"], f"{tag} reorder: moved {moved}, want ['flag']")
        want = (32, 24) if mode == "-m64" else (16, 16)
        env.t.check((rec["old"]["size"], rec["new"]["size"]) == want, f"{tag} reorder sizes")
        if mode == "-m32":
            env.t.check(rec["slack_loss"] == 3, f"{tag} reorder: slack loss {rec['slack_loss']}")

    b, a = objs["added_removed"]
    rc, out, err = env.run("diff", "--format", "json", b, a)
    env.expect_rc(rc, 1, f"{tag} added_removed diff", err)
    doc = env.json_doc(out, f"{tag} added_removed diff")
    if doc:
        status = {r["name"]: r["status"] for r in doc["records"]}
        env.t.check(status.get("fresh") == "added" and status.get("gone") == "removed",
                    f"{tag} added/removed structs: {status}")
        env.t.check("same" not in status and doc["summary"]["unchanged"] >= 1, f"{tag}: unchanged struct listed")
        rec = next(r for r in doc["records"] if r["name"] == "member_changes")
        ch = {m["key"]: set(m["changes"]) for m in rec["members"]}
        expect = {"old_count": "removed", "new_count": "added", "mode": "retyped", "kind": "bitfield"}
        if mode == "-m64":
            expect.update({"len": "resized", "tag": "straddles"})
        for key, c in expect.items():
            env.t.check(c in ch.get(key, set()), f"{tag} member_changes.{key}: {ch.get(key)} lacks {c}")
        decl = next(m for m in rec["members"] if m["key"] == "new_count")["new"]["decl"]
        env.t.check(decl and decl["file"].endswith("added_removed.c") and decl["line"] == 26,
                    f"{tag}: new_count declared at {decl}")
    rc, out, err = env.run("diff", "-C", "gone", b, a)
    env.expect_rc(rc, 2, f"{tag} diff -C of a struct missing on one side", err)
    rc, out, err = env.run("diff", "-C", "nosuch", b, a)
    env.expect_rc(rc, 2, f"{tag} diff -C of a struct missing on both sides", err)
    rc, out, err = env.run("diff", "-C", "same", b, a)
    env.expect_rc(rc, 0, f"{tag} diff -C of an unchanged struct", err)


# ---- check: one pair ------------------------------------------------------------


def check(env, *args):
    return env.run("check", *args)


def test_rules(env, cc):
    """Every rule once passing, once failing, on the task model."""
    x86 = task_pair(env, cc, "x86_64")
    i386 = task_pair(env, cc, "i386")
    tiny = task_pair(env, cc, "x86_64-tiny")
    tiny_cl = task_pair(env, cc, "x86_64-tiny-cl")
    cases = [
        ("no-growth", ["--no-growth", "task_struct"], x86, 0),
        ("no-growth", ["--no-growth", "task_struct"], i386, 1),
        ("no-growth all", ["--no-growth", "all"], x86, 0),
        ("no-growth all", ["--no-growth", "all"], i386, 1),
        ("max-growth", ["--max-growth", "task_struct=4"], i386, 0),
        ("max-growth", ["--max-growth", "task_struct=3"], i386, 1),
        ("max-cachelines", ["--max-cachelines", "task_struct=9"], x86, 0),
        ("max-cachelines", ["--max-cachelines", "task_struct=8"], x86, 1),
        ("disjoint", ["--disjoint", "task_struct.rcu_users,task_struct.rcu"], x86, 0),
        ("disjoint", ["--disjoint", "task_struct.rcu_users,task_struct.rcu"], (x86[1], x86[0]), 1),
        ("no-new-holes", ["--no-new-holes", "task_struct"], x86, 0),
        ("no-new-holes", ["--no-new-holes", "task_struct"], tiny, 1),
        ("max-slack-loss", ["--max-slack-loss", "8"], tiny_cl, 0),
        ("max-slack-loss", ["--max-slack-loss", "task_struct=0"], tiny_cl, 1),
        ("seed rules", SEED_RULES, x86, 0),
        ("policy", ["--policy", os.path.join(POLICIES, "task_struct.toml")], x86, 0),
        ("policy", ["--policy", os.path.join(POLICIES, "task_struct.toml")], tiny_cl, 1),
        ("policy all rules", ["--policy", os.path.join(POLICIES, "all_rules.toml")], x86, 0),
    ]
    for name, flags, (b, a), want in cases:
        what = f"{cc} check {' '.join(flags)} {os.path.basename(a)}"
        rc, out, err = check(env, *flags, b, a)
        env.expect_rc(rc, want, what, err + out)
        verdict = "PASS" if want == 0 else "FAIL"
        env.t.check(f"verdict: {verdict}" in out, f"{what}: no 'verdict: {verdict}' in\n{out}")
        rc, out, err = check(env, *flags, "--format", "json", b, a)
        doc = env.json_doc(out, what + " json")
        if doc:
            env.t.check(doc["verdict"] == verdict, f"{what}: json verdict {doc['verdict']}")
    # The disjoint failure names the numbers and the declaration.
    rc, out, _ = check(env, "--disjoint", "task_struct.rcu_users,task_struct.rcu", x86[1], x86[0])
    env.t.check("share 4 bytes" in out and "task_model.c:" in out, f"{cc} disjoint failure detail:\n{out}")
    rc, out, _ = check(env, "--max-slack-loss", "0", *tiny_cl)
    env.t.check("8 bytes of slack lost" in out, f"{cc} slack loss detail:\n{out}")


def test_bad_input(env, cc):
    b, a = task_pair(env, cc, "x86_64")
    empty = os.path.join(env.work, "empty.o")
    open(empty, "wb").close()
    trunc = os.path.join(env.work, f"{cc}_truncated.o")
    with open(b, "rb") as f, open(trunc, "wb") as g:
        g.write(f.read()[:300])
    text = os.path.join(env.work, "notelf.o")
    with open(text, "w") as f:
        f.write("hello\n")
    corrupt_facts = os.path.join(env.work, "corrupt_facts.json")
    with open(corrupt_facts, "w") as f:
        f.write('{"schema_version": "1.0", "kind": "facts", "records": [0]')
    wrong_kind = os.path.join(env.work, "wrong_kind.json")
    with open(wrong_kind, "w") as f:
        f.write('{"schema_version": "1.0", "kind": "layout"}')
    nodwarf = os.path.join(env.work, f"{cc}_nodwarf.o")
    subprocess.run([cc, "-c", "-O0", "-o", nodwarf, TASK], check=True)
    for bad in (os.path.join(env.work, "does-not-exist.o"), empty, trunc, text, corrupt_facts, wrong_kind, nodwarf):
        for args in ((bad, a), (b, bad)):
            rc, out, err = check(env, *SEED_RULES, *args)
            env.expect_rc(rc, 2, f"{cc} check with bad input {os.path.basename(bad)}", err)
            env.t.check(err.startswith("padguard: ") and os.path.basename(bad) in err,
                        f"{cc} bad input {bad}: stderr should name the file: {err!r}")
        rc, out, err = env.run("diff", bad, a)
        env.expect_rc(rc, 2, f"{cc} diff with bad input {os.path.basename(bad)}", err)
    usage = [
        ([b, a], "no rules"),
        (["--no-growth", "task_struct", b], "one file"),
        (["--no-growth", "task_struct", "--pair", f"x={b}:{a}", b, a], "pair and files"),
        (["--max-growth", "task_struct", b, a], "max-growth without =N"),
        (["--disjoint", "task_struct.rcu_users", b, a], "disjoint with one member"),
        (["--disjoint", "task_struct.rcu_users,task_struct.nosuch", b, a], "disjoint unknown member"),
        (["--no-growth", "nosuch", b, a], "unknown struct"),
        (["--policy", os.path.join(POLICIES, "typo.toml"), b, a], "policy with a typo"),
        (["--policy", os.path.join(env.work, "nope.toml"), b, a], "missing policy"),
        (["--pair", "nolabel", "--no-growth", "task_struct"], "malformed --pair"),
        (["--manifest", os.path.join(env.work, "nope.txt"), "--no-growth", "task_struct"], "missing manifest"),
        (["--no-growth", "task_struct", "--format", "xml", b, a], "unknown format"),
    ]
    for args, what in usage:
        rc, out, err = check(env, *args)
        env.expect_rc(rc, 2, f"{cc} check usage error: {what}", err)


# ---- check: matrix ----------------------------------------------------------------


def pair_args(env, cc, labels):
    args = []
    for label in labels:
        b, a = task_pair(env, cc, label)
        args += ["--pair", f"{label}={b}:{a}"]
    return args


def test_matrix(env, cc):
    rules = SEED_RULES + ["--max-slack-loss", "0"]
    passing = ["x86_64", "x86_64-cl", "x86_64-rt"]
    rc, out, err = check(env, *rules, *pair_args(env, cc, passing))
    env.expect_rc(rc, 0, f"{cc} matrix of passing configs", err + out)
    for label in passing:
        env.t.check(any(line.startswith(label + " ") for line in out.splitlines()), f"{cc} matrix row {label}")
    env.t.check(out.rstrip().endswith("verdict: PASS (9 rule checks over 3 configs, 0 failed, 0 errors)"),
                f"{cc} matrix verdict line:\n{out}")

    # Growth on one config only (i386), hidden growth on two.
    labels = ["x86_64", "i386", "x86_64-tiny-cl", "i386-cl"]
    rc, out, err = check(env, *rules, *pair_args(env, cc, labels))
    env.expect_rc(rc, 1, f"{cc} matrix with growth on i386 only", err)
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in labels}
    env.t.check("368 -> 372 (+4)" in rows.get("i386", ""), f"{cc} i386 row: {rows.get('i386')}")
    env.t.check("hidden +8, 0 left" in rows.get("x86_64-tiny-cl", ""), f"{cc} tiny-cl row: {rows.get('x86_64-tiny-cl')}")
    env.t.check("hidden +4, 12 left" in rows.get("i386-cl", ""), f"{cc} i386-cl row: {rows.get('i386-cl')}")
    env.t.check("FAIL  [i386] no-growth task_struct: 368 -> 372 bytes (+4)" in out, f"{cc} i386 failure line")
    rc, out, err = check(env, *rules, "--format", "json", *pair_args(env, cc, labels))
    doc = env.json_doc(out, f"{cc} matrix json")
    if doc:
        verdicts = {c["label"]: c["verdict"] for c in doc["configs"]}
        env.t.check(verdicts == {"x86_64": "PASS", "i386": "FAIL", "x86_64-tiny-cl": "FAIL", "i386-cl": "FAIL"},
                    f"{cc} per-config verdicts {verdicts}")
        row = doc["configs"][2]["structs"][0]
        env.t.check(row["hidden_growth"] and row["slack_loss"] == 8, f"{cc} tiny-cl json row {row}")

    # Error rows: no DWARF / not ELF, and a config lacking the struct.
    notelf = os.path.join(env.work, "notelf.o")
    with open(notelf, "w") as f:
        f.write("hello\n")
    other = env.compile(cc, "-m64", os.path.join(DIFF_DIR, "reorder.c"), [], os.path.join(env.work, f"{cc}-m64_reorder_b.o"))
    b, a = task_pair(env, cc, "x86_64")
    err_pairs = pair_args(env, cc, ["x86_64"]) + ["--pair", f"broken={notelf}:{a}", "--pair", f"nostruct={other}:{other}"]
    rc, out, err = check(env, *rules, *err_pairs)
    env.expect_rc(rc, 2, f"{cc} matrix with error rows", err)
    env.t.check("verdict: ERROR" in out, f"{cc} error rows verdict:\n{out}")
    env.t.check(any(line.startswith("broken ") and "ERROR" in line for line in out.splitlines()),
                f"{cc} broken row:\n{out}")
    env.t.check(any(line.startswith("nostruct ") and "not found" in line for line in out.splitlines()),
                f"{cc} nostruct row:\n{out}")
    rc, out, err = check(env, *rules, "--format", "json", *err_pairs)
    doc = env.json_doc(out, f"{cc} error rows json")
    if doc:
        env.t.check(doc["verdict"] == "ERROR" and doc["configs"][1].get("error"), f"{cc} json error row")

    # A manifest gives the same result as the --pair flags.
    manifest = os.path.join(env.work, f"{cc}_manifest.txt")
    with open(manifest, "w") as f:
        f.write("# label old new\n")
        for label in labels:
            b, a = task_pair(env, cc, label)
            f.write(f"{label} {os.path.basename(b)} {os.path.basename(a)}\n")
    rc1, out1, _ = check(env, *rules, "--format", "json", *pair_args(env, cc, labels))
    rc2, out2, err2 = check(env, *rules, "--format", "json", "--manifest", manifest)
    env.expect_rc(rc2, rc1, f"{cc} manifest exit", err2)
    strip = lambda t: [(c["label"], c["verdict"], c["structs"]) for c in json.loads(t)["configs"]] if t else None
    env.t.check(strip(out1) == strip(out2), f"{cc} manifest and --pair results differ")


# ---- facts --------------------------------------------------------------------------


def test_facts(env, cc):
    for label in ("x86_64", "i386", "x86_64-tiny-cl"):
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
            env.t.check(rc1 == rc2 == 0 and t1 == t2, f"{cc} {label}: layout of facts differs from the ELF's")
        rc, d1, _ = env.run("diff", "-C", "task_struct", "--format", "json", b, a)
        for old, new in ((fb, fa), (b, fa), (fb, a)):
            rc2, d2, err = env.run("diff", "-C", "task_struct", "--format", "json", old, new)
            same = rc2 == rc and json.loads(d2)["records"] == json.loads(d1)["records"] if d2 else False
            env.t.check(same, f"{cc} {label}: diff {os.path.basename(old)} {os.path.basename(new)} differs from ELF's")
        rc1, c1, _ = check(env, *SEED_RULES, "--max-slack-loss", "0", b, a)
        rc2, c2, _ = check(env, *SEED_RULES, "--max-slack-loss", "0", fb, fa)
        env.t.check(rc1 == rc2 and c1.splitlines()[1:] == c2.splitlines()[1:],
                    f"{cc} {label}: check on facts differs:\n{c1}\n{c2}")
    rc, out, err = env.run("extract", "-C", "nosuch", b)
    env.expect_rc(rc, 2, f"{cc} extract of a missing struct", err)


def test_layout_json(env, cc):
    for label in ("x86_64", "i386"):
        b, _ = task_pair(env, cc, label)
        rc, out, err = env.run("layout", "--format", "json", "-C", "task_struct", b)
        env.expect_rc(rc, 0, f"{cc} {label} layout json", err)
        doc = env.json_doc(out, f"{cc} {label} layout json")
        if doc:
            rec = doc["records"][0]
            env.t.check(rec["size"] == TASK_CASES[label][2][0], f"{cc} {label} layout json size {rec['size']}")
            keys = [m["key"] for m in rec["members"]]
            env.t.check("rcu_users" in keys and len(keys) == len(set(keys)), f"{cc} {label} layout json keys")
        rc, out, err = env.run("layout", "--format", "json", b)
        env.expect_rc(rc, 0, f"{cc} {label} layout json, all records", err)
        env.json_doc(out, f"{cc} {label} layout json all")


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
        env.compile(cc, mode, "task_model.c", flags, f"{label}-before.o", cwd=gdir)
        env.compile(cc, mode, "task_model.c", flags + ["-DPATCHED"], f"{label}-after.o", cwd=gdir)
        pairs += ["--pair", f"{label}={label}-before.o:{label}-after.o"]
    pairs += ["--pair", "broken=missing.o:x86_64-after.o"]
    rules = SEED_RULES + ["--max-slack-loss", "0", "--no-new-holes", "task_struct"]
    rc, gh, err = env.run("check", *rules, *pairs, "--format", "github", "--junit", "junit.xml",
                          "--source-root", gdir, cwd=gdir)
    env.expect_rc(rc, 2, f"{cc} golden matrix (has an error row)", err)
    with open(os.path.join(gdir, "junit.xml")) as f:
        junit = f.read()
    return {"check_github.txt": gh, "check_junit.xml": junit}


def test_goldens(env, compilers, regen):
    for cc in compilers:
        outs = golden_outputs(env, cc)
        for name, text in outs.items():
            path = os.path.join(GOLDENS, name)
            if regen and cc == compilers[0]:
                os.makedirs(GOLDENS, exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
                print(f"wrote {path}")
            with open(path) as f:
                want = f.read()
            env.t.check(text == want, f"{cc}: {name} differs from the golden:\n--- want\n{want}\n--- got\n{text}")
        try:
            import xml.etree.ElementTree as ET
            ET.fromstring(outs["check_junit.xml"])
            env.t.check(True, "junit parses")
        except ET.ParseError as e:
            env.t.check(False, f"{cc}: JUnit is not XML: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--padguard", required=True)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--regen-goldens", action="store_true",
                    help="rewrite fixtures/diff/goldens from gcc's output (review the git diff!)")
    args = ap.parse_args()
    fl.require("gcc", "clang")
    try:
        import jsonschema
    except ImportError:
        print("FAILED: python3-jsonschema is missing (apt-get install python3-jsonschema)", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)
    work = os.path.abspath(args.workdir or os.path.join(os.getcwd(), "e2e-work", "diff_check"))
    os.makedirs(work, exist_ok=True)
    t = fl.Tally()
    env = Env(os.path.abspath(args.padguard), work, t)
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    env.validator = jsonschema.Draft202012Validator(schema)

    compilers = ["gcc", "clang"]
    try:
        for cc in compilers:
            test_task_diff(env, cc)
            for mode in ("-m64", "-m32"):
                test_fixture_diffs(env, cc, mode)
            test_rules(env, cc)
            test_bad_input(env, cc)
            test_matrix(env, cc)
            test_facts(env, cc)
            test_layout_json(env, cc)
        test_goldens(env, compilers, args.regen_goldens)
    except RuntimeError as e:  # a compiler failed: loud, never a pass
        t.check(False, str(e))
    t.check(env.json_checked > 50, f"only {env.json_checked} JSON documents validated")
    print(f"validated {env.json_checked} JSON documents against {os.path.relpath(SCHEMA, ROOT)}")
    t.finish()


if __name__ == "__main__":
    main()
