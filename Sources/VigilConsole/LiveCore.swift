import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilScoring
import VigilText
import VigilTUI

/// The stream core of the console, on its own thread: reads the feeds through the scan
/// pipeline (scoring and clusters) and leaves batches in a mailbox the console drains. Every
/// flagged post and every cluster event is kept; the feed pane gets the newest
/// `feedSamplesPerBatch` posts of each batch, so a fast feed cannot swamp the screen and the
/// pane always reaches the newest post read.
public final class LiveCore: @unchecked Sendable {
    private struct Shared {
        var batch = CoreBatch()
        /// The newest posts since the last take, oldest first (a ring of `feedSamplesPerBatch`).
        var ring: [PostItem] = []
        var ringStart = 0
        var stats = CoreStats()
        var lastTakenPosts = -1
        var lastTakenFinished = false
        /// Why the source cannot be read for now (its server is away), shown until it is back.
        var away: String?
        var awayChanged = false
    }

    private let shared = Locked(Shared())
    private let feedSamplesPerBatch: Int
    private let compiled: CompiledLexicon
    private let readers: [any RecordSource]
    private let options: ScanOptions
    private let pacer: ReplayPacer?
    /// The pacer's run this core plays (a rewind starts a new core on a new run).
    private let pacerRun: Int
    /// Recent posts' authors and texts, so a repost can show what it reposts.
    private var recent = RecentPosts(capacity: 20_000)
    /// Puts the flagged posts and queued clusters into the team store (a console on a store).
    public let recorder: ItemRecorder?

    /// With a `pacer`, events are delivered on the replay clock instead of as fast as they are
    /// read; with a `recorder`, every review item goes to the store too; without `clusters`, no
    /// cluster detection (a feed pane's tap on a stream, `StoreCore`).
    public init(compiled: CompiledLexicon, readers: [any RecordSource], clusters: CoordinationConfig?, feedSamplesPerBatch: Int = 200,
                pacer: ReplayPacer? = nil, recorder: ItemRecorder? = nil) {
        self.recorder = recorder
        self.pacer = pacer
        pacerRun = pacer?.currentRun ?? 0
        self.compiled = compiled
        self.readers = readers
        options = ScanOptions(clusters: clusters)
        self.feedSamplesPerBatch = max(1, feedSamplesPerBatch)
    }

