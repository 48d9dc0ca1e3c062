/*
 * C ABI of the processing-element co-simulation shim (libeyeriss_pe_shim.so).
 *
 * One opaque handle owns one Verilated model of eyeriss_pe and its VerilatedContext (no
 * statics). eyeriss_pe_run() drives a whole job in C++ (filter, ifmap and psum-in streams in,
 * psum-out stream back) so the host language stays out of the per-cycle loop.
 *
 * Word values are signed and passed as int32_t; the shim masks them to the configured widths
 * (eyeriss_params.h, generated from the validated configuration) and sign-extends outputs.
 */
#ifndef EYERISS_PE_SHIM_H
#define EYERISS_PE_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eyeriss_pe_sim eyeriss_pe_sim;

/* One PE job: configuration, the three input streams and room for the output stream. */
typedef struct {
    uint32_t filter_width;   /* S */
    uint32_t channels;       /* q */
    uint32_t filters;        /* p */
    uint32_t step;           /* new ifmap columns per output: min(stride, S) */
    uint32_t outputs;        /* F: outputs per row */
    uint32_t rows;           /* rows in this job */
    uint32_t shift;          /* product shift */
    uint32_t psum_in_en;     /* 1: add incoming psums */
    const int32_t *filter_words; uint64_t filter_count;
    const int32_t *ifmap_words;  uint64_t ifmap_count;
    const int32_t *psum_in_words; uint64_t psum_in_count;
    int32_t *psum_out_words;     uint64_t psum_out_count;  /* expected count; filled by the run */
    uint32_t stall_percent;      /* 0-99: chance per cycle that a source idles or the sink stalls */
    uint64_t watchdog_cycles;    /* fail after this many cycles without any transfer */
} eyeriss_pe_job;

/* Activity counters read from the RTL after the job, plus the cycles the job took. */
typedef struct {
    uint64_t cycles;
    uint64_t macs, gated;
    uint64_t filter_reads, filter_writes;
    uint64_t ifmap_reads, ifmap_writes;
    uint64_t psum_reads, psum_writes;
} eyeriss_pe_stats;

/* seed: initial state of every unreset register and memory, and the stall pattern.
 * trace_path: NULL, or a .vcd/.fst file (the library must be the matching trace build). */
eyeriss_pe_sim *eyeriss_pe_new(uint64_t seed, const char *trace_path);

/* Returns 0 on success; otherwise writes a message (what is stuck, which stream) to err. */
int eyeriss_pe_run(eyeriss_pe_sim *sim, const eyeriss_pe_job *job, eyeriss_pe_stats *stats,
                   char *err, size_t err_len);

void eyeriss_pe_free(eyeriss_pe_sim *sim);

/* Cycles stepped by all runs of this handle. */
uint64_t eyeriss_pe_cycles(const eyeriss_pe_sim *sim);

#ifdef __cplusplus
}
#endif

#endif
