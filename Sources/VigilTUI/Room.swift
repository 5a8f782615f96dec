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
    /// The trainer's latest announcement.
    public var announcement: String?

    public init(name: String, isTrainer: Bool) {
        self.name = name
        self.isTrainer = isTrainer
    }

    /// What the status bar says of the room.
    var label: String { "room \(name)" + (frozen ? " frozen" : "") + (revealed ? ", key shown" : "") }
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
        screen.frozen = stored.frozen
        screen.revealed = stored.revealed
        screen.notesReleased = stored.notesReleased
        if let last = messages.last {
            screen.announcement = last.text
            say("trainer: " + last.text)
        }
        room = screen
    }

    /// A trainee does not steer the room's clock.
    var followsRoom: Bool { room.map { !$0.isTrainer } ?? false }

    /// Chapter notes are the trainer's until released (titles are always shown).
    var chapterNotesShown: Bool { room.map { $0.isTrainer || $0.notesReleased } ?? true }
}
