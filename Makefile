# Orbital: top-level build.
#
#   make            kernel (build/orbital.elf), ISO (build/orbital.iso), user programs, orbvm
#   make run        boot Orbital in QEMU (serial console on this terminal)
#   make debug      boot halted under a GDB stub and attach GDB
#   make test       every test: host unit tests, fuzzers, QEMU integration tests, orbvm tests
#   make bench      benchmarks (Orbital beside Linux under QEMU TCG)
#   make soak       the SMP and user-space QEMU tests over and over (mk/soak.mk)
#   make faultinject  faults injected into the services while they work (mk/soak.mk)
#   make fuzz-kernel  system calls racing from many threads and processes (mk/fuzzkernel.mk)
#   make check-size   functions over 60 lines, files over 600 say why (tools/check-size.py)
#   make check-make   every .PHONY name has a rule, required make files are included
#                     with plain `include`, every script a recipe runs exists (tools/check-make.py)
#   make check-docs   no references outside the repository, every path the docs name exists,
#                     docs/hacking.md's examples are the real files (tools/check-docs.py)
#   make check-arch   portable code reaches the machine only through kernel/arch/*.h: no
#                     x86-private include, no inline asm, no x86 register names (tools/check-arch.py)
#   make check-testmap  docs/testing.md maps every component to its tests and names every
#                     test file, and every file it names exists (tools/check-testmap.py)
#   make format       clang-format every .c and .h in place; make check-format only checks
#   make kernel, user, bootfs, iso, orbvm, host-tests, fuzz   one part of the build
#   make clean
#
# `make run` and `make test` first install missing Debian packages (tools/deps.sh).
# Build with clang instead of gcc: make CC=clang

ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(findstring clang,$(CC)),clang)
COMPILER := clang
else
COMPILER := gcc
endif

# V=1 shows full commands.
Q       := $(if $(V),,@)
LD      ?= ld
OBJCOPY ?= objcopy
NM      ?= nm
PYTHON  ?= python3
QEMU    ?= qemu-system-x86_64
BUILD   := build
# Clang builds go to a separate tree so both compilers can be checked side by side.
ifeq ($(COMPILER),clang)
BUILD   := build/clang
endif

.DEFAULT_GOAL := all
.PHONY: all run debug test bench clean deps format check-format check-size check-make check-docs check-arch \
	check-testmap

include mk/kernel.mk
include mk/host.mk
include mk/iso.mk
include tests/fuzz/fuzz.mk
include vmm/vmm.mk
include mk/user.mk
include mk/lab.mk
include mk/soak.mk
include mk/fuzzkernel.mk

all: kernel iso $(ALL_EXTRA)

deps:
	@bash tools/deps.sh

run: deps all
	@bash tools/run-qemu.sh $(BUILD)

debug: deps all
	@bash tools/debug.sh $(BUILD)

test: deps
	@$(MAKE) --no-print-directory all host-tests fuzz
	@$(MAKE) --no-print-directory CC=clang kernel user
	@bash tests/run-all.sh $(BUILD)

bench: deps all
	@bash bench/run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# Functions over 60 lines and files over 600 in kernel/, lib/ and vmm/ must say
# "Long because:" (tools/check-size.py); tests/run-all.sh runs it as a layer.
check-size:
	@$(PYTHON) tools/check-size.py --self-test
	@$(PYTHON) tools/check-size.py

# The make files themselves (tools/check-make.py); tests/run-all.sh runs it as a layer.
check-make:
	@$(PYTHON) tools/check-make.py --self-test
	@$(PYTHON) tools/check-make.py

# The documentation against the tree: the repository stands alone, every path the
# docs name exists, the guide's examples are the real code, built and tested
# (tools/check-docs.py); tests/run-all.sh runs it as a layer.
check-docs:
	@$(PYTHON) tools/check-docs.py --self-test
	@$(PYTHON) tools/check-docs.py $(BUILD)

# The architecture boundary (tools/check-arch.py): outside kernel/arch/x86_64, code
# includes only the interface headers kernel/arch/*.h and never names an x86 register
# or instruction; tests/run-all.sh runs it as a layer.
check-arch:
	@$(PYTHON) tools/check-arch.py --self-test
	@$(PYTHON) tools/check-arch.py

# The map of components to their tests in docs/testing.md against the tree
# (tools/check-testmap.py); tests/run-all.sh runs it as a layer.
check-testmap:
	@$(PYTHON) tools/check-testmap.py --self-test
	@$(PYTHON) tools/check-testmap.py

clean:
	rm -rf build
