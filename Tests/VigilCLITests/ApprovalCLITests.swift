import Foundation
import Testing

/// The two-person rule from the command line: `vigil team policy`, `vigil decide … approve|reject`
/// and `vigil queue --state approvals`, on an SQLite file and on a real PostgreSQL.
@Suite struct ApprovalCLITests {
    @Test(arguments: ["sqlite", "postgres"])
    func aClusterDismissWaitsForASeniorWhoIsNotTheDecider(backend: String) throws {
        try TeamCLITests().withStore(backend) { store in
            #expect(try vigil(["scan", TeamCLITests.workshop, "--clusters", "--store", store]).status == 0)
            let folder = try temporaryFolder()
            let policy = folder.appendingPathComponent("policy.yaml").path
            try "two_person_rule:\n  clusters: [dismiss, confirm]\n  reach:\n    followers_at_least: 100000\n".write(toFile: policy, atomically: true, encoding: .utf8)
            let set = try vigil(["team", "policy", policy, "--store", store])
            #expect(set.status == 0, "\(set.stderr)")
            #expect(set.stdout == "two_person_rule:\n  clusters: [confirm, dismiss]\n  reach:\n    followers_at_least: 100000\n    actions: [confirm]\n")
            #expect(try vigil(["team", "policy", "--store", store]).stdout == set.stdout, "read back from the store")
            let clusters = jsonLines(try vigil(["queue", "--store", store]).stdout).compactMap { $0["item"] as? String }.filter { $0.hasPrefix("cluster:") }
            let (first, second) = (try #require(clusters.first), try #require(clusters.dropFirst().first))

            let held = try vigil(["decide", first, "dismiss", "--store", store, "--moderator", "amina"])
            #expect(held.status == 0 && held.stdout == "decision 1: dismiss \(first) by amina; waits for a senior's approval: cluster-wide dismiss waits for a senior\n",
                    "\(held.stdout)\(held.stderr)")
            let waiting = jsonLines(try vigil(["queue", "--store", store, "--state", "approvals"]).stdout)
            #expect(waiting.count == 1)
            #expect(waiting.first?["item"] as? String == first && waiting.first?["state"] as? String == "awaiting_approval")
            #expect(waiting.first?["decision"] as? Int == 1 && waiting.first?["decided_by"] as? String == "amina" && waiting.first?["action"] as? String == "dismiss")
            #expect(!jsonLines(try vigil(["queue", "--store", store]).stdout).contains { $0["item"] as? String == first }, "off the open queue")

            let own = try vigil(["decide", first, "approve", "--store", store, "--moderator", "amina"])
            #expect(own.status == 65 && own.stderr.contains("amina made decision 1; the two-person rule needs someone else"), "\(own.stderr)")
            let peer = try vigil(["decide", first, "approve", "--store", store, "--moderator", "bo"])
            #expect(peer.status == 65 && peer.stderr.contains("bo is not a senior or lead"), "\(peer.stderr)")
            #expect(try vigil(["team", "add", "sam", "--role", "senior", "--store", store]).status == 0)
            let approved = try vigil(["decide", first, "approve", "--store", store, "--moderator", "sam"])
            #expect(approved.status == 0 && approved.stdout == "decision 2: sam approved decision 1 (dismiss \(first) by amina)\n", "\(approved.stderr)")
            #expect(jsonLines(try vigil(["queue", "--store", store, "--state", "approvals"]).stdout).isEmpty)
            #expect(jsonLines(try vigil(["queue", "--store", store, "--state", "all"]).stdout).first { $0["item"] as? String == first }?["state"] as? String == "dismiss")
            let again = try vigil(["decide", first, "approve", "--store", store, "--moderator", "sam"])
            #expect(again.status == 65 && again.stderr.contains("has no decision waiting for approval"), "\(again.stderr)")

            // Rejected (with a reason), the item is back in the queue.
            #expect(try vigil(["decide", second, "confirm", "--store", store, "--moderator", "amina"]).status == 0)
            // A rejection says why: the store refuses one without a reason, whoever writes it.
            let unexplained = try vigil(["decide", second, "reject", "--store", store, "--moderator", "sam"])
            #expect(unexplained.status == 65 && unexplained.stderr.contains("reject needs a reason (a note)"), "\(unexplained.stderr)")
            let rejected = try vigil(["decide", second, "reject", "--note", "two accounts, not a campaign", "--store", store, "--moderator", "sam"])
            #expect(rejected.status == 0, "\(rejected.stderr)")
            #expect(jsonLines(try vigil(["queue", "--store", store]).stdout).first { $0["item"] as? String == second }?["state"] as? String == "open")

            let verify = try vigil(["audit", "verify", "--store", store])
            #expect(verify.status == 0 && verify.stdout.hasSuffix(": 4 decisions, chain intact\n"), "\(verify.stdout)\(verify.stderr)")
        }
    }

