import Foundation
import VigilTriage

/// A classroom as the console shows it (`vigil replay --room`, `vigil join`).
public struct RoomScreen: Sendable, Equatable {
    public var name: String
    /// The trainer runs the room's clock; trainees follow it.
    public var isTrainer: Bool
    public var frozen = false
    public var revealed = false
    public var notesReleased = false
    /// When the trainer planned the workshop to end (wall seconds), if they said (`--schedule`).
    public var plannedEnd: Double?

    public init(name: String, isTrainer: Bool, plannedEnd: Double? = nil) {
        self.name = name
        self.isTrainer = isTrainer
        self.plannedEnd = plannedEnd
    }

    /// What the status bar says of the room.
    var label: String { "room \(name)" + (frozen ? " frozen" : "") + (revealed ? ", key shown" : "") }
}

/// What the trainer does to the room from the command line (`:announce …`, `:freeze`, …).
public enum RoomRequest: Sendable, Equatable {
    case announce(String)
    case freeze(Bool)
    case reveal
    case releaseNotes(Bool)
}

/// What the trainer's console has heard of the trainees, timed on its own clock when it heard
/// it (a trainee's laptop clock may be off by minutes).
public struct RoomActivity: Sendable, Equatable {
    /// Each trainee's standing verdicts (undos applied).
    public internal(set) var books: [String: StatusBook] = [:]
    /// When each trainee's console last said it is there.
    public internal(set) var seen: [String: Double] = [:]
    /// When each trainee's last decision arrived.
    public internal(set) var lastDecided: [String: Double] = [:]
    /// When this console first heard of each trainee (the idle mark counts from there).
    public internal(set) var firstSeen: [String: Double] = [:]
}

extension AppState {
    /// The room as the store now has it, the trainer's new announcements, and the answer key
    /// (given once revealed).
    mutating func absorbRoom(_ stored: Room, messages: [RoomMessage], answers revealedKey: AnswerOverlay?) {
        guard var screen = room else { return }
        if stored.frozen != screen.frozen {
            say(stored.frozen ? "the trainer froze the room: decisions are closed for the debrief" : "the room is open for decisions again")
        }
        if stored.notesReleased != screen.notesReleased, !screen.isTrainer {
            say(stored.notesReleased ? "the trainer released the chapter notes" : "the chapter notes are the trainer's again")
        }
        if stored.revealed, !screen.revealed, !screen.isTrainer, let revealedKey {
            answers = revealedKey
            say("the trainer revealed the answer key: t shows the truth for the selected item")
        }
        if !stored.revealed, screen.revealed, !screen.isTrainer {
            answers = nil
            showAnswers = false
        }
        if screen.isTrainer {
            if stored.frozen != screen.frozen || stored.revealed != screen.revealed || stored.notesReleased != screen.notesReleased {
                say("room \(stored.name): " + (stored.frozen ? "frozen" : "open for decisions") + (stored.revealed ? ", answer key shown to the room" : "")
                    + (stored.notesReleased ? ", chapter notes released" : ""))
            }
            if let last = messages.last { say("announced: " + last.text) }
        }
        screen.frozen = stored.frozen
        screen.revealed = stored.revealed
        screen.notesReleased = stored.notesReleased
        if let last = messages.last, !screen.isTrainer { say("trainer: " + last.text) }
        room = screen
    }

    mutating func absorbActivity(decisions: [Decision], presence: [Presence]) {
        // The trainer's own decisions are not graded.
        for decision in decisions where decision.moderator != session.moderator {
            roomActivity.books[decision.moderator, default: StatusBook()].apply(decision)
            roomActivity.lastDecided[decision.moderator] = now
            if roomActivity.firstSeen[decision.moderator] == nil { roomActivity.firstSeen[decision.moderator] = now }
        }
        for entry in presence where entry.moderator != session.moderator {
            roomActivity.seen[entry.moderator] = now
            if roomActivity.firstSeen[entry.moderator] == nil { roomActivity.firstSeen[entry.moderator] = now }
        }
    }

    /// The trainer's commands (`:announce TEXT`, `:freeze`, `:thaw`, `:reveal`, `:notes on|off`).
    mutating func roomCommand(_ words: [String]) -> [Effect] {
        // `run(commandLine:)` has refused them on any other console.
        guard let room, room.isTrainer else { return [] }
        switch words.first ?? "" {
        case "announce":
            let text = words.dropFirst().joined(separator: " ")
            guard !text.isEmpty else { say("announce what? ':announce Chapter 2 starts now'", error: true); return [] }
            return [.room(.announce(text))]
        case "freeze": return [.room(.freeze(true))]
        case "thaw": return [.room(.freeze(false))]
        case "reveal":
            guard room.frozen else { say("freeze the room first (:freeze): the key would be in front of trainees still deciding", error: true); return [] }
            return [.room(.reveal)]
        default:
            return [.room(.releaseNotes(words.count < 2 || words[1] != "off"))]
        }
    }

    /// The board, once the room has an answer key to grade against.
    public var roomBoard: RoomBoard? {
        guard let room, room.isTrainer, let answers else { return nil }
        return RoomBoard(books: roomActivity.books, seen: roomActivity.seen, lastDecided: roomActivity.lastDecided, firstSeen: roomActivity.firstSeen,
                         shown: Array(core.posts.values), answers: answers, now: now, feedNow: core.stats.feedTime)
    }

