"""Small rewrites of real ELF objects for the e2e tests, for any class (32/64)
and byte order: extended section numbering (e_shnum 0 and e_shstrndx
SHN_XINDEX, the real values in section 0) and a relocation's type changed.
Nothing here checks that the input is sane: it is fed compiler output."""
import struct

SHN_XINDEX = 0xFFFF
SHT_RELA, SHT_REL = 4, 9


class Elf:
    def __init__(self, data):
        self.data = bytearray(data)
        d = self.data
        assert d[:4] == b"\x7fELF", "not an ELF file"
        self.is64 = d[4] == 2
        self.e = "<" if d[5] == 1 else ">"
        self.machine = struct.unpack_from(self.e + "H", d, 0x12)[0]
        if self.is64:
            self.shoff = struct.unpack_from(self.e + "Q", d, 0x28)[0]
            self._num_at = 0x3A
        else:
            self.shoff = struct.unpack_from(self.e + "I", d, 0x20)[0]
            self._num_at = 0x2E
        self.shentsize, self.e_shnum, self.e_shstrndx = struct.unpack_from(self.e + "HHH", d, self._num_at)
        self.shdr_fmt = self.e + ("IIQQQQIIQQ" if self.is64 else "IIIIIIIIII")
        sh0 = self.shdr(0)
        self.shnum = self.e_shnum or sh0[5]
        self.shstrndx = sh0[6] if self.e_shstrndx == SHN_XINDEX else self.e_shstrndx

    def shdr(self, i):
        """(name, type, flags, addr, offset, size, link, info, addralign, entsize)"""
        return struct.unpack_from(self.shdr_fmt, self.data, self.shoff + i * self.shentsize)

    def set_shdr(self, i, fields):
        struct.pack_into(self.shdr_fmt, self.data, self.shoff + i * self.shentsize, *fields)

    def name(self, i):
        stroff = self.shdr(self.shstrndx)[4]
        start = stroff + self.shdr(i)[0]
        return self.data[start:self.data.index(b"\0", start)].decode("latin-1")

    def index(self, name):
        for i in range(self.shnum):
            if self.name(i) == name:
                return i
        raise KeyError(name)

    def section_bytes(self, name):
        h = self.shdr(self.index(name))
        return bytes(self.data[h[4]:h[4] + h[5]])

    def to_extended_numbering(self, count=True, strndx=True):
        """The same file with e_shnum 0 (the count in section 0's sh_size)
        and/or e_shstrndx SHN_XINDEX (the index in section 0's sh_link), as
        gABI's extended section numbering allows for any file."""
        h0 = list(self.shdr(0))
        shnum, shstrndx = self.e_shnum, self.e_shstrndx
        if count:
            h0[5], shnum = self.shnum, 0
        if strndx:
            h0[6], shstrndx = self.shstrndx, SHN_XINDEX
        self.set_shdr(0, h0)
        struct.pack_into(self.e + "HH", self.data, self._num_at + 2, shnum, shstrndx)
        return bytes(self.data)

    def symbol_value(self, symtab, index):
        h = self.shdr(symtab)
        if self.is64:  # st_name, st_info, st_other, st_shndx, st_value, st_size
            return struct.unpack_from(self.e + "IBBHQQ", self.data, h[4] + index * 24)[4]
        return struct.unpack_from(self.e + "IIIBBH", self.data, h[4] + index * 16)[1]

    def string_relocation(self, target, string):
        """(r_info position, r_info size, is_rela) of the relocation in
        `target` whose value is the offset of `string` in .debug_str: its
        symbol's value (0 for the section symbol, a .LASF label's offset on
        RISC-V) plus the addend of a RELA entry, or the word in place for REL."""
        strs = self.section_bytes(".debug_str")
        needle = string.encode() + b"\0"
        want = strs.find(needle)
        while want > 0 and strs[want - 1] != 0:
            want = strs.find(needle, want + 1)
        assert want >= 0, f"{string!r} not in .debug_str"
        t = self.index(target)
        tgt = self.shdr(t)
        word = 8 if self.is64 else 4
        for i in range(self.shnum):
            h = self.shdr(i)
            if h[1] not in (SHT_REL, SHT_RELA) or h[7] != t or h[9] == 0:
                continue
            for k in range(h[5] // h[9]):
                pos = h[4] + k * h[9] + word
                r_offset, info = struct.unpack_from(self.e + ("QQ" if self.is64 else "II"), self.data, pos - word)
                if h[1] == SHT_RELA:
                    addend = struct.unpack_from(self.e + ("q" if self.is64 else "i"), self.data, pos + word)[0]
                else:
                    addend = struct.unpack_from(self.e + "I", self.data, tgt[4] + r_offset)[0]
                sym = info >> 32 if self.is64 else info >> 8
                if self.symbol_value(h[6], sym) + addend == want:
                    return pos, word, h[1] == SHT_RELA
        raise KeyError(f"no relocation in {target} for {string!r}")

    def reloc_type(self, pos, word):
        info = struct.unpack_from(self.e + ("Q" if word == 8 else "I"), self.data, pos)[0]
        return info & 0xFFFFFFFF if word == 8 else info & 0xFF

    def set_reloc_type(self, pos, word, rtype):
        fmt = self.e + ("Q" if word == 8 else "I")
        info = struct.unpack_from(fmt, self.data, pos)[0]
        info = (info & ~0xFFFFFFFF) | rtype if word == 8 else (info & ~0xFF) | rtype
        struct.pack_into(fmt, self.data, pos, info)
        return bytes(self.data)