    /// `vigil scan --store` records each post's reach (its account's followers in the feed), so
    /// the reach rule holds a confirm on a widely followed account and not on a little-followed one.
    @Test func theReachRuleWeighsFollowersFromTheFeed() throws {
        let folder = try temporaryFolder()
        let store = "sqlite:" + folder.appendingPathComponent("team.sqlite").path
        #expect(try vigil(["scan", TeamCLITests.workshop, "--store", store]).status == 0)
        let policy = folder.appendingPathComponent("policy.yaml").path
        try "two_person_rule:\n  reach:\n    followers_at_least: 500000\n".write(toFile: policy, atomically: true, encoding: .utf8)
        #expect(try vigil(["team", "policy", policy, "--store", store]).status == 0)
        // In the workshop feed p614's author has 1,374,012 followers, p3345's 16.
        let wide = try vigil(["decide", "post:p614", "confirm", "--store", store, "--moderator", "amina"])
        #expect(wide.stdout == "decision 1: confirm post:p614 by amina; waits for a senior's approval: "
                + "confirm on an account with 1374012 followers (the policy holds 500000 or more)\n", "\(wide.stdout)\(wide.stderr)")
        let narrow = try vigil(["decide", "post:p3345", "confirm", "--store", store, "--moderator", "amina"])
        #expect(narrow.stdout == "decision 2: confirm post:p3345 by amina\n", "\(narrow.stdout)\(narrow.stderr)")
    }

    @Test func aPolicyFileWithAMistakeIsRefusedWithItsLine() throws {
        let folder = try temporaryFolder()
        let policy = folder.appendingPathComponent("policy.yaml").path
        try "two_person_rule:\n  clusters: [dismiss, snooze]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let store = "sqlite:" + folder.appendingPathComponent("team.sqlite").path
        let run = try vigil(["team", "policy", policy, "--store", store])
        #expect(run.status == 65)
        #expect(run.stderr.contains("policy.yaml:2: 'snooze' is not an action that closes an item"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: String(store.dropFirst("sqlite:".count))), "refused before the store is opened")
    }
}

/// `vigil decide ITEM hold|send` on an SQLite file (the store rules' tests cover PostgreSQL).
@Suite struct HandoffCLITests {
    @Test func holdKeepsTheItemAndSendHandsItOnUntilTheTimerRunsOut() throws {
        let folder = try temporaryFolder()
        let store = "sqlite:" + folder.appendingPathComponent("team.sqlite").path
        #expect(try vigil(["scan", TeamCLITests.workshop, "--store", store]).status == 0)
        let items = jsonLines(try vigil(["queue", "--store", store]).stdout).compactMap { $0["item"] as? String }
        let (first, second) = (try #require(items.first), try #require(items.dropFirst().first))

        #expect(try vigil(["decide", first, "hold", "--store", store, "--moderator", "amina"]).status == 64, "a hold says why")
        let hold = try vigil(["decide", first, "hold", "--note", "is this a quote?", "--store", store, "--moderator", "amina"])
        #expect(hold.status == 0 && hold.stdout == "decision 1: hold \(first) by amina\n", "\(hold.stderr)")
        let held = jsonLines(try vigil(["queue", "--store", store]).stdout).first { $0["item"] as? String == first }
        #expect(held?["state"] as? String == "claimed" && held?["claimed_by"] as? String == "amina", "kept after the command ended")
        // Another moderator may not act on it; a senior answering the call may.
        #expect(try vigil(["decide", first, "dismiss", "--store", store, "--moderator", "bo"]).status == 65)
        #expect(try vigil(["team", "add", "lena", "--role", "senior", "--store", store]).status == 0)
        let helped = try vigil(["decide", first, "confirm", "--store", store, "--moderator", "lena"])
        #expect(helped.status == 0 && helped.stdout == "decision 2: confirm \(first) by lena\n", "\(helped.stderr)")

        #expect(try vigil(["decide", second, "send", "--note", "x", "--store", store, "--moderator", "amina"]).status == 64, "send needs --to")
        let send = try vigil(["decide", second, "send", "--to", "sam", "--note", "Tagalog slang", "--return-after", "2s",
                              "--store", store, "--moderator", "amina"])
        #expect(send.status == 0 && send.stdout == "decision 3: send \(second) by amina to sam; back in the shared queue in 00:00:02 if not decided\n",
                "\(send.stdout)\(send.stderr)")
        #expect(jsonLines(try vigil(["queue", "--store", store]).stdout).first { $0["item"] as? String == second }?["claimed_by"] as? String == "sam")
        let bo = try vigil(["decide", second, "dismiss", "--store", store, "--moderator", "bo"])
        #expect(bo.status == 65 && bo.stderr.contains("claimed by sam"), "\(bo.stderr)")
        Thread.sleep(forTimeInterval: 2.2)
        #expect(jsonLines(try vigil(["queue", "--store", store]).stdout).first { $0["item"] as? String == second }?["state"] as? String == "open")
        #expect(try vigil(["decide", second, "dismiss", "--store", store, "--moderator", "bo"]).status == 0)
    }
}
