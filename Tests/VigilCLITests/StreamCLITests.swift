import Foundation
import Testing
import VigilStream
import VigilTriage

/// `vigil publish`, `vigil worker` and `vigil scan nats://…` against a real nats-server with
/// JetStream (scripts/nats.sh) and a real PostgreSQL team store (scripts/pg.sh).
@Suite struct StreamCLITests {
    static let workshop = TeamCLITests.workshop

    func publish(_ feed: String, stream: String) throws -> CLIRun {
        try vigil(["publish", feed, "--nats", NatsServer.url, "--stream", stream])
    }

    @Test func publishingTwiceStoresEachEventOnce() throws {
        let stream = NatsServer.newStream()
        let first = try publish(Self.workshop, stream: stream)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("created stream \(stream)") && first.stdout.contains("6683 events sent, 6683 stored, 0 duplicates refused"), "\(first.stdout)")
        let again = try publish(Self.workshop, stream: stream)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("appended to stream \(stream)") && again.stdout.contains("6683 events sent, 0 stored, 6683 duplicates refused"), "\(again.stdout)")
        // The stream holds each event once: read back, it is the feed again.
        let scanned = try vigil(["scan", "\(NatsServer.url)/\(stream)"])
        #expect(scanned.stderr.contains("events 6683,"), "\(scanned.stderr)")
    }

    /// A line within the feed reader's limit (1 MiB) but over the server's largest message with
    /// its header is a rejected line; the rest of the feed is published.
    @Test func aLineTooLargeForTheServerIsRejectedAndTheRestPublished() throws {
        let folder = try temporaryFolder()
        let feed = folder.appendingPathComponent("long.jsonl")
        func post(_ id: String, _ text: String) -> String {
            #"{"type":"post","id":"\#(id)","account":"a1","ts":"2026-03-01T08:00:00Z","text":"\#(text)"}"#
        }
        let prefix = post("p2", "")
        let long = post("p2", String(repeating: "x", count: (1 << 20) - 8 - prefix.utf8.count))
        try ([post("p1", "first"), long, post("p3", "last")].joined(separator: "\n") + "\n").write(to: feed, atomically: true, encoding: .utf8)
        let stream = NatsServer.newStream()
        let run = try publish(feed.path, stream: stream)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("long.jsonl:2: line of 1048568 bytes is larger than the server's largest message"), "\(run.stderr)")
        #expect(run.stdout.contains("2 events sent, 2 stored") && run.stdout.contains("rejected lines 1"), "\(run.stdout)")
    }

    /// `--speed` sends events at the feed's own pace: six posts a second apart in feed time, at
    /// speed 2, take at least 2.5 s; a post dated 9999 among them does not stall the rest, and
    /// everything is stored.
    @Test func publishingAtASpeedKeepsTheFeedsPaceAndAnOutlierDoesNotStallIt() throws {
        let folder = try temporaryFolder()
        let feed = folder.appendingPathComponent("paced.jsonl")
        func post(_ id: String, _ ts: String) -> String {
            #"{"type":"post","id":"\#(id)","account":"a1","ts":"\#(ts)","text":"hello"}"#
        }
        var lines = (0..<6).map { post("p\($0)", "2026-03-01T08:00:0\($0)Z") }
        lines.insert(post("late", "9999-12-31T23:59:59Z"), at: 3)
        try (lines.joined(separator: "\n") + "\n").write(to: feed, atomically: true, encoding: .utf8)
        let stream = NatsServer.newStream()
        let started = Date()
        let run = try vigil(["publish", feed.path, "--nats", NatsServer.url, "--stream", stream, "--speed", "2"])
        let took = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("7 events sent, 7 stored"), "\(run.stdout)")
        #expect(took >= 2.5, "5 s of feed time at speed 2: \(took) s")
        #expect(took < 60, "the post dated 9999 was not waited for: \(took) s")
        #expect(try vigil(["publish", feed.path, "--nats", NatsServer.url, "--speed", "0"]).stderr.contains("--speed must be a number from 0.25 to 1000"))
    }

    @Test func scanningAStreamPrintsWhatScanningTheFilePrints() throws {
        // A malformed line is reported with file:line and not published.
        let feed = try writeTemp("feed.jsonl", """
            {"type":"account","id":"a1","handle":"one","followers":12000}
            {"type":"post","id":"p1","account":"a1","platform":"x","ts":"2025-01-01T00:00:00Z","text":"join us, brothers, the caravan leaves soon"}
            not json
            {"type":"post","id":"p2","account":"a2","ts":"2025-01-01T00:00:05Z","text":"nice weather"}
            {"type":"suspension","account":"a1","ts":"2025-01-01T00:01:00Z"}
            """ + "\n")
        for file in [Self.workshop, feed] {
            let stream = NatsServer.newStream()
            let published = try publish(file, stream: stream)
            #expect(published.status == 0, "\(published.stderr)")
            for format in ["jsonl", "csv"] {
                let fromFile = try vigil(["scan", file, "--format", format])
                let fromStream = try vigil(["scan", "\(NatsServer.url)/\(stream)", "--format", format])
                #expect(fromStream.status == 0, "\(fromStream.stderr)")
                #expect(fromStream.stdout == fromFile.stdout)
            }
        }
        let published = try publish(feed, stream: NatsServer.newStream())
        #expect(published.stderr.contains("feed.jsonl:3: "), "\(published.stderr)")
        #expect(published.stdout.contains("4 events sent, 4 stored") && published.stdout.contains("rejected lines 1"), "\(published.stdout)")
        let missing = try vigil(["scan", "\(NatsServer.url)/nosuchstream"])
        #expect(missing.status == 74 && missing.stderr.contains("no such stream"), "\(missing.stderr)")
    }

    @Test func badStreamNamesAndMissingStreamsAreRefused() throws {
        let badName = try vigil(["publish", Self.workshop, "--nats", NatsServer.url, "--stream", "a.b"])
        #expect(badName.status == 64 && badName.stderr.contains("'a.b' is not a usable stream name"), "\(badName.stderr)")
        let badWindow = try vigil(["publish", Self.workshop, "--nats", NatsServer.url, "--dedup-window", "soon"])
        #expect(badWindow.status == 64, "\(badWindow.stderr)")
        let store = "sqlite:" + (try temporaryFolder()).appendingPathComponent("w.sqlite").path
        let noStream = try vigil(["worker", "--nats", NatsServer.url, "--stream", NatsServer.newStream(), "--store", store])
        #expect(noStream.status == 74 && noStream.stderr.contains("(vigil publish creates it)"), "\(noStream.stderr)")
        let noServer = try vigil(["scan", "nats://127.0.0.1:1/feed"])
        #expect(noServer.status == 74 && noServer.stderr.contains("cannot connect to nats://127.0.0.1:1"), "\(noServer.stderr)")
    }

    /// A running `vigil worker` whose stderr goes to a file (a pipe nobody reads would fill).
    final class WorkerProcess {
        let process = Process()
        let log: URL

        init(_ arguments: [String], log: URL) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = vigilBinary()
            process.arguments = ["worker"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
        }

        var stderr: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// SIGTERM, then the exit status.
        func terminate() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// The post items of a store as `vigil queue` lists them, without the feed id (a stream's
    /// differs from a file's), sorted.
    func postItems(_ store: String) throws -> [String] {
        let run = try vigil(["queue", "--store", store, "--state", "all"])
        return run.stdout.split(separator: "\n").filter { $0.contains("\"item\":\"post:") }
            .map { $0.replacingOccurrences(of: #""feed":"[0-9a-f]+","#, with: "", options: .regularExpression) }.sorted()
    }

    /// Waits until the store holds `count` post items (or two minutes pass).
    func waitForItems(_ store: String, count: Int) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, try postItems(store).count < count { Thread.sleep(forTimeInterval: 0.5) }
    }

    /// The items `vigil scan --store` puts for the feed.
    func expectedItems() throws -> [String] {
        let store = "sqlite:" + (try temporaryFolder()).appendingPathComponent("scan.sqlite").path
        #expect(try vigil(["scan", Self.workshop, "--store", store]).status == 0)
        let items = try postItems(store)
        #expect(items.count == 171)
        return items
    }

    @Test func twoWorkersStoreExactlyThePostsScanStores() throws {
        let expected = try expectedItems()
        let stream = NatsServer.newStream()
        #expect(try publish(Self.workshop, stream: stream).status == 0)
        try TeamCLITests().withStore("postgres") { store in
            let folder = try temporaryFolder()
            let arguments = ["--nats", NatsServer.url, "--stream", stream, "--store", store, "--batch", "100", "--log-every", "1s"]
            let workers = try (1...2).map { try WorkerProcess(arguments + ["--name", "w\($0)"], log: folder.appendingPathComponent("w\($0).log")) }
            try waitForItems(store, count: expected.count)
            // Time for a worker that went on to put more than it should.
            Thread.sleep(forTimeInterval: 2)
            #expect(workers[0].terminate() == 0, "\(workers[0].stderr)")
            // One worker stopping leaves the consumer the others share.
            Thread.sleep(forTimeInterval: 2)
            #expect(workers[1].process.isRunning, "\(workers[1].stderr)")
            #expect(workers[1].terminate() == 0, "\(workers[1].stderr)")
            let stored = try postItems(store)
            #expect(stored == expected)
            // Every item was put with one content (an item put again with another raises its version).
            #expect(stored.allSatisfy { $0.contains("\"version\":1}") })
            // A scan of the stream puts its items under the workers' feed id: the same items, one feed.
            #expect(try vigil(["scan", "\(NatsServer.url)/\(stream)", "--store", store]).status == 0)
            #expect(try postItems(store) == stored)
            // Each told the store how it did, for the lead's view: the whole stream between them,
            // nothing left waiting or unacknowledged, and that they stopped.
            let team = try PostgresDecisionStore(url: store)
            let feed = try #require(try team.feeds().first)
            let reports = try team.leadStats(feed: feed, sla: 60, window: 3600, onlineWithin: 60).workers
            #expect(reports.map(\.name) == ["w1", "w2"])
            #expect(reports.allSatisfy { $0.stopped && $0.pending == 0 && $0.ackPending == 0 && $0.durable == "vigil-workers" }, "\(reports)")
            #expect(reports.map(\.items).reduce(0, +) == expected.count, "\(reports)")
            for worker in workers {
                // Both shared the work, and each read every account event (the priorities match).
                let last = try #require(worker.stderr.split(separator: "\n").last { $0.contains("worker stopped: ") })
                #expect(!last.contains("stopped: 0 posts") && last.contains(" 618 account events"), "\(worker.stderr)")
                // The server's count of what no worker has had yet (the consumer's lag).
                #expect(last.hasSuffix(", 0 waiting in the stream"), "\(worker.stderr)")
            }
        }
    }

    /// A worker started before its NATS server waits for it; the server killed with -9 mid-stream
    /// and started again: the worker waits, says so, goes on, and the store ends with exactly
    /// the items a scan puts, none twice.
    @Test func aWorkerWaitsForItsNatsServerAndLosesAndDoublesNothing() throws {
        let expected = try expectedItems()
        let server = try PrivateNatsServer()
        defer { server.stop() }
        let stream = NatsServer.newStream()
        #expect(try vigil(["publish", Self.workshop, "--nats", server.url, "--stream", stream]).status == 0)
        server.kill()
        try TeamCLITests().withStore("postgres") { store in
            let arguments = ["--nats", server.url, "--stream", stream, "--store", store, "--batch", "1", "--ack-wait", "2s", "--log-every", "1s"]
            let worker = try WorkerProcess(arguments, log: try temporaryFolder().appendingPathComponent("worker.log"))
            Thread.sleep(forTimeInterval: 2)
            #expect(worker.process.isRunning && worker.stderr.contains("waiting for the NATS server at \(server.url)"), "\(worker.stderr)")
            try server.start()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, try postItems(store).count < 20 { Thread.sleep(forTimeInterval: 0.2) }
            server.kill()
            let storedWhileAway = try postItems(store).count
            #expect(storedWhileAway < expected.count, "killed mid-stream")
            // Longer than a confirmed acknowledgement waits (5 s), so the worker notices.
            Thread.sleep(forTimeInterval: 8)
            #expect(worker.process.isRunning, "\(worker.stderr)")
            try server.start()
            try waitForItems(store, count: expected.count)
            Thread.sleep(forTimeInterval: 2)
            #expect(worker.terminate() == 0, "\(worker.stderr)")
            let log = worker.stderr
            #expect(log.contains("lost the NATS server (") && log.contains("the NATS server is back: going on"), "\(log)")
            let stored = try postItems(store)
            #expect(stored == expected)
            #expect(stored.allSatisfy { $0.contains("\"version\":1}") }, "every item put with one content")
        }
    }

    /// A store's cluster items, without what differs between producers (the feed id, and the
    /// version: how many puts changed the item, which depends on how puts are batched), sorted.
    func clusterItems(_ store: String) throws -> [String] {
        try vigil(["queue", "--store", store, "--state", "all"]).stdout.split(separator: "\n").filter { $0.contains("\"item\":\"cluster:") }
            .map { $0.replacingOccurrences(of: #""feed":"[0-9a-f]+",|,?"version":[0-9]+"#, with: "", options: .regularExpression) }.sorted()
    }

    static let recruiterNetwork = TeamCLITests.repository.appendingPathComponent("sample-feeds/recruiter-network.jsonl.gz").path

    /// The cluster items `vigil scan --clusters --store` puts for the recruiter-network sample
    /// feed (into a store in `folder`): what a cluster worker on its stream must end with.
    func fileClusters(_ folder: URL) throws -> [String] {
        let fileStore = "sqlite:" + folder.appendingPathComponent("file.sqlite").path
        #expect(try vigil(["scan", Self.recruiterNetwork, "--clusters", "--store", fileStore]).status == 0)
        return try clusterItems(fileStore)
    }

    /// The cluster worker killed with -9 mid-stream and started again: it rebuilds its window up
    /// to its checkpoint without putting anything again, goes on, and the store ends with the
    /// clusters `vigil scan --clusters --store` finds in the file.
    @Test func theClusterWorkerKilledAndRestartedEndsWithTheFilesClusters() throws {
        let feed = Self.recruiterNetwork
        let folder = try temporaryFolder()
        let expected = try fileClusters(folder)
        #expect(expected.count == 7, "\(expected)")
        let stream = NatsServer.newStream()
        let published = try publish(feed, stream: stream)
        let events = try #require(published.stdout.firstMatch(of: /(\d+) events sent/).flatMap { UInt64($0.1) })
        let path = folder.appendingPathComponent("stream.sqlite").path
        let arguments = ["--clusters", "--nats", NatsServer.url, "--stream", stream, "--store", "sqlite:" + path, "--batch", "20", "--log-every", "1s"]
        let first = try WorkerProcess(arguments, log: folder.appendingPathComponent("first.log"))
        let store = try SQLiteDecisionStore(path: path)
        let feedID = try StreamLayout(stream: stream).feedID
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, (try? store.checkpoint(feed: feedID, consumer: "clusters")) ?? nil ?? 0 < 3000 { Thread.sleep(forTimeInterval: 0.05) }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let reached = try #require(try store.checkpoint(feed: feedID, consumer: "clusters"))
        #expect(reached >= 3000 && reached < events, "killed at sequence \(reached)")
        let restarted = try WorkerProcess(arguments, log: folder.appendingPathComponent("restarted.log"))
        while Date() < deadline, try store.checkpoint(feed: feedID, consumer: "clusters") ?? 0 < events { Thread.sleep(forTimeInterval: 0.2) }
        #expect(restarted.terminate() == 0, "\(restarted.stderr)")
        #expect(restarted.stderr.contains("rebuilding the window from the stream's start to its checkpoint, sequence \(reached)"), "\(restarted.stderr)")
        #expect(try clusterItems("sqlite:" + path) == expected)
    }

    /// With --state the cluster worker saves its window as it goes; killed with -9 and started
    /// again, it restores the window from that state and reads the stream from there, not from
    /// its start, and ends with the file's clusters all the same.
    @Test func theClusterWorkerRestartsFromItsSavedState() throws {
        let feed = Self.recruiterNetwork
        let folder = try temporaryFolder()
        let expected = try fileClusters(folder)
        let stream = NatsServer.newStream()
        let published = try publish(feed, stream: stream)
        let events = try #require(published.stdout.firstMatch(of: /(\d+) events sent/).flatMap { UInt64($0.1) })
        let path = folder.appendingPathComponent("stream.sqlite").path
        let state = folder.appendingPathComponent("clusters.state").path
        let arguments = ["--clusters", "--nats", NatsServer.url, "--stream", stream, "--store", "sqlite:" + path, "--batch", "20",
                         "--state", state, "--state-every", "1s"]
        let first = try WorkerProcess(arguments, log: folder.appendingPathComponent("first.log"))
        let store = try SQLiteDecisionStore(path: path)
        let feedID = try StreamLayout(stream: stream).feedID
        let deadline = Date().addingTimeInterval(120)
        func savedSequence() -> UInt64? {
            guard let data = FileManager.default.contents(atPath: state) else { return nil }
            return String(decoding: data.prefix(200), as: UTF8.self).firstMatch(of: /sequence (\d+)/).flatMap { UInt64($0.1) }
        }
        while Date() < deadline, (savedSequence() ?? 0) < 3000 { Thread.sleep(forTimeInterval: 0.05) }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let saved = try #require(savedSequence())
        let reached = try #require(try store.checkpoint(feed: feedID, consumer: "clusters"))
        #expect(saved >= 3000 && saved <= reached && reached < events, "state at \(saved), checkpoint \(reached)")
        let restarted = try WorkerProcess(arguments, log: folder.appendingPathComponent("restarted.log"))
        while Date() < deadline, try store.checkpoint(feed: feedID, consumer: "clusters") ?? 0 < events { Thread.sleep(forTimeInterval: 0.2) }
        #expect(restarted.terminate() == 0, "\(restarted.stderr)")
        #expect(restarted.stderr.contains("from its state at sequence \(saved)"), "\(restarted.stderr)")
        #expect(!restarted.stderr.contains("from the stream's start"), "\(restarted.stderr)")
        #expect(try clusterItems("sqlite:" + path) == expected)
        // SIGTERM saved the state at the end of the stream: another start restores it whole.
        #expect(savedSequence() == events)
    }

    /// The cluster worker's reader is an ephemeral consumer, which the server deletes after a few
    /// seconds without a fetch: a store away for longer (the worker waits, fetching nothing) must
    /// not end the worker or skip a message. It reads on from the last message it had.
    @Test func theClusterWorkerOutlivesAStoreAwayLongerThanItsReader() throws {
        let feed = Self.recruiterNetwork
        let folder = try temporaryFolder()
        let expected = try fileClusters(folder)
        let stream = NatsServer.newStream()
        #expect(try publish(feed, stream: stream).status == 0)
        let server = folder.appendingPathComponent("pg").path, urlFile = folder.appendingPathComponent("url").path
        let script = TeamCLITests.repository.appendingPathComponent("scripts/pg.sh").path
        #expect(system("'\(script)' start '\(server)' > '\(urlFile)'") == 0)
        defer { _ = system("'\(script)' stop '\(server)'") }
        let store = try String(contentsOfFile: urlFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let worker = try WorkerProcess(["--clusters", "--nats", NatsServer.url, "--stream", stream, "--store", store, "--batch", "20", "--log-every", "1s"],
                                       log: folder.appendingPathComponent("worker.log"))
        var deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !worker.stderr.contains("cluster worker on") { Thread.sleep(forTimeInterval: 0.02) }
        // Gone as in a crash while the first batches are read, and for longer than the server
        // keeps an idle ephemeral consumer (5 s).
        #expect(system("'\(script)' kill '\(server)'") == 0)
        deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !worker.stderr.contains("cannot store into") { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 12)
        #expect(system("'\(script)' restart '\(server)'") == 0)
        deadline = Date().addingTimeInterval(120)
        while Date() < deadline, (try? clusterItems(store)) != expected { Thread.sleep(forTimeInterval: 0.5) }
        #expect(worker.terminate() == 0, "\(worker.stderr)")
        #expect(try clusterItems(store) == expected)
        #expect(worker.stderr.contains("dropped this worker's reader of the stream"), "\(worker.stderr)")
    }

    @Test func aWorkerKilledMidStreamLosesAndDoublesNothing() throws {
        let expected = try expectedItems()
        let stream = NatsServer.newStream()
        #expect(try publish(Self.workshop, stream: stream).status == 0)
        try TeamCLITests().withStore("postgres") { store in
            let folder = try temporaryFolder()
            let arguments = ["--nats", NatsServer.url, "--stream", stream, "--store", store, "--batch", "200", "--ack-wait", "2s"]
            let first = try WorkerProcess(arguments, log: folder.appendingPathComponent("first.log"))
            // Killed once it has stored some items and before it has stored them all.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, try postItems(store).isEmpty { Thread.sleep(forTimeInterval: 0.05) }
            kill(first.process.processIdentifier, SIGKILL)
            first.process.waitUntilExit()
            let before = try postItems(store).count
            #expect(before > 0 && before < expected.count, "killed after \(before) items")
            let restarted = try WorkerProcess(arguments, log: folder.appendingPathComponent("restarted.log"))
            try waitForItems(store, count: expected.count)
            Thread.sleep(forTimeInterval: 3)
            #expect(restarted.terminate() == 0, "\(restarted.stderr)")
            let stored = try postItems(store)
            #expect(stored == expected)
            #expect(stored.allSatisfy { $0.contains("\"version\":1}") })
        }
    }

    @Test func aWorkerWhoseStoreGoesAwayWaitsForItAndLosesNothing() throws {
        let expected = try expectedItems()
        let stream = NatsServer.newStream()
        #expect(try publish(Self.workshop, stream: stream).status == 0)
        let folder = try temporaryFolder()
        let server = folder.appendingPathComponent("pg").path, urlFile = folder.appendingPathComponent("url").path
        let script = TeamCLITests.repository.appendingPathComponent("scripts/pg.sh").path
        #expect(system("'\(script)' start '\(server)' > '\(urlFile)'") == 0)
        defer { _ = system("'\(script)' stop '\(server)'") }
        let store = try String(contentsOfFile: urlFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let worker = try WorkerProcess(["--nats", NatsServer.url, "--stream", stream, "--store", store, "--batch", "50", "--log-every", "1s"],
                                       log: folder.appendingPathComponent("worker.log"))
        var deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try postItems(store).isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        // Gone as in a crash, mid-stream.
        #expect(system("'\(script)' kill '\(server)'") == 0)
        deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !worker.stderr.contains("cannot store into") { Thread.sleep(forTimeInterval: 0.1) }
        #expect(worker.stderr.contains("acknowledging nothing, retrying until it is back"), "\(worker.stderr)")
        Thread.sleep(forTimeInterval: 2)
        #expect(system("'\(script)' restart '\(server)'") == 0)
        try waitForItems(store, count: expected.count)
        Thread.sleep(forTimeInterval: 2)
        #expect(worker.terminate() == 0, "\(worker.stderr)")
        #expect(try postItems(store) == expected)
        // Said once, however long it lasted, and once when it came back.
        #expect(worker.stderr.components(separatedBy: "cannot store into").count == 2, "\(worker.stderr)")
        #expect(worker.stderr.contains("is reachable again"), "\(worker.stderr)")
    }

    /// A batch with more flagged posts than a scan puts at once, while the store is away: none of
    /// its items may be dropped before the retry that stores them.
    @Test func aLargeBatchWaitingForTheStoreKeepsAllItsItems() throws {
        let posts = (1...600).map { n in
            #"{"type":"post","id":"q\#(n)","account":"a\#(n % 7)","platform":"telegram","ts":"2026-03-01T08:05:09Z","text":"Stop watching, start moving: join the daulah. message me on tg t.me/example_hijrah_x611 #hijrah"}"#
        }
        let feed = try writeTemp("flagged.jsonl", posts.joined(separator: "\n") + "\n")
        let account = try writeTemp("account.jsonl", #"{"type":"account","id":"a1","followers":10}"# + "\n")
        let stream = NatsServer.newStream()
        #expect(try publish(account, stream: stream).status == 0)
        let folder = try temporaryFolder()
        let server = folder.appendingPathComponent("pg").path, urlFile = folder.appendingPathComponent("url").path
        let script = TeamCLITests.repository.appendingPathComponent("scripts/pg.sh").path
        #expect(system("'\(script)' start '\(server)' > '\(urlFile)'") == 0)
        defer { _ = system("'\(script)' stop '\(server)'") }
        let store = try String(contentsOfFile: urlFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let worker = try WorkerProcess(["--nats", NatsServer.url, "--stream", stream, "--store", store, "--batch", "1000"],
                                       log: folder.appendingPathComponent("worker.log"))
        var deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !worker.stderr.contains("vigil: worker on ") { Thread.sleep(forTimeInterval: 0.1) }
        // Paused while the store goes and the posts come, so that one fetch brings them all: the
        // pull request it has out (1 s) expires first, or it would take the posts as they come.
        kill(worker.process.processIdentifier, SIGSTOP)
        Thread.sleep(forTimeInterval: 2)
        #expect(system("'\(script)' kill '\(server)'") == 0)
        #expect(try publish(feed, stream: stream).status == 0)
        kill(worker.process.processIdentifier, SIGCONT)
        deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !worker.stderr.contains("cannot store into") { Thread.sleep(forTimeInterval: 0.1) }
        #expect(system("'\(script)' restart '\(server)'") == 0)
        try waitForItems(store, count: 600)
        Thread.sleep(forTimeInterval: 1)
        #expect(worker.terminate() == 0, "\(worker.stderr)")
        #expect(try postItems(store).count == 600, "\(worker.stderr)")
    }

    /// Distributed ingest end to end, in real terminals: a worker scores a published stream into
    /// PostgreSQL; two consoles on the store alone (no feed) show its items, new ones as they are
    /// put, and a decision in one reaches the other.
    /// A console whose stream's NATS server is down opens all the same, says the feed pane waits
    /// for the server, and shows the stream once the server is up.
    @Test func aConsoleOpensWhileItsStreamsServerIsDownAndShowsTheStreamWhenItComesUp() throws {
        let server = try PrivateNatsServer()
        defer { server.stop() }
        let stream = NatsServer.newStream()
        let folder = try temporaryFolder()
        let marker = folder.appendingPathComponent("marker.jsonl")
        let words = "server came back zq8"
        try (#"{"type":"post","id":"backcheck","account":"tapper","ts":"2026-03-01T09:30:00Z","text":"\#(words)"}"# + "\n")
            .write(to: marker, atomically: true, encoding: .utf8)
        #expect(try vigil(["publish", marker.path, "--nats", server.url, "--stream", stream]).status == 0)
        server.kill()
        let session = try TmuxSession(cols: 160, rows: 48)
        defer { session.close() }
        let store = folder.appendingPathComponent("store.sqlite").path
        try session.run("\(vigilBinary().path) monitor --stream \(stream) --nats \(server.url) --store '\(store)' --moderator amina --log \(session.path("m.log")); echo EXIT=$?")
        let waiting = try session.waitFor(text: "waiting for the NATS server")
        #expect(!waiting.contains(words))
        try server.start()
        let shown = try session.waitFor(text: words)
        #expect(!shown.contains("waiting for the NATS server"), "\(shown.prefix(400))")
        try session.keys("q")
        try session.waitFor(text: "EXIT=0")
    }

    /// A console started before its stream exists waits for it, says so on the feed pane, and
    /// shows the stream's posts once a publisher creates it.
    @Test func aConsoleWaitsForAStreamNotCreatedYet() throws {
        let stream = NatsServer.newStream()
        let folder = try temporaryFolder()
        let marker = folder.appendingPathComponent("marker.jsonl")
        let words = "stream came late zq9"
        try (#"{"type":"post","id":"latecheck","account":"tapper","ts":"2026-03-01T09:30:00Z","text":"\#(words)"}"# + "\n")
            .write(to: marker, atomically: true, encoding: .utf8)
        let session = try TmuxSession(cols: 160, rows: 48)
        defer { session.close() }
        let store = folder.appendingPathComponent("store.sqlite").path
        try session.run("\(vigilBinary().path) monitor --stream \(stream) --nats \(NatsServer.url) --store '\(store)' --moderator amina --log \(session.path("m.log")); echo EXIT=$?")
        let waiting = try session.waitFor(text: "waiting for stream \(stream) on \(NatsServer.url)")
        #expect(!waiting.contains("no such stream"), "\(waiting.prefix(400))")
        #expect(try vigil(["publish", marker.path, "--nats", NatsServer.url, "--stream", stream]).status == 0)
        let shown = try session.waitFor(text: words)
        #expect(!shown.contains("waiting for stream"), "\(shown.prefix(400))")
        try session.keys("q")
        try session.waitFor(text: "EXIT=0")
    }

    @Test func consolesOnTheStoreAloneShowWhatWorkersPut() throws {
        let stream = NatsServer.newStream()
        #expect(try publish(Self.workshop, stream: stream).status == 0)
        try TeamCLITests().withStore("postgres") { store in
            let worker = try WorkerProcess(["--nats", NatsServer.url, "--stream", stream, "--store", store, "--batch", "100"],
                                           log: try temporaryFolder().appendingPathComponent("w.log"))
            defer { _ = worker.terminate() }
            try waitForItems(store, count: 171)
            let consoles = try ["amina", "bo"].map { name -> TmuxSession in
                let session = try TmuxSession(cols: 160, rows: 48)
                // bo's console also shows the stream itself in its feed pane.
                let tap = name == "bo" ? " --nats \(NatsServer.url)" : ""
                try session.run("\(vigilBinary().path) monitor --stream \(stream)\(tap) --store '\(store)' --moderator \(name) --log \(session.path("m.log")); echo EXIT=$?")
                return session
            }
            defer { consoles.forEach { $0.close() } }
            let queue = TeamConsoleE2ETests().queueCount
            for console in consoles {
                let screen = try console.waitFor("the workers' items") { queue($0) == 171 }
                #expect(screen.contains("stream \(stream)") && !(screen.split(separator: "\n").first ?? "").contains("rejected"), "\(screen.prefix(300))")
            }
            // More of the stream: the items arrive on both screens as the worker puts them, and
            // its last post in the feed pane of the console that follows the stream (bo's).
            let demo = repositoryRoot.appendingPathComponent("sample-feeds/demo.jsonl").path
            #expect(try publish(demo, stream: stream).status == 0)
            let marker = try temporaryFolder().appendingPathComponent("marker.jsonl")
            let words = "stream tap check zq7"
            try (#"{"type":"post","id":"tapcheck","account":"tapper","ts":"2026-03-01T09:30:00Z","text":"\#(words)"}"# + "\n")
                .write(to: marker, atomically: true, encoding: .utf8)
            #expect(try publish(marker.path, stream: stream).status == 0)
            try consoles[1].waitFor(text: words)
            #expect(!(try consoles[0].screen()).contains(words), "the console without --nats has no feed of its own")
            try consoles[1].waitFor("new items") { (queue($0) ?? 0) > 171 }
            // Once the worker has put them all, both screens hold them all.
            var grown = try postItems(store).count
            while true {
                Thread.sleep(forTimeInterval: 2)
                let now = try postItems(store).count
                if now == grown { break }
                grown = now
            }
            for console in consoles { try console.waitFor("all \(grown) items") { queue($0) == grown } }
            // amina dismisses the head of her queue: bo's queue loses it.
            try consoles[0].keys("2", "g", "d")
            try consoles[0].waitFor(text: "saved: dismiss")
            try consoles[1].waitFor("amina's dismissal on bo's screen") { queue($0) == grown - 1 }
            for console in consoles {
                try console.keys("q")
                try console.waitFor(text: "EXIT=0")
            }
        }
    }
}
