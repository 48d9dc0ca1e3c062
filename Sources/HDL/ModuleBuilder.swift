/// An elaboration error: names the module, the signal and the generator line that caused it.
public struct HDLError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { "HDL elaboration error: \(message)" }
}

/// Where a generator made a declaration or a driver, so errors point at Swift, not Verilog.
struct Origin: CustomStringConvertible {
    let file: String
    let line: UInt
    var description: String { "\(file):\(line)" }
}

/// Builds a `Module`. Generators declare ports, signals, memories and blocks through it;
/// `build()` then checks that every signal has exactly one driver, every combinational block
/// assigns each of its targets a default first, no combinational loop exists and every
/// instance is fully and correctly connected.
public final class ModuleBuilder {
    public let name: String
    private var header: [String]
    private var attributes: [String] = []
    private var ports: [Port] = []
    private var params: [LocalParam] = []
    private var signals: [SignalDecl] = []
    private var memories: [MemoryDecl] = []
    private var blocks: [(section: String?, block: Block)] = []
    private var pendingGroup: String?
    private var section: String?
    private var names: [String: Origin] = [:]
    private var widths: [String: (width: Int, signed: Bool)] = [:]
    private var drivers: [String: [Origin]] = [:]
    private var memoryWriters: [String: [Origin]] = [:]
    private var errors: [String] = []
    private var resetRegs: [(q: String, d: String, reset: Expr)] = []
    private var plainRegs: [(q: String, d: String)] = []

    public init(_ name: String, header: [String] = []) {
        self.name = name
        self.header = header
        if !Identifier.isValid(name) { errors.append("module name '\(name)' is not a legal identifier") }
    }

    /// Adds a Verilator metacomment or similar after the module name.
    public func attribute(_ text: String) { attributes.append(text) }

    /// Comment printed above the next port declared.
    public func portGroup(_ comment: String) { pendingGroup = comment }

    /// Banner printed above the declarations and blocks that follow.
    public func section(_ title: String) { section = title }

    private func declare(_ name: String, _ width: Int, _ signed: Bool, _ file: StaticString, _ line: UInt) {
        let origin = Origin(file: "\(file)", line: line)
        if let previous = names[name] {
            errors.append("'\(name)' declared twice in \(self.name): at \(previous) and \(origin)")
        }
        if !Identifier.isValid(name) {
            errors.append("'\(name)' in \(self.name) is not a legal identifier or is a keyword (\(origin))")
        }
        if width < 1 { errors.append("'\(name)' in \(self.name) has width \(width) (\(origin))") }
        names[name] = origin
        widths[name] = (width, signed)
    }

    @discardableResult
    public func input(_ name: String, _ width: Int = 1, signed: Bool = false,
                      file: StaticString = #fileID, line: UInt = #line) -> Expr {
        declare(name, width, signed, file, line)
        ports.append(Port(name: name, direction: .input, width: width, signed: signed, group: pendingGroup))
        pendingGroup = nil
        drivers[name] = [Origin(file: "port", line: 0)]
        return Expr(.signal(name), width: max(1, width), signed: signed)
    }

    @discardableResult
    public func output(_ name: String, _ width: Int = 1, signed: Bool = false,
                       file: StaticString = #fileID, line: UInt = #line) -> Expr {
        declare(name, width, signed, file, line)
        ports.append(Port(name: name, direction: .output, width: width, signed: signed, group: pendingGroup))
        pendingGroup = nil
        return Expr(.signal(name), width: max(1, width), signed: signed)
    }

    @discardableResult
    public func logic(_ name: String, _ width: Int = 1, signed: Bool = false, comment: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) -> Expr {
        declare(name, width, signed, file, line)
        signals.append(SignalDecl(name: name, width: width, signed: signed, comment: comment, section: section))
        return Expr(.signal(name), width: max(1, width), signed: signed)
    }

    public func localparam(_ name: String, _ value: Int, comment: String? = nil) {
        params.append(LocalParam(name: name, value: value, width: nil, comment: comment))
    }

    /// A typed named constant (`localparam logic [w-1:0] Name = ...`), usable in expressions:
    /// state encodings read as names in the Verilog.
    public func constant(_ name: String, _ value: Int, width: Int, comment: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) -> Expr {
        _ = Expr.lit(value, width: width, file: file, line: line)  // checks that it fits
        if params.contains(where: { $0.name == name }) || !Identifier.isValid(name) {
            errors.append("localparam '\(name)' in \(self.name) is taken or illegal (\(file):\(line))")
        }
        params.append(LocalParam(name: name, value: value, width: width, comment: comment))
        return Expr(.constant(name), width: width)
    }

