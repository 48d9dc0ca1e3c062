// The watchdog's picture of the PE array, read from eyeriss_top's dbg_pe_status_o: per PE its
// sequencer state and whether each of its three FIFOs is full or empty (ProcessingElement.swift,
// dbg_status_o), so a hang report says where the words stopped.
#ifndef EYERISS_TOP_DEBUG_H
#define EYERISS_TOP_DEBUG_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "verilated.h"

namespace eyeriss {

// Bit i of a port, however wide Verilator made it.
inline bool port_bit(uint64_t value, int i) { return i < 64 && ((value >> i) & 1u); }
template <std::size_t N>
inline bool port_bit(const VlWide<N> &value, int i) {
    return (value.at(static_cast<std::size_t>(i) / 32) >> (i % 32)) & 1u;
}

// One entry per PE that is busy or holds words, e.g. "PE(2,3) computing: ifmap FIFO full,
// psum-in FIFO empty, psum-out FIFO partly full"; at most `max_entries`, then a count of the rest
// and of the PEs that are idle with every FIFO empty. A PE's status is `status_bits` wide:
// bits 0-5 are empty/full of the ifmap, psum-in and psum-out FIFOs, bits 6-8 the state.
template <typename Port>
std::string pe_array_dump(const Port &status, int rows, int columns, int status_bits, std::size_t max_entries = 16) {
    static const char *const kStates[8] = {"idle",          "loading filters", "filling the window", "computing",
                                           "sending its last psums", "state 5?", "state 6?",         "state 7?"};
    static const char *const kFifos[3] = {"ifmap FIFO", "psum-in FIFO", "psum-out FIFO"};
    std::string out;
    std::size_t listed = 0, unlisted = 0, quiet = 0;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < columns; ++c) {
            const int base = (r * columns + c) * status_bits;
            int state = 0;
            for (int b = 0; b < 3; ++b) state |= port_bit(status, base + 6 + b) << b;
            bool all_empty = true;
            for (int f = 0; f < 3; ++f) all_empty = all_empty && port_bit(status, base + 2 * f);
            if (state == 0 && all_empty) {
                ++quiet;
                continue;
            }
            if (listed == max_entries) {
                ++unlisted;
                continue;
            }
            std::string entry = "PE(" + std::to_string(r) + "," + std::to_string(c) + ") " + kStates[state] + ":";
            for (int f = 0; f < 3; ++f) {
                const bool empty = port_bit(status, base + 2 * f), full = port_bit(status, base + 2 * f + 1);
                entry += std::string(f ? ", " : " ") + kFifos[f] + (full ? " full" : empty ? " empty" : " partly full");
            }
            out += (listed ? "; " : "") + entry;
            ++listed;
        }
    }
    if (unlisted) out += "; and " + std::to_string(unlisted) + " more busy PEs";
    if (quiet) out += std::string(listed ? "; " : "") + std::to_string(quiet) + " PEs idle with empty FIFOs";
    return out;
}

}  // namespace eyeriss

#endif
