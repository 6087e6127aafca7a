"""Hand-written test input: ELF section headers found with the struct
module, DWARF written as assembly (.uleb128 and friends) and assembled with
`gcc -c`. Used by test_malformed.py and tests/fuzz/make_corpus.py."""
import os
import struct
import subprocess


# ---- ELF section headers ------------------------------------------------------


class Elf:
    """Just enough ELF64/ELF32 little-endian parsing to find sections."""

    def __init__(self, data):
        self.data = bytes(data)
        assert data[:4] == b"\x7fELF" and data[5] == 1, "little-endian ELF expected"
        self.is64 = data[4] == 2
        if self.is64:
            (self.shoff,) = struct.unpack_from("<Q", data, 0x28)
            self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        else:
            (self.shoff,) = struct.unpack_from("<I", data, 0x20)
            self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", data, 0x2E)
        self.sections = {}
        strtab_off = self._field(self.shstrndx, "offset")
        for i in range(self.shnum):
            name_off = struct.unpack_from("<I", data, self.shoff + i * self.shentsize)[0]
            end = data.index(b"\0", strtab_off + name_off)
            name = data[strtab_off + name_off:end].decode("latin-1")
            self.sections[name] = i

    def _hdr(self, i):
        return self.shoff + i * self.shentsize

    def _layout(self, field):
        # (offset in the section header, struct format)
        if self.is64:
            return {"offset": (0x18, "<Q"), "size": (0x20, "<Q"), "type": (0x04, "<I")}[field]
        return {"offset": (0x10, "<I"), "size": (0x14, "<I"), "type": (0x04, "<I")}[field]

    def _field(self, i, field):
        off, fmt = self._layout(field)
        return struct.unpack_from(fmt, self.data, self._hdr(i) + off)[0]

    def section(self, name):
        i = self.sections[name]
        return self._field(i, "offset"), self._field(i, "size")

    def field_pos(self, name, field):
        """File position and struct format of a section header field."""
        off, fmt = self._layout(field)
        return self._hdr(self.sections[name]) + off, fmt


def patched(data, pos, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, pos, value)
    return bytes(b)


# ---- hand-written DWARF as assembly ----------------------------------------------

# DWARF 5, section 7.5: tags, attributes, forms used below.
TAG = dict(compile_unit=0x11, structure_type=0x13, union_type=0x17, member=0x0d, base_type=0x24,
           typedef=0x16, array_type=0x01, subrange_type=0x21, const_type=0x26, volatile_type=0x35,
           pointer_type=0x0f, subroutine_type=0x15, formal_parameter=0x05, inheritance=0x1c,
           class_type=0x02, variable=0x34)
AT = dict(sibling=0x01, name=0x03, byte_size=0x0b, language=0x13, producer=0x25, count=0x37,
          upper_bound=0x2f, lower_bound=0x22, data_member_location=0x38, encoding=0x3e, type=0x49,
          bit_size=0x0d, data_bit_offset=0x6b, prototyped=0x27, virtuality=0x4c)
FORM = dict(string=0x08, data1=0x0b, data2=0x05, data4=0x06, data8=0x07, udata=0x0f, sdata=0x0d,
            ref4=0x13, flag_present=0x19, strp=0x0e, exprloc=0x18, indirect=0x16, block1=0x0a,
            sec_offset=0x17, implicit_const=0x21, GNU_ref_alt=0x1f20, GNU_strp_alt=0x1f21)


class Die:
    def __init__(self, tag, attrs=(), children=()):
        self.tag = tag
        self.attrs = list(attrs)  # (attribute, form, value); ref4 value: Die or int
        self.children = list(children)


def base(name, size, encoding=5):
    return Die("base_type", [("name", "string", name), ("byte_size", "data1", size),
                             ("encoding", "data1", encoding)])


def member(name, type_die, loc):
    return Die("member", [("name", "string", name), ("type", "ref4", type_die),
                          ("data_member_location", "udata", loc)])


def struct_die(name, size, members, form="udata"):
    attrs = [("name", "string", name)] if name else []
    return Die("structure_type", attrs + [("byte_size", form, size)], members)


def dwarf_asm(top, version=5, declared_version=None):
    """Assembly for one compile unit holding `top` DIEs. `declared_version`
    overrides the version written in the unit header (header layout follows
    `version`)."""
    return dwarf_asm_units([top], version, declared_version)


