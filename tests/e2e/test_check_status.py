"""`padguard check` fails closed across configs: a manifest line
`LABEL !build-failed|!skipped|!error MESSAGE` is a row of its own in every
output format and makes the verdict ERROR (exit 2) unless --allow-skip names
it; unreadable inputs are ERROR rows; duplicate labels are input errors.
Fixtures are tiny C files compiled at test time."""
import json
import os
import xml.etree.ElementTree as ET

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMA = os.path.join(ROOT, "docs", "schema", "padguard.schema.json")

BEFORE = "struct s { int a; long b; };\nstruct s x;\n"
AFTER_SAME = "struct s { int a; int c; long b; };\nstruct s x;\n"  # fills the hole: 16 -> 16
AFTER_GROWN = "struct s { int a; long b; int c; };\nstruct s x;\n"  # 16 -> 24


def compile_c(tmp, name, text):
    src = tmp / f"{name}.c"
    src.write_text(text)
    obj = tmp / f"{name}.o"
    r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-O0", "-o", str(obj), str(src)])
    assert r.returncode == 0, r.stderr
    return obj


@pytest.fixture
def objs(tmp_path):
    return {n: compile_c(tmp_path, n, t) for n, t in
            (("before", BEFORE), ("same", AFTER_SAME), ("grown", AFTER_GROWN))}


def manifest(tmp_path, lines):
    m = tmp_path / "manifest.txt"
    m.write_text("\n".join(lines) + "\n")
    return str(m)


def check(*args):
    return fl.run([PADGUARD, "check", "--no-growth", "s", *args])


STATUS_LINES = [
    "# two configs were never checked",
    "x86_64 before.o same.o",
    "riscv !build-failed kernel/fork.c:12:3: error: #include <x.h> missing (log: /cache/riscv/build.log)",
    "arm !skipped no cross compiler; install gcc-arm-linux-gnueabihf",
]


def test_status_rows_make_the_verdict_error(tmp_path, objs):
    r = check("--manifest", manifest(tmp_path, STATUS_LINES))
    assert r.returncode == 2, r.stdout + r.stderr
    rows = {line.split()[0]: line for line in r.stdout.splitlines() if line[:1] not in ("", " ")}
    assert "BUILD-FAILED: kernel/fork.c:12:3: error: #include <x.h> missing (log: /cache/riscv/build.log)" \
        in rows["riscv"]
    assert "SKIPPED: no cross compiler; install gcc-arm-linux-gnueabihf" in rows["arm"]
    assert "PASS" in rows["x86_64"]
    assert r.stdout.rstrip().splitlines()[-1].startswith("verdict: ERROR")
    assert "[riscv] BUILD-FAILED" in r.stderr and "[arm] SKIPPED" in r.stderr


@pytest.mark.parametrize("allow,rc", [("riscv", 2), ("riscv,arm", 0), ("all", 0)])
def test_allow_skip_names_the_rows_that_may_go_unchecked(tmp_path, objs, allow, rc):
    r = check("--manifest", manifest(tmp_path, STATUS_LINES), "--allow-skip", allow)
    assert r.returncode == rc, r.stdout + r.stderr
    assert "BUILD-FAILED" in r.stdout and "SKIPPED" in r.stdout  # the rows still show
    assert "(allowed by --allow-skip)" in r.stdout
    assert r.stdout.rstrip().splitlines()[-1].startswith("verdict: " + ("PASS" if rc == 0 else "ERROR"))


def test_allowed_rows_leave_the_verdict_to_checked_configs(tmp_path, objs):
    lines = ["x86_64 before.o grown.o", "riscv !error the toolchain crashed"]
    r = check("--manifest", manifest(tmp_path, lines), "--allow-skip", "all")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "verdict: FAIL" in r.stdout


def test_zero_checked_configs_is_an_error_even_when_allowed(tmp_path, objs):
    lines = ["riscv !build-failed x", "arm !skipped y"]
    r = check("--manifest", manifest(tmp_path, lines), "--allow-skip", "all")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "no config checked" in r.stdout


def test_unreadable_input_is_an_error_row(tmp_path, objs):
    lines = ["x86_64 before.o same.o", "broken before.o missing.o"]
    r = check("--manifest", manifest(tmp_path, lines))
    assert r.returncode == 2
    assert any(line.startswith("broken") and "ERROR:" in line and "missing.o" in line
               for line in r.stdout.splitlines()), r.stdout
    r = check("--manifest", manifest(tmp_path, lines), "--allow-skip", "broken")
    assert r.returncode == 0, r.stdout + r.stderr


