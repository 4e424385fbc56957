package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobLimit;
import java.util.Set;

/**
 * What the generators tell the job runtime's limits: the resource a model is, how many units a
 * request is expected to use, and how many it did use.
 */
public final class Limits {
  /** The prefix of every resource key of an OpenAI model. */
  public static final String PREFIX = "openai:";

  /**
   * The characters per token of OpenAI's rule of thumb for English text, which its rate limiter
   * also uses to count a request's tokens before running it.
   */
  static final int CHARS_PER_TOKEN = 4;

  private Limits() {}

  /**
   * The resource key of a model: {@code openai:<model>}, e.g. {@code openai:gpt-image-1}. OpenAI
   * keeps its rate limits per model, so every job type on one model shares one key.
   */
  public static String resource(String model) {
    return JobLimit.checkName(PREFIX + model);
  }

  /** The resources of a generator that calls only {@code model}. */
  static Set<String> resources(String model) {
    return Set.of(resource(model));
  }

  /**
   * The tokens a chat request may use: its messages at {@value #CHARS_PER_TOKEN} characters a token
   * (rounded up), plus the most the reply may take ({@code max_completion_tokens}). An upper bound
   * for the reply, an estimate for the request; what OpenAI counted replaces it when the reply
   * comes ({@link #report}).
   */
  static long chatTokens(long maxCompletionTokens, String... texts) {
    long chars = 0;
    for (String t : texts) {
      chars += t.length();
    }
    return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + maxCompletionTokens;
  }

  /**
   * Reports what an attempt used. A context that does not count units (a host's own, calling a
   * generator directly) has nothing to report to, which is no reason to fail the job.
   */
  static void report(JobContext context, long units) {
    try {
      context.reportUnits(units);
    } catch (UnsupportedOperationException notCounted) {
      // Nothing counts units here: the attempt's result stands.
    }
  }
}
