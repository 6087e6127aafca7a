"""The man page, docs/padguard.1, stays in step with --help (issue 18): every
command of `padguard --help` has a section under COMMANDS (and no other does),
each command's long and short options are exactly those its section documents
(plus INPUT OPTIONS when the section names them, plus -h/--help from OPTIONS),
every value of an enumerated option is named in its entry, and groff and
man render the page without a warning."""
import os
import re
import shutil

import pytest

import fixturelib as fl
import helptext

MAN = os.path.join(fl.ROOT, "docs", "padguard.1")
COMMANDS = helptext.commands()


def plain(roff):
    """Roff inline markup removed: fonts, \\- and \\e, named characters."""
    roff = re.sub(r"\\f[BIRP]", "", roff)
    roff = re.sub(r"\\\(\w\w", "", roff)
    return roff.replace("\\-", "-").replace("\\e", "\\")


def sections():
    """{".SH NAME": text}, and {COMMAND: text} for each .SS under COMMANDS."""
    out, key, top = {}, None, None
    for line in open(MAN, encoding="utf-8").read().splitlines():
        if line.startswith(".SH "):
            top = key = line[4:].strip('"')
            out[key] = ""
        elif line.startswith(".SS ") and top == "COMMANDS":
            key = line[4:].strip('"')
            out[key] = ""
        elif key is not None:
            out[key] = out.get(key, "") + line + "\n"
    return out


def entries(text):
    """[(options of the tag, the tag and body as plain text)] of every .TP entry."""
    out = []
    for block in text.split(".TP\n")[1:]:
        lines = block.split("\n")
        tag = plain(lines[0])
        body = plain("\n".join(l for l in lines[1:] if not l.startswith(".")))
        out.append((set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", tag)), tag + "\n" + body))
    return out


def documented(command):
    s = sections()
    found = entries(s[command])
    if "INPUT OPTIONS" in s[command]:
        found += entries(s["INPUT OPTIONS"])
    found += [e for e in entries(s["OPTIONS"]) if e[0] == {"-h", "--help"}]
    return found


def test_every_command_has_a_section():
    s = sections()
    assert "COMMANDS" in s and "OPTIONS" in s and "INPUT OPTIONS" in s, sorted(s)
    man_commands = {k for k in s if k.islower()}
    assert man_commands == set(COMMANDS), f"man page sections {sorted(man_commands)} vs --help {COMMANDS}"


def test_global_options():
    man = {n for names, _ in entries(sections()["OPTIONS"]) for n in names}
    assert man == helptext.option_names(), f"OPTIONS documents {sorted(man)}"


@pytest.mark.parametrize("command", COMMANDS)
def test_options_match_help(command):
    man = {n for names, _ in documented(command) for n in names}
    helped = helptext.option_names(command)
    assert not helped - man, f"{command}: in --help, not in the man page: {sorted(helped - man)}"
    assert not man - helped, f"{command}: in the man page, not in --help: {sorted(man - helped)}"


@pytest.mark.parametrize("command", COMMANDS)
def test_enumerations_are_listed(command, check):
    docs = documented(command)
    for opt in helptext.options(command):
        if opt.values is None:
            continue
        text = next(t for names, t in docs if set(opt.names) <= names)
        for v in opt.values:
            check(re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text), f"{command} {opt.names[-1]}: value {v} not in its entry")
    check(True, f"{command}: entries found")
    check.done()


def test_groff_renders_without_warnings():
    if shutil.which("groff") is None:
        pytest.skip("SKIPPED, no groff (apt-get install groff-base)")
    r = fl.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN])
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_man_renders_it():
    if shutil.which("man") is None:
        pytest.skip("SKIPPED, no man (apt-get install man-db)")
    r = fl.run(["man", "--warnings", "-l", MAN], env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat", "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    for heading in ["NAME", "SYNOPSIS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", *COMMANDS]:
        assert re.search(rf"^ *{heading}$", r.stdout, re.M), f"man -l: no heading {heading}"
