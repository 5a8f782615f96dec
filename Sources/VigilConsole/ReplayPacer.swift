import Foundation
import VigilFeed
import VigilTriage
import VigilTUI

/// The replay clock shared by the core thread (which waits for each event to be due) and the
/// console (which pauses, steps, seeks and shows the position). The clock starts at the first
/// event: `offset` seconds of feed time after it (`--start`), so earlier events pass at once.
///
/// Going back is a new run: the console starts a fresh core from the beginning of the feed and
/// the pacer lets it through at once up to the target, so the state there is derived exactly as
/// the first time. Runs are numbered; a superseded run's wait answers false and its core stops.
public final class ReplayPacer: @unchecked Sendable {
    private let lock = NSLock()
    private var clock: ReplayClock
    private var anchored = false
    private var offset: Double
    /// When set, at most this many events are delivered whatever the clock says (a step, or a
    /// rewind to an event).
    private var hold: Int?
    private var delivered = 0
    private var firstEventTime: Double?
    private var lastEventTime: Double?
    /// Events in a row dated more than `EventTimeSkew.limit` after the last one delivered.
    private var aheadInARow = 0
    private var run = 0
    /// A new run is catching up with its target (until it first has to wait).
    private var catchingUp = false
    /// The core is waiting for an event not due yet (or has read the whole feed): a paused
    /// replay has stopped, not still playing forward to where its pause lands.
    private var coreWaiting = false
    private var rewindTarget: Target?
    private let started = DispatchTime.now().uptimeNanoseconds

    public init(speed: Double, startOffset: Double = 0) {
        offset = startOffset
        clock = ReplayClock(start: 0, wall: 0, speed: speed)
    }

    var wall: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    /// The run a core starting now belongs to.
    public var currentRun: Int { locked { run } }

    /// Blocks the calling (core) thread until the event at `ts` is due. False when `run` was
    /// superseded by a rewind or `stop()` returned true: the core then stops reading.
    public func waitUntilDue(_ ts: Timestamp, run: Int, stop: () -> Bool = { false }) -> Bool {
        let eventTime = ts.seconds
        while !stop() {
            lock.lock()
            guard run == self.run else {
                lock.unlock()
                return false
            }
            let now = wall
            if !anchored {
                firstEventTime = firstEventTime ?? eventTime
                clock.seek(to: (firstEventTime ?? eventTime) + offset, atWall: now)
                anchored = true
            }
            // A first event dated far after the rest (a post dated 9999) anchored the clock there,
            // and every later event would pass at once: an event of the opening dated far before
            // the anchor moves it back.
            if let first = firstEventTime, eventTime < first - EventTimeSkew.limit, delivered < EventTimeSkew.jumpConfirmations {
                firstEventTime = eventTime
                lastEventTime = nil
                clock.seek(to: eventTime + offset, atWall: now)
            }
            // Playing, an event dated far after the last one (or, at the start of a run, after
            // the clock) is delivered at once, without moving the clock; so many in a row are the
            // feed moving on, waited for. A step delivers the next event whatever its date.
            let ahead = eventTime > (lastEventTime ?? clock.feedTime(atWall: now)) + EventTimeSkew.limit
            if ahead, hold == nil, aheadInARow + 1 < EventTimeSkew.jumpConfirmations {
                aheadInARow += 1
                delivered += 1
                coreWaiting = false
                lock.unlock()
                return true
            }
            let due = hold.map { delivered < $0 } ?? clock.isDue(eventTime, atWall: now)
            if due {
                delivered += 1
                aheadInARow = 0
                coreWaiting = false
                lastEventTime = eventTime
                // A held event moves the (paused) clock to it, so play resumes from here.
                if hold != nil { clock.seek(to: eventTime, atWall: now) }
                lock.unlock()
                return true
            }
            catchingUp = false
            coreWaiting = true
            let delay = hold == nil ? (clock.wait(until: eventTime, atWall: now) ?? 0.05) : 0.05
            lock.unlock()
            // Short sleeps, so a pause, a step or a speed change takes effect at once.
            Thread.sleep(forTimeInterval: min(max(delay, 0.001), 0.05))
        }
        return false
    }

