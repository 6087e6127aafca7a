"""The shell completions (issue 18), generated into build/completions by
scripts/gen-completions from padguard's --help, offer what --help lists: bash
(the function called with COMP_WORDS/COMP_CWORD set) completes the commands,
each command's options, the values of enumerated options (also as
--opt=VALUE) and file names otherwise; zsh's file parses (zsh -n) and, run
with _arguments and _describe stubbed, declares the same options and values."""
import os
import shlex
import shutil

import pytest

import fixturelib as fl
import helptext

COMPLETIONS = os.path.join(os.path.dirname(fl.padguard()), "completions")
BASH = os.path.join(COMPLETIONS, "padguard")
ZSH = os.path.join(COMPLETIONS, "_padguard")
COMMANDS = helptext.commands()


@pytest.fixture(scope="module", autouse=True)
def generated():
    for f in (BASH, ZSH):
        assert os.path.isfile(f), f"{f} missing: build the padguard_completions target (ninja -C build)"


def bash_complete(*words, cwd=None):
    """COMPREPLY for `padguard WORDS...`, the cursor on the last word."""
    script = (f"source {shlex.quote(BASH)}; COMP_WORDS=(padguard {' '.join(shlex.quote(w) for w in words)}); "
              f"COMP_CWORD={len(words)}; _padguard; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = fl.run(["bash", "--norc", "-c", script], cwd=cwd)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return set(r.stdout.split())


def test_bash_commands():
    assert bash_complete("") == set(COMMANDS)
    assert bash_complete("ch") == {c for c in COMMANDS if c.startswith("ch")} == {"check"}
    assert bash_complete("-") == helptext.option_names()


@pytest.mark.parametrize("command", COMMANDS)
def test_bash_options(command):
    assert bash_complete(command, "-") == helptext.option_names(command)
    assert bash_complete(command, "--") == {n for n in helptext.option_names(command) if n.startswith("--")}


@pytest.mark.parametrize("command", COMMANDS)
def test_bash_enumerations(command, check):
    for opt in helptext.options(command):
        if opt.values is None:
            continue
        for name in opt.names:
            check(bash_complete(command, name, "") == set(opt.values), f"{command} {name} ''")
            first = opt.values[0][0]
            check(bash_complete(command, name, first) == {v for v in opt.values if v.startswith(first)},
                  f"{command} {name} {first}")
            if name.startswith("--"):  # readline's split of --opt=VALUE, and an unsplit one
                check(bash_complete(command, name, "=", "") == set(opt.values), f"{command} {name}= ''")
                check(bash_complete(command, name, "=", first) == {v for v in opt.values if v.startswith(first)},
                      f"{command} {name}={first}")
                check(bash_complete(command, f"{name}=") == set(opt.values), f"{command} '{name}='")
    check(True, f"{command}: enumerations walked")
    check.done()


@pytest.mark.parametrize("command", COMMANDS)
def test_bash_files(command, tmp_path):
    for f in ("vmlinux", "fork.o", "policy.toml"):
        (tmp_path / f).write_text("")
    (tmp_path / "old").mkdir()
    assert bash_complete(command, "", cwd=tmp_path) == {"vmlinux", "fork.o", "policy.toml", "old"}
    assert bash_complete(command, "f", cwd=tmp_path) == {"fork.o"}
    # a value that is a path: --policy, -o; a number offers nothing
    valued = {"check": "--policy", "extract": "--output", "layout": "--btf_base", "diff": "--btf-base"}
    if command in valued:
        assert bash_complete(command, valued[command], "p", cwd=tmp_path) == {"policy.toml"}
    assert bash_complete(command, "-j", "", cwd=tmp_path) == set()


def zsh_run(state, words=()):
    """Runs the zsh completion with _arguments and _describe stubbed: the
    printed lines are the specs given to _arguments (after zsh's brace
    expansion) or the commands given to _describe."""
    if shutil.which("zsh") is None:
        pytest.skip("SKIPPED, no zsh (apt-get install zsh; scripts/setup installs it)")
    script = ("_arguments() { if [[ $1 == -C ]]; then state=$STATE; [[ -z $STATE ]] && print -rl -- \"${@[2,-1]}\";"
              " else print -rl -- \"${@[3,-1]}\"; fi; return 0 };"
              " _describe() { print -rl -- \"${(@P)4}\" };"
              f" words=({' '.join(shlex.quote(w) for w in words)}); source {shlex.quote(ZSH)}")
    r = fl.run(["zsh", "-f", "-c", script], env={**os.environ, "STATE": state})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout.splitlines()


def zsh_options(specs):
    """{option name: values or None} from _arguments specs such as
    "(-F --input-format)--input-format=[...]:value:(btf dwarf auto)"."""
    import re
    out = {}
    for spec in specs:
        m = re.match(r"(?:\([^)]*\))?\*?(--?[\w-]+)", spec)
        if not m:
            assert spec.startswith("*:") or spec.startswith("1:"), spec  # positionals
            continue
        values = re.search(r":\(([^)]*)\)$", spec)
        out[m.group(1)] = values.group(1).split() if values else None
    return out


def test_zsh_parses():
    if shutil.which("zsh") is None:
        pytest.skip("SKIPPED, no zsh (apt-get install zsh; scripts/setup installs it)")
    r = fl.run(["zsh", "-n", ZSH])
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_zsh_commands():
    assert [line.split(":")[0] for line in zsh_run("command")] == COMMANDS
    assert set(zsh_options(zsh_run(""))) == helptext.option_names()


@pytest.mark.parametrize("command", COMMANDS)
def test_zsh_options(command):
    got = zsh_options(zsh_run("args", [command]))
    want = {n: o.values for o in helptext.options(command) for n in o.names}
    assert got == want
