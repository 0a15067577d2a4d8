/// How one test target came out: the one status the engine, the stored records and the reports share.
public enum TargetStatus: String, Sendable {
    case passed
    /// The filters selected none of its tests.
    case noTestsToRun
    /// It has no tests at all.
    case noTestFiles
    case failed
    /// It failed, and passed when its failed tests ran again (`--retries`): the run passes, and the result
    /// is not stored, since a pass that needed a retry is no evidence.
    case flaky
    case buildFailed
    case setupFailed

    public var isFailure: Bool { self == .failed || self == .buildFailed || self == .setupFailed }
    /// Only passing outcomes are stored, as in Go.
    public var isStorable: Bool { self == .passed || self == .noTestsToRun || self == .noTestFiles }
}
