// What both co-simulation shims share: the trace file type of the build variant and word
// conversions between host integers and the model's fixed-width ports.
#ifndef EYERISS_SHIM_COMMON_H
#define EYERISS_SHIM_COMMON_H

#include <cstdint>

#include "verilated.h"
#if VM_TRACE
#if VM_TRACE_FST
#include "verilated_fst_c.h"
typedef VerilatedFstC TraceFile;
#else
#include "verilated_vcd_c.h"
typedef VerilatedVcdC TraceFile;
#endif
#endif

namespace eyeriss {

// The low `bits` bits of a signed word, as the model's port takes them.
inline uint32_t mask_bits(int32_t value, int bits) {
    return bits >= 32 ? static_cast<uint32_t>(value) : static_cast<uint32_t>(value) & ((1u << bits) - 1u);
}

// A `bits`-wide port value, sign-extended.
inline int32_t sign_extend(uint32_t value, int bits) {
    if (bits >= 32) return static_cast<int32_t>(value);
    uint32_t sign = 1u << (bits - 1);
    value &= (1u << bits) - 1u;
    return static_cast<int32_t>((value ^ sign) - sign);
}

}  // namespace eyeriss

#endif