def test_json_carries_status_detail_log_and_allowed(tmp_path, objs):
    jsonschema = pytest.importorskip("jsonschema")
    r = check("--manifest", manifest(tmp_path, STATUS_LINES), "--allow-skip", "arm", "--format", "json")
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    jsonschema.Draft202012Validator(json.load(open(SCHEMA))).validate(doc)
    by = {c["label"]: c for c in doc["configs"]}
    assert by["x86_64"]["status"] == "checked" and by["x86_64"]["detail"] == ""
    assert by["riscv"]["status"] == "build-failed"
    assert by["riscv"]["detail"] == "kernel/fork.c:12:3: error: #include <x.h> missing"
    assert by["riscv"]["log"] == "/cache/riscv/build.log"
    assert by["riscv"]["allowed"] is False
    assert by["arm"]["status"] == "skipped" and by["arm"]["allowed"] is True
    assert doc["verdict"] == "ERROR"
    assert doc["summary"] == {"checks": 1, "failed": 0, "rule_errors": 0, "errors": 1, "configs": 3,
                              "checked": 1, "not_checked": 2, "allowed": 1}


def test_junit_has_an_error_or_skipped_case_per_status_row(tmp_path, objs):
    out = tmp_path / "junit.xml"
    r = check("--manifest", manifest(tmp_path, STATUS_LINES), "--allow-skip", "arm", "--junit", str(out))
    assert r.returncode == 2
    root = ET.parse(out).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    riscv = suites["padguard check riscv"]
    assert riscv.get("errors") == "1"
    err = riscv.find("testcase/error")
    assert err is not None and err.get("type") == "build-failed"
    assert "BUILD-FAILED: kernel/fork.c:12:3" in err.get("message")
    arm = suites["padguard check arm"]
    assert arm.get("skipped") == "1" and arm.find("testcase/skipped") is not None
    assert root.get("errors") == "1" and root.get("skipped") == "1"


def test_github_annotates_each_status_row(tmp_path, objs):
    r = check("--manifest", manifest(tmp_path, STATUS_LINES), "--allow-skip", "arm", "--format", "github")
    assert r.returncode == 2
    lines = r.stdout.splitlines()
    assert any(line.startswith("::error title=padguard [riscv] BUILD-FAILED::kernel/fork.c:12:3") for line in lines)
    assert any(line.startswith("::warning title=padguard [arm] SKIPPED::") for line in lines)


@pytest.mark.parametrize("lines,args", [
    (["a before.o same.o", "a before.o grown.o"], []),
    (["a !skipped x"], ["--pair", "a=before.o:same.o"]),
])
def test_duplicate_labels_are_input_errors(tmp_path, objs, lines, args):
    r = fl.run([PADGUARD, "check", "--no-growth", "s", "--manifest", manifest(tmp_path, lines), *args],
               cwd=tmp_path)
    assert r.returncode == 2
    assert "duplicate config label 'a'" in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("line,msg", [
    ("a !built fine", "unknown status '!built'"),
    ("a before.o", "expected 'LABEL OLD NEW'"),
])
def test_malformed_manifest_lines_are_input_errors(tmp_path, objs, line, msg):
    r = check("--manifest", manifest(tmp_path, [line]))
    assert r.returncode == 2 and msg in r.stderr, r.stderr


def test_allow_skip_must_name_a_label(tmp_path, objs):
    r = check("--manifest", manifest(tmp_path, STATUS_LINES), "--allow-skip", "risc")
    assert r.returncode == 2
    assert "no config labelled 'risc'" in r.stderr and "riscv" in r.stderr


def test_markdown_has_a_row_per_status_row(tmp_path, objs):
    lines = STATUS_LINES + ["mips !error facts | unreadable <b>"]
    r = check("--manifest", manifest(tmp_path, lines), "--allow-skip", "arm", "--format", "markdown")
    assert r.returncode == 2, r.stdout + r.stderr
    table = [ln for ln in r.stdout.splitlines() if ln.startswith("| ")]
    header, rows = table[0], {ln.split(" | ")[0][2:]: ln for ln in table[2:]}
    assert set(rows) == {"x86\\_64", "riscv", "arm", "mips"}, rows
    cells = header.count(" | ")
    for label, row in rows.items():
        # An escaped '|' in a message does not add a cell.
        assert row.replace("\\|", "").count(" | ") == cells, (label, row)
    assert "**BUILD-FAILED: kernel/fork.c:12:3: error: #include &lt;x.h&gt; missing" in rows["riscv"]
    assert "SKIPPED: no cross compiler" in rows["arm"] and "allowed by --allow-skip" in rows["arm"]
    assert "ERROR: facts \\| unreadable &lt;b&gt;" in rows["mips"], rows["mips"]
    assert "ERROR" in r.stdout.splitlines()[-1]


# A status row that says where the build failed: `!build-failed@FILE:LINE`,
# FILE percent-encoded (kernel-matrix writes the first compiler error so).
# The file name holds a blank, a newline and a forged workflow command, '%',
# ',' and ':', none of which may break a format.
HOSTILE = "include/li nux/a\n::error file=x::f%,:<&>.h"
HOSTILE_AT = "include/li%20nux/a%0A%3A%3Aerror%20file=x%3A%3Af%25,%3A<&>.h"
PLACED = [
    "x86_64 before.o same.o",
    "riscv !build-failed@%s:1325 after: sched.h:1325: error: expected ';' | <b> (log: /c/riscv.log)" % HOSTILE_AT,
    "mips !build-failed@include/linux/sched.h make failed: no line given",
    "arm !skipped no cross compiler",
]


