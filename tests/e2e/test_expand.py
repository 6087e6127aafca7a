"""Differential test of `padguard layout -E/--expand_types` against pahole 1.24
-E, byte for byte: every fixture build (fixtures/c/*.c, gcc and clang x -m64,
-m32 (i386), -marm32 x DWARF 4, 5), the whole file and every struct and union
by -C NAME; with --hex, -R and BTF input on a few. Outputs may differ only by
pahole's documented defects (docs/pahole-differences.md), each recognised
exactly, on a closing brace line, and each observed at least once:

  m32     §1: __packed__ on i386 structs with 8-byte scalars (pahole takes them
          as 8-aligned), on any closing brace, nested ones included;
  const   §2: a const struct member's name is dropped (or replaced by the
          enclosing member's) after the closing brace;
  leak    §7: __packed__ remembered on a named struct once one struct of the
          unit placed it at an unnatural offset, printed where it is not.

Anything else that differs fails. pahole missing: every test skips, loudly.
One test id per build: `pytest -k "clang and m32 and expand"`."""
import concurrent.futures
import os
import re
import shutil

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
PACKED = " __attribute__((__packed__))"
NAMES = re.compile(r"^(?:struct|union) (\w+) \{", re.M)
# An opening line of a body: top-level, a member's type (after pahole's
# typedef comment, behind const), an array element's, a nested definition.
OPEN = re.compile(r"^(\t*)(?:typedef )?(?:/\* typedef [^*]*\*/ )?((?:const |_Atomic )*)(struct|union|enum|class)(?: (\S+))? \{$")
# A closing line: brace, attributes, suffix (a member name, "* name",
# "name[2]"), then ';' and the offset comment or the end.
CLOSE = re.compile(r"^(\t*)\}((?: __attribute__\(\((?:__packed__|__aligned__\(\d+\))\)\))*)([^;]*);(.*)$")

if shutil.which("pahole") is None:
    pytest.skip("SKIPPED, pahole is not installed (apt-get install dwarves): nothing to compare -E with",
                allow_module_level=True)

BUILDS = fl.build_all()
BY_ID = {b.id: b for b in BUILDS}


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require(*fl.tools_for())


def pahole(*args):
    return fl.pahole_layout("-E", *args)


def layout(*args):
    return fl.run([PADGUARD, "layout", "-E", *args])


def _closing(line):
    m = CLOSE.match(line)
    if not m:
        return None
    return {"indent": m.group(1), "attrs": m.group(2), "suffix": m.group(3), "rest": m.group(4).strip()}


def documented_differences(mode, want, got):
    """None when `got` (padguard) differs from `want` (pahole) only by the
    documented defects, else the first line that differs otherwise. Returns
    (problem, set of differences used)."""
    wl, gl = want.split("\n"), got.split("\n")
    used = set()
    if len(wl) != len(gl):
        return f"{len(gl)} lines, pahole {len(wl)}", used
    stack = []           # opening lines (indent, const, kind, name) of the bodies open here
    packed_named = set()  # named structs pahole has closed with __packed__ so far
    for i, (w, g) in enumerate(zip(wl, gl)):
        o = OPEN.match(w)
        if o and w == g:
            stack.append((o.group(1), bool(o.group(2)), o.group(3), o.group(4)))
            continue
        cw, cg = _closing(w), _closing(g)
        body = stack[-1] if stack and cw and cw["indent"] == stack[-1][0] else None
        if cw and body:
            stack.pop()
        if w == g:
            if cw and body and body[2] == "struct" and body[3] and PACKED in cw["attrs"]:
                packed_named.add(body[3])
            continue
        why = f"line {i + 1}: padguard {g!r}, pahole {w!r}"
        if not (cw and cg and body and cw["indent"] == cg["indent"] and cw["rest"] == cg["rest"]):
            return why, used
        attrs_w, attrs_g, suffix_w, suffix_g = cw["attrs"], cg["attrs"], cw["suffix"], cg["suffix"]
        if attrs_w != attrs_g:
            # pahole has __packed__ where padguard does not (or has the real __aligned__).
            if attrs_w != PACKED or not re.fullmatch(r"(?: __attribute__\(\(__aligned__\(\d+\)\)\))?", attrs_g):
                return why, used
            if mode == "-m32":
                used.add("m32")
            elif body[2] == "struct" and body[3] in packed_named:
                used.add("leak")
            else:
                return why, used
        if suffix_w != suffix_g:
            # const struct: pahole's suffix is empty or another member's name; padguard's is the
            # member's (then an array's dimensions, which pahole keeps: "}[2];" for "} name[2];").
            named = re.fullmatch(r" (\w+)((?:\[\d*\])*)", suffix_g)
            if not body[1] or not named or not re.fullmatch(r"(?: \w+)?" + re.escape(named.group(2)), suffix_w):
                return why, used
            used.add("const")
        if cw and body and body[2] == "struct" and body[3] and PACKED in attrs_w:
            packed_named.add(body[3])
    return None, used


