import Foundation
import Synchronization
import TestCacheStore

/// The named fields a target's keys were made of (sources, manifests, options, traced inputs), kept
/// beside its stored result so that `explain` can say what changed since, without a second hashing scheme.
///
/// Values of variables are kept as a digest: the store is a directory anyone on the machine may read,
/// and a variable may hold a token. A digest still tells a change.
package struct KeyComponents: Codable, Equatable, Sendable {
    package var fields: [String: String] = [:]
    /// What the stored run consulted, to hash again for the comparison.
    package var inputs: TestInputs?

    package init(fields: [String: String] = [:], inputs: TestInputs? = nil) {
        self.fields = fields
        self.inputs = inputs
    }

    /// One difference, as a line.
    package struct Change: Equatable, Sendable {
        package var text: String
        /// Whether it changes what is built: the next run builds, and may still replay the stored result
        /// by its content ID if what is built for the target comes out the same.
        package var rebuilds: Bool
    }

    /// The readable differences from `stored` to these components, most telling first. `traced` says
    /// whether what tests read is traced: when it is not, a data file is part of the content ID, so its
    /// change is not one that a rebuild can find harmless.
    package func changes(since stored: KeyComponents, traced: Bool = true) -> [Change] {
        var lines: [(rank: Int, text: String, rebuilds: Bool)] = []
        for name in Set(fields.keys).union(stored.fields.keys).sorted() {
            let old = stored.fields[name], new = fields[name]
            guard old != new, let change = Self.describe(name, old: old, new: new) else { continue }
            let rebuilds = Self.buildRanks.contains(change.rank) && (traced || !name.hasPrefix("data file "))
            lines.append((change.rank, change.text, rebuilds))
        }
        return lines.sorted { ($0.rank, $0.text) < ($1.rank, $1.text) }.map { Change(text: $0.text, rebuilds: $0.rebuilds) }
    }

    /// The ranks of changes to what is built: sources (and, when reads are traced, data files), and the
    /// manifests, pins, toolchain and options.
    private static let buildRanks: Set<Int> = [0, 3, 4]

    /// One field's change as a line, with a rank that puts what a user edits first; nil for fields that
    /// only summarize others (a tree's key changes whenever one of its files does).
    private static func describe(_ field: String, old: String?, new: String?) -> (rank: Int, text: String)? {
        func what(_ noun: String) -> String {
            switch (old, new) {
            case (nil, _), ("absent", _), ("unset", _): return "\(noun) was added"
            case (_, nil), (_, "absent"), (_, "unset"): return "\(noun) was removed"
            default: return "\(noun) changed"
            }
        }
        func option(_ name: String) -> String {
            "\(name) changed: \(old.map(shown) ?? "not given") → \(new.map(shown) ?? "not given")"
        }
        let (kind, subject) = split(field)
        switch kind {
        case "file": return (0, what("source file \(subject)"))
        case "data file": return (0, what("data file \(subject)"))
        case "header": return (0, what("header \(subject)"))
        case "plugin input": return (0, what("plugin input \(subject)"))
        case "linker input": return (0, what("linker input \(subject)"))
        case "linker directory": return (0, "the entries of linker directory \(subject) changed")
        case "input file": return (1, what("input file \(subject)"))
        case "declared file": return (1, what("declared input file \(subject)"))
        case "input directory": return (1, "the entries of directory \(subject) changed")
        case "variable", "declared variable", "env":
            switch (old, new) {
            case (nil, _), ("unset", _): return (2, "variable \(subject) was set")
            case (_, nil), (_, "unset"): return (2, "variable \(subject) was unset")
            default: return (2, "variable \(subject) changed")
            }
        case "product": return nil  // its sources are listed as source files
        case "tree", "directory of", "dependency": return nil
        case "manifest": return (3, what("manifest \(subject)"))
        case "manifest variable":
            // `NAME read by PATH`: a variable a manifest reads, and so what it builds.
            let name = subject.prefix { $0 != " " }
            let manifest = subject.range(of: " read by ").map { String(subject[$0.upperBound...]) } ?? ""
            switch (old, new) {
            case (nil, _), ("unset", _): return (3, "variable \(name), which \(manifest) reads, was set")
            case (_, nil), (_, "unset"): return (3, "variable \(name), which \(manifest) reads, was unset")
            default: return (3, "variable \(name), which \(manifest) reads, changed")
            }
        case "dependency file": return (3, what("file \(subject) of a dependency"))
        case "Package.resolved": return (3, "Package.resolved changed: other dependency versions")
        case "toolchain": return (3, "the toolchain changed")
        case "toolchain runtime": return (3, what("the toolchain's runtime library \(subject)"))
        case "environment": return (3, "how the manifests read the environment changed: \(new ?? "")")
        case _ where BuildOption.named(field: kind) != nil:
            return (4, "build option " + option(BuildOption.named(field: kind)!.rawValue))
        case _ where TestOption(rawValue: kind)?.role == .keyed:
            return (4, "test option " + option(kind))
        case "declared inputs", "declared variables", "ignored variables":
            return (4, "\(PackageSettings.fileName): \(kind) changed")
        default: return (5, "\(field) changed")
        }
    }

    /// A field's kind and subject: `input file Fixtures/a.json` is ("input file", "Fixtures/a.json").
    private static func split(_ field: String) -> (String, String) {
        for kind in [
            "input file", "input directory", "data file", "declared file", "toolchain runtime", "declared variable", "dependency file", "directory of",
            "manifest variable", "plugin input", "linker input", "linker directory",
        ]
        where field.hasPrefix(kind + " ") {
            return (kind, String(field.dropFirst(kind.count + 1)))
        }
        guard let space = field.firstIndex(of: " ") else { return (field, "") }
        return (String(field[..<space]), String(field[field.index(after: space)...]))
    }

    /// An option's value as it is shown: several given are kept one per line.
    private static func shown(_ value: String) -> String {
        value.isEmpty ? "none" : value.split(separator: "\n").joined(separator: " ")
    }
}

/// Collects a key's named fields as ``KeyHasher`` hashes them, through its recorder.
final class KeyComponentCollector: Sendable {
    private let fields = Mutex<[String: String]>([:])

    /// The recorder to give every hasher of the keys being explained.
    var recorder: KeyRecorder {
        { [self] field, value in add(field, value) }
    }

    /// The fields so far.
    var collected: [String: String] { fields.withLock { $0 } }

    /// Keeps a field; a field given several times (each `--filter`) keeps each value once, in order.
    private func add(_ field: String, _ value: String) {
        let kept = Self.isVariable(field) && value != "unset" ? "sha256:" + String(OutputID(of: Array(value.utf8)).hex.prefix(16)) : value
        fields.withLock { fields in
            guard let existing = fields[field] else { fields[field] = kept; return }
            if !existing.split(separator: "\n").contains(Substring(kept)) { fields[field] = existing + "\n" + kept }
        }
    }

    /// Whether a field holds a variable's value.
    private static func isVariable(_ field: String) -> Bool {
        field.hasPrefix("env ") || field.hasPrefix("variable ") || field.hasPrefix("declared variable ")
            || field.hasPrefix("manifest variable ")
    }
}
