/// What a process node contributes to the area model: the area of one NAND2-equivalent gate
/// (the unit every gate count is in) and of one 6T SRAM bit cell.
///
/// Only 65 nm (the published chip: TSMC 65 nm LP, JSSC 2017) and 45 nm rest on figures we can
/// point to; the others are rough values for sweeps across nodes and say so in `source`.
/// Every value can be overridden from the command line (`--nand2-um2`, `--bitcell-um2`).
public struct TechnologyNode: Codable, Equatable, Sendable {
    /// Feature size in nanometres: the name users type (`--node 65`).
    public var nanometres: Int
    /// Area of one NAND2-equivalent gate (a drive-strength-1 NAND2 standard cell), um^2.
    public var nand2Um2: Double
    /// Area of one high-density 6T SRAM bit cell, um^2.
    public var bitcellUm2: Double
    /// Where the two numbers come from.
    public var source: String

    public init(nanometres: Int, nand2Um2: Double, bitcellUm2: Double, source: String) {
        self.nanometres = nanometres
        self.nand2Um2 = nand2Um2
        self.bitcellUm2 = bitcellUm2
        self.source = source
    }

    /// The published chip's node.
    public static let n65 = TechnologyNode(
        nanometres: 65, nand2Um2: 1.44, bitcellUm2: 0.525,
        source: "NAND2 X1 1.44 um^2, the gate-equivalent commonly quoted for commercial 65 nm libraries; "
            + "6T bit cell 0.525 um^2 (TSMC 65 nm; Intel's 65 nm cell is 0.57 um^2)")

    /// Per-node defaults, smallest first.
    public static let known: [TechnologyNode] = [
        TechnologyNode(nanometres: 28, nand2Um2: 0.49, bitcellUm2: 0.127,
                       source: "approximate: 28 nm NAND2 X1; 6T bit cell 0.127 um^2 (TSMC 28 nm)"),
        TechnologyNode(nanometres: 45, nand2Um2: 0.798, bitcellUm2: 0.346,
                       source: "NAND2_X1 0.798 um^2 (Nangate 45 nm Open Cell Library); 6T bit cell 0.346 um^2 (Intel 45 nm)"),
        n65,
        TechnologyNode(nanometres: 90, nand2Um2: 2.82, bitcellUm2: 1.0,
                       source: "approximate: 90 nm NAND2 X1; 6T bit cell 1.0 um^2 (Intel 90 nm)"),
        TechnologyNode(nanometres: 130, nand2Um2: 5.12, bitcellUm2: 2.45,
                       source: "approximate: 130 nm NAND2 X1 and 6T bit cell"),
        TechnologyNode(nanometres: 180, nand2Um2: 9.37, bitcellUm2: 4.65,
                       source: "approximate: 180 nm NAND2 X1 and 6T bit cell"),
    ]

    /// The default for a node, or nil when there is none.
    public static func named(_ nanometres: Int) -> TechnologyNode? {
        known.first { $0.nanometres == nanometres }
    }
}
