// swift-tools-version: 6.1
import PackageDescription

// C++ shims are built optimized even in debug builds: they sit on the hot path and are
// never debugged from Swift.
let cxxOptimized: [CXXSetting] = [.define("NDEBUG"), .unsafeFlags(["-O3"])]
// The per-byte loops of the hot targets spend a fifth of their time in dynamic exclusivity
// checks on class properties; they are proven by the tests and disabled in release builds.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilFeed", targets: ["VigilFeed"]),
        .library(name: "VigilText", targets: ["VigilText"]),
        .library(name: "VigilLexicon", targets: ["VigilLexicon"]),
        .library(name: "VigilScoring", targets: ["VigilScoring"]),
        .library(name: "VigilPipeline", targets: ["VigilPipeline"]),
        .library(name: "VigilSimulator", targets: ["VigilSimulator"]),
        .library(name: "VigilEvaluation", targets: ["VigilEvaluation"]),
        .library(name: "VigilCoordination", targets: ["VigilCoordination"]),
        .library(name: "VigilTriage", targets: ["VigilTriage"]),
        .library(name: "VigilTUI", targets: ["VigilTUI"]),
        .library(name: "VigilConsole", targets: ["VigilConsole"]),
        .library(name: "VigilTerminal", targets: ["VigilTerminal"]),
        .library(name: "VigilStream", targets: ["VigilStream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries (Debian packages; `make setup` installs them).
        .systemLibrary(name: "CVectorscan", pkgConfig: "libhs", providers: [.apt(["libvectorscan-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        // libpq, PostgreSQL's reference client (the team store; docs/store.md says why).
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The NATS C client: feeds on JetStream (docs/ingest.md).
        .systemLibrary(name: "CNats", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        // glibc's wcwidth under a UTF-8 locale: the width ncurses and the terminal will use.
        .target(name: "CDisplayWidth"),
        .target(name: "CTextScan", cSettings: [.unsafeFlags(["-O3"])]),
        // What Swift cannot import from curses (macros, stdscr) and the signal-safe restore.
        .target(name: "CTermShim", dependencies: ["CNCursesW"]),

        // C++ shims with plain C headers, so Swift imports them without C++ interop.
        .target(
            name: "CSimdJSON",
            cxxSettings: cxxOptimized,
            linkerSettings: [.linkedLibrary("simdjson")]
        ),
        .target(
            name: "CICUShim",
            cxxSettings: cxxOptimized,
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),

        .target(name: "VigilFeed", dependencies: ["CSimdJSON", "CZlib"], swiftSettings: hotPath),
        .target(name: "VigilText", dependencies: ["CICUShim", "CTextScan"], swiftSettings: hotPath),
        .target(
            name: "VigilLexicon",
            // VigilFeed for its SHA-256 (the compiled-database cache's key).
            dependencies: ["VigilText", "VigilFeed", "CVectorscan", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/default-lexicon")],
            swiftSettings: hotPath
        ),
        .target(name: "VigilScoring", dependencies: ["VigilLexicon", "VigilText"], swiftSettings: hotPath),
        .target(name: "VigilPipeline", dependencies: ["VigilFeed", "VigilText", "VigilLexicon", "VigilScoring", "VigilCoordination"],
                swiftSettings: hotPath),
        .target(
            name: "VigilSimulator",
            dependencies: ["VigilFeed", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/templates.yaml")]
        ),
        .target(
            name: "VigilCoordination",
            dependencies: ["VigilFeed", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: hotPath
        ),
        // VigilFeed for its JSON string writer, the one every JSON output of vigil uses.
        .target(name: "VigilTriage", dependencies: ["VigilFeed", "CPostgres", .product(name: "GRDB", package: "GRDB.swift")]),
        // The console as pure values: state, messages, update, view into a cell canvas. No curses,
        // no threads.
        .target(name: "VigilTUI", dependencies: ["VigilFeed", "VigilScoring", "VigilCoordination", "VigilTriage", "VigilText", "CDisplayWidth",
                                                 .product(name: "Yams", package: "Yams")]),
        // The only code that touches ncurses: blits a canvas, reads keys, restores the terminal.
        .target(name: "VigilTerminal", dependencies: ["VigilTUI", "CNCursesW", "CTermShim"]),
        // The console runtime: the event loop and effect interpreter, the core thread, the replay
        // pacer, the store writer.
        .target(name: "VigilConsole", dependencies: ["VigilTUI", "VigilTerminal", "VigilPipeline", "VigilTriage", "VigilFeed", "VigilText",
                                                     "VigilScoring", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "VigilEvaluation", dependencies: ["VigilPipeline", "VigilSimulator", "VigilScoring", "VigilCoordination"]),
        // Feeds on NATS JetStream: publishing, the workers' shared consumer, reading a stream as a file.
        .target(name: "VigilStream", dependencies: ["VigilFeed", "CNats"]),
        // The workshop debrief: trainees' decisions graded against an answer key (`vigil report`).
        .target(name: "VigilReport", dependencies: ["VigilFeed", "VigilText", "VigilPipeline", "VigilCoordination", "VigilSimulator", "VigilTriage", "VigilLexicon", "VigilScoring"]),
        .executableTarget(
            name: "vigil",
            dependencies: ["VigilPipeline", "VigilSimulator", "VigilEvaluation", "VigilTriage", "VigilTUI", "VigilConsole", "VigilTerminal", "VigilReport",
                           "VigilStream",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "VigilFeedTests", dependencies: ["VigilFeed"]),
        .testTarget(name: "VigilTextTests", dependencies: ["VigilText", "CTextScan"]),
        .testTarget(name: "VigilLexiconTests", dependencies: ["VigilLexicon", "VigilFeed"]),
        .testTarget(name: "VigilScoringTests", dependencies: ["VigilScoring"]),
        .testTarget(name: "VigilPipelineTests", dependencies: ["VigilPipeline"]),
        .testTarget(name: "VigilSimulatorTests", dependencies: ["VigilSimulator", "VigilPipeline", "VigilEvaluation"]),
        .testTarget(name: "VigilCoordinationTests", dependencies: ["VigilCoordination", "VigilFeed", "VigilText"]),
        .testTarget(name: "VigilCLITests", dependencies: ["VigilPipeline", "VigilTriage", "VigilStream"]),
        .testTarget(name: "VigilTriageTests", dependencies: ["VigilTriage", "VigilFeed"]),
        // Snapshots are read from the source tree by path, not bundled.
        .testTarget(name: "VigilTUITests", dependencies: ["VigilTUI", "VigilTriage"], exclude: ["Snapshots"]),
        .testTarget(name: "VigilConsoleTests", dependencies: ["VigilConsole", "VigilTUI", "VigilTerminal", "VigilTriage", "VigilPipeline", "VigilLexicon", "VigilCoordination", "VigilFeed"]),
        .testTarget(name: "VigilReportTests", dependencies: ["VigilReport", "VigilTriage", "VigilFeed", "VigilSimulator", "VigilLexicon", "VigilPipeline", "VigilCoordination"]),
    ],
    cxxLanguageStandard: .cxx17
)
