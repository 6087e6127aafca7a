"""Host packages a kernel build needs, and apt-get installs that never
remove anything: --no-remove, and a refusal names the conflicting package."""

import os
import re
import shutil
import subprocess

from .arches import resolve_cross
from .util import UsageError, log, run

HOST_DEPS = [
    ("build-essential", lambda: shutil.which("gcc") and shutil.which("make")),
    ("flex", lambda: shutil.which("flex")),
    ("bison", lambda: shutil.which("bison")),
    ("bc", lambda: shutil.which("bc")),
    ("libelf-dev", lambda: os.path.exists("/usr/include/gelf.h") or os.path.exists("/usr/include/libelf/gelf.h")),
    ("libssl-dev", lambda: os.path.exists("/usr/include/openssl/ssl.h")),
    ("patch", lambda: shutil.which("patch")),
    ("xz-utils", lambda: shutil.which("xz")),
]


def missing_host(need_dpkg):
    missing = [pkg for pkg, ok in HOST_DEPS if not ok()]
    if need_dpkg and not shutil.which("dpkg-deb"):
        missing.append("dpkg")
    return missing


def missing_cross(configs):
    pkgs = []
    for c in configs:
        choice = resolve_cross(c.arch)
        if choice.prefix is None and choice.package and choice.package not in pkgs:
            pkgs.append(choice.package)
    return pkgs


def sudo_prefix():
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        return ["sudo"]
    raise UsageError("installing packages needs root (or sudo)")


# sudo resets the environment: the variable goes on the command line.
APT_INSTALL = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "--no-install-recommends"]


def would_remove(pkgs):
    """(packages `apt-get -s install PKGS` would remove, apt's error or None).
    The simulation needs no root, and is run without --no-remove so that apt
    lists what it would remove instead of only refusing."""
    sim = subprocess.run(APT_INSTALL + ["-s"] + pkgs, capture_output=True, text=True)
    removed = re.findall(r"^Remv (\S+)", sim.stdout, re.M)
    if sim.returncode != 0 and not removed:
        errs = [ln for ln in (sim.stdout + sim.stderr).splitlines() if ln.startswith("E:")]
        return [], (errs or ["apt-get -s exit %d" % sim.returncode])[0]
    return removed, None


def apt_install(pkgs):
    """Install PKGS, never removing anything: a simulation first, and if apt
    would remove a package (gcc-multilib vs the cross compilers on bookworm)
    nothing is installed and the error names each conflict; the install
    itself has --no-remove, so apt refuses rather than removes if the
    system changed in between."""
    pkgs = sorted(set(pkgs))
    if not pkgs:
        return
    removed, err = would_remove(pkgs)
    if err:
        raise UsageError("apt-get install %s would fail: %s (try 'apt-get update' first); nothing was installed"
                         % (" ".join(pkgs), err))
    if removed:
        culprits = []
        for p in pkgs:
            gone = would_remove([p])[0]
            if gone:
                culprits.append("%s would remove %s" % (p, ", ".join(gone)))
        raise UsageError("refusing to install: apt-get install %s would REMOVE installed package(s) %s (%s); "
                         "nothing was installed and nothing removed. Remove the conflicting package yourself "
                         "if you no longer need it, or install without it" % (
                             " ".join(pkgs), " ".join(removed), "; ".join(culprits) or "a conflict"))
    cmd = sudo_prefix() + APT_INSTALL + ["--no-remove", "-q"] + pkgs
    log("kernel-matrix: " + " ".join(cmd))
    if run(cmd).returncode != 0:
        raise UsageError("%s failed; --no-remove: apt removes nothing, so a conflict that appeared since the "
                         "simulation makes it refuse (see apt's message above; or try 'apt-get update' first)"
                         % " ".join(cmd))
