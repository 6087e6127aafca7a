"""Differential test of pahole's presentation flags on `padguard layout`:
-s/--sizes, --hex, -H/--holes N, byte for byte against pahole 1.24 on every
fixture build (gcc, clang x -m64, -m32, -marm32 x DWARF 4, 5), and on one
object per compiler/mode/DWARF version that links all fixtures (many units,
names repeated), where the flags are combined with -C. Bad values fail
closed (exit 2, one line naming the flag). One test id per build and flag
set: `pytest -k "clang and m32 and hex"`."""
import concurrent.futures
import json
import os
import re

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
# i386: pahole's documented __packed__ defect (docs/pahole-differences.md)
# may change closing braces, nothing else; test_layout_pahole asserts it exactly.
CLOSING = re.compile(r"^(\t*)\}( __attribute__\(\((__packed__|__aligned__\(\d+\))\)\))?;$", re.M)
STRUCT = re.compile(r"^(?:struct|union) (\w+) \{", re.M)


pahole = fl.pahole_layout
layout = fl.padguard_layout


BUILDS = fl.build_all()
BY_ID = {b.id: b for b in BUILDS}
# Per build: the whole-file flag sets (cheap and covering every struct).
PER_BUILD = {"hex": ["--hex"], "H2s": ["-H", "2", "-s"]}


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require("pahole", *fl.tools_for())


def same_as_pahole(check, mode, args, what, nonempty=True):
    """padguard layout ARGS equals pahole ARGS (i386: up to closing braces)."""
    want = pahole(*args)
    got = layout(*args)
    if not check(got.returncode == 0, f"{what}: padguard rc={got.returncode} {got.stderr.strip()}"):
        return
    check(want.returncode == 0 and (want.stdout or not nonempty), f"{what}: pahole printed nothing (rc={want.returncode})")
    exp, out = want.stdout, got.stdout
    if out != exp and mode == "-m32":
        exp, out = CLOSING.sub(r"\1};", exp), CLOSING.sub(r"\1};", out)
    check(out == exp, f"{what}: differs from pahole {' '.join(args)}")


@pytest.mark.parametrize("flags", PER_BUILD, ids=list(PER_BUILD))
@pytest.mark.parametrize("build", [b.id for b in BUILDS])
def test_build(build, flags, check):
    b = BY_ID[build]
    assert b.obj, b.error
    # -H 2 may select nothing in a small fixture; the linked objects below
    # prove the filter keeps and drops records.
    same_as_pahole(check, b.mode, [*PER_BUILD[flags], b.obj], f"{b.label} {flags}", nonempty=flags == "hex")
    check.done()


# ---- all fixtures of one compiler/mode/DWARF version in one object --------------

CONFIGS = sorted({(b.cc, b.mode, b.dwarf) for b in BUILDS})
CONFIG_IDS = [f"{cc}-{fl.MODE_ID[m]}-{d[2:]}" for cc, m, d in CONFIGS]


@pytest.fixture(scope="module")
def linked():
    """config -> (object linking every fixture of it with ld -r, pahole's whole text)."""
    out = {}
    for (cc, m, d), cid in zip(CONFIGS, CONFIG_IDS):
        objs = sorted(b.obj for b in BUILDS if (b.cc, b.mode, b.dwarf) == (cc, m, d) and b.obj)
        path = os.path.join(fl.work_dir("pahole_flags"), f"{cid}.o")
        r = fl.run([*fl.LD_ARGV[m], "-r", "-z", "muldefs", "-o", path, *objs])
        out[cid] = (path, r.stderr) if r.returncode == 0 else (None, r.stderr)
    return out


# Flag sets on the linked objects; "{hole}" is a struct with holes, "{nohole}"
# one without, "{all}" every struct and union name: -C ignores -s and -H as
# pahole does.
LINKED = {
    "s": ["-s"],
    "H1": ["-H", "1"],
    "H3hex": ["-H", "3", "--hex"],
    "H0": ["-H", "0"],
    "Hmax": ["-H", "65535", "-s"],  # nothing has that many: both print nothing
    "hexC": ["--hex", "-C", "{all}"],
    "sC": ["-s", "-C", "{hole},{nohole}"],
    "HC": ["-H", "9", "-C", "{nohole}"],
}


