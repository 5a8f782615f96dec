/// The built-in scenarios (documented in `docs/scenarios.md`).
public enum ScenarioKind: String, CaseIterable, Sendable {
    case baseline
    case recruiterNetwork = "recruiter-network"
    case suspensionEvasion = "suspension-evasion"
    case newsSpike = "news-spike"
    case workshop
}

/// Everything that determines a simulated feed: the same options give the same bytes.
public struct SimulationOptions: Sendable, Equatable {
    public var scenario: ScenarioKind
    public var seed: UInt64
    /// Organic accounts (planted accounts come on top).
    public var accounts: Int
    /// Seconds of event time.
    public var duration: Double
    /// Mean organic posts per second (before the daily rhythm and bursts).
    public var rate: Double
    /// Posts arrive at `rate` throughout: no daily rhythm, bursts or news-spike surges. For
    /// capacity measurements, where "at 1,000 posts/s" must hold at every point of the feed.
    public var steady: Bool

    public init(scenario: ScenarioKind, seed: UInt64 = 1, accounts: Int? = nil, duration: Double? = nil, rate: Double? = nil,
                steady: Bool = false) {
        self.scenario = scenario
        self.steady = steady
        self.seed = seed
        let defaults = SimulationOptions.defaults(for: scenario)
        self.accounts = accounts ?? defaults.accounts
        self.duration = duration ?? defaults.duration
        self.rate = rate ?? defaults.rate
    }

    /// Per scenario: a workshop is something a room can follow; the others are analysis-sized.
    /// Accounts are many for the rate (a few posts an hour each, heavy-tailed), as on a platform:
    /// a few hundred accounts posting every minute would coincide all the time.
    public static func defaults(for scenario: ScenarioKind) -> (accounts: Int, duration: Double, rate: Double) {
        switch scenario {
        case .workshop: return (600, 25 * 60, 2)
        case .baseline: return (12_000, 3600, 20)
        case .recruiterNetwork, .suspensionEvasion, .newsSpike: return (10_000, 3600, 20)
        }
    }

    /// `50/s`, `200/m`, `1000/h`, or plain posts per second.
    public static func parseRate(_ text: String) -> Double? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let value = Double(parts[0]), value > 0, value.isFinite else { return nil }
        guard parts.count == 2 else { return parts.count == 1 ? value : nil }
        switch parts[1].lowercased() {
        case "s", "sec": return value
        case "m", "min": return value / 60
        case "h", "hour": return value / 3600
        default: return nil
        }
    }
}
