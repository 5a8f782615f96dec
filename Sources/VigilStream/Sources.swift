import CNats
import Foundation
import VigilFeed

/// One message's bytes copied into a reused buffer with the decoder's padding after them
/// (simdjson parses in place, and a message's own bytes end where the library put them).
final class RecordBuffer {
    let padding: Int
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(padding: Int) {
        self.padding = padding
        capacity = LineReader.maxLineBytes + padding
        buffer = .allocate(capacity: capacity)
        buffer.initialize(repeating: 0, count: capacity)
    }

    deinit { buffer.deallocate() }

    /// The record at `sequence`, or nil when it is longer than a feed line may be.
    func view(_ bytes: UnsafeRawBufferPointer, sequence: UInt64) -> LineView? {
        guard bytes.count <= LineReader.maxLineBytes else { return nil }
        if let base = bytes.baseAddress { buffer.update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        (buffer + bytes.count).update(repeating: 0, count: padding)
        return LineView(number: Int(sequence), start: UnsafePointer(buffer), length: bytes.count, capacity: capacity)
    }
}

extension OpaquePointer {
    /// A received message's bytes (valid while the message is).
    var messageBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: natsMsg_GetData(self), count: Int(natsMsg_GetDataLength(self)))
    }

    /// A JetStream message's stream sequence and how often it was delivered.
    func streamMetadata() throws(StreamError) -> (sequence: UInt64, deliveries: UInt64) {
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        let status = natsMsg_GetMetaData(&meta, self)
        guard status == NATS_OK, let meta else { throw StreamError("reading a message's JetStream metadata", status) }
        defer { jsMsgMetaData_Destroy(meta) }
        return (meta.pointee.Sequence.Stream, meta.pointee.NumDelivered)
    }
}

/// A pull subscription and the batches fetched from it.
final class PullSubscription {
    let subscription: OpaquePointer
    let what: String
    /// A durable's stream and name, and the connection to ask about it.
    private let durable: (connection: NatsConnection, stream: String, name: String)?

    /// Binds to `durable`, created first with `configure`'s settings when missing, or reads
    /// from an ephemeral consumer with those settings when `durable` is nil.
    init(_ connection: NatsConnection, stream: String, subject: String, durable: String?, what: String,
         configure: (inout jsConsumerConfig) -> Void) throws(StreamError) {
        self.what = what
        self.durable = durable.map { (connection, stream, $0) }
        var options = jsSubOptions()
        jsSubOptions_Init(&options)
        var code = jsErrCode(rawValue: 0)
        let names = (stream: strdup(stream), durable: durable.flatMap { strdup($0) }, subject: strdup(subject))
        defer { free(names.stream); free(names.durable); free(names.subject) }
        options.Stream = UnsafePointer(names.stream)
        if let durable, let durableName = names.durable {
            // Created here, not by the subscription: the library deletes a consumer it created
            // when its subscription ends, and one worker stopping would end the others' work.
            // Bound with its settings unset: the first worker's settings hold for all
            // (docs/ingest.md), and the library refuses settings that differ from the server's.
            var existing: UnsafeMutablePointer<jsConsumerInfo>?
            if js_GetConsumerInfo(&existing, connection.js, stream, durable, nil, &code) == NATS_OK {
                jsConsumerInfo_Destroy(existing)
            } else {
                var config = jsConsumerConfig()
                jsConsumerConfig_Init(&config)
                configure(&config)
                config.Durable = UnsafePointer(durableName)
                config.FilterSubject = UnsafePointer(names.subject)
                var created: UnsafeMutablePointer<jsConsumerInfo>?
                let status = js_AddConsumer(&created, connection.js, stream, &config, nil, &code)
                if let created { jsConsumerInfo_Destroy(created) }
                // Another worker may have created it since the look-up.
                guard status == NATS_OK || code == JSConsumerNameExistErr else {
                    throw StreamError("\(connection.url): cannot create consumer \(durable) on stream \(stream)", status, code)
                }
            }
            options.Consumer = UnsafePointer(durableName)
        } else {
            configure(&options.Config)
        }
        var subscription: OpaquePointer?
        let status = js_PullSubscribe(&subscription, connection.js, subject, durable, nil, &options, &code)
        guard status == NATS_OK, let subscription else {
            throw StreamError("\(connection.url): cannot read \(what) of stream \(stream)", status, code)
        }
        self.subscription = subscription
    }

    deinit {
        natsSubscription_Unsubscribe(subscription)
        natsSubscription_Destroy(subscription)
    }

