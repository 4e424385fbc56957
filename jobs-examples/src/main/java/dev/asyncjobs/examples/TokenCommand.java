package dev.asyncjobs.examples;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.examples.http.TokenRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code token [--sub NAME] [--ttl 12h] [--operator]}: prints a token signed with {@code
 * JOBS_JWT_SECRET}, and nothing else, so that {@code TOKEN=$(java -jar jobs-examples.jar token)}
 * works. The token carries the configured issuer and audience, and may not live longer than
 * {@code JOBS_JWT_MAX_LIFETIME}, so that the server accepts what the command makes.
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
    TokenRules rules = AppSettings.tokenRules(env);
    Duration ttl = defaultTtl(rules);
    boolean operator = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--operator")) {
        operator = true;
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new JobConfigurationException("token: '" + arg + "' needs a value");
      }
      String value = args.get(++i);
      switch (arg) {
        case "--sub" -> subject = value;
        case "--ttl" -> ttl = parseTtl(value);
        default -> throw new JobConfigurationException(
            "token: unknown argument '" + arg + "'; expected --sub NAME, --ttl 12h or --operator");
      }
    }
    if (ttl.compareTo(rules.maxLifetime()) > 0) {
      throw new JobConfigurationException("token: --ttl " + describe(ttl) + " is longer than the "
          + describe(rules.maxLifetime()) + " the server accepts (JOBS_JWT_MAX_LIFETIME); ask for less or raise it");
    }
    JwtAuth auth = new JwtAuth(secret, rules);
    return operator ? auth.issueOperator(subject, ttl) : auth.issue(subject, ttl);
  }

  /** 12 h, or the maximum lifetime when that is shorter. */
  static Duration defaultTtl(TokenRules rules) {
    return DEFAULT_TTL.compareTo(rules.maxLifetime()) > 0 ? rules.maxLifetime() : DEFAULT_TTL;
  }

  private static String describe(Duration d) {
    return d.toSeconds() % 3600 == 0 ? d.toHours() + "h" : d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
  }

  /** {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}. */
  static Duration parseTtl(String value) {
    try {
      return AppSettings.parseDuration("--ttl", value);
    } catch (JobConfigurationException e) {
      throw new JobConfigurationException("token: " + e.getMessage());
    }
  }
}
