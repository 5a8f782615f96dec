import CNats
import Foundation
import VigilFeed

/// A failure talking to NATS or JetStream, with the library's own explanation.
public struct StreamError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// What `status` (and JetStream's `code`, when the server gave one) means, after `doing`.
    init(_ doing: String, _ status: natsStatus, _ code: jsErrCode = jsErrCode(rawValue: 0)) {
        var text = String(cString: natsStatus_GetText(status))
        var last = NATS_OK
        if let detail = nats_GetLastError(&last), detail.pointee != 0, last == status {
            text = String(cString: detail)
        }
        description = doing + ": " + text + (code.rawValue != 0 ? " (JetStream error \(code.rawValue))" : "")
    }
}

/// Where Vigil keeps a feed in JetStream (docs/ingest.md). One stream per feed, named by the
/// user; its subjects are
///   vigil.<stream>.events.<partition>    posts, markers, scenarios (the scoring work)
///   vigil.<stream>.accounts.<partition>  account and suspension events (every worker reads all)
/// with the partition a hash of the account, so one account's events stay in order on one subject.
public struct StreamLayout: Sendable, Hashable {
    public static let defaultStream = "feed"
    /// Fixed: a consumer filtering one partition must find an account where the publisher put it.
    public static let partitions: UInt64 = 16

    public let stream: String

    public init(stream: String) throws(StreamError) {
        // JetStream names may not hold '.', '*', '>' or spaces; a subject token is kept to these.
        guard !stream.isEmpty, stream.count <= 64,
              stream.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        else { throw StreamError("'\(stream)' is not a usable stream name: use letters, digits, '-' and '_' (at most 64)") }
        self.stream = stream
    }

    public var allSubjects: String { "vigil.\(stream).>" }
    public var eventSubjects: String { "vigil.\(stream).events.*" }
    public var accountSubjects: String { "vigil.\(stream).accounts.*" }

    /// The subject of one event: account state goes where every worker reads it.
    public func subject(_ kind: EventKind, account: UnsafeBufferPointer<UInt8>?) -> String {
        let partition = account.map { FNV1a.hash($0) % Self.partitions } ?? 0
        let family = kind == .account || kind == .suspension ? "accounts" : "events"
        return "vigil.\(stream).\(family).\(partition)"
    }

    /// The team store's feed id for this stream's items, whichever server URL reaches it.
    public var feedID: String { String(FNV1a.hash("jetstream:" + stream), radix: 16) }
}

/// `nats://HOST:PORT/STREAM`, as `vigil scan` takes a stream.
public struct StreamAddress: Sendable, Hashable {
    public var server: String
    public var layout: StreamLayout

    /// Nil when `text` is not a nats:// address at all (it is then a path).
    public init?(_ text: String) throws(StreamError) {
        guard text.hasPrefix("nats://") else { return nil }
        let rest = text.dropFirst("nats://".count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else {
            throw StreamError("\(text): a stream address is nats://HOST:PORT/STREAM")
        }
        server = "nats://" + rest[..<slash]
        layout = try StreamLayout(stream: String(rest[rest.index(after: slash)...]))
    }

    public var description: String { server + "/" + layout.stream }
}

/// One connection to a NATS server and its JetStream context.
public final class NatsConnection {
    let connection: OpaquePointer
    let js: OpaquePointer
    public let url: String

    /// `waitsForServer`: a service's connection (`vigil worker`), which the library keeps trying
    /// to make for ever, once a second — at the start (the call returns at once, not connected
    /// yet) and whenever the server goes away; otherwise a command's, which fails at once when
    /// the server cannot be reached and gives up after the library's default tries.
    public init(url: String, waitsForServer: Bool = false) throws(StreamError) {
        var options: OpaquePointer?
        guard natsOptions_Create(&options) == NATS_OK, let options else { throw StreamError("cannot connect to \(url): out of memory") }
        defer { natsOptions_Destroy(options) }
        var status = natsOptions_SetURL(options, url)
        if status == NATS_OK && waitsForServer {
            status = natsOptions_SetMaxReconnect(options, -1)
            if status == NATS_OK { status = natsOptions_SetReconnectWait(options, 1000) }
            // With no callback the library retries the first connection inside the call, for
            // ever: the caller could not say it is waiting, nor stop.
            if status == NATS_OK { status = natsOptions_SetRetryOnFailedConnect(options, true, { _, _ in }, nil) }
        }
        var connection: OpaquePointer?
        if status == NATS_OK { status = natsConnection_Connect(&connection, options) }
        guard status == NATS_OK || (waitsForServer && status == NATS_NOT_YET_CONNECTED), let connection else {
            throw StreamError("cannot connect to \(url)", status)
        }
        var js: OpaquePointer?
        let jsStatus = natsConnection_JetStream(&js, connection, nil)
        guard jsStatus == NATS_OK, let js else {
            natsConnection_Destroy(connection)
            throw StreamError("\(url): no JetStream context", jsStatus)
        }
        self.connection = connection
        self.js = js
        self.url = url
    }

