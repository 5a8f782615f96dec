import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilScoring

/// The stream core of the console, on its own thread: reads the feeds through the scan
/// pipeline (scoring and clusters) and leaves batches in a mailbox the UI drains. Every flagged
/// post and every cluster event is kept; the feed pane's posts are sampled to at most
/// `feedSamplesPerBatch` per batch, so a fast feed cannot swamp the screen.
public final class LiveCore: @unchecked Sendable {
    private let lock = NSLock()
    private var mailbox = CoreBatch()
    private var stats = CoreStats()
    private var feedInBatch = 0
    private let feedSamplesPerBatch: Int
    private let compiled: CompiledLexicon
    private let readers: [LineReader]
    private let options: ScanOptions
    private var thread: Thread?
    private let pacer: ReplayPacer?
    /// The pacer's run this core plays (a rewind starts a new core on a new run).
    private let pacerRun: Int

    /// With a `pacer`, events are delivered on the replay clock instead of as fast as they are read.
    public init(compiled: CompiledLexicon, readers: [LineReader], clusters: CoordinationConfig, feedSamplesPerBatch: Int = 200,
                pacer: ReplayPacer? = nil) {
        self.pacer = pacer
        pacerRun = pacer?.currentRun ?? 0
        self.compiled = compiled
        self.readers = readers
        options = ScanOptions(clusters: clusters)
        self.feedSamplesPerBatch = feedSamplesPerBatch
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "vigil-core"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    /// Everything since the last call (nil when nothing happened).
    public func take() -> CoreBatch? {
        lock.lock()
        defer { lock.unlock() }
        var batch = mailbox
        batch.stats = stats
        guard !mailbox.flagged.isEmpty || !mailbox.feed.isEmpty || !mailbox.clusters.isEmpty || !mailbox.accounts.isEmpty
            || !mailbox.suspensions.isEmpty || !mailbox.markers.isEmpty || lastTakenPosts != stats.posts || lastTakenFinished != stats.finished else { return nil }
        lastTakenPosts = stats.posts
        lastTakenFinished = stats.finished
        mailbox = CoreBatch()
        feedInBatch = 0
        return batch
    }
    private var lastTakenPosts = -1
    private var lastTakenFinished = false

    private func withLock(_ body: () -> Void) {
        lock.lock()
        body()
        lock.unlock()
    }

    private func run() {
        let pipeline = ScanPipeline(compiled: compiled, options: options)
        if let pacer { pipeline.beforeEvent = { [pacerRun] in pacer.waitUntilDue($0, run: pacerRun) } }
        defer { pacer?.runEnded(pacerRun) }
        var current: Post?
        pipeline.onPost = { [self] event, score, cluster in
            let flaggedCandidate = score.band != .low
            var sample = false
            withLock {
                stats.posts += 1
                stats.events = pipeline.stats.events
                stats.feedTs = event.tsString
                stats.feedTime = event.ts?.seconds ?? stats.feedTime
                sample = feedInBatch < feedSamplesPerBatch
                if sample { feedInBatch += 1 }
            }
            guard flaggedCandidate || sample, case .post(let post) = event.materialize() else { current = nil; return }
            current = post
            if sample {
                let item = PostItem(id: post.id, account: post.account, platform: post.platform, ts: event.tsString, time: post.ts.seconds,
                                    text: post.text, lang: post.lang ?? "", score: score.score, band: score.band, priority: score.priority,
                                    categories: score.categories.filter { $0.points > 0 }.map(\.category), cluster: cluster,
                                    replyTo: post.replyTo, repostOf: post.repostOf)
                withLock { mailbox.feed.append(item) }
            }
        }
        pipeline.onRecord = { [self] record in
            guard let post = current, post.id == record.post else { return }
            let analysis = record.analysis
            let item = PostItem(
                id: post.id, account: post.account, platform: post.platform, ts: record.ts, time: post.ts.seconds, text: post.text,
                lang: analysis.lang, score: analysis.score.score, band: analysis.score.band, priority: analysis.score.priority,
                categories: analysis.score.categories.filter { $0.points > 0 }.map(\.category), explanation: analysis.score.explanation,
                matches: analysis.matches.map { PostItem.Match(entry: $0.entry, category: $0.category, view: "\($0.view)", range: $0.start..<$0.end) },
                cluster: record.cluster, replyTo: post.replyTo, repostOf: post.repostOf)
            withLock {
                mailbox.flagged.append(item)
                // The feed sample shows the analysed version when the same post is in it.
                if let index = mailbox.feed.lastIndex(where: { $0.id == item.id }) { mailbox.feed[index] = item }
                stats.flagged += 1
                stats.byBand[item.band, default: 0] += 1
                stats.byLanguage[item.lang, default: 0] += 1
                if let top = item.categories.first { stats.byCategory[top, default: 0] += 1 }
            }
        }
        pipeline.onClusterEvent = { [self] event in withLock { mailbox.clusters.append(event) } }
        pipeline.onOtherEvent = { [self] event in
            switch event {
            case .account(let a):
                let info = AccountInfo(id: a.id, handle: a.handle, displayName: a.displayName, followers: a.followers,
                                       createdAt: a.createdAt?.description, bio: a.bio)
                withLock { mailbox.accounts.append(info) }
            case .suspension(let s):
                withLock { mailbox.suspensions.append((account: s.account, ts: s.ts.description)) }
            case .marker(let marker):
                withLock { mailbox.markers.append(marker) }
            default:
                break
            }
        }
        pipeline.onReject = { [self] line in
            withLock {
                stats.rejected += 1
                stats.lastRejects.append(line.description)
                if stats.lastRejects.count > 20 { stats.lastRejects.removeFirst() }
            }
        }
        do {
            let final = try pipeline.run(readers)
            withLock {
                stats.lateEvents = final.lateEvents
                stats.events = final.events
                stats.finished = true
            }
        } catch {
            withLock {
                stats.lastRejects.append("\(error)")
                stats.finished = true
            }
        }
    }
}
