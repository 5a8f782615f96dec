import VigilFeed

/// Writes the answer key (`docs/scenarios.md`) as the feed is generated: the planted structures
/// first (they are planned before the first event), then a label per labelled post, streamed.
final class AnswerKeyWriter {
    let out: OutputWriter
    private var firstPost = true

    init(out: OutputWriter) { self.out = out }

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
        out.write(",\n\"seed\": \(o.seed),\n\"accounts\": \(o.accounts),\n\"duration_s\": \(o.duration),\n\"rate_per_s\": \(o.rate),\n")
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

    func post(id: String, kind: PostKind, trap: Bool, repost: Bool, cluster: String?, chain: String?) {
        out.write(firstPost ? "\n  " : ",\n  ")
        firstPost = false
        out.write("\"\(id)\": {\"label\": \"\(kind.label)\"")
        if case .violating(let category) = kind { out.write(", \"category\": \"\(category.rawValue)\"") }
        if trap { out.write(", \"trap\": true") }
        if repost { out.write(", \"repost\": true") }
        if let cluster { out.write(", \"cluster\": \"\(cluster)\"") }
        if let chain { out.write(", \"cluster\": \"\(chain)\"") }
        out.write("}")
    }

    func finish() {
        out.write("\n}\n}\n")
        out.finish()
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

    enum CodingKeys: String, CodingKey {
        case scenario, seed, start, end, markers, clusters, posts
        case defaultLabel = "default_label"
    }

    public static func load(path: String) throws -> AnswerKey {
        try JSONDecoder().decode(AnswerKey.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The label of a post (the default for posts the key does not list).
    public func label(of post: String) -> Label { posts[post] ?? Label(label: defaultLabel) }
}

import Foundation
