"""`padguard fit` against the compiler (issue 15): for fixtures/fit/fit.c's
struct subject, fixtures/fit/nested.c's struct nested (points inside
anonymous structs: at the top level, as union arms, two levels deep, with
forced alignment inside, packed) and fixtures/fit/packed.c's packed struct in every config (gcc and clang; x86_64, i386,
arm32; with and without -DCONFIG_X, nested.c also -DCONFIG_Y) and several
field types, EVERY insertion point fit reports is really compiled — the
field inserted into the source after that member — and the compiler's
sizeof and tail padding (read by pahole) must be what fit predicted. Also --move (an anonymous union emptied goes too), a
blob by --size/--align, the ranking and exit status, JSON against the schema,
and the input errors."""
import concurrent.futures
import hashlib
import json
import os
import re

import pytest

import fixturelib as fl

SRC = os.path.join(fl.ROOT, "fixtures", "fit", "fit.c")
NESTED = os.path.join(fl.ROOT, "fixtures", "fit", "nested.c")
PACKED = os.path.join(fl.ROOT, "fixtures", "fit", "packed.c")
MOVED = os.path.join(fl.ROOT, "fixtures", "fit", "moved.c")
MARK = re.compile(r"(?:/\* |=\w+ )@(.+?) \*/$")
TYPES = ["int", "long long", "char", "struct inner", "void *"]
NESTED_TYPES = ["int", "long long", "char", "void *", "short"]
CONFIGS = [("", []), ("x", ["-DCONFIG_X"])]
# fixture: source, struct, configs, field types, and where a point may not
# apply (the member or anonymous struct is under an #ifdef the config lacks).
FIXTURES = {
    "top": (SRC, "subject", CONFIGS, TYPES, lambda point, flags: point == "only_x" and not flags),
    "nested": (NESTED, "nested", [*CONFIGS, ("xy", ["-DCONFIG_X", "-DCONFIG_Y"])], NESTED_TYPES,
               lambda point, flags: ("only_x" in point and "-DCONFIG_X" not in flags)
               or (point.startswith("<anon struct #6>") and "-DCONFIG_Y" not in flags)),
    "packed": (PACKED, "outer_packed", CONFIGS, NESTED_TYPES, lambda point, flags: False),
}


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for(), "pahole")


def pg(*args):
    return fl.run([fl.padguard(), *args])


def markers(src):
    """The insertion points a fixture marks, in source order."""
    return [m.group(1) for m in map(MARK.search, open(src).read().splitlines()) if m]


def with_field(src, point, decl, text=None):
    """`src` with `decl` inserted after the line marked @point."""
    out = []
    for line in (text or open(src).read()).splitlines():
        out.append(line)
        m = MARK.search(line.rstrip())
        if m and m.group(1) == point:
            out.append(f"\t{decl}")
    text = "\n".join(out) + "\n"
    assert text.count(f"\t{decl}\n") == 1, point
    return text


def with_moved(src, point, names):
    """`src` with the lines tagged =NAME taken out (an anonymous record left
    without members goes too) and put, in this order, after @point."""
    lines = open(src).read().splitlines()
    decls = {}
    for line in lines:
        m = re.search(r"/\* =(\w+) ", line)
        if m:
            decls[m.group(1)] = line.split("/*")[0].strip()
    text = "\n".join(l for l in lines if not any(f"/* ={n} " in l for n in names)) + "\n"
    while True:
        emptied = re.sub(r"\n\t*(?:struct|union) \{[^\n]*\n\t*\};[^\n]*", "", text)
        if emptied == text:
            break
        text = emptied
    return with_field(src, point, " ".join(decls[n] for n in names), text)


def compiler_says(cc, mode, src, struct, flags, point, decl):
    d = fl.work_dir("fit_points")
    key = re.sub(r"\W", "_", f"{struct}{cc}{mode}{''.join(flags)}_{point}_{decl}")
    key = key if len(key) < 120 else key[:80] + hashlib.sha1(key.encode()).hexdigest()[:12]
    path = os.path.join(d, key + ".c")
    with open(path, "w") as f:
        f.write(with_field(src, point, decl + ";") if isinstance(decl, str) else with_moved(src, point, decl))
    obj = fl.compile_cached(fl.cc_argv(cc, mode), path, ["-O0", "-g", *flags], label=key[:60])
    text = fl.pahole_layout("-C", struct, obj).stdout
    # The struct's own summary is the last: pahole may print the anonymous
    # types clang nests in it first, with theirs.
    text = text[text.rindex("/* size: "):]
    size = int(re.search(r"/\* size: (\d+),", text).group(1))
    m = re.search(r"/\* padding: (\d+) \*/", text)
    return size, int(m.group(1)) if m else 0


