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

/// What a name of the module stands for: the names share one namespace in Verilog.
private enum NameKind {
    case port, signal, memory, param, constant, instance, assertion
}

/// Builds a `Module`. Generators declare ports, signals, memories and blocks through it;
/// `build()` then checks that every signal has exactly one driver, every combinational block
/// assigns each of its targets a default first, no combinational loop exists, every
/// instance is fully and correctly connected, every expression reads only what this module
/// declares (memory indices exactly as wide as the depth needs), and registers and memory
/// write ports have the `clk_i` (and reset registers the `rst_ni`) they are printed with.
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
    private var kinds: [String: NameKind] = [:]
    private var widths: [String: (width: Int, signed: Bool)] = [:]
    private var drivers: [String: [Origin]] = [:]
    private var memoryWriters: [String: [Origin]] = [:]
    private var errors: [String] = []
    private var resetRegs: [(q: String, d: String, reset: Expr)] = []
    private var plainRegs: [(q: String, d: String)] = []
    /// Every expression the module reads, with where and as what: checked in `build()`, once
    /// every declaration is known, for names this module does not declare.
    private var reads: [(expr: Expr, role: String, origin: Origin)] = []
    /// Memory handles written, checked in `build()` against this module's memories.
    private var writtenMemories: [(memory: Memory, origin: Origin)] = []
    private var assertions: [Assertion] = []
    private var checkPort: String?
    private var sharedCode = false
    /// "module.port" of each broadcast input instantiated here: its expression and first instance.
    private var broadcastDrivers: [String: (expr: String, instance: String, reported: Bool)] = [:]

    public init(_ name: String, header: [String] = []) {
        self.name = name
        self.header = header
        if !Identifier.isValid(name) { errors.append("module name '\(name)' is not a legal identifier") }
    }

    /// Adds a Verilator metacomment or similar after the module name.
    public func attribute(_ text: String) { attributes.append(text) }

    /// For a module instantiated many times (the PEs): Verilator gives all its instances one
    /// copy of code only when that code is the same for every instance. So the module is kept
    /// out of its parent (`no_inline_module`), and its inputs are marked readable from outside
    /// (`public_flat_rd`), which stops Verilator replacing a port by the parent's signal that
    /// drives it, a different one per instance. Inputs declared `broadcast` (the clock, the reset,
    /// a configuration every instance shares) are left unmarked: their driver is the same for
    /// every instance, so the code stays shared, and the parent neither copies them into each
    /// instance every cycle nor, for the clock, evaluates one trigger per instance. Its
    /// assertions must be reported as flags (`reportChecks`): an `assert` prints its instance
    /// path, which differs per instance.
    public func shareCodeAcrossInstances() {
        sharedCode = true
        attributes.append("/*verilator no_inline_module*/")
    }

    /// Reports this module's assertions on a `port` output, one flag per assertion (bit i set in
    /// a cycle where assertion i fails), for the instantiating module to check with
    /// `assertChecks` or `forwardChecks`, instead of `assert` statements here. Simulation only:
    /// synthesis sees the port tied to zero. `$past` becomes an explicit register.
    public func reportChecks(on port: String = "chk_o") { checkPort = port }

    /// One assertion, `<instance>_checks`, that the flags of a child instance whose module
    /// reports its checks (`reportChecks`) stay clear; it fails naming the child's first failed
    /// check. For a few instances; many are cheaper to watch with `assertChecks(ofInstances:)`.
    public func assertChecks(of instance: String, module: Module, flags: Expr,
                             file: StaticString = #fileID, line: UInt = #line) {
        guard watchable(instance, module, flags, file, line) else { return }
        addAssertion("\(instance)_checks", flags.isZero, message: "a check of \(instance) failed",
                     flags: CheckFlags(module: module.name, texts: module.checkTexts, value: flags), file, line)
    }

    /// One assertion, `label`, that the flags of several instances of one module that reports
    /// its checks stay clear; it fails naming the first instance with a failed check and that
    /// check. For a large array: Verilator evaluates one assertion a cycle, not one per instance,
    /// each with its own message temporaries (on the 12 x 14 array, 168 of them cost about 10 %
    /// of the simulation time).
    public func assertChecks(ofInstances instances: [(name: String, flags: Expr)], module: Module, label: String,
                             file: StaticString = #fileID, line: UInt = #line) {
        guard !instances.isEmpty else {
            errors.append("assertion '\(label)' in \(name) watches no instances (\(file):\(line))")
            return
        }
        guard instances.allSatisfy({ watchable($0.name, module, $0.flags, file, line) }) else { return }
        let all = logic("\(label)_flags", instances.count * instances[0].flags.width,
                        comment: "the check flags of \(instances.count) instances of \(module.name), the first in the low bits")
        assign(all, Expr.concat(instances.reversed().map(\.flags)))
        var flags = CheckFlags(module: module.name, texts: module.checkTexts, value: all)
        flags.instances = instances.map(\.name)
        flags.group = label
        addAssertion(label, all.isZero, message: "a check of an instance of \(module.name) failed", flags: flags, file, line)
    }

    /// One assertion here per check of a child instance whose module reports its checks
    /// (`reportChecks`), named `<instance>_<label>`: for a child inside a module that itself
    /// reports its checks, so they travel up as flags too.
    public func forwardChecks(of instance: String, module: Module, flags: Expr,
                              file: StaticString = #fileID, line: UInt = #line) {
        guard watchable(instance, module, flags, file, line) else { return }
        for (i, a) in module.assertions.enumerated() {
            assertion("\(instance)_\(a.name)", !flags.bit(i), message: "\(instance): \(a.message)", file: file, line: line)
        }
    }

    /// True when `module` reports its checks on a port as wide as `flags`; else records why not.
    private func watchable(_ instance: String, _ module: Module, _ flags: Expr,
                           _ file: StaticString, _ line: UInt) -> Bool {
        guard let port = module.checkPort, let p = module.port(port) else {
            errors.append("\(module.name) does not report its checks on a port: instance \(instance) has none to check (\(file):\(line))")
            return false
        }
        guard flags.width == p.width else {
            errors.append("check flags of \(instance) are \(flags.width) bits, \(module.name).\(port) is \(p.width) (\(file):\(line))")
            return false
        }
        return true
    }

    /// Comment printed above the next port declared.
    public func portGroup(_ comment: String) { pendingGroup = comment }

    /// Banner printed above the declarations and blocks that follow.
    public func section(_ title: String) { section = title }

    private func declare(_ name: String, _ width: Int, _ signed: Bool, _ kind: NameKind,
                         _ file: StaticString, _ line: UInt) {
        let origin = Origin(file: "\(file)", line: line)
        if let previous = names[name] {
            errors.append("'\(name)' declared twice in \(self.name): at \(previous) and \(origin)")
        }
        if !Identifier.isValid(name) {
            errors.append("'\(name)' in \(self.name) is not a legal identifier or is a keyword (\(origin))")
        }
        if width < 1 { errors.append("'\(name)' in \(self.name) has width \(width) (\(origin))") }
        names[name] = origin
        kinds[name] = kind
        widths[name] = (width, signed)
    }

    /// Claims the name of a localparam or typed constant: legal, not a keyword, and unique
    /// among every name of the module (ports, signals, memories, instances, other params).
    private func declareParam(_ name: String, _ kind: NameKind, _ file: StaticString, _ line: UInt) {
        let origin = Origin(file: "\(file)", line: line)
        if let previous = names[name] {
            errors.append("localparam '\(name)' in \(self.name) is taken or illegal: already declared at \(previous) (\(origin))")
        } else if !Identifier.isValid(name) {
            errors.append("localparam '\(name)' in \(self.name) is taken or illegal: not a legal identifier or is a keyword (\(origin))")
        }
        names[name] = origin
        kinds[name] = kind
    }

    /// Records an expression this module reads, for the checks of `build()`.
    func read(_ expr: Expr, as role: String, _ file: StaticString, _ line: UInt) {
        if expr.readsPast && !role.hasPrefix("assertion ") {
            errors.append("$past read in \(name) as \(role): only assertions may read past values (\(file):\(line))")
        }
        reads.append((expr, role, Origin(file: "\(file)", line: line)))
    }

    /// A simulation-only check (see `Assertion`): at every rising edge of `clk_i`, out of reset
    /// when the module has `rst_ni`, `condition` (1 bit; it may read `Expr.past`) must hold,
    /// else the simulator stops the run with `message`, prefixed with this module's name.
    /// Printed inside `ifndef SYNTHESIS`: it adds no hardware.
    public func assertion(_ name: String, _ condition: Expr, message: String,
                          file: StaticString = #fileID, line: UInt = #line) {
        addAssertion(name, condition, message: message, flags: nil, file, line)
    }

    private func addAssertion(_ name: String, _ condition: Expr, message: String, flags: CheckFlags?,
                              _ file: StaticString, _ line: UInt) {
        let origin = Origin(file: "\(file)", line: line)
        if let previous = names[name] {
            errors.append("assertion '\(name)' in \(self.name) is taken: already declared at \(previous) (\(origin))")
        } else if !Identifier.isValid(name) {
            errors.append("assertion '\(name)' in \(self.name) is not a legal identifier or is a keyword (\(origin))")
        }
        names[name] = origin
        kinds[name] = .assertion
        check(condition.width == 1, "assertion '\(name)' must be a 1-bit condition, got \(condition.width) bits: \(condition)", file, line)
        let printable = message.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "\\" && $0 != "%" }
        check(!message.isEmpty && printable,
              "assertion '\(name)' message must be non-empty printable ASCII without quotes, backslashes or %: \(message)", file, line)
        read(condition, as: "assertion '\(name)'", file, line)
        assertions.append(Assertion(name: name, condition: condition, message: "\(self.name): \(message)", flags: flags))
    }

    /// An input port. `broadcast`: in a module that shares code across instances, every
    /// instance connects this input to the same expression (checked where they are instantiated).
    @discardableResult
    public func input(_ name: String, _ width: Int = 1, signed: Bool = false, broadcast: Bool = false,
                      file: StaticString = #fileID, line: UInt = #line) -> Expr {
        declare(name, width, signed, .port, file, line)
        ports.append(Port(name: name, direction: .input, width: width, signed: signed, group: pendingGroup,
                          broadcast: broadcast))
        pendingGroup = nil
        drivers[name] = [Origin(file: "port", line: 0)]
        return Expr(.signal(name), width: max(1, width), signed: signed)
    }

    @discardableResult
    public func output(_ name: String, _ width: Int = 1, signed: Bool = false,
                       file: StaticString = #fileID, line: UInt = #line) -> Expr {
        declare(name, width, signed, .port, file, line)
        ports.append(Port(name: name, direction: .output, width: width, signed: signed, group: pendingGroup))
        pendingGroup = nil
        return Expr(.signal(name), width: max(1, width), signed: signed)
    }

    @discardableResult
    public func logic(_ name: String, _ width: Int = 1, signed: Bool = false, comment: String? = nil,
                      file: StaticString = #fileID, line: UInt = #line) -> Expr {
        declare(name, width, signed, .signal, file, line)
        signals.append(SignalDecl(name: name, width: width, signed: signed, comment: comment, section: section))
        return Expr(.signal(name), width: max(1, width), signed: signed)
    }

    /// An untyped `localparam int unsigned`, for readability. Its name is checked like every
    /// other name of the module: legal, not a keyword, unique.
    public func localparam(_ name: String, _ value: Int, comment: String? = nil,
                           file: StaticString = #fileID, line: UInt = #line) {
        declareParam(name, .param, file, line)
        params.append(LocalParam(name: name, value: value, width: nil, comment: comment))
    }

    /// A typed named constant (`localparam logic [w-1:0] Name = ...`), usable in expressions:
    /// state encodings read as names in the Verilog.
    public func constant(_ name: String, _ value: Int, width: Int, comment: String? = nil,
                         file: StaticString = #fileID, line: UInt = #line) -> Expr {
        _ = Expr.lit(value, width: width, file: file, line: line)  // checks that it fits
        declareParam(name, .constant, file, line)
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
        declare(name, width, false, .memory, file, line)
        if depth < 1 { errors.append("memory '\(name)' in \(self.name) has depth \(depth)") }
        memories.append(MemoryDecl(name: name, width: width, depth: depth, comment: comment, section: section))
        return Memory(name: name, width: width, depth: depth)
    }

    /// A synchronous write port, in an always_ff of its own with no reset.
    public func memoryWrite(_ memory: Memory, enable: Expr, index: Expr, data: Expr,
                            file: StaticString = #fileID, line: UInt = #line) {
        check(data.width == memory.width, "write data of width \(data.width) into memory '\(memory.name)' of width \(memory.width)", file, line)
        check(enable.width == 1, "write enable of memory '\(memory.name)' must be 1 bit", file, line)
        check(index.width == memory.indexBits,
              "write index of memory '\(memory.name)' (\(memory.depth) words) must be \(memory.indexBits) bits, got \(index.width) bits: \(index)",
              file, line)
        read(enable, as: "write enable of memory '\(memory.name)'", file, line)
        read(index, as: "write index of memory '\(memory.name)'", file, line)
        read(data, as: "write data of memory '\(memory.name)'", file, line)
        writtenMemories.append((memory, Origin(file: "\(file)", line: line)))
        memoryWriters[memory.name, default: []].append(Origin(file: "\(file)", line: line))
        blocks.append((section, .seq(comment: nil, body: [.ifElse(enable, [.memWrite(memory: memory.name, index: index, value: data)], [])])))
    }

    /// `assign target = value;`
    public func assign(_ target: Expr, _ value: Expr, file: StaticString = #fileID, line: UInt = #line) {
        guard let name = targetName(target, value, file, line) else { return }
        read(value, as: "value assigned to '\(name)'", file, line)
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
        kinds[instanceName] = .instance
        var conns: [(port: String, expr: Expr)] = []
        var outs: [String] = []
        for port in module.ports {
            let given = port.direction == .input ? inputs[port.name] : outputs[port.name]
            guard let expr = given else {
                errors.append("instance \(instanceName) of \(module.name) leaves \(port.direction.rawValue) '\(port.name)' unconnected (\(origin))")
                continue
            }
            if expr.width != port.width || expr.signed != port.signed {
                errors.append("instance \(instanceName): port '\(port.name)' is \(port.signed ? "signed " : "")\(port.width) bits, connected to \(expr.signed ? "signed " : "")\(expr.width) bits: \(expr) (\(origin))")
            }
            read(expr, as: "\(port.direction.rawValue) '\(port.name)' of instance \(instanceName)", file, line)
            if port.direction == .output {
                guard let sig = expr.signalName, kinds[sig] == .port || kinds[sig] == .signal else {
                    errors.append("instance \(instanceName): output '\(port.name)' must connect to a declared signal (\(origin))")
                    continue
                }
                drivers[sig, default: []].append(origin)
                outs.append(sig)
            }
            if module.sharedCode && port.broadcast {
                let key = "\(module.name).\(port.name)", text = "\(expr)"
                if let first = broadcastDrivers[key] {
                    // One error a port is enough: the rest of the instances repeat it.
                    if first.expr != text && !first.reported {
                        errors.append("instance \(instanceName): broadcast input '\(port.name)' of \(module.name) must be connected as in \(first.instance) (\(first.expr)), not to \(text) (\(origin))")
                        broadcastDrivers[key]?.reported = true
                    }
                } else {
                    broadcastDrivers[key] = (text, instanceName, false)
                }
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
        guard let name = target.signalName, kinds[name] == .port || kinds[name] == .signal, let w = widths[name] else {
            errors.append("assignment target \(target) in \(self.name) is not a declared signal (\(file):\(line))")
            return nil
        }
        if target.width != max(1, w.width) || target.signed != w.signed {
            errors.append("assignment target '\(name)' in \(self.name) is \(target.signed ? "signed " : "")\(target.width) bits, but \(self.name) declares it \(w.signed ? "signed " : "")\(w.width) bits: it is another module's signal (\(file):\(line))")
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

    /// Bits to index `depth` words: ceil(log2(depth)), at least 1. (HDL knows nothing of the
    /// configuration, so this is computed here rather than taken from it.)
    static func indexBits(depth: Int) -> Int {
        var bits = 1
        while bits < Int.bitWidth - 2, (1 << bits) < depth { bits += 1 }
        return bits
    }

    /// Every read of a name this module does not declare, or declares differently: an
    /// expression taken from another builder, a memory read with an index of the wrong width,
    /// a memory handle of another module written here. Each problem is named once.
    private func foreignReferences() -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func report(_ message: String) {
            if seen.insert(message).inserted { out.append(message) }
        }
        let memoryDecls = Dictionary(memories.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let constantWidths = Dictionary(params.compactMap { p in p.width.map { (p.name, $0) } },
                                        uniquingKeysWith: { first, _ in first })
        func typeText(_ width: Int, _ signed: Bool) -> String { "\(signed ? "signed " : "")\(width) bits" }

        func walk(_ e: Expr, _ role: String, _ origin: Origin) {
            let at = "(\(role) at \(origin))"
            switch e.kind {
            case let .signal(n), let .slice(n, _, _):
                guard kinds[n] == .port || kinds[n] == .signal, let w = widths[n] else {
                    let what = kinds[n] == .memory ? "is a memory, read without an index" : "is not declared in this module"
                    report("'\(n)' read in \(name) \(what) \(at)")
                    return
                }
                if case let .slice(_, hi, lo) = e.kind {
                    if lo < 0 || hi >= w.width {
                        report("slice [\(hi):\(lo)] of '\(n)' read in \(name) is out of range for its \(w.width) bits: it is another module's signal \(at)")
                    }
                } else if e.width != max(1, w.width) || e.signed != w.signed {
                    report("'\(n)' read in \(name) is \(typeText(e.width, e.signed)), but \(name) declares it \(typeText(w.width, w.signed)): it is another module's signal \(at)")
                }
            case let .memRead(m, index):
                if let mem = memoryDecls[m], kinds[m] == .memory {
                    if e.width != mem.width {
                        report("memory '\(m)' read in \(name) is \(e.width) bits wide, but \(name) declares it \(mem.width) bits: it is another module's memory \(at)")
                    }
                    let bits = Self.indexBits(depth: mem.depth)
                    if index.width != bits {
                        report("read index of memory '\(m)' (\(mem.depth) words) in \(name) must be \(bits) bits, got \(index.width) bits: \(e) \(at)")
                    }
                } else {
                    report("memory '\(m)' read in \(name) is not declared in this module \(at)")
                }
                walk(index, role, origin)
            case let .constant(n):
                if kinds[n] != .constant || constantWidths[n] != e.width {
                    report("constant '\(n)' read in \(name) is not declared in this module \(at)")
                }
            case .literal:
                break
            case let .unary(_, a), let .replicate(_, a), let .cast(_, a), let .past(a):
                walk(a, role, origin)
            case let .binary(_, a, b):
                walk(a, role, origin)
                walk(b, role, origin)
            case let .mux(sel, a, b):
                walk(sel, role, origin)
                walk(a, role, origin)
                walk(b, role, origin)
            case let .concat(parts):
                for part in parts { walk(part, role, origin) }
            }
        }
        for read in reads { walk(read.expr, read.role, read.origin) }
        for (memory, origin) in writtenMemories {
            let mem = memoryDecls[memory.name]
            if kinds[memory.name] != .memory || mem?.width != memory.width || mem?.depth != memory.depth {
                report("memory '\(memory.name)' written in \(name) is not declared in this module (\(origin))")
            }
        }
        return out
    }

    /// Every always_ff is printed on `clk_i`, and the control registers' reset on `rst_ni`: a
    /// module that has them must have those 1-bit inputs, or the Verilog would not elaborate.
    private func missingClockAndReset() -> [String] {
        func hasInput(_ port: String) -> Bool {
            ports.contains { $0.name == port && $0.direction == .input && $0.width == 1 && !$0.signed }
        }
        func list(_ names: [String]) -> String {
            names.count <= 3 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + ", ..."
        }
        var out: [String] = []
        let clocked = resetRegs.map(\.q) + plainRegs.map(\.q)
        let written = memories.map(\.name).filter { memoryWriters[$0] != nil }
        if !(clocked.isEmpty && written.isEmpty) && !hasInput("clk_i") {
            var what: [String] = []
            if !clocked.isEmpty { what.append("registers (\(list(clocked)))") }
            if !written.isEmpty { what.append("memory write ports (\(list(written)))") }
            out.append("\(name) has \(what.joined(separator: " and ")) but no 1-bit input 'clk_i' to clock them")
        }
        if !assertions.isEmpty && !hasInput("clk_i") {
            out.append("\(name) has assertions (\(list(assertions.map(\.name)))) but no 1-bit input 'clk_i' to sample them")
        }
        if !resetRegs.isEmpty && !hasInput("rst_ni") {
            out.append("\(name) has reset registers (\(list(resetRegs.map(\.q)))) but no 1-bit input 'rst_ni' to reset them")
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
        all += foreignReferences()
        all += missingClockAndReset()
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
        var allPorts = ports
        if let checkPort, !assertions.isEmpty {
            allPorts.append(Port(name: checkPort, direction: .output, width: assertions.count, signed: false,
                                 group: "Simulation-only check flags, one per assertion (tied to zero in synthesis)"))
        }
        if !sharedCode, let port = ports.first(where: \.broadcast) {
            throw HDLError(message: "\(name): input '\(port.name)' is broadcast, which only means something in a module that shares code across instances")
        }
        if sharedCode && checkPort == nil && !assertions.isEmpty {
            throw HDLError(message: "\(name) shares code across instances but prints its assertions: report them with reportChecks")
        }
        return Module(name: name, header: header, attributes: attributes, ports: allPorts, params: params,
                      signals: signals, memories: memories, blocks: allBlocks, assertions: assertions,
                      checkPort: assertions.isEmpty ? nil : checkPort, sharedCode: sharedCode)
    }
}

/// A memory handle: read it with `memory[index]`, where the index is exactly `indexBits` wide.
public struct Memory: Sendable {
    public let name: String
    public let width: Int
    public let depth: Int

    /// Width of an index: ceil(log2(depth)), at least 1 (so a one-word memory still has one).
    public var indexBits: Int { ModuleBuilder.indexBits(depth: depth) }

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
        module.read(value, as: "value assigned to '\(name)'", file, line)
        stmts.append(.assign(target: name, value: value))
    }

    public func when(_ cond: Expr, file: StaticString = #fileID, line: UInt = #line,
                     _ then: (StmtBuilder) -> Void, otherwise: ((StmtBuilder) -> Void)? = nil) {
        module.check(cond.width == 1, "condition \(cond) must be 1 bit", file, line)
        module.read(cond, as: "condition", file, line)
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
        module.read(selector, as: "case selector", file, line)
        for arm in arms {
            for label in arm.labels {
                module.check(label.width == selector.width, "case label \(label) width differs from selector \(selector)", file, line)
                module.read(label, as: "case label", file, line)
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
    /// Every reserved keyword of SystemVerilog, IEEE 1800-2017 Annex B (Table B.1, 248 words).
    /// It includes the Verilog (IEEE 1364-2005) keywords, so a name legal here is legal in both.
    static let keywords: Set<String> = [
        "accept_on", "alias", "always", "always_comb", "always_ff", "always_latch", "and", "assert", "assign",
        "assume", "automatic", "before", "begin", "bind", "bins", "binsof", "bit", "break", "buf", "bufif0",
        "bufif1", "byte", "case", "casex", "casez", "cell", "chandle", "checker", "class", "clocking", "cmos",
        "config", "const", "constraint", "context", "continue", "cover", "covergroup", "coverpoint", "cross",
        "deassign", "default", "defparam", "design", "disable", "dist", "do", "edge", "else", "end",
        "endcase", "endchecker", "endclass", "endclocking", "endconfig", "endfunction", "endgenerate",
        "endgroup", "endinterface", "endmodule", "endpackage", "endprimitive", "endprogram", "endproperty",
        "endsequence", "endspecify", "endtable", "endtask", "enum", "event", "eventually", "expect", "export",
        "extends", "extern", "final", "first_match", "for", "force", "foreach", "forever", "fork", "forkjoin",
        "function", "generate", "genvar", "global", "highz0", "highz1", "if", "iff", "ifnone", "ignore_bins",
        "illegal_bins", "implements", "implies", "import", "incdir", "include", "initial", "inout", "input",
        "inside", "instance", "int", "integer", "interconnect", "interface", "intersect", "join", "join_any",
        "join_none", "large", "let", "liblist", "library", "local", "localparam", "logic", "longint",
        "macromodule", "matches", "medium", "modport", "module", "nand", "negedge", "nettype", "new",
        "nexttime", "nmos", "nor", "noshowcancelled", "not", "notif0", "notif1", "null", "or", "output",
        "package", "packed", "parameter", "pmos", "posedge", "primitive", "priority", "program", "property",
        "protected", "pull0", "pull1", "pulldown", "pullup", "pulsestyle_ondetect", "pulsestyle_onevent",
        "pure", "rand", "randc", "randcase", "randsequence", "rcmos", "real", "realtime", "ref", "reg",
        "reject_on", "release", "repeat", "restrict", "return", "rnmos", "rpmos", "rtran", "rtranif0",
        "rtranif1", "s_always", "s_eventually", "s_nexttime", "s_until", "s_until_with", "scalared",
        "sequence", "shortint", "shortreal", "showcancelled", "signed", "small", "soft", "solve", "specify",
        "specparam", "static", "string", "strong", "strong0", "strong1", "struct", "super", "supply0",
        "supply1", "sync_accept_on", "sync_reject_on", "table", "tagged", "task", "this", "throughout",
        "time", "timeprecision", "timeunit", "tran", "tranif0", "tranif1", "tri", "tri0", "tri1", "triand",
        "trior", "trireg", "type", "typedef", "union", "unique", "unique0", "unsigned", "until", "until_with",
        "untyped", "use", "uwire", "var", "vectored", "virtual", "void", "wait", "wait_order", "wand", "weak",
        "weak0", "weak1", "while", "wildcard", "wire", "with", "within", "wor", "xnor", "xor",
    ]

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !keywords.contains(name) else { return false }
        let isStart = { (c: Unicode.Scalar) in (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        let isRest = { (c: Unicode.Scalar) in isStart(c) || (c >= "0" && c <= "9") }
        return isStart(first) && name.unicodeScalars.allSatisfy(isRest)
    }
}
