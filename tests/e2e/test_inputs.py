"""Input detection and the inputs padguard refuses (issue 11's input seam,
issue 10's split DWARF and type units, issue 12's non-regular files): each
case ends in exit 2 with one stderr line naming the file and the reason, or
reads the file; never a hang, never exit 0 with nothing read. Every DWARF case
runs with both backends."""
import json
import os
import shutil
import stat
import subprocess

import pytest

PADGUARD = os.environ["PADGUARD"]
BACKENDS = ("libdw", "libdwarf")
SOURCE = "struct point { int x; char c; long y; };\nstruct point p;\nint main(void) { return 0; }\n"
SPLIT = "split DWARF: the types are in .dwo files"
TYPE_UNITS = "type units (-fdebug-types-section)"


def padguard(*args, timeout=20):
    r = subprocess.run([PADGUARD, *args], capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def assert_refused(path, must, *args):
    rc, out, err = padguard(*args, str(path))
    lines = err.strip().splitlines()
    assert rc == 2 and out == "", (rc, out, err)
    assert len(lines) == 1 and lines[0].startswith(f"padguard: {path}: ") and must in lines[0], err


def compile_c(tmp_path, name, flags, link=False):
    if shutil.which("gcc") is None:
        pytest.skip("SKIPPED LOUDLY: gcc not installed")
    src = tmp_path / "point.c"
    src.write_text(SOURCE)
    out = tmp_path / name
    cmd = ["gcc", "-g", *flags, str(src), "-o", str(out)] if link else ["gcc", "-g", *flags, "-c", str(src), "-o", str(out)]
    subprocess.run(cmd, check=True, cwd=tmp_path)
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_fifo_is_refused_without_blocking(tmp_path, backend):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_refused(fifo, "is a FIFO", "layout", "--backend", backend)


@pytest.mark.parametrize("command", (["crosscheck"], ["extract", "-o", "/dev/null"]))
def test_fifo_is_refused_by_other_commands(tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    rc, out, err = padguard(*command, str(fifo))
    assert rc == 2 and "is a FIFO" in err, (rc, out, err)


def test_fifo_in_diff_is_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    rc, out, err = padguard("diff", str(fifo), str(fifo))
    assert rc == 2 and f"padguard: {fifo}: is a FIFO" in err, (rc, out, err)


@pytest.mark.parametrize("backend", BACKENDS)
def test_directory_is_refused(tmp_path, backend):
    assert_refused(tmp_path, "is a directory", "layout", "--backend", backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_device_is_refused(backend):
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert_refused("/dev/null", "is a device", "layout", "--backend", backend)


def test_missing_file_is_named(tmp_path):
    assert_refused(tmp_path / "nope.o", "cannot open", "layout")


def test_ar_archive_is_named(tmp_path):
    archive = tmp_path / "lib.a"
    archive.write_bytes(b"!<arch>\n")
    assert_refused(archive, "ar archive", "layout")


COMPRESSORS = (("xz", ["xz", "-k"], ".xz", "unxz"), ("gzip", ["gzip", "-k"], ".gz", "gunzip"),
               ("zstd", ["zstd", "-q", "-k"], ".zst", "unzstd"))


@pytest.mark.parametrize("what,argv,ext,fix", COMPRESSORS, ids=[c[0] for c in COMPRESSORS])
@pytest.mark.parametrize("command", (["layout"], ["check", "--no-growth", "all"]), ids=("layout", "check"))
def test_compressed_module_is_named(tmp_path, what, argv, ext, fix, command):
    """Distributions ship modules as .ko.xz (Debian), .ko.zst, .ko.gz: say which and how to unpack."""
    if shutil.which(argv[0]) is None:
        pytest.skip(f"SKIPPED LOUDLY: {argv[0]} not installed (scripts/setup installs it)")
    obj = compile_c(tmp_path, "mod.ko", [])
    subprocess.run([*argv, str(obj)], check=True)
    packed = str(obj) + ext
    extra = [packed] if command[0] == "check" else []
    rc, out, err = padguard(*command, packed, *extra)
    assert rc == 2, (rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"{what}-compressed" in lines[0] and fix in lines[0] and packed in lines[0], err


@pytest.mark.parametrize("prefix", (b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n\t"), ids=("plain", "bom", "bom-blanks"))
def test_facts_with_or_without_bom_are_read(tmp_path, prefix):
    obj = compile_c(tmp_path, "point.o", [])
    facts = tmp_path / "facts.json"
    rc, _, err = padguard("extract", str(obj), "-o", str(facts))
    assert rc == 0, err
    with_prefix = tmp_path / "prefixed.json"
    with_prefix.write_bytes(prefix + facts.read_bytes())
    rc_a, out_a, err_a = padguard("layout", "-C", "point", str(with_prefix))
    rc_b, out_b, _ = padguard("layout", "-C", "point", str(obj))
    assert rc_a == 0 and rc_b == 0, err_a
    assert out_a == out_b and "struct point {" in out_a


def test_bom_alone_is_not_an_input(tmp_path):
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf\n")
    assert_refused(bom, "not an ELF file", "layout")


# (name, gcc flags, link, expected reason)
REFUSED = [
    ("skeleton-dwarf5.o", ["-gdwarf-5", "-gsplit-dwarf"], False, SPLIT),
    ("skeleton-dwarf4.o", ["-gdwarf-4", "-gsplit-dwarf"], False, SPLIT),  # DW_AT_GNU_dwo_name
    ("skeleton-dwarf5-exe", ["-gdwarf-5", "-gsplit-dwarf"], True, SPLIT),
    ("types-dwarf4.o", ["-gdwarf-4", "-fdebug-types-section"], False, TYPE_UNITS),  # .debug_types
    ("types-dwarf5.o", ["-gdwarf-5", "-fdebug-types-section"], False, TYPE_UNITS),  # COMDAT .debug_info
    ("types-dwarf4-exe", ["-gdwarf-4", "-fdebug-types-section"], True, TYPE_UNITS),
    ("types-dwarf5-exe", ["-gdwarf-5", "-fdebug-types-section"], True, TYPE_UNITS),  # DW_UT_type
]


# libdw reads split DWARF (tests/e2e/test_split_dwarf.py); libdwarf refuses it.
REFUSED_BY = [(b, *r) for r in REFUSED for b in BACKENDS if not (r[3] == SPLIT and b == "libdw")]


@pytest.mark.parametrize("backend,name,flags,link,reason", REFUSED_BY, ids=[f"{r[1]}-{r[0]}" for r in REFUSED_BY])
def test_types_elsewhere_are_refused(tmp_path, backend, name, flags, link, reason):
    f = compile_c(tmp_path, name, flags, link)
    assert_refused(f, reason, "layout", "--backend", backend)


def test_types_elsewhere_fail_the_gate(tmp_path):
    f = compile_c(tmp_path, "split.o", ["-gdwarf-5", "-gsplit-dwarf"])
    rc, out, err = padguard("check", "--backend", "libdwarf", "--no-growth", "all", str(f), str(f))
    assert rc == 2 and SPLIT in err, (rc, out, err)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("version", ("4", "5"))
def test_dwo_file_is_refused(tmp_path, backend, version):
    compile_c(tmp_path, "point.o", [f"-gdwarf-{version}", "-gsplit-dwarf"])
    dwo = tmp_path / "point.dwo"
    assert dwo.exists()
    assert_refused(dwo, "split-DWARF .dwo file", "layout", "--backend", backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_plain_object_still_reads(tmp_path, backend):
    f = compile_c(tmp_path, "point.o", ["-gdwarf-5"])
    rc, out, err = padguard("layout", "--backend", backend, str(f))
    assert rc == 0 and "struct point {" in out and "/* size: 16" in out, (rc, out, err)


# ---- facts files are validated, not trusted (issue 12) -------------------------

def _arrays_facts(tmp_path):
    src = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "c", "arrays.c")
    obj = tmp_path / "arrays.o"
    subprocess.run(["gcc", "-g", "-c", "-o", str(obj), src], check=True)
    facts = tmp_path / "arrays.json"
    rc, _, err = padguard("extract", str(obj), "-o", str(facts))
    assert rc == 0, err
    return obj, json.loads(facts.read_text())


def _first_array_type(doc):
    return next(i for i, t in enumerate(doc["types"]) if t.get("kind") == "array")


FACTS_MUTATIONS = {
    # name: (mutate(doc), JSON pointer or phrase the one-line message must hold)
    "negative size": (lambda d: d["record_table"][0].__setitem__("byte_size", -1), "/record_table/0/byte_size: -1"),
    "fractional size": (lambda d: d["record_table"][0].__setitem__("byte_size", 40.9), "/record_table/0/byte_size: 40.9"),
    "size 2^70": (lambda d: d["record_table"][0].__setitem__("byte_size", 2 ** 70), "/record_table/0/byte_size"),
    "size 2^64-1": (lambda d: d["record_table"][0].__setitem__("byte_size", 2 ** 64 - 1), "implausible"),
    "address size 300": (lambda d: d["record_table"][0].__setitem__("address_size", 300), "/record_table/0/address_size"),
    "file address size 3": (lambda d: d.__setitem__("address_size", 3), "/address_size: 3"),
    "negative bit offset": (lambda d: d["record_table"][0]["members"][0].__setitem__("bit_offset", -8),
                            "/record_table/0/members/0/bit_offset: -8"),
    "member past the record": (lambda d: d["record_table"][0]["members"][0].__setitem__("bit_offset", 10 ** 6),
                               "past the record"),
    "member size contradicts type": (lambda d: d["record_table"][0]["members"][0].__setitem__("byte_size", 12345),
                                     "/record_table/0/members/0/byte_size: 12345 contradicts"),
    "dims 2^62 x 2^62": (lambda d: d["types"][_first_array_type(d)].__setitem__("dims", [2 ** 62, 2 ** 62]),
                         "more than 2^40 elements"),
    "negative record index": (lambda d: d.__setitem__("records", [-1]), "/records/0: -1"),
    "fractional type index": (lambda d: d["record_table"][0]["members"][0].__setitem__("type", 0.5),
                              "/record_table/0/members/0/type: 0.5"),
}


@pytest.mark.parametrize("case", sorted(FACTS_MUTATIONS))
@pytest.mark.parametrize("command", ("layout", "check"))
def test_facts_values_are_validated(tmp_path, case, command):
    obj, doc = _arrays_facts(tmp_path)
    mutate, must = FACTS_MUTATIONS[case]
    mutate(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    args = ["layout", str(bad)] if command == "layout" else ["check", "--no-growth", "all", str(obj), str(bad)]
    rc, out, err = padguard(*args)
    assert rc == 2, (rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"padguard: {bad}: ") and must in lines[0], err


@pytest.mark.parametrize("where", ("top", "record"))
def test_facts_duplicate_keys_are_refused(tmp_path, where):
    _, doc = _arrays_facts(tmp_path)
    text = json.dumps(doc)
    if where == "top":
        text = text.replace('"kind": "facts"', '"kind": "facts", "kind": "facts"', 1)
        pointer = "/kind"
    else:
        text = text.replace('"byte_size":', '"byte_size": 1, "byte_size":', 1)
        pointer = "/byte_size"
    bad = tmp_path / "dup.json"
    bad.write_text(text)
    rc, _, err = padguard("layout", str(bad))
    assert rc == 2 and "duplicate key" in err and pointer in err, err


def test_extract_output_reads_back_identically(tmp_path):
    obj, _ = _arrays_facts(tmp_path)
    facts = tmp_path / "arrays.json"
    assert padguard("layout", str(facts))[1] == padguard("layout", str(obj))[1]


# ---- stdin as a stream (issue 12) ----------------------------------------------

@pytest.mark.parametrize("name", ("-", "/dev/stdin"))
def test_stdin_pipe_is_read(tmp_path, name):
    obj = compile_c(tmp_path, "point.o", [])
    want = padguard("layout", str(obj))[1]
    r = subprocess.run(f"cat {obj} | {PADGUARD} layout {name}", shell=True, capture_output=True, text=True,
                       timeout=20)
    assert r.returncode == 0 and r.stdout == want and want, r.stderr
    d = subprocess.run(f"cat {obj} | {PADGUARD} diff - {obj}", shell=True, capture_output=True, text=True,
                       timeout=20)
    assert d.returncode == 0 and d.stdout.startswith("--- stdin\n"), d.stdout + d.stderr


@pytest.mark.parametrize("data,must", ((b"junk\n", "not an ELF file"), (b"", "empty")), ids=("junk", "empty"))
def test_stdin_garbage_names_stdin(data, must):
    r = subprocess.run([PADGUARD, "layout", "-"], input=data, capture_output=True, timeout=20)
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1 and err.startswith("padguard: stdin: ") and must in err, err


def test_empty_file_argument_is_refused():
    """layout "" is a mistake (an unset shell variable), not "no FILE": it must
    not silently read the running kernel's BTF."""
    rc, out, err = padguard("layout", "")
    assert rc == 2 and out == "" and "FILE is empty" in err, (rc, out, err)


@pytest.mark.parametrize("cc", ("gcc", "clang"))
@pytest.mark.parametrize("command", ("layout", "check"))
def test_lto_object_is_named(tmp_path, cc, command):
    """An -flto object holds no DWARF yet (GCC: .gnu.lto_ sections; clang:
    LLVM bitcode): say so instead of "build with -g"."""
    if shutil.which(cc) is None:
        pytest.skip(f"SKIPPED LOUDLY: {cc} not installed")
    src = tmp_path / "lto.c"
    src.write_text(SOURCE)
    obj = tmp_path / f"lto-{cc}.o"
    subprocess.run([cc, "-g", "-flto", "-c", str(src), "-o", str(obj)], check=True)
    args = ["layout", str(obj)] if command == "layout" else ["check", "--no-growth", "all", str(obj), str(obj)]
    rc, out, err = padguard(*args)
    assert rc == 2 and "LTO" in err and "-flto" in err and "build with -g" not in err, (rc, out, err)
