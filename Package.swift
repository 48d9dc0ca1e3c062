// swift-tools-version:6.0
import PackageDescription

// One library per job; dependencies point one way:
//   EyerissConfig <- EyerissGolden
//   HDL (knows nothing of Eyeriss) <- EyerissRTL <- EyerissCosim <- eyeriss
// The golden model never imports HDL or the generators: the specification must not be
// derived from what it checks.
let package = Package(
    name: "eyeriss-swift",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "eyeriss", targets: ["eyeriss"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "HDL"),
        // Finding and running external tools (Verilator, Yosys), the cache folder.
        .target(name: "EyerissTooling"),
        .target(name: "EyerissConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "EyerissGolden", dependencies: ["EyerissConfig"]),
        .target(name: "EyerissMapper", dependencies: ["EyerissConfig", "EyerissGolden"]),
        .target(name: "EyerissTensorIO", dependencies: ["EyerissGolden"]),
        .target(name: "EyerissRTL", dependencies: ["HDL", "EyerissConfig"]),
        // The shim's C ABI (cosim/*.h, linked in) so Swift sees the exact C struct layouts.
        .target(name: "CEyerissShim"),
        .target(
            name: "EyerissCosim",
            dependencies: ["EyerissConfig", "EyerissRTL", "EyerissGolden", "EyerissMapper", "CEyerissShim", "EyerissTooling",
                           "EyerissReport", .product(name: "Logging", package: "swift-log")]
        ),
        // ONNX import: the schema's generated Swift (committed), graphs, the float reference,
        // the quantized run with CONV and fully connected layers on the accelerator.
        .target(
            name: "EyerissONNX",
            dependencies: ["EyerissConfig", "EyerissGolden", "EyerissMapper", "EyerissCosim", "EyerissTensorIO",
                           .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // Area estimates: Yosys per module, gate weights, the SRAM and register-file model.
        .target(
            name: "EyerissArea",
            dependencies: ["EyerissTooling", "EyerissConfig", "EyerissRTL", "HDL", .product(name: "Logging", package: "swift-log")]
        ),
        // Access counts, the analytic access model, energy tables and run reports (JSON, CSV, table, SVG).
        .target(name: "EyerissReport", dependencies: ["EyerissConfig", "EyerissGolden", "EyerissMapper", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "eyeriss",
            dependencies: ["EyerissConfig", "EyerissRTL", "EyerissGolden", "EyerissMapper", "EyerissCosim", "EyerissArea",
                           "EyerissTensorIO", "EyerissONNX", "EyerissReport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "HDLTests", dependencies: ["HDL"]),
        .testTarget(name: "EyerissConfigTests", dependencies: ["EyerissConfig"]),
        .testTarget(name: "EyerissGoldenTests", dependencies: ["EyerissGolden"]),
        .testTarget(name: "EyerissTensorIOTests", dependencies: ["EyerissTensorIO", "EyerissGolden"]),
        .testTarget(name: "EyerissONNXTests", dependencies: ["EyerissONNX", "EyerissConfig", "EyerissCosim", "EyerissGolden"]),
        // Runs the built `eyeriss` executable as a user would.
        .testTarget(name: "EyerissCLITests"),
        .testTarget(name: "EyerissMapperTests", dependencies: ["EyerissMapper", "EyerissGolden", "EyerissConfig"]),
        .testTarget(name: "EyerissRTLTests", dependencies: ["EyerissRTL", "HDL", "EyerissConfig"]),
        .testTarget(name: "EyerissCosimTests", dependencies: ["EyerissCosim", "EyerissGolden", "EyerissConfig"]),
        .testTarget(name: "EyerissReportTests", dependencies: ["EyerissReport", "EyerissCosim", "EyerissMapper", "EyerissGolden", "EyerissConfig"]),
        .testTarget(name: "EyerissAreaTests", dependencies: ["EyerissArea", "EyerissRTL", "HDL", "EyerissConfig"]),
        // The regression runner and the random case generators; runs the built `eyeriss` for one real case.
        .testTarget(name: "EyerissRegressTests", dependencies: ["EyerissCosim", "EyerissConfig", "EyerissMapper", "EyerissGolden"]),
    ],
    swiftLanguageModes: [.v5]
)
