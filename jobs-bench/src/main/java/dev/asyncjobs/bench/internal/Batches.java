package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import java.util.ArrayList;
import java.util.List;

/** Creates no-op jobs through a manager, in batches. */
final class Batches {
  static final String OWNER = "bench-owner";

  private Batches() {}

  /** The request of no-op job {@code seq}. */
  static JobRequest request(int seq) {
    return request(OWNER, seq);
  }

  /** The request of no-op job {@code seq} for {@code owner}. */
  static JobRequest request(String owner, int seq) {
    return JobRequest.builder(owner, NoopGenerator.TYPE).payload(NoopGenerator.payload(seq)).build();
  }

  /** Creates jobs {@code first} to {@code first + count - 1} with {@code createAll} calls of {@code batch}. */
  static void createAll(JobManager jobs, int first, int count, int batch) {
    createAll(jobs, first, count, batch, 1);
  }

  /** As {@link #createAll(JobManager, int, int, int)}, job {@code seq} owned by {@code owner-(seq % owners)} (or {@link #OWNER} for 1). */
  static void createAll(JobManager jobs, int first, int count, int batch, int owners) {
    for (int done = 0; done < count; ) {
      int n = Math.min(batch, count - done);
      List<JobRequest> requests = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int seq = first + done + i;
        requests.add(owners == 1 ? request(seq) : request("owner-" + (seq % owners), seq));
      }
      jobs.createAll(requests);
      done += n;
    }
  }
}
