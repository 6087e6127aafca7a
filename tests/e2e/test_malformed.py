"""Hostile and broken input: every case ends, within a time and memory bound,
either in one stderr line `padguard: FILE: ...` with exit 2, or (where the
input still means something) in a correct result with exit 0. Never a signal,
a sanitizer report, a hang, or exit 0 on unreadable input (fail closed).

Cases: truncation at many lengths; bytes flipped in the ELF header and in
.debug_info/.debug_abbrev/.debug_str; section headers with bad offsets and
sizes; wrong ELF class, byte order, machine; DWARF 2/3/4/5 and bogus versions;
type references that loop; absurd nesting (DIE tree, type chains, C source);
huge array bounds and sizes; members beyond the record's size; exponential
type graphs; the fuzz regression corpus (tests/fuzz/regressions) via the CLI.

The input files are written at collection (dwarfasm.py: hand-made DWARF as
assembly); each case x backend is one test id, e.g.
`pytest -k "libdwarf and truncated"`."""
import os
import random
import resource
import shutil
import subprocess

import pytest

import fixturelib as fl
from dwarfasm import Die, Elf, Workdir, base, dwarf_asm, dwarf_asm_units, member, patched, struct_die

PADGUARD = os.environ["PADGUARD"]
BACKENDS = ("libdw", "libdwarf")
REGRESSIONS = os.path.join(fl.ROOT, "tests", "fuzz", "regressions")
SEED = 7
TIMEOUT = 20          # seconds per padguard run
MEMORY = 4000000000   # bytes of address space (RSS under ASan)

# ---- running padguard under bounds ------------------------------------------


