"""Results to padguard: manifest fragments (one per run or shard), the
merge of fragments into one manifest per object group, and the one
`padguard check --manifest` that gives the table and the verdict."""

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import urllib.parse

from .util import UsageError, log

FRAGMENT_VERSION = 1


def status_token(status, file=None, line=None):
    """`!STATUS`, or `!STATUS@FILE[:LINE]` when the failure has a place (a
    build's first compiler error): padguard gives it to the config's GitHub
    annotation, JUnit case and JSON `where`.  FILE is percent-encoded (every
    byte but letters, digits and `/._-+~`), so the token is one word whatever
    the name holds (blanks, newlines, `%`, `:`) and its last `:` starts LINE."""
    if not file:
        return "!" + status
    at = urllib.parse.quote(file, safe="/._-+~")
    return "!%s@%s%s" % (status, at, ":%d" % line if line else "")


def status_line(label, failure):
    """`LABEL !STATUS[@FILE[:LINE]] MESSAGE` for padguard's manifest."""
    return "%s %s %s" % (label, status_token(failure.status, failure.file, failure.line), failure.row_message())


def row_label(cfg_label, obj, group_objects):
    return cfg_label if len(group_objects) == 1 else "%s@%s" % (cfg_label, obj)


class Fragment:
    """What one run or shard built: rows per object group, written to OUT/."""

    def __init__(self, out, shard, specs, groups, check_args):
        self.out, self.shard, self.specs = out, shard, specs
        self.groups = [{"objects": g["objects"], "structs": g["structs"], "rows": []} for g in groups]
        self.check_args = check_args

    def add_ok(self, gi, index, label, before_facts, after_facts):
        rel = []
        for side, src in (("before", before_facts), ("after", after_facts)):
            name = "facts/%s.%s.json" % (re.sub(r"[^A-Za-z0-9._+-]", "_", label), side)
            _link(src, os.path.join(self.out, name))
            rel.append(name)
        self.groups[gi]["rows"].append({"index": index, "label": label, "before": rel[0], "after": rel[1]})

    def add_failure(self, gi, index, label, failure):
        row = {"index": index, "label": label, "status": failure.status, "message": failure.row_message()}
        if failure.file:
            row["file"] = failure.file
            if failure.line:
                row["line"] = failure.line
        self.groups[gi]["rows"].append(row)

    def path(self):
        i, n = self.shard
        return os.path.join(self.out, "fragment-%d-of-%d.json" % (i, n))

    def write(self):
        os.makedirs(self.out, exist_ok=True)
        # No source root: declaration paths are relative to the tree already
        # (-fdebug-prefix-map), and so are the first errors' files.  (Version 1
        # fragments of before 2026-12 carry an unused "source_root": ignored.)
        doc = {"kmatrix_fragment": FRAGMENT_VERSION, "shard": list(self.shard), "configs": self.specs,
               "groups": self.groups, "check_args": self.check_args}
        with open(self.path() + ".tmp", "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
        os.replace(self.path() + ".tmp", self.path())
        for gi, g in enumerate(self.groups):
            write_manifest(os.path.join(self.out, "manifest-%d-of-%d.g%d.txt" % (self.shard + (gi,))),
                           g["rows"], self.out, relative=True)
        return self.path()


def manifest_row(row, base, relative):
    if "status" in row:
        return "%s %s %s" % (row["label"], status_token(row["status"], row.get("file"), row.get("line")),
                             row["message"])
    paths = [row[s] if relative else os.path.join(base, row[s]) for s in ("before", "after")]
    return "%s %s %s" % (row["label"], paths[0], paths[1])


def write_manifest(path, rows, base, relative=False):
    with open(path, "w") as f:
        f.write("# kernel-matrix manifest: LABEL BEFORE AFTER, or LABEL !STATUS[@FILE[:LINE]] MESSAGE\n")
        for r in rows:
            f.write(manifest_row(r, base, relative) + "\n")


def load_fragments(dirs):
    """Every fragment-*.json under DIRS; all shards of one matrix, none missing."""
    docs = []
    for d in dirs:
        found = sorted(glob.glob(os.path.join(d, "fragment-*-of-*.json")))
        if not found:
            raise UsageError("--merge %s: no fragment-I-of-N.json there; pass the directories the shards wrote (--out)" % d)
        for p in found:
            with open(p) as f:
                doc = json.load(f)
            if doc.get("kmatrix_fragment") != FRAGMENT_VERSION:
                raise UsageError("%s: not a kernel-matrix fragment of version %d" % (p, FRAGMENT_VERSION))
            doc["_dir"] = os.path.abspath(d)
            doc["_path"] = p
            docs.append(doc)
    first = docs[0]
    for d in docs[1:]:
        for key in ("configs", "check_args"):
            if d[key] != first[key]:
                raise UsageError("%s and %s are shards of different runs (their %s differ)" % (first["_path"], d["_path"], key))
        if [(g["objects"], g["structs"]) for g in d["groups"]] != [(g["objects"], g["structs"]) for g in first["groups"]]:
            raise UsageError("%s and %s check different objects or structs" % (first["_path"], d["_path"]))
    n = first["shard"][1]
    have = sorted(d["shard"][0] for d in docs)
    if any(d["shard"][1] != n for d in docs) or have != list(range(1, n + 1)):
        raise UsageError("--merge: need shards 1..%d of %d exactly once, got %s" % (n, n, have))
    return docs


def merged_groups(docs, workdir):
    """One manifest per object group over all shards, rows in matrix order,
    in WORKDIR with the facts beside it: padguard runs there and sees the
    same relative paths whatever directories the shards wrote."""
    out = []
    facts = os.path.join(workdir, "facts")
    shutil.rmtree(facts, ignore_errors=True)
    os.makedirs(facts)
    for gi, g in enumerate(docs[0]["groups"]):
        rows = []
        for d in docs:
            for r in d["groups"][gi]["rows"]:
                r = dict(r)
                for s in ("before", "after"):
                    if s in r:
                        _link(os.path.join(d["_dir"], r[s]), os.path.join(workdir, r[s]))
                rows.append(r)
        rows.sort(key=lambda r: (r["index"], r["label"]))
        name = "manifest.g%d.txt" % gi
        write_manifest(os.path.join(workdir, name), rows, "", relative=True)
        out.append((g, name, rows))
    return out


def _link(src, dst):
    if not os.path.exists(src):
        raise UsageError("%s is missing; the shard's directory is incomplete (re-download its artifact)" % src)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.exists(dst):
        os.unlink(dst)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def find_padguard(repo_root):
    pg = os.environ.get("PADGUARD") or os.path.join(repo_root, "build", "padguard")
    if os.sep not in pg:
        pg = shutil.which(pg) or pg
    pg = os.path.abspath(pg)  # the check runs in the merge directory: PADGUARD=build/padguard must still work
    if not (os.path.isfile(pg) and os.access(pg, os.X_OK)):
        raise UsageError("padguard binary %s not found (build it: cmake -S . -B build && ninja -C build, or set PADGUARD=...)" % pg)
    return pg


def check_command(pg, manifest, group, check_args, allow_skip):
    cmd = [pg, "check", "--manifest", manifest]
    for s in group["structs"]:
        cmd += ["--no-growth", s]
    if allow_skip:
        cmd += ["--allow-skip", allow_skip]
    return cmd + check_args


def absolute_path_args(args, cwd=None):
    """padguard runs in the merge directory: make file arguments absolute."""
    out, take = [], False
    for a in args:
        if take:
            a, take = os.path.abspath(os.path.join(cwd or os.getcwd(), a)), False
        elif a in ("--junit", "--policy"):
            take = True
        elif a.startswith(("--junit=", "--policy=")):
            k, v = a.split("=", 1)
            a = k + "=" + os.path.abspath(os.path.join(cwd or os.getcwd(), v))
        out.append(a)
    return out


def run_checks(pg, workdir, groups, check_args, allow_skip, stdout=None):
    """One padguard check per object group, run in WORKDIR; exit status = the worst (2 > 1 > 0)."""
    worst = 0
    for gi, (g, manifest, rows) in enumerate(groups):
        if len(groups) > 1:
            print("== objects %s, structs %s ==" % (" ".join(g["objects"]), " ".join(g["structs"])), flush=True)
        cmd = check_command(pg, manifest, g, check_args, allow_skip)
        log("kernel-matrix: " + " ".join(shlex.quote(c) for c in cmd))
        rc = subprocess.run(cmd, stdout=stdout, cwd=workdir).returncode
        worst = 2 if 2 in (rc, worst) or rc not in (0, 1) else max(worst, rc)
    return worst


def validate_allow_skip(value, labels):
    if not value or value == "all":
        return value
    unknown = [x for x in value.split(",") if x not in labels]
    if unknown:
        raise UsageError("--allow-skip %s: no config labelled %s (labels: %s)" % (
            value, ", ".join(unknown), ", ".join(sorted(labels))))
    return value
