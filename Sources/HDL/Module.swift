/// A statement inside an `always_comb` or `always_ff` block.
public indirect enum Stmt: Sendable {
    case assign(target: String, value: Expr)
    case memWrite(memory: String, index: Expr, value: Expr)
    case ifElse(Expr, [Stmt], [Stmt])
    /// `unique case (selector)` with labelled arms and a mandatory default.
    case caseOf(Expr, [(labels: [Expr], body: [Stmt])], defaultBody: [Stmt])
}

public enum PortDirection: String, Sendable { case input, output }

public struct Port: Sendable {
    public let name: String
    public let direction: PortDirection
    public let width: Int
    public let signed: Bool
    /// Comment printed above the port when it opens a group.
    public let group: String?
    /// An input of a module that shares code across instances (`ModuleBuilder.shareCodeAcrossInstances`)
    /// that every instance connects to the same expression: Verilator may then read the parent's
    /// signal directly, with no per-instance copy and, for a clock, no per-instance trigger.
    public var broadcast = false
}

public struct SignalDecl: Sendable {
    public let name: String
    public let width: Int
    public let signed: Bool
    public let comment: String?
    public let section: String?
}

public struct MemoryDecl: Sendable {
    public let name: String
    public let width: Int
    public let depth: Int
    public let comment: String?
    public let section: String?
}

public struct LocalParam: Sendable {
    public let name: String
    public let value: Int
    /// Typed as `logic [width-1:0]` when set; `int unsigned` otherwise.
    public let width: Int?
    public let comment: String?
}

public enum Block: Sendable {
    /// `assign target = value;`
    case continuous(target: String, value: Expr)
    case comb(label: String?, body: [Stmt])
    /// `always_ff @(posedge clk_i)`; `comment` is printed above it.
    case seq(comment: String?, body: [Stmt])
    case instance(Instance)
}

public struct Instance: Sendable {
    public let module: String
    public let name: String
    /// Port name to connected expression (inputs) or signal name (outputs), in port order.
    public let connections: [(port: String, expr: Expr)]
    public let outputs: [String]
    public let comment: String?
}

/// A simulation-only check: on every rising edge of `clk_i` (out of reset, when the module
/// has `rst_ni`), `condition` must hold, else the simulator reports `message`. Printed as a
/// labelled immediate assertion inside `ifndef SYNTHESIS`, so synthesis never sees it.
public struct Assertion: Sendable {
    /// The label: unique in the module; the simulator's message names it with the instance path.
    public let name: String
    public let condition: Expr
    public let message: String
    /// Set when this assertion watches the check flags of a child instance
    /// (`ModuleBuilder.assertChecks`): the message then names the first failed check.
    public let flags: CheckFlags?

    public init(name: String, condition: Expr, message: String, flags: CheckFlags? = nil) {
        self.name = name
        self.condition = condition
        self.message = message
        self.flags = flags
    }
}

/// The check flags of a module that reports its assertions on a port (`reportChecks`), as the
/// instantiating module sees them: bit i is set in a cycle where the child's check i fails.
public struct CheckFlags: Sendable {
    /// The child module, whose name also names the function that turns flags into text.
    public let module: String
    /// `"<label>: <message>"` of each check, by flag bit.
    public let texts: [String]
    /// The flags as connected in the parent.
    public let value: Expr
    /// When one assertion watches several instances of `module` (`ModuleBuilder.assertChecks(ofInstances:)`):
    /// their names, the first one's flags in the lowest bits of `value`. Empty for one instance.
    public var instances: [String] = []
    /// The watching assertion's label, which names the group's text function.
    public var group: String?

    /// Name of the simulation-only function that returns the text of the lowest set flag.
    public var textFunction: String { "\(module)_check_text" }
    /// Name of the function that names the first instance of the group with a set flag and its check.
    public var groupTextFunction: String? { group.map { "\($0)_text" } }
}

/// A hardware module: a value a generator returns, checked when built.
public struct Module: Sendable {
    public let name: String
    /// Lines printed as `//` comments at the top of the file.
    public let header: [String]
    /// Extra text after the module name (e.g. a Verilator metacomment).
    public let attributes: [String]
    public let ports: [Port]
    public let params: [LocalParam]
    public let signals: [SignalDecl]
    public let memories: [MemoryDecl]
    public let blocks: [(section: String?, block: Block)]
    /// Simulation-only checks, printed after the blocks.
    public let assertions: [Assertion]
    /// When set, the assertions are not printed as `assert` statements but reported on this
    /// output port, one flag per assertion in declaration order (`ModuleBuilder.reportChecks`).
    public let checkPort: String?
    /// Instantiated many times: printed so Verilator can give all instances one copy of code
    /// (`ModuleBuilder.shareCodeAcrossInstances`).
    public let sharedCode: Bool

    public func port(_ name: String) -> Port? { ports.first { $0.name == name } }

    /// `"<label>: <message>"` of each assertion, by flag bit of `checkPort`: what a watching
    /// parent or a shim prints for a failed check.
    public var checkTexts: [String] { assertions.map { "\($0.name): \($0.message)" } }
}
