import CNats
import Foundation
import VigilFeed

/// `vigil worker`: the stream's scoring work from a durable pull consumer that any number of
/// workers share, each message acknowledged only after `settle` (the store's put) returned.
///
/// Account and suspension events are not shared out: every worker reads all of them from an
/// ephemeral consumer of their subjects, and hands each one over just before the first work
/// message that follows it in the stream, so a post is scored with the account state a file
/// read would have at that point (`vigil scan` on the same events gives the same items).
public final class StreamWorkSource: RecordSource {
    public struct Settings: Sendable {
        /// The durable consumer's name; workers with the same one share the work.
        public var durable: String
        /// How long a delivered message waits for its acknowledgement before the server gives it
        /// to another worker (a crashed worker's messages are stuck that long).
        public var ackWait: Duration
        /// Messages fetched, scored, stored and acknowledged together.
        public var batch: Int

        public init(durable: String, ackWait: Duration, batch: Int) {
            self.durable = durable
            self.ackWait = ackWait
            self.batch = batch
        }
    }

    /// What this worker did so far.
    public struct Counts: Sendable, Hashable {
        /// Work messages handed over (posts, markers, scenarios), redeliveries included.
        public var work = 0
        /// Of those, messages another worker (or this one before a restart) had already had.
        public var redelivered = 0
        /// Account and suspension events read.
        public var accountEvents = 0
        public var acknowledged = 0
    }

    public let name: String
    public private(set) var consumedBytes: Int64 = 0
    public var totalBytes: Int64? { nil }
    public private(set) var counts = Counts()
    let settings: Settings
    let connection: NatsConnection
    let work: PullSubscription
    let accounts: PullSubscription
    let record: RecordBuffer
    let stop: () -> Bool
    /// Told when the server went away (why) and when it is back (nil), if the connection waits
    /// for it (`NatsConnection(url:waitsForServer:)`).
    public var serverAway: ((String?) -> Void)?
    /// Account events fetched but not handed over yet, in stream order, from `heldStart` on.
    private var held: [(sequence: UInt64, bytes: [UInt8])] = []
    private var heldStart = 0
    private var lastAccountPull = ContinuousClock.now

    /// `stop` is asked between batches, and after every fetch that found nothing (at least once
    /// a second): once it is true, the batch in hand is finished (settled and acknowledged) and
    /// reading ends.
    public init(connection: NatsConnection, layout: StreamLayout, settings: Settings, padding: Int, stop: @escaping () -> Bool) throws(StreamError) {
        guard try connection.lastSequence(of: layout) != nil else {
            throw StreamError("\(connection.url): no stream \(layout.stream) (vigil publish creates it)")
        }
        name = connection.url + "/" + layout.stream
        self.settings = settings
        self.connection = connection
        self.stop = stop
        record = RecordBuffer(padding: padding)
        let ackWait = Int64(settings.ackWait.components.seconds) * 1_000_000_000 + settings.ackWait.components.attoseconds / 1_000_000_000
        work = try PullSubscription(connection, stream: layout.stream, subject: layout.eventSubjects, durable: settings.durable,
                                    what: "the work (durable \(settings.durable))") { config in
            config.AckPolicy = js_AckExplicit
            config.AckWait = ackWait
            config.DeliverPolicy = js_DeliverAll
            // Room for every worker's batch in flight and a few more.
            config.MaxAckPending = 100_000
        }
        accounts = try PullSubscription(connection, stream: layout.stream, subject: layout.accountSubjects, durable: nil,
                                        what: "the account events") { config in
            config.AckPolicy = js_AckNone
            config.DeliverPolicy = js_DeliverAll
            // Fetched at least once a second (`forEachRecord`); gone soon after the worker.
            config.InactiveThreshold = 60 * 1_000_000_000
        }
    }

