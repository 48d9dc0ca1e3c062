/* Umbrella header of the shims' C ABIs (the headers are links to cosim/, where the shims live). */
#include "eyeriss_pe_shim.h"
#include "eyeriss_top_shim.h"
