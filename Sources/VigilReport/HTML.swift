import VigilFeed
import Foundation

extension WorkshopReport {
    /// One self-contained page for a projector: inline CSS and SVG, no script, nothing fetched.
    /// Written as XHTML-style markup (every element closed, only XML's own entities), so an XML
    /// parser reads it once the doctype is removed.
    public var html: String {
        let h = ReportText.html
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>Workshop report: \(h(scenario))</title>
            <style>\(HTMLStyle.css)</style>
            </head>
            <body>
            <h1>Workshop report: \(h(scenario))</h1>
            <p class="meta">\(sourceHTML)</p>
            <p>\(h(queueSentence))</p>

            """
        if !notes.isEmpty {
            out += "<section class=\"notes\"><h2>Notes</h2><ul>" + notes.map { "<li>\(h($0))</li>" }.joined() + "</ul></section>\n"
        }
        out += "<section><h2>Room</h2>\n" + roomTable + "</section>\n"
        if queue.goldInQueue > 0 { out += "<section><h2>Gold items</h2>\n" + goldTable + "</section>\n" }
        out += "<section><h2>Timeline</h2>\n" + timelineSVG + "</section>\n"
        if !chapters.isEmpty { out += "<section><h2>Chapters</h2>\n" + chapterTable + "</section>\n" }
        if !roomMissed.isEmpty { out += "<section><h2>What most of the room missed</h2>\n" + roomMissedHTML + "</section>\n" }
        if roomTrainees > 0 { out += "<section><h2>Agreement</h2>\n" + agreementHTML + "</section>\n" }
        for trainee in trainees { out += traineeHTML(trainee) }
        return out + "</body>\n</html>\n"
    }

    /// Where the figures come from: the room in its store, or the files given.
    var sourceHTML: String {
        let h = ReportText.html
        guard let classroom else {
            return "Feed <code>\(h(feed))</code> (\(h(start)) to \(h(end)), \(DurationText.clock(duration))), answer key <code>\(h(answerKey))</code>, "
                + "store(s) \(stores.map { "<code>\(h($0))</code>" }.joined(separator: ", "))."
        }
        return "Room <code>\(h(classroom.name))</code> in <code>\(h(classroom.store))</code>, trainer \(h(classroom.trainer)) (not graded), "
            + "decisions \(classroom.frozen ? "frozen" : "still open"): feed <code>\(h(classroom.feedFile))</code> (\(h(start)) to \(h(end)), "
            + "\(DurationText.clock(duration))) and answer key from the room."
    }

    /// Each trainee's verdicts on the gold posts, and the room's.
    var goldTable: String {
        let h = ReportText.html
        var rows = "<p>\(h(goldSentence))</p>\n<table><thead><tr><th>trainee</th><th>gold decided</th><th>right</th><th>accuracy</th>"
            + "<th>gold undecided</th></tr></thead><tbody>\n"
        for trainee in trainees where trainee.hasDecisions {
            rows += "<tr><td>\(h(trainee.name))</td>" + goldCells(trainee.figures.gold).map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        rows += "<tr class=\"total\"><td>room (\(roomTrainees))</td>" + goldCells(room.gold).map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        return rows + "</tbody></table>\n"
    }

    /// The coefficient, then the posts the room disagreed on most with their texts.
    var agreementHTML: String {
        let h = ReportText.html
        var out = agreement.summary.map { "<p>\(h($0))</p>\n" }.joined()
        let disagreed = agreement.disagreed
        guard !disagreed.isEmpty else { return out }
        out += "<h3>Where the room disagreed</h3>\n"
        for post in disagreed {
            out += "<div class=\"item\"><p><b>\(h(post.post))</b> \(h(post.account)) at \(h(post.ts)); <b>\(h(post.truth))</b>"
                + (post.gold ? " (gold)" : "") + "; \(RoomAgreement.verdicts(post, h))</p><blockquote>\(h(post.text))</blockquote></div>\n"
        }
        return out
    }

    /// Fourteen figures per trainee in 1280 pixels: short headers in two rows (the full name in
    /// each `abbr` title), at 16 px.
    var roomTable: String {
        let h = ReportText.html
        func abbr(_ short: String, _ full: String) -> String { "<abbr title=\"\(full)\">\(short)</abbr>" }
        let singles: [(String, String?)] = [("trainee", nil), ("items", "posts and clusters decided")]
        let groups: [(String, Int)] = [("posts", 3), ("clusters", 3)]
        let after: [(String, String)] = [("right cat.", "confirmed with the key's category")]
        let timing: [(String, String)] = [("feed s", "seconds of feed time to decision"), ("wall s", "seconds shown before the decision")]
        let last: [(String, String)] = [("missed", "high and critical violating posts missed"),
                                        ("news hit", "news and counter-speech confirmed or escalated")]
        var rows = "<table class=\"room\"><thead><tr>"
        rows += singles.map { short, full in "<th rowspan=\"2\">" + (full.map { abbr(short, $0) } ?? short) + "</th>" }.joined()
        rows += groups.map { "<th colspan=\"\($0.1)\">\($0.0)</th>" }.joined()
        rows += after.map { "<th rowspan=\"2\">" + abbr($0.0, $0.1) + "</th>" }.joined()
        rows += timing.map { "<th colspan=\"2\">" + abbr($0.0, $0.1) + "</th>" }.joined()
        rows += last.map { "<th rowspan=\"2\">" + abbr($0.0, $0.1) + "</th>" }.joined()
        rows += "</tr>\n<tr>"
        let figures: [(String, String)] = [("P", "precision"), ("R", "recall"), ("F1", "F1")]
        rows += (figures + figures).map { "<th>" + abbr($0.0, $0.1) + "</th>" }.joined()
        rows += "<th>med</th><th>p90</th><th>med</th><th>p90</th></tr></thead><tbody>\n"
        for trainee in trainees {
            guard trainee.hasDecisions else {
                rows += "<tr><td>\(h(trainee.name))</td><td colspan=\"14\" class=\"text\">no decisions</td></tr>\n"
                continue
            }
            rows += "<tr><td>\(h(trainee.name))</td><td>\(trainee.items)</td>" + roomCells(trainee.figures).map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        rows += "<tr class=\"total\"><td>room (\(roomTrainees))</td><td>\(roomItems)</td>"
            + roomCells(room).map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        return rows + "</tbody></table>\n"
    }

    /// The room per chapter: what entered the queue and what the trainees did with it.
    var chapterTable: String {
        let h = ReportText.html
        var rows = "<table><thead><tr><th>at</th><th class=\"text\">chapter</th><th>flagged</th><th>violating</th><th>caught</th><th>missed</th>"
            + "<th>false positives</th></tr></thead><tbody>\n"
        for chapter in chapters {
            rows += "<tr><td>\(DurationText.clock(chapter.offset))</td><td class=\"text\">\(h(chapter.title))</td><td>\(chapter.flagged)</td><td>\(chapter.violating)</td>"
                + "<td>\(chapter.room.caught)</td><td>\(chapter.room.missed)</td><td>\(chapter.room.falsePositives)</td></tr>\n"
        }
        return rows + "</tbody></table>\n<p class=\"meta\">Caught: violating posts confirmed or escalated, added up over the trainees; "
            + "false positives: other posts of the chapter confirmed or escalated.</p>\n"
    }

    /// The ten posts most of the room missed, with their texts; the JSON has them all.
    var roomMissedHTML: String {
        let h = ReportText.html
        var out = ""
        for miss in roomMissed.prefix(10) {
            out += "<div class=\"item\"><p><b>\(h(miss.post))</b> <span class=\"band-\(miss.band)\">\(miss.band) \(miss.score)</span> "
                + "\(h(miss.account)) at \(h(miss.ts)); violating as <b>\(h(miss.category))</b>; missed by \(miss.missedBy) of \(miss.of)</p>"
                + "<blockquote>\(h(miss.text))</blockquote></div>\n"
        }
        if roomMissed.count > 10 { out += "<p>… and \(roomMissed.count - 10) more (in the JSON report).</p>\n" }
        return out
    }

    /// Feed-time axis, a line per chapter marker, a lane per trainee with a tick per decision.
    /// Labels are 16 px, readable on a projector. Decisions within a few pixels of each other
    /// (the same moment, a burst of keys) share the lane's height, stacked, instead of being
    /// drawn over each other.
    var timelineSVG: String {
        let h = ReportText.html
        let c = ReportText.coordinate
        let (left, axis, laneHeight, row) = (180.0, 780.0, 40.0, 20.0)
        let top = 14 + row * Double(min(markers.count, 3)) + 10
        let width = left + axis + 40
        let height = top + laneHeight * Double(max(trainees.count, 1)) + 70
        let span = max(duration, 1)
        func x(_ offset: Double) -> Double { left + axis * min(max(offset, 0), span) / span }
        var svg = "<svg class=\"timeline\" width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\">\n"
        svg += "<title>Decisions of each trainee over the feed's time, with chapter markers</title>\n"
        let bottom = top + laneHeight * Double(max(trainees.count, 1))
        // At 16 px a clock label is about 75 px wide: at most 8 of them on the axis.
        let step = [30.0, 60, 120, 300, 600, 900, 1800, 3600, 7200].first { span / $0 <= 8 } ?? (span / 8).rounded(.up)
        var t = 0.0
        while t <= span {
            svg += "<line x1=\"\(c(x(t)))\" y1=\"\(c(bottom))\" x2=\"\(c(x(t)))\" y2=\"\(c(bottom + 5))\" class=\"axis\"/>"
            svg += "<text x=\"\(c(x(t)))\" y=\"\(c(bottom + 22))\" class=\"tick\">\(DurationText.clock(t))</text>\n"
            t += step
        }
        svg += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(left + axis))\" y2=\"\(c(bottom))\" class=\"axis\"/>\n"
        for (i, marker) in markers.enumerated() {
            let mx = x(marker.offset)
            svg += "<line x1=\"\(c(mx))\" y1=\"\(c(top - 4))\" x2=\"\(c(mx))\" y2=\"\(c(bottom))\" class=\"marker\"/>"
            // Titles in the right third end at their line, so they stay inside the picture.
            let (tx, anchor) = mx > left + axis * 2 / 3 ? (mx - 3, "chapter end") : (mx + 3, "chapter")
            svg += "<text x=\"\(c(tx))\" y=\"\(c(14 + row * Double(i % 3 + 1) - 4))\" class=\"\(anchor)\">\(h(marker.title))<title>\(h(marker.note ?? marker.title))</title></text>\n"
        }
        for (lane, trainee) in trainees.enumerated() {
            let y = top + laneHeight * Double(lane)
            svg += "<text x=\"\(c(left - 8))\" y=\"\(c(y + 26))\" class=\"lane\">\(h(Self.laneLabel(trainee.name)))<title>\(h(trainee.name))</title></text>"
            svg += "<line x1=\"\(c(left))\" y1=\"\(c(y + laneHeight))\" x2=\"\(c(left + axis))\" y2=\"\(c(y + laneHeight))\" class=\"grid\"/>\n"
            for group in Self.stacks(trainee.timeline.map { (x($0.offset), $0) }) {
                let share = (laneHeight - 10) / Double(group.count)
                for (i, (tx, tick)) in group.enumerated() {
                    let y1 = y + 5 + share * Double(i), y2 = y + 5 + share * Double(i + 1) - (group.count > 1 ? 1 : 0)
                    svg += "<line x1=\"\(c(tx))\" y1=\"\(c(y1))\" x2=\"\(c(tx))\" y2=\"\(c(y2))\" class=\"d-\(tick.action)\">"
                        + "<title>#\(tick.decision) \(tick.action) \(h(tick.items.joined(separator: " "))) at \(tick.ts)</title></line>\n"
                }
            }
        }
        var lx = left
        for action in ["confirm", "escalate", "dismiss", "annotate", "snooze", "revert"] {
            svg += "<rect x=\"\(c(lx))\" y=\"\(c(bottom + 38))\" width=\"14\" height=\"14\" class=\"d-\(action)\"/>"
            svg += "<text x=\"\(c(lx + 19))\" y=\"\(c(bottom + 51))\" class=\"legend\">\(action)</text>\n"
            lx += 125
        }
        return svg + "</svg>\n"
    }

    /// A trainee's name as the timeline's left margin holds it: the margin is 180 px, about 18
    /// characters at 16 px, and an SVG label does not wrap, so a longer name ends in "…" (the
    /// full name in its tooltip) instead of running off the picture.
    static func laneLabel(_ name: String) -> String {
        let clean = ReportText.clean(name)
        return clean.count <= 18 ? clean : String(clean.prefix(17)) + "…"
    }

    /// Ticks in x order, grouped when within 4 px of the group's first: one stroke is 3 px wide.
    static func stacks(_ ticks: [(Double, Tick)]) -> [[(Double, Tick)]] {
        var groups: [[(Double, Tick)]] = []
        for tick in ticks.sorted(by: { ($0.0, $0.1.decision) < ($1.0, $1.1.decision) }) {
            if let first = groups.last?.first, tick.0 - first.0 < 4 {
                groups[groups.count - 1].append((first.0, tick.1))
            } else {
                groups.append([tick])
            }
        }
        return groups
    }

    /// Precision, recall and F1 of posts and clusters as bars, each with its value written on it.
    func barChart(_ figures: Figures, name: String) -> String {
        let c = ReportText.coordinate
        let bars: [(String, Double?)] = [
            ("posts precision", figures.posts.precision), ("posts recall", figures.posts.recall), ("posts F1", figures.posts.f1),
            ("clusters precision", figures.clusters.precision), ("clusters recall", figures.clusters.recall), ("clusters F1", figures.clusters.f1),
        ]
        let (base, full, slot) = (170.0, 140.0, 92.0)
        var svg = "<svg class=\"bars\" width=\"600\" height=\"230\" viewBox=\"0 0 600 230\" role=\"img\">\n"
        svg += "<title>Precision, recall and F1 of \(ReportText.html(name))</title>\n"
        svg += "<line x1=\"30\" y1=\"\(c(base))\" x2=\"590\" y2=\"\(c(base))\" class=\"axis\"/>"
        svg += "<line x1=\"30\" y1=\"\(c(base - full))\" x2=\"590\" y2=\"\(c(base - full))\" class=\"grid\"/>"
        svg += "<text x=\"26\" y=\"\(c(base - full + 4))\" class=\"lane\">1</text><text x=\"26\" y=\"\(c(base + 4))\" class=\"lane\">0</text>\n"
        for (i, (label, value)) in bars.enumerated() {
            let x = 40 + slot * Double(i)
            let kind = i < 3 ? "posts" : "clusters"
            if let value {
                let height = full * value
                svg += "<rect x=\"\(c(x))\" y=\"\(c(base - height))\" width=\"60\" height=\"\(c(height))\" class=\"bar-\(kind)\"/>"
            }
            svg += "<text x=\"\(c(x + 30))\" y=\"\(c(base - full * (value ?? 0) - 5))\" class=\"value\">\(ReportText.ratio(value))</text>"
            let words = label.split(separator: " ")
            svg += "<text x=\"\(c(x + 30))\" y=\"\(c(base + 19))\" class=\"label\">\(words[0])</text>"
            svg += "<text x=\"\(c(x + 30))\" y=\"\(c(base + 38))\" class=\"label\">\(words[1])</text>\n"
        }
        return svg + "</svg>\n"
    }

    func traineeHTML(_ trainee: TraineeReport) -> String {
        let h = ReportText.html
        var out = "<section class=\"trainee\"><h2>\(h(trainee.name))</h2>\n"
        guard trainee.hasDecisions else { return out + "<p>No decisions on this feed.</p></section>\n" }
        let f = trainee.figures
        out += "<p>\(trainee.decisions) decision(s) on \(trainee.items) item(s) in \(trainee.stores.map { "<code>\(h($0))</code>" }.joined(separator: ", "))"
            + (trainee.withoutFeedTime > 0 ? "; \(trainee.withoutFeedTime) without a feed time" : "") + ".</p>\n"
        out += barChart(f, name: trainee.name)
        if f.gold.inQueue > 0 {
            out += "<p>\(goldLine(f.gold))</p>\n"
        }
        out += "<p>Posts: TP \(f.posts.truePositives) · FP \(f.posts.falsePositives) · FN \(f.posts.falseNegatives). "
            + "Clusters: TP \(f.clusters.truePositives) · FP \(f.clusters.falsePositives) · planted found \(f.clusters.plantedFound) of \(f.clusters.plantedInQueue)"
            + (f.clusters.plantedMissed.isEmpty ? "" : " (not actioned: \(h(f.clusters.plantedMissed.joined(separator: ", "))))") + ".</p>\n"

        let columns = f.confusion.columns
        out += "<h3>Decisions by category</h3>\n<table><thead><tr><th>key \\ verdict</th>" + columns.map { "<th>\(h($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in f.confusion.rows {
            out += "<tr><td>\(h(row))</td>" + columns.map { "<td>\(f.confusion.count(row, $0))</td>" }.joined() + "</tr>\n"
        }
        out += "</tbody></table>\n<p>Confirmed with the key's category: \(f.correctCategoryConfirms).</p>\n"

        out += "<h3>Time to decision (seconds)</h3>\n<table><thead><tr><th>items</th><th class=\"text\">clock</th><th>n</th><th>median</th><th>p90</th></tr></thead><tbody>\n"
        for (items, clock, spread) in [("posts", "feed", f.timing.postsFeed), ("posts", "wall", f.timing.postsWall),
                                       ("clusters", "feed", f.timing.clustersFeed), ("clusters", "wall", f.timing.clustersWall)] {
            out += "<tr><td>\(items)</td><td class=\"text\">\(clock)</td><td>\(spread.count)</td><td>\(ReportText.seconds(spread.median))</td><td>\(ReportText.seconds(spread.p90))</td></tr>\n"
        }
        out += "</tbody></table>\n"

        if !trainee.chapters.isEmpty {
            out += "<h3>By chapter</h3>\n<table><thead><tr><th>chapter</th><th>caught</th><th>missed</th><th>false positives</th></tr></thead><tbody>\n"
            for chapter in trainee.chapters {
                out += "<tr><td>\(h(chapter.title))</td><td>\(chapter.caught)</td><td>\(chapter.missed)</td><td>\(chapter.falsePositives)</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        out += "<h3>High and critical violating posts missed</h3>\n"
        if trainee.missed.isEmpty { out += "<p>None.</p>\n" }
        for missed in trainee.missed {
            out += "<div class=\"item\"><p><b>\(h(missed.post))</b> <span class=\"band-\(missed.band)\">\(missed.band) \(missed.score)</span> "
                + "\(h(missed.account)) at \(h(missed.ts)), \(h(missed.verdict)); violating as <b>\(h(missed.category))</b></p>"
                + "<blockquote>\(h(missed.text))</blockquote>"
                + "<p class=\"why\">matched: " + missed.terms.map(h).joined(separator: ", ") + "</p>"
                + "<p class=\"explanation\">" + missed.explanation.split(separator: "\n").map { h(String($0)) }.joined(separator: "<br/>") + "</p></div>\n"
        }
        out += "<h3>News and counter-speech confirmed or escalated</h3>\n"
        if trainee.newsFalsePositives.isEmpty { out += "<p>None.</p>\n" }
        for wronged in trainee.newsFalsePositives {
            out += "<div class=\"item\"><p><b>\(h(wronged.post))</b> \(h(wronged.label)), \(h(wronged.account)) at \(h(wronged.ts)), "
                + "\(h(wronged.verdict))\(wronged.category.map { " as \(h($0))" } ?? "")</p><blockquote>\(h(wronged.text))</blockquote></div>\n"
        }
        return out + "</section>\n"
    }
}

enum HTMLStyle {
    static let css = """
        body{font-family:system-ui,sans-serif;margin:2em;color:#111;background:#fff;font-size:18px}
        h1{font-size:1.8em}h2{border-bottom:2px solid #ccc;margin-top:1.6em}
        table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:right}
        table.room{font-size:16px}table.room th,table.room td{padding:.2em .3em}table.room th{text-align:center}
        td:first-child{max-width:16em;overflow-wrap:anywhere}table.room td:first-child{max-width:12em}abbr{text-decoration:none}
        code{overflow-wrap:anywhere}
        th:first-child,td:first-child,th.text,td.text{text-align:left}tr.total{font-weight:bold;background:#f2f2f2}
        .meta{color:#444}.notes{background:#fff6d6;padding:.2em 1em}
        blockquote{margin:.3em 0 .3em 1em;padding:.3em .6em;border-left:4px solid #c0392b;background:#fafafa;unicode-bidi:plaintext;overflow-wrap:anywhere}
        .item{margin-bottom:1em}.why{font-size:.85em;color:#333}.explanation{font-size:.8em;color:#555;font-family:monospace}
        svg text{font-family:system-ui,sans-serif;font-size:16px;fill:#111}
        .axis{stroke:#333;stroke-width:1}.grid{stroke:#ddd;stroke-width:1}.marker{stroke:#888;stroke-dasharray:4 3}
        .tick,.value,.label{text-anchor:middle}.lane,.end{text-anchor:end}.chapter{fill:#444}.value{font-weight:bold}
        .bar-posts{fill:#2c7fb8}.bar-clusters{fill:#7b3294}
        .d-confirm{stroke:#c0392b;fill:#c0392b;stroke-width:3}.d-escalate{stroke:#e67e22;fill:#e67e22;stroke-width:3}
        .d-dismiss{stroke:#7f8c8d;fill:#7f8c8d;stroke-width:3}.d-annotate{stroke:#2980b9;fill:#2980b9;stroke-width:2}
        .d-snooze{stroke:#d4a017;fill:#d4a017;stroke-width:2}.d-revert{stroke:#111;fill:#111;stroke-width:2}
        .band-critical{color:#fff;background:#c0392b;padding:0 .3em}.band-high{color:#fff;background:#e67e22;padding:0 .3em}
        """
}
