// A test target with no tests in it.
