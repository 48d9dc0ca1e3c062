// Co-simulation shim around the Verilated eyeriss_pe: see eyeriss_pe_shim.h for the ABI.
//
// Each cycle: inputs change while the clock is low (away from the sampling edge), the model
// settles, handshakes are sampled, then the rising edge commits them. Sources keep valid and
// data stable until a word is taken, as the valid/ready protocol requires.

#include "eyeriss_pe_shim.h"
#include "eyeriss_params.h"

#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "Vmodel.h"
#include "eyeriss_shim_common.h"

namespace {

using eyeriss::mask_bits;
using eyeriss::sign_extend;

// A stream source: offers words in order, idling at random, never withdrawing an offer.
struct Source {
    const int32_t *words = nullptr;
    uint64_t count = 0, next = 0;
    bool offering = false;
    bool done() const { return next >= count; }
};

}  // namespace

struct eyeriss_pe_sim {
    std::unique_ptr<VerilatedContext> context;
    std::unique_ptr<Vmodel> top;
    std::mt19937_64 rng;
    uint64_t cycles = 0;
    std::string messages;  // Verilator's messages while running (failed assertions)
#if VM_TRACE
    std::unique_ptr<TraceFile> trace;
#endif

    void half_cycle_low() {
        top->clk_i = 0;
        top->eval();
    }

    void rising_edge() {
        context->timeInc(1);
        top->clk_i = 1;
        top->eval();
#if VM_TRACE
        if (trace) trace->dump(context->time());
#endif
        context->timeInc(1);
        ++cycles;
    }
};

