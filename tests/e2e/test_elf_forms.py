"""ELF files as real toolchains write them, read as pahole reads them, and
relocations that lie refused:

- every machine's gcc (-O2 -g, DWARF 4 and 5) through `layout` with the
  default backend, --backend libdw and --backend libdwarf, against pahole.
  The default reads every machine (libdw; libdwarf for an object libdw
  cannot relocate, e.g. MIPS); an explicit backend that cannot read a
  machine gives one true line naming the other backend;
- extended section numbering (e_shnum 0, e_shstrndx SHN_XINDEX) reads as the
  plain file does, and a real object with 66,000 sections reads;
- zstd-compressed debug sections: read if this libelf can inflate them, else
  one line that says zstd and how to decompress; a claimed size is checked;
- a relocation on a struct's name rewritten to another type (NONE, a
  PC-relative one) is refused before either backend relocates.
A missing cross compiler skips its cases loudly (fl.machine_gcc)."""
import os
import struct

import pytest

import elfedit
import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
ARCHES = list(fl.MACHINE_GCC)
# Fixtures pahole 1.24 and padguard print alike on every machine (bitfields,
# m32_longlong and paddings differ on i386: docs/pahole-differences.md).
SOURCES = ("basic", "holes", "nested", "typenames", "arrays", "packed")
# What the libraries cannot do (elfutils 0.188, libdwarf 20210528): the
# backend then exits 2 with one line naming the other backend. A library
# that learns it may read the file instead, with pahole's output.
LIMITS = {
    ("mips", "libdw"): "--backend libdwarf",
    ("mipsel", "libdw"): "--backend libdwarf",
    ("riscv64", "libdwarf"): "--backend libdw",
}
BACKEND_ARGS = {"default": [], "libdw": ["--backend", "libdw"], "libdwarf": ["--backend", "libdwarf"]}


@pytest.fixture(scope="module")
def w():
    return fl.work_dir("elf_forms")


def source(name):
    return os.path.join(fl.FIXTURES, f"{name}.c")


def build(arch, name, flags):
    cc = fl.machine_gcc(arch)
    return fl.compile_cached([cc], source(name), flags, label=f"forms_{arch}{''.join(flags)}_{name}")


def pahole(obj):
    r = fl.run(["pahole", "-F", "dwarf", "-c", "64", obj])
    assert r.returncode == 0 and r.stdout, f"pahole {obj}: {r.stderr}"
    return r.stdout


def one_error_line(r, path, *needles):
    lines = r.stderr.strip().splitlines()
    return (r.returncode == 2 and r.stdout == "" and len(lines) == 1 and lines[0].startswith(f"padguard: {path}: ")
            and all(n in lines[0] for n in needles))


def describe(r):
    return f"exit {r.returncode}, stderr {r.stderr.strip()[:300]!r}, {len(r.stdout)} bytes out"


def layout(args, path):
    return fl.run([PADGUARD, "layout", *args, path])


# ---- every machine, every backend ---------------------------------------------


@pytest.mark.parametrize("backend", list(BACKEND_ARGS))
@pytest.mark.parametrize("dwarf", ["-gdwarf-4", "-gdwarf-5"])
@pytest.mark.parametrize("arch", ARCHES)
def test_machine(arch, dwarf, backend, check):
    fl.require("pahole")
    limit = LIMITS.get((arch, backend))
    for name in SOURCES:
        obj = build(arch, name, ["-O2", "-g", dwarf])
        r = layout(BACKEND_ARGS[backend], obj)
        if limit and r.returncode != 0:
            check(one_error_line(r, obj, limit), f"{name}: want one line naming {limit!r}: {describe(r)}")
        else:
            check(r.returncode == 0 and r.stderr == "" and r.stdout == pahole(obj),
                  f"{name}: want pahole's output: {describe(r)}")
    if backend == "default":
        # The gate reads it too: a pass that checked structs, not an error.
        obj = build(arch, "holes", ["-O2", "-g", dwarf])
        g = fl.run([PADGUARD, "check", "--no-growth", "all", obj, obj])
        check(g.returncode == 0 and "PASS" in g.stdout and " 0 structs" not in g.stdout,
              f"check on {arch}: {describe(g)} {g.stdout[:300]!r}")
    check.done()


