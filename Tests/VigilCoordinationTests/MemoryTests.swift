import Foundation
import Testing
import VigilCoordination
import VigilFeed

/// The detector's promise: memory bounded by the window. A stream of fresh accounts, fresh keys
/// and clusters that form, go dormant and are forgotten must leave every count the detector keeps
/// where it was after the first windows, however long it runs.
@Suite struct MemoryTests {
    /// Short windows, so many of them pass quickly: a one-minute horizon.
    static func configure(_ c: inout CoordinationConfig) {
        c.horizon = 60
        c.linkWindow = 10
        c.repostWindow = 10
        c.replyWindow = 10
        c.textWindow = 20
        c.hashtagWindow = 60
        c.handleWindow = 60
        c.suspendedRetention = 300
    }

    /// A name made of letters only, so every account has its own handle stem.
    static func letters(_ n: Int) -> String {
        var n = n, out = ""
        repeat {
            out.append(Character(UnicodeScalar(UInt8(97 + n % 26))))
            n /= 26
        } while n > 0
        return out
    }

    /// Drives `seconds` of traffic at `rate(second)` posts per second: half from a stable
    /// population, half from accounts never seen before (a third of them announced by an
    /// account event with their own handle); fresh and popular links, reposts, texts and tag
    /// pairs; every 20 s a ring of four fresh accounts sharing three fresh links (a cluster that
    /// goes dormant a horizon later and is forgotten three horizons after that); every minute a
    /// fresh account suspended and back under a look-alike handle (a family cluster). Calls
    /// `sample` with the footprint at the end of every horizon.
    static func run(_ h: Harness, seconds: Int, rate: (Int) -> Int, sample: (Int, ClusterDetector.Footprint) -> Void) {
        var dice = Dice(state: 11)
        let phrases = [
            "Good morning everyone, have a blessed day and drink your coffee",
            "Traffic is terrible near the market again this evening, avoid it",
            "Who is watching the match tonight, our team needs a win badly",
        ]
        var fresh = 0, posts: [String] = []
        for second in 0..<seconds {
            let t = Double(second)
            if second % 20 == 0 {
                let ring = (0..<4).map { "ring\(second)_\($0)" }
                for round in 0..<3 {
                    for (i, member) in ring.enumerated() {
                        h.post(member, at: t + Double(round * 4) + Double(i) * 0.5, urls: ["https://t.me/example_ring\(second)_\(round)"], score: 70)
                    }
                }
            }
            if second % 60 == 30 {
                let stem = "ret_" + letters(second)
                h.account("s\(second)", handle: stem, createdAt: t - 1000, bio: "bio \(second)", name: "Name \(second)")
                h.post("s\(second)", at: t, urls: ["https://example.com/s\(second)"])
                h.suspend("s\(second)", at: t + 1)
                h.account("s\(second)b", handle: stem + "_2", createdAt: t + 2, bio: "bio \(second)", name: "Name \(second)")
            }
            let n = rate(second)
            for k in 0..<n {
                let at = t + Double(k) / Double(n)
                let account: String
                if dice.int(2) == 0 {
                    account = "u\(dice.int(100))"
                } else {
                    fresh += 1
                    account = "f\(fresh)"
                    if fresh % 3 == 0 {
                        h.account(account, handle: "acct_" + letters(fresh), createdAt: at - 86400, bio: "bio \(fresh)")
                    }
                }
                var urls: [String] = [], hashtags: [String] = [], repostOf: String?, text: String?
                switch dice.int(5) {
                case 0: urls = ["https://example.com/fresh/\(fresh)/\(k)/\(second)"]
                case 1: urls = ["https://news.example.com/story\(dice.int(20))"]
                case 2: repostOf = posts.isEmpty ? nil : posts[posts.count - 1 - dice.int(min(posts.count, 50))]
                case 3: text = phrases[dice.int(phrases.count)] + " \(dice.int(100_000))"
                default: hashtags = ["tag\(dice.int(10_000))", "news"]
                }
                posts.append(h.post(account, at: at, urls: urls, repostOf: repostOf, hashtags: hashtags, text: text))
                if posts.count > 100 { posts.removeFirst(50) }
            }
            if (second + 1) % 60 == 0 {
                h.advance(to: t + 1)
                sample((second + 1) / 60, h.detector.footprint)
            }
        }
    }

