"""Cache keys and paths.  An object is stored under a key of (tree state,
which includes the patch; config; compiler; forced debug options; object
path), so results of different objects, patches and configs sit side by
side and never overwrite each other.  Build (O=) dirs are per tree
location and config, so Kbuild rebuilds incrementally."""

import json
import os
from dataclasses import dataclass, field

from .util import short_hash

KEY_VERSION = 3  # bump when the layout of an entry changes

# Options forced on every config so that the object carries full DWARF 5
# type information.  DEBUG_KERNEL is needed because the "Debug information"
# choice depends on it (tinyconfig does not have it).
DEBUG_OPTS = [
    ("DEBUG_KERNEL", "y"),
    ("DEBUG_INFO_NONE", "n"),
    ("DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT", "n"),
    ("DEBUG_INFO_DWARF4", "n"),
    ("DEBUG_INFO_DWARF5", "y"),
    ("DEBUG_INFO", "y"),
    ("DEBUG_INFO_REDUCED", "n"),  # reduced info drops struct members
    ("DEBUG_INFO_SPLIT", "n"),  # would move DWARF into .dwo files
    ("DEBUG_INFO_BTF", "n"),  # only matters for vmlinux; avoid pahole deps
]


# Declaration paths in DWARF relative to the source tree (include/linux/sched.h),
# wherever the tree is: portable facts, and annotations that point into the
# user's tree rather than the cache.  Only debug strings change.
def kcflags(srctree_prefix):
    return "-fdebug-prefix-map=%s=" % srctree_prefix


def object_key(tree_state, config_canonical, cross, obj):
    blob = json.dumps([KEY_VERSION, tree_state, config_canonical, cross, DEBUG_OPTS, obj, kcflags("SRC/")])
    return short_hash(blob, 20)


@dataclass
class Entry:
    """One cached object: <cache>/obj/<key>/{object.o,facts.json,meta.json}."""
    dir: str

    @property
    def obj(self):
        return os.path.join(self.dir, "object.o")

    @property
    def facts(self):
        return os.path.join(self.dir, "facts.json")

    @property
    def meta(self):
        return os.path.join(self.dir, "meta.json")

    def complete(self):
        return os.path.exists(self.meta) and os.path.exists(self.obj)

    @property
    def facts_via(self):
        """Stamp beside facts read from a linked copy of the object: names the linker."""
        return self.facts + ".via"

    def has_facts(self, via=None):
        """Facts newer than the object; read through linker VIA when given
        (facts read from the bare .o of such an arch are wrong: not reused)."""
        if not (os.path.exists(self.facts) and os.path.getmtime(self.facts) >= os.path.getmtime(self.obj)):
            return False
        if via is None:
            return True
        try:
            with open(self.facts_via) as f:
                return f.read() == via
        except OSError:
            return False


@dataclass
class Cache:
    root: str
    counts: dict = field(default_factory=lambda: {"objects reused": 0, "objects built": 0,
                                                   "facts reused": 0, "facts extracted": 0})

    def entry(self, tree_state, cfg, obj):
        return Entry(os.path.join(self.root, "obj", object_key(tree_state, cfg.canonical(), cfg.cross, obj)))

    def build_dir(self, tree, cfg):
        """O= dir.  In a tree the cache owns it sits one level below the source
        (Kbuild then writes srctree as '..', so the before dir can be copied
        to the after tree and rebuilt incrementally); else under the cache."""
        name = "%s-%s" % (cfg.label, short_hash(cfg.canonical() + "\0" + str(cfg.cross), 8))
        if tree.owned:
            return os.path.join(tree.path, ".kmx-" + name)
        return os.path.join(self.root, "build", short_hash(os.path.realpath(tree.path)), name)

    def log_path(self, tree_state, cfg, side):
        return os.path.join(self.root, "logs", short_hash(tree_state), "%s.%s.log" % (cfg.label, side))

    def count(self, what, n=1):
        self.counts[what] += n

    def summary(self):
        c = self.counts
        return "cache: %d/%d objects reused, %d built; facts %d reused, %d extracted" % (
            c["objects reused"], c["objects reused"] + c["objects built"], c["objects built"],
            c["facts reused"], c["facts extracted"])
