import ArgumentParser
import Foundation
import VigilCoordination
import VigilFeed
import VigilLexicon
import VigilPipeline
import VigilScoring
import VigilText
import VigilTriage
import VigilTUI

/// Process CPU time: the comparisons run on a shared 2-core machine, so throughput is per CPU second.
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// The process's resident memory now (VmRSS), not its peak.
func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Calls `body` with each line of `data` (without its newline).
func forEachLine(in data: Data, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    data.withUnsafeBytes { raw in
        let base = raw.bindMemory(to: UInt8.self)
        var lineStart = 0
        while lineStart < base.count {
            var end = lineStart
            while end < base.count && base[end] != 0x0A { end += 1 }
            body(UnsafeBufferPointer(rebasing: base[lineStart..<end]))
            lineStart = end + 1
        }
    }
}

func json(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

@main
struct VigilBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil-bench",
        abstract: "Harnesses for the side-by-side comparisons in docs/performance.md (one JSON line each).",
        subcommands: [MatchCorpus.self, AnchorLexicon.self, Stages.self, Normalize.self, Clusters.self, Console.self, Team.self, Arrivals.self]
    )
}

/// The first `terms` anchor terms as a Vigil lexicon: one entry each, whole-word, in the views
/// given. With `weights`, each term weighs what the Python reference pipeline gives it
/// (5 × (1 + id % 20) points), so scores are comparable.
func anchorLexiconYAML(data: String, terms: Int, views: String, weights: Bool) throws -> String {
    let lexiconText = try String(contentsOfFile: "\(data)/lexicon.tsv", encoding: .utf8)
    var entries = "entries:\n"
    var count = 0
    for line in lexiconText.split(separator: "\n") where count < terms {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        let term = fields[3].replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let weight = weights ? ", weight: \(Double(5 * (1 + count % 20)) / 10)" : ""
        entries += "  - {id: \"t\(count)\", category: \"c\", terms: [\"\(term)\"], views: [\"\(views)\"], boundary: \"word\"\(weight)}\n"
        count += 1
    }
    return "lexicon: \"anchor\"\nversion: \(terms)\ncategories:\n  - {id: \"c\", weight: 1, cap: 10}\n" + entries
}

/// Writes the anchor lexicon as YAML, for `vigil scan --lexicon` in the side-by-side runs.
struct AnchorLexicon: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "anchor-lexicon")

    @Argument(help: "The anchors-data folder (lexicon.tsv).") var data: String
    @Argument(help: "How many lexicon terms.") var terms: Int

    func run() throws {
        print(try anchorLexiconYAML(data: data, terms: terms, views: "strict", weights: true), terminator: "")
    }
}