extern "C" {

eyeriss_pe_sim *eyeriss_pe_new(uint64_t seed, const char *trace_path) {
    auto *sim = new eyeriss_pe_sim();
    sim->context = std::make_unique<VerilatedContext>();
    // Unreset registers and memories start random (seeded), so reliance on them shows up.
    sim->context->randReset(2);
    sim->context->randSeed(static_cast<int>(seed & 0x7fffffff));
    sim->context->fatalOnError(false);  // a failed assertion ends the job with its text, no abort
    sim->rng.seed(seed);
    sim->top = std::make_unique<Vmodel>(sim->context.get(), "eyeriss_pe");
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
    // Hold reset for a few cycles with every input idle.
    sim->top->rst_ni = 0;
    sim->top->start_i = 0;
    sim->top->filter_valid_i = 0;
    sim->top->ifmap_valid_i = 0;
    sim->top->psum_in_valid_i = 0;
    sim->top->psum_out_ready_i = 0;
    sim->top->cnt_clear_i = 0;
    for (int i = 0; i < 4; ++i) {
        sim->half_cycle_low();
        sim->rising_edge();
    }
    sim->top->rst_ni = 1;
    return sim;
}

int eyeriss_pe_run(eyeriss_pe_sim *sim, const eyeriss_pe_job *job, eyeriss_pe_stats *stats, char *err,
                   size_t err_len) {
    Vmodel *top = sim->top.get();
    auto fail = [&](const std::string &msg) {
        if (err && err_len) std::snprintf(err, err_len, "%s", msg.c_str());
        return 1;
    };
    if (!top->idle_o) return fail("PE is not idle at the start of a job");
    eyeriss::CaptureMessages capture(sim->messages);

    top->cfg_filter_width_i = job->filter_width;
    top->cfg_channels_i = job->channels;
    top->cfg_filters_i = job->filters;
    top->cfg_step_i = job->step;
    top->cfg_outputs_i = job->outputs;
    top->cfg_rows_i = job->rows;
    top->cfg_shift_i = job->shift;
    top->cfg_psum_in_en_i = job->psum_in_en ? 1 : 0;
    top->cfg_keep_filters_i = 0;  // every job of the PE harness brings its filters

    // Clear the counters, then start.
    top->cnt_clear_i = 1;
    sim->half_cycle_low();
    sim->rising_edge();
    top->cnt_clear_i = 0;
    const uint64_t first_cycle = sim->cycles;
    top->start_i = 1;
    sim->half_cycle_low();
    sim->rising_edge();
    top->start_i = 0;

    Source filter{job->filter_words, job->filter_count};
    Source ifmap{job->ifmap_words, job->ifmap_count};
    Source psum_in{job->psum_in_words, job->psum_in_en ? job->psum_in_count : 0};
    uint64_t received = 0;
    uint64_t idle_cycles = 0;
    std::uniform_int_distribution<uint32_t> percent(0, 99);
    auto maybe_offer = [&](Source &s) {
        if (!s.offering && !s.done()) s.offering = percent(sim->rng) >= job->stall_percent;
    };

    while (received < job->psum_out_count || !top->idle_o) {
        maybe_offer(filter);
        maybe_offer(ifmap);
        maybe_offer(psum_in);
        top->filter_valid_i = filter.offering;
        top->filter_data_i = filter.offering ? mask_bits(filter.words[filter.next], EYERISS_DATA_BITS) : 0;
        top->ifmap_valid_i = ifmap.offering;
        top->ifmap_data_i = ifmap.offering ? mask_bits(ifmap.words[ifmap.next], EYERISS_DATA_BITS) : 0;
        top->psum_in_valid_i = psum_in.offering;
        top->psum_in_data_i = psum_in.offering ? mask_bits(psum_in.words[psum_in.next], EYERISS_PSUM_BITS) : 0;
        top->psum_out_ready_i = percent(sim->rng) >= job->stall_percent;
        sim->half_cycle_low();

        bool moved = false;
        if (filter.offering && top->filter_ready_o) { ++filter.next; filter.offering = false; moved = true; }
        if (ifmap.offering && top->ifmap_ready_o) { ++ifmap.next; ifmap.offering = false; moved = true; }
        if (psum_in.offering && top->psum_in_ready_o) { ++psum_in.next; psum_in.offering = false; moved = true; }
        if (top->psum_out_valid_o && top->psum_out_ready_i) {
            if (received >= job->psum_out_count) {
                return fail("PE produced more psums than the job expects (" + std::to_string(job->psum_out_count) + ")");
            }
            job->psum_out_words[received++] = sign_extend(top->psum_out_data_o, EYERISS_PSUM_BITS);
            moved = true;
        }
#ifdef EYERISS_PE_CHECK_COUNT
        // The PE's checks, as its parent in eyeriss_top asserts them: at the rising edge.
        if (top->rst_ni && top->chk_o) {
            static_assert(EYERISS_PE_CHECK_COUNT <= 64, "chk_o must fit a 64-bit port for this loop");
            static const char *const texts[EYERISS_PE_CHECK_COUNT] = EYERISS_PE_CHECK_TEXTS;
            int bit = 0;
            while (!((top->chk_o >> bit) & 1u)) ++bit;
            return fail("RTL assertion failed " + std::to_string(sim->cycles - first_cycle) + " cycles into the job: " +
                        texts[bit]);
        }
#endif
        sim->rising_edge();
        if (sim->context->gotError()) {
            std::string what = eyeriss::assertion_failures(sim->messages);
            return fail("RTL assertion failed " + std::to_string(sim->cycles - first_cycle) + " cycles into the job: " +
                        (what.empty() ? sim->messages : what));
        }
        // The PE's activity counters were cleared just before the job.
        if (sim->cycles - first_cycle >= EYERISS_COUNTER_WRAP_FREE_CYCLES) {
            return fail(eyeriss::counter_wrap_failure("job", sim->cycles - first_cycle, EYERISS_COUNTER_BITS,
                                                      EYERISS_COUNTER_MAX_STEP));
        }
        idle_cycles = moved ? 0 : idle_cycles + 1;
        if (idle_cycles > job->watchdog_cycles) {
            return fail("watchdog: no transfer for " + std::to_string(job->watchdog_cycles) + " cycles; filter words " +
                        std::to_string(filter.next) + "/" + std::to_string(filter.count) + ", ifmap words " +
                        std::to_string(ifmap.next) + "/" + std::to_string(ifmap.count) + ", psums in " +
                        std::to_string(psum_in.next) + "/" + std::to_string(psum_in.count) + ", psums out " +
                        std::to_string(received) + "/" + std::to_string(job->psum_out_count) +
                        (top->idle_o ? ", PE idle" : ", PE busy"));
        }
    }
    if (!filter.done() || !ifmap.done() || !psum_in.done()) {
        return fail("PE finished the job without taking every input word (filter " + std::to_string(filter.next) + "/" +
                    std::to_string(filter.count) + ", ifmap " + std::to_string(ifmap.next) + "/" +
                    std::to_string(ifmap.count) + ")");
    }
    if (stats) {
        stats->cycles = sim->cycles - first_cycle;
        stats->macs = top->cnt_macs_o;
        stats->gated = top->cnt_gated_o;
        stats->filter_reads = top->cnt_filter_reads_o;
        stats->filter_writes = top->cnt_filter_writes_o;
        stats->ifmap_reads = top->cnt_ifmap_reads_o;
        stats->ifmap_writes = top->cnt_ifmap_writes_o;
        stats->psum_reads = top->cnt_psum_reads_o;
        stats->psum_writes = top->cnt_psum_writes_o;
    }
    return 0;
}

void eyeriss_pe_free(eyeriss_pe_sim *sim) {
    if (!sim) return;
    sim->top->final();
#if VM_TRACE
    if (sim->trace) sim->trace->close();
#endif
    delete sim;
}

uint64_t eyeriss_pe_cycles(const eyeriss_pe_sim *sim) { return sim->cycles; }

}  // extern "C"
