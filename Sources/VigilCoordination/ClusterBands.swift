/// Cluster score levels, in one place: the review queue, the colours of the clusters pane, the
/// report and the quality grading all ask here.
public enum ClusterBands {
    public static let critical = 85
    public static let high = 60
    public static let medium = 30
    /// Clusters scoring at least this enter the review queue and count as reported.
    public static let queue = high

    /// Which band a score is in: 0 below medium, then medium, high and critical.
    public static func level(_ score: Int) -> Int {
        [medium, high, critical].filter { score >= $0 }.count
    }
}
