import Testing
import VigilFeed

@Suite struct ReplayClockTests {
    @Test func runsAtItsSpeedFromItsStart() {
        let clock = ReplayClock(start: 1000, wall: 50, speed: 10)
        #expect(clock.speed == 10)
        #expect(clock.feedTime(atWall: 50) == 1000)
        #expect(clock.feedTime(atWall: 52.5) == 1025)
        #expect(clock.isDue(1025, atWall: 52.5))
        #expect(!clock.isDue(1025.1, atWall: 52.5))
        #expect(clock.wait(until: 1030, atWall: 52.5) == 0.5)
    }

    @Test func pauseFreezesFeedTimeAndResumeContinuesFromIt() {
        var clock = ReplayClock(start: 0, wall: 0, speed: 2)
        clock.pause(atWall: 10)                       // feed 20
        #expect(clock.feedTime(atWall: 100) == 20)
        #expect(clock.wait(until: 30, atWall: 100) == nil)
        clock.resume(atWall: 100)
        #expect(clock.feedTime(atWall: 105) == 30)
        clock.togglePause(atWall: 105)
        #expect(clock.isPaused)
        clock.togglePause(atWall: 200)
        #expect(clock.feedTime(atWall: 201) == 32)
    }

    @Test func speedStepsKeepThePositionAndStopAtTheEnds() {
        var clock = ReplayClock(start: 0, wall: 0)
        #expect(clock.speed == 1)
        clock.faster(atWall: 10)                      // feed 10, now 2x
        #expect(clock.speed == 2)
        #expect(clock.feedTime(atWall: 15) == 20)
        for _ in 0..<20 { clock.slower(atWall: 15) }
        #expect(clock.speed == 0.25)
        #expect(clock.feedTime(atWall: 19) == 21)
        for _ in 0..<20 { clock.faster(atWall: 19) }
        #expect(clock.isUnlimited)
        #expect(clock.feedTime(atWall: 19) == .infinity)
        #expect(clock.wait(until: 1e12, atWall: 19) == 0)
    }

    @Test func seekMovesFeedTimeInBothDirections() {
        var clock = ReplayClock(start: 0, wall: 0, speed: 5)
        clock.seek(to: 300, atWall: 10)
        #expect(clock.feedTime(atWall: 11) == 305)
        clock.seek(to: 60, atWall: 11)
        #expect(clock.feedTime(atWall: 11) == 60)
        clock.pause(atWall: 11)
        clock.seek(to: 90, atWall: 12)
        #expect(clock.feedTime(atWall: 50) == 90, "a seek while paused stays paused at the new time")
    }

    @Test func speedsBetweenStepsRoundUp() {
        #expect(ReplayClock(start: 0, wall: 0, speed: 3).speed == 5)
        #expect(ReplayClock(start: 0, wall: 0, speed: 1e9).isUnlimited)
    }
}
