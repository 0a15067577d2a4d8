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

/// One source file's coverage as lcov carries it: how many times each line and each function ran.
public struct FileCoverage: Sendable, Equatable {
    /// Count by line number, for each instrumented line.
    public var lines: [Int: Int] = [:]
    /// By function name (mangled, as llvm-cov names them): the line it starts on and how many times it ran.
    public var functions: [String: FunctionCoverage] = [:]

    public init() {}
}

/// A function's coverage: the line it starts on and how many times it ran.
public struct FunctionCoverage: Sendable, Equatable {
    public var line: Int
    public var count: Int

    public init(line: Int, count: Int) {
        self.line = line
        self.count = count
    }
}

/// The lcov tracefile format, as far as line and function coverage go.
public enum LCOV {
    /// Per source file, per line, how many times it ran.
    public static func lines(_ text: String) -> [String: [Int: Int]] {
        files(text).mapValues(\.lines)
    }

    /// Per source file, its lines' and functions' counts (`SF:`, `DA:line,count`, `FN:line,name` or
    /// lcov 2's `FN:line,end,name`, `FNDA:count,name`); counts of a line or function named twice add up.
    public static func files(_ text: String) -> [String: FileCoverage] {
        var files: [String: FileCoverage] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("SF:") {
                current = String(line.dropFirst(3))
                files[current!, default: FileCoverage()] = files[current!, default: FileCoverage()]
            } else if line.hasPrefix("DA:"), let file = current {
                let fields = line.dropFirst(3).split(separator: ",")
                guard fields.count >= 2, let number = Int(fields[0]), let count = Int(fields[1]) else { continue }
                files[file, default: FileCoverage()].lines[number, default: 0] += count
            } else if line.hasPrefix("FN:"), let file = current {
                let fields = line.dropFirst(3).split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count >= 2, let start = Int(fields[0]) else { continue }
                let name = fields.count == 3 && Int(fields[1]) != nil
                    ? String(fields[2]) : fields.dropFirst().joined(separator: ",")
                if files[file, default: FileCoverage()].functions[name] == nil {
                    files[file, default: FileCoverage()].functions[name] = FunctionCoverage(line: start, count: 0)
                }
            } else if line.hasPrefix("FNDA:"), let file = current {
                let fields = line.dropFirst(5).split(separator: ",", maxSplits: 1)
                guard fields.count == 2, let count = Int(fields[0]) else { continue }
                files[file, default: FileCoverage()].functions[String(fields[1]), default: FunctionCoverage(line: 0, count: 0)].count += count
            } else if line == "end_of_record" {
                current = nil
            }
        }
        return files
    }

    /// Every file of `tracefiles`, each line's and function's counts added up: what the targets together ran.
    public static func mergedFiles(_ tracefiles: [String]) -> [String: FileCoverage] {
        var merged: [String: FileCoverage] = [:]
        for text in tracefiles {
            for (file, coverage) in files(text) {
                merged[file, default: FileCoverage()].lines.merge(coverage.lines, uniquingKeysWith: +)
                merged[file, default: FileCoverage()].functions.merge(coverage.functions) {
                    FunctionCoverage(line: $0.line == 0 ? $1.line : $0.line, count: $0.count + $1.count)
                }
            }
        }
        return merged
    }

    /// One tracefile with every file of `tracefiles`, each line's and function's counts added up.
    public static func merge(_ tracefiles: [String]) -> String {
        var text = ""
        for (file, coverage) in mergedFiles(tracefiles).sorted(by: { $0.key < $1.key }) {
            text += "SF:\(file)\n"
            let functions = coverage.functions.sorted { ($0.value.line, $0.key) < ($1.value.line, $1.key) }
            for (name, function) in functions { text += "FN:\(function.line),\(name)\n" }
            for (name, function) in functions { text += "FNDA:\(function.count),\(name)\n" }
            text += "FNF:\(functions.count)\nFNH:\(functions.filter { $0.value.count > 0 }.count)\n"
            for (number, count) in coverage.lines.sorted(by: { $0.key < $1.key }) { text += "DA:\(number),\(count)\n" }
            text += "LF:\(coverage.lines.count)\nLH:\(coverage.lines.values.filter { $0 > 0 }.count)\nend_of_record\n"
        }
        return text
    }
}