    deinit {
        jsCtx_Destroy(js)
        natsConnection_Destroy(connection)
    }

    public var isConnected: Bool { natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED }

    /// After a failed call (or before one): if the server is away, waits for it (asking `stop`
    /// meanwhile), telling `report` why it went and (nil) that it is back, and returns true.
    /// Also true, told the same, when the library lost the connection and made it again since
    /// the last look (a reader busy elsewhere, storing a batch, may never see it down). False
    /// when the server is there and was not lost (a failure is then the caller's to throw).
    func awaitServer(after error: (any Error)?, stop: () -> Bool, report: ((String?) -> Void)?) -> Bool {
        if isConnected {
            let reconnects = reconnectCount
            guard reconnects > seenReconnects else { return false }
            seenReconnects = reconnects
            report?(error.map { "\($0)" } ?? "the connection dropped and was made again")
            report?(nil)
            return true
        }
        report?(error.map { "\($0)" } ?? "disconnected")
        if waitUntilConnected(stop: stop) { report?(nil) }
        return true
    }

    /// Reconnections the library made so far, and how many of them a reader was told of.
    private var reconnectCount: UInt64 {
        var stats: OpaquePointer?
        guard natsStatistics_Create(&stats) == NATS_OK, let stats else { return seenReconnects }
        defer { natsStatistics_Destroy(stats) }
        var reconnects: UInt64 = 0
        guard natsConnection_GetStats(connection, stats) == NATS_OK,
              natsStatistics_GetCounts(stats, nil, nil, nil, nil, &reconnects) == NATS_OK else { return seenReconnects }
        return reconnects
    }
    private var seenReconnects: UInt64 = 0

    /// Waits until the connection is up, asking `stop` five times a second; false when `stop`
    /// said so first.
    public func waitUntilConnected(stop: () -> Bool) -> Bool {
        while !isConnected {
            if stop() { return false }
            Thread.sleep(forTimeInterval: 0.2)
        }
        // Waited for: not news to the reader (a first connection made late counts as one too).
        seenReconnects = reconnectCount
        return true
    }

    /// The stream's last sequence, or nil when there is no such stream.
    public func lastSequence(of layout: StreamLayout) throws(StreamError) -> UInt64? {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, js, layout.stream, nil, &code)
        if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { return nil }
        guard status == NATS_OK, let info else { throw StreamError("\(url): stream \(layout.stream)", status, code) }
        defer { jsStreamInfo_Destroy(info) }
        return info.pointee.State.LastSeq
    }

    /// Creates the stream when missing (docs/ingest.md lists the settings): file storage, kept
    /// until removed (limits retention: a reader can replay it from the start), and a
    /// deduplication window on `Nats-Msg-Id`. True when it was created.
    @discardableResult
    public func ensureStream(_ layout: StreamLayout, duplicateWindow: Duration) throws(StreamError) -> Bool {
        if try lastSequence(of: layout) != nil { return false }
        var config = jsStreamConfig()
        jsStreamConfig_Init(&config)
        let name = strdup(layout.stream), subject = strdup(layout.allSubjects)
        defer { free(name); free(subject) }
        var subjects: [UnsafePointer<CChar>?] = [UnsafePointer(subject)]
        var code = jsErrCode(rawValue: 0)
        var info: UnsafeMutablePointer<jsStreamInfo>?
        let status = subjects.withUnsafeMutableBufferPointer { subjects in
            config.Name = UnsafePointer(name)
            config.Subjects = subjects.baseAddress
            config.SubjectsLen = 1
            config.Storage = js_FileStorage
            config.Retention = js_LimitsPolicy
            config.Duplicates = Int64(duplicateWindow.components.seconds) * 1_000_000_000
            return js_AddStream(&info, js, &config, nil, &code)
        }
        if let info { jsStreamInfo_Destroy(info) }
        // Another publisher may have created it since the look-up.
        if code == JSStreamNameExistErr { return false }
        guard status == NATS_OK else { throw StreamError("\(url): cannot create stream \(layout.stream)", status, code) }
        return true
    }
}
