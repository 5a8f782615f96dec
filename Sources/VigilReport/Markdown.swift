import VigilFeed
extension WorkshopReport {
    /// The report in Markdown: the room table, then one section per trainee.
    public var markdown: String {
        let md = ReportText.markdown
        var lines: [String] = ["# Workshop report: \(md(scenario))", ""]
        if let classroom {
            lines.append("Room `\(md(classroom.name))` in `\(md(classroom.store))`, trainer \(md(classroom.trainer)) (not graded), "
                         + "decisions \(classroom.frozen ? "frozen" : "still open"): feed `\(md(classroom.feedFile))` "
                         + "(\(start) to \(end), \(DurationText.clock(duration))) and answer key from the room.")
        } else {
            lines.append("Feed `\(md(feed))` (\(start) to \(end), \(DurationText.clock(duration))), answer key `\(md(answerKey))`, "
                         + "store(s) \(stores.map { "`\(md($0))`" }.joined(separator: ", ")).")
        }
        lines.append("")
        lines.append(queueSentence)
        if !notes.isEmpty {
            lines += ["", "## Notes", ""]
            lines += notes.map { "- \(md($0))" }
        }
        lines += ["", "## Room", ""]
        lines.append("| trainee | items decided | posts precision | posts recall | posts F1 | clusters precision | clusters recall | clusters F1 "
                     + "| right category | median feed s | p90 feed s | median wall s | p90 wall s | high/critical missed | news/counter-speech actioned |")
        lines.append("|---|" + String(repeating: "---:|", count: 14))
        for trainee in trainees {
            guard trainee.hasDecisions else {
                lines.append("| \(md(trainee.name)) | no decisions |" + String(repeating: " |", count: 13))
                continue
            }
            lines.append("| \(md(trainee.name)) | \(trainee.items) | " + roomCells(trainee.figures).joined(separator: " | ") + " |")
        }
        lines.append("| **room** (\(roomTrainees) trainee(s)) | \(roomItems) | " + roomCells(room).joined(separator: " | ") + " |")
        if queue.goldInQueue > 0 {
            lines += ["", "## Gold items", "", goldSentence, "",
                      "| trainee | gold decided | right | accuracy | gold undecided |", "|---|---:|---:|---:|---:|"]
            for trainee in trainees where trainee.hasDecisions {
                lines.append("| \(md(trainee.name)) | " + goldCells(trainee.figures.gold).joined(separator: " | ") + " |")
            }
            lines.append("| **room** (\(roomTrainees) trainee(s)) | " + goldCells(room.gold).joined(separator: " | ") + " |")
        }
        if !chapters.isEmpty {
            lines += ["", "## Chapters", "", "Violating posts that entered the queue in each chapter, and what the room did with them "
                      + "(caught: confirmed or escalated; false positives: other posts of the chapter confirmed or escalated; "
                      + "caught, missed and false positives are added up over the \(roomTrainees) trainee(s) with decisions).", "",
                      "| at | chapter | flagged | violating | caught | missed | false positives |", "|---|---|---:|---:|---:|---:|---:|"]
            for chapter in chapters {
                let note = markers.first { $0.title == chapter.title && $0.offset == chapter.offset }?.note
                lines.append("| \(DurationText.clock(chapter.offset)) | \(md(chapter.title))\(note.map { ": \(md($0))" } ?? "") | \(chapter.flagged) | "
                             + "\(chapter.violating) | \(chapter.room.caught) | \(chapter.room.missed) | \(chapter.room.falsePositives) |")
            }
        }
        if !roomMissed.isEmpty {
            lines += ["", "## What most of the room missed", ""]
            for miss in roomMissed {
                lines.append("- **\(md(miss.post))** \(miss.band) \(miss.score), violating as \(md(miss.category)), missed by \(miss.missedBy) of "
                             + "\(miss.of): \(md(miss.text))")
            }
        }
        if roomTrainees > 0 {
            lines += ["", "## Agreement", ""] + agreement.summary
            let disagreed = agreement.disagreed
            if !disagreed.isEmpty {
                lines += ["", "### Where the room disagreed", ""]
                for post in disagreed {
                    lines.append("- **\(md(post.post))** \(md(post.truth))\(post.gold ? ", gold" : ""), "
                                 + "\(RoomAgreement.verdicts(post, md)): \(md(post.text))")
                }
            }
        }
        for trainee in trainees { lines += ["", ""] + traineeSection(trainee) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Items decided, added up over the trainees with decisions.
    var roomItems: Int { trainees.filter(\.hasDecisions).reduce(0) { $0 + $1.items } }

    var queueSentence: String {
        "The queue held \(queue.flaggedPosts) flagged post(s), \(queue.violatingInQueue) of them violating, and \(queue.clusters) cluster(s) "
            + "reaching score 60, matching \(queue.plantedInQueue.count) of \(queue.plantedClusters) planted cluster(s)"
            + (queue.plantedInQueue.isEmpty ? "" : " (\(queue.plantedInQueue.joined(separator: ", ")))") + ". "
            + "\(queue.violatingNeverFlagged) violating post(s) were never flagged by the lexicon: context, not counted against anyone."
    }

    var goldSentence: String {
        "\(queue.goldInQueue) post(s) in the queue are gold items (marked in the answer key). A verdict is right when it confirms or "
            + "escalates a violating post, or dismisses any other; accuracy is over the gold posts the trainee decided."
    }

    /// A trainee's gold figures in a sentence (numbers only: safe in every format).
    func goldLine(_ gold: GoldFigures) -> String {
        "Gold items: \(gold.correct) right of \(gold.decided) decided (accuracy \(ReportText.ratio(gold.accuracy))), "
            + "\(gold.undecided) of \(gold.inQueue) undecided."
    }

    func goldCells(_ gold: GoldFigures) -> [String] {
        [String(gold.decided), String(gold.correct), ReportText.ratio(gold.accuracy), String(gold.undecided)]
    }

    /// The room table's figures for one trainee or the room, after the name and decision count.
    func roomCells(_ f: Figures) -> [String] {
        [ReportText.ratio(f.posts.precision), ReportText.ratio(f.posts.recall), ReportText.ratio(f.posts.f1),
         ReportText.ratio(f.clusters.precision), ReportText.ratio(f.clusters.recall), ReportText.ratio(f.clusters.f1),
         String(f.correctCategoryConfirms),
         ReportText.seconds(f.timing.postsFeed.median), ReportText.seconds(f.timing.postsFeed.p90),
         ReportText.seconds(f.timing.postsWall.median), ReportText.seconds(f.timing.postsWall.p90),
         String(f.missedCount), String(f.newsFalsePositiveCount)]
    }

    func traineeSection(_ trainee: TraineeReport) -> [String] {
        let md = ReportText.markdown
        var lines = ["## \(md(trainee.name))", ""]
        guard trainee.hasDecisions else { return lines + ["No decisions on this feed."] }
        let f = trainee.figures
        lines.append("\(trainee.decisions) decision(s) on \(trainee.items) item(s) in \(trainee.stores.map { "`\(md($0))`" }.joined(separator: ", "))"
                     + (trainee.withoutFeedTime > 0 ? "; \(trainee.withoutFeedTime) without a feed time" : "") + ".")
        if f.gold.inQueue > 0 {
            lines += ["", goldLine(f.gold)]
        }
        lines += ["", "### Posts", ""]
        lines.append("TP \(f.posts.truePositives) · FP \(f.posts.falsePositives) · FN \(f.posts.falseNegatives) · "
                     + "precision \(ReportText.ratio(f.posts.precision)) · recall \(ReportText.ratio(f.posts.recall)) · F1 \(ReportText.ratio(f.posts.f1))")
        lines += ["", "### Clusters", ""]
        lines.append("TP \(f.clusters.truePositives) · FP \(f.clusters.falsePositives) · planted found \(f.clusters.plantedFound) of "
                     + "\(f.clusters.plantedInQueue) · precision \(ReportText.ratio(f.clusters.precision)) · "
                     + "recall \(ReportText.ratio(f.clusters.recall)) · F1 \(ReportText.ratio(f.clusters.f1))")
        if !f.clusters.plantedMissed.isEmpty { lines += ["", "Planted clusters not actioned: \(f.clusters.plantedMissed.map(md).joined(separator: ", "))."] }
        lines += ["", "### Decisions by category", ""]
        let columns = f.confusion.columns
        lines.append("| key \\ verdict | " + columns.map(md).joined(separator: " | ") + " |")
        lines.append("|---|" + String(repeating: "---:|", count: columns.count))
        for row in f.confusion.rows {
            lines.append("| \(md(row)) | " + columns.map { String(f.confusion.count(row, $0)) }.joined(separator: " | ") + " |")
        }
        lines += ["", "Confirmed with the key's category: \(f.correctCategoryConfirms)."]
        lines += ["", "### Time to decision (seconds)", "", "| items | clock | n | median | p90 |", "|---|---|---:|---:|---:|"]
        for (items, clock, spread) in [("posts", "feed", f.timing.postsFeed), ("posts", "wall", f.timing.postsWall),
                                       ("clusters", "feed", f.timing.clustersFeed), ("clusters", "wall", f.timing.clustersWall)] {
            lines.append("| \(items) | \(clock) | \(spread.count) | \(ReportText.seconds(spread.median)) | \(ReportText.seconds(spread.p90)) |")
        }
        if !trainee.chapters.isEmpty {
            lines += ["", "### By chapter", "", "| chapter | caught | missed | false positives |", "|---|---:|---:|---:|"]
            lines += trainee.chapters.map { "| \(md($0.title)) | \($0.caught) | \($0.missed) | \($0.falsePositives) |" }
        }
        lines += ["", "### High and critical violating posts missed", ""]
        if trainee.missed.isEmpty { lines.append("None.") }
        for missed in trainee.missed {
            lines.append("- **\(md(missed.post))** \(missed.band) \(missed.score), \(md(missed.account)) at \(missed.ts), "
                         + "\(missed.verdict); violating as \(md(missed.category)): \(md(missed.text))")
            lines.append("  - matched: " + missed.terms.map(md).joined(separator: ", "))
        }
        lines += ["", "### News and counter-speech confirmed or escalated", ""]
        if trainee.newsFalsePositives.isEmpty { lines.append("None.") }
        for wronged in trainee.newsFalsePositives {
            lines.append("- **\(md(wronged.post))** \(wronged.label), \(md(wronged.account)) at \(wronged.ts), \(wronged.verdict)"
                         + (wronged.category.map { " as \(md($0))" } ?? "") + ": \(md(wronged.text))")
        }
        return lines
    }
}
