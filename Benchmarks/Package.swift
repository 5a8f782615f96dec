// swift-tools-version: 6.3
// Benchmarks live in their own package so that `make test` does not build the benchmark
// framework. Run from this folder: `swift package benchmark` (micro benchmarks) and
// `swift run -c release vigil-bench …` (the side-by-side harnesses used by the scripts).
import PackageDescription

let package = Package(
    name: "VigilBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Vigil", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "vigil-bench",
            dependencies: [
                .product(name: "VigilPipeline", package: "Vigil"),
                .product(name: "VigilCoordination", package: "Vigil"),
                .product(name: "VigilFeed", package: "Vigil"),
                .product(name: "VigilText", package: "Vigil"),
                .product(name: "VigilLexicon", package: "Vigil"),
                .product(name: "VigilScoring", package: "Vigil"),
                .product(name: "VigilTriage", package: "Vigil"),
                .product(name: "VigilTUI", package: "Vigil"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/vigil-bench"
        ),
        .executableTarget(
            name: "VigilMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilText", package: "Vigil"),
                .product(name: "VigilLexicon", package: "Vigil"),
                .product(name: "VigilPipeline", package: "Vigil"),
            ],
            path: "Benchmarks/VigilMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
