"""`padguard --version` / `-V` says which padguard ran (version and git
commit), and every JSON document carries the same string (issue 18)."""
import json
import os
import re
import subprocess

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def version():
    r = fl.run([PADGUARD, "--version"])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_version_names_the_release_and_the_commit():
    v = version()
    m = re.fullmatch(r"padguard (\d+\.\d+\.\d+) \((.+)\)", v)
    assert m, v
    cmake = open(os.path.join(ROOT, "CMakeLists.txt")).read()
    assert f"project(padguard VERSION {m.group(1)} " in cmake
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:  # a source tree without git says "unknown commit"
        assert head.stdout.strip().startswith(m.group(2).replace("-dirty", "")), (v, head.stdout)
    assert fl.run([PADGUARD, "-V"]).stdout.strip() == v


def test_every_json_document_carries_the_version(tmp_path):
    src = tmp_path / "s.c"
    src.write_text("struct s { int a; };\nstruct s x;\n")
    obj = tmp_path / "s.o"
    assert fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(obj), str(src)]).returncode == 0
    facts = tmp_path / "s.json"
    assert fl.run([PADGUARD, "extract", str(obj), "-o", str(facts)]).returncode == 0
    docs = [json.loads(facts.read_text())]
    for cmd in (["layout", "--format", "json", str(obj)], ["diff", "--format", "json", str(obj), str(facts)],
                ["check", "--no-growth", "all", "--format", "json", str(obj), str(facts)]):
        r = fl.run([PADGUARD, *cmd])
        assert r.returncode == 0, r.stderr
        docs.append(json.loads(r.stdout))
    v = version()
    assert [d["tool_version"] for d in docs] == [v] * 4
