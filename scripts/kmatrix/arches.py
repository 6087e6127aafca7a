"""Kernel architectures kernel-matrix knows: source directory, default
config, and the cross compilers (prefix and Debian package) that build them.
scripts/cross-packages.txt ("KERNEL_ARCH debian-package" lines, shared with
scripts/setup) wins over the built-in table when it is present."""

import dataclasses
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Callable, List, Optional

SCRIPTS_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
CROSS_PACKAGES_FILE = os.path.join(SCRIPTS_DIR, "cross-packages.txt")


@dataclass
class Arch:
    name: str  # ARCH= value
    srcarch: str  # directory under arch/
    default_config: str  # tested default target
    packages: List[str] = field(default_factory=list)  # Debian gcc-<triplet> packages, preferred first
    tested: bool = False  # a real build of the default config is recorded in docs/KERNEL-MATRIX.md
    # Neither libdw (elfutils 0.188) nor libdwarf 20210528 applies this
    # machine's relocations in a .o's debug sections: libdw skips R_SH_DIR32
    # silently (every DW_FORM_strp reads offset 0: wrong names), and has no
    # ARC backend at all, which libdwarf refuses.  The cross ld applies them
    # when it links the object alone (unresolved symbols ignored): facts are
    # read from that executable.  (padguard refuses such a .o by itself.)
    link_for_dwarf: bool = False


# Every ARCH Debian bookworm ships a cross gcc for.  `tested` = its default
# config is part of the recorded real runs.
ARCHES = {a.name: a for a in [
    Arch("x86_64", "x86", "defconfig", ["gcc-x86-64-linux-gnu"], True),
    Arch("i386", "x86", "i386_defconfig", ["gcc-i686-linux-gnu"], True),
    Arch("arm64", "arm64", "defconfig", ["gcc-aarch64-linux-gnu"], True),
    Arch("arm", "arm", "multi_v7_defconfig", ["gcc-arm-linux-gnueabihf", "gcc-arm-linux-gnueabi"], True),
    Arch("riscv", "riscv", "defconfig", ["gcc-riscv64-linux-gnu"], True),
    Arch("powerpc", "powerpc", "ppc64le_defconfig",
         ["gcc-powerpc64le-linux-gnu", "gcc-powerpc64-linux-gnu", "gcc-powerpc-linux-gnu"], True),
    Arch("s390", "s390", "defconfig", ["gcc-s390x-linux-gnu"], True),
    Arch("mips", "mips", "32r2el_defconfig",
         ["gcc-mipsel-linux-gnu", "gcc-mips-linux-gnu", "gcc-mips64el-linux-gnuabi64"], True),
    Arch("sparc", "sparc", "sparc64_defconfig", ["gcc-sparc64-linux-gnu"], True),
    Arch("alpha", "alpha", "defconfig", ["gcc-alpha-linux-gnu"], True),  # 6.1.192: BUILD-FAILED, see docs
    Arch("m68k", "m68k", "multi_defconfig", ["gcc-m68k-linux-gnu"], True),
    Arch("parisc", "parisc", "generic-32bit_defconfig", ["gcc-hppa-linux-gnu"], True),
    Arch("sh", "sh", "defconfig", ["gcc-sh4-linux-gnu"], True, link_for_dwarf=True),
    Arch("arc", "arc", "haps_hs_smp_defconfig", ["gcc-arc-linux-gnu"], True, link_for_dwarf=True),
]}
# ARCH= spellings kbuild accepts besides the names above.
ALIASES = {"x86": "x86_64", "riscv64": "riscv", "ppc64le": "powerpc", "s390x": "s390", "aarch64": "arm64"}


def prefix_of(package):
    """gcc-x86-64-linux-gnu -> x86_64-linux-gnu-"""
    triplet = package[len("gcc-"):] if package.startswith("gcc-") else package
    return triplet.replace("x86-64", "x86_64") + "-"


def read_cross_packages(path=CROSS_PACKAGES_FILE):
    """{arch: [packages]} from scripts/cross-packages.txt, {} if absent."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) == 2:
                out.setdefault(ALIASES.get(words[0], words[0]), []).append(words[1])
    return out


def get_arch(name):
    a = ARCHES.get(ALIASES.get(name, name))
    if a is None:
        return None
    listed = read_cross_packages().get(a.name)
    if listed:
        a = dataclasses.replace(a, packages=listed + [p for p in a.packages if p not in listed])
    return a


def host_arch():
    m = platform.machine()
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "armv7l": "arm", "i686": "i386",
            "riscv64": "riscv", "ppc64le": "powerpc", "s390x": "s390"}.get(m, m)


def native_m32_works():
    r = subprocess.run(["gcc", "-m32", "-x", "c", "-c", "-o", os.devnull, "-"], input=b"int x;\n",
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


@dataclass
class CrossChoice:
    prefix: Optional[str]  # CROSS_COMPILE value ("" = native); None = no compiler
    package: Optional[str] = None  # what to install when prefix is None
    reason: str = ""


def resolve_cross(arch_name, which: Callable = shutil.which, env=os.environ, host=None):
    """Pick CROSS_COMPILE for ARCH: $PADGUARD_CROSS_<ARCH>, the native gcc when
    it targets ARCH, else the first cross gcc on PATH from the package list."""
    a = get_arch(arch_name)
    var = "PADGUARD_CROSS_" + arch_name.upper()
    if var in env:
        p = env[var]
        if p and not which(p + "gcc"):
            return CrossChoice(None, None, "%s=%s but %sgcc is not on PATH" % (var, p, p))
        return CrossChoice(p)
    host = host or host_arch()
    if a and a.name == host:
        return CrossChoice("")
    if a is None:
        return CrossChoice(None, None, "no known cross compiler for ARCH=%s; set %s=<prefix>" % (arch_name, var))
    for pkg in a.packages:
        if which(prefix_of(pkg) + "gcc"):
            return CrossChoice(prefix_of(pkg))
    if a.name == "i386" and host == "x86_64" and native_m32_works():
        return CrossChoice("")  # the kernel builds -nostdinc: gcc -m32 needs no multilib
    return CrossChoice(None, a.packages[0], "no cross compiler for ARCH=%s (%s); install %s" % (
        arch_name, "/".join(prefix_of(p) + "gcc" for p in a.packages), a.packages[0]))