def label(candidate):
    return (candidate["inside"] + "." if candidate["inside"] else "") + (candidate["after"] or "(start)")


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
@pytest.mark.parametrize("mode", fl.MODES, ids=[fl.MODE_ID[m] for m in fl.MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_every_point_equals_the_compiler(cc, mode, fixture, validator):
    src, struct, configs, types, may_lack = FIXTURES[fixture]
    objs = [(lab, flags, fl.compile_cached(fl.cc_argv(cc, mode), src, ["-O0", "-g", *flags],
                                             label=f"fit_{struct}_{cc}{mode}{lab}")) for lab, flags in configs]
    check = fl.Checks()
    jobs = []
    for t in types:
        r = pg("fit", "--format", "json", struct, "--field", f"{t} newf", *[o for _, _, o in objs])
        check(r.returncode in (0, 1), f"{t}: exit {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        errors = list(validator.iter_errors(doc))
        check(not errors, f"{t}: schema: {errors[0].message if errors else ''}")
        check(doc["summary"]["points"] == len(doc["candidates"]) >= 10, f"{t}: every point listed")
        # Every point the fixture marks is reported, and nothing else (the
        # marks name them as fit labels them, nested ones by their path).
        check(sorted(label(c) for c in doc["candidates"]) == sorted(markers(src)),
              f"{t}: points {sorted(set(map(label, doc['candidates'])) ^ set(markers(src)))} differ from the marks")
        for c in doc["candidates"]:
            point = label(c)
            for k, per in enumerate(c["configs"]):
                _, flags, _ = objs[k]
                if not per["applicable"]:
                    check(may_lack(point, flags) and "not in this config" in per["why_not"], f"{t} {point}: {per}")
                    continue
                check(not may_lack(point, flags), f"{t} {point} {flags}: applies where it cannot: {per}")
                jobs.append((t, point, flags, per))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        said = list(pool.map(lambda j: compiler_says(cc, mode, src, struct, j[2], j[1],
                                                     j[0] + ("newf" if j[0].endswith("*") else " newf")), jobs))
    for (t, point, flags, per), (size, pad) in zip(jobs, said):
        check(per["size"] == size and per["tail_padding"] == pad,
              f"{cc}{mode} {flags} --field '{t} newf' after {point}: fit {per['size']}/{per['tail_padding']}, "
              f"compiler {size}/{pad}")
    check(len(jobs) >= len(types) * 20, f"{len(jobs)} points compiled")
    check.done()


MOVES = [["one", "two"], ["q2"], ["r1"], ["two", "q2"], ["r1", "head"]]


@pytest.mark.parametrize("mode", fl.MODES, ids=[fl.MODE_ID[m] for m in fl.MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_move_out_of_anonymous_records_equals_the_compiler(cc, mode, validator):
    """--move from anonymous structs at any depth, also one that is a union's
    arm: every point fit reports, compiled with the members moved there."""
    obj = fl.compile_cached(fl.cc_argv(cc, mode), MOVED, ["-O0", "-g"], label=f"fit_moved_{cc}{mode}")
    check = fl.Checks()
    jobs = []
    for names in MOVES:
        r = pg("fit", "--format", "json", "moved_nested", "--move", ",".join(f"moved_nested.{n}" for n in names), obj)
        check(r.returncode in (0, 1), f"{names}: exit {r.returncode}: {r.stderr}")
        doc = json.loads(r.stdout)
        check(not list(validator.iter_errors(doc)), f"{names}: schema")
        points = [label(c) for c in doc["candidates"]]
        check(set(points) <= set(markers(MOVED)), f"{names}: unmarked points {set(points) - set(markers(MOVED))}")
        check(not any(c["after"] in names for c in doc["candidates"]), f"{names}: a point after a moved member: {points}")
        if names == ["one", "two"]:
            check(not any(p.startswith("<anon struct #1>") for p in points), f"emptied record kept: {points}")
        for c in doc["candidates"]:
            per = c["configs"][0]
            check(per["applicable"], f"{names} {label(c)}: {per}")
            jobs.append((names, label(c), per))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        said = list(pool.map(lambda j: compiler_says(cc, mode, MOVED, "moved_nested", [], j[1], j[0]), jobs))
    for (names, point, per), (size, pad) in zip(jobs, said):
        check(per["size"] == size and per["tail_padding"] == pad,
              f"{cc}{mode} --move {names} to {point}: fit {per['size']}/{per['tail_padding']}, compiler {size}/{pad}")
    check(len(jobs) >= 30, f"{len(jobs)} points compiled")
    check.done()


def test_nested_points_in_text():
    """Text names a nested point by its path and says which anonymous record
    each label is, by the members it holds."""
    obj = fl.compile_cached(fl.cc_argv("gcc", "-m64"), NESTED, ["-O0", "-g"], label="fit_nested_gcc-m64")
    r = pg("fit", "nested", "--field", "char newf", "--all", obj)
    assert r.returncode == 0, r.stderr
    rows = [re.split(r"\s{2,}", l)[1] for l in r.stdout.splitlines() if re.match(r"^\d+ ", l)]
    assert "<anon union #1>.<anon struct #2>.<anon struct #1>.e1" in rows and "<anon struct #1>.(start)" in rows, rows
    assert "  <anon union #1>.<anon struct #2>: the anonymous struct holding d1, e1, e2, d2\n" in r.stdout, r.stdout
    assert "  <anon union #1>: the anonymous union holding u0, b1, b2, d1, ...\n" in r.stdout, r.stdout
    assert not any(row.startswith("<anon union #1>.u0") or row == "<anon union #1>.(start)" for row in rows), rows


def test_move_blob_ranking_and_errors(validator):
    obj = fl.compile_cached(fl.cc_argv("gcc", "-m64"), SRC, ["-O0", "-g"], label="fit_gcc-m64")
    obj32 = fl.compile_cached(fl.cc_argv("gcc", "-m32"), SRC, ["-O0", "-g"], label="fit_gcc-m32")
    # --move both union members: the union goes, the fields go where asked.
    r = pg("fit", "--format", "json", "moved", "--move", "moved.one,moved.two", obj)
    doc = json.loads(r.stdout)
    assert not list(validator.iter_errors(doc))
    afters = [c["after"] for c in doc["candidates"]]
    assert "<anon union #1>" not in afters and afters[:2] == [None, "head"], afters
    point = {c["after"]: c for c in doc["candidates"]}
    # Before: head 0, the union (4) at 8, c at 12, p at 16: 24 bytes. After c:
    # one at 12, two at 16, p at 24: 32 (+8). After head: one 8, two 12, c 14, p 16: 24, free.
    assert point["c"]["configs"][0]["size"] == 32 and point["c"]["configs"][0]["delta"] == 8, point["c"]
    assert point["head"]["free"] and point["head"]["configs"][0]["size"] == 24, point["head"]
    assert r.returncode == 0
    # A blob.
    r = pg("fit", "--format", "json", "subject", "--size", "2", "--align", "2", obj, obj32)
    assert r.returncode == 0 and all(len(c["configs"]) == 2 for c in json.loads(r.stdout)["candidates"])
    # Ranking in text: the free points first, "free in every config" counted.
    r = pg("fit", "subject", "--field", "int newf", obj)
    lines = r.stdout.splitlines()
    ranked = [l.split()[-1] for l in lines if re.match(r"^\d+ ", l)]
    assert ranked[0] == "+0" and ranked.index("+16") > ranked.index("+0"), ranked
    assert r.returncode == 0, "a free point exists"
    assert re.search(r"free in every config: \d+ of \d+ insertion points", lines[-1])
    # --near, shifted members, the field's cacheline: the start moves every member.
    doc = json.loads(pg("fit", "--format", "json", "subject", "--field", "char newf", "--near", "last", obj).stdout)
    start = doc["candidates"][0]["configs"][0]
    assert doc["candidates"][0]["after"] is None and start["field_offset"] == 0 and start["field_cacheline"] == 0
    assert start["near_distance"] == 0 and start["shifted"] >= 1, start
    at_last = next(c for c in doc["candidates"] if c["after"] == "last")["configs"][0]
    # Into the tail padding: sizeof holds, but one byte of slack is gone: not free.
    assert at_last["shifted"] == 0 and at_last["field_offset"] == 62 and at_last["delta"] == 0, at_last
    assert not at_last["free"] and at_last["tail_padding"] == at_last["old_tail_padding"] - 1, at_last
    big = json.loads(pg("fit", "--format", "json", "subject", "--size", "70", "--align", "1", obj).stdout)
    assert all(c["configs"][0]["straddles"] for c in big["candidates"]), "70 bytes always cross a 64-byte line"
    # Nothing free anywhere: exit 1.
    r = pg("fit", "subject", "--size", "64", "--align", "64", obj)
    assert r.returncode == 1 and "free in every config: 0 of" in r.stdout
    for args, why in ((["nosuch", "--field", "int x", obj], "no struct named 'nosuch'"),
                      (["subject", "--field", "no_such_t x", obj], "no type named 'no_such_t'"),
                      (["subject", "--move", "subject.nosuch", obj], "has no member 'nosuch'"),
                      (["subject", "--move", "subject.a", obj], "it is a bitfield"),
                      (["subject", obj], "give one of --field"),
                      (["subject", "--field", "int x", "--size", "4", obj], "give one of --field")):
        r = pg("fit", *args)
        assert r.returncode == 2 and why in r.stderr, (args, r.stderr)
