"""The matrix: ARCH:TARGET[+CONFIG_X=v...] specs, their labels, validation
of ARCH and TARGET against a source tree (before anything is built), and the
share of the configs that one shard (--shard I/N) builds."""

import difflib
import os
import re

from .arches import ARCHES, get_arch
from .util import UsageError

# Targets kbuild itself provides (scripts/kconfig/Makefile) that make
# sense for a reproducible matrix (randconfig does not).
KBUILD_TARGETS = ["defconfig", "tinyconfig", "allnoconfig", "allyesconfig", "allmodconfig", "alldefconfig"]

DEFAULT_CONFIGS = ["x86_64:defconfig", "x86_64:tinyconfig", "i386:i386_defconfig", "arm64:defconfig",
                   "arm:multi_v7_defconfig"]


class Config:
    """One ARCH:TARGET[+CONFIG_X=y...] entry of the matrix."""

    def __init__(self, spec):
        self.spec = spec.strip()
        if ":" not in self.spec:
            raise UsageError("config %r: expected ARCH:TARGET[+CONFIG_X=y...], e.g. arm64:defconfig" % spec)
        arch, rest = self.spec.split(":", 1)
        parts = rest.split("+")
        self.arch, self.target = arch.strip(), parts[0].strip()
        if not self.arch or not self.target:
            raise UsageError("config %r: empty ARCH or TARGET (e.g. arm64:defconfig)" % spec)
        self.extras = [parse_option(spec, p.strip()) for p in parts[1:]]
        self.label = make_label(self.arch, self.target, self.extras)
        self.cross = None  # CROSS_COMPILE prefix once resolved

    def canonical(self):
        """The spec without spelling differences, for cache keys."""
        return "%s:%s%s" % (self.arch, self.target, "".join("+CONFIG_%s=%s" % e for e in self.extras))

    def make_vars(self):
        v = ["ARCH=" + self.arch]
        if self.cross:
            v.append("CROSS_COMPILE=" + self.cross)
        return v


def parse_option(spec, p):
    m = re.fullmatch(r"(?:CONFIG_)?([A-Za-z0-9_]+)(?:=(.*))?", p)
    if not m:
        raise UsageError("config %r: bad option %r (want CONFIG_X=y|n|m|value)" % (spec, p))
    return (m.group(1), m.group(2) if m.group(2) is not None else "y")


def make_label(arch, target, extras):
    label = "%s-%s" % (arch, target)
    for name, val in extras:
        label += "+%s%s" % (name, "" if val == "y" else "=" + val)
    # padguard parses LABEL=OLD:NEW and "LABEL OLD NEW": keep '=', ':' and
    # blanks out of labels.
    return re.sub(r"[^A-Za-z0-9._+-]", "_", label.replace("=", "-"))


def split_list(values, default):
    out = []
    for v in values or default:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def parse_configs(values):
    configs = [Config(s) for s in split_list(values, DEFAULT_CONFIGS)]
    seen = {}
    for c in configs:
        if c.label in seen:
            raise UsageError("configs %r and %r have the same label %s; list each config once"
                             % (seen[c.label], c.spec, c.label))
        seen[c.label] = c.spec
    return configs


def known_targets(tree, srcarch):
    """Config targets of arch/<srcarch>: files in configs/, targets its
    Makefile defines (ppc64le_defconfig), mips' generated generic ones, and
    kbuild's own."""
    names = set(KBUILD_TARGETS)
    cdir = os.path.join(tree, "arch", srcarch, "configs")
    if os.path.isdir(cdir):
        for n in os.listdir(cdir):
            if n.endswith("defconfig") and os.path.isfile(os.path.join(cdir, n)):
                names.add(n)
    mk = os.path.join(tree, "arch", srcarch, "Makefile")
    if os.path.exists(mk):
        text = open(mk, errors="replace").read()
        names.update(re.findall(r"^([A-Za-z0-9_.-]+_defconfig)\s*:", text, re.M))
        if "gen_generic_defconfigs" in text:
            names.update("%s%s%s_defconfig" % (b, r, e) for b in ("32", "64", "micro32")
                         for r in ("r1", "r2", "r6") for e in ("", "el"))
    return names


def nearest(word, choices, n=4):
    return difflib.get_close_matches(word, sorted(choices), n=n, cutoff=0.5)


def validate(configs, tree):
    """Raise UsageError naming every unknown ARCH or TARGET, with the nearest names."""
    problems = []
    for c in configs:
        a = get_arch(c.arch)
        srcarch = a.srcarch if a else c.arch
        if not os.path.isdir(os.path.join(tree, "arch", srcarch)):
            known = sorted(set(ARCHES) | {d for d in os.listdir(os.path.join(tree, "arch"))
                                          if os.path.isdir(os.path.join(tree, "arch", d))})
            problems.append("%s: unknown ARCH %r (nearest: %s)" % (c.spec, c.arch, ", ".join(nearest(c.arch, known)) or "none"))
            continue
        targets = known_targets(tree, srcarch)
        if c.target not in targets:
            near = nearest(c.target, targets)
            problems.append("%s: unknown config target %r for arch/%s (nearest: %s; kbuild targets: %s)" % (
                c.spec, c.target, srcarch, ", ".join(near) or "none", " ".join(KBUILD_TARGETS)))
    if problems:
        raise UsageError("; ".join(problems))


def parse_shard(text):
    m = re.fullmatch(r"(\d+)/(\d+)", text or "")
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise UsageError("--shard %r: expected I/N with 1 <= I <= N, e.g. --shard 2/4" % text)
    return int(m.group(1)), int(m.group(2))


def shard_indices(count, shard):
    """0-based indices of the configs shard (I, N) builds: every N-th from I-1."""
    i, n = shard
    return [k for k in range(count) if k % n == i - 1]
