import CVendor

print(vendor_value() + vendor_offset())
