"""The before and after source trees and their state keys: Debian's
linux-source-X package (unpacked once), a user's --src tree (fingerprinted
by path, size and mtime), a patched hard-linked copy, or two git worktrees
(--git BASE..HEAD) that leave the user's checkout as it is."""

import functools
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass

from .util import UsageError, log, fmt_secs, run, sha256_file, short_hash
import time


@dataclass
class Tree:
    path: str
    state: str  # identifies the content: part of every cache key
    desc: str
    immutable: bool = True  # False: a user's tree, fingerprinted on every run
    owned: bool = True  # the cache made it: build (O=) dirs may live inside it
    changed: list = None  # files that differ from the before tree, when known (patch, git diff)


def looks_like_kernel(path):
    return os.path.isfile(os.path.join(path, "Makefile")) and os.path.isdir(os.path.join(path, "kernel"))


def check_kernel_tree(path, what):
    if not looks_like_kernel(path):
        raise UsageError("%s %s does not look like a kernel source tree (no Makefile and kernel/)" % (what, path))
    if os.path.exists(os.path.join(path, ".config")):
        raise UsageError("%s has been configured in-tree; out-of-tree builds need 'make mrproper' there" % path)


def fingerprint(path):
    """Hash of every file's path, size and mtime (skipping .git): a changed
    file gives a new state, so no stale object is ever reused."""
    h = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for f in sorted(files):
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            h.append("%s %d %d" % (os.path.join(root, f)[len(path):], st.st_size, st.st_mtime_ns))
    return short_hash("\n".join(h), 16)


def user_tree(path, what="--src"):
    path = os.path.abspath(path)
    check_kernel_tree(path, what)
    return Tree(path, "src:%s@%s" % (path, fingerprint(path)), path, immutable=False, owned=False)


# -------------------------------------------------------- Debian package --

