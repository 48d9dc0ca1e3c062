/// Renders modules as SystemVerilog text: a pure function of the module, deterministic, in
/// declaration order. All Verilog syntax lives here.
public enum VerilogPrinter {
    public static func render(_ m: Module) -> String {
        var out: [String] = m.header.map { $0.isEmpty ? "//" : "// \($0)" }
        if !out.isEmpty { out.append("") }
        out.append("module \(m.name) (")
        let typeCol = m.ports.map { typeText($0.width, $0.signed) }
        let typeWidth = typeCol.map(\.count).max() ?? 0
        for (i, port) in m.ports.enumerated() {
            if let group = port.group {
                if i > 0 { out.append("") }
                out.append("  // \(group)")
            }
            let dir = port.direction == .input ? "input " : "output"
            let sep = i == m.ports.count - 1 ? "" : ","
            // See ModuleBuilder.shareCodeAcrossInstances: keeps the port a variable of the module.
            let shared = m.sharedCode && port.direction == .input && !port.broadcast ? " /*verilator public_flat_rd*/" : ""
            out.append("  \(dir) \(pad(typeCol[i], typeWidth)) \(port.name)\(shared)\(sep)")
        }
        out.append(");")
        // Verilator metacomments belong inside the module body.
        for attr in m.attributes { out.append("  \(attr)") }

        if !m.params.isEmpty {
            out.append("")
            for p in m.params {
                let c = p.comment.map { "  // \($0)" } ?? ""
                if let w = p.width {
                    out.append("  localparam \(typeText(w, false)) \(p.name) = \(w)'d\(p.value);\(c)")
                } else {
                    out.append("  localparam int unsigned \(p.name) = \(p.value);\(c)")
                }
            }
        }

        var lastSection: String?? = .none
        func banner(_ section: String?) {
            guard let section, lastSection != .some(section) else { return }
            lastSection = .some(section)
            out.append("")
            out.append("  // " + String(repeating: "-", count: 72))
            out.append("  // \(section)")
            out.append("  // " + String(repeating: "-", count: 72))
        }

        // Declarations, grouped under the section they were made in.
        var declLines: [(String?, String)] = []
        for s in m.signals {
            let c = s.comment.map { "  // \($0)" } ?? ""
            declLines.append((s.section, "  \(typeText(s.width, s.signed)) \(s.name);\(c)"))
        }
        for mem in m.memories {
            let c = mem.comment.map { "  // \($0)" } ?? ""
            declLines.append((mem.section, "  \(typeText(mem.width, false)) \(mem.name) [\(mem.depth)];\(c)"))
        }
        if !declLines.isEmpty {
            out.append("")
            out.append("  // Signals")
            for (_, line) in declLines { out.append(line) }
        }

        for (section, block) in m.blocks {
            banner(section)
            out.append("")
            switch block {
            case let .continuous(target, value):
                out.append("  assign \(target) = \(expr(value));")
            case let .comb(label, body):
                if let label { out.append("  // \(label)") }
                out.append("  always_comb begin")
                stmts(body, indent: 2, nonblocking: false, into: &out)
                out.append("  end")
            case let .seq(comment, body):
                if let comment { out.append("  // \(comment)") }
                out.append("  always_ff @(posedge clk_i) begin")
                stmts(body, indent: 2, nonblocking: true, into: &out)
                out.append("  end")
            case let .instance(inst):
                if let c = inst.comment { out.append("  // \(c)") }
                out.append("  \(inst.module) \(inst.name) (")
                let w = inst.connections.map(\.port.count).max() ?? 0
                for (i, conn) in inst.connections.enumerated() {
                    let sep = i == inst.connections.count - 1 ? "" : ","
                    out.append("    .\(pad(conn.port, w))(\(expr(conn.expr)))\(sep)")
                }
                out.append("  );")
            }
        }
        if let port = m.checkPort {
            checkFlags(m, port: port, into: &out)
        } else if !m.assertions.isEmpty {
            assertions(m, into: &out)
        }
        out.append("")
        out.append("endmodule")
        out.append("")
        return out.joined(separator: "\n")
    }

