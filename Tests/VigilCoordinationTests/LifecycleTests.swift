import Foundation
import Testing
import VigilCoordination
import VigilFeed

@Suite struct LifecycleTests {
    /// `accounts` share three fresh links, seconds apart, starting at `start`.
    /// Accounts sharing three links in turn, a minute apart: a ring.
    static func ringSteps(_ accounts: [String], from start: Double, tag: String) -> [(account: String, at: Double, urls: [String])] {
        (0..<3).flatMap { round in
            accounts.enumerated().map { i, account in
                (account, start + Double(round * 60 + i * 3), ["https://t.me/example_\(tag)\(round)"])
            }
        }
    }

    func ring(_ h: Harness, _ accounts: [String], from start: Double, tag: String) {
        for step in LifecycleTests.ringSteps(accounts, from: start, tag: tag) { h.post(step.account, at: step.at, urls: step.urls) }
    }

    @Test("new, grown, merged (the older id survives) and dormant, each with its event time")
    func lifecycle() throws {
        let h = Harness()
        ring(h, ["a", "b"], from: 0, tag: "first")
        let new = try #require(h.events.first)
        #expect(new.state == .new)
        #expect(new.members == ["a", "b"])
        #expect(new.ts == Harness.ts(123))
        #expect(new.firstTs <= new.ts)

        ring(h, ["a", "b", "c"], from: 200, tag: "second")
        #expect(h.events.last?.state == .grown)
        #expect(h.events.last?.members == ["a", "b", "c"])

        ring(h, ["d", "e"], from: 400, tag: "third")
        let other = try #require(h.events.last)
        #expect(other.state == .new)
        #expect(other.cluster != new.cluster)

        // An edge between the two clusters merges them.
        ring(h, ["c", "d"], from: 600, tag: "bridge")
        let merged = try #require(h.events.first { $0.state == .merged })
        #expect(merged.cluster == other.cluster)
        #expect(merged.mergedInto == new.cluster)
        let survivor = try #require(h.events.last)
        #expect(survivor.cluster == new.cluster)
        #expect(survivor.state == .grown)
        #expect(survivor.members == ["a", "b", "c", "d", "e"])
        #expect(h.detector.cluster(of: "e") == new.cluster)

        // Quiet for longer than the horizon (10 minutes): dormant, reported at a sweep boundary.
        h.advance(to: 720 + 700)
        let dormant = try #require(h.events.last)
        #expect(dormant.state == .dormant)
        #expect(dormant.cluster == new.cluster)
        #expect(dormant.ts > Harness.ts(720 + 600))
        #expect(h.detector.cluster(of: "a") == nil)
    }

    @Test("A dormant cluster wakes up as grown; after three horizons it is forgotten and a new id starts")
    func wakeAndForget() throws {
        let h = Harness()
        ring(h, ["a", "b"], from: 0, tag: "one")
        let id = try #require(h.events.first?.cluster)
        h.advance(to: 900)
        #expect(h.events.last?.state == .dormant)
        ring(h, ["a", "b"], from: 1000, tag: "two")
        #expect(h.events.last?.state == .grown)
        #expect(h.events.last?.cluster == id)

        h.advance(to: 1200 + 4 * 600)
        ring(h, ["a", "b"], from: 4000, tag: "three")
        let again = try #require(h.events.last)
        #expect(again.state == .new)
        #expect(again.cluster != id)
    }

    @Test("Members' posts keep a cluster active")
    func activityKeepsAlive() {
        let h = Harness()
        ring(h, ["a", "b"], from: 0, tag: "x")
        for minute in 3..<30 { h.post("a", at: Double(minute * 60), text: nil) }
        #expect(!h.events.contains { $0.state == .dormant })
    }
}

