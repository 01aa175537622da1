/*
 * A minimal freestanding x86-64 program (no C library), linked static and
 * non-PIE by tests/host/lib/elf.mk for the ELF loader's tests and fuzz seeds. It
 * has code, read-only data, initialised data and zero-filled data, so the
 * linker emits text, rodata and a data segment with p_memsz > p_filesz. It is
 * never run.
 */
static const char tiny_msg[] = "orbital elf loader test program\n";
long tiny_counter = 42;
char tiny_bss[16384];

void _start(void)
{
	for (unsigned long i = 0;; i++) {
		tiny_bss[i % sizeof(tiny_bss)] = tiny_msg[i % (sizeof(tiny_msg) - 1)];
		tiny_counter += tiny_bss[(i * 7) % sizeof(tiny_bss)];
		/* exit_group(tiny_counter) under Linux; keeps the stores observable. */
		__asm__ volatile("syscall"
				 :
				 : "a"(231L), "D"(tiny_counter)
				 : "rcx", "r11", "memory");
	}
}