def compare(check, mode, args, what, seen, nonempty=True):
    want, got = pahole(*args), layout(*args)
    if not check(got.returncode == 0 and (got.stdout or not nonempty),
                 f"{what}: padguard rc={got.returncode} {got.stderr.strip()}"):
        return
    if not check(want.returncode == 0 and (want.stdout or not nonempty),
                 f"{what}: pahole printed nothing (rc={want.returncode})"):
        return
    if got.stdout == want.stdout:
        check(True, what)
        return
    problem, used = documented_differences(mode, want.stdout, got.stdout)
    check(problem is None, f"{what}: differs from pahole -E {' '.join(args)}: {problem}")
    for u in used:
        seen.setdefault(u, []).append(what)


SEEN = {}  # documented difference -> where it was tolerated (test_differences_observed)


@pytest.mark.parametrize("build", [b.id for b in BUILDS])
def test_build(build, check):
    """The whole file, then every struct and union by -C NAME."""
    b = BY_ID[build]
    assert b.obj, b.error
    compare(check, b.mode, [b.obj], f"{b.label} whole file", SEEN)
    names = sorted(set(NAMES.findall(fl.pahole_layout(b.obj).stdout)))
    check(len(names) > 0, f"{b.label}: pahole found no structs")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda n: (n, pahole("-C", n, b.obj), layout("-C", n, b.obj)), names))
    for n, want, got in results:
        what = f"{b.label} -C {n}"
        if not check(got.returncode == 0, f"{what}: padguard rc={got.returncode} {got.stderr.strip()}"):
            continue
        if got.stdout != want.stdout:
            problem, used = documented_differences(b.mode, want.stdout, got.stdout)
            check(problem is None, f"{what}: differs from pahole -E: {problem}")
            for u in used:
                SEEN.setdefault(u, []).append(what)
        else:
            check(True, what)
    check.done()


def unit_level_typedefs_and_enums(obj):
    """Names of the unit-level typedef and enumeration DIEs (readelf), in DIE order."""
    out = fl.run(["readelf", "--debug-dump=info", obj]).stdout
    names, want = [], False
    for line in out.splitlines():
        m = re.match(r"\s*<(\d+)><[0-9a-f]+>: Abbrev Number: \d+ \((DW_TAG_\w+)\)", line)
        if m:
            want = m.group(1) == "1" and m.group(2) in ("DW_TAG_typedef", "DW_TAG_enumeration_type")
        elif want and "DW_AT_name" in line:
            names.append(line.split(":")[-1].strip())
            want = False
    return names


@pytest.mark.parametrize("build", [b.id for b in BUILDS if b.name in ("expand", "typedefs")])
def test_typedef_and_enum_names(build, check):
    """-E -C of every unit-level typedef and enum name (typedef__fprintf with
    expand_types: the name column 55, arrays' elements expanded)."""
    b = BY_ID[build]
    assert b.obj, b.error
    fl.require("readelf")
    names = unit_level_typedefs_and_enums(b.obj)
    check(len(names) > 10, f"{b.label}: only {names} typedef/enum names")
    for n in names:
        compare(check, b.mode, ["-C", n, b.obj], f"{b.label} -E -C {n}", SEEN)
    check.done()


