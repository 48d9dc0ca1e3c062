/*
 * C ABI of the accelerator co-simulation shim (libeyeriss_top_shim.so).
 *
 * One opaque handle owns one Verilated eyeriss_top, its VerilatedContext and the DRAM model
 * (no statics). The host fills DRAM, calls eyeriss_top_run() once per program (one layer):
 * the whole run, DRAM model included, steps in C++, so the host stays out of the cycle loop.
 */
#ifndef EYERISS_TOP_SHIM_H
#define EYERISS_TOP_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eyeriss_top_sim eyeriss_top_sim;

/* The DRAM model. Reads and writes share the bandwidth; read responses come back in order. */
typedef struct {
    double bytes_per_cycle;          /* average bandwidth, e.g. 2.4 */
    uint32_t read_latency;           /* cycles from request to the earliest response */
    uint32_t random_extra_latency;   /* hostile DRAM: up to this many extra cycles per read (0: none) */
    uint32_t stall_percent;          /* hostile DRAM: chance per cycle to refuse requests and writes, 0-99 */
    uint32_t max_outstanding;        /* read requests in flight at most */
} eyeriss_dram_params;

typedef struct {
    uint64_t cycles;               /* cycles of this run */
    uint64_t dram_lines_read;
    uint64_t dram_lines_written;
    uint64_t dram_busy_cycles;     /* cycles with a read request or write refused or waiting */
} eyeriss_top_stats;

/* dram_lines: DRAM size in lines. trace_path: NULL or a .vcd/.fst file (matching build). */
eyeriss_top_sim *eyeriss_top_new(uint64_t seed, const char *trace_path, uint64_t dram_lines,
                                 const eyeriss_dram_params *dram);

/* Host access to DRAM between runs. Return 0, or -1 when the range is outside DRAM. */
int eyeriss_top_dram_write(eyeriss_top_sim *sim, uint64_t line, const uint64_t *data, uint64_t count);
int eyeriss_top_dram_read(const eyeriss_top_sim *sim, uint64_t line, uint64_t *data, uint64_t count);

/* Starts the program at program_line (configuration writes: base, then start). */
void eyeriss_top_start(eyeriss_top_sim *sim, uint64_t program_line);

/* Steps at most `cycles` cycles of the running program. Returns 1 when the program is done,
 * 0 when it is still running (call again: this is how the host shows progress), or -1 on an
 * error, described in err (watchdog with the controller state and every busy PE's state and
 * FIFOs, DRAM access out of range, a malformed run-length coded ifmap row flagged by the RTL
 * decoder, a failed RTL assertion with its instance, message and line).
 * stats accumulates over the steps of one program. */
int eyeriss_top_step(eyeriss_top_sim *sim, uint64_t cycles, uint64_t watchdog_cycles, eyeriss_top_stats *stats,
                     char *err, size_t err_len);

/* Passes the controller has finished in the running program. */
uint64_t eyeriss_top_passes_done(eyeriss_top_sim *sim);

/* Activity counter `counter` (0 MACs, 1 gated, 2 filter reads, 3 filter writes, 4 ifmap reads,
 * 5 ifmap writes, 6 psum reads, 7 psum writes) of PE `pe` (row * columns + column), summed over
 * every pass of the last run. */
uint64_t eyeriss_top_pe_counter(eyeriss_top_sim *sim, uint32_t pe, uint32_t counter);

/* Performance counter `index` of eyeriss_perf_counters (the order of EyerissRTL.PerfCounter:
 * 0 busy cycles .. 16 DRAM lines written) over the last run. */
uint64_t eyeriss_top_perf_counter(eyeriss_top_sim *sim, uint32_t index);

void eyeriss_top_free(eyeriss_top_sim *sim);

/* Benchmark only: starts the program at program_line and steps it to END (or max_cycles) in
 * one C++ loop with no watchdog, statistics or host calls, the baseline for the testbench's
 * overhead. Returns 1 when done, 0 at max_cycles, -1 on a DRAM access outside DRAM; *cycles
 * gets the cycles stepped. */
int eyeriss_top_run_bare(eyeriss_top_sim *sim, uint64_t program_line, uint64_t max_cycles, uint64_t *cycles);

#ifdef __cplusplus
}
#endif

#endif
