/// Every generator parameter of the accelerator, grouped by block.
///
/// The defaults are the published chip (Chen et al., ISSCC 2016 / JSSC 2017); each field names
/// its source. This is plain data: load it, diff it, sweep it. Nothing here is trusted until
/// `validated()` has checked it (see `AcceleratorConfig+Validation.swift`).
public struct AcceleratorConfig: Codable, Equatable, Sendable {
    public var array = ArrayConfig()
    public var fixedPoint = FixedPointConfig()
    public var pe = PEConfig()
    public var noc = NoCConfig()
    public var globalBuffer = GlobalBufferConfig()
    public var rlc = RLCConfig()
    public var dram = DRAMConfig()
    public var counters = CounterConfig()

    /// The published chip.
    public init() {}
}

/// Size of the PE array.
public struct ArrayConfig: Codable, Equatable, Sendable {
    /// PE rows: 12 (JSSC 2017, 12 x 14 = 168 PEs).
    public var rows = 12
    /// PE columns: 14 (JSSC 2017).
    public var columns = 14
}

/// Number formats of the datapath. The arithmetic itself is written down once, in
/// `EyerissGolden/FixedPoint.swift`.
public struct FixedPointConfig: Codable, Equatable, Sendable {
    /// Width of weights and activations: 16-bit fixed point (JSSC 2017).
    public var dataBits = 16
    /// Width of partial sums and of the product window kept after the per-layer shift:
    /// 16 bits, psums accumulate at 16 b (JSSC 2017).
    public var psumBits = 16
}

/// One processing element.
public struct PEConfig: Codable, Equatable, Sendable {
    /// Filter scratchpad: 224 words (SRAM, JSSC 2017).
    public var filterSpadWords = 224
    /// Ifmap scratchpad: 12 words (registers, JSSC 2017).
    public var ifmapSpadWords = 12
    /// Psum scratchpad: 24 words (registers, JSSC 2017).
    public var psumSpadWords = 24
    /// Depth of the FIFOs at the PE's ifmap and psum inputs and its psum output. The chip has
    /// FIFOs there (JSSC 2017) but their depth is not published; 4 is our choice.
    public var fifoDepth = 4
}

/// Buses and tags of the networks on chip.
public struct NoCConfig: Codable, Equatable, Sendable {
    /// Filter global input network data bus: 64 b = 4 x 16 b (JSSC 2017).
    public var filterBusBits = 64
    /// Ifmap global input network data bus: 16 b (JSSC 2017).
    public var ifmapBusBits = 16
    /// Psum global input network data bus: 64 b (JSSC 2017).
    public var psumBusBits = 64
    /// Global output network data bus: 64 b (JSSC 2017).
    public var outputBusBits = 64
    /// Local PE-to-PE psum link: 64 b (JSSC 2017).
    public var localLinkBits = 64
    /// Row ID tag width of every GIN: 4 b (JSSC 2017).
    public var rowTagBits = 4
    /// Column ID tag width of the filter and psum GINs: 4 b (JSSC 2017).
    public var columnTagBits = 4
    /// Column ID tag width of the ifmap GIN: 5 b, up to 32 diagonal ifmap rows (JSSC 2017).
    public var ifmapColumnTagBits = 5
}

/// The on-chip global buffer.
public struct GlobalBufferConfig: Codable, Equatable, Sendable {
    /// Words per bank: 512 (JSSC 2017).
    public var bankWords = 512
    /// Bank word width: 64 b (JSSC 2017).
    public var bankBits = 64
    /// Banks for ifmaps and psums, each given wholly to one of them per layer: 25, 100 KB
    /// (JSSC 2017).
    public var fmapBanks = 25
    /// Filter banks, double-buffered so the next pass's filters load during this one: 2, 8 KB
    /// (JSSC 2017).
    public var filterBanks = 2
}

/// Run-length codec on the DRAM interface.
public struct RLCConfig: Codable, Equatable, Sendable {
    /// Bits of a zero-run field: 5, runs of 0-31 (JSSC 2017).
    public var runBits = 5
    /// Bits of a non-zero level: 16 (JSSC 2017). Must equal `fixedPoint.dataBits`.
    public var levelBits = 16
    /// (run, level) pairs per word: 3 (JSSC 2017: 3 x 21 + 1 = 64).
    public var pairsPerWord = 3
}

/// The off-chip link, modelled in the co-simulation shim.
public struct DRAMConfig: Codable, Equatable, Sendable {
    /// Data bus width: 64 b (JSSC 2017).
    public var busBits = 64
    /// Bandwidth seen from the core clock: 64 b at a 60 MHz link against a 200 MHz core is
    /// 8 B x 60/200 = 2.4 B per core cycle (JSSC 2017 measurements).
    public var bytesPerCycle = 2.4
}

/// Activity counters in the RTL.
public struct CounterConfig: Codable, Equatable, Sendable {
    /// Width of every activity counter: 48 b, enough for a whole VGG-16 batch (15.3 G MACs
    /// per image) without wrapping. Our choice; the chip's counters are not published.
    public var bits = 48
}
