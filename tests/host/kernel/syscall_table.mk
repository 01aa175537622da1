# Host unit tests of the system call table (kernel/api/syscall.c): every
# SYS_* number of include/orbital/syscall.h reaches its own handler, with its
# arguments; every other number, 64-bit ones included, is -ERR_NOSYS. The
# handlers are stubs generated from the ABI header itself (the compiler lists
# its macros), so a call added to the header without a table entry fails here.
HOST_TESTS += syscall_table
syscall_table_SRCS   := kernel/api/syscall.c
syscall_table_CFLAGS := -I$(BUILD)/host/gen

# One line T_CALL(SYS_NAME, sys_name) per system call number (SYS_COUNT is not one).
$(BUILD)/host/gen/syscall_numbers.h: include/orbital/syscall.h tests/host/kernel/syscall_table.mk
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) -dM -E -x c $< | \
		sed -n 's/^#define \(SYS_[A-Z0-9_]*\) \([0-9][0-9]*\)$$/T_CALL(\1, \L\1)/p' | \
		grep -v '^T_CALL(SYS_COUNT,' | sort > $@

$(BUILD)/host/test_syscall_table: $(BUILD)/host/gen/syscall_numbers.h
