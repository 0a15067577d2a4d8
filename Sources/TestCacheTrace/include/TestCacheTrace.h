// TestCacheTrace has no API: it is a shared library preloaded (LD_PRELOAD) into test processes, where
// it records what they read to the log SWIFT_TESTCACHE_TRACE_LOG names. See trace.c.
