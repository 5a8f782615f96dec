import VigilPipeline
import VigilScoring
import VigilSimulator

/// How a lexicon's flags line up with an answer key: for each kind of post, the share the scorer
/// put at medium or above and at high or above. Reposts carry no text and are left out.
public struct FlagQuality: Sendable {
    public struct Row: Sendable, Equatable {
        public var group: String
        public var posts = 0
        public var mediumOrAbove = 0
        public var highOrAbove = 0

        public var mediumShare: Double { posts > 0 ? Double(mediumOrAbove) / Double(posts) : 0 }
        public var highShare: Double { posts > 0 ? Double(highOrAbove) / Double(posts) : 0 }
    }

    public private(set) var rows: [String: Row] = [:]

    public init() {}

    /// Records one scored post (`band` from the scan) under its label, its violating category,
    /// and, for violating posts, its language.
    public mutating func record(label: AnswerKey.Label, band: Band, lang: String) {
        guard label.repost != true else { return }
        var groups = [label.trap == true ? "benign (trap)" : label.label]
        if label.label == "news" || label.label == "counter_speech" { groups.append("news + counter_speech") }
        if let category = label.category {
            groups.append("violating: \(category)")
            groups.append("violating (\(lang))")
        }
        let medium = band != .low
        let high = band == .high || band == .critical
        for group in groups {
            var row = rows[group] ?? Row(group: group)
            row.posts += 1
            if medium { row.mediumOrAbove += 1 }
            if high { row.highOrAbove += 1 }
            rows[group] = row
        }
    }

    /// The headline figures: news and counter-speech flagged high or critical (target < 2 %),
    /// violating flagged medium or above (target > 95 %).
    public var newsFlaggedHigh: Double { rows["news + counter_speech"]?.highShare ?? 0 }
    public var violatingFlaggedMedium: Double { rows["violating"]?.mediumShare ?? 0 }

    public var table: String {
        func percent(_ v: Double) -> String {
            let s = String(Int((v * 1000).rounded()))
            let padded = s.count == 1 ? "0" + s : s
            return String(padded.dropLast()) + "." + String(padded.last!) + "%"
        }
        var lines = ["group                              posts   medium+    high+"]
        for row in rows.values.sorted(by: { $0.group < $1.group }) {
            let name = row.group.padding(toLength: 32, withPad: " ", startingAt: 0)
            let posts = String(row.posts).leftPadded(7)
            lines.append("\(name) \(posts) \(percent(row.mediumShare).leftPadded(9)) \(percent(row.highShare).leftPadded(8))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

import VigilFeed
import VigilLexicon

extension FlagQuality {
    /// Scans `paths` with `compiled` and grades every post against `key`.
    public static func evaluate(paths: [String], key: AnswerKey, compiled: CompiledLexicon) throws -> FlagQuality {
        var quality = FlagQuality()
        let pipeline = ScanPipeline(compiled: compiled, options: ScanOptions(minScore: 0))
        pipeline.onRecord = { record in
            quality.record(label: key.label(of: record.post), band: record.analysis.score.band, lang: record.analysis.lang)
        }
        _ = try pipeline.run(try ScanPipeline.openAll(paths))
        return quality
    }
}
