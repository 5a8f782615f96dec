/// Where feed records come from, one record (one event's bytes) at a time: a file or standard
/// input (`LineReader`), a JetStream stream (VigilStream), and what a librdkafka adapter would
/// add. The scoring pipeline reads every feed through this protocol.
///
/// A record is a `LineView`: its bytes, valid only during the call that receives it, and its
/// position in `number`, a file's line number or a stream's sequence (`name:number` locates it
/// in messages).
public protocol RecordSource: AnyObject {
    /// Names the source in messages: a path, `<stdin>`, `nats://host:port/stream`.
    var name: String { get }
    /// Bytes read so far, and the total when known (a regular file), for progress.
    var consumedBytes: Int64 { get }
    var totalBytes: Int64? { get }

    /// Hands every record to `record`, in order; returning false stops. `oversized` gets each
    /// record longer than `LineReader.maxLineBytes` (its position and first bytes), which is
    /// skipped. `settle` is the acknowledgement: a source whose records must be acknowledged
    /// (a broker) calls it before acknowledging the records it handed over, and acknowledges
    /// them only once it returns, so whatever they produced is kept before the broker forgets
    /// them; a throw leaves them unacknowledged, to be delivered again. Files never call it.
    func forEachRecord(
        _ record: (LineView) throws -> Bool,
        oversized: (_ position: Int, _ prefix: UnsafeBufferPointer<UInt8>) throws -> Bool,
        settle: () throws -> Void
    ) throws
}

extension LineReader: RecordSource {
    public func forEachRecord(
        _ record: (LineView) throws -> Bool,
        oversized: (_ position: Int, _ prefix: UnsafeBufferPointer<UInt8>) throws -> Bool,
        settle: () throws -> Void
    ) throws {
        try forEachLine(record, oversized: oversized)
    }
}
