"""Reduced debug info (issue 17; docs/REDUCED-DEBUG-INFO.md): gcc's
-femit-struct-debug-baseonly (the kernel's CONFIG_DEBUG_INFO_REDUCED) and
-femit-struct-debug-reduced describe a struct in full only in the unit whose
base name matches its header's, and clang++'s default -fno-standalone-debug
a dynamic class only where its key function is. fixtures/reduced: outer.c
holds inner.h's types by value but gets declarations; inner.c defines them.

Linked together, padguard completes each member from the other unit's
definition: `layout` equals the normal build (and pahole on it) byte for
byte, with both DWARF readers, while pahole prints a 0-byte member and a
fake hole. Where no unit defines the type (outer.o alone, lonely.h), padguard
prints '?' and says so instead, check fails closed (exit 2) for rules that
need member sizes, and diff claims no change from it."""
import json
import os
import re
import shutil

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
FIX = os.path.join(fl.ROOT, "fixtures", "reduced")
BACKENDS = ["libdw", "libdwarf"]
MODES = ["baseonly", "reduced"]
SOURCES = ["outer.c", "inner.c", "uses_lonely.c"]


def compile_c(out_dir, src, flags):
    obj = os.path.join(out_dir, src.replace(".c", "").replace(".cpp", "") + ".o")
    cc = "clang++" if src.endswith(".cpp") else "gcc"
    r = fl.run([cc, "-O0", "-g", *flags, "-c", "-o", obj, src], cwd=FIX)
    assert r.returncode == 0, r.stderr
    return obj


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """{mode: {"prog": linked program, "outer.o": ..., ...}} for the normal
    build ("normal") and each reduced mode."""
    fl.require("gcc", "pahole", "readelf")
    out = {}
    for mode in ["normal", *MODES]:
        d = str(tmp_path_factory.mktemp(mode))
        flags = [] if mode == "normal" else [f"-femit-struct-debug-{mode}"]
        objs = {src: compile_c(d, src, flags) for src in SOURCES}
        prog = os.path.join(d, "prog")
        r = fl.run(["gcc", "-o", prog, *objs.values()])
        assert r.returncode == 0, r.stderr
        out[mode] = {"prog": prog, **{k.replace(".c", ".o"): v for k, v in objs.items()}}
    return out


def layout(*args, backend="libdw"):
    return fl.run([PADGUARD, "layout", "--backend", backend, *args])


def die_of(obj, name):
    """readelf's attribute lines of the unit-level struct/union DIE `name`."""
    r = fl.run(["readelf", "--debug-dump=info", obj])
    assert r.returncode == 0, r.stderr
    for block in re.split(r"\n(?= <\d+><[0-9a-f]+>:)", r.stdout):
        if re.match(r" <1><[0-9a-f]+>: Abbrev Number: \d+ \(DW_TAG_(structure|union)_type\)", block) and \
                re.search(rf"DW_AT_name\s*:.*\b{name}\s*$", block, re.M):
            return block
    return None


def blocks(text):
    """pahole text cut into one string per top-level record."""
    return [b + "};\n" for b in text.split("};\n") if b.strip()]


@pytest.mark.parametrize("mode", MODES)
def test_gcc_emits_declarations_held_by_value(builds, mode, check):
    """The premise: outer.o's inner is a DIE with DW_AT_declaration (held by
    value), inner.o's a definition; lonely is declared only."""
    b = builds[mode]
    for name in ["inner", "small", "tail"]:
        d = die_of(b["outer.o"], name)
        check(d is not None and "DW_AT_declaration" in d and "DW_AT_byte_size" not in d,
              f"{mode}: outer.o's {name} is not a declaration: {d}")
        d = die_of(b["inner.o"], name)
        check(d is not None and "DW_AT_byte_size" in d, f"{mode}: inner.o's {name} is not a definition: {d}")
    d = die_of(b["uses_lonely.o"], "lonely")
    check(d is not None and "DW_AT_declaration" in d, f"{mode}: uses_lonely.o's lonely: {d}")
    check.done()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("flags", [[], ["-E"], ["--hex"]], ids=["plain", "E", "hex"])