/// Matching alone on the shared anchor corpus: the same job as the anchors' hs_bench.c and
/// bench_py.py (every whole-word term per post, nested ones included), through Vigil's matcher.
struct MatchCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "match-corpus")

    @Argument(help: "The anchors-data folder (lexicon.tsv, posts.txt).") var data: String
    @Argument(help: "How many lexicon terms.") var terms: Int
    @Option var repeats = 3
    @Option(help: "How many times to compile the lexicon (without the on-disk cache) for the build time.") var buildRepeats = 3
    @Option(help: "Write the (post << 17 | term) pairs here, sorted, one per line, for agreement checks.") var pairsOut: String?

    func run() throws {
        let yaml = try anchorLexiconYAML(data: data, terms: terms, views: "strict", weights: false)
        let lexicon = try LexiconLoader.parse([LexiconSource(name: "anchor", text: yaml)])
        var builds: [Double] = []
        var compiled: CompiledLexicon?
        for _ in 0..<max(1, buildRepeats) {
            let start = cpuSeconds()
            compiled = try CompiledLexicon.compile(lexicon, cache: nil)
            builds.append(cpuSeconds() - start)
        }
        let matcher = Matcher(compiled!)
        // Terms are compiled in Vigil's strict form (decomposed); put the posts in the same form
        // once, outside the timing, so only matching is measured.
        let raw = try Data(contentsOf: URL(fileURLWithPath: "\(data)/posts.txt"))
        var posts = Data()
        posts.reserveCapacity(raw.count + raw.count / 8)
        let normalizer = Normalizer()
        forEachLine(in: raw) { line in
            let view = normalizer.normalize(line)
            posts.append(contentsOf: view.bytes[view.region(of: .strict).range])
            posts.append(0x0A)
        }
        // Post boundaries are found outside the timing, as hs_bench.c does.
        var lines: [Range<Int>] = []
        var lineStart = 0
        for (offset, byte) in posts.enumerated() where byte == 0x0A {
            lines.append(lineStart..<offset)
            lineStart = offset + 1
        }
        let textBytes = lines.reduce(0) { $0 + $1.count }
        let postCount = lines.count
        var times: [Double] = []
        var pairs: [Int64] = []
        var matchedPosts = 0
        posts.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self)
            for repeatIndex in 0..<repeats {
                var localPairs: [Int64] = []
                var matched = 0
                let start = cpuSeconds()
                for (index, line) in lines.enumerated() {
                    let hits = matcher.match(.prenormalized(UnsafeBufferPointer(rebasing: base[line])))
                    if !hits.isEmpty {
                        matched += 1
                        // Distinct (post, term) pairs, as the anchors count them.
                        if repeatIndex == 0 { for entry in Set(hits.map(\.entry)) { localPairs.append(Int64(index) << 17 | Int64(entry)) } }
                    }
                }
                times.append(cpuSeconds() - start)
                if repeatIndex == 0 {
                    pairs = localPairs
                    matchedPosts = matched
                }
            }
        }
        let seconds = median(times)
        print(json([
            "engine": "vigil-swift", "lex": terms, "mode": "post", "build_s": median(builds),
            "db_bytes": compiled!.databaseSize,
            "cpu_s": times, "mb_s": Double(textBytes) / 1e6 / seconds, "posts_s": Double(postCount) / seconds,
            "pairs": pairs.count, "matched_posts": matchedPosts, "posts": postCount, "peak_rss_mb": peakRSSMegabytes(),
        ]))
        if let pairsOut {
            try Data(pairs.sorted().map { String($0) }.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: pairsOut))
        }
    }
}

/// Cumulative cost of each stage of `vigil scan` over a feed: read, decode, normalize (first pass,
/// no origins), match (anything?), score (the full path: re-normalize with origins, match, score).
struct Stages: ParsableCommand {
    @Argument var feed: String
    @Option(help: "Lexicon files (default: the built-in lexicon).") var lexicon: [String] = []

    enum Stage: Int, CaseIterable { case read, decode, normalize, match, score }

    func run() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: lexicon))
        var results: [String: Double] = [:]
        for stage in Stage.allCases {
            let analyzer = PostAnalyzer(compiled)
            let decoder = FeedDecoder()
            let reader = try LineReader(path: feed, padding: FeedDecoder.padding)
            var posts = 0
            var checksum = 0
            var withHits = 0
            let start = cpuSeconds()
            try reader.forEachLine({ line in
                if stage == .read { checksum &+= line.length; return true }
                guard case .event(let event) = decoder.decode(line), event.kind == .post else { return true }
                posts += 1
                let text = event.text ?? UnsafeBufferPointer(start: nil, count: 0)
                switch stage {
                case .read, .decode: checksum &+= text.count
                case .normalize: checksum &+= analyzer.normalizer.normalize(text, origins: false).bytes.count
                case .match:
                    if analyzer.matcher.anyHit(analyzer.normalizer.normalize(text, origins: false)) { withHits += 1 }
                case .score: checksum &+= analyzer.quickScore(text, followers: 0).score
                }
                return true
            }, oversized: { _, _ in true })
            let seconds = cpuSeconds() - start
            results["\(stage)_s"] = seconds
            if stage != .read { results["posts"] = Double(posts) }
            if stage == .match { results["posts_with_hits"] = Double(withHits) }
            _ = checksum
        }
        print(json(results.mapValues { $0 as Any }.merging(["feed": feed, "expressions": compiled.expressionCount]) { a, _ in a }))
    }
}

