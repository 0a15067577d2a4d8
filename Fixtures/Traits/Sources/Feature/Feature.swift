/// Always there.
public func base() -> Int { 1 }

#if EXTRA
/// Only with the Extra trait.
public func extra() -> Int { 2 }
#endif
