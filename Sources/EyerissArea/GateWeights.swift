/// NAND2-equivalents of the Yosys gate-level cell types that synthesis leaves.
///
/// Each weight is a drive-strength-1 standard cell's area divided by the NAND2's, from the
/// Nangate 45 nm Open Cell Library (NAND2_X1 0.798 um^2, INV_X1 0.532, NOR2_X1 0.798, AND2_X1
/// and OR2_X1 1.064, XOR2_X1 and XNOR2_X1 1.596, MUX2_X1 1.862, AOI21_X1 and OAI21_X1 1.064,
/// AOI22_X1 and OAI22_X1 1.330, DFF_X1 4.522, DFFR_X1 5.320, DLH_X1 2.660 um^2). Ratios between
/// cells change little from node to node, so the table serves every node; the node only sets
/// the area of one NAND2 (`TechnologyNode`). Cells a library lacks are priced as the cells that
/// build them: `A & ~B` as an inverter and a NOR2, a flop with an enable as a flop behind a
/// MUX2 that recirculates its output, a synchronous reset as an AND2 in front of D.
public struct GateWeights: Codable, Equatable, Sendable {
    /// Combinational cell type (Yosys internal name) to NAND2-equivalents.
    public var combinational: [String: Double]
    /// A D flip-flop without reset or enable (DFF_X1 / NAND2_X1 = 5.67).
    public var flipFlop: Double
    /// Added for an asynchronous set or reset (DFFR_X1 - DFF_X1 = 1.0).
    public var asyncResetExtra: Double
    /// Added for a synchronous reset: an AND2 in front of D.
    public var syncResetExtra: Double
    /// Added for a clock enable: a MUX2 in front of D.
    public var enableExtra: Double
    /// A transparent latch (DLH_X1 / NAND2_X1 = 3.33).
    public var latch: Double

    public init() {
        combinational = [
            "$_BUF_": 1.0, "$_NOT_": 0.67,
            "$_NAND_": 1.0, "$_NOR_": 1.0, "$_AND_": 1.33, "$_OR_": 1.33,
            "$_XOR_": 2.0, "$_XNOR_": 2.0,
            "$_ANDNOT_": 1.67, "$_ORNOT_": 1.67,        // INV + NOR2 / NAND2
            "$_MUX_": 2.33, "$_NMUX_": 3.0,             // MUX2 (+ INV)
            "$_AOI3_": 1.33, "$_OAI3_": 1.33,           // AOI21 / OAI21
            "$_AOI4_": 1.67, "$_OAI4_": 1.67,           // AOI22 / OAI22
            "$_MUX4_": 7.0, "$_MUX8_": 16.33, "$_MUX16_": 35.0,  // trees of MUX2
        ]
        flipFlop = 5.67
        asyncResetExtra = 1.0
        syncResetExtra = 1.33
        enableExtra = 2.33
        latch = 3.33
    }

    /// The NAND2-equivalents of one cell of `type`, or nil for a type the table does not know
    /// (the caller reports it rather than pricing it at zero).
    public func weight(of type: String) -> Double? {
        if let w = combinational[type] { return w }
        return storageWeight(of: type)
    }

    /// Whether `type` is a flip-flop or latch.
    public func isStorage(_ type: String) -> Bool { storageWeight(of: type) != nil }

    /// Flip-flops and latches, decoded from Yosys's naming (`$_SDFFE_PN0P_`: synchronous reset,
    /// enable; `$_DFF_PN0_`: asynchronous reset; `$_DFFE_PP_`: enable).
    private func storageWeight(of type: String) -> Double? {
        guard type.hasPrefix("$_"), type.hasSuffix("_") else { return nil }
        let parts = type.dropFirst(2).dropLast().split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let kind = parts[0], polarity = parts[1]
        switch kind {
        case "FF":
            return flipFlop
        case "DFF":
            return flipFlop + (polarity.count == 3 ? asyncResetExtra : 0)
        case "DFFE":
            return flipFlop + enableExtra + (polarity.count == 4 ? asyncResetExtra : 0)
        case "SDFF":
            return flipFlop + syncResetExtra
        case "SDFFE", "SDFFCE":
            return flipFlop + syncResetExtra + enableExtra
        case "DFFSR", "ALDFF":
            return flipFlop + asyncResetExtra
        case "DFFSRE", "ALDFFE":
            return flipFlop + asyncResetExtra + enableExtra
        case "DLATCH":
            return latch + (polarity.count == 3 ? asyncResetExtra : 0)
        case "DLATCHSR", "SR":
            return latch + asyncResetExtra
        default:
            return nil
        }
    }
}
