"""Which object holds a struct's full definition: the header that defines
`struct NAME {` and a translation unit that includes it, first under the
struct's subsystem (from MAINTAINERS), preferring objects built obj-y."""

import os
import re
import subprocess
from dataclasses import dataclass

from .util import UsageError

FALLBACK_DIRS = ["kernel", "mm", "fs", "net", "lib", "block", "security", "drivers"]


@dataclass
class Located:
    struct: str
    header: str  # relative to the tree
    obj: str  # e.g. net/core/dev.o
    why: str


def grep_files(tree, pattern, dirs, include):
    dirs = [d for d in dirs if os.path.isdir(os.path.join(tree, d))]
    if not dirs:
        return []
    r = subprocess.run(["grep", "-rlE", "--include=" + include, pattern] + dirs, cwd=tree,
                       capture_output=True, text=True)
    return sorted(r.stdout.split())


def find_headers(tree, struct, srcarch=None):
    pat = r"^struct[[:space:]]+%s[[:space:]]*\{" % re.escape(struct)
    dirs = ["include"] + (["arch/%s/include" % srcarch] if srcarch else [])
    hits = grep_files(tree, pat, dirs, "*.h")
    if not hits:
        hits = grep_files(tree, pat, ["."], "*.h")
        hits = [h[2:] if h.startswith("./") else h for h in hits]
    # include/linux first: that is where shared kernel types live.
    return sorted(hits, key=lambda h: (not h.startswith("include/linux/"), not h.startswith("include/"), h))


def include_spelling(header):
    """How a .c file includes HEADER: <linux/x.h>, <asm/x.h>, or "x.h"."""
    m = re.match(r"(?:arch/[^/]+/)?include/(?:uapi/)?(.*)$", header)
    return ("<", m.group(1)) if m else ('"', os.path.basename(header))


def maintainers_dirs(tree, header):
    """Directories of the MAINTAINERS sections that list HEADER (file match before directory match)."""
    path = os.path.join(tree, "MAINTAINERS")
    if not os.path.exists(path):
        return []
    exact, by_dir = [], []
    for section in open(path, errors="replace").read().split("\n\n"):
        files = re.findall(r"^F:\s*(\S+)", section, re.M)
        hit = header in files
        hit_dir = any(f.endswith("/") and header.startswith(f) for f in files)
        if not (hit or hit_dir):
            continue
        dirs = [f.rstrip("/") for f in files if f.endswith("/") and not f.startswith(("include/", "Documentation/", "tools/", "arch/"))]
        (exact if hit else by_dir).extend(dirs)
    out = []
    for d in exact + by_dir:
        if d not in out:
            out.append(d)
    return out


def built_obj_y(tree, c_file):
    """Is the object of C_FILE listed as obj-y (built in every config) in its Makefile?"""
    mk = os.path.join(tree, os.path.dirname(c_file), "Makefile")
    if not os.path.exists(mk):
        return False
    text = open(mk, errors="replace").read().replace("\\\n", " ")
    base = re.escape(os.path.basename(c_file)[:-2] + ".o")
    return re.search(r"^obj-y\s*[:+]?=.*(?<![\w-])%s(?![\w-])" % base, text, re.M) is not None


def find_includer(tree, header, dirs):
    kind, spec = include_spelling(header)
    if kind == "<":
        pat = r"^#[[:space:]]*include[[:space:]]*<%s>" % re.escape(spec)
    else:
        pat = r'^#[[:space:]]*include[[:space:]]*"%s"' % re.escape(spec)
    for d in dirs:
        files = grep_files(tree, pat, [d], "*.c")
        if kind == '"':  # a local header is only seen by its neighbours
            files = [f for f in files if os.path.dirname(f) == os.path.dirname(header)]
        if files:
            ranked = sorted(files, key=lambda f: (not built_obj_y(tree, f), f.count("/"), f))
            return ranked[0], d, built_obj_y(tree, ranked[0])
    return None, None, False


def locate(tree, struct, srcarch=None):
    headers = find_headers(tree, struct, srcarch)
    if not headers:
        raise UsageError("--struct %s: no header in %s defines 'struct %s {'; pass --object FILE.o "
                         "(a translation unit that uses it)" % (struct, tree, struct))
    header = headers[0]
    own = [] if header.startswith("include/") or "/include/" in header else [os.path.dirname(header)]
    dirs = own + maintainers_dirs(tree, header)
    dirs += [d for d in FALLBACK_DIRS if d not in dirs]
    c_file, where, obj_y = find_includer(tree, header, dirs)
    if not c_file:
        raise UsageError("--struct %s: defined in %s, but no .c file includes it directly; pass --object FILE.o"
                         % (struct, header))
    why = "defined in %s; %s is the first .c under %s/ that includes it%s" % (
        header, c_file, where, " and is built obj-y" if obj_y else "")
    return Located(struct, header, c_file[:-2] + ".o", why)


def suggest(tree, struct, srcarch=None):
    """'defined in H; try --object X.o' for a struct missing from a built object."""
    try:
        loc = locate(tree, struct, srcarch)
        return "it is defined in %s; try --object %s" % (loc.header, loc.obj)
    except UsageError as e:
        return str(e).split(": ", 1)[-1]


def check_object_source(tree, obj):
    """An object must come from a .c or .S in the tree; else name the nearest ones."""
    if not obj.endswith(".o") or obj.startswith("/") or ".." in obj.split("/"):
        raise UsageError("--object %r: expected a path like kernel/fork.o relative to the kernel tree" % obj)
    stem = os.path.join(tree, obj[:-2])
    if os.path.exists(stem + ".c") or os.path.exists(stem + ".S"):
        return
    d = os.path.dirname(stem)
    near = []
    if os.path.isdir(d):
        import difflib
        srcs = [f[:-2] + ".o" for f in os.listdir(d) if f.endswith((".c", ".S"))]
        near = [os.path.join(os.path.dirname(obj), n) for n in difflib.get_close_matches(os.path.basename(obj), srcs, 4, 0.5)]
    raise UsageError("--object %s: no %s.c or .S in %s (nearest: %s)" % (obj, obj[:-2], tree, ", ".join(near) or "none"))
