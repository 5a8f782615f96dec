import ArgumentParser
import Foundation
import VigilFeed
import VigilLexicon
import VigilText
import VigilTriage
import VigilTUI

/// `--store` and `--feed` for the team commands, which work on the store's review items.
struct TeamStoreOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp(
        "The store: a path, sqlite:PATH or postgres://user@host:port/db (default: $\(StoreLocation.environmentVariable), else \(StoreLocation.defaultPath)).",
        valueName: "location"))
    var location: String?

    @Option(help: ArgumentHelp("The feed id whose items to use; needed only when the store has items of several feeds.", valueName: "id"))
    var feed: String?

    func open(_ access: DecisionStores.Access) throws -> any TeamStore {
        try DecisionStores.openTeam(StoreLocation.given(location), access: access)
    }

    /// `--feed`, or the store's only feed.
    func feed(in store: any TeamStore) throws -> String {
        if let feed { return feed }
        let feeds = try store.feeds()
        switch feeds.count {
        case 1: return feeds[0]
        case 0: throw CommandError(.noInput, Self.noItems(in: store))
        default: throw CommandError(.usage, "\(store.label) has items of \(feeds.count) feeds (\(feeds.joined(separator: ", "))); choose one with --feed")
        }
    }

    /// A store without review items; a classroom's store holds rooms instead, whose decisions are
    /// on the room's feed, not in the team's queue.
    static func noItems(in store: any TeamStore) -> String {
        let empty = "\(store.label): no review items yet: the queue is for team review (vigil scan FEED --store puts them there)"
        guard let rooms = try? (store as? RoomStore)?.rooms(), let newest = rooms.first else { return empty }
        let names = rooms.prefix(5).map(\.name).joined(separator: ", ") + (rooms.count > 5 ? ", …" : "")
        return empty + "; this store holds \(rooms.count == 1 ? "the room" : "\(rooms.count) rooms") \(names), whose items live in the room: "
            + "vigil report --room \(newest.name) --store \(store.label)"
    }
}

struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a team store's review items, or claim the next ones for a moderator (docs/store.md).",
        discussion: """
            JSONL: one object per item, in queue order, with at least item (post:p12), state \
            (open, claimed, or the verdict), claimed_by and lease_until. With --claim N, claims up \
            to N open unclaimed items for --moderator (as a console opening them does) and prints \
            those; two moderators claiming at once never get the same item. A store without review \
            items has an empty queue: nothing listed or claimed, exit 0, and a hint on standard error.

            --state approvals lists the decisions the two-person rule holds (one line per item, with \
            decision, action, decided_by and waits_because); a senior answers them with \
            vigil decide ITEM approve|reject.

            Example: vigil queue --store postgres://vigil@127.0.0.1:5432/vigil --claim 5 --moderator amina
            """
    )

    @OptionGroup var store: TeamStoreOptions

    @Option(help: "open: items without a verdict; all: every item; approvals: decisions waiting for a senior.")
    var state: QueueState = .open

    @Option(help: ArgumentHelp("Claim up to this many open items and print them.", valueName: "n"))
    var claim: Int?

    @Option(help: ArgumentHelp("Who claims (with --claim).", valueName: "name"))
    var moderator: String?

    @Option(help: ArgumentHelp("How long a claim lasts, in seconds.", valueName: "seconds"))
    var lease: Double = 300

    @Option(help: "Output format.")
    var format: QueueFormat = .jsonl

    func validate() throws {
        if let claim, claim < 1 { throw ValidationError("--claim must be at least 1.") }
        if claim != nil && moderator == nil { throw ValidationError("--claim needs --moderator.") }
        if claim == nil && moderator != nil { throw ValidationError("--moderator is for --claim.") }
        if claim != nil && state == .approvals { throw ValidationError("--claim takes open items, not --state approvals.") }
        if !(lease > 0) { throw ValidationError("--lease must be more than 0 seconds.") }
    }

    func run() throws {
        let team = try store.open(claim == nil ? .readOnly : .readWrite)
        let entries: [QueueEntry]
        if store.feed == nil, try team.feeds().isEmpty {
            // A store without items has an empty queue, not missing input: a script listing it
            // gets no items and 0 (a claim, nothing to claim), and a person the hint.
            Diagnostics.say(TeamStoreOptions.noItems(in: team))
            entries = []
        } else {
            let feed = try store.feed(in: team)
            if let claim, let moderator {
                try TeamRules.refuseReadOnlyRole(moderator, in: team)
                entries = try QueueListing.claimNext(claim, for: moderator, lease: lease, in: team, feed: feed)
            } else if state == .approvals {
                entries = try QueueListing.approvals(team, feed: feed)
            } else {
                entries = try QueueListing.entries(team, feed: feed, includeDecided: state == .all)
            }
        }
        let out = OutputWriter.standardOutput()
        switch format {
        case .jsonl:
            for entry in entries { out.write(entry.jsonLine + "\n") }
        case .table:
            out.write("item\tstate\tclaimed_by\tlease_until\tscore\tband\n")
            for entry in entries {
                let lease = entry.claim.map { ISO8601DateFormatter().string(from: $0.leaseUntil) } ?? "-"
                out.write([entry.item.ref.description, entry.state, entry.claim?.moderator ?? "-", lease, String(entry.item.score), entry.item.band]
                    .map { TerminalSafe.sanitize($0) }.joined(separator: "\t") + "\n")
            }
        }
        out.finish()
        if let failure = out.failure { throw failure }
    }
}

