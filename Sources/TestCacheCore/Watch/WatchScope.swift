import TestCacheStore

/// Which changed paths can change a test result: exactly what the keys of the last run consulted.
///
/// `watch` asks the engine for this after every run (``TestEngine/watchScope()``). Every file, tree and
/// directory listing the selected targets' keys were made of counts: their sources and those of what
/// they depend on, the manifests and `Package.resolved`, the declared inputs, and for each stored
/// result what its tests read and what its build read. When some target's inputs are not known (it
/// failed, it is not cached, or what tests read is not traced), any file under the package counts.
/// Build output and version control never count.
public struct WatchScope: Sendable, Equatable {
    /// The package root, absolute and normalized.
    public let root: String
    /// Directories watched with everything under them: the root, and trees the keys hashed outside it
    /// (a local dependency beside the package).
    public let roots: [String]
    /// Files that count, absolute.
    let files: Set<String>
    /// Directories under which every file counts, absolute, each ending in `/`.
    let trees: [String]
    /// Directories whose entries count (a file added or removed in one), absolute.
    let listings: Set<String>
    /// Whether every file under the roots counts: some target's inputs are not known.
    public let everything: Bool
    /// Directories never watched and whose files never count, absolute: the scratch directory and the
    /// store when they are inside a root.
    let skippedPaths: [String]

    /// Directory names never watched wherever they are: what the hasher never descends into (build output,
    /// SwiftPM's and version control's bookkeeping), and sourcekit-lsp's background build directory,
    /// which is build output written while the user edits.
    public static let skippedNames: Set<String> = InputHasher.skippedDirectories.union([".index-build"])

    /// Files at the root that count whoever consulted them: a new manifest for a Swift version, the pins,
    /// and the tool's own settings.
    static func isPackageFile(_ name: String) -> Bool {
        name == "Package.swift" || name == "Package.resolved" || name == PackageSettings.fileName
            || (name.hasPrefix("Package@swift-") && name.hasSuffix(".swift"))
    }

    /// The scope of what `consulted` names under `root`; `everything` when some target's inputs are not known.
    init(root: String, consulted: ConsultedPaths, everything: Bool, skipping skipped: [String]) {
        let root = normalizedPath(root)
        func absolute(_ path: String) -> String {
            path == "." || path.isEmpty ? root : normalizedPath(path.hasPrefix("/") ? path : root + "/" + path)
        }
        self.root = root
        files = Set(consulted.files.map(absolute))
        let trees = Set(consulted.trees.map(absolute))
        self.trees = trees.map { $0 == "/" ? $0 : $0 + "/" }.sorted()
        listings = Set(consulted.listings.map(absolute))
        self.everything = everything
        skippedPaths = skipped.map(normalizedPath).map { $0 + "/" }
        // Trees outside the root are watched too, each once: the outermost of nested ones.
        let outside = trees.filter { !($0 == root || $0.hasPrefix(root + "/")) }.sorted()
        var roots = [root]
        for tree in outside where !roots.contains(where: { tree == $0 || tree.hasPrefix($0 + "/") }) {
            roots.append(tree)
        }
        self.roots = roots
    }

    /// `other` with `everything` as given.
    init(copying other: WatchScope, everything: Bool) {
        root = other.root
        roots = other.roots
        files = other.files
        trees = other.trees
        listings = other.listings
        skippedPaths = other.skippedPaths
        self.everything = everything
    }

    /// Whether the directory at `path` (absolute) is left unwatched, with everything under it.
    public func skips(directory path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        return Self.skippedNames.contains(name) || skippedPaths.contains { (path + "/").hasPrefix($0) }
    }

    /// Whether a change of the file or directory at `path` (absolute) can change a result.
    public func counts(_ path: String) -> Bool {
        let path = normalizedPath(path)
        guard let base = roots.first(where: { path == $0 || path.hasPrefix($0 + "/") }) else {
            return files.contains(path)
        }
        // Under build output or version control, nothing counts.
        let components = path.dropFirst(base.count).split(separator: "/")
        var prefix = base
        for component in components.dropLast() {
            prefix += "/" + component
            if skips(directory: prefix) { return false }
        }
        if let last = components.last, Self.skippedNames.contains(String(last)) { return false }
        if everything || files.contains(path) || listings.contains(path) { return true }
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if listings.contains(parent) { return true }
        if parent == root, let name = components.last, Self.isPackageFile(String(name)) { return true }
        return trees.contains { path.hasPrefix($0) || path + "/" == $0 }
    }

    /// What the scope holds, for the watch screen's footer.
    public var summary: String {
        everything
            ? "every file of the package (some target's inputs are not known until it passes)"
            : "\(files.count) files and \(trees.count) directories the keys consulted"
    }
}