# ---- extended section numbering -------------------------------------------------


def same_result(a, b, a_path, b_path):
    return (a.returncode, a.stdout, a.stderr.replace(a_path, "FILE")) == \
        (b.returncode, b.stdout, b.stderr.replace(b_path, "FILE"))


@pytest.mark.parametrize("form", ["count", "strndx", "both", "both_gz"])
@pytest.mark.parametrize("arch", ["x86_64", "i386", "mips", "s390x"])
def test_extended_numbering(arch, form, w, check):
    """A file whose section count is in section 0's sh_size (e_shnum 0)
    and/or whose name table index is in its sh_link (e_shstrndx SHN_XINDEX)
    reads exactly as the same file in the plain form, through every backend
    (before: "no DWARF debug info")."""
    plain = build(arch, "holes", ["-O0", "-g"] + (["-gz"] if form.endswith("_gz") else []))
    e = elfedit.Elf(open(plain, "rb").read())
    data = e.to_extended_numbering(count=form != "strndx", strndx=form != "count")
    ext = os.path.join(w, f"ext_{arch}_{form}.o")
    open(ext, "wb").write(data)
    x = elfedit.Elf(data)
    assert (x.e_shnum == 0) == (form != "strndx") and (x.e_shstrndx == elfedit.SHN_XINDEX) == (form != "count")
    for backend, args in BACKEND_ARGS.items():
        want, got = layout(args, plain), layout(args, ext)
        check(want.returncode == 0 or (arch, backend) in LIMITS, f"[{backend}] plain file: {describe(want)}")
        check(same_result(got, want, ext, plain),
              f"[{backend}] extended numbering: {describe(got)}; plain file: {describe(want)}")
    check.done()


def test_many_sections(w, check):
    """gas writes extended numbering for 65,280 sections or more: libdw reads
    it as pahole does; libdwarf 20210528 cannot, and says so."""
    fl.require("gcc", "pahole")
    asm = os.path.join(w, "many_sections.s")
    r = fl.run(["gcc", "-S", "-g", "-O0", "-o", asm, source("holes")])
    assert r.returncode == 0, r.stderr
    with open(asm, "a") as f:
        f.writelines(f'.section .data.x{i},"aw"\n.byte 0\n' for i in range(66000))
    obj = fl.compile_cached(["gcc"], asm, [], label="many_sections")
    e = elfedit.Elf(open(obj, "rb").read())
    assert e.e_shnum == 0 and e.shnum > 66000 and e.e_shstrndx == elfedit.SHN_XINDEX, (e.e_shnum, e.shnum)
    exp = pahole(obj)
    for backend in ("default", "libdw"):
        got = layout(BACKEND_ARGS[backend], obj)
        check(got.returncode == 0 and got.stdout == exp, f"[{backend}] {describe(got)}")
    got = layout(BACKEND_ARGS["libdwarf"], obj)
    check(got.returncode == 0 and got.stdout == exp or
          one_error_line(got, obj, "extended section numbering", "--backend libdw"), f"[libdwarf] {describe(got)}")
    check.done()


def test_extended_count_past_the_end(w):
    """Section 0 claiming more sections than the file holds is truncation,
    not "no DWARF"."""
    plain = build("x86_64", "basic", ["-O0", "-g"])
    e = elfedit.Elf(open(plain, "rb").read())
    e.to_extended_numbering(count=True, strndx=False)
    h0 = list(e.shdr(0))
    h0[5] = 1000
    e.set_shdr(0, h0)
    bad = os.path.join(w, "ext_count_1000.o")
    open(bad, "wb").write(bytes(e.data))
    for args in BACKEND_ARGS.values():
        r = layout(args, bad)
        assert one_error_line(r, bad, "truncated", "1000 section headers"), describe(r)


# ---- zstd -------------------------------------------------------------------------


