import Foundation

/// Reads per-test results from Swift Testing's event stream (`--event-stream-output-path FILE`, in the
/// toolchain's own version: 0, or 6.3's with each issue's severity): one JSON record a line, `{"kind": "test", "payload": {...}}` describing a
/// test and `{"kind": "event", "payload": {...}}` for what happened, each event naming its test by
/// `testID` (`Module.Suite/test()/File.swift:12:6`).
///
/// A function's result comes from its `testStarted`, `issueRecorded` and `testEnded` events (a
/// parameterized test is one test, failing if any of its cases did); a skipped one from `testSkipped`.
/// Known issues (`withKnownIssue`) do not fail a test, nor do warnings (6.3's `isFailure: false`), which
/// are kept in its output. An issue recorded against a suite, or outside any
/// test, is reported as a failed test named by the suite's ID (or `Module.(run)`), since the run failed
/// because of it. Lines that do not decode are skipped: a truncated stream gives what it holds.
public enum SwiftTestingEvents {
    /// The tests `bytes` reports, in the order they ended; `module` names issues outside any test.
    public static func parse(_ bytes: [UInt8], module: String) -> [TestCaseResult] {
        var kinds: [String: String] = [:]
        var started: [String: Double] = [:]
        var failures: [String: [TestFailure]] = [:]
        var output: [String: String] = [:]
        var results: [TestCaseResult] = []
        let decoder = JSONDecoder()
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? decoder.decode(Record.self, from: Data(line)) else { continue }
            let payload = record.payload
            if record.kind == "test" {
                if let id = payload.id { kinds[id] = payload.kind }
                continue
            }
            guard record.kind == "event" else { continue }
            let testID = payload.testID ?? module + ".(run)"
            let time = payload.instant?.absolute ?? 0
            switch payload.kind {
            case "testStarted":
                started[testID] = time
            case "issueRecorded":
                guard payload.issue?.isKnown != true else { continue }
                let location = payload.issue?.sourceLocation ?? payload._sourceLocation
                let texts = (payload.messages ?? []).map(\.text)
                let place = location.map { "\($0.fileID ?? $0._filePath ?? ""):\($0.line.map(String.init) ?? ""): " } ?? ""
                output[testID, default: ""] += place + texts.joined(separator: "\n    ") + "\n"
                guard payload.issue?.isFailure != false else { continue }
                let failure = TestFailure(
                    message: texts.joined(separator: "\n"), file: location?._filePath ?? location?.fileID, line: location?.line)
                failures[testID, default: []].append(failure)
                if payload.testID == nil || kinds[testID] == "suite" {
                    // Nothing else will end it as a test: report it now.
                    results.append(TestCaseResult(
                        id: displayID(testID), outcome: .failed, output: output[testID] ?? "", failures: failures[testID] ?? []))
                    failures[testID] = nil
                    output[testID] = nil
                }
            case "testSkipped":
                let reason = payload._comments?.first ?? payload.messages?.first.map { skipReason($0.text) } ?? ""
                results.append(TestCaseResult(
                    id: displayID(testID), outcome: .skipped, output: (payload.messages ?? []).map { $0.text + "\n" }.joined(),
                    skipReason: reason))
            case "testEnded":
                guard kinds[testID] != "suite" else { continue }
                let failed = failures[testID] ?? []
                results.append(TestCaseResult(
                    id: displayID(testID), outcome: failed.isEmpty ? .passed : .failed,
                    elapsed: started[testID].map { Seconds.bounded(time - $0) } ?? 0, output: output[testID] ?? "", failures: failed))
            default:
                continue
            }
        }
        return results
    }

    /// The reason in 6.3's skip message (`Test off() skipped: "not today"`), or the message as it is.
    static func skipReason(_ message: String) -> String {
        guard let range = message.range(of: " skipped: \""), message.hasSuffix("\""), range.upperBound < message.endIndex else { return message }
        return String(message[range.upperBound..<message.index(before: message.endIndex)])
    }

    /// The ID `--list-tests` and `--filter` use: the stream's test ID without its source location.
    static func displayID(_ testID: String) -> String {
        guard let slash = testID.lastIndex(of: "/") else { return testID }
        let last = testID[testID.index(after: slash)...].split(separator: ":")
        guard last.count >= 3, last.suffix(2).allSatisfy({ Int($0) != nil }) else { return testID }
        return String(testID[..<slash])
    }

    private struct Record: Decodable {
        var kind: String
        var payload: Payload
    }

    private struct Payload: Decodable {
        var kind: String?
        var id: String?
        var testID: String?
        var instant: Instant?
        var messages: [Message]?
        var issue: Issue?
        var _comments: [String]?
        var _sourceLocation: Location?
    }

    private struct Instant: Decodable {
        var absolute: Double
    }

    private struct Message: Decodable {
        var text: String
    }

    private struct Issue: Decodable {
        var isKnown: Bool?
        /// 6.3's: false for a warning, which fails nothing.
        var isFailure: Bool?
        var sourceLocation: Location?
    }

    private struct Location: Decodable {
        var _filePath: String?
        var fileID: String?
        var line: Int?
    }
}
