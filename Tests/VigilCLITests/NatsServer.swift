import Foundation

/// One throwaway NATS server with JetStream per test process (scripts/nats.sh), started on first
/// use and stopped when the process exits; each test uses a stream of its own.
enum NatsServer {
    static let script = TeamCLITests.repository.appendingPathComponent("scripts/nats.sh").path
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-nats-\(getpid())").path

    /// The server's URL; the tests stop if it cannot start.
    static let url: String = {
        let output = folder + ".url"
        // system(), not Process: the server outlives the script (see VigilTriageTests' PostgresServer).
        guard system("'\(script)' start '\(folder)' > '\(output)'") == 0,
              let text = try? String(contentsOfFile: output, encoding: .utf8) else { fatalError("scripts/nats.sh start failed") }
        unlink(output)
        atexit { _ = system("'\(NatsServer.script)' stop '\(NatsServer.folder)'") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// A stream name no other test uses.
    static func newStream() -> String {
        "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }
}
