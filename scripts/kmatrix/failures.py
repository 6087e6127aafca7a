"""What went wrong with a config, as one manifest status row: BUILD-FAILED
with the first compiler error (file:line, relative to the source tree) and
the log path, SKIPPED with the package to install, or ERROR."""

import os
import re
from dataclasses import dataclass
from typing import Optional

# gcc/clang: "path:line[:col]: [fatal ]error: message"
_CC_ERROR = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)?: (?:fatal )?error: (?P<msg>.*)$")
# errors without a location: "gcc: error: ...", "ld: ...: error ...", kbuild's "***"
_OTHER = [re.compile(p) for p in (r"^\S*(?:gcc|cc1|as|ld)(?:-\d+)?: (?:fatal )?error: .*$",
                                  r"^\S*: Error: .*$",
                                  r"^make(?:\[\d+\])?: \*\*\* No rule to make target .*$",
                                  r"^\*\*\* .*$")]


@dataclass
class Failure:
    status: str  # build-failed | skipped | error
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    log: Optional[str] = None

    def row_message(self):
        msg = self.message + (" (log: %s)" % self.log if self.log else "")
        return " ".join(msg.split())  # one line


def relative_to(path, roots):
    for r in roots:
        r = r.rstrip("/") + "/"
        if path.startswith(r):
            return path[len(r):]
    return path


def first_error(text, roots=(), cwd=None):
    """The first compiler error in a build log, else the first other error line.
    Relative file names are relative to CWD (the O= dir: '../include/...')."""
    lines = text.splitlines()
    for ln in lines:
        m = _CC_ERROR.match(ln)
        if m:
            f = m.group("file")
            if cwd and not os.path.isabs(f):
                f = os.path.normpath(os.path.join(cwd, f))
            f = relative_to(f, roots)
            return f, int(m.group("line")), "%s:%s: error: %s" % (f, m.group("line"), m.group("msg").strip())
    for ln in lines:
        for pat in _OTHER:
            if pat.match(ln):
                return None, None, relative_to(ln.strip(), roots)
    return None, None, None


def classify_build(side, what, log_text, log_path, roots=(), cwd=None):
    """A failed make step of SIDE ('before'/'after') -> Failure(build-failed)."""
    f, line, msg = first_error(log_text, roots, cwd)
    if msg is None:
        tail = [ln for ln in log_text.splitlines() if ln.strip() and not ln.startswith("#")][-1:]
        msg = "%s failed%s" % (what, (": " + tail[0].strip()) if tail else "")
    return Failure("build-failed", "%s: %s" % (side, msg), f, line, log_path)


def missing_compiler(reason, package):
    msg = reason if package is None or package in reason else "%s; install %s" % (reason, package)
    if package:
        msg += " (apt-get install %s, or kernel-matrix --install-cross)" % package
    return Failure("skipped", msg)