    /// The trainer's line on an item: who in the room actioned it, who dismissed it.
    func roomVerdictLine(_ item: ItemRef) -> Styled? {
        guard let room, room.isTrainer, !roomActivity.books.isEmpty else { return nil }
        var actioned: [String] = [], dismissed: [String] = []
        for (name, book) in roomActivity.books.sorted(by: { $0.key < $1.key }) {
            guard let verdict = book.status(of: item).verdict else { continue }
            if verdict.actions { actioned.append(name) } else { dismissed.append(name) }
        }
        let undecided = roomActivity.books.count - actioned.count - dismissed.count
        return Text.plain("ROOM: actioned by " + (actioned.isEmpty ? "nobody" : actioned.joined(separator: ", "))
                          + " · dismissed by " + (dismissed.isEmpty ? "nobody" : dismissed.joined(separator: ", "))
                          + (undecided > 0 ? " · \(undecided) not yet" : ""), .title)
    }

    /// A trainee does not steer the room's clock.
    var followsRoom: Bool { room.map { !$0.isTrainer } ?? false }

    /// Chapter notes are the trainer's until released (titles are always shown).
    var chapterNotesShown: Bool { room.map { $0.isTrainer || $0.notesReleased } ?? true }
}

extension AppState {
    /// The trainer's board (pane 6 in a room): who decided what, how well so far, who needs a look,
    /// what the room is missing, and when the replay ends against the plan.
    func roomLines(width: Int) -> [Styled] {
        guard let room else { return [] }
        var lines: [Styled] = [Text.plain("Room \(room.name)" + (room.frozen ? " · frozen" : ""), .title), Text.plain(endLabel(room), .text)]
        guard let board = roomBoard else {
            lines.append(Text.plain("No answer key: the board grades against it (vigil replay --room … --answer-key KEY).", .dim))
            return lines
        }
        guard !board.trainees.isEmpty else {
            lines.append(Text.plain("No trainee yet: they join with 'vigil join \(room.name) --store … --moderator NAME'.", .dim))
            return lines
        }
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        // A table where there is room for one (a large screen, or the pane zoomed); two lines a
        // trainee in a side pane, so no figure is wrapped away from its name.
        let table = width >= 74
        let nameWidth = min(16, max(7, board.trainees.map { DisplayText($0.name).width }.max() ?? 0))
        if table { lines.append(Text.plain("  " + Text.pad("trainee", nameWidth) + "  posts  clusters  precision  recall  median  waiting  (posts graded; median: feed time to a verdict)", .dim)) }
        for trainee in board.trainees {
            let name = Text.plain("\(trainee.online ? "●" : "○") " + Text.pad(trainee.name, table ? nameWidth : min(nameWidth, max(4, width - 24))),
                                  trainee.online ? .text : .dim)
            let median = trainee.medianSeconds.map { span($0) } ?? "-"
            let attention = trainee.attention.isEmpty ? [] : Text.plain("  ⚠ " + trainee.attention.joined(separator: ", "), .warning)
            if table {
                lines.append(name + Text.plain("  " + Text.padLeft("\(trainee.decided)", 5) + "  " + Text.padLeft("\(trainee.clustersDecided)", 8) + "  "
                                               + Text.padLeft(ratio(trainee.precision), 9) + "  "
                                               + Text.padLeft(ratio(trainee.recall), 6) + "  " + Text.padLeft(median, 6) + "  "
                                               + Text.padLeft("\(trainee.backlog)", 7), .text) + attention)
            } else {
                let clusters = trainee.clustersDecided > 0 ? " +\(trainee.clustersDecided) cluster\(trainee.clustersDecided == 1 ? "" : "s")" : ""
                lines.append(name + Text.plain(" \(trainee.decided) post\(trainee.decided == 1 ? "" : "s")\(clusters) · waiting \(trainee.backlog)", .text))
                lines.append(Text.plain("    P \(ratio(trainee.precision)) R \(ratio(trainee.recall)) · median \(median) feed", .text) + attention)
            }
        }
        lines.append([])
        lines.append(Text.plain(board.agreement.map { String(format: "Majority share %.2f", $0) + " on \(board.agreedPosts) post(s) decided by two or more" }
                                ?? "Agreement: no post decided by two trainees yet", .text))
        lines.append(Text.plain(board.missed.isEmpty ? "Nothing most of the room missed so far" : "Most of the room missed (\(board.missed.count))", .title))
        for missed in board.missed.prefix(8) {
            let head = "  \(missed.post) · \(missed.actionedBy) of \(missed.of) · "
            lines.append(Text.plain(head, .dim) + Text.plain(Text.pad(missed.text, max(8, width - DisplayText(head).width)), .text))
        }
        return lines
    }

    /// "ends in 12m 30s at 10× (11:32, planned 11:30)": the rest of the feed at the room's speed.
    func endLabel(_ room: RoomScreen) -> String {
        guard let replay, let outline, let position = replay.position else { return "waiting for the replay" }
        let left = max(0, outline.duration - position)
        guard left > 0 else { return "replay finished" }
        guard replay.speed.isFinite, !replay.paused else {
            return "\(span(left)) of feed left" + (replay.pausing ? ", pausing…" : replay.paused ? ", paused" : "")
        }
        let end = now + left / replay.speed
        var label = "ends in \(span(left / replay.speed)) at \(replay.speedLabel) (\(Text.wallClock(end)))"
        if let planned = room.plannedEnd {
            let late = end - planned
            label += abs(late) < 60 ? ", on plan" : late > 0 ? ", \(span(late)) after the plan" : ", \(span(-late)) before the plan"
        }
        return label
    }
}
