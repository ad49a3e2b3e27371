package dev.airlock.server.auth;

/**
 * What a console user may do. A user may hold several roles; none implies another, and no account
 * holds both {@link #ADMIN} and {@link #DPO} (who runs the appliance never also approves for it).
 *
 * <ul>
 *   <li>{@link #ADMIN}: operators: apps and keys, backends and models, policy, trust store, users;
 *       changes that take a second person are only proposed.
 *   <li>{@link #DPO}: Data Protection Officers: review and approve models, confirm erasures and the
 *       changes an ADMIN proposes.
 *   <li>{@link #AUDITOR}: security analysts: search and read the audit log, export with proofs.
 * </ul>
 */
public enum Role {
  ADMIN("Operator"),
  DPO("Data Protection Officer"),
  AUDITOR("Security analyst");

  private final String title;

  Role(String title) {
    this.title = title;
  }

  /**
   * Whether giving this role to an account takes a second person (an ADMIN proposes, a DPO
   * confirms): approval powers and reading everyone's prompts do; ADMIN does not.
   */
  public boolean grantNeedsConfirmation() {
    return this == DPO || this == AUDITOR;
  }

  /** The role's name as people read it. */
  public String title() {
    return title;
  }

  /** Parses a role name case-insensitively, with a message that lists the roles. */
  public static Role parse(String name) {
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(name == null ? "" : name.trim())) return r;
    }
    throw new IllegalArgumentException("unknown role '" + name + "': use ADMIN, DPO or AUDITOR");
  }
}