enum QueueState: String, ExpressibleByArgument, CaseIterable {
    case open, all, approvals
}

enum QueueFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, table
}

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record one decision on an item of a team store, under the console's rules.",
        discussion: """
            The item must not be claimed by another moderator; it is claimed for the moment of the \
            decision and released after. A decision on an item someone else decided since this \
            command read the store is refused as stale; an auditor's is refused. A refusal exits \
            65 with the reason; an unreachable store 74.

            The store's two-person rule (vigil team policy) holds a cluster-wide action or a confirm \
            on a widely followed account until a senior or lead who did not make it answers: \
            approve, or reject with --note (the item returns to the queue). Held decisions are \
            listed by vigil queue --state approvals.

            hold asks for help (--note says with what): the item stays claimed by you and shows \
            "needs help" to seniors and leads. send --to NAME hands it to a named moderator (--note \
            says why); if they have not decided it after --return-after (default 30m), it returns \
            to the shared queue.

            An item the store has neither as a review item of the feed nor in a decision is refused \
            (exit 65): a typo would otherwise be recorded as a decision on nothing. To decide an item \
            no producer put there (a post reported by other means), name its feed with --feed and \
            add --unlisted.

            Example: vigil decide post:p12 confirm --category recruitment --store review.sqlite --moderator amina
            Example: vigil decide cluster:c3 approve --store review.sqlite --moderator lena
            Example: vigil decide post:p12 send --to sam --note "Tagalog slang" --return-after 20m --store review.sqlite --moderator amina
            """
    )

    @Argument(help: ArgumentHelp("The item: post:ID or cluster:ID.", valueName: "item"))
    var item: String

    @Argument(help: ArgumentHelp("confirm, dismiss, escalate, annotate, snooze, hold, send; approve or reject a held decision.", valueName: "action"))
    var action: String

    @Option(help: ArgumentHelp("Who to send the item to (send).", valueName: "name"))
    var to: String?

    @Option(name: .customLong("return-after"), help: ArgumentHelp("When a sent item returns to the shared queue if not decided: 90s, 30m, 1h.",
                                                                valueName: "duration"))
    var returnAfter: String?

    @Option(help: ArgumentHelp("The policy category (a confirm's).", valueName: "id"))
    var category: String?

    @Option(help: ArgumentHelp("A note kept with the decision.", valueName: "text"))
    var note: String?

    @Option(help: ArgumentHelp("Who decides.", valueName: "name"))
    var moderator: String

    @Flag(help: "Record the decision even though the store has no such item (needs --feed).")
    var unlisted = false

    @OptionGroup var store: TeamStoreOptions

    func validate() throws {
        guard ItemRef(parsing: item) != nil else { throw ValidationError("'\(item)' is not an item; write post:ID or cluster:ID.") }
        if unlisted && store.feed == nil { throw ValidationError("--unlisted needs --feed: the feed the item belongs to.") }
        guard let action = Action(rawValue: action), action != .revert else {
            throw ValidationError("'\(action)' is not an action; use confirm, dismiss, escalate, annotate, snooze, hold, send, approve or reject.")
        }
        if action.handsOff && note == nil { throw ValidationError("\(action.rawValue) needs --note: the reason.") }
        if action == .send && to == nil { throw ValidationError("send needs --to NAME.") }
        if action != .send && (to != nil || returnAfter != nil) { throw ValidationError("--to and --return-after are for send.") }
        if let returnAfter, DurationText.seconds(returnAfter) == nil {
            throw ValidationError("--return-after '\(returnAfter)' is not a duration (90s, 30m, 1h).")
        }
        if action == .annotate && note == nil { throw ValidationError("annotate needs --note.") }
    }

    func run() throws {
        let team = try store.open(.readWrite)
        let feed = try store.feed(in: team)
        let ref = ItemRef(parsing: item)!
        let action = Action(rawValue: action)!
        try TeamRules.refuseReadOnlyRole(moderator, in: team)
        if !unlisted { try Self.refuseUnknown(ref, feed: feed, in: team) }
        // What this command knows of the log now: a decision landing after it makes ours stale.
        let seen = try team.latestDecisionID()
        let lexicon = try LexiconLoader.load(paths: []).version
        if action.answersApproval {
            // An answer needs no claim: the held item is off the queue, in the approvals queue.
            guard let held = try team.awaitingApproval(feed: feed).first(where: { $0.items.contains(ref) }) else {
                throw DecisionStoreError(path: team.label, reason: .invalidDecision("\(ref) has no decision waiting for approval"))
            }
            let stored = try team.record(Decision(
                items: held.items, action: action, note: note, moderator: moderator, decidedAt: Date(), feed: feed, lexiconVersion: lexicon,
                requestID: "cli-\(UUID().uuidString)", seenUpTo: seen, approvalOf: held.id))
            try say("decision \(stored.id): \(moderator) \(action == .approve ? "approved" : "rejected") decision \(held.id) "
                    + "(\(held.action.rawValue) \(held.items.map(\.description).joined(separator: ", ")) by \(held.moderator))")
            return
        }
        switch try team.claim([ref], feed: feed, moderator: moderator, lease: 60)[ref] {
        case .heldBy(let claim)?:
            // Held asking for help: a senior or lead answering may act on it, as in the console.
            let help = try team.statuses(feed: feed)[ref]?.handoff
            let answering = try help?.action == .hold && help?.by == claim.moderator && team.role(of: moderator).isSenior
            if !answering {
                throw DecisionStoreError(path: team.label, reason: .refused(
                    "\(ref) is claimed by \(claim.moderator) until \(ISO8601DateFormatter().string(from: claim.leaseUntil))"))
            }
        case .claimed?, .decided?, nil:
            break
        }
        // A hold or send moves the claim itself; releasing it would undo them.
        defer { if !action.handsOff { try? team.release([ref], feed: feed, moderator: moderator) } }
        let decision = Decision(
            items: [ref], action: action, category: category, note: note, moderator: moderator, decidedAt: Date(),
            feed: feed, lexiconVersion: lexicon, requestID: "cli-\(UUID().uuidString)", seenUpTo: seen, sentTo: to,
            returnAfter: action == .send ? returnAfter.flatMap(DurationText.seconds) ?? Self.defaultReturnAfter : nil)
        let stored = try team.record(decision)
        var line = "decision \(stored.id): \(stored.action.rawValue) \(ref) by \(moderator)"
        if let to = stored.sentTo, let after = stored.returnAfter { line += " to \(to); back in the shared queue in \(DurationText.clock(after)) if not decided" }
        if let why = stored.needsApproval { line += "; waits for a senior's approval: \(why)" }
        try say(line)
    }

    /// Refuses an item the feed never had: no review item, no decision. The store has no
    /// one-item lookup, so this reads the feed's items (one query; a lookup by key would be a
    /// store addition).
    static func refuseUnknown(_ ref: ItemRef, feed: String, in team: any TeamStore) throws {
        if try team.statuses(feed: feed)[ref] != nil || team.allItems(feed: feed).contains(where: { $0.ref == ref }) { return }
        throw CommandError(.dataError, "\(ref) is not an item of feed \(feed) in \(team.label): no producer put it there and nothing was "
                           + "decided on it (check the id; to decide it anyway: --feed \(feed) --unlisted)")
    }

    /// How long a sent item stays with its recipient when --return-after is not given.
    static let defaultReturnAfter: TimeInterval = 30 * 60

    private func say(_ line: String) throws {
        let out = OutputWriter.standardOutput()
        out.write(TerminalSafe.sanitize(line) + "\n")
        out.finish()
        if let failure = out.failure { throw failure }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a store's audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the decision log's hash chain: every row as written, none removed or reordered (exit 65 if not).",
            discussion: "Example: vigil audit verify --store postgres://vigil@127.0.0.1:5432/vigil"
        )

        @OptionGroup var store: StoreOption

        func run() throws {
            let team = try DecisionStores.openTeam(StoreLocation.given(store.location),
                                                   access: .readOnly)
            let result = try team.verifyAudit()
            guard result.isIntact else {
                throw CommandError(.dataError, "\(team.label): audit chain broken at decision(s) \(result.broken.map(String.init).joined(separator: ", ")) "
                                   + "of \(result.checked): changed, removed or reordered outside vigil")
            }
            let out = OutputWriter.standardOutput()
            out.write("\(team.label): \(result.checked) decisions, chain intact\n")
            out.finish()
            if let failure = out.failure { throw failure }
        }
    }
}

struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Manage who does what in a team store.",
        subcommands: [Add.self, Policy.self]
    )

    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the store's two-person rule from a policy file, or print the rule in force (docs/store.md).",
            discussion: """
                The rule lives in the store, so every console and command applies it and none can \
                leave it out. Run it as the store's owner or a lead. A file:

                  two_person_rule:
                    clusters: [confirm, dismiss]
                    reach:
                      followers_at_least: 100000
                      actions: [confirm]

                Example: vigil team policy policy.yaml --store postgres://vigil@127.0.0.1:5432/vigil
                """
        )

        @Argument(help: ArgumentHelp("The policy file (YAML); without it, the rule in force is printed.", valueName: "file"))
        var file: String?

        // The rule is the store's, for every feed in it: no --feed.
        @OptionGroup var store: StoreOption

        func run() throws {
            let policy = try file.map { file in
                let text: String
                do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                    throw CommandError(.noInput, "\(file): cannot read the policy file (\(error.localizedDescription))")
                }
                return try PolicyFile.parse(text, file: file)
            }
            let team = try DecisionStores.openTeam(StoreLocation.given(store.location),
                                                   access: policy == nil ? .readOnly : .readWrite)
            if let policy { try team.setPolicy(policy) }
            let out = OutputWriter.standardOutput()
            // Action names and numbers only: nothing a person typed reaches the terminal.
            out.write(PolicyFile.yaml(try team.policy()))
            out.finish()
            if let failure = out.failure { throw failure }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a person a role; on PostgreSQL, also a database login whose grants the database enforces (docs/store.md).",
            discussion: """
                Roles: moderator, senior, lead, trainer, trainee, auditor (reads only). Run it as \
                the store's owner. On PostgreSQL the person then signs in as themselves \
                (postgres://NAME@host/db); how (password, certificate) is the server's \
                pg_hba.conf. Given again, it changes the person's role.

                Example: vigil team add amina --role senior --store postgres://vigil@127.0.0.1:5432/vigil
                """
        )

        @Argument(help: ArgumentHelp("The person's name, which is also their login.", valueName: "name"))
        var name: String

        @Option(help: "The role.")
        var role: TeamRole

        @OptionGroup var store: TeamStoreOptions

        func run() throws {
            let team = try store.open(.readWrite)
            try team.setRole(role, of: name)
            let out = OutputWriter.standardOutput()
            out.write("\(TerminalSafe.sanitize(name)): \(role.rawValue) in \(team.label)\n")
            out.finish()
            if let failure = out.failure { throw failure }
        }
    }
}

extension TeamRole: ExpressibleByArgument {}

/// What the commands check before writing for a person; the database enforces the same on
/// PostgreSQL with its own roles.
enum TeamRules {
    static func refuseReadOnlyRole(_ moderator: String, in store: any TeamStore) throws {
        if try store.role(of: moderator) == .auditor {
            throw DecisionStoreError(path: store.label, reason: .refused("\(moderator) is an auditor (read only)"))
        }
    }
}
