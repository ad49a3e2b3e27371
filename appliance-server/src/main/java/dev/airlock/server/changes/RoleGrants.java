package dev.airlock.server.changes;

import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import jakarta.inject.Singleton;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * What an ADMIN does to users when some of it takes a second person: creating a user, setting
 * roles, resetting a password. The part that needs nobody else (ADMIN, taking roles away) is done
 * at once; giving DPO or AUDITOR becomes a {@link RoleGrant} a DPO must confirm. Until then the
 * account holds only the other roles: a new DPO-only account exists with no role and no password
 * anyone knows, so nobody can use it before a DPO has confirmed, and its one-time password then
 * goes to the proposer (the DPO who confirmed never sees it). Each call is one transaction with
 * one audit record. Only a person holding ADMIN calls these: never the operator token.
 */
@Singleton
public class RoleGrants {
  private final DataSource db;
  private final Users users;
  private final PendingChanges changes;

  public RoleGrants(ApplianceDatabase database, Users users, PendingChanges changes) {
    this.db = database.dataSource();
    this.users = users;
    this.changes = changes;
  }

  /**
   * What came of a request: the account as it is now, its one-time password when it got one at
   * once, and the grant waiting for a DPO when some roles need one.
   */
  public record Outcome(ConsoleUser user, Optional<String> oneTimePassword, Optional<PendingChange> pending) {}

  /** Creates a user; DPO and AUDITOR wait for a DPO's confirmation, and so does the password then. */
  public Outcome create(String username, String displayName, Set<Role> roles, String proposer) {
    changes.requireProposer(proposer);
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("give the user at least one role: ADMIN, DPO or AUDITOR");
    }
    Users.requireSeparateDuties(roles);
    Set<Role> toConfirm = confirmed(roles);
    if (toConfirm.isEmpty()) {
      Users.Created c = users.create(username, displayName, roles, actor(proposer));
      return new Outcome(c.user(), Optional.of(c.oneTimePassword()), Optional.empty());
    }
    Set<Role> now = EnumSet.copyOf(roles);
    now.removeAll(toConfirm);
    String name = username == null ? "" : username.strip();
    PendingChange[] p = new PendingChange[1];
    Sql.inTransaction(db, c -> {
      users.createWithoutPasswordOn(c, name, displayName, now, actor(proposer));
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("rolesNow", Users.roleNames(now));
      p[0] = changes.proposeOn(c, new RoleGrant(name, toConfirm, RoleGrant.Occasion.NEW_ACCOUNT), proposer, extra);
    });
    return new Outcome(users.find(name).orElseThrow(), Optional.empty(), Optional.of(p[0]));
  }

  /**
   * Sets a user's roles: taking roles away and giving ADMIN happen at once; DPO and AUDITOR wait
   * for a DPO's confirmation.
   */
  public Outcome setRoles(String username, Set<Role> roles, String proposer) {
    changes.requireProposer(proposer);
    ConsoleUser before = users.find(username).orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("a user needs at least one role; to stop someone signing in, disable the user");
    }
    Users.requireSeparateDuties(roles);
    Set<Role> toConfirm = confirmed(roles);
    toConfirm.removeAll(before.roles());
    if (toConfirm.isEmpty()) return new Outcome(users.setRoles(username, roles, actor(proposer)), Optional.empty(),
        Optional.empty());
    Set<Role> now = EnumSet.noneOf(Role.class);
    now.addAll(roles);
    now.removeAll(toConfirm);
    PendingChange[] p = new PendingChange[1];
    Sql.inTransaction(db, c -> {
      Set<Role> held = users.rolesOn(c, username);
      if (!held.equals(now)) users.replaceRolesOn(c, username, now);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("rolesBefore", Users.roleNames(held));
      extra.put("rolesNow", Users.roleNames(now));
      p[0] = changes.proposeOn(c, new RoleGrant(username, toConfirm, RoleGrant.Occasion.ADDED_ROLES), proposer, extra);
    });
    return new Outcome(users.find(username).orElseThrow(), Optional.empty(), Optional.of(p[0]));
  }

  /**
   * Resets a password. For a DPO or AUDITOR, whoever learns the new password could act as them,
   * so those roles are taken away with the old password, and come back with a new one-time
   * password (to the proposer) only when another DPO confirms; anyone else gets it at once.
   */
  public Outcome resetPassword(String username, String proposer) {
    changes.requireProposer(proposer);
    ConsoleUser user = users.find(username).orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
    Set<Role> toConfirm = confirmed(user.roles());
    if (toConfirm.isEmpty()) {
      String password = users.resetPassword(username, actor(proposer));
      return new Outcome(users.find(username).orElseThrow(), Optional.of(password), Optional.empty());
    }
    Set<Role> now = EnumSet.noneOf(Role.class);
    now.addAll(user.roles());
    now.removeAll(toConfirm);
    PendingChange[] p = new PendingChange[1];
    Sql.inTransaction(db, c -> {
      users.replaceRolesOn(c, username, now);
      users.clearPasswordOn(c, username);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("rolesBefore", Users.roleNames(user.roles()));
      extra.put("rolesNow", Users.roleNames(now));
      p[0] = changes.proposeOn(c, new RoleGrant(username, toConfirm, RoleGrant.Occasion.PASSWORD_RESET), proposer, extra);
    });
    return new Outcome(users.find(username).orElseThrow(), Optional.empty(), Optional.of(p[0]));
  }

  private static Set<Role> confirmed(Set<Role> roles) {
    Set<Role> out = EnumSet.noneOf(Role.class);
    for (Role r : roles) if (r.grantNeedsConfirmation()) out.add(r);
    return out;
  }

  private static String actor(String username) {
    return "user:" + username;
  }
}
