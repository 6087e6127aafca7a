"""kernel-matrix end to end on a fake kernel tree (tests/kmatrix/faketree.py):
sharded == unsharded byte for byte, failures fail closed, warm reruns,
--struct without --object, --git, annotation paths.  Needs gcc and the
padguard binary ($PADGUARD, else build/padguard)."""
import os
import re
import shutil
import subprocess
import sys

import pytest

import faketree
from conftest import path_without

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KM = os.path.join(REPO, "scripts", "kernel-matrix")
PADGUARD = os.environ.get("PADGUARD") or os.path.join(REPO, "build", "padguard")
CONFIGS = "x86_64:defconfig,i386:i386_defconfig,x86_64:tinyconfig"

pytestmark = pytest.mark.skipif(not (os.access(PADGUARD, os.X_OK) and shutil.which("gcc")),
                                reason="SKIPPED LOUDLY: needs gcc and padguard (%s)" % PADGUARD)


@pytest.fixture
def env(tmp_path):
    tree = faketree.make_tree(tmp_path / "linux")
    return {"tmp": tmp_path, "tree": tree, "cache": str(tmp_path / "cache"),
            "move": faketree.write(tmp_path / "move.patch", faketree.PATCH_MOVE),
            "break": faketree.write(tmp_path / "break.patch", faketree.PATCH_BREAK_X86_64)}


def km(env, *args, patch="move", configs=CONFIGS, path=None):
    cmd = [sys.executable, KM, "--skip-host-check", "--cache", env["cache"], "--src", env["tree"], "--jobs", "1"]
    if patch:
        cmd += ["--patch", env[patch]]
    if configs:
        cmd += ["--config", configs]
    e = dict(os.environ, PADGUARD=PADGUARD, **({"PATH": path} if path else {}))
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=e)


def test_unsharded_run_gives_a_table_and_a_verdict(env):
    r = km(env)
    assert r.returncode == 1, r.stderr  # i386 grows by 4 in the fake
    assert re.search(r"^i386-i386_defconfig +task_struct +36 -> 40 \(\+4\)", r.stdout, re.M), r.stdout
    assert "verdict: FAIL" in r.stdout
    for stage in ("prepare", "build", "check"):
        assert "[1/3] x86_64-defconfig: %s" % stage in r.stderr
    assert "cache: 0/6 objects reused, 6 built" in r.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_shards_then_merge_equal_one_run_byte_for_byte(env, fmt):
    extra = ["--", "--format", fmt]
    whole = km(env, *extra)
    outs = []
    for i in (1, 2):
        out = str(env["tmp"] / ("shard%d" % i))
        r = km(env, "--shard", "%d/2" % i, "--out", out, *extra)
        assert r.returncode == 0 and r.stdout == "", r.stderr
        outs.append(out)
    merged = subprocess.run([sys.executable, KM, "--merge"] + outs[::-1], capture_output=True, text=True,
                            env=dict(os.environ, PADGUARD=PADGUARD))
    assert merged.returncode == whole.returncode == 1
    assert merged.stdout == whole.stdout and whole.stdout


def test_warm_rerun_builds_nothing(env):
    km(env)
    r = km(env)
    assert "cache: 6/6 objects reused, 0 built; facts 6 reused" in r.stderr
    assert "all objects cached" in r.stderr


def test_another_object_is_cached_beside_the_first(env):
    km(env, configs="x86_64:defconfig")
    r = km(env, "--object", "kernel/fork.o", "--object", "net/core/dev.o", "--struct", "task_struct",
           configs="x86_64:defconfig")
    assert "cache: 2/4 objects reused, 2 built" in r.stderr  # fork.o reused, dev.o added
    assert "x86_64-defconfig@kernel/fork.o" in r.stdout


def test_unknown_target_fails_before_building(env):
    r = km(env, configs="x86_64:defconfg,i386:i386_defconfig")
    assert r.returncode == 2
    assert "unknown config target 'defconfg'" in r.stderr and "nearest: defconfig" in r.stderr
    assert "prepare" not in r.stderr


