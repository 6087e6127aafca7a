"""kernel-matrix's package installs (--install-deps, --install-cross) never
remove anything: with a fake `apt-get` and a fake `sudo` on PATH that record
their argv and act out a conflict (a simulation that prints 'Remv X', an
install that really removes X unless --no-remove), the install must refuse
loudly and name the conflict, must pass --no-remove, and must go through
sudo when not root.  Nothing here touches the real apt."""
import json
import os
import subprocess
import sys

import pytest

from kmatrix import hostdeps
from kmatrix.util import UsageError
from conftest import path_without

HERE = os.path.dirname(os.path.abspath(__file__))
KM = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts", "kernel-matrix")

# The fake apt-get keeps its state beside itself: installed.txt (one package
# a line), conflicts.json ({package: victim it makes apt remove}), race.json
# (the same, but only the real install sees it: the system changed after the
# simulation), apt.log (one JSON argv a line, with who ran it).
FAKE_APT = r'''#!/usr/bin/python3
import json, os, sys
D = os.path.dirname(os.path.abspath(__file__))
def load(name, default):
    p = os.path.join(D, name)
    return json.load(open(p)) if os.path.exists(p) else default
installed = open(os.path.join(D, "installed.txt")).read().split()
args = sys.argv[1:]
with open(os.path.join(D, "apt.log"), "a") as f:
    f.write(json.dumps({"argv": args, "sudo": os.environ.get("FAKE_SUDO") == "1",
                        "frontend": os.environ.get("DEBIAN_FRONTEND")}) + "\n")
assert args[0] == "install", args
pkgs = [a for a in args[1:] if not a.startswith("-")]
sim = "-s" in args
conflicts = load("conflicts.json", {})
if not sim:
    conflicts.update(load("race.json", {}))
victims = [conflicts[p] for p in pkgs if conflicts.get(p) in installed]
if sim:
    print("NOTE: This is only a simulation!")
    for v in victims:
        print("Remv %s [12.2.0-14]" % v)
    for p in pkgs:
        print("Inst %s (12.2.0-14cross1 Debian:12/stable [amd64])" % p)
    sys.exit(0)
if not (os.environ.get("FAKE_SUDO") == "1" or os.path.exists(os.path.join(D, "as-root"))):
    print("E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)", file=sys.stderr)
    sys.exit(100)
if victims and "--no-remove" in args:
    print("E: Packages need to be removed but remove is disabled.", file=sys.stderr)
    sys.exit(100)
installed = [p for p in installed if p not in victims] + pkgs
open(os.path.join(D, "installed.txt"), "w").write("\n".join(installed) + "\n")
for p in pkgs:  # a cross gcc package puts its compiler on PATH
    if p.startswith("gcc-") and p.count("-") >= 3:
        gcc = os.path.join(D, p[4:].replace("x86-64", "x86_64") + "-gcc")
        open(gcc, "w").write("#!/bin/sh\nexit 0\n")
        os.chmod(gcc, 0o755)
'''

# Like sudo: the environment is reset (so DEBIAN_FRONTEND must be on the
# command line), and the call is recorded.
FAKE_SUDO = r'''#!/bin/sh
echo "$*" >> "${0%/*}/sudo.log"
exec env -i PATH="$PATH" FAKE_SUDO=1 "$@"
'''


class FakeApt:
    def __init__(self, d, installed=(), conflicts=None, race=None, sudo=True, as_root=False):
        self.d = d
        d.mkdir(exist_ok=True)
        self._script("apt-get", FAKE_APT)
        if sudo:
            self._script("sudo", FAKE_SUDO)
        os.symlink("/usr/bin/env", str(d / "env"))
        (d / "installed.txt").write_text("".join(p + "\n" for p in installed))
        (d / "conflicts.json").write_text(json.dumps(conflicts or {}))
        (d / "race.json").write_text(json.dumps(race or {}))
        if as_root:
            (d / "as-root").write_text("")

    def _script(self, name, text):
        p = self.d / name
        p.write_text(text)
        p.chmod(0o755)

    def calls(self):
        p = self.d / "apt.log"
        return [json.loads(ln) for ln in p.read_text().splitlines()] if p.exists() else []

    def real_installs(self):
        return [c for c in self.calls() if "-s" not in c["argv"]]

    def installed(self):
        return (self.d / "installed.txt").read_text().split()

    def sudo_log(self):
        p = self.d / "sudo.log"
        return p.read_text().splitlines() if p.exists() else []


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """make(…) -> FakeApt, the only apt-get, sudo and env on PATH; euid as asked."""
    def make(euid=1000, **kw):
        f = FakeApt(tmp_path / "bin", as_root=(euid == 0), **kw)
        monkeypatch.setenv("PATH", str(f.d))
        monkeypatch.setattr(hostdeps.os, "geteuid", lambda: euid)
        return f
    return make


