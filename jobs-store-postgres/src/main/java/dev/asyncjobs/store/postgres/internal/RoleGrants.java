package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The shipped grants of a web tier's role ({@code roles/web-role-grants.sql}): the one text that the
 * docs (docs/postgresql.md) show, the tests apply, and {@code PostgresJobStore.webRoleGrants} returns.
 */
public final class RoleGrants {
  /** What a role name may be here: a lowercase SQL identifier that needs no quoting. */
  public static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final java.util.Set<String> RESERVED =
      java.util.Set.of("public", "current_user", "current_role", "session_user", "none", "user");

  private static final String PATH = "dev/asyncjobs/store/postgres/roles/web-role-grants.sql";

  private RoleGrants() {}

  /** The grants for {@code role} on {@code names}' tables, one statement per {@code ;}. */
  public static String webRole(SchemaNames names, String role) {
    if (!ROLE.matcher(Objects.requireNonNull(role, "role")).matches()) {
      throw new JobConfigurationException(
          "role must be a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), was '" + role + "'");
    }
    if (RESERVED.contains(role) || role.startsWith("pg_")) {
      // GRANT … TO public (quoted or not) grants every role; the others name no fixed role.
      throw new JobConfigurationException("role must name one role of its own, not '" + role + "'");
    }
    return names.substitute(template()).replace("${role}", role);
  }

  private static String template() {
    try (InputStream in = RoleGrants.class.getClassLoader().getResourceAsStream(PATH)) {
      return new String(Objects.requireNonNull(in, PATH).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + PATH, e);
    }
  }
}
