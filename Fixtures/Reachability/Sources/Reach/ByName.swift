public protocol Named {
    init()
    var name: String { get }
}

/// No code refers to it: the tests find it by its mangled name at run time.
struct Hidden: Named {
    init() {}
    var name: String { "hidden" }
}
