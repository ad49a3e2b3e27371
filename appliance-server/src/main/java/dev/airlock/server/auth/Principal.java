package dev.airlock.server.auth;

import dev.airlock.audit.Actor;
import java.util.Set;

/**
 * Who is making a console or admin API request, once authenticated: a console user (by a session
 * cookie or a session token) or the operator token, which acts as an ADMIN for automation, and only
 * on the routes that say so ({@link Allowed#operatorToken()}).
 *
 * @param username the console user, or {@link #OPERATOR_TOKEN} for the operator token
 * @param roles what the caller may do
 * @param session the session, absent for the operator token
 * @param mustChangePassword the user signed in with a one-time password not yet replaced
 */
public record Principal(String username, String displayName, Set<Role> roles, java.util.Optional<Session> session,
                        boolean mustChangePassword) {
  /** Who audit records name when the operator token acted. */
  public static final String OPERATOR_TOKEN = "operator-token";

  public Principal {
    roles = Set.copyOf(roles);
  }

  public static Principal operatorToken() {
    return new Principal(OPERATOR_TOKEN, "Operator token", Set.of(Role.ADMIN), java.util.Optional.empty(), false);
  }

  /**
   * Whether the caller may act in this role. An account that holds both ADMIN and DPO (made before
   * that was refused) never acts as a DPO: one person must not be both the operator and an approver.
   */
  public boolean has(Role role) {
    return roles.contains(role) && !(role == Role.DPO && holdsAdminAndDpo());
  }

  /** The account holds ADMIN and DPO at once, which is no longer allowed: it must be split. */
  public boolean holdsAdminAndDpo() {
    return roles.contains(Role.ADMIN) && roles.contains(Role.DPO);
  }

  public boolean isUser() {
    return session.isPresent();
  }

  /** The actor of audit records this caller causes: the person, or the operator token as a system actor. */
  public Actor actor() {
    return isUser() ? Actor.user(username) : Actor.system(OPERATOR_TOKEN);
  }

  /**
   * The actor as the string the admin services take: {@code user:<name>} for a person, which
   * {@code AdminRecords} turns back into a user actor, or the operator token's name.
   */
  public String actorName() {
    return isUser() ? "user:" + username : OPERATOR_TOKEN;
  }
}
