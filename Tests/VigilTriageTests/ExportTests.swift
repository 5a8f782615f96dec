import Foundation
import Testing
@testable import VigilTriage

@Suite struct ExportTests {
    /// A bulk confirm, a note that needs quoting, and the undo of the bulk confirm.
    static let log: [Decision] = {
        var confirm = decision(.confirm, [p1, c3], category: "recruitment", at: 0.25, id: 1)
        confirm.feedTs = "2024-05-01T11:59:58Z"
        confirm.scoresShown = [82, nil]
        var note = decision(.annotate, [p1], note: "see thread, \"op\" said\nmore", by: "bob", at: 61, id: 2)
        note.scoresShown = [82]
        var undo = decision(.revert, [p1, c3], at: 100, revertOf: 1, id: 3)
        undo.scoresShown = [82, nil]
        return [confirm, note, undo]
    }()

    @Test func jsonl() {
        #expect(DecisionExport.jsonl(Self.log) == """
            {"id":1,"action":"confirm","items":["post:p1","cluster:c3"],"category":"recruitment","note":null,"moderator":"alice",\
            "decided_at":"2024-05-01T12:00:00.250Z","feed_ts":"2024-05-01T11:59:58Z","feed":"f0a1","lexicon_version":"2024.05",\
            "scores_shown":[82,null],"revert_of":null}
            {"id":2,"action":"annotate","items":["post:p1"],"category":null,"note":"see thread, \\"op\\" said\\nmore","moderator":"bob",\
            "decided_at":"2024-05-01T12:01:01.000Z","feed_ts":null,"feed":"f0a1","lexicon_version":"2024.05",\
            "scores_shown":[82],"revert_of":null}
            {"id":3,"action":"revert","items":["post:p1","cluster:c3"],"category":null,"note":null,"moderator":"alice",\
            "decided_at":"2024-05-01T12:01:40.000Z","feed_ts":null,"feed":"f0a1","lexicon_version":"2024.05",\
            "scores_shown":[82,null],"revert_of":1}

            """)
    }

    /// A cluster confirm that gave each post its own policy exports each one's.
    @Test func perItemCategoriesAreExported() {
        var confirm = decision(.confirm, [c3, p1, p2], id: 4)
        confirm.itemCategories = ["handoff", "handoff", "travel_hijrah"]
        #expect(DecisionExport.jsonLine(confirm).contains(#""category":null,"item_categories":["handoff","handoff","travel_hijrah"],"note""#))
        let rows = DecisionExport.csv([confirm]).split(separator: "\r\n")
        #expect(rows[3].hasPrefix("4,confirm,post:p2,travel_hijrah,"))
        #expect(rows[2].hasPrefix("4,confirm,post:p1,handoff,"))
    }

    /// Who waited for whom, who answered, who an item went to: on the rows they concern only.
    @Test func twoPersonRuleAndHandoffFieldsAreExported() {
        var held = decision(.dismiss, [c3], by: "amina", id: 5)
        held.needsApproval = "cluster-wide dismiss waits for a senior"
        var approval = decision(.approve, [c3], by: "sam", id: 6)
        approval.approvalOf = 5
        var send = decision(.send, [p1], note: "Tagalog", by: "amina", id: 7)
        send.sentTo = "sam"
        send.returnAfter = 1800
        #expect(DecisionExport.jsonLine(held).hasSuffix(#""revert_of":null,"needs_approval":"cluster-wide dismiss waits for a senior"}"#))
        #expect(DecisionExport.jsonLine(approval).hasSuffix(#""moderator":"sam","decided_at":"2024-05-01T12:00:00.000Z","feed_ts":null,"feed":"f0a1","lexicon_version":"2024.05","scores_shown":[],"revert_of":null,"approval_of":5}"#))
        #expect(DecisionExport.jsonLine(send).hasSuffix(#""revert_of":null,"sent_to":"sam","return_after":1800}"#))
    }

    @Test func jsonlEscapesControlCharactersAndReadsBack() throws {
        let note = "bell\u{07} esc\u{1B}[2J c1\u{9B} tab\t \\ \u{1F600} \u{202E}rtl\u{2029}"
        let line = DecisionExport.jsonLine(decision(.annotate, [p1], note: note, id: 7))
        #expect(line.contains(#""note":"bell\u0007 esc\u001b[2J c1\u009b tab\t \\ 😀 \u202ertl\u2029""#))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["note"] as? String == note)
    }

    @Test func csv() {
        #expect(DecisionExport.csv(Self.log) == [
            "decision_id,action,item,category,note,moderator,decided_at,feed_ts,feed,lexicon_version,score_shown,revert_of",
            "1,confirm,post:p1,recruitment,,alice,2024-05-01T12:00:00.250Z,2024-05-01T11:59:58Z,f0a1,2024.05,82,",
            "1,confirm,cluster:c3,recruitment,,alice,2024-05-01T12:00:00.250Z,2024-05-01T11:59:58Z,f0a1,2024.05,,",
            "2,annotate,post:p1,,\"see thread, \"\"op\"\" said\nmore\",bob,2024-05-01T12:01:01.000Z,,f0a1,2024.05,82,",
            "3,revert,post:p1,,,alice,2024-05-01T12:01:40.000Z,,f0a1,2024.05,82,1",
            "3,revert,cluster:c3,,,alice,2024-05-01T12:01:40.000Z,,f0a1,2024.05,,1",
        ].map { $0 + "\r\n" }.joined())
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (noon + 0.25, "2024-05-01T12:00:00.250Z"),
        (noon + 0.123, "2024-05-01T12:00:00.123Z"),
        (noon + 59.9996, "2024-05-01T12:01:00.000Z"),
        (951_827_696.5, "2000-02-29T12:34:56.500Z"),
    ])
    func timestamps(seconds: TimeInterval, text: String) {
        #expect(DecisionExport.timestamp(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test func exportsWhatTheStoreHolds() throws {
        try withStore { store, _ in
            let stored = try store.record(decision(.escalate, [p2], category: "threat", at: 0.123))
            #expect(DecisionExport.jsonl(try store.decisions(feed: nil)) == DecisionExport.jsonl([stored]))
            #expect(DecisionExport.jsonl([stored]).contains(#""id":\#(stored.id),"action":"escalate","items":["post:p2"]"#))
            #expect(DecisionExport.jsonl([stored]).contains(#""decided_at":"2024-05-01T12:00:00.123Z""#))
        }
    }
}
