package dev.asyncjobs.generators.openai;

import java.util.UUID;

/**
 * Keeps the files a job makes (image bytes) somewhere that outlives OpenAI's short-lived URLs: a
 * local directory ({@link LocalDirectoryArtifactStore}), or an object store a host implements.
 * Implementations must be thread-safe. Storing the same job and name again replaces the file, so
 * that a retried attempt does not leave duplicates.
 */
@FunctionalInterface
public interface ArtifactStore {

  /**
   * Stores one file of a job.
   *
   * @param jobId the job
   * @param fileName a simple name unique within the job, e.g. {@code image-1.png}
   * @param contentType its media type, e.g. {@code image/png}
   * @param content the bytes
   * @return where it was put
   * @throws ArtifactStoreException when it could not be stored (the attempt is retried)
   */
  StoredArtifact store(UUID jobId, String fileName, String contentType, byte[] content);
}