@pytest.mark.parametrize("mode", MODES)
def test_layout_C_equals_the_normal_build(builds, mode, flags, backend, check):
    """layout -C outer of the reduced program: the normal build's bytes, which
    are pahole's on the normal build."""
    want = fl.pahole_layout(*flags, "-C", "outer", builds["normal"]["prog"])
    assert want.returncode == 0 and want.stdout, want.stderr
    normal = layout(*flags, "-C", "outer", builds["normal"]["prog"], backend=backend)
    got = layout(*flags, "-C", "outer", builds[mode]["prog"], backend=backend)
    check(normal.stdout == want.stdout, f"normal build differs from pahole:\n{normal.stdout}\n{want.stdout}")
    check(got.returncode == 0, got.stderr)
    check(got.stdout == want.stdout, f"reduced build differs from the normal one:\n{got.stdout}\n--- normal:\n{want.stdout}")
    check(got.stderr == "", f"a note where nothing is unknown: {got.stderr}")
    check.done()


@pytest.mark.parametrize("mode", MODES)
def test_pahole_is_wrong_on_reduced_debug_info(builds, mode, check):
    """What docs/REDUCED-DEBUG-INFO.md states of pahole 1.24: on the linked
    reduced program it prints `in` with size 0 and a 16-byte hole after it,
    where the normal build proves a 16-byte struct and no hole."""
    normal = fl.pahole_layout("-C", "outer", builds["normal"]["prog"]).stdout
    reduced = fl.pahole_layout("-C", "outer", builds[mode]["prog"]).stdout
    check(re.search(r"struct inner +in; +/\* +8 +16 \*/", normal) is not None, normal)
    check(re.search(r"struct inner +in; +/\* +8 +0 \*/", reduced) is not None, reduced)
    check("/* XXX 16 bytes hole, try to pack */" in reduced, reduced)
    check("/* XXX 16 bytes hole, try to pack */" not in normal, normal)
    check.done()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", MODES)
def test_layout_of_everything(builds, mode, backend, check):
    """Every record of the reduced program as in the normal build (in another
    order: first definitions are in other units), except uses_lonely, whose
    struct lonely no unit defines: marked, with a note."""
    want = blocks(fl.pahole_layout(builds["normal"]["prog"]).stdout)
    got = layout(builds[mode]["prog"], backend=backend)
    check(got.returncode == 0, got.stderr)
    mine = blocks(got.stdout)
    unmarked = [b for b in want if not b.startswith(("struct lonely ", "struct uses_lonely "))]
    check(sorted(b for b in mine if not b.startswith("struct uses_lonely ")) == sorted(unmarked),
          f"records differ from the normal build:\n{got.stdout}")
    lonely = [b for b in mine if b.startswith("struct uses_lonely ")]
    check(len(lonely) == 1 and "/*     4     ? */" in lonely[0] and
          "struct lonely is declaration-only here; its size is unknown" in lonely[0], f"{lonely}")
    check("struct lonely (no unit defines it)" in got.stderr and "CONFIG_DEBUG_INFO_REDUCED" in got.stderr and
          "1 struct holds" in got.stderr, got.stderr)
    check.done()


