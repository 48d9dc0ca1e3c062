// Co-simulation shim around the Verilated eyeriss_top and the DRAM model: see
// eyeriss_top_shim.h for the ABI.
//
// Each cycle: the DRAM model drives its outputs while the clock is low, the model settles,
// handshakes are sampled, the rising edge commits them, then the DRAM model updates.

#include "eyeriss_top_shim.h"
#include "eyeriss_params.h"

#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vmodel.h"
#include "eyeriss_dram_model.h"
#include "eyeriss_shim_common.h"
#include "eyeriss_top_debug.h"

namespace {

const char *const kStateNames[] = {"idle", "fetch descriptor", "decode", "load filters", "load ifmaps",
                                   "setup IDs", "run start", "run", "store psums", "done",
                                   "wait for the prefetch", "wait for the store of a tile in the pass's psum bank",
                                   "wait for the last store"};

// The PE array's status words: the readout is driven only while dbg_en_i is set.
auto &read_pe_status(Vmodel *top) {
    top->dbg_en_i = 1;
    top->eval();
    return top->dbg_pe_status_o;
}

}  // namespace

struct eyeriss_top_sim {
    std::unique_ptr<VerilatedContext> context;
    std::unique_ptr<Vmodel> top;
    std::unique_ptr<eyeriss::DramModel> dram;
    uint64_t cycle = 0;
    uint64_t quiet = 0;          // cycles without a transfer or a state change (watchdog)
    uint64_t last_state = ~0ull;
    std::string messages;        // Verilator's messages while stepping (failed assertions)
#if VM_TRACE
    std::unique_ptr<TraceFile> trace;
#endif

    void tick() {
        context->timeInc(1);
        top->clk_i = 1;
        top->eval();
#if VM_TRACE
        if (trace) trace->dump(context->time());
#endif
        context->timeInc(1);
        top->clk_i = 0;
        ++cycle;
    }
};