@Suite struct StreamTests {
    /// Background traffic from `population` accounts (popular links, reposts of a few hot posts,
    /// stock phrases) with a planted ring of six, for `seconds` at `rate` posts per second.
    static func traffic(seconds: Double, rate: Double, population: Int = 400, seed: UInt64 = 3) -> [PostInput] {
        var dice = Dice(state: seed)
        let sketcher = Harness()
        let phrases = [
            "Good morning everyone, have a blessed day and drink your coffee",
            "Traffic is terrible near the market again this evening, avoid it",
            "Who is watching the match tonight, our team needs a win badly",
        ]
        var posts: [PostInput] = []
        var t = 0.0
        var n = 0
        let ring = (0..<6).map { "ring\($0)" }
        var nextWave = 30.0
        var wave = 0
        while t < seconds {
            t += -log(1 - dice.unit()) / rate
            n += 1
            let account = "u\(dice.int(population))"
            var post = PostInput(id: "p\(n)", account: account, ts: Harness.ts(t))
            switch dice.int(4) {
            case 0: post.urls = ["https://news.example.com/story\(dice.int(20))"]
            case 1: post.repostOf = "p\(max(1, n - 1 - dice.int(50)))"
            case 2: post.sketch = sketcher.sketch(phrases[dice.int(phrases.count)] + " \(dice.int(1000))")
            default: post.hashtags = ["day\(dice.int(5))", "news"]
            }
            posts.append(post)
            if t >= nextWave {
                for (i, member) in ring.enumerated() {
                    n += 1
                    posts.append(PostInput(id: "p\(n)", account: member, ts: Harness.ts(t + Double(i)),
                                           urls: ["https://t.me/example_wave\(wave)"], score: 70))
                }
                wave += 1
                nextWave += 90
            }
        }
        return posts.sorted { $0.ts < $1.ts }
    }

    @Test("Order and speed do not change results: read at once or paced by a replay clock, the same events")
    func pacingInvariance() {
        let posts = StreamTests.traffic(seconds: 1800, rate: 20)
        let atOnce = ClusterDetector()
        var eventsAtOnce: [ClusterEvent] = []
        for post in posts {
            atOnce.post(post)
            eventsAtOnce += atOnce.drain()
        }
        for tick in [0.1, 0.7, 13.0] {
            // A replay clock advances event time between posts, at its own ticks.
            let paced = ClusterDetector()
            var eventsPaced: [ClusterEvent] = []
            var clock = posts[0].ts.seconds
            for post in posts {
                while clock + tick < post.ts.seconds {
                    clock += tick
                    paced.advance(to: Int64(clock * 1e6))
                    eventsPaced += paced.drain()
                }
                paced.post(post)
                eventsPaced += paced.drain()
            }
            #expect(eventsPaced == eventsAtOnce, "tick \(tick)")
        }
        #expect(eventsAtOnce.contains { $0.members == (0..<6).map { "ring\($0)" } })
    }

    @Test("Late events within the allowed lateness count; older ones are counted and ignored")
    func lateEvents() {
        func run(lateBy seconds: Double) -> Harness {
            let h = Harness()
            for round in 0..<2 {
                for account in ["a", "b"] { h.post(account, at: Double(round * 60), urls: ["https://t.me/example_late\(round)"]) }
            }
            h.post("a", at: 200, urls: ["https://t.me/example_late2"])
            h.post("z", at: 240, urls: ["https://example.com/unrelated"])
            h.post("b", at: 240 - seconds, urls: ["https://t.me/example_late2"])
            return h
        }
        let onTime = run(lateBy: 3)
        #expect(onTime.standing.map(\.members) == [["a", "b"]])
        #expect(onTime.detector.lateEvents == 0)
        let tooLate = run(lateBy: 30)
        #expect(tooLate.events.isEmpty)
        #expect(tooLate.detector.lateEvents == 1)
    }

    @Test("One post dated 9999 does not switch detection off: it is counted and the stream's clock keeps going")
    func farFutureOutlier() throws {
        let h = Harness()
        h.post("a", at: 0, urls: ["https://t.me/example_skew0"])
        // Year 9999: without a bound on skew every later post is "late" and ignored.
        let future = Timestamp(microseconds: 253_402_300_799 * 1_000_000)
        h.detector.post(PostInput(id: "outlier", account: "x", ts: future, urls: ["https://t.me/example_skew0"]))
        LifecycleTests().ring(h, ["a", "b"], from: 10, tag: "skew")
        #expect(h.standing.map(\.members) == [["a", "b"]])
        #expect(h.detector.futureEvents == 1)
        #expect(h.detector.lateEvents == 0)
        #expect(h.detector.cluster(of: "x") == nil)
    }

    @Test("A gap in the feed is a jump of the whole stream, not a run of outliers: the clock follows it")
    func streamJump() throws {
        let h = Harness()
        LifecycleTests().ring(h, ["a", "b"], from: 0, tag: "before")
        #expect(h.standing.map(\.members) == [["a", "b"]])
        // Two hours later (a feed of the next day would do the same): the posts after the gap
        // are held until enough of them agree, then read in order.
        LifecycleTests().ring(h, ["c", "d", "e", "f"], from: 7200, tag: "after")
        #expect(h.detector.futureEvents == 0)
        #expect(h.detector.lateEvents == 0)
        #expect(h.standing.contains { $0.members == ["c", "d", "e", "f"] })
        #expect(h.detector.cluster(of: "c") != nil)
    }