    /// A register pair `<base>_q` / `<base>_d`. The `_q` is updated from `_d` every cycle in the
    /// module's single always_ff; with `reset` it is a control register cleared by `rst_ni`.
    /// The caller drives `_d` from a combinational block.
    public func register(_ base: String, _ width: Int = 1, signed: Bool = false, reset: Int? = nil,
                         comment: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) -> (q: Expr, d: Expr) {
        let q = logic("\(base)_q", width, signed: signed, comment: comment, file: file, line: line)
        let d = logic("\(base)_d", width, signed: signed, file: file, line: line)
        drivers["\(base)_q", default: []].append(Origin(file: "\(file)", line: line))
        if let reset {
            resetRegs.append((q.signalName!, d.signalName!, .lit(reset, width: width, signed: signed)))
        } else {
            plainRegs.append((q.signalName!, d.signalName!))
        }
        return (q, d)
    }

    /// An unpacked array `logic [width-1:0] name [depth]`, not reset: scratchpads, banks, FIFOs.
    @discardableResult
    public func memory(_ name: String, width: Int, depth: Int, comment: String? = nil,
                       file: StaticString = #fileID, line: UInt = #line) -> Memory {
        declare(name, width, false, file, line)
        if depth < 1 { errors.append("memory '\(name)' in \(self.name) has depth \(depth)") }
        memories.append(MemoryDecl(name: name, width: width, depth: depth, comment: comment, section: section))
        return Memory(name: name, width: width, depth: depth)
    }

    /// A synchronous write port, in an always_ff of its own with no reset.
    public func memoryWrite(_ memory: Memory, enable: Expr, index: Expr, data: Expr,
                            file: StaticString = #fileID, line: UInt = #line) {
        check(data.width == memory.width, "write data of width \(data.width) into memory '\(memory.name)' of width \(memory.width)", file, line)
        check(enable.width == 1, "write enable of memory '\(memory.name)' must be 1 bit", file, line)
        memoryWriters[memory.name, default: []].append(Origin(file: "\(file)", line: line))
        blocks.append((section, .seq(comment: nil, body: [.ifElse(enable, [.memWrite(memory: memory.name, index: index, value: data)], [])])))
    }

    /// `assign target = value;`
    public func assign(_ target: Expr, _ value: Expr, file: StaticString = #fileID, line: UInt = #line) {
        guard let name = targetName(target, value, file, line) else { return }
        drivers[name, default: []].append(Origin(file: "\(file)", line: line))
        blocks.append((section, .continuous(target: name, value: value)))
    }

    /// An `always_comb` block. Every target must be given a default at the top of the block.
    public func comb(_ label: String? = nil, file: StaticString = #fileID, line: UInt = #line,
                     _ body: (StmtBuilder) -> Void) {
        let builder = StmtBuilder(module: self, file: file, line: line)
        body(builder)
        let stmts = builder.stmts
        let targets = Self.assignedTargets(stmts)
        var defaulted = Set<String>()
        for stmt in stmts {
            guard case let .assign(target, _) = stmt else { break }
            defaulted.insert(target)
        }
        for target in targets.sorted() {
            drivers[target, default: []].append(Origin(file: "\(file)", line: line))
            if !defaulted.contains(target) {
                errors.append("'\(target)' in \(name) is assigned in the always_comb at \(file):\(line) without a default at the top of the block (it would infer a latch)")
            }
        }
        blocks.append((section, .comb(label: label, body: stmts)))
    }

