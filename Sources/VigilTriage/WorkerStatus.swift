import Foundation

/// What a `vigil worker` last told the store about itself: its pace, and how far its consumer
/// is behind the stream. The lead's view shows it beside the queues the workers fill.
public struct WorkerStatus: Sendable, Equatable {
    /// How often a running worker reports.
    public static let reportInterval = 5.0
    /// Three reports missed: the lead's view marks the worker's figures as old.
    public static let silentAfter = 3 * reportInterval

    /// The stream's feed id: the feed its review items go to.
    public var feed: String
    /// The worker's name (`--name`; by default host and process id): one row per name.
    public var name: String
    /// The durable consumer the worker reads from (workers with the same one share the work).
    public var durable: String
    public var posts: Int
    /// Posts per second over the worker's last report interval.
    public var postsPerSecond: Double
    public var items: Int
    /// Messages the consumer has not delivered to any worker yet: the stream's backlog.
    public var pending: Int
    /// Messages delivered and not acknowledged yet (a batch being scored, or a dead worker's
    /// until their acknowledgement wait runs out).
    public var ackPending: Int
    /// Messages this worker got that another delivery had had before.
    public var redelivered: Int
    /// The worker said it stopped (SIGTERM, or the end of its run).
    public var stopped: Bool
    /// The store's clock when the row was written (set by the store; ignored when reporting).
    public var seenAt: Double

    public init(feed: String, name: String, durable: String, posts: Int, postsPerSecond: Double, items: Int,
                pending: Int, ackPending: Int, redelivered: Int, stopped: Bool, seenAt: Double = 0) {
        self.feed = feed
        self.name = name
        self.durable = durable
        self.posts = posts
        self.postsPerSecond = postsPerSecond
        self.items = items
        self.pending = pending
        self.ackPending = ackPending
        self.redelivered = redelivered
        self.stopped = stopped
        self.seenAt = seenAt
    }
}

/// A store workers report to (both team stores), and where a worker that reads the whole
/// stream (`vigil worker --clusters`) keeps how far it got.
public protocol WorkerStatusStore: Sendable {
    /// Replaces the worker's row, stamped with the store's clock.
    func report(_ status: WorkerStatus) throws
    /// The last stream sequence whose results `consumer` stored for `feed` (nil: none yet).
    func checkpoint(feed: String, consumer: String) throws -> UInt64?
    func saveCheckpoint(feed: String, consumer: String, sequence: UInt64) throws
}

extension SQLTeamStore {
    public func report(_ status: WorkerStatus) throws { try writing { try WorkerSQL.report(status, in: $0) } }

    public func checkpoint(feed: String, consumer: String) throws -> UInt64? {
        try reading { try WorkerSQL.checkpoint(feed: feed, consumer: consumer, in: $0) }
    }

    public func saveCheckpoint(feed: String, consumer: String, sequence: UInt64) throws {
        try writing { try WorkerSQL.saveCheckpoint(feed: feed, consumer: consumer, sequence: sequence, in: $0) }
    }
}

extension PostgresDecisionStore: WorkerStatusStore {}
extension SQLiteDecisionStore: WorkerStatusStore {}

/// The workers' rows, written once for both back ends (`TeamSQL`'s way).
enum WorkerSQL {
    /// Migration v11-workers, in types both back ends read the same way.
    static let schema = """
        CREATE TABLE worker (
            feed text NOT NULL,
            name text NOT NULL,
            durable text NOT NULL,
            posts bigint NOT NULL,
            posts_per_s double precision NOT NULL,
            items bigint NOT NULL,
            pending bigint NOT NULL,
            ack_pending bigint NOT NULL,
            redelivered bigint NOT NULL,
            stopped bigint NOT NULL,
            seen_at double precision NOT NULL,
            PRIMARY KEY (feed, name)
        );
        CREATE TABLE stream_checkpoint (
            feed text NOT NULL,
            consumer text NOT NULL,
            sequence bigint NOT NULL,
            saved_at double precision NOT NULL,
            PRIMARY KEY (feed, consumer)
        );
        """

    static func report(_ status: WorkerStatus, in session: SQLSession) throws {
        try session.query("""
            INSERT INTO worker (feed, name, durable, posts, posts_per_s, items, pending, ack_pending, redelivered, stopped, seen_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(session.dialect.now))
            ON CONFLICT (feed, name) DO UPDATE SET durable = excluded.durable, posts = excluded.posts,
                posts_per_s = excluded.posts_per_s, items = excluded.items, pending = excluded.pending,
                ack_pending = excluded.ack_pending, redelivered = excluded.redelivered, stopped = excluded.stopped,
                seen_at = excluded.seen_at
            """, .text(status.feed), .text(status.name), .text(status.durable), .int(Int64(status.posts)),
            .double(status.postsPerSecond), .int(Int64(status.items)), .int(Int64(status.pending)),
            .int(Int64(status.ackPending)), .int(Int64(status.redelivered)), .int(status.stopped ? 1 : 0))
    }

    static func checkpoint(feed: String, consumer: String, in session: SQLSession) throws -> UInt64? {
        try session.query("SELECT sequence FROM stream_checkpoint WHERE feed = ? AND consumer = ?", .text(feed), .text(consumer))
            .first.map { UInt64(try $0.int("sequence")) }
    }

    /// Moves the checkpoint on, never back (a worker started twice by mistake must not undo
    /// what the other stored).
    static func saveCheckpoint(feed: String, consumer: String, sequence: UInt64, in session: SQLSession) throws {
        try session.query("""
            INSERT INTO stream_checkpoint (feed, consumer, sequence, saved_at) VALUES (?, ?, ?, \(session.dialect.now))
            ON CONFLICT (feed, consumer) DO UPDATE SET sequence = excluded.sequence, saved_at = excluded.saved_at
            WHERE stream_checkpoint.sequence < excluded.sequence
            """, .text(feed), .text(consumer), .int(Int64(sequence)))
    }

    /// The feed's workers heard from since `since` (the store's clock), by name.
    static func workers(feed: String, since: Double, in session: SQLSession) throws -> [WorkerStatus] {
        try session.query("SELECT * FROM worker WHERE feed = ? AND seen_at >= ? ORDER BY name", .text(feed), .double(since)).map { row in
            WorkerStatus(feed: try row.text("feed"), name: try row.text("name"), durable: try row.text("durable"),
                         posts: Int(try row.int("posts")), postsPerSecond: try row.double("posts_per_s"), items: Int(try row.int("items")),
                         pending: Int(try row.int("pending")), ackPending: Int(try row.int("ack_pending")),
                         redelivered: Int(try row.int("redelivered")), stopped: try row.int("stopped") != 0, seenAt: try row.double("seen_at"))
        }
    }
}
