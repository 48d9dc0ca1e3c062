/* Compiles the shims' C ABI headers as C, and lets Swift import their types. The shims
 * themselves are C++ in cosim/, built per configuration by EyerissCosim. */
#include "CEyerissShim.h"