extern "C" {

eyeriss_top_sim *eyeriss_top_new(uint64_t seed, const char *trace_path, uint64_t dram_lines,
                                 const eyeriss_dram_params *dram) {
    auto *sim = new eyeriss_top_sim();
    sim->context = std::make_unique<VerilatedContext>();
    sim->context->randReset(2);  // unreset state starts random (seeded)
    sim->context->randSeed(static_cast<int>(seed & 0x7fffffff));
    sim->context->fatalOnError(false);  // a failed assertion ends the run with its text, no abort
    sim->top = std::make_unique<Vmodel>(sim->context.get(), "eyeriss_top");
    sim->dram = std::make_unique<eyeriss::DramModel>(dram_lines, *dram, seed, EYERISS_DRAM_BUS_BITS);
#if VM_TRACE
    if (trace_path) {
        sim->context->traceEverOn(true);
        sim->trace = std::make_unique<TraceFile>();
        sim->top->trace(sim->trace.get(), 99);
        sim->trace->open(trace_path);
    }
#else
    (void)trace_path;
#endif
    Vmodel *t = sim->top.get();
    t->rst_ni = 0;
    t->cfg_valid_i = 0;
    t->dram_rd_req_ready_i = 0;
    t->dram_rd_resp_valid_i = 0;
    t->dram_wr_ready_i = 0;
    for (int i = 0; i < 4; ++i) {
        t->clk_i = 0;
        t->eval();
        sim->tick();
    }
    t->rst_ni = 1;
    return sim;
}

int eyeriss_top_dram_write(eyeriss_top_sim *sim, uint64_t line, const uint64_t *data, uint64_t count) {
    if (line + count > sim->dram->lines.size() || line + count < line) return -1;
    for (uint64_t i = 0; i < count; ++i) sim->dram->lines[line + i] = data[i];
    return 0;
}

int eyeriss_top_dram_read(const eyeriss_top_sim *sim, uint64_t line, uint64_t *data, uint64_t count) {
    if (line + count > sim->dram->lines.size() || line + count < line) return -1;
    for (uint64_t i = 0; i < count; ++i) data[i] = sim->dram->lines[line + i];
    return 0;
}

void eyeriss_top_start(eyeriss_top_sim *sim, uint64_t program_line) {
    Vmodel *t = sim->top.get();
    const uint32_t regs[2][2] = {{0, static_cast<uint32_t>(program_line)}, {1, 1}};
    for (const auto &reg : regs) {
        t->cfg_valid_i = 1;
        t->cfg_addr_i = reg[0];
        t->cfg_data_i = reg[1];
        t->clk_i = 0;
        t->eval();
        sim->tick();
    }
    t->cfg_valid_i = 0;
    sim->quiet = 0;
    sim->last_state = ~0ull;
}

int eyeriss_top_step(eyeriss_top_sim *sim, uint64_t cycles, uint64_t watchdog_cycles, eyeriss_top_stats *stats,
                     char *err, size_t err_len) {
    Vmodel *t = sim->top.get();
    eyeriss::DramModel &d = *sim->dram;
    auto fail = [&](const std::string &msg) {
        if (err && err_len) std::snprintf(err, err_len, "%s", msg.c_str());
        return -1;
    };
    eyeriss_top_stats &s = *stats;
    std::string dram_error;
    eyeriss::CaptureMessages capture(sim->messages);
    for (uint64_t step = 0; step < cycles; ++step) {
        if (t->done_o) return 1;
        // DRAM outputs for this cycle.
        const eyeriss::DramInputs in = d.drive(sim->cycle);
        t->dram_rd_resp_valid_i = in.rd_resp_valid;
        t->dram_rd_resp_data_i = in.rd_resp_data;
        t->dram_rd_req_ready_i = in.rd_req_ready;
        t->dram_wr_ready_i = in.wr_ready;
        t->clk_i = 0;
        t->eval();

        // Sample handshakes before the edge.
        const eyeriss::DramHandshakes h{t->dram_rd_req_valid_o && t->dram_rd_req_ready_i, t->dram_rd_req_addr_o,
                                        in.rd_resp_valid && t->dram_rd_resp_ready_o,
                                        t->dram_wr_valid_o && t->dram_wr_ready_i, t->dram_wr_addr_o, t->dram_wr_data_o};
        if ((t->dram_rd_req_valid_o && !t->dram_rd_req_ready_i) || (t->dram_wr_valid_o && !t->dram_wr_ready_i)) {
            ++s.dram_busy_cycles;
        }
        bool progress = t->progress_o;
        sim->tick();
        ++s.cycles;
        // The PEs' activity counters are cleared at the program's start.
        if (s.cycles >= EYERISS_COUNTER_WRAP_FREE_CYCLES) {
            return fail(eyeriss::counter_wrap_failure("run", s.cycles, EYERISS_COUNTER_BITS, EYERISS_COUNTER_MAX_STEP));
        }
        if (sim->context->gotError()) {
            std::string what = eyeriss::assertion_failures(sim->messages);
            return fail("RTL assertion failed " + std::to_string(s.cycles) + " cycles into the run (pass " +
                        std::to_string(t->passes_o + 1) + "): " + (what.empty() ? sim->messages : what));
        }

        if (!d.commit(sim->cycle, h, dram_error)) return fail(dram_error);
        s.dram_lines_read += h.rd_resp;
        s.dram_lines_written += h.wr;

        if (t->rlc_error_o) {
            return fail("RLC decoder: a run-length coded ifmap row in DRAM is malformed or truncated (flagged in pass " +
                        std::to_string(t->passes_o + 1) + ", " + std::to_string(s.cycles) + " cycles into the run)");
        }
        uint64_t state = t->state_o;
        sim->quiet = (progress || state != sim->last_state) ? 0 : sim->quiet + 1;
        sim->last_state = state;
        if (sim->quiet > watchdog_cycles) {
            const char *name = state < sizeof kStateNames / sizeof kStateNames[0] ? kStateNames[state] : "?";
            return fail("watchdog: no transfer for " + std::to_string(watchdog_cycles) + " cycles; controller in state " +
                        std::to_string(state) + " (" + name + ") after " + std::to_string(t->passes_o) + " passes, " +
                        std::to_string(d.reads_in_flight()) + " DRAM reads in flight, " + std::to_string(s.cycles) +
                        " cycles into the run; PE array: " +
                        eyeriss::pe_array_dump(read_pe_status(t), EYERISS_ARRAY_ROWS, EYERISS_ARRAY_COLUMNS,
                                               EYERISS_PE_STATUS_BITS));
        }
    }
    return t->done_o ? 1 : 0;
}

uint64_t eyeriss_top_passes_done(eyeriss_top_sim *sim) { return sim->top->passes_o; }

uint64_t eyeriss_top_pe_counter(eyeriss_top_sim *sim, uint32_t pe, uint32_t counter) {
    sim->top->dbg_en_i = 1;
    sim->top->dbg_pe_sel_i = pe;
    sim->top->dbg_cnt_sel_i = counter;
    sim->top->eval();
    uint64_t value = sim->top->dbg_cnt_o;
    sim->top->dbg_en_i = 0;
    sim->top->eval();
    return value;
}

uint64_t eyeriss_top_perf_counter(eyeriss_top_sim *sim, uint32_t index) {
    sim->top->perf_sel_i = index;
    sim->top->eval();
    return sim->top->perf_cnt_o;
}

void eyeriss_top_free(eyeriss_top_sim *sim) {
    if (!sim) return;
    sim->top->final();
#if VM_TRACE
    if (sim->trace) sim->trace->close();
#endif
    delete sim;
}

}  // extern "C"

// The bare benchmark loop: needs the definitions above.
#include "eyeriss_top_bare_loop.h"
