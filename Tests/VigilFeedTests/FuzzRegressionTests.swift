import Testing
@testable import VigilFeed

/// Inputs the fuzz targets (Fuzz/) found to crash or break an invariant, kept here so the
/// main suite fails if the fault returns.
struct FuzzRegressionTests {
    /// fuzz-feed: a value that starts like `null` but is not one (`n`, `nx`, `ns"…"`) made
    /// simdjson's null test throw a C++ exception nobody caught, and `vigil scan` aborted
    /// (found in a damaged gzip of the demo feed).
    @Test("A token that only starts like null is a rejected line naming its field, not an abort",
          arguments: [#"{"type":n}"#, #"{"type":ns"t2ount","id":"a2"}"#, #"{"type":"post","id":nq}"#,
                      #"{"type":"post","id":"p1","account":"a1","ts":"2026-03-01T08:00:00Z","text":nul}"#,
                      #"{"type":"post","id":"p1","account":"a1","ts":"2026-03-01T08:00:00Z","text":"t","followers":nope}"#,
                      #"{"type":"post","id":"p1","account":"a1","ts":"2026-03-01T08:00:00Z","text":"t","urls":n1}"#])
    func almostNull(_ line: String) throws {
        let reason = try #require(rejection(line), "\(line) is rejected")
        #expect(reason.contains("field '"), "\(reason)")
    }

    @Test("null itself is still an absent field")
    func null() {
        #expect(decode(#"{"type":"post","id":"p1","account":"a1","ts":"2026-03-01T08:00:00Z","text":"t","reply_to":null,"urls":null}"#).1 != nil)
    }
}
