import Foundation
import Testing

/// A console killed while it holds a claim, in a real terminal on a real PostgreSQL: nothing
/// releases the claim, so the item stays its moderator's until the lease runs out, then anyone
/// may take it.
@Suite(.serialized) struct TeamCrashE2ETests {
    @Test func aKilledConsolesClaimReturnsToTheQueueAfterTheLease() throws {
        let cli = TeamCLITests()
        try cli.withStore("postgres") { url in
            #expect(try vigil(["scan", workshopFeed, "--clusters", "--store", url]).status == 0)
            let amina = try TmuxSession(cols: 160, rows: 48)
            defer { amina.close() }
            try amina.run(monitorCommand(amina, store: "'\(url)'", moderator: "amina") + "; echo EXIT=$?")
            try amina.waitFor(text: "end of feed")
            // Opening the head of the queue claims it while she reads it.
            try amina.keys("g", "Enter")
            let screen = try amina.waitFor("amina holding an item") { $0.split(separator: "\n").first?.contains("holding ") == true }
            let held = try #require(screen.firstMatch(of: #/holding ((?:post|cluster):\S+) /#).map { String($0.1) })
            let stored = jsonLines(try vigil(["queue", "--store", url]).stdout).first { $0["item"] as? String == held }
            #expect(stored?["claimed_by"] as? String == "amina", "\(String(describing: stored))")

            let console = try #require(try amina.childPID())
            #expect(kill(console, SIGKILL) == 0)
            try amina.waitFor(text: "EXIT=137")

            // bo takes everything open: everything but the item amina's lease still holds.
            let first = jsonLines(try vigil(["queue", "--store", url, "--claim", "10000", "--moderator", "bo"]).stdout).compactMap { $0["item"] as? String }
            #expect(!first.isEmpty && !first.contains(held))
            // Five minutes later on the database's clock (the console's lease): the lease is over.
            cli.sql(url, """
                UPDATE claim SET claimed_at = claimed_at - 300, lease_until = lease_until - 300 WHERE moderator = 'amina';
                UPDATE review_item SET claimed_until = claimed_until - 300 WHERE kind || ':' || item_id = '\(held)'
                """)
            let second = jsonLines(try vigil(["queue", "--store", url, "--claim", "10000", "--moderator", "bo"]).stdout).compactMap { $0["item"] as? String }
            #expect(second == [held], "the killed console's item, and only it, came back")
        }
    }
}
