import Foundation
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let workshopFeed = repositoryRoot.appendingPathComponent("sample-feeds/workshop.jsonl.gz").path
let workshopKey = repositoryRoot.appendingPathComponent("sample-feeds/workshop.key.json").path

/// The planted clusters of the workshop feed, from its answer key.
func plantedClusters() throws -> [(id: String, members: Set<String>)] {
    let key = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: workshopKey))) as! [String: Any]
    return (key["clusters"] as! [[String: Any]]).map { ($0["id"] as! String, Set($0["members"] as! [String])) }
}

func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

struct ClusterCLITests {
    @Test("clusters: JSONL events with the documented fields; the workshop's network and evasion chain are found and score high")
    func workshopClusters() throws {
        let run = try vigil(["clusters", workshopFeed])
        #expect(run.status == 0)
        let events = jsonLines(run.stdout)
        #expect(!events.isEmpty)
        for event in events {
            for field in ["cluster", "state", "ts", "members", "signals", "score", "first_ts", "last_ts"] {
                #expect(event[field] != nil, "\(field) missing")
            }
            #expect(["new", "grown", "merged", "dormant"].contains(event["state"] as? String ?? ""))
            if event["state"] as? String == "merged" { #expect(event["merged_into"] is String) }
        }
        var latest: [String: [String: Any]] = [:]
        for event in events { latest[event["cluster"] as! String] = event }
        for planted in try plantedClusters() {
            let found = latest.values.first { !planted.members.isDisjoint(with: Set($0["members"] as! [String])) && ($0["score"] as! Int) >= 60 }
            #expect(found != nil, "planted \(planted.id) not reported high")
        }
        let signals = Set(events.flatMap { ($0["signals"] as! [[String: Any]]).map { $0["signal"] as! String } })
        #expect(signals.isSuperset(of: ["co_link", "near_duplicate_text", "handle_family"]))
        #expect(run.stderr.contains("late events 0"))
    }

    @Test("clusters: --min-score 0 shows benign clusters too; the table is one line per event")
    func minScoreAndTable() throws {
        // Three neighbours sharing the school fair's links within seconds: coordinated, benign.
        var lines: [String] = []
        for round in 0..<3 {
            for (i, account) in ["n1", "n2", "n3"].enumerated() {
                let ts = String(format: "2026-03-01T08:%02d:%02dZ", round * 2, i * 3)
                lines.append(#"{"type":"post","id":"p\#(round)\#(i)","account":"\#(account)","ts":"\#(ts)","text":"School fair this weekend, bring the kids and a cake","urls":["https://example.com/fair/\#(round)"]}"#)
            }
        }
        let feed = try writeTemp("fair.jsonl", lines.joined(separator: "\n") + "\n")
        let all = jsonLines(try vigil(["clusters", feed, "--min-score", "0"]).stdout)
        #expect(all.contains { ($0["members"] as! [String]) == ["n1", "n2", "n3"] && ($0["score"] as! Int) < 30 })
        #expect(jsonLines(try vigil(["clusters", feed]).stdout).isEmpty)

        let high = try vigil(["clusters", workshopFeed, "--min-score", "60"])
        #expect(jsonLines(high.stdout).allSatisfy { ($0["score"] as! Int) >= 60 })
        let table = try vigil(["clusters", workshopFeed, "--format", "table", "--min-score", "60"])
        #expect(table.stdout.split(separator: "\n").count == jsonLines(high.stdout).count)
        #expect(table.stdout.contains(" new score "))
    }

    @Test("clusters: a bad --window or --min-score exits 64")
    func badOptions() throws {
        #expect(try vigil(["clusters", workshopFeed, "--window", "soon"]).status == 64)
        #expect(try vigil(["clusters", workshopFeed, "--min-score", "101"]).status == 64)
        #expect(try vigil(["scan", workshopFeed, "--clusters", "--window", "-3m"]).status == 64)
    }

    @Test("clusters --answer-key grades precision, recall and latency")
    func grading() throws {
        let run = try vigil(["clusters", workshopFeed, "--answer-key", workshopKey])
        #expect(run.status == 0)
        #expect(run.stdout.contains("account precision 1.000, recall 1.000"))
        #expect(run.stdout.contains("detection latency"))
    }

    @Test("scan --clusters: flagged posts of the network carry their cluster, in JSONL, CSV and the table")
    func scanAnnotates() throws {
        let network = try #require(try plantedClusters().first { $0.id == "c1" })
        let plain = jsonLines(try vigil(["scan", workshopFeed]).stdout)
        #expect(plain.allSatisfy { $0["cluster"] == nil })
        let annotated = jsonLines(try vigil(["scan", workshopFeed, "--clusters"]).stdout)
        #expect(annotated.count == plain.count)
        let fromNetwork = annotated.filter { network.members.contains($0["account"] as! String) }
        #expect(fromNetwork.contains { $0["cluster"] is String })
        let clusterIDs = Set(annotated.compactMap { $0["cluster"] as? String })
        #expect(!clusterIDs.isEmpty)
        let csv = try vigil(["scan", workshopFeed, "--clusters", "--format", "csv"]).stdout
        #expect(csv.hasPrefix("post,account,ts,score,band,priority,lang,entries,categories,cluster\n"))
        let table = try vigil(["scan", workshopFeed, "--clusters", "--format", "table"]).stdout
        #expect(table.split(separator: "\n").first?.contains("CLUSTER") == true)
    }
}