OUTER_ALONE = """struct outer {
\tint                        a;                    /*     0     4 */

\t/* XXX 4 bytes hole, try to pack */

\tstruct inner               in;                   /*     8     ? */

\t/* XXX struct inner is declaration-only here; its size is unknown */

\tchar                       c;                    /*    24     1 */

\t/* XXX 7 bytes hole, try to pack */

\tconst const inner_t        arr[2];               /*    32     ? */

\t/* XXX struct inner is declaration-only here; its size is unknown */

\t/* --- cacheline 1 boundary (64 bytes) --- */
\tunion small                u;                    /*    64     ? */

\t/* XXX union small is declaration-only here; its size is unknown */

\tstruct {
\t\tchar               k;                    /*    72     1 */

\t\t/* XXX 7 bytes hole, try to pack */

\t\tstruct inner       nested;               /*    80     ? */

\t\t/* XXX struct inner is declaration-only here; its size is unknown */
\t} anon;                                          /*    72    24 */
\tstruct tail                last;                 /*    96     ? */

\t/* XXX struct tail is declaration-only here; its size is unknown */

\t/* size: 104, cachelines: 2, members: 7 */
\t/* sum members: 29, holes: 2, sum holes: 11 */
\t/* members of unknown size: 4 (declaration-only types; no holes counted next to them) */
\t/* last cacheline: 40 bytes */
};
"""


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", MODES)
def test_no_definition_anywhere_is_said_not_invented(builds, mode, backend, check):
    """outer.o alone: each declaration-only member prints '?' and a line
    saying so; the holes before members are real, none after them is claimed
    (pahole: 0-byte members and holes of 16, 32 and 8 bytes); a note on stderr."""
    r = layout("-C", "outer", builds[mode]["outer.o"], backend=backend)
    check(r.returncode == 0, r.stderr)
    check(r.stdout == OUTER_ALONE, f"got:\n{r.stdout}")
    check(r.stderr.startswith(f"padguard: note: {builds[mode]['outer.o']}: 1 struct holds members of unknown size"),
          r.stderr)
    for what in ["struct inner (no unit defines it)", "union small", "struct tail", "CONFIG_DEBUG_INFO_REDUCED",
                 "-femit-struct-debug-baseonly"]:
        check(what in r.stderr, f"{what!r} not in {r.stderr}")
    j = layout("--format", "json", "-C", "outer", builds[mode]["outer.o"], backend=backend)
    doc = json.loads(j.stdout)
    fl.schema_validator().validate(doc)
    rec = doc["records"][0]
    check(rec["unknown_sizes"] == 5, rec)
    check([m["key"] for m in rec["members"] if m.get("size_unknown")] == ["in", "arr", "u", "anon.nested", "last"], rec)
    check(all(h["size"] in (4, 7) for h in rec["holes"]), rec["holes"])
    check.done()


@pytest.mark.parametrize("mode", MODES)
def test_check_fails_closed(builds, mode, validator, check):
    """A rule that needs member sizes cannot judge outer.o's outer: exit 2,
    naming the struct, the member, the file and the fix; sizeof rules still
    judge (DW_AT_byte_size is exact); the linked program is judged as the
    normal build."""
    old, new = builds["normal"]["outer.o"], builds[mode]["outer.o"]
    r = fl.run([PADGUARD, "check", "--no-new-holes", "outer", old, new])
    check(r.returncode == 2, f"rc {r.returncode}: {r.stdout}{r.stderr}")
    for what in ["struct outer", "member 'in'", f"unknown size in {new}", "struct inner is declaration-only",
                 "CONFIG_DEBUG_INFO_REDUCED", "rebuild without it"]:
        check(what in r.stdout, f"{what!r} not in {r.stdout}")
    for rule in (["--max-slack-loss", "outer=0"], ["--disjoint", "outer.in,outer.c"], ["--no-new-holes", "all"]):
        r = fl.run([PADGUARD, "check", *rule, old, new])
        check(r.returncode == 2 and "size-unknown" not in r.stdout and "declaration-only" in r.stdout,
              f"{rule}: rc {r.returncode}: {r.stdout}")
    j = fl.run([PADGUARD, "check", "--format", "json", "--no-new-holes", "outer", old, new])
    doc = json.loads(j.stdout)
    validator.validate(doc)
    f = doc["configs"][0]["results"][0]["findings"][0]
    check(f["problem"] == "size-unknown" and f["unknown_size"] == {"member": "in", "type": "struct inner", "in": ["new"]},
          f)
    r = fl.run([PADGUARD, "check", "--no-growth", "outer", "--max-cachelines", "outer=2", old, new])
    check(r.returncode == 0, f"sizeof rules: rc {r.returncode}: {r.stdout}")
    r = fl.run([PADGUARD, "check", "--no-new-holes", "outer", "--max-slack-loss", "outer=0",
                builds["normal"]["prog"], builds[mode]["prog"]])
    check(r.returncode == 0, f"linked: rc {r.returncode}: {r.stdout}")
    r = fl.run([PADGUARD, "check", "--no-new-holes", "all", builds["normal"]["prog"], builds[mode]["prog"]])
    check(r.returncode == 2 and "struct uses_lonely: member 'l'" in r.stdout and "struct outer" not in r.stdout,
          f"linked, all: rc {r.returncode}: {r.stdout}")
    check.done()


