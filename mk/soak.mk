# Soak and fault injection (docs/testing.md), included by the top Makefile.
#
#   make soak          the SMP and user-space QEMU cases, over and over, under changing
#                      interleavings (tests/qemu/soak.py): SOAK_MINUTES (30), SOAK_RUNS
#                      (runs per case, 0 = until the time is up), SOAK_ONLY (a regex of
#                      case names), SOAK_MIN_CPUS (1; 2 = the SMP cases only),
#                      SOAK_VARIANTS (multi,single,icount0,icount3,icount7), SOAK_JOBS (1)
#   make faultinject   faults injected into the drivers and servers while a workload runs
#                      (tests/qemu/faultinject.py): FAULTS (800, about 10 minutes here),
#                      FI_SEED (1), FI_SMP (2), FI_KINDS (kill,register,data,stack)

SOAK_MINUTES  ?= 30
SOAK_RUNS     ?= 0
SOAK_ONLY     ?=
SOAK_VARIANTS ?=
SOAK_JOBS     ?= 1
SOAK_MIN_CPUS ?= 1
FAULTS        ?= 800
FI_SEED       ?= 1
FI_SMP        ?= 2
FI_KINDS      ?=

.PHONY: soak faultinject

soak: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/qemu/soak.py $(BUILD) --minutes $(SOAK_MINUTES) --runs $(SOAK_RUNS) \
		--jobs $(SOAK_JOBS) --min-cpus $(SOAK_MIN_CPUS) $(if $(SOAK_ONLY),--only '$(SOAK_ONLY)') \
		$(if $(SOAK_VARIANTS),--variants $(SOAK_VARIANTS))

faultinject: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/qemu/faultinject.py $(BUILD) --faults $(FAULTS) --seed $(FI_SEED) \
		--smp $(FI_SMP) $(if $(FI_KINDS),--kinds $(FI_KINDS))
