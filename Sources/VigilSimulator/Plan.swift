/// Who posts: roles decide what an account writes and how often.
enum Role: String, Sendable {
    case organic, news, counter, celebrity, violating
}

struct SimAccount: Sendable {
    var id: String
    var handle: String
    var displayName: String
    var platform: String
    /// Microseconds since the epoch.
    var createdAt: Int64
    var followers: Int64
    var bio: String
    var lang: Language
    var role: Role
    /// Relative share of the organic traffic this account writes.
    var activity: Double
    /// When the account appears in the feed (nil: before the first post).
    var appearsAt: Int64?
    /// When the platform suspends it (nil: never).
    var suspendedAt: Int64?

    func isActive(at t: Int64) -> Bool {
        (appearsAt.map { t >= $0 } ?? true) && (suspendedAt.map { t < $0 } ?? true)
    }
}

/// One synchronized push of a recruiter network: members post near-duplicates of one template
/// with one fresh link within seconds, then repost each other.
struct Wave: Sendable {
    var time: Int64
    var link: String
    var category: ViolationCategory
    var template: Int
    var language: Language
}

struct RecruiterCluster: Sendable {
    var id: String
    var members: [Int]
    var amplifier: Int
    var waves: [Wave]
    var start: Int64
    var end: Int64
}

/// An account that is suspended and comes back under a related handle, more than once.
struct EvasionChain: Sendable {
    var id: String
    /// Account indices: the original, then each return.
    var accounts: [Int]
    var links: [String]
    var language: Language
    var category: ViolationCategory
}

struct NewsSpike: Sendable {
    var start: Int64
    var end: Int64
    /// A few violating posts that ride the spike (true positives among the noise).
    var violatingPosts: Int
}

struct Marker: Sendable {
    var time: Int64
    var title: String
    var note: String
}

/// Everything decided before the first event is written: accounts, planted structures, chapter
/// marks, bursts. The generator then only walks time.
struct Plan: Sendable {
    var options: SimulationOptions
    var start: Int64
    var end: Int64
    var accounts: [SimAccount] = []
    var clusters: [RecruiterCluster] = []
    var chains: [EvasionChain] = []
    var spikes: [NewsSpike] = []
    var markers: [Marker] = []
    /// Windows when organic traffic runs four times faster.
    var bursts: [(start: Int64, end: Int64)] = []

    static let epochStart: Int64 = 1_772_352_000_000_000  // 2026-03-01T08:00:00Z
    static let second: Int64 = 1_000_000

    init(options: SimulationOptions, bank: TemplateBank) {
        self.options = options
        start = Plan.epochStart
        end = start + Int64(options.duration * 1e6)
        var rng = SimRandom(seed: options.seed)
        var accountRNG = rng.fork()
        var structureRNG = rng.fork()
        makeOrganicAccounts(bank, &accountRNG)
        let duration = end - start
        func at(_ fraction: Double) -> Int64 { start + Int64(Double(duration) * fraction) }
        var burstRNG = rng.fork()
        var t = start
        while true {
            t += Int64(burstRNG.exponential(mean: 1800) * 1e6)
            guard t < end else { break }
            bursts.append((t, t + Int64(burstRNG.int(60...120)) * Plan.second))
        }
        switch options.scenario {
        case .baseline:
            break
        case .recruiterNetwork:
            addCluster(bank, &structureRNG, from: at(0.15), to: at(0.9), members: structureRNG.int(10...40), waves: 16)
        case .suspensionEvasion:
            for _ in 0..<3 {
                let first = at(0.15 + structureRNG.unit() * 0.15)
                addChain(bank, &structureRNG, firstSuspension: first, returns: 2, spacing: max(120, Double(duration) / 1e6 * 0.15))
            }
        case .newsSpike:
            spikes.append(NewsSpike(start: at(0.3), end: min(at(0.3) + 600 * Plan.second, at(0.6)), violatingPosts: 8))
        case .workshop:
            markers = [
                Marker(time: start, title: "Chapter 1 — Everyday traffic",
                       note: "Mostly organic chatter in five languages. Traps: hijrah as personal piety, 'krisis', kedaulatan, a cat called Isis. A recruiter or two already post before the network wakes up: read what is flagged."),
                Marker(time: at(0.16), title: "Chapter 2 — Breaking news",
                       note: "An attack is reported. News and counter-speech use the indicator words; a few recruiters ride the spike. Precision matters."),
                Marker(time: at(0.38), title: "Chapter 3 — A recruiter network wakes up",
                       note: "Accounts post near-identical, obfuscated calls with the same fresh link within seconds and repost each other; a high-follower account amplifies them."),
                Marker(time: at(0.62), title: "Chapter 4 — Suspended, and back",
                       note: "A suspended recruiter returns as name_2, then as a look-alike handle, with the same bio and links."),
                Marker(time: at(0.88), title: "Chapter 5 — Quiet again",
                       note: "Back to organic traffic. Debrief: which networks and returns did you catch, and how fast?"),
            ]
            spikes.append(NewsSpike(start: at(0.16), end: at(0.36), violatingPosts: 4))
            addCluster(bank, &structureRNG, from: at(0.39), to: at(0.62), members: 12, waves: 6)
            addChain(bank, &structureRNG, firstSuspension: at(0.66), returns: 2, spacing: Double(duration) / 1e6 * 0.08)
        }
    }

