/// Why an estimate could not be made: a missing tool, a failed synthesis, statistics that do
/// not parse, or a cell the gate-weight table cannot price.
public enum AreaError: Error, CustomStringConvertible {
    case toolMissing(String)
    case yosysFailed(module: String, log: String)
    case unreadableStatistics(module: String, reason: String)
    case unknownCell(module: String, type: String)
    case missingModule(String)

    public var description: String {
        switch self {
        case .toolMissing(let tool):
            return "\(tool) is not on PATH (Debian: apt-get install \(tool))"
        case .yosysFailed(let module, let log):
            return "yosys failed on \(module):\n\(log)"
        case .unreadableStatistics(let module, let reason):
            return "cannot read yosys statistics of \(module): \(reason)"
        case .unknownCell(let module, let type):
            return "module \(module) has cells of type \(type), which the gate-weight table does not price"
        case .missingModule(let name):
            return "module \(name) is instantiated but not synthesized"
        }
    }
}
