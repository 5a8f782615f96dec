import Foundation
import Testing
@testable import VigilTriage

/// Workers report their pace and their consumer's lag to the store; the lead's view reads them
/// back with the rest of the team's figures, on both back ends.
@Suite struct WorkerStatusTests {
    static func status(_ name: String, feed: String = "f0a1", pending: Int, stopped: Bool = false) -> WorkerStatus {
        WorkerStatus(feed: feed, name: name, durable: "vigil-workers", posts: 1200, postsPerSecond: 240.5, items: 31,
                     pending: pending, ackPending: 500, redelivered: 2, stopped: stopped)
    }

    @Test(arguments: Backend.allCases)
    func aWorkersLatestReportIsItsRowStampedWithTheStoresClock(backend: Backend) throws {
        try withTeamStore(backend) { store, reopen in
            let workers = try #require(store as? WorkerStatusStore)
            try workers.report(Self.status("w1", pending: 9000))
            try workers.report(Self.status("w2", pending: 8000))
            // Another feed's worker is not this feed's.
            try workers.report(Self.status("w9", feed: "other", pending: 1))
            // The second report replaces the first.
            try workers.report(Self.status("w1", pending: 40, stopped: true))
            let lead = try LeadStatsTests.stats(try reopen())
            #expect(lead.workers.map(\.name) == ["w1", "w2"])
            let first = try #require(lead.workers.first)
            var expected = Self.status("w1", pending: 40, stopped: true)
            expected.seenAt = first.seenAt
            #expect(first == expected)
            #expect(abs(first.seenAt - lead.asOf) < 60, "stamped by the store's clock: \(first.seenAt) vs \(lead.asOf)")
        }
    }

    /// Workers not heard from within the view's window are gone from it (a worker that was
    /// replaced keeps no row on the lead's screen for ever).
    @Test(arguments: Backend.allCases)
    func workersSilentForLongerThanTheWindowAreLeftOut(backend: Backend) throws {
        try withTeamStore(backend) { store, _ in
            let workers = try #require(store as? WorkerStatusStore)
            try workers.report(Self.status("w1", pending: 1))
            let source = try #require(store as? LeadStatsSource)
            #expect(try source.leadStats(feed: "f0a1", sla: 60, window: 3600, onlineWithin: 60).workers.count == 1)
            // A negative window puts "since" after now.
            #expect(try source.leadStats(feed: "f0a1", sla: 60, window: -60, onlineWithin: 60).workers.isEmpty)
        }
    }
}
