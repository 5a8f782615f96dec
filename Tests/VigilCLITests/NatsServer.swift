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

/// A server of one test's own, which the test may kill and start again on the same port with
/// the same store (what a restarted server looks like to its clients).
final class PrivateNatsServer {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-nats-own-\(UUID().uuidString.prefix(8))").path
    private(set) var url = ""

    init() throws { try start() }

    /// Starts the server: on a free port the first time, then on the same one.
    func start() throws {
        let output = folder + ".url"
        let port = url.split(separator: ":").last.map(String.init) ?? ""
        guard system("'\(NatsServer.script)' start '\(folder)' \(port) > '\(output)'") == 0,
              let text = try? String(contentsOfFile: output, encoding: .utf8) else { throw StartFailed() }
        unlink(output)
        url = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// kill -9: the server has no chance to tell its clients.
    func kill() {
        guard let pid = try? String(contentsOfFile: folder + "/server.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              let number = Int32(pid) else { return }
        Glibc.kill(number, SIGKILL)
        while Glibc.kill(number, 0) == 0 { usleep(20_000) }
    }

    func stop() { _ = system("'\(NatsServer.script)' stop '\(folder)'") }

    struct StartFailed: Error {}
}