def test_status_row_place_in_github_annotation(tmp_path, objs):
    r = check("--manifest", manifest(tmp_path, PLACED), "--format", "github")
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    riscv = [ln for ln in lines if "[riscv]" in ln]
    assert riscv == ["::error file=include/li nux/a%0A%3A%3Aerror file=x%3A%3Af%25%2C%3A<&>.h,line=1325,"
                     "title=padguard [riscv] BUILD-FAILED::after: sched.h:1325: error: expected ';' | <b> "
                     "(log: /c/riscv.log)"], lines
    assert "::error file=include/linux/sched.h,title=padguard [mips] BUILD-FAILED::make failed" in r.stdout
    assert "::error title=padguard [arm] SKIPPED::" in r.stdout
    # Nothing but annotations starts with '::', and no line is cut by the name's newline.
    assert all(ln.startswith(("::error file=", "::error title=", "padguard check:")) for ln in lines), lines


def test_status_row_place_relative_to_source_root(tmp_path, objs):
    lines = ["x86_64 before.o same.o", "riscv !build-failed@/home/u/linux/include/x.h:9 error: y"]
    r = check("--manifest", manifest(tmp_path, lines), "--format", "github", "--source-root", "/home/u/linux")
    assert "::error file=include/x.h,line=9,title=padguard [riscv] BUILD-FAILED::error: y" in r.stdout, r.stdout
    out = tmp_path / "j.xml"
    check("--manifest", manifest(tmp_path, lines), "--junit", str(out), "--source-root", "/home/u/linux/")
    case = ET.parse(out).getroot().find(".//testsuite[@name='padguard check riscv']/testcase")
    assert (case.get("file"), case.get("line")) == ("include/x.h", "9")


def test_status_row_place_in_junit(tmp_path, objs):
    out = tmp_path / "junit.xml"
    r = check("--manifest", manifest(tmp_path, PLACED), "--junit", str(out))
    assert r.returncode == 2
    suites = {s.get("name"): s for s in ET.parse(out).getroot().iter("testsuite")}
    case = suites["padguard check riscv"].find("testcase")
    assert (case.get("name"), case.get("file"), case.get("line")) == ("build", HOSTILE, "1325")
    assert case.find("error").get("type") == "build-failed"
    assert "BUILD-FAILED: after: sched.h:1325: error: expected ';' | <b>" in case.find("error").get("message")
    mips = suites["padguard check mips"].find("testcase")
    assert mips.get("file") == "include/linux/sched.h" and mips.get("line") is None
    arm = suites["padguard check arm"].find("testcase")
    assert arm.get("file") is None and arm.get("line") is None


def test_status_row_place_in_json(tmp_path, objs):
    jsonschema = pytest.importorskip("jsonschema")
    r = check("--manifest", manifest(tmp_path, PLACED), "--format", "json")
    doc = json.loads(r.stdout)
    jsonschema.Draft202012Validator(json.load(open(SCHEMA))).validate(doc)
    assert doc["schema_version"] == "2.6"
    by = {c["label"]: c for c in doc["configs"]}
    assert by["riscv"]["where"] == {"file": HOSTILE, "line": 1325}
    assert by["riscv"]["detail"] == "after: sched.h:1325: error: expected ';' | <b>"
    assert by["riscv"]["log"] == "/c/riscv.log"
    assert by["mips"]["where"] == {"file": "include/linux/sched.h", "line": 0}
    assert "where" not in by["arm"] and "where" not in by["x86_64"]


def test_status_row_place_in_markdown(tmp_path, objs):
    r = check("--manifest", manifest(tmp_path, PLACED), "--format", "markdown")
    table = [ln for ln in r.stdout.splitlines() if ln.startswith("| ")]
    header, rows = table[0], {ln.split(" | ")[0][2:]: ln for ln in table[2:]}
    assert set(rows) == {"x86\\_64", "riscv", "mips", "arm"}, rows
    for label, row in rows.items():
        assert row.replace("\\|", "").count(" | ") == header.count(" | "), (label, row)
    assert "**BUILD-FAILED: after: sched.h:1325: error: expected ';' \\| &lt;b&gt; (log: /c/riscv.log)**" \
        in rows["riscv"], rows["riscv"]


@pytest.mark.parametrize("token,msg", [
    ("!build-failed@a%2.h:3", "bad %-escape"),
    ("!build-failed@a.h:x3", "with a line number"),
    ("!build-failed@a.h:", "with a line number"),
    ("!build-failed@:3", "names no file"),
    ("!built@a.h:3", "unknown status '!built'"),
])
def test_malformed_status_places_are_input_errors(tmp_path, objs, token, msg):
    r = check("--manifest", manifest(tmp_path, ["x86_64 before.o same.o", "riscv %s oops" % token]))
    assert r.returncode == 2 and msg in r.stderr, r.stderr
    assert r.stdout == ""
