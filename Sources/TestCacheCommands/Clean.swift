import ArgumentParser
import TestCacheStore

extension SwiftTestCache {
    /// `swift-testcache clean [--all]`: expire every stored result, or delete the store.
    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expire every stored test result, so that the next run runs every test.",
            discussion: """
                Without --all nothing is deleted: results stored until now are no longer used, and the \
                unused files are trimmed away within days. With --all the whole store directory is deleted.
                """
        )

        @Flag(name: .long, help: "Delete the whole store directory instead of expiring its results.")
        var all = false

        func run() throws {
            let store = try CommandContext.current.openStore()
            do {
                if all {
                    try store.removeAll()
                } else {
                    try store.expireAll()
                }
            } catch {
                throw failing(error)
            }
        }
    }
}
