package dev.airlock.server.changes;

import dev.airlock.server.vocabulary.Refusal;
import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * Giving an account DPO or AUDITOR: approval powers, or reading everyone's audit trail. When the
 * grant comes with a new account or a password reset, the account has no password anyone knows
 * until the grant is confirmed; then its one-time password goes to the proposer, once.
 *
 * @param username the account
 * @param roles the roles to give (DPO, AUDITOR)
 * @param occasion why: a new account, roles added to an existing one, or a password reset
 */
public record RoleGrant(String username, Set<Role> roles, Occasion occasion) implements Change {
  /** Why the grant was proposed. */
  public enum Occasion {
    /** The account was made with these roles waiting; it gets its one-time password on confirmation. */
    NEW_ACCOUNT,
    /** Roles added to an account that keeps its password. */
    ADDED_ROLES,
    /**
     * The account's password was reset: its DPO and AUDITOR roles were taken away with the old
     * password and come back, with a new one-time password, on confirmation.
     */
    PASSWORD_RESET
  }

  public RoleGrant {
    roles = Set.copyOf(roles);
    if (roles.isEmpty() || !roles.stream().allMatch(Role::grantNeedsConfirmation)) {
      throw new IllegalArgumentException("a role grant gives DPO or AUDITOR; found " + roles);
    }
  }

  @Override
  public Kind kind() {
    return Kind.ROLE_GRANT;
  }

  /** Whether confirming it lets the proposer collect a new one-time password for the account. */
  public boolean comesWithPassword() {
    return occasion != Occasion.ADDED_ROLES;
  }

  @Override
  public String summary() {
    String what = "Give " + String.join(" and ", Users.roleNames(roles)) + " to " + username;
    return switch (occasion) {
      case NEW_ACCOUNT -> what + " (a new account; its one-time password goes to the proposer once confirmed)";
      case ADDED_ROLES -> what;
      case PASSWORD_RESET -> what + " again after a password reset (the new one-time password goes to the proposer"
          + " once confirmed)";
    };
  }

  @Override
  public Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("username", username);
    d.put("roles", Users.roleNames(roles));
    d.put("occasion", occasion.name().toLowerCase(java.util.Locale.ROOT));
    return d;
  }

  @Override
  public Optional<String> beneficiary() {
    return Optional.of(username);
  }

  @Override
  public String conflictKey() {
    return "role.grant:" + username;
  }

  @Override
  public void check(Targets targets) {
    ConsoleUser user = targets.users().find(username)
        .orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
    requireGrantable(user.roles());
  }

  @Override
  public Applied apply(Connection c, Targets targets, String proposedBy, String confirmedBy) throws SQLException {
    Set<Role> before = targets.users().rolesOn(c, username);
    requireGrantable(before);
    Set<Role> after = EnumSet.noneOf(Role.class);
    after.addAll(before);
    after.addAll(roles);
    targets.users().replaceRolesOn(c, username, after);
    Map<String, Object> d = details();
    d.put("rolesBefore", Users.roleNames(before));
    d.put("rolesNow", Users.roleNames(after));
    return Applied.inDatabase(d);
  }

  private void requireGrantable(Set<Role> held) {
    if (roles.contains(Role.DPO) && held.contains(Role.ADMIN)) {
      throw Refusal.conflict("separation_of_duties", username + " holds ADMIN now. " + Users.SEPARATION_OF_DUTIES
          + " Decline this change, or take ADMIN away from " + username + " first.");
    }
    if (held.containsAll(roles)) {
      throw Refusal.conflict("already_granted", username + " already holds " + String.join(" and ",
          Users.roleNames(roles)) + "; nothing to confirm. Decline this change.");
    }
  }

  @Override
  public String appliedRecordType() {
    return "user.roles_granted";
  }
}
