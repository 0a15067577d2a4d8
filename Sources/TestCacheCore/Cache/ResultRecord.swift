import Foundation
import TestCacheReports
import TestCacheStore

/// A stored result's bytes: a header line naming the outcome, a line of JSON with how long the run took
/// and its tests, then the output exactly as it was.
enum ResultRecord {
    /// The header, with the version (``FormatVersion/resultRecord``): a record of another is a miss.
    static let magic = "stc-test-result \(FormatVersion.resultRecord) "

    /// The second line.
    struct Details: Codable {
        /// Seconds the run took.
        var duration: Double?
        var tests: [TestCaseResult]
        var coverage: TargetCoverage?
    }

    /// The record's bytes; nil when its details cannot be encoded (a time that is not a finite number),
    /// since a record without them would replay a result without its tests.
    static func encode(_ result: TargetResult) -> [UInt8]? {
        // JSONEncoder escapes newlines inside strings, so the details are one line. A replayed result
        // filed again keeps the details it was stored with, decoded or not.
        guard let details = result.storedDetails.map(Array.init)
            ?? (try? JSONEncoder().encode(Details(duration: result.duration.map(seconds), tests: result.tests, coverage: result.coverage))).map(Array.init)
        else { return nil }
        return Array((magic + result.status.rawValue + "\n").utf8) + details + [UInt8(ascii: "\n")] + result.output
    }

    /// The stored outcome and output, with the time and tests left to ``TargetResult/loadStoredDetails()``,
    /// or nil for anything that is not a whole record of a passing run.
    static func decode(_ bytes: [UInt8], name: String) -> TargetResult? {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
            let second = bytes[(newline + 1)...].firstIndex(of: UInt8(ascii: "\n"))
        else { return nil }
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
        let details = bytes[(newline + 1)..<second]
        guard header.hasPrefix(magic), let status = TargetStatus(rawValue: String(header.dropFirst(magic.count))),
            status.isStorable, details.first == UInt8(ascii: "{"), details.last == UInt8(ascii: "}")
        else { return nil }
        return TargetResult(name: name, status: status, output: Array(bytes[(second + 1)...]), cached: true, storedDetails: details)
    }
}

/// A stored input list, the first step of a traced lookup: what the last passing run consulted.
enum InputsRecord {
    /// The header, with the version (``FormatVersion/inputsRecord``): a list of another is a miss.
    static let magic = Array("stc-test-inputs \(FormatVersion.inputsRecord)\n".utf8)

    /// The list's bytes; nil when it cannot be encoded (nothing in it can fail to, but a list stored
    /// empty would say that nothing was read).
    static func encode(_ inputs: TestInputs) -> [UInt8]? {
        (try? JSONEncoder().encode(inputs)).map { magic + Array($0) }
    }

    /// The input list, or nil for anything that is not a whole record (a result stored untraced, say).
    static func decode(_ bytes: [UInt8]) -> TestInputs? {
        guard bytes.starts(with: magic) else { return nil }
        return try? JSONDecoder().decode(TestInputs.self, from: Data(bytes[magic.count...]))
    }
}
