package dev.asyncjobs.spi;

import dev.asyncjobs.Job;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer to {@link JobStore#completeAllThenClaim}: what was completed, and what the claim made
 * after it took.
 *
 * @param completed the jobs after the change, as {@link JobStore#completeAll} returns them
 * @param claimed the jobs claimed after the completions, in claim order; empty when the claim failed
 * @param claimFailure why the claim failed, when it did (the completions stand all the same)
 */
public record CompletedAndClaimed(List<Job> completed, List<Job> claimed, @Nullable RuntimeException claimFailure) {
  /**
   * Copies the lists.
   *
   * @param completed the jobs after the change
   * @param claimed the jobs claimed after the completions, in claim order
   * @param claimFailure why the claim failed, when it did
   */
  public CompletedAndClaimed {
    completed = List.copyOf(completed);
    claimed = List.copyOf(claimed);
    if (claimFailure != null && !claimed.isEmpty()) {
      throw new IllegalArgumentException("a failed claim claims nothing, yet " + claimed.size() + " jobs are given");
    }
  }
}