    @Test("State is bounded by the window: four times the posts, the same footprint")
    func boundedMemory() {
        func footprint(after seconds: Double) -> ClusterDetector.Footprint {
            let detector = ClusterDetector()
            for post in StreamTests.traffic(seconds: seconds, rate: 30, seed: 5) { detector.post(post) }
            return detector.footprint
        }
        let short = footprint(after: 1800)
        let long = footprint(after: 7200)
        // Every collection the detector keeps, capacities included (a table may have doubled).
        for ((name, a), (_, b)) in zip(short.counts, long.counts) {
            #expect(Double(b) <= (name == "capacity" ? 2.5 : 1.3) * Double(a) + 50, "\(name): \(a) after 30 min, \(b) after 2 h")
        }
        #expect(long.accounts <= 406)
    }
}

/// A cluster formed before its members posted anything (the same face on two accounts) is
/// reported again when what they post lifts it into a higher band; posts that do not, are not.
struct RescoreTests {
    func mirrors(postingScore score: Int) -> Harness {
        let h = Harness()
        h.account("f1", handle: "example_mirror_1", createdAt: -1000, bio: "backup of the channel", name: "Mirror")
        h.account("f2", handle: "example_mirror_2", createdAt: -500, bio: "backup of the channel", name: "Mirror")
        for round in 0..<3 {
            for account in ["f1", "f2"] { h.post(account, at: Double(round * 30), urls: ["https://example.com/own-\(account)-\(round)"], score: score) }
        }
        return h
    }

    @Test("A cluster whose members start posting violating material is rescored into the high band, once")
    func rescoredWhenContentArrives() throws {
        let h = mirrors(postingScore: 90)
        let first = try #require(h.events.first)
        #expect(first.state == .new && first.score < ClusterBands.high)
        let rescored = h.events.filter { $0.state == .rescored }
        #expect(rescored.count == 1)
        #expect((rescored.first?.score ?? 0) >= ClusterBands.high)
        #expect(rescored.first?.members == ["f1", "f2"])
    }

    @Test("Posts that leave the score in its band cause no event")
    func notRescoredWithinTheBand() {
        let h = mirrors(postingScore: 10)
        #expect(h.events.map(\.state) == [.new])
    }
}

/// The stream's clock starts at the earliest of its first events, not at the first one read.
struct OpeningTests {
    static let future = Timestamp(microseconds: 253_402_300_799 * 1_000_000)

    @Test("A first post dated 9999 does not switch detection off: the clock starts at the earliest opening event",
          arguments: [0, 1, 3, 7])
    func farFutureFirstPost(atPosition position: Int) throws {
        let clean = Harness()
        LifecycleTests().ring(clean, ["a", "b", "c"], from: 10, tag: "opening")
        let hostile = Harness()
        var posts = 0
        // The outlier arrives as the first, second, fourth or eighth event of the stream (the
        // opening holds eight).
        func outlierIfDue() {
            if posts == position { hostile.detector.post(PostInput(id: "outlier", account: "x", ts: OpeningTests.future, urls: ["https://t.me/example_opening"])) }
            posts += 1
        }
        outlierIfDue()
        for step in LifecycleTests.ringSteps(["a", "b", "c"], from: 10, tag: "opening") {
            hostile.post(step.account, at: step.at, urls: step.urls)
            outlierIfDue()
        }
        #expect(hostile.standing.map(\.members) == clean.standing.map(\.members))
        #expect(!clean.standing.isEmpty)
        #expect(hostile.detector.futureEvents == 1)
        #expect(hostile.detector.lateEvents == 0)
    }

    @Test("A stream shorter than the opening is read in full when it ends")
    func shortStream() {
        let detector = ClusterDetector()
        for (i, account) in ["a", "b", "c"].enumerated() {
            detector.post(PostInput(id: "p\(i)", account: account, ts: Harness.ts(Double(i)),
                                    urls: ["https://t.me/example_s1", "https://t.me/example_s2", "https://t.me/example_s3"]))
        }
        #expect(detector.drain().isEmpty)
        detector.finish()
        let events = detector.drain()
        #expect(events.first?.state == .new)
        #expect(events.last?.members == ["a", "b", "c"])
    }
}
