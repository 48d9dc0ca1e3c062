import EyerissConfig
import EyerissCosim
import Foundation
import HDL

/// `eyeriss generate --systemc`: the SystemC build folder beside the RTL.
enum GenerateSystemC {
    static func write(design: Design, config: ValidConfig, out: String) throws {
        let dir = URL(fileURLWithPath: out).appendingPathComponent("systemc")
        do {
            for url in try SystemCExport.write(design: design, config: config, to: dir) { print("\(out)/systemc/\(url.lastPathComponent)") }
        } catch let error as CosimError { throw CLIError(error.description) }
    }
}
