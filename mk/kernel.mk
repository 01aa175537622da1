# The kernel: every .c and .S under kernel/, the shared library lib/ (code the
# kernel and user space both build) and the in-kernel tests tests/kernel/ (run
# with test=NAME on the command line) are linked into build/orbital.elf.
#
# The image is linked twice. Pass 1 has an empty symbol table; its symbols are
# turned into the .ksyms section (tools/gen-ksyms.py) and pass 2 links that in.
# .ksyms is the last section of the image, so no other address moves between
# the passes (the build checks this), and backtraces name the right functions.

K_ARCH   := kernel/arch/x86_64
K_SRCS   := $(shell find kernel lib tests/kernel -name '*.c' -o -name '*.S' | sort)
K_OBJS   := $(patsubst %,$(BUILD)/%.o,$(K_SRCS))
K_FONT   := /usr/share/consolefonts/Lat2-Terminus16.psf.gz

K_CFLAGS := -std=c17 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
	-mcmodel=kernel -mno-omit-leaf-frame-pointer -mno-mmx -mno-sse -mno-sse2 -mno-avx -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -O2 -g \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wvla -Wshadow=local \
	-Ikernel -I. -Iinclude -I$(K_ARCH)/include -I$(BUILD)/gen -MMD -MP
ifeq ($(COMPILER),clang)
K_CFLAGS := $(filter-out -Wshadow=local,$(K_CFLAGS)) -Wshadow -Wno-gnu-statement-expression \
	-Wno-unknown-warning-option
endif
K_ASFLAGS := -Ikernel -I. -Iinclude -I$(K_ARCH)/include -I$(BUILD)/gen -MMD -MP -g
K_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T $(K_ARCH)/linker.ld

.PHONY: kernel
kernel: $(BUILD)/orbital.elf

$(BUILD)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	$(Q)$(CC) $(K_CFLAGS) -c $< -o $@

$(BUILD)/lib/%.c.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	$(Q)$(CC) $(K_CFLAGS) -c $< -o $@

# The in-kernel tests, built with the kernel's own flags.
$(BUILD)/tests/kernel/%.c.o: tests/kernel/%.c
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	$(Q)$(CC) $(K_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(dir $@)
	@echo '  AS      $<'
	$(Q)$(CC) $(K_ASFLAGS) -c $< -o $@

# The console font, embedded at build time from Debian's kbd package.
$(BUILD)/gen/font.psf: $(K_FONT)
	@mkdir -p $(dir $@)
	gzip -dc $< > $@

$(BUILD)/kernel/console/font_data.S.o: $(BUILD)/gen/font.psf
$(BUILD)/kernel/console/font_data.S.o: K_ASFLAGS += -DFONT_PSF_PATH='"$(BUILD)/gen/font.psf"'

$(BUILD)/ksyms-empty.S: tools/gen-ksyms.py
	@mkdir -p $(dir $@)
	$(PYTHON) tools/gen-ksyms.py --empty > $@

$(BUILD)/%.S.o: $(BUILD)/%.S
	@echo '  AS      $<'
	$(Q)$(CC) $(K_ASFLAGS) -c $< -o $@

$(BUILD)/orbital.pass1.elf: $(K_OBJS) $(BUILD)/ksyms-empty.S.o $(K_ARCH)/linker.ld
	@echo '  LD      $@'
	$(Q)$(LD) $(K_LDFLAGS) -o $@ $(K_OBJS) $(BUILD)/ksyms-empty.S.o

$(BUILD)/ksyms.S: $(BUILD)/orbital.pass1.elf tools/gen-ksyms.py
	$(NM) -n --defined-only $< | $(PYTHON) tools/gen-ksyms.py > $@

$(BUILD)/orbital.elf: $(BUILD)/orbital.pass1.elf $(BUILD)/ksyms.S.o
	@echo '  LD      $@'
	$(Q)$(LD) $(K_LDFLAGS) -o $@ $(K_OBJS) $(BUILD)/ksyms.S.o
	@$(PYTHON) tools/gen-ksyms.py --compare $(BUILD)/orbital.pass1.elf $@

-include $(K_OBJS:.o=.d)
