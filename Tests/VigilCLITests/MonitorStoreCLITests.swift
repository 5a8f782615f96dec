import Foundation
import Testing

/// `vigil monitor --store postgres://…` with a URL libpq cannot use stops before the screen
/// starts, with the reason and the usage exit status (under `script`, which gives it the
/// terminal it requires).
@Suite struct MonitorStoreCLITests {
    @Test func aMalformedPostgresURLFailsAtOnce() throws {
        let feed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sample-feeds/workshop.jsonl.gz").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-monitor-url-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let command = "'\(vigilBinary().path)' monitor '\(feed)' --store 'postgres://vigil@127.0.0.1:5432/vigil?no_such_option=1' --journal '\(folder)/j'"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 64, "\(text)")
        #expect(text.contains("no_such_option"), "\(text)")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
