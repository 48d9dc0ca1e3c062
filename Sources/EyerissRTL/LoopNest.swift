import HDL

/// Nested loop counters, the address generators' building block.
///
/// Level 0 is the innermost loop. Each level counts `0 ..< limit` (a limit of 0 counts as 1;
/// the limit may depend on outer counters, e.g. the first window being wider). `advance`
/// steps the nest by one; `restart` clears it. `lastAll` is high while every counter sits at
/// its last value, i.e. the step taken with `advance` now is the final one.
struct LoopNest {
    let counters: [Expr]
    let last: [Expr]
    /// Nil when the nest was built without it (nobody waits for the nest to finish).
    let lastAll: Expr!

    init(_ m: ModuleBuilder, _ prefix: String, levels: [(name: String, width: Int, limit: Expr)],
         advance: Expr, restart: Expr, exposeLastAll: Bool = true) {
        var counters: [Expr] = []
        var lasts: [Expr] = []
        var carry = advance
        for level in levels {
            let reg = m.register("\(prefix)_\(level.name)", level.width, reset: 0)
            let last = m.logic("\(prefix)_\(level.name)_last")
            precondition(level.limit.width == level.width, "loop limit width must equal the counter width (\(prefix)_\(level.name))")
            m.assign(last, reg.q.ge(level.limit - 1) | level.limit.isZero)
            let thisCarry = carry
            m.comb { b in
                b.set(reg.d, reg.q)
                b.when(restart) { b in b.set(reg.d, .lit(0, width: level.width)) }
                    otherwise: { b in
                        b.when(thisCarry) { b in b.set(reg.d, Expr.mux(last, .lit(0, width: level.width), reg.q + 1)) }
                    }
            }
            counters.append(reg.q)
            lasts.append(last)
            carry = carry & last
        }
        self.counters = counters
        last = lasts
        if exposeLastAll {
            let all = m.logic("\(prefix)_last_all")
            m.assign(all, lasts.dropFirst().reduce(lasts[0]) { $0 & $1 })
            lastAll = all
        } else {
            lastAll = nil
        }
    }
}