/// Normalization throughput on the texts of a file (one per line): all texts, then the
/// ASCII-only ones (the fast path) and the others (the general path) separately.
struct Normalize: ParsableCommand {
    @Argument(help: "A text file, one post per line (e.g. anchors-data/posts.txt).") var file: String
    @Option var repeats = 3
    @Flag(help: "Skip origin maps, as the first pass of `vigil scan` does.") var noOrigins = false

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        var ascii: [Range<Int>] = [], other: [Range<Int>] = []
        data.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < base.count {
                var end = start
                var isASCII = true
                while end < base.count && base[end] != 0x0A {
                    if base[end] >= 0x80 { isASCII = false }
                    end += 1
                }
                if isASCII { ascii.append(start..<end) } else { other.append(start..<end) }
                start = end + 1
            }
        }
        let normalizer = Normalizer()
        func measure(_ ranges: [Range<Int>]) -> (mbPerSecond: Double, bytes: Int) {
            var times: [Double] = []
            var bytes = 0
            data.withUnsafeBytes { raw in
                let base = raw.bindMemory(to: UInt8.self)
                for _ in 0..<repeats {
                    bytes = 0
                    var checksum = 0
                    let start = cpuSeconds()
                    for r in ranges {
                        let text = UnsafeBufferPointer(rebasing: base[r])
                        bytes += text.count
                        checksum &+= normalizer.normalize(text, origins: !noOrigins).bytes.count
                    }
                    times.append(cpuSeconds() - start)
                    _ = checksum
                }
            }
            return (Double(bytes) / 1e6 / median(times), bytes)
        }
        let all = measure(ascii + other)
        let fast = measure(ascii)
        let general = measure(other)
        print(json([
            "file": file, "texts": ascii.count + other.count, "ascii_texts": ascii.count,
            "all_mb_s": all.mbPerSecond, "ascii_mb_s": fast.mbPerSecond, "non_ascii_mb_s": general.mbPerSecond,
            "bytes": all.bytes, "origins": !noOrigins,
        ]))
    }
}

/// The cluster detector over a feed, in one process so startup (lexicon compilation) is not
/// counted: coordination alone (decode, normalize, sketch, detect; every score 0), then with
/// scoring (the whole of `vigil clusters`). Peak RSS is the process's, after both.
struct Clusters: ParsableCommand {
    @Argument var feed: String
    @Option(help: "Lexicon files (default: the built-in lexicon).") var lexicon: [String] = []
    @Flag(help: "Only the detector, no scoring run.") var detectorOnly = false
    @Option(help: "Print the detector's footprint and the process's resident memory every N posts (about; checked every 64k lines), as JSON lines on stderr.")
    var footprintEvery: Int?

    func run() throws {
        let compiled = try CompiledLexicon.compile(try LexiconLoader.load(paths: lexicon))
        var results: [String: Any] = ["feed": feed]
        for scoring in detectorOnly ? [false] : [false, true] {
            let pipeline = ScanPipeline(compiled: compiled, options: ScanOptions(clusters: CoordinationConfig(), scoring: scoring))
            var events = 0
            pipeline.onClusterEvent = { _ in events += 1 }
            if let every = footprintEvery, let detector = pipeline.detector {
                var next = every
                pipeline.onProgress = { _, _ in
                    guard pipeline.stats.posts >= next else { return }
                    next += every
                    var line: [String: Any] = ["read": pipeline.stats.posts, "rss_mb": residentMegabytes()]
                    for (name, value) in detector.footprint.counts { line[name] = value }
                    FileHandle.standardError.write(Data((json(line) + "\n").utf8))
                }
            }
            let start = cpuSeconds()
            let stats = try pipeline.run([try LineReader(path: feed, padding: FeedDecoder.padding)])
            let seconds = cpuSeconds() - start
            let name = scoring ? "with_scoring" : "detector"
            results["posts"] = stats.posts
            results["\(name)_s"] = seconds
            results["\(name)_posts_s"] = Double(stats.posts) / seconds
            results["\(name)_cluster_events"] = events
        }
        results["peak_rss_mb"] = peakRSSMegabytes()
        print(json(results))
    }
}

