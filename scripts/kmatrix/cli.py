"""kernel-matrix's command line and its main list of steps."""

import argparse
import dataclasses
import os
import sys
import time

from . import config, hostdeps, locate, report, trees, util
from .arches import get_arch
from .cache import Cache
from .runner import ConfigRun
from .util import UsageError, log, fmt_secs, short_hash

SCRIPTS_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
DEFAULT_PATCH = os.path.join(SCRIPTS_DIR, "patches", "rcu_users-extraction.patch")
DEFAULT_BEFORE_PATCH_612 = os.path.join(SCRIPTS_DIR, "patches", "rcu_users-union-6.12.patch")
DEFAULT_PACKAGE = "linux-source-6.1"
DEFAULT_STRUCT, DEFAULT_OBJECT = "task_struct", "kernel/fork.o"


def parse_args(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(
        prog="kernel-matrix",
        description="Build kernel objects before/after a change for several configs and check struct "
                    "layouts with padguard. Every requested config appears in the result: its verdict, or "
                    "BUILD-FAILED, SKIPPED or ERROR, each of which makes the run exit 2 unless --allow-skip.",
        epilog="Arguments after -- go to 'padguard check' (e.g. -- --format github --junit r.xml). "
               "Environment: PADGUARD_CACHE, PADGUARD (binary), PADGUARD_CROSS_<ARCH> (CROSS_COMPILE). "
               "See docs/KERNEL-MATRIX.md.")
    src = ap.add_argument_group("trees (before and after)")
    src.add_argument("--src", metavar="DIR", help="kernel source tree (default: Debian's --source-package)")
    src.add_argument("--source-package", default=DEFAULT_PACKAGE, metavar="PKG",
                     help="Debian package without --src/--git: linux-source-6.1 (default) or linux-source-6.12")
    src.add_argument("--git", metavar="BASE..HEAD|REV",
                     help="compare two commits of the git checkout --src (default .); REV means REV~1..REV")
    g = src.add_mutually_exclusive_group()
    g.add_argument("--patch", metavar="FILE", help="patch (-p1) that makes the after tree (default "
                                                  "scripts/patches/rcu_users-extraction.patch)")
    g.add_argument("--after-src", metavar="DIR", help="ready-made after tree")
    src.add_argument("--before-patch", metavar="FILE",
                     help="patch applied to the before tree (default for linux-source-6.12: "
                          "rcu_users-union-6.12.patch, since 6.12 already has the seed change)")
    what = ap.add_argument_group("what to build and check")
    what.add_argument("--config", action="append", metavar="ARCH:TARGET[+CONFIG_X=y...]",
                      help="repeatable or comma-separated (default: %s)" % ",".join(config.DEFAULT_CONFIGS))
    what.add_argument("--object", action="append", metavar="PATH.o",
                      help="repeatable; default kernel/fork.o, or with --struct the object found for it")
    what.add_argument("--struct", action="append", metavar="NAME",
                      help="struct(s) that must not grow; repeatable or comma list (default task_struct)")
    what.add_argument("--allow-skip", metavar="LABEL[,LABEL...]|all",
                      help="configs whose BUILD-FAILED/SKIPPED/ERROR row does not fail the run")
    dist = ap.add_argument_group("past one machine")
    dist.add_argument("--shard", metavar="I/N", help="build only every N-th config from the I-th and write a "
                                                     "fragment (facts + manifest) to --out; no check")
    dist.add_argument("--out", metavar="DIR", help="where the fragment goes (default <cache>/runs/<hash>)")
    dist.add_argument("--merge", nargs="+", metavar="DIR", help="merge the fragments of all shards and check")
    ap.add_argument("--cache", metavar="DIR",
                    default=os.environ.get("PADGUARD_CACHE") or os.path.expanduser("~/.cache/padguard"))
    ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    ap.add_argument("--jobs", "-j", type=int, default=ncpu, help="make -j (default nproc)")
    ap.add_argument("--nice", type=int, default=10, help="nice level for make (default %(default)s)")
    ap.add_argument("--rebuild", action="store_true", help="cold: empty O= dirs and rebuild the objects (trees are content-addressed and kept)")
    ap.add_argument("--print-pairs", action="store_true", help="build, print the manifest rows, do not check")
    ap.add_argument("--pahole", action="store_true", help="also print pahole's size/holes summary")
    ap.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)  # now always on
    ap.add_argument("--skip-host-check", action="store_true", help=argparse.SUPPRESS)  # tests' fake trees
    ap.add_argument("--install-deps", action="store_true", help="apt-get the missing host packages")
    ap.add_argument("--install-cross", action="store_true", help="apt-get the missing cross compilers")
    ap.add_argument("--check-deps", action="store_true", help="only report missing packages and exit")
    ap.add_argument("--list-arches", action="store_true", help="print the known ARCHes, default configs, packages")
    ap.add_argument("--verbose", "-v", action="store_true", help="show commands, V=1 builds")
    args = ap.parse_args(argv)
    args.extra = extra
    return args


