"""Classifying what went wrong: first compiler error, missing compiler."""
from kmatrix import arches, failures

GCC_LOG = """# make -s -C /c/tree O=/c/tree/.kmx-x ARCH=x86_64 kernel/fork.o
In file included from /c/tree/include/linux/mm.h:7,
                 from /c/tree/kernel/fork.c:12:
/c/tree/include/linux/sched.h:1322:9: warning: unused variable 'x' [-Wunused-variable]
/c/tree/include/linux/sched.h:1325:17: error: expected expression before ';' token
 1325 |         int broken = ;
/c/tree/include/linux/sched.h:1400:1: error: second error
make[3]: *** [../scripts/Makefile.build:250: kernel/fork.o] Error 1
make: *** [Makefile:2012: .] Error 2
"""


def test_first_error_with_file_and_line_relative_to_the_tree():
    f = failures.classify_build("after", "make kernel/fork.o (exit 2)", GCC_LOG, "/c/logs/x.log", roots=["/c/tree"])
    assert f.status == "build-failed"
    assert (f.file, f.line) == ("include/linux/sched.h", 1325)
    assert f.message == "after: include/linux/sched.h:1325: error: expected expression before ';' token"
    assert f.row_message().endswith("(log: /c/logs/x.log)")


def test_kbuild_paths_relative_to_the_O_dir_become_relative_to_the_tree():
    f, line, msg = failures.first_error("../include/linux/sched.h:9:3: fatal error: foo.h: No such file\n",
                                        roots=["/c/tree"], cwd="/c/tree/.kmx-x86_64-defconfig-1234")
    assert (f, line) == ("include/linux/sched.h", 9)
    assert "fatal" not in msg and "error: foo.h: No such file" in msg


def test_no_rule_to_make_target_when_there_is_no_compiler_error():
    log = "make[1]: *** No rule to make target 'kernel/forkk.o'.  Stop.\nmake: *** [Makefile:1] Error 2\n"
    f = failures.classify_build("before", "make kernel/forkk.o (exit 2)", log, "/l")
    assert "No rule to make target 'kernel/forkk.o'" in f.message and f.file is None


def test_unclassifiable_log_names_the_step_and_the_last_line():
    f = failures.classify_build("before", "make defconfig (exit 2)", "something odd\n", "/l")
    assert f.message == "before: make defconfig (exit 2) failed: something odd"


def test_row_message_is_one_line():
    f = failures.Failure("error", "a\nb\tc")
    assert f.row_message() == "a b c"


def test_missing_cross_compiler_is_skipped_with_the_package():
    choice = arches.resolve_cross("riscv", which=lambda name: None, env={}, host="x86_64")
    assert choice.prefix is None and choice.package == "gcc-riscv64-linux-gnu"
    f = failures.missing_compiler(choice.reason, choice.package)
    assert f.status == "skipped" and "apt-get install gcc-riscv64-linux-gnu" in f.message


def test_cross_compiler_on_path_is_chosen_in_package_order():
    have = {"mips-linux-gnu-gcc"}
    choice = arches.resolve_cross("mips", which=lambda n: n if n in have else None, env={}, host="x86_64")
    assert choice.prefix == "mips-linux-gnu-"


def test_native_and_environment_override():
    assert arches.resolve_cross("x86_64", which=lambda n: None, env={}, host="x86_64").prefix == ""
    env = {"PADGUARD_CROSS_ARM64": "my-aarch64-"}
    bad = arches.resolve_cross("arm64", which=lambda n: None, env=env, host="x86_64")
    assert bad.prefix is None and "my-aarch64-gcc is not on PATH" in bad.reason


def test_cross_packages_file_wins(tmp_path, monkeypatch):
    p = tmp_path / "cross-packages.txt"
    p.write_text("# comment\narm64 gcc-aarch64-linux-gnu\nriscv gcc-riscv64-linux-gnu\n")
    assert arches.read_cross_packages(str(p)) == {"arm64": ["gcc-aarch64-linux-gnu"], "riscv": ["gcc-riscv64-linux-gnu"]}
    assert arches.prefix_of("gcc-x86-64-linux-gnu") == "x86_64-linux-gnu-"
