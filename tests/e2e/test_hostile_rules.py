"""Rules cost memory by members, not by bytes, and limits do not wrap
(issue 12): --disjoint over two 16 GiB arrays is interval arithmetic, and
--max-growth takes any limit up to 2^64-1."""
import os
import resource
import subprocess

import fixturelib as fl

PADGUARD = os.environ["PADGUARD"]


def compile_c(tmp, name, text):
    src = tmp / f"{name}.c"
    src.write_text(text)
    obj = tmp / f"{name}.o"
    r = fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", str(obj), str(src)], cwd=tmp)
    assert r.returncode == 0, r.stderr
    return str(obj)


HUGE = "struct s { union { char a[1UL<<34]; char b[1UL<<34]; }; long tail; };\nstruct s *p;\n"


def run_peak(cmd, timeout):
    """Runs cmd; returns (returncode, output, peak RSS in MB of the largest
    child so far: an upper bound for cmd's). No address-space limit: ASan's
    shadow memory needs terabytes of it."""
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_disjoint_over_huge_arrays_counts_bytes_without_holding_them(tmp_path):
    obj = compile_c(tmp_path, "huge", HUGE)
    # A set of 2^34 bytes would take minutes and gigabytes; intervals take neither.
    rc, out, peak = run_peak([PADGUARD, "check", "--disjoint", "s.a,s.b", obj, obj], timeout=60)
    assert rc == 1, out
    assert "share 17179869184 bytes" in out
    assert peak < 512, f"peak RSS {peak:.0f} MB"
    rc, out, _ = run_peak([PADGUARD, "check", "--disjoint", "s.a,s.tail", obj, obj], timeout=60)
    assert rc == 0 and "share no byte" in out, out


def test_max_growth_limits_do_not_wrap(tmp_path):
    old = compile_c(tmp_path, "old", "struct s { int a; };\nstruct s x;\n")
    (tmp_path / "n").mkdir()
    new = compile_c(tmp_path / "n", "new", "struct s { int a; long b; };\nstruct s x;\n")
    for limit in ("9223372036854775808", "18446744073709551615"):
        r = fl.run([PADGUARD, "check", "--max-growth", f"s={limit}", old, new])
        assert r.returncode == 0 and "+12" in r.stdout, (limit, r.stdout + r.stderr)
    r = fl.run([PADGUARD, "check", "--max-growth", "s=11", old, new])
    assert r.returncode == 1, r.stdout
    r = fl.run([PADGUARD, "check", "--max-growth", "s=18446744073709551616", old, new])
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_an_error_is_one_line_whatever_names_it_quotes(tmp_path):
    obj = compile_c(tmp_path, "one", "struct s { int a; };\nstruct s x;\n")
    r = fl.run([PADGUARD, "layout", "-C", "nosuch\n::error file=x::forged\x1b[31m", obj])
    assert r.returncode == 2
    assert len(r.stderr.splitlines()) == 1 and "\x1b" not in r.stderr, r.stderr
    assert "\\x0a::error" in r.stderr, r.stderr