def names(obj, *flags):
    return [n.split("\t")[0] for n in pahole("-s", *flags, obj).stdout.splitlines()]


@pytest.mark.parametrize("flags", LINKED, ids=list(LINKED))
@pytest.mark.parametrize("config", CONFIG_IDS)
def test_linked(linked, config, flags, check):
    obj, err = linked[config]
    assert obj, f"ld -r {config}: {err}"
    mode = CONFIGS[CONFIG_IDS.index(config)][1]
    every = names(obj)
    holed = names(obj, "-H", "1")
    subst = {"{all}": ",".join(dict.fromkeys(every)), "{hole}": holed[0],
             "{nohole}": next(n for n in every if n not in holed)}
    args = [re.sub(r"\{\w+\}", lambda m: subst[m.group(0)], a) for a in LINKED[flags]]
    if flags == "Hmax":
        got = layout(*args, obj)
        check(got.returncode == 0 and got.stdout == "" == pahole(*args, obj).stdout,
              f"{config} -H 65535: expected no output from both, got {got.stdout[:200]!r} rc={got.returncode}")
    else:
        same_as_pahole(check, mode, [*args, obj], f"{config} {flags}")
    if flags == "H1":
        # The filter must be one that filters: some records kept, some left out.
        kept = STRUCT.findall(layout("-H", "1", obj).stdout)
        check(0 < len(kept) < len(every), f"{config}: -H 1 kept {len(kept)} of {len(every)} records")
        check(not re.search(r"^union ", layout("-H", "1", obj).stdout, re.M), f"{config}: -H 1 printed a union")
    check.done()


def test_hex_changes_numbers_only(linked, check):
    """--hex rewrites the offset/size comments and enumerator values, nothing
    else: every other line is the decimal output's."""
    obj, err = linked[CONFIG_IDS[0]]
    assert obj, err
    dec, hexa = layout(obj).stdout.splitlines(), layout("--hex", obj).stdout.splitlines()
    check(len(dec) == len(hexa), "--hex changed the number of lines")
    changed = 0
    for d, h in zip(dec, hexa):
        if d != h:
            changed += 1
            check("0x" in h, f"--hex changed a line without a hex number: {h!r}")
    check(changed > 0, "--hex changed nothing")
    check.done()


# ---- -i/--contains NAME ---------------------------------------------------------

MEMBER_TYPE = re.compile(r"^\t+(?:const )?(?:(?:struct|union|enum) )?(\w+)\s", re.M)
BASE_WORDS = {"char", "int", "long", "short", "unsigned", "signed", "float", "double", "void", "_Bool",
              "struct", "union", "enum", "const", "volatile"}


