// SystemC example around the Verilated eyeriss_top (verilator --sc): loads a layer exported by
// `eyeriss export-case --out DIR`, drives the DRAM port with the same DRAM model as the C ABI
// shim (eyeriss_dram_model.h), runs the program to END, and compares the ofmap region of DRAM
// with the expected words under their masks. Prints PASS or FAIL; exits 1 on a mismatch,
// a hang (the case's cycle limit) or a DRAM access outside DRAM.
//
//   obj/Veyeriss_top DIR        (DIR holds case.json, dram.hex, expected.hex)
//
// The clocking is the shim's, made of SystemC time steps: with the clock low the DRAM drives
// its outputs and the model settles (1 ns), the handshakes are sampled, then the rising edge
// (1 ns) commits them and the DRAM model updates. Same model, same DRAM: the same cycle count
// as `eyeriss cosim` on the same layer and seed.
//
// Copied next to the SystemC build by `eyeriss generate --systemc`; the port list comes from
// the generated eyeriss_top_ports.h, so a new port of eyeriss_top needs no edit here.

#include <systemc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "Veyeriss_top.h"
#include "eyeriss_dram_model.h"
#include "eyeriss_params.h"
#include "eyeriss_top_ports.h"
#include "verilated.h"

namespace {

// The file's text, or exits with a message.
std::string slurp(const std::string &path) {
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        std::exit(2);
    }
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The number after `"key" :` in case.json (its flat keys are unique), or exits.
double json_number(const std::string &text, const char *key) {
    const std::string quoted = std::string("\"") + key + "\"";
    size_t at = text.find(quoted);
    if (at == std::string::npos) {
        std::fprintf(stderr, "case.json has no \"%s\"\n", key);
        std::exit(2);
    }
    at = text.find(':', at + quoted.size());
    return std::strtod(text.c_str() + at + 1, nullptr);
}

// Every signal of eyeriss_top's ports, named like the port.
struct Signals {
#define EYERISS_SIGNAL(direction, type, name) sc_signal<type> name;
    EYERISS_TOP_PORTS(EYERISS_SIGNAL)
#undef EYERISS_SIGNAL
};

}  // namespace

int sc_main(int argc, char **argv) {
    const std::string dir = argc > 1 ? argv[1] : ".";
    const std::string spec = slurp(dir + "/case.json");
    const uint64_t program_line = static_cast<uint64_t>(json_number(spec, "programLine"));
    const uint64_t dram_lines = static_cast<uint64_t>(json_number(spec, "dramLines"));
    const uint64_t cycle_limit = static_cast<uint64_t>(json_number(spec, "cycleLimit"));
    const uint64_t seed = static_cast<uint64_t>(json_number(spec, "seed"));

    eyeriss_dram_params params{};
    params.bytes_per_cycle = json_number(spec, "bytesPerCycle");
    params.read_latency = static_cast<uint32_t>(json_number(spec, "readLatency"));
    params.max_outstanding = static_cast<uint32_t>(json_number(spec, "maxOutstanding"));
    eyeriss::DramModel dram(dram_lines, params, seed, EYERISS_DRAM_BUS_BITS);
    {
        std::istringstream image(slurp(dir + "/dram.hex"));
        std::string word;
        uint64_t line = 0;
        while (image >> word) {
            if (line >= dram_lines) {
                std::fprintf(stderr, "dram.hex has more than %llu lines\n", (unsigned long long)dram_lines);
                return 2;
            }
            dram.lines[line++] = std::strtoull(word.c_str(), nullptr, 16);
        }
    }

    // Unreset state starts random from the seed, as in the shim.
    Verilated::commandArgs(argc, argv);
    Verilated::randReset(2);
    Verilated::randSeed(static_cast<int>(seed & 0x7fffffff));
    Signals s;
    Veyeriss_top top("eyeriss_top");
#define EYERISS_BIND(direction, type, name) top.name(s.name);
    EYERISS_TOP_PORTS(EYERISS_BIND)
#undef EYERISS_BIND

    uint64_t cycle = 0;
    auto settle_low = [&] {
        s.clk_i.write(false);
        sc_start(1, SC_NS);
    };
    auto rising_edge = [&] {
        s.clk_i.write(true);
        sc_start(1, SC_NS);
        ++cycle;
    };

    // Reset, then the configuration writes: program base, start (architecture.md section 5).
    s.rst_ni.write(false);
    for (int i = 0; i < 4; ++i) {
        settle_low();
        rising_edge();
    }
    s.rst_ni.write(true);
    const uint32_t regs[2][2] = {{0, static_cast<uint32_t>(program_line)}, {1, 1}};
    for (const auto &reg : regs) {
        s.cfg_valid_i.write(true);
        s.cfg_addr_i.write(reg[0]);
        s.cfg_data_i.write(reg[1]);
        settle_low();
        rising_edge();
    }
    s.cfg_valid_i.write(false);

    std::string error;
    uint64_t cycles = 0;
    while (!s.done_o.read()) {
        if (cycles >= cycle_limit) {
            error = "no END after " + std::to_string(cycle_limit) + " cycles (the case's cycleLimit)";
            break;
        }
        const eyeriss::DramInputs in = dram.drive(cycle);
        s.dram_rd_resp_valid_i.write(in.rd_resp_valid);
        s.dram_rd_resp_data_i.write(in.rd_resp_data);
        s.dram_rd_req_ready_i.write(in.rd_req_ready);
        s.dram_wr_ready_i.write(in.wr_ready);
        settle_low();
        const eyeriss::DramHandshakes h{s.dram_rd_req_valid_o.read() && in.rd_req_ready, s.dram_rd_req_addr_o.read(),
                                        in.rd_resp_valid && s.dram_rd_resp_ready_o.read(),
                                        s.dram_wr_valid_o.read() && in.wr_ready, s.dram_wr_addr_o.read(),
                                        s.dram_wr_data_o.read()};
        rising_edge();
        ++cycles;
        if (!dram.commit(cycle, h, error)) break;
        if (s.rlc_error_o.read()) {
            error = "the RTL decoder flagged a malformed run-length coded row";
            break;
        }
    }
    top.final();
    std::printf("eyeriss_top (SystemC): %llu cycles, %llu DRAM lines read, %llu written\n", (unsigned long long)cycles,
                (unsigned long long)dram.lines_read, (unsigned long long)dram.lines_written);
    if (!error.empty()) {
        std::printf("FAIL: %s\n", error.c_str());
        return 1;
    }

    std::istringstream expected(slurp(dir + "/expected.hex"));
    std::string a, d, m;
    uint64_t checked = 0, mismatches = 0;
    while (expected >> a >> d >> m) {
        const uint64_t line = std::strtoull(a.c_str(), nullptr, 16);
        const uint64_t want = std::strtoull(d.c_str(), nullptr, 16), mask = std::strtoull(m.c_str(), nullptr, 16);
        ++checked;
        const uint64_t got = line < dram.lines.size() ? dram.lines[line] : ~want;
        if (((got ^ want) & mask) != 0) {
            if (++mismatches <= 10) {
                std::printf("MISMATCH DRAM line %llu: expected %016llx, got %016llx (mask %016llx)\n", (unsigned long long)line,
                            (unsigned long long)want, (unsigned long long)got, (unsigned long long)mask);
            }
        }
    }
    std::printf("%llu expected lines checked, %llu mismatching\n", (unsigned long long)checked,
                (unsigned long long)mismatches);
    const bool pass = checked > 0 && mismatches == 0;
    std::printf("%s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