/// llvm-cov's JSON export (`llvm-cov export -format=text`, type `llvm.coverage.json.export`, version
/// 2.0.1) of merged line and function counts, for the tools that read that rather than lcov.
///
/// What the stored results keep is lcov's line and function counts, not llvm-cov's regions (a cached
/// target's binary may not even be built), so the export is line-granular: each instrumented line is
/// one region, as a segment that starts at its first column with its count and ends where the next
/// line starts; a function is a region on the line it starts on. Line and function totals are
/// llvm-cov's own; region totals are the line totals; there are no branches or expansions.
public enum LLVMCovJSON {
    /// The export of `files` (by path), as JSON text with sorted keys.
    public static func export(_ files: [String: FileCoverage]) -> String {
        func summary(_ lines: [Int: Int], _ functions: [FunctionCoverage]) -> [String: Any] {
            func share(_ covered: Int, _ count: Int) -> Double { count == 0 ? 0 : Double(covered) * 100 / Double(count) }
            let lineCount = lines.count, lineCovered = lines.values.filter { $0 > 0 }.count
            let functionCovered = functions.filter { $0.count > 0 }.count
            let functionSummary: [String: Any] = [
                "count": functions.count, "covered": functionCovered, "percent": share(functionCovered, functions.count),
            ]
            return [
                "lines": ["count": lineCount, "covered": lineCovered, "percent": share(lineCovered, lineCount)],
                "functions": functionSummary, "instantiations": functionSummary,
                "regions": [
                    "count": lineCount, "covered": lineCovered, "notcovered": lineCount - lineCovered,
                    "percent": share(lineCovered, lineCount),
                ],
                "branches": ["count": 0, "covered": 0, "notcovered": 0, "percent": 0.0],
                "mcdc": ["count": 0, "covered": 0, "notcovered": 0, "percent": 0.0],
            ]
        }
        var fileObjects: [[String: Any]] = []
        var functionObjects: [[String: Any]] = []
        var allLines: [Int: Int] = [:]
        var allFunctions: [FunctionCoverage] = []
        for (index, (file, coverage)) in files.sorted(by: { $0.key < $1.key }).enumerated() {
            var segments: [[Any]] = []
            for (number, count) in coverage.lines.sorted(by: { $0.key < $1.key }) {
                // [line, column, count, has count, is region entry, is gap region]
                segments.append([number, 1, count, true, true, false])
                if coverage.lines[number + 1] == nil { segments.append([number + 1, 1, 0, false, false, false]) }
            }
            fileObjects.append([
                "filename": file, "segments": segments, "branches": [Any](), "mcdc_records": [Any](), "expansions": [Any](),
                "summary": summary(coverage.lines, Array(coverage.functions.values)),
            ])
            for (name, function) in coverage.functions.sorted(by: { $0.key < $1.key }) {
                // [line start, column start, line end, column end, count, file ID, expanded file ID, kind]
                functionObjects.append([
                    "name": name, "count": function.count, "filenames": [file], "branches": [Any](), "mcdc_records": [Any](),
                    "regions": [[function.line, 1, function.line, 1, function.count, 0, 0, 0]],
                ])
            }
            // Every file's lines in one table, a file's apart from another's by the high bits.
            for (number, count) in coverage.lines { allLines[index << 32 | number] = count }
            allFunctions += coverage.functions.values
        }
        let export: [String: Any] = [
            "type": "llvm.coverage.json.export", "version": "2.0.1",
            "data": [["files": fileObjects, "functions": functionObjects, "totals": summary(allLines, allFunctions)]],
        ]
        // Only strings, integers and arrays and dictionaries of them: serialization cannot fail on these.
        let data = (try? JSONSerialization.data(withJSONObject: export, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Writes the run's merged coverage (every target's, the replayed ones' as stored) when the run ends
/// (`--coverage-output FILE`): llvm-cov's JSON export for a `.json` file, an lcov tracefile otherwise.
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
        let tracefiles = lock.withLock { self.tracefiles }
        let merged = path.hasSuffix(".json") ? LLVMCovJSON.export(LCOV.mergedFiles(tracefiles)) : LCOV.merge(tracefiles)
        do {
            try Data(merged.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            warn("cannot write the coverage report to \(path): \(error.localizedDescription)")
        }
    }
}
