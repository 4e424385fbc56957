package dev.asyncjobs.generators.openai.internal;

import java.util.Set;

/**
 * The rules for downloading image URLs ({@code ImageTransfer.FETCH_URL}), as the builder checked
 * them.
 *
 * @param allowHttp whether plain {@code http} URLs are downloaded
 * @param allowPrivateAddresses whether hosts may resolve to non-public addresses
 * @param trustedHosts hosts that may resolve to non-public addresses
 * @param maxBytes the largest image kept
 */
public record ImageDownloads(boolean allowHttp, boolean allowPrivateAddresses, Set<String> trustedHosts, long maxBytes) {
  /** The default largest image: 50 MiB. */
  public static final long DEFAULT_MAX_BYTES = ImageFetcher.DEFAULT_MAX_BYTES;

  /** Copies {@code trustedHosts}. */
  public ImageDownloads {
    trustedHosts = Set.copyOf(trustedHosts);
  }

  UrlPolicy policy() {
    return new UrlPolicy(allowHttp, allowPrivateAddresses, trustedHosts);
  }
}
