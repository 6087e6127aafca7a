"""Build kernel objects for one config and one side (before/after): make
the config target, force DWARF 5 with scripts/config, olddefconfig, then
`make OBJ...` out of tree; store each object in its cache entry.  A failed
step raises BuildFailed carrying the classified first error."""

import datetime
import json
import os
import re
import shlex
import shutil
import subprocess

from . import failures
from .cache import DEBUG_OPTS, kcflags
from . import util
from .util import run


class BuildFailed(Exception):
    def __init__(self, failure):
        super().__init__(failure.message)
        self.failure = failure


def read_config(path):
    vals = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"CONFIG_([A-Za-z0-9_]+)=(.*)", line)
            if m:
                vals[m.group(1)] = m.group(2).strip()
                continue
            m = re.match(r"# CONFIG_([A-Za-z0-9_]+) is not set", line)
            if m:
                vals[m.group(1)] = "n"
    return vals


def c_locale_env(environ=None):
    """The environment for make: C locale, so compiler messages have ASCII
    quotes and read the same on every machine (shards on machines with
    different locales merge to the same bytes).  LC_ALL alone is not enough:
    the kernel's Makefile does `unexport LC_ALL`, and gcc then follows LANG
    or LC_CTYPE (C.UTF-8 gives ‘;’)."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items()
           if not k.startswith("LC_") and k != "LANGUAGE"}
    env.update(LC_ALL="C", LANG="C")
    return env


class Side:
    """Make steps for one (config, tree) in its O= dir, logged to one file."""

    def __init__(self, cfg, side, tree, bdir, log_path, nice):
        self.cfg, self.side, self.tree, self.bdir, self.log_path = cfg, side, tree, bdir, log_path
        in_tree = os.path.dirname(bdir.rstrip("/")) == tree.path.rstrip("/")
        prefix = "../" if in_tree else tree.path.rstrip("/") + "/"
        self.mk = ["nice", "-n", str(nice), "make", "V=1" if util.VERBOSE else "-s", "-C", tree.path,
                   "O=" + bdir, "KCFLAGS=" + kcflags(prefix)] + cfg.make_vars()
        os.makedirs(bdir, exist_ok=True)
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, "w") as f:
            f.write("# kernel-matrix %s %s (%s), %s\n" % (cfg.spec, side, tree.desc,
                                                         datetime.datetime.now().isoformat(timespec="seconds")))

    def step(self, args, what):
        with open(self.log_path, "a") as lf:
            lf.write("\n# " + " ".join(shlex.quote(a) for a in args) + "\n")
            lf.flush()
            start = lf.tell()
            r = run(args, stdout=lf, stderr=subprocess.STDOUT, env=c_locale_env())
        if r.returncode != 0:
            with open(self.log_path, errors="replace") as lf:
                lf.seek(start)
                text = lf.read()
            raise BuildFailed(failures.classify_build(self.side, "%s (exit %d)" % (what, r.returncode), text,
                                                      self.log_path, roots=[self.tree.path, self.bdir],
                                                      cwd=self.bdir))

    def fail(self, msg):
        raise BuildFailed(failures.Failure("build-failed", "%s: %s" % (self.side, msg), log=self.log_path))

    def prepare(self, rebuild):
        """Write .config unless the O= dir already has it for this spec; return a note."""
        dotconfig = os.path.join(self.bdir, ".config")
        stamp = os.path.join(self.bdir, ".padguard-config")
        want = json.dumps([self.cfg.canonical(), self.cfg.cross, DEBUG_OPTS])
        if not rebuild and os.path.exists(dotconfig) and os.path.exists(stamp) and open(stamp).read() == want:
            return "reused .config"
        self.step(self.mk + [self.cfg.target], "make " + self.cfg.target)
        plain = read_config(dotconfig)
        self.step(self.scripts_config(dotconfig), "scripts/config")
        self.step(self.mk + ["olddefconfig"], "make olddefconfig")
        vals = read_config(dotconfig)
        if vals.get("DEBUG_INFO_DWARF5") != "y":
            self.fail("CONFIG_DEBUG_INFO_DWARF5=y did not stick after olddefconfig (compiler or assembler too old?)")
        notes = []
        for name, val in self.cfg.extras:
            got = vals.get(name, "n")
            if got.strip('"') != val.strip('"'):
                notes.append("CONFIG_%s=%s requested but .config has %s (unmet dependencies?)" % (name, val, got))
        forced = ["%s (was %s)" % (k, plain.get(k, "n")) for k in sorted(set(vals) | set(plain))
                  if vals.get(k, "n") != plain.get(k, "n") and not k.startswith(("DEBUG_INFO", "PAHOLE_"))]
        if forced:
            notes.append("besides DWARF 5, changed from plain %s: %s" % (self.cfg.target, ", ".join(
                "CONFIG_%s=%s" % (f.split(" ")[0], vals.get(f.split(" ")[0], "n")) for f in forced)))
        with open(stamp, "w") as f:
            f.write(want)
        return "; ".join(notes) or "configured"

    def scripts_config(self, dotconfig):
        sc = [os.path.join(self.tree.path, "scripts", "config"), "--file", dotconfig]
        flag = {"y": "--enable", "n": "--disable", "m": "--module"}
        for name, val in self.cfg.extras + DEBUG_OPTS:
            sc += [flag[val], name] if val in flag else ["--set-val", name, val]
        return sc

    def make_objects(self, objects, entries, jobs):
        for e in entries:
            shutil.rmtree(e.dir, ignore_errors=True)
        self.step(self.mk + ["-j%d" % jobs] + objects, "make " + " ".join(objects))
        for obj, e in zip(objects, entries):
            built = os.path.join(self.bdir, obj)
            if not os.path.exists(built):
                self.fail("make succeeded but %s is missing" % built)
            os.makedirs(e.dir, exist_ok=True)
            shutil.copy2(built, e.obj)
            with open(e.meta, "w") as f:  # written last: the entry is complete
                json.dump({"config": self.cfg.canonical(), "cross": self.cfg.cross, "tree": self.tree.state,
                           "object": obj, "log": self.log_path}, f)


def seed_from(before_bdir, after_bdir, after_tree):
    """Start the after O= dir as a copy of the before one (both one level
    below their trees, so every recorded path is relative), then touch the
    files the change touched: Kbuild rebuilds exactly what depends on them."""
    if not os.path.exists(os.path.join(before_bdir, ".padguard-config")) or after_tree.changed is None:
        return False
    shutil.rmtree(after_bdir, ignore_errors=True)
    if run(["cp", "-a", before_bdir, after_bdir]).returncode != 0:
        shutil.rmtree(after_bdir, ignore_errors=True)
        return False
    for rel in after_tree.changed:
        p = os.path.join(after_tree.path, rel)
        if os.path.exists(p):
            os.utime(p)
    return True


def link_alone(linker, obj, out):
    """OBJ linked by itself into OUT, so that LINKER applies the relocations
    of its debug sections (its code's unresolved symbols are ignored; only
    the DWARF is read).  Returns an error line or None."""
    r = run([linker, "--noinhibit-exec", "--unresolved-symbols=ignore-all", "-e", "0", "-o", out, obj],
            capture_output=True, text=True)
    if not os.path.isfile(out) or os.path.getsize(out) == 0:
        err = [ln for ln in r.stderr.splitlines() if ln.strip()]
        return "%s could not link %s alone for its DWARF: %s" % (linker, obj, err[-1] if err else "no output")
    return None


def extract_facts(padguard, entry, linker=None):
    """padguard extract OBJECT -o facts.json.  Returns (error or None, note).
    elfutils 0.188 has no MIPS relocation backend, so libdw cannot read a
    MIPS .o: then padguard's libdwarf reader is used, and the note says so.
    With LINKER (arches whose .o relocations neither reader applies: sh,
    arc), the facts come from the object linked alone, and a stamp beside
    them says so."""
    tmp = entry.facts + ".tmp"
    src, note = entry.obj, ""
    if linker:
        src = entry.obj + ".linked"
        err = link_alone(linker, entry.obj, src)
        if err:
            return err, ""
        note = "facts read from the object linked alone by %s (neither libdw nor libdwarf relocates this " \
               "machine's .o)" % linker
    try:
        r = run([padguard, "extract", src, "-o", tmp], capture_output=True, text=True)
        if r.returncode != 0 and "no support library found for machine" in r.stderr:
            r = run([padguard, "extract", "--backend", "libdwarf", src, "-o", tmp], capture_output=True, text=True)
            note = "libdw cannot relocate this machine's objects: facts read with --backend libdwarf"
    finally:
        if linker and os.path.exists(src):
            os.unlink(src)
    if r.returncode != 0:
        return (r.stderr.strip().splitlines() or ["padguard extract failed"])[0], note
    os.replace(tmp, entry.facts)
    if linker:
        with open(entry.facts_via, "w") as f:
            f.write(linker)
    return None, note


def struct_names(facts_path):
    """Names of the records in a facts file; a sidecar list saves parsing
    the JSON (~1 MB for kernel/fork.o) on warm runs."""
    side = facts_path + ".names"
    if os.path.exists(side) and os.path.getmtime(side) >= os.path.getmtime(facts_path):
        with open(side) as f:
            return set(f.read().split("\n"))
    with open(facts_path) as f:
        doc = json.load(f)
    # facts v2: "records" index "record_table"; v1 indexed "types".
    table = doc.get("record_table", doc.get("types", []))
    names = {table[i].get("name") or "" for i in doc.get("records", [])}
    with open(side + ".tmp", "w") as f:
        f.write("\n".join(sorted(names)))
    os.replace(side + ".tmp", side)
    return names