def deb_version(deb):
    r = subprocess.run(["dpkg-deb", "-f", deb, "Version"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def _cmp_versions(a, b):
    if subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0:
        return -1
    return 1 if subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0 else 0


def find_source_deb(cache, package, download=True):
    debs = []
    for pat in (os.path.join(cache, package + "_*.deb"), os.path.join(cache, "debs", package + "_*.deb")):
        for d in glob.glob(pat):
            v = deb_version(d)  # None for a truncated/in-progress file
            if v:
                debs.append((v, d))
    if not debs and download:
        dl = os.path.join(cache, "debs")
        os.makedirs(dl, exist_ok=True)
        log("kernel-matrix: apt-get download %s into %s" % (package, dl))
        # As root, apt drops to the _apt user, which cannot write a private dir.
        sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
        if run(["apt-get"] + sandbox + ["download", package], cwd=dl).returncode != 0:
            raise UsageError("apt-get download %s failed (run 'apt-get update' first, or pass --src DIR)" % package)
        return find_source_deb(cache, package, False)
    if not debs:
        raise UsageError("no %s_*.deb in %s" % (package, cache))
    debs.sort(key=functools.cmp_to_key(lambda x, y: _cmp_versions(x[0], y[0])))
    return debs[-1]


def package_tree(cache, package):
    """The tree of Debian's PACKAGE (e.g. linux-source-6.12), unpacked once."""
    version, deb = find_source_deb(cache, package)
    parent = os.path.join(cache, "src", "%s_%s" % (package, version))
    stamp = os.path.join(parent, ".unpacked")
    if not os.path.exists(stamp):
        _unpack(deb, package, version, parent)
    tree = open(stamp).read().strip()
    return Tree(tree, "pkg:%s_%s" % (package, version), "%s %s" % (package, version))


def _unpack(deb, package, version, parent):
    t0 = time.monotonic()
    log("kernel-matrix: unpacking %s (%s) into %s" % (os.path.basename(deb), version, parent))
    shutil.rmtree(parent, ignore_errors=True)
    xdir = parent + ".deb"
    shutil.rmtree(xdir, ignore_errors=True)
    os.makedirs(xdir)
    if run(["dpkg-deb", "-x", deb, xdir]).returncode != 0:
        raise UsageError("dpkg-deb -x %s failed; delete it and rerun to download it again" % deb)
    tarballs = glob.glob(os.path.join(xdir, "usr", "src", package + ".tar.*"))
    if not tarballs:
        raise UsageError("%s has no /usr/src/%s.tar.*; is it a linux-source package?" % (deb, package))
    os.makedirs(parent)
    if run(["tar", "-xf", tarballs[0], "-C", parent]).returncode != 0:
        raise UsageError("untar %s failed (disk full?)" % tarballs[0])
    shutil.rmtree(xdir, ignore_errors=True)
    dirs = [d for d in os.listdir(parent) if os.path.isdir(os.path.join(parent, d))]
    if len(dirs) != 1:
        raise UsageError("unexpected layout in %s: %s" % (parent, dirs))
    with open(os.path.join(parent, ".unpacked"), "w") as f:
        f.write(os.path.join(parent, dirs[0]) + "\n")
    log("kernel-matrix: unpacked in %s" % fmt_secs(time.monotonic() - t0))


# ----------------------------------------------------------- patched copy --

def patched_files(patch):
    files = []
    with open(patch, errors="replace") as f:
        for line in f:
            if line.startswith(("+++ ", "--- ")):
                p = line[4:].split("\t")[0].strip()
                if p != "/dev/null":
                    p = p.split("/", 1)[1] if "/" in p else p
                    if p not in files:
                        files.append(p)
    return files


def check_patch_applies(patch, tree):
    with open(patch, "rb") as f:
        r = subprocess.run(["patch", "-p1", "--dry-run", "-s", "-N", "-d", tree.path], stdin=f,
                           capture_output=True, text=True)
    if r.returncode != 0:
        first = (r.stdout + r.stderr).strip().splitlines()[:1]
        raise UsageError("patch %s does not apply to %s (%s): %s" % (patch, tree.path, tree.desc,
                                                                    first[0] if first else "patch failed"))


def patched_tree(cache, before, patch, rebuild=False):
    """A hard-linked copy of BEFORE with PATCH applied; keyed by both."""
    psha = sha256_file(patch)
    state = "%s+patch:%s" % (before.state, psha)
    dst = os.path.join(cache, "trees", "patched-" + short_hash(state, 16))
    stamp = os.path.join(dst, ".padguard-patched")
    if rebuild or not os.path.exists(stamp):
        check_patch_applies(patch, before)
        _make_patched_copy(before.path, patch, dst)
    return Tree(dst, state, "%s + %s" % (before.desc, os.path.basename(patch)), changed=patched_files(patch))


def _make_patched_copy(src, patch, dst):
    log("kernel-matrix: creating patched tree %s" % dst)
    tmp = dst + ".tmp"
    for d in (tmp, dst):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    # Not the build dirs (.kmx-*) that live inside the before tree.
    entries = [os.path.join(src, n) for n in sorted(os.listdir(src)) if not n.startswith(".kmx-")]
    os.makedirs(tmp)
    if run(["cp", "-al"] + entries + [tmp], stderr=subprocess.DEVNULL).returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        log("kernel-matrix: hard links not possible, copying the whole tree")
        if run(["cp", "-a"] + entries + [tmp]).returncode != 0:
            raise UsageError("cannot copy %s to %s (disk full?)" % (src, tmp))
    # Break the hard links of the files the patch touches so that patching
    # the copy can never modify the original tree.
    for rel in patched_files(patch):
        p = os.path.join(tmp, rel)
        if os.path.isfile(p):
            shutil.copy2(p, p + ".pgtmp")
            os.replace(p + ".pgtmp", p)
    with open(patch, "rb") as f:
        r = run(["patch", "-p1", "-s", "-N", "--no-backup-if-mismatch", "-d", tmp], stdin=f)
    if r.returncode != 0:
        raise UsageError("patch %s does not apply to %s" % (patch, src))
    with open(os.path.join(tmp, ".padguard-patched"), "w") as f:
        f.write(patch + "\n")
    os.replace(tmp, dst)


# ------------------------------------------------------------------- git --

def git(repo, *args, check=True):
    r = subprocess.run(["git", "-C", repo] + list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise UsageError("git -C %s %s: %s" % (repo, " ".join(args), (r.stderr.strip().splitlines() or ["failed"])[-1]))
    return r.stdout.strip()


def parse_git_range(spec):
    """'BASE..HEAD' -> (BASE, HEAD); 'REV' -> (REV~1, REV)."""
    if "..." in spec:
        raise UsageError("--git %r: use BASE..HEAD (two dots) or one REV" % spec)
    if ".." in spec:
        base, head = spec.split("..", 1)
        if not base or not head:
            raise UsageError("--git %r: expected BASE..HEAD with both revisions" % spec)
        return base, head
    return spec + "~1", spec


def worktree_paths(repo):
    """Paths of the worktrees REPO has registered (`git worktree list --porcelain`)."""
    out = git(repo, "worktree", "list", "--porcelain")
    return [ln[len("worktree "):] for ln in out.splitlines() if ln.startswith("worktree ")]


def forget_missing_cache_worktrees(repo, trees_dir):
    """Unregister the worktrees of this cache (TREES_DIR/git-*) whose directory
    is gone (the cache was emptied), one by one.  Never `git worktree prune`:
    that would also drop the user's own worktrees that are missing for now
    (on an unmounted disk, moved), which are none of kernel-matrix's business."""
    ours = os.path.join(os.path.realpath(trees_dir), "git-")
    for p in worktree_paths(repo):
        if os.path.realpath(p).startswith(ours) and not os.path.isdir(p):
            git(repo, "worktree", "remove", "--force", p, check=False)  # add --force copes if this fails


def git_worktree(cache, repo, rev):
    sha = git(repo, "rev-parse", "--verify", "--quiet", rev + "^{commit}", check=False)
    if not sha:
        raise UsageError("--git: %r is not a commit in %s" % (rev, repo))
    dst = os.path.join(cache, "trees", "git-" + sha[:16])
    stamp = os.path.join(dst, ".padguard-worktree")
    if not os.path.exists(stamp):
        shutil.rmtree(dst, ignore_errors=True)
        forget_missing_cache_worktrees(repo, os.path.join(cache, "trees"))
        log("kernel-matrix: git worktree %s at %s" % (dst, sha[:12]))
        git(repo, "worktree", "add", "--detach", "--force", dst, sha)
        with open(stamp, "w") as f:
            f.write(sha + "\n")
    check_kernel_tree(dst, "--git " + rev)
    return Tree(dst, "git:" + sha, "%s (%s)" % (rev, sha[:12]))


def git_trees(cache, repo, spec):
    repo = os.path.abspath(repo)
    top = git(repo, "rev-parse", "--show-toplevel", check=False)
    if not top:
        raise UsageError("--git needs a git checkout; %s is not one (pass --src DIR)" % repo)
    base, head = parse_git_range(spec)
    forget_missing_cache_worktrees(top, os.path.join(cache, "trees"))
    before, after = git_worktree(cache, top, base), git_worktree(cache, top, head)
    after.changed = git(top, "diff", "--name-only", "--no-renames", before.state[4:], after.state[4:]).split()
    return before, after
