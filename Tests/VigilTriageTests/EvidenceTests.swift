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
        #expect(EvidenceBundle.fileStem(ItemRef(.post, "../../etc/passwd")) == "post-.._.._etc_passwd")
        #expect(EvidenceBundle.fileStem(ItemRef(.post, "a b\u{1B}é")) == "post-a_b__")
    }
}
