"""Optional --pahole summary: size, holes and tail padding per config and
struct from pahole 1.24, beside padguard's own table."""

import re
import shutil
import subprocess

from .util import log


def summary(obj, struct):
    r = subprocess.run(["pahole", "-F", "dwarf", "-c", "64", "-C", struct, obj], capture_output=True, text=True)
    text = r.stdout
    sizes = re.findall(r"/\* size: (\d+), cachelines: (\d+), members: (\d+) \*/", text)
    if not sizes:
        return {"error": (r.stderr.strip() or "struct not found")}
    tail = text[text.rfind("/* size: "):]  # the outermost struct's summary is the last one
    holes = re.search(r"sum members: \d+(?:, holes: (\d+), sum holes: (\d+))?", tail)
    pad = re.search(r"/\* padding: (\d+) \*/", tail)
    return {"size": int(sizes[-1][0]), "holes": int(holes.group(1) or 0) if holes else 0,
            "sum_holes": int(holes.group(2) or 0) if holes else 0, "padding": int(pad.group(1)) if pad else 0}


def print_table(pairs, structs):
    if not shutil.which("pahole"):
        log("kernel-matrix: pahole not installed; no pahole summary")
        return
    w = max([len("config")] + [len(p[0]) for p in pairs])
    sw = max([len("struct")] + [len(s) for s in structs])
    row = "%%-%ds  %%-%ds  %%-20s  %%-22s  %%s" % (w, sw)
    print("pahole -F dwarf -c 64 summary (before -> after):")
    print(row % ("config", "struct", "size (delta)", "holes (bytes)", "tail padding"))
    for label, before, after in pairs:
        for s in structs:
            a, b = summary(before, s), summary(after, s)
            if "error" in a or "error" in b:
                print(row % (label, s, "error: " + (a.get("error") or b.get("error")), "", ""))
                continue
            print(row % (label, s, "%d -> %d (%+d)" % (a["size"], b["size"], b["size"] - a["size"]),
                         "%d (%d) -> %d (%d)" % (a["holes"], a["sum_holes"], b["holes"], b["sum_holes"]),
                         "%d -> %d" % (a["padding"], b["padding"])))
