"""Shared helpers for the end-to-end tests (pytest, see conftest.py): compile
fixtures once into a content-addressed cache under the build tree, run tools,
collect several checks in one test. A missing tool is a loud failure, never a
silent pass. Contract for every tests/e2e/test_*.py: $PADGUARD is the binary
under test; cc_argv(cc, mode) and run(cmd) below."""
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures", "c")

COMPILERS = ("gcc", "clang")
MODES = ("-m64", "-m32", "-marm32")
DWARF = ("-gdwarf-4", "-gdwarf-5")
# Mode names in test ids: none is a substring of another, so
# `pytest -k "m32"` selects i386 builds and `-k armhf` the arm32 ones.
MODE_ID = {"-m64": "m64", "-m32": "m32", "-marm32": "armhf"}
# `ld -r` for a mode's objects: the host ld links i386 too, arm32 needs binutils' cross ld.
LD_ARGV = {"-m64": ["ld"], "-m32": ["ld", "-m", "elf_i386"], "-marm32": ["arm-linux-gnueabihf-ld"]}

# task_model.c builds (suffix, extra flags): before/after the seed patch under
# the simulated configs documented at the top of fixtures/c/task_model.c.
TASK_CONFIGS = {
    "": [],
    "tiny": ["-DCONFIG_TINY"],
    "tiny_cl": ["-DCONFIG_TINY", "-DCONFIG_CACHELINE_TASK"],
    "cl": ["-DCONFIG_CACHELINE_TASK"],
    "rt": ["-DCONFIG_PREEMPT_RT", "-DCONFIG_DEBUG_ATOMIC_SLEEP"],
}


# 32-bit code is built with Debian's cross compilers, never gcc-multilib: on
# bookworm gcc-multilib and the gcc-*-linux-gnu* cross packages conflict.
CROSS_GCC = {"-m32": "i686-linux-gnu-gcc", "-marm32": "arm-linux-gnueabihf-gcc"}
CROSS_GXX = {"-m32": "i686-linux-gnu-g++", "-marm32": "arm-linux-gnueabihf-g++"}
CLANG_TARGET = {"-m32": "i686-linux-gnu", "-marm32": "arm-linux-gnueabihf"}


# Every machine's gcc (Debian's cross packages, scripts/cross-packages.txt) for
# the tests over machines (test_elf_forms.py): arch id -> (gcc, package).
MACHINE_GCC = {
    "x86_64": ("gcc", "gcc"),
    "i386": ("i686-linux-gnu-gcc", "gcc-i686-linux-gnu"),
    "arm": ("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf"),
    "aarch64": ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
    "mips": ("mips-linux-gnu-gcc", "gcc-mips-linux-gnu"),
    "mipsel": ("mipsel-linux-gnu-gcc", "gcc-mipsel-linux-gnu"),
    "ppc64le": ("powerpc64le-linux-gnu-gcc", "gcc-powerpc64le-linux-gnu"),
    "riscv64": ("riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu"),
    "s390x": ("s390x-linux-gnu-gcc", "gcc-s390x-linux-gnu"),
}


def machine_gcc(arch):
    """The gcc for `arch` (MACHINE_GCC); a missing cross compiler skips the
    calling test loudly, naming the package (the host gcc is required)."""
    import pytest
    cc, package = MACHINE_GCC[arch]
    if arch == "x86_64":
        require(cc)
    elif shutil.which(cc) is None:
        pytest.skip(f"SKIPPED, no {arch} cross compiler: {cc} is absent (apt-get install {package})")
    return cc


def cc_argv(cc, mode):
    """The compiler command for `cc` (gcc, clang, g++, clang++) in `mode`
    (-m64, -m32 for i386, -marm32 for arm32 EABI hard-float)."""
    if mode == "-m64":
        return [cc, "-m64"]
    if cc == "gcc":
        return [CROSS_GCC[mode]]
    if cc == "g++":
        return [CROSS_GXX[mode]]
    return [cc, f"--target={CLANG_TARGET[mode]}"]


# binutils for an object of `mode`: the host objcopy knows only x86 formats.
CROSS_BINUTILS = {"-marm32": "arm-linux-gnueabihf-"}


def objcopy_argv(mode):
    """The objcopy that can rewrite objects built in `mode`."""
    return [CROSS_BINUTILS.get(mode, "") + "objcopy"]


def tools_for(compilers=COMPILERS, modes=MODES):
    """The executables that cc_argv needs for these compilers and modes."""
    return sorted({cc_argv(cc, m)[0] for cc in compilers for m in modes})


def require(*tools):
    """Fails the calling test (never skips) when a tool is missing."""
    import pytest
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"required tool(s) missing: {', '.join(missing)} (run scripts/setup to install them)",
                    pytrace=False)


def skip_without(path, what):
    """Data that may be absent even in CI (a vmlinux, a -dbg package): skip
    loudly, naming what is missing and how to get it. Tools never skip: require()."""
    import pytest
    if not os.path.exists(path):
        pytest.skip(f"SKIPPED, no {what}: {path} is absent")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def padguard():
    return os.environ["PADGUARD"]


def pahole_layout(*args):
    """The oracle: pahole 1.24 on DWARF with 64-byte cachelines, as padguard's default."""
    return run(["pahole", "-F", "dwarf", "-c", "64", *args])


