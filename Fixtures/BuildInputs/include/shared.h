// Read by CValue through its header search path; outside every target's directory.
#define SHARED_VALUE 42
