// swift-tools-version: 6.0
// libFuzzer targets for what hostile input reaches: feed lines, post text, lexicons, keymaps.
// A package of its own, so the main one builds without the fuzzer. Built by `make fuzz` (see
// run.sh): `swift build -c release -Xswiftc -sanitize=fuzzer,address` instruments every Swift
// module, Vigil's included, and lld links them (gold fails on the instrumented objects).
import PackageDescription

func vigil(_ products: String...) -> [Target.Dependency] { ["FuzzSupport"] + products.map { .product(name: $0, package: "Vigil") } }

let package = Package(
    name: "VigilFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Vigil", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "fuzz-feed", dependencies: vigil("VigilFeed")),
        .executableTarget(name: "fuzz-normalizer", dependencies: vigil("VigilText")),
        .executableTarget(name: "fuzz-lexicon", dependencies: vigil("VigilLexicon", "VigilText")),
        .executableTarget(name: "fuzz-keymap", dependencies: vigil("VigilTUI")),
        .executableTarget(name: "fuzz-matcher", dependencies: vigil("VigilLexicon", "VigilText")),
    ],
    // Swift 5 mode: each target keeps its matcher, normalizer or decoder in globals that
    // libFuzzer's callback uses, always on the main thread (Swift 6 would isolate them to the
    // main actor and refuse the use from a C callback).
    swiftLanguageModes: [.v5]
)