def padguard_layout(*args):
    return run([padguard(), "layout", *args])


def work_root():
    """$PADGUARD_WORKDIR, else e2e-work/ next to the padguard binary (the build tree)."""
    return os.environ.get("PADGUARD_WORKDIR") or os.path.join(os.path.dirname(padguard()), "e2e-work")


def work_dir(name):
    p = os.path.join(work_root(), name)
    os.makedirs(p, exist_ok=True)
    return p


class CompileError(RuntimeError):
    pass


def _tool_stamp(exe):
    path = shutil.which(exe)
    return f"{path}:{os.stat(path).st_mtime_ns}" if path else exe


def compile_cached(argv, src, flags, ext=".o", label="obj", cwd=None):
    """Compiles `src` with `argv + flags` (-c unless flags say otherwise) into
    the shared cache; the file name hashes the command, the compiler binary and
    the source text, so a changed fixture or compiler is rebuilt and suites
    running in parallel share the objects safely (atomic rename)."""
    src_path = os.path.join(cwd, src) if cwd else src
    with open(src_path, "rb") as f:
        text = f.read()
    key = hashlib.sha1("\0".join([*argv, *flags, _tool_stamp(argv[0]), src]).encode() + text).hexdigest()[:16]
    cache = work_dir("cache")
    out = os.path.join(cache, f"{label}-{key}{ext}")
    if os.path.exists(out):
        return out
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=ext)
    os.close(fd)
    mode = [] if "-shared" in flags else ["-c"]
    r = run([*argv, *mode, *flags, "-o", tmp, src], cwd=cwd)
    if r.returncode != 0:
        os.unlink(tmp)
        raise CompileError(f"{' '.join([*argv, *flags, src])}: {r.stderr.strip()[:2000]}")
    os.replace(tmp, out)
    return out


class Build:
    """One compiled fixture: id parts, the object and how it was made."""

    def __init__(self, cc, mode, dwarf, name, obj=None, error=None):
        self.cc, self.mode, self.dwarf, self.name = cc, mode, dwarf, name
        self.obj, self.error = obj, error

    @property
    def id(self):
        return f"{self.cc}-{MODE_ID[self.mode]}-{self.dwarf[2:]}-{self.name}"

    @property
    def label(self):
        return f"{self.cc} {self.mode} {self.dwarf} {self.name}"


def fixture_variants(fixtures_dir=FIXTURES):
    """(name, source, flags) for every fixtures/c/*.c; task_model.c in every
    configuration, before and after the seed patch."""
    out = []
    for src in sorted(f for f in os.listdir(fixtures_dir) if f.endswith(".c")):
        name = src[:-2]
        path = os.path.join(fixtures_dir, src)
        if name != "task_model":
            out.append((name, path, []))
            continue
        for cfg, flags in TASK_CONFIGS.items():
            out.append((f"{name}_{cfg}" if cfg else name, path, flags))
            out.append((f"{name}_{cfg}_patched" if cfg else f"{name}_patched", path, flags + ["-DPATCHED"]))
    return out


def build_all(fixtures_dir=FIXTURES, compilers=COMPILERS, modes=MODES, dwarf=DWARF):
    """Compiles every fixture variant in every combination, in parallel, once
    (cached). Returns [Build]; a failed compile is a Build with .error set, so
    the test that uses it fails with the compiler's message."""
    jobs = [(cc, m, d, name, path, flags) for cc in compilers for m in modes for d in dwarf
            for name, path, flags in fixture_variants(fixtures_dir)]

    def one(job):
        cc, m, d, name, path, flags = job
        try:
            obj = compile_cached(cc_argv(cc, m), path, ["-O0", "-g", d, *flags],
                                 label=f"{cc}{m}{d[1:]}_{name}")
            return Build(cc, m, d, name, obj)
        except (CompileError, OSError) as e:
            return Build(cc, m, d, name, error=str(e))

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(one, jobs))


class Checks:
    """Several checks in one test: every failure is collected and reported
    together by done() (as the old scripts listed every FAIL line)."""
    total = 0   # checks made in this session (printed in the summary)

    def __init__(self):
        self.failures = []
        self.count = 0

    def __call__(self, ok, what):
        Checks.total += 1
        self.count += 1
        if not ok:
            self.failures.append(what)
        return ok

    def done(self):
        assert self.count > 0, "test made no checks"
        assert not self.failures, f"{len(self.failures)} of {self.count} checks failed:\n" + \
            "\n".join(f"FAIL: {f}" for f in self.failures)


_VALIDATOR = None


def schema_validator():
    """The JSON Schema validator for docs/schema/padguard.schema.json (once)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        import json
        import jsonschema
        with open(os.path.join(ROOT, "docs", "schema", "padguard.schema.json")) as f:
            _VALIDATOR = jsonschema.Draft202012Validator(json.load(f))
    return _VALIDATOR


def before_after(src, cc, mode, label, flags=("-O0", "-g")):
    """(old, new): `src` compiled for cc/mode without and with -DAFTER (cached)."""
    argv = cc_argv(cc, mode)
    return (compile_cached(argv, src, list(flags), label=f"{label}_{cc}{mode}"),
            compile_cached(argv, src, list(flags) + ["-DAFTER"], label=f"{label}_{cc}{mode}_after"))
