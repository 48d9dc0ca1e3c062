import EyerissGolden

/// The in-order checker of a PE job: outputs against the golden model, and the activity
/// counters against what the job implies. Returns one line per discrepancy (empty: pass).
public enum PECheck {
    public static func discrepancies(job: PEJob, psums: [[[Int]]], stats: PEStats, fixedPoint: FixedPoint,
                                     limit: Int = 10) -> [String] {
        var out: [String] = []
        let expected = job.expected(fixedPoint)
        var mismatches = 0
        for r in 0..<job.rows {
            for k in 0..<job.p {
                for f in 0..<job.outputs where psums[r][k][f] != expected[r][k][f] {
                    mismatches += 1
                    if out.count < limit {
                        out.append("row \(r) filter \(k) output \(f): expected \(expected[r][k][f]), got \(psums[r][k][f])")
                    }
                }
            }
        }
        if mismatches > limit { out.append("... \(mismatches) mismatching psums in all") }
        let total = UInt64(job.p * job.q * job.s * job.outputs * job.rows)
        let zeroFirst = UInt64(job.zeroFirstUses())
        let checks: [(String, UInt64, UInt64)] = [
            ("MACs gated (zero activations x p)", stats.gated, UInt64(job.zeroActivationUses())),
            ("MACs done + gated", stats.macs + stats.gated, total),
            ("filter spad reads (one per MAC done)", stats.filterReads, stats.macs),
            ("filter spad writes", stats.filterWrites, UInt64(job.p * job.q * job.s)),
            ("ifmap spad writes", stats.ifmapWrites, UInt64(job.streams().ifmap.count)),
            ("ifmap spad reads (one per activation use)", stats.ifmapReads, total / UInt64(job.p)),
            ("psum spad writes", stats.psumWrites, stats.macs + zeroFirst),
            ("psum spad reads", stats.psumReads, stats.macs + zeroFirst),
        ]
        for (what, got, want) in checks where got != want {
            out.append("counter \(what): expected \(want), got \(got)")
        }
        return out
    }
}
