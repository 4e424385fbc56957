package dev.asyncjobs.examples;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.http.JwtAuth;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code token [--sub NAME] [--ttl 12h]}: prints a token signed with {@code JOBS_JWT_SECRET}, and
 * nothing else, so that {@code TOKEN=$(java -jar jobs-examples.jar token)} works.
 */
final class TokenCommand {
  static final Duration DEFAULT_TTL = Duration.ofHours(12);

  private TokenCommand() {}

  /**
   * The token that {@code args} ask for.
   *
   * @throws JobConfigurationException no secret configured, or a bad argument
   */
  static String run(List<String> args, Map<String, String> env) {
    String secret = env.get("JOBS_JWT_SECRET");
    if (secret == null || secret.isBlank()) {
      throw new JobConfigurationException(
          "the token command needs JOBS_JWT_SECRET, the same secret the server runs with"
              + " (a server started without one prints its own token at startup)");
    }
    String subject = env.getOrDefault("JOBS_DEMO_USER", "demo-user");
    Duration ttl = DEFAULT_TTL;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (i + 1 >= args.size()) {
        throw new JobConfigurationException("token: '" + arg + "' needs a value");
      }
      String value = args.get(++i);
      switch (arg) {
        case "--sub" -> subject = value;
        case "--ttl" -> ttl = parseTtl(value);
        default -> throw new JobConfigurationException("token: unknown argument '" + arg + "'; expected --sub NAME or --ttl 12h");
      }
    }
    return new JwtAuth(secret).issue(subject, ttl);
  }

  /** {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}. */
  static Duration parseTtl(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    try {
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      Duration d = switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
      if (d.isNegative() || d.isZero()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (RuntimeException e) {
      throw new JobConfigurationException("token: --ttl must look like 90s, 30m, 12h or 7d, was '" + value + "'");
    }
  }
}
