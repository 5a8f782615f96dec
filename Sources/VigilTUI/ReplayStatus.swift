/// The replay clock as the screen shows it: speed, paused or playing, position.
public struct ReplayStatus: Sendable, Equatable {
    public var speed: Double
    public var paused: Bool
    /// Paused, but the replay still plays forward to where the pause lands (a trainer's pause
    /// lands ahead, `ReplayPacer.leadPauses`): events keep arriving until it gets there.
    public var pausing: Bool
    /// Events delivered since the start of the feed.
    public var delivered: Int
    /// Feed time of the last event delivered, in seconds after the first (nil before any).
    public var position: Double?
    /// A rewind is re-deriving the state from the start of the feed.
    public var catchingUp: Bool
    /// How far the rewind has come (0 to 1), while it catches up.
    public var rewindProgress: Double?

    public init(speed: Double, paused: Bool, pausing: Bool = false, delivered: Int = 0, position: Double? = nil, catchingUp: Bool = false,
                rewindProgress: Double? = nil) {
        self.rewindProgress = rewindProgress
        self.speed = speed
        self.paused = paused
        self.pausing = paused && pausing
        self.delivered = delivered
        self.position = position
        self.catchingUp = catchingUp
    }

    public var speedLabel: String { speed.isInfinite ? "max" : (speed < 1 ? String(format: "%.2g×", speed) : "\(Int(speed))×") }

    public var label: String { "replay " + clockLabel(finished: false) }

    /// "10× ▶", "10× pausing…", "10× paused", "10× finished" (at the end of the feed the clock
    /// has nothing left to play, whatever its state).
    func clockLabel(finished: Bool) -> String {
        let state = catchingUp ? "rewinding" + (rewindProgress.map { " \(Int(($0 * 100).rounded(.down)))%" } ?? "…")
            : finished ? "finished" : pausing ? "pausing…" : paused ? "paused" : "▶"
        return "\(speedLabel) \(state)"
    }
}