    /// Labelled immediate assertions in one clocked block, out of reset when the module has
    /// `rst_ni`, hidden from synthesis (Yosys defines SYNTHESIS; Verilator checks them with
    /// `--assert`).
    static func assertions(_ m: Module, into out: inout [String]) {
        out.append("")
        out.append("  // " + String(repeating: "-", count: 72))
        out.append("  // Assertions: simulation only (Verilator --assert); synthesis never sees them")
        out.append("  // " + String(repeating: "-", count: 72))
        out.append("")
        out.append("`ifndef SYNTHESIS")
        checkTextFunctions(m, into: &out)
        out.append("  always_ff @(posedge clk_i) begin")
        let reset = m.port("rst_ni") != nil
        let sp = reset ? "      " : "    "
        if reset { out.append("    if (rst_ni) begin") }
        for a in m.assertions {
            out.append("\(sp)\(a.name): assert (\(expr(a.condition)))")
            out.append("\(sp)  else \(failAction(a))")
        }
        if reset { out.append("    end") }
        out.append("  end")
        out.append("`endif")
    }

    /// A watched child's flags name its first failed check (see ModuleBuilder.assertChecks).
    static func failAction(_ a: Assertion) -> String {
        guard let flags = a.flags else { return "$error(\"\(a.message)\");" }
        return "$error(\"%s\", \(flags.groupTextFunction ?? flags.textFunction)(\(expr(flags.value))));"
    }

    /// One function per watched child module: the text of the lowest set check flag.
    static func checkTextFunctions(_ m: Module, into out: inout [String]) {
        var seen = Set<String>()
        for a in m.assertions {
            guard let flags = a.flags, seen.insert(flags.textFunction).inserted else { continue }
            out.append("  // The first failed check of an instance of \(flags.module), from its check flags")
            out.append("  function automatic string \(flags.textFunction)(input \(typeText(flags.texts.count, false)) flags);")
            // Inlined at each of its (up to 168) call sites, its string temporaries would be
            // built and freed in every cycle's evaluation; as a call it costs nothing until a
            // check fails.
            out.append("    /*verilator no_inline_task*/")
            for (i, text) in flags.texts.enumerated() {
                out.append("    if (flags[\(i)]) return \"\(text)\";")
            }
            out.append("    return \"no check failed\";")
            out.append("  endfunction")
            out.append("")
        }
        for a in m.assertions {
            guard let flags = a.flags, let function = flags.groupTextFunction else { continue }
            let w = flags.texts.count
            out.append("  // The first instance watched by \(a.name) with a failed check, and that check")
            out.append("  function automatic string \(function)(input \(typeText(w * flags.instances.count, false)) flags);")
            out.append("    /*verilator no_inline_task*/")
            for (i, instance) in flags.instances.enumerated() {
                let bits = "flags[\(i * w + w - 1):\(i * w)]"
                out.append("    if (|\(bits)) return {\"\(instance): \", \(flags.textFunction)(\(bits))};")
            }
            out.append("    return \"no check failed\";")
            out.append("  endfunction")
            out.append("")
        }
    }

    /// The assertions of a module that reports them as flags (ModuleBuilder.reportChecks): one
    /// bit per assertion, set while it fails (also in reset: the watching assertion is gated);
    /// `$past` values become registers.
    static func checkFlags(_ m: Module, port: String, into out: inout [String]) {
        var pasts: [Expr] = []
        func explicitPast(_ e: Expr) -> Expr {
            func walk(_ e: Expr) -> Expr {
                switch e.kind {
                case let .past(a):
                    pasts.append(a)
                    return Expr(.signal("chk_past\(pasts.count - 1)_q"), width: e.width, signed: e.signed)
                case .signal, .literal, .slice, .constant: return e
                case let .memRead(name, i): return Expr(.memRead(name, walk(i)), width: e.width, signed: e.signed)
                case let .unary(op, a): return Expr(.unary(op, walk(a)), width: e.width, signed: e.signed)
                case let .replicate(n, a): return Expr(.replicate(n, walk(a)), width: e.width, signed: e.signed)
                case let .cast(sg, a): return Expr(.cast(signed: sg, walk(a)), width: e.width, signed: e.signed)
                case let .binary(op, a, b): return Expr(.binary(op, walk(a), walk(b)), width: e.width, signed: e.signed)
                case let .mux(c, a, b): return Expr(.mux(walk(c), walk(a), walk(b)), width: e.width, signed: e.signed)
                case let .concat(parts): return Expr(.concat(parts.map(walk)), width: e.width, signed: e.signed)
                }
            }
            return walk(e)
        }
        // A flag is the failure: the negated condition, without a double negation.
        let failures: [Expr] = m.assertions.map {
            let c = explicitPast($0.condition)
            if case let .unary("!", inner) = c.kind { return inner }
            return !c
        }
        let n = m.assertions.count
        out.append("")
        out.append("  // " + String(repeating: "-", count: 72))
        out.append("  // Checks: simulation only, reported as flags on \(port) for the instantiating module's")
        out.append("  // assertions: no instance-specific text here, so Verilator shares this module's code")
        out.append("  // " + String(repeating: "-", count: 72))
        out.append("")
        out.append("`ifndef SYNTHESIS")
        for (i, p) in pasts.enumerated() {
            out.append("  \(typeText(p.width, p.signed)) chk_past\(i)_q;  // $past(\(expr(p)))")
        }
        if !pasts.isEmpty {
            out.append("  always_ff @(posedge clk_i) begin")
            for (i, p) in pasts.enumerated() { out.append("    chk_past\(i)_q <= \(expr(p));") }
            out.append("  end")
        }
        // Not gated by rst_ni here: the assertion that watches the flags is (a flag that read
        // the reset input would put every instance's checks in Verilator's input-change step).
        out.append("  assign \(port) = {")
        for (i, a) in m.assertions.enumerated().reversed() {
            let sep = i == 0 ? "" : ","
            out.append("    \(expr(failures[i]))\(sep)  // \(i): \(a.name)")
        }
        out.append("  };")
        out.append("`else")
        out.append("  assign \(port) = \(n)'d0;")
        out.append("`endif")
    }

