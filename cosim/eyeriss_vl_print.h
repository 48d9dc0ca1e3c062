/*
 * Verilator's runtime prints its messages (a failed assertion's $error, $stop) through
 * VL_PRINTF. The shims' runtime is compiled with -DVL_PRINTF=eyeriss_vl_printf and this header
 * forced in (-include), so the messages reach stderr and the log of the run, never stdout
 * (where `eyeriss cosim --json` writes its report). Defined in eyeriss_shim_common.h.
 */
#ifndef EYERISS_VL_PRINT_H
#define EYERISS_VL_PRINT_H

#ifdef __cplusplus
extern "C" {
#endif

int eyeriss_vl_printf(const char *format, ...);

#ifdef __cplusplus
}
#endif

#endif
