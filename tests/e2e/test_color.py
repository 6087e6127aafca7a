"""Colour (issue 18): diff and check paint their text on a terminal only.
--color=auto (the default) colours when stdout is a terminal, NO_COLOR is
unset or empty and TERM is not "dumb"; --color=always colours anywhere (even
with NO_COLOR); --color=never and every machine format (json, github, junit,
markdown, html) never do. Stripping the SGR sequences gives the plain text byte for
byte, so colour never changes what is said."""
import os
import pty
import re
import subprocess

import pytest

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]
SGR = re.compile(r"\x1b\[[0-9;]*m")
BEFORE = "struct task_struct { int a; char b; long c; };\nstruct gone { int x; };\n" \
         "struct task_struct t;\nstruct gone g;\n"
AFTER = "struct task_struct { int a; char b; long c; long d; };\nstruct fresh { int y; };\n" \
        "struct task_struct t;\nstruct fresh f;\n"


@pytest.fixture
def objs(tmp_path):
    out = []
    for name, src in (("before", BEFORE), ("after", AFTER)):
        c = tmp_path / f"{name}.c"
        c.write_text(src)
        o = tmp_path / f"{name}.o"
        assert fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(o), str(c)]).returncode == 0
        out.append(str(o))
    return out


def env(**over):
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    e["TERM"] = "xterm"
    e.update(over)
    return {k: v for k, v in e.items() if v is not None}


def on_tty(argv, environ):
    """Runs argv with stdout on a pseudo-terminal; returns (rc, stdout)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, env=environ)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO once the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    p.wait(timeout=60)
    # The terminal turns "\n" into "\r\n" (onlcr).
    return p.returncode, b"".join(chunks).decode().replace("\r\n", "\n")


def in_pipe(argv, environ):
    r = subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=60)
    return r.returncode, r.stdout


COMMANDS = {
    "diff": lambda b, a: ["diff", b, a],
    "check": lambda b, a: ["check", "--no-growth", "task_struct", b, a],
}


@pytest.mark.parametrize("cmd", sorted(COMMANDS))
def test_auto_colours_a_terminal_only(objs, cmd):
    argv = [PADGUARD, *COMMANDS[cmd](*objs)]
    rc_plain, plain = in_pipe(argv, env())
    assert plain and not SGR.search(plain), plain
    rc, tty = on_tty(argv, env())
    assert rc == rc_plain
    assert SGR.search(tty), f"no colour on a terminal: {tty!r}"
    assert SGR.sub("", tty) == plain
    for quiet in (env(NO_COLOR="1"), env(TERM="dumb")):
        rc, out = on_tty(argv, quiet)
        assert rc == rc_plain and out == plain, (quiet.get("NO_COLOR"), quiet.get("TERM"), out)
    rc, out = on_tty([*argv, "--color=never"], env())
    assert rc == rc_plain and out == plain
    # An empty NO_COLOR does not count (no-color.org).
    rc, out = on_tty(argv, env(NO_COLOR=""))
    assert SGR.search(out)


@pytest.mark.parametrize("cmd", sorted(COMMANDS))
def test_always_and_spelling(objs, cmd):
    argv = [PADGUARD, *COMMANDS[cmd](*objs)]
    rc_plain, plain = in_pipe(argv, env())
    for flag in (["--color=always"], ["--colour=always"], ["--color", "always"]):
        for e in (env(), env(NO_COLOR="1")):
            rc, out = in_pipe([*argv, *flag], e)
            assert rc == rc_plain and SGR.search(out) and SGR.sub("", out) == plain, (flag, out)


def test_what_is_painted(objs):
    _, diff = in_pipe([PADGUARD, "diff", "--color=always", *objs], env())
    lines = diff.splitlines()
    assert any(ln.startswith("\x1b[") and "fresh" in ln for ln in lines), diff    # added
    assert any(ln.startswith("\x1b[") and "gone" in ln for ln in lines), diff     # removed
    _, check = in_pipe([PADGUARD, "check", "--color=always", "--no-growth", "task_struct", *objs], env())
    assert re.search(r"\x1b\[1;31mFAIL\x1b\[m", check), check
    _, ok = in_pipe([PADGUARD, "check", "--color=always", "--no-growth", "gone", objs[0], objs[0]], env())
    assert re.search(r"\x1b\[32mPASS\x1b\[m", ok), ok


@pytest.mark.parametrize("fmt", ["json", "github", "junit", "markdown", "html"])
def test_machine_formats_never(objs, fmt):
    argv = [PADGUARD, "check", "--no-growth", "task_struct", "--format", fmt, *objs]
    _, plain = in_pipe(argv, env())
    for extra in ([], ["--color=always"]):
        rc, out = on_tty([*argv, *extra], env())
        assert not SGR.search(out) and out == plain, (extra, out[:200])


def test_bad_value(objs):
    r = fl.run([PADGUARD, "diff", "--color=sometimes", *objs])
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1, r.stderr
    assert "--color" in r.stderr, r.stderr
