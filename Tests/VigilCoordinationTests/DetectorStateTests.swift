import Foundation
import Testing
@testable import VigilCoordination
import VigilFeed

/// A saved detector state, restored, goes on exactly as the detector that saved it: a cluster
/// worker restarted from its snapshot must put the same cluster items as one that never stopped.
@Suite struct DetectorStateTests {
    enum Input {
        case post(PostInput)
        case account(Account)
        case suspension(Suspension)
        case clock(Int64)
    }

    /// Short windows so sweeps, dormancy and forgetting all happen within the run.
    static let config: CoordinationConfig = {
        var c = CoordinationConfig()
        MemoryTests.configure(&c)
        return c
    }()

    /// Traffic with everything the state holds: a stable population and fresh accounts, rings of
    /// accounts sharing links (clusters that form, grow, merge and go dormant), copied texts,
    /// reposts, tag pairs, popular links, a suspended account back under a look-alike handle, a
    /// late post and an outlier from the future.
    static func inputs(seed: UInt64, seconds: Int) -> [Input] {
        var dice = Dice(state: seed)
        let harness = Harness()
        var out: [Input] = []
        var posts: [String] = []
        var n = 0
        func post(_ account: String, _ t: Double, urls: [String] = [], repostOf: String? = nil, hashtags: [String] = [], text: String? = nil,
                  score: Int = 0) {
            n += 1
            let id = "p\(n)"
            out.append(.post(PostInput(id: id, account: account, ts: Harness.ts(t), urls: urls, hashtags: hashtags, repostOf: repostOf,
                                       sketch: text.flatMap(harness.sketch), score: score)))
            posts.append(id)
        }
        let phrases = ["Join the brothers now, message me for the details of the journey ahead",
                       "Good morning everyone, have a blessed day and drink your coffee slowly",
                       "Traffic is terrible near the market again this evening, avoid it please"]
        for second in 0..<seconds {
            let t = Double(second)
            if second % 15 == 0 {
                // Every other group of rings takes in a member of the group before, last: its
                // own cluster forms first, then merges with the older one.
                let group = second / 45
                let ring = (0..<(3 + dice.int(3))).map { "ring\(group)_\($0)" } + (group % 2 == 1 ? ["ring\(group - 1)_0"] : [])
                for (i, member) in ring.enumerated() {
                    post(member, t + Double(i) * 0.3, urls: ["https://t.me/example_r\(second)"], text: phrases[0] + " \(second)", score: 70)
                }
            }
            if second % 50 == 20 {
                let stem = "back_\(MemoryTests.letters(second))"
                out.append(.account(Account(id: "s\(second)", handle: stem, displayName: "N", createdAt: Harness.ts(t - 500), bio: "b\(second)")))
                post("s\(second)", t, urls: ["https://example.com/s\(second)"])
                out.append(.suspension(Suspension(account: "s\(second)", ts: Harness.ts(t + 1))))
                out.append(.account(Account(id: "s\(second)b", handle: stem + "_2", displayName: "N", createdAt: Harness.ts(t + 2), bio: "b\(second)")))
            }
            for k in 0..<(4 + dice.int(4)) {
                let at = t + Double(k) / 10
                let account = dice.int(3) == 0 ? "f\(second)_\(k)" : "u\(dice.int(60))"
                switch dice.int(6) {
                case 0: post(account, at, urls: ["https://news.example.com/story\(dice.int(5))"])
                case 1: post(account, at, repostOf: posts.isEmpty ? nil : posts[posts.count - 1 - dice.int(min(posts.count, 40))])
                case 2: post(account, at, text: phrases[1 + dice.int(2)] + " \(dice.int(50))")
                case 3: post(account, at, hashtags: ["tag\(dice.int(30))", "news"])
                default: post(account, at, urls: ["https://example.com/fresh/\(second)/\(k)"])
                }
            }
            if second % 97 == 50 { post("late", t - 60) }
            if second == seconds / 3 { post("future", t + 40 * 86_400) }
            if second % 60 == 59 { out.append(.clock(Harness.ts(t + 1).microseconds)) }
        }
        return out
    }

