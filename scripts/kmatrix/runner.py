"""One config of the matrix through its three stages: prepare (compiler,
.config of both sides), build (make the objects of both sides, or reuse
the cache), check (facts of every object, every struct present).  The
outcome is one manifest row per object group: facts, or a status."""

import os
import shutil

from . import failures, locate
from .arches import get_arch, resolve_cross
from .build import BuildFailed, Side, extract_facts, seed_from, struct_names
from .report import row_label
from .util import Timer


class ConfigRun:
    def __init__(self, ctx, index, cfg):
        self.ctx, self.index, self.cfg = ctx, index, cfg
        self.objects = [o for g in ctx.groups for o in g["objects"] if o]
        self.objects = list(dict.fromkeys(self.objects))
        self.entries = {}  # (side, obj) -> Entry

    def progress(self, stage, timer, detail=""):
        self.ctx.progress.stage(self.ctx.position[self.index], self.cfg.label, stage, timer.lap(), detail)

    def run(self):
        """Return a Failure (for every group) or None; rows go to ctx.fragment.
        Anything unexpected in one config (an unreadable cache file, a tool
        that vanished) is that config's ERROR row, never a lost row."""
        t = Timer()
        try:
            return self.stages(t)
        except (OSError, ValueError, UnicodeError) as e:
            msg = "%s: %s" % (type(e).__name__, e)
            self.progress(getattr(self, "stage", "prepare"), t, "ERROR: " + msg)
            return self.record_failure(failures.Failure("error", msg))

    def stages(self, t):
        choice = resolve_cross(self.cfg.arch)
        if choice.prefix is None:
            f = failures.missing_compiler(choice.reason, choice.package)
            self.progress("prepare", t, "SKIPPED: " + f.message)
            return self.record_failure(f)
        self.cfg.cross = choice.prefix
        self.stage = "prepare"
        try:
            self.build(t)
        except BuildFailed as e:
            self.progress(self.stage, t, "BUILD-FAILED: " + e.failure.message)
            return self.record_failure(e.failure)
        return self.check(t)

    def build(self, t):
        """prepare and build stages for both sides; the after side starts from
        a copy of the before O= dir when both trees belong to the cache."""
        (b_side, b_missing), (a_side, a_missing) = self.sides()
        share = a_missing and self.ctx.before.owned and self.ctx.after.owned and self.ctx.after.changed is not None
        notes = [b_side.prepare(self.ctx.args.rebuild)] if b_missing else []
        if a_missing and not share:
            notes.append(a_side.prepare(self.ctx.args.rebuild))
        if share:
            notes.append("after: starts from the before O= dir")
        self.progress("prepare", t, "; ".join(dict.fromkeys(notes)) if notes else "all objects cached")
        self.stage = "build"
        if b_missing:
            b_side.make_objects(b_missing, [self.entries[("before", o)] for o in b_missing], self.ctx.args.jobs)
        if a_missing:
            bdir = self.ctx.cache.build_dir(self.ctx.before, self.cfg)
            if share and seed_from(bdir, a_side.bdir, self.ctx.after):
                a_side.prepare(False)
            elif share:
                a_side.prepare(self.ctx.args.rebuild)
            a_side.make_objects(a_missing, [self.entries[("after", o)] for o in a_missing], self.ctx.args.jobs)
        built = len(b_missing) + len(a_missing)
        self.ctx.cache.count("objects built", built)
        self.ctx.cache.count("objects reused", 2 * len(self.objects) - built)
        self.progress("build", t, "%d built, %d cached%s" % (built, 2 * len(self.objects) - built,
                                                            ", after seeded from before" if share else ""))

    def sides(self):
        """[(Side or None, objects to build)] for before and after."""
        out = []
        for name, tree in (("before", self.ctx.before), ("after", self.ctx.after)):
            cache = self.ctx.cache
            bdir = cache.build_dir(tree, self.cfg)
            missing = []
            for obj in self.objects:
                e = cache.entry(tree.state, self.cfg, obj)
                self.entries[(name, obj)] = e
                if self.ctx.args.rebuild or not e.complete():
                    missing.append(obj)
            if self.ctx.args.rebuild:
                shutil.rmtree(bdir, ignore_errors=True)
            side = Side(self.cfg, name, tree, bdir, cache.log_path(tree.state, self.cfg, name),
                        self.ctx.args.nice) if missing else None
            out.append((side, missing))
        return out

    def linker(self):
        """The cross ld that links an object alone for its DWARF, on arches
        whose .o relocations padguard's readers cannot apply; else None."""
        a = get_arch(self.cfg.arch)
        return (self.cfg.cross or "") + "ld" if a and a.link_for_dwarf else None

    def check(self, t):
        notes = []
        linker = self.linker()
        for e in self.entries.values():
            if e.has_facts(linker):
                self.ctx.cache.count("facts reused")
                continue
            err, note = extract_facts(self.ctx.padguard, e, linker)
            notes.append(note)
            self.ctx.cache.count("facts extracted")
            if err:
                self.progress("check", t, "ERROR: " + err)
                return self.record_failure(failures.Failure("error", err))
        problems = 0
        for gi, g in enumerate(self.ctx.groups):
            for obj in g["objects"]:
                label = row_label(self.cfg.label, obj, g["objects"])
                b, a = self.entries[("before", obj)], self.entries[("after", obj)]
                f = self.missing_structs(g["structs"], obj, b, a)
                if f:
                    problems += 1
                    self.ctx.fragment.add_failure(gi, self.index, label, f)
                else:
                    self.ctx.fragment.add_ok(gi, self.index, label, b.facts, a.facts)
                    self.ctx.objfiles.append((label, b.obj, a.obj))
        detail = "%d row(s) with errors" % problems if problems else "facts ready"
        self.progress("check", t, "; ".join([detail] + [n for n in dict.fromkeys(notes) if n]))
        return None

    def missing_structs(self, structs, obj, before, after):
        have_b, have_a = struct_names(before.facts), struct_names(after.facts)
        gone = [s for s in structs if s not in have_b and s not in have_a]
        if not gone:
            return None
        srcarch = self.ctx.srcarch(self.cfg)
        hints = "; ".join("struct %s: %s" % (s, locate.suggest(self.ctx.after.path, s, srcarch)) for s in gone)
        return failures.Failure("error", "%s not found in %s (before nor after, %s): %s" % (
            ", ".join("struct " + s for s in gone), obj, self.cfg.spec, hints))

    def record_failure(self, f):
        for gi, g in enumerate(self.ctx.groups):
            for obj in g["objects"]:
                self.ctx.fragment.add_failure(gi, self.index, row_label(self.cfg.label, obj, g["objects"]), f)
        return f