@pytest.mark.parametrize("mode", MODES)
def test_diff_claims_no_change_from_an_unknown_size(builds, mode, validator, check):
    old, new = builds["normal"]["outer.o"], builds[mode]["outer.o"]
    r = fl.run([PADGUARD, "diff", "-C", "outer", old, new])
    check(r.returncode == 2, f"rc {r.returncode}: no change cannot be claimed\n{r.stdout}{r.stderr}")
    check("struct outer: no change known, 104 bytes; not compared: the size of in (struct inner)" in r.stdout,
          r.stdout)
    for claim in ["resized", "hole", "hidden growth", "sharing", "straddles"]:
        check(claim not in r.stdout, f"claims {claim!r}: {r.stdout}")
    check("1 struct compared without the sizes of members whose type is declaration-only" in r.stderr, r.stderr)
    j = fl.run([PADGUARD, "diff", "--format", "json", "-C", "outer", old, new])
    doc = json.loads(j.stdout)
    validator.validate(doc)
    rec = doc["records"][0]
    check(rec["status"] == "unchanged" and doc["incomplete"] == 1 and
          [u["member"] for u in rec["new_unknown_sizes"]] == ["in", "arr", "u", "anon.nested", "last"], rec)
    # The other way round, the old side unknown.
    r = fl.run([PADGUARD, "diff", "-C", "outer", new, builds["normal"]["prog"]])
    check(r.returncode == 2 and f"... and 1 more in {new}, declaration-only" in r.stdout, r.stdout)
    # Linked, nothing is unknown: the diff of the normal build with itself.
    r = fl.run([PADGUARD, "diff", "-C", "outer", builds["normal"]["prog"], builds[mode]["prog"]])
    check(r.returncode == 0 and "unchanged" in r.stdout and r.stderr == "", f"rc {r.returncode}: {r.stdout}{r.stderr}")
    check.done()


@pytest.mark.parametrize("mode", MODES)
def test_facts_keep_the_unknown(builds, mode, tmp_path, check):
    """extract keeps a declaration-only type as such: the facts file prints the
    same layout and check on it fails closed the same way."""
    obj = builds[mode]["outer.o"]
    facts = str(tmp_path / "outer.json")
    r = fl.run([PADGUARD, "extract", "-o", facts, obj])
    assert r.returncode == 0, r.stderr
    check(layout("-C", "outer", facts).stdout == OUTER_ALONE, "facts layout differs")
    r = fl.run([PADGUARD, "check", "--no-new-holes", "outer", builds["normal"]["outer.o"], facts])
    check(r.returncode == 2 and "member 'in' has unknown size" in r.stdout, r.stdout)
    check.done()


@pytest.mark.parametrize("mode", MODES)
def test_backends_agree(builds, mode, check):
    for f in [builds[mode]["prog"], builds[mode]["outer.o"]]:
        r = fl.run([PADGUARD, "crosscheck", f])
        check(r.returncode == 0 and "0 disagree" in r.stdout, f"{f}: {r.stdout}{r.stderr}")
    check.done()


