import Foundation

/// A target's line coverage: the lcov records llvm-cov exported for the package's non-test targets it
/// depends on, as its tests ran them, and their totals.
public struct TargetCoverage: Codable, Sendable, Equatable {
    /// lcov tracefile text (`SF:`, `DA:line,count`, `LF:`, `LH:`, `end_of_record`).
    public var lcov: String
    /// Instrumented lines, and those the tests ran.
    public var linesFound: Int
    public var linesHit: Int

    public init(lcov: String) {
        self.lcov = lcov
        let lines = LCOV.lines(lcov)
        linesFound = lines.values.reduce(0) { $0 + $1.count }
        linesHit = lines.values.reduce(0) { $0 + $1.values.filter { $0 > 0 }.count }
    }

    /// `coverage: 71.4% of lines`, as Go ends a package's line with its statements' share.
    public var summary: String {
        guard linesFound > 0 else { return "coverage: [no lines]" }
        let permille = (linesHit * 1_000 + linesFound / 2) / linesFound
        return "coverage: \(permille / 10).\(permille % 10)% of lines"
    }
}

/// The lcov tracefile format, as far as line coverage goes.
public enum LCOV {
    /// Per source file, per line, how many times it ran.
    public static func lines(_ text: String) -> [String: [Int: Int]] {
        var files: [String: [Int: Int]] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("SF:") {
                current = String(line.dropFirst(3))
                files[current!, default: [:]] = files[current!, default: [:]]
            } else if line.hasPrefix("DA:"), let file = current {
                let fields = line.dropFirst(3).split(separator: ",")
                guard fields.count >= 2, let number = Int(fields[0]), let count = Int(fields[1]) else { continue }
                files[file, default: [:]][number, default: 0] += count
            } else if line == "end_of_record" {
                current = nil
            }
        }
        return files
    }

    /// One tracefile with every file of `tracefiles`, each line's counts added up: what the targets
    /// together ran.
    public static func merge(_ tracefiles: [String]) -> String {
        var files: [String: [Int: Int]] = [:]
        for text in tracefiles {
            for (file, lines) in lines(text) {
                files[file, default: [:]].merge(lines, uniquingKeysWith: +)
            }
        }
        var text = ""
        for (file, lines) in files.sorted(by: { $0.key < $1.key }) {
            text += "SF:\(file)\n"
            for (number, count) in lines.sorted(by: { $0.key < $1.key }) { text += "DA:\(number),\(count)\n" }
            text += "LF:\(lines.count)\nLH:\(lines.values.filter { $0 > 0 }.count)\nend_of_record\n"
        }
        return text
    }
}

/// Writes the run's merged coverage (every target's, the replayed ones' as stored) as an lcov
/// tracefile when the run ends (`--coverage-output FILE`).
public final class CoverageObserver: RunObserver, @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var tracefiles: [String] = []
    private let warn: @Sendable (String) -> Void

    public init(path: String, warn: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.warn = warn
    }

    public func targetFinished(_ report: TargetReport) {
        guard let coverage = report.coverage else { return }
        lock.withLock { tracefiles.append(coverage.lcov) }
    }

    public func runFinished(interrupted: Bool) {
        let merged = LCOV.merge(lock.withLock { tracefiles })
        do {
            try Data(merged.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            warn("cannot write the coverage report to \(path): \(error.localizedDescription)")
        }
    }
}
