import Foundation
import VigilTriage
import VigilTUI

/// Talks to the store on a background queue, so the screen never waits on the disk or the
/// network, and hands back what the store answered as messages. When the store cannot be
/// reached, decisions go to a local journal (synced to disk before the screen hears of it) and
/// are stored, in order, once it can be again: a request id makes each one land once.
final class DecisionWriter: @unchecked Sendable {
    private let store: DecisionStore
    private let queue = DispatchQueue(label: "vigil-store-writer")
    private let answers = Mailbox<Msg>()
    private let journal: DecisionJournal?
    /// Decisions in the journal, oldest first, with the token the screen knows them by (nil for
    /// those an earlier run left behind).
    private var waiting: [(decision: Decision, token: Int?)] = []
    private var retryScheduled = false
    static let retryInterval = 2.0

    init(store: DecisionStore, journal: DecisionJournal?) {
        self.store = store
        self.journal = journal
        // What an earlier run could not store goes first, before anything decided now.
        if let journal, let left = try? journal.read(), !left.isEmpty {
            waiting = left.map { ($0, nil) }
            queue.async { [self] in retry() }
        }
    }

    func write(_ decision: Decision, token: Int) {
        queue.async { [self] in
            // Order is kept: once one decision waits in the journal, the next ones wait behind it.
            guard waiting.isEmpty else { return journalize(decision, token: token, because: nil) }
            do {
                answers.put(.stored(try store.record(decision), token: token))
            } catch let error as DecisionStoreError where error.isUnavailable {
                journalize(decision, token: token, because: error)
            } catch {
                answers.put(.storeFailed("\(error)", token: token))
            }
        }
    }

    private func journalize(_ decision: Decision, token: Int, because error: DecisionStoreError?) {
        guard let journal else {
            answers.put(.storeFailed(error.map { "\($0)" } ?? "the store is unreachable", token: token))
            return
        }
        do {
            try journal.append(decision)
        } catch {
            answers.put(.storeFailed("the store is unreachable and the local journal cannot be written: \(error)", token: token))
            return
        }
        waiting.append((decision, token))
        if let error { answers.put(.storeReachable(error.unreachableReason)) }
        answers.put(.journaled(token: token))
        scheduleRetry()
    }

    private func scheduleRetry() {
        guard !retryScheduled else { return }
        retryScheduled = true
        queue.asyncAfter(deadline: .now() + Self.retryInterval) { [self] in
            retryScheduled = false
            retry()
        }
    }

    /// Stores what waits, oldest first, until the store fails again.
    private func retry() {
        while let next = waiting.first {
            do {
                let stored = try store.record(next.decision)
                waiting.removeFirst()
                try journal?.rewrite(waiting.map(\.decision))
                if let token = next.token { answers.put(.stored(stored, token: token)) }
            } catch let error as DecisionStoreError where error.isUnavailable {
                scheduleRetry()
                return
            } catch {
                // Refused for good (stale, or a role): the moderator hears of it; the rest goes on.
                waiting.removeFirst()
                try? journal?.rewrite(waiting.map(\.decision))
                if let token = next.token { answers.put(.storeFailed("\(error)", token: token)) }
            }
        }
        answers.put(.storeReachable(nil))
    }

    /// Claims, releases and presence: best effort (a claim is taken again when the store is back).
    func team(_ work: @escaping @Sendable (TeamStore) throws -> Msg?) {
        guard let team = store as? TeamStore else { return }
        queue.async { [self] in
            if let answer = try? work(team) { answers.put(answer) }
        }
    }

    func results() -> [Msg] { answers.takeAll() }

    /// Waits until every request handed over has been answered or journaled.
    func flush() { queue.sync {} }
}

extension DecisionStoreError {
    /// Why the store cannot be reached, for the status bar: the first line of the client's
    /// message (libpq's run over several), without the store's name, which the bar shows already
    /// and which would take all the room the reason has.
    var unreachableReason: String {
        guard case .unavailable(let why) = reason else { return description }
        let line = why.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? "no connection" : line
    }
}

/// Decisions the store could not take yet, one JSON object a line, synced before the screen
/// hears of them; rewritten (to a temporary file, then renamed) as they are stored.
final class DecisionJournal: @unchecked Sendable {
    let path: String
    private let encoder = JSONEncoder()

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    }

    func read() throws -> [Decision] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Decision.self, from: Data($0)) }
    }

    func append(_ decision: Decision) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        try write(fd, try encoder.encode(decision) + Data("\n".utf8))
        guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    func rewrite(_ decisions: [Decision]) throws {
        guard !decisions.isEmpty else {
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        do {
            defer { close(fd) }
            var body = Data()
            for decision in decisions { body += try encoder.encode(decision) + Data("\n".utf8) }
            try write(fd, body)
            guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    private func write(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += written
            }
        }
    }
}
