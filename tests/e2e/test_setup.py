"""The two set-up paths coexist (issue 10): after scripts/setup, installing
every cross compiler kernel-matrix may install (scripts/cross-packages.txt)
removes nothing, gcc-multilib is not installed, scripts/setup installs with
--no-remove, and when apt refuses a conflicting package setup names it. All
installs here are simulated (apt-get -s): the machine is never changed."""
import os
import re

import pytest

import fixturelib as fl

SETUP = os.path.join(fl.ROOT, "scripts", "setup")
CROSS = os.path.join(fl.ROOT, "scripts", "cross-packages.txt")
# kernel ARCH names kernel-matrix accepts (scripts/kmatrix/arches.py).
KERNEL_ARCHES = {"x86_64", "i386", "arm64", "arm", "riscv", "powerpc", "s390", "mips", "sparc", "alpha",
                 "m68k", "parisc", "sh", "arc"}


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require("apt-get", "dpkg-query", "bash")


def cross_packages():
    out = []
    with open(CROSS) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if words:
                out.append(words)
    return out


def installed(pkg):
    r = fl.run(["dpkg-query", "-W", "-f=${Status}", pkg])
    return r.returncode == 0 and "install ok installed" in r.stdout


def simulate(*pkgs):
    r = fl.run(["apt-get", "-s", "install", "--no-install-recommends", *pkgs], env={**os.environ, "LC_ALL": "C"})
    assert r.returncode == 0, f"apt-get -s install failed (apt-get update?):\n{r.stdout[-2000:]}{r.stderr}"
    return r.stdout


def test_cross_packages_file():
    rows = cross_packages()
    assert len(rows) >= 8, rows
    for words in rows:
        assert len(words) == 2, f"want 'KERNEL_ARCH package': {words}"
        arch, pkg = words
        assert arch in KERNEL_ARCHES, f"{arch}: not a kernel ARCH kernel-matrix knows"
        assert re.fullmatch(r"gcc-[a-z0-9_-]+-linux-gnu\w*", pkg) and "multilib" not in pkg, pkg
    arches = {a for a, _ in rows}
    assert {"i386", "arm64", "arm", "riscv", "powerpc", "s390", "mips"} <= arches, arches


def test_gcc_multilib_not_installed():
    assert not installed("gcc-multilib"), \
        "gcc-multilib is installed: it conflicts with the cross compilers (apt-get remove gcc-multilib)"


def test_installing_every_cross_compiler_removes_nothing():
    out = simulate(*(p for _, p in cross_packages()))
    removed = [line for line in out.splitlines() if line.startswith("Remv ")]
    assert not removed, "installing the cross compilers would remove:\n" + "\n".join(removed)


def test_setup_then_cross_then_setup_removes_nothing():
    """scripts/setup after the cross compilers: its own packages, simulated
    together with every cross compiler, remove nothing either."""
    text = open(SETUP).read()
    block = re.search(r"PACKAGES=\((.*?)\n\)", text, re.S).group(1)
    pkgs = [w for line in block.splitlines() for w in line.split("#", 1)[0].split()]
    assert "gcc-multilib" not in pkgs and "gcc-i686-linux-gnu" in pkgs, pkgs
    out = simulate(*pkgs, *(p for _, p in cross_packages()))
    assert not [line for line in out.splitlines() if line.startswith("Remv ")], out[-3000:]


def test_setup_installs_with_no_remove():
    text = open(SETUP).read()
    installs = [line for line in text.splitlines()
                if re.search(r"apt-get\b.*\binstall\b", line) and "-s install" not in line and
                not line.lstrip().startswith("#") and "echo " not in line]
    assert installs, "scripts/setup has no apt-get install line"
    for line in installs:
        assert "--no-remove" in line, f"install without --no-remove: {line.strip()}"


def test_setup_simulated_with_everything_installed():
    r = fl.run(["bash", SETUP, "--simulate"])
    assert r.returncode == 0, r.stderr


def test_setup_names_the_conflicting_package():
    """gcc-multilib against the cross compilers: setup refuses (exit 2),
    removes nothing, and names both sides."""
    r = fl.run(["bash", SETUP, "--simulate", "gcc-multilib"], env={**os.environ, "LC_ALL": "C"})
    assert r.returncode == 2, f"exit {r.returncode}\n{r.stderr}"
    assert "--no-remove" in r.stderr, r.stderr
    m = re.search(r"padguard setup: gcc-multilib conflicts with installed package\(s\): (.*)", r.stderr)
    assert m and "gcc-i686-linux-gnu" in m.group(1).split(), r.stderr
    assert "nothing was removed" in r.stderr, r.stderr
    assert not installed("gcc-multilib") and installed("gcc-i686-linux-gnu")


def test_setup_installs_a_cross_gcc_for_every_kernel_arch():
    """tests/kmatrix runs every ARCH's default config on its fake tree with
    the real cross gcc and skips an ARCH whose compiler is missing: setup
    installs one of each (kernel-matrix takes any of an ARCH's packages), so
    CI skips none."""
    text = open(SETUP).read()
    block = re.search(r"PACKAGES=\((.*?)\n\)", text, re.S).group(1)
    pkgs = {w for line in block.splitlines() for w in line.split("#", 1)[0].split()}
    by_arch = {}
    for arch, pkg in cross_packages():
        by_arch.setdefault(arch, []).append(pkg)
    missing = {a: ps for a, ps in by_arch.items() if not pkgs & set(ps)}
    assert not missing, f"scripts/setup installs no cross gcc of: {missing}"
    assert set(by_arch) | {"x86_64"} == KERNEL_ARCHES
