"""Small helpers shared by the kmatrix modules: logging, commands, hashing,
and the one error type that ends a run with exit 2 (usage or input error)."""

import hashlib
import shlex
import subprocess
import sys
import time

VERBOSE = False


class UsageError(Exception):
    """A problem with the request or the inputs: one line, exit 2."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def fmt_secs(s):
    if s < 10:
        return "%.1fs" % s
    s = int(round(s))
    return "%dm%02ds" % (s // 60, s % 60) if s >= 60 else "%ds" % s


def run(cmd, **kw):
    """A helper command (apt-get, patch, tar, cp, make): its output goes to
    stderr unless captured, because stdout is the check's report (text,
    JSON, markdown) that scripts read."""
    if VERBOSE:
        log("+ " + " ".join(shlex.quote(str(c)) for c in cmd))
    if "stdout" not in kw and not kw.get("capture_output"):
        kw["stdout"] = sys.stderr
    return subprocess.run(cmd, **kw)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def short_hash(text, n=12):
    return hashlib.sha256(text.encode()).hexdigest()[:n]


class Progress:
    """One line per config and stage, with the stage's elapsed time."""

    def __init__(self, total):
        self.total = total

    def stage(self, index, label, stage, seconds, detail=""):
        tail = " (%s)" % detail if detail else ""
        log("[%d/%d] %s: %-7s %6s%s" % (index, self.total, label, stage, fmt_secs(seconds), tail))


class Timer:
    def __init__(self):
        self.t0 = time.monotonic()

    def lap(self):
        t, self.t0 = self.t0, time.monotonic()
        return self.t0 - t
