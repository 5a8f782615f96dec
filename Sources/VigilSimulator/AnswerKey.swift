import Foundation
import VigilFeed

/// Writes the answer key (`docs/scenarios.md`) as the feed is generated: the planted structures
/// first (they are planned before the first event), then a label per labelled post, streamed.
final class AnswerKeyWriter {
    let out: OutputWriter
    private var firstPost = true

    init(out: OutputWriter) { self.out = out }

    /// The first 16 hex digits of the SHA-256 of a post's text: enough to tell one text from
    /// another, short enough for thousands of posts.
    static func textDigest(_ text: String) -> String { String(SHA256.hex(of: text).prefix(16)) }

    private func ts(_ micros: Int64) -> String { "\"\(Timestamp(microseconds: micros))\"" }

    private func strings(_ values: [String]) {
        out.write("[")
        for (i, v) in values.enumerated() {
            if i > 0 { out.write(",") }
            out.writeJSONString(v)
        }
        out.write("]")
    }

    func begin(_ plan: Plan) {
        let o = plan.options
        out.write("{\n\"vigil_answer_key\": 1,\n\"scenario\": ")
        out.writeJSONString(o.scenario.rawValue)
        out.write(",\n\"seed\": \(o.seed),\n\"accounts\": \(o.accounts),\n\"duration_s\": \(o.duration),\n\"rate_per_s\": \(o.rate),\n\(o.steady ? "\"steady\": true,\n" : "")")
        out.write("\"start\": \(ts(plan.start)),\n\"end\": \(ts(plan.end)),\n\"default_label\": \"benign\",\n\"markers\": [")
        for (i, m) in plan.markers.enumerated() {
            out.write(i > 0 ? ",\n  " : "\n  ")
            out.write("{\"ts\": \(ts(m.time)), \"title\": ")
            out.writeJSONString(m.title)
            out.write("}")
        }
        out.write("],\n\"clusters\": [")
        var first = true
        for cluster in plan.clusters {
            out.write(first ? "\n  " : ",\n  ")
            first = false
            out.write("{\"id\": \"\(cluster.id)\", \"kind\": \"recruiter_network\", \"start\": \(ts(cluster.start)), \"end\": \(ts(cluster.end)), \"members\": ")
            strings(cluster.members.map { plan.accounts[$0].id })
            out.write(", \"amplifiers\": ")
            strings([plan.accounts[cluster.amplifier].id])
            out.write(", \"signals\": [{\"signal\": \"shared_link\", \"keys\": ")
            strings(cluster.waves.map(\.link))
            out.write("}, {\"signal\": \"near_duplicate_text\"}, {\"signal\": \"co_repost\"}, {\"signal\": \"synchronized_activity\"}]")
            out.write(", \"waves\": [")
            for (i, wave) in cluster.waves.enumerated() {
                out.write(i > 0 ? ", " : "")
                out.write("{\"ts\": \(ts(wave.time)), \"link\": ")
                out.writeJSONString(wave.link)
                out.write(", \"category\": \"\(wave.category.rawValue)\", \"lang\": \"\(wave.language.rawValue)\"}")
            }
            out.write("]}")
        }
        for chain in plan.chains {
            out.write(first ? "\n  " : ",\n  ")
            first = false
            let accounts = chain.accounts.map { plan.accounts[$0] }
            out.write("{\"id\": \"\(chain.id)\", \"kind\": \"evasion_chain\", \"start\": \(ts(plan.start)), \"end\": \(ts(plan.end)), \"members\": ")
            strings(accounts.map(\.id))
            out.write(", \"signals\": [{\"signal\": \"handle_family\", \"keys\": ")
            strings(accounts.map(\.handle))
            out.write("}, {\"signal\": \"same_bio\"}, {\"signal\": \"shared_link\", \"keys\": ")
            strings(chain.links)
            out.write("}], \"suspensions\": [")
            var firstSuspension = true
            for account in accounts {
                guard let t = account.suspendedAt, t < plan.end else { continue }
                out.write(firstSuspension ? "" : ", ")
                firstSuspension = false
                out.write("{\"account\": \"\(account.id)\", \"ts\": \(ts(t))}")
            }
            out.write("], \"returns\": [")
            var firstReturn = true
            for account in accounts {
                guard let t = account.appearsAt else { continue }
                out.write(firstReturn ? "" : ", ")
                firstReturn = false
                out.write("{\"account\": \"\(account.id)\", \"handle\": ")
                out.writeJSONString(account.handle)
                out.write(", \"created_at\": \(ts(t))}")
            }
            out.write("]}")
        }
        out.write("],\n\"news_spikes\": [")
        for (i, spike) in plan.spikes.enumerated() {
            out.write(i > 0 ? ", " : "")
            out.write("{\"start\": \(ts(spike.start)), \"end\": \(ts(spike.end))}")
        }
        out.write("],\n\"posts\": {")
    }

