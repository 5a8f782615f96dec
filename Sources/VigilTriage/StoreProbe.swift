import CPostgres
import Foundation

/// Why a PostgreSQL store could not be opened: a server that does not answer (down, restarting,
/// the network gone) is worth waiting for; a URL libpq cannot use, or a server that answered and
/// refused (credentials, a database or role that does not exist), is not.
public enum StoreProbe {
    public enum Verdict: Sendable, Equatable {
        /// Nothing answered: try again later.
        case unreachable
        /// The URL itself is wrong.
        case malformed
        /// The server answers: a failure to open was a refusal.
        case answering
    }

    /// Asks the server whether it accepts connections (libpq's `PQping`, which needs no
    /// credentials), after checking the ports, which libpq reads only when it connects.
    public static func probe(url: String) -> Verdict {
        guard portsAreValid(url) else { return .malformed }
        switch PQping(url) {
        case PQPING_OK: return .answering
        case PQPING_NO_ATTEMPT: return .malformed
        default: return .unreachable
        }
    }

    /// Every port of the URL's hosts (`host:port`, `[v6]:port`, comma-separated) a number
    /// from 1 to 65535.
    static func portsAreValid(_ url: String) -> Bool {
        guard let scheme = url.range(of: "://") else { return true }
        var authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        for host in authority.split(separator: ",", omittingEmptySubsequences: false) {
            let afterAddress = host.hasPrefix("[") ? host.firstIndex(of: "]").map { host[host.index(after: $0)...] } ?? "" : host
            guard let colon = afterAddress.lastIndex(of: ":") else { continue }
            let port = afterAddress[afterAddress.index(after: colon)...]
            guard port.isEmpty || Int(port).map({ (1...65_535).contains($0) }) == true else { return false }
        }
        return true
    }
}