def test_not_root_installs_through_sudo_with_no_remove(fake):
    f = fake(euid=1000, installed=["gcc-multilib"])
    hostdeps.apt_install(["gcc-sparc64-linux-gnu", "gcc-alpha-linux-gnu"])
    sims = [c for c in f.calls() if "-s" in c["argv"]]
    assert sims and not any(c["sudo"] for c in sims)  # a simulation needs no root
    real, = f.real_installs()
    assert real["sudo"] and real["frontend"] == "noninteractive", real  # survived sudo's env reset
    assert "--no-remove" in real["argv"] and "--no-install-recommends" in real["argv"]
    assert real["argv"][-2:] == ["gcc-alpha-linux-gnu", "gcc-sparc64-linux-gnu"]
    assert len(f.sudo_log()) == 1 and "apt-get install" in f.sudo_log()[0] and "--no-remove" in f.sudo_log()[0]
    assert f.installed() == ["gcc-multilib", "gcc-alpha-linux-gnu", "gcc-sparc64-linux-gnu"]


def test_root_needs_no_sudo(fake):
    f = fake(euid=0)
    hostdeps.apt_install(["gcc-sparc64-linux-gnu"])
    real, = f.real_installs()
    assert not real["sudo"] and "--no-remove" in real["argv"]
    assert f.sudo_log() == []
    assert f.installed() == ["gcc-sparc64-linux-gnu"]


def test_not_root_and_no_sudo_is_an_error(fake):
    f = fake(euid=1000, sudo=False)
    with pytest.raises(UsageError, match=r"needs root \(or sudo\)"):
        hostdeps.apt_install(["gcc-sparc64-linux-gnu"])
    assert f.real_installs() == []


@pytest.mark.parametrize("victim,culprit", [
    ("gcc-multilib", "gcc-i686-linux-gnu"),  # bookworm: gcc-multilib conflicts with every cross gcc
    ("gcc-aarch64-linux-gnu", "gcc-multilib"),  # and the other way round
])
def test_a_removal_is_refused_loudly_and_nothing_is_installed(fake, victim, culprit):
    f = fake(euid=1000, installed=[victim, "make"], conflicts={culprit: victim})
    with pytest.raises(UsageError) as e:
        hostdeps.apt_install([culprit, "gcc-sparc64-linux-gnu"])
    msg = str(e.value)
    assert "would REMOVE installed package(s) %s" % victim in msg, msg
    assert "%s would remove %s" % (culprit, victim) in msg, msg  # which package conflicts
    assert "gcc-sparc64-linux-gnu would remove" not in msg
    assert "nothing was installed" in msg
    assert f.real_installs() == [] and f.sudo_log() == []
    assert f.installed() == [victim, "make"]


def test_no_remove_refuses_a_conflict_that_appears_after_the_simulation(fake):
    # The simulation was clean; by the time of the install a conflict exists.
    # Without --no-remove the fake apt would remove gcc-multilib silently.
    f = fake(euid=0, installed=["gcc-multilib"], race={"gcc-i686-linux-gnu": "gcc-multilib"})
    with pytest.raises(UsageError, match="--no-remove: apt removes nothing"):
        hostdeps.apt_install(["gcc-i686-linux-gnu"])
    assert f.installed() == ["gcc-multilib"]


def test_a_failing_simulation_installs_nothing(fake, tmp_path):
    f = fake(euid=0)
    (f.d / "apt-get").write_text("#!/bin/sh\necho \"$*\" >> %s/apt.args\n"
                                 "echo 'E: Unable to locate package gcc-nope' >&2\nexit 100\n" % f.d)
    with pytest.raises(UsageError, match="E: Unable to locate package gcc-nope.*nothing was installed"):
        hostdeps.apt_install(["gcc-nope"])
    assert all("-s" in ln.split() for ln in (f.d / "apt.args").read_text().splitlines())


def kernel_matrix(f, *args):
    # No real sparc64-linux-gnu-gcc, even where one is installed: the fake
    # apt-get's is the only one.
    env = dict(os.environ, PATH="%s:%s" % (f.d, path_without(f.d.parent, "sparc64-linux-gnu-")))
    return subprocess.run([sys.executable, KM, "--cache", str(f.d.parent / "cache")] + list(args),
                          capture_output=True, text=True, env=env)


def test_install_cross_end_to_end(tmp_path):
    """kernel-matrix --install-cross --check-deps: sparc's compiler is
    installed (--no-remove), then found; nothing else is touched."""
    f = FakeApt(tmp_path / "bin", installed=["gcc-multilib"], as_root=True)
    r = kernel_matrix(f, "--install-cross", "--check-deps", "--config", "sparc:sparc64_defconfig")
    assert "missing cross compilers: none" in r.stderr, r.stderr
    real, = f.real_installs()
    assert "--no-remove" in real["argv"] and real["argv"][-1] == "gcc-sparc64-linux-gnu"
    assert f.installed() == ["gcc-multilib", "gcc-sparc64-linux-gnu"]


def test_install_cross_that_would_remove_gcc_multilib_fails_the_run(tmp_path):
    f = FakeApt(tmp_path / "bin", installed=["gcc-multilib"], conflicts={"gcc-sparc64-linux-gnu": "gcc-multilib"},
                as_root=True)
    r = kernel_matrix(f, "--install-cross", "--check-deps", "--config", "sparc:sparc64_defconfig")
    assert r.returncode == 2, r.stderr
    assert "would REMOVE installed package(s) gcc-multilib" in r.stderr
    assert "gcc-sparc64-linux-gnu would remove gcc-multilib" in r.stderr
    assert f.real_installs() == [] and f.installed() == ["gcc-multilib"]