def test_struct_without_object_finds_one(env):
    r = km(env, "--struct", "net_device", configs="x86_64:defconfig")
    assert "--struct net_device: using net/core/dev.o (defined in include/linux/netdevice.h" in r.stderr
    assert re.search(r"^x86_64-defconfig +net_device ", r.stdout, re.M) and r.returncode == 0, r.stdout + r.stderr


def test_git_rev_compares_parent_and_rev(tmp_path):
    repo = faketree.git_repo(tmp_path / "linux")
    r = subprocess.run([sys.executable, KM, "--skip-host-check", "--cache", str(tmp_path / "c"), "--src", repo,
                        "--git", "HEAD", "--config", "i386:i386_defconfig"], capture_output=True, text=True,
                       env=dict(os.environ, PADGUARD=PADGUARD))
    assert "36 -> 40 (+4)" in r.stdout and r.returncode == 1, r.stderr
    st = subprocess.run(["git", "-C", repo, "status", "--porcelain"], capture_output=True, text=True).stdout
    assert st == ""


def test_github_annotations_point_into_the_source_tree(env):
    r = km(env, "--", "--format", "github", configs="i386:i386_defconfig")
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("::error")]
    assert len(lines) == 1 and "file=include/linux/sched.h,line=" in lines[0], r.stdout
    assert env["cache"] not in r.stdout


def test_build_failure_on_one_arch_fails_the_run(env, monkeypatch):
    # A UTF-8 locale whose LC_ALL make drops (as the kernel's Makefile does):
    # the row still has gcc's ASCII quotes, the same bytes on every machine.
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_CTYPE", "C.UTF-8")
    r = km(env, patch="break", configs="x86_64:defconfig,i386:i386_defconfig")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "BUILD-FAILED" in r.stdout
    assert "after: include/linux/sched.h:4: error: expected expression before ';' token" in r.stdout
    assert "(log: %s/logs/" % env["cache"] in r.stdout
    assert "i386-i386_defconfig" in r.stdout


@pytest.mark.parametrize("how", ["one run", "shards"])
def test_build_failure_annotation_and_junit_point_at_the_first_error(env, how):
    """A BUILD-FAILED row's GitHub annotation and JUnit case carry file= and
    line= of the first compiler error, relative to the source tree (the
    error is in the cache's patched copy), also through shards and --merge."""
    import xml.etree.ElementTree as ET
    junit = str(env["tmp"] / "r.xml")
    out = ["--", "--format", "github", "--junit", junit]
    configs = "x86_64:defconfig,i386:i386_defconfig"
    if how == "one run":
        r = km(env, *out, patch="break", configs=configs)
    else:
        dirs = [str(env["tmp"] / ("s%d" % i)) for i in (1, 2)]
        for i, d in enumerate(dirs, 1):
            assert km(env, "--shard", "%d/2" % i, "--out", d, patch="break", configs=configs).returncode == 0
        r = subprocess.run([sys.executable, KM, "--merge"] + dirs + out, capture_output=True, text=True,
                           env=dict(os.environ, PADGUARD=PADGUARD))
    assert r.returncode == 2, r.stdout + r.stderr
    line = 4  # PATCH_BREAK_X86_64's "int broken_on_x86_64 = ;"
    ann = [ln for ln in r.stdout.splitlines() if "BUILD-FAILED" in ln]
    assert len(ann) == 1 and ann[0].startswith(
        "::error file=include/linux/sched.h,line=%d,title=padguard [x86_64-defconfig] BUILD-FAILED::"
        "after: include/linux/sched.h:%d: error: expected expression before ';' token (log: " % (line, line)), ann
    case, = [c for s in ET.parse(junit).getroot().iter("testsuite") if s.get("name").endswith("x86_64-defconfig")
             for c in s.iter("testcase")]
    assert (case.get("name"), case.get("file"), case.get("line")) == ("build", "include/linux/sched.h", str(line))
    assert case.find("error").get("type") == "build-failed"
    # The places point into the tree; only the log path is in the cache.
    for text in (r.stdout, open(junit).read()):
        assert "trees/patched-" not in text and env["tree"] not in text


