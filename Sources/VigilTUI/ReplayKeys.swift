import Foundation
import VigilFeed
import VigilTriage

/// What the console asks of the replay clock (`vigil replay`).
public enum ReplayRequest: Sendable, Equatable {
    case togglePause, faster, slower
    /// Pause and deliver one more event.
    case step
    /// Back to the event before the last one delivered (a rewind re-derives the state).
    case stepBack
    /// To this many seconds after the first event: forward by seeking, back by a rewind.
    case goTo(Double)
}

extension AppState {
    /// Replay keys: the clock's own changes go to the runtime; markers are resolved here, where
    /// the outline and the position are known.
    mutating func replayCommand(_ command: Command) -> [Effect] {
        // `run` has refused what does not work here (`refusal(of:)`).
        guard let replay else { return [] }
        switch command {
        case .replayPause: return [.replay(.togglePause)]
        case .replayFaster: return [.replay(.faster)]
        case .replaySlower: return [.replay(.slower)]
        case .replayStep: return [.replay(.step)]
        case .replayBack:
            guard replay.delivered > 1 else { say("at the first event", error: true); return [] }
            return [.replay(.stepBack)]
        case .nextMarker, .previousMarker:
            guard let outline, !outline.markers.isEmpty else { say("this feed has no chapter markers", error: true); return [] }
            let position = replay.position ?? -1
            let offsets = outline.markers.map { outline.offset(of: $0.ts.seconds) }
            // Back goes to the chapter before the current one when pressed right at its start.
            let target = command == .nextMarker ? offsets.first { $0 > position + 0.0005 } : offsets.last { $0 < position - 2 }
            guard let target else {
                say(command == .nextMarker ? "no later chapter marker" : "no earlier chapter marker", error: true)
                return []
            }
            return [.replay(.goTo(target))]
        case .goTo:
            mode = .goTo("")
            return []
        case .answerKey:
            showAnswers.toggle()
            say(showAnswers ? "answer key shown (t hides it)" : "answer key hidden")
            return []
        default:
            return []
        }
    }

    mutating func goToKey(_ text: String, _ key: Key) -> [Effect] {
        var effects: [Effect] = []
        _ = edit(text, key, commit: { state, text in
            state.mode = .normal
            guard let offset = DurationText.offset(text) else {
                state.say("'\(text)' is not a time: 00:05:00, 5:00, 5m or 300s after the start", error: true)
                return
            }
            if let duration = state.outline?.duration, offset > duration {
                state.say("the feed lasts \(DurationText.clock(duration))", error: true)
                return
            }
            effects = [.replay(.goTo(offset))]
        }, cancel: { state in state.mode = .normal }, change: { state, text in state.mode = .goTo(text) })
        return effects
    }

    /// Markers delivered by the replay: the newest is the current chapter, announced when the
    /// replay clock reaches it (not while a rewind catches up). Chapters belong to replays: the
    /// monitor reads a workshop feed as any other.
    mutating func reach(_ markers: [Marker]) {
        guard let replay, let last = markers.last else { return }
        chapter = last
        if !replay.catchingUp { chapterShownSince = now }
    }

    /// A rewind started a new run: what came from the old one goes (decisions stay: they are
    /// in the store and the status book).
    mutating func restartFeed() {
        core = CoreView()
        marks = []
        bulkArmed = false
        chapter = nil
        chapterShownSince = nil
        queueCursor = ListCursor()
        feedCursor = ListCursor()
        clusterCursor = ListCursor()
        feedFollowing = true
        detailItem = nil
        if case .scope = mode { mode = .normal; say("the replay started over: the action was cancelled", error: true) }
    }

    var chapterBoxShown: Bool {
        guard let since = chapterShownSince else { return false }
        return now - since < AppState.chapterBoxSeconds
    }

    /// `00:12:30/00:25:00 #1234/6000` (time into the feed, event count; `withTotal`: of how
    /// many) for the status bar.
    func replayPosition(withTotal: Bool) -> String? {
        guard let replay else { return nil }
        let position = replay.position.map(DurationText.clock) ?? "--:--:--"
        guard let outline else { return "\(position) #\(replay.delivered)" }
        return "\(position)/\(DurationText.clock(outline.duration)) #\(replay.delivered)" + (withTotal ? "/\(outline.events)" : "")
    }
}