    func post(id: String, text: String, kind: PostKind, trap: Bool, repost: Bool, cluster: String?, chain: String?) {
        out.write(firstPost ? "\n  " : ",\n  ")
        firstPost = false
        out.write("\"\(id)\": {\"label\": \"\(kind.label)\", \"text_digest\": \"\(Self.textDigest(text))\"")
        if case .violating(let category) = kind { out.write(", \"category\": \"\(category.rawValue)\"") }
        if trap { out.write(", \"trap\": true") }
        if repost { out.write(", \"repost\": true") }
        if let cluster { out.write(", \"cluster\": \"\(cluster)\"") }
        if let chain { out.write(", \"cluster\": \"\(chain)\"") }
        out.write("}")
    }

    /// `feed`: the digest of the feed as written, known only once it is all written.
    func finish(feed: FeedDigest) {
        out.write("\n},\n\"feed\": {\"sha256\": \"\(feed.sha256)\", \"bytes\": \(feed.bytes)}\n}\n")
        out.finish()
    }
}

/// What identifies a feed's content: the SHA-256 of its bytes as written, decompressed (so
/// gzip-compressing it again, at any level, does not change it), and how many bytes they are.
public struct FeedDigest: Sendable, Equatable, Decodable {
    public var sha256: String
    public var bytes: Int64

    public init(sha256: String, bytes: Int64) {
        self.sha256 = sha256
        self.bytes = bytes
    }

    /// Reads the files one after another, decompressing gzip ones.
    public static func of(paths: [String]) throws(FeedError) -> FeedDigest {
        var hasher = SHA256()
        var total: Int64 = 0
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { buffer.deallocate() }
        for path in paths {
            let (source, _) = try FeedSource.open(path)
            while true {
                let n = try source.read(into: buffer, count: 1 << 16)
                if n == 0 { break }
                hasher.update(UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: n))
                total += Int64(n)
            }
        }
        return FeedDigest(sha256: hasher.hex(), bytes: total)
    }
}

/// Why an answer key cannot be used.
public enum AnswerKeyError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case invalid(path: String, reason: String)
    /// The key was written for another feed: its digest differs and so do texts of its posts.
    case otherFeed(key: String, feed: String, keyDigest: FeedDigest, feedDigest: FeedDigest, scenario: String, seed: UInt64,
                   differentTexts: Int, comparedTexts: Int)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such answer key"
        case .unreadable(let path, let reason): return "\(path): cannot read the answer key: \(reason)"
        case .invalid(let path, let reason): return "\(path): not an answer key: \(reason)"
        case .otherFeed(let key, let feed, let keyDigest, let feedDigest, let scenario, let seed, let different, let compared):
            let texts = compared == 0 ? "none of its labelled posts is in the feed"
                : "\(different) of the \(compared) labelled posts found there have another text"
            return "\(key) is the answer key of another feed (scenario \(scenario), seed \(seed): sha256 \(keyDigest.sha256.prefix(12))…, "
                + "\(keyDigest.bytes) bytes), not of \(feed) (sha256 \(feedDigest.sha256.prefix(12))…, \(feedDigest.bytes) bytes): \(texts)"
        }
    }
}

/// An answer key read back (the format `AnswerKeyWriter` writes; `docs/scenarios.md`).
public struct AnswerKey: Decodable, Sendable {
    public struct Label: Decodable, Sendable, Equatable {
        public var label: String
        public var category: String?
        public var trap: Bool?
        public var repost: Bool?
        public var cluster: String?
        /// `AnswerKeyWriter.textDigest` of the post's text (keys written before it was added lack it).
        public var textDigest: String?
        /// A gold item: a post the trainer marked by hand as one every trainee should get right
        /// (`vigil report` gives each trainee's accuracy on them). The simulator marks none.
        public var gold: Bool?

        public init(label: String, category: String? = nil, trap: Bool? = nil, repost: Bool? = nil, cluster: String? = nil,
                    textDigest: String? = nil, gold: Bool? = nil) {
            self.label = label
            self.category = category
            self.trap = trap
            self.repost = repost
            self.cluster = cluster
            self.textDigest = textDigest
            self.gold = gold
        }

