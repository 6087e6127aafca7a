"""docs/ci's GitHub and GitLab files (issue 10): every job that runs padguard
installs the .deb built in the first job (whose Depends bring libdw, libbpf,
libtomlplusplus, ...: hand-listed libraries went missing before), and runs
/usr/bin/padguard, never a build-tree binary it has no libraries for."""
import os
import re

import pytest

CI = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "ci")
FILES = ["github-kernel-matrix.yml", "gitlab-kernel-matrix.yml"]


def jobs(text):
    """Top-level job blocks: GitHub's under 'jobs:' (2-space keys), GitLab's at column 0."""
    gh = "\njobs:\n" in text
    body = text.split("\njobs:\n", 1)[1] if gh else text
    pat = r"^  ([A-Za-z][\w-]*):\n" if gh else r"^([A-Za-z][\w-]*):\n"
    parts = re.split(pat, body, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)
            if parts[i] not in ("variables", "stages")}


@pytest.mark.parametrize("name", FILES)
def test_jobs_install_the_package(name):
    text = open(os.path.join(CI, name)).read()
    js = jobs(text)
    assert len(js) == 3, sorted(js)
    builder = [j for j, b in js.items() if "cpack -G DEB" in b]
    assert len(builder) == 1, "one job builds the .deb"
    for j, body in js.items():
        if j in builder:
            continue
        assert "kernel-matrix" in body, j
        assert re.search(r"apt-get install [^\n]*padguard_\*\.deb", body), f"{name}: {j} does not install the .deb"
        uses = re.findall(r"PADGUARD[=:] *(\S+)", body)
        assert uses and set(uses) == {"/usr/bin/padguard"}, (j, uses)
    assert "build/padguard" not in text.replace("ninja -C build padguard", ""), name
    assert "libdw1" not in text, "runtime libraries come from the .deb's Depends, not a hand list"
