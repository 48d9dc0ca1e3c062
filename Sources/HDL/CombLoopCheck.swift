/// Finds a combinational loop between continuous assignments and always_comb blocks.
///
/// A block's targets depend on every signal it reads that it does not assign itself. Registers
/// and instance boundaries cut paths (a submodule's own checks cover its inside), so what is
/// left is exactly what Verilator would report as UNOPTFLAT or a true loop.
enum CombLoopCheck {
    static func findLoop(_ blocks: [Block]) -> [String]? {
        var edges: [String: Set<String>] = [:]  // read signal -> targets
        for block in blocks {
            let (targets, reads): (Set<String>, Set<String>)
            switch block {
            case let .continuous(target, value):
                targets = [target]
                reads = signals(in: value)
            case let .comb(_, body):
                targets = ModuleBuilder.assignedTargets(body)
                reads = signals(in: body).subtracting(targets)
            case .seq, .instance:
                continue
            }
            for r in reads { edges[r, default: []].formUnion(targets) }
        }
        // Iterative DFS with colours; nodes are visited in sorted order for stable messages.
        var colour: [String: Int] = [:]  // 1 = on stack, 2 = done
        for start in edges.keys.sorted() where colour[start] == nil {
            var stack: [(node: String, next: [String])] = [(start, (edges[start] ?? []).sorted())]
            colour[start] = 1
            while !stack.isEmpty {
                if stack[stack.count - 1].next.isEmpty {
                    colour[stack.removeLast().node] = 2
                    continue
                }
                let n = stack[stack.count - 1].next.removeFirst()
                if colour[n] == 1 {
                    let path = stack.map(\.node)
                    return Array(path[path.firstIndex(of: n)!...]) + [n]
                }
                if colour[n] == nil {
                    colour[n] = 1
                    stack.append((n, (edges[n] ?? []).sorted()))
                }
            }
        }
        return nil
    }

    static func signals(in stmts: [Stmt]) -> Set<String> {
        var out = Set<String>()
        for stmt in stmts {
            switch stmt {
            case let .assign(_, value): out.formUnion(signals(in: value))
            case let .memWrite(_, index, value): out.formUnion(signals(in: index)); out.formUnion(signals(in: value))
            case let .ifElse(cond, a, b):
                out.formUnion(signals(in: cond)); out.formUnion(signals(in: a)); out.formUnion(signals(in: b))
            case let .caseOf(sel, arms, defaultBody):
                out.formUnion(signals(in: sel))
                for arm in arms {
                    for label in arm.labels { out.formUnion(signals(in: label)) }
                    out.formUnion(signals(in: arm.body))
                }
                out.formUnion(signals(in: defaultBody))
            }
        }
        return out
    }

    static func signals(in e: Expr) -> Set<String> {
        switch e.kind {
        case let .signal(n): return [n]
        case .literal, .constant: return []
        case let .memRead(m, i): return signals(in: i).union([m])
        case let .slice(n, _, _): return [n]
        case let .unary(_, a), let .replicate(_, a), let .cast(_, a), let .past(a): return signals(in: a)
        case let .binary(_, a, b): return signals(in: a).union(signals(in: b))
        case let .mux(s, a, b): return signals(in: s).union(signals(in: a)).union(signals(in: b))
        case let .concat(parts): return parts.reduce(into: Set<String>()) { $0.formUnion(signals(in: $1)) }
        }
    }
}
