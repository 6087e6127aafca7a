"""`padguard [COMMAND] --help` read back (CLI11's layout): the commands and
each command's options. The oracle that test_manpage and test_completions
hold the man page and the shell completions to; parsed here independently of
scripts/gen-completions, which generates the completions from the same text."""
import re
from dataclasses import dataclass

import fixturelib as fl


@dataclass
class Option:
    names: list          # ["-C", "--class_name"]
    takes_value: bool
    values: list | None  # the {a,b,c} list of an enumeration, else None


def help_text(*command):
    r = fl.run([fl.padguard(), *command, "--help"])
    assert r.returncode == 0, f"padguard {' '.join(command)} --help: {r.stderr}"
    return r.stdout


def _section(text, title):
    m = re.search(rf"^{title}:\n(.*?)(?:\n\n|\Z)", text, re.S | re.M)
    return m.group(1).splitlines() if m else []


def commands():
    return [line.split()[0] for line in _section(help_text(), "Subcommands") if re.match(r"  \w", line)]


def options(*command):
    out = []
    for line in _section(help_text(*command), "Options"):
        # "  -F,--input-format TEXT:{btf,dwarf,auto}", "  --dies   also compare..."
        m = re.match(r"  (-\S+)(?: (\S.*?))?(?:  |$)", line)
        if m:
            enum = re.search(r"\{([^}]*)\}", m.group(2) or "")
            out.append(Option(m.group(1).split(","), bool(m.group(2)), enum.group(1).split(",") if enum else None))
    assert out, f"no options parsed from padguard {' '.join(command)} --help"
    return out


def option_names(*command):
    return {n for o in options(*command) for n in o.names}
