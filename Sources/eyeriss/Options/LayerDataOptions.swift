import ArgumentParser
import EyerissGolden
import EyerissMapper

/// How a layer's random data is drawn and how its fmaps travel through DRAM: shared by `cosim`
/// and `export-case`, so an exported case is the layer `cosim` runs with the same flags.
/// `--row-pool 2|3`: the parser names the allowed values when given another.
extension RowPool: ExpressibleByArgument {}

struct LayerDataOptions: ParsableArguments {
    @Option(help: "Fraction of zero activations, 0 to 1.")
    var sparsity: Double = 0.5

    @Option(help: "Product shift: which bits of the 32-bit product are kept.")
    var shift: Int = 12

    @Flag(help: "Store the ifmap run-length coded in DRAM (the RTL decoder loads it).")
    var ifmapRlc = false

    @Flag(help: ArgumentHelp("Code the ifmap one channel at a time (runs cross rows) instead of one row at a time; implies --ifmap-rlc.",
                             discussion: "Fewer DRAM lines on narrow sparse rows. The mapping's ifmap tiles must hold whole channels, else the layer is rejected."))
    var ifmapByChannel = false

    @Flag(help: "Write the ofmap run-length coded (the RTL encoder stores it).")
    var ofmapRlc = false

    @Flag(help: "Code each row chunk's rows of a filter as one code where the mapping's row chunks allow it; implies --ofmap-rlc.")
    var ofmapByRowChunk = false

    @Flag(help: "ReLU on the ofmap on its way to DRAM.")
    var relu = false

    @Option(help: ArgumentHelp("Pool each ofmap row on its way to DRAM: the maximum of windows of N values (2 or 3) every 2.",
                               discussion: "The row half of a 2x2/2 or 3x3/2 max pooling (the host pools the columns); the ofmap in DRAM has rows of (F - N) / 2 + 1 values. (F - N) must be even."))
    var rowPool: RowPool?

    var io: LayerIO {
        LayerIO(ifmapRLC: ifmapRlc || ifmapByChannel, ofmapRLC: ofmapRlc || ofmapByRowChunk, relu: relu,
                ifmapCodeRows: ifmapByChannel ? LayerIO.codePerChannel : 1, ofmapCodeByRowChunk: ofmapByRowChunk,
                rowPool: rowPool)
    }

    func validate() throws {
        guard (0...1).contains(sparsity) else { throw ValidationError("--sparsity must be between 0 and 1, got \(sparsity)") }
    }
}
