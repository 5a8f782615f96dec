import VigilCoordination
import VigilFeed
import VigilText

/// Drives a detector with posts at event times given in seconds and keeps every event it emits.
final class Harness {
    let detector: ClusterDetector
    private var collected: [ClusterEvent] = []
    /// Every cluster event so far; asking ends the stream's opening (`ClusterDetector.finish`),
    /// as the end of a feed does.
    var events: [ClusterEvent] {
        detector.finish()
        collected += detector.drain()
        return collected
    }
    private var count = 0
    private let normalizer = Normalizer()

    init(_ configure: (inout CoordinationConfig) -> Void = { _ in }) {
        var config = CoordinationConfig()
        configure(&config)
        detector = ClusterDetector(config: config)
    }

    static let start: Int64 = 1_772_352_000  // 2026-03-01T08:00:00Z

    static func ts(_ seconds: Double) -> Timestamp {
        Timestamp(microseconds: (start + Int64(seconds)) * 1_000_000 + Int64((seconds - seconds.rounded(.down)) * 1e6))
    }

    /// The near-duplicate sketch of a text, from the same view the scan pipeline uses.
    func sketch(_ text: String) -> TextSketch? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let view = normalizer.normalize(UnsafeBufferPointer(buffer), origins: false)
            return TextSketch(normalized: UnsafeBufferPointer(rebasing: view.bytes[view.region(of: .deobf).range]))
        }
    }

    @discardableResult
    func post(_ account: String, at seconds: Double, urls: [String] = [], repostOf: String? = nil, replyTo: String? = nil,
              hashtags: [String] = [], text: String? = nil, score: Int = 0, id: String? = nil) -> String {
        count += 1
        let postID = id ?? "p\(count)"
        _ = detector.post(PostInput(id: postID, account: account, ts: Harness.ts(seconds), urls: urls, hashtags: hashtags,
                                    replyTo: replyTo, repostOf: repostOf, sketch: text.flatMap(sketch), score: score))
        collected += detector.drain()
        return postID
    }

    func account(_ id: String, handle: String, createdAt seconds: Double, bio: String? = nil, name: String? = nil, followers: Int64 = 100) {
        detector.account(Account(id: id, handle: handle, displayName: name, createdAt: Harness.ts(seconds), followers: followers, bio: bio))
        collected += detector.drain()
    }

    func suspend(_ id: String, at seconds: Double) {
        detector.suspension(Suspension(account: id, ts: Harness.ts(seconds)))
        collected += detector.drain()
    }

    func advance(to seconds: Double) {
        detector.advance(to: Harness.ts(seconds).microseconds)
        collected += detector.drain()
    }

    /// The latest event of each cluster that was not merged away.
    var standing: [ClusterEvent] {
        var last: [String: ClusterEvent] = [:]
        for event in events { last[event.cluster] = event }
        return last.values.filter { $0.state != .merged }.sorted { $0.cluster < $1.cluster }
    }

    func signals(of event: ClusterEvent) -> Set<Signal> { Set(event.signals.map(\.signal)) }
}

/// A small deterministic generator for background traffic (SplitMix64).
struct Dice {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
