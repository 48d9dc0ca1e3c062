// The DRAM model behind eyeriss_top's DRAM port (docs/architecture.md section 6), shared by the
// C ABI shim (eyeriss_top_shim.cpp), its bare benchmark loop and the SystemC example
// (cosim/systemc/sc_main.cpp), so every harness sees exactly the same memory timing.
//
// A line memory with in-order reads after a fixed latency, one bandwidth budget shared by
// reads and writes (a token bucket of `bytes_per_cycle`), at most `max_outstanding` reads in
// flight, and optional hostility (random extra latency, random refusals) from its own seeded
// generator. It knows nothing of Verilator: a harness asks `drive()` for the port inputs of a
// cycle, evaluates the model, and hands the handshakes it sampled before the edge to `commit()`.
#ifndef EYERISS_DRAM_MODEL_H
#define EYERISS_DRAM_MODEL_H

#include <algorithm>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "eyeriss_top_shim.h"  // eyeriss_dram_params (plain C)

namespace eyeriss {

// What the DRAM drives into eyeriss_top during one cycle.
struct DramInputs {
    bool rd_req_ready;
    bool rd_resp_valid;
    uint64_t rd_resp_data;
    bool wr_ready;
};

// The handshakes of one cycle, sampled while the clock is low (before the rising edge).
struct DramHandshakes {
    bool rd_req;
    uint64_t rd_req_addr;
    bool rd_resp;
    bool wr;
    uint64_t wr_addr;
    uint64_t wr_data;
};

class DramModel {
  public:
    std::vector<uint64_t> lines;
    eyeriss_dram_params params{};
    uint64_t lines_read = 0;
    uint64_t lines_written = 0;

    DramModel(uint64_t line_count, const eyeriss_dram_params &p, uint64_t seed, unsigned bus_bits)
        : lines(line_count, 0), params(p), line_bytes_(bus_bits / 8.0), rng_(seed ^ 0x9e3779b97f4a7c15ull) {
        if (params.max_outstanding == 0) params.max_outstanding = 1;
    }

    bool in_range(uint64_t addr) const { return addr < lines.size(); }
    size_t reads_in_flight() const { return reads_.size(); }

    // Inputs for cycle `cycle`: refills the bandwidth budget and draws this cycle's stall.
    DramInputs drive(uint64_t cycle) {
        tokens_ = std::min(tokens_ + params.bytes_per_cycle, 4 * line_bytes_);
        std::uniform_int_distribution<uint32_t> percent(0, 99);
        bool refuse = params.stall_percent > 0 && percent(rng_) < params.stall_percent;
        bool can_move = tokens_ >= line_bytes_;
        DramInputs in{};
        in.rd_resp_valid = !reads_.empty() && reads_.front().ready_at <= cycle && can_move;
        in.rd_resp_data = in.rd_resp_valid ? lines[reads_.front().addr] : 0;
        in.rd_req_ready = !refuse && reads_.size() < params.max_outstanding;
        in.wr_ready = !refuse && can_move && !in.rd_resp_valid;
        return in;
    }

    // Commits the handshakes of the cycle that has just ended; `now` is the cycle after the
    // edge. Returns false, with a message in `error`, on an access outside DRAM.
    bool commit(uint64_t now, const DramHandshakes &h, std::string &error) {
        if (h.rd_req) {
            if (!in_range(h.rd_req_addr)) {
                error = "DRAM read of line " + std::to_string(h.rd_req_addr) + " outside DRAM (" +
                        std::to_string(lines.size()) + " lines)";
                return false;
            }
            uint64_t extra = params.random_extra_latency ? rng_() % (params.random_extra_latency + 1) : 0;
            reads_.push_back({h.rd_req_addr, now + params.read_latency + extra});
        }
        if (h.rd_resp) {
            reads_.pop_front();
            tokens_ -= line_bytes_;
            ++lines_read;
        }
        if (h.wr) {
            if (!in_range(h.wr_addr)) {
                error = "DRAM write of line " + std::to_string(h.wr_addr) + " outside DRAM (" +
                        std::to_string(lines.size()) + " lines)";
                return false;
            }
            lines[h.wr_addr] = h.wr_data;
            tokens_ -= line_bytes_;
            ++lines_written;
        }
        return true;
    }

  private:
    struct Pending {
        uint64_t addr;
        uint64_t ready_at;
    };
    std::deque<Pending> reads_;
    double tokens_ = 0;
    double line_bytes_;
    std::mt19937_64 rng_;
};

}  // namespace eyeriss

#endif