def dwarf_asm_units(tops, version=5, declared_version=None):
    """Assembly for one compile unit per list of top-level DIEs, sharing one
    abbreviation table; DW_FORM_ref4 values refer within their own unit."""
    labels, abbrevs, strings = {}, {}, {}

    def label(d):
        if id(d) not in labels:
            labels[id(d)] = f".Ldie{len(labels)}"
        return labels[id(d)]

    def value(f, v, unit):
        if f in ("flag_present", "implicit_const"):  # implicit_const: only behind indirect here
            return []
        if f == "string":
            return [f'\t.string "{v}"']
        if f in ("data1", "data2", "data4", "data8"):
            return ["\t.%s %d" % ({"data1": "byte", "data2": "2byte", "data4": "4byte", "data8": "8byte"}[f], v)]
        if f == "udata":
            return [f"\t.uleb128 {v}"]
        if f == "sdata":
            return [f"\t.sleb128 {v}"]
        if f == "ref4":
            return [f"\t.4byte {label(v)} - {unit}" if isinstance(v, Die) else f"\t.4byte {v}"]
        if f == "strp":
            return [f"\t.4byte {strings.setdefault(v, f'.Lstr{len(strings)}')}"]
        if f == "exprloc":  # v: the expression's bytes
            return [f"\t.uleb128 {len(v)}"] + [f"\t.byte {b}" for b in v]
        if f == "block1":
            return [f"\t.byte {len(v)}"] + [f"\t.byte {b}" for b in v]
        if f in ("sec_offset", "GNU_ref_alt", "GNU_strp_alt"):  # an offset, 4 bytes (32-bit DWARF)
            return [f"\t.4byte {v}"]
        if f == "indirect":  # v: (actual form, value)
            return [f"\t.uleb128 {FORM[v[0]]}"] + value(v[0], v[1], unit)
        raise ValueError(f)

    def emit(d, lines, unit):
        key = (d.tag, bool(d.children), tuple((a, f) for a, f, _ in d.attrs))
        code = abbrevs.setdefault(key, len(abbrevs) + 1)
        lines.append(f"{label(d)}:\n\t.uleb128 {code}")
        for a, f, v in d.attrs:
            lines.extend(value(f, v, unit))
        # Children are emitted iteratively: nesting can be very deep.
        return d.children

    units = []
    for n, top in enumerate(tops):
        unit, body = f".Lcu{n}", []
        stack = [("die", Die("compile_unit", [("producer", "string", "padguard test_malformed"),
                                              ("language", "data1", 0x0c), ("name", "string", f"hand{n}.c")],
                             top))]
        while stack:
            kind, d = stack.pop()
            if kind == "end":
                body.append("\t.byte 0")
                continue
            kids = emit(d, body, unit)
            if kids:
                stack.append(("end", None))
                stack.extend(("die", k) for k in reversed(kids))
        units.append((unit, body))

    # A symbol, so that the object has the symbol table libdwfl wants.
    out = ['\t.data\n\t.globl padguard_hand\npadguard_hand:\n\t.byte 0',
           '\t.section .debug_abbrev,"",@progbits']
    for (tag, has_children, attrs), code in abbrevs.items():
        out.append(f"\t.uleb128 {code}\n\t.uleb128 {TAG[tag]}\n\t.byte {1 if has_children else 0}")
        for a, f in attrs:
            out.append(f"\t.uleb128 {AT[a]}\n\t.uleb128 {FORM[f]}")
        out.append("\t.byte 0, 0")
    out.append("\t.byte 0")
    v = declared_version if declared_version is not None else version
    out.append('\t.section .debug_info,"",@progbits')
    for unit, body in units:
        out.append(f"{unit}:\n\t.4byte {unit}_end - {unit} - 4")
        out.append(f"\t.2byte {v}")
        if version >= 5:
            out.append("\t.byte 1\n\t.byte 8\n\t.4byte 0")   # DW_UT_compile, address size, abbrev offset
        else:
            out.append("\t.4byte 0\n\t.byte 8")             # abbrev offset, address size
        out.extend(body)
        out.append(f"{unit}_end:")
    if strings:
        out.append('\t.section .debug_str,"MS",@progbits,1')
        out.extend(f'{lbl}:\n\t.string "{text}"' for text, lbl in strings.items())
    return "\n".join(out) + "\n"


class Workdir:
    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)

    def file(self, name, data):
        p = os.path.join(self.path, name)
        if not _same(p, data):
            with open(p, "wb") as f:
                f.write(data)
        return p

    def _build(self, name, ext, text, cmd):
        """Writes name+ext and runs cmd on it unless the text and the object
        are there already (collection builds every case; reruns stay cheap)."""
        src = os.path.join(self.path, name + ext)
        o = os.path.join(self.path, name + ".o")
        if _same(src, text.encode()) and os.path.exists(o) and os.path.getmtime(o) >= os.path.getmtime(src):
            return o
        with open(src, "w") as f:
            f.write(text)
        r = subprocess.run([*cmd, "-o", o, src], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} {src}: {r.stderr[:2000]}")
        return o

    def assemble(self, name, asm):
        return self._build(name, ".s", asm, ["gcc", "-c"])

    def compile_c(self, name, source, flags=("-g", "-O0")):
        return self._build(name, ".c", source, ["gcc", "-c", *flags])

    def compile_cxx(self, name, source, flags=("-g", "-O0")):
        return self._build(name, ".cc", source, ["g++", "-c", *flags])


def _same(path, data):
    try:
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False
