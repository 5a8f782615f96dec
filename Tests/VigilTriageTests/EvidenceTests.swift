import Foundation
import Testing
@testable import VigilTriage

@Suite struct EvidenceTests {
    static let postText = "Join us \u{1B}[31mnow\u{1B}[0m\r\n```rm -rf```\n\u{202E}txet"
    static let shownAtConfirm = ItemSnapshot(
        account: "recruiter88", text: postText, feedTs: "2024-05-01T11:59:58Z", score: 82, band: "high",
        explanation: "recruitment 60 + call to action 22", matches: ["join us (recruitment, folded) 'Join us' @0-7"], cluster: "c3")

    /// p1 confirmed with a snapshot, annotated, dismissed under a newer lexicon and that undone;
    /// a decision on p2 that is not part of p1's history.
    static let postLog: [Decision] = {
        var confirm = decision(.confirm, [p1], category: "recruitment", id: 1)
        confirm.feedTs = "2024-05-01T11:59:58Z"
        confirm.scoresShown = [82]
        confirm.snapshots = [shownAtConfirm]
        var note = decision(.annotate, [p1], note: "escalated to legal\u{07}", by: "bob", at: 60, id: 2)
        note.scoresShown = [82]
        var dismiss = decision(.dismiss, [p1], category: "spam", by: "carol", at: 120, id: 3)
        dismiss.lexiconVersion = "2024.06"
        dismiss.scoresShown = [85]
        var later = shownAtConfirm
        later.score = 85
        dismiss.snapshots = [later]
        var undo = decision(.revert, [p1], by: "carol", at: 180, revertOf: 3, id: 4)
        undo.lexiconVersion = "2024.06"
        undo.scoresShown = [85]
        let other = decision(.confirm, [p2], at: 200, id: 5)
        return [confirm, note, dismiss, undo, other]
    }()