def test_missing_compiler_is_skipped_and_allow_skip_lets_it_pass(env):
    path = path_without(env["tmp"], "sparc64-linux-gnu-")  # missing even where it is installed
    r = km(env, configs="x86_64:defconfig,sparc:sparc64_defconfig", path=path)
    assert r.returncode == 2 and "SKIPPED" in r.stdout and "gcc-sparc64-linux-gnu" in r.stdout
    r = km(env, "--allow-skip", "sparc-sparc64_defconfig", configs="x86_64:defconfig,sparc:sparc64_defconfig",
           path=path)
    assert r.returncode == 0 and "SKIPPED" in r.stdout, r.stdout + r.stderr


def test_struct_missing_from_object_names_header_and_object(env):
    r = km(env, "--object", "kernel/exit.o", configs="x86_64:defconfig")
    assert r.returncode == 2
    assert "defined in include/linux/sched.h; try --object kernel/fork.o" in r.stdout


def declaration_line(path, struct):
    for n, line in enumerate(open(path), 1):
        if line.startswith("struct %s {" % struct):
            return n
    raise AssertionError("no struct %s in %s" % (struct, path))


@pytest.mark.parametrize("trees", ["src+patch", "git"])
def test_junit_and_annotations_carry_relative_source_paths(env, trees):
    """JUnit failures carry file= and line= like the GitHub annotations, both
    relative to the source tree, never into the cache (<cache>/trees/...):
    with --src + --patch (before: the user's tree, after: the cache's
    patched copy) and with --git (both sides worktrees in the cache)."""
    import xml.etree.ElementTree as ET
    junit = str(env["tmp"] / "r.xml")
    extra = ["--", "--format", "github", "--junit", junit]
    if trees == "git":
        repo = faketree.git_repo(env["tmp"] / "glinux")
        r = subprocess.run([sys.executable, KM, "--skip-host-check", "--cache", env["cache"], "--src", repo,
                            "--git", "HEAD", "--config", "i386:i386_defconfig,x86_64:defconfig"] + extra,
                           capture_output=True, text=True, env=dict(os.environ, PADGUARD=PADGUARD))
        header = os.path.join(repo, "include/linux/sched.h")
    else:
        r = km(env, *extra, configs="i386:i386_defconfig,x86_64:defconfig")
        header = os.path.join(env["tree"], "include/linux/sched.h")
    assert r.returncode == 1, r.stdout + r.stderr  # i386 grows by 4
    first = declaration_line(header, "task_struct")  # the before header; the patch keeps the opening line

    ann = [ln for ln in r.stdout.splitlines() if ln.startswith("::error")]
    assert len(ann) == 1, r.stdout
    m = re.match(r"::error file=([^,]+),line=(\d+),", ann[0])
    assert m and m.group(1) == "include/linux/sched.h", ann[0]
    gh_line = int(m.group(2))

    cases = ET.parse(junit).getroot().iter("testcase")
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failed] == \
        [("padguard.i386-i386_defconfig", "no-growth task_struct")]
    assert failed[0].get("file") == "include/linux/sched.h"
    assert int(failed[0].get("line")) == gh_line and gh_line >= first
    text = open(junit).read()
    for root in (env["cache"], env["tree"], str(env["tmp"])):
        assert root not in text and root not in r.stdout, root
    # The passing cases point nowhere.
    for c in ET.parse(junit).getroot().iter("testcase"):
        if c.find("failure") is None and c.find("error") is None:
            assert c.get("file") is None and c.get("line") is None, ET.tostring(c)


# The failing-build example of docs/KERNEL-MATRIX.md and the tool must agree
# on the form of every line that shows the failure.
_ERR = r"after: include/linux/sched\.h:\d+: error: expected expression before ';' token"
_LOG = r"\(log: \S+/logs/[0-9a-f]{12}/(?P=l)\.after\.log\)"
_SECS = r"(?:\d+\.\ds|\d+s|\d+m\d\ds)"
FAILING_BUILD_FORMS = {
    "header": r"^CONFIG +STRUCT +SIZE +CACHELINES +HOLES +TAIL PAD +no-growth +max-slack-loss$",
    "row": r"^(?P<l>\S+) +- +BUILD-FAILED: %s %s$" % (_ERR, _LOG),
    "passing row": r"^\S+ +task_struct +\d+ -> \d+ \(\+0\) +\d+ +\d+ +\d+ +PASS +PASS$",
    "status line": r"^\[(?P<l>\S+)\] BUILD-FAILED: %s %s$" % (_ERR, _LOG),
    "padguard stderr": r"^padguard: \[(?P<l>\S+)\] BUILD-FAILED: %s %s$" % (_ERR, _LOG),
    "progress": r"^\[\d+/\d+\] \S+: build +%s \(BUILD-FAILED: %s\)$" % (_SECS, _ERR),
    "verdict": r"^verdict: ERROR \(\d+ rule checks over \d+ configs, 0 failed, 1 error\)$",
    "summary": r"^kernel-matrix: \d+ config\(s\) in %s; cache: \d+/\d+ objects reused, \d+ built; "
               r"facts \d+ reused, \d+ extracted$" % _SECS,
}