    /// Instantiates `module` as `instanceName`. Inputs are connected to expressions, outputs to
    /// signals of this module; every port must be connected with its exact width.
    public func instance(_ module: Module, _ instanceName: String, inputs: [String: Expr], outputs: [String: Expr],
                         comment: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        let origin = Origin(file: "\(file)", line: line)
        if names[instanceName] != nil || !Identifier.isValid(instanceName) {
            errors.append("instance name '\(instanceName)' in \(name) is taken or illegal (\(origin))")
        }
        names[instanceName] = origin
        var conns: [(port: String, expr: Expr)] = []
        var outs: [String] = []
        for port in module.ports {
            let given = port.direction == .input ? inputs[port.name] : outputs[port.name]
            guard let expr = given else {
                errors.append("instance \(instanceName) of \(module.name) leaves \(port.direction.rawValue) '\(port.name)' unconnected (\(origin))")
                continue
            }
            if expr.width != port.width {
                errors.append("instance \(instanceName): port '\(port.name)' is \(port.width) bits, connected to \(expr.width) bits: \(expr) (\(origin))")
            }
            if port.direction == .output {
                guard let sig = expr.signalName, widths[sig] != nil else {
                    errors.append("instance \(instanceName): output '\(port.name)' must connect to a declared signal (\(origin))")
                    continue
                }
                drivers[sig, default: []].append(origin)
                outs.append(sig)
            }
            conns.append((port.name, expr))
        }
        let known = Set(module.ports.map(\.name))
        for extra in (Array(inputs.keys) + Array(outputs.keys)).sorted() where !known.contains(extra) {
            errors.append("instance \(instanceName): \(module.name) has no port '\(extra)' (\(origin))")
        }
        blocks.append((section, .instance(Instance(module: module.name, name: instanceName, connections: conns,
                                                   outputs: outs, comment: comment))))
    }

    func targetName(_ target: Expr, _ value: Expr, _ file: StaticString, _ line: UInt) -> String? {
        guard let name = target.signalName, let w = widths[name] else {
            errors.append("assignment target \(target) in \(self.name) is not a declared signal (\(file):\(line))")
            return nil
        }
        if w.width != value.width || w.signed != value.signed {
            errors.append("'\(name)' in \(self.name) is \(w.signed ? "signed " : "")\(w.width) bits, assigned \(value.signed ? "signed " : "")\(value.width) bits: \(value) (\(file):\(line))")
        }
        return name
    }

    func check(_ ok: Bool, _ message: String, _ file: StaticString, _ line: UInt) {
        if !ok { errors.append("\(message) in \(name) (\(file):\(line))") }
    }

    static func assignedTargets(_ stmts: [Stmt]) -> Set<String> {
        var out = Set<String>()
        for stmt in stmts {
            switch stmt {
            case let .assign(target, _): out.insert(target)
            case .memWrite: break
            case let .ifElse(_, a, b): out.formUnion(assignedTargets(a)); out.formUnion(assignedTargets(b))
            case let .caseOf(_, arms, defaultBody):
                for arm in arms { out.formUnion(assignedTargets(arm.body)) }
                out.formUnion(assignedTargets(defaultBody))
            }
        }
        return out
    }

    /// Runs every check and returns the module, or throws listing every problem found.
    public func build() throws -> Module {
        var all = errors
        for decl in signals {
            let d = drivers[decl.name] ?? []
            if d.isEmpty { all.append("'\(decl.name)' in \(name) has no driver") }
            if d.count > 1 { all.append("'\(decl.name)' in \(name) has \(d.count) drivers: \(d.map(\.description).joined(separator: ", "))") }
        }
        for port in ports where port.direction == .output {
            let d = drivers[port.name] ?? []
            if d.count != 1 { all.append("output '\(port.name)' of \(name) has \(d.count) drivers (needs exactly one)") }
        }
        for port in ports where port.direction == .input && (drivers[port.name]?.count ?? 0) > 1 {
            all.append("input '\(port.name)' of \(name) is assigned inside the module")
        }
        for mem in memories where (memoryWriters[mem.name]?.count ?? 0) > 1 {
            all.append("memory '\(mem.name)' in \(name) has several write ports: \(memoryWriters[mem.name]!.map(\.description).joined(separator: ", "))")
        }
        if let loop = CombLoopCheck.findLoop(blocks.map(\.block)) {
            all.append("combinational loop in \(name): \(loop.joined(separator: " -> "))")
        }
        if !all.isEmpty { throw HDLError(message: all.joined(separator: "\n")) }

        var allBlocks = blocks
        if !resetRegs.isEmpty {
            let resets = resetRegs.map { Stmt.assign(target: $0.q, value: $0.reset) }
            let nexts = resetRegs.map { Stmt.assign(target: $0.q, value: Expr(.signal($0.d), width: widths[$0.d]!.width, signed: widths[$0.d]!.signed)) }
            let rst = Expr(.signal("rst_ni"), width: 1)
            allBlocks.append(("Registers", .seq(comment: "Control registers: synchronous active-low reset.",
                                                body: [.ifElse(!rst, resets, nexts)])))
        }
        if !plainRegs.isEmpty {
            let nexts = plainRegs.map { Stmt.assign(target: $0.q, value: Expr(.signal($0.d), width: widths[$0.d]!.width, signed: widths[$0.d]!.signed)) }
            allBlocks.append((resetRegs.isEmpty ? "Registers" : nil,
                              .seq(comment: "Datapath registers: no reset, so nothing may rely on their initial value.", body: nexts)))
        }
        return Module(name: name, header: header, attributes: attributes, ports: ports, params: params,
                      signals: signals, memories: memories, blocks: allBlocks)
    }
}

