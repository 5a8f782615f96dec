import Foundation
import VigilFeed

/// The replay clock shared by the core thread (which waits for each event to be due) and the
/// console (which pauses, changes speed, and shows feed time). The clock starts at the first
/// event: `offset` seconds of feed time after it (`--start`), so earlier events pass at once.
public final class ReplayPacer: @unchecked Sendable {
    private let lock = NSLock()
    /// Runs from the start; the first event moves it to its own time (speed and pause kept).
    private var clock: ReplayClock
    private var anchored = false
    private let offset: Double
    private let started = DispatchTime.now().uptimeNanoseconds

    public init(speed: Double, startOffset: Double = 0) {
        offset = startOffset
        clock = ReplayClock(start: 0, wall: 0, speed: speed)
    }

    var wall: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// Blocks the calling (core) thread until `ts` is due, or `stop()` returns true.
    public func waitUntilDue(_ ts: Timestamp, stop: () -> Bool = { false }) {
        let eventTime = ts.seconds
        while !stop() {
            lock.lock()
            let now = wall
            if !anchored {
                clock.seek(to: eventTime + offset, atWall: now)
                anchored = true
            }
            let due = clock.isDue(eventTime, atWall: now)
            let delay = clock.wait(until: eventTime, atWall: now) ?? 0.05
            lock.unlock()
            if due { return }
            // Short sleeps, so a pause or a speed change takes effect at once.
            Thread.sleep(forTimeInterval: min(max(delay, 0.001), 0.05))
        }
    }

    public func togglePause() { change { $0.togglePause(atWall: $1) } }
    public func faster() { change { $0.faster(atWall: $1) } }
    public func slower() { change { $0.slower(atWall: $1) } }

    private func change(_ body: (inout ReplayClock, Double) -> Void) {
        lock.lock()
        body(&clock, wall)
        lock.unlock()
    }

    /// What the status bar shows.
    public var status: ReplayStatus {
        lock.lock()
        defer { lock.unlock() }
        return ReplayStatus(speed: clock.speed, paused: clock.isPaused)
    }
}

public struct ReplayStatus: Sendable, Equatable {
    public var speed: Double
    public var paused: Bool

    public init(speed: Double, paused: Bool) {
        self.speed = speed
        self.paused = paused
    }

    public var label: String {
        let speedText = speed.isInfinite ? "max" : (speed < 1 ? String(format: "%.2g×", speed) : "\(Int(speed))×")
        return "replay \(speedText) \(paused ? "paused" : "▶")"
    }
}