class Context:
    """What every config run shares."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def srcarch(self, cfg):
        a = get_arch(cfg.arch)
        return a.srcarch if a else cfg.arch


def list_arches():
    from .arches import ARCHES, prefix_of
    from .arches import resolve_cross
    print("%-8s %-24s %-28s %-8s %s" % ("ARCH", "default config", "Debian package", "tested", "compiler here"))
    for a in ARCHES.values():
        a = get_arch(a.name)
        c = resolve_cross(a.name)
        here = ("native gcc" if c.prefix == "" else c.prefix + "gcc") if c.prefix is not None else "missing"
        print("%-8s %-24s %-28s %-8s %s" % (a.name, a.default_config, a.packages[0], "yes" if a.tested else "no", here))
    return 0


def setup_host(args, configs):
    missing = hostdeps.missing_host(need_dpkg=not (args.src or args.git))
    if args.install_deps and missing:
        hostdeps.apt_install(missing)
        missing = hostdeps.missing_host(need_dpkg=not (args.src or args.git))
    if args.install_cross:
        hostdeps.apt_install(hostdeps.missing_cross(configs))
    if args.check_deps:
        cross = hostdeps.missing_cross(configs)
        log("missing host packages: %s" % (" ".join(missing) or "none"))
        log("missing cross compilers: %s" % (" ".join(cross) or "none"))
        return 1 if missing or cross else 0
    if missing and not args.skip_host_check:
        raise UsageError("missing host packages: %s (install them, or rerun with --install-deps)" % " ".join(missing))
    return None


def default_patches(args):
    """(before patch, after patch): the seed change for the chosen kernel."""
    if args.patch or args.after_src or args.before_patch:
        return args.before_patch, args.patch
    if not args.src and args.source_package == "linux-source-6.12":
        return DEFAULT_BEFORE_PATCH_612, None  # 6.12 already has the change: restore the union before
    return None, DEFAULT_PATCH


def patch_path(p):
    p = os.path.abspath(p)
    if not os.path.isfile(p):
        raise UsageError("patch %s not found" % p)
    return p


def get_trees(args, cache):
    if args.git:
        if args.patch or args.after_src or args.before_patch:
            raise UsageError("--git gives both trees; drop --patch/--before-patch/--after-src")
        return trees.git_trees(cache, args.src or ".", args.git)
    base = trees.user_tree(args.src) if args.src else trees.package_tree(cache, args.source_package)
    before_patch, after_patch = default_patches(args)
    before = trees.patched_tree(cache, base, patch_path(before_patch)) if before_patch else base
    if args.after_src:
        return before, trees.user_tree(args.after_src, "--after-src")
    after = trees.patched_tree(cache, base, patch_path(after_patch)) if after_patch else \
        dataclasses.replace(base, changed=[])
    if before_patch:
        after.changed = (after.changed or []) + before.changed
    return before, after


def plan_groups(args, tree, configs):
    """Object groups: [{objects, structs}], one padguard check each."""
    structs = config.split_list(args.struct, [DEFAULT_STRUCT])
    objects = config.split_list(args.object, [])
    if objects or not args.struct:
        objects = list(dict.fromkeys(objects or [DEFAULT_OBJECT]))
        groups = [{"objects": objects, "structs": structs}]
    else:
        srcarch = get_arch(configs[0].arch).srcarch if get_arch(configs[0].arch) else None
        by_obj = {}
        for s in structs:
            loc = locate.locate(tree.path, s, srcarch)
            log("kernel-matrix: --struct %s: using %s (%s)" % (s, loc.obj, loc.why))
            by_obj.setdefault(loc.obj, []).append(s)
        groups = [{"objects": [o], "structs": ss} for o, ss in by_obj.items()]
    for g in groups:
        for o in g["objects"]:
            locate.check_object_source(tree.path, o)
    return groups


def main(argv):
    args = parse_args(argv)
    util.VERBOSE = args.verbose
    if args.list_arches:
        return list_arches()
    if args.merge:
        return merge(args, args.merge)
    t_start = time.monotonic()
    configs = config.parse_configs(args.config)                     # 1. the matrix
    rc = setup_host(args, configs)                                  # 2. host tools
    if rc is not None:
        return rc
    cache = Cache(os.path.abspath(args.cache))
    os.makedirs(cache.root, exist_ok=True)
    before, after = get_trees(args, cache.root)                     # 3. before/after trees
    log("kernel-matrix: before = %s\nkernel-matrix: after  = %s (%s)" % (before.desc, after.path, after.desc))
    config.validate(configs, before.path)                           # 4. targets exist
    groups = plan_groups(args, before, configs)                     # 5. objects and structs
    shard = config.parse_shard(args.shard) if args.shard else (1, 1)
    chosen = config.shard_indices(len(configs), shard)              # 6. this shard's configs
    out = os.path.abspath(args.out or os.path.join(cache.root, "runs", short_hash(repr(
        (argv, before.state, after.state)))))
    check_args = ["--max-slack-loss", "0"] + report.absolute_path_args(args.extra)
    fragment = report.Fragment(out, shard, [c.spec for c in configs], groups, check_args)
    ctx = Context(args=args, cache=cache, before=before, after=after, groups=groups, fragment=fragment,
                  padguard=report.find_padguard(REPO_ROOT), progress=util.Progress(len(chosen)),
                  position={k: n for n, k in enumerate(chosen, 1)}, objfiles=[])
    for k in chosen:                                                # 7. prepare, build, check
        ConfigRun(ctx, k, configs[k]).run()
    path = fragment.write()                                         # 8. fragment
    log("kernel-matrix: %d config(s) in %s; %s" % (len(chosen), fmt_secs(time.monotonic() - t_start), cache.summary()))
    if args.print_pairs:
        for g in fragment.groups:
            for r in g["rows"]:
                print(report.manifest_row(r, out, relative=False))
        return 0
    if args.pahole:
        print_pahole(ctx)
    if args.shard:
        log("kernel-matrix: shard %d/%d wrote %s; merge all shards with: kernel-matrix --merge DIR..." % (
            shard + (path,)))
        return 0
    return merge(args, [out])                                       # 9. one table, one verdict


def merge(args, dirs):
    docs = report.load_fragments(dirs)
    work = os.path.join(os.path.abspath(args.out or dirs[0]), "merged")
    groups = report.merged_groups(docs, work)
    labels = {r["label"] for _, _, rows in groups for r in rows}
    allow = expand_allow_skip(args.allow_skip, labels)
    pg = report.find_padguard(REPO_ROOT)
    extra = report.absolute_path_args(args.extra) if args.merge else []  # merge-time output options
    return report.run_checks(pg, work, groups, docs[0]["check_args"] + extra, allow)


def expand_allow_skip(value, labels):
    """--allow-skip takes config labels; with several objects rows are LABEL@OBJ."""
    if not value or value == "all":
        return value
    out = []
    for name in value.split(","):
        hits = sorted(l for l in labels if l == name or l.startswith(name + "@"))
        if not hits:
            raise UsageError("--allow-skip %s: no config labelled %s (labels: %s)" % (
                value, name, ", ".join(sorted(labels))))
        out += hits
    return ",".join(out)


def print_pahole(ctx):
    from . import pahole
    pahole.print_table(ctx.objfiles, [s for g in ctx.groups for s in g["structs"]])


def entry_point():
    try:
        return main(sys.argv[1:])
    except UsageError as e:
        log("kernel-matrix: error: %s" % e)
        return 2
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError, UnicodeError) as e:
        # Never exit 1 ("a rule failed") on something that was not checked.
        log("kernel-matrix: error: %s: %s" % (type(e).__name__, " ".join(str(e).split())))
        return 2
    except Exception:  # a bug: show it, and still never exit 1 ("a rule failed")
        import traceback
        traceback.print_exc()
        log("kernel-matrix: internal error (above); the run checked nothing, exit 2")
        return 2