    public func forEachRecord(
        _ body: (LineView) throws -> Bool,
        oversized: (_ position: Int, _ prefix: UnsafeBufferPointer<UInt8>) throws -> Bool,
        settle: () throws -> Void
    ) throws {
        while !stop() {
            // A fetch while the library reconnects waits out its timeout and finds nothing; a
            // reconnection while the batch was being stored is said too.
            if awaitServer(after: nil) { continue }
            var list: natsMsgList
            do { list = try work.fetch(settings.batch, wait: .seconds(1)) } catch {
                if awaitServer(after: error) { continue }
                throw error
            }
            defer { natsMsgList_Destroy(&list) }
            var batch: [(sequence: UInt64, message: OpaquePointer)] = []
            for index in 0..<Int(list.Count) {
                guard let message = list.Msgs[index] else { continue }
                let (sequence, deliveries) = try message.streamMetadata()
                if deliveries > 1 { counts.redelivered += 1 }
                batch.append((sequence, message))
            }
            // Redeliveries can come after newer messages: score in stream order.
            batch.sort { $0.sequence < $1.sequence }
            do { try catchUpAccounts(through: batch.last?.sequence) } catch {
                // The batch is dropped unacknowledged: the server delivers it again after the
                // acknowledgement wait, and putting its items again changes nothing.
                if awaitServer(after: error) { continue }
                throw error
            }
            var handed = 0
            // The reader asked to stop: what it was handed is still settled and acknowledged.
            var stopping = false
            batchLoop: for (sequence, message) in batch {
                while heldStart < held.count, held[heldStart].sequence < sequence {
                    let event = held[heldStart]
                    heldStart += 1
                    guard try event.bytes.withUnsafeBytes({ try hand(UnsafeRawBufferPointer($0), event.sequence, body, oversized) }) else {
                        stopping = true
                        break batchLoop
                    }
                }
                counts.work += 1
                guard try hand(message.messageBytes, sequence, body, oversized) else {
                    stopping = true
                    break
                }
                handed += 1
            }
            if heldStart > 0 && heldStart == held.count {
                held.removeAll(keepingCapacity: true)
                heldStart = 0
            }
            guard handed > 0 else {
                if stopping { return }
                continue
            }
            try settle()
            // Acknowledged once kept; the last one waits for the server's confirmation, so a
            // batch is done before the next is fetched.
            for (index, item) in batch.prefix(handed).enumerated() {
                let status = index == handed - 1 ? natsMsg_AckSync(item.message, nil, nil) : natsMsg_Ack(item.message, nil)
                // A lost acknowledgement only means the message comes again, to be put again
                // (idempotently).
                if status == NATS_OK { counts.acknowledged += 1 }
            }
            if stopping { return }
        }
    }

    private func hand(_ bytes: UnsafeRawBufferPointer, _ sequence: UInt64, _ body: (LineView) throws -> Bool,
                      _ oversized: (Int, UnsafeBufferPointer<UInt8>) throws -> Bool) throws -> Bool {
        consumedBytes += Int64(bytes.count)
        guard let line = record.view(bytes, sequence: sequence) else {
            return try oversized(Int(sequence), UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: 1 << 16))
        }
        return try body(line)
    }

    private func awaitServer(after error: (any Error)?) -> Bool {
        connection.awaitServer(after: error, stop: stop, report: serverAway)
    }

    /// The shared work consumer's backlog (every worker on it sees the same).
    public func lag() throws(StreamError) -> ConsumerLag { try work.lag() }

    /// Pulls the account events' consumer if nobody has for a while: called while the worker
    /// waits for its store, because the server drops a consumer nobody pulls from (a failed pull
    /// shows again at the next fetch).
    public func keepAlive() {
        guard ContinuousClock.now - lastAccountPull >= .seconds(10) else { return }
        try? catchUpAccounts(through: nil)
    }

    /// Fetches account events until one past `sequence` is held or none is left (all every
    /// work message fetched needs are then here: the stream stored them before it, so the
    /// server counts them as pending).
    private func catchUpAccounts(through sequence: UInt64?) throws {
        while held.count == heldStart || sequence.map({ held[held.count - 1].sequence < $0 }) ?? true {
            let pending = try accounts.lag().pending
            let now = ContinuousClock.now
            // Nothing to fetch: only a pull now and then, which keeps the consumer alive (the
            // server drops an ephemeral consumer nobody pulls from).
            if pending == 0 && now - lastAccountPull < .seconds(10) { return }
            lastAccountPull = now
            // No more than are there: a fetch returns as soon as its batch is full.
            var list = try accounts.fetch(Int(min(max(pending, 1), 1000)), wait: pending == 0 ? .milliseconds(1) : .seconds(5))
            defer { natsMsgList_Destroy(&list) }
            guard list.Count > 0 else { return }
            for index in 0..<Int(list.Count) {
                guard let message = list.Msgs[index] else { continue }
                let (eventSequence, _) = try message.streamMetadata()
                held.append((eventSequence, Array(message.messageBytes)))
                counts.accountEvents += 1
            }
        }
    }
}
