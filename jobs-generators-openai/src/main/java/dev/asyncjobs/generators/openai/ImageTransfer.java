package dev.asyncjobs.generators.openai;

/**
 * How image bytes reach the {@link ArtifactStore}, when one is configured. Without a store, images
 * are returned as OpenAI's URLs, which expire after about an hour.
 */
public enum ImageTransfer {
  /** Ask OpenAI for the bytes in the reply ({@code response_format: b64_json}); one round trip. */
  BASE64,
  /** Ask for a URL and download it at once; the result keeps both the URL and the stored copy. */
  FETCH_URL
}