    static func typeText(_ width: Int, _ signed: Bool) -> String {
        let s = signed ? "logic signed" : "logic"
        return width == 1 ? s : "\(s) [\(width - 1):0]"
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }

    static func stmts(_ list: [Stmt], indent: Int, nonblocking: Bool, into out: inout [String]) {
        let sp = String(repeating: "  ", count: indent)
        let op = nonblocking ? "<=" : "="
        for stmt in list {
            switch stmt {
            case let .assign(target, value):
                out.append("\(sp)\(target) \(op) \(expr(value));")
            case let .memWrite(memory, index, value):
                out.append("\(sp)\(memory)[\(expr(index))] <= \(expr(value));")
            case let .ifElse(cond, a, b):
                out.append("\(sp)if (\(expr(cond))) begin")
                stmts(a, indent: indent + 1, nonblocking: nonblocking, into: &out)
                if b.isEmpty {
                    out.append("\(sp)end")
                } else if b.count == 1, case .ifElse = b[0] {
                    // Print `else if` chains flat rather than as nested blocks.
                    var nested: [String] = []
                    stmts(b, indent: indent, nonblocking: nonblocking, into: &nested)
                    out.append("\(sp)end else " + nested[0].dropFirst(sp.count))
                    out.append(contentsOf: nested.dropFirst())
                } else {
                    out.append("\(sp)end else begin")
                    stmts(b, indent: indent + 1, nonblocking: nonblocking, into: &out)
                    out.append("\(sp)end")
                }
            case let .caseOf(sel, arms, defaultBody):
                out.append("\(sp)unique case (\(expr(sel)))")
                for arm in arms {
                    out.append("\(sp)  \(arm.labels.map { expr($0) }.joined(separator: ", ")): begin")
                    stmts(arm.body, indent: indent + 2, nonblocking: nonblocking, into: &out)
                    out.append("\(sp)  end")
                }
                out.append("\(sp)  default: begin")
                stmts(defaultBody, indent: indent + 2, nonblocking: nonblocking, into: &out)
                out.append("\(sp)  end")
                out.append("\(sp)endcase")
            }
        }
    }

    public static func expr(_ e: Expr) -> String {
        switch e.kind {
        case let .signal(name): return name
        case let .literal(bits):
            if e.signed {
                return "\(e.width)'sh" + String(bits, radix: 16)
            }
            return "\(e.width)'d\(bits)"
        case let .constant(name): return name
        case let .memRead(mem, index): return "\(mem)[\(expr(index))]"
        case let .slice(name, hi, lo): return hi == lo ? "\(name)[\(hi)]" : "\(name)[\(hi):\(lo)]"
        case let .unary(op, a): return "\(op)\(operand(a))"
        case let .binary(op, a, b): return "\(operand(a)) \(op) \(operand(b))"
        case let .mux(s, a, b): return "\(operand(s)) ? \(operand(a)) : \(operand(b))"
        case let .concat(parts): return "{" + parts.map { expr($0) }.joined(separator: ", ") + "}"
        case let .replicate(n, a): return "{\(n){\(expr(a))}}"
        case let .cast(signed, a): return (signed ? "$signed(" : "$unsigned(") + expr(a) + ")"
        case let .past(a): return "$past(" + expr(a) + ")"
        }
    }

    /// Operands that are themselves operators get parentheses: no precedence puzzles.
    static func operand(_ e: Expr) -> String {
        switch e.kind {
        case .binary, .mux: return "(\(expr(e)))"
        default: return expr(e)
        }
    }
}