    @Test("Fresh accounts, keys and clusters for 45 horizons: every count stays where the first windows left it")
    func everyCountBounded() throws {
        let h = Harness(MemoryTests.configure)
        var early: [String: Int] = [:], late: [String: Int] = [:]
        // 10 posts a second, with a burst of 50 a second in horizons 20-22: tables grown for the
        // burst must give the room back.
        MemoryTests.run(h, seconds: 45 * 60, rate: { (20 * 60..<23 * 60).contains($0) ? 50 : 10 }) { horizon, footprint in
            for (name, value) in footprint.counts {
                if (10...15).contains(horizon) { early[name] = max(early[name] ?? 0, value) }
                if (38...45).contains(horizon) { late[name] = max(late[name] ?? 0, value) }
            }
        }
        // One horizon's posts: 600.
        let window = 600
        for (name, value) in late.sorted(by: { $0.key < $1.key }) {
            let before = early[name] ?? 0
            let slack = name == "capacity" ? 2.5 : 1.3
            #expect(Double(value) <= slack * Double(before) + 16, "\(name): \(before) after 10-15 horizons, \(value) after 38-45")
            #expect(value <= (name == "capacity" ? 64 : 12) * window, "\(name): \(value)")
        }
        let states = Dictionary(grouping: h.events, by: \.state).mapValues(\.count)
        #expect((states[.new] ?? 0) > 100, "clusters kept forming: \(states)")
        #expect((states[.dormant] ?? 0) > 100, "and going dormant: \(states)")
        // Ids are never reused, however many clusters were forgotten.
        let ids = h.events.filter { $0.state == .new }.map(\.cluster)
        #expect(Set(ids).count == ids.count)
        #expect(late["clusters"] ?? 0 < 40)
    }

    @Test("A forgotten account starts afresh: its slot is reused and nothing of the old account carries over")
    func forgottenAccountsStartAfresh() throws {
        let h = Harness(MemoryTests.configure)
        // Two accounts posting violating material on two shared links: not yet a cluster.
        for round in 0..<2 {
            for account in ["a", "b"] { h.post(account, at: Double(round * 5), urls: ["https://t.me/example_old\(round)"], score: 90) }
        }
        // A clock tick ends the stream's opening (its first events are held until then).
        h.advance(to: 10)
        #expect(h.detector.footprint.accounts == 2)
        // Quiet for longer than the retention (three horizons after the longest window: 245 s).
        h.advance(to: 400)
        #expect(h.detector.footprint.accounts == 0)
        #expect(h.detector.footprint.pairs == 0)
        // Back, with benign posts on three fresh links: a cluster, scored on what they post now,
        // not on a top score from before they were forgotten.
        for round in 0..<3 {
            for account in ["a", "b"] { h.post(account, at: Double(401 + round * 5), urls: ["https://t.me/example_new\(round)"]) }
        }
        let event = try #require(h.events.last)
        #expect(event.members == ["a", "b"])
        #expect(event.score < 30)
        #expect(h.detector.footprint.accounts == 2)
        #expect(h.detector.footprint.accountSlots == 2)
    }

    @Test("A suspended account waits longer for its return than other accounts are remembered")
    func suspendedAccountsWaitForTheirReturn() throws {
        let h = Harness(MemoryTests.configure)
        h.account("old", handle: "example_return", createdAt: 0, bio: "same bio", name: "Same")
        h.post("old", at: 1, urls: ["https://example.com/x"])
        h.suspend("old", at: 2)
        h.post("z", at: 250, urls: ["https://example.com/y"])
        // Past the 245 s an ordinary account is kept, within the 300 s of a suspended one.
        h.account("new", handle: "example_return_2", createdAt: 280, bio: "other bio", name: "Other")
        let event = try #require(h.events.last)
        #expect(event.members == ["new", "old"])
        #expect(h.signals(of: event) == [.handleFamily])
    }
}
