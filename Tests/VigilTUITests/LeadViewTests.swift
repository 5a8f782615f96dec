import Foundation
import Testing
import VigilTriage
@testable import VigilTUI

/// The team pane (6) as the lead reads it: a row per queue the store tells apart, ages coloured
/// at 4 and 24 hours, breaches of the service level; a row per moderator.
@Suite struct LeadViewTests {
    static let lead = LeadStats(
        queues: [QueueStats(queue: .review, pending: 167, claimed: 4, oldestAge: 5 * 3600, breaches: 12),
                 QueueStats(queue: .escalations, pending: 2, claimed: 0, oldestAge: 25 * 3600 + 60, breaches: 2)],
        moderators: [ModeratorStats(name: "amina", decided: 34, perHour: 34, medianHandling: 40, online: true, lookingAt: ItemRef(.post, "p3")),
                     ModeratorStats(name: "bob", decided: 3, perHour: 3, medianHandling: nil, online: false, lookingAt: nil)],
        asOf: 0, sla: AppState.slaSeconds, window: 3600, onlineWithin: AppState.presenceTimeout)

    /// The role of the cells where `text` is first drawn after `row`, on the first line that
    /// holds `row` (nil if not found, or drawn in more than one role).
    static func role(of text: String, onRowWith row: String, in canvas: Canvas) -> Role? {
        let lines = canvas.lines
        guard let index = lines.firstIndex(where: { $0.contains(row) }), let start = lines[index].range(of: row),
              let range = lines[index].range(of: text, range: start.upperBound..<lines[index].endIndex) else { return nil }
        // One column per character: the team pane draws no wide ones.
        let col = lines[index].distance(from: lines[index].startIndex, to: range.lowerBound)
        let roles = Set((col..<(col + text.count)).map { canvas[index, $0].role })
        return roles.count == 1 ? roles.first : nil
    }

    static func teamPane(_ lead: LeadStats?) -> Canvas {
        var state = TeamTests.team()
        _ = state.update(.resize(rows: 30, cols: 120))
        Fixture.press(&state, .char("6"))
        if let lead { _ = state.update(.storeChanged(StoreChanges(cursor: StoreCursor(), lead: lead))) }
        return state.render()
    }

    @Test func eachQueueIsARowWithItsAgeColoured() throws {
        let canvas = Self.teamPane(Self.lead)
        let text = canvas.text
        #expect(text.contains("Queues · ages in feed time · late: past 4h 00m"), "\(text)")
        #expect(text.contains("queue                        waiting  claimed   oldest   late"), "\(text)")
        #expect(text.contains("review                           167        4   5h 00m     12"), "\(text)")
        #expect(text.contains("escalations (seniors)              2        0  25h 01m      2"), "\(text)")
        #expect(Self.role(of: "5h 00m", onRowWith: "review ", in: canvas) == .warning, "past 4 hours")
        #expect(Self.role(of: "25h 01m", onRowWith: "escalations", in: canvas) == .error, "past a day")
        #expect(Self.role(of: "12", onRowWith: "review                           167        4   5h 00m", in: canvas) == .error, "breaches stand out")

        var calm = Self.lead
        calm.queues = [QueueStats(queue: .review, pending: 3, claimed: 0, oldestAge: 600, breaches: 0), QueueStats(queue: .escalations, pending: 0, claimed: 0, oldestAge: nil, breaches: 0)]
        let quiet = Self.teamPane(calm)
        #expect(quiet.text.contains("escalations (seniors)              0        0        -      0"), "\(quiet.text)")
        #expect(Self.role(of: "10m 00s", onRowWith: "review ", in: quiet) == .good)
        #expect(Self.role(of: "0", onRowWith: "escalations (seniors)              0        0        -     ", in: quiet) == .text)
    }

    @Test func eachModeratorIsARowWithRateAndHandlingTime() throws {
        let canvas = Self.teamPane(Self.lead)
        let text = canvas.text
        #expect(text.contains("Moderators · ● online ○ away · last 1h 00m"), "\(text)")
        #expect(text.contains("moderator         decided  /hour  median  looking at"), "\(text)")
        #expect(text.contains("● amina                  34     34     40s  post:p3"), "\(text)")
        #expect(text.contains("○ bob                     3      3       -"), "\(text)")
        #expect(Self.role(of: "3      3", onRowWith: "○ bob", in: canvas) == .dim, "away")
        // This console's own moderator, with nothing in the store yet, is online all the same.
        #expect(text.contains("● mod1                    0      0       -"), "\(text)")
    }

    /// The workers that fill the queue from a stream: pace and lag per worker, a silent or
    /// stopped one marked, every row within the narrowest team pane, a hostile name harmless.
    @Test func eachWorkerIsARowWithItsPaceAndTheStreamsBacklog() throws {
        var lead = Self.lead
        lead.asOf = 1000
        lead.workers = [WorkerStatus(feed: "f", name: "ingest-a-4711", durable: "d", posts: 90_000, postsPerSecond: 5210.4, items: 40,
                                     pending: 120_000, ackPending: 500, redelivered: 3, stopped: false, seenAt: 996),
                        WorkerStatus(feed: "f", name: "ingest-b-\u{1B}[2J-with-a-long-name", durable: "d", posts: 10, postsPerSecond: 0, items: 0,
                                     pending: 120_000, ackPending: 0, redelivered: 0, stopped: false, seenAt: 1000 - WorkerStatus.silentAfter - 1),
                        WorkerStatus(feed: "f", name: "ingest-c", durable: "d", posts: 10, postsPerSecond: 0, items: 0,
                                     pending: 0, ackPending: 0, redelivered: 0, stopped: true, seenAt: 999)]
        let canvas = Self.teamPane(lead)
        let text = canvas.text
        #expect(text.contains("Workers · the stream's backlog as each last saw it"), "\(text)")
        #expect(text.contains("worker          posts/s  waiting  unacked  redeliv  seen"), "\(text)")
        #expect(text.contains("ingest-a-4711      5210   120000      500        3  4s"), "\(text)")
        #expect(Self.role(of: "⚠ 16s", onRowWith: "ingest-b", in: canvas) == .warning, "silent for three reports, said in words")
        #expect(text.contains("        -   120000"), "no pace for a silent worker: \(text)")
        #expect(Self.role(of: "stopped", onRowWith: "ingest-c", in: canvas) == .warning)
        #expect(!text.contains("\u{1B}"), "no escape reaches the screen")
        var state = TeamTests.team()
        _ = state.update(.resize(rows: 40, cols: 120))
        for line in state.workerLines(lead) {
            #expect(DisplayText(line.map { $0.0 }.joined()).width <= 64, "fits the narrowest team pane: \(line)")
        }
        // A store no worker reports to shows no workers table.
        #expect(!Self.teamPane(Self.lead).text.contains("Workers ·"))
    }

    @Test func beforeTheStoreAnswersThePaneSaysSo() {
        #expect(Self.teamPane(nil).text.contains("Reading the team's figures from the store…"))
        // Without a shared store there is no team pane.
        var solo = Fixture.state()
        Fixture.press(&solo, .char("6"))
        #expect(solo.focus != .team)
    }
}