def test_long_option_is_short_option(check):
    b = next(b for b in BUILDS if (b.cc, b.mode, b.name) == ("gcc", "-m64", "expand") and b.obj)
    short = layout(b.obj)
    long_ = fl.run([PADGUARD, "layout", "--expand_types", b.obj])
    check(short.returncode == 0 and short.stdout and long_.stdout == short.stdout, "--expand_types differs from -E")
    check(short.stdout != fl.run([PADGUARD, "layout", b.obj]).stdout, "-E printed the plain layout")
    check.done()


# ---- -E with other flags -----------------------------------------------------

EXPAND_BUILDS = [b for b in BUILDS if b.name in ("expand", "nested", "paddings", "reorg") and b.dwarf == "-gdwarf-5"]


@pytest.mark.parametrize("build", [b.id for b in EXPAND_BUILDS])
def test_with_flags(build, check):
    """--hex, -R -C, -s -C (layouts), -H, -c 32, -s, -P, -i: as pahole -E with them."""
    b = BY_ID[build]
    assert b.obj, b.error
    names = sorted(set(NAMES.findall(fl.pahole_layout(b.obj).stdout)))
    structs = sorted(set(re.findall(r"^struct (\w+) \{", fl.pahole_layout(b.obj).stdout, re.M)))
    # -s, -P and -i print what they print without -E (pahole ignores -E there).
    flag_sets = [["--hex"], ["-H", "1"], ["-c", "32"], ["-s", "-C", names[0]], ["--hex", "-C", ",".join(names)],
                 ["-s"], ["-P"]] + ([["-i", "ex_point"]] if b.name == "expand" else [])
    for args in flag_sets:
        compare(check, b.mode, [*args, b.obj], f"{b.label} -E {' '.join(args)}", SEEN,
                nonempty=args[0] not in ("-H", "-P"))
    for n in structs:
        compare(check, b.mode, ["-R", "-C", n, b.obj], f"{b.label} -E -R -C {n}", SEEN)
    check.done()


@pytest.mark.parametrize("mode", ["-m64", "-m32"], ids=["m64", "m32"])
@pytest.mark.parametrize("src", ["expand.c", "nested.c", "paddings.c", "deepnest.c"])
def test_btf(tmp_path, src, mode, check):
    """-F btf -E: the same printer over BTF pahole -J encoded (no Force padding)."""
    obj = tmp_path / "f.o"
    r = fl.run([*fl.cc_argv("gcc", mode), "-c", "-O0", "-g", "-o", str(obj), os.path.join(fl.FIXTURES, src)])
    assert r.returncode == 0, r.stderr
    assert fl.run(["pahole", "-J", str(obj)]).returncode == 0
    want = fl.run(["pahole", "-F", "btf", "-E", str(obj)])
    got = fl.run([PADGUARD, "layout", "-F", "btf", "-E", str(obj)])
    check(got.returncode == 0 and got.stdout, f"{src} {mode} -F btf -E: rc={got.returncode} {got.stderr.strip()}")
    if got.stdout != want.stdout:
        problem, used = documented_differences(mode, want.stdout, got.stdout)
        check(problem is None, f"{src} {mode} -F btf -E differs from pahole: {problem}")
        for u in used:
            SEEN.setdefault(u, []).append(f"btf {src} {mode}")
    else:
        check(True, src)
    check.done()


# ---- the documented differences, shown -----------------------------------------

def _expand_obj(cc="gcc", mode="-m64"):
    b = next(b for b in BUILDS if (b.cc, b.mode, b.name) == (cc, mode, "expand") and b.obj)
    return b.obj


def _body(text, opening):
    """The lines of the first body in `text` opening with `opening`, to its close."""
    lines = text.split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == opening)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip("\t"))]
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(indent + "}"))
    return lines[start:end + 1]