    /// Up to `batch` messages: what is there, or if nothing is, the first to come within `wait`
    /// and what follows it. The list must be destroyed with `natsMsgList_Destroy`.
    func fetch(_ batch: Int, wait: Duration) throws(StreamError) -> natsMsgList {
        var list = natsMsgList()
        var code = jsErrCode(rawValue: 0)
        let milliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
        let status = natsSubscription_Fetch(&list, subscription, Int32(batch), max(milliseconds, 1), &code)
        if status == NATS_TIMEOUT || status == NATS_NOT_FOUND { return natsMsgList() }
        guard status == NATS_OK else { throw StreamError("fetching \(what)", status, code) }
        return list
    }

    /// The server no longer has this subscription's consumer: an ephemeral one is deleted after
    /// a few seconds without a fetch (or with a server that restarted without it), and fetching
    /// from it then finds nothing, as if the stream had nothing new.
    func consumerIsGone() -> Bool {
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = natsSubscription_GetConsumerInfo(&info, subscription, nil, &code)
        if let info { jsConsumerInfo_Destroy(info) }
        return status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr
    }

    /// The consumer's backlog as the server counts it now (a fetch that finds nothing waits for
    /// its timeout; this answers at once).
    func lag() throws(StreamError) -> ConsumerLag {
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        var code = jsErrCode(rawValue: 0)
        // The library does not know a consumer it only bound to ("Invalid Subscription"): a
        // durable is asked for by name.
        let status = durable.map { js_GetConsumerInfo(&info, $0.connection.js, $0.stream, $0.name, nil, &code) }
            ?? natsSubscription_GetConsumerInfo(&info, subscription, nil, &code)
        guard status == NATS_OK, let info else { throw StreamError("asking for \(what)", status, code) }
        defer { jsConsumerInfo_Destroy(info) }
        return ConsumerLag(pending: Int(clamping: info.pointee.NumPending), ackPending: Int(info.pointee.NumAckPending))
    }
}

/// How far a consumer is behind its stream.
public struct ConsumerLag: Sendable, Equatable {
    /// Messages not delivered yet.
    public var pending: Int
    /// Messages delivered and not acknowledged yet.
    public var ackPending: Int

    public init(pending: Int, ackPending: Int) {
        self.pending = pending
        self.ackPending = ackPending
    }
}

/// The whole stream in stream order, as a file is read, from an ephemeral consumer that
/// acknowledges nothing (reading leaves no trace on the stream): `vigil scan nats://HOST:PORT/
/// STREAM` reads it to the last message there when reading began; `vigil worker --clusters`
/// follows it on and on (`following`), settling after every batch.
public final class StreamReplaySource: RecordSource {
    public let name: String
    public private(set) var consumedBytes: Int64 = 0
    public var totalBytes: Int64? { nil }
    /// The stream sequence of the last message handed over.
    public private(set) var lastSequence: UInt64 = 0
    /// Told when the server went away (why) and when it is back (nil), while following.
    public var serverAway: ((String?) -> Void)?
    /// Told when the server had dropped the reader and a new one reads on (from which sequence).
    public var readerReplaced: ((UInt64) -> Void)?
    /// Told, when following waits for a stream not created yet, that it does (what to say) and
    /// when it exists (nil).
    public var streamAway: ((String?) -> Void)?
    let connection: NatsConnection
    let layout: StreamLayout
    var subscription: PullSubscription?
    /// Reading to this sequence; nil: following.
    let end: UInt64?
    let batch: Int
    let stop: () -> Bool
    let record: RecordBuffer

    /// To the stream's last message now.
    public init(_ address: StreamAddress, padding: Int) throws(StreamError) {
        name = address.description
        layout = address.layout
        connection = try NatsConnection(url: address.server)
        guard let last = try connection.lastSequence(of: address.layout) else {
            throw StreamError("\(name): no such stream (vigil publish creates it)")
        }
        end = last
        batch = 1000
        stop = { false }
        recent = nil
        waitsForStream = false
        record = RecordBuffer(padding: padding)
        subscription = last == 0 ? nil : try Self.subscribe(connection, address.layout)
    }

    /// On and on, `batch` messages at a time, settling after each batch; `stop` is asked
    /// between batches and at least once a second. `recent`: start that many messages before
    /// the stream's end (a live view) instead of at its first message; `after`: start after
    /// that sequence (what a restored reader had already read); `waitsForStream`: a stream not
    /// created yet is waited for (a console started before the first publisher), not refused.
    public init(following layout: StreamLayout, on connection: NatsConnection, batch: Int, padding: Int, recent: UInt64? = nil,
                after: UInt64 = 0, waitsForStream: Bool = false, stop: @escaping () -> Bool) throws(StreamError) {
        name = connection.url + "/" + layout.stream
        self.connection = connection
        self.layout = layout
        end = nil
        self.batch = batch
        self.stop = stop
        self.recent = recent
        lastSequence = after
        record = RecordBuffer(padding: padding)
        self.waitsForStream = waitsForStream
        // A server not reachable yet (a connection that waits for it), or a stream to wait for,
        // is waited for by the first read, which says so: a console opens without them.
        if connection.isConnected, !waitsForStream { try open() }
    }

