"""Cache keys: every part of (tree state, patch, config, compiler, object) counts."""
from kmatrix import cache, config, trees


def key(state="pkg:linux-source-6.1_6.1.192-3", spec="x86_64:defconfig", cross="", obj="kernel/fork.o"):
    c = config.Config(spec)
    c.cross = cross
    return cache.Cache("/c").entry(state, c, obj).dir


def test_keys_are_stable():
    assert key() == key()


def test_each_part_changes_the_key():
    base = key()
    others = [key(state="pkg:linux-source-6.12_6.12.117-1"),
              key(state="pkg:linux-source-6.1_6.1.192-3+patch:abc"),
              key(spec="x86_64:defconfig+KASAN"), key(spec="x86_64:tinyconfig"),
              key(cross="x86_64-linux-gnu-"), key(obj="net/core/dev.o")]
    assert len({base, *others}) == 1 + len(others)


def test_spelling_of_a_config_does_not_change_the_key():
    assert key(spec="x86_64:defconfig+KASAN") == key(spec="x86_64:defconfig+CONFIG_KASAN=y")


def test_build_dir_inside_owned_trees_only():
    c = config.Config("arm64:defconfig")
    c.cross = "aarch64-linux-gnu-"
    ca = cache.Cache("/c")
    owned = ca.build_dir(trees.Tree("/c/src/t", "pkg:x", "x"), c)
    assert owned.startswith("/c/src/t/.kmx-arm64-defconfig-")
    user = ca.build_dir(trees.Tree("/home/u/linux", "src:x", "x", owned=False), c)
    assert user.startswith("/c/build/") and "/home/u/linux" not in user


def test_patch_is_part_of_the_after_state(tmp_path):
    import faketree
    tree = trees.Tree(faketree.make_tree(tmp_path / "t"), "pkg:t", "t")
    p1 = faketree.write(tmp_path / "a.patch", faketree.PATCH_MOVE)
    p2 = faketree.write(tmp_path / "b.patch", faketree.PATCH_BREAK_X86_64)
    a = trees.patched_tree(str(tmp_path / "c"), tree, p1)
    b = trees.patched_tree(str(tmp_path / "c"), tree, p2)
    assert a.path != b.path and a.state != b.state and a.state.startswith("pkg:t+patch:")
    assert a.changed == ["include/linux/sched.h"]
    # the original is untouched: its sched.h is not the patched one
    assert "int rcu_users;\n\tint pagefault" not in open(tmp_path / "t/include/linux/sched.h").read()
    assert open(tmp_path / "t/include/linux/sched.h").read() == faketree.SCHED_H


def test_user_tree_state_follows_its_content(tmp_path):
    import faketree, os, time
    t = faketree.make_tree(tmp_path)
    s1 = trees.user_tree(t).state
    assert trees.user_tree(t).state == s1
    p = os.path.join(t, "kernel/fork.c")
    open(p, "a").write("int more;\n")
    os.utime(p, (time.time() + 5, time.time() + 5))
    assert trees.user_tree(t).state != s1


def test_facts_read_through_a_linker_are_reused_only_with_its_stamp(tmp_path):
    """sh and arc facts come from the object linked alone; facts of such an
    object read from the bare .o (what kernel-matrix did before: wrong names
    on sh) must not be reused."""
    from kmatrix.cache import Entry
    e = Entry(str(tmp_path))
    open(e.obj, "w").close()
    open(e.facts, "w").close()
    assert e.has_facts() and not e.has_facts("sh4-linux-gnu-ld")
    with open(e.facts_via, "w") as f:
        f.write("sh4-linux-gnu-ld")
    assert e.has_facts("sh4-linux-gnu-ld") and not e.has_facts("arc-linux-gnu-ld")
