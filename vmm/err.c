/*
 * Error message buffer; see err.h. One buffer per thread, so the vCPU thread
 * and the terminal thread never overwrite each other's messages.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

static _Thread_local char err_buf[512];

int err_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return -code;
}

const char *err_msg(void)
{
	return err_buf;
}

void err_clear(void)
{
	err_buf[0] = 0;
}
