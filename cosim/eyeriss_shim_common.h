// What both co-simulation shims share: the trace file type of the build variant and word
// conversions between host integers and the model's fixed-width ports.
#ifndef EYERISS_SHIM_COMMON_H
#define EYERISS_SHIM_COMMON_H

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

#include "eyeriss_vl_print.h"
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

// Where Verilator's messages go besides stderr: the log of the run being stepped. VL_PRINTF
// takes no handle, so a shim points this at its handle's log while it steps the model.
inline thread_local std::string *message_sink = nullptr;

// Captures Verilator's messages into `log` for the guard's lifetime.
struct CaptureMessages {
    explicit CaptureMessages(std::string &log) { message_sink = &log; }
    ~CaptureMessages() { message_sink = nullptr; }
    CaptureMessages(const CaptureMessages &) = delete;
    CaptureMessages &operator=(const CaptureMessages &) = delete;
};

// The failed assertions in a captured log, one per line: "<instance path>.<label>: <module>:
// <message> (<file>:<line>)". Verilator prints "[time] %Error: file:line: Assertion failed in
// <path>: <path>: <message>"; the repeated path is dropped. Empty when the log has none.
// The PEs' activity counters have no wrap check of their own (PEParams.wrapFreeCycles): the
// shims stop a run or job of `cycles` cycles since the counters' clear with this message.
inline std::string counter_wrap_failure(const char *what, uint64_t cycles, int counter_bits, int max_step) {
    return std::string("the ") + what + " reached " + std::to_string(cycles) + " cycles: a PE activity counter (" +
           std::to_string(counter_bits) + " bits, up to " + std::to_string(max_step) +
           " a cycle) could wrap: widen counters.bits";
}

inline std::string assertion_failures(const std::string &log) {
    std::string out;
    size_t at = 0;
    while (at < log.size()) {
        size_t end = log.find('\n', at);
        if (end == std::string::npos) end = log.size();
        std::string line = log.substr(at, end - at);
        at = end + 1;
        const std::string tag = "Assertion failed in ";
        size_t t = line.find(tag);
        if (t == std::string::npos) continue;
        std::string where;
        size_t e = line.find("%Error: ");
        if (e != std::string::npos && e + 8 < t) where = line.substr(e + 8, t - e - 8);  // "file:line: "
        while (!where.empty() && (where.back() == ' ' || where.back() == ':')) where.pop_back();
        std::string rest = line.substr(t + tag.size());
        size_t colon = rest.find(": ");
        if (colon != std::string::npos) {
            std::string path = rest.substr(0, colon + 2);
            if (rest.compare(colon + 2, path.size(), path) == 0) rest.erase(colon + 2, path.size());
        }
        if (!out.empty()) out += "\n";
        out += rest + (where.empty() ? "" : " (" + where + ")");
    }
    return out;
}

}  // namespace eyeriss

// Verilator's VL_PRINTF (see eyeriss_vl_print.h): stderr and the captured log. Defined here,
// in the one header each shim library includes once.
extern "C" int eyeriss_vl_printf(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    va_list again;
    va_copy(again, ap);
    int n = std::vsnprintf(nullptr, 0, format, ap);
    va_end(ap);
    std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(&text[0], text.size() + 1, format, again);
    va_end(again);
    std::fputs(text.c_str(), stderr);
    if (eyeriss::message_sink) eyeriss::message_sink->append(text);
    return n;
}

#endif
