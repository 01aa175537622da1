# User space: the library (build/user/libc.a), the programs (build/user/bin/),
# and the boot archive (build/bootfs.cpio). Included from the top Makefile.
#
#   user/lib/*.c *.S       the library, plus the shared library lib/*.c (U_SHSRCS)
#   user/bin/NAME.c        a program build/user/bin/NAME (or a directory
#   user/bin/NAME/*.c      user/bin/NAME/ of sources)
#   tests/user/NAME.c      a test program, built the same way (or a directory
#   tests/user/NAME/*.c    of sources; tests/user/*.h are shared by them)
#   user/etc/*             data files, copied into the archive's etc/
#
# Programs are static, freestanding, non-PIE executables linked at
# ORB_USER_LINK by user/lib/user.ld. The archive holds bin/NAME (stripped
# copies) and etc/*, sorted, owned by 0:0, with every timestamp 0, written
# by `cpio -o -H newc --reproducible`: the same inputs give the same bytes.
# The clang build (make CC=clang) goes to build/clang/ like the kernel's.

U_BUILD := $(BUILD)/user
U_INC   := -Iuser/lib/include -I. -Iinclude
# The compiler's own freestanding headers (stdint.h, stdarg.h, ...), and no others.
U_CFLAGS := -std=c17 -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-stack-protector -fno-pic -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-strict-aliasing -O2 -g -Wall -Wextra -Werror -Wvla $(U_INC) -MMD -MP
U_ASFLAGS := $(U_INC) -MMD -MP -g
U_LDSCRIPT := user/lib/user.ld
U_LDFLAGS := -nostdlib -static $(if $(filter clang,$(COMPILER)),,-no-pie) -Wl,-T,$(U_LDSCRIPT) -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack

# The library: user/lib, plus the shared library lib/ that the kernel builds too
# (strings, formatting, the ELF checks, the boot-archive parser; included as
# "lib/...", from the repository's root).
U_SHSRCS := $(sort $(wildcard lib/*.c))
U_LSRCS := $(sort $(wildcard user/lib/*.c user/lib/*.S))
U_LOBJS := $(patsubst %,$(U_BUILD)/%.o,$(U_LSRCS) $(U_SHSRCS))
U_LIB   := $(U_BUILD)/libc.a

# Programs: one per user/bin/NAME.c, user/bin/NAME/ and tests/user/NAME.c.
U_PROG_FILES := $(wildcard user/bin/*.c tests/user/*.c)
U_PROG_DIRS  := $(patsubst %/,%,$(sort $(dir $(wildcard user/bin/*/*.c tests/user/*/*.c))))
U_PROGS      := $(sort $(basename $(notdir $(U_PROG_FILES))) $(notdir $(U_PROG_DIRS)))
U_BINS       := $(addprefix $(U_BUILD)/bin/,$(U_PROGS))
U_ETC        := $(sort $(wildcard user/etc/*))
U_BOOTFS     := $(BUILD)/bootfs.cpio

.PHONY: user bootfs
user: $(U_LIB) $(U_BINS)
bootfs: $(U_BOOTFS)
ALL_EXTRA += $(U_BOOTFS)

$(U_BUILD)/user/lib/%.c.o: user/lib/%.c
	@mkdir -p $(dir $@)
	@echo '  UCC     $<'
	$(Q)$(CC) $(U_CFLAGS) -c $< -o $@

$(U_BUILD)/user/lib/%.S.o: user/lib/%.S
	@mkdir -p $(dir $@)
	@echo '  UAS     $<'
	$(Q)$(CC) $(U_ASFLAGS) -c $< -o $@

$(U_BUILD)/lib/%.c.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo '  UCC     $<'
	$(Q)$(CC) $(U_CFLAGS) -c $< -o $@

$(U_LIB): $(U_LOBJS)
	@echo '  AR      $@'
	$(Q)rm -f $@ && ar rcs $@ $^

# Program objects: user/bin/NAME.c, user/bin/NAME/FILE.c, tests/user/NAME.c,
# tests/user/NAME/FILE.c.
$(U_BUILD)/obj/%.c.o: user/%.c
	@mkdir -p $(dir $@)
	@echo '  UCC     $<'
	$(Q)$(CC) $(U_CFLAGS) -c $< -o $@

$(U_BUILD)/obj/tests/%.c.o: tests/user/%.c
	@mkdir -p $(dir $@)
	@echo '  UCC     $<'
	$(Q)$(CC) $(U_CFLAGS) -Itests/user -c $< -o $@

# The objects of program NAME (a file, else a directory, in bin/ or tests/).
u_objs = $(patsubst tests/user/%,$(U_BUILD)/obj/tests/%.o,$(patsubst user/%,$(U_BUILD)/obj/%.o,\
	$(or $(wildcard user/bin/$(1).c tests/user/$(1).c),$(sort $(wildcard user/bin/$(1)/*.c tests/user/$(1)/*.c)))))

define u_prog_rule
$(U_BUILD)/bin/$(1): $(call u_objs,$(1)) $(U_LIB) $(U_LDSCRIPT)
	@mkdir -p $$(dir $$@)
	@echo '  ULD     $$@'
	$$(Q)$$(CC) $$(U_LDFLAGS) -o $$@ $(call u_objs,$(1)) $(U_LIB)
endef
$(foreach p,$(U_PROGS),$(eval $(call u_prog_rule,$(p))))

# The archive, staged in $(U_BUILD)/root; rebuilt when a program, a data file
# or the list of them changes.
$(U_BUILD)/bootfs.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(U_PROGS) | $(U_ETC)' | cmp -s - $@ || echo '$(U_PROGS) | $(U_ETC)' > $@

$(U_BOOTFS): $(U_BINS) $(U_ETC) $(U_BUILD)/bootfs.list
	@echo '  CPIO    $@'
	$(Q)rm -rf $(U_BUILD)/root && mkdir -p $(U_BUILD)/root/bin $(U_BUILD)/root/etc
	$(Q)for p in $(U_PROGS); do strip -o $(U_BUILD)/root/bin/$$p $(U_BUILD)/bin/$$p || exit 1; done
	$(Q)$(if $(U_ETC),cp $(U_ETC) $(U_BUILD)/root/etc/)
	$(Q)chmod -R u=rwX,go=rX $(U_BUILD)/root && find $(U_BUILD)/root -exec touch -h -d @0 {} +
	$(Q)cd $(U_BUILD)/root && find bin etc | LC_ALL=C sort | \
		cpio --quiet -o -H newc --reproducible -R 0:0 > $(CURDIR)/$@.tmp
	$(Q)mv $@.tmp $@

.PHONY: FORCE
FORCE:

-include $(U_LOBJS:.o=.d)
-include $(wildcard $(U_BUILD)/obj/*/*.d $(U_BUILD)/obj/*/*/*.d)
