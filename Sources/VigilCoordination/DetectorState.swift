import DequeModule
import VigilFeed

/// A detector's whole state saved as bytes and restored, so a cluster worker restarts from a
/// checkpoint instead of reading its stream from the start (docs/architecture.md). Restored, the
/// detector goes on exactly as the saved one would have: the same windows, pairs, slots, cluster
/// numbers and reported scores; only scratch buffers start empty.
extension ClusterDetector {
    static let stateMagic = Array("vigil cluster detector state".utf8)
    static let stateVersion: UInt32 = 2

    /// The state now. Cluster events not drained yet are not part of it: drain them first.
    public func savedState() -> [UInt8] {
        precondition(events.isEmpty, "ClusterDetector.savedState: drain the cluster events first")
        var writer = SnapshotWriter()
        writer.write(bytes: ClusterDetector.stateMagic)
        writer.write(ClusterDetector.stateVersion)
        ClusterDetector.write(config, to: &writer)
        writer.write(lateEvents)
        writer.write(futureDropped)
        writer.write(aheadOfClock)
        writer.write(watermark)
        writer.write(lastEventTs)
        writer.write(accounts)
        writer.write(families)
        writer.write(clockStart)
        writer.write(recent)
        writer.write(recentBase)
        writer.write(sketchCursor)
        writer.write(recentPeak)
        writer.write(chains)
        writer.write(textGroups)
        writer.write(pairs)
        writer.write(components)
        writer.write(clusters)
        writer.write(reportedScores)
        writer.write(clusterOfRoot)
        writer.write(nextCluster)
        writer.write(lastSweep)
        writer.write(opening)
        writer.write(openingTimed)
        writer.write(clockKnown)
        // A damaged state (a truncated or altered blob) is refused, never half restored.
        writer.write(FNV1a.hash(writer.bytes))
        return writer.bytes
    }

    /// A detector restored from `savedState()`'s bytes. Refused (with the reason) when the bytes
    /// are not such a state, come from another version, or were saved with another configuration
    /// (a different window would make different clusters from the same stream).
    public convenience init(config: CoordinationConfig, restoring bytes: ArraySlice<UInt8>) throws(SnapshotError) {
        self.init(config: config)
        guard bytes.count >= 8, FNV1a.hash(bytes.dropLast(8)) == SnapshotReader(bytes.suffix(8)).checksum else {
            throw SnapshotError("damaged: its checksum does not match")
        }
        var reader = SnapshotReader(bytes.dropLast(8))
        guard (try? reader.readBytes(ClusterDetector.stateMagic.count)).map(Array.init) == ClusterDetector.stateMagic else {
            throw SnapshotError("not a saved cluster detector state")
        }
        let version = try reader.read(UInt32.self)
        guard version == ClusterDetector.stateVersion else {
            throw SnapshotError("a saved state of version \(version); this vigil reads version \(ClusterDetector.stateVersion)")
        }
        var expected = SnapshotWriter()
        ClusterDetector.write(config, to: &expected)
        guard Array(try reader.readBytes(expected.bytes.count)) == expected.bytes else {
            throw SnapshotError("saved with another configuration (window, limits) than this detector's")
        }
        lateEvents = try reader.read()
        futureDropped = try reader.read()
        aheadOfClock = try reader.read()
        watermark = try reader.read()
        lastEventTs = try reader.read()
        accounts = try reader.read()
        families = try reader.read()
        clockStart = try reader.read()
        recent = try reader.read()
        recentBase = try reader.read()
        sketchCursor = try reader.read()
        recentPeak = try reader.read()
        chains = try reader.read()
        textGroups = try reader.read()
        pairs = try reader.read()
        components = try reader.read()
        clusters = try reader.read()
        reportedScores = try reader.read()
        clusterOfRoot = try reader.read()
        nextCluster = try reader.read()
        lastSweep = try reader.read()
        opening = try reader.read()
        openingTimed = try reader.read()
        clockKnown = try reader.read()
        guard reader.atEnd else { throw SnapshotError("\(bytes.count - 8 - reader.offset) bytes after the state") }
        guard chains.count == Signal.allCases.count, components.count == accounts.slots,
              recent.count <= Int.max - recentBase else { throw SnapshotError("the state does not hold together") }
        for (i, post) in recent.enumerated() where post.score > 0 { scoredPosts[post.id] = recentBase + i }
    }

    public convenience init(config: CoordinationConfig, restoring bytes: [UInt8]) throws(SnapshotError) {
        try self.init(config: config, restoring: bytes[...])
    }

    /// Everything in the configuration that changes what the detector does.
    static func write(_ config: CoordinationConfig, to writer: inout SnapshotWriter) {
        for seconds in [config.horizon, config.linkWindow, config.repostWindow, config.replyWindow, config.textWindow, config.hashtagWindow,
                        config.handleWindow, config.syncWindow, config.similarity, config.lateness, config.maxSkew, config.suspendedRetention] {
            writer.write(seconds)
        }
        writer.write(config.hubLimit)
        writer.write(config.minMembers)
    }
}

extension ClusterDetector.RecentPost: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        writer.write(ts)
        writer.write(sketch)
        writer.write(score)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(id: try reader.read(), ts: try reader.read(), sketch: try reader.read(), score: try reader.read())
    }
}

extension ClusterDetector.Cluster: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        writer.write(root)
        writer.write(members.sorted())
        writer.write(firstTs)
        writer.write(lastTs)
        writer.write(dormant)
        writer.write(edges)
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(id: try reader.read(), root: try reader.read(), members: Set(try reader.read([Int32].self)), firstTs: try reader.read(),
                  lastTs: try reader.read(), dormant: try reader.read(), edges: try reader.read())
    }
}

extension ClusterDetector.TimedEvent: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        switch self {
        case .post(let post):
            writer.write(UInt8(0))
            writer.write(post)
        case .suspension(let suspension):
            writer.write(UInt8(1))
            writer.write(suspension)
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        switch try reader.read(UInt8.self) {
        case 0: self = .post(try reader.read())
        case 1: self = .suspension(try reader.read())
        case let other: throw SnapshotError("an event of kind \(other)")
        }
    }
}

extension ClusterDetector.OpeningEvent: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        switch self {
        case .timed(let event):
            writer.write(UInt8(0))
            writer.write(event)
        case .account(let account):
            writer.write(UInt8(1))
            writer.write(account)
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        switch try reader.read(UInt8.self) {
        case 0: self = .timed(try reader.read())
        case 1: self = .account(try reader.read())
        case let other: throw SnapshotError("an opening event of kind \(other)")
        }
    }
}
