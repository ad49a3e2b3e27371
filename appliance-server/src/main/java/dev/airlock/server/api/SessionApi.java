package dev.airlock.server.api;

import dev.airlock.server.vocabulary.Problems;
import dev.airlock.server.auth.Access;
import dev.airlock.server.auth.Allowed;
import dev.airlock.server.auth.Principal;
import dev.airlock.server.auth.Role;
import dev.airlock.server.auth.SignIn;
import dev.airlock.server.auth.Users;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions for API clients: sign in with a username and password to get a session token
 * ({@code als_...}, sent as {@code Authorization: Bearer}), see who you are, change your
 * password, sign out. Same throttling and audit records as the console's sign-in page.
 */
@Controller("/admin/session")
@ExecuteOn(TaskExecutors.BLOCKING)
public class SessionApi {
  private final SignIn signIn;
  private final Users users;

  public SessionApi(SignIn signIn, Users users) {
    this.signIn = signIn;
    this.users = users;
  }

  record Credentials(String username, String password) {}

  record PasswordChange(String current, String next) {}

  @Post(consumes = MediaType.ALL)
  @Allowed(anonymous = true)
  public MutableHttpResponse<?> signIn(HttpRequest<?> request, @Nullable @Body byte[] body) throws IOException {
    Credentials c;
    try {
      c = Problems.read(body, Credentials.class);
    } catch (IOException | IllegalArgumentException e) {
      return Problems.write(HttpStatus.BAD_REQUEST, "Send {\"username\": ..., \"password\": ...} as JSON.", "invalid_json");
    }
    SignIn.Result r = signIn.signIn(c.username(), c.password() == null ? new char[0] : c.password().toCharArray(),
        SignIn.address(request));
    return switch (r) {
      case SignIn.SignedIn in -> {
        Map<String, Object> out = describe(in.principal());
        out.put("token", in.token());
        yield Api.json(HttpStatus.CREATED, out);
      }
      case SignIn.Refused no -> Problems.write(HttpStatus.UNAUTHORIZED, no.message(), "invalid_credentials");
      case SignIn.Throttled t -> Problems.write(HttpStatus.TOO_MANY_REQUESTS, t.message(), "throttled")
          .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, t.retryAfter().toSeconds())));
    };
  }

  @Get
  @Allowed(anyUser = true, operatorToken = true)
  public MutableHttpResponse<?> whoAmI(HttpRequest<?> request) {
    return Api.json(HttpStatus.OK, describe(Access.require(request)));
  }

  @Post(uri = "/password", consumes = MediaType.ALL)
  @Allowed(anyUser = true)
  public MutableHttpResponse<?> changePassword(HttpRequest<?> request, @Nullable @Body byte[] body) {
    return Api.run(HttpStatus.OK, () -> {
      Principal me = Access.require(request);
      if (!me.isUser()) throw new IllegalArgumentException("the operator token has no password to change");
      PasswordChange p = Problems.read(body, PasswordChange.class);
      users.changePassword(me.username(), chars(p.current()), chars(p.next()));
      return Map.of("message", "Password changed.");
    });
  }

  @Delete
  @Allowed(anyUser = true)
  public MutableHttpResponse<?> signOut(HttpRequest<?> request) {
    Principal me = Access.require(request);
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (me.isUser() && header != null && header.length() > 7) signIn.signOut(me, header.substring(7).trim());
    return HttpResponse.noContent();
  }

  private Map<String, Object> describe(Principal p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("username", p.username());
    out.put("displayName", p.displayName());
    out.put("roles", p.roles().stream().map(Role::name).sorted().toList());
    out.put("mustChangePassword", p.mustChangePassword());
    return out;
  }

  private static char[] chars(String s) {
    return s == null ? new char[0] : s.toCharArray();
  }
}
