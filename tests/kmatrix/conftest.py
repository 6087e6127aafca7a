"""pytest set-up for the kernel-matrix tests: scripts/ on sys.path (for the
kmatrix package) and a fake kernel tree fixture (faketree.py)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "scripts"))
sys.path.insert(0, HERE)


def path_without(tmp, *prefixes):
    """A directory to use as PATH that has every program of today's PATH
    (symlinks, first match wins) except those whose name starts with one of
    PREFIXES: a test that needs a cross compiler missing runs the same on a
    machine that has it installed."""
    shadow = os.path.join(str(tmp), "path-without-" + "-".join(p.rstrip("-") for p in prefixes))
    os.makedirs(shadow, exist_ok=True)
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            dst = os.path.join(shadow, name)
            if name.startswith(prefixes) or os.path.lexists(dst):
                continue
            os.symlink(os.path.join(d, name), dst)
    return shadow