@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_const_member_keeps_its_name(cc, check):
    """§2: `const struct ex_point cp;` -E: pahole closes the body with `};`,
    padguard with `} cp;` (the member's name), everything else identical."""
    obj = _expand_obj(cc)
    want = pahole("-C", "ex_const", obj).stdout
    got = layout("-C", "ex_const", obj).stdout
    check("\t}; /*     4     8 */" in want.split("\n"), f"pahole no longer drops the name: {want!r}")
    check("\t} cp; /*     4     8 */" in got.split("\n"), f"padguard does not print cp: {got!r}")
    check(got == want.replace("\t}; /*     4     8 */", "\t} cp; /*     4     8 */"), "more than the name differs")
    check.done()


@pytest.mark.parametrize("mode", fl.MODES, ids=[fl.MODE_ID[m] for m in fl.MODES])
@pytest.mark.parametrize("cc", fl.COMPILERS)
def test_remembered_packed(cc, mode, check):
    """§7: once pahole has seen struct ex_point at offset 1 of the packed,
    holed ex_leaky it prints every later expansion of ex_point in the unit
    __packed__; padguard prints __packed__ only where the offset is
    unnatural. Asked alone (-C ex_natural), pahole agrees with padguard."""
    obj = _expand_obj(cc, mode)
    whole_want, whole_got = pahole(obj).stdout, layout(obj).stdout

    def ex_natural_p(text):
        return _body(text.split("struct ex_natural {", 1)[1], "struct ex_point {")[-1]

    check(ex_natural_p(whole_want).startswith("\t}" + PACKED + "p;"),
          f"pahole no longer remembers __packed__: {ex_natural_p(whole_want)!r}")
    check(ex_natural_p(whole_got).startswith("\t}p;"), f"padguard: {ex_natural_p(whole_got)!r}")
    alone = pahole("-C", "ex_natural", obj).stdout
    check(alone == layout("-C", "ex_natural", obj).stdout, "-C ex_natural differs from pahole's")
    check(PACKED not in alone, "pahole -C ex_natural prints __packed__")
    # Where the offset is unnatural both print __packed__.
    leaky = layout("-C", "ex_leaky", obj).stdout
    check(leaky == pahole("-C", "ex_leaky", obj).stdout and "\t}" + PACKED + "p;" in leaky,
          f"ex_leaky's ex_point: {leaky!r}")
    check.done()


@pytest.mark.whole_module
def test_differences_observed():
    """Each tolerance was used somewhere (module order: after the builds), so
    none is left in place without a defect to excuse."""
    for what in ("m32", "const", "leak"):
        assert SEEN.get(what), f"documented difference '{what}' was never observed: drop its tolerance"


# ---- refused combinations ------------------------------------------------------

def test_refused_with_json(check):
    """JSON (the only other format of layout) names every type already: -E is refused in one line."""
    r = layout("--format", "json", _expand_obj())
    check(r.returncode == 2 and r.stdout == "", f"-E --format json: rc={r.returncode} out={r.stdout[:80]!r}")
    lines = r.stderr.splitlines()
    check(len(lines) == 1 and "-E" in lines[0] and "--format text" in lines[0], f"-E --format json: {r.stderr!r}")
    check.done()


def test_refused_on_facts(tmp_path, check):
    facts = tmp_path / "f.json"
    r = fl.run([PADGUARD, "extract", "-o", str(facts), _expand_obj()])
    assert r.returncode == 0, r.stderr
    r = layout("-C", "ex_outer", str(facts))
    check(r.returncode == 2 and r.stdout == "", f"-E on facts: rc={r.returncode}")
    check(len(r.stderr.splitlines()) == 1 and "-E" in r.stderr and "facts" in r.stderr, f"-E on facts: {r.stderr!r}")
    plain = fl.run([PADGUARD, "layout", "-C", "ex_outer", str(facts)])
    check(plain.returncode == 0 and plain.stdout, "facts without -E")
    check.done()