    /// Feeds `inputs` to `detector`, collecting the cluster events as a worker does (drained
    /// after every input).
    static func feed(_ detector: ClusterDetector, _ inputs: ArraySlice<Input>) -> [ClusterEvent] {
        var events: [ClusterEvent] = []
        for input in inputs {
            switch input {
            case .post(let p): _ = detector.post(p)
            case .account(let a): detector.account(a)
            case .suspension(let s): detector.suspension(s)
            case .clock(let t): detector.advance(to: t)
            }
            events += detector.drain()
        }
        return events
    }

    @Test("Saved anywhere and restored, the detector reports what it would have without stopping", arguments: [3, 4] as [UInt64])
    func restoredDetectorGoesOnIdentically(seed: UInt64) throws {
        let inputs = DetectorStateTests.inputs(seed: seed, seconds: 900)
        let whole = ClusterDetector(config: DetectorStateTests.config)
        var expected = DetectorStateTests.feed(whole, inputs[...])
        whole.finish()
        expected += whole.drain()
        #expect(expected.contains { $0.state == .new } && expected.contains { $0.state == .dormant } && expected.contains { $0.state == .merged })
        var dice = Dice(state: seed)
        // The stream's opening (its first events held), then points spread over the run.
        let splits = [0, 1, 2, 5] + (0..<6).map { _ in 10 + dice.int(inputs.count - 10) }
        for split in splits {
            let before = ClusterDetector(config: DetectorStateTests.config)
            var events = DetectorStateTests.feed(before, inputs[..<split])
            let saved = before.savedState()
            let restored = try ClusterDetector(config: DetectorStateTests.config, restoring: saved)
            #expect(restored.savedState() == saved, "split at \(split): the restored state saves to the same bytes")
            events += DetectorStateTests.feed(restored, inputs[split...])
            restored.finish()
            events += restored.drain()
            #expect(events == expected, "split at \(split) of \(inputs.count)")
            // Everything held, but the capacity of the tables (a restored array is as large as it needs).
            let held = { (d: ClusterDetector) in d.footprint.counts.filter { $0.name != "capacity" }.map { "\($0.name) \($0.value)" } }
            #expect(held(restored) == held(whole), "split at \(split)")
        }
    }

    @Test("A state saved with another configuration, of another kind, damaged or cut short is refused with the reason")
    func badStatesAreRefused() throws {
        let detector = ClusterDetector(config: DetectorStateTests.config)
        _ = DetectorStateTests.feed(detector, DetectorStateTests.inputs(seed: 5, seconds: 120)[...])
        let saved = detector.savedState()
        var wider = DetectorStateTests.config
        wider.horizon *= 2
        #expect(throws: SnapshotError.self) { try ClusterDetector(config: wider, restoring: saved) }
        do {
            _ = try ClusterDetector(config: wider, restoring: saved)
        } catch {
            #expect(error.description.contains("another configuration"))
        }
        for cut in [0, 1, 7, 8, 40, saved.count / 2, saved.count - 9, saved.count - 1] {
            #expect(throws: SnapshotError.self, "cut at \(cut)") { try ClusterDetector(config: DetectorStateTests.config, restoring: Array(saved.prefix(cut))) }
        }
        var dice = Dice(state: 9)
        for _ in 0..<50 {
            var damaged = saved
            damaged[dice.int(damaged.count)] ^= UInt8(1 << dice.int(8))
            #expect(throws: SnapshotError.self) { try ClusterDetector(config: DetectorStateTests.config, restoring: damaged) }
        }
        #expect(throws: SnapshotError.self) { try ClusterDetector(config: DetectorStateTests.config, restoring: Array("{\"not\": \"a state\"}".utf8)) }
    }
}
