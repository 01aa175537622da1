# The racing kernel fuzzer (docs/testing.md), included by the top Makefile.
#
#   make fuzz-kernel   tests/user/t_racefuzz/ on -smp 1, 2 and 4 under single- and
#                      multi-threaded TCG (tests/qemu/fuzz_kernel.py); the budget is shared
#                      by the six configurations: FUZZ_SECONDS (600) of guest time, or
#                      FUZZ_CALLS (calls in all; then FUZZ_SECONDS is not used); FUZZ_SEED
#                      (random; printed, replays the whole run), FUZZ_CONFIGS (e.g.
#                      smp2-multi,smp4-single). Closing line:
#                      "calls N, kernel panics N, leaked frames N, hangs N".

FUZZ_SECONDS ?= 600
FUZZ_CALLS   ?=
FUZZ_SEED    ?=
FUZZ_CONFIGS ?=

.PHONY: fuzz-kernel

fuzz-kernel: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/qemu/fuzz_kernel.py $(BUILD) \
		$(if $(FUZZ_CALLS),--calls $(FUZZ_CALLS),--seconds $(FUZZ_SECONDS)) \
		$(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) $(if $(FUZZ_CONFIGS),--configs $(FUZZ_CONFIGS))
