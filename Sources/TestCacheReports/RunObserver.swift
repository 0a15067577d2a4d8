/// Receives each target's report in the console's order, and the end of the run: how the machine-readable
/// reports (test2json, JUnit XML, GitHub Actions) are written as a run goes.
public protocol RunObserver: Sendable {
    /// A target's report, in manifest order, once every target before it was reported.
    func targetFinished(_ report: TargetReport)
    /// The run ended (`interrupted` by a signal, say, before every target was reported).
    func runFinished(interrupted: Bool)
}