def _zstd(w, obj, name):
    z = os.path.join(w, name)
    r = fl.run(["objcopy", "--compress-debug-sections=zstd", obj, z])
    if r.returncode != 0 and "zstd" in r.stderr:
        pytest.skip(f"SKIPPED: this objcopy cannot write zstd sections: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    e = elfedit.Elf(open(z, "rb").read())
    h = e.shdr(e.index(".debug_info"))
    assert h[2] & 0x800 and struct.unpack_from("<I", e.data, h[4])[0] == 2, "expected an ELFCOMPRESS_ZSTD .debug_info"
    return z, e


@pytest.mark.parametrize("backend", list(BACKEND_ARGS))
def test_zstd_sections(w, backend, check):
    """Read like the plain file if this libelf inflates zstd (elfutils 0.189+
    built with it); else one line saying zstd and the objcopy that helps, and
    the gate fails. The decompressed copy reads."""
    fl.require("gcc", "objcopy")
    plain = build("x86_64", "holes", ["-O0", "-g"])
    z, _ = _zstd(w, plain, f"zstd_{backend}.o")
    args = BACKEND_ARGS[backend]
    want, got = layout(args, plain), layout(args, z)
    check(want.returncode == 0, f"plain: {describe(want)}")
    readable = got.returncode == 0
    check(got.stdout == want.stdout if readable else
          one_error_line(got, z, "zstd-compressed .debug_info", "cannot inflate",
                         "objcopy --decompress-debug-sections"), f"zstd: {describe(got)}")
    gate = fl.run([PADGUARD, "check", "--no-growth", "all", *args, plain, z])
    check(gate.returncode == (0 if readable else 2) and ("PASS" in gate.stdout) == readable,
          f"gate over zstd: {describe(gate)} {gate.stdout[:200]!r}")
    d = os.path.join(w, f"zstd_{backend}_decompressed.o")
    assert fl.run(["objcopy", "--decompress-debug-sections", z, d]).returncode == 0
    back = layout(args, d)
    check(back.returncode == 0 and back.stdout == want.stdout, f"decompressed again: {describe(back)}")
    check.done()


@pytest.mark.parametrize("backend", ["libdw", "libdwarf"])
def test_zstd_bomb_is_refused(w, backend):
    """The claimed size of a zstd section is checked as zlib's is, before
    anything inflates it."""
    fl.require("gcc", "objcopy")
    z, e = _zstd(w, build("x86_64", "basic", ["-O0", "-g"]), "zstd_bomb_src.o")
    struct.pack_into("<Q", e.data, e.shdr(e.index(".debug_info"))[4] + 8, 4 << 30)
    bomb = os.path.join(w, f"zstd_bomb_{backend}.o")
    open(bomb, "wb").write(bytes(e.data))
    r = layout(["--backend", backend], bomb)
    assert one_error_line(r, bomb, "decompression bomb"), describe(r)


# ---- relocations that lie -------------------------------------------------------

# A type each machine has that compilers never put in debug sections (besides
# NONE, 0): a PC-relative word.
PC_RELATIVE = {"x86_64": 2, "i386": 2, "arm": 3, "aarch64": 261, "mips": 248, "mipsel": 248, "ppc64le": 26,
               "riscv64": 57, "s390x": 5}


@pytest.mark.parametrize("rtype", ["none", "pcrel"])
@pytest.mark.parametrize("arch", ARCHES)
def test_relocation_on_a_name_rewritten(arch, rtype, w, check):
    """The relocation that puts struct holes_multi's DW_AT_name (DW_FORM_strp) in
    place, given another type: libdwfl skips it and the name reads as offset
    0 of .debug_str ("unsigned int"), so a gate passed on a renamed struct.
    Refused by elf_check before either backend relocates."""
    obj = build(arch, "holes", ["-O2", "-g"])
    e = elfedit.Elf(open(obj, "rb").read())
    pos, word, _ = e.string_relocation(".debug_info", "holes_multi")
    new_type = 0 if rtype == "none" else PC_RELATIVE[arch]
    bad = os.path.join(w, f"reloc_{arch}_{rtype}.o")
    open(bad, "wb").write(e.set_reloc_type(pos, word, new_type))
    for backend, args in BACKEND_ARGS.items():
        r = layout(args, bad)
        check(one_error_line(r, bad, f"relocation type {new_type} at .debug_info+0x", "is not one a compiler emits"),
              f"[{backend}] {describe(r)}")
        gate = fl.run([PADGUARD, "check", "--no-growth", "all", *args, obj, bad])
        check(gate.returncode == 2 and "PASS" not in gate.stdout, f"[{backend}] gate: {describe(gate)}")
    check.done()
