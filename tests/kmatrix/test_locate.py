"""Finding the header that defines a struct and an object that includes it."""
import pytest

import faketree
from kmatrix import locate
from kmatrix.util import UsageError


def test_struct_in_subsystem_from_maintainers(tmp_path):
    tree = faketree.make_tree(tmp_path)
    loc = locate.locate(tree, "net_device")
    assert (loc.header, loc.obj) == ("include/linux/netdevice.h", "net/core/dev.o")
    assert "first .c under net/" in loc.why and "obj-y" in loc.why


def test_fallback_dirs_when_maintainers_names_no_includer(tmp_path):
    tree = faketree.make_tree(tmp_path)  # MAINTAINERS says kernel/sched/, which has no .c here
    assert locate.locate(tree, "task_struct").obj == "kernel/fork.o"


def test_unknown_struct_says_what_to_pass(tmp_path):
    tree = faketree.make_tree(tmp_path)
    with pytest.raises(UsageError, match=r"no header .* defines 'struct no_such \{'; pass --object"):
        locate.locate(tree, "no_such")


def test_suggestion_names_header_and_object(tmp_path):
    tree = faketree.make_tree(tmp_path)
    assert locate.suggest(tree, "net_device") == "it is defined in include/linux/netdevice.h; try --object net/core/dev.o"


def test_include_spelling():
    assert locate.include_spelling("include/linux/sched.h") == ("<", "linux/sched.h")
    assert locate.include_spelling("arch/x86/include/asm/processor.h") == ("<", "asm/processor.h")
    assert locate.include_spelling("fs/ext4/ext4.h") == ('"', "ext4.h")


def test_object_without_source_lists_nearest(tmp_path):
    tree = faketree.make_tree(tmp_path)
    locate.check_object_source(tree, "kernel/fork.o")
    with pytest.raises(UsageError, match=r"nearest: kernel/fork.o"):
        locate.check_object_source(tree, "kernel/forkk.o")
    with pytest.raises(UsageError, match="relative to the kernel tree"):
        locate.check_object_source(tree, "/abs/fork.o")
