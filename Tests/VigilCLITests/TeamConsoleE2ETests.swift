import Foundation
import Testing

/// Two consoles, two moderators, one PostgreSQL store, in real terminals: a decision shows on the
/// other screen without a restart, an item one moderator is reading shows as claimed by them to
/// the other, an escalation reaches the senior's console, and a senior approves a held action.
@Suite(.serialized) struct TeamConsoleE2ETests {
    /// The first `post pNNN` the detail pane names.
    func detailPost(_ screen: String) -> String? {
        screen.firstMatch(of: #/post (p\d+) · /#).map { String($0.1) }
    }

    /// N in "│ queue N" on the status bar.
    func queueCount(_ screen: String) -> Int? {
        screen.split(separator: "\n").first?.firstMatch(of: /queue (\d+)/).flatMap { Int($0.1) }
    }

    @Test func twoModeratorsOnOnePostgresStore() throws {
        try TeamCLITests().withStore("postgres") { url in
            let senior = try vigil(["team", "add", "bo", "--role", "senior", "--store", url])
            #expect(senior.status == 0, "\(senior.stderr)")
            let amina = try TmuxSession(cols: 160, rows: 48)
            defer { amina.close() }
            let bo = try TmuxSession(cols: 160, rows: 48)
            defer { bo.close() }
            for (session, name) in [(amina, "amina"), (bo, "bo")] {
                try session.run("\(vigilBinary().path) monitor \(workshopFeed) --store '\(url)' --moderator \(name) --log \(session.path("\(name).log")); echo EXIT=$?")
            }
            try amina.waitFor(text: "end of feed")
            var boScreen = try bo.waitFor(text: "end of feed")
            let before = try #require(queueCount(boScreen))

            // Both go to the head of the queue (a cursor stays on its item as others arrive), and
            // amina opens the second row: it is hers while she reads it, and bo sees so.
            try amina.keys("g", "j")
            let post = try #require(detailPost(try amina.waitFor("amina on the second row") { $0.contains(" 2/\(before) ") }))
            try amina.keys("Enter")
            try bo.keys("g")
            try bo.waitFor("amina's claim in bo's queue") { $0.contains(" 1/\(before) ") && $0.contains("⚑ amina") }
            try bo.keys("j")
            boScreen = try bo.waitFor("the claim in bo's detail") { $0.contains(" 2/\(before) ") && $0.contains("claimed by amina") }
            #expect(detailPost(boScreen) == post, "bo reads the item amina holds")

            // amina dismisses it: bo's queue loses it without a restart.
            try amina.keys("d")
            try amina.waitFor(text: "saved: dismiss post:\(post)")
            boScreen = try bo.waitFor("amina's dismissal on bo's screen") { self.queueCount($0) == before - 1 }
            #expect(!boScreen.contains("⚑ amina") || detailPost(boScreen) != post)

            // amina escalates the next post: it comes to bo, a senior, tagged ESC.
            var aminaScreen = ""
            try amina.keys("Escape", "2", "g")
            try amina.waitFor("amina back at the head") { $0.contains(" 1/\(before - 1) ") }
            var row = 1
            repeat {
                try amina.keys("j")
                row += 1
                let at = row
                aminaScreen = try amina.waitFor("amina on row \(at)") { $0.contains(" \(at)/\(before - 1) ") }
            } while detailPost(aminaScreen) == nil && row < 6
            try amina.keys("e")
            aminaScreen = try amina.waitFor(text: "— reason")
            #expect(aminaScreen.contains("Escalate post:"), "a post, not a cluster")
            try amina.tmux(["send-keys", "-t", amina.name, "-l", "needs a senior"])
            try amina.keys("Enter")
            try amina.waitFor(text: "saved: escalate post:")
            try bo.keys("g")
            try bo.waitFor("the escalation in bo's queue") { $0.contains("ESC ") }

            try amina.keys("q")
            try amina.waitFor(text: "EXIT=0")
            try bo.keys("q")
            try bo.waitFor(text: "EXIT=0")
        }
    }

    /// The two-person rule across two consoles: amina's cluster dismiss waits, bo (a senior)
    /// approves it from his queue, and amina's screen shows it decided.
    @Test func aSeniorsConsoleApprovesAModeratorsClusterAction() throws {
        try TeamCLITests().withStore("postgres") { url in
            #expect(try vigil(["team", "add", "bo", "--role", "senior", "--store", url]).status == 0)
            let policy = try temporaryFolder().appendingPathComponent("policy.yaml").path
            try "two_person_rule:\n  clusters: [confirm, dismiss]\n".write(toFile: policy, atomically: true, encoding: .utf8)
            #expect(try vigil(["team", "policy", policy, "--store", url]).status == 0)
            let amina = try TmuxSession(cols: 160, rows: 48)
            defer { amina.close() }
            let bo = try TmuxSession(cols: 160, rows: 48)
            defer { bo.close() }
            for (session, name) in [(amina, "amina"), (bo, "bo")] {
                try session.run("\(vigilBinary().path) monitor \(workshopFeed) --store '\(url)' --moderator \(name) --log \(session.path("\(name).log")); echo EXIT=$?")
            }
            try amina.waitFor(text: "end of feed")
            try bo.waitFor(text: "end of feed")

            // amina dismisses the first cluster, every post of it listed first: the store holds it.
            try amina.keys("4", "g", "d")
            try amina.waitFor(text: "(the cluster itself)")
            try amina.keys("G", "Enter")
            try amina.waitFor(text: "held for a senior's approval: dismiss")
            try amina.keys("Enter")
            try amina.waitFor("amina's held dismiss, with what it covers") {
                $0.contains("your dismiss of cluster:") && $0.contains(") is waiting for approval by a senior")
            }

            // It heads bo's queue, counted apart from the items, and A approves it.
            try bo.keys("2", "g")
            let boScreen = try bo.waitFor("the approval at the head of bo's queue") {
                $0.contains("APPR CLSTR") && $0.contains("awaits your approval: dismiss of cluster:") && $0.contains(") by amina")
            }
            #expect(boScreen.split(separator: "\n").first?.contains(" · 1 to approve") == true, "\(boScreen)")
            try bo.keys("A")
            try bo.waitFor(text: "approved #1 (dismiss by amina)")

            // amina's screen shows it decided, without a restart.
            try amina.waitFor(text: "decided: dismiss by amina · approved by bo")

            try amina.keys("q")
            try amina.waitFor(text: "EXIT=0")
            try bo.keys("q")
            try bo.waitFor(text: "EXIT=0")
            let verify = try vigil(["audit", "verify", "--store", url])
            #expect(verify.status == 0 && verify.stdout.hasSuffix(": 2 decisions, chain intact\n"), "\(verify.stdout)\(verify.stderr)")
        }
    }
}
