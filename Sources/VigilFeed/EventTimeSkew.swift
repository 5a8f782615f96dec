/// How far an event may be dated ahead of the stream before it counts as an outlier, for every
/// reader of event time: one post dated 9999 must neither switch off the cluster detector (every
/// later event would be late) nor stop a replay (it would wait for that date).
public enum EventTimeSkew {
    /// Seconds ahead of the stream's clock.
    public static let limit: Double = 600
    /// So many outliers in a row are the stream itself moving on (a gap in the feed).
    public static let jumpConfirmations = 8
}