    @Test func postMarkdown() {
        #expect(EvidenceBundle.markdown(item: p1, decisions: Self.postLog) == """
            # Evidence: post:p1

            - Feed: f0a1
            - Status: confirm (category recruitment) by alice, decision #1
            - Note: escalated to legal\\u{7}

            ## As shown at decision #1 (lexicon 2024.05)

            - Account: recruiter88
            - Feed time: 2024-05-01T11:59:58Z
            - Score: 82 (high)
            - Cluster: c3

            ### Text

            ````text
            Join us \\u{1B}[31mnow\\u{1B}[0m\\r
            ```rm -rf```
            \\u{202E}txet
            ````

            ### Matches

            - join us (recruitment, folded) 'Join us' @0-7

            ### Explanation

            ```text
            recruitment 60 + call to action 22
            ```

            ## Decision history

            - #1 2024-05-01T12:00:00.000Z confirm by alice; category recruitment; score shown 82; feed time 2024-05-01T11:59:58Z; lexicon 2024.05
            - #2 2024-05-01T12:01:00.000Z annotate by bob; score shown 82; lexicon 2024.05
              Note: escalated to legal\\u{7}
            - #3 2024-05-01T12:02:00.000Z dismiss by carol; category spam; score shown 85; lexicon 2024.06; reverted by #4
            - #4 2024-05-01T12:03:00.000Z revert of #3 by carol; score shown 85; lexicon 2024.06

            """)
    }

    @Test func markdownIsSafeToPrintOnATerminal() {
        let markdown = EvidenceBundle.markdown(item: p1, decisions: Self.postLog)
        let unsafe = markdown.unicodeScalars.filter { scalar in
            (scalar.value < 0x20 && scalar != "\n") || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x202E
        }
        #expect(unsafe.isEmpty)
    }

    @Test func postJSON() throws {
        let json = EvidenceBundle.json(item: p1, decisions: Self.postLog)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["item"] as? String == "post:p1")
        #expect(object["feed"] as? String == "f0a1")
        #expect(object["shown_at_decision"] as? Int == 1)
        let snapshot = try #require(object["snapshot"] as? [String: Any])
        #expect(snapshot["text"] as? String == Self.postText, "verbatim, control characters included")
        #expect(snapshot["account"] as? String == "recruiter88")
        #expect(snapshot["score"] as? Int == 82)
        #expect(snapshot["matches"] as? [String] == Self.shownAtConfirm.matches)
        #expect(snapshot["explanation"] as? String == "recruitment 60 + call to action 22")
        let status = try #require(object["status"] as? [String: Any])
        #expect(status["verdict"] as? String == "confirm")
        #expect(status["decision"] as? Int == 1)
        #expect(status["notes"] as? [String] == ["escalated to legal\u{07}"])
        #expect(status["snoozed"] as? Bool == false)
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.map { $0["id"] as? Int } == [1, 2, 3, 4])
        #expect(history.map { $0["action"] as? String } == ["confirm", "annotate", "dismiss", "revert"])
        #expect(history.map { $0["reverted_by"] as? Int } == [nil, nil, 4, nil])
        #expect(history.map { $0["score_shown"] as? Int } == [82, 82, 85, 85])
        #expect(history[3]["revert_of"] as? Int == 3)
        #expect(history[1]["note"] as? String == "escalated to legal\u{07}")
        #expect(history[0]["decided_at"] as? String == "2024-05-01T12:00:00.000Z")
        #expect(!json.unicodeScalars.contains("\u{1B}"), "escaped in the file")
    }

    static let clusterShown = ItemSnapshot(
        score: 74, band: "high", explanation: "3 accounts tied by shared links", cluster: "c3", members: ["@a1", "@a2", "@a3"],
        evidence: ["shared link example.org/x by @a1 @a2", "near-duplicate text: 'Join us' (@a2, @a3)"])

    /// A cluster confirmed together with two of its posts.
    static let clusterLog: [Decision] = {
        var bulk = decision(.confirm, [c3, p1, p2], category: "recruitment", id: 9)
        bulk.scoresShown = [74, 82, 40]
        bulk.snapshots = [clusterShown, shownAtConfirm, ItemSnapshot(account: "@a3", text: "hello")]
        return [bulk]
    }()

    @Test func clusterMarkdown() {
        #expect(EvidenceBundle.markdown(item: c3, decisions: Self.clusterLog) == """
            # Evidence: cluster:c3

            - Feed: f0a1
            - Status: confirm (category recruitment) by alice, decision #9

            ## As shown at decision #9 (lexicon 2024.05)

            - Score: 74 (high)
            - Cluster: c3

            ### Explanation

            ```text
            3 accounts tied by shared links
            ```

            ### Members

            - @a1
            - @a2
            - @a3

            ### Evidence

            - shared link example.org/x by @a1 @a2
            - near-duplicate text: 'Join us' (@a2, @a3)

            ## Decision history

            - #9 2024-05-01T12:00:00.000Z confirm by alice; category recruitment; score shown 74; lexicon 2024.05; with 2 other item(s)

            """)
    }

    @Test func clusterJSON() throws {
        let json = EvidenceBundle.json(item: c3, decisions: Self.clusterLog)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let snapshot = try #require(object["snapshot"] as? [String: Any])
        #expect(snapshot["members"] as? [String] == ["@a1", "@a2", "@a3"])
        #expect(snapshot["evidence"] as? [String] == Self.clusterShown.evidence)
        #expect(snapshot["text"] is NSNull)
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.count == 1)
        #expect(history[0]["items"] as? [String] == ["cluster:c3", "post:p1", "post:p2"])
        #expect(history[0]["score_shown"] as? Int == 74)
        // The post in the same bulk decision gets its own snapshot, not the cluster's.
        let post = try #require(try JSONSerialization.jsonObject(with: Data(EvidenceBundle.json(item: p2, decisions: Self.clusterLog).utf8))
            as? [String: Any])
        #expect((post["snapshot"] as? [String: Any])?["text"] as? String == "hello")
    }

    @Test func itemWithoutDecisionsHasNoHistory() {
        #expect(EvidenceBundle.history(of: ItemRef(.post, "p404"), in: Self.postLog).isEmpty)
        #expect(EvidenceBundle.history(of: p1, in: Self.postLog).map(\.id) == [1, 2, 3, 4])
    }

    @Test func fileStemsStayInTheOutputDirectory() {
        #expect(EvidenceBundle.fileStem(p1) == "post-p1")
        #expect(EvidenceBundle.fileStem(ItemRef(.cluster, "c-3_x.y")) == "cluster-c-3_x.y")
        #expect(EvidenceBundle.fileStem(ItemRef(.post, "../../etc/passwd")) == "post-..%2F..%2Fetc%2Fpasswd")
        #expect(EvidenceBundle.fileStem(ItemRef(.post, "a b\u{1B}é")) == "post-a%20b%1B%C3%A9")
    }

    @Test("ids that used to share a file name get one each (post:a/b, post:a_b, post:a:b, post:a%2Fb)")
    func fileStemsAreInjective() {
        let ids = ["a/b", "a_b", "a:b", "a%2Fb", "a b", "a\u{0}b", "A_B", "a_b "]
        let stems = ids.map { EvidenceBundle.fileStem(ItemRef(.post, $0)) }
        #expect(Set(stems).count == ids.count, "\(stems)")
        #expect(EvidenceBundle.fileStem(ItemRef(.cluster, "a_b")) != EvidenceBundle.fileStem(ItemRef(.post, "a_b")))
    }

    @Test("a very long id keeps a name a file system takes, still one per id")
    func longIdsGetADigest() {
        let long = String(repeating: "é", count: 400)
        let stems = [long, long + "x", long + "y"].map { EvidenceBundle.fileStem(ItemRef(.post, $0)) }
        #expect(stems.allSatisfy { $0.utf8.count <= 200 && $0.contains("~") })
        #expect(Set(stems).count == 3)
    }

    @Test("ids, accounts, notes and moderator names from the feed or the console are not raw HTML in the Markdown")
    func markdownEscapesHTML() {
        let script = "<script>alert(1)</script>"
        var confirm = decision(.confirm, [ItemRef(.post, "p<b>1</b>")], category: "x<img src=x onerror=alert(1)>", note: "see [link](javascript:alert(1)) & " + script,
                               by: "<i>mallory</i>", id: 1)
        confirm.snapshots = [ItemSnapshot(account: "acct<script>", text: "text " + script, cluster: "<c1>", members: ["<m1>"],
                                          evidence: ["shared_link: 2 edges; keys <a href=x>"])]
        let markdown = EvidenceBundle.markdown(item: ItemRef(.post, "p<b>1</b>"), decisions: [confirm])
        let outsideCode = markdown.components(separatedBy: "```").enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element).joined()
        let characters = Array(outsideCode)
        for (i, c) in characters.enumerated() where "<>[]&".contains(c) {
            #expect(i > 0 && characters[i - 1] == "\\", "an unescaped \(c) outside a code block")
        }
        #expect(outsideCode.contains("\\<img src=x onerror=alert(1)\\>") && outsideCode.contains("\\<i\\>mallory"))
        #expect(markdown.contains("\\<script\\>alert(1)\\</script\\>"))
        #expect(markdown.contains("text <script>alert(1)</script>"), "the post text stays verbatim inside its fence")
    }

    @Test("invisible tag characters in ids, notes, names and post text show as what they spell, escaped, never raw")
    func tagCharactersAreShown() {
        func tags(_ ascii: String) -> String { String(String.UnicodeScalarView(ascii.unicodeScalars.map { Unicode.Scalar($0.value + 0xE0000)! })) }
        let item = ItemRef(.post, "p1" + tags("<i>x</i>"))
        var confirm = decision(.confirm, [item], note: "fine" + tags("approve all"), by: "bob" + tags("admin"), id: 1)
        // Tags spelling a fence must not close the text's fence.
        confirm.snapshots = [ItemSnapshot(account: "a1", text: "hello" + tags("```` # Approved"))]
        let markdown = EvidenceBundle.markdown(item: item, decisions: [confirm])
        #expect(!markdown.unicodeScalars.contains { (0xE0000...0xE007F).contains($0.value) })
        #expect(markdown.contains("# Evidence: post:p1\\<tags:\\<i\\>x\\</i\\>\\>"))
        #expect(markdown.contains("  Note: fine\\<tags:approve all\\>"))
        #expect(markdown.contains("by bob\\<tags:admin\\>"))
        #expect(markdown.contains("`````text\nhello<tags:```` # Approved>\n`````"))
    }

    static let chain = [
        AccountFacts(id: "a1", handle: "sami", displayName: "Sami", suspensions: ["2026-03-01T08:15:30Z"]),
        AccountFacts(id: "a2", handle: "@sami_2", displayName: "Sami", createdAt: "2026-03-01T08:16:00Z"),
    ]

    @Test("a bundle reads without the console: handles and names beside ids, near-duplicate texts side by side, suspensions, no empty field")
    func bundlesAreReadableWithoutTheConsole() {
        var confirm = decision(.confirm, [c3], category: "recruitment", id: 1)
        confirm.snapshots = [ItemSnapshot(
            score: 80, cluster: "c3", members: ["a1", "a2"],
            evidence: ["handle_family: 1 edges; keys sami; samples ", "near_duplicate_text: 1 edges; keys ; samples a1+a2 p7,p9 @2026-03-01T08:16:05Z"],
            accounts: Self.chain,
            samples: [PostFacts(id: "p7", account: "a1", feedTs: "2026-03-01T08:10:00Z", text: "join the caravan"),
                      PostFacts(id: "p9", account: "a2", feedTs: "2026-03-01T08:16:05Z", text: "j0in the caravan")])]
        let markdown = EvidenceBundle.markdown(item: c3, decisions: [confirm])
        #expect(markdown.contains("- a1 (@sami, “Sami”)\n- a2 (@sami_2, “Sami”); created 2026-03-01T08:16:00Z\n"))
        #expect(markdown.contains("| p7 | a1 (@sami, “Sami”) | 2026-03-01T08:10:00Z | join the caravan |"))
        #expect(markdown.contains("| p9 | a2 (@sami_2, “Sami”) | 2026-03-01T08:16:05Z | j0in the caravan |"))
        #expect(markdown.contains("### Suspensions\n\n- 2026-03-01T08:15:30Z: a1 (@sami, “Sami”) suspended\n"))
        #expect(markdown.contains("- handle_family: 1 edges; keys sami\n"), "no empty 'samples'")
        #expect(!markdown.contains("samples \n") && !markdown.contains("keys ;"))

        let object = try? JSONSerialization.jsonObject(with: Data(EvidenceBundle.json(item: c3, decisions: [confirm]).utf8)) as? [String: Any]
        let snapshot = object?["snapshot"] as? [String: Any]
        #expect((snapshot?["accounts"] as? [[String: Any]])?.map { $0["handle"] as? String } == ["sami", "@sami_2"])
        #expect((snapshot?["samples"] as? [[String: Any]])?.map { $0["text"] as? String } == ["join the caravan", "j0in the caravan"])
    }

    @Test("a post's author is named by handle and name, with their suspensions")
    func postAuthorIsNamed() {
        var confirm = decision(.confirm, [p1], id: 1)
        confirm.snapshots = [ItemSnapshot(account: "a1", text: "hello", accounts: [Self.chain[0]])]
        let markdown = EvidenceBundle.markdown(item: p1, decisions: [confirm])
        #expect(markdown.contains("- Account: a1 (@sami, “Sami”)\n"))
        #expect(markdown.contains("- 2026-03-01T08:15:30Z: a1 (@sami, “Sami”) suspended"))
    }

    @Test("a snapshot stored before accounts and samples existed still decodes")
    func oldSnapshotsDecode() throws {
        let old = #"{"account":"a1","matches":[],"members":[],"evidence":[],"text":"hi"}"#
        let snapshot = try JSONDecoder().decode(ItemSnapshot.self, from: Data(old.utf8))
        #expect(snapshot.accounts == nil && snapshot.samples == nil && snapshot.text == "hi")
    }

    @Test("the feed completes snapshots stored without accounts and sample texts")
    func feedLookupFillsSnapshots() throws {
        try withTemporaryDirectory { directory in
            let feed = directory.appendingPathComponent("feed.jsonl").path
            try Data("""
                {"type":"account","id":"a1","handle":"sami","display_name":"Sami","created_at":"2026-03-01T08:00:00Z"}
                {"type":"post","id":"p7","account":"a1","ts":"2026-03-01T08:10:00Z","text":"join the caravan"}
                {"type":"suspension","account":"a1","ts":"2026-03-01T08:15:30Z"}
                {"type":"account","id":"a2","handle":"sami_2","created_at":"2026-03-01T08:16:00Z"}
                {"type":"post","id":"p9","account":"a2","ts":"2026-03-01T08:16:05Z","text":"j0in the caravan"}
                {"type":"post","id":"p10","account":"a3","ts":"2026-03-01T08:16:06Z","text":"unrelated"}

                """.utf8).write(to: URL(fileURLWithPath: feed))
            let stored = ItemSnapshot(cluster: "c3", members: ["a1", "a2"],
                                      evidence: ["near_duplicate_text: 1 edges; keys ; samples a1+a2 p7,p9 @2026-03-01T08:16:05Z"])
            let lookup = try FeedLookup.read(paths: [feed], for: [stored])
            let filled = lookup.filling(stored)
            #expect(filled.accounts == [AccountFacts(id: "a1", handle: "sami", displayName: "Sami", createdAt: "2026-03-01T08:00:00Z",
                                                     suspensions: ["2026-03-01T08:15:30Z"]),
                                        AccountFacts(id: "a2", handle: "sami_2", createdAt: "2026-03-01T08:16:00Z")])
            #expect(filled.samples?.map(\.text) == ["join the caravan", "j0in the caravan"])
            #expect(lookup.posts["p10"] == nil, "only what the snapshots name is kept")
        }
    }
}
