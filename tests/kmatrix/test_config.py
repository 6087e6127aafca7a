"""Config specs, labels, validation against a tree, and shard shares."""
import os

import pytest

import faketree
from kmatrix import config
from kmatrix.util import UsageError


def test_spec_with_extras_gives_label_without_separators():
    c = config.Config("x86_64:defconfig+CONFIG_PREEMPT_RT=y+KASAN=n+NR_CPUS=4")
    assert (c.arch, c.target) == ("x86_64", "defconfig")
    assert c.extras == [("PREEMPT_RT", "y"), ("KASAN", "n"), ("NR_CPUS", "4")]
    assert c.label == "x86_64-defconfig+PREEMPT_RT+KASAN-n+NR_CPUS-4"
    assert ":" not in c.label and "=" not in c.label and " " not in c.label


def test_canonical_ignores_the_CONFIG_prefix():
    assert config.Config("arm64:defconfig+KASAN").canonical() == config.Config("arm64:defconfig+CONFIG_KASAN=y").canonical()


@pytest.mark.parametrize("spec", ["x86_64", ":defconfig", "arm64:", "arm64:defconfig+BAD OPT"])
def test_bad_specs_are_usage_errors(spec):
    with pytest.raises(UsageError):
        config.Config(spec)


def test_comma_lists_and_duplicate_labels():
    assert [c.label for c in config.parse_configs(["x86_64:defconfig,arm64:defconfig"])] == [
        "x86_64-defconfig", "arm64-defconfig"]
    with pytest.raises(UsageError, match="same label"):
        config.parse_configs(["x86_64:defconfig", "x86_64:defconfig"])


def test_default_matrix_when_none_given():
    assert [c.spec for c in config.parse_configs(None)] == config.DEFAULT_CONFIGS


def test_unknown_target_lists_nearest_names_and_kbuild_targets(tmp_path):
    tree = faketree.make_tree(tmp_path)
    with pytest.raises(UsageError) as e:
        config.validate([config.Config("x86_64:x86_64_defconfg")], tree)
    msg = str(e.value)
    assert "unknown config target 'x86_64_defconfg'" in msg and "nearest: x86_64_defconfig" in msg
    assert "kbuild targets: defconfig tinyconfig" in msg


def test_mistyped_defconfig_suggests_defconfig(tmp_path):
    tree = faketree.make_tree(tmp_path)
    with pytest.raises(UsageError, match=r"nearest: defconfig"):
        config.validate([config.Config("arm:defconfg")], tree)


def test_unknown_arch_lists_nearest(tmp_path):
    tree = faketree.make_tree(tmp_path)
    with pytest.raises(UsageError, match=r"unknown ARCH 'x86-64' \(nearest: x86_64"):
        config.validate([config.Config("x86-64:defconfig")], tree)


def test_makefile_targets_and_config_files_are_known(tmp_path):
    tree = faketree.make_tree(tmp_path)
    config.validate([config.Config("powerpc:ppc64le_defconfig"), config.Config("x86_64:tinyconfig"),
                     config.Config("i386:i386_defconfig")], tree)  # no exception
    assert "32r2el_defconfig" not in config.known_targets(tree, "powerpc")


def test_mips_generated_generic_defconfigs(tmp_path):
    d = tmp_path / "arch" / "mips"
    d.mkdir(parents=True)
    (d / "Makefile").write_text("define gen_generic_defconfigs\nendef\n")
    assert {"32r2el_defconfig", "64r6_defconfig"} <= config.known_targets(str(tmp_path), "mips")


def test_every_config_lands_in_exactly_one_shard():
    shares = [config.shard_indices(7, (i, 3)) for i in (1, 2, 3)]
    assert shares == [[0, 3, 6], [1, 4], [2, 5]]
    assert config.shard_indices(2, (3, 3)) == []


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_bad_shard(text):
    with pytest.raises(UsageError):
        config.parse_shard(text)


def test_every_cross_package_arch_is_known():
    # scripts/cross-packages.txt and kmatrix's ARCHES must agree: an ARCH the
    # package list names but kmatrix ignores is a silently missing config.
    from kmatrix import arches
    path = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "cross-packages.txt")
    listed = {ln.split()[0] for ln in open(path) if ln.strip() and not ln.startswith("#")}
    assert listed <= set(arches.ARCHES), listed - set(arches.ARCHES)
    for name in listed:
        assert arches.get_arch(name) is not None, name