def doc_failing_build_example():
    text = open(os.path.join(REPO, "docs", "KERNEL-MATRIX.md")).read()
    section = text.split("### Failing build", 1)[1].split("\n### ", 1)[0]
    return "".join(section.split("```")[1::2])  # the fenced blocks


@pytest.mark.parametrize("form", sorted(FAILING_BUILD_FORMS))
def test_docs_failing_build_example_has_the_tools_form(env, form):
    r = km(env, patch="break", configs="x86_64:defconfig,i386:i386_defconfig")
    assert r.returncode == 2
    pat = re.compile(FAILING_BUILD_FORMS[form], re.M)
    assert pat.search(r.stdout + r.stderr), "the tool no longer prints a %s like %s:\n%s%s" % (
        form, pat.pattern, r.stdout, r.stderr)
    assert pat.search(doc_failing_build_example()), \
        "docs/KERNEL-MATRIX.md's failing-build example has no %s of today's form %s" % (form, pat.pattern)


def _default_configs():
    from kmatrix.arches import ARCHES
    return [(a.name, a.srcarch, a.default_config) for a in ARCHES.values()]


@pytest.mark.parametrize("arch,srcarch,target", _default_configs(), ids=[a for a, _, _ in _default_configs()])
def test_every_arch_default_config_builds_and_reads_on_the_fake_tree(tmp_path, arch, srcarch, target):
    """Every ARCH kernel-matrix knows, with its default config, through the
    whole pipeline on the fake tree with the real cross gcc: compiler
    choice, ARCH=/CROSS_COMPILE=, and padguard reading that machine's .o
    (MIPS through libdwarf, sh and arc through the object linked alone:
    elfutils 0.188 leaves R_SH_DIR32 unapplied and has no ARC backend).
    The real kernel builds of these configs are in docs/KERNEL-MATRIX.md."""
    from kmatrix.arches import resolve_cross
    choice = resolve_cross(arch)
    if choice.prefix is None:
        pytest.skip("SKIPPED LOUDLY: %s (scripts/setup installs it)" % choice.reason)
    tree = faketree.make_tree(tmp_path / "linux")
    cfg = os.path.join(tree, "arch", srcarch, "configs", target)
    if not os.path.exists(cfg):
        os.makedirs(os.path.dirname(cfg), exist_ok=True)
        faketree.write(cfg, "CONFIG_FAKE_%s=y\n" % arch.upper())
    env = {"tmp": tmp_path, "tree": tree, "cache": str(tmp_path / "cache"),
           "move": faketree.write(tmp_path / "move.patch", faketree.PATCH_MOVE)}
    r = km(env, "--", "--format", "json", configs="%s:%s" % (arch, target))
    assert r.returncode in (0, 1), r.stdout + r.stderr  # a row with a verdict, not ERROR
    import json
    c, = json.loads(r.stdout)["configs"]
    assert c["status"] == "checked" and c["label"] == "%s-%s" % (arch, target), c
    row, = c["structs"]
    assert row["name"] == "task_struct" and row["old"]["size"] > 0 and row["new"]["size"] > 0, row
    # The fake task_struct: long, union {int; rcu_head}, int, void *, char[16];
    # its size is a few words of this machine, whatever it is.
    assert 32 <= row["old"]["size"] <= 72, row
    if get_link_for_dwarf(arch):
        assert "linked alone by %sld" % choice.prefix in r.stderr, r.stderr


def get_link_for_dwarf(arch):
    from kmatrix.arches import get_arch
    return get_arch(arch).link_for_dwarf
