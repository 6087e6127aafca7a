"""kernel-matrix's stdout is the check's report (text, JSON, markdown):
a helper command's output (apt-get download, patch, tar) must go to stderr,
or `kernel-matrix -- --format json` would not parse."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))

from kmatrix import util  # noqa: E402


def test_helper_output_goes_to_stderr(capfd):
    assert util.run(["echo", "from-a-helper"]).returncode == 0
    out, err = capfd.readouterr()
    assert out == "" and "from-a-helper" in err


def test_captured_output_is_still_captured():
    r = util.run(["echo", "kept"], capture_output=True, text=True)
    assert r.stdout == "kept\n"
