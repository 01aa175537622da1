HOST_TESTS += vmm_config
vmm_config_SRCS := vmm/config.c vmm/err.c
vmm_config_CFLAGS := -Ivmm -D_GNU_SOURCE
