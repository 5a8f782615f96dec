import Foundation
import Testing
import VigilFeed
import VigilTriage
import VigilTUI
@testable import VigilConsole

/// A replay with a stand-in core: a thread delivering `events` through the pacer, started again
/// on every rewind, as the console's cores are.
private final class PacedRun: @unchecked Sendable {
    let pacer: ReplayPacer
    let events: [Timestamp]
    private let stopAll = Locked(false)

    /// `cost`: microseconds of work per event, as scoring takes: a burst at full speed takes a
    /// while, so a pause can land in the middle of one.
    let cost: UInt32

    init(speed: Double, events: [Timestamp], startOffset: Double = 0, cost: UInt32 = 20) {
        pacer = ReplayPacer(speed: speed, startOffset: startOffset)
        self.events = events
        self.cost = cost
    }

    func start() {
        let run = pacer.currentRun
        let thread = Thread { [self] in
            for event in events {
                guard pacer.waitUntilDue(event, run: run, stop: { self.stopAll.withLock { $0 } }) else { return }
                usleep(cost)
            }
            pacer.runEnded(run)
        }
        thread.start()
    }

    func rewind(to target: ReplayPacer.Target) {
        _ = pacer.rewind(to: target)
        start()
    }

    func stop() { stopAll.withLock { $0 = true } }

    /// Waits until the replay delivers nothing more for a while (its core waits on a paused clock).
    func settle() -> ReplayStatus {
        var last = pacer.status
        var still = 0
        let deadline = Date().addingTimeInterval(10)
        while still < 8, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            let now = pacer.status
            still = now == last && !now.catchingUp ? still + 1 : 0
            last = now
        }
        return last
    }
}

/// The trainer's commands, as the console's `steer` carries them out.
private enum TrainerCommand: CaseIterable {
    case togglePause, faster, slower, fullSpeed, step, stepBack, jumpForward, jumpBack, wait
}

/// The room as the store keeps it, on this process's clock.
private struct MemoryRoom {
    var clock: RoomClock
    var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    mutating func send(_ sent: RoomClock) {
        clock = sent
        clock.at = now
    }

    var positionNow: Double? { clock.position(atStoreTime: now) }
}

@Suite struct RoomClockTests {
    /// A feed of `count` events over about ten minutes, some at the same instant.
    private func feed(_ count: Int, using random: inout SplitMix) -> [Timestamp] {
        var time: Int64 = 1_772_352_000_000_000
        return (0..<count).map { _ in
            time += random.next() % 4 == 0 ? 0 : Int64(random.next() % 4_000_000)
            return Timestamp(microseconds: time)
        }
    }

    private func steer(_ trainer: PacedRun, _ command: TrainerCommand, using random: inout SplitMix) {
        let pacer = trainer.pacer
        let status = pacer.status
        switch command {
        case .togglePause: pacer.togglePause()
        case .faster: pacer.faster()
        case .slower: pacer.slower()
        case .fullSpeed: for _ in 0..<ReplayClock.speeds.count { pacer.faster() }
        case .step: pacer.step()
        case .stepBack: if status.delivered > 1 { trainer.rewind(to: .event(status.delivered - 1)) }
        case .jumpForward: pacer.seek(toOffset: (status.position ?? 0) + Double(random.next() % 120))
        case .jumpBack: trainer.rewind(to: .offset(max(0, (status.position ?? 0) - Double(random.next() % 120))))
        case .wait: break
        }
    }

