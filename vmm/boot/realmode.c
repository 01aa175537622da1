/*
 * Real-mode binary loading and entry state; see realmode.h. Trust boundary:
 * the binary's size is checked against the space below the EBDA before it is
 * copied (and mem_write checks again against RAM).
 */
#include <string.h>

#include "../err.h"
#include "layout.h"
#include "realmode.h"

int realmode_load(struct guest_mem *m, const uint8_t *bin, size_t len)
{
	if (len == 0)
		return err_set(ERR_RANGE, "real-mode binary is empty");
	if (len > REALMODE_MAX_SIZE)
		return err_set(ERR_RANGE,
			       "real-mode binary is %zu bytes; at most %u fit below the EBDA", len,
			       REALMODE_MAX_SIZE);
	return mem_write(m, REALMODE_LOAD_ADDR, bin, len);
}

static void realmode_seg(struct kvm_segment *s, uint16_t sel)
{
	s->selector = sel;
	s->base = (uint64_t)sel << 4;
}

void realmode_cpu_state(struct kvm_sregs *sregs, struct kvm_regs *regs)
{
	realmode_seg(&sregs->cs, REALMODE_SEGMENT);
	realmode_seg(&sregs->ds, REALMODE_SEGMENT);
	realmode_seg(&sregs->es, REALMODE_SEGMENT);
	realmode_seg(&sregs->fs, REALMODE_SEGMENT);
	realmode_seg(&sregs->gs, REALMODE_SEGMENT);
	realmode_seg(&sregs->ss, REALMODE_SEGMENT);
	memset(regs, 0, sizeof(*regs));
	regs->rip = 0;
	regs->rsp = 0xfffe;
	regs->rflags = 0x2;
}