    public func start() {
        recorder?.start()
        let thread = Thread { [self] in run() }
        thread.name = "vigil-core"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Everything since the last call (nil when nothing happened).
    public func take() -> CoreBatch? {
        shared.withLock { state in
            let batch = state.batch
            guard !batch.flagged.isEmpty || !state.ring.isEmpty || !batch.clusters.isEmpty || !batch.accounts.isEmpty
                || !batch.suspensions.isEmpty || !batch.markers.isEmpty || state.lastTakenPosts != state.stats.posts
                || state.lastTakenFinished != state.stats.finished || state.awayChanged else { return nil }
            var taken = batch
            taken.feed = Array(state.ring[state.ringStart...] + state.ring[..<state.ringStart])
            taken.stats = state.stats
            if let away = state.away { taken.stats.readProblems.append(away) }
            state.awayChanged = false
            state.lastTakenPosts = state.stats.posts
            state.lastTakenFinished = state.stats.finished
            state.batch = CoreBatch()
            state.ring = []
            state.ringStart = 0
            return taken
        }
    }

    /// The source waits for its server (why), or (nil) reads again: shown with the read problems.
    public func sourceAway(_ why: String?) {
        shared.withLock { state in
            state.away = why
            state.awayChanged = true
        }
    }

    private func run() {
        let pipeline = ScanPipeline(compiled: compiled, options: options)
        let normalizer = Normalizer()
        let capacity = feedSamplesPerBatch
        // The stats pane counts flags by the policy they are about, not by a scoring signal.
        let policies = Set(compiled.lexicon.categories.filter(\.isPolicy).map(\.id))
        if let pacer { pipeline.beforeEvent = { [pacerRun] in pacer.waitUntilDue($0, run: pacerRun) } }
        defer { pacer?.runEnded(pacerRun) }
        var current: (post: Post, item: PostItem)?
        pipeline.onPost = { [self] event, score, cluster in
            guard case .post(let post) = event.materialize() else { current = nil; return }
            let original = post.repostOf.flatMap { recent.lookup($0) }
            if post.repostOf == nil { recent.remember(post.id, account: post.account, text: post.text) }
            let item = PostItem(id: post.id, account: post.account, platform: post.platform, ts: event.tsString, time: post.ts.seconds,
                                text: post.text, lang: post.lang ?? "", score: score.score, band: score.band, priority: score.priority,
                                categories: score.categories.filter { $0.points > 0 }.map(\.category), cluster: cluster,
                                replyTo: post.replyTo, repostOf: post.repostOf, original: original)
            current = (post, item)
            shared.withLock { state in
                state.stats.posts += 1
                state.stats.events = pipeline.stats.events
                state.stats.feedTs = event.tsString
                state.stats.feedTime = event.ts?.seconds ?? state.stats.feedTime
                if state.ring.count < capacity {
                    state.ring.append(item)
                } else {
                    state.ring[state.ringStart] = item
                    state.ringStart = (state.ringStart + 1) % capacity
                    state.stats.feedSampled = true
                }
            }
        }
        pipeline.onRecord = { [self] record in
            recorder?.record(record)
            guard let (post, sampled) = current, post.id == record.post else { return }
            let analysis = record.analysis
            let views = normalizer.normalize(post.text)
            let searchText = View.allCases.map { views.string(of: $0) }.joined(separator: "\n")
            let item = PostItem(
                id: post.id, account: post.account, platform: post.platform, ts: record.ts, time: post.ts.seconds, text: post.text,
                lang: analysis.lang, score: analysis.score.score, band: analysis.score.band, priority: analysis.score.priority,
                categories: analysis.score.categories.filter { $0.points > 0 }.map(\.category), explanation: analysis.score.explanation,
                matches: analysis.matches.map { PostItem.Match(entry: $0.entry, category: $0.category, view: "\($0.view)", range: $0.start..<$0.end) },
                cluster: record.cluster, replyTo: post.replyTo, repostOf: post.repostOf, original: sampled.original, searchText: searchText)
            shared.withLock { state in
                state.batch.flagged.append(item)
                // The feed shows the analysed version of the same post.
                if let index = state.ring.lastIndex(where: { $0.id == item.id }) { state.ring[index] = item }
                state.stats.flagged += 1
                state.stats.byBand[item.band, default: 0] += 1
                state.stats.byLanguage[item.lang, default: 0] += 1
                if let top = item.categories.first(where: policies.contains) { state.stats.byCategory[top, default: 0] += 1 }
            }
        }
        pipeline.onClusterEvent = { [self] event in
            recorder?.record(event)
            shared.withLock { $0.batch.clusters.append(event) }
        }
        pipeline.onOtherEvent = { [self] event in
            switch event {
            case .account(let a):
                recorder?.note(a)
                let info = AccountInfo(id: a.id, handle: a.handle, displayName: a.displayName, followers: a.followers,
                                       createdAt: a.createdAt?.description, bio: a.bio)
                shared.withLock { $0.batch.accounts.append(info) }
            case .suspension(let s):
                shared.withLock { $0.batch.suspensions.append((account: s.account, ts: s.ts.description)) }
            case .marker(let marker):
                shared.withLock { $0.batch.markers.append(marker) }
            default:
                break
            }
        }
        // A damaged feed is shown as it ends (the others are still read).
        pipeline.onReadError = { [self] failure in
            shared.withLock { state in
                state.stats.readProblems.append(failure.description)
                if !failure.keptEverything { state.stats.feedDamaged = true }
            }
        }
        pipeline.onReject = { [self] line in
            shared.withLock { state in
                state.stats.rejected += 1
                if state.stats.firstReject == nil { state.stats.firstReject = line.description }
                state.stats.lastRejects.append(line.description)
                if state.stats.lastRejects.count > 20 { state.stats.lastRejects.removeFirst() }
            }
        }
        do {
            let final = try pipeline.run(readers)
            shared.withLock { state in
                state.stats.lateEvents = final.lateEvents
                state.stats.futureEvents = final.futureEvents
                state.stats.events = final.events
                state.stats.finished = true
            }
        } catch {
            shared.withLock { state in
                // Read failures were shown as they happened.
                if !(error is FeedError) {
                    state.stats.lastRejects.append("\(error)")
                    if state.stats.firstReject == nil { state.stats.firstReject = "\(error)" }
                }
                state.stats.finished = true
            }
        }
    }
}

/// The last `capacity` posts' authors and texts by id, oldest forgotten first.
struct RecentPosts {
    private var entries: [String: PostItem.Original] = [:]
    private var order: [String] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func lookup(_ id: String) -> PostItem.Original? { entries[id] }

    mutating func remember(_ id: String, account: String, text: String) {
        if entries.updateValue(PostItem.Original(account: account, text: text), forKey: id) != nil { return }
        if order.count < capacity {
            order.append(id)
        } else {
            entries[order[next]] = nil
            order[next] = id
            next = (next + 1) % capacity
        }
    }
}