def test_reorganize_and_fit_refuse(builds, check):
    obj = builds["baseonly"]["outer.o"]
    r = layout("-R", "-C", "outer", obj)
    check(r.returncode == 2 and "declaration-only" in r.stderr and "does not move" in r.stderr, r.stderr)
    r = fl.run([PADGUARD, "fit", "--field", "int x", "outer", obj])
    check(r.returncode == 2 and "member 'in' is of struct inner" in r.stderr, f"rc {r.returncode}: {r.stderr}")
    check.done()


ALT_H = "struct inner { long x; short y;\n#ifdef BIG\n long z;\n#endif\n};\n"


def test_a_name_defined_several_ways_is_not_guessed(tmp_path, check):
    """Two units define struct inner differently: padguard does not pick one
    (first in unit order, or by size); one definition is taken."""
    fl.require("ld")
    (tmp_path / "inner_alt.h").write_text(ALT_H)
    (tmp_path / "holder.c").write_text('#include "inner_alt.h"\nstruct holder { char a; struct inner in; char b; };\n'
                                       "struct holder h;\n")
    objs = {}
    for name, flags in [("holder", []), ("d1", []), ("d2", ["-DBIG"])]:
        d = tmp_path / name
        d.mkdir()
        src = "holder.c" if name == "holder" else str(d / "inner_alt.c")
        if name != "holder":
            (d / "inner_alt.c").write_text(f'#include "../inner_alt.h"\nstruct inner g_{name};\n')
        objs[name] = str(d / "x.o")
        r = fl.run(["gcc", "-g", "-O0", "-femit-struct-debug-baseonly", *flags, "-c", "-o", objs[name], src],
                   cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    for out, parts in [("two.o", ["holder", "d1", "d2"]), ("one.o", ["holder", "d1"])]:
        r = fl.run(["ld", "-r", "-o", str(tmp_path / out), *[objs[p] for p in parts]])
        assert r.returncode == 0, r.stderr
    for backend in BACKENDS:
        two = layout("-C", "holder", str(tmp_path / "two.o"), backend=backend)
        check("/*     8     ? */" in two.stdout and "defined 2 different ways" in two.stderr, two.stdout + two.stderr)
        one = layout("-C", "holder", str(tmp_path / "one.o"), backend=backend)
        check(re.search(r"struct inner +in; +/\* +8 +16 \*/", one.stdout) is not None and one.stderr == "",
              one.stdout + one.stderr)
    check.done()


def test_clang_limit_debug_info(tmp_path, check):
    """clang++'s default -fno-standalone-debug declares class Key in
    holder.o (its key function is in key.cpp): linked, Holder is laid out as
    with -fstandalone-debug, which pahole reads right."""
    fl.require("clang++", "ld")
    objs = {}
    for flags, tag in [([], "default"), (["-fstandalone-debug"], "standalone")]:
        d = tmp_path / tag
        d.mkdir()
        parts = [compile_c(str(d), src, flags) for src in ["holder.cpp", "key.cpp"]]
        objs[tag] = str(d / "both.o")
        r = fl.run(["ld", "-r", "-o", objs[tag], *parts])
        assert r.returncode == 0, r.stderr
        objs[tag + "_holder"] = parts[0]
    d = die_of(objs["default_holder"], "Key")
    check(d is not None and "DW_AT_declaration" in d, f"holder.o's Key: {d}")
    want = fl.pahole_layout("-C", "Holder", objs["standalone"]).stdout
    for backend in BACKENDS:
        got = layout("-C", "Holder", objs["default"], backend=backend)
        check(got.stdout == want and got.stderr == "", f"{backend}:\n{got.stdout}{got.stderr}\n--- want:\n{want}")
        alone = layout("-C", "Holder", objs["default_holder"], backend=backend)
        check("/*     8     ? */" in alone.stdout and "struct Key (no unit defines it)" in alone.stderr,
              alone.stdout + alone.stderr)
    check.done()
