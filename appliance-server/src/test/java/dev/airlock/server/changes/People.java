package dev.airlock.server.changes;

import dev.airlock.server.auth.ConsoleUser;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.Users;
import io.micronaut.context.ApplicationContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Console users for tests, made the way the appliance makes them: roles that need no second
 * person directly; DPO and AUDITOR proposed by an ADMIN and confirmed by a different DPO, the
 * proposer then collecting the one-time password. The first DPO comes from bootstrap, as on a
 * new appliance. Where no ADMIN or DPO exists to take part, a helper account does
 * ({@value #HELPER_ADMIN}, {@value #HELPER_DPO}).
 */
public final class People {
  public static final String HELPER_ADMIN = "helper-admin";
  public static final String HELPER_DPO = "helper-dpo";

  private People() {}

  /** A user with these roles and its one-time password, as an ADMIN would hand it over. */
  public static Users.Created create(ApplicationContext ctx, String username, String displayName, Set<Role> roles) {
    Users users = ctx.getBean(Users.class);
    if (roles.stream().noneMatch(Role::grantNeedsConfirmation)) {
      return users.create(username, displayName, roles, "test");
    }
    List<ConsoleUser> all = users.list();
    boolean anyDpo = all.stream().anyMatch(People::actsAsDpo);
    if (!anyDpo && roles.equals(EnumSet.of(Role.DPO))) {
      return users.bootstrap(new Users.FirstAccounts(Optional.empty(), List.of(username), List.of()), "test").get(0);
    }
    String proposer = all.stream().filter(u -> !u.disabled() && u.roles().equals(EnumSet.of(Role.ADMIN)))
        .map(ConsoleUser::username).findFirst()
        .orElseGet(() -> users.create(HELPER_ADMIN, "Helper admin", EnumSet.of(Role.ADMIN), "test").user().username());
    String confirmer = all.stream().filter(People::actsAsDpo).map(ConsoleUser::username)
        .filter(n -> !n.equals(username)).findFirst()
        .orElseGet(() -> users.bootstrap(new Users.FirstAccounts(Optional.empty(), List.of(HELPER_DPO), List.of()), "test")
            .get(0).user().username());
    PendingChanges changes = ctx.getBean(PendingChanges.class);
    RoleGrants.Outcome o = ctx.getBean(RoleGrants.class).create(username, displayName, roles, proposer);
    String id = o.pending().orElseThrow().id();
    changes.confirm(id, confirmer);
    String password = changes.releaseOneTimePassword(id, proposer).oneTimePassword();
    return new Users.Created(users.find(username).orElseThrow(), password);
  }

  /** A user with these roles whose one-time password is already replaced by {@code password}. */
  public static void withPassword(ApplicationContext ctx, String username, String displayName, Set<Role> roles,
                                  String password) {
    Users.Created c = create(ctx, username, displayName, roles);
    ctx.getBean(Users.class).changePassword(username, c.oneTimePassword().toCharArray(), password.toCharArray());
  }

  private static boolean actsAsDpo(ConsoleUser u) {
    return !u.disabled() && u.roles().contains(Role.DPO) && !u.roles().contains(Role.ADMIN);
  }
}
