package dev.airlock.server.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may call a console page or an admin API route. Every route under {@code /console},
 * {@code /admin} and {@code /metrics} must carry it (on the method or its controller): a route
 * without it is refused to everyone, so forgetting it fails closed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Allowed {
  /** The roles that may call it: any one of them suffices. */
  Role[] value() default {};

  /** Anyone may call it, signed in or not (the sign-in page). */
  boolean anonymous() default false;

  /** Any signed-in user, whatever the roles, even one who must still change a one-time password. */
  boolean anyUser() default false;

  /**
   * The operator token (automation, acting as an ADMIN) may call it too. False unless a route says
   * so: the token never approves, confirms or proposes anything, and never touches users, policy
   * or trust, so a route forgotten here is closed to it rather than open.
   */
  boolean operatorToken() default false;
}
