"""Shared helpers for end-to-end tests: compile fixtures at test time, run
tools, count results. A missing tool is a loud failure, never a silent pass."""
import os
import shutil
import subprocess
import sys

COMPILERS = ("gcc", "clang")
MODES = ("-m64", "-m32")
DWARF = ("-gdwarf-4", "-gdwarf-5")

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


def require(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        print(f"FAILED: required tool(s) missing: {', '.join(missing)} "
              f"(run scripts/setup to install them)", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def build_all(fixtures_dir, workdir, compilers=COMPILERS, modes=MODES, dwarf=DWARF):
    """Compiles every fixtures/c/*.c in every combination. Yields
    (label, object path); raises on a compiler error."""
    os.makedirs(workdir, exist_ok=True)
    sources = sorted(f for f in os.listdir(fixtures_dir) if f.endswith(".c"))
    for cc in compilers:
        for m in modes:
            for d in dwarf:
                tag = f"{cc}{m}{d[1:]}".replace("-", "_")
                for src in sources:
                    name = src[:-2]
                    variants = [("", [])]
                    if name == "task_model":
                        variants = []
                        for cfg, flags in TASK_CONFIGS.items():
                            variants.append((f"_{cfg}" if cfg else "", flags))
                            variants.append((f"_{cfg}_patched" if cfg else "_patched", flags + ["-DPATCHED"]))
                    for suffix, flags in variants:
                        obj = os.path.join(workdir, f"{tag}_{name}{suffix}.o")
                        if not os.path.exists(obj):
                            r = run([*cc_argv(cc, m), "-c", "-O0", "-g", d, *flags, "-o", obj,
                                     os.path.join(fixtures_dir, src)])
                            if r.returncode != 0:
                                raise RuntimeError(f"{cc} {m} {d} {src}: {r.stderr}")
                        yield f"{cc} {m} {d} {name}{suffix}", obj


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)
