import Testing
@testable import VigilTUI

/// A user keymap may move keys around, but never lets one key quietly do two things.
@Suite struct KeymapTests {
    @Test func aKeyTakenFromAnotherCommandIsRefusedUnlessThatCommandIsRebound() throws {
        #expect(throws: KeymapError.self) { try Keymap.standard.overridden(byYAML: "dismiss: q\n", file: "keys.yaml") }
        do {
            _ = try Keymap.standard.overridden(byYAML: "confirm: y\ndismiss: q\n", file: "keys.yaml")
            Issue.record("q was taken from quit")
        } catch let error as KeymapError {
            #expect(error.description == "keys.yaml:2: 'q' is bound to quit; give quit other keys in this file, or choose another key for dismiss")
        }
        // Moving quit elsewhere first makes q free for dismiss.
        let swapped = try Keymap.standard.overridden(byYAML: "quit: Q\ndismiss: q\n", file: "keys.yaml")
        #expect(swapped.command(for: .char("q")) == .dismiss && swapped.command(for: .char("Q")) == .quit)
        #expect(swapped.command(for: .char("d")) == nil)
    }

    @Test func aKeyListedForTwoCommandsIsRefused() {
        do {
            _ = try Keymap.standard.overridden(byYAML: "confirm: y\nescalate: [E, y]\n", file: "k.yaml")
            Issue.record("y twice")
        } catch let error as KeymapError {
            #expect(error.description == "k.yaml:2: 'y' is listed for both confirm and escalate")
        } catch {
            Issue.record("\(error)")
        }
    }
}