/// The console's cost per message with a long queue: a moderator's key press (update, which
/// recomputes the queue, then a full render) and a core batch of 200 new flags, with N open
/// flagged posts already in the queue (clusters are a few dozen at most; posts are the bulk).
struct Console: ParsableCommand {
    @Option(parsing: .upToNextOption, help: "Queue sizes.") var queued: [Int] = [1_000, 10_000, 50_000, 100_000]
    @Option(help: "Repetitions per measurement.") var reps = 41

    static let texts = ["join the caravan now, message t.me/caravan_join", "brothers make hijrah this year",
                        "ayuh sertai perjuangan, hubungi kami", "Reporters say recruiters used the word hijrah online",
                        "صباح الخير يا أصدقاء، انضموا إلى الدولة", "on se retrouve ce soir, rejoignez le califat"]
    static let bands: [Band] = [.critical, .high, .medium, .contested]

    static func post(_ n: Int) -> PostItem {
        let text = texts[n % texts.count]
        let range = 0..<min(6, text.utf8.count)
        return PostItem(id: "p\(n)", account: "a\(n % 5_000)", platform: "x", ts: "2026-03-01T08:00:00Z", time: 1_772_352_000 + Double(n),
                        text: text, lang: "en", score: 20 + n % 80, band: bands[n % bands.count], priority: Double(20 + n % 80),
                        categories: ["recruitment_call"], explanation: "recruitment_call: +40\ntotal: 40 (medium)",
                        matches: [PostItem.Match(entry: "e", category: "recruitment_call", view: "strict", range: range)],
                        cluster: n % 50 == 0 ? "k\(n / 50)" : nil)
    }

    /// Milliseconds per call: (median, 90th percentile).
    func time(_ body: () -> Void) -> (Double, Double) {
        var samples: [Double] = []
        for _ in 0..<reps {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 9 / 10)])
    }

    func run() throws {
        let session = SessionInfo(moderator: "bench", storeLabel: "bench.sqlite", feedLabel: "bench", feedID: "b", lexiconVersion: "v",
                                  categories: [CategoryInfo(id: "recruitment_call", label: "Recruitment call", role: .policy)])
        var next = 0
        for size in queued {
            var state = AppState(session: session)
            // The whole queue in memory: this measures update and render, not the spill file.
            state.residentCap = .max
            _ = state.update(.resize(rows: 48, cols: 160))
            var batch = CoreBatch()
            batch.flagged = (0..<size).map(Console.post)
            batch.stats.flagged = size
            _ = state.update(.batch(batch))
            next = size
            let key = time {
                _ = state.update(.key(.char(next % 2 == 0 ? "j" : "k")))
                next += 1
                blackHoleCanvas(state.render())
            }
            let arrival = time {
                var more = CoreBatch()
                more.flagged = (next..<(next + 200)).map(Console.post)
                next += 200
                _ = state.update(.batch(more))
                blackHoleCanvas(state.render())
            }
            print(json(["queued": size, "queue_open": state.queue.count, "key_ms_median": key.0, "key_ms_p90": key.1,
                        "batch_ms_median": arrival.0, "batch_ms_p90": arrival.1]))
        }
    }
}

@inline(never) func blackHoleCanvas(_ canvas: Canvas) { precondition(canvas.rows > 0) }
