import Foundation
import VigilFeed

/// The team store's rules, written once and run inside one transaction of either back end
/// (docs/store.md). The schema differs only where the engines do (serial ids, trigger syntax).
enum TeamSQL {
    /// Actions that close an item, as SQL text (`Action.closes` is the rule).
    static let closingActions = "(" + Action.allCases.filter(\.closes).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    /// What counts as deciding: a verdict on an item or an answer to a held one (notes, snoozes,
    /// handoffs and undos are not decisions).
    static let verdictActions = "(" + Action.allCases.filter { $0.closes || $0.answersApproval }.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// True for the item when a closing decision is in force: one that no revert undid (a
    /// revert is never reverted) and that, if the two-person rule held it, a senior approved —
    /// StatusBook's `hasVerdict`.
    static func verdictInForce(feed: String, kind: String, item: String) -> String {
        """
        EXISTS (SELECT 1 FROM decision_item vi JOIN decision vd ON vd.id = vi.decision_id
                WHERE vd.feed = \(feed) AND vi.kind = \(kind) AND vi.item_id = \(item) AND vd.action IN \(closingActions)
                  AND \(inForce("vd")))
        """
    }

    /// True for decision row `alias` while it is in force: no revert undid it and, if the
    /// two-person rule held it, a senior approved it.
    static func inForce(_ alias: String) -> String {
        """
        NOT EXISTS (SELECT 1 FROM decision \(alias)u WHERE \(alias)u.revert_of = \(alias).id)
                  AND (\(alias).needs_approval IS NULL
                       OR EXISTS (SELECT 1 FROM decision \(alias)a WHERE \(alias)a.approval_of = \(alias).id AND \(alias)a.action = '\(Action.approve.rawValue)'))
        """
    }

    /// True for the item when a decision on it waits for approval: held by the two-person rule,
    /// neither answered nor withdrawn (StatusBook's `decisionAwaitingApproval(on:)`).
    static func awaitingApproval(feed: String, kind: String, item: String) -> String {
        """
        EXISTS (SELECT 1 FROM decision_item wi JOIN decision wd ON wd.id = wi.decision_id
                WHERE wd.feed = \(feed) AND wi.kind = \(kind) AND wi.item_id = \(item) AND \(awaitsAnswer("wd")))
        """
    }

    /// True for decision row `alias` while the two-person rule holds it.
    static func awaitsAnswer(_ alias: String) -> String {
        """
        \(alias).needs_approval IS NOT NULL AND NOT EXISTS (SELECT 1 FROM decision wa WHERE wa.approval_of = \(alias).id)
                  AND NOT EXISTS (SELECT 1 FROM decision wu WHERE wu.revert_of = \(alias).id)
        """
    }

    /// Whether the item is off the open queue: decided, or waiting for a senior.
    static func offQueue(feed: String, kind: String, item: String) -> String {
        "(\(verdictInForce(feed: feed, kind: kind, item: item)) OR \(awaitingApproval(feed: feed, kind: kind, item: item)))"
    }

    /// The policy's rules that hold `action` on the item, with the item's reach: SQL over the
    /// store's own tables, so PostgreSQL's trigger runs the very rule the store applies.
    static func rulesHolding(feed: String, kind: String, item: String, action: String) -> String {
        """
        SELECT r.kind, r.action, r.reach_at_least, ri.reach FROM approval_rule r
        LEFT JOIN review_item ri ON ri.feed = \(feed) AND ri.kind = \(kind) AND ri.item_id = \(item)
        WHERE r.kind = \(kind) AND r.action = \(action) AND (r.reach_at_least IS NULL OR ri.reach >= r.reach_at_least)
        """
    }

    /// Why `approver` may not answer held decision `target` (SQL yielding NULL when they may):
    /// the two-person rule's checks, run by the store on both back ends and again by
    /// PostgreSQL's trigger for a client that skips vigil.
    static func approvalRefusal(target: String, approver: String) -> String {
        """
        CASE WHEN NOT EXISTS (SELECT 1 FROM decision t WHERE t.id = \(target) AND t.needs_approval IS NOT NULL)
                  THEN 'decision ' || \(target) || ' does not wait for approval'
             WHEN EXISTS (SELECT 1 FROM decision t WHERE t.approval_of = \(target))
                  THEN 'decision ' || \(target) || ' was already answered'
             WHEN EXISTS (SELECT 1 FROM decision t WHERE t.revert_of = \(target))
                  THEN 'decision ' || \(target) || ' was withdrawn'
             WHEN (SELECT t.moderator FROM decision t WHERE t.id = \(target)) = \(approver)
                  THEN \(approver) || ' made decision ' || \(target) || '; the two-person rule needs someone else to answer it'
             WHEN coalesce((SELECT m.role FROM team_member m WHERE m.name = \(approver)), '\(TeamRole.moderator.rawValue)')
                  NOT IN (\(TeamRole.allCases.filter(\.isSenior).map { "'\($0.rawValue)'" }.joined(separator: ", ")))
                  THEN \(approver) || ' is not a senior or lead; only they answer the two-person rule'
        END
        """
    }

    // MARK: Decisions

