package dev.airlock.server.auth;

import dev.airlock.audit.AuditLog;
import dev.airlock.server.ApplianceDatabase;
import dev.airlock.server.vocabulary.Refusal;
import dev.airlock.server.vocabulary.Sql;
import dev.airlock.server.vocabulary.AdminRecords;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Console users: create (with a one-time password), roles, disable, password reset and change,
 * and the password check behind sign-in. There is never a default password: the first accounts are
 * made by {@code airlock admin bootstrap} on the appliance's own shell, every other user by an
 * ADMIN. Every change is an audit record appended in the same transaction; if the record cannot be
 * written the change is not made.
 *
 * <p>Separation of duties is enforced here for every caller: no account holds both ADMIN and DPO,
 * and this class never gives anyone DPO or AUDITOR on one person's word (nor a new password to an
 * account that holds them). Those grants are two-person changes ({@code changes.RoleGrants}), which
 * apply themselves through the {@code ...On(Connection, ...)} methods below in their own transaction.
 */
@Singleton
public class Users {
  /** Passwords people choose must be at least this long. */
  public static final int MIN_PASSWORD_LENGTH = 12;

  private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9._-]{1,63}");
  // No 0/O, 1/l/I: a one-time password is often read off a screen and typed.
  private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataSource db;
  private final AuditLog audit;
  private final PasswordHasher hasher;
  private final Clock clock;
  // Verifying against this when the user does not exist keeps the reply time the same either way.
  // Made at the first such check, not at start-up: an Argon2id hash costs tens of milliseconds.
  private volatile String dummyHash;

  public Users(ApplianceDatabase database, AuditLog audit) {
    this(database.dataSource(), audit, PasswordHasher.defaults(), Clock.systemUTC());
  }

  Users(DataSource db, AuditLog audit, PasswordHasher hasher, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.hasher = hasher;
    this.clock = clock;
  }

  private String dummyHash() {
    String h = dummyHash;
    if (h == null) dummyHash = h = hasher.hash("not-a-password".toCharArray());
    return h;
  }

  /** A new user and the one-time password to hand over; it must be changed at first sign-in. */
  public record Created(ConsoleUser user, String oneTimePassword) {}

  /**
   * What {@code airlock admin bootstrap} makes on the appliance's own shell: the first ADMIN, and
   * the first DPOs and AUDITORs while no one can act as a DPO (after that a DPO confirms new ones).
   */
  public record FirstAccounts(Optional<String> admin, List<String> dpos, List<String> auditors) {
    public FirstAccounts {
      dpos = List.copyOf(dpos);
      auditors = List.copyOf(auditors);
    }

    public static FirstAccounts admin(String username) {
      return new FirstAccounts(Optional.of(username), List.of(), List.of());
    }
  }

  /** Why an account may not hold both ADMIN and DPO, and what to do instead. */
  public static final String SEPARATION_OF_DUTIES = "No account may hold both ADMIN and DPO: whoever runs the"
      + " appliance must not also approve what it serves. Make two accounts, one with ADMIN and one with DPO,"
      + " for two different people.";

  /** Refuses a set of roles that puts ADMIN and DPO on one account. */
  public static void requireSeparateDuties(Set<Role> roles) {
    if (roles.contains(Role.ADMIN) && roles.contains(Role.DPO)) {
      throw Refusal.forbidden("separation_of_duties", SEPARATION_OF_DUTIES);
    }
  }

  /**
   * Makes the first accounts, each with its own transaction and {@code user.bootstrapped} record:
   * the ADMIN only while there is none; DPOs and AUDITORs only while no enabled account can act as
   * a DPO (then there is nobody to confirm a grant). Refused as a whole before anything is made.
   */
  public List<Created> bootstrap(FirstAccounts accounts, String actorName) {
    synchronized (this) {
      if (accounts.admin().isEmpty() && accounts.dpos().isEmpty() && accounts.auditors().isEmpty()) {
        throw new IllegalArgumentException("name at least one account to make");
      }
      List<ConsoleUser> all = list();
      if (accounts.admin().isPresent() && all.stream().anyMatch(u -> u.roles().contains(Role.ADMIN))) {
        throw new IllegalStateException("an ADMIN already exists: sign in as that admin to add users;"
            + " 'admin bootstrap' only makes the first one");
      }
      if ((!accounts.dpos().isEmpty() || !accounts.auditors().isEmpty()) && all.stream().anyMatch(Users::actsAsDpo)) {
        throw new IllegalStateException("a DPO already exists: new DPOs and AUDITORs are proposed by an ADMIN"
            + " (the console's Users page or POST /admin/users) and confirmed by a DPO; 'admin bootstrap' only"
            + " makes the first ones");
      }
      List<String> names = new ArrayList<>();
      accounts.admin().ifPresent(names::add);
      names.addAll(accounts.dpos());
      names.addAll(accounts.auditors());
      for (String n : names) {
        String name = requireUsername(n);
        if (names.stream().filter(name::equals).count() > 1 || all.stream().anyMatch(u -> u.username().equals(name))) {
          throw new IllegalArgumentException("the username '" + name + "' is already taken or given twice; usernames"
              + " are never reused");
        }
      }
      List<Created> out = new ArrayList<>();
      accounts.admin().ifPresent(a -> out.add(insert(a, Role.ADMIN.title(), EnumSet.of(Role.ADMIN), actorName,
          "user.bootstrapped")));
      for (String d : accounts.dpos()) out.add(insert(d, Role.DPO.title(), EnumSet.of(Role.DPO), actorName, "user.bootstrapped"));
      for (String a : accounts.auditors()) {
        out.add(insert(a, Role.AUDITOR.title(), EnumSet.of(Role.AUDITOR), actorName, "user.bootstrapped"));
      }
      return out;
    }
  }

  /** Whether an enabled account can act as a DPO (holds DPO, and not ADMIN too). */
  static boolean actsAsDpo(ConsoleUser u) {
    return !u.disabled() && u.roles().contains(Role.DPO) && !u.roles().contains(Role.ADMIN);
  }

  /**
   * Makes a user with roles that need no second person (ADMIN, or none) and returns its one-time
   * password. DPO and AUDITOR are refused here: an ADMIN proposes them and a DPO confirms
   * ({@code changes.RoleGrants}).
   */
  public Created create(String username, String displayName, Set<Role> roles, String actorName) {
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("give the user at least one role: ADMIN, DPO or AUDITOR");
    }
    requireSeparateDuties(roles);
    requireNoConfirmedRoles(roles, "giving a new account");
    return insert(username, displayName, roles, actorName, "user.created");
  }

  private Created insert(String username, String displayName, Set<Role> roles, String actorName, String recordType) {
    String name = requireUsername(username);
    String display = displayName(displayName, name);
    char[] password = oneTimePassword();
    String hash = hasher.hash(password);
    Sql.inTransaction(db, c -> {
      insertAccount(c, name, display, hash, roles, actorName);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("username", name);
      details.put("roles", roleNames(roles));
      audit.append(AdminRecords.of(recordType, actorName, details));
    });
    return new Created(find(name).orElseThrow(), new String(password));
  }

  /**
   * Makes an account on the caller's transaction with the roles given and no password anyone
   * knows (a hash of a random secret that is thrown away): it cannot sign in until
   * {@link #issueOneTimePasswordOn} gives it one. For a user whose other roles wait for a DPO.
   */
  public void createWithoutPasswordOn(Connection c, String username, String displayName, Set<Role> roles,
                                      String actorName) throws SQLException {
    String name = requireUsername(username);
    insertAccount(c, name, displayName(displayName, name), unusableHash(), roles, actorName);
  }

  private void insertAccount(Connection c, String name, String display, String hash, Set<Role> roles, String actorName)
      throws SQLException {
    if (exists(c, name)) {
      throw new IllegalArgumentException("a user named '" + name + "' already exists; usernames are never reused");
    }
    Instant now = clock.instant();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO console_user (username, display_name, password_hash,"
        + " must_change_password, disabled, created_at, created_by, password_changed_at) VALUES (?, ?, ?, TRUE, FALSE, ?, ?, ?)")) {
      ps.setString(1, name);
      ps.setString(2, display);
      ps.setString(3, hash);
      ps.setObject(4, at(now));
      ps.setString(5, actorName);
      ps.setObject(6, at(now));
      ps.executeUpdate();
    }
    writeRoles(c, name, roles);
  }

  private static String displayName(String displayName, String name) {
    String display = displayName == null || displayName.isBlank() ? name : displayName.strip();
    if (display.length() > 200) throw new IllegalArgumentException("the display name is longer than 200 characters");
    return display;
  }

  private static void requireNoConfirmedRoles(Set<Role> roles, String doing) {
    List<String> confirmed = roles.stream().filter(Role::grantNeedsConfirmation).sorted().map(Role::name).toList();
    if (!confirmed.isEmpty()) {
      throw Refusal.forbidden("second_person_required", doing + " " + String.join(" or ", confirmed)
          + " takes a second person: an ADMIN proposes it and a DPO confirms it (POST /admin/users and"
          + " PUT /admin/users/{username}/roles propose it; the DPO confirms under /admin/changes)");
    }
  }

  public Optional<ConsoleUser> find(String username) {
    if (username == null) return Optional.empty();
    return Sql.query(db, "SELECT * FROM console_user WHERE username = ?", ps -> ps.setString(1, username),
        rs -> rs.next() ? Optional.of(read(rs)) : Optional.<ConsoleUser>empty())
        .map(u -> new ConsoleUser(u.username(), u.displayName(), roles(u.username()), u.mustChangePassword(),
            u.disabled(), u.createdAt(), u.createdBy()));
  }

  public List<ConsoleUser> list() {
    List<ConsoleUser> bare = Sql.query(db, "SELECT * FROM console_user ORDER BY username", ps -> {}, rs -> {
      List<ConsoleUser> out = new ArrayList<>();
      while (rs.next()) out.add(read(rs));
      return out;
    });
    return bare.stream().map(u -> new ConsoleUser(u.username(), u.displayName(), roles(u.username()),
        u.mustChangePassword(), u.disabled(), u.createdAt(), u.createdBy())).toList();
  }

  /**
   * Replaces the user's roles. Refused when it would leave no enabled ADMIN, put ADMIN and DPO on
   * one account, or add DPO or AUDITOR (a two-person change: {@code changes.RoleGrants}). Taking
   * a role away needs nobody else.
   */
  public ConsoleUser setRoles(String username, Set<Role> roles, String actorName) {
    ConsoleUser before = require(username);
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("a user needs at least one role; to stop someone signing in, disable the user");
    }
    requireSeparateDuties(roles);
    Set<Role> added = EnumSet.noneOf(Role.class);
    added.addAll(roles);
    added.removeAll(before.roles());
    requireNoConfirmedRoles(added, "giving an account");
    Sql.inTransaction(db, c -> {
      replaceRolesOn(c, username, roles);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("username", username);
      details.put("rolesBefore", roleNames(before.roles()));
      details.put("roles", roleNames(roles));
      audit.append(AdminRecords.of("user.roles_changed", actorName, details));
    });
    return require(username);
  }

  /** The user's roles as the caller's transaction sees them. */
  public Set<Role> rolesOn(Connection c, String username) throws SQLException {
    if (!exists(c, username)) throw new NoSuchElementException("no user '" + username + "'");
    try (PreparedStatement ps = c.prepareStatement("SELECT role FROM console_user_role WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        Set<Role> out = EnumSet.noneOf(Role.class);
        while (rs.next()) out.add(Role.valueOf(rs.getString(1)));
        return out;
      }
    }
  }

  /**
   * Replaces the user's roles on the caller's transaction and ends the user's sessions; refused
   * when it would leave no enabled ADMIN. Writes no audit record: the caller's record covers it.
   */
  public void replaceRolesOn(Connection c, String username, Set<Role> roles) throws SQLException {
    Set<Role> before = rolesOn(c, username);
    if (before.contains(Role.ADMIN) && !roles.contains(Role.ADMIN)) requireAnotherAdmin(c, username);
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM console_user_role WHERE username = ?")) {
      ps.setString(1, username);
      ps.executeUpdate();
    }
    writeRoles(c, username, roles);
    endSessions(c, username);
  }

  /**
   * Sets a new one-time password on the caller's transaction and ends the user's sessions; returns
   * the password. Writes no audit record: the caller's record covers it.
   */
  public String issueOneTimePasswordOn(Connection c, String username) throws SQLException {
    if (!exists(c, username)) throw new NoSuchElementException("no user '" + username + "'");
    char[] password = oneTimePassword();
    updatePassword(c, username, hasher.hash(password), true);
    endSessions(c, username);
    return new String(password);
  }

  /**
   * Makes the user's password one nobody knows, on the caller's transaction, and ends the user's
   * sessions: the account cannot sign in until {@link #issueOneTimePasswordOn} gives it one.
   */
  public void clearPasswordOn(Connection c, String username) throws SQLException {
    if (!exists(c, username)) throw new NoSuchElementException("no user '" + username + "'");
    updatePassword(c, username, unusableHash(), true);
    endSessions(c, username);
  }

  /** Disables or re-enables a user; disabling ends the user's sessions. */
  public ConsoleUser setDisabled(String username, boolean disabled, String actorName) {
    ConsoleUser before = require(username);
    if (disabled && before.roles().contains(Role.ADMIN)) requireAnotherAdmin(username);
    Sql.inTransaction(db, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE console_user SET disabled = ? WHERE username = ?")) {
        ps.setBoolean(1, disabled);
        ps.setString(2, username);
        ps.executeUpdate();
      }
      audit.append(AdminRecords.of(disabled ? "user.disabled" : "user.enabled", actorName, Map.of("username", username)));
      endSessions(c, username);
    });
    return require(username);
  }

  /**
   * Sets a new one-time password (the user must change it at next sign-in) and ends the user's
   * sessions. Refused for a DPO or AUDITOR: whoever knew the password could act as them, so that
   * takes a second person ({@code changes.RoleGrants.resetPassword}).
   */
  public String resetPassword(String username, String actorName) {
    ConsoleUser user = require(username);
    if (user.roles().stream().anyMatch(Role::grantNeedsConfirmation)) {
      throw Refusal.forbidden("second_person_required", "resetting the password of a DPO or AUDITOR takes a second"
          + " person: an ADMIN proposes it and a DPO confirms it");
    }
    char[] password = oneTimePassword();
    String hash = hasher.hash(password);
    Sql.inTransaction(db, c -> {
      updatePassword(c, username, hash, true);
      audit.append(AdminRecords.of("user.password_reset", actorName, Map.of("username", username)));
      endSessions(c, username);
    });
    return new String(password);
  }

  /** The user changes their own password, proving the current one. */
  public void changePassword(String username, char[] current, char[] next) {
    ConsoleUser user = require(username);
    if (user.disabled()) throw new IllegalStateException("this account is disabled");
    if (!checkPassword(username, current)) {
      throw new IllegalArgumentException("the current password is not right");
    }
    if (next == null || next.length < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("the new password must be at least " + MIN_PASSWORD_LENGTH + " characters long");
    }
    if (Arrays.equals(current, next)) {
      throw new IllegalArgumentException("the new password must differ from the current one");
    }
    String hash = hasher.hash(next);
    Sql.inTransaction(db, c -> {
      updatePassword(c, username, hash, false);
      audit.append(AdminRecords.of("user.password_changed", "user:" + username, Map.of("username", username)));
    });
  }

  /**
   * True when the user exists, is enabled and the password matches. Takes the same time whether or
   * not the user exists.
   */
  public boolean checkPassword(String username, char[] password) {
    Optional<String[]> row = Sql.query(db, "SELECT password_hash, disabled FROM console_user WHERE username = ?",
        ps -> ps.setString(1, username == null ? "" : username),
        rs -> rs.next() ? Optional.of(new String[] {rs.getString(1), String.valueOf(rs.getBoolean(2))})
            : Optional.<String[]>empty());
    boolean ok = hasher.verify(password, row.isPresent() ? row.get()[0] : dummyHash());
    return ok && row.isPresent() && !Boolean.parseBoolean(row.get()[1]);
  }

  private void requireAnotherAdmin(String username) {
    boolean another = list().stream().anyMatch(u -> !u.username().equals(username) && !u.disabled()
        && u.roles().contains(Role.ADMIN));
    if (!another) throw lastAdmin(username);
  }

  private static void requireAnotherAdmin(Connection c, String username) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM console_user u JOIN console_user_role r"
        + " ON r.username = u.username WHERE r.role = 'ADMIN' AND u.disabled = FALSE AND u.username <> ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) == 0) throw lastAdmin(username);
      }
    }
  }

  private static IllegalStateException lastAdmin(String username) {
    return new IllegalStateException("'" + username + "' is the last enabled ADMIN; give another user the ADMIN role first");
  }

  private ConsoleUser require(String username) {
    return find(username).orElseThrow(() -> new NoSuchElementException("no user '" + username + "'"));
  }

  private Set<Role> roles(String username) {
    return Sql.query(db, "SELECT role FROM console_user_role WHERE username = ?", ps -> ps.setString(1, username), rs -> {
      Set<Role> out = EnumSet.noneOf(Role.class);
      while (rs.next()) out.add(Role.valueOf(rs.getString(1)));
      return out;
    });
  }

  private static void writeRoles(Connection c, String username, Set<Role> roles) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO console_user_role (username, role) VALUES (?, ?)")) {
      for (Role r : new TreeSet<>(roles)) {
        ps.setString(1, username);
        ps.setString(2, r.name());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void updatePassword(Connection c, String username, String hash, boolean mustChange) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE console_user SET password_hash = ?, must_change_password = ?,"
        + " password_changed_at = ? WHERE username = ?")) {
      ps.setString(1, hash);
      ps.setBoolean(2, mustChange);
      ps.setObject(3, at(clock.instant()));
      ps.setString(4, username);
      ps.executeUpdate();
    }
  }

  static void endSessions(Connection c, String username) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM console_session WHERE username = ?")) {
      ps.setString(1, username);
      ps.executeUpdate();
    }
  }

  private static boolean exists(Connection c, String username) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM console_user WHERE username = ?")) {
      ps.setString(1, username);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static ConsoleUser read(ResultSet rs) throws SQLException {
    return new ConsoleUser(rs.getString("username"), rs.getString("display_name"), Set.of(),
        rs.getBoolean("must_change_password"), rs.getBoolean("disabled"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getString("created_by"));
  }

  static String requireUsername(String username) {
    String name = username == null ? "" : username.strip();
    if (name.equals(Principal.OPERATOR_TOKEN)) {
      throw new IllegalArgumentException("'" + name + "' names the operator token in audit records; choose another username");
    }
    if (!USERNAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a username is 2-64 characters: lowercase letters, digits, '.', '_' or '-',"
          + " starting with a letter (got '" + name + "')");
    }
    return name;
  }

  public static List<String> roleNames(Set<Role> roles) {
    return new TreeSet<>(roles).stream().map(Role::name).toList();
  }

  /** A password hash that no one can match: of a random secret that is never kept. */
  private String unusableHash() {
    return hasher.hash(oneTimePassword());
  }

  private static char[] oneTimePassword() {
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    return out;
  }

  private static OffsetDateTime at(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
