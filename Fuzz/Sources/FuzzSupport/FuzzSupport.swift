import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The body of the running fuzz target (libFuzzer's callback is a C function: no context).
nonisolated(unsafe) private var target: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }

/// Runs libFuzzer with this process's arguments, calling `body` with each input. SwiftPM gives an
/// executable its own `main` (libFuzzer's would clash), so the driver is started from it.
public func fuzz(_ body: @escaping (UnsafeBufferPointer<UInt8>) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(runDriver(&argc, &argv) { data, size in
        target(UnsafeBufferPointer(start: data, count: size))
        return 0
    })
}

/// A broken invariant: reported with the input's description, then the process aborts, which
/// libFuzzer records as a crash and saves the input.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data("invariant broken: \(message())\n".utf8))
    abort()
}

/// Monotonic seconds.
public func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Holds the work on one input to a time budget linear in its size: `fixed` seconds plus
/// `perByte` seconds per byte. An input over budget is timed again (the machine may have been
/// busy) and aborts only if it is over twice: a superlinear case grows far past any constant.
public func withinBudget(bytes: Int, fixed: Double, perByte: Double, _ work: () -> Void) {
    let budget = fixed + perByte * Double(bytes)
    for attempt in 1...2 {
        let start = now()
        work()
        let elapsed = now() - start
        if elapsed <= budget { return }
        if attempt == 2 {
            require(false, String(format: "%d bytes took %.3f s, over the budget of %.3f s", bytes, elapsed, budget))
        }
    }
}
