// The bare benchmark loop of the accelerator shim: included once, at the end of
// eyeriss_top_shim.cpp (it needs the eyeriss_top_sim definition there).
//
// It runs a program to END the way a minimal hand-written C++ harness would: the same model,
// the same DRAM model, the same clocking (eyeriss_top_sim::tick), and nothing else: no
// watchdog, no statistics, no error flags, no return to the host until done. `eyeriss bench
// --sim` compares it with the Swift testbench on the same program to measure the testbench's
// overhead.
#ifndef EYERISS_TOP_BARE_LOOP_H
#define EYERISS_TOP_BARE_LOOP_H

extern "C" int eyeriss_top_run_bare(eyeriss_top_sim *sim, uint64_t program_line, uint64_t max_cycles,
                                    uint64_t *cycles) {
    Vmodel *t = sim->top.get();
    eyeriss::DramModel &d = *sim->dram;
    std::string error;
    eyeriss_top_start(sim, program_line);
    uint64_t n = 0;
    int rc = 0;
    for (; n < max_cycles; ++n) {
        if (t->done_o) {
            rc = 1;
            break;
        }
        const eyeriss::DramInputs in = d.drive(sim->cycle);
        t->dram_rd_resp_valid_i = in.rd_resp_valid;
        t->dram_rd_resp_data_i = in.rd_resp_data;
        t->dram_rd_req_ready_i = in.rd_req_ready;
        t->dram_wr_ready_i = in.wr_ready;
        t->clk_i = 0;
        t->eval();
        const eyeriss::DramHandshakes h{t->dram_rd_req_valid_o && t->dram_rd_req_ready_i, t->dram_rd_req_addr_o,
                                        in.rd_resp_valid && t->dram_rd_resp_ready_o,
                                        t->dram_wr_valid_o && t->dram_wr_ready_i, t->dram_wr_addr_o, t->dram_wr_data_o};
        sim->tick();
        if (!d.commit(sim->cycle, h, error)) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && t->done_o) rc = 1;
    if (cycles) *cycles = n;
    return rc;
}

#endif
