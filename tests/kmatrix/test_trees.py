"""--git BASE..HEAD and --git REV on a tiny synthetic repository: two
worktrees in the cache, the user's checkout left as it was."""
import subprocess

import pytest

import faketree
from kmatrix import trees
from kmatrix.util import UsageError


def git(repo, *a):
    return subprocess.run(["git", "-C", repo] + list(a), capture_output=True, text=True, check=True).stdout.strip()


def test_range_parsing():
    assert trees.parse_git_range("v6.1..HEAD") == ("v6.1", "HEAD")
    assert trees.parse_git_range("abc123") == ("abc123~1", "abc123")
    for bad in ("a...b", "..b", "a.."):
        with pytest.raises(UsageError):
            trees.parse_git_range(bad)


def test_rev_gives_parent_and_rev_as_worktrees(tmp_path):
    repo = faketree.git_repo(tmp_path / "linux")
    head_before, status_before = git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain")
    before, after = trees.git_trees(str(tmp_path / "cache"), repo, "HEAD")
    assert before.state == "git:" + git(repo, "rev-parse", "HEAD~1")
    assert after.state == "git:" + head_before
    assert after.changed == ["include/linux/sched.h"]
    assert "union" in open(before.path + "/include/linux/sched.h").read()
    assert "union" not in open(after.path + "/include/linux/sched.h").read()
    assert before.path.startswith(str(tmp_path / "cache"))
    # the user's checkout: same HEAD, nothing modified
    assert git(repo, "rev-parse", "HEAD") == head_before
    assert git(repo, "status", "--porcelain") == status_before == ""
    # reused on the next run
    again, _ = trees.git_trees(str(tmp_path / "cache"), repo, "HEAD~1..HEAD")
    assert again.path == before.path


def test_not_a_commit_and_not_a_repo(tmp_path):
    repo = faketree.git_repo(tmp_path / "linux")
    with pytest.raises(UsageError, match="'nope' is not a commit"):
        trees.git_trees(str(tmp_path / "c"), repo, "nope..HEAD")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UsageError, match="needs a git checkout"):
        trees.git_trees(str(tmp_path / "c"), str(plain), "HEAD")


def test_in_tree_configured_source_is_refused(tmp_path):
    t = faketree.make_tree(tmp_path)
    (tmp_path / ".config").write_text("CONFIG_X=y\n")
    with pytest.raises(UsageError, match="make mrproper"):
        trees.user_tree(t)


def worktrees(repo):
    """{path: porcelain block} of `git worktree list --porcelain`."""
    out = {}
    for block in git(repo, "worktree", "list", "--porcelain").split("\n\n"):
        lines = block.splitlines()
        out[lines[0][len("worktree "):]] = block
    return out


def test_the_users_worktrees_are_left_alone(tmp_path):
    """kernel-matrix never runs `git worktree prune`: a worktree of the user's
    that is missing for now (moved, on an unmounted disk) stays registered,
    a live one keeps its branch and files; only the cache's own worktrees
    whose directory is gone (the cache was emptied) are unregistered."""
    repo = faketree.git_repo(tmp_path / "linux")
    live, away = str(tmp_path / "feature-wt"), str(tmp_path / "usb" / "wip-wt")
    git(repo, "worktree", "add", "-q", "-b", "feature", live, "HEAD~1")
    git(repo, "worktree", "add", "-q", "-b", "wip", away)
    (tmp_path / "feature-wt" / "scratch.c").write_text("int user_edit;\n")
    (tmp_path / "usb").rename(tmp_path / "usb-unmounted")
    assert "prunable" in worktrees(repo)[away]

    cache = tmp_path / "cache"
    before, after = trees.git_trees(str(cache), repo, "HEAD")
    import shutil
    shutil.rmtree(cache)  # the user empties the cache: both worktree dirs are gone
    before2, after2 = trees.git_trees(str(cache), repo, "HEAD")
    assert (before2.path, after2.path) == (before.path, after.path)
    assert open(after2.path + "/include/linux/sched.h").read()

    wts = worktrees(repo)
    assert away in wts and "branch refs/heads/wip" in wts[away], wts  # not pruned
    assert "branch refs/heads/feature" in wts[live]
    assert (tmp_path / "feature-wt" / "scratch.c").read_text() == "int user_edit;\n"
    assert git(live, "status", "--porcelain") == "?? scratch.c"
    # exactly the user's three and the cache's two, each registered once
    assert sorted(wts) == sorted([repo, live, away, before.path, after.path])


def test_a_stale_worktree_of_this_cache_is_unregistered(tmp_path):
    repo = faketree.git_repo(tmp_path / "linux")
    cache = tmp_path / "cache"
    before, after = trees.git_trees(str(cache), repo, "HEAD")
    import shutil
    shutil.rmtree(before.path)  # gone, and no longer asked for
    trees.git_trees(str(cache), repo, "HEAD..HEAD")  # a run that needs only HEAD's tree
    assert before.path not in worktrees(repo)
    assert after.path in worktrees(repo)