def contains_names(whole):
    """Names worth asking -i about: about 24 of the structs, unions, enums and
    typedefs member lines name as their type (evenly spread, list_head always),
    and a struct nothing contains (the time budget allows no more)."""
    used = sorted({n for n in MEMBER_TYPE.findall(whole) if n not in BASE_WORDS})
    picked = set(used[::max(1, len(used) // 24)]) | ({"list_head"} & set(used))
    return sorted(picked | set(STRUCT.findall(whole)[:1]))


@pytest.mark.parametrize("config", CONFIG_IDS)
def test_contains(linked, config, check):
    """-i NAME equals pahole -i NAME for every type name the members use:
    the first unit that defines NAME only, direct members of that very type."""
    obj, err = linked[config]
    assert obj, f"ld -r {config}: {err}"
    asked = contains_names(pahole(obj).stdout)
    check(len(asked) > 5, f"{config}: only {len(asked)} names to ask -i about")

    def both(n):
        return n, pahole("-i", n, obj), layout("-i", n, obj)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(both, asked))
    listed = 0
    for n, want, got in results:
        if want.stderr:  # pahole: "type 'X' not found" (exit 0); padguard: exit 2, one line
            check(got.returncode == 2 and got.stdout == "" and len(got.stderr.splitlines()) == 1,
                  f"{config} -i {n}: pahole did not find it; padguard rc={got.returncode} {got.stderr!r}")
            continue
        check(got.returncode == 0 and got.stdout == want.stdout,
              f"{config} -i {n}: padguard {got.stdout!r} rc={got.returncode} {got.stderr.strip()}, pahole {want.stdout!r}")
        listed += bool(want.stdout)
    check(listed > 0, f"{config}: no -i NAME listed any container")
    check.done()


def test_contains_first_unit_only(linked, check):
    """pahole -i searches only the first unit defining NAME: task_struct holds
    list_heads in every task_model build, yet it is listed once."""
    obj, err = linked[CONFIG_IDS[0]]
    assert obj, err
    everywhere = pahole(obj).stdout.count("struct list_head           tasks;")
    got = layout("-i", "list_head", obj)
    check(everywhere > 1, f"only {everywhere} task_struct definitions hold list_head tasks")
    check(got.returncode == 0 and got.stdout.splitlines().count("task_struct") == 1,
          f"-i list_head: {got.stdout!r}")
    check(got.stdout == pahole("-i", "list_head", obj).stdout, "-i list_head differs from pahole")
    check.done()


@pytest.mark.parametrize("args", [["-i", ""], ["-i", "list_head", "-C", "task_struct"],
                                  ["-i", "list_head", "-H", "1"], ["-i", "list_head", "--format", "json"]],
                         ids=["empty", "withC", "withH", "json"])
def test_contains_refused(one_obj, args, check):
    r = layout(*args, one_obj)
    check(r.returncode == 2 and r.stdout == "", f"{args}: rc={r.returncode} out={r.stdout[:80]!r}")
    check(len(r.stderr.splitlines()) == 1 and "-i" in r.stderr, f"{args}: stderr {r.stderr!r}")
    check.done()


# ---- bad values, other formats, help --------------------------------------------

@pytest.fixture(scope="module")
def one_obj():
    b = next(b for b in BUILDS if b.obj and (b.cc, b.mode, b.name) == ("gcc", "-m64", "holes"))
    return b.obj


@pytest.mark.parametrize("value", ["abc", "=-1", "65536", "", "2x", " 1", "1.5", "0x10"])
def test_bad_holes(one_obj, value, check):
    """pahole reads these with atoi (0, or a wrapped 16-bit number); padguard refuses."""
    r = layout("--holes=" + value[1:], one_obj) if value.startswith("=") else layout("-H", value, one_obj)
    check(r.returncode == 2, f"-H {value!r}: rc={r.returncode}, expected 2")
    check(r.stdout == "", f"-H {value!r}: printed {r.stdout[:100]!r}")
    lines = r.stderr.splitlines()
    check(len(lines) == 1 and "-H" in lines[0] and "65535" in lines[0],
          f"-H {value!r}: stderr is not one line naming -H and the range: {r.stderr!r}")
    check.done()


def test_negative_holes_as_next_word(one_obj, check):
    """`-H -1`: "-1" reads as an option, refused in one line naming it."""
    r = layout("-H", "-1", one_obj)
    check(r.returncode == 2 and r.stdout == "", f"-H -1: rc={r.returncode}")
    check(len(r.stderr.splitlines()) == 1 and "'-1'" in r.stderr, f"-H -1: stderr {r.stderr!r}")
    check.done()


@pytest.mark.parametrize("flag", [["-s"], ["--hex"], ["-s", "-C", "holes1"], ["-E"]], ids=["s", "hex", "sC", "E"])
def test_text_only_flags_refuse_json(one_obj, flag, check):
    r = layout("--format", "json", *flag, one_obj)
    check(r.returncode == 2 and r.stdout == "", f"{flag} --format json: rc={r.returncode}")
    lines = r.stderr.splitlines()
    check(len(lines) == 1 and flag[0] in lines[0] and "--format text" in lines[0],
          f"{flag} --format json: stderr {r.stderr!r}")
    check.done()


def test_holes_filters_json(one_obj, check):
    """-H is a selection, so it applies to JSON too: the same records as text."""
    r = layout("--format", "json", "-H", "2", one_obj)
    check(r.returncode == 0, f"-H 2 --format json: {r.stderr}")
    got = [rec["name"] for rec in json.loads(r.stdout)["records"]]
    want = names(one_obj, "-H", "2")
    check(got == want and got, f"-H 2 JSON records {got}, pahole -H 2 -s lists {want}")
    check.done()


def test_help_describes_flags(check):
    text = fl.run([PADGUARD, "layout", "--help"]).stdout
    for flag in ("-s,--sizes", "--hex", "-E,--expand_types", "-H,--holes", "-i,--contains"):
        check(flag in text, f"layout --help does not list {flag}")
    check.done()
