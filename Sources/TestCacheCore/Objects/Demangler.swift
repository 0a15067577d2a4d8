import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Swift's own demangler, from the runtime this tool runs on.
enum Demangler {
    private typealias Function = @convention(c) (
        UnsafePointer<CChar>?, Int, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>?, UInt32
    ) -> UnsafeMutablePointer<CChar>?

    /// `swift_demangle`, exported by the Swift runtime; nil where it cannot be found.
    private static let function: Function? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "swift_demangle") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    /// The demangled form of a Swift symbol name; nil when it is not one, or no demangler is at hand.
    static func demangle(_ name: String) -> String? {
        guard let function else { return nil }
        return name.withCString { pointer -> String? in
            guard let result = function(pointer, strlen(pointer), nil, nil, 0) else { return nil }
            defer { free(result) }
            let text = String(cString: result)
            return text == name ? nil : text
        }
    }
}