    /// Wall seconds a pause lands ahead of the moment it is asked for (a room's trainer:
    /// `RoomLink.pauseLead`): the trainees hear of a pause a little later and have played on
    /// meanwhile; a pause behind them would make each start over from the feed's beginning,
    /// one ahead of them lets them play forward to it, as the trainer's replay does.
    public func leadPauses(by seconds: Double) { locked { pauseLead = seconds } }
    private var pauseLead = 0.0

    /// Pause and resume. Resuming after steps plays on from the last event delivered.
    public func togglePause() {
        change { pacer, now in
            if pacer.hold != nil {
                pacer.hold = nil
                pacer.clock.resume(atWall: now)
            } else {
                let pausing = !pacer.clock.isPaused
                if pausing { pacer.settleUnlimited(now) }
                pacer.clock.togglePause(atWall: now)
                if pausing, pacer.pauseLead > 0, pacer.anchored, !pacer.clock.isUnlimited {
                    pacer.clock.seek(to: pacer.clock.feedTime(atWall: now) + pacer.clock.speed * pacer.pauseLead, atWall: now)
                }
                // The event the core waits for may be due by now (the more so with a lead):
                // pausing until the core finds one that is not.
                if pausing { pacer.coreWaiting = false }
            }
        }
    }

    public func faster() { change { $0.clock.faster(atWall: $1) } }

    public func slower() {
        change { pacer, now in
            pacer.settleUnlimited(now)
            pacer.clock.slower(atWall: now)
        }
    }

    /// Leaving "as fast as possible" (a pause, a step, a slower speed): the clock stands where
    /// the replay got to, not where the fast run began.
    private func settleUnlimited(_ now: Double) {
        if let last = lastEventTime { clock.settle(reached: last, atWall: now) }
    }

    /// Pauses (if playing) and lets exactly one more event through; repeated steps queue up.
    public func step() {
        change { pacer, now in
            pacer.settleUnlimited(now)
            pacer.clock.pause(atWall: now)
            pacer.hold = max(pacer.hold ?? pacer.delivered, pacer.delivered) + 1
        }
    }

    /// Moves forward to `offset` seconds after the first event, keeping speed and pause: the
    /// events before it are delivered at once. Going back needs a new run (`rewind`).
    public func seek(toOffset target: Double) {
        change { pacer, now in
            pacer.hold = nil
            if let first = pacer.firstEventTime, pacer.anchored {
                // Paused, the replay plays forward to the new time before it stops again.
                if first + target > pacer.clock.feedTime(atWall: now) { pacer.coreWaiting = false }
                pacer.clock.seek(to: first + target, atWall: now)
            } else {
                pacer.offset = target
            }
        }
    }

    /// Where a rewind goes: back to an event (by its count from the start, paused there) or to
    /// an offset in feed time (speed and pause kept).
    public enum Target: Sendable, Equatable {
        case event(Int)
        case offset(Double)
    }

    /// Starts a new run from the beginning of the feed towards `target`; returns its number
    /// for the new core. The current run's core stops at its next event.
    public func rewind(to target: Target) -> Int {
        locked {
            run += 1
            delivered = 0
            lastEventTime = nil
            aheadInARow = 0
            anchored = false
            catchingUp = true
            coreWaiting = false
            rewindTarget = target
            let now = wall
            switch target {
            case .event(let count):
                hold = max(0, count)
                clock.pause(atWall: now)
                offset = 0
            case .offset(let seconds):
                hold = nil
                offset = max(0, seconds)
            }
            return run
        }
    }

    /// The core of `run` read the whole feed: nothing is left to catch up with.
    public func runEnded(_ run: Int) {
        change { pacer, _ in
            if run == pacer.run {
                pacer.catchingUp = false
                pacer.coreWaiting = true
            }
        }
    }

