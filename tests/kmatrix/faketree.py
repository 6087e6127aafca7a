"""A fake kernel tree small enough to build in a second: a Makefile that
speaks the part of Kbuild kernel-matrix uses (O=, ARCH=, CROSS_COMPILE=,
KCFLAGS=, config targets, olddefconfig, DIR/FILE.o), scripts/config, two
headers with structs, MAINTAINERS, and the .c files that include them."""

import os
import stat
import subprocess

MAKEFILE = r"""
# Fake Kbuild for kernel-matrix tests.
MAKEFLAGS += -rR
# Like the kernel's Makefile: LC_ALL is not passed on (gcc then follows LANG).
unexport LC_ALL
Makefile: ;
O ?= .
ARCH ?= x86_64
SRC := $(CURDIR)
SRCARCH := $(patsubst x86_64,x86,$(patsubst i386,x86,$(ARCH)))
M32 := $(if $(and $(filter i386,$(ARCH)),$(if $(CROSS_COMPILE),,y)),-m32,)
CONFIGS := $(notdir $(wildcard $(SRC)/arch/$(SRCARCH)/configs/*defconfig))

.PHONY: FORCE olddefconfig tinyconfig $(CONFIGS)
defconfig: FORCE
	@cp $(firstword $(wildcard $(SRC)/arch/$(SRCARCH)/configs/defconfig $(SRC)/arch/$(SRCARCH)/configs/$(ARCH)_defconfig $(SRC)/arch/$(SRCARCH)/configs/*defconfig)) $(O)/.config
$(filter-out defconfig,$(CONFIGS)):
	@cp $(SRC)/arch/$(SRCARCH)/configs/$@ $(O)/.config
tinyconfig:
	@echo "# tiny" > $(O)/.config
olddefconfig:
	@true
# Like Kbuild: an O= dir right below the source refers to it as "..".
SRCREF := $(if $(filter $(SRC),$(patsubst %/,%,$(dir $(abspath $(O))))),..,$(SRC))
%.o: FORCE
	@mkdir -p $(dir $(O)/$@)
	cd $(O) && $(CROSS_COMPILE)gcc $(M32) -gdwarf-5 -O1 -c $(KCFLAGS) -D__KMX_ARCH_$(ARCH) -I$(SRCREF)/include -o $@ $(SRCREF)/$*.c
"""

SCRIPTS_CONFIG = r"""#!/bin/sh
# Fake scripts/config: append the requested settings to --file.
while [ $# -gt 0 ]; do
  case "$1" in
    --file) f=$2; shift 2 ;;
    --enable) echo "CONFIG_$2=y" >> "$f"; shift 2 ;;
    --module) echo "CONFIG_$2=m" >> "$f"; shift 2 ;;
    --disable) echo "# CONFIG_$2 is not set" >> "$f"; shift 2 ;;
    --set-val) echo "CONFIG_$2=$3" >> "$f"; shift 3 ;;
    *) echo "scripts/config: unknown $1" >&2; exit 1 ;;
  esac
done
"""

SCHED_H = """#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H
struct rcu_head { void *next; void (*func)(struct rcu_head *); };
struct task_struct {
	long state;
	union {
		int rcu_users;
		struct rcu_head rcu;
	};
	int pagefault_disabled;
	void *stack;
	char comm[16];
};
#endif
"""

FILES = {
    "Makefile": MAKEFILE,
    "include/linux/sched.h": SCHED_H,
    "include/linux/netdevice.h": "struct net_device { char name[16]; unsigned long state; int ifindex; };\n",
    "kernel/fork.c": "#include <linux/sched.h>\nstruct task_struct init_task_fake;\n"
                     "int task_size(void) { return sizeof(struct task_struct); }\n",
    "kernel/Makefile": "obj-y = fork.o exit.o\n",
    "kernel/exit.c": "int exit_fake;\n",
    "net/core/dev.c": "#include <linux/netdevice.h>\n#include <linux/sched.h>\nstruct net_device loopback_fake;\n"
                      "struct task_struct *current_fake;\nint dev_task_size(void) { return sizeof(*current_fake); }\n",
    "net/core/Makefile": "obj-y += dev.o\n",
    "MAINTAINERS": "SCHEDULER\nF:\tinclude/linux/sched.h\nF:\tkernel/sched/\n\n"
                   "NETWORKING [GENERAL]\nF:\tinclude/linux/netdevice.h\nF:\tnet/\n",
    "arch/x86/configs/x86_64_defconfig": "CONFIG_64BIT=y\n",
    "arch/x86/configs/i386_defconfig": "# CONFIG_64BIT is not set\n",
    "arch/arm/configs/multi_v7_defconfig": "CONFIG_ARM=y\n",
    "arch/sparc/configs/sparc64_defconfig": "CONFIG_SPARC64=y\n",
    "arch/powerpc/Makefile": "ppc64le_defconfig:\n\t$(call merge_into_defconfig,ppc64_defconfig,le)\n",
    "arch/powerpc/configs/ppc64_defconfig": "CONFIG_PPC64=y\n",
}

# Moves rcu_users and rcu out of the union (the seed change, in small).
PATCH_MOVE = """--- a/include/linux/sched.h
+++ b/include/linux/sched.h
@@ -3,11 +3,9 @@
 struct rcu_head { void *next; void (*func)(struct rcu_head *); };
 struct task_struct {
 	long state;
-	union {
-		int rcu_users;
-		struct rcu_head rcu;
-	};
+	int rcu_users;
 	int pagefault_disabled;
+	struct rcu_head rcu;
 	void *stack;
 	char comm[16];
 };
"""

# Breaks the build on x86_64 only.
PATCH_BREAK_X86_64 = """--- a/include/linux/sched.h
+++ b/include/linux/sched.h
@@ -1,5 +1,8 @@
 #ifndef _LINUX_SCHED_H
 #define _LINUX_SCHED_H
+#ifdef __KMX_ARCH_x86_64
+int broken_on_x86_64 = ;
+#endif
 struct rcu_head { void *next; void (*func)(struct rcu_head *); };
 struct task_struct {
 	long state;
"""


def make_tree(root):
    for rel, text in FILES.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    sc = os.path.join(root, "scripts", "config")
    os.makedirs(os.path.dirname(sc), exist_ok=True)
    with open(sc, "w") as f:
        f.write(SCRIPTS_CONFIG)
    os.chmod(sc, os.stat(sc).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(root)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


def git_repo(root):
    """The fake tree as a git repo with two commits: the base and the move."""
    make_tree(root)
    g = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(g[:3] + ["init", "-q"], check=True)
    subprocess.run(g + ["add", "-A"], check=True)
    subprocess.run(g + ["commit", "-qm", "base"], check=True)
    subprocess.run(["patch", "-p1", "-s", "-d", str(root)], input=PATCH_MOVE.encode(), check=True)
    subprocess.run(g + ["commit", "-qam", "move rcu_users"], check=True)
    return str(root)