        public var isGold: Bool { gold == true }

        enum CodingKeys: String, CodingKey {
            case label, category, trap, repost, cluster, gold
            case textDigest = "text_digest"
        }
    }

    public struct Signal: Decodable, Sendable {
        public var signal: String
        public var keys: [String]?
    }

    public struct Return: Decodable, Sendable {
        public var account: String
        public var handle: String
        public var createdAt: String

        enum CodingKeys: String, CodingKey {
            case account, handle
            case createdAt = "created_at"
        }
    }

    public struct Cluster: Decodable, Sendable {
        public var id: String
        public var kind: String
        public var start: String
        public var end: String
        public var members: [String]
        public var amplifiers: [String]?
        public var signals: [Signal]
        /// Evasion chains: when each return appeared.
        public var returns: [Return]?
    }

    public struct MarkerEntry: Decodable, Sendable {
        public var ts: String
        public var title: String
    }

    public var scenario: String
    public var seed: UInt64
    public var start: String
    public var end: String
    public var defaultLabel: String
    public var markers: [MarkerEntry]
    public var clusters: [Cluster]
    public var posts: [String: Label]
    /// The feed the key was written with (keys written before it was added lack it).
    public var feed: FeedDigest?

    enum CodingKeys: String, CodingKey {
        case scenario, seed, start, end, markers, clusters, posts, feed
        case defaultLabel = "default_label"
    }

    public static func load(path: String) throws(AnswerKeyError) -> AnswerKey {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            if !FileManager.default.fileExists(atPath: path) { throw .missing(path: path) }
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(data, source: path)
    }

    /// A key's JSON, from a file or from where else it was kept (a classroom's store); `source`
    /// names it in the error.
    public static func parse(_ data: Data, source: String) throws(AnswerKeyError) -> AnswerKey {
        do { return try JSONDecoder().decode(AnswerKey.self, from: data) } catch {
            throw .invalid(path: source, reason: Self.reason(error))
        }
    }

    /// The label of a post (the default for posts the key does not list).
    public func label(of post: String) -> Label { posts[post] ?? Label(label: defaultLabel) }

    /// Checks that the key belongs to the feed at `feedPaths`, and returns warnings to show. The
    /// feed's digest settles it when it matches. When it does not (the feed was rewritten, say
    /// re-encoded), the key still fits if every labelled post found in the feed has the text the
    /// key knows; otherwise the key is of another feed (simulated feeds reuse post ids, so ids
    /// alone prove nothing). A key without digests cannot be checked: a warning says so.
    public func verify(feedPaths: [String], keyPath: String) throws -> [String] {
        let feedName = feedPaths.joined(separator: " + ")
        guard let expected = feed else {
            return ["\(keyPath): written by an older vigil without the feed's digest, so vigil cannot check that it is the key of "
                    + "\(feedName); regenerate it with 'vigil simulate' to make sure"]
        }
        let actual = try FeedDigest.of(paths: feedPaths)
        if actual == expected { return [] }
        let (compared, different) = try compareTexts(feedPaths)
        guard compared > 0, different == 0 else {
            throw AnswerKeyError.otherFeed(key: keyPath, feed: feedName, keyDigest: expected, feedDigest: actual, scenario: scenario,
                                           seed: seed, differentTexts: different, comparedTexts: compared)
        }
        return ["\(feedName) is not byte for byte the feed \(keyPath) was written for, but all \(compared) labelled post(s) in it "
                + "have the texts the key knows; using the key"]
    }

    /// How many of the key's labelled posts with a text digest are in the feed, and how many of
    /// those have another text.
    func compareTexts(_ feedPaths: [String]) throws -> (compared: Int, different: Int) {
        let decoder = FeedDecoder()
        var (compared, different) = (0, 0)
        for path in feedPaths {
            let reader = try LineReader(path: path, padding: FeedDecoder.padding)
            try reader.forEachLine({ line in
                guard case .event(let event) = decoder.decode(line), event.kind == .post,
                      let expected = posts[event.idString]?.textDigest else { return true }
                compared += 1
                let text = event.text.map { String(decoding: $0, as: UTF8.self) } ?? ""
                if AnswerKeyWriter.textDigest(text) != expected { different += 1 }
                return true
            }, oversized: { _, _ in true })
        }
        return (compared, different)
    }

    /// A decoding error in a few words: where in the file, what was wrong.
    static func reason(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "" : "at \(path): "
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(at(context))no '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return at(context) + (context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription)
        @unknown default: return "\(error)"
        }
    }
}