    private let waitsForStream: Bool

    /// Where following starts: that many messages before the stream's end, or its first.
    private let recent: UInt64?
    private var opened = false

    private func open() throws(StreamError) {
        guard let last = try connection.lastSequence(of: layout) else {
            throw StreamError("\(name): no such stream (vigil publish creates it)")
        }
        subscription = try Self.subscribe(connection, layout, from: recent.map { last > $0 ? last - $0 + 1 : 1 } ?? lastSequence + 1)
        opened = true
    }

    /// Until the stream exists (when waiting for it), saying so while it does not; false when
    /// told to stop first.
    private func awaitStream() throws(StreamError) -> Bool {
        guard waitsForStream else { return true }
        var said = false
        while true {
            do {
                if try connection.lastSequence(of: layout) != nil { break }
            } catch {
                // The server went away meanwhile: waited for as anywhere else, then asked again.
                guard connection.awaitServer(after: error, stop: stop, report: serverAway) else { throw error }
                if stop() { return false }
                continue
            }
            if !said { streamAway?("waiting for stream \(layout.stream) on \(connection.url) (vigil publish creates it)") }
            said = true
            if stop() { return false }
            Thread.sleep(forTimeInterval: 0.5)
        }
        if said { streamAway?(nil) }
        return true
    }

    private static func subscribe(_ connection: NatsConnection, _ layout: StreamLayout, from first: UInt64 = 1) throws(StreamError) -> PullSubscription {
        try PullSubscription(connection, stream: layout.stream, subject: layout.allSubjects, durable: nil, what: "the messages") { config in
            config.AckPolicy = js_AckNone
            config.DeliverPolicy = first > 1 ? js_DeliverByStartSequence : js_DeliverAll
            config.OptStartSeq = first > 1 ? first : 0
        }
    }

    public func forEachRecord(
        _ body: (LineView) throws -> Bool,
        oversized: (_ position: Int, _ prefix: UnsafeBufferPointer<UInt8>) throws -> Bool,
        settle: () throws -> Void
    ) throws {
        if end == nil, !opened {
            if !connection.isConnected {
                serverAway?("not reachable yet")
                guard connection.waitUntilConnected(stop: stop) else { return }
                serverAway?(nil)
            }
            guard try awaitStream() else { return }
            try open()
        }
        guard subscription != nil else { return }
        while end.map({ lastSequence < $0 }) ?? !stop() {
            if end == nil, connection.awaitServer(after: nil, stop: stop, report: serverAway) { continue }
            var list: natsMsgList
            do {
                // No more than what is left: a fetch waits for its whole batch until it expires.
                // Read afresh each time: a dropped reader is replaced (`readOnIfDropped`).
                list = try subscription!.fetch(end.map { Int(min(UInt64(batch), $0 - lastSequence)) } ?? batch,
                                              wait: end == nil ? .seconds(1) : .seconds(5))
            } catch {
                if end == nil, connection.awaitServer(after: error, stop: stop, report: serverAway) { continue }
                if try readOnIfDropped() { continue }
                throw error
            }
            defer { natsMsgList_Destroy(&list) }
            guard list.Count > 0 else {
                if try readOnIfDropped() { continue }
                // Nothing for that long: the rest was removed from the stream meanwhile.
                if end != nil { return }
                continue
            }
            for index in 0..<Int(list.Count) {
                guard let message = list.Msgs[index] else { continue }
                let (sequence, _) = try message.streamMetadata()
                if let end, sequence > end { return }
                lastSequence = sequence
                let bytes = message.messageBytes
                consumedBytes += Int64(bytes.count)
                if let line = record.view(bytes, sequence: sequence) {
                    guard try body(line) else { return }
                } else {
                    guard try oversized(Int(sequence), UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: 1 << 16))
                    else { return }
                }
            }
            if end == nil { try settle() }
        }
    }

    /// A new reader from the message after the last one handed over, when the server dropped
    /// this one (a reader that waited long for the store between two fetches): order is kept and
    /// nothing is skipped or read twice.
    private func readOnIfDropped() throws(StreamError) -> Bool {
        guard let current = subscription, current.consumerIsGone() else { return false }
        subscription = nil
        subscription = try Self.subscribe(connection, layout, from: lastSequence + 1)
        readerReplaced?(lastSequence + 1)
        return true
    }
}