class Runner:
    def __init__(self, padguard, backends):
        self.padguard = padguard
        self.backends = backends
        with open(padguard, "rb") as f:
            data = f.read()
            self.asan = b"__asan_init" in data or b"libasan" in data
        self.env = dict(os.environ)
        if self.asan:
            # ASan reserves terabytes of shadow address space: bound RSS instead.
            self.env["ASAN_OPTIONS"] = "hard_rss_limit_mb=%d:%s" % (
                MEMORY // 1000000, self.env.get("ASAN_OPTIONS", ""))

    def _limit(self):
        if not self.asan:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def run(self, args):
        try:
            r = subprocess.run([self.padguard, *args], capture_output=True, timeout=TIMEOUT,
                               preexec_fn=self._limit, env=self.env)
            return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            return None, "", f"TIMEOUT after {TIMEOUT}s"


def error_line_ok(path, stderr, must=""):
    lines = stderr.strip().splitlines()
    return (len(lines) == 1 and lines[0].startswith(f"padguard: {path}: ") and must in lines[0])


def describe(rc, out, err):
    return f"rc={rc} stdout={out[:200]!r} stderr={err[-600:]!r}"


class Lazy(dict):
    """backend -> value, computed on first use (at test time, not collection)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        self[key] = self.fn(key)
        return self[key]


class Checker:
    """Registers `padguard layout [--backend B] FILE` cases, one per backend,
    and custom cases; each becomes a test id that judges the outcome when run."""

    def __init__(self, runner):
        self.r = runner
        self.cases = []   # (id, fn(check))

    def add(self, what, fn):
        self.cases.append((what, fn))

    def _per_backend(self, what, path, extra, only, judge):
        for b in self.r.backends:
            if only is None or b in only:
                def fn(check, b=b):
                    rc, out, err = self.r.run(["layout", "--backend", b, *extra, path])
                    judge(check, b, rc, out, err)
                self.add(f"{b}-{what}", fn)

    def error(self, what, path, must="", extra=(), only=None):
        """Unreadable input: exit 2 with one line naming the file."""
        def judge(check, b, rc, out, err):
            ok = rc == 2 and out == "" and error_line_ok(path, err, must)
            check(ok, f"[{b}] {what}: want exit 2 + one error line{' with ' + repr(must) if must else ''}; "
                      + describe(rc, out, err))
        self._per_backend(what, path, extra, only, judge)

    def ok(self, what, path, contains=(), equals=None, extra=()):
        """Meaningful input: exit 0 and the expected text."""
        def judge(check, b, rc, out, err):
            good = rc == 0 and all(c in out for c in contains) and (equals is None or out == equals)
            check(good, f"[{b}] {what}: want exit 0 with {list(contains) or 'expected output'}; "
                        + describe(rc, out, err))
        self._per_backend(what, path, extra, None, judge)

    def either(self, what, path, same_as=None, extra=(), only=None):
        """Damage that may or may not matter: exit 2 with one error line, or
        exit 0 (with the undamaged output, when `same_as` is given). Never a
        crash, a hang, or any other exit status."""
        def judge(check, b, rc, out, err):
            if rc == 0:
                good = out != "" and err == "" and (same_as is None or out == same_as[b])
            else:
                good = rc == 2 and out == "" and error_line_ok(path, err)
            check(good, f"[{b}] {what}: want exit 2 + one error line, or a correct exit 0; "
                        + describe(rc, out, err))
        self._per_backend(what, path, extra, only, judge)


# ---- the cases ---------------------------------------------------------------------

VICTIM_C = """
typedef int myint;
typedef myint myint2;
struct inner { short s; char c; };
struct victim {
\tchar a;
\tmyint2 b;
\tlong c[4];
\tstruct inner in;
\tconst char *name;
\tunsigned int bits:3;
};
struct victim v;
"""


def hand_cases(c, w):
    """Hand-made DWARF: versions, loops, nesting, sizes."""
    i32 = base("int", 4)
    chr_ = base("char", 1, 6)

    def simple(version, declared=None):
        s = struct_die("hand", 8, [member("a", i32, 0), member("b", chr_, 4)])
        return dwarf_asm([i32, chr_, s], version, declared)

    for v in (2, 3, 4, 5):
        p = w.assemble(f"v{v}", simple(v))
        c.ok(f"DWARF {v} unit", p, contains=("struct hand {", "int                        a;",
                                               "/* size: 8, cachelines: 1, members: 2 */"))
    for v in (0, 1, 6, 0xffff):
        p = w.assemble(f"version{v}", simple(5 if v >= 5 else 4, v))
        c.error(f"DWARF version {v} in the unit header", p)

    # Type references that loop.
    t = Die("typedef", [("name", "string", "loop_t")])
    t.attrs.append(("type", "ref4", t))
    c.error("typedef that names itself", w.assemble("loop_self", dwarf_asm(
        [t, struct_die("victim", 4, [member("m", t, 0)])])), "loop")
    a, b = Die("typedef", [("name", "string", "a_t")]), Die("typedef", [("name", "string", "b_t")])
    a.attrs.append(("type", "ref4", b))
    b.attrs.append(("type", "ref4", a))
    c.error("typedef chain a -> b -> a", w.assemble("loop_ab", dwarf_asm(
        [a, b, struct_die("victim", 4, [member("m", a, 0)])])), "loop")
    k, v_ = Die("const_type"), Die("volatile_type")
    k.attrs.append(("type", "ref4", v_))
    v_.attrs.append(("type", "ref4", k))
    c.error("const -> volatile -> const", w.assemble("loop_cv", dwarf_asm(
        [k, v_, struct_die("victim", 4, [member("m", k, 0)])])), "loop")
    arr = Die("array_type", [], [Die("subrange_type", [("count", "udata", 2)])])
    arr.attrs.append(("type", "ref4", arr))
    c.error("array of itself", w.assemble("loop_arr", dwarf_asm(
        [arr, struct_die("victim", 8, [member("m", arr, 0)])])))
    selfs = struct_die("selfish", 8, [])
    selfs.children.append(member("me", selfs, 0))
    c.error("struct containing itself by value", w.assemble("loop_struct", dwarf_asm([selfs])))
    pl = Die("typedef", [("name", "string", "ptr_loop_t")])
    pl.attrs.append(("type", "ref4", pl))
    ptr = Die("pointer_type", [("byte_size", "data1", 8), ("type", "ref4", pl)])
    c.either("pointer to a looping typedef", w.assemble("loop_ptr", dwarf_asm(
        [pl, ptr, struct_die("victim", 8, [member("p", ptr, 0)])])))

    # Absurd nesting: the DIE tree, a chain of types, a chain of records.
    for depth in (600, 100000):
        inner = Die("member", [("name", "string", "x"), ("type", "ref4", i32),
                               ("data_member_location", "udata", 0)])
        node = struct_die("deepest", 4, [inner])
        for i in range(depth):
            node = struct_die(f"d{i}", 4, [node, member("x", i32, 0)])
        c.error(f"DIE tree {depth} levels deep", w.assemble(f"deep_dies{depth}", dwarf_asm([i32, node])),
                "deeper")
    chain = [i32]
    for i in range(100000):
        chain.append(Die("typedef", [("name", "string", f"t{i}"), ("type", "ref4", chain[-1])]))
    # Deep but acyclic: said to be deep, not called a loop (issue 12).
    c.error("typedef chain 100000 long", w.assemble("deep_typedefs", dwarf_asm(
        chain + [struct_die("victim", 4, [member("m", chain[-1], 0)])])), "deeper than 256")
    recs = [struct_die("r0", 4, [member("x", i32, 0)])]
    for i in range(1, 5000):
        recs.append(struct_die(f"r{i}", 4, [member("m", recs[-1], 0)]))
    c.either("5000 records each holding the previous", w.assemble("deep_records", dwarf_asm([i32] + recs)))
    anon = struct_die(None, 4, [member("x", i32, 0)])
    for i in range(3000):
        anon = struct_die(None, 4, [Die("member", [("type", "ref4", anon),
                                                   ("data_member_location", "udata", 0)]), anon])
    c.either("3000 nested anonymous structs", w.assemble("deep_anon", dwarf_asm(
        [i32, struct_die("top", 4, [Die("member", [("type", "ref4", anon),
                                                   ("data_member_location", "udata", 0)]), anon])])))

    # Exponential type graphs: each level refers to the previous one twice.
    fn = Die("subroutine_type", [("prototyped", "flag_present", 0)])
    dies = [i32, fn]
    for i in range(60):
        p = Die("pointer_type", [("byte_size", "data1", 8), ("type", "ref4", fn)])
        fn = Die("subroutine_type", [("prototyped", "flag_present", 0), ("type", "ref4", i32)],
                 [Die("formal_parameter", [("type", "ref4", p)]), Die("formal_parameter", [("type", "ref4", p)])])
        dies += [p, fn]
    fp = Die("pointer_type", [("byte_size", "data1", 8), ("type", "ref4", fn)])
    c.either("function pointer type doubling 60 times", w.assemble("exp_fn", dwarf_asm(
        dies + [fp, struct_die("victim", 8, [member("f", fp, 0)])])))
    an = struct_die(None, 4, [member("x", i32, 0)])
    dies = [i32, an]
    for i in range(60):
        an = Die("union_type", [("byte_size", "udata", 4)],
                 [Die("member", [("name", "string", "l"), ("type", "ref4", an),
                                 ("data_member_location", "udata", 0)]),
                  Die("member", [("name", "string", "r"), ("type", "ref4", an),
                                 ("data_member_location", "udata", 0)])])
        dies.append(an)
    c.either("anonymous union type used twice per level, 60 levels", w.assemble("exp_anon", dwarf_asm(
        dies + [struct_die("victim", 4, [member("u", an, 0)])])))
    # Named, the same graph prints by name; with -E every level expands inline
    # (2^60 lines): refused by the bound on lines held by value.
    nu = struct_die("leaf", 4, [member("x", i32, 0)])
    dies = [i32, nu]
    for i in range(60):
        nu = Die("union_type", [("name", "string", f"u{i}"), ("byte_size", "udata", 4)],
                 [member("l", nu, 0), member("r", nu, 0)])
        dies.append(nu)
    exp_named = w.assemble("exp_named", dwarf_asm(dies + [struct_die("victim", 4, [member("u", nu, 0)])]))
    c.ok("named union type used twice per level, 60 levels", exp_named, contains=("union u59 ",))
    c.error("named union type used twice per level, 60 levels, -E", exp_named, must="-E", extra=["-E"])

    # Huge array bounds and sizes.
    for what, sub in (("upper bound 2^62", [("upper_bound", "data8", 1 << 62)]),
                      ("count 2^64-1", [("count", "data8", (1 << 64) - 1)]),
                      ("upper bound 2^63-1 from lower bound -2^63",
                       [("lower_bound", "sdata", -(1 << 63)), ("upper_bound", "sdata", (1 << 63) - 1)])):
        arr = Die("array_type", [("type", "ref4", i32)], [Die("subrange_type", sub)])
        c.error(f"array with {what}", w.assemble("huge_" + what.split()[0] + str(len(sub)), dwarf_asm(
            [i32, arr, struct_die("victim", 16, [member("a", arr, 0)])])))
    dims = [Die("subrange_type", [("count", "data8", 1 << 32)]) for _ in range(3)]
    arr = Die("array_type", [("type", "ref4", i32)], dims)
    c.error("array [2^32][2^32][2^32] (size overflows)", w.assemble("huge_dims", dwarf_asm(
        [i32, arr, struct_die("victim", 16, [member("a", arr, 0)])])))
    for size in (1 << 40, 1 << 62, (1 << 64) - 1):
        c.either(f"struct byte_size {size}", w.assemble(f"huge_struct{size}", dwarf_asm(
            [chr_, struct_die("victim", size, [member("c", chr_, 0)], "data8")])))
    c.either("member at offset 2^62", w.assemble("huge_offset", dwarf_asm(
        [i32, struct_die("victim", 8, [member("a", i32, 0), member("b", i32, 1 << 62)])])))
    bf = Die("member", [("name", "string", "bf"), ("type", "ref4", i32), ("bit_size", "udata", 1 << 40),
                        ("data_bit_offset", "udata", 3)])
    c.either("bitfield 2^40 bits wide", w.assemble("huge_bitfield", dwarf_asm(
        [i32, struct_die("victim", 8, [bf])])))

    # DWARF that lies (issue 12): refused with the DIE offset, in both readers.
    p = w.assemble("beyond", dwarf_asm([i32, struct_die("victim", 8, [member("a", i32, 0),
                                                                       member("b", i32, 16)])]))
    c.error("member beyond the struct's size", p, must="member 'b' starts at bit 128, past the record's 64 at DIE 0x")
    p = w.assemble("straddle_end", dwarf_asm([i32, struct_die("victim", 8, [member("a", i32, 6)])]))
    c.error("member ending past the struct's size", p, must="member 'a' ends at bit 80, past the record's 64 at DIE 0x")
    wide = Die("member", [("name", "string", "a"), ("type", "ref4", i32), ("bit_size", "udata", 1000),
                          ("data_bit_offset", "udata", 0)])
    c.error("int a:1000", w.assemble("wide_bitfield", dwarf_asm([i32, struct_die("victim", 256, [wide])])),
            must="bitfield of 1000 bits in a 4-byte type at DIE 0x")
    un = Die("union_type", [("name", "string", "victim"), ("byte_size", "udata", 4)], [member("big", i32, 4)])
    c.error("union member past the union", w.assemble("union_beyond", dwarf_asm([i32, un])),
            must="member 'big' ends at bit 64, past the record's 32 at DIE 0x")

    # A member typed as something that is not a type.
    c.error("member typed as the compile unit DIE", w.assemble("type_is_cu", dwarf_asm(
        [i32, struct_die("victim", 4, [member("a", 12, 0)])])),   # DWARF 5: the unit DIE follows a 12-byte header
        must="refers to a DW_TAG_compile_unit (DIE 0xc), not to a type, at DIE 0x")
    var = Die("variable", [("name", "string", "v"), ("type", "ref4", i32)])
    c.error("member typed as a variable DIE", w.assemble("type_is_var", dwarf_asm(
        [i32, var, struct_die("victim", 4, [member("a", var, 0)])])), must="refers to a DW_TAG_variable (DIE 0x")

    # DW_FORM_indirect naming itself or DW_FORM_implicit_const (section 7.5.3).
    for what, form in (("DW_FORM_indirect", ("indirect", ("string", "b"))), ("DW_FORM_implicit_const",
                                                                            ("implicit_const", None))):
        bad = Die("member", [("name", "indirect", form), ("type", "ref4", i32), ("data_member_location", "udata", 0)])
        p = w.assemble(f"indirect_{what[8:]}", dwarf_asm([i32, struct_die("victim", 4, [bad])]))
        c.error(f"DW_FORM_indirect giving {what}", p, must="at .debug_info offset", only=("libdw",))
        c.error(f"DW_FORM_indirect giving {what}", p, must="at DIE 0x", only=("libdwarf",))

    # dwz's forms into a supplementary (alt) file that is not there.
    alt_name = Die("member", [("name", "GNU_strp_alt", 0), ("type", "ref4", i32), ("data_member_location", "udata", 0)])
    c.error("DW_FORM_GNU_strp_alt with no alt file", w.assemble("strp_alt", dwarf_asm(
        [i32, struct_die("victim", 4, [alt_name])])), must=".gnu_debugaltlink")
    alt_type = Die("member", [("name", "string", "a"), ("type", "GNU_ref_alt", 0x40), ("data_member_location", "udata", 0)])
    c.error("DW_FORM_GNU_ref_alt with no alt file", w.assemble("ref_alt", dwarf_asm(
        [i32, struct_die("victim", 4, [alt_type])])), must=".gnu_debugaltlink")

    # .debug_str whose last string (a member's name) has lost its NUL.
    named = lambda n, loc: Die("member", [("name", "strp", n), ("type", "ref4", i32), ("data_member_location", "udata", loc)])
    p = w.assemble("str_nonul_src", dwarf_asm([i32, struct_die("victim", 8, [named("first", 0), named("lastname", 4)])]))
    data = open(p, "rb").read()
    off, size = Elf(data).section(".debug_str")
    assert data[off + size - 9:off + size] == b"lastname\0", data[off:off + size]
    b = bytearray(data)
    b[off + size - 1] = ord("X")
    c.error("last .debug_str string without its NUL", w.file("str_nonul.o", bytes(b)), must="DIE 0x", only=("libdwarf",))
    c.error("last .debug_str string without its NUL", w.file("str_nonul.o", bytes(b)), must="DW_AT_name",
            only=("libdw",))

    # References that dangle or go outside the unit.
    c.error("DW_AT_type pointing past the unit", w.assemble("dangling", dwarf_asm(
        [i32, struct_die("victim", 4, [member("a", 0x7ffffff0, 0)])])))
    c.error("DW_AT_type pointing into the unit header", w.assemble("dangling_hdr", dwarf_asm(
        [i32, struct_die("victim", 4, [member("a", 3, 0)])])))


def flip_cases(c, w, good, expected, rng):
    data = open(good, "rb").read()
    elf = Elf(data)
    # ELF header: every byte.
    for pos in range(64):
        b = bytearray(data)
        b[pos] ^= 0xFF
        c.either(f"ELF header byte {pos} flipped", w.file(f"flip_hdr{pos}.o", bytes(b)), same_as=expected)
    for name, count in ((".debug_info", 48), (".debug_abbrev", 32), (".debug_str", 16)):
        off, size = elf.section(name)
        for pos in sorted(rng.sample(range(size), min(count, size))):
            for mask in (0xFF, 0x80):
                b = bytearray(data)
                b[off + pos] ^= mask
                c.either(f"{name}+{pos} ^= {mask:#x}", w.file(f"flip{name}{pos}_{mask}.o", bytes(b)))


def section_cases(c, w, good, expected):
    data = open(good, "rb").read()
    elf = Elf(data)
    n = len(data)
    for sec in (".debug_info", ".debug_abbrev", ".debug_str"):
        tag = sec[7:]
        pos, fmt = elf.field_pos(sec, "offset")
        _, size = elf.section(sec)
        c.error(f"{sec} offset past the end", w.file(f"sh_off_{tag}.o", patched(data, pos, fmt, n + 4096)),
                "truncated")
        c.error(f"{sec} offset 2^63", w.file(f"sh_off63_{tag}.o", patched(data, pos, fmt, 1 << 63)))
        c.either(f"{sec} offset 0 (points at the ELF header)",
                 w.file(f"sh_off0_{tag}.o", patched(data, pos, fmt, 0)))
        spos, sfmt = elf.field_pos(sec, "size")
        c.error(f"{sec} size past the end", w.file(f"sh_size_{tag}.o", patched(data, spos, sfmt, n)),
                "truncated")
        c.error(f"{sec} size 2^64-1", w.file(f"sh_sizemax_{tag}.o", patched(data, spos, sfmt, (1 << 64) - 1)))
        c.either(f"{sec} size halved", w.file(f"sh_half_{tag}.o", patched(data, spos, sfmt, size // 2)))
        c.either(f"{sec} size 1", w.file(f"sh_one_{tag}.o", patched(data, spos, sfmt, 1)))
    # .debug_str moved onto .debug_info's bytes: names would be read from DIEs.
    info_off, _ = elf.section(".debug_info")
    pos, fmt = elf.field_pos(".debug_str", "offset")
    c.error(".debug_str overlapping .debug_info", w.file("str_on_info.o", patched(data, pos, fmt, info_off)),
            must="overlaps")
    pos, fmt = elf.field_pos(".debug_info", "size")
    c.error(".debug_info size 0", w.file("sh_size0_info.o", patched(data, pos, fmt, 0)), "no DWARF")
    c.error("section header table past the end", w.file("e_shoff.o", patched(data, 0x28, "<Q", n)))
    c.error("section header table offset 2^64-8", w.file("e_shoff_max.o",
                                                           patched(data, 0x28, "<Q", (1 << 64) - 8)))
    c.error("e_shnum 0xffff", w.file("e_shnum.o", patched(data, 0x3C, "<H", 0xFFFF)))
    c.either("e_shentsize 1", w.file("e_shentsize.o", patched(data, 0x3A, "<H", 1)))
    c.either("e_shstrndx out of range", w.file("e_shstrndx.o", patched(data, 0x3E, "<H", 0xFFF0)),
             same_as=expected)
    # First compile unit: length beyond the section, and bad version fields.
    off, size = elf.section(".debug_info")
    c.error("first unit length past .debug_info", w.file("cu_len.o", patched(data, off, "<I", size * 4)))
    c.error("first unit length 0xfffffff0 (reserved)", w.file("cu_len_res.o",
                                                               patched(data, off, "<I", 0xFFFFFFF0)))
    for v in (1, 6, 0x1234):
        c.error(f"first unit version patched to {v}", w.file(f"cu_version{v}.o", patched(data, off + 4, "<H", v)))
    c.error("first unit address size 3", w.file("cu_asize.o", patched(data, off + 7, "<B", 3)))


def elf_kind_cases(c, w, good, expected):
    data = open(good, "rb").read()
    c.error("ELF class 64 -> 32", w.file("class32.o", patched(data, 4, "<B", 1)))
    c.error("ELF class 0", w.file("class0.o", patched(data, 4, "<B", 0)), "class")
    c.error("ELF class 3", w.file("class3.o", patched(data, 4, "<B", 3)), "class")
    c.error("ELF byte order 0", w.file("data0.o", patched(data, 5, "<B", 0)), "byte order")
    c.either("ELF byte order little -> big", w.file("data_be.o", patched(data, 5, "<B", 2)))
    # Another machine: relocations of the wrong kind must not yield silently
    # wrong names; the output is either the right one or an error.
    for mach in (3, 40, 183, 0xBEEF):  # i386, ARM, AArch64, unknown
        c.either(f"e_machine {mach}", w.file(f"machine{mach}.o", patched(data, 0x12, "<H", mach)),
                 same_as=expected)
    c.either("e_type ET_EXEC on a relocatable object", w.file("etype.o", patched(data, 0x10, "<H", 2)))
    c.either("e_type 0xfe00", w.file("etype_os.o", patched(data, 0x10, "<H", 0xFE00)))


def truncation_cases(c, w, good):
    data = open(good, "rb").read()
    n = len(data)
    # 100 is always made: gate_cases reuses it, and the other lengths follow
    # n, which changes with the checkout's path (DW_AT_comp_dir).
    lengths = set(range(0, 80, 3)) | {100} | {n // d for d in range(2, 40)} | {n - k for k in (1, 2, 7, 64, 65)}
    for length in sorted(x for x in lengths if 0 <= x < n):
        c.error(f"truncated to {length} of {n} bytes", w.file(f"trunc{length}.o", data[:length]))


def c_source_cases(c, w):
    """Deep nesting written in C, compared with pahole where padguard answers."""
    for depth, must_answer in ((20, True), (400, False)):
        src = "struct deep {\n" + "struct {\n" * depth + "int x;\n" + "};\n" * depth + "int y;\n};\nstruct deep d;\n"
        p = w.compile_c(f"deep_c{depth}", src)
        exp = Lazy(lambda _, p=p: fl.run(["pahole", "-F", "dwarf", "-c", "64", "-C", "deep", p]).stdout)
        for b in c.r.backends:
            def fn(check, b=b, p=p, depth=depth, must_answer=must_answer, exp=exp):
                rc, out, err = c.r.run(["layout", "--backend", b, "-C", "deep", p])
                if rc == 0:
                    good = out == exp["pahole"]
                else:
                    good = not must_answer and rc == 2 and error_line_ok(p, err)
                check(good, f"[{b}] C struct with {depth} nested anonymous structs: "
                            f"want pahole's output{'' if must_answer else ' or one error line'}; "
                            + describe(rc, out, err))
            c.add(f"{b}-C struct with {depth} nested anonymous structs", fn)


def list_header_cases(c, w):
    """.debug_rnglists/.debug_loclists headers: libdwarf 20210528 frees twice
    on a bad one, so they are checked before it reads them; libdw never reads
    these sections for padguard and must print the undamaged layout (or, at
    most, refuse the file with one error line)."""
    src = ('__attribute__((section(".text.a"))) int f(int x) { int y = x * 2; return y; }\n'
           '__attribute__((section(".text.b"))) int g(int x) { return f(x) + 1; }\n'
           'struct lists { int a; long b; } l;\n')
    o = w.compile_c("lists", src, ("-g", "-gdwarf-5", "-O2"))
    data = open(o, "rb").read()
    elf = Elf(data)
    c.ok("object with .debug_rnglists", o, contains=("struct lists {",))
    undamaged = Lazy(lambda b: c.r.run(["layout", "--backend", b, o])[1])

    def damaged(what, path):
        c.error(what, path, sec, only=("libdwarf",))
        c.either(what, path, same_as=undamaged, only=("libdw",))
    for sec in (".debug_rnglists", ".debug_loclists"):
        if sec not in elf.sections:
            c.add(f"{sec} present", lambda check, sec=sec: check(
                False, f"gcc -gdwarf-5 -O2 emitted no {sec}; the case tests nothing"))
            continue
        off, size = elf.section(sec)
        tag = sec[7:]
        damaged(f"{sec} unit length past the section", w.file(f"{tag}_len.o", patched(data, off, "<I", size * 4)))
        damaged(f"{sec} version 4", w.file(f"{tag}_ver.o", patched(data, off + 4, "<H", 4)))
        damaged(f"{sec} offset table past the unit", w.file(f"{tag}_cnt.o", patched(data, off + 8, "<I", 1 << 30)))


def shallow_read_cases(c, w):
    """`layout` without -C reads a struct that a lower unit already built
    shallow (names, locations, bit sizes) to learn whether its layout is new.
    Encodings off gcc's usual path must give what libdwarf, which reads every
    DIE in full, gives, and what pahole prints."""
    def twin_unit(members):
        i32, chr_ = base("int", 4), base("char", 1, 6)
        return [i32, chr_, struct_die("twin", 8, members(i32, chr_))]

    def named(name_form, name, t, loc_form, loc):
        return Die("member", [("name", name_form, name), ("type", "ref4", t), ("data_member_location", loc_form, loc)])

    def nested(i, ch, sibling):
        b = member("b", ch, 4)
        inner = Die("structure_type", [("name", "string", "inner"), ("byte_size", "data1", 4)], [member("x", i, 0)])
        if sibling:
            inner.attrs.append(("sibling", "ref4", b))
        return [member("a", i, 0), inner, b]

    plain = lambda i, ch: [member("a", i, 0), member("b", ch, 4)]
    variants = [
        ("strp names", 1, lambda i, ch: [named("strp", "a", i, "udata", 0), named("strp", "b", ch, "data2", 4)]),
        ("sdata and data4 locations", 1, lambda i, ch: [named("string", "a", i, "sdata", 0),
                                                          named("string", "b", ch, "data4", 4)]),
        ("DW_OP_plus_uconst location", 1, lambda i, ch: [member("a", i, 0),
                                                           named("string", "b", ch, "exprloc", [0x23, 4])]),
        ("DW_FORM_indirect", 1, lambda i, ch: [member("a", i, 0),
                                                 named("indirect", ("string", "b"), ch, "indirect", ("udata", 4))]),
        # pahole pairs the earlier members with the later children, nested
        # types included: a type among the members makes the copy print again.
        ("nested type with DW_AT_sibling", 2, lambda i, ch: nested(i, ch, True)),
        ("nested type without DW_AT_sibling", 2, lambda i, ch: nested(i, ch, False)),
        ("member moved", 2, lambda i, ch: [member("a", i, 0), member("b", ch, 5)]),
        ("member renamed (strp)", 2, lambda i, ch: [named("strp", "a", i, "udata", 0),
                                                      named("strp", "c", ch, "udata", 4)]),
    ]
    cases = [(what, prints, [plain, second]) for what, prints, second in variants]
    nest = lambda i, ch: nested(i, ch, True)
    cases += [("plain, nested, nested", 3, [plain, nest, nest]),
              ("nested, nested, plain", 2, [nest, nest, plain]),
              ("nested, plain, plain", 1, [nest, plain, plain])]
    for what, prints, units in cases:
        tag = what.replace(" ", "_").replace("(", "").replace(")", "").replace(",", "")
        obj = w.assemble(f"shallow_{tag}", dwarf_asm_units([twin_unit(u) for u in units]))

        def fn(check, obj=obj, what=what, prints=prints):
            ref = c.r.run(["layout", "--backend", "libdwarf", obj])
            check(ref[0] == 0 and ref[1].count("struct twin {") == prints,
                  f"[libdwarf] twin defined again ({what}): want {prints} layout(s); " + describe(*ref))
            for b in c.r.backends:
                rc, out, err = c.r.run(["layout", "--backend", b, "-j1", obj])
                check(rc == 0 and out == ref[1], f"[{b}] twin defined again ({what}), -j1: want exit 0 with "
                                                 "libdwarf's output; " + describe(rc, out, err))
            ph = fl.run(["pahole", "-F", "dwarf", "-c", "64", obj])
            check(ph.returncode == 0 and ph.stdout == ref[1],
                  f"pahole on twin defined again ({what}) prints what padguard does; "
                  f"pahole: {ph.stdout[:300]!r} padguard: {ref[1][:300]!r}")
        c.add(f"twin defined again ({what})", fn)


def location_cases(c, w):
    """DW_AT_data_member_location as an expression (issue 12): constant ones
    evaluated, in both readers, to the layout the plain constant gives (which
    is pahole's); any other refused with the DIE offset, never read as 0."""
    i32, chr_ = base("int", 4), base("char", 1, 6)

    def obj(name, loc_form, loc):
        b = Die("member", [("name", "string", "b"), ("type", "ref4", chr_), ("data_member_location", loc_form, loc)])
        return w.assemble(f"loc_{name}", dwarf_asm([i32, chr_, struct_die("loc", 8, [member("a", i32, 0), b])]))
    plain = obj("plain", "udata", 4)
    expected = Lazy(lambda _: fl.run(["pahole", "-F", "dwarf", "-c", "64", plain]).stdout)

    def same_as_pahole(check):
        check("b;" in expected["pahole"] and "/*     4     1 */" in expected["pahole"],
              "pahole prints b at offset 4 in the plain fixture: " + repr(expected["pahole"][:300]))
    c.add("member location: plain constant fixture (pahole)", same_as_pahole)
    accepted = [
        ("DW_OP_plus_uconst 4", "exprloc", [0x23, 4]),
        ("DW_OP_constu 4", "exprloc", [0x10, 4]),
        ("DW_OP_consts 4", "exprloc", [0x11, 4]),
        ("DW_OP_lit4", "exprloc", [0x34]),
        ("DW_OP_const1u 4", "exprloc", [0x08, 4]),
        ("DW_OP_const1s 4", "exprloc", [0x09, 4]),
        ("DW_OP_const2u 4", "exprloc", [0x0a, 4, 0]),
        ("DW_OP_const4s 4", "exprloc", [0x0d, 4, 0, 0, 0]),
        ("DW_OP_const8u 4", "exprloc", [0x0e, 4, 0, 0, 0, 0, 0, 0, 0]),
        ("DW_OP_constu 4 DW_OP_plus", "exprloc", [0x10, 4, 0x22]),
        ("DW_OP_lit6 DW_OP_lit2 DW_OP_minus DW_OP_plus", "exprloc", [0x36, 0x32, 0x1c, 0x22]),
        ("DW_OP_plus_uconst 4 in DW_FORM_block1", "block1", [0x23, 4]),
    ]
    for what, form, expr in accepted:
        tag = "".join(ch if ch.isalnum() else "_" for ch in what)
        p = obj(tag, form, expr)
        for b in c.r.backends:
            def fn(check, b=b, p=p, what=what):
                rc, out, err = c.r.run(["layout", "--backend", b, p])
                check(rc == 0 and out == expected["pahole"],
                      f"[{b}] member location {what}: want pahole's layout of the plain constant; "
                      + describe(rc, out, err))
            c.add(f"{b}-member location {what} is the constant's layout", fn)
    refused = [
        ("DW_OP_deref", "exprloc", [0x06], "unsupported member location expression (DW_OP_deref) at DIE 0x"),
        ("DW_OP_addr", "exprloc", [0x03] + [0] * 8, "unsupported member location expression (DW_OP_addr) at DIE 0x"),
        ("DW_OP_breg7 0", "exprloc", [0x77, 0], "(DW_OP_breg7) at DIE 0x"),
        ("DW_OP_constu without its operand", "exprloc", [0x10, 0x80], "truncated in DW_OP_constu at DIE 0x"),
        ("DW_OP_plus on one value", "exprloc", [0x22], "pops an empty stack at DW_OP_plus at DIE 0x"),
        ("empty expression", "exprloc", [], "empty member location expression at DIE 0x"),
        ("a location list (DW_FORM_sec_offset)", "sec_offset", 0, "unsupported member location form (DW_FORM 0x17"),
    ]
    for what, form, expr, must in refused:
        tag = "".join(ch if ch.isalnum() else "_" for ch in what)
        c.error(f"member location {what}", obj(tag, form, expr), must=must)

    # A C++ virtual base as g++ writes it: refused, with the reason.
    base_rec = struct_die("A", 4, [member("a", i32, 0)])
    vb = Die("inheritance", [("type", "ref4", base_rec), ("data_member_location", "exprloc",
                                                            [0x12, 0x06, 0x48, 0x1c, 0x06, 0x22]),
                             ("virtuality", "data1", 1)])
    derived = Die("class_type", [("name", "string", "B"), ("byte_size", "udata", 16)], [vb, member("b", i32, 8)])
    c.error("virtual base class (hand-made)", w.assemble("virtual_base", dwarf_asm([i32, base_rec, derived])),
            must="(DW_OP_deref) at DIE 0x", extra=("-C", "B"))
    c.error("virtual base class (hand-made), all records", w.assemble("virtual_base", dwarf_asm([i32, base_rec, derived])),
            must="a virtual base class of 'B'")
    cxx = w.compile_cxx("virtual_base_cxx", "struct A { int a; };\nstruct B : virtual A { int b; };\n"
                                            "struct C { int c; };\nB bb; C cc;\n")
    c.error("virtual base class (g++)", cxx, must="a virtual base class of 'B'", extra=("-C", "B"))
    c.ok("class without virtual bases in a file with one (g++)", cxx, contains=("struct C {",), extra=("-C", "C"))


def member_order_cases(c, w):
    """Members out of offset order in DWARF (rustc writes them so): laid out
    in offset order, as pahole >= 1.25 does; the text equals that of the same
    struct in order, which is pahole 1.24's (docs/pahole-differences.md)."""
    i32, chr_, lng, sht = base("int", 4), base("char", 1, 6), base("long int", 8), base("short int", 2)

    def bits(name, t, size, at):
        return Die("member", [("name", "string", name), ("type", "ref4", t), ("bit_size", "udata", size),
                              ("data_bit_offset", "udata", at)])

    def members():
        return {"a": member("a", i32, 0), "b": member("b", chr_, 4), "c": member("c", lng, 8),
                "f1": bits("f1", i32, 3, 128), "f2": bits("f2", i32, 5, 131), "d": member("d", sht, 18)}

    def obj(name, order):
        m = members()
        return w.assemble(f"order_{name}", dwarf_asm([i32, chr_, lng, sht, struct_die("order", 24, [m[k] for k in order])]))
    in_order = obj("sorted", ["a", "b", "c", "f1", "f2", "d"])
    expected = Lazy(lambda _: fl.run(["pahole", "-F", "dwarf", "-c", "64", in_order]).stdout)
    for what, order in (("reversed", ["d", "f2", "f1", "c", "b", "a"]), ("shuffled", ["c", "f2", "a", "d", "f1", "b"])):
        p = obj(what, order)
        for b in c.r.backends:
            def fn(check, b=b, p=p, what=what):
                rc, out, err = c.r.run(["layout", "--backend", b, p])
                good = rc == 0 and out == expected["pahole"]
                check(good, f"[{b}] members {what} in DWARF: want pahole's layout of the struct in order "
                            f"({expected['pahole'][:200]!r}); " + describe(rc, out, err))
            c.add(f"{b}-members out of DIE order ({what})", fn)


def gate_cases(c, good, bad_files):
    """Fail closed: `diff` and `check` never exit 0 (nor 1) when an input
    could not be read, on either side."""
    for cmd in (["diff"], ["check", "--no-growth", "all"]):
        for bad in bad_files:
            assert os.path.exists(bad), bad
            for pair in ((good, bad), (bad, good)):
                what = f"{' '.join(cmd)} {os.path.basename(pair[0])} {os.path.basename(pair[1])}"

                def fn(check, cmd=cmd, pair=pair, bad=bad, what=what):
                    rc, out, err = c.r.run([*cmd, *pair])
                    check(rc == 2 and bad in err,
                          f"{what}: want exit 2 naming the unreadable file; " + describe(rc, out, err))
                c.add(f"gate {what}", fn)


def exploding_union_cases(c, w):
    """Nested unions whose overlapping members double per level: diff/check
    must refuse them quickly (exit 2), not stall the gate (was 42 s, 4 GB)."""
    i = base("int", 4)
    a = struct_die(None, 4, [member("x", i, 0)])
    dies = [i, a]
    for _ in range(12):
        a = Die("union_type", [("byte_size", "udata", 4)], [member("l", a, 0), member("r", a, 0)])
        dies.append(a)
    obj = w.assemble("exploding_union", dwarf_asm(dies + [struct_die("victim", 4, [member("u", a, 0)])]))

    def diff(check):
        rc, out, err = c.r.run(["diff", obj, obj])
        check(rc == 2 and "sharing bytes" in err and obj in err,
              "diff on 12 levels of doubling unions: want a quick exit 2; " + describe(rc, out, err))

    def size_rules(check):
        # check's size rules never pair members: a correct answer, in bounded time.
        rc, out, err = c.r.run(["check", "--no-growth", "all", obj, obj])
        check(rc == 0 and "verdict: PASS" in out,
              "check --no-growth on 12 levels of doubling unions: want PASS in bounded time; "
              + describe(rc, out, err))
    c.add("diff on 12 levels of doubling unions", diff)
    c.add("check --no-growth on 12 levels of doubling unions", size_rules)


def regression_cases(c, regressions, good):
    """Each file by the command that reads its kind (its name's TARGET,
    docs/FUZZING.md): a policy by check --policy, everything else by layout."""
    if not os.path.isdir(regressions):
        return
    for name in sorted(os.listdir(regressions)):
        p = os.path.join(regressions, name)
        if not os.path.isfile(p) or name.endswith(".md"):
            continue
        if name.split("-")[1:2] != ["policy"]:
            c.either(f"fuzz regression {name}", p)
            continue

        def policy(check, p=p, name=name):
            rc, out, err = c.r.run(["check", "--policy", p, good, good])
            # A verdict (ERROR, exit 2, when a rule names what the object lacks), or the policy refused.
            good_run = (rc in (0, 1, 2) and "verdict:" in out) or (rc == 2 and out == "" and error_line_ok(p, err))
            check(good_run, f"fuzz regression {name} (check --policy): want a verdict, or exit 2 + one error "
                            "line; " + describe(rc, out, err))
        c.add(f"fuzz regression {name}", policy)


def collect():
    """Writes every input file and registers every case (at collection)."""
    r = Runner(PADGUARD, BACKENDS)
    c = Checker(r)
    w = Workdir(fl.work_dir("malformed"))
    rng = random.Random(SEED)
    good = w.compile_c("victim", VICTIM_C)
    expected = Lazy(lambda b: r.run(["layout", "--backend", b, good])[1])
    c.ok("undamaged object reads", good, contains=("struct victim {",))
    truncation_cases(c, w, good)
    elf_kind_cases(c, w, good, expected)
    section_cases(c, w, good, expected)
    flip_cases(c, w, good, expected, rng)
    hand_cases(c, w)
    list_header_cases(c, w)
    c_source_cases(c, w)
    shallow_read_cases(c, w)
    location_cases(c, w)
    member_order_cases(c, w)
    regression_cases(c, REGRESSIONS, good)
    gate_cases(c, good, [os.path.join(w.path, f) for f in
                         ("trunc100.o", "cu_version6.o", "loop_self.o", "machine183.o", "dangling.o",
                          "huge_dims.o", "sh_one_str.o")])
    exploding_union_cases(c, w)
    return c.cases


def _collect_or_fail():
    try:
        return collect()
    except (RuntimeError, OSError) as e:   # gcc missing or failing: every run fails, loudly
        return [("collect", lambda check, e=e: check(False, f"writing the malformed inputs failed: {e}"))]


CASES = _collect_or_fail()


def _id(what):
    return "".join(ch if ch.isalnum() or ch in "._-+^=" else "_" for ch in what)


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require("gcc", "pahole")


@pytest.mark.parametrize("fn", [fn for _, fn in CASES], ids=[_id(w) for w, _ in CASES])
def test_malformed(fn, check):
    fn(check)
    check.done()
