package dev.asyncjobs.examples;

import com.auth0.jwt.JWT;
import dev.asyncjobs.JobConfigurationException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the JobTracker example: {@code java -jar jobs-examples.jar [--api-only | --worker-only]},
 * or {@code java -jar jobs-examples.jar token [--sub NAME] [--ttl 12h] [--operator]}. See {@link AppSettings}
 * for the environment variables.
 */
public final class JobTrackerMain {
  private JobTrackerMain() {}

  /** Starts the app and waits until the process is stopped (Ctrl-C). */
  public static void main(String[] args) throws InterruptedException {
    List<String> argList = List.of(args);
    Map<String, String> env = System.getenv();
    try {
      if (argList.contains("--help") || argList.contains("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (!argList.isEmpty() && argList.get(0).equals("token")) {
        System.out.println(TokenCommand.run(argList.subList(1, argList.size()), env));
        return;
      }
      AppSettings settings = AppSettings.from(env, argList);
      JobTrackerApp app = JobTrackerApp.start(settings);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        app.close();
        stopped.countDown();
      }, "asyncjobs-shutdown"));
      printStartup(settings, app, System.out);
      stopped.await();
    } catch (JobConfigurationException e) {
      System.err.println("asyncjobs example: " + e.getMessage());
      System.exit(2);
    }
  }

  static void printStartup(AppSettings s, JobTrackerApp app, PrintStream out) {
    out.println();
    out.println("asyncjobs JobTracker example (" + s.role().name().toLowerCase() + ")");
    out.println("  store:      " + (s.storeUrl() == null
        ? "in memory (jobs end with the process; JOBS_STORE_URL=jdbc:postgresql://... keeps them)"
        : "JOBS_STORE_URL"));
    out.println("  generators: " + (s.openAiApiKey() == null ? "offline demo" : "from the class path (OPENAI_API_KEY set)")
        + " " + new TreeSet<>(app.jobs().types()));
    out.println("  worker:     " + (s.role().runsJobs() ? "in this process, " + s.workerConcurrency() + " jobs at a time" : "none here (--api-only)"));
    out.println("  quota:      " + s.quota().maxPerHour() + "/hour, " + s.quota().maxPerDay() + "/day, one create per "
        + s.quota().minInterval().toSeconds() + " s per user (JOBS_QUOTA_* to change)");
    if (!s.role().servesApi()) {
      out.println();
      out.println("Worker running. Ctrl-C stops it (running jobs get 20 s to finish).");
      return;
    }
    String base = "http://" + (s.host().equals("0.0.0.0") ? "localhost" : s.host()) + ":" + app.port();
    out.println("  listening:  " + base + (s.host().equals(AppSettings.DEFAULT_HOST)
        ? " (this machine only; JOBS_HOST=0.0.0.0 opens it to the network)" : " (JOBS_HOST)"));
    if (!s.jwtSecretGenerated()) {
      // A configured secret outlives this process: a token printed here would be a standing
      // credential in every log and terminal scrollback. Tokens come from the token command.
      out.println("  JWT secret: JOBS_JWT_SECRET");
      out.println();
      out.println("Open the JobTracker at " + base + "/ with a token from your identity provider, or make one:");
      out.println("  java -jar jobs-examples.jar token --sub NAME");
      out.println("Ctrl-C stops the server.");
      return;
    }
    String token = app.auth().issue(s.demoUser(), TokenCommand.defaultTtl(s.tokens()));
    Instant validUntil = JWT.decode(token).getExpiresAtAsInstant();
    out.println("  JWT secret: random for this run: tokens stop working on restart (set JOBS_JWT_SECRET to keep them)");
    out.println();
    out.println("Demo credential for '" + s.demoUser() + "', valid until " + validUntil
        + ". Anyone who has it acts as that user: do not share it.");
    out.println("Open the JobTracker:");
    out.println("  " + base + "/#token=" + token);
    out.println();
    out.println("Try:  curl -H \"Authorization: Bearer " + token + "\" " + base + "/api/jobs");
    out.println("Ctrl-C stops the server.");
  }

  private static final String USAGE = String.join("\n",
      "usage: java -jar jobs-examples.jar [--api-only | --worker-only]",
      "       java -jar jobs-examples.jar token [--sub NAME] [--ttl 12h] [--operator]",
      "",
      "environment:",
      "  PORT (8080), JOBS_HOST (127.0.0.1; 0.0.0.0 for every interface)",
      "  JOBS_JWT_SECRET          HS256 secret, >= 32 bytes; unset: random for this run, and a demo",
      "                           credential is printed at startup",
      "  JOBS_JWT_ISSUER, JOBS_JWT_AUDIENCE  required iss and aud (unset: not checked)",
      "  JOBS_JWT_LEEWAY_SECONDS (30), JOBS_JWT_MAX_LIFETIME (24h)",
      "  JOBS_OPERATOR_CLAIM (role), JOBS_OPERATOR_VALUE (operator)  who may read /api/stats?scope=all",
      "  JOBS_STORE_URL           jdbc:postgresql://host/db (unset: in memory),",
      "                           with JOBS_STORE_USER, JOBS_STORE_PASSWORD, JOBS_STORE_SCHEMA",
      "  OPENAI_API_KEY           use the OpenAI generators instead of the offline demo ones",
      "  JOBS_DEMO_STEP_MS (400)  pause between two progress steps of a demo job",
      "  JOBS_WORKER_CONCURRENCY (4)",
      "  JOBS_QUOTA_PER_HOUR (10), JOBS_QUOTA_PER_DAY (100), JOBS_QUOTA_MIN_INTERVAL_SECONDS (60)",
      "  JOBS_DEMO_USER (demo-user)  subject of the demo credential printed at startup");
}
