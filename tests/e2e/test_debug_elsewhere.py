"""Debug info kept in other files (issue 17): split DWARF (.dwo beside the
objects, FILE.dwp made by llvm-dwp) and dwz (partial units in a
supplementary file named by .gnu_debugaltlink). For each, layout, extract
(JSON facts, decl files included), diff and check give what the plain build
gives; what is missing is exit 2 naming the file and the fix."""
import json
import os
import shutil

import pytest

import fixturelib as fl

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "..", "fixtures", "c")
SOURCES = ["arrays.c", "holes.c", "bitfields.c"]
MAIN = "int main(void) { return 0; }\n"


def build(tmp, cc, name, flags):
    """An executable of SOURCES (+ main) built in `tmp` (split DWARF leaves
    its .dwo files there)."""
    fl.require(cc)
    main = tmp / "m.c"
    main.write_text(MAIN)
    srcs = []
    for s in SOURCES:
        shutil.copy(os.path.join(FIX, s), tmp / s)
        srcs.append(s)
    r = fl.run([cc, *flags, "-o", name, *srcs, "m.c"], cwd=tmp)
    assert r.returncode == 0, r.stderr
    return tmp / name


def pg(*args):
    return fl.run([fl.padguard(), *map(str, args)])


def same_as_plain(f, plain):
    a, b = pg("layout", f), pg("layout", plain)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout and "struct holes_" in a.stdout
    # The facts, source files and lines included, are the plain build's.
    ja, jb = pg("extract", f), pg("extract", plain)
    assert ja.returncode == 0, ja.stderr
    da, db = json.loads(ja.stdout), json.loads(jb.stdout)
    da.pop("source"), db.pop("source")
    assert da == db
    assert '"decl":["' in ja.stdout and "holes.c" in ja.stdout, "no decl files read"
    d = pg("diff", plain, f)
    assert d.returncode == 0 and "0 changed, 0 added, 0 removed" in d.stdout, d.stdout + d.stderr
    c = pg("check", "--no-growth", "all", plain, f)
    assert c.returncode == 0 and "verdict: PASS" in c.stdout, c.stdout + c.stderr
    n = sum(1 for line in a.stdout.splitlines() if line.startswith(("struct ", "union ")) and line.endswith("{"))
    assert f"{n} structs checked" in c.stdout or "structs checked" in c.stdout


SPLIT = [("gcc", "5"), ("gcc", "4"), ("clang", "5"), ("clang", "4")]


@pytest.mark.parametrize("cc,version", SPLIT, ids=[f"{c}-dwarf{v}" for c, v in SPLIT])
def test_split_dwarf_reads_the_dwo_files(tmp_path, cc, version):
    plain = build(tmp_path, cc, "plain", ["-g", f"-gdwarf-{version}"])
    split = build(tmp_path, cc, "split", ["-g", f"-gdwarf-{version}", "-gsplit-dwarf"])
    assert list(tmp_path.glob("*.dwo")), "the compiler left no .dwo files"
    same_as_plain(split, plain)
    # pahole reads the plain build: the oracle for the bytes.
    p = fl.pahole_layout(str(plain))
    assert p.returncode == 0 and p.stdout == pg("layout", split).stdout


