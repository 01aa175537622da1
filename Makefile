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
.PHONY: all run debug iso test test-host test-qemu bench clean deps format check-format

include mk/kernel.mk
include mk/host.mk
include mk/iso.mk
-include tests/fuzz/fuzz.mk
-include vmm/vmm.mk
-include mk/user.mk
-include mk/lab.mk
-include mk/soak.mk
-include mk/fuzzkernel.mk

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

clean:
	rm -rf build
