package dev.asyncjobs.generators.openai.internal;

import com.openai.client.OpenAIClient;
import com.openai.errors.OpenAIException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.generators.openai.ArtifactStore;
import dev.asyncjobs.generators.openai.ImageTransfer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What every generator of one {@code OpenAiGenerators} shares: the client, the abortable call
 * runner, the error mapping, the artifact store and the image fetcher.
 */
public final class OpenAiBackend implements AutoCloseable {
  private final OpenAIClient client;
  private final CallRunner runner;
  private final ErrorMapper errors;
  private final @Nullable ArtifactStore artifacts;
  private final ImageTransfer transfer;
  private final ImageFetcher fetcher;

  /**
   * A backend over {@code client}, whose HTTP calls must go through {@code runner}'s interceptor;
   * image URLs are downloaded under {@code downloads}.
   */
  public OpenAiBackend(
      OpenAIClient client, CallRunner runner, Clock clock, String baseUrl, Duration timeout,
      @Nullable ArtifactStore artifacts, ImageTransfer transfer, ImageDownloads downloads) {
    this.client = client;
    this.runner = runner;
    this.errors = new ErrorMapper(clock, baseUrl, timeout);
    this.artifacts = artifacts;
    this.transfer = transfer;
    this.fetcher = new ImageFetcher(timeout, downloads, runner.interceptor());
  }

  /**
   * Runs one SDK call abortably and maps its failure.
   *
   * @param what what is asked, for messages ({@code image generation})
   * @param model the model asked for
   * @param modelSetting the setting naming that model
   */
  public <T> T call(JobContext context, String what, String model, String modelSetting, Function<OpenAIClient, T> call) {
    try {
      return runner.run(context, () -> call.apply(client));
    } catch (OpenAIException e) {
      throw errors.map(e, what, model, modelSetting);
    }
  }

  /** Runs any other blocking work (an image download) abortably. */
  <T> T run(JobContext context, Supplier<T> work) {
    return runner.run(context, work);
  }

  /** The client, for calls made outside a job (moderation). */
  public OpenAIClient client() {
    return client;
  }

  /** The error mapping. */
  public ErrorMapper errors() {
    return errors;
  }

  @Nullable ArtifactStore artifacts() {
    return artifacts;
  }

  ImageTransfer transfer() {
    return transfer;
  }

  ImageFetcher fetcher() {
    return fetcher;
  }

  /**
   * A stable, non-reversible id for the job's owner, sent as OpenAI's safety identifier so that
   * OpenAI can tell abusive end users apart without learning who they are.
   */
  static String safetyId(String ownerId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(ownerId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Closes the client's connections and the call threads. */
  @Override
  public void close() {
    try {
      client.close();
    } finally {
      try {
        fetcher.close();
      } finally {
        runner.close();
      }
    }
  }
}