    private func change(_ body: (ReplayPacer, Double) -> Void) {
        lock.lock()
        body(self, wall)
        lock.unlock()
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    // MARK: A room's clock

    /// The room's clock as this replay (the trainer's) has it now. Paused, the position is put
    /// on the feed's microsecond grid and this clock moved there (up, never back past an event
    /// delivered), so every replay that follows delivers exactly the events at or before the
    /// same instant; a step is a count of events. `generation` is this pacer's run; the store
    /// stamps `at`.
    public func roomClock() -> RoomClock {
        locked {
            let now = wall
            let paused = clock.isPaused || hold != nil
            var position: Double?
            if let first = firstEventTime, anchored {
                if paused, hold == nil {
                    settleUnlimited(now)
                    let snapped = ((clock.feedTime(atWall: now) - first) * 1e6).rounded(.up) / 1e6
                    clock.seek(to: first + snapped, atWall: now)
                    position = snapped
                } else if !clock.isUnlimited {
                    position = clock.feedTime(atWall: now) - first
                }
            } else if !clock.isUnlimited || paused {
                position = offset
            }
            return RoomClock(generation: Int64(run), speed: clock.speed, paused: paused, events: hold, position: position)
        }
    }

    /// Follows the room's clock (a trainee's replay, or the trainer's restarted one): its speed,
    /// pause and position, `positionNow` being where the room is now. Returns where to rewind to
    /// when this replay is past the room's paused position (the caller starts a new run there and
    /// follows again); nil when following needs no new run.
    public func follow(_ room: RoomClock, positionNow: Double?) -> Target? {
        locked {
            let now = wall
            clock.setSpeed(room.speed, atWall: now)
            let first = anchored ? firstEventTime : nil
            if room.paused {
                // As for a pause here: stopped once the core finds an event not due.
                if !clock.isPaused { coreWaiting = false }
                clock.pause(atWall: now)
                if let events = room.events {
                    if delivered > events { return .event(events) }
                    hold = events
                    return nil
                }
                hold = nil
                guard let target = positionNow else { return nil }
                guard let first else {
                    offset = target
                    return nil
                }
                if let last = lastEventTime, last > first + target { return .offset(target) }
                // Ahead of where this replay stands: it plays forward to the room's pause.
                if first + target > clock.feedTime(atWall: now) { coreWaiting = false }
                clock.seek(to: first + target, atWall: now)
                return nil
            }
            hold = nil
            if let target = positionNow {
                if let first { clock.seek(to: first + target, atWall: now) } else { offset = target }
            }
            clock.resume(atWall: now)
            return nil
        }
    }

    /// Follows a reading of the room's clock, starting a new run through `rewind` (which calls
    /// `rewind(to:)` and starts a core on it) when the trainer went back (a new `generation`, the
    /// last one followed kept in `followed`) or this replay is past where the room paused.
    public func follow(_ room: RoomClock, positionNow: Double?, generation followed: inout Int64, rewind: (Target) -> Void) {
        if room.generation != followed {
            followed = room.generation
            let events = room.paused ? room.events : nil
            rewind(events.map(Target.event) ?? .offset(positionNow ?? 0))
        }
        if let target = follow(room, positionNow: positionNow) {
            rewind(target)
            _ = follow(room, positionNow: positionNow)
        }
    }

    /// What the status bar shows.
    public var status: ReplayStatus {
        locked {
            let position = lastEventTime.flatMap { last in firstEventTime.map { last - $0 } }
            var progress: Double?
            if catchingUp, let rewindTarget {
                switch rewindTarget {
                case .event(let count): progress = count > 0 ? Double(delivered) / Double(count) : 1
                case .offset(let seconds): progress = seconds > 0 ? (position ?? 0) / seconds : 1
                }
            }
            return ReplayStatus(speed: clock.speed, paused: clock.isPaused || hold != nil, pausing: clock.isPaused && hold == nil && !coreWaiting,
                                delivered: delivered, position: position,
                                catchingUp: catchingUp, rewindProgress: progress.map { min(1, max(0, $0)) })
        }
    }
}
