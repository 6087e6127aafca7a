"""`cmake --install` (issue 18) puts exactly the binary (and the kbuild-check step), its man page and its
bash and zsh completions under the prefix, nothing of the tests, fuzzers or
static libraries, and the installed padguard is the build tree's: the same
--version and the same layout of a fixture compiled here."""
import os

import pytest

import fixturelib as fl

PADGUARD = fl.padguard()
BUILD = os.path.dirname(PADGUARD)
INSTALLED = {
    "usr/bin/padguard",
    "usr/bin/padguard-kbuild-check",
    "usr/share/man/man1/padguard.1",
    "usr/share/bash-completion/completions/padguard",
    "usr/share/zsh/vendor-completions/_padguard",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    fl.require("cmake", "gcc")
    if not os.path.isfile(os.path.join(BUILD, "CMakeCache.txt")):
        pytest.skip(f"SKIPPED, PADGUARD={PADGUARD} is not in a CMake build tree: nothing to install")
    dest = tmp_path_factory.mktemp("destdir")
    r = fl.run(["cmake", "--install", BUILD, "--prefix", "/usr"], env={**os.environ, "DESTDIR": str(dest)})
    assert r.returncode == 0, r.stdout + r.stderr
    return dest


def test_installs_exactly_these_files(root):
    files = {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}
    assert files == INSTALLED, f"unexpected: {sorted(files - INSTALLED)}, missing: {sorted(INSTALLED - files)}"
    assert os.access(root / "usr/bin/padguard", os.X_OK)
    # The kernel-build step (docs/BASELINES.md) is scripts/kbuild-check, executable.
    assert os.access(root / "usr/bin/padguard-kbuild-check", os.X_OK)
    assert (root / "usr/bin/padguard-kbuild-check").read_bytes() == open(os.path.join(fl.ROOT, "scripts/kbuild-check"), "rb").read()
    assert (root / "usr/share/man/man1/padguard.1").read_bytes() == open(os.path.join(fl.ROOT, "docs/padguard.1"), "rb").read()
    for f, name in (("bash-completion/completions/padguard", "padguard"), ("zsh/vendor-completions/_padguard", "_padguard")):
        assert (root / "usr/share" / f).read_bytes() == open(os.path.join(BUILD, "completions", name), "rb").read()


def test_installed_binary_runs(root, tmp_path):
    installed = str(root / "usr/bin/padguard")
    v = fl.run([installed, "--version"])
    assert v.returncode == 0 and v.stdout == fl.run([PADGUARD, "--version"]).stdout, v.stderr
    obj = tmp_path / "basic.o"
    r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(obj), os.path.join(fl.FIXTURES, "basic.c")])
    assert r.returncode == 0, r.stderr
    got, want = fl.run([installed, "layout", str(obj)]), fl.run([PADGUARD, "layout", str(obj)])
    assert got.returncode == 0 and want.returncode == 0, got.stderr + want.stderr
    assert "struct " in want.stdout and got.stdout == want.stdout
