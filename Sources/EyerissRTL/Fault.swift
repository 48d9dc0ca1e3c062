/// A deliberate bug the generator can plant, so tests can prove that the co-simulation checks
/// catch a broken MAC, broken gating or broken scratchpad addressing. Never used by `generate`.
public enum Fault: String, Sendable, CaseIterable, Codable {
    /// The accumulator adds one more than the product.
    case macAddsOne
    /// Zero activations are not gated: the results stay right, only the activity is wrong.
    case noZeroGating
    /// Activations equal to 1 are gated as if they were zero.
    case gateOnes
    /// The filter spad is read one word past the right one.
    case filterAddressOffByOne
    /// The ifmap spad read pointer never advances within a window.
    case ifmapAddressStuck
    /// Every PE's ifmap multicast column ID is one too high: activations reach the wrong PEs.
    case ifmapMulticastIdOffByOne
    /// The output network never takes psums from column 0: the design hangs.
    case outputNetworkStuck
    /// The multicast networks deliver a word to every matching PE without waiting until all of
    /// them are ready: a PE whose FIFO is full loses it (an RTL assertion names the overflow).
    case multicastIgnoresReady
    /// A PE sends a psum into its output FIFO even when the FIFO is full: the word is lost (the
    /// PE's check names the overflow, through its check flags).
    case psumOutIgnoresFull
}

/// Options of one generator run besides the configuration.
public struct GeneratorOptions: Sendable {
    public var faults: Set<Fault>

    public init(faults: Set<Fault> = []) { self.faults = faults }

    func has(_ fault: Fault) -> Bool { faults.contains(fault) }

    /// Faults planted in the processing element (the rest are in the accelerator around it).
    public static let peFaults: [Fault] = [.macAddsOne, .noZeroGating, .gateOnes, .filterAddressOffByOne, .ifmapAddressStuck]

    /// Header line naming planted faults, so faulty RTL can never pass for the real thing.
    var headerNote: [String] {
        faults.isEmpty ? [] : ["FAULTS INJECTED FOR TESTING: " + faults.map(\.rawValue).sorted().joined(separator: ", ")]
    }
}
