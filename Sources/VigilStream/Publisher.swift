import CNats
import Foundation
import VigilFeed

/// Publishes feed events into a stream, asynchronously (many in flight, confirmed at `finish`).
/// Each message is one event line, unchanged, with `Nats-Msg-Id` set so that publishing the
/// same event again within the stream's duplicate window stores nothing.
public final class StreamPublisher {
    public struct Counts: Sendable, Hashable {
        /// Stored by the server.
        public var stored = 0
        /// Refused as duplicates of a message already stored (same `Nats-Msg-Id`).
        public var duplicates = 0
        public var failed = 0
        public var firstFailure: String?
    }

    /// Filled by the library's thread (the publish acknowledgements), read at the end.
    final class Tally: Sendable {
        let counts = Locked(Counts())
    }

    let connection: NatsConnection
    let js: OpaquePointer
    let tally = Tally()

    /// Publishes in flight at most; a publish beyond it waits for acknowledgements.
    static let maxPending: Int64 = 20_000

    public init(connection: NatsConnection) throws(StreamError) {
        self.connection = connection
        var options = jsOptions()
        jsOptions_Init(&options)
        options.PublishAsync.MaxPending = Self.maxPending
        options.PublishAsync.AckHandler = { _, message, ack, failure, closure in
            let tally = Unmanaged<Tally>.fromOpaque(closure!).takeUnretainedValue()
            tally.counts.withLock { counts in
                if let ack {
                    if ack.pointee.Duplicate { counts.duplicates += 1 } else { counts.stored += 1 }
                } else {
                    counts.failed += 1
                    if counts.firstFailure == nil, let failure {
                        counts.firstFailure = failure.pointee.ErrText.map { String(cString: $0) }
                            ?? String(cString: natsStatus_GetText(failure.pointee.Err))
                    }
                }
            }
            natsMsg_Destroy(message)
        }
        options.PublishAsync.AckHandlerClosure = Unmanaged.passUnretained(tally).toOpaque()
        var js: OpaquePointer?
        let status = natsConnection_JetStream(&js, connection.connection, &options)
        guard status == NATS_OK, let js else { throw StreamError("\(connection.url): no JetStream context", status) }
        self.js = js
    }

    deinit { jsCtx_Destroy(js) }

    /// Whether an event with this id fits the server's largest message (`max_payload`, 1 MiB by
    /// default, headers included — a feed line may be as long).
    public func fits(_ bytes: UnsafeBufferPointer<UInt8>, id: String) -> Bool {
        // "NATS/1.0\r\nNats-Msg-Id: …\r\n\r\n" and a little room.
        bytes.count + id.utf8.count + 64 <= Int(natsConnection_GetMaxPayload(connection.connection))
    }

    /// Sends one event. `id` becomes its `Nats-Msg-Id`.
    public func publish(_ bytes: UnsafeBufferPointer<UInt8>, subject: String, id: String) throws(StreamError) {
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        let status = id.withCString { id in
            options.MsgId = id
            return js_PublishAsync(js, subject, bytes.baseAddress, Int32(bytes.count), &options)
        }
        guard status == NATS_OK else { throw StreamError("\(connection.url): publish to \(subject)", status) }
    }

    /// Waits until every message sent is acknowledged (or failed) and returns the counts.
    public func finish(timeout: Duration = .seconds(120)) throws(StreamError) -> Counts {
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        options.MaxWait = Int64(timeout.components.seconds) * 1000
        let status = js_PublishAsyncComplete(js, &options)
        guard status == NATS_OK else { throw StreamError("\(connection.url): waiting for the server to confirm what was published", status) }
        return tally.counts.withLock { $0 }
    }
}
