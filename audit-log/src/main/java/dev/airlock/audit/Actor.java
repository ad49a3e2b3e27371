package dev.airlock.audit;

import java.util.Objects;

/**
 * Who caused a record: an internal application (by its app id), a person (by user id), or Airlock
 * itself. A user id is personal data, so the leaf stores it encrypted under the subject's key; app
 * ids and {@code system} stay in plaintext so the security team can search by app after an erasure.
 */
public record Actor(Kind kind, String id) {
  /** The closed set of actor kinds; the byte is the value in the leaf encoding. */
  public enum Kind {
    APP(0),
    USER(1),
    SYSTEM(2);

    final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind fromCode(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown actor kind " + code + " (expected 0 app, 1 user, 2 system)");
    }
  }

  public Actor {
    Objects.requireNonNull(kind, "actor kind");
    Objects.requireNonNull(id, "actor id");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("actor id must not be empty: give the app id, user id or component name");
    }
  }

  public static Actor app(String appId) {
    return new Actor(Kind.APP, appId);
  }

  public static Actor user(String userId) {
    return new Actor(Kind.USER, userId);
  }

  public static Actor system(String component) {
    return new Actor(Kind.SYSTEM, component);
  }

  /** True when the id is personal data and is therefore encrypted in the leaf. */
  public boolean isPersonal() {
    return kind == Kind.USER;
  }
}