    /// Appends `decision` (see `DecisionStore.record`): validated, answered with the stored one
    /// when its request id is already stored, refused when stale. Not linked to the audit chain
    /// yet: the database queues it (`decision_unlinked`) for `link`, which the store runs next.
    ///
    /// No lock is shared by all decisions: the checks are serialised per item (and per request
    /// id, and per decision an undo or an answer names), so decisions on other items commit at
    /// the same time and share their WAL flush. On PostgreSQL the locks and everything the checks
    /// read go in one round trip, the writes in a second with COMMIT (docs/store.md).
    static func record(_ decision: Decision, in session: SQLSession, label: String) throws -> Decision {
        var stored = decision
        stored.position = nil
        if stored.scoresShown.isEmpty { stored.scoresShown = Array(repeating: nil, count: stored.items.count) }
        // Read back, per-item categories that are all nil are no per-item categories.
        if stored.itemCategories.allSatisfy({ $0 == nil }) { stored.itemCategories = [] }
        let decidedAt = stored.decidedAt.timeIntervalSince1970
        stored.decidedAt = Date(timeIntervalSince1970: decidedAt)
        try validate(stored, label: label)
        var reads: [SQLStatement] = []
        if let policy = session.dialect.readPolicy { reads.append(SQLStatement(policy)) }
        if let lock = session.dialect.lockKeys { reads.append(lockStatement(lock, keys: lockKeys(stored))) }
        let first = reads.count
        reads.append(SQLStatement("SELECT id FROM decision WHERE request_id = ?", [SQLValue(stored.requestID)]))
        reads.append(staleQuery(stored))
        if stored.action.closes {
            reads.append(heldQuery(stored))
            reads.append(SQLStatement("SELECT kind FROM approval_rule WHERE action = ?", [.text(stored.action.rawValue)]))
        }
        let frozen = RoomSQL.frozenQuery(feed: stored.feed)
        if let frozen { reads.append(frozen) }
        let rows = Array(try session.batch(reads).dropFirst(first))
        if let id = try rows[0].first?.int("id") {
            let log = try readLog(in: session, label: label, where: "id = ?", [.int(id)], snapshots: true)
            if let found = log.decisions.first { return found }
            throw log.problems.first ?? DecisionStoreError(path: label, reason: .unreadable("decision \(id) vanished"))
        }
        if frozen != nil, let rows = rows.last { try RoomSQL.refuseWhileFrozen(rows, moderator: stored.moderator, label: label) }
        try refuseIfStale(rows[1], label: label)
        if stored.action == .revert { try validateRevert(stored, in: session, label: label) }
        if stored.action.answersApproval { try validateAnswer(stored, in: session, label: label) }
        // Whether a decision waits for a second person is the store's to say, never the client's.
        stored.needsApproval = nil
        if stored.action.closes {
            try refuseWhileHeld(rows[2], label: label)
            stored.needsApproval = try holdReason(stored, ruleKinds: Set(rows[3].map { try $0.text("kind") }), in: session)
        }
        if stored.action.handsOff { try refuseHandoff(stored, in: session, label: label) }
        // Taken once every check passed, so a refused decision leaves no gap in the ids.
        stored.id = try session.query(session.dialect.nextID)[0].int("next")
        let items = try jsonText(stored.items.map(\.description))
        let snapshots = try stored.snapshots.map { try jsonText($0) }
        try session.send(SQLStatement("""
            INSERT INTO decision (id, feed, action, category, note, moderator, decided_at, feed_ts, lexicon_version, revert_of, items,
                                  request_id, seen_up_to, needs_approval, approval_of, sent_to, return_after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.int(stored.id), .text(stored.feed), .text(stored.action.rawValue), SQLValue(stored.category), SQLValue(stored.note),
                  .text(stored.moderator), .double(decidedAt), SQLValue(stored.feedTs), .text(stored.lexiconVersion),
                  SQLValue(stored.revertOf), .text(items), SQLValue(stored.requestID), SQLValue(stored.seenUpTo),
                  SQLValue(stored.needsApproval), SQLValue(stored.approvalOf), SQLValue(stored.sentTo), SQLValue(stored.returnAfter)]))
        for (position, item) in stored.items.enumerated() {
            try session.send(SQLStatement("""
                INSERT INTO decision_item (decision_id, position, kind, item_id, score_shown, snapshot, category)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.int(stored.id), .int(Int64(position)), .text(item.kind.rawValue), .text(item.id), SQLValue(stored.scoresShown[position]),
                      SQLValue(snapshots.isEmpty ? nil : snapshots[position]),
                      SQLValue(stored.itemCategories.isEmpty ? nil : stored.itemCategories[position])]))
        }
        try lockItems(stored.items, feed: stored.feed, in: session)
        if stored.action.handsOff { try moveClaims(stored, in: session) }
        if let target = stored.revertOf { try endHandoff(undone: target, items: stored.items, feed: stored.feed, in: session) }
        try refreshClosed(decisions: [stored.id] + [stored.revertOf, stored.approvalOf].compactMap { $0 }, in: session)
        return stored
    }

    /// Keeps review_item.closed (what the queue and claimNext filter on) equal to the verdict
    /// rule for the items of these decisions, in the transaction that changed it.
    private static func refreshClosed(decisions ids: [Int64], in session: SQLSession) throws {
        try session.send(SQLStatement("""
            UPDATE review_item SET closed = CASE WHEN \(offQueue(feed: "review_item.feed", kind: "review_item.kind", item: "review_item.item_id"))
                                                 THEN 1 ELSE 0 END
            WHERE (feed, kind, item_id) IN (SELECT d.feed, i.kind, i.item_id FROM decision_item i JOIN decision d ON d.id = i.decision_id
                                            WHERE d.id IN (\(ids.map { _ in "?" }.joined(separator: ", "))))
            """, ids.map(SQLValue.int)))
    }

    static func validate(_ decision: Decision, label: String) throws {
        func reject(_ why: String) -> DecisionStoreError { DecisionStoreError(path: label, reason: .invalidDecision(why)) }
        if decision.items.isEmpty { throw reject("a decision names at least one item") }
        if decision.scoresShown.count != decision.items.count {
            throw reject("\(decision.scoresShown.count) scores shown for \(decision.items.count) items")
        }
        if !decision.snapshots.isEmpty && decision.snapshots.count != decision.items.count {
            throw reject("\(decision.snapshots.count) snapshots for \(decision.items.count) items")
        }
        if !decision.itemCategories.isEmpty && decision.itemCategories.count != decision.items.count {
            throw reject("\(decision.itemCategories.count) item categories for \(decision.items.count) items")
        }
        switch (decision.action, decision.revertOf) {
        case (.revert, nil): throw reject("a revert names the decision it reverts")
        case (.revert, _), (_, nil): break
        case (let action, _?): throw reject("only a revert names a decision to revert, not \(action.rawValue)")
        }
        switch (decision.action.answersApproval, decision.approvalOf) {
        case (true, nil): throw reject("\(decision.action.rawValue) names the held decision it answers")
        case (false, _?): throw reject("only approve and reject name a held decision, not \(decision.action.rawValue)")
        default: break
        }
        if (decision.action.handsOff || decision.action == .reject) && (decision.note ?? "").isEmpty {
            throw reject("\(decision.action.rawValue) needs a reason (a note)")
        }
        switch (decision.action == .send, decision.sentTo, decision.returnAfter) {
        case (true, let to?, let after?):
            if to.isEmpty || to == decision.moderator { throw reject("send names someone else to send the item to") }
            if !(after > 0) { throw reject("a send's return timer is more than 0 seconds") }
        case (true, _, _): throw reject("send names who to send to and when the item returns")
        case (false, nil, nil): break
        case (false, _, _): throw reject("only send names a moderator to send to and a return timer")
        }
    }

    /// How long a hold keeps the asker's claim: a shift, while someone comes to help.
    static let holdLease: TimeInterval = 8 * 3600

    /// A hold or a send moves a live item only: not one decided or awaiting approval, nor one
    /// another moderator holds (the sender, and a send's recipient, may).
    private static func refuseHandoff(_ decision: Decision, in session: SQLSession, label: String) throws {
        let now = try now(in: session)
        for item in decision.items {
            let off = try session.query("SELECT \(offQueue(feed: "?", kind: "?", item: "?")) AS off",
                                        Array(repeating: [SQLValue.text(decision.feed), .text(item.kind.rawValue), .text(item.id)], count: 2).flatMap { $0 })
            if ["1", "t", "true"].contains(off.first?["off"] ?? "") {
                throw DecisionStoreError(path: label, reason: .invalidDecision("\(item) is decided or waits for approval: nothing to \(decision.action.rawValue)"))
            }
            if let holder = try session.query("""
                SELECT moderator FROM claim WHERE feed = ? AND kind = ? AND item_id = ? AND lease_until > ? AND moderator <> ? AND moderator <> ?
                """, .text(decision.feed), .text(item.kind.rawValue), .text(item.id), .double(now), .text(decision.moderator),
                .text(decision.sentTo ?? decision.moderator)).first {
                throw DecisionStoreError(path: label, reason: .refused("\(item) is claimed by \(try holder.text("moderator"))"))
            }
        }
    }

    /// A hold keeps the item with the asker for `holdLease`; a send gives it to the recipient
    /// until the return timer runs out, when it is back in the shared queue as any expired claim.
    private static func moveClaims(_ decision: Decision, in session: SQLSession) throws {
        let now = try now(in: session)
        let event = try tick(in: session)
        let holder = decision.sentTo ?? decision.moderator
        let until = now + (decision.returnAfter ?? holdLease)
        for item in decision.items {
            try session.query("""
                INSERT INTO claim (feed, kind, item_id, moderator, claimed_at, lease_until, event) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (feed, kind, item_id) DO UPDATE SET moderator = excluded.moderator, claimed_at = excluded.claimed_at,
                    lease_until = excluded.lease_until, event = excluded.event
                """, .text(decision.feed), .text(item.kind.rawValue), .text(item.id), .text(holder), .double(now), .double(until), .int(event))
            try markClaimed(item, feed: decision.feed, until: until, in: session)
        }
    }

    /// An undone hold or send ends the claim it gave: the item is back in the shared queue (the
    /// asker's console takes it again while it is on their screen).
    private static func endHandoff(undone target: Int64, items: [ItemRef], feed: String, in session: SQLSession) throws {
        guard let row = try session.query("SELECT action, moderator, sent_to FROM decision WHERE id = ?", .int(target)).first,
              let action = Action(rawValue: try row.text("action")), action.handsOff else { return }
        try release(items, feed: feed, moderator: row["sent_to"] ?? row.text("moderator"), in: session)
    }

    /// The two-person rule's checks (`approvalRefusal`), and that the answer names the held
    /// decision's items: its rows then show in each item's history.
    private static func validateAnswer(_ decision: Decision, in session: SQLSession, label: String) throws {
        guard let target = decision.approvalOf else { return }
        let why = try session.query("""
            SELECT \(approvalRefusal(target: "p.target", approver: "p.approver")) AS why
            FROM (SELECT CAST(? AS bigint) AS target, CAST(? AS text) AS approver) p
            """, .int(target), .text(decision.moderator))
        if let why = why.first?["why"] { throw DecisionStoreError(path: label, reason: .refused(why)) }
        let held = try readLog(in: session, label: label, where: "id = ?", [.int(target)], snapshots: false)
        if let heldItems = held.decisions.first?.items, Set(heldItems) != Set(decision.items) {
            throw DecisionStoreError(path: label, reason: .invalidDecision("an answer names the items of decision \(target): \(heldItems.map(\.description).joined(separator: ", "))"))
        }
    }

    /// A closing decision on an item that already waits for a senior would be decided twice.
    /// One query for all the items: a cluster action names dozens.
    private static func heldQuery(_ decision: Decision) -> SQLStatement {
        SQLStatement("""
            SELECT wi.kind, wi.item_id, wd.id, wd.moderator FROM decision_item wi JOIN decision wd ON wd.id = wi.decision_id
            WHERE wd.feed = ? AND (wi.kind, wi.item_id) IN (\(rowValues(decision.items.count))) AND \(awaitsAnswer("wd")) ORDER BY wd.id LIMIT 1
            """, [.text(decision.feed)] + itemArguments(decision.items))
    }

    private static func refuseWhileHeld(_ rows: [SQLRow], label: String) throws {
        guard let row = rows.first else { return }
        throw DecisionStoreError(path: label, reason: .refused(
            "\(try row.text("kind")):\(try row.text("item_id")) waits for a senior to approve \(try row.text("moderator"))'s decision \(try row.int("id"))"))
    }

    /// `(?, ?), …` for `count` items' (kind, id) pairs, and their arguments.
    private static func rowValues(_ count: Int) -> String { Array(repeating: "(?, ?)", count: count).joined(separator: ", ") }
    private static func itemArguments(_ items: [ItemRef]) -> [SQLValue] { items.flatMap { [SQLValue.text($0.kind.rawValue), .text($0.id)] } }

    /// Why the policy holds the decision until a senior approves it, or nil when it takes
    /// effect at once. The rule itself is `rulesHolding`, asked only of items of a kind the
    /// policy has a rule for this action on (`ruleKinds`; most decisions: none).
    private static func holdReason(_ decision: Decision, ruleKinds kinds: Set<String>, in session: SQLSession) throws -> String? {
        let asked = decision.items.filter { kinds.contains($0.kind.rawValue) }
        guard !asked.isEmpty else { return nil }
        let answers = try session.batch(asked.map { item in
            SQLStatement(rulesHolding(feed: "?", kind: "?", item: "?", action: "?"),
                         [.text(decision.feed), .text(item.kind.rawValue), .text(item.id), .text(item.kind.rawValue), .text(decision.action.rawValue)])
        })
        for (item, rows) in zip(asked, answers) {
            guard let row = rows.first else { continue }
            return ApprovalPolicy.reason(kind: item.kind, action: decision.action, reachAtLeast: try row.optionalInt("reach_at_least"),
                                         reach: try row.optionalInt("reach"))
        }
        return nil
    }

    /// Decisions the two-person rule holds now, oldest first.
    static func awaitingApproval(feed: String, in session: SQLSession, label: String) throws -> [Decision] {
        let log = try readLog(in: session, label: label, where: "feed = ? AND \(awaitsAnswer("decision"))", [.text(feed)], snapshots: true)
        if let problem = log.problems.first { throw problem }
        return log.decisions
    }

    static func policy(in session: SQLSession) throws -> ApprovalPolicy {
        try ApprovalPolicy(rules: session.query("SELECT kind, action, reach_at_least FROM approval_rule ORDER BY kind, action").map { row in
            guard let kind = ItemKind(rawValue: try row.text("kind")) else { throw SQLRowError(column: "kind", value: row["kind"]) }
            guard let action = Action(rawValue: try row.text("action")) else { throw SQLRowError(column: "action", value: row["action"]) }
            return ApprovalPolicy.Rule(kind: kind, action: action, reachAtLeast: try row.optionalInt("reach_at_least"))
        })
    }

    /// Replaces the policy in one transaction: decisions already held stay held.
    static func setPolicy(_ policy: ApprovalPolicy, in session: SQLSession) throws {
        if let lock = session.dialect.changePolicy { try session.query(lock) }
        try session.query("DELETE FROM approval_rule")
        for rule in policy.rules {
            try session.query("INSERT INTO approval_rule (kind, action, reach_at_least) VALUES (?, ?, ?)",
                              .text(rule.kind.rawValue), .text(rule.action.rawValue), SQLValue(rule.reachAtLeast))
        }
    }

    /// Inside the write transaction, so two moderators undoing the same decision cannot both
    /// succeed.
    private static func validateRevert(_ decision: Decision, in session: SQLSession, label: String) throws {
        guard let target = decision.revertOf else { return }
        func reject(_ why: String) -> DecisionStoreError { DecisionStoreError(path: label, reason: .invalidDecision(why)) }
        guard let row = try session.query("SELECT feed, action FROM decision WHERE id = ?", .int(target)).first else {
            throw reject("decision \(target) does not exist")
        }
        if try row.text("feed") != decision.feed { throw reject("decision \(target) belongs to another feed") }
        if try row.text("action") == Action.revert.rawValue { throw reject("decision \(target) is itself a revert") }
        if let action = Action(rawValue: try row.text("action")), action.answersApproval {
            throw reject("decision \(target) answers the two-person rule and stays; revert the decision it answered instead")
        }
        if let by = try session.query("SELECT id FROM decision WHERE revert_of = ?", .int(target)).first {
            throw reject("decision \(target) was already reverted by decision \(try by.int("id"))")
        }
    }

    /// The stale-decision guard: another moderator's decision on one of the items that the
    /// deciding screen cannot have seen: linked after the newest position it knew of, or not
    /// linked yet (none when the screen names no position).
    private static func staleQuery(_ decision: Decision) -> SQLStatement {
        SQLStatement("""
            SELECT d.id, d.moderator, d.action, i.kind, i.item_id FROM decision d JOIN decision_item i ON i.decision_id = d.id
            LEFT JOIN decision_chain c ON c.decision_id = d.id
            WHERE d.feed = ? AND (i.kind, i.item_id) IN (\(rowValues(decision.items.count)))
              AND \(decision.seenUpTo == nil ? "1 = 0" : "(c.position IS NULL OR c.position > ?)") AND d.moderator <> ?
            ORDER BY d.id LIMIT 1
            """, [.text(decision.feed)] + itemArguments(decision.items) + (decision.seenUpTo.map { [SQLValue.int($0)] } ?? [])
                + [.text(decision.moderator)])
    }

    /// What a decision's checks are serialised on (`SQLDialect.lockKeys`): each item, the
    /// request id (a replay racing its original is answered with it, not refused by the unique
    /// index), and the decision an undo or an answer names (two cannot both pass its checks).
    private static func lockKeys(_ decision: Decision) -> [String] {
        decision.items.map { "item \(decision.feed) \($0)" } + [decision.requestID.map { "request \($0)" }].compactMap { $0 }
            + [decision.revertOf, decision.approvalOf].compactMap { $0 }.map { "decision \($0)" }
    }

    private static func lockStatement(_ template: String, keys: [String]) -> SQLStatement {
        SQLStatement(template.replacingOccurrences(of: "%@", with: Array(repeating: "(CAST(? AS text))", count: keys.count).joined(separator: ", ")),
                     keys.map(SQLValue.text))
    }

    private static func refuseIfStale(_ rows: [SQLRow], label: String) throws {
        guard let row = rows.first else { return }
        throw DecisionStoreError(path: label, reason: .stale(
            "\(try row.text("moderator")) recorded \(try row.text("action")) on \(try row.text("kind")):\(try row.text("item_id")) (decision \(try row.int("id"))) after this screen last heard of it"))
    }

    /// Decisions matching `condition` (on table `decision`), in chain order (those not linked
    /// yet last, by id), and a problem for each that does not decode.
    static func readLog(in session: SQLSession, label: String, where condition: String, _ arguments: [SQLValue], snapshots: Bool) throws -> DecisionLog {
        let rows = try session.batch(logStatements(where: condition, arguments, snapshots: snapshots))
        return decodeLog(decisions: rows[0], items: rows[1], snapshots: snapshots, label: label)
    }

    /// `readLog`'s two queries, to send with others in one round trip.
    private static func logStatements(where condition: String, _ arguments: [SQLValue], snapshots: Bool) -> [SQLStatement] {
        [SQLStatement("""
            SELECT decision.*, c.position AS chain_position FROM decision LEFT JOIN decision_chain c ON c.decision_id = decision.id
            WHERE \(condition) ORDER BY c.position IS NULL, c.position, decision.id
            """, arguments),
         SQLStatement("""
            SELECT decision_id, position, score_shown, category AS item_category\(snapshots ? ", snapshot" : "")
            FROM decision_item WHERE decision_id IN (SELECT id FROM decision WHERE \(condition))
            ORDER BY decision_id, position
            """, arguments)]
    }

    private static func decodeLog(decisions decisionRows: [SQLRow], items itemRows: [SQLRow], snapshots: Bool, label: String) -> DecisionLog {
        var extras: [Int64: [SQLRow]] = [:]
        for row in itemRows {
            if let id = try? row.int("decision_id") { extras[id, default: []].append(row) }
        }
        var log = DecisionLog(decisions: [])
        for row in decisionRows {
            let id = (try? row.int("id")) ?? 0
            do {
                var decision = try decode(row, items: extras[id] ?? [], snapshots: snapshots)
                decision.position = try row.optionalInt("chain_position")
                log.decisions.append(decision)
            } catch {
                log.problems.append(DecisionStoreError(path: label, reason: .unreadable("decision \(id): \(error)")))
            }
        }
        return log
    }

    private static func decode(_ row: SQLRow, items itemRows: [SQLRow], snapshots: Bool) throws -> Decision {
        let actionText = try row.text("action")
        guard let action = Action(rawValue: actionText) else { throw SQLRowError(column: "action", value: actionText) }
        let itemTexts = try JSONDecoder().decode([String].self, from: Data(try row.text("items").utf8))
        let items = try itemTexts.map { text in
            guard let item = ItemRef(parsing: text) else { throw SQLRowError(column: "items", value: text) }
            return item
        }
        guard itemRows.count == items.count else { throw SQLRowError(column: "items", value: "\(itemRows.count) item rows for \(items.count) items") }
        var stored: [ItemSnapshot] = []
        if snapshots, itemRows.contains(where: { $0["snapshot"] != nil }) {
            stored = try itemRows.map { try JSONDecoder().decode(ItemSnapshot.self, from: Data(($0["snapshot"] ?? "").utf8)) }
        }
        let itemCategories = itemRows.map { $0["item_category"] }
        return Decision(
            id: try row.int("id"), items: items, action: action, category: row["category"],
            itemCategories: itemCategories.contains { $0 != nil } ? itemCategories : [], note: row["note"],
            moderator: try row.text("moderator"), decidedAt: Date(timeIntervalSince1970: try row.double("decided_at")),
            feedTs: row["feed_ts"], feed: try row.text("feed"), lexiconVersion: try row.text("lexicon_version"),
            scoresShown: try itemRows.map { try $0.optionalInt("score_shown").map(Int.init) }, revertOf: try row.optionalInt("revert_of"),
            snapshots: stored, requestID: row["request_id"], seenUpTo: try row.optionalInt("seen_up_to"),
            needsApproval: row["needs_approval"], approvalOf: try row.optionalInt("approval_of"), sentTo: row["sent_to"],
            returnAfter: try row["return_after"].map { value in
                guard let seconds = Double(value) else { throw SQLRowError(column: "return_after", value: value) }
                return seconds
            })
    }

    // MARK: Audit chain

    /// The hash of a decision row: its content as stored and the previous row's hash, so an
    /// edit, a removal or a reordering anywhere breaks every check from there on.
    static func link(previous: String, _ decision: Decision) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        var hasher = SHA256()
        hasher.update(previous.utf8)
        hasher.update(CollectionOfOne(UInt8(ascii: "\n")))
        hasher.update(try encoder.encode(decision))
        return hasher.hex()
    }

    /// Links every committed decision the chain does not hold yet (`decision_unlinked`, which
    /// a trigger fills as each row is inserted), in id order, after the chain's last link: each
    /// gets the next position. Under the chain lock, held to COMMIT, so positions commit in
    /// order and the change feed's cursor never passes one committed late. A decision whose
    /// appender stopped before linking it is linked by the next linker. Returns decision `id`'s
    /// position (nil when it has none: not committed, or unknown).
    ///
    /// Under load many appenders link at once: one holds the lock and links every decision
    /// committed so far; the others wait for it to finish and most then find theirs linked,
    /// rather than each taking the lock in turn to learn its position.
    @discardableResult
    static func link(in session: SQLSession, label: String, reporting id: Int64? = nil) throws -> Int64? {
        // Only the lock's holder reads the queue: the others, woken together when it ends, ask
        // for their own position alone.
        while true {
            let (got, answer) = try tryLock(.chain, with: [SQLStatement("SELECT position FROM decision_chain WHERE decision_id = ?", [SQLValue(id)])],
                                            in: session, unlessDone: { $0[0].first != nil })
            if let own = try answer[0].first?.int("position") { return own }
            if got { break }
        }
        let rows = try session.batch([SQLStatement("SELECT hash, position FROM decision_chain ORDER BY position DESC LIMIT 1")]
                                     + logStatements(where: "id IN (SELECT decision_id FROM decision_unlinked)", [], snapshots: true))
        let log = decodeLog(decisions: rows[1], items: rows[2], snapshots: true, label: label)
        if let problem = log.problems.first { throw problem }
        var previous = rows[0].first?["hash"] ?? ""
        var position = try rows[0].first?.int("position") ?? 0
        var own: Int64?
        guard !log.decisions.isEmpty else { return nil }
        var values: [SQLValue] = []
        for decision in log.decisions.sorted(by: { $0.id < $1.id }) {
            position += 1
            previous = try link(previous: previous, decision)
            values += [.int(decision.id), .text(previous), .int(position)]
            if decision.id == id { own = position }
        }
        let count = log.decisions.count
        try session.send(SQLStatement("INSERT INTO decision_chain (decision_id, hash, position) VALUES "
                                      + Array(repeating: "(?, ?, ?)", count: count).joined(separator: ", "), values))
        try session.send(SQLStatement("DELETE FROM decision_unlinked WHERE decision_id IN (\(Array(repeating: "?", count: count).joined(separator: ", ")))",
                                      log.decisions.map { .int($0.id) }))
        // The wake-up: the change feed shows a decision once it is linked, not when appended.
        if let notify = session.dialect.notify { try session.send(SQLStatement(notify)) }
        return own
    }

    /// Whether committed decisions wait to be linked (`link`).
    static func hasUnlinked(in session: SQLSession) throws -> Bool {
        try !session.query("SELECT decision_id FROM decision_unlinked LIMIT 1").isEmpty
    }

    /// Walks the chain in position order. A decision waiting to be linked (committed after the
    /// chain's last link; `link` will place it) is neither checked nor broken; a decision with
    /// neither a link nor a place in the queue, or a link without its row, was tampered with.
    static func verifyAudit(in session: SQLSession, label: String) throws -> AuditVerification {
        let log = try readLog(in: session, label: label, where: "1 = 1", [], snapshots: true)
        let waiting = Set(try session.query("SELECT decision_id FROM decision_unlinked").map { try $0.int("decision_id") })
        var byID: [Int64: Decision] = [:]
        for decision in log.decisions { byID[decision.id] = decision }
        var broken = Set<Int64>()
        var previous = ""
        var checked = 0
        var linked = Set<Int64>()
        for row in try session.query("SELECT decision_id, hash FROM decision_chain ORDER BY position") {
            let id = try row.int("decision_id")
            let stored = try row.text("hash")
            linked.insert(id)
            checked += 1
            // A row that no longer decodes was edited too; a link without its row was deleted.
            guard let decision = byID[id] else {
                broken.insert(id)
                previous = stored
                continue
            }
            if try stored != link(previous: previous, decision) { broken.insert(id) }
            previous = stored
        }
        for decision in log.decisions where !linked.contains(decision.id) && !waiting.contains(decision.id) {
            checked += 1
            broken.insert(decision.id)
        }
        for problem in log.problems {
            guard let id = decisionID(in: problem), !linked.contains(id) else { continue }
            checked += 1
            if !waiting.contains(id) { broken.insert(id) }
        }
        return AuditVerification(checked: checked, broken: broken.sorted())
    }

    private static func decisionID(in problem: DecisionStoreError) -> Int64? {
        guard case .unreadable(let why) = problem.reason, why.hasPrefix("decision ") else { return nil }
        return Int64(why.dropFirst("decision ".count).prefix { $0.isNumber })
    }

    // MARK: Items, claims, presence

    static func now(in session: SQLSession) throws -> Double {
        try session.query("SELECT \(session.dialect.now) AS now")[0].double("now")
    }

    /// Locks the items' rows, in one order (kind, id), before the clock is taken: claimNext
    /// holds its rows while it waits for the clock, so a writer that took the clock first and
    /// then waited for one of those rows would deadlock with it.
    static func lockItems(_ items: [ItemRef], feed: String, in session: SQLSession) throws {
        guard let lock = session.dialect.lockRows, !items.isEmpty else { return }
        try session.send(SQLStatement("""
            SELECT 1 FROM review_item WHERE feed = ? AND (kind, item_id) IN (\(rowValues(items.count))) ORDER BY kind, item_id \(lock)
            """, [.text(feed)] + itemArguments(items)))
    }

    /// The next tick of the store's change clock. Its one row stays locked until the
    /// transaction ends, so ticks commit in order and a reader never skips one committed late.
    /// Take it after any item row the transaction will lock (`lockItems`).
    @discardableResult
    static func tick(in session: SQLSession) throws -> Int64 {
        let value = try session.query(tickStatement.sql)[0].int("value")
        if let notify = session.dialect.notify { try session.send(SQLStatement(notify)) }
        return value
    }

    private static let tickStatement = SQLStatement("UPDATE store_clock SET value = value + 1 RETURNING value")

    static func put(_ items: [ReviewItem], in session: SQLSession) throws {
        for (feed, group) in Dictionary(grouping: items, by: \.feed) { try lockItems(group.map(\.ref), feed: feed, in: session) }
        for item in items {
            // A tick each: arrival order within one put is the order given.
            let event = try tick(in: session)
            let categories = try jsonText(item.categories)
            let body = String(decoding: item.body, as: UTF8.self)
            let content: [SQLValue] = [.double(item.priority), .int(Int64(item.score)), .text(item.band), SQLValue(item.account), SQLValue(item.lang),
                                       .text(categories), SQLValue(item.feedTs), .text(body), SQLValue(item.reach)]
            // Version 1 when new; one more, and a new event, only when the content changed and is
            // not older by feed time (a second producer replaying the feed does not take a grown
            // cluster back through its earlier states).
            try session.query("""
                INSERT INTO review_item (priority, score, band, account, lang, categories, feed_ts, body, reach, feed, kind, item_id, version, arrival,
                                         event, closed, claimed_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, CASE WHEN \(offQueue(feed: "?", kind: "?", item: "?")) THEN 1 ELSE 0 END, 0)
                ON CONFLICT (feed, kind, item_id) DO UPDATE SET
                    priority = excluded.priority, score = excluded.score, band = excluded.band, account = excluded.account,
                    lang = excluded.lang, categories = excluded.categories, feed_ts = excluded.feed_ts, body = excluded.body,
                    reach = excluded.reach, version = review_item.version + 1, event = excluded.event
                WHERE (review_item.feed_ts IS NULL OR excluded.feed_ts IS NULL OR excluded.feed_ts >= review_item.feed_ts)
                  AND (review_item.priority <> excluded.priority OR review_item.score <> excluded.score OR review_item.band <> excluded.band
                   OR review_item.account IS DISTINCT FROM excluded.account OR review_item.lang IS DISTINCT FROM excluded.lang
                   OR review_item.categories <> excluded.categories OR review_item.feed_ts IS DISTINCT FROM excluded.feed_ts
                   OR review_item.body <> excluded.body OR review_item.reach IS DISTINCT FROM excluded.reach)
                """, content + [.text(item.feed), .text(item.ref.kind.rawValue), .text(item.ref.id), .int(event), .int(event)]
                    + Array(repeating: [SQLValue.text(item.feed), .text(item.ref.kind.rawValue), .text(item.ref.id)], count: 2).flatMap { $0 })
        }
    }

    static func allItems(feed: String, in session: SQLSession) throws -> [ReviewItem] {
        try session.query("SELECT * FROM review_item WHERE feed = ? ORDER BY priority DESC, arrival", .text(feed)).map(item)
    }

    /// The chain's last position (what `Decision.seenUpTo` and the change feed's cursor count).
    static func latestDecisionID(in session: SQLSession) throws -> Int64 {
        try session.query("SELECT coalesce(max(position), 0) AS position FROM decision_chain")[0].int("position")
    }

    static func feeds(in session: SQLSession) throws -> [String] {
        try session.query("SELECT feed FROM review_item GROUP BY feed ORDER BY min(arrival)").map { try $0.text("feed") }
    }

    static func openItems(feed: String, offset: Int, limit: Int, in session: SQLSession) throws -> [ReviewItem] {
        try session.query("""
            SELECT * FROM review_item WHERE feed = ? AND closed = 0 ORDER BY priority DESC, arrival LIMIT ? OFFSET ?
            """, .text(feed), .int(Int64(limit)), .int(Int64(offset))).map(item)
    }

    static func claim(_ items: [ItemRef], feed: String, moderator: String, lease: TimeInterval, in session: SQLSession) throws -> [ItemRef: ClaimOutcome] {
        let now = try now(in: session)
        try lockItems(items, feed: feed, in: session)
        try tick(in: session)
        var outcomes: [ItemRef: ClaimOutcome] = [:]
        for item in items {
            let decided = try session.query("SELECT \(offQueue(feed: "?", kind: "?", item: "?")) AS decided",
                                            [.text(feed), .text(item.kind.rawValue), .text(item.id), .text(feed), .text(item.kind.rawValue), .text(item.id)])[0]
            if ["1", "t", "true"].contains(decided["decided"] ?? "") {
                outcomes[item] = .decided
            } else if let claim = try take(item, feed: feed, moderator: moderator, now: now, lease: lease, in: session) {
                outcomes[item] = .claimed(claim)
            } else if let holder = try session.query("SELECT * FROM claim WHERE feed = ? AND kind = ? AND item_id = ?",
                                                     .text(feed), .text(item.kind.rawValue), .text(item.id)).first {
                outcomes[item] = .heldBy(try claim(holder))
            }
        }
        return outcomes
    }

    /// Takes or renews the claim unless another moderator's lease is running; the guard is in
    /// the upsert itself, so two moderators racing for an item cannot both get it. Returns the
    /// claim when taken.
    private static func take(_ item: ItemRef, feed: String, moderator: String, now: Double, lease: TimeInterval,
                             in session: SQLSession) throws -> Claim? {
        let statement = takeStatement(item, feed: feed, moderator: moderator, now: now, lease: lease)
        let claim = try session.query(statement.sql, statement.arguments).first.map(claim)
        if let claim { try markClaimed(item, feed: feed, until: claim.leaseUntil.timeIntervalSince1970, in: session) }
        return claim
    }

    /// `take`'s upsert, stamped with `event`: by default the change clock's value, which the
    /// caller's transaction has ticked (`tick`) and whose row it holds.
    private static func takeStatement(_ item: ItemRef, feed: String, moderator: String, now: Double, lease: TimeInterval,
                                      event: String = "(SELECT value FROM store_clock)") -> SQLStatement {
        SQLStatement("""
            INSERT INTO claim (feed, kind, item_id, moderator, claimed_at, lease_until, event)
            VALUES (?, ?, ?, ?, ?, ?, \(event))
            ON CONFLICT (feed, kind, item_id) DO UPDATE SET
                claimed_at = CASE WHEN claim.moderator = excluded.moderator AND claim.lease_until > excluded.claimed_at
                                  THEN claim.claimed_at ELSE excluded.claimed_at END,
                moderator = excluded.moderator, event = excluded.event,
                -- A renewal never shortens a longer claim: a hold's, or a send's return timer.
                lease_until = CASE WHEN claim.moderator = excluded.moderator AND claim.lease_until > excluded.lease_until
                                   THEN claim.lease_until ELSE excluded.lease_until END
            WHERE claim.moderator = excluded.moderator OR claim.lease_until <= excluded.claimed_at
            RETURNING *
            """, [.text(feed), .text(item.kind.rawValue), .text(item.id), .text(moderator), .double(now), .double(now + lease)])
    }

    /// review_item.claimed_until mirrors the claim, so claimNext reads one table (and
    /// PostgreSQL re-checks a row another claimer just took before handing it out).
    private static func markClaimed(_ item: ItemRef, feed: String, until: Double, in session: SQLSession) throws {
        try session.send("UPDATE review_item SET claimed_until = ? WHERE feed = ? AND kind = ? AND item_id = ?",
                         .double(until), .text(feed), .text(item.kind.rawValue), .text(item.id))
    }

    /// The event of a claim taken without the change clock (`claimNext` where writers run
    /// concurrently): the change feed reads no claim at it until `stampClaims` gives it one.
    static let unstamped: Int64 = 0

    /// Three round trips on PostgreSQL: the candidates (locked, passing over rows others are
    /// claiming) with the clock's time; the claims; the mirrors and COMMIT. Where writers run
    /// concurrently (`SQLDialect.linksApart`) the claims are taken `unstamped`, without the
    /// change clock, so concurrent claims commit together and share a WAL flush; the store then
    /// stamps them (`stampClaims`). SQLite's single writer ticks the clock here.
    static func claimNext(feed: String, moderator: String, count: Int, lease: TimeInterval, in session: SQLSession) throws -> [ClaimedItem] {
        // The time is read after the candidates' leases were compared with it: each has expired.
        let found = try session.batch([
            SQLStatement("""
                SELECT * FROM review_item WHERE feed = ? AND closed = 0 AND claimed_until <= \(session.dialect.now)
                ORDER BY priority DESC, arrival LIMIT ? \(session.dialect.skipLocked)
                """, [.text(feed), .int(Int64(count))]),
            SQLStatement("SELECT \(session.dialect.now) AS now"),
        ])
        let candidates = try found[0].map(item)
        guard !candidates.isEmpty else { return [] }
        let now = try found[1][0].double("now")
        let stampsLater = session.dialect.linksApart
        let taken = try session.batch((stampsLater ? [] : [tickStatement])
                                      + candidates.map { takeStatement($0.ref, feed: feed, moderator: moderator, now: now, lease: lease,
                                                                       event: stampsLater ? String(unstamped) : "(SELECT value FROM store_clock)") })
        return try zip(candidates, taken.suffix(candidates.count)).compactMap { item, rows in
            guard let claim = try rows.first.map(claim) else { return nil }
            try markClaimed(item.ref, feed: feed, until: claim.leaseUntil.timeIntervalSince1970, in: session)
            return ClaimedItem(item: item, claim: claim)
        }
    }

    /// Tries the lock `key` (`SQLDialect.tryLock`) and runs `reads` after it in the same round
    /// trip: whether it was got, and the reads' rows. Not got and not `unlessDone` by those rows,
    /// it waits for the holder's end and runs `reads` again after the wait, in the same round
    /// trip: the rows returned are then those the holder left, so a waiter whose work the holder
    /// did learns it without asking again (under load most waiters do). Where writers run alone
    /// (SQLite) there is nothing to lock: got.
    private static func tryLock(_ key: SQLDialect.Lock, with reads: [SQLStatement], in session: SQLSession,
                                unlessDone done: ([[SQLRow]]) throws -> Bool) throws -> (Bool, [[SQLRow]]) {
        guard let tryLock = session.dialect.tryLock else { return (true, try session.batch(reads)) }
        let answer = try session.batch([SQLStatement(tryLock, [.int(key.rawValue)])] + reads)
        let looked = Array(answer.dropFirst())
        if ["t", "true", "1"].contains(answer[0].first?["got"] ?? "") { return (true, looked) }
        if try done(looked) { return (false, looked) }
        let wait = session.dialect.awaitLock.map { SQLStatement($0, [.int(key.rawValue)]) }
        return (false, Array(try session.batch(wait + reads).dropFirst(wait.count)))
    }

    /// Gives the feed's unstamped claims their events, in one order, under the change clock's
    /// row lock (held to COMMIT, as `tick` holds it: events commit in order, and a reader never
    /// passes one committed late), one stamper at a time (`SQLDialect.Lock.claimStamps`). True
    /// once `items`' claims are stamped, by this call or by another stamper; false after waiting
    /// for another stamper (which may have stamped them): the caller asks again in a new
    /// transaction. Claims another
    /// transaction is writing are passed over (`SKIP LOCKED`), so a stamper never waits for a
    /// row while it holds the clock; their own claimer stamps them.
    static func stampClaims(_ items: [ItemRef], feed: String, in session: SQLSession) throws -> Bool {
        let mine = SQLStatement("""
            SELECT count(*) AS n FROM claim WHERE feed = ? AND (kind, item_id) IN (\(rowValues(items.count))) AND event = \(unstamped)
            """, [.text(feed)] + itemArguments(items))
        let (got, look) = try tryLock(.claimStamps, with: [mine], in: session, unlessDone: { try $0[0][0].int("n") == 0 })
        if try look[0][0].int("n") == 0 { return true }
        guard got else { return false }
        // The clock's row, as `tick` takes it (writers that tick wait for it, and this for them);
        // the stamps are read from it in the next statement, after any such writer committed.
        let stamped = try session.batch([SQLStatement("SELECT value FROM store_clock FOR UPDATE"), SQLStatement("""
            WITH waiting AS (SELECT kind, item_id, claimed_at FROM claim WHERE feed = ? AND event = \(unstamped) FOR UPDATE SKIP LOCKED),
                 numbered AS (SELECT kind, item_id, row_number() OVER (ORDER BY claimed_at, kind, item_id) AS k FROM waiting),
                 stamped AS (UPDATE claim SET event = (SELECT value FROM store_clock) + numbered.k FROM numbered
                             WHERE claim.feed = ? AND claim.kind = numbered.kind AND claim.item_id = numbered.item_id RETURNING 1)
            UPDATE store_clock SET value = value + (SELECT count(*) FROM stamped)
            """, [.text(feed), .text(feed)])] + (session.dialect.notify.map { [SQLStatement($0)] } ?? []) + [mine])
        return try stamped.last?.first?.int("n") == 0
    }

    static func release(_ items: [ItemRef], feed: String, moderator: String, in session: SQLSession) throws {
        guard !items.isEmpty else { return }
        let now = try now(in: session)
        try lockItems(items, feed: feed, in: session)
        let event = try tick(in: session)
        for item in items {
            let released = try session.query("""
                UPDATE claim SET lease_until = ?, event = ?
                WHERE feed = ? AND kind = ? AND item_id = ? AND moderator = ? AND lease_until > ? RETURNING item_id
                """, .double(now), .int(event), .text(feed), .text(item.kind.rawValue), .text(item.id), .text(moderator), .double(now))
            if !released.isEmpty { try markClaimed(item, feed: feed, until: now, in: session) }
        }
    }

    static func claims(feed: String, in session: SQLSession) throws -> [Claim] {
        try session.query("SELECT * FROM claim WHERE feed = ? AND lease_until > ? ORDER BY kind, item_id", .text(feed), .double(try now(in: session)))
            .map(claim)
    }

    /// Everything after `cursor`; the caller runs it in one snapshot (repeatable read), so the
    /// new cursor matches the rows.
    static func changes(feed: String, since cursor: StoreCursor, in session: SQLSession, label: String) throws -> StoreChanges {
        let now = try now(in: session)
        // By chain position: a decision committed late is linked after those before it, so a
        // reader never passes it; one not linked yet waits for its link.
        let log = try readLog(in: session, label: label, where: "feed = ? AND id IN (SELECT decision_id FROM decision_chain WHERE position > ?)",
                              [.text(feed), .int(cursor.decision)], snapshots: false)
        if let problem = log.problems.first { throw problem }
        var changes = StoreChanges(decisions: log.decisions, cursor: cursor)
        for row in try session.query("SELECT * FROM claim WHERE feed = ? AND event > ? ORDER BY event", .text(feed), .int(cursor.event)) {
            let claim = try claim(row)
            if claim.leaseUntil.timeIntervalSince1970 > now { changes.claims.append(claim) } else { changes.released.append(claim.item) }
        }
        changes.items = try session.query("SELECT * FROM review_item WHERE feed = ? AND event > ? ORDER BY event", .text(feed), .int(cursor.event))
            .map(item)
        changes.presence = try session.query("SELECT * FROM presence WHERE feed = ? AND event > ? ORDER BY event", .text(feed), .int(cursor.event))
            .map(presence)
        let event = try session.query("SELECT value FROM store_clock")[0].int("value")
        changes.cursor = StoreCursor(decision: max(cursor.decision, try latestDecisionID(in: session)), event: max(cursor.event, event))
        return changes
    }

    static func setPresence(_ presence: Presence, in session: SQLSession) throws {
        let event = try tick(in: session)
        try session.query("""
            INSERT INTO presence (feed, moderator, kind, item_id, seen_at, event) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (feed, moderator) DO UPDATE SET kind = excluded.kind, item_id = excluded.item_id, seen_at = excluded.seen_at,
                event = excluded.event
            """, .text(presence.feed), .text(presence.moderator), SQLValue(presence.item?.kind.rawValue), SQLValue(presence.item?.id),
            .double(presence.seenAt.timeIntervalSince1970), .int(event))
    }

    static func role(of moderator: String, in session: SQLSession) throws -> TeamRole {
        guard let text = try session.query("SELECT role FROM team_member WHERE name = ?", .text(moderator)).first?["role"] else { return .moderator }
        return TeamRole(rawValue: text) ?? .moderator
    }

    static func setRole(_ role: TeamRole, of person: String, in session: SQLSession) throws {
        try session.query("INSERT INTO team_member (name, role) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role",
                          .text(person), .text(role.rawValue))
    }

    // MARK: Rows

    private static func item(_ row: SQLRow) throws -> ReviewItem {
        let kindText = try row.text("kind")
        guard let kind = ItemKind(rawValue: kindText) else { throw SQLRowError(column: "kind", value: kindText) }
        return ReviewItem(
            feed: try row.text("feed"), ref: ItemRef(kind, try row.text("item_id")), priority: try row.double("priority"),
            score: Int(try row.int("score")), band: try row.text("band"), account: row["account"], lang: row["lang"],
            categories: try JSONDecoder().decode([String].self, from: Data(try row.text("categories").utf8)), feedTs: row["feed_ts"],
            body: Data(try row.text("body").utf8), version: try row.int("version"), reach: try row.optionalInt("reach"))
    }

    private static func claim(_ row: SQLRow) throws -> Claim {
        let kindText = try row.text("kind")
        guard let kind = ItemKind(rawValue: kindText) else { throw SQLRowError(column: "kind", value: kindText) }
        return Claim(feed: try row.text("feed"), item: ItemRef(kind, try row.text("item_id")), moderator: try row.text("moderator"),
                     claimedAt: Date(timeIntervalSince1970: try row.double("claimed_at")),
                     leaseUntil: Date(timeIntervalSince1970: try row.double("lease_until")))
    }

    private static func presence(_ row: SQLRow) throws -> Presence {
        var item: ItemRef?
        if let kindText = row["kind"], let kind = ItemKind(rawValue: kindText), let id = row["item_id"] { item = ItemRef(kind, id) }
        return Presence(feed: try row.text("feed"), moderator: try row.text("moderator"), item: item,
                        seenAt: Date(timeIntervalSince1970: try row.double("seen_at")))
    }

    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