    /// Property: whatever the trainer does — at any speed up to as fast as possible, from a start
    /// offset, pausing in the middle of a burst — once the room is paused and settled, every
    /// trainee's replay is at exactly the trainer's event and position: trainees who were there
    /// all along, who joined late, and who missed some of the room's changes.
    @Test func everyTraineeSettlesWhereTheTrainerIs() throws {
        var random = SplitMix(seed: 0x5EED_0016)
        for sequence in 0..<16 {
            let events = feed(1500, using: &random)
            let trainer = PacedRun(speed: [10.0, 50, 100, .infinity][Int(random.next() % 4)], events: events,
                                   startOffset: random.next() % 3 == 0 ? 60 : 0)
            defer { trainer.stop() }
            var room = MemoryRoom(clock: trainer.pacer.roomClock())
            room.send(trainer.pacer.roomClock())
            trainer.start()
            var trainees: [(run: PacedRun, followed: Int64, missesSome: Bool)] = []
            func join(missesSome: Bool) {
                let run = PacedRun(speed: room.clock.speed, events: events)
                _ = run.pacer.follow(room.clock, positionNow: room.positionNow)
                run.start()
                trainees.append((run, room.clock.generation, missesSome))
            }
            join(missesSome: false)
            join(missesSome: true)
            let commands = 6 + Int(random.next() % 10)
            var script: [TrainerCommand] = []
            for index in 0..<commands {
                let command = TrainerCommand.allCases[Int(random.next() % UInt64(TrainerCommand.allCases.count))]
                script.append(command)
                steer(trainer, command, using: &random)
                var sent = trainer.pacer.roomClock()
                sent.generation = Int64(trainer.pacer.currentRun)
                room.send(sent)
                for index in trainees.indices where !(trainees[index].missesSome && random.next() % 2 == 0) {
                    let run = trainees[index].run
                    run.pacer.follow(room.clock, positionNow: room.positionNow, generation: &trainees[index].followed) { run.rewind(to: $0) }
                }
                if index == commands / 2 { join(missesSome: false) }
                Thread.sleep(forTimeInterval: Double(random.next() % 40) / 1000)
            }
            // The trainer pauses for the debrief; the room settles.
            if !trainer.pacer.status.paused { trainer.pacer.togglePause() }
            var sent = trainer.pacer.roomClock()
            sent.generation = Int64(trainer.pacer.currentRun)
            room.send(sent)
            let expected = trainer.settle()
            for index in trainees.indices {
                let run = trainees[index].run
                run.pacer.follow(room.clock, positionNow: room.positionNow, generation: &trainees[index].followed) { run.rewind(to: $0) }
                let status = run.settle()
                #expect(status.delivered == expected.delivered && status.position == expected.position && status.paused,
                        "sequence \(sequence) \(script), trainee \(index): at \(status.delivered) events \(status.position ?? -1) s, the trainer at \(expected.delivered) \(expected.position ?? -1) s")
                run.stop()
            }
        }
    }

    /// A trainee hears of the trainer's pause a moment later and has played on meanwhile: the
    /// pause lands ahead of both (`RoomLink.pauseLead`), so the trainee plays forward to it
    /// instead of starting over from the feed's beginning, and both stop on the same event.
    @Test(arguments: [0.05, 0.2, 0.5])
    func aTraineeWhoHearsOfAPauseLateStillPlaysForwardToIt(lateBy: Double) {
        let start: Int64 = 1_772_352_000_000_000
        let events = (0..<20_000).map { Timestamp(microseconds: start + Int64($0) * 100_000) }
        let trainer = PacedRun(speed: 50, events: events, cost: 0)
        let trainee = PacedRun(speed: 50, events: events, cost: 0)
        defer { trainer.stop(); trainee.stop() }
        trainer.pacer.leadPauses(by: RoomLink.pauseLead)
        var room = MemoryRoom(clock: RoomClock(speed: 50, position: 0))
        room.send(RoomClock(speed: 50, position: 0))
        _ = trainee.pacer.follow(room.clock, positionNow: room.positionNow)
        trainer.start()
        trainee.start()
        Thread.sleep(forTimeInterval: 0.3)
        trainer.pacer.togglePause()
        room.send(trainer.pacer.roomClock())
        Thread.sleep(forTimeInterval: lateBy)
        #expect(trainee.pacer.follow(room.clock, positionNow: room.positionNow) == nil, "no new run: the pause is ahead of the trainee")
        let (trainerAt, traineeAt) = (trainer.settle(), trainee.settle())
        #expect(trainerAt.paused && traineeAt.paused)
        #expect(traineeAt.delivered == trainerAt.delivered && traineeAt.position == trainerAt.position)
    }

    /// The trainer's pause lands ahead: the pacer says "pausing" while its core may still play
    /// forward to it, and "paused" once the core waits for an event past it.
    @Test func aPauseAheadIsPausingUntilTheCoreWaits() {
        let start: Int64 = 1_772_352_000_000_000
        let pacer = ReplayPacer(speed: 10)
        pacer.leadPauses(by: RoomLink.pauseLead)
        let run = pacer.currentRun
        #expect(pacer.waitUntilDue(Timestamp(microseconds: start), run: run))
        pacer.togglePause()
        #expect(pacer.status.paused && pacer.status.pausing, "the next event may be due before the pause lands")
        // 1 s of feed time on is before where the pause lands (10× × 0.75 s = 7.5 s on).
        #expect(pacer.waitUntilDue(Timestamp(microseconds: start + 1_000_000), run: run))
        #expect(pacer.status.pausing)
        var checks = 0
        #expect(!pacer.waitUntilDue(Timestamp(microseconds: start + 60_000_000), run: run, stop: { checks += 1; return checks > 1 }))
        #expect(pacer.status.paused && !pacer.status.pausing, "stopped: the next event is past the pause")
        // Without a lead too, the event a core was waiting for may have come due meanwhile:
        // pausing until the core checks it against the paused clock.
        let plain = ReplayPacer(speed: 10)
        #expect(plain.waitUntilDue(Timestamp(microseconds: start), run: plain.currentRun))
        checks = 0
        #expect(!plain.waitUntilDue(Timestamp(microseconds: start + 60_000_000), run: plain.currentRun, stop: { checks += 1; return checks > 1 }))
        plain.togglePause()
        #expect(plain.status.paused && plain.status.pausing)
        checks = 0
        #expect(!plain.waitUntilDue(Timestamp(microseconds: start + 60_000_000), run: plain.currentRun, stop: { checks += 1; return checks > 1 }))
        #expect(plain.status.paused && !plain.status.pausing)
        // Going to a later time while paused plays forward to it, then stops again.
        plain.seek(toOffset: 5)
        #expect(plain.status.paused && plain.status.pausing)
        #expect(plain.waitUntilDue(Timestamp(microseconds: start + 1_000_000), run: plain.currentRun))
        checks = 0
        #expect(!plain.waitUntilDue(Timestamp(microseconds: start + 60_000_000), run: plain.currentRun, stop: { checks += 1; return checks > 1 }))
        #expect(plain.status.paused && !plain.status.pausing)
        plain.togglePause()
        #expect(!plain.status.paused && !plain.status.pausing, "playing")
        // A trainee told of a pause 5 s on plays forward to it; the same reading again (the next
        // poll) does not start it over.
        let trainee = ReplayPacer(speed: 10)
        #expect(trainee.waitUntilDue(Timestamp(microseconds: start), run: trainee.currentRun))
        checks = 0
        #expect(!trainee.waitUntilDue(Timestamp(microseconds: start + 60_000_000), run: trainee.currentRun, stop: { checks += 1; return checks > 1 }))
        let room = RoomClock(speed: 10, paused: true, events: nil, position: 5)
        #expect(trainee.follow(room, positionNow: 5) == nil)
        #expect(trainee.status.paused && trainee.status.pausing)
        #expect(trainee.waitUntilDue(Timestamp(microseconds: start + 1_000_000), run: trainee.currentRun))
        checks = 0
        #expect(!trainee.waitUntilDue(Timestamp(microseconds: start + 60_000_000), run: trainee.currentRun, stop: { checks += 1; return checks > 1 }))
        #expect(trainee.follow(room, positionNow: 5) == nil)
        #expect(trainee.status.paused && !trainee.status.pausing, "stopped at the room's pause")
        // Told late, with its clock already past the pause: the event its core waited for may
        // have come due meanwhile, so it is pausing until the core checks.
        let late = ReplayPacer(speed: 10)
        #expect(late.waitUntilDue(Timestamp(microseconds: start), run: late.currentRun))
        checks = 0
        #expect(!late.waitUntilDue(Timestamp(microseconds: start + 2_000_000), run: late.currentRun, stop: { checks += 1; return checks > 1 }))
        Thread.sleep(forTimeInterval: 0.4)
        #expect(late.follow(RoomClock(speed: 10, paused: true, events: nil, position: 3), positionNow: 3) == nil)
        #expect(late.status.paused && late.status.pausing)
    }

    @Test func aPausedRoomIsFollowedToTheEventAndAPlayingOneToItsTime() {
        let pacer = ReplayPacer(speed: 10)
        #expect(pacer.follow(RoomClock(generation: 0, speed: 50, paused: true, events: 12, position: 3), positionNow: 3) == nil)
        #expect(pacer.status.paused && pacer.status.speed == 50)
        // Past where the room paused: a new run back to it.
        let ahead = ReplayPacer(speed: 10)
        let start = Timestamp(seconds: 1_772_352_000)
        let run = ahead.currentRun
        for second in 0..<5 { #expect(ahead.waitUntilDue(Timestamp(microseconds: start.microseconds + Int64(second) * 10_000), run: run)) }
        #expect(ahead.follow(RoomClock(speed: 10, paused: true, events: 3, position: 0), positionNow: 0) == .event(3))
        let playing = ReplayPacer(speed: 10)
        #expect(playing.follow(RoomClock(speed: .infinity, paused: false, events: nil, position: nil), positionNow: nil) == nil)
        #expect(playing.status.speed == .infinity && !playing.status.paused)
    }
}
