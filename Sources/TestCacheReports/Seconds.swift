/// Seconds as outside data gives them (a test's output, an event stream, a stored or shared record), held
/// to what every report and key can count, so that no value read back can trap a conversion to an integer.
public enum Seconds {
    /// A year: far past any test's time, and far inside what Int64 nanoseconds hold (292 years).
    public static let most: Double = 365 * 24 * 3_600

    /// `value`, with not-a-number and negatives as 0 and anything above ``most`` (infinity too) as ``most``.
    public static func bounded(_ value: Double) -> Double {
        value.isNaN || value < 0 ? 0 : min(value, most)
    }
}
