/** The SSH wire encoding (RFC 4251 section 5): uint32, uint64, string, mpint, with strict bounds checks. */
package dev.keyward.ca.wire;