def test_split_object_and_layout_by_name(tmp_path):
    fl.require("gcc")
    shutil.copy(os.path.join(FIX, "holes.c"), tmp_path / "holes.c")
    for name, flags in (("plain.o", []), ("split.o", ["-gsplit-dwarf"])):
        r = fl.run(["gcc", "-g", *flags, "-c", "holes.c", "-o", name], cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    for s in ("holes_one_byte", "holes_none"):
        a, b = pg("layout", "-C", s, tmp_path / "split.o"), pg("layout", "-C", s, tmp_path / "plain.o")
        assert a.returncode == 0 and a.stdout == b.stdout and f"struct {s} {{" in a.stdout, a.stderr


# llvm-dwp 14 loops on gcc's DWARF 5 .dwo files; gcc's DWARF 4 (GNU .dwp
# version 2) and clang's DWARF 5 (version 5) packages are what it makes.
DWP = [("clang", "5"), ("gcc", "4")]


@pytest.mark.parametrize("cc,version", DWP, ids=[f"{c}-dwarf{v}" for c, v in DWP])
def test_dwp_package_beside_the_file(tmp_path, cc, version):
    fl.require("llvm-dwp")
    plain = build(tmp_path, cc, "plain", ["-g", f"-gdwarf-{version}"])
    split = build(tmp_path, cc, "split", ["-g", f"-gdwarf-{version}", "-gsplit-dwarf"])
    r = fl.run(["llvm-dwp", "-e", str(split), "-o", str(split) + ".dwp"], timeout=120)
    assert r.returncode == 0, r.stderr
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copy(split, moved / "split")
    shutil.copy(str(split) + ".dwp", moved / "split.dwp")
    for dwo in tmp_path.glob("*.dwo"):
        dwo.unlink()  # only the package is left
    same_as_plain(moved / "split", plain)


def test_missing_dwo_is_an_error_naming_it(tmp_path):
    split = build(tmp_path, "gcc", "split", ["-g", "-gsplit-dwarf"])
    for dwo in tmp_path.glob("*.dwo"):
        dwo.unlink()
    for cmd in (["layout", split], ["check", "--no-growth", "all", split, split]):
        r = pg(*cmd)
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"{split}: split DWARF: 'split-" in r.stderr and "was not found" in r.stderr
        assert "llvm-dwp" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "PASS" not in r.stdout


def test_dwo_from_another_build_is_refused(tmp_path):
    split = build(tmp_path, "gcc", "split", ["-g", "-gsplit-dwarf"])
    dwo = tmp_path / "split-holes.dwo"
    keep = dwo.read_bytes()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(os.path.join(FIX, "holes.c"), other / "holes.c")
    (other / "holes.c").write_text((other / "holes.c").read_text() + "\nstruct extra { long z; } extra_v;\n")
    r = fl.run(["gcc", "-g", "-gsplit-dwarf", "-c", "holes.c", "-o", "h.o"], cwd=other)
    assert r.returncode == 0, r.stderr
    dwo.write_bytes((other / "h.dwo").read_bytes())
    r = pg("layout", split)
    assert r.returncode == 2 and "from another build" in r.stderr and str(dwo) in r.stderr, r.stderr
    dwo.write_bytes(keep)
    assert pg("layout", split).returncode == 0


def test_libdwarf_refuses_split_dwarf_cleanly(tmp_path):
    split = build(tmp_path, "gcc", "split", ["-g", "-gsplit-dwarf"])
    r = pg("layout", "--backend", "libdwarf", split)
    assert r.returncode == 2 and "--backend libdw" in r.stderr, r.stderr


# ---- dwz --------------------------------------------------------------------

def dwz_pair(tmp):
    fl.require("dwz")
    plain = build(tmp, "gcc", "plain", ["-g"])
    a, b = tmp / "a", tmp / "b"
    shutil.copy(plain, a)
    shutil.copy(plain, b)
    # Two files sharing one supplementary file, as distributions ship them.
    r = fl.run(["dwz", "-m", "common.debug", "-M", "common.debug", "a", "b"], cwd=tmp)
    assert r.returncode == 0, r.stderr
    return plain, a, b


def test_dwz_multifile_reads_the_supplementary_file(tmp_path):
    plain, a, b = dwz_pair(tmp_path)
    info = fl.run(["readelf", "-S", str(a)]).stdout
    assert ".gnu_debugaltlink" in info
    alt = fl.run(["readelf", "--debug-dump=info", str(tmp_path / "common.debug")]).stdout
    assert "DW_TAG_partial_unit" in alt and "DW_TAG_structure_type" in alt, "dwz moved no types"
    same_as_plain(a, plain)
    d = pg("diff", a, b)
    assert d.returncode == 0 and "0 changed" in d.stdout, d.stdout + d.stderr


def test_dwz_single_file(tmp_path):
    fl.require("dwz")
    plain = build(tmp_path, "gcc", "plain", ["-g"])
    one = tmp_path / "one"
    shutil.copy(plain, one)
    r = fl.run(["dwz", str(one)])
    assert r.returncode == 0, r.stderr
    same_as_plain(one, plain)


def test_dwz_alt_file_found_by_build_id(tmp_path, monkeypatch):
    plain, a, _ = dwz_pair(tmp_path)
    # By the relative path dwz wrote, from another working directory.
    r = fl.run([fl.padguard(), "layout", str(a)], cwd="/")
    assert r.returncode == 0 and r.stdout == pg("layout", plain).stdout, r.stderr


def test_dwz_missing_alt_file_is_an_error(tmp_path):
    plain, a, _ = dwz_pair(tmp_path)
    (tmp_path / "common.debug").rename(tmp_path / "elsewhere.debug")
    for cmd in (["layout", a], ["check", "--no-growth", "all", plain, a], ["diff", plain, a]):
        r = pg(*cmd)
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"{a}: DWARF compressed by dwz: its supplementary file 'common.debug' (build-id " in r.stderr
        assert "was not found" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_dwz_alt_file_of_another_build_is_refused(tmp_path):
    plain, a, _ = dwz_pair(tmp_path)
    # A different supplementary file (another program's) is refused by build-id.
    (tmp_path / "x.c").write_text("struct x { int a; char b; } xv; int main(void){return 0;}\n")
    assert fl.run(["gcc", "-g", "-o", "x1", "x.c"], cwd=tmp_path).returncode == 0
    shutil.copy(tmp_path / "x1", tmp_path / "x2")
    assert fl.run(["dwz", "-m", "x.debug", "-M", "common.debug", "x1", "x2"], cwd=tmp_path).returncode == 0
    shutil.copy(tmp_path / "x.debug", tmp_path / "common.debug")
    r = pg("layout", a)
    assert r.returncode == 2 and "another build-id" in r.stderr, r.stderr


def test_libdwarf_refuses_dwz_cleanly(tmp_path):
    _, a, _ = dwz_pair(tmp_path)
    r = pg("layout", "--backend", "libdwarf", a)
    assert r.returncode == 2 and "--backend libdw" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


# ---- dwz -5: DWARF 5 supplementary object files (.debug_sup) ---------------

def dwz5_pair(tmp):
    fl.require("dwz")
    plain = build(tmp, "gcc", "plain", ["-g", "-gdwarf-5"])
    a, b = tmp / "a", tmp / "b"
    shutil.copy(plain, a)
    shutil.copy(plain, b)
    r = fl.run(["dwz", "-5", "-m", "sup.debug", "-M", "sup.debug", "a", "b"], cwd=tmp)
    assert r.returncode == 0, r.stderr
    sections = fl.run(["readelf", "-S", str(a)]).stdout
    assert ".debug_sup" in sections and ".gnu_debugaltlink" not in sections, sections
    return plain, a, b


def test_dwz5_debug_sup_reads_the_supplementary_file(tmp_path):
    plain, a, b = dwz5_pair(tmp_path)
    abbrevs = fl.run(["readelf", "--debug-dump=abbrev", str(a)]).stdout
    assert "DW_FORM_ref_sup4" in abbrevs and "DW_FORM_strp_sup" in abbrevs, "dwz -5 used no DWARF 5 sup forms"
    same_as_plain(a, plain)
    p = fl.pahole_layout(str(plain))
    assert p.returncode == 0 and p.stdout == pg("layout", a).stdout
    d = pg("diff", a, b)
    assert d.returncode == 0 and "0 changed" in d.stdout, d.stdout + d.stderr


def test_dwz5_missing_or_foreign_supplementary_file(tmp_path):
    plain, a, _ = dwz5_pair(tmp_path)
    sup = tmp_path / "sup.debug"
    sup.rename(tmp_path / "kept.debug")
    for cmd in (["layout", a], ["check", "--no-growth", "all", plain, a]):
        r = pg(*cmd)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stdout + r.stderr
        assert f"{a}: DWARF compressed by dwz: its supplementary file 'sup.debug' (checksum " in r.stderr, r.stderr
        assert ".debug_sup) was not found" in r.stderr, r.stderr
    # Another program's supplementary file under the same name: its
    # .debug_sup checksum differs.
    (tmp_path / "x.c").write_text("struct x { int a; char b; } xv; int main(void){return 0;}\n")
    assert fl.run(["gcc", "-g", "-gdwarf-5", "-o", "x1", "x.c"], cwd=tmp_path).returncode == 0
    shutil.copy(tmp_path / "x1", tmp_path / "x2")
    assert fl.run(["dwz", "-5", "-m", "x.debug", "-M", "sup.debug", "x1", "x2"], cwd=tmp_path).returncode == 0
    shutil.copy(tmp_path / "x.debug", sup)
    r = pg("layout", a)
    assert r.returncode == 2 and "another checksum" in r.stderr, r.stderr


def test_dwz_references_without_a_link_fail_closed(tmp_path):
    """Strip the link: the units import partial units of a file nothing
    names; before, `layout` printed nothing and exited 0."""
    for maker, section in ((dwz5_pair, ".debug_sup"), (dwz_pair, ".gnu_debugaltlink")):
        d = tmp_path / section.strip(".")
        d.mkdir()
        _, a, _ = maker(d)
        nolink = d / "nolink"
        assert fl.run(["objcopy", "--remove-section", section, str(a), str(nolink)]).returncode == 0
        for cmd in (["layout", nolink], ["extract", nolink]):
            r = pg(*cmd)
            assert r.returncode == 2 and r.stdout == "", r.stdout + r.stderr
            assert "neither .gnu_debugaltlink nor .debug_sup names it" in r.stderr, r.stderr


def test_libdwarf_refuses_dwz5_cleanly(tmp_path):
    _, a, _ = dwz5_pair(tmp_path)
    r = pg("layout", "--backend", "libdwarf", a)
    assert r.returncode == 2 and "--backend libdw" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_dwz5_link_without_checksum_is_refused(tmp_path):
    """A .debug_sup cut after its file name (or with a 0-byte checksum) gives
    nothing to check the file by: refused, never another program's file."""
    _, a, _ = dwz5_pair(tmp_path)
    for i, sup in enumerate((b"\x05\x00\x00sup.debug\x00", b"\x05\x00\x00sup.debug\x00\x00",
                             b"\x04\x00\x00sup.debug\x00\x01\x00")):
        blob = tmp_path / f"sup{i}.bin"
        blob.write_bytes(sup)
        bad = tmp_path / f"bad{i}"
        r = fl.run(["objcopy", "--update-section", f".debug_sup={blob}", str(a), str(bad)])
        assert r.returncode == 0, r.stderr
        r = pg("layout", bad)
        assert r.returncode == 2 and r.stdout == "", r.stdout + r.stderr
        assert "its .debug_sup names '" in r.stderr and "but no checksum to check it by" in r.stderr, r.stderr
        assert i == 2 or "names 'sup.debug'" in r.stderr, r.stderr  # version 4: nothing of it is read
