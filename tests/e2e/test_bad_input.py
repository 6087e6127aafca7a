"""Bad input gets one line on stderr naming the file, exit code 2, no crash:
missing file, directory, not ELF, truncated ELF, no debug info, struct not
found. Also: compressed debug sections (-gz) are read, not refused."""
import os
import shutil

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
SRC = os.path.join(fl.FIXTURES, "basic.c")


def _good():
    try:
        return fl.compile_cached(["gcc"], SRC, ["-g", "-O0"], label="bad_input_good"), None
    except (fl.CompileError, OSError) as e:
        return None, f"compile basic.c: {e}"


GOOD, GOOD_ERROR = _good()


@pytest.fixture(scope="module")
def good():
    fl.require("gcc", "objcopy", "pahole")
    assert GOOD, GOOD_ERROR
    return GOOD


@pytest.fixture(scope="module")
def w():
    return fl.work_dir("bad_input")


def expect_error(args, path, must_contain):
    r = fl.run([PADGUARD, *args])
    lines = r.stderr.strip().splitlines()
    assert (r.returncode == 2 and len(lines) == 1 and lines[0].startswith("padguard: ")
            and path in lines[0] and must_contain in lines[0] and r.stdout == ""), \
        f"rc={r.returncode} stderr={r.stderr!r} (want exit 2, one line naming {path} with {must_contain!r})"


def test_fixture_compiles():
    assert GOOD, GOOD_ERROR


def test_missing_file(w):
    missing = os.path.join(w, "does-not-exist.o")
    expect_error(["layout", missing], missing, "cannot open")


def test_directory(w):
    expect_error(["layout", w], w, "directory")


def test_text_file(w):
    text = os.path.join(w, "notelf.txt")
    with open(text, "w") as f:
        f.write("this is not an ELF file\n")
    expect_error(["layout", text], text, "not an ELF file")


def test_empty_file(w):
    empty = os.path.join(w, "empty.o")
    open(empty, "wb").close()
    expect_error(["layout", empty], empty, "not an ELF file")


def _lengths():
    if not GOOD:
        return [0]
    n = os.path.getsize(GOOD)
    return sorted({4, 16, 40, 63, 64, 100, 512, n // 3, n // 2, n - 1})


@pytest.mark.parametrize("n", _lengths())
def test_truncated(good, w, n):
    cut = os.path.join(w, f"trunc{n}.o")
    with open(good, "rb") as f, open(cut, "wb") as g:
        g.write(f.read()[:n])
    expect_error(["layout", cut], cut, "truncated")


def test_object_without_debug_info(good, w):
    nodebug = os.path.join(w, "nodebug.o")
    r = fl.run(["gcc", "-c", "-O0", "-o", nodebug, SRC])
    assert r.returncode == 0, r.stderr
    expect_error(["layout", nodebug], nodebug, "no DWARF debug info")


def test_stripped_object(good, w):
    stripped = os.path.join(w, "stripped.o")
    shutil.copy(good, stripped)
    r = fl.run(["objcopy", "--strip-debug", stripped])
    assert r.returncode == 0, r.stderr
    expect_error(["layout", stripped], stripped, "CONFIG_DEBUG_INFO_DWARF5")


def test_struct_not_found(good):
    expect_error(["layout", "-C", "no_such_struct", good], good, "no_such_struct")


def test_one_of_several_structs_not_found(good):
    expect_error(["layout", "-C", "basic,no_such_struct", good], good, "no_such_struct")


@pytest.mark.parametrize("flag", ["-gz", "-gz=zlib"])
def test_compressed_debug_sections(good, w, flag, check):
    """Compressed debug sections are read and give pahole's output."""
    gz = os.path.join(w, f"gz{flag[3:] or 'default'}.o")
    r = fl.run(["gcc", "-c", "-g", "-O0", flag, "-o", gz, SRC])
    check(r.returncode == 0, f"compile {flag}: {r.stderr}")
    exp = fl.run(["pahole", "-F", "dwarf", "-c", "64", gz]).stdout
    got = fl.run([PADGUARD, "layout", gz])
    check(got.returncode == 0 and got.stdout == exp and exp, f"{flag}: output differs from pahole")
    check.done()


@pytest.mark.parametrize("claimed", [100 << 20, 4 << 30, (1 << 64) - 1], ids=["100MiB", "4GiB", "2^64-1"])
@pytest.mark.parametrize("backend", ["libdw", "libdwarf"])
def test_decompression_bomb_is_refused(w, claimed, backend):
    """A compressed .debug_info that claims far more than it can hold (a few
    hundred bytes inflating to 100 MiB or more) is refused before any library
    inflates it; the real -gz object still reads."""
    import struct
    import dwarfasm as tm
    gz = os.path.join(w, "bomb_src.o")
    assert fl.run(["gcc", "-c", "-g", "-O0", "-gz=zlib", "-o", gz, SRC]).returncode == 0
    data = bytearray(open(gz, "rb").read())
    off, size = tm.Elf(bytes(data)).section(".debug_info")
    assert struct.unpack_from("<I", data, off)[0] == 1, "expected an ELFCOMPRESS_ZLIB header"
    struct.pack_into("<Q", data, off + 8, claimed)
    bomb = os.path.join(w, f"bomb_{claimed}.o")
    open(bomb, "wb").write(bytes(data))
    expect_error(["layout", "--backend", backend, bomb], bomb, "decompression bomb")
    gate = fl.run([PADGUARD, "check", "--no-growth", "all", "--backend", backend, bomb, bomb])
    assert gate.returncode == 2 and "decompression bomb" in gate.stderr and "PASS" not in gate.stdout
    assert fl.run([PADGUARD, "layout", "--backend", backend, gz]).returncode == 0