/// A memory handle: read it with `memory[index]`.
public struct Memory: Sendable {
    public let name: String
    public let width: Int
    public let depth: Int

    public subscript(index: Expr) -> Expr { Expr(.memRead(name, index), width: width) }
}

/// Collects statements for an always_comb block.
public final class StmtBuilder {
    unowned let module: ModuleBuilder
    let file: StaticString
    let line: UInt
    public private(set) var stmts: [Stmt] = []

    init(module: ModuleBuilder, file: StaticString, line: UInt) {
        self.module = module
        self.file = file
        self.line = line
    }

    public func set(_ target: Expr, _ value: Expr, file: StaticString = #fileID, line: UInt = #line) {
        guard let name = module.targetName(target, value, file, line) else { return }
        stmts.append(.assign(target: name, value: value))
    }

    public func when(_ cond: Expr, file: StaticString = #fileID, line: UInt = #line,
                     _ then: (StmtBuilder) -> Void, otherwise: ((StmtBuilder) -> Void)? = nil) {
        module.check(cond.width == 1, "condition \(cond) must be 1 bit", file, line)
        let t = StmtBuilder(module: module, file: file, line: line)
        then(t)
        let e = StmtBuilder(module: module, file: file, line: line)
        otherwise?(e)
        stmts.append(.ifElse(cond, t.stmts, e.stmts))
    }

    /// `unique case (selector)`: arms in order, then the default.
    public func switchOn(_ selector: Expr, arms: [(labels: [Expr], body: (StmtBuilder) -> Void)],
                         default defaultBody: (StmtBuilder) -> Void,
                         file: StaticString = #fileID, line: UInt = #line) {
        var built: [(labels: [Expr], body: [Stmt])] = []
        for arm in arms {
            for label in arm.labels {
                module.check(label.width == selector.width, "case label \(label) width differs from selector \(selector)", file, line)
            }
            let b = StmtBuilder(module: module, file: file, line: line)
            arm.body(b)
            built.append((arm.labels, b.stmts))
        }
        let d = StmtBuilder(module: module, file: file, line: line)
        defaultBody(d)
        stmts.append(.caseOf(selector, built, defaultBody: d.stmts))
    }
}

/// Legal, non-keyword Verilog identifiers.
public enum Identifier {
    static let keywords: Set<String> = [
        "always", "always_comb", "always_ff", "always_latch", "and", "assign", "automatic", "begin", "bit", "buf",
        "byte", "case", "casex", "casez", "cell", "config", "const", "default", "defparam", "design", "disable",
        "do", "edge", "else", "end", "endcase", "endfunction", "endgenerate", "endmodule", "endtask", "enum",
        "event", "final", "for", "force", "forever", "fork", "function", "generate", "genvar", "if", "initial",
        "inout", "input", "int", "integer", "interface", "join", "localparam", "logic", "longint", "module",
        "nand", "negedge", "nor", "not", "or", "output", "packed", "parameter", "posedge", "priority", "real",
        "reg", "repeat", "return", "shortint", "signed", "struct", "supply0", "supply1", "task", "time", "tri",
        "type", "typedef", "union", "unique", "unsigned", "void", "wait", "while", "wire", "xor", "xnor",
    ]

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !keywords.contains(name) else { return false }
        let isStart = { (c: Unicode.Scalar) in (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        let isRest = { (c: Unicode.Scalar) in isStart(c) || (c >= "0" && c <= "9") }
        return isStart(first) && name.unicodeScalars.allSatisfy(isRest)
    }
}
