import Foundation
import VigilLexicon
import VigilText

/// Review bands, from the score and the balance of evidence.
public enum Band: String, Sendable, CaseIterable, Comparable, Codable {
    case low, medium, high, critical
    /// Strong evidence both ways (a news report quoting a recruiter's link): shown, not silenced.
    case contested

    /// Review order: critical first, contested between high and medium.
    public var rank: Int {
        switch self {
        case .critical: return 4
        case .high: return 3
        case .contested: return 2
        case .medium: return 1
        case .low: return 0
        }
    }

    public static func < (a: Band, b: Band) -> Bool { a.rank < b.rank }
}

/// What one entry added to a score.
public struct EntryContribution: Sendable, Hashable {
    public var entry: String
    public var category: String
    public var view: View
    /// Points before the category cap.
    public var points: Double
}

/// What one category added, after its cap.
public struct CategoryContribution: Sendable, Hashable {
    public var category: String
    public var label: String
    /// Sum of its entries' points.
    public var raw: Double
    /// What counted toward the score (raw, capped).
    public var points: Double
    public var entries: [EntryContribution]
}

/// A score with everything needed to explain it.
public struct Score: Sendable, Hashable {
    public var score: Int
    public var band: Band
    public var priority: Double
    /// Sum of positive category points plus the obfuscation bonus.
    public var positive: Double
    /// Sum of negative category points (zero or less).
    public var negative: Double
    /// Points added because positive evidence appeared only after de-obfuscation.
    public var obfuscationBonus: Double
    /// Largest contribution first.
    public var categories: [CategoryContribution]

    public static let zero = Score(score: 0, band: .low, priority: 0, positive: 0, negative: 0, obfuscationBonus: 0, categories: [])

    /// One line per category and the total, for terminals and logs.
    public var explanation: String {
        var lines: [String] = []
        for c in categories {
            let capped = c.points != c.raw ? " (capped from \(Score.format(c.raw)))" : ""
            let entries = c.entries.map { "\($0.entry)[\($0.view)] \(Score.format($0.points))" }.joined(separator: ", ")
            lines.append("\(c.category): \(Score.format(c.points))\(capped) — \(entries)")
        }
        if obfuscationBonus != 0 { lines.append("obfuscation: \(Score.format(obfuscationBonus))") }
        lines.append("total: \(score) (\(band.rawValue))")
        return lines.joined(separator: "\n")
    }

    static func format(_ v: Double) -> String {
        let rounded = (v * 10).rounded() / 10
        let sign = rounded > 0 ? "+" : ""
        return rounded == rounded.rounded() ? "\(sign)\(Int(rounded))" : "\(sign)\(rounded)"
    }
}

/// Turns entry hits into a 0–100 score with its explanation (arithmetic: `docs/lexicon.md`).
/// Deterministic: the same hits give the same score.
public final class Scorer {
    public let compiled: CompiledLexicon
    let rules: ScoringRules
    let discounts: [Double]
    let entryCategory: [Int]
    let categoryWeight: [Double]
    let categoryCap: [Double]
    // Reused per post.
    private var bestView: [Int8]
    private var touched: [Int] = []

    public init(_ compiled: CompiledLexicon) {
        self.compiled = compiled
        let lexicon = compiled.lexicon
        rules = lexicon.rules
        discounts = View.allCases.map { lexicon.viewDiscounts[$0] ?? 1 }
        let categoryIndex = Dictionary(uniqueKeysWithValues: lexicon.categories.enumerated().map { ($1.id, $0) })
        entryCategory = lexicon.entries.map { categoryIndex[$0.category] ?? 0 }
        categoryWeight = lexicon.categories.map(\.weight)
        categoryCap = lexicon.categories.map(\.cap)
        bestView = [Int8](repeating: -1, count: lexicon.entries.count)
    }

    /// `evades` says whether a match's original span holds an evasion the views undid (look-alike
    /// letters, invisible characters): with a positive match found that way, or in the deobf view,
    /// the post gets the obfuscation bonus, once.
    public func score(_ hits: [EntryHit], followers: Int64 = 0, evades: (Range<Int>) -> Bool = { _ in false }) -> Score {
        guard !hits.isEmpty else { return .zero }
        let lexicon = compiled.lexicon
        var obfuscated = hits.contains { hit in
            hit.view != .deobf && categoryWeight[entryCategory[hit.entry]] > 0 && evades(hit.original)
        }
        // First hit only per entry, at its least aggressive view.
        for hit in hits {
            let v = Int8(hit.view.rawValue)
            if bestView[hit.entry] < 0 {
                touched.append(hit.entry)
                bestView[hit.entry] = v
            } else if v < bestView[hit.entry] {
                bestView[hit.entry] = v
            }
        }
        touched.sort()
        var byCategory: [Int: [EntryContribution]] = [:]
        for e in touched {
            let view = View(rawValue: Int(bestView[e]))!
            bestView[e] = -1
            let entry = lexicon.entries[e]
            let c = entryCategory[e]
            let points = rules.pointsPerWeight * categoryWeight[c] * entry.weight * discounts[view.rawValue]
            if view == .deobf && categoryWeight[c] > 0 { obfuscated = true }
            byCategory[c, default: []].append(EntryContribution(entry: entry.id, category: entry.category, view: view, points: points))
        }
        touched.removeAll(keepingCapacity: true)
        var categories: [CategoryContribution] = []
        var positive = 0.0, negative = 0.0
        for (c, entries) in byCategory {
            let raw = entries.reduce(0) { $0 + $1.points }
            let cap = rules.pointsPerWeight * categoryCap[c]
            let points = cap > 0 ? min(raw, cap) : max(raw, cap)
            if points > 0 { positive += points } else { negative += points }
            let category = lexicon.categories[c]
            categories.append(CategoryContribution(category: category.id, label: category.label, raw: raw, points: points,
                                                   entries: entries.sorted { abs($0.points) > abs($1.points) || (abs($0.points) == abs($1.points) && $0.entry < $1.entry) }))
        }
        categories.sort { abs($0.points) > abs($1.points) || (abs($0.points) == abs($1.points) && $0.category < $1.category) }
        let bonus = obfuscated ? rules.obfuscationBonus : 0
        positive += bonus
        let total = Int(max(0, min(100, (positive + negative).rounded())))
        let band: Band
        if positive >= rules.contestedPositive && negative <= rules.contestedNegative {
            band = .contested
        } else {
            band = self.band(for: Double(total))
        }
        return Score(score: total, band: band, priority: priority(score: total, followers: followers),
                     positive: positive, negative: negative, obfuscationBonus: bonus, categories: categories)
    }

    public func band(for score: Double) -> Band {
        if score >= rules.critical { return .critical }
        if score >= rules.high { return .high }
        if score >= rules.medium { return .medium }
        return .low
    }

    /// Score raised by reach: × (1 + reach × log10(1 + followers)), so a post seen by a million
    /// followers ranks 1.6× one seen by nobody at the default reach of 0.1.
    public func priority(score: Int, followers: Int64) -> Double {
        let factor = 1 + rules.reach * log10(1 + Double(max(0, followers)))
        return (Double(score) * factor * 10).rounded() / 10
    }
}
