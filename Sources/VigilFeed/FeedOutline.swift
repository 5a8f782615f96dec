/// What a replay needs to know of a whole feed before it plays: where it starts and ends, how
/// many paced events it has, and its chapter markers. One quick pass over the file.
public struct FeedOutline: Sendable, Equatable {
    /// Event time of the first and last paced event (post, suspension, marker), seconds.
    public var first: Double?
    public var last: Double?
    /// Paced events: what the replay clock delivers one at a time (accounts are not paced).
    public var events = 0
    public var markers: [Marker] = []

    public init(first: Double? = nil, last: Double? = nil, events: Int = 0, markers: [Marker] = []) {
        self.first = first
        self.last = last
        self.events = events
        self.markers = markers
    }

    public var duration: Double { max(0, (last ?? 0) - (first ?? 0)) }

    /// Seconds after the first event.
    public func offset(of time: Double) -> Double { time - (first ?? time) }

    /// Reads the feeds as far as each can be read: lines the decoder rejects and a damaged
    /// file's end are skipped here (the scan that plays the feed reports them), so a replay of a
    /// damaged feed still knows its extent and chapters.
    public static func read(_ readers: [LineReader]) -> FeedOutline {
        var outline = FeedOutline()
        let decoder = FeedDecoder()
        for reader in readers {
            try? reader.forEachLine({ line in
                guard case .event(let event) = decoder.decode(line), event.kind != .account, let ts = event.ts?.seconds else { return true }
                outline.events += 1
                outline.first = outline.first ?? ts
                outline.last = max(outline.last ?? ts, ts)
                if event.kind == .marker, case .marker(let marker) = event.materialize() { outline.markers.append(marker) }
                return true
            }, oversized: { _, _ in true })
        }
        return outline
    }
}