    // MARK: - Accounts

    static let languageShares: [(Language, Double)] = [(.id, 0.30), (.ms, 0.20), (.en, 0.25), (.ar, 0.15), (.fr, 0.10)]
    static let platforms: [(String, Double)] = [("x", 0.40), ("facebook", 0.25), ("telegram", 0.10), ("youtube", 0.10), ("forum", 0.10), ("paste", 0.05)]

    func pickLanguage(_ rng: inout SimRandom) -> Language {
        Plan.languageShares[WeightedPicker(Plan.languageShares.map(\.1)).pick(&rng)].0
    }

    func pickPlatform(_ rng: inout SimRandom) -> String {
        Plan.platforms[WeightedPicker(Plan.platforms.map(\.1)).pick(&rng)].0
    }

    mutating func addAccount(_ bank: TemplateBank, _ rng: inout SimRandom, role: Role, lang: Language,
                             followers: Int64, activity: Double, platform: String? = nil, handle: String? = nil) -> Int {
        let index = accounts.count
        let stemRole = role == .celebrity ? "organic" : role.rawValue
        let stem = rng.pick(bank.handleStems[stemRole] ?? ["user"])
        let bioRole = role.rawValue
        let created = start - Int64(rng.int(30...2000)) * 86_400 * Plan.second
        // Real handles are diverse: a stem, a random syllable and a number.
        let syllable = String((0..<3).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.int(0...25)))) })
        accounts.append(SimAccount(
            id: "a\(index + 1)", handle: handle ?? "example_\(stem)_\(syllable)\(index + 1)",
            displayName: rng.pick(bank.displayNames[lang] ?? ["Example"]), platform: platform ?? pickPlatform(&rng),
            createdAt: created, followers: followers, bio: rng.pick(bank.bios[bioRole]?[lang] ?? [""]),
            lang: lang, role: role, activity: activity, appearsAt: nil, suspendedAt: nil))
        return index
    }

    /// Heavy tails: followers log-normal, activity Zipf-like by a random rank.
    mutating func makeOrganicAccounts(_ bank: TemplateBank, _ rng: inout SimRandom) {
        let n = max(10, options.accounts)
        let newsCount = max(2, n / 50), counterCount = max(1, n / 80), celebrityCount = max(1, n / 100)
        for i in 0..<n {
            let role: Role = i < newsCount ? .news : (i < newsCount + counterCount ? .counter
                : (i < newsCount + counterCount + celebrityCount ? .celebrity : .organic))
            let followers: Int64
            switch role {
            case .news: followers = Int64(rng.logNormal(mu: 12.5, sigma: 0.8))
            case .celebrity: followers = Int64(rng.logNormal(mu: 13.5, sigma: 0.6))
            case .counter: followers = Int64(rng.logNormal(mu: 9.5, sigma: 1.0))
            default: followers = Int64(rng.logNormal(mu: 5.5, sigma: 1.6))
            }
            let rank = Double(rng.int(1...n))
            let activity = (role == .news ? 4.0 : 1.0) / pow(rank, 0.9)
            let platform = role == .news ? rng.pick(["x", "facebook"]) : nil
            _ = addAccount(bank, &rng, role: role, lang: pickLanguage(&rng), followers: followers, activity: activity, platform: platform)
        }
    }

    // MARK: - Planted structures

    static func link(_ kind: BuiltInSlot, _ stem: String, _ n: Int) -> String {
        switch kind {
        case .linkTGInvite: return "t.me/+Example\(stem.capitalized)\(n)"
        case .linkPaste: return "justpaste.it/ex\(stem.prefix(4))\(n)"
        default: return "t.me/example_\(stem)\(n)"
        }
    }

    /// Everyday activity of a planted account: like an ordinary, fairly active user (rank n/4 of
    /// the Zipf curve), so planted accounts do not stand out by volume.
    var plantedActivity: Double { 1 / pow(Double(max(10, options.accounts)) / 4, 0.9) }

    mutating func addCluster(_ bank: TemplateBank, _ rng: inout SimRandom, from: Int64, to: Int64, members count: Int, waves waveCount: Int) {
        let language = pickLanguage(&rng)
        let stem = rng.pick(bank.handleStems["violating"] ?? ["channel"])
        var members: [Int] = []
        for _ in 0..<count {
            // Members look organic: ordinary handles, modest followers, a little everyday posting.
            let lang = rng.chance(0.8) ? language : pickLanguage(&rng)
            members.append(addAccount(bank, &rng, role: .violating, lang: lang, followers: Int64(rng.logNormal(mu: 5, sigma: 1)),
                                      activity: plantedActivity, platform: rng.pick(["x", "telegram", "facebook"])))
        }
        let amplifier = addAccount(bank, &rng, role: .celebrity, lang: language, followers: Int64(rng.logNormal(mu: 13.8, sigma: 0.4)),
                                   activity: plantedActivity * 4, platform: "x")
        var waves: [Wave] = []
        let categories: [ViolationCategory] = [.recruitmentCall, .handoff, .recruitmentCall, .travelHijrah, .allegiance, .fundraising, .glorification]
        for w in 0..<waveCount {
            let time = from + Int64(Double(to - from) * (Double(w) + rng.unit() * 0.5) / Double(waveCount))
            let category = categories[w % categories.count]
            let templates = bank.violating[category]?[language] ?? []
            let linkKind: BuiltInSlot = w % 3 == 2 ? .linkPaste : (w % 3 == 1 ? .linkTGInvite : .linkTG)
            waves.append(Wave(time: time, link: Plan.link(linkKind, stem, clusters.count * 100 + w + 1), category: category,
                              template: rng.int(0...max(0, templates.count - 1)), language: language))
        }
        clusters.append(RecruiterCluster(id: "c\(clusters.count + 1)", members: members, amplifier: amplifier, waves: waves, start: from, end: to))
    }

    /// Handles a suspended account comes back under: name_2, then a look-alike spelling.
    static func returnHandle(_ base: String, _ n: Int) -> String {
        if n == 1 { return "\(base)_2" }
        if n == 2 {
            let lookalike = base.replacingOccurrences(of: "o", with: "0", maxReplacements: 1)
            return lookalike != base ? lookalike : base.replacingOccurrences(of: "i", with: "1", maxReplacements: 1) + "_"
        }
        return "\(base)_\(n + 1)"
    }

    mutating func addChain(_ bank: TemplateBank, _ rng: inout SimRandom, firstSuspension: Int64, returns: Int, spacing: Double) {
        let language = pickLanguage(&rng)
        let stem = rng.pick(bank.handleStems["violating"] ?? ["channel"])
        let base = "example_\(stem)_\(chains.count + 1)"
        let original = addAccount(bank, &rng, role: .violating, lang: language, followers: Int64(rng.logNormal(mu: 6.5, sigma: 0.8)),
                                  activity: plantedActivity, platform: "telegram", handle: base)
        var indices = [original]
        var suspension = firstSuspension
        var links = [Plan.link(.linkTG, stem, chains.count * 10 + 1)]
        for r in 1...returns {
            accounts[indices.last!].suspendedAt = suspension
            let comeback = suspension + Int64((60 + rng.unit() * max(60, spacing * 0.4)) * 1e6)
            let index = addAccount(bank, &rng, role: .violating, lang: language, followers: Int64(rng.int(5...80)),
                                   activity: plantedActivity, platform: "telegram", handle: Plan.returnHandle(base, r))
            // A return keeps the face: same display name and bio, a fresh account.
            accounts[index].displayName = accounts[original].displayName
            accounts[index].bio = accounts[original].bio
            accounts[index].createdAt = comeback
            accounts[index].appearsAt = comeback
            indices.append(index)
            links.append(Plan.link(.linkTG, stem, chains.count * 10 + 1 + r))
            suspension = comeback + Int64(spacing * 1e6)
        }
        chains.append(EvasionChain(id: "e\(chains.count + 1)", accounts: indices, links: links, language: language,
                                   category: rng.pick([.recruitmentCall, .handoff, .travelHijrah])))
    }
}

import Foundation

extension String {
    func replacingOccurrences(of target: String, with replacement: String, maxReplacements: Int) -> String {
        guard maxReplacements > 0, let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
