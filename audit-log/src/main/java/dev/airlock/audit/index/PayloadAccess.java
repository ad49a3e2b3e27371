package dev.airlock.audit.index;

import java.util.Objects;
import java.util.Set;

/**
 * The server's explicit grant to open payloads: who it is for, why, and which record types it
 * covers. The audit log does not decide who may read; it refuses to read without a grant, and the
 * grant's grantee and purpose are what the server records about the access.
 *
 * @param grantee who reads (a user id of the console, a role, a case number)
 * @param purpose why (an investigation, a data subject access request)
 * @param types record types covered; a name ending in {@code .*} covers every type under it, and
 *     {@code *} covers every type
 */
public record PayloadAccess(String grantee, String purpose, Set<String> types) {
  public PayloadAccess {
    Objects.requireNonNull(grantee, "grantee");
    Objects.requireNonNull(purpose, "purpose");
    types = Set.copyOf(types);
    if (grantee.isBlank() || purpose.isBlank()) {
      throw new IllegalArgumentException("a payload access grant must name its grantee and its purpose");
    }
    if (types.isEmpty()) {
      throw new IllegalArgumentException("a payload access grant must cover at least one record type");
    }
  }

  /** Whether records of {@code type} may be opened under this grant. */
  public boolean covers(String type) {
    for (String t : types) {
      if (t.equals("*") || t.equals(type) || (t.endsWith(".*") && type.startsWith(t.substring(0, t.length() - 1)))) {
        return true;
      }
    }
    return false;
  }
}
