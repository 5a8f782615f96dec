/// Paces a recorded feed: maps wall-clock time to feed (event) time at a speed, with pause,
/// speed steps and seeks. A value with no clock of its own — the caller passes the wall time —
/// so replays are deterministic in tests. Only delivery is paced: what is computed at feed time T
/// does not depend on the speed.
public struct ReplayClock: Sendable, Equatable {
    /// The speed steps `+` and `-` move through; the last is "as fast as possible".
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 5, 10, 50, 100, 500, 1000, .infinity]

    public private(set) var speedIndex: Int
    public private(set) var isPaused: Bool
    /// Feed time and wall time at the last change of speed, pause or position.
    private var anchorFeed: Double
    private var anchorWall: Double

    /// Starts at feed time `start` (seconds since the epoch) at wall time `wall`, running.
    public init(start: Double, wall: Double, speed: Double = 1) {
        anchorFeed = start
        anchorWall = wall
        isPaused = false
        speedIndex = ReplayClock.speeds.firstIndex { $0 >= speed } ?? ReplayClock.speeds.count - 1
    }

    public var speed: Double { ReplayClock.speeds[speedIndex] }
    public var isUnlimited: Bool { speed.isInfinite }

    /// The feed time reached at wall time `wall` (infinite when unlimited and running).
    public func feedTime(atWall wall: Double) -> Double {
        if isPaused { return anchorFeed }
        if isUnlimited { return .infinity }
        return anchorFeed + max(0, wall - anchorWall) * speed
    }

    /// Whether an event at `eventTime` should be delivered by wall time `wall`.
    public func isDue(_ eventTime: Double, atWall wall: Double) -> Bool { eventTime <= feedTime(atWall: wall) }

    /// Wall seconds until `eventTime` is due (0 if it already is; nil while paused).
    public func wait(until eventTime: Double, atWall wall: Double) -> Double? {
        if isPaused { return nil }
        if isUnlimited { return 0 }
        return max(0, (eventTime - feedTime(atWall: wall)) / speed)
    }

    public mutating func pause(atWall wall: Double) {
        guard !isPaused else { return }
        rebase(atWall: wall)
        isPaused = true
    }

    public mutating func resume(atWall wall: Double) {
        guard isPaused else { return }
        isPaused = false
        anchorWall = wall
    }

    public mutating func togglePause(atWall wall: Double) {
        if isPaused { resume(atWall: wall) } else { pause(atWall: wall) }
    }

    public mutating func faster(atWall wall: Double) { setSpeed(index: speedIndex + 1, atWall: wall) }
    public mutating func slower(atWall wall: Double) { setSpeed(index: speedIndex - 1, atWall: wall) }

    /// Jumps to feed time `time`, keeping pause and speed. Leaving "as fast as possible" at the
    /// position reached is the caller's job: it knows the last event delivered.
    public mutating func seek(to time: Double, atWall wall: Double) {
        anchorFeed = time
        anchorWall = wall
    }

    /// As fast as possible has no position of its own: before it pauses or slows down, the caller
    /// gives the feed time it reached (its last event), and the clock stands at the later of that
    /// and where it stood (a seek target or a start offset the replay is still running to).
    public mutating func settle(reached time: Double, atWall wall: Double) {
        guard isUnlimited else { return }
        anchorFeed = max(anchorFeed, time)
        anchorWall = wall
    }

    /// Sets the speed to the step at or above `speed` (a room's clock is one of the steps).
    public mutating func setSpeed(_ speed: Double, atWall wall: Double) {
        setSpeed(index: ReplayClock.speeds.firstIndex { $0 >= speed } ?? ReplayClock.speeds.count - 1, atWall: wall)
    }

    private mutating func setSpeed(index: Int, atWall wall: Double) {
        let clamped = min(max(0, index), ReplayClock.speeds.count - 1)
        guard clamped != speedIndex else { return }
        rebase(atWall: wall)
        speedIndex = clamped
    }

    /// Moves the anchor to now, so a change applies from now on. Unlimited speed has no finite
    /// position of its own: the anchor stays where it was and the caller seeks.
    private mutating func rebase(atWall wall: Double) {
        if !isPaused && !isUnlimited { anchorFeed = feedTime(atWall: wall) }
        anchorWall = wall
    }
}
