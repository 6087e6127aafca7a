"""Host packages a kernel build needs, and apt-get installs that never
remove anything: --no-remove, and a refusal names the conflicting package."""

import os
import re
import shutil
import subprocess

from .arches import get_arch, prefix_of, resolve_cross
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


def apt_install(pkgs):
    pkgs = sorted(set(pkgs))
    if not pkgs:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    base = sudo_prefix() + ["apt-get", "install", "-y", "--no-install-recommends"]
    sim = subprocess.run(base + ["-s"] + pkgs, capture_output=True, text=True, env=env)
    removed = re.findall(r"^Remv (\S+)", sim.stdout, re.M)
    if removed:
        raise UsageError("apt-get install %s would remove %s (a conflict); nothing was installed. Remove the "
                         "conflicting package yourself if you no longer need it" % (" ".join(pkgs), " ".join(removed)))
    log("kernel-matrix: apt-get install --no-remove " + " ".join(pkgs))
    if run(base + ["--no-remove", "-q"] + pkgs, env=env).returncode != 0:
        raise UsageError("apt-get install %s failed (try 'apt-get update' first)" % " ".join(pkgs))
