/* Compiles the shim's C ABI header as C, and lets Swift import its types. The shim itself is
 * C++ in cosim/, built per configuration by EyerissCosim. */
#include "eyeriss_pe_shim.h"
#include "eyeriss_top_shim.h"
